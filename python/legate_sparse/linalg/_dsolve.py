"""``spsolve``: a direct solve by gathering ``A`` into a dense legate_numeric matrix
and calling ``legate_numeric.linalg.solve``.

This is a real solve, meant for moderate sizes: the dense matrix costs ``n^2``
elements, so ``A`` may have at most ``MAX_DENSE_N`` rows (``ValueError`` above it; use
an iterative solver from ``legate_sparse.linalg`` instead). There is no sparse LU.
"""

from __future__ import annotations

import numpy as _np

import legate_numeric as lnp

from .._base import _spbase
from .._sputils import as_legate

__all__ = ["spsolve", "MAX_DENSE_N"]

MAX_DENSE_N = 8192


def spsolve(A, b, permc_spec=None, use_umfpack=True):
    """Solves ``A x = b`` (``b`` a vector, a dense matrix, or sparse). A sparse ``b``
    gives a sparse result, as in SciPy; a singular ``A`` raises ``LinAlgError``."""
    if not isinstance(A, _spbase):
        raise TypeError("spsolve: A must be a legate_sparse array or matrix")
    m, n = A.shape
    if m != n:
        raise ValueError(f"matrix must be square (has shape {A.shape})")
    if n > MAX_DENSE_N:
        raise ValueError(
            f"spsolve gathers A into a dense matrix and handles at most {MAX_DENSE_N} rows (A has {n}); "
            "use an iterative solver (legate_sparse.linalg.cg, gmres, bicgstab) instead"
        )
    sparse_b = isinstance(b, _spbase)
    B = b.toarray() if sparse_b else as_legate(b)
    if B.shape[0] != n:
        raise ValueError(f"matrix - rhs dimension mismatch ({A.shape} - {B.shape[0]})")
    dt = _np.result_type(A.dtype, B.dtype, _np.float64 if A.dtype.kind in "biu" else A.dtype)
    if dt.kind not in "fc":
        raise NotImplementedError(f"spsolve: dtype {dt} is not supported")
    dense = A.toarray().astype(dt, copy=False)
    x = lnp.linalg.solve(dense, B.astype(dt, copy=False))
    if sparse_b:
        return A._cls("csr")(x if x.ndim == 2 else x.reshape(-1, 1))
    return x
