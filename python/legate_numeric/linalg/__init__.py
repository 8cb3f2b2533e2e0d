"""``legate_numeric.linalg``: ``norm`` (every order), ``cholesky``, ``solve``, ``inv`` and
``det`` natively (factorizations on one point, with faer); other functions fall back to
NumPy."""

from __future__ import annotations

import numpy as _np

from .. import _fallback
from .._array import ndarray


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms of every order NumPy has, natively: sums and extremes of
    absolute values along the axes; the spectral and nuclear norms from singular values."""
    from .._manip import expand_dims, moveaxis
    from .._reduce import count_nonzero, max as amax, min as amin, sum as _sum
    from .._ufunc import absolute, multiply, power, sqrt

    x = _as_array(x)
    if x.dtype.kind not in "fc":
        x = x.astype(_np.float64)
    nd = x.ndim
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            _fallback.record_native("linalg.norm")
            a = absolute(x) if x.dtype.kind == "c" else x
            a = a.reshape(-1)
            r = sqrt(_sum(multiply(a, a)))
            return r.reshape((1,) * nd) if keepdims else r
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        try:
            axis = int(axis)
        except Exception as e:
            raise TypeError("'axis' must be None, an integer or a tuple of integers") from e
        axis = (axis,)
    _fallback.record_native("linalg.norm")
    from .._array import _normalize_axis

    if len(axis) == 1:
        ax = _normalize_axis(axis[0], nd)
        a = absolute(x)
        if ord == _np.inf:
            r = amax(a, axis=ax, keepdims=keepdims)
        elif ord == -_np.inf:
            r = amin(a, axis=ax, keepdims=keepdims)
        elif ord == 0:
            r = count_nonzero(x, axis=ax, keepdims=keepdims).astype(a.dtype)
        elif ord == 1:
            r = _sum(a, axis=ax, keepdims=keepdims)
        elif ord is None or ord == 2:
            r = sqrt(_sum(multiply(a, a), axis=ax, keepdims=keepdims))
        elif isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        else:
            r = power(_sum(power(a, ord), axis=ax, keepdims=keepdims), 1.0 / ord)
        return r
    if len(axis) != 2:
        raise ValueError("Improper number of dimensions to norm.")
    row, col = (_normalize_axis(a, nd) for a in axis)
    if row == col:
        raise ValueError("Duplicate axes given.")
    a = absolute(x)
    if ord in (2, -2, "nuc"):
        # Singular values of each matrix (moved to the last two axes).
        m = moveaxis(x, (row, col), (-2, -1))
        r = _singular_value_reduce(m, ord)
    elif ord == 1 or ord == -1:
        r = (amax if ord == 1 else amin)(_sum(a, axis=row), axis=col - 1 if col > row else col)
    elif ord == _np.inf or ord == -_np.inf:
        r = (amax if ord == _np.inf else amin)(_sum(a, axis=col), axis=row - 1 if row > col else row)
    elif ord in (None, "fro", "f"):
        r = sqrt(_sum(multiply(a, a), axis=(row, col)))
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        for d in sorted((row, col)):
            r = expand_dims(r, d)
    return r


def _singular_value_reduce(m, ord):
    """max, min or sum of the singular values of each matrix in the stack ``m``."""
    from legate import _legate as _ext

    from .._array import _empty

    # Types without a native factorization (float16, complex64) in double precision.
    dt = _factor_dtype(m.dtype) or _np.dtype(_np.complex128 if m.dtype.kind == "c" else _np.float64)
    m = m if m.dtype == dt else m.astype(dt)
    real = _np.empty(0, dt).real.dtype
    batch = m.shape[:-2]
    out = _empty(batch, real)
    k = min(m.shape[-2:])
    if k == 0:
        raise ValueError("zero-size array to reduction operation maximum which has no identity")
    for idx in _np.ndindex(*batch):
        s = _empty((k,), real)
        _run_native(_ext.singular_values, m[idx]._store, s._store)
        v = s.max() if ord == 2 else s.min() if ord == -2 else s.sum()
        out[idx] = v
    return out


_LINALG_MARKER = "LinAlgError:"


def _as_array(x):
    return x if isinstance(x, ndarray) else ndarray._from_numpy(_np.asarray(x))


def _factor_dtype(*dts):
    """NumPy's result dtype for a factorization: integers/bools -> float64; None if not native."""
    dt = _np.result_type(*dts)
    if dt.kind in "biu":
        dt = _np.dtype(_np.float64)
    return dt if dt in (_np.dtype(_np.float32), _np.dtype(_np.float64), _np.dtype(_np.complex128)) else None


def _run_native(fn, *args):
    try:
        fn(*args)
    except Exception as e:  # the task's error surfaces here; map the marked ones
        msg = str(e)
        if _LINALG_MARKER in msg:
            raise _np.linalg.LinAlgError(msg.split(_LINALG_MARKER, 1)[1].strip().splitlines()[0]) from None
        raise


def _check_square(a):
    if a.ndim < 2:
        raise _np.linalg.LinAlgError(
            f"{a.ndim}-dimensional array given. Array must be at least two-dimensional"
        )
    if a.shape[-1] != a.shape[-2]:
        raise _np.linalg.LinAlgError("Last 2 dimensions of the array must be square")


def cholesky(a, /, *, upper=False):
    """Lower Cholesky factor of a 2-d Hermitian positive-definite matrix, natively."""
    from legate import _legate as _ext
    from .._array import _empty

    x = _as_array(a)
    _check_square(x)
    dt = _factor_dtype(x.dtype)
    if x.ndim != 2 or dt is None or upper:
        return _fallback.call("linalg.cholesky", _np.linalg.cholesky, (a,), dict(upper=upper))
    _fallback.record_native("linalg.cholesky")
    if x.dtype != dt:
        x = x.astype(dt)
    out = _empty(x.shape, dt)
    if x.size:
        _run_native(_ext.cholesky, x._store, out._store)
    return out


def solve(a, b):
    """Solve ``a @ x = b`` for a square 2-d ``a`` and 1-d or 2-d ``b``, natively."""
    from legate import _legate as _ext
    from .._array import _empty

    x = _as_array(a)
    y = _as_array(b)
    _check_square(x)
    dt = _factor_dtype(x.dtype, y.dtype)
    if x.ndim != 2 or y.ndim not in (1, 2) or dt is None:
        return _fallback.call("linalg.solve", _np.linalg.solve, (a, b), {})
    if y.shape[0] != x.shape[0]:
        raise ValueError(
            f"solve: Input operand 1 has a mismatch in its core dimension 0 "
            f"(size {y.shape[0]} is different from {x.shape[0]})"
        )
    _fallback.record_native("linalg.solve")
    if x.dtype != dt:
        x = x.astype(dt)
    if y.dtype != dt:
        y = y.astype(dt)
    out = _empty(y.shape, dt)
    if x.size:
        _run_native(_ext.solve, x._store, y._store, out._store)
    return out


def _square_stack(a, name):
    """``a`` as an array of a factorization dtype with square trailing matrices, or None
    (fall back)."""
    x = _as_array(a)
    _check_square(x)
    dt = _factor_dtype(x.dtype)
    if dt is None:
        return None
    _fallback.record_native(f"linalg.{name}")
    return x if x.dtype == dt else x.astype(dt)


def det(a):
    """Determinants of square matrices (stacked along leading axes), by LU with faer."""
    from legate import _legate as _ext
    from .._array import _empty

    x = _square_stack(a, "det")
    if x is None:
        return _fallback.call("linalg.det", _np.linalg.det, (a,), {})
    out = _empty(x.shape[:-2], x.dtype)
    for idx in _np.ndindex(*x.shape[:-2]):
        _ext.determinant(x[idx]._store, out[idx + (...,)]._store)
    return out


def inv(a):
    """Inverses of square matrices (stacked along leading axes): ``solve(a, I)``."""
    from .._array import _empty
    from .._creation import eye

    x = _square_stack(a, "inv")
    if x is None:
        return _fallback.call("linalg.inv", _np.linalg.inv, (a,), {})
    n = x.shape[-1]
    out = _empty(x.shape, x.dtype)
    identity = eye(n, dtype=x.dtype)
    for idx in _np.ndindex(*x.shape[:-2]):
        out[idx] = solve(x[idx], identity)
    return out


def __getattr__(name):
    if hasattr(_np.linalg, name):
        func = getattr(_np.linalg, name)

        def fallback(*args, **kwargs):
            return _fallback.call(f"linalg.{name}", func, args, kwargs)

        return fallback
    raise AttributeError(f"module 'legate_numeric.linalg' has no attribute '{name}'")
