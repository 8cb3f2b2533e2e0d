"""Type helpers and predicates (NumPy's "Data type routines" and "Logic functions":
array type testing): ``isscalar iscomplex iscomplexobj isreal isrealobj isposinf
isneginf isfortran isdtype issubdtype can_cast promote_types result_type
min_scalar_type common_type may_share_memory shares_memory iterable``.

The dtype-level helpers ask NumPy about dtypes only: a legate array is replaced by its
dtype (or by an empty NumPy stand-in of that dtype), so no values travel. The
elementwise predicates are compositions of native ufuncs.
"""

from __future__ import annotations

import numpy as _np

from . import _fallback
from ._array import ndarray


def _stand_in(x):
    """``x``, with a legate array replaced by an empty NumPy array of its dtype (for
    helpers that look at the dtype only)."""
    return _np.empty((0,), x.dtype) if isinstance(x, ndarray) else x


def _dtype_of(x):
    """A legate array's dtype; anything else unchanged (NumPy reads dtypes of arrays)."""
    return x.dtype if isinstance(x, ndarray) else x


def _asarray(x) -> ndarray:
    from ._creation import asarray

    return asarray(x)


def isscalar(element) -> bool:
    """Whether ``element`` is a scalar (a legate array, even 0-d, is not)."""
    return _np.isscalar(element)


def iterable(y) -> bool:
    """Whether ``iter(y)`` works (a 0-d array is not iterable)."""
    if isinstance(y, ndarray):
        return y.ndim > 0
    return _np.iterable(y)


def iscomplexobj(x) -> bool:
    """Whether ``x`` has a complex type (its dtype, not its values)."""
    dt = getattr(x, "dtype", None)
    if not isinstance(dt, _np.dtype):
        dt = _np.asarray(_fallback.to_numpy(x)).dtype
    return issubclass(dt.type, _np.complexfloating)


def isrealobj(x) -> bool:
    """Whether ``x`` has a non-complex type."""
    return not iscomplexobj(x)


def _scalar_if_0d(result: ndarray):
    """NumPy's ``res[()]``: a 0-d result becomes a NumPy scalar."""
    return result[()] if result.ndim == 0 else result


def iscomplex(x):
    """Elementwise: whether the imaginary part is not zero (False for real types)."""
    from ._creation import zeros
    from ._ufunc import not_equal

    _fallback.record_native("iscomplex")
    a = _asarray(x)
    if a.dtype.kind == "c":
        return _scalar_if_0d(not_equal(a.imag, 0))
    return _scalar_if_0d(zeros(a.shape, bool))


def isreal(x):
    """Elementwise: whether the imaginary part is zero (True for real types)."""
    from ._ufunc import equal

    _fallback.record_native("isreal")
    a = _asarray(x)
    if a.dtype.kind == "c":
        return equal(a.imag, 0)
    from ._creation import ones

    return ones(a.shape, bool)


def _signed_inf(x, out, negative: bool):
    from ._ufunc import isinf, logical_and, logical_not, signbit

    a = _asarray(x)
    if a.dtype.kind == "c":
        raise TypeError("This operation is not supported for complex values because it would be ambiguous.")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"ufunc 'isinf' not supported for the input types (dtype {a.dtype})")
    sign = signbit(a) if negative else logical_not(signbit(a))
    return logical_and(isinf(a), sign, out=out) if out is not None else logical_and(isinf(a), sign)


def isposinf(x, out=None):
    """Elementwise: whether the value is positive infinity."""
    _fallback.record_native("isposinf")
    return _signed_inf(x, out, False)


def isneginf(x, out=None):
    """Elementwise: whether the value is negative infinity."""
    _fallback.record_native("isneginf")
    return _signed_inf(x, out, True)


def isfortran(a) -> bool:
    """Whether ``a`` is Fortran-contiguous and not also C-contiguous."""
    if not isinstance(a, ndarray):
        return _np.isfortran(a)
    flags = a.flags
    return bool(flags.f_contiguous and not flags.c_contiguous)


def isdtype(dtype, kind) -> bool:
    """Whether ``dtype`` is of the kind(s) ``kind`` (array API)."""
    return _np.isdtype(dtype, kind)


def issubdtype(arg1, arg2) -> bool:
    """Whether ``arg1`` is lower than or equal to ``arg2`` in NumPy's type hierarchy."""
    return _np.issubdtype(arg1, arg2)


def can_cast(from_, to, casting="safe") -> bool:
    """Whether a cast from ``from_`` (a dtype or an array's dtype) to ``to`` can
    happen under ``casting``."""
    return _np.can_cast(_dtype_of(from_), to, casting)


def promote_types(type1, type2) -> _np.dtype:
    """The smallest dtype both types cast to safely."""
    return _np.promote_types(type1, type2)


def result_type(*arrays_and_dtypes) -> _np.dtype:
    """NumPy's type promotion over arrays (their dtypes), dtypes and Python scalars."""
    return _np.result_type(*[_dtype_of(x) for x in arrays_and_dtypes])


def min_scalar_type(a) -> _np.dtype:
    """The smallest dtype holding ``a``'s value (for a scalar or 0-d array) or its
    dtype (for a larger array)."""
    if isinstance(a, ndarray):
        if a.ndim == 0:
            return _np.min_scalar_type(a.dtype.type(a.item()))
        return _np.min_scalar_type(_np.empty((0,), a.dtype))
    return _np.min_scalar_type(a)


def common_type(*arrays):
    """The inexact scalar type common to the arrays (float64 for integer arrays)."""
    return _np.common_type(*[_stand_in(_asarray(a) if not hasattr(a, "dtype") else a) for a in arrays])


def _memory_operand(x):
    """A legate array, or None when ``x`` has no memory in a store (NumPy arrays and
    lists cannot share a store's memory)."""
    return x if isinstance(x, ndarray) else None


def shares_memory(a, b, max_work=None) -> bool:
    """Whether the two arrays have an element in common (exactly, by the elements of
    the store each view reaches; the real and imaginary views of one complex array
    count as sharing, where NumPy's byte-level answer is False)."""
    la, lb = _memory_operand(a), _memory_operand(b)
    if la is None and lb is None:
        return _np.shares_memory(a, b, max_work=max_work)
    if la is None or lb is None or la.size == 0 or lb.size == 0:
        return False
    if la._store.overlaps(lb._store):
        return True
    # ``overlaps`` leaves out identical views (harmless for elementwise writes): ask
    # again about one element of ``b`` as a differently shaped view.
    first = lb._store
    for _ in range(first.ndim):
        first = first.project(0, 0)
    return bool(la._store.overlaps(first.promote(0, 1)))


def may_share_memory(a, b, max_work=None) -> bool:
    """Whether the two arrays might share memory. For legate arrays the answer is the
    exact one (``shares_memory``): NumPy's default only compares address bounds, so it
    may say True for interleaved views that share no element; both are within the
    contract of "might"."""
    la, lb = _memory_operand(a), _memory_operand(b)
    if la is None and lb is None:
        return _np.may_share_memory(a, b, max_work=max_work)
    return shares_memory(a, b)
