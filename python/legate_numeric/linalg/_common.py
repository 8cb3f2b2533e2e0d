"""What the ``linalg`` modules share: argument checks with NumPy's messages, NumPy's
computation and result dtypes (``_commonType``), and the call into a factorization
task that turns its ``LinAlgError:`` failures into ``numpy.linalg.LinAlgError``."""

from __future__ import annotations

import numpy as _np

from .._array import _empty, ndarray

LinAlgError = _np.linalg.LinAlgError

_LINALG_MARKER = "LinAlgError:"


def as_array(x) -> ndarray:
    return x if isinstance(x, ndarray) else ndarray._from_numpy(_np.asarray(x))


def run_native(fn, *args):
    """Calls an extension function; a task failure marked ``LinAlgError:`` becomes
    NumPy's ``LinAlgError`` with the task's message."""
    try:
        return fn(*args)
    except Exception as e:  # the task's error surfaces here; map the marked ones
        msg = str(e)
        if _LINALG_MARKER in msg:
            raise LinAlgError(msg.split(_LINALG_MARKER, 1)[1].strip().splitlines()[0]) from None
        raise


def assert_2d(*arrays) -> None:
    for a in arrays:
        if a.ndim != 2:
            raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be two-dimensional")


def assert_stacked_2d(*arrays) -> None:
    for a in arrays:
        if a.ndim < 2:
            raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional")


def assert_stacked_square(*arrays) -> None:
    assert_stacked_2d(*arrays)
    for a in arrays:
        if a.shape[-1] != a.shape[-2]:
            raise LinAlgError("Last 2 dimensions of the array must be square")


_SINGLE = (_np.dtype(_np.float32), _np.dtype(_np.complex64))
_DOUBLE = (_np.dtype(_np.float64), _np.dtype(_np.complex128))


def common_type(*arrays):
    """NumPy's ``(computation dtype, result dtype)`` for a factorization: it computes in
    float64 or complex128, and rounds the results to single precision when every
    floating input is single (integers and booleans count as double). None when an
    input's dtype has no native path (float16 and long double are a TypeError in
    NumPy, objects and strings run there)."""
    single, is_complex = True, False
    for a in arrays:
        dt = a.dtype
        if dt.kind in "biu":
            single = False
        elif dt in _SINGLE or dt in _DOUBLE:
            single = single and dt in _SINGLE
            is_complex = is_complex or dt.kind == "c"
        elif dt.kind in "fc":
            raise TypeError(f"array type {dt.name} is unsupported in linalg")
        else:
            return None
    if is_complex:
        return _np.dtype(_np.complex128), _np.dtype(_np.complex64 if single else _np.complex128)
    return _np.dtype(_np.float64), _np.dtype(_np.float32 if single else _np.float64)


def real_of(dt) -> _np.dtype:
    return _np.dtype(_np.float32) if dt in _SINGLE else _np.dtype(_np.float64)


def cast(x: ndarray, dt) -> ndarray:
    return x if x.dtype == dt else x.astype(dt)


def empty(shape, dt) -> ndarray:
    return _empty(tuple(shape), _np.dtype(dt))


# NumPy 2's result tuples (``numpy.linalg._linalg``), with the same field names.
from typing import NamedTuple  # noqa: E402


class EigResult(NamedTuple):
    eigenvalues: ndarray
    eigenvectors: ndarray


class EighResult(NamedTuple):
    eigenvalues: ndarray
    eigenvectors: ndarray


class QRResult(NamedTuple):
    Q: ndarray
    R: ndarray


class SlogdetResult(NamedTuple):
    sign: ndarray
    logabsdet: ndarray


class SVDResult(NamedTuple):
    U: ndarray
    S: ndarray
    Vh: ndarray
