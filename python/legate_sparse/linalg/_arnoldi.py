"""General (non-Hermitian) eigenproblems: ``eigs`` by Krylov-Schur-restarted Arnoldi.

The basis ``V`` is complex (one vector per row, a legate_numeric array), built with
full reorthogonalization, so the projection ``H = Vᴴ A V`` (``ncv x ncv``, host) is
known column by column, and ``A V = V H + v bᵀ`` holds with ``b`` the last row of the
``(ncv+1) x ncv`` matrix kept here. A restart keeps an orthonormal basis ``Q`` (a
host QR) of the most wanted Ritz vectors: ``span(Q)`` is invariant under ``H``, so the
relation holds again with ``Qᴴ H Q`` and ``bᵀ Q``, as in Krylov-Schur. A real ``A`` is
applied to the real and imaginary parts of a vector separately (no complex copy of
the matrix). Generalized problems (``M``) and shift-invert (``sigma``) run the same
process on ARPACK's operators (see ``eigs``), with ``eigsh``'s inverses.
"""

from __future__ import annotations

import warnings

import numpy as _np

import legate_numeric as lnp

from .._base import _spbase
from .._sputils import as_legate
from ._eigen import (
    ArpackNoConvergence, _as_operand, _cycles, _inverse, _is_dense, _Lanczos, _m_operand, _start_vector, _tolerance,
    _working_dtype,
)
from ._interface import LinearOperator, aslinearoperator

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


def _arnoldi_eigs(op, k, which, v0, ncv, maxiter, tol, return_eigenvectors, rng, recover=None):
    """``k`` eigenpairs of ``op`` by Krylov-Schur Arnoldi; ``recover(nu, vectors)``
    maps ``op``'s eigenvalues (host) to the problem's (``None``: they are the same)."""
    n = op.shape[0]
    base = _working_dtype(op.dtype)
    dt = _complex_dtype(base)
    real_operator = base.kind == "f"
    m = ncv
    gen = _np.random.default_rng(rng if rng is not None else 0)
    ar = _Arnoldi(_apply_real(op) if real_operator else op.matvec, n, m, dt, gen)
    ar.start(_start_vector(v0, n, dt, gen, not real_operator))
    eps, tol = _tolerance(tol, dt)

    def pairs(theta, Y, sel, with_vectors):
        vecs = ar.ritz_vectors(Y[:, sel]) if with_vectors or recover is not None else None
        lam = theta[sel] if recover is None else recover(theta[sel], vecs)
        return as_legate(_np.asarray(lam).astype(dt)), (vecs if with_vectors else None)

    def no_convergence(theta, Y, got, msg):
        raise ArpackNoConvergence(msg, *pairs(theta, Y, got, return_eigenvectors))

    theta, Y, wanted, bound = _cycles(ar, k, lambda t: _rank(t, which, real_operator), maxiter, tol, eps,
                                      no_convergence)
    sel = wanted if return_eigenvectors else wanted[::-1]
    if real_operator:
        # The basis is complex, so real eigenvalues carry rounding-level imaginary
        # parts: below the accuracy asked for, they are zero (ARPACK's are exact).
        theta = _np.where(_np.abs(theta.imag) <= float(bound.max()), theta.real + 0j, theta)
    w, vecs = pairs(theta, Y, sel, return_eigenvectors)
    return (w, vecs) if return_eigenvectors else w


def eigs(A, k=6, M=None, sigma=None, which="LM", v0=None, ncv=None, maxiter=None, tol=0,
         return_eigenvectors=True, Minv=None, OPinv=None, OPpart=None, rng=None):
    """``k`` eigenvalues (and eigenvectors) of a square ``A`` (sparse, dense or a
    ``LinearOperator``), as SciPy's ``eigs``: Krylov-Schur-restarted Arnoldi on legate
    vectors (the ``ncv x ncv`` projected problem is solved on the host).

    ``which`` is one of ``'LM'``, ``'SM'``, ``'LR'``, ``'SR'``, ``'LI'``, ``'SI'``.
    Returns complex ``w`` (most wanted first) and ``v`` ``(n, k)`` (unit columns), or
    ``w`` alone (least wanted first, as ARPACK) without eigenvectors. Raises
    ``ArpackNoConvergence`` when ``maxiter`` restart cycles run out.

    ARPACK's other modes run natively, Arnoldi on the operator ``OP``:

    - ``M`` without ``sigma`` (mode 2, ``A x = lambda M x``, ``M`` Hermitian positive
      definite): ``OP = M⁻¹ A`` (``M⁻¹`` is ``Minv`` when given); ``which`` picks among
      the ``lambda``.
    - ``sigma`` (shift-invert, mode 3): ``OP = (A - sigma M)⁻¹ M`` (``M`` the identity
      when ``None``; the inverse is ``OPinv`` when given), ``lambda = sigma + 1 / nu``;
      ``which`` applies to ``OP``'s eigenvalues ``nu`` (``'LM'``: nearest ``sigma``).
    - a real ``A`` with a complex ``sigma``: ``OP`` is the real part of that operator
      (``OPpart='r'``, the default) or its imaginary part (``'i'``, mode 4), and each
      ``lambda`` is the Rayleigh quotient ``vᴴ A v / vᴴ M v`` of its eigenvector, as
      ARPACK's ``dneupd`` computes it.

    The inverses are ``eigsh``'s: sparse LU solves (``splu``) for sparse or dense
    operands, GMRES solves for operators. Eigenvectors have unit 2-norm.
    """
    A = _as_operand(A)
    dense = _is_dense(A)
    op = aslinearoperator(A)
    if op.shape[0] != op.shape[1]:
        raise ValueError(f"expected square matrix (shape={op.shape})")
    n = op.shape[0]
    M, Mop = _m_operand(M, op)
    k = int(k)
    if k <= 0:
        raise ValueError(f"k={k} must be greater than 0.")
    if k >= n - 1:
        warnings.warn("k >= N - 1 for N * N square matrix. Attempting to use scipy.linalg.eig instead.",
                      RuntimeWarning, stacklevel=2)
        if isinstance(A, _spbase) or not dense:
            raise TypeError("Cannot use scipy.linalg.eig for sparse A with k >= N - 1. "
                            "Use scipy.linalg.eig(A.toarray()) or reduce k.")
        if M is not None and not _is_dense(M):
            raise TypeError("Cannot use scipy.linalg.eig for LinearOperator M with k >= N - 1.")
        import scipy.linalg as _sla

        host = _np.asarray(as_legate(A).__array__())
        b = None if M is None else _np.asarray(as_legate(M).__array__())
        res = _sla.eig(host.astype(_complex_dtype(_working_dtype(host.dtype))), b=b, right=return_eigenvectors)
        return as_legate(res) if not return_eigenvectors else tuple(as_legate(r) for r in res)
    _check_mode_args(op, M, sigma, Minv, OPinv, OPpart)
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
    recover = None
    if sigma is not None or M is not None:
        op, recover = _transformed(A, op, M, Mop, sigma, Minv, OPinv, OPpart)
    return _arnoldi_eigs(op, k, which, v0, ncv, maxiter, tol, return_eigenvectors, rng, recover)


def _check_mode_args(op, M, sigma, Minv, OPinv, OPpart):
    """SciPy's checks of the arguments that pick ARPACK's mode."""
    if sigma is None:
        if OPinv is not None:
            raise ValueError("OPinv should not be specified with sigma = None.")
        if OPpart is not None:
            raise ValueError("OPpart should not be specified with sigma = None or complex A")
        if M is None and Minv is not None:
            raise ValueError("Minv should not be specified with M = None.")
        return
    if _np.dtype(op.dtype).kind == "c":
        if OPpart is not None:
            raise ValueError("OPpart should not be specified with sigma=None or complex A")
    elif OPpart is not None and str(OPpart).lower() not in ("r", "i"):
        raise ValueError("OPpart must be one of ('r','i')")
    elif OPpart is not None and str(OPpart).lower() == "i" and _np.imag(sigma) == 0:
        raise ValueError("OPpart cannot be 'i' if sigma is real")
    if Minv is not None:
        raise ValueError("Minv should not be specified when sigma isspecified.")


def _transformed(A, op, M, Mop, sigma, Minv, OPinv, OPpart):
    """``(OP, recover)`` for ARPACK's modes 2-4 (see ``eigs``): the operator whose
    eigenpairs the Arnoldi process finds and the map of its eigenvalues back."""
    n = op.shape[0]
    base = _working_dtype(op.dtype if Mop is None else _np.result_type(op.dtype, Mop.dtype))
    if sigma is None:  # mode 2
        inv = _inverse(Minv, M, None, 0, base, n, "M")
        return LinearOperator((n, n), matvec=lambda x: inv(op.matvec(x)), dtype=base), None
    dt = _np.result_type(base, _np.asarray(sigma).dtype)
    inv = _inverse(OPinv, A, M, sigma, dt, n, "A - sigma M" if M is not None else "A - sigma I")
    apply = inv if Mop is None else (lambda x: inv(Mop.matvec(x)))
    if base.kind == "c" or _np.imag(sigma) == 0:  # mode 3 in the operator's own arithmetic
        real_shift = base.kind == "f"
        matvec = (lambda x: apply(x).real.copy()) if real_shift and dt.kind == "c" else apply
        return LinearOperator((n, n), matvec=matvec, dtype=base), lambda nu, _: sigma + 1.0 / nu
    # A real A and a complex sigma: a real operator (modes 3 and 4), lambda from v.
    imag = OPpart is not None and str(OPpart).lower() == "i"

    def matvec(x):
        y = apply(x)
        return (y.imag if imag else y.real).copy()

    apply_A = _apply_real(op)
    apply_M = None if Mop is None else _apply_real(Mop)

    def rayleigh(nu, V):
        lam = _np.empty(nu.shape[0], _np.complex128)
        for j in range(nu.shape[0]):
            v = V[:, j].copy()
            Mv = v if apply_M is None else apply_M(v)
            lam[j] = complex(lnp.vdot(v, apply_A(v))) / complex(lnp.vdot(v, Mv))
        # A real nu has a real eigenvector, so a real lambda (as ARPACK's zᵀ A z).
        return _np.where(nu.imag == 0, lam.real, lam)

    return LinearOperator((n, n), matvec=matvec, dtype=base), rayleigh
