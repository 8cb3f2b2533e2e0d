"""The discrete Fourier transforms of ``numpy.fft``, natively.

Every transform is a sequence of one-axis launches of the Rust ``fft`` task: each
point owns whole lines along the transformed axis (the launch splits the other
dimensions), so an n-d transform re-partitions the data between axes. Real inputs go
through a real-to-complex transform (``rfft``: half the work of a complex one), the
inverse through complex-to-real. Types follow NumPy 2: single precision stays single
(``float16``/``float32``/``complex64``), everything else is computed in double.
"""

from __future__ import annotations

import operator
import warnings

import numpy as _np

from legate import _legate as _ext

from .. import _fallback
from .._array import _empty, _normalize_axis, ndarray

_NORMS = (None, "backward", "ortho", "forward")
_SWAP = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _check_norm(norm) -> str:
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')
    return norm or "backward"


def _swap_direction(norm) -> str:
    """``hfft``/``ihfft`` are ``irfft``/``rfft`` with the normalization's direction
    swapped (NumPy's definition)."""
    _check_norm(norm)
    return _SWAP[norm]


def _as_array(a):
    """``a`` as a legate_numeric array, or ``None`` when its dtype has no native
    transform (``longdouble``, objects, strings): the caller falls back to NumPy."""
    if isinstance(a, ndarray):
        return a
    arr = _np.asarray(a)
    if arr.dtype.kind not in "biufc" or arr.dtype.char in "gG":
        return None
    return ndarray._from_numpy(arr)


def _real_dtype(dt: _np.dtype) -> _np.dtype:
    """The precision NumPy computes a transform of ``dt`` in."""
    return _np.dtype(_np.float32) if dt in (_np.float16, _np.float32, _np.complex64) else _np.dtype(_np.float64)


def _length(n, default: int) -> int:
    n = default if n is None else operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _axis(a: ndarray, axis) -> int:
    if a.ndim == 0:
        raise _np.exceptions.AxisError(operator.index(axis), 0)
    return _normalize_axis(axis, a.ndim)


def _write_out(result: ndarray, out, name: str):
    """NumPy's ``out=`` of the transforms (ufuncs): the right shape, a dtype the result
    casts to under ``same_kind``."""
    if out is None:
        return result
    _check_out(out, result.shape, result.dtype, name)
    out[...] = result
    return out


def _check_out(out, shape, dtype, name):
    if getattr(out, "shape", None) != tuple(shape):
        raise ValueError("output array has wrong shape.")
    if not _np.can_cast(dtype, out.dtype, "same_kind"):
        raise TypeError(
            f"Cannot cast ufunc '{name}' output from {dtype!r} to {out.dtype!r} with casting rule 'same_kind'"
        )


def _raw_fft(name: str, a, n, axis, kind: str, inverse: bool, norm: str, conj: bool, out):
    """One transform of length ``n`` along ``axis``: ``kind`` "c2c", "r2c" or "c2r";
    ``norm`` already checked (and swapped for the Hermitian transforms)."""
    real = _real_dtype(a.dtype)
    cplx = _np.result_type(real, _np.complex64)
    if kind == "r2c":
        if a.dtype.kind == "c":
            raise TypeError(
                f"ufunc '{name}' not supported for the input types, and the inputs could not be safely "
                "coerced to any supported types according to the casting rule ''safe''"
            )
        src = a.astype(real, copy=False)
    else:
        src = a.astype(cplx, copy=False)
    n_out = n // 2 + 1 if kind == "r2c" else n
    shape = a.shape[:axis] + (n_out,) + a.shape[axis + 1 :]
    dtype = real if kind == "c2r" else cplx
    # NumPy's complex-to-real output keeps the input's real precision (float16 too).
    final = _np.result_type(a.real.dtype if a.dtype.kind in "fc" else _np.float64, 1.0) if kind == "c2r" else dtype
    if out is not None:
        _check_out(out, shape, final, name)
    direct = (
        out is not None
        and isinstance(out, ndarray)
        and out.dtype == dtype
        and final == dtype
        and not out._store.same_storage(src._store)
    )
    result = out if direct else _empty(shape, dtype)
    _fallback.record_native(f"fft.{name}")
    _ext.fft(src._store, result._store, axis, kind, inverse, n, norm, conj)
    if a.dtype == _np.float16:
        result = _half_scale(result, n, kind, inverse, norm)
    if direct:
        return out
    if final != dtype:
        result = result.astype(final)
    return _write_out(result, out, name)


def _half_scale(result: ndarray, n: int, kind: str, inverse: bool, norm: str) -> ndarray:
    """NumPy computes the normalization factor of a ``float16`` input in ``float16``
    (``1/n`` rounded to half precision): the same factor, here, in place of the exact one."""
    forward = kind == "r2c" or (kind == "c2c" and not inverse)
    effective = norm if forward else _SWAP[norm]
    if effective == "backward":
        return result
    half = _np.float16(n)
    factor = _np.reciprocal(_np.sqrt(half) if effective == "ortho" else half)
    exact = 1.0 / (_np.sqrt(n) if effective == "ortho" else n)
    if float(factor) != exact:
        result *= float(factor) / exact
    return result


def _one_axis(name, kind, inverse, hermitian, a, n, axis, norm, out, default_n):
    """The 1-d transforms' common entry: conversion (or NumPy's fallback), argument
    checks in NumPy's order, then one launch."""
    x = _as_array(a)
    if x is None:
        func = getattr(_np.fft, name)
        return _fallback.call(f"fft.{name}", func, (a,), dict(n=n, axis=axis, norm=norm, out=out))
    ax = _axis(x, axis)
    length = _length(n, default_n(x.shape[ax]))
    norm = _swap_direction(norm) if hermitian else _check_norm(norm)
    return _raw_fft(name, x, length, ax, kind, inverse, norm, hermitian, out)


def fft(a, n=None, axis=-1, norm=None, out=None):
    """The 1-d discrete Fourier transform along ``axis`` (length ``n``: the input cut
    or zero-padded), as ``numpy.fft.fft``."""
    return _one_axis("fft", "c2c", False, False, a, n, axis, norm, out, lambda m: m)


def ifft(a, n=None, axis=-1, norm=None, out=None):
    """The 1-d inverse discrete Fourier transform along ``axis``."""
    return _one_axis("ifft", "c2c", True, False, a, n, axis, norm, out, lambda m: m)


def rfft(a, n=None, axis=-1, norm=None, out=None):
    """The 1-d transform of real input: the ``n // 2 + 1`` non-negative frequencies."""
    return _one_axis("rfft", "r2c", False, False, a, n, axis, norm, out, lambda m: m)


def irfft(a, n=None, axis=-1, norm=None, out=None):
    """The inverse of ``rfft``: a real output of length ``n`` (default ``2 (m - 1)``)."""
    return _one_axis("irfft", "c2r", True, False, a, n, axis, norm, out, lambda m: 2 * (m - 1))


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """The transform of a Hermitian-symmetric signal given by its first half: a real
    output of length ``n`` (default ``2 (m - 1)``). Like NumPy 2.4, ``out`` is
    accepted and not written."""
    return _one_axis("hfft", "c2r", True, True, a, n, axis, norm, None, lambda m: 2 * (m - 1))


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """The inverse of ``hfft``: ``n // 2 + 1`` complex values of a real input."""
    return _one_axis("ihfft", "r2c", False, True, a, n, axis, norm, out, lambda m: m)


def _cook_nd_args(a: ndarray, s, axes, invreal=False):
    """NumPy's ``s``/``axes`` defaults, deprecation warnings and errors."""
    shapeless = s is None
    if s is None:
        s = list(a.shape) if axes is None else [a.shape[ax] for ax in axes]
    s = list(s)
    if axes is None:
        if not shapeless:
            warnings.warn(
                "`axes` should not be `None` if `s` is not `None` (Deprecated in NumPy 2.0). In a future "
                "version of NumPy, this will raise an error and `s[i]` will correspond to the size along "
                "the transformed axis specified by `axes[i]`. To retain current behaviour, pass a sequence "
                "[0, ..., k-1] to `axes` for an array of dimension k.",
                DeprecationWarning,
                stacklevel=4,
            )
        axes = list(range(-len(s), 0))
    axes = list(axes)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (a.shape[axes[-1]] - 1) * 2
    if None in s:
        warnings.warn(
            "Passing an array containing `None` values to `s` is deprecated in NumPy 2.0 and will raise an "
            "error in a future version of NumPy. To use the default behaviour of the corresponding 1-D "
            "transform, pass the value matching the default for its `n` parameter. To use the default "
            "behaviour for every axis, the `s` argument can be omitted.",
            DeprecationWarning,
            stacklevel=4,
        )
    s = [a.shape[ax] if d == -1 else d for d, ax in zip(s, axes)]
    return s, axes


def _nd(name, a, s, axes, norm, out, kind):
    """The n-d transforms: a sequence of 1-d ones in NumPy's order (the last axis
    first; for the real ones the real axis is the last one given)."""
    x = _as_array(a)
    if x is None:
        func = getattr(_np.fft, name)
        return _fallback.call(f"fft.{name}", func, (a,), dict(s=s, axes=axes, norm=norm, out=out))
    s, axes = _cook_nd_args(x, s, axes, invreal=kind == "c2r")
    norm = _check_norm(norm)
    if not axes:
        if kind != "c2c":
            raise IndexError("list index out of range")
        return x
    steps = []  # (kind, inverse, n, axis)
    inverse = name.startswith(("ifft", "irfft"))
    if kind == "c2c":
        steps = [("c2c", inverse, s[i], axes[i]) for i in reversed(range(len(axes)))]
    elif kind == "r2c":
        steps = [("r2c", False, s[-1], axes[-1])] + [("c2c", False, s[i], axes[i]) for i in range(len(axes) - 2, -1, -1)]
    else:
        steps = [("c2c", True, s[i], axes[i]) for i in range(len(axes) - 1)] + [("c2r", True, s[-1], axes[-1])]
    owned = False  # whether x is an intermediate result (which may be overwritten)
    for i, (k, inv, n, ax) in enumerate(steps):
        ax = _axis(x, ax)
        default = 2 * (x.shape[ax] - 1) if k == "c2r" else x.shape[ax]
        n = _length(n, default)
        last = i == len(steps) - 1
        if owned and k == "c2c" and n == x.shape[ax] and (out is None or not last):
            # A complex transform of an intermediate that keeps its length: in place
            # (each point reads its lines whole before writing them).
            _ext.fft(x._store, x._store, ax, k, inv, n, norm, False)
            continue
        x = _raw_fft(name, x, n, ax, k, inv, norm, False, out if last else None)
        owned = True
    return x


def fftn(a, s=None, axes=None, norm=None, out=None):
    """The n-d discrete Fourier transform over ``axes`` (all by default)."""
    return _nd("fftn", a, s, axes, norm, out, "c2c")


def ifftn(a, s=None, axes=None, norm=None, out=None):
    """The n-d inverse discrete Fourier transform over ``axes``."""
    return _nd("ifftn", a, s, axes, norm, out, "c2c")


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The 2-d discrete Fourier transform over ``axes``."""
    return _nd("fft2", a, s, axes, norm, out, "c2c")


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The 2-d inverse transform. Like NumPy 2.4, ``out`` is accepted and not written."""
    return _nd("ifft2", a, s, axes, norm, None, "c2c")


def rfftn(a, s=None, axes=None, norm=None, out=None):
    """The n-d transform of real input: real-to-complex along the last axis given, then
    complex transforms along the others."""
    return _nd("rfftn", a, s, axes, norm, out, "r2c")


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The 2-d transform of real input."""
    return _nd("rfft2", a, s, axes, norm, out, "r2c")


def irfftn(a, s=None, axes=None, norm=None, out=None):
    """The inverse of ``rfftn``: a real output, of length ``s[-1]`` (default
    ``2 (m - 1)``) along the last axis given."""
    return _nd("irfftn", a, s, axes, norm, out, "c2r")


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The inverse of ``rfft2``. Like NumPy 2.4, ``out`` is accepted and not written."""
    return _nd("irfft2", a, s, axes, norm, None, "c2r")
