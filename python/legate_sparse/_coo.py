"""COO: coordinates and values as three legate_numeric arrays.

A COO array keeps duplicates and the order it was built in until ``sum_duplicates``;
conversions to CSR/CSC sum them. ``coo_array`` is also the 1-d sparse array that
SciPy returns for ``A[i]`` and ``A[:, j]`` of a 2-d sparse array; its 1-d operations
are those of ``_base`` (through the 1-d CSR array where SciPy's result is CSR). A 2-d
COO array, as SciPy's, also multiplies dense operands of 3 or more dimensions (``@``
broadcasts, ``dot`` follows ``np.dot``).
"""

from __future__ import annotations

import operator

import numpy as _np

import legate_numeric as lnp

from . import _assign, _kernels
from ._base import _register, _spbase, sparray, spmatrix
from ._sputils import (
    INDEX, as_index, as_legate, as_values, check_dtype, check_shape, getdtype, index_dtype, is_dense, is_int_like, is_scalar, is_scipy_sparse,
    keeps_wide, one_index, refuse_1d_conversion,
)

__all__ = ["coo_array", "coo_matrix", "isspmatrix_coo"]



def _refuse_nd(ndim: int):
    """SciPy 1.15+ has n-d ``coo_array`` (sums, reshapes, arithmetic, products); this
    library has 1-d and 2-d ones only."""
    raise NotImplementedError(f"legate_sparse has no {ndim}-d COO arrays (SciPy's n-d coo_array): only 1-d and 2-d")

class _coo_base(_spbase):
    format = "coo"

    def __init__(self, arg1, shape=None, dtype=None, copy=False):
        dt = getdtype(dtype)
        self._canonical = False
        if (isinstance(arg1, _spbase) or is_scipy_sparse(arg1)) and arg1.ndim != 2 and not self._is_array:
            raise ValueError(f"shape must have length in (2,). Got new_shape={arg1.shape}")
        if isinstance(arg1, _spbase):
            src = arg1.tocoo(copy=copy)
            self._set(src._data, src._coords, src.shape, wide=any(c.dtype == INDEX for c in src._coords))
            self._canonical = src._canonical
        elif is_scipy_sparse(arg1):
            s = arg1.tocoo()
            check_dtype(s.dtype)
            coords = tuple(as_index(c) for c in s.coords)
            self._set(as_legate(s.data), coords, s.shape, wide=any(c.dtype == INDEX for c in coords))
            self._canonical = bool(s.has_canonical_format)
        elif isinstance(arg1, tuple) and len(arg1) in (1, 2) and all(is_int_like(a) for a in arg1):
            shp = check_shape(arg1, (1, 2) if self._is_array else (2,))
            self._set(lnp.zeros(0, dt or _np.float64), tuple(lnp.zeros(0, INDEX) for _ in shp), shp)
            self._canonical = True
        elif isinstance(arg1, tuple) and len(arg1) == 2:
            data, coords = arg1
            self._from_arrays(data, coords, shape, copy)
        elif isinstance(arg1, tuple) and self._is_array and all(is_int_like(a) for a in arg1):
            _refuse_nd(len(arg1))
        elif isinstance(arg1, tuple):
            raise TypeError("invalid input format")
        else:
            self._from_dense(arg1)
            if shape is not None and tuple(shape) != self._shape:
                raise ValueError(f"shape {tuple(shape)} does not match the input's shape {self._shape}")
        if dt is not None and dt != self._data.dtype:
            self._data = self._data.astype(dt)

    def _set(self, data, coords, shape, wide=None):
        """Stores the arrays, the coordinates in SciPy's index dtype: int32 when the
        shape fits, or int64 throughout when ``wide`` (a sparray built from int64 index
        arrays keeps them, as SciPy's does; ``None`` keeps the current choice)."""
        self._data = data
        self._shape = tuple(int(s) for s in shape)
        if wide is not None:
            self._wide = wide
        idx = INDEX if getattr(self, "_wide", False) else index_dtype(self._shape, 0)
        self._coords = tuple(c.astype(idx, copy=False) for c in coords)

    @classmethod
    def _new(cls, data, row, col, shape, wide=False):
        obj = object.__new__(cls)
        obj._set(data, (row, col), shape, wide=wide)
        obj._canonical = False
        return obj

    @classmethod
    def _new_1d(cls, data, coords, n):
        obj = object.__new__(cls)
        obj._set(data, (coords,), (n,), wide=False)
        obj._canonical = True
        return obj

    def _from_arrays(self, data, coords, shape, copy):
        data = as_legate(data, copy=copy)
        check_dtype(data.dtype)
        if isinstance(coords, (tuple, list)) and len(coords) > 2 and self._is_array:
            _refuse_nd(len(coords))
        if not isinstance(coords, (tuple, list)) or len(coords) not in (1, 2):
            raise TypeError("invalid input format: expected (data, (row, col))")
        if len(coords) == 1 and not self._is_array:
            raise ValueError("coo_matrix needs (data, (row, col))")
        if shape is None and any(getattr(c, "dtype", _np.asarray(c).dtype).kind == "f" for c in coords):
            raise TypeError("cannot infer a shape from float coordinates")  # SciPy's TypeError
        wide = keeps_wide(self._is_array, coords)
        coords = tuple(as_index(c, "coordinate", copy=copy) for c in coords)
        if data.ndim != 1:
            raise ValueError("row, column, and data array must all be the same length")
        for c in coords:
            if c.shape[0] != data.shape[0]:
                raise ValueError("row, column, and data array must all be the same length")
        if shape is None:
            if data.shape[0] == 0:
                raise ValueError("cannot infer dimensions from zero sized index arrays")
            shape = tuple(int(lnp.max(c)) + 1 for c in coords)
        shape = check_shape(shape, (len(coords),))
        if data.shape[0]:
            for axis, (c, n) in enumerate(zip(coords, shape)):
                hi, lo = int(lnp.max(c)), int(lnp.min(c))
                if hi >= n:
                    raise ValueError(f"axis {axis} index {hi} exceeds matrix dimension {n}")
                if lo < 0:
                    raise ValueError(f"negative axis {axis} index: {lo}")
        self._set(data, coords, shape, wide=wide)

    def _from_dense(self, arg1):
        if arg1 is None and self._allows_1d:  # SciPy's TypeError (a ValueError elsewhere)
            raise TypeError("function missing 1 required positional argument: 'shape'")
        d = as_values(arg1)
        if d.ndim == 0 and self._is_array:
            raise ValueError("scipy sparse array classes do not support instantiation from a scalar")
        if d.ndim == 0:
            d = d.reshape(1, 1)
        if d.ndim == 1 and not self._is_array:
            d = d.reshape(1, -1)
        if d.ndim > 2 and not self._is_array:
            raise TypeError(f"expected 2D array or matrix, not {d.ndim}D")
        if d.ndim > 2:
            _refuse_nd(d.ndim)
        flat = d.reshape(-1)
        idx = lnp.nonzero(flat)[0] if flat.shape[0] else lnp.zeros(0, INDEX)
        if d.ndim == 1:
            self._set(flat[idx], (idx,), d.shape)
        else:
            n = d.shape[1]
            self._set(flat[idx], (idx // n, idx % n) if n else (idx, idx), d.shape)
        self._canonical = True

    # ---- attributes ----

    @property
    def coords(self):
        return self._coords

    @property
    def row(self):
        if len(self._coords) < 2:
            raise AttributeError("a 1-d COO array has no 'row'; use coords")
        return self._coords[0]

    @row.setter
    def row(self, value):
        self._coords = (as_index(value, "row"), self._coords[1])
        self._canonical = False

    @property
    def col(self):
        return self._coords[-1]

    @col.setter
    def col(self, value):
        self._coords = self._coords[:-1] + (as_index(value, "col"),)
        self._canonical = False

    @property
    def has_canonical_format(self) -> bool:
        return self._canonical

    @has_canonical_format.setter
    def has_canonical_format(self, value):
        self._canonical = bool(value)

    def _with_data(self, data, copy=True):
        coords = tuple(c.copy() for c in self._coords) if copy else self._coords
        obj = object.__new__(type(self))
        obj._set(data, coords, self._shape, wide=getattr(self, "_wide", False))
        obj._canonical = self._canonical
        return obj

    # ---- canonical form ----

    def sum_duplicates(self):
        """Sorts entries by (row, col) and sums duplicates, in place."""
        if self._canonical:
            return
        if self.ndim == 1:
            shape2 = (1, self._shape[0])
            _, col, data = _kernels.canonical_coo(lnp.zeros(self.nnz, INDEX), self._coords[0], self._data, shape2)
            self._set(data, (col,), self._shape)
        else:
            row, col, data = _kernels.canonical_coo(self._coords[0], self._coords[1], self._data, self._shape)
            self._set(data, (row, col), self._shape)
        self._canonical = True

    def eliminate_zeros(self):
        """Removes stored zeros in place."""
        keep = lnp.nonzero(self._data)[0]
        if keep.shape[0] != self.nnz:
            self._set(self._data[keep], tuple(c[keep] for c in self._coords), self._shape)

    # ---- conversions ----

    def tocoo(self, copy=False):
        return self.copy() if copy else self

    def tocsr(self, copy=False):
        """The CSR array (duplicates summed, indices sorted; 1-d stays 1-d)."""
        if self.ndim == 1:
            return self._as_row().tocsr()._row_as(self._shape)
        m, _ = self._shape
        row, col, data = _kernels.canonical_coo(self._coords[0], self._coords[1], self._data, self._shape)
        if data is self._data:
            row, col, data = row.copy(), col.copy(), data.copy()
        return self._cls("csr")._new(data, col, _kernels.compress_sorted(row, m), self._shape, canonical=True, wide=self._is_wide())

    def tocsc(self, copy=False):
        """The CSC array (duplicates summed, indices sorted)."""
        if self.ndim == 1:
            refuse_1d_conversion("csc")
        _, n = self._shape
        col, row, data = _kernels.canonical_coo(self._coords[1], self._coords[0], self._data, self._shape[::-1])
        if data is self._data:
            row, col, data = row.copy(), col.copy(), data.copy()
        return self._cls("csc")._new(data, row, _kernels.compress_sorted(col, n), self._shape, canonical=True, wide=self._is_wide())

    def todia(self, copy=False):
        if self.ndim == 1:
            refuse_1d_conversion("dia")
        from ._dia import _dia_from_coo

        return _dia_from_coo(self)

    def _as_row(self):
        """A 1-d array as the ``(1, n)`` COO array of the same values."""
        return self._cls("coo")._new(self._data, lnp.zeros(self.nnz, INDEX), self._coords[0], (1, self._shape[0]))

    def transpose(self, axes=None, copy=False):
        """The transpose; ``axes`` as SciPy's COO takes it: a permutation of the axes for
        arrays (the identity keeps the array), only ``(1, 0)`` for matrices."""
        if axes is not None:
            axes = tuple(operator.index(a) for a in axes)
            if not self._is_array and axes != (1, 0):
                raise ValueError("Sparse matrices do not support an 'axes' parameter because swapping dimensions is the only logical permutation.")
            if len(axes) != self.ndim:
                raise ValueError("axes don't match matrix dimensions")
            if sorted(a % self.ndim for a in axes) != list(range(self.ndim)):
                raise ValueError("repeated axis in transpose")
            if [a % self.ndim for a in axes] == list(range(self.ndim)):
                return self.copy() if copy else self
        if self.ndim == 1:
            return self.copy() if copy else self
        row, col, data = self._coords[0], self._coords[1], self._data
        if copy:
            row, col, data = row.copy(), col.copy(), data.copy()
        return type(self)._new(data, col, row, self._shape[::-1], wide=getattr(self, "_wide", False))

    def _dense(self):
        if self.ndim == 2:
            return super()._dense()
        return _kernels.segment_sum(self._data, self._coords[0], self._shape[0])

    def _to_scipy(self):
        import scipy.sparse as _sp

        cls = _sp.coo_array if self._is_array else _sp.coo_matrix
        coords = tuple(c.__array__() for c in self._coords)
        return cls((self._data.__array__(), coords), shape=self._shape)

    def __getitem__(self, key):
        if not self._is_array:
            raise TypeError("'coo_matrix' object is not subscriptable")
        res = self._select_stored(key)
        if res is not None:
            return res
        res = self.tocsr()[key]
        if isinstance(res, _spbase):  # SciPy: COO results
            return res.tocoo()
        # CSR's dense answer to a pair of index arrays is a 1-d COO array in SciPy's COO.
        return self._cls("coo")(res) if isinstance(res, lnp.ndarray) and res.ndim else res

    def _select_stored(self, key):
        """``A[key]`` for a key of ints and slices (at least one slice), as SciPy's COO
        indexing: the stored entries inside, in their order, duplicates and explicit
        zeros kept; ``None`` for other keys."""
        key = key if isinstance(key, tuple) else (key,)
        simple = all(isinstance(k, slice) or (is_int_like(k) and not isinstance(k, lnp.ndarray)) for k in key)
        if not simple or len(key) > self.ndim:
            return None
        key = key + (slice(None),) * (self.ndim - len(key))
        if not any(isinstance(k, slice) for k in key):
            return None
        mask, coords, shape = None, [], []
        for k, co, n in zip(key, self._coords, self._shape):
            if isinstance(k, slice):
                start, stop, step = k.indices(n)
                shape.append(len(range(start, stop, step)))
                if (start, stop, step) == (0, n, 1):
                    coords.append(co)
                    continue
                inside = (co >= start) & (co < stop) if step > 0 else (co <= start) & (co > stop)
                if step != 1:
                    inside &= (co - start) % step == 0
                coords.append((co - start) // step)
            else:
                i = operator.index(k)
                if i < -n or i >= n:
                    raise IndexError(f"index ({i}) out of range")
                inside = co == i % n
            mask = inside if mask is None else mask & inside
        data = self._data
        if mask is not None:
            keep = lnp.nonzero(mask)[0]
            data, coords = data[keep], [c[keep] for c in coords]
        else:
            data, coords = data.copy(), [c.copy() for c in coords]
        out = object.__new__(type(self))
        out._set(data, tuple(coords), tuple(shape), wide=getattr(self, "_wide", False))
        out._canonical = False  # SciPy's flag on a new COO array
        return out

    def __setitem__(self, key, x):
        """``A[key] = x``: entries at the positions replaced by the nonzero values
        (see ``_assign``; a 1-d array as its row); other keys run in SciPy. A
        ``coo_matrix`` takes no assignment, as SciPy's."""
        if not self._is_array:
            raise TypeError("'coo_matrix' object does not support item assignment")
        if self.ndim == 1:
            R = self._as_row()
            R[0, one_index(key)] = x
            self._set(R._data, (R._coords[1],), self._shape)
            self._canonical = R._canonical
            return
        try:
            i, j, scalar = _assign.positions(self, key)
        except _assign.Unsupported:
            return super().__setitem__(key, x)
        vals = _assign.values(self, i, x, scalar)
        if vals is not None:
            _assign.set_coo(self, i, j, vals[0])

    # ---- products with n-d dense operands ----

    def _nd_operand(self, other):
        """``other`` as a legate array when it is dense with more than 2 dimensions."""
        if self.ndim != 2 or isinstance(other, _spbase) or is_scalar(other) or not is_dense(other):
            return None
        x = as_legate(other)
        return x if x.ndim > 2 else None

    def _matmul_nd(self, x):
        """``(m, k) @ (..., k, p) -> (..., m, p)``, NumPy's matmul broadcasting (SciPy's
        COO arrays allow it): one SpMM with the batch laid out as columns."""
        m, k = self._shape
        if x.shape[-2] != k:
            raise ValueError(f"matmul: dimension mismatch with signature (n,..,k={k}),(k={x.shape[-2]},..,m)->(n,..,m)")
        batch, p = x.shape[:-2], x.shape[-1]
        y = super()._matmul(lnp.moveaxis(x, -2, 0).reshape(k, -1))
        return lnp.moveaxis(y.reshape((m,) + batch + (p,)), 0, -2)

    def __matmul__(self, other):
        x = self._nd_operand(other) if self._is_array else None
        return super().__matmul__(other) if x is None else self._matmul_nd(x)

    def dot(self, other, out=None):
        """``self @ other``; with a dense ``other`` of more than 2 dimensions NumPy's
        ``dot``: ``(m, k) . (..., k, p) -> (m, ..., p)`` (for matrices too, as SciPy)."""
        x = self._nd_operand(other)
        if x is None:
            return super().dot(other, out=out)
        if out is not None:
            raise ValueError("out= is only supported for 1-d and 2-d operands")
        return lnp.moveaxis(self._matmul_nd(x), -2, 0)

    def __rmatmul__(self, other):
        """``x @ A`` for a 2-d COO array and an n-d dense ``x``:
        ``(..., p, m) @ (m, n) -> (..., p, n)`` (one product over the stacked rows)."""
        x = self._nd_operand(other) if self._is_array else None
        if x is None:
            return super().__rmatmul__(other)
        m, n = self._shape
        if x.shape[-1] != m:
            raise ValueError(f"matmul: dimension mismatch with signature (n,..,k={x.shape[-1]}),(k={m},..,m)->(n,..,m)")
        return super().__rmatmul__(x.reshape(-1, m)).reshape(x.shape[:-1] + (n,))


@_register("coo", True)
class coo_array(sparray, _coo_base):
    """A COO sparse array (SciPy's ``coo_array``, 1-d or 2-d; ``row``/``col``/``data``
    are legate arrays, coordinates stored as int64)."""


@_register("coo", False)
class coo_matrix(spmatrix, _coo_base):
    """A COO sparse matrix (SciPy's ``coo_matrix``: ``*`` is the matrix product)."""


def isspmatrix_coo(x) -> bool:
    """Whether ``x`` is a legate_sparse ``coo_matrix``."""
    return isinstance(x, coo_matrix)
