"""The base of every sparse format: what all formats share.

``_spbase`` holds the shape and implements the operations that do not depend on the
storage (arithmetic dispatch, reductions, elementwise functions of the stored values,
conversions by name) in terms of a few per-format primitives: ``tocsr``, ``tocoo``,
``_with_data`` (the same structure with new values) and ``nnz``. ``sparray`` and
``spmatrix`` are the two flavours SciPy has: ``*`` is elementwise for arrays and the
matrix product for matrices, and axis reductions return 1-d arrays for arrays and 2-d
``(1, n)``/``(n, 1)`` arrays for matrices (legate_numeric arrays, not ``np.matrix``).

1-d arrays (``csr_array``, ``coo_array`` and ``dok_array``, as SciPy 1.17 has them)
go through the same code: a 1-d CSR array is stored as the CSR of its one row, so the
algorithms written for CSR serve it, and ``_as_row`` gives that ``(1, n)`` row where a
2-d operation is reused. Results take SciPy's formats (sums, products and comparisons
of sparse operands are CSR; the product with a dense vector is COO).
"""

from __future__ import annotations

import operator
import warnings

import numpy as _np
from scipy.sparse import SparseEfficiencyWarning

import legate_numeric as lnp

from . import _assign, _compare, _fallback, _kernels, _minmax
from ._sputils import (
    FORMATS_1D, INDEX, as_legate, check_dtype, is_int_like, is_scalar, ravel_coords, refuse_1d_conversion, unravel_coords, upcast,
    write_out,
)

ndarray = lnp.ndarray

# Methods that change the array in place: after SciPy's runs, its result is copied back.
_IN_PLACE = frozenset({"resize", "__setitem__", "prune", "setdiag", "sort_indices", "sum_duplicates", "eliminate_zeros"})
_REGISTRY: dict[tuple[str, bool], type] = {}


def _register(fmt: str, is_array: bool):
    def deco(cls):
        _REGISTRY[(fmt, is_array)] = cls
        return cls

    return deco


def _format_classes(fmt: str, base: type, module: str):
    """``fmt_array``, ``fmt_matrix`` and ``isspmatrix_fmt`` of a format whose behaviour
    is all in ``base`` (the two flavours add only ``sparray``/``spmatrix``), registered."""
    name = fmt.upper()
    array = _register(fmt, True)(type(f"{fmt}_array", (sparray, base), {
        "__module__": module,
        "__doc__": f"A {name} sparse array (SciPy's ``{fmt}_array``; values in legate_numeric arrays, "
                   "index arrays stored as int64).",
    }))
    matrix = _register(fmt, False)(type(f"{fmt}_matrix", (spmatrix, base), {
        "__module__": module,
        "__doc__": f"A {name} sparse matrix (SciPy's ``{fmt}_matrix``: ``*`` is the matrix product).",
    }))

    def isspmatrix(x) -> bool:
        return isinstance(x, matrix)

    isspmatrix.__name__ = isspmatrix.__qualname__ = f"isspmatrix_{fmt}"
    isspmatrix.__module__ = module
    isspmatrix.__doc__ = f"Whether ``x`` is a legate_sparse ``{fmt}_matrix``."
    return array, matrix, isspmatrix


def _class(fmt: str, is_array: bool) -> type:
    return _REGISTRY[(fmt, is_array)]


def _native_formats() -> tuple:
    return ("csr", "csc", "coo", "dia", "bsr", "lil", "dok")


def _from_scipy_sparse(x):
    """A legate sparse array (or matrix) from a SciPy one, in the same format."""
    import scipy.sparse as _sp

    is_array = isinstance(x, _sp.sparray)
    return _class(x.format, is_array)(x)


def issparse(x) -> bool:
    """Whether ``x`` is a legate_sparse array or matrix."""
    return isinstance(x, _spbase)


def isspmatrix(x) -> bool:
    """Whether ``x`` is a legate_sparse matrix (``*_matrix``, not ``*_array``)."""
    return isinstance(x, spmatrix)


_UNARY_ZERO_PRESERVING = (
    "sqrt sin tan arcsin arctan sinh tanh arcsinh arctanh expm1 log1p deg2rad rad2deg floor ceil trunc rint sign"
).split()


def _dense_order(order, out) -> bool:
    """Checks ``toarray``'s ``order`` as SciPy does (NumPy's errors); whether the result
    is to be in Fortran order."""
    if out is not None and order is not None:
        raise ValueError("order cannot be specified if out is not None")
    if order is None:
        return False
    if not isinstance(order, str) or order.upper() not in ("C", "F", "A", "K"):
        raise ValueError(f"order must be one of 'C', 'F', 'A', or 'K' (got {order!r})")
    if order.upper() in ("A", "K"):
        raise ValueError("only 'C' or 'F' order is permitted")
    return order.upper() == "F"


class _spbase:
    """Common behaviour of all formats (not instantiated directly)."""

    __array_priority__ = 10.1
    # NumPy operators defer to ours (``numpy_array @ A`` calls ``A.__rmatmul__``).
    __array_ufunc__ = None
    format: str = ""
    _is_array = True

    def _is_wide(self) -> bool:
        """Whether the index arrays are int64 whatever their values (a sparray built
        from int64 indices keeps them through conversions, as SciPy's does)."""
        return getattr(self, "_wide", False)

    # ---- basic attributes ----

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        self._data = as_legate(value)

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def nnz(self) -> int:
        """Stored values (formats whose ``data`` is not one value per entry override it)."""
        return int(self._data.shape[0])

    @property
    def size(self) -> int:
        return self.nnz

    @property
    def T(self):
        return self.transpose()

    @property
    def real(self):
        return self._with_data(self.data.real)

    @property
    def imag(self):
        return self._with_data(self.data.imag)

    def _cls(self, fmt: str) -> type:
        return _class(fmt, self._is_array)

    @property
    def _allows_1d(self) -> bool:
        """Whether this class holds 1-d arrays (SciPy's 1-d formats, arrays only)."""
        return self._is_array and self.format in FORMATS_1D

    def _as_row(self):
        """A 1-d array as the ``(1, n)`` 2-d CSR array of its one row."""
        return self.tocsr()._as_row()

    def __repr__(self) -> str:
        kind = "array" if self._is_array else "matrix"
        return (
            f"<legate_sparse {self.format}_{kind} of dtype '{self.dtype}'\n"
            f"\twith {self.nnz} stored elements and shape {self.shape}>"
        )

    __str__ = __repr__

    def __len__(self):
        raise TypeError("sparse array length is ambiguous; use getnnz() or shape[0]")

    def __bool__(self):
        if self.shape == (1, 1) or self.shape == (1,):
            return self.nnz != 0 and bool(self.count_nonzero())
        raise ValueError(
            "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()."
        )

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    # ---- conversions ----

    def asformat(self, format, copy=False):
        """This array in ``format`` (``None`` keeps the current one)."""
        if format is None or format == self.format:
            return self.copy() if copy else self
        convert = getattr(self, "to" + format, None)
        if convert is None:
            raise ValueError(f"Format {format} is unknown.")
        return convert(copy=copy) if format in _native_formats() else convert()

    def toarray(self, order=None, out=None):
        """A dense legate_numeric array of the values (duplicates summed), in C order or
        Fortran order (``order='F'``), or written into ``out``."""
        fortran = _dense_order(order, out)
        dense = self._dense()
        if out is not None:
            if not isinstance(out, ndarray) or out.shape != self.shape:
                raise ValueError("output array must be a legate_numeric array of the same shape")
            out[...] = dense
            return out
        return lnp.asfortranarray(dense) if fortran else dense

    def _dense(self):
        """The values as a dense legate array (C order)."""
        return self.tocsr()._todense()

    def todense(self, order=None, out=None):
        """Like ``toarray`` (a legate_numeric array); ``*_matrix`` return ``np.matrix``."""
        return self.toarray(order=order, out=out)

    def _to_scipy(self):
        """The SciPy equivalent (host copies of the arrays). Every format defines it;
        this base class is never instantiated on its own."""
        raise TypeError(f"{type(self).__name__} is not a sparse format (it has no SciPy equivalent)")

    def tocsc(self, copy=False):
        return self.tocsr(copy=False).tocsc(copy=copy)

    def todia(self, copy=False):
        return self.tocoo(copy=False).todia(copy=copy)

    def tolil(self, copy=False):
        """This array as LIL (host lists, for changing entries one by one)."""
        return self._cls("lil")(self)

    def todok(self, copy=False):
        """This array as DOK (a host dict, for changing entries one by one)."""
        return self._cls("dok")(self)

    def tobsr(self, blocksize=None, copy=False):
        """This array as BSR with ``blocksize`` (estimated as SciPy does when ``None``)."""
        from ._bsr import _tobsr  # _bsr builds on this module

        if self.ndim != 2:
            refuse_1d_conversion("bsr")
        return _tobsr(self, blocksize, copy)

    def copy(self):
        return self._with_data(self.data.copy(), copy=True)

    def astype(self, dtype, casting="unsafe", copy=True):
        """This array with values cast to ``dtype``."""
        dt = check_dtype(dtype)
        if dt == self.dtype:
            return self.copy() if copy else self
        if not _np.can_cast(self.dtype, dt, casting):
            raise TypeError(f"Cannot cast array data from {self.dtype} to {dt} according to the rule '{casting}'")
        out = self._with_data(self.data.astype(dt), copy=True)
        out._deduped_data()  # as SciPy's: each value cast, then the copy's duplicates summed
        return out

    # ---- elementwise functions of the stored values ----

    def _deduped_data(self):
        """The stored values with duplicates summed in place first (CSR, CSC, COO and
        BSR), as SciPy's ``_deduped_data``: elementwise functions (``abs``, ``power``,
        the ufunc methods, ``astype``) then apply to each position's value, not to each
        duplicate (``abs`` of 1 and -1 at one position is 0), and the result is
        canonical."""
        if self.format in ("csr", "csc", "coo", "bsr"):
            self.sum_duplicates()
        return self.data

    def conjugate(self, copy=True):
        if self.dtype.kind != "c":
            return self.copy() if copy else self
        return self._with_data(lnp.conj(self.data), copy=True)

    conj = conjugate

    def __abs__(self):
        return self._with_data(lnp.abs(self._deduped_data()), copy=True)

    def __round__(self, ndigits=0):
        return self._with_data(lnp.round(self._deduped_data(), ndigits), copy=True)

    def __neg__(self):
        if self.dtype.kind == "b":
            raise NotImplementedError("negating a boolean sparse array is not supported")
        return self._with_data(-self.data, copy=True)

    def __pos__(self):
        return self.copy()

    def power(self, n, dtype=None):
        """Elementwise power of the stored values (``n`` a nonzero scalar)."""
        if not is_scalar(n):
            raise NotImplementedError("input is not scalar")
        if n == 0:
            raise NotImplementedError("zero power is not supported as it would densify the matrix.\nUse `np.ones(A.shape, dtype=A.dtype)` for this case.")
        data = self._deduped_data()
        data = data if dtype is None else data.astype(dtype)
        return self._with_data(data**n, copy=True)

    # ---- arithmetic ----

    def _csr(self):
        """This array as a canonical CSR of the same flavour (cheap when already one)."""
        return self._canonical_as("csr")

    def _canonical_as(self, fmt):
        """This array as a canonical ``fmt`` (CSR or CSC) of the same flavour."""
        A = self.asformat(fmt)
        if not A.has_canonical_format:
            A = A.copy()
            A.sum_duplicates()
        return A

    def _elementwise_format(self):
        """The format SciPy gives an elementwise operation with a sparse operand: a
        CSC array's own (the other operand converted to it), CSR for the others."""
        return "csc" if self.format == "csc" else "csr"

    def _union_with(self, other, op, intersect=False):
        """``op`` over the entries of two sparse arrays of one shape, in SciPy's format."""
        self._check_same_shape(other)
        fmt = self._elementwise_format()
        return self._canonical_as(fmt)._union(other._canonical_as(fmt), op, intersect=intersect)

    def _check_same_shape(self, other):
        if other.shape != self.shape:
            raise ValueError(f"inconsistent shapes {self.shape} and {other.shape}")

    def _add_sparse(self, other, sign):
        if sign < 0 and self.dtype.kind == other.dtype.kind == "b":
            return self._union_with(other, operator.ne)  # SciPy's boolean difference
        return self._union_with(other, operator.add if sign > 0 else operator.sub)

    def __add__(self, other):
        if is_scalar(other):
            if other == 0:
                return self.copy()
            raise NotImplementedError("adding a nonzero scalar to a sparse array is not supported")
        if issparse(other):
            return self._add_sparse(other, 1)
        return self._add_dense(as_legate(other))

    __radd__ = __add__

    def __sub__(self, other):
        if is_scalar(other):
            if other == 0:
                return self.copy()
            raise NotImplementedError("subtracting a nonzero scalar from a sparse array is not supported")
        if issparse(other):
            return self._add_sparse(other, -1)
        return self._add_dense(as_legate(other), operator.sub)

    def __rsub__(self, other):
        if is_scalar(other):
            if other == 0:
                return -self
            raise NotImplementedError("subtracting a sparse array from a nonzero scalar is not supported")
        if issparse(other):
            return other.__sub__(self)
        # Not ``-self + other``: negation wraps unsigned values and refuses booleans.
        return self._add_dense(as_legate(other), lambda A, dense: dense - A)

    def _add_dense(self, dense, op=operator.add):
        """``op(self as a dense array, dense)``: a dense sum or difference."""
        try:
            shape = _np.broadcast_shapes(self.shape, dense.shape)
        except ValueError:
            raise ValueError(f"inconsistent shapes {self.shape} and {dense.shape}") from None
        if shape != self.shape:
            raise ValueError(f"inconsistent shapes {self.shape} and {dense.shape}")
        return op(self.toarray(), dense)

    def multiply(self, other):
        """Elementwise product: with a scalar or a dense array (broadcast to this shape),
        or with a sparse array of the same shape (the result is sparse)."""
        if is_scalar(other):
            return self._mul_scalar(other)
        if issparse(other):
            return self._union_with(other, operator.mul, intersect=True)
        dense = as_legate(other)
        try:
            shape = _np.broadcast_shapes(self.shape, dense.shape)
        except ValueError:
            raise ValueError(f"inconsistent shapes {self.shape} and {dense.shape}") from None
        if shape != self.shape:
            # SciPy returns a dense result when the dense operand widens the shape of
            # a 2-d array, and a COO array when it widens a 1-d one.
            res = lnp.multiply(self.toarray(), dense)
            return self._cls("coo")(res) if self.ndim == 1 and res.ndim == 2 else res
        if dense.size == 1:  # SciPy: a scalar product (CSR for the formats without their own)
            own = self.format in ("csr", "csc", "bsr") or (self.format == "dia" and min(self.shape) > 1)
            A = self if own else self._csr()
            return A._mul_scalar(_np.asarray(dense).reshape(-1)[0])
        return self._mul_dense(dense)

    def _mul_dense(self, dense):
        """SciPy's product with a dense array that broadcasts to this shape: a COO array
        over the entries of this array's ``tocoo()`` in their order (CSR, CSC and BSR as
        stored, duplicates and explicit zeros kept; the other formats through CSR)."""
        A = self if self.format in ("csr", "csc", "bsr") else self.tocsr()
        coo = A.tocoo()
        dt = upcast(coo.dtype, dense.dtype)
        return coo._with_data(coo.data.astype(dt, copy=False) * lnp.broadcast_to(dense, self.shape)[coo.coords])

    def _mul_scalar(self, s):
        dt = upcast(_np.result_type(self.dtype, s))  # a Python scalar keeps the dtype (NEP 50)
        return self._with_data(self.data.astype(dt, copy=False) * s, copy=True)

    def maximum(self, other):
        """Elementwise maximum with a sparse array or a scalar (implicit zeros count)."""
        return self._minmax(other, lnp.maximum)

    def minimum(self, other):
        """Elementwise minimum with a sparse array or a scalar (implicit zeros count)."""
        return self._minmax(other, lnp.minimum)

    def _minmax(self, other, op):
        if issparse(other):
            return self._union_with(other, op)
        if is_scalar(other):
            if op(_np.zeros((), self.dtype), other) != 0:  # SciPy: all of it, in this class
                return type(self)(op(self.toarray(), other))
            A = self._canonical_as(self._elementwise_format())
            out = A._with_data(op(A.data, other), copy=True)
            out.eliminate_zeros()
            return out
        return op(self.toarray(), as_legate(other))

    def __mul__(self, other):
        return self.multiply(other)  # a method call: BSR and 1-d COO override multiply

    __rmul__ = __mul__

    # In-place scaling by a scalar, as SciPy's: the same object with the same structure
    # (a zero factor keeps the entries) and dtype; NumPy's casting error where the
    # product does not fit it (``int_array *= 2.5``). Other operands give new objects.
    def __imul__(self, other):
        if not is_scalar(other):
            return NotImplemented
        self._scale_in_place(other)
        return self

    def __itruediv__(self, other):
        if not is_scalar(other):
            return NotImplemented
        self._scale_in_place(1.0 / other)  # SciPy multiplies by the reciprocal
        return self

    def _scale_in_place(self, s):
        probe = _np.zeros(1, self.dtype)
        _np.multiply(probe, s, out=probe)  # raises NumPy's (and SciPy's) casting error
        self._data = (self._data * s).astype(self.dtype, copy=False)

    def __truediv__(self, other):
        return _compare.divide(self, other)

    def __rtruediv__(self, other):
        # SciPy defines no reflected division (``2 / A`` is a TypeError).
        return NotImplemented

    def __pow__(self, other):
        return self.power(other)

    # Comparisons: sparse results where false at zero (see ``_compare``).
    def _comparison(self, other, op):
        return _compare.compare(self, other, op)

    def __eq__(self, other):
        return self._comparison(other, operator.eq)

    def __ne__(self, other):
        return self._comparison(other, operator.ne)

    def __lt__(self, other):
        return self._comparison(other, operator.lt)

    def __le__(self, other):
        return self._comparison(other, operator.le)

    def __gt__(self, other):
        return self._comparison(other, operator.gt)

    def __ge__(self, other):
        return self._comparison(other, operator.ge)

    __hash__ = None

    # ---- products ----

    def __matmul__(self, other):
        if is_scalar(other):
            raise ValueError("Scalar operands are not allowed, use '*' instead")
        return self._matmul(other)

    def __rmatmul__(self, other):
        if is_scalar(other):
            raise ValueError("Scalar operands are not allowed, use '*' instead")
        if self.ndim == 1:
            return self._rmatmul_1d(as_legate(other))
        dense = as_legate(other)
        if dense.ndim == 1:
            return self.transpose()._matmul(dense)
        if dense.ndim != 2:
            raise ValueError("matmul: operands must be 1-d or 2-d")
        return self.transpose()._matmul(dense.T).T

    def matmul(self, other):
        return self @ other

    def dot(self, other, out=None):
        """``self @ other`` (a scalar ``other`` scales). ``out`` (a legate array of the
        result's shape and dtype) receives a dense result; SciPy's ``dot`` has no
        ``out``, this one takes it for SpMV/SpMM without a new allocation."""
        if is_scalar(other):
            return self * other
        return self._matmul(other, out=out)

    def _matmul(self, other, out=None):
        if self.ndim == 1:
            return write_out(self._matmul_1d(other), out)
        m, k = self.shape
        if issparse(other):
            if out is not None:
                raise ValueError("out= is only supported for dense results")
            if other.shape[0] != k:
                raise ValueError(
                    f"matmul: dimension mismatch with signature (n,k={k}),(k={other.shape[0]},m)->(n,m)"
                )
            if other.ndim == 1:  # a sparse vector: a 1-d COO result, as SciPy's
                return self._csr()._spgemm(other.reshape(k, 1)._csr()).reshape(m)
            if self.format == "csc":  # SciPy: CSC, the product of the transposes, transposed
                return other.T._csr()._spgemm(self.T._csr()).T
            return self._csr()._spgemm(other._csr())
        x = as_legate(other)
        if x.ndim == 0:
            raise ValueError("Scalar operands are not allowed, use '*' instead")
        if x.ndim > 2:
            raise ValueError("matmul: operands with more than 2 dimensions are not supported")
        if x.shape[0] != k:
            sig = "(k={},1?)->(n,1?)" if x.ndim == 1 else "(k={},m)->(n,m)"
            raise ValueError(f"matmul: dimension mismatch with signature (n,k={k})," + sig.format(x.shape[0]))
        dt = upcast(self.dtype, x.dtype)
        shape = (m,) if x.ndim == 1 else (m, x.shape[1])
        if out is not None:
            if not isinstance(out, ndarray):
                raise TypeError("out must be a legate_numeric array")
            if out.shape != shape or out.dtype != dt:
                raise ValueError(f"out must have shape {shape} and dtype {dt}, got {out.shape} and {out.dtype}")
        if x.dtype != dt:
            x = x.astype(dt)
        return self._matmul_dense(x, dt, out)

    def _matmul_dense(self, x, dt, out):
        return self._csr()._matmul_dense(x, dt, out)

    def _matmul_1d(self, other):
        """``v @ other`` for a 1-d ``v``, NumPy's matmul of a vector: it meets the
        first axis of a 1-d ``other`` (a 0-d result) or the second to last of an n-d
        one, whose other axes broadcast: ``(n,) @ (..., n, m) -> (..., m)``. A 2-d
        sparse ``other`` gives a 1-d COO array, as SciPy's."""
        n = self._shape[0]
        if issparse(other):
            k = other.shape[0]
            if k != n:
                raise ValueError(f"matmul: dimension mismatch with signature (n,..,k={n}),(k={k},..,m)->(n,..,m)")
            if other.ndim == 1:
                return self.multiply(other).sum()
            return (self._as_row() @ other).reshape(other.shape[1])
        x = as_legate(other)
        if x.ndim == 0:
            raise ValueError("Scalar operands are not allowed, use '*' instead")
        k = x.shape[0] if x.ndim == 1 else x.shape[-2]
        if k != n:
            raise ValueError(f"matmul: dimension mismatch with signature (n,..,k={n}),(k={k},..,m)->(n,..,m)")
        dt = upcast(self.dtype, x.dtype)
        coo = self.tocoo()
        data, x = coo.data.astype(dt), x.astype(dt)
        if coo.nnz == 0:
            return lnp.zeros(x.shape[:-2] + x.shape[-1:] if x.ndim > 1 else (), dt)
        if x.ndim == 1:
            return lnp.sum(data * x[coo.coords[0]])
        if x.ndim == 2:
            return lnp.matmul(data, x[coo.coords[0]])
        return lnp.matmul(data, lnp.take(x, coo.coords[0], axis=-2))

    def _rmatmul_1d(self, x):
        """``x @ v`` for a dense ``x`` and a 1-d ``v``: ``(..., n) @ (n,) -> (...)``."""
        n = self._shape[0]
        if x.ndim == 0 or x.shape[-1] != n:
            k = x.shape[-1] if x.ndim else 0
            raise ValueError(f"matmul: dimension mismatch with signature (n,..,k={k}),(k={n},..,m)->(n,..,m)")
        dt = upcast(self.dtype, x.dtype)
        coo = self.tocoo()
        data, x = coo.data.astype(dt), x.astype(dt)
        if coo.nnz == 0:
            return lnp.zeros(x.shape[:-1], dt)
        return lnp.matmul(lnp.take(x, coo.coords[0], axis=-1), data)

    # ---- reductions ----

    def _sum_dtype(self, dtype=None):
        if dtype is not None:
            return _np.dtype(dtype)
        if self.dtype.kind == "b" or (self.dtype.kind == "i" and self.dtype.itemsize < 8):
            return _np.dtype(_np.int64)
        if self.dtype.kind == "u" and self.dtype.itemsize < 8:
            return _np.dtype(_np.uint64)
        return self.dtype

    def _axis(self, axis):
        """``axis`` checked: 0 or 1, or ``None`` for all entries (a 1-d array's one
        axis is all of them)."""
        if axis is None:
            return None
        if self.ndim == 1:
            if axis not in (0, -1, (0,), (-1,)):
                raise ValueError("axis out of range for ndim")
            return None
        if isinstance(axis, tuple):
            if sorted(a % 2 for a in axis) == [0, 1]:
                return None
            if len(axis) != 1:
                raise ValueError("invalid axis")
            axis = axis[0]
        axis = operator.index(axis)
        if axis < -2 or axis > 1:
            raise ValueError("axis out of range")
        return axis % 2

    def _axis_result(self, vec, axis):
        """A per-row/column result: 1-d for arrays, 2-d for matrices."""
        if self._is_array:
            return vec
        return vec.reshape(1, -1) if axis == 0 else vec.reshape(-1, 1)

    def sum(self, axis=None, dtype=None, out=None):
        """Sum of the values (a 0-d legate array), or per column (axis 0) / row (1)."""
        axis = self._axis(axis)
        dt = self._sum_dtype(dtype)
        coo = self.tocoo()
        data = coo.data.astype(dt, copy=False)
        if axis is None:
            res = lnp.sum(data) if data.shape[0] else lnp.zeros((), dt)
        else:
            ids = coo.col if axis == 0 else coo.row
            res = self._axis_result(_kernels.segment_sum(data, ids, self.shape[1 - axis]), axis)
        return write_out(res, out)

    def mean(self, axis=None, dtype=None, out=None):
        """Mean over all entries (implicit zeros included), or per column/row."""
        axis = self._axis(axis)
        if dtype is None:
            dtype = _np.float64 if self.dtype.kind in "biu" else self.dtype
        total = self.sum(axis=axis, dtype=dtype)
        count = _np.prod(self.shape, dtype=int) if axis is None else self.shape[axis]
        res = total / count if count else total * _np.nan
        res = res.astype(dtype, copy=False)
        return write_out(res, out)

    def count_nonzero(self, axis=None):
        """Number of values that are not zero once duplicates are summed (CSR, CSC, COO
        and BSR sum them in place first, as SciPy's do, so ``nnz`` may drop). Counts
        along an axis are int64, or the dtype of ``indptr`` along CSR's rows and CSC's
        columns when no stored value is zero (SciPy returns ``np.diff(indptr)`` then)."""
        axis = self._count_axis(axis)
        if self.format in ("csr", "csc", "coo", "bsr"):
            self.sum_duplicates()
        A = self._csr()
        nz = A.data != 0
        if axis is None:  # NumPy's count_nonzero type, as SciPy's
            return _np.int64(int(lnp.sum(nz.astype(INDEX))) if nz.shape[0] else 0)
        coo = A.tocoo()
        res = _kernels.segment_sum(nz.astype(INDEX), coo.col if axis == 0 else coo.row, self.shape[1 - axis])
        if self._counts_along_major(axis) and bool(lnp.all(nz)):
            res = res.astype(self._indptr.dtype)
        return res

    def _counts_along_major(self, axis) -> bool:
        """Whether counts along ``axis`` are SciPy's ``np.diff(indptr)`` (CSR's rows, CSC's
        columns), which has ``indptr``'s dtype."""
        return (self.format, axis) in (("csr", 1), ("csc", 0))

    def _count_axis(self, axis):
        """``count_nonzero``'s and ``getnnz``'s axis. SciPy compares it with integers
        unchecked: a float is out of bounds (``ValueError``), a tuple or string a
        ``TypeError``."""
        if isinstance(axis, (float, _np.floating)):
            if self.format == "coo":  # SciPy's COO indexes its coordinates with it
                raise TypeError("tuple indices must be integers or slices, not float")
            raise ValueError("axis out of bounds")
        if axis is not None and not is_int_like(axis):
            raise TypeError(f"'<' not supported between instances of '{type(axis).__name__}' and 'int'")
        return self._axis(axis)

    def max(self, axis=None, out=None, *, explicit=False):
        """Largest value (implicit zeros count unless ``explicit``): a 0-d legate array,
        or along an axis a sparse COO result, as SciPy's (see ``_minmax``)."""
        return _minmax.extreme(self, axis, out, explicit, True, False)

    def min(self, axis=None, out=None, *, explicit=False):
        """Smallest value (implicit zeros count unless ``explicit``); see ``max``."""
        return _minmax.extreme(self, axis, out, explicit, False, False)

    def nanmax(self, axis=None, out=None, *, explicit=False):
        """``max`` ignoring NaNs."""
        return _minmax.extreme(self, axis, out, explicit, True, True)

    def nanmin(self, axis=None, out=None, *, explicit=False):
        """``min`` ignoring NaNs."""
        return _minmax.extreme(self, axis, out, explicit, False, True)

    def argmax(self, axis=None, out=None, *, explicit=False):
        """Index of the first largest value: into the flattened array (an int), or per
        row/column (a dense int64 legate array; 2-d for matrices)."""
        return _minmax.arg_extreme(self, axis, out, explicit, True)

    def argmin(self, axis=None, out=None, *, explicit=False):
        """Index of the first smallest value; see ``argmax``."""
        return _minmax.arg_extreme(self, axis, out, explicit, False)

    # ---- shape ----

    def reshape(self, *args, shape=None, order="C", copy=False):
        """This array with a new shape (``-1`` infers one dimension), as a COO array or
        matrix whatever the format, as SciPy 1.17 returns (a ``coo_array`` of any number
        of dimensions), the entries in their stored order."""
        new = _reshape_target(args, shape, self.shape)
        if order not in ("C", "F"):
            raise ValueError("'order' must be 'C' or 'F'")
        if not self._is_array and len(new) != 2:
            raise ValueError(f"shape must have length in (2,). Got new_shape={new}")
        if new == self.shape:
            return self.copy() if copy else self
        coo = self.tocoo()
        flat = ravel_coords(coo.coords, self.shape, order)  # int64: int32 indices would wrap
        data = coo.data.copy() if copy else coo.data
        return self._cls("coo")._make(data, unravel_coords(flat, new, order), new)

    def resize(self, *shape):
        """Changes the shape in place: entries outside the new shape are dropped, new
        positions are zeros."""
        from ._sputils import check_shape

        if len(shape) == 1 and isinstance(shape[0], tuple):
            shape = shape[0]
        if self.ndim != 2 or len(shape) != 2:
            return self.__getattr__("resize")(*shape)
        M, N = check_shape(shape)
        if self.format in ("csr", "csc"):  # the kept entries as stored, as SciPy's
            major, minor = (M, N) if self._major_is_row else (N, M)
            rows, cols = self._row_ids(), self._indices
            keep = lnp.nonzero((rows < major) & (cols < minor))[0]
            flags = self._canonical, self._sorted
            self._set(self._data[keep], cols[keep], _kernels.compress_sorted(rows[keep], major), (M, N))
            self._canonical, self._sorted = flags
            return
        coo = self.tocoo()
        keep = lnp.nonzero((coo.row < M) & (coo.col < N))[0]
        new = self._cls("coo")._new(coo.data[keep], coo.row[keep], coo.col[keep], (M, N))
        if self.format == "bsr":
            new = new.tobsr(blocksize=self.blocksize)
        elif self.format != "coo":
            new = new.asformat(self.format)
        self._assign_from(new)

    def diagonal(self, k=0):
        """The ``k``-th diagonal as a dense legate array (duplicates summed)."""
        m, n = self.shape
        k = operator.index(k)
        length = max(0, min(m + min(k, 0), n - max(k, 0)))
        coo = self.tocoo()
        if length == 0 or coo.nnz == 0:
            return lnp.zeros(length, self.dtype)
        sel = lnp.nonzero(coo.col - coo.row == k)[0]
        pos = coo.row[sel] if k >= 0 else coo.col[sel]
        return _kernels.segment_sum(coo.data[sel], pos, length)

    def trace(self, offset=0):
        """Sum of the ``offset``-th diagonal (a 0-d legate array)."""
        d = self.diagonal(offset)
        return lnp.sum(d) if d.shape[0] else lnp.zeros((), self.dtype)

    def nonzero(self):
        """The coordinates (``(row, col)``, ``(idx,)`` in 1-d) of the stored values that
        are not zero."""
        A = self.tocoo()
        keep = lnp.nonzero(A.data)[0]
        return tuple(c[keep] for c in A.coords)

    def setdiag(self, values, k=0):
        """Sets the ``k``-th diagonal in place (values broadcast or truncated as SciPy)."""
        m, n = self.shape
        k = operator.index(k)
        if (k > 0 and k >= n) or (k < 0 and -k >= m):
            raise ValueError("k exceeds array dimensions")
        length = max(0, min(m + min(k, 0), n - max(k, 0)))
        if is_scalar(values):
            vals = lnp.full(length, values, dtype=self.dtype)
        else:
            vals = as_legate(values).astype(self.dtype).reshape(-1)[:length]
            length = vals.shape[0]
        if self.format in ("csr", "csc"):
            # SciPy's: stored diagonal entries get the values, the others are inserted;
            # duplicates and explicit zeros elsewhere are kept.
            i = _np.arange(length, dtype=_np.int64)
            x = _np.asarray(vals.__array__())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SparseEfficiencyWarning)
                _assign.set_compressed(self, i + max(0, -k), i + max(0, k), x, _np.ones(length, bool))
            return
        coo = self.tocoo()
        # Entries of the diagonal at positions that get a new value are replaced.
        pos = coo.row if k >= 0 else coo.col
        keep = lnp.nonzero((coo.col - coo.row != k) | (pos >= length))[0]
        i = lnp.arange(length, dtype=INDEX)
        rows = lnp.concatenate([coo.row[keep], i + max(0, -k)])
        cols = lnp.concatenate([coo.col[keep], i + max(0, k)])
        data = lnp.concatenate([coo.data[keep], vals])
        new = self._cls("coo")((data, (rows, cols)), shape=self.shape).asformat(self.format)
        self._assign_from(new)

    def _assign_from(self, other):
        """Takes the arrays of ``other`` (same format) into this object."""
        self.__dict__.update(other.__dict__)

    # ---- fallback to SciPy for the rest ----

    @property
    def _scipy_name(self) -> str:
        """The SciPy class of the same format and flavour (``csr_array``, ...)."""
        return f"{self.format}_{'array' if self._is_array else 'matrix'}"

    def _fallback_method(self, name, *args, **kwargs):
        return _fallback.call(f"{self._scipy_name}.{name}",
                              lambda s, *a, **k: getattr(s, name)(*a, **k), (self,) + args, kwargs)

    def _in_place_in_scipy(self, name, apply):
        """``apply`` run on a SciPy copy, whose changes are then taken back."""
        qualified = f"{self._scipy_name}.{name}"
        if not _fallback.enabled():
            raise NotImplementedError(
                f"legate_sparse.{qualified} is not implemented natively and LEGATE_SPARSE_FALLBACK=0 "
                "forbids falling back to SciPy"
            )
        _fallback._warn_once(qualified)
        s = self._to_scipy()
        result = apply(s)
        self._assign_from(type(self)(s))
        return result

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        import scipy.sparse as _sp

        scipy_cls = getattr(_sp, self._scipy_name, None)
        if scipy_cls is None or not hasattr(scipy_cls, name):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        if not callable(getattr(scipy_cls, name)):
            return self._fallback_method("__getattribute__", name)

        def method(*args, **kwargs):
            if name not in _IN_PLACE:
                return self._fallback_method(name, *args, **kwargs)
            result = self._in_place_in_scipy(
                name, lambda s: getattr(s, name)(*_fallback.to_scipy(args), **_fallback.to_scipy(kwargs)))
            return _fallback.from_scipy(result)

        return method

    def __setitem__(self, key, value):
        """Assignment runs in SciPy on a host copy, then the result is taken back."""

        def assign(s):
            s[_fallback.to_scipy(key)] = _fallback.to_scipy(value)

        self._in_place_in_scipy("__setitem__", assign)


class sparray:
    """The flavour of the ``*_array`` classes: ``*`` is elementwise."""

    _is_array = True


class spmatrix:
    """The flavour of the ``*_matrix`` classes: ``*`` is the matrix product, ``**`` the
    matrix power, and axis reductions are 2-d."""

    _is_array = False

    def todense(self, order=None, out=None):
        """An ``np.matrix`` of the values, as SciPy's ``*_matrix.todense``: a host copy,
        since ``np.matrix`` is a NumPy class (``toarray`` gives the legate array). With
        ``out`` (a legate array of the shape), ``out`` receives the values too."""
        dense = self.toarray(order=order, out=out)
        return _np.asmatrix(_np.asarray(dense.__array__(), order="F" if _dense_order(order, out) else "C"))

    def __mul__(self, other):
        if is_scalar(other):
            return self._mul_scalar(other)
        return self._matmul(other)

    def __rmul__(self, other):
        if is_scalar(other):
            return self._mul_scalar(other)
        return self.__rmatmul__(other)

    def __pow__(self, n):
        m = self.shape[0]
        if m != self.shape[1]:
            raise TypeError("sparse matrix is not square")
        if not (is_int_like(n) or isinstance(n, (bool, _np.bool_))):  # SciPy's isintlike
            raise ValueError("exponent must be an integer")
        n = int(n)
        if n < 0:
            raise ValueError("exponent must be >= 0")
        # SciPy's matrix_power: repeated squaring, so the result's format is its
        # products' (a CSC matrix's power is CSC), and the identity for n = 0 a DIA
        # array.
        if n == 0:
            from ._construct import eye_array

            return eye_array(m, dtype=self.dtype)
        if n == 1:
            return self.copy()
        half = self ** (n // 2)
        return self @ half @ half if n % 2 else half @ half

    def getnnz(self, axis=None):
        """Stored values (explicit zeros and duplicates included), in all or per line;
        per line in int64 or, along CSR's rows and CSC's columns, ``indptr``'s dtype."""
        if axis is None:
            return self.nnz
        if self.format == "coo" and is_int_like(axis) and axis < -self.ndim:
            raise IndexError("tuple index out of range")  # SciPy's COO indexes its coordinates with it
        axis = self._count_axis(axis)
        coo = self.tocoo()
        ones = lnp.ones(coo.nnz, INDEX)
        res = _kernels.segment_sum(ones, coo.col if axis == 0 else coo.row, self.shape[1 - axis])
        return res.astype(self._indptr.dtype) if self._counts_along_major(axis) else res

    def getrow(self, i):
        """Row ``i`` as a ``(1, n)`` CSR matrix."""
        i = _line_index(i, self.shape[0])
        return self.tocsr()[i : i + 1, :]

    def getcol(self, j):
        """Column ``j`` as an ``(m, 1)`` matrix: CSC for a CSC matrix, BSR with blocks
        ``(R, 1)`` for a BSR one (SciPy's ``A @ selector``), else CSR."""
        j = _line_index(j, self.shape[1])
        A = self if self.format == "csc" else self.tocsr()
        col = A[:, j : j + 1]
        if self.format == "bsr":
            return col.tobsr(blocksize=(self.blocksize[0], 1))
        return col

    def getH(self):
        """The conjugate transpose (SciPy 1.14 removed the ``.H`` property, as ``.A``)."""
        return self.conjugate().transpose()

    def asfptype(self):
        """This matrix with the smallest float or complex dtype that holds its values
        (float32 for booleans and 8- and 16-bit integers), as SciPy's."""
        if self.dtype.kind in "fc":
            return self
        return self.astype(_np.result_type(self.dtype, _np.float32))


def _install_unary(name: str) -> None:
    func = getattr(lnp, name)

    def method(self):
        return self._with_data(func(self._deduped_data()), copy=True)

    method.__name__ = name
    method.__doc__ = f"``{name}`` of the stored values (zero-preserving, so the structure is kept)."
    setattr(_spbase, name, method)


for _name in _UNARY_ZERO_PRESERVING:
    _install_unary(_name)


def _line_index(i, n: int) -> int:
    i = operator.index(i)
    if i < -n or i >= n:
        raise IndexError(f"index ({i}) out of range")
    return i % n


def _reshape_target(args, shape, current) -> tuple:
    """The shape asked of ``reshape`` (``-1`` resolved), or SciPy's ``ValueError``."""
    if shape is None:
        if not args:
            raise TypeError("reshape() missing required argument 'shape'")
        shape = args[0] if len(args) == 1 and not _np.isscalar(args[0]) else args
    try:
        shape = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError("shape must be a tuple of integers") from None
    size = 1
    for s in current:
        size *= s
    unknown = [k for k, s in enumerate(shape) if s < 0]
    if len(unknown) > 1 or any(s < -1 for s in shape):
        raise ValueError("can only specify one unknown dimension")
    known = 1
    for s in shape:
        if s >= 0:
            known *= s
    if unknown:
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
        shape = tuple(size // known if s < 0 else s for s in shape)
    elif known != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape
