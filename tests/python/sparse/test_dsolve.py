"""The sparse direct solve (faer's sparse LU): ``spsolve``, ``splu``/``SuperLU.solve``,
``factorized`` and eigs/eigsh shift-invert, against SciPy in the same test."""

from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from conftest import DTYPE_IDS, DTYPES, check_dense, host, poisson2d, sprandom
from scipy.sparse import SparseEfficiencyWarning
from scipy.sparse.linalg import MatrixRankWarning

import legate_numeric as lnp
import legate_sparse as sparse
from legate_sparse import linalg


def nonsymmetric(n, dtype, seed=3):
    """A random non-symmetric matrix made non-singular by a dominant diagonal, with a
    duplicate entry left in (COO), as SciPy accepts it."""
    S = sprandom(n, n, density=0.15, dtype=dtype, seed=seed).tocoo()
    d = np.full(n, 4.0, dtype=dtype)
    rows = np.concatenate([S.row, np.arange(n), [0]])
    cols = np.concatenate([S.col, np.arange(n), [1]])
    vals = np.concatenate([S.data, d, np.array([0.5], dtype=dtype)])
    return sp.coo_array((vals, (rows, cols)), shape=(n, n))


def rtol_of(dtype):
    return 2e-3 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-9


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_spsolve_nonsymmetric(dtype, fmt):
    S = nonsymmetric(40, dtype).asformat(fmt)
    A = sparse.csr_array(S) if fmt == "csr" else sparse.csc_array(S)
    rng = np.random.default_rng(5)
    b = rng.uniform(size=40).astype(dtype)
    want = spla.spsolve(S, b)
    x = linalg.spsolve(A, lnp.asarray(b))
    assert x.dtype == want.dtype and x.shape == want.shape
    check_dense(x, want, rtol=rtol_of(dtype))
    # A 2-d right-hand side, and one of shape (n, 1) (a 1-d result, as SciPy's).
    B = rng.uniform(size=(40, 3)).astype(dtype)
    check_dense(linalg.spsolve(A, lnp.asarray(B)), spla.spsolve(S, B), rtol=rtol_of(dtype))
    x1 = linalg.spsolve(A, lnp.asarray(B[:, :1]))
    assert x1.shape == (40,)
    check_dense(x1, spla.spsolve(S, B[:, :1]), rtol=rtol_of(dtype))


def test_spsolve_poisson_large():
    """A Poisson matrix far beyond the old dense limit (8192 rows)."""
    P = poisson2d(120)  # 14400 rows
    b = np.linspace(0, 1, P.shape[0])
    x = linalg.spsolve(sparse.csr_array(P), lnp.asarray(b))
    check_dense(x, spla.spsolve(P, b), rtol=1e-8)
    check_dense(sparse.csr_array(P) @ x, b, rtol=1e-8)


def test_spsolve_dtypes_promote():
    P = poisson2d(6)
    b = np.arange(36.0)
    for Adt, bdt in [(np.float32, np.float32), (np.float32, np.float64), (np.float64, np.complex64),
                     (np.int64, np.float64), (np.int8, np.float32), (np.float32, np.int64)]:
        S = P.astype(Adt)
        want = spla.spsolve(S, b.astype(bdt))
        x = linalg.spsolve(sparse.csr_array(S), lnp.asarray(b.astype(bdt)))
        assert x.dtype == want.dtype, (Adt, bdt, x.dtype, want.dtype)
        check_dense(x, want, rtol=rtol_of(want.dtype))


def test_spsolve_sparse_rhs_and_formats():
    P = poisson2d(5)
    B = sp.random_array((25, 4), density=0.3, rng=np.random.default_rng(1), format="csc")
    want = spla.spsolve(P.tocsc(), B)
    got = linalg.spsolve(sparse.csc_array(P), sparse.csc_array(B))
    assert sparse.issparse(got) and got.format == "csc"
    check_dense(got, want, rtol=1e-9)
    with pytest.warns(SparseEfficiencyWarning, match="sparse b"):
        got = linalg.spsolve(sparse.csr_array(P), sparse.csr_array(B))
    assert got.format == "csr"
    check_dense(got, want, rtol=1e-9)
    # A sparse vector b gives a dense 1-d x.
    bv = sp.csc_array(np.arange(25.0).reshape(25, 1))
    x = linalg.spsolve(sparse.csc_array(P), sparse.csc_array(bv))
    check_dense(x, spla.spsolve(P.tocsc(), bv), rtol=1e-9)
    # COO converts with SciPy's warning.
    with pytest.warns(SparseEfficiencyWarning, match="CSC or CSR"):
        x = linalg.spsolve(sparse.coo_array(P), lnp.arange(25.0))
    check_dense(x, spla.spsolve(P, np.arange(25.0)), rtol=1e-9)


def test_spsolve_singular_and_bad_input():
    S = sp.csr_array(np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MatrixRankWarning)
        want = spla.spsolve(S, np.ones(3))
    with pytest.warns(MatrixRankWarning, match="exactly singular"):
        x = linalg.spsolve(sparse.csr_array(S), lnp.ones(3))
    assert np.isnan(host(x)).all() and np.isnan(want).all() and x.shape == want.shape
    # A structurally singular matrix (an empty column) too.
    E = sp.csr_array(np.array([[1.0, 0.0], [1.0, 0.0]]))
    with pytest.warns(MatrixRankWarning):
        assert np.isnan(host(linalg.spsolve(sparse.csr_array(E), lnp.ones(2)))).all()
    with pytest.raises(RuntimeError, match="exactly singular"):
        spla.spsolve(S.tocsc(), sp.csc_array(np.eye(3)))
    with pytest.raises(RuntimeError, match="exactly singular"):
        linalg.spsolve(sparse.csr_array(S), sparse.csc_array(np.eye(3)))
    with pytest.raises(ValueError, match="square"):
        linalg.spsolve(sparse.csr_array(np.ones((2, 3))), lnp.ones(2))
    with pytest.raises(ValueError, match="dimension mismatch"):
        linalg.spsolve(sparse.csr_array(poisson2d(3)), lnp.ones(4))
    # Empty: a 0 x 0 system has an empty solution.
    x = linalg.spsolve(sparse.csr_array((0, 0)), lnp.ones(0))
    assert x.shape == spla.spsolve(sp.csr_array((0, 0)), np.ones(0)).shape == (0,)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_splu_solve_trans(dtype):
    S = nonsymmetric(30, dtype, seed=9).tocsc()
    S.sum_duplicates()
    lu_want = spla.splu(S)
    lu = linalg.splu(sparse.csc_array(S))
    assert lu.shape == lu_want.shape == (30, 30)
    rng = np.random.default_rng(2)
    b = (rng.uniform(size=(30, 2)) + (1j * rng.uniform(size=(30, 2)) if np.dtype(dtype).kind == "c" else 0)).astype(dtype)
    for trans in "NTH":
        got = lu.solve(lnp.asarray(b), trans=trans)
        want = lu_want.solve(b, trans=trans)
        assert got.dtype == want.dtype
        check_dense(got, want, rtol=rtol_of(dtype))
        check_dense(lu.solve(lnp.asarray(b[:, 0]), trans), lu_want.solve(b[:, 0], trans), rtol=rtol_of(dtype))
    with pytest.raises(ValueError, match="trans must be N, T, or H"):
        lu.solve(lnp.asarray(b), trans="X")
    with pytest.raises(ValueError, match="incompatible size"):
        lu.solve(lnp.ones(31, dtype))
    if np.dtype(dtype).kind == "f":
        with pytest.raises(TypeError, match="safe"):
            lu.solve(lnp.ones(30, np.complex128))


def _perm_matrices(perm_r, perm_c):
    n = len(perm_r)
    Pr = sp.csc_array((np.ones(n), (perm_r, np.arange(n))), shape=(n, n))
    Pc = sp.csc_array((np.ones(n), (np.arange(n), perm_c)), shape=(n, n))
    return Pr, Pc


@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_splu_factors_as_scipy_shows_them(dtype, fmt):
    """``L``, ``U``, ``perm_r``, ``perm_c``, ``nnz``: the same kinds, dtypes and
    identity (``Pr A Pc = L U``) as SciPy's, checked with SciPy's own products."""
    S = nonsymmetric(40, dtype, seed=5)
    S_csc = S.tocsc()
    S_csc.sum_duplicates()
    want = spla.splu(S_csc)
    A = sparse.csc_array(S) if fmt == "csc" else sparse.csr_array(S)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SparseEfficiencyWarning)
        lu = linalg.splu(A)
    for name in ("perm_r", "perm_c"):
        got = host(getattr(lu, name))
        assert got.dtype == getattr(want, name).dtype
        assert sorted(got) == list(range(40)), name
    for name in ("L", "U"):
        got, w = getattr(lu, name), getattr(want, name)
        assert sparse.issparse(got) and got.format == w.format == "csc" and got.shape == w.shape
        assert got.dtype == w.dtype and got.indices.dtype == w.indices.dtype and got.indptr.dtype == w.indptr.dtype
        assert got.has_sorted_indices
    L = sp.csc_array((host(lu.L.data), host(lu.L.indices), host(lu.L.indptr)), shape=(40, 40))
    U = sp.csc_array((host(lu.U.data), host(lu.U.indices), host(lu.U.indptr)), shape=(40, 40))
    assert sp.triu(L, 1).nnz == 0 and np.all(L.diagonal() == 1)
    assert sp.tril(U, -1).nnz == 0
    Pr, Pc = _perm_matrices(host(lu.perm_r), host(lu.perm_c))
    np.testing.assert_allclose((Pr @ S_csc @ Pc).toarray(), (L @ U).toarray(), rtol=rtol_of(dtype), atol=rtol_of(dtype))
    # SciPy's own factors obey the same identity (the convention is SciPy's).
    Pr_w, Pc_w = _perm_matrices(want.perm_r, want.perm_c)
    np.testing.assert_allclose((Pr_w @ S_csc @ Pc_w).toarray(), (want.L @ want.U).toarray(), rtol=rtol_of(dtype), atol=rtol_of(dtype))
    assert lu.nnz == L.nnz + U.nnz
    # The factors are of A as it was: changing A afterwards does not change them.
    A.data[...] = 0
    np.testing.assert_allclose((Pr @ S_csc @ Pc).toarray(), (L @ U).toarray(), rtol=rtol_of(dtype), atol=rtol_of(dtype))


def test_splu_factors_of_a_later_changed_matrix_and_empty():
    P = poisson2d(5).tocsc()
    A = sparse.csc_array(P)
    lu = linalg.splu(A)
    A.data[...] *= 2  # after the factorization, before the factors are asked for
    L = sp.csc_array((host(lu.L.data), host(lu.L.indices), host(lu.L.indptr)), shape=P.shape)
    U = sp.csc_array((host(lu.U.data), host(lu.U.indices), host(lu.U.indptr)), shape=P.shape)
    Pr, Pc = _perm_matrices(host(lu.perm_r), host(lu.perm_c))
    np.testing.assert_allclose((Pr @ P @ Pc).toarray(), (L @ U).toarray(), atol=1e-12)
    empty, want = linalg.splu(sparse.csc_array((0, 0))), spla.splu(sp.csc_array((0, 0)))
    assert empty.L.shape == empty.U.shape == want.L.shape == (0, 0)
    assert host(empty.perm_r).shape == want.perm_r.shape == (0,)
    assert host(empty.perm_r).dtype == want.perm_r.dtype
    assert empty.nnz == want.nnz == 0


def test_splu_formats_factorized_and_release():
    P = poisson2d(8)
    with pytest.warns(SparseEfficiencyWarning, match="CSC"):
        lu = linalg.splu(sparse.csr_array(P))
    check_dense(lu.solve(lnp.ones(64)), spla.splu(P.tocsc()).solve(np.ones(64)), rtol=1e-9)
    solve = linalg.factorized(sparse.csc_array(P))
    check_dense(solve(lnp.arange(64.0)), spla.factorized(P.tocsc())(np.arange(64.0)), rtol=1e-9)
    # An integer matrix is factored in float64, as SciPy's _asfptype does.
    lu_i = linalg.splu(sparse.csc_array(P.astype(np.int32)))
    assert lu_i.solve(lnp.ones(64)).dtype == spla.splu(P.astype(np.int32).tocsc()).solve(np.ones(64)).dtype
    with pytest.raises(RuntimeError, match="exactly singular"):
        linalg.splu(sparse.csc_array(np.array([[1.0, 1.0], [1.0, 1.0]])))
    with pytest.raises(ValueError, match="can only factor square matrices"):
        linalg.splu(sparse.csc_array(np.ones((2, 3))))
    # Factors are freed with their object (after their pending solves).
    from legate_sparse import _native

    held = _native.lu_factors_held()
    lus = [linalg.splu(sparse.csc_array(P)) for _ in range(3)]
    xs = [f.solve(lnp.ones(64)) for f in lus]
    assert _native.lu_factors_held() >= held  # the factorizations may still be pending
    del lus
    gc.collect()
    for x in xs:
        check_dense(x, spla.spsolve(P, np.ones(64)), rtol=1e-9)
    from legate._legate import fence

    fence()  # the releases have run
    assert _native.lu_factors_held() <= held


def test_index_dtypes():
    """int32 and int64 index arrays give the same solve."""
    P = poisson2d(6)
    b = np.arange(36.0)
    want = spla.spsolve(P, b)
    for idx in (np.int32, np.int64):
        A = sparse.csr_array((P.data, P.indices.astype(idx), P.indptr.astype(idx)), shape=P.shape)
        check_dense(linalg.spsolve(A, lnp.asarray(b)), want, rtol=1e-9)


def test_shift_invert_uses_sparse_lu():
    """eigsh/eigs with sigma on a matrix beyond the old dense limit (8192 rows)."""
    P = poisson2d(100)  # 10000 rows
    w_want = spla.eigsh(P, k=3, sigma=0.0, return_eigenvectors=False)
    w = linalg.eigsh(sparse.csr_array(P), k=3, sigma=0.0, return_eigenvectors=False)
    np.testing.assert_allclose(np.sort(host(w)), np.sort(w_want), rtol=1e-8)
    S = nonsymmetric(60, np.float64, seed=4).tocsr()
    w_want = spla.eigs(S, k=3, sigma=1.0, return_eigenvectors=False)
    w, v = linalg.eigs(sparse.csr_array(S), k=3, sigma=1.0)
    def ordered(w):  # conjugate pairs share a real part up to rounding: order by rounded parts
        w = np.asarray(w)
        return w[np.lexsort((w.imag.round(6), w.real.round(6)))]

    np.testing.assert_allclose(ordered(host(w)), ordered(w_want), rtol=1e-8)
    check_dense(sparse.csr_array(S) @ v, host(v) * host(w), rtol=1e-7)


@pytest.mark.parametrize("dt", [np.longdouble, np.clongdouble])
def test_factorization_dtype_past_complex128_raises_scipys_error(dt):
    # legate arrays cannot hold these, but the dtype rule itself answers as SciPy's.
    from legate_sparse.linalg._dsolve import _float_dtype

    with pytest.raises(TypeError, match="cannot upcast") as ours:
        _float_dtype(dt)
    with pytest.raises(TypeError) as theirs:
        spla.spsolve(sp.csr_matrix(np.eye(2, dtype=dt)), np.ones(2))
    assert str(ours.value) == str(theirs.value)
    assert _float_dtype(np.int64) == np.float64 and _float_dtype(np.complex64) == np.complex64
