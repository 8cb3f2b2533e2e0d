"""General (non-Hermitian) eigenproblems: ``eigs`` by Krylov-Schur-restarted Arnoldi.

The basis ``V`` is complex (one vector per row, a legate_numeric array), built with
full reorthogonalization, so the projection ``H = Vᴴ A V`` (``ncv x ncv``, host) is
known column by column, and ``A V = V H + v bᵀ`` holds with ``b`` the last row of the
``(ncv+1) x ncv`` matrix kept here. A restart keeps an orthonormal basis ``Q`` (a
host QR) of the most wanted Ritz vectors: ``span(Q)`` is invariant under ``H``, so the
relation holds again with ``Qᴴ H Q`` and ``bᵀ Q``, as in Krylov-Schur. A real ``A`` is
applied to the real and imaginary parts of a vector separately (no complex copy of
the matrix). Shift-invert (``sigma``) and ``M`` run in SciPy (the fallback).
"""

from __future__ import annotations

import warnings

import numpy as _np

import legate_numeric as lnp

from .. import _fallback
from .._base import _spbase
from .._sputils import as_legate
from ._eigen import (
    ArpackNoConvergence, _as_operand, _cycles, _is_dense, _Lanczos, _scipy_operator, _start_vector, _tolerance,
    _working_dtype,
)
from ._interface import aslinearoperator

__all__ = ["eigs"]

_WHICH = ("LM", "SM", "LR", "SR", "LI", "SI")


def _rank(theta: _np.ndarray, which: str, real_operator: bool) -> _np.ndarray:
    """Indices of the Ritz values, most wanted first (ARPACK's rules: for a real
    operator LI/SI look at ``|imag|``, so conjugate pairs rank together)."""
    im = _np.abs(theta.imag) if real_operator else theta.imag
    key = {"LM": -_np.abs(theta), "SM": _np.abs(theta), "LR": -theta.real, "SR": theta.real,
           "LI": -im, "SI": im}[which]
    # Ties (conjugate pairs) put the positive imaginary part first, as SciPy does.
    return _np.lexsort((-theta.imag, key))


class _Arnoldi(_Lanczos):
    """The Arnoldi relation ``A V[:m] = V[:m] H[:m] + V[m] H[m]`` (``H`` is
    ``(m+1) x m``, host)."""

    def __init__(self, matvec, n: int, m: int, dtype, rng):
        super().__init__(matvec, n, m, dtype, rng)
        self.T = None
        self.H = _np.zeros((m + 1, m), self.dtype)

    def expand(self, first: int) -> None:
        for j in range(first, self.m):
            h, w, _, beta = self._step(j)
            self.H[: j + 1, j] = h
            self.H[j + 1, j] = beta
            if beta == 0.0:
                self._random_orthogonal(j + 1)
            else:
                self.V[j + 1] = w * (1.0 / beta)

    def ritz(self):
        return _np.linalg.eig(self.H[: self.m])

    def residuals(self, Y: _np.ndarray) -> _np.ndarray:
        return _np.abs(self.H[self.m] @ Y)

    def restart(self, Y: _np.ndarray, theta=None) -> int:
        """Keeps the basis ``V[:m]ᵀ Q`` (``Q`` an orthonormal basis of the Ritz vectors
        ``Y``, so ``span(Q)`` is invariant under ``H[:m]``) and the residual direction
        after it."""
        m = self.m
        Q = _np.linalg.qr(Y)[0]
        S = Q.conj().T @ self.H[:m] @ Q
        b = self.H[m] @ Q
        p = self._keep(Q)
        H = _np.zeros_like(self.H)
        H[:p, :p] = S
        H[p, :p] = b
        self.H = H
        return p

    def lock(self, Y: _np.ndarray, theta=None) -> int:
        p = self.restart(Y)
        self.H[p, :p] = 0
        self._random_orthogonal(p)
        return p


def _complex_dtype(dt: _np.dtype) -> _np.dtype:
    return _np.dtype(_np.complex64) if dt in (_np.float32, _np.complex64) else _np.dtype(_np.complex128)


def _apply_real(op):
    """``x -> A x`` for a complex ``x`` and a real ``A``: two real products."""

    def matvec(x):
        re = op.matvec(x.real.copy())
        im = op.matvec(x.imag.copy())
        out = lnp.zeros(re.shape, _np.result_type(re.dtype, _np.complex64))
        out.real = re
        out.imag = im
        return out

    return matvec


def _arnoldi_eigs(op, k, which, v0, ncv, maxiter, tol, return_eigenvectors, rng):
    n = op.shape[0]
    base = _working_dtype(op.dtype)
    dt = _complex_dtype(base)
    real_operator = base.kind == "f"
    m = ncv
    gen = _np.random.default_rng(rng if rng is not None else 0)
    ar = _Arnoldi(_apply_real(op) if real_operator else op.matvec, n, m, dt, gen)
    ar.start(_start_vector(v0, n, dt, gen, not real_operator))
    eps, tol = _tolerance(tol, dt)

    def no_convergence(theta, Y, got, msg):
        vecs = ar.ritz_vectors(Y[:, got]) if return_eigenvectors else None
        raise ArpackNoConvergence(msg, as_legate(theta[got].astype(dt)), vecs)

    theta, Y, wanted, bound = _cycles(ar, k, lambda t: _rank(t, which, real_operator), maxiter, tol, eps,
                                      no_convergence)
    sel = wanted if return_eigenvectors else wanted[::-1]
    if real_operator:
        # The basis is complex, so real eigenvalues carry rounding-level imaginary
        # parts: below the accuracy asked for, they are zero (ARPACK's are exact).
        theta = _np.where(_np.abs(theta.imag) <= float(bound.max()), theta.real + 0j, theta)
    w = as_legate(theta[sel].astype(dt))
    if not return_eigenvectors:
        return w
    return w, ar.ritz_vectors(Y[:, sel])


def eigs(A, k=6, M=None, sigma=None, which="LM", v0=None, ncv=None, maxiter=None, tol=0,
         return_eigenvectors=True, Minv=None, OPinv=None, OPpart=None, rng=None):
    """``k`` eigenvalues (and eigenvectors) of a square ``A`` (sparse, dense or a
    ``LinearOperator``), as SciPy's ``eigs``: Krylov-Schur-restarted Arnoldi on legate
    vectors (the ``ncv x ncv`` projected problem is solved on the host).

    ``which`` is one of ``'LM'``, ``'SM'``, ``'LR'``, ``'SR'``, ``'LI'``, ``'SI'``.
    Returns complex ``w`` (most wanted first) and ``v`` ``(n, k)`` (unit columns), or
    ``w`` alone (least wanted first, as ARPACK) without eigenvectors. Raises
    ``ArpackNoConvergence`` when ``maxiter`` restart cycles run out. ``sigma``, ``M``,
    ``Minv``, ``OPinv`` and ``OPpart`` run in SciPy (the fallback).
    """
    if sigma is not None or M is not None or Minv is not None or OPinv is not None or OPpart is not None:
        import scipy.sparse.linalg as _spla

        return _fallback.call(
            "linalg.eigs (with sigma/M/Minv/OPinv/OPpart)", _spla.eigs, (_scipy_operator(A), k),
            dict(M=_scipy_operator(M), sigma=sigma, which=which, v0=v0, ncv=ncv, maxiter=maxiter, tol=tol,
                 return_eigenvectors=return_eigenvectors, Minv=_scipy_operator(Minv),
                 OPinv=_scipy_operator(OPinv), OPpart=OPpart, rng=rng))
    A = _as_operand(A)
    dense = _is_dense(A)
    op = aslinearoperator(A)
    if op.shape[0] != op.shape[1]:
        raise ValueError(f"expected square matrix (shape={op.shape})")
    n = op.shape[0]
    k = int(k)
    if k <= 0:
        raise ValueError(f"k={k} must be greater than 0.")
    if k >= n - 1:
        warnings.warn("k >= N - 1 for N * N square matrix. Attempting to use scipy.linalg.eig instead.",
                      RuntimeWarning, stacklevel=2)
        if isinstance(A, _spbase) or not dense:
            raise TypeError("Cannot use scipy.linalg.eig for sparse A with k >= N - 1. "
                            "Use scipy.linalg.eig(A.toarray()) or reduce k.")
        host = _np.asarray(as_legate(A).__array__())
        w, v = _np.linalg.eig(host.astype(_complex_dtype(_working_dtype(host.dtype))))
        return as_legate(w) if not return_eigenvectors else (as_legate(w), as_legate(v))
    if which not in _WHICH:
        raise ValueError("Parameter which must be one of LM SM LR SR LI SI")
    if ncv is None:
        ncv = min(n, max(2 * k + 1, 20))
    ncv = min(int(ncv), n)
    if ncv <= k + 1:
        raise ValueError(f"ncv must be k+1<ncv<=n, ncv={ncv}")
    maxiter = n * 10 if maxiter is None else int(maxiter)
    if maxiter <= 0:
        raise ValueError(f"maxiter must be positive, maxiter={maxiter}")
    return _arnoldi_eigs(op, k, which, v0, ncv, maxiter, tol, return_eigenvectors, rng)
