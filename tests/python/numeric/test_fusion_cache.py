"""Plans of fusion windows reused across windows (legate-numeric's ``Fusion::plan``) and
fused programs decoded once (``tasks::fused``): a window equal to one planned lately
in its operations, types, scalars, aliasing and dead temporaries runs the same plan;
any difference must plan afresh. Each case below repeats a window and then changes
one of those, and compares every array with NumPy's, so a stale plan (a temporary
the program still holds left in a scratch register, a scalar or dtype of the earlier
window, an operand read from the wrong storage) shows as a wrong value.

The same tests run with fusion off (``LEGATE_WINDOW_SIZE=1``): only the results are
checked then.
"""

from __future__ import annotations

import numpy as np
import pytest

import legate_numeric as lnp
from legate_numeric import _fusion

N = 1024


def fresh(seed, n=N, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-2, 2, n).astype(dtype)


def window(x, y, scalar=2.0):
    """``x[...] = x + scalar*y`` as one window (flushed at the end)."""
    x[...] = x + scalar * y
    _fusion.flush()


def reused():
    return _fusion.stats()["reused"]


def test_repeated_window_reuses_its_plan():
    if not _fusion.enabled():
        pytest.skip("fusion is off (LEGATE_WINDOW_SIZE=1)")
    xn, yn = fresh(1), fresh(2)
    x, y = lnp.array(xn), lnp.array(yn)
    window(x, y)
    before = reused()
    for _ in range(5):
        window(x, y)
        xn = xn + 2.0 * yn
    # (The first window may itself have reused a plan of an earlier test.)
    assert reused() - before == 5
    np.testing.assert_array_equal(np.asarray(x), xn + 2.0 * yn)


def test_held_temporary_is_not_left_in_a_register():
    # Same operations as the repeated window, but the program keeps `t`: it must be
    # written to memory (the cached plan keeps it in a scratch register).
    xn = fresh(3)
    x = lnp.array(xn)
    for i in range(4):
        yn = fresh(10 + i)
        y = lnp.array(yn)
        window(x, y)
        xn = xn + 2.0 * yn
        yn = fresh(20 + i)
        y = lnp.array(yn)
        t = 2.0 * y
        x[...] = x + t
        _fusion.flush()
        xn = xn + 2.0 * yn
        np.testing.assert_array_equal(np.asarray(t), 2.0 * yn)
        np.testing.assert_array_equal(np.asarray(x), xn)


def test_changed_scalar_dtype_and_shape_plan_afresh():
    for dtype in (np.float64, np.float32, np.float64):
        for n in (N, 37, N):
            xn, yn = fresh(4, n, dtype), fresh(5, n, dtype)
            x, y = lnp.array(xn), lnp.array(yn)
            for scalar in (2.0, 3.0, 2.0):
                window(x, y, scalar)
                xn = xn + dtype(scalar) * yn
                assert x.dtype == xn.dtype
                np.testing.assert_allclose(np.asarray(x), xn, rtol=1e-6 if dtype == np.float32 else 0)


def test_changed_aliasing_plans_afresh():
    xn, yn = fresh(6), fresh(7)
    x, y = lnp.array(xn), lnp.array(yn)
    window(x, y)
    xn = xn + 2.0 * yn
    # y is x now: the operand slots differ.
    window(x, x)
    xn = xn + 2.0 * xn
    np.testing.assert_array_equal(np.asarray(x), xn)
    # The same storage through another handle of the same view (`x[:]`), and through
    # another view (a reversed one, read only: the copy semantics of a write through
    # an overlapping view are not fusable).
    window(x, x[:])
    xn = xn + 2.0 * xn
    np.testing.assert_array_equal(np.asarray(x), xn)
    z = lnp.array(yn)
    window(z, x[::-1])
    zn = yn + 2.0 * xn[::-1]
    window(z, x[::-1])
    zn = zn + 2.0 * xn[::-1]
    window(z, y)
    zn = zn + 2.0 * yn
    np.testing.assert_array_equal(np.asarray(z), zn)
    np.testing.assert_array_equal(np.asarray(x), xn)


def test_broadcast_value_and_array_operand_plan_afresh():
    # A 0-d array operand is a broadcast value read when the task runs; the same
    # window with a Python float carries the scalar in its program.
    xn, yn = fresh(8), fresh(9)
    x, y = lnp.array(xn), lnp.array(yn)
    for k in range(3):
        a = lnp.array(float(k + 2))
        x[...] = x + a * y
        _fusion.flush()
        xn = xn + float(k + 2) * yn
        window(x, y, float(k + 2))
        xn = xn + float(k + 2) * yn
        np.testing.assert_array_equal(np.asarray(x), xn)


def test_which_earlier_operand_is_read_plans_afresh():
    """Windows equal in kinds, types and result slots that differ only in which earlier
    storage an operation reads (``u = x * 2`` against ``u = y * 2`` after ``t = x + y``):
    the operands' slots are part of the plan's key (a key without them reused the
    first window's plan and read x for y)."""
    x_np, y_np = fresh(31), fresh(32)
    x, y = lnp.array(x_np), lnp.array(y_np)
    for i in range(8):
        t = x + y
        u = (x if i % 2 else y) * 2.0
        v = t - u
        _fusion.flush()
        t_np = x_np + y_np
        u_np = (x_np if i % 2 else y_np) * 2.0
        np.testing.assert_array_equal(np.asarray(v), t_np - u_np)
        np.testing.assert_array_equal(np.asarray(u), u_np)


def test_which_array_is_written_plans_afresh():
    """Windows equal but for the array they write (``x[...] = x + y`` against
    ``y[...] = x + y``): the result slots are part of the plan's key."""
    x_np, y_np = fresh(33), fresh(34)
    x, y = lnp.array(x_np), lnp.array(y_np)
    for i in range(8):
        target, target_np = (x, x_np) if i % 2 else (y, y_np)
        target[...] = x + 0.5 * y
        target_np[...] = x_np + 0.5 * y_np
        _fusion.flush()
        np.testing.assert_array_equal(np.asarray(x), x_np)
        np.testing.assert_array_equal(np.asarray(y), y_np)


def test_long_loop_cycles_through_windows():
    # 3 operations an iteration do not divide a full window: consecutive windows
    # differ, and come back after a few.
    xn, yn = fresh(11), fresh(12)
    x, y = lnp.array(xn), lnp.array(yn) * 1e-3
    yn = yn * 1e-3
    for _ in range(2000):
        x[...] = x + 2 * y
        xn[...] = xn + 2 * yn
    np.testing.assert_allclose(np.asarray(x), xn, rtol=1e-12)
    # Same loop, other temporaries kept alive every few iterations.
    kept = []
    for i in range(600):
        t = 2 * y
        x[...] = x + t
        xn[...] = xn + 2 * yn
        if i % 7 == 0:
            kept.append(t)
    np.testing.assert_allclose(np.asarray(x), xn, rtol=1e-12)
    for t in kept:
        np.testing.assert_array_equal(np.asarray(t), 2 * yn)


def test_memory_usage_after_many_windows():
    from legate.core import runtime_info

    def used():
        return runtime_info()["sysmem_used"]

    x, y = lnp.array(fresh(13)), lnp.array(fresh(14))
    np.asarray(x)
    before = used()
    for _ in range(3000):
        x[...] = x + 2 * y
    np.asarray(x)
    # Every temporary's memory is given back: what is in use is x's, y's and the
    # like, as before the loop.
    assert used() == before
