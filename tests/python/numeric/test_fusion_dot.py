"""A vector ``dot``/``vdot`` at the end of a fused window is summed in the window's
pass (one task, no second read of its operands): results against NumPy, and the cases
that must not fuse (or must flush first) still give NumPy's results.

The same tests run with fusion off (``LEGATE_WINDOW_SIZE=1``).
"""

from __future__ import annotations

import numpy as np
import pytest

import legate_numeric as lnp
from legate_numeric import _fusion

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def values(rng, n, dtype):
    v = rng.integers(-4, 5, n).astype(dtype)
    if np.dtype(dtype).kind == "c":
        v = v + 1j * rng.integers(-4, 5, n).astype(dtype)
    return v


@pytest.mark.parametrize("n", [1, 5, 1000, 4099])
@pytest.mark.parametrize("dtype", DTYPES)
def test_residual_update_then_its_norm(dtype, n):
    """CG's ``r -= alpha * q; rho = r·r``: exact on small integers, whatever the blocks
    and points the sum is split into."""
    rng = np.random.default_rng(n)
    r, q = values(rng, n, dtype), values(rng, n, dtype)
    lr, lq = lnp.asarray(r), lnp.asarray(q)
    alpha = lnp.asarray(np.asarray(2, dtype))
    _fusion.flush()
    before = _fusion.stats()
    lr -= alpha * lq
    rho = lnp.vdot(lr, lr)
    d = lnp.dot(lr, lq)
    got_rho, got_d = np.asarray(rho), np.asarray(d)
    after = _fusion.stats()
    r = r - 2 * q
    assert got_rho.shape == () and got_rho.dtype == dtype
    assert got_rho == np.vdot(r, r) and got_d == np.dot(r, q)
    np.testing.assert_array_equal(np.asarray(lr), r)
    if _fusion.enabled():
        assert after["tasks"] - before["tasks"] == 1  # the update and both sums
        assert after["ops"] - before["ops"] >= 4


def test_dot_of_a_dead_temporary_and_of_views():
    """Operands in scratch blocks (a temporary nobody holds) and stepped views."""
    rng = np.random.default_rng(3)
    x, y = values(rng, 3000, np.float64), values(rng, 6000, np.float64)
    lx, ly = lnp.asarray(x), lnp.asarray(y)
    lz = lx + 1.0
    got = lnp.dot(lz * 2.0, ly[::2])
    assert np.asarray(got) == np.dot((x + 1.0) * 2.0, y[::2])


def test_a_later_use_of_the_sum_flushes_first():
    """An operation reading the pending sum (as a broadcast value) runs after it."""
    rng = np.random.default_rng(4)
    x = values(rng, 2000, np.float64)
    lx = lnp.asarray(x)
    lx *= 2.0
    s = lnp.dot(lx, lx)
    z = lx * s + 1.0
    x2 = x * 2.0
    np.testing.assert_array_equal(np.asarray(z), x2 * np.dot(x2, x2) + 1.0)


def test_cases_that_do_not_fuse():
    """A dot first in a window, over another shape, of integers, or of a store the
    window writes through another view: all launched on their own, NumPy's results."""
    rng = np.random.default_rng(5)
    x = values(rng, 1000, np.float64)
    lx = lnp.asarray(x)
    assert np.asarray(lnp.dot(lx, lx)) == np.dot(x, x)
    lx += 1.0
    assert np.asarray(lnp.dot(lx[:500], lx[500:])) == np.dot(x[:500] + 1.0, x[500:] + 1.0)
    i = rng.integers(-5, 5, 1000)
    li = lnp.asarray(i)
    li += 1
    assert np.asarray(lnp.dot(li, li)) == np.dot(i + 1, i + 1)
    big = lnp.asarray(np.arange(2000.0))
    big[:1000] += 1.0
    got = lnp.dot(big[1000:], big[1000:])  # the window writes big[:1000]
    ref = np.arange(2000.0)
    assert np.asarray(got) == np.dot(ref[1000:], ref[1000:])
