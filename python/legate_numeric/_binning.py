"""Multi-dimensional binning (``histogramdd histogram2d histogram_bin_edges``) and
histogram's string rules for the number of bins, natively.

Each coordinate's bin comes from a binary search per dimension (NumPy's rule at the
last edge); cells are numbered as NumPy does (outlier bins on both sides) and counted
with ``bincount``. A string rule (``auto fd doane rice scott sqrt sturges``) needs a
few reductions of the data, each read back as one number.
"""

from __future__ import annotations

import builtins as _builtins

import numpy as _np

from . import _fallback
from ._array import ndarray

builtins_range = _builtins.range


def _asarray(a) -> ndarray:
    return a if isinstance(a, ndarray) else ndarray._from_numpy(_np.asarray(a))


# ---- multi-dimensional histograms ----


def _outer_edges(x, rng):
    """NumPy's ``_get_outer_edges``: the range, checked, or the data's extent."""
    if rng is not None:
        first, last = rng
        if first > last:
            raise ValueError("max must be larger than min in range parameter.")
        if not (_np.isfinite(first) and _np.isfinite(last)):
            raise ValueError(f"supplied range of [{first}, {last}] is not finite")
    elif x.size == 0:
        first, last = 0, 1
    else:
        first, last = x.dtype.type(x.min().item()), x.dtype.type(x.max().item())
        if not (_np.isfinite(first) and _np.isfinite(last)):
            raise ValueError(f"autodetected range of [{first}, {last}] is not finite")
    if first == last:
        first, last = first - 0.5, last + 0.5
    return first, last


def histogramdd(sample, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """Counts (or weight sums) of D-dimensional points in the cells of a grid: per
    dimension ``bins`` equal bins over ``range`` (default: the data's extent) or given
    edges. Returns the float64 counts and the list of edges."""
    from ._creation import linspace
    from ._histogram import bincount
    from ._manip import diff
    from ._sort import searchsorted
    from ._ufunc import equal

    if isinstance(sample, ndarray) or (isinstance(sample, _np.ndarray)):
        s = _asarray(sample)
        s = s.reshape(-1, 1) if s.ndim == 1 else s
        if s.ndim != 2:
            s = s.reshape(s.shape[0], -1) if s.ndim > 2 else s
        N, D = s.shape
        columns = [s[:, i] for i in builtins_range(D)]
    elif isinstance(sample, (int, float, complex)):
        raise TypeError(f"'{type(sample).__name__}' object is not iterable")
    elif _np.ndim(sample) == 0 or all(_np.ndim(c) == 0 for c in sample):
        # NumPy's ``atleast_2d(sample).T``: numbers are the points of one dimension.
        columns = [_asarray(sample).reshape(-1)]
        D, N = 1, columns[0].size
    else:
        columns = [_asarray(c).reshape(-1) for c in sample]
        if columns:
            # NumPy makes one array of the dimensions: their common type (float32 x and
            # float64 y: float64 edges for both).
            dt = _np.result_type(*[c.dtype for c in columns])
            columns = [c.astype(dt, copy=False) for c in columns]
        D = len(columns)
        N = columns[0].size if D else 0
        if any(c.size != N for c in columns):
            raise ValueError("the sample's dimensions must hold the same number of points")
    if any(c.dtype.kind == "c" for c in columns):
        raise TypeError("histogramdd does not support complex input")
    _fallback.record_native("histogramdd")
    try:
        M = len(bins)
        if M != D:
            raise ValueError("The dimension of bins must be equal to the dimension of the sample x.")
    except TypeError:
        bins = D * [bins]
    if range is None:
        range = (None,) * D
    w = None if weights is None else _asarray(weights).reshape(-1)
    edges, nbin = [], []
    for i in builtins_range(D):
        b = bins[i]
        if _np.ndim(b) == 0:
            if isinstance(b, (float, _np.floating)) or not isinstance(b, (int, _np.integer)):
                raise TypeError(f"`bins[{i}]` must be an integer, when a scalar")
            if b < 1:
                raise ValueError(f"`bins[{i}]` must be positive, when an integer")
            first, last = _outer_edges(columns[i], range[i])
            e = linspace(first, last, b + 1)
        else:
            e = _asarray(b)
            if e.ndim != 1:
                raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
            if bool((e[:-1] > e[1:]).any()):
                raise ValueError(f"`bins[{i}]` must be monotonically increasing, when an array")
        edges.append(e)
        nbin.append(e.shape[0] + 1)  # outlier bins on both sides
    # Each coordinate's bin (0: below, n+1: above; the last edge belongs to the last bin).
    cell = None
    stride = 1
    for i in reversed(builtins_range(D)):
        idx = searchsorted(edges[i], columns[i], "right")
        on_edge = equal(columns[i], edges[i][-1:])
        idx = idx - on_edge.astype(_np.int64)
        cell = idx * stride if cell is None else cell + idx * stride
        stride *= nbin[i]
    total = int(_np.prod(nbin))
    if cell is None or N == 0:
        from ._creation import zeros

        hist = zeros(total, _np.float64)
    else:
        hist = bincount(cell, w, minlength=total)
    hist = hist.reshape(tuple(nbin)).astype(_np.float64)
    hist = hist[(slice(1, -1),) * D]
    if density:
        s = hist.sum()
        for i in builtins_range(D):
            shape = [1] * D
            shape[i] = nbin[i] - 2
            hist = hist / diff(edges[i]).reshape(tuple(shape))
        hist = hist / s
    return hist, edges


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """``histogramdd`` of the points ``(x, y)``: the counts and both edges."""
    for v in (x, y):
        if _np.ndim(v) == 0:
            raise TypeError(f"object of type '{type(v).__name__}' has no len()")
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n != 1 and n != 2:
        bins = [bins, bins]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


def histogram_bin_edges(a, bins=10, range=None, weights=None):  # noqa: A002
    """The edges ``histogram`` would use (equal bins over the range, or given edges)."""
    from ._histogram import histogram

    _fallback.record_native("histogram_bin_edges")
    return histogram(a, bins, range, weights=weights)[1]



# ---- histogram's string rules for the number of bins ----


def _unsigned_subtract(hi, lo):
    """``hi - lo`` of two host scalars; integers in the unsigned type of their size (no
    overflow for the extent of int8 data), as NumPy measures it."""
    dt = _np.result_type(hi, lo)
    if dt.kind in "iu":
        unsigned = _np.dtype(f"u{dt.itemsize}")
        return _np.subtract(_np.asarray(hi, dt), _np.asarray(lo, dt), casting="unsafe", dtype=unsigned)[()]
    return _np.subtract(hi, lo)


def _stone_width(x, edges, ptp):
    """Stone's rule: the bin count in 1..max(100, sqrt(n)) minimizing the cross-validated
    integrated squared error. Each count's histogram is computed natively; its counts
    (at most that many numbers) are read back and scored as NumPy scores them."""
    import warnings

    from ._histogram import histogram

    n = x.size
    ptp_x = ptp()
    if n <= 1 or ptp_x == 0:
        return 0

    def jhat(nbins):
        hh = ptp_x / nbins
        p_k = _np.asarray(histogram(x, bins=nbins, range=edges)[0]) / n
        return (2 - (n + 1) * p_k.dot(p_k)) / hh

    upper = max(100, int(_np.sqrt(n)))
    nbins = min(_builtins.range(1, upper + 1), key=jhat)
    if nbins == upper:
        warnings.warn("The number of bins estimated may be suboptimal.", RuntimeWarning, stacklevel=4)
    return ptp_x / nbins


def _rule_width(x, rule, edges):
    """The bin width NumPy's estimator ``rule`` chooses for the (non-empty) data ``x``:
    from its size, extent, standard deviation, quartiles or skewness (a few reductions,
    each read back as one number); Stone's from a histogram per candidate count."""
    from ._reduce import mean, std
    from ._sort import percentile
    from ._ufunc import power

    n = x.size

    def ptp():
        # As NumPy's scalars of x's type (a float32 extent rounds as float32).
        hi, lo = _np.asarray(x.max())[()], _np.asarray(x.min())[()]
        return _unsigned_subtract(hi, lo) if x.dtype.kind != "b" else _np.subtract(hi.item(), lo.item())

    def sturges():
        return ptp() / (_np.log2(n) + 1.0)

    def sqrt():
        return ptp() / _np.sqrt(n)

    def fd():
        q75, q25 = _np.asarray(percentile(x, [75, 25]))
        return 2.0 * _np.subtract(q75, q25) * n ** (-1.0 / 3.0)

    if rule == "stone":
        return _stone_width(x, edges, ptp)
    if rule == "sqrt":
        return sqrt()
    if rule == "sturges":
        return sturges()
    if rule == "rice":
        return ptp() / (2.0 * n ** (1.0 / 3))
    if rule == "scott":
        return (24.0 * _np.pi**0.5 / n) ** (1.0 / 3.0) * std(x).item()
    if rule == "fd":
        return fd()
    if rule == "auto":
        return min(max(fd(), sqrt() / 2), sturges())
    if rule == "doane":
        if n > 2:
            sg1 = _np.sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3)))
            sigma = std(x).item()
            if sigma > 0.0:
                g1 = mean(power((x - mean(x)) / sigma, 3)).item()
                return ptp() / (1.0 + _np.log2(n) + _np.log2(1.0 + _np.absolute(g1) / sg1))
        return 0.0
    raise AssertionError(rule)


_RULES = ("auto", "fd", "doane", "rice", "scott", "sqrt", "sturges", "stone")


def rule_bins(a, rule, range, weights):  # noqa: A002
    """``(number of bins, range)`` for ``histogram(a, bins=rule)``."""
    from ._ufunc import greater_equal, less_equal, logical_and

    if rule not in _RULES:
        raise ValueError(f"{rule!r} is not a valid estimator for `bins`")
    if weights is not None:
        raise TypeError("Automated estimation of the number of bins is not supported for weighted data")
    first, last = _outer_edges(a, range)
    x = a
    if range is not None:
        keep = logical_and(greater_equal(a, first), less_equal(a, last))
        if not bool(keep.all()):
            x = a[keep]
    if x.size == 0:
        return 1, (first, last)
    width = _rule_width(x, rule, (first, last))
    if not width:
        return 1, (first, last)
    if x.dtype.kind in "iu" and width < 1:
        width = 1
    return int(_np.ceil(_unsigned_subtract(last, first) / width)), (first, last)
