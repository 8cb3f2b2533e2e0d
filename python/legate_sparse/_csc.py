"""The CSC classes: ``csc_array`` and ``csc_matrix`` (see ``_compressed`` for the storage)."""

from __future__ import annotations

from ._base import _register, sparray, spmatrix
from ._compressed import _csc_base

__all__ = ["csc_array", "csc_matrix", "isspmatrix_csc"]


@_register("csc", True)
class csc_array(sparray, _csc_base):
    """A CSC sparse array (SciPy's ``csc_array``; values in legate_numeric arrays,
    index arrays stored as int64)."""


@_register("csc", False)
class csc_matrix(spmatrix, _csc_base):
    """A CSC sparse matrix (SciPy's ``csc_matrix``: ``*`` is the matrix product)."""


def isspmatrix_csc(x) -> bool:
    """Whether ``x`` is a legate_sparse ``csc_matrix``."""
    return isinstance(x, csc_matrix)
