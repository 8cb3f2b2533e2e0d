"""Indexing, get and set, on random arrays and views, against NumPy.

Keys: basic (ints, slices with steps, ``None``, ``...``), integer arrays and lists,
boolean masks, mixes of arrays and slices, and bad keys (out of bounds, too many
indices, floats, two ellipses). A result NumPy gives as a view must alias here (a
write through it reaches the base); a copy must not.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import legate_numeric as lnp
from fuzzlib import MAX_DIMS, STORE_MAX_DIMS, Pair, arrays, dtypes, elements, outcome, quiet, ran, same, trace


@st.composite
def keys(draw, shape):
    """An index for an array of ``shape`` (sometimes a bad one)."""
    nd = len(shape)
    kind = draw(st.sampled_from(["basic", "basic", "basic", "ints", "list", "mask", "mixed", "bad"]))
    if kind == "basic" or (kind in ("ints", "mixed") and (not nd or 0 in shape)):
        return draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    if kind == "ints":
        return draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)))
    if kind == "list":
        n = shape[0] if nd else 0
        if not n:
            return [] if nd else ()
        return draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=4))
    if kind == "mask":
        k = draw(st.integers(0, nd))
        return draw(hnp.arrays(np.bool_, shape[:k])) if k else draw(st.booleans())
    if kind == "mixed":
        # An integer array on one axis, slices (or another array) elsewhere.
        axis = draw(st.integers(0, nd - 1))
        idx = draw(hnp.arrays(np.intp, draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)),
                              elements=st.integers(-shape[axis], shape[axis] - 1)))
        key = [slice(None)] * nd
        key[axis] = idx
        if nd > 1 and draw(st.booleans()):
            other = draw(st.sampled_from([a for a in range(nd) if a != axis]))
            key[other] = draw(st.integers(-shape[other], shape[other] - 1)) if shape[other] else slice(None)
        return tuple(key)
    # Bad keys.
    n = shape[0] if nd else 0
    return draw(st.sampled_from([
        (n,) if nd else (0,),
        (-n - 1,) if nd else (slice(None),),
        (0,) * (nd + 1),
        1.5,
        (Ellipsis, Ellipsis),
        [0.5],
        np.array([n + 3]),
        np.zeros(shape[:1] + (7,), bool) if nd else np.zeros(3, bool),
    ]))


@given(dtype=dtypes(), shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5), data=st.data())
def test_getitem(dtype, shape, data):
    ran()
    x = Pair.of(data.draw(arrays(shape, dtype, broadcast=False), label="x"))
    key = data.draw(keys(x.np.shape), label="key")
    trace("getitem", x.spec, key)
    lkey = _lnp_key(key)
    with quiet():
        try:
            if np.asarray(x.np[key]).ndim > STORE_MAX_DIMS:
                return
        except Exception:  # noqa: BLE001 - a bad key: compared below
            pass
    expected = outcome(lambda: x.np[key])
    got = outcome(lambda: x.lnp[lkey])
    same(expected, got, None, f"x[{key!r}]")
    if hasattr(expected, "exc"):
        return
    # Write through the result: a view changes the base, a copy does not.
    with quiet():
        r_np = x.np[key]
        r_lnp = x.lnp[lkey]
    if isinstance(r_np, np.ndarray) and r_np.size:
        r_np[...] = 7
        r_lnp[...] = 7
        x.check(f"after writing through x[{key!r}]")


def _lnp_key(key):
    """The key with NumPy arrays in it as legate_numeric arrays half the time (both
    must work), deterministically."""
    if isinstance(key, np.ndarray):
        return lnp.array(key) if key.size % 2 == 0 else key
    if isinstance(key, tuple):
        return tuple(_lnp_key(k) for k in key)
    return key


@given(dtype=dtypes(), shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5), data=st.data())
def test_setitem(dtype, shape, data):
    ran()
    x = Pair.of(data.draw(arrays(shape, dtype, broadcast=False), label="x"))
    key = data.draw(keys(x.np.shape), label="key")
    with quiet():
        try:
            if np.asarray(x.np[key]).ndim >= STORE_MAX_DIMS:
                return
        except Exception:  # noqa: BLE001 - a bad key: compared below
            pass
        try:
            target = np.asarray(x.np[key]).shape
        except Exception:  # noqa: BLE001 - a bad key: any value
            target = ()
    kinds = ["array", "array", "bad", "scalar"]
    kind = data.draw(st.sampled_from(kinds), label="value kind")
    if kind != "scalar" and target == () and not (isinstance(key, tuple) and not key):
        # DEFECT (setitem of one element): NumPy raises TypeError ('only 0-dimensional
        # arrays can be converted to Python scalars') for an array of ndim > 0 written
        # into one element picked by 0-d index arrays; legate_numeric raises
        # ValueError, or for a (1,) value writes it.
        return
    if kind == "bad" and not isinstance(key, (bool, np.bool_)) and (isinstance(key, (list, np.ndarray)) or (isinstance(key, tuple) and any(isinstance(k, np.ndarray) for k in key))):
        # Not compared: with an out-of-bounds index and a value of the wrong shape,
        # NumPy reports the shape, legate_numeric the index.
        kind = "array"
    if kind == "scalar":
        value = data.draw(st.one_of(elements(dtype, specials=False), st.integers(-3, 3), st.booleans()), label="value")
        np_value = lnp_value = value
    else:
        if kind == "array":
            vshape = data.draw(hnp.broadcastable_shapes(target, min_side=0, max_side=5, max_dims=min(MAX_DIMS, max(len(target), 2))), label="value shape")
        else:
            vshape = tuple(target) + (2,) if target else (3,)
        vdt = data.draw(dtypes(), label="value dtype")
        spec = data.draw(arrays(vshape, vdt, specials=False), label="value").fit_to(dtype)
        np_value, lnp_value = spec.np(), spec.lnp()
    trace("setitem", x.spec, key, np_value)
    lkey = _lnp_key(key)

    def set_np():
        x.np[key] = np_value

    def set_lnp():
        x.lnp[lkey] = lnp_value

    if _duplicate_targets(x.np, key):
        # NumPy documents no order for repeated indices in a set (last wins in
        # practice); the values written may differ.
        return
    expected = outcome(set_np)
    got = outcome(set_lnp)
    same(expected, got, None, f"x[{key!r}] = value")
    if not hasattr(expected, "exc"):
        x.check(f"after x[{key!r}] = value")


def _duplicate_targets(arr, key):
    """Whether the key selects some element twice (integer arrays with repeats)."""
    if not (isinstance(key, (list, np.ndarray)) or (isinstance(key, tuple) and any(isinstance(k, (list, np.ndarray)) for k in key))):
        return False
    try:
        ids = np.arange(arr.size).reshape(arr.shape)[key]
    except Exception:  # noqa: BLE001 - a bad key
        return False
    ids = np.asarray(ids).ravel()
    return len(np.unique(ids)) != len(ids)


@given(dtype=dtypes(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5), data=st.data())
def test_take_put_nonzero(dtype, shape, data):
    """take/put/nonzero/compress/take_along_axis (in and out of bounds, modes)."""
    ran()
    x = Pair.of(data.draw(arrays(shape, dtype, broadcast=False), label="x"))
    n = x.np.size
    nd = len(shape)
    op = data.draw(st.sampled_from(["take", "put", "nonzero", "compress", "take_along_axis", "flatnonzero", "argwhere"]), label="op")
    idx = data.draw(hnp.arrays(np.intp, data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=4), label="ishape"),
                               elements=st.integers(-n - 2, n + 2)), label="indices")
    mode = data.draw(st.sampled_from(["raise", "raise", "wrap", "clip"]), label="mode")
    axis = data.draw(st.one_of(st.none(), st.integers(-nd - 1, nd)), label="axis")
    trace(op, x.spec, idx, mode, axis)
    if op == "take":
        np_call, lnp_call = (lambda: np.take(x.np, idx, axis=axis, mode=mode)), (lambda: lnp.take(x.lnp, lnp.array(idx), axis=axis, mode=mode))
    elif op == "put":
        vals = np.arange(1, idx.size + 2).astype(dtype)[: max(idx.size, 1)]
        if _repeats(idx, n, mode):
            return  # repeated targets: NumPy documents no order
        np_call = lambda: np.put(x.np, idx, vals, mode=mode)  # noqa: E731
        lnp_call = lambda: lnp.put(x.lnp, lnp.array(idx), lnp.array(vals), mode=mode)  # noqa: E731
    elif op == "nonzero":
        np_call, lnp_call = (lambda: np.nonzero(x.np)), (lambda: lnp.nonzero(x.lnp))
    elif op == "flatnonzero":
        np_call, lnp_call = (lambda: np.flatnonzero(x.np)), (lambda: lnp.flatnonzero(x.lnp))
    elif op == "argwhere":
        np_call, lnp_call = (lambda: np.argwhere(x.np)), (lambda: lnp.argwhere(x.lnp))
    elif op == "compress":
        cond = (idx.ravel() % 2 == 0)
        np_call, lnp_call = (lambda: np.compress(cond, x.np, axis=axis)), (lambda: lnp.compress(lnp.array(cond), x.lnp, axis=axis))
    else:
        ax = axis if axis is not None else -1
        ishape = list(shape)
        if -nd <= ax < nd:
            ishape[ax] = idx.size % 4
        along = np.resize(idx, ishape) if ishape else idx
        np_call = lambda: np.take_along_axis(x.np, along, axis=ax)  # noqa: E731
        lnp_call = lambda: lnp.take_along_axis(x.lnp, lnp.array(along), axis=ax)  # noqa: E731
    expected = outcome(np_call)
    got = outcome(lnp_call)
    same(expected, got, None, f"{op}")
    if not hasattr(expected, "exc"):
        x.check(f"after {op}")


def _repeats(idx, n, mode):
    if n == 0:
        return False
    flat = idx.ravel()
    if mode == "wrap":
        flat = flat % n
    elif mode == "clip":
        flat = np.clip(flat, 0, n - 1)
    else:
        flat = np.where(flat < 0, flat + n, flat)
    return len(np.unique(flat)) != len(flat)
