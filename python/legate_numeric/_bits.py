"""Bit packing, natively: ``packbits`` moves the axis last, pads it to whole bytes and
sums each group of eight bits times their weights; ``unpackbits`` tests each byte
against the eight bit weights."""

from __future__ import annotations

import operator

import numpy as _np

from . import _fallback
from ._array import _normalize_axis, ndarray

_BIG = _np.array([128, 64, 32, 16, 8, 4, 2, 1], dtype=_np.uint8)


def _asarray(a) -> ndarray:
    return a if isinstance(a, ndarray) else ndarray._from_numpy(_np.asarray(a))


def _bitorder(bitorder):
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    return _BIG if bitorder == "big" else _BIG[::-1].copy()


def packbits(a, /, axis=None, bitorder="big"):
    """Each group of eight elements (non-zero: a 1 bit) as one uint8, along ``axis``
    (the flattened array for None), the last group padded with zero bits."""
    from ._creation import zeros
    from ._manip import concatenate, moveaxis
    from ._reduce import sum as _sum
    from ._ufunc import not_equal

    a = _asarray(a)
    if a.dtype.kind not in "biu":
        raise TypeError("Expected an input array of integer or boolean data type")
    weights = _bitorder(bitorder)
    _fallback.record_native("packbits")
    if axis is None:
        a, axis = a.reshape(-1), 0
    elif a.ndim == 0:
        raise _np.exceptions.AxisError(axis, 0)
    axis = _normalize_axis(axis, a.ndim)
    bits = moveaxis(not_equal(a, 0).astype(_np.uint8), axis, -1)
    n = bits.shape[-1]
    pad = -n % 8
    if pad:
        bits = concatenate([bits, zeros(bits.shape[:-1] + (pad,), _np.uint8)], axis=-1)
    groups = bits.reshape(bits.shape[:-1] + ((n + pad) // 8, 8))
    packed = _sum(groups * ndarray._from_numpy(weights), axis=-1, dtype=_np.uint8)
    return moveaxis(packed, -1, axis)


def unpackbits(a, /, axis=None, count=None, bitorder="big"):
    """The bits of uint8 ``a`` as uint8 zeros and ones along ``axis`` (flattened for
    None); ``count`` keeps that many (negative: drops that many at the end)."""
    from ._creation import zeros
    from ._manip import concatenate, moveaxis
    from ._ufunc import bitwise_and, not_equal

    a = _asarray(a)
    if a.dtype != _np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    weights = _bitorder(bitorder)
    if count is not None:
        count = operator.index(count)
    _fallback.record_native("unpackbits")
    if axis is None:
        a, axis = a.reshape(-1), 0
    elif a.ndim == 0:
        raise _np.exceptions.AxisError(axis, 0)
    axis = _normalize_axis(axis, a.ndim)
    last = moveaxis(a, axis, -1)
    bits = not_equal(bitwise_and(last.reshape(last.shape + (1,)), ndarray._from_numpy(weights)), 0).astype(_np.uint8)
    total = last.shape[-1] * 8
    bits = bits.reshape(last.shape[:-1] + (total,))
    if count is not None:
        keep = count if count >= 0 else max(total + count, 0)
        if count < 0 and -count > total:
            raise ValueError("-count larger than number of elements")
        if keep <= total:
            bits = bits[..., :keep]
        else:
            bits = concatenate([bits, zeros(bits.shape[:-1] + (keep - total,), _np.uint8)], axis=-1)
    return moveaxis(bits, -1, axis)
