"""Bad input raises SciPy's exception types; unsupported names fall back with a warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import host, sprandom

import legate_numeric as lnp
import legate_sparse as sparse
from legate_sparse import _fallback


def test_bad_compressed_input():
    d, i = np.ones(2), np.array([0, 1])
    with pytest.raises(ValueError, match="index pointer size"):
        sparse.csr_array((d, i, np.array([0, 2])), shape=(2, 2))
    with pytest.raises(ValueError, match="non-decreasing"):
        sparse.csr_array((d, i, np.array([0, 2, 1])), shape=(2, 2))
    with pytest.raises(ValueError, match=">= 0"):
        sparse.csr_array((d, np.array([0, -1]), np.array([0, 1, 2])), shape=(2, 2))
    with pytest.raises(ValueError, match="< 2"):
        sparse.csr_array((d, np.array([0, 5]), np.array([0, 1, 2])), shape=(2, 2))
    with pytest.raises(ValueError, match="start with 0"):
        sparse.csr_array((d, i, np.array([1, 2, 2])), shape=(2, 2))
    with pytest.raises(ValueError, match="same size"):
        sparse.csc_array((np.ones(3), i, np.array([0, 1, 2])), shape=(2, 2))
    with pytest.raises(ValueError):
        sparse.csr_array((d, np.array([0.5, 1.0]), np.array([0, 1, 2])), shape=(2, 2))
    with pytest.raises(ValueError, match="exceeds"):
        sparse.coo_array((d, (np.array([0, 5]), i)), shape=(2, 2))
    with pytest.raises(ValueError, match="negative"):
        sparse.coo_array((d, (np.array([0, -1]), i)), shape=(2, 2))
    with pytest.raises(ValueError, match="negative"):
        sparse.csr_array((-1, 2))
    with pytest.raises(ValueError):
        sparse.csr_array(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="does not support dtype"):
        sparse.csr_array(np.ones((2, 2), dtype=np.float16))


def test_shape_mismatches_and_out():
    A = sparse.csr_array(sprandom(4, 5))
    with pytest.raises(ValueError, match="dimension mismatch"):
        A @ lnp.ones(3)
    with pytest.raises(ValueError, match="dimension mismatch"):
        A @ A
    with pytest.raises(ValueError, match="inconsistent shapes"):
        A + sparse.csr_array(sprandom(3, 3))
    with pytest.raises(ValueError, match="inconsistent shapes"):
        A.multiply(sparse.csr_array(sprandom(3, 3)))
    with pytest.raises(ValueError):
        A + np.ones((3, 3))
    with pytest.raises(ValueError):
        A.dot(lnp.ones(5), out=lnp.zeros(5))
    with pytest.raises(TypeError):
        A.dot(lnp.ones(5), out=np.zeros(4))
    with pytest.raises(ValueError, match="Scalar"):
        A @ 2
    from legate_sparse import linalg

    with pytest.raises(ValueError):
        linalg.cg(sparse.csr_array(sprandom(4, 4)), lnp.ones(3))
    with pytest.raises(ValueError):
        linalg.cg(A, lnp.ones(4))


def test_fallback_warns_once_and_can_be_disabled(monkeypatch, tmp_path):
    A = sparse.csr_array(sprandom(4, 4))
    # tolil, lil_array and block_array are native now; check_format and swapaxes still fall back.
    _fallback._fell_back.discard("csr_array.check_format")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert A.check_format() is None
        A.check_format()
    assert len([x for x in w if "check_format" in str(x.message)]) == 1
    _fallback._fell_back.discard("swapaxes")
    with pytest.warns(RuntimeWarning, match="swapaxes"):
        B = sparse.swapaxes(A, 0, 1)
    np.testing.assert_allclose(B.toarray().__array__(), A._to_scipy().T.toarray())
    with pytest.warns(RuntimeWarning, match="save_npz"):
        sparse.save_npz(tmp_path / "a.npz", A)
    _fallback._fell_back.discard("load_npz")
    with pytest.warns(RuntimeWarning, match="load_npz"):
        B = sparse.load_npz(tmp_path / "a.npz")
    assert isinstance(B, sparse.csr_array)
    np.testing.assert_allclose(B.toarray().__array__(), A.toarray().__array__())
    monkeypatch.setenv("LEGATE_SPARSE_FALLBACK", "0")
    with pytest.raises(AttributeError, match="LEGATE_SPARSE_FALLBACK"):
        sparse.save_npz
    with pytest.raises(NotImplementedError, match="LEGATE_SPARSE_FALLBACK"):
        A.check_format()
    with pytest.raises(AttributeError):
        sparse.no_such_name
    from legate_sparse import linalg

    with pytest.raises(AttributeError):
        linalg.expm


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dia"])
def test_scalar_input(fmt):
    """A scalar makes no sparse array (SciPy's ValueError; it was a 1-d array of one
    value) but a 1x1 matrix, as in SciPy."""
    with pytest.raises(ValueError, match="scalar"):
        getattr(sp, f"{fmt}_array")(3.0)
    for x in (3.0, np.array(3.0)):  # SciPy: a TypeError for the 0-d array
        with pytest.raises(ValueError, match="scalar"):
            getattr(sparse, f"{fmt}_array")(x)
    M, Ms = getattr(sparse, f"{fmt}_matrix")(3.0), getattr(sp, f"{fmt}_matrix")(3.0)
    assert M.shape == Ms.shape == (1, 1) and float(M.toarray()[0, 0]) == 3.0


def test_float_size_and_coo_getnnz_axis():
    """random/rand take a float size as SciPy's (int() of it; it was a TypeError), and
    COO's getnnz(axis=-3) is SciPy's IndexError (it was a ValueError)."""
    for f in ("random", "rand"):
        assert getattr(sparse, f)(3.5, 4, density=0.5).shape == getattr(sp, f)(3.5, 4, density=0.5).shape == (3, 4)
    D = np.array([[1, 0, 2], [0, 3, 0]])
    for mod in (sp, sparse):
        with pytest.raises(IndexError):
            mod.coo_matrix(D).getnnz(axis=-3)
        with pytest.raises(ValueError):
            mod.coo_matrix(D).getnnz(axis=2)
        with pytest.raises(ValueError):
            mod.csr_matrix(D).getnnz(axis=-3)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr", "dia", "dok"])
def test_dense_input_with_another_shape(fmt):
    """A dense input with a shape other than its own raises in every format, as in
    SciPy (which pads none of them; DIA ignored the shape)."""
    D = np.array([[1, 0, 2], [0, 3, 0]])
    for mod in (sp, sparse):
        with pytest.raises(ValueError):
            getattr(mod, f"{fmt}_array")(D, shape=(4, 5))


def test_matrix_power_exponent_errors():
    """spmatrix ** x: SciPy's matrix_power checks squareness first (TypeError), then
    raises ValueError for an exponent that is not an integer (it was a TypeError)."""
    for mod in (sp, sparse):
        with pytest.raises(ValueError, match="integer"):
            mod.csr_matrix(np.eye(2)) ** 2.5
        with pytest.raises(TypeError, match="square"):
            mod.csr_matrix(np.ones((2, 3))) ** 2.5


def test_matrix_has_no_removed_properties():
    """SciPy 1.14 removed spmatrix's .A and .H (getH stays)."""
    M, S = sparse.csr_matrix(np.eye(2) * 1j), sp.csr_matrix(np.eye(2) * 1j)
    for name in ("A", "H"):
        with pytest.raises(AttributeError):
            getattr(S, name)
        with pytest.raises(AttributeError):
            getattr(M, name)
    assert host(M.getH()).tolist() == S.getH().toarray().tolist()


def test_compressed_input_pads_the_minor_dimension():
    """CSR/CSC of dense or sparse input take a shape with more columns (CSR) or rows
    (CSC), padded with zeros, as SciPy's (it raised); other shapes still raise (SciPy
    refuses a new major size and corrupts memory for a smaller minor one)."""
    D = np.array([[1.0, 0, 2], [0, 3, 0]])
    for name, shape in (("csc_array", (4, 3)), ("csr_array", (2, 5)), ("csr_matrix", (2, 4))):
        for arg in (lambda m: D, lambda m: m.csc_matrix(D)):
            want, got = getattr(sp, name)(arg(sp), shape=shape), getattr(sparse, name)(arg(sparse), shape=shape)
            assert got.shape == want.shape and host(got).tolist() == want.toarray().tolist()
    for name, shape in (("csr_array", (4, 3)), ("csc_array", (1, 3)), ("csr_array", (2, 2))):
        with pytest.raises(ValueError):
            getattr(sparse, name)(D, shape=shape)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_submodule_fallback_converts_arguments():
    """legate_sparse.csgraph (not native) runs SciPy's functions on converted arguments;
    it was SciPy's module itself, whose functions refused legate arrays."""
    import scipy.sparse.csgraph as scg

    D = np.array([[0, 1, 0, 0], [1, 0, 2, 0], [0, 2, 0, 0], [0, 0, 0, 0.0]])
    n, labels = sparse.csgraph.connected_components(sparse.csr_array(D))
    want_n, want_labels = scg.connected_components(sp.csr_array(D))
    assert n == want_n and host(labels).tolist() == want_labels.tolist()
    T = sparse.csgraph.minimum_spanning_tree(sparse.csr_array(D))
    assert host(T.toarray()).tolist() == scg.minimum_spanning_tree(sp.csr_array(D)).toarray().tolist()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_csgraph_imports_as_a_module(monkeypatch):
    """``from legate_sparse.csgraph import f`` works as with SciPy (it was
    ModuleNotFoundError: csgraph was only an attribute); with the fallback off a
    missing name is an ImportError."""
    import importlib

    import scipy.sparse.csgraph as scg

    from legate_sparse.csgraph import connected_components, laplacian

    mod = importlib.import_module("legate_sparse.csgraph")
    assert sparse.csgraph is mod and "shortest_path" in dir(mod)
    D = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0.0]])
    n, labels = connected_components(sparse.csr_array(D), directed=False)
    assert (n, host(labels).tolist()) == (2, scg.connected_components(D, directed=False)[1].tolist())
    assert np.allclose(host(laplacian(lnp.asarray(D))), scg.laplacian(D))
    monkeypatch.setenv("LEGATE_SPARSE_FALLBACK", "0")
    with pytest.raises(ImportError):
        from legate_sparse.csgraph import dijkstra  # noqa: F401
