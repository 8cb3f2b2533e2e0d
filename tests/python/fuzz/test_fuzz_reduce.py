"""Reductions, scans and arg-reductions on random arrays, against NumPy.

``axis`` is None, an int, a tuple, or (sometimes) out of range or repeated;
``keepdims``; ``dtype=``; ``out=`` of the right shape (or a wrong one) and some dtype;
``where=`` masks (with ``initial`` where NumPy needs it); ``ddof``. Floating-point
results may differ from NumPy's by the rounding of a different summation order: the
tolerance grows with the number of elements reduced and their magnitude.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import legate_numeric as lnp
from fuzzlib import Pair, arrays, axes_for, dtypes, outcome, ran, same, trace

REDUCTIONS = ["sum", "prod", "max", "min", "mean", "var", "std", "all", "any", "count_nonzero", "ptp",
              "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd"]
# Which keywords each takes.
_TAKES_DTYPE = {"sum", "prod", "mean", "var", "std", "nansum", "nanprod", "nanmean", "nanvar", "nanstd"}
_TAKES_OUT = set(REDUCTIONS) - {"count_nonzero"}
_TAKES_WHERE = {"sum", "prod", "max", "min", "mean", "var", "std", "all", "any", "nansum", "nanprod",
                "nanmax", "nanmin", "nanmean", "nanvar", "nanstd"}
_TAKES_INITIAL = {"sum", "prod", "max", "min", "nansum", "nanprod", "nanmax", "nanmin"}
_TAKES_DDOF = {"var", "std", "nanvar", "nanstd"}
_NAN_ONLY_FLOAT = set()


def _reduction_tol(name, x: np.ndarray, result_dtype, n: int):
    """Rounding of a reduction over ``n`` elements of ``x`` in some order."""
    rdt = np.dtype(result_dtype)
    if rdt.kind not in "fc":
        return None
    # The accumulation type's epsilon (float16 accumulates in float32, rounds once).
    eps = float(np.finfo(rdt).eps)
    finite = x[np.isfinite(x)] if x.dtype.kind in "fc" else x
    big = float(np.abs(finite).max()) if finite.size else 1.0
    big = max(big, 1.0)
    n = max(n, 1)
    if name in ("prod", "nanprod"):
        return dict(rtol=8 * n * eps, atol=8 * n * eps)
    if name in ("var", "nanvar"):
        return dict(rtol=16 * n * eps, abs=16 * n * eps * big * big)
    if name in ("std", "nanstd"):
        return dict(rtol=16 * n * eps, abs=4 * np.sqrt(16 * n * eps) * big)
    return dict(rtol=8 * n * eps, abs=8 * n * eps * big)


def _reduced_shape(shape, axis, keepdims):
    nd = len(shape)
    if axis is None:
        axes = set(range(nd))
    else:
        axes = {a % nd for a in (axis if isinstance(axis, tuple) else (axis,))} if nd else set()
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _count(shape, axis):
    nd = len(shape)
    if axis is None:
        axes = range(nd)
    else:
        axes = {a % nd for a in (axis if isinstance(axis, tuple) else (axis,))} if nd else ()
    n = 1
    for a in axes:
        n *= shape[a]
    return n


@given(
    name=st.sampled_from(REDUCTIONS),
    dtype=dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    keepdims=st.booleans(),
    data=st.data(),
)
def test_reduction(name, dtype, shape, keepdims, data):
    ran()
    small = name in ("prod", "nanprod")
    x = data.draw(arrays(shape, dtype, small=small, huge=False), label="x")
    if dtype.kind == "c" and name in ("var", "std", "nanvar", "nanstd"):
        # DEFECT (_reduce.var/nanvar of complex infinities): nanvar([inf+infj],
        # dtype=float64) is not NaN (NumPy NaN).
        x = x.mapped(lambda b: np.where(np.isinf(b), 0, b))
    axis = data.draw(axes_for(len(shape)), label="axis")
    kw = {}
    if name != "count_nonzero" or axis is not None:
        kw["axis"] = axis
    if keepdims:
        kw["keepdims"] = True
    if name in _TAKES_DTYPE and data.draw(st.booleans(), label="use dtype"):
        # dtype=: a wider type of the same kind (a float->int cast of NaN is undefined).
        # Not for the statistics: mean/var/std of an empty slice with an integer dtype
        # is a NaN->int cast (being fixed separately), and NumPy's var of real numbers
        # with dtype=complex is complex (legate_numeric: real; not mirrored).
        stat = name in ("mean", "var", "std", "nanmean", "nanvar", "nanstd")
        choices = [np.float64] + ([] if stat else [np.complex128]) + ([np.int64] if dtype.kind in "biu" and not stat else [])
        kw["dtype"] = data.draw(st.sampled_from(choices), label="dtype")
    if name in _TAKES_DDOF and data.draw(st.booleans(), label="use ddof"):
        kw["ddof"] = data.draw(st.integers(0, 3), label="ddof")
    if name in _TAKES_INITIAL and data.draw(st.integers(0, 3), label="use initial") == 0:
        kw["initial"] = data.draw(st.sampled_from([0, 1, -2, 3]), label="initial")
    mask = None
    # NumPy's mean/var/std of a 0-d array take axis=0 with where= but not without it
    # (legate_numeric: never); no where= there.
    stat_0d = not shape and axis is not None and name in ("mean", "var", "std", "nanmean", "nanvar", "nanstd")
    if name in _TAKES_WHERE and not stat_0d and data.draw(st.integers(0, 3), label="use where") == 0:
        ms = data.draw(hnp.broadcastable_shapes(shape, min_side=0, max_side=5), label="where shape")
        mask = data.draw(arrays(ms, np.bool_), label="where")
    out = None
    if name in _TAKES_OUT and data.draw(st.integers(0, 3), label="use out") == 0:
        good = _reduced_shape(shape, axis, keepdims) if not _bad_axis(axis, len(shape)) else ()
        oshape = data.draw(st.sampled_from([good, good, good, good + (2,)]), label="out shape")
        stat = name in ("mean", "var", "std", "nanmean", "nanvar", "nanstd")
        # An integer out of a statistic of an empty slice is a NaN->int cast (being
        # fixed separately).
        odts = [np.dtype(np.float64)] + ([] if stat else [dtype, np.dtype(np.int64)])
        if stat and dtype.kind in "fc":
            odts.append(dtype)
        if name not in ("var", "std", "nanvar", "nanstd"):
            # NumPy computes var in out's type: a complex out of an empty slice gets
            # nan+nanj (legate_numeric: nan+0j; not mirrored).
            odts.append(np.dtype(np.complex128))
        odt = data.draw(st.sampled_from(odts), label="out dtype")
        out = Pair.of(data.draw(arrays(oshape, odt, broadcast=False), label="out"))
    _run(name, x, kw, mask, out)


def _bad_axis(axis, nd):
    if axis is None:
        return False
    axes = axis if isinstance(axis, tuple) else (axis,)
    return any(not -nd <= a < max(nd, 1) for a in axes) or len({a % max(nd, 1) for a in axes}) != len(axes)


def _run(name, x, kw, mask, out):
    np_kw, lnp_kw = dict(kw), dict(kw)
    if mask is not None:
        np_kw["where"], lnp_kw["where"] = mask.np(), mask.lnp()
    if out is not None:
        np_kw["out"], lnp_kw["out"] = out.np, out.lnp
    nx, lx = x.np(), x.lnp()
    expected = outcome(lambda: getattr(np, name)(nx, **np_kw))
    got = outcome(lambda: getattr(lnp, name)(lx, **lnp_kw))
    rdt = np.asarray(expected).dtype if not hasattr(expected, "exc") else np.dtype(np.float64)
    if kw.get("dtype") is not None:
        rdt = np.promote_types(rdt, kw["dtype"]) if np.dtype(kw["dtype"]).kind == "c" else rdt
    tol = _reduction_tol(name, nx, rdt if np.dtype(rdt).kind in "fc" else nx.dtype, _count(nx.shape, kw.get("axis")))
    same(expected, got, tol, f"{name}({kw})")
    if out is not None and not hasattr(expected, "exc"):
        out.check(f"{name} out", tol)


@given(
    name=st.sampled_from(["cumsum", "cumprod", "nancumsum", "nancumprod"]),
    dtype=dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
    data=st.data(),
)
def test_scan(name, dtype, shape, data):
    ran()
    x = data.draw(arrays(shape, dtype, small=name.endswith("prod"), huge=False), label="x")
    nd = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-nd - 1, nd)), label="axis")
    kw = {"axis": axis}
    if data.draw(st.booleans(), label="use dtype"):
        choices = [np.float64, np.complex128] + ([np.int64, np.int8] if dtype.kind in "biu" else [])
        kw["dtype"] = data.draw(st.sampled_from(choices), label="dtype")
    out = None
    if data.draw(st.integers(0, 3), label="use out") == 0:
        good = (int(np.prod(shape)),) if axis is None or not shape else shape
        # NumPy 2.4 crashes (SIGSEGV) on cumsum(0-d, axis=0, out=0-d): no 0-d out
        # for a 0-d input. NumPy's checks of an accumulation's out are loose (any out
        # for an empty input, (2, 2) for (2,)): no wrong shapes here.
        oshape = good
        # out of the result's type: NumPy's buffered casts into another type compute
        # some products in out's type (cumprod of float16 into int64 is not NumPy's
        # cumprod cast), which is not mirrored.
        odt = np.asarray(getattr(np, name)(np.zeros(1, dtype), dtype=kw.get("dtype"))).dtype
        out = Pair.of(data.draw(arrays(oshape, odt, broadcast=False), label="out"))
    n = int(np.prod(shape)) if axis is None else (shape[axis % nd] if nd and -nd <= axis < nd else 1)
    nx = x.np()
    tol = _reduction_tol("sum" if "sum" in name else "prod", nx, kw.get("dtype") or _float_of(dtype), n)
    np_kw, lnp_kw = dict(kw), dict(kw)
    if out is not None:
        np_kw["out"], lnp_kw["out"] = out.np, out.lnp
    lx = x.lnp()
    trace(name, x, kw, out and out.spec)
    expected = outcome(lambda: getattr(np, name)(nx, **np_kw))
    got = outcome(lambda: getattr(lnp, name)(lx, **lnp_kw))
    same(expected, got, tol, f"{name}({kw})")
    if out is not None and not hasattr(expected, "exc"):
        out.check(f"{name} out", tol)


def _float_of(dtype):
    return dtype if np.dtype(dtype).kind in "fc" else np.float64


@given(
    name=st.sampled_from(["argmax", "argmin", "nanargmax", "nanargmin"]),
    dtype=dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
    keepdims=st.booleans(),
    data=st.data(),
)
def test_arg_reduction(name, dtype, shape, keepdims, data):
    ran()
    x = data.draw(arrays(shape, dtype, huge=False), label="x")
    nd = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-nd - 1, nd)), label="axis")
    nx, lx = x.np(), x.lnp()
    expected = outcome(lambda: getattr(np, name)(nx, axis=axis, keepdims=keepdims))
    got = outcome(lambda: getattr(lnp, name)(lx, axis=axis, keepdims=keepdims))
    same(expected, got, None, f"{name}(axis={axis}, keepdims={keepdims})")


@given(
    name=st.sampled_from(["add", "multiply", "maximum", "minimum", "logical_and", "logical_or"]),
    method=st.sampled_from(["reduce", "accumulate"]),
    dtype=dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    data=st.data(),
)
def test_ufunc_methods(name, method, dtype, shape, data):
    ran()
    x = data.draw(arrays(shape, dtype, small=name == "multiply", huge=False), label="x")
    nd = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-nd - 1, nd)) if method == "reduce" else st.integers(-nd - 1, nd), label="axis")
    nx, lx = x.np(), x.lnp()
    expected = outcome(lambda: getattr(getattr(np, name), method)(nx, axis=axis))
    got = outcome(lambda: getattr(getattr(lnp, name), method)(lx, axis=axis))
    n = _count(shape, axis) if method == "reduce" and (axis is None or -nd <= axis < max(nd, 1)) else max(shape or (1,))
    op = "prod" if name == "multiply" else "sum"
    tol = _reduction_tol(op, nx, _float_of(dtype), n)
    same(expected, got, tol, f"{name}.{method}(axis={axis})")
