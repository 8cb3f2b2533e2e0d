"""Python operators on arrays: arithmetic, bitwise, comparison, unary, in-place and
reflected forms, with arrays, Python scalars, NumPy scalars and NumPy arrays."""

import operator

import numpy as np
import pytest

import legate_numeric as lnp
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

BINARY_OPS = {
    "+": ("add", operator.add, operator.iadd),
    "-": ("subtract", operator.sub, operator.isub),
    "*": ("multiply", operator.mul, operator.imul),
    "/": ("true_divide", operator.truediv, operator.itruediv),
    "//": ("floor_divide", operator.floordiv, operator.ifloordiv),
    "%": ("remainder", operator.mod, operator.imod),
    "**": ("power", operator.pow, operator.ipow),
    "&": ("bitwise_and", operator.and_, operator.iand),
    "|": ("bitwise_or", operator.or_, operator.ior),
    "^": ("bitwise_xor", operator.xor, operator.ixor),
    "<<": ("left_shift", operator.lshift, operator.ilshift),
    ">>": ("right_shift", operator.rshift, operator.irshift),
    "==": ("equal", operator.eq, None),
    "!=": ("not_equal", operator.ne, None),
    "<": ("less", operator.lt, None),
    "<=": ("less_equal", operator.le, None),
    ">": ("greater", operator.gt, None),
    ">=": ("greater_equal", operator.ge, None),
}
DIVIDING = {"/", "//", "%"}
SHIFTING = {"<<", ">>"}


def operands(op, dtype, shape, salt):
    kind = np.dtype(dtype).kind
    if op in SHIFTING and kind in "iu":
        return make(dtype, shape, salt, low=0, high=6)
    if op == "**" and kind in "iu":
        return make(dtype, shape, salt, low=0, high=3)
    return make(dtype, shape, salt, nonzero=op in DIVIDING and salt == 1)


def scalar_for(op, dtype):
    kind = np.dtype(dtype).kind
    if op in SHIFTING:
        return 2
    return {"b": True, "i": 2, "u": 2, "f": 2.5, "c": 1.5 - 0.5j}[kind]


def op_marks(op, *dtypes):
    name = BINARY_OPS[op][0]
    if uses_float16(name, *dtypes):
        return [xfail(FLOAT16_BUG)]
    if any(np.dtype(d).kind == "c" for d in dtypes) and name in COMPLEX_ORDER:
        return [xfail(COMPLEX_ORDER_BUG.format(name))]
    return []


def op_params(layouts):
    for op in BINARY_OPS:
        for dtype, dt_id in zip(DTYPES, DTYPE_IDS):
            for layout in layouts:
                marks = op_marks(op, dtype, dtype)
                if (op, dtype, layout) == ("//", np.float32, "bcast3"):
                    marks = [xfail(FLOOR_DIVIDE_BUG + " (here 2.31 // 0.01: 231 expected, 232 got)")]
                yield pytest.param(op, dtype, layout, marks=marks, id=f"{op}-{dt_id}-{layout}")


def run_both(fn, args_np, args):
    exp, err = check_same_error(lambda: fn(*args_np), lambda: fn(*args))
    if err is not None:
        return
    with quiet():
        got = fn(*args)
    assert isinstance(got, lnp.ndarray), f"got a {type(got).__name__}"
    exp_arr = np.asarray(exp)
    rtol = 2e-5 if exp_arr.dtype in (np.float32, np.complex64) else 1e-10
    check(got, exp, rtol=rtol)


@pytest.mark.parametrize("op, dtype, layout", list(op_params(["same", "bcast", "bcast3", "0d", "view"])))
def test_binary_operator(op, dtype, layout):
    fn = BINARY_OPS[op][1]
    shapes = {"same": ((2, 3), (2, 3)), "bcast": ((3, 1), (1, 4)), "bcast3": ((4,), (2, 3, 4)), "0d": ((), ()), "view": ((4, 6), (6, 2))}
    sa, sb = shapes[layout]
    a_np, b_np = operands(op, dtype, sa, 0), operands(op, dtype, sb, 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    if layout == "view":
        a_np, a = a_np[::2, ::-1], a[::2, ::-1]
        b_np, b = b_np.T, b.T
    run_both(fn, (a_np, b_np), (a, b))


@pytest.mark.parametrize("op, dtype, side", list(op_params(["right", "left"])))
def test_operator_with_python_scalar(op, dtype, side):
    """``a + 2`` and the reflected ``2 + a``."""
    fn = BINARY_OPS[op][1]
    a_np = operands(op, dtype, (2, 3), 1 if side == "left" else 0)
    a = lnp.array(a_np)
    s = scalar_for(op, dtype)
    if side == "right":
        run_both(fn, (a_np, s), (a, s))
    else:
        run_both(fn, (s, a_np), (s, a))


NP_SCALARS = [np.float32(2), np.float64(1.5), np.int32(3), np.uint8(2), np.int64(2), np.bool_(True), np.complex128(1 - 1j)]


def np_scalar_params():
    for op in BINARY_OPS:
        for scalar in NP_SCALARS:
            for dtype in (np.uint8, np.int32, np.float32, np.float64):
                yield pytest.param(op, scalar, dtype, marks=op_marks(op, dtype, scalar.dtype),
                                   id=f"{op}-{scalar!r}-{np.dtype(dtype).name}")


@pytest.mark.parametrize("op, scalar, dtype", list(np_scalar_params()))
def test_operator_with_numpy_scalar(op, scalar, dtype):
    """``np.float32(2) * a``: NumPy scalars keep their dtype (NumPy 2 promotion)."""
    fn = BINARY_OPS[op][1]
    a_np = operands(op, dtype, (5,), 1)
    a = lnp.array(a_np)
    run_both(fn, (a_np, scalar), (a, scalar))
    run_both(fn, (scalar, a_np), (scalar, a))


@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_operator_with_numpy_array(op):
    """A NumPy array on either side gives a legate_numeric array."""
    fn = BINARY_OPS[op][1]
    a_np, b_np = operands(op, np.int64, (3, 4), 0), operands(op, np.int64, (4,), 1)
    run_both(fn, (a_np, b_np), (lnp.array(a_np), b_np))
    run_both(fn, (a_np, b_np), (a_np, lnp.array(b_np)))


@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_operator_with_list(op):
    fn = BINARY_OPS[op][1]
    a_np = operands(op, np.int64, (3,), 1)
    run_both(fn, (a_np, [1, 2, 3]), (lnp.array(a_np), [1, 2, 3]))
    run_both(fn, ([3, 2, 1], a_np), ([3, 2, 1], lnp.array(a_np)))


# ---------------------------------------------------------------- in-place


INPLACE_OPS = [op for op, v in BINARY_OPS.items() if v[2] is not None]


def inplace_params():
    for op in INPLACE_OPS:
        for dtype, dt_id in zip(DTYPES, DTYPE_IDS):
            for other in ("same", "bcast", "scalar", "float_scalar", "int64_array"):
                other_dtype = {"same": dtype, "bcast": dtype, "scalar": dtype, "float_scalar": np.float64,
                               "int64_array": np.int64}[other]
                yield pytest.param(op, dtype, other, marks=op_marks(op, dtype, other_dtype), id=f"{op}=-{dt_id}-{other}")


@pytest.mark.parametrize("op, dtype, other", list(inplace_params()))
def test_inplace_operator(op, dtype, other):
    """``a op= b`` keeps a's identity and dtype (or raises like NumPy when it cannot cast)."""
    ifn = BINARY_OPS[op][2]
    a_np = operands(op, dtype, (3, 4), 0)
    a = lnp.array(a_np)
    if other == "same":
        b_np = operands(op, dtype, (3, 4), 1)
        b = lnp.array(b_np)
    elif other == "bcast":
        b_np = operands(op, dtype, (4,), 1)
        b = lnp.array(b_np)
    elif other == "scalar":
        b_np = b = scalar_for(op, dtype)
    elif other == "float_scalar":
        b_np = b = 2.0 if op not in SHIFTING else 2
    else:
        b_np = operands(op, np.int64, (3, 4), 1)
        b = lnp.array(b_np)
    exp, err = check_same_error(lambda: ifn(a_np.copy(), b_np), lambda: ifn(lnp.array(a_np), b))
    if err is not None:
        return
    with quiet():
        res = ifn(a, b)
    assert res is a
    check(a, exp, rtol=2e-5 if np.dtype(dtype) == np.float32 else 1e-10)


def test_inplace_on_a_view_changes_the_base():
    a_np = make(np.float64, (4, 6))
    a = lnp.array(a_np)
    v_np, v = a_np[::2, 1::2], a[::2, 1::2]
    v_np += 10.0
    v += 10.0
    check(a, a_np)
    t_np, t = a_np.T, a.T
    t_np *= 2
    t *= 2
    check(a, a_np)
    r_np, r = a_np[::-1], a[::-1]
    r_np -= a_np[0]
    r -= a[0]
    check(a, a_np)


@pytest.mark.parametrize(
    "target, source",
    [(slice(1, None), slice(None, -1)), (slice(None, -1), slice(1, None)), (slice(None), slice(None, None, -1)),
     (slice(None, None, 2), slice(1, None, 2)), (slice(2, None), slice(None, -2))],
    ids=str,
)
def test_inplace_with_overlapping_operand(target, source):
    """``a[1:] += a[:-1]``: NumPy reads the old values (it copies overlapping inputs)."""
    a_np = make(np.int64, (10,))
    a = lnp.array(a_np)
    a_np[target] += a_np[source]
    v = a[target]
    v += a[source]
    check(a, a_np)


def test_inplace_on_self():
    a_np = make(np.float64, (3, 3))
    a = lnp.array(a_np)
    a_np += a_np
    a += a
    check(a, a_np)
    a_np *= a_np.T
    a *= a.T
    check(a, a_np)


def test_inplace_matmul():
    a_np = make(np.float64, (3, 3))
    b_np = make(np.float64, (3, 3), 1)
    a = lnp.array(a_np)
    orig = a
    a_np @= b_np
    a @= lnp.array(b_np)
    assert a is orig
    check(a, a_np)


# ---------------------------------------------------------------- unary


UNARY_OPS = {"-": operator.neg, "+": operator.pos, "~": operator.invert, "abs": abs}


@pytest.mark.parametrize("layout", ["2d", "0d", "empty", "view"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", list(UNARY_OPS))
def test_unary_operator(op, dtype, layout):
    fn = UNARY_OPS[op]
    shape = {"2d": (3, 4), "0d": (), "empty": (0, 2), "view": (4, 6)}[layout]
    a_np = make(dtype, shape)
    a = lnp.array(a_np)
    if layout == "view":
        a_np, a = a_np[::-2, 1::2].T, a[::-2, 1::2].T
    run_both(fn, (a_np,), (a,))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_], ids=["int32", "int64", "uint8", "bool"])
def test_invert_values(dtype):
    a_np = np.array([0, 1, 2, 127, 255, -1, -128] if dtype is not np.bool_ else [True, False], dtype=None)
    with quiet():
        a_np = a_np.astype(dtype)
    check(~lnp.array(a_np), ~a_np)


# ---------------------------------------------------------------- comparisons and truth


def test_comparison_results_are_bool_arrays():
    a_np, b_np = make(np.float64, (3, 4)), make(np.float64, (4,), 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    for fn in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge):
        got = fn(a, b)
        assert isinstance(got, lnp.ndarray) and got.dtype == np.bool_
        check(got, fn(a_np, b_np))


@xfail("bug: a == None raises TypeError('legate_numeric does not support arrays of dtype object'); "
       "NumPy compares elementwise (all False / all True for !=)")
def test_compare_with_none():
    a_np = make(np.float64, (3,))
    with quiet():
        exp_eq, exp_ne = a_np == None, a_np != None  # noqa: E711
    a = lnp.array(a_np)
    check(a == None, exp_eq)  # noqa: E711
    check(a != None, exp_ne)  # noqa: E711


def test_nan_comparisons():
    a_np = np.array([np.nan, 1.0, np.inf, -np.inf, 0.0, -0.0])
    b_np = np.array([np.nan, np.nan, np.inf, np.inf, -0.0, 0.0])
    a, b = lnp.array(a_np), lnp.array(b_np)
    for fn in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge):
        check(fn(a, b), fn(a_np, b_np))


def test_array_truth_value():
    assert bool(lnp.array([5])) is True
    assert bool(lnp.array(0.0)) is False
    with pytest.raises(ValueError):
        bool(np.array([1, 2]))
    with pytest.raises(ValueError):
        bool(lnp.array([1, 2]))
    with pytest.raises(ValueError):
        if lnp.array([1, 2]) == lnp.array([1, 2]):
            pass


def test_chained_expression():
    x_np, y_np = make(np.float64, (4, 5)), make(np.float64, (5,), 1, positive=True)
    x, y = lnp.array(x_np), lnp.array(y_np)
    exp = ((x_np * 2 - y_np) / (1 + y_np ** 2)) ** 2 % 3 + abs(-x_np) // 0.5
    got = ((x * 2 - y) / (1 + y ** 2)) ** 2 % 3 + abs(-x) // 0.5
    check(got, exp)
    check((x > 0) & (x < 1), (x_np > 0) & (x_np < 1))
    check(~(x > 0) | (y < 1), ~(x_np > 0) | (y_np < 1))


def power_operator_params():
    for dtype, dt_id in zip(DTYPES, DTYPE_IDS):
        for e in (2, 0.5, -1, 1, 0, 3, 2.0, -2):
            marks = []
            if dtype is np.bool_ and e == 2 and isinstance(e, int):
                marks = [xfail("bug: bool_array ** 2 gives int64; NumPy's operator fast path makes it square() -> int8 "
                               "(_ufunc's _POWER_SPECIAL only applies to float/complex arrays)")]
            elif dtype is np.uint8 and isinstance(e, int) and e < 0:
                marks = [xfail(f"bug: uint8_array ** {e} does not raise OverflowError (the out-of-range Python int "
                               "wraps, see test_ufunc OUT_OF_RANGE_BUG)")]
            yield pytest.param(dtype, e, marks=marks, id=f"{dt_id}-{e!r}")


@pytest.mark.parametrize("dtype, exponent", list(power_operator_params()))
def test_power_operator_python_exponents(dtype, exponent):
    """``a ** 2`` etc. with NumPy's fast paths (result dtypes included)."""
    a_np = make(dtype, (2, 3), positive=True)
    run_both(lambda x, e: x ** e, (a_np, exponent), (lnp.array(a_np), exponent))
