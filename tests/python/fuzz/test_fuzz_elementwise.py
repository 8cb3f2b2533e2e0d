"""Ufuncs, operators and astype on random arrays, against NumPy.

Operands: every dtype, 0-d to 4-d, empty, strided/transposed/broadcast views, shapes
that broadcast (and, sometimes, shapes that do not); optional ``out=`` (of another
dtype too, and sometimes of a wrong shape) and ``where=``; Python scalars of each kind.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import legate_numeric as lnp
from fuzzlib import ALL, COMPLEX, FLOATS, INTS, Pair, arrays, compare, dtypes, ran, same, outcome

UNARY = list(lnp._UNARY)
BINARY = list(lnp._BINARY)

# Transcendental functions: a few ulps apart between libm and NumPy's own loops.
_LOOSE = {
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin",
    "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "cbrt",
    "power", "arctan2", "hypot", "logaddexp", "true_divide", "reciprocal", "sqrt",
}


def _tol(name, dtype):
    dt = np.dtype(dtype)
    if dt.kind not in "fc":
        return None
    eps = float(np.finfo(dt).eps)
    k = 64 if name in _LOOSE else 4
    return dict(rtol=k * eps, atol=k * eps)


def _result_dtype(name, *dts):
    try:
        return getattr(np, name).resolve_dtypes(tuple(np.dtype(d) for d in dts) + (None,))[-1]
    except Exception:  # noqa: BLE001 - no loop: the call raises, no tolerance needed
        return np.dtype(np.float64)


@given(
    name=st.sampled_from(UNARY),
    dtype=dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    data=st.data(),
)
def test_unary(name, dtype, shape, data):
    ran()
    spec = data.draw(arrays(shape, dtype), label="x")
    if name == "reciprocal" and dtype.kind in "iu":
        # NumPy's integer 1/0 is an undefined float-to-int cast (INT_MIN on x86).
        spec = spec.mapped(lambda b: np.where(b == 0, 1, b))
    np_x, lnp_x = spec.np(), spec.lnp()
    tol = _tol(name, _result_dtype(name, dtype))
    compare(lambda: getattr(np, name)(np_x), lambda: getattr(lnp, name)(lnp_x), tol, name)


@st.composite
def _broadcastable(draw, n=2):
    """Shapes of ``n`` operands that broadcast (or, 1 time in 8, two that do not)."""
    if draw(st.integers(0, 7)) == 0:
        a = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
        b = list(a)
        b[-1] = a[-1] + 1
        return (a, tuple(b)) + (a,) * (n - 2), None
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=4, max_side=4))
    return shapes.input_shapes, shapes.result_shape


@given(
    name=st.sampled_from(BINARY),
    dtypes_=st.tuples(dtypes(), dtypes()),
    shapes=_broadcastable(),
    data=st.data(),
)
def test_binary(name, dtypes_, shapes, data):
    ran()
    (sa, sb), _ = shapes
    a = data.draw(arrays(sa, dtypes_[0]), label="a")
    b = data.draw(arrays(sb, dtypes_[1]), label="b")
    rdt = _result_dtype(name, *dtypes_)
    tol = _tol(name, rdt)
    na, nb, la, lb = a.np(), b.np(), a.lnp(), b.lnp()
    compare(lambda: getattr(np, name)(na, nb), lambda: getattr(lnp, name)(la, lb), tol, name)


_OPERATORS = {
    "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
    "/": lambda x, y: x / y, "//": lambda x, y: x // y, "%": lambda x, y: x % y,
    "**": lambda x, y: x**y, "&": lambda x, y: x & y, "|": lambda x, y: x | y,
    "^": lambda x, y: x ^ y, "<<": lambda x, y: x << y, ">>": lambda x, y: x >> y,
    "==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y,
}
_OP_UFUNC = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide", "//": "floor_divide",
             "%": "remainder", "**": "power", "<<": "left_shift"}


def _python_scalars():
    return st.one_of(
        st.booleans(),
        st.integers(-5, 9),
        st.sampled_from([127, 128, 255, 256, -129, 2**31, 2**63 - 1, 2**63, -(2**63), 2**64]),
        st.integers(-20, 20).map(lambda i: i / 4.0),
        st.sampled_from([float("nan"), float("inf"), -0.0, 1e300]),
        st.builds(complex, st.integers(-3, 3), st.integers(-3, 3)),
    )


@given(
    op=st.sampled_from(sorted(_OPERATORS)),
    dtype=dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    scalar=_python_scalars(),
    reflected=st.booleans(),
    data=st.data(),
)
def test_operator_with_python_scalar(op, dtype, shape, scalar, reflected, data):
    """``x op 3``, ``2.5 op x``: NumPy 2's weak scalars (and its OverflowError for an
    integer out of the array type's range)."""
    ran()
    spec = data.draw(arrays(shape, dtype), label="x")
    fn = _OPERATORS[op]
    nx, lx = spec.np(), spec.lnp()
    if reflected:
        np_call, lnp_call = (lambda: fn(scalar, nx)), (lambda: fn(scalar, lx))
    else:
        np_call, lnp_call = (lambda: fn(nx, scalar)), (lambda: fn(lx, scalar))
    tol = _tol(_OP_UFUNC.get(op, "add"), np.result_type(dtype, np.float64) if dtype.kind in "biu" else dtype)
    compare(np_call, lnp_call, tol, f"x {op} {scalar!r}")


_INPLACE = ["+=", "-=", "*=", "/=", "//=", "%=", "&=", "|=", "^=", "<<=", ">>=", "**="]


@given(
    op=st.sampled_from(_INPLACE),
    dtypes_=st.tuples(dtypes(), dtypes()),
    shapes=_broadcastable(),
    data=st.data(),
)
def test_inplace_operator_on_view(op, dtypes_, shapes, data):
    """``view op= other``: the result is cast to the view's dtype (same_kind, else
    NumPy's error), written through the view, and the base sees it."""
    ran()
    (sa, sb), _ = shapes
    x = Pair.of(data.draw(arrays(sa, dtypes_[0], broadcast=False), label="x"))
    other = data.draw(arrays(sb, dtypes_[1]), label="other")
    no, lo = other.np(), other.lnp()

    def apply(v, o):
        scope = {"v": v, "o": o}
        exec(f"v {op} o", scope)  # noqa: S102 - the operator under test
        return scope["v"]

    tol = _tol(_OP_UFUNC.get(op[:-1], "add"), dtypes_[0])
    expected = outcome(lambda: apply(x.np, no))
    got = outcome(lambda: apply(x.lnp, lo))
    same(expected, got, tol, f"x {op} other")
    x.check(f"after x {op} other", tol)


@given(
    name=st.sampled_from(BINARY + UNARY),
    dtypes_=st.tuples(dtypes(), dtypes(), dtypes()),
    shapes=_broadcastable(n=3),
    use_where=st.booleans(),
    data=st.data(),
)
def test_ufunc_out_and_where(name, dtypes_, shapes, use_where, data):
    """``ufunc(..., out=view, where=mask)``: the result lands in ``out`` (cast
    same_kind), masked elements keep their values, the base of ``out`` sees it; an
    ``out`` of the wrong shape or dtype raises NumPy's error."""
    ran()
    (sa, sb, sm), result = shapes
    uf_np, uf_lnp = getattr(np, name), getattr(lnp, name)
    nin = uf_np.nin
    a = data.draw(arrays(sa, dtypes_[0]), label="a")
    b = data.draw(arrays(sb, dtypes_[1]), label="b")
    rdt = _result_dtype(name, *dtypes_[: uf_np.nin])
    # out: the broadcast shape, or (sometimes) a bad one.
    if result is None:
        out_shape = sa
    elif nin == 1:
        out_shape = data.draw(st.sampled_from([sa, sa, sa, sa + (2,)]), label="out shape")
    else:
        out_shape = data.draw(st.sampled_from([result, result, result, (3,) + tuple(result)]), label="out shape")
    out = Pair.of(data.draw(arrays(out_shape, dtypes_[2], broadcast=False), label="out"))
    mask = data.draw(arrays(sm if result is not None else (), np.bool_, specials=False), label="where") if use_where else None
    args_np = (a.np(),) if nin == 1 else (a.np(), b.np())
    args_lnp = (a.lnp(),) if nin == 1 else (a.lnp(), b.lnp())
    kw_np = {"out": out.np}
    kw_lnp = {"out": out.lnp}
    if mask is not None:
        kw_np["where"], kw_lnp["where"] = mask.np(), mask.lnp()
    # The loop's precision or out's, whichever is lower.
    tol = _tol(name, max([rdt, dtypes_[2]], key=lambda d: _tol(name, d)["rtol"] if _tol(name, d) else 0))
    expected = outcome(lambda: uf_np(*args_np, **kw_np))
    got = outcome(lambda: uf_lnp(*args_lnp, **kw_lnp))
    same(expected, got, tol, f"{name}(out=, where=)")
    # After a failed call NumPy's out may be partly written; compare only on success.
    if not hasattr(expected, "exc"):
        out.check(f"{name} out", tol)


@given(
    src=dtypes(),
    dst=dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    data=st.data(),
)
def test_astype(src, dst, shape, data):
    ran()
    # Float to integer: NumPy's result for NaN, infinities and values out of the target
    # range is undefined (platform-specific); the NaN->int cast values are being fixed
    # separately. Only values that fit are cast here.
    specials = not (src.kind in "fc" and dst.kind in "iub")
    spec = data.draw(arrays(shape, src, specials=specials), label="x")
    spec = spec.fit_to(dst)
    nx, lx = spec.np(), spec.lnp()
    compare(lambda: nx.astype(dst), lambda: lx.astype(dst), None, f"astype {src}->{dst}")


@given(dtype=dtypes(INTS + FLOATS + COMPLEX), shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), data=st.data())
def test_divmod_and_clip(dtype, shape, data):
    ran()
    a = data.draw(arrays(shape, dtype), label="a")
    b = data.draw(arrays(shape, dtype), label="b")
    na, nb, la, lb = a.np(), b.np(), a.lnp(), b.lnp()
    if dtype.kind != "c":
        compare(lambda: np.divmod(na, nb), lambda: lnp.divmod(la, lb), _tol("floor_divide", dtype), "divmod")
    lo, hi = data.draw(st.sampled_from([(0, 2), (None, 1), (-1, None), (2, -2), (None, None), (-1, 300)]), label="bounds")
    compare(lambda: np.clip(na, lo, hi), lambda: lnp.clip(la, lo, hi), None, f"clip({lo}, {hi})")


@given(dtype=dtypes(ALL), shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), data=st.data())
def test_where_select(dtype, shape, data):
    """``where(cond, x, y)`` with broadcasting among the three."""
    ran()
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, base_shape=shape, max_side=4), label="shapes")
    sc, sx, sy = shapes.input_shapes
    c = data.draw(arrays(sc, np.bool_), label="cond")
    x = data.draw(arrays(sx, dtype), label="x")
    y = data.draw(arrays(sy, data.draw(dtypes(), label="ydtype")), label="y")
    compare(lambda: np.where(c.np(), x.np(), y.np()), lambda: lnp.where(c.lnp(), x.lnp(), y.lnp()), None, "where")
