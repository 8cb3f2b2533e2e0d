"""LIL: a list of (sorted) column indices and a list of values per row, on the host.

``rows`` and ``data`` are NumPy object arrays of Python lists, as SciPy's. Setting an
entry is a binary search in its row; setting a zero removes the entry (as SciPy does).
Conversions and arithmetic go through CSR (see ``_host``).
"""

from __future__ import annotations

import bisect

import numpy as _np

from ._base import _register, sparray, spmatrix
from ._base import _reshape_target
from ._host import _host_base

__all__ = ["lil_array", "lil_matrix", "isspmatrix_lil"]


class _lil_base(_host_base):
    format = "lil"

    def reshape(self, *args, shape=None, order="C", copy=False):
        """This array with a new 2-d shape, as a LIL array (SciPy's LIL keeps LIL and
        has no 1-d shapes)."""
        new = _reshape_target(args, shape, self._shape)
        if len(new) != 2:
            raise ValueError(f"shape must have length in (2,). Got new_shape={new}")
        res = super().reshape(new, order=order, copy=copy)
        return res if res.format == "lil" else res.tolil()

    # SciPy's LIL adds and subtracts in place (``self[:, :] = self + other``): the
    # result, sparse or dense, is stored back in this array with its dtype.
    def __iadd__(self, other):
        return self._store_all(self + other)

    def __isub__(self, other):
        return self._store_all(self - other)

    def _store_all(self, res):
        row, col, vals = type(self)(res)._coo_parts()
        self._fill(row, col, vals.astype(self._dtype))
        return self

    def _fill(self, row, col, vals):
        m = self._shape[0]
        self.rows = _np.empty(m, dtype=object)
        self._data = _np.empty(m, dtype=object)
        order = _np.lexsort((col, row))
        row, col, vals = row[order], col[order], vals[order]
        cuts = _np.searchsorted(row, _np.arange(m + 1))
        cols, values = col.tolist(), vals.tolist()
        for i in range(m):
            lo, hi = cuts[i], cuts[i + 1]
            self.rows[i] = cols[lo:hi]
            self._data[i] = values[lo:hi]

    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        self._data = value

    @property
    def nnz(self) -> int:
        return sum(len(r) for r in self.rows)

    def _host_coo(self):
        counts = [len(r) for r in self.rows]
        total = sum(counts)
        row = _np.repeat(_np.arange(self._shape[0], dtype=_np.int64), counts)
        col = _np.fromiter((c for r in self.rows for c in r), dtype=_np.int64, count=total)
        vals = _np.array([v for d in self._data for v in d], dtype=self._dtype) if total else _np.zeros(0, self._dtype)
        return row, col, vals

    def _get(self, i, j):
        cols = self.rows[i]
        k = bisect.bisect_left(cols, j)
        return self._data[i][k] if k < len(cols) and cols[k] == j else 0

    def _set(self, i, j, x):
        cols, vals = self.rows[i], self._data[i]
        k = bisect.bisect_left(cols, j)
        present = k < len(cols) and cols[k] == j
        if x == 0:
            if present:
                del cols[k]
                del vals[k]
        elif present:
            vals[k] = x
        else:
            cols.insert(k, j)
            vals.insert(k, x)

    def getrowview(self, i):
        """Row ``i`` as a ``(1, n)`` LIL sharing its lists with this one."""
        new = type(self)((1, self._shape[1]), dtype=self._dtype)
        new.rows[0], new._data[0] = self.rows[i], self._data[i]
        return new

    def tolil(self, copy=False):
        return self.copy() if copy else self


@_register("lil", True)
class lil_array(sparray, _lil_base):
    """A list-of-lists sparse array (SciPy's ``lil_array``; host storage, for building
    a matrix entry by entry; convert with ``tocsr()`` to compute)."""


@_register("lil", False)
class lil_matrix(spmatrix, _lil_base):
    """A list-of-lists sparse matrix (SciPy's ``lil_matrix``: ``*`` is the matrix product)."""


def isspmatrix_lil(x) -> bool:
    """Whether ``x`` is a legate_sparse ``lil_matrix``."""
    return isinstance(x, lil_matrix)
