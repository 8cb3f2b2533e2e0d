"""``legate_numeric.random``: every distribution of ``numpy.random`` (the legacy
functions and ``RandomState``) and of ``Generator``, seeding objects, bit-generator
names, state, and the sampling helpers.

Streams differ from NumPy's, so values are checked statistically at fixed seeds
(means within a few standard errors of the exact ones; the whole distribution by
Kolmogorov-Smirnov or chi-square tests against SciPy's and NumPy's), by their
support, and by dtype, shape and scalar type against NumPy's own results; errors against NumPy's
exception types. Independence from the processor count is checked in
test_random.py's subprocess script (which covers these samplers too).
"""

import math

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import check_same_error, quiet

N = 20_000


def arr(x):
    return np.asarray(x)


def close_mean(x, mean, var, k=5.0):
    x = arr(x).astype(np.float64)
    se = math.sqrt(var / x.size)
    assert abs(x.mean() - mean) < k * se + 1e-12, (x.mean(), mean, se)


# (method, args, exact mean, exact variance)
MOMENTS = [
    ("standard_exponential", (), 1.0, 1.0),
    ("exponential", (2.0,), 2.0, 4.0),
    ("standard_gamma", (0.5,), 0.5, 0.5),
    ("gamma", (3.0, 2.0), 6.0, 12.0),
    ("beta", (2.0, 3.0), 0.4, 0.04),
    ("beta", (0.3, 0.4), 3 / 7, 0.3 * 0.4 / (0.7**2 * 1.7)),
    ("chisquare", (3.0,), 3.0, 6.0),
    ("f", (5.0, 10.0), 10 / 8, 2 * 100 * 13 / (5 * 64 * 6)),
    ("standard_t", (5.0,), 0.0, 5 / 3),
    ("lognormal", (0.5, 0.5), math.exp(0.625), (math.exp(0.25) - 1) * math.exp(1.25)),
    ("laplace", (1.0, 2.0), 1.0, 8.0),
    ("logistic", (1.0, 2.0), 1.0, 4 * math.pi**2 / 3),
    ("gumbel", (1.0, 2.0), 1.0 + 2 * 0.5772156649, math.pi**2 / 6 * 4),
    ("pareto", (5.0,), 0.25, 5 / (16 * 3)),
    ("power", (3.0,), 0.75, 3 / (16 * 5)),
    ("rayleigh", (2.0,), 2 * math.sqrt(math.pi / 2), (4 - math.pi) / 2 * 4),
    ("weibull", (2.0,), math.gamma(1.5), math.gamma(2) - math.gamma(1.5) ** 2),
    ("triangular", (0.0, 1.0, 3.0), 4 / 3, (9 + 1 - 3) / 18),
    ("vonmises", (0.5, 4.0), 0.5, 0.3),
    ("wald", (2.0, 3.0), 2.0, 8 / 3),
    ("noncentral_chisquare", (3.0, 2.0), 5.0, 14.0),
    ("noncentral_chisquare", (0.5, 2.0), 2.5, 9.0),
    ("noncentral_f", (5.0, 20.0, 2.0), 20 * 7 / (5 * 18), 0.6),
    ("normal", (1.0, 2.0), 1.0, 4.0),
    ("uniform", (1.0, 3.0), 2.0, 1 / 3),
    ("binomial", (10, 0.3), 3.0, 2.1),
    ("binomial", (1000, 0.6), 600.0, 240.0),
    ("negative_binomial", (3.0, 0.4), 4.5, 11.25),
    ("poisson", (4.0,), 4.0, 4.0),
    ("poisson", (500.0,), 500.0, 500.0),
    ("geometric", (0.25,), 4.0, 12.0),
    ("hypergeometric", (10, 20, 6), 2.0, 6 * (1 / 3) * (2 / 3) * 24 / 29),
    ("hypergeometric", (500, 600, 300), 300 * 5 / 11, 300 * (5 / 11) * (6 / 11) * 800 / 1099),
    ("logseries", (0.5,), 0.5 / (0.5 * math.log(2)), 0.5 * (1 - 0.5 / math.log(2)) / (0.25 * math.log(2))),
    ("zipf", (4.0,), 1.2020569 / 1.0823232, 1.6449341 / 1.0823232 - (1.2020569 / 1.0823232) ** 2),
]


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "generator"])
@pytest.mark.parametrize("name, args, mean, var", MOMENTS, ids=[f"{m[0]}{m[1]}" for m in MOMENTS])
def test_moments(name, args, mean, var, legacy):
    if legacy:
        lnp.random.seed(11)
        x = getattr(lnp.random, name)(*args, size=N)
    else:
        x = getattr(lnp.random.default_rng(11), name)(*args, size=N)
    assert isinstance(x, lnp.ndarray) and x.shape == (N,)
    close_mean(x, mean, var)



# ---------------------------------------------------------------- whole distributions
#
# Kolmogorov-Smirnov against SciPy's CDF (continuous) and a chi-square test against
# SciPy's probability mass function (discrete), at fixed seeds: a sampler with the
# right mean but the wrong shape fails here. Also a two-sample KS test against
# NumPy's own sampler with the same parameters.

GOF_N = 8000
P_MIN = 1e-3

CONTINUOUS = [
    ("standard_exponential", (), "expon()"),
    ("exponential", (2.0,), "expon(scale=2.0)"),
    ("standard_gamma", (0.5,), "gamma(0.5)"),
    ("gamma", (3.0, 2.0), "gamma(3.0, scale=2.0)"),
    ("gamma", (0.05, 1.0), "gamma(0.05)"),
    ("beta", (2.0, 3.0), "beta(2.0, 3.0)"),
    ("beta", (0.3, 0.4), "beta(0.3, 0.4)"),
    ("chisquare", (3.0,), "chi2(3.0)"),
    ("chisquare", (0.4,), "chi2(0.4)"),
    ("f", (5.0, 10.0), "f(5.0, 10.0)"),
    ("standard_t", (2.5,), "t(2.5)"),
    ("standard_cauchy", (), "cauchy()"),
    ("lognormal", (0.5, 0.5), "lognorm(0.5, scale=math.exp(0.5))"),
    ("laplace", (1.0, 2.0), "laplace(1.0, 2.0)"),
    ("logistic", (1.0, 2.0), "logistic(1.0, 2.0)"),
    ("gumbel", (1.0, 2.0), "gumbel_r(1.0, 2.0)"),
    ("pareto", (3.0,), "lomax(3.0)"),
    ("power", (0.5,), "powerlaw(0.5)"),
    ("rayleigh", (2.0,), "rayleigh(scale=2.0)"),
    ("weibull", (0.7,), "weibull_min(0.7)"),
    ("triangular", (0.0, 1.0, 3.0), "triang(1 / 3, loc=0.0, scale=3.0)"),
    ("vonmises", (0.0, 4.0), "vonmises(4.0)"),
    ("vonmises", (0.0, 0.3), "vonmises(0.3)"),
    ("wald", (2.0, 3.0), "invgauss(2 / 3, scale=3.0)"),
    ("noncentral_chisquare", (3.0, 2.0), "ncx2(3.0, 2.0)"),
    ("noncentral_chisquare", (0.5, 2.0), "ncx2(0.5, 2.0)"),
    ("noncentral_f", (5.0, 20.0, 2.0), "ncf(5.0, 20.0, 2.0)"),
    ("normal", (1.0, 2.0), "norm(1.0, 2.0)"),
    ("uniform", (1.0, 3.0), "uniform(1.0, 2.0)"),
]


def _draw_both(name, args, legacy, seed):
    """(ours, NumPy's) samples of ``name(*args)``."""
    if legacy:
        lnp.random.seed(seed)
        ours = getattr(lnp.random, name)(*args, size=GOF_N)
        theirs = getattr(np.random.RandomState(seed), name)(*args, size=GOF_N)
    else:
        ours = getattr(lnp.random.default_rng(seed), name)(*args, size=GOF_N)
        theirs = getattr(np.random.default_rng(seed), name)(*args, size=GOF_N)
    return arr(ours), theirs


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "generator"])
@pytest.mark.parametrize("name, args, dist", CONTINUOUS, ids=[f"{m[0]}{m[1]}" for m in CONTINUOUS])
def test_continuous_distributions_ks(name, args, dist, legacy):
    stats = pytest.importorskip("scipy.stats")
    ours, theirs = _draw_both(name, args, legacy, 21)
    frozen = eval("stats." + dist)
    assert stats.kstest(ours, frozen.cdf).pvalue > P_MIN, name
    assert stats.ks_2samp(ours, theirs).pvalue > P_MIN, name


DISCRETE = [
    ("binomial", (10, 0.3), "binom(10, 0.3)"),
    ("binomial", (1000, 0.6), "binom(1000, 0.6)"),
    ("binomial", (40, 0.02), "binom(40, 0.02)"),
    ("negative_binomial", (3.0, 0.4), "nbinom(3.0, 0.4)"),
    ("negative_binomial", (0.5, 0.8), "nbinom(0.5, 0.8)"),
    ("poisson", (4.0,), "poisson(4.0)"),
    ("poisson", (0.2,), "poisson(0.2)"),
    ("poisson", (500.0,), "poisson(500.0)"),
    ("geometric", (0.25,), "geom(0.25)"),
    ("geometric", (0.01,), "geom(0.01)"),
    ("geometric", (0.7,), "geom(0.7)"),
    ("hypergeometric", (10, 20, 6), "hypergeom(30, 10, 6)"),
    ("hypergeometric", (500, 600, 300), "hypergeom(1100, 500, 300)"),
    ("logseries", (0.5,), "logser(0.5)"),
    ("logseries", (0.99,), "logser(0.99)"),
    ("zipf", (4.0,), "zipf(4.0)"),
    ("zipf", (1.7,), "zipf(1.7)"),
]


def _chi_square_p(x, frozen, stats):
    """Pearson's test of integer samples ``x`` against ``frozen``'s mass function,
    the support cut into bins of expected count at least 5 (tails pooled)."""
    lo = int(frozen.ppf(1e-9))
    # Heavy tails (zipf) are pooled beyond lo + 5000 (SciPy's ppf would search far).
    hi = lo + 5000 if frozen.sf(lo + 5000) > 1e-9 else int(frozen.ppf(1 - 1e-9))
    ks = np.arange(lo, hi + 1)
    expected = frozen.pmf(ks) * x.size
    observed = np.bincount(np.clip(x, lo, hi) - lo, minlength=ks.size).astype(float)
    # The tails beyond [lo, hi] go to the end bins.
    expected[0] += frozen.cdf(lo - 1) * x.size
    expected[-1] += frozen.sf(hi) * x.size
    bins_e, bins_o, acc_e, acc_o = [], [], 0.0, 0.0
    for e, o in zip(expected, observed):
        acc_e, acc_o = acc_e + e, acc_o + o
        if acc_e >= 5:
            bins_e.append(acc_e)
            bins_o.append(acc_o)
            acc_e = acc_o = 0.0
    if bins_e:
        bins_e[-1] += acc_e
        bins_o[-1] += acc_o
    bins_e = np.asarray(bins_e)
    bins_e *= x.size / bins_e.sum()
    return stats.chisquare(bins_o, bins_e).pvalue


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "generator"])
@pytest.mark.parametrize("name, args, dist", DISCRETE, ids=[f"{m[0]}{m[1]}" for m in DISCRETE])
def test_discrete_distributions_chi_square(name, args, dist, legacy):
    stats = pytest.importorskip("scipy.stats")
    ours, theirs = _draw_both(name, args, legacy, 22)
    frozen = eval("stats." + dist)
    assert ours.dtype == theirs.dtype
    assert _chi_square_p(ours, frozen, stats) > P_MIN, name
    # NumPy's own sampler passes the same test (the test itself is sound).
    assert _chi_square_p(theirs, frozen, stats) > P_MIN, name


SUPPORT = [
    ("beta", (0.5, 0.5), 0, 1),
    ("power", (0.5,), 0, 1),
    ("binomial", (7, 0.5), 0, 7),
    ("hypergeometric", (5, 20, 8), 0, 5),
    ("vonmises", (3.0, 0.5), -math.pi, math.pi),
    ("vonmises", (-3.0, 1e7), -math.pi, math.pi),
    ("triangular", (-1.0, 2.0, 2.5), -1, 2.5),
    ("logseries", (0.9,), 1, np.inf),
    ("zipf", (1.5,), 1, np.inf),
    ("geometric", (0.9,), 1, np.inf),
    ("pareto", (1.0,), 0, np.inf),
    ("weibull", (0.5,), 0, np.inf),
    ("wald", (1.0, 0.1), 0, np.inf),
    ("chisquare", (0.2,), 0, np.inf),
    ("standard_gamma", (0.01,), 0, np.inf),
]


@pytest.mark.parametrize("name, args, lo, hi", SUPPORT, ids=[f"{m[0]}{m[1]}" for m in SUPPORT])
def test_support(name, args, lo, hi):
    x = arr(getattr(lnp.random.default_rng(3), name)(*args, size=2000))
    assert np.isfinite(x).all() and (x >= lo).all() and (x <= hi).all()


def test_edge_parameters():
    g = lnp.random.default_rng(0)
    assert (arr(g.binomial(0, 0.5, 10)) == 0).all() and (arr(g.binomial(9, 1.0, 10)) == 9).all()
    assert (arr(g.poisson(0.0, 10)) == 0).all()
    assert (arr(g.standard_gamma(0.0, 10)) == 0).all()
    assert (arr(g.geometric(1.0, 10)) == 1).all()
    assert (arr(g.weibull(0.0, 10)) == 0).all()
    assert (arr(g.hypergeometric(5, 0, 5, 10)) == 5).all()
    assert (arr(g.exponential(0.0, 10)) == 0).all()
    x = arr(g.vonmises(0.0, 0.0, 4000))  # uniform on the circle
    assert abs(x.mean()) < 0.1 and x.min() >= -math.pi and x.max() <= math.pi


def test_heavy_tails_and_the_int64_range():
    """Values past the int64 range: geometric saturates them (as NumPy does), zipf
    draws again (as NumPy does), however rare the values in range are."""
    g, top = lnp.random.default_rng(12), np.iinfo(np.int64).max
    x = arr(g.geometric(1e-20, 20000))
    inside = 1 - math.exp(-1e-20 * 2.0**63)  # P(X < 2**63), about 0.088
    assert abs((x < top).mean() - inside) < 0.01 and (x[x < top] >= 1).all()
    z = arr(g.zipf(1 + 1e-7, 2000))  # NumPy needs about 230000 tries per value
    assert (z >= 1).all() and (z < top).all()
    assert (arr(g.zipf(2000.0, 50)) == 1).all()
    stats = pytest.importorskip("scipy.stats")
    ours, theirs = arr(g.zipf(1.001, 4000)), np.random.default_rng(12).zipf(1.001, 4000)
    assert stats.ks_2samp(np.log(ours), np.log(theirs)).pvalue > P_MIN


# ---------------------------------------------------------------- types and shapes

CALLS = [
    "standard_exponential()", "exponential(2.0)", "standard_gamma(2.0)", "gamma(2.0, 3.0)", "beta(1.0, 2.0)",
    "chisquare(2.0)", "f(2.0, 3.0)", "standard_t(3.0)", "standard_cauchy()", "lognormal(0.0, 1.0)",
    "laplace()", "logistic()", "gumbel()", "pareto(2.0)", "power(2.0)", "rayleigh()", "weibull(2.0)",
    "triangular(0.0, 1.0, 2.0)", "vonmises(0.0, 1.0)", "wald(1.0, 1.0)", "noncentral_chisquare(2.0, 1.0)",
    "noncentral_f(2.0, 3.0, 1.0)", "binomial(5, 0.5)", "negative_binomial(2, 0.5)", "poisson(3.0)",
    "geometric(0.5)", "hypergeometric(5, 5, 3)", "logseries(0.5)", "zipf(2.0)",
]


def _with_size(call, size):
    inner = call[call.index("(") + 1 : -1]
    return call[: call.index("(") + 1] + (inner + ", " if inner else "") + f"size={size!r})"


@pytest.mark.parametrize("size", [None, 0, 3, (2, 3)], ids=str)
def test_types_and_shapes_like_numpy(size):
    rs_np, rs = np.random.RandomState(0), lnp.random.RandomState(0)
    g_np, g = np.random.default_rng(0), lnp.random.default_rng(0)
    for call in CALLS:
        for ours, theirs in ((rs, rs_np), (g, g_np), (lnp.random, np.random)):
            c = _with_size(call, size)
            got, expected = eval("ours." + c), eval("theirs." + c)
            if size is None:
                assert type(got) is type(expected), (c, type(got), type(expected))
            else:
                assert isinstance(got, lnp.ndarray), c
                assert got.shape == expected.shape and got.dtype == expected.dtype, (c, got.shape, got.dtype, expected.dtype)


def test_float32_outputs():
    g = lnp.random.default_rng(1)
    for x in (g.standard_exponential(5, dtype=np.float32), g.standard_gamma(2.0, 5, dtype=np.float32)):
        assert x.dtype == np.float32 and x.shape == (5,) and (arr(x) > 0).all()
    out = lnp.zeros(4, np.float32)
    assert g.standard_exponential(dtype=np.float32, out=out) is out and (arr(out) > 0).all()
    out = lnp.zeros((2, 2))
    assert g.standard_gamma(3.0, out=out) is out and (arr(out) > 0).all()
    assert type(g.standard_exponential(dtype=np.float32)) is type(np.random.default_rng().standard_exponential(dtype=np.float32))
    with pytest.raises(TypeError):
        g.standard_gamma(1.0, 3, dtype=np.int32)
    with pytest.raises(ValueError):
        g.standard_exponential(3, method="bad")


def test_array_parameters_broadcast():
    g, gn = lnp.random.default_rng(5), np.random.default_rng(5)
    shape_a = np.array([1.0, 2.0, 50.0])
    x = g.gamma(shape_a, 2.0, size=(6000, 3))
    assert x.shape == (6000, 3)
    np.testing.assert_allclose(arr(x).mean(axis=0), shape_a * 2, rtol=0.06)
    n = np.array([[10], [100]])
    p = lnp.array([0.1, 0.5, 0.9])
    b = g.binomial(n, p)
    assert b.shape == gn.binomial(n, np.asarray(p)).shape == (2, 3) and b.dtype == np.int64
    assert (arr(b) <= n).all()
    b = arr(g.binomial(n, p, size=(4000, 2, 3)))
    np.testing.assert_allclose(b.mean(axis=0), n * np.array([0.1, 0.5, 0.9]), rtol=0.05, atol=0.05)
    assert g.triangular(np.zeros(4), 1.0, lnp.full(4, 3.0)).shape == (4,)
    assert g.hypergeometric([5, 10], 10, [[3], [4]]).shape == (2, 2)
    # A 0-d array parameter with size=None gives a scalar, as in NumPy.
    assert type(g.poisson(np.array(3.0))) is type(gn.poisson(np.array(3.0)))
    assert g.poisson(lnp.array([1.0, 2.0])).shape == (2,)
    # Non-contiguous parameters.
    lam = lnp.arange(12.0).reshape(3, 4)[:, ::2]
    x = g.poisson(lam, size=(500, 3, 2))
    np.testing.assert_allclose(arr(x).mean(axis=0), arr(lam), atol=0.6)
    with pytest.raises(ValueError):
        g.gamma(np.ones(3), 1.0, size=(4,))


ERRORS = [
    "exponential(-1.0)", "exponential([1.0, -1.0])", "gamma(-1.0)", "gamma(1.0, -1.0)", "standard_gamma(-1.0)",
    "beta(0.0, 1.0)", "beta(1.0, -1.0)", "chisquare(0.0)", "f(0.0, 1.0)", "f(1.0, [1.0, 0.0])", "standard_t(0.0)",
    "lognormal(0.0, -1.0)", "laplace(0.0, -1.0)", "logistic(0.0, -1.0)", "gumbel(0.0, -1.0)", "pareto(0.0)",
    "power(0.0)", "rayleigh(-1.0)", "weibull(-1.0)", "triangular(2.0, 1.0, 3.0)", "triangular(0.0, 4.0, 3.0)",
    "triangular(1.0, 1.0, 1.0)", "vonmises(0.0, -1.0)", "wald(0.0, 1.0)", "wald(1.0, 0.0)",
    "noncentral_chisquare(0.0, 1.0)", "noncentral_chisquare(1.0, -1.0)", "noncentral_f(1.0, 1.0, -1.0)",
    "binomial(-1, 0.5)", "binomial(5, 1.5)", "binomial(5, -0.5)", "binomial(5, np.nan)", "binomial([5, 6], [0.5, 2.0])",
    "negative_binomial(0, 0.5)", "negative_binomial(1, 1.5)", "poisson(-1.0)", "poisson(1e20)", "geometric(0.0)",
    "geometric(1.5)", "hypergeometric(-1, 5, 3)", "hypergeometric(5, 5, 11)", "hypergeometric(5, 5, -1)",
    "logseries(1.0)", "logseries(-0.1)", "zipf(1.0)", "zipf(np.nan)", "dirichlet([1.0, -1.0])",
    "dirichlet([[1.0]])", "multinomial(-1, [0.5, 0.5])", "multinomial(3, [0.8, 0.8])", "multinomial(3, [-0.1, 1.1])",
    "multivariate_normal([0.0], [[1.0, 0.0]])", "multivariate_normal([0.0, 1.0], [[1.0]])", "gamma(1.0, size=-1)",
    "choice(5, 3, p=[0.5, 0.5])",
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_like_numpy(call):
    check_same_error(lambda: eval("np.random.RandomState(0)." + call), lambda: eval("lnp.random.RandomState(0)." + call))
    check_same_error(lambda: eval("np.random.default_rng(0)." + call), lambda: eval("lnp.random.default_rng(0)." + call))


# ---------------------------------------------------------------- multivariate


def test_multinomial():
    g = lnp.random.default_rng(2)
    p = [0.2, 0.3, 0.5]
    x = g.multinomial(20, p, size=5000)
    assert x.shape == (5000, 3) and x.dtype == np.int64
    x = arr(x)
    assert (x.sum(axis=1) == 20).all() and (x >= 0).all()
    np.testing.assert_allclose(x.mean(axis=0), 20 * np.array(p), rtol=0.03)
    one = g.multinomial(7, p)
    assert one.shape == (3,) and int(arr(one).sum()) == 7
    legacy = arr(lnp.random.multinomial(10, [0.5, 0.5], size=(2, 3)))
    assert legacy.shape == (2, 3, 2) and (legacy.sum(axis=-1) == 10).all()
    ns = arr(g.multinomial([5, 50], p))
    assert ns.shape == (2, 3) and (ns.sum(axis=1) == [5, 50]).all()


def test_dirichlet():
    g = lnp.random.default_rng(3)
    alpha = np.array([1.0, 2.0, 3.0])
    x = g.dirichlet(alpha, size=6000)
    assert x.shape == (6000, 3) and x.dtype == np.float64
    x = arr(x)
    np.testing.assert_allclose(x.sum(axis=1), 1.0)
    np.testing.assert_allclose(x.mean(axis=0), alpha / alpha.sum(), atol=0.01)
    assert lnp.random.dirichlet([0.5, 0.5]).shape == (2,)


@pytest.mark.parametrize("method", ["svd", "eigh", "cholesky"])
def test_multivariate_normal(method):
    g = lnp.random.default_rng(4)
    mean = np.array([1.0, -2.0, 0.5])
    cov = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 0.5]])
    x = g.multivariate_normal(mean, cov, size=N, method=method)
    assert x.shape == (N, 3) and x.dtype == np.float64
    x = arr(x)
    np.testing.assert_allclose(x.mean(axis=0), mean, atol=0.05)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.08)
    assert lnp.random.multivariate_normal(mean, cov).shape == (3,)
    assert lnp.random.multivariate_normal(mean, cov, size=(2, 4)).shape == (2, 4, 3)
    if method != "cholesky":
        with pytest.warns(RuntimeWarning):
            g.multivariate_normal([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], method=method)
        with pytest.raises(ValueError):
            g.multivariate_normal([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], check_valid="raise", method=method)


def test_multivariate_hypergeometric():
    g = lnp.random.default_rng(5)
    colors = [4, 8, 12]
    x = g.multivariate_hypergeometric(colors, 6, size=4000)
    assert x.shape == (4000, 3) and x.dtype == np.int64
    x = arr(x)
    assert (x.sum(axis=1) == 6).all() and (x <= colors).all()
    np.testing.assert_allclose(x.mean(axis=0), 6 * np.array(colors) / 24, atol=0.08)
    assert g.multivariate_hypergeometric(colors, 3).shape == (3,)
    for call in ("multivariate_hypergeometric([4, -1], 2)", "multivariate_hypergeometric([4, 1], 6)", "multivariate_hypergeometric([4, 1], 2, method='x')"):
        check_same_error(lambda: eval("np.random.default_rng(0)." + call), lambda: eval("lnp.random.default_rng(0)." + call))


# ---------------------------------------------------------------- integers, sampling helpers


def test_integers_with_array_bounds():
    g = lnp.random.default_rng(6)
    low, high = np.array([0, 10, -100]), np.array([5, 20, 100])
    x = g.integers(low, high, size=(3000, 3))
    assert x.shape == (3000, 3) and x.dtype == np.int64
    x = arr(x)
    assert (x >= low).all() and (x < high).all()
    assert set(np.unique(x[:, 0]).tolist()) == set(range(5))
    y = arr(g.integers(low, high, size=(3000, 3), endpoint=True, dtype=np.int16))
    assert y.dtype == np.int16 and (y <= high).all() and (y == high).any()
    assert g.integers([3, 4]).shape == (2,)
    assert arr(lnp.random.randint(lnp.array([1, 2]), 10)).shape == (2,)
    for call in ("integers([5, 2], 3)", "integers([0, 0], [300, 5], dtype=np.uint8)", "integers([0, 1], 3, size=(4,))"):
        check_same_error(lambda: eval("np.random.default_rng(0)." + call), lambda: eval("lnp.random.default_rng(0)." + call))


def test_choice_permutation_along_axes():
    g = lnp.random.default_rng(7)
    a = lnp.arange(24).reshape(4, 6)
    c = g.choice(a, 3, replace=False, axis=1)
    assert c.shape == (4, 3)
    cols = arr(c)
    assert (cols[1] - cols[0] == 6).all() and len(set(cols[0].tolist())) == 3
    assert g.choice(a, (2, 5), axis=0).shape == (2, 5, 6)
    assert g.choice(a).shape == (6,)
    p = arr(g.permutation(a, axis=1))
    assert sorted(p[0].tolist()) == list(range(6)) and (p[1] - p[0] == 6).all()
    x = np.arange(20.0).reshape(4, 5)
    g.shuffle(x, axis=1)
    assert sorted(x[0].tolist()) == list(range(5)) and (x[1] - x[0] == 5).all()
    lst = list(range(10))
    lnp.random.shuffle(lst)
    assert sorted(lst) == list(range(10))
    # Empty populations are allowed when no samples are taken.
    gn = np.random.default_rng(7)
    for call in ("choice(0, 0)", "choice(-1, 0)", "choice([], 0)", "choice([], (2, 0))", "choice(0, 0, replace=False)",
                 "choice(np.zeros((0, 3)), 0)", "choice(np.zeros((2, 0)), 0, axis=1)", "choice(5, (0, 2))"):
        got, expected = eval("g." + call), eval("gn." + call)
        assert got.shape == expected.shape and got.dtype == expected.dtype, call
    check_same_error(lambda: gn.choice(0), lambda: g.choice(0))
    check_same_error(lambda: gn.choice([], 1), lambda: g.choice([], 1))


def test_permuted():
    g = lnp.random.default_rng(8)
    a = lnp.arange(30).reshape(3, 10)
    p = arr(g.permuted(a, axis=1))
    assert all(sorted(p[i].tolist()) == list(range(10 * i, 10 * i + 10)) for i in range(3))
    assert not (p[1] - p[0] == 10).all()  # rows shuffled independently
    q = arr(g.permuted(a))
    assert q.shape == (3, 10) and sorted(q.ravel().tolist()) == list(range(30))
    out = lnp.empty((3, 10), dtype=np.int64)
    assert g.permuted(a, axis=0, out=out) is out
    assert sorted(arr(out)[:, 0].tolist()) == [0, 10, 20]


def test_0d_arrays_in_shuffles_raise_numpys_errors():
    g, h = lnp.random.default_rng(1), np.random.default_rng(1)
    for name, kw in (("shuffle", {}), ("permuted", {}), ("permuted", {"axis": 0}), ("permutation", {})):
        check_same_error(lambda: getattr(h, name)(np.array(3), **kw), lambda: getattr(g, name)(lnp.array(3), **kw))
    check_same_error(lambda: h.permuted(np.arange(3), 0), lambda: g.permuted(lnp.arange(3), 0))  # axis is keyword-only
    check_same_error(lambda: np.random.shuffle(np.array(3)), lambda: lnp.random.shuffle(lnp.array(3)))
    check_same_error(lambda: np.random.permutation(np.array(3)), lambda: lnp.random.permutation(lnp.array(3)))


def test_bytes():
    for g in (lnp.random.default_rng(9), lnp.random.RandomState(9), lnp.random):
        b = g.bytes(40)
        assert isinstance(b, bytes) and len(b) == 40
    assert lnp.random.default_rng(9).bytes(16) == lnp.random.default_rng(9).bytes(16)


# ---------------------------------------------------------------- seeding, state, bit generators


def test_seed_sequence_like_numpy():
    ours, theirs = lnp.random.SeedSequence(1234), np.random.SeedSequence(1234)
    np.testing.assert_array_equal(ours.generate_state(4), theirs.generate_state(4))
    np.testing.assert_array_equal(ours.generate_state(2, np.uint64), theirs.generate_state(2, np.uint64))
    assert ours.entropy == theirs.entropy and ours.pool_size == 4
    kids = ours.spawn(2)
    np.testing.assert_array_equal(kids[1].generate_state(3), theirs.spawn(2)[1].generate_state(3))
    assert kids[1].spawn_key == (1,) and ours.n_children_spawned == 2
    a, b = lnp.random.default_rng(lnp.random.SeedSequence(5)), lnp.random.default_rng(np.random.SeedSequence(5))
    assert np.array_equal(arr(a.random(8)), arr(b.random(8)))


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM", "Philox", "MT19937", "SFC64"])
def test_bit_generators(name):
    cls = getattr(lnp.random, name)
    bg = cls(42)
    assert isinstance(bg, lnp.random.BitGenerator)
    g = lnp.random.Generator(bg)
    assert g.bit_generator is bg
    assert np.array_equal(arr(g.gamma(2.0, size=9)), arr(lnp.random.Generator(cls(42)).gamma(2.0, size=9)))
    raw = bg.random_raw(5)
    assert raw.dtype == np.uint64 and raw.shape == (5,)
    assert isinstance(bg.random_raw(), int)
    state = bg.state
    x = arr(g.normal(size=6))
    bg.state = state
    assert np.array_equal(arr(g.normal(size=6)), x)
    assert not np.array_equal(arr(lnp.random.Generator(bg.jumped()).random(5)), arr(lnp.random.Generator(cls(42)).random(5)))
    assert isinstance(bg.seed_seq, lnp.random.SeedSequence)


def test_state_round_trip():
    lnp.random.seed(3)
    st = lnp.random.get_state()
    a = arr(lnp.random.poisson(3.0, 50))
    lnp.random.set_state(st)
    assert np.array_equal(arr(lnp.random.poisson(3.0, 50)), a)
    rs = lnp.random.RandomState(4)
    st = rs.get_state(legacy=False)
    b = arr(rs.beta(2.0, 2.0, 20))
    rs.set_state(st)
    assert np.array_equal(arr(rs.beta(2.0, 2.0, 20)), b)
    with pytest.raises(ValueError):
        rs.set_state(("MT19937", 1, 2))
    bg = lnp.random.get_bit_generator()
    lnp.random.set_bit_generator(lnp.random.PCG64(1))
    c = arr(lnp.random.rand(5))
    lnp.random.set_bit_generator(lnp.random.PCG64(1))
    assert np.array_equal(arr(lnp.random.rand(5)), c)
    lnp.random.set_bit_generator(bg)


def test_spawn():
    g = lnp.random.default_rng(10)
    kids = g.spawn(3)
    assert len(kids) == 3 and all(isinstance(k, lnp.random.Generator) for k in kids)
    draws = [arr(k.random(16)) for k in kids]
    assert not np.array_equal(draws[0], draws[1]) and not np.array_equal(draws[1], draws[2])
    again = lnp.random.default_rng(10).spawn(3)
    assert np.array_equal(arr(again[2].random(16)), draws[2])
    more = g.spawn(1)[0]  # a fourth child, not a repeat of the first
    assert not np.array_equal(arr(more.random(16)), draws[0])


def test_reproducible_and_shape_independent():
    """Element i depends only on (seed, call, i) for the per-element samplers too."""
    flat = arr(lnp.random.default_rng(77).gamma(0.7, size=120))
    for shape in [(120,), (10, 12), (2, 3, 20)]:
        assert np.array_equal(arr(lnp.random.default_rng(77).gamma(0.7, size=shape)).ravel(), flat)
    assert np.array_equal(arr(lnp.random.default_rng(77).gamma(0.7, size=17)), flat[:17])
    b1 = arr(lnp.random.default_rng(5).binomial(np.arange(40), 0.3))
    b2 = arr(lnp.random.default_rng(5).binomial(lnp.arange(40), 0.3))
    assert np.array_equal(b1, b2)


def test_all_native(no_fallback):
    """Every legacy function and Generator method runs natively."""
    with quiet():
        g = lnp.random.default_rng(0)
        for call in CALLS:
            eval("g." + _with_size(call, 2))
            eval("lnp.random." + _with_size(call, 2))
        lnp.random.random_integers(1, 6, 3)
        lnp.random.RandomState(0).tomaxint(2)
