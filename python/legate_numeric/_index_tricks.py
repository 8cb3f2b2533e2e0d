"""Indexing routines beyond ``_index`` (NumPy's "Indexing routines"): ``ix_
unravel_index ravel_multi_index diag_indices diag_indices_from tril_indices_from
triu_indices_from mask_indices put_along_axis extract apply_along_axis apply_over_axes
piecewise``.

Index arithmetic runs as native ufuncs on index arrays; the ``apply_*`` functions call
the user's function on legate views (so what it does runs natively too).
"""

from __future__ import annotations

import numbers
import operator

import numpy as _np

from . import _fallback
from ._array import _normalize_axis, ndarray
from ._creation import arange, asarray


# ---- building index arrays ----


def ix_(*args):
    """Open-mesh index arrays: the i-th sequence shaped to run along axis i (boolean
    sequences become the indices of their true entries)."""
    from ._index import nonzero

    _fallback.record_native("ix_")
    out = []
    nd = len(args)
    for k, seq in enumerate(args):
        a = asarray(seq)
        if a.size == 0 and not isinstance(seq, (ndarray, _np.ndarray)):
            a = a.astype(_np.intp)
        if a.ndim != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if a.dtype == _np.bool_:
            a = nonzero(a)[0]
        out.append(a.reshape((1,) * k + (a.size,) + (1,) * (nd - k - 1)))
    return tuple(out)


def _check_int_indices(a: ndarray) -> None:
    if a.dtype.kind not in "biu" or a.dtype == _np.bool_:
        raise TypeError("only int indices permitted")


def _dims(shape) -> tuple:
    dims = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    dims = tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in dims):
        raise ValueError("dimensions must be non-negative")
    return dims


def unravel_index(indices, shape, order="C"):
    """The coordinates in an array of ``shape`` of the flat ``indices``."""
    from ._ufunc import floor_divide, remainder

    dims = _dims(shape)
    from ._array import _order

    order = _order(order, "C", "CF")
    size = 1
    for d in dims:
        size *= d
    if not isinstance(indices, ndarray) and _np.ndim(indices) == 0 and not isinstance(indices, _np.ndarray):
        # A Python or NumPy integer: NumPy's answer, scalars (no array involved).
        return _np.unravel_index(indices, dims, order=order)
    idx = asarray(indices)
    _check_int_indices(idx)
    _fallback.record_native("unravel_index")
    idx = idx.astype(_np.intp)
    if idx.size and bool(((idx < 0) | (idx >= size)).any()):
        bad = idx.reshape(-1)[int(((idx < 0) | (idx >= size)).reshape(-1).argmax())]
        raise ValueError(f"index {int(bad)} is out of bounds for array with size {size}")
    coords = [None] * len(dims)
    axes = range(len(dims) - 1, -1, -1) if order == "C" else range(len(dims))
    rest = idx
    for d in axes:
        coords[d] = remainder(rest, dims[d]) if dims[d] else rest
        rest = floor_divide(rest, dims[d]) if dims[d] else rest
    return tuple(coords)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """The flat indices of coordinates ``multi_index`` in an array of shape ``dims``
    (``mode`` per axis: 'raise', 'wrap' or 'clip')."""
    from ._manip import broadcast_arrays
    from ._ufunc import clip, remainder

    dims = _dims(dims)
    if order not in ("C", "F"):
        raise ValueError("only 'C' or 'F' order is permitted")
    coords = [asarray(c) for c in multi_index]
    if len(coords) != len(dims):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}")
    for c in coords:
        _check_int_indices(c)
    modes = (mode,) * len(dims) if isinstance(mode, str) else tuple(mode)
    if len(modes) != len(dims):
        raise ValueError(f"mode must be a string or a sequence of length {len(dims)}")
    for m in modes:
        if m not in ("raise", "wrap", "clip"):
            raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got '{m}')")
    _fallback.record_native("ravel_multi_index")
    coords = list(broadcast_arrays(*[c.astype(_np.intp) for c in coords])) if coords else []
    strides = [1] * len(dims)
    axes = range(len(dims) - 2, -1, -1) if order == "C" else range(1, len(dims))
    for d in axes:
        strides[d] = strides[d + 1] * dims[d + 1] if order == "C" else strides[d - 1] * dims[d - 1]
    total = None
    for c, n, m, s in zip(coords, dims, modes, strides):
        if m == "raise":
            if c.size and bool(((c < 0) | (c >= n)).any()):
                raise ValueError("invalid entry in coordinates array")
        elif m == "wrap":
            c = remainder(c, n) if n else c
        else:
            c = clip(c, 0, n - 1)
        term = c * s
        total = term if total is None else total + term
    if total is None:
        return _np.intp(0)
    total = total.astype(_np.intp, copy=False)
    return total[()] if total.ndim == 0 else total


def diag_indices(n, ndim=2):
    """The indices of the main diagonal of an ``n``-by-...-by-``n`` array."""
    _fallback.record_native("diag_indices")
    idx = arange(operator.index(n))
    return (idx,) * ndim


def diag_indices_from(arr):
    """``diag_indices`` for ``arr`` (at least 2-d, all sides equal)."""
    a = asarray(arr)
    if a.ndim < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(a.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(a.shape[0], a.ndim)


def tril_indices_from(arr, k=0):
    """``tril_indices`` for the shape of the 2-d ``arr``."""
    from ._creation import tril_indices

    a = asarray(arr)
    if a.ndim != 2:
        raise ValueError("input array must be 2-d")
    return tril_indices(a.shape[-2], k=k, m=a.shape[-1])


def triu_indices_from(arr, k=0):
    """``triu_indices`` for the shape of the 2-d ``arr``."""
    from ._creation import triu_indices

    a = asarray(arr)
    if a.ndim != 2:
        raise ValueError("input array must be 2-d")
    return triu_indices(a.shape[-2], k=k, m=a.shape[-1])


def mask_indices(n, mask_func, k=0):
    """The indices where ``mask_func(ones((n, n)), k)`` is not zero."""
    from ._creation import ones
    from ._index import nonzero

    _fallback.record_native("mask_indices")
    m = ones((n, n), int)
    return nonzero(asarray(mask_func(m, k)) != 0)


# ---- reading and writing through indices ----


def _along_axis_key(arr: ndarray, indices: ndarray, axis: int):
    """The fancy index that takes ``indices`` along ``axis`` (the other axes index
    themselves, broadcast against ``indices``)."""
    key = []
    for d in range(arr.ndim):
        if d == axis:
            key.append(indices)
        else:
            line = [1] * arr.ndim
            line[d] = arr.shape[d]
            key.append(arange(arr.shape[d]).reshape(line))
    return tuple(key)


def put_along_axis(arr, indices, values, axis):
    """``values`` written into ``arr`` at ``indices`` along ``axis``, in place."""
    if isinstance(arr, _np.ndarray):
        _np.put_along_axis(arr, _fallback.to_numpy(indices), _fallback.to_numpy(values), axis)
        return
    if not isinstance(arr, ndarray):
        raise TypeError(f"put_along_axis() argument 1 must be numpy.ndarray, not {type(arr).__name__}")
    idx = asarray(indices)
    if idx.dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    _fallback.record_native("put_along_axis")
    if axis is None:
        if idx.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        arr.flat[idx] = values
        return
    axis = _normalize_axis(axis, arr.ndim)
    if idx.ndim != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    arr[_along_axis_key(arr, idx, axis)] = values


def extract(condition, arr):
    """The elements of ``arr`` where ``condition`` (flattened) is not zero."""
    from ._index import nonzero, take
    from ._manip import ravel

    _fallback.record_native("extract")
    return take(ravel(asarray(arr)), nonzero(ravel(asarray(condition)))[0])


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """``func1d`` applied to each 1-d slice of ``arr`` along ``axis`` (each call gets a
    legate view; the results are assembled where ``axis`` was)."""
    from ._manip import moveaxis

    a = asarray(arr)
    nd = a.ndim
    axis = _normalize_axis(axis, nd)
    _fallback.record_native("apply_along_axis")
    moved = moveaxis(a, axis, -1)
    outer = moved.shape[:-1]
    if 0 in outer:
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    positions = iter(_np.ndindex(outer))
    first = next(positions)
    res = asarray(func1d(moved[first], *args, **kwargs))
    buff = ndarray(outer + res.shape, res.dtype)
    buff[first] = res
    for ind in positions:
        buff[ind] = asarray(func1d(moved[ind], *args, **kwargs))
    # The result's own axes go where ``axis`` was.
    dims = list(range(buff.ndim))
    order = dims[:axis] + dims[buff.ndim - res.ndim:] + dims[axis:buff.ndim - res.ndim]
    return buff.transpose(order)


def apply_over_axes(func, a, axes):
    """``func(a, axis)`` applied for each axis in turn, keeping the dimensions."""
    from ._manip import expand_dims

    val = asarray(a)
    n = val.ndim
    _fallback.record_native("apply_over_axes")
    if _np.ndim(axes) == 0:
        axes = (axes,)
    for axis in axes:
        axis = operator.index(axis)
        if axis < 0:
            axis += n
        res = asarray(func(val, axis))
        if res.ndim == val.ndim:
            val = res
        else:
            res = expand_dims(res, axis)
            if res.ndim != val.ndim:
                raise ValueError("function is not returning an array of the correct shape")
            val = res
    return val


def piecewise(x, condlist, funclist, *args, **kw):
    """``funclist[i](x[condlist[i]])`` (or a constant) where each condition holds; an
    extra function is the value where none holds."""
    from ._creation import zeros_like
    from ._manip import concatenate, stack
    from ._reduce import any as _any
    from ._ufunc import logical_not

    x = asarray(x)
    n_funcs = len(funclist)
    single = _np.isscalar(condlist) or isinstance(condlist, (bool, _np.bool_))
    if not single and x.ndim != 0:
        first = condlist[0] if len(condlist) else None
        single = not isinstance(first, (list, _np.ndarray, ndarray))
    if single or (isinstance(condlist, ndarray) and condlist.ndim == x.ndim and x.ndim == 0):
        condlist = [condlist]
    _fallback.record_native("piecewise")
    conds = [asarray(c).astype(bool, copy=False) for c in condlist]
    conds = stack(conds) if conds else ndarray((0,) + x.shape, _np.dtype(bool))
    n = conds.shape[0]
    if n == n_funcs - 1:
        otherwise = logical_not(_any(conds, axis=0, keepdims=True))
        conds = concatenate([conds, otherwise], axis=0)
        n += 1
    elif n != n_funcs:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are expected")
    y = zeros_like(x)
    for i, func in enumerate(funclist):
        cond = conds[i]
        if not callable(func):
            y[cond] = func
        else:
            vals = x[cond]
            if vals.size > 0:
                y[cond] = func(vals, *args, **kw)
    return y


# ---- iterating over indices ----

ndindex = _np.ndindex  # shapes only: NumPy's iterator of index tuples


def broadcast_shapes(*args):
    """The shape that arrays of the given shapes broadcast to."""
    return _np.broadcast_shapes(*args)


class ndenumerate:
    """Pairs of (index tuple, value) in C order, the values read from the array."""

    def __init__(self, arr):
        self._a = asarray(arr)
        self._positions = iter(_np.ndindex(self._a.shape))

    def __iter__(self):
        return self

    def __next__(self):
        index = next(self._positions)
        return index, self._a[index]
