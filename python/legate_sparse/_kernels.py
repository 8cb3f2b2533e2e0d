"""The compute kernels of legate_sparse, in one place.

Every format reduces its heavy work to a few kernels on CSR arrays (``indptr``,
``indices``, ``data`` as legate_numeric arrays): SpMV, SpMM, SpGEMM, ``todense``, and
the segment sums and sorts that put entries in canonical order. When the compiled
extension ``legate_sparse._native`` is importable, SpMV/SpMM/SpGEMM/``todense`` for
float32/float64/complex64/complex128 run there; otherwise (and for other dtypes) they
are written with legate_numeric operations (gathers, ``bincount``, ``cumsum``,
``argsort``), which are correct for every dtype and never leave the runtime.
"""

from __future__ import annotations

import os

import numpy as _np

import legate_numeric as lnp

from ._sputils import FLOAT_DTYPES, INDEX

try:  # The Rust kernels land separately; everything works without them.
    from . import _native  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the build
    _native = None


def native_available() -> bool:
    return _native is not None


def _use_native(*dtypes) -> bool:
    return _native is not None and all(_np.dtype(d) in FLOAT_DTYPES for d in dtypes)


def row_ranges(indptr):
    """The native kernels' row description of ``indptr`` (None without them)."""
    return None if _native is None else _native.row_ranges(indptr)


def row_patterns(pos, indices):
    """The rows' pattern ids and tables for the native SpMV, or None without it."""
    return None if _native is None else _native.row_patterns(pos, indices)


def column_ranges(pos, indices):
    """The native kernels' column range of each row (None without them)."""
    return None if _native is None else _native.column_ranges(pos, indices)


# ---- segment sums and ids ----


def row_ids(indptr, nnz: int):
    """The row (major index) of each stored entry: ``repeat(arange(n), diff(indptr))``."""
    n = indptr.shape[0] - 1
    if nnz == 0 or n == 0:
        return lnp.zeros(0, INDEX)
    return lnp.repeat(lnp.arange(n, dtype=INDEX), indptr[1:] - indptr[:-1])


#: Whether ``segment_sum`` verifies its callers' ``ids_sorted`` (under ``LEGATE_TEST``).
_CHECK_SORTED = bool(os.environ.get("LEGATE_TEST"))


def segment_sum(values, ids, n: int, ids_sorted: bool = False):
    """``out[k] = sum(values[ids == k])`` for ``k < n``, in ``values.dtype``; exact for
    integers (a ``cumsum`` over sorted ids), ``bincount`` in float64 for floats."""
    dt = values.dtype
    if ids.shape[0] == 0 or n == 0:
        return lnp.zeros(n, dt)
    if dt.kind == "f":
        return lnp.bincount(ids, weights=values, minlength=n).astype(dt, copy=False)
    if dt.kind == "c":
        re = lnp.bincount(ids, weights=values.real, minlength=n)
        im = lnp.bincount(ids, weights=values.imag, minlength=n)
        out = lnp.zeros(n, dt)
        out.real = re
        out.imag = im
        return out
    # Integers and bools: exact sums of int64 (wrapping like NumPy's) over sorted ids.
    acc = _np.uint64 if dt.kind == "u" else _np.int64
    v = values.astype(acc)
    if ids_sorted and _CHECK_SORTED and bool(lnp.any(ids[1:] < ids[:-1])):
        # A caller's promise that was wrong twice (SpMM and BSR products): the tests check it.
        raise AssertionError("segment_sum: ids_sorted=True but the ids are not sorted")
    if not ids_sorted:
        order = lnp.argsort(ids, kind="stable")
        ids, v = ids[order], v[order]
    m = ids.shape[0]
    last = lnp.nonzero(lnp.concatenate([ids[1:] != ids[:-1], lnp.ones(1, bool)]))[0]
    totals = lnp.cumsum(v)[last]
    sums = totals - lnp.concatenate([lnp.zeros(1, acc), totals[:-1]]) if m else totals
    out = lnp.zeros(n, acc)
    out[ids[last]] = sums
    if dt.kind == "b":
        return out != 0
    return out.astype(dt, copy=False)


def compress_sorted(rows, nrows: int):
    """``indptr`` of sorted row ids: ``indptr[i]`` = number of entries in rows < i."""
    if rows.shape[0] == 0:
        return lnp.zeros(nrows + 1, INDEX)
    return lnp.searchsorted(rows, lnp.arange(nrows + 1, dtype=INDEX), side="left").astype(INDEX, copy=False)


def canonical_coo(rows, cols, data, shape, sum_duplicates: bool = True, drop_zeros: bool = False):
    """Entries sorted by (row, col), duplicates summed (and zeros dropped if asked).

    Returns ``(rows, cols, data)``; the sort is one stable ``argsort`` of
    ``row * ncols + col``.
    """
    m, n = shape
    nnz = data.shape[0]
    if nnz == 0:
        return rows, cols, data
    if m * n < 2**62:
        # In int64: SciPy's int32 indices would wrap past 2**31 positions.
        order = lnp.argsort(rows.astype(INDEX, copy=False) * n + cols, kind="stable")
    else:
        order = lnp.lexsort((cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    if sum_duplicates and nnz > 1:
        new = lnp.concatenate([lnp.ones(1, bool), (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])])
        keep = lnp.nonzero(new)[0]
        nuniq = keep.shape[0]
        if nuniq != nnz:
            group = lnp.cumsum(new.astype(INDEX)) - 1
            data = segment_sum(data, group, nuniq, ids_sorted=True)
            rows, cols = rows[keep], cols[keep]
    if drop_zeros:
        rows, cols, data = drop_zero_entries(rows, cols, data)
    return rows, cols, data


def drop_zero_entries(rows, cols, data):
    keep = lnp.nonzero(data)[0]
    if keep.shape[0] == data.shape[0]:
        return rows, cols, data
    return rows[keep], cols[keep], data[keep]


# ---- products ----


def spmv(A, x, out=None):
    """``A @ x`` for a CSR-oriented ``A`` (``_cs_base`` over rows) and 1-d ``x`` of A's
    dtype; ``out`` (1-d, that dtype) is written when given."""
    nrows = A._shape[0]
    if _use_native(A._data.dtype, x.dtype):
        pos, extras = _spmv_operands(A)
        return _native.spmv(pos, A._indices, A._data, x, out=out, **extras)
    if A._data.shape[0] == 0:
        y = lnp.zeros(nrows, _np.result_type(A._data.dtype, x.dtype))
    else:
        y = segment_sum(A._data * x[A._indices], A._row_ids(), nrows, ids_sorted=True)
    if out is None:
        return y
    out[...] = y
    return out


def spmv_dot(A, x):
    """``(A @ x, x^H (A @ x))`` in one pass for a square CSR-oriented ``A`` and 1-d ``x``
    of A's dtype (the product a new array, the inner product 0-d), or None where the
    native kernels do not take them."""
    if not _use_native(A._data.dtype, x.dtype) or A._data.dtype != x.dtype or A._shape[0] != A._shape[1]:
        return None
    y = lnp.empty(A._shape[0], x.dtype)
    pos, extras = _spmv_operands(A)
    return y, _native.spmv_dot(pos, A._indices, A._data, x, y, **extras)


#: Whether the native SpMV reads rows by their patterns (``row_patterns``) where it
#: can; off, it reads every row's column indices (benchmarks compare the two).
PATTERNS = True


def _spmv_operands(A):
    """``A``'s row ranges and what the native SpMV reads besides the matrix: its rows'
    patterns (from the second product on), the column ranges ``x`` is read through
    (int32 indices, or with patterns) and ``indptr``. The caches are checked once."""
    A._check_caches()
    patterns = A._patterns(False) if PATTERNS else None
    cols = A._cols(False) if patterns is not None or A._indices.dtype == _np.int32 else None
    return A._pos(False), {"cols": cols, "indptr": A._indptr, "patterns": patterns}


def spmv_transposed(A, x):
    """The product over ``A``'s compressed axis: ``A @ x`` for a CSC ``A`` (``A.T @ x``
    for a CSR one) and 1-d ``x`` (of A's dtype for the native kernel)."""
    ncols = A._major_shape()[1]
    if _use_native(A._data.dtype, x.dtype):
        cols = A._cols() if A._indices.dtype == _np.int32 else None
        return _native.spmv_transposed(A._pos(), A._indices, A._data, x, ncols, cols=cols)
    if A._data.shape[0] == 0:
        return lnp.zeros(ncols, _np.result_type(A._data.dtype, x.dtype))
    return segment_sum(A._data * x[A._row_ids()], A._indices, ncols)


def coo_spmv(rows, cols, data, x, nrows: int):
    """``A @ x`` for the matrix of the entries ``(rows, cols, data)`` in any order (int64
    indices; ``x`` of data's dtype) with the native kernel, or ``None`` without it."""
    if not _use_native(data.dtype, x.dtype) or data.dtype != x.dtype:
        return None
    return _native.coo_spmv(rows, cols, data, x, nrows)


def coo_spmm_takes(*dtypes) -> bool:
    """Whether the native COO SpMM takes values of ``dtypes`` (promoted together)."""
    return _use_native(_np.result_type(*dtypes))


def coo_spmm(rows, cols, data, X, nrows: int, blocks=None, block_shape=(0, 0)):
    """``A @ X`` for the matrix of the entries ``(rows, cols, data)`` in any order (int64
    indices; with ``blocks`` block-diagonal, see ``_native.coo_spmm``) and a dense 2-d
    ``X`` of data's dtype, by the native kernel (see ``coo_spmm_takes``)."""
    return _native.coo_spmm(rows, cols, data, X, nrows, blocks, block_shape)


def coo_select(coords, plan, nout: int):
    """The native ``coo_select`` of an n-d COO array's ``coords`` (see
    ``_coo._select_plan``): the selected entries' indices and result coordinates."""
    return _native.coo_select(coords, lnp.asarray(plan), nout)


def spmm(A, X):
    """``A @ X`` for CSR-oriented ``A`` and 2-d dense ``X`` of A's dtype (C order out)."""
    nrows, k = A._shape[0], X.shape[1]
    if _use_native(A._data.dtype, X.dtype):
        return _native.spmm(A._pos(), A._indices, A._data, X)
    dt = _np.result_type(A._data.dtype, X.dtype)
    if A._data.shape[0] == 0 or k == 0:
        return lnp.zeros((nrows, k), dt)
    # Not sorted: a row's entries repeat its k ids (an integer sum sorts them first).
    ids = (A._row_ids() * k).reshape(-1, 1) + lnp.arange(k, dtype=INDEX).reshape(1, -1)
    prod = A._data.reshape(-1, 1) * X[A._indices]
    return segment_sum(prod.reshape(-1), ids.reshape(-1), nrows * k).reshape(nrows, k)


def spmm_transposed(A, X):
    """As :func:`spmv_transposed`, for a 2-d dense ``X``: with the native kernels one
    product per column of ``X`` (read as rows of a contiguous ``X.T``: a column of a
    row-major ``X`` would drag every column's bytes through memory)."""
    ncols, k = A._major_shape()[1], X.shape[1]
    dt = _np.result_type(A._data.dtype, X.dtype)
    if A._data.shape[0] == 0 or k == 0:
        return lnp.zeros((ncols, k), dt)
    if _use_native(A._data.dtype, X.dtype) and A._data.dtype == X.dtype:
        rows = lnp.ascontiguousarray(X.T)
        return lnp.stack([spmv_transposed(A, rows[j]) for j in range(k)], axis=1)
    ids = (A._indices.astype(INDEX) * k).reshape(-1, 1) + lnp.arange(k, dtype=INDEX).reshape(1, -1)
    prod = A._data.reshape(-1, 1) * X[A._row_ids()]
    return segment_sum(prod.reshape(-1), ids.reshape(-1), ncols * k).reshape(ncols, k)


def spgemm(A, B):
    """``A @ B`` for CSR-oriented ``A`` (m x k) and ``B`` (k x n): ``(indptr, indices,
    data, pos, canonical)``, duplicates summed and zeros from cancellation dropped (as
    SciPy does). The native product gives SciPy's order of each row (not sorted;
    ``canonical`` False) and the result's row ranges ``pos``; the fallback sorts
    (``canonical`` True) and gives ``pos`` None."""
    m, n = A._shape[0], B._shape[1]
    dt = _np.result_type(A._data.dtype, B._data.dtype)
    if _use_native(A._data.dtype, B._data.dtype) and A._data.dtype == B._data.dtype:
        indptr, pos, indices, data = _native.spgemm(A._pos(), A._indices, A._data, B._pos(), B._indices, B._data, n)
        return indptr, indices, data, pos, False
    if A._data.shape[0] == 0 or B._data.shape[0] == 0:
        return lnp.zeros(m + 1, INDEX), lnp.zeros(0, INDEX), lnp.zeros(0, dt), None, True
    # Each entry (i, p) of A meets row p of B: expand to one product per pair.
    b_len = B._indptr[1:] - B._indptr[:-1]
    counts = b_len[A._indices]
    starts = lnp.cumsum(counts) - counts
    total = int(lnp.sum(counts))
    if total == 0:
        return lnp.zeros(m + 1, INDEX), lnp.zeros(0, INDEX), lnp.zeros(0, dt), None, True
    a_idx = lnp.repeat(lnp.arange(A._data.shape[0], dtype=INDEX), counts)
    offset = lnp.arange(total, dtype=INDEX) - starts[a_idx]
    b_idx = B._indptr[A._indices][a_idx] + offset
    rows = A._row_ids()[a_idx]
    cols = B._indices[b_idx]
    vals = A._data[a_idx].astype(dt, copy=False) * B._data[b_idx].astype(dt, copy=False)
    rows, cols, vals = canonical_coo(rows, cols, vals, (m, n), drop_zeros=True)
    return compress_sorted(rows, m), cols, vals, None, True


def todense(A):
    """A dense 2-d array of a CSR-oriented ``A`` (duplicates summed)."""
    m, n = A._shape
    if _use_native(A._data.dtype):
        return _native.todense(A._pos(), A._indices, A._data, n)
    if A._data.shape[0] == 0 or m * n == 0:
        return lnp.zeros((m, n), A._data.dtype)
    flat = A._row_ids() * n + A._indices
    return segment_sum(A._data, flat, m * n).reshape(m, n)
