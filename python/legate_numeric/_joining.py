"""Joining, splitting and rearranging (NumPy's "Joining arrays", "Splitting arrays",
"Rearranging elements" and "Transpose-like operations" beyond ``_manip``): ``block
column_stack row_stack concat unstack hsplit vsplit dsplit permute_dims
matrix_transpose rot90 rollaxis``.

Everything here is views (of the same store) or one ``concatenate``.
"""

from __future__ import annotations

import operator
import warnings

import numpy as _np

from . import _fallback
from ._array import _normalize_axis
from ._manip import _asarray, concatenate, flip, moveaxis, reshape, transpose, vstack

concat = concatenate  # the array API's name


def column_stack(tup):
    """1-d arrays as columns (2-d arrays as they are), joined along axis 1."""
    _fallback.record_native("column_stack")
    arrays = []
    for v in tup:
        a = _asarray(v)
        if a.ndim < 2:
            a = reshape(a, (-1, 1)) if a.ndim == 1 else reshape(a, (1, 1))
        arrays.append(a)
    return concatenate(arrays, axis=1)


def row_stack(tup, *, dtype=None, casting="same_kind"):
    """``vstack`` (NumPy 2 deprecates this alias, with the same warning here)."""
    warnings.warn("`row_stack` alias is deprecated. Use `np.vstack` directly.", DeprecationWarning, stacklevel=2)
    _fallback.record_native("row_stack")
    return vstack(tup, dtype=dtype, casting=casting)


def unstack(x, /, *, axis=0):
    """The sub-arrays along ``axis``, as a tuple of views."""
    a = _asarray(x)
    if a.ndim == 0:
        raise ValueError("Input array must be at least 1-d.")
    _fallback.record_native("unstack")
    return tuple(moveaxis(a, axis, 0))


def hsplit(ary, indices_or_sections):
    """``split`` along axis 1 (axis 0 for 1-d arrays)."""
    from ._manip import split

    a = _asarray(ary)
    if a.ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(a, indices_or_sections, 1 if a.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    """``split`` along axis 0 of an array of at least 2 dimensions."""
    from ._manip import split

    a = _asarray(ary)
    if a.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(a, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """``split`` along axis 2 of an array of at least 3 dimensions."""
    from ._manip import split

    a = _asarray(ary)
    if a.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(a, indices_or_sections, 2)


def permute_dims(a, /, axes=None):
    """``transpose`` (the array API's name)."""
    return transpose(a, axes)


def matrix_transpose(x, /):
    """The last two axes swapped (a view)."""
    a = _asarray(x)
    if a.ndim < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is {a.ndim}")
    return a.swapaxes(-1, -2)


def rot90(m, k=1, axes=(0, 1)):
    """``m`` rotated by 90 degrees ``k`` times in the plane of ``axes`` (from the first
    axis toward the second): a view made of flips and a transpose."""
    a = _asarray(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == a.ndim:
        raise ValueError("Axes must be different.")
    if axes[0] >= a.ndim or axes[0] < -a.ndim or axes[1] >= a.ndim or axes[1] < -a.ndim:
        raise ValueError(f"Axes={axes} out of range for array of ndim={a.ndim}.")
    _fallback.record_native("rot90")
    k = operator.index(k) % 4
    if k == 0:
        return a[...]
    if k == 2:
        return flip(flip(a, axes[0]), axes[1])
    order = list(range(a.ndim))
    i, j = _normalize_axis(axes[0], a.ndim), _normalize_axis(axes[1], a.ndim)
    order[i], order[j] = order[j], order[i]
    if k == 1:
        return transpose(flip(a, axes[1]), order)
    return flip(transpose(a, order), axes[1])


def rollaxis(a, axis, start=0):
    """``axis`` moved to come before ``start`` (a view)."""
    a = _asarray(a)
    n = a.ndim
    axis = _normalize_axis(axis, n)
    given = operator.index(start)
    start = given + n if given < 0 else given
    if not 0 <= start < n + 1:
        raise _np.exceptions.AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but {given} was passed in")
    if axis < start:
        start -= 1
    if axis == start:
        return a[...]
    order = list(range(n))
    order.remove(axis)
    order.insert(start, axis)
    return transpose(a, order)


def _block_depth(arrays, index=()):
    """The nesting depth of lists in ``arrays`` (equal for every leaf, or ValueError)
    and the largest ndim of its arrays."""
    if isinstance(arrays, tuple):
        raise TypeError(
            f"{_index_text(index)} is a tuple. Only lists can be used to arrange blocks, and np.block does not allow "
            "implicit conversion from tuple to ndarray."
        )
    if isinstance(arrays, list):
        if not arrays:
            raise ValueError(f"List at {_index_text(index)} cannot be empty")
        results = [_block_depth(x, index + (i,)) for i, x in enumerate(arrays)]
        depths = {d for d, _ in results}
        if len(depths) != 1:
            raise ValueError(
                "List depths are mismatched. First element was at depth "
                f"{results[0][0] + 1}, but there is an element at a different depth"
            )
        return results[0][0] + 1, max(m for _, m in results)
    return 0, _np.ndim(arrays) if not hasattr(arrays, "ndim") else arrays.ndim


def _index_text(index):
    return "arrays" + "".join(f"[{i}]" for i in index)


def _block_join(arrays, depth, ndim):
    if depth == 0:
        a = _asarray(arrays)
        return reshape(a, (1,) * (ndim - a.ndim) + a.shape) if a.ndim < ndim else a
    parts = [_block_join(x, depth - 1, ndim) for x in arrays]
    return concatenate(parts, axis=-depth)


def block(arrays):
    """An array assembled from nested lists of blocks: the innermost lists join along
    the last axis, the next along the second last, and so on."""
    depth, max_ndim = _block_depth(arrays)
    _fallback.record_native("block")
    ndim = max(depth, max_ndim)
    result = _block_join(arrays, depth, ndim)
    return result.copy() if depth == 0 else result
