"""``ufunc.reduce``, ``accumulate`` and ``reduceat`` of the order-dependent ufuncs
(``divide power arctan2 hypot floor_divide remainder fmod copysign logaddexp``... and
the function-defined ``nextafter ldexp float_power heaviside logaddexp2``), natively,
against NumPy: dtypes, shapes (0-d, empty), axes, views, ``initial where keepdims dtype
out``, NumPy's errors, and floating-point errors reported as NumPy reports them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import check, check_same_error, make, no_fallback, quiet  # noqa: F401

import legate_numeric as lnp

KERNEL = ["true_divide", "power", "arctan2", "hypot", "subtract", "floor_divide", "remainder", "fmod",
          "copysign", "logaddexp", "equal", "less"]
COMPOSED = ["nextafter", "float_power", "heaviside", "logaddexp2"]
DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.float16, np.float32, np.float64, np.complex128]


def values(dtype, shape, salt=0):
    # Small, nonzero values keep power and the divisions finite (and exact where NumPy is).
    x = make(dtype, shape, salt=salt, nonzero=True)
    if np.dtype(dtype).kind in "iu":
        x = (np.abs(x) % 3 + 1).astype(dtype)
    return x


def same(np_call, lnp_call, reference=None):
    exp, err = check_same_error(np_call, lnp_call)
    if err is None:
        with quiet():
            got = lnp_call()
            if reference is not None and np.asarray(exp).dtype in (np.float32, np.float64):
                exp = reference()
        # float16 subtract/divide: NumPy keeps a float32 accumulator or rounds each step
        # depending on its memory layout; within one float16 ulp.
        check(got, exp, rtol=2e-3 if np.asarray(exp).dtype == np.float16 else None)


def sequential(uf, x, axis, initial=None, where=True, keepdims=False):
    """NumPy's documented ``uf.reduce`` along one axis: ``uf`` left to right (its own
    ``accumulate``). NumPy 2.4's float32/float64 ``power.reduce`` and ``arctan2.reduce``
    compute ``uf(x[0], x[-1])`` instead (their SIMD loops misread a reduction), so the
    tests compare those two with this."""
    axis = 0 if axis is None else axis
    xs = np.moveaxis(x, axis, 0)
    mask = np.moveaxis(np.broadcast_to(where, x.shape), axis, 0)
    r = None if initial is None else np.full(xs.shape[1:], initial, dtype=uf(xs[:1], xs[:1]).dtype)
    for k in range(xs.shape[0]):
        r = xs[k].astype(uf(xs[k], xs[k]).dtype) if r is None else np.where(mask[k], uf(r, xs[k]), r)
    return np.expand_dims(r, axis) if keepdims else r


BUGGY = ("power", "arctan2")


@pytest.mark.parametrize("name", KERNEL + COMPOSED)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_reduce_and_accumulate_dtypes(name, dtype, no_fallback):
    x = values(dtype, (3, 5))
    uf, luf = getattr(np, name), getattr(lnp, name)
    for axis in (0, 1, -1):
        ref = (lambda: sequential(uf, x, axis)) if name in BUGGY else None
        same(lambda: uf.reduce(x, axis=axis), lambda: luf.reduce(lnp.array(x), axis=axis), ref)
        same(lambda: uf.accumulate(x, axis=axis), lambda: luf.accumulate(lnp.array(x), axis=axis))


@pytest.mark.parametrize("name", ["true_divide", "power", "arctan2", "hypot", "remainder", "logaddexp", "nextafter"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (0, 3), (1,), (7,), (2, 3, 4), (2, 1, 3, 2)], ids=str)
def test_shapes_and_axes(name, shape, no_fallback):
    x = values(np.float64, shape)
    uf, luf = getattr(np, name), getattr(lnp, name)
    axes = [None, ()] + list(range(-len(shape), len(shape))) + ([(0, len(shape) - 1)] if len(shape) > 1 else [])
    for axis in axes:
        for keepdims in (False, True):
            one = name in BUGGY and not isinstance(axis, tuple) and x.ndim and (axis is not None or x.ndim == 1)
            ref = (lambda: sequential(uf, x, axis, keepdims=keepdims)) if one else None
            same(lambda: uf.reduce(x, axis=axis, keepdims=keepdims), lambda: luf.reduce(lnp.array(x), axis=axis, keepdims=keepdims), ref)
            ref = (lambda: sequential(uf, x, axis, initial=1.5, keepdims=keepdims)) if one else None
            same(lambda: uf.reduce(x, axis=axis, keepdims=keepdims, initial=1.5),
                 lambda: luf.reduce(lnp.array(x), axis=axis, keepdims=keepdims, initial=1.5), ref)
        if not isinstance(axis, tuple):
            same(lambda: uf.accumulate(x, axis=axis), lambda: luf.accumulate(lnp.array(x), axis=axis))


def test_order_is_numpys():
    # Sequential, left to right: exact in binary floating point.
    x = np.array([[1e3, 7.0, 3.0, 0.1, 13.0], [2.0, 0.3, 5.0, 11.0, 17.0]])
    for name in ("true_divide", "subtract", "fmod", "hypot", "logaddexp"):
        uf, luf = getattr(np, name), getattr(lnp, name)
        for axis in (0, 1):
            exp = sequential(uf, x, axis) if name in BUGGY else uf.reduce(x, axis=axis)
            check(luf.reduce(lnp.array(x), axis=axis), exp, exact=True)
            check(luf.accumulate(lnp.array(x), axis=axis), uf.accumulate(x, axis=axis), exact=True)
    check(lnp.hypot.reduce(lnp.array([-0.0])), np.hypot.reduce(np.array([-0.0])), exact=True)  # from the identity 0


def test_views(no_fallback):
    base = values(np.float64, (6, 8))
    for view in (lambda a: a.T, lambda a: a[::2, 1::3], lambda a: a[::-1], lambda a: a[1:5, 2:]):
        for axis in (0, 1):
            check(lnp.divide.reduce(view(lnp.array(base)), axis=axis), np.divide.reduce(view(base), axis=axis))
            check(lnp.power.accumulate(view(lnp.array(base)), axis=axis), np.power.accumulate(view(base), axis=axis))


def test_larger_arrays_split_across_points():
    # Long and many lines: the launch splits the other axes, never the folded one.
    x = np.random.default_rng(3).uniform(0.5, 1.5, size=(300, 257))
    for axis in (0, 1):
        check(lnp.divide.reduce(lnp.array(x), axis=axis), np.divide.reduce(x, axis=axis), exact=True)
        check(lnp.arctan2.accumulate(lnp.array(x), axis=axis), np.arctan2.accumulate(x, axis=axis), exact=True)
    y = np.random.default_rng(4).uniform(0.5, 1.5, size=5000)
    check(lnp.divide.reduce(lnp.array(y)), np.divide.reduce(y), exact=True)


def test_where_and_initial(no_fallback):
    x = values(np.float64, (3, 4))
    mask = np.array([True, False, True, True])
    for name in ("true_divide", "power", "hypot", "logaddexp", "nextafter"):
        uf, luf = getattr(np, name), getattr(lnp, name)
        for axis in (0, 1, None):
            if axis is None and name in ("true_divide", "power", "nextafter"):
                continue
            ref = (lambda: sequential(uf, x, axis, initial=2.0, where=mask)) if name in BUGGY else None
            same(lambda: uf.reduce(x, axis=axis, where=mask, initial=2.0), lambda: luf.reduce(lnp.array(x), axis=axis, where=lnp.array(mask), initial=2.0), ref)
            same(lambda: uf.reduce(x, axis=axis, where=mask), lambda: luf.reduce(lnp.array(x), axis=axis, where=mask))
    # NumPy converts `initial` to the loop's type.
    same(lambda: np.floor_divide.reduce(np.arange(1, 7, dtype=np.int8), initial=1000),
         lambda: lnp.floor_divide.reduce(lnp.arange(1, 7, dtype=np.int8), initial=1000))


def test_dtype_and_out(no_fallback):
    x = np.array([[100, 3, 2], [7, 2, 1]], dtype=np.int8)
    check(lnp.power.reduce(lnp.array(x), axis=1, dtype=np.int64), np.power.reduce(x, axis=1, dtype=np.int64))
    check(lnp.divide.reduce(lnp.array(x), axis=0, dtype=np.float32), np.divide.reduce(x, axis=0, dtype=np.float32))
    out, lout = np.zeros(2, np.int64), lnp.zeros(2, np.int64)  # out's type is the loop's
    r = lnp.power.reduce(lnp.array(x), axis=1, out=lout)
    assert r is lout
    check(lout, np.power.reduce(x, axis=1, out=out))
    hout = np.zeros(3)  # a NumPy array as out
    lnp.divide.accumulate(lnp.array(x[0]), out=hout)
    check(hout, np.divide.accumulate(x[0]))
    with pytest.raises(ValueError):
        lnp.divide.reduce(lnp.array(x), axis=1, out=lnp.zeros(3))
    with pytest.raises(ValueError):
        lnp.divide.accumulate(lnp.array(x), axis=1, out=lnp.zeros(3))
    same(lambda: np.divide.reduce(np.arange(3) + 1, dtype=np.int64), lambda: lnp.divide.reduce(lnp.arange(3) + 1, dtype=np.int64))


def test_errors_as_numpys(no_fallback):
    x = values(np.float64, (2, 3))
    for call in (
        lambda m: m.divide.reduce(x if m is np else lnp.array(x), axis=(0, 1)),
        lambda m: m.divide.reduce(x if m is np else lnp.array(x), axis=None),
        lambda m: m.divide.reduce(np.zeros((0, 3)) if m is np else lnp.zeros((0, 3))),
        lambda m: m.divide.reduce(x if m is np else lnp.array(x), where=[True, False, True]),
        lambda m: m.divide.reduce(x if m is np else lnp.array(x), axis=2),
        lambda m: m.divide.accumulate(x if m is np else lnp.array(x), axis=None),
        lambda m: m.divide.accumulate(np.float64(2) if m is np else lnp.array(2.0)),
        lambda m: m.power.reduce(np.array([2, -1]) if m is np else lnp.array([2, -1])),
        lambda m: m.subtract.reduce(np.array([True, False]) if m is np else lnp.array([True, False])),
        lambda m: m.arctan2.reduce(np.array([1 + 1j]) if m is np else lnp.array([1 + 1j])),
        lambda m: m.sin.reduce(x if m is np else lnp.array(x)),
        lambda m: m.less.reduce(np.array([1, 2]) if m is np else lnp.array([1, 2])),
        lambda m: m.nextafter.reduce(x if m is np else lnp.array(x), axis=(0, 1)),
    ):
        exp, err = check_same_error(lambda: call(np), lambda: call(lnp))
        assert err is not None


def test_hypot_and_logaddexp_reorder_over_several_axes():
    x = values(np.float64, (2, 3, 4))
    for name in ("hypot", "logaddexp"):
        for axis in (None, (0, 2), (1, 2)):
            check(getattr(lnp, name).reduce(lnp.array(x), axis=axis), getattr(np, name).reduce(x, axis=axis))


def test_reduceat(no_fallback):
    x = values(np.float64, (4, 6))
    for name in ("true_divide", "fmod", "hypot", "nextafter", "add", "bitwise_or"):
        if name == "bitwise_or":
            x = values(np.int64, (4, 6))
        for idx, axis in (([0, 2, 1, 5], 1), ([0, 3], 0), ([2], 1)):
            check(getattr(lnp, name).reduceat(lnp.array(x), idx, axis=axis), getattr(np, name).reduceat(x, idx, axis=axis))


@pytest.mark.parametrize("dtype", [np.int8, np.float64, np.complex128, np.bool_])
def test_reduceat_single_elements_take_the_loops_type(dtype):
    # logical_and's loop gives bool: single-element segments (an index not below the
    # next) are cast to it too, not left in the input's type.
    x = (np.arange(12).reshape(3, 4) % 5).astype(dtype)
    for name in ("logical_and", "logical_or", "add", "maximum"):
        for idx, axis in (([0, 2, 1, 3], 1), ([2, 0], 0)):
            check(getattr(lnp, name).reduceat(lnp.array(x), idx, axis=axis), getattr(np, name).reduceat(x, idx, axis=axis))


def test_numpy_dispatch_reaches_the_native_methods(no_fallback):
    x = values(np.float64, (3, 4))
    check(np.divide.reduce(lnp.array(x), axis=1), np.divide.reduce(x, axis=1))
    check(np.power.accumulate(lnp.array(x), axis=0), np.power.accumulate(x, axis=0))


# ---- floating-point errors: NumPy's "... encountered in reduce/accumulate"


def _fp(call, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lnp.errstate(all="warn"):
            np.asarray(call())
    assert any(message in str(w.message) for w in caught), [str(w.message) for w in caught]
    with pytest.raises(FloatingPointError, match=message):
        with lnp.errstate(all="raise"):
            np.asarray(call())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with lnp.errstate(all="ignore"):
            np.asarray(call())


def test_fold_reports_floating_point_errors():
    _fp(lambda: lnp.divide.reduce(lnp.array([1.0, 0.0])), "divide by zero encountered in reduce")
    _fp(lambda: lnp.divide.accumulate(lnp.array([1.0, 2.0, 0.0])), "divide by zero encountered in accumulate")
    _fp(lambda: lnp.floor_divide.reduce(lnp.array([7, 0, 3])), "divide by zero encountered in reduce")
    _fp(lambda: lnp.power.reduce(lnp.array([1e200, 2.0])), "overflow encountered in reduce")
    _fp(lambda: lnp.divide.reduceat(lnp.array([1.0, 2.0, 3.0, 0.0]), [0, 2]), "divide by zero encountered in reduceat")


def test_reductions_report_floating_point_errors():
    _fp(lambda: lnp.sum(lnp.array([np.inf, -np.inf])), "invalid value encountered in reduce")
    _fp(lambda: lnp.sum(lnp.full((4, 3), 3e38, dtype=np.float32), axis=0), "overflow encountered in reduce")
    _fp(lambda: lnp.prod(lnp.array([1e300, 1e300])), "overflow encountered in reduce")
    _fp(lambda: lnp.cumsum(lnp.array([3e38, 3e38], dtype=np.float32)), "overflow encountered in accumulate")
    _fp(lambda: lnp.mean(lnp.array([3e38, 3e38], dtype=np.float32)), "overflow encountered in reduce")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with lnp.errstate(all="warn"):
            np.asarray(lnp.sum(lnp.array([1.0, 2.0])))
            np.asarray(lnp.max(lnp.array([np.nan, 1.0])))
            np.asarray(lnp.sum(lnp.array([np.inf, 1.0])))


# ---- ufunc.at: any binary ufunc whose loop is the target's dtype, in one kernel


@pytest.mark.parametrize("name", ["power", "floor_divide", "remainder", "fmod", "arctan2", "hypot", "copysign",
                                  "logaddexp", "true_divide", "subtract", "left_shift"])
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint8, np.float32, np.float64, np.complex128], ids=lambda d: np.dtype(d).name)
def test_at_repeated_indices(name, dtype, no_fallback):
    idx = np.array([3, 0, 3, 3, 1, 0, 3, -1])
    base, b = values(dtype, (6,)), values(dtype, (8,), salt=1)
    exp = base.copy()
    try:
        with np.errstate(all="ignore"):
            getattr(np, name).at(exp, idx, b)
    except Exception as err:  # noqa: BLE001 - NumPy's error is the expectation
        with pytest.raises(type(err)):
            got = lnp.array(base)
            getattr(lnp, name).at(got, idx, lnp.array(b))
            np.asarray(got)
        return
    got = lnp.array(base)
    with quiet():
        getattr(lnp, name).at(got, lnp.array(idx), lnp.array(b))
    check(got, exp)


def test_at_many_repeats_and_2d(no_fallback):
    a = np.ones((4, 5))
    idx = (np.array([1, 1, 1, 2] * 50), np.array([0, 0, 0, 4] * 50))
    exp = a.copy()
    np.power.at(exp, idx, 1.001)
    got = lnp.array(a)
    lnp.power.at(got, idx, 1.001)
    check(got, exp)
    with pytest.raises(ValueError):
        got = lnp.array(np.arange(4))
        lnp.power.at(got, [0, 0], -1)
        np.asarray(got)


@pytest.mark.parametrize("name", ["true_divide", "subtract", "fmod", "hypot", "logaddexp", "floor_divide"])
def test_few_long_lines(name, no_fallback):
    # Fewer lines than the kernel's step-at-a-time threshold: a line at a time, in runs
    # longer than its scratch block; views with strides along the folded axis too.
    x = np.random.default_rng(5).uniform(0.5, 1.5, size=(3, 2500))
    uf, luf = getattr(np, name), getattr(lnp, name)
    for arr, lx in ((x, lnp.array(x)), (x.T, lnp.array(x).T), (x[:, ::3], lnp.array(x)[:, ::3])):
        axis = 1 if arr.shape[0] == 3 else 0
        check(luf.reduce(lx, axis=axis), uf.reduce(arr, axis=axis), exact=True)
        check(luf.reduce(lx, axis=axis, initial=0.75, keepdims=True), uf.reduce(arr, axis=axis, initial=0.75, keepdims=True), exact=True)
        # (subtract.accumulate is the sum's scan, split along the axis on several CPUs)
        check(luf.accumulate(lx, axis=axis), uf.accumulate(arr, axis=axis), exact=name != "subtract")
    ints = (np.arange(1, 3001) % 7 + 1).astype(np.int32)
    check(luf.accumulate(lnp.array(ints)), uf.accumulate(ints))


def test_at_reports_integer_division_by_zero():
    def at(name, dtype, b):
        target = lnp.array(np.arange(1, 5, dtype=dtype))
        getattr(lnp, name).at(target, [0, 2], b)
        return target  # reading it reports what the kernel noted

    for name in ("floor_divide", "remainder", "fmod"):
        for dtype in (np.int8, np.int64, np.uint16):
            _fp(lambda: at(name, dtype, 0), f"divide by zero encountered in {name}")
            _fp(lambda: at(name, dtype, lnp.array(np.array([3, 0], dtype))), f"divide by zero encountered in {name}")
    # Nonzero divisors warn of nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = lnp.array(np.arange(1, 5))
        lnp.floor_divide.at(got, [0, 0, 1], 2)
        check(got, np.array([0, 1, 3, 4]))


# ---- ldexp: a loop of two input types (float, int), so the elements keep theirs


def ldexp_sequential(x, axis=0, dtype=None, initial=None, where=True, keepdims=False):
    """``ldexp.reduce`` as documented: left to right, the accumulator in the loop's float
    type, the elements in its int type. NumPy 2.4's float32 loop misreads a reduction
    along a contiguous axis (``ldexp(x[0], x[-1])``, as its power/arctan2 do)."""
    loop, elem, _ = np.ldexp.resolve_dtypes((None if dtype is None else np.dtype(dtype), x.dtype, None), reduction=True)
    if axis is None:
        x, axis = x.reshape(-1), 0
    xs = np.moveaxis(x, axis, 0).astype(elem)
    mask = np.moveaxis(np.broadcast_to(where, x.shape), axis, 0)
    acc, start = (np.full(xs.shape[1:], initial, loop), 0) if initial is not None else (xs[0].astype(loop), 1)
    for k in range(start, xs.shape[0]):
        acc = np.where(mask[k], np.ldexp(acc, xs[k]).astype(loop), acc)
    return np.expand_dims(acc, axis) if keepdims else acc


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64,
                                   np.float16, np.float64], ids=lambda d: np.dtype(d).name)
def test_ldexp_reduce_keeps_integer_elements(dtype, no_fallback):
    x = values(dtype, (3, 4))
    for kwargs in ({"axis": 0}, {"axis": 1}, {"axis": -1, "keepdims": True}, {"axis": None}, {"axis": 0, "initial": 2},
                   {"axis": 1, "dtype": np.float32}, {"axis": 1, "where": np.array([True, False, True, True]), "initial": 1}):
        lkw = {k: (lnp.array(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        same(lambda: np.ldexp.reduce(x, **kwargs), lambda: lnp.ldexp.reduce(lnp.array(x), **lkw),
             lambda: ldexp_sequential(x, **kwargs))
    for view in (x[0], x[0, ::-2], x[:, 1]):
        same(lambda: np.ldexp.reduce(view), lambda: lnp.ldexp.reduce(lnp.array(view)), lambda: ldexp_sequential(view))
    same(lambda: np.ldexp.reduce(x[:, :0], axis=1), lambda: lnp.ldexp.reduce(lnp.array(x)[:, :0], axis=1))
    same(lambda: np.ldexp.accumulate(x, axis=1), lambda: lnp.ldexp.accumulate(lnp.array(x), axis=1))
    same(lambda: np.ldexp.reduceat(x, [0, 2], axis=1), lambda: lnp.ldexp.reduceat(lnp.array(x), [0, 2], axis=1))


@pytest.mark.parametrize("name", ["add", "maximum", "bitwise_xor", "bitwise_or", "logical_and", "logical_or", "power", "gcd", "lcm"])
def test_reduce_of_0d_and_initial_without_axes(name, no_fallback):
    """A 0-d array reduces over no axes for axis 0 or -1 (it raised AxisError), and a
    reduction over no axes still meets ``initial`` (bitwise_xor ignored it);
    logical_and/logical_or take ``initial`` (they raised KeyError)."""
    for x in (np.array(3), np.array(True), np.arange(6).reshape(2, 3)):
        for axis in (0, -1, (), None, (0,), 1):
            for kw in ({}, {"initial": 1}, {"initial": 0, "keepdims": True}):
                same(lambda: getattr(np, name).reduce(x, axis=axis, **kw), lambda: getattr(lnp, name).reduce(lnp.array(x), axis=axis, **kw))
