"""Conversions, printing, pickling, ``where``, ``allclose``/``isclose``/``array_equal``,
the NumPy fallback, module helpers and the error types for bad input."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import DTYPE_IDS, DTYPES, SHAPE_IDS, SHAPES, check, check_same_error, make, quiet, xfail

# ---------------------------------------------------------------- conversions


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_asarray_round_trip(dtype, shape):
    a_np = make(dtype, shape)
    a = lnp.array(a_np)
    back = np.asarray(a)
    assert isinstance(back, np.ndarray)
    check(back, a_np)
    check(np.array(a), a_np)
    check(a.__array__(), a_np)
    check(np.asarray(a, dtype=np.complex128), a_np.astype(np.complex128))
    # Views come back with their own shape and values.
    if len(shape) >= 2:
        check(np.asarray(a.T[::-1]), a_np.T[::-1])


def test_array_copies_and_asarray_views_the_data():
    # NumPy's rules: np.array copies; np.asarray does not (it takes the buffer protocol,
    # a view of the store's memory: see test_interop.py).
    a = lnp.arange(4.0)
    back = np.array(a)
    back[0] = 100.0
    assert np.asarray(a)[0] == 0.0
    view = np.asarray(a)
    view[0] = 100.0
    assert float(a[0]) == 100.0


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_python_scalar_conversions(dtype):
    a_np = make(dtype, (), nonzero=True)
    a = lnp.array(a_np)
    if np.dtype(dtype).kind != "c":
        assert float(a) == float(a_np)
        assert int(a) == int(a_np)
    else:
        with pytest.raises(TypeError):
            float(a_np)
        with pytest.raises(TypeError):
            float(a)
    assert complex(a) == complex(a_np)
    assert bool(a) == bool(a_np)


def test_scalar_conversions_of_results():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    assert float(a.sum()) == pytest.approx(float(a_np.sum()))
    assert int(lnp.count_nonzero(a)) == int(np.count_nonzero(a_np))
    assert bool((a > -10).all()) is True
    assert bool((a > 10).any()) is False
    assert float(a[1, 2]) == float(a_np[1, 2].item())
    assert float(lnp.sqrt(a[0, 0] ** 2)) == pytest.approx(abs(a_np[0, 0]))
    # One-element arrays that are not 0-d convert as the installed NumPy's do (an
    # error from NumPy 2.4 on).
    for convert in (int, float, complex):
        try:
            expected = convert(np.array([7]))
        except TypeError:
            with pytest.raises(TypeError):
                convert(lnp.array([7]))
        else:
            assert convert(lnp.array([7])) == expected


def test_protocols_of_arrays():
    # `x in a`, divmod with the array on the right, == and != with values no loop
    # compares (None, a string: every element unequal), bools are not indices.
    a_np = np.array([1.0, 0.0, 3.0])
    a = lnp.array(a_np)
    assert (3 in a) is (3 in a_np) is True
    assert (3 in lnp.array(3)) is (3 in np.array(3)) is True
    assert (5 in a) is False
    q, r = divmod(7, a[[0, 2]])
    check(q, np.floor_divide(7, a_np[[0, 2]]))
    check(r, np.remainder(7, a_np[[0, 2]]))
    for other in (None, "a", object()):
        check(a == other, a_np == other)
        check(a != other, a_np != other)
    check(lnp.array(2) == None, np.asarray(np.array(2) == None))  # noqa: E711
    with pytest.raises(TypeError):
        [1, 2][lnp.array(True)]
    with pytest.raises(TypeError):
        [1, 2][lnp.array([1])]
    assert [1, 2][lnp.array(1)] == 2


def test_scalar_conversion_of_size_gt_1_raises():
    a = lnp.arange(3.0)
    with pytest.raises(TypeError):
        float(np.arange(3.0))
    with pytest.raises(TypeError):
        float(a)
    with pytest.raises(TypeError):
        int(a)
    with pytest.raises(ValueError):
        bool(a)


def test_index_conversion():
    items = list(range(10))
    assert items[lnp.array(3)] == 3
    assert items[lnp.sum(lnp.array([1, 2]))] == 3
    assert [0, 1, 2][lnp.array(np.uint8(1))] == 1
    with pytest.raises(TypeError):
        items[np.array(1.0)]
    with pytest.raises(TypeError):
        items[lnp.array(1.0)]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (5,), (2, 3), (2, 2, 2), (30,)], ids=str)
def test_repr_and_str_match_numpy(dtype, shape):
    a_np = make(dtype, shape)
    a = lnp.array(a_np)
    assert repr(a) == repr(a_np)
    assert str(a) == str(a_np)


def test_repr_of_views_and_special_values():
    a_np = np.array([[np.nan, np.inf, -0.0], [1e-10, 1e10, -np.inf]])
    a = lnp.array(a_np)
    assert repr(a) == repr(a_np)
    assert repr(a.T[::-1]) == repr(a_np.T[::-1])
    assert str(a[1]) == str(a_np[1])


def test_format():
    a_np = np.array(3.14159)
    a = lnp.array(a_np)
    assert f"{a:.2f}" == f"{a_np:.2f}"
    assert format(lnp.sum(lnp.array([1.5, 2.25])), ".3f") == format(np.sum([1.5, 2.25]), ".3f")
    assert f"{lnp.arange(3)}" == f"{np.arange(3)}"


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3)], ids=str)
def test_pickle_round_trip(dtype, shape):
    a_np = make(dtype, shape)
    a = lnp.array(a_np)
    b = pickle.loads(pickle.dumps(a))
    assert isinstance(b, lnp.ndarray)
    check(b, a_np)
    if len(shape) == 2:
        v = pickle.loads(pickle.dumps(a.T[::-1]))
        check(v, a_np.T[::-1])
    # The copy is independent.
    if a_np.size:
        b[(0,) * len(shape)] = 0
        check(a, a_np)


def test_deepcopy_in_a_container():
    a = lnp.arange(3)
    box = {"x": [a, 1]}
    box2 = copy.deepcopy(box)
    box2["x"][0][0] = 9
    check(a, np.arange(3))


def test_unhashable():
    with pytest.raises(TypeError):
        hash(lnp.arange(3))
    with pytest.raises(TypeError):
        {lnp.arange(3): 1}


def test_attributes():
    a_np = make(np.complex128, (2, 3, 4))
    a = lnp.array(a_np)
    assert a.shape == a_np.shape and isinstance(a.shape, tuple)
    assert a.ndim == a_np.ndim and a.size == a_np.size
    assert a.dtype == a_np.dtype and a.itemsize == a_np.itemsize and a.nbytes == a_np.nbytes
    assert lnp.shape(a) == np.shape(a_np) and lnp.ndim(a) == 3 and lnp.size(a) == 24 and lnp.size(a, 1) == 3
    assert lnp.shape([[1, 2]]) == (1, 2) and lnp.ndim(5) == 0 and lnp.size([1, 2, 3]) == 3
    assert "array" in str(a.__legate_data_interface__["data"].keys())


def test_ndarray_constructor():
    a = lnp.ndarray((2, 3), dtype=np.int32)
    assert a.shape == (2, 3) and a.dtype == np.int32
    a[...] = 4
    check(a, np.full((2, 3), 4, dtype=np.int32))
    assert lnp.ndarray(5).shape == (5,)
    with pytest.raises(ValueError):
        lnp.ndarray((-1,))


def test_result_type():
    assert lnp.result_type(lnp.ones(2, np.int32), np.float32) == np.result_type(np.int32, np.float32)
    assert lnp.result_type(lnp.ones(2, np.uint8), lnp.ones(2, np.int8)) == np.int16


def test_module_constants_and_types():
    assert lnp.pi == np.pi and lnp.e == np.e and lnp.inf == np.inf and np.isnan(lnp.nan)
    assert lnp.float32 is np.float32 and lnp.int64 is np.int64 and lnp.newaxis is None
    a = lnp.arange(6)
    check(a[:, lnp.newaxis], np.arange(6)[:, np.newaxis])


# ---------------------------------------------------------------- where


WHERE_CASES = [
    ((3, 4), (3, 4), (3, 4)),
    ((3, 1), (1, 4), (3, 4)),
    ((4,), (2, 3, 4), (3, 1)),
    ((), (5,), ()),
    ((2, 3), "scalar", (2, 3)),
    ((2, 3), (2, 3), "scalar"),
    ((2, 3), "scalar", "scalar"),
    ((0,), (0,), "scalar"),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shapes", WHERE_CASES, ids=str)
def test_where(shapes, dtype):
    sc, sx, sy = shapes
    c_np = make(np.bool_, sc, 3)
    scalar = {"b": True, "i": 7, "u": 7, "f": 2.5, "c": 1 - 1j}[np.dtype(dtype).kind]
    x_np = scalar if sx == "scalar" else make(dtype, sx, 1)
    y_np = -1 if sy == "scalar" else make(dtype, sy, 2)
    x = x_np if sx == "scalar" else lnp.array(x_np)
    y = y_np if sy == "scalar" else lnp.array(y_np)
    exp, err = check_same_error(lambda: np.where(c_np, x_np, y_np), lambda: lnp.where(lnp.array(c_np), x, y))
    if err is None:
        check(lnp.where(lnp.array(c_np), x, y), exp)


@pytest.mark.parametrize(
    "dx, dy", [(np.int32, np.float32), (np.uint8, np.int64), (np.bool_, np.float64), (np.float32, np.complex128), (np.int64, np.uint8)],
    ids=str,
)
def test_where_mixed_dtypes(dx, dy):
    c_np = make(np.bool_, (3, 4), 3)
    x_np, y_np = make(dx, (3, 4), 1), make(dy, (4,), 2)
    check(lnp.where(lnp.array(c_np), lnp.array(x_np), lnp.array(y_np)), np.where(c_np, x_np, y_np))
    # NumPy scalars keep their dtype; Python scalars are weak (NumPy 2).
    check(lnp.where(lnp.array(c_np), lnp.array(x_np), np.float64(0.5)), np.where(c_np, x_np, np.float64(0.5)))
    check(lnp.where(lnp.array(c_np), lnp.array(x_np), 0), np.where(c_np, x_np, 0))


def test_where_non_bool_condition_and_views():
    c_np = make(np.int32, (4, 6), 3)
    x_np = make(np.float64, (4, 6), 1)
    c, x = lnp.array(c_np), lnp.array(x_np)
    check(lnp.where(c, x, 0.0), np.where(c_np, x_np, 0.0))
    check(lnp.where(c[::-1, ::2] > 0, x.T[::2, ::-1].T, -x[::-1, ::2]), np.where(c_np[::-1, ::2] > 0, x_np.T[::2, ::-1].T, -x_np[::-1, ::2]))
    check(lnp.where(make(np.float64, (3,)) > 0, [1, 2, 3], [4, 5, 6]), np.where(make(np.float64, (3,)) > 0, [1, 2, 3], [4, 5, 6]))


def test_where_one_argument_falls_back():
    c_np = make(np.int32, (3, 4), 3)
    with quiet():
        got = lnp.where(lnp.array(c_np))
    exp = np.where(c_np)
    assert isinstance(got, tuple) and len(got) == len(exp)
    for g, e in zip(got, exp):
        check(g, e)


def test_where_errors():
    with pytest.raises(ValueError):
        lnp.where(lnp.ones(3, bool), lnp.ones(3))
    with pytest.raises(ValueError):
        np.where(np.ones(3, bool), np.ones(4), np.ones(3))
    with pytest.raises(ValueError):
        lnp.where(lnp.ones(3, bool), lnp.ones(4), lnp.ones(3))


# ---------------------------------------------------------------- allclose / isclose / array_equal


ISCLOSE_CASES = [
    ([1.0, 2.0, 3.0], [1.0, 2.0 + 1e-6, 3.1]),
    ([1e-10, 0.0, -0.0], [0.0, 1e-9, 0.0]),
    ([np.inf, -np.inf, np.inf, np.nan], [np.inf, -np.inf, -np.inf, np.nan]),
    ([1, 2, 3], [1, 2, 4]),
    ([1, 2, 3], [1.0, 2.0000001, 3.0]),
    ([1 + 1j, 2j], [1 + 1.000001j, 2.1j]),
    (np.float32([1.0, 2.0]), np.float64([1.0, 2.00001])),
    (5.0, [5.0, 5.00001, 6.0]),
    ([[1.0], [2.0]], [1.0, 2.0]),
    # Integers are compared in floating point with the tolerances (not only equal).
    ([3, 1, 2, 5, 4], [4, 5, 2, 1, 3]),
    (np.uint8([0, 255, 7]), np.uint8([1, 250, 7])),
    ([True, False], [1.5, 0.0]),
]


@pytest.mark.parametrize("a, b", ISCLOSE_CASES, ids=str)
@pytest.mark.parametrize("kw", [{}, {"equal_nan": True}, {"rtol": 1e-3}, {"atol": 1e-1, "rtol": 0}, {"atol": 1}, {"rtol": 0.5, "atol": 0}], ids=str)
def test_isclose_allclose(a, b, kw):
    a_np, b_np = np.asarray(a), np.asarray(b)
    check(lnp.isclose(lnp.array(a_np), lnp.array(b_np), **kw), np.isclose(a_np, b_np, **kw))
    check(lnp.isclose(a_np, b_np, **kw), np.isclose(a_np, b_np, **kw))
    got = lnp.allclose(lnp.array(a_np), lnp.array(b_np), **kw)
    assert got == np.allclose(a_np, b_np, **kw)
    assert isinstance(got, bool)


@pytest.mark.parametrize(
    "a, b, equal_nan",
    [([1, 2], [1, 2], False), ([1, 2], [1, 3], False), ([1, 2], [1, 2, 3], False), ([[1, 2]], [1, 2], False),
     ([np.nan, 1.0], [np.nan, 1.0], False), ([np.nan, 1.0], [np.nan, 1.0], True), ([1.0 + np.nan * 1j], [1.0 + np.nan * 1j], True),
     ([], [], False), ([1, 2], [1.0, 2.0], False), (3, 3.0, False)],
    ids=str,
)
def test_array_equal(a, b, equal_nan):
    exp = np.array_equal(np.asarray(a), np.asarray(b), equal_nan=equal_nan)
    got = lnp.array_equal(lnp.array(np.asarray(a)), lnp.array(np.asarray(b)), equal_nan=equal_nan)
    assert got == exp
    assert isinstance(got, bool)


def test_isclose_broadcast_shapes_mismatch():
    with pytest.raises(ValueError):
        np.isclose(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        lnp.isclose(lnp.ones(3), lnp.ones(4))


# ---------------------------------------------------------------- the NumPy fallback


def test_fallback_runs_numpy_and_warns_once():
    """``byteswap`` is not native (out of scope: it exposes the host bytes): it runs in
    NumPy, with one RuntimeWarning per name.

    (No other test in this suite uses ``byteswap`` with the fallback on.)"""
    a_np = make(np.float64, (3, 5))
    a = lnp.array(a_np)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = a.byteswap()
        second = a[::-1].byteswap()
        third = a.T.byteswap()
    msgs = [w for w in caught if issubclass(w.category, RuntimeWarning) and "byteswap" in str(w.message)]
    assert len(msgs) == 1, [str(w.message) for w in caught]
    assert isinstance(first, lnp.ndarray)
    check(first, a_np.byteswap())
    check(second, a_np[::-1].byteswap())
    check(third, a_np.T.byteswap())


def test_fallback_disabled_raises(monkeypatch):
    """With LEGATE_NUMERIC_FALLBACK=0 (read at call time) a missing function raises.

    (``byteswap`` is not native: out of scope.)"""
    a = lnp.array(make(np.uint8, (5,)))
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    with pytest.raises(NotImplementedError):
        a.byteswap()
    check(lnp.power.reduce(a), np.power.reduce(np.asarray(a)))  # native now
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "1")
    with quiet():
        check(a.byteswap(), np.asarray(a).byteswap())


@pytest.mark.parametrize("value", ["0", "false", "off", "no", "OFF"])
def test_fallback_disabled_values(monkeypatch, value):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", value)
    with pytest.raises(NotImplementedError):
        lnp.arange(0, 4).byteswap()


def test_native_functions_do_not_fall_back(monkeypatch):
    """Everything here is native: it runs with the fallback disabled."""
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    check(lnp.sum(a * 2 + 1, axis=0), np.sum(a_np * 2 + 1, axis=0))
    check(lnp.concatenate([a, a]) @ a.T, np.concatenate([a_np, a_np]) @ a_np.T)
    check(lnp.where(a > 0, a, 0), np.where(a_np > 0, a_np, 0))
    check(lnp.linalg.norm(a), np.linalg.norm(a_np))
    check(np.mean(a, axis=1), np.mean(a_np, axis=1))
    check(np.add(a, 1), np.add(a_np, 1))
    check(a[::2, 1:], a_np[::2, 1:])
    check(lnp.var(a), np.var(a_np))
    check(lnp.roll(a, 1, axis=0), np.roll(a_np, 1, axis=0))
    assert repr(lnp.isclose(a, a)) == repr(np.isclose(a_np, a_np))


@pytest.mark.parametrize(
    "name",
    ["add", "sqrt", "sum", "mean", "concatenate", "where", "transpose", "reshape", "dot", "isclose", "clip",
     pytest.param("matmul", marks=xfail(
         "bug: np.matmul(legate, legate) runs in NumPy (fallback warning 'matmul.__call__'): np.matmul is a "
         "ufunc and ndarray.__array_ufunc__ only looks for natives in _ufunc, not _linalg.matmul")),
     pytest.param("linalg.norm", marks=xfail(
         "bug: np.linalg.norm(legate array) runs in NumPy: ndarray.__array_function__ looks the bare name "
         "'norm' up in the top-level module, not in legate_numeric.linalg"))],
)
def test_numpy_api_on_legate_arrays_runs_natively(monkeypatch, name):
    """NumPy's own functions called on legate arrays dispatch to the native versions."""
    a_np = make(np.float64, (3, 3))
    a = lnp.array(a_np)
    calls = {
        "add": lambda m, x: m.add(x, 1.0),
        "sqrt": lambda m, x: m.sqrt(m.abs(x)),
        "sum": lambda m, x: m.sum(x, axis=0),
        "mean": lambda m, x: m.mean(x),
        "concatenate": lambda m, x: m.concatenate([x, x]),
        "where": lambda m, x: m.where(x > 0, x, 0.0),
        "transpose": lambda m, x: m.transpose(x),
        "reshape": lambda m, x: m.reshape(x, (9,)),
        "dot": lambda m, x: m.dot(x, x),
        "isclose": lambda m, x: m.isclose(x, x),
        "clip": lambda m, x: m.clip(x, -1, 1),
        "matmul": lambda m, x: m.matmul(x, x),
        "linalg.norm": lambda m, x: m.linalg.norm(x),
    }
    exp = calls[name](np, a_np)
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    got = calls[name](np, a)
    assert isinstance(got, lnp.ndarray)
    check(got, exp)


def test_fallback_of_numpy_functions_on_legate_arrays():
    """NumPy functions without a native version work on legate arrays (NumPy fallback)."""
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    with quiet():
        got = np.ediff1d(a)
        got_m = a.trace(offset=1)  # an ndarray method without a native version
        got_u = lnp.unique(lnp.array([3, 1, 3, 2]))
    assert isinstance(got, lnp.ndarray)
    check(got, np.ediff1d(a_np))
    check(got_m, a_np.trace(offset=1))
    check(got_u, np.unique([3, 1, 3, 2]))


def test_fallback_out_argument():
    a_np = make(np.float64, (4,))
    out = lnp.zeros(4)
    with quiet():
        res = lnp.fix(lnp.array(a_np), out=out)
    assert res is out
    check(out, np.fix(a_np))


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        lnp.this_does_not_exist
    with pytest.raises(AttributeError):
        lnp.arange(3).this_does_not_exist


# ---------------------------------------------------------------- error types for bad input


def test_error_types():
    a_np, b_np = np.ones((2, 3)), np.ones((3, 2))
    a, b = lnp.array(a_np), lnp.array(b_np)
    cases = [
        (lambda m, x, y: m.add(x, y), ValueError),  # shape mismatch
        (lambda m, x, y: x + y, ValueError),
        (lambda m, x, y: m.sum(x, axis=2), np.exceptions.AxisError),
        (lambda m, x, y: m.mean(x, axis=-3), np.exceptions.AxisError),
        (lambda m, x, y: x.transpose(0, 2), np.exceptions.AxisError),
        (lambda m, x, y: m.concatenate([x, x], axis=2), np.exceptions.AxisError),
        (lambda m, x, y: m.flip(x, axis=3), np.exceptions.AxisError),
        (lambda m, x, y: m.swapaxes(x, 0, 5), np.exceptions.AxisError),
        (lambda m, x, y: x[0, 0, 0], IndexError),  # too many indices
        (lambda m, x, y: x[2], IndexError),  # out of bounds
        (lambda m, x, y: x[:, -4], IndexError),
        (lambda m, x, y: x.reshape(4), ValueError),  # wrong size
        (lambda m, x, y: m.reshape(x, (5, -1)), ValueError),
        (lambda m, x, y: m.split(x, 4, axis=1), ValueError),
        (lambda m, x, y: m.broadcast_to(x, (3, 3)), ValueError),
    ]
    for fn, exc in cases:
        with pytest.raises(exc):
            fn(np, a_np, b_np)
        with pytest.raises(exc):
            fn(lnp, a, b)


def test_integer_to_negative_power_raises_value_error():
    a_np = np.arange(1, 4)
    with pytest.raises(ValueError):
        a_np ** -1
    # Raised at the call, as NumPy does, and an in-place target keeps its values.
    with pytest.raises(ValueError):
        lnp.array(a_np) ** -1
    x = lnp.array(a_np)
    with pytest.raises(ValueError):
        x **= lnp.array([1, -2, 1])
    np.testing.assert_array_equal(np.asarray(x), a_np)
    x **= 2
    np.testing.assert_array_equal(np.asarray(x), a_np**2)


def test_unsupported_dtypes():
    # Strings stay NumPy's (a fallback): parsing them raises NumPy's ValueError.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError):
            lnp.array(np.array(["x"])).astype(float)
    # float16 is held (and converted) natively; its arithmetic runs in float32.
    h = np.array([1.5, -2.25, 65504.0], dtype=np.float16)
    got = lnp.array(h)
    assert got.dtype == np.float16
    np.testing.assert_array_equal(np.asarray(got), h)
    np.testing.assert_array_equal(np.asarray(got * 2), h * 2)


# ---------------------------------------------------------------- array methods and complex parts


def test_more_array_methods(no_fallback):
    src = make(np.complex128, (2, 3, 4))
    a = lnp.array(src)
    check(a.mT, src.mT)
    check(a[0].trace(), src[0].trace())
    check(a.trace(1, 1, 2), src.trace(1, 1, 2))
    check(a.real.clip(-0.5, 0.5), src.real.clip(-0.5, 0.5))
    check(a.conj(), src.conj())
    check(a.conjugate(), src.conjugate())
    check(a.repeat([1, 2], 0), src.repeat([1, 2], 0))
    with pytest.raises(ValueError):
        lnp.arange(3).mT


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128, np.float32, np.int32, np.bool_], ids=str)
def test_real_and_imag(dtype, no_fallback):
    src = make(dtype, (3, 5))
    if src.dtype.kind == "c":
        src[0, 0] = complex(np.inf, np.nan)
    a = lnp.array(src)
    for view in (lambda x: x, lambda x: x[::2, ::-1], lambda x: x.T):
        for f in ("real", "imag"):
            check(getattr(lnp, f)(view(a)), getattr(np, f)(view(src)))
            check(getattr(view(a), f), getattr(view(src), f))
    # The imaginary part of a real array is read-only zeros, as in NumPy.
    if src.dtype.kind != "c":
        with pytest.raises(ValueError):
            a.imag[0, 0] = 1
        with pytest.raises(TypeError):
            a.imag = 1


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128], ids=str)
def test_real_and_imag_are_views(dtype, no_fallback):
    """Writes through .real and .imag (and views of them) change the array, as in NumPy;
    large enough that each operation runs as several tasks."""
    src = (np.arange(3000) * (1 + 0.5j)).astype(dtype).reshape(60, 50)
    a = lnp.array(src)
    for x in (src, a):
        x.real += 1
        x.imag *= -1
        x[::2].real[...] = 0
        x.T.imag[3] = 7
        x.imag = x.real * 2 + x.imag
        x.real.reshape(-1)[100:900] = -1
        x.real = x.imag - x.real
    check(a, src)
    check(a.real, src.real)
    assert a.real.strides == src.real.strides and a.imag[::3].strides == src.imag[::3].strides
    check(lnp.real(a), np.real(src))
    check(lnp.imag(a[1:, ::-2]), np.imag(src[1:, ::-2]))
    # Views of a read-only array stay read-only.
    b = lnp.broadcast_to(a[0], (3, 50))
    with pytest.raises(ValueError):
        b.real[0, 0] = 1


# ---------------------------------------------------------------- view(dtype)

_SAME_SIZE = [(np.float64, np.int64), (np.float64, np.uint64), (np.int64, np.complex64), (np.float32, np.int32),
              (np.uint32, np.float32), (np.float16, np.uint16), (np.int8, np.uint8), (np.complex128, np.complex128)]


@pytest.mark.parametrize("src, dst", _SAME_SIZE, ids=[f"{np.dtype(a).name}-{np.dtype(b).name}" for a, b in _SAME_SIZE])
def test_view_as_a_dtype_of_the_same_size_shares_the_bytes(src, dst, monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # natively: a view, not a copy
    x = make(src, (4, 6))
    a = lnp.array(x)
    for sel in ((), (slice(1, 3), slice(None, None, 2)), (Ellipsis, 2)):  # whole, strided, 1-d
        v, w = a[sel].view(dst), x[sel].view(dst)
        check(v, w)
        v[...] = make(dst, w.shape, salt=1)  # writes through the view reach the array
        w[...] = make(dst, w.shape, salt=1)
        check(a, x)
        a[sel] = make(src, x[sel].shape, salt=2)  # and writes to the array reach the view
        x[sel] = make(src, x[sel].shape, salt=2)
        check(v, w)


def test_view_dtype_errors_and_other_sizes():
    x = np.arange(12.0).reshape(3, 4)
    a = lnp.array(x)
    check_same_error(lambda: x[:, ::2].view(np.int32), lambda: a[:, ::2].view(np.int32))  # last axis not contiguous
    check_same_error(lambda: x[:, :3].view(np.complex128), lambda: a[:, :3].view(np.complex128))
    check_same_error(lambda: np.array(1.0).view(np.int32), lambda: lnp.array(1.0).view(np.int32))
    with quiet():  # another item size: NumPy's values (on a copy)
        check(a.view(np.int32), x.view(np.int32))
        check(lnp.array(np.array([0, 1, 2], np.uint8)).view(bool), np.array([0, 1, 2], np.uint8).view(bool) != 0)
    assert a.view(type=lnp.ndarray).shape == (3, 4)
    r = lnp.array(x)
    r.flags.writeable = False
    with pytest.raises(ValueError):
        r.view(np.int64)[0, 0] = 1  # a read-only array's view is read-only


def test_flags_writeable_locks_and_unlocks_the_array():
    x = np.arange(6.0)
    a = lnp.array(x)
    before = a[2:]  # a view made before the lock stays writeable (as in NumPy)
    a.flags.writeable = False
    assert not a.flags.writeable and not a.flags["W"]
    locked_view = a[1:]
    for write in (lambda: a.__setitem__(0, 1.0), lambda: a.__iadd__(1), lambda: lnp.add(a, 1, out=a),
                  lambda: locked_view.__setitem__(0, 1.0), lambda: a.fill(0)):
        with pytest.raises(ValueError):
            write()
    before[0] = 7.0
    x[2] = 7.0
    a.setflags(write=True)
    a += 1
    x += 1
    check(a, x)
    assert not locked_view.flags.writeable  # views made while locked stay read-only
    a.flags["W"] = False
    a.flags["WRITEABLE"] = True
    assert a.flags.writeable
    with pytest.raises(ValueError):  # read-only by construction
        lnp.broadcast_to(a, (2, 6)).flags.writeable = True
    with pytest.raises(AttributeError):
        a.flags.c_contiguous = False
    with pytest.raises(KeyError):
        a.flags["C"] = False
    check_same_error(lambda: x.setflags(uic=True), lambda: a.setflags(uic=True))


def test_bool_arrays_from_numpy_bytes_other_than_0_and_1():
    b = np.array([0, 1, 2, 255, 0], np.uint8).view(bool)  # NumPy: any nonzero byte is True
    a = lnp.array(b)
    check(a.sum(), b.sum())
    check(a.astype(np.int64), b.astype(np.int64))
    check(lnp.logical_not(a), np.logical_not(b))
    check(lnp.arange(5)[b], np.arange(5)[b])
