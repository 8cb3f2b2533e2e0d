"""BSR: dense ``R x C`` blocks in a CSR pattern of blocks, on three legate_numeric arrays.

``data`` is ``(nblocks, R, C)``, ``indices`` the block column of each block and
``indptr`` the block-row pointer (``M / R + 1`` entries), as in SciPy. Products with
dense vectors and matrices run on the blocks (a batched block product, then a sum per
block row); everything else goes through CSR and comes back as BSR with the same
blocksize where SciPy returns BSR (``+``, ``-``, ``multiply``, ``@`` of two sparse
arrays, elementwise functions of the values). Like SciPy, a BSR array cannot be
indexed. ``nnz`` counts every stored block entry (``nblocks * R * C``), zeros included.
"""

from __future__ import annotations

import operator

import numpy as _np

import legate_numeric as lnp

from . import _kernels
from ._base import _register, _spbase, issparse, sparray, spmatrix
from ._compressed import check_compressed
from ._sputils import (
    INDEX, as_index, as_legate, as_values, check_dtype, check_shape, getdtype, index_dtype, is_int_like, is_scipy_sparse, keeps_wide,
    refuse_1d_conversion, refuse_1d_input, write_out,
)

__all__ = ["bsr_array", "bsr_matrix", "isspmatrix_bsr"]


def _check_blocksize(blocksize) -> tuple:
    try:
        R, C = (operator.index(b) for b in blocksize)
    except (TypeError, ValueError):
        raise ValueError(f"invalid blocksize {blocksize}") from None
    if R < 1 or C < 1:
        raise ValueError(f"invalid blocksize {(R, C)}")
    return R, C


def _count_blocks(csr, R: int, C: int) -> int:
    """How many ``R x C`` blocks hold a stored entry of a CSR array."""
    if csr.nnz == 0:
        return 0
    keys = lnp.unique((csr._row_ids() // R) * ((csr.shape[1] + C - 1) // C) + csr._indices // C)
    return int(keys.shape[0])


def estimate_blocksize(A, efficiency: float = 0.7) -> tuple:
    """A square blocksize (1, 2, 3, 4 or 6) whose blocks would be mostly filled: the
    stored entries over the stored block entries must exceed ``efficiency`` (SciPy's
    rule for ``tobsr()`` without a blocksize; 6 needs both 2 and 3 to be very good)."""
    csr = A._csr() if issparse(A) else A
    if csr.nnz == 0:
        return (1, 1)
    M, N = csr.shape
    nnz = float(csr.nnz)

    def fill(b):
        if M % b or N % b:
            return 0.0
        return nnz / (b * b * _count_blocks(csr, b, b))

    f2, f3 = fill(2), fill(3)
    very_good = (1.0 + efficiency) / 2.0
    if f2 > very_good and f3 > very_good:
        return (6, 6) if fill(6) > efficiency else (3, 3)
    for b, f in ((4, fill(4)), (3, f3), (2, f2)):
        if f > efficiency:
            return (b, b)
    return (1, 1)


def _csr_to_bsr(csr, R: int, C: int, cls, stored=None):
    """The BSR array (of class ``cls``) of a canonical CSR array, blocks ``R x C``:
    every block holding a stored entry is stored (its other entries are zeros). The
    blocks of a row are sorted, or with ``stored`` (the same array as an unsorted CSR)
    listed as their first entries are stored there, as SciPy's ``csr_tobsr``."""
    M, N = csr.shape
    if M % R or N % C:
        raise ValueError(f"shape {csr.shape} is not a multiple of blocksize {(R, C)}")
    mb, nb = M // R, N // C
    if csr.nnz == 0:
        return cls._new(lnp.zeros((0, R, C), csr.dtype), lnp.zeros(0, INDEX), lnp.zeros(mb + 1, INDEX), (M, N), (R, C))
    rows, cols = csr._row_ids(), csr._indices
    key = (rows // R) * nb + cols // C
    if stored is csr:  # the first appearances come with the blocks
        blocks, first, which = lnp.unique(key, return_index=True, return_inverse=True)
    else:
        blocks, which = lnp.unique(key, return_inverse=True)
    which = which.reshape(-1)
    nblocks = blocks.shape[0]
    if stored is not None and stored is not csr:
        _, first = lnp.unique((stored._row_ids() // R) * nb + stored._indices // C, return_index=True)
    if stored is not None and first.shape[0] == nblocks and nblocks > 1 and bool(lnp.any(first[1:] < first[:-1])):
        order = lnp.argsort(first)
        rank = lnp.zeros(nblocks, INDEX)
        rank[order] = lnp.arange(nblocks, dtype=INDEX)
        blocks, which = blocks[order], rank[which]
    flat = lnp.zeros(nblocks * R * C, csr.dtype)
    flat[(which * R + rows % R) * C + cols % C] = csr.data
    indptr = _kernels.compress_sorted(blocks // nb, mb)
    canonical = True if stored is None else None  # None: found from the block order when asked
    return cls._new(flat.reshape(nblocks, R, C), blocks % nb, indptr, (M, N), (R, C), canonical=canonical)


class _bsr_base(_spbase):
    format = "bsr"

    def __init__(self, arg1, shape=None, dtype=None, copy=False, blocksize=None):
        dt = getdtype(dtype)
        if blocksize is not None:
            blocksize = _check_blocksize(blocksize)
        if is_scipy_sparse(arg1) and arg1.format == "bsr":
            check_dtype(arg1.dtype)
            arg1 = type(self)._new(as_legate(arg1.data), as_index(arg1.indices), as_index(arg1.indptr),
                                   arg1.shape, arg1.blocksize, bool(arg1.has_canonical_format) or None,
                                   wide=arg1.indices.dtype == INDEX)
        if (isinstance(arg1, _spbase) or is_scipy_sparse(arg1)) and arg1.ndim != 2:
            refuse_1d_conversion("bsr")
        if isinstance(arg1, _spbase) or is_scipy_sparse(arg1):
            src = arg1 if isinstance(arg1, _spbase) else self._cls("csr")(arg1.tocsr())
            if src.format == "bsr" and (blocksize is None or blocksize == src.blocksize):
                B = src.copy() if copy else src
            else:
                B = src.tocsr().tobsr(blocksize=blocksize)
            self._set(B._data, B._indices, B._indptr, B.shape, B.blocksize, wide=getattr(B, "_wide", False))
            self._canonical = B._canonical
        elif isinstance(arg1, tuple) and len(arg1) == 2 and is_int_like(arg1[0]) and is_int_like(arg1[1]):
            M, N = check_shape(arg1)
            R, C = blocksize or (1, 1)
            if M % R or N % C:
                raise ValueError("shape must be multiple of blocksize")
            self._set(lnp.zeros((0, R, C), dt or _np.float64), lnp.zeros(0, INDEX), lnp.zeros(M // R + 1, INDEX),
                      (M, N), (R, C))
            self._canonical = True
            dt = None
        elif isinstance(arg1, tuple) and len(arg1) == 2:
            coo = self._cls("coo")(arg1, shape=shape, dtype=dt, copy=copy)
            B = coo.tocsr().tobsr(blocksize=blocksize)
            self._set(B._data, B._indices, B._indptr, B.shape, B.blocksize)
            self._canonical = True
        elif isinstance(arg1, tuple) and len(arg1) == 3:
            self._from_arrays(*arg1, shape=shape, blocksize=blocksize, copy=copy)
        elif isinstance(arg1, tuple):
            raise ValueError(f"unrecognized bsr_array constructor input: a tuple of {len(arg1)}")
        else:
            d = as_values(arg1)
            if d.ndim != 2:
                if d.ndim < 2 and not self._is_array:
                    d = d.reshape(1, -1)
                elif d.ndim > 2 and not self._is_array:
                    raise TypeError(f"expected 2D array or matrix, not {d.ndim}D")
                elif d.ndim == 1:
                    refuse_1d_input("bsr")
                else:
                    raise ValueError(f"BSR arrays of legate_sparse must be 2-d, got {d.ndim}-d input")
            csr = self._cls("csr")(d)
            if blocksize is not None:
                M, N = d.shape
                if M % blocksize[0] or N % blocksize[1]:
                    raise ValueError(f"invalid blocksize {blocksize}")
            B = csr.tobsr(blocksize=blocksize)
            self._set(B._data, B._indices, B._indptr, B.shape, B.blocksize)
            self._canonical = True
        if shape is not None and not isinstance(arg1, tuple) and tuple(shape) != self._shape:
            raise ValueError(f"shape {tuple(shape)} does not match the input's shape {self._shape}")
        if dt is not None and dt != self._data.dtype:
            self._data = self._data.astype(dt)

    def _set(self, data, indices, indptr, shape, blocksize, wide=None):
        """Stores the arrays, with SciPy's index dtype: int32 when the values fit, or
        int64 throughout when ``wide`` (as the compressed formats' ``_set``)."""
        self._shape = (int(shape[0]), int(shape[1]))
        if wide is not None:
            self._wide = wide
        idx = INDEX if getattr(self, "_wide", False) else index_dtype(self._shape, indices.shape[0])
        self._data, self._indices, self._indptr = data, indices.astype(idx, copy=False), indptr.astype(idx, copy=False)
        self._blocksize = (int(blocksize[0]), int(blocksize[1]))
        self._canonical = None

    @classmethod
    def _new(cls, data, indices, indptr, shape, blocksize, canonical=True, wide=False):
        obj = object.__new__(cls)
        obj._set(data, indices, indptr, shape, blocksize, wide=wide)
        obj._canonical = canonical
        return obj

    def _from_arrays(self, data, indices, indptr, shape=None, blocksize=None, copy=False):
        data = as_legate(data, copy=copy)
        check_dtype(data.dtype)
        if data.ndim != 3:
            raise ValueError(f"BSR data must be 3-dimensional, got shape={data.shape}")
        R, C = data.shape[1], data.shape[2]
        if blocksize is not None and blocksize != (R, C):
            raise ValueError(f"mismatching blocksize={blocksize} vs {(R, C)}")
        wide = keeps_wide(self._is_array, (indices, indptr))
        indices = as_index(indices, "indices", copy=copy)
        indptr = as_index(indptr, "indptr", copy=copy)
        if indptr.shape[0] < 1:
            raise ValueError("index pointer array must not be empty")
        mb = indptr.shape[0] - 1
        if shape is None:
            nb = int(lnp.max(indices)) + 1 if indices.shape[0] else 0
            shape = (mb * R, nb * C)
        M, N = check_shape(shape)
        if R == 0 or C == 0 or M % R or N % C:
            raise ValueError("shape must be multiple of blocksize")
        data, indices = check_compressed(data, indices, indptr, M // R, N // C, "column index values")
        self._set(data, indices, indptr, (M, N), (R, C), wide=wide)

    def __repr__(self) -> str:
        kind = "array" if self._is_array else "matrix"
        R, C = self._blocksize
        return (
            f"<legate_sparse bsr_{kind} of dtype '{self.dtype}'\n"
            f"\twith {self.nnz} stored elements (blocksize={R}x{C}) and shape {self.shape}>"
        )

    __str__ = __repr__

    # ---- attributes ----

    @property
    def indices(self):
        return self._indices

    @property
    def indptr(self):
        return self._indptr

    @property
    def blocksize(self) -> tuple:
        return self._blocksize

    @property
    def nnz(self) -> int:
        R, C = self._blocksize
        return int(self._data.shape[0]) * R * C

    @property
    def has_canonical_format(self) -> bool:
        """Whether block indices are sorted within each block row, without duplicates."""
        if self._canonical is None:
            nb = self._data.shape[0]
            if nb <= 1:
                self._canonical = True
            else:
                rows = _kernels.row_ids(self._indptr, nb)
                same = rows[1:] == rows[:-1]
                self._canonical = not bool(lnp.any(same & (self._indices[1:] <= self._indices[:-1])))
        return self._canonical

    has_sorted_indices = has_canonical_format

    def sum_duplicates(self):
        """Sorts the blocks of each block row and adds duplicate blocks, in place."""
        if self.has_canonical_format:
            return
        self._assign_from(_csr_to_bsr(self._coo_entries().tocsr(), *self._blocksize, type(self)))

    sort_indices = sum_duplicates

    def eliminate_zeros(self):
        """Removes blocks whose entries are all zero, in place."""
        nb = self._data.shape[0]
        if nb == 0:
            return
        nonzero = lnp.any(self._data.reshape(nb, -1) != 0, axis=1)
        keep = lnp.nonzero(nonzero)[0]
        if keep.shape[0] == nb:
            return
        rows = _kernels.row_ids(self._indptr, nb)[keep]
        indptr = _kernels.compress_sorted(rows, self._indptr.shape[0] - 1)
        canonical = self._canonical
        self._set(self._data[keep], self._indices[keep], indptr, self._shape, self._blocksize)
        self._canonical = canonical

    def _with_data(self, data, copy=True):
        indices, indptr = (self._indices.copy(), self._indptr.copy()) if copy else (self._indices, self._indptr)
        return type(self)._new(data, indices, indptr, self._shape, self._blocksize, self._canonical, wide=getattr(self, "_wide", False))

    # ---- conversions ----

    def _coo_entries(self):
        """Every stored block entry as a COO array (zeros kept, duplicates kept)."""
        R, C = self._blocksize
        nb = self._data.shape[0]
        if nb == 0:
            return self._cls("coo")(self._shape, dtype=self.dtype)
        brow = _kernels.row_ids(self._indptr, nb)
        r = lnp.arange(R, dtype=INDEX).reshape(1, R, 1)
        c = lnp.arange(C, dtype=INDEX).reshape(1, 1, C)
        rows = lnp.broadcast_to(brow.reshape(-1, 1, 1) * R + r, (nb, R, C)).reshape(-1)
        cols = lnp.broadcast_to(self._indices.reshape(-1, 1, 1) * C + c, (nb, R, C)).reshape(-1)
        return self._cls("coo")._new(self._data.reshape(-1), rows, cols, self._shape)

    def tocoo(self, copy=True):
        """The COO array of every stored entry (zeros inside blocks kept, as SciPy)."""
        coo = self._coo_entries()
        if copy and coo.nnz:
            coo = coo.copy()
        return coo

    def tocsr(self, copy=False):
        return self._coo_entries().tocsr()

    def tobsr(self, blocksize=None, copy=False):
        if blocksize is None or _check_blocksize(blocksize) == self._blocksize:
            return self.copy() if copy else self
        return self.tocsr().tobsr(blocksize=blocksize)

    def transpose(self, axes=None, copy=False):
        """The BSR array of the transpose (blocksize ``(C, R)``)."""
        if axes is not None and tuple(axes) != (1, 0):
            raise ValueError("Sparse arrays/matrices do not support an 'axes' parameter because swapping dimensions is the only logical permutation.")
        R, C = self._blocksize
        nb = self._data.shape[0]
        if nb == 0:
            return type(self)((self._shape[1], self._shape[0]), blocksize=(C, R), dtype=self.dtype)
        # Each block moves to (block column, block row) and is transposed itself.
        brow = _kernels.row_ids(self._indptr, nb)
        mb, nbcols = self._shape[0] // R, self._shape[1] // C
        order = lnp.argsort(self._indices * mb + brow, kind="stable")
        data = self._data.transpose(0, 2, 1)[order].copy()
        indptr = _kernels.compress_sorted(self._indices[order], nbcols)
        return type(self)._new(data, brow[order], indptr, self._shape[::-1], (C, R), self._canonical, wide=getattr(self, "_wide", False))

    def _to_scipy(self):
        import scipy.sparse as _sp

        cls = _sp.bsr_array if self._is_array else _sp.bsr_matrix
        return cls((self._data.__array__(), self._indices.__array__(), self._indptr.__array__()),
                   shape=self._shape, blocksize=self._blocksize)

    # ---- what SciPy returns as BSR ----

    def _as_bsr(self, A, blocksize=None):
        """A CSR result converted to BSR with this array's blocksize (or ``blocksize``)."""
        if not issparse(A):
            return A
        return _csr_to_bsr(A._csr(), *(blocksize or self._blocksize), self._cls("bsr"))

    def _add_sparse(self, other, sign):
        return self._as_bsr(super()._add_sparse(other, sign))

    def multiply(self, other):
        res = super().multiply(other)
        if issparse(other) and issparse(res):
            return self._as_bsr(res)
        return res

    def _matmul(self, other, out=None):
        if issparse(other):
            res = super()._matmul(other, out)
            R = self._blocksize[0]
            C = other.blocksize[1] if other.format == "bsr" else 1
            return self._as_bsr(res, (R, C))
        return super()._matmul(other, out)

    def _matmul_dense(self, x, dt, out):
        """``A @ x``: each block times its slice of ``x``, summed per block row."""
        R, C = self._blocksize
        M, N = self._shape
        nb = self._data.shape[0]
        k = 1 if x.ndim == 1 else x.shape[1]
        shape = (M,) if x.ndim == 1 else (M, k)
        if nb == 0 or M == 0 or k == 0:
            y = lnp.zeros(shape, dt)
        else:
            data = self._data.astype(dt, copy=False)
            xb = x.reshape(N // C, C, k)[self._indices]  # (nb, C, k)
            prod = lnp.matmul(data, xb).reshape(nb, R * k)  # (nb, R, k)
            brow = _kernels.row_ids(self._indptr, nb)
            # Not sorted: the blocks of a block row repeat its ids (an integer sum sorts them).
            ids = (brow.reshape(-1, 1) * (R * k) + lnp.arange(R * k, dtype=INDEX).reshape(1, -1)).reshape(-1)
            y = _kernels.segment_sum(prod.reshape(-1), ids, M * k).reshape(shape)
        return write_out(y, out)

    def setdiag(self, values, k=0):
        A = self.tocsr()
        A.setdiag(values, k)
        self._assign_from(_csr_to_bsr(A, *self._blocksize, type(self)))

    def __getitem__(self, key):
        raise NotImplementedError("BSR arrays do not support indexing (as in SciPy); convert with tocsr() first")

    def __setitem__(self, key, value):
        raise NotImplementedError("BSR arrays do not support assignment (as in SciPy); convert with tocsr() first")


@_register("bsr", True)
class bsr_array(sparray, _bsr_base):
    """A BSR sparse array (SciPy's ``bsr_array``; ``data`` is ``(nblocks, R, C)``)."""


@_register("bsr", False)
class bsr_matrix(spmatrix, _bsr_base):
    """A BSR sparse matrix (SciPy's ``bsr_matrix``: ``*`` is the matrix product)."""


def isspmatrix_bsr(x) -> bool:
    """Whether ``x`` is a legate_sparse ``bsr_matrix``."""
    return isinstance(x, bsr_matrix)


def _tobsr(A, blocksize=None, copy=False):
    """``A`` (any format) as BSR with ``blocksize`` (estimated as SciPy does when
    ``None``): ``_spbase.tobsr``."""
    csr = A._csr()
    if blocksize is None:
        blocksize = estimate_blocksize(csr)
    R, C = _check_blocksize(blocksize)
    if (R, C) == (1, 1) and A.format in ("csr", "csc"):
        # SciPy's: the CSR arrays as 1x1 blocks (duplicates and explicit zeros kept).
        B = A.tocsr(copy=copy)
        return A._cls("bsr")._new(B._data.reshape(-1, 1, 1), B._indices, B._indptr, B.shape, (1, 1),
                                  canonical=B._canonical is True or None, wide=getattr(B, "_wide", False))
    # SciPy's csr_tobsr lists blocks by first appearance in the CSR: sorted only for
    # one-row blocks of sorted rows.
    stored = A if A.format == "csr" else csr
    if R == 1 and stored.has_sorted_indices:
        stored = None
    return _csr_to_bsr(csr, R, C, A._cls("bsr"), stored)
