"""Differences from SciPy found by the differential sweep of branch ``sparse9``: each
case computes SciPy's answer (or exception type) in the test and compares."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import legate_numeric as lnp
import legate_sparse as sparse
from conftest import host

D = np.array([[1.0, 0, 2], [0, 0, 3]])


def _outcome(f):
    try:
        return f()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return e


def same_exception(make, *args, **kwargs):
    """``make(module)(*args)`` raises the same exception type for SciPy and here."""
    want = _outcome(lambda: make(sp)(*args, **kwargs))
    got = _outcome(lambda: make(sparse)(*args, **kwargs))
    assert isinstance(want, Exception), want
    assert type(got) is type(want) or isinstance(got, type(want)), (got, want)


BAD_CONSTRUCTOR_INPUT = [
    ("strings", lambda: np.array([["a", "b"]])),
    ("objects", lambda: np.array([[1, None]], dtype=object)),
    ("none", lambda: None),
    ("3-d", lambda: np.ones((2, 2, 2))),
    ("scalar", lambda: np.float64(3)),
    ("ragged", lambda: [[1, 2], [3]]),
    ("tuple of 3", lambda: (np.ones(2), np.array([0, 1]), np.array([0, 1, 2]))),
    ("tuple of 4 ints", lambda: (1, 2, 3, 4)),
    ("3 ints", lambda: (2, 3, 4)),
    ("float shape", lambda: (2.5, 3)),
]


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dia", "bsr", "lil", "dok"])
@pytest.mark.parametrize("flavour", ["array", "matrix"])
def test_constructor_exception_types(fmt, flavour):
    name = f"{fmt}_{flavour}"
    for what, arg in BAD_CONSTRUCTOR_INPUT:
        want = _outcome(lambda: getattr(sp, name)(arg()))
        if not isinstance(want, Exception):
            # SciPy takes it: a 0-d value as a 1x1 matrix (BSR, LIL), or n-d COO/DOK
            # arrays (not held here).
            if what == "scalar":
                check = getattr(sparse, name)(arg())
                assert check.shape == want.shape and host(check).tolist() == want.toarray().tolist()
            continue
        got = _outcome(lambda: getattr(sparse, name)(arg()))
        assert type(got) is type(want), (what, got, want)


@pytest.mark.parametrize("name", ["lil_array", "dok_matrix", "lil_matrix"])
def test_host_formats_refuse_strings(name):
    same_exception(lambda m: getattr(m, name)(D).astype, str)
    same_exception(lambda m: getattr(m, name), (np.ones(2), (np.array([0, 1]), np.array([0, 1]))))


def test_float_coordinates():
    args = (np.ones(2), (np.array([0.7, 1.0]), np.array([0, 1])))
    for name in ["coo_array", "csr_matrix", "csc_array", "bsr_array"]:
        want = getattr(sp, name)(args, shape=(2, 2))
        got = getattr(sparse, name)(args, shape=(2, 2))
        assert host(got).tolist() == want.toarray().tolist()
        same_exception(lambda m: getattr(m, name), args)  # no shape: SciPy's TypeError


def test_count_nonzero_sums_duplicates_and_dtype():
    data, ind, ptr = np.array([1.0, 0, 2, 3]), np.array([1, 1, 0, 2]), np.array([0, 2, 4, 4])
    for name in ["csr_array", "csc_matrix"]:
        S = getattr(sp, name)((data.copy(), ind, ptr), shape=(3, 3))
        L = getattr(sparse, name)((data.copy(), ind, ptr), shape=(3, 3))
        assert L.count_nonzero() == S.count_nonzero()
        assert type(L.count_nonzero()) is type(S.count_nonzero())  # np.int64
        assert L.nnz == S.nnz == 3  # summed in place, as SciPy's
    coo = (np.array([1.0, -1, 2]), (np.array([0, 0, 1]), np.array([1, 1, 0])))
    S, L = sp.coo_array(coo, shape=(2, 2)), sparse.coo_array(coo, shape=(2, 2))
    assert (L.count_nonzero(), L.nnz) == (S.count_nonzero(), S.nnz) == (1, 2)
    for name in ["csr_array", "csc_array", "coo_array", "csr_matrix", "csc_matrix"]:
        for dense in (D, np.array([[1.0, 0, 2], [0, 0, 3]])):
            S, L = getattr(sp, name)(dense), getattr(sparse, name)(dense)
            for axis in (0, 1, -1):
                got, want = L.count_nonzero(axis=axis), S.count_nonzero(axis=axis)
                assert got.dtype == want.dtype and host(got).tolist() == want.tolist(), (name, axis)
        Z = getattr(sp, name)((np.array([0.0, 1]), (np.array([0, 1]), np.array([0, 1]))), shape=(2, 2))
        LZ = getattr(sparse, name)((np.array([0.0, 1]), (np.array([0, 1]), np.array([0, 1]))), shape=(2, 2))
        for axis in (0, 1):  # an explicit zero: SciPy counts in int64 on every axis
            assert LZ.count_nonzero(axis=axis).dtype == Z.count_nonzero(axis=axis).dtype
        for axis in (1.5, (0, 0), "a"):
            same_exception(lambda m: getattr(m, name)(D).count_nonzero, axis=axis)
    for name in ["csr_matrix", "csc_matrix", "coo_matrix", "lil_matrix"]:
        S, L = getattr(sp, name)(D), getattr(sparse, name)(D)
        for axis in (0, 1):
            assert L.getnnz(axis=axis).dtype == S.getnnz(axis=axis).dtype, (name, axis)
        for axis in (1.5, (0, 1)):
            same_exception(lambda m: getattr(m, name)(D).getnnz, axis=axis)


@pytest.mark.parametrize("name", ["csr_array", "csc_array", "csr_matrix", "csc_matrix"])
def test_iteration_yields_scipy_rows(name):
    dup = (np.array([1.0, 0, 2, 5]), (np.array([0, 0, 1, 1]), np.array([2, 0, 1, 1])))
    for arg in (D, dup):
        S, L = getattr(sp, name)(arg, shape=(2, 3)), getattr(sparse, name)(arg, shape=(2, 3))
        want, got = list(S), list(L)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert type(g).__name__ == type(w).__name__ and g.shape == w.shape and g.nnz == w.nnz
            assert host(g).tolist() == w.toarray().tolist()


def _scale(A, op):
    if op == "*=2":
        A *= 2
    elif op == "*=2.5":
        A *= 2.5
    elif op == "/=2":
        A /= 2
    else:
        A *= 0
    return A


def test_in_place_scaling():
    for name in ["csr_array", "coo_matrix", "dia_array", "bsr_array", "lil_array", "dok_matrix"]:
        for dt in (np.int8, np.float32, np.bool_):
            for op in ("*=2", "*=2.5", "/=2", "*=0"):
                if (name, dt, op) == ("lil_array", np.bool_, "/=2"):
                    continue  # SciPy's LIL stores False for 0.5 (NumPy's cast is True)
                S, L = getattr(sp, name)(D.astype(dt)), getattr(sparse, name)(D.astype(dt))
                S1, L1 = _outcome(lambda: _scale(S, op)), _outcome(lambda: _scale(L, op))
                if isinstance(S1, Exception):
                    assert type(L1) is type(S1), (name, dt, op, L1, S1)
                    continue
                assert L1 is L and S1 is S, (name, dt, op)  # the same objects, changed
                assert L.dtype == S.dtype and host(L).tolist() == S.toarray().tolist(), (name, dt, op)
                if name.startswith(("csr", "coo", "dia", "bsr")):
                    assert L.nnz == S.nnz, (name, dt, op)


def test_block_diag_dense_blocks():
    b = np.array([[0.0, 1], [2, 0]])
    for blocks in ([sp.csr_array(D), b], [b, [[0, 3]]], [b, 5]):
        want = sp.block_diag(blocks)
        got = sparse.block_diag([sparse.csr_array(x) if sp.issparse(x) else x for x in blocks])
        assert got.nnz == want.nnz and type(got).__name__ == type(want).__name__
        assert host(got).tolist() == want.toarray().tolist()
    same_exception(lambda m: m.block_diag, [])
    same_exception(lambda m: m.block_diag, [np.ones(3), b])


@pytest.mark.parametrize("name", ["lil_array", "dok_array", "lil_matrix"])
def test_host_formats_index_dtype(name):
    S, L = getattr(sp, name)(D), getattr(sparse, name)(D)
    for g, w in zip(L.nonzero(), S.nonzero()):
        assert g.dtype == w.dtype and host(g).tolist() == w.tolist()
    assert L.tocoo().row.dtype == S.tocoo().row.dtype


def test_coo_transpose_axes_and_matrix_assignment():
    for name in ["coo_array", "coo_matrix"]:
        for axes in [(0, 1), (1, 0), (1, 1), (0,)]:
            want = _outcome(lambda: getattr(sp, name)(D).transpose(axes))
            got = _outcome(lambda: getattr(sparse, name)(D).transpose(axes))
            if isinstance(want, Exception):
                assert type(got) is type(want), (name, axes, got)
            else:
                assert got.shape == want.shape and host(got).tolist() == want.toarray().tolist()
    same_exception(lambda m: m.coo_matrix(D).__setitem__, (0, 1), 5.0)


@pytest.mark.parametrize("name", ["coo_array", "csr_array", "csc_matrix", "bsr_array"])
def test_elementwise_functions_sum_duplicates_first(name):
    # 1 and -1 at one position: SciPy 1.17 sums duplicates in place first (abs is 0, not 2)
    arg = (np.array([1.0, -1.0, 2.0]), (np.array([0, 0, 1]), np.array([1, 1, 0])))
    if name.startswith("csr"):  # duplicates kept by the (data, indices, indptr) form
        arg = (np.array([1.0, -1.0, 2.0]), np.array([1, 1, 0]), np.array([0, 2, 3]))
    funcs = [abs, lambda A: A.power(2), lambda A: A.sqrt(), lambda A: A.expm1(),
             lambda A: A.astype(np.complex64), lambda A: round(A)]
    for f in funcs:
        S, L = getattr(sp, name)(arg, shape=(2, 2)), getattr(sparse, name)(arg, shape=(2, 2))
        want, got = f(abs(S) if f is funcs[2] else S), f(abs(L) if f is funcs[2] else L)
        assert host(got).tolist() == want.toarray().tolist()
        assert got.nnz == want.nnz and L.nnz == S.nnz


def test_linalg_refusals_and_1d_random_array():
    import scipy.sparse.linalg as spla

    import legate_sparse.linalg as lsla

    B, E = np.eye(4, dtype=bool), np.diag([1.0, 2, 3, 4])
    cases = [
        (lambda: spla.norm(sp.csr_array(B), 2), lambda: lsla.norm(sparse.csr_array(B), 2)),
        (lambda: spla.svds(sp.csr_array(B), k=1), lambda: lsla.svds(sparse.csr_array(B), k=1)),
        (lambda: spla.eigsh(sp.csr_array(E), k=1, which="BE"), lambda: lsla.eigsh(sparse.csr_array(E), k=1, which="BE")),
    ]
    for fs, fl in cases:
        want, got = _outcome(fs), _outcome(fl)
        assert isinstance(want, Exception) and type(got) is type(want), (got, want)
    for fmt in ("coo", "csr", "dok"):
        want = sp.random_array((5,), density=0.4, format=fmt, rng=0)
        got = sparse.random_array((5,), density=0.4, format=fmt, rng=0)
        assert (type(got).__name__, got.shape, got.nnz, got.dtype) == (type(want).__name__, want.shape, want.nnz, want.dtype)


@pytest.mark.parametrize("name", ["csr_array", "csc_matrix"])
def test_conversion_to_the_other_compressed_format_keeps_duplicates(name):
    # (csr_tocsc): duplicates and explicit zeros are kept, indices sorted
    arg = (np.array([1.0, 0, 2, 3, -3, 4]), np.array([1, 1, 0, 2, 2, 0]), np.array([0, 3, 4, 6]))
    S, L = getattr(sp, name)(arg, shape=(3, 3)), getattr(sparse, name)(arg, shape=(3, 3))
    want, got = S.tocsc() if name[:3] == "csr" else S.tocsr(), L.tocsc() if name[:3] == "csr" else L.tocsr()
    for part in ("data", "indices", "indptr"):
        assert host(getattr(got, part)).tolist() == getattr(want, part).tolist(), part
    assert got.has_canonical_format == want.has_canonical_format
    assert host(got[:, 1:]).tolist() == want[:, 1:].toarray().tolist() and got[:, 1:].nnz == want[:, 1:].nnz
    assert host(got + got).tolist() == (want + want).toarray().tolist()


@pytest.mark.parametrize("name", ["csr_array", "csc_matrix"])
def test_rows_and_resize_keep_stored_entries(name):
    arg = (np.array([1.0, 0, 2, 3, -3, 4]), np.array([1, 0, 1, 2, 2, 0]), np.array([0, 3, 4, 6]))
    for key in (0, 2):
        S, L = getattr(sp, name)(arg, shape=(3, 3)), getattr(sparse, name)(arg, shape=(3, 3))
        if name.endswith("array"):
            got, want = L[key], S[key]
            assert got.nnz == want.nnz and host(got.data).tolist() == want.data.tolist()
            assert host(got).tolist() == want.toarray().tolist()
    for shape in ((2, 2), (4, 4), (3, 1)):
        S, L = getattr(sp, name)(arg, shape=(3, 3)), getattr(sparse, name)(arg, shape=(3, 3))
        S.resize(shape)
        L.resize(shape)
        assert L.shape == S.shape and L.nnz == S.nnz and host(L).tolist() == S.toarray().tolist()
        assert host(L.indptr).tolist() == S.indptr.tolist()


def test_gmres_info_spsolve_input_and_empty_norms():
    import scipy.sparse.linalg as spla

    import legate_sparse.linalg as lsla

    n = 6
    T = sp.diags_array([-1.0, 4.0, -1.0], offsets=[-1, 0, 1], shape=(n, n)).tocsr()
    b = np.random.default_rng(2).standard_normal(n)
    # A breakdown (the exact solution, or a zero matrix) with an unreachable tolerance
    # is not convergence: SciPy's info is maxiter (it was 0 here).
    for S in (T, sp.csr_array((n, n))):
        for kw in ({"rtol": -1}, {"rtol": 0, "atol": 0, "maxiter": 3}, {"maxiter": 5}):
            x, info = spla.gmres(S, b, **kw)
            y, got = lsla.gmres(sparse.csr_array(S), b, **kw)
            assert got == info, (kw, got, info)
            np.testing.assert_allclose(host(y), x, atol=1e-12)
    with pytest.warns(sp.SparseEfficiencyWarning):  # dense A, as SciPy's: to CSC
        np.testing.assert_allclose(host(lsla.spsolve(T.toarray(), b)), spla.spsolve(T.toarray(), b))
    for f in (lambda m, A: m.spsolve(A, b, permc_spec="XX"), lambda m, A: m.splu(A.tocsc(), permc_spec="XX")):
        want, got = _outcome(lambda: f(spla, T)), _outcome(lambda: f(lsla, sparse.csr_array(T)))
        assert isinstance(want, ValueError) and type(got) is ValueError
    for shape in ((0, 3), (3, 0)):
        for ord in (1, -1, np.inf, -np.inf):
            want = _outcome(lambda: spla.norm(sp.csr_array(shape), ord))
            got = _outcome(lambda: lsla.norm(sparse.csr_array(shape), ord))
            if isinstance(want, Exception):
                assert type(got) is type(want), (shape, ord, got)
            else:
                assert float(got) == float(want)


def test_random_argument_handling():
    both = dict(density=0.5, rng=0, random_state=0)
    bad_sampler = dict(density=0.5, data_sampler=lambda size: np.ones(size + 1))
    for kw in (both, bad_sampler):
        want = _outcome(lambda: sp.random_array((3, 4), **kw))
        got = _outcome(lambda: sparse.random_array((3, 4), **kw))
        assert isinstance(want, Exception) and type(got) is type(want), (kw, got)
    # random's data_rvs takes the count positionally
    A = sparse.random(3, 4, density=0.5, rng=0, data_rvs=lambda k: np.arange(1, k + 1))
    S = sp.random(3, 4, density=0.5, rng=0, data_rvs=lambda k: np.arange(1, k + 1))
    assert A.nnz == S.nnz and sorted(host(A.data).tolist()) == sorted(S.data.tolist())


def test_coo_slices_keep_stored_entries():
    # SciPy's COO indexing: the stored entries inside the slices, in their order
    arg = (np.array([1.0, 0, 2, 3, -3, 4]), (np.array([0, 0, 1, 0, 2, 2]), np.array([1, 1, 2, 1, 0, 0])))
    S, L = sp.coo_array(arg, shape=(3, 3)), sparse.coo_array(arg, shape=(3, 3))
    for key in (0, -1, slice(0, 2), slice(None, None, -1), (slice(None), slice(0, 3, 2)), (slice(None), 1), (1, slice(0, 2))):
        want, got = S[key], L[key]
        assert got.shape == want.shape and got.nnz == want.nnz, key
        assert host(got.data).tolist() == want.data.tolist(), key
        assert [host(c).tolist() for c in got.coords] == [c.tolist() for c in want.coords], key
    with pytest.raises(IndexError):
        L[3, :]


@pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")
@pytest.mark.parametrize("name", ["csr_array", "csc_matrix"])
def test_assignment_and_setdiag_keep_stored_entries(name):
    # SciPy's _set_many: other duplicates and explicit zeros stay; new entries go first
    # in their row (then sorted if the row was); a set position stored twice sums all
    dups = (np.array([1.0, 0, 2, 3, -3, 4]), np.array([1, 1, 0, 2, 2, 0]), np.array([0, 3, 4, 6]))
    unsorted = (np.array([1.0, 0, 2, 3, -3, 4]), np.array([1, 2, 0, 2, 0, 2]), np.array([0, 3, 4, 6]))
    for arg in (dups, unsorted):
        for key, val in [((1, 1), 7.0), ((2, 1), 0.0), ((0, 1), 9.0), ((np.array([0, 2]), np.array([2, 1])), np.array([5.0, 6.0]))]:
            S, L = getattr(sp, name)(arg, shape=(3, 3)), getattr(sparse, name)(arg, shape=(3, 3))
            S[key] = val
            L[key] = val
            for part in ("data", "indices", "indptr"):
                assert host(getattr(L, part)).tolist() == getattr(S, part).tolist(), (key, part)
        S, L = getattr(sp, name)(arg, shape=(3, 3)), getattr(sparse, name)(arg, shape=(3, 3))
        S.setdiag(8.0)
        L.setdiag(8.0)
        assert L.nnz == S.nnz and host(L).tolist() == S.toarray().tolist()


def test_tobsr_1x1_keeps_stored_entries():
    arg = (np.array([1.0, 0, 2, 3, -3, 4]), np.array([1, 1, 0, 2, 2, 0]), np.array([0, 3, 4, 6]))
    for name in ("csr_array", "csc_matrix"):
        want = getattr(sp, name)(arg, shape=(3, 3)).tobsr()
        got = getattr(sparse, name)(arg, shape=(3, 3)).tobsr()
        assert got.blocksize == want.blocksize == (1, 1) and got.nnz == want.nnz
        assert host(got.data).ravel().tolist() == want.data.ravel().tolist()
        assert host(got @ np.ones(3)).tolist() == (want @ np.ones(3)).tolist()


@pytest.mark.parametrize("name", ["lil_array", "lil_matrix"])
def test_lil_adds_in_place(name):
    # SciPy's LIL: A += B is self[:, :] = self + B (same object, LIL, its dtype)
    D, E = np.array([[1, 0, 3], [0, -5, 7]], dtype=np.int8), np.array([[0, 2, 1], [0, 5, 0.5]])
    for other in (lambda m: getattr(m, name)(E), lambda m: E, lambda m: E[0]):
        for sign in (1, -1):
            S, L = getattr(sp, name)(D), getattr(sparse, name)(D)
            S0, L0 = S, L
            if sign > 0:
                S += other(sp)
                L += other(sparse)
            else:
                S -= other(sp)
                L -= other(sparse)
            assert L is L0 and S is S0 and type(L).__name__ == type(S).__name__
            assert L.dtype == S.dtype and L.nnz == S.nnz and host(L).tolist() == S.toarray().tolist()


def test_dia_setdiag_and_resize_store_as_scipy():
    # SciPy's DIA keeps its diagonals: setdiag appends a new offset last (widening the
    # data when needed) and resize cuts the data to the new width, keeping every offset
    # (here they went through COO: sorted offsets, dropped diagonals, another nnz).
    D4 = np.array([[1.0, 0, 2, 0], [0, 0, 3, 0], [4, 0, 0, 5]])
    steps = [lambda A: A.setdiag(9.0, -1), lambda A: A.setdiag([1.0, 2.0], 3), lambda A: A.resize((2, 2)),
             lambda A: A.resize((5, 3)), lambda A: A.setdiag(6.0)]
    S, L = sp.dia_array(D4), sparse.dia_array(D4)
    for step in steps:
        step(S)
        step(L)
        assert L.shape == S.shape and L.nnz == S.nnz
        assert host(L.offsets).tolist() == S.offsets.tolist()
        assert host(L.data).tolist() == S.data.tolist()
        assert host(L.toarray()).tolist() == S.toarray().tolist()


@pytest.mark.parametrize("fmt", ["dok", "lil"])
def test_lil_dok_scalar_products_store_as_scipy(fmt):
    # SciPy's DOK stores every product (A * 0 keeps A's nnz in zeros); LIL keeps the
    # products but A * 0 and A *= 0 are empty; A /= inf keeps its zeros in both.
    D4 = np.array([[1e-300, 0, 2, 0], [0, 0, 3, 0], [4, 0, 0, 5]])
    cases = [lambda A: A * 0, lambda A: 0 * A, lambda A: A.multiply(0.0), lambda A: A * 1e-300,
             lambda A: A.__imul__(0), lambda A: A.__imul__(1e-300), lambda A: A.__itruediv__(np.inf)]
    for f in cases:
        want, got = f(getattr(sp, f"{fmt}_array")(D4)), f(getattr(sparse, f"{fmt}_array")(D4))
        assert type(got).__name__ == type(want).__name__ and got.nnz == want.nnz
        assert host(got.toarray()).tolist() == want.toarray().tolist()


@pytest.mark.parametrize("name", ["dok_matrix", "lil_matrix", "csr_array"])
def test_legate_array_operators_defer_to_sparse(name):
    # A legate_numeric array leaves + - * to the sparse operand (its __array_ufunc__ is
    # None) before converting it: np.asarray of a dok_matrix raised ValueError.
    M = np.arange(9.0).reshape(3, 3)
    for op in (lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b):
        want = op(M, getattr(sp, name)(np.eye(3)))
        got = op(lnp.asarray(M), getattr(sparse, name)(np.eye(3)))
        assert host(got).tolist() == (want.toarray() if sp.issparse(want) else np.asarray(want)).tolist()
