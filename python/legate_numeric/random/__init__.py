"""``legate_numeric.random``: NumPy's random API on a counter-based generator.

Numbers come from Philox4x32-10 in counter mode: element ``i`` (row-major index in
the result) of a generator's ``k``-th call under seed ``s`` is a pure function of
``(s, k, i)`` (distributions that reject read more of the element's own stream). Each
point task fills its own tile, so results are the same for any processor count or
partitioning. They differ from NumPy's streams: only the distributions match, and
the bit generators ``PCG64 PCG64DXSM Philox MT19937 SFC64`` are names for this one
stream (seeded like NumPy's, through ``SeedSequence``), not NumPy's bit-exact
sequences. ``get_state``/``set_state`` save and restore this stream's state (its key
and call counter), not an MT19937 state.

Everything is native: the legacy module functions and ``RandomState`` (every
distribution, ``seed get_state set_state randint random_integers tomaxint``), and
``Generator`` (``default_rng``; every distribution, ``integers`` with array bounds,
``choice``/``permutation``/``shuffle`` along any axis, ``permuted``, ``bytes``,
``spawn``, ``bit_generator``). Multivariate distributions are compositions of native
draws (``multivariate_normal`` factors its small covariance on the host, then
multiplies natively).
"""

from __future__ import annotations

import numbers
import operator
import warnings

import numpy as _np

from .. import _fallback
from .._array import ndarray
from ._bitgen import (
    MT19937,
    PCG64,
    PCG64DXSM,
    SFC64,
    BitGenerator,
    Philox,
    SeedSequence,
    _key,
    _seed_sequence,
    _Stream,
)
from ._sampling import _draw, _float_dtype, _into, _is_scalar, _lnp, _Sampling, _shape, _finish

_U64 = 1 << 64

# The legacy module functions: methods of the global RandomState.
_LEGACY = (
    "beta binomial bytes chisquare choice dirichlet exponential f gamma geometric get_state gumbel "
    "hypergeometric laplace logistic lognormal logseries multinomial multivariate_normal negative_binomial "
    "noncentral_chisquare noncentral_f normal pareto permutation poisson power rand randint randn random "
    "random_integers random_sample ranf rayleigh sample set_state shuffle standard_cauchy standard_exponential "
    "standard_gamma standard_normal standard_t triangular uniform vonmises wald weibull zipf"
).split()

__all__ = [
    "BitGenerator",
    "Generator",
    "MT19937",
    "PCG64",
    "PCG64DXSM",
    "Philox",
    "RandomState",
    "SFC64",
    "SeedSequence",
    "default_rng",
    "get_bit_generator",
    "seed",
    "set_bit_generator",
    *_LEGACY,
]


def _int_bounds(low, high, dtype, endpoint: bool, fname: str, shape=None):
    """(low, range as u64 bits with 0 meaning 2**64) after NumPy's checks, which an
    empty ``shape`` skips (NumPy draws nothing, so it checks no bounds)."""
    dt = _np.dtype(dtype)
    if dt.kind not in "biu":
        raise TypeError(f"Unsupported dtype {dt!r} for {fname}")
    if shape is not None and 0 in shape:
        return 0, 1, dt
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


def _check_uniform(low, high, generator: bool = False):
    """NumPy's checks of ``uniform``'s range: finite (OverflowError), and for
    ``Generator`` not negative (ValueError)."""
    if _is_scalar(low) and _is_scalar(high):
        span = float(high) - float(low)
        if not _np.isfinite(span):
            raise OverflowError("high - low range exceeds valid bounds" if generator else "Range exceeds valid bounds")
        if generator and span < 0:
            raise ValueError("high - low < 0")
        return
    from .. import _ufunc

    span = _ufunc.subtract(high, low)
    if not bool(_ufunc.isfinite(span).all()):
        raise OverflowError("Range exceeds valid bounds")
    if generator and bool(_ufunc.less(span, 0).any()):
        raise ValueError("high - low < 0")


def _check_uniform_generator(low, high):
    _check_uniform(low, high, generator=True)


def _check_normal(loc, scale):
    if _is_scalar(scale):
        if scale < 0:
            raise ValueError("scale < 0")
        return
    from .. import _ufunc

    if bool(_ufunc.less(scale, 0).any()):
        raise ValueError("scale < 0")


def _as_array(x):
    return x if isinstance(x, ndarray) else ndarray._from_numpy(_np.asarray(x))


def _order(stream, n):
    """A uniformly random order of ``range(n)``: the positions that sort one uniform
    number per element (a stable sort, so it is a permutation whatever the numbers)."""
    from .._sort import argsort

    return argsort(stream.fill((n,), _np.float64, "uniform", 0.0, 1.0))


def _permutation(stream, x, name, axis=0):
    """A random order of ``range(x)``, or ``x`` reordered along ``axis``."""
    from .._index import take

    _fallback.record_native(name)
    if isinstance(x, (numbers.Integral, _np.integer)) and not isinstance(x, (bool, _np.bool_)):
        n = max(operator.index(x), 0)  # NumPy: a permutation of arange(x)
        return _order(stream, n)
    arr = _as_array(x)
    if arr.ndim == 0:
        raise _np.exceptions.AxisError("x must be an integer or at least 1-dimensional")
    axis = _np.lib.array_utils.normalize_axis_index(axis, arr.ndim)
    return take(arr, _order(stream, arr.shape[axis]), axis=axis)


def _shuffle(stream, x, name, axis=0):
    """Reorders ``x`` in place along ``axis`` (a legate or a NumPy array)."""
    if not isinstance(x, (ndarray, _np.ndarray)):
        if isinstance(x, list):
            perm = _np.asarray(_permutation(stream, len(x), name))
            x[:] = [x[i] for i in perm.tolist()]
            return
        raise TypeError("x must be a legate_numeric.ndarray, a numpy.ndarray or a list")
    if x.ndim == 0:
        raise TypeError("len() of unsized object")  # NumPy's error for a 0-d array
    result = _permutation(stream, x, name, axis)
    x[...] = result if isinstance(x, ndarray) else _np.asarray(result)


def _choice(stream, a, size, replace, p, name, axis=0):
    """Samples of ``a`` along ``axis`` (or of ``range(a)``): uniform indices,
    inverse-CDF searches for weights, or the first of a random order (weighted: the
    largest of ``log(u) / p``) without replacement."""
    from .._index import take
    from .._reduce import count_nonzero, sum as _sum
    from .._scan import cumsum
    from .._sort import argsort, searchsorted
    from .._ufunc import log, negative, true_divide

    _fallback.record_native(name)
    shape = _shape(size)
    k = 1 if shape is None else int(_np.prod(shape))
    if isinstance(a, (numbers.Integral, _np.integer)) and not isinstance(a, (bool, _np.bool_)):
        n = operator.index(a)
        if n <= 0 and k > 0:
            raise ValueError("a must be a positive integer unless no samples are taken")
        pool = None
    else:
        pool = _as_array(a)
        if pool.ndim < 1:
            raise ValueError("a must be 1-dimensional or an integer")
        if name == "random.choice" and pool.ndim != 1:
            raise ValueError("a must be 1-dimensional")
        axis = _np.lib.array_utils.normalize_axis_index(axis, pool.ndim)
        n = pool.shape[axis]
        if n == 0 and k > 0:
            raise ValueError("a cannot be empty unless no samples are taken")
    weights = None
    if p is not None:
        weights = _as_array(_np.asarray(p, dtype=_np.float64) if not isinstance(p, ndarray) else p).astype(_np.float64)
        if weights.ndim != 1:
            raise ValueError("p must be 1-dimensional")
        if weights.shape[0] != n:
            raise ValueError("a and p must have same size")
        if bool((weights < 0).any()):
            raise ValueError("probabilities are not non-negative")
        if abs(float(_sum(weights)) - 1.0) > _np.sqrt(_np.finfo(_np.float64).eps):
            raise ValueError("probabilities do not sum to 1")
    if k == 0:
        idx = _lnp().empty((0,), dtype=_np.int64)
    elif replace:
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
            # Zero weights give -inf keys (never picked): no warning, as in NumPy.
            with _lnp().errstate(divide="ignore"):
                order = argsort(negative(true_divide(log(u), weights)))
        idx = order[:k]
    if pool is None:
        if shape is None:
            return idx[0].item()
        return idx.reshape(shape)
    if shape is None:
        return take(pool, idx[0], axis=axis)
    result = take(pool, idx, axis=axis)
    return result.reshape(pool.shape[:axis] + shape + pool.shape[axis + 1 :])


def _bytes(stream, length):
    return _np.asarray(stream.fill((operator.index(length),), _np.uint8, "integers", 0, 256)).tobytes()


class RandomState(_Sampling):
    """NumPy's legacy ``RandomState`` API on the counter-based generator."""

    _ns = "random"
    _legacy = True

    def __init__(self, seed=None):
        if isinstance(seed, BitGenerator):
            self._stream = seed._stream
        else:
            self._stream = _Stream(_key(seed, legacy=True))

    def __repr__(self):
        return "RandomState(Philox4x32-10 counter stream)"

    def seed(self, seed=None):
        self._stream = _Stream(_key(seed, legacy=True))

    def get_state(self, legacy=True):
        """This stream's state: ``('Philox4x32-10-counter', key, draws)`` (legacy) or
        a dict like a bit generator's ``state``."""
        st = self._stream.get_state()
        if legacy:
            return (st["bit_generator"], st["state"]["key"], st["state"]["draws"])
        return st

    def set_state(self, state):
        self._stream.set_state(state)

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
        _fallback.record_native("random.randint")
        if not (_is_scalar(low) and (high is None or _is_scalar(high))):
            return _array_integers(self._stream, low, high, size, dtype, False)
        shape = _shape(size)
        lo, span, dt = _int_bounds(low, high, dtype, False, "randint", shape)
        arr = self._stream.fill(shape, dt, "integers", lo, span)
        if shape is None:
            value = arr.__array__()[()]
            return int(value) if dtype is int else value
        return arr

    def random_integers(self, low, high=None, size=None):
        """Deprecated in NumPy: integers in ``[low, high]`` (``[1, low]`` without
        ``high``)."""
        _fallback.record_native("random.random_integers")
        if high is None:
            warnings.warn("This function is deprecated. Please call randint(1, {low} + 1) instead".format(low=low), DeprecationWarning, stacklevel=2)
            low, high = 1, low
        else:
            warnings.warn(f"This function is deprecated. Please call randint({low}, {high} + 1) instead", DeprecationWarning, stacklevel=2)
        return self.randint(low, _lnp().add(high, 1) if not _is_scalar(high) else int(high) + 1, size)

    def tomaxint(self, size=None):
        _fallback.record_native("random.RandomState.tomaxint")
        return self.randint(0, _np.iinfo(_np.int64).max, size, dtype=_np.int64)

    def uniform(self, low=0.0, high=1.0, size=None):
        _fallback.record_native("random.uniform")
        return _float_params("uniform", low, high, size, self._stream, _check_uniform)

    def normal(self, loc=0.0, scale=1.0, size=None):
        _fallback.record_native("random.normal")
        return _float_params("normal", loc, scale, size, self._stream, _check_normal)

    def standard_exponential(self, size=None):
        return _Sampling.standard_exponential(self, size)

    def standard_gamma(self, shape, size=None):
        return _Sampling.standard_gamma(self, shape, size)

    def permutation(self, x):
        return _permutation(self._stream, x, "random.permutation")

    def shuffle(self, x):
        _shuffle(self._stream, x, "random.shuffle")

    def choice(self, a, size=None, replace=True, p=None):
        return _choice(self._stream, a, size, replace, p, "random.choice")

    def bytes(self, length):
        _fallback.record_native("random.bytes")
        return _bytes(self._stream, length)


def _array_integers(stream, low, high, size, dtype, endpoint):
    """Integers with array bounds: ``low + floor(u * span)`` per element (53 random
    bits per value: exactly uniform for spans up to 2**53, very nearly beyond)."""
    lnp = _lnp()
    dt = _np.dtype(dtype)
    if dt.kind not in "biu":
        raise TypeError(f"Unsupported dtype {dt!r} for integers")
    if high is None:
        low, high = 0, low
    lo, hi = lnp.asarray(low), lnp.asarray(high)
    if lo.dtype.kind == "f" or hi.dtype.kind == "f":
        lo, hi = lnp.floor(lo), lnp.floor(hi)
    top = hi if endpoint else lnp.subtract(hi, 1)
    if bool(lnp.any(lnp.less(top, lo))):
        raise ValueError("low > high" if endpoint else "low >= high")
    info = (0, 1) if dt.kind == "b" else (int(_np.iinfo(dt).min), int(_np.iinfo(dt).max))
    if bool(lnp.any(lnp.less(lo, info[0]))):
        raise ValueError(f"low is out of bounds for {dt}")
    if bool(lnp.any(lnp.greater(top, info[1]))):
        raise ValueError(f"high is out of bounds for {dt}")
    lo_f, span = lo.astype(_np.float64), lnp.add(lnp.subtract(top.astype(_np.float64), lo.astype(_np.float64)), 1.0)
    u = _draw(stream, "uniform", [0.0, 1.0], size if size is not None else _np.broadcast_shapes(lo.shape, hi.shape))
    if not hasattr(u, "shape"):
        u = lnp.asarray(u)
    bshape = _np.broadcast_shapes(lo.shape, hi.shape)
    if _np.broadcast_shapes(bshape, u.shape) != u.shape:
        raise ValueError(f"shape mismatch: objects cannot be broadcast to a single shape {bshape} vs {u.shape}")
    v = lnp.minimum(lnp.floor(lnp.multiply(u, span)), lnp.subtract(span, 1.0))
    return lnp.add(lo_f, v).astype(dt)


class Generator(_Sampling):
    """NumPy's ``Generator`` API on the counter-based generator (``default_rng``).
    ``Generator(bit_generator)`` uses a bit generator's stream; any other argument
    is a seed."""

    _ns = "random.Generator"
    _legacy = False

    def __init__(self, bit_generator=None):
        if isinstance(bit_generator, BitGenerator):
            self._bit_generator = bit_generator
        else:
            seq, key = _seed_sequence(bit_generator, legacy=False)
            self._bit_generator = PCG64._of(_Stream(key, seq))
        self._stream = self._bit_generator._stream

    def __repr__(self):
        return f"Generator({type(self._bit_generator).__name__}) (Philox4x32-10 counter stream)"

    @property
    def bit_generator(self):
        return self._bit_generator

    def spawn(self, n_children):
        """``n_children`` independent generators (NumPy's SeedSequence spawning)."""
        _fallback.record_native("random.Generator.spawn")
        return [Generator(bg) for bg in self._bit_generator.spawn(n_children)]

    def _standard(self, name, distribution, size, dtype, out):
        """``random``/``standard_normal``: floats of ``dtype``, or into ``out``."""
        _fallback.record_native(f"random.Generator.{name}")
        dt = _float_dtype(dtype, name)
        shape = _shape(size) if out is None or size is not None else tuple(out.shape)
        res = self._stream.fill(shape, dt, distribution, 0.0, 1.0)
        if out is not None:
            return _into(res, out, name)
        return _finish(res, shape, float)

    def random(self, size=None, dtype=_np.float64, out=None):
        return self._standard("random", "uniform", size, dtype, out)

    def standard_normal(self, size=None, dtype=_np.float64, out=None):
        return self._standard("standard_normal", "normal", size, dtype, out)

    def integers(self, low, high=None, size=None, dtype=_np.int64, endpoint=False):
        _fallback.record_native("random.Generator.integers")
        if not (_is_scalar(low) and (high is None or _is_scalar(high))):
            return _array_integers(self._stream, low, high, size, dtype, endpoint)
        shape = _shape(size)
        lo, span, dt = _int_bounds(low, high, dtype, endpoint, "integers", shape)
        arr = self._stream.fill(shape, dt, "integers", lo, span)
        return arr if shape is not None else arr.__array__()[()]

    def uniform(self, low=0.0, high=1.0, size=None):
        _fallback.record_native("random.Generator.uniform")
        return _float_params("uniform", low, high, size, self._stream, _check_uniform_generator)

    def normal(self, loc=0.0, scale=1.0, size=None):
        _fallback.record_native("random.Generator.normal")
        return _float_params("normal", loc, scale, size, self._stream, _check_normal)

    def permutation(self, x, axis=0):
        return _permutation(self._stream, x, "random.Generator.permutation", axis)

    def shuffle(self, x, axis=0):
        _shuffle(self._stream, x, "random.Generator.shuffle", axis)

    def permuted(self, x, *, axis=None, out=None):
        """Each slice along ``axis`` shuffled independently (the flattened array for
        ``axis=None``): positions that sort one uniform number per element."""
        _fallback.record_native("random.Generator.permuted")
        lnp = _lnp()
        arr = _as_array(x)
        if axis is None:
            if arr.ndim == 0:
                raise TypeError("len() of unsized object")  # NumPy's error for a 0-d array
            flat = arr.reshape(-1)
            res = flat[lnp.argsort(self._stream.fill(flat.shape, _np.float64, "uniform", 0.0, 1.0))].reshape(arr.shape)
        else:
            axis = _np.lib.array_utils.normalize_axis_index(axis, arr.ndim)
            keys = self._stream.fill(arr.shape, _np.float64, "uniform", 0.0, 1.0)
            res = lnp.take_along_axis(arr, lnp.argsort(keys, axis=axis), axis=axis)
        if out is None:
            return res
        if tuple(out.shape) != tuple(arr.shape):
            raise ValueError("out must have the same shape as x")
        out[...] = res if isinstance(out, ndarray) else _np.asarray(res)
        return out

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        return _choice(self._stream, a, size, replace, p, "random.Generator.choice", axis)

    def bytes(self, length):
        _fallback.record_native("random.Generator.bytes")
        return _bytes(self._stream, length)

    def multivariate_hypergeometric(self, colors, nsample, size=None, method="marginals"):
        """Conditional hypergeometrics: color ``j`` draws from what the earlier ones
        left, against the colors after it."""
        _fallback.record_native("random.Generator.multivariate_hypergeometric")
        lnp = _lnp()
        if method not in ("count", "marginals"):
            raise ValueError('method must be "count" or "marginals".')
        c = _np.asarray(colors.__array__() if hasattr(colors, "__array__") else colors)
        if c.ndim != 1:
            raise ValueError("colors must be a one-dimensional sequence of nonnegative integers.")
        if c.dtype.kind not in "iu" and c.size:
            raise TypeError("colors must be a sequence of integers")
        c = c.astype(_np.int64)
        if (c < 0).any():
            raise ValueError("colors must be a one-dimensional sequence of nonnegative integers.")
        total = int(c.sum())
        if _is_scalar(nsample):
            ns = int(nsample)
            if ns < 0:
                raise ValueError("nsample must be nonnegative.")
            if ns > total:
                raise ValueError("nsample must not exceed {}".format(total))
        shape = _shape(size)
        shape = () if shape is None else shape
        left = lnp.empty(shape, dtype=_np.float64)
        left[...] = float(int(nsample)) if _is_scalar(nsample) else lnp.asarray(nsample).astype(_np.float64)
        cols = []
        rest = total
        for j in range(len(c) - 1):
            rest -= int(c[j])
            x = _draw(self._stream, "hypergeometric", [float(c[j]), float(rest), left], shape, discrete=True)
            cols.append(x)
            left = left - x
        if len(c):
            cols.append(left.astype(_np.int64))
        if not cols:
            return lnp.empty(shape + (0,), dtype=_np.int64)
        return lnp.stack(cols, axis=-1)


def default_rng(seed=None) -> Generator:
    """A new ``Generator`` (or ``seed`` itself when it is one)."""
    if isinstance(seed, Generator):
        return seed
    return Generator(seed)


_global = RandomState()


def seed(seed=None):
    """Reseeds the global generator (and NumPy's)."""
    _global.seed(seed)
    _np.random.seed(seed)


def get_bit_generator():
    """The bit generator of the global ``RandomState``."""
    return MT19937._of(_global._stream)


def set_bit_generator(bitgen):
    """Makes the global ``RandomState`` draw from ``bitgen``'s stream."""
    if not isinstance(bitgen, BitGenerator):
        raise TypeError("bitgen must be a legate_numeric.random BitGenerator")
    _global._stream = bitgen._stream


def _module_function(name):
    def f(*args, **kwargs):
        return getattr(_global, name)(*args, **kwargs)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = getattr(getattr(_np.random.RandomState, name, None), "__doc__", None)
    return f


for _name in _LEGACY:
    globals()[_name] = _module_function(_name)
del _name


def __getattr__(name):
    """Names without a counterpart (``test``) run in NumPy."""
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
