"""Padding (NumPy's ``pad``): one axis at a time, the pad areas are built from views
of the array (slices, flips, gathers along the axis, reductions) and joined with one
``concatenate`` per axis, so each axis's padding sees the padding of the axes before
it, as in NumPy. A callable ``mode`` (a Python function per 1-d line) runs in NumPy.
"""

from __future__ import annotations

import numpy as _np

from . import _fallback
from ._array import ndarray
from ._creation import arange, asarray, full
from ._manip import _along, concatenate, flip

_MODE_KWARGS = {
    "constant": {"constant_values"},
    "edge": set(),
    "linear_ramp": {"end_values"},
    "maximum": {"stat_length"},
    "mean": {"stat_length"},
    "median": {"stat_length"},
    "minimum": {"stat_length"},
    "reflect": {"reflect_type"},
    "symmetric": {"reflect_type"},
    "wrap": set(),
    "empty": set(),
}


def _pairs(value, ndim, name, as_index=False):
    """``value`` broadcast to one (before, after) pair per axis (NumPy's rules)."""
    arr = _np.asarray(_fallback.to_numpy(value))
    if as_index:
        if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "b" or arr.size == 0):
            raise TypeError(f"`{name}` must be of integral type.")
        arr = arr.astype(_np.intp)
        if (arr < 0).any():
            raise ValueError("index can't contain negative values")
    try:
        pairs = _np.broadcast_to(arr, (ndim, 2))
    except ValueError:
        raise ValueError(f"operands could not be broadcast together with remapped shapes [original->remapped]: {arr.shape} and requested shape ({ndim},2)") from None
    return [tuple(p.item() for p in row) for row in pairs]


def _block(a: ndarray, axis: int, width: int, value) -> ndarray:
    shape = list(a.shape)
    shape[axis] = width
    return full(tuple(shape), value, a.dtype)


def _stat(a: ndarray, axis: int, length, mode: str, left: bool) -> ndarray:
    """The statistic of the first (last) ``length`` values along ``axis``."""
    from . import _reduce, _sort
    from ._ufunc import around

    n = a.shape[axis]
    length = n if length is None or length > n else length
    if length == 0 and mode in ("maximum", "minimum"):
        raise ValueError("stat_length of 0 yields no value for padding")
    part = a[_along(a.ndim, axis, slice(0, length) if left else slice(n - length, n))]
    func = {"maximum": _reduce.max, "minimum": _reduce.min, "mean": _reduce.mean, "median": _sort.median}[mode]
    stat = func(part, axis=axis, keepdims=True)
    if a.dtype.kind in "iu" and stat.dtype != a.dtype:
        stat = around(stat)  # NumPy rounds for integers; bools take any nonzero mean as True
    return stat.astype(a.dtype, copy=False)


def _reflect_axis(a: ndarray, axis: int, before: int, after: int, symmetric: bool, odd: bool) -> ndarray:
    """NumPy's reflection: chunks of at most one period mirrored in turn, each chunk
    mirroring the array padded so far (so ``odd`` reflections keep extrapolating)."""
    n = a.shape[axis]
    period = n if symmetric else n - 1
    while before > 0 or after > 0:
        length = a.shape[axis]
        usable = (length // period) * period if symmetric else ((length - 1) // period) * period
        cl, cr = min(usable, before), min(usable, after)
        parts = []
        if cl:
            chunk = flip(a[_along(a.ndim, axis, slice(0, cl) if symmetric else slice(1, cl + 1))], axis)
            if odd:
                chunk = (2 * a[_along(a.ndim, axis, slice(0, 1))] - chunk).astype(a.dtype, copy=False)
            parts.append(chunk)
        parts.append(a)
        if cr:
            sl = slice(length - cr, length) if symmetric else slice(length - 1 - cr, length - 1)
            chunk = flip(a[_along(a.ndim, axis, sl)], axis)
            if odd:
                chunk = (2 * a[_along(a.ndim, axis, slice(length - 1, length))] - chunk).astype(a.dtype, copy=False)
            parts.append(chunk)
        a = concatenate(parts, axis=axis)
        before -= cl
        after -= cr
    return a


def _ramp(a: ndarray, axis: int, width: int, end, left: bool) -> ndarray:
    from ._creation_more import linspace_general
    from ._manip import squeeze

    n = a.shape[axis]
    edge = squeeze(a[_along(a.ndim, axis, slice(0, 1) if left else slice(n - 1, n))], axis)
    ramp = linspace_general(end, edge, width, False, False, a.dtype, axis)
    return ramp if left else flip(ramp, axis)


def pad(array, pad_width, mode="constant", **kwargs):
    """``array`` padded by ``pad_width`` values before and after each axis, filled as
    ``mode`` says (NumPy's modes: constant, edge, linear_ramp, maximum, mean, median,
    minimum, reflect, symmetric, wrap, empty)."""
    from ._index import take
    from ._ufunc import clip, remainder

    a = asarray(array)
    if callable(mode):
        return _fallback.call("pad (callable mode)", _np.pad, (a, pad_width, mode), kwargs)
    if mode not in _MODE_KWARGS:
        raise ValueError(f"mode '{mode}' is not supported")
    unsupported = set(kwargs) - _MODE_KWARGS[mode]
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    widths = _pairs(pad_width, a.ndim, "pad_width", as_index=True)
    _fallback.record_native("pad")
    if a.ndim == 0:
        return a.copy()
    if mode not in ("constant", "empty"):
        for axis, (b, e) in enumerate(widths):
            if a.shape[axis] == 0 and (b or e):
                raise ValueError(f"can't extend empty axis {axis} using modes other than 'constant' or 'empty'")
    if mode == "constant":
        values = _pairs(kwargs.get("constant_values", 0), a.ndim, "constant_values")
    elif mode == "linear_ramp":
        values = _pairs(kwargs.get("end_values", 0), a.ndim, "end_values")
    elif mode in ("maximum", "mean", "median", "minimum"):
        lengths = kwargs.get("stat_length")
        values = [(None, None)] * a.ndim if lengths is None else _pairs(lengths, a.ndim, "stat_length", as_index=True)
    reflect_type = kwargs.get("reflect_type", "even")
    if reflect_type not in ("even", "odd"):
        raise ValueError(f"reflect_type must be 'even' or 'odd', got {reflect_type!r}")
    for axis, (before, after) in enumerate(widths):
        if not before and not after:
            continue
        n = a.shape[axis]
        if mode in ("constant", "empty"):
            vb, va = values[axis] if mode == "constant" else (0, 0)
            a = concatenate([_block(a, axis, before, vb), a, _block(a, axis, after, va)], axis=axis)
        elif mode in ("edge", "wrap") or (mode == "reflect" and n == 1):
            positions = arange(-before, n + after)
            positions = remainder(positions, n) if mode == "wrap" else clip(positions, 0, n - 1)
            a = take(a, positions, axis=axis)
        elif mode in ("reflect", "symmetric"):
            a = _reflect_axis(a, axis, before, after, mode == "symmetric", reflect_type == "odd")
        elif mode == "linear_ramp":
            end_before, end_after = values[axis]
            a = concatenate([_ramp(a, axis, before, end_before, True), a, _ramp(a, axis, after, end_after, False)], axis=axis)
        else:
            lb, la = values[axis]
            left = _stat(a, axis, lb, mode, True)
            right = _stat(a, axis, la, mode, False)
            shape_b, shape_a = list(a.shape), list(a.shape)
            shape_b[axis], shape_a[axis] = before, after
            from ._manip import broadcast_to

            a = concatenate([broadcast_to(left, tuple(shape_b)), a, broadcast_to(right, tuple(shape_a))], axis=axis)
    return a
