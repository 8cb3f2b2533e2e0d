"""The patterned SpMV (``_native.row_patterns``): rows read by their pattern of column
offsets instead of their column indices give bitwise the CSR kernel's results, blocks
without a table (more than 255 patterns) fall back to the indices, and the matrix's
cached patterns never outlive a change to its ``indices`` or ``indptr``.

Run with ``LEGATE_TEST=1`` (and ``--cpus 1, 2, 4``) to split these small matrices
into several blocks of rows.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import legate_numeric as lnp
import legate_sparse as sparse
from legate_sparse import _native as nat

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def poisson(n, dtype, rng):
    """A 2-D Poisson structure (9 patterns) with random values."""
    T = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    A = sp.kronsum(T, T, format="csr").astype(dtype)
    A.data = rng.standard_normal(A.nnz).astype(dtype)
    if np.iscomplexobj(A.data):
        A.data = A.data + 1j * rng.standard_normal(A.nnz).astype(dtype)
    return A


def with_empty_rows(A):
    """``A`` with rows 0, 5, 6 and the last emptied (the first rows of a block too)."""
    A = A.tolil()
    for r in (0, 5, 6, A.shape[0] - 1):
        A.rows[r], A.data[r] = [], []
    return A.tocsr()


def unsorted(A, rng):
    """``A`` with each row's entries in a random order and a duplicate in row 3."""
    indptr, indices, data = A.indptr.copy(), A.indices.copy(), A.data.copy()
    for r in range(A.shape[0]):
        s, e = indptr[r], indptr[r + 1]
        p = s + rng.permutation(e - s)
        indices[s:e], data[s:e] = indices[p], data[p]
    k = indptr[4]
    indices, data = np.insert(indices, k, indices[indptr[3]]), np.insert(data, k, data[0])
    indptr[4:] += 1
    return sp.csr_array((data, indices, indptr), shape=A.shape)


def random_matrix(n, dtype, rng):
    """Random columns: nearly every row its own pattern (more than 255 a block)."""
    A = sp.random_array((n, n), density=6 / n, format="csr", dtype=np.float64, rng=rng)
    return A.astype(dtype)


def legate(A, index_dtype):
    return sparse.csr_array((lnp.asarray(A.data), lnp.asarray(A.indices.astype(index_dtype)), lnp.asarray(A.indptr.astype(index_dtype))), shape=A.shape)


def tables(A):
    """The inspected blocks of ``A``'s cached tables: (row_lo, row_hi, patterns or -1)."""
    ids, t = A._patterns_cache
    t = np.asarray(nat._wrap(t, np.dtype(np.int64)))
    blocks, i = [], 0
    while i < len(t):
        lo, hi, n = t[i : i + 3]
        blocks.append((int(lo), int(hi), int(n)))
        i += 3
        for _ in range(max(int(n), 0)):
            i += 1 + int(t[i])
    return blocks


def products(B, x):
    """``B @ x`` by the CSR kernel, then by the patterns; and the same with ``x^H (B x)``."""
    pos, extras = B._pos(), {"indptr": B._indptr, "cols": B._cols()}
    pats = B._patterns()
    assert pats is not None
    out = []
    for p in (None, pats):
        y = lnp.empty(B.shape[0], x.dtype)
        d = nat.spmv_dot(pos, B._indices, B._data, x, y, patterns=p, **extras)
        out.append((np.asarray(nat.spmv(pos, B._indices, B._data, x, patterns=p, **extras)), np.asarray(y), complex(d)))
    return out


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["poisson", "empty_rows", "unsorted", "random"])
def test_patterned_products_are_the_csr_kernels(kind, dtype, index_dtype):
    rng = np.random.default_rng(11)
    S = poisson(12, dtype, rng)
    if kind == "empty_rows":
        S = with_empty_rows(S)
    elif kind == "unsorted":
        S = unsorted(S, rng)
    elif kind == "random":
        S = random_matrix(1200, dtype, rng)
    A = legate(S, index_dtype)
    xs = (rng.standard_normal(S.shape[1]) + (1j * rng.standard_normal(S.shape[1]) if np.iscomplexobj(S.data) else 0)).astype(dtype)
    x = lnp.asarray(xs)
    first = np.asarray(A @ x)  # the CSR kernel; the second product inspects
    second = np.asarray(A @ x)
    np.testing.assert_array_equal(second, first)
    rtol = 1e-5 if np.dtype(dtype).itemsize * (1 + np.iscomplexobj(S.data)) <= 8 else 1e-12
    np.testing.assert_allclose(second, S @ xs, rtol=rtol, atol=rtol)
    (y0, q0, d0), (y1, q1, d1) = products(A, x)
    np.testing.assert_array_equal(y1, y0)
    np.testing.assert_array_equal(q1, q0)
    assert d1 == d0
    blocks = tables(A)
    assert blocks[0][0] == 0 and blocks[-1][1] == S.shape[0]
    if kind == "random":
        assert all(n == -1 for _, _, n in blocks), blocks  # each block falls back
    else:  # 9 patterns at most (many more for random orders)
        assert all(0 < n <= (255 if kind == "unsorted" else 9) for _, _, n in blocks), blocks


def test_a_product_alone_does_not_inspect():
    A = legate(poisson(6, np.float64, np.random.default_rng(0)), np.int32)
    A @ lnp.ones(36)
    assert A._patterns_cache is None
    A @ lnp.ones(36)
    assert isinstance(A._patterns_cache, tuple)


def edits():
    """Changes to the index arrays after the patterns were made (each keeps a valid
    matrix), as functions of the legate and SciPy matrices."""

    def column(A, S):
        A.indices[7] = A.indices[7] + 1
        S.indices[7] += 1

    def row_end(A, S):
        A.indptr[3] = A.indptr[3] - 1
        S.indptr[3] -= 1

    def add(A, S):
        A.indices[:] += 0  # a write that changes nothing still drops them
        A.indices[10:12] = lnp.asarray(S.indices[10:12][::-1].copy())
        S.indices[10:12] = S.indices[10:12][::-1].copy()

    def assign(A, S):
        new = S.indices.copy()
        new[20] = (new[20] + 5) % S.shape[1]
        A.indices = lnp.asarray(new)
        S.indices = new

    def resort(A, S):
        A.indices[4:6] = lnp.asarray(S.indices[4:6][::-1].copy())
        S.indices[4:6] = S.indices[4:6][::-1].copy()
        A.has_sorted_indices = False
        S.has_sorted_indices = False
        A.sort_indices()
        S.sort_indices()

    def zeros(A, S):
        A.data[::3] = 0
        S.data[::3] = 0
        A.eliminate_zeros()
        S.eliminate_zeros()

    def diagonal(A, S):
        A.setdiag(7.0, k=5)
        S.setdiag(7.0, k=5)

    return [column, row_end, add, assign, resort, zeros, diagonal]


@pytest.mark.parametrize("edit", edits(), ids=lambda f: f.__name__)
def test_patterns_never_stale(edit):
    rng = np.random.default_rng(5)
    S = sp.csr_matrix(poisson(10, np.float64, rng))
    A = sparse.csr_matrix(S.copy())
    xs = rng.standard_normal(S.shape[1])
    x = lnp.asarray(xs)
    A @ x
    A @ x
    assert isinstance(A._patterns_cache, tuple)
    edit(A, S)
    for _ in range(2):  # the CSR kernel, then new patterns
        np.testing.assert_allclose(np.asarray(A @ x), S @ xs, rtol=1e-12, atol=1e-12)
    assert isinstance(A._patterns_cache, tuple)


def test_write_generation_moves_on_writes_only():
    """What the caches are checked against: the generation of an array's storage moves
    when anything writes it (a view, a held-back elementwise update, a host mapping
    that may write), not when tasks read it."""
    a = lnp.arange(10)
    s = a._store
    g = s.write_generation()
    float(a[1:4].sum())
    (a * 2).copy()
    assert s.write_generation() == g
    writes = (lambda: a.__setitem__(3, 7), lambda: a.__iadd__(1), lambda: a[2:5].__setitem__(Ellipsis, 0), lambda: np.asarray(a))
    for write in writes:
        write()
        assert s.write_generation() > g
        g = s.write_generation()
