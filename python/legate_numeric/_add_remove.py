"""Adding and removing elements (NumPy's "Adding and removing elements"): ``append
insert delete resize trim_zeros``.

Each is a composition of native copies: a boolean mask of the positions to keep or to
fill (built with a native scatter), then ``compress`` or masked assignment.
"""

from __future__ import annotations

import numbers
import operator

import numpy as _np

from . import _fallback
from ._array import _normalize_axis, ndarray
from ._manip import _along, _asarray, concatenate, moveaxis, ravel, reshape


def append(arr, values, axis=None):
    """``values`` appended to ``arr`` (both flattened when ``axis`` is None)."""
    _fallback.record_native("append")
    arr = _asarray(arr)
    values = _asarray(values)
    if axis is None:
        if arr.ndim != 1:
            arr = ravel(arr)
        values = ravel(values)
        axis = arr.ndim - 1
    return concatenate((arr, values), axis=axis)


def _axis_and_array(arr, axis):
    a = _asarray(arr)
    if axis is None:
        if a.ndim != 1:
            a = ravel(a)
        return a, 0
    return a, _normalize_axis(axis, a.ndim)


def _int_indices(obj) -> ndarray:
    """``obj`` (a sequence or array of indices) as a legate array; an empty Python
    sequence counts as integers, as in NumPy."""
    idx = _asarray(obj)
    if idx.size == 0 and not isinstance(obj, (ndarray, _np.ndarray)):
        idx = idx.astype(_np.intp)
    return idx


def _check_bounds(idx: ndarray, n: int, axis: int, upper: int) -> None:
    """IndexError for indices outside ``[-n, upper)`` (NumPy's message names the first)."""
    from ._index import flatnonzero
    from ._ufunc import greater_equal, less, logical_or

    if idx.size == 0:
        return
    bad = logical_or(less(idx, -n), greater_equal(idx, upper))
    if bool(bad.any()):
        first = int(idx.reshape(-1)[int(flatnonzero(bad)[0])])
        raise IndexError(f"index {first} is out of bounds for axis {axis} with size {n}")


def delete(arr, obj, axis=None):
    """``arr`` without the sub-arrays ``obj`` (an index, a slice, indices or a boolean
    mask) along ``axis`` (of the flattened array when ``axis`` is None)."""
    from ._creation import ones
    from ._index import compress

    a, axis = _axis_and_array(arr, axis)
    n = a.shape[axis]
    _fallback.record_native("delete")
    keep = ones((n,), bool)
    if isinstance(obj, slice):
        keep[obj] = False
        return compress(keep, a, axis=axis)
    if isinstance(obj, (bool, _np.bool_)):
        obj = int(obj)
    if isinstance(obj, numbers.Integral):
        i = operator.index(obj)
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
        keep[i] = False
        return compress(keep, a, axis=axis)
    idx = _int_indices(obj)
    if idx.dtype == _np.bool_:
        if idx.shape != (n,):
            raise ValueError(f"boolean array argument obj to delete must be one dimensional and match the axis length of {n}")
        from ._ufunc import logical_not

        return compress(logical_not(idx), a, axis=axis)
    if idx.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    _check_bounds(idx, n, axis, n)
    if idx.size:
        keep[idx.reshape(-1)] = False
    return compress(keep, a, axis=axis)


def insert(arr, obj, values, axis=None):
    """``values`` inserted before the indices ``obj`` along ``axis`` (of the flattened
    array when ``axis`` is None)."""
    from ._creation import arange, array, ones
    from ._sort import argsort

    a, axis = _axis_and_array(arr, axis)
    n = a.shape[axis]
    if isinstance(obj, slice):
        idx = arange(*obj.indices(n), dtype=_np.intp)
    else:
        idx = _int_indices(obj)
        if idx.dtype == _np.bool_:
            idx = idx.astype(_np.intp)
        elif idx.ndim > 1:
            raise ValueError("index array argument obj to insert must be one dimensional or scalar")
        if idx.dtype.kind not in "iu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
    _fallback.record_native("insert")
    vals = array(values, dtype=a.dtype, ndmin=a.ndim, copy=None)
    if idx.size == 1:
        # One position: ``values`` fill a block there (a scalar obj inserts ``values``
        # as one sub-array, so its first axis moves to ``axis``).
        i = int(idx.reshape(-1)[0])
        if not -n <= i <= n:
            raise IndexError(f"index {obj} is out of bounds for axis {axis} with size {n}")
        i = i + n if i < 0 else i
        if idx.ndim == 0:
            vals = moveaxis(vals, 0, axis)
        k = vals.shape[axis]
        shape = list(a.shape)
        shape[axis] += k
        out = ndarray(tuple(shape), a.dtype)
        out[_along(a.ndim, axis, slice(None, i))] = a[_along(a.ndim, axis, slice(None, i))]
        out[_along(a.ndim, axis, slice(i, i + k))] = vals
        out[_along(a.ndim, axis, slice(i + k, None))] = a[_along(a.ndim, axis, slice(i, None))]
        return out
    _check_bounds(idx, n, axis, n + 1)
    idx = idx.astype(_np.int64)
    from ._manip import where

    idx = where(idx < 0, idx + n, idx)
    k = idx.shape[0]
    # Each new element lands at its index plus the number of new elements before it
    # (in a stable order of the indices).
    order = argsort(idx, kind="stable")
    shifted = ndarray((k,), _np.int64)
    if k:
        shifted[order] = idx[order] + arange(k)
    shape = list(a.shape)
    shape[axis] += k
    out = ndarray(tuple(shape), a.dtype)
    old = ones((shape[axis],), bool)
    if k:
        old[shifted] = False
        out[_along(a.ndim, axis, shifted)] = vals
    from ._index import flatnonzero

    out[_along(a.ndim, axis, flatnonzero(old))] = a
    return out


def resize(a, new_shape):
    """An array of ``new_shape`` filled with ``a``'s elements repeated in order."""
    from ._creation import zeros
    from ._manip import tile

    _fallback.record_native("resize")
    a = ravel(_asarray(a))
    shape = (new_shape,) if isinstance(new_shape, numbers.Integral) else tuple(new_shape)
    shape = tuple(operator.index(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    total = 1
    for s in shape:
        total *= s
    if a.size == 0 or total == 0:
        return zeros(shape, a.dtype)
    copies = -(-total // a.size)
    return reshape(tile(a, copies)[:total], shape)


def trim_zeros(filt, trim="fb", axis=None):
    """``filt`` without its leading (``'f'``) and/or trailing (``'b'``) zeros, along
    ``axis`` (all axes by default): a view of the bounding box of the non-zeros."""
    from ._index import argwhere
    from ._reduce import max as _max, min as _min

    trim = trim.lower()
    if trim not in {"fb", "bf", "f", "b"}:
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    a = filt if isinstance(filt, ndarray) else _asarray(filt)
    _fallback.record_native("trim_zeros")
    if axis is None:
        axes = tuple(range(a.ndim))
    else:
        axes = tuple(_normalize_axis(x, a.ndim) for x in (axis if isinstance(axis, (tuple, list)) else (axis,)))
        if len(set(axes)) != len(axes):
            raise ValueError("repeated axis in `axis` argument")
    if not axes:
        return filt
    where_nz = argwhere(a)
    if where_nz.shape[0] == 0:
        start = stop = [0] * a.ndim
    else:
        start = [int(v) for v in _min(where_nz, axis=0).tolist()]
        stop = [int(v) + 1 for v in _max(where_nz, axis=0).tolist()]
        if "f" not in trim:
            start = [None] * a.ndim
        if "b" not in trim:
            stop = [None] * a.ndim
    key = tuple(slice(start[d], stop[d]) if d in axes else slice(None) for d in range(a.ndim))
    if len(key) == 1:
        return filt[key[0]]  # a list or tuple stays one, as in NumPy
    return a[key]
