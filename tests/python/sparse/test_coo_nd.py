"""n-d ``coo_array`` (3 or more dimensions, as SciPy 1.15+ has them) against SciPy in
the same test: construction and its errors, attributes, dense conversion, reductions,
reshapes and transposes, canonical form, arithmetic, products, indexing, and the
operations SciPy refuses for n-d arrays."""

from __future__ import annotations

import operator

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import host

import legate_numeric as lnp
import legate_sparse as sparse

pytestmark = pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")

DTYPES = [np.float64, np.complex128, np.int32, np.bool_]
DTYPE_IDS = ["f8", "c16", "i4", "b"]
# Each dtype with a 3-d or a 4-d shape.
CASES = [(np.float64, (3, 4, 5)), (np.complex128, (2, 3, 2, 4)), (np.int32, (2, 3, 2, 4)), (np.bool_, (3, 4, 5))]


def _values(dtype, n, rng):
    v = rng.integers(-3, 4, n)
    if np.dtype(dtype).kind == "c":
        return (v + 1j * rng.integers(-2, 3, n)).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return v > 0
    return v.astype(dtype)


def _build(module, shape=(3, 4, 5), dtype=np.float64, nnz=12, seed=0):
    """An n-d COO array of ``module`` (SciPy's or this one), built from coordinates
    with duplicates (the first three entries repeated) in no particular order."""
    rng = np.random.default_rng(seed)
    n = nnz if all(shape) else 0
    coords = [rng.integers(0, s, n) if s else np.zeros(0, np.int64) for s in shape]
    k = min(3, n)
    coords = tuple(np.concatenate([c, c[:k]]) for c in coords)
    return module.coo_array((_values(dtype, n + k, rng), coords), shape=shape)


def _pair(*args, **kwargs):
    """The same array here and in SciPy."""
    return _build(sparse, *args, **kwargs), _build(sp, *args, **kwargs)


def _same(got, want, stored=False):
    """Equal results: a COO array of the same shape, dtype and values (and stored
    entries when ``stored``), or a dense array or scalar of the same dtype and values."""
    if sp.issparse(want):
        assert sparse.issparse(got) and got.format == want.format == "coo", (type(got), type(want))
        assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape, got.dtype, want.dtype)
        if stored:
            assert got.nnz == want.nnz
            assert [host(c).tolist() for c in got.coords] == [c.tolist() for c in want.coords]
            np.testing.assert_allclose(host(got.data), want.data)
        want = want.toarray()
    g, w = host(got), np.asarray(want)
    assert g.shape == w.shape, (g.shape, w.shape)
    assert g.dtype == w.dtype, (g.dtype, w.dtype)
    np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def _raises_like(fn):
    """``fn(sparse)`` raises the exception type that ``fn(sp)`` raises."""
    try:
        fn(sp)
    except Exception as e:
        want = type(e)
    else:
        raise AssertionError("SciPy raised nothing")
    with pytest.raises(want):
        fn(sparse)


def test_construction_and_attributes():
    A, S = _pair((2, 3, 4, 5))
    assert (A.ndim, A.shape, A.nnz, A.format, A.size) == (4, S.shape, S.nnz, "coo", S.size)
    assert [c.dtype for c in A.coords] == [c.dtype for c in S.coords] == [np.int64] * 4
    assert host(A.row).tolist() == S.row.tolist() and host(A.col).tolist() == S.col.tolist()
    assert A.has_canonical_format == S.has_canonical_format is False
    _same(A, S, stored=True)
    D = S.toarray()
    for arg in (D, lnp.array(D)):  # dense input, NumPy or legate: canonical, in C order
        B = sparse.coo_array(arg)
        _same(B, sp.coo_array(D), stored=True)
        assert B.has_canonical_format
    _same(sparse.coo_array(A), sp.coo_array(S), stored=True)  # another n-d array
    B = sparse.coo_array(A, copy=True)
    B.data[0] = 100.0
    assert float(host(A.data)[0]) != 100.0
    _same(sparse.coo_array(A, dtype=np.complex128), sp.coo_array(S, dtype=np.complex128))
    _same(sparse.coo_array(D, dtype=np.int32), sp.coo_array(D, dtype=np.int32))
    _same(sparse.coo_array(S), S, stored=True)  # from SciPy's
    E, F = sparse.coo_array((2, 0, 3), dtype=np.int32), sp.coo_array((2, 0, 3), dtype=np.int32)
    _same(E, F)
    assert E.has_canonical_format and E.nnz == 0
    _same(sparse.coo_array(np.zeros((2, 3, 4, 1))), sp.coo_array(np.zeros((2, 3, 4, 1))))
    data, coords = np.ones(2), (np.array([0, 1]), np.array([0, 2], np.int32), np.array([3, 1]))
    _same(sparse.coo_array((data, coords)), sp.coo_array((data, coords)))  # shape inferred


def test_construction_errors():
    data = np.ones(2)
    for make in (
        lambda m: m.coo_array((data, ([0, 1], [0, 1], [2, 3])), shape=(2, 2, 3)),  # out of range
        lambda m: m.coo_array((data, ([0, 1], [0, -1], [2, 3])), shape=(2, 2, 4)),  # negative
        lambda m: m.coo_array((data, ([0, 1], [0, 1, 1], [2, 3])), shape=(2, 2, 4)),  # lengths
        lambda m: m.coo_array((data, ([0, 1], [0, 1], [2, 3])), shape=(2, 2)),  # shape's length
        lambda m: m.coo_array((np.ones(0), ([], [], []))),  # no shape to infer
        lambda m: m.coo_array(np.ones((2, 3, 4)), shape=(2, 3, 5)),
        lambda m: m.coo_array((2, -3, 4)),
        lambda m: m.coo_matrix(np.ones((2, 3, 4))),
        lambda m: m.coo_matrix((2, 3, 4)),
        lambda m: m.coo_matrix((data, ([0, 1], [0, 1], [2, 3]))),
    ):
        _raises_like(make)


def test_refused_as_scipy():
    """What SciPy has only in 1-d and 2-d raises its exception type for n-d arrays."""
    for fn in (
        lambda A: A.tocsr(), lambda A: A.tocsc(), lambda A: A.todok(), lambda A: A.todia(),
        lambda A: A.tolil(), lambda A: A.tobsr(), lambda A: A.asformat("csr"), lambda A: A.resize((3, 4, 6)),
        lambda A: A.diagonal(), lambda A: A.trace(), lambda A: A.setdiag(1.0), lambda A: A.sum(axis=3),
        lambda A: A.sum(axis=(0, 0)), lambda A: A.sum(axis=()), lambda A: A.multiply(np.ones((4, 5))),
        lambda A: A + _build(sp if sp.issparse(A) else sparse, (3, 4, 6)), lambda A: A @ np.ones(6), lambda A: A.dot(np.ones((6, 2))),
        lambda A: A @ np.ones((2, 5, 2)), len,
    ):
        _raises_like(lambda m: fn(_build(m)))


@pytest.mark.parametrize("dtype,shape", CASES, ids=DTYPE_IDS)
def test_dense_and_reductions(dtype, shape):
    A, S = _pair(shape, dtype)
    _same(A.toarray(), S.toarray())
    _same(A.toarray(order="F"), S.toarray(order="F"))
    assert host(A.toarray(order="F")).flags.f_contiguous
    _same(A.todense(), S.todense())
    for axis in (None, 0, -1, (0, 2), (2, 0), (0, 1, 2)):
        _same(A.sum(axis=axis), S.sum(axis=axis))
        _same(A.mean(axis=axis), S.mean(axis=axis))
        if axis is not None:
            _same(A.max(axis=axis), S.max(axis=axis))
            _same(A.min(axis=axis, explicit=True), S.min(axis=axis, explicit=True))
            _same(A.argmax(axis=axis), S.argmax(axis=axis))
            _same(A.argmin(axis=axis), S.argmin(axis=axis))
        # NumPy's counts (SciPy 1.17's count along the wrong axes of n-d arrays).
        _same(A.count_nonzero(axis=axis), np.count_nonzero(S.toarray(), axis=axis))
    _same(A.sum(axis=1, dtype=np.int64), S.sum(axis=1, dtype=np.int64))
    assert int(A.argmax()) == S.argmax() and int(A.argmin()) == S.argmin()
    _same(A.max(), S.max())
    _same(A.nanmin(), S.nanmin())


def test_empty_arrays():
    for shape in ((2, 0, 3), (2, 3, 4)):
        A, S = sparse.coo_array(shape), sp.coo_array(shape)
        _same(A.toarray(), S.toarray())
        _same(A.sum(axis=1), S.sum(axis=1))
        _same(A.reshape(-1, 2), S.reshape(-1, 2))
        _same(A.T, S.T)
        _same(A + A, S + S)
        _same(A * 2, S * 2)
        _same(A @ np.ones(shape[-1]), S @ np.ones(shape[-1]))
        A.sum_duplicates()
        assert A.nnz == 0


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_shapes_and_canonical_form(dtype):
    A, S = _pair((3, 4, 5), dtype)
    for new, order in (((12, 5), "C"), ((4, 15), "F"), ((60,), "C"), ((5, 3, 2, 2), "C"), ((2, 6, 5), "F")):
        _same(A.reshape(new, order=order), S.reshape(new, order=order), stored=True)
    _same(A.reshape(3, 4, 5), S.reshape(3, 4, 5))
    _same(A.T, S.T, stored=True)
    for axes in ((1, 0, 2), (2, 0, 1), (-1, 0, 1)):
        _same(A.transpose(axes), S.transpose(axes), stored=True)
    B, T = A.copy(), S.copy()
    B.sum_duplicates()
    T.sum_duplicates()
    assert B.has_canonical_format and T.has_canonical_format
    _same(B, T, stored=True)
    if dtype != np.bool_:  # a stored zero, dropped
        B, T = (A * 0).copy(), (S * 0).copy()
        B.eliminate_zeros()
        T.eliminate_zeros()
        _same(B, T, stored=True)
    _same(A.copy(), S.copy(), stored=True)
    _same(A.astype(np.complex128), S.astype(np.complex128))
    _same(A.astype(np.int64), S.astype(np.int64))
    _same(sparse.coo_array(np.arange(24.0).reshape(24)).reshape(2, 3, 4), sp.coo_array(np.arange(24.0)).reshape(2, 3, 4))
    _same(sparse.csr_array(np.eye(4)).reshape(2, 2, 4), sp.csr_array(np.eye(4)).reshape(2, 2, 4))
    _same(A.reshape(12, 5).reshape(3, 4, 5), S.reshape(12, 5).reshape(3, 4, 5), stored=True)


@pytest.mark.parametrize("dtype,shape", CASES, ids=DTYPE_IDS)
def test_arithmetic(dtype, shape):
    A, S = _pair(shape, dtype)
    B, T = _pair(shape, dtype, seed=1)
    D = T.toarray()
    _same(A + B, S + T, stored=True)  # SciPy's n-d sum keeps both arrays' entries
    _same(A + D, S + D)
    _same(A + D[0], S.toarray() + D[0])  # dense operands broadcast (SciPy 1.17's sum is wrong)
    _same(A * 2, S * 2)
    _same(A.multiply(B), S.multiply(T))
    _same(A * D, S * D, stored=True)
    _same(A.multiply(lnp.array(D)), S.multiply(D), stored=True)
    _same(A / 2, S / 2)
    _same(A == B, S == T)
    _same(A != B, S != T)
    _same(A > 0, S > 0)
    _same(A <= 1, S <= 1)
    _same(A.maximum(B), S.maximum(T))
    _same(A.minimum(0), S.minimum(0))
    _same(A.maximum(1), S.maximum(1))
    _same(abs(A), abs(S))
    _same(A.power(2), S.power(2))
    if dtype != np.bool_:
        _same(A - B, S - T, stored=True)
        _same(-A, -S, stored=True)
        _same(A - D, S - D)
        _same(D - A, D - S)
    if dtype in (np.float64, np.complex128):
        _same(A / (D + 10), S / (D + 10))
        _same(A.conj(), S.conj())


@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.int32], ids=["f8", "c16", "i4"])
def test_products(dtype):
    A, S = _pair((2, 3, 4), dtype)
    rng = np.random.default_rng(5)
    for x in (rng.integers(-2, 3, 4), rng.standard_normal((4, 5)), rng.standard_normal((2, 4, 5)),
              rng.standard_normal((1, 4, 2)), rng.standard_normal((3, 2, 4, 2)), rng.standard_normal((4, 1))):
        _same(A @ x, S @ x)
        _same(A @ lnp.array(x), S @ x)
        _same(A @ sparse.coo_array(x), S @ sp.coo_array(x))
    for x in (rng.standard_normal(3), rng.standard_normal((5, 3)), rng.standard_normal((2, 5, 3))):
        _same(x @ A, x @ S)
    for x in (rng.standard_normal(4), rng.standard_normal((4, 2)), rng.standard_normal((5, 4, 2))):
        _same(A.dot(x), S.dot(x))
        _same(A.dot(sparse.coo_array(x)), S.dot(sp.coo_array(x)))
    A2, S2 = _pair((2, 3, 4), dtype, seed=3)
    _same(A @ A2.reshape(2, 4, 3), S @ S2.reshape(2, 4, 3))
    C = sparse.coo_array(np.arange(12.0).reshape(3, 4))  # 2-d times n-d, sparse
    _same(C @ A2.reshape(2, 4, 3), sp.coo_array(np.arange(12.0).reshape(3, 4)) @ S2.reshape(2, 4, 3))


def test_indexing():
    A, S = _pair((3, 4, 5))
    for key in (0, (1, slice(None), 2), (slice(None), slice(1, 3)), (Ellipsis, 1), (0, Ellipsis, slice(2, None)), (2, 3, 4), (-1, 0, -2)):
        _same(A[key], S[key])
    _same(A[tuple(S.coords[k][0] for k in range(3))], S[tuple(S.coords[k][0] for k in range(3))])
    assert [r.shape for r in A] == [r.shape for r in S]
    with pytest.raises(IndexError):
        A[3, 0, 0]
    # Native: nothing fell back to SciPy.
    assert not [name for name in sparse._fallback._fell_back if name.startswith("coo_array.__")]


def test_elementwise_stored_values():
    """``abs``, ``astype`` and the ufunc methods sum duplicates first, as SciPy's."""
    data = np.array([1.0, -1.0, 2.5])
    coords = (np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([2, 2, 3]))
    A, S = sparse.coo_array((data, coords), shape=(2, 2, 4)), sp.coo_array((data, coords), shape=(2, 2, 4))
    _same(abs(A), abs(S), stored=True)
    _same(A.sqrt(), S.sqrt())
    _same(A.astype(np.int32), S.astype(np.int32))
    for op in (operator.eq, operator.gt):
        _same(op(A, 1.0), op(S, 1.0))


def test_reshape_result_is_not_canonical():
    """A reshape lists the entries in their stored order, duplicates kept, and says
    so (the 1-d result of a 2-d array with duplicates claimed to be canonical, so
    ``sum_duplicates`` did nothing)."""
    data, row, col = np.array([1.0, 2.0, 3.0]), np.array([1, 0, 1]), np.array([2, 0, 2])
    A, S = sparse.coo_array((data, (row, col)), shape=(2, 3)), sp.coo_array((data, (row, col)), shape=(2, 3))
    for new in ((6,), (3, 2), (1, 2, 3)):
        R, T = A.reshape(new), S.reshape(new)
        assert R.has_canonical_format == T.has_canonical_format is False
        R.sum_duplicates()
        T.sum_duplicates()
        _same(R, T, stored=True)


def test_matrix_and_empty_coordinate_errors():
    """``coo_matrix`` of three index arrays is SciPy's ``ValueError`` (it was a
    ``TypeError``), and so is inferring a shape from empty index lists."""
    _raises_like(lambda m: m.coo_matrix((np.ones(2), ([0, 1], [0, 1], [2, 3]))))
    _raises_like(lambda m: m.coo_array((np.ones(0), ([], []))))


def test_random_array_nd():
    """``random_array`` of an n-d shape: SciPy's count of distinct positions, canonical
    (the values differ from SciPy's)."""
    for shape, density in (((3, 4, 5), 0.2), ((2, 3, 2, 2), 0.5), ((2, 0, 3), 0.3)):
        A, S = sparse.random_array(shape, density=density, rng=0), sp.random_array(shape, density=density, rng=0)
        assert (A.shape, A.nnz, A.dtype, A.format) == (S.shape, S.nnz, S.dtype, S.format)
        assert A.has_canonical_format
        B = A.copy()
        B.has_canonical_format = False
        B.sum_duplicates()  # sorted and distinct already: nothing moves
        assert [host(c).tolist() for c in B.coords] == [host(c).tolist() for c in A.coords]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_extremes_and_products_each_way(dtype):
    """``max``/``argmax``/... over axes and products with dense operands, each way they
    run: through the dense array (entries out of order), in row order (canonical
    entries: the CSR product without a sort), and for a shape too large for the dense
    array (the CSR lines and the segment sum); NaNs among float values (not for
    ``argmax``, where SciPy 1.17's differs from NumPy's, which this package keeps)."""
    rng = np.random.default_rng(7)
    for shape in ((3, 4, 5), (2, 3, 2, 4), (40, 50, 60)):
        A, S = _pair(shape, dtype, nnz=30)
        B, T = A.copy(), S.copy()
        B.sum_duplicates()
        T.sum_duplicates()
        d = S.data.copy()
        if dtype == np.float64:
            d[[1, 4]] = np.nan
        N, M = sparse.coo_array((d, S.coords), shape=shape), sp.coo_array((d, S.coords), shape=shape)
        for X, Y in ((A, S), (B, T), (N, M)):
            for name in ("max", "min", "nanmax", "argmax", "argmin"):
                if X is N and name.startswith("arg"):
                    continue
                for axis, explicit in ((0, False), ((2, 0), True), (-1, True)):
                    want = getattr(Y, name)(axis=axis, explicit=explicit)
                    _same(getattr(X, name)(axis=axis, explicit=explicit), want, stored=sp.issparse(want))
            if dtype == np.bool_:
                continue
            for x in (rng.standard_normal(shape[-1]), rng.standard_normal(shape[-3:-2] + (shape[-1], 3)), rng.standard_normal((shape[-1], 2))):
                _same(X @ x, Y @ x)
                _same(X @ lnp.array(x), Y @ x)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_tensordot(dtype):
    """``tensordot`` with sparse and dense operands, int and list axes, and its errors.
    (SciPy 1.17's sparse contraction over every axis is wrong and reorders the arrays'
    data in place: NumPy's answer there, and copies for SciPy.)"""
    A, S = _pair((3, 4, 5), dtype)
    stored = dtype in (np.float64, np.complex128)  # SpGEMM's order (int32's is sorted here)
    for shape, axes in (((5, 2, 3), 1), ((4, 5, 2), 2), ((4, 5, 2), ([1, 2], [0, 1])), ((4, 5, 2), ([2, 1], [1, 0])),
                        ((4, 5), 2), ((2, 4), ([1], [1]))):
        B, T = _pair(shape, dtype, seed=1)
        _same(A.tensordot(B, axes=axes), S.tensordot(T, axes=axes), stored=stored)
        _same(A.tensordot(T.toarray(), axes=axes), S.tensordot(T.toarray(), axes=axes))
        _same(A.tensordot(lnp.array(T.toarray()), axes=axes), S.tensordot(T.toarray(), axes=axes))
    _same(A.tensordot(np.ones((4, 5)).tolist(), axes=2), S.tensordot(np.ones((4, 5)), axes=2))
    C, U = _pair((3, 4, 5), dtype, seed=2)
    full = np.tensordot(S.toarray(), U.toarray(), axes=3)
    _same(A.tensordot(C, axes=3), full)
    _same(A.tensordot(C.toarray(), axes=([2, 1, 0], [2, 1, 0])), full)
    E, V = _pair((4, 5), dtype, seed=3)
    _same(E.tensordot(A, axes=([0, 1], [1, 2])), V.copy().tensordot(S.copy(), axes=([0, 1], [1, 2])), stored=stored)
    for axes in (0, 4, (1,), ([1], [0, 1]), ([3], [0]), ([0], [0]), 1.5):
        _raises_like(lambda m: _build(m).tensordot(_build(m, (4, 5, 2)), axes=axes))
    _raises_like(lambda m: _build(m).tensordot(np.ones((4, 5, 2)), axes=([0], [0])))


def test_kron_and_stacking():
    """n-d ``kron`` as SciPy's (the shapes padded with 1s, multiplied axis by axis), and
    SciPy's ``ValueError`` where it refuses n-d blocks (stacking, ``block_diag``,
    ``kronsum``) or an n-d result in CSR."""
    A, S = _pair((2, 3, 4))
    B, T = _pair((3, 2, 2), np.complex128, seed=1)
    M = np.array([[1.0, 0.0], [2.0, 3.0]])
    for (x, y), (u, v) in (((A, B), (S, T)), ((A, M), (S, M)), ((M, A), (M, S)),
                           ((sparse.coo_array(np.array([1.0, 0, 2])), A), (sp.coo_array(np.array([1.0, 0, 2])), S))):
        _same(sparse.kron(x, y), sp.kron(u, v), stored=True)
    _same(sparse.kron(A, B, format="coo"), sp.kron(S, T, format="coo"), stored=True)
    _same(sparse.kron(sparse.coo_array((2, 3, 4)), B), sp.kron(sp.coo_array((2, 3, 4)), T))
    for fn in (lambda m: m.kron(_build(m, (2, 3, 4)), _build(m, (3, 2, 2)), format="csr"),
               lambda m: m.hstack([_build(m, (2, 3, 4)), _build(m, (2, 3, 4))]),
               lambda m: m.vstack([_build(m, (2, 3, 4)), _build(m, (2, 3, 4))]),
               lambda m: m.block_array([[_build(m, (2, 3, 4)), None]]),
               lambda m: m.bmat([[np.ones((2, 3, 4))]]),
               lambda m: m.block_diag([_build(m, (2, 3, 4))]),
               lambda m: m.kronsum(_build(m, (2, 3, 4)), _build(m, (2, 3, 4)))):
        _raises_like(fn)
    C, U = sparse.csr_array(M), sp.csr_array(M)
    _same(sparse.block_array([[C, None], [None, C]]).tocoo(), sp.block_array([[U, None], [None, U]]).tocoo(), stored=True)
    assert sparse.block_array([[C, C]]).format == sp.block_array([[U, U]]).format


@pytest.mark.parametrize("dtype,shape", CASES, ids=DTYPE_IDS)
def test_index_arrays(dtype, shape):
    """Keys with index arrays (lists, NumPy and legate arrays, bool arrays, repeats,
    negative values), ``None`` and ``...``: SciPy's stored entries in SciPy's order (NumPy's
    values where SciPy 1.17 fails on ``None`` after an array), and SciPy's errors."""
    A, S = _pair(shape, dtype, nnz=30)
    mask = np.arange(shape[0]) % 2 == 0
    for key in (([0, 1],), ([0, 1], slice(None), 1), (0, [1, -1]), (slice(None), [1, 0, 1], [1, 1, 0]), ([[0, 1], [1, 0]], 1),
                (None, 0), (slice(None), None, 1), (mask, Ellipsis, 1), ([0, 1], slice(None), [1, 0]), (Ellipsis, [1, -1]),
                ([], 0), (slice(1, None, 2), [0, 0]), (0, slice(None), [0, 1], None)):
        try:
            want = S[key]
        except ValueError:  # SciPy 1.17's bug
            want = S.toarray()[key]
        _same(A[key], want, stored=sp.issparse(want))
        lkey = tuple(lnp.asarray(k) if isinstance(k, (list, np.ndarray)) and len(k) else k for k in key)
        _same(A[lkey], want, stored=sp.issparse(want))
    for key in (([5],), ([0, 1], [0, 1, 2]), (np.array([True]),), (0, 0, 0, 0, 0), (sp.coo_array(np.ones((1, 1))),)):
        _raises_like(lambda m: _build(m)[key])
    with pytest.raises(IndexError):
        A[[0.5]]


def _keys_for(shape):
    """Keys of every kind for an n-d array of ``shape`` (3-d or 4-d, axes of 2 or more)."""
    m0 = np.arange(shape[0]) % 2 == 0
    m01 = np.arange(shape[0] * shape[1]).reshape(shape[:2]) % 3 == 0
    return [
        1, -1, True, (True, 0), (1, -2), (0, 1, 1), (0, -1, 1, 1)[: len(shape)],  # ints
        slice(None, None, -1), (slice(1, None), slice(None, None, 2)), (slice(5, 0, -2), 1),  # slices
        Ellipsis, (Ellipsis, 1), (0, Ellipsis), (0, Ellipsis, 1), (Ellipsis, slice(1, None)),  # ...
        None, (None, 0, None), (0, None, slice(None), None), (Ellipsis, None),  # None
        [1, 0, 1], ([-1, 0],), ([0, 1], [[2], [0]]), (np.array([[0], [1]]), slice(None), np.array([0, 1, 1])),  # arrays
        (0, slice(None), [1, 0]), ([1, 1], 0), ([], 0), (np.array([], np.int32), [1]), (slice(None), np.int8(-1)),
        m0, (m0, Ellipsis, 1), (m01,), (slice(None), slice(None), np.arange(shape[2]) < 1), list(m0),  # bool arrays
        (m01.tolist(), 0), (np.zeros(shape[0], bool),),
    ]


# Bad keys for any n-d shape of axes of 2 to 9: SciPy's exception types and messages.
_BAD_KEYS = [
    10, -10, (0, 10), ([10],), ([0, -10],), (0, 0, 0, 0, 0), (Ellipsis, 0, Ellipsis), (np.array([True]),),
    ([True, False, True, False, True, False, True, False, True, False],), ([0, 1], [0, 1, 2]), 1.0, 1.5, "a",
    np.True_, np.array(1.0), np.float64(2.0), ([0, None],), (np.ones((1, 1), bool), 0), (sp.coo_array(np.ones((1, 1))),),
]


@pytest.mark.parametrize("dtype,shape", CASES, ids=DTYPE_IDS)
def test_keys_as_scipy(dtype, shape):
    """Every kind of key (ints, negative ints, bools, slices, ``...``, ``None``, index
    arrays broadcasting, bool arrays, lists, legate arrays, sparse bool masks) gives
    SciPy's stored entries, and every bad key SciPy's exception type and message, in
    reading and in assignment (the key is resolved by ``legate_sparse._keys``, not
    SciPy's private ``_validate_indices``)."""
    A, S = _pair(shape, dtype, nnz=30)
    for key in _keys_for(shape):
        want = S[key]
        _same(A[key], want, stored=sp.issparse(want))
        items = key if isinstance(key, tuple) else (key,)
        if any(isinstance(k, np.ndarray) for k in items):  # the same key of legate arrays
            lkey = tuple(lnp.asarray(k) if isinstance(k, np.ndarray) else k for k in items)
            _same(A[lkey], want, stored=sp.issparse(want))
    mask = np.arange(int(np.prod(shape[:2]))).reshape(shape[:2]) % 2 == 1  # sparse bool masks
    want = S[sp.coo_array(mask)]
    _same(A[sp.coo_array(mask)], want, stored=True)
    _same(A[sparse.coo_array(mask)], want, stored=True)
    for key in _BAD_KEYS:
        for get in (lambda m, M: M[key], lambda m, M: M.__setitem__(key, 1)):
            try:
                get(sp, S.copy())
            except Exception as e:
                want = e
            else:
                raise AssertionError(f"SciPy took {key!r}")
            with pytest.raises(type(want)) as got:
                get(sparse, A.copy())
            assert str(got.value) == str(want), (key, str(got.value), str(want))
    with pytest.raises(IndexError, match="except boolean indexing"):
        A[sparse.coo_array(np.ones(shape[:2]))]
    # None with index arrays: NumPy's shapes (SciPy 1.17 raises or builds a bad array).
    D = S.toarray()
    for key in ((None, 1, [0, 1, 0]), ([0, 1], None, [0, 1]), (1, None, [0, 1]), (None, [[0], [1]], slice(None), [1, 0]), (0, slice(None), [0, 1], None)):
        _same(A[key], D[key])
        B, E = A.copy(), D.copy()
        B[key] = 7
        E[key] = 7
        _same(B, E)
    assert not [name for name in sparse._fallback._fell_back if name.startswith("coo_array.__")]


def test_no_private_scipy_modules():
    """legate_sparse imports no private SciPy module (``scipy.sparse._index`` and the
    like change between versions)."""
    import pathlib
    import re

    root = pathlib.Path(sparse.__file__).parent
    used = [(p.name, m) for p in root.rglob("*.py") for m in re.findall(r"scipy(?:\.\w+)*\._\w+", p.read_text())]
    assert not used, used


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_larger_keys_and_products(dtype):
    """Index-array keys (the native ``coo_select``) and products with n-d dense operands
    (the native COO SpMM for float and complex values) on arrays of some thousands of
    entries in no order, with duplicates (so several points each take a block), and on
    arrays without entries: SciPy's stored entries and values."""
    for shape, nnz in (((20, 30, 40), 6000), ((6, 5, 7, 8), 3000), ((3, 4, 5), 0)):
        A, S = _pair(shape, dtype, nnz=nnz, seed=7)
        for key in (([2, 1, 2, 0], slice(None), 2), (slice(1, None, 2), [[0], [3]], [1, 2, 0]), (None, 1, slice(None, 3)), ([-1, 0],), (2, slice(None, None, -2))):
            want = S[key]
            _same(A[key], want, stored=True)
        rng = np.random.default_rng(8)
        X = rng.standard_normal(shape[:-2] + (shape[-1], 3))
        _same(A @ X, S @ X)
        _same(A @ X[..., :1], S @ X[..., :1])
        _same(A @ (X + 1j * X), S @ (X + 1j * X))
        B, T = A.copy(), S.copy()
        B.sum_duplicates()
        T.sum_duplicates()
        _same(B @ X, T @ X)  # canonical: the CSR SpMM


@pytest.mark.parametrize("dtype,shape", CASES, ids=DTYPE_IDS)
def test_assignment(dtype, shape):
    """``A[key] = x`` as SciPy's COO: the entries inside the key dropped, ``x``'s nonzeros
    (a zero too for a key of ints) appended in C order, once each; scalars, dense and
    sparse values broadcast; index arrays, ``None`` and ``...``; SciPy's errors."""
    tail = shape[2:]
    for key, val in (((0, 1, 1), 5), ((0, 1, 1), 0), ((1, slice(None), 1), 3), ((slice(None), 0), np.arange(np.prod(tail)).reshape(tail)),
                     (([0, 1], slice(None), 1), 2), ((0, [1, 0, 1], [1, 1, 0]), np.array([1, 2, 3])), ((Ellipsis, 1), 0),
                     ((slice(None),), 0), ((None, 0, 1), 7), ((slice(1, None, 2), [0, 0]), 4),
                     ((0,), sp.coo_array(np.eye(shape[1], int(np.prod(tail))).reshape(shape[1:]))),
                     ((0, 1), np.ones((2,) + tail)), (([0, 1], [0, 1, 2]), 1)):
        A, S = _pair(shape, dtype, nnz=30)
        try:
            S[key] = val
        except (ValueError, IndexError) as e:
            with pytest.raises(type(e)):
                A[key] = sparse.coo_array(val) if sp.issparse(val) else val
            continue
        A[key] = sparse.coo_array(val) if sp.issparse(val) else val
        _same(A, S, stored=True)
        assert not A.has_canonical_format
