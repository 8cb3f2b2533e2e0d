"""The ``ndarray`` of legate_numeric: a NumPy-compatible array backed by a Legate store.

Views (basic slicing, transpose, broadcasting, ``reshape`` when NumPy would give a view)
share the store; every operation runs as tasks of the runtime. Values are read back
(blocking only on their producers) when Python needs them: printing, ``float(x)``,
``np.asarray(x)``.
"""

from __future__ import annotations

import numbers
import operator

import numpy as _np

from legate import _legate as _ext
from legate import _ranks
from legate._legate import fast as _fast
from . import _fallback

# Print once: under a launcher with several ranks, start the runtime now so that ranks
# other than 0 print nothing from the first print on (legate/_ranks.py).
_ranks.prepare()


_NAMES: dict = {}

# int()/float()/complex() of a one-element array that is not 0-d: an error from NumPy
# 2.4 on (deprecated since 1.25), as the NumPy installed beside legate decides.
_ONLY_0D_TO_SCALARS = _np.lib.NumpyVersion(_np.__version__) >= "2.4.0"


def _dtype_name(dt: _np.dtype) -> str:
    """``dt.name``, cached (NumPy computes it on every access)."""
    name = _NAMES.get(dt)
    if name is None:
        name = _NAMES[dt] = dt.name
    return name


def _as_shape(shape) -> tuple:
    """A shape argument (an integer or a sequence of them) as a tuple, with NumPy's
    errors: ``TypeError`` for anything else, ``ValueError`` for negative extents."""
    if isinstance(shape, (str, bytes)):
        raise TypeError(f"'{type(shape).__name__}' object cannot be interpreted as an integer")
    if isinstance(shape, (bool, _np.bool_)):
        raise TypeError(f"expected a sequence of integers or a single integer, got '{shape!r}'")
    try:
        dims = (operator.index(shape),)
    except TypeError:
        try:
            dims = tuple(operator.index(s) for s in shape)
            if any(isinstance(s, (bool, _np.bool_)) for s in shape):
                raise TypeError("an integer is required")
        except TypeError:
            raise TypeError(f"expected a sequence of integers or a single integer, got '{shape!r}'") from None
    if any(d < 0 for d in dims):
        raise ValueError("negative dimensions are not allowed")
    return dims


def _empty(shape: tuple, dt: _np.dtype) -> "ndarray":
    """A new array of a validated shape tuple (the fast path of ``ndarray(...)``)."""
    return ndarray._wrap(_ext.create_store(_dtype_name(dt), list(shape)), dt)


def _check_index_ndim(ndim):
    """NumPy's IndexError for an index whose result has more dimensions than arrays may."""
    if ndim > _ext.LEGATE_MAX_DIM:
        raise IndexError(
            f"number of dimensions must be within [0, {_ext.LEGATE_MAX_DIM}], indexing result would have {ndim}"
        )


class ndarray(_ext.BufferExporter):
    """An n-dimensional array whose data lives in a Legate store."""

    # `_unlocked`: the writeable store of an array made read-only through its flags.
    __slots__ = ("_store", "dtype", "_unlocked", "__weakref__")
    __array_priority__ = 100.0

    def __init__(self, shape, dtype=float, buffer=None, offset=0, strides=None, order=None):
        if buffer is not None or strides is not None:
            raise NotImplementedError("legate_numeric.ndarray does not take buffer/strides; use asarray")
        dt = _np.dtype(dtype)
        shape = _as_shape(shape)
        self._store = _ext.create_store(_dtype_name(dt), list(shape))
        self.dtype = dt

    @classmethod
    def _wrap(cls, store, dtype) -> "ndarray":
        obj = object.__new__(cls)
        obj._store = store
        obj.dtype = dtype
        return obj

    @classmethod
    def _from_numpy(cls, arr) -> "ndarray":
        arr = _np.asarray(arr)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"legate_numeric does not support arrays of dtype {arr.dtype}")
        return cls._wrap(_ext.from_numpy(arr), arr.dtype)

    # ---- attributes ----

    @property
    def shape(self) -> tuple:
        return self._store.shape

    @property
    def ndim(self) -> int:
        return self._store.ndim

    @property
    def size(self) -> int:
        return self._store.size

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def strides(self) -> tuple:
        return tuple(self._store.strides)

    @property
    def flags(self) -> "_Flags":
        return _Flags(self)

    def setflags(self, write=None, align=None, uic=None):
        """NumPy's ``setflags``: ``write`` locks or unlocks writes through this array
        (views made while it is locked stay read-only); a store is always aligned, and
        ``uic`` (WRITEBACKIFCOPY) cannot be set."""
        if uic:
            raise ValueError("cannot set WRITEBACKIFCOPY flag to True")
        if write is not None:
            _set_writeable(self, bool(write))

    @property
    def T(self) -> "ndarray":
        return self.transpose()

    @property
    def mT(self) -> "ndarray":
        """The matrix transpose (the last two axes swapped), a view."""
        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        return self.swapaxes(-1, -2)

    @property
    def real(self) -> "ndarray":
        from ._ufunc import _real

        return _real(self)

    @real.setter
    def real(self, value):
        self.real[...] = value

    @property
    def imag(self) -> "ndarray":
        from ._ufunc import _imag

        return _imag(self)

    @imag.setter
    def imag(self, value):
        if self.dtype.kind != "c":
            raise TypeError("array does not have imaginary part to set")
        self.imag[...] = value

    @property
    def flat(self):
        from ._flatiter import flatiter

        return flatiter(self)

    @flat.setter
    def flat(self, value):
        self.flat[...] = value

    @property
    def __legate_data_interface__(self) -> dict:
        return {"version": 1, "data": {("array", self.dtype.name): (None, self._store)}}

    # ---- conversion ----

    def __array__(self, dtype=None, copy=None):
        """A NumPy array of the values (NumPy 2's protocol): a copy, or with
        ``copy=False`` a view of the store's memory (through DLPack, see ``_interop``;
        ``ValueError`` when that needs a cast)."""
        if copy is False:
            if dtype is not None and _np.dtype(dtype) != self.dtype:
                raise ValueError(f"Unable to avoid copy while creating an array of {_np.dtype(dtype)} from {self.dtype}")
            return _np.from_dlpack(self)
        arr = self._store.to_numpy()
        if arr.dtype != self.dtype:
            arr = arr.astype(self.dtype)
        if dtype is not None and _np.dtype(dtype) != arr.dtype:
            arr = arr.astype(dtype)
        return arr

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from . import _ufunc

        native = getattr(_ufunc, ufunc.__name__, None)
        if isinstance(native, _ufunc.ufunc):
            if method == "__call__":
                return native(*inputs, **kwargs)
            if method in ("reduce", "accumulate"):
                return getattr(native, method)(*inputs, **kwargs)
        elif method == "__call__":
            # NumPy ufuncs that are plain functions here (matmul, a gufunc).
            native = _native_function("numpy", ufunc.__name__, ufunc)
            if native is not None:
                return native(*inputs, **kwargs)
        return _fallback.call(f"{ufunc.__name__}.{method}", getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        native = _native_function(getattr(func, "__module__", None) or "numpy", func.__name__, func)
        if native is not None:
            return native(*args, **kwargs)
        return _fallback.call(func.__name__, func, args, kwargs)

    def tolist(self):
        return self.__array__().tolist()

    def item(self, *args):
        return self.__array__().item(*args)

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if self.dtype.kind not in "iu" or self.ndim:
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return operator.index(self._scalar("index"))

    def __contains__(self, value):
        return bool((self == value).any())

    def __bool__(self):
        if self.size != 1:
            raise ValueError(
                "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()"
            )
        return bool(self.__array__().reshape(()))

    def _scalar(self, what):
        if self.ndim and (_ONLY_0D_TO_SCALARS or self.size != 1):
            raise TypeError(f"only 0-dimensional arrays can be converted to Python scalars ({what})")
        return self.__array__().reshape(()).item()

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self.__array__()[()], spec)
        return format(self.__array__(), spec)

    # Every rank converts (a gather all ranks take part in); only rank 0's standard
    # output is kept (legate/_ranks.py), so a printed array appears once.
    def __repr__(self):
        from ._printing import array_repr  # NumPy's text; a large array reads back its edges only

        return array_repr(self)

    def __str__(self):
        from ._printing import array_str

        return array_str(self)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    def __reduce__(self):
        return (_from_pickle, (self.__array__(),))

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __hash__(self):
        raise TypeError("unhashable type: 'legate_numeric.ndarray'")

    # ---- indexing ----

    def _basic_view(self, key):
        """The view for a basic index (ints, slices, None, ...), or None if advanced."""
        if not isinstance(key, tuple):
            key = (key,)
        # A list or tuple inside the key is an index array (NumPy's x[((0, 1),)]).
        if any(isinstance(k, (list, tuple, _np.ndarray, ndarray)) or isinstance(k, (bool, _np.bool_)) for k in key):
            return None
        n_ellipsis = sum(1 for k in key if k is Ellipsis)
        if n_ellipsis > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
        if consumed > self.ndim:
            raise IndexError(
                f"too many indices for array: array is {self.ndim}-dimensional, but {consumed} were indexed"
            )
        n_int = sum(1 for k in key if k is not None and k is not Ellipsis and not isinstance(k, slice))
        _check_index_ndim(self.ndim - n_int + sum(1 for k in key if k is None))
        expanded = []
        for k in key:
            if k is Ellipsis:
                expanded.extend([slice(None)] * (self.ndim - consumed))
            else:
                expanded.append(k)
        # Slices and integers first, new axes last (at their places in the result): a
        # view never holds more dimensions than the result, which may be at the limit.
        store = self._store
        shape = list(self.shape)
        dim = 0
        new_axes = []
        for k in expanded:
            if k is None:
                new_axes.append(dim + len(new_axes))
            elif isinstance(k, slice):
                step = 1 if k.step is None else operator.index(k.step)
                if step == 0:
                    raise ValueError("slice step cannot be zero")
                start = None if k.start is None else operator.index(k.start)
                stop = None if k.stop is None else operator.index(k.stop)
                store = store.slice(dim, start, stop, step)
                shape[dim] = store.shape[dim]
                dim += 1
            else:
                try:
                    i = operator.index(k)
                except TypeError:
                    raise IndexError(
                        "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer "
                        "or boolean arrays are valid indices"
                    ) from None
                n = shape[dim]
                if not -n <= i < n:
                    raise IndexError(f"index {i} is out of bounds for axis {dim} with size {n}")
                store = store.project(dim, i + n if i < 0 else i)
                shape.pop(dim)
        for axis in new_axes:
            store = store.promote(axis, 1)
        return store

    def __getitem__(self, key):
        return _fast.getitem(self, key)  # basic indexing in Rust; the rest in `_getitem`

    def _getitem(self, key):
        store = self._basic_view(key)
        if store is None:
            from ._index import getitem

            return getitem(self, key)
        view = ndarray._wrap(store, self.dtype)
        if store.ndim == 0 and not any(k is Ellipsis for k in (key if isinstance(key, tuple) else (key,))):
            # Full integer indexing gives a NumPy scalar, as in NumPy (with `...`, a
            # 0-d array: a view).
            return view.__array__()[()]
        return view

    def __setitem__(self, key, value):
        _fast.setitem(self, key, value)  # basic indexing in Rust; the rest in `_setitem`

    def _setitem(self, key, value):
        if type(key) is tuple and not key and self.ndim == 0 and getattr(value, "ndim", 0) > 0:
            # `x[()] = v` sets the one element, `x[...] = v` the view: NumPy's error for
            # a sequence into one element (its type depends on the dtype) from a
            # stand-in of the same shapes.
            _np.zeros((), self.dtype)[()] = _np.zeros(value.shape, value.dtype)
        store = self._basic_view(key)
        if store is None:
            from ._index import setitem

            setitem(self, key, value)
            return
        _assign(store, self.dtype, value)

    # ---- shape manipulation ----

    def transpose(self, *axes, **kwargs):
        if kwargs:  # `axes=` too (the form np.transpose takes)
            if set(kwargs) != {"axes"} or axes:
                raise TypeError("transpose() takes the axes as positional arguments or as axes=")
            axes = (kwargs["axes"],)
        if not axes or axes == (None,):
            axes = tuple(reversed(range(self.ndim)))
        elif len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if len(axes) != self.ndim:
            raise ValueError("axes don't match array")
        axes = tuple(_normalize_axis(a, self.ndim) for a in axes)
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError("repeated axis in transpose")
        return ndarray._wrap(self._store.transpose(list(axes)), self.dtype)

    def swapaxes(self, a, b):
        axes = list(range(self.ndim))
        a, b = _normalize_axis(a, self.ndim, "axis1"), _normalize_axis(b, self.ndim, "axis2")
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def reshape(self, *shape, order="C", copy=None):
        from ._manip import reshape

        if not shape:
            raise TypeError("reshape() takes exactly 1 argument (0 given)")
        if len(shape) == 1 and shape[0] is None:
            shape = self.shape  # NumPy: None keeps the shape
        elif len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        return reshape(self, shape, order=order, copy=copy)

    def ravel(self, order="C"):
        from ._manip import ravel

        return ravel(self, order)

    def flatten(self, order="C"):
        from ._manip import ravel

        return ravel(self, order).copy()

    def squeeze(self, axis=None):
        from ._manip import squeeze

        return squeeze(self, axis)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        if order != "K":
            _order(order)
        dt = _np.dtype(dtype)
        if dt == self.dtype and not copy:
            return self
        if not _np.can_cast(self.dtype, dt, casting):
            raise TypeError(f"Cannot cast array data from {self.dtype!r} to {dt!r} according to the rule {casting!r}")
        out = ndarray(self.shape, dt)
        if dt == self.dtype:
            _ext.copy(out._store, self._store)
        else:
            _ext.convert(self._store, out._store)
        return out

    def copy(self, order="C"):
        if order != "C":
            _order(order)
        out = ndarray(self.shape, self.dtype)
        _ext.copy(out._store, self._store)
        return out

    def fill(self, value):
        _assign(self._store, self.dtype, value)

    def view(self, dtype=None, type=None):
        """A view of the same elements; with a ``dtype`` of the same item size, a view of
        the same bytes (writes through either are seen by the other). A dtype of another
        size, or a bool view of non-bool bytes, is NumPy's result on a copy (the declared
        fallback), after NumPy's checks of this array's layout."""
        if type is not None and type is not ndarray:
            raise TypeError("legate_numeric arrays have no subclasses: view(type=...) takes only legate_numeric.ndarray")
        if dtype is None or _np.dtype(dtype) == self.dtype:
            return ndarray._wrap(self._store, self.dtype)
        dt = _np.dtype(dtype)
        if dt.itemsize == self.dtype.itemsize and dt.kind in "iufc" or dt == self.dtype == _np.bool_:
            _fallback.record_native("ndarray.view")
            return ndarray._wrap(self._store.reinterpret(dt.name), dt)
        if dt.itemsize != self.dtype.itemsize and self.ndim and self.shape[-1] != 1 and self.strides[-1] != self.dtype.itemsize:
            raise ValueError("To change to a dtype of a different size, the last axis must be contiguous")
        if dt == _np.bool_:  # bytes other than 0 and 1 are True (a store's bools are 0 or 1)
            return _fallback.call("ndarray.view", lambda a: a.view(_np.uint8) != 0, (self,), {})
        return _fallback.call("ndarray.view", lambda a, d: a.view(d), (self, dtype), {})

    # ---- reductions (methods) ----

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
        from ._reduce import sum as f

        return f(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial, where=where)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
        from ._reduce import prod as f

        return f(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial, where=where)

    def max(self, axis=None, out=None, keepdims=False, initial=None, where=None):
        from ._reduce import max as f

        return f(self, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)

    def min(self, axis=None, out=None, keepdims=False, initial=None, where=None):
        from ._reduce import min as f

        return f(self, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)

    def all(self, axis=None, out=None, keepdims=False, where=None):
        from ._reduce import all as f

        return f(self, axis=axis, out=out, keepdims=keepdims, where=where)

    def any(self, axis=None, out=None, keepdims=False, where=None):
        from ._reduce import any as f

        return f(self, axis=axis, out=out, keepdims=keepdims, where=where)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, where=None):
        from ._reduce import mean as f

        return f(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, **kwargs):
        from ._reduce import var as f

        return f(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, where=where, **kwargs)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, **kwargs):
        from ._reduce import std as f

        return f(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, where=where, **kwargs)

    def dot(self, other, out=None):
        from ._linalg import dot

        return dot(self, other, out=out)

    def sort(self, axis=-1, kind=None, order=None, *, stable=None):
        from ._sort import sort_in_place

        sort_in_place(self, axis, kind, order)

    def argsort(self, axis=-1, kind=None, order=None, *, stable=None):
        from ._sort import argsort

        return argsort(self, axis, kind, order)

    def searchsorted(self, v, side="left", sorter=None):
        from ._sort import searchsorted

        return searchsorted(self, v, side, sorter)

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        from ._sort import partition

        self[...] = partition(self, kth, axis, kind, order)

    def argpartition(self, kth, axis=-1, kind="introselect", order=None):
        from ._sort import argpartition

        return argpartition(self, kth, axis, kind, order)

    def round(self, decimals=0, out=None):
        from ._ufunc import around

        return around(self, decimals, out)

    def trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None):
        from ._linalg import trace

        return trace(self, offset, axis1, axis2, dtype=dtype, out=out)

    def clip(self, min=None, max=None, out=None, **kwargs):
        from ._ufunc import clip

        return clip(self, min, max, out=out, **kwargs)

    def conj(self, out=None):
        """The complex conjugate; as NumPy's method, a real array is returned itself
        (or copied into ``out``), not converted (``conjugate(bool)`` would be int8)."""
        from ._ufunc import conjugate

        if self.dtype.kind == "c":
            return conjugate(self) if out is None else conjugate(self, out=out)
        if out is None:
            return self
        out[...] = self
        return out

    conjugate = conj

    def repeat(self, repeats, axis=None):
        from ._manip import repeat

        return repeat(self, repeats, axis)

    def __getattr__(self, name):
        # NumPy array methods that are not native run through the fallback.
        if name.startswith("__"):
            raise AttributeError(name)
        if hasattr(_np.ndarray, name):
            method = getattr(_np.ndarray, name)
            if not callable(method):
                # An attribute (`base`, `ctypes`, ...): NumPy's, of a converted copy.
                return _fallback.call(f"ndarray.{name}", lambda x: getattr(x, name), (self,), {})

            def fallback(*args, **kwargs):
                return _fallback.call(f"ndarray.{name}", method, (self,) + args, kwargs)

            return fallback
        raise AttributeError(f"'legate_numeric.ndarray' object has no attribute '{name}'")

    # ---- operators ----

    # Arithmetic, comparison and unary operators are installed by _ufunc, `@` by _linalg.

    # ---- scans and arg-reductions (methods) ----

    def cumsum(self, axis=None, dtype=None, out=None):
        from ._scan import cumsum as f

        return f(self, axis=axis, dtype=dtype, out=out)

    def cumprod(self, axis=None, dtype=None, out=None):
        from ._scan import cumprod as f

        return f(self, axis=axis, dtype=dtype, out=out)

    def argmax(self, axis=None, out=None, *, keepdims=False):
        from ._scan import argmax as f

        return f(self, axis=axis, out=out, keepdims=keepdims)

    def argmin(self, axis=None, out=None, *, keepdims=False):
        from ._scan import argmin as f

        return f(self, axis=axis, out=out, keepdims=keepdims)


def _from_pickle(arr):
    return ndarray._from_numpy(arr)


def _to_out(result, out):
    """``result``, or with NumPy's ``out=``: ``result`` copied into ``out``, and ``out``."""
    if out is None:
        return result
    out[...] = result
    return out


def _order(order, default="K", allowed="CFAK"):
    """NumPy's ``order=``: None (``default``), or a letter in either case. Stores have
    no layout, so it only chooses a reading order where one is read; functions that
    create arrays allow only ``allowed``."""
    if order is None:
        return default
    if isinstance(order, bytes):
        order = order.decode("latin-1")
    if not isinstance(order, str):
        raise TypeError(f"order must be str, not {type(order).__name__}")
    letter = order.upper()
    if letter not in ("C", "F", "A", "K"):
        raise ValueError(f"order must be one of 'C', 'F', 'A', or 'K' (got {order!r})")
    if letter not in allowed:
        if allowed == "CF":
            raise ValueError("only 'C' or 'F' order is permitted")
        raise ValueError(f"order {letter!r} is not permitted for reshaping")
    return letter


def _normalize_axis(axis, ndim, what=None):
    """NumPy's normalize_axis_index: a 0-d array has no axis. (Functions that NumPy
    lets take axis 0 or -1 of a 0-d array, as if 1-d, say so where they call this.)
    ``what`` names the argument in the error, as NumPy's message prefix."""
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise _np.exceptions.AxisError(axis, ndim, what)
    return axis + ndim if axis < 0 else axis


_fast.set_array_type(ndarray)


def _set_writeable(a: ndarray, value: bool) -> None:
    if not value and not a._store.read_only:
        a._unlocked = a._store
        a._store = a._store.as_read_only()
    elif value and a._store.read_only:
        unlocked = getattr(a, "_unlocked", None)
        if unlocked is None:  # read-only by construction (a broadcast, a diagonal, ...)
            raise ValueError("cannot set WRITEABLE flag to True of this array")
        a._store, a._unlocked = unlocked, None


class _Flags:
    """``ndarray.flags``: what NumPy reports for the same view; ``writeable`` (``W``)
    can be set, as in NumPy, the others cannot."""

    _FIXED = ("c_contiguous", "f_contiguous", "owndata", "aligned", "writebackifcopy", "fnc", "forc", "behaved",
              "carray", "farray")

    def __init__(self, a: ndarray):
        object.__setattr__(self, "_array", a)
        shape, strides, item = a.shape, a.strides, a.dtype.itemsize
        self.__dict__["writeable"] = not a._store.read_only
        self.c_contiguous = _contiguous(shape, strides, item, reversed(range(len(shape))))
        self.f_contiguous = _contiguous(shape, strides, item, range(len(shape)))
        self.owndata = not a._store.transformed
        self.aligned = True
        self.writebackifcopy = False
        # NumPy's combined flags (``numpy.isfortran`` reads ``fnc``).
        self.fnc = self.f_contiguous and not self.c_contiguous
        self.forc = self.f_contiguous or self.c_contiguous
        self.behaved = self.aligned and self.writeable
        self.carray = self.behaved and self.c_contiguous
        # NumPy reports FARRAY for any array that is not C-contiguous (its test
        # checks for any of FARRAY's bits, and ALIGNED is always set).
        self.farray = self.aligned and not self.c_contiguous
        self.__dict__["_ready"] = True

    def __setattr__(self, name, value):
        if not self.__dict__.get("_ready"):
            self.__dict__[name] = value
        elif name == "writeable":
            _set_writeable(self._array, bool(value))
            self.__dict__["writeable"] = not self._array._store.read_only
            self.__dict__["behaved"] = self.aligned and self.writeable
            self.__dict__["carray"] = self.behaved and self.c_contiguous
        elif name in self._FIXED:
            raise AttributeError(f"attribute '{name}' of 'legate_numeric flags' objects is not writable")
        else:
            raise AttributeError(f"'flags' object has no attribute '{name}'")

    def __setitem__(self, key, value):
        if key in ("WRITEABLE", "W"):
            self.writeable = value
        elif key in ("WRITEBACKIFCOPY", "X") and value:
            raise ValueError("cannot set WRITEBACKIFCOPY flag to True")
        elif key not in ("ALIGNED", "A", "WRITEBACKIFCOPY", "X"):
            raise KeyError("Unknown flag")

    def __getitem__(self, key):
        names = {"WRITEABLE": "writeable", "W": "writeable", "C_CONTIGUOUS": "c_contiguous", "C": "c_contiguous",
                 "F_CONTIGUOUS": "f_contiguous", "F": "f_contiguous", "OWNDATA": "owndata", "O": "owndata",
                 "ALIGNED": "aligned", "A": "aligned", "WRITEBACKIFCOPY": "writebackifcopy", "X": "writebackifcopy",
                 "FNC": "fnc", "FORC": "forc", "BEHAVED": "behaved", "B": "behaved", "CARRAY": "carray", "CA": "carray",
                 "FARRAY": "farray", "FA": "farray"}
        if key not in names:
            raise KeyError(f"Unknown flag {key!r}")
        return getattr(self, names[key])

    def __repr__(self):
        return "\n".join(f"  {k.upper()} : {getattr(self, k)}" for k in ("c_contiguous", "f_contiguous", "owndata", "writeable", "aligned"))


def _contiguous(shape, strides, item, order) -> bool:
    """NumPy's rule: dimensions of extent 1 do not matter; empty arrays are contiguous."""
    if 0 in shape:
        return True
    expected = item
    for d in order:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _native_function(numpy_module: str, name: str, numpy_func):
    """The native counterpart of NumPy's ``numpy_module.name`` (``numpy.linalg.norm``
    is ``legate_numeric.linalg.norm``), or None."""
    import importlib

    if numpy_module != "numpy" and not numpy_module.startswith("numpy."):
        return None
    try:
        module = importlib.import_module("legate_numeric" + numpy_module[len("numpy"):])
    except ImportError:
        return None
    native = getattr(module, name, None)
    if native is None or native is numpy_func or not getattr(native, "__module__", "").startswith("legate_numeric"):
        return None
    return native


def _assign(store, dtype, value):
    """Writes ``value`` (scalar or array-like, broadcast) into the view ``store``."""
    if isinstance(value, ndarray):
        src = value
    elif isinstance(value, (numbers.Number, _np.generic, str, bytes)) and not isinstance(value, _np.ndarray):
        # NumPy's conversion rules and errors (300 into uint8, NaN into int, complex
        # into float, "x" into float), then a fill with the converted value.
        _ext.fill(store, _np.asarray(value, dtype=dtype).item())
        return
    else:
        arr = _np.asarray(value)
        if arr.dtype.kind not in "biufc":
            # Strings (or objects) are parsed by NumPy into the array's type, with its
            # errors ("could not convert string to float").
            arr = arr.astype(dtype)
        src = ndarray._from_numpy(arr)
    src_store = src._store
    while src_store.ndim > store.ndim and src_store.shape[0] == 1:
        src_store = src_store.project(0, 0)  # NumPy drops a value's leading unit dimensions
    src_store = src_store.broadcast_to(list(store.shape))
    if src.dtype == dtype:
        _ext.copy(store, src_store)
    else:
        if src_store.overlaps(store):
            tmp = ndarray(store.shape, src.dtype)
            _ext.copy(tmp._store, src_store)
            src_store = tmp._store
        _ext.convert(src_store, store)


def __divmod__(self, other):
    from ._ufunc import floor_divide, remainder

    return floor_divide(self, other), remainder(self, other)


ndarray.__divmod__ = __divmod__


def __rdivmod__(self, other):
    from ._ufunc import floor_divide, remainder

    return floor_divide(other, self), remainder(other, self)


ndarray.__rdivmod__ = __rdivmod__
