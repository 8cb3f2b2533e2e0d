"""Set routines, cumulative functions, windows and polynomial helpers composed natively,
against NumPy with the fallback off."""

import numpy as np
import pytest
from conftest import check, check_same_error, make, quiet

import legate_numeric as lnp


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


def same(np_call, lnp_call, **kw):
    expected, _ = check_same_error(np_call, lnp_call)
    if expected is not None:
        got = lnp_call()
        if isinstance(expected, tuple):
            assert isinstance(got, tuple) and len(got) == len(expected)
            if hasattr(expected, "_fields"):
                assert got._fields == expected._fields
            for g, e in zip(got, expected):
                check(g, e, **kw)
        else:
            check(got, expected, **kw)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8, np.float32, np.float64], ids=str)
def test_sets(dtype):
    x = make(dtype, (3, 5))
    y = make(dtype, (6,), 1)
    if np.dtype(dtype).kind == "f":
        x[0, 0] = x[1, 1] = np.nan
    a, b = lnp.array(x), lnp.array(y)
    for f in ("unique_all", "unique_counts", "unique_inverse", "unique_values"):
        for xx, aa in ((x, a), (x[::2, ::-1], a[::2, ::-1]), (x[:0], a[:0]), (x[0, 0], a[0, 0])):
            if f == "unique_values":  # the order is unspecified (NumPy's is unsorted for integers)
                check(np.sort(np.asarray(lnp.unique_values(aa))), np.sort(np.unique_values(xx)))
            else:
                same(lambda: getattr(np, f)(xx), lambda: getattr(lnp, f)(aa))
    for f in ("union1d", "setdiff1d", "setxor1d", "intersect1d"):
        for xx, aa, yy, bb in ((x, a, y, b), (x[:0], a[:0], y, b), (y, b, y[::-1], b[::-1]), (x[1], a[1], y[:1], b[:1])):
            same(lambda: getattr(np, f)(xx, yy), lambda: getattr(lnp, f)(aa, bb))
    u, v = np.unique(x), np.unique(y)
    for f in ("setdiff1d", "setxor1d", "intersect1d"):
        same(lambda: getattr(np, f)(u, v, assume_unique=True), lambda: getattr(lnp, f)(lnp.array(u), lnp.array(v), assume_unique=True))
    same(lambda: np.intersect1d(x, y, return_indices=True), lambda: lnp.intersect1d(a, b, return_indices=True))
    same(lambda: np.intersect1d(u, v, assume_unique=True, return_indices=True),
         lambda: lnp.intersect1d(lnp.array(u), lnp.array(v), assume_unique=True, return_indices=True))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int32, np.float32, np.complex128], ids=str)
def test_cumulative(dtype):
    x = make(dtype, (3, 4))
    a = lnp.array(x)
    for f in ("cumulative_sum", "cumulative_prod"):
        for xx, aa, axis in ((x, a, 0), (x, a, 1), (x, a, -1), (x, a, None), (x[0], a[0], None), (x[0, 0], a[0, 0], None),
                             (x[::-1, ::2], a[::-1, ::2], 1), (x[:0], a[:0], 0), (x, a, 2)):
            for initial in (False, True):
                same(lambda: getattr(np, f)(xx, axis=axis, include_initial=initial),
                     lambda: getattr(lnp, f)(aa, axis=axis, include_initial=initial))
        same(lambda: getattr(np, f)(x, axis=1, dtype=np.float64), lambda: getattr(lnp, f)(a, axis=1, dtype=np.float64))
        out = lnp.zeros((3, 5), np.complex128)
        assert getattr(lnp, f)(a, axis=1, include_initial=True, out=out) is out
        check(out, getattr(np, f)(x, axis=1, include_initial=True).astype(np.complex128))


def test_windows():
    for M in (-1, 0, 1, 2, 5, 16, 17):
        for f in ("bartlett", "blackman", "hamming", "hanning"):
            same(lambda: getattr(np, f)(M), lambda: getattr(lnp, f)(M), atol=1e-15)
        for beta in (0.0, 5.0, 14.0):
            same(lambda: np.kaiser(M, beta), lambda: lnp.kaiser(M, beta), rtol=1e-13)


def test_polynomial_dtype_edges():
    """polymul drops leading zeros as NumPy's poly1d does (zero polynomials included);
    poly computes unsigned, bool and float16 roots in float64, float32 in float32
    (unsigned roots were negated in uint8 and wrapped)."""
    for p1, p2 in (([0, 1, 2], [1, 1]), ([0, 0], [1, 2]), ([], [3]), ([0, 0, 3.5], [0, 2j]), ([5], [0, 0, 0])):
        same(lambda: np.polymul(np.array(p1), p2), lambda: lnp.polymul(lnp.array(p1), p2))
    for roots in (np.arange(6, dtype=np.uint8), np.array([True, False]), np.array([1.5, -2], np.float16),
                  np.array([1, 2], np.float32), np.array([1j, -1j], np.complex64)):
        same(lambda: np.poly(roots), lambda: lnp.poly(lnp.array(roots)), rtol=1e-6)
    for z in (np.arange(3, dtype=np.uint8), np.arange(-2, 2, dtype=np.int8), np.array([True, False]), np.float32(2)):
        same(lambda: np.angle(z), lambda: lnp.angle(lnp.array(z)))


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex128], ids=str)
def test_polynomials(dtype):
    p = make(dtype, (4,), nonzero=True)
    q = make(dtype, (2,), 1, nonzero=True)
    a, b = lnp.array(p), lnp.array(q)
    for f in ("polyadd", "polysub", "polymul"):
        for pp, aa, qq, bb in ((p, a, q, b), (q, b, p, a), (p, a, p, a), (p[0], a[0], q, b), (p[::-1], a[::-1], q[:1], b[:1])):
            same(lambda: getattr(np, f)(pp, qq), lambda: getattr(lnp, f)(aa, bb))
    with quiet():
        for pp, qq in ((p, q), (q, p), (p, p), (p, q[:1]), (np.array([1.0, -3, 2]), np.array([1.0, -1]))):
            same(lambda: np.polydiv(pp, qq), lambda: lnp.polydiv(lnp.array(pp), lnp.array(qq)), rtol=1e-10)
    for m in (0, 1, 2, 5, -1):
        same(lambda: np.polyder(p, m), lambda: lnp.polyder(a, m))
        same(lambda: np.polyint(p, m), lambda: lnp.polyint(a, m))
    same(lambda: np.polyint(p, 2, [1, 2]), lambda: lnp.polyint(a, 2, [1, 2]))
    same(lambda: np.polyint(p, 3, 4), lambda: lnp.polyint(a, 3, 4))
    same(lambda: np.polyint(p, 3, [1, 2]), lambda: lnp.polyint(a, 3, [1, 2]))
    x = make(dtype, (2, 3), 2)
    same(lambda: np.polyval(p, x), lambda: lnp.polyval(a, lnp.array(x)))
    same(lambda: np.polyval(p, 2), lambda: lnp.polyval(a, 2))
    same(lambda: np.polyval([], x), lambda: lnp.polyval([], lnp.array(x)))
    for roots in (p, p[:1], p[:0], np.array([1j, -1j, 2]), np.array([[1, 2], [3]], dtype=object)[0:0]):
        if roots.dtype == object:
            continue
        same(lambda: np.poly(roots), lambda: lnp.poly(lnp.array(roots)), rtol=1e-10)
    same(lambda: np.poly(p[0]), lambda: lnp.poly(a[0]))
    same(lambda: np.poly(np.ones((2, 3))), lambda: lnp.poly(lnp.ones((2, 3))))
