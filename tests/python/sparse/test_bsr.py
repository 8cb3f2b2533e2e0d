"""BSR arrays and matrices, and ``kron``'s output format, against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import DTYPE_IDS, DTYPES, check_dense, check_sparse, host, sprandom

import legate_numeric as lnp
import legate_sparse as sparse


def _blocky(mb, nb, R, C, dtype=np.float64, seed=3, density=0.4):
    """A SciPy BSR array with a random block pattern (blocks partly filled)."""
    pattern = sprandom(mb, nb, density=density, seed=seed)
    rng = np.random.default_rng(seed)
    dense = np.kron(pattern.toarray() != 0, np.ones((R, C))) * rng.uniform(-1, 1, (mb * R, nb * C))
    dense[rng.uniform(size=dense.shape) < 0.2] = 0
    if np.dtype(dtype).kind == "c":
        dense = dense + 1j * (dense != 0) * rng.uniform(size=dense.shape)
    return sp.bsr_array(dense.astype(dtype), blocksize=(R, C))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("R,C", [(1, 1), (2, 3), (3, 2)])
def test_bsr_roundtrips_and_products(R, C, dtype):
    S = _blocky(5, 4, R, C, dtype)
    B = sparse.bsr_array(S)
    assert B.format == "bsr" and B.blocksize == S.blocksize and B.nnz == S.nnz and B.dtype == S.dtype
    check_dense(B.toarray(), S.toarray(), dtype)
    # From the three arrays, from dense, from every legate format with a blocksize.
    B3 = sparse.bsr_array((S.data, S.indices, S.indptr), shape=S.shape)
    check_sparse(B3, S, dtype)
    Bd = sparse.bsr_array(S.toarray(), blocksize=(R, C))
    assert Bd.blocksize == (R, C)
    check_sparse(Bd, S, dtype)
    for fmt in ("csr", "csc", "coo", "dia"):
        X = sparse.bsr_array(getattr(sparse, f"{fmt}_array")(S.asformat(fmt)), blocksize=(R, C))
        assert X.blocksize == (R, C)
        check_sparse(X, S, dtype)
        check_sparse(getattr(B, f"to{fmt}")(), S, dtype)
        assert getattr(B, f"to{fmt}")().format == fmt
        Y = getattr(S.asformat(fmt), "tobsr")(blocksize=(R, C))
        Z = getattr(sparse, f"{fmt}_array")(S.asformat(fmt)).tobsr(blocksize=(R, C))
        assert Z.blocksize == Y.blocksize and Z.nnz == Y.nnz
    assert B.tocoo().nnz == S.tocoo().nnz  # zeros inside blocks are stored entries
    T = B.T
    assert T.format == "bsr" and T.blocksize == S.T.blocksize == (C, R)
    check_sparse(T, S.T, dtype)
    x = np.arange(S.shape[1], dtype=dtype) + 1
    check_dense(B @ x, S @ x, dtype)
    check_dense(B @ lnp.asarray(np.ones((S.shape[1], 3), dtype)), S @ np.ones((S.shape[1], 3), dtype), dtype)
    check_dense(np.ones(S.shape[0], dtype) @ B, np.ones(S.shape[0], dtype) @ S, dtype)
    for got, want in [(B + B, S + S), (B - 2 * B, S - 2 * S), (B.multiply(B), S.multiply(S)), (B @ B.T, S @ S.T),
                      (B * 2, S * 2), (-B, -S), (abs(B), abs(S)), (B.conj(), S.conj())]:
        assert got.format == want.format == "bsr" and got.blocksize == want.blocksize
        check_sparse(got, want, dtype)
    check_dense(B.sum(), S.sum(), dtype)
    check_dense(B.sum(axis=0), S.sum(axis=0), dtype)
    check_dense(B.diagonal(), S.diagonal(), dtype)
    check_dense(B + S.toarray(), S + S.toarray(), dtype)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_], ids=["i4", "i8", "b"])
def test_bsr_integer_products_sum_every_block(dtype):
    """Integer BSR products (no native kernel): every block of a block row counts (the
    segment sum took the blocks' repeated ids for sorted ones and kept one block's)."""
    M = np.array([[1, 2, 0, 1], [0, 3, 4, 0], [5, 0, 0, 6], [0, 7, 8, 0]]).astype(dtype)
    S = sp.bsr_array(M, blocksize=(2, 2))
    for X in (np.arange(4).astype(dtype), np.arange(8).reshape(4, 2).astype(dtype)):
        np.testing.assert_array_equal(host(sparse.bsr_array(S) @ lnp.asarray(X)), S @ X)


def test_bsr_matrix_flavour_and_empty_shapes():
    S = sp.bsr_matrix(_blocky(3, 3, 2, 2))
    M = sparse.bsr_matrix(S)
    assert sparse.isspmatrix_bsr(M) and not sparse.isspmatrix_bsr(sparse.bsr_array(S))
    check_dense(M * np.ones(6), S * np.ones(6))
    check_sparse(M * M, S * S)
    assert (M * M).format == "bsr"
    check_dense(M.sum(axis=1), S.sum(axis=1))
    check_sparse(M**2, S**2)
    for shape, bs in [((0, 0), (1, 1)), ((4, 0), (2, 1)), ((0, 6), (1, 3)), ((4, 6), (2, 3))]:
        E = sparse.bsr_array(shape, blocksize=bs)
        Es = sp.bsr_array(shape, blocksize=bs)
        assert E.shape == Es.shape and E.blocksize == Es.blocksize and E.nnz == 0
        assert E.data.shape == Es.data.shape
        check_dense(E.toarray(), Es.toarray())
        check_dense(E @ np.ones(shape[1]), Es @ np.ones(shape[1]))
        check_sparse(E.tocsr(), Es.tocsr())
        check_sparse(E.T, Es.T)
    assert sparse.bsr_array((4, 6)).blocksize == sp.bsr_array((4, 6)).blocksize


@pytest.mark.parametrize("dense", [np.ones((4, 4)), np.eye(6), np.eye(7), np.kron(np.eye(4), np.ones((3, 3))),
                                   np.kron(np.eye(2), np.ones((6, 6))), np.kron(np.eye(3), np.ones((2, 2))),
                                   np.zeros((4, 4))], ids=lambda d: f"{d.shape}")
def test_bsr_estimated_blocksize(dense):
    assert sparse.bsr_array(dense).blocksize == sp.bsr_array(dense).blocksize
    assert sparse.csr_array(dense).tobsr().blocksize == sp.csr_array(dense).tobsr().blocksize


def test_bsr_errors_like_scipy():
    cases = [
        lambda m: m.bsr_array(np.ones((5, 4)), blocksize=(2, 2)),
        lambda m: m.bsr_array((5, 4), blocksize=(2, 2)),
        lambda m: m.bsr_array((np.ones((2, 2, 2)), [0, 1], [0, 1, 2]), blocksize=(3, 3)),
        lambda m: m.bsr_array((np.ones((2, 2)), [0, 1], [0, 1, 2])),
        lambda m: m.bsr_array((np.ones((2, 2, 2)), [0, 1], [0, 1, 3])),
    ]
    for make in cases:
        with pytest.raises(ValueError):
            make(sp)
        with pytest.raises(ValueError):
            make(sparse)
    # SciPy does not check block column indices until it uses them; we check at once.
    with pytest.raises(ValueError, match="column index values must be < 2"):
        sparse.bsr_array((np.ones((2, 2, 2)), [0, 5], [0, 1, 2]), shape=(4, 4))
    B, S = sparse.bsr_array(np.eye(4)), sp.bsr_array(np.eye(4))
    for key in [(0, 0), 0, (slice(None), 1)]:
        with pytest.raises(NotImplementedError):
            S[key]
        with pytest.raises(NotImplementedError):
            B[key]


def test_bsr_duplicates_zeros_and_setdiag():
    data = np.arange(1.0, 13.0).reshape(3, 2, 2)
    args = (data, np.array([1, 0, 1]), np.array([0, 3, 3]))
    S, B = sp.bsr_array(args, shape=(4, 4)), sparse.bsr_array(args, shape=(4, 4))
    assert not B.has_canonical_format and not S.has_canonical_format
    check_dense(B.toarray(), S.toarray())
    S.sum_duplicates()
    B.sum_duplicates()
    assert B.has_canonical_format and B.nnz == S.nnz
    check_dense(B.data, S.data)
    check_dense(B.indices, S.indices)
    Z = sp.bsr_array((np.array([[[0.0, 0], [0, 0]], [[1, 0], [0, 0]]]), [0, 1], [0, 2, 2]), shape=(4, 4))
    W = sparse.bsr_array(Z)
    Z.eliminate_zeros()
    W.eliminate_zeros()
    assert W.nnz == Z.nnz
    check_dense(W.toarray(), Z.toarray())
    # SciPy 1.17's bsr_array.setdiag raises AttributeError ('_swap'); compare with CSR's.
    S = _blocky(3, 3, 2, 2)
    B = sparse.bsr_array(S)
    C = S.tocsr()
    C.setdiag(7.0)
    B.setdiag(7.0)
    assert B.format == "bsr" and B.blocksize == S.blocksize
    check_dense(B.toarray(), C.toarray())


@pytest.mark.parametrize("is_array", [True, False])
def test_kron_output_format(is_array):
    mk = (lambda m, x: m.csr_array(x)) if is_array else (lambda m, x: m.csr_matrix(x))
    A = np.array([[0.0, 2], [5, 0]])
    dense_B = np.array([[1.0, 2, 0], [3, 4, 5]])  # more than half full: BSR
    sparse_B = np.array([[1.0, 0, 0], [0, 0, 5]])  # less: COO
    for B in (dense_B, sparse_B, np.zeros((2, 3)), np.ones((1, 1))):
        for fmt in (None, "bsr", "csr", "coo", "csc"):
            want = sp.kron(mk(sp, A), mk(sp, B), format=fmt)
            got = sparse.kron(mk(sparse, A), mk(sparse, B), format=fmt)
            assert got.format == want.format, (B, fmt)
            assert isinstance(got, sparse.sparray) == isinstance(want, sp.sparray)
            if want.format == "bsr":
                assert got.blocksize == want.blocksize
            check_sparse(got, want)
    # Dense and empty first operands, and a dense second operand.
    for a, b in [(A, mk(sp, dense_B)), (mk(sp, np.zeros((2, 2))), dense_B), (mk(sp, A), dense_B)]:
        want = sp.kron(a, b)
        got = sparse.kron(a if isinstance(a, np.ndarray) else mk(sparse, a.toarray()),
                          b if isinstance(b, np.ndarray) else mk(sparse, b.toarray()))
        assert got.format == want.format
        check_sparse(got, want)
    check_dense(host(sparse.kron(mk(sparse, A), mk(sparse, dense_B)) @ np.ones(6)),
                sp.kron(mk(sp, A), mk(sp, dense_B)) @ np.ones(6))


def test_tobsr_lists_blocks_as_scipy():
    # SciPy's csr_tobsr lists each block row's blocks as their first entries appear in
    # the CSR (row by row, in stored order), not sorted; has_sorted_indices follows.
    arg = (np.array([1.0, 2, 3, 4, 5, 6]), np.array([3, 0, 2, 1, 0, 3]), np.array([0, 3, 5, 5, 6]))
    D = np.array([[0.0, 0, 0, 1], [2, 0, 0, 0], [0, 3, 0, 0], [0, 0, 4, 0]])
    for S, L in [(sp.csr_array(arg, shape=(4, 4)), sparse.csr_array(arg, shape=(4, 4))),
                 (sp.csc_array(D), sparse.csc_array(D)), (sp.coo_array(D), sparse.coo_array(D))]:
        for bs in [(1, 2), (2, 2), (4, 1)]:
            want, got = S.tobsr(bs), L.tobsr(bs)
            assert host(got.indices).tolist() == want.indices.tolist(), (S.format, bs)
            assert host(got.indptr).tolist() == want.indptr.tolist()
            assert host(got.data).tolist() == want.data.tolist()
            assert got.has_sorted_indices == want.has_sorted_indices
