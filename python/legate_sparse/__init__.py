"""legate_sparse: a ``scipy.sparse`` drop-in whose arrays live in Legate stores.

``import legate_sparse as sparse`` and write SciPy code: CSR, CSC, COO, DIA and BSR
arrays (and matrices) hold their ``data``/``indices``/``indptr`` as ``legate_numeric`` arrays,
products and conversions run as parallel tasks (through ``_kernels``: the compiled
``_native`` kernels when present, legate_numeric operations otherwise), and dense
results are ``legate_numeric`` arrays. Iterative solvers are in ``legate_sparse.linalg``
and Matrix Market I/O in ``legate_sparse.io``. Names of ``scipy.sparse`` not defined
here fall back to SciPy (one warning per name; ``LEGATE_SPARSE_FALLBACK=0`` turns that
into an error).

Result types. Dense results are legate_numeric arrays, also where SciPy returns
``np.matrix`` (``A == dense``, axis reductions of ``*_matrix``, which are 2-d), except
``todense()`` of a ``*_matrix``, which returns an ``np.matrix`` (a host copy) as SciPy's
does. Reductions over all entries (``sum``, ``mean``, ``max``, ``min``,
``nanmax``, ``trace``, ``linalg.norm``) return 0-d legate arrays, as
``legate_numeric``'s own reductions do (``float(A.sum())`` reads the value); counts
and positions are Python ints as in SciPy (``nnz``, ``argmax()``), except
``count_nonzero()``, a NumPy int64 as SciPy's. ``max``/``min`` along an axis are
sparse COO results, as SciPy's.

Other differences from SciPy: ``argmax``/``argmin`` follow
NumPy with NaNs (the first NaN) and, with ``explicit=True`` over all entries, return
a flattened index (SciPy returns a position in ``.data``); assigning twice to one
position in one ``A[rows, cols] = x`` keeps the last value in every format (SciPy's
COO keeps the first). 1-d arrays are ``csr_array``, ``coo_array`` and ``dok_array``,
as in SciPy 1.17 (the other formats raise SciPy's ``ValueError`` for 1-d input);
``coo_array`` also has SciPy's n-d arrays (3 or more dimensions; see ``_coo``), with
NumPy's answers where SciPy 1.17's are wrong (``A + dense`` broadcasting,
``count_nonzero(axis)``).
"""

from __future__ import annotations

import scipy.sparse as _scipy_sparse

from . import _fallback
from ._base import issparse, isspmatrix, sparray, spmatrix
from ._bsr import bsr_array, bsr_matrix, isspmatrix_bsr
from ._coo import coo_array, coo_matrix, isspmatrix_coo
from ._csc import csc_array, csc_matrix, isspmatrix_csc
from ._csr import csr_array, csr_matrix, isspmatrix_csr
from ._dia import dia_array, dia_matrix, isspmatrix_dia
from ._lil import isspmatrix_lil, lil_array, lil_matrix
from ._dok import dok_array, dok_matrix, isspmatrix_dok
from ._construct import (  # noqa: F401
    block_array,
    block_diag,
    bmat,
    diags,
    diags_array,
    eye,
    eye_array,
    hstack,
    identity,
    kron,
    kronsum,
    rand,
    random,
    random_array,
    spdiags,
    vstack,
)
from ._extract import find, tril, triu  # noqa: F401
from . import linalg, io  # noqa: E402,F401

__all__ = [
    "issparse", "isspmatrix", "sparray", "spmatrix",
    "csr_array", "csr_matrix", "csc_array", "csc_matrix", "coo_array", "coo_matrix", "dia_array", "dia_matrix",
    "bsr_array", "bsr_matrix", "lil_array", "lil_matrix", "dok_array", "dok_matrix",
    "isspmatrix_csr", "isspmatrix_csc", "isspmatrix_coo", "isspmatrix_dia", "isspmatrix_bsr",
    "isspmatrix_lil", "isspmatrix_dok",
    "block_array", "block_diag", "bmat", "diags", "diags_array", "eye", "eye_array", "hstack", "identity", "kron", "kronsum",
    "rand", "random", "random_array", "spdiags", "vstack", "find", "tril", "triu", "csgraph", "linalg", "io",
]


def __getattr__(name):
    """Anything of ``scipy.sparse`` not native here runs in SciPy (see ``_fallback``)."""
    if name == "csgraph":  # a module of its own, imported when first used (SciPy's is slow to import)
        import importlib

        return importlib.import_module(".csgraph", __name__)
    return _fallback.module_attr("legate_sparse", _scipy_sparse, name)
