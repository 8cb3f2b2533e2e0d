"""``ufunc.reduce``, ``accumulate`` and ``reduceat`` of any binary ufunc, natively.

Operations that are not associative (``divide power arctan2 floor_divide remainder
fmod copysign hypot logaddexp``...) fold sequentially along the axis in NumPy's order,
one native task whose points split the other axes (``_ext.fold``; each step runs the
ufunc's own elementwise loop). Python applies NumPy's rules: the loop's dtype (also from
``dtype=`` or ``out``'s dtype), the identity as the start where the ufunc has one,
``initial=``, ``where=``, ``keepdims=``, several axes only for reorderable ufuncs, and
NumPy's errors for empty reductions without an identity.
"""

from __future__ import annotations

import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _empty, _normalize_axis, ndarray
from ._scan import _asarray, _result_dtype, accumulate_axis

_reorderable: dict = {}


def _is_reorderable(uf) -> bool:
    """Whether NumPy lets the ufunc reduce over several axes at once (a property of the
    ufunc, asked once of NumPy on a 1x1 array)."""
    known = _reorderable.get(uf.__name__)
    if known is None:
        try:
            with _np.errstate(all="ignore"):
                uf._np.reduce(_np.ones((1, 1), _np.int64), axis=(0, 1))
            known = True
        except ValueError as e:
            known = "reorderable" not in str(e)
        except TypeError:
            known = True
        _reorderable[uf.__name__] = known
    return known


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        axes = tuple(_normalize_axis(operator.index(x), ndim) for x in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
        return axes
    return (_normalize_axis(operator.index(axis), ndim),)


def _loop_dtype(uf, method, a, dtype, out):
    """The loop's type: NumPy's for the input and ``dtype=`` (or ``out``'s dtype, which
    NumPy reduces in when no ``dtype`` is given); NumPy's errors propagate."""
    if dtype is None and isinstance(out, ndarray):
        dtype = out.dtype
    return _result_dtype(method, uf.__name__, a.dtype, dtype)


_elements: dict = {}


def _element_dtype(uf, loop, dtype):
    """The type a reduction reads its elements as: NumPy's second loop input for a
    reduction in ``loop`` (the loop itself for every ufunc but ``ldexp``)."""
    key = (uf.__name__, loop, dtype)
    elem = _elements.get(key)
    if elem is None:
        try:
            elem = uf._np.resolve_dtypes((_np.dtype(loop), dtype, None), reduction=True)[1]
        except (TypeError, ValueError, AttributeError):
            elem = _np.dtype(loop)
        _elements[key] = elem
    return elem


def _deliver(result, out, what):
    if out is None:
        return result
    if not isinstance(out, ndarray):
        raise TypeError("out must be a legate_numeric.ndarray")
    if tuple(out.shape) != tuple(result.shape):
        raise ValueError(f"output parameter for {what} has the wrong shape {out.shape}, expected {result.shape}")
    out[...] = result
    return out


def _fold_axis(uf, x, axis, init, mask, kind, acc_dtype=None):
    """The reduction of ``x`` along ``axis`` from ``init`` (an array of the other axes'
    shape, or None: from the first element), where ``mask`` is set; the accumulator is
    ``acc_dtype`` where the loop's two inputs differ (``ldexp``: float, int)."""
    acc_dtype = x.dtype if acc_dtype is None else acc_dtype
    shape = x.shape[:axis] + x.shape[axis + 1 :]
    result = _empty(shape, acc_dtype)
    if result.size == 0:
        return result

    def at(j):
        return (slice(None),) * axis + (j, Ellipsis)  # a 0-d array, not a scalar, at 1-d

    if init is None:
        init = _cast(x[at(0)], acc_dtype)
        x = x[at(slice(1, None))]
        mask = None if mask is None else mask[at(slice(1, None))]
    if acc_dtype == x.dtype and _kernel(uf):
        _ext.fold(uf.__name__, kind, x._store, init._store, None if mask is None else mask._store, result._store, axis)
        return result
    from ._manip import where

    acc = init
    for j in range(x.shape[axis]):
        step = _cast(uf(acc, x[at(j)]), acc_dtype)
        acc = step if mask is None else where(mask[at(j)], step, acc)
    result[...] = acc
    return result


def _kernel(uf) -> bool:
    """Whether the fold kernel runs the ufunc (one of the elementwise kernel's); the
    ufuncs legate_numeric composes from others (``nextafter ldexp float_power
    heaviside logaddexp2``...) fold step by step, one call of the ufunc per index."""
    from ._ufunc import ufunc

    return isinstance(uf, ufunc)


def _cast(x, dtype):
    return x if x.dtype == dtype else x.astype(dtype)


def reduce(uf, array, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=True, kind="reduce", identity=True):
    """``uf.reduce`` natively, for any binary ufunc (``kind="reduceat"``, ``identity=False``
    for a segment of ``reduceat``, which starts from its first element)."""
    from ._creation import full
    from ._manip import broadcast_to

    name = uf.__name__
    if uf.nin != 2:
        raise ValueError("reduce only supported for binary functions")
    a = _asarray(array)
    axes = _axes(axis, a.ndim)
    loop = _loop_dtype(uf, "reduce", a, dtype, out)  # NumPy's type errors come first
    if len(axes) > 1 and not _is_reorderable(uf):
        raise ValueError(f"reduction operation '{name}' is not reorderable, so at most one axis may be specified")
    if initial is None and identity:
        initial = uf._np.identity  # NumPy starts from the identity where there is one
    if where is not True and initial is None:
        raise ValueError(f"reduction operation '{name}' does not have an identity, so to use a where mask one has to specify 'initial'")
    if initial is None and any(a.shape[d] == 0 for d in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    _fallback.record_native(f"{name}.reduce")
    kept = [d for d in range(a.ndim) if d not in axes]
    mask = None
    if where is not True:
        mask = _asarray(where)
        mask = broadcast_to(mask if mask.dtype == _np.bool_ else mask.astype(bool), a.shape)
    work = loop
    if loop == _np.float16 and name in ("subtract", "true_divide") and axes in ((a.ndim - 1,), ()):
        # NumPy's float16 subtract/divide keep a float32 accumulator along a contiguous
        # reduced axis, rounding once (elsewhere each step rounds, as in the kernel).
        work = _np.dtype(_np.float32)
    elem = _element_dtype(uf, loop, a.dtype)
    if elem != loop and kind == "reduceat":
        raise TypeError(f"the resolved dtypes are not compatible with {name}.reduceat. Resolved ({loop!r}, {elem!r}, {loop!r})")
    if elem != loop:
        # A loop whose second input differs (``ldexp``: float16/float64 by int32/int64):
        # the elements keep that type, the accumulator is the loop's.
        src = a if a.dtype == elem else a.astype(elem)
    else:
        src = a.astype(loop).astype(work) if a.dtype != work else a
    if len(axes) == 1:
        x, fold_axis = src, axes[0]
    else:
        # Several axes (a reorderable ufunc) as one, last; none as a new one of length
        # 1, so that each element still meets `initial` and the mask.
        order = kept + sorted(axes)
        lead = tuple(a.shape[d] for d in kept)
        folded = (int(_np.prod([a.shape[d] for d in axes])),) if axes else (1,)
        x = (src.transpose(order) if axes else src).reshape((lead if axes else a.shape) + folded)
        if mask is not None:
            mask = (mask.transpose(order) if axes else mask).reshape(x.shape)
        fold_axis = x.ndim - 1
    init = None
    if initial is not None:
        # NumPy converts `initial` to the loop's type first (OverflowError for a Python
        # int out of its range).
        rest = x.shape[:fold_axis] + x.shape[fold_axis + 1 :]
        init = full(rest, _np.array(initial, dtype=loop)[()], loop).astype(work, copy=False)
    result = _cast(_fold_axis(uf, x, fold_axis, init, mask, kind, None if elem == loop else loop), loop)
    if keepdims:
        result = result.reshape(tuple(1 if d in axes else n for d, n in enumerate(a.shape)))
    return _deliver(result, out, "reduction")


def accumulate(uf, array, axis=0, dtype=None, out=None):
    """``uf.accumulate`` natively, for any binary ufunc: ``out[j] = uf(out[j-1], a[j])``."""
    name = uf.__name__
    if uf.nin != 2:
        raise ValueError("accumulate only supported for binary functions")
    a = _asarray(array)
    axis = accumulate_axis(a, axis)
    loop = _loop_dtype(uf, "accumulate", a, dtype, out)
    _fallback.record_native(f"{name}.accumulate")
    src = a if a.dtype == loop else a.astype(loop)
    result = _empty(a.shape, loop)
    if result.size and _kernel(uf):
        _ext.fold(name, "accumulate", src._store, None, None, result._store, axis)
    elif result.size:
        at = lambda j: tuple(j if d == axis else slice(None) for d in range(a.ndim))  # noqa: E731
        result[at(0)] = src[at(0)]
        for j in range(1, a.shape[axis]):
            result[at(j)] = _cast(uf(result[at(j - 1)], src[at(j)]), loop)
    if isinstance(out, ndarray) and tuple(out.shape) != tuple(result.shape):
        raise ValueError("provided out is the wrong size for the accumulation.")
    return _deliver(result, out, "accumulation")
