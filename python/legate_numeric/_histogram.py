"""Counting and binning: ``bincount``, ``histogram`` and ``digitize``, natively.

``bincount`` is one task per piece of the values, each counting into a private copy of
the bins that the runtime sums; ``histogram`` finds every value's bin (arithmetic for
equal bins, a binary search for given edges, with NumPy's corrections at the edges)
and counts the bins with ``bincount``.
"""

from __future__ import annotations

import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import ndarray


def _asarray(a) -> ndarray:
    return a if isinstance(a, ndarray) else ndarray._from_numpy(_np.asarray(a))


def bincount(x, weights=None, minlength=0):
    """How often each non-negative integer occurs in ``x`` (or the sum of its weights)."""
    from ._creation import zeros
    from ._reduce import max as _max, min as _min

    if not isinstance(x, (ndarray, _np.ndarray)):
        # NumPy converts a list straight to its index type: [] is empty indices, and
        # floats are truncated with a DeprecationWarning (NumPy 2.1).
        host = _np.asarray(x)
        if host.size == 0:
            host = host.astype(_np.intp)
        elif host.dtype.kind == "f":
            import warnings

            warnings.warn("Non-integer input passed to bincount. In a future version of NumPy, this will be an error. "
                          "(Deprecated NumPy 2.1)", DeprecationWarning, stacklevel=2)
            host = host.astype(_np.intp)
        x = host
    x = _asarray(x)
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    if x.ndim != 1:
        raise ValueError("object too deep for desired array" if x.ndim > 1 else "object of too small depth for desired array")
    if not _np.can_cast(x.dtype, _np.intp, "safe"):
        raise TypeError(f"Cannot cast array data from {x.dtype!r} to dtype('int64') according to the rule 'safe'")
    _fallback.record_native("bincount")
    if not x.size:  # NumPy's zeros of minlength, whatever the weights
        return zeros(minlength, _np.int64)
    values = x if x.dtype == _np.int64 else x.astype(_np.int64)
    if int(_min(values)) < 0:
        raise ValueError("'list' argument must have no negative elements")
    n = max(int(_max(values)) + 1, minlength)
    w = None
    if weights is not None:
        w = _asarray(weights)
        if w.shape != x.shape:
            raise ValueError("The weights and list don't have the same length.")
        if not _np.can_cast(w.dtype, _np.float64, "safe"):
            raise TypeError(f"Cannot cast array data from {w.dtype!r} to dtype('float64') according to the rule 'safe'")
        w = w if w.dtype == _np.float64 else w.astype(_np.float64)
    bins = zeros(n, _np.float64 if w is not None else _np.int64)
    _ext.bincount(values._store, None if w is None else w._store, bins._store)
    return bins


def _keep_within(a, w, first, last):
    """The values of ``a`` in [first, last], and their weights (None without)."""
    from ._ufunc import greater_equal, less_equal, logical_and

    keep = logical_and(greater_equal(a, first), less_equal(a, last))
    return a[keep], None if w is None else w[keep]


def _uniform_bins(a, w, first, last, n):
    """Bin indices of the values of ``a`` in [first, last] among ``n`` equal bins, their
    weights, and the edges, computed as NumPy does (its types, then its corrections for
    values that rounding put across an edge)."""
    from ._creation import linspace
    from ._index import take
    from ._manip import where
    from ._ufunc import equal, greater_equal, less, logical_and, not_equal

    bin_type = _np.result_type(first, last, a.dtype)
    if bin_type.kind in "biu":
        bin_type = _np.result_type(bin_type, float)
    from ._binning import _unsigned_subtract

    # NumPy's linspace makes integer bounds float64 first (no int8 overflow in last - first).
    lo, hi = (_np.float64(first), _np.float64(last)) if _np.result_type(first, last).kind in "biu" else (first, last)
    edges = linspace(lo, hi, n + 1, dtype=bin_type)
    inside, wk = _keep_within(a, w, first, last)
    tmp = inside.astype(bin_type)
    denom = _unsigned_subtract(last, first)  # NumPy's: an integer extent in the unsigned type
    indices = ((tmp - first) / denom * n).astype(_np.int64)
    indices = where(equal(indices, n), n - 1, indices)
    indices = where(less(tmp, take(edges, indices)), indices - 1, indices)
    up = logical_and(greater_equal(tmp, take(edges, indices + 1)), not_equal(indices, n - 1))
    return where(up, indices + 1, indices), wk, edges


def histogram(a, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """Counts (or weight sums) of the flattened ``a`` in ``bins`` equal bins over
    ``range`` (default: min to max), or in the bins between given edges."""
    from ._manip import diff, where
    from ._reduce import max as _max, min as _min, sum as _sum
    from ._sort import searchsorted
    from ._ufunc import equal, true_divide

    a = _asarray(a).reshape(-1)
    if a.dtype == _np.bool_:
        import warnings

        warnings.warn(f"Converting input from {a.dtype} to {_np.uint8} for compatibility.", RuntimeWarning, stacklevel=2)
        a = a.astype(_np.uint8)
    if isinstance(bins, str) and a.dtype.kind in "biuf":
        from ._binning import rule_bins

        chosen = rule_bins(a, bins, range, weights)  # NumPy's estimator: a count and the range
        if chosen is not None:
            bins, range = chosen
    if isinstance(bins, str) or a.dtype.kind not in "biuf":
        return _fallback.call("histogram", _np.histogram, (a,), dict(bins=bins, range=range, density=density, weights=weights))
    w = None if weights is None else _asarray(weights).reshape(-1)
    if w is not None and w.shape != a.shape:
        raise ValueError("weights should have the same shape as a.")
    _fallback.record_native("histogram")
    if _np.ndim(bins) == 0:
        n = operator.index(bins)
        if n < 1:
            raise ValueError("`bins` must be positive, when an integer")
        if range is not None:
            first, last = range
            if first > last:
                raise ValueError("max must be larger than min in range parameter.")
            if not (_np.isfinite(first) and _np.isfinite(last)):
                raise ValueError(f"supplied range of [{first}, {last}] is not finite")
        elif a.size:
            # NumPy scalars of a's type, as a.min() and a.max() give.
            first, last = a.dtype.type(_min(a).item()), a.dtype.type(_max(a).item())
            if not (_np.isfinite(first) and _np.isfinite(last)):
                raise ValueError(f"autodetected range of [{first}, {last}] is not finite")
        else:
            first, last = 0, 1
        if first == last:
            first, last = first - 0.5, last + 0.5
        idx, wk, edges = _uniform_bins(a, w, first, last, n)
    else:
        edges = _asarray(bins)
        if edges.ndim != 1:
            raise ValueError("`bins` must be 1d, when an array")
        if bool((edges[1:] < edges[:-1]).any()):
            raise ValueError("`bins` must increase monotonically, when an array")
        n = edges.shape[0] - 1
        inside, wk = _keep_within(a, w, edges[0].item(), edges[-1].item())
        idx = where(equal(inside, edges[-1].item()), n - 1, searchsorted(edges, inside, "right") - 1)
    counts = bincount(idx, wk, minlength=n)[:n]
    counts = counts.astype(_np.int64 if w is None else w.dtype)
    if density:
        widths = diff(edges).astype(_np.float64)
        return true_divide(true_divide(counts, widths), _sum(counts)), edges
    return counts, edges


def digitize(x, bins, right=False):
    """The bin of each of ``x`` among monotonic ``bins`` (a binary search)."""
    from ._sort import searchsorted

    x, edges = _asarray(x), _asarray(bins)
    if edges.ndim != 1:
        raise ValueError("object too deep for desired array")
    if x.dtype.kind == "c":
        raise TypeError("x may not be complex")
    if edges.dtype.kind == "c":
        raise TypeError(f"Cannot cast array data from dtype('{edges.dtype}') to dtype('float64') according to the rule 'safe'")
    _fallback.record_native("digitize")
    # NumPy's test: the first edge that differs from the first one says which way (up
    # when it is larger; down otherwise, a NaN included), then no step the other way
    # (comparisons with NaN do not count).
    increasing = True
    if edges.size > 1:
        differs = edges[1:] != edges[0]
        if bool(differs.any()):
            i = int(differs.argmax()) + 1
            increasing = bool(edges[0] < edges[i])
            wrong_way = edges[1:] < edges[:-1] if increasing else edges[1:] > edges[:-1]
            if bool(wrong_way.any()):
                raise ValueError("bins must be monotonically increasing or decreasing")
    side = "left" if right else "right"
    if increasing:
        return searchsorted(edges, x, side)
    return edges.size - searchsorted(edges[::-1], x, side)
