"""Functions composed natively from the runtime's operations (and the searchsorted and
bincount tasks), against NumPy with the fallback off: rounding and other elementwise
helpers, NaN-ignoring statistics, ``average``/``ptp``, grids and triangle indices,
``select``, ``trapezoid``, ``kron``, ``cross``, ``searchsorted``, partitions,
``lexsort``, ``isin``, ``bincount``, ``histogram``, ``digitize``, ``interp``, ``cov``,
``corrcoef``, ``gradient``, ``convolve``, ``correlate`` and ``linspace``'s computation
type."""

import warnings

import numpy as np
import pytest
from conftest import check, check_same_error

import legate_numeric as lnp

VALUES = np.array([1.25, 2.5, -0.5, 1.005, 123.456, np.nan, np.inf, -0.0, -2.5, 0.5])


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


@pytest.mark.parametrize("decimals", [0, 1, 2, -1, -2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64, np.complex128], ids=str)
def test_round(decimals, dtype):
    x = (VALUES * 10).astype(dtype) if np.dtype(dtype).kind in "iu" else VALUES.astype(dtype)
    if np.dtype(dtype).kind in "iu":
        x = np.array([15, 25, -35, 7, 0, 44], dtype=dtype)
    if dtype == np.complex128:
        x = x + 1j * x[::-1]
    a = lnp.array(x)
    check(lnp.round(a, decimals), np.round(x, decimals))
    check(lnp.around(a[::-1], decimals), np.around(x[::-1], decimals))
    check(a.round(decimals), x.round(decimals))


def test_elementwise_helpers():
    x = VALUES
    a = lnp.array(x)
    i = np.array([3, -2, 0], dtype=np.int32)
    z = np.array([1 + 1j, -1 + 0j, -1j, complex(np.nan, 1)])
    check(lnp.fix(a), np.fix(x))
    for v in (x, i, z):
        check(lnp.angle(lnp.array(v)), np.angle(v))
        check(lnp.angle(lnp.array(v), deg=True), np.angle(v, deg=True))
    check(lnp.heaviside(a, 0.5), np.heaviside(x, 0.5))
    check(lnp.heaviside(lnp.array(i), lnp.array(i)), np.heaviside(i, i))
    check(lnp.sinc(a), np.sinc(x))
    for kw in ({}, {"nan": -1.0, "posinf": 7.0, "neginf": -7.0}):
        check(lnp.nan_to_num(a, **kw), np.nan_to_num(x, **kw))
        check(lnp.nan_to_num(lnp.array(x.astype(np.float32)), **kw), np.nan_to_num(x.astype(np.float32), **kw))
        check(lnp.nan_to_num(lnp.array(z), **kw), np.nan_to_num(z, **kw))
    check(lnp.nan_to_num(lnp.array(i)), np.nan_to_num(i))
    b = lnp.array(x)
    assert lnp.nan_to_num(b, copy=False) is b
    check(b, np.nan_to_num(x))


@pytest.mark.parametrize("shape", [(7,), (4, 5), (3, 4, 5)], ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int32], ids=str)
def test_nan_statistics_average_ptp(dtype, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3
    if dtype == np.complex128:
        x = x + 1j * rng.standard_normal(shape)
    x = x.astype(dtype)
    if x.dtype.kind != "i":
        x.flat[1] = np.nan
        if x.ndim > 1:
            x[0] = np.nan  # an all-NaN slice
    a = lnp.array(x)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else {}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for axis in [None] + list(range(len(shape))):
            for keepdims in (False, True):
                check(lnp.nanmean(a, axis=axis, keepdims=keepdims), np.nanmean(x, axis=axis, keepdims=keepdims), **tol)
                for ddof in (0, 1, 5):
                    check(lnp.nanvar(a, axis=axis, keepdims=keepdims, ddof=ddof), np.nanvar(x, axis=axis, keepdims=keepdims, ddof=ddof), **tol)
                check(lnp.nanstd(a, axis=axis, keepdims=keepdims), np.nanstd(x, axis=axis, keepdims=keepdims), **tol)
                if dtype != np.complex128:
                    check(lnp.ptp(a, axis=axis, keepdims=keepdims), np.ptp(x, axis=axis, keepdims=keepdims), **tol)
                check(lnp.average(a, axis=axis, keepdims=keepdims), np.average(x, axis=axis, keepdims=keepdims), **tol)
                if axis is not None:
                    w = rng.random(shape[axis]) + 0.1
                    for g, e in zip(lnp.average(a, axis=axis, weights=w, returned=True, keepdims=keepdims),
                                    np.average(x, axis=axis, weights=w, returned=True, keepdims=keepdims)):
                        check(g, e, **tol)


def test_average_errors():
    x = np.arange(6.0).reshape(2, 3)
    a = lnp.array(x)
    for np_call, lnp_call in [
        (lambda: np.average(x, weights=[1, 2, 3]), lambda: lnp.average(a, weights=[1, 2, 3])),
        (lambda: np.average(x, axis=1, weights=[1, 2]), lambda: lnp.average(a, axis=1, weights=[1, 2])),
        (lambda: np.average(x, axis=1, weights=[0, 0, 0]), lambda: lnp.average(a, axis=1, weights=[0, 0, 0])),
    ]:
        assert check_same_error(np_call, lnp_call)[1] is not None


def test_grids_and_triangles():
    check(lnp.logspace(0, 3, 7), np.logspace(0, 3, 7))
    check(lnp.logspace(1, 2, 5, base=2.0, endpoint=False), np.logspace(1, 2, 5, base=2.0, endpoint=False))
    for dims in [(2, 3), (4,), (2, 1, 3)]:
        check(lnp.indices(dims), np.indices(dims))
        for g, e in zip(lnp.indices(dims, sparse=True), np.indices(dims, sparse=True)):
            check(g, e)
    for n, k, m in [(4, 0, None), (4, 1, None), (4, -1, 5), (3, 0, 2), (0, 0, None)]:
        for f in ("tril_indices", "triu_indices"):
            for g, e in zip(getattr(lnp, f)(n, k, m), getattr(np, f)(n, k, m)):
                check(g, e)


def test_select_trapezoid_kron_cross():
    x = np.arange(10.0)
    a = lnp.array(x)
    check(lnp.select([a < 3, a > 5], [a, a**2], 42), np.select([x < 3, x > 5], [x, x**2], 42))
    y = np.arange(12.0).reshape(3, 4) ** 2
    b = lnp.array(y)
    check(lnp.trapezoid(b), np.trapezoid(y))
    check(lnp.trapezoid(b, dx=0.5, axis=0), np.trapezoid(y, dx=0.5, axis=0))
    xs = np.array([0.0, 1, 3, 6])
    check(lnp.trapezoid(b, x=lnp.array(xs)), np.trapezoid(y, x=xs))
    for p, q in [(np.arange(4).reshape(2, 2), np.ones((2, 3))), (np.arange(3), np.arange(4.0)),
                 (np.arange(6).reshape(1, 2, 3), np.arange(2))]:
        check(lnp.kron(lnp.array(p), lnp.array(q)), np.kron(p, q))
    rng = np.random.default_rng(1)
    for sa, sb in [((3,), (3,)), ((5, 3), (5, 3)), ((4, 3), (3,))]:
        u, v = rng.standard_normal(sa), rng.standard_normal(sb)
        check(lnp.cross(lnp.array(u), lnp.array(v)), np.cross(u, v))
    u, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    check(lnp.cross(lnp.array(u), lnp.array(v), axis=0), np.cross(u, v, axis=0))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float32, np.float64, np.complex128], ids=str)
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(dtype, side):
    rng = np.random.default_rng(2)
    s = np.sort((rng.standard_normal(300) * 5).astype(dtype))
    if dtype == np.float64:
        s[-3:] = np.nan  # NaNs sort last; searches find them there
    v = (rng.standard_normal((40, 6)) * 6).astype(dtype)
    if dtype == np.float64:
        v[0, 0] = np.nan
    a = lnp.array(s)
    check(lnp.searchsorted(a, lnp.array(v), side), np.searchsorted(s, v, side))
    check(a.searchsorted(lnp.array(v[::-2]), side), s.searchsorted(v[::-2], side))
    assert lnp.searchsorted(a, s[7].item(), side) == np.searchsorted(s, s[7], side)
    u = s[rng.permutation(300)]
    order = np.argsort(u, kind="stable")
    check(lnp.searchsorted(lnp.array(u), lnp.array(v), side, sorter=lnp.array(order)), np.searchsorted(u, v, side, sorter=order))


def test_partitions_lexsort_isin():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, (6, 7))
    a = lnp.array(x)
    for kth in (0, 3, -1, [1, 4]):
        k = np.atleast_1d(kth) % 7
        got = np.asarray(lnp.partition(a, kth, axis=1))
        exp = np.partition(x, kth, axis=1)
        check(got[:, k], exp[:, k])
        assert (got[:, : k.min()] <= got[:, k.min() : k.min() + 1]).all()
        pos = np.asarray(lnp.argpartition(a, kth, axis=0))
        k0 = np.atleast_1d(kth) % 6
        check(np.take_along_axis(x, pos, 0)[k0], np.partition(x, kth, axis=0)[k0])
    with pytest.raises(ValueError):
        lnp.partition(a, 7, axis=1)
    b = lnp.array(x.copy())
    b.partition(2)
    check(b[:, 2], np.partition(x, 2)[:, 2])
    keys = (rng.integers(0, 3, 20), rng.integers(0, 3, 20), rng.random(20))
    check(lnp.lexsort([lnp.array(k) for k in keys]), np.lexsort(keys))
    k2 = rng.integers(0, 3, (2, 4, 5))
    check(lnp.lexsort(lnp.array(k2)), np.lexsort(k2))
    e = rng.integers(0, 10, (3, 4))
    t = [1, 3, 5, 7, 7]
    check(lnp.isin(lnp.array(e), t), np.isin(e, t))
    check(lnp.isin(lnp.array(e), lnp.array(t), invert=True), np.isin(e, t, invert=True))
    check(lnp.isin(lnp.array(e), lnp.array(np.array([], dtype=int))), np.isin(e, np.array([], dtype=int)))
    check(lnp.isin(lnp.array(e.astype(float)), [1.5, 3.0]), np.isin(e.astype(float), [1.5, 3.0]))


def test_bincount():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 20, 1000)
    w = rng.random(1000)
    a = lnp.array(x)
    check(lnp.bincount(a), np.bincount(x))
    check(lnp.bincount(a, lnp.array(w)), np.bincount(x, w))
    check(lnp.bincount(a, minlength=30), np.bincount(x, minlength=30))
    check(lnp.bincount(a[::-3]), np.bincount(x[::-3]))
    check(lnp.bincount(lnp.array(x.astype(np.uint8))), np.bincount(x.astype(np.uint8)))
    empty = np.array([], dtype=np.int64)
    check(lnp.bincount(lnp.array(empty), minlength=3), np.bincount(empty, minlength=3))
    # NumPy ignores the weights of an empty ``x`` (their dtype, their length): int zeros.
    for w in (np.array([]), np.array([1.5]), np.array([], dtype=np.float32)):
        check(lnp.bincount(lnp.array(empty), lnp.array(w), minlength=3), np.bincount(empty, w, minlength=3))
    for bad in ([1, -1], [1.5], [[1]]):
        assert check_same_error(lambda: np.bincount(np.array(bad)), lambda: lnp.bincount(lnp.array(bad)))[1] is not None


def test_bincount_refuses_complex_weights_as_numpy_does():
    x, w = np.array([0, 1, 1]), np.array([1j, 2, 3])
    with pytest.raises(TypeError):
        np.bincount(x, weights=w)
    with pytest.raises(TypeError):
        lnp.bincount(lnp.asarray(x), weights=lnp.asarray(w))


HIST_DATA = {
    "normal": np.random.default_rng(6).standard_normal(1000),
    "ints": np.random.default_rng(7).integers(-5, 5, 300),
    "float32 2-d": np.random.default_rng(8).standard_normal((20, 30)).astype(np.float32),
    "constant": np.array([1.0, 1.0]),
    "empty": np.array([]),
}


@pytest.mark.parametrize("kw", [{}, {"bins": 7}, {"bins": 5, "range": (-1, 1)}, {"bins": [-2, -0.5, 0, 0.1, 3]},
                                {"bins": 4, "density": True}, {"bins": 6, "weights": "halves"}], ids=str)
@pytest.mark.parametrize("name", list(HIST_DATA))
def test_histogram_and_digitize(name, kw):
    x = HIST_DATA[name]
    kw = dict(kw)
    if kw.get("weights") == "halves":
        kw["weights"] = np.full(x.shape, 0.5)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g, e in zip(lnp.histogram(lnp.array(x), **kw), np.histogram(x, **kw)):
            check(g, e)
    edges = np.array([0, 1.5, 3, 10])
    for right in (False, True):
        check(lnp.digitize(lnp.array(x), lnp.array(edges), right), np.digitize(x, edges, right))
        check(lnp.digitize(lnp.array(x), lnp.array(edges[::-1]), right), np.digitize(x, edges[::-1], right))


def test_histogram_errors():
    for np_call, lnp_call in [
        (lambda: np.histogram(np.array([1.0, np.nan])), lambda: lnp.histogram(lnp.array([1.0, np.nan]))),
        (lambda: np.histogram(np.arange(3.0), bins=0), lambda: lnp.histogram(lnp.arange(3.0), bins=0)),
        (lambda: np.histogram(np.arange(3.0), range=(2, 1)), lambda: lnp.histogram(lnp.arange(3.0), range=(2, 1))),
        (lambda: np.histogram(np.arange(3.0), bins=[2, 1]), lambda: lnp.histogram(lnp.arange(3.0), bins=[2, 1])),
    ]:
        assert check_same_error(np_call, lnp_call)[1] is not None


@pytest.mark.parametrize("bounds", [(np.float32(-3.01145), np.float32(2.97257)), (np.float32(1), np.float32(1)), (0.0, 1.0)], ids=str)
@pytest.mark.parametrize("endpoint", [True, False])
def test_linspace_computes_in_numpys_type(bounds, endpoint):
    """float32 bounds give a float32 computation, as in NumPy (histogram edges rely on it)."""
    for num in (1, 5, 11):
        check(lnp.linspace(*bounds, num, endpoint=endpoint), np.linspace(*bounds, num, endpoint=endpoint))


def test_interp():
    rng = np.random.default_rng(9)
    xp = np.sort(rng.random(20)) * 10
    fp = rng.standard_normal(20)
    x = rng.random((4, 50)) * 12 - 1
    x.flat[:3] = xp[:3]
    x.flat[3] = xp[-1]
    x.flat[4] = np.nan
    for kw in ({}, {"left": -9.0, "right": 9.0}):
        check(lnp.interp(lnp.array(x), lnp.array(xp), lnp.array(fp), **kw), np.interp(x, xp, fp, **kw))
    # Repeated sample points, a single point, lists.
    check(lnp.interp(lnp.array([1.0, 0.5, 1.5]), [0.0, 1, 1, 2], [0.0, 1, 2, 3]), np.interp([1.0, 0.5, 1.5], [0.0, 1, 1, 2], [0.0, 1, 2, 3]))
    check(lnp.interp(lnp.array([0, 1, 2]), [1], [5]), np.interp([0, 1, 2], [1], [5]))
    for np_call, lnp_call in [(lambda: np.interp([1.0], [0.0, 1.0], [1.0]), lambda: lnp.interp(lnp.array([1.0]), [0.0, 1.0], [1.0])),
                              (lambda: np.interp([1.0], [], []), lambda: lnp.interp(lnp.array([1.0]), [], []))]:
        assert check_same_error(np_call, lnp_call)[1] is not None


@pytest.mark.parametrize("kind", ["real", "complex", "flat complex", "infinite"])
def test_interp_complex_period_and_nan(kind, no_fallback):
    # Bit for bit NumPy's loops: complex fp by parts, period= wrapping, a NaN x passing
    # through (also where fp is flat), infinite slopes.
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.uniform(-2, 12, 40), [np.nan, 0, 10, 3, 7.5, -np.inf, np.inf]])
    for xp in (np.sort(rng.uniform(0, 10, 8)), np.array([0.0, 1, 1, 2, 5, 10]), np.array([3.0])):
        fp = {"real": np.full(xp.size, 2.0), "complex": rng.normal(size=xp.size) + 1j * rng.normal(size=xp.size),
              "flat complex": np.full(xp.size, 2 + 3j), "infinite": np.where(np.arange(xp.size) % 2, np.inf, 1.0) + 1j}[kind]
        ends = dict(left=1 + 2j, right=-1j) if fp.dtype.kind == "c" else dict(left=0.5, right=-0.5)
        for kw in ({}, ends, dict(period=4), dict(period=-7.5, left=1)):
            with np.errstate(all="ignore"):
                exp = np.interp(x, xp, fp, **kw)
                got = lnp.interp(lnp.array(x), lnp.array(xp), lnp.array(fp), **kw)
            check(got, exp, exact=True)
    check(lnp.interp(2.5, lnp.array([1.0, 2, 3]), lnp.array([1j, 2, 3])), np.interp(2.5, [1.0, 2, 3], [1j, 2, 3]), exact=True)
    y = rng.uniform(-5, 5, (5, 8))
    check(lnp.interp(lnp.array(y), lnp.arange(4.0), lnp.array([1j, 2, 3, 4j]), period=3), np.interp(y, np.arange(4.0), [1j, 2, 3, 4j], period=3))


def test_interp_errors():
    for kw in [dict(period=0), dict(period=2, fp=[1.0, 2]), dict(period=2, xp=[[0.0, 1, 2]]), dict(period=2, xp=[], fp=[]), dict(x=[1j]),
               dict(fp=[1.0, 2])]:
        def call(mod, kw=kw):
            b = dict(kw)
            args = [mod.asarray(b.pop("x", [0.5, 1.5])), mod.asarray(b.pop("xp", [0.0, 1, 2])), mod.asarray(b.pop("fp", [1.0, 2, 3]))]
            return mod.interp(*args, **b)

        with pytest.raises(Exception) as exp:
            call(np)
        with pytest.raises(type(exp.value)) as got:
            call(lnp)
        assert str(got.value) == str(exp.value)


@pytest.mark.parametrize("kind", ["normal", "vector", "ints", "complex", "one observation"])
def test_cov_and_corrcoef(kind):
    rng = np.random.default_rng(10)
    m = {"normal": rng.standard_normal((3, 10)), "vector": rng.standard_normal(10), "ints": rng.integers(0, 9, (4, 6)),
         "complex": rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5)), "one observation": rng.standard_normal((3, 1))}[kind]
    a = lnp.array(m)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kw in ({}, {"rowvar": False}, {"bias": True}, {"ddof": 0}, {"dtype": np.float32}, {"dtype": np.complex64}):
            if kw.get("dtype") == np.float32 and np.iscomplexobj(m):
                continue
            check(lnp.cov(a, **kw), np.cov(m, **kw), rtol=1e-5)  # dtype=float32 stays float32
        check(lnp.cov(a, y=lnp.array(m * 2 + 1)), np.cov(m, y=m * 2 + 1))
        check(lnp.corrcoef(a), np.corrcoef(m))
        check(lnp.corrcoef(a, rowvar=False), np.corrcoef(m, rowvar=False))


@pytest.mark.parametrize("shape", [(10,), (5, 7), (4, 5, 6), (3,)], ids=str)
def test_gradient(shape):
    rng = np.random.default_rng(11)
    f = rng.standard_normal(shape)
    a = lnp.array(f)
    for args, kw in [((), {}), ((0.5,), {}), ((), {"edge_order": 2}), ((2.0,), {"axis": 0}), ((), {"axis": -1, "edge_order": 2})]:
        got, exp = lnp.gradient(a, *args, **kw), np.gradient(f, *args, **kw)
        for g, e in zip(got if isinstance(got, tuple) else (got,), exp if isinstance(exp, tuple) else (exp,)):
            check(g, e)
    x = np.cumsum(rng.random(shape[0])) + 0.1
    check(lnp.gradient(a, lnp.array(x), axis=0), np.gradient(f, x, axis=0))
    check(lnp.gradient(lnp.array(np.arange(6, dtype=np.int32) ** 2)), np.gradient(np.arange(6, dtype=np.int32) ** 2))
    assert check_same_error(lambda: np.gradient(np.ones(2), edge_order=2), lambda: lnp.gradient(lnp.ones(2), edge_order=2))[1] is not None


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64], ids=str)
def test_gradient_coordinates(dtype, no_fallback):
    # Coordinates with edge_order=2 (NumPy's second-order one-sided weights), mixed with
    # scalar spacings; edges computed in float64 for float32 data, bit for bit NumPy's.
    rng = np.random.default_rng(13)
    f = (rng.normal(size=(5, 7)) * 10).astype(dtype)
    x0, x1 = np.cumsum(rng.uniform(0.1, 2, 5)), np.cumsum(rng.uniform(0.1, 2, 7))
    for args, kw in [((x0, x1), dict(edge_order=2)), ((x1,), dict(axis=1, edge_order=2)), ((2.0, x1), dict(edge_order=2)),
                     ((x0, 0.5), dict(edge_order=1)), ((np.arange(5), np.arange(7) ** 2), dict(edge_order=2))]:
        got = lnp.gradient(lnp.array(f), *[lnp.array(v) if isinstance(v, np.ndarray) else v for v in args], **kw)
        exp = np.gradient(f, *args, **kw)
        for g, e in zip(got if isinstance(got, tuple) else (got,), exp if isinstance(exp, tuple) else (exp,)):
            check(g, e, exact=True)
    check(lnp.gradient(lnp.array(f[:3]), lnp.array(x0[:3]), axis=0, edge_order=2), np.gradient(f[:3], x0[:3], axis=0, edge_order=2), exact=True)


@pytest.mark.parametrize("cdtype", [np.float32, np.complex64, np.complex128], ids=str)
def test_gradient_coordinates_keep_their_type(cdtype, no_fallback):
    """float32 and complex coordinates (and complex scalar spacings) keep their type, as
    NumPy's: complex ones were cast to float64, dropping their imaginary parts."""
    import warnings

    f = np.array([1.0, 4, 9, 16, 30])
    x = np.array([0, 1, 3, 4, 7], cdtype)
    if np.dtype(cdtype).kind == "c":
        x = x + np.array([0, 1j, 0, 1j, 0], cdtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's ComplexWarning, storing complex into real f
        for ff in (f, f.astype(np.float32), f + 1j):
            for edge_order in (1, 2):
                check(lnp.gradient(lnp.array(ff), lnp.array(x), edge_order=edge_order), np.gradient(ff, x, edge_order=edge_order), rtol=1e-6)
            check(lnp.gradient(lnp.array(ff), 2 - 1j), np.gradient(ff, 2 - 1j))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_and_correlate(mode):
    rng = np.random.default_rng(12)
    for n in range(1, 6):
        for m in range(1, 7):
            a = rng.standard_normal(n) + 1j * rng.standard_normal(n)
            v = rng.standard_normal(m) - 2j
            for f in ("convolve", "correlate"):
                check(getattr(lnp, f)(lnp.array(a), lnp.array(v), mode), getattr(np, f)(a, v, mode))
    i, j = rng.integers(0, 5, 40), rng.integers(0, 5, 4)
    check(lnp.convolve(lnp.array(i), lnp.array(j), mode), np.convolve(i, j, mode))
    assert check_same_error(lambda: np.convolve(np.ones(3), np.ones(0)), lambda: lnp.convolve(lnp.ones(3), lnp.ones(0)))[1] is not None


def test_geomspace_and_unwrap():
    for a, b, n, endpoint in [(1, 1000, 4, True), (1, 256, 9, True), (-1, -1000, 4, True), (2.5, 0.1, 7, False), (1, 2, 1, True)]:
        check(lnp.geomspace(a, b, n, endpoint=endpoint), np.geomspace(a, b, n, endpoint=endpoint))
    check(lnp.geomspace(np.float32(1), np.float32(100), 5), np.geomspace(np.float32(1), np.float32(100), 5))
    check(lnp.geomspace(1, 1000, 4, dtype=int), np.geomspace(1, 1000, 4, dtype=int))
    assert check_same_error(lambda: np.geomspace(0, 10), lambda: lnp.geomspace(0, 10))[1] is not None
    rng = np.random.default_rng(14)
    wrapped = np.angle(np.exp(1j * np.cumsum(rng.standard_normal(50)) * 2))
    for x in (wrapped, wrapped.reshape(5, 10)):
        a = lnp.array(x)
        check(lnp.unwrap(a), np.unwrap(x))
        check(lnp.unwrap(a, axis=0), np.unwrap(x, axis=0))
        check(lnp.unwrap(a, discont=4.0), np.unwrap(x, discont=4.0))
    i = np.array([2, 3, 4, 5, 6, 7, 8, 9]) * 3
    check(lnp.unwrap(lnp.array(i), period=10), np.unwrap(i, period=10))
    check(lnp.unwrap(lnp.array([1.0, 5, 9, 2]), period=6), np.unwrap(np.array([1.0, 5, 9, 2]), period=6))
