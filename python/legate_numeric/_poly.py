"""Polynomials as coefficient arrays, highest power first (NumPy's "Power series"
functions of ``numpy`` itself): ``poly polyadd polysub polymul polydiv polyder polyint
polyval``.

Coefficients stay in stores: sums are aligned slices, products are ``convolve``,
evaluation is Horner's rule on whole arrays. A ``numpy.poly1d`` argument (NumPy's
class) runs in NumPy.
"""

from __future__ import annotations

import operator

import numpy as _np

from . import _fallback
from ._array import ndarray
from ._creation import arange, asarray, zeros


def _has_poly1d(*args) -> bool:
    return any(isinstance(a, _np.poly1d) for a in args)


def _coefficients(p) -> ndarray:
    """``p`` as a 1-d legate array (a scalar becomes one coefficient)."""
    from ._manip import atleast_1d

    return atleast_1d(asarray(p))


def poly(seq_of_zeros):
    """The coefficients of the monic polynomial with the given roots."""
    from ._linalg import convolve
    from ._sort import sort

    z = asarray(seq_of_zeros)
    if z.ndim == 2 and z.shape[0] == z.shape[1] and z.shape[0] != 0:
        # The characteristic polynomial needs eigenvalues (no native eigensolver).
        return _fallback.call("poly (matrix)", _np.poly, (z,), {})
    if z.ndim == 0:
        # NumPy's dispatcher iterates over the roots: a scalar is a TypeError there.
        raise TypeError("poly: the roots must be a sequence, not a scalar")
    if z.ndim != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    _fallback.record_native("poly")
    if z.shape[0] == 0:
        return asarray(1.0)  # NumPy's 1.0 for no roots
    dt = _np.result_type(z.dtype, 1.0)
    a = asarray(_np.ones((1,), dt))
    for i in range(z.shape[0]):
        factor = ndarray((2,), dt)
        factor[0:1] = 1
        factor[1:2] = -z[i:i + 1]
        a = convolve(a, factor, mode="full")
    if a.dtype.kind == "c" and z.size:
        roots = z.astype(complex)
        if bool((sort(roots) == sort(roots.conj())).all()):
            a = a.real.copy()
    return a


def _aligned_sum(a1, a2, subtract: bool) -> ndarray:
    a1, a2 = _coefficients(a1), _coefficients(a2)
    b2 = -a2 if subtract else a2
    diff = a2.shape[0] - a1.shape[0]
    if diff == 0:
        return a1 + b2
    if diff > 0:
        out = b2 + zeros((), a1.dtype)  # the promoted dtype, a copy
        out[diff:] = out[diff:] + a1
        return out
    out = a1 + zeros((), b2.dtype)
    out[-diff:] = out[-diff:] + b2
    return out


def polyadd(a1, a2):
    """The sum of two polynomials."""
    if _has_poly1d(a1, a2):
        return _fallback.call("polyadd (poly1d)", _np.polyadd, (a1, a2), {})
    _fallback.record_native("polyadd")
    return _aligned_sum(a1, a2, False)


def polysub(a1, a2):
    """The difference of two polynomials."""
    if _has_poly1d(a1, a2):
        return _fallback.call("polysub (poly1d)", _np.polysub, (a1, a2), {})
    _fallback.record_native("polysub")
    return _aligned_sum(a1, a2, True)


def polymul(a1, a2):
    """The product of two polynomials (a convolution of the coefficients)."""
    from ._linalg import convolve

    if _has_poly1d(a1, a2):
        return _fallback.call("polymul (poly1d)", _np.polymul, (a1, a2), {})
    _fallback.record_native("polymul")
    return convolve(_coefficients(a1), _coefficients(a2))


def polydiv(u, v):
    """Quotient and remainder of polynomial division (long division, one quotient
    coefficient per step; leading remainder terms within 1e-14 of zero dropped)."""
    from ._ufunc import absolute

    if _has_poly1d(u, v):
        return _fallback.call("polydiv (poly1d)", _np.polydiv, (u, v), {})
    _fallback.record_native("polydiv")
    u = _coefficients(u) + 0.0
    v = _coefficients(v) + 0.0
    w_dtype = _np.result_type(u.dtype, v.dtype)
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = 1.0 / v[0:1]
    q = zeros((max(m - n + 1, 1),), w_dtype)
    r = u.astype(w_dtype)
    for k in range(m - n + 1):
        d = scale * r[k:k + 1]
        q[k:k + 1] = d
        r[k:k + n + 1] -= d * v
    # NumPy's allclose(r[0], 0, rtol=1e-14): within its default atol of zero.
    while r.shape[-1] > 1 and bool((absolute(r[0:1]) <= 1e-08).all()):
        r = r[1:]
    return q, r


def polyder(p, m=1):
    """The ``m``-th derivative of a polynomial."""
    if _has_poly1d(p):
        return _fallback.call("polyder (poly1d)", _np.polyder, (p, m), {})
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    _fallback.record_native("polyder")
    p = _coefficients(p)
    for _ in range(m):
        n = p.shape[0] - 1
        p = p[:-1] * arange(n, 0, -1)
    return p


def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative of a polynomial, with integration constants ``k``."""
    from ._manip import concatenate

    if _has_poly1d(p):
        return _fallback.call("polyint (poly1d)", _np.polyint, (p, m), {"k": k})
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if k is None:
        k = [0] * m
    k = _np.atleast_1d(_fallback.to_numpy(k))
    if len(k) == 1 and m > 1:
        k = _np.full(m, k[0])
    if len(k) < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    _fallback.record_native("polyint")
    p = _coefficients(p)
    for i in range(m):
        p = concatenate((p / arange(p.shape[0], 0, -1), asarray(k[i:i + 1])))
    return p


def polyval(p, x):
    """The polynomial's values at ``x`` (Horner's rule on whole arrays)."""
    from ._creation import zeros_like

    if _has_poly1d(p, x):
        return _fallback.call("polyval (poly1d)", _np.polyval, (p, x), {})
    _fallback.record_native("polyval")
    p = asarray(p)
    x = asarray(x)
    y = zeros_like(x)
    for i in range(p.shape[0] if p.ndim else 0):
        y = y * x + p[i, ...]
    return y
