"""1-d sparse arrays (``csr_array``, ``coo_array``, ``dok_array``, as SciPy 1.17 has
them) against SciPy in the same test: construction, conversions, indexing,
arithmetic, products, reductions; and the formats SciPy refuses in 1-d."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import host, tol

import legate_numeric as lnp
import legate_sparse as sparse

pytestmark = pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")

FORMATS_1D = ["csr", "coo", "dok"]
VALUE_DTYPES = [np.float32, np.float64, np.complex64, np.complex128, np.int32, np.int64]
VALUE_IDS = ["f4", "f8", "c8", "c16", "i4", "i8"]


def _vector(dtype, n=9, seed=0):
    """A dense 1-d NumPy vector with zeros, negative values and (complex) imaginary parts."""
    rng = np.random.default_rng(seed)
    v = np.round(rng.uniform(-4, 4, n)) * (rng.uniform(size=n) < 0.5)
    if np.dtype(dtype).kind == "c":
        v = v + 1j * np.round(rng.uniform(-2, 2, n)) * (v != 0)
    return v.astype(dtype)


def _pair(fmt, dense):
    return getattr(sparse, f"{fmt}_array")(dense), getattr(sp, f"{fmt}_array")(dense)


def _outcome(f, *args):
    """``f(*args)`` or the type of the exception it raised."""
    try:
        return f(*args)
    except Exception as e:  # noqa: BLE001 - compared with SciPy's
        return type(e)


def _same(got, want, dtype=None, fmt=True):
    """``got`` (legate) matches SciPy's ``want``: the exception type, or the sparse
    format, shape, dtype and values, or a dense/scalar result's shape and values."""
    if isinstance(want, type):
        assert got is want, (got, want)
        return
    assert not isinstance(got, type), (got, want)
    if sp.issparse(want):
        assert sparse.issparse(got), type(got)
        if fmt:
            assert got.format == want.format, (got.format, want.format)
        assert got.shape == want.shape and got.ndim == want.ndim, (got.shape, want.shape)
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        g, w = host(got.toarray()), want.toarray()
    else:
        assert not sparse.issparse(got), type(got)
        g, w = host(got), np.asarray(want)
        assert g.shape == w.shape, (g.shape, w.shape)
    r = tol(dtype or w.dtype) if w.dtype.kind in "fc" else 0
    np.testing.assert_allclose(g, w, rtol=r, atol=r)


def _no_fallback(before):
    """No ``*_array`` method of the 1-d formats ran in SciPy since ``before``."""
    new = set(sparse._fallback._fell_back) - before
    assert not [n for n in new if n.split("_")[0] in FORMATS_1D], new


# ---- construction ----


@pytest.mark.parametrize("dtype", VALUE_DTYPES + [np.bool_], ids=VALUE_IDS + ["b"])
@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_from_dense(fmt, dtype):
    d = _vector(dtype)
    for arg in (d, lnp.asarray(d), list(d)):
        a = getattr(sparse, f"{fmt}_array")(arg)
        s = getattr(sp, f"{fmt}_array")(d)
        _same(a, s)
        assert a.nnz == s.nnz and a.ndim == 1 and a.shape == (9,)
    empty = getattr(sparse, f"{fmt}_array")(np.zeros(0, dtype))
    _same(empty, getattr(sp, f"{fmt}_array")(np.zeros(0, dtype)))


@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_from_shape(fmt):
    for args in [((6,), {}), ((6,), {"dtype": np.complex64}), ((0,), {"dtype": np.int32})]:
        a = getattr(sparse, f"{fmt}_array")(*args[:1], **args[1])
        s = getattr(sp, f"{fmt}_array")(*args[:1], **args[1])
        _same(a, s)
        assert a.nnz == 0


@pytest.mark.parametrize("dtype", VALUE_DTYPES, ids=VALUE_IDS)
def test_csr_from_arrays(dtype):
    data = np.array([1, 2, 5, 7], dtype=dtype)
    indices = np.array([3, 1, 3, 0])
    indptr = np.array([0, 4])
    a = sparse.csr_array((data, indices, indptr), shape=(6,))
    s = sp.csr_array((data, indices, indptr), shape=(6,))
    _same(a, s)
    assert a.has_canonical_format == s.has_canonical_format is False
    np.testing.assert_array_equal(host(a.indptr), s.indptr)
    a.sum_duplicates()
    s.sum_duplicates()
    for x, y in [(a.data, s.data), (a.indices, s.indices), (a.indptr, s.indptr)]:
        np.testing.assert_array_equal(host(x), y)
    # Without a shape, (data, indices, indptr) is one row of a 2-d array (SciPy's rule).
    _same(sparse.csr_array((data, indices, indptr)), sp.csr_array((data, indices, indptr)))
    # (data, (idx,)); the shape is inferred or given (SciPy 1.17 sums duplicates of
    # 1-d input wrongly, so the indices are distinct here; DOK does not take it).
    for kw in ({}, {"shape": (8,)}):
        for fmt in ("csr", "coo"):
            a = getattr(sparse, f"{fmt}_array")((data, (indices + np.arange(4),)), **kw)
            s = getattr(sp, f"{fmt}_array")((data, (indices + np.arange(4),)), **kw)
            _same(a, s)
    summed = np.zeros(8, dtype)
    np.add.at(summed, indices, data)
    dup = sparse.coo_array((data, (indices,)), shape=(8,))
    np.testing.assert_array_equal(host(dup.toarray()), summed)
    _same(dup.tocsr(), sp.csr_array(summed))


def test_bad_input():
    data, indptr = np.array([1.0, 2.0]), np.array([0, 2])
    cases = [
        lambda m: m.csr_array((data, np.array([3, 1]), np.array([0, 2, 2])), shape=(6,)),  # indptr size
        lambda m: m.csr_array((data, (np.array([7, 1]),)), shape=(6,)),  # out of range
        lambda m: m.csr_array((data, (np.array([-1, 1]),)), shape=(6,)),  # negative
        lambda m: m.csr_array(np.zeros((2, 2, 2))),
        lambda m: m.csr_matrix((6,)),
        lambda m: m.csr_array(np.ones(6)) + m.csr_array(np.ones(5)),
        lambda m: m.csr_array(np.ones(6)) @ np.ones(5),
        lambda m: np.ones(5) @ m.csr_array(np.ones(6)),
        lambda m: m.csr_array(np.ones(6)) @ m.csr_array(np.ones((5, 2))),
        lambda m: m.csr_array(np.ones(6))[6],
        lambda m: m.csr_array(np.ones(6))[1, 2],
        lambda m: m.csr_array(np.ones(6)).sum(axis=1),
        lambda m: m.csr_array(np.ones(6)).max(axis=1),
        lambda m: m.csr_array(np.zeros(0)).max(),
        lambda m: m.dok_array(np.ones(6))[1, 2],
        lambda m: m.coo_array(np.ones(6))[1, 2],
    ]
    for case in cases:
        want = _outcome(case, sp)
        assert isinstance(want, type), want
        assert _outcome(case, sparse) is want, (case, want)
    # An index outside the shape is an error here; SciPy 1.17 drops it silently.
    with pytest.raises(ValueError):
        sparse.csr_array((data, np.array([7, 1]), indptr), shape=(6,))


@pytest.mark.parametrize("fmt", ["csc", "lil", "dia", "bsr"])
def test_2d_only_formats_refuse_1d(fmt):
    """csc, lil, dia and bsr have no 1-d arrays: the exception SciPy raises."""
    d = _vector(np.float64)
    cases = [
        lambda m: getattr(m, f"{fmt}_array")(d),
        lambda m: getattr(m, f"{fmt}_array")((6,)),
        lambda m: getattr(m, f"{fmt}_array")(m.csr_array(d)),
        lambda m: getattr(m, f"{fmt}_array")(m.coo_array(d)),
        lambda m: m.csr_array(d).asformat(fmt),
        lambda m: m.coo_array(d).asformat(fmt),
        lambda m: m.dok_array(d).asformat(fmt),
        lambda m: getattr(m.csr_array(d), f"to{fmt}")(),
        lambda m: getattr(m, f"{fmt}_array")(m.dok_array(d)),
    ]
    for case in cases:
        want = _outcome(case, sp)
        assert isinstance(want, type), want
        assert _outcome(case, sparse) is want, (fmt, want)
    # *_matrix classes are 2-d: from a 1-d sparse array, SciPy's exception (CSR matrices
    # are left out: SciPy 1.17 makes a 1-d matrix, legate_sparse a (1, n) one).
    for src in (lambda m: m.coo_array(d), lambda m: m.dok_array(d)):
        for name in (f"{fmt}_matrix", "coo_matrix", "dok_matrix"):
            want = _outcome(lambda: getattr(sp, name)(src(sp)))
            assert isinstance(want, type) and _outcome(lambda: getattr(sparse, name)(src(sparse))) is want, name
            assert _outcome(lambda: getattr(sparse, name)(src(sp))) is want, name
    # From SciPy's own 1-d arrays too.
    want = _outcome(lambda: getattr(sp, f"{fmt}_array")(sp.csr_array(d)))
    assert _outcome(lambda: getattr(sparse, f"{fmt}_array")(sp.csr_array(d))) is want


# ---- conversions ----


@pytest.mark.parametrize("dtype", VALUE_DTYPES, ids=VALUE_IDS)
@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_conversions(fmt, dtype):
    before = set(sparse._fallback._fell_back)
    a, s = _pair(fmt, _vector(dtype))
    for to in FORMATS_1D:
        _same(getattr(a, f"to{to}")(), getattr(s, f"to{to}")())
        _same(a.asformat(to), s.asformat(to))
        _same(getattr(sparse, f"{to}_array")(a), getattr(sp, f"{to}_array")(s))
        _same(getattr(sparse, f"{to}_array")(s), getattr(sp, f"{to}_array")(s))
    _same(a.toarray(), s.toarray())
    _same(a.todense(), s.todense())
    _same(a.toarray(order="F"), s.toarray(order="F"))
    out = lnp.zeros(9, dtype)
    assert a.toarray(out=out) is out
    _same(out, s.toarray())
    _same(a.T, s.T)
    _same(a.transpose(), s.transpose())
    _same(a.copy(), s.copy())
    _same(a.astype(np.complex128), s.astype(np.complex128))
    _same(a.reshape(3, 3), s.reshape(3, 3))
    _same(a.reshape(3, 3).reshape(9), s.reshape(3, 3).reshape(9))
    _no_fallback(before)


# ---- indexing ----


@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_indexing_and_assignment(fmt):
    before = set(sparse._fallback._fell_back)
    d = _vector(np.float64)
    a, s = _pair(fmt, d)
    keys = [0, 1, -1, 3, np.int64(4), slice(None), slice(1, 5), slice(None, None, 2), slice(7, 2, -2),
            slice(4, 4), [1, 3, 3, 0], np.array([8, -9]), d != 0, np.zeros(0, np.int64), (slice(2, 6),), (2,), ...]
    for key in keys:
        want = s[key]
        got = a[key]
        _same(got, want)
        if np.isscalar(want):
            assert type(got) is type(want), (type(got), type(want))
    _same(a[lnp.arange(3)], s[np.arange(3)])
    # Assignment, native (each 1-d array as its row).
    for key, val in [(2, 7.0), (-1, 3.0), ((4,), -2), (slice(1, 4), 2.5), ([5, 6], [1.5, 2.5]),
                     (np.array([0, 8]), 0.0), (d != 0, 1.0), (slice(None, None, 3), lnp.asarray([4.0, 5.0, 6.0]))]:
        a[key] = val
        s[key] = host(val) if isinstance(val, lnp.ndarray) else val
        _same(a, s)
    assert a.nnz == s.nnz
    with pytest.raises(IndexError):
        a[1, 2] = 1.0
    _no_fallback(before)


def test_dok_mapping():
    d = _vector(np.float64)
    a, s = _pair("dok", d)
    assert sorted(a.keys()) == sorted(s.keys())
    assert sorted(a.items()) == sorted(s.items())
    assert len(a) == len(s)
    for key in (1, 2, (1,), 8):
        assert (key in a) == (key in s)
    for i in range(9):
        assert a.get(i) == s.get(i)
    a[2] = 7
    s[2] = 7
    a[int(np.nonzero(d)[0][0])] = 0
    s[int(np.nonzero(d)[0][0])] = 0
    a[[5, 6]] = [1.5, 2.5]
    s[[5, 6]] = [1.5, 2.5]
    a[-1] = 3
    s[-1] = 3
    _same(a, s)
    assert a.nnz == s.nnz
    _same(a[2:7], s[2:7])


# ---- arithmetic ----


@pytest.mark.parametrize("dtype", VALUE_DTYPES, ids=VALUE_IDS)
@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_arithmetic(fmt, dtype):
    before = set(sparse._fallback._fell_back)
    a, s = _pair(fmt, _vector(dtype, seed=1))
    d2 = _vector(dtype, seed=2)
    dense = np.arange(1, 10).astype(dtype)
    D = np.arange(18).reshape(2, 9).astype(dtype)
    unary = [operator.neg, abs, lambda x: x.conj(), lambda x: x.power(2), lambda x: x.real, lambda x: x.imag]
    if np.dtype(dtype).kind == "f":
        unary.append(lambda x: abs(x).sqrt())
    for f in unary:
        _same(f(a), f(s), dtype)
    for fmt2 in FORMATS_1D:
        b, t = _pair(fmt2, d2)
        for f in [operator.add, operator.sub, operator.mul, lambda x, y: x.multiply(y), lambda x, y: x.maximum(y),
                  lambda x, y: x.minimum(y)]:
            _same(f(a, b), f(s, t), dtype, fmt=fmt == "csr")
    for other in [2, 0, 1.5, np.float32(3)]:
        for f in [operator.mul, lambda x, y: y * x, lambda x, y: x.multiply(y)]:
            _same(f(a, other), f(s, other), dtype)
    if fmt != "dok" or np.dtype(dtype).kind in "fc":  # SciPy's integer DOK / 2 stays integer
        _same(a / 2, s / 2, dtype)
    for f in [operator.add, operator.sub, operator.mul, lambda x, y: x.multiply(y)]:
        for other in (dense, D):
            _same(_outcome(f, a, other), _outcome(f, s, other), dtype, fmt=False)
            _same(_outcome(f, a, lnp.asarray(other)), _outcome(f, s, other), dtype, fmt=False)
    if np.dtype(dtype).kind in "fc":
        _same(a / dense, s / dense, dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            _same(a / sparse.csr_array(dense), s / sp.csr_array(dense), dtype)
    _no_fallback(before)


@pytest.mark.parametrize("op", [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge],
                         ids=lambda op: op.__name__)
@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_compare(fmt, op):
    before = set(sparse._fallback._fell_back)
    a, s = _pair(fmt, _vector(np.float64, seed=3))
    b, t = _pair("csr", _vector(np.float64, seed=4))
    dense = np.linspace(-2, 2, 9)
    for other, sother in [(0, 0), (1.0, 1.0), (-1, -1), (b, t), (a, s), (dense, dense)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = op(s, sother)
            got = op(a, other)
        _same(got, want)
    _no_fallback(before)


# ---- products ----


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128, np.int64],
                         ids=["f4", "f8", "c8", "c16", "i8"])
@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_matmul(fmt, dtype):
    before = set(sparse._fallback._fell_back)
    a, s = _pair(fmt, _vector(dtype, seed=5))
    b, t = _pair("csr", _vector(dtype, seed=6))
    x = _vector(dtype, seed=7) + 1
    X = np.arange(27).reshape(9, 3).astype(dtype)
    Y = np.arange(18).reshape(2, 9).astype(dtype)
    M, N = sp.random_array((9, 4), density=0.5, rng=1), sp.random_array((5, 9), density=0.5, rng=2)
    M, N = M.astype(dtype), N.astype(dtype)
    cases = [
        (lambda v, w: v @ w, (x, x)), (lambda v, w: w @ v, (x, x)), (lambda v, w: v.dot(w), (x, x)),
        (lambda v, w: v @ w, (b, t)), (lambda v, w: v.dot(w), (b, t)),
        (lambda v, w: v @ w, (X, X)), (lambda v, w: w @ v, (Y, Y)),
        (lambda v, w: v @ w, (sparse.csr_array(M), M)), (lambda v, w: v @ w, (sparse.csc_array(M), M.tocsc())),
        (lambda v, w: w @ v, (sparse.csr_array(N), N)), (lambda v, w: w @ v, (sparse.coo_array(N), N.tocoo())),
        (lambda v, w: w.dot(v), (sparse.csr_array(N), N)),
        (lambda v, w: v @ w, (lnp.asarray(x), x)), (lambda v, w: w @ v, (lnp.asarray(Y), Y)),
    ]
    for f, (other, sother) in cases:
        want = f(s, sother)
        got = f(a, other)
        _same(got, want, dtype)
    # 2-d sparse @ 1-d sparse of other formats.
    _same(sparse.csr_array(N) @ sparse.coo_array(s), N @ sp.coo_array(s), dtype)
    _no_fallback(before)


def test_matmul_empty():
    a, s = sparse.csr_array((4,)), sp.csr_array((4,))
    x = np.arange(4.0)
    _same(a @ x, s @ x)
    _same(x @ a, x @ s)
    _same(a @ np.ones((4, 2)), s @ np.ones((4, 2)))
    _same(a @ a, s @ s)


# ---- reductions ----


@pytest.mark.parametrize("dtype", VALUE_DTYPES, ids=VALUE_IDS)
@pytest.mark.parametrize("fmt", FORMATS_1D)
def test_reductions(fmt, dtype):
    before = set(sparse._fallback._fell_back)
    for d in (_vector(dtype, seed=8), np.zeros(5, dtype), np.arange(1, 6).astype(dtype)):
        a, s = _pair(fmt, d)
        for axis in (None, 0, -1):
            _same(a.sum(axis=axis), s.sum(axis=axis), dtype)
            _same(a.mean(axis=axis), s.mean(axis=axis), dtype)
        assert int(a.count_nonzero()) == int(s.count_nonzero())
        for g, w in zip(a.nonzero(), s.nonzero()):
            np.testing.assert_array_equal(host(g), w)
        if fmt == "dok":  # SciPy's dok_array has no min/max
            continue
        for name in ("min", "max", "argmin", "argmax"):
            for axis in (None, 0):
                want = getattr(s, name)(axis=axis)
                got = getattr(a, name)(axis=axis)
                _same(got, want, dtype)
    _no_fallback(before)
