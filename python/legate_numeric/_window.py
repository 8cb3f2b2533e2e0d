"""Window functions (NumPy's "Window functions"): ``bartlett blackman hamming hanning
kaiser``, and the Bessel function ``i0`` that ``kaiser`` needs.

Each window is the cosine (or triangle) formula NumPy uses, evaluated on a native
``arange``; ``i0`` sums its power series natively until the terms stop mattering.
"""

from __future__ import annotations

import operator

import numpy as _np

from . import _fallback
from ._array import ndarray
from ._creation import arange, asarray, ones


def _points(M, name):
    """The window's sample positions ``1-M, 3-M, ..., M-1`` (as float64), or the
    whole window when ``M`` is below 2."""
    if _np.ndim(M) != 0:
        raise ValueError("setting an array element with a sequence: a window's length is one number")
    _fallback.record_native(name)
    dt = _np.result_type(M, 0.0)
    if M < 1:
        return None, ndarray((0,), dt)
    if M == 1:
        return None, ones((1,), dt)
    return arange(1 - M, M, 2).astype(_np.float64), None


def _cosine_window(M, name, terms):
    """``sum(c * cos(k * pi * n / (M - 1)))`` over ``terms`` = [(k, c), ...]."""
    from ._ufunc import cos, multiply

    n, small = _points(M, name)
    if small is not None:
        return small
    result = None
    for k, c in terms:
        term = c if k == 0 else multiply(c, cos(multiply(k * _np.pi, n) / (M - 1)))
        result = term if result is None else result + term
    return result


def bartlett(M):
    """The triangular window of ``M`` points."""
    from ._manip import where

    n, small = _points(M, "bartlett")
    if small is not None:
        return small
    return where(n <= 0, 1 + n / (M - 1), 1 - n / (M - 1))


def blackman(M):
    """The Blackman window of ``M`` points."""
    return _cosine_window(M, "blackman", [(0, 0.42), (1, 0.5), (2, 0.08)])


def hamming(M):
    """The Hamming window of ``M`` points."""
    return _cosine_window(M, "hamming", [(0, 0.54), (1, 0.46)])


def hanning(M):
    """The Hann window of ``M`` points."""
    return _cosine_window(M, "hanning", [(0, 0.5), (1, 0.5)])


def i0(x):
    """The modified Bessel function of the first kind, order 0: the series
    ``sum((x/2)**(2k) / (k!)**2)``, summed until every term is below the sum's
    rounding."""
    from ._ufunc import absolute, greater, multiply, true_divide

    a = asarray(x)
    if a.dtype.kind == "c":
        raise TypeError("i0 not supported for complex values")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"i0 not supported for dtype {a.dtype}")
    _fallback.record_native("i0")
    # NumPy's result type: the float type of x (float64 for integers); the sum runs in
    # float64.
    result_dtype = a.dtype if a.dtype.kind == "f" else _np.dtype(_np.float64)
    a = absolute(a.astype(_np.float64, copy=False))
    q = multiply(a, a) / 4.0
    total = ones(a.shape, _np.float64)
    term = ones(a.shape, _np.float64)
    k = 0
    while a.size:
        for _ in range(8):
            k += 1
            term = true_divide(multiply(term, q), float(k * k))
            total = total + term
        if not bool(greater(term, total * 1e-17).any()):
            break
    return total.astype(result_dtype, copy=False)


def kaiser(M, beta):
    """The Kaiser window of ``M`` points with shape parameter ``beta``."""
    from ._ufunc import sqrt

    n, small = _points(operator.index(M) if isinstance(M, (int, _np.integer)) else M, "kaiser")
    if small is not None:
        return small
    alpha = (M - 1) / 2.0
    n = (n + (M - 1)) / 2.0  # back to 0 .. M-1
    return i0(beta * sqrt(1 - ((n - alpha) / alpha) ** 2.0)) / i0(asarray(float(beta)))
