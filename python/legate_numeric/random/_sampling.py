"""The distributions shared by ``RandomState`` and ``Generator``.

Scalar parameters go to the kernel as numbers; array parameters (any array-like)
become float64 arrays broadcast to the result's shape, so every element draws with
its own parameters. Parameters are checked first, with NumPy's exceptions (on the
host for numbers, with native reductions for arrays). Multivariate distributions
(``multinomial dirichlet multivariate_normal multivariate_hypergeometric``) are
compositions of per-element draws and native array operations.
"""

from __future__ import annotations

import numbers
import operator
import warnings

import numpy as _np

from .. import _fallback

_U64 = 1 << 64
# NumPy's largest Poisson mean (int64 max minus ten standard deviations).
_POISSON_LAM_MAX = float(_np.iinfo(_np.int64).max - _np.sqrt(_np.iinfo(_np.int64).max) * 10)


def _lnp():
    import legate_numeric

    return legate_numeric


def _shape(size) -> tuple | None:
    if size is None:
        return None
    if isinstance(size, (numbers.Integral, _np.integer)):
        size = (int(size),)
    shape = tuple(operator.index(s) for s in size)
    if any(s < 0 for s in shape):
        raise ValueError("negative dimensions are not allowed")
    return shape


def _is_scalar(x) -> bool:
    from .._array import ndarray

    if isinstance(x, ndarray):
        return x.ndim == 0
    if isinstance(x, _np.ndarray):
        return x.ndim == 0
    return isinstance(x, (numbers.Number, _np.generic))


def _finish(arr, shape, scalar_type=None):
    """The array, or for ``size=None`` NumPy's scalar result."""
    if shape is not None:
        return arr
    value = arr.__array__()[()]
    return scalar_type(value) if scalar_type is not None else value


def _check(fails, args, xp, message):
    """Raises ValueError(message) when ``fails(xp, *args)`` holds anywhere."""
    with _np.errstate(invalid="ignore"):
        bad = fails(xp, *args)
    if bool(xp.any(bad)):
        raise ValueError(message)


def _draw(stream, name, values, size, checks=(), discrete=False):
    """Per-element draws of ``name`` with parameters ``values`` (numbers or
    array-likes, broadcast together and with ``size``). ``checks``: (predicate,
    message) pairs, the predicate over (xp, *params)."""
    shape = _shape(size)
    if all(_is_scalar(v) for v in values):
        params = [float(v) for v in values]
        for fails, msg in checks:
            _check(fails, [_np.float64(p) for p in params], _np, msg)
        out_shape = () if shape is None else shape
        res = stream.sample(out_shape, name, params, discrete)
        return _finish(res, shape, int if discrete else float)
    lnp = _lnp()
    arrays = [float(v) if _is_scalar(v) else lnp.asarray(v, dtype=_np.float64) for v in values]
    for fails, msg in checks:
        _check(fails, arrays, lnp, msg)
    bshape = _np.broadcast_shapes(*[a.shape for a in arrays if not isinstance(a, float)])
    if shape is None:
        shape = bshape
    elif _np.broadcast_shapes(bshape, shape) != shape:
        raise ValueError(f"shape mismatch: objects cannot be broadcast to a single shape {bshape} vs {shape}")
    params = [a if isinstance(a, float) else (a._store if a.shape == shape else a._store.broadcast_to(list(shape))) for a in arrays]
    return stream.sample(shape, name, params, discrete)


def _lt(i, v=0.0):
    return lambda xp, *p: xp.less(p[i], v)


def _le(i, v=0.0):
    return lambda xp, *p: xp.less_equal(p[i], v)


def _gt(i, v):
    return lambda xp, *p: xp.greater(p[i], v)


def _nan_or(pred):
    return lambda xp, *p: xp.logical_or(pred(xp, *p), xp.isnan(p[0]))


def _float_dtype(dtype, fname):
    dt = _np.dtype(dtype)
    if dt not in (_np.dtype(_np.float32), _np.dtype(_np.float64)):
        raise TypeError(f"Unsupported dtype {dt!r} for {fname}")
    return dt


def _into(result, out, fname):
    from .._array import ndarray

    if out is None:
        return result
    if not isinstance(out, ndarray):
        raise TypeError(f"{fname}: out must be a legate_numeric.ndarray")
    if out.dtype != result.dtype:
        raise TypeError(f"Supplied output array has the wrong type. Expected {result.dtype}, got {out.dtype}")
    out[...] = result
    return out


def _with_dtype(res, dtype, out, size, fname):
    """A float64 draw as ``dtype`` (float32 computed in float64), into ``out``."""
    dt = _float_dtype(dtype, fname)
    if isinstance(res, float):
        return float(_np.float32(res)) if dt == _np.float32 else res
    if dt != res.dtype:
        res = res.astype(dt)
    return _into(res, out, fname)


class _Sampling:
    """Distributions of NumPy's ``RandomState`` and ``Generator``; ``self._stream``
    is the generator's stream, ``self._ns`` its name for the coverage records."""

    _ns = "random"
    _legacy = True

    def _rec(self, name):
        _fallback.record_native(f"{self._ns}.{name}")

    # ---------------------------------------------------------------- continuous

    def standard_exponential(self, size=None, dtype=_np.float64, method="zig", out=None):
        self._rec("standard_exponential")
        if method not in ("zig", "inv"):
            raise ValueError("method must be either 'inv' or 'zig'")
        if out is not None and size is None:
            size = out.shape
        return _with_dtype(_draw(self._stream, "exponential", [1.0], size), dtype, out, size, "standard_exponential")

    def exponential(self, scale=1.0, size=None):
        self._rec("exponential")
        return _draw(self._stream, "exponential", [scale], size, [(_lt(0), "scale < 0")])

    def standard_gamma(self, shape, size=None, dtype=_np.float64, out=None):
        self._rec("standard_gamma")
        if out is not None and size is None:
            size = out.shape
        res = _draw(self._stream, "gamma", [shape, 1.0], size, [(_lt(0), "shape < 0")])
        return _with_dtype(res, dtype, out, size, "standard_gamma")

    def gamma(self, shape, scale=1.0, size=None):
        self._rec("gamma")
        return _draw(self._stream, "gamma", [shape, scale], size, [(_lt(0), "shape < 0"), (_lt(1), "scale < 0")])

    def beta(self, a, b, size=None):
        self._rec("beta")
        checks = [(_le(0), "a <= 0"), (_le(1), "b <= 0")]
        return _draw(self._stream, "beta", [a, b], size, checks)

    def chisquare(self, df, size=None):
        self._rec("chisquare")
        return _draw(self._stream, "chisquare", [df], size, [(_le(0), "df <= 0")])

    def f(self, dfnum, dfden, size=None):
        self._rec("f")
        return _draw(self._stream, "f", [dfnum, dfden], size, [(_le(0), "dfnum <= 0"), (_le(1), "dfden <= 0")])

    def standard_t(self, df, size=None):
        self._rec("standard_t")
        return _draw(self._stream, "standard_t", [df], size, [(_le(0), "df <= 0")])

    def standard_cauchy(self, size=None):
        self._rec("standard_cauchy")
        return _draw(self._stream, "standard_cauchy", [], size)

    def lognormal(self, mean=0.0, sigma=1.0, size=None):
        self._rec("lognormal")
        return _draw(self._stream, "lognormal", [mean, sigma], size, [(_lt(1), "sigma < 0")])

    def laplace(self, loc=0.0, scale=1.0, size=None):
        self._rec("laplace")
        return _draw(self._stream, "laplace", [loc, scale], size, [(_lt(1), "scale < 0")])

    def logistic(self, loc=0.0, scale=1.0, size=None):
        self._rec("logistic")
        return _draw(self._stream, "logistic", [loc, scale], size, [(_lt(1), "scale < 0")])

    def gumbel(self, loc=0.0, scale=1.0, size=None):
        self._rec("gumbel")
        return _draw(self._stream, "gumbel", [loc, scale], size, [(_lt(1), "scale < 0")])

    def pareto(self, a, size=None):
        self._rec("pareto")
        return _draw(self._stream, "pareto", [a], size, [(_le(0), "a <= 0")])

    def power(self, a, size=None):
        self._rec("power")
        return _draw(self._stream, "power", [a], size, [(_le(0), "a <= 0")])

    def rayleigh(self, scale=1.0, size=None):
        self._rec("rayleigh")
        return _draw(self._stream, "rayleigh", [scale], size, [(_lt(0), "scale < 0")])

    def weibull(self, a, size=None):
        self._rec("weibull")
        return _draw(self._stream, "weibull", [a], size, [(_lt(0), "a < 0")])

    def triangular(self, left, mode, right, size=None):
        self._rec("triangular")
        checks = [
            (lambda xp, lo, m, hi: xp.greater(lo, m), "left > mode"),
            (lambda xp, lo, m, hi: xp.greater(m, hi), "mode > right"),
            (lambda xp, lo, m, hi: xp.equal(lo, hi), "left == right"),
        ]
        return _draw(self._stream, "triangular", [left, mode, right], size, checks)

    def vonmises(self, mu, kappa, size=None):
        self._rec("vonmises")
        return _draw(self._stream, "vonmises", [mu, kappa], size, [(_lt(1), "kappa < 0")])

    def wald(self, mean, scale, size=None):
        self._rec("wald")
        return _draw(self._stream, "wald", [mean, scale], size, [(_le(0), "mean <= 0"), (_le(1), "scale <= 0")])

    def noncentral_chisquare(self, df, nonc, size=None):
        self._rec("noncentral_chisquare")
        return _draw(self._stream, "noncentral_chisquare", [df, nonc], size, [(_le(0), "df <= 0"), (_lt(1), "nonc < 0")])

    def noncentral_f(self, dfnum, dfden, nonc, size=None):
        self._rec("noncentral_f")
        checks = [(_le(0), "dfnum <= 0"), (_le(1), "dfden <= 0"), (_lt(2), "nonc < 0")]
        return _draw(self._stream, "noncentral_f", [dfnum, dfden, nonc], size, checks)

    # ---------------------------------------------------------------- discrete

    def binomial(self, n, p, size=None):
        self._rec("binomial")
        checks = [(_lt(0), "n < 0"), (_lt(1), "p < 0"), (_gt(1, 1.0), "p > 1"), (lambda xp, n, p: xp.isnan(p), "p is nan")]
        return _draw(self._stream, "binomial", [_trunc(n), p], size, checks, discrete=True)

    def negative_binomial(self, n, p, size=None):
        self._rec("negative_binomial")
        checks = [(_le(0), "n <= 0"), (_lt(1), "p < 0"), (_gt(1, 1.0), "p > 1"), (lambda xp, n, p: xp.isnan(p), "p is nan")]
        if not self._legacy:
            checks[1:3] = [(lambda xp, n, p: xp.logical_or(xp.less_equal(p, 0), xp.greater(p, 1)), "p < 0, p > 1 or p is nan")]
        return _draw(self._stream, "negative_binomial", [n, p], size, checks, discrete=True)

    def poisson(self, lam=1.0, size=None):
        self._rec("poisson")
        checks = [(_lt(0), "lam < 0"), (_gt(0, _POISSON_LAM_MAX), "lam value too large"), (lambda xp, lam: xp.isnan(lam), "lam is nan")]
        return _draw(self._stream, "poisson", [lam], size, checks, discrete=True)

    def geometric(self, p, size=None):
        self._rec("geometric")
        checks = [(_nan_or(lambda xp, p: xp.logical_or(xp.less_equal(p, 0), xp.greater(p, 1))), "p <= 0, p > 1 or p contains NaNs")]
        return _draw(self._stream, "geometric", [p], size, checks, discrete=True)

    def hypergeometric(self, ngood, nbad, nsample, size=None):
        self._rec("hypergeometric")
        low = 1 if self._legacy else 0
        checks = [
            (_lt(0), "ngood < 0"),
            (_lt(1), "nbad < 0"),
            (_lt(2, low), f"nsample < {low}"),
            (lambda xp, g, b, n: xp.less(xp.add(g, b), n), "ngood + nbad < nsample"),
        ]
        if not self._legacy:
            too_big = lambda xp, g, b, n: xp.logical_or(xp.greater_equal(g, 1e9), xp.greater_equal(b, 1e9))  # noqa: E731
            checks.append((too_big, "both ngood and nbad must be less than 1000000000"))
        for v in (ngood, nbad, nsample):
            _int_param(v)
        return _draw(self._stream, "hypergeometric", [_trunc(ngood), _trunc(nbad), _trunc(nsample)], size, checks, discrete=True)

    def logseries(self, p, size=None):
        self._rec("logseries")
        checks = [(_nan_or(lambda xp, p: xp.logical_or(xp.less(p, 0), xp.greater_equal(p, 1))), "p < 0, p >= 1 or p is NaN")]
        return _draw(self._stream, "logseries", [p], size, checks, discrete=True)

    def zipf(self, a, size=None):
        self._rec("zipf")
        checks = [(_nan_or(lambda xp, a: xp.less_equal(a, 1)), "a <= 1 or a is NaN")]
        return _draw(self._stream, "zipf", [a], size, checks, discrete=True)

    # ---------------------------------------------------------------- multivariate

    def multinomial(self, n, pvals, size=None):
        """Conditional binomials: category ``j`` draws from what the earlier ones left,
        with its probability renormalized to the remaining mass."""
        self._rec("multinomial")
        lnp = _lnp()
        pv = _np.asarray(pvals.__array__() if hasattr(pvals, "__array__") else pvals, dtype=_np.float64)
        if pv.ndim != 1:
            if pv.ndim == 0:
                raise ValueError("pvals must have at least 1 dimension") if not self._legacy else TypeError("object of too small depth for desired array")
            raise ValueError("pvals must be a 1-d sequence")
        k = pv.shape[0]
        if (pv < 0).any() or (pv > 1).any() or _np.isnan(pv).any():
            raise ValueError("pvals < 0, pvals > 1 or pvals contains NaNs")
        if k and pv[:-1].sum() > 1.0 + 1e-12:
            raise ValueError("sum(pvals[:-1]) > 1.0")
        n_scalar = _is_scalar(n)
        if n_scalar:
            if int(n) < 0:
                raise ValueError("n < 0")
        elif bool(lnp.any(lnp.less(lnp.asarray(n), 0))):
            raise ValueError("n < 0")
        shape = _shape(size)
        if shape is None:
            shape = () if n_scalar else tuple(lnp.asarray(n).shape)
        left = lnp.empty(shape, dtype=_np.float64)
        left[...] = float(int(n)) if n_scalar else lnp.asarray(n).astype(_np.int64).astype(_np.float64)
        cols = []
        mass = 1.0
        for j in range(k - 1):
            pj = min(max(pv[j] / mass, 0.0), 1.0) if mass > 0 else 0.0
            x = _draw(self._stream, "binomial", [left, pj], shape, discrete=True)
            cols.append(x)
            left = left - x
            mass -= pv[j]
        if k:
            cols.append(left.astype(_np.int64))
        if not cols:
            return lnp.empty(shape + (0,), dtype=_np.int64)
        return lnp.stack([c if hasattr(c, "shape") else lnp.asarray(c) for c in cols], axis=-1)

    def dirichlet(self, alpha, size=None):
        """Gamma(alpha_j) draws normalized to sum 1 along the last axis."""
        self._rec("dirichlet")
        lnp = _lnp()
        a = _np.asarray(alpha.__array__() if hasattr(alpha, "__array__") else alpha, dtype=_np.float64)
        if a.ndim != 1:
            raise ValueError("alpha must be a one-dimensional sequence of floats")
        if (a < 0).any() or _np.isnan(a).any() or (self._legacy and (a <= 0).any()):
            raise ValueError("alpha <= 0" if self._legacy else "alpha < 0")
        shape = _shape(size)
        full = (() if shape is None else shape) + a.shape
        alphas = lnp.broadcast_to(lnp.asarray(a), full)
        g = _draw(self._stream, "gamma", [alphas, 1.0], full)
        return g / g.sum(axis=-1, keepdims=True)

    def multivariate_normal(self, mean, cov, size=None, check_valid="warn", tol=1e-8, *, method="svd"):
        """``mean + z @ A`` with ``z`` standard normal and ``A.T @ A = cov``, ``A`` from
        the SVD (or Cholesky, eigh) of the small covariance on the host."""
        self._rec("multivariate_normal")
        lnp = _lnp()
        m = _np.asarray(mean.__array__() if hasattr(mean, "__array__") else mean, dtype=_np.float64)
        c = _np.asarray(cov.__array__() if hasattr(cov, "__array__") else cov, dtype=_np.float64)
        if m.ndim != 1:
            raise ValueError("mean must be 1 dimensional")
        if c.ndim != 2 or c.shape[0] != c.shape[1]:
            raise ValueError("cov must be 2 dimensional and square")
        if m.shape[0] != c.shape[0]:
            raise ValueError("mean and cov must have same length")
        if method not in ("svd", "eigh", "cholesky"):
            raise ValueError("method must be one of {'eigh', 'svd', 'cholesky'}")
        if check_valid not in ("warn", "raise", "ignore"):
            raise ValueError("check_valid must equal 'warn', 'raise', or 'ignore'")
        if method == "cholesky":
            factor = _np.linalg.cholesky(c).T
        else:
            if method == "eigh":
                s, u = _np.linalg.eigh(c)
                psd = not (s < -tol).any()
                factor = (u * _np.sqrt(_np.abs(s))).T
            else:
                u, s, vh = _np.linalg.svd(c)
                psd = _np.allclose(_np.dot(vh.T * s, vh), c, rtol=tol, atol=tol)
                factor = _np.sqrt(s)[:, None] * vh
            if check_valid != "ignore" and not psd:
                if check_valid == "warn":
                    warnings.warn("covariance is not symmetric positive-semidefinite.", RuntimeWarning, stacklevel=2)
                else:
                    raise ValueError("covariance is not symmetric positive-semidefinite.")
        shape = _shape(size)
        full = (() if shape is None else shape) + m.shape
        z = self._stream.fill(full, _np.float64, "normal", 0.0, 1.0)
        k = m.shape[0]
        x = lnp.matmul(z.reshape(-1, k), lnp.asarray(factor)) + lnp.asarray(m)
        return x.reshape(full)


def _trunc(v):
    """Integer-valued parameters (``n``, ``ngood``...) truncated as NumPy's casts do."""
    if _is_scalar(v):
        return float(int(v)) if _np.isfinite(float(v)) else float(v)
    lnp = _lnp()
    a = lnp.asarray(v)
    return a if a.dtype.kind in "iub" else lnp.trunc(a)


def _int_param(v):
    """NumPy refuses non-integer kinds where it casts to int64 (safe casting)."""
    kind = _np.asarray(v).dtype.kind if not hasattr(v, "dtype") else v.dtype.kind
    if kind not in "biu" and kind != "f":
        raise TypeError(f"Cannot cast array data from {kind!r} to int64")
