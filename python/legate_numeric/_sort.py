"""Sorting, searching and order statistics, natively: ``sort argsort partition
argpartition lexsort unique``, ``searchsorted isin interp``, and ``median quantile
percentile`` with their NaN-ignoring forms.

A sort runs along one axis; each point task owns whole lines (NumPy's order: NaNs
last, complex numbers lexicographically). Sorting is stable, so ``argsort`` gives
NumPy's ``kind="stable"`` positions whatever ``kind`` asks for (for the other kinds
NumPy leaves the order of ties unspecified).
"""

from __future__ import annotations

import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _empty, _normalize_axis, _to_out, ndarray

_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def _asarray(a) -> ndarray:
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(a))


def _sorted(name, numpy_func, a, axis, kind, order, indices, kth=None):
    """The sort task's values (or, with ``indices``, int64 positions) of ``a`` along
    ``axis`` (flattened for ``axis=None``); with ``kth`` (checked positions), only
    partitioned around them (a selection per line)."""
    a = _asarray(a)
    if kind not in _KINDS:
        raise ValueError(f"sort kind must be one of 'quick', 'heap', or 'stable' (got {kind!r})")
    if order is not None or a.dtype.kind not in "biufc":
        if kth is not None:
            return _fallback.call(name, numpy_func, (a, kth), dict(axis=axis, order=order))
        return _fallback.call(name, numpy_func, (a,), dict(axis=axis, kind=kind, order=order))
    if a.dtype == _np.float16:
        # No float16 sort kernel: float32 holds every float16 exactly, in the same order.
        result = _sorted(name, numpy_func, a.astype(_np.float32), axis, kind, order, indices, kth)
        return result if indices else result.astype(_np.float16)
    if axis is None:
        a, axis = a.reshape(-1), 0
    elif a.ndim == 0:
        if not indices:
            raise _np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension 0")
        a = a.reshape(1)  # NumPy's argsort (not sort) takes a 0-d array as 1-d
    _fallback.record_native(name)
    if kth is not None and a.size:
        axis = _normalize_axis(axis, a.ndim)
        n = a.shape[axis]
        ks = sorted({int(k) + n if int(k) < 0 else int(k) for k in _np.atleast_1d(_np.asarray(kth)).reshape(-1)})
        out = _empty(a.shape, _np.dtype(_np.int64) if indices else a.dtype)
        if ks:
            _ext.sort(a._store, out._store, axis, indices, ks)
        elif indices:
            from ._creation import arange

            out[...] = arange(n).reshape((n,) + (1,) * (a.ndim - 1 - axis))
        else:
            out[...] = a
        return out
    if not indices and a.ndim == 1 and a.size >= _DISTRIBUTED_MIN and _num_ranks() > 1:
        # Across ranks: a sample sort (each value moves at most once between ranks).
        return ndarray._wrap(_ext.sort_distributed(a._store), a.dtype)
    out = _empty(a.shape, _np.dtype(_np.int64) if indices else a.dtype)
    _ext.sort(a._store, out._store, _normalize_axis(axis, a.ndim), indices)
    return out


# 1-d sorts of at least this many values use the sample sort on several ranks.
_DISTRIBUTED_MIN = 1 << 12
_RANKS = []


def _num_ranks() -> int:
    if not _RANKS:
        _RANKS.append(_ext.runtime_info()["num_ranks"])
    return _RANKS[0]


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """A sorted copy of ``a`` along ``axis`` (flattened for ``axis=None``)."""
    return _sorted("sort", _np.sort, a, axis, kind, order, False)


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """The int64 positions that sort ``a`` along ``axis`` (stably)."""
    return _sorted("argsort", _np.argsort, a, axis, kind, order, True)


def sort_in_place(a, axis=-1, kind=None, order=None):
    """``ndarray.sort``: sorts ``a`` itself along ``axis``."""
    if axis is None:
        raise TypeError("'NoneType' object cannot be interpreted as an integer")
    a[...] = sort(a, axis, kind, order)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True, sorted=True):  # noqa: A002
    """The sorted distinct values of the flattened array (NaNs collapse into one with
    ``equal_nan``), with NumPy's optional first positions, inverse and counts: a stable
    argsort (a sort when no positions are asked for), a comparison of neighbours and a
    compress. ``sorted=False`` allows any order: they come sorted anyway."""
    from ._creation import arange
    from ._index import nonzero
    from ._scan import cumsum
    from ._ufunc import isnan, not_equal

    a = _asarray(ar)
    if axis is None and a.dtype == _np.float16:
        # Through float32 (exact, same order), the values rounded back exactly.
        result = unique(a.astype(_np.float32), return_index, return_inverse, return_counts, equal_nan=equal_nan)
        if isinstance(result, tuple):
            return (result[0].astype(_np.float16),) + result[1:]
        return result.astype(_np.float16)
    if axis is not None and a.dtype.kind in "biuf":
        return _unique_along(a, axis, return_index, return_inverse, return_counts)
    if axis is not None or a.dtype.kind not in "biuf":
        return _fallback.call("unique", _np.unique, (a,), dict(return_index=return_index, return_inverse=return_inverse,
                                                               return_counts=return_counts, axis=axis, equal_nan=equal_nan))
    _fallback.record_native("unique")
    flat = a.reshape(-1)
    n = flat.size
    if return_index or return_inverse:
        perm = argsort(flat)
        ordered = flat[perm]
    else:  # the values alone: a sort, without positions or a gather
        ordered = sort(flat)
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


def _unique_along(a, axis, return_index, return_inverse, return_counts):
    """``unique(a, axis=axis)``: the distinct slices along ``axis``, in lexicographic
    order (NumPy compares them as records of their elements): a stable lexicographic
    sort of the flattened slices, a comparison of neighbours, a compress."""
    from ._creation import arange, zeros
    from ._index import nonzero
    from ._manip import moveaxis
    from ._reduce import any as _any
    from ._scan import cumsum
    from ._ufunc import not_equal

    axis = _normalize_axis(axis, a.ndim, "axis")
    _fallback.record_native("unique")
    moved = moveaxis(a, axis, 0)
    n = moved.shape[0]
    width = 1
    for d in moved.shape[1:]:
        width *= d
    rows = moved.reshape(n, width)
    if n == 0 or width == 0:
        # No elements to compare: NumPy's answer from an empty array of the same shape.
        host = _np.unique(_np.zeros(a.shape, a.dtype), return_index=return_index, return_inverse=return_inverse,
                          return_counts=return_counts, axis=axis)
        return tuple(ndarray._from_numpy(h) for h in host) if isinstance(host, tuple) else ndarray._from_numpy(host)
    # The first column is the primary key: lexsort takes the primary key last.
    perm = lexsort([rows[:, j] for j in range(width - 1, -1, -1)]) if width > 1 else argsort(rows[:, 0])
    ordered = rows[perm]
    first = _empty((n,), _np.dtype(_np.bool_))
    first[:1] = True
    if n > 1:
        _any(not_equal(ordered[1:], ordered[:-1]), axis=1, out=first[1:])
    starts = nonzero(first)[0]
    unique_rows = ordered[starts]
    result = [moveaxis(unique_rows.reshape((starts.size,) + tuple(moved.shape[1:])), 0, axis)]
    if return_index:
        result.append(perm[starts])
    if return_inverse:
        inverse = zeros((n,), _np.int64)
        inverse[perm] = cumsum(first) - 1
        result.append(inverse)
    if return_counts:
        ends = _empty((starts.size,), _np.dtype(_np.int64))
        ends[:-1] = starts[1:]
        ends[-1:] = n
        result.append(ends - starts if starts.size else arange(0))
    return result[0] if len(result) == 1 else tuple(result)


# ---- order statistics: median, quantile, percentile ----


def _lines(a, axis):
    """``a`` with the axes of ``axis`` (None: all) merged into one last axis, and the
    shape the result has with ``keepdims``."""
    from ._manip import _axis_list

    if axis is None:
        axes = list(range(a.ndim))
    else:
        axes = _axis_list(axis, a.ndim)
    kept = [d for d in range(a.ndim) if d not in axes]
    keep_shape = tuple(1 if d in axes else a.shape[d] for d in range(a.ndim))
    moved = a.transpose(kept + sorted(axes))
    n = 1
    for d in axes:
        n *= a.shape[d]
    return moved.reshape(tuple(a.shape[d] for d in kept) + (n,)), keep_shape


def _order_statistic(name, a, axis, keepdims, out, compute, numpy_call, check_out=None):
    """``compute(lines, dtype)`` over the merged ``axis`` of ``a``; the result dtype is
    what ``numpy_call`` gives for one zero of ``a``'s dtype. ``check_out(result)``
    raises NumPy's error for an ``out`` that NumPy's own computation would refuse (it
    is copied into otherwise)."""
    a = _asarray(a)
    if a.dtype.kind not in "biuf":
        return None
    _fallback.record_native(name)
    lines, keep_shape = _lines(a, axis)
    result_dtype = _np.asarray(numpy_call(_np.zeros(1, a.dtype))).dtype
    result = compute(lines, result_dtype)
    if keepdims:
        result = result.reshape(result.shape[: result.ndim - (lines.ndim - 1)] + keep_shape)
    if out is not None and check_out is not None:
        check_out(result)
    return _to_out(result, out)


def _selected(lines, positions):
    """``lines`` partitioned so that ``positions`` hold their sorted values: a
    selection per line, not a sort."""
    return _sorted("sort", _np.sort, lines, -1, None, None, False, sorted({int(k) for k in positions}))


def _sorted_lines(lines, needed):
    """``lines`` partitioned so that the positions ``needed`` (and the last one, for
    the NaN test) hold their sorted values."""
    s = _selected(lines, (*needed, lines.shape[-1] - 1))
    # NumPy: a line holding a NaN has a NaN statistic (NaNs sort last).
    nan = None
    if s.dtype.kind == "f" and s.shape[-1]:
        from ._ufunc import isnan

        nan = isnan(s[..., -1])
    return s, nan


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle value (the mean of the two middle ones) along ``axis``, by sorting."""
    from ._creation import full
    from ._manip import where

    def compute(lines, dt):
        n = lines.shape[-1]
        if n == 0:
            import warnings

            warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=4)
            return full(lines.shape[:-1], _np.nan, dt)
        lo, hi = (n - 1) // 2, n // 2
        s, nan = _sorted_lines(lines, (lo, hi))
        mid = s[..., lo].astype(dt) if lo == hi else (s[..., lo].astype(dt) + s[..., hi].astype(dt)) / dt.type(2)
        return where(nan, dt.type(_np.nan), mid) if nan is not None else mid

    def reduction_out(result):  # NumPy's median ends in a mean into ``out``
        from ._reduce import _check_out

        _check_out(out, result.shape, "add")

    result = _order_statistic("median", a, axis, keepdims, out, compute, _np.median, reduction_out)
    if result is None:
        return _fallback.call("median", _np.median, (a,), dict(axis=axis, out=out, keepdims=keepdims))
    return result


def _quantiles(q, top, what):
    """``q`` as NumPy passed it and as a float64 array, checked to lie in [0, top]."""
    q_np = _fallback.to_numpy(q)
    qs = _np.asarray(q_np, dtype=_np.float64)
    if qs.size and (qs.min() < 0 or qs.max() > top or _np.isnan(qs).any()):
        raise ValueError(f"{what} must be in the range [0, {top}]")
    return q_np, qs


def _lerp(lo, hi, frac, dt):
    """NumPy's ``_lerp`` of sorted neighbours: the difference in the array's float type
    (integers in ``dt``), weighted from the nearer end so that 0 and 1 give the ends
    exactly; ``frac`` a number or an array."""
    from ._manip import where

    if lo.dtype.kind != "f":
        lo, hi = lo.astype(dt), hi.astype(dt)
    diff = hi - lo
    if isinstance(frac, ndarray):
        v = where(frac >= 0.5, hi - diff * (1 - frac).astype(dt), lo + diff * frac.astype(dt))
    else:
        v = hi - diff * dt.type(1 - frac) if frac >= 0.5 else lo + diff * dt.type(frac)
    return v if v.dtype == dt else v.astype(dt)


def _stack_quantiles(results, qs, lines, dt):
    """One result per quantile, stacked in front of the lines' shape (as ``qs``)."""
    from ._manip import stack

    r = stack(results) if results else _empty((0,) + lines.shape[:-1], dt)
    return r.reshape(qs.shape + lines.shape[:-1])


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
    """Quantiles along ``axis`` by every method NumPy has (``q`` a number or an array in
    [0, 1]): the lines are sorted natively; which sorted neighbours and what weight
    between them each method takes depends only on the line length and ``q``, and is
    asked of NumPy's own method table (host arithmetic on ``q`` alone)."""
    from numpy.lib import _function_base_impl as _impl

    from ._manip import where

    if weights is not None:
        return _weighted_quantile(_asarray(a), q, axis, out, method, keepdims, weights)
    props = _impl._QuantileMethods.get(method)
    if props is None:
        raise ValueError(f"{method!r} is not a valid method. Use one of: {_impl._QuantileMethods.keys()}")
    q_np, qs = _quantiles(q, 1, "Quantiles")

    def compute(lines, dt):
        n = lines.shape[-1]
        if n == 0:
            raise IndexError("index -1 is out of bounds for axis 0 with size 0")
        virtual = _np.asanyarray(props["get_virtual_index"](n, _np.asanyarray(q_np)))
        results = []
        if props["fix_gamma"] is None or (method == "linear" and virtual.dtype.kind in "iu"):
            # The method picks sorted elements; no interpolation.
            s, nan = _sorted_lines(lines, virtual.reshape(-1))
            for i in virtual.reshape(-1):
                v = s[..., int(i)]
                v = v if v.dtype == dt else v.astype(dt)
                results.append(where(nan, dt.type(_np.nan), v) if nan is not None else v)
        else:
            interpolated.append(True)
            below, above = _impl._get_indexes(_np.empty(0, lines.dtype), virtual, n)
            gamma = _impl._get_gamma(virtual, below, props)
            s, nan = _sorted_lines(lines, _np.concatenate([below.reshape(-1), above.reshape(-1)]))
            for lo, hi, g in zip(below.reshape(-1), above.reshape(-1), _np.asarray(gamma).reshape(-1)):
                v = _lerp(s[..., int(lo)], s[..., int(hi)], float(g), dt)
                results.append(where(nan, dt.type(_np.nan), v) if nan is not None else v)
        return _stack_quantiles(results, qs, lines, dt)

    interpolated = []

    def lerp_out(result):  # NumPy interpolates with ufuncs into ``out``: same_kind
        if interpolated and not _np.can_cast(result.dtype, out.dtype, "same_kind"):
            raise _np._core._exceptions._UFuncOutputCastingError(_np.add, "same_kind", result.dtype, out.dtype, 0)

    result = _order_statistic("quantile", a, axis, keepdims, out, compute, lambda z: _np.quantile(z, q_np, method=method), lerp_out)
    if result is None:
        return _fallback.call("quantile", _np.quantile, (a, q), dict(axis=axis, out=out, method=method, keepdims=keepdims))
    return result


def _weighted_quantile(a, q, axis, out, method, keepdims, weights, skip_nan=False):
    """NumPy's weighted quantile (``inverted_cdf``, the one method taking weights):
    each line sorted with its weights, their normalized cumulative sum, and for each
    ``q`` the first value whose cumulative weight reaches it (a count of the smaller
    ones: no per-line search). With ``skip_nan`` (``nanquantile``) a NaN and its
    weight leave the line, as NumPy removes them: its weight counts as zero, so the
    search never reaches the NaNs sorted last, and an all-NaN line gives NaN."""
    from ._fperr import errstate
    from ._index import take_along_axis
    from ._manip import where
    from ._reduce import any as _any, sum as _sum, weights_like
    from ._scan import cumsum
    from ._ufunc import isnan, less, minimum

    if a.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    if method != "inverted_cdf":
        raise ValueError(f"Only method 'inverted_cdf' supports weights. Got: {method}.")
    q_np, qs = _quantiles(q, 1, "Quantiles")
    w = _asarray(weights)
    axes = None if axis is None else tuple(_normalize_axis(x, a.ndim, "axis") for x in (axis if isinstance(axis, tuple) else (axis,)))
    w = weights_like(a, w, axes)
    if bool(_any(less(w, 0))):
        raise ValueError("Weights must be non-negative.")
    q_dtype = _np.asanyarray(q_np).dtype
    skip_nan = skip_nan and a.dtype.kind == "f"
    if skip_nan:
        w = where(isnan(a), w.dtype.type(0), w)

    def compute(lines, dt):
        wlines, _ = _lines(w, axes)
        n = lines.shape[-1]
        if n == 0:
            raise IndexError("index -1 is out of bounds for axis 0 with size 0")
        order = argsort(lines, axis=-1)
        s = take_along_axis(lines, order, -1)
        cdf = cumsum(take_along_axis(wlines, order, -1), axis=-1, dtype=_np.float64)
        with errstate(divide="ignore", invalid="ignore"):  # ours: the division may run later
            cdf = cdf / cdf[..., -1:]
        if skip_nan:
            # Lines of NaNs alone have nothing left: NaN, with NumPy's warning.
            nan = isnan(s[..., 0])
            if bool(_any(nan)):
                import warnings

                warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=4)
            bad = _any(isnan(cdf[..., -1]) & ~nan)
        else:
            nan = isnan(s[..., -1]) if s.dtype.kind == "f" else None
            bad = _any(isnan(cdf[..., -1]))
        if bool(bad):
            raise ValueError("Weights included NaN, inf or were all zero.")
        if q_dtype.kind == "f":
            cdf = cdf.astype(q_dtype)
        results = []
        for t in _np.asarray(q_np, dtype=q_dtype).reshape(-1):
            # searchsorted(cdf, t, "left") is how many cumulative weights lie below t;
            # leading zero weights count as below (NumPy sets them to -1).
            below = _sum(less(where(cdf == 0, q_dtype.type(-1) if q_dtype.kind == "f" else -1, cdf), t), axis=-1, keepdims=True)
            v = take_along_axis(s, minimum(below, n - 1), -1)[..., 0]
            v = v if v.dtype == dt else v.astype(dt)
            results.append(where(nan, dt.type(_np.nan), v) if nan is not None else v)
        return _stack_quantiles(results, qs, lines, dt)

    return _order_statistic("quantile", a, axes, keepdims, out, compute,
                            lambda z: _np.quantile(z, q_np, method=method, weights=_np.ones(1)))


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
    """``quantile`` with ``q`` in percent."""
    q_np, _ = _quantiles(q, 100, "Percentiles")
    # A Python number stays weak (NumPy's result type is the array's, float16 included).
    fraction = q / 100 if type(q) in (int, float) else _np.true_divide(q_np, 100)
    return quantile(a, fraction, axis, out, overwrite_input, method, keepdims, weights=weights)


# ---- searching and partial orders ----


def searchsorted(a, v, side="left", sorter=None):
    """Where each of ``v`` goes in the sorted 1-d ``a`` to keep it sorted (binary searches,
    one task per piece of ``v``)."""
    from ._index import take

    a = _asarray(a)
    if a.ndim != 1:
        raise ValueError("object too deep for desired array")
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right' (got {side!r})")
    if sorter is not None:
        a = take(a, _asarray(sorter))
    scalar = _np.ndim(v) == 0 and not isinstance(v, ndarray)
    values = _asarray(v)
    dt = _np.result_type(a.dtype, values.dtype)
    if dt == _np.float16:
        dt = _np.dtype(_np.float32)  # exact and in the same order
    if dt.kind not in "biufc":
        return _fallback.call("searchsorted", _np.searchsorted, (a, v), dict(side=side))
    _fallback.record_native("searchsorted")
    a = a if a.dtype == dt else a.astype(dt)
    values = values if values.dtype == dt else values.astype(dt)
    out = _empty(values.shape, _np.dtype(_np.int64))
    if out.size:
        _ext.searchsorted(a._store, values._store, out._store, side == "right")
    return out[()] if scalar else out


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """``a`` partitioned around ``kth`` along ``axis``: a selection per line (each kth
    element where a sort puts it, smaller ones before, larger after)."""
    a = _asarray(a)
    if a.ndim == 0 and axis is not None:
        _normalize_axis(axis, 0)  # NumPy checks the axis (AxisError) before kth
    _check_kth(a, kth, axis)
    return _sorted("partition", _np.partition, a, axis, None, order, False, kth)


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """Positions that partition ``a`` around ``kth`` (ties in their original order)."""
    a = _asarray(a)
    _check_kth(a, kth, axis)
    return _sorted("argpartition", _np.argpartition, a, axis, None, order, True, kth)


def _check_kth(a, kth, axis):
    # A 0-d array has one element: argpartition takes it as 1-d (as argsort does), and
    # partition's sort then raises NumPy's AxisError.
    n = a.size if axis is None or a.ndim == 0 else a.shape[_normalize_axis(axis, a.ndim)]
    ks = _np.asarray(kth)
    if ks.dtype == _np.bool_:
        raise ValueError("Booleans unacceptable as partition index")
    if ks.dtype.kind not in "iu":
        raise TypeError("Partition index must be integer")
    if ks.ndim > 1:
        raise ValueError("kth must be a scalar or a 1-d sequence of integers")
    for k in _np.atleast_1d(ks) if a.size else ():  # NumPy checks no bounds when empty
        if not -n <= int(k) < n:
            raise ValueError(f"kth(={int(k)}) out of bounds ({n})")


def lexsort(keys, axis=-1):
    """The order by the last key, ties broken by the one before, ...: one stable argsort
    per key, least significant first."""
    from ._index import take_along_axis

    if isinstance(keys, ndarray) and keys.ndim == 0:
        keys = ()  # NumPy: a 0-d array is no sequence of keys
    keys = [_asarray(k) for k in keys] if not isinstance(keys, ndarray) else [keys[i] for i in range(keys.shape[0])]
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if all(k.ndim == 0 for k in keys):
        if operator.index(axis) not in (0, -1):
            raise _np.exceptions.AxisError(axis, 0)
        return _np.intp(0)  # NumPy: keys that are numbers order one element
    _fallback.record_native("lexsort")
    # Least significant key first; each stable sort keeps the order of its ties.
    order = argsort(keys[0], axis)
    for key in keys[1:]:
        order = take_along_axis(order, argsort(take_along_axis(key, order, axis), axis), axis)
    return order


def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """Whether each element is among ``test_elements``: a search in their sorted values."""
    from ._index import take
    from ._ufunc import equal, logical_not, minimum

    if kind not in (None, "sort", "table"):
        raise ValueError(f"Invalid kind: '{kind}'. Please use None, 'sort' or 'table'.")
    e, t = _asarray(element), _asarray(test_elements).reshape(-1)
    if kind == "table" and (e.dtype.kind not in "biu" or t.dtype.kind not in "biu"):
        raise ValueError("The 'table' method is only supported for boolean or integer arrays. Please select 'sort' or None for kind.")
    dt = _np.result_type(e.dtype, t.dtype)
    if dt == _np.float16:
        dt = _np.dtype(_np.float32)  # exact
    if dt.kind not in "biuf":
        return _fallback.call("isin", _np.isin, (e, t), dict(assume_unique=assume_unique, invert=invert, kind=kind))
    _fallback.record_native("isin")
    if t.size == 0:
        result = _empty(e.shape, _np.dtype(_np.bool_))
        result.fill(invert)
        return result
    table = sort(t.astype(dt) if t.dtype != dt else t)
    values = e.astype(dt) if e.dtype != dt else e
    pos = minimum(searchsorted(table, values), t.size - 1)
    found = equal(take(table, pos), values)
    return logical_not(found) if invert else found


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of the points (``xp``, ``fp``) at ``x`` (``xp``
    increasing): a binary search for each ``x``, then NumPy's formula. Complex ``fp``
    interpolates its two parts (NumPy's complex loop); ``period`` wraps ``x`` and
    ``xp`` into one period, sorts ``xp`` and adds a point at each end, as NumPy does."""
    from ._index import take
    from ._manip import concatenate
    from ._ufunc import remainder

    x, xp, fp = _asarray(x), _asarray(xp), _asarray(fp)
    for v in (x, xp):
        if v.dtype.kind == "c":
            raise TypeError(f"Cannot cast array data from {v.dtype!r} to dtype('float64') according to the rule 'safe'")
    f64 = _np.dtype(_np.float64)
    value_dt = _np.dtype(_np.complex128) if fp.dtype.kind == "c" else f64
    if period is not None:
        if period == 0:
            raise ValueError("period must be a non-zero value")
        period = abs(float(period))
        left = right = None
        if xp.ndim != 1 or fp.ndim != 1:
            raise ValueError("Data points must be 1-D sequences")
        if xp.shape[0] != fp.shape[0]:
            raise ValueError("fp and xp are not of the same length")
        x = remainder(x.astype(f64), period)
        xp = remainder(xp.astype(f64), period)
        order = argsort(xp)
        xp, fp = take(xp, order), take(fp.astype(value_dt), order)
        xp = concatenate((xp[-1:] - period, xp, xp[:1] + period))
        fp = concatenate((fp[-1:], fp, fp[:1]))
    if xp.ndim != 1 or fp.ndim != 1:
        raise ValueError("object too deep for desired array")
    if xp.shape[0] != fp.shape[0]:
        raise ValueError("fp and xp are not of the same length.")
    if xp.shape[0] == 0:
        raise ValueError("array of sample points is empty")
    _fallback.record_native("interp")
    x, xp, fp = (v if v.dtype == dt else v.astype(dt) for v, dt in ((x, f64), (xp, f64), (fp, value_dt)))
    if value_dt == f64:
        return _interp_part(x, xp, fp, left, right, False)
    # NumPy's complex loop: each part with (dy) * (1 / dx) slopes; a NaN x gives NaN + 0j.
    from ._manip import where
    from ._ufunc import isnan

    lo = None if left is None else complex(left)
    hi = None if right is None else complex(right)
    result = _empty(x.shape, value_dt)
    result.real[...] = _interp_part(x, xp, fp.real, None if lo is None else lo.real, None if hi is None else hi.real, True)
    imag = _interp_part(x, xp, fp.imag, None if lo is None else lo.imag, None if hi is None else hi.imag, True)
    result.imag[...] = where(isnan(x), 0.0, imag) if xp.shape[0] > 1 else imag
    return result


def _interp_part(x, xp, fp, left, right, inverse_slope):
    """NumPy's real interpolation loop (float64 ``x``, ``xp``, ``fp``): the value below,
    at and above the points, the slope of each interval (``dy / dx``, or ``dy * (1 / dx)``
    as its complex loop computes it), retried from the right end when it gives NaN; a
    NaN ``x`` passes through (one point: ``fp[0]``, as NumPy's one-point loop)."""
    from ._fperr import errstate

    # NumPy's loop computes without floating-point warnings (infinite slopes give NaNs
    # that it then replaces); ours flushes the deferred work around it.
    with errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _interp_values(x, xp, fp, left, right, inverse_slope)


def _interp_values(x, xp, fp, left, right, inverse_slope):
    from ._index import take
    from ._manip import where
    from ._ufunc import equal, greater, isnan, less, logical_and, minimum, maximum

    n = xp.shape[0]
    lo_value = fp[0].item() if left is None else float(left)
    hi_value = fp[-1].item() if right is None else float(right)
    if n == 1:
        result = where(less(x, xp[0].item()), lo_value, where(greater(x, xp[0].item()), hi_value, fp[0].item()))
        return result if result.shape == x.shape else result.reshape(x.shape)
    # j with xp[j] <= x < xp[j + 1], clipped to the inner intervals.
    j = maximum(minimum(searchsorted(xp, x, "right") - 1, n - 2), 0)
    x0, x1, y0, y1 = take(xp, j), take(xp, j + 1), take(fp, j), take(fp, j + 1)
    slope = (y1 - y0) * (1.0 / (x1 - x0)) if inverse_slope else (y1 - y0) / (x1 - x0)
    value = slope * (x - x0) + y0
    # NumPy: a NaN from an infinite slope is retried from the right end, then the flat value.
    retry = slope * (x - x1) + y1
    value = where(isnan(value), where(logical_and(isnan(retry), equal(y0, y1)), y0, retry), value)
    value = where(equal(x, x0), y0, value)
    value = where(equal(x, xp[-1].item()), fp[-1].item(), value)
    value = where(less(x, xp[0].item()), lo_value, value)
    value = where(greater(x, xp[-1].item()), hi_value, value)
    return where(isnan(x), x, value)  # NumPy passes a NaN x through


# ---- NaN-ignoring order statistics ----


def _nan_quantile_by_method(s, count, t, method, q_dtype, dt):
    """One quantile ``t`` of each sorted line ``s`` (NaNs last) among its first
    ``count`` values, by NumPy's ``method``: the positions and weights come from NumPy's
    method table, evaluated on the host for the lines' counts (one small read)."""
    from numpy.lib import _function_base_impl as _impl

    from ._index import take_along_axis

    props = _impl._QuantileMethods[method]
    counts = _np.asarray(count.__array__()[..., 0], dtype=_np.intp)
    q = _np.asarray(t, dtype=q_dtype)
    # Per distinct line length (a Python int, as NumPy's 1-d quantile sees it): the
    # positions below and above, and the weight between them.
    picks = not (props["fix_gamma"] is None or (method == "linear" and _np.asanyarray(props["get_virtual_index"](1, q)).dtype.kind in "iu"))
    below, above, gamma = (_np.zeros(counts.shape, _np.int64) for _ in range(3))
    gamma = gamma.astype(_np.float64)
    for c in _np.unique(counts):
        n = max(int(c), 1)  # all-NaN lines: any position (their answer is NaN)
        line = counts == c
        virtual = _np.asanyarray(props["get_virtual_index"](n, q))
        if not picks:
            lo = hi = virtual
            g = 0.0
        else:
            lo, hi = _impl._get_indexes(_np.empty(0, s.dtype), virtual, n)
            g = _impl._get_gamma(virtual, lo, props)
        # NumPy's -1 is a line's last number, not the sorted NaNs after it.
        below[line] = n - 1 if int(lo) < 0 else int(lo)
        above[line] = n - 1 if int(hi) < 0 else int(hi)
        gamma[line] = float(g)

    def column(idx):
        return ndarray._from_numpy(_np.array(idx, dtype=_np.int64)[..., None])

    lo = take_along_axis(s, column(below), -1)[..., 0]
    if not picks:
        return lo if lo.dtype == dt else lo.astype(dt)
    hi = take_along_axis(s, column(above), -1)[..., 0]
    return _lerp(lo, hi, ndarray._from_numpy(_np.array(gamma)), dt)


def _nan_median_by_selection(lines, count, dt):
    """The NaN-ignoring median of lines that all hold the same number ``c > 0`` of
    numbers (the common case: no NaN, or one line), by selecting positions
    ``(c - 1) // 2`` and ``c // 2`` (NaNs sort last, after them) instead of sorting.
    None when the counts differ (one small read tells)."""
    from ._reduce import max as _max, min as _min

    if count.size == 0:
        return None
    # The least and greatest count (both launched before either is read), not the
    # counts themselves (one per line) read to the host.
    fewest, most = _min(count), _max(count)
    c = int(fewest)
    if c == 0 or int(most) != c:
        return None
    lo_k, hi_k = (c - 1) // 2, c // 2
    s = _selected(lines, (lo_k, hi_k))
    # (lo + hi) / 2 even when lo is hi, as the sorting path and NumPy's small-line
    # nanmedian compute it.
    return (s[..., lo_k].astype(dt) + s[..., hi_k].astype(dt)) / dt.type(2)


def _nan_quantiles(qs, median_mode, method="linear", q_dtype=_np.float64):
    """Quantiles ``qs`` of the numbers that are not NaN in each line: sorted lines put
    the NaNs last, so each line's quantile positions come from its own count."""
    from ._index import take_along_axis
    from ._manip import where
    from ._reduce import _warn, any as _any, sum as _sum
    from ._ufunc import equal, isnan, logical_not, maximum, minimum

    def compute(lines, dt):
        if lines.shape[-1] == 0:
            # NumPy: empty lines give NaN with nanmean's warning.
            import warnings

            from ._creation import full

            warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=4)
            empty = full(lines.shape[:-1], _np.nan, dt)
            return empty if median_mode else _stack_quantiles([empty] * qs.size, qs, lines, dt)
        count = _sum(logical_not(isnan(lines)), axis=-1, keepdims=True)
        if bool(_any(equal(count, 0))):
            _warn("All-NaN slice encountered")  # NumPy's warning; those lines give NaN
        if median_mode:
            by_selection = _nan_median_by_selection(lines, count, dt)
            if by_selection is not None:
                return by_selection
        s = sort(lines, axis=-1)
        last = maximum(count - 1, 0)
        results = []
        for t in qs.reshape(-1):
            if median_mode:
                lo_idx = last // 2
                hi_idx = minimum(lo_idx + (1 - count % 2), last)
                lo = take_along_axis(s, lo_idx, -1)[..., 0].astype(dt)
                hi = take_along_axis(s, hi_idx, -1)[..., 0].astype(dt)
                v = (lo + hi) / dt.type(2)
            elif method != "linear":
                v = _nan_quantile_by_method(s, count, t, method, q_dtype, dt)
            else:
                pos = last.astype(_np.float64) * t
                lo_idx = pos.astype(_np.int64)
                hi_idx = minimum(lo_idx + 1, last)
                lo = take_along_axis(s, lo_idx, -1)[..., 0]
                hi = take_along_axis(s, hi_idx, -1)[..., 0]
                v = _lerp(lo, hi, (pos - lo_idx)[..., 0], dt)
            results.append(where(equal(count[..., 0], 0), dt.type(_np.nan), v))
        return results[0] if median_mode else _stack_quantiles(results, qs, lines, dt)

    return compute


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median of the numbers that are not NaN (NaN for all-NaN lines)."""
    a = _asarray(a)
    if a.dtype.kind == "c":  # NaNs to skip, and no native complex order statistics
        return _fallback.call("nanmedian", _np.nanmedian, (a,), dict(axis=axis, out=out, keepdims=keepdims))
    if a.dtype.kind != "f":
        # NumPy's nanmedian assigns into ``out`` (broadcasting), where median reduces.
        return _to_out(median(a, axis, None, overwrite_input, keepdims), out)
    compute = _nan_quantiles(_np.asarray(0.5), True)
    result = _order_statistic("nanmedian", a, axis, keepdims, out, compute, lambda z: _np.nanmedian(z))
    if result is None:
        return _fallback.call("nanmedian", _np.nanmedian, (a,), dict(axis=axis, out=out, keepdims=keepdims))
    return result


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
    """Quantiles of the numbers that are not NaN, by every method NumPy has (with
    ``weights``, ``inverted_cdf``: a NaN's weight leaves with it)."""
    from numpy.lib import _function_base_impl as _impl

    a = _asarray(a)
    if method not in _impl._QuantileMethods:
        raise ValueError(f"{method!r} is not a valid method. Use one of: {_impl._QuantileMethods.keys()}")
    if weights is not None:
        if a.size == 0:
            # NumPy answers an empty array with nanmean's (NaNs, "Mean of empty slice").
            from ._reduce import nanmean

            _quantiles(q, 1, "Quantiles")
            return nanmean(a, axis, out=out, keepdims=keepdims)
        return _weighted_quantile(a, q, axis, out, method, keepdims, weights, skip_nan=True)
    if a.dtype.kind != "f":
        return quantile(a, q, axis, out, overwrite_input, method, keepdims)
    q_np, qs = _quantiles(q, 1, "Quantiles")
    compute = _nan_quantiles(qs, False, method, _np.asanyarray(q_np).dtype)
    return _order_statistic("nanquantile", a, axis, keepdims, out, compute, lambda z: _np.nanquantile(z, q_np, method=method))


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
    """``nanquantile`` with ``q`` in percent."""
    q_np, _ = _quantiles(q, 100, "Percentiles")
    fraction = q / 100 if type(q) in (int, float) else _np.true_divide(q_np, 100)  # a Python q stays weak
    return nanquantile(a, fraction, axis, out, overwrite_input, method, keepdims, weights=weights)
