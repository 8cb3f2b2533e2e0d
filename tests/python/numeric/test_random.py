"""``legate_numeric.random``: the legacy functions (``seed rand randn random
random_sample randint uniform normal standard_normal``) and ``default_rng`` /
``Generator`` (``random integers uniform normal standard_normal``); the other
distributions are in test_random_distributions.py (and in this file's script
checked under 1, 2 and 4 processors).

The streams differ from NumPy's (a counter-based Philox generator), so values are
checked statistically (mean, standard deviation, ranges, bin counts), and dtypes,
shapes, scalar results and exceptions against NumPy's. The generator's defining
property is checked directly: a seed gives the same numbers whatever the array's
shape (element ``i`` depends only on the seed, the call number and ``i``), and the
same arrays under 1, 2 and 4 processors (one subprocess per configuration).
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import check, check_same_error

N = 200_000


def arr(x):
    return np.asarray(x)


# ---------------------------------------------------------------- shapes and dtypes


@pytest.mark.parametrize("size, shape", [(None, ()), (0, (0,)), (5, (5,)), ((3, 4), (3, 4)), ((2, 0, 3), (2, 0, 3)), ((2, 3, 4), (2, 3, 4)), (np.int64(4), (4,))], ids=str)
def test_shapes_and_dtypes(size, shape):
    lnp.random.seed(1)
    g = lnp.random.default_rng(1)
    cases = [
        (lambda: lnp.random.random(size), lambda: np.random.random(size)),
        (lambda: lnp.random.random_sample(size), lambda: np.random.random_sample(size)),
        (lambda: lnp.random.randint(0, 7, size), lambda: np.random.randint(0, 7, size)),
        (lambda: lnp.random.randint(-3, 7, size, dtype=np.int8), lambda: np.random.randint(-3, 7, size, dtype=np.int8)),
        (lambda: lnp.random.uniform(2, 3, size), lambda: np.random.uniform(2, 3, size)),
        (lambda: lnp.random.normal(2, 3, size), lambda: np.random.normal(2, 3, size)),
        (lambda: lnp.random.standard_normal(size), lambda: np.random.standard_normal(size)),
        (lambda: g.random(size), lambda: np.random.default_rng(1).random(size)),
        (lambda: g.random(size, dtype=np.float32), lambda: np.random.default_rng(1).random(size, dtype=np.float32)),
        (lambda: g.integers(0, 9, size), lambda: np.random.default_rng(1).integers(0, 9, size)),
        (lambda: g.integers(0, 9, size, dtype=np.uint16), lambda: np.random.default_rng(1).integers(0, 9, size, dtype=np.uint16)),
        (lambda: g.uniform(-1, 1, size), lambda: np.random.default_rng(1).uniform(-1, 1, size)),
        (lambda: g.normal(0, 2, size), lambda: np.random.default_rng(1).normal(0, 2, size)),
        (lambda: g.standard_normal(size), lambda: np.random.default_rng(1).standard_normal(size)),
        (lambda: g.standard_normal(size, dtype=np.float32), lambda: np.random.default_rng(1).standard_normal(size, dtype=np.float32)),
    ]
    for ours, numpy in cases:
        got, expected = ours(), numpy()
        if size is None:
            # A scalar of NumPy's type (Python float/int for the legacy functions).
            assert type(got) is type(expected), (type(got), type(expected))
        else:
            assert isinstance(got, lnp.ndarray)
            assert got.shape == expected.shape == shape
            assert got.dtype == expected.dtype


def test_rand_randn_dims():
    lnp.random.seed(0)
    assert lnp.random.rand(3, 2).shape == (3, 2)
    assert lnp.random.randn(4).shape == (4,)
    assert lnp.random.rand(2, 0, 3).shape == (2, 0, 3)
    assert isinstance(lnp.random.rand(), float)
    assert isinstance(lnp.random.randn(), float)
    assert lnp.random.rand(3).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64], ids=str)
def test_integer_dtypes_and_bounds(dtype):
    info = (0, 1) if dtype is np.bool_ else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
    g = lnp.random.default_rng(7)
    # The whole range of the type (endpoint=True includes its maximum).
    x = arr(g.integers(info[0], info[1], size=4000, dtype=dtype, endpoint=True))
    assert x.dtype == np.dtype(dtype)
    assert x.min() >= info[0] and x.max() <= info[1]
    if dtype is not np.bool_:
        # Both halves of the range are hit.
        mid = (info[0] + info[1]) // 2
        assert (x.astype(object) < mid).any() and (x.astype(object) > mid).any()
    x = arr(lnp.random.randint(info[0], info[1], size=1000, dtype=dtype))
    assert x.min() >= info[0] and x.max() < info[1]
    y = arr(g.integers(info[1], size=200, dtype=dtype, endpoint=True))
    assert y.min() >= 0 and y.max() <= info[1]


def test_randint_single_value_and_high_none():
    lnp.random.seed(3)
    check_all = arr(lnp.random.randint(5, 6, size=100))
    assert (check_all == 5).all()
    x = arr(lnp.random.randint(4, size=1000))
    assert set(np.unique(x)) == {0, 1, 2, 3}
    g = lnp.random.default_rng(2)
    assert (arr(g.integers(9, 9, size=10, endpoint=True)) == 9).all()
    assert (arr(g.integers(0, 1, size=10)) == 0).all()
    assert arr(lnp.random.randint(-(2**63), 2**63 - 1, size=10)).dtype == np.int64


def test_uint64_full_range():
    g = lnp.random.default_rng(11)
    x = arr(g.integers(0, 2**64, size=10000, dtype=np.uint64))
    assert x.dtype == np.uint64
    assert (x > 2**63).any() and (x < 2**62).any()
    assert len(np.unique(x)) == x.size


# ---------------------------------------------------------------- statistics


def test_uniform_statistics():
    lnp.random.seed(1234)
    for x in (arr(lnp.random.random(N)), arr(lnp.random.rand(N // 2, 2)), arr(lnp.random.default_rng(5).random(N))):
        assert x.min() >= 0.0 and x.max() < 1.0
        assert abs(x.mean() - 0.5) < 0.005
        assert abs(x.std() - np.sqrt(1 / 12)) < 0.005
        counts, _ = np.histogram(x, bins=10, range=(0, 1))
        assert (abs(counts - x.size / 10) < 0.05 * x.size / 10).all()
    x32 = arr(lnp.random.default_rng(5).random(N, dtype=np.float32))
    assert x32.dtype == np.float32 and x32.min() >= 0.0 and x32.max() < 1.0
    assert abs(x32.mean() - 0.5) < 0.005
    u = arr(lnp.random.uniform(-2.0, 6.0, N))
    assert u.min() >= -2.0 and u.max() < 6.0
    assert abs(u.mean() - 2.0) < 0.05 and abs(u.std() - 8 / np.sqrt(12)) < 0.05
    u = arr(lnp.random.default_rng(3).uniform(10, 11, N))
    assert u.min() >= 10 and u.max() < 11


def test_normal_statistics():
    lnp.random.seed(99)
    for x in (arr(lnp.random.randn(N)), arr(lnp.random.standard_normal((N // 4, 4))), arr(lnp.random.default_rng(8).standard_normal(N))):
        assert np.isfinite(x).all()
        assert abs(x.mean()) < 0.01
        assert abs(x.std() - 1.0) < 0.01
        # Tails: about 4.55% beyond two standard deviations, 0.27% beyond three.
        assert abs((np.abs(x) > 2).mean() - 0.0455) < 0.003
        assert abs((np.abs(x) > 3).mean() - 0.0027) < 0.001
        # Symmetry.
        assert abs((x > 0).mean() - 0.5) < 0.005
    y = arr(lnp.random.normal(5.0, 2.0, N))
    assert abs(y.mean() - 5.0) < 0.03 and abs(y.std() - 2.0) < 0.03
    z = arr(lnp.random.default_rng(4).normal(-1.0, 0.5, N))
    assert abs(z.mean() + 1.0) < 0.01 and abs(z.std() - 0.5) < 0.01
    z32 = arr(lnp.random.default_rng(4).standard_normal(N, dtype=np.float32))
    assert z32.dtype == np.float32 and abs(z32.std() - 1.0) < 0.01


def test_integer_statistics():
    lnp.random.seed(5)
    x = arr(lnp.random.randint(0, 10, N))
    counts = np.bincount(x, minlength=10)
    assert counts.size == 10
    assert (abs(counts - N / 10) < 0.05 * N / 10).all()
    y = arr(lnp.random.default_rng(6).integers(-3, 3, N, endpoint=True))
    counts = np.bincount(y + 3)
    assert counts.size == 7 and (abs(counts - N / 7) < 0.05 * N / 7).all()
    # A range that is not a power of two and is large: uniform across it.
    big = arr(lnp.random.default_rng(6).integers(0, 3 * 2**60, N))
    thirds = np.bincount((big // 2**60).astype(np.int64), minlength=3)
    assert thirds.size == 3 and (abs(thirds - N / 3) < 0.03 * N / 3).all()
    b = arr(lnp.random.default_rng(6).integers(0, 2, N, dtype=np.bool_))
    assert b.dtype == np.bool_ and abs(b.mean() - 0.5) < 0.01


def test_neighbouring_values_uncorrelated():
    x = arr(lnp.random.default_rng(21).random(N))
    c = np.corrcoef(x[:-1], x[1:])[0, 1]
    assert abs(c) < 0.01
    y = arr(lnp.random.default_rng(21).random(N))  # same seed, same call: same
    z = arr(lnp.random.default_rng(22).random(N))
    assert np.array_equal(x, y)
    assert abs(np.corrcoef(x, z)[0, 1]) < 0.01


# ---------------------------------------------------------------- reproducibility


def test_seed_reproduces():
    lnp.random.seed(42)
    a1, b1, c1 = arr(lnp.random.rand(100)), arr(lnp.random.randint(0, 1000, 50)), arr(lnp.random.randn(7, 3))
    lnp.random.seed(42)
    a2, b2, c2 = arr(lnp.random.rand(100)), arr(lnp.random.randint(0, 1000, 50)), arr(lnp.random.randn(7, 3))
    assert np.array_equal(a1, a2) and np.array_equal(b1, b2) and np.array_equal(c1, c2)
    # Successive calls give different numbers.
    assert not np.array_equal(arr(lnp.random.rand(100)), a1)
    lnp.random.seed(43)
    assert not np.array_equal(arr(lnp.random.rand(100)), a1)
    g1, g2 = lnp.random.default_rng(42), lnp.random.default_rng(42)
    assert np.array_equal(arr(g1.normal(size=30)), arr(g2.normal(size=30)))
    assert np.array_equal(arr(g1.integers(0, 99, size=30)), arr(g2.integers(0, 99, size=30)))
    assert lnp.random.default_rng(g1) is g1
    rs1, rs2 = lnp.random.RandomState(5), lnp.random.RandomState(5)
    assert np.array_equal(arr(rs1.random_sample(20)), arr(rs2.random_sample(20)))


def test_values_do_not_depend_on_shape():
    """Element i of a call depends only on (seed, call, i): the same numbers come out
    for any shape with the same size (and so for any tiling)."""
    flat = arr(lnp.random.default_rng(77).random(240))
    for shape in [(240,), (16, 15), (4, 6, 10), (2, 3, 4, 10), (1, 240, 1)]:
        assert np.array_equal(arr(lnp.random.default_rng(77).random(shape)).ravel(), flat)
    ints = arr(lnp.random.default_rng(78).integers(0, 10**9, 120))
    assert np.array_equal(arr(lnp.random.default_rng(78).integers(0, 10**9, (10, 12))).ravel(), ints)
    z = arr(lnp.random.default_rng(79).standard_normal(60))
    assert np.array_equal(arr(lnp.random.default_rng(79).standard_normal((3, 20))).ravel(), z)
    # A prefix: element i is the same whatever the total size.
    assert np.array_equal(arr(lnp.random.default_rng(77).random(17)), flat[:17])


SCRIPT = textwrap.dedent(
    """
    import hashlib, numpy as np, legate_numeric as lnp
    h = hashlib.sha256()
    def add(x):
        a = np.ascontiguousarray(np.asarray(x))
        h.update(str((a.shape, a.dtype.str)).encode()); h.update(a.tobytes())
    lnp.random.seed(2024)
    add(lnp.random.rand(1001)); add(lnp.random.randn(37, 29)); add(lnp.random.randint(-50, 50, (5, 7, 11)))
    add(lnp.random.uniform(1, 2, 333)); add(lnp.random.normal(3, 4, (64, 3)))
    g = lnp.random.default_rng(7)
    add(g.random((100, 10))); add(g.random(77, dtype=np.float32)); add(g.integers(0, 2**64, 99, dtype=np.uint64))
    add(g.integers(0, 6, (9, 9, 9), dtype=np.uint8)); add(g.standard_normal((13, 31), dtype=np.float32)); add(g.normal(1, 2, 500))
    add(g.permutation(300)); add(g.choice(50, 40, replace=False)); add(g.choice(5, 100, p=[0.1, 0.2, 0.3, 0.4, 0.0]))
    add(lnp.random.permutation(lnp.arange(60.0).reshape(20, 3)))
    # The per-element samplers (rejection sampling reads each element's own stream).
    add(g.gamma(0.5, size=(40, 25))); add(g.binomial([[5], [500]], [0.2, 0.7], size=(30, 2, 2))); add(g.poisson(lnp.arange(99.0)))
    add(g.hypergeometric(20, 30, 10, 201)); add(g.vonmises(0.3, 2.0, 333)); add(g.zipf(2.5, 77)); add(g.logseries(0.7, 55))
    add(g.beta(0.4, 0.6, 123)); add(g.noncentral_chisquare(0.5, 1.5, 97)); add(g.standard_t(3.0, 150)); add(g.wald(1.0, 2.0, 90))
    add(g.multinomial(30, [0.2, 0.3, 0.5], size=41)); add(g.dirichlet([1.0, 2.0], size=33)); add(g.permuted(lnp.arange(60).reshape(6, 10), axis=1))
    add(g.multivariate_normal([0.0, 1.0], [[1.0, 0.5], [0.5, 2.0]], size=64)); add(g.integers([0, 5], [10, 1000], size=(50, 2)))
    add(lnp.random.negative_binomial(3, 0.4, 211)); add(lnp.random.geometric(0.3, 99)); add(lnp.random.triangular(0, 1, 3, 88))
    print(h.hexdigest())
    """
)


def test_same_seed_same_arrays_for_any_processor_count():
    digests = {}
    for cpus in (1, 2, 4):
        # A fresh single-rank process even when this one is an MPI rank.
        own = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMIX_", "PMI_"))}
        env = dict(own, LEGATE_TEST="1", LEGATE_CONFIG=f"--cpus {cpus}")
        proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        digests[cpus] = proc.stdout.strip().splitlines()[-1]
    assert len(set(digests.values())) == 1, digests
    # And the same as this process (whatever its configuration).
    out = []
    code = SCRIPT.replace("print(h.hexdigest())", "out.append(h.hexdigest())")
    exec(compile(code, "<script>", "exec"), {"out": out})
    assert out[0] == digests[1]


# ---------------------------------------------------------------- array parameters


def test_array_parameters_broadcast():
    g = lnp.random.default_rng(3)
    low = np.array([0.0, 10.0, 100.0])
    x = arr(g.uniform(low, low + 1, size=(4000, 3)))
    assert x.shape == (4000, 3)
    assert ((x >= low) & (x < low + 1)).all()
    loc = lnp.array([[-5.0], [5.0]])
    y = arr(lnp.random.normal(loc, 0.1))
    assert y.shape == (2, 1)
    z = arr(g.normal(np.array([0.0, 100.0]), np.array([1.0, 2.0]), size=(N // 2, 2)))
    assert abs(z[:, 0].mean()) < 0.02 and abs(z[:, 1].mean() - 100) < 0.04
    assert abs(z[:, 1].std() - 2) < 0.04
    # One scalar bound and one array bound.
    w = arr(g.uniform(0.0, np.array([1.0, 10.0]), size=(4000, 2)))
    assert (w >= 0).all() and (w[:, 0] < 1).all() and w[:, 1].max() > 1
    assert arr(lnp.random.uniform(np.array([5.0, 6.0]), 7.0)).shape == (2,)
    with pytest.raises(ValueError):
        g.uniform(np.zeros(3), 1.0, size=(4,))


# ---------------------------------------------------------------- errors like NumPy's


@pytest.mark.parametrize(
    "call",
    [
        "randint(5, 2)",
        "randint(3, 3)",
        "randint(0, 300, dtype=np.uint8)",
        "randint(-1, 3, dtype=np.uint8)",
        "randint(0, 3, dtype=float)",
        "randint(0, 2**63)",
        "rand(-1)",
        "random((2, -1))",
        "normal(0, -1)",
        "normal(0, -1, size=3)",
        "uniform(0, np.inf)",
        "uniform(0.0, [1.0, np.inf])",
        "seed(-1)",
        "seed(2**33)",
    ],
)
def test_legacy_errors(call):
    check_same_error(lambda: eval("np.random." + call), lambda: eval("lnp.random." + call))


@pytest.mark.parametrize(
    "call",
    [
        "integers(5, 2)",
        "integers(5, 4, endpoint=True)",
        "integers(0, 2**64, dtype=np.uint64, endpoint=True)",
        "integers(0, 300, dtype=np.uint8)",
        "integers(0, 3, dtype=np.float64)",
        "random(dtype=np.int32)",
        "random(3, dtype=np.float16)",
        "standard_normal(3, dtype=np.int64)",
        "normal(0, -2, size=4)",
        "random(-2)",
        "uniform(2.0, 1.0)",
        "uniform([0.0, 2.0], 1.0)",
        "uniform(0.0, [1.0, np.inf])",
        "uniform(np.nan, 1.0)",
    ],
)
def test_generator_errors(call):
    check_same_error(lambda: eval("np.random.default_rng(0)." + call), lambda: eval("lnp.random.default_rng(0)." + call))


def test_default_rng_seed_errors():
    check_same_error(lambda: np.random.default_rng(-1), lambda: lnp.random.default_rng(-1))
    # Large and sequence seeds are accepted (as by NumPy).
    assert arr(lnp.random.default_rng(2**100).random(3)).shape == (3,)
    assert arr(lnp.random.default_rng([1, 2, 3]).random(3)).shape == (3,)
    assert not np.array_equal(arr(lnp.random.default_rng([1, 2, 3]).random(9)), arr(lnp.random.default_rng([1, 2, 4]).random(9)))
    # NumPy's seeding objects work too, reproducibly.
    for make_seed in (lambda: np.random.SeedSequence(5), lambda: np.random.PCG64(5), lambda: np.random.default_rng(5)):
        assert np.array_equal(arr(lnp.random.default_rng(make_seed()).random(9)), arr(lnp.random.default_rng(make_seed()).random(9)))


def test_out_parameter():
    g = lnp.random.default_rng(0)
    out = lnp.zeros((3, 4))
    assert g.random(out=out) is out
    assert (arr(out) > 0).any()
    out32 = lnp.zeros(5, np.float32)
    g.standard_normal(out=out32, dtype=np.float32)
    assert (arr(out32) != 0).all()
    with pytest.raises(TypeError):
        g.random(out=lnp.zeros(3, np.float32))


# ---------------------------------------------------------------- native and fallback


def test_native():
    from legate_numeric import _fallback

    lnp.random.seed(0)
    lnp.random.rand(3)
    lnp.random.randint(0, 5, 3)
    lnp.random.exponential(1.0, 3)
    g = lnp.random.default_rng(0)
    g.integers(0, 5, 3)
    g.gamma(2.0, size=3)
    for name in ("random.rand", "random.randint", "random.random_sample", "random.exponential", "random.Generator.integers", "random.Generator.gamma"):
        assert name in _fallback._native
        assert name not in _fallback._fell_back
    # seed() makes every distribution reproducible.
    lnp.random.seed(9)
    a = arr(lnp.random.exponential(1.0, 50))
    lnp.random.seed(9)
    assert np.array_equal(arr(lnp.random.exponential(1.0, 50)), a)


def test_permutation_shuffle_and_choice(no_fallback):
    """Valid permutations and samples (NumPy's checks and errors); the streams differ
    from NumPy's, so values are checked by their properties."""
    lnp.random.seed(5)
    perm = np.asarray(lnp.random.permutation(100))
    assert sorted(perm.tolist()) == list(range(100)) and perm.dtype == np.int64
    rows = np.asarray(lnp.random.permutation(lnp.arange(12).reshape(6, 2)))
    assert sorted(rows[:, 0].tolist()) == list(range(0, 12, 2)) and (rows[:, 1] - rows[:, 0] == 1).all()
    x = lnp.arange(50.0)
    lnp.random.shuffle(x)
    assert sorted(np.asarray(x).tolist()) == list(range(50))
    g = lnp.random.default_rng(6)
    counts = np.bincount(np.asarray(g.choice(4, size=40000, p=[0.1, 0.2, 0.7, 0.0])), minlength=4) / 40000
    np.testing.assert_allclose(counts, [0.1, 0.2, 0.7, 0.0], atol=0.015)
    uniform = np.bincount(np.asarray(g.choice(5, size=40000)), minlength=5) / 40000
    np.testing.assert_allclose(uniform, [0.2] * 5, atol=0.015)
    assert sorted(np.asarray(g.choice(30, 30, replace=False)).tolist()) == list(range(30))
    sample = np.asarray(g.choice(lnp.array([10.0, 20.0, 30.0]), size=(4, 5)))
    assert sample.shape == (4, 5) and set(sample.ravel().tolist()) <= {10.0, 20.0, 30.0}
    picked = np.asarray(g.choice(6, size=3, replace=False, p=[0.25, 0.25, 0.25, 0.25, 0.0, 0.0]))
    assert len(set(picked.tolist())) == 3 and max(picked) < 4
    assert isinstance(g.choice(5), int)
    for np_call, lnp_call in [
        (lambda: np.random.default_rng().choice(3, 5, replace=False), lambda: g.choice(3, 5, replace=False)),
        (lambda: np.random.default_rng().choice(3, p=[0.5, 0.5, 0.5]), lambda: g.choice(3, p=[0.5, 0.5, 0.5])),
        (lambda: np.random.default_rng().choice(0), lambda: g.choice(0)),
        (lambda: np.random.default_rng().choice(3, 2, replace=False, p=[1.0, 0, 0]), lambda: g.choice(3, 2, replace=False, p=[1.0, 0, 0])),
    ]:
        assert check_same_error(np_call, lnp_call)[1] is not None
    assert np.asarray(lnp.random.permutation(-1)).shape == np.random.permutation(-1).shape == (0,)


@pytest.mark.parametrize("draw", ["integers", "integers uint8", "randint", "RandomState.randint"])
def test_empty_integer_draws_check_no_bounds(draw):
    # NumPy draws nothing for an empty size, so bounds that would be an error are not.
    calls = {
        "integers": lambda m: m.random.default_rng(0).integers(10, 0, size=(2, 0)),
        "integers uint8": lambda m: m.random.default_rng(0).integers(-5, 300, size=0, dtype=np.uint8),
        "randint": lambda m: m.random.randint(10, 0, size=0),
        "RandomState.randint": lambda m: m.random.RandomState(0).randint(10, 0, size=0),
    }
    check(calls[draw](lnp), calls[draw](np))
    with pytest.raises(ValueError):
        lnp.random.default_rng(0).integers(10, 0, size=1)


def test_unseeded_streams_take_rank_zeros_entropy(monkeypatch):
    # On several ranks an unseeded stream is seeded from rank 0's entropy (exchanged),
    # so every rank draws the same numbers; each rank's own would diverge.
    from legate import _legate, _ranks

    zeros = bytes(range(1, 17))  # "rank 0's" entropy
    monkeypatch.setattr(_ranks, "launched_ranks", lambda environ=None: 2)
    monkeypatch.setattr(_legate, "exchange_host", lambda mine: [zeros[: len(mine)], mine])
    key = int.from_bytes(zeros[:8], "little")
    check = lambda a, b: np.testing.assert_array_equal(np.asarray(a), np.asarray(b))  # noqa: E731
    check(lnp.random.default_rng().random(5), lnp.random.default_rng(key).random(5))
    check(lnp.random.RandomState().rand(5), lnp.random.RandomState().rand(5))
    assert lnp.random.SeedSequence().entropy == int.from_bytes(zeros, "little")
