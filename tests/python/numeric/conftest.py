"""Shared helpers for the legate_numeric test suite.

Every test computes NumPy's answer in the test itself and compares legate_numeric's
result with it: values, dtype and shape (``check``). Test data comes from ``make``,
which draws small arrays of every supported dtype from a fixed-seed RNG.

The helpers are imported by the test modules (``from conftest import ...``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import legate_numeric as lnp

SEED = 20240611

# Every dtype legate_numeric supports that the suite covers.
DTYPES = [np.bool_, np.int32, np.int64, np.uint8, np.float32, np.float64, np.complex128]
DTYPE_IDS = ["bool", "int32", "int64", "uint8", "float32", "float64", "complex128"]
NUMERIC = [np.int32, np.int64, np.uint8, np.float32, np.float64, np.complex128]
NUMERIC_IDS = DTYPE_IDS[1:]
FLOATS = [np.float32, np.float64]

# Shapes from 0-d to 4-d, including empty ones.
SHAPES = [(), (0,), (3, 0), (1,), (7,), (3, 4), (2, 3, 4), (2, 1, 3, 2)]
SHAPE_IDS = ["0d", "empty", "3x0", "1", "7", "3x4", "2x3x4", "2x1x3x2"]


def rng(salt: int = 0) -> np.random.Generator:
    return np.random.default_rng(SEED + salt)


def make(dtype, shape, salt: int = 0, low=None, high=None, nonzero=False, positive=False):
    """A small NumPy array of ``dtype`` and ``shape`` with reproducible values.

    Integers lie in [-5, 5] ([0, 9] for unsigned), floats in [-3, 3] with two decimals,
    complex numbers have both parts so. ``nonzero`` avoids zeros (for divisors),
    ``positive`` keeps values > 0.
    """
    dt = np.dtype(dtype)
    r = rng(salt + 7919 * len(shape) + sum(shape))
    if dt.kind == "b":
        out = np.array(r.integers(0, 2, size=shape).astype(bool))
        if nonzero or positive:
            out[...] = True
        return out
    if dt.kind in "iu":
        lo = low if low is not None else (1 if positive else (0 if dt.kind == "u" else -5))
        hi = high if high is not None else (9 if dt.kind == "u" else 5)
        out = np.array(r.integers(lo, hi + 1, size=shape).astype(dt))
        if nonzero:
            out[out == 0] = 1
        return out
    lo = low if low is not None else (0.25 if positive else -3.0)
    hi = high if high is not None else 3.0
    re = np.round(r.uniform(lo, hi, size=shape), 2)
    if dt.kind == "c":
        im = np.round(r.uniform(lo, hi, size=shape), 2)
        out = np.array((re + 1j * im).astype(dt))
    else:
        out = np.array(re.astype(dt))
    if nonzero:
        out[out == 0] = 1
    return out


def tolerance(dtype):
    dt = np.dtype(dtype)
    if dt in (np.float32, np.complex64):
        return dict(rtol=2e-5, atol=1e-6)
    return dict(rtol=1e-12, atol=1e-14)


def check(got, expected, rtol=None, atol=None, exact=None, dtype=True):
    """``got`` (legate_numeric) equals ``expected`` (NumPy) in values, dtype and shape.

    Whole-array reductions in legate_numeric give 0-d arrays where NumPy gives scalars;
    both become 0-d NumPy arrays before comparing.
    """
    exp = np.asarray(expected)
    if isinstance(got, lnp.ndarray):
        arr = np.asarray(got)
    else:
        assert not isinstance(got, (list, tuple)), f"got a {type(got).__name__}, expected an array"
        arr = np.asarray(got)
    assert isinstance(arr, np.ndarray)
    assert arr.shape == exp.shape, f"shape: got {arr.shape}, expected {exp.shape}"
    if dtype:
        assert arr.dtype == exp.dtype, f"dtype: got {arr.dtype}, expected {exp.dtype}"
    if exact is None:
        exact = exp.dtype.kind in "biuO" and arr.dtype.kind in "biu"
    if exact:
        np.testing.assert_array_equal(arr, exp, strict=False)
    else:
        tol = tolerance(exp.dtype if exp.dtype.kind in "fc" else np.float64)
        if rtol is not None:
            tol["rtol"] = rtol
        if atol is not None:
            tol["atol"] = atol
        np.testing.assert_allclose(arr, exp, equal_nan=True, **tol)


def public_type(exc: BaseException) -> type:
    """The exception's most derived public class (``TypeError`` for NumPy's private
    ``_UFuncNoLoopError``, ``numpy.exceptions.AxisError`` for itself)."""
    for cls in type(exc).__mro__:
        if cls.__module__ in ("builtins", "numpy.exceptions", "numpy"):
            return cls
    return Exception


def materialize(result):
    """Reads a result back (errors of deferred tasks surface when a value is read)."""
    if isinstance(result, lnp.ndarray):
        np.asarray(result)
    elif isinstance(result, (tuple, list)):
        for r in result:
            materialize(r)
    return result


def check_same_error(np_call, lnp_call):
    """Runs NumPy's call; if it raises, legate_numeric's call must raise the same
    (public) exception type.

    Returns (NumPy's result, None), or (None, NumPy's exception) when it raised."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = np_call()
    except Exception as exc:  # noqa: BLE001 - any NumPy error must be mirrored
        with pytest.raises(public_type(exc)):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                materialize(lnp_call())
        return None, exc
    return expected, None


def quiet():
    """A context that silences NumPy's floating point warnings and RuntimeWarnings."""
    return _Quiet()


class _Quiet:
    def __enter__(self):
        self._err = np.errstate(all="ignore")
        self._err.__enter__()
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
        self._err.__exit__(*exc)
        return False


@pytest.fixture
def no_fallback(monkeypatch):
    """Anything in the test that falls back to NumPy raises NotImplementedError (the
    fallback warning is shown once per process, so it cannot tell)."""
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")


# ---------------------------------------------------------------- known bugs (strict xfails)


# Bugs fixed since their tests were written: cases marked with these reasons must pass
# now (their markers are kept where they help to read the test).
FIXED_BUGS = (
    "bug: float floor_divide is floor(a / b)",
    "bug: NumPy's loop for this dtype is float16",
    "bug: rint(-0.5) gives +0.0",
    "bug: assigning a Python scalar converts it unchecked",
    "bug: uint8_array ** ",
    "bug: a Python int out of range for the array's integer dtype wraps silently",
    "bug: comparing an int32 array with a Python int out of int32 range wraps",
    "bug: np.matmul(legate, legate) runs in NumPy",
    "bug: np.linalg.norm(legate array) runs in NumPy",
    "bug: min of complex128 raises TypeError('reduction Min/Max",
    "bug: max of complex128 raises TypeError('reduction Min/Max",
    "bug: nanmin of complex128 raises TypeError('reduction Min/Max",
    "bug: nanmax of complex128 raises TypeError('reduction Min/Max",
    "bug: rint of complex128 raises",
    "bug: log1p of complex128 raises",
    "bug: expm1 of complex128 raises",
    "bug: exp2 of complex128 raises",
    "bug: var/std with ddof >= the count",
    "bug: var of a 0-d array with axis=0",
    "bug: std of a 0-d array with axis=0",
    "bug: mean of a 0-d array with axis=0",
    "bug: var(int32 array, dtype=float32)",
    "bug: std(int64 array, dtype=float32)",
    "bug: expand_dims with axis given as a list",
    "bug: flip with axis given as a list",
    "bug: a == None raises TypeError",
    "bug: bool_array ** 2 gives int64",
    "bug: complex x / 0 gives nan+nanj",
)


def xfail(reason):
    if reason.startswith(FIXED_BUGS) or _fixed_complex_order(reason):
        return pytest.mark.fixed_bug(reason=reason)
    return pytest.mark.xfail(reason=reason, strict=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "fixed_bug(reason): a case of a bug that has been fixed (it must pass)")


def _fixed_complex_order(reason):
    """Complex ordering in comparisons and maximum/minimum-style ufuncs is fixed."""
    words = reason.split()
    return (
        " of complex128 raises TypeError('not supported for complex inputs')" in reason
        and len(words) > 1
        and words[1] in COMPLEX_ORDER
    )


def uses_float16(ufunc_name, *dtypes):
    """Whether NumPy's loop for these operand dtypes is float16 (e.g. sqrt of uint8)."""
    try:
        loop = getattr(np, ufunc_name).resolve_dtypes(tuple(np.dtype(d) for d in dtypes) + (None,))
    except TypeError:
        return False
    return any(d == np.float16 for d in loop)


FLOAT16_BUG = (
    "bug: NumPy's loop for this dtype is float16 (e.g. sqrt(uint8) -> float16); legate_numeric "
    "creates a float16 result it cannot hold: its convert task fails ('astype: unsupported target "
    "dtype') and reading it raises TypeError('cannot convert a float16 store to NumPy')"
)
COMPLEX_ORDER = {"maximum", "minimum", "fmax", "fmin", "less", "less_equal", "greater", "greater_equal"}
COMPLEX_ORDER_BUG = (
    "bug: {} of complex128 raises TypeError('not supported for complex inputs') "
    "(tasks/binary.rs complex_op); NumPy orders complex numbers lexicographically"
)


FLOOR_DIVIDE_BUG = (
    "bug: float floor_divide is floor(a / b) (tasks/binary.rs float_op); NumPy computes it from "
    "fmod like Python's //, so results differ when a / b rounds up to an integer"
)


@pytest.fixture(autouse=True)
def _fallback_enabled(monkeypatch):
    """Every test starts with the NumPy fallback allowed (as by default)."""
    monkeypatch.delenv("LEGATE_NUMERIC_FALLBACK", raising=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A one-line report for the failure of a test marked xfail (a known bug).

    pytest formats a full traceback for every failure, expected or not, parsing each
    source file on the way (~50 ms per xfailed test here): with hundreds of xfailed
    known-bug cases that would be most of the suite's run time. The skipping plugin still
    turns this report into "xfailed" (or, for a strict xfail that passes, a failure);
    unexpected failures keep pytest's full report.
    """
    if call.excinfo is None or call.when != "call" or item.get_closest_marker("xfail") is None:
        return None
    if call.excinfo.errisinstance(pytest.skip.Exception):
        return None
    try:
        from _pytest.reports import TestReport
    except ImportError:  # pragma: no cover - pytest internals moved: use the full report
        return None

    exc = call.excinfo.value
    return TestReport(
        getattr(item, "id", item.nodeid),
        item.location,
        dict.fromkeys(item.keywords, 1),
        "failed",
        f"{type(exc).__name__}: {exc}",
        call.when,
        [(f"Captured {key} {rwhen}", content) for rwhen, key, content in item._report_sections],
        call.duration,
        call.start,
        call.stop,
        user_properties=item.user_properties,
    )


@pytest.fixture(autouse=True)
def _no_stale_task_errors():
    """Each test owns the task errors it causes: a test that expects a failure (an xfail
    documenting a bug) must not leave it to surface in the next test's fence."""
    yield
    from legate import _legate

    try:
        _legate.fence()
    except Exception:  # noqa: BLE001 - errors of this test, already judged by it
        pass
