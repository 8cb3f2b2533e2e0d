"""Sorting: ``sort``, ``argsort`` and ``unique``, natively.

A sort runs along one axis; each point task owns whole lines (NumPy's order: NaNs
last, complex numbers lexicographically). Sorting is stable, so ``argsort`` gives
NumPy's ``kind="stable"`` positions whatever ``kind`` asks for (for the other kinds
NumPy leaves the order of ties unspecified).
"""

from __future__ import annotations

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _empty, _normalize_axis, ndarray

_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def _asarray(a) -> ndarray:
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(a))


def _prepare(name, a, axis, kind, order):
    """The array and axis to sort (flattened for ``axis=None``), or None to fall back."""
    if kind not in _KINDS:
        raise ValueError(f"sort kind must be one of 'quick', 'heap', or 'stable' (got {kind!r})")
    if order is not None or a.dtype.kind not in "biufc" or a.dtype == _np.float16:
        return None
    if axis is None:
        return a.reshape(-1), 0
    if a.ndim == 0:
        raise _np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension 0")
    return a, _normalize_axis(axis, a.ndim)


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """A sorted copy of ``a`` along ``axis`` (flattened for ``axis=None``)."""
    a = _asarray(a)
    prepared = _prepare("sort", a, axis, kind, order)
    if prepared is None:
        return _fallback.call("sort", _np.sort, (a,), dict(axis=axis, kind=kind, order=order))
    _fallback.record_native("sort")
    src, ax = prepared
    out = _empty(src.shape, src.dtype)
    _ext.sort(src._store, out._store, ax, False)
    return out


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """The int64 positions that sort ``a`` along ``axis`` (stably)."""
    a = _asarray(a)
    prepared = _prepare("argsort", a, axis, kind, order)
    if prepared is None:
        return _fallback.call("argsort", _np.argsort, (a,), dict(axis=axis, kind=kind, order=order))
    _fallback.record_native("argsort")
    src, ax = prepared
    out = _empty(src.shape, _np.dtype(_np.int64))
    _ext.sort(src._store, out._store, ax, True)
    return out


def sort_in_place(a, axis=-1, kind=None, order=None):
    """``ndarray.sort``: sorts ``a`` itself along ``axis``."""
    if axis is None:
        raise TypeError("'NoneType' object cannot be interpreted as an integer")
    a[...] = sort(a, axis, kind, order)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True):
    """The sorted distinct values of the flattened array (NaNs collapse into one with
    ``equal_nan``), with NumPy's optional first positions, inverse and counts: a stable
    argsort, a comparison of neighbours and a compress."""
    from ._creation import arange
    from ._index import nonzero
    from ._scan import cumsum
    from ._ufunc import isnan, not_equal

    a = _asarray(ar)
    if axis is not None or a.dtype.kind not in "biuf" or a.dtype == _np.float16:
        return _fallback.call("unique", _np.unique, (a,), dict(return_index=return_index, return_inverse=return_inverse,
                                                               return_counts=return_counts, axis=axis, equal_nan=equal_nan))
    _fallback.record_native("unique")
    flat = a.reshape(-1)
    n = flat.size
    perm = argsort(flat)
    ordered = flat[perm]
    first = _empty((n,), _np.dtype(_np.bool_))
    if n:
        first[:1] = True
        not_equal(ordered[1:], ordered[:-1], out=first[1:])
        if equal_nan and a.dtype.kind == "f":
            nan = isnan(ordered)
            first[1:] &= ~(nan[1:] & nan[:-1])
    starts = nonzero(first)[0]
    result = [ordered[starts]]
    if return_index:
        result.append(perm[starts])
    if return_inverse:
        inverse = _empty((n,), _np.dtype(_np.int64))
        if n:
            inverse[perm] = cumsum(first) - 1
        result.append(inverse.reshape(a.shape))
    if return_counts:
        ends = _empty((starts.size,), _np.dtype(_np.int64))
        if starts.size:
            ends[:-1] = starts[1:]
            ends[-1:] = n
        result.append(ends - starts if starts.size else arange(0))
    return result[0] if len(result) == 1 else tuple(result)
