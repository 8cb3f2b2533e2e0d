"""NumPy's ufunc keywords for the ufuncs legate_numeric defines as functions (``fabs
gcd lcm ldexp frexp modf divmod heaviside nextafter spacing float_power logaddexp2
bitwise_count``): ``where casting order dtype subok signature`` and outputs given by
position.

Without those keywords the function runs as it is. With them, the loop is resolved
as NumPy would (``ufunc.resolve_dtypes``), the inputs are checked against ``casting``
and cast to the loop's types, the function computes, and each result is cast to the
loop's output type and written where ``where`` selects (NumPy's ``UFuncTypeError``
for an output cast ``casting`` forbids).
"""

from __future__ import annotations

import functools

import numpy as _np

from ._array import ndarray


def adapt(func, np_ufunc):
    """``func`` (computing the ufunc ``np_ufunc`` natively) taking every ufunc keyword."""
    nin, nout, name = np_ufunc.nin, np_ufunc.nout, np_ufunc.__name__

    @functools.wraps(func)
    def wrapper(*args, out=None, where=True, casting="same_kind", order="K", dtype=None, subok=True, signature=None, **kwargs):
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if len(args) > nin:
            if out is not None:
                raise TypeError(f"{name}: cannot specify 'out' as both a positional and keyword argument")
            args, out = args[:nin], (args[nin:] if nout > 1 else args[nin])
        if len(args) != nin:
            raise TypeError(f"{name}() takes from {nin} to {nin + nout} positional arguments but {len(args)} were given")
        if where is True and casting == "same_kind" and order == "K" and dtype is None and signature is None:
            return func(*args) if out is None else func(*args, out=out)
        return _general(func, np_ufunc, args, out, where, casting, order, dtype, signature)

    _methods(wrapper, np_ufunc)
    return wrapper


def _as_array(x) -> ndarray:
    return x if isinstance(x, ndarray) else ndarray._from_numpy(_np.asarray(x))


# Associative and commutative on integers: reduced by halving, accumulated by doubling.
_ORDER_FREE = frozenset({"gcd", "lcm"})


def _methods(wrapper, np_ufunc):
    """NumPy's ufunc attributes and methods on a function-defined ufunc: ``at`` (round by
    round of repeated indices), ``outer`` (broadcast), ``reduce``/``accumulate`` by halving
    and doubling for ``gcd``/``lcm``, step by step for the order-dependent ones."""
    from . import _fallback, _fold

    name = np_ufunc.__name__
    wrapper._np = np_ufunc
    wrapper.nin, wrapper.nout, wrapper.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs
    wrapper.identity, wrapper.ntypes, wrapper.types, wrapper.signature = np_ufunc.identity, np_ufunc.ntypes, np_ufunc.types, None

    def at(a, indices, b=None, /):
        from ._ufunc_args import at_by_rounds

        if not isinstance(a, ndarray):
            if isinstance(a, _np.ndarray):  # NumPy's array, mutated by NumPy
                np_ufunc.at(a, _fallback.to_numpy(indices), *(() if b is None else (_fallback.to_numpy(b),)))
                return None
            raise TypeError(f"at() argument 1 must be numpy.ndarray, not {type(a).__name__}")
        _fallback.record_native(f"{name}.at")
        return at_by_rounds(wrapper, np_ufunc, a, indices, b)

    def outer(a, b, /, **kwargs):
        if np_ufunc.nin != 2:
            raise ValueError("outer product only supported for binary functions")
        x, y = _as_array(a), _as_array(b)
        _fallback.record_native(f"{name}.outer")
        return wrapper(x.reshape(x.shape + (1,) * y.ndim), y, **kwargs)

    def reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=True):
        from ._ufunc_args import reduce_axis, tree_reduce

        axis = reduce_axis(array, axis)
        if name == "lcm":
            ndim = _np.ndim(array)
            count = ndim if axis is None else (len(axis) if isinstance(axis, tuple) else 1)
            if count > 1:  # NumPy does not mark lcm reorderable
                raise ValueError(f"reduction operation '{name}' is not reorderable, so at most one axis may be specified")
        if name in _ORDER_FREE and where is True:
            _fallback.record_native(f"{name}.reduce")
            return tree_reduce(wrapper, array, axis, dtype, out, keepdims, initial)
        return _fold.reduce(wrapper, array, axis, dtype, out, keepdims, initial, where)

    def accumulate(array, axis=0, dtype=None, out=None):
        from ._scan import _deliver, _log_step_scan, _result_dtype, accumulate_axis

        if name in _ORDER_FREE:
            a = _as_array(array)
            res_dt = _result_dtype("accumulate", name, a.dtype, dtype)
            _fallback.record_native(f"{name}.accumulate")
            return _deliver(_log_step_scan(wrapper, a, accumulate_axis(a, axis), res_dt), out)
        return _fold.accumulate(wrapper, array, axis, dtype, out)

    def reduceat(array, indices, axis=0, dtype=None, out=None):
        from ._ufunc_args import reduceat as by_segments

        _fallback.record_native(f"{name}.reduceat")
        return by_segments(wrapper, array, indices, axis, dtype, out)

    wrapper.at, wrapper.outer, wrapper.reduce, wrapper.accumulate, wrapper.reduceat = at, outer, reduce, accumulate, reduceat


def _general(func, np_ufunc, args, out, where, casting, order, dtype, signature):
    from ._manip import where as select
    from ._ufunc import _operand
    from ._ufunc_args import check_casting, check_order

    nin, nout = np_ufunc.nin, np_ufunc.nout
    check_order(order)
    check_casting(casting)
    if signature is not None and dtype is not None:
        raise TypeError("cannot specify both 'signature' and 'dtype'")
    if signature is None and dtype is not None:
        signature = (None,) * nin + (_np.dtype(dtype),) * nout
    keys = tuple(_operand(x)[2] for x in args)
    extra = {} if signature is None else {"signature": signature}
    loop = np_ufunc.resolve_dtypes(keys + (None,) * nout, casting="unsafe", **extra)
    cast = []
    for i, (x, key, want) in enumerate(zip(args, keys, loop[:nin])):
        arr, scalar, _ = _operand(x)
        if not isinstance(key, type) and not _np.can_cast(key, want, casting):
            raise _np._core._exceptions._UFuncInputCastingError(np_ufunc, casting, _np.dtype(key), want, i)
        if arr is not None:
            cast.append(arr if arr.dtype == want else arr.astype(want))
        else:
            cast.append(_np.asarray(scalar, dtype=want)[()] if not isinstance(key, type) or dtype is not None or signature is not None else scalar)
    results = func(*cast)
    results = results if isinstance(results, tuple) else (results,)
    outs = out if isinstance(out, tuple) else (out,) + (None,) * (nout - 1)
    if len(outs) != nout:
        raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
    mask = None
    if where is not True:
        mask = where if isinstance(where, ndarray) else ndarray._from_numpy(_np.asarray(where))
        mask = mask.astype(bool, copy=False)
    final = []
    for i, (r, o, want) in enumerate(zip(results, outs, loop[nin:])):
        r = r if r.dtype == want else r.astype(want)
        if o is None:
            if mask is not None:
                r = select(mask, r, want.type(0))  # NumPy leaves these unspecified; zero here
            final.append(r)
            continue
        if o.dtype != want and not _np.can_cast(want, o.dtype, casting):
            raise _np._core._exceptions._UFuncOutputCastingError(np_ufunc, casting, want, o.dtype, i)
        shapes = [r.shape] + ([] if mask is None else [mask.shape])
        if _np.broadcast_shapes(*shapes, tuple(o.shape)) != tuple(o.shape):
            raise ValueError(f"non-broadcastable output operand with shape {tuple(o.shape)} doesn't match the broadcast shape {_np.broadcast_shapes(*shapes)}")
        value = r.astype(o.dtype, copy=False)
        o[...] = value if mask is None else select(mask, value, o)
        final.append(o)
    return final[0] if nout == 1 else tuple(final)


# The ufuncs defined as functions (matmul and the other gufuncs take their own keywords).
NAMES = ("bitwise_count", "divmod", "fabs", "float_power", "frexp", "gcd", "heaviside", "lcm", "ldexp",
         "logaddexp2", "modf", "nextafter", "spacing")


def install(namespace: dict) -> None:
    for name in NAMES:
        namespace[name] = adapt(namespace[name], getattr(_np, name))
