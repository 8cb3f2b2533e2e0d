"""Creation and shaping functions composed natively, against NumPy with the fallback
off: ``append insert delete resize trim_zeros block column_stack row_stack hsplit
vsplit dsplit unstack concat permute_dims matrix_transpose rot90 rollaxis diagflat vander
fromfunction fromiter frombuffer ascontiguousarray asfortranarray asanyarray
asarray_chkfinite require``, 1-d ``tril``/``triu``, ``tile``, and ``linspace``/
``logspace``/``geomspace`` with array and complex bounds."""

import warnings

import numpy as np
import pytest
from conftest import check, check_same_error, make

import legate_numeric as lnp

DTYPES = [np.bool_, np.int32, np.uint8, np.float32, np.float64, np.complex128]


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


def both(shape, dtype=np.float64, salt=0):
    x = make(dtype, shape, salt)
    return x, lnp.array(x)


def same(np_call, lnp_call, **kw):
    expected, _ = check_same_error(np_call, lnp_call)
    if expected is not None:
        got = lnp_call()
        if isinstance(expected, (tuple, list)):
            assert len(got) == len(expected)
            for g, e in zip(got, expected):
                check(g, e, **kw)
        else:
            check(got, expected, **kw)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_append_insert_delete(dtype):
    x, a = both((3, 4), dtype)
    v, b = both((3, 2), dtype, 1)
    s, c = both((), dtype, 2)
    same(lambda: np.append(x, v), lambda: lnp.append(a, b))
    same(lambda: np.append(x, v, axis=1), lambda: lnp.append(a, b, axis=1))
    same(lambda: np.append(x, v, axis=0), lambda: lnp.append(a, b, axis=0))
    same(lambda: np.append(s, x), lambda: lnp.append(c, a))
    for obj in (0, 2, -1, 4, 5, -6, [1], [0, 2, 2], [-1, 0], [], slice(1, 3), slice(None, None, 2), np.array([1, 3])):
        for axis in (None, 0, 1):
            same(lambda: np.insert(x, obj, v[0, 0], axis=axis), lambda: lnp.insert(a, obj, b[0, 0], axis=axis))
            same(lambda: np.delete(x, obj, axis=axis), lambda: lnp.delete(a, obj, axis=axis))
    same(lambda: np.insert(x, 1, v.T, axis=0), lambda: lnp.insert(a, 1, b.T, axis=0))
    same(lambda: np.insert(x, [1], v[:, :1], axis=1), lambda: lnp.insert(a, [1], b[:, :1], axis=1))
    same(lambda: np.insert(x, [1, 3], v, axis=1), lambda: lnp.insert(a, [1, 3], b, axis=1))
    same(lambda: np.insert(x[::2, ::-1], 1, 7, axis=1), lambda: lnp.insert(a[::2, ::-1], 1, 7, axis=1))
    same(lambda: np.delete(x, np.array([True, False, True]), axis=0), lambda: lnp.delete(a, lnp.array([True, False, True]), axis=0))
    same(lambda: np.delete(x, np.array([True, False]), axis=0), lambda: lnp.delete(a, lnp.array([True, False]), axis=0))
    same(lambda: np.delete(x, [1.0]), lambda: lnp.delete(a, [1.0]))
    same(lambda: np.insert(x, [[1]], 0), lambda: lnp.insert(a, [[1]], 0))
    same(lambda: np.insert(x, 1, 0, axis=2), lambda: lnp.insert(a, 1, 0, axis=2))
    same(lambda: np.delete(x, 1, axis=-3), lambda: lnp.delete(a, 1, axis=-3))


def test_resize_trim_zeros():
    x, a = both((2, 3), np.int32)
    for shape in ((3, 4), 7, (0,), (2, 0), (), (1, 1, 5)):
        same(lambda: np.resize(x, shape), lambda: lnp.resize(a, shape))
    same(lambda: np.resize(x[:0], (2, 2)), lambda: lnp.resize(a[:0], (2, 2)))
    same(lambda: np.resize(x, (-1, 2)), lambda: lnp.resize(a, (-1, 2)))
    f = np.array([0, 0, 3, 0, 4, 0, 0], dtype=np.float64)
    g = lnp.array(f)
    for trim in ("fb", "f", "b", "BF", "x"):
        same(lambda: np.trim_zeros(f, trim), lambda: lnp.trim_zeros(g, trim))
    same(lambda: np.trim_zeros(np.zeros(4)), lambda: lnp.trim_zeros(lnp.zeros(4)))
    m = np.zeros((4, 5))
    m[1, 2] = m[2, 3] = 1
    for axis in (None, 0, 1, -1, (0, 1)):
        same(lambda: np.trim_zeros(m, axis=axis), lambda: lnp.trim_zeros(lnp.array(m), axis=axis))
    assert lnp.trim_zeros([0, 1, 2, 0]) == np.trim_zeros([0, 1, 2, 0])


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex128], ids=str)
def test_joining_splitting(dtype):
    x, a = both((2, 3), dtype)
    y, b = both((2, 3), dtype, 1)
    v, c = both((3,), dtype, 2)
    s, d = both((), dtype, 3)
    same(lambda: np.block([[x, y], [y, x]]), lambda: lnp.block([[a, b], [b, a]]))
    same(lambda: np.block([x, y]), lambda: lnp.block([a, b]))
    same(lambda: np.block([v, v]), lambda: lnp.block([c, c]))
    same(lambda: np.block(s), lambda: lnp.block(d))
    same(lambda: np.block([[s, s], [s, s]]), lambda: lnp.block([[d, d], [d, d]]))
    same(lambda: np.block([[[x]], [[y]]]), lambda: lnp.block([[[a]], [[b]]]))
    same(lambda: np.block([[x, y], v]), lambda: lnp.block([[a, b], c]))
    same(lambda: np.block([]), lambda: lnp.block([]))
    same(lambda: np.block((x, y)), lambda: lnp.block((a, b)))
    same(lambda: np.column_stack([v, v, s * np.ones(3, dtype)]), lambda: lnp.column_stack([c, c, d * lnp.ones(3, dtype)]))
    same(lambda: np.column_stack([x.T, v]), lambda: lnp.column_stack([a.T, c]))
    same(lambda: np.concat([x, y], axis=1), lambda: lnp.concat([a, b], axis=1))
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        r = lnp.row_stack([a, b])
    assert any(issubclass(w.category, DeprecationWarning) for w in got)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        check(r, np.row_stack([x, y]))
    for axis in (0, 1, -1, 2):
        same(lambda: np.unstack(x, axis=axis), lambda: lnp.unstack(a, axis=axis))
    same(lambda: np.unstack(s), lambda: lnp.unstack(d))
    z, e = both((4, 6, 2), dtype)
    for f in ("hsplit", "vsplit", "dsplit"):
        for arg in (2, [1, 3], 5):
            for xx, aa in ((z, e), (x, a), (v, c), (s, d)):
                same(lambda: getattr(np, f)(xx, arg), lambda: getattr(lnp, f)(aa, arg))


def test_transposes_rotations():
    x, a = both((2, 3, 4))
    for axes in (None, (2, 0, 1), (0, 1), (0, 0, 1)):
        same(lambda: np.permute_dims(x, axes), lambda: lnp.permute_dims(a, axes))
    same(lambda: np.matrix_transpose(x), lambda: lnp.matrix_transpose(a))
    same(lambda: np.matrix_transpose(x[0, 0]), lambda: lnp.matrix_transpose(a[0, 0]))
    for k in range(-5, 6):
        for axes in ((0, 1), (1, 0), (2, 0), (-1, -2)):
            same(lambda: np.rot90(x, k, axes), lambda: lnp.rot90(a, k, axes))
    for axes in ((0, 0), (0, 3), (0,), (0, -3)):
        same(lambda: np.rot90(x, 1, axes), lambda: lnp.rot90(a, 1, axes))
    c = a.copy()
    r = lnp.rot90(c)
    r[0, 0, 0] = 99.0  # a view, as in NumPy
    assert float(c[0, 2, 0]) == 99.0
    for axis in range(-4, 4):
        for start in range(-5, 5):
            same(lambda: np.rollaxis(x, axis, start), lambda: lnp.rollaxis(a, axis, start))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_matrices(dtype):
    x, a = both((2, 3), dtype)
    v, c = both((4,), dtype)
    for k in (-2, 0, 1):
        same(lambda: np.diagflat(x, k), lambda: lnp.diagflat(a, k))
        same(lambda: np.tril(v, k), lambda: lnp.tril(c, k))
        same(lambda: np.triu(v, k), lambda: lnp.triu(c, k))
    same(lambda: np.tril(v[0]), lambda: lnp.tril(c[0]))
    if dtype != np.bool_:
        for n in (None, 0, 1, 3, 6):
            for inc in (False, True):
                same(lambda: np.vander(v, n, inc), lambda: lnp.vander(c, n, inc))
    same(lambda: np.vander(x), lambda: lnp.vander(a))


def test_tile():
    x, a = both((2, 3), np.int32)
    for reps in (2, 0, (2, 0), (0, 2), (1, 2, 3), (), [3], np.int64(2), (2, 1, 1, 2)):
        same(lambda: np.tile(x, reps), lambda: lnp.tile(a, reps))
    same(lambda: np.tile(x, -1), lambda: lnp.tile(a, -1))
    same(lambda: np.tile(x[0, 0], 3), lambda: lnp.tile(a[0, 0], 3))


def test_from_data():
    same(lambda: np.fromfunction(lambda i, j: i * 10 + j, (3, 4)), lambda: lnp.fromfunction(lambda i, j: i * 10 + j, (3, 4)))
    same(lambda: np.fromfunction(lambda i: i, (4,), dtype=int), lambda: lnp.fromfunction(lambda i: i, (4,), dtype=int))
    same(lambda: np.fromiter((i * i for i in range(5)), np.int32), lambda: lnp.fromiter((i * i for i in range(5)), np.int32))
    same(lambda: np.fromiter(range(5), float, count=3), lambda: lnp.fromiter(range(5), float, count=3))
    same(lambda: np.fromiter(range(2), float, count=3), lambda: lnp.fromiter(range(2), float, count=3))
    buf = np.arange(6, dtype=np.int16).tobytes()
    same(lambda: np.frombuffer(buf, np.int16, offset=2), lambda: lnp.frombuffer(buf, np.int16, offset=2))
    same(lambda: np.frombuffer(buf, np.int32, count=2), lambda: lnp.frombuffer(buf, np.int32, count=2))
    same(lambda: np.frombuffer(buf[:3], np.int16), lambda: lnp.frombuffer(buf[:3], np.int16))
    x, a = both((3, 4))
    for xx, aa in ((x, a), (x.T, a.T), (x[::2, ::-1], a[::2, ::-1]), (x[0, 0], a[0, 0]), (x[:0], a[:0])):
        for dtype in (None, np.float32):
            for f in ("ascontiguousarray", "asfortranarray"):
                got = getattr(lnp, f)(aa, dtype=dtype)
                exp = getattr(np, f)(xx, dtype=dtype)
                check(got, exp)
                assert got.flags.c_contiguous == exp.flags.c_contiguous
                assert got.flags.f_contiguous == exp.flags.f_contiguous
            check(lnp.asanyarray(aa, dtype=dtype), np.asanyarray(xx, dtype=dtype))
    assert lnp.ascontiguousarray(a) is a and lnp.asanyarray(a) is a
    with np.errstate(all="ignore"):
        for bad in (np.array([1.0, np.inf]), np.array([np.nan]), np.array([1, 2]), np.array([1j, 2])):
            same(lambda: np.asarray_chkfinite(bad), lambda: lnp.asarray_chkfinite(lnp.array(bad)))
        same(lambda: np.asarray_chkfinite([1, 2], dtype=float), lambda: lnp.asarray_chkfinite([1, 2], dtype=float))
    for req in (None, "C", "F", ["F", "A"], "W", "O", ["C", "F"], "E", ["C", "O", "W"], "Q"):
        for xx, aa in ((x, a), (x.T, a.T), (x[::2], a[::2])):
            same(lambda: np.require(xx, np.float32, req), lambda: lnp.require(aa, np.float32, req))
            got = lnp.require(aa, None, req) if req not in (["C", "F"], "Q") else None
            if got is not None:
                exp = np.require(xx, None, req)
                for flag in ("c_contiguous", "f_contiguous"):
                    if getattr(exp.flags, flag):
                        assert getattr(got.flags, flag)


BOUNDS = [
    (0.0, 1.0), (np.array([0.0, 1.0]), 5.0), (np.array([[1.0], [2.0]]), np.array([3.0, 4.0, 5.0])),
    (np.float32(1), np.array([2.0, 3.0], np.float32)), (0, 1 + 1j), (np.array([1j, 2]), 5 - 1j), (2, 2),
    (np.array([1, 2]), np.array([1, 10])),
]


@pytest.mark.parametrize("bounds", range(len(BOUNDS)))
def test_ranges_with_array_and_complex_bounds(bounds):
    start, stop = BOUNDS[bounds]
    ls, lt = (lnp.array(v) if isinstance(v, np.ndarray) else v for v in (start, stop))
    nd = np.broadcast(start, stop).ndim
    with np.errstate(all="ignore"):
        for num in (0, 1, 5):
            for endpoint in (True, False):
                for axis in range(-nd - 1, nd + 1):
                    kw = dict(num=num, endpoint=endpoint, axis=axis)
                    same(lambda: np.linspace(start, stop, **kw), lambda: lnp.linspace(ls, lt, **kw), rtol=1e-6)
                    same(lambda: np.logspace(start, stop, **kw), lambda: lnp.logspace(ls, lt, **kw), rtol=1e-6)
                    same(lambda: np.geomspace(start, stop, **kw), lambda: lnp.geomspace(ls, lt, **kw), rtol=1e-6)
            same(lambda: np.linspace(start, stop, num, retstep=True), lambda: lnp.linspace(ls, lt, num, retstep=True), rtol=1e-6)
            same(lambda: np.linspace(start, stop, num, dtype=int), lambda: lnp.linspace(ls, lt, num, dtype=int))
        same(lambda: np.logspace(start, stop, 4, base=np.array([2.0, 3.0])[:, None]),
             lambda: lnp.logspace(ls, lt, 4, base=lnp.array([2.0, 3.0])[:, None]), rtol=1e-6)
    same(lambda: np.linspace(np.array([1.0]), 2, -1), lambda: lnp.linspace(lnp.array([1.0]), 2, -1))
    same(lambda: np.geomspace(np.array([0.0, 1.0]), 2), lambda: lnp.geomspace(lnp.array([0.0, 1.0]), 2))
    same(lambda: np.geomspace(-1, -100, 3), lambda: lnp.geomspace(-1, -100, 3))
    same(lambda: np.geomspace(-1, 100j, 3), lambda: lnp.geomspace(-1, 100j, 3))
