"""Sparse direct solves: ``spsolve``, ``splu`` and ``factorized``, as SciPy names them,
with faer's sparse LU (partial pivoting after a fill-reducing column ordering).

The factorization is one task (a sparse LU is sequential, so one processor) that
reads ``A``'s compressed arrays in place; the factor stays with the runtime until the
``SuperLU`` object that owns it is collected, and each solve is one more task. So
``A`` is never converted to NumPy, and any size that fits in memory works.

SciPy's conventions: ``spsolve`` of an exactly singular matrix warns
(``MatrixRankWarning``) and returns NaNs; ``splu`` of one raises ``RuntimeError``
("Factor is exactly singular"). Inputs that are not CSC (``splu``, ``factorized``) or
not CSR/CSC (``spsolve``) are converted with SciPy's ``SparseEfficiencyWarning``.
"""

from __future__ import annotations

import warnings

import numpy as _np
from scipy.sparse import SparseEfficiencyWarning
from scipy.sparse.linalg import MatrixRankWarning

import legate_numeric as lnp

from .. import _native
from .._base import _spbase
from .._sputils import as_legate

__all__ = ["spsolve", "splu", "factorized", "SuperLU"]


def _float_dtype(dt) -> _np.dtype:
    """The dtype a factorization of a ``dt`` matrix uses: the first of float32,
    float64, complex64, complex128 that holds it (SciPy's ``_asfptype``)."""
    for fp in (_np.float32, _np.float64, _np.complex64, _np.complex128):
        if _np.can_cast(dt, fp, "safe"):
            return _np.dtype(fp)
    # SciPy's own error for dtypes no factorization holds (float128, complex256).
    raise TypeError(f"cannot upcast [{_np.dtype(dt)}] to a floating point format")


class SuperLU:
    """The LU factorization of a square sparse matrix, as ``splu`` returns it.

    ``shape``, ``solve(rhs, trans='N')``, ``L``, ``U``, ``perm_r``, ``perm_c`` and
    ``nnz`` are SciPy's: ``Pr @ A @ Pc == L @ U`` with ``Pr`` the permutation that
    sends row ``i`` to ``perm_r[i]`` and ``Pc`` the one that sends column ``j`` to
    ``perm_c[j]``, ``L`` unit lower triangular and ``U`` upper triangular (CSC
    arrays, int32 indices). faer's factor does not give its parts out, so the first
    of these attributes factors ``A`` once more (simplicially, with the same COLAMD
    ordering and partial pivoting); the factors are SciPy's in form, not in value
    (SuperLU pivots and orders differently).
    """

    def __init__(self, A, fmt: str, keep_matrix: bool = True):
        n = A.shape[0]
        self.shape = (n, n)
        self.dtype = A.dtype
        self._factor = None
        # A copy of A's arrays for the factors' first use (A may change meanwhile);
        # internal solves that never show the object pass keep_matrix=False.
        self._matrix = (A.indptr.copy(), A.indices.copy(), A.data.copy(), fmt == "csc") if keep_matrix else None
        self._parts = None
        if n == 0:
            return
        self._factor = _native.LuFactor(A.indptr, A.indices, A.data, n, csc=(fmt == "csc"))
        if self._factor.singular():
            self._release()
            raise RuntimeError("Factor is exactly singular")

    def _factor_parts(self):
        """``(perm_r, perm_c, L, U)``, computed on first use."""
        if self._parts is None:
            from .._csc import csc_array

            n = self.shape[0]
            if self._matrix is None and n:
                raise AttributeError("this factorization kept no copy of its matrix for L and U")
            indptr, indices, data, csc = self._matrix or (None, None, None, True)
            if n == 0:
                empty = lnp.zeros(0, _np.int32)
                perm_r = perm_c = empty
                L = U = csc_array((n, n), dtype=self.dtype)
            else:
                parts = _native.lu_factor_parts(indptr, indices, data, n, csc)
                perm_r, perm_c = (p.astype(_np.int32) for p in parts[:2])

                def csc_of(indptr, indices, data):
                    return csc_array((data, indices.astype(_np.int32), indptr.astype(_np.int32)), shape=(n, n))

                L, U = csc_of(*parts[2:5]), csc_of(*parts[5:8])
            self._parts = (perm_r, perm_c, L, U)
            self._matrix = None
        return self._parts

    @property
    def perm_r(self):
        """Where each row of ``A`` goes: row ``i`` is row ``perm_r[i]`` of ``Pr A``."""
        return self._factor_parts()[0]

    @property
    def perm_c(self):
        """Where each column of ``A`` goes: column ``j`` is column ``perm_c[j]`` of ``A Pc``."""
        return self._factor_parts()[1]

    @property
    def L(self):
        """The unit lower triangular factor (a CSC array, its unit diagonal stored)."""
        return self._factor_parts()[2]

    @property
    def U(self):
        """The upper triangular factor (a CSC array)."""
        return self._factor_parts()[3]

    @property
    def nnz(self) -> int:
        """The number of entries stored in ``L`` and ``U``."""
        _, _, L, U = self._factor_parts()
        return int(L.nnz + U.nnz)

    def _release(self):
        factor, self._factor = self._factor, None
        if factor is not None:
            factor.release()

    def __del__(self):
        try:
            self._release()
        except Exception:  # pragma: no cover - the runtime may be gone at exit
            pass

    def solve(self, rhs, trans="N"):
        """``x`` with ``A x = rhs`` (``trans='N'``), ``Aᵀ x = rhs`` ('T') or
        ``Aᴴ x = rhs`` ('H'); ``rhs`` is 1-d or 2-d (one system per column) and must
        cast safely to the factor's dtype."""
        if trans not in ("N", "T", "H"):
            raise ValueError("trans must be N, T, or H")
        b = as_legate(rhs)
        if not _np.can_cast(b.dtype, self.dtype, "safe"):
            raise TypeError(f"Cannot cast array data from {b.dtype!r} to {self.dtype!r} according to the rule 'safe'")
        if b.ndim > 2:
            raise ValueError("object too deep for desired array")
        if b.ndim == 0 or b.shape[0] != self.shape[0]:
            raise ValueError("b is of incompatible size")
        b = b.astype(self.dtype, copy=False)
        if self._factor is None or b.size == 0:
            return lnp.zeros(b.shape, self.dtype)
        return self._factor.solve(b, trans)


def _as_compressed(A, formats, what):
    """``(A, format)`` with ``A`` in one of ``formats``; other input (sparse or dense)
    becomes CSC with SciPy's warning."""
    if isinstance(A, _spbase) and A.format in formats:
        return A, A.format
    from .._csc import csc_array

    warnings.warn(what, SparseEfficiencyWarning, stacklevel=3)
    return (A.tocsc() if isinstance(A, _spbase) else csc_array(A)), "csc"


def _check_permc(permc_spec):
    """SciPy's check of ``permc_spec`` (faer picks its own column ordering)."""
    if permc_spec not in (None, "NATURAL", "MMD_ATA", "MMD_AT_PLUS_A", "COLAMD"):
        raise ValueError("invalid value for 'ColPerm' parameter")


def _factor(A, dtype, fmt, square_msg, keep_matrix=False):
    """``SuperLU`` of ``A`` (duplicates add up in the factorization, as
    ``sum_duplicates`` would make them); ``keep_matrix`` for one the user sees."""
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(square_msg)
    return SuperLU(A.astype(dtype, copy=False), fmt, keep_matrix)


def splu(A, permc_spec=None, diag_pivot_thresh=None, relax=None, panel_size=None, options=None):
    """The sparse LU factorization of a square ``A`` (a ``SuperLU``). The SuperLU
    tuning arguments are accepted and ignored: faer picks its own ordering and
    pivoting (``permc_spec`` is checked as SciPy's)."""
    _check_permc(permc_spec)
    A, fmt = _as_compressed(A, ("csc",), "splu converted its input to CSC format")
    return _factor(A, _float_dtype(A.dtype), fmt, "can only factor square matrices", keep_matrix=True)


def factorized(A):
    """A function ``solve(b)`` that solves ``A x = b`` with ``A``'s LU factors."""
    return splu(A).solve


def spsolve(A, b, permc_spec=None, use_umfpack=True):
    """Solves ``A x = b`` (``b`` a vector, a dense matrix, or sparse). A ``b`` of shape
    ``(n,)`` or ``(n, 1)`` gives a 1-d ``x``; a sparse ``b`` gives a sparse result of
    ``A``'s format, as in SciPy. An exactly singular ``A`` warns and gives NaNs."""
    _check_permc(permc_spec)
    A, fmt = _as_compressed(A, ("csr", "csc"), "spsolve requires A be CSC or CSR matrix format")
    b_sparse = isinstance(b, _spbase)
    B = b if b_sparse else as_legate(b)
    dt = _np.promote_types(_float_dtype(A.dtype), B.dtype)
    m, n = A.shape
    if m != n:
        raise ValueError(f"matrix must be square (has shape {(m, n)})")
    if B.ndim == 0 or B.shape[0] != n:
        raise ValueError(f"matrix - rhs dimension mismatch ({A.shape} - {B.shape[0]})")
    vector = B.ndim == 1 or (B.ndim == 2 and B.shape[1] == 1)
    if b_sparse and not vector:
        # SciPy factors once and solves the columns; a singular A raises here.
        if b.format != "csc":
            warnings.warn("spsolve is more efficient when sparse b is in the CSC matrix format",
                          SparseEfficiencyWarning, stacklevel=2)
        return A._cls(fmt)(_factor(A, dt, fmt, "").solve(B.toarray().astype(dt, copy=False)))
    dense_b = B.toarray() if b_sparse else B
    try:
        lu = _factor(A, dt, fmt, "")
    except RuntimeError:
        warnings.warn("Matrix is exactly singular", MatrixRankWarning, stacklevel=2)
        x = lnp.full(dense_b.shape, _np.nan, dtype=dt)
    else:
        x = lu.solve(dense_b.astype(dt, copy=False))
    return x.reshape(-1) if vector else x
