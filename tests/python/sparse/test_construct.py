"""Module-level construction functions against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import check_sparse, sprandom

import legate_numeric as lnp
import legate_sparse as sparse


def test_eye_identity_diags():
    check_sparse(sparse.eye(4, 5, k=1), sp.eye(4, 5, k=1))
    assert sparse.eye(3).format == "dia" and isinstance(sparse.eye(3), sparse.dia_matrix)
    assert isinstance(sparse.eye_array(3), sparse.dia_array)
    check_sparse(sparse.eye_array(3, k=-2, format="csr", dtype=np.complex64), sp.eye_array(3, k=-2, dtype=np.complex64))
    check_sparse(sparse.identity(4, format="csr"), sp.identity(4))
    diags = [np.arange(1.0, 4.0), np.arange(1.0, 5.0), np.arange(1.0, 4.0)]
    check_sparse(sparse.diags(diags, [-1, 0, 1]), sp.diags(diags, [-1, 0, 1]))
    check_sparse(sparse.diags_array([1.0, -2.0], offsets=[0, 2], shape=(4, 5)), sp.diags_array([1.0, -2.0], offsets=[0, 2], shape=(4, 5)))
    check_sparse(sparse.diags_array(lnp.arange(1.0, 4.0)), sp.diags_array(np.arange(1.0, 4.0)))
    data = np.arange(12.0).reshape(3, 4)
    check_sparse(sparse.spdiags(data, [0, -1, 2], 4, 4), sp.spdiags(data, [0, -1, 2], 4, 4))
    with pytest.raises(ValueError):
        sparse.diags([np.ones(2)], [0], shape=(4, 4))


def test_kron_kronsum_stacks():
    S, T = sprandom(3, 4), sprandom(2, 3, seed=5)
    A, B = sparse.csr_array(S), sparse.csr_array(T)
    check_sparse(sparse.kron(A, B), sp.kron(S, T))
    P, Q = sprandom(3, 3, seed=2), sprandom(2, 2, seed=4)
    check_sparse(sparse.kronsum(sparse.csr_array(P), sparse.csr_array(Q)), sp.kronsum(P, Q))
    U = sprandom(3, 2, seed=8)
    check_sparse(sparse.hstack([A, sparse.csr_array(U)]), sp.hstack([S, U]))
    assert sparse.hstack([A, sparse.csr_array(U)]).format == "csr"
    check_sparse(sparse.vstack([A, sparse.coo_array(sprandom(2, 4, seed=9))]), sp.vstack([S, sprandom(2, 4, seed=9)]))
    check_sparse(sparse.block_diag([A, B]), sp.block_diag([S, T]))
    check_sparse(sparse.bmat([[A, None], [None, B]]), sp.bmat([[S, None], [None, T]]))
    with pytest.raises(ValueError):
        sparse.hstack([A, B])
    with pytest.raises(ValueError):
        sparse.kronsum(A, B)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_random(dtype):
    R = sparse.random(20, 10, density=0.25, format="csr", dtype=dtype, rng=42)
    assert isinstance(R, sparse.csr_matrix) and R.dtype == np.dtype(dtype)
    assert R.nnz == 50 and R.has_canonical_format
    R2 = sparse.random(20, 10, density=0.25, format="csr", dtype=dtype, rng=42)
    np.testing.assert_array_equal(R.toarray().__array__(), R2.toarray().__array__())
    A = sparse.random_array((5, 6), density=0.5, rng=np.random.default_rng(1))
    assert isinstance(A, sparse.coo_array) and A.nnz == 15
    assert sparse.rand(4, 4, density=1.0).nnz == 16


def test_one_d_blocks_and_none_rows():
    """1-d sparse arrays in ``kron`` (1-d with 1-d is 1-d), ``hstack``, ``vstack`` and
    ``bmat`` are rows, and a block row or column of Nones is empty, as SciPy 1.17's."""
    x = np.array([1.0, 0, 2])
    a, s = sparse.coo_array(x), sp.coo_array(x)
    E, T = sparse.csr_array(np.eye(2)), sp.csr_array(np.eye(2))
    for got, want in [(sparse.kron(a, a), sp.kron(s, s)), (sparse.kron(a, E), sp.kron(s, T)),
                      (sparse.kron(E, a), sp.kron(T, s)), (sparse.hstack([a, a]), sp.hstack([s, s])),
                      (sparse.vstack([a, a]), sp.vstack([s, s])), (sparse.bmat([[E, None], [None, None]]),
                                                                 sp.bmat([[T, None], [None, None]])),
                      (sparse.bmat([[None, None]]), sp.bmat([[None, None]]))]:
        assert (got.format, got.shape, got.dtype) == (want.format, want.shape, want.dtype)
        check_sparse(got, want)
