"""Compressed formats, CSR and CSC, on three legate_numeric arrays.

Both store ``(data, indices, indptr)`` along a *major* axis (rows for CSR, columns for
CSC); every algorithm here is written once for the major axis, so a CSC array is the
CSR array of its transpose and ``transpose()`` swaps the two without copying. Index
arrays have SciPy's dtype: int32 when the shape and the number of entries fit, int64
otherwise (``index_dtype``); the SpMV/SpMM kernels read int32 as they are, a quarter
fewer bytes per entry than int64.
A 1-d CSR array (SciPy 1.17's) is stored as its one row: ``indptr`` is ``[0, nnz]``
and the major shape ``(1, n)``, so the same algorithms serve it.
"""

from __future__ import annotations

import operator

import numpy as _np

import legate_numeric as lnp

from . import _assign, _kernels
from ._base import _spbase, issparse
from ._sputils import (
    INDEX, as_index, as_legate, as_values, index_dtype, keeps_wide, check_dtype, check_shape, getdtype, is_int_like, is_scipy_sparse, one_index,
    refuse_1d_conversion, refuse_1d_input, upcast, write_out,
)

ndarray = lnp.ndarray


class _cs_base(_spbase):
    """CSR/CSC storage and the algorithms on it (written for the major axis)."""

    _major_is_row = True

    # ---- construction ----

    def __init__(self, arg1, shape=None, dtype=None, copy=False):
        dt = getdtype(dtype)
        if isinstance(arg1, _spbase):
            src = arg1.asformat(self.format)
            # A 1-d CSR array is stored as its row: a CSR matrix takes it as (1, n).
            shp = src.shape if self._allows_1d or src.ndim == 2 else (1,) + src.shape
            self._set(src._data, src._indices, src._indptr, shp, copy=copy, wide=src._indices.dtype == INDEX)
            self._canonical = src._canonical
            self._sorted = src._sorted
        elif is_scipy_sparse(arg1):
            s = arg1.asformat(self.format)  # SciPy refuses a 1-d array for CSC itself
            check_dtype(s.dtype)
            shp = s.shape if self._allows_1d or s.ndim == 2 else (1,) + s.shape
            self._set(as_legate(s.data), as_index(s.indices), as_index(s.indptr), shp,
                      wide=not _np.can_cast(s.indices.dtype, _np.int32))
            self._canonical = bool(s.has_canonical_format) or None
            self._sorted = bool(s.has_sorted_indices) or None
        elif isinstance(arg1, tuple) and len(arg1) in (1, 2) and all(is_int_like(a) for a in arg1):
            shp = check_shape(arg1, self._ndims())
            self._shape = shp
            self._set(lnp.zeros(0, dt or _np.float64), lnp.zeros(0, INDEX), lnp.zeros(self._major_shape()[0] + 1, INDEX), shp)
            self._canonical = self._sorted = True
            dt = None
        elif isinstance(arg1, tuple) and len(arg1) == 2:
            from ._coo import coo_array

            src = coo_array(arg1, shape=shape, dtype=dt, copy=copy).asformat(self.format)
            self._set(src._data, src._indices, src._indptr, src.shape, wide=self._wide_input(arg1[1]))
            self._canonical = self._sorted = True
            dt = None
        elif isinstance(arg1, tuple) and len(arg1) == 3:
            self._from_arrays(*arg1, shape=shape, copy=copy)
        elif isinstance(arg1, tuple):
            raise ValueError(f"unrecognized {self.format}_array constructor input: a tuple of {len(arg1)}")
        else:
            self._from_dense(arg1)
        if shape is not None and tuple(shape) != self._shape and not isinstance(arg1, tuple):
            self._widen_minor(tuple(shape))
        if dt is not None and dt != self._data.dtype:
            self._data = self._data.astype(dt)

    def _widen_minor(self, shape):
        """Takes ``shape`` for a dense or sparse input of another shape: as SciPy's, the
        compressed arrays stand for a shape with more columns (CSR) or rows (CSC),
        padded with zeros; any other shape raises (SciPy's refuses it, or corrupts
        its arrays when the minor dimension shrinks)."""
        old = self._shape
        major = 0 if self._major_is_row else 1
        if not (len(shape) == len(old) == 2 and shape[major] == old[major] and shape[1 - major] > old[1 - major]):
            raise ValueError(f"shape {shape} does not match the input's shape {old}")
        flags = self._canonical, self._sorted
        self._set(self._data, self._indices, self._indptr, check_shape(shape))
        self._canonical, self._sorted = flags

    def _ndims(self) -> tuple:
        return (1, 2) if self._allows_1d else (2,)

    def _set(self, data, indices, indptr, shape, copy=False, wide=None):
        """Stores the arrays, with SciPy's index dtype: int32 when the values fit, or
        int64 throughout when ``wide`` (an array built from int64 index arrays keeps
        them, as SciPy's do; ``None`` keeps the array's current choice)."""
        if copy:
            data, indices, indptr = data.copy(), indices.copy(), indptr.copy()
        self._shape = tuple(int(s) for s in shape)
        if wide is not None:
            self._wide = wide
        idx = INDEX if getattr(self, "_wide", False) else index_dtype(self._shape, indices.shape[0])
        indices, indptr = indices.astype(idx, copy=False), indptr.astype(idx, copy=False)
        self._data, self._indices, self._indptr = data, indices, indptr
        self._clear_caches()
        self._canonical = None
        self._sorted = None

    def _clear_caches(self):
        """Drops what was computed from ``indices``/``indptr`` and notes which arrays
        and write generations the next caches will be computed from."""
        self._pos_cache = None
        self._cols_cache = None
        self._rows_cache = None
        self._patterns_cache = None  # (ids, tables), or False: not worth it or not possible
        self._products = 0
        self._index_state = self._index_generations(flush=False)

    def _index_generations(self, flush):
        """The stores of ``indices`` and ``indptr`` and their write generations (see
        ``legate._legate.Store.write_generation``): they change when anything writes
        either, in place (``A.indices[...] = ...``, ``+=``, ``resize``) included."""
        i, p = self._indices._store, self._indptr._store
        return i, i.write_generation(flush), p, p.write_generation(False)

    def _check_caches(self):
        """Drops the caches when ``indices`` or ``indptr`` were written since they were
        made (the held-back writes issued first, so that they count)."""
        now = self._index_generations(flush=True)
        old = self._index_state
        if old is None or not (now[0] is old[0] and now[1] == old[1] and now[2] is old[2] and now[3] == old[3]):
            self._clear_caches()
            self._index_state = now

    @classmethod
    def _new(cls, data, indices, indptr, shape, canonical=None, wide=False):
        """Wraps arrays known to be consistent (no checks, no copies; int32 indices
        when they fit, unless ``wide``)."""
        obj = object.__new__(cls)
        obj._set(data, indices, indptr, shape, wide=wide)
        if canonical:
            obj._canonical = obj._sorted = True
        return obj

    def _major_shape(self):
        if len(self._shape) == 1:
            return (1, self._shape[0])
        m, n = self._shape
        return (m, n) if self._major_is_row else (n, m)

    def _wide_input(self, index_arrays) -> bool:
        return keeps_wide(self._is_array, index_arrays)

    def _from_arrays(self, data, indices, indptr, shape=None, copy=False):
        wide = self._wide_input((indices, indptr))
        data = as_legate(data, copy=copy)
        check_dtype(data.dtype)
        indices = as_index(indices, "indices", copy=copy)
        indptr = as_index(indptr, "indptr", copy=copy)
        if data.ndim != 1:
            raise ValueError(f"data array must be 1-d, got {data.ndim}-d")
        if shape is None:
            major = indptr.shape[0] - 1
            minor = int(lnp.max(indices)) + 1 if indices.shape[0] else 0
            if major < 0:
                raise ValueError("index pointer array must not be empty")
            shape = (major, minor) if self._major_is_row else (minor, major)
        shape = check_shape(shape, self._ndims())
        if len(shape) == 1:
            major, minor = 1, shape[0]
        else:
            major, minor = shape if self._major_is_row else shape[::-1]
        data, indices = check_compressed(data, indices, indptr, major, minor, "indices")
        self._set(data, indices, indptr, shape, wide=wide)

    def _from_dense(self, arg1):
        if arg1 is None and self._allows_1d:  # SciPy's TypeError (a ValueError elsewhere)
            raise TypeError("function missing 1 required positional argument: 'shape'")
        d = as_values(arg1)
        if d.ndim == 0 and self._is_array:
            raise ValueError("scipy sparse array classes do not support instantiation from a scalar")
        if d.ndim == 1 and self._is_array and not self._allows_1d:
            refuse_1d_input(self.format)
        if d.ndim == 0 or d.ndim == 1 and not self._is_array:
            d = d.reshape(1, -1)
        if d.ndim == 1:  # stored as its row
            self._from_dense(d.reshape(1, -1))
            self._shape = d.shape
            return
        if d.ndim != 2:
            raise ValueError(f"{self.format.upper()} arrays of legate_sparse must be 2-d, got {d.ndim}-d input")
        m, n = d.shape
        src = d if self._major_is_row else d.T
        flat = src.reshape(-1) if self._major_is_row else src.copy().reshape(-1)
        idx = lnp.nonzero(flat)[0] if flat.shape[0] else lnp.zeros(0, INDEX)
        minor = n if self._major_is_row else m
        major = m if self._major_is_row else n
        rows = idx // minor if minor else idx
        cols = idx % minor if minor else idx
        self._set(flat[idx], cols, _kernels.compress_sorted(rows, major), (m, n))
        self._canonical = self._sorted = True

    # ---- attributes ----

    @property
    def indices(self):
        return self._indices

    @indices.setter
    def indices(self, value):
        self._indices = as_index(value, "indices")
        self._clear_caches()
        self._canonical = self._sorted = None

    @property
    def indptr(self):
        return self._indptr

    @indptr.setter
    def indptr(self, value):
        self._indptr = as_index(value, "indptr")
        self._clear_caches()
        self._canonical = self._sorted = None

    def _pos(self, check=True):
        """The native kernels' row ranges of ``indptr`` (cached; ``check=False`` when
        the caller has just called ``_check_caches``)."""
        if check:
            self._check_caches()
        if self._pos_cache is None:
            self._pos_cache = _kernels.row_ranges(self._indptr)
        return self._pos_cache

    def _cols(self, check=True):
        """The native kernels' column range of each row (cached): what lets SpMV read
        ``x`` through int32 indices (see ``_native.column_ranges``)."""
        pos = self._pos(check)
        if self._cols_cache is None:
            self._cols_cache = _kernels.column_ranges(pos, self._indices)
        return self._cols_cache

    def _patterns(self, check=True):
        """The rows' pattern ids and tables (see ``_native.row_patterns``) for the
        native SpMV, from the second product on (a matrix used once does not pay the
        inspection), or None."""
        if check:
            self._check_caches()
        if self._patterns_cache is None:
            self._products += 1
            if self._products < 2:
                return None
            self._patterns_cache = _kernels.row_patterns(self._pos(False), self._indices) or False
        return self._patterns_cache or None

    def _row_ids(self):
        """The major index of each stored entry (cached)."""
        self._check_caches()
        if self._rows_cache is None:
            self._rows_cache = _kernels.row_ids(self._indptr, self.nnz)
        return self._rows_cache

    # ---- canonical form ----

    def _check_order(self, strict: bool) -> bool:
        if self.nnz <= 1:
            return True
        rows = self._row_ids()
        same = rows[1:] == rows[:-1]
        bad = (self._indices[1:] <= self._indices[:-1]) if strict else (self._indices[1:] < self._indices[:-1])
        return not bool(lnp.any(same & bad))

    @property
    def has_sorted_indices(self) -> bool:
        """Whether indices are sorted within each row (column for CSC)."""
        if self._sorted is None:
            self._sorted = self._check_order(strict=False)
        return self._sorted

    @has_sorted_indices.setter
    def has_sorted_indices(self, value):
        self._sorted = bool(value)

    @property
    def has_canonical_format(self) -> bool:
        """Whether indices are sorted and free of duplicates."""
        if self._canonical is None:
            self._canonical = self._check_order(strict=True)
            if self._canonical:
                self._sorted = True
        return self._canonical

    @has_canonical_format.setter
    def has_canonical_format(self, value):
        self._canonical = bool(value)
        if value:
            self._sorted = True

    def _reorder(self, sum_duplicates: bool):
        maj = self._major_shape()
        rows, cols, data = _kernels.canonical_coo(self._row_ids(), self._indices, self._data, maj, sum_duplicates)
        self._set(data, cols, _kernels.compress_sorted(rows, maj[0]), self._shape)

    def sum_duplicates(self):
        """Sorts indices and sums duplicate entries, in place."""
        if self.has_canonical_format:
            return
        self._reorder(True)
        self._canonical = self._sorted = True

    def sort_indices(self):
        """Sorts the indices of each row (column for CSC) in place."""
        if self.has_sorted_indices:
            return
        self._reorder(False)
        self._sorted = True

    def sorted_indices(self):
        A = self.copy()
        A.sort_indices()
        return A

    def eliminate_zeros(self):
        """Removes stored zeros in place."""
        if self.nnz == 0:
            return
        keep = lnp.nonzero(self._data)[0]
        if keep.shape[0] == self.nnz:
            return
        canonical, sorted_ = self._canonical, self._sorted
        rows = self._row_ids()[keep]
        self._set(self._data[keep], self._indices[keep], _kernels.compress_sorted(rows, self._major_shape()[0]), self._shape)
        self._canonical, self._sorted = canonical, sorted_

    # ---- structure-preserving ----

    def _with_data(self, data, copy=True):
        indices, indptr = (self._indices.copy(), self._indptr.copy()) if copy else (self._indices, self._indptr)
        out = type(self)._new(data, indices, indptr, self._shape, wide=self._is_wide())
        out._canonical, out._sorted = self._canonical, self._sorted
        return out

    # ---- conversions ----

    def transpose(self, axes=None, copy=False):
        """The other format over the same arrays (no copy unless ``copy``); a 1-d
        array is its own transpose."""
        if axes is not None and tuple(axes) != (1, 0):
            raise ValueError("Sparse arrays/matrices do not support an 'axes' parameter because swapping dimensions is the only logical permutation.")
        if self.ndim == 1:
            return self.copy() if copy else self
        d, i, p = (self._data, self._indices, self._indptr)
        if copy:
            d, i, p = d.copy(), i.copy(), p.copy()
        out = self._cls(self._other_format)._new(d, i, p, self._shape[::-1], wide=self._is_wide())
        out._canonical, out._sorted = self._canonical, self._sorted
        if not copy:
            self._check_caches()  # out's were noted before this: it drops them if stale
            out._rows_cache = self._rows_cache
        return out

    def _to_other(self):
        """The same matrix compressed along the other axis, indices sorted; as SciPy's
        (``csr_tocsc``), duplicates and explicit zeros are kept, so the result is
        canonical when this array is."""
        if self.ndim == 1:
            refuse_1d_conversion(self._other_format)
        maj = self._major_shape()
        canonical = self._canonical
        cols, rows, data = _kernels.canonical_coo(self._indices, self._row_ids(), self._data, maj[::-1], False)
        indptr = _kernels.compress_sorted(cols, maj[1])
        out = self._cls(self._other_format)._new(data, rows, indptr, self._shape, canonical=canonical, wide=self._is_wide())
        out._sorted = True
        return out

    def tocoo(self, copy=False):
        if self.ndim == 1:
            data, idx = (self._data.copy(), self._indices.copy()) if copy else (self._data, self._indices)
            out = self._cls("coo")._new_1d(data, idx, self._shape[0])
            out._canonical = bool(self._canonical)
            return out
        major, minor = self._row_ids(), self._indices
        rows, cols = (major, minor) if self._major_is_row else (minor, major)
        data = self._data
        if copy:
            rows, cols, data = rows.copy(), cols.copy(), data.copy()
        out = self._cls("coo")._new(data, rows, cols, self._shape, wide=self._is_wide())
        out._canonical = bool(self._major_is_row and self._canonical)
        return out

    def _todense(self):
        if self.ndim == 1:
            return _kernels.todense(self._as_row()).reshape(self._shape)
        dense = _kernels.todense(self._as_csr_storage())
        return dense if self._major_is_row else dense.T.copy()

    def _as_row(self):
        """A 1-d array as the ``(1, n)`` CSR array of the same arrays (no copy)."""
        return self._row_as(self._major_shape())

    def _row_as(self, shape):
        """This one-row CSR array as the CSR array of ``shape`` (``(1, n)`` or
        ``(n,)``) over the same arrays."""
        out = self._cls("csr")._new(self._data, self._indices, self._indptr, shape, wide=self._is_wide())
        out._canonical, out._sorted = self._canonical, self._sorted
        return out

    def _as_csr_storage(self):
        """A CSR-oriented object over this storage (for CSC: the CSR of the transpose)."""
        return self if self._major_is_row else self.transpose()

    def _to_scipy(self):
        import scipy.sparse as _sp

        cls = getattr(_sp, self._scipy_name)
        return cls(
            (self._data.__array__(), self._indices.__array__(), self._indptr.__array__()), shape=self._shape
        )

    # ---- arithmetic on canonical CSR ----

    def _union(self, other, op, intersect=False):
        """``op`` on the union (or intersection) of the entries of two canonical arrays
        of the same format; zero results are dropped as SciPy does."""
        m, n = self._major_shape()
        dt = upcast(self.dtype, other.dtype)
        na, nb = self.nnz, other.nnz
        rows = lnp.concatenate([self._row_ids(), other._row_ids()])
        cols = lnp.concatenate([self._indices, other._indices])
        va = lnp.concatenate([self._data.astype(dt, copy=False), lnp.zeros(nb, dt)])
        vb = lnp.concatenate([lnp.zeros(na, dt), other._data.astype(dt, copy=False)])
        if na + nb == 0:
            out = self._cls(self.format)(self._shape, dtype=op(lnp.zeros(1, dt), lnp.zeros(1, dt)).dtype)
            return out
        order = lnp.argsort(rows * n + cols, kind="stable")
        rows, cols, va, vb = rows[order], cols[order], va[order], vb[order]
        new = lnp.concatenate([lnp.ones(1, bool), (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])])
        keep = lnp.nonzero(new)[0]
        nu = keep.shape[0]
        group = lnp.cumsum(new.astype(INDEX)) - 1
        a = _kernels.segment_sum(va, group, nu, ids_sorted=True)
        b = _kernels.segment_sum(vb, group, nu, ids_sorted=True)
        rows, cols = rows[keep], cols[keep]
        if intersect:
            count = _kernels.segment_sum(lnp.ones(na + nb, INDEX), group, nu, ids_sorted=True)
            both = lnp.nonzero(count == 2)[0]
            rows, cols, a, b = rows[both], cols[both], a[both], b[both]
        vals = op(a, b)
        rows, cols, vals = _kernels.drop_zero_entries(rows, cols, vals)
        return type(self)._new(vals, cols, _kernels.compress_sorted(rows, m), self._shape, canonical=True,
                               wide=self._is_wide() or other._is_wide())

    def _spgemm(self, other):
        """``self @ other`` as a CSR array; its rows list their columns in SciPy's order
        (whether they are sorted is found out when asked, as SciPy does)."""
        A, B = self.tocsr(), other.tocsr()
        dt = upcast(A.dtype, B.dtype)
        A, B = A.astype(dt, copy=False), B.astype(dt, copy=False)
        indptr, indices, data, pos, canonical = _kernels.spgemm(A, B)
        C = self._cls("csr")._new(data, indices, indptr, (A.shape[0], B.shape[1]), canonical=canonical or None,
                                  wide=A._is_wide() or B._is_wide())
        C._pos_cache = pos  # the product made C's row ranges already (None: made on demand)
        return C

    def _matmul_dense(self, x, dt, out):
        A = self.astype(dt, copy=False)
        if self._major_is_row:
            if x.ndim == 1:
                return _kernels.spmv(A, x, out=out)
            y = _kernels.spmm(A, x)
        else:
            # Over A itself (not a transposed view), so its cached ranges serve again.
            y = _kernels.spmv_transposed(A, x) if x.ndim == 1 else _kernels.spmm_transposed(A, x)
        return write_out(y, out)

    # ---- indexing ----

    def _select_major(self, idx):
        """The rows (columns for CSC) ``idx`` (an int64 array of valid positions)."""
        starts = self._indptr[idx]
        lens = self._indptr[idx + 1] - starts
        csum = lnp.cumsum(lens) if idx.shape[0] else lnp.zeros(0, INDEX)
        indptr = lnp.concatenate([lnp.zeros(1, INDEX), csum])
        total = int(indptr[-1])
        if total:
            src = lnp.repeat(starts - indptr[:-1], lens) + lnp.arange(total, dtype=INDEX)
            indices, data = self._indices[src], self._data[src]
        else:
            indices, data = lnp.zeros(0, INDEX), lnp.zeros(0, self.dtype)
        k = idx.shape[0]
        shape = (k, self._major_shape()[1]) if self._major_is_row else (self._shape[0], k)
        out = type(self)._new(data, indices, indptr, shape, wide=self._is_wide())
        out._sorted, out._canonical = self._sorted, self._canonical
        return out

    def _major_slice(self, start, stop):
        """Rows ``start:stop`` (step 1) sharing nothing with this array."""
        lo, hi = int(self._indptr[start]), int(self._indptr[stop])
        indptr = self._indptr[start : stop + 1] - lo
        n = stop - start
        shape = (n, self._major_shape()[1]) if self._major_is_row else (self._shape[0], n)
        out = type(self)._new(self._data[lo:hi].copy(), self._indices[lo:hi].copy(), indptr, shape, wide=self._is_wide())
        out._sorted, out._canonical = self._sorted, self._canonical
        return out

    def __getitem__(self, key):
        if self.ndim == 1:
            return self._getitem_1d(key)
        key = _split_key(key)
        if key is None:
            return self._fallback_method("__getitem__", key)
        rk, ck = key
        if not self._major_is_row:
            rk, ck = ck, rk
        try:
            mk = _normalize(rk, self._major_shape()[0])
            nk = _normalize(ck, self._major_shape()[1])
        except _Unsupported:
            return self._fallback_method("__getitem__", key)
        if mk[0] == "int" and nk[0] == "int":
            return self._scalar_at(mk[1], nk[1])
        if mk[0] == "array" and nk[0] == "array":
            # Two index arrays pair up elementwise (NumPy's rule): SciPy does that.
            return self._fallback_method("__getitem__", key)
        A = self
        if mk[0] == "slice":
            start, stop, step = mk[1]
            if step == 1:
                A = A._major_slice(start, stop) if (start, stop) != (0, self._major_shape()[0]) else A
            else:
                A = A._select_major(lnp.arange(start, stop, step, dtype=INDEX))
        else:
            A = A._select_major(_as_positions(mk))
        if not (nk[0] == "slice" and nk[1] == (0, self._major_shape()[1], 1)):
            pos = lnp.arange(*nk[1], dtype=INDEX) if nk[0] == "slice" else _as_positions(nk)
            T = A.transpose()  # the other format over the same arrays
            B = T.asformat(A.format)  # compressed along the minor axis of A
            B = B._select_major(pos).transpose()
            A = B.asformat(self.format)
        if mk[0] == "int" or nk[0] == "int":
            return A._as_vector(self._is_array)
        return A

    def __iter__(self):
        """SciPy's iteration: the rows of the CSR form as CSR arrays (1-d) or ``(1, n)``
        matrices, each with the row's stored entries as stored (a CSC array iterates
        over its ``tocsr()``); the values of a 1-d array."""
        if self.ndim == 1:
            yield from super().__iter__()
            return
        A = self.tocsr()
        ptr = A._indptr.__array__()
        shape = (self.shape[1],) if self._is_array else (1, self.shape[1])
        for lo, hi in zip(ptr[:-1].tolist(), ptr[1:].tolist()):
            indptr = lnp.array([0, hi - lo], dtype=A._indptr.dtype)
            row = type(A)._new(A._data[lo:hi].copy(), A._indices[lo:hi].copy(), indptr, shape, wide=A._is_wide())
            row._canonical, row._sorted = A._canonical, A._sorted
            yield row

    def _getitem_1d(self, key):
        """``v[key]`` of a 1-d array: an int gives the value; a slice or an integer or
        boolean array gives a 1-d CSR array (the columns of the one row)."""
        key = one_index(key)
        if key is Ellipsis:
            return self
        try:
            kind, v = _normalize(key, self._shape[0])
        except _Unsupported:
            return self._fallback_method("__getitem__", key)
        if kind == "int":
            return self._scalar_at(0, v)
        R = self._as_row()[:, key]
        return R._row_as((R.shape[1],))

    def __setitem__(self, key, x):
        """``A[key] = x`` with SciPy's rules (see ``_assign``; a 1-d array as its
        row); keys it does not handle run in SciPy."""
        if self.ndim == 1:
            R = self._as_row()
            R[0, one_index(key)] = x
            flags = R._canonical, R._sorted
            self._set(R._data, R._indices, R._indptr, self._shape)
            self._canonical, self._sorted = flags
            return
        try:
            i, j, scalar = _assign.positions(self, key)
        except _assign.Unsupported:
            return super().__setitem__(key, x)
        vals = _assign.values(self, i, x, scalar)
        if vals is not None:
            _assign.set_compressed(self, i, j, *vals)

    def _as_vector(self, is_array):
        """A one-row or one-column result: a 1-d COO array for arrays, else 2-d."""
        if not is_array:
            return self
        from ._coo import coo_array

        # The entries as stored (duplicates and explicit zeros kept, as SciPy's).
        coo = self.tocoo()
        coords = coo.col if self.shape[0] == 1 else coo.row
        n = self.shape[1] if self.shape[0] == 1 else self.shape[0]
        out = coo_array._new_1d(coo.data, coords, n)
        out._canonical = self._canonical is True
        return out

    def _scalar_at(self, i, j):
        lo, hi = int(self._indptr[i]), int(self._indptr[i + 1])
        if hi == lo:
            return self.dtype.type(0)
        seg = self._indices[lo:hi]
        vals = self._data[lo:hi]
        hit = lnp.nonzero(seg == j)[0]
        if hit.shape[0] == 0:
            return self.dtype.type(0)
        return lnp.sum(vals[hit]).astype(self.dtype).__array__()[()]


def check_compressed(data, indices, indptr, major: int, minor: int, what: str):
    """SciPy's checks of compressed arrays (``data`` may be BSR's blocks): returns
    ``(data, indices)`` cut to ``indptr[-1]`` entries, or raises its ``ValueError``."""
    if indptr.shape[0] != major + 1:
        raise ValueError(f"index pointer size {indptr.shape[0]} should be {major + 1}")
    if data.shape[0] != indices.shape[0]:
        raise ValueError("indices and data should have the same size")
    if int(indptr[0]) != 0:
        raise ValueError("index pointer should start with 0")
    nnz = int(indptr[-1])
    if nnz > indices.shape[0]:
        raise ValueError("Last value of index pointer should be less than the size of index and data arrays")
    if major and int(lnp.min(indptr[1:] - indptr[:-1])) < 0:
        raise ValueError("indptr must be a non-decreasing sequence")
    if nnz < indices.shape[0]:
        indices, data = indices[:nnz], data[:nnz]
    if nnz:
        if int(lnp.min(indices)) < 0:
            raise ValueError(f"{what} must be >= 0")
        if int(lnp.max(indices)) >= minor:
            raise ValueError(f"{what} must be < {minor}")
    return data, indices


class _Unsupported(Exception):
    pass


def _split_key(key):
    if isinstance(key, tuple):
        if len(key) == 1:
            return key[0], slice(None)
        if len(key) == 2:
            if key[0] is Ellipsis:
                return slice(None), key[1]
            if key[1] is Ellipsis:
                return key[0], slice(None)
            return key
        raise IndexError("too many indices for array")
    if key is Ellipsis:
        return slice(None), slice(None)
    if issparse(key):
        return None
    return key, slice(None)


def _normalize(k, n):
    """``("int", i)``, ``("slice", (start, stop, step))`` or ``("array", idx)``."""
    if isinstance(k, slice):
        return "slice", k.indices(n)
    if is_int_like(k) and not isinstance(k, ndarray):
        i = operator.index(k)
        if i < -n or i >= n:
            raise IndexError(f"index ({i}) out of range")
        return "int", i % n if n else i
    if isinstance(k, ndarray) and k.ndim == 0 and k.dtype.kind in "iu":
        return _normalize(int(k), n)
    if k is None:
        raise _Unsupported()
    arr = k if isinstance(k, ndarray) else _np.asarray(k)
    if arr.ndim != 1:
        raise _Unsupported()
    if arr.dtype.kind == "b":
        if arr.shape[0] != n:
            raise IndexError(f"boolean index did not match indexed array along axis; size is {n} but index size is {arr.shape[0]}")
        return "array", lnp.nonzero(as_legate(arr))[0]
    if arr.shape[0] == 0:
        return "array", lnp.zeros(0, INDEX)
    if arr.dtype.kind not in "iu":
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), and integer or boolean arrays are valid indices")
    idx = as_legate(arr).astype(INDEX)
    lo, hi = int(lnp.min(idx)), int(lnp.max(idx))
    if lo < -n or hi >= n:
        raise IndexError(f"index ({lo if lo < -n else hi}) out of range")
    if lo < 0:
        idx = lnp.where(idx < 0, idx + n, idx)
    return "array", idx


def _as_positions(norm):
    kind, v = norm
    if kind == "int":
        return lnp.full(1, v, dtype=INDEX)
    return v


class _csr_base(_cs_base):
    format = "csr"
    _other_format = "csc"
    _major_is_row = True

    def tocsr(self, copy=False):
        return self.copy() if copy else self

    def tocsc(self, copy=False):
        return self._to_other()


class _csc_base(_cs_base):
    format = "csc"
    _other_format = "csr"
    _major_is_row = False

    def tocsc(self, copy=False):
        return self.copy() if copy else self

    def tocsr(self, copy=False):
        return self._to_other()

    def nonzero(self):
        """As the base class's, in C order (rows ascending, a stable sort of the
        column-major entries), as SciPy's CSC returns them."""
        row, col = super().nonzero()
        order = lnp.argsort(row, kind="stable")
        return row[order], col[order]
