"""The Rust fast paths (operators, ufunc calls, ``a[...] = b``) agree with NumPy.

The first call with a combination of operand types goes through the Python layer,
which teaches Rust the loop; later calls with the same types skip Python. Every test
here therefore calls each operation at least twice and compares both results, and
mixes in calls the fast path must hand back (casts, broadcasting, overlapping
outputs, out-of-range integers, NumPy's special exponents).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DTYPE_IDS, DTYPES, check, make

import legate_numeric as lnp


def twice(fn):
    """Runs `fn` twice (slow path, then fast path) and returns both results."""
    return fn(), fn()


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", ["+", "-", "*", "<", "==", "&"])
def test_repeated_binary_operators(dtype, op):
    a_np, b_np = make(dtype, (5, 3)), make(dtype, (5, 3), salt=1)
    if op == "&" and np.dtype(dtype).kind in "fc":
        pytest.skip("bitwise and is not defined on floating point")
    if op == "-" and dtype is np.bool_:
        pytest.skip("NumPy refuses boolean subtract")
    f = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
         "<": lambda x, y: x < y, "==": lambda x, y: x == y, "&": lambda x, y: x & y}[op]
    a, b = lnp.array(a_np), lnp.array(b_np)
    with np.errstate(all="ignore"):
        exp = f(a_np, b_np)
    for got in twice(lambda: f(a, b)):
        check(got, exp)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.float32, np.float64, np.complex128])
@pytest.mark.parametrize("scalar", [2, -3, 2.5, 0])
def test_repeated_python_scalars(dtype, scalar):
    """Python numbers are weak: the array's dtype wins where NumPy says so."""
    a_np = make(dtype, (6,), positive=True)
    a = lnp.array(a_np)
    for f in (lambda x: x * scalar, lambda x: scalar + x, lambda x: x - scalar):
        try:
            exp = f(a_np)
        except OverflowError:
            with pytest.raises(OverflowError):
                f(a)
            continue
        for got in twice(lambda: f(a)):
            check(got, exp)


def test_out_of_range_integers_still_raise_after_warm_up():
    a = lnp.array(np.arange(5, dtype=np.int8))
    check(a + 1, np.arange(5, dtype=np.int8) + 1)
    check(a + 1, np.arange(5, dtype=np.int8) + 1)
    with pytest.raises(OverflowError):
        a + 1000
    b = lnp.array(np.arange(5, dtype=np.int64))
    b + 1
    with pytest.raises(OverflowError):
        b + 2**70


def test_large_python_ints_with_float_arrays_round_like_numpy():
    a_np = np.array([0.5, 1.5])
    a = lnp.array(a_np)
    a + 1
    for big in (2**53 + 1, -(2**60) + 7, 2**80):
        check(a + big, a_np + big)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1, 1, 2.0])
def test_power_keeps_numpys_special_exponents(exponent):
    x_np = np.linspace(0.1, 3.0, 9)
    x = lnp.array(x_np)
    for got in twice(lambda: x**exponent):
        check(got, x_np**exponent)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", ["negative", "absolute", "sqrt", "exp", "isnan", "invert"])
def test_repeated_unary(dtype, name):
    a_np = make(dtype, (4, 3), positive=True)
    np_f = getattr(np, name)
    try:
        with np.errstate(all="ignore"):
            exp = np_f(a_np)
    except TypeError:
        with pytest.raises(TypeError):
            getattr(lnp, name)(lnp.array(a_np))
        return
    a = lnp.array(a_np)
    for got in twice(lambda: getattr(lnp, name)(a)):
        check(got, exp, rtol=1e-6 if np.dtype(dtype) == np.float32 else None)
    if name == "negative" and dtype is not np.bool_:
        check(-a, exp)
        check(-a, exp)


def test_mixed_types_and_broadcasting_leave_the_fast_path():
    a_np = make(np.float64, (3, 4))
    i_np = make(np.int32, (3, 4), salt=1)
    row_np = make(np.float64, (4,), salt=2)
    a, i, row = lnp.array(a_np), lnp.array(i_np), lnp.array(row_np)
    for _ in range(2):
        check(a + i, a_np + i_np)
        check(a * row, a_np * row_np)
        check(a + np.float32(2.5), a_np + np.float32(2.5))
        check(a + True, a_np + True)
        check(a + np.ones(4), a_np + np.ones(4))
        check(lnp.add(a, 1.0, out=lnp.empty((3, 4))), a_np + 1.0)


def test_in_place_operators_with_overlapping_views():
    for _ in range(2):
        a_np = np.arange(10.0)
        a = lnp.array(a_np)
        a += 1.0
        a_np += 1.0
        a[1:] += a[:-1]
        a_np[1:] += a_np[:-1]
        check(a, a_np)
        a *= a
        a_np *= a_np
        check(a, a_np)


def test_in_place_into_another_dtype_casts_or_raises_like_numpy():
    a = lnp.array(np.arange(4, dtype=np.int64))
    f = lnp.array(np.ones(4))
    for _ in range(2):
        with pytest.raises(TypeError):
            a += f  # float64 into int64 is not a same-kind cast
    b = lnp.array(np.ones(4))
    for _ in range(2):
        b += a
    check(b, np.ones(4) + 2 * np.arange(4))


def test_setitem_whole_array():
    x_np = np.zeros(6)
    x = lnp.array(x_np)
    y_np = make(np.float64, (6,), salt=3)
    y = lnp.array(y_np)
    for _ in range(2):
        x[...] = y
        check(x, y_np)
        x[:] = 2
        check(x, np.full(6, 2.0))
        x[...] = 1.5
        check(x, np.full(6, 1.5))
    i = lnp.array(np.zeros(6, dtype=np.int32))
    i[...] = y  # a cast: the Python path
    check(i, y_np.astype(np.int32))
    with pytest.raises((TypeError, ValueError, OverflowError)):
        i[...] = 2**40
    m = lnp.array(np.zeros((2, 3)))
    m[...] = lnp.array(np.arange(3.0))  # broadcast
    check(m, np.broadcast_to(np.arange(3.0), (2, 3)))
    m[:] = lnp.array(np.ones((2, 3)))
    check(m, np.ones((2, 3)))


def test_views_see_fast_path_writes():
    base_np = np.zeros((4, 4))
    base = lnp.array(base_np)
    view = base[1:3]
    for _ in range(2):
        view[...] = view + 1.0
        base_np[1:3] = base_np[1:3] + 1.0
    check(base, base_np)


BASIC_KEYS = [
    (1,), (-1,), (slice(1, -1),), (slice(None, None, -2),), (Ellipsis, 1), (None, 2), (1, None, slice(2, 4)),
    (slice(3, 1, -1), Ellipsis), (Ellipsis,), (slice(None),), (slice(-100, 100, 3), -2), (0, 0, slice(None)),
    (slice(5, 2),), (np.int64(1),), (True,), (slice(np.int32(1), None),),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_getitem_matches_numpy(key):
    a_np = np.arange(60.0).reshape(4, 5, 3)
    a = lnp.array(a_np)
    for _ in range(2):
        check(a[key], a_np[key])


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_setitem_matches_numpy(key):
    a_np = np.arange(60.0).reshape(4, 5, 3)
    a = lnp.array(a_np)
    shape = a_np[key].shape
    v_np = np.arange(float(np.prod(shape))).reshape(shape) + 100
    a[key] = lnp.array(v_np)
    a_np[key] = v_np
    check(a, a_np)
    a[key] = -1.5
    a_np[key] = -1.5
    check(a, a_np)


@pytest.mark.parametrize("key", [(4,), (-5,), (0, 5), (1, 2, 3, 0), (Ellipsis, Ellipsis), (slice(None, None, 0),)], ids=repr)
def test_basic_index_errors_like_numpy(key):
    a_np = np.zeros((4, 5, 3))
    a = lnp.array(a_np)
    with pytest.raises(Exception) as np_err:
        a_np[key]
    with pytest.raises(type(np_err.value)):
        a[key]
    with pytest.raises(type(np_err.value)):
        a[key] = 1.0


def test_overlapping_basic_setitem_copies_like_numpy():
    for _ in range(2):
        x_np = np.arange(10.0)
        x = lnp.array(x_np)
        x[1:] = x[:-1]
        x_np[1:] = x_np[:-1]
        check(x, x_np)
        x[::-1] = x
        x_np[::-1] = x_np.copy()
        check(x, x_np)


def test_fast_path_arrays_read_their_slots_and_are_not_gc_tracked():
    """The fast path reads and writes ``_store``/``dtype`` slots directly and leaves its
    results out of the cyclic GC (they cannot be in a cycle): results, views and
    in-place updates still behave, and a collection mid-loop changes nothing."""
    import gc

    x_np, y_np = np.zeros(1024), np.arange(1024.0)
    x, y = lnp.array(x_np), lnp.array(y_np)
    for i in range(50):
        x[...] = x + 2 * y
        x_np[...] = x_np + 2 * y_np
        if i % 10 == 0:
            gc.collect()
    check(x, x_np)
    t = x + y
    assert not gc.is_tracked(t)
    assert t.dtype == np.float64 and t.shape == (1024,)
    v = t[1:5]
    assert v.dtype == np.float64 and not gc.is_tracked(v)
    check(v, (x_np + y_np)[1:5])
    check(-t, -(x_np + y_np))
