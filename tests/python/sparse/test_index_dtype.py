"""Index dtypes as SciPy keeps them (int32 when the values fit, int64 otherwise), and
the SpMV/SpMM/todense kernels on int32 and int64 indices, against SciPy in the same
test."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import DTYPE_IDS, DTYPES, check_dense, host, poisson2d, sprandom

import legate_numeric as lnp
import legate_sparse as sparse
from legate_sparse import _native as nat


def same_index_dtypes(A, S):
    assert A.indices.dtype == S.indices.dtype, (A.indices.dtype, S.indices.dtype)
    assert A.indptr.dtype == S.indptr.dtype, (A.indptr.dtype, S.indptr.dtype)


@pytest.mark.parametrize("idx", [np.int32, np.int64])
def test_constructors_keep_scipys_index_dtype(idx):
    S = sprandom(7, 9, density=0.3)
    arrays = (S.data, S.indices.astype(idx), S.indptr.astype(idx))
    for fmt, cls, scls in (("csr", sparse.csr_array, sp.csr_array), ("csc", sparse.csc_array, sp.csc_array)):
        shape = S.shape if fmt == "csr" else S.shape[::-1]
        same_index_dtypes(cls(arrays, shape=shape), scls(arrays, shape=shape))
        same_index_dtypes(cls(S.asformat(fmt)), S.asformat(fmt))
        same_index_dtypes(cls(S.toarray()), scls(S.toarray()))
        coo = S.tocoo()
        same_index_dtypes(cls((coo.data, (coo.row.astype(idx), coo.col.astype(idx))), shape=S.shape),
                          scls((coo.data, (coo.row.astype(idx), coo.col.astype(idx))), shape=S.shape))
        same_index_dtypes(cls((3, 4)), scls((3, 4)))


def test_results_keep_scipys_index_dtype():
    S, T = sprandom(8, 8, density=0.3), sprandom(8, 8, density=0.3, seed=7)
    A, B = sparse.csr_array(S), sparse.csr_array(T)
    for got, want in [(A + B, S + T), (A @ B, S @ T), (A.T, S.T), (A.tocsc(), S.tocsc()), (A[2:6], S[2:6]),
                      (A[:, [1, 3]], S[:, [1, 3]]), (A.multiply(B), S.multiply(T)), (sparse.eye(5, format="csr"),
                      sp.eye(5, format="csr")), (sparse.coo_array(S).tocsr(), S.tocoo().tocsr())]:
        same_index_dtypes(got, want)
        check_dense(got.toarray(), want.toarray())


def test_too_big_for_int32_is_int64():
    """A shape past int32 (cheap: the long axis is the minor one, so indptr is short)."""
    n = 2**31 + 5
    S = sp.csr_array((np.array([1.0, 2.0]), np.array([0, n - 1]), np.array([0, 1, 1, 2])), shape=(3, n))
    A = sparse.csr_array((lnp.asarray(S.data), lnp.asarray(S.indices), lnp.asarray(S.indptr)), shape=(3, n))
    assert S.indices.dtype == np.int64
    same_index_dtypes(A, S)
    assert A.nnz == 2 and float(A.sum()) == 3.0
    # Its transpose (CSC of n columns... here n rows) keeps the same arrays.
    same_index_dtypes(A.T, S.T)


@pytest.mark.parametrize("idx", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_products_on_both_index_dtypes(dtype, idx):
    """SpMV (new and out=), SpMM and todense through the classes, with indices of
    either dtype (int64 set explicitly, as SciPy's setter keeps them); unsorted
    indices, duplicates and empty rows included."""
    rng = np.random.default_rng(4)
    S = sprandom(40, 30, density=0.1, dtype=dtype)
    S = S[rng.permutation(40)]  # unsorted rows, some empty
    S = sp.csr_array((np.concatenate([S.data, S.data[:3]]), np.concatenate([S.indices, S.indices[:3]]),
                      np.concatenate([S.indptr[:-1], [S.indptr[-1] + 3]])), shape=S.shape)  # duplicates in the last row
    A = sparse.csr_array(S)
    A.indices = lnp.asarray(S.indices.astype(idx))
    assert A.indices.dtype == idx
    x = rng.uniform(size=30).astype(dtype)
    check_dense(A @ lnp.asarray(x), S @ x)
    out = lnp.zeros(40, dtype)
    A.dot(lnp.asarray(x), out=out)
    check_dense(out, S @ x)
    X = rng.uniform(size=(30, 3)).astype(dtype)
    check_dense(A @ lnp.asarray(X), S @ X)
    check_dense(A.toarray(), S.toarray())
    # The transposed product (CSC @ x) too.
    C = sparse.csc_array(S.T)
    y = rng.uniform(size=40).astype(dtype)
    check_dense(C @ lnp.asarray(y), S.T @ y)


def test_poisson_spmv_int32_is_exact():
    P = poisson2d(30)
    A = sparse.csr_array(P)
    assert A.indices.dtype == np.int32
    x = np.arange(900.0)
    check_dense(A @ lnp.asarray(x), P @ x, rtol=0)
    for _ in range(3):  # the cached column ranges are reused
        check_dense(A @ lnp.asarray(x), P @ x, rtol=0)


def test_native_spmv_int32_with_and_without_cols():
    indptr = lnp.asarray(np.array([0, 2, 2, 5], np.int32))
    indices = lnp.asarray(np.array([3, 0, 1, 3, 2], np.int32))
    vals = lnp.asarray(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    pos = nat.row_ranges(indptr)
    want = sp.csr_array((host(vals), host(indices), host(indptr)), shape=(3, 4)) @ np.arange(4.0)
    check_dense(nat.spmv(pos, indices, vals, lnp.arange(4.0)), want, rtol=0)
    cols = nat.column_ranges(pos, indices)
    check_dense(nat.spmv(pos, indices, vals, lnp.arange(4.0), cols=cols), want, rtol=0)
    # A column outside x: the task fails, the runtime goes on.
    y = nat.spmv(pos, lnp.asarray(np.array([3, 0, 1, 9, 2], np.int32)), vals, lnp.arange(4.0))
    with pytest.raises(RuntimeError, match="column index"):
        np.asarray(y)
    check_dense(nat.spmv(pos, indices, vals, lnp.arange(4.0)), want, rtol=0)


def _entries(M):
    """The summed entries of ``M`` as a sorted list of ``(row, col, value)``."""
    c = M.tocoo()
    c.sum_duplicates()
    return sorted(zip(np.asarray(c.row).tolist(), np.asarray(c.col).tolist(), np.asarray(c.data).tolist()))


def test_int32_indices_past_int32_positions():
    """SciPy's int32 indices of a matrix with more than 2**31 positions: flat positions
    (the sort of ``tocsr``, ``reshape``) and offset indices (``kron``, ``bmat``,
    ``block_diag``) are computed in int64, as SciPy's results show; int32 arithmetic
    would wrap. Duplicates included."""
    rng = np.random.default_rng(0)
    n = 70000
    r, c = rng.integers(0, n, 40).astype(np.int32), rng.integers(0, n, 40).astype(np.int32)
    r[:5], c[5:10] = n - 1, n - 1
    r[10:15], c[10:15] = r[:5], c[:5]
    d = rng.integers(1, 5, 40).astype(np.float64)
    S = sp.coo_array((d, (r, c)), shape=(n, n))

    def legate():
        A = sparse.coo_array((lnp.asarray(d), (lnp.asarray(r), lnp.asarray(c))), shape=(n, n))
        assert A.row.dtype == np.int32
        return A

    for op in (lambda M: M.tocsr(), lambda M: M.tocsc(), lambda M: M.reshape((n // 2, 2 * n)),
               lambda M: M.reshape((2 * n, n // 2), order="F"), lambda M: M.tocsr().reshape((n // 2, 2 * n))):
        assert _entries(op(legate())) == _entries(op(S))
    assert _entries(sparse.kron(legate(), sparse.eye_array(3))) == _entries(sp.kron(S, sp.eye_array(3)))
    assert _entries(sparse.tril(legate(), k=-3)) == _entries(sp.tril(S, k=-3))
    assert _entries(sparse.triu(legate(), k=2**31)) == []
    # Assignment finds the existing entry of a far position (int64 flat positions).
    A, T = legate(), S.copy()
    A[int(r[20]), int(c[20])] = 9.0
    T = T.tolil()
    T[int(r[20]), int(c[20])] = 9.0
    assert _entries(A) == _entries(T)
    # Stacked past 2**31 rows (few entries, so cheap).
    big = 2**30 + 7
    rb, cb, db = np.array([0, big - 1], np.int32), np.array([1, 2], np.int32), np.array([1.0, 2.0])
    B, Bs = sparse.coo_array((db, (rb, cb)), shape=(big, 3)), sp.coo_array((db, (rb, cb)), shape=(big, 3))
    assert _entries(sparse.vstack([B, B])) == _entries(sp.vstack([Bs, Bs]))
    assert _entries(sparse.bmat([[B, None], [None, B]])) == _entries(sp.bmat([[Bs, None], [None, Bs]]))
    # (SciPy 1.17's block_diag wraps here itself: the expected entries by hand.)
    assert _entries(sparse.block_diag([B, B])) == [(0, 1, 1.0), (big - 1, 2, 2.0), (big, 4, 1.0), (2 * big - 1, 5, 2.0)]


@pytest.mark.parametrize("idx", [np.int32, np.int64])
def test_coo_and_dia_keep_scipys_index_dtype(idx):
    """COO coordinates and DIA offsets in SciPy's dtype: int32 when the shape fits,
    int64 kept from a sparray's int64 input (a coo_matrix narrows it) or past int32."""
    S = sprandom(7, 9, density=0.3)
    D = S.toarray()
    c = S.tocoo()
    r, k = c.row.astype(idx), c.col.astype(idx)
    pairs = [
        (sparse.coo_array(S), sp.coo_array(S)), (sparse.coo_array(D), sp.coo_array(D)),
        (sparse.coo_array((3, 4)), sp.coo_array((3, 4))), (sparse.coo_array((3, 2**31 + 3)), sp.coo_array((3, 2**31 + 3))),
        (sparse.coo_array((c.data, (r, k)), shape=S.shape), sp.coo_array((c.data, (r, k)), shape=S.shape)),
        (sparse.coo_matrix((c.data, (r, k)), shape=S.shape), sp.coo_matrix((c.data, (r, k)), shape=S.shape)),
        (sparse.csr_array(S).tocoo(), S.tocoo()), (sparse.dia_array(S).tocoo(), sp.dia_array(S).tocoo()),
        (sparse.eye_array(4, format="coo"), sp.eye_array(4, format="coo")),
        (sparse.coo_array((c.data, (r, k)), shape=S.shape).T, sp.coo_array((c.data, (r, k)), shape=S.shape).T),
    ]
    for A, T in pairs:
        assert tuple(a.dtype for a in A.coords) == tuple(t.dtype for t in T.coords), (A.coords, T.coords)
        assert A.row.dtype == T.row.dtype and A.col.dtype == T.col.dtype
        if A.shape[1] < 100:
            check_dense(A.toarray(), T.toarray())
    offsets = np.array([0, 1, -2], idx)
    data = np.arange(15.0).reshape(3, 5)
    for A, T in [(sparse.dia_array(S), sp.dia_array(S)), (sparse.csr_array(S).todia(), S.todia()),
                 (sparse.dia_array((data, offsets), shape=(5, 5)), sp.dia_array((data, offsets), shape=(5, 5))),
                 (sparse.dia_array((data, offsets), shape=(5, 2**31 + 3)), sp.dia_array((data, offsets), shape=(5, 2**31 + 3)))]:
        assert A.offsets.dtype == T.offsets.dtype, (A.offsets.dtype, T.offsets.dtype)
        np.testing.assert_array_equal(np.asarray(A.offsets), T.offsets)
    # BSR, as CSR: int32 when it fits, int64 kept from a bsr_array's int64 arrays.
    B = sp.bsr_array(sprandom(8, 6, density=0.4), blocksize=(2, 3))
    arrays = (B.data, B.indices.astype(idx), B.indptr.astype(idx))
    for A, T in [(sparse.bsr_array(B), B), (sparse.csr_array(S).tobsr(), S.tobsr()), (sparse.bsr_array(D), sp.bsr_array(D)),
                 (sparse.bsr_array(arrays, shape=B.shape), sp.bsr_array(arrays, shape=B.shape)),
                 (sparse.bsr_matrix(arrays, shape=B.shape), sp.bsr_matrix(arrays, shape=B.shape)),
                 (sparse.bsr_array(arrays, shape=B.shape).T, sp.bsr_array(arrays, shape=B.shape).T),
                 (sparse.bsr_array(arrays, shape=B.shape).copy(), sp.bsr_array(arrays, shape=B.shape).copy())]:
        same_index_dtypes(A, T)
        check_dense(A.toarray(), T.toarray())


def test_int64_indices_survive_conversions():
    # A csr_array built from int64 indices keeps them through conversions, copies,
    # elementwise maps, sums, products and row selections, as SciPy's does (they
    # dropped to int32).
    S = sprandom(5, 6, density=0.4)
    arrays = (S.data, S.indices.astype(np.int64), S.indptr.astype(np.int64))
    A, T = sparse.csr_array(arrays, shape=S.shape), sp.csr_array(arrays, shape=S.shape)
    for f in (sparse.coo_array, sparse.csc_array, lambda X: X.tocoo(), lambda X: X.tocsc(), lambda X: X.T,
              lambda X: X.tocoo().tocsr(), lambda X: X.tocsc().tocsr(), lambda X: X.copy(),
              lambda X: X.astype(np.float32), lambda X: X * 2, lambda X: -X, lambda X: X.sorted_indices(),
              lambda X: X + X, lambda X: X @ X.T, lambda X: X.multiply(X), lambda X: X[1:3], lambda X: X[[0, 2]],
              lambda X: X.maximum(X)):
        g = {sparse.coo_array: sp.coo_array, sparse.csc_array: sp.csc_array}.get(f, f)
        R, E = f(A), g(T)
        names = ("row", "col") if R.format == "coo" else ("indices", "indptr")
        assert [getattr(R, n).dtype for n in names] == [getattr(E, n).dtype for n in names], (R.format, names)
        check_dense(R.toarray(), E.toarray())


def test_int64_indices_survive_construction_functions():
    # kron, hstack/vstack and triu/tril keep a sparray's int64 indices, as SciPy's
    # get_index_dtype does for int64 inputs (they narrowed to int32).
    S = sprandom(4, 5, density=0.5)
    arrays = (S.data, S.indices.astype(np.int64), S.indptr.astype(np.int64))
    A, T = sparse.csr_array(arrays, shape=S.shape), sp.csr_array(arrays, shape=S.shape)
    for name, f in (("kron", lambda m, X: m.kron(X, X)), ("hstack", lambda m, X: m.hstack([X, X])),
                    ("vstack", lambda m, X: m.vstack([X, X], format="coo")), ("triu", lambda m, X: m.triu(X))):
        R, E = f(sparse, A), f(sp, T)
        names = ("row", "col") if E.format == "coo" else ("indices", "indptr")
        assert R.format == E.format and [getattr(R, n).dtype for n in names] == [getattr(E, n).dtype for n in names], name
        check_dense(R.toarray(), E.toarray())
