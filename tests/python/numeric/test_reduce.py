"""Reductions: sum prod min max mean var std all any count_nonzero nansum nanprod nanmin
nanmax, with axis None/int/negative/tuple, keepdims, dtype=, out=, initial=, ddof=."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import DTYPE_IDS, DTYPES, check, check_same_error, make, quiet, xfail

REDUCTIONS = ["sum", "prod", "min", "max", "mean", "var", "std", "all", "any", "count_nonzero",
              "nansum", "nanprod", "nanmin", "nanmax"]

SHAPE_AXES = [
    ((), None),
    ((), 0),
    ((0,), None),
    ((0,), 0),
    ((3, 0), 0),
    ((3, 0), 1),
    ((7,), None),
    ((7,), 0),
    ((7,), -1),
    ((3, 4), None),
    ((3, 4), 0),
    ((3, 4), -1),
    ((3, 4), (0, 1)),
    ((2, 3, 4), 1),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), (-1, -2)),
    ((2, 1, 3, 2), (1, 3)),
    ((2, 1, 3, 2), None),
]


def data(fn, dtype, shape, salt=0):
    """Small values (products stay in range); NaNs sprinkled in for the nan* functions."""
    dt = np.dtype(dtype)
    if fn in ("prod", "nanprod"):
        a = make(dtype, shape, salt, low=-2 if dt.kind != "u" else 0, high=2)
    else:
        a = make(dtype, shape, salt)
    if fn.startswith("nan") and dt.kind in "fc" and a.size:
        flat = a.reshape(-1)
        flat[::3] = np.nan
    return a


def tol(dtype):
    dt = np.dtype(dtype)
    if dt in (np.float32, np.complex64):
        return dict(rtol=1e-4, atol=1e-4)
    return dict(rtol=1e-10, atol=1e-12)


def call(mod, fn, a, **kw):
    return getattr(mod, fn)(a, **kw)


COMPLEX_MINMAX_BUG = (
    "bug: {} of complex128 raises TypeError('reduction Min/Max is not defined for type complex128'); "
    "NumPy orders complex numbers lexicographically"
)


def expected_bug(fn, dtype, shape, axis):
    if fn in ("min", "max", "nanmin", "nanmax") and dtype is np.complex128 and np.prod(shape, dtype=int) > 0:
        return COMPLEX_MINMAX_BUG.format(fn)
    if fn in ("mean", "var", "std") and shape == () and axis == 0:
        return f"bug: {fn} of a 0-d array with axis=0 returns a value; NumPy raises AxisError"
    return None


def reduction_params():
    for fn in REDUCTIONS:
        for dtype, dt_id in zip(DTYPES, DTYPE_IDS):
            for shape, axis in SHAPE_AXES:
                reason = expected_bug(fn, dtype, shape, axis)
                marks = [xfail(reason)] if reason else []
                yield pytest.param(fn, dtype, shape, axis, marks=marks, id=f"{fn}-{dt_id}-{shape}-{axis}")


@pytest.mark.parametrize("fn, dtype, shape, axis", list(reduction_params()))
def test_reduction(fn, dtype, shape, axis):
    a_np = data(fn, dtype, shape)
    a = lnp.array(a_np)
    for keepdims in (False, True):
        kw = dict(axis=axis, keepdims=keepdims)
        exp, err = check_same_error(lambda: call(np, fn, a_np, **kw), lambda: call(lnp, fn, a, **kw))
        if err is not None:
            continue
        with quiet():
            got = call(lnp, fn, a, **kw)
        assert isinstance(got, (lnp.ndarray, int, np.integer)), type(got)
        check(got, exp, **tol(np.asarray(exp).dtype))


VIEWS = {
    "step": lambda x: x[::2, 1::2],
    "negstep": lambda x: x[::-1, ::-2],
    "transpose": lambda x: x.T,
    "bcast": lambda x: x[:1],
}


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("fn", REDUCTIONS)
def test_reduction_of_views(fn, axis, view):
    a_np = data(fn, np.float64, (4, 6))
    a = lnp.array(a_np)
    if view == "bcast":
        v_np, v = np.broadcast_to(a_np[:1], (3, 6)), lnp.broadcast_to(a[:1], (3, 6))
    else:
        v_np, v = VIEWS[view](a_np), VIEWS[view](a)
    with quiet():
        exp = call(np, fn, v_np, axis=axis)
        got = call(lnp, fn, v, axis=axis)
    check(got, exp)


@pytest.mark.parametrize("fn", ["sum", "prod", "min", "max", "mean", "var", "std", "all", "any"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)], ids=str)
def test_reduction_methods(fn, axis):
    a_np = data(fn, np.int32, (3, 4))
    a = lnp.array(a_np)
    for keepdims in (False, True):
        with quiet():
            exp = getattr(a_np, fn)(axis=axis, keepdims=keepdims)
            got = getattr(a, fn)(axis=axis, keepdims=keepdims)
        check(got, exp)


@pytest.mark.parametrize("fn", REDUCTIONS)
def test_numpy_functions_dispatch_to_legate(fn):
    """``np.sum(legate_array)`` runs natively (``__array_function__``)."""
    a_np = data(fn, np.float64, (3, 4))
    a = lnp.array(a_np)
    with quiet():
        got = getattr(np, fn)(a, axis=0)
        exp = getattr(np, fn)(a_np, axis=0)
    assert isinstance(got, lnp.ndarray)
    check(got, exp)


@pytest.mark.parametrize(
    "fn, in_dtype, dtype",
    [pytest.param("var", np.int32, np.float32, marks=xfail(
        "bug: var(int32 array, dtype=float32) gives float64 (the int array minus the float32 mean "
        "promotes to float64 in _reduce.var); NumPy gives float32")),
     pytest.param("std", np.int64, np.float32, marks=xfail("bug: std(int64 array, dtype=float32) gives float64; NumPy float32")),
     ("sum", np.int32, np.float32), ("sum", np.uint8, np.uint8), ("sum", np.bool_, np.int32), ("sum", np.float32, np.float64),
     ("sum", np.float64, np.complex128), ("sum", np.int64, np.int32), ("prod", np.int32, np.float64), ("prod", np.uint8, np.int16),
     ("mean", np.int32, np.float32), ("mean", np.float32, np.float64), ("mean", np.int64, np.complex128),
     ("var", np.float32, np.float64),
     ("nansum", np.float32, np.float64), ("nanprod", np.float64, np.float32)],
    ids=str,
)
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_reduction_dtype(fn, in_dtype, dtype, axis):
    a_np = data(fn, in_dtype, (3, 4))
    with quiet():
        exp = getattr(np, fn)(a_np, axis=axis, dtype=dtype)
        got = getattr(lnp, fn)(lnp.array(a_np), axis=axis, dtype=dtype)
    check(got, exp, **tol(dtype))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_, np.float32], ids=["int32", "uint8", "bool", "float32"])
def test_default_accumulation_dtypes(dtype):
    """NumPy: sum/prod of small ints accumulate in the default int; mean of ints is float64."""
    a_np = data("sum", dtype, (5,))
    a = lnp.array(a_np)
    for fn in ("sum", "prod", "mean", "var", "std", "min", "max", "all", "any"):
        with quiet():
            exp = getattr(np, fn)(a_np)
            got = getattr(lnp, fn)(a)
        assert np.asarray(got).dtype == np.asarray(exp).dtype, fn
        check(got, exp, **tol(np.asarray(exp).dtype))


@pytest.mark.parametrize("ddof", [0, 1, 2, pytest.param(5, marks=xfail(
    "bug: var/std with ddof >= the count divide by NaN and give nan; NumPy divides by 0 (inf, with a warning)"))])
@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64, np.complex128], ids=["int64", "float32", "float64", "complex128"])
def test_var_std_ddof(fn, ddof, dtype):
    a_np = make(dtype, (4, 3))
    for axis in (None, 0, 1):
        with quiet():
            exp = getattr(np, fn)(a_np, axis=axis, ddof=ddof)
            got = getattr(lnp, fn)(lnp.array(a_np), axis=axis, ddof=ddof)
        check(got, exp, **tol(np.asarray(exp).dtype))


def test_var_of_large_offset_is_accurate():
    """Two-pass variance: a large common offset does not destroy the result."""
    a_np = 1e8 + make(np.float64, (50,))
    check(lnp.var(lnp.array(a_np)), np.var(a_np), rtol=1e-6)


@pytest.mark.parametrize("fn", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("initial", [0, 5, -3.5])
def test_reduction_initial(fn, initial):
    a_np = data(fn, np.float64, (3, 4))
    for axis in (None, 0):
        exp = getattr(np, fn)(a_np, axis=axis, initial=initial)
        got = getattr(lnp, fn)(lnp.array(a_np), axis=axis, initial=initial)
        check(got, exp)
    # With an initial value, empty max/min are defined.
    e_np = np.zeros((0, 3))
    check(getattr(lnp, fn)(lnp.array(e_np), axis=0, initial=initial), getattr(np, fn)(e_np, axis=0, initial=initial))


@pytest.mark.parametrize("fn", ["sum", "prod", "max", "min", "mean", "var", "std", "all", "any", "nansum", "nanmax"])
def test_reduction_out(fn):
    a_np = data(fn, np.float64, (3, 4))
    exp = getattr(np, fn)(a_np, axis=0)
    out = lnp.zeros(4, dtype=exp.dtype)
    got = getattr(lnp, fn)(lnp.array(a_np), axis=0, out=out)
    assert got is out
    check(out, exp)


@pytest.mark.parametrize("fn", ["sum", "max", "all", "mean"])
def test_reduction_where_falls_back(fn):
    a_np = data(fn, np.float64, (3, 4))
    mask = np.array([True, False, True, True])
    kw = dict(where=mask)
    if fn == "max":
        kw["initial"] = -10.0
    with quiet():
        exp = getattr(np, fn)(a_np, axis=1, **kw)
        got = getattr(lnp, fn)(lnp.array(a_np), axis=1, **kw)
    check(got, exp)


@pytest.mark.parametrize("fn", REDUCTIONS)
def test_reduction_bad_axis(fn):
    a_np = data(fn, np.float64, (3, 4))
    a = lnp.array(a_np)
    for axis in (2, -3, (0, 2)):
        with pytest.raises(np.exceptions.AxisError):
            getattr(np, fn)(a_np, axis=axis)
        with pytest.raises(np.exceptions.AxisError):
            getattr(lnp, fn)(a, axis=axis)
    if fn != "count_nonzero":
        with pytest.raises(ValueError):
            getattr(np, fn)(a_np, axis=(0, 0))
        with pytest.raises(ValueError):
            getattr(lnp, fn)(a, axis=(0, -2))


@pytest.mark.parametrize(
    "fn, dtype",
    [pytest.param(fn, dt, id=f"{fn}-{np.dtype(dt).name}",
                  marks=[xfail(COMPLEX_MINMAX_BUG.format(fn))] if dt is np.complex128 and fn in ("nanmin", "nanmax") else [])
     for fn in ("nanmin", "nanmax", "nansum", "nanprod") for dt in (np.float32, np.float64, np.complex128)],
)
def test_nan_reductions_all_nan_slices(fn, dtype):
    a_np = np.array([[np.nan, 1.0, np.nan], [np.nan, np.nan, 2.0]], dtype=dtype)
    a = lnp.array(a_np)
    for axis in (None, 0, 1):
        exp, err = check_same_error(lambda: getattr(np, fn)(a_np, axis=axis), lambda: getattr(lnp, fn)(a, axis=axis))
        if err is None:
            with quiet():
                got = getattr(lnp, fn)(a, axis=axis)
            check(got, exp)
    full_nan = np.full((2, 2), np.nan, dtype=dtype)
    exp, err = check_same_error(lambda: getattr(np, fn)(full_nan), lambda: getattr(lnp, fn)(lnp.array(full_nan)))
    if err is None:
        with quiet():
            check(getattr(lnp, fn)(lnp.array(full_nan)), exp)


@pytest.mark.parametrize("fn", ["min", "max", "sum", "prod", "mean"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_reductions_propagate_nan_and_inf(fn, dtype):
    a_np = np.array([[1.0, np.nan, 3.0], [np.inf, 2.0, -1.0], [-np.inf, 0.5, 4.0]], dtype=dtype)
    for axis in (None, 0, 1):
        with quiet():
            exp = getattr(np, fn)(a_np, axis=axis)
            got = getattr(lnp, fn)(lnp.array(a_np), axis=axis)
        check(got, exp)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8], ids=["int32", "int64", "uint8"])
def test_integer_sum_wraps_like_numpy(dtype):
    info = np.iinfo(dtype)
    a_np = np.full(6, info.max, dtype=dtype)
    check(lnp.sum(lnp.array(a_np), dtype=dtype), np.sum(a_np, dtype=dtype))
    check(lnp.max(lnp.array(a_np)), np.max(a_np))
    check(lnp.min(lnp.array(np.array([info.min, 0, info.max], dtype=dtype))), np.min(np.array([info.min, 0, info.max], dtype=dtype)))


def test_count_nonzero_returns():
    a_np = make(np.int32, (3, 4))
    a = lnp.array(a_np)
    got = lnp.count_nonzero(a)
    assert int(got) == np.count_nonzero(a_np)
    check(lnp.count_nonzero(a, axis=1), np.count_nonzero(a_np, axis=1))
    check(lnp.count_nonzero(a, axis=(0, 1), keepdims=True), np.count_nonzero(a_np, axis=(0, 1), keepdims=True))
    check(lnp.count_nonzero([[0, 1], [2, 0]], axis=0), np.count_nonzero([[0, 1], [2, 0]], axis=0))


def test_reductions_of_python_inputs():
    for fn in ("sum", "prod", "min", "max", "mean", "all", "any"):
        check(getattr(lnp, fn)([[1, 2], [3, 4]], axis=0), getattr(np, fn)([[1, 2], [3, 4]], axis=0))
    check(lnp.sum(3.5), np.sum(3.5))


def test_amax_amin_aliases():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    check(lnp.amax(a, axis=1), np.amax(a_np, axis=1))
    check(lnp.amin(a, axis=0), np.amin(a_np, axis=0))


def test_reduction_result_used_as_scalar():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    s = lnp.sum(a)
    assert float(s) == pytest.approx(float(np.sum(a_np)))
    check(a - a.mean(), a_np - a_np.mean())
    check(a / a.max(axis=0), a_np / a_np.max(axis=0))
    check((a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True),
          (a_np - a_np.mean(axis=1, keepdims=True)) / a_np.std(axis=1, keepdims=True))


def _statistic_warnings(mod, name, x, kw):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = np.asarray(getattr(mod, name)(mod.asarray(x), **kw))
    # NumPy names a 0-d division "scalar divide"; the kind of error is what counts.
    return result, sorted({str(w.message).replace("scalar divide", "divide") for w in caught if w.category is RuntimeWarning})


@pytest.mark.parametrize("name", ["mean", "var", "std", "nanmean", "nanvar", "nanstd"])
def test_statistics_warn_as_numpy(name):
    # Empty and all-NaN slices, ddof past the count, masks selecting nothing: NumPy's
    # values and NumPy's warnings (its own messages, and 0/0 or x/0 from the division;
    # the NaN-ignoring ones divide silently).
    x = np.ones((4, 3))
    x[1] = np.nan
    mask = np.array([[True, False, True], [False, False, False], [True, True, True], [True, False, False]])
    # (Infinities of both signs are left out: the sum kernels do not flag inf - inf.)
    cases = [(x, dict(axis=1)), (np.zeros((4, 0)), dict(axis=1)), (np.zeros((2, 0)), {}), (np.arange(4.0), {}),
             (x, dict(axis=1, where=mask)), (x, dict(axis=None, where=mask)), (np.array([np.inf, 1.0, np.nan]), {}),
             (np.array([[np.inf, 1.0], [np.inf, np.nan]]), dict(axis=1))]
    if "mean" not in name:
        cases += [(x, dict(axis=1, ddof=3)), (np.arange(4.0), dict(ddof=4)), (x, dict(axis=1, where=mask, ddof=1)), (np.array([2.0]), dict(ddof=1))]
    for data, kw in cases:
        exp, exp_warnings = _statistic_warnings(np, name, data, kw)
        got, got_warnings = _statistic_warnings(lnp, name, data, kw)
        check(got, exp)
        assert got_warnings == exp_warnings, (data.shape, kw)


@pytest.mark.parametrize("name", ["cov", "corrcoef"])
def test_cov_warns_as_numpy(name):
    # No degrees of freedom: NumPy's warning, its divide-by-zero and 0 * inf flags.
    import warnings

    cases = [(np.ones((2, 1)), {}), (np.arange(6.0).reshape(2, 3), {}), (np.ones((3, 1)), dict(rowvar=False))]
    if name == "cov":
        cases += [(np.arange(6.0).reshape(2, 3), dict(ddof=3)), (np.arange(6.0).reshape(2, 3), dict(ddof=5)),
                  (np.arange(6.0).reshape(2, 3), dict(aweights=np.ones(3), ddof=3))]
    for data, kw in cases:
        seen = []
        for mod in (np, lnp):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = np.asarray(getattr(mod, name)(mod.asarray(data), **kw))
            seen.append((result, sorted({str(w.message) for w in caught if w.category is RuntimeWarning})))
        check(seen[1][0], seen[0][0])
        assert seen[1][1] == seen[0][1], (data.shape, kw)
