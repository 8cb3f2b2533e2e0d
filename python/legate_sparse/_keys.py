"""Keys of n-d COO arrays (``A[key]``, ``A[key] = x``) checked and resolved on the host,
with SciPy 1.17's results, exception types and messages (its COO indexing rules).

``validate(key, shape)`` returns ``(index, shape, at, none_pos)``:

* ``index``: one entry an axis: a slice, an int (made non-negative), or a NumPy int64
  array (negative values wrapped; a bool array gives one array an axis it spans,
  its ``nonzero()``); the arrays are not broadcast;
* ``shape``: the shape of the result, ``None`` axes (length 1) included;
* ``at``: where the index arrays' axes go among the result's axes other than
  ``None``'s (the number of slices before them; 0 without arrays);
* ``none_pos``: where ``None`` puts its axes in ``shape``, in order.

The key is read on the host (it is the key, not the data): legate arrays in it are
copied there. Differences from SciPy 1.17, kept on purpose: float index arrays raise
NumPy's ``IndexError`` (SciPy's truncate them), and keys with both ``None`` and index
arrays have NumPy's shape (SciPy's places the arrays' axes without counting the
``None`` axes before them: it raises, or makes an array whose coordinates exceed its
shape).
"""

from __future__ import annotations

import operator

import numpy as _np

import legate_numeric as lnp

from ._base import issparse
from ._sputils import is_scipy_sparse


def validate(key, shape):
    ndim = len(shape)
    if key is Ellipsis:
        return (slice(None),) * ndim, tuple(shape), 0, []
    key = key if isinstance(key, tuple) else [key]
    items, width, ellipsis_at = _first_pass(key, ndim)
    if width > ndim:
        raise IndexError(f"Too many indices for array or tuple index out of range. Key {key} needs {width}D. Array is {ndim}D")
    fill = [slice(None)] * (ndim - width)
    at = len(items) if ellipsis_at is None else ellipsis_at
    items[at:at] = fill

    index, out_shape, none_pos, arrays, advanced, first = [], [], [], [], [], None
    for i, k in enumerate(items):
        axis = len(index)
        if k is None:
            none_pos.append(len(out_shape))
            out_shape.append(1)
            continue
        if isinstance(k, slice):
            index.append(k)
            out_shape.append(len(range(*k.indices(shape[axis]))))
            continue
        if _int_like(k):
            n = shape[axis]
            if not -n <= k < n:
                raise IndexError(f"index ({k}) out of range")
            index.append(int(k + n if k < 0 else k))
        elif _is_bool(k):
            spans = tuple(shape[axis:axis + k.ndim])
            if tuple(k.shape) != spans:
                raise IndexError(f"bool index {i} has shape {spans} instead of {tuple(k.shape)}")
            index.extend(_np.asarray(_host(c), dtype=_np.int64) for c in k.nonzero())
            arrays.extend(range(axis, len(index)))
        else:
            index.append(_indices(k, shape[axis]))
            arrays.append(axis)
        advanced.append(i)  # an int or an array
        first = len(out_shape) if first is None else first
    at = 0
    if arrays:
        shapes = [index[i].shape for i in arrays]
        try:
            ashape = _np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError("shape mismatch: indexing arrays could not be broadcast together with shapes " + " ".join(str(s) for s in shapes)) from None
        # The arrays' axes go where the ints and arrays are when they are next to each
        # other in the key (nothing, not even None, between them), else first: NumPy's
        # rule (SciPy 1.17 counts None here wrongly, see the module's docstring).
        adjacent = advanced[-1] - advanced[0] + 1 == len(advanced)
        where = first if adjacent else 0
        at = where - sum(p < where for p in none_pos)
        none_pos = [p + len(ashape) if p >= where else p for p in none_pos]
        out_shape[where:where] = ashape
    return tuple(index), tuple(out_shape), at, none_pos


def _first_pass(key, ndim):
    """The key's items with ``...`` taken out (its position returned), bool arrays and
    other arrays made host arrays, and the number of axes the items index."""
    items, width, ellipsis_at = [], 0, None
    for k in key:
        if k is Ellipsis:
            if ellipsis_at is not None:
                raise IndexError("an index can only have a single ellipsis")
            ellipsis_at = len(items)
            continue
        k = _host(k)
        if k is None:
            items.append(k)
        elif isinstance(k, slice) or _int_like(k):
            items.append(k)
            width += 1
        elif (b := _bool_array(k, ndim)) is not None:
            items.append(b)
            width += b.ndim
        elif issparse(k) or is_scipy_sparse(k):
            raise IndexError("Indexing with sparse matrices is not supported except boolean indexing where matrix and index are equal shapes.")
        else:  # an array (a bool one here spans one axis in the count, as in SciPy)
            items.append(_np.asarray(k))
            width += 1
    return items, width, ellipsis_at


def _host(k):
    """A legate array as a NumPy array (on the host); anything else as it is."""
    return k.__array__() if isinstance(k, lnp.ndarray) else k


def _int_like(k) -> bool:
    """An integer index (a Python bool counts, as in SciPy); a float of integral value,
    a NumPy bool or a 0-d bool array raises SciPy's ``ValueError``."""
    if _np.ndim(k) != 0:
        return False
    try:
        operator.index(k)
        return True
    except (TypeError, ValueError):
        pass
    try:
        integral = bool(int(k) == k)
    except (TypeError, ValueError):
        return False
    if integral:
        raise ValueError("Inexact indices into sparse matrices are not allowed")
    return False


def _bool_array(k, ndim):
    """``k`` when it is a bool array (a NumPy or sparse one, or nested lists whose first
    element, looked for up to ``ndim`` levels down, is a Python bool), else ``None``."""
    if not hasattr(k, "ndim"):
        try:
            first = k
            for _ in range(ndim):
                first = next(iter(first), None)
                if isinstance(first, bool):
                    break
            else:
                return None
        except TypeError:
            return None
        k = _np.asanyarray(k)
    return k if _is_bool(k) else None


def _is_bool(k) -> bool:
    return hasattr(k, "ndim") and _np.dtype(k.dtype).kind == "b"


def _indices(a, n):
    """An index array for an axis of length ``n``: int64, in bounds, negatives wrapped."""
    if a.ndim == 0:
        raise IndexError("Index dimension must be 1 or 2. Got 0")
    if a.size == 0:
        return a.astype(_np.int64)
    hi = a.max()
    if hi >= n:
        raise IndexError(f"index ({hi}) out of range")
    lo = a.min()
    if lo < -n:
        raise IndexError(f"index ({lo}) out of range")
    if a.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    a = a.astype(_np.int64)
    return a + n * (a < 0) if lo < 0 else a
