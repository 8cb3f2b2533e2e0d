"""Construction, conversion and canonical form of every format, against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import DTYPE_IDS, DTYPES, FORMATS, check_dense, check_sparse, host, sprandom

import legate_numeric as lnp
import legate_sparse as sparse


def _cls(fmt, kind="array"):
    return getattr(sparse, f"{fmt}_{kind}")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_from_scipy_and_back(fmt, dtype):
    S = sprandom(7, 5, dtype=dtype, fmt=fmt)
    A = _cls(fmt)(S)
    assert A.format == fmt and A.dtype == np.dtype(dtype) and A.shape == (7, 5) and A.ndim == 2
    check_sparse(A, S)
    for target in FORMATS:
        B = A.asformat(target)
        assert B.format == target
        check_sparse(B, S)
    assert isinstance(A.data, lnp.ndarray)


@pytest.mark.parametrize("fmt", FORMATS)
def test_from_dense_numpy_and_legate(fmt):
    S = sprandom(6, 4, fmt="csr")
    D = S.toarray()
    for src in (D, lnp.asarray(D), D.tolist()):
        A = _cls(fmt)(src)
        check_sparse(A, S)
    assert _cls(fmt)(D).nnz == S.asformat(fmt).nnz


def test_tuple_forms_and_dtype_copy():
    S = sprandom(5, 6, fmt="csr")
    A = sparse.csr_array((S.data, S.indices, S.indptr), shape=S.shape)
    check_sparse(A, S)
    # SciPy's index dtype: int32 here (the values fit), whatever dtype came in.
    assert A.indices.dtype == S.indices.dtype == np.int32 and A.indptr.dtype == S.indptr.dtype
    C = sparse.csc_array((S.data, S.indices, S.indptr), shape=S.shape[::-1])
    check_sparse(C, sp.csc_array((S.data, S.indices, S.indptr), shape=S.shape[::-1]))
    coo = S.tocoo()
    B = sparse.csr_array((coo.data, (coo.row, coo.col)), shape=S.shape, dtype=np.complex128)
    assert B.dtype == np.complex128
    check_sparse(B, S)
    E = sparse.csr_array((3, 4))
    assert E.nnz == 0 and E.shape == (3, 4) and E.dtype == np.float64
    data = lnp.asarray(S.data)
    shared = sparse.csr_array((data, lnp.asarray(S.indices.astype(np.int64)), lnp.asarray(S.indptr.astype(np.int64))), shape=S.shape)
    assert shared.data is data
    copied = sparse.csr_array((data, S.indices, S.indptr), shape=S.shape, copy=True)
    assert copied.data is not data


def test_duplicates_and_sorting():
    data = np.array([1.0, 2.0, 3.0, 4.0])
    indices = np.array([2, 0, 2, 1])
    indptr = np.array([0, 3, 4])
    S = sp.csr_array((data, indices, indptr), shape=(2, 3))
    A = sparse.csr_array((data, indices, indptr), shape=(2, 3))
    assert A.has_sorted_indices == S.has_sorted_indices is False
    assert A.has_canonical_format == S.has_canonical_format is False
    check_dense(A.toarray(), S.toarray())
    B = A.copy()
    B.sort_indices()
    assert B.has_sorted_indices and B.nnz == 4
    A.sum_duplicates()
    S.sum_duplicates()
    assert A.has_canonical_format and A.nnz == S.nnz == 3
    np.testing.assert_array_equal(host(A.indices), S.indices)
    np.testing.assert_allclose(host(A.data), S.data)
    coo = sparse.coo_array((np.array([1.0, 2.0, 0.0]), (np.array([0, 0, 1]), np.array([1, 1, 0]))))
    assert coo.nnz == 3 and coo.tocsr().nnz == 2
    z = coo.tocsr()
    z.eliminate_zeros()
    assert z.nnz == 1 and float(z.toarray()[0, 1]) == 3.0


def test_transpose_shares_arrays():
    S = sprandom(5, 3)
    A = sparse.csr_array(S)
    T = A.T
    assert T.format == "csc" and T.shape == (3, 5)
    assert T.data is A.data and T.indices is A.indices and T.indptr is A.indptr
    check_sparse(T, S.T)
    assert A.transpose().transpose().format == "csr"
    check_sparse(sparse.coo_array(S).T, S.T)
    check_sparse(sparse.dia_array(S).T, S.T)


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0), (1, 1)])
@pytest.mark.parametrize("fmt", FORMATS)
def test_degenerate_shapes(shape, fmt):
    D = np.ones(shape) * 2.0
    A = _cls(fmt)(D)
    assert A.shape == shape and A.nnz == int(np.prod(shape))
    check_dense(A.toarray(), D)
    check_dense(A @ lnp.ones(shape[1]), D @ np.ones(shape[1]))
    check_dense(A.sum(axis=0), D.sum(axis=0))
    check_sparse(A.tocsr() @ A.T.tocsr(), sp.csr_array(D) @ sp.csr_array(D).T)


def test_matrix_flavour():
    S = sprandom(4, 4)
    M = sparse.csr_matrix(S)
    assert sparse.isspmatrix(M) and sparse.isspmatrix_csr(M) and not sparse.isspmatrix_csc(M)
    assert not sparse.isspmatrix(sparse.csr_array(S)) and sparse.issparse(M)
    check_sparse(M * M, (sp.csr_matrix(S) * sp.csr_matrix(S)))
    check_dense(M.sum(axis=0), np.asarray(sp.csr_matrix(S).sum(axis=0)))
    check_dense(M.sum(axis=1), np.asarray(sp.csr_matrix(S).sum(axis=1)))
    check_sparse(M**3, sp.csr_matrix(S) ** 3)
    assert isinstance(M.tocsc(), sparse.csc_matrix) and isinstance(M.tocoo(), sparse.coo_matrix)
    assert sparse.isspmatrix_coo(M.tocoo()) and sparse.isspmatrix_dia(M.todia())


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dia", "bsr", "lil", "dok"])
@pytest.mark.parametrize("dtype", [np.float32, np.complex128, np.int64, np.bool_], ids=["f4", "c16", "i8", "b"])
def test_toarray_order(fmt, dtype):
    """``toarray``/``todense`` honour ``order`` ('C', 'F', lower case too) as SciPy's do,
    and refuse what SciPy refuses (NumPy's messages), with ``out`` too."""
    dense = (sprandom(6, 4, density=0.5, seed=9).toarray() * 3).astype(dtype)
    S = getattr(sp, f"{fmt}_array")(dense)
    A = getattr(sparse, f"{fmt}_array")(dense)
    for order in (None, "C", "F", "c", "f"):
        for meth in ("toarray", "todense"):
            got, want = getattr(A, meth)(order=order), getattr(S, meth)(order=order)
            assert isinstance(got, lnp.ndarray) and got.dtype == want.dtype
            if order is not None:
                assert got.flags.f_contiguous == want.flags.f_contiguous
                assert got.flags.c_contiguous == want.flags.c_contiguous
            np.testing.assert_array_equal(host(got), want)
    for order, match in [("A", "only 'C' or 'F' order is permitted"), ("K", "only 'C' or 'F'"), ("X", "order must be one of")]:
        with pytest.raises(ValueError, match=match):
            S.toarray(order=order)
        with pytest.raises(ValueError, match=match):
            A.toarray(order=order)
    with pytest.raises(ValueError, match="order cannot be specified if out is not None"):
        S.toarray(order="F", out=np.zeros(dense.shape, dtype))
    with pytest.raises(ValueError, match="order cannot be specified if out is not None"):
        A.toarray(order="F", out=lnp.zeros(dense.shape, dtype))
    # Empty and single-column arrays.
    for shape in [(0, 3), (3, 0), (4, 1)]:
        E, F = getattr(sp, f"{fmt}_array")(shape, dtype=dtype), getattr(sparse, f"{fmt}_array")(shape, dtype=dtype)
        got, want = F.toarray(order="F"), E.toarray(order="F")
        assert got.shape == want.shape and got.flags.f_contiguous == want.flags.f_contiguous


def test_toarray_order_1d():
    """A 1-d COO array's ``toarray(order=)`` (a 1-d array is both C and F ordered)."""
    S = sp.coo_array(np.array([0.0, 2.0, 0.0, -1.0]))
    A = sparse.coo_array(np.array([0.0, 2.0, 0.0, -1.0]))
    for order in (None, "C", "F"):
        got, want = A.toarray(order=order), S.toarray(order=order)
        assert got.shape == want.shape and got.flags.f_contiguous == want.flags.f_contiguous
        np.testing.assert_array_equal(host(got), want)
    with pytest.raises(ValueError, match="only 'C' or 'F'"):
        A.toarray(order="A")


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix's own
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dia", "bsr", "lil", "dok"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex64, np.int32], ids=["f8", "c8", "i4"])
def test_matrix_todense_is_np_matrix(fmt, dtype):
    """``*_matrix.todense()`` returns ``np.matrix`` as SciPy's (``*_array`` and
    ``toarray`` return legate arrays)."""
    dense = sprandom(5, 4, density=0.5, seed=4).toarray().astype(dtype)
    S = getattr(sp, f"{fmt}_matrix")(dense)
    M = getattr(sparse, f"{fmt}_matrix")(dense)
    for order in (None, "C", "F"):
        got, want = M.todense(order=order), S.todense(order=order)
        assert type(got) is type(want) is np.matrix
        assert got.dtype == want.dtype and got.shape == want.shape
        if order is not None:  # SciPy's default order depends on the format
            assert got.flags.f_contiguous == want.flags.f_contiguous
        np.testing.assert_array_equal(got, want)
    # np.matrix semantics: a row stays 2-d, * is the matrix product.
    np.testing.assert_array_equal(M.todense()[0], S.todense()[0])
    np.testing.assert_array_equal(M.todense() * M.todense().T, S.todense() * S.todense().T)
    out = lnp.zeros(dense.shape, dense.dtype)
    got = M.todense(out=out)
    assert type(got) is np.matrix
    np.testing.assert_array_equal(host(out), dense)
    with pytest.raises(ValueError):
        M.todense(order="X")
    A = getattr(sparse, f"{fmt}_array")(dense)
    assert isinstance(A.todense(), lnp.ndarray) and isinstance(M.toarray(), lnp.ndarray)
    check_dense(A.todense(), getattr(sp, f"{fmt}_array")(dense).todense())


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.float32, np.complex64])
def test_astype_and_int_bool_values(dtype):
    S = sprandom(5, 5)
    A = sparse.csr_array(S).astype(dtype)
    assert A.dtype == np.dtype(dtype)
    check_dense(A.toarray(), S.astype(dtype).toarray())
    check_dense(A.sum(), S.astype(dtype).sum())
    assert A.sum(axis=0).dtype == S.astype(dtype).sum(axis=0).dtype
    x = np.arange(5).astype(dtype)
    check_dense(A @ lnp.asarray(x), S.astype(dtype) @ x)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr", "lil"])
def test_dia_plus_another_format_takes_scipys_format(fmt):
    # SciPy's DIA lets the other operand add (DIA + CSC is CSC); a difference is CSR.
    d = np.array([[1.0, 0, 2], [0, 0, 3], [4, 0, 0]])
    A, B = sparse.dia_array(d), getattr(sparse, f"{fmt}_array")(d)
    S, T = sp.dia_array(d), getattr(sp, f"{fmt}_array")(d)
    for got, want in ((A + B, S + T), (A - B, S - T)):
        assert got.format == want.format, (fmt, got.format, want.format)
        check_sparse(got, want)


def test_dia_specifics():
    data = np.arange(12.0).reshape(3, 4) + 1
    S = sp.dia_array((data, [0, -1, 2]), shape=(4, 4))
    A = sparse.dia_array((data, [0, -1, 2]), shape=(4, 4))
    assert A.nnz == S.nnz
    np.testing.assert_array_equal(host(A.offsets), S.offsets)
    check_sparse(A, S)
    check_dense(A @ lnp.ones(4), S @ np.ones(4))
    check_sparse(A.tocsr(), S.tocsr())
