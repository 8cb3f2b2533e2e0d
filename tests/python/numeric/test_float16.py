"""float16 everywhere: creation, casts, arithmetic, reductions, sorting and the rest,
natively (computed in float32 and rounded to float16, as NumPy's float16 loops do),
compared with NumPy in the same test."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import check

import legate_numeric as lnp

H = np.float16


def _data(shape=(3, 4)):
    n = int(np.prod(shape))
    return ((np.arange(n, dtype=np.float32) * 0.37 - 1.1) ** 3).astype(H).reshape(shape)


def both(f, x=None):
    """``f`` applied to NumPy's and legate's copies of ``x`` (or to the modules)."""
    x = _data() if x is None else x
    return f(np, x), f(lnp, lnp.array(x))


CASES = {
    "zeros": lambda m, x: m.zeros((2, 3), dtype=H),
    "full": lambda m, x: m.full(3, 1.5, dtype=H),
    "arange": lambda m, x: m.arange(5, dtype=H),
    "linspace": lambda m, x: m.linspace(0, 1, 7, dtype=H),
    "eye": lambda m, x: m.eye(3, dtype=H),
    "astype32": lambda m, x: x.astype(np.float32),
    "astype_int": lambda m, x: x.astype(np.int32),
    "from64": lambda m, x: x.astype(np.float64).astype(H),
    "add": lambda m, x: m.add(x, 1),
    "mul": lambda m, x: x * x,
    "div": lambda m, x: x / 3,
    "mixed32": lambda m, x: x + m.ones(4, dtype=np.float32),
    "int8": lambda m, x: x + m.ones(4, dtype=np.int8),
    "scalar": lambda m, x: x - np.float16(2),
    "sqrt": lambda m, x: m.sqrt(m.abs(x)),
    "exp": lambda m, x: m.exp(x),
    "power": lambda m, x: m.power(x, 3),
    "mod": lambda m, x: x % 0.7,
    "less": lambda m, x: x < 0,
    "isnan": lambda m, x: m.isnan(x / 0.0),
    "sum": lambda m, x: m.sum(x),
    "sum0": lambda m, x: m.sum(x, axis=0),
    "mean": lambda m, x: m.mean(x, axis=1),
    "prod": lambda m, x: m.prod(x, axis=1),
    "max": lambda m, x: m.max(x, axis=0),
    "var": lambda m, x: m.var(x),
    "argmax": lambda m, x: m.argmax(x, axis=1),
    "cumsum": lambda m, x: m.cumsum(x, axis=1),
    "sort": lambda m, x: m.sort(x, axis=0),
    "argsort": lambda m, x: m.argsort(x.ravel(), kind="stable"),
    "unique": lambda m, x: m.unique(m.round(x)),
    "median": lambda m, x: m.median(x, axis=1),
    "percentile": lambda m, x: m.percentile(x, 30),
    "searchsorted": lambda m, x: m.searchsorted(m.sort(x.ravel()), x[0]),
    "isin": lambda m, x: m.isin(x, x[1]),
    "round": lambda m, x: m.round(x, 1),
    "where": lambda m, x: m.where(x > 0, x, 0),
    "take": lambda m, x: m.take(x, [0, 5, 11]),
    "mask": lambda m, x: x[x > 0],
    "matmul": lambda m, x: x @ x.T,
    "clip": lambda m, x: m.clip(x, -0.5, 0.5),
    "frexp": lambda m, x: m.frexp(x)[0],
    "ldexp": lambda m, x: m.ldexp(x, 3),
    "logaddexp2": lambda m, x: m.logaddexp2(x, x),
    "nonzero": lambda m, x: m.nonzero(x)[1],
}


@pytest.mark.parametrize("name", list(CASES))
def test_float16(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            exp, got = both(CASES[name])
    # One float16 rounding apart at most (NumPy rounds some intermediate steps differently).
    check(got, exp, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum", "add.accumulate"])
def test_float16_scans_round_each_step_as_numpy(name):
    # NumPy stores each partial result as float16 before the next step: exactly equal,
    # where a float32 scan rounded once drifts several float16 steps away.
    x = (np.random.default_rng(2).integers(-4, 5, (60, 2)) + 0.37).astype(H)
    f = (lambda m, a: m.add.accumulate(a, axis=0)) if "." in name else (lambda m, a: getattr(m, name)(a, axis=0))
    with np.errstate(all="ignore"):
        exp, got = both(f, x)
    assert got.dtype == exp.dtype
    np.testing.assert_array_equal(np.asarray(got), exp)


@pytest.mark.parametrize("dtype", [np.int32, np.uint16, np.int64])
def test_integers_too_large_for_float16_warn_of_the_overflow(dtype):
    x = np.array([np.iinfo(dtype).max, 1], dtype)
    with pytest.warns(RuntimeWarning, match="overflow encountered in cast"):
        exp = x.astype(H)
    with pytest.warns(RuntimeWarning, match="overflow encountered in cast"):
        got = np.asarray(lnp.array(x).astype(H))
    np.testing.assert_array_equal(got, exp)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # in range: no warning
        np.asarray(lnp.array(x[1:]).astype(H))


@pytest.mark.parametrize("shape", [(), (0,), (5,)])
def test_float16_shapes_and_views(shape):
    x = _data((6, 5))[1:, ::2] if shape == (5,) else _data(shape) if shape else np.float16(1.5).reshape(())
    lx = lnp.array(_data((6, 5)))[1:, ::2] if shape == (5,) else lnp.array(x)
    check(lx * 2 + 1, x * 2 + 1)
    check(lnp.sum(lx), np.sum(x))
    check(lnp.sort(lx.reshape(-1)), np.sort(x.reshape(-1)))


def test_float16_no_fallback(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # a fallback raises
    x = lnp.array(_data())
    for f in (lnp.sort, lnp.argsort, lnp.unique, lnp.median, lambda a: lnp.round(a, 2), lambda a: lnp.percentile(a, 50),
              lambda a: lnp.searchsorted(a[0], a[1]), lambda a: lnp.isin(a, a[0]), lnp.frexp):
        f(x)


def test_float16_masked_assignment_select_piecewise(no_fallback):
    # A boolean-mask assignment of a number (the select kernel has no float16), select
    # with NumPy's weak Python defaults, piecewise on float16 data.
    x = (np.random.default_rng(12).normal(size=(4, 6)) * 3).astype(np.float16)
    a = lnp.array(x)
    a[a > 1] = 1.7
    x[x > 1] = 1.7
    a[:, 1:][a[:, 1:] < -1.5] = -3
    x[:, 1:][x[:, 1:] < -1.5] = -3
    check(a, x, exact=True)
    check(lnp.piecewise(a, [a > 0], [1, 0]), np.piecewise(x, [x > 0], [1, 0]), exact=True)
    for choices, default in [([x], 0), ([x, 2], 1.5), ([x, x * 2], -1), ([3, 4.5], 0)]:
        conds = [x > 0, x < -1][: len(choices)]
        got = lnp.select([lnp.array(c) for c in conds], [lnp.array(c) if isinstance(c, np.ndarray) else c for c in choices], default)
        check(got, np.select(conds, choices, default), exact=True)
    u = x.astype(np.uint8)
    check(lnp.select([lnp.array(x > 0)], [lnp.array(u)], -1), np.select([x > 0], [u], -1), exact=True)  # filled unsafely


@pytest.mark.parametrize("other_dtype", [np.bool_, np.float16])
def test_float16_out_must_hold_the_broadcast_shape(other_dtype):
    # float16 loops run in float32 and assign the result into `out`; that assignment
    # dropped a result's leading 1s, so `x += y` with a 0-d x and a (1,) y passed (fuzz).
    x = lnp.array(np.zeros((), np.float16))
    with pytest.raises(ValueError):
        x += lnp.array(np.zeros(1, other_dtype))
    with pytest.raises(ValueError):
        lnp.add(lnp.zeros((1, 3), np.float16), lnp.zeros((2, 1), other_dtype), out=lnp.zeros((1, 3), np.float16))
    out = lnp.zeros((2, 3), np.float16)
    lnp.add(lnp.ones(3, np.float16), lnp.ones((), other_dtype), out=out)
    check(out, np.add(np.ones(3, np.float16), np.ones((), other_dtype), out=np.zeros((2, 3), np.float16)))


@pytest.mark.parametrize("x", ["host float16", "float16 list scalar", "float16 scalar"])
def test_where_of_host_float16_operands(x):
    # The float16 path widens its operands to float32: a NumPy float16 array among them
    # recursed without end.
    xs = {"host float16": np.array([1, 2, 3], np.float16), "float16 list scalar": [np.float16(1)] * 3,
          "float16 scalar": np.float16(1.5)}[x]
    cond = [True, False, True]
    check(lnp.where(lnp.asarray(cond), xs, 0), np.where(cond, xs, 0))
    check(lnp.where(cond, np.float16(2), xs), np.where(cond, np.float16(2), xs))
