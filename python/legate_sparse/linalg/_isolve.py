"""Krylov solvers: ``cg``, ``bicgstab``, ``gmres``, ``minres`` with SciPy's signatures.

Each returns ``(x, info)``: ``info == 0`` on convergence, the iteration count when
``maxiter`` ran out, negative on breakdown. The loops keep every vector a
legate_numeric array; the only values read on the host are scalars (residual norms
for the convergence test, and the small Hessenberg/rotation scalars of GMRES and
MINRES). CG keeps its step lengths as 0-d arrays, so one scalar (the residual norm)
is read per iteration.
"""

from __future__ import annotations

import math

import numpy as _np

import legate_numeric as lnp

from .._sputils import as_legate
from ._interface import IdentityOperator, _MatrixOperator, aslinearoperator

__all__ = ["cg", "bicgstab", "gmres", "minres"]


def _setup(A, b, x0, M, name):
    """Operators, the right-hand side, the initial guess and the working dtype."""
    A = aslinearoperator(A)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"expected square matrix, but got shape={A.shape}")
    n = A.shape[0]
    b = as_legate(b)
    if b.shape not in ((n,), (n, 1)):
        raise ValueError(f"shapes of A {A.shape} and b {b.shape} are incompatible")
    b = b.reshape(-1)
    dt = _np.result_type(A.dtype, b.dtype, _np.float64 if b.dtype.kind in "biu" else b.dtype)
    if dt.kind not in "fc":
        raise NotImplementedError(f"{name}: dtype {dt} is not supported (float32/64, complex64/128)")
    if dt == _np.float16:
        dt = _np.dtype(_np.float32)
    b = b.astype(dt, copy=False)
    if x0 is None:
        x = lnp.zeros(n, dt)
        fresh = True
    else:
        x0 = as_legate(x0)
        if x0.shape not in ((n,), (n, 1)):
            raise ValueError(f"shapes of A {A.shape} and x0 {x0.shape} are incompatible")
        x = x0.reshape(-1).astype(dt)  # a copy: the caller's x0 is not changed
        fresh = False
    if M is None:
        M = IdentityOperator((n, n), dtype=dt)
    else:
        M = aslinearoperator(M)
        if M.shape != A.shape:
            raise ValueError(f"matrix and preconditioner have different shapes {A.shape} and {M.shape}")
    return A, M, b, x, fresh, dt


def _norm(v) -> float:
    """The 2-norm of ``v``, read on the host (a scalar)."""
    return math.sqrt(float(_dot(v, v).real)) if v.dtype.kind == "c" else math.sqrt(float(lnp.dot(v, v)))


def _dot(u, v):
    """``u^H v`` as a 0-d legate array."""
    return lnp.vdot(u, v)


def _limits(n, b, rtol, atol, maxiter):
    """``(bnrm2, atol, maxiter)`` as SciPy sets them; ``bnrm2 == 0`` (checked first,
    as SciPy does) means ``b`` is the solution."""
    bnrm2 = _norm(b)
    if bnrm2 == 0:
        return bnrm2, atol, maxiter
    if atol is None or (isinstance(atol, str)):
        raise ValueError("atol must be a number")
    return bnrm2, max(float(atol), float(rtol) * float(bnrm2)), n * 10 if maxiter is None else int(maxiter)


def _project(basis, w, complex_):
    """The coefficients ``basis^H w`` of ``w`` on the rows of ``basis``. For complex
    data this conjugates ``w`` (a vector), not the basis (a copy of every row each step):
    ``conj(B @ conj(w))`` is the same arithmetic as ``conj(B) @ w``."""
    return (basis @ w.conj()).conj() if complex_ else basis @ w


def _apply(op, v):
    return v if isinstance(op, IdentityOperator) else op.matvec(v)


def cg(A, b, x0=None, *, rtol=1e-5, atol=0.0, maxiter=None, M=None, callback=None):
    """Conjugate gradients for Hermitian positive definite ``A`` (SciPy's algorithm).

    An iteration is one SpMV, two inner products (one without a preconditioner: then
    ``z`` is ``r`` and ``r·r`` is both ``rho`` and the squared residual norm), three
    vector updates and one scalar read (the residual norm). ``p`` is a new array each
    iteration: updating it in place measured no faster (its readers must finish first).

    When ``A`` and ``M`` are matrices (products without side effects), the next
    direction and its product are launched before the residual norm is read: the
    processors compute them while this thread waits for the norm and then launches the
    updates, so the pipeline does not drain at the read. If the norm says converged
    they are dropped (one product more than SciPy in the whole solve; same results).

    Fewer passes over the vectors: for a CSR matrix the SpMV also computes ``p·q``;
    ``r·r`` is summed in the pass of ``r -= alpha q`` (legate_numeric fuses a dot at
    the end of an elementwise window); and without a callback (which must see ``x``
    each iteration) ``x += alpha p`` joins the next direction's pass, so the residual
    update reads only ``r`` and ``q``."""
    A, M, b, x, fresh, dt = _setup(A, b, x0, M, "cg")
    n = A.shape[0]
    bnrm2, atol, maxiter = _limits(n, b, rtol, atol, maxiter)
    if bnrm2 == 0:
        return b.copy(), 0
    r = b.copy() if fresh else b - A.matvec(x)
    plain = isinstance(M, IdentityOperator)
    ahead = isinstance(A, _MatrixOperator) and (plain or isinstance(M, _MatrixOperator))
    rho_prev = p = pending = None  # pending: a step whose x update is not launched yet
    for iteration in range(maxiter):
        rr = _dot(r, r)  # launched before the step's work, so the read waits for it alone
        if ahead:
            rho_cur, p_next, q, pq = _cg_direction(A, M, r, p, rr if plain else None, rho_prev, dt, x, pending)
            pending = None
        elif pending is not None:
            x += pending * p
            pending = None
        if math.sqrt(float(rr.real)) < atol:
            return x, 0
        if not ahead:
            rho_cur, p_next, q, pq = _cg_direction(A, M, r, p, rr if plain else None, rho_prev, dt)
        p = p_next
        alpha = (rho_cur / pq).astype(dt, copy=False)
        if callback is None:
            pending = alpha
        else:
            x += alpha * p
        r -= alpha * q
        rho_prev = rho_cur
        if callback is not None:
            callback(x)
    if pending is not None:
        x += pending * p
    return x, maxiter


def _cg_direction(A, M, r, p, rho, rho_prev, dt, x=None, step=None):
    """CG's ``(rho, p, A p, p·A p)`` for residual ``r``: ``rho = r·M r`` (given, or
    computed here when None), the new direction ``p`` (``M r`` in the first iteration),
    its product and their inner product, all legate arrays (nothing is read on the
    host). With ``step``, the previous direction's ``x += step * p`` is launched just
    before the new direction, so one pass computes both."""
    z = _apply(M, r)
    if rho is None:
        rho = _dot(r, z)
    if p is None:
        p = z.copy()
    else:
        beta = (rho / rho_prev).astype(dt, copy=False)
        if step is not None:
            x += step * p
        p = p * beta + z
    matvec_dot = getattr(A, "_matvec_dot", None)
    both = None if matvec_dot is None else matvec_dot(p)
    if both is None:
        q = A.matvec(p)
        return rho, p, q, _dot(p, q)
    return (rho, p) + both


def bicgstab(A, b, x0=None, *, rtol=1e-5, atol=0.0, maxiter=None, M=None, callback=None):
    """BiCGSTAB for general square ``A`` (SciPy's algorithm and breakdown codes)."""
    A, M, b, x, fresh, dt = _setup(A, b, x0, M, "bicgstab")
    n = A.shape[0]
    bnrm2, atol, maxiter = _limits(n, b, rtol, atol, maxiter)
    if bnrm2 == 0:
        return b.copy(), 0
    eps = _np.finfo(dt).eps
    rhotol = omegatol = eps**2
    r = b.copy() if fresh else b - A.matvec(x)
    rtilde = r.copy()
    rho_prev = omega = alpha = p = v = None
    for iteration in range(maxiter):
        if _norm(r) < atol:
            return x, 0
        rho = complex(_dot(rtilde, r)) if dt.kind == "c" else float(_dot(rtilde, r))
        if abs(rho) < rhotol:
            return x, -10
        if iteration > 0:
            if abs(omega) < omegatol:
                return x, -11
            beta = (rho / rho_prev) * (alpha / omega)
            p = (p - omega * v) * beta + r
        else:
            p = r.copy()
        phat = _apply(M, p)
        v = A.matvec(phat)
        rv = complex(_dot(rtilde, v)) if dt.kind == "c" else float(_dot(rtilde, v))
        if rv == 0:
            return x, -11
        alpha = rho / rv
        r = r - alpha * v
        if _norm(r) < atol:
            x += alpha * phat
            return x, 0
        shat = _apply(M, r)
        t = A.matvec(shat)
        tt = float(_dot(t, t).real)
        ts = _dot(t, r)
        omega = (complex(ts) if dt.kind == "c" else float(ts)) / tt if tt != 0 else 0.0
        x += alpha * phat
        x += omega * shat
        r = r - omega * t
        rho_prev = rho
        if callback is not None:
            callback(x)
    return x, maxiter


def _lartg(f, g):
    """A plane rotation ``(c, s, r)`` with ``[c s; -conj(s) c] [f; g] = [r; 0]``."""
    if g == 0:
        return 1.0, 0.0, f
    if f == 0:
        return 0.0, 1.0, g
    d = math.hypot(abs(f), abs(g))
    c = abs(f) / d
    alpha = f / abs(f)
    s = alpha * _np.conj(g) / d
    return c, s, alpha * d


def gmres(A, b, x0=None, *, rtol=1e-5, atol=0.0, restart=None, maxiter=None, M=None, callback=None, callback_type=None):
    """Restarted GMRES with left preconditioning (SciPy's algorithm): ``maxiter`` counts
    restart cycles, ``restart`` (default 20) is the Krylov dimension per cycle."""
    A, M, b, x, fresh, dt = _setup(A, b, x0, M, "gmres")
    n = A.shape[0]
    if callback is not None and callback_type is None:
        callback_type = "legacy"
    if callback_type not in (None, "x", "pr_norm", "legacy"):
        raise ValueError(f"Unknown callback_type: {callback_type!r}")
    bnrm2, atol, maxiter = _limits(n, b, rtol, atol, maxiter)
    if bnrm2 == 0:
        return b.copy(), 0
    restart = 20 if restart is None else int(restart)
    restart = max(1, min(restart, n))
    eps = _np.finfo(dt).eps
    ptol_max_factor = 1.0
    # The inner iterations estimate the preconditioned residual: their tolerance is
    # scaled by ||M b||, as SciPy's.
    ptol = _norm(_apply(M, b)) * min(ptol_max_factor, atol / bnrm2)
    complex_ = dt.kind == "c"
    presid = 0.0
    inner_iter = 0
    r = b.copy() if fresh else b - A.matvec(x)
    rnorm = _norm(r)
    if rnorm < atol:
        return x, 0
    for iteration in range(maxiter):
        if iteration > 0:
            r = b - A.matvec(x)
        v0 = _apply(M, r)
        tmp = _norm(v0)
        # The Krylov basis, one row per vector, so that Gram-Schmidt against all of it
        # is a matrix-vector product.
        V = lnp.empty((restart + 1, n), dtype=dt)
        V[0] = v0 * (1.0 / tmp)
        S = _np.zeros(restart + 1, dtype=complex if complex_ else float)
        S[0] = tmp
        H = _np.zeros((restart, restart + 1), dtype=complex if complex_ else float)
        givens = _np.zeros((restart, 2), dtype=complex if complex_ else float)
        breakdown = False
        col = 0
        for col in range(restart):
            w = _apply(M, A.matvec(V[col]))
            # Classical Gram-Schmidt twice ("CGS2"): as accurate as SciPy's modified
            # Gram-Schmidt, with one read per step instead of one per basis vector.
            basis = V[: col + 1]
            h = _project(basis, w, complex_)
            w = w - h @ basis
            h2 = _project(basis, w, complex_)
            w = w - h2 @ basis
            # The coefficients and ||w||^2 come back in one read.
            read = _np.asarray(lnp.concatenate((h + h2, lnp.vdot(w, w).reshape(1))))
            hk = read[:-1]
            H[col, : col + 1] = hk
            h1 = math.sqrt(float(read[-1].real))
            # ||w|| before the projection, by Pythagoras: no third read.
            h0 = math.sqrt(h1 * h1 + float(_np.vdot(hk, hk).real))
            H[col, col + 1] = h1
            if h1 <= eps * h0:
                H[col, col + 1] = 0
                breakdown = True
                V[col + 1] = w
            else:
                lnp.multiply(w, 1.0 / h1, out=V[col + 1])
            for k in range(col):
                c, s = givens[k, 0], givens[k, 1]
                n0, n1 = H[col, k], H[col, k + 1]
                H[col, k], H[col, k + 1] = c * n0 + s * n1, -_np.conj(s) * n0 + c * n1
            c, s, mag = _lartg(H[col, col], H[col, col + 1])
            givens[col, 0], givens[col, 1] = c, s
            H[col, col], H[col, col + 1] = mag, 0
            tmp = -_np.conj(s) * S[col]
            S[col], S[col + 1] = c * S[col], tmp
            presid = abs(tmp)
            inner_iter += 1
            if callback_type in ("legacy", "pr_norm"):
                callback(presid / bnrm2)
            if callback_type == "legacy" and inner_iter == maxiter:
                break
            if presid <= ptol or breakdown:
                break
        if H[col, col] == 0:
            S[col] = 0
        y = _np.array(S[: col + 1])
        for k in range(col, 0, -1):
            if y[k] != 0:
                y[k] /= H[k, k]
                y[:k] -= y[k] * H[k, :k]
        if y[0] != 0:
            y[0] /= H[0, 0]
        x += lnp.asarray(y.astype(dt)) @ V[: col + 1]
        r = b - A.matvec(x)
        rnorm = _norm(r)
        if callback_type == "legacy" and inner_iter == maxiter:
            break
        if callback_type == "x":
            callback(x)
        if rnorm <= atol:
            break
        elif breakdown:
            break
        elif presid <= ptol:
            # The inner test passed but the true residual did not: ask more of it.
            ptol_max_factor = max(eps, 0.25 * ptol_max_factor)
        else:
            ptol_max_factor = min(1.0, 1.5 * ptol_max_factor)
        ptol = presid * min(ptol_max_factor, atol / rnorm)
    # As SciPy's: converged or not by the true residual, also after a breakdown (an
    # exhausted Krylov space with an unreachable tolerance is not convergence).
    return x, 0 if rnorm <= atol else maxiter


def minres(A, b, x0=None, *, rtol=1e-5, shift=0.0, maxiter=None, M=None, callback=None, show=False, check=False):
    """MINRES for symmetric (Hermitian) ``A - shift*I`` (Paige and Saunders, as SciPy)."""
    A, M, b, x, fresh, dt = _setup(A, b, x0, M, "minres")
    n = A.shape[0]
    maxiter = 5 * n if maxiter is None else int(maxiter)
    eps = _np.finfo(dt).eps
    r1 = b.copy() if fresh else b - A.matvec(x)
    y = _apply(M, r1)
    beta1 = float(_dot(r1, y).real)
    if beta1 < 0:
        raise ValueError("indefinite preconditioner")
    if beta1 == 0:
        return x, 0
    bnorm = _norm(b)
    if bnorm == 0:
        return b.copy(), 0
    beta1 = math.sqrt(beta1)
    istop = itn = 0
    oldb, beta, dbar, epsln = 0.0, beta1, 0.0, 0.0
    phibar, rhs1, rhs2 = beta1, beta1, 0.0
    tnorm2, gmax, gmin = 0.0, 0.0, _np.finfo(dt).max
    cs, sn = -1.0, 0.0
    w = lnp.zeros(n, dt)
    w2 = lnp.zeros(n, dt)
    r2 = r1
    while itn < maxiter:
        itn += 1
        v = y * (1.0 / beta)
        y = A.matvec(v)
        if shift != 0:
            y = y - shift * v
        if itn >= 2:
            y = y - (beta / oldb) * r1
        alfa = float(_dot(v, y).real)
        y = y - (alfa / beta) * r2
        r1, r2 = r2, y
        y = _apply(M, r2)
        oldb = beta
        beta = float(_dot(r2, y).real)
        if beta < 0:
            raise ValueError("non-symmetric matrix")
        beta = math.sqrt(beta)
        tnorm2 += alfa**2 + oldb**2 + beta**2
        if itn == 1 and beta / beta1 <= 10 * eps:
            istop = -1
        oldeps = epsln
        delta = cs * dbar + sn * alfa
        gbar = sn * dbar - cs * alfa
        epsln = sn * beta
        dbar = -cs * beta
        root = math.hypot(gbar, dbar)
        gamma = max(math.hypot(gbar, beta), eps)
        cs, sn = gbar / gamma, beta / gamma
        phi = cs * phibar
        phibar = sn * phibar
        w1, w2 = w2, w
        w = (v - oldeps * w1 - delta * w2) * (1.0 / gamma)
        x = x + phi * w
        gmax, gmin = max(gmax, gamma), min(gmin, gamma)
        z = rhs1 / gamma
        rhs1 = rhs2 - delta * z
        rhs2 = -epsln * z
        Anorm = math.sqrt(tnorm2)
        ynorm = _norm(x)
        epsx = Anorm * ynorm * eps
        rnorm = phibar
        test1 = math.inf if ynorm == 0 or Anorm == 0 else rnorm / (Anorm * ynorm)
        test2 = math.inf if Anorm == 0 else root / Anorm
        Acond = gmax / gmin
        if istop == 0:
            if 1 + test2 <= 1:
                istop = 2
            if 1 + test1 <= 1:
                istop = 1
            if itn >= maxiter:
                istop = 6
            if Acond >= 0.1 / eps:
                istop = 4
            if epsx >= beta1:
                istop = 3
            if test2 <= rtol:
                istop = 2
            if test1 <= rtol:
                istop = 1
        if callback is not None:
            callback(x)
        if istop != 0:
            break
    return x, (maxiter if istop == 6 else 0)
