"""Products, arithmetic, elementwise functions, reductions and indexing against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import DTYPE_IDS, DTYPES, FORMATS, check_dense, check_sparse, host, sprandom, tol

import legate_numeric as lnp
import legate_sparse as sparse


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_spmv_spmm(fmt, dtype):
    S = sprandom(9, 7, dtype=dtype, fmt=fmt)
    A = getattr(sparse, f"{fmt}_array")(S)
    rng = np.random.default_rng(1)
    x = rng.uniform(size=7).astype(dtype)
    check_dense(A @ lnp.asarray(x), S @ x, dtype)
    check_dense(A.dot(lnp.asarray(x)), S @ x, dtype)
    X = rng.uniform(size=(7, 3)).astype(dtype)
    check_dense(A @ lnp.asarray(X), S @ X, dtype)
    check_dense(X.T @ A.T, X.T @ S.T, dtype)  # legate_numeric's @ does not defer yet
    y = rng.uniform(size=9).astype(dtype)
    check_dense(y @ A, y @ S, dtype)
    check_dense(A.T.__rmatmul__(lnp.asarray(x)), x @ S.T, dtype)
    # legate_numeric's operators defer to the sparse operand, as NumPy's do.
    check_dense(lnp.asarray(y) @ A, y @ S, dtype)
    check_dense(lnp.asarray(X.T) @ A.T, X.T @ S.T, dtype)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_], ids=["i4", "i8", "b"])
def test_spmm_integers(dtype):
    """Integer and bool SpMM (no native kernel): every entry of a row counts, not only
    the last (the segment sum took the row's repeated ids for sorted ones)."""
    M = np.array([[1, 2, 0], [0, 3, 4], [5, 0, 0]]).astype(dtype)
    X = np.arange(6).reshape(3, 2).astype(dtype)
    for fmt in ("csr", "csc", "coo"):
        np.testing.assert_array_equal(host(getattr(sparse, f"{fmt}_array")(M) @ lnp.asarray(X)), getattr(sp, f"{fmt}_array")(M) @ X)


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_csc_matvec_scatters_into_a_fresh_sum(dtype, index_dtype):
    """``CSC @ x``, ``y @ CSR`` and ``CSR.T @ x`` run the transposed product (each
    point scatters its columns into its own copy of ``y``, which the runtime sums):
    duplicates, empty columns and rows, unsorted indices, a strided ``x``, and a
    second product that must not add to the first."""
    rng = np.random.default_rng(12)
    S = sprandom(301, 203, density=0.04, dtype=dtype, seed=12, fmt="csc")
    S = sp.csc_array(S)
    S[:, 7] = 0  # an empty column
    S.eliminate_zeros()
    # A duplicate entry and unsorted row indices in column 0, as SciPy accepts them.
    data = np.concatenate([S.data[:0], np.array([1.5, 2.0, -1.0], dtype=dtype), S.data[S.indptr[1]:]])
    head = np.array([5, 2, 5])
    indices = np.concatenate([head, S.indices[S.indptr[1]:]])
    indptr = np.concatenate([[0], S.indptr[1:] - S.indptr[1] + 3])
    S = sp.csc_array((data, indices, indptr), shape=S.shape)
    A = sparse.csc_array((lnp.asarray(data), lnp.asarray(indices.astype(index_dtype)), lnp.asarray(indptr.astype(index_dtype))), shape=S.shape)
    assert A.indices.dtype == index_dtype
    x = rng.uniform(-1, 1, size=2 * 203).astype(dtype)
    for _ in range(2):
        check_dense(A @ lnp.asarray(x[::2]), S @ x[::2], dtype)
    R = S.T.tocsr()
    B = sparse.csr_array(R)
    y = rng.uniform(-1, 1, size=203).astype(dtype)
    check_dense(lnp.asarray(y) @ B, y @ R, dtype)
    check_dense(B.T @ lnp.asarray(y), R.T @ y, dtype)
    y = rng.uniform(-1, 1, size=301).astype(dtype)
    check_dense(A.T @ lnp.asarray(y), S.T @ y, dtype)
    # Empty shapes.
    E = sparse.csc_array((0, 4), dtype=dtype)
    check_dense(E @ lnp.ones(4, dtype), np.zeros(0, dtype), dtype)
    E = sparse.csc_array((3, 0), dtype=dtype)
    check_dense(E @ lnp.ones(0, dtype), np.zeros(3, dtype), dtype)
    # CSC @ X and X @ CSR (one transposed product per column of X): a row-major, a
    # column-stepped and a transposed X; one column; no columns; mixed dtypes.
    X = rng.uniform(-1, 1, size=(203, 10)).astype(dtype)
    for Xs, Xl in [(X, lnp.asarray(X)), (X[:, ::3], lnp.asarray(X)[:, ::3]), (X[:, :1], lnp.asarray(X)[:, :1]),
                   (np.ascontiguousarray(X.T).T, lnp.asarray(np.ascontiguousarray(X.T)).T), (X[:, :0], lnp.asarray(X)[:, :0])]:
        for _ in range(2):
            check_dense(A @ Xl, S @ Xs, dtype)
        check_dense(Xl.T @ B, Xs.T @ R, dtype)
    X32 = X.astype(np.float32)
    check_dense(A @ lnp.asarray(X32), S @ X32, np.result_type(dtype, np.float32))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_coo_matmul_broadcasts(dtype):
    """A 2-d COO array times dense operands of 3 or more dimensions, as SciPy's COO
    arrays allow: matmul broadcasts (``(m, k) @ (..., k, p) -> (..., m, p)``, and on
    the left ``(..., p, m) @ (m, n)``), ``dot`` follows ``np.dot`` (``(m, ..., p)``,
    for matrices too); other formats and ``@`` of matrices refuse, as SciPy's do."""
    S = sprandom(4, 6, dtype=dtype, density=0.5, seed=6, fmt="coo")
    A = sparse.coo_array(S)
    rng = np.random.default_rng(7)
    for shape in [(3, 6, 2), (2, 3, 6, 1)]:
        X = rng.uniform(-1, 1, size=shape).astype(dtype)
        check_dense(A @ lnp.asarray(X), S @ X, dtype)
        check_dense(A.dot(lnp.asarray(X)), S.dot(X), dtype)
        Ms, M = sp.coo_matrix(S), sparse.coo_matrix(S)
        check_dense(M.dot(lnp.asarray(X)), Ms.dot(X), dtype)
        # SciPy refuses these (ValueError), and so does legate_sparse.
        for refused, ours in [(Ms, M), (S.tocsr(), A.tocsr()), (S.tocsc(), A.tocsc())]:
            with pytest.raises(ValueError):
                refused @ X
            with pytest.raises(ValueError):
                ours @ lnp.asarray(X)
    for shape in [(3, 2, 4), (2, 1, 5, 4)]:
        Y = rng.uniform(-1, 1, size=shape).astype(dtype)
        check_dense(lnp.asarray(Y) @ A, Y @ S, dtype)
        check_dense(Y @ A, Y @ S, dtype)
    with pytest.raises(ValueError):
        S @ np.ones((3, 5, 2))
    with pytest.raises(ValueError):
        A @ lnp.ones((3, 5, 2))
    with pytest.raises(ValueError):
        lnp.ones((3, 2, 5)) @ A


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_1d_matmul_broadcasts(dtype):
    """A 1-d sparse array (a row of a 2-d one) times n-d dense operands, NumPy's
    matmul rules as SciPy applies them: ``(n,) @ (..., n, m) -> (..., m)`` and
    ``(..., m, n) @ (n,) -> (...)``, also through ``dot``."""
    S = sprandom(4, 6, dtype=dtype, density=0.5, seed=2)
    A = sparse.csr_array(S)
    v, sv = A[1], S[1]
    rng = np.random.default_rng(3)
    for shape in [(6,), (6, 2), (3, 6, 2), (2, 3, 6, 4)]:
        X = rng.uniform(-1, 1, size=shape).astype(dtype)
        check_dense(v @ lnp.asarray(X), sv @ X, dtype)
        check_dense(v.dot(lnp.asarray(X)), sv.dot(X), dtype)
    for shape in [(2, 6), (3, 2, 6), (2, 1, 5, 6)]:
        X = rng.uniform(-1, 1, size=shape).astype(dtype)
        check_dense(lnp.asarray(X) @ v, X @ sv, dtype)
        check_dense(X @ v, X @ sv, dtype)
    # Mixed dtypes upcast; an empty row gives zeros of the broadcast shape.
    Xi = np.arange(36).reshape(3, 6, 2)
    check_dense(v @ lnp.asarray(Xi), sv @ Xi, dtype)
    assert (v @ lnp.asarray(Xi)).dtype == (sv @ Xi).dtype
    assert (lnp.asarray(Xi.transpose(0, 2, 1)) @ v).dtype == (Xi.transpose(0, 2, 1) @ sv).dtype
    E, Es = sparse.csr_array((2, 6), dtype=dtype)[0], sp.csr_array((2, 6), dtype=dtype)[0]
    check_dense(E @ lnp.ones((3, 6, 2)), Es @ np.ones((3, 6, 2)), dtype)
    check_dense(lnp.ones((3, 2, 6)) @ E, np.ones((3, 2, 6)) @ Es, dtype)
    for bad in [np.ones((3, 5, 2)), np.ones((3, 2, 6))]:
        with pytest.raises(ValueError):
            sv @ bad
        with pytest.raises(ValueError):
            v @ lnp.asarray(bad)
    for bad in [np.ones((3, 6, 2)), np.ones((2, 5))]:
        with pytest.raises(ValueError):
            bad @ sv
        with pytest.raises(ValueError):
            lnp.asarray(bad) @ v



@pytest.mark.parametrize("fmt", FORMATS)
def test_dense_legate_operand_on_the_left_defers_to_sparse(fmt):
    S = sprandom(5, 5, fmt=fmt)
    A = getattr(sparse, f"{fmt}_array")(S)
    M = getattr(sparse, f"{fmt}_matrix")(S)
    d = np.arange(25.0).reshape(5, 5)
    ld = lnp.asarray(d)
    check_dense(ld + A, d + S.toarray())
    check_dense(ld - A, d - S.toarray())
    check_dense(ld * A, d * S.toarray())  # *_array: elementwise
    check_dense(ld * M, d @ S.toarray())  # *_matrix: a product


def test_spmv_views_and_out():
    S = sprandom(8, 6)
    A = sparse.csr_array(S)
    big = np.arange(24.0).reshape(4, 6)
    xl = lnp.asarray(big)
    check_dense(A @ xl[2], S @ big[2])
    xs = lnp.arange(12.0)[::2]
    check_dense(A @ xs, S @ np.arange(12.0)[::2])
    check_dense(A @ xl.T[:, 1:4], S @ big.T[:, 1:4])
    out = lnp.zeros(8)
    res = A.dot(lnp.ones(6), out=out)
    assert res is out
    check_dense(out, S @ np.ones(6))
    with pytest.raises(ValueError):
        A.dot(lnp.ones(6), out=lnp.zeros(7))
    with pytest.raises(ValueError):
        A.dot(lnp.ones(6), out=lnp.zeros(8, np.float32))
    check_dense(A @ np.ones(6, np.float32), S @ np.ones(6, np.float32))
    assert (sparse.csr_array(S.astype(np.float32)) @ lnp.ones(6)).dtype == np.float64


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_spgemm(dtype):
    S = sprandom(8, 6, dtype=dtype, density=0.4)
    T = sprandom(6, 5, dtype=dtype, density=0.4, seed=3)
    C = sparse.csr_array(S) @ sparse.csc_array(T)
    R = S @ T
    assert C.format == "csr"
    check_sparse(C, R, dtype)
    # SciPy's arrays exactly: each row's columns in SciPy's order (not sorted).
    np.testing.assert_array_equal(host(C.indptr), R.indptr)
    np.testing.assert_array_equal(host(C.indices), R.indices)
    assert C.has_sorted_indices == R.has_sorted_indices
    assert C.has_canonical_format == R.has_canonical_format
    C.sum_duplicates()
    assert C.has_canonical_format
    check_sparse(C, R, dtype)
    # Cancellation drops exact zeros, as SciPy does.
    P = sp.csr_array(np.array([[1.0, 1.0]]))
    Q = sp.csr_array(np.array([[1.0], [-1.0]]))
    R = sparse.csr_array(P) @ sparse.csr_array(Q)
    assert R.nnz == (P @ Q).nnz == 0


def test_add_sub_mul():
    S = sprandom(6, 5)
    T = sprandom(6, 5, seed=7)
    A, B = sparse.csr_array(S), sparse.csc_array(T)
    check_sparse(A + B, S + T)
    check_sparse(A - B, S - T)
    assert (A - A).nnz == (S - S).nnz == 0
    check_sparse(A * B, S * T)
    check_sparse(A.multiply(B), S.multiply(T))
    check_sparse(A * 3, S * 3)
    check_sparse(2.5 * A, 2.5 * S)
    check_sparse(A / 2, S / 2)
    check_sparse(-A, -S)
    D = np.arange(30.0).reshape(6, 5)
    check_dense(A + D, S + D)
    check_dense(D - A, D - S)
    check_dense(A - lnp.asarray(D), S - D)
    check_dense(A.multiply(D), S.multiply(D).toarray())
    check_dense(A.multiply(np.arange(5.0)), S.multiply(np.arange(5.0)).toarray())
    check_sparse(A.maximum(B), S.maximum(T))
    check_sparse(A.minimum(B), S.minimum(T))
    check_sparse(A.power(2), S.power(2))
    check_sparse(A**2, S**2)
    check_sparse(A + 0, S)
    with pytest.raises(NotImplementedError):
        A + 1
    with pytest.raises(ValueError):
        A + sparse.csr_array(sprandom(5, 5))


def test_complex_unary():
    S = sprandom(5, 5, dtype=np.complex128)
    A = sparse.coo_array(S)
    check_sparse(A.conj(), S.conj())
    check_sparse(abs(A), abs(S))
    check_sparse(A.real, S.real)
    check_sparse(A.imag, S.imag)


@pytest.mark.parametrize(
    "name",
    "sqrt sin tan arcsin arctan sinh tanh arcsinh arctanh expm1 log1p deg2rad rad2deg floor ceil trunc rint sign".split(),
)
def test_ufunc_methods(name):
    S = sprandom(5, 4, density=0.5) * 0.9
    A = sparse.csr_array(S)
    check_sparse(getattr(A, name)(), getattr(S, name)())


@pytest.mark.parametrize("fmt", FORMATS)
def test_reductions(fmt):
    S = sprandom(6, 5, fmt=fmt) - sprandom(6, 5, seed=9, fmt=fmt)
    A = getattr(sparse, f"{fmt}_array")(S)
    check_dense(A.sum(), S.sum())
    for axis in (0, 1, -1):
        check_dense(A.sum(axis=axis), S.sum(axis=axis))
        check_dense(A.mean(axis=axis), S.mean(axis=axis))
        R = S.tocsr()  # SciPy's DIA has no max/min
        check_dense(A.max(axis=axis), R.max(axis=axis).toarray())
        check_dense(A.min(axis=axis), R.min(axis=axis).toarray())
    check_dense(A.mean(), S.mean())
    check_dense(A.max(), S.tocsr().max())
    check_dense(A.min(), S.tocsr().min())
    for k in (-2, 0, 1, 4):
        check_dense(A.diagonal(k), S.diagonal(k))
    check_dense(A.trace(), S.trace())
    check_dense(A.trace(1), S.trace(1))
    assert A.count_nonzero() == S.count_nonzero()


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_setdiag(fmt):
    S = sprandom(5, 6, fmt=fmt).tolil()
    A = getattr(sparse, f"{fmt}_array")(S.asformat(fmt))
    A.setdiag(7.0)
    S.setdiag(7.0)
    check_sparse(A, S)
    A.setdiag([1.0, 2.0], k=2)
    S.setdiag([1.0, 2.0], k=2)
    check_sparse(A, S)
    assert A.format == fmt


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_indexing(fmt):
    S = sprandom(7, 6, fmt=fmt)
    A = getattr(sparse, f"{fmt}_array")(S)
    check_sparse(A[2:5], S[2:5])
    check_sparse(A[1:7:2], S[1:7:2])
    check_sparse(A[[4, 0, 4]], S[[4, 0, 4]])
    check_sparse(A[:, 1:4], S[:, 1:4])
    check_sparse(A[:, [5, 0, 0]], S[:, [5, 0, 0]])
    check_sparse(A[[1, 3]][:, [0, 2]], S[[1, 3]][:, [0, 2]])
    check_sparse(A[np.array([True, False, True, False, False, False, True])], S[np.array([True, False, True, False, False, False, True])])
    check_dense(A[3].toarray(), S[3].toarray())
    assert A[3].shape == S[3].shape == (6,)
    check_dense(A[:, 2].toarray(), S[:, 2].toarray())
    check_dense(A[-1].toarray(), S[-1].toarray())
    for i, j in [(0, 0), (2, 3), (-1, -1), (6, 5)]:
        assert np.isclose(A[i, j], S[i, j])
    with pytest.warns(RuntimeWarning):
        pair = A[[1, 2], [3, 4]]  # elementwise pairs: served by SciPy
    check_dense(pair, np.asarray(S[[1, 2], [3, 4]]).reshape(-1))
    M = getattr(sparse, f"{fmt}_matrix")(S)
    assert M[3].shape == (1, 6) and M[:, 2].shape == (7, 1)
    with pytest.raises(IndexError):
        A[7]
    with pytest.raises(IndexError):
        A[0, 6]
    with pytest.raises(IndexError):
        A[[0, 9]]


def test_find_nonzero_tril_triu():
    S = sprandom(6, 6, density=0.5)
    A = sparse.csr_array(S)
    r, c, v = sparse.find(A)
    rs, cs, vs = sp.find(S)
    order = np.lexsort((cs, rs))
    np.testing.assert_array_equal(host(r), rs[order])
    np.testing.assert_array_equal(host(c), cs[order])
    np.testing.assert_allclose(host(v), vs[order])
    for k in (-1, 0, 2):
        check_sparse(sparse.tril(A, k), sp.tril(S, k))
        check_sparse(sparse.triu(A, k), sp.triu(S, k))
    assert sparse.tril(A, format="csr").format == "csr"
    nr, nc = A.nonzero()
    np.testing.assert_array_equal(np.sort(host(nr) * 6 + host(nc)), np.sort(S.nonzero()[0] * 6 + S.nonzero()[1]))
    # In SciPy's order: C order for every format (CSC's column-major entries sorted by
    # row, stably), with explicit zeros left out.
    S2 = S.copy()
    S2.data[::3] = 0
    for fmt in ("csr", "csc", "coo"):
        want = getattr(S2, "to" + fmt)().nonzero()
        got = getattr(sparse.csr_array(S2), "to" + fmt)().nonzero()
        for g, w in zip(got, want):
            np.testing.assert_array_equal(host(g), w)
