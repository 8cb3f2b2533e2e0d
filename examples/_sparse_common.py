"""Shared pieces of the sparse examples: the sparse modules for `--package`, and 2-D
Poisson matrices built with them."""

from __future__ import annotations

import importlib


def sparse_modules(package: str):
    """`(sparse, sparse.linalg)`: legate_sparse for `legate`, scipy.sparse for `numpy`."""
    name = "legate_sparse" if package == "legate" else "scipy.sparse"
    return importlib.import_module(name), importlib.import_module(name + ".linalg")


def poisson2d(sparse, np, n: int, h2: float = 1.0):
    """The 5-point Laplacian on an n x n interior grid, divided by `h2`, as CSR."""
    T = sparse.diags_array([-np.ones(n - 1), 2.0 * np.ones(n), -np.ones(n - 1)], offsets=[-1, 0, 1])
    return sparse.kronsum(T, T, format="csr") * (1.0 / h2)
