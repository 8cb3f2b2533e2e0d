"""Scans and arg-reductions against NumPy: ``cumsum cumprod`` (functions and methods),
``ufunc.accumulate`` for ``add multiply maximum minimum logical_and logical_or`` and
``subtract bitwise_and bitwise_or bitwise_xor logical_xor fmax fmin``, ``subtract.reduce``,
``argmax argmin`` (functions and methods) — over dtypes, 0-d/empty/1-d..3-d shapes,
every axis, non-contiguous views, ``dtype=``, ``out=``, ``keepdims``, NaNs and ties,
and NumPy's exceptions. Large enough cases run both the line-parallel scan and the
two-pass prefix (too few lines for the processors)."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import DTYPE_IDS, DTYPES, check, check_same_error, make, quiet

SCAN_SHAPES = [(), (0,), (3, 0), (1,), (7,), (40,), (3, 4), (2, 3, 4), (3, 50), (50, 3), (2, 1, 3, 2)]
SCAN_SHAPE_IDS = ["0d", "empty", "3x0", "1", "7", "40", "3x4", "2x3x4", "3x50", "50x3", "2x1x3x2"]

# Non-contiguous views of a (6, 40) base.
VIEWS = {
    "step": lambda a: a[::2, 1::3],
    "negstep": lambda a: a[::-1, ::-2],
    "transpose": lambda a: a.T,
    "slice_T": lambda a: a[1:, :30].T,
    "newaxis": lambda a: a[:, None, 2:12],
}


def tol(dtype):
    """Float scans may run as a two-pass prefix: allow rounding differences."""
    kind = np.dtype(dtype)
    if kind in (np.float32, np.complex64):
        return dict(rtol=1e-5, atol=1e-4)
    if kind.kind in "fc":
        return dict(rtol=1e-11, atol=1e-11)
    return {}


def scan_data(dtype, shape, op, salt=0):
    """Values that keep products bounded (|x| <= 2 for ints, floats near 1)."""
    dt = np.dtype(dtype)
    if op in ("cumprod", "multiply") and dt.kind in "iu":
        return make(dtype, shape, salt, low=0 if dt.kind == "u" else -2, high=2)
    if op in ("cumprod", "multiply") and dt.kind in "fc":
        return make(dtype, shape, salt, low=0.5, high=1.5)
    return make(dtype, shape, salt)


def axes_of(shape):
    return [None] + list(range(len(shape))) + ([-1] if shape else [])


# ---------------------------------------------------------------- cumsum / cumprod


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("shape", SCAN_SHAPES, ids=SCAN_SHAPE_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_cumulative(name, shape, dtype):
    src = scan_data(dtype, shape, name)
    a = lnp.array(src)
    for axis in axes_of(shape):
        expected, _ = check_same_error(lambda: getattr(np, name)(src, axis=axis), lambda: getattr(lnp, name)(a, axis=axis))
        check(getattr(lnp, name)(a, axis=axis), expected, **tol(expected.dtype))
        check(getattr(a, name)(axis=axis), expected, **tol(expected.dtype))


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("view", list(VIEWS), ids=list(VIEWS))
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float64, np.bool_], ids=["int32", "uint8", "float64", "bool"])
def test_cumulative_views(name, view, dtype):
    src = scan_data(dtype, (6, 40), name)
    v, lv = VIEWS[view](src), VIEWS[view](lnp.array(src))
    for axis in axes_of(v.shape):
        expected = getattr(np, name)(v, axis=axis)
        check(getattr(lnp, name)(lv, axis=axis), expected, **tol(expected.dtype))


# Views with one or a few long lines: the scanned axis is split (two-pass prefix).
LINE_VIEWS = {
    "col": lambda a: a[:, 2],
    "negstep_col": lambda a: a[::-2, 1],
    "row_T": lambda a: a[:, :1].T,
    "cols_T": lambda a: a[3:, 1:4].T,
    "newaxis_col": lambda a: a[None, ::-1, 0],
}


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "maximum", "logical_or"])
@pytest.mark.parametrize("view", list(LINE_VIEWS), ids=list(LINE_VIEWS))
@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.bool_], ids=["int64", "float64", "bool"])
def test_scan_long_line_views(name, view, dtype):
    src = scan_data(dtype, (60, 5), name)
    v, lv = LINE_VIEWS[view](src), LINE_VIEWS[view](lnp.array(src))
    axis = v.ndim - 1
    if name in ("cumsum", "cumprod"):
        expected = getattr(np, name)(v, axis=axis)
        got = getattr(lnp, name)(lv, axis=axis)
    else:
        expected = getattr(np, name).accumulate(v, axis=axis)
        got = getattr(lnp, name).accumulate(lv, axis=axis)
    check(got, expected, **tol(expected.dtype))
    for arg in ("argmax", "argmin"):
        check(getattr(lnp, arg)(lv), getattr(np, arg)(v))
        check(getattr(lnp, arg)(lv, axis=axis), getattr(np, arg)(v, axis=axis))


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize(
    "src_dtype, dtype",
    [(np.int32, np.int8), (np.int32, np.float32), (np.float64, np.int32), (np.bool_, np.int32), (np.uint8, np.uint8),
     (np.float32, np.float64), (np.int64, np.complex128)],
    ids=str,
)
def test_cumulative_dtype(name, src_dtype, dtype):
    src = scan_data(src_dtype, (3, 7), name)
    a = lnp.array(src)
    for axis in (None, 0, 1):
        with quiet():
            expected = getattr(np, name)(src, axis=axis, dtype=dtype)
        check(getattr(lnp, name)(a, axis=axis, dtype=dtype), expected, **tol(expected.dtype))


def test_cumsum_matches_numpy_sequential_order():
    """Line-parallel scans add in NumPy's order: float results are bit-identical."""
    src = make(np.float64, (16, 9), 3)
    check(lnp.cumsum(lnp.array(src), axis=1), np.cumsum(src, axis=1), exact=True)


def test_cumsum_long_1d():
    src = make(np.float64, (10007,), 5)
    check(lnp.cumsum(lnp.array(src)), np.cumsum(src), rtol=1e-10, atol=1e-9)
    isrc = make(np.int64, (10007,), 6)
    check(lnp.cumsum(lnp.array(isrc)), np.cumsum(isrc))
    check(lnp.cumprod(lnp.array(isrc % 3 + 1).astype(np.int8), dtype=np.int8), np.cumprod((isrc % 3 + 1).astype(np.int8), dtype=np.int8))


def test_cumulative_nan():
    src = np.array([1.0, 2.0, np.nan, 3.0, -np.inf, 4.0] * 5)
    check(lnp.cumsum(lnp.array(src)), np.cumsum(src))
    check(lnp.cumprod(lnp.array(src)), np.cumprod(src))


def test_cumulative_out():
    src = make(np.int32, (4, 5))
    a = lnp.array(src)
    out = lnp.zeros((4, 5), np.int64)
    r = lnp.cumsum(a, axis=1, out=out)
    assert r is out
    check(out, np.cumsum(src, axis=1))
    out32 = lnp.zeros((20,), np.float32)
    lnp.cumprod(a, out=out32)
    check(out32, np.cumprod(src).astype(np.float32))
    with pytest.raises(ValueError):
        lnp.cumsum(a, out=lnp.zeros((3,), np.int64))


def test_cumulative_errors():
    a = lnp.array(make(np.float64, (2, 3)))
    with pytest.raises(np.exceptions.AxisError):
        lnp.cumsum(a, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        lnp.cumprod(a, axis=-3)
    with pytest.raises(np.exceptions.AxisError):
        lnp.cumsum(lnp.array(np.float64(2.0)), axis=1)
    with pytest.raises(TypeError):
        lnp.cumsum(a, axis=1.0)


def test_cumsum_python_input():
    check(lnp.cumsum([1, 2, 3]), np.cumsum([1, 2, 3]))
    check(lnp.cumprod([[1.5, 2.0], [3.0, 4.0]], axis=0), np.cumprod([[1.5, 2.0], [3.0, 4.0]], axis=0))


def test_scans_are_native():
    from legate_numeric import _fallback

    lnp.cumsum(lnp.arange(5))
    lnp.cumprod(lnp.arange(5))
    lnp.add.accumulate(lnp.arange(5))
    lnp.argmax(lnp.arange(5))
    lnp.argmin(lnp.arange(5))
    for name in ("cumsum", "cumprod", "add.accumulate", "argmax", "argmin"):
        assert name in _fallback._native
        assert name not in _fallback._fell_back


# ---------------------------------------------------------------- ufunc.accumulate

ACC = ["add", "multiply", "maximum", "minimum", "logical_and", "logical_or"]
ACC_SHAPES = [(0,), (1,), (7,), (40,), (3, 4), (2, 3, 4), (3, 50), (50, 3), (3, 0)]
ACC_SHAPE_IDS = ["empty", "1", "7", "40", "3x4", "2x3x4", "3x50", "50x3", "3x0"]


@pytest.mark.parametrize("ufunc", ACC)
@pytest.mark.parametrize("shape", ACC_SHAPES, ids=ACC_SHAPE_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_accumulate(ufunc, shape, dtype):
    src = scan_data(dtype, shape, ufunc)
    a = lnp.array(src)
    for axis in range(-1, len(shape)):
        expected, _ = check_same_error(
            lambda: getattr(np, ufunc).accumulate(src, axis=axis), lambda: getattr(lnp, ufunc).accumulate(a, axis=axis)
        )
        if expected is None:
            continue
        with quiet():
            got = getattr(lnp, ufunc).accumulate(a, axis=axis)
        check(got, expected, **tol(expected.dtype))


@pytest.mark.parametrize("ufunc", ACC)
@pytest.mark.parametrize("view", list(VIEWS), ids=list(VIEWS))
def test_accumulate_views(ufunc, view):
    src = scan_data(np.float64, (6, 40), ufunc)
    v, lv = VIEWS[view](src), VIEWS[view](lnp.array(src))
    for axis in range(v.ndim):
        expected = getattr(np, ufunc).accumulate(v, axis=axis)
        check(getattr(lnp, ufunc).accumulate(lv, axis=axis), expected, **tol(expected.dtype))


MORE_ACC = ["subtract", "bitwise_and", "bitwise_or", "bitwise_xor", "logical_xor", "fmax", "fmin"]


@pytest.mark.parametrize("ufunc", MORE_ACC)
@pytest.mark.parametrize("shape", ACC_SHAPES, ids=ACC_SHAPE_IDS)
@pytest.mark.parametrize("dtype", DTYPES + [np.int8, np.uint16], ids=DTYPE_IDS + ["int8", "uint16"])
def test_accumulate_more_ufuncs(ufunc, shape, dtype, no_fallback):
    # subtract through the sum's scan of a0, -a1, ...; the others in doubling steps.
    src = make(dtype, shape, 3)
    if np.dtype(dtype).kind == "f" and src.size > 4:
        src.flat[2] = np.nan  # fmax/fmin skip it, subtract spreads it
    a = lnp.array(src)
    for axis in range(-1, len(shape)):
        expected, _ = check_same_error(
            lambda: getattr(np, ufunc).accumulate(src, axis=axis), lambda: getattr(lnp, ufunc).accumulate(a, axis=axis)
        )
        if expected is not None:
            check(getattr(lnp, ufunc).accumulate(a, axis=axis), expected, **tol(expected.dtype))
    if len(shape) == 1:  # axis=None names the one axis
        check_same_error(lambda: getattr(np, ufunc).accumulate(src, axis=None), lambda: getattr(lnp, ufunc).accumulate(a, axis=None))


@pytest.mark.parametrize("view", list(VIEWS), ids=list(VIEWS))
def test_subtract_accumulate_and_reduce(view, no_fallback):
    src = make(np.float64, (6, 40), 4)
    v, lv = VIEWS[view](src), VIEWS[view](lnp.array(src))
    for axis in range(v.ndim):
        check(lnp.subtract.accumulate(lv, axis=axis), np.subtract.accumulate(v, axis=axis), **tol(np.float64))
        check(lnp.subtract.reduce(lv, axis=axis), np.subtract.reduce(v, axis=axis), **tol(np.float64))
        check(lnp.subtract.reduce(lv, axis=(axis,), keepdims=True, initial=2.5), np.subtract.reduce(v, axis=(axis,), keepdims=True, initial=2.5),
              **tol(np.float64))
    ints = make(np.int8, (5, 9), 5)
    for kw in ({}, dict(axis=1), dict(axis=1, dtype=np.int64), dict(axis=0, initial=100)):
        check(lnp.subtract.reduce(lnp.array(ints), **kw), np.subtract.reduce(ints, **kw))
    check(lnp.subtract.reduce(lnp.arange(7)), np.subtract.reduce(np.arange(7)))


def test_subtract_reduce_errors():
    # Several axes, empty extents and bools: NumPy's answers and errors.
    a = make(np.float64, (3, 4))
    for call in (lambda m, x: m.subtract.reduce(x, axis=None), lambda m, x: m.subtract.reduce(x, axis=(0, 1)),
                 lambda m, x: m.subtract.reduce(x[:0], axis=0), lambda m, x: m.subtract.reduce(x[:0], axis=1),
                 lambda m, x: m.subtract.reduce(x > 0, axis=0)):
        exp, err = check_same_error(lambda: call(np, a), lambda: call(lnp, lnp.array(a)))
        if err is None:
            with quiet():
                check(call(lnp, lnp.array(a)), exp)


def test_accumulate_nan_propagates():
    src = np.array([1.0, 3.0, np.nan, 5.0, 0.0, 7.0] * 4)
    for uf in ("maximum", "minimum", "add"):
        check(getattr(lnp, uf).accumulate(lnp.array(src)), getattr(np, uf).accumulate(src))


@pytest.mark.parametrize("ufunc", ["maximum", "minimum", "logical_and", "logical_or"])
def test_complex_accumulate_orders_lexicographically(ufunc, no_fallback):
    """Ties in the real part are broken by the imaginary part; the first NaN wins (long
    enough that the scanned axis is split across processors)."""
    base = np.array([1 + 1j, 1 + 2j, 1 - 1j, 0j, 2 + 0j, complex(np.nan, 1), 3 + 0j, complex(1, np.nan)])
    src = np.concatenate([base[:5]] * 300 + [base] * 300)
    got = getattr(lnp, ufunc).accumulate(lnp.array(src))
    check(got, getattr(np, ufunc).accumulate(src))
    lines = src.reshape(-1, 13)
    check(getattr(lnp, ufunc).accumulate(lnp.array(lines), axis=1), getattr(np, ufunc).accumulate(lines, axis=1))


def test_accumulate_via_numpy_dispatch():
    src = make(np.int32, (3, 5))
    check(np.add.accumulate(lnp.array(src), axis=1), np.add.accumulate(src, axis=1))
    check(np.maximum.accumulate(lnp.array(src)), np.maximum.accumulate(src))
    check(np.cumsum(lnp.array(src)), np.cumsum(src))


def test_accumulate_dtype_and_out():
    src = make(np.int32, (4, 6))
    a = lnp.array(src)
    check(lnp.add.accumulate(a, dtype=np.int8), np.add.accumulate(src, dtype=np.int8))
    check(lnp.multiply.accumulate(a, axis=1, dtype=np.float64), np.multiply.accumulate(src, axis=1, dtype=np.float64))
    out = lnp.zeros((4, 6), np.int64)
    assert lnp.add.accumulate(a, out=out) is out
    check(out, np.add.accumulate(src))
    check(lnp.add.accumulate(a, axis=(1,)), np.add.accumulate(src, axis=(1,)))


def test_accumulate_errors():
    a = lnp.array(make(np.float64, (2, 3)))
    with pytest.raises(TypeError):
        lnp.add.accumulate(lnp.array(np.float64(1.0)))
    with pytest.raises(np.exceptions.AxisError):
        lnp.add.accumulate(a, axis=2)
    with pytest.raises(ValueError):
        lnp.add.accumulate(a, axis=None)
    with pytest.raises(ValueError):
        lnp.add.accumulate(a, axis=(0, 1))


# ---------------------------------------------------------------- argmax / argmin

ARG_SHAPES = [(), (1,), (7,), (40,), (3, 4), (2, 3, 4), (3, 50), (50, 3), (2, 1, 3, 2), (0,), (3, 0), (0, 3)]
ARG_SHAPE_IDS = ["0d", "1", "7", "40", "3x4", "2x3x4", "3x50", "50x3", "2x1x3x2", "empty", "3x0", "0x3"]


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("shape", ARG_SHAPES, ids=ARG_SHAPE_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_arg(name, shape, dtype):
    src = make(dtype, shape)
    a = lnp.array(src)
    for axis in axes_of(shape):
        for keepdims in (False, True):
            expected, exc = check_same_error(
                lambda: getattr(np, name)(src, axis=axis, keepdims=keepdims),
                lambda: getattr(lnp, name)(a, axis=axis, keepdims=keepdims),
            )
            if exc is not None:
                with pytest.raises(type(exc)):
                    getattr(a, name)(axis=axis, keepdims=keepdims)
                continue
            check(getattr(lnp, name)(a, axis=axis, keepdims=keepdims), expected)
            check(getattr(a, name)(axis=axis, keepdims=keepdims), expected)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("view", list(VIEWS), ids=list(VIEWS))
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float32, np.bool_, np.complex128], ids=["int32", "uint8", "float32", "bool", "complex128"])
def test_arg_views(name, view, dtype):
    src = make(dtype, (6, 40))
    v, lv = VIEWS[view](src), VIEWS[view](lnp.array(src))
    for axis in axes_of(v.shape):
        check(getattr(lnp, name)(lv, axis=axis), getattr(np, name)(v, axis=axis))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128], ids=["float32", "float64", "complex128"])
def test_arg_nan_first_wins(name, dtype):
    src = make(dtype, (5, 40)).copy()
    src[1, 7] = np.nan
    src[3, 2] = np.nan
    src[4, 39] = np.nan
    a = lnp.array(src)
    for axis in (None, 0, 1):
        check(getattr(lnp, name)(a, axis=axis), getattr(np, name)(src, axis=axis))
    nan_later = np.array([1.0, 5.0, np.inf, -np.inf, np.nan, 9.0, np.nan], dtype=np.float64 if dtype == np.complex128 else dtype)
    check(getattr(lnp, name)(lnp.array(nan_later)), getattr(np, name)(nan_later))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_ties_first_occurrence(name):
    src = np.array([[3, 1, 3, 1, 0], [0, 3, 3, 0, 3], [2, 2, 2, 2, 2]] * 10, dtype=np.int64)
    a = lnp.array(src)
    for axis in (None, 0, 1):
        check(getattr(lnp, name)(a, axis=axis), getattr(np, name)(src, axis=axis))
    ones = np.ones(101, np.float32)
    check(getattr(lnp, name)(lnp.array(ones)), getattr(np, name)(ones))
    check(getattr(lnp, name)(lnp.array(ones > 0)), getattr(np, name)(ones > 0))


def test_arg_extremes():
    for dt in (np.int8, np.int64, np.uint64, np.int16, np.uint32):
        info = np.iinfo(dt)
        src = np.array([0, info.max, info.min, 5, info.max, info.min], dtype=dt)
        check(lnp.argmax(lnp.array(src)), np.argmax(src))
        check(lnp.argmin(lnp.array(src)), np.argmin(src))
    src = np.array([-np.inf, 0.0, np.inf, -0.0, np.inf])
    check(lnp.argmax(lnp.array(src)), np.argmax(src))
    check(lnp.argmin(lnp.array(src)), np.argmin(src))


def test_arg_out():
    src = make(np.float64, (4, 6))
    a = lnp.array(src)
    out = lnp.zeros((6,), np.int64)
    assert lnp.argmax(a, axis=0, out=out) is out
    check(out, np.argmax(src, axis=0))
    out0 = lnp.zeros((), np.int64)
    lnp.argmin(a, out=out0)
    check(out0, np.argmin(src))
    with pytest.raises(ValueError):
        lnp.argmax(a, axis=0, out=lnp.zeros((4,), np.int64))


def test_arg_errors():
    a = lnp.array(make(np.float64, (2, 3)))
    with pytest.raises(np.exceptions.AxisError):
        lnp.argmax(a, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        lnp.argmin(lnp.array(np.float64(1.0)), axis=1)
    with pytest.raises(ValueError, match="empty sequence"):
        lnp.argmax(lnp.zeros((0,)))
    with pytest.raises(ValueError, match="empty sequence"):
        lnp.argmin(lnp.zeros((0, 3)), axis=0)


def test_arg_python_input_and_dispatch():
    check(lnp.argmax([3, 9, 2, 9]), np.argmax([3, 9, 2, 9]))
    src = make(np.int32, (4, 5))
    check(np.argmax(lnp.array(src), axis=1), np.argmax(src, axis=1))
    check(np.argmin(lnp.array(src)), np.argmin(src))


# ---------------------------------------------------------------- nan forms


@pytest.mark.parametrize("name", ["nancumsum", "nancumprod"])
@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64, np.complex128], ids=["int32", "float32", "float64", "complex128"])
def test_nancumulative(name, dtype):
    src = scan_data(dtype, (4, 30), "cumprod" if name == "nancumprod" else "cumsum").copy()
    if np.dtype(dtype).kind in "fc":
        src[1, 3] = src[2, 0] = src[3, 29] = np.nan
    a = lnp.array(src)
    for axis in (None, 0, 1, -1):
        expected = getattr(np, name)(src, axis=axis)
        check(getattr(lnp, name)(a, axis=axis), expected, **tol(expected.dtype))


@pytest.mark.parametrize("name", ["nanargmax", "nanargmin"])
@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64, np.complex128], ids=["int64", "float32", "float64", "complex128"])
def test_nanarg(name, dtype):
    src = make(dtype, (4, 30)).copy()
    if np.dtype(dtype).kind in "fc":
        src[1, 3] = src[2, 0] = src[3, 29] = np.nan
    a = lnp.array(src)
    for axis in (None, 0, 1):
        for keepdims in (False, True):
            check(getattr(lnp, name)(a, axis=axis, keepdims=keepdims), getattr(np, name)(src, axis=axis, keepdims=keepdims))
    if np.dtype(dtype).kind in "fc":
        src[:, 5] = np.nan
        a = lnp.array(src)
        check(getattr(lnp, name)(a, axis=1), getattr(np, name)(src, axis=1))
        check(getattr(lnp, name)(a), getattr(np, name)(src))
        with quiet(), pytest.raises(ValueError, match="All-NaN"):
            getattr(lnp, name)(a, axis=0)
