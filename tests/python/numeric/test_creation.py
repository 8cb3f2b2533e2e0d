"""Array creation: array asarray empty zeros ones full *_like arange linspace eye
identity copy."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import DTYPE_IDS, DTYPES, SHAPE_IDS, SHAPES, check, check_same_error, make, quiet


# ---------------------------------------------------------------- array / asarray


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_array_from_numpy(dtype, shape):
    src = make(dtype, shape)
    a = lnp.array(src)
    assert isinstance(a, lnp.ndarray)
    assert a.shape == src.shape and a.ndim == src.ndim and a.size == src.size
    assert a.dtype == src.dtype and a.itemsize == src.itemsize and a.nbytes == src.nbytes
    check(a, src)


@pytest.mark.parametrize(
    "obj",
    [
        [1, 2, 3],
        [1.5, -2.0],
        [[1, 2], [3, 4], [5, 6]],
        [True, False, True],
        [1 + 2j, 3.0],
        [[[1.0]], [[2.0]]],
        5,
        2.5,
        True,
        [],
        [[], []],
    ],
    ids=repr,
)
def test_array_from_python(obj):
    check(lnp.array(obj), np.array(obj))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_array_with_dtype(dtype):
    obj = [[0, 1, 2], [3, 4, 5]]
    check(lnp.array(obj, dtype=dtype), np.array(obj, dtype=dtype))


@pytest.mark.parametrize("ndmin", [0, 1, 2, 3])
@pytest.mark.parametrize("obj", [7, [1, 2], [[1, 2]]], ids=repr)
def test_array_ndmin(obj, ndmin):
    check(lnp.array(obj, ndmin=ndmin), np.array(obj, ndmin=ndmin))


def test_array_from_numpy_copies():
    src = np.arange(5.0)
    a = lnp.array(src)
    b = lnp.asarray(src)
    src[0] = 100.0
    check(a, np.arange(5.0))
    # asarray of a NumPy array cannot alias NumPy memory in a store: it holds the value at the time.
    assert np.asarray(b)[1] == 1.0


def test_array_of_legate_array_copies():
    a = lnp.arange(6)
    b = lnp.array(a)
    c = lnp.array(a, copy=False)
    a[0] = 42
    check(b, np.arange(6))
    assert np.asarray(c)[0] == 42  # copy=False: the same data
    check(lnp.array(a, dtype=np.float32), np.array(np.asarray(a), dtype=np.float32))


def test_asarray_is_identity_for_legate_arrays():
    a = lnp.ones(3)
    assert lnp.asarray(a) is a
    assert lnp.asarray(a, dtype=np.float64) is a
    b = lnp.asarray(a, dtype=np.int32)
    assert b is not a
    check(b, np.ones(3, dtype=np.int32))


@pytest.mark.parametrize("obj", [[1, 2, 3], (1.0, 2.0), np.arange(4, dtype=np.uint8), 3.0], ids=repr)
def test_asarray(obj):
    check(lnp.asarray(obj), np.asarray(obj))
    check(lnp.asarray(obj, dtype=np.complex128), np.asarray(obj, dtype=np.complex128))


@pytest.mark.parametrize("code", ["f8", "f4", "i4", "u2", "i8", "c16", "c8", "f2"])
def test_arrays_in_the_other_byte_order(code):
    # FITS files and network data come big-endian: imported, read and written back in
    # NumPy's values, keeping the dtype they came with as NumPy does.
    big = np.arange(0, 12, dtype=">" + code)[::2].reshape(2, 3)
    a = lnp.asarray(big)
    check(a, big)
    assert a.dtype == big.dtype
    check(lnp.array(big, copy=True), np.array(big, copy=True))
    check(a + 1, big + 1)
    check(a.sum(axis=0), big.sum(axis=0))
    check(lnp.where(lnp.asarray([True, False, True]), big, 0), np.where([True, False, True], big, 0))
    check(lnp.concatenate([big, lnp.zeros((1, 3), dtype=code)]), np.concatenate([big, np.zeros((1, 3), dtype=code)]))
    x, y = lnp.zeros((2, 3), dtype=code), np.zeros((2, 3), dtype=code)
    x[...] = big
    y[...] = big
    check(x, y)
    x[lnp.asarray([1, 0])] = big[:, ::-1]
    y[np.asarray([1, 0])] = big[:, ::-1]
    check(x, y)
    check(lnp.frombuffer(big.tobytes(), dtype=big.dtype), np.frombuffer(big.tobytes(), dtype=big.dtype))
    assert lnp.asarray(big).tobytes() == big.tobytes()
    assert np.asarray(a).dtype == big.dtype  # read through __array__, not the buffer


def test_array_of_list_of_legate_arrays():
    parts = [lnp.arange(3), lnp.arange(3) * 2]
    check(lnp.array(parts), np.array([np.arange(3), np.arange(3) * 2]))


def test_array_of_strings_falls_back_to_numpy(monkeypatch):
    # A store cannot hold strings: NumPy keeps them (so that `.astype(float)` parses
    # them with NumPy's errors), and without fallbacks it is an error.
    monkeypatch.setattr(lnp._fallback, "_fell_back", set())  # the warning is once per name
    with pytest.warns(RuntimeWarning, match="not implemented natively"):
        got = lnp.array(np.array(["a", "b"]))
    assert isinstance(got, np.ndarray) and got.dtype == np.dtype("<U1")
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    with pytest.raises(NotImplementedError):
        lnp.array(np.array(["a", "b"]))


# ---------------------------------------------------------------- empty / zeros / ones / full


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (5,), (2, 3), (2, 2, 2, 2)], ids=str)
def test_zeros_ones_empty(dtype, shape):
    check(lnp.zeros(shape, dtype=dtype), np.zeros(shape, dtype=dtype))
    check(lnp.ones(shape, dtype=dtype), np.ones(shape, dtype=dtype))
    e = lnp.empty(shape, dtype=dtype)
    assert isinstance(e, lnp.ndarray)
    assert e.shape == shape and e.dtype == np.dtype(dtype)


@pytest.mark.parametrize("shape", [4, (4,), [2, 3]], ids=repr)
def test_shape_as_int_or_sequence(shape):
    check(lnp.zeros(shape), np.zeros(shape))
    check(lnp.ones(shape), np.ones(shape))
    assert lnp.empty(shape).shape == np.empty(shape).shape


def test_default_dtype_is_float64():
    check(lnp.zeros(3), np.zeros(3))
    check(lnp.ones((2, 2)), np.ones((2, 2)))
    assert lnp.empty(2).dtype == np.float64


def test_negative_dimension_raises():
    with pytest.raises(ValueError):
        np.zeros((-1, 2))
    with pytest.raises(ValueError):
        lnp.zeros((-1, 2))
    with pytest.raises(ValueError):
        lnp.empty(-3)


@pytest.mark.parametrize(
    "value, dtype",
    [
        (7, None),
        (2.5, None),
        (True, None),
        (1 + 2j, None),
        (np.float32(1.5), None),
        (np.uint8(200), None),
        (3, np.float32),
        (2.75, np.int32),
        (1, np.bool_),
        (0, np.complex128),
        (255, np.uint8),
        (-4, np.int64),
        (np.nan, np.float64),
        (-np.inf, np.float32),
    ],
    ids=repr,
)
def test_full(value, dtype):
    check(lnp.full((2, 3), value, dtype=dtype), np.full((2, 3), value, dtype=dtype))
    check(lnp.full((), value, dtype=dtype), np.full((), value, dtype=dtype))
    check(lnp.full((0,), value, dtype=dtype), np.full((0,), value, dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3, 1)], ids=str)
def test_like_functions(dtype, shape):
    proto_np = make(dtype, shape)
    proto = lnp.array(proto_np)
    check(lnp.zeros_like(proto), np.zeros_like(proto_np))
    check(lnp.ones_like(proto), np.ones_like(proto_np))
    check(lnp.full_like(proto, 1), np.full_like(proto_np, 1))
    e = lnp.empty_like(proto)
    assert e.shape == shape and e.dtype == np.dtype(dtype)


def test_like_functions_overrides():
    proto_np = make(np.int32, (2, 3))
    proto = lnp.array(proto_np)
    check(lnp.zeros_like(proto, dtype=np.float32), np.zeros_like(proto_np, dtype=np.float32))
    check(lnp.ones_like(proto, shape=(4,)), np.ones_like(proto_np, shape=(4,)))
    check(lnp.full_like(proto, 2.7), np.full_like(proto_np, 2.7))
    check(lnp.full_like(proto, 2.7, dtype=np.float64), np.full_like(proto_np, 2.7, dtype=np.float64))
    e = lnp.empty_like(proto, dtype=np.complex128, shape=(5, 1))
    assert e.shape == (5, 1) and e.dtype == np.complex128
    # A NumPy array or a list as the prototype.
    check(lnp.zeros_like(proto_np), np.zeros_like(proto_np))
    check(lnp.ones_like([[1.0, 2.0]]), np.ones_like([[1.0, 2.0]]))


# ---------------------------------------------------------------- arange


@pytest.mark.parametrize(
    "args",
    [
        (5,),
        (0,),
        (-3,),
        (2, 9),
        (9, 2),
        (1, 20, 3),
        (10, 0, -2),
        (10, -1, -3),
        (0.0, 1.0, 0.1),
        (1.5,),
        (-2.5, 3.0, 0.5),
        (0, 5, 0.5),
        (5.0, 0.0, -1.25),
        (np.int32(3), np.int32(10)),
        (np.float32(0.5), np.float32(3)),
    ],
    ids=repr,
)
def test_arange(args):
    check(lnp.arange(*args), np.arange(*args))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.float32, np.float64], ids=str)
def test_arange_dtype(dtype):
    check(lnp.arange(0, 10, 2, dtype=dtype), np.arange(0, 10, 2, dtype=dtype))
    check(lnp.arange(7, dtype=dtype), np.arange(7, dtype=dtype))
    check(lnp.arange(1, 4, 0.5, dtype=np.float32), np.arange(1, 4, 0.5, dtype=np.float32))


def test_arange_bool():
    """Booleans only up to length 2, as NumPy (a longer one raised nothing)."""
    for args in ((0, 2), (0, 1), (1, 3), (True,), (0, 0)):
        check(lnp.arange(*args, dtype=bool), np.arange(*args, dtype=bool))
    assert check_same_error(lambda: np.arange(0, 3, dtype=bool), lambda: lnp.arange(0, 3, dtype=bool))[1] is not None


def test_arange_complex_dtype():
    with quiet():
        check(lnp.arange(4, dtype=np.complex128), np.arange(4, dtype=np.complex128))


def test_arange_zero_step():
    with pytest.raises(ZeroDivisionError):
        np.arange(0, 5, 0)
    with pytest.raises(ZeroDivisionError):
        lnp.arange(0, 5, 0)


# ---------------------------------------------------------------- linspace


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((0, 1), {}),
        ((0, 1, 5), {}),
        ((-2.5, 7.0, 11), {}),
        ((3, -3, 7), {}),
        ((0, 1, 0), {}),
        ((0, 1, 1), {}),
        ((2, 5, 1), {"endpoint": False}),
        ((0, 10, 4), {"endpoint": False}),
        ((1, 2, 6), {"dtype": np.float32}),
        ((0, 10, 6), {"dtype": np.int64}),
        ((-5, 5, 4), {"dtype": np.int64}),
        ((0, 1, 3), {"dtype": np.complex128}),
    ],
    ids=repr,
)
def test_linspace(args, kwargs):
    check(lnp.linspace(*args, **kwargs), np.linspace(*args, **kwargs))


@pytest.mark.parametrize("endpoint", [True, False])
@pytest.mark.parametrize("num", [1, 2, 9])
def test_linspace_retstep(num, endpoint):
    with quiet():
        got, gstep = lnp.linspace(1.0, 4.0, num, endpoint=endpoint, retstep=True)
        exp, estep = np.linspace(1.0, 4.0, num, endpoint=endpoint, retstep=True)
    check(got, exp)
    np.testing.assert_allclose(gstep, estep, equal_nan=True)


def test_linspace_last_is_stop_exactly():
    got = np.asarray(lnp.linspace(0.1, 0.7, 7))
    assert got[-1] == 0.7
    np.testing.assert_array_equal(got, np.linspace(0.1, 0.7, 7))


def test_linspace_negative_num():
    with pytest.raises(ValueError):
        np.linspace(0, 1, -1)
    with pytest.raises(ValueError):
        lnp.linspace(0, 1, -1)


# ---------------------------------------------------------------- eye / identity


@pytest.mark.parametrize(
    "N, M, k",
    [(1, None, 0), (3, None, 0), (4, None, 1), (4, None, -2), (3, 5, 0), (5, 3, 1), (5, 3, -1),
     (3, 3, 3), (3, 3, -4), (0, None, 0), (2, 0, 0), (4, 6, 5)],
    ids=repr,
)
def test_eye(N, M, k):
    check(lnp.eye(N, M, k), np.eye(N, M, k))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_eye_identity_dtype(dtype):
    check(lnp.eye(3, 4, 1, dtype=dtype), np.eye(3, 4, 1, dtype=dtype))
    check(lnp.identity(4, dtype=dtype), np.identity(4, dtype=dtype))


def test_identity_default():
    check(lnp.identity(3), np.identity(3))
    check(lnp.identity(0), np.identity(0))


def test_eye_is_writable_and_independent():
    a = lnp.eye(3)
    a[0, 2] = 5.0
    e = np.eye(3)
    e[0, 2] = 5.0
    check(a, e)
    check(lnp.eye(3), np.eye(3))


# ---------------------------------------------------------------- copy


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_copy(dtype, shape):
    src = make(dtype, shape)
    a = lnp.array(src)
    for c in (lnp.copy(a), a.copy()):
        check(c, src)
    if src.size:
        c = a.copy()
        c[(0,) * len(shape)] = src.flat[0] + 1 if dtype is not np.bool_ else not src.flat[0]
        check(a, src)


def test_copy_of_view():
    src = make(np.float64, (4, 6))
    a = lnp.array(src)
    v = a[::-2, 1::2].T
    c = v.copy()
    check(c, src[::-2, 1::2].T.copy())
    c[0, 0] = 99.0
    check(a, src)


def test_copy_module_functions():
    import copy

    a = lnp.array(make(np.int64, (2, 3)))
    for c in (copy.copy(a), copy.deepcopy(a)):
        assert c is not a
        check(c, np.asarray(a))
        c[0, 0] = 77
        assert np.asarray(a)[0, 0] != 77


def test_copy_of_python_input():
    check(lnp.copy([1, 2, 3]), np.copy([1, 2, 3]))
