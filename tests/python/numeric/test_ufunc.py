"""Every ufunc of ``_ufunc._UNARY`` and ``_ufunc._BINARY`` on every dtype NumPy supports,
on 0-d, empty, n-d, broadcast and non-contiguous operands; ``out=``, ``dtype=``,
Python and NumPy scalars, ``ufunc.reduce``, the aliases, ``clip``, ``divmod``."""

import numpy as np
import pytest

import legate_numeric as lnp
from legate_numeric._ufunc import _BINARY, _UNARY
from conftest import (
    COMPLEX_ORDER,
    COMPLEX_ORDER_BUG,
    DTYPE_IDS,
    DTYPES,
    FLOAT16_BUG,
    FLOOR_DIVIDE_BUG,
    check,
    check_same_error,
    make,
    quiet,
    uses_float16,
    xfail,
)

# Ufuncs whose second operand is a divisor (kept nonzero; zero is tested on its own).
DIVISORS = {"true_divide", "floor_divide", "remainder", "fmod"}
SHIFTS = {"left_shift", "right_shift"}
# Integer inputs that must stay away from zero (NumPy's integer result there is platform-defined).
UNARY_NONZERO_INT = {"reciprocal"}

UNARY_LAYOUTS = ["0d", "1d", "3d", "4d", "empty", "3x0", "strided", "transposed"]
BINARY_LAYOUTS = ["same", "bcast_2d", "bcast_3d", "bcast_4d", "scalar_r", "scalar_l", "0d", "0d_1d", "empty", "strided"]

COMPLEX_UNARY_MISSING = {"exp2", "expm1", "log1p", "rint"}
COMPLEX_UNARY_BUG = (
    "bug: {} of complex128 raises TypeError('not supported for complex inputs') (tasks/unary.rs); NumPy supports it"
)


def unary_params():
    for name in _UNARY:
        for dtype, dt_id in zip(DTYPES, DTYPE_IDS):
            for layout in UNARY_LAYOUTS:
                marks = []
                if uses_float16(name, dtype):
                    marks = [xfail(FLOAT16_BUG)]
                elif dtype is np.complex128 and name in COMPLEX_UNARY_MISSING:
                    marks = [xfail(COMPLEX_UNARY_BUG.format(name))]
                yield pytest.param(name, dtype, layout, marks=marks, id=f"{name}-{dt_id}-{layout}")


def binary_params():
    for name in _BINARY:
        for dtype, dt_id in zip(DTYPES, DTYPE_IDS):
            for layout in BINARY_LAYOUTS:
                marks = []
                if uses_float16(name, dtype, dtype):
                    marks = [xfail(FLOAT16_BUG)]
                elif dtype is np.complex128 and name in COMPLEX_ORDER:
                    marks = [xfail(COMPLEX_ORDER_BUG.format(name))]
                elif (name, dtype, layout) == ("floor_divide", np.float32, "bcast_3d"):
                    marks = [xfail(FLOOR_DIVIDE_BUG + " (here 2.31 // 0.01: 231 expected, 232 got)")]
                yield pytest.param(name, dtype, layout, marks=marks, id=f"{name}-{dt_id}-{layout}")


def python_scalar(dtype):
    kind = np.dtype(dtype).kind
    return {"b": True, "i": 3, "u": 3, "f": 1.5, "c": 0.5 - 1j}[kind]


def unary_data(name, dtype, shape, salt=0):
    nonzero = name in UNARY_NONZERO_INT and np.dtype(dtype).kind in "biu"
    return make(dtype, shape, salt, nonzero=nonzero)


def unary_operands(name, dtype, layout):
    """(numpy operand, legate operand) for a layout."""
    if layout in ("strided", "transposed"):
        base = unary_data(name, dtype, (4, 6) if layout == "strided" else (3, 4))
        view = (lambda x: x[::-1, ::2]) if layout == "strided" else (lambda x: x.T)
        return view(base), view(lnp.array(base))
    shape = {"0d": (), "1d": (7,), "3d": (2, 3, 4), "4d": (2, 1, 3, 2), "empty": (0,), "3x0": (3, 0)}[layout]
    src = unary_data(name, dtype, shape)
    return src, lnp.array(src)


def second_data(name, dtype, shape, salt=1):
    kind = np.dtype(dtype).kind
    if name in SHIFTS and kind in "iub":
        return make(dtype, shape, salt, low=0, high=7) if kind != "b" else make(dtype, shape, salt)
    if name == "power" and kind in "iu":
        return make(dtype, shape, salt, low=0, high=3)
    return make(dtype, shape, salt, nonzero=name in DIVISORS)


def second_scalar(name, dtype):
    kind = np.dtype(dtype).kind
    if name in SHIFTS and kind in "iu":
        return 2
    return python_scalar(dtype)


def binary_operands(name, dtype, layout):
    """((numpy a, numpy b), (legate a, legate b)) for a layout."""
    first = lambda shape: make(dtype, shape, 0)  # noqa: E731
    second = lambda shape: second_data(name, dtype, shape)  # noqa: E731
    if layout == "strided":
        a = first((4, 6))
        b = second((6, 2))
        va = lambda x: x[::2, ::-1]  # noqa: E731  (2, 6)
        vb = lambda x: x.T  # noqa: E731  (2, 6)
        return (va(a), vb(b)), (va(lnp.array(a)), vb(lnp.array(b)))
    if layout == "scalar_r":
        a = first((2, 3))
        s = second_scalar(name, dtype)
        return (a, s), (lnp.array(a), s)
    if layout == "scalar_l":
        s = python_scalar(dtype)
        b = second((2, 3))
        return (s, b), (s, lnp.array(b))
    sa, sb = {
        "same": ((2, 3, 4), (2, 3, 4)),
        "bcast_2d": ((3, 1), (1, 4)),
        "bcast_3d": ((4,), (2, 3, 4)),
        "bcast_4d": ((2, 1, 3, 1), (1, 4, 1, 2)),
        "0d": ((), ()),
        "0d_1d": ((), (5,)),
        "empty": ((3, 0), (1, 0)),
    }[layout]
    a, b = first(sa), second(sb)
    return (a, b), (lnp.array(a), lnp.array(b))


def compare(got, exp, name, dtype):
    exp_arr = np.asarray(exp)
    rtol = None
    if exp_arr.dtype.kind in "fc":
        # Transcendental functions: libm and NumPy's SIMD loops differ in the last bits.
        rtol = 2e-5 if exp_arr.dtype in (np.float32, np.complex64) else 1e-10
    check(got, exp, rtol=rtol)


# ---------------------------------------------------------------- unary ufuncs


@pytest.mark.parametrize("name, dtype, layout", list(unary_params()))
def test_unary(name, dtype, layout):
    x_np, x = unary_operands(name, dtype, layout)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp, err = check_same_error(lambda: f_np(x_np), lambda: f(x))
    if err is not None:
        return
    with quiet():
        got = f(x)
    assert isinstance(got, lnp.ndarray)
    compare(got, exp, name, dtype)
    # The input is not modified.
    check(x, x_np)


SPECIAL_FLOATS = [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, -1.0, 1.0, 1e-300, -1e300, np.inf, -np.inf, np.nan]


RINT_BUG = "bug: rint(-0.5) gives +0.0; NumPy (round half to even, IEEE) gives -0.0"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", [n if n != "rint" else pytest.param(n, marks=xfail(RINT_BUG)) for n in _UNARY])
def test_unary_special_values(name, dtype):
    """IEEE corner cases: signed zeros, halves (rint rounds half to even), inf, nan."""
    with quiet():
        x_np = np.array(SPECIAL_FLOATS, dtype=dtype)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp, err = check_same_error(lambda: f_np(x_np), lambda: f(lnp.array(x_np)))
    if err is not None:
        return
    with quiet():
        got = np.asarray(f(lnp.array(x_np)))
    compare(got, exp, name, dtype)
    exp = np.asarray(exp)
    if exp.dtype.kind == "f":
        # Signs of zeros (and of infinities) must match too (not of NaNs: NumPy makes -nan).
        keep = ~np.isnan(exp)
        np.testing.assert_array_equal(np.signbit(got[keep]), np.signbit(exp[keep]), err_msg=f"sign bits of {name}")


def complex_special_params():
    for name in _UNARY:
        marks = [xfail(COMPLEX_UNARY_BUG.format(name))] if name in COMPLEX_UNARY_MISSING else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(complex_special_params()))
def test_unary_complex_special_values(name):
    """Zeros, the axes and points on branch cuts."""
    vals = [0j, 1 + 0j, -1 + 0j, 1j, -1j, 2.5 - 0.5j, -2 + 0j, 2 + 0j, -2j, 0.5 + 0j, -0.5 + 0j]
    x_np = np.array(vals, dtype=np.complex128)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp, err = check_same_error(lambda: f_np(x_np), lambda: f(lnp.array(x_np)))
    if err is not None:
        return
    with quiet():
        got = f(lnp.array(x_np))
    compare(got, exp, name, np.complex128)
    exp = np.asarray(exp)
    if exp.dtype.kind == "c":
        np.testing.assert_array_equal(np.isnan(np.asarray(got).real), np.isnan(exp.real))
        np.testing.assert_array_equal(np.isnan(np.asarray(got).imag), np.isnan(exp.imag))


@pytest.mark.parametrize("name", list(complex_special_params()))
def test_unary_complex_nonfinite_values(name):
    # (800 + 0j, 1e300 - 0j: exp overflows, and exp(x + 0i) is exp(x) + 0i, not inf+nanj.)
    vals = [complex(np.inf, 0), complex(0, np.inf), complex(-np.inf, 1), complex(np.nan, 1), complex(1, np.nan),
            complex(800, 0), complex(1e300, -0.0)]
    x_np = np.array(vals, dtype=np.complex128)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp, err = check_same_error(lambda: f_np(x_np), lambda: f(lnp.array(x_np)))
    if err is not None:
        return
    with quiet():
        got = f(lnp.array(x_np))
    compare(got, exp, name, np.complex128)


def test_complex_division_by_nan_parts():
    # NumPy's Smith division branches on |c| >= |d|: a NaN part takes the other branch,
    # and (1e-310-0j) / nanj is nan+nanj (it was inf+nanj).
    x = np.array([complex(1e-310, -0.0), 1 + 1j, 0j, complex(np.inf, 1)])
    y = np.array([complex(0, np.nan), complex(np.nan, 0), complex(0, np.nan), complex(np.nan, np.nan)])
    with quiet():
        exp = x / y
    got = np.asarray(lnp.array(x) / lnp.array(y))
    np.testing.assert_array_equal(np.isnan(got.real), np.isnan(exp.real))
    np.testing.assert_array_equal(np.isnan(got.imag), np.isnan(exp.imag))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8], ids=["int32", "int64", "uint8"])
@pytest.mark.parametrize("name", ["negative", "absolute", "square", "sign", "invert"])
def test_unary_integer_extremes(name, dtype):
    info = np.iinfo(dtype)
    x_np = np.array([info.min, info.min + 1, -1 if info.min else 0, 0, 1, info.max - 1, info.max], dtype=dtype)
    with quiet():
        exp = getattr(np, name)(x_np)
        got = getattr(lnp, name)(lnp.array(x_np))
    check(got, exp)


def test_unary_on_python_and_numpy_inputs():
    check(lnp.sqrt([1.0, 4.0, 9.0]), np.sqrt([1.0, 4.0, 9.0]))
    check(lnp.negative(np.arange(3, dtype=np.int32)), np.negative(np.arange(3, dtype=np.int32)))
    check(lnp.exp(1.0), np.exp(1.0))
    check(lnp.absolute(-3), np.absolute(-3))
    check(lnp.sqrt(np.float32(4.0)), np.sqrt(np.float32(4.0)))
    assert isinstance(lnp.sqrt([1.0, 4.0]), lnp.ndarray)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int64], ids=["float32", "float64", "complex128", "int64"])
@pytest.mark.parametrize("name", ["sqrt", "negative", "absolute", "exp"])
def test_unary_dtype_keyword(name, dtype):
    x_np = make(np.int32, (5,), positive=True)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp, err = check_same_error(lambda: f_np(x_np, dtype=dtype), lambda: f(lnp.array(x_np), dtype=dtype))
    if err is None:
        with quiet():
            check(f(lnp.array(x_np), dtype=dtype), exp)


# ---------------------------------------------------------------- binary ufuncs


@pytest.mark.parametrize("name, dtype, layout", list(binary_params()))
def test_binary(name, dtype, layout):
    (a_np, b_np), (a, b) = binary_operands(name, dtype, layout)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp, err = check_same_error(lambda: f_np(a_np, b_np), lambda: f(a, b))
    if err is not None:
        return
    with quiet():
        got = f(a, b)
    assert isinstance(got, lnp.ndarray)
    compare(got, exp, name, dtype)


MIXED = [
    (np.bool_, np.uint8),
    (np.uint8, np.int32),
    (np.int32, np.int64),
    (np.int32, np.float32),
    (np.int64, np.float32),
    (np.uint8, np.float32),
    (np.float32, np.float64),
    (np.int64, np.complex128),
    (np.float32, np.complex128),
    (np.bool_, np.float64),
]


def mixed_params():
    for name in _BINARY:
        for da, db in MIXED:
            marks = []
            if uses_float16(name, da, db):
                marks = [xfail(FLOAT16_BUG)]
            elif np.complex128 in (da, db) and name in COMPLEX_ORDER:
                marks = [xfail(COMPLEX_ORDER_BUG.format(name))]
            yield pytest.param(name, (da, db), marks=marks, id=f"{name}-{np.dtype(da).name}-{np.dtype(db).name}")


@pytest.mark.parametrize("name, dtypes", list(mixed_params()))
def test_binary_mixed_dtypes(name, dtypes):
    da, db = dtypes
    a_np = make(da, (3, 4), 0, nonzero=name in DIVISORS)
    b_np = second_data(name, db, (4,))
    for x_np, y_np in ((a_np, b_np), (b_np[::-1], a_np)):
        x, y = lnp.array(x_np), lnp.array(y_np)
        f_np, f = getattr(np, name), getattr(lnp, name)
        exp, err = check_same_error(lambda: f_np(x_np, y_np), lambda: f(x, y))
        if err is not None:
            continue
        with quiet():
            got = f(x, y)
        compare(got, exp, name, None)


NP_SCALARS = [np.float32(2), np.float64(0.5), np.int32(3), np.uint8(2), np.int64(-2), np.bool_(True), np.complex128(1 - 1j)]


def numpy_scalar_params():
    for dtype in (np.uint8, np.int32, np.float32, np.float64):
        for scalar in NP_SCALARS:
            for name in ("add", "multiply", "true_divide", "maximum", "less", "power", "bitwise_or", "arctan2"):
                marks = []
                if uses_float16(name, dtype, scalar.dtype):
                    marks = [xfail(FLOAT16_BUG)]
                elif scalar.dtype.kind == "c" and name in COMPLEX_ORDER:
                    marks = [xfail(COMPLEX_ORDER_BUG.format(name))]
                yield pytest.param(name, scalar, dtype, marks=marks, id=f"{np.dtype(dtype).name}-{scalar!r}-{name}")


@pytest.mark.parametrize("name, scalar, dtype", list(numpy_scalar_params()))
def test_binary_numpy_scalars(name, scalar, dtype):
    """NumPy scalars have a real dtype (not weak like Python scalars)."""
    a_np = make(dtype, (2, 3), low=0 if name == "power" else None, nonzero=True)
    a = lnp.array(a_np)
    f_np, f = getattr(np, name), getattr(lnp, name)
    for args_np, args in (((a_np, scalar), (a, scalar)), ((scalar, a_np), (scalar, a))):
        exp, err = check_same_error(lambda: f_np(*args_np), lambda: f(*args))
        if err is not None:
            continue
        with quiet():
            got = f(*args)
        compare(got, exp, name, dtype)


OUT_OF_RANGE_BUG = (
    "bug: a Python int out of range for the array's integer dtype wraps silently (uint8 + 300 adds 44); "
    "NumPy 2 raises OverflowError (_ufunc._binary passes the weak scalar on unchecked)"
)
OUT_OF_RANGE_COMPARE_BUG = (
    "bug: comparing an int32 array with a Python int out of int32 range wraps the int (2**40 == 0 is True); "
    "NumPy 2 compares exactly"
)


def weak_scalar_params():
    for name in ("add", "multiply", "maximum", "equal"):
        for dtype, scalar in [(np.uint8, 300), (np.uint8, -1), (np.int32, 2**40), (np.int8, 200), (np.float32, 1e300),
                              (np.uint8, 2.5), (np.int32, 1 + 1j), (np.bool_, 2), (np.float32, 2**70)]:
            marks = []
            if isinstance(scalar, int) and np.dtype(dtype).kind in "iu" and not (
                np.iinfo(dtype).min <= scalar <= np.iinfo(dtype).max
            ):
                marks = [xfail(OUT_OF_RANGE_COMPARE_BUG if name == "equal" else OUT_OF_RANGE_BUG)]
                if name == "equal" and np.dtype(dtype).itemsize == 1:
                    marks = []  # NumPy and legate agree here (both all False)
            elif isinstance(scalar, complex) and name in COMPLEX_ORDER:
                marks = [xfail(COMPLEX_ORDER_BUG.format(name))]
            yield pytest.param(name, dtype, scalar, marks=marks, id=f"{name}-{np.dtype(dtype).name}-{scalar!r}")


@pytest.mark.parametrize("name, dtype, scalar", list(weak_scalar_params()))
def test_binary_weak_python_scalars(name, dtype, scalar):
    """NumPy 2's rules for Python scalars: they take the array's type, or raise when out of range."""
    a_np = make(dtype, (5,))
    a = lnp.array(a_np)
    f_np, f = getattr(np, name), getattr(lnp, name)
    for args_np, args in (((a_np, scalar), (a, scalar)), ((scalar, a_np), (scalar, a))):
        exp, err = check_same_error(lambda: f_np(*args_np), lambda: f(*args))
        if err is None:
            with quiet():
                got = f(*args)
            compare(got, exp, name, dtype)


@pytest.mark.parametrize("name", ["add", "subtract", "less", "logical_xor", "maximum"])
def test_binary_python_inputs(name):
    f_np, f = getattr(np, name), getattr(lnp, name)
    check(f([1, 2, 3], [3.5, 0.0, -1.0]), f_np([1, 2, 3], [3.5, 0.0, -1.0]))
    check(f(2, 3.0), f_np(2, 3.0))
    check(f(np.arange(4), [[1], [2]]), f_np(np.arange(4), [[1], [2]]))
    check(f(lnp.arange(3), np.ones(3)), f_np(np.arange(3), np.ones(3)))
    check(f(np.ones(3), lnp.arange(3)), f_np(np.ones(3), np.arange(3)))
    assert isinstance(f(np.ones(3), lnp.arange(3)), lnp.ndarray)


@pytest.mark.parametrize("name", ["add", "power", "maximum", "arctan2", "equal"])
@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 3), (3, 2)), ((2, 3, 4), (3, 1, 4)), ((0,), (2,))], ids=str)
def test_binary_shape_mismatch_raises(name, shapes):
    a_np, b_np = make(np.float64, shapes[0]), make(np.float64, shapes[1], 1)
    f_np, f = getattr(np, name), getattr(lnp, name)
    with pytest.raises(ValueError):
        f_np(a_np, b_np)
    with pytest.raises(ValueError):
        f(lnp.array(a_np), lnp.array(b_np))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8], ids=["int32", "int64", "uint8"])
@pytest.mark.parametrize("name", ["floor_divide", "remainder", "fmod"])
def test_integer_division_by_zero(name, dtype):
    """NumPy gives 0 (with a warning) for integer division by zero."""
    a_np = make(dtype, (6,))
    b_np = np.array([0, 1, 0, 2, 0, 3], dtype=dtype)
    with quiet():
        exp = getattr(np, name)(a_np, b_np)
        got = getattr(lnp, name)(lnp.array(a_np), lnp.array(b_np))
    check(got, exp)


def division_by_zero_params():
    for name in ("true_divide", "floor_divide", "remainder", "fmod"):
        for dtype in (np.float32, np.float64, np.complex128):
            marks = []
            if name == "floor_divide" and dtype is not np.complex128:
                marks = [xfail(FLOOR_DIVIDE_BUG + " (inf // 2.0: NumPy nan, got inf)")]
            if name == "true_divide" and dtype is np.complex128:
                marks = [xfail("bug: complex x / 0 gives nan+nanj; NumPy gives inf (1/(0+0j) -> inf+nanj)")]
            yield pytest.param(name, dtype, marks=marks, id=f"{name}-{np.dtype(dtype).name}")


@pytest.mark.parametrize("name, dtype", list(division_by_zero_params()))
def test_float_division_by_zero(name, dtype):
    a_np = np.array([1.0, -1.0, 0.0, 2.5, -0.0, np.inf], dtype=dtype)
    b_np = np.array([0.0, 0.0, 0.0, -0.0, 1.0, 2.0], dtype=dtype)
    exp, err = check_same_error(lambda: getattr(np, name)(a_np, b_np), lambda: getattr(lnp, name)(lnp.array(a_np), lnp.array(b_np)))
    if err is None:
        with quiet():
            got = getattr(lnp, name)(lnp.array(a_np), lnp.array(b_np))
        check(got, exp)
        if dtype is np.complex128:
            # NaN versus inf parts matter too (assert_allclose calls x+nanj and nan+nanj both NaN).
            np.testing.assert_array_equal(np.asarray(got).real, exp.real)
            np.testing.assert_array_equal(np.asarray(got).imag, exp.imag)


@xfail(FLOOR_DIVIDE_BUG)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_float_floor_divide_exact(dtype):
    """``a // b`` is ``(a - a % b) / b`` rounded, as in Python (0.7 // 0.1 == 6.0, not 7.0)."""
    a_np = np.array([2.31, 0.7, 1.0, -0.3, 0.3, 5.0], dtype=dtype)
    b_np = np.array([0.01, 0.1, 0.1, 0.1, -0.1, 0.5], dtype=dtype)
    check(lnp.floor_divide(lnp.array(a_np), lnp.array(b_np)), np.floor_divide(a_np, b_np))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8], ids=["int32", "int64", "uint8"])
def test_integer_floor_divide_and_remainder_signs(dtype):
    """Python semantics: the quotient rounds down, the remainder takes the divisor's sign."""
    vals = [-7, -6, -1, 0, 1, 6, 7] if dtype is not np.uint8 else [0, 1, 6, 7, 200, 255]
    divs = [-3, -2, 2, 3] if dtype is not np.uint8 else [2, 3, 7]
    a_np = np.array(vals, dtype=dtype)[:, None]
    b_np = np.array(divs, dtype=dtype)[None, :]
    for name in ("floor_divide", "remainder", "fmod"):
        check(getattr(lnp, name)(lnp.array(a_np), lnp.array(b_np)), getattr(np, name)(a_np, b_np))


def test_integer_min_divided_by_minus_one():
    a_np = np.array([np.iinfo(np.int32).min, 5], dtype=np.int32)
    b_np = np.array([-1, -1], dtype=np.int32)
    for name in ("floor_divide", "remainder"):
        with quiet():
            exp = getattr(np, name)(a_np, b_np)
            got = getattr(lnp, name)(lnp.array(a_np), lnp.array(b_np))
        check(got, exp)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8], ids=["int32", "int64", "uint8"])
@pytest.mark.parametrize("name", ["left_shift", "right_shift"])
def test_shift_by_width_or_more(name, dtype):
    """NumPy: shifting by the bit width or more gives 0 (or -1 for negative >>)."""
    bits = np.dtype(dtype).itemsize * 8
    a_np = np.array([1, 5, -3 if dtype is not np.uint8 else 3, 7], dtype=dtype)
    b_np = np.array([bits, bits + 1, bits, bits - 1], dtype=dtype)
    check(getattr(lnp, name)(lnp.array(a_np), lnp.array(b_np)), getattr(np, name)(a_np, b_np))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8], ids=["int32", "int64", "uint8"])
def test_integer_power_overflow_wraps(dtype):
    a_np = np.array([2, 3, 7, 10], dtype=dtype)
    b_np = np.array([40, 30, 25, 19], dtype=dtype)
    check(lnp.power(lnp.array(a_np), lnp.array(b_np)), np.power(a_np, b_np))


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.int8], ids=str)
def test_integer_power_of_exponents_past_32_bits(dtype):
    """Exponents of 2**32 and more wrap as NumPy's (they were cut to their low 32 bits:
    x ** 2**40 gave 1), as arrays, Python ints and from a bool base."""
    a_np = np.array([0, 1, 2, 3, 5, 7] + ([-1, -3] if np.dtype(dtype).kind == "i" else []), dtype=dtype)
    exps = [2**32, 2**32 + 1, 2**40 + 3, 2**62 + 1] if np.dtype(dtype).itemsize == 8 else [127]
    for e in exps:
        check(lnp.power(lnp.array(a_np), e), np.power(a_np, e))
        e_np = np.full(a_np.shape, e, dtype)
        check(lnp.power(lnp.array(a_np), lnp.array(e_np)), np.power(a_np, e_np))
    b = np.array([True, False, True])
    check(lnp.power(lnp.array(b), 2**40), np.power(b, 2**40))


def test_function_ufuncs_follow_numpys_loops():
    """heaviside takes NumPy's loop (int8 with a Python int: float16; complex: TypeError);
    gcd/lcm/ldexp raise NumPy's OverflowError for Python ints out of the loop's range."""
    i8, u8, b = np.arange(-2, 3, dtype=np.int8), np.arange(4, dtype=np.uint8), np.array([True, False])
    for x, y in ((i8, 3), (3, i8), (i8, 2.5), (b, 3), (i8, u8[:1]), (np.float32(2), 3), (b, b)):
        check(lnp.heaviside(*(lnp.array(v) if isinstance(v, np.ndarray) else v for v in (x, y))), np.heaviside(x, y))
    for call in (lambda m: m.heaviside(m.asarray(i8), 1j), lambda m: m.gcd(m.asarray(u8), -2), lambda m: m.lcm(m.asarray(i8), 2**40),
                 lambda m: m.ldexp(m.asarray(i8, dtype=float), 2**40)):
        assert check_same_error(lambda: call(np), lambda: call(lnp))[1] is not None


@pytest.mark.parametrize("dtype", [np.int32, np.int64], ids=["int32", "int64"])
def test_integer_power_negative_exponent_raises(dtype):
    a_np = np.array([1, 2, 3], dtype=dtype)
    # legate_numeric reports the task's error when the value is read.
    with pytest.raises(ValueError):
        np.power(a_np, np.array([1, -1, 2], dtype=dtype))
    with pytest.raises(ValueError):
        np.asarray(lnp.power(lnp.array(a_np), lnp.array([1, -1, 2], dtype=dtype)))
    with pytest.raises(ValueError):
        np.power(a_np, -1)
    with pytest.raises(ValueError):
        np.asarray(lnp.power(lnp.array(a_np), -1))
    with pytest.raises(ValueError):
        np.asarray(lnp.array(a_np) ** -2)
    with pytest.raises(ValueError):
        float(lnp.power(lnp.array(a_np), -1)[1])


def test_failed_task_error_reaches_dependent_results():
    a = lnp.array(np.array([1, 2, 3]))
    with pytest.raises(ValueError):
        float(lnp.power(a, -1).sum())


def power_params():
    for dtype in (np.float32, np.float64, np.complex128, np.int64, np.uint8):
        for exponent in (2, 0.5, -1, 1, 0, 3, 2.0, -1.0, -2, 1.5, 0.0):
            marks = []
            if dtype is np.uint8 and exponent in (-1, -2) and isinstance(exponent, int):
                marks = [xfail(OUT_OF_RANGE_BUG + f" (uint8 ** {exponent})")]
            yield pytest.param(dtype, exponent, marks=marks, id=f"{np.dtype(dtype).name}-{exponent!r}")


@pytest.mark.parametrize("dtype, exponent", list(power_params()))
def test_power_python_exponents(dtype, exponent):
    """Including NumPy's fast paths (x**2 -> square, x**0.5 -> sqrt, x**-1 -> reciprocal)."""
    a_np = make(dtype, (2, 5), positive=True)
    exp, err = check_same_error(lambda: np.power(a_np, exponent), lambda: lnp.power(lnp.array(a_np), exponent))
    if err is None:
        with quiet():
            got = lnp.power(lnp.array(a_np), exponent)
        check(got, exp, rtol=2e-5 if dtype is np.float32 else 1e-12)


@pytest.mark.parametrize("exponent", [3, 5, 13, 31, 64, -3, 2.5])
def test_float_power_of_integral_exponents_within_an_ulp(exponent):
    """Float powers use libm's pow for integral exponents too, as NumPy: within 1 ulp of
    NumPy's (repeated multiplication rounded each step, 47 ulps off at x**64)."""
    x = np.random.default_rng(3).uniform(0.5, 2.0, 20000)
    for e in (exponent, np.full(x.shape, float(exponent))):
        got = np.asarray(lnp.power(lnp.array(x), lnp.array(e) if isinstance(e, np.ndarray) else float(e)))
        want = np.power(x, e)
        assert (np.abs(got - want) <= np.spacing(want)).all()


def test_power_fast_paths_on_negative_and_zero():
    a_np = np.array([-4.0, -0.0, 0.0, 2.0, np.inf, -np.inf, np.nan])
    a = lnp.array(a_np)
    for e in (2, 0.5, -1, 1):
        with quiet():
            exp = np.power(a_np, e)
            got = lnp.power(a, e)
        check(got, exp)


# ---------------------------------------------------------------- out= and dtype=


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "true_divide", "arctan2", "less"])
def test_binary_out(name):
    a_np, b_np = make(np.float64, (3, 4)), make(np.float64, (4,), 1, nonzero=True)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp_dtype = f_np(a_np, b_np).dtype
    out_np = np.zeros((3, 4), dtype=exp_dtype)
    out = lnp.zeros((3, 4), dtype=exp_dtype)
    r_np = f_np(a_np, b_np, out=out_np)
    r = f(lnp.array(a_np), lnp.array(b_np), out=out)
    assert r is out
    check(out, out_np)
    check(r, r_np)
    # Positional out and a tuple out.
    out2 = lnp.zeros((3, 4), dtype=exp_dtype)
    assert f(lnp.array(a_np), lnp.array(b_np), out2) is out2
    check(out2, out_np)
    out3 = lnp.zeros((3, 4), dtype=exp_dtype)
    assert f(lnp.array(a_np), lnp.array(b_np), out=(out3,)) is out3
    check(out3, out_np)


@pytest.mark.parametrize("name", ["sqrt", "negative", "exp", "isnan", "floor"])
def test_unary_out(name):
    x_np = make(np.float64, (2, 3), positive=True)
    exp_dtype = getattr(np, name)(x_np).dtype
    out_np = np.zeros((2, 3), dtype=exp_dtype)
    out = lnp.zeros((2, 3), dtype=exp_dtype)
    getattr(np, name)(x_np, out=out_np)
    r = getattr(lnp, name)(lnp.array(x_np), out=out)
    assert r is out
    check(out, out_np)


@pytest.mark.parametrize(
    "in_dtype, out_dtype",
    [(np.int32, np.float64), (np.int32, np.int64), (np.float32, np.float64), (np.float64, np.float32), (np.float64, np.complex128),
     (np.uint8, np.int32), (np.bool_, np.int32)],
    ids=str,
)
def test_out_with_a_different_dtype(in_dtype, out_dtype):
    a_np, b_np = make(in_dtype, (6,)), make(in_dtype, (6,), 1)
    out_np = np.zeros(6, dtype=out_dtype)
    out = lnp.zeros(6, dtype=out_dtype)
    np.add(a_np, b_np, out=out_np)
    assert lnp.add(lnp.array(a_np), lnp.array(b_np), out=out) is out
    check(out, out_np)


@pytest.mark.parametrize(
    "in_dtype, out_dtype",
    [(np.float64, np.int32), (np.complex128, np.float64), (np.int64, np.uint8), (np.float64, np.bool_)],
    ids=str,
)
def test_out_with_an_unsafe_dtype_raises(in_dtype, out_dtype):
    a_np = make(in_dtype, (4,))
    with pytest.raises(TypeError):
        np.add(a_np, a_np, out=np.zeros(4, dtype=out_dtype))
    with pytest.raises(TypeError):
        lnp.add(lnp.array(a_np), lnp.array(a_np), out=lnp.zeros(4, dtype=out_dtype))


def test_out_with_a_wrong_shape_raises():
    a = lnp.ones((2, 3))
    with pytest.raises(ValueError):
        np.add(np.ones((2, 3)), 1.0, out=np.zeros((3, 2)))
    with pytest.raises(ValueError):
        lnp.add(a, 1.0, out=lnp.zeros((3, 2)))
    with pytest.raises(ValueError):
        lnp.add(a, 1.0, out=lnp.zeros((6,)))


def test_out_broadcasts_inputs_to_out_shape():
    """NumPy broadcasts the inputs to out's shape when out is larger."""
    exp = np.add(np.arange(3.0), 1.0, out=np.zeros((2, 3)))
    out = lnp.zeros((2, 3))
    got = lnp.add(lnp.arange(3.0), 1.0, out=out)
    assert got is out
    check(got, exp)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "true_divide", "maximum", "power"])
def test_out_aliases_an_input(name):
    """``f(a, b, out=a)`` and ``f(a, b, out=b)`` compute from the old values."""
    for which in (0, 1):
        a_np, b_np = make(np.float64, (6,), positive=True), make(np.float64, (6,), 1, positive=True)
        a, b = lnp.array(a_np), lnp.array(b_np)
        getattr(np, name)(a_np, b_np, out=(a_np, b_np)[which])
        getattr(lnp, name)(a, b, out=(a, b)[which])
        check(a, a_np)
        check(b, b_np)


@pytest.mark.parametrize("name", ["add", "subtract", "maximum"])
def test_out_partially_overlaps_an_input(name):
    """``f(a[:-1], a[1:], out=a[1:])`` and friends: NumPy reads as if from a copy."""
    for sl_a, sl_b, sl_o in [
        (slice(None, -1), slice(1, None), slice(1, None)),
        (slice(1, None), slice(None, -1), slice(None, -1)),
        (slice(None, -1), slice(None, -1), slice(1, None)),
        (slice(1, None), slice(1, None), slice(None, -1)),
        (slice(None, None, -1), slice(None), slice(None)),
    ]:
        a_np = make(np.float64, (9,))
        a = lnp.array(a_np)
        getattr(np, name)(a_np[sl_a], a_np[sl_b], out=a_np[sl_o])
        getattr(lnp, name)(a[sl_a], a[sl_b], out=a[sl_o])
        check(a, a_np)


def test_unary_out_overlaps_input():
    # The last two: an input broadcast to the output it overlaps (found by the fuzzer).
    for sl_x, sl_o in [
        (slice(None, -1), slice(1, None)),
        (slice(1, None), slice(None, -1)),
        (slice(None, None, -1), slice(None)),
        (slice(0, 1), slice(None)),
        (slice(-1, None), slice(2, None)),
    ]:
        x_np = make(np.float64, (8,))
        x = lnp.array(x_np)
        np.negative(x_np[sl_x], out=x_np[sl_o])
        lnp.negative(x[sl_x], out=x[sl_o])
        check(x, x_np)


def test_out_is_a_view():
    base_np = np.zeros((4, 6))
    base = lnp.zeros((4, 6))
    a_np = make(np.float64, (2, 3))
    np.add(a_np, 1.0, out=base_np[::2, ::2])
    lnp.add(lnp.array(a_np), 1.0, out=base[::2, ::2])
    check(base, base_np)
    np.sqrt(np.abs(a_np[0]), out=base_np[1:4, 1])
    lnp.sqrt(lnp.abs(lnp.array(a_np)[0]), out=base[1:4, 1])
    check(base, base_np)


def test_out_numpy_array_raises_or_fills():
    """``out`` must be an array of this library (NumPy raises for foreign types too)."""
    a = lnp.ones(3)
    out = np.zeros(3)
    try:
        lnp.add(a, a, out=out)
    except TypeError:
        return
    np.testing.assert_array_equal(out, np.full(3, 2.0))


@pytest.mark.parametrize(
    "name, in_dtype, dtype",
    [("add", np.int32, np.float64), ("add", np.uint8, np.int64), ("multiply", np.float32, np.float64),
     ("true_divide", np.int32, np.float32), ("add", np.float64, np.complex128), ("add", np.float64, np.int32),
     ("less", np.int32, np.float64)],
    ids=str,
)
def test_binary_dtype_keyword(name, in_dtype, dtype):
    a_np, b_np = make(in_dtype, (5,)), make(in_dtype, (5,), 1, nonzero=True)
    f_np, f = getattr(np, name), getattr(lnp, name)
    exp, err = check_same_error(lambda: f_np(a_np, b_np, dtype=dtype), lambda: f(lnp.array(a_np), lnp.array(b_np), dtype=dtype))
    if err is None:
        with quiet():
            check(f(lnp.array(a_np), lnp.array(b_np), dtype=dtype), exp)


def test_where_keyword_falls_back():
    a_np = make(np.float64, (6,))
    mask = a_np > 0
    out_np = np.full(6, -9.0)
    out = lnp.full(6, -9.0)
    np.add(a_np, 1.0, out=out_np, where=mask)
    with quiet():
        lnp.add(lnp.array(a_np), 1.0, out=out, where=mask)
    check(out, out_np)


# ---------------------------------------------------------------- NumPy's ufuncs on legate arrays


@pytest.mark.parametrize("name", ["add", "sqrt", "maximum", "logical_and", "isnan", "power"])
def test_numpy_ufunc_dispatches_to_legate(name):
    f_np = getattr(np, name)
    a_np = make(np.float64, (3, 4), positive=True)
    b_np = make(np.float64, (4,), 1, positive=True)
    args_np = (a_np,) if f_np.nin == 1 else (a_np, b_np)
    args = tuple(lnp.array(x) for x in args_np)
    with quiet():
        got = f_np(*args)
    assert isinstance(got, lnp.ndarray)
    check(got, f_np(*args_np))
    if f_np.nin == 2:
        # Mixed NumPy and legate operands, either order.
        with quiet():
            got = f_np(args_np[0], args[1])
        assert isinstance(got, lnp.ndarray)
        check(got, f_np(*args_np))


def test_numpy_ufunc_without_native_version_falls_back():
    a_np = make(np.float64, (5,))
    with quiet():
        got = np.ldexp(lnp.array(a_np), lnp.array(np.arange(5)))
    check(got, np.ldexp(a_np, np.arange(5)))


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "minimum", "logical_and", "logical_or"])
@pytest.mark.parametrize("axis", [0, 1, None, (0, 1), -1])
def test_ufunc_reduce(name, axis):
    a_np = make(np.int32, (3, 4), nonzero=True)
    a = lnp.array(a_np)
    exp = getattr(np, name).reduce(a_np, axis=axis)
    check(getattr(lnp, name).reduce(a, axis=axis), exp)
    check(getattr(np, name).reduce(a, axis=axis), exp)
    check(getattr(lnp, name).reduce(a, axis=axis, keepdims=True), getattr(np, name).reduce(a_np, axis=axis, keepdims=True))


def test_ufunc_reduce_default_axis_and_fallback():
    a_np = make(np.float64, (3, 4))
    check(lnp.add.reduce(lnp.array(a_np)), np.add.reduce(a_np))
    with quiet():
        check(lnp.subtract.reduce(lnp.array(a_np)), np.subtract.reduce(a_np))
        check(lnp.add.accumulate(lnp.array(a_np)), np.add.accumulate(a_np))
        check(np.multiply.accumulate(lnp.array(a_np), axis=1), np.multiply.accumulate(a_np, axis=1))


def test_ufunc_attributes_and_aliases():
    assert lnp.add.nin == 2 and lnp.sqrt.nin == 1 and lnp.add.nout == 1
    assert lnp.divide is lnp.true_divide
    assert lnp.mod is lnp.remainder
    assert lnp.abs is lnp.absolute
    assert lnp.conj is lnp.conjugate
    assert lnp.bitwise_not is lnp.invert
    assert lnp.pow is lnp.power
    a_np = make(np.float64, (4,))
    a = lnp.array(a_np)
    check(lnp.degrees(a), np.degrees(a_np))
    check(lnp.radians(a), np.radians(a_np))
    check(lnp.abs(a), np.abs(a_np))
    check(lnp.mod(a, 1.5), np.mod(a_np, 1.5))
    check(lnp.divide(a, 2), np.divide(a_np, 2))


def test_ufunc_wrong_argument_count():
    with pytest.raises(TypeError):
        lnp.add(lnp.ones(2))
    with pytest.raises(TypeError):
        lnp.sqrt()
    with pytest.raises(TypeError):
        lnp.add(lnp.ones(2), lnp.ones(2), lnp.ones(2), out=lnp.ones(2))


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.uint8], ids=["int32", "float64", "uint8"])
def test_divmod(dtype):
    a_np, b_np = make(dtype, (3, 4)), make(dtype, (4,), 1, nonzero=True)
    a, b = lnp.array(a_np), lnp.array(b_np)
    for got, exp in ((lnp.divmod(a, b), np.divmod(a_np, b_np)), (divmod(a, b), divmod(a_np, b_np)), (divmod(a, 3), divmod(a_np, 3))):
        assert isinstance(got, tuple) and len(got) == 2
        check(got[0], exp[0])
        check(got[1], exp[1])


@pytest.mark.parametrize(
    "lo, hi",
    [(-1, 1), (0, None), (None, 0.5), (-1.5, 2), (np.float32(0), np.float32(1))],
    ids=repr,
)
@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64], ids=["int32", "float32", "float64"])
def test_clip(dtype, lo, hi):
    a_np = make(dtype, (3, 4))
    exp, err = check_same_error(lambda: np.clip(a_np, lo, hi), lambda: lnp.clip(lnp.array(a_np), lo, hi))
    if err is None:
        check(lnp.clip(lnp.array(a_np), lo, hi), exp)


def test_clip_array_bounds_and_out():
    a_np = make(np.float64, (3, 4))
    lo_np, hi_np = make(np.float64, (4,), 1) - 1, make(np.float64, (3, 1), 2) + 1
    check(lnp.clip(lnp.array(a_np), lnp.array(lo_np), lnp.array(hi_np)), np.clip(a_np, lo_np, hi_np))
    out = lnp.zeros((3, 4))
    assert lnp.clip(lnp.array(a_np), -1, 1, out=out) is out
    check(out, np.clip(a_np, -1, 1))
    out = lnp.zeros((3, 4))
    assert lnp.clip(lnp.array(a_np), -1, None, out=out) is out
    check(out, np.clip(a_np, -1, None))
    # NumPy 2.1+ clips nothing (np.positive) when both bounds are None.
    check(lnp.clip(lnp.array(a_np), None, None), np.clip(a_np, None, None))


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex128, np.bool_], ids=["int32", "float64", "complex128", "bool"])
def test_real_imag(dtype):
    a_np = make(dtype, (2, 3))
    a = lnp.array(a_np)
    with quiet():
        check(a.real, a_np.real)
        check(a.imag, a_np.imag)
        check(a[:, ::-1].real, a_np[:, ::-1].real)


AT_UFUNCS = ["add", "subtract", "multiply", "divide", "power", "maximum", "fmax", "arctan2", "hypot", "bitwise_or", "left_shift",
             "floor_divide", "remainder", "logaddexp", "copysign", "equal", "less", "logical_and", "negative", "sqrt", "absolute",
             "invert", "isnan", "gcd", "lcm", "heaviside", "ldexp", "nextafter", "float_power", "fabs"]


@pytest.mark.parametrize("name", AT_UFUNCS)
def test_ufunc_at_every_ufunc_and_loop(name, no_fallback):
    # Any ufunc and any loop (a float32 array with float64 values, ints with floats...):
    # repeated indices see their earlier results, as NumPy's unbuffered loop; NumPy's
    # errors where its loop or cast is refused.
    uf = getattr(np, name)
    idx = np.array([0, 2, 2, 5, 0, 2])
    for a_dtype, b_dtype in [(np.float64, np.float64), (np.float32, np.float64), (np.int64, np.int64), (np.int32, np.int64),
                             (np.float64, np.int64), (np.int64, np.float64), (np.bool_, np.bool_), (np.uint8, np.uint8)]:
        x = (np.arange(8) % 5 + 1).astype(a_dtype)
        b = (np.arange(6) % 3 + 1).astype(b_dtype)
        args = (idx,) if uf.nin == 1 else (idx, b)
        exp = x.copy()
        try:
            with np.errstate(all="ignore"):
                uf.at(exp, *args)
        except Exception as err:  # noqa: BLE001 - NumPy's error is the expectation
            with pytest.raises(type(err)):
                getattr(lnp, name).at(lnp.array(x), *[lnp.array(v) for v in args])
            continue
        got = lnp.array(x)
        with np.errstate(all="ignore"), quiet():
            getattr(lnp, name).at(got, *[lnp.array(v) for v in args])
        check(got, exp)


def test_ufunc_at_indices_and_scalars(no_fallback):
    # Tuples of index arrays, slices, negative indices, Python numbers, views.
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    for key, b in [((np.array([0, 0, 3]), np.array([1, 1, 5])), 2.5), ((slice(None), np.array([0, -1, 0])), np.arange(3.0)),
                   (np.array([1, 1, 1]), np.ones(6))]:
        exp, got = x.copy(), lnp.array(x)
        np.hypot.at(exp, key, b)
        lnp.hypot.at(got, key, b if np.ndim(b) == 0 else lnp.array(b))
        check(got, exp)
    small = np.arange(6, dtype=np.int8)  # Python numbers go in as arrays: int64 loop, wrapped back
    for name in ("power", "left_shift", "hypot"):
        exp, got = small.copy(), lnp.array(small)
        with np.errstate(all="ignore"):
            getattr(np, name).at(exp, [0, 1, 1], 300)
            getattr(lnp, name).at(got, [0, 1, 1], 300)
        check(got, exp)
    base = np.arange(12.0)
    exp, got = base.copy(), lnp.array(base)
    np.power.at(exp[::2], [0, 0, 1], 2)
    lnp.power.at(got[::2], [0, 0, 1], 2)
    check(got, exp)
