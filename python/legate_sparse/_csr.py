"""The CSR classes: ``csr_array`` and ``csr_matrix`` (see ``_compressed`` for the storage)."""

from __future__ import annotations

from ._base import _format_classes
from ._compressed import _csr_base

__all__ = ["csr_array", "csr_matrix", "isspmatrix_csr"]

csr_array, csr_matrix, isspmatrix_csr = _format_classes("csr", _csr_base, __name__)
