"""Reductions: ``sum prod max min all any mean var std`` (and the ``nan*`` forms).

Whole-array reductions return 0-d arrays (so nothing waits until the value is used);
reductions along axes return arrays. The accumulation type follows NumPy (``sum`` of
``int32`` is ``int64``, of ``bool`` is ``int64``; ``mean`` of integers is ``float64``).
"""

from __future__ import annotations

import builtins
import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _normalize_axis, _to_out, ndarray

_acc_dtypes: dict = {}


def _acc_dtype(op: str, dtype, requested):
    if requested is not None:
        return _np.dtype(requested)
    if op in ("max", "min"):
        return dtype
    if op in ("all", "any"):
        return _np.dtype(bool)
    key = (op, dtype)
    if key not in _acc_dtypes:
        _acc_dtypes[key] = getattr(_np, op)(_np.zeros(1, dtype)).dtype
    return _acc_dtypes[key]


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        if ndim == 0 and axis:
            raise _np.exceptions.AxisError(operator.index(axis[0]), 0)  # (0,) too, as in NumPy
        axes = tuple(_normalize_axis(a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
    elif ndim == 0:
        _normalize_axis(axis, 1)  # a 0-d array takes axis 0 or -1 (as in NumPy), reducing nothing
        return ()
    else:
        axes = (_normalize_axis(axis, ndim),)
    return axes


def _asarray(a):
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(a))


# (op, dtype) -> accumulation dtype, for whole-array reductions that need no cast.
_whole: dict = {}


def _reduce(op, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """The native reduction ``op`` (``sum prod max min all any``)."""
    if axis is None and dtype is None and out is None and initial is None and where is None and not keepdims:
        # The common case, without the general path's bookkeeping.
        acc = _whole.get((op, a.dtype)) if type(a) is ndarray else None
        if acc is not None and (a.size or op not in ("max", "min")):
            return ndarray._wrap(_ext.reduce_all(op, a._store).project(0, 0), acc)
    a = _asarray(a)
    if dtype is None and isinstance(out, ndarray) and op not in ("all", "any") and _np.can_cast(a.dtype, out.dtype, "same_kind"):
        # NumPy reduces in out's type when the input casts to it (sum of int8 into int64:
        # no wrap); otherwise in the input's loop, the result cast into out.
        dtype = out.dtype
    if where is not None and where is not True:
        return _reduce_masked(op, a, axis, dtype, out, keepdims, initial, where)
    _fallback.record_native(op)
    axes = _axes(axis, a.ndim)
    acc = _acc_dtype(op, a.dtype, dtype)
    reduced = [d for i, d in enumerate(a.shape) if i not in axes]
    if op in ("max", "min") and initial is None and builtins.any(a.shape[i] == 0 for i in axes):
        name = "maximum" if op == "max" else "minimum"
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    if acc == _np.float16:
        # Accumulate float16 in float32 (as NumPy's float16 loops compute), round once.
        wide = _reduce(op, a.astype(_np.float32), axis, None, None, keepdims, initial)
        result = wide.astype(_np.float16)
        if out is not None:
            out[...] = result
            return out
        return result
    src = a if a.dtype == acc else a.astype(acc)
    if axis is None and src is a and dtype is None and initial is None:
        _whole[(op, a.dtype)] = acc
    if len(axes) == a.ndim:
        result = ndarray._wrap(_ext.reduce_all(op, src._store).project(0, 0), acc)
    else:
        result = ndarray(reduced, acc)
        if a.size == 0 and result.size:  # no task runs on an empty input: the identity (max/min: initial)
            result.fill({"sum": 0, "prod": 1, "all": True, "any": False}.get(op, initial))
        elif a.size:
            _ext.reduce_axes(op, src._store, list(axes), result._store)
    if initial is not None:
        from . import _ufunc

        combine = {"sum": _ufunc.add, "prod": _ufunc.multiply, "max": _ufunc.maximum, "min": _ufunc.minimum,
                   "all": _ufunc.logical_and, "any": _ufunc.logical_or}[op]
        # NumPy converts `initial` to the reduction's type first (OverflowError for a
        # Python int out of its range).
        result = combine(result, _np.array(initial, dtype=acc)[()])
    if keepdims:
        store = result._store
        for ax in sorted(axes):
            store = store.promote(ax, 1)
        result = ndarray._wrap(store, result.dtype)
    if out is not None:
        _check_out(out, result.shape, op)
        out[...] = result
        return out
    return result


def _check_out(out, shape, op):
    """A reduction's ``out`` has exactly the result's shape (NumPy does not broadcast)."""
    if not isinstance(out, ndarray):
        raise TypeError("out must be a legate_numeric.ndarray")
    if out.ndim != len(shape):
        name = {"sum": "add", "prod": "multiply", "max": "maximum", "min": "minimum", "all": "logical_and", "any": "logical_or"}.get(op, op)
        raise ValueError(f"output parameter for reduction operation {name} has the wrong number of dimensions: Found {out.ndim} but expected {len(shape)}")
    if tuple(out.shape) != tuple(shape):
        raise ValueError(f"output parameter for reduction has the wrong shape {out.shape}, expected {tuple(shape)}")


_IDENTITY = {"sum": 0, "prod": 1, "all": True, "any": False}


def _mask(where, shape):
    """``where=`` as a boolean array of ``shape`` (it broadcasts like an operand)."""
    mask = _asarray(where)
    if mask.dtype != _np.bool_:
        mask = mask.astype(bool)
    if mask.shape != tuple(shape):
        from ._manip import broadcast_to

        mask = broadcast_to(mask, shape)
    return mask


def _reduce_masked(op, a, axis, dtype, out, keepdims, initial, where):
    """``where=``: elements where the mask is false count as the identity (max/min as
    ``initial``, which NumPy then requires)."""
    from ._manip import where as select

    _fallback.record_native(op)
    _axes(axis, a.ndim)  # a bad axis is the error NumPy reports first
    fill = _IDENTITY.get(op, initial)
    if fill is None:
        name = "maximum" if op == "max" else "minimum"
        raise ValueError(f"reduction operation '{name}' does not have an identity, so to use a where mask one has to specify 'initial'")
    mask = _mask(where, a.shape)
    masked = select(mask, a, fill)
    if masked.dtype != a.dtype and op in ("max", "min", "sum", "prod"):
        masked = masked.astype(a.dtype)  # a Python fill must not widen the type
    return _reduce(op, masked, axis, dtype, out, keepdims, initial)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    return _reduce("sum", a, axis, dtype, out, keepdims, initial, where)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    return _reduce("prod", a, axis, dtype, out, keepdims, initial, where)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    return _reduce("max", a, axis, None, out, keepdims, initial, where)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    return _reduce("min", a, axis, None, out, keepdims, initial, where)


amax, amin = max, min


def all(a, axis=None, out=None, keepdims=False, where=None):  # noqa: A001
    return _reduce("all", a, axis, None, out, keepdims, None, where)


def any(a, axis=None, out=None, keepdims=False, where=None):  # noqa: A001
    return _reduce("any", a, axis, None, out, keepdims, None, where)


def _count(a, axis):
    axes = _axes(axis, a.ndim)
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    return n


def _statistic_axes(a, axis):
    """NumPy's mean/var/std take no axis of a 0-d array (sum and friends take 0)."""
    if a.ndim == 0 and axis is not None and axis != ():
        first = axis[0] if isinstance(axis, tuple) else axis
        raise _np.exceptions.AxisError(operator.index(first), 0)


def _warn(message: str) -> None:
    """A RuntimeWarning of NumPy's statistics, shown at the caller's line."""
    import warnings

    from ._fperr import _stacklevel

    warnings.warn(message, RuntimeWarning, stacklevel=_stacklevel())


def mean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """The mean along ``axis``: the sum over the count (an empty slice warns and gives
    NaN from 0/0, with NumPy's warnings)."""
    return _mean_of(a, axis, dtype, out, keepdims, where, True)


def _mean_of(a, axis, dtype, out, keepdims, where, warn_empty):
    a = _asarray(a)
    _statistic_axes(a, axis)
    _fallback.record_native("mean")
    if dtype is None:
        dtype = _np.float64 if a.dtype.kind in "biu" else a.dtype
    from ._ufunc import equal, true_divide

    if where is not None and where is not True:
        # The masked sum over the number of selected elements of each slice.
        mask = _mask(where, a.shape)
        total = _reduce("sum", a, axis, dtype, None, keepdims, None, mask)
        count = _reduce("sum", mask, axis, _np.intp, None, keepdims)
        if warn_empty and bool(any(equal(count, 0))):
            _warn("Mean of empty slice")
    else:
        total = _reduce("sum", a, axis, dtype, None, keepdims)
        count = _count(a, axis)
        if warn_empty and count == 0:
            _warn("Mean of empty slice")
    # NumPy sums into a complex out and divides there (0j / 0 is nan+nanj, not nan+0j).
    into_complex = out is not None and out.dtype.kind == "c" and total.dtype.kind != "c"
    result = true_divide(total.astype(out.dtype) if into_complex else total, count)
    if result.dtype != _np.dtype(dtype) and not into_complex:
        result = result.astype(dtype)
    if out is not None:
        _check_out(out, result.shape, "add")
        out[...] = result
        return out
    return result


_mean = mean  # for the functions whose `mean=` argument hides it


def _ddof(ddof, correction):
    """NumPy 2's ``correction=``: another name for ``ddof`` (not both)."""
    if correction is None:
        return ddof
    if ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, *, mean=None, correction=None):
    """The variance along ``axis`` (``where=`` selects the elements; ``mean=`` gives the
    mean, with keepdims' shape, instead of computing it; ``correction=`` is ``ddof``)."""
    a = _asarray(a)
    _statistic_axes(a, axis)
    _fallback.record_native("var")
    ddof = _ddof(ddof, correction)
    from ._ufunc import absolute, maximum, multiply, subtract, true_divide

    masked = where is not None and where is not True
    mask = _mask(where, a.shape) if masked else None
    # NumPy's warning first; the divisions below then flag 0/0 and x/0 as NumPy's do.
    if masked:
        from ._ufunc import greater_equal

        if bool(any(greater_equal(ddof, _reduce("sum", mask, axis, _np.intp)))):
            _warn("Degrees of freedom <= 0 for slice")
    elif ddof >= _count(a, axis):
        _warn("Degrees of freedom <= 0 for slice")
    if mean is not None:
        m = _asarray(mean)
    else:
        m = _mean_of(a, axis, dtype, None, True, mask, False)
    d = subtract(a, m)
    sq = multiply(d, d) if d.dtype.kind != "c" else multiply(absolute(d), absolute(d))
    total = _reduce("sum", sq, axis, dtype if dtype is None or _np.dtype(dtype).kind != "c" else None, None, keepdims, None, mask)
    # NumPy divides by max(n - ddof, 0): zero gives inf (or nan for 0/0), with a warning.
    if masked:
        n = maximum(subtract(_reduce("sum", mask, axis, _np.intp, None, keepdims), ddof), 0)
    else:
        n = float(builtins.max(_count(a, axis) - ddof, 0))
    result = true_divide(total, n)
    if masked and result.dtype != total.dtype:
        result = result.astype(total.dtype)
    if dtype is not None and result.dtype != _np.dtype(dtype) and _np.dtype(dtype).kind == "f":
        result = result.astype(dtype)
    if out is not None:
        _check_out(out, result.shape, "add")
        out[...] = result
        return out
    return result


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, *, mean=None, correction=None):
    from ._ufunc import sqrt

    kw = dict(axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where, mean=mean, correction=correction)
    if out is not None:
        # NumPy's order: the variance into `out`, then its square root in out's type
        # (same_kind: an integer `out` is an error).
        return sqrt(var(a, out=out, **kw), out=out)
    return sqrt(var(a, **kw))


def count_nonzero(a, axis=None, *, keepdims=False):
    from ._ufunc import not_equal

    a = _asarray(a)
    result = _reduce("sum", not_equal(a, 0), axis, _np.intp, None, keepdims)
    return result


def _nan_version(op, fill):
    """``nan{op}`` with NumPy's signature: ``nansum``/``nanprod`` take ``dtype``,
    ``nanmax``/``nanmin`` do not (so a positional ``out`` lands where NumPy's does)."""
    if op in ("sum", "prod"):
        def f(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NO_VALUE, where=_NO_VALUE):
            return _nan_reduce(op, fill, a, axis, dtype, out, keepdims, initial, where)
    else:
        def f(a, axis=None, out=None, keepdims=False, initial=_NO_VALUE, where=_NO_VALUE):
            return _nan_reduce(op, fill, a, axis, None, out, keepdims, initial, where)

    f.__name__ = f.__qualname__ = f"nan{op}"
    return f


_NO_VALUE = object()  # an argument not given (NumPy's ``np._NoValue``)


def _nan_reduce(op, fill, a, axis, dtype, out, keepdims, initial, where_):
    from ._manip import where
    from ._ufunc import isnan

    a = _asarray(a)
    kwargs = {k: v for k, v in (("initial", initial), ("where", where_)) if v is not _NO_VALUE}
    if kwargs:
        return _nan_keywords(op, fill, a, axis, dtype, out, keepdims, **kwargs)
    if a.dtype.kind not in "fc":
        return _reduce(op, a, axis, dtype, out, keepdims) if op in ("sum", "prod") else _reduce(op, a, axis, None, out, keepdims)
    if op in ("max", "min"):
        # All-NaN slices give NaN (NumPy also warns); others ignore NaNs.
        cleaned = where(isnan(a), fill(a.dtype), a)
        result = _reduce(op, cleaned, axis, None, None, keepdims)
        all_nan = _reduce("all", isnan(a), axis, None, None, keepdims)
        result = where(all_nan, _np.nan, result)
        if a.size and bool(all_nan.any()):
            import warnings

            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
    else:
        result = _reduce(op, where(isnan(a), fill(a.dtype), a), axis, dtype, None, keepdims)
    if out is not None:
        _check_out(out, result.shape, "fmax" if op == "max" else "fmin" if op == "min" else op)  # no broadcasting
        out[...] = result
        return out
    return result


def _nan_keywords(op, fill, a, axis, dtype, out, keepdims, initial=None, where=True):
    """``nan{op}`` with ``initial=``/``where=``, as NumPy computes them: NaNs replaced by
    the operation's neutral value, then the masked reduction; for max/min (NumPy's
    ``fmax.reduce``) a slice with no number left is NaN (with NumPy's warning) unless
    ``initial`` gives it a value, and a mask needs ``initial``."""
    import warnings

    from ._manip import where as select
    from ._ufunc import isnan, logical_not, logical_or

    _axes(axis, a.ndim)  # NumPy checks the axis before the mask's shape
    mask = None if where is True or where is None else _mask(where, a.shape)
    if op in ("max", "min"):
        name = "fmax" if op == "max" else "fmin"
        if mask is not None and initial is None:
            raise ValueError(f"reduction operation '{name}' does not have an identity, so to use a where mask one has to specify 'initial'")
        if a.dtype.kind not in "fc":
            return _reduce(op, a, axis, None, out, keepdims, initial, mask)
        _fallback.record_native(f"nan{op}")
        nan = isnan(a)
        # fmax ignores a NaN initial as it ignores NaN elements.
        nan_initial = initial is not None and bool(_np.isnan(initial))
        result = _reduce(op, select(nan, fill(a.dtype), a), axis, None, None, keepdims, fill(a.dtype) if nan_initial else initial, mask)
        if initial is None or nan_initial:
            left_out = nan if mask is None else logical_or(nan, logical_not(mask))
            result = select(_reduce("all", left_out, axis, None, None, keepdims), _np.nan, result)
        if result.size and bool(isnan(result).any()):
            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
        if out is not None:
            _check_out(out, result.shape, name)
            out[...] = result
            return out
        return result
    _fallback.record_native(f"nan{op}")
    cleaned = select(isnan(a), fill(a.dtype), a) if a.dtype.kind in "fc" else a
    return _reduce(op, cleaned, axis, dtype, out, keepdims, initial, mask)


def _nan_stat_axis(a, axis):
    """NumPy's nanmean/nanvar/nanstd of floats reduce with ``sum``, which takes axis 0
    or -1 of a 0-d array (its mean/var/std do not): there it is no axis."""
    if a.ndim == 0 and axis is not None and not isinstance(axis, tuple):
        _normalize_axis(axis, 1)
        return None
    return axis


def _inexact_out(out):
    """NumPy's nan-statistics of floats compute in ``out``: it must hold floats."""
    if out is not None and _np.dtype(getattr(out, "dtype", _np.float64)).kind not in "fc":
        raise TypeError("If a is inexact, then out must be inexact")


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """The mean of the numbers that are not NaN (a mean with a mask)."""
    from ._ufunc import isnan, logical_not

    from ._ufunc import logical_and

    a = _asarray(a)
    if a.dtype.kind not in "fc":
        return mean(a, axis, dtype, out, keepdims, where=where)
    _inexact_out(out)
    _fallback.record_native("nanmean")
    axis = _nan_stat_axis(a, axis)
    keep = logical_not(isnan(a))
    if where is not None and where is not True:
        keep = logical_and(keep, _mask(where, a.shape))
    # NumPy divides by the counts with the errors ignored and warns of empty slices.
    from ._fperr import errstate

    with errstate(divide="ignore", invalid="ignore"):
        return _mean_of(a, axis, dtype, out, keepdims, keep, True)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    """The variance of the numbers that are not NaN; NaN where fewer than ``ddof + 1``
    (``where=``, ``mean=`` and ``correction=`` as in ``var``)."""
    from ._manip import where as select
    from ._ufunc import absolute, greater, isnan, logical_not, logical_or, multiply, subtract, true_divide

    a = _asarray(a)
    ddof = _ddof(ddof, correction)
    if a.dtype.kind not in "fc":
        return var(a, axis, dtype, out, ddof, keepdims, where, mean=mean)
    _inexact_out(out)
    axis = _nan_stat_axis(a, axis)
    _statistic_axes(a, axis)
    _fallback.record_native("nanvar")
    nan = isnan(a)  # then: every element left out (NaN, or not selected by where=)
    if where is not None and where is not True:
        nan = logical_or(nan, logical_not(_mask(where, a.shape)))
    count = _reduce("sum", logical_not(nan), axis, _np.intp, None, True)
    zero = a.dtype.type(0)
    from ._fperr import errstate

    # Only NumPy's _divide_by_count divisions are silenced: an inf - inf in the sums or
    # the deviations is flagged, as in NumPy.
    total = _reduce("sum", select(nan, zero, a), axis, dtype, None, True)
    if mean is None:
        with errstate(divide="ignore", invalid="ignore"):
            avg = true_divide(total, count).astype(total.dtype)  # NumPy divides in place
    else:
        avg = _asarray(mean)
    d = select(nan, zero, subtract(a, avg))
    sq = multiply(d, d) if d.dtype.kind != "c" else multiply(absolute(d), absolute(d))
    total = _reduce("sum", sq, axis, dtype if dtype is None or _np.dtype(dtype).kind != "c" else None, None, keepdims)
    dof = subtract(count if keepdims else count.reshape(total.shape), ddof)
    bad = logical_not(greater(dof, 0))
    with errstate(divide="ignore", invalid="ignore"):
        result = select(bad, _np.nan, true_divide(total, dof))
    if bool(any(bad)):
        _warn("Degrees of freedom <= 0 for slice.")
    result = result if result.dtype == total.dtype else result.astype(total.dtype)
    if out is not None:
        _check_out(out, result.shape, "add")
    return _to_out(result, out)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    from ._ufunc import sqrt

    kw = dict(axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where, mean=mean, correction=correction)
    if out is not None:  # as std
        return sqrt(nanvar(a, out=out, **kw), out=out)
    return sqrt(nanvar(a, **kw))


def ptp(a, axis=None, out=None, keepdims=False):
    """Peak to peak: ``max - min``."""
    from ._ufunc import subtract

    a = _asarray(a)
    _fallback.record_native("ptp")
    # NumPy's order: the maximum (into `out`, if given), minus the minimum.
    return subtract(_reduce("max", a, axis, None, out, keepdims), _reduce("min", a, axis, None, None, keepdims), out=out)


def weights_like(a, w, axes):
    """Weights as ``a``'s shape (NumPy's rule for ``average`` and weighted quantiles:
    ``a``'s shape, or that of ``a``'s ``axes`` in their order)."""
    from ._manip import broadcast_to

    if a.shape == w.shape:
        return w
    if axes is None:
        raise TypeError("Axis must be specified when shapes of a and weights differ.")
    if w.shape != tuple(a.shape[ax] for ax in axes):
        raise ValueError("Shape of weights must be consistent with shape of a along specified axis.")
    w = w.transpose(tuple(int(i) for i in _np.argsort(axes)))
    return broadcast_to(w.reshape(tuple(n if ax in axes else 1 for ax, n in enumerate(a.shape))), a.shape)


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """The (weighted) mean along ``axis``; with ``returned``, also the sum of weights."""
    from ._manip import broadcast_to
    from ._ufunc import multiply, true_divide

    a = _asarray(a)
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        _fallback.record_native("average")
        if not returned:
            return avg
        scl = a.size / builtins.max(avg.size, 1) if avg.size else 0
        return avg, broadcast_to(_asarray(_np.asarray(scl, avg.dtype)), avg.shape).copy()
    _fallback.record_native("average")
    w = _asarray(weights)
    dt = _np.result_type(a.dtype, w.dtype, "f8") if a.dtype.kind in "biu" else _np.result_type(a.dtype, w.dtype)
    if axis is not None:
        axis = tuple(_normalize_axis(x, a.ndim, "axis") for x in (axis if isinstance(axis, tuple) else (axis,)))
        if len(set(axis)) != len(axis):
            raise ValueError("repeated axis in `axis` argument")
    w = weights_like(a, w, axis)
    scl = _reduce("sum", w, axis, dt, None, keepdims)
    if bool(_reduce("any", scl == 0, None)):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    avg = true_divide(_reduce("sum", multiply(a, w, dtype=dt), axis, None, None, keepdims), scl)
    if returned:
        return avg, scl if scl.shape == avg.shape else broadcast_to(scl, avg.shape).copy()
    return avg


nansum = _nan_version("sum", lambda dt: 0)
nanprod = _nan_version("prod", lambda dt: 1)
nanmax = _nan_version("max", lambda dt: -_np.inf)
nanmin = _nan_version("min", lambda dt: _np.inf)

_ = operator


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    """The covariance matrix of the variables (rows, or columns without ``rowvar``)."""
    import warnings

    from ._linalg import dot
    from ._manip import concatenate

    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    x = _asarray(m)
    if x.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    _fallback.record_native("cov")
    dt = _np.result_type(x.dtype, _np.float64) if dtype is None else _np.dtype(dtype)
    x = x.astype(dt).reshape((1, -1) if x.ndim < 2 else x.shape)
    if not rowvar and x.shape[0] != 1:
        x = x.T
    if y is not None:
        yy = _asarray(y)
        if yy.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
        yy = yy.astype(dt).reshape((1, -1) if yy.ndim < 2 else yy.shape)
        if not rowvar and yy.shape[0] != 1:
            yy = yy.T
        x = concatenate((x, yy), axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    w, aw = _cov_weights(x.shape[1], fweights, aweights)
    if w is None:
        fact = x.shape[1] - ddof
        centered = x - mean(x, axis=1, keepdims=True)
    else:
        # NumPy's weighted form: the weighted mean, and the normalization by the sum of
        # the weights (less ddof, scaled by the analytic weights when given).
        w_sum = float(sum(w))
        centered = x - (sum(x * w, axis=1, keepdims=True) / w_sum)
        if ddof == 0:
            fact = w_sum
        elif aw is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * float(sum(w * aw)) / w_sum
    if fact <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        fact = 0.0
    c = dot(centered, (centered if w is None else centered * w).T.conj())
    # NumPy's scaling: 1 / fact on the host (its own divide-by-zero warning when there
    # are no degrees of freedom), then the product flags 0 * inf as its multiply does.
    c *= _np.true_divide(1, _np.float64(fact))  # in place, as NumPy's: dtype=float32 stays float32
    return c.squeeze()


def _cov_weights(n, fweights, aweights):
    """cov's ``fweights`` (integer repeat counts) and ``aweights`` (analytic weights),
    checked as NumPy does, as float64 arrays: (their product or the one given, aweights)."""
    from ._ufunc import multiply, rint

    w = aw = None
    for name, given in (("fweights", fweights), ("aweights", aweights)):
        if given is None:
            continue
        v = _asarray(given).astype(_np.float64)
        if name == "fweights" and not bool(all(v == rint(v))):
            raise TypeError("fweights must be integer")
        if v.ndim > 1:
            raise RuntimeError(f"cannot handle multidimensional {name}")
        if v.shape[0] != n:
            raise RuntimeError(f"incompatible numbers of samples and {name}")
        if bool(any(v < 0)):
            raise ValueError(f"{name} cannot be negative")
        if name == "aweights":
            aw = v
        w = v if w is None else multiply(w, v)
    return w, aw


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Pearson correlation coefficients: the covariance scaled by the deviations."""
    from ._ufunc import clip, sqrt

    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    stddev = sqrt(d.real)
    c = c / stddev[:, None] / stddev[None, :]
    if c.dtype.kind == "c":
        c.real = clip(c.real, -1, 1)
        c.imag = clip(c.imag, -1, 1)
        return c
    return clip(c, -1, 1)
