"""``legate_numeric.fft`` natively, against ``numpy.fft`` in the same test: every
function, every ``norm``, lengths that are primes, 1 and powers of two, 1-d to 3-d,
non-contiguous views, zero-padding and truncation, ``out=``, NumPy's dtypes and
NumPy's exception types."""

import warnings

import numpy as np
import pytest
from conftest import check_same_error

import legate_numeric as lnp

NORMS = [None, "backward", "ortho", "forward"]
LENGTHS = [1, 2, 3, 7, 8, 13, 16, 17, 64, 97, 128]


def data(shape, dtype=np.complex128, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def close(got, want):
    """Values, dtype and shape; the tolerance is relative to the largest value (an FFT's
    rounding error scales with the whole line, not with each output)."""
    assert isinstance(got, lnp.ndarray), type(got)
    got = np.asarray(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    rtol = 1e-5 if want.dtype in (np.float32, np.complex64, np.float16) else 1e-12
    if want.dtype == np.float16:
        rtol = 5e-3
    scale = float(np.max(np.abs(want))) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * max(scale, 1.0))


def same(name, x, **kw):
    """``numpy.fft.<name>`` and ``legate_numeric.fft.<name>`` on ``x``: the same error,
    or close results."""
    expected, exc = check_same_error(lambda: getattr(np.fft, name)(x, **kw), lambda: getattr(lnp.fft, name)(lnp.array(x), **kw))
    if exc is None:
        close(getattr(lnp.fft, name)(lnp.array(x), **kw), expected)


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("norm", NORMS)
def test_1d_lengths_and_norms(n, norm, no_fallback):
    x = data((n,), seed=n)
    r = data((n,), np.float64, seed=n + 1)
    close(lnp.fft.fft(lnp.array(x), norm=norm), np.fft.fft(x, norm=norm))
    close(lnp.fft.ifft(lnp.array(x), norm=norm), np.fft.ifft(x, norm=norm))
    close(lnp.fft.rfft(lnp.array(r), norm=norm), np.fft.rfft(r, norm=norm))
    close(lnp.fft.ihfft(lnp.array(r), norm=norm), np.fft.ihfft(r, norm=norm))
    m = n // 2 + 1
    close(lnp.fft.irfft(lnp.array(x[:m]), n=n, norm=norm), np.fft.irfft(x[:m], n=n, norm=norm))
    close(lnp.fft.hfft(lnp.array(x[:m]), n=n, norm=norm), np.fft.hfft(x[:m], n=n, norm=norm))
    if n > 1:
        close(lnp.fft.irfft(lnp.array(x), norm=norm), np.fft.irfft(x, norm=norm))
        close(lnp.fft.hfft(lnp.array(x), norm=norm), np.fft.hfft(x, norm=norm))


@pytest.mark.parametrize("shape", [(5, 8), (16, 7), (3, 4, 5), (2, 1, 13)], ids=str)
@pytest.mark.parametrize("norm", NORMS)
def test_every_axis(shape, norm, no_fallback):
    x = data(shape, seed=len(shape))
    r = data(shape, np.float64, seed=3)
    for axis in range(-len(shape), len(shape)):
        close(lnp.fft.fft(lnp.array(x), axis=axis, norm=norm), np.fft.fft(x, axis=axis, norm=norm))
        close(lnp.fft.ifft(lnp.array(x), axis=axis, norm=norm), np.fft.ifft(x, axis=axis, norm=norm))
        close(lnp.fft.rfft(lnp.array(r), axis=axis, norm=norm), np.fft.rfft(r, axis=axis, norm=norm))
        same("irfft", x, axis=axis, norm=norm)
        same("hfft", x, axis=axis, norm=norm)
        close(lnp.fft.ihfft(lnp.array(r), axis=axis, norm=norm), np.fft.ihfft(r, axis=axis, norm=norm))


@pytest.mark.parametrize("n", [1, 3, 5, 8, 11, 16, 40])
def test_padding_and_truncation(n, no_fallback):
    x = data((3, 8), seed=n)
    r = data((3, 8), np.float64, seed=n)
    for name in ("fft", "ifft", "irfft", "hfft"):
        close(getattr(lnp.fft, name)(lnp.array(x), n=n), getattr(np.fft, name)(x, n=n))
        close(getattr(lnp.fft, name)(lnp.array(x), n=n, axis=0), getattr(np.fft, name)(x, n=n, axis=0))
    for name in ("rfft", "ihfft"):
        close(getattr(lnp.fft, name)(lnp.array(r), n=n), getattr(np.fft, name)(r, n=n))
        close(getattr(lnp.fft, name)(lnp.array(r), n=n, axis=0), getattr(np.fft, name)(r, n=n, axis=0))


ND = ["fft2", "ifft2", "fftn", "ifftn", "rfft2", "rfftn", "irfft2", "irfftn"]


@pytest.mark.parametrize("name", ND)
@pytest.mark.parametrize("norm", NORMS)
def test_nd(name, norm, no_fallback):
    real_in = name.startswith("rfft")
    for shape in [(6, 5), (4, 3, 7), (1, 8, 2)]:
        x = data(shape, np.float64 if real_in else np.complex128, seed=len(name))
        same(name, x, norm=norm)
        axes = (0, -1)
        s = (5, 9)
        close(getattr(lnp.fft, name)(lnp.array(x), s=s, axes=axes, norm=norm),
              getattr(np.fft, name)(x, s=s, axes=axes, norm=norm))
        if name.endswith("n") and len(shape) == 3:
            for axes in [(1,), (2, 0), (0, 1, 2), (1, 1)]:
                same(name, x, axes=axes, norm=norm)


def test_views(no_fallback):
    base = data((12, 10), seed=5)
    rbase = data((12, 10), np.float64, seed=6)
    for view in (lambda a: a.T, lambda a: a[::2, 1::3], lambda a: a[3:9, ::-1], lambda a: a[:, 4]):
        x, lx = view(base), view(lnp.array(base))
        r, lr = view(rbase), view(lnp.array(rbase))
        close(lnp.fft.fft(lx), np.fft.fft(x))
        close(lnp.fft.fft(lx, axis=0), np.fft.fft(x, axis=0))
        close(lnp.fft.rfft(lr, axis=0), np.fft.rfft(r, axis=0))
        close(lnp.fft.irfft(lx), np.fft.irfft(x))
        if x.ndim == 2:
            close(lnp.fft.fft2(lx), np.fft.fft2(x))
            close(lnp.fft.rfft2(lr), np.fft.rfft2(r))
            close(lnp.fft.irfft2(lx), np.fft.irfft2(x))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int64, np.uint16, np.float16, np.float32, np.float64,
                                   np.complex64, np.complex128], ids=str)
def test_dtypes(dtype, no_fallback):
    x = data((4, 6), dtype, seed=7) if np.dtype(dtype).kind in "fc" else (data((4, 6), np.float64) * 3).astype(dtype)
    for name in ("fft", "ifft", "irfft", "hfft", "fft2", "ifftn", "irfftn"):
        close(getattr(lnp.fft, name)(lnp.array(x)), getattr(np.fft, name)(x))
    for name in ("rfft", "ihfft", "rfft2", "rfftn"):
        expected, exc = check_same_error(lambda: getattr(np.fft, name)(x), lambda: getattr(lnp.fft, name)(lnp.array(x)))
        if exc is None:
            close(getattr(lnp.fft, name)(lnp.array(x)), expected)


def test_numpy_inputs_and_lists(no_fallback):
    x = [1.0, 2.0, 0.5, -1.0, 3.0]
    close(lnp.fft.fft(x), np.fft.fft(x))
    close(lnp.fft.rfft(np.array(x)), np.fft.rfft(np.array(x)))
    close(lnp.fft.fftn([[1, 2], [3, 4]]), np.fft.fftn([[1, 2], [3, 4]]))


def test_out(no_fallback):
    x = data((4, 6), seed=8)
    r = data((4, 6), np.float64, seed=9)
    out = lnp.empty((4, 6), np.complex128)
    got = lnp.fft.fft(lnp.array(x), out=out)
    assert got is out
    close(out, np.fft.fft(x))
    out = lnp.empty((4, 4), np.complex128)
    assert lnp.fft.rfft(lnp.array(r), out=out) is out
    close(out, np.fft.rfft(r))
    out = lnp.empty((4, 6), np.complex64)  # same_kind: double into single
    lnp.fft.ifft(lnp.array(x), out=out)
    close(out, np.fft.ifft(x, out=np.empty((4, 6), np.complex64)))
    out = lnp.empty((4, 6), np.complex128)
    lnp.fft.fft2(lnp.array(x), out=out)
    close(out, np.fft.fft2(x))
    out = lnp.empty((4, 10), np.float64)
    assert lnp.fft.irfft(lnp.array(x), out=out) is out
    close(out, np.fft.irfft(x))
    # In place: the output is the input.
    a = lnp.array(x)
    lnp.fft.fft(a, out=a)
    close(a, np.fft.fft(x))
    out = lnp.empty((4, 6), np.complex128)
    lnp.fft.fftn(lnp.array(x), out=out)
    close(out, np.fft.fftn(x))
    for bad in (np.empty((4, 5), complex), np.empty((4, 6), float)):
        check_same_error(lambda: np.fft.fft(x, out=bad), lambda: lnp.fft.fft(lnp.array(x), out=lnp.array(bad)))


def test_errors(no_fallback):
    x = data((4, 6), seed=10)
    cases = [
        dict(n=0), dict(n=-2), dict(n=2.5), dict(axis=2), dict(axis=-3), dict(norm="bogus"), dict(n=3, axis=5),
    ]
    for kw in cases:
        for name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
            arg = x.real if name in ("rfft", "ihfft") else x
            check_same_error(lambda: getattr(np.fft, name)(arg, **kw), lambda: getattr(lnp.fft, name)(lnp.array(arg), **kw))
    check_same_error(lambda: np.fft.rfft(x), lambda: lnp.fft.rfft(lnp.array(x)))
    check_same_error(lambda: np.fft.fft(np.ones(())), lambda: lnp.fft.fft(lnp.array(np.ones(()))))
    check_same_error(lambda: np.fft.fft(np.ones(0)), lambda: lnp.fft.fft(lnp.array(np.ones(0))))
    check_same_error(lambda: np.fft.irfft(np.ones(1)), lambda: lnp.fft.irfft(lnp.array(np.ones(1))))
    for kw in [dict(s=(3,), axes=(0, 1)), dict(axes=(0, 2)), dict(s=(0, 3), axes=(0, 1)), dict(norm="x")]:
        for name in ND:
            arg = x.real if name.startswith("rfft") else x
            check_same_error(lambda: getattr(np.fft, name)(arg, **kw), lambda: getattr(lnp.fft, name)(lnp.array(arg), **kw))


def test_empty_and_deprecated_s(no_fallback):
    close(lnp.fft.fft(lnp.array(np.ones((0, 3)))), np.fft.fft(np.ones((0, 3))))
    close(lnp.fft.fft(lnp.array(np.ones((3, 0))), n=4), np.fft.fft(np.ones((3, 0)), n=4))
    close(lnp.fft.rfft(lnp.array(np.ones((2, 0))), n=5), np.fft.rfft(np.ones((2, 0)), n=5))
    x = data((4, 6), seed=11)
    with pytest.warns(DeprecationWarning):
        got = lnp.fft.fftn(lnp.array(x), s=(3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(got, np.fft.fftn(x, s=(3, 3)))
    a = lnp.array(np.ones((2, 3)))
    assert lnp.fft.fftn(a, axes=()) is a


@pytest.mark.parametrize("n", [1, 2, 7, 8])
def test_frequencies_and_shifts(n, no_fallback):
    for d in (1.0, 0.25, 3):
        close(lnp.fft.fftfreq(n, d), np.fft.fftfreq(n, d))
        close(lnp.fft.rfftfreq(n, d=d), np.fft.rfftfreq(n, d=d))
    x = data((n, 5, 4), np.float64, seed=n)
    for axes in (None, 0, 1, (0, 2), (-1,)):
        close(lnp.fft.fftshift(lnp.array(x), axes=axes), np.fft.fftshift(x, axes=axes))
        close(lnp.fft.ifftshift(lnp.array(x), axes=axes), np.fft.ifftshift(x, axes=axes))
    close(lnp.fft.fftshift(lnp.fft.fftfreq(n)), np.fft.fftshift(np.fft.fftfreq(n)))
    check_same_error(lambda: np.fft.fftfreq(4.0), lambda: lnp.fft.fftfreq(4.0))
    check_same_error(lambda: np.fft.fftfreq(4, device="gpu"), lambda: lnp.fft.fftfreq(4, device="gpu"))


def test_round_trips(no_fallback):
    x = data((9, 33), seed=12)
    r = data((9, 32), np.float64, seed=13)
    close(lnp.fft.ifft(lnp.fft.fft(lnp.array(x))), np.fft.ifft(np.fft.fft(x)))
    close(lnp.fft.irfftn(lnp.fft.rfftn(lnp.array(r)), s=r.shape, axes=(0, 1)), np.fft.irfftn(np.fft.rfftn(r), s=r.shape, axes=(0, 1)))


def test_longdouble_falls_back():
    x = np.ones(4, np.longdouble)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = lnp.fft.fft(x)
    np.testing.assert_allclose(np.asarray(got), np.fft.fft(x))


def test_out_ignored_where_numpy_ignores_it(no_fallback):
    """NumPy 2.4's ``hfft``, ``ifft2`` and ``irfft2`` take ``out`` and do not write it."""
    x = data((4, 6), seed=14)
    for name, shape, dtype in [("hfft", (4, 10), np.float64), ("ifft2", (4, 6), np.complex128),
                               ("irfft2", (4, 10), np.float64)]:
        o_np, o_lg = np.zeros(shape, dtype), lnp.zeros(shape, dtype)
        want = getattr(np.fft, name)(x, out=o_np)
        got = getattr(lnp.fft, name)(lnp.array(x), out=o_lg)
        assert (got is o_lg) == (want is o_np)
        close(got, want)
        np.testing.assert_array_equal(np.asarray(o_lg), o_np)
