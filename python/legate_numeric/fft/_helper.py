"""The sample frequencies and shifts of ``numpy.fft`` (``fftfreq rfftfreq fftshift
ifftshift``), composed from native ``arange`` and ``roll``."""

from __future__ import annotations

import numbers

import numpy as _np

from .. import _fallback


def _check_device(device) -> None:
    if device not in (None, "cpu"):
        raise ValueError(f'Device not understood. Only "cpu" is allowed, but received: {device}')


def _frequencies(name: str, n, d, device, negative: bool):
    from .._creation import arange
    from .._manip import concatenate

    _check_device(device)
    if not isinstance(n, (numbers.Integral, _np.integer)):
        raise ValueError("n should be an integer")
    if _np.ndim(d) != 0:
        func = getattr(_np.fft, name)
        return _fallback.call(f"fft.{name}", func, (n,), dict(d=d, device=device))
    _fallback.record_native(f"fft.{name}")
    val = 1.0 / (n * d)
    n = int(n)
    count = (n - 1) // 2 + 1 if negative else n // 2 + 1
    positive = arange(0, count, dtype=_np.int64)
    if negative:
        results = concatenate((positive, arange(-(n // 2), 0, dtype=_np.int64)))
    else:
        results = positive
    return results * val


def fftfreq(n, d=1.0, device=None):
    """The sample frequencies of an ``fft`` of length ``n`` and sample spacing ``d``:
    ``[0, 1, ..., n/2 - 1, -n/2, ..., -1] / (d n)`` (even ``n``)."""
    return _frequencies("fftfreq", n, d, device, True)


def rfftfreq(n, d=1.0, device=None):
    """The sample frequencies of an ``rfft`` of length ``n``: ``[0, 1, ..., n // 2] / (d n)``."""
    return _frequencies("rfftfreq", n, d, device, False)


def _shifts(x, axes, sign: int):
    from .._array import ndarray

    if not isinstance(x, ndarray):
        x = ndarray._from_numpy(_np.asarray(x))
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [sign * (dim // 2) for dim in x.shape]
    elif isinstance(axes, (numbers.Integral, _np.integer)):
        shift = sign * (x.shape[axes] // 2)
    else:
        shift = [sign * (x.shape[ax] // 2) for ax in axes]
    return x, shift, axes


def fftshift(x, axes=None):
    """The zero frequency moved to the centre: ``roll`` by half of each axis in ``axes``."""
    from .._manip import roll

    _fallback.record_native("fft.fftshift")
    x, shift, axes = _shifts(x, axes, 1)
    return roll(x, shift, axes)


def ifftshift(x, axes=None):
    """The inverse of ``fftshift`` (they differ for odd lengths)."""
    from .._manip import roll

    _fallback.record_native("fft.ifftshift")
    x, shift, axes = _shifts(x, axes, -1)
    return roll(x, shift, axes)
