"""Array creation: ``array asarray empty zeros ones full (+ _like) arange linspace
eye identity``."""

from __future__ import annotations

import math
import numbers
import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _as_shape, _order, ndarray
from ._array_api import check_device


_COPY_ERROR = (
    "Unable to avoid copy while creating an array as requested.\n"
    "If using `np.array(obj, copy=False)` replace it with `np.asarray(obj)` to allow a copy "
    "when needed (no behavior change in NumPy 1.x).\n"
    "For more details, see https://numpy.org/devdocs/numpy_2_0_migration_guide.html"
    "#adapting-to-changes-in-the-copy-keyword."
)


def array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, ndmax=0, like=None):
    """An array from ``obj`` (NumPy 2's ``copy``: True always copies, None copies when
    needed, False raises ``ValueError`` when a copy is needed, which it is for anything
    but a legate array of the requested dtype)."""
    from ._flatiter import flatiter

    if order != "K":
        _order(order)
    extra = {"ndmax": ndmax} if ndmax else {}  # how deep NumPy looks into sequences
    if extra:
        _np.array(0, ndmin=ndmin, **extra)  # NumPy's checks of ndmin and ndmax
    _fallback.record_native("array")
    obj = object
    if isinstance(obj, flatiter):
        if copy is False:
            raise ValueError(_COPY_ERROR)
        obj, copy = obj.copy(), False
    if isinstance(obj, ndarray):
        if dtype is not None and _np.dtype(dtype) != obj.dtype:
            if copy is False:
                raise ValueError(_COPY_ERROR)
            out = obj.astype(dtype)
        else:
            out = obj.copy() if copy else obj
    else:
        if copy is False:
            raise ValueError(_COPY_ERROR)
        arr = _np.array(_fallback.to_numpy(obj), dtype=dtype, **extra)
        if arr.dtype.kind not in "biufc":
            # Strings, objects, dates: not representable in a store; NumPy keeps them.
            return _fallback.call(f"array (dtype {arr.dtype})", _np.array, (arr,), dict(ndmin=ndmin, **extra))
        out = ndarray._from_numpy(arr)
    while out.ndim < ndmin:
        out = out.reshape((1,) + out.shape)
    return out


def asarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    check_device(device)
    if order is not None:
        _order(order)
    if copy is not True and isinstance(a, ndarray) and (dtype is None or _np.dtype(dtype) == a.dtype):
        return a
    return array(a, dtype=dtype, copy=copy)


def _numeric_dtype(dtype, name) -> _np.dtype:
    """``dtype`` as a NumPy dtype, or ``TypeError`` if arrays cannot hold it."""
    dt = _np.dtype(dtype)
    if dt.kind not in "biufc":
        raise TypeError(f"legate_numeric.{name}: arrays of dtype {dt} are not supported")
    return dt


def empty(shape, dtype=float, order="C", *, device=None, like=None):
    check_device(device)
    if order != "C":
        _order(order, "C", "CF")
    _fallback.record_native("empty")
    return ndarray(_as_shape(shape), _numeric_dtype(dtype, "empty"))


def _fill_unsafe(out: ndarray, value) -> None:
    """``out[...] = value`` with NumPy's ``copyto(out, value, casting="unsafe")``, as
    ``full`` does: NumPy's conversion of the value (its errors and warnings)."""
    if isinstance(value, ndarray):
        from ._array import _assign

        _assign(out._store, out.dtype, value)
    elif _np.ndim(value) == 0:
        _ext.fill(out._store, _np.full((), value, out.dtype).item())
    else:
        from ._array import _assign

        arr = _np.asarray(_fallback.to_numpy(value))
        _assign(out._store, out.dtype, arr if arr.dtype == out.dtype else arr.astype(out.dtype))


def full(shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    check_device(device)
    if order != "C":
        _order(order, "C", "CF")
    if dtype is None:
        dtype = fill_value.dtype if isinstance(fill_value, ndarray) else _np.array(fill_value).dtype
    if _np.dtype(dtype).kind not in "biufc":
        return _fallback.call("full", _np.full, (shape, fill_value, dtype), {})
    _fallback.record_native("full")
    out = ndarray(_as_shape(shape), dtype)
    _fill_unsafe(out, fill_value)
    return out


def zeros(shape, dtype=float, order="C", *, device=None, like=None):
    check_device(device)
    if order != "C":
        _order(order, "C", "CF")
    _fallback.record_native("zeros")
    out = ndarray(_as_shape(shape), _numeric_dtype(dtype, "zeros"))
    _ext.fill(out._store, 0)
    return out


def ones(shape, dtype=float, order="C", *, device=None, like=None):
    check_device(device)
    if order != "C":
        _order(order, "C", "CF")
    _fallback.record_native("ones")
    out = ndarray(_as_shape(shape), _numeric_dtype(dtype, "ones"))
    _ext.fill(out._store, 1)
    return out


def _like(a, dtype, shape):
    a_dtype = a.dtype if hasattr(a, "dtype") else _np.asarray(a).dtype
    a_shape = a.shape if hasattr(a, "shape") else _np.shape(a)
    return (a_dtype if dtype is None else dtype), (a_shape if shape is None else shape)


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None):
    check_device(device)
    if order != "K":
        _order(order)
    dt, sh = _like(prototype, dtype, shape)
    return empty(sh, dt)


def zeros_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    check_device(device)
    if order != "K":
        _order(order)
    dt, sh = _like(a, dtype, shape)
    return zeros(sh, dt)


def ones_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    check_device(device)
    if order != "K":
        _order(order)
    dt, sh = _like(a, dtype, shape)
    return ones(sh, dt)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    check_device(device)
    if order != "K":
        _order(order)
    dt, sh = _like(a, dtype, shape)
    return full(sh, fill_value, dt)


_NO = object()


def arange(*args, start=_NO, stop=_NO, step=_NO, dtype=_NO, device=None, like=None):
    """NumPy's ``arange([start,] stop[, step,], dtype=None)``: one positional number is
    the stop; ``start=`` alone is an error."""
    check_device(device)
    if len(args) > 4:
        raise TypeError(f"arange() takes from 0 to 4 positional arguments but {len(args)} were given")
    named = {"start": start, "stop": stop, "step": step, "dtype": dtype}
    for i, (name, value) in enumerate(zip(named, args)):
        if named[name] is not _NO:
            raise TypeError(f"argument for arange() given by name ('{name}') and position (position {i})")
        named[name] = value
    start, stop, step, dtype = (None if v is _NO else v for v in named.values())
    if stop is None:
        if not args:
            raise TypeError("arange() requires stop to be specified.")
        start, stop = 0, start
    elif start is None:
        start = 0
    if step is None:
        step = 1
    if step == 0:
        raise ZeroDivisionError("division by zero")
    # NumPy's arange takes the values of NumPy scalars (np.int32(3) gives int64).
    start, stop, step = (v.item() if isinstance(v, _np.generic) else v for v in (start, stop, step))
    for v in (start, stop, step):
        if isinstance(v, (str, bytes)):
            raise TypeError(f"arange() not supported for inputs with DType {type(_np.asarray(v).dtype)}.")
    dt = _np.dtype(dtype) if dtype is not None else _np.result_type(start, stop, step)
    real_bounds = all(isinstance(v, numbers.Real) for v in (start, stop, step))
    if dt.kind not in "biufc" or (dt.kind == "c" and not real_bounds):
        return _fallback.call("arange", _np.arange, (start, stop, step), {"dtype": dtype})
    _fallback.record_native("arange")
    length = (stop - start) / step
    if math.isnan(length):
        raise ValueError("arange: cannot compute length")
    if math.isinf(length):
        raise ValueError("Maximum allowed size exceeded")
    if all(isinstance(v, numbers.Integral) for v in (start, stop, step)):
        n = max(-((start - stop) // step), 0)  # exact for any integers
    else:
        n = max(int(math.ceil(length)), 0)
    if dt.kind == "b" and n > 2:
        raise TypeError("arange() is only supported for booleans when the result has at most length 2.")
    out = ndarray((n,), dt)
    if n == 0:
        return out
    if dt.kind in "biu" and all(isinstance(v, numbers.Integral) for v in (start, step)):
        _ext.arange(out._store, int(start), int(step))
    elif dt == _np.float64:
        _ext.arange(out._store, float(start), float(step))
    else:
        tmp = ndarray((n,), _np.float64)
        _ext.arange(tmp._store, float(start), float(step))
        _ext.convert(tmp._store, out._store)
    return out


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    check_device(device)
    if _np.ndim(start) or _np.ndim(stop) or axis != 0 or _np.iscomplexobj(start) or _np.iscomplexobj(stop):
        from ._creation_more import linspace_general

        return linspace_general(start, stop, num, endpoint, retstep, dtype, axis)
    _fallback.record_native("linspace")
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = (num - 1) if endpoint else num
    # NumPy computes in the type of start * 1.0 and stop * 1.0: float32 for float32
    # scalars, else float64.
    dt = _np.result_type(_np.asarray(start) * 1.0, _np.asarray(stop) * 1.0, float(num))
    if dt in (_np.float16, _np.float32):
        # NumPy's steps in the narrow type itself (NumPy scalars round as NumPy's do):
        # positions times the step (or over div, times the extent, when the step
        # underflows to zero), plus start.
        start, stop = dt.type(start), dt.type(stop)
        delta = _np.subtract(stop, start, dtype=dt)
        positions = arange(num, dtype=dt)
        if div > 0:
            step = delta / div
            out = positions / div * delta if step == 0 else positions * step
        else:
            step = float("nan")
            out = positions * delta
        out = out + start
        if endpoint and num > 1:
            out[num - 1] = stop
    else:
        start, stop = start * 1.0, stop * 1.0  # NumPy's float conversion (bools too)
        step = (stop - start) / div if div > 0 else float("nan")
        out = ndarray((num,), _np.float64)
        if num:
            _ext.arange(out._store, float(start), float(step) if div > 0 else 0.0)
            if endpoint and num > 1:
                out[num - 1] = stop
    if dtype is not None and _np.dtype(dtype) != out.dtype:
        if _np.dtype(dtype).kind in "iu":
            from ._ufunc import floor

            out = floor(out)  # NumPy rounds toward -inf for integer dtypes
        out = out.astype(dtype)
    return (out, step) if retstep else out


def eye(N, M=None, k=0, dtype=float, order="C", *, device=None, like=None):
    check_device(device)
    if order != "C":
        _order(order, "C", "CF")
    _fallback.record_native("eye")
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(k)
    if N < 0 or M < 0:
        raise ValueError("negative dimensions are not allowed")
    flat = zeros((N * M,), dtype)
    # Row i has its one at flat index i * M + i + k: a strided slice of the flat array.
    first_row = max(-k, 0)
    n = max(0, min(N - first_row, M - max(k, 0)))
    if n > 0:
        start = first_row * M + first_row + k
        _ext.fill(flat._store.slice(0, start, start + (n - 1) * (M + 1) + 1, M + 1), 1)
    if N * M == 0:
        return zeros((N, M), dtype)
    return ndarray._wrap(flat._store.delinearize(0, [N, M]), flat.dtype)


def identity(n, dtype=float, like=None):
    return eye(n, dtype=dtype)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base ** linspace(start, stop)``."""
    from ._ufunc import power

    if _np.ndim(start) or _np.ndim(stop) or _np.ndim(base) or axis != 0 or any(_np.iscomplexobj(v) for v in (start, stop, base)):
        from ._creation_more import logspace_general

        return logspace_general(start, stop, num, endpoint, base, dtype, axis)
    _fallback.record_native("logspace")
    y = power(_np.float64(base) if isinstance(base, float) else base, linspace(start, stop, num, endpoint))
    return y if dtype is None else y.astype(dtype)


def indices(dimensions, dtype=int, sparse=False):
    """The index grid of ``dimensions``: one array per axis (broadcast views made dense)."""
    from ._manip import broadcast_to, stack

    _fallback.record_native("indices")
    if _np.ndim(dimensions) == 0:
        raise TypeError(f"'{type(dimensions).__name__}' object is not iterable")
    dims = _as_shape(dimensions)
    grids = []
    for i, n in enumerate(dims):
        shape = (1,) * i + (n,) + (1,) * (len(dims) - i - 1)
        grids.append(arange(n, dtype=dtype).reshape(shape))
    if sparse:
        return tuple(grids)
    if not dims:
        return ndarray((0,), _np.dtype(dtype))
    return stack([broadcast_to(g, dims) for g in grids])


def _tri_indices(n, k, m, upper):
    from ._index import nonzero
    from ._manip import _tri_mask

    _fallback.record_native("triu_indices" if upper else "tril_indices")
    m = n if m is None else m
    mask = _tri_mask(n, m, k - 1)
    if upper:
        from ._ufunc import logical_not

        mask = logical_not(mask)
    return nonzero(mask)


def tril_indices(n, k=0, m=None):
    """The row and column indices of the lower triangle (diagonal ``k`` included)."""
    return _tri_indices(n, k + 1, m, False)


def triu_indices(n, k=0, m=None):
    """The row and column indices of the upper triangle (diagonal ``k`` included)."""
    return _tri_indices(n, k, m, True)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Numbers spaced evenly on a log scale from ``start`` to ``stop`` (same sign, not
    zero), with the ends exact, as NumPy computes them."""
    if _np.ndim(start) or _np.ndim(stop) or axis != 0 or _np.iscomplexobj(start) or _np.iscomplexobj(stop):
        from ._creation_more import geomspace_general

        return geomspace_general(start, stop, num, endpoint, dtype, axis)
    if start == 0 or stop == 0:
        raise ValueError("Geometric sequence cannot include zero")
    dt = _np.result_type(_np.asarray(start) * 1.0, _np.asarray(stop) * 1.0, float(num), _np.zeros((), dtype))
    if dt.kind == "c" or _np.sign(start) != _np.sign(stop):
        from ._creation_more import geomspace_general

        return geomspace_general(start, stop, num, endpoint, dtype, axis)
    _fallback.record_native("geomspace")
    sign = _np.sign(start)
    start, stop = dt.type(start / sign), dt.type(stop / sign)
    result = logspace(_np.log10(start), _np.log10(stop), num=num, endpoint=endpoint, base=10.0, dtype=dt)
    if num > 0:
        result[0] = start
        if num > 1 and endpoint:
            result[num - 1] = stop
    if sign < 0:
        result = -result
    return result if dtype is None else result.astype(dtype)
