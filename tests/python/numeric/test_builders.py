"""tri/tril/triu, diag, trace, meshgrid, tile and repeat against NumPy."""

import numpy as np
import pytest

import legate_numeric as lnp

from conftest import check, make

DTYPES = ["bool", "int32", "int64", "float32", "float64", "complex128"]


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 2), (0, 3), (2, 3, 4)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_tril_triu(shape, k, dtype):
    a = make(dtype, shape)
    check(lnp.tril(lnp.array(a), k), np.tril(a, k))
    check(lnp.triu(lnp.array(a), k), np.triu(a, k))


@pytest.mark.parametrize("args", [(3,), (3, 5), (4, 2, -1), (4, 4, 2), (0,)])
@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_tri(args, dtype):
    check(lnp.tri(*args, dtype=dtype), np.tri(*args, dtype=dtype))


@pytest.mark.parametrize("k", [-2, 0, 1, 3])
@pytest.mark.parametrize("n", [0, 1, 4])
@pytest.mark.parametrize("dtype", DTYPES)
def test_diag_of_a_vector(n, k, dtype):
    v = make(dtype, (n,))
    check(lnp.diag(lnp.array(v), k), np.diag(v, k))


@pytest.mark.parametrize("k", [-1, 0, 2])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5)])
def test_diag_of_a_matrix_and_trace(shape, k):
    a = make("float64", shape)
    check(lnp.diag(lnp.array(a), k), np.diag(a, k))
    check(lnp.trace(lnp.array(a), k), np.trace(a, k))
    b = make("int32", (2, 3, 4))
    check(lnp.trace(lnp.array(b), 1, 1, 2), np.trace(b, 1, 1, 2))


def test_diag_rejects_3d():
    with pytest.raises(ValueError):
        lnp.diag(lnp.zeros((2, 2, 2)))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
def test_meshgrid(indexing, sparse):
    x, y, z = np.arange(3.0), np.linspace(0, 1, 4), np.array([1, 2])
    for args in [(x,), (x, y), (x, y, z)]:
        got = lnp.meshgrid(*[lnp.array(a) for a in args], indexing=indexing, sparse=sparse)
        exp = np.meshgrid(*args, indexing=indexing, sparse=sparse)
        assert len(got) == len(exp)
        for g, e in zip(got, exp):
            check(g, e)


def test_meshgrid_copies_are_independent():
    xs, ys = lnp.meshgrid(lnp.arange(3), lnp.arange(2))
    xs[0, 0] = 99
    assert int(xs[1, 0]) == 0


@pytest.mark.parametrize("reps", [2, (2,), (1, 3), (2, 1, 2), (0, 2)])
@pytest.mark.parametrize("shape", [(3,), (2, 3), ()])
@pytest.mark.parametrize("dtype", ["int64", "float64", "bool"])
def test_tile(shape, reps, dtype):
    a = make(dtype, shape)
    check(lnp.tile(lnp.array(a), reps), np.tile(a, reps))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("r", [0, 1, 3])
@pytest.mark.parametrize("dtype", ["int32", "float64", "complex128"])
def test_repeat(r, axis, dtype):
    a = make(dtype, (2, 3))
    check(lnp.repeat(lnp.array(a), r, axis=axis), np.repeat(a, r, axis=axis))
    strided = a[:, ::-2]
    check(lnp.repeat(lnp.array(a)[:, ::-2], r, axis=axis), np.repeat(strided, r, axis=axis))


def test_repeat_negative_count_raises():
    with pytest.raises(ValueError):
        lnp.repeat(lnp.arange(3), -1)


@pytest.mark.parametrize(
    "sa,sb,axes",
    [((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((2, 3), (2, 3), 2), ((3,), (3,), 1),
     ((2, 3, 4), (4, 3, 2), ([1, 2], [1, 0])), ((3, 2), (5,), 0), ((4, 3), (3, 4), ([0], [1]))],
)
@pytest.mark.parametrize("dtype", ["float64", "int64", "complex128"])
def test_tensordot(sa, sb, axes, dtype):
    a, b = make(dtype, sa), make(dtype, sb, salt=1)
    check(lnp.tensordot(lnp.array(a), lnp.array(b), axes), np.tensordot(a, b, axes))


def test_tensordot_shape_mismatch():
    with pytest.raises(ValueError):
        lnp.tensordot(lnp.ones((2, 3)), lnp.ones((4, 5)), 1)
