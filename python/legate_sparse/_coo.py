"""COO: coordinates and values as three legate_numeric arrays.

A COO array keeps duplicates and the order it was built in until ``sum_duplicates``;
conversions to CSR/CSC sum them. ``coo_array`` is also the 1-d sparse array that
SciPy returns for ``A[i]`` and ``A[:, j]`` of a 2-d sparse array; its 1-d operations
are those of ``_base`` (through the 1-d CSR array where SciPy's result is CSR). A 2-d
COO array, as SciPy's, also multiplies dense operands of 3 or more dimensions (``@``
broadcasts, ``dot`` follows ``np.dot``).

``coo_array`` is also SciPy's n-d sparse array (3 or more dimensions; int64
coordinates, as SciPy's). Its operations work on flat positions (``ravel_coords``)
and sort nothing they need not: reductions and ``toarray`` are segment sums over
them, ``max``/``argmax`` over axes go through the dense array when it is small,
``A @ x`` and ``A @ X`` of float and complex values are the native COO SpMV and SpMM
(entries in any order), other dtypes take the native CSR products of the entries in
row order (sorted by row only when they are not),
``sum_duplicates`` sorts; elementwise operations with a sparse operand or a scalar
run on the ``(1, N)`` arrays of the same entries and reshape back, as SciPy's do;
keys (``_keys`` checks them on the host, as SciPy's COO) select the entries in one
native pass (``coo_select``), and assignments follow SciPy's COO. What SciPy refuses for n-d arrays
(CSR/CSC/DOK/DIA/LIL/BSR conversions, ``resize``, ``diagonal``, ``setdiag``,
``trace``) raises its ``ValueError``.
"""

from __future__ import annotations

import operator
import warnings

import numpy as _np

import legate_numeric as lnp

from . import _assign, _keys, _kernels
from ._base import _register, _spbase, issparse, sparray, spmatrix
from ._sputils import (
    INDEX, as_index, as_legate, as_values, check_dtype, check_shape, getdtype, index_dtype, is_dense, is_int_like, is_scalar, is_scipy_sparse,
    keeps_wide, one_index, ravel_coords, refuse_1d_conversion, unravel_coords, upcast, write_out,
)

__all__ = ["coo_array", "coo_matrix", "isspmatrix_coo"]


# What SciPy 1.17 raises (``ValueError``) for operations it has only in 1-d and 2-d.
_ND_REFUSED = {
    "csr": "Cannot convert. CSR must be 1D or 2D. Got {}D",
    "csc": "Cannot convert. CSC format must be 2D. Got {}D",
    "dok": "Cannot convert. DOK must be 1D or 2D. Got {}D",
    "dia": "Cannot convert. DIA format must be 2D. Got {}D",
    "resize": "only 1-D or 2-D input accepted",
    "diagonal": "diagonal requires two dimensions",
    "setdiag": "setting a diagonal requires two dimensions",
}


def _nd_axes(axis, ndim: int):
    """A reduction's ``axis`` of an n-d array as SciPy's ``validateaxis`` checks it: a
    tuple of axes in the order given, or ``None`` for all of them."""
    if axis is None:
        return None
    if axis == ():
        raise ValueError("sparse does not accept 0D axis (). Either use toarray (for dense) or copy (for sparse).")
    axes = axis if isinstance(axis, tuple) else (axis,)
    if not all(is_int_like(a) for a in axes):
        raise TypeError(f"axis must be an integer/tuple of ints, not {axis!r}")
    axes = [operator.index(a) for a in axes]
    if any(a < -ndim or a >= ndim for a in axes):
        raise ValueError("axis out of range for ndim")
    axes = [a % ndim for a in axes]  # argmax's positions ravel them in this order
    if len(set(axes)) != len(axes):
        raise ValueError("duplicate value in axis")
    return None if len(axes) == ndim else tuple(axes)

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
        elif isinstance(arg1, tuple) and (len(arg1) in (1, 2) or self._is_array and arg1) and all(is_int_like(a) for a in arg1):
            shp = check_shape(arg1, range(1, 65) if self._is_array else (2,))
            self._set(lnp.zeros(0, dt or _np.float64), tuple(lnp.zeros(0, INDEX) for _ in shp), shp)
            self._canonical = True
        elif isinstance(arg1, tuple) and len(arg1) == 2:
            data, coords = arg1
            self._from_arrays(data, coords, shape, copy)
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
        idx = INDEX if getattr(self, "_wide", False) or len(self._shape) > 2 else index_dtype(self._shape, 0)
        self._coords = tuple(c.astype(idx, copy=False) for c in coords)

    @classmethod
    def _make(cls, data, coords, shape, wide=False):
        """A new (not canonical) array of these arrays, any number of dimensions."""
        obj = object.__new__(cls)
        obj._set(data, tuple(coords), shape, wide=wide)
        obj._canonical = False
        return obj

    @classmethod
    def _new(cls, data, row, col, shape, wide=False):
        return cls._make(data, (row, col), shape, wide)

    @classmethod
    def _new_1d(cls, data, coords, n):
        obj = object.__new__(cls)
        obj._set(data, (coords,), (n,), wide=False)
        obj._canonical = True
        return obj

    def _from_arrays(self, data, coords, shape, copy):
        data = as_legate(data, copy=copy)
        check_dtype(data.dtype)
        if not isinstance(coords, (tuple, list)) or not coords:
            raise TypeError("invalid input format: expected (data, (row, col))")
        if len(coords) != 2 and not self._is_array:
            raise ValueError("coo_matrix needs (data, (row, col))")
        if shape is None and any(_dtype_of(c).kind == "f" and len(c) for c in coords):
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
        flat = d.reshape(-1)
        idx = lnp.nonzero(flat)[0] if flat.shape[0] else lnp.zeros(0, INDEX)
        self._set(flat[idx], unravel_coords(idx, d.shape), d.shape)
        self._canonical = True

    # ---- attributes ----

    @property
    def coords(self):
        return self._coords

    @property
    def row(self):
        """The second to last coordinates (SciPy's ``row`` of a 2-d or n-d array)."""
        if len(self._coords) < 2:
            raise AttributeError("a 1-d COO array has no 'row'; use coords")
        return self._coords[-2]

    @row.setter
    def row(self, value):
        self._coords = self._coords[:-2] + (as_index(value, "row"), self._coords[-1])
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
        """Sorts entries by their coordinates (C order) and sums duplicates, in place."""
        if self._canonical:
            return
        if self.ndim != 2:  # by flat position, as the one row of a 2-d array
            size = _np.prod(self._shape, dtype=object)
            flat = ravel_coords(self._coords, self._shape)
            _, flat, data = _kernels.canonical_coo(lnp.zeros(self.nnz, INDEX), flat, self._data, (1, size))
            self._set(data, unravel_coords(flat, self._shape), self._shape)
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

    def _refuse_nd(self, what):
        if self.ndim > 2:
            raise ValueError(_ND_REFUSED[what].format(self.ndim))

    def tocsr(self, copy=False):
        """The CSR array (duplicates summed, indices sorted; 1-d stays 1-d)."""
        self._refuse_nd("csr")
        if self.ndim == 1:
            return self._as_row().tocsr()._row_as(self._shape)
        m, _ = self._shape
        row, col, data = _kernels.canonical_coo(self._coords[0], self._coords[1], self._data, self._shape)
        if data is self._data:
            row, col, data = row.copy(), col.copy(), data.copy()
        return self._cls("csr")._new(data, col, _kernels.compress_sorted(row, m), self._shape, canonical=True, wide=self._is_wide())

    def tocsc(self, copy=False):
        """The CSC array (duplicates summed, indices sorted)."""
        self._refuse_nd("csc")
        if self.ndim == 1:
            refuse_1d_conversion("csc")
        _, n = self._shape
        col, row, data = _kernels.canonical_coo(self._coords[1], self._coords[0], self._data, self._shape[::-1])
        if data is self._data:
            row, col, data = row.copy(), col.copy(), data.copy()
        return self._cls("csc")._new(data, row, _kernels.compress_sorted(col, n), self._shape, canonical=True, wide=self._is_wide())

    def todia(self, copy=False):
        self._refuse_nd("dia")
        if self.ndim == 1:
            refuse_1d_conversion("dia")
        from ._dia import _dia_from_coo

        return _dia_from_coo(self)

    def todok(self, copy=False):
        self._refuse_nd("dok")
        return super().todok(copy=copy)

    def tolil(self, copy=False):
        self._refuse_nd("csr")  # SciPy's goes through CSR
        return super().tolil(copy=copy)

    def tobsr(self, blocksize=None, copy=False):
        self._refuse_nd("csr")
        return super().tobsr(blocksize=blocksize, copy=copy)

    def resize(self, *shape):
        self._refuse_nd("resize")
        return super().resize(*shape)

    def diagonal(self, k=0):
        self._refuse_nd("diagonal")
        return super().diagonal(k)

    def trace(self, offset=0):
        self._refuse_nd("diagonal")
        return super().trace(offset)

    def setdiag(self, values, k=0):
        self._refuse_nd("setdiag")
        return super().setdiag(values, k)

    def _as_row(self):
        """A 1-d array as the ``(1, n)`` COO array of the same values."""
        return self._cls("coo")._new(self._data, lnp.zeros(self.nnz, INDEX), self._coords[0], (1, self._shape[0]))

    def transpose(self, axes=None, copy=False):
        """The transpose (the axes reversed); ``axes`` as SciPy's COO takes it: a
        permutation of the axes for arrays (the identity keeps the array), only
        ``(1, 0)`` for matrices."""
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
        axes = range(self.ndim - 1, -1, -1) if axes is None else axes
        coords, data = tuple(self._coords[a] for a in axes), self._data
        if copy:
            coords, data = tuple(c.copy() for c in coords), data.copy()
        return type(self)._make(data, coords, tuple(self._shape[a] for a in axes), wide=getattr(self, "_wide", False))

    def _dense(self):
        if self.ndim == 2:
            return super()._dense()
        size = int(_np.prod(self._shape, dtype=object))
        return _dense_sums(self._data, ravel_coords(self._coords, self._shape), size).reshape(self._shape)

    def _to_scipy(self):
        import scipy.sparse as _sp

        cls = _sp.coo_array if self._is_array else _sp.coo_matrix
        coords = tuple(c.__array__() for c in self._coords)
        return cls((self._data.__array__(), coords), shape=self._shape)

    def __getitem__(self, key):
        if not self._is_array:
            raise TypeError("'coo_matrix' object is not subscriptable")
        if self.ndim > 2:
            return self._nd_fancy(key)
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

    def _inside(self, index):
        """The entries inside the ints and slices of a validated key: a mask (``None``
        for all)."""
        mask = None
        for i, (k, co) in enumerate(zip(index, self._coords)):
            if isinstance(k, slice):
                start, stop, step = k.indices(self._shape[i])
                if (start, stop, step) == (0, self._shape[i], 1):
                    continue
                inside = (co >= start) & (co < stop) if step > 0 else (co <= start) & (co > stop)
                if step != 1:
                    inside &= (co - start) % step == 0
            elif is_int_like(k):
                inside = co == int(k)
            else:
                continue
            mask = inside if mask is None else mask & inside
        return mask

    def _nd_fancy(self, key):
        """``A[key]`` of an n-d array for any key SciPy's COO takes (index arrays, bool
        arrays, ``None``), as SciPy's: the key is checked and resolved on the host
        (``_keys``: it is the key, not the data), then one pass of the native
        ``coo_select`` keeps the entries inside it in order, each once for every
        position of the index arrays holding its coordinates (in the positions' order);
        the arrays' axes go where NumPy puts them, ``None`` adds axes of length 1."""
        index, shape, at, none_pos = _keys.validate(key, self._shape)
        if not _kernels.native_available():
            return self._fallback_method("__getitem__", key)
        plan, nout = _select_plan(index, self._shape, at)
        if plan is None or self.nnz == 0:  # nothing inside
            data, coords = lnp.zeros(0, self.dtype), [lnp.zeros(0, INDEX) for _ in range(nout)]
        else:
            ent, coords = _kernels.coo_select(self._coords, plan, nout)
            data = self._data[ent]
        if shape == ():
            return lnp.sum(data).astype(self.dtype) if data.shape[0] else lnp.zeros((), self.dtype)
        for i in none_pos:
            coords.insert(i, lnp.zeros(data.shape[0], INDEX))
        out = object.__new__(type(self))
        out._set(data, tuple(coords), shape)
        out._canonical = False
        return out

    def __setitem__(self, key, x):
        """``A[key] = x``: entries at the positions replaced by the nonzero values
        (see ``_assign``; a 1-d array as its row); other keys run in SciPy. A
        ``coo_matrix`` takes no assignment, as SciPy's."""
        if not self._is_array:
            raise TypeError("'coo_matrix' object does not support item assignment")
        if self.ndim > 2:
            return self._nd_setitem(key, x)
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

    def _nd_setitem(self, key, x):
        """``A[key] = x`` of an n-d array, as SciPy's COO: the stored entries inside the
        key dropped, then ``x``'s nonzeros (broadcast to the key's shape; every value
        for a key of ints) appended at their positions, each position once (the
        first), in C order. The key is checked on the host as in ``_nd_fancy``."""
        index, shape, at, none_pos = _keys.validate(key, self._shape)
        shape = tuple(n for i, n in enumerate(shape) if i not in none_pos)
        aaxes = [i for i, k in enumerate(index) if not isinstance(k, slice) and not is_int_like(k)]
        arrays = _np.broadcast_arrays(*[index[i] for i in aaxes]) if aaxes else []
        xdata, xcoords = _assigned_entries(x, shape, self.dtype, self._cls("coo"))
        if xdata is None:
            return
        # The stored entries inside the key, dropped.
        mask = self._inside(index)
        if arrays:
            ashape = tuple(self._shape[i] for i in aaxes)
            keys = _np.unique(_np.ravel_multi_index(tuple(a.reshape(-1) for a in arrays), ashape)) if arrays[0].size else _np.zeros(0)
            keys = lnp.asarray(keys.astype(_np.int64))
            ent = ravel_coords([self._coords[i] for i in aaxes], ashape)
            found = lnp.searchsorted(keys, ent, side="right") > lnp.searchsorted(keys, ent, side="left")
            mask = found if mask is None else mask & found
        keep = lnp.nonzero(~mask)[0] if mask is not None else lnp.zeros(0, INDEX)
        old_data, old_coords = self._data[keep], [c[keep].astype(INDEX) for c in self._coords]
        # x's entries at their positions in the array.
        n = xdata.shape[0]
        pos = at
        if arrays:
            alen = arrays[0].ndim
            flat_x = ravel_coords(xcoords[pos:pos + alen], arrays[0].shape) if alen else lnp.zeros(n, INDEX)
        x_axis, new = 0, []
        for i, k in enumerate(index):
            if arrays and i == pos:
                x_axis += arrays[0].ndim
            if isinstance(k, slice):
                start, _, step = k.indices(self._shape[i])
                new.append(start + xcoords[x_axis].astype(INDEX) * step)
                x_axis += 1
            elif is_int_like(k):
                new.append(lnp.full(n, int(k), INDEX))
            else:
                new.append(lnp.asarray(arrays[aaxes.index(i)].reshape(-1))[flat_x])
        if n:  # each position once, its first value, in C order (SciPy's np.unique)
            flat = ravel_coords(new, self._shape)
            order = lnp.argsort(flat, kind="stable")
            sflat = flat[order]
            first = lnp.nonzero(lnp.concatenate([lnp.ones(1, bool), sflat[1:] != sflat[:-1]]))[0]
            xdata, new = xdata[order[first]], list(unravel_coords(sflat[first], self._shape))
        self._set(lnp.concatenate([old_data, xdata]), tuple(lnp.concatenate([a, b.astype(INDEX)]) for a, b in zip(old_coords, new)), self._shape)
        self._canonical = False

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
        if self._is_array and not is_scalar(other) and (self.ndim > 2 or issparse(other) and other.ndim > 2):
            return self._nd_matmul(other)
        x = self._nd_operand(other) if self._is_array else None
        return super().__matmul__(other) if x is None else self._matmul_nd(x)

    def dot(self, other, out=None):
        """``self @ other``; with a dense ``other`` of more than 2 dimensions NumPy's
        ``dot``: ``(m, k) . (..., k, p) -> (m, ..., p)`` (for matrices too, as SciPy)."""
        if self._is_array and not is_scalar(other) and (self.ndim > 2 or issparse(other) and other.ndim > 2):
            if out is not None:
                raise ValueError("out= is only supported for 1-d and 2-d operands")
            return self._nd_dot(other)
        x = self._nd_operand(other)
        if x is None:
            return super().dot(other, out=out)
        if out is not None:
            raise ValueError("out= is only supported for 1-d and 2-d operands")
        return lnp.moveaxis(self._matmul_nd(x), -2, 0)

    def __rmatmul__(self, other):
        """``x @ A`` for a 2-d COO array and an n-d dense ``x``:
        ``(..., p, m) @ (m, n) -> (..., p, n)`` (one product over the stacked rows)."""
        if self.ndim > 2 and not is_scalar(other):  # SciPy's: the transposes of the last two axes
            x = other if issparse(other) else as_legate(other)
            res = self._swap_last()._nd_matmul(x if x.ndim == 1 else _swap_axes(x))
            return res if x.ndim == 1 else _swap_axes(res)
        x = self._nd_operand(other) if self._is_array else None
        if x is None:
            return super().__rmatmul__(other)
        m, n = self._shape
        if x.shape[-1] != m:
            raise ValueError(f"matmul: dimension mismatch with signature (n,..,k={x.shape[-1]}),(k={m},..,m)->(n,..,m)")
        return super().__rmatmul__(x.reshape(-1, m)).reshape(x.shape[:-1] + (n,))

    # ---- n-d arrays ----

    def _swap_last(self):
        """The array with its last two axes swapped."""
        return self.transpose(tuple(range(self.ndim - 2)) + (self.ndim - 1, self.ndim - 2))

    def _to_2d(self, axes):
        """SciPy's ``_convert_to_2d``: the 2-d COO array whose rows are the flat
        positions over the other axes and columns those over ``axes``, and the shape of
        the other axes."""
        rest = tuple(a for a in range(self.ndim) if a not in axes)
        rshape, ashape = tuple(self._shape[a] for a in rest), tuple(self._shape[a] for a in axes)
        rows = ravel_coords([self._coords[a] for a in rest], rshape) if rest else lnp.zeros(self.nnz, INDEX)
        cols = ravel_coords([self._coords[a] for a in axes], ashape)
        shape2 = (int(_np.prod(rshape, dtype=object)), int(_np.prod(ashape, dtype=object)))
        return self._cls("coo")._new(self._data, rows, cols, shape2, wide=True), rshape  # int64: no copies

    def _broadcast_batch(self, batch):
        """The array broadcast to ``batch + shape[-2:]``: its entries repeated along each
        axis of length 1 that grows (SciPy's ``_broadcast_to``)."""
        shape = (1,) * (len(batch) + 2 - self.ndim) + self._shape
        new = tuple(batch) + self._shape[-2:]
        if shape == new:
            return self
        coords, data = [c.astype(INDEX) for c in self.reshape(shape)._coords], self._data
        for a, (old, n) in enumerate(zip(shape, new)):
            if old != n:
                k = data.shape[0]
                data = lnp.tile(data, n)
                coords = [lnp.tile(c, n) for c in coords]
                coords[a] = lnp.repeat(lnp.arange(n, dtype=INDEX), k)
        return self._make(data, coords, new)

    def _block_diag(self):
        """The 2-d block-diagonal array of the ``(m, k)`` matrices along the batch axes."""
        *batch, m, k = self._shape
        b = ravel_coords(self._coords[:-2], batch) if batch else lnp.zeros(self.nnz, INDEX)
        nb = int(_np.prod(batch, dtype=object))
        return self._cls("coo")._new(self._data, b * m + self._coords[-2], b * k + self._coords[-1], (nb * m, nb * k))

    def _rows_product(self, x, sort=True):
        """``self @ x`` for a 2-d ``self`` and a dense 1-d or 2-d ``x``: the native
        product of the CSR array of the entries in row order, their duplicates left to
        the product to sum (a stable sort by row only where the rows are out of order,
        not ``tocsr``'s sort by position with its sums of duplicates; ``None`` then
        unless ``sort``)."""
        m, _ = self._shape
        x = as_legate(x)
        dt = upcast(self.dtype, x.dtype)
        rows, cols, data = self._coords[0], self._coords[1], self._data
        if self.nnz > 1 and not self._canonical and not bool(lnp.all(rows[1:] >= rows[:-1])):
            if not sort:
                return None
            order = lnp.argsort(rows, kind="stable")
            rows, cols, data = rows[order], cols[order], data[order]
        B = self._cls("csr")._new(data.astype(dt, copy=False), cols, _kernels.compress_sorted(rows, m), self._shape, wide=True)
        return B._matmul_dense(x.astype(dt, copy=False), dt, None)

    def _nd_matmul(self, other):
        """``self @ other`` with NumPy's matmul rules where either is n-d (SciPy 1.17's):
        a 1-d or 2-d ``other`` meets the last axis in one product with the entries'
        other axes as rows; an n-d one goes block-diagonal over the broadcast batch."""
        x = other if issparse(other) else as_legate(other)
        if x.ndim == 0:
            raise ValueError("Scalar operands are not allowed, use '*' instead")
        k, kx = self._shape[-1], x.shape[0] if x.ndim == 1 else x.shape[-2]
        if k != kx:
            raise ValueError(f"matmul: dimension mismatch with signature (n,..,k={k}),(k={kx},..,m)->(n,..,m)")
        if x.ndim == 1 and not issparse(x):
            return self._matvec(x)
        if x.ndim <= 2:
            A2, rshape = self._to_2d((self.ndim - 1,))
            res = A2 @ x if issparse(x) else self._entries_product(A2, x)
            return res.reshape(rshape + x.shape[1:])
        try:
            batch = _np.broadcast_shapes(self._shape[:-2], x.shape[:-2])
        except ValueError:
            raise ValueError("Batch dimensions are not broadcastable") from None
        m, p = self._shape[-2], x.shape[-1]
        X = None if issparse(x) else lnp.broadcast_to(x, batch + (k, p)).reshape(-1, p)
        B = self._broadcast_batch(batch)
        if X is not None and _kernels.coo_spmm_takes(self.dtype, x.dtype):
            # The native COO SpMM of the block-diagonal matrix (entries in any order),
            # each entry's block its position in the batch.
            dt, nb = upcast(self.dtype, x.dtype), int(_np.prod(batch, dtype=object))
            blocks = ravel_coords(B._coords[:-2], batch)
            Y = _kernels.coo_spmm(B._coords[-2], B._coords[-1], B._data.astype(dt, copy=False), X.astype(dt, copy=False), nb * m, blocks, (m, k))
            return Y.reshape(batch + (m, p))
        A = B._block_diag()
        if issparse(x):
            X = self._cls("coo")(x)._broadcast_batch(batch)._block_diag()
            P = (A @ X).tocoo()  # block-diagonal too: entry (b m + i, b p + j)
            if P.nnz == 0:
                return self._cls("coo")(batch + (m, p), dtype=P.dtype)
            b = P.row.astype(INDEX) // m
            return self._make(P.data, unravel_coords(b, batch) + (P.row % m, P.col % p), batch + (m, p))
        if self._small_dense() and A.nnz > 1 and not bool(lnp.all(A.row[1:] >= A.row[:-1])):
            dt = upcast(self.dtype, x.dtype)  # entries out of order: no sort, the dense product
            return lnp.matmul(self._dense().astype(dt, copy=False), x.astype(dt, copy=False))
        return A._rows_product(X).reshape(batch + (m, p))

    def _entries_product(self, A2, X):
        """``A2 @ X`` for ``A2``, the 2-d COO array of this array's entries in their
        order, and a dense 2-d ``X``: float and complex entries in one pass of the native
        COO SpMM (in any order), others by ``_rows_product`` (CSR's SpMM on the entries
        in row order, sorted by row where they are not)."""
        if not _kernels.coo_spmm_takes(self.dtype, X.dtype):
            return A2._rows_product(X)
        dt = upcast(self.dtype, X.dtype)
        return _kernels.coo_spmm(A2.row, A2.col, A2._data.astype(dt, copy=False), X.astype(dt, copy=False), A2.shape[0])

    def _matvec(self, x):
        """``A @ x`` for a dense 1-d ``x``: the entries times ``x`` at their last
        coordinate, summed per position of the other axes: the native COO kernel (float
        and complex values), else the native SpMV where the entries are in row order,
        else the dense product where the dense array is small, else one segment sum
        (no sort)."""
        dt = upcast(self.dtype, x.dtype)
        rshape = self._shape[:-1]
        A2 = self._to_2d((self.ndim - 1,))[0]
        xd = x.astype(dt, copy=False)
        res = _kernels.coo_spmv(A2.row, A2.col, self._data.astype(dt, copy=False), xd, A2.shape[0])
        if res is not None:  # the native kernel: one pass over the entries in any order
            return res.reshape(rshape)
        res = A2._rows_product(x, sort=False)
        if res is None and self._small_dense():  # the dense (rows, k) matrix, then its product
            m, k = A2.shape
            dense = _dense_sums(self._data, A2.row * k + A2.col, m * k).astype(dt, copy=False).reshape(m, k)
            return lnp.matmul(dense, x.astype(dt, copy=False)).reshape(rshape)
        if res is None:
            vals = self._data.astype(dt, copy=False) * x.astype(dt, copy=False)[self._coords[-1]]
            res = _kernels.segment_sum(vals, A2.row, A2.shape[0])
        return res.reshape(rshape)

    def _nd_dot(self, other):
        """``self.dot(other)`` where either is n-d: NumPy's ``dot``, the last axis of
        ``self`` against the second to last of ``other`` (its only one if 1-d), the
        other axes of both kept in order: one 2-d product."""
        x = other if issparse(other) else as_legate(other)
        k = self._shape[-1]
        if x.ndim == 0 or x.shape[-2:][0] != k:
            raise ValueError(f"shapes {self.shape} and {x.shape} are not aligned for n-D dot")
        if x.ndim == 1 and not issparse(x):
            return self._matvec(x)
        A2, rshape = self._to_2d((self.ndim - 1,))
        if issparse(x):
            X2, xshape = self._cls("coo")(x)._to_2d((max(0, x.ndim - 2),))
            res = A2 @ X2.T
        else:
            xshape = () if x.ndim == 1 else x.shape[:-2] + x.shape[-1:]
            res = A2._rows_product(x if x.ndim == 1 else lnp.moveaxis(x, -2, 0).reshape(k, -1))
        return res.reshape(rshape + xshape)

    def tensordot(self, other, axes=2):
        """SciPy's ``tensordot``: the sums of products over ``axes`` (an int ``N``: the
        last ``N`` axes of ``self`` and the first ``N`` of ``other``; or two lists of
        axes), the other axes of ``self`` then of ``other`` kept in order. One 2-d
        product: a dense result for a dense ``other``, a COO array for a sparse one."""
        if not self._is_array:
            return self._fallback_method("tensordot", other, axes=axes)
        if not issparse(other) and not is_dense(other):
            arr = _np.asanyarray(other)
            if arr.ndim == 0 and arr.dtype == _np.object_:
                raise TypeError(f"tensordot arg not supported type: '{type(other)}'")
            if not hasattr(other, "shape"):
                other = arr
        x = other if issparse(other) else as_legate(other)
        sa, xa = _tensordot_axes(self.ndim, x.ndim, axes)
        if any(self._shape[a] != x.shape[b] for a, b in zip(sa, xa)):
            raise ValueError("sizes of the corresponding axes must match")
        srest = tuple(self._shape[a] for a in range(self.ndim) if a not in sa)
        xrest = tuple(x.shape[b] for b in range(x.ndim) if b not in xa)
        if not issparse(x):
            A2, _ = self._to_2d(tuple(sa))
            k = A2.shape[1]
            R = lnp.transpose(x, tuple(xa) + tuple(b for b in range(x.ndim) if b not in xa)).reshape(k, -1)
            return A2._rows_product(R).reshape(srest + xrest)
        A2, X2 = self._as_rows(sa), self._cls("coo")(x)._as_rows(xa)
        if not srest and not xrest:  # every axis contracted: NumPy's scalar
            dt = upcast(self.dtype, x.dtype)
            return A2.multiply(X2).sum(dtype=dt).astype(dt)  # bools: any product
        prod = (A2 @ X2.T).tocoo()
        coords = []
        for c, shp in zip(prod.coords, (srest, xrest) if srest else (xrest,)):
            if shp:
                coords.extend(unravel_coords(c.astype(INDEX, copy=False), shp))
        return self._make(prod.data, coords, srest + xrest)

    def _as_rows(self, axes):
        """SciPy's ``_convert_to_2d``: ``_to_2d``, but the 1-d array of the flat
        positions over ``axes`` when they are all the axes."""
        if len(axes) == self.ndim:
            flat = ravel_coords([self._coords[a] for a in axes], tuple(self._shape[a] for a in axes))
            return self._make(self._data, (flat,), (int(_np.prod(self._shape, dtype=object)),))
        return self._to_2d(tuple(axes))[0]

    def _flat_op(self, fn, other):
        """``fn`` on the ``(1, N)`` arrays of the same entries (``other`` flattened too
        when sparse), reshaped back: SciPy's elementwise operations of n-d arrays."""
        res = fn(self.reshape(1, -1), other.reshape(1, -1) if issparse(other) else other)
        return res.reshape(self._shape) if issparse(res) or isinstance(res, lnp.ndarray) and res.ndim == 2 else res

    def _nd_elementwise(self, other) -> bool:
        """Whether an elementwise operation with ``other`` runs on the flattened arrays:
        an n-d array and a scalar or a sparse array of the same shape."""
        return self.ndim > 2 and (is_scalar(other) or issparse(other) and other.shape == self._shape)

    def _comparison(self, other, op):
        if self._nd_elementwise(other):
            return self._flat_op(lambda A, B: A._comparison(B, op), other)
        return super()._comparison(other, op)

    def _minmax(self, other, op):
        if self._nd_elementwise(other):
            return self._flat_op(lambda A, B: A._minmax(B, op), other)
        return super()._minmax(other, op)

    def multiply(self, other):
        """Elementwise product; n-d as SciPy's: with a scalar, a sparse array of the same
        shape, or a dense array of the same shape (no broadcasting, SciPy's error)."""
        if self.ndim <= 2 or is_scalar(other):
            return super().multiply(other)
        if issparse(other):
            self._check_same_shape(other)
            return self._flat_op(lambda A, B: A.multiply(B), other)
        dense = as_legate(other)
        if dense.shape != self._shape:
            raise ValueError("inconsistent shapes: >2D multiply() does not yet support broadcasting")  # SciPy's
        dt = upcast(self.dtype, dense.dtype)
        return self._with_data(self._data.astype(dt) * dense[self._coords])

    def _add_sparse(self, other, sign):
        """n-d: the entries of both, concatenated (SciPy's n-d sum keeps them apart)."""
        if self.ndim <= 2 and other.ndim <= 2:
            return super()._add_sparse(other, sign)
        if other.shape != self._shape:
            raise ValueError(f"Incompatible shapes ({self.shape} and {other.shape})")
        B = self._cls("coo")(other)
        data = lnp.concatenate([self._data, B.data if sign > 0 else -B.data])
        coords = [lnp.concatenate([a.astype(INDEX), b.astype(INDEX)]) for a, b in zip(self._coords, B.coords)]
        return self._make(data, coords, self._shape)

    def sum(self, axis=None, dtype=None, out=None):
        """Sum of the values; n-d over an axis, a tuple of axes or all of them (SciPy's
        ``validateaxis``), a dense array of the other axes."""
        if self.ndim <= 2:
            return super().sum(axis, dtype, out)
        return write_out(self._nd_reduce(self._data.astype(self._sum_dtype(dtype), copy=False), _nd_axes(axis, self.ndim)), out)

    def _nd_reduce(self, data, axes):
        """Sums of ``data`` (one value per entry) over ``axes`` (``None``: all)."""
        if axes is None:
            return lnp.sum(data) if data.shape[0] else lnp.zeros((), data.dtype)
        rest = tuple(a for a in range(self.ndim) if a not in axes)
        rshape = tuple(self._shape[a] for a in rest)
        flat = ravel_coords([self._coords[a] for a in rest], rshape)
        return _kernels.segment_sum(data, flat, int(_np.prod(rshape, dtype=object))).reshape(rshape)

    def mean(self, axis=None, dtype=None, out=None):
        """Mean over all entries (implicit zeros included) or axes, as ``sum``."""
        if self.ndim <= 2:
            return super().mean(axis, dtype, out)
        axes = _nd_axes(axis, self.ndim)
        inter = _np.float64 if self.dtype.kind in "biu" else self.dtype
        count = int(_np.prod([self._shape[a] for a in (axes or range(self.ndim))], dtype=object))
        total = self.sum(axis=axes, dtype=inter)
        res = total / count if count else total * _np.nan
        return write_out(res.astype(dtype or inter, copy=False), out)

    def count_nonzero(self, axis=None):
        """Values that are not zero once duplicates are summed (in place, as SciPy's);
        along n-d axes NumPy's ``count_nonzero`` of the dense array (SciPy 1.17's
        counts along the wrong axes there)."""
        if self.ndim <= 2:
            return super().count_nonzero(axis)
        self.sum_duplicates()
        res = self._nd_reduce((self._data != 0).astype(INDEX), _nd_axes(axis, self.ndim))
        return _np.int64(int(res)) if res.ndim == 0 else res

    def _nd_extreme(self, name, axis, kwargs):
        """``max``/``min``/``nanmax``/``nanmin``/``argmax``/``argmin`` of an n-d array, as
        SciPy's: over all entries those of the flattened array; over axes the 2-d
        array's along its rows (``_to_2d``), reshaped to the other axes (sparse for
        the values, dense for the positions)."""
        axes = _nd_axes(axis, self.ndim)
        res = self._dense_extreme(name, axes, kwargs["explicit"])
        if res is not None:
            return res
        if axes is None:
            return getattr(self.reshape(-1), name)(**kwargs)
        A2, rshape = self._to_2d(axes)
        res = getattr(A2, name)(axis=1, **kwargs)
        return res.reshape(rshape)

    def _small_dense(self) -> bool:
        """Whether the dense array has at most ``_DENSE_SCRATCH`` positions an entry (a
        sort of the entries costs about as much as a pass over it) and fits easily."""
        size = int(_np.prod(self._shape, dtype=object))
        return size <= min(_DENSE_SCRATCH * self.nnz + 2**16, 2**26)

    def _dense_extreme(self, name, axes, explicit):
        """``_nd_extreme`` through the dense array when it is not much larger than the
        entries (``None`` otherwise, or for SciPy's errors): duplicates summed by one
        scatter, the reduced axes moved last and each line reduced as NumPy reduces it
        (implicit zeros are zeros there), ``explicit`` reading only stored positions.
        No sort, where the CSR lines of ``_to_2d`` sort every entry."""
        size = int(_np.prod(self._shape, dtype=object))
        if size == 0 or not self._small_dense() or (explicit and self.nnz == 0):
            return None
        dt, kind, arg = self.dtype, self.dtype.kind, name.startswith("arg")
        is_max = "max" in name
        flat = ravel_coords(self._coords, self._shape)
        dense = _dense_sums(self._data, flat, size)
        axes = tuple(range(self.ndim)) if axes is None else axes
        rest = tuple(a for a in range(self.ndim) if a not in axes)
        rshape = tuple(self._shape[a] for a in rest)
        nrest = int(_np.prod(rshape, dtype=object))

        def lines(x):  # (other axes raveled, reduced axes raveled in their order)
            return lnp.transpose(x.reshape(self._shape), rest + axes).reshape(nrest, -1)

        D = lines(dense)
        stored = None
        if explicit:
            stored = lines(lnp.bincount(flat, minlength=size) > 0)
            if kind in "fc" and name.startswith("nan"):
                fill = _np.nan
            elif kind in "fc":
                fill = complex(-_np.inf, -_np.inf) if is_max else complex(_np.inf, _np.inf)
                fill = fill.real if kind == "f" else fill
            elif kind == "b":
                fill = not is_max
            else:
                info = _np.iinfo(dt)
                fill = info.min if is_max else info.max
            D = lnp.where(stored, D, lnp.full((), fill, dt))
        if name.startswith("nan") and kind in "fc":
            reduce = lnp.nanmax if is_max else lnp.nanmin
        else:
            reduce = lnp.max if is_max else lnp.min
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN lines: NaN
            best = reduce(D, axis=1)
        if explicit:
            best = lnp.where(lnp.any(stored, axis=1), best, lnp.zeros((), dt))
        if arg:
            if explicit:  # the first stored position of the line's extreme, or 0
                hit = D == best.reshape(-1, 1)
                if kind in "fc":
                    hit |= lnp.isnan(D) & lnp.isnan(best).reshape(-1, 1)
                res = lnp.argmax(hit & stored, axis=1)
            else:
                res = (lnp.argmax if is_max else lnp.argmin)(D, axis=1)
            res = res.astype(INDEX, copy=False)
            return int(res[0]) if not rest else res.reshape(rshape)
        if not rest:
            return best.reshape(())
        keep = lnp.nonzero(best)[0]
        return self._make(best[keep], unravel_coords(keep, rshape), rshape)


def _dense_sums(data, flat, size: int):
    """The dense 1-d array of ``size`` with the values at ``flat`` summed (duplicates as
    SciPy's ``sum_duplicates`` sums them: wrapping integers, ``or`` for bools): one
    ``bincount`` where its float64 sums are exact, otherwise ``add.at``."""
    dt, n = data.dtype, data.shape[0]
    if n == 0:
        return lnp.zeros(size, dt)
    if dt.kind in "fc":
        return _kernels.segment_sum(data, flat, size)
    if dt.kind == "b":
        return lnp.bincount(flat, weights=data.astype(_np.float64), minlength=size) > 0
    if dt.itemsize <= 4 and n < 2**21:  # |sum| < 2**31 * 2**21: exact in float64
        return lnp.bincount(flat, weights=data.astype(_np.float64), minlength=size).astype(_np.int64).astype(dt)
    dense = lnp.zeros(size, dt)
    lnp.add.at(dense, flat, data)
    return dense


# ``max``/``argmax``/... over axes and products with n-d operands of entries out of
# order go through the dense array up to this many positions an entry.
_DENSE_SCRATCH = 16


def _assigned_entries(x, shape, dtype, coo):
    """``x`` of an assignment as SciPy's COO takes it: ``(data, coords)`` of its nonzeros
    in the key's ``shape`` (a sparse ``x`` broadcast, leading or trailing axes of
    length 1 dropped; a dense one squeezed and broadcast; every value for a key of
    ints), or ``(None, None)`` when there is nothing to set."""
    if issparse(x):
        if 0 in x.shape:
            return None, None
        X = coo(x, copy=True)
        X.sum_duplicates()
        data, coords, xs = X.data.astype(dtype, copy=False), [c.astype(INDEX) for c in X.coords], list(X.shape)
        if tuple(xs) != shape:
            if len(shape) > len(xs):
                coords = [lnp.zeros(X.nnz, INDEX)] * (len(shape) - len(xs)) + coords
                xs = [1] * (len(shape) - len(xs)) + xs
            while len(xs) > len(shape):
                if xs[0] == 1:
                    xs, coords = xs[1:], coords[1:]
                elif xs[-1] == 1:
                    xs, coords = xs[:-1], coords[:-1]
                else:
                    raise ValueError("shape mismatch in assignment")
            for i, (nn, nx) in enumerate(zip(shape, xs)):
                if nn == nx:
                    continue
                if nx != 1:
                    raise ValueError("shape mismatch in assignment")
                k = coords[0].shape[0]
                coords = [lnp.repeat(lnp.arange(nn, dtype=INDEX), k) if j == i else lnp.tile(c, nn) for j, c in enumerate(coords)]
                data = lnp.tile(data, nn)
        return data, coords
    d = as_legate(x).astype(dtype, copy=False)
    if d.size == 0:
        return None, None
    if d.shape != shape:
        d = lnp.broadcast_to(lnp.squeeze(d), shape)
    if shape == ():
        return d.reshape(-1), []
    return _np_nonzero_entries(d)


def _np_nonzero_entries(d):
    """The nonzeros of a dense array in C order: ``(values, coords)``."""
    flat = d.reshape(-1)
    idx = lnp.nonzero(flat)[0]
    return flat[idx], list(unravel_coords(idx, d.shape))


def _tensordot_axes(ndim_a: int, ndim_b: int, axes):
    """``tensordot``'s axes as two lists of non-negative axes, with SciPy's errors."""
    if isinstance(axes, int):
        if axes < 1 or axes > min(ndim_a, ndim_b):
            raise ValueError("axes integer is out of bounds for input arrays")
        return list(range(ndim_a - axes, ndim_a)), list(range(axes))
    if not isinstance(axes, (tuple, list)):
        raise TypeError("axes must be an integer or a tuple/list of integers")
    if len(axes) != 2:
        raise ValueError("axes must be a tuple/list of length 2")
    axes_a, axes_b = axes
    if len(axes_a) != len(axes_b):
        raise ValueError("axes lists/tuples must be of the same length")
    if any(a >= ndim_a or a < -ndim_a for a in axes_a) or any(b >= ndim_b or b < -ndim_b for b in axes_b):
        raise ValueError("axes indices are out of bounds for input arrays")
    return [a % ndim_a for a in axes_a], [b % ndim_b for b in axes_b]


def _dtype_of(x):
    """The dtype of an array or of a list as NumPy would make it."""
    return x.dtype if hasattr(x, "dtype") else _np.asarray(x).dtype


def _select_plan(index, shape, at):
    """The native ``coo_select``'s plan (a NumPy int64 array; ``None`` when an empty
    slice or index array leaves nothing inside) for a key checked by ``_keys.validate``
    on an array of ``shape`` (its ``index`` and ``at``), and the number of result
    coordinates it gives (one a slice, one an axis of the index arrays' shape)."""
    axes, aaxes, nslice, empty = [], [], 0, False
    for i, (k, n) in enumerate(zip(index, shape)):
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            length = len(range(start, stop, step))
            axes += [0, 0, 0, 0] if (start, step, length) == (0, 1, n) else [2, start, step, length]  # all, slice
            nslice, empty = nslice + 1, empty or length == 0
        elif isinstance(k, int):
            axes += [1, k, 0, 0]
        else:
            axes += [3, n, 0, 0]  # an index array: the entries' flat keys over these axes
            aaxes.append(i)
    ashape, tables = (), [[], [0]]  # no keys, one offset, no positions
    if aaxes:
        arrays = _np.broadcast_arrays(*[index[i] for i in aaxes])
        ashape, empty = arrays[0].shape, empty or arrays[0].size == 0
        if not empty:  # each distinct flat key, where its positions start, the positions by key
            keys = _np.ravel_multi_index(tuple(a.reshape(-1) for a in arrays), tuple(shape[i] for i in aaxes))
            order = _np.argsort(keys, kind="stable")
            ukeys, first = _np.unique(keys[order], return_index=True)
            tables = [ukeys, first, [order.size], order]
    nout = nslice + len(ashape)
    if empty:
        return None, nout
    head = [len(index), len(ashape), at, len(tables[0])]
    return _np.concatenate([_np.asarray(p, _np.int64) for p in [head, axes, ashape] + tables]), nout


def _swap_axes(x):
    """A dense or sparse array with its last two axes swapped."""
    if issparse(x):
        return x.T if x.ndim == 2 else x._swap_last()
    return lnp.swapaxes(x, -1, -2)


def _install_nd_extreme(name):
    base = getattr(_spbase, name)

    def method(self, axis=None, out=None, *, explicit=False):
        if self.ndim <= 2:
            return base(self, axis, out, explicit=explicit)
        if out is not None:
            raise ValueError(f"Sparse {name} does not support an 'out' parameter.")
        return self._nd_extreme(name, axis, {"explicit": explicit})

    method.__name__ = name
    method.__doc__ = base.__doc__
    setattr(_coo_base, name, method)


for _name in ("max", "min", "nanmax", "nanmin", "argmax", "argmin"):
    _install_nd_extreme(_name)


@_register("coo", True)
class coo_array(sparray, _coo_base):
    """A COO sparse array (SciPy's ``coo_array``, of any number of dimensions;
    ``coords``/``data`` are legate arrays)."""


@_register("coo", False)
class coo_matrix(spmatrix, _coo_base):
    """A COO sparse matrix (SciPy's ``coo_matrix``: ``*`` is the matrix product)."""


def isspmatrix_coo(x) -> bool:
    """Whether ``x`` is a legate_sparse ``coo_matrix``."""
    return isinstance(x, coo_matrix)
