"""``ndarray.resize``: NumPy's in-place change of size (the values in C order, cut or
padded with zeros), natively: the array gets a new store holding a copy of the kept
values. As in NumPy, a view cannot be resized (its store belongs to another array).
``refcheck`` is accepted but checks nothing: every name of the array is the same
Python object and sees the new size (NumPy refuses when other references exist;
Python-level reference counts depend on how the method is called, so they cannot
tell); views taken earlier keep the old values."""

from __future__ import annotations

import numbers

import numpy as _np

from . import _fallback


def _resize(self, *new_shape, refcheck=True):  # noqa: ARG001 - see the module's text
    """Changes the array's shape and size in place; new elements are zero."""
    from ._array import _empty

    if not new_shape:
        return None  # NumPy: no shape given changes nothing
    if len(new_shape) == 1 and (new_shape[0] is None or not isinstance(new_shape[0], numbers.Integral)):
        if new_shape[0] is None:
            return None
        new_shape = tuple(new_shape[0])
    if any(_np.ndim(d) or not isinstance(d, numbers.Integral) for d in new_shape):
        raise TypeError("'tuple' object cannot be interpreted as an integer")
    shape = tuple(int(d) for d in new_shape)
    if any(d < 0 for d in shape):
        raise ValueError("negative dimensions not allowed")
    if self._store.transformed:
        raise ValueError("cannot resize this array: it does not own its data")
    _fallback.record_native("ndarray.resize")
    size = int(_np.prod(shape))
    new = _empty(shape, self.dtype)
    new.fill(0)
    keep = min(size, self.size)
    if keep:
        new.reshape(-1)[:keep] = self.reshape(-1)[:keep]
    self._store = new._store
    return None


def install(klass) -> None:
    _resize.__name__ = "resize"
    klass.resize = _resize
