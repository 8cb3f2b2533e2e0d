"""NumPy's "Solving equations and inverting matrices" beyond ``solve`` and ``inv``:
``lstsq`` and ``pinv`` from the batched SVD task (NumPy's ``gelsd`` is SVD-based too:
singular values at or below ``rcond * s[0]`` count as zero), and ``tensorsolve``,
``tensorinv`` as ``solve`` and ``inv`` of reshaped operands."""

from __future__ import annotations

import numpy as _np

from .. import _fallback
from ._common import LinAlgError, as_array, assert_2d, cast, common_type, empty, real_of

_NoValue = _np._NoValue


def lstsq(a, b, rcond=None):
    """The least-squares solution of ``a @ x = b`` (``a`` 2-d, ``b`` 1-d or 2-d):
    ``(x, residuals, rank, s)`` as NumPy returns them: residuals (squared 2-norms of
    ``b - a @ x`` per column) only when ``a`` has full column rank and more rows than
    columns, else empty; ``rank`` a ``numpy.int32``; ``s`` the singular values of ``a``."""
    from .._creation import zeros
    from .._linalg import matmul
    from .._reduce import count_nonzero, sum as _sum
    from .._ufunc import absolute, multiply, subtract
    from ._decompositions import _svd_native

    x, y = as_array(a), as_array(b)
    is_1d = y.ndim == 1
    if is_1d:
        y = y.reshape((-1, 1))
    assert_2d(x, y)
    (m, n), (m2, nrhs) = x.shape, y.shape
    if m != m2:
        raise LinAlgError("Incompatible dimensions")
    types = common_type(x, y)
    if types is None:
        return _fallback.call("linalg.lstsq", _np.linalg.lstsq, (a, b), dict(rcond=rcond))
    _fallback.record_native("linalg.lstsq")
    compute, result = types
    real = real_of(result)
    if rcond is None:
        rcond = _np.finfo(compute).eps * max(n, m)
    x, y = cast(x, compute), cast(y, compute)
    u, s, vh = _svd_native(x, compute, False, True, False)
    k = min(m, n)
    rank = 0
    if k:
        s0 = float(s[0])
        cutoff = (rcond if rcond >= 0 else _np.finfo(compute).eps) * s0
        rank = int(count_nonzero(s > cutoff))
    if rank == 0:
        sol = zeros((n, nrhs), compute)
    else:
        # x = V_r diag(1 / s_r) U_r^H b over the singular values kept.
        ur, vr = u[:, :rank], vh[:rank]
        ur_h = ur.conj().T if compute.kind == "c" else ur.T
        vr_h = vr.conj().T if compute.kind == "c" else vr.T
        coeff = matmul(ur_h, y)
        scaled = multiply(coeff, (1.0 / s[:rank]).reshape((rank, 1)))
        sol = matmul(vr_h, scaled)
    if rank == n and m > n:
        diff = absolute(subtract(y, matmul(x, sol))) if n else absolute(y)
        resids = cast(_sum(multiply(diff, diff), axis=0), real)
    else:
        resids = empty((0,), real)
    sol = cast(sol, result) if sol.dtype != result else sol.copy()
    if is_1d:
        sol = sol.reshape((n,))
    return sol, resids, _np.int32(rank), cast(s, real)  # NumPy's rank is LAPACK's int32


def pinv(a, rcond=None, hermitian=False, *, rtol=_NoValue):
    """The Moore-Penrose pseudo-inverse of each matrix in the last two axes, from its
    SVD: singular values at or below ``rcond * max(s)`` (``rcond`` default 1e-15, or
    ``rtol``: default ``max(M, N) * eps``) are dropped."""
    from .._creation import asarray
    from .._linalg import matmul
    from .._manip import where
    from .._reduce import max as _max
    from .._ufunc import conjugate, divide, multiply
    from ._decompositions import svd

    x = as_array(a)
    if rcond is None:
        if rtol is _NoValue:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(x.shape[-2:]) * _np.finfo(x.dtype).eps
        else:
            rcond = rtol
    elif rtol is not _NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    if x.size == 0 and x.ndim >= 2 and x.shape[-1] * x.shape[-2] == 0:
        m, n = x.shape[-2:]
        return empty(x.shape[:-2] + (n, m), x.dtype)
    if common_type(x) is None:
        return _fallback.call("linalg.pinv", _np.linalg.pinv, (a,), dict(rcond=rcond, hermitian=hermitian))
    _fallback.record_native("linalg.pinv")
    rcond = asarray(rcond)
    xc = conjugate(x) if x.dtype.kind == "c" else x
    u, s, vh = svd(xc, full_matrices=False, hermitian=hermitian)
    cutoff = multiply(rcond.reshape(rcond.shape + (1,)), _max(s, axis=-1, keepdims=True))
    large = s > cutoff
    with _np.errstate(all="ignore"):
        s_inv = where(large, divide(1, where(large, s, 1)), 0).astype(s.dtype)
    # pinv(a) = V diag(1/s) U^H, with a = conj(a_given): transposes without conjugation.
    return matmul(vh.mT, multiply(s_inv[..., None], u.mT))


def tensorsolve(a, b, axes=None):
    """The ``x`` with ``tensordot(a, x, x.ndim) == b``: ``solve`` of ``a`` reshaped to a
    square matrix (after moving ``axes`` to the end)."""
    from . import solve

    x, y = as_array(a), as_array(b)
    nd = x.ndim
    if axes is not None:
        order = list(range(nd))
        for k in axes:
            order.remove(k)
            order.insert(nd, k)
        x = x.transpose(order)
    unknown = x.shape[-(nd - y.ndim):] if nd - y.ndim else ()
    size = int(_np.prod(unknown)) if unknown else 1
    if x.size != size**2:
        raise LinAlgError(
            "Input arrays must satisfy the requirement prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])"
        )
    _fallback.record_native("linalg.tensorsolve")
    types = common_type(x, y)
    if types is None:
        return _fallback.call("linalg.tensorsolve", _np.linalg.tensorsolve, (a, b), dict(axes=axes))
    compute, result = types
    sol = solve(cast(x, compute).reshape((size, size)), cast(y, compute).reshape((-1,)))
    return cast(sol, result).reshape(unknown)


def tensorinv(a, ind=2):
    """The inverse of ``a`` with respect to ``tensordot(..., ind)``: ``inv`` of ``a``
    reshaped to a square matrix, reshaped to ``a.shape[ind:] + a.shape[:ind]``."""
    from . import inv

    x = as_array(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    shape = x.shape
    size = int(_np.prod(shape[ind:])) if shape[ind:] else 1
    types = common_type(x)
    if types is None:
        return _fallback.call("linalg.tensorinv", _np.linalg.tensorinv, (a,), dict(ind=ind))
    _fallback.record_native("linalg.tensorinv")
    compute, result = types
    flat = cast(x, compute).reshape((size, -1))
    return cast(inv(flat), result).reshape(shape[ind:] + shape[:ind])
