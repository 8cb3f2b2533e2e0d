"""Solvers, operators, norms and the direct solve, against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from conftest import check_dense, poisson2d, sprandom

import legate_numeric as lnp
import legate_sparse as sparse
from legate_sparse import linalg


def _count(solver, *args, **kwargs):
    calls = [0]

    def cb(_):
        calls[0] += 1

    x, info = solver(*args, callback=cb, **kwargs)
    return x, info, calls[0]


def test_cg_poisson_iterations():
    S = poisson2d(16)
    A = sparse.csr_array(S)
    b = np.ones(S.shape[0])
    x, info, its = _count(linalg.cg, A, lnp.asarray(b), rtol=1e-8)
    xs, infos, its_s = _count(spla.cg, S, b, rtol=1e-8)
    assert info == infos == 0
    assert isinstance(x, lnp.ndarray)
    assert abs(its - its_s) <= 2
    assert np.linalg.norm(S @ x.__array__() - b) <= 1e-8 * np.linalg.norm(b) * 1.01


def test_cg_preconditioned_x0_maxiter():
    S = poisson2d(10)
    A = sparse.csr_array(S)
    b = np.arange(S.shape[0], dtype=float)
    Minv = sparse.diags_array(1.0 / S.diagonal(), format="csr")
    x, info, its = _count(linalg.cg, A, b, M=Minv, x0=lnp.ones(S.shape[0]))
    xs, infos, its_s = _count(spla.cg, S, b, M=sp.diags_array(1.0 / S.diagonal()), x0=np.ones(S.shape[0]))
    assert info == 0 and abs(its - its_s) <= 2
    _, info = linalg.cg(A, b, maxiter=3)
    assert info == 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("form", ["csr", "csr64", "csc", "operator"])
def test_cg_iterates_match_scipy_in_every_form(form, dtype):
    """A few CG iterations, step by step as SciPy's: the CSR forms take the fused
    product (``q`` and ``p·q`` in one pass), the others the separate one; a complex
    Hermitian matrix checks the conjugate in ``p·q``."""
    S = poisson2d(9).astype(dtype)
    if np.dtype(dtype).kind == "c":
        H = sprandom(81, 81, density=0.05, seed=5) * 0.3j
        S = (S + H + H.conj().T).astype(dtype)
    b = np.linspace(1, 2, 81).astype(dtype)
    A = sparse.csr_array(S) if form != "csc" else sparse.csc_array(S)
    if form == "csr64":
        A.indices, A.indptr = lnp.asarray(A.indices.astype(np.int64)), lnp.asarray(A.indptr.astype(np.int64))
    if form == "operator":
        A = linalg.LinearOperator(S.shape, matvec=lambda v: sparse.csr_array(S) @ v, dtype=dtype)
    tol = 1e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-10
    for its in (1, 4):
        x, info = linalg.cg(A, lnp.asarray(b), rtol=1e-30, maxiter=its)
        xs, infos = spla.cg(S, b, rtol=1e-30, maxiter=its)
        assert info == infos == its
        np.testing.assert_allclose(x.__array__(), xs, rtol=tol, atol=tol)
    # Solved to convergence, with no callback (x's update deferred) and with one.
    rtol = 1e-3 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-8
    xs, infos = spla.cg(S, b, rtol=rtol)
    for cb in (None, lambda xk: None):
        x, info = linalg.cg(A, lnp.asarray(b), rtol=rtol, callback=cb)
        assert info == infos == 0
        np.testing.assert_allclose(x.__array__(), xs, rtol=10 * rtol, atol=10 * rtol)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
@pytest.mark.parametrize("precondition", [False, True])
@pytest.mark.parametrize("maxiter", [1, 2, 7, None])
def test_cg_iterates_match_scipy(dtype, precondition, maxiter):
    """The next direction and its product are launched before the residual norm is read
    (and dropped at convergence): each iterate, the stopping iteration and the returned
    ``x`` stay SciPy's."""
    S = poisson2d(9).astype(dtype)
    if np.dtype(dtype).kind == "c":
        S = S + 0.25j * (sp.eye_array(81, k=1) - sp.eye_array(81, k=-1))  # Hermitian
    b = np.linspace(1.0, 2.0, 81).astype(dtype)
    d = 1.0 / S.diagonal().real
    M, Ms = (sparse.diags_array(d, format="csr"), sp.diags_array(d)) if precondition else (None, None)
    x, info, its = _count(linalg.cg, sparse.csr_array(S), lnp.asarray(b), rtol=1e-9, maxiter=maxiter, M=M)
    xs, infos, its_s = _count(spla.cg, S, b, rtol=1e-9, maxiter=maxiter, M=Ms)
    assert (info, its) == (infos, its_s)
    assert x.dtype == xs.dtype
    np.testing.assert_allclose(x.__array__(), xs, rtol=1e-9, atol=1e-12)


def test_cg_calls_an_operator_as_scipy_does():
    """A user's operator may count its calls: it sees SciPy's products (no speculative one)."""
    S = poisson2d(6)
    calls = {"legate": 0, "scipy": 0}

    def matvec(key, mul):
        def f(v):
            calls[key] += 1
            return mul(v)

        return f

    A = sparse.csr_array(S)
    op = linalg.LinearOperator(S.shape, matvec=matvec("legate", lambda v: A @ v), dtype=np.float64)
    ops = spla.LinearOperator(S.shape, matvec=matvec("scipy", lambda v: S @ v), dtype=np.float64)
    x, info = linalg.cg(op, lnp.ones(36), rtol=1e-10)
    xs, infos = spla.cg(ops, np.ones(36), rtol=1e-10)
    assert info == infos == 0
    assert calls["legate"] == calls["scipy"] > 0
    np.testing.assert_allclose(x.__array__(), xs, rtol=1e-9)


@pytest.mark.parametrize("name", ["bicgstab", "gmres"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_nonsymmetric_solvers(name, dtype):
    S = (poisson2d(8) + sprandom(64, 64, density=0.05, seed=3) * 0.5).astype(dtype)
    if np.dtype(dtype).kind == "c":
        S = S + 0.1j * sp.eye_array(64)
    b = np.ones(64, dtype=dtype)
    x, info = getattr(linalg, name)(sparse.csr_array(S), lnp.asarray(b), rtol=1e-8)
    xs, infos = getattr(spla, name)(S, b, rtol=1e-8)
    assert info == infos == 0
    assert np.linalg.norm(S @ x.__array__() - b) <= 1e-7 * np.linalg.norm(b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("restart", [4, 30])
def test_gmres_takes_scipys_steps(dtype, restart):
    """Restarted GMRES (its Gram-Schmidt is two products per step, SciPy's one inner
    product per basis vector) gives SciPy's residual estimates at every inner step, the
    same number of steps and the same solution: with a Jacobi preconditioner, an x0,
    and cycles both shorter and longer than the solve."""
    S = (poisson2d(6) + sprandom(36, 36, density=0.1, seed=5) * 0.4).astype(dtype)
    if np.dtype(dtype).kind == "c":
        S = S + 0.2j * sp.eye_array(36, dtype=dtype)
    b = np.cos(np.arange(36.0)).astype(dtype)
    x0 = np.full(36, 0.1, dtype=dtype)
    d = (1.0 / S.diagonal()).astype(dtype)
    single = np.dtype(dtype) in (np.float32, np.complex64)
    rtol = 1e-5 if single else 1e-7
    got, want = [], []
    x, info = linalg.gmres(sparse.csr_array(S), lnp.asarray(b), x0=lnp.asarray(x0), rtol=rtol, restart=restart,
                           M=sparse.diags_array(d, format="csr"), callback=got.append, callback_type="pr_norm")
    xs, infos = spla.gmres(S, b, x0=x0, rtol=rtol, restart=restart, M=sp.diags_array(d),
                           callback=want.append, callback_type="pr_norm")
    assert info == infos == 0
    assert x.dtype == xs.dtype
    assert len(got) == len(want) > 4
    tol = 1e-3 if single else 1e-8
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * rtol)
    np.testing.assert_allclose(x.__array__(), xs, rtol=100 * tol, atol=100 * tol * np.abs(xs).max())


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")  # SciPy's complex MINRES
@pytest.mark.parametrize("name", ["bicgstab", "minres"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_bicgstab_and_minres_take_scipys_steps(name, dtype):
    """Every iterate (seen by a callback) is SciPy's, with an x0 and, for BiCGSTAB, a
    Jacobi preconditioner; MINRES gets the Hermitian part."""
    S = (poisson2d(6) + sprandom(36, 36, density=0.1, seed=5) * 0.4).astype(dtype)
    if np.dtype(dtype).kind == "c":
        S = S + 0.2j * sp.eye_array(36, dtype=dtype)
    if name == "minres":
        S = S + S.conj().T
    b = np.cos(np.arange(36.0)).astype(dtype)
    x0 = np.full(36, 0.1, dtype=dtype)
    kw, kws = {}, {}
    if name == "bicgstab":
        d = (1.0 / S.diagonal()).astype(dtype)
        kw, kws = dict(M=sparse.diags_array(d, format="csr")), dict(M=sp.diags_array(d))
    got, want = [], []
    x, info = getattr(linalg, name)(sparse.csr_array(S), lnp.asarray(b), x0=lnp.asarray(x0), rtol=1e-6,
                                    callback=lambda xk: got.append(np.array(xk.__array__())), **kw)
    xs, infos = getattr(spla, name)(S, b, x0=x0, rtol=1e-6, callback=lambda xk: want.append(xk.copy()), **kws)
    assert info == infos == 0
    assert len(got) == len(want) > 5
    tol = 1e-5 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-12
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol * np.abs(w).max())
    np.testing.assert_allclose(x.__array__(), xs, rtol=tol, atol=tol * np.abs(xs).max())


def test_minres_and_operator():
    S = poisson2d(8) - 0.5 * sp.eye_array(64)  # symmetric indefinite-ish
    b = np.ones(64)
    x, info = linalg.minres(sparse.csr_array(S), b, rtol=1e-10)
    xs, infos = spla.minres(S, b, rtol=1e-10)
    assert info == infos
    np.testing.assert_allclose(x.__array__(), xs, rtol=1e-6, atol=1e-8)
    A = sparse.csr_array(poisson2d(6))
    op = linalg.LinearOperator(A.shape, matvec=lambda v: A @ v, dtype=np.float64)
    x, info = linalg.cg(op, lnp.ones(36))
    assert info == 0
    check_dense(A @ x, np.ones(36), rtol=1e-4)
    L = linalg.aslinearoperator(A)
    check_dense(L @ lnp.ones(36), poisson2d(6) @ np.ones(36))
    check_dense(L.matmat(lnp.ones((36, 2))), poisson2d(6) @ np.ones((36, 2)))


def test_norm_and_spsolve():
    S = sprandom(7, 7, density=0.4) - sprandom(7, 7, density=0.3, seed=11)
    A = sparse.csr_array(S)
    for ord in (None, "fro", 1, -1, 2, np.inf, -np.inf):  # 2: the largest singular value (svds)
        check_dense(linalg.norm(A, ord), spla.norm(S, ord), rtol=1e-8)
    for axis in (0, 1):
        for ord in (None, 0, 1, np.inf):
            got, want = linalg.norm(A, ord, axis=axis), spla.norm(S, ord, axis=axis)
            assert got.dtype == want.dtype  # ord 0 counts (integers)
            check_dense(got, want)
    with pytest.raises(NotImplementedError):
        linalg.norm(A, -2)
    P = poisson2d(5)
    b = np.arange(25.0)
    x = linalg.spsolve(sparse.csc_array(P), lnp.asarray(b))
    check_dense(x, spla.spsolve(P.tocsc(), b), rtol=1e-8)
    B = linalg.spsolve(sparse.csr_array(P), sparse.csc_array(sp.eye_array(25)))
    assert sparse.issparse(B)
    check_dense(B.toarray(), np.linalg.inv(P.toarray()), rtol=1e-8)


def test_cg_does_not_convert_to_numpy(monkeypatch):
    """50 CG iterations on a Poisson matrix with legate vectors: no array leaves the
    runtime (only 0-d/1-element scalars are read for the convergence test)."""
    A = sparse.csr_array(poisson2d(20))
    b = lnp.ones(A.shape[0])
    x0 = lnp.zeros(A.shape[0])
    counts = {"arrays": 0, "scalars": 0}
    original = lnp.ndarray.__array__

    def counting(self, *args, **kwargs):
        counts["arrays" if self.size > 1 else "scalars"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(lnp.ndarray, "__array__", counting)
    from legate._legate import Store

    to_numpy = getattr(Store, "to_numpy", None)
    x, info = linalg.cg(A, b, x0=x0, rtol=1e-30, atol=0.0, maxiter=50)
    assert info == 50
    assert counts["arrays"] == 0, counts
    # One residual norm per iteration; legate_numeric's bincount (the SpMV without the
    # native kernels) also reads its index range: at most 4 scalars per iteration.
    assert counts["scalars"] <= 4 * 50 + 10, counts
    monkeypatch.undo()
    assert to_numpy is not None
    assert np.linalg.norm(poisson2d(20) @ x.__array__() - 1) < np.sqrt(A.shape[0])


def test_linear_operator_power_rmatmat_and_matvec_required():
    # SciPy's LinearOperator has ** (a _PowerOperator) and rmatmat, and the base class
    # needs a matvec; here ** was a TypeError, rmatmat missing, LinearOperator((2, 2)) built.
    D = np.arange(4.0).reshape(2, 2)
    S, L = spla.aslinearoperator(D), linalg.aslinearoperator(D)
    for p in (0, 3):
        check_dense((L**p) @ np.ones(2), (S**p) @ np.ones(2))
    check_dense(L.rmatmat(np.eye(2)), S.rmatmat(np.eye(2)))
    for mod, op in ((spla, S), (linalg, L)):
        with pytest.raises(ValueError):
            op**-1
        with pytest.raises(TypeError):
            mod.LinearOperator((2, 2))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fallbacks_take_legate_operators_and_return_legate_solvers():
    # expm_multiply (SciPy's, through the fallback) of a legate LinearOperator shifts it
    # as a SciPy operator (it raised TypeError), and spilu's SuperLU solves legate
    # vectors, so it serves as a preconditioner (SciPy's solve refused them).
    D = np.array([[4.0, 1, 0], [1, 5, 2], [0, 2, 6]])
    b = np.array([1.0, 2, 3])
    want = spla.expm_multiply(spla.aslinearoperator(sp.csr_array(D * 0.1)), b, traceA=1.5)
    got = linalg.expm_multiply(linalg.aslinearoperator(sparse.csr_array(D * 0.1)), b, traceA=1.5)
    check_dense(got, want)
    A = sparse.csc_array(D)
    M = linalg.LinearOperator(A.shape, matvec=linalg.spilu(A).solve)
    x, info = linalg.gmres(A, b, M=M, rtol=1e-10)
    check_dense(x, np.linalg.solve(D, b))
    assert info == 0
