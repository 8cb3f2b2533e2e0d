"""The CSR kernels of ``legate_sparse._legate_sparse``, for ``legate_numeric`` arrays.

This module only converts: arrays come in through ``__legate_data_interface__`` (so a
``legate_numeric`` array is used in place, never copied), their dtypes are checked,
and results go out as ``legate_numeric`` arrays. The kernels and their partitioning
live in the Rust crate ``legate-sparse``.

A matrix is passed as ``pos`` (from :func:`row_ranges`; one ``[lo, hi)`` pair per
row), ``indices`` (column indices: int32 or int64 for SpMV and SpMM, int64 for the
others, which convert) and ``data`` (float32, float64, complex64 or complex128).
Indices may be unsorted and repeat; repeats add up, as in SciPy. SpMV with int32
indices also takes ``cols`` (from :func:`column_ranges`).
"""

from __future__ import annotations

from typing import Any

import numpy as _np
import legate_numeric as _lnp
from legate._legate import Store as _Store

from . import _legate_sparse as _ext

__all__ = ["row_ranges", "column_ranges", "row_patterns", "spmv", "spmv_dot", "spmv_transposed", "coo_spmv", "coo_spmm", "coo_select", "spmm", "spgemm", "todense", "VALUE_DTYPES"]

#: The value dtypes the kernels support.
VALUE_DTYPES = tuple(_np.dtype(t) for t in ("float32", "float64", "complex64", "complex128"))

_INT64 = _np.dtype("int64")
_INT32 = _np.dtype("int32")


def _store_of(array: Any, what: str):
    """``(store, dtype)`` of ``array``: an object with ``__legate_data_interface__``
    (version 1, one field, no null mask) or a ``legate._legate.Store``; anything else
    is first converted with ``legate_numeric.asarray``."""
    if type(array) is _lnp.ndarray:  # the common case, without the interface's dict
        return array._store, array.dtype
    if isinstance(array, _Store):
        return array, None
    iface = getattr(array, "__legate_data_interface__", None)
    if iface is None:
        iface = _lnp.asarray(array).__legate_data_interface__
    if iface.get("version") != 1:
        raise ValueError(f"{what}: unsupported __legate_data_interface__ version {iface.get('version')!r}")
    data = iface["data"]
    if len(data) != 1:
        raise ValueError(f"{what}: expected an array of one field, got {len(data)}")
    (kind, dtype_name), (mask, store) = next(iter(data.items()))
    if kind != "array":
        raise ValueError(f"{what}: expected an array, got a field of kind {kind!r}")
    if mask is not None:
        raise NotImplementedError(f"{what}: arrays with a null mask are not supported")
    return store, _np.dtype(dtype_name)


def _indices(array: Any, what: str, int32: bool = False):
    """The store of an index array: int64, or int32 too when the kernel takes it
    (``int32``); other integer dtypes are converted."""
    store, dtype = _store_of(array, what)
    if dtype is None or dtype == _INT64 or (int32 and dtype == _INT32):
        return store
    if dtype.kind not in "iu":
        raise TypeError(f"{what} must hold integers, got {dtype}")
    return _store_of(_lnp.ndarray._wrap(store, dtype).astype(_INT64), what)[0]


def _values(array: Any, what: str):
    """``(store, dtype)`` of a value array of a supported dtype."""
    store, dtype = _store_of(array, what)
    dtype = _np.dtype(store.dtype) if dtype is None else dtype
    if dtype not in VALUE_DTYPES:
        names = ", ".join(d.name for d in VALUE_DTYPES)
        raise NotImplementedError(f"legate_sparse: {what} of dtype {dtype} is not supported (only {names})")
    return store, dtype


def _same_dtype(expected: _np.dtype, got: _np.dtype, what: str) -> None:
    if got != expected:
        raise TypeError(f"{what} has dtype {got} but the matrix data has dtype {expected}; convert one with .astype")


def _wrap(store, dtype: _np.dtype):
    return _lnp.ndarray._wrap(store, dtype)


def _pos(pos: Any):
    """The store of ``pos`` (the object :func:`row_ranges` returned)."""
    return _store_of(pos, "pos")[0]


def row_ranges(indptr: Any):
    """Row ranges of a CSR ``indptr``.

    Parameters
    ----------
    indptr : array_like of int
        ``n_rows + 1`` non-negative, non-decreasing offsets.

    Returns
    -------
    pos : legate._legate.Store
        An opaque store of ``n_rows`` ``[lo, hi)`` pairs; pass it to the products.
    """
    return _ext.row_ranges(_indices(indptr, "indptr", int32=True))


def column_ranges(pos: Any, indices: Any):
    """Each row's column range ``[min, max + 1)`` (``[0, 0]`` when empty): an opaque
    store, aligned with ``pos``, through which SpMV reads ``x`` for int32 indices (the
    runtime's point images take int64 only)."""
    return _ext.column_ranges(_pos(pos), _indices(indices, "indices", int32=True))


def row_patterns(pos: Any, indices: Any):
    """The inspector of the patterned SpMV: ``(ids, tables)``, opaque stores naming each
    row's pattern of column offsets (``indices[k] - row`` in stored order) for
    :func:`spmv`'s ``patterns``. Valid only while ``pos`` and ``indices`` are unchanged:
    the caller must drop them when either is written. Blocks of rows with more than
    255 patterns keep reading their indices."""
    return tuple(_ext.row_patterns(_pos(pos), _indices(indices, "indices", int32=True)))


def spmv(pos: Any, indices: Any, data: Any, x: Any, out: Any = None, cols: Any = None, indptr: Any = None, patterns: Any = None):
    """``y = A @ x`` for the CSR matrix ``(pos, indices, data)``.

    Parameters
    ----------
    pos, indices, data
        The matrix (``len(pos)`` rows, ``len(x)`` columns).
    x : legate_numeric.ndarray
        1-d, of ``data``'s dtype.
    out : legate_numeric.ndarray, optional
        Where to write ``y``: 1-d, ``len(pos)`` elements, ``data``'s dtype.
    cols : optional
        :func:`column_ranges` of the matrix (made here when int32 indices come
        without it).
    indptr : legate_numeric.ndarray, optional
        The offsets ``pos`` was made from; when they have the indices' dtype the kernel
        reads each row's range from them (4 or 8 bytes a row instead of 16).
    patterns : optional
        :func:`row_patterns` of the matrix as it is now: the rows they cover are read
        without their column indices (then ``cols`` is needed for int64 indices too).

    Returns
    -------
    y : legate_numeric.ndarray
        ``out`` when given, else a new array.
    """
    args, cols, ptr, dtype = _spmv_args(pos, indices, data, x, cols, indptr, patterns)
    if out is None:
        return _wrap(_ext.spmv(*args, cols=cols, indptr=ptr, patterns=patterns), dtype)
    _ext.spmv(*args, _out_store(out, dtype, tuple(args[0].shape)[0]), cols=cols, indptr=ptr, patterns=patterns)
    return out


def spmv_dot(pos: Any, indices: Any, data: Any, x: Any, out: Any, cols: Any = None, indptr: Any = None, patterns: Any = None):
    """``out[...] = A @ x`` and ``x^H (A @ x)`` in one pass (CG's product and
    ``p·(A p)``), for a square CSR matrix ``(pos, indices, data)``; the arguments as
    :func:`spmv` takes them (``out`` required). Returns the inner product as a 0-d
    legate_numeric array of ``data``'s dtype."""
    args, cols, ptr, dtype = _spmv_args(pos, indices, data, x, cols, indptr, patterns)
    ostore = _out_store(out, dtype, tuple(args[0].shape)[0])
    _, dot = _ext.spmv(*args, ostore, cols=cols, indptr=ptr, dot=True, patterns=patterns)
    return _wrap(dot.project(0, 0), dtype)


def _spmv_args(pos, indices, data, x, cols, indptr, patterns=None):
    """``(pos, indices, data, x)`` stores, the column ranges, the ``indptr`` store to
    read (None when its dtype or length does not fit) and the dtype."""
    vals, dtype = _values(data, "data")
    xs, xdtype = _values(x, "x")
    _same_dtype(dtype, xdtype, "x")
    crd = _indices(indices, "indices", int32=True)
    if cols is None and (_np.dtype(crd.dtype) == _INT32 or patterns is not None):
        cols = column_ranges(pos, crd)
    args = (_pos(pos), crd, vals, xs)
    cols = None if cols is None else _pos(cols)
    ptr = None if indptr is None else _store_of(indptr, "indptr")[0]
    if ptr is not None and (_np.dtype(ptr.dtype) != _np.dtype(crd.dtype) or tuple(ptr.shape) != (tuple(args[0].shape)[0] + 1,)):
        ptr = None  # another dtype or shape: read pos
    return args, cols, ptr, dtype


def _out_store(out, dtype, n_rows):
    """The store of a product's ``out=`` (a legate_numeric array of ``n_rows`` elements
    of ``dtype``), or ValueError."""
    if getattr(out, "__legate_data_interface__", None) is None:
        # Converting would write into a copy the caller never sees.
        raise ValueError(f"out must be a legate_numeric array, got {type(out).__name__}")
    ostore, odtype = _store_of(out, "out")
    if odtype != dtype:
        raise ValueError(f"out has dtype {odtype} but the product has dtype {dtype}")
    if tuple(ostore.shape) != (n_rows,):
        raise ValueError(f"out has shape {tuple(ostore.shape)} but the product has shape ({n_rows},)")
    return ostore


def spmv_transposed(pos: Any, indices: Any, data: Any, x: Any, ncols: int, cols: Any = None):
    """``y = Aᵀ @ x`` for the CSR matrix ``(pos, indices, data)`` of ``ncols`` columns
    (a CSC matrix's ``A @ x``): ``x`` 1-d of ``len(pos)`` elements and ``data``'s
    dtype; ``y`` a new array of ``ncols`` elements. Each point sums into the part of
    ``y`` its rows touch: for int32 indices, the range image of ``cols``
    (:func:`column_ranges`, made here when not given)."""
    vals, dtype = _values(data, "data")
    xs, xdtype = _values(x, "x")
    _same_dtype(dtype, xdtype, "x")
    if int(ncols) < 0:
        raise ValueError(f"ncols must be non-negative, got {ncols}")
    crd = _indices(indices, "indices", int32=True)
    if cols is None and _np.dtype(crd.dtype) == _INT32:
        cols = column_ranges(pos, crd)
    cols = None if cols is None else _pos(cols)
    return _wrap(_ext.spmv_transposed(_pos(pos), crd, vals, xs, int(ncols), cols=cols), dtype)


def coo_spmv(rows: Any, cols: Any, data: Any, x: Any, nrows: int):
    """``y = A @ x`` for the ``nrows``-row matrix of the entries ``(rows, cols, data)``
    in any order, duplicates summed (int64 ``rows`` and ``cols``; ``x`` 1-d of
    ``data``'s dtype); ``y`` a new array."""
    vals, dtype = _values(data, "data")
    xs, xdtype = _values(x, "x")
    _same_dtype(dtype, xdtype, "x")
    if int(nrows) < 0:
        raise ValueError(f"nrows must be non-negative, got {nrows}")
    r, c = _indices(rows, "rows"), _indices(cols, "cols")
    return _wrap(_ext.coo_spmv(r, c, vals, xs, int(nrows)), dtype)


def coo_spmm(rows: Any, cols: Any, data: Any, X: Any, nrows: int, blocks: Any = None, block_shape=(0, 0)):
    """``Y = A @ X`` for the ``nrows``-row matrix of the entries ``(rows, cols, data)``
    in any order, duplicates summed (int64 ``rows`` and ``cols``), and a dense 2-d
    ``X`` of ``data``'s dtype; ``Y`` a new ``(nrows, X.shape[1])`` array. With
    ``blocks`` (int64, one an entry) ``A`` is block-diagonal, of blocks of
    ``block_shape``: entry ``j`` is at ``blocks[j] * block_shape + (rows[j], cols[j])``."""
    vals, dtype = _values(data, "data")
    xs, xdtype = _values(X, "X")
    _same_dtype(dtype, xdtype, "X")
    if len(xs.shape) != 2:
        raise ValueError(f"X must be 2-d, it has shape {tuple(xs.shape)}")
    if int(nrows) < 0:
        raise ValueError(f"nrows must be non-negative, got {nrows}")
    r, c = _indices(rows, "rows"), _indices(cols, "cols")
    if blocks is None:
        return _wrap(_ext.coo_spmm(r, c, vals, xs, int(nrows)), dtype)
    if block_shape[0] <= 0 or block_shape[1] < 0:
        raise ValueError(f"block_shape must be positive, got {block_shape}")
    shape = (int(block_shape[0]), int(block_shape[1]))
    return _wrap(_ext.coo_spmm(r, c, vals, xs, int(nrows), blocks=_indices(blocks, "blocks"), block_shape=shape), dtype)


def coo_select(coords: Any, plan: Any, nout: int):
    """The entries of an n-d COO array (``coords``, one int64 array an axis) inside the
    key ``plan`` describes (see ``legate-sparse``'s ``coo_select``): ``(indices,
    coords)``, the selected entries' indices and their ``nout`` coordinates in the
    result (int64 arrays, in the entries' order)."""
    stores = _ext.coo_select([_indices(c, "coords") for c in coords], _indices(plan, "plan"), int(nout))
    ent, *out = (_wrap(s, _INT64) for s in stores)
    return ent, out


def spmm(pos: Any, indices: Any, data: Any, X: Any):
    """``Y = A @ X`` for the CSR matrix ``(pos, indices, data)`` and a dense 2-d ``X``
    (any layout or view) of ``data``'s dtype; ``Y`` is ``(len(pos), X.shape[1])``."""
    vals, dtype = _values(data, "data")
    xs, xdtype = _values(X, "X")
    _same_dtype(dtype, xdtype, "X")
    if len(xs.shape) != 2:
        raise ValueError(f"X must be 2-d, it has shape {tuple(xs.shape)}")
    return _wrap(_ext.spmm(_pos(pos), _indices(indices, "indices", int32=True), vals, xs), dtype)


def spgemm(a_pos: Any, a_indices: Any, a_data: Any, b_pos: Any, b_indices: Any, b_data: Any, b_ncols: int):
    """``C = A @ B`` for CSR ``A`` and ``B`` (``B`` has ``len(b_pos)`` rows and
    ``b_ncols`` columns; ``A``'s column indices must be below ``len(b_pos)``).

    Returns
    -------
    indptr, pos, indices, data : legate_numeric.ndarray
        ``C`` as SciPy's product gives it: no duplicates, no explicit zeros, and each
        row's columns in SciPy's order (the reverse of their first appearance; not
        sorted), and ``C``'s row ranges (``pos``, as ``row_ranges(indptr)`` gives),
        which the product needed.
    """
    a_vals, dtype = _values(a_data, "A's data")
    b_vals, bdtype = _values(b_data, "B's data")
    _same_dtype(dtype, bdtype, "B's data")
    if int(b_ncols) < 0:
        raise ValueError(f"b_ncols must be non-negative, got {b_ncols}")
    indptr, pos, crd, vals = _ext.spgemm(
        _pos(a_pos),
        _indices(a_indices, "A's indices"),
        a_vals,
        _pos(b_pos),
        _indices(b_indices, "B's indices"),
        b_vals,
        int(b_ncols),
    )
    return _wrap(indptr, _INT64), pos, _wrap(crd, _INT64), _wrap(vals, dtype)


def todense(pos: Any, indices: Any, data: Any, ncols: int):
    """The dense ``(len(pos), ncols)`` array of a CSR matrix, duplicates summed."""
    vals, dtype = _values(data, "data")
    if int(ncols) < 0:
        raise ValueError(f"ncols must be non-negative, got {ncols}")
    return _wrap(_ext.todense(_pos(pos), _indices(indices, "indices"), vals, int(ncols)), dtype)


class LuFactor:
    """faer's sparse LU of the ``n x n`` matrix of SciPy's compressed arrays
    (``indptr``, ``indices``, ``data``; CSC when ``csc``, else CSR), factored by one
    task and held by the runtime until ``release()``."""

    def __init__(self, indptr: Any, indices: Any, data: Any, n: int, csc: bool):
        vals, self.dtype = _values(data, "data")
        self._factor = _ext.lu_factor(_indices(indptr, "indptr"), _indices(indices, "indices"), vals, int(n), bool(csc))

    def singular(self) -> bool:
        """Whether the matrix was exactly singular (waits for the factorization)."""
        return self._factor.singular()

    def solve(self, b: Any, trans: str = "N"):
        """``x`` with ``A x = b`` (``trans`` 'N'), ``Aᵀ x = b`` ('T') or ``Aᴴ x = b``
        ('H'); ``b`` is 1-d or 2-d of the factor's dtype."""
        bs, bdtype = _values(b, "b")
        _same_dtype(self.dtype, bdtype, "b")
        return _wrap(self._factor.solve(bs, trans), self.dtype)

    def release(self) -> None:
        """Frees the factor once the solves launched before are done."""
        self._factor.release()


def lu_factor_parts(indptr: Any, indices: Any, data: Any, n: int, csc: bool):
    """SciPy's ``SuperLU`` attributes of the ``n x n`` matrix of the compressed arrays
    (as :class:`LuFactor` takes them), with ``Pr A Pc = L U``.

    Returns
    -------
    perm_r, perm_c, L_indptr, L_indices, L_data, U_indptr, U_indices, U_data : legate_numeric.ndarray
        The permutations (int64) and ``L`` (unit lower triangular) and ``U`` as CSC
        arrays (int64 indices, each column's rows sorted). One task that factors the
        matrix again; it fails on a singular matrix.
    """
    vals, dtype = _values(data, "data")
    stores = _ext.lu_factor_parts(_indices(indptr, "indptr"), _indices(indices, "indices"), vals, int(n), bool(csc))
    return tuple(_wrap(s, dtype if i in (4, 7) else _INT64) for i, s in enumerate(stores))


def lu_factors_held() -> int:
    """How many factors the runtime holds (for tests)."""
    return _ext.lu_factors_held()
