"""The CSC classes: ``csc_array`` and ``csc_matrix`` (see ``_compressed`` for the storage)."""

from __future__ import annotations

from ._base import _format_classes
from ._compressed import _csc_base

__all__ = ["csc_array", "csc_matrix", "isspmatrix_csc"]

csc_array, csc_matrix, isspmatrix_csc = _format_classes("csc", _csc_base, __name__)
