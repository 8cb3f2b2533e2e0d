"""Array manipulation: reshaping, joining, splitting, flipping, broadcasting, ``where``.

Whatever NumPy returns as a view is a view here too (of the same store); the rest are
native copies.
"""

from __future__ import annotations

import numbers
import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _assign, _normalize_axis, _order, ndarray


def _asarray(a):
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(a))


def _new_shape(shape, size):
    shape = [operator.index(s) for s in shape]
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    if any(s < -1 for s in shape):
        raise ValueError("negative dimensions not allowed")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if unknown:
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {tuple(shape)}")
        shape[unknown[0]] = size // known
    elif known != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {tuple(shape)}")
    return tuple(shape)


def reshape(a, newshape=None, order="C", *, shape=None, copy=None):
    a = _asarray(a)
    if shape is not None:
        newshape = shape
    if isinstance(newshape, numbers.Integral):
        newshape = (newshape,)
    order = _order(order, "C", "CFA")
    if copy is not None:
        result = reshape(a, newshape, order)
        if copy:
            return result.copy() if _shares(result, a) else result
        if not _shares(result, a):
            raise ValueError("Unable to avoid creating a copy while reshaping.")
        return result
    if order == "A":
        order = "F" if _fortran_only(a) else "C"
    if order == "F":
        # Fortran order is C order over the reversed axes.
        return reshape(a.transpose(), _new_shape(newshape, a.size)[::-1]).transpose()
    _fallback.record_native("reshape")
    new = _new_shape(newshape, a.size)
    old = tuple(a.shape)
    if new == old:
        return ndarray._wrap(a._store, a.dtype)
    if a.size == 0:
        return ndarray(new, a.dtype)
    view = a._store.reshape(list(new))
    if view is not None:
        return ndarray._wrap(view, a.dtype)
    out = ndarray(new, a.dtype)
    _ext.reshape_copy(a._store, out._store)
    return out


def _shares(view, a) -> bool:
    """Whether ``view`` reads ``a``'s store (a view) rather than a copy of it."""
    from ._predicates import shares_memory

    return view.size == 0 or bool(shares_memory(view, a))


def _fortran_only(a):
    flags = a.flags
    return flags.f_contiguous and not flags.c_contiguous


def _keep_order_axes(strides, shape) -> list:
    """The axes, outermost first, in the order NumPy's iterator visits an array for
    ``order='K'``: its stable insertion sort by |stride| starting from reversed C order,
    in which a zero stride (a broadcast or length-1 axis) compares with nothing, so
    other axes move past it and it stays where it is."""
    ndim = len(shape)
    # The iterator's axis data run from the last axis to the first.
    st = [0 if shape[ndim - 1 - i] == 1 else strides[ndim - 1 - i] for i in range(ndim)]
    perm = list(range(ndim))
    for i0 in range(1, ndim):
        s0, pos = st[perm[i0]], i0
        for i1 in range(i0 - 1, -1, -1):
            s1 = st[perm[i1]]
            if s0 != 0 and s1 != 0:
                if abs(s1) <= abs(s0):
                    break
                pos = i1
        if pos != i0:
            perm.insert(pos, perm.pop(i0))
    return [ndim - 1 - perm[k] for k in reversed(range(ndim))]


def ravel(a, order="C"):
    """A view when the array is contiguous in that order, else a copy (NumPy's rule:
    unlike ``reshape(-1)``, a strided array is copied even when a view could exist)."""
    a = _asarray(a)
    order = _order(order, "C")
    if order == "A":
        order = "F" if _fortran_only(a) else "C"
    elif order == "K":
        if not (a.flags.c_contiguous or a.flags.f_contiguous):
            # NumPy's K: the axes in memory order (a reversed axis is read forward).
            return reshape(transpose(a, _keep_order_axes(a.strides, a.shape)).copy(), -1)
        order = "F" if _fortran_only(a) else "C"
    contiguous = a.flags.c_contiguous if order == "C" else a.flags.f_contiguous
    return reshape(a if contiguous else a.copy(), -1, order=order)


def _repeat_counts(a, repeats, axis):
    from ._creation import zeros
    from ._index import nonzero, take
    from ._scan import cumsum

    counts = _asarray(repeats)
    if counts.dtype.kind == "c":
        raise TypeError("int() argument must be a string, a bytes-like object or a real number, not 'complex'")
    if counts.dtype.kind not in "biuf":
        raise TypeError(f"Cannot cast array data from {counts.dtype!r} to dtype('int64') according to the rule 'safe'")
    if counts.dtype.kind == "f":
        counts = counts.astype(_np.int64)  # NumPy 2 truncates float counts
    if counts.ndim > 1:
        raise ValueError("repeats must be a scalar or a 1-d sequence")
    _fallback.record_native("repeat")
    a, axis = _repeat_axis(a, axis)
    n = a.shape[axis]
    if counts.size == 1:
        return repeat(a, int(counts.reshape(-1)[0]), axis)
    if counts.shape[0] != n:
        raise ValueError(f"operands could not be broadcast together with shape ({n},) ({counts.shape[0]},)")
    counts = counts.astype(_np.int64)
    if bool((counts < 0).any()):
        raise ValueError("repeats may not contain negative values.")
    ends = cumsum(counts)
    total = int(ends[-1]) if n else 0
    shape = list(a.shape)
    shape[axis] = total
    if total == 0:
        return ndarray(tuple(shape), a.dtype)
    # Output position p reads element i where ends[i-1] <= p < ends[i]: mark where each
    # repeated element starts with the step from the previous one, then add up the marks.
    kept = nonzero(counts)[0]
    marks = zeros(total, _np.int64)
    steps = kept.copy()
    steps[1:] = kept[1:] - kept[:-1]
    marks[(ends - counts)[kept]] = steps
    return take(a, cumsum(marks), axis=axis)


def _along(ndim, axis, sl):
    """The index taking ``sl`` along ``axis`` and everything along the other axes."""
    key = [slice(None)] * ndim
    key[axis] = sl
    return tuple(key)


def _axis_list(axis, ndim):
    """Normalized axes from an int, tuple or list; repeated axes raise like NumPy."""
    axes = [_normalize_axis(x, ndim) for x in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    if len(set(axes)) != len(axes):
        raise ValueError("repeated axis")
    return axes


def squeeze(a, axis=None):
    a = _asarray(a)
    if axis is None:
        axes = [i for i, s in enumerate(a.shape) if s == 1]
    elif a.ndim == 0 and not isinstance(axis, (tuple, list)):
        _normalize_axis(axis, 1)  # NumPy's squeeze takes axis 0 or -1 of a 0-d array (not (0,))
        axes = []
    else:
        axes = _axis_list(axis, a.ndim)
        for x in axes:
            if a.shape[x] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    store = a._store
    for x in sorted(axes, reverse=True):
        store = store.project(x, 0)
    return ndarray._wrap(store, a.dtype)


def expand_dims(a, axis):
    a = _asarray(a)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = sorted(_axis_list(axes, a.ndim + len(axes)))
    store = a._store
    for x in axes:
        store = store.promote(x, 1)
    return ndarray._wrap(store, a.dtype)


def transpose(a, axes=None):
    return _asarray(a).transpose(axes)


def swapaxes(a, axis1, axis2):
    return _asarray(a).swapaxes(axis1, axis2)


def moveaxis(a, source, destination):
    a = _asarray(a)
    src = [_normalize_axis(s, a.ndim, "source") for s in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [_normalize_axis(d, a.ndim, "destination") for d in (destination if isinstance(destination, (tuple, list)) else (destination,))]
    for what, axes in (("source", src), ("destination", dst)):
        if len(set(axes)) != len(axes):
            raise ValueError(f"repeated axis in `{what}` argument")
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number of elements")
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a.transpose(order)


def broadcast_to(array, shape, subok=False):
    a = _asarray(array)
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    # Read-only, as in NumPy: a write would reach one element through many positions.
    return ndarray._wrap(a._store.broadcast_to(list(shape)).as_read_only(), a.dtype)


def broadcast_arrays(*args, subok=False):
    """Views of the arrays broadcast together (writeable, as NumPy still allows)."""
    arrays = [_asarray(a) for a in args]
    shape = _np.broadcast_shapes(*[a.shape for a in arrays])
    return tuple(ndarray._wrap(a._store.broadcast_to(list(shape)), a.dtype) for a in arrays)


def atleast_1d(*arys):
    res = [a if a.ndim >= 1 else reshape(a, (1,)) for a in map(_asarray, arys)]
    return res[0] if len(res) == 1 else tuple(res)


def atleast_2d(*arys):
    res = []
    for a in map(_asarray, arys):
        if a.ndim == 0:
            a = reshape(a, (1, 1))
        elif a.ndim == 1:
            a = expand_dims(a, 0)
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


def atleast_3d(*arys):
    res = []
    for a in map(_asarray, arys):
        if a.ndim == 0:
            a = reshape(a, (1, 1, 1))
        elif a.ndim == 1:
            a = expand_dims(expand_dims(a, 0), 2)
        elif a.ndim == 2:
            a = expand_dims(a, 2)
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


def flip(m, axis=None):
    m = _asarray(m)
    axes = range(m.ndim) if axis is None else _axis_list(axis, m.ndim)
    key = [slice(None)] * m.ndim
    for x in axes:
        key[x] = slice(None, None, -1)
    return m[tuple(key)]


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    arrays = [_asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    ndim = arrays[0].ndim
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    if any(a.ndim != ndim for a in arrays):
        raise ValueError("all the input array dimensions except for the concatenation axis must match exactly")
    axis = _normalize_axis(axis, ndim)
    base = list(arrays[0].shape)
    for a in arrays[1:]:
        for d in range(ndim):
            if d != axis and a.shape[d] != base[d]:
                raise ValueError(
                    "all the input array dimensions except for the concatenation axis must match exactly, "
                    f"but along dimension {d}, the array at index 0 has size {base[d]} and the array has size {a.shape[d]}"
                )
    shape = list(base)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    dt = _np.dtype(dtype) if dtype is not None else _np.result_type(*[a.dtype for a in arrays])
    target = out.dtype if out is not None else dt
    for a in arrays:
        if not _np.can_cast(a.dtype, target, casting):
            raise TypeError(f"Cannot cast array data from {a.dtype!r} to {target!r} according to the rule {casting!r}")
    result = out if out is not None else ndarray(shape, dt)
    at = 0
    for a in arrays:
        n = a.shape[axis]
        _assign(result._store.slice(axis, at, at + n, 1), result.dtype, a)
        at += n
    return result


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    arrays = [_asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to stack")
    if any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("all input arrays must have the same shape")
    axis = _normalize_axis(axis, arrays[0].ndim + 1)
    # Indexing with a new axis, as NumPy's stack (so past the dimension limit it raises
    # NumPy's IndexError).
    new_axis = (slice(None),) * axis + (None,)
    return concatenate([a[new_axis] for a in arrays], axis=axis, out=out, dtype=dtype, casting=casting)


def vstack(tup, *, dtype=None, casting="same_kind"):
    return concatenate([atleast_2d(a) for a in tup], axis=0, dtype=dtype, casting=casting)


def hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, axis=0 if arrs and arrs[0].ndim == 1 else 1, dtype=dtype, casting=casting)


def dstack(tup):
    return concatenate([atleast_3d(a) for a in tup], axis=2)


def array_split(ary, indices_or_sections, axis=0):
    a = _asarray(ary)
    if a.ndim == 0:
        raise IndexError("tuple index out of range")  # NumPy's, reading ary.shape[axis]
    axis = _normalize_axis(axis, a.ndim)
    n = a.shape[axis]
    if isinstance(indices_or_sections, numbers.Integral):
        sections = operator.index(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + each + (1 if i < extra else 0))
    else:
        bounds = [0] + [min(max(int(i) if i >= 0 else int(i) + n, 0), n) for i in indices_or_sections] + [n]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        key = [slice(None)] * a.ndim
        key[axis] = slice(lo, max(lo, hi))
        out.append(a[tuple(key)])
    return out


def split(ary, indices_or_sections, axis=0):
    a = _asarray(ary)
    if isinstance(indices_or_sections, numbers.Integral) and a.shape[_normalize_axis(axis, a.ndim)] % indices_or_sections:
        raise ValueError("array split does not result in an equal division")
    return array_split(a, indices_or_sections, axis)


def where(condition, x=None, y=None):
    if x is None and y is None:
        from ._index import nonzero

        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    _fallback.record_native("where")
    from ._ufunc import _operand

    cond = _asarray(condition)
    if cond.dtype != _np.bool_:
        cond = cond.astype(bool)
    ax, sx, kx = _operand(x)
    ay, sy, ky = _operand(y)
    dt = _np.result_type(kx if not isinstance(kx, type) else sx, ky if not isinstance(ky, type) else sy)
    shape = _np.broadcast_shapes(cond.shape, ax.shape if ax is not None else (), ay.shape if ay is not None else ())
    if dt == _np.float16:
        # The select kernel has no float16; float32 holds every float16 exactly.
        wide = [(_np.float32(v) if isinstance(v, _np.float16) else v) if a is None else a.astype(_np.float32)
                for v, a in ((x, ax), (y, ay))]
        return where(cond, *wide).astype(_np.float16)
    result = ndarray(shape, dt)
    ops = []
    for arr, s in ((ax, sx), (ay, sy)):
        if arr is None:
            ops.append(s)
        else:
            arr = arr if arr.dtype == dt else arr.astype(dt)
            ops.append(arr._store.broadcast_to(list(shape)))
    _ext.select(cond._store.broadcast_to(list(shape)), ops[0], ops[1], result._store)
    return result


def copy(a, order="K", subok=False):
    if order != "K":
        _order(order)
    return _asarray(a).copy()


def copyto(dst, src, casting="same_kind", where=True):
    """Copies ``src`` into ``dst`` in place (broadcast), where ``where`` is true, after
    NumPy's ``casting`` check (Python numbers are checked and converted as NumPy does)."""
    if isinstance(dst, _np.ndarray):  # NumPy's array: NumPy writes it
        _np.copyto(dst, _fallback.to_numpy(src), casting=casting, where=_fallback.to_numpy(where))
        return
    if not isinstance(dst, ndarray):
        raise TypeError(f"copyto() argument 1 must be numpy.ndarray, not {type(dst).__name__}")
    _fallback.record_native("copyto")
    if not isinstance(src, ndarray) and _np.ndim(src) == 0 and not isinstance(src, _np.ndarray):
        probe = _np.empty((), dst.dtype)
        _np.copyto(probe, src, casting=casting)  # NumPy's checks and conversion
        value = probe[()]
    else:
        value = _asarray(src)
        if not _np.can_cast(value.dtype, dst.dtype, casting):
            raise TypeError(f"Cannot cast array data from {value.dtype!r} to {dst.dtype!r} according to the rule {casting!r}")
        if _np.broadcast_shapes(value.shape, dst.shape) != dst.shape:
            raise ValueError(f"could not broadcast input array from shape {value.shape} into shape {dst.shape}")
    if where is True:
        _assign(dst._store, dst.dtype, value)
        return
    mask = _asarray(where)
    if mask.dtype != _np.bool_:
        if not _np.can_cast(mask.dtype, _np.bool_, "safe"):
            raise TypeError(f"Cannot cast array data from {mask.dtype!r} to dtype('bool') according to the rule 'safe'")
        mask = mask.astype(bool)
    if _np.broadcast_shapes(mask.shape, dst.shape) != dst.shape:
        raise ValueError(f"could not broadcast where mask from shape {mask.shape} into shape {dst.shape}")
    if isinstance(value, ndarray) and value.dtype != dst.dtype:
        value = value.astype(dst.dtype)
    dst[...] = globals()["where"](mask, value, dst)


def tile(A, reps):
    """``A`` repeated ``reps`` times along each axis: a broadcast view, then one copy."""
    a = _asarray(A)
    reps = (reps,) if isinstance(reps, numbers.Integral) else tuple(reps)
    if any(operator.index(r) < 0 for r in reps):
        raise ValueError("negative dimensions are not allowed")
    _fallback.record_native("tile")
    d = max(len(reps), a.ndim)
    reps = (1,) * (d - len(reps)) + tuple(reps)
    a = reshape(a, (1,) * (d - a.ndim) + a.shape)
    if 2 * d > _ext.LEGATE_MAX_DIM:
        # Too many dimensions to repeat every axis in one broadcast: one axis at a time.
        for i, r in enumerate(reps):
            if r != 1:
                shape = a.shape[:i] + (r,) + a.shape[i:]
                a = reshape(broadcast_to(expand_dims(a, i), shape).copy(), a.shape[:i] + (r * a.shape[i],) + a.shape[i + 1:])
        return a if any(r != 1 for r in reps) else a.copy()
    # Interleave a repetition axis before each axis: (r0, n0, r1, n1, ...).
    view = a
    for i in range(d):
        view = expand_dims(view, 2 * i)
    target = []
    for r, n in zip(reps, a.shape):
        target += [r, n]
    return reshape(broadcast_to(view, tuple(target)).copy(), tuple(r * n for r, n in zip(reps, a.shape)))


def _repeat_axis(a, axis):
    """``repeat``'s array and axis: the flattened array for None; a 0-d array as 1-d
    (axis 0 or -1), as NumPy repeats it."""
    if axis is None:
        return ravel(a), 0
    if a.ndim == 0:
        a = ravel(a)
    return a, _normalize_axis(axis, a.ndim)


def repeat(a, repeats, axis=None):
    """Each element repeated ``repeats`` times: for one count, a broadcast view and one
    copy; for per-element counts, a ``take`` of indices built with a cumulative sum."""
    a = _asarray(a)
    if not isinstance(repeats, numbers.Integral):
        return _repeat_counts(a, repeats, axis)
    r = operator.index(repeats)
    if r < 0:
        raise ValueError("negative dimensions are not allowed")
    _fallback.record_native("repeat")
    a, axis = _repeat_axis(a, axis)
    shape = list(a.shape)
    view = broadcast_to(expand_dims(a, axis + 1), tuple(shape[: axis + 1] + [r] + shape[axis + 1 :]))
    shape[axis] *= r
    return reshape(view.copy(), tuple(shape))


def _smallest_int(low, high):
    """The narrowest signed integer type holding ``low`` and ``high`` (as NumPy's tri
    picks the type of its ranges; comparing a non-number raises NumPy's TypeError)."""
    for t in (_np.int8, _np.int16, _np.int32):
        info = _np.iinfo(t)
        if high <= info.max and low >= info.min:
            return t
    return _np.int64


def _tri_mask(N, M, k):
    """``mask[i, j] = i >= j - k``, as NumPy's ``tri`` computes it: the row and shifted
    column ranges built with NumPy's own ``arange`` (so float sizes and offsets give
    NumPy's answer), compared natively as broadcast vectors."""
    from ._ufunc import greater_equal

    rows = _np.arange(N, dtype=_smallest_int(0, N))
    cols = _np.arange(-k, M - k, dtype=_smallest_int(-k, M - k))
    return greater_equal(ndarray._from_numpy(rows.reshape(-1, 1)), ndarray._from_numpy(cols))


def tri(N, M=None, k=0, dtype=float, like=None):
    _fallback.record_native("tri")
    M = N if M is None else M
    return _tri_mask(N, M, k).astype(dtype)


def tril(m, k=0):
    m = _asarray(m)
    _fallback.record_native("tril")
    return where(_tri_mask(*_tri_shape(m), k), m, _np.zeros((), m.dtype).item())


def triu(m, k=0):
    m = _asarray(m)
    _fallback.record_native("triu")
    return where(_tri_mask(*_tri_shape(m), k - 1), _np.zeros((), m.dtype).item(), m)


def _tri_shape(m):
    """The triangle's (rows, columns): the last two axes, or a 1-d array's length
    twice (its rows broadcast, as in NumPy)."""
    if m.ndim == 0:
        raise TypeError("tri() missing 1 required positional argument: 'N'")
    return (m.shape[-2], m.shape[-1]) if m.ndim >= 2 else (m.shape[0], m.shape[0])


def diag(v, k=0):
    """The k-th diagonal of a 2-d array, or a 2-d array with 1-d ``v`` on it."""
    v = _asarray(v)
    if v.ndim == 2:
        from ._index import diagonal

        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    _fallback.record_native("diag")
    n = v.shape[0] + abs(k)
    out = ndarray((n * n,), v.dtype)
    _ext.fill(out._store, _np.zeros((), v.dtype).item())
    if v.shape[0]:
        start = k if k >= 0 else -k * n
        _assign(out._store.slice(0, start, start + (v.shape[0] - 1) * (n + 1) + 1, n + 1), v.dtype, v)
    return reshape(out, (n, n))


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    _fallback.record_native("meshgrid")
    arrays = [ravel(_asarray(x)) for x in xi]
    ndim = len(arrays)
    shapes = [(1,) * i + (-1,) + (1,) * (ndim - i - 1) for i in range(ndim)]
    if indexing == "xy" and ndim > 1:
        shapes[0], shapes[1] = (1, -1) + shapes[0][2:], (-1, 1) + shapes[1][2:]
    out = [reshape(x, s) for x, s in zip(arrays, shapes)]
    if not sparse:
        out = list(broadcast_arrays(*out))
    if copy:
        out = [x.copy() for x in out]
    return tuple(out)


def roll(a, shift, axis=None):
    a = _asarray(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    if isinstance(shift, ndarray):
        shift = shift.__array__()  # a few numbers, read on the host
    if _np.ndim(shift) > 1 or _np.ndim(axis) > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    if not isinstance(shift, numbers.Integral) or isinstance(axis, (tuple, list)):
        # Shifts pair with axes by broadcasting; shifts of one axis add up (NumPy's
        # int() of each: float shifts truncate).
        total = {}
        for s, ax in _np.broadcast(shift, axis):
            ax = _normalize_axis(int(ax), a.ndim)
            total[ax] = total.get(ax, 0) + int(s)
        result = a.copy() if not total else a
        for ax, s in total.items():
            result = roll(result, s, ax)
        return result
    axis = _normalize_axis(axis, a.ndim)
    n = a.shape[axis]
    if n == 0:
        return a.copy()
    k = operator.index(shift) % n
    if k == 0:
        return a.copy()
    return concatenate([a[_along(a.ndim, axis, slice(n - k, None))], a[_along(a.ndim, axis, slice(None, n - k))]], axis=axis)


def diff(a, n=1, axis=-1, prepend=_np._NoValue, append=_np._NoValue):
    """The ``n``-th differences along ``axis`` (``not_equal`` for booleans), on views."""
    from ._ufunc import not_equal, subtract

    if n == 0:
        return _asarray(a)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    a = _asarray(a)
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    _fallback.record_native("diff")
    axis = _normalize_axis(axis, a.ndim)
    pieces = []
    for value in (prepend, append):
        if value is _np._NoValue:
            pieces.append(None)
            continue
        v = _asarray(value)
        if v.ndim == 0:
            shape = list(a.shape)
            shape[axis] = 1
            v = broadcast_to(v, tuple(shape))
        pieces.append(v)
    if pieces[0] is not None or pieces[1] is not None:
        a = concatenate([p for p in (pieces[0], a, pieces[1]) if p is not None], axis=axis)
    op = not_equal if a.dtype == _np.bool_ else subtract
    later, earlier = _along(a.ndim, axis, slice(1, None)), _along(a.ndim, axis, slice(None, -1))
    for _ in range(n):
        a = op(a[later], a[earlier])
    return a


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with optional values before and after."""
    a = ravel(_asarray(ary))
    _fallback.record_native("ediff1d")
    parts = []
    for name, extra in (("to_begin", to_begin), ("to_end", to_end)):
        if extra is None:
            parts.append(None)
            continue
        e = ravel(_asarray(extra))
        if not _np.can_cast(e.dtype, a.dtype, casting="same_kind"):
            raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under the `same_kind` rule.")
        parts.append(e.astype(a.dtype))
    from ._ufunc import subtract

    d = subtract(a[1:], a[:-1])  # NumPy's subtraction: a TypeError for bools, unlike diff
    pieces = [p for p in (parts[0], d, parts[1]) if p is not None]
    return concatenate(pieces) if len(pieces) > 1 else d


def select(condlist, choicelist, default=0):
    """The choice of the first true condition, element by element (nested ``where``)."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if not condlist:
        raise ValueError("select with an empty condition list is not possible")
    conds = [_asarray(c) for c in condlist]
    for i, c in enumerate(conds):
        if c.dtype != _np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    _fallback.record_native("select")
    # NumPy's result type: Python numbers stay weak (a float16 choice with the default 0
    # stays float16).
    def kind(v):
        if type(v) in (int, float, complex):
            return v
        return v.dtype if isinstance(v, ndarray) else _np.asarray(_fallback.to_numpy(v)).dtype

    try:
        dt = _np.result_type(*[kind(c) for c in choicelist], kind(default))
    except TypeError as e:
        raise TypeError(f"Choicelist and default value do not have a common dtype: {e}") from None
    choices = [_asarray(c) for c in choicelist]
    # NumPy fills with the default cast unsafely (a Python -1 fills uint8 with 255).
    result = _asarray(_np.asarray(_fallback.to_numpy(default)).astype(dt)) if not isinstance(default, ndarray) else default.astype(dt)
    for c, v in zip(reversed(conds), reversed(choices)):
        result = where(c, v.astype(dt), result)
    shape = _np.broadcast_shapes(*[c.shape for c in conds], *[v.shape for v in choices])
    return result if result.shape == shape else broadcast_to(result, shape).copy()


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of ``y`` along ``axis`` by the trapezoidal rule (samples ``x`` or
    spacing ``dx``)."""
    from ._reduce import sum as _sum
    from ._ufunc import add, multiply

    y = _asarray(y)
    _fallback.record_native("trapezoid")
    if y.ndim == 0:
        raise IndexError("list assignment index out of range")  # NumPy's, slicing by axis
    axis = _normalize_axis(axis, y.ndim)
    if x is None:
        d = dx
    else:
        x = _asarray(x)
        if x.ndim == 1:
            d = diff(x)
            shape = [1] * y.ndim
            shape[axis] = d.shape[0]
            d = d.reshape(shape)
        else:
            d = diff(x, axis=axis)
    return _sum(multiply(d, add(y[_along(y.ndim, axis, slice(1, None))], y[_along(y.ndim, axis, slice(None, -1))])) / 2.0, axis=axis)


def gradient(f, *varargs, axis=None, edge_order=1):
    """Central differences inside, one-sided ones at the edges (first or second order),
    for scalar spacings or 1-d coordinates along each axis."""
    from ._ufunc import add, multiply, subtract

    f = _asarray(f)
    if f.dtype == _np.bool_:
        raise TypeError("numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.")
    axes = list(range(f.ndim)) if axis is None else _axis_list(axis, f.ndim)
    if len(varargs) == 0:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and _np.ndim(varargs[0]) == 0:
        spacing = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError("invalid number of arguments")
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    _fallback.record_native("gradient")
    if f.dtype.kind in "biu":
        f = f.astype(_np.float64)
    outputs = []
    for ax, d in zip(axes, spacing):
        n = f.shape[ax]
        if n < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at least (edge_order + 1) elements are required.")

        def part(sl, ax=ax):
            return _along(f.ndim, ax, sl)

        out = ndarray(f.shape, f.dtype)
        if _np.ndim(d) == 0:
            dx = d if _np.iscomplexobj(d) else float(d)
            out[part(slice(1, -1))] = (f[part(slice(2, None))] - f[part(slice(None, -2))]) / (2.0 * dx)
            if edge_order == 1:
                out[part(slice(0, 1))] = (f[part(slice(1, 2))] - f[part(slice(0, 1))]) / dx
                out[part(slice(-1, None))] = (f[part(slice(-1, None))] - f[part(slice(-2, -1))]) / dx
            else:
                out[part(slice(0, 1))] = add(add(multiply(-1.5 / dx, f[part(slice(0, 1))]), multiply(2.0 / dx, f[part(slice(1, 2))])),
                                             multiply(-0.5 / dx, f[part(slice(2, 3))]))
                out[part(slice(-1, None))] = add(add(multiply(0.5 / dx, f[part(slice(-3, -2))]), multiply(-2.0 / dx, f[part(slice(-2, -1))])),
                                                 multiply(1.5 / dx, f[part(slice(-1, None))]))
        else:
            x = _asarray(d)
            if x.dtype.kind in "biu":
                x = x.astype(_np.float64)  # NumPy: integer coordinates as float64
            if x.ndim != 1 or x.shape[0] != n:
                raise ValueError("when 1d, distances must match the length of the corresponding dimension")
            dxs = diff(x)
            dx1 = dxs[:-1].reshape(tuple(n - 2 if i == ax else 1 for i in range(f.ndim)))
            dx2 = dxs[1:].reshape(tuple(n - 2 if i == ax else 1 for i in range(f.ndim)))
            a = -dx2 / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            c = dx1 / (dx2 * (dx1 + dx2))
            out[part(slice(1, -1))] = add(add(multiply(a, f[part(slice(None, -2))]), multiply(b, f[part(slice(1, -1))])),
                                          multiply(c, f[part(slice(2, None))]))
            # The edge spacings as scalars of the coordinates' type, not weak Python
            # numbers: a float32 f with float64 coordinates computes its edges in
            # float64, as in NumPy.
            f64 = x.dtype.type
            if edge_order == 1:
                out[part(slice(0, 1))] = subtract(f[part(slice(1, 2))], f[part(slice(0, 1))]) / f64(dxs[0].item())
                out[part(slice(-1, None))] = subtract(f[part(slice(-1, None))], f[part(slice(-2, -1))]) / f64(dxs[-1].item())
            else:
                # NumPy's second-order one-sided weights from the first (last) two spacings.
                d1, d2 = f64(dxs[0].item()), f64(dxs[1].item())
                a0, b0, c0 = -(2.0 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2), -d1 / (d2 * (d1 + d2))
                out[part(slice(0, 1))] = add(add(multiply(a0, f[part(slice(0, 1))]), multiply(b0, f[part(slice(1, 2))])),
                                             multiply(c0, f[part(slice(2, 3))]))
                d1, d2 = f64(dxs[-2].item()), f64(dxs[-1].item())
                a1, b1, c1 = d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2), (2.0 * d2 + d1) / (d2 * (d1 + d2))
                out[part(slice(-1, None))] = add(add(multiply(a1, f[part(slice(-3, -2))]), multiply(b1, f[part(slice(-2, -1))])),
                                                 multiply(c1, f[part(slice(-1, None))]))
        outputs.append(out)
    return outputs[0] if len(axes) == 1 else tuple(outputs)


def unwrap(p, discont=None, axis=-1, *, period=2 * _np.pi):
    """Removes jumps larger than ``discont`` between neighbours along ``axis`` by adding
    multiples of ``period`` (NumPy's formula)."""
    from ._scan import cumsum
    from ._ufunc import absolute, equal, greater, less, logical_and, mod

    p = _asarray(p)
    _fallback.record_native("unwrap")
    dd = diff(p, axis=axis)  # first: NumPy's ValueError for a 0-d array
    axis = _normalize_axis(axis, p.ndim)
    if discont is None:
        discont = period / 2
    dtype = _np.result_type(dd.dtype, period)
    if dtype.kind in "iu":
        high, rem = divmod(period, 2)
        ambiguous = rem == 0
    else:
        high = period / 2
        ambiguous = True
    low = -high
    ddmod = mod(dd - low, period) + low
    if ambiguous:
        ddmod = where(logical_and(equal(ddmod, low), greater(dd, 0)), high, ddmod)
    correction = where(less(absolute(dd), discont), 0, ddmod - dd)
    up = p.astype(dtype)
    later = _along(p.ndim, axis, slice(1, None))
    up[later] = p[later] + cumsum(correction, axis=axis)
    return up
