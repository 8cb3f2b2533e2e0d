"""Elementwise mathematics composed from native ufuncs (NumPy's "Mathematical
functions" not backed by their own kernel): ``fabs modf frexp ldexp gcd lcm
float_power logaddexp2 bitwise_count real_if_close sort_complex``.

Each resolves its loop types as NumPy does (``ufunc.resolve_dtypes``, with NumPy's
``TypeError`` for unsupported types) and computes values NumPy's kernels give exactly:
``frexp`` and ``ldexp`` scale by exact powers of two, never by rounded logarithms.
"""

from __future__ import annotations

import numpy as _np

from . import _fallback
from ._array import _to_out, ndarray
from ._creation import asarray
from ._fperr import errstate
from ._manip import where


def _loop(np_ufunc, *args):
    """NumPy's loop dtypes for these operands (Python numbers as weak scalars)."""
    keys = []
    for x in args:
        if isinstance(x, ndarray):
            keys.append(x.dtype)
        elif type(x) in (int, float, complex):
            keys.append(type(x))
        else:
            keys.append(_np.asarray(x).dtype)
    return np_ufunc.resolve_dtypes(tuple(keys) + (None,) * np_ufunc.nout)


def _cast_in(x, dt) -> ndarray:
    if type(x) in (int, float, complex):
        x = _np.asarray(x, dtype=dt)  # NumPy's OverflowError for a Python int out of range
    a = asarray(x)
    return a if a.dtype == dt else a.astype(dt)


def fabs(x, /, out=None):
    """The absolute value of real numbers (complex input raises ``TypeError``)."""
    from ._ufunc import absolute

    loop = _loop(_np.fabs, x)
    _fallback.record_native("fabs")
    return _to_out(absolute(_cast_in(x, loop[0])), out)


def modf(x, /, out=(None, None)):
    """The fractional and integral parts, both with the sign of ``x`` (``modf(inf)`` is
    ``(0, inf)``)."""
    from ._ufunc import copysign, isinf, subtract, trunc

    loop = _loop(_np.modf, x)
    _fallback.record_native("modf")
    a = _cast_in(x, loop[0])
    whole = trunc(a)
    with errstate(invalid="ignore"):  # inf - inf, replaced below
        diff = subtract(a, whole)
    frac = copysign(where(isinf(a), a.dtype.type(0), diff), a)
    outs = out if isinstance(out, tuple) else (out, None)
    return _to_out(frac, outs[0]), _to_out(whole, outs[1] if len(outs) > 1 else None)


def _pow2(k: ndarray) -> ndarray:
    """``2.0 ** k`` for integer ``k`` in [-1074, 1023], exact (float64)."""
    from ._ufunc import power

    return power(2.0, k.astype(_np.float64))


def _frexp64(a: ndarray):
    """frexp of a float64 array: mantissa in [0.5, 1) and int64 exponent."""
    from ._ufunc import absolute, floor, greater_equal, isfinite, less, log2, logical_or, multiply

    special = logical_or(a == 0, _not(isfinite(a)))
    safe = where(special, 1.0, a)
    mag = absolute(safe)
    # A first guess from log2 (off by one near powers of two), then exact scaling by
    # powers of two and one correction step.
    e = floor(log2(mag)).astype(_np.int64) + 1
    half = e // 2
    m = multiply(multiply(safe, _pow2(-half)), _pow2(-(e - half)))
    big = greater_equal(absolute(m), 1.0)
    m = where(big, m * 0.5, m)
    e = where(big, e + 1, e)
    small = less(absolute(m), 0.5)
    m = where(small, m * 2.0, m)
    e = where(small, e - 1, e)
    m = where(special, a, m)
    e = where(special, 0, e)
    return m, e


def _not(x):
    from ._ufunc import logical_not

    return logical_not(x)


def frexp(x, /, out=(None, None)):
    """Mantissa and exponent: ``x == m * 2**e`` with ``0.5 <= |m| < 1`` (``m = x`` and
    ``e = 0`` for zeros, infinities and NaN)."""
    loop = _loop(_np.frexp, x)
    if loop[0] == _np.float16:
        # float32 holds every float16 exactly; the mantissa fits float16 again.
        m, e = frexp(_cast_in(x, loop[0]).astype(_np.float32))
        outs = out if isinstance(out, tuple) else (out, None)
        return _to_out(m.astype(_np.float16), outs[0]), _to_out(e, outs[1] if len(outs) > 1 else None)
    _fallback.record_native("frexp")
    a = _cast_in(x, loop[0])
    m, e = _frexp64(a.astype(_np.float64, copy=False))
    m = m.astype(loop[1], copy=False)
    e = e.astype(loop[2])
    outs = out if isinstance(out, tuple) else (out, None)
    return _to_out(m, outs[0]), _to_out(e, outs[1] if len(outs) > 1 else None)


def ldexp(x1, x2, /, out=None):
    """``x1 * 2**x2`` (integer ``x2``), rounded once, as NumPy's kernel does."""
    from ._ufunc import clip, copysign, isfinite, logical_or, multiply

    loop = _loop(_np.ldexp, x1, x2)
    if loop[0] == _np.float16:
        # NumPy's float16 loop: in float32, rounded to float16 once.
        wide = ldexp(_cast_in(x1, loop[0]).astype(_np.float32), _cast_in(x2, loop[1]))
        return _to_out(wide.astype(_np.float16), out)
    _fallback.record_native("ldexp")
    a = _cast_in(x1, loop[0]).astype(_np.float64, copy=False)
    k = clip(_cast_in(x2, loop[1]).astype(_np.int64), -5000, 5000)
    m, e = _frexp64(a)
    total = e + k
    # m * 2**total in two exact steps: the last one rounds (into the subnormal range or
    # to infinity) exactly once.
    last = clip(total, -1074, 1023)
    first = clip(total - last, 0, 2)
    result = multiply(multiply(m, _pow2(first)), _pow2(last))
    result = where(total < -1074, copysign(0.0, m), result)
    special = logical_or(a == 0, _not(isfinite(a)))
    result = where(special, a, result)
    return _to_out(result.astype(loop[2], copy=False), out)


# Significand bits and the exponent of the smallest subnormal, per float type.
_FLOAT_BITS = {_np.dtype(_np.float64): (53, -1074), _np.dtype(_np.float32): (24, -149), _np.dtype(_np.float16): (11, -24)}


def nextafter(x1, x2, /, out=None):
    """The next representable number after ``x1`` toward ``x2``: ``x1`` plus or minus
    one unit in the last place (half of one when stepping down from a power of two)."""
    from ._ufunc import absolute, add, copysign, greater, isinf, isnan, logical_or, maximum, subtract

    loop = _loop(_np.nextafter, x1, x2)
    if loop[0] not in _FLOAT_BITS:
        return _fallback.call(f"nextafter ({loop[0]})", _np.nextafter, (x1, x2), {"out": out} if out is not None else {})
    _fallback.record_native("nextafter")
    bits, tiny = _FLOAT_BITS[loop[0]]
    a, b = _cast_in(x1, loop[0]), _cast_in(x2, loop[1])
    shape = _np.broadcast_shapes(a.shape, b.shape)
    a, b = (v if v.shape == shape else _broadcast_copy(v, shape) for v in (a, b))
    a64, b64 = a.astype(_np.float64, copy=False), b.astype(_np.float64, copy=False)
    m, e = _frexp64(a64)
    ulp_up = _pow2(maximum(e - bits, tiny))
    ulp_down = where(absolute(m) == 0.5, _pow2(maximum(e - bits - 1, tiny)), ulp_up)
    away = greater(b64, a64) == greater(a64, 0.0)
    step = copysign(where(away, ulp_up, ulp_down), subtract(b64, a64))
    with errstate(invalid="ignore"):
        result = add(a64, step)
    # A step from the smallest subnormal onto zero keeps x's sign, as C's nextafter.
    result = where(result == 0, copysign(0.0, a64), result)
    result = where(a64 == 0, copysign(2.0**tiny, subtract(b64, a64)), result)
    result = where(isinf(a64), copysign(float(_np.finfo(loop[0]).max), a64), result)
    # Equal arguments: C gives y; NumPy's float16 loop gives x (-0.0 toward 0.0 stays -0.0).
    result = where(a64 == b64, a64 if loop[0] == _np.float16 else b64, result)
    result = where(logical_or(isnan(a64), isnan(b64)), _np.nan, result)
    return _to_out(result.astype(loop[2]), out)


def spacing(x, /, out=None):
    """The distance from ``x`` to the next number of larger magnitude (negative for
    negative ``x``; the smallest subnormal at zero; NaN at infinities)."""
    from ._ufunc import copysign, isinf, subtract

    loop = _loop(_np.spacing, x)
    if loop[0] not in _FLOAT_BITS:
        return _fallback.call(f"spacing ({loop[0]})", _np.spacing, (x,), {"out": out} if out is not None else {})
    _fallback.record_native("spacing")
    a = _cast_in(x, loop[0])
    if a.dtype == _np.float16:
        return _to_out(_half_spacing(a), out)
    toward = copysign(_np.inf, a).astype(a.dtype)
    with errstate(invalid="ignore"):
        result = subtract(nextafter(a, toward), a)
    tiny = a.dtype.type(2.0 ** _FLOAT_BITS[loop[0]][1])
    result = where(a == 0, tiny, where(isinf(a), a.dtype.type(_np.nan), result))
    return _to_out(result, out)


def _half_spacing(a: ndarray) -> ndarray:
    """NumPy's float16 spacing, which differs from its float32/64 one: always positive,
    the unit in the last place of ``|x|`` (2**-24 below the normal range), toward zero at
    a negative power of two, infinite at the largest half, NaN at infinities and NaN."""
    from ._ufunc import absolute, isfinite, logical_and, maximum

    a64 = a.astype(_np.float64)
    m, e = _frexp64(a64)  # |x| = |m| 2**e with |m| in [0.5, 1): the ulp is 2**(e - 11)
    lower = logical_and(a64 < 0, absolute(m) == 0.5)
    exponent = maximum(where(lower, e - 12, e - 11), -24)
    result = where(a64 == 0, 2.0**-24, _pow2(exponent))
    result = where(a64 == 65504.0, _np.inf, result)
    result = where(isfinite(a64), result, _np.nan)
    return result.astype(_np.float16)


def gcd(x1, x2, /, out=None):
    """The greatest common divisor of the absolute values (Euclid's algorithm, all
    elements in step until every remainder is zero)."""
    from ._ufunc import absolute, remainder

    loop = _loop(_np.gcd, x1, x2)
    if loop[0].kind not in "iu":
        raise TypeError(f"ufunc 'gcd' did not contain a loop with signature matching types ({loop[0]}, {loop[1]})")
    _fallback.record_native("gcd")
    a = absolute(_cast_in(x1, loop[0]))
    b = absolute(_cast_in(x2, loop[1]))
    if a.dtype.kind == "i":
        # The magnitudes as unsigned numbers, as NumPy's gcd: |MIN| is MIN in the signed
        # type (gcd(-128, 42) would come out -2), its unsigned reading the right 128.
        unsigned = _np.dtype(f"u{a.dtype.itemsize}")
        a, b = a.astype(unsigned), b.astype(unsigned)
    shape = _np.broadcast_shapes(a.shape, b.shape)
    a, b = (v if v.shape == shape else _broadcast_copy(v, shape) for v in (a, b))
    while bool((b != 0).any()):
        nonzero = b != 0
        r = remainder(a, where(nonzero, b, b.dtype.type(1)))
        a, b = where(nonzero, b, a), where(nonzero, r, b)
    return _to_out(a.astype(loop[2], copy=False), out)


def _broadcast_copy(v: ndarray, shape) -> ndarray:
    from ._manip import broadcast_to

    return broadcast_to(v, shape).copy()


def lcm(x1, x2, /, out=None):
    """The least common multiple of the absolute values (0 when either is 0)."""
    from ._ufunc import absolute, floor_divide, multiply

    loop = _loop(_np.lcm, x1, x2)
    if loop[0].kind not in "iu":
        raise TypeError(f"ufunc 'lcm' did not contain a loop with signature matching types ({loop[0]}, {loop[1]})")
    _fallback.record_native("lcm")
    a = absolute(_cast_in(x1, loop[0]))
    b = absolute(_cast_in(x2, loop[1]))
    g = gcd(a, b)
    # NumPy's |a| // gcd * |b|, which wraps around in the type when it overflows.
    result = multiply(floor_divide(a, where(g == 0, g.dtype.type(1), g)), b)
    return _to_out(result.astype(loop[2], copy=False), out)


def float_power(x1, x2, /, out=None):
    """``x1 ** x2`` computed in float64 (or complex128)."""
    from ._ufunc import power

    loop = _loop(_np.float_power, x1, x2)
    _fallback.record_native("float_power")
    return _to_out(power(_cast_in(x1, loop[0]), _cast_in(x2, loop[1])), out)


_LOG2E = 1.4426950408889634  # 1 / ln(2), as a float64


def logaddexp2(x1, x2, /, out=None):
    """``log2(2**x1 + 2**x2)`` without overflow: the larger plus ``log2(1 + 2**-|d|)``."""
    from ._ufunc import absolute, add, equal, exp2, log1p, maximum, multiply, negative, subtract

    loop = _loop(_np.logaddexp2, x1, x2)
    if loop[0] == _np.float16:
        # NumPy's float16 loop: in float32, rounded to float16 once.
        wide = logaddexp2(_cast_in(x1, loop[0]).astype(_np.float32), _cast_in(x2, loop[1]).astype(_np.float32))
        return _to_out(wide.astype(_np.float16), out)
    _fallback.record_native("logaddexp2")
    a, b = _cast_in(x1, loop[0]), _cast_in(x2, loop[1])
    with errstate(invalid="ignore"):
        # inf - inf in the unused branch is not NumPy's warning to give.
        d = negative(absolute(subtract(a, b)))
        r = add(maximum(a, b), multiply(log1p(exp2(d)), a.dtype.type(_LOG2E)))
    return _to_out(where(equal(a, b), add(a, a.dtype.type(1)), r), out)


def bitwise_count(x, /, out=None):
    """The number of 1 bits in ``|x|`` (uint8), by parallel bit counting."""
    from ._ufunc import absolute, bitwise_and, right_shift

    loop = _loop(_np.bitwise_count, x)
    _fallback.record_native("bitwise_count")
    a = _cast_in(x, loop[0])
    if a.dtype.kind == "i":
        # |min| wraps to min: its bits, read as the unsigned type of the same width,
        # are the magnitude.
        a = absolute(a).astype(_np.dtype(f"u{a.dtype.itemsize}"))
    v = a.astype(_np.uint64)
    m1, m2, m4 = _np.uint64(0x5555555555555555), _np.uint64(0x3333333333333333), _np.uint64(0x0F0F0F0F0F0F0F0F)
    v = v - bitwise_and(right_shift(v, _np.uint64(1)), m1)
    v = bitwise_and(v, m2) + bitwise_and(right_shift(v, _np.uint64(2)), m2)
    v = bitwise_and(v + right_shift(v, _np.uint64(4)), m4)
    v = right_shift(v * _np.uint64(0x0101010101010101), _np.uint64(56))
    return _to_out(v.astype(_np.uint8), out)


def real_if_close(a, tol=100):
    """The real part if every imaginary part is within ``tol`` machine epsilons of zero
    (``tol`` absolute when at most 1), else ``a``."""
    from ._ufunc import absolute, less

    a = asarray(a)
    _fallback.record_native("real_if_close")
    if a.dtype.kind != "c":
        return a
    if tol > 1:
        tol = _np.finfo(a.dtype).eps * tol
    if bool(less(absolute(a.imag), tol).all()):
        return a.real.copy()
    return a


def sort_complex(a):
    """The values sorted by real part, then imaginary part, as a complex array."""
    from ._sort import sort

    _fallback.record_native("sort_complex")
    b = sort(asarray(a))
    if b.dtype.kind != "c":
        b = b.astype(_np.complex64 if b.dtype.char in "bhBH" else _np.complex128)
    return b
