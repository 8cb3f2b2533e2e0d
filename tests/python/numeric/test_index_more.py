"""Indexing routines composed natively, against NumPy with the fallback off: ``ix_
unravel_index ravel_multi_index diag_indices(_from) tril/triu_indices_from mask_indices
put_along_axis putmask place copyto extract apply_along_axis apply_over_axes piecewise
ndindex ndenumerate``."""

import numpy as np
import pytest
from conftest import check, check_same_error, make

import legate_numeric as lnp


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


def same(np_call, lnp_call):
    expected, _ = check_same_error(np_call, lnp_call)
    if expected is not None:
        got = lnp_call()
        if isinstance(expected, tuple):
            assert isinstance(got, tuple) and len(got) == len(expected)
            for g, e in zip(got, expected):
                check(g, e)
        else:
            check(got, expected)


def test_ix():
    for args in (([0, 2], [1, 3, 0]), ([True, False, True],), (np.array([1, 0]), [], [2]), ([[1]],), ([1.5],)):
        same(lambda: np.ix_(*args), lambda: lnp.ix_(*[lnp.array(a) if isinstance(a, np.ndarray) else a for a in args]))
    x = np.arange(20).reshape(4, 5)
    check(lnp.array(x)[lnp.ix_([0, 3], [1, 2, 4])], x[np.ix_([0, 3], [1, 2, 4])])


def test_unravel_ravel():
    for shape in ((3, 4), (2, 3, 4), (5,), (7, 1)):
        n = int(np.prod(shape))
        idx = np.array([[0, n - 1], [n // 2, 1]])
        for order in ("C", "F"):
            same(lambda: np.unravel_index(idx, shape, order), lambda: lnp.unravel_index(lnp.array(idx), shape, order))
            same(lambda: np.unravel_index(idx[0, ::-1], shape, order), lambda: lnp.unravel_index(lnp.array(idx)[0, ::-1], shape, order))
            coords = np.unravel_index(idx, shape, order)
            same(lambda: np.ravel_multi_index(coords, shape, order=order),
                 lambda: lnp.ravel_multi_index(tuple(lnp.array(c) for c in coords), shape, order=order))
    assert lnp.unravel_index(7, (3, 4)) == np.unravel_index(7, (3, 4))
    same(lambda: np.unravel_index(np.array([12]), (3, 4)), lambda: lnp.unravel_index(lnp.array([12]), (3, 4)))
    same(lambda: np.unravel_index(np.array([-1]), (3, 4)), lambda: lnp.unravel_index(lnp.array([-1]), (3, 4)))
    same(lambda: np.unravel_index(np.array([1.0]), (3, 4)), lambda: lnp.unravel_index(lnp.array([1.0]), (3, 4)))
    same(lambda: np.unravel_index(np.array([1]), (3, 4), "K"), lambda: lnp.unravel_index(lnp.array([1]), (3, 4), "K"))
    rows, cols = np.array([0, 5, -1, 2]), np.array([3, 1, 2, 9])
    for mode in ("raise", "wrap", "clip", ("wrap", "clip"), ("clip", "raise"), "nope"):
        same(lambda: np.ravel_multi_index((rows, cols), (3, 4), mode=mode),
             lambda: lnp.ravel_multi_index((lnp.array(rows), lnp.array(cols)), (3, 4), mode=mode))
    same(lambda: np.ravel_multi_index((np.array([1]),), (3, 4)), lambda: lnp.ravel_multi_index((lnp.array([1]),), (3, 4)))
    same(lambda: np.ravel_multi_index((np.array([1.0]), np.array([1])), (3, 4)),
         lambda: lnp.ravel_multi_index((lnp.array([1.0]), lnp.array([1])), (3, 4)))
    same(lambda: np.ravel_multi_index((np.array([[1], [2]]), np.array([0, 3])), (3, 4)),
         lambda: lnp.ravel_multi_index((lnp.array([[1], [2]]), lnp.array([0, 3])), (3, 4)))


def test_triangle_and_diagonal_indices():
    for n, nd in ((4, 2), (3, 3), (0, 2)):
        same(lambda: np.diag_indices(n, nd), lambda: lnp.diag_indices(n, nd))
    for shape in ((3, 3), (2, 2, 2), (3, 4), (3,)):
        x = np.zeros(shape)
        same(lambda: np.diag_indices_from(x), lambda: lnp.diag_indices_from(lnp.array(x)))
    for shape in ((3, 3), (3, 5), (5, 2), (2, 2, 2)):
        x = np.zeros(shape)
        for k in (-1, 0, 2):
            same(lambda: np.tril_indices_from(x, k), lambda: lnp.tril_indices_from(lnp.array(x), k))
            same(lambda: np.triu_indices_from(x, k), lambda: lnp.triu_indices_from(lnp.array(x), k))
    for k in (-1, 0, 1):
        same(lambda: np.mask_indices(4, np.triu, k), lambda: lnp.mask_indices(4, lnp.triu, k))
        same(lambda: np.mask_indices(3, np.tril, k), lambda: lnp.mask_indices(3, np.tril, k))


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex128], ids=str)
def test_writes(dtype):
    x = make(dtype, (3, 4))
    idx = np.array([[1, 0, 3, 3], [2, 2, 0, 1], [0, 1, 1, 0]])
    for axis, ind in ((1, idx[:, :2]), (0, idx[:2]), (-1, idx[:, :1]), (None, idx[0])):
        for values in (7, make(dtype, ind.shape, 1)):
            e, a = x.copy(), lnp.array(x)
            vals = lnp.array(values) if isinstance(values, np.ndarray) else values
            _, error = check_same_error(lambda: np.put_along_axis(e, ind, values, axis), lambda: lnp.put_along_axis(a, lnp.array(ind), vals, axis))
            if error is None:
                lnp.put_along_axis(a, lnp.array(ind), vals, axis)
                check(a, e)
    for ind, axis in ((idx.astype(float), 1), (idx[0], 1), (idx, 2)):
        check_same_error(lambda: np.put_along_axis(x.copy(), ind, 1, axis), lambda: lnp.put_along_axis(lnp.array(x), lnp.array(ind), 1, axis))
    cond = x.real > 0
    same(lambda: np.extract(cond, x), lambda: lnp.extract(lnp.array(cond), lnp.array(x)))
    same(lambda: np.extract(cond[::2], x[::2, ::-1]), lambda: lnp.extract(lnp.array(cond)[::2], lnp.array(x)[::2, ::-1]))
    same(lambda: np.extract(np.ones(()), x[0, 0]), lambda: lnp.extract(lnp.ones(()), lnp.array(x)[0, 0]))
    # putmask, place, copyto (native before; checked here with views and broadcasting)
    for target in (lambda v: v, lambda v: v[::2, ::-1]):
        e, a = x.copy(), lnp.array(x)
        np.putmask(target(e), target(cond), np.array([1, 2, 3], dtype))
        lnp.putmask(target(a), lnp.array(target(cond)), lnp.array(np.array([1, 2, 3], dtype)))
        check(a, e)
        e, a = x.copy(), lnp.array(x)
        np.place(target(e), target(cond), [5, 6])
        lnp.place(target(a), lnp.array(target(cond)), [5, 6])
        check(a, e)
        e, a = x.copy(), lnp.array(x)
        np.copyto(target(e), np.arange(target(e).shape[-1]).astype(dtype), where=target(cond))
        lnp.copyto(target(a), lnp.arange(target(a).shape[-1]).astype(dtype), where=lnp.array(target(cond)))
        check(a, e)
    check_same_error(lambda: np.copyto(np.zeros(3, np.int32), np.ones(3)), lambda: lnp.copyto(lnp.zeros(3, np.int32), lnp.ones(3)))


def test_apply():
    x = make(np.float64, (2, 3, 4))
    a = lnp.array(x)
    for axis in (0, 1, 2, -1):
        same(lambda: np.apply_along_axis(np.sum, axis, x), lambda: lnp.apply_along_axis(lnp.sum, axis, a))
        same(lambda: np.apply_along_axis(lambda v: v[::-1] * 2, axis, x), lambda: lnp.apply_along_axis(lambda v: v[::-1] * 2, axis, a))
        same(lambda: np.apply_along_axis(lambda v: np.outer(v, v[:2]), axis, x), lambda: lnp.apply_along_axis(lambda v: lnp.outer(v, v[:2]), axis, a))
    same(lambda: np.apply_along_axis(np.sum, 3, x), lambda: lnp.apply_along_axis(lnp.sum, 3, a))
    same(lambda: np.apply_along_axis(np.sum, 1, x[:, :, :0]), lambda: lnp.apply_along_axis(lnp.sum, 1, a[:, :, :0]))
    for axes in (0, [0, 2], [-1], [1, 0], []):
        same(lambda: np.apply_over_axes(np.sum, x, axes), lambda: lnp.apply_over_axes(lnp.sum, a, axes))
    same(lambda: np.apply_over_axes(lambda v, ax: v[0, 0], x, [0]), lambda: lnp.apply_over_axes(lambda v, ax: v[0, 0], a, [0]))


def test_piecewise():
    x = np.linspace(-2.5, 2.5, 11)
    a = lnp.array(x)
    same(lambda: np.piecewise(x, [x < 0, x >= 0], [-1, 1]), lambda: lnp.piecewise(a, [a < 0, a >= 0], [-1, 1]))
    same(lambda: np.piecewise(x, [x < -1, x > 1], [lambda v: -v, lambda v: v * 2, 0.5]),
         lambda: lnp.piecewise(a, [a < -1, a > 1], [lambda v: -v, lambda v: v * 2, 0.5]))
    same(lambda: np.piecewise(x, x > 0, [lambda v: v ** 2]), lambda: lnp.piecewise(a, a > 0, [lambda v: v ** 2]))
    same(lambda: np.piecewise(x, [x > 0], [1, 2, 3]), lambda: lnp.piecewise(a, [a > 0], [1, 2, 3]))
    same(lambda: np.piecewise(x, [x > 9], [lambda v: v + 1]), lambda: lnp.piecewise(a, [a > 9], [lambda v: v + 1]))
    same(lambda: np.piecewise(np.array(3.0), True, [7.0]), lambda: lnp.piecewise(lnp.array(3.0), True, [7.0]))
    same(lambda: np.piecewise(np.array(-3.0), [np.array(-3.0) > 0], [1.0, 2.0]), lambda: lnp.piecewise(lnp.array(-3.0), [lnp.array(-3.0) > 0], [1.0, 2.0]))
    i = np.arange(6)
    same(lambda: np.piecewise(i, [i % 2 == 0], [lambda v: v * 10, -1]), lambda: lnp.piecewise(lnp.array(i), [lnp.array(i) % 2 == 0], [lambda v: v * 10, -1]))


def test_iteration_helpers():
    assert list(lnp.ndindex(2, 3)) == list(np.ndindex(2, 3))
    x = np.arange(6.0).reshape(2, 3)
    assert [(i, float(v)) for i, v in lnp.ndenumerate(lnp.array(x))] == [(i, float(v)) for i, v in np.ndenumerate(x)]
    assert lnp.broadcast_shapes((2, 1), (3,)) == np.broadcast_shapes((2, 1), (3,))
    check_same_error(lambda: np.broadcast_shapes((2,), (3,)), lambda: lnp.broadcast_shapes((2,), (3,)))
