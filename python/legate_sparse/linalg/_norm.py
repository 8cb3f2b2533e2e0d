"""``norm``: Frobenius, 1, -1, 2, inf, -inf norms of sparse arrays (and vector norms
along an axis), computed from the stored values without densifying."""

from __future__ import annotations

import math

import numpy as _np

import legate_numeric as lnp

from .._base import _spbase

__all__ = ["norm"]


def norm(x, ord=None, axis=None):
    """SciPy's ``sparse.linalg.norm``; matrix norms return a 0-d legate array (the
    2-norm, the largest singular value, from ``svds`` as SciPy's; the -2 norm is not
    supported, as in SciPy)."""
    if not isinstance(x, _spbase):
        raise TypeError("input is not sparse. use numpy.linalg.norm")
    if x.ndim != 2:
        if axis not in (None, 0, -1):
            raise ValueError("Invalid axis for a 1-d array")
        return lnp.linalg.norm(x.toarray(), ord=ord)
    A = x._csr()
    absdata = lnp.abs(A.data)
    # Squares in float64, as SciPy's (those of small integers would wrap).
    sq = absdata.astype(_np.float64) if absdata.dtype.kind in "biu" else absdata
    sq = sq * sq
    if axis is None or axis in ((0, 1), (1, 0), (-2, -1), (-1, -2)):
        if ord in (None, "fro", "f"):
            return lnp.sqrt(lnp.sum(sq)) if A.nnz else lnp.zeros((), sq.dtype)
        if ord == 2:  # SciPy's: the largest singular value from svds
            from ._eigen import svds

            return svds(x, k=1, return_singular_vectors=False)[0]
        if ord == -2:
            raise NotImplementedError("the -2 norm of a sparse matrix is not implemented (as in SciPy)")
        if ord in (1, -1, _np.inf, -_np.inf):
            axis_sum = 0 if abs(ord) == 1 else 1
            sums = A._with_data(absdata, copy=False).sum(axis=axis_sum)
            sums = sums.reshape(-1)
            if sums.shape[0] == 0:  # NumPy's (and SciPy's) error for an empty reduction
                name = "maximum" if ord > 0 else "minimum"
                raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
            return lnp.max(sums) if ord > 0 else lnp.min(sums)
        raise ValueError("Invalid norm order for matrices.")
    if isinstance(axis, tuple):
        if len(axis) != 1:
            raise ValueError("Improper number of dimensions to norm.")
        axis = axis[0]
    axis = int(axis)
    if axis not in (0, 1, -1, -2):
        raise ValueError(f"Invalid axis {axis!r} for an array with shape {x.shape}")
    ax = axis % 2
    m = A._with_data(absdata, copy=False)
    if ord in (None, 2):
        res = lnp.sqrt(A._with_data(sq, copy=False).sum(axis=ax))
    elif ord == _np.inf:
        res = m.max(axis=ax).toarray()
    elif ord == -_np.inf:
        res = m.min(axis=ax).toarray()
    elif ord == 0:
        res = A.count_nonzero(axis=ax).astype(_np.int64, copy=False)  # SciPy: int64 counts
    elif ord == 1:
        res = m.sum(axis=ax)
    elif isinstance(ord, (int, float)) and not math.isinf(ord):
        res = A._with_data(absdata**ord, copy=False).sum(axis=ax) ** (1.0 / ord)
    else:
        raise ValueError("Invalid norm order for vectors.")
    return res.reshape(-1)
