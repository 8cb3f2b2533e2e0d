"""legate_sparse.linalg: iterative solvers, operators, norms and a direct solve.

``cg``, ``bicgstab``, ``gmres`` and ``minres`` take and return legate_numeric vectors
and follow SciPy's signatures (``rtol``, ``atol``, ``maxiter``, ``M``, ``callback``,
``x0``; result ``(x, info)``). ``spsolve``, ``splu`` and ``factorized`` solve directly
with faer's sparse LU.
``eigsh`` (thick-restart Lanczos), ``eigs`` (Krylov-Schur Arnoldi) and ``svds``
(``eigsh`` on AᴴA) find a few eigenpairs or singular triplets.
Names of ``scipy.sparse.linalg`` not defined here fall back to SciPy (one warning per
name; ``LEGATE_SPARSE_FALLBACK=0`` turns that into an error).
"""

from __future__ import annotations

import scipy.sparse.linalg as _scipy_linalg

from .. import _fallback
from ._arnoldi import eigs
from ._dsolve import SuperLU, factorized, splu, spsolve
from ._eigen import ArpackError, ArpackNoConvergence, eigsh, svds
from ._interface import LinearOperator, aslinearoperator
from ._isolve import bicgstab, cg, gmres, minres
from ._norm import norm

__all__ = [
    "ArpackError", "ArpackNoConvergence", "eigs", "eigsh", "svds",
    "LinearOperator", "aslinearoperator", "bicgstab", "cg", "gmres", "minres", "norm", "spsolve",
    "splu", "factorized", "SuperLU"]


def __getattr__(name):
    return _fallback.module_attr("legate_sparse.linalg", _scipy_linalg, name)
