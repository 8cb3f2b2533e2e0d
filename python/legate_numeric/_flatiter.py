"""``ndarray.flat``: a 1-d view of an array's elements in C order, as NumPy's
``flatiter``.

Reading takes the elements from ``ravel()`` (a view when the array is contiguous);
writing goes through ``put``, so it reaches the array itself (any view, any strides)
and repeats the values as NumPy does (``a.flat[[0, 1, 2]] = [9, 8]`` writes 9, 8, 9).
"""

from __future__ import annotations

import operator

import numpy as _np

from ._array import ndarray


class flatiter:
    """A flat iterator over ``base``: indexing (integers, slices, integer and boolean
    arrays), assignment, iteration, ``len``, ``.base``, ``.copy()``, ``np.asarray``."""

    __slots__ = ("base", "index", "_values")

    def __init__(self, base: ndarray):
        self.base = base
        self.index = 0
        self._values = None

    def __len__(self) -> int:
        return self.base.size

    def __repr__(self) -> str:
        return f"<legate_numeric.flatiter over an array of shape {self.base.shape}>"

    @property
    def coords(self) -> tuple:
        """The multi-index of the next element."""
        if self.index >= self.base.size:
            return tuple(self.base.shape)
        return tuple(int(i) for i in _np.unravel_index(self.index, self.base.shape))

    def __iter__(self):
        return self

    def __next__(self):
        if self._values is None:
            # One read of all values; iteration then yields NumPy scalars, as NumPy does.
            self._values = self.base.__array__().reshape(-1)
        if self.index >= self._values.size:
            raise StopIteration
        value = self._values[self.index]
        self.index += 1
        return value

    def copy(self) -> ndarray:
        """A 1-d copy of the elements in C order."""
        return self.base.flatten()

    def __array__(self, dtype=None, copy=None):
        return self.base.__array__(dtype=dtype, copy=copy).reshape(-1)

    # ---- indexing ----

    def _key(self, key):
        """``key`` as an int, a slice, ``...``, or a legate array of flat positions or of
        a boolean mask (NumPy's errors for anything else)."""
        if isinstance(key, tuple):
            if len(key) != 1:
                raise IndexError(
                    f"too many indices for flat iterator: flat iterator is 1-dimensional, but {len(key)} were indexed"
                )
            key = key[0]
        if key is Ellipsis or isinstance(key, slice):
            return key
        if not isinstance(key, (bool, _np.bool_, list, tuple, _np.ndarray, ndarray)):
            try:
                i = operator.index(key)
            except TypeError:
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`) and integer or boolean arrays are valid indices"
                ) from None
            n = self.base.size
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for size {n}")
            return i + n if i < 0 else i
        arr = key if isinstance(key, ndarray) else ndarray._from_numpy(_np.asarray(key))
        if arr.dtype == _np.bool_:
            if arr.ndim != 1 or arr.size not in (0, self.base.size):  # NumPy: an empty mask selects nothing
                raise IndexError(
                    "boolean index did not match indexed flat iterator along axis 0; size of axis is "
                    f"{self.base.size} but size of corresponding boolean axis is {arr.size}"
                )
        elif arr.dtype.kind not in "iu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        return arr

    def __getitem__(self, key):
        key = self._key(key)
        flat = self.base.reshape(-1)
        if key is Ellipsis:
            return flat.copy()
        if isinstance(key, slice):
            return flat[key].copy()
        return flat[key]

    def __setitem__(self, key, value):
        from ._creation import arange
        from ._index import flatnonzero, put

        key = self._key(key)
        n = self.base.size
        if key is Ellipsis:
            positions = arange(n)
        elif isinstance(key, slice):
            positions = arange(*key.indices(n))
        elif isinstance(key, ndarray) and key.dtype == _np.bool_:
            positions = flatnonzero(key)
        else:
            positions = key
        put(self.base, positions, value)
