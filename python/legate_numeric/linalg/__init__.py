"""``legate_numeric.linalg``: norms, ``cholesky`` and ``solve`` natively (2-d, one point);
other functions fall back to NumPy."""

from __future__ import annotations

import numpy as _np

from .. import _fallback
from .._array import ndarray


def norm(x, ord=None, axis=None, keepdims=False):
    """Frobenius / 2-norm (the default) natively; other orders fall back to NumPy."""
    from .._reduce import sum as _sum
    from .._ufunc import absolute, multiply, sqrt

    if not isinstance(x, ndarray):
        x = ndarray._from_numpy(_np.asarray(x))
    if ord not in (None, "fro") or (axis is not None and not isinstance(axis, int) and ord is not None):
        return _fallback.call("linalg.norm", _np.linalg.norm, (x,), dict(ord=ord, axis=axis, keepdims=keepdims))
    _fallback.record_native("linalg.norm")
    a = absolute(x) if x.dtype.kind == "c" else x
    if a.dtype.kind in "biu":
        a = a.astype(_np.float64)
    return sqrt(_sum(multiply(a, a), axis=axis, keepdims=keepdims))


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


def __getattr__(name):
    if hasattr(_np.linalg, name):
        func = getattr(_np.linalg, name)

        def fallback(*args, **kwargs):
            return _fallback.call(f"linalg.{name}", func, args, kwargs)

        return fallback
    raise AttributeError(f"module 'legate_numeric.linalg' has no attribute '{name}'")
