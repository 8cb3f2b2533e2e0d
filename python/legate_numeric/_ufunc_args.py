"""NumPy's ufunc keywords beyond the common ones (``casting order subok signature``)
and the ufunc methods built on calls (``outer``, ``reduceat``).

A call with these keywords resolves its loop with NumPy (``ufunc.resolve_dtypes``,
which applies ``casting`` to inputs and output with NumPy's ``UFuncTypeError``), casts
the operands to the loop's input types, and runs the ordinary native call; an output
cast that only ``casting`` allows is done when the result is written into ``out``.
``order`` only chooses a memory layout, which stores do not have: it is checked and
otherwise has no effect (as ``subok``: there are no subclasses).
"""

from __future__ import annotations

import operator

import numpy as _np

from ._array import _empty, _order, ndarray

_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")
_LOGICAL = (_np.logical_and, _np.logical_or, _np.logical_xor, _np.logical_not)


def check_order(order):
    _order(order)


def check_casting(casting):
    if casting not in _CASTINGS:
        raise ValueError(f"casting must be one of 'no', 'equiv', 'safe', 'same_kind', 'unsafe' (got '{casting}')")


def _single(out):
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        return out[0]
    return out


def call(uf, args, out, where, dtype, casting, order, signature):
    """``uf(*args, out=out, where=where, dtype=dtype, casting=casting, order=order,
    signature=signature)`` natively (``out`` is None or a legate array here)."""
    from ._ufunc import _operand

    check_order(order)
    check_casting(casting)
    out = _single(out)
    if out is not None and not isinstance(out, ndarray):
        raise TypeError("return arrays must be of ArrayType")
    if signature is not None and dtype is not None:
        raise TypeError("cannot specify both 'signature' and 'dtype'")
    keys = tuple(_operand(x)[2] for x in args)
    if signature is None and dtype is not None:
        signature = (None,) * len(args) + (_np.dtype(dtype),)
    extra = {} if signature is None else {"signature": signature}
    # The output's type is checked here, not passed in: NumPy picks the loop from the
    # inputs (and its resolve_dtypes can crash on a weak scalar with an output type).
    # The inputs' casts too are checked here: NumPy's resolve_dtypes can crash on a weak
    # scalar under 'equiv'.
    loop = uf._np.resolve_dtypes(keys + (None,), casting="unsafe", **extra)
    # The logical ufuncs' promoter casts any input to bool whatever ``casting`` says
    # (``logical_and(int32, float32, casting='no')`` is allowed): only their output's
    # cast is checked.
    logical = uf._np in _LOGICAL
    for i, (key, want) in enumerate(zip(keys, loop[: uf.nin])):
        if logical:
            break
        if isinstance(key, type):  # a Python number: NumPy's weak scalar
            if casting == "equiv" and _np.result_type(key(0)) != want:
                raise TypeError(f"cannot cast Python {key.__name__} to {want} under the casting rule 'equiv'")
        elif not _np.can_cast(key, want, casting):
            raise _np._core._exceptions._UFuncInputCastingError(uf._np, casting, _np.dtype(key), want, i)
    if out is not None and not _np.can_cast(loop[-1], out.dtype, casting):
        raise _np._core._exceptions._UFuncOutputCastingError(uf._np, casting, loop[-1], out.dtype, 0)
    # Operands in the loop's input types: the plain call then picks the same loop.
    cast = []
    for x, want in zip(args, loop[: uf.nin]):
        arr, scalar, key = _operand(x)
        if arr is not None:
            cast.append(arr if arr.dtype == want else arr.astype(want))
        elif isinstance(key, type) and _np.result_type(key(0), want) == want and want.kind != "b":
            cast.append(scalar)  # a weak Python number stays weak
        else:
            cast.append(_np.asarray(scalar, dtype=want)[()] if want.kind in "biufc" else scalar)
    result_dtype = loop[-1]
    fixed = result_dtype if (dtype is not None or signature is not None) else None
    if out is None:
        if where is True:
            return uf._call(*cast, dtype=fixed)
        return uf._call(*cast, where=where, dtype=fixed)
    if out.dtype == result_dtype or _np.can_cast(result_dtype, out.dtype, "same_kind"):
        return uf._call(*cast, out=out, where=where, dtype=fixed)
    # An output cast beyond same_kind, allowed by ``casting`` (resolve_dtypes checked).
    full = uf._call(*cast, dtype=fixed)
    mask = where if where is True else (where if isinstance(where, ndarray) else ndarray._from_numpy(_np.asarray(where)))
    shapes = [full.shape] + ([] if mask is True else [mask.shape])
    if _np.broadcast_shapes(*shapes, tuple(out.shape)) != tuple(out.shape):
        raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't match the broadcast shape {_np.broadcast_shapes(*shapes)}")
    converted = full.astype(out.dtype)
    if mask is True:
        out[...] = converted
    else:
        from ._manip import where as select

        out[...] = select(mask.astype(bool, copy=False), converted, out)
    return out


def outer(uf, A, B, kwargs):
    """``uf(a[..., None, ..., None], b)``: every pair of elements (NumPy's ``outer``)."""
    if uf.nin != 2:
        raise ValueError("method outer is only supported for binary functions")
    a = A if isinstance(A, ndarray) else ndarray._from_numpy(_np.asarray(A))
    b = B if isinstance(B, ndarray) else ndarray._from_numpy(_np.asarray(B))
    expanded = a.reshape(tuple(a.shape) + (1,) * b.ndim)
    return uf(expanded, b, **kwargs)


def reduceat(uf, array, indices, axis=0, dtype=None, out=None):
    """``uf.reduce`` over the slices ``[indices[i], indices[i+1])`` along ``axis`` (a
    single element where the next index is not larger; the last runs to the end)."""
    from . import _fold
    from ._manip import stack

    a = array if isinstance(array, ndarray) else ndarray._from_numpy(_np.asarray(array))
    if uf.nin != 2:
        raise ValueError("reduceat only supported for binary functions")
    if a.ndim == 0:
        raise TypeError("cannot reduceat on a scalar")
    from ._array import _normalize_axis

    axis = _normalize_axis(operator.index(axis) if not isinstance(axis, tuple) else _single_axis(axis), a.ndim)
    idx = _np.asarray(indices.__array__() if isinstance(indices, ndarray) else indices)
    if idx.dtype.kind not in "iu" and idx.size:
        raise TypeError("Cannot cast array data from dtype('float64') to dtype('int64') according to the rule 'safe'")
    idx = idx.astype(_np.intp).reshape(-1)
    n = a.shape[axis]
    for i in idx:
        if not 0 <= i < n:
            raise IndexError(f"index {i} out-of-bounds in {uf.__name__}.reduceat [0, {n})")
    parts = []
    lead = (slice(None),) * axis
    # The loop's result type (bool for logical_and), which single elements take too.
    result_dt = _fold.reduce(uf, a[lead + (slice(0, 1),)], axis, dtype, identity=False).dtype if n else a.dtype
    for j, start in enumerate(idx):
        stop = idx[j + 1] if j + 1 < len(idx) else n
        if stop > start:
            # In NumPy's order from the segment's first element (no identity).
            parts.append(_fold.reduce(uf, a[lead + (slice(int(start), int(stop)),)], axis, dtype, kind="reduceat", identity=False))
        else:
            part = a[lead + (int(start),)]
            parts.append(part if part.dtype == result_dt else part.astype(result_dt))
    if not parts:
        shape = list(a.shape)
        shape[axis] = 0
        result = ndarray(tuple(shape), result_dt)
    else:
        result = stack(parts, axis=axis)
    if out is not None:
        out = _single(out)
        if tuple(out.shape) != tuple(result.shape):
            raise ValueError(f"output operand has shape {out.shape}, expected {result.shape}")
        out[...] = result
        return out
    return result


def _single_axis(axis):
    if len(axis) != 1:
        raise ValueError("reduceat does not allow multiple axes")
    return operator.index(axis[0])


# Binary ufuncs whose reduction does not depend on the order of the operands (exactly:
# bitwise and logical operations, fmax/fmin): reduced natively by halving.
TREE_REDUCIBLE = frozenset({"bitwise_and", "bitwise_or", "bitwise_xor", "logical_xor", "fmax", "fmin"})


def reduce_axis(array, axis):
    """``ufunc.reduce``'s ``axis``, with NumPy's rule for 0-d arrays: axis 0 (or -1)
    reduces over no axes."""
    if type(axis) is int and axis in (0, -1) and _np.ndim(array) == 0:
        return ()
    return axis


def tree_reduce(uf, array, axis, dtype, out, keepdims, initial):
    """``uf.reduce`` as log2(n) elementwise calls, each combining the two halves of the
    reduced extent; an empty reduction is NumPy's (its identity, or its error)."""
    from ._array import _normalize_axis
    from ._manip import concatenate

    a = array if isinstance(array, ndarray) else ndarray._from_numpy(_np.asarray(array))
    if axis is None:
        axes = tuple(range(a.ndim))
    elif isinstance(axis, tuple):
        axes = tuple(_normalize_axis(x, a.ndim) for x in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
    else:
        axes = (_normalize_axis(axis, a.ndim),)
    if a.size == 0 or not axes:
        # No values to combine: NumPy's answer from an empty array of the same shape.
        kw = {} if initial is None else {"initial": initial}
        host = uf._np.reduce(_np.empty(a.shape, a.dtype), axis=axes, dtype=dtype, keepdims=keepdims, **kw) if a.size == 0 else None
        if host is None:
            loop_out = uf._np.resolve_dtypes((a.dtype, a.dtype, None))[2] if dtype is None else _np.dtype(dtype)
            result = a.astype(loop_out)
            if initial is not None:  # no axes: each element meets `initial` once
                result = uf(_np.asarray(initial, dtype=loop_out)[()], result)
        else:
            result = ndarray._from_numpy(_np.asarray(host))
        return _deliver(result, out)
    if dtype is not None and a.dtype != _np.dtype(dtype):
        a = a.astype(dtype)
    kept = [i for i in range(a.ndim) if i not in axes]
    x = a.transpose(kept + sorted(axes)).reshape(tuple(a.shape[k] for k in kept) + (-1,))
    while x.shape[-1] > 1:
        n = x.shape[-1]
        h = n // 2
        pair = uf(x[..., :h], x[..., h : 2 * h])
        x = pair if n % 2 == 0 else concatenate([pair, x[..., 2 * h :].astype(pair.dtype, copy=False)], axis=-1)
    result = x[..., 0]
    if x.dtype != uf._np.resolve_dtypes((a.dtype, a.dtype, None))[2]:
        result = result.astype(uf._np.resolve_dtypes((a.dtype, a.dtype, None))[2])
    if initial is not None:
        result = uf(result, _np.asarray(initial, dtype=result.dtype)[()])
    if keepdims:
        result = result.reshape(tuple(1 if i in axes else n for i, n in enumerate(a.shape)))
    return _deliver(result, out)


def _deliver(result, out):
    if out is None:
        return result
    if tuple(out.shape) != tuple(result.shape):
        raise ValueError(f"output parameter for reduction has the wrong shape {out.shape}, expected {result.shape}")
    out[...] = result
    return out


def at_by_rounds(uf, np_ufunc, a, indices, b=None):
    """``np_ufunc.at(a, indices, b)`` natively for any ufunc: NumPy applies it to each
    index in turn, so a repeated index sees the results of its earlier occurrences. The
    k-th occurrences of all indices form round k; each round gathers its (distinct)
    elements, computes in the ufunc's loop, casts back to ``a``'s type and scatters.
    NumPy's checks and errors come from the same call on one element."""
    from ._creation import arange
    from ._index import nonzero
    from ._manip import broadcast_to, where
    from ._reduce import max as _max
    from ._scan import _scan
    from ._sort import argsort

    if b is not None and not isinstance(b, ndarray):
        # NumPy's at takes Python numbers as arrays (not weakly: 300 into int8 runs the
        # int64 loop and wraps on the way back).
        b = ndarray._from_numpy(_np.asarray(_fallback_to_numpy(b)))
    probe_b = () if b is None else (_np.zeros(1, b.dtype),)
    with _np.errstate(all="ignore"):
        np_ufunc.at(_np.zeros(1, a.dtype), _np.zeros(1, _np.intp), *probe_b)
    positions = arange(a.size).reshape(a.shape)[indices]
    positions = positions if isinstance(positions, ndarray) else ndarray._from_numpy(_np.asarray(positions))
    m = positions.size
    if m == 0:
        return None
    flat_pos = positions.reshape(-1)
    values = None if b is None else broadcast_to(b, positions.shape).reshape(-1)
    # Each element's occurrence number: its place in a stable sort of the positions,
    # less the place where its run of equal positions starts.
    order = argsort(flat_pos)
    ordered = flat_pos[order]
    counter = arange(m)
    starts = _empty((m,), _np.dtype(_np.int64))
    starts[:1] = 0
    if m > 1:
        starts[1:] = where(ordered[1:] != ordered[:-1], counter[1:], 0)
    first = _scan("maximum", starts, 0, _np.dtype(_np.int64))
    rank = _empty((m,), _np.dtype(_np.int64))
    rank[order] = counter - first
    rounds = int(_max(rank)) + 1
    flat_store = a._store.reshape([a.size])
    target = ndarray._wrap(flat_store, a.dtype) if flat_store is not None else a.ravel().copy()
    for r in range(rounds):
        sel = nonzero(rank == r)[0] if rounds > 1 else None
        ids = flat_pos if sel is None else flat_pos[sel]
        current = target[ids]
        if b is None:
            result = uf(current)
        else:
            result = uf(current, values if sel is None else values[sel])
        target[ids] = result if result.dtype == a.dtype else result.astype(a.dtype)
    if flat_store is None:
        a[...] = target.reshape(a.shape)
    return None


def _fallback_to_numpy(x):
    from . import _fallback

    return _fallback.to_numpy(x)

