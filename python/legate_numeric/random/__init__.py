"""``legate_numeric.random``: NumPy's random API on a counter-based generator.

Numbers come from Philox4x32-10 in counter mode: element ``i`` (row-major index in
the result) of a generator's ``k``-th call under seed ``s`` is a pure function of
``(s, k, i)``. Each point task fills its own tile, so results are the same for any
processor count or partitioning (but differ from NumPy's streams: only the
distributions match).

Native: the legacy functions ``seed rand randn random random_sample ranf sample
randint uniform normal standard_normal`` (also as ``RandomState`` methods) and
``default_rng(seed)`` returning a ``Generator`` with ``random integers uniform normal
standard_normal``. Anything else runs in NumPy (with the usual one-time warning): the
module's functions on NumPy's global state (which ``seed`` also seeds), a
``Generator``'s other methods on a NumPy generator derived from its seed and call
counter.
"""

from __future__ import annotations

import numbers
import operator
import os

import numpy as _np

from legate import _legate as _ext

from .. import _fallback
from .._array import _empty, ndarray

_U64 = 1 << 64

__all__ = [
    "Generator",
    "RandomState",
    "default_rng",
    "normal",
    "rand",
    "randint",
    "randn",
    "random",
    "random_sample",
    "ranf",
    "sample",
    "seed",
    "standard_normal",
    "uniform",
]


def _entropy() -> int:
    return int.from_bytes(os.urandom(8), "little")


def _key(seed, legacy: bool) -> int:
    """The generator's 64-bit key for a user's ``seed``."""
    if seed is None:
        return _entropy()
    if isinstance(seed, (numbers.Integral, _np.integer)) and not isinstance(seed, (bool, _np.bool_)):
        s = int(seed)
        if legacy and not 0 <= s < 1 << 32:
            raise ValueError("Seed must be between 0 and 2**32 - 1")
        if s < 0:
            raise ValueError("expected non-negative integer")
        if s < _U64:
            return s
        return int(_np.random.SeedSequence(s).generate_state(1, _np.uint64)[0])
    if isinstance(seed, _np.random.SeedSequence):
        return int(seed.generate_state(1, _np.uint64)[0])
    if not legacy and isinstance(seed, _np.random.BitGenerator):
        return int(seed.random_raw())
    if not legacy and isinstance(seed, _np.random.Generator):
        return int(seed.integers(0, _U64, dtype=_np.uint64))
    # Sequences of integers (NumPy's SeedSequence validates them).
    arr = _np.asarray(seed)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise TypeError("SeedSequence expects int or sequence of ints for entropy not " + repr(seed))
    if legacy and (arr.size == 0 or (arr < 0).any() or (arr >= 1 << 32).any()):
        raise ValueError("Seed must be between 0 and 2**32 - 1")
    return int(_np.random.SeedSequence([int(x) for x in arr]).generate_state(1, _np.uint64)[0])


def _shape(size) -> tuple | None:
    if size is None:
        return None
    if isinstance(size, (numbers.Integral, _np.integer)):
        size = (int(size),)
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise ValueError("negative dimensions are not allowed")
    return shape


def _is_scalar(x) -> bool:
    return isinstance(x, (numbers.Number, _np.generic)) and not isinstance(x, ndarray)


class _Stream:
    """A seed and a call counter: each call that draws numbers uses the next counter."""

    __slots__ = ("key", "draws")

    def __init__(self, key: int):
        self.key = key
        self.draws = 0

    def next(self) -> int:
        d = self.draws
        self.draws += 1
        return d

    def fill(self, shape, dtype, dist, a, b) -> ndarray:
        out = _empty(() if shape is None else shape, _np.dtype(dtype))
        _ext.random_fill(out._store, dist, self.key, self.next(), a, b)
        return out

    def numpy_generator(self):
        """A NumPy generator for fallbacks, derived from the key and the next counter."""
        return _np.random.default_rng([self.key & 0xFFFFFFFF, self.key >> 32, self.next()])


def _finish(arr: ndarray, shape, scalar_type=None):
    """The array, or for ``size=None`` NumPy's scalar result."""
    if shape is not None:
        return arr
    value = arr.__array__()[()]
    return scalar_type(value) if scalar_type is not None else value


def _int_bounds(low, high, dtype, endpoint: bool, fname: str):
    """(low, range as u64 bits with 0 meaning 2**64) after NumPy's checks."""
    dt = _np.dtype(dtype)
    if dt.kind not in "biu":
        raise TypeError(f"Unsupported dtype {dt!r} for {fname}")
    if high is None:
        low, high = 0, low
    low, high = int(low), int(high)
    if not endpoint:
        if low >= high:
            raise ValueError("low >= high")
        top = high - 1
    else:
        if low > high:
            raise ValueError("low > high")
        top = high
    info = (0, 1) if dt.kind == "b" else (int(_np.iinfo(dt).min), int(_np.iinfo(dt).max))
    if low < info[0]:
        raise ValueError(f"low is out of bounds for {dt}")
    if top > info[1]:
        raise ValueError(f"high is out of bounds for {dt}")
    span = top - low + 1
    return low % _U64, span % _U64, dt


def _float_params(name, a, b, size, stream, check):
    """Floats ``dist(a, b)`` for scalar or array parameters (arrays broadcast)."""
    shape = _shape(size)
    if _is_scalar(a) and _is_scalar(b):
        a, b = float(a), float(b)
        check(a, b)
        return _finish(stream.fill(shape, _np.float64, name, a, b), shape, float)
    from .. import _ufunc, asarray

    a_arr, b_arr = asarray(a, dtype=_np.float64), asarray(b, dtype=_np.float64)
    check(a_arr, b_arr)
    bshape = _np.broadcast_shapes(a_arr.shape, b_arr.shape)
    if shape is None:
        shape = bshape
    elif _np.broadcast_shapes(bshape, shape) != shape:
        raise ValueError(f"shape mismatch: objects cannot be broadcast to a single shape {bshape} vs {shape}")
    base = stream.fill(shape, _np.float64, name, 0.0, 1.0)
    if name == "uniform":
        return _ufunc.add(a_arr, _ufunc.multiply(_ufunc.subtract(b_arr, a_arr), base))
    return _ufunc.add(a_arr, _ufunc.multiply(b_arr, base))


def _check_uniform(low, high):
    if _is_scalar(low):
        if not _np.isfinite(high - low):
            raise OverflowError("Range exceeds valid bounds")
        return
    from .. import _ufunc

    if not bool(_ufunc.isfinite(_ufunc.subtract(high, low)).all()):
        raise OverflowError("Range exceeds valid bounds")


def _check_normal(loc, scale):
    if _is_scalar(scale):
        if scale < 0:
            raise ValueError("scale < 0")
        return
    from .. import _ufunc

    if bool(_ufunc.less(scale, 0).any()):
        raise ValueError("scale < 0")


def _float_dtype(dtype, fname):
    dt = _np.dtype(dtype)
    if dt not in (_np.dtype(_np.float32), _np.dtype(_np.float64)):
        raise TypeError(f"Unsupported dtype {dt!r} for {fname}")
    return dt


def _into(result, out, fname):
    if out is None:
        return result
    if not isinstance(out, ndarray):
        raise TypeError(f"{fname}: out must be a legate_numeric.ndarray")
    if out.dtype != result.dtype:
        raise TypeError(f"Supplied output array has the wrong type. Expected {result.dtype}, got {out.dtype}")
    out[...] = result
    return out


def _permutation(stream, x, name):
    """A random order of ``range(x)``, or ``x`` reordered along its first axis: the
    positions that sort one uniform number per element (a stable sort, so it is a
    permutation whatever the numbers)."""
    from .._index import take
    from .._sort import argsort

    _fallback.record_native(name)
    if isinstance(x, (numbers.Integral, _np.integer)) and not isinstance(x, (bool, _np.bool_)):
        n = max(operator.index(x), 0)  # NumPy: a permutation of arange(x)
        return argsort(stream.fill((n,), _np.float64, "uniform", 0.0, 1.0))
    arr = x if isinstance(x, ndarray) else ndarray._from_numpy(_np.asarray(x))
    if arr.ndim == 0:
        raise _np.exceptions.AxisError("x must be an integer or at least 1-dimensional")
    order = argsort(stream.fill((arr.shape[0],), _np.float64, "uniform", 0.0, 1.0))
    return take(arr, order, axis=0)


def _choice(stream, a, size, replace, p, name):
    """Samples of ``a`` (or of ``range(a)``): uniform indices, inverse-CDF searches for
    weights, or the first of a random order (weighted: the largest of ``log(u) / p``)
    without replacement."""
    from .._index import take
    from .._reduce import count_nonzero, sum as _sum
    from .._scan import cumsum
    from .._sort import argsort, searchsorted
    from .._ufunc import log, negative, true_divide

    _fallback.record_native(name)
    if isinstance(a, (numbers.Integral, _np.integer)) and not isinstance(a, (bool, _np.bool_)):
        n = operator.index(a)
        if n <= 0:
            raise ValueError("a must be a positive integer unless no samples are taken")
        pool = None
    else:
        pool = a if isinstance(a, ndarray) else ndarray._from_numpy(_np.asarray(a))
        if pool.ndim != 1:
            raise ValueError("a must be 1-dimensional")
        n = pool.shape[0]
        if n == 0:
            raise ValueError("a cannot be empty unless no samples are taken")
    shape = _shape(size)
    k = 1 if shape is None else int(_np.prod(shape))
    weights = None
    if p is not None:
        weights = p if isinstance(p, ndarray) else ndarray._from_numpy(_np.asarray(p, dtype=_np.float64))
        weights = weights.astype(_np.float64)
        if weights.ndim != 1:
            raise ValueError("p must be 1-dimensional")
        if weights.shape[0] != n:
            raise ValueError("a and p must have same size")
        if bool((weights < 0).any()):
            raise ValueError("probabilities are not non-negative")
        if abs(float(_sum(weights)) - 1.0) > _np.sqrt(_np.finfo(_np.float64).eps):
            raise ValueError("probabilities do not sum to 1")
    if replace:
        if weights is None:
            idx = stream.fill((k,), _np.int64, "integers", 0, n)
        else:
            cdf = cumsum(weights)
            cdf = cdf / cdf[-1:]
            idx = searchsorted(cdf, stream.fill((k,), _np.float64, "uniform", 0.0, 1.0), "right")
            idx = idx.clip(0, n - 1)
    else:
        if k > n:
            raise ValueError("Cannot take a larger sample than population when replace is False")
        u = stream.fill((n,), _np.float64, "uniform", 0.0, 1.0)
        if weights is None:
            order = argsort(u)
        else:
            if int(count_nonzero(weights)) < k:
                raise ValueError("Fewer non-zero entries in p than size")
            with _np.errstate(divide="ignore"):
                order = argsort(negative(true_divide(log(u), weights)))
        idx = order[:k]
    result = idx if pool is None else take(pool, idx)
    if shape is None:
        return result[0].item() if pool is None else result[0]
    return result.reshape(shape)


class RandomState:
    """NumPy's legacy ``RandomState`` API on the counter-based generator."""

    def __init__(self, seed=None):
        self._stream = _Stream(_key(seed, legacy=True))

    def seed(self, seed=None):
        self._stream = _Stream(_key(seed, legacy=True))

    def random_sample(self, size=None):
        _fallback.record_native("random.random_sample")
        shape = _shape(size)
        return _finish(self._stream.fill(shape, _np.float64, "uniform", 0.0, 1.0), shape, float)

    def random(self, size=None):
        return self.random_sample(size)

    ranf = sample = random

    def rand(self, *dims):
        _fallback.record_native("random.rand")
        return self.random_sample(dims if dims else None)

    def standard_normal(self, size=None):
        _fallback.record_native("random.standard_normal")
        shape = _shape(size)
        return _finish(self._stream.fill(shape, _np.float64, "normal", 0.0, 1.0), shape, float)

    def randn(self, *dims):
        _fallback.record_native("random.randn")
        return self.standard_normal(dims if dims else None)

    def randint(self, low, high=None, size=None, dtype=int):
        if not (_is_scalar(low) and (high is None or _is_scalar(high))):
            return _fallback.call("random.randint", _np.random.randint, (low, high, size, dtype), {})
        _fallback.record_native("random.randint")
        lo, span, dt = _int_bounds(low, high, dtype, False, "randint")
        shape = _shape(size)
        arr = self._stream.fill(shape, dt, "integers", lo, span)
        if shape is None:
            value = arr.__array__()[()]
            return int(value) if dtype is int else value
        return arr

    def uniform(self, low=0.0, high=1.0, size=None):
        _fallback.record_native("random.uniform")
        return _float_params("uniform", low, high, size, self._stream, _check_uniform)

    def normal(self, loc=0.0, scale=1.0, size=None):
        _fallback.record_native("random.normal")
        return _float_params("normal", loc, scale, size, self._stream, _check_normal)

    def permutation(self, x):
        return _permutation(self._stream, x, "random.permutation")

    def shuffle(self, x):
        x[...] = _permutation(self._stream, x, "random.shuffle")

    def choice(self, a, size=None, replace=True, p=None):
        return _choice(self._stream, a, size, replace, p, "random.choice")

    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(_np.random.RandomState, name):
            raise AttributeError(f"'RandomState' object has no attribute '{name}'")
        method = getattr(_np.random.RandomState, name)

        def fallback(*args, **kwargs):
            state = _np.random.RandomState(self._stream.numpy_generator().integers(0, 1 << 32))
            return _fallback.call(f"random.RandomState.{name}", getattr(state, name), args, kwargs)

        fallback.__name__ = name
        fallback.__doc__ = method.__doc__
        return fallback


class Generator:
    """NumPy's ``Generator`` API on the counter-based generator (``default_rng``)."""

    def __init__(self, seed=None):
        self._stream = _Stream(_key(seed, legacy=False))

    def __repr__(self):
        return "Generator(Philox4x32-10, counter-based)"

    def random(self, size=None, dtype=_np.float64, out=None):
        _fallback.record_native("random.Generator.random")
        dt = _float_dtype(dtype, "random")
        shape = _shape(size) if out is None or size is not None else tuple(out.shape)
        res = self._stream.fill(shape, dt, "uniform", 0.0, 1.0)
        if out is not None:
            return _into(res, out, "random")
        return _finish(res, shape, float)

    def standard_normal(self, size=None, dtype=_np.float64, out=None):
        _fallback.record_native("random.Generator.standard_normal")
        dt = _float_dtype(dtype, "standard_normal")
        shape = _shape(size) if out is None or size is not None else tuple(out.shape)
        res = self._stream.fill(shape, dt, "normal", 0.0, 1.0)
        if out is not None:
            return _into(res, out, "standard_normal")
        return _finish(res, shape, float)

    def integers(self, low, high=None, size=None, dtype=_np.int64, endpoint=False):
        if not (_is_scalar(low) and (high is None or _is_scalar(high))):
            return _fallback.call(
                "random.Generator.integers", self._stream.numpy_generator().integers, (low, high, size, dtype, endpoint), {}
            )
        _fallback.record_native("random.Generator.integers")
        lo, span, dt = _int_bounds(low, high, dtype, endpoint, "integers")
        shape = _shape(size)
        arr = self._stream.fill(shape, dt, "integers", lo, span)
        return arr if shape is not None else arr.__array__()[()]

    def uniform(self, low=0.0, high=1.0, size=None):
        _fallback.record_native("random.Generator.uniform")
        return _float_params("uniform", low, high, size, self._stream, _check_uniform)

    def normal(self, loc=0.0, scale=1.0, size=None):
        _fallback.record_native("random.Generator.normal")
        return _float_params("normal", loc, scale, size, self._stream, _check_normal)

    def permutation(self, x, axis=0):
        if axis != 0:
            return _fallback.call("random.Generator.permutation", self._stream.numpy_generator().permutation, (x,), {"axis": axis})
        return _permutation(self._stream, x, "random.Generator.permutation")

    def shuffle(self, x, axis=0):
        if axis != 0:
            return _fallback.call("random.Generator.shuffle", self._stream.numpy_generator().shuffle, (x,), {"axis": axis})
        x[...] = _permutation(self._stream, x, "random.Generator.shuffle")

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        if axis != 0:
            return _fallback.call("random.Generator.choice", self._stream.numpy_generator().choice, (a, size, replace, p),
                                  {"axis": axis, "shuffle": shuffle})
        return _choice(self._stream, a, size, replace, p, "random.Generator.choice")

    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(_np.random.Generator, name):
            raise AttributeError(f"'Generator' object has no attribute '{name}'")

        def fallback(*args, **kwargs):
            return _fallback.call(f"random.Generator.{name}", getattr(self._stream.numpy_generator(), name), args, kwargs)

        fallback.__name__ = name
        return fallback


def default_rng(seed=None) -> Generator:
    """A new ``Generator`` (or ``seed`` itself when it is one)."""
    if isinstance(seed, Generator):
        return seed
    return Generator(seed)


_global = RandomState()


def seed(seed=None):
    """Reseeds the global generator (and NumPy's, which fallbacks use)."""
    _global.seed(seed)
    _np.random.seed(seed)


def rand(*dims):
    return _global.rand(*dims)


def randn(*dims):
    return _global.randn(*dims)


def random(size=None):
    return _global.random_sample(size)


def random_sample(size=None):
    return _global.random_sample(size)


ranf = sample = random_sample


def randint(low, high=None, size=None, dtype=int):
    return _global.randint(low, high, size, dtype)


def uniform(low=0.0, high=1.0, size=None):
    return _global.uniform(low, high, size)


def normal(loc=0.0, scale=1.0, size=None):
    return _global.normal(loc, scale, size)


def standard_normal(size=None):
    return _global.standard_normal(size)


def permutation(x):
    return _global.permutation(x)


def shuffle(x):
    _global.shuffle(x)


def choice(a, size=None, replace=True, p=None):
    return _global.choice(a, size, replace, p)


def __getattr__(name):
    """Everything else runs in NumPy (``numpy.random``'s global state)."""
    if name.startswith("__"):
        raise AttributeError(name)
    obj = getattr(_np.random, name, None)
    if obj is None:
        raise AttributeError(f"module 'legate_numeric.random' has no attribute '{name}'")
    if callable(obj) and not isinstance(obj, type):

        def fallback(*args, **kwargs):
            return _fallback.call(f"random.{name}", obj, args, kwargs)

        fallback.__name__ = name
        fallback.__doc__ = f"NumPy's ``random.{name}`` (not native in legate_numeric: runs in NumPy)."
        return fallback
    return obj
