"""DIA: diagonals stored as rows of a dense 2-d legate_numeric array.

``data[k, j]`` is the entry at column ``j`` of diagonal ``offsets[k]`` (row
``j - offsets[k]``), as in SciPy. Products and most operations convert to CSR; the
offsets are few, so a host copy of them is kept for shape arithmetic.
"""

from __future__ import annotations

import operator

import numpy as _np

import legate_numeric as lnp

from ._base import _register, _spbase, issparse, sparray, spmatrix
from ._sputils import (
    INDEX, as_legate, check_dtype, check_shape, getdtype, index_dtype, is_int_like, is_scipy_sparse, refuse_1d_input,
    upcast,
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
        elif isinstance(arg1, tuple):
            raise ValueError(f"unrecognized form for {self._scipy_name} constructor")
        elif arg1 is None:
            raise ValueError("DIA arrays don't support 0D input. Use 2D")
        else:
            if _np.ndim(arg1) > 2 and self._is_array:  # a dia_matrix: COO's TypeError
                raise ValueError(f"DIA arrays don't support {_np.ndim(arg1)}D input. Use 2D")
            coo = self._cls("coo")(arg1, shape=shape)  # a shape other than the data's raises, as SciPy's
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

    def setdiag(self, values, k=0):
        """Sets the ``k``-th diagonal in place, as SciPy's: a stored diagonal is
        overwritten (the data widened when it is too short), another is appended as
        the last row, so the stored arrays and ``nnz`` are SciPy's."""
        m, n = self._shape
        k = operator.index(k)
        if (k > 0 and k >= n) or (k < 0 and -k >= m):
            raise ValueError("k exceeds array dimensions")
        if not isinstance(values, lnp.ndarray):
            values = _np.asarray(values)
        count = min(m + k, n) if k < 0 else min(m, n - k)
        if values.ndim == 0:
            values = values.astype(self.dtype).item()
        else:
            values = as_legate(values.reshape(-1)[:count]).astype(self.dtype)
            count = min(count, values.shape[0])
        lo = max(k, 0)
        hi = lo + count
        rows, cols = self._data.shape
        hit = _np.nonzero(self._offsets_host == k)[0]
        width = max(hi, cols)
        data = self._data
        if width > cols or not hit.shape[0]:
            data = lnp.zeros((rows + (0 if hit.shape[0] else 1), width), self.dtype)
            if rows and cols:
                data[:rows, :cols] = self._data
        row = int(hit[0]) if hit.shape[0] else rows
        if count > 0:
            data[row, lo:hi] = values
        offsets = self._offsets_host if hit.shape[0] else _np.append(self._offsets_host, k)
        self._set(data, offsets, self._shape)

    def resize(self, *shape):
        """Changes the shape in place, as SciPy's: the data keeps every diagonal, cut
        to the new width; positions a taller shape uncovers are zeroed."""
        if len(shape) == 1 and isinstance(shape[0], tuple):
            shape = shape[0]
        M, N = check_shape(shape)
        data = self._data[:, :N]
        width = data.shape[1]
        if M > self._shape[0] and width:
            hidden = self._offsets_host[:, None] + self._shape[0] <= _np.arange(width)
            if hidden.any():
                data = lnp.where(as_legate(hidden), lnp.zeros((), self.dtype), data)
        self._set(data, self._offsets_host, (M, N))

    def tocoo(self, copy=False):
        """The entries in row-major order (SciPy's ``tocsr().tocoo()``)."""
        return self.tocsr().tocoo()

    def tocsr(self, copy=False):
        return self._diagonal_coo().tocsr()

    def _diagonal_coo(self):
        """The stored nonzeros as COO, diagonal by diagonal."""
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

    def todia(self, copy=False):
        return self.copy() if copy else self

    def transpose(self, axes=None, copy=False):
        """SciPy's DIA transpose: the offsets negated, each diagonal realigned to the
        columns of the transpose (every stored diagonal kept)."""
        if axes is not None and tuple(axes) != (1, 0):
            raise ValueError("Sparse arrays/matrices do not support an 'axes' parameter because swapping dimensions is the only logical permutation.")
        m, n = self._shape
        width = self._data.shape[1]
        data = lnp.zeros((self._offsets_host.size, m), self.dtype)
        for k, off in enumerate(self._offsets_host.tolist()):
            lo, hi = max(0, -off), min(m, width - off, n - off)
            if lo < hi:
                data[k, lo:hi] = self._data[k, lo + off : hi + off]
        return type(self)._new(data, -self._offsets_host, (n, m))

    # ---- what SciPy keeps in DIA ----

    def _rows(self, idx, width):
        """The diagonals ``idx`` (host positions) of ``data``, cut to ``width`` columns."""
        if len(idx) == 0:
            return lnp.zeros((0, width), self.dtype)
        return lnp.take(self._data[:, :width], as_legate(_np.asarray(idx, _np.int64)), axis=0)

    def _add_sparse(self, other, sign):
        """With a DIA ``other``, SciPy's DIA sum: the union of the offsets, each diagonal
        the sum of the two (a boolean difference goes through CSR, as SciPy's raises)."""
        if other.format != "dia" and sign > 0:
            return other._add_sparse(self, 1)  # SciPy lets the other format add (CSC + DIA: CSC)
        if other.format != "dia" or (sign < 0 and self.dtype.kind == other.dtype.kind == "b"):
            return super()._add_sparse(other, sign)
        self._check_same_shape(other)
        m, n = self._shape
        offsets = _np.union1d(self._offsets_host, other._offsets_host)
        widths = (self._data.shape[1], other._data.shape[1])
        if widths[0] == widths[1] and offsets.size == max(self._offsets_host.size, other._offsets_host.size):
            width = widths[0]  # SciPy: one's diagonals hold the other's, the data keep their width
        else:
            width = max(0, min(m + int(offsets[-1]), n)) if offsets.size else 0
        data = lnp.zeros((offsets.size, width), upcast(self.dtype, other.dtype))
        for B, s in ((self, 1), (other, sign)):
            w = min(B._data.shape[1], width)
            for k, i in enumerate(_np.searchsorted(offsets, B._offsets_host).tolist()):
                data[i, :w] += B._data[k, :w] if s > 0 else -B._data[k, :w]
        return type(self)._new(data, offsets, self._shape)

    def multiply(self, other):
        """Elementwise product; with a DIA array of the same shape, SciPy's DIA product
        (the diagonals both have)."""
        if not (issparse(other) and other.format == "dia" and other.shape == self.shape):
            return super().multiply(other)
        offsets, mine, theirs = _np.intersect1d(
            self._offsets_host, other._offsets_host, assume_unique=True, return_indices=True)
        width = min(self._data.shape[1], other._data.shape[1])
        return type(self)._new(self._rows(mine, width) * other._rows(theirs, width), offsets, self._shape)

    def _mul_dense(self, dense):
        """SciPy's DIA product with a dense array of (broadcast to) this shape: each
        stored position times the dense value there (COO for one row or column)."""
        m, n = self._shape
        if m <= 1 or n <= 1:
            return super()._mul_dense(dense)
        width = min(self._data.shape[1], n)
        dt = upcast(self.dtype, dense.dtype)
        data = self._data[:, :width].astype(dt)
        if self._offsets_host.size and width:
            cols = _np.broadcast_to(_np.arange(width), (self._offsets_host.size, width))
            rows = (cols - self._offsets_host.reshape(-1, 1)) % m  # off the array: any row
            data = data * lnp.broadcast_to(dense, self._shape)[as_legate(rows), as_legate(cols)]
        return type(self)._new(data, self._offsets_host.copy(), self._shape)

    def _matmul(self, other, out=None):
        """With a DIA ``other``, SciPy's DIA product: diagonal ``a`` times diagonal ``b``
        lands on diagonal ``a + b`` (those where they meet in the result), as wide as
        ``other``'s data."""
        if not (issparse(other) and other.format == "dia" and out is None and other.shape[0] == self._shape[1]):
            return super()._matmul(other, out)
        m, k = self._shape
        p = other.shape[1]
        a_width, b_width = min(self._data.shape[1], k), min(other._data.shape[1], p)
        # C[r, r + a + b] += A[r, r + a] * B[r + a, r + a + b], at C's data column q = r + a + b
        terms = []
        for i, a in enumerate(self._offsets_host.tolist()):
            for j, b in enumerate(other._offsets_host.tolist()):
                lo, hi = max(0, b, a + b), min(m + a + b, b + a_width, b_width)
                if lo < hi:
                    terms.append((i, j, a + b, b, lo, hi))
        offsets = _np.unique(_np.array([t[2] for t in terms], _np.int64))
        data = lnp.zeros((offsets.size, b_width if offsets.size else 0), upcast(self.dtype, other.dtype))
        for i, j, c, b, lo, hi in terms:
            t = int(_np.searchsorted(offsets, c))
            data[t, lo:hi] += self._data[i, lo - b : hi - b] * other._data[j, lo:hi]
        return type(self)._new(data, offsets, (m, p))

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
    width = int(lnp.max(A.col)) + 1  # SciPy's: up to the last column with an entry
    flat = lnp.zeros(k * width, coo.dtype)
    flat[inverse.reshape(-1) * width + A.col] = A.data
    return cls._new(flat.reshape(k, width), offsets_host, (m, n))


@_register("dia", True)
class dia_array(sparray, _dia_base):
    """A DIA sparse array (SciPy's ``dia_array``; ``data`` and ``offsets`` are legate arrays)."""


@_register("dia", False)
class dia_matrix(spmatrix, _dia_base):
    """A DIA sparse matrix (SciPy's ``dia_matrix``: ``*`` is the matrix product)."""


def isspmatrix_dia(x) -> bool:
    """Whether ``x`` is a legate_sparse ``dia_matrix``."""
    return isinstance(x, dia_matrix)
