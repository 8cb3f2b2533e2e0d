"""Scans and arg-reductions: ``cumsum cumprod`` (and ``ufunc.accumulate``), ``argmax
argmin``, and their NaN-ignoring forms ``nancumsum nancumprod nanargmax nanargmin``.

Python resolves NumPy's dtypes, axes and errors; the kernels run natively. A scan
splits the array across lines along the other axes (each point scans whole lines, in
NumPy's order); when there are too few lines it splits the scanned axis and runs a
two-pass parallel prefix instead. ``subtract.accumulate`` is the sum's scan of the
negated tail; the other associative ufuncs accumulate in log2(n) elementwise steps.
``argmax``/``argmin`` over the whole array reduce to
the extreme value then find its first flat index (both passes partitioned freely);
along an axis each point handles whole lines.
"""

from __future__ import annotations

import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _empty, _normalize_axis, ndarray

# NumPy ufunc name -> the kernel's operation (a ReduceOp name).
_SCAN_OPS = {
    "add": "sum",
    "multiply": "prod",
    "maximum": "max",
    "minimum": "min",
    "logical_and": "all",
    "logical_or": "any",
}

_dtypes: dict = {}


def _asarray(a) -> ndarray:
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(a))


def _result_dtype(kind: str, ufunc_name: str, dtype, requested):
    """The dtype NumPy gives ``kind`` (``cumsum``/``cumprod``/``accumulate``) for an
    input of ``dtype`` and a requested ``dtype=`` (NumPy's own errors propagate)."""
    req = None if requested is None else _np.dtype(requested)
    key = (kind, ufunc_name, dtype, req)
    dt = _dtypes.get(key)
    if dt is None:
        sample = _np.zeros(1, dtype)
        if kind in ("accumulate", "reduce"):
            with _np.errstate(all="ignore"):
                dt = getattr(getattr(_np, ufunc_name), kind)(sample, dtype=req).dtype
        else:
            dt = getattr(_np, kind)(sample, dtype=req).dtype
        _dtypes[key] = dt
    return dt


def _deliver(result: ndarray, out):
    if out is None:
        return result
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("expected one output")
        out = out[0]
    if not isinstance(out, ndarray):
        raise TypeError("out must be a legate_numeric.ndarray")
    if tuple(out.shape) != tuple(result.shape):
        raise ValueError("provided out is the wrong size for the accumulation.")
    out[...] = result
    return out


def _scan(ufunc_name: str, a: ndarray, axis: int, result_dtype) -> ndarray:
    """The inclusive scan of ``a`` (at least 1-d) along ``axis`` as ``result_dtype``."""
    op = _SCAN_OPS[ufunc_name]
    if op in ("all", "any"):
        src = a if a.dtype.kind == "b" else a.astype(bool)
    elif result_dtype == _np.float16:
        if op in ("sum", "prod"):
            # NumPy rounds each partial sum (product) to float16 before the next step:
            # the fold's float16 steps do the same (a float32 scan drifts from NumPy's).
            from . import _fold, _ufunc

            uf = _ufunc.add if op == "sum" else _ufunc.multiply
            return _fold.accumulate(uf, a if a.dtype == result_dtype else a.astype(result_dtype), axis)
        # The scan kernel has no float16: max/min in float32 are exact.
        src = a.astype(_np.float32)
    else:
        src = a if a.dtype == result_dtype else a.astype(result_dtype)
    result = _empty(a.shape, src.dtype)
    if result.size:
        _ext.scan(op, src._store, result._store, axis)
    if result.dtype != result_dtype:
        result = result.astype(result_dtype)
    return result


def _supported(ufunc_name: str, dtype) -> bool:
    # Complex maximum/minimum order lexicographically, the first NaN winning (NumPy's).
    return dtype.kind in "biufc"


def _cumulative(kind: str, ufunc_name: str, a, axis, dtype, out):
    a = _asarray(a)
    res_dt = _result_dtype(kind, ufunc_name, a.dtype, dtype)
    if not _supported(ufunc_name, res_dt) or not _supported(ufunc_name, a.dtype):
        return _fallback.call(kind, getattr(_np, kind), (a,), dict(axis=axis, dtype=dtype, out=out))
    _fallback.record_native(kind)
    if axis is None:
        a = a.reshape(-1)
        axis = 0
    else:
        if a.ndim == 0:
            a = a.reshape(1)  # NumPy takes a 0-d array as 1-d (axis -1 too)
        axis = _normalize_axis(axis, a.ndim)
    return _deliver(_scan(ufunc_name, a, axis, res_dt), out)


def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum (``int32``/``bool`` accumulate as ``int64``, as in NumPy)."""
    return _cumulative("cumsum", "add", a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product."""
    return _cumulative("cumprod", "multiply", a, axis, dtype, out)


# Associative ufuncs without a scan kernel: accumulated in log2(n) elementwise steps.
_LOG_STEP = frozenset({"bitwise_and", "bitwise_or", "bitwise_xor", "logical_xor", "fmax", "fmin"})


def _along(ndim: int, axis: int, sl) -> tuple:
    return tuple(sl if d == axis else slice(None) for d in range(ndim))


def _log_step_scan(uf, a: ndarray, axis: int, result_dtype) -> ndarray:
    """The inclusive scan of an associative ``uf`` by doubling strides (Hillis-Steele):
    after the step of stride k each element combines the 2k values ending at it. The
    earlier values stay the first operand, so ties resolve as in NumPy's left-to-right
    loop (fmax/fmin keep the first of equal zeros)."""
    x = a.astype(result_dtype) if a.dtype != result_dtype else a.copy()
    n, k = a.shape[axis], 1
    while k < n:
        x[_along(a.ndim, axis, slice(k, None))] = uf(x[_along(a.ndim, axis, slice(None, n - k))], x[_along(a.ndim, axis, slice(k, None))])
        k *= 2
    return x


def _subtract_scan(a: ndarray, axis: int, result_dtype) -> ndarray:
    """``subtract.accumulate``: ``a0 - a1 - ... - ai`` is the running sum of ``a0, -a1,
    ..., -ai`` exactly (``x - y == x + (-y)`` in IEEE arithmetic and in wrapping integers),
    so the sum's scan does it (``subtract.reduce`` folds, in NumPy's order)."""
    from ._ufunc import negative

    src = a if a.dtype == result_dtype else a.astype(result_dtype)
    terms = negative(src)
    terms[_along(a.ndim, axis, slice(0, 1))] = src[_along(a.ndim, axis, slice(0, 1))]
    return _scan("add", terms, axis, result_dtype)


def accumulate(uf, array, axis=0, dtype=None, out=None):
    """``ufunc.accumulate`` for ``add multiply maximum minimum logical_and logical_or``
    (scan kernels), ``subtract`` (a sum's scan) and the bitwise ones, ``logical_xor``,
    ``fmax`` and ``fmin`` (doubling strides)."""
    name = uf.__name__
    a = _asarray(array)
    if name in _LOG_STEP or name == "subtract":
        return _other_accumulate(uf, a, axis, dtype, out)
    if a.dtype.kind not in "biufc":
        return _fallback.call(f"{name}.accumulate", uf._np.accumulate, (a,), dict(axis=axis, dtype=dtype, out=out))
    if name not in _SCAN_OPS:
        from . import _fold

        return _fold.accumulate(uf, a, axis, dtype, out)
    axis = accumulate_axis(a, axis)
    res_dt = _result_dtype("accumulate", name, a.dtype, dtype)
    logical = name in ("logical_and", "logical_or")
    if not _supported(name, res_dt) or (logical and res_dt.kind != "b"):
        # A logical loop of another type (logical_and.accumulate(dtype=float)): the fold.
        from . import _fold

        return _fold.accumulate(uf, a, axis, dtype, out)
    _fallback.record_native(f"{name}.accumulate")
    return _deliver(_scan(name, a, axis, res_dt), out)


def accumulate_axis(a: ndarray, axis) -> int:
    """``ufunc.accumulate``'s one axis, with NumPy's errors."""
    if a.ndim == 0:
        raise TypeError("cannot accumulate on a scalar")
    if isinstance(axis, tuple):
        if len(axis) != 1:
            raise ValueError("accumulate does not allow multiple axes")
        axis = axis[0]
    if axis is None and a.ndim == 1:
        axis = 0  # NumPy: None is the one axis of a 1-d array
    if axis is None:
        raise ValueError("accumulate does not allow multiple axes")
    return _normalize_axis(operator.index(axis), a.ndim)


def _other_accumulate(uf, a, axis, dtype, out):
    name = uf.__name__
    axis = accumulate_axis(a, axis)
    res_dt = _result_dtype("accumulate", name, a.dtype, dtype)  # NumPy's loop errors propagate
    if res_dt == _np.float16 or res_dt.kind not in "biufc":
        from . import _fold

        return _fold.accumulate(uf, a, axis, dtype, out)
    _fallback.record_native(f"{name}.accumulate")
    if name == "subtract":
        return _deliver(_subtract_scan(a, axis, res_dt), out)
    return _deliver(_log_step_scan(uf, a, axis, res_dt), out)


# ---- argmax / argmin ----


def _arg(argmax: bool, a, axis, out, keepdims):
    name = "argmax" if argmax else "argmin"
    a = _asarray(a)
    if a.dtype.kind not in "biufc":
        return _fallback.call(name, getattr(_np, name), (a,), dict(axis=axis, out=out, keepdims=keepdims))
    _fallback.record_native(name)
    if a.dtype == _np.float16:
        a = a.astype(_np.float32)  # no float16 kernel; float32 keeps the order exactly
    if axis is None:
        if a.size == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        if a.dtype.kind == "c":
            # Complex numbers order lexicographically: scan the flattened array as a line.
            flat = a.reshape(-1)
            result = _empty((), _np.dtype(_np.int64))
            _ext.arg_reduce_axis(argmax, flat._store, 0, result._store)
        else:
            result = ndarray._wrap(_ext.arg_reduce_all(argmax, a._store).project(0, 0), _np.dtype(_np.int64))
        if keepdims:
            store = result._store
            for d in range(a.ndim):
                store = store.promote(d, 1)
            result = ndarray._wrap(store, result.dtype)
    else:
        axis = _normalize_axis(axis, max(a.ndim, 1))  # a 0-d array counts as 1-d
        if a.ndim == 0:
            result = _empty((), _np.dtype(_np.int64))
            result.fill(0)
        else:
            shape = tuple(d for i, d in enumerate(a.shape) if i != axis)
            if a.shape[axis] == 0:
                raise ValueError(f"attempt to get {name} of an empty sequence")
            result = _empty(shape, _np.dtype(_np.int64))
            _ext.arg_reduce_axis(argmax, a._store, axis, result._store)
            if keepdims:
                result = ndarray._wrap(result._store.promote(axis, 1), result.dtype)
    if out is not None:
        if not isinstance(out, ndarray):
            raise TypeError("out must be a legate_numeric.ndarray")
        if tuple(out.shape) != tuple(result.shape):
            raise ValueError(f"output array does not match result of np.{name}.")
        # NumPy computes into ``out`` as its index type: one it cannot stand for.
        if not _np.can_cast(out.dtype, _np.intp, "safe"):
            raise TypeError(f"Cannot cast array data from {out.dtype!r} to {_np.dtype(_np.intp)!r} according to the rule 'safe'")
        out[...] = result
        return out
    return result


def argmax(a, axis=None, out=None, *, keepdims=False):
    """Indices of the first maximum (the first NaN wins), flat when ``axis`` is None."""
    return _arg(True, a, axis, out, keepdims)


def argmin(a, axis=None, out=None, *, keepdims=False):
    """Indices of the first minimum (the first NaN wins), flat when ``axis`` is None."""
    return _arg(False, a, axis, out, keepdims)



# ---- NaN-ignoring forms (NumPy's own definitions, on the native kernels) ----


def _replace_nan(a, value):
    """``(a with NaNs replaced by value, NaN mask or None)`` as NumPy's helper."""
    from ._manip import where
    from ._ufunc import isnan

    a = _asarray(a)
    if a.dtype.kind not in "fc":
        return a, None
    mask = isnan(a)
    return where(mask, value, a), mask


def nancumsum(a, axis=None, dtype=None, out=None):
    """``cumsum`` with NaNs counted as zero."""
    _fallback.record_native("nancumsum")
    a, _ = _replace_nan(a, 0)
    return cumsum(a, axis=axis, dtype=dtype, out=out)


def nancumprod(a, axis=None, dtype=None, out=None):
    """``cumprod`` with NaNs counted as one."""
    _fallback.record_native("nancumprod")
    a, _ = _replace_nan(a, 1)
    return cumprod(a, axis=axis, dtype=dtype, out=out)


def _nanarg(argmax: bool, a, axis, out, keepdims):
    from ._reduce import all as _all
    from ._reduce import any as _any

    _fallback.record_native("nanargmax" if argmax else "nanargmin")
    a, mask = _replace_nan(a, -_np.inf if argmax else _np.inf)
    if mask is not None and mask.size:
        if bool(_any(_all(mask, axis=axis))):
            raise ValueError("All-NaN slice encountered")
    return _arg(argmax, a, axis, out, keepdims)


def nanargmax(a, axis=None, out=None, *, keepdims=False):
    """``argmax`` ignoring NaNs (``ValueError`` for an all-NaN slice)."""
    return _nanarg(True, a, axis, out, keepdims)


def nanargmin(a, axis=None, out=None, *, keepdims=False):
    """``argmin`` ignoring NaNs (``ValueError`` for an all-NaN slice)."""
    return _nanarg(False, a, axis, out, keepdims)
