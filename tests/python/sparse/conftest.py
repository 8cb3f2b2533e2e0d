"""Shared helpers for the legate_sparse tests.

Every test builds its matrices with SciPy from a fixed seed, constructs the legate
arrays from the same arrays, and compares legate_sparse's result with SciPy's computed
in the test (``check_dense`` / ``check_sparse``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import legate_numeric as lnp

SEED = 20240611
DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
DTYPE_IDS = ["f4", "f8", "c8", "c16"]
FORMATS = ["csr", "csc", "coo", "dia"]


def host(x):
    """A NumPy array of a legate array, a sparse array (dense), or a scalar."""
    if hasattr(x, "toarray") and not isinstance(x, np.ndarray):
        x = x.toarray()
    if isinstance(x, lnp.ndarray):
        return x.__array__()
    return np.asarray(x)


def tol(dtype):
    return 1e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-10


def check_dense(got, want, dtype=None, rtol=None):
    g, w = host(got), np.asarray(want.toarray() if sp.issparse(want) else want)
    assert g.shape == w.shape, (g.shape, w.shape)
    r = rtol if rtol is not None else tol(dtype or w.dtype)
    np.testing.assert_allclose(g, w, rtol=r, atol=r)


def check_sparse(got, want, dtype=None):
    import legate_sparse

    assert legate_sparse.issparse(got), type(got)
    assert got.shape == want.shape
    check_dense(got, want, dtype)


def sprandom(m, n, density=0.3, dtype=np.float64, seed=SEED, fmt="csr"):
    """A seeded SciPy random sparse array (complex dtypes get imaginary parts)."""
    rng = np.random.default_rng(seed)
    S = sp.random_array((m, n), density=density, rng=rng, format="coo", dtype=np.float64)
    if np.dtype(dtype).kind == "c":
        S = S.astype(dtype)
        S.data = S.data + 1j * rng.uniform(size=S.nnz)
    return S.astype(dtype).asformat(fmt)


def poisson2d(n):
    """The 5-point Laplacian on an n x n grid (CSR, SciPy)."""
    T = sp.diags_array([-np.ones(n - 1), 2 * np.ones(n), -np.ones(n - 1)], offsets=[-1, 0, 1])
    return sp.kronsum(T, T, format="csr")
