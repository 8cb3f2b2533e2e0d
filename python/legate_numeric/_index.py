"""Advanced indexing: integer-array and boolean-mask ``__getitem__``/``__setitem__``,
``nonzero argwhere flatnonzero where(cond) take put diagonal fill_diagonal``.

Python only normalizes the index (NumPy's rules for where the indexed dimensions go,
broadcasting of the index arrays, bounds); the work runs as tasks of the runtime:

* ``nonzero`` is one task whose points each write the coordinates of their row
  block's nonzero elements into an unbound store (pieces are concatenated in row-major
  order, so the result is exactly NumPy's).
* ``a[idx]`` builds a store of ``int64[n]`` points (one task: index arrays, broadcast
  as views, plus result coordinates for the dimensions indexed by slices) and runs the
  runtime's gather copy; ``a[mask]`` gathers at the points ``nonzero`` writes.
* ``a[idx] = v`` scatters ``v`` (broadcast to the selection) through the same points.
  Repeated indices: the scatter runs as one task walking the selection in row-major
  order, so the last value wins (what NumPy does in practice, and what this module
  guarantees). The right-hand side is read completely before anything is written
  (``a[i] = a[j]``, ``a[i] = a[::-1]``). ``a[mask] = scalar`` with a mask of ``a``'s
  shape is an elementwise ``where`` (fully parallel).
* Bounds: index arrays from the host (lists, NumPy arrays) are checked and wrapped on
  the host; legate index arrays are checked by the points task, which then runs before
  the indexing call returns, so a bad index raises ``IndexError`` at the call, as in
  NumPy.

``diagonal`` returns a copy (NumPy returns a read-only view; nothing can write through
either, but later writes to the base are not seen by the copy).
"""

from __future__ import annotations

import builtins

import numbers
import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _assign, _check_index_ndim, _dtype_name, _empty, _normalize_axis, ndarray

_INT64 = _np.dtype(_np.int64)
_BAD_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer "
    "or boolean arrays are valid indices"
)
_NOT_INTEGER = "arrays used as indices must be of integer (or boolean) type"
_MAX_DIM = _ext.LEGATE_MAX_DIM


class _Unsupported(Exception):
    """An index this module does not run natively (it falls back to NumPy)."""


def _asarray(a):
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(_fallback.to_numpy(a)))


# ---------------------------------------------------------------- the index key


def _classify(k):
    """(kind, value): kind is none, ellipsis, slice, int, bool, iarr or barr."""
    if k is None:
        return "none", None
    if k is Ellipsis:
        return "ellipsis", None
    if isinstance(k, slice):
        return "slice", k
    if isinstance(k, (bool, _np.bool_)):
        return "bool", bool(k)
    if isinstance(k, ndarray):
        kind = k.dtype.kind
        if kind == "b":
            return ("bool", bool(k)) if k.ndim == 0 else ("barr", k)
        if kind in "iu":
            return ("int", int(k)) if k.ndim == 0 else ("iarr", k)
        raise IndexError(_NOT_INTEGER)
    if isinstance(k, (list, tuple, _np.ndarray)):
        arr = _np.asarray(_fallback.to_numpy(k))
        if arr.dtype.kind == "b":
            return ("bool", bool(arr)) if arr.ndim == 0 else ("barr", arr)
        if arr.dtype.kind in "iu":
            return ("int", int(arr)) if arr.ndim == 0 else ("iarr", arr)
        if not isinstance(k, _np.ndarray) and arr.size == 0:
            return "iarr", arr.astype(_INT64)  # [] is an empty integer index
        raise IndexError(_NOT_INTEGER if isinstance(k, _np.ndarray) else _BAD_INDEX)
    try:
        return "int", operator.index(k)
    except TypeError:
        raise IndexError(_BAD_INDEX) from None


def _slice_view(store, dim, k):
    step = 1 if k.step is None else operator.index(k.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    start = None if k.start is None else operator.index(k.start)
    stop = None if k.stop is None else operator.index(k.stop)
    return store.slice(dim, start, stop, step)


class _Index:
    """A normalized advanced index of an array.

    ``view`` is the array with every basic index applied (slices, integers, newaxis);
    ``advs`` lists ``(view_dim, index, trusted)``: a host (NumPy) int64 array already
    wrapped and checked, or a legate array (``trusted`` when its values are known to be
    in range, e.g. from ``nonzero``). ``out_shape`` is NumPy's result shape and
    ``out_pos[d]`` the result dimension of each view dimension not indexed by an array.
    """

    __slots__ = ("view", "advs", "b_shape", "b_start", "out_shape", "out_pos")


def _parse(a, key, check_bounds=True):
    """The :class:`_Index` of ``key``, or a tuple of basic indices when ``key`` (with 0-d
    index arrays turned into integers) has no advanced index."""
    if not isinstance(key, tuple):
        key = (key,)
    items = [_classify(k) for k in key]
    if sum(1 for kind, _ in items if kind == "ellipsis") > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(v.ndim if kind == "barr" else 1 for kind, v in items if kind in ("int", "slice", "iarr", "barr"))
    if consumed > a.ndim:
        raise IndexError(
            f"too many indices for array: array is {a.ndim}-dimensional, but {consumed} were indexed"
        )
    n_int = sum(1 for kind, _ in items if kind == "int")
    _check_index_ndim(a.ndim - n_int + sum(1 for kind, _ in items if kind in ("none", "bool")))
    if not any(kind in ("bool", "iarr", "barr") for kind, _ in items):
        return tuple(Ellipsis if kind == "ellipsis" else v for kind, v in items)

    store = a._store
    dim = 0
    advs = []
    positions = []
    for pos, (kind, v) in enumerate(items):
        if kind == "none":
            store = store.promote(dim, 1)
            dim += 1
        elif kind == "ellipsis":
            dim += a.ndim - consumed
        elif kind == "slice":
            store = _slice_view(store, dim, v)
            dim += 1
        elif kind == "int":
            n = store.shape[dim]
            if not -n <= v < n:
                raise IndexError(f"index {v} is out of bounds for axis {dim} with size {n}")
            store = store.project(dim, v + n if v < 0 else v)
            positions.append(pos)
        elif kind == "bool":
            # A 0-d boolean: a new axis indexed by [0] (True) or [] (False).
            store = store.promote(dim, 1)
            advs.append((dim, _np.zeros(1 if v else 0, _INT64), True))
            positions.append(pos)
            dim += 1
        elif kind == "iarr":
            advs.append((dim, v, False))
            positions.append(pos)
            dim += 1
        else:  # barr
            shape = store.shape
            for i, m in enumerate(v.shape):
                if m and shape[dim + i] != m:  # NumPy checks no boolean axis of length 0
                    raise IndexError(
                        f"boolean index did not match indexed array along axis {dim + i}; size of axis is "
                        f"{shape[dim + i]} but size of corresponding boolean axis is {m}"
                    )
            if isinstance(v, ndarray):
                coords = _ext.nonzero(v._store, "coords")
                cols = [ndarray._wrap(coords.project(1, i), _INT64) for i in range(v.ndim)]
            else:
                cols = list(_np.nonzero(v))
            for i, c in enumerate(cols):
                advs.append((dim + i, c, True))
            positions.append(pos)
            dim += v.ndim
        if store.ndim > _MAX_DIM:
            raise _Unsupported

    shapes = [tuple(arr.shape) for _, arr, _ in advs]
    try:
        b_shape = tuple(_np.broadcast_shapes(*shapes))
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing arrays could not be broadcast together with shapes "
            + " ".join(str(s) for s in shapes)
        ) from None
    vshape = store.shape
    adv_dims = {d for d, _, _ in advs}
    rest = [d for d in range(store.ndim) if d not in adv_dims]
    unique = sorted(set(positions))
    adjacent = unique[-1] - unique[0] + 1 == len(unique)
    if adjacent:
        first = min(adv_dims)
        before = [d for d in rest if d < first]
        after = [d for d in rest if d > first]
    else:
        before, after = [], rest
    b_start = len(before)
    out_pos = {}
    for i, d in enumerate(before):
        out_pos[d] = i
    for i, d in enumerate(after):
        out_pos[d] = b_start + len(b_shape) + i
    out_shape = [vshape[d] for d in before] + list(b_shape) + [vshape[d] for d in after]
    if len(out_shape) > _MAX_DIM:
        raise _Unsupported
    idx = _Index()
    idx.view = store
    idx.advs = advs
    idx.b_shape = b_shape
    idx.b_start = b_start
    idx.out_shape = tuple(out_shape)
    idx.out_pos = out_pos
    if check_bounds:
        _check_bounds(idx)
    return idx


def _check_bounds(idx):
    """NumPy's bounds check of ``idx``'s host index arrays, which also wraps their
    negative indices (none when the indices broadcast to an empty shape: they select
    nothing, and NumPy checks none). An assignment checks its value's shape first."""
    advs, vshape = idx.advs, idx.view.shape
    for i, (d, arr, trusted) in enumerate(advs):
        if isinstance(arr, _np.ndarray) and not trusted:
            arr = _np.asarray(arr, dtype=_INT64) if arr.dtype != _INT64 else arr
            n = vshape[d]
            if arr.size and _size(idx.b_shape):
                bad = (arr < -n) | (arr >= n)
                if bad.any():
                    raise IndexError(f"index {arr[bad].flat[0]} is out of bounds for axis {d} with size {n}")
                if (arr < 0).any():
                    arr = _np.where(arr < 0, arr + n, arr)
            advs[i] = (d, arr, True)


def _int64_store(arr):
    """An int64 store of index array ``arr`` (host or legate)."""
    if isinstance(arr, _np.ndarray):
        return _ext.from_numpy(_np.ascontiguousarray(arr, dtype=_INT64))
    if arr.dtype != _INT64:
        arr = arr.astype(_INT64)
    return arr._store


def _points(idx, bounds="raise"):
    """The index store for a gather or scatter through ``idx``'s view (shape
    ``idx.out_shape``): plain int64 for a 1-d view indexed by one checked array,
    ``int64[n]`` points otherwise."""
    view, out_shape = idx.view, list(idx.out_shape)
    if view.ndim == 1 and len(idx.advs) == 1 and idx.advs[0][2] and tuple(idx.advs[0][1].shape) == idx.b_shape:
        return _int64_store(idx.advs[0][1])
    arrays = []
    check = False
    adv_of = {}
    for d, arr, trusted in idx.advs:
        s = _int64_store(arr).broadcast_to(list(idx.b_shape))
        # Embed into the result's shape: the dimensions indexed by slices broadcast.
        for p in sorted(idx.out_pos.values()):
            s = s.promote(p, out_shape[p])
        adv_of[d] = len(arrays)
        arrays.append(s)
        check = check or not trusted
    dims = [(True, adv_of[d], 0) if d in adv_of else (False, idx.out_pos[d], 0) for d in range(view.ndim)]
    return _ext.index_points(out_shape, list(view.shape), dims, arrays, bounds, check)


def _size(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _full_mask(a, key):
    """The mask when ``key`` is one boolean array of ``a``'s shape, else None."""
    if isinstance(key, tuple):
        if len(key) != 1:
            return None
        key = key[0]
    if isinstance(key, ndarray):
        return key if key.dtype.kind == "b" and key.shape == a.shape and a.ndim > 0 else None
    if isinstance(key, _np.ndarray) and key.dtype.kind == "b" and key.shape == a.shape and a.ndim > 0:
        return key
    return None


# ---------------------------------------------------------------- get and set


def getitem(a, key):
    """``a[key]`` for keys with integer or boolean arrays (always a new array)."""
    try:
        mask = _full_mask(a, key)
        if mask is not None:
            _fallback.record_native("ndarray.__getitem__")
            m = mask._store if isinstance(mask, ndarray) else _ext.from_numpy(mask)
            pts = _ext.nonzero(m, "points")
            out = _empty(pts.shape, a.dtype)
            if out.size:
                _ext.gather(out._store, a._store, pts)
            return out
        idx = _parse(a, key)
    except _Unsupported:
        return _fallback.call("ndarray.__getitem__ (advanced indexing)", operator.getitem, (a, key), {})
    if isinstance(idx, tuple):
        return a[idx]
    _fallback.record_native("ndarray.__getitem__")
    result = _gather(a, idx)
    if result.size == 0:
        _check_unused_indices(idx)  # (take, which checks as NumPy's take, does not)
    return result


def _gather(a, idx, bounds="raise"):
    out = _empty(idx.out_shape, a.dtype)
    if out.size:
        _ext.gather(out._store, idx.view, _points(idx, bounds))
    return out


def _check_unused_indices(idx):
    """NumPy's bounds check of index arrays whose result is empty through a sliced
    dimension (legate arrays, which the gather would have checked). NumPy checks
    nothing when the indices broadcast to an empty shape."""
    if _size(idx.b_shape) == 0:
        return
    for d, arr, trusted in idx.advs:
        if trusted or not isinstance(arr, ndarray) or arr.size == 0:
            continue
        n = idx.view.shape[d]
        lo, hi = int(arr.min()), int(arr.max())
        if lo < -n or hi >= n:
            raise IndexError(f"index {lo if lo < -n else hi} is out of bounds for axis {d} with size {n}")


def _values(value, dtype, shape):
    """``value`` as a store of ``dtype`` broadcast to ``shape`` (NumPy's setitem rules)."""
    if isinstance(value, ndarray):
        src = value if value.dtype == dtype else value.astype(dtype)
        store = src._store
    elif isinstance(value, (numbers.Number, _np.generic)) and not isinstance(value, _np.ndarray):
        store = _ext.create_store(_dtype_name(dtype), [1])
        _assign(store, dtype, value)
        return store.broadcast_to(list(shape)) if shape else store.project(0, 0)
    else:
        arr = _np.asarray(_fallback.to_numpy(value), dtype=dtype)
        store = _ext.from_numpy(_np.ascontiguousarray(arr))
    src_shape = tuple(store.shape)
    # NumPy reshapes a value of more dimensions to its last ones (leading unit
    # dimensions dropped, or an empty value of an empty result's trailing shape).
    while store.ndim > len(shape) and store.shape[0] == 1:
        store = store.project(0, 0)
    if store.ndim > len(shape) and _size(src_shape) == 0 and _size(src_shape[store.ndim - len(shape):]) == 0:
        store = _ext.create_store(_dtype_name(dtype), list(src_shape[store.ndim - len(shape):]))
    try:
        return store.broadcast_to(list(shape))
    except ValueError:
        raise ValueError(
            f"shape mismatch: value array of shape {src_shape} could not be broadcast "
            f"to indexing result of shape {tuple(shape)}"
        ) from None


def setitem(a, key, value):
    """``a[key] = value`` for keys with integer or boolean arrays."""
    try:
        mask = _full_mask(a, key)
        scalar_mask = a.ndim == 0 and (
            isinstance(key, (bool, _np.bool_)) or (isinstance(key, tuple) and len(key) == 1 and isinstance(key[0], (bool, _np.bool_)))
        )
        if (mask is not None or scalar_mask) and getattr(value, "ndim", 0) > 1:
            raise TypeError(
                "NumPy boolean array indexing assignment requires a 0 or 1-dimensional input, "
                f"input has {value.ndim} dimensions"
            )
        if mask is not None and isinstance(value, (numbers.Number, _np.generic)) and not isinstance(value, _np.ndarray):
            # Elementwise: a = where(mask, value, a).
            _fallback.record_native("ndarray.__setitem__")
            if a.dtype == _np.float16:
                # The select kernel has no float16: where() goes through float32.
                from ._manip import where

                m = mask if isinstance(mask, ndarray) else ndarray._from_numpy(_np.asarray(mask))
                a[...] = where(m, _np.asarray(value, dtype=a.dtype)[()], a)
                return
            m = mask._store if isinstance(mask, ndarray) else _ext.from_numpy(mask)
            v = _np.asarray(value, dtype=a.dtype).item()
            _ext.select(m, v, a._store, a._store)
            return
        idx = _parse(a, key, check_bounds=False)
    except _Unsupported:
        arr = a.__array__()
        arr[key] = _fallback.to_numpy(value)
        _fallback.call("ndarray.__setitem__ (advanced indexing)", lambda: None, (), {})
        _ext.copy(a._store, _ext.from_numpy(_np.ascontiguousarray(arr)))
        return
    if isinstance(idx, tuple):
        a[idx] = value
        return
    _fallback.record_native("ndarray.__setitem__")
    _scatter(a.dtype, idx, value)


def _scatter(dtype, idx, value):
    vals = _values(value, dtype, idx.out_shape)
    _check_bounds(idx)  # after the value's shape, as NumPy does
    if _size(idx.out_shape) == 0:
        _check_unused_indices(idx)
        return
    _ext.scatter(idx.view, _points(idx), vals)


# ---------------------------------------------------------------- nonzero and friends


def _nonzero_operand(a) -> ndarray:
    """``a``, as ``a != 0`` where the nonzero kernel has no loop for its type (float16)."""
    a = _asarray(a)
    return a != 0 if a.dtype == _np.float16 else a


def nonzero(a):
    """The indices of the nonzero elements, one int64 array per dimension."""
    _fallback.record_native("nonzero")
    a = _nonzero_operand(a)
    if a.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead.")
    coords = _ext.nonzero(a._store, "coords")
    return tuple(ndarray._wrap(coords.project(1, d), _INT64) for d in range(a.ndim))


def argwhere(a):
    """The indices of the nonzero elements as a ``(count, ndim)`` int64 array."""
    _fallback.record_native("argwhere")
    a = _nonzero_operand(a)
    if a.ndim == 0:
        return ndarray((1 if bool(a) else 0, 0), _INT64)
    return ndarray._wrap(_ext.nonzero(a._store, "coords"), _INT64)


def flatnonzero(a):
    """The flat (row-major) indices of the nonzero elements."""
    _fallback.record_native("flatnonzero")
    a = _nonzero_operand(a)
    store = a._store if a.ndim else a._store.promote(0, 1)
    return ndarray._wrap(_ext.nonzero(store, "flat"), _INT64)


def _check_mode(mode):
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")


def _host_index_array(indices):
    """``indices`` as a host int64 array, type-checked as NumPy's take does."""
    if isinstance(indices, _np.ndarray):
        # NumPy casts index arrays with the 'same_kind' rule (sequences are converted).
        if not _np.can_cast(indices.dtype, _INT64, "same_kind"):
            raise TypeError(f"Cannot cast array data from {indices.dtype!r} to dtype('int64') according to the rule 'same_kind'")
        return indices.astype(_INT64, copy=False)
    return _np.asarray(_fallback.to_numpy(indices), dtype=_INT64)


def _host_indices(indices, n, mode, axis):
    """Host index array ``indices`` (int64) adjusted for ``mode`` against extent ``n``."""
    arr = _host_index_array(indices)
    if arr.size and n == 0 and mode != "raise":
        raise IndexError("cannot do a non-empty take from an empty axes.")
    if mode == "wrap":
        return _np.mod(arr, n) if arr.size else arr
    if mode == "clip":
        return _np.clip(arr, 0, n - 1) if arr.size else arr
    if arr.size:
        bad = (arr < -n) | (arr >= n)
        if bad.any():
            raise IndexError(f"index {arr[bad].flat[0]} is out of bounds for axis {axis} with size {n}")
    return _np.where(arr < 0, arr + n, arr)


def take(a, indices, axis=None, out=None, mode="raise"):
    """Elements of ``a`` at ``indices`` (flat when ``axis`` is None)."""
    _check_mode(mode)
    _fallback.record_native("take")
    a = _asarray(a)
    legate_idx = isinstance(indices, ndarray)
    if legate_idx and indices.dtype.kind not in "biu":
        raise TypeError(f"Cannot cast array data from {indices.dtype!r} to dtype('int64') according to the rule 'same_kind'")
    if axis is None:
        src = a._store if a.ndim else a._store.promote(0, 1)
        n = a.size
        if legate_idx:
            if indices.size and n == 0 and mode != "raise":
                raise IndexError("cannot do a non-empty take from an empty axes.")
            ind = indices
            pts = _ext.flat_points(_int64_store(ind), list(src.shape), mode, mode == "raise")
            shape = ind.shape
        else:
            ind = _host_indices(indices, n, mode, 0)
            if ind.ndim == 0:
                result = a.reshape(-1)[int(ind)] if a.ndim != 1 else a[int(ind)]
                return _into(out, result)
            pts = _ext.flat_points(_int64_store(ind), list(src.shape), "raise", False)
            shape = ind.shape
        result = _empty(tuple(shape), a.dtype)
        if result.size:
            _ext.gather(result._store, src, pts)
        return _into(out, result)
    if a.ndim == 0:
        a = a.reshape(1)  # NumPy takes along axis 0 or -1 of a 0-d array as 1-d
    axis = _normalize_axis(axis, a.ndim)
    if not legate_idx and not builtins.all(a.shape[:axis]):
        # No outer index: an empty result, whose indices NumPy checks only for type.
        ind = _host_index_array(indices)
        return _into(out, _empty(a.shape[:axis] + ind.shape + a.shape[axis + 1:], a.dtype))
    if not legate_idx:
        ind = _host_indices(indices, a.shape[axis], mode, axis)
        if ind.ndim == 0:
            result = a[(slice(None),) * axis + (int(ind),)]
            return _into(out, result.copy() if isinstance(result, ndarray) else result)
        mode_task = "raise"
    else:
        outer = builtins.all(a.shape[:axis])  # NumPy checks indices once per outer index
        if indices.size and a.shape[axis] == 0:
            # Every index is out of bounds; NumPy says so even when the result is empty
            # (mode "raise"), and takes nothing from nothing otherwise.
            if mode == "raise" and outer:
                first = int(indices.reshape(-1)[0])
                raise IndexError(f"index {first} is out of bounds for axis {axis} with size 0")
            if a.size or builtins.all(s for d, s in enumerate(a.shape) if d != axis):
                raise IndexError("cannot do a non-empty take from an empty axes.")
            # Nothing to take, and an empty result.
            return _into(out, _empty(a.shape[:axis] + tuple(indices.shape) + a.shape[axis + 1:], a.dtype))
        elif indices.size and mode == "raise" and a.size == 0 and outer:
            # No task runs for an empty result; NumPy checks the indices all the same.
            host = _np.asarray(indices)
            n = a.shape[axis]
            bad = host[(host < -n) | (host >= n)]
            if bad.size:
                raise IndexError(f"index {int(bad.flat[0])} is out of bounds for axis {axis} with size {n}")
        if indices.ndim == 0:
            return take(a, int(indices), axis=axis, out=out, mode=mode)
        ind = indices
        mode_task = mode
    idx = _parse(a, (slice(None),) * axis + (ind,))
    return _into(out, _gather(a, idx, mode_task))


def _into(out, result):
    if out is None:
        return result
    out[...] = result
    return out


def put(a, ind, v, mode="raise"):
    """``a.flat[ind] = v``, repeating ``v`` as needed (in place)."""
    _check_mode(mode)
    if not isinstance(a, ndarray):
        raise TypeError(f"argument 1 must be numpy.ndarray, not {type(a).__name__}")
    _fallback.record_native("put")
    dst = a._store if a.ndim else a._store.promote(0, 1)
    n = a.size
    if isinstance(ind, ndarray):
        if ind.dtype.kind not in "biu":
            raise TypeError(f"Cannot cast array data from {ind.dtype!r} to dtype('int64') according to the rule 'same_kind'")
        flat = ind.reshape(-1)
        m = flat.size
        if m and n == 0 and mode != "raise":
            raise IndexError("cannot replace elements of an empty array")
        pts_args = (_int64_store(flat), list(dst.shape), mode, mode == "raise")
    else:
        host = _host_indices(ind, n, mode, 0).reshape(-1)
        m = host.size
        pts_args = (_int64_store(host), list(dst.shape), "raise", False)
    vals = v if isinstance(v, ndarray) else _np.asarray(_fallback.to_numpy(v), dtype=a.dtype)
    if isinstance(vals, ndarray) and vals.dtype != a.dtype:
        vals = vals.astype(a.dtype)
    k = vals.size
    if m == 0 or k == 0:
        return
    if isinstance(vals, _np.ndarray):
        vals = _np.resize(vals.reshape(-1), m)
        vstore = _ext.from_numpy(_np.ascontiguousarray(vals))
    else:
        vflat = vals.reshape(-1)._store
        if k == 1:
            vstore = vflat.project(0, 0).promote(0, m)
        elif k >= m:
            vstore = vflat.slice(0, 0, m, 1)
        else:
            # Repeat the values: gather v[i % k].
            rep = _empty((m,), _INT64)
            _ext.arange(rep._store, 0, 1)
            vstore = _empty((m,), a.dtype)._store
            _ext.gather(vstore, vflat, _ext.flat_points(rep._store, [k], "wrap", False))
    _ext.scatter(dst, _ext.flat_points(*pts_args), vstore)


def _mask_of(name, a, mask):
    """``mask`` as a boolean legate array with as many elements as ``a``."""
    m = _asarray(mask)
    if m.dtype != _np.bool_:
        m = m.astype(bool)
    if m.size != a.size:
        raise ValueError(f"{name}: mask and data must be the same size")
    return m


def place(arr, mask, vals):
    """Writes the values of ``vals`` in order (repeated as needed) where ``mask`` is
    true, in place."""
    if isinstance(arr, _np.ndarray):
        _np.place(arr, _fallback.to_numpy(mask), _fallback.to_numpy(vals))
        return
    if not isinstance(arr, ndarray):
        raise TypeError(f"argument 1 must be numpy.ndarray, not {type(arr).__name__}")
    _fallback.record_native("place")
    m = _mask_of("place", arr, mask)
    v = _masked_values(vals, arr.dtype)
    positions = flatnonzero(m)
    if positions.size == 0:
        return
    if v.size == 0:
        raise ValueError("Cannot insert from an empty array!")
    put(arr, positions, v)


def _masked_values(values, dtype):
    """``values`` of ``putmask``/``place`` flat in ``dtype``, as NumPy converts them:
    arrays only by a safe cast; Python numbers and sequences element by element (300
    into int8 raises OverflowError, a complex into a real array TypeError)."""
    if isinstance(values, ndarray):
        host = None
        src = values
    else:
        host = _fallback.to_numpy(values)
        src = host if isinstance(host, _np.ndarray) else None
    if src is not None:
        if not _np.can_cast(src.dtype, dtype, "safe"):
            raise TypeError(f"Cannot cast array data from {src.dtype!r} to {dtype!r} according to the rule 'safe'")
        flat = src.reshape(-1)
        return _asarray(flat if flat.dtype == dtype else flat.astype(dtype))
    # NumPy's own element conversion, into a host array of the values' length.
    k = _np.size(host)
    converted = _np.empty(k, dtype)
    if k:
        _np.putmask(converted, _np.ones(k, bool), host)
    return _asarray(converted)


def putmask(a, mask, values):
    """``a.flat[n] = values[n % len(values)]`` where ``mask.flat[n]`` is true, in place."""
    from ._manip import where

    if isinstance(a, _np.ndarray):
        _np.putmask(a, _fallback.to_numpy(mask), _fallback.to_numpy(values))
        return
    if not isinstance(a, ndarray):
        raise TypeError(f"argument 1 must be numpy.ndarray, not {type(a).__name__}")
    _fallback.record_native("putmask")
    m = _mask_of("putmask", a, mask).reshape(a.shape)
    v = _masked_values(values, a.dtype)
    if v.size == 0 or a.size == 0:
        return
    if v.size != a.size:
        # Value n goes to element n: repeat the values over the array.
        from ._manip import tile

        v = tile(v, -(-a.size // v.size))[: a.size]
    a[...] = where(m, v.reshape(a.shape), a)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal of ``a`` along ``axis1``/``axis2`` (last dimension of the result):
    a read-only view, as in NumPy."""
    _fallback.record_native("diagonal")
    a = _asarray(a)
    if a.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    axis1 = _normalize_axis(axis1, a.ndim)
    axis2 = _normalize_axis(axis2, a.ndim)
    if axis1 == axis2:
        raise ValueError("axis1 and axis2 cannot be the same")
    offset = operator.index(offset)
    return ndarray._wrap(a._store.diagonal(axis1, axis2, offset).as_read_only(), a.dtype)


def fill_diagonal(a, val, wrap=False):
    """Fills the main diagonal of ``a`` (at least 2-d) in place, as NumPy does:
    ``a.flat[:end:step] = val``."""
    _fallback.record_native("fill_diagonal")
    if not isinstance(a, ndarray):
        return _fallback.call("fill_diagonal (not a legate array)", _np.fill_diagonal, (a, val), {"wrap": wrap})
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    shape = a.shape
    if a.ndim == 2:
        step = shape[1] + 1
        end = a.size if wrap else min(shape[1] * shape[1], a.size)
    else:
        if any(s != shape[0] for s in shape):
            raise ValueError("All dimensions of input must be of equal length")
        step = 1 + int(_np.cumprod(shape[:-1]).sum())
        end = a.size
    count = len(range(0, end, step))
    if count == 0:
        return
    flat = _empty((count,), _INT64)
    _ext.arange(flat._store, 0, step)
    put(a, flat, val)


# ---------------------------------------------------------------- ndarray methods


def _nonzero_method(self):
    return nonzero(self)


def _take_method(self, indices, axis=None, out=None, mode="raise"):
    return take(self, indices, axis=axis, out=out, mode=mode)


def _put_method(self, indices, values, mode="raise"):
    return put(self, indices, values, mode=mode)


def _diagonal_method(self, offset=0, axis1=0, axis2=1):
    return diagonal(self, offset, axis1, axis2)


ndarray.nonzero = _nonzero_method
ndarray.take = _take_method
ndarray.put = _put_method
ndarray.diagonal = _diagonal_method


def take_along_axis(arr, indices, axis=-1):
    """``arr`` picked along ``axis`` at ``indices`` (one gather): the other dimensions
    index themselves, broadcast against ``indices`` as in NumPy."""
    from ._creation import arange
    from ._manip import broadcast_to

    arr, indices = _asarray(arr), _asarray(indices)
    if indices.dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    if axis is None:
        if indices.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        return take(arr.reshape(-1), indices)
    axis = _normalize_axis(axis, arr.ndim)
    if indices.ndim != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    _fallback.record_native("take_along_axis")
    shape = tuple(indices.shape[d] if d == axis else max(arr.shape[d], indices.shape[d]) for d in range(arr.ndim))
    key = []
    for d in range(arr.ndim):
        if d == axis:
            key.append(broadcast_to(indices, shape))
        else:
            line = [1] * arr.ndim
            line[d] = arr.shape[d]
            key.append(broadcast_to(arange(arr.shape[d]).reshape(line), shape))
    return arr[tuple(key)]


def compress(condition, a, axis=None, out=None):
    """The slices of ``a`` along ``axis`` where ``condition`` is true (a shorter
    condition counts as false beyond its end, as in NumPy)."""
    a = _asarray(a)
    cond = _asarray(condition)
    if cond.ndim != 1:
        raise ValueError("condition must be a 1-d array")
    if axis is None:
        a, axis = a.reshape(-1), 0
    elif a.ndim == 0:
        a = a.reshape(1)  # as NumPy: a 0-d array compresses as 1-d
    axis = _normalize_axis(axis, a.ndim)
    _fallback.record_native("compress")
    picked = nonzero(cond)[0]
    n = a.shape[axis]
    if cond.shape[0] > n and builtins.all(a.shape[:axis]):  # NumPy checks per outer index
        beyond = picked[picked >= n]
        if beyond.size:
            raise IndexError(f"index {int(beyond[0])} is out of bounds for axis {axis} with size {n}")
    return take(a, picked, axis=axis, out=out)


def choose(a, choices, out=None, mode="raise"):
    """``choices[a[i]][i]``: one select per choice, on arrays broadcast together."""
    from ._manip import where
    from ._ufunc import equal, remainder, clip

    a = _asarray(a)
    if a.dtype.kind not in "biu":
        raise TypeError(f"Cannot cast array data from {a.dtype!r} to dtype('int64') according to the rule 'safe'")
    # Python scalars among the choices are weak, as in NumPy's promotion (int32 and 7: int32).
    weak = [c if type(c) in (bool, int, float, complex) else None for c in choices]
    choices = [_asarray(c) for c in choices]
    n = len(choices)
    if n == 0:
        raise ValueError("0-length sequence.")
    _check_mode(mode)
    _fallback.record_native("choose")
    if mode == "wrap":
        a = remainder(a, n)
    elif mode == "clip":
        a = clip(a, 0, n - 1)
    elif a.size and (int(a.min()) < 0 or int(a.max()) >= n):
        raise ValueError("invalid entry in choice array")
    dt = _np.result_type(*[c.dtype if w is None else w for c, w in zip(choices, weak)])
    result = choices[n - 1].astype(dt, copy=False)
    for k in range(n - 2, -1, -1):
        result = where(equal(a, k), choices[k].astype(dt, copy=False), result)
    shape = _np.broadcast_shapes(a.shape, *[c.shape for c in choices])
    if result.shape != shape:
        from ._manip import broadcast_to

        result = broadcast_to(result, shape).copy()
    if out is not None and (not isinstance(out, ndarray) or tuple(out.shape) != tuple(shape)):
        raise TypeError("choose: invalid shape for output array.")
    return _into(out, result)


def _compress_method(self, condition, axis=None, out=None):
    return compress(condition, self, axis=axis, out=out)


def _choose_method(self, choices, out=None, mode="raise"):
    return choose(self, choices, out=out, mode=mode)


ndarray.compress = _compress_method
ndarray.choose = _choose_method
