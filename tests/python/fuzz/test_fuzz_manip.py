"""Shape manipulation, joining, sorting and products on random arrays, against NumPy.

Views (reshape, transpose, swapaxes, moveaxis, squeeze, expand_dims, ravel, flip, real,
imag) are written through afterwards: the base must see exactly what NumPy's sees.
Arguments are sometimes bad (a shape of another size, an axis out of range, arrays
that do not join, matrices that do not multiply).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import legate_numeric as lnp
from fuzzlib import BOOL, COMPLEX, FLOATS, INTS, Pair, arrays, dtypes, outcome, quiet, ran, same, trace


def _factor_shape(draw, size):
    """A random shape of ``size`` elements (one -1 sometimes), or of another size."""
    if draw(st.integers(0, 9)) == 0:
        return (size + 1,)
    dims = []
    rest = size
    for _ in range(draw(st.integers(0, 3))):
        divs = [d for d in range(1, rest + 1) if rest % d == 0] if rest else [0, 1, 2]
        d = draw(st.sampled_from(divs))
        dims.append(d)
        rest = rest // d if d else rest
    if size == 0 and 0 not in dims:
        dims.append(0)
    elif rest != 1 or not dims:
        dims.append(rest)
    shape = tuple(dims)
    if shape and size and draw(st.booleans()):
        i = draw(st.integers(0, len(shape) - 1))
        shape = shape[:i] + (-1,) + shape[i + 1:]
    return shape


@given(dtype=dtypes(), shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), data=st.data())
def test_views(dtype, shape, data):
    """A chain of view operations, then a write through the last one."""
    ran()
    x = Pair.of(data.draw(arrays(shape, dtype, broadcast=False), label="x"))
    v_np, v_lnp = x.np, x.lnp
    steps = []
    for _ in range(data.draw(st.integers(1, 3), label="steps")):
        step = _view_step(data.draw, v_np)
        steps.append(step)
        trace("views", x.spec, steps)
        expected = outcome(lambda: step[1](np, v_np))
        got = outcome(lambda: step[1](lnp, v_lnp))
        same(expected, got, None, f"{step[0]}")
        if hasattr(expected, "exc"):
            return
        with quiet():
            v_np, v_lnp = step[1](np, v_np), step[1](lnp, v_lnp)
    if isinstance(v_np, np.ndarray) and v_np.size and v_np.flags.writeable:
        value = data.draw(st.integers(0, 3), label="written")
        with quiet():
            v_np[...] = value
            v_lnp[...] = value
        x.check(f"after writing through {[s[0] for s in steps]}")
    x.check("after the views")


def _view_step(draw, v):
    nd = v.ndim
    kind = draw(st.sampled_from(["reshape", "transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims",
                                 "ravel", "flip", "T", "real", "imag", "slice", "diagonal"]))
    if kind == "reshape":
        shape = _factor_shape(draw, v.size)
        order = draw(st.sampled_from(["C", "C", "F"]))
        return (f"reshape({shape}, order={order})", lambda m, a: a.reshape(shape, order=order))
    if kind == "transpose":
        axes = tuple(draw(st.permutations(range(nd)))) if nd and draw(st.booleans()) else None
        if axes is not None and draw(st.integers(0, 7)) == 0:
            axes = axes + (0,)
        return (f"transpose({axes})", lambda m, a: m.transpose(a, axes))
    if kind in ("swapaxes", "moveaxis"):
        i, j = draw(st.integers(-nd - 1, nd)), draw(st.integers(-nd - 1, nd))
        return (f"{kind}({i}, {j})", lambda m, a: getattr(m, kind)(a, i, j))
    if kind == "squeeze":
        ones = [i for i, s in enumerate(v.shape) if s == 1]
        axis = draw(st.one_of(st.none(), st.sampled_from(ones + [nd, 0] if ones else [nd, 0])))
        return (f"squeeze({axis})", lambda m, a: m.squeeze(a, axis=axis))
    if kind == "expand_dims":
        axis = draw(st.integers(-nd - 2, nd + 1))
        return (f"expand_dims({axis})", lambda m, a: m.expand_dims(a, axis))
    if kind == "ravel":
        order = draw(st.sampled_from(["C", "F", "A", "K"]))
        return (f"ravel({order})", lambda m, a: m.ravel(a, order=order))
    if kind == "flip":
        axis = draw(st.one_of(st.none(), st.integers(-nd - 1, nd)))
        return (f"flip({axis})", lambda m, a: m.flip(a, axis=axis))
    if kind == "T":
        return ("T", lambda m, a: a.T)
    if kind in ("real", "imag"):
        return (kind, lambda m, a: getattr(a, kind))
    if kind == "diagonal" and nd >= 2:
        off = draw(st.integers(-2, 2))
        return (f"diagonal({off})", lambda m, a: m.diagonal(a, off))
    key = draw(hnp.basic_indices(v.shape, allow_newaxis=True)) if nd else ()
    return (f"[{key!r}]", lambda m, a: a[key])


@st.composite
def _joinable(draw, n_max=3):
    """Shapes of 1..n arrays that join along ``axis`` (or, 1 in 8, ones that do not)."""
    base = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4)))
    axis = draw(st.integers(-len(base), len(base) - 1))
    n = draw(st.integers(1, n_max))
    shapes = []
    for _ in range(n):
        s = list(base)
        s[axis] = draw(st.integers(0, 3))
        shapes.append(tuple(s))
    if draw(st.integers(0, 7)) == 0 and len(base) > 1:
        other = (axis + 1) % len(base)
        s = list(shapes[-1])
        s[other] += 1
        shapes[-1] = tuple(s)
    return shapes, axis


@given(joinable=_joinable(), dtypes_=st.lists(dtypes(), min_size=3, max_size=3),
       func=st.sampled_from(["concatenate", "stack", "vstack", "hstack", "dstack"]), data=st.data())
def test_join(joinable, dtypes_, func, data):
    ran()
    shapes, axis = joinable
    if func == "stack":
        shapes = [shapes[0]] * len(shapes) if data.draw(st.integers(0, 5), label="same") else shapes
    specs = [data.draw(arrays(s, dtypes_[i % 3]), label=f"a{i}") for i, s in enumerate(shapes)]
    kw = {"axis": axis} if func in ("concatenate", "stack") else {}
    if func == "concatenate" and data.draw(st.integers(0, 5), label="axis None") == 0:
        kw = {"axis": None}
    trace(func, specs, kw)
    expected = outcome(lambda: getattr(np, func)([s.np() for s in specs], **kw))
    got = outcome(lambda: getattr(lnp, func)([s.lnp() for s in specs], **kw))
    same(expected, got, None, f"{func}({kw})")


@given(dtype=dtypes(), shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), data=st.data())
def test_sort(dtype, shape, data):
    """sort/argsort (stable: equal keys keep their order, NaNs last), also in place."""
    ran()
    x = Pair.of(data.draw(arrays(shape, dtype, broadcast=False, huge=False), label="x"))
    nd = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-nd - 1, max(nd, 1))), label="axis")
    how = data.draw(st.sampled_from(["sort", "argsort", "method"]), label="how")
    trace("sort", x.spec, axis, how)
    if how == "method":
        ax = -1 if axis is None else axis
        if nd == 0:
            return
        expected = outcome(lambda: x.np.sort(axis=ax))
        got = outcome(lambda: x.lnp.sort(axis=ax))
        same(expected, got, None, f"a.sort(axis={ax})")
        if not hasattr(expected, "exc"):
            x.check("after a.sort()")
        return
    f = getattr(np, how)
    expected = outcome(lambda: f(x.np, axis=axis, kind="stable"))
    got = outcome(lambda: getattr(lnp, how)(x.lnp, axis=axis, kind="stable"))
    same(expected, got, None, f"{how}(axis={axis})")


@given(dtypes_=st.tuples(dtypes(), dtypes()), data=st.data(), func=st.sampled_from(["matmul", "dot", "@", "vdot", "inner", "outer"]))
def test_products(dtypes_, data, func):
    """Small matrix products, stacked and broadcast, sometimes of mismatched shapes."""
    ran()
    m, k, n = (data.draw(st.integers(0, 4), label=c) for c in "mkn")
    kind = data.draw(st.sampled_from(["mm", "mv", "vm", "vv", "stacked", "bad", "scalar"]), label="kind")
    sa, sb = {
        "mm": ((m, k), (k, n)), "mv": ((m, k), (k,)), "vm": ((k,), (k, n)), "vv": ((k,), (k,)),
        "stacked": ((2, 1, m, k), (3, k, n)), "bad": ((m, k), (k + 1, n)), "scalar": ((), (k,)),
    }[kind]
    a = data.draw(arrays(sa, dtypes_[0], specials=False, small=True), label="a")
    b = data.draw(arrays(sb, dtypes_[1], specials=False, small=True), label="b")
    trace(func, a, b)
    if func == "@":
        np_call, lnp_call = (lambda: a.np() @ b.np()), (lambda: a.lnp() @ b.lnp())
    else:
        np_call, lnp_call = (lambda: getattr(np, func)(a.np(), b.np())), (lambda: getattr(lnp, func)(a.lnp(), b.lnp()))
    expected = outcome(np_call)
    got = outcome(lnp_call)
    rdt = np.result_type(dtypes_[0], dtypes_[1])
    tol = None
    if rdt.kind in "fc":
        eps = float(np.finfo(rdt).eps)
        tol = dict(rtol=16 * max(k, 1) * eps, abs=16 * max(k, 1) * eps * 9)
    same(expected, got, tol, f"{func} {sa} x {sb}")


@given(dtype=dtypes(), shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), data=st.data())
def test_repeat_tile_roll(dtype, shape, data):
    ran()
    x = data.draw(arrays(shape, dtype), label="x")
    nd = len(shape)
    op = data.draw(st.sampled_from(["repeat", "tile", "roll", "diff", "flip", "copy", "tril", "triu"]), label="op")
    axis = data.draw(st.one_of(st.none(), st.integers(-nd - 1, nd)), label="axis")
    arg = data.draw(st.integers(-3, 3), label="arg")
    calls = {
        "repeat": lambda m, a: m.repeat(a, abs(arg), axis=axis),
        "tile": lambda m, a: m.tile(a, (abs(arg),) * (1 + abs(arg) % 3)),
        "roll": lambda m, a: m.roll(a, arg, axis=axis),
        "diff": lambda m, a: m.diff(a, n=abs(arg), axis=-1 if axis is None else axis),
        "flip": lambda m, a: m.flip(a, axis=axis),
        "copy": lambda m, a: m.copy(a),
        "tril": lambda m, a: m.tril(a, arg),
        "triu": lambda m, a: m.triu(a, arg),
    }
    trace(op, x, axis, arg)
    nx, lx = x.np(), x.lnp()
    expected = outcome(lambda: calls[op](np, nx))
    got = outcome(lambda: calls[op](lnp, lx))
    same(expected, got, None, f"{op}(axis={axis}, {arg})")
