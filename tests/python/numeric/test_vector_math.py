"""float64 ``exp`` and ``log`` run vectorized kernels of their own: they must agree with
NumPy to within a couple of units in the last place, special values exactly, on
contiguous and strided arrays."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import check

import legate_numeric as lnp

SPECIALS = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 5e-324, 2.2250738585072014e-308,
                     709.78, 709.79, 710.0, -745.1, -745.2, -746.0, 1e-300, 1e300, np.finfo(np.float64).max])


def wide(n=100_003):
    rng = np.random.default_rng(7)
    return np.concatenate([rng.uniform(-745, 709.7, n), rng.uniform(-1, 1, n), np.exp(rng.uniform(-700, 700, n))])


@pytest.mark.parametrize("name", ["exp", "log"])
def test_close_to_numpy_over_wide_ranges(name):
    x = wide()
    if name == "log":
        x = np.abs(x)
    with np.errstate(all="ignore"):
        exp = getattr(np, name)(x)
    got = np.asarray(getattr(lnp, name)(lnp.array(x)))
    np.testing.assert_array_max_ulp(got, exp, maxulp=2)


@pytest.mark.parametrize("name", ["exp", "log"])
def test_special_values(name):
    with np.errstate(all="ignore"):
        exp = getattr(np, name)(SPECIALS)
    got = np.asarray(getattr(lnp, name)(lnp.array(SPECIALS)))
    np.testing.assert_array_max_ulp(got, exp, maxulp=2)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(exp))
    np.testing.assert_array_equal(np.signbit(got[~np.isnan(got)]), np.signbit(exp[~np.isnan(exp)]))


@pytest.mark.parametrize("name", ["exp", "log"])
def test_strided_and_in_place(name):
    x = np.abs(wide(1001)).reshape(3, -1)[:, ::3] % 50
    a = lnp.array(np.abs(wide(1001)).reshape(3, -1) % 50)[:, ::3]
    with np.errstate(all="ignore"):
        exp = getattr(np, name)(x)
    check(getattr(lnp, name)(a), exp, rtol=1e-15)
    b = lnp.array(x)
    getattr(lnp, name)(b, out=b)
    check(b, exp, rtol=1e-15)
