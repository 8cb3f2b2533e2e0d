"""``max``/``min``/``nanmax``/``nanmin`` and ``argmax``/``argmin`` of sparse arrays.

Implicit zeros count unless ``explicit=True``. Over all entries the result is a 0-d
legate array (``max``) or a Python int (``argmax``, an index into the flattened
array); along an axis ``max`` is sparse (a 1-d ``coo_array`` for arrays, a ``(1, n)``
or ``(m, 1)`` ``coo_matrix`` for matrices) and ``argmax`` a dense int64 legate array
(2-d for matrices), as in SciPy.

Per line (row or column), values are sorted by ``(line, value)`` once (one
``lexsort``) and the first or last of each line taken. NaN follows NumPy: ``max``
propagates it, ``nanmax`` skips it (NaN only when every value of the line is NaN).
Complex values are ordered as NumPy orders them (by real part, then imaginary part),
and a NaN result is the line's first NaN value, as NumPy's reductions return it.
"""

from __future__ import annotations

import numpy as _np

import legate_numeric as lnp

from . import _kernels
from ._sputils import INDEX


def _check_out(out, what: str) -> None:
    if out is not None:
        raise ValueError(f"Sparse {what} does not support an 'out' parameter.")


def _lines(A, axis: int):
    """The canonical compressed array whose major lines run along ``axis``'s other
    dimension: CSR for axis 1 (rows), CSC for axis 0 (columns)."""
    B = A._csr()
    return B if axis == 1 else B.tocsc()


def line_extremes(A, axis: int, is_max: bool, skip_nan: bool, explicit: bool):
    """The max (min) of each line as a dense 1-d legate array of ``A``'s dtype."""
    B = _lines(A, axis)
    nlines, length = A.shape[1 - axis], A.shape[axis]
    res = lnp.zeros(nlines, A.dtype)
    if B.nnz == 0:
        return res
    lines, data = B._row_ids(), B.data
    counts = B._indptr[1:] - B._indptr[:-1]
    nan_count = None
    key = data
    if A.dtype.kind in "fc":
        isnan = lnp.isnan(data)
        nan_count = _kernels.segment_sum(isnan.astype(INDEX), lines, nlines, ids_sorted=True)
        key = lnp.where(isnan, lnp.full((), -_np.inf if is_max else _np.inf, A.dtype), data)
    order = lnp.lexsort((key, lines))
    vals = key[order]
    has = lnp.nonzero(counts)[0]
    pick = (B._indptr[1:] - 1)[has] if is_max else B._indptr[:-1][has]
    res[has] = vals[pick]
    if nan_count is not None:
        nan = _np.nan
        if A.dtype.kind == "c":
            # Every real NaN is alike; a complex one keeps its other part, and NumPy
            # returns the first one it meets: the line's first NaN in stored order.
            first = lnp.lexsort((1 - isnan.astype(INDEX), lines))
            nan = lnp.zeros(nlines, A.dtype)
            nan[has] = data[first][B._indptr[:-1][has]]
        if skip_nan:
            res = lnp.where((nan_count == counts) & (counts > 0), nan, res)
        else:
            res = lnp.where(nan_count > 0, nan, res)
    if not explicit:
        partial = counts < length
        if skip_nan:
            op = lnp.fmax if is_max else lnp.fmin
        else:
            op = lnp.maximum if is_max else lnp.minimum
        res = lnp.where(partial, op(res, lnp.zeros((), A.dtype)), res)
    return res


def extreme(A, axis, out, explicit: bool, is_max: bool, skip_nan: bool):
    """``A.max``/``min``/``nanmax``/``nanmin``."""
    _check_out(out, "min/max")
    axis = A._axis(axis)
    if A.ndim == 1:  # all entries: those of the array as one row
        A = A._as_row()
    m, n = A.shape
    if axis is None:
        if m * n == 0:
            raise ValueError("zero-size array to reduction operation")
        B = A._csr()
        if B.nnz == 0:
            return lnp.zeros((), A.dtype)
        if skip_nan:
            res = lnp.nanmax(B.data) if is_max else lnp.nanmin(B.data)
        else:
            res = lnp.max(B.data) if is_max else lnp.min(B.data)
        if B.nnz < m * n and not explicit:
            if skip_nan:
                op = lnp.fmax if is_max else lnp.fmin
            else:
                op = lnp.maximum if is_max else lnp.minimum
            res = op(res, lnp.zeros((), A.dtype))
        return res
    if A.shape[axis] == 0:
        raise ValueError("zero-size array to reduction operation")
    vals = line_extremes(A, axis, is_max, skip_nan, explicit)
    keep = lnp.nonzero(vals != 0)[0]
    nlines = A.shape[1 - axis]
    coo = A._cls("coo")
    if A._is_array:
        return coo._new_1d(vals[keep], keep, nlines)
    zeros = lnp.zeros(keep.shape[0], INDEX)
    if axis == 0:
        return coo._new(vals[keep], zeros, keep, (1, nlines))
    return coo._new(vals[keep], keep, zeros, (nlines, 1))


def _first_missing(sorted_positions):
    """The smallest position not in the sorted unique array (of fewer than all)."""
    k = sorted_positions.shape[0]
    if k == 0:
        return 0
    gaps = lnp.nonzero(sorted_positions != lnp.arange(k, dtype=INDEX))[0]
    return int(gaps[0]) if gaps.shape[0] else k


def arg_extreme(A, axis, out, explicit: bool, is_max: bool):
    """``A.argmax``/``argmin``: the first position of the extreme (NumPy's rule)."""
    name = "argmax" if is_max else "argmin"
    _check_out(out, name)
    axis = A._axis(axis)
    if A.ndim == 1:  # a position in the row is one in the 1-d array
        A = A._as_row()
    m, n = A.shape
    if axis is None:
        if m * n == 0:
            raise ValueError(f"Cannot apply {name} to an empty matrix.")
        B = A._csr()
        if B.nnz == 0:
            if explicit:
                raise ValueError(f"Cannot apply {name} to zero matrix when explicit=True.")
            return 0
        flat = B._row_ids() * n + B._indices  # sorted (canonical CSR)
        best = extreme(A, None, None, explicit, is_max, False)
        hits = lnp.nonzero((B.data == best) | (lnp.isnan(B.data) if A.dtype.kind in "fc" else False))[0]
        first_stored = int(flat[hits[0]]) if hits.shape[0] else None
        if explicit or B.nnz == m * n or bool(best != 0):
            return first_stored
        zero = _first_missing(flat)
        return zero if first_stored is None else min(zero, first_stored)
    if A.shape[axis] == 0:
        raise ValueError(f"Cannot apply {name} along a zero-sized dimension.")
    return _line_args(A, axis, is_max, explicit)


def _line_args(A, axis: int, is_max: bool, explicit: bool):
    B = _lines(A, axis)
    nlines, length = A.shape[1 - axis], A.shape[axis]
    res = lnp.zeros(nlines, INDEX)
    if B.nnz:
        best = line_extremes(A, axis, is_max, False, explicit)
        lines, data, minor = B._row_ids(), B.data, B._indices
        target = best[lines]
        is_best = (data == target) | ((lnp.isnan(data) & lnp.isnan(target)) if A.dtype.kind in "fc" else False)
        # The first stored position holding the line's extreme (minor indices are
        # sorted within a line, so the smallest index among the hits).
        big = lnp.full(nlines, length, INDEX)
        cand = lnp.where(is_best, minor, length)
        order = lnp.lexsort((cand, lines))
        first_hit = big.copy()
        counts = B._indptr[1:] - B._indptr[:-1]
        has = lnp.nonzero(counts)[0]
        first_hit[has] = cand[order][B._indptr[:-1][has]]
        if explicit:
            res = lnp.where(first_hit < length, first_hit, 0)
        else:
            # The first implicit zero of each line: the first k with minor[k] != k
            # within the line (positions are sorted), or the line's count.
            pos_in_line = lnp.arange(B.nnz, dtype=INDEX) - B._indptr[:-1][lines]
            gap = lnp.where(minor != pos_in_line, pos_in_line, length)
            order = lnp.lexsort((gap, lines))
            first_gap = counts.copy()
            first_gap[has] = lnp.minimum(gap[order][B._indptr[:-1][has]], counts[has])
            implicit = counts < length
            zero_best = implicit & (best == 0)
            res = lnp.where(zero_best, lnp.minimum(first_gap, first_hit), first_hit)
            res = lnp.where(first_hit >= length, lnp.where(implicit, first_gap, 0), res)
    if A._is_array:
        return res
    return res.reshape(1, -1) if axis == 0 else res.reshape(-1, 1)
