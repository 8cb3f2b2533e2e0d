"""The CSR classes: ``csr_array`` and ``csr_matrix`` (see ``_compressed`` for the storage)."""

from __future__ import annotations

from ._base import _register, sparray, spmatrix
from ._compressed import _csr_base

__all__ = ["csr_array", "csr_matrix", "isspmatrix_csr"]


@_register("csr", True)
class csr_array(sparray, _csr_base):
    """A CSR sparse array (SciPy's ``csr_array``; values in legate_numeric arrays,
    index arrays stored as int64)."""


@_register("csr", False)
class csr_matrix(spmatrix, _csr_base):
    """A CSR sparse matrix (SciPy's ``csr_matrix``: ``*`` is the matrix product)."""


def isspmatrix_csr(x) -> bool:
    """Whether ``x`` is a legate_sparse ``csr_matrix``."""
    return isinstance(x, csr_matrix)
