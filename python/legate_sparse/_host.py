"""What LIL and DOK share: formats for building a matrix entry by entry, on the host.

As in SciPy, ``lil_*`` and ``dok_*`` exist to be filled incrementally (``A[i, j] = v``,
row assignments) and then converted; their storage is Python lists and a dict on the
host, not Legate stores. Everything that computes goes through CSR: ``tocsr()``
(and ``tocoo()``) build legate stores from the host entries in one transfer, and the
operations of ``_spbase`` run on that CSR. A result keeps the host format where
SciPy's does (``copy``, ``astype``, ``T``, ``conj``, scaling by a scalar, slicing;
for DOK also ``+`` and negation); otherwise it is the CSR (or dense) result, as in
SciPy.

A subclass stores entries its own way and provides ``_set``/``_get`` of one entry,
``_host_coo`` (row, col, value NumPy arrays, row-major order) and ``_fill`` (from such
arrays). A 1-d array (``dok_array`` only, as in SciPy 1.17) is handled as its one row:
row indices are all zero and only the shape is 1-d.
"""

from __future__ import annotations

import operator

import numpy as _np

from ._base import _spbase, issparse
from ._sputils import (
    check_dtype, check_shape, getdtype, index_dtype, is_int_like, is_scalar, is_scipy_sparse, one_index, refuse_1d_conversion, refuse_1d_input,
)

# Methods computed on the CSR form (names of ``_spbase``'s that read ``data``).
_VIA_CSR = (
    "__abs__ __round__ power sqrt sin tan arcsin arctan sinh tanh arcsinh "
    "arctanh expm1 log1p deg2rad rad2deg floor ceil trunc rint sign"
).split()


def _line(idx, n: int, axis: int) -> _np.ndarray:
    """The positions an index selects along an axis of length ``n`` (0-d for an int)."""
    if isinstance(idx, slice):
        return _np.arange(*idx.indices(n), dtype=_np.int64)
    if is_int_like(idx):
        i = operator.index(idx)
        if i < -n or i >= n:
            raise IndexError(f"index ({i}) out of range")
        return _np.array(i % n, dtype=_np.int64)
    if issparse(idx) or is_scipy_sparse(idx):
        raise IndexError("Indexing with sparse matrices is not supported except boolean indexing where matrix and index are equal shapes.")
    a = _np.asarray(idx.__array__() if hasattr(idx, "__array__") else idx)
    if a.dtype == bool:
        if a.shape != (n,):
            raise IndexError(f"boolean index did not match indexed array along axis {axis}")
        return _np.nonzero(a)[0].astype(_np.int64)
    if a.size and a.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    a = a.astype(_np.int64)
    if a.size and (a.min() < -n or a.max() >= n):
        raise IndexError(f"index ({int(a.max()) if a.max() >= n else int(a.min())}) out of range")
    return a % n if n else a


def _split(key, shape):
    """``(rows, cols)`` position arrays (broadcast together) a key selects (rows all
    zero for a 1-d array)."""
    if len(shape) == 1:
        c = _line(one_index(key), shape[0], 0)
        return _np.zeros_like(c), c
    if isinstance(key, tuple):
        if len(key) == 1:
            key = (key[0], slice(None))
        elif len(key) != 2:
            raise IndexError("Index dimension must be 1 or 2")
    else:
        key = (key, slice(None))
    rk, ck = key
    r, c = _line(rk, shape[0], 0), _line(ck, shape[1], 1)
    if isinstance(rk, slice) or isinstance(ck, slice):
        # A slice selects a whole line: the other index runs along the other axis.
        r = r.reshape(-1, 1) if r.ndim else r
        c = c.reshape(1, -1) if c.ndim else c
    try:
        return _np.broadcast_arrays(r, c)
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together") from None


class _host_base(_spbase):
    """Base of LIL and DOK (see the module docstring)."""

    def __init__(self, arg1, shape=None, dtype=None, copy=False):
        dt = getdtype(dtype)
        ndims = (1, 2) if self._allows_1d else (2,)
        if isinstance(arg1, tuple) and (self.format == "lil" or all(is_int_like(a) for a in arg1)):
            # SciPy's LIL takes no tuple but a shape (TypeError); DOK takes any tuple
            # of ints as a shape to check (ValueError).
            if self.format == "lil" and (len(arg1) != 2 or not all(is_int_like(a) for a in arg1)):
                raise TypeError(f"unrecognized {self._scipy_name} constructor usage")
            if self.format == "lil" and shape is not None:
                raise ValueError("invalid use of shape parameter")
            if len(arg1) not in ndims:
                raise ValueError(f"shape must have length in {ndims}. Got new_shape={arg1}")
            self._shape = check_shape(arg1, ndims)
            self._dtype = _np.dtype(dt or _np.float64)
            self._fill(_np.zeros(0, _np.int64), _np.zeros(0, _np.int64), _np.zeros(0, self._dtype))
            return
        if isinstance(arg1, _spbase) or is_scipy_sparse(arg1):
            if arg1.ndim != 2 and not self._allows_1d:
                refuse_1d_conversion(self.format)
            coo = arg1.tocoo()
            if isinstance(arg1, _spbase):
                coo = coo._to_scipy()
            coo.sum_duplicates()
            col, vals = coo.coords[-1], coo.data
            row = coo.row if arg1.ndim == 2 else _np.zeros_like(col)
            self._shape = tuple(arg1.shape)
        else:
            if arg1 is None and self._allows_1d:
                raise TypeError("function missing 1 required positional argument: 'shape'")
            try:
                dense = _np.asarray(arg1.__array__() if hasattr(arg1, "__array__") else arg1)
            except (TypeError, ValueError) as e:
                # SciPy's DOK turns any failure into a TypeError, its LIL only TypeErrors.
                if self.format == "dok" or isinstance(e, TypeError):
                    raise TypeError("Invalid input format.") from None
                raise
            check_dtype(dense.dtype)  # SciPy's ValueError for strings, objects, float16
            if dense.ndim == 0 and self._is_array:
                raise ValueError("scipy sparse array classes do not support instantiation from a scalar")
            if dense.ndim == 0 and self.format == "lil":  # a 1x1 matrix, as SciPy's
                dense = dense.reshape(1, 1)
            if dense.ndim == 0:
                raise TypeError("a dok_matrix needs a shape or 2-d input, got a scalar")
            if dense.ndim == 1 and self._is_array and not self._allows_1d:
                refuse_1d_input(self.format)
            if dense.ndim == 1 and not self._is_array and self.format == "dok":
                raise ValueError(f"shape must have length in (2,). Got new_shape={dense.shape}")
            self._shape = dense.shape
            if dense.ndim == 1:  # kept as one row
                dense = dense.reshape(1, -1)
                if not self._is_array:
                    self._shape = dense.shape
            if dense.ndim != 2:
                raise ValueError(f"{self.format.upper()} arrays don't support {dense.ndim}D input. Use 2D")
            row, col = _np.nonzero(dense)
            vals = dense[row, col]
        if shape is not None and check_shape(shape, ndims) != self._shape:
            raise ValueError(f"shape {tuple(shape)} does not match the input's {self._shape}")
        self._dtype = _np.dtype(dt or vals.dtype)
        if self._dtype == object:
            raise TypeError("object dtype is not supported")
        self._fill(row.astype(_np.int64), col.astype(_np.int64), vals.astype(self._dtype))

    @classmethod
    def _from_host(cls, row, col, vals, shape, dtype):
        obj = cls.__new__(cls)
        obj._shape = tuple(shape)
        obj._dtype = _np.dtype(dtype)
        obj._fill(row, col, _np.asarray(vals, obj._dtype))
        return obj

    @property
    def dtype(self):
        return self._dtype

    # ---- conversions ----

    def _coo_parts(self):
        row, col, vals = self._host_coo()
        return row, col, vals.astype(self._dtype, copy=False)

    def _coo_args(self):
        """``(values, coordinates)`` as COO constructors take them (one coordinate
        array in 1-d)."""
        row, col, vals = self._coo_parts()
        # SciPy's index dtype (int32 when the shape fits), so the COO and CSR built
        # from these keep it (an int64 coordinate array would be kept by a sparray).
        idx = index_dtype(self._shape, row.shape[0])
        row, col = row.astype(idx, copy=False), col.astype(idx, copy=False)
        return vals, ((col,) if self.ndim == 1 else (row, col))

    def tocoo(self, copy=False):
        return self._cls("coo")(self._coo_args(), shape=self._shape)

    def tocsr(self, copy=False):
        return self._cls("csr")(self._coo_args(), shape=self._shape)

    def _to_scipy(self):
        import scipy.sparse as _sp

        cls = getattr(_sp, self._scipy_name)
        return cls(_sp.coo_array(self._coo_args(), shape=self._shape))

    def _same(self, other):
        """``other`` (any sparse array) in this format and flavour."""
        return type(self)(other)

    def copy(self):
        return type(self)._from_host(*self._coo_parts(), self._shape, self._dtype)

    def astype(self, dtype, casting="unsafe", copy=True):
        dt = check_dtype(dtype)
        if dt == self._dtype:
            return self.copy() if copy else self
        if not _np.can_cast(self._dtype, dt, casting):
            raise TypeError(f"Cannot cast array data from {self._dtype} to {dt} according to the rule '{casting}'")
        row, col, vals = self._coo_parts()
        return type(self)._from_host(row, col, vals.astype(dt), self._shape, dt)

    def transpose(self, axes=None, copy=False):
        if axes is not None and tuple(axes) != (1, 0):
            raise ValueError("Sparse arrays/matrices do not support an 'axes' parameter because swapping dimensions is the only logical permutation.")
        if self.ndim == 1:
            return self.copy()
        row, col, vals = self._coo_parts()
        order = _np.lexsort((row, col))
        return type(self)._from_host(col[order], row[order], vals[order], self._shape[::-1], self._dtype)

    def conjugate(self, copy=True):
        if self._dtype.kind == "c":
            return self.tocsr().conjugate()  # CSR, as SciPy's
        row, col, vals = self._coo_parts()
        return type(self)._from_host(row, col, _np.conj(vals), self._shape, self._dtype)

    conj = conjugate

    @property
    def real(self):
        return self.tocsr().real

    @property
    def imag(self):
        return self.tocsr().imag

    def _mul_scalar(self, s):
        """Every product stored, as SciPy's (DOK keeps zeros: ``A * 0`` has A's nnz),
        except that LIL times zero is empty."""
        row, col, vals = self._coo_parts()
        vals = vals * s
        if self.format == "lil" and s == 0:
            row, col, vals = row[:0], col[:0], vals[:0]
        return type(self)._from_host(row, col, vals, self._shape, vals.dtype)

    def _scale_in_place(self, s):
        """SciPy's LIL and DOK keep their dtype: the products are cast to it."""
        row, col, vals = self._coo_parts()
        with _np.errstate(divide="ignore", invalid="ignore"):
            vals = (vals * s).astype(self._dtype)
        self._fill(row, col, vals)

    def __imul__(self, other):
        out = super().__imul__(other)
        if out is self and self.format == "lil" and other == 0:
            # SciPy's LIL assigns ``A * 0``, an empty LIL: no stored zeros stay.
            row, col, vals = self._coo_parts()
            self._fill(row[:0], col[:0], vals[:0])
        return out

    def __truediv__(self, other):
        if is_scalar(other) and self._dtype.kind in "fc":
            # Each value divided, as SciPy's (``A / 0`` is inf and nan, not an error).
            row, col, vals = self._coo_parts()
            with _np.errstate(divide="ignore", invalid="ignore"):
                vals = vals / other
            return type(self)._from_host(row, col, vals, self._shape, vals.dtype)
        return self.tocsr() / other

    def __neg__(self):
        return -self.tocsr()

    def count_nonzero(self, axis=None):
        # SciPy counts LIL's along an axis as int64 (the CSR rule would give indptr's int32).
        res = self.tocsr().count_nonzero(axis)
        return res if axis is None else res.astype(_np.int64, copy=False)

    # ---- entries ----

    def _entry(self, key):
        """``(i, j)`` when ``key`` names one entry (``(0, j)`` in 1-d), else ``None``."""
        if self.ndim == 1:
            key = one_index(key)
            return (0, int(_line(key, self._shape[0], 0))) if is_int_like(key) else None
        if isinstance(key, tuple) and len(key) == 2 and is_int_like(key[0]) and is_int_like(key[1]):
            return tuple(int(_line(k, n, a)) for a, (k, n) in enumerate(zip(key, self._shape)))
        return None

    def __getitem__(self, key):
        entry = self._entry(key)
        if entry is not None:
            return self._dtype.type(self._get(*entry))
        # Anything else is a selection: computed on the CSR form, returned in this
        # format when it is a sparse result of this dimension (as SciPy's).
        res = self.tocsr()[key]
        if issparse(res) and res.ndim == self.ndim:
            return self._same(res)
        return res

    def __setitem__(self, key, value):
        entry = self._entry(key)
        if entry is not None and is_scalar(value):
            self._set(*entry, self._dtype.type(value))
            return
        if self.ndim == 2:
            # The positions and values by the rules CSR and COO follow (a 1-d value into
            # a column, a boolean mask, Ellipsis, SciPy's errors for complex into real).
            from . import _assign

            try:
                i, j, scalar = _assign.positions(self, key)
            except _assign.Unsupported:
                i = None
            if i is not None:
                vals = _assign.values(self, i, value, scalar)
                if vals is not None:
                    for r, c, x in zip(i.ravel().tolist(), j.ravel().tolist(), vals[0].ravel().tolist()):
                        self._set(r, c, x)
                return
        rows, cols = _split(key, self._shape)
        if issparse(value) or is_scipy_sparse(value):
            value = value.toarray()
        v = _np.asarray(value.__array__() if hasattr(value, "__array__") else value)
        if v.size and v.dtype.kind not in "biufc":
            raise TypeError(f"cannot set {self.format} entries from {v.dtype} values")
        try:
            if v.ndim == 2 and rows.ndim == 2 and v.shape == rows.shape[::-1] and rows.shape[0] == 1:
                v = v.T  # a column vector into a row selection, as SciPy accepts
            v = _np.broadcast_to(v, rows.shape)
        except ValueError:
            raise ValueError(f"cannot broadcast {v.shape} into {rows.shape}") from None
        v = v.astype(self._dtype)
        for i, j, x in zip(rows.ravel().tolist(), cols.ravel().tolist(), v.ravel().tolist()):
            self._set(i, j, x)


def _install_via_csr(name):
    def method(self, *args, **kwargs):
        return getattr(self.tocsr(), name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` of the CSR form (the result is CSR, as SciPy's)."
    setattr(_host_base, name, method)


for _name in _VIA_CSR:
    _install_via_csr(_name)
