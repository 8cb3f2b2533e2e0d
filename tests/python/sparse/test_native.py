"""legate_sparse._native (the CSR kernels of the ``legate_sparse._legate_sparse``
extension) against SciPy.

Matrices are random with empty rows, repeated and unsorted column indices and explicit
zeros; values are small integers, so every result is exact whatever the partitioning
and summation order, and cancellations to zero (which SpGEMM drops) are common. Run
with ``LEGATE_TEST=1`` to split even these small matrices across processors.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import legate_numeric as lnp
import legate_sparse as sparse
from legate_sparse import _native as nat

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
SHAPES = [(0, 0), (0, 3), (3, 0), (1, 1), (5, 7), (13, 4), (40, 33)]


def random_csr(rng, shape, dtype, max_row=5):
    """SciPy's three arrays for a random matrix (not canonical: indices repeat and are
    unsorted), and the equivalent SciPy matrix."""
    n, m = shape
    counts = np.where(rng.random(n) < 0.25, 0, rng.integers(0, max_row + 1, n)) if m else np.zeros(n, np.int64)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    nnz = int(indptr[-1])
    indices = rng.integers(0, max(m, 1), nnz).astype(np.int64)
    data = rng.integers(-3, 4, nnz).astype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        data = data + 1j * rng.integers(-3, 4, nnz).astype(dtype)
    return (indptr, indices, data), sp.csr_matrix((data, indices, indptr), shape=shape)


def dense_values(rng, shape, dtype):
    v = rng.integers(-3, 4, shape).astype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        v = v + 1j * rng.integers(-3, 4, shape).astype(dtype)
    return v


def device(arrays):
    """The three arrays as legate_numeric arrays, with ``pos`` in place of ``indptr``."""
    indptr, indices, data = (lnp.asarray(a) for a in arrays)
    return nat.row_ranges(indptr), indices, data


def check(got, expected):
    assert isinstance(got, lnp.ndarray), type(got)
    arr, exp = np.asarray(got), np.asarray(expected)
    assert arr.shape == exp.shape and arr.dtype == exp.dtype, (arr.shape, arr.dtype, exp.shape, exp.dtype)
    np.testing.assert_array_equal(arr, exp)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_products_match_scipy(shape, dtype):
    rng = np.random.default_rng(hash((shape, np.dtype(dtype).name)) % 2**32)
    arrays, A = random_csr(rng, shape, dtype)
    pos, indices, data = device(arrays)
    n, m = shape

    x = dense_values(rng, m, dtype)
    check(nat.spmv(pos, indices, data, lnp.asarray(x)), A @ x)

    X = dense_values(rng, (m, 3), dtype)
    check(nat.spmm(pos, indices, data, lnp.asarray(X)), A @ X)

    check(nat.todense(pos, indices, data, m), A.toarray())

    arrays_b, B = random_csr(rng, (m, 6), dtype)
    b_pos, b_indices, b_data = device(arrays_b)
    indptr, _c_pos, c_indices, c_data = nat.spgemm(pos, indices, data, b_pos, b_indices, b_data, 6)
    # SciPy's product exactly: its order within rows (not sorted), zeros dropped.
    C = A @ B
    check(indptr, C.indptr.astype(np.int64))
    check(c_indices, C.indices.astype(np.int64))
    check(c_data, C.data.astype(dtype))


def test_spmm_takes_views():
    rng = np.random.default_rng(7)
    arrays, A = random_csr(rng, (30, 8), np.float64)
    pos, indices, data = device(arrays)
    base = dense_values(rng, (5, 16), np.float64)
    # Transposed and stepped: neither is row-major contiguous.
    view = lnp.asarray(base).T[::2]
    check(nat.spmm(pos, indices, data, view), A @ base.T[::2])


def test_spmv_out():
    rng = np.random.default_rng(3)
    arrays, A = random_csr(rng, (20, 9), np.float64)
    pos, indices, data = device(arrays)
    x = dense_values(rng, 9, np.float64)
    out = lnp.zeros(20)
    assert nat.spmv(pos, indices, data, lnp.asarray(x), out=out) is out
    check(out, A @ x)
    # A strided view of a bigger array: only its elements change.
    backing = lnp.full(40, 7.0)
    nat.spmv(pos, indices, data, lnp.asarray(x), out=backing[1::2])
    expected = np.full(40, 7.0)
    expected[1::2] = A @ x
    check(backing, expected)
    with pytest.raises(ValueError):
        nat.spmv(pos, indices, data, lnp.asarray(x), out=lnp.zeros(19))
    with pytest.raises(ValueError):
        nat.spmv(pos, indices, data, lnp.asarray(x), out=lnp.zeros(20, dtype=np.float32))
    with pytest.raises(ValueError):
        nat.spmv(pos, indices, data, lnp.asarray(x), out=np.zeros(20))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ptr_idx", [(np.int32, np.int32), (np.int64, np.int64), (np.int64, np.int32), (np.int32, np.int64)],
                         ids=["i32", "i64", "ptr64-idx32", "ptr32-idx64"])
@pytest.mark.parametrize("shape", [(1, 1), (13, 4), (40, 33), (200, 57)])
def test_spmv_reads_indptr(shape, ptr_idx, dtype):
    """SpMV given ``indptr``: read in place when it has the indices' dtype, ``pos``
    otherwise. Empty rows (first and last too), repeated and unsorted columns, a
    stepped ``x``, a strided ``out`` and an ``indptr`` that is itself a view."""
    ptr_dt, idx_dt = ptr_idx
    rng = np.random.default_rng(hash((shape, ptr_dt.__name__, idx_dt.__name__, np.dtype(dtype).name)) % 2**32)
    (indptr, indices, data), A = random_csr(rng, shape, dtype)
    indptr = indptr.copy()
    indptr[1] = indptr[0]  # row 0 empty
    indptr[-2] = indptr[-1] if shape[0] > 1 else indptr[-2]  # the last row empty
    A = sp.csr_matrix((data[: indptr[-1]], indices[: indptr[-1]], indptr), shape=shape)
    indices, data = indices[: indptr[-1]], data[: indptr[-1]]
    ptr = lnp.asarray(np.repeat(indptr.astype(ptr_dt), 2))[::2]  # a stepped view
    pos = nat.row_ranges(ptr)
    idx, vals = lnp.asarray(indices.astype(idx_dt)), lnp.asarray(data)
    x = dense_values(rng, 2 * shape[1], dtype)
    got = nat.spmv(pos, idx, vals, lnp.asarray(x)[::2], indptr=ptr)
    check(got, A @ x[::2])
    backing = lnp.full(2 * shape[0], 7, dtype)
    nat.spmv(pos, idx, vals, lnp.asarray(x)[::2], out=backing[::2], indptr=ptr)
    expected = np.full(2 * shape[0], 7, dtype)
    expected[::2] = A @ x[::2]
    check(backing, expected)
    # Through the classes: the matrix passes its indptr.
    M = sparse.csr_array((lnp.asarray(data), lnp.asarray(indices.astype(idx_dt)), lnp.asarray(indptr.astype(ptr_dt))), shape=shape)
    check(M @ lnp.asarray(x[::2]), A @ x[::2])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx", [np.int32, np.int64])
@pytest.mark.parametrize("with_indptr", [True, False])
@pytest.mark.parametrize("n", [1, 6, 37, 150])
def test_spmv_dot(n, with_indptr, idx, dtype):
    """``y = A @ x`` and ``x^H y`` in one pass (CG's ``q`` and ``p·q``): both against
    SciPy, with empty rows, repeated columns, a stepped ``x`` and a strided ``out``."""
    rng = np.random.default_rng(hash((n, with_indptr, idx.__name__, np.dtype(dtype).name)) % 2**32)
    (indptr, indices, data), A = random_csr(rng, (n, n), dtype)
    pos = nat.row_ranges(lnp.asarray(indptr.astype(idx)))
    ind, vals = lnp.asarray(indices.astype(idx)), lnp.asarray(data)
    x = dense_values(rng, 2 * n, dtype)
    backing = lnp.full(2 * n, 7, dtype)
    ptr = lnp.asarray(indptr.astype(idx)) if with_indptr else None
    d = nat.spmv_dot(pos, ind, vals, lnp.asarray(x)[::2], backing[1::2], indptr=ptr)
    y = A @ x[::2]
    expected = np.full(2 * n, 7, dtype)
    expected[1::2] = y
    check(backing, expected)
    assert isinstance(d, lnp.ndarray) and d.shape == () and d.dtype == dtype
    assert np.asarray(d) == np.vdot(x[::2], y)  # small integers: exact


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx", [np.int32, np.int64])
@pytest.mark.parametrize("shape", SHAPES + [(300, 41), (41, 300)])
def test_spmv_transposed(shape, idx, dtype):
    """``A^T @ x`` (a CSC matrix's product): each point scatters into a private copy of
    the columns its rows touch; empty rows, repeated columns and a stepped ``x``."""
    rng = np.random.default_rng(hash((shape, idx.__name__, np.dtype(dtype).name)) % 2**32)
    (indptr, indices, data), A = random_csr(rng, shape, dtype)
    pos = nat.row_ranges(lnp.asarray(indptr.astype(idx)))
    x = dense_values(rng, 2 * shape[0], dtype)
    got = nat.spmv_transposed(pos, lnp.asarray(indices.astype(idx)), lnp.asarray(data), lnp.asarray(x)[::2], shape[1])
    check(got, A.T @ x[::2])
    # A banded matrix: the columns each block of rows touches are a narrow band.
    if shape[0] == shape[1] and shape[0] > 1:
        B = sp.diags_array([np.ones(shape[0] - 1), 2 * np.ones(shape[0]), -np.ones(shape[0] - 1)], offsets=[-1, 0, 1], format="csr").astype(dtype)
        pos = nat.row_ranges(lnp.asarray(B.indptr.astype(idx)))
        got = nat.spmv_transposed(pos, lnp.asarray(B.indices.astype(idx)), lnp.asarray(B.data), lnp.asarray(x[: shape[0]]), shape[1])
        check(got, B.T @ x[: shape[0]])


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
@pytest.mark.parametrize("idx", [np.int32, np.int64])
def test_large_banded_csc_product(idx, dtype):
    """A CSC product on a large banded matrix: each point's private copy of ``y``
    covers a different band (the image of its columns), the copies come from the
    runtime's pool on the second product, and the sums are exact."""
    n, far = 200_000, 700
    rng = np.random.default_rng(11)
    offsets = [-far, -1, 0, 1, far]
    S = sp.diags_array([dense_values(rng, n - abs(k), dtype) for k in offsets], offsets=offsets, format="csc")
    S.indices = S.indices.astype(idx)
    S.indptr = S.indptr.astype(idx)
    A = sparse.csc_array(S)
    assert A.indices.dtype == idx
    x = dense_values(rng, n, dtype)
    for _ in range(2):  # the second product reuses the pooled copies
        check(A @ lnp.asarray(x), S @ x)


def test_spmv_transposed_bad_column_fails_the_task():
    (indptr, indices, data) = (np.array([0, 2, 3]), np.array([0, 7, 1]), np.array([1.0, 2.0, 3.0]))
    pos, ind, vals = device((indptr, indices, data))
    y = nat.spmv_transposed(pos, ind, vals, lnp.ones(2), 3)
    with pytest.raises(RuntimeError):
        np.asarray(y)
    with pytest.raises(ValueError):
        nat.spmv_transposed(pos, ind, vals, lnp.ones(3), 3)


def test_spmv_dot_bad_input():
    rng = np.random.default_rng(9)
    (indptr, indices, data), _ = random_csr(rng, (6, 4), np.float64)
    pos, ind, vals = device((indptr, indices, data))
    with pytest.raises(ValueError, match="square"):
        nat.spmv_dot(pos, ind, vals, lnp.ones(4), lnp.zeros(6))
    (indptr, indices, data), _ = random_csr(rng, (5, 5), np.float64)
    pos, ind, vals = device((indptr, indices, data))
    with pytest.raises(ValueError):
        nat.spmv_dot(pos, ind, vals, lnp.ones(5), lnp.zeros(4))
    with pytest.raises(ValueError):
        nat.spmv_dot(pos, ind, vals, lnp.ones(5), lnp.zeros(5, np.float32))


def test_spmv_indptr_of_another_length_is_ignored():
    """An ``indptr`` that does not fit ``pos`` (another matrix's) is not read."""
    rng = np.random.default_rng(8)
    (indptr, indices, data), A = random_csr(rng, (12, 5), np.float64)
    pos, idx, vals = device((indptr, indices, data))
    x = dense_values(rng, 5, np.float64)
    check(nat.spmv(pos, idx, vals, lnp.asarray(x), indptr=lnp.asarray(indptr[:-1])), A @ x)
    # One that fits is what the kernel reads, and checks: a reversed range fails the
    # task (pos, made from the good indptr, has none), and the runtime goes on.
    bad = indptr.copy()
    bad[3], bad[4] = indptr[4] + 1, indptr[3]
    y = nat.spmv(pos, idx, vals, lnp.asarray(x), indptr=lnp.asarray(bad))
    with pytest.raises(RuntimeError, match="reversed|outside"):
        np.asarray(y)
    check(nat.spmv(pos, idx, vals, lnp.asarray(x), indptr=lnp.asarray(indptr)), A @ x)


def test_index_dtypes_are_converted():
    rng = np.random.default_rng(5)
    (indptr, indices, data), A = random_csr(rng, (10, 10), np.float64)
    pos = nat.row_ranges(lnp.asarray(indptr.astype(np.int32)))
    x = dense_values(rng, 10, np.float64)
    check(nat.spmv(pos, lnp.asarray(indices.astype(np.int32)), lnp.asarray(data), lnp.asarray(x)), A @ x)


def test_unsupported_and_mismatched_dtypes():
    rng = np.random.default_rng(1)
    (indptr, indices, data), _ = random_csr(rng, (6, 6), np.float64)
    pos, idx = nat.row_ranges(lnp.asarray(indptr)), lnp.asarray(indices)
    for bad in (np.int64, np.float16, np.bool_):
        with pytest.raises(NotImplementedError, match="not supported"):
            nat.spmv(pos, idx, lnp.asarray(data.astype(bad)), lnp.asarray(np.ones(6, bad)))
        with pytest.raises(NotImplementedError, match="not supported"):
            nat.todense(pos, idx, lnp.asarray(data.astype(bad)), 6)
    with pytest.raises(TypeError):
        nat.spmv(pos, idx, lnp.asarray(data), lnp.asarray(np.ones(6, np.float32)))
    with pytest.raises(TypeError):
        nat.row_ranges(lnp.asarray(indptr.astype(np.float64)))


def test_bad_shapes_raise_value_error():
    rng = np.random.default_rng(2)
    (indptr, indices, data), _ = random_csr(rng, (6, 6), np.float64)
    pos, idx, vals = nat.row_ranges(lnp.asarray(indptr)), lnp.asarray(indices), lnp.asarray(data)
    with pytest.raises(ValueError):
        nat.spmm(pos, idx, vals, lnp.ones(6))
    with pytest.raises(ValueError):
        nat.spmv(pos, idx, vals[:-1] if len(data) else lnp.ones(1), lnp.ones(6))
    with pytest.raises(ValueError):
        nat.row_ranges(lnp.zeros(0, dtype=np.int64))


def test_bad_indices_raise_on_use_and_the_runtime_goes_on():
    indptr = lnp.asarray(np.array([0, 1, 3], np.int64))
    pos = nat.row_ranges(indptr)
    vals = lnp.asarray(np.array([1.0, 2.0, 3.0]))
    y = nat.spmv(pos, lnp.asarray(np.array([0, 5, 1], np.int64)), vals, lnp.ones(3))
    with pytest.raises(RuntimeError, match="column index"):
        np.asarray(y)
    y = nat.spmv(pos, lnp.asarray(np.array([0, 2, 1], np.int64)), vals, lnp.ones(3))
    check(y, np.array([1.0, 5.0]))


def test_operands_may_be_views():
    """Indices, data and x as slices of bigger arrays (offset and stepped), as a
    package holding several matrices in one buffer would pass them."""
    rng = np.random.default_rng(11)
    (indptr, indices, data), A = random_csr(rng, (25, 12), np.complex128)
    pad = 3
    big_idx = np.zeros(2 * (len(indices) + pad), np.int64)
    big_idx[2 * pad :: 2] = indices
    big_dat = np.zeros(len(data) + pad, np.complex128)
    big_dat[pad:] = data
    idx_view = lnp.asarray(big_idx)[2 * pad :: 2]
    dat_view = lnp.asarray(big_dat)[pad:]
    x = dense_values(rng, 24, np.complex128)
    x_view = lnp.asarray(x)[::2]
    pos = nat.row_ranges(lnp.asarray(indptr))
    check(nat.spmv(pos, idx_view, dat_view, x_view), A @ x[::2])
    check(nat.todense(pos, idx_view, dat_view, 12), A.toarray())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (1, 1), (13, 4), (40, 33)])
def test_coo_spmv(shape, dtype):
    """``coo_spmv``: entries in any order, repeated positions summed, rows left empty."""
    rng = np.random.default_rng(11)
    n, m = shape
    k = 3 * n if n and m else 0
    rows, cols = rng.integers(0, max(n, 1), k), rng.integers(0, max(m, 1), k)
    data = dense_values(rng, k, dtype)
    x = dense_values(rng, m, dtype)
    y = nat.coo_spmv(lnp.asarray(rows), lnp.asarray(cols), lnp.asarray(data), lnp.asarray(x), n)
    check(y, sp.coo_matrix((data, (rows, cols)), shape=shape) @ x)


def test_coo_spmv_bad_entries():
    """An entry outside ``x`` or ``y`` fails the task (an error on use); mismatched
    lengths (ValueError) and dtypes (TypeError) fail at once."""
    rows, vals = lnp.asarray(np.array([0, 1, 1])), lnp.asarray(np.array([1.0, 2.0, 3.0]))
    y = nat.coo_spmv(rows, lnp.asarray(np.array([0, 5, 1])), vals, lnp.ones(3), 2)
    with pytest.raises(RuntimeError, match="outside"):
        np.asarray(y)
    y = nat.coo_spmv(rows, lnp.asarray(np.array([0, 2, 1])), vals, lnp.ones(3), 2)
    check(y, np.array([1.0, 5.0]))
    with pytest.raises(ValueError):
        nat.coo_spmv(rows, lnp.asarray(np.array([0, 1])), vals, lnp.ones(3), 2)
    with pytest.raises(TypeError):
        nat.coo_spmv(rows, rows, vals, lnp.ones(3, np.float32), 2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (1, 1), (13, 4), (40, 33)])
def test_coo_spmm(shape, dtype):
    """``coo_spmm``: entries in any order, repeated positions summed, rows left empty,
    ``X`` of one and of several columns and a view of one."""
    rng = np.random.default_rng(12)
    n, m = shape
    k = 3 * n if n and m else 0
    rows, cols = rng.integers(0, max(n, 1), k), rng.integers(0, max(m, 1), k)
    data = dense_values(rng, k, dtype)
    A = sp.coo_matrix((data, (rows, cols)), shape=shape)
    for X in (dense_values(rng, m * 3, dtype).reshape(m, 3), dense_values(rng, m, dtype).reshape(m, 1)):
        Y = nat.coo_spmm(lnp.asarray(rows), lnp.asarray(cols), lnp.asarray(data), lnp.asarray(X), n)
        check(Y, A @ X)
    X = dense_values(rng, m * 4, dtype).reshape(m, 4)
    check(nat.coo_spmm(lnp.asarray(rows), lnp.asarray(cols), lnp.asarray(data), lnp.asarray(X)[:, ::2], n), A @ X[:, ::2])
    # Three blocks of this shape on the diagonal, each entry in the block `blocks` names.
    blocks = rng.integers(0, 3, k)
    D = sp.coo_matrix((data, (rows + blocks * n, cols + blocks * m)), shape=(3 * n, 3 * m))
    X = dense_values(rng, 3 * m * 2, dtype).reshape(3 * m, 2)
    if n:
        Y = nat.coo_spmm(lnp.asarray(rows), lnp.asarray(cols), lnp.asarray(data), lnp.asarray(X), 3 * n, lnp.asarray(blocks), (n, m))
        check(Y, D @ X)


def test_coo_spmm_bad_entries():
    """An entry outside ``X`` or ``Y`` fails the task (an error on use); mismatched
    lengths, a 1-d ``X`` (ValueError) and dtypes (TypeError) fail at once."""
    rows, vals = lnp.asarray(np.array([0, 1, 1])), lnp.asarray(np.array([1.0, 2.0, 3.0]))
    Y = nat.coo_spmm(rows, lnp.asarray(np.array([0, 5, 1])), vals, lnp.ones((3, 2)), 2)
    with pytest.raises(RuntimeError, match="outside"):
        np.asarray(Y)
    Y = nat.coo_spmm(lnp.asarray(np.array([0, -1, 1])), rows, vals, lnp.ones((3, 2)), 2)
    with pytest.raises(RuntimeError, match="outside"):
        np.asarray(Y)
    with pytest.raises(ValueError):
        nat.coo_spmm(rows, lnp.asarray(np.array([0, 1])), vals, lnp.ones((3, 2)), 2)
    with pytest.raises(ValueError):
        nat.coo_spmm(rows, rows, vals, lnp.ones(3), 2)
    with pytest.raises(TypeError):
        nat.coo_spmm(rows, rows, vals, lnp.ones((3, 2), np.float32), 2)
    with pytest.raises(ValueError):  # blocks of another length
        nat.coo_spmm(rows, rows, vals, lnp.ones((3, 2)), 2, lnp.asarray(np.array([0, 1])), (1, 1))
    Y = nat.coo_spmm(rows, rows, vals, lnp.ones((3, 2)), 2, lnp.asarray(np.array([0, 1, 1])), (1, 1))
    with pytest.raises(RuntimeError, match="outside"):  # block 1's row 1 is row 2 of 2
        np.asarray(Y)


def test_coo_select_bad_plan():
    """A malformed plan (short, huge counts, unknown kinds, a zero step, positions
    outside the arrays' shape) fails the task with an error on use, never a bad read."""
    coords = [lnp.asarray(np.array([0, 1, 2])), lnp.asarray(np.array([1, 1, 0]))]
    good = [2, 0, 0, 0, 0, 0, 0, 0, 2, 1, 1, 1, 0]  # A[:, 1:2]: no keys, offsets [0]
    ent, (c0, c1) = nat.coo_select(coords, lnp.asarray(np.array(good, np.int64)), 2)
    assert [np.asarray(a).tolist() for a in (ent, c0, c1)] == [[0, 1], [0, 1], [0, 0]]
    arrays = [2, 1, 0, 1, 3, 3, 0, 0, 0, 0, 0, 0, 3, 1, 0, 1]  # then position 5 of shape (3,)
    for plan, nout in (([2, 0, 0], 2), (good[:-1], 2), ([1 << 62, 0, 0, 0, 0], 2), ([2, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0], 2), ([2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0], 2), (arrays + [5], 2)):
        ent, _ = nat.coo_select(coords, lnp.asarray(np.array(plan, np.int64)), nout)
        with pytest.raises(RuntimeError, match="plan"):
            np.asarray(ent)
