"""``sort``, ``argsort`` (stable), ``ndarray.sort`` and ``unique`` natively, against
NumPy: every dtype, shapes from empty to 3-d, every axis, views, NaNs (last) and
complex numbers (lexicographic, NaN parts last)."""

import warnings

import numpy as np
import pytest
from conftest import check, check_same_error

import legate_numeric as lnp

DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
          np.float32, np.float64, np.complex128]
# Lines of 64 or more (200 along axis 0, 700 along axis 1) sort through their keys.
SHAPES = [(0,), (1,), (7,), (3, 5), (4, 3, 6), (200, 50), (3, 700), (3, 0)]


def data(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 5).astype(dtype)
    if x.dtype.kind == "f" and x.size > 2:
        x.flat[1] = np.nan
        x.flat[-1] = np.nan
    if x.dtype.kind == "f" and x.size > 60:
        x.flat[::7] = -0.0  # ties of both signs for argsort's stable order
        x.flat[::11] = 0.0
        x.flat[::13] = -np.nan
    if x.dtype.kind == "c" and x.size > 2:
        x.flat[0] = complex(np.nan, 1)
        x.flat[-1] = complex(1, np.nan)
        x.flat[1] = x.flat[2].real + 0j  # a tie in the real part
    return x


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_sort_and_argsort(dtype, shape, no_fallback):
    x = data(dtype, shape)
    a = lnp.array(x)
    for axis in [None] + list(range(-len(shape), len(shape))):
        check(lnp.sort(a, axis=axis), np.sort(x, axis=axis))
        # Stable: ties keep their order, as NumPy's kind="stable".
        check(lnp.argsort(a, axis=axis), np.argsort(x, axis=axis, kind="stable"))
        check(a.argsort(axis=axis), x.argsort(axis=axis, kind="stable"))


@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.complex128], ids=str)
def test_sort_of_views_and_in_place(dtype, no_fallback):
    x = data(dtype, (40, 30), seed=1)
    a = lnp.array(x)
    for take in (lambda v: v.T, lambda v: v[::-3, 1::2], lambda v: v.reshape(-1)[::7]):
        check(lnp.sort(take(a)), np.sort(take(x)))
        check(lnp.argsort(take(a), axis=0), np.argsort(take(x), axis=0, kind="stable"))
    # ndarray.sort sorts in place, through views too.
    x[:, ::2].sort(axis=0)
    a[:, ::2].sort(axis=0)
    check(a, x)
    x.sort()
    a.sort()
    check(a, x)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8, np.float32, np.float64], ids=str)
@pytest.mark.parametrize("shape", [(0,), (1,), (9,), (6, 5), (300,)], ids=str)
def test_unique(dtype, shape, no_fallback):
    x = (np.random.default_rng(2).integers(-3, 4, size=shape)).astype(dtype)
    if x.dtype.kind == "f" and x.size > 3:
        x.flat[0] = x.flat[3] = np.nan
    a = lnp.array(x)
    check(lnp.unique(a), np.unique(x))
    got = lnp.unique(a, return_index=True, return_inverse=True, return_counts=True)
    exp = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for g, e in zip(got, exp):
        check(g, e)
    if x.dtype.kind == "f":
        check(lnp.unique(a, equal_nan=False), np.unique(x, equal_nan=False))


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8, np.float16, np.float64], ids=str)
@pytest.mark.parametrize("shape", [(7, 3), (4, 5, 2), (1, 4), (0, 3), (3, 0)], ids=str)
def test_unique_along_axis(dtype, shape, no_fallback):
    # The distinct slices along an axis, in NumPy's (lexicographic) order.
    x = np.random.default_rng(3).integers(0, 2, size=shape).astype(dtype)
    a = lnp.array(x)
    for axis in range(-len(shape), len(shape)):
        check(lnp.unique(a, axis=axis), np.unique(x, axis=axis))
        got = lnp.unique(a, return_index=True, return_inverse=True, return_counts=True, axis=axis)
        exp = np.unique(x, return_index=True, return_inverse=True, return_counts=True, axis=axis)
        for g, e in zip(got, exp):
            check(g, e)


def test_unique_along_axis_nans_and_views(no_fallback):
    # A row holding a NaN equals no other (NumPy compares the rows' fields); -0.0 == 0.0.
    x = np.array([[1.0, np.nan], [0.0, 2.0], [1.0, np.nan], [-0.0, 2.0], [0.0, 1.0]])
    check(lnp.unique(lnp.array(x), axis=0, return_counts=True)[1], np.unique(x, axis=0, return_counts=True)[1])
    check(lnp.unique(lnp.array(x), axis=0, return_index=True)[1], np.unique(x, axis=0, return_index=True)[1])
    y = np.random.default_rng(4).integers(0, 3, size=(9, 8))
    b = lnp.array(y)
    check(lnp.unique(b[::2, 1::3], axis=0), np.unique(y[::2, 1::3], axis=0))
    check(lnp.unique(b.T, axis=1, return_inverse=True)[1], np.unique(y.T, axis=1, return_inverse=True)[1])
    check_same_error(lambda: np.unique(y, axis=2), lambda: lnp.unique(b, axis=2))


def test_unique_sorted_keyword_and_isin_kinds(no_fallback):
    # NumPy 2.3's `sorted=` (any order allowed with False: ours stays sorted), and
    # isin's kind checks: an unknown kind, or 'table' for floats, is a ValueError.
    x = np.array([3, 1, 2, 1, 0, 3])
    a = lnp.array(x)
    for flag in (True, False):
        check(lnp.sort(lnp.unique(a, sorted=flag)), np.sort(np.unique(x, sorted=flag)))
    check(lnp.isin(a, lnp.array([1, 5]), kind="table"), np.isin(x, [1, 5], kind="table"))
    check(lnp.isin(a, lnp.array([1, 5]), kind="sort"), np.isin(x, [1, 5], kind="sort"))
    for kind, values in (("table", x * 0.5), ("hash", x)):
        check_same_error(lambda: np.isin(values, [1, 5], kind=kind), lambda: lnp.isin(lnp.array(values), lnp.array([1, 5]), kind=kind))


def test_sort_errors():
    x = np.arange(6.0).reshape(2, 3)
    a = lnp.array(x)
    for np_call, lnp_call in [
        (lambda: np.sort(x, axis=2), lambda: lnp.sort(a, axis=2)),
        (lambda: np.sort(np.array(5.0)), lambda: lnp.sort(lnp.array(5.0))),
        (lambda: np.sort(x, kind="bogus"), lambda: lnp.sort(a, kind="bogus")),
        (lambda: x.sort(axis=None), lambda: a.sort(axis=None)),
    ]:
        exp, err = check_same_error(np_call, lnp_call)
        assert err is not None


ORDER_STAT_SHAPES = [(1,), (8,), (3, 5), (4, 3, 6), (301,)]


@pytest.mark.parametrize("shape", ORDER_STAT_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float32, np.float64], ids=str)
def test_median_quantile_percentile(dtype, shape, no_fallback):
    """Linear interpolation between sorted neighbours (NumPy's default), over one axis,
    several axes or all; NaN in a line makes its statistic NaN; NumPy's result dtypes."""
    x = (np.random.default_rng(4).standard_normal(shape) * 5).astype(dtype)
    if x.dtype.kind == "f" and x.size > 3:
        x.flat[2] = np.nan
    a = lnp.array(x)
    axes = [None] + list(range(len(shape))) + ([(0, len(shape) - 1)] if len(shape) > 1 else [])
    for axis in axes:
        for keepdims in (False, True):
            check(lnp.median(a, axis=axis, keepdims=keepdims), np.median(x, axis=axis, keepdims=keepdims))
            for q in (0.0, 0.3, 0.5, 1.0, [0.1, 0.9], np.array([[0.25], [0.75]])):
                check(lnp.quantile(a, q, axis=axis, keepdims=keepdims), np.quantile(x, q, axis=axis, keepdims=keepdims))
            check(lnp.percentile(a, [5, 50], axis=axis, keepdims=keepdims), np.percentile(x, [5, 50], axis=axis, keepdims=keepdims))


def test_order_statistic_errors():
    x = np.arange(5.0)
    a = lnp.array(x)
    for np_call, lnp_call in [
        (lambda: np.quantile(x, 1.5), lambda: lnp.quantile(a, 1.5)),
        (lambda: np.percentile(x, -1), lambda: lnp.percentile(a, -1)),
        (lambda: np.quantile(np.array([]), 0.5), lambda: lnp.quantile(lnp.array([]), 0.5)),
        (lambda: np.median(x, axis=1), lambda: lnp.median(a, axis=1)),
    ]:
        assert check_same_error(np_call, lnp_call)[1] is not None
    with pytest.warns(RuntimeWarning):
        assert np.isnan(float(lnp.median(lnp.array([]))))


@pytest.mark.parametrize("shape", ORDER_STAT_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=str)
def test_nan_order_statistics(dtype, shape, no_fallback):
    """NaNs are ignored (each line's own count picks the positions); all-NaN lines give
    NaN. (Where a line is all NaN, NumPy's result type for an array of quantiles depends
    on which line comes first, so those cases use scalar quantiles.)"""
    import warnings

    x = (np.random.default_rng(13).standard_normal(shape) * 5).astype(dtype)
    x.flat[1::5] = np.nan
    a = lnp.array(x)
    y = x.copy()
    y[-1] = np.nan  # an all-NaN line (or all-NaN data for 1-d)
    b = lnp.array(y)
    axes = [None] + list(range(len(shape)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for axis in axes:
            for keepdims in (False, True):
                for u, v in ((x, a), (y, b)):
                    check(lnp.nanmedian(v, axis=axis, keepdims=keepdims), np.nanmedian(u, axis=axis, keepdims=keepdims))
                    for q in (0.0, 0.3, 1.0):
                        check(lnp.nanquantile(v, q, axis=axis, keepdims=keepdims), np.nanquantile(u, q, axis=axis, keepdims=keepdims))
                check(lnp.nanquantile(a, [0.1, 0.9], axis=axis, keepdims=keepdims), np.nanquantile(x, [0.1, 0.9], axis=axis, keepdims=keepdims))
                check(lnp.nanpercentile(a, [5, 50], axis=axis, keepdims=keepdims), np.nanpercentile(x, [5, 50], axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("shape", [(7,), (8,), (6, 9), (5, 4, 10), (3000,)], ids=str)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=str)
def test_nanmedian_of_lines_with_equal_counts(dtype, shape, no_fallback):
    """Lines that all hold the same number of NaNs (none, or one each at different
    places) take nanmedian's selection path; odd and even counts."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(shape) * 5).astype(dtype)
    nan_x = x.copy()
    nan_lines = nan_x.reshape(-1, shape[-1])
    nan_lines[np.arange(nan_lines.shape[0]), rng.integers(0, shape[-1], nan_lines.shape[0])] = np.nan
    for u in (x, nan_x):
        for axis in (-1, None) if len(shape) > 1 else (None,):
            for keepdims in (False, True):
                check(lnp.nanmedian(lnp.array(u), axis=axis, keepdims=keepdims), np.nanmedian(u, axis=axis, keepdims=keepdims))


def test_nanmedian_of_complex_skips_nans():
    # Complex arrays went to median, so a line with a NaN gave NaN.
    x = np.array([[3, np.nan, 1, -2, 5], [np.nan, 0, 2j, 1, np.nan]], dtype=np.complex128)
    for axis in (None, 0, 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(lnp.nanmedian(lnp.array(x), axis=axis), np.nanmedian(x, axis=axis))


@pytest.mark.parametrize("shape, axis", [((0,), None), ((0, 3), 0), ((0, 3), None), ((3, 0), 1), ((3, 0), -1), ((2, 0, 4), 1)], ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=str)
def test_nan_order_statistics_of_empty_lines(dtype, shape, axis, no_fallback):
    """Empty lines give NaN with nanmean's warning, as NumPy's (they raised IndexError)."""
    x = np.zeros(shape, dtype)
    for keepdims in (False, True):
        for name, q in (("nanmedian", ()), ("nanquantile", (0.25,)), ("nanpercentile", (50,))):
            with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
                got = getattr(lnp, name)(lnp.array(x), *q, axis=axis, keepdims=keepdims)
            with pytest.warns(RuntimeWarning):
                want = getattr(np, name)(x, *q, axis=axis, keepdims=keepdims)
            check(got, want)


def assert_partitioned(got, x, kth, axis):
    """``got`` holds each line of ``x``'s values, each kth position holds the value a
    sort puts there, nothing before it sorts after it and nothing after sorts before."""
    got, x = np.moveaxis(np.asarray(got), axis, -1), np.moveaxis(x, axis, -1)
    s = np.sort(x, axis=-1)
    np.testing.assert_array_equal(np.sort(got, axis=-1), s)  # the same values
    n = x.shape[-1]
    for k in sorted({int(k) % n for k in np.atleast_1d(kth)}):
        np.testing.assert_array_equal(got[..., k], s[..., k])
        # Ranks in the sorted line: positions before k rank at most k's, after it at least.
        lo = np.sort(got[..., :k], axis=-1)
        hi = np.sort(got[..., k + 1 :], axis=-1)
        np.testing.assert_array_equal(lo, s[..., :k])
        np.testing.assert_array_equal(hi, s[..., k + 1 :])


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int64, np.uint16, np.float16, np.float32, np.float64,
                                   np.complex128], ids=str)
@pytest.mark.parametrize("shape", [(1,), (9,), (5000,), (6, 7), (3, 4, 5), (0,), (3, 0)], ids=str)
def test_partition_is_a_selection(dtype, shape, no_fallback):
    x = data(dtype, shape, seed=7)
    if x.size > 4:
        x.flat[3] = x.flat[4]  # ties
    a = lnp.array(x)
    for axis in [None] + list(range(-len(shape), len(shape))):
        n = x.size if axis is None else x.shape[axis]
        if n == 0:
            none = np.array([], np.intp)
            check(lnp.partition(a, none, axis=axis), np.partition(x, none, axis=axis))
            continue
        for kth in (0, n - 1, -1, n // 2, [n // 3, n // 2, (2 * n) // 3], [n - 1, 0, n // 2, 0]):
            flat = x.reshape(-1) if axis is None else x
            ax = 0 if axis is None else axis
            assert_partitioned(lnp.partition(a, kth, axis=axis), flat, kth, ax)
            pos = np.asarray(lnp.argpartition(a, kth, axis=axis))
            np.testing.assert_array_equal(np.sort(pos, axis=ax), np.sort(np.argsort(flat, axis=ax), axis=ax))
            assert_partitioned(np.take_along_axis(flat, pos, ax), flat, kth, ax)


def test_partition_of_views_in_place_and_errors(no_fallback):
    x = data(np.float64, (40, 30), seed=3)
    a = lnp.array(x)
    assert_partitioned(lnp.partition(a[::2, 5:], 4, axis=1), x[::2, 5:], 4, 1)
    assert_partitioned(lnp.partition(a.T, [1, 20], axis=0), x.T, [1, 20], 0)
    b = lnp.array(x)
    b.partition(7, axis=0)
    assert_partitioned(b, x, 7, 0)
    check(a, x)  # the input is untouched
    none = np.array([], np.intp)  # no kth: the line as it was, and its positions
    for axis in (0, 1, None):
        check(lnp.partition(a, none, axis=axis), np.partition(x, none, axis=axis))
        check(lnp.argpartition(a, none, axis=axis), np.argpartition(x, none, axis=axis))
    for kth in (30, -31):
        check_same_error(lambda: np.partition(x, kth), lambda: lnp.partition(a, kth))
    check_same_error(lambda: np.partition(x, 1, axis=2), lambda: lnp.partition(a, 1, axis=2))
    check_same_error(lambda: np.argpartition(x, [1, 40]), lambda: lnp.argpartition(a, [1, 40]))
    for kth in (1.5, True, [], [1, 2.0], [[1, 2]]):
        check_same_error(lambda: np.partition(x, kth), lambda: lnp.partition(a, kth))
        check_same_error(lambda: np.argpartition(x, kth), lambda: lnp.argpartition(a, kth))
    # An empty array has no bounds to check (NumPy partitions it for any integer kth).
    for shape, axis, kth in (((0,), -1, 1), ((0, 3), 1, 5), ((0, 3), None, -7), ((2, 0), 0, 3)):
        z = np.zeros(shape)
        check(lnp.partition(lnp.array(z), kth, axis=axis), np.partition(z, kth, axis=axis))
        check(lnp.argpartition(lnp.array(z), kth, axis=axis), np.argpartition(z, kth, axis=axis))
    check_same_error(lambda: np.partition(np.zeros(0), True), lambda: lnp.partition(lnp.zeros(0), True))


def test_lexsort_of_a_0d_array_is_a_type_error():
    check_same_error(lambda: np.lexsort(np.array(3.5)), lambda: lnp.lexsort(lnp.array(3.5)))
    check(lnp.lexsort(lnp.array([3.5, 1.0])), np.lexsort(np.array([3.5, 1.0])))


def test_median_of_a_long_line_selects(no_fallback):
    """Order statistics of long lines (one point owns a line; a selection, not a sort)."""
    rng = np.random.default_rng(11)
    for x in (rng.standard_normal(100_001), rng.integers(-50, 50, 100_000), rng.standard_normal((3, 20_000))):
        a = lnp.array(x)
        check(lnp.median(a), np.median(x))
        check(lnp.median(a, axis=-1), np.median(x, axis=-1))
        check(lnp.quantile(a, [0.01, 0.5, 0.99], axis=-1, method="nearest"), np.quantile(x, [0.01, 0.5, 0.99], axis=-1, method="nearest"))
        check(lnp.percentile(a, 37.5, axis=-1), np.percentile(x, 37.5, axis=-1))
    y = rng.standard_normal(50_000)
    y[123] = np.nan
    check(lnp.median(lnp.array(y)), np.median(y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_float_lines_sort_by_their_bits(dtype, axis, no_fallback):
    # Float lines sort as unsigned integers made from their bits, NaNs moved last:
    # infinities, signed zeros, subnormals and NaNs of either sign with payloads.
    info = np.finfo(dtype)
    uint = np.uint32 if dtype == np.float32 else np.uint64
    specials = np.array([np.inf, -np.inf, 0.0, -0.0, info.tiny / 4, -info.tiny / 4, info.max, -info.max, 1.5, -1.5], dtype=dtype)
    nans = np.array([np.nan, -np.nan], dtype=dtype)
    nans = np.concatenate([nans, (nans.view(uint) | uint(3)).view(dtype)])
    r = np.random.default_rng(5)
    a = r.choice(np.concatenate([specials, nans, r.uniform(-5, 5, 20).astype(dtype)]), size=(60, 37))
    got = lnp.sort(lnp.array(a), axis=axis).__array__()
    expected = np.sort(a, axis=axis)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype
    # Each line has NumPy's NaNs last and the numbers before them bit for bit, but
    # for the order of 0.0 and -0.0 (equal: the default sort kind is not stable).
    # (NumPy's SIMD sort rewrites NaN payloads; ours keeps them.)
    for g, e in zip(np.moveaxis(got, axis, -1), np.moveaxis(expected, axis, -1)):
        assert np.isnan(g).sum() == np.isnan(e).sum()
        num_g, num_e = g[~np.isnan(g)], e[~np.isnan(e)]
        assert (num_g.view(uint)[num_g != 0] == num_e.view(uint)[num_e != 0]).all()
    # Sorting a view in place sorts the base's strided lines.
    base = a.copy()
    lbase = lnp.array(a)
    base[::2, 1::3].sort(axis=axis)
    lbase[::2, 1::3].sort(axis=axis)
    np.testing.assert_array_equal(lbase.__array__(), base)
