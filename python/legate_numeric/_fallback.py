"""Falling back to NumPy for what is not implemented natively.

A missing function runs in NumPy on converted arguments and its array results are
wrapped back, with one warning per function name (not per call). Array arguments that
NumPy changes in place (``np.add.at(a, ...)``, ``a.resize``) are copied back into the
legate arrays they came from (or, when their shape changed, the call raises).
``LEGATE_NUMERIC_FALLBACK=0`` turns this off (``NotImplementedError`` instead), and
``LEGATE_NUMERIC_REPORT_COVERAGE=1`` prints at exit which functions ran natively and
which fell back, and how much of NumPy's surface is native (``_coverage.report``).
"""

from __future__ import annotations

import atexit
import os
import warnings

import numpy as _np

_native: set[str] = set()
_fell_back: set[str] = set()


def enabled() -> bool:
    return os.environ.get("LEGATE_NUMERIC_FALLBACK", "1").lower() not in ("0", "false", "off", "no")


def record_native(name: str) -> None:
    _native.add(name)


def to_numpy(x):
    """Legate arrays (also inside lists/tuples/dicts) converted to NumPy arrays."""
    from ._array import ndarray

    if isinstance(x, ndarray):
        return x.__array__()
    if isinstance(x, (list, tuple)):
        return type(x)(to_numpy(v) for v in x)
    if isinstance(x, dict):
        return {k: to_numpy(v) for k, v in x.items()}
    return x


def _to_numpy_noting(x, pairs: list):
    """``to_numpy``, noting each (legate array, its NumPy copy, a copy of that)."""
    from ._array import ndarray

    if isinstance(x, ndarray):
        arr = x.__array__()
        pairs.append((x, arr, arr.copy()))
        return arr
    if isinstance(x, (list, tuple)):
        return type(x)(_to_numpy_noting(v, pairs) for v in x)
    if isinstance(x, dict):
        return {k: _to_numpy_noting(v, pairs) for k, v in x.items()}
    return x


def _write_back(name: str, pairs: list) -> None:
    """Copies into each legate array what NumPy changed in its copy (``np.add.at``,
    ``np.put_along_axis``, ``a.resize``...), so that no fallback loses a write."""
    for original, arr, before in pairs:
        same_layout = arr.shape == before.shape and arr.dtype == before.dtype
        if same_layout and _np.array_equal(arr.reshape(-1).view(_np.uint8), before.reshape(-1).view(_np.uint8)):
            continue
        if arr.shape != original.shape or arr.dtype != original.dtype:
            raise NotImplementedError(
                f"legate_numeric.{name} ran in NumPy and changed the shape or dtype of an array argument in "
                "place; that cannot be copied back to the legate array"
            )
        original[...] = arr


def from_numpy(x):
    """NumPy arrays in a result wrapped back as legate arrays."""
    from ._array import ndarray

    if isinstance(x, _np.ndarray):
        # Arrays a store cannot hold (strings, objects, long doubles) stay NumPy's.
        return ndarray._from_numpy(x) if x.dtype.kind in "biufc" and x.dtype.char not in "gG" else x
    if isinstance(x, tuple):
        return tuple(from_numpy(v) for v in x)
    if isinstance(x, list):
        return [from_numpy(v) for v in x]
    return x


def call(name: str, func, args, kwargs):
    """Runs NumPy's ``func`` on converted arguments (the declared fallback)."""
    if not enabled():
        raise NotImplementedError(
            f"legate_numeric.{name} is not implemented natively and LEGATE_NUMERIC_FALLBACK=0 "
            "forbids falling back to NumPy"
        )
    if name not in _fell_back:
        _fell_back.add(name)
        warnings.warn(
            f"legate_numeric.{name} is not implemented natively; running it in NumPy on copies of "
            "the arrays (what it changes in array arguments is copied back; this warning is shown "
            "once per function)",
            RuntimeWarning,
            stacklevel=3,
        )
    out = kwargs.get("out")
    pairs: list = []
    np_args, np_kwargs = _to_numpy_noting(args, pairs), _to_numpy_noting(kwargs, pairs)
    result = func(*np_args, **np_kwargs)
    _write_back(name, pairs)
    if out is not None:
        from ._array import ndarray

        if isinstance(out, ndarray):
            out[...] = result
            return out
    return from_numpy(result)


def wrap(name: str):
    """A function named ``name`` that falls back to ``numpy.<name>``."""
    func = getattr(_np, name)
    if not callable(func):
        return func

    def fallback(*args, **kwargs):
        return call(name, func, args, kwargs)

    fallback.__name__ = name
    fallback.__doc__ = f"NumPy's ``{name}`` (not native in legate_numeric: runs in NumPy)."
    return fallback


def _report() -> None:
    if os.environ.get("LEGATE_NUMERIC_REPORT_COVERAGE", "0").lower() in ("1", "true", "on", "yes"):
        total = len(_native) + len(_fell_back)
        print(f"legate_numeric coverage: {len(_native)} of {total} functions used ran natively")
        if _fell_back:
            print("  fell back to NumPy: " + ", ".join(sorted(_fell_back)))
        from . import _coverage

        _coverage.report()


atexit.register(_report)
