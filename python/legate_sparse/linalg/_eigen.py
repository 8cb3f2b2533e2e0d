"""Hermitian eigenproblems: ``eigsh`` (thick-restart Lanczos) and ``svds`` (on AᴴA).

``eigsh`` builds an orthonormal Krylov basis ``V`` (a 2-d legate_numeric array, one
basis vector per row) with full reorthogonalization (classical Gram-Schmidt, done
twice), so the projected matrix ``T = Vᴴ A V`` is known column by column. ``T`` is
at most ``ncv x ncv``: it lives on the host and its eigenproblem runs in NumPy. When
the basis is full, the ``p`` most wanted Ritz vectors are kept (a thick restart: the
Lanczos relation ``A V = V T + f eₘᵀ`` stays exact with ``T`` an arrowhead matrix),
and the expansion goes on from the residual vector. Converged values are checked for
missed copies of multiple eigenvalues by going on from a fresh direction (see
``_lanczos_eigsh``). What is read on the host per
Lanczos step is ``O(ncv)`` scalars; vectors never leave the runtime.

Generalized problems (``M``) and the spectral transformations (``sigma``, the
``'buckling'`` and ``'cayley'`` modes) run the same process on ARPACK's operators, in
the inner product ``M`` (or ``A``) defines (see ``eigsh``).
"""

from __future__ import annotations

import math
import warnings

import numpy as _np
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence

import legate_numeric as lnp

from .. import _fallback
from .._base import _spbase
from .._sputils import as_legate
from ._interface import LinearOperator, aslinearoperator

__all__ = ["eigsh", "svds", "ArpackError", "ArpackNoConvergence"]

_WHICH = ("LM", "SM", "LA", "SA", "BE")


# ---- which eigenvalues are wanted ----


def _rank(theta: _np.ndarray, which: str) -> _np.ndarray:
    """Indices of the Ritz values ``theta``, most wanted first."""
    if which == "LM":
        return _np.argsort(-_np.abs(theta), kind="stable")
    if which == "SM":
        return _np.argsort(_np.abs(theta), kind="stable")
    if which == "LA":
        return _np.argsort(-theta, kind="stable")
    if which == "SA":
        return _np.argsort(theta, kind="stable")
    # BE: alternately from the high and the low end (the high end first, so an odd
    # count takes one more from the high end, as SciPy does).
    asc = _np.argsort(theta, kind="stable")
    out, lo, hi = [], 0, len(asc) - 1
    while lo <= hi:
        out.append(asc[hi])
        hi -= 1
        if lo <= hi:
            out.append(asc[lo])
            lo += 1
    return _np.asarray(out, dtype=_np.int64)


def _output_order(theta: _np.ndarray, which: str, with_vectors: bool) -> _np.ndarray:
    """The order SciPy returns the wanted values in: ascending with eigenvectors;
    without them ARPACK's, from the least wanted to the most wanted (ascending for BE)."""
    if with_vectors or which == "BE":
        return _np.argsort(theta, kind="stable")
    return _rank(theta, which)[::-1]


# ---- the Lanczos process ----


class _Lanczos:
    """An orthonormal basis ``V`` (rows) of a Krylov space of an operator that is
    Hermitian in the inner product ``<x, y> = xᴴ B y`` (``B`` Hermitian positive
    definite, the identity when ``None``), and the projection ``T = Vᴴ B OP V`` of the
    operator on it (host NumPy). With a ``B``, ``BV`` holds ``B`` times each basis
    vector, so the projections cost no extra products with ``B``: one per step, for
    the new vector's norm."""

    def __init__(self, matvec, n: int, m: int, dtype, rng, B=None):
        self.matvec, self.n, self.m, self.dtype = matvec, n, m, _np.dtype(dtype)
        self.complex = self.dtype.kind == "c"
        self.V = lnp.zeros((m + 1, n), self.dtype)
        self.B = B
        self.BV = self.V if B is None else lnp.zeros((m + 1, n), self.dtype)
        self.T = _np.zeros((m, m), self.dtype)
        self.beta = 0.0  # the norm of the residual after the last basis vector
        self.eps = float(_np.finfo(self.dtype).eps)
        self.rng = rng

    def _project(self, w, j: int):
        """Coefficients ``V[:j]ᴴ B w`` (host) and ``w`` minus its projection, twice."""
        Vj, BVj = self.V[:j], self.BV[:j]
        h = _np.zeros(j, self.dtype)
        for _ in range(2):
            c = lnp.conj(BVj @ lnp.conj(w)) if self.complex else BVj @ w
            w = w - c @ Vj
            h += c.__array__()
        return h, w

    def _norm(self, w):
        """``(‖w‖_B, B w)``."""
        Bw = w if self.B is None else as_legate(self.B(w)).reshape(-1).astype(self.dtype, copy=False)
        return math.sqrt(max(float(lnp.vdot(w, Bw).real), 0.0)), Bw

    def _set(self, j: int, w, Bw, nrm: float) -> None:
        """Basis vector ``j``: ``w`` scaled to unit ``B``-norm."""
        self.V[j] = w * (1.0 / nrm)
        if self.B is not None:
            self.BV[j] = Bw * (1.0 / nrm)

    def _random_orthogonal(self, j: int) -> None:
        """Makes ``V[j]`` a unit vector orthogonal to ``V[:j]`` (to continue after an
        invariant subspace)."""
        for _ in range(3):
            x = self.rng.standard_normal(self.n)
            if self.complex:
                x = x + 1j * self.rng.standard_normal(self.n)
            _, w = self._project(as_legate(x.astype(self.dtype)), j)
            nrm, Bw = self._norm(w)
            if nrm > 0:
                self._set(j, w, Bw, nrm)
                return
        raise ArpackError(-9999, {-9999: "could not build an orthogonal start vector"})

    def _step(self, j: int):
        """``OP v_j`` orthogonalized against ``V[:j+1]``: its coefficients ``h`` (host),
        the rest ``w``, ``B w`` and ``beta = ‖w‖_B``, 0 when ``w`` is rounding error
        (an invariant subspace)."""
        w = as_legate(self.matvec(self.V[j])).reshape(-1).astype(self.dtype, copy=False)
        h, w = self._project(w, j + 1)
        beta, Bw = self._norm(w)
        scale = math.sqrt(float(_np.vdot(h, h).real) + beta * beta)
        return h, w, Bw, 0.0 if beta <= 10 * self.eps * scale else beta

    def _keep(self, Q: _np.ndarray) -> int:
        """Makes the basis ``V[:m]ᵀ Q`` followed by the residual direction; returns
        how many vectors it holds."""
        p = Q.shape[1]
        Qt = as_legate(_np.ascontiguousarray(Q.T))
        for X in (self.V, self.BV) if self.B is not None else (self.V,):
            X[:p] = Qt @ X[: self.m]
            X[p] = X[self.m]
        return p

    def start(self, v0):
        nrm, Bv = self._norm(v0)
        if nrm == 0:
            raise ValueError("v0 must not be the zero vector")
        self._set(0, v0, Bv, nrm)

    def expand(self, first: int) -> None:
        """Lanczos steps for basis vectors ``first .. m-1`` (``V[first]`` is set);
        afterwards ``V[m]`` is the unit residual direction and ``beta`` its size."""
        m = self.m
        for j in range(first, m):
            h, w, Bw, beta = self._step(j)
            self.T[: j + 1, j] = h
            self.T[j, : j + 1] = h.conj()
            self.T[j, j] = h[j].real
            if j + 1 < m:
                self.T[j + 1, j] = self.T[j, j + 1] = beta
            self.beta = beta
            if beta == 0.0:
                if j + 1 < m:
                    self._random_orthogonal(j + 1)
                # At j == m-1 the residual is zero: every Ritz pair is exact.
            else:
                self._set(j + 1, w, Bw, beta)

    def restart(self, Y: _np.ndarray, theta: _np.ndarray) -> int:
        """Keeps the Ritz vectors ``V[:m]ᵀ Y`` (columns of ``Y``) and the residual
        direction after them; returns how many vectors the basis now holds."""
        m = self.m
        p = self._keep(Y)
        T = _np.zeros((m, m), self.dtype)
        T[range(p), range(p)] = theta
        coupling = self.beta * Y[m - 1, :]
        T[p, :p] = coupling
        T[:p, p] = coupling.conj()
        self.T = T
        return p

    def lock(self, Y: _np.ndarray, theta: _np.ndarray) -> int:
        """Keeps the converged Ritz vectors ``V[:m]ᵀ Y`` (their residuals, below the
        tolerance, are dropped) and continues from a random orthogonal direction."""
        p = self.restart(Y, theta)
        self.T[p, :p] = 0
        self.T[:p, p] = 0
        self._random_orthogonal(p)
        return p

    def ritz(self):
        """The Ritz values and the eigenvectors of ``T``."""
        return _np.linalg.eigh(self.T)

    def residuals(self, Y: _np.ndarray) -> _np.ndarray:
        """The residual norms of the Ritz pairs of the columns of ``Y``."""
        return _np.abs(self.beta * Y[self.m - 1, :])

    def ritz_vectors(self, Y: _np.ndarray):
        """``V[:m]ᵀ Y`` as an ``(n, k)`` legate array."""
        return (as_legate(_np.ascontiguousarray(Y.T)) @ self.V[: self.m]).T.copy()


def _working_dtype(dtype) -> _np.dtype:
    dt = _np.dtype(dtype)
    if dt.kind in "biu":
        return _np.dtype(_np.float64)
    if dt.kind == "f" and dt.itemsize < 4:
        return _np.dtype(_np.float32)
    if dt not in (_np.float32, _np.float64, _np.complex64, _np.complex128):
        raise ValueError(f"eigsh: dtype {dt} is not supported")
    return dt


def _start_vector(v0, n, dt, gen, complex_: bool):
    """The first basis vector: ``v0`` checked, or drawn from ``gen``."""
    if v0 is None:
        x = gen.uniform(-1, 1, n)
        if complex_:
            x = x + 1j * gen.uniform(-1, 1, n)
        return as_legate(x.astype(dt))
    v0 = as_legate(v0).reshape(-1)
    if v0.shape[0] != n:
        raise ValueError(f"v0 has shape {v0.shape}; expected ({n},)")
    return v0.astype(dt)


def _tolerance(tol, dt):
    """``(eps, tol)``: ``tol`` 0 (or unset) means machine precision, as in ARPACK."""
    eps = float(_np.finfo(dt).eps)
    return eps, eps if not tol or tol <= 0 else float(tol)


def _ritz_bound(theta, wanted, tol, eps):
    """ARPACK's bound on the residuals of the ``wanted`` Ritz values, with a floor at
    the rounding error of the projected matrix (its entries are inner products,
    accurate to about eps * ‖A‖): below that a small eigenvalue's residual cannot fall."""
    anorm = float(_np.abs(theta).max()) if theta.size else 0.0
    return _np.maximum(tol * _np.maximum(eps ** (2.0 / 3.0), _np.abs(theta[wanted])), 8 * eps * anorm)


def _cycles(proc, k, rank, maxiter, tol, eps, no_convergence):
    """Restart cycles of a Krylov process ``proc`` (``_Lanczos`` or ``_Arnoldi``) until
    the ``k`` most wanted Ritz values (``rank`` orders them) converge; returns
    ``(theta, Y, wanted)``. When ``maxiter`` cycles run out first, calls
    ``no_convergence(theta, Y, converged)`` (which raises)."""
    m, n = proc.m, proc.n
    # How many Ritz vectors a restart keeps: the k wanted and some more, which
    # speeds up convergence (a thick restart); at least one new vector per cycle.
    keep = min(m - 1, k + max((m - k) // 2, 1))
    first = 0
    checked = None  # the wanted values when they last converged
    for cycle in range(1, maxiter + 1):
        proc.expand(first)
        theta, Y = proc.ritz()
        order = rank(theta)
        wanted = order[:k]
        bound = _ritz_bound(theta, wanted, tol, eps)
        ok = proc.residuals(Y[:, wanted]) <= bound
        if ok.all():
            # A Krylov space holds one direction per eigenspace: a second copy of a
            # multiple eigenvalue shows up only through rounding. So once the wanted
            # values converge, they are locked and the process goes on from a new
            # random direction orthogonal to them; it ends when that finds nothing
            # more wanted (or the basis spans the whole space).
            values = _np.sort(theta[wanted])
            same = checked is not None and _np.allclose(values, checked, rtol=100 * tol, atol=100 * float(bound.max()))
            if same or cycle == maxiter or m == n:
                return theta, Y, wanted, bound
            checked = values
            first = proc.lock(Y[:, wanted], theta[wanted])
            continue
        if cycle == maxiter:
            no_convergence(theta, Y, wanted[ok], f"No convergence ({cycle} iterations, {int(ok.sum())}/{k} eigenvectors converged)")
        kept = order[:keep]
        first = proc.restart(Y[:, kept], theta[kept])
    raise AssertionError("unreachable")  # pragma: no cover


def _lanczos_eigsh(matvec, n, dt, k, which, v0, ncv, maxiter, tol, return_eigenvectors, rng, B=None):
    """``k`` eigenpairs of ``matvec`` (Hermitian in the ``B`` inner product) by a
    thick-restart Lanczos process; values in SciPy's order."""
    real_dt = _np.dtype(dt.char.lower()) if dt.kind == "c" else dt
    gen = _np.random.default_rng(rng if rng is not None else 0)
    lz = _Lanczos(matvec, n, ncv, dt, gen, B)
    lz.start(_start_vector(v0, n, dt, gen, dt.kind == "c"))
    eps, tol = _tolerance(tol, dt)

    def no_convergence(theta, Y, got, msg):
        got = got[_output_order(theta[got], which, True)]
        vecs = lz.ritz_vectors(Y[:, got]) if return_eigenvectors else None
        raise ArpackNoConvergence(msg, as_legate(theta[got].astype(real_dt)), vecs)

    theta, Y, wanted, _ = _cycles(lz, k, lambda t: _rank(t, which), maxiter, tol, eps, no_convergence)
    sel = wanted[_output_order(theta[wanted], which, return_eigenvectors)]
    w = as_legate(theta[sel].astype(real_dt))
    if not return_eigenvectors:
        return w
    return w, lz.ritz_vectors(Y[:, sel])


# ---- the public functions ----


def _is_dense(A) -> bool:
    return isinstance(A, (lnp.ndarray, _np.ndarray))


def _as_operand(A):
    """A legate sparse array, a legate array or an operator (SciPy sparse and NumPy
    inputs are converted once)."""
    if isinstance(A, (_spbase, LinearOperator, lnp.ndarray)):
        return A
    import scipy.sparse as _sp

    if _sp.issparse(A):
        from .._base import _from_scipy_sparse

        return _from_scipy_sparse(A.tocsr() if A.format not in ("csr", "csc", "coo", "dia") else A)
    if hasattr(A, "shape") and hasattr(A, "matvec"):
        return A
    return as_legate(A)


def _m_operand(M, op):
    """``(M, M's operator)`` checked against ``A``'s operator ``op`` as SciPy does
    (``(None, None)`` without ``M``)."""
    if M is None:
        return None, None
    M = _as_operand(M)
    Mop = aslinearoperator(M)
    if Mop.shape != op.shape:
        raise ValueError(f"wrong M dimensions {Mop.shape}, should be {op.shape}")
    if _np.dtype(Mop.dtype).char.lower() != _np.dtype(op.dtype).char.lower():
        warnings.warn("M does not have the same type precision as A. This may adversely affect ARPACK convergence",
                      stacklevel=3)
    return M, Mop


def _scipy_operator(A):
    """``A`` in a form SciPy's functions take (for the fallback)."""
    if isinstance(A, LinearOperator):
        import scipy.sparse.linalg as _spla

        def mv(x):
            return _np.asarray(A.matvec(as_legate(_np.asarray(x))).__array__())

        def rmv(x):
            return _np.asarray(A.rmatvec(as_legate(_np.asarray(x))).__array__())

        return _spla.LinearOperator(A.shape, matvec=mv, rmatvec=rmv, dtype=A.dtype)
    return A


_MODES = ("normal", "buckling", "cayley")


def eigsh(A, k=6, M=None, sigma=None, which="LM", v0=None, ncv=None, maxiter=None, tol=0,
          return_eigenvectors=True, Minv=None, OPinv=None, mode="normal", rng=None):
    """``k`` eigenvalues (and eigenvectors) of a real symmetric or complex Hermitian
    ``A`` (a sparse array, a dense array or a ``LinearOperator``), as SciPy's ``eigsh``;
    with ``M``, of the generalized problem ``A x = lambda M x``.

    Runs a thick-restart Lanczos process with full reorthogonalization on legate
    vectors (the ``ncv x ncv`` projected problem is solved on the host). ``which`` is
    one of ``'LM'``, ``'SM'``, ``'LA'``, ``'SA'``, ``'BE'``; ``maxiter`` counts restart
    cycles; ``tol`` is the relative accuracy of the Ritz values (0: machine
    precision). Returns ``(w, v)`` with ``w`` ascending (a 1-d legate array of the real
    dtype) and ``v`` an ``(n, k)`` legate array, or ``w`` alone (in ARPACK's order,
    from the least to the most wanted) when ``return_eigenvectors`` is false. Raises
    ``ArpackNoConvergence`` (carrying the converged pairs) when ``maxiter`` runs out.

    The other modes are ARPACK's, run natively: Lanczos on an operator ``OP`` that is
    Hermitian in the inner product ``<x, y> = xᴴ B y``, its basis ``B``-orthonormal
    (so are the eigenvectors returned, as ARPACK's):

    - ``M`` without ``sigma`` (mode 2, ``M`` Hermitian positive definite):
      ``OP = M⁻¹ A``, ``B = M``; ``which`` picks among the ``lambda``.
    - ``sigma``, ``mode='normal'`` (shift-invert): ``OP = (A - sigma M)⁻¹ M``,
      ``B = M`` (the identity without ``M``), ``lambda = sigma + 1 / nu``.
    - ``mode='buckling'`` (``A`` positive definite): ``OP = (A - sigma M)⁻¹ A``,
      ``B = A``, ``lambda = sigma nu / (nu - 1)``.
    - ``mode='cayley'``: ``OP = (A - sigma M)⁻¹ (A + sigma M)``, ``B = M``,
      ``lambda = sigma (nu + 1) / (nu - 1)``.

    With ``sigma``, ``which`` applies to ``OP``'s eigenvalues ``nu`` (``'LM'``: the
    ``lambda`` nearest ``sigma``) and the ``lambda`` come back ascending. ``M⁻¹`` is
    ``Minv`` and ``(A - sigma M)⁻¹`` is ``OPinv`` when given; otherwise, for sparse or
    dense operands, solves with the sparse LU factors of the matrix (``splu``, as
    SciPy's SuperLU), and for ``LinearOperator`` operands GMRES solves (restarted every
    100 steps) to near machine precision.
    """
    A = _as_operand(A)
    dense = _is_dense(A)
    op = aslinearoperator(A)
    is_complex = _np.dtype(op.dtype).kind == "c"
    if is_complex and mode != "normal":
        raise ValueError(f"mode={mode} cannot be used with complex matrix A")
    if which == "BE" and is_complex:
        raise ValueError("which='BE' cannot be used with complex matrix A")
    if op.shape[0] != op.shape[1]:
        raise ValueError(f"expected square matrix (shape={op.shape})")
    n = op.shape[0]
    M, Mop = _m_operand(M, op)
    k = int(k)
    if k <= 0:
        raise ValueError("k must be greater than 0.")
    if is_complex and k >= n - 1 and k < n:
        # SciPy's complex path (eigs) needs k < n - 1 and refuses sparse input beyond.
        warnings.warn("k >= N - 1 for N * N square matrix. Attempting to use scipy.linalg.eig instead.",
                      RuntimeWarning, stacklevel=2)
        if not dense:
            raise TypeError("Cannot use scipy.linalg.eig for sparse A with k >= N - 1. "
                            "Use scipy.linalg.eig(A.toarray()) or reduce k.")
        return _dense_eigh(A, M, return_eigenvectors)
    if k >= n:
        warnings.warn("k >= N for N * N square matrix. Attempting to use scipy.linalg.eigh instead.",
                      RuntimeWarning, stacklevel=2)
        if isinstance(A, _spbase):
            raise TypeError("Cannot use scipy.linalg.eigh for sparse A with k >= N. Use scipy.linalg.eigh(A.toarray()) or reduce k.")
        if not dense:
            raise TypeError("Cannot use scipy.linalg.eigh for LinearOperator A with k >= N.")
        if M is not None and not (_is_dense(M) or isinstance(M, _spbase)):
            raise TypeError("Cannot use scipy.linalg.eigh for LinearOperator M with k >= N.")
        return _dense_eigh(as_legate(A), M, return_eigenvectors)
    if sigma is None:
        if OPinv is not None:
            raise ValueError("OPinv should not be specified with sigma = None.")
        if M is None and Minv is not None:
            raise ValueError("Minv should not be specified with M = None.")
    else:
        if Minv is not None:
            raise ValueError("Minv should not be specified when sigma is specified.")
        if mode not in _MODES:
            raise ValueError(f"unrecognized mode '{mode}'")
        if _np.iscomplexobj(sigma) and _np.imag(sigma) != 0 and not is_complex:
            raise ValueError("sigma must be real for a real matrix")
    if which not in _WHICH:
        raise ValueError("which must be one of LM SM LA SA BE")
    if which == "BE" and k == 1:
        from scipy.sparse.linalg import ArpackError  # ARPACK's refusal, as SciPy raises it

        raise ArpackError(-13, {-13: "NEV and WHICH = 'BE' are incompatible."})
    if ncv is None:
        ncv = min(n, max(2 * k + 1, 20))
    ncv = min(int(ncv), n)
    if is_complex and ncv <= k + 1:
        raise ValueError(f"ncv must be k+1<ncv<=n, ncv={ncv}")
    if ncv <= k:
        raise ValueError(f"ncv must be k<ncv<=n, ncv={ncv}")
    maxiter = n * 10 if maxiter is None else int(maxiter)
    if maxiter <= 0:
        raise ValueError("maxiter must be positive, maxiter=%d" % maxiter)
    dt = _working_dtype(op.dtype if Mop is None else _np.result_type(op.dtype, Mop.dtype))
    if sigma is None and M is None:
        return _lanczos_eigsh(op.matvec, n, dt, k, which, v0, ncv, maxiter, tol, return_eigenvectors, rng)
    if sigma is not None:
        dt = _np.result_type(dt, _np.asarray(sigma).dtype)
    matvec, B, back = _spectral_transform(A, op, M, Mop, sigma, mode, Minv, OPinv, dt)
    res = _lanczos_eigsh(matvec, n, dt, k, which, v0, ncv, maxiter, tol, return_eigenvectors, rng, B)
    if back is None:
        return res
    nu, vecs = res if return_eigenvectors else (res, None)
    nu_host = _np.asarray(nu.__array__())
    lam = back(nu_host)
    lam = lam.real if _np.isrealobj(sigma) or _np.imag(sigma) == 0 else lam
    order = _np.argsort(lam, kind="stable")
    w = as_legate(lam[order].astype(nu_host.dtype))
    if not return_eigenvectors:
        return w
    return w, vecs[:, as_legate(order)]


def _spectral_transform(A, op, M, Mop, sigma, mode, Minv, OPinv, dt):
    """``(matvec, B, back)`` for ``eigsh``'s modes (see there): ``OP``'s product, the
    inner product's ``B`` (``None``: the identity) and the map from ``OP``'s
    eigenvalues back to the problem's (``None``: the same)."""
    n = op.shape[0]
    Mv = None if Mop is None else Mop.matvec
    if sigma is None:  # mode 2: M⁻¹ A in the M inner product
        inv = _inverse(Minv, M, None, 0, dt, n, "M")
        return (lambda x: inv(op.matvec(x))), Mv, None
    inv = _inverse(OPinv, A, M, sigma, dt, n, "A - sigma M" if M is not None else "A - sigma I")
    if mode == "normal":
        return (inv if Mv is None else lambda x: inv(Mv(x))), Mv, lambda nu: sigma + 1.0 / nu
    if mode == "buckling":
        return (lambda x: inv(op.matvec(x))), op.matvec, lambda nu: sigma * nu / (nu - 1.0)
    return ((lambda x: inv(op.matvec(x) + sigma * (x if Mv is None else Mv(x)))), Mv,
            lambda nu: sigma * (nu + 1.0) / (nu - 1.0))


def _inverse(given, A, M, sigma, dt, n, what):
    """``x -> (A - sigma M)⁻¹ x`` (``M`` the identity when ``None``): ``given`` (an
    operator) when set; solves with the sparse LU factors of ``A - sigma M`` when
    ``A`` and ``M`` are sparse or dense arrays (as SciPy's ``splu``); GMRES solves for
    operators."""
    from ._dsolve import _factor
    from ._isolve import gmres

    if given is not None:
        inv = aslinearoperator(_as_operand(given))
        if inv.shape != (n, n):
            raise ValueError(f"the inverse operator has shape {inv.shape}, A has {(n, n)}")
        return inv.matvec
    if all(X is None or isinstance(X, _spbase) or _is_dense(X) for X in (A, M)):
        from .._csr import csr_array
        from .._construct import identity

        def sparse(X):
            return csr_array(X if isinstance(X, _spbase) else as_legate(X)).astype(dt)

        shifted = sparse(A)
        if sigma != 0:
            shifted = shifted - sigma * (identity(n, dtype=dt, format="csr") if M is None else sparse(M))
        try:
            lu = _factor(shifted.tocsr(), dt, "csr", "")
        except RuntimeError as e:
            raise RuntimeError(f"Factor is exactly singular ({what} is singular for sigma={sigma})") from e

        def matvec(x):
            return lu.solve(x.astype(dt, copy=False))

        return matvec
    Aop = aslinearoperator(A)
    Mv = (lambda x: x) if M is None else aslinearoperator(M).matvec
    shifted_op = Aop if sigma == 0 else LinearOperator((n, n), matvec=lambda x: Aop.matvec(x) - sigma * Mv(x), dtype=dt)
    inner = _np.finfo(dt).eps ** 0.75
    # A long restart: GMRES(20) stagnates on shifted non-symmetric matrices.
    restart = min(n, 100)

    def solve(x):
        y, info = gmres(shifted_op, x, rtol=inner, atol=0.0, restart=restart)
        if info != 0:
            raise RuntimeError(f"GMRES did not converge solving ({what}) x = b (info={info})")
        return y

    return solve


def _dense_eigh(A, M, return_eigenvectors):
    """All eigenpairs of a small dense Hermitian matrix, or of the pencil ``(A, M)``
    (SciPy's ``k >= n`` path)."""
    import scipy.linalg as _sla

    host = _np.asarray(A.__array__())
    dt = _working_dtype(host.dtype)
    b = None
    if M is not None:
        b = _np.asarray((M.toarray() if isinstance(M, _spbase) else as_legate(M)).__array__())
        dt = _np.result_type(dt, _working_dtype(b.dtype))
        b = b.astype(dt)
    w, v = _sla.eigh(host.astype(dt), b=b)
    if not return_eigenvectors:
        return as_legate(w)
    return as_legate(w), as_legate(v)


def svds(A, k=6, ncv=None, tol=0, which="LM", v0=None, maxiter=None, return_singular_vectors=True,
         solver="arpack", rng=None, options=None, *, random_state=None):
    """``k`` singular values (and vectors) of ``A`` (sparse, dense or an operator with
    ``rmatvec``), as SciPy's ``svds`` with ``solver='arpack'``: ``eigsh`` on ``AᴴA`` (or
    ``AAᴴ`` when ``A`` is wide), then ``s = ‖A v‖`` and ``u = A v / s``.

    Returns ``(u, s, vh)`` with ``s`` ascending, or ``s`` when
    ``return_singular_vectors`` is false (``'u'``/``'vh'`` return only that factor,
    the other is ``None``). Other solvers (``'lobpcg'``, ``'propack'``) run in SciPy.
    """
    if solver not in ("arpack", None):
        import scipy.sparse.linalg as _spla

        if solver not in ("lobpcg", "propack"):
            raise ValueError("solver must be one of {'arpack', 'lobpcg', 'propack'}.")
        return _fallback.call(f"linalg.svds (solver={solver!r})", _spla.svds, (_scipy_operator(A), k),
                              dict(ncv=ncv, tol=tol, which=which, v0=v0, maxiter=maxiter,
                                   return_singular_vectors=return_singular_vectors, solver=solver,
                                   rng=rng, options=options))
    A = _as_operand(A)
    if _is_dense(A) and A.ndim != 2:
        raise ValueError("array must be 2-d")
    op = aslinearoperator(A)
    m, n = op.shape
    if not _np.issubdtype(op.dtype, _np.number):
        raise ValueError("`A` must be of numeric data type.")
    if which not in ("LM", "SM"):
        raise ValueError("`which` must be in {'SM', 'LM'}.")
    if return_singular_vectors not in (True, False, "u", "vh"):
        raise ValueError("`return_singular_vectors` must be either True, False, 'u', or 'vh'.")
    if isinstance(k, bool) or not isinstance(k, (int, _np.integer)) or not 0 < k < min(m, n):
        raise ValueError("`k` must be an integer satisfying `0 < k < min(A.shape)`.")
    dt = _working_dtype(op.dtype)
    real_dt = _np.dtype(dt.char.lower()) if dt.kind == "c" else dt
    # The Gram operator of the smaller side: its eigenvectors are right (tall A) or
    # left (wide A) singular vectors.
    tall = m >= n
    if tall:
        gram = LinearOperator((n, n), matvec=lambda x: op.rmatvec(op.matvec(x)), dtype=dt)
    else:
        gram = LinearOperator((m, m), matvec=lambda x: op.matvec(op.rmatvec(x)), dtype=dt)
    if ncv is None:
        ncv = min(gram.shape[0], max(2 * k + 1, 20))
    seed = rng if rng is not None else random_state
    ev, X = eigsh(gram, k=k, which=which, v0=v0, ncv=ncv, maxiter=maxiter, tol=tol, rng=seed)
    X = X.astype(dt, copy=False)
    # The other side: A v (or Aᴴ u) column by column; s is its norm (accurate to the
    # square of the eigenvector error, unlike sqrt of the Gram eigenvalue).
    other = op.matmat(X) if tall else _adjoint_matmat(op, X)
    s = lnp.sqrt(lnp.sum((lnp.conj(other) * other).real, axis=0))
    s_host = _np.asarray(s.__array__(), dtype=real_dt)
    order = _np.argsort(s_host, kind="stable")
    s_host = s_host[order]
    X = X[:, as_legate(order)]
    other = other[:, as_legate(order)]
    s = as_legate(s_host)
    if return_singular_vectors is False:
        return s
    want_u = return_singular_vectors in (True, "u")
    want_vh = return_singular_vectors in (True, "vh")
    Y = _normalized_columns(other, s_host, dt)
    u, v = (Y, X) if tall else (X, Y)
    return (u if want_u else None), s, (lnp.conj(v.T).copy() if want_vh else None)


def _adjoint_matmat(op, X):
    cols = [op.rmatvec(X[:, j]).reshape(-1, 1) for j in range(X.shape[1])]
    return lnp.hstack(cols)


def _normalized_columns(Y, s_host, dt):
    """``Y / s`` column by column; a column whose ``s`` is (numerically) zero carries no
    direction, and becomes a unit vector orthogonal to the others."""
    smax = float(s_host.max()) if s_host.size else 0.0
    tiny = _np.finfo(dt).eps * max(smax, 1.0) * max(Y.shape)
    scale = _np.where(s_host > tiny, 1.0 / _np.where(s_host > tiny, s_host, 1.0), 0.0).astype(dt)
    Y = Y * as_legate(scale).reshape(1, -1)
    zero = _np.nonzero(s_host <= tiny)[0]
    if zero.size:
        gen = _np.random.default_rng(0)
        good = [j for j in range(Y.shape[1]) if j not in set(zero.tolist())]
        basis = [Y[:, j] for j in good]
        cols = {}
        for j in zero.tolist():
            x = gen.standard_normal(Y.shape[0]).astype(dt)
            w = as_legate(x)
            for _ in range(2):
                for b in basis:
                    w = w - lnp.vdot(b, w) * b
            w = w * (1.0 / math.sqrt(float(lnp.vdot(w, w).real)))
            basis.append(w)
            cols[j] = w
        Y = lnp.hstack([(cols[j] if j in cols else Y[:, j]).reshape(-1, 1) for j in range(Y.shape[1])])
    return Y
