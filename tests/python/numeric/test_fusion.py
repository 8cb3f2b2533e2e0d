"""Fusion of elementwise operations: fused chains give NumPy's results, effects keep
their program order, and fusion really happens (the stats test fails if it stops).

The same tests run with fusion off (``LEGATE_WINDOW_SIZE=1``, a ``make test`` step).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from conftest import check, make

import legate_numeric as lnp
from legate_numeric import _fusion


def as_l(a):
    return lnp.array(a)


def black_scholes(m, S, X, T, R=0.02, V=0.3):
    sqrt_t = m.sqrt(T)
    d1 = (m.log(S / X) + (R + 0.5 * V * V) * T) / (V * sqrt_t)
    d2 = d1 - V * sqrt_t
    cnd1 = 0.5 + 0.5 * m.tanh(d1 * 0.7071067811865476)
    cnd2 = 0.5 + 0.5 * m.tanh(d2 * 0.7071067811865476)
    exp_rt = m.exp(-R * T)
    return S * cnd1 - X * exp_rt * cnd2


@pytest.mark.parametrize("n", [1, 7, 1000, 5000])
def test_black_scholes_chain(n):
    r = np.random.default_rng(n)
    S, X, T = r.uniform(5, 30, n), r.uniform(1, 100, n), r.uniform(0.25, 10, n)
    expected = black_scholes(np, S, X, T)
    got = black_scholes(lnp, as_l(S), as_l(X), as_l(T))
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12, atol=1e-12)


def test_fusion_happens():
    if not _fusion.enabled():
        pytest.skip("fusion is off (LEGATE_WINDOW_SIZE=1)")
    a = as_l(np.arange(4096.0))
    _fusion.flush()
    before = _fusion.stats()
    b = ((a * 2.0 + 1.0) * a - 3.0) / 7.0
    result = np.asarray(b)
    after = _fusion.stats()
    x = np.arange(4096.0)
    np.testing.assert_allclose(result, ((x * 2.0 + 1.0) * x - 3.0) / 7.0)
    assert after["tasks"] - before["tasks"] == 1
    assert after["ops"] - before["ops"] == 5
    # The four temporaries died before the window ran: none was written to memory.
    assert after["elided"] - before["elided"] == 4


def test_window_limit_flushes():
    if not _fusion.enabled():
        pytest.skip("fusion is off (LEGATE_WINDOW_SIZE=1)")
    x = as_l(np.zeros(64))
    y = as_l(np.ones(64))
    _fusion.flush()
    before = _fusion.stats()
    for _ in range(200):
        x[...] = x + 2 * y
    np.testing.assert_array_equal(np.asarray(x), np.full(64, 400.0))
    after = _fusion.stats()
    assert after["ops"] - before["ops"] == 600
    assert 1 < after["tasks"] - before["tasks"] < 600


def test_broadcasting_and_scalars():
    a = make(np.float64, (3, 4), salt=1)
    row = make(np.float64, (4,), salt=2)
    col = make(np.float64, (3, 1), salt=3)
    expected = (a * row - col) * 2.5 + 1
    got = (as_l(a) * as_l(row) - as_l(col)) * 2.5 + 1
    check(got, expected)


def test_two_numbers_are_not_an_array_operation():
    # The window takes operands borrowed from `Numeric::binary`, which refuses two
    # numbers before recording: held back, the operation would fill `out` instead.
    from legate import _legate as ext

    out = lnp.zeros(4)
    with pytest.raises(ValueError, match="at least one operand must be an array"):
        ext.binary("add", 2.0, 3.0, out._store, "float64")
    np.testing.assert_array_equal(np.asarray(out), np.zeros(4))


@pytest.mark.parametrize("dtypes", [(np.int32, np.float64), (np.uint8, np.int64), (np.float32, np.float64), (np.int64, np.complex128), (np.bool_, np.int32)])
def test_mixed_dtypes_and_casts(dtypes):
    a = make(dtypes[0], (5, 6), salt=4)
    b = make(dtypes[1], (5, 6), salt=5)
    expected = (a + b) * 3 - a
    got = (as_l(a) + as_l(b)) * 3 - as_l(a)
    check(got, expected)
    e2 = (a.astype(np.float64) + 1).astype(np.float32) * 2
    g2 = (as_l(a).astype(np.float64) + 1).astype(np.float32) * 2
    check(g2, e2)


def test_write_after_read_keeps_order():
    # The classic hazard: y must be computed from x before x is overwritten.
    x = np.arange(10.0)
    lx = as_l(x)
    y = lx + 1
    lx[...] = 0
    check(y, x + 1)
    check(lx, np.zeros(10))
    z = lx * 3
    lx[2:5] = 7
    check(z, np.zeros(10))


def test_in_place_chain():
    x = make(np.float64, (8, 9), salt=6)
    y = make(np.float64, (8, 9), salt=7)
    lx, ly = as_l(x), as_l(y)
    for _ in range(5):
        x += y * 0.5
        lx += ly * 0.5
        x[...] = x - 1
        lx[...] = lx - 1
    check(lx, x)
    check(ly, y)


def test_out_into_view_of_input():
    x = np.arange(12.0)
    lx = as_l(x)
    np.add(x[:-1], 1, out=x[1:])
    lnp.add(lx[:-1], 1, out=lx[1:])
    check(lx, x)
    a = np.arange(12.0).reshape(3, 4)
    la = as_l(a)
    t = a * 2
    lt = la * 2
    np.multiply(t.T, 1.5, out=a.T)
    lnp.multiply(lt.T, 1.5, out=la.T)
    check(la, a)


def test_shifted_views_stencil():
    g = make(np.float64, (12, 10), salt=8)
    lg = as_l(g)
    for _ in range(3):
        new = 0.2 * (g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
        g[1:-1, 1:-1] = new
        lnew = 0.2 * (lg[1:-1, 1:-1] + lg[:-2, 1:-1] + lg[2:, 1:-1] + lg[1:-1, :-2] + lg[1:-1, 2:])
        lg[1:-1, 1:-1] = lnew
    check(lg, g)


def test_intermediate_kept_alive():
    a = make(np.float64, (50,), salt=9)
    la = as_l(a)
    t = a * 3
    lt = la * 3
    u = np.exp(t) - 1
    lu = lnp.exp(lt) - 1
    la[...] = 5.0
    check(lu, u)
    check(lt, t)
    check(lt + la, t + 5.0)


def test_view_of_pending_result():
    a = make(np.float64, (6, 6), salt=10)
    la = as_l(a)
    t = (a + 1) * 2
    lt = (la + 1) * 2
    v = t[::2, 1:]
    lv = lt[::2, 1:]
    check(lv * 3, v * 3)
    check(lt, t)


def test_integer_division_by_zero_warns_as_unfused():
    a = np.array([1, 2, 3, 4], dtype=np.int64)
    b = np.array([1, 0, 2, 0], dtype=np.int64)
    la, lb = as_l(a), as_l(b)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        got = np.asarray((la // lb) + 1)
    with np.errstate(divide="ignore"):
        expected = (a // b) + 1
    np.testing.assert_array_equal(got, expected)
    with lnp.errstate(divide="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = np.asarray((la % lb) * 2)
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(got, (a % b) * 2)


def test_float_errors_in_chain():
    a = np.array([1.0, 0.0, -1.0, 4.0])
    la = as_l(a)
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in log"):
        got = np.asarray(lnp.log(la * 2) + 1)
    with np.errstate(all="ignore"):
        expected = np.log(a * 2) + 1
    np.testing.assert_array_equal(got, expected)
    with lnp.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError):
            np.asarray(lnp.sqrt(la - 2) * 3)


@pytest.mark.parametrize("shape", [(), (0,), (3, 0)])
def test_zero_d_and_empty(shape):
    a = make(np.float64, shape, salt=11)
    la = as_l(a)
    check(lnp.sin(la * 2) + la, np.sin(a * 2) + a)
    lb = la.copy()
    lb[...] = lb * 2 + 1
    check(lb, a * 2 + 1)


def test_complex_and_bool_chains():
    z = make(np.complex128, (7,), salt=12)
    lz = as_l(z)
    check(lnp.exp(lz * 1j) + lnp.conjugate(lz), np.exp(z * 1j) + np.conjugate(z))
    a = make(np.int32, (7,), salt=13)
    la = as_l(a)
    check(lnp.logical_and(la > 0, la < 4) | (la == -2), np.logical_and(a > 0, a < 4) | (a == -2))


def test_reduction_after_chain():
    a = make(np.float64, (40,), salt=14)
    la = as_l(a)
    expected = float(np.sum(a * a + 1))
    got = float(lnp.sum(la * la + 1))
    assert got == pytest.approx(expected, rel=1e-12)


def test_fused_tasks_visible_in_profile_and_dataflow(tmp_path):
    # A fresh process with --profile and --dataflow: both name the fused task after the
    # operations it absorbed.
    if not _fusion.enabled():
        pytest.skip("fusion is off (LEGATE_WINDOW_SIZE=1)")
    script = (
        "import numpy as np, legate_numeric as lnp\n"
        "a = lnp.array(np.linspace(0, 1, 5000)); b = lnp.array(np.linspace(1, 2, 5000))\n"
        "c = lnp.sqrt(a * a + b * b) - lnp.exp(-a) * b\n"
        "print(float(c.sum()))\n"
    )
    env = dict(os.environ, LEGATE_CONFIG="--cpus 2 --profile --dataflow")
    env.pop("LEGATE_TEST", None)
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    x, y = np.linspace(0, 1, 5000), np.linspace(1, 2, 5000)
    assert float(out.stdout.split()[0]) == pytest.approx(float(np.sum(np.sqrt(x * x + y * y) - np.exp(-x) * y)), rel=1e-12)
    name = "fused[multiply,add,sqrt,negative,exp,multiply,subtract]"
    assert name in (tmp_path / "dataflow_legate.dot").read_text()
    assert name in (tmp_path / "legate_prof" / "trace.json").read_text()


@pytest.mark.parametrize("n", [1, 7, 8, 9, 1023, 1024, 1025, 3001])
def test_dense_float64_kernels_match_numpy(n):
    """The fused kernel's vectorized float64 + - * / and copies: block tails, scalars on
    either side, strided views (the general path), an output that is an input, and
    exact IEEE results (NaN, inf, signed zero) compared bit for bit."""
    r = np.random.default_rng(n)
    a_np = r.standard_normal(2 * n)
    b_np = r.standard_normal(2 * n)
    a_np[::5] = np.array([np.nan, np.inf, -0.0, 0.0, -np.inf] * n)[: len(a_np[::5])]
    a, b = as_l(a_np), as_l(b_np)
    ops = [lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y,
           lambda x, y: 2.5 - x * y, lambda x, y: (x + 1.5) / (3.0 * y) + x]
    with np.errstate(all="ignore"):
        for f in ops:
            for (xl, yl), (xn, yn) in [((a, b), (a_np, b_np)), ((a[::2], b[1::2]), (a_np[::2], b_np[1::2]))]:
                exp = f(xn, yn)
                got = np.asarray(f(xl, yl))
                np.testing.assert_array_equal(got.view(np.int64)[~np.isnan(exp)], exp.view(np.int64)[~np.isnan(exp)])
                assert np.array_equal(np.isnan(got), np.isnan(exp))
        x_np, x = a_np[:n].copy(), as_l(a_np[:n].copy())
        for _ in range(3):
            x[...] = x * 0.5 + b[:n]  # the copy back into an input of the window
            x_np[...] = x_np * 0.5 + b_np[:n]
        np.testing.assert_array_equal(np.asarray(x), x_np)


def test_dense_float64_kernels_report_fp_errors():
    a, z = as_l(np.ones(100)), as_l(np.zeros(100))
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            np.asarray(a / z + 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="warn"), pytest.raises(RuntimeWarning):
            np.asarray(as_l(np.full(100, 1e300)) * 1e300 + 1.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.complex128])
@pytest.mark.parametrize("n", [5, 3000])
def test_zero_d_results_broadcast_into_a_chain(dtype, n):
    """A solver's step: 0-d arrays computed by reductions and 0-d arithmetic scale
    vectors (one fused pass with the values read when it runs); a 0-d array written
    after the chain was recorded is read with its old value, as unfused."""
    x_np, p_np, q_np, r_np = (make(dtype, (n,), salt=s) for s in (21, 22, 23, 24))
    x, p, q, r = as_l(x_np), as_l(p_np), as_l(q_np), as_l(r_np)
    rho_np, rho = r_np @ r_np, r @ r
    alpha_np = (rho_np / (p_np @ q_np)).astype(dtype) if dtype != np.int64 else rho_np // 7
    alpha = (rho / (p @ q)).astype(dtype) if dtype != np.int64 else rho // 7
    x += alpha * p
    r -= alpha * q
    p2 = r + alpha * p - 2 * alpha
    x_np += alpha_np * p_np
    r_np -= alpha_np * q_np
    p2_np = r_np + alpha_np * p_np - 2 * alpha_np
    t = dict(rtol=1e-4, atol=1e-3) if dtype == np.float32 else {}
    check(x, x_np, **t)
    check(r, r_np, **t)
    check(p2, p2_np, **t)
    # The value changes after the operation reading it was recorded (no flush between).
    beta = lnp.array(dtype(3))
    y = p * beta
    beta[...] = 5
    z = p * beta
    check(y, p_np * dtype(3))
    check(z, p_np * dtype(5))


def test_zero_d_operands_fuse():
    if not _fusion.enabled():
        pytest.skip("fusion is off (LEGATE_WINDOW_SIZE=1)")
    n = 3000
    x_np, p_np, q_np = (make(np.float64, (n,), salt=s) for s in (31, 32, 33))
    x, p, q = as_l(x_np), as_l(p_np), as_l(q_np)
    alpha = p @ q
    float(alpha)  # computed: only the chain below remains
    gc.collect()  # (earlier tests' arrays dying mid-chain would launch their frees)
    before = _fusion.stats()
    x += alpha * p
    y = x - alpha * q
    got = np.asarray(y)
    after = _fusion.stats()
    a = p_np @ q_np
    check(got, (x_np + a * p_np) - a * q_np)
    assert after["tasks"] - before["tasks"] == 1
    assert after["ops"] - before["ops"] == 4


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.complex128])
def test_assignment_of_a_dead_result_writes_it_directly(dtype):
    # `x[...] = x + 2*y`: the addition writes x (the temporary and the copy are dropped).
    x, y = make(dtype, (37,), salt=20), make(dtype, (37,), salt=21)
    lx, ly = as_l(x), as_l(y)
    _fusion.flush()
    before = _fusion.stats()
    for _ in range(30):
        x[...] = x + 2 * y
        lx[...] = lx + 2 * ly
    check(lx, x)
    check(ly, y)
    if _fusion.enabled():
        after = _fusion.stats()
        forwarded, tasks = after["forwarded"] - before["forwarded"], after["tasks"] - before["tasks"]
        # Every assignment, but one per window that ends between an addition and its copy.
        assert 30 >= forwarded >= 31 - tasks


def test_assignment_into_views_and_strided_destinations():
    a = make(np.float64, (9, 8), salt=22)
    la = as_l(a)
    for _ in range(3):
        v, lv = a[1:-1, ::2], la[1:-1, ::2]
        v[...] = v * 2 + 1
        lv[...] = lv * 2 + 1
        a.T[...] = a.T - 0.5
        la.T[...] = la.T - 0.5
    check(la, a)


def test_assignment_after_other_reads_of_the_destination():
    # Something reads x between the computation and the assignment: it sees the old x.
    x, y = make(np.float64, (50,), salt=23), make(np.float64, (50,), salt=24)
    lx, ly = as_l(x), as_l(y)
    t, lt = x + y, lx + ly
    z, lz = x * 3, lx * 3
    x[...] = t
    lx[...] = lt
    del t, lt
    check(lz, z)
    check(lx, x)
    # The temporary stays alive: it keeps its value, x gets a copy.
    t, lt = x * y, lx * ly
    x[...] = t
    lx[...] = lt
    lx[...] = lx + 1
    x[...] = x + 1
    check(lt, t)
    check(lx, x)


def test_assignment_with_a_cast_or_an_overlapping_view():
    x = make(np.float64, (20,), salt=25)
    i = make(np.int64, (20,), salt=26)
    lx, li = as_l(x), as_l(i)
    i[...] = x * 2
    li[...] = lx * 2
    check(li, i)
    x[1:] = x[:-1] + 1
    lx[1:] = lx[:-1] + 1
    check(lx, x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int16, np.complex128, np.bool_])
def test_streamed_outputs_in_rows_of_every_alignment(dtype):
    """Outputs of large points are stored with non-temporal stores (every size under
    LEGATE_TEST): rows of views starting at odd offsets (unaligned heads and tails), a
    tile written twice in one window (only the last write streams), a written tile read
    again later in the window, same-type copies and casts."""
    x_np = make(dtype, (37, 301), salt=31)
    y_np = make(dtype, (37, 301), salt=32)
    x, y = as_l(x_np), as_l(y_np)
    one = dtype(1) if dtype is not np.bool_ else True
    for sl in [(slice(None), slice(None)), (slice(1, -1), slice(3, -2)), (slice(None, None, 2), slice(5, None))]:
        xs, ys, xs_np, ys_np = x[sl], y[sl], x_np[sl], y_np[sl]
        t = xs * ys
        t_np = xs_np * ys_np
        xs[...] = t + one
        xs_np[...] = t_np + one
        u = xs * ys  # reads the tile written just before
        u_np = xs_np * ys_np
        ys[...] = xs
        ys_np[...] = xs_np
        check(u, u_np)
        check(x, x_np)
        check(y, y_np)
        check(xs.astype(np.float64) + 0.5, xs_np.astype(np.float64) + 0.5)


def test_a_window_of_dead_results_of_a_broadcast_scalar():
    # Operations whose only array operand is a broadcast scalar, and whose results all
    # die before the window runs, touch no memory: the fused task once failed ("a
    # program without tiles", reported at the next fence, far from its cause).
    a = lnp.broadcast_to(lnp.asarray(2.0), (5,))
    b = a * 3.0
    c = b + a
    del b, c
    gc.collect()
    check(lnp.arange(5.0) + 1, np.arange(5.0) + 1)
    # The same, feeding only a dot: its sum needs the extent of the (dead) operand.
    a = lnp.broadcast_to(lnp.asarray(2.0), (5,))
    b = a * 3.0
    s = lnp.dot(b, b)
    del b
    check(s, np.dot(np.full(5, 6.0), np.full(5, 6.0)))
