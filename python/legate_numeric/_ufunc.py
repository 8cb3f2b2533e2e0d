"""Universal functions: NumPy's type resolution and broadcasting, native kernels.

Each ufunc asks the installed NumPy which loop it would run (``ufunc.resolve_dtypes``,
cached per operand types), casts array operands to the loop's input type, broadcasts
them as views, and launches one task. Python numbers stay scalars (NumPy 2's weak
scalars), so ``x * 2`` neither allocates nor broadcasts a second array.
"""

from __future__ import annotations

import numbers
import operator

import numpy as _np

from legate import _legate as _ext
from legate._legate import fast as _fast

from . import _fallback, _hostout, _ufunc_args
from ._array import _dtype_name, _empty, _to_out, ndarray

_resolved: dict = {}
_F16 = _np.dtype(_np.float16)
_bounds: dict = {}


def _int_bounds(dtype):
    b = _bounds.get(dtype)
    if b is None:
        info = _np.iinfo(dtype)
        b = _bounds[dtype] = (int(info.min), int(info.max))
    return b


def _operand(x):
    """(array or None, scalar or None, dtype-or-python-type for resolution)."""
    t = type(x)
    if t is ndarray:
        return x, None, x.dtype
    if t is float:
        return None, x, float
    if t is int:
        return None, x, int
    if isinstance(x, ndarray):
        return x, None, x.dtype
    if isinstance(x, _np.generic):
        # A NumPy scalar has a real dtype (not weak); np.float64 is also a Python float.
        return None, x.item(), x.dtype
    if isinstance(x, bool):
        return None, x, _np.dtype(bool)  # NumPy 2: a Python bool is not a weak scalar
    if isinstance(x, numbers.Integral):
        return None, x, int
    if isinstance(x, float):
        return None, x, float
    if isinstance(x, complex):
        return None, x, complex
    arr = ndarray._from_numpy(_np.asarray(x))
    return arr, None, arr.dtype


def _resolve(np_ufunc, key):
    """NumPy's loop dtypes for these operand types, plus the loop's input dtype name."""
    loop = _resolved.get((np_ufunc, key))
    if loop is None:
        if key[-1] is None:
            dtypes = np_ufunc.resolve_dtypes(key)
        else:  # dtype= fixes the loop's output type (NumPy: signature=(None, ..., dtype))
            dtypes = np_ufunc.resolve_dtypes(key[:-1] + (None,), signature=(None,) * (len(key) - 1) + key[-1:])
        loop = _resolved[(np_ufunc, key)] = (dtypes, _dtype_name(dtypes[0]))
    return loop


def _cast(arr: ndarray, dtype) -> ndarray:
    return arr if arr.dtype == dtype else arr.astype(dtype)


def _out_shape(out, shape):
    """The shape of the operation: the inputs' broadcast shape, or ``out``'s when the
    inputs broadcast to it (NumPy broadcasts inputs to the output)."""
    target = out[0] if isinstance(out, tuple) and len(out) == 1 else out
    if isinstance(target, ndarray) and tuple(target.shape) != tuple(shape):
        try:
            if _np.broadcast_shapes(tuple(shape), tuple(target.shape)) == tuple(target.shape):
                return tuple(target.shape)
        except ValueError:
            pass
    return shape


def _check_out_cast(out, dtype, name):
    """NumPy checks the cast to ``out`` before it broadcasts the operands: a bad output
    dtype is the error reported even when the shapes do not match either."""
    target = out[0] if isinstance(out, tuple) and len(out) == 1 else out
    if isinstance(target, ndarray) and target.dtype != dtype and not _np.can_cast(dtype, target.dtype, "same_kind"):
        raise _np._core._exceptions._UFuncOutputCastingError(getattr(_np, name), "same_kind", dtype, target.dtype, 0)


def _prepare_out(out, shape, dtype, name):
    """The store to compute into, and the user's ``out`` if a final cast is needed."""
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError(f"{name}: expected one output")
        out = out[0]
    if out is None:
        return _empty(shape, dtype), None
    if not isinstance(out, ndarray):
        raise TypeError(f"{name}: out must be a legate_numeric.ndarray")
    if tuple(out.shape) != tuple(shape):
        raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't match the broadcast shape {shape}")
    if out.dtype == dtype:
        return out, None
    if not _np.can_cast(dtype, out.dtype, "same_kind"):
        raise _np._core._exceptions._UFuncOutputCastingError(getattr(_np, name), "same_kind", dtype, out.dtype, 0)
    return _empty(shape, dtype), out


def _finish(result, user_out):
    if user_out is None:
        return result
    user_out._store  # noqa: B018 - the cast writes into the user's array
    _ext.convert(result._store, user_out._store)
    return user_out


class ufunc:
    """A universal function (``legate_numeric.add``, ``legate_numeric.sqrt``, ...)."""

    def __init__(self, name: str, nin: int):
        self.__name__ = name
        self.nin = nin
        self.nout = 1
        self._np = getattr(_np, name)

    def __repr__(self):
        return f"<legate_numeric ufunc '{self.__name__}'>"

    def __call__(self, *args, **kwargs):
        if not kwargs and len(args) == self.nin:
            # The hot path: straight to Rust, which comes back to `_call` when the
            # loop for these operand types is not known yet.
            return _fast.binary(self, *args) if self.nin == 2 else _fast.unary(self, *args)
        return self._call(*args, **kwargs)

    def _call(self, *args, out=None, where=True, dtype=None, casting="same_kind", order="K", subok=True, signature=None, **kwargs):
        if len(args) > self.nin:
            if out is not None:
                raise TypeError(f"{self.__name__}: cannot specify 'out' as both a positional and keyword argument")
            args, out = args[: self.nin], args[self.nin]
        if len(args) != self.nin:
            raise TypeError(f"{self.__name__}() takes {self.nin} positional arguments but {len(args)} were given")
        if kwargs:
            raise TypeError(f"{self.__name__}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if out is not None and _hostout.host(out) is not None:
            # A NumPy array as out: computed natively into a mirror, written back.
            return _hostout.into(_hostout.host(out), lambda m: self._call(
                *args, out=m, where=where, dtype=dtype, casting=casting, order=order, subok=subok, signature=signature))
        if casting != "same_kind" or order != "K" or signature is not None:
            return _ufunc_args.call(self, args, out, where, dtype, casting, order, signature)
        if where is not True:
            return self._masked(args, out, where, dtype)
        _fallback.record_native(self.__name__)
        if self.nin == 1:
            return self._unary(args[0], out, dtype)
        if self.__name__ == "power" and dtype is None and type(args[1]) in (int, float):
            # NumPy's fast paths for common exponents of float arrays.
            special = _POWER_SPECIAL.get(args[1])
            kind = args[0].dtype.kind if isinstance(args[0], ndarray) else None
            if special is not None and (kind is not None and kind in "fc" or kind == "b" and type(args[1]) is int and args[1] == 2):
                return globals()[special](args[0], out=out)
        return self._binary(args[0], args[1], out, dtype)

    def _unary(self, x, out, dtype):
        arr, scalar, key = _operand(x)
        if arr is None:
            arr = ndarray._from_numpy(_np.asarray(scalar if isinstance(key, type) else _np.asarray(scalar, dtype=key)))
            key = arr.dtype
        loop, _ = _resolve(self._np, (key, None if dtype is None else _np.dtype(dtype)))
        if out is not None:
            _check_out_cast(out, loop[1], self.__name__)
        if loop[0] == _F16:
            return self._via_float32((arr,), loop, out)
        if out is None and dtype is None and scalar is None and arr.dtype is loop[0]:
            _fast.remember_unary(self, arr.dtype, _dtype_name(loop[0]), loop[1], _dtype_name(loop[1]))
        src = _cast(arr, loop[0])
        shape = _out_shape(out, arr.shape)
        result, user_out = _prepare_out(out, shape, loop[1], self.__name__)
        store = src._store if src.shape == shape else src._store.broadcast_to(list(shape))
        if out is not None and result._store.overlaps(store):
            # A partial overlap with the output (a broadcast one too): read a private
            # copy of the broadcast input, as NumPy does.
            tmp = _empty(shape, src.dtype)
            _ext.copy(tmp._store, store)
            store = tmp._store
        _ext.unary(self.__name__, store, result._store)
        return _finish(result, user_out)

    def _binary(self, a, b, out, dtype):
        if (a is None or b is None) and self.__name__ in ("equal", "not_equal"):
            # Nothing equals None: NumPy compares elementwise.
            other = b if a is None else a
            arr = other if isinstance(other, ndarray) else ndarray._from_numpy(_np.asarray(other))
            result, user_out = _prepare_out(out, arr.shape, _np.dtype(bool), self.__name__)
            result.fill(self.__name__ == "not_equal")
            return _finish(result, user_out)
        arr_a, sa, ka = _operand(a)
        arr_b, sb, kb = _operand(b)
        if arr_a is None and arr_b is None:
            arr_a = ndarray._from_numpy(_np.asarray(a))
            ka = arr_a.dtype
        loop, loop_name = _resolve(self._np, (ka, kb, None if dtype is None else _np.dtype(dtype)))
        if out is not None:
            _check_out_cast(out, loop[2], self.__name__)
        if loop[0] == _F16 and loop[1] == _F16:
            return self._via_float32((a if arr_a is None else arr_a, b if arr_b is None else arr_b), loop, out)
        if loop[0] != loop[1]:
            return _fallback.call(f"{self.__name__} (mixed loop {loop})", self._np, (a, b), {"out": out})
        if dtype is None and self._fast_loop(arr_a, ka, loop) and self._fast_loop(arr_b, kb, loop):
            # Same operand types next time: Rust launches this loop directly.
            _fast.remember_binary(self, ka, kb, loop_name, loop[2], _dtype_name(loop[2]))
        shape_a = arr_a.shape if arr_a is not None else ()
        shape_b = arr_b.shape if arr_b is not None else ()
        if shape_a == shape_b or arr_b is None:
            shape = shape_a
        elif arr_a is None:
            shape = shape_b
        else:
            shape = _np.broadcast_shapes(shape_a, shape_b)
        shape = _out_shape(out, shape)
        result, user_out = _prepare_out(out, shape, loop[2], self.__name__)
        operands = []
        for arr, scalar in ((arr_a, sa), (arr_b, sb)):
            if arr is None:
                if type(scalar) is int and loop[0].kind in "iu":
                    bounds = _int_bounds(loop[0])
                    if not bounds[0] <= scalar <= bounds[1]:
                        return self._out_of_range(a, b, out, loop[0])
                operands.append(scalar)
                continue
            store = (arr if arr.dtype is loop[0] or arr.dtype == loop[0] else arr.astype(loop[0]))._store
            if arr.shape != shape:
                store = store.broadcast_to(list(shape))
            if out is not None and result._store.overlaps(store):
                # A partial overlap with the output: read a private copy, as NumPy does.
                tmp = _empty(shape, loop[0])
                _ext.copy(tmp._store, store)
                store = tmp._store
            operands.append(store)
        _ext.binary(self.__name__, operands[0], operands[1], result._store, loop_name)
        return _finish(result, user_out)

    def _masked(self, args, out, where, dtype):
        """``where=``: the result where the mask is true; elsewhere ``out`` keeps its
        values (NumPy leaves them unspecified without ``out``; here they are zero)."""
        from ._manip import where as select

        if isinstance(out, tuple):
            if len(out) != 1:
                raise ValueError(f"{self.__name__}: expected one output")
            out = out[0]
        if isinstance(out, ndarray):
            keys = tuple(_operand(x)[2] for x in args) + (None if dtype is None else _np.dtype(dtype),)
            _check_out_cast(out, _resolve(self._np, keys)[0][-1], self.__name__)
        mask = where if isinstance(where, ndarray) else ndarray._from_numpy(_np.asarray(where))
        if mask.dtype != _np.bool_:
            mask = mask.astype(bool)
        if self.__name__ == "power" and all(_np.result_type(_operand(x)[2]).kind in "biu" for x in args):
            # NumPy computes only the selected elements: a negative integer exponent
            # elsewhere is no error.
            exp = args[1]
            if isinstance(exp, ndarray):
                args = (args[0], select(mask, exp, 1).astype(exp.dtype, copy=False))
            elif not isinstance(exp, list) and not bool(mask.any()):
                args = (args[0], 1 if type(exp) is int else _np.asarray(exp).dtype.type(1))
        full = self._call(*args, dtype=dtype)
        # The operands and the mask broadcast to out's shape, as in NumPy.
        shape = _out_shape(out, _np.broadcast_shapes(full.shape, mask.shape))
        if out is None:
            out = _empty(shape, full.dtype)
            out.fill(0)
        elif not isinstance(out, ndarray):
            raise TypeError(f"{self.__name__}: out must be a legate_numeric.ndarray")
        elif out.dtype != full.dtype and not _np.can_cast(full.dtype, out.dtype, "same_kind"):
            raise _np._core._exceptions._UFuncOutputCastingError(self._np, "same_kind", full.dtype, out.dtype, 0)
        elif tuple(out.shape) != tuple(shape):
            raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't match the broadcast shape {shape}")
        out[...] = select(mask, full.astype(out.dtype, copy=False), out)
        return out

    def _fast_loop(self, arr, key, loop) -> bool:
        """Whether an operand of type `key` needs no work before `loop` runs: an array
        of the loop's type, or a Python float or int (converted in Rust, with NumPy's
        range check). `power` with a number keeps NumPy's special exponents here."""
        if arr is not None:
            return arr.dtype is loop[0]
        return (key is float or key is int) and self.__name__ != "power"

    def _via_float32(self, operands, loop, out):
        """A float16 loop, computed as NumPy does: operands rounded to float16, the
        arithmetic in float32, the result rounded back to float16."""
        args = []
        for x in operands:
            if isinstance(x, ndarray):
                args.append(x.astype(_F16, copy=False).astype(_np.float32))
            else:
                args.append(_np.float32(_np.float16(x)))
        result = self(*args)
        if loop[-1] == _F16:
            result = result.astype(_F16)
        if out is not None:
            out = out[0] if isinstance(out, tuple) else out
            shape = _np.broadcast_shapes(result.shape, out.shape)
            if shape != out.shape:  # (setitem would drop the result's leading 1s)
                raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't match the broadcast shape {shape}")
            out[...] = result
            return out
        return result

    def _out_of_range(self, a, b, out, dtype):
        """A Python integer outside the loop type's range: comparisons are exact (as in
        NumPy 2, done in float64, exact for the sign of the answer); anything else raises
        NumPy's OverflowError."""
        if dtype == _np.int64 and any(isinstance(x, ndarray) and x.dtype == _np.bool_ for x in (a, b)):
            # A bool array's loop with a Python int is int64, which NumPy converts the
            # int to first (comparisons included).
            raise OverflowError("Python int too large to convert to C long")
        name = self.__name__
        if name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
            # The int lies beyond every value of the array's type: each answer is the
            # same (float64 would round it onto the type's extremes).
            reflected = type(a) is int
            value, other = (a, b) if reflected else (b, a)
            if reflected:
                name = {"less": "greater", "greater": "less", "less_equal": "greater_equal", "greater_equal": "less_equal"}.get(name, name)
            above = value > 0  # other < value everywhere
            answer = {"equal": False, "not_equal": True, "less": above, "less_equal": above}.get(name, not above)
            shape = other.shape if isinstance(other, ndarray) else _np.shape(other)
            result, user_out = _prepare_out(out, _out_shape(out, shape), _np.dtype(bool), self.__name__)
            result.fill(answer)
            return _finish(result, user_out)
        value = a if type(a) is int else b
        raise OverflowError(f"Python integer {value} out of bounds for {dtype}")

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=True):
        from . import _reduce

        if out is not None and _hostout.host(out) is not None:
            return _hostout.into(_hostout.host(out), lambda m: self.reduce(array, axis, dtype, m, keepdims, initial, where))
        if isinstance(out, tuple):
            out = _ufunc_args._single(out)
        axis = _ufunc_args.reduce_axis(array, axis)

        op = _REDUCE_OPS.get(self.__name__)
        if op is None and self.__name__ in _ufunc_args.TREE_REDUCIBLE and where is True:
            _fallback.record_native(f"{self.__name__}.reduce")
            return _ufunc_args.tree_reduce(self, array, axis, dtype, out, keepdims, initial)
        if op is None:
            from . import _fold

            return _fold.reduce(self, array, axis, dtype, out, keepdims, initial, where)
        return _reduce._reduce(op, array, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial, where=where)

    def at(self, a, indices, b=None):
        """``a[indices] = ufunc(a[indices], b)`` unbuffered, in place: repeated indices
        accumulate, in order, as in NumPy. Binary ufuncs whose loop is ``a``'s dtype run
        in one kernel (any number of repeats); any other ufunc or loop round by round
        of repeated indices (``_ufunc_args.at_by_rounds``)."""
        from ._creation import arange

        name = self.__name__
        if not isinstance(a, ndarray):
            if isinstance(a, _np.ndarray):  # NumPy's array, mutated by NumPy
                self._np.at(a, _fallback.to_numpy(indices), *(() if b is None else (_fallback.to_numpy(b),)))
                return None
            raise TypeError(f"at() argument 1 must be numpy.ndarray, not {type(a).__name__}")
        native = self.nin == 2 and b is not None and a.dtype != _F16
        if native:
            _, _, key = _operand(b)
            loop, _ = _resolve(self._np, (a.dtype, key, None))
            native = loop[0] == loop[1] == loop[2] == a.dtype
        if not native:
            # Any other ufunc or loop: round by round of repeated indices.
            _fallback.record_native(f"{name}.at")
            return _ufunc_args.at_by_rounds(self, self._np, a, indices, b)
        _fallback.record_native(f"{name}.at")
        # The flat positions of the selected elements (NumPy's indexing of any kind).
        positions = arange(a.size).reshape(a.shape)[indices]
        positions = positions if isinstance(positions, ndarray) else ndarray._from_numpy(_np.asarray(positions))
        m = positions.size
        if m == 0:
            return None
        if isinstance(b, ndarray):
            values = b if b.dtype == a.dtype else b.astype(a.dtype)
        else:
            # Python numbers as NumPy converts them for the loop (int8 wraps 300).
            values = ndarray._from_numpy(_np.asarray(_fallback.to_numpy(b)).astype(a.dtype))
        vals = ndarray._wrap(values._store.broadcast_to(list(positions.shape)), a.dtype).reshape(-1)
        flat_store = a._store.reshape([a.size])
        target = ndarray._wrap(flat_store, a.dtype) if flat_store is not None else a.ravel().copy()
        _ext.at(name, target._store, positions.reshape(-1).astype(_np.int64, copy=False)._store, vals._store)
        if flat_store is None:
            a[...] = target.reshape(a.shape)
        return None

    def accumulate(self, array, axis=0, dtype=None, out=None):
        from . import _scan

        if out is not None and _hostout.host(out) is not None:
            return _hostout.into(_hostout.host(out), lambda m: self.accumulate(array, axis, dtype, m))
        if isinstance(out, tuple):
            out = _ufunc_args._single(out)
        return _scan.accumulate(self, array, axis=axis, dtype=dtype, out=out)

    def reduceat(self, array, indices, axis=0, dtype=None, out=None):
        if out is not None and _hostout.host(out) is not None:
            return _hostout.into(_hostout.host(out), lambda m: self.reduceat(array, indices, axis, dtype, m))
        _fallback.record_native(f"{self.__name__}.reduceat")
        return _ufunc_args.reduceat(self, array, indices, axis, dtype, out)

    def outer(self, A, B, /, **kwargs):
        _fallback.record_native(f"{self.__name__}.outer")
        return _ufunc_args.outer(self, A, B, kwargs)


_POWER_SPECIAL = {2: "square", 0.5: "sqrt", -1: "reciprocal", 1: "positive"}

_REDUCE_OPS = {
    "add": "sum",
    "multiply": "prod",
    "maximum": "max",
    "minimum": "min",
    "logical_and": "all",
    "logical_or": "any",
}

_UNARY = [
    "negative", "positive", "absolute", "sign", "sqrt", "cbrt", "square", "reciprocal",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg",
    "floor", "ceil", "trunc", "rint", "isnan", "isinf", "isfinite", "signbit",
    "logical_not", "invert", "conjugate",
]
_BINARY = [
    "add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "fmod", "power",
    "maximum", "minimum", "fmax", "fmin", "copysign", "arctan2", "hypot", "logaddexp",
    "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
    "logical_and", "logical_or", "logical_xor",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
]

for _n in _UNARY:
    globals()[_n] = ufunc(_n, 1)
for _n in _BINARY:
    globals()[_n] = ufunc(_n, 2)

# NumPy's aliases.
divide = true_divide  # noqa: F821
mod = remainder  # noqa: F821
abs = absolute  # noqa: F821
conj = conjugate  # noqa: F821
bitwise_not = invert  # noqa: F821
bitwise_invert = invert  # noqa: F821
pow = power  # noqa: F821
degrees = rad2deg  # noqa: F821
# NumPy 2's array-API names: the same ufunc objects.
acos = arccos  # noqa: F821
asin = arcsin  # noqa: F821
atan = arctan  # noqa: F821
atan2 = arctan2  # noqa: F821
acosh = arccosh  # noqa: F821
asinh = arcsinh  # noqa: F821
atanh = arctanh  # noqa: F821
bitwise_left_shift = left_shift  # noqa: F821
bitwise_right_shift = right_shift  # noqa: F821
radians = deg2rad  # noqa: F821


def divmod(x1, x2, out=None, **kwargs):  # noqa: A001 - NumPy's name
    outs = (None, None) if out is None else out if isinstance(out, tuple) else (out, None)
    if len(outs) != 2:
        raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
    q = floor_divide(x1, x2, out=outs[0], **kwargs)  # noqa: F821
    return q, remainder(x1, x2, out=outs[1], **kwargs)  # noqa: F821


def clip(a, a_min=_np._NoValue, a_max=_np._NoValue, out=None, *, min=_np._NoValue, max=_np._NoValue, **kwargs):  # noqa: A002
    """Limits values to ``[a_min, a_max]`` (as ``minimum(maximum(a, a_min), a_max)``;
    NumPy 2.1's ``min=``/``max=`` name the same bounds; ``a_min`` and ``a_max`` come
    together or not at all)."""
    if (a_min is _np._NoValue) != (a_max is _np._NoValue):
        missing = "a_max" if a_max is _np._NoValue else "a_min"
        raise TypeError(f"clip() missing 1 required positional argument: '{missing}'")
    for name, old, new in (("minimum", a_min, min), ("maximum", a_max, max)):
        if old is not _np._NoValue and new is not _np._NoValue:
            raise ValueError(f"Passed more than one argument for the {name}: a_{name[:3]} and {name[:3]}")
    a_min = None if a_min is _np._NoValue and min is _np._NoValue else (min if a_min is _np._NoValue else a_min)
    a_max = None if a_max is _np._NoValue and max is _np._NoValue else (max if a_max is _np._NoValue else a_max)
    if isinstance(a, ndarray) and a.dtype.kind in "iu":
        # Python ints beyond the dtype's range bound nothing (NumPy's `_clip`).
        info = _np.iinfo(a.dtype)
        if type(a_min) is int and a_min <= info.min:
            a_min = None
        if type(a_max) is int and a_max >= info.max:
            a_max = None
    if a_min is None and a_max is None:
        return positive(a, out=out)  # noqa: F821
    result = a
    if a_min is not None:
        result = maximum(result, a_min)  # noqa: F821
    if a_max is not None:
        result = minimum(result, a_max, out=out)  # noqa: F821
    elif out is not None:
        out[...] = result
        result = out
    return result


def _real(x: ndarray) -> ndarray:
    """The real part: the array itself when it is not complex, else a view of the real
    parts (writes through it change the array, as in NumPy)."""
    if x.dtype.kind != "c":
        return x
    return _complex_part(0, x)


def _imag(x: ndarray) -> ndarray:
    if x.dtype.kind != "c":
        result = ndarray(x.shape, x.dtype)
        result.fill(0)
        return ndarray._wrap(result._store.as_read_only(), x.dtype)
    return _complex_part(1, x)


def real(val):
    return _real(_as_array(val))


def imag(val):
    return _imag(_as_array(val))


def _complex_part(index, x):
    _fallback.record_native("imag" if index else "real")
    return ndarray._wrap(x._store.component(index), _np.empty(0, x.dtype).real.dtype)


def _defers(other) -> bool:
    """Whether a binary operator should leave ``other`` to answer (``NotImplemented``):
    it sets ``__array_ufunc__ = None``, as NumPy's operators check."""
    return not isinstance(other, ndarray) and getattr(type(other), "__array_ufunc__", False) is None


def _install_operators():
    """Python operators of ``ndarray`` call the ufuncs directly (no lookups per call)."""
    g = globals()

    binary, unary = _fast.binary, _fast.unary

    def make(uf, reflected=False, inplace=False):
        if inplace:
            return lambda self, other: binary(uf, self, other, self)
        if reflected:
            return lambda self, other: binary(uf, other, self)

        def forward(self, other):
            # NumPy's rule: an operand that opts out of ufuncs (a sparse matrix, say)
            # answers with its reflected operator, before any conversion is tried
            # (np.asarray of a dok_matrix raised ValueError, of a big one takes long).
            if _defers(other):
                return NotImplemented
            return binary(uf, self, other)

        return forward

    def make_equality(uf, unequal):
        forward = make(uf)

        def compare(self, other):
            try:
                return forward(self, other)
            except TypeError:
                # NumPy's == and != on values with no comparison loop (None, a string,
                # an object): every element is unequal, in the broadcast shape.
                try:
                    shape = _np.broadcast_shapes(self.shape, _np.shape(other))
                except Exception:  # noqa: BLE001
                    raise TypeError(f"operands {self.dtype} and {type(other).__name__} cannot be compared") from None
                from ._creation import full

                return full(shape, unequal, _np.bool_)

        return compare

    # Each operator is a method descriptor running in Rust (no Python frame per call);
    # the Python function above does the same where the fast path declines.
    install = _fast.install_operator
    for name, uf in [
        ("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("truediv", "true_divide"),
        ("floordiv", "floor_divide"), ("mod", "remainder"), ("pow", "power"),
        ("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
        ("lshift", "left_shift"), ("rshift", "right_shift"),
    ]:
        install(ndarray, f"__{name}__", g[uf], "forward", make(g[uf]))
        install(ndarray, f"__r{name}__", g[uf], "reflected", make(g[uf], reflected=True))
        install(ndarray, f"__i{name}__", g[uf], "inplace", make(g[uf], inplace=True))
    install(ndarray, "__eq__", g["equal"], "forward", make_equality(g["equal"], False))
    install(ndarray, "__ne__", g["not_equal"], "forward", make_equality(g["not_equal"], True))
    for name, uf in [("lt", "less"), ("le", "less_equal"), ("gt", "greater"), ("ge", "greater_equal")]:
        install(ndarray, f"__{name}__", g[uf], "forward", make(g[uf]))
    for name, uf in [("neg", "negative"), ("pos", "positive"), ("abs", "absolute"), ("invert", "invert")]:
        install(ndarray, f"__{name}__", g[uf], "unary", lambda self, uf=g[uf]: unary(uf, self))
    install(ndarray, "__getitem__", None, "getitem", ndarray.__getitem__)
    install(ndarray, "__setitem__", None, "setitem", ndarray.__setitem__)


_install_operators()


# ---- elementwise functions built from ufuncs ----


def _as_array(x) -> ndarray:
    return x if isinstance(x, ndarray) else ndarray._from_numpy(_np.asarray(x))


def around(a, decimals=0, out=None):
    """Rounds half to even at ``decimals`` places, as NumPy computes it: scale, ``rint``,
    scale back (integers with negative ``decimals`` through float64)."""
    a = _as_array(a)
    decimals = operator.index(decimals)
    if a.dtype == _np.bool_:
        # NumPy rounds bools with rint's float16 loop at decimals=0, and otherwise only
        # into a float out: its errors come from the same call on one bool.
        host_out = None if out is None else _np.zeros(1, _np.dtype(out.dtype))
        _np.around(_np.zeros(1, _np.bool_), decimals, out=host_out)
        _fallback.record_native("around")
        if out is None:
            return rint(a)  # noqa: F821
        return around(a.astype(out.dtype), decimals, out=out)
    if a.dtype.kind not in "iufc":
        return _fallback.call("around", _np.around, (a,), dict(decimals=decimals, out=out))
    _fallback.record_native("around")
    if out is not None:
        if not isinstance(out, ndarray):
            raise TypeError("output must be an array")
        if tuple(out.shape) != tuple(a.shape):
            raise ValueError("invalid output shape")
        # NumPy scales into ``out`` with ufuncs (rint, multiply or divide; integers only
        # for negative ``decimals``): a same_kind cast.
        dt = a.dtype if a.dtype.kind in "fc" else (_np.dtype(_np.float64) if decimals < 0 else None)
        if dt is None and not _np.can_cast(a.dtype, out.dtype, "same_kind"):  # a copy
            raise TypeError(f"Cannot cast array data from {a.dtype!r} to {out.dtype!r} according to the rule 'same_kind'")
        if dt is not None and not _np.can_cast(dt, out.dtype, "same_kind"):
            step = "rint" if decimals == 0 else ("multiply" if decimals > 0 else "divide")
            raise _np._core._exceptions._UFuncOutputCastingError(getattr(_np, step), "same_kind", dt, out.dtype, 0)
    if a.dtype.kind == "c":
        # The parts round separately (a complex product would mix infinities in).
        result = ndarray(a.shape, a.dtype)
        result.real = around(a.real, decimals)
        result.imag = around(a.imag, decimals)
    elif a.dtype.kind in "iu":
        if decimals >= 0:
            result = a.copy()
        else:
            f = 10.0 ** -decimals
            result = multiply(rint(true_divide(a, f)), f).astype(a.dtype)  # noqa: F821
    elif decimals >= 0:
        f = a.real.dtype.type(10.0**decimals)
        result = true_divide(rint(multiply(a, f)), f)  # noqa: F821
    else:
        f = a.real.dtype.type(10.0**-decimals)
        result = multiply(rint(true_divide(a, f)), f)  # noqa: F821
    return _to_out(result, out)


round = around  # noqa: A001 - NumPy's name


def fix(x, out=None):
    """Rounds toward zero (``trunc``, kept as NumPy's ``fix`` names it)."""
    x = _as_array(x)
    _fallback.record_native("fix")
    return trunc(x, out=out) if out is not None else trunc(x)  # noqa: F821


def angle(z, deg=False):
    """The argument of complex numbers (``arctan2(imag, real)``), in radians or degrees."""
    z = _as_array(z)
    _fallback.record_native("angle")
    if z.dtype.kind == "c":
        a = arctan2(z.imag, z.real)  # noqa: F821
    else:
        a = arctan2(0, z)  # noqa: F821  (NumPy's weak 0: uint8 gives float16)
    return multiply(a, 180.0 / _np.pi) if deg else a  # noqa: F821


def heaviside(x1, x2, out=None):
    """0 below zero, 1 above, ``x2`` at zero; NaN stays NaN."""
    from ._manip import where

    from ._math_more import _loop

    # NumPy's loop (Python numbers weak: int8 with 3 gives float16; no complex loop).
    dt = _np.dtype(_loop(_np.heaviside, x1, x2)[2])
    x1, x2 = _as_array(x1), _as_array(x2)
    _fallback.record_native("heaviside")
    one, zero = dt.type(1), dt.type(0)
    result = where(less(x1, 0), zero, where(greater(x1, 0), one, where(isnan(x1), x1.astype(dt), x2.astype(dt))))  # noqa: F821
    return _to_out(result if result.dtype == dt else result.astype(dt), out)


def sinc(x):
    """``sin(pi x) / (pi x)``, 1 at 0 (NumPy's formula)."""
    from ._manip import where

    x = _as_array(x)
    _fallback.record_native("sinc")
    y = multiply(_np.pi, where(equal(x, 0), 1.0e-20, x))  # noqa: F821
    return true_divide(sin(y), y)  # noqa: F821


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN and infinities replaced by numbers (the largest finite ones by default)."""
    from ._manip import where

    x = _as_array(x)
    _fallback.record_native("nan_to_num")
    if x.dtype.kind not in "fc":
        return x.copy() if copy else x

    def fix_part(p):
        info = _np.finfo(p.dtype)
        hi = info.max if posinf is None else posinf
        lo = info.min if neginf is None else neginf
        r = where(isnan(p), p.dtype.type(nan), p)  # noqa: F821
        r = where(logical_and(isinf(r), greater(r, 0)), p.dtype.type(hi), r)  # noqa: F821
        return where(logical_and(isinf(r), less(r, 0)), p.dtype.type(lo), r)  # noqa: F821

    if x.dtype.kind == "c":
        result = x.copy()
        result.real = fix_part(x.real)
        result.imag = fix_part(x.imag)
    else:
        result = fix_part(x)
    if not copy:
        x[...] = result
        return x
    return result
