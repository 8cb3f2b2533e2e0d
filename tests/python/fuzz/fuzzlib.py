"""Strategies and comparisons shared by the differential fuzzers.

Every property draws inputs with the strategies here, runs the same operation on NumPy
and on legate_numeric, and hands both outcomes to ``same``: either both raise (the same
public exception type) or both give the same shape, dtype and values (exact for
integers and booleans, NaN-aware with a tolerance for floating point).

An input array is an ``Arr``: a NumPy base array plus the view that selects the operand
from it (steps, negative steps, a transpose, a broadcast), so operands are often
non-contiguous views, and writes through them can be checked against the base.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import legate_numeric as lnp

# Examples run per property (``ran`` counts; the conftest prints them at the end).
COUNTS: Counter = Counter()


def ran():
    """Call once per example: counts it for the property being run."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
    COUNTS[test.split("::")[-1]] += 1


_TRACE = open(os.environ["FUZZ_TRACE"], "a", buffering=1) if os.environ.get("FUZZ_TRACE") else None


def trace(*items):
    """With ``FUZZ_TRACE=path``, appends the example about to run (for a crash, which
    leaves hypothesis no chance to report it: the last line is the culprit)."""
    if _TRACE is not None:
        _TRACE.write(" | ".join(repr(i) for i in items) + "\n")


# ---------------------------------------------------------------- dtypes

BOOL = [np.dtype(np.bool_)]
SIGNED = [np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64)]
UNSIGNED = [np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64)]
INTS = SIGNED + UNSIGNED
FLOATS = [np.dtype(t) for t in (np.float16, np.float32, np.float64)]
COMPLEX = [np.dtype(t) for t in (np.complex64, np.complex128)]
ALL = BOOL + INTS + FLOATS + COMPLEX
NUMERIC = INTS + FLOATS + COMPLEX


def dtypes(among=ALL) -> st.SearchStrategy:
    return st.sampled_from(among)


# ---------------------------------------------------------------- element values

_SPECIAL_FLOATS = [0.0, -0.0, np.nan, np.inf, -np.inf]


def elements(dtype: np.dtype, specials: bool = True, small: bool = False, huge: bool = True) -> st.SearchStrategy:
    """Values of ``dtype``: mostly small (where bugs in arithmetic show), sometimes the
    type's extremes, NaN, infinities and -0.0 (``specials``); any finite float of the
    type too (``huge``: sums of those overflow or not depending on the order). ``small``
    keeps them in [-3, 3] (for products and powers that would overflow)."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return st.booleans()
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(int(info.min), -5), min(int(info.max), 9)
        if small:
            lo, hi = max(int(info.min), -3), 3
        choices = [st.integers(lo, hi)]
        if specials and not small:
            choices.append(st.sampled_from(sorted({int(info.min), int(info.max), int(info.min) + 1, int(info.max) - 1})))
        return st.one_of(*choices)
    part = dt if dt.kind == "f" else np.dtype(f"f{dt.itemsize // 2}")
    width = part.itemsize * 8
    bound = 3.0 if small else 50.0
    # Two decimals: sums and products of a few of these stay exact enough in float16.
    finite = st.integers(int(-bound * 4), int(bound * 4)).map(lambda i: i / 4.0)
    choices = [finite]
    if specials and not small:
        choices.append(st.sampled_from(_SPECIAL_FLOATS))
        if huge:
            choices.append(st.floats(width=width, allow_nan=False, allow_infinity=False))
    real = st.one_of(*choices)
    if dt.kind == "c":
        # Special values in either part, often (the C99 rules for them are many).
        part = st.one_of(finite, st.sampled_from(_SPECIAL_FLOATS)) if specials and not small else real
        return st.one_of(st.builds(complex, real, real), st.builds(complex, part, part))
    return real


# ---------------------------------------------------------------- arrays and views


@dataclass
class Arr:
    """An operand: ``base[key]``, then transposed by ``perm``, then broadcast to
    ``bshape`` (each step optional). ``build`` makes it on NumPy or legate_numeric;
    the repr is Python that rebuilds it, so a falsifying example can be pasted."""

    base: np.ndarray
    key: tuple = ()
    perm: tuple | None = None
    bshape: tuple | None = None

    def build(self, mod):
        """(base, view) on ``mod`` (``np`` or ``lnp``), freshly made."""
        base = np.array(self.base, copy=True) if mod is np else lnp.array(self.base)
        view = base[self.key] if self.key else base
        if self.perm is not None:
            view = view.transpose(self.perm)
        if self.bshape is not None:
            view = mod.broadcast_to(view, self.bshape)
        return base, view

    def mapped(self, fn) -> "Arr":
        """The same view of ``fn(base)`` (to steer values away from an excluded region)."""
        return Arr(np.asarray(fn(self.base.copy()), dtype=self.base.dtype), self.key, self.perm, self.bshape)

    def fit_to(self, dtype) -> "Arr":
        """The spec with values that convert to ``dtype`` without going out of its range
        (NumPy's float-to-int casts of NaN, infinities and out-of-range values are
        platform-defined; the NaN->int values are being fixed separately)."""
        dt = np.dtype(dtype)
        if dt.kind not in "iub" or self.base.dtype.kind not in "fc":
            return self
        info = np.iinfo(dt) if dt.kind != "b" else None

        def fit(b):
            real = np.nan_to_num(b.real, nan=0.0, posinf=0.0, neginf=0.0)
            if info is not None:
                real = np.clip(np.trunc(real), max(float(info.min), -1e6), min(float(info.max), 1e6))
            return real

        return self.mapped(fit)

    def np(self):
        return self.build(np)[1]

    def lnp(self):
        return self.build(lnp)[1]

    @property
    def dtype(self):
        return self.base.dtype

    @property
    def shape(self):
        return self.np().shape

    @property
    def writable(self):
        return self.bshape is None

    def __repr__(self):
        parts = [f"np.array({self.base.tolist()!r}, dtype=np.{self.base.dtype.name})"]
        if self.key:
            parts.append(f"key={self.key!r}")
        if self.perm is not None:
            parts.append(f"perm={self.perm!r}")
        if self.bshape is not None:
            parts.append(f"bshape={self.bshape!r}")
        return f"Arr({', '.join(parts)})"


def _slice_for(size: int, step: int, offset: int):
    """(base length, slice) such that ``base[slice]`` has ``size`` elements."""
    k = abs(step)
    n = offset + size * k + 1
    if step > 0:
        return n, slice(offset, offset + size * k, step)
    if size == 0:
        return n, slice(offset, offset, step)
    return n, slice(offset + (size - 1) * k, offset - 1 if offset else None, step)


@st.composite
def arrays(draw, shape, dtype, specials=True, small=False, views=True, broadcast=True, huge=True):
    """An ``Arr`` of exactly ``shape`` and ``dtype``: contiguous, or a strided and
    transposed view of a larger base, or (if ``broadcast``) a broadcast of a smaller one."""
    shape = tuple(shape)
    dtype = np.dtype(dtype)
    kind = draw(st.sampled_from(["plain", "plain", "view", "view", "broadcast"] if broadcast else ["plain", "view"]))
    if not views:
        kind = "plain"
    elems = elements(dtype, specials, small, huge)
    if kind == "broadcast" and shape:
        # Some axes of size 1 (or missing in front) broadcast to the full shape.
        keep = draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
        lead = draw(st.integers(0, len(shape)))
        small_shape = tuple(s if k else 1 for s, k in zip(shape, keep))[lead:]
        base = draw(hnp.arrays(dtype, small_shape, elements=elems))
        return Arr(base, bshape=shape)
    if kind in ("plain", "broadcast"):
        return Arr(draw(hnp.arrays(dtype, shape, elements=elems)))
    perm = tuple(draw(st.permutations(range(len(shape))))) if len(shape) >= 2 else None
    pre = list(shape)
    if perm is not None:
        for i, p in enumerate(perm):
            pre[p] = shape[i]
    key, base_shape = [], []
    for s in pre:
        step = draw(st.sampled_from([1, 2, -1, -2, 3]))
        offset = draw(st.integers(0, 2))
        n, sl = _slice_for(s, step, offset)
        key.append(sl)
        base_shape.append(n)
    base = draw(hnp.arrays(dtype, tuple(base_shape), elements=elems))
    if perm is not None and perm == tuple(range(len(shape))):
        perm = None
    return Arr(base, tuple(key), perm)


# Drawn shapes have at most 6 dimensions (to keep examples fast); results may have up
# to the stores' limit of 32 (NumPy allows 64): keys that would go past it are skipped.
MAX_DIMS = 6
STORE_MAX_DIMS = 32


def shapes(min_dims=0, max_dims=4, min_side=0, max_side=5) -> st.SearchStrategy:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


@st.composite
def any_array(draw, among=ALL, min_dims=0, max_dims=4, min_side=0, max_side=5, **kw):
    dtype = draw(dtypes(among))
    shape = draw(shapes(min_dims, max_dims, min_side, max_side))
    return draw(arrays(shape, dtype, **kw))


def axes_for(ndim: int, allow_bad: bool = True) -> st.SearchStrategy:
    """An ``axis`` argument: None, an int (negative too), a tuple of distinct axes; with
    ``allow_bad`` sometimes out of range or repeated (NumPy raises)."""
    good = [st.none()]
    if ndim:
        good.append(st.integers(-ndim, ndim - 1))
        good.append(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple))
    elif allow_bad is False:
        good.append(st.just(()))
    if not allow_bad:
        return st.one_of(*good)
    bad = st.one_of(
        st.sampled_from([ndim, -ndim - 1, ndim + 2]),
        st.just((0, 0)) if ndim else st.just((0,)),
    )
    return st.one_of(*good, *good, bad)


# ---------------------------------------------------------------- running both sides


class Raised:
    """The outcome of a call that raised."""

    def __init__(self, exc: BaseException):
        self.exc = exc

    def __repr__(self):
        return f"Raised({type(self.exc).__name__}: {self.exc})"


def quiet():
    """Ignore floating-point warnings and RuntimeWarnings (their emission is a separate,
    known difference)."""
    ctx = warnings.catch_warnings()

    class _Q:
        def __enter__(self):
            ctx.__enter__()
            warnings.simplefilter("ignore")
            self.err = np.errstate(all="ignore")
            self.err.__enter__()

        def __exit__(self, *a):
            self.err.__exit__(*a)
            ctx.__exit__(*a)
            return False

    return _Q()


def materialize(x):
    """Reads a legate_numeric result back to NumPy (deferred errors surface here)."""
    if isinstance(x, lnp.ndarray):
        return np.asarray(x)
    if isinstance(x, (tuple, list)):
        return type(x)(materialize(v) for v in x)
    return x


def outcome(fn):
    """``fn()`` with its result read back, or ``Raised``."""
    try:
        with quiet():
            return materialize(fn())
    except Exception as exc:  # noqa: BLE001 - any error is an outcome to compare
        return Raised(exc)


def public_type(exc: BaseException) -> type:
    """The exception's most derived public class (``TypeError`` for NumPy's private
    ``_UFuncNoLoopError``, ``numpy.exceptions.AxisError`` for itself)."""
    for cls in type(exc).__mro__:
        if cls.__module__ in ("builtins", "numpy.exceptions", "numpy"):
            return cls
    return Exception


def tolerance(dtype: np.dtype, scale: float = 1.0) -> dict:
    """rtol/atol for results of ``dtype``; ``scale`` widens them (reductions)."""
    dt = np.dtype(dtype)
    if dt.kind not in "fc":
        return dict(rtol=0, atol=0)
    eps = float(np.finfo(dt).eps)
    return dict(rtol=8 * eps * scale, atol=8 * eps * scale)


def same(expected, got, tol=None, what=""):
    """``got`` (legate_numeric's outcome) matches ``expected`` (NumPy's)."""
    if isinstance(expected, Raised):
        assert isinstance(got, Raised), f"{what}: NumPy raised {expected!r}, legate_numeric gave {got!r}"
        want = public_type(expected.exc)
        assert isinstance(got.exc, want), (
            f"{what}: NumPy raised {expected!r}, legate_numeric raised {got!r} (want {want.__name__})"
        )
        return
    if isinstance(got, Raised):
        raise AssertionError(f"{what}: NumPy gave a result, legate_numeric raised {got!r}") from got.exc
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), f"{what}: got {got!r}"
        for e, g in zip(expected, got):
            same(e, g, tol, what)
        return
    if isinstance(expected, (bool, int, float, complex)) and not isinstance(expected, np.generic):
        assert type(got) is type(expected) or isinstance(got, type(expected)), (
            f"{what}: type {type(got).__name__}, expected {type(expected).__name__}"
        )
    exp, arr = np.asarray(expected), np.asarray(got)
    assert arr.shape == exp.shape, f"{what}: shape {arr.shape}, expected {exp.shape}"
    assert arr.dtype == exp.dtype, f"{what}: dtype {arr.dtype}, expected {exp.dtype}"
    values_match(exp, arr, tol, what)


def values_match(exp: np.ndarray, arr: np.ndarray, tol=None, what=""):
    if exp.dtype.kind not in "fc":
        np.testing.assert_array_equal(arr, exp, err_msg=what, strict=True)
        return
    tol = dict(tol or tolerance(exp.dtype))
    tol.setdefault("atol", tol.get("abs", 0.0))
    parts = [(exp, arr)] if exp.dtype.kind == "f" else [(exp.real, arr.real), (exp.imag, arr.imag)]
    # A complex part's rounding is relative to the complex value's size: (4097+3967j)**2
    # has a real part of 1048320 computed from two products near 1.6e7.
    finite_parts = [np.where(np.isfinite(e), e, 0).astype(np.float64) for e, _ in parts]
    size = np.hypot(*finite_parts) if len(parts) == 2 else np.abs(finite_parts[0])
    for e, a in parts:
        e64, a64 = e.astype(np.float64), a.astype(np.float64)
        finite = np.isfinite(e64)
        # NaN where NumPy has NaN, the same infinities where it has infinities.
        np.testing.assert_array_equal(np.isnan(a64), np.isnan(e64), err_msg=f"{what}: NaN positions")
        np.testing.assert_array_equal(a64[np.isinf(e64)], e64[np.isinf(e64)], err_msg=f"{what}: infinities")
        # Relative to the magnitude of the values (an absolute floor near zero), or an
        # absolute bound the caller computed (``abs``: a reduction's rounding).
        mag = size[finite]
        atol = tol.get("abs") or tol["atol"] * max(1.0, float(mag.max()) if mag.size else 1.0)
        np.testing.assert_allclose(a64[finite], e64[finite], rtol=tol["rtol"], atol=atol, err_msg=what)


def compare(np_fn, lnp_fn, tol=None, what=""):
    """Runs both and checks they agree; returns NumPy's outcome."""
    expected = outcome(np_fn)
    got = outcome(lnp_fn)
    same(expected, got, tol, what)
    return expected


@dataclass
class Pair:
    """The same array on both sides, with the base it is a view of."""

    np_base: object
    np: object
    lnp_base: object
    lnp: object
    spec: Arr = field(repr=False, default=None)

    @classmethod
    def of(cls, spec: Arr) -> "Pair":
        nb, nv = spec.build(np)
        lb, lv = spec.build(lnp)
        return cls(nb, nv, lb, lv, spec)

    def check(self, what="", tol=None):
        """The legate_numeric base and view still equal NumPy's (aliasing included)."""
        with quiet():
            same(self.np_base, np.asarray(self.lnp_base), tol, what=f"{what} (base)")
            same(self.np, np.asarray(self.lnp), tol, what=f"{what} (view)")
