"""DOK: a dict from ``(row, col)`` to value, on the host.

The mapping methods of SciPy's ``dok_*`` (``keys``, ``values``, ``items``, ``get``,
``in``, ``len`` counts entries) work on that dict; setting a zero removes the entry.
A 1-d ``dok_array`` keys its dict by ``int`` positions, as SciPy's.
Conversions and arithmetic go through CSR (see ``_host``); ``+`` and negation
give DOK results (``-`` of two gives CSR), as SciPy's.
"""

from __future__ import annotations

import numpy as _np

from ._base import _register, issparse, sparray, spmatrix
from ._host import _host_base
from ._sputils import as_legate, is_dense, is_scalar

__all__ = ["dok_array", "dok_matrix", "isspmatrix_dok"]


class _dok_base(_host_base):
    format = "dok"

    def _key(self, i, j):
        return j if len(self._shape) == 1 else (i, j)

    def _fill(self, row, col, vals):
        keys = col.tolist() if len(self._shape) == 1 else zip(row.tolist(), col.tolist())
        self._dict = dict(zip(keys, vals.tolist()))

    @property
    def nnz(self) -> int:
        return len(self._dict)

    def _host_coo(self):
        if not self._dict:
            return _np.zeros(0, _np.int64), _np.zeros(0, _np.int64), _np.zeros(0, self._dtype)
        keys = _np.array(list(self._dict.keys()), dtype=_np.int64).reshape(len(self._dict), -1)
        vals = _np.array(list(self._dict.values()), dtype=self._dtype)
        if keys.shape[1] == 1:
            order = _np.argsort(keys[:, 0], kind="stable")
            return _np.zeros(keys.shape[0], _np.int64), keys[order, 0], vals[order]
        order = _np.lexsort((keys[:, 1], keys[:, 0]))
        return keys[order, 0], keys[order, 1], vals[order]

    def _get(self, i, j):
        return self._dict.get(self._key(i, j), 0)

    def _set(self, i, j, x):
        if x == 0:
            self._dict.pop(self._key(i, j), None)
        else:
            self._dict[self._key(i, j)] = x

    # ---- the mapping ----

    def __len__(self):
        return len(self._dict)

    def __contains__(self, key):
        return (key if self.ndim == 1 else tuple(key)) in self._dict

    def keys(self):
        return self._dict.keys()

    def values(self):
        return self._dict.values()

    def items(self):
        return self._dict.items()

    def get(self, key, default=0.0):
        """The value at ``key`` (an ``(i, j)`` pair; an int in 1-d), or ``default``
        (bounds checked)."""
        key = (int(key),) if self.ndim == 1 else tuple(int(k) for k in key)
        if not all(0 <= k < n for k, n in zip(key, self._shape)):
            raise IndexError("Index out of bounds.")
        return self._dict.get(key[0] if self.ndim == 1 else key, default)

    # ---- results that stay DOK (as SciPy's) ----

    def __add__(self, other):
        if not issparse(other) and not is_scalar(other) and is_dense(other):
            return self.toarray() + as_legate(other)  # SciPy's DOK broadcasts a dense operand
        if is_scalar(other) and other != 0:  # SciPy's DOK adds it at every position
            return type(self)(self.toarray() + other)
        res = super().__add__(other)
        return self._same(res) if issparse(res) else res

    __radd__ = __add__

    def __neg__(self):
        row, col, vals = self._coo_parts()
        return type(self)._from_host(row, col, -vals, self._shape, self._dtype)

    def todok(self, copy=False):
        return self.copy() if copy else self

    def tocsc(self, copy=False):
        if self.ndim == 1:  # SciPy's exception (and message) for a 1-d DOK array
            raise NotImplementedError("tocsr() not valid for 1d sparse array")
        return super().tocsc(copy=copy)


@_register("dok", True)
class dok_array(sparray, _dok_base):
    """A dictionary-of-keys sparse array (SciPy's ``dok_array``; host storage, for
    building a matrix entry by entry; convert with ``tocsr()`` to compute)."""


@_register("dok", False)
class dok_matrix(spmatrix, _dok_base):
    """A dictionary-of-keys sparse matrix (SciPy's ``dok_matrix``: ``*`` is the matrix product)."""


def isspmatrix_dok(x) -> bool:
    """Whether ``x`` is a legate_sparse ``dok_matrix``."""
    return isinstance(x, dok_matrix)
