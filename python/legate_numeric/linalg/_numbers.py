"""NumPy's "Norms and other numbers" beyond ``norm``: ``slogdet`` and ``det`` (the
batched LU task; ``det`` is ``sign * exp(logabsdet)``, as NumPy computes it),
``matrix_rank`` and ``cond`` (composed from the SVD, ``inv`` and ``norm``)."""

from __future__ import annotations

import numpy as _np

from .. import _fallback
from ._common import SlogdetResult, as_array, assert_stacked_square, cast, common_type, empty, real_of, run_native


def _slogdet_native(x, compute):
    from legate import _legate as _ext

    sign = empty(x.shape[:-2], compute)
    logdet = empty(x.shape[:-2], _np.float64)
    run_native(_ext.slogdet, x._store, sign._store, logdet._store)
    return sign, logdet


def slogdet(a):
    """The sign (a unit complex number for complex input; 0 when singular) and the
    natural log of the absolute value of the determinant of each square matrix in the
    last two axes: ``SlogdetResult(sign, logabsdet)``."""
    x = as_array(a)
    assert_stacked_square(x)
    types = common_type(x)
    if types is None:
        return _fallback.call("linalg.slogdet", _np.linalg.slogdet, (a,), {})
    _fallback.record_native("linalg.slogdet")
    compute, result = types
    sign, logdet = _slogdet_native(cast(x, compute), compute)
    return SlogdetResult(cast(sign, result), cast(logdet, real_of(result)))


def det(a):
    """The determinant of each square matrix in the last two axes."""
    from .._ufunc import exp, multiply

    x = as_array(a)
    assert_stacked_square(x)
    types = common_type(x)
    if types is None:
        return _fallback.call("linalg.det", _np.linalg.det, (a,), {})
    _fallback.record_native("linalg.det")
    compute, result = types
    sign, logdet = _slogdet_native(cast(x, compute), compute)
    with _np.errstate(all="ignore"):
        value = multiply(sign, exp(logdet))
    return cast(value, result)


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """The number of singular values of each matrix above ``tol`` (by default
    ``S.max() * rtol``, with ``rtol = max(M, N) * eps``); for fewer than 2 dimensions,
    1 unless all elements are zero."""
    from .._creation import asarray
    from .._reduce import all as _all, count_nonzero, max as _max
    from ._decompositions import svd

    if rtol is not None and tol is not None:
        raise ValueError("`tol` and `rtol` can't be both set.")
    x = as_array(A)
    if x.ndim < 2:
        return int(not bool(_all(x == 0)))
    _fallback.record_native("linalg.matrix_rank")
    s = svd(x, compute_uv=False, hermitian=hermitian)
    if s.shape[-1] == 0:
        return count_nonzero(s > 0, axis=-1)
    if tol is None:
        if rtol is None:
            rtol = max(x.shape[-2:]) * _np.finfo(s.dtype).eps
        else:
            rtol = asarray(rtol)[..., None]
        tol = _max(s, axis=-1, keepdims=True) * rtol
    else:
        tol = asarray(tol)[..., None]
    return count_nonzero(s > tol, axis=-1)


def _inv_or_nan(x):
    """``inv`` of each matrix, NaN-filled where one is singular (NumPy's ``cond``
    inverts with errors ignored)."""
    from . import LinAlgError, inv

    try:
        return inv(x)
    except LinAlgError:
        pass
    out = empty(x.shape, x.dtype)
    for idx in _np.ndindex(*x.shape[:-2]):
        try:
            out[idx] = inv(x[idx])
        except LinAlgError:
            out[idx] = _np.nan
    return out


def cond(x, p=None):
    """The condition number of each matrix in the last two axes in the norm ``p``
    (``None``, 2, -2: from the singular values; 1, -1, inf, -inf, 'fro', 'nuc':
    ``norm(x) * norm(inv(x))``, square matrices only). Infinite for singular matrices
    (NaN only where the matrix has NaNs)."""
    from .._reduce import any as _any
    from .._manip import where
    from .._ufunc import isnan
    from . import LinAlgError, norm
    from ._decompositions import svd

    a = as_array(x)
    if a.size == 0 and (a.ndim < 2 or a.shape[-1] * a.shape[-2] == 0):
        raise LinAlgError("cond is not defined on empty arrays")
    types = common_type(a)
    if types is None:
        return _fallback.call("linalg.cond", _np.linalg.cond, (x,), dict(p=p))
    _fallback.record_native("linalg.cond")
    with _np.errstate(all="ignore"):
        if p is None or p in (2, -2):
            s = svd(a, compute_uv=False)
            r = s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
        else:
            assert_stacked_square(a)
            compute, result = types
            xc = cast(a, compute)
            r = norm(xc, p, axis=(-2, -1)) * norm(_inv_or_nan(xc), p, axis=(-2, -1))
            r = cast(r, real_of(result))
        # NaN where inversion failed (a singular matrix) is infinity, unless the
        # matrix itself has NaNs.
        nan = isnan(r) & ~_any(isnan(a), axis=(-2, -1))
        if bool(_any(nan)):
            r = where(nan, _np.inf, r).astype(r.dtype)
    return r
