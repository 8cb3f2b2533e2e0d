"""NumPy's "Matrix eigenvalues" (``eig``, ``eigh``, ``eigvals``, ``eigvalsh``): the
batched ``eig`` and ``eigh`` tasks (faer, one point, looping over the stacked
matrices), with NumPy's dtypes: a real matrix whose eigenvalues are all real gets real
results, Hermitian eigenvalues are real and ascending. Eigenvectors have unit norm;
their signs (phases) may differ from LAPACK's."""

from __future__ import annotations

import numpy as _np

from .. import _fallback
from ._common import EighResult, EigResult, as_array, assert_stacked_square, cast, common_type, empty, real_of, run_native


def _eig(a, name, vectors):
    from legate import _legate as _ext

    from .._reduce import all as _all

    x = as_array(a)
    assert_stacked_square(x)
    types = common_type(x)
    if types is None:
        return _fallback.call(f"linalg.{name}", getattr(_np.linalg, name), (a,), {})
    _fallback.record_native(f"linalg.{name}")
    compute, result = types
    x = cast(x, compute)
    n = x.shape[-1]
    w = empty(x.shape[:-1], _np.complex128)
    v = empty(x.shape, _np.complex128) if vectors else None
    run_native(_ext.eig, x._store, w._store, None if v is None else v._store)
    if result.kind == "f":
        # A real matrix: real results when no eigenvalue has an imaginary part.
        if n == 0 or bool(_all(w.imag == 0)):
            w, v = w.real, (None if v is None else v.real)
        else:
            result = _np.dtype(_np.complex64 if result == _np.float32 else _np.complex128)
    w = cast(w, result) if w.dtype != result else w.copy()
    if v is None:
        return w
    return EigResult(w, cast(v, result) if v.dtype != result else v.copy())


def eig(a):
    """Eigenvalues and right eigenvectors of each square matrix in the last two axes:
    ``EigResult(eigenvalues, eigenvectors)`` with ``a @ v[:, i] = w[i] * v[:, i]``."""
    return _eig(a, "eig", True)


def eigvals(a):
    """Eigenvalues of each square matrix in the last two axes (in no particular order)."""
    return _eig(a, "eigvals", False)


def _eigh(a, UPLO, name, vectors):
    from legate import _legate as _ext

    UPLO = UPLO.upper()
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    x = as_array(a)
    assert_stacked_square(x)
    types = common_type(x)
    if types is None:
        return _fallback.call(f"linalg.{name}", getattr(_np.linalg, name), (a,), dict(UPLO=UPLO))
    _fallback.record_native(f"linalg.{name}")
    compute, result = types
    x = cast(x, compute)
    w = empty(x.shape[:-1], _np.float64)
    v = empty(x.shape, compute) if vectors else None
    run_native(_ext.eigh, x._store, w._store, None if v is None else v._store, UPLO == "L")
    w = cast(w, real_of(result))
    if v is None:
        return w
    return EighResult(w, cast(v, result))


def eigh(a, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of the Hermitian matrices
    that the lower (``UPLO='L'``) or upper triangles of ``a`` stand for."""
    return _eigh(a, UPLO, "eigh", True)


def eigvalsh(a, UPLO="L"):
    """Eigenvalues (ascending) of the Hermitian matrices that one triangle of ``a``
    stands for."""
    return _eigh(a, UPLO, "eigvalsh", False)
