"""``legate_numeric.linalg``: norms natively; factorizations fall back to NumPy for now."""

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


def __getattr__(name):
    if hasattr(_np.linalg, name):
        func = getattr(_np.linalg, name)

        def fallback(*args, **kwargs):
            return _fallback.call(f"linalg.{name}", func, args, kwargs)

        return fallback
    raise AttributeError(f"module 'legate_numeric.linalg' has no attribute '{name}'")
