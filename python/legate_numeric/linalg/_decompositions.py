"""NumPy's "Decompositions" (``qr``, ``svd``, ``svdvals``; ``cholesky`` lives in the
package module): argument checks and dtypes here, the factorizations in the batched
``qr`` and ``svd`` tasks (faer, one point, looping over the stacked matrices)."""

from __future__ import annotations

import warnings

import numpy as _np

from .. import _fallback
from ._common import (
    QRResult,
    SVDResult,
    as_array,
    assert_stacked_2d,
    assert_stacked_square,
    cast,
    common_type,
    empty,
    real_of,
    run_native,
)


def qr(a, mode="reduced"):
    """The QR factorization of each matrix in the last two axes: ``QRResult(Q, R)``
    (``mode='reduced'`` or ``'complete'``), ``R`` alone (``mode='r'``), or LAPACK's
    Householder form ``(h, tau)`` (``mode='raw'``, as LAPACK computes it). The signs of
    R's rows (and Q's columns) may differ from LAPACK's; ``Q @ R`` is the same."""
    from legate import _legate as _ext

    if mode not in ("reduced", "complete", "r", "raw"):
        if mode in ("f", "full"):
            warnings.warn(
                "The 'full' option is deprecated in favor of 'reduced'.\nFor backward compatibility let mode default.",
                DeprecationWarning,
                stacklevel=2,
            )
            mode = "reduced"
        elif mode in ("e", "economic"):
            warnings.warn("The 'economic' option is deprecated.", DeprecationWarning, stacklevel=2)
            # NumPy returns LAPACK's Householder array as it lies in memory: raw's h, transposed.
            return qr(a, mode="raw")[0].swapaxes(-1, -2)
        else:
            raise ValueError(f"Unrecognized mode '{mode}'")
    x = as_array(a)
    assert_stacked_2d(x)
    types = common_type(x)
    if types is None:
        return _fallback.call("linalg.qr", _np.linalg.qr, (a,), dict(mode=mode))
    _fallback.record_native("linalg.qr")
    compute, result = types
    x = cast(x, compute)
    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    if mode == "raw":
        # LAPACK's own layout: NumPy returns the factored matrix transposed (its
        # Fortran-ordered memory) and the reflectors' scalars.
        h = empty(x.shape, compute)
        tau = empty(batch + (min(m, n),), compute)
        run_native(_ext.qr_raw, x._store, h._store, tau._store)
        return cast(h, result).mT, cast(tau, result)
    rows = m if mode == "complete" and m > n else min(m, n)
    r = empty(batch + (rows, n), compute)
    q = None if mode == "r" else empty(batch + (m, rows), compute)
    run_native(_ext.qr, x._store, None if q is None else q._store, r._store)
    if q is None:
        return cast(r, result)
    return QRResult(cast(q, result), cast(r, result))


def _svd_native(x, compute, full_matrices, compute_uv, hermitian):
    """The ``svd`` task's results in the computation dtype: ``(u, s, vh)`` or ``s``."""
    from legate import _legate as _ext

    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    k = min(m, n)
    s = empty(batch + (k,), _np.float64)
    if not compute_uv:
        run_native(_ext.svd, x._store, s._store, None, None, hermitian)
        return s
    full = full_matrices and not hermitian
    u = empty(batch + (m, m if full else k), compute)
    vh = empty(batch + (n if full else k, n), compute)
    run_native(_ext.svd, x._store, s._store, u._store, vh._store, hermitian)
    return u, s, vh


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """The singular value decomposition of each matrix in the last two axes:
    ``SVDResult(U, S, Vh)`` with ``a = U @ diag(S) @ Vh`` (S largest first), or ``S``
    alone. With ``hermitian``, from the eigendecomposition of the lower triangle, as
    NumPy does. Singular vectors are unique only up to phase: they may differ from
    LAPACK's by a sign (or a unit complex factor) per pair."""
    x = as_array(a)
    if hermitian:
        assert_stacked_square(x)
    else:
        assert_stacked_2d(x)
    types = common_type(x)
    if types is None:
        return _fallback.call(
            "linalg.svd", _np.linalg.svd, (a,), dict(full_matrices=full_matrices, compute_uv=compute_uv, hermitian=hermitian)
        )
    _fallback.record_native("linalg.svd")
    compute, result = types
    out = _svd_native(cast(x, compute), compute, full_matrices, compute_uv, bool(hermitian))
    if not compute_uv:
        return cast(out, real_of(result))
    u, s, vh = out
    return SVDResult(cast(u, result), cast(s, real_of(result)), cast(vh, result))


def svdvals(x, /):
    """The singular values of each matrix in the last two axes, largest first."""
    _fallback.record_native("linalg.svdvals")
    return svd(x, compute_uv=False, hermitian=False)
