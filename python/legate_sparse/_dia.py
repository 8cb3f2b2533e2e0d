"""DIA: diagonals stored as rows of a dense 2-d legate_numeric array.

``data[k, j]`` is the entry at column ``j`` of diagonal ``offsets[k]`` (row
``j - offsets[k]``), as in SciPy. Products and most operations convert to CSR; the
offsets are few, so a host copy of them is kept for shape arithmetic.
"""

from __future__ import annotations

import numpy as _np

import legate_numeric as lnp

from ._base import _register, _spbase, sparray, spmatrix
from ._sputils import (
    INDEX, as_legate, check_dtype, check_shape, getdtype, index_dtype, is_int_like, is_scipy_sparse, refuse_1d_input,
)

__all__ = ["dia_array", "dia_matrix", "isspmatrix_dia"]


class _dia_base(_spbase):
    format = "dia"

    def __init__(self, arg1, shape=None, dtype=None, copy=False):
        dt = getdtype(dtype)
        if isinstance(arg1, _spbase):
            src = arg1.todia()
            self._set(src._data.copy() if copy else src._data, src._offsets_host, src.shape)
        elif is_scipy_sparse(arg1):
            s = arg1.todia()
            check_dtype(s.dtype)
            self._set(as_legate(s.data), _np.asarray(s.offsets), s.shape)
        elif isinstance(arg1, tuple) and len(arg1) == 2 and is_int_like(arg1[0]) and is_int_like(arg1[1]):
            shp = check_shape(arg1)
            self._set(lnp.zeros((0, 0), dt or _np.float64), _np.zeros(0, _np.int64), shp)
        elif isinstance(arg1, tuple) and len(arg1) == 2:
            if shape is None:
                raise ValueError("expected a shape argument")
            data = as_legate(arg1[0], copy=copy)
            check_dtype(data.dtype)
            offsets = arg1[1]
            offsets = _np.atleast_1d(offsets.__array__() if isinstance(offsets, lnp.ndarray) else _np.asarray(offsets))
            if offsets.ndim != 1 or offsets.dtype.kind not in "iu":
                raise ValueError("offsets array must have an integer dtype and be 1-d")
            if data.ndim == 1:
                data = data.reshape(1, -1)
            if data.ndim != 2:
                raise ValueError("expected data to be 1-d or 2-d")
            if data.shape[0] != offsets.shape[0]:
                raise ValueError(
                    f"number of diagonals ({data.shape[0]}) does not match the number of offsets ({offsets.shape[0]})"
                )
            if _np.unique(offsets).shape[0] != offsets.shape[0]:
                raise ValueError("offset array contains duplicate values")
            self._set(data, offsets.astype(_np.int64), check_shape(shape))
        else:
            coo = self._cls("coo")(arg1)
            if coo.ndim == 1:
                refuse_1d_input("dia")
            src = coo.todia()
            self._set(src._data, src._offsets_host, src.shape)
        if dt is not None and dt != self._data.dtype:
            self._data = self._data.astype(dt)

    def _set(self, data, offsets_host, shape):
        self._data = data
        self._offsets_host = _np.asarray(offsets_host, dtype=_np.int64)
        self._offsets = None
        self._shape = (int(shape[0]), int(shape[1]))

    @classmethod
    def _new(cls, data, offsets_host, shape):
        obj = object.__new__(cls)
        obj._set(data, offsets_host, shape)
        return obj

    @property
    def offsets(self):
        """The diagonal offsets as a legate_numeric array of SciPy's dtype (int32 when
        the shape fits; the host copy the operations use stays int64)."""
        if self._offsets is None:
            self._offsets = as_legate(self._offsets_host.astype(index_dtype(self._shape, 0)))
        return self._offsets

    @property
    def nnz(self) -> int:
        """Stored positions that fall inside the array (SciPy's count, zeros included)."""
        m, n = self._shape
        L = min(self._data.shape[1], n)
        total = 0
        for k in self._offsets_host.tolist():
            lo, hi = max(0, k), min(m + k, L)
            total += max(0, hi - lo)
        return total

    def _with_data(self, data, copy=True):
        return type(self)._new(data, self._offsets_host.copy(), self._shape)

    def tocoo(self, copy=False):
        m, n = self._shape
        L = min(self._data.shape[1], n)
        coo_cls = self._cls("coo")
        if L == 0 or self._offsets_host.shape[0] == 0:
            return coo_cls(self._shape, dtype=self.dtype)
        offs = as_legate(self._offsets_host).reshape(-1, 1)
        cols2 = lnp.broadcast_to(lnp.arange(L, dtype=INDEX).reshape(1, -1), (offs.shape[0], L))
        rows2 = cols2 - offs
        vals2 = self._data[:, :L]
        mask = (rows2 >= 0) & (rows2 < m) & (vals2 != 0)
        idx = lnp.nonzero(mask.reshape(-1))[0]
        rows = rows2.reshape(-1)[idx]
        cols = idx % L
        data = vals2.copy().reshape(-1)[idx]
        return coo_cls._new(data, rows, cols, self._shape)

    def tocsr(self, copy=False):
        return self.tocoo().tocsr()

    def todia(self, copy=False):
        return self.copy() if copy else self

    def transpose(self, axes=None, copy=False):
        return self.tocoo().transpose().todia()

    def _to_scipy(self):
        import scipy.sparse as _sp

        cls = _sp.dia_array if self._is_array else _sp.dia_matrix
        return cls((self._data.__array__(), self._offsets_host.copy()), shape=self._shape)

    def __getitem__(self, key):
        return self.tocsr()[key]


def _dia_from_coo(coo):
    """A DIA array (of ``coo``'s flavour) holding the entries of ``coo``."""
    m, n = coo.shape
    cls = coo._cls("dia")
    A = coo.copy()
    A.sum_duplicates()
    if A.nnz == 0:
        return cls._new(lnp.zeros((0, n), coo.dtype), _np.zeros(0, _np.int64), (m, n))
    diag = A.col - A.row
    offsets, inverse = lnp.unique(diag, return_inverse=True)
    offsets_host = offsets.__array__()  # a few diagonals: their offsets live on the host
    k = offsets_host.shape[0]
    flat = lnp.zeros(k * n, coo.dtype)
    flat[inverse.reshape(-1) * n + A.col] = A.data
    return cls._new(flat.reshape(k, n), offsets_host, (m, n))


@_register("dia", True)
class dia_array(sparray, _dia_base):
    """A DIA sparse array (SciPy's ``dia_array``; ``data`` and ``offsets`` are legate arrays)."""


@_register("dia", False)
class dia_matrix(spmatrix, _dia_base):
    """A DIA sparse matrix (SciPy's ``dia_matrix``: ``*`` is the matrix product)."""


def isspmatrix_dia(x) -> bool:
    """Whether ``x`` is a legate_sparse ``dia_matrix``."""
    return isinstance(x, dia_matrix)
