"""Item assignment ``A[key] = x`` for 2-d CSR, CSC and COO arrays, with SciPy's rules.

The key (integers, slices, integer or boolean index arrays, a boolean mask, dense or
sparse) becomes broadcast row/column positions on the host (they are the size of
the key, like the user's index arrays); the value ``x`` is broadcast to them. Then:

- CSR/CSC (SciPy's ``_set_many``): stored positions get their new values (zeros
  included, the structure is kept); positions not stored are inserted, explicit zeros
  too, with a ``SparseEfficiencyWarning`` ("Changing the sparsity structure...").
  A sparse ``x`` sets the positions it stores and zeroes the rest without inserting.
- COO: the entries at the positions are removed and the nonzero values appended.

When a position appears more than once in the key, the last value wins.
"""

from __future__ import annotations

import operator
import warnings

import numpy as _np
from scipy.sparse import SparseEfficiencyWarning

import legate_numeric as lnp

from . import _kernels
from ._sputils import INDEX, as_legate


class Unsupported(Exception):
    """A key this module does not handle (it then runs in SciPy)."""


def _is_int(k) -> bool:
    if isinstance(k, (bool, _np.bool_)):
        return False
    if isinstance(k, lnp.ndarray):
        return k.ndim == 0 and k.dtype.kind in "iu"
    try:
        operator.index(k)
        return True
    except TypeError:
        return False


def _host(k):
    if isinstance(k, lnp.ndarray):
        return _np.asarray(k.__array__())
    return _np.asarray(k)


def _check_bounds(idx: _np.ndarray, n: int) -> _np.ndarray:
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        if hi >= n:
            raise IndexError(f"index ({hi}) out of range")
        if lo < -n:
            raise IndexError(f"index ({lo}) out of range")
    return _np.where(idx < 0, idx + n, idx).astype(_np.int64)


def _axis_index(k, n: int):
    """One axis of the key: an int, a slice, or an int64 NumPy array (bools become
    their positions)."""
    if isinstance(k, slice):
        return k
    if _is_int(k):
        i = int(_host(k)) if isinstance(k, lnp.ndarray) else operator.index(k)
        if i < -n or i >= n:
            raise IndexError(f"index ({i}) out of range")
        return i % n
    if k is None or k is Ellipsis:
        raise Unsupported()
    arr = _host(k)
    if arr.dtype.kind == "b":
        if arr.ndim != 1:
            raise Unsupported()
        if arr.shape[0] != n:
            raise IndexError(f"boolean index did not match indexed array along axis; size is {n} "
                             f"but index size is {arr.shape[0]}")
        return _np.nonzero(arr)[0].astype(_np.int64)
    if arr.size == 0:
        return _np.zeros(arr.shape, _np.int64)
    if arr.dtype.kind not in "iu":
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), and integer or boolean arrays are valid indices")
    return _check_bounds(arr.astype(_np.int64), n)


def positions(A, key):
    """``(i, j, scalar)``: broadcast row and column positions of ``key`` in ``A`` (NumPy
    int64 arrays of one shape), and whether the key names a single element."""
    from ._base import issparse

    M, N = A.shape
    if issparse(key) or (isinstance(key, (_np.ndarray, lnp.ndarray)) and key.ndim == 2):
        mask = key.toarray() if issparse(key) else key
        mask = _host(mask)
        if mask.dtype.kind != "b" or mask.shape != A.shape:
            raise Unsupported()
        i, j = _np.nonzero(mask)
        return i.astype(_np.int64), j.astype(_np.int64), False
    if isinstance(key, tuple):
        if len(key) == 1:
            key = (key[0], slice(None))
        elif len(key) == 2:
            if key[0] is Ellipsis:
                key = (slice(None), key[1])
            elif key[1] is Ellipsis:
                key = (key[0], slice(None))
        else:
            raise IndexError("too many indices for array")
    elif key is Ellipsis:
        key = (slice(None), slice(None))
    else:
        key = (key, slice(None))
    row, col = _axis_index(key[0], M), _axis_index(key[1], N)
    if isinstance(row, int) and isinstance(col, int):
        return _np.array(row, _np.int64), _np.array(col, _np.int64), True
    if isinstance(row, slice):
        row = _np.arange(*row.indices(M), dtype=_np.int64)[:, None]
    else:
        row = _np.atleast_1d(row)
    if isinstance(col, slice):
        col = _np.arange(*col.indices(N), dtype=_np.int64)[None, :]
        if row.ndim == 1:
            row = row[:, None]
    else:
        col = _np.atleast_1d(col)
    try:
        i, j = _np.broadcast_arrays(row, col)
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together with shapes "
                         f"{row.shape} {col.shape}") from None
    return i, j, False


def values(A, i, x, scalar: bool):
    """``x`` as a NumPy array of ``A``'s dtype and ``i``'s shape, and a mask of the
    positions that may be inserted (all of them, but for a sparse ``x`` only its
    stored ones); ``None`` when there is nothing to assign."""
    import scipy.sparse as _sp

    from ._base import issparse

    if issparse(x) or _sp.issparse(x):
        if 0 in x.shape:
            return None
        X = _host(x.toarray()).astype(A.dtype)
        stored = X != 0
        shape = i.shape if i.ndim == 2 else (1,) + i.shape
        try:
            X = _np.broadcast_to(X.reshape(X.shape if X.ndim == 2 else (1, -1)), shape)
            stored = _np.broadcast_to(stored.reshape(X.shape), shape)
        except ValueError:
            raise ValueError("shape mismatch in assignment") from None
        return X.reshape(i.shape), stored.reshape(i.shape)
    X = _np.asarray(_host(x) if isinstance(x, lnp.ndarray) else x, dtype=A.dtype)
    if scalar:
        if X.size != 1:
            raise ValueError("Trying to assign a sequence to an item")
        return X.reshape(()), _np.ones((), bool)
    if X.squeeze().shape != i.squeeze().shape:
        X = _np.broadcast_to(X, i.shape)
    if X.size == 0:
        return None
    return X.reshape(i.shape), _np.ones(i.shape, bool)


def _last_wins(q: _np.ndarray, *cols):
    """``q`` sorted and unique, with the other arrays at each key's last occurrence."""
    order = _np.argsort(q, kind="stable")
    qs = q[order]
    last = _np.ones(qs.shape[0], bool)
    if qs.shape[0] > 1:
        last[:-1] = qs[1:] != qs[:-1]
    return (qs[last],) + tuple(c[order][last] for c in cols)


def _found(stored_keys, query, n_stored: int):
    """Positions of ``query`` in the sorted ``stored_keys`` and whether each is there."""
    if n_stored == 0:
        return lnp.zeros(query.shape[0], INDEX), lnp.zeros(query.shape[0], bool)
    pos = lnp.searchsorted(stored_keys, query)
    safe = lnp.minimum(pos, n_stored - 1)
    return safe, (pos < n_stored) & (stored_keys[safe] == query)


def _lookup(A, query, nminor: int):
    """``(positions in storage, found)`` of the ``query`` keys (``major * nminor +
    minor``) in ``A``, or ``(None, None)`` when one of them is stored more than once."""
    nnz = A.nnz
    stored = A._row_ids() * nminor + A._indices if nnz else None
    if nnz == 0 or A._canonical is True:
        return _found(stored, query, nnz)
    order = lnp.argsort(stored, kind="stable")
    keys = stored[order]
    lo = lnp.searchsorted(keys, query)
    hi = lnp.searchsorted(keys, query, side="right")
    if bool(lnp.any(hi - lo > 1)):
        return None, None
    return order[lnp.minimum(lo, nnz - 1)], hi > lo


def set_compressed(A, i, j, x, insertable) -> None:
    """SciPy's ``_set_many`` on a CSR/CSC array, in place. As SciPy's, duplicates and
    explicit zeros elsewhere are kept; a set position stored more than once makes it
    sum duplicates first (``csr_sample_offsets``); new entries go to the start of their
    row, then the row is sorted if its indices were."""
    major, minor = (i, j) if A._major_is_row else (j, i)
    nmajor, nminor = A._major_shape()
    q, x, insertable = _last_wins(major.reshape(-1) * nminor + minor.reshape(-1), x.reshape(-1),
                                  insertable.reshape(-1))
    if q.shape[0] == 0:
        return
    query = as_legate(q)
    pos, found = _lookup(A, query, nminor)
    if pos is None:
        A.sum_duplicates()
        pos, found = _lookup(A, query, nminor)
    found_h = _np.asarray(found.__array__())
    hit = _np.nonzero(found_h)[0]
    if hit.shape[0]:
        A._data[pos[as_legate(hit)]] = as_legate(x[hit])
    new = _np.nonzero(~found_h & insertable)[0]
    if new.shape[0] == 0:
        return
    warnings.warn(f"Changing the sparsity structure of a {type(A).__name__} is expensive. "
                  "lil and dok are more efficient.", SparseEfficiencyWarning, stacklevel=3)
    canonical, sorted_ = A._canonical is True, A.has_sorted_indices
    qn = q[new]
    # New entries first in their row (SciPy's ``_insert_many``), then the stored ones.
    rows = lnp.concatenate([as_legate(qn // nminor), A._row_ids()])
    cols = lnp.concatenate([as_legate(qn % nminor), A._indices])
    data = lnp.concatenate([as_legate(x[new]), A._data])
    if sorted_:
        rows, cols, data = _kernels.canonical_coo(rows, cols, data, (nmajor, nminor), sum_duplicates=False)
    else:
        order = lnp.argsort(rows, kind="stable")
        rows, cols, data = rows[order], cols[order], data[order]
    A._set(data, cols, _kernels.compress_sorted(rows, nmajor), A.shape)
    A._canonical = True if canonical else None
    A._sorted = sorted_


def set_coo(A, i, j, x) -> None:
    """COO assignment in place: entries at the positions removed, nonzeros appended."""
    N = A.shape[1]
    q, x = _last_wins(i.reshape(-1) * N + j.reshape(-1), x.reshape(-1))
    if q.shape[0] == 0:
        return
    row, col, data = A.row, A.col, A.data
    if A.nnz:
        _, hit = _found(as_legate(q), row.astype(INDEX, copy=False) * N + col, q.shape[0])  # int64: no wrap
        keep = lnp.nonzero(lnp.logical_not(hit))[0]
        row, col, data = row[keep], col[keep], data[keep]
    nz = _np.nonzero(x)[0]
    qn = q[nz]
    rows = lnp.concatenate([row, as_legate(qn // N)])
    cols = lnp.concatenate([col, as_legate(qn % N)])
    A._set(lnp.concatenate([data, as_legate(x[nz])]), (rows, cols), A.shape)
    A._canonical = False
