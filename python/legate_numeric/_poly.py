"""Polynomials as coefficient arrays, highest power first (NumPy's "Power series"
functions of ``numpy`` itself): ``poly polyadd polysub polymul polydiv polyder polyint
polyval polyfit roots``.

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
        # The characteristic polynomial: the one whose roots are the eigenvalues.
        from .linalg import eigvals

        z = eigvals(z)
    if z.ndim == 0:
        # NumPy's dispatcher iterates over the roots: a scalar is a TypeError there.
        raise TypeError("poly: the roots must be a sequence, not a scalar")
    if z.ndim != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    _fallback.record_native("poly")
    if z.shape[0] == 0:
        return asarray(1.0)  # NumPy's 1.0 for no roots
    # NumPy's roots in the smallest float type that holds them (unsigned roots are
    # negated in float, not wrapped).
    dt = _np.dtype(_np.mintypecode(z.dtype.char))
    z = z.astype(dt)
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
    return convolve(_leading_zeros_trimmed(a1), _leading_zeros_trimmed(a2))


def _leading_zeros_trimmed(p) -> ndarray:
    """``p``'s coefficients without leading zeros (one left for the zero polynomial),
    as NumPy's ``poly1d`` holds them; one small read finds the first nonzero."""
    from ._scan import argmax

    c = _coefficients(p)
    if c.ndim != 1:
        raise ValueError("Polynomial must be 1d only.")
    if c.shape[0] == 0:
        return zeros((1,), c.dtype)
    nonzero = c != 0
    first = int(argmax(nonzero))
    if not bool(nonzero[first]):
        return c[-1:]  # all zeros
    return c[first:] if first else c


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


def roots(p):
    """The roots of the polynomial with coefficients ``p``: the eigenvalues of its
    companion matrix (leading zeros dropped; trailing zeros are roots at 0)."""
    from ._creation import ones
    from ._manip import atleast_1d, diag, hstack
    from .linalg import eigvals

    p = atleast_1d(asarray(p))
    if p.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    _fallback.record_native("roots")
    nonzero = _np.flatnonzero(_np.asarray(p != 0))  # a few coefficients: read them
    if nonzero.size == 0:
        return zeros((0,), _np.float64)
    first, last = int(nonzero[0]), int(nonzero[-1])
    trailing = p.shape[0] - last - 1
    p = p[first : last + 1]
    if p.dtype.kind not in "fc":
        p = p.astype(_np.float64)
    n = p.shape[0]
    if n > 1:
        # Companion matrix: ones on the subdiagonal, -p[1:] / p[0] in the first row.
        companion = diag(ones((n - 2,), p.dtype), -1)
        companion[0, :] = -p[1:] / p[0:1]
        found = eigvals(companion)
    else:
        found = zeros((0,), _np.float64)
    return hstack((found, zeros((trailing,), found.dtype)))


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """The least-squares polynomial fit of degree ``deg`` to points ``(x, y)`` (``y``
    may hold several data sets as columns): coefficients highest power first, from
    ``linalg.lstsq`` of the column-scaled (and weighted) Vandermonde matrix. ``full``
    adds the residuals, rank, singular values and ``rcond``; ``cov`` the covariance
    matrix of the coefficients (scaled by the residuals unless ``cov='unscaled'``)."""
    import warnings

    from ._creation_more import vander
    from ._linalg import dot, outer
    from ._reduce import sum as _sum
    from ._ufunc import sqrt
    from .linalg import inv, lstsq

    order = int(deg) + 1
    x = asarray(x) + 0.0
    y = asarray(y) + 0.0
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if x.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if x.size == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("expected x and y to have same length")
    _fallback.record_native("polyfit")
    if rcond is None:
        rcond = x.shape[0] * _np.finfo(x.dtype).eps
    lhs = vander(x, order)
    rhs = y
    if w is not None:
        w = asarray(w) + 0.0
        if w.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if w.shape[0] != y.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w.reshape((-1, 1))
        rhs = rhs * (w.reshape((-1, 1)) if rhs.ndim == 2 else w)
    # Columns scaled to unit norm: the powers of x differ by orders of magnitude.
    scale = sqrt(_sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    c, resids, rank, s = lstsq(lhs, rhs, rcond)
    c = (c.T / scale).T
    if rank != order and not full:
        warnings.warn("Polyfit may be poorly conditioned", _np.exceptions.RankWarning, stacklevel=2)
    if full:
        return c, resids, rank, s, rcond
    if not cov:
        return c
    base = inv(dot(lhs.T, lhs)) / outer(scale, scale)
    if cov == "unscaled":
        factor = 1
    else:
        if x.shape[0] <= order:
            raise ValueError("the number of data points must exceed order to scale the covariance matrix")
        factor = resids / (x.shape[0] - order)
    if y.ndim == 1:
        return c, base * factor
    return c, base.reshape(base.shape + (1,)) * factor
