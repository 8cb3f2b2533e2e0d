"""Extracting parts of sparse arrays: ``find``, ``tril``, ``triu``."""

from __future__ import annotations

import operator

import legate_numeric as lnp

from ._base import _class, _spbase
from ._sputils import INDEX

__all__ = ["find", "tril", "triu"]


def _as_sparse(A):
    if isinstance(A, _spbase):
        return A
    return _class("coo", False)(A)


def find(A):
    """``(row, col, values)`` of the nonzero entries (duplicates summed), row-major."""
    A = _as_sparse(A).tocsr()
    if not A.has_canonical_format:
        A = A.copy()
        A.sum_duplicates()
    coo = A.tocoo()
    keep = lnp.nonzero(coo.data)[0]
    return coo.row[keep], coo.col[keep], coo.data[keep]


def _triangle(A, k, format, lower):
    A = _as_sparse(A)
    k = operator.index(k)
    coo = A.tocoo()
    row = coo.row.astype(INDEX, copy=False)  # int64: row + k may pass int32's range
    mask = (row + k >= coo.col) if lower else (row + k <= coo.col)
    keep = lnp.nonzero(mask)[0]
    out = A._cls("coo")._new(coo.data[keep], coo.row[keep], coo.col[keep], A.shape, wide=A._is_wide())
    return out.asformat(format or "coo")


def tril(A, k=0, format=None):
    """The lower triangle (entries with ``col <= row + k``), COO by default."""
    return _triangle(A, k, format, True)


def triu(A, k=0, format=None):
    """The upper triangle (entries with ``col >= row + k``), COO by default."""
    return _triangle(A, k, format, False)
