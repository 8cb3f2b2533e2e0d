"""More array creation (NumPy's "From existing data", "Building matrices" and
"Numerical ranges" beyond ``_creation``): ``fromfunction fromiter frombuffer
ascontiguousarray asfortranarray asanyarray asarray_chkfinite require diagflat vander``
and ``linspace``/``logspace``/``geomspace`` with array or complex bounds.

``fromiter`` and ``frombuffer`` read host data (a Python iterable, a buffer) into a new
array, as ``array`` does; everything else is composed of native operations.
"""

from __future__ import annotations

import operator

import numpy as _np

from . import _fallback
from ._array import ndarray
from ._creation import arange, array, asarray, indices


def fromfunction(function, shape, *, dtype=float, like=None, **kwargs):
    """``function`` called with the index grid of ``shape`` (one array per axis)."""
    _fallback.record_native("fromfunction")
    return function(*indices(shape, dtype=dtype), **kwargs)


def fromiter(iter, dtype, count=-1, *, like=None):  # noqa: A002 - NumPy's name
    """A 1-d array of the values an iterable yields (read on the host, as ``array``
    reads a list)."""
    _fallback.record_native("fromiter")
    return asarray(_np.fromiter(iter, dtype, count=count))


def frombuffer(buffer, dtype=float, count=-1, offset=0, *, like=None):
    """A 1-d array of the values in a buffer. The values are copied into a store:
    unlike NumPy's, the array does not share the buffer's memory."""
    _fallback.record_native("frombuffer")
    return array(_np.frombuffer(buffer, dtype=dtype, count=count, offset=offset))


def asanyarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    """``asarray`` (legate_numeric has no array subclasses)."""
    return asarray(a, dtype=dtype, copy=copy)


def ascontiguousarray(a, dtype=None, *, like=None):
    """``a`` as a C-contiguous array (a copy only when it is not one)."""
    _fallback.record_native("ascontiguousarray")
    a = asarray(a, dtype=dtype)
    if a.ndim == 0:
        a = a.reshape((1,))  # NumPy: at least 1-d
    return a if a.flags.c_contiguous else a.copy()


def asfortranarray(a, dtype=None, *, like=None):
    """``a`` as a Fortran-contiguous array (a copy only when it is not one)."""
    _fallback.record_native("asfortranarray")
    a = asarray(a, dtype=dtype)
    if a.ndim == 0:
        a = a.reshape((1,))
    return a if a.flags.f_contiguous else a.transpose().copy().transpose()


def asarray_chkfinite(a, dtype=None, order=None):
    """``asarray``, raising ``ValueError`` if the values include infinities or NaN."""
    from ._ufunc import isfinite

    _fallback.record_native("asarray_chkfinite")
    a = asarray(a, dtype=dtype)
    if a.dtype.kind in "fc" and not bool(isfinite(a).all()):
        raise ValueError("array must not contain infs or NaNs")
    return a


_REQUIREMENTS = {
    "C": "C", "C_CONTIGUOUS": "C", "CONTIGUOUS": "C",
    "F": "F", "F_CONTIGUOUS": "F", "FORTRAN": "F",
    "A": "A", "ALIGNED": "A",
    "W": "W", "WRITEABLE": "W",
    "O": "O", "OWNDATA": "O",
    "E": "E", "ENSUREARRAY": "E",
}


def require(a, dtype=None, requirements=None, *, like=None):
    """``a`` as an array of ``dtype`` meeting the flag ``requirements`` (copied only
    when it does not)."""
    _fallback.record_native("require")
    if not requirements:
        return asarray(a, dtype=dtype)
    if isinstance(requirements, str):
        requirements = [requirements]
    try:
        reqs = {_REQUIREMENTS[r.upper()] for r in requirements}
    except KeyError as exc:
        raise KeyError(exc.args[0]) from None
    if "C" in reqs and "F" in reqs:
        raise ValueError("Cannot specify both 'C' and 'F' order")
    arr = asarray(a, dtype=dtype)
    flags = arr.flags
    if "C" in reqs and not flags.c_contiguous:
        arr = arr.copy()
    elif ("O" in reqs and not flags.owndata) or ("W" in reqs and not flags.writeable):
        # NumPy's copy keeps a Fortran-ordered array Fortran-ordered.
        fortran = flags.f_contiguous and not flags.c_contiguous
        arr = arr.transpose().copy().transpose() if fortran else arr.copy()
    if "F" in reqs and not arr.flags.f_contiguous:
        arr = arr.transpose().copy().transpose()
    return arr


def diagflat(v, k=0):
    """A 2-d array with the flattened ``v`` on its ``k``-th diagonal."""
    from ._manip import diag, ravel

    _fallback.record_native("diagflat")
    return diag(ravel(asarray(v)), k)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of ``x``: columns ``x**(N-1), ..., x, 1`` (or increasing),
    computed as NumPy does, by cumulative products."""
    from ._manip import broadcast_to, flip
    from ._scan import cumprod

    x = asarray(x)
    if x.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    _fallback.record_native("vander")
    n = x.shape[0] if N is None else operator.index(N)
    if n < 0:
        raise ValueError("negative dimensions are not allowed")
    dt = _np.promote_types(x.dtype, int)
    v = ndarray((x.shape[0], n), dt)
    if n > 0:
        v[:, 0] = 1
        if n > 1:
            v[:, 1:] = broadcast_to(x.reshape((-1, 1)), (x.shape[0], n - 1))
            v[:, 1:] = cumprod(v[:, 1:], axis=1)
    return v if increasing else flip(v, axis=1)


# ---- numerical ranges with array or complex bounds (NumPy's formulas) ----


def linspace_general(start, stop, num, endpoint, retstep, dtype, axis):
    """``linspace`` for any bounds: ``start + arange(num) * step`` along a new axis."""
    from ._manip import moveaxis
    from ._ufunc import floor, multiply, subtract

    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    _fallback.record_native("linspace")
    div = (num - 1) if endpoint else num
    start = start if isinstance(start, ndarray) else _weak_or_array(start)
    stop = stop if isinstance(stop, ndarray) else _weak_or_array(stop)
    dt = _np.result_type(*[s.dtype if isinstance(s, ndarray) else s for s in (start, stop)], 1.0)
    integer_dtype = dtype is not None and _np.issubdtype(dtype, _np.integer)
    out_dtype = dt if dtype is None else _np.dtype(dtype)
    delta = subtract(stop, start, dtype=dt)
    y = arange(0, num, dtype=dt).reshape((-1,) + (1,) * delta.ndim)
    if div > 0:
        step = _divide_by_count(delta, div)
        if bool((step == 0).any()):
            y = multiply(_divide_by_count(y, div), delta)
        else:
            y = multiply(y, step)
    else:
        step = _np.nan
        y = multiply(y, delta)
    y = y + start
    if y.dtype != dt:
        y = y.astype(dt)
    if endpoint and num > 1:
        y[-1, ...] = stop
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if integer_dtype:
        y = floor(y)
    y = y.astype(out_dtype, copy=False)
    if retstep:
        if isinstance(step, ndarray) and step.ndim == 0:
            step = step.item()
        return y, step
    return y


def _divide_by_count(x: ndarray, n: int) -> ndarray:
    """``x / n`` (NumPy's values: a complex number divided by a real one is its parts
    divided, which is what its complex division gives for a zero imaginary part)."""
    from ._ufunc import true_divide

    if x.dtype.kind != "c":
        return true_divide(x, n)
    out = ndarray(x.shape, x.dtype)
    out.real = true_divide(x.real, n)
    out.imag = true_divide(x.imag, n)
    return out


def _weak_or_array(x):
    """Python numbers stay (NumPy 2's weak scalars); anything else becomes an array."""
    if type(x) in (int, float, complex):
        return x
    return asarray(x)


def logspace_general(start, stop, num, endpoint, base, dtype, axis):
    """``base ** linspace(start, stop)`` for any bounds and bases."""
    from ._manip import expand_dims
    from ._ufunc import power

    _fallback.record_native("logspace")
    if not isinstance(base, (float, int)) and _np.ndim(base):
        arrays = [asarray(v) for v in (start, stop, base)]
        ndmax = len(_np.broadcast_shapes(*[v.shape for v in arrays]))
        start, stop, base = (v.reshape((1,) * (ndmax - v.ndim) + v.shape) for v in arrays)
        base = expand_dims(base, axis)
    y = linspace_general(start, stop, num, endpoint, False, None, axis)
    result = power(base, y)
    return result if dtype is None else result.astype(dtype, copy=False)


def geomspace_general(start, stop, num, endpoint, dtype, axis):
    """Geometric sequences for any bounds (array, negative, complex): rotated onto the
    positive reals, spaced there, and rotated back, as NumPy does."""
    from ._manip import moveaxis
    from ._ufunc import log10, sign, true_divide

    start, stop = asarray(start), asarray(stop)
    if bool((start == 0).any()) or bool((stop == 0).any()):
        raise ValueError("Geometric sequence cannot include zero")
    _fallback.record_native("geomspace")
    dt = _np.result_type(start.dtype, stop.dtype, float(num), _np.zeros((), dtype).dtype)
    dtype = dt if dtype is None else _np.dtype(dtype)
    start = start.astype(dt)
    stop = stop.astype(dt)
    out_sign = sign(start)
    with _np.errstate(divide="ignore"):
        # The sign is never zero here; the complex division kernel may still flag a
        # division by zero for a sign with a zero part.
        start = true_divide(start, out_sign)
        stop = true_divide(stop, out_sign)
    result = logspace_general(log10(start), log10(stop), num, endpoint, 10.0, dt, 0)
    if num > 0:
        result[0] = start
        if num > 1 and endpoint:
            result[-1] = stop
    result = result * out_sign
    if result.dtype != dt:
        result = result.astype(dt)
    if axis != 0:
        result = moveaxis(result, 0, axis)
    return result.astype(dtype, copy=False)
