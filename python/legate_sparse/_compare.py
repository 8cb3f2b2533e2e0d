"""Comparisons (``== != < <= > >=``) and division of sparse arrays, with SciPy's rules.

A comparison whose result is false at zero (``A != 0``, ``A < 2``, ``A == 3``) is
sparse: it is evaluated on the stored values (or on the union of two arrays' entries).
One that is true at zero (``A == 0``, ``A <= B``) would store almost every position:
SciPy warns (``SparseEfficiencyWarning``) and builds it as the complement of the
negated comparison; so does this module. Dense operands give dense results.
Results are CSR (CSC stays CSC), of the operand's flavour (array or matrix).

Division by a sparse array is dense in SciPy (``0/0`` is ``nan`` outside both
patterns), so it is computed densely here too.
"""

from __future__ import annotations

import operator
import warnings

import numpy as _np
from scipy.sparse import SparseEfficiencyWarning

import legate_numeric as lnp

from ._sputils import as_legate, is_dense, is_scalar

_SYMBOL = {operator.eq: "==", operator.ne: "!=", operator.lt: "<", operator.gt: ">", operator.le: "<=",
           operator.ge: ">="}
_NEGATION = {operator.eq: operator.ne, operator.ne: operator.eq, operator.lt: operator.ge,
             operator.gt: operator.le, operator.le: operator.gt, operator.ge: operator.lt}


def _scalar_value(x):
    if isinstance(x, lnp.ndarray):
        return x.__array__()[()]
    return x.item() if isinstance(x, _np.ndarray) else x


def _compressed(A):
    """``A`` as canonical CSR/CSC (CSC stays CSC, other formats become CSR)."""
    B = A if A.format in ("csr", "csc") else A.tocsr()
    if not B.has_canonical_format:
        B = B.copy()
        B.sum_duplicates()
    return B


def _on_stored(B, other, op):
    """``op(value, other)`` on the stored values of canonical ``B``, false dropped."""
    out = B._with_data(op(B.data, other), copy=True)
    out.eliminate_zeros()
    return out


def _complement(B):
    """The boolean array true exactly where ``B`` stores no true value."""
    return B._cls(B.format)(lnp.logical_not(B.toarray()))


def _warn(text: str) -> None:
    warnings.warn(text, SparseEfficiencyWarning, stacklevel=5)


def compare(A, other, op):
    """``op(A, other)`` for a sparse ``A`` and a scalar, dense or sparse ``other``."""
    from ._base import issparse

    if is_scalar(other):
        value = _scalar_value(other)
        B = _compressed(A)
        if not op(0, value):
            if isinstance(value, (float, complex, _np.floating, _np.complexfloating)) and _np.isnan(value):
                return A._cls(A.format)(A.shape, dtype=_np.bool_)
            return _on_stored(B, value, op)
        _warn(f"Comparing a sparse matrix with {value} using {_SYMBOL[op]} is inefficient. "
              f"Try using {_SYMBOL[_NEGATION[op]]} instead.")
        if isinstance(value, (float, complex, _np.floating, _np.complexfloating)) and _np.isnan(value):
            return A._cls(A.format)(lnp.ones(A.shape, dtype=_np.bool_))
        return _complement(_on_stored(B, value, _NEGATION[op]))
    if issparse(other):
        if other.shape != A.shape:
            if op in (operator.eq, operator.ne):
                return op is operator.ne
            raise ValueError("inconsistent shape")
        B = _compressed(A)
        C = _compressed(other.asformat(B.format))
        if not op(0, 0):
            return B._union(C, op)
        _warn(f"Comparing two sparse matrices using {_SYMBOL[op]} is inefficient. "
              f"Try using {_SYMBOL[_NEGATION[op]]} instead.")
        return _complement(B._union(C, _NEGATION[op]))
    if is_dense(other):
        return op(A.toarray(), as_legate(other))
    return NotImplemented


def divide(A, other):
    """``A / other`` with SciPy's result types (see the module docs)."""
    from ._base import issparse

    if is_scalar(other):
        value = _scalar_value(other)
        if _np.can_cast(A.dtype, _np.float64):
            return A.astype(_np.float64, copy=False)._mul_scalar(1 / value)
        # Complex values: a Python scalar keeps their precision (NumPy's NEP 50).
        inverse = 1 / value
        dt = _np.result_type(A.dtype, inverse)
        return A._with_data((A.data.astype(dt, copy=False) * inverse).astype(dt, copy=False), copy=True)
    if issparse(other):
        if other.shape != A.shape:
            raise ValueError(f"inconsistent shapes {A.shape} and {other.shape}")
        dt = _np.result_type(_np.float64 if _np.can_cast(A.dtype, _np.float64) else A.dtype, other.dtype)
        return _quiet_divide(A.toarray().astype(dt), other.toarray().astype(dt))
    if is_dense(other):
        dense = as_legate(other)
        if dense.ndim > 2 and A.ndim <= 2:
            return lnp.divide(A.toarray(), dense)
        one = lnp.ones((), _np.result_type(dense.dtype, _np.float64) if dense.dtype.kind in "biu" else dense.dtype)
        return A.multiply(_quiet_divide(one, dense))
    return NotImplemented


def _quiet_divide(num, den):
    """``num / den`` without floating-point warnings, as SciPy's kernels give it: at
    ``den == 0`` a real quotient is ``±inf`` (``nan`` for ``0/0``), a complex one
    ``nan+nanj``. (Division by a zero-free denominator instead of ``errstate``:
    legate_numeric reports deferred FP errors when the result is read, outside any
    ``errstate`` block.)"""
    zero = den == 0
    q = num / lnp.where(zero, lnp.ones((), den.dtype), den)
    dt = q.dtype
    if dt.kind == "c":
        special = lnp.full((), complex(_np.nan, _np.nan), dt)
    else:
        special = lnp.where(num > 0, _np.inf, lnp.where(num < 0, -_np.inf, _np.nan)).astype(dt)
    return lnp.where(zero, special, q)
    return NotImplemented
