"""Falling back to SciPy for what legate_sparse does not implement natively.

A module attribute (``legate_sparse.bsr_array``, ``legate_sparse.linalg.expm``) or a
method of a sparse array that is not native runs SciPy's on converted arguments (legate
sparse arrays become SciPy ones, legate arrays NumPy ones) and converts the result back
where a legate type exists for it, with one ``RuntimeWarning`` per name (not per call),
like ``legate_numeric``'s fallback to NumPy. ``LEGATE_SPARSE_FALLBACK=0`` turns it off:
a missing name raises ``AttributeError``, a missing method ``NotImplementedError``.
"""

from __future__ import annotations

import os
import types
import warnings

import numpy as _np

_fell_back: set[str] = set()


def enabled() -> bool:
    return os.environ.get("LEGATE_SPARSE_FALLBACK", "1").lower() not in ("0", "false", "off", "no")


def _warn_once(name: str) -> None:
    if name not in _fell_back:
        _fell_back.add(name)
        warnings.warn(
            f"legate_sparse.{name} is not implemented natively; running SciPy's on host copies "
            "of the arrays (this warning is shown once per name)",
            RuntimeWarning,
            stacklevel=4,
        )


def to_scipy(x):
    """Legate sparse arrays and legate arrays (also in lists/tuples/dicts) as SciPy/NumPy."""
    import legate_numeric as lnp

    from ._base import _spbase

    if isinstance(x, _spbase):
        return x._to_scipy()
    if isinstance(x, lnp.ndarray):
        return x.__array__()
    from .linalg._interface import LinearOperator

    if isinstance(x, LinearOperator):
        return _scipy_operator(x)
    if isinstance(x, (list, tuple)):
        return type(x)(to_scipy(v) for v in x)
    if isinstance(x, dict):
        return {k: to_scipy(v) for k, v in x.items()}
    return x


def _scipy_operator(op):
    """A legate ``LinearOperator`` as SciPy's (its products on host copies), so SciPy's
    functions can add, scale and compose it (``expm_multiply`` shifts it)."""
    import scipy.sparse.linalg as _spla

    if hasattr(op, "A"):  # over a matrix: SciPy's operator over the matrix itself
        return _spla.aslinearoperator(to_scipy(op.A))

    def host(f):
        return lambda v: _np.asarray(to_scipy(f(v)))

    return _spla.LinearOperator(op.shape, matvec=host(op.matvec), rmatvec=host(op.rmatvec),
                                matmat=host(op.matmat), dtype=op.dtype)


class _HostObject:
    """A SciPy object a fallback returned (``spilu``'s ``SuperLU``): its methods take
    legate arguments and return legate results, as the fallback functions do."""

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, attr):
        value = getattr(self._obj, attr)
        if not callable(value):
            return from_scipy(value)
        return lambda *a, **k: from_scipy(value(*to_scipy(a), **to_scipy(k)))

    def __repr__(self):
        return repr(self._obj)


def from_scipy(x):
    """SciPy sparse results of a format legate_sparse has, and NumPy arrays, converted back."""
    import scipy.sparse as _sp

    from ._base import _from_scipy_sparse, _native_formats
    from ._sputils import FORMATS_1D, as_legate

    if _sp.issparse(x) and x.format in _native_formats() and (x.ndim == 2 or x.format in FORMATS_1D):
        return _from_scipy_sparse(x)
    if isinstance(x, _np.ndarray) and not isinstance(x, _np.matrix) and x.dtype.kind in "biufc":
        return as_legate(x)
    if isinstance(x, tuple):
        return tuple(from_scipy(v) for v in x)
    if isinstance(x, list):
        return [from_scipy(v) for v in x]
    import scipy.sparse.linalg as _spla

    if isinstance(x, _spla.SuperLU):
        return _HostObject(x)
    return x


def call(name: str, func, args, kwargs):
    """Runs SciPy's ``func`` on converted arguments (the declared fallback)."""
    if not enabled():
        raise NotImplementedError(
            f"legate_sparse.{name} is not implemented natively and LEGATE_SPARSE_FALLBACK=0 "
            "forbids falling back to SciPy"
        )
    _warn_once(name)
    return from_scipy(func(*to_scipy(args), **to_scipy(kwargs)))


def module_attr(module_name: str, scipy_module, name: str):
    """``getattr`` for a legate_sparse module: SciPy's ``name`` through the fallback."""
    if name.startswith("__") or not hasattr(scipy_module, name):
        raise AttributeError(f"module '{module_name}' has no attribute '{name}'")
    if not enabled():
        raise AttributeError(
            f"module '{module_name}' has no native attribute '{name}' and LEGATE_SPARSE_FALLBACK=0 "
            "forbids falling back to SciPy"
        )
    obj = getattr(scipy_module, name)
    qualified = f"{module_name.removeprefix('legate_sparse.')}.{name}" if module_name != "legate_sparse" else name
    if isinstance(obj, types.ModuleType):
        # A submodule (``legate_sparse.csgraph``): its functions fall back one by one,
        # converting legate arguments (SciPy's own module refused legate arrays).
        return _FallbackModule(f"{module_name}.{name}", obj)
    if isinstance(obj, type) or not callable(obj):
        # Classes (SciPy's own formats) and constants are SciPy's objects themselves.
        _warn_once(qualified)
        return obj

    def fallback(*args, **kwargs):
        return call(qualified, obj, args, kwargs)

    fallback.__name__ = name
    fallback.__doc__ = f"SciPy's ``{name}`` (not native in legate_sparse: runs in SciPy)."
    return fallback


class _FallbackModule(types.ModuleType):
    """A SciPy submodule seen through the fallback: each attribute is ``module_attr``'s."""

    def __init__(self, name: str, scipy_module):
        super().__init__(name)
        self._scipy_module = scipy_module

    def __getattr__(self, name):
        return module_attr(self.__name__, self._scipy_module, name)

    def __dir__(self):
        return dir(self._scipy_module)
