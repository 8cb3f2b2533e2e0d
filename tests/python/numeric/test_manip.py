"""Array manipulation: reshape ravel transpose swapaxes moveaxis squeeze expand_dims
broadcast_to broadcast_arrays concatenate stack vstack hstack dstack split array_split
flip roll astype atleast_1d/2d/3d (plus the fallbacks tile/repeat)."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import DTYPE_IDS, DTYPES, check, check_same_error, make, quiet, xfail


def pair(dtype, shape, salt=0, **kw):
    src = make(dtype, shape, salt, **kw)
    return src, lnp.array(src)


# Non-contiguous views of a (4, 6) base: (name, function applied to both libraries).
VIEWS = {
    "contig": lambda a: a,
    "step": lambda a: a[::2, 1::2],
    "negstep": lambda a: a[::-1, ::-2],
    "transpose": lambda a: a.T,
    "slice_T": lambda a: a[1:, :5].T,
    "newaxis": lambda a: a[:, None, 2:4],
}


# ---------------------------------------------------------------- reshape


@pytest.mark.parametrize(
    "shape, new",
    [
        ((), (1,)),
        ((), (1, 1)),
        ((1,), ()),
        ((12,), (3, 4)),
        ((12,), (2, -1, 3)),
        ((3, 4), (12,)),
        ((3, 4), (-1,)),
        ((3, 4), (4, 3)),
        ((3, 4), (2, 6)),
        ((2, 3, 4), (6, 4)),
        ((2, 3, 4), (2, 12)),
        ((2, 3, 4), (4, 3, 2)),
        ((2, 3, 4), (1, 24, 1)),
        ((2, 1, 3, 2), (3, 4)),
        ((2, 1, 3, 2), (2, 3, 2)),
        ((0,), (0, 5)),
        ((3, 0), (0,)),
        ((3, 0), (0, 7)),
        ((6,), (6, 1)),
        ((0,), (3, -1)),
    ],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex128], ids=["int32", "float64", "complex128"])
def test_reshape(shape, new, dtype):
    src, a = pair(dtype, shape)
    check(a.reshape(new), src.reshape(new))
    check(lnp.reshape(a, new), np.reshape(src, new))
    if len(new) > 1:
        check(a.reshape(*new), src.reshape(*new))


@pytest.mark.parametrize("view", VIEWS, ids=str)
@pytest.mark.parametrize("new", [(-1,), (2, -1), (-1, 2, 1), (1, -1)], ids=str)
def test_reshape_of_views(view, new):
    src, a = pair(np.float64, (4, 6))
    vs, va = VIEWS[view](src), VIEWS[view](a)
    if vs.size % 2 and 2 in new:
        with pytest.raises(ValueError):
            vs.reshape(new)
        with pytest.raises(ValueError):
            va.reshape(new)
        return
    check(va.reshape(new), vs.reshape(new))


def test_reshape_shape_keyword():
    src, a = pair(np.int64, (2, 6))
    check(lnp.reshape(a, shape=(3, 4)), np.reshape(src, shape=(3, 4)))


@pytest.mark.parametrize("shape, new", [((2, 3), (4,)), ((2, 3), (4, -1)), ((6,), (-1, -1)), ((0,), (-1, 0)), ((3, 0), (2, 2))], ids=str)
def test_reshape_wrong_size_raises(shape, new):
    src, a = pair(np.float64, shape)
    with pytest.raises(ValueError):
        src.reshape(new)
    with pytest.raises(ValueError):
        a.reshape(new)


# Base shape, the view to take first, and the new shape. For each, NumPy decides whether
# reshape gives a view (writing through it changes the base) or a copy (it does not).
ALIASING = [
    ((12,), None, (3, 4)),
    ((12,), None, (2, 2, 3)),
    ((3, 4), None, (12,)),
    ((3, 4), None, (2, 6)),
    ((2, 3, 4), None, (6, 4)),
    ((2, 3, 4), None, (2, 12)),
    ((2, 3, 4), None, (24,)),
    ((2, 3, 4), None, (4, 3, 2)),
    ((2, 1, 3), None, (2, 3)),
    ((2, 3), None, (2, 1, 3, 1)),
    ((4, 6), "step", (-1,)),
    ((4, 6), "transpose", (-1,)),
    ((4, 6), "transpose", (3, 2, 4)),
    ((4, 6), "rows", (12,)),
    ((4, 6), "rows", (2, 2, 3)),
    ((4, 6), "every other row", (-1,)),
    ((4, 6), "reversed", (-1,)),
    ((4, 6), "reversed", (3, 8)),
    ((2, 3, 4), "last row", (-1,)),
    ((2, 3, 4), "middle", (-1,)),
    ((4, 6), "flat then split", (4, 3)),
]


@pytest.mark.parametrize("shape, view, new", ALIASING, ids=str)
def test_reshape_aliasing_matches_numpy(shape, view, new):
    src = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    a = lnp.array(src)
    take = {
        None: lambda x: x,
        "step": lambda x: x[:, ::2],
        "transpose": lambda x: x.T,
        "rows": lambda x: x[1:3],
        "every other row": lambda x: x[::2],
        "reversed": lambda x: x[::-1, ::-1],
        "last row": lambda x: x[:, -1],
        "middle": lambda x: x[1, 1:],
        "flat then split": lambda x: x.reshape(-1)[::2].reshape(3, 4),
    }[view]
    r_np = take(src).reshape(new)
    r = take(a).reshape(new)
    check(r, r_np)
    r_np[(0,) * len(new)] = -1.0
    r[(0,) * len(new)] = -1.0
    # NumPy's base changed iff reshape gave a view: legate_numeric's must do the same.
    check(a, src)
    check(r, r_np)


@pytest.mark.parametrize("view", VIEWS, ids=str)
def test_ravel(view):
    src, a = pair(np.int32, (4, 6))
    check(VIEWS[view](a).ravel(), VIEWS[view](src).ravel())
    check(lnp.ravel(VIEWS[view](a)), np.ravel(VIEWS[view](src)))
    check(VIEWS[view](a).flatten(), VIEWS[view](src).flatten())


def test_ravel_of_contiguous_is_a_view():
    src, a = pair(np.float64, (3, 4))
    r_np, r = src.ravel(), a.ravel()
    r_np[5] = 100.0
    r[5] = 100.0
    check(a, src)


@pytest.mark.parametrize("view", [None, "rows", "cols"], ids=str)
def test_merged_views_order_with_base_writes(view):
    """Large enough that each operation runs as several tasks: writes through a
    flattened view and through the base must be ordered like NumPy's."""
    take = {None: lambda x: x, "rows": lambda x: x[10:290], "cols": lambda x: x[:, 100:]}[view]
    src = np.arange(300 * 400, dtype=np.float64).reshape(300, 400)
    a = lnp.array(src)
    flat_np, flat = take(src).reshape(-1), take(a).reshape(-1)
    # x[:, 100:] is not one run: NumPy copies, and so must we (check() compares both).
    assert np.shares_memory(flat_np, src) == (view != "cols")
    for x, f in ((src, flat_np), (a, flat)):
        f[1000:50000] *= 2.0
        x[100:200] += 1.0
        f[1:] = f[:-1] + 0.5
        x[:, ::3] -= f[: x[:, ::3].size].reshape(x[:, ::3].shape)
    check(a, src)
    check(flat, flat_np)


@pytest.mark.parametrize("order", ["C", "F", "A", "K"])
@pytest.mark.parametrize("view", [None, "T", "rows", "step"], ids=str)
def test_ravel_orders_alias_like_numpy(order, view):
    """``ravel`` gives a view only of arrays contiguous in that order (NumPy copies a
    strided array even where ``reshape(-1)`` would give a view)."""
    take = {None: lambda x: x, "T": lambda x: x.T, "rows": lambda x: x[1:3], "step": lambda x: x[:, ::2]}[view]
    src = np.arange(24.0).reshape(4, 6)
    a = lnp.array(src)
    r_np, r = take(src).ravel(order), take(a).ravel(order)
    check(r, r_np)
    r_np[0], r[0] = -1.0, -1.0
    check(a, src)


def test_ravel_keep_order_of_strided_and_broadcast_views(no_fallback):
    # order='K' follows NumPy's iterator: axes by |stride|, reversed axes read forward,
    # and broadcast (zero-stride) axes, which it never compares, kept in place.
    base = np.arange(120).reshape(2, 3, 4, 5)
    cases = [lambda x: x.transpose(2, 0, 3, 1), lambda x: x[::-1, :, ::2, 1:].transpose(3, 1, 0, 2), lambda x: x[:, ::-2, :, ::-1].transpose(1, 3, 2, 0)]
    for take in cases:
        check(lnp.ravel(take(lnp.array(base)), order="K"), np.ravel(take(base), order="K"))
    for src_shape, target, perm in [((3,), (2, 3), (1, 0)), ((4, 1, 5), (4, 3, 5), (2, 1, 0)), ((4, 1, 5), (4, 3, 5), (1, 0, 2)),
                                    ((3, 1), (3, 4), (1, 0)), ((2, 1, 4), (2, 3, 4), (1, 2, 0))]:
        x = np.arange(np.prod(src_shape)).reshape(src_shape)
        for sl in (Ellipsis, (slice(None, None, -1),) * len(target)):
            exp = np.broadcast_to(x, target).transpose(perm)[sl].ravel(order="K")
            check(lnp.broadcast_to(lnp.array(x), target).transpose(perm)[sl].ravel(order="K"), exp)


@pytest.mark.parametrize("shape, new", [((4, 6), (3, 8)), ((2, 3, 4), (6, 4)), ((2, 3, 4), (24,))], ids=str)
@pytest.mark.parametrize("order", ["F", "A"])
def test_reshape_fortran_order(shape, new, order, no_fallback):
    src = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    a = lnp.array(src)
    for take in (lambda x: x, lambda x: x.T):
        r_np, r = take(src).reshape(new, order=order), take(a).reshape(new, order=order)
        check(r, r_np)
        r_np[(0,) * len(new)] += 100.0
        r[(0,) * len(new)] += 100.0
        check(a, src)
    with pytest.raises(ValueError):
        a.reshape(new, order="X")


@pytest.mark.parametrize("kw", [{}, {"n": 2}, {"axis": 0}, {"n": 3, "axis": 0}, {"prepend": 0}, {"append": [[1], [2], [3], [4]]},
                                {"n": 0}, {"prepend": [[1, 2, 3, 4, 5, 6]], "axis": 0}], ids=str)
@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8, np.float64, np.complex128], ids=str)
def test_diff(kw, dtype, no_fallback):
    src, a = pair(dtype, (4, 6))
    exp, err = check_same_error(lambda: np.diff(src, **kw), lambda: lnp.diff(a, **kw))
    if err is None:
        check(lnp.diff(a, **kw), exp)
        check(lnp.diff(a.T, **kw) if "append" not in kw and "prepend" not in kw else lnp.diff(a, **kw),
              np.diff(src.T, **kw) if "append" not in kw and "prepend" not in kw else exp)


def test_diff_and_ediff1d_edges(no_fallback):
    src, a = pair(np.float64, (3, 4))
    check(lnp.ediff1d(a), np.ediff1d(src))
    check(lnp.ediff1d(a, to_begin=-1, to_end=[1, 2]), np.ediff1d(src, to_begin=-1, to_end=[1, 2]))
    check(lnp.ediff1d(lnp.array([])), np.ediff1d(np.array([])))
    for np_call, lnp_call in [(lambda: np.diff(np.array(3.0)), lambda: lnp.diff(lnp.array(3.0))),
                              (lambda: np.diff(src, n=-1), lambda: lnp.diff(a, n=-1)),
                              (lambda: np.ediff1d(np.arange(3), to_end=0.5), lambda: lnp.ediff1d(lnp.arange(3), to_end=0.5)),
                              # ediff1d subtracts (a TypeError for bools), where diff compares
                              (lambda: np.ediff1d(np.array([True, False])), lambda: lnp.ediff1d(lnp.array([True, False])))]:
        assert check_same_error(np_call, lnp_call)[1] is not None


def test_flatten_is_a_copy():
    src, a = pair(np.float64, (3, 4))
    f = a.flatten()
    f[0] = 123.0
    check(a, src)


# ---------------------------------------------------------------- transpose & co.


@pytest.mark.parametrize(
    "shape, axes",
    [((), None), ((5,), None), ((3, 4), None), ((3, 4), (1, 0)), ((2, 3, 4), None),
     ((2, 3, 4), (1, 0, 2)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (-1, 0, -2)), ((2, 1, 3, 2), (3, 1, 0, 2)),
     ((3, 0), None)],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.float32, np.complex128], ids=["bool", "uint8", "float32", "complex128"])
def test_transpose(shape, axes, dtype):
    src, a = pair(dtype, shape)
    check(lnp.transpose(a, axes), np.transpose(src, axes))
    if axes is None:
        check(a.T, src.T)
        check(a.transpose(), src.transpose())
    else:
        check(a.transpose(axes), src.transpose(axes))
        check(a.transpose(*axes), src.transpose(*axes))


def test_transpose_bad_axes():
    src, a = pair(np.float64, (2, 3))
    with pytest.raises(ValueError):
        src.transpose((0, 0))
    with pytest.raises(ValueError):
        a.transpose((0, 0))
    with pytest.raises(np.exceptions.AxisError):
        a.transpose((0, 2))


def test_transpose_is_a_view():
    src, a = pair(np.float64, (2, 3))
    t_np, t = src.T, a.T
    t_np[2, 1] = 50.0
    t[2, 1] = 50.0
    check(a, src)


@pytest.mark.parametrize("a1, a2", [(0, 1), (1, 0), (0, 2), (-1, 0), (1, 1), (-3, -1)], ids=str)
def test_swapaxes(a1, a2):
    src, a = pair(np.int64, (2, 3, 4))
    check(lnp.swapaxes(a, a1, a2), np.swapaxes(src, a1, a2))
    check(a.swapaxes(a1, a2), src.swapaxes(a1, a2))


@pytest.mark.parametrize(
    "source, dest",
    [(0, 2), (2, 0), (-1, 0), (1, -1), ((0, 1), (2, 3)), ((0, 3), (1, 0)), ([2, 0], [0, 1]), ((), ())],
    ids=str,
)
def test_moveaxis(source, dest):
    src, a = pair(np.float64, (2, 3, 4, 1))
    check(lnp.moveaxis(a, source, dest), np.moveaxis(src, source, dest))


def test_moveaxis_errors():
    src, a = pair(np.float64, (2, 3))
    with pytest.raises(ValueError):
        np.moveaxis(src, (0, 1), (0,))
    with pytest.raises(ValueError):
        lnp.moveaxis(a, (0, 1), (0,))
    with pytest.raises(np.exceptions.AxisError):
        lnp.moveaxis(a, 2, 0)


@pytest.mark.parametrize(
    "shape, axis",
    [((1,), None), ((1, 1), None), ((3, 1, 2, 1), None), ((3, 1, 2, 1), 1), ((3, 1, 2, 1), -1),
     ((3, 1, 2, 1), (1, 3)), ((1, 4), 0), ((), None), ((2, 3), None), ((0, 1), 1)],
    ids=str,
)
def test_squeeze(shape, axis):
    src, a = pair(np.float32, shape)
    check(lnp.squeeze(a, axis), np.squeeze(src, axis))
    check(a.squeeze(axis), src.squeeze(axis))


def test_squeeze_errors():
    src, a = pair(np.float32, (3, 1))
    with pytest.raises(ValueError):
        src.squeeze(0)
    with pytest.raises(ValueError):
        a.squeeze(0)
    with pytest.raises(np.exceptions.AxisError):
        a.squeeze(2)


@pytest.mark.parametrize(
    "shape, axis",
    [((), 0), ((), -1), ((3,), 0), ((3,), 1), ((3,), -1), ((2, 3), 1), ((2, 3), (0, 2)),
     ((2, 3), (0, -1)), ((2, 3), (3, 0)), ((0,), 0)],
    ids=str,
)
def test_expand_dims(shape, axis):
    src, a = pair(np.int32, shape)
    check(lnp.expand_dims(a, axis), np.expand_dims(src, axis))


def test_expand_dims_errors():
    src, a = pair(np.int32, (2, 3))
    for axis in (3, -4, (0, 4)):
        with pytest.raises(np.exceptions.AxisError):
            np.expand_dims(src, axis)
        with pytest.raises(np.exceptions.AxisError):
            lnp.expand_dims(a, axis)


def test_expand_dims_repeated_axis():
    src, a = pair(np.int32, (2, 3))
    with pytest.raises(ValueError):
        np.expand_dims(src, (0, 0))
    with pytest.raises(ValueError):
        lnp.expand_dims(a, (0, 0))


def test_squeeze_expand_dims_are_views():
    src, a = pair(np.float64, (3, 1))
    s_np, s = np.squeeze(src), lnp.squeeze(a)
    e_np, e = np.expand_dims(src, 0), lnp.expand_dims(a, 0)
    s_np[1] = 9.0
    s[1] = 9.0
    e_np[0, 2, 0] = 7.0
    e[0, 2, 0] = 7.0
    check(a, src)


# ---------------------------------------------------------------- broadcasting


@pytest.mark.parametrize(
    "shape, target",
    [((), (3,)), ((), (2, 3)), ((1,), (4,)), ((3,), (2, 3)), ((3, 1), (3, 4)), ((1, 4), (3, 4)),
     ((4,), (2, 3, 4)), ((2, 1, 4), (2, 3, 4)), ((3,), (0, 3)), ((1,), (0,)), ((2, 3), (2, 3))],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.complex128], ids=["bool", "int64", "complex128"])
def test_broadcast_to(shape, target, dtype):
    src, a = pair(dtype, shape)
    check(lnp.broadcast_to(a, target), np.broadcast_to(src, target))


def test_broadcast_to_int_shape_and_list():
    check(lnp.broadcast_to(lnp.array(5.0), 3), np.broadcast_to(np.array(5.0), 3))
    check(lnp.broadcast_to([1, 2], (3, 2)), np.broadcast_to([1, 2], (3, 2)))


@pytest.mark.parametrize("shape, target", [((3,), (4,)), ((2, 3), (3,)), ((3, 2), (3, 4)), ((2,), (2, 3))], ids=str)
def test_broadcast_to_incompatible(shape, target):
    src, a = pair(np.float64, shape)
    with pytest.raises(ValueError):
        np.broadcast_to(src, target)
    with pytest.raises(ValueError):
        lnp.broadcast_to(a, target)


@pytest.mark.parametrize(
    "shapes",
    [[(3, 1), (1, 4)], [(4,), (2, 3, 4)], [(), (2, 2)], [(2, 1, 3), (4, 1), (3,)], [(0, 1), (1, 5)], [(5,)]],
    ids=str,
)
def test_broadcast_arrays(shapes):
    srcs = [make(np.float64, s, salt=i) for i, s in enumerate(shapes)]
    got = lnp.broadcast_arrays(*[lnp.array(s) for s in srcs])
    exp = np.broadcast_arrays(*srcs)
    assert len(got) == len(exp)
    for g, e in zip(got, exp):
        check(g, e)


def test_broadcast_arrays_incompatible():
    with pytest.raises(ValueError):
        np.broadcast_arrays(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        lnp.broadcast_arrays(lnp.zeros(3), lnp.zeros(4))


# ---------------------------------------------------------------- joining


@pytest.mark.parametrize(
    "shapes, axis",
    [
        ([(3,), (4,)], 0),
        ([(3,), (0,), (2,)], 0),
        ([(2, 3), (4, 3)], 0),
        ([(2, 3), (2, 1), (2, 2)], 1),
        ([(2, 3), (2, 5)], -1),
        ([(2, 3, 4), (2, 1, 4)], 1),
        ([(2, 3), (4, 5)], None),
        ([(3, 0), (3, 2)], 1),
        ([(3, 0), (2, 0)], 0),
        ([(1, 2, 1, 2), (1, 2, 3, 2)], 2),
        ([(4,)], 0),
    ],
    ids=str,
)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_concatenate(shapes, axis, dtype):
    srcs = [make(dtype, s, salt=i) for i, s in enumerate(shapes)]
    check(lnp.concatenate([lnp.array(s) for s in srcs], axis=axis), np.concatenate(srcs, axis=axis))


@pytest.mark.parametrize(
    "dtypes",
    [(np.int32, np.float32), (np.uint8, np.int32), (np.bool_, np.int64), (np.float64, np.complex128), (np.uint8, np.float32)],
    ids=str,
)
def test_concatenate_mixed_dtypes(dtypes):
    srcs = [make(dt, (2, 3), salt=i) for i, dt in enumerate(dtypes)]
    check(lnp.concatenate([lnp.array(s) for s in srcs]), np.concatenate(srcs))
    check(lnp.concatenate([lnp.array(s) for s in srcs], dtype=np.complex128), np.concatenate(srcs, dtype=np.complex128))
    if np.complex128 not in dtypes:
        check(lnp.concatenate([lnp.array(s) for s in srcs], dtype=np.float64), np.concatenate(srcs, dtype=np.float64))


def test_concatenate_casting_rule():
    srcs = [make(np.float64, (2,)), make(np.complex128, (2,))]
    with pytest.raises(TypeError):
        np.concatenate(srcs, dtype=np.float64)
    with pytest.raises(TypeError):
        lnp.concatenate([lnp.array(s) for s in srcs], dtype=np.float64)


def test_concatenate_views_and_lists():
    src = make(np.float64, (4, 6))
    a = lnp.array(src)
    check(
        lnp.concatenate([a[::2], a[::-2], a[1:3, ::-1]], axis=0),
        np.concatenate([src[::2], src[::-2], src[1:3, ::-1]], axis=0),
    )
    check(lnp.concatenate([a.T, a[:, :2].T]), np.concatenate([src.T, src[:, :2].T]))
    check(lnp.concatenate(([1, 2], np.array([3.5]))), np.concatenate(([1, 2], np.array([3.5]))))


def test_concatenate_out():
    srcs = [make(np.float64, (2, 3), salt=i) for i in range(2)]
    out = lnp.zeros((4, 3))
    res = lnp.concatenate([lnp.array(s) for s in srcs], out=out)
    assert res is out
    check(out, np.concatenate(srcs))


@pytest.mark.parametrize(
    "shapes, axis",
    [([(2, 3), (2, 4)], 0), ([(2, 3), (3,)], 0), ([(), ()], 0), ([(2, 3), (2, 3)], 2), ([], 0)],
    ids=str,
)
def test_concatenate_errors(shapes, axis):
    srcs = [make(np.float64, s, salt=i) for i, s in enumerate(shapes)]
    with pytest.raises((ValueError, np.exceptions.AxisError)) as np_exc:
        np.concatenate(srcs, axis=axis)
    with pytest.raises(type(np_exc.value)):
        lnp.concatenate([lnp.array(s) for s in srcs], axis=axis)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (0,), (2, 0)], ids=str)
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.float64, np.complex128], ids=["bool", "int32", "float64", "complex128"])
def test_stack(shape, axis, dtype):
    srcs = [make(dtype, shape, salt=i) for i in range(3)]
    if axis > len(shape):
        with pytest.raises(np.exceptions.AxisError):
            np.stack(srcs, axis=axis)
        with pytest.raises(np.exceptions.AxisError):
            lnp.stack([lnp.array(s) for s in srcs], axis=axis)
        return
    check(lnp.stack([lnp.array(s) for s in srcs], axis=axis), np.stack(srcs, axis=axis))


def test_stack_errors():
    with pytest.raises(ValueError):
        np.stack([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError):
        lnp.stack([lnp.zeros(2), lnp.zeros(3)])
    with pytest.raises(ValueError):
        lnp.stack([])


@pytest.mark.parametrize(
    "shapes",
    [[(), ()], [(3,), (3,)], [(3,), (2, 3)], [(2, 3), (1, 3)], [(2, 3, 2), (1, 3, 2)], [(0,), (0,)]],
    ids=str,
)
@pytest.mark.parametrize("fn", ["vstack", "hstack", "dstack"])
def test_vstack_hstack_dstack(fn, shapes):
    srcs = [make(np.int64, s, salt=i) for i, s in enumerate(shapes)]
    try:
        exp = getattr(np, fn)(srcs)
    except ValueError:
        with pytest.raises(ValueError):
            getattr(lnp, fn)([lnp.array(s) for s in srcs])
        return
    check(getattr(lnp, fn)([lnp.array(s) for s in srcs]), exp)


def test_hstack_2d_and_mixed():
    a, b = make(np.float32, (2, 3)), make(np.float64, (2, 1), salt=1)
    check(lnp.hstack([lnp.array(a), lnp.array(b)]), np.hstack([a, b]))
    check(lnp.vstack([lnp.array(a), lnp.array(a)], dtype=np.complex128), np.vstack([a, a], dtype=np.complex128))


# ---------------------------------------------------------------- splitting


@pytest.mark.parametrize(
    "shape, spec, axis",
    [((6,), 3, 0), ((6,), 1, 0), ((6, 4), 2, 0), ((6, 4), 2, 1), ((6, 4), 4, -1), ((6,), [2, 4], 0),
     ((6,), [1, 1, 5], 0), ((6,), [-2], 0), ((6,), [3, 10], 0), ((4, 6), [1, 3], 1), ((0,), 2, 0), ((6,), [], 0)],
    ids=str,
)
def test_split(shape, spec, axis):
    src, a = pair(np.float64, shape)
    exp = np.split(src, spec, axis=axis)
    got = lnp.split(a, spec, axis=axis)
    assert len(got) == len(exp)
    for g, e in zip(got, exp):
        check(g, e)


def test_split_uneven_raises():
    src, a = pair(np.float64, (7,))
    with pytest.raises(ValueError):
        np.split(src, 3)
    with pytest.raises(ValueError):
        lnp.split(a, 3)


@pytest.mark.parametrize(
    "shape, spec, axis",
    [((7,), 3, 0), ((7,), 7, 0), ((3,), 5, 0), ((5, 4), 3, 0), ((5, 4), 3, 1), ((7,), [2, 4], 0),
     ((7,), [5, 2], 0), ((7,), [-3, -1], 0), ((7,), [0, 0, 9], 0), ((0,), 3, 0)],
    ids=str,
)
def test_array_split(shape, spec, axis):
    src, a = pair(np.int32, shape)
    exp = np.array_split(src, spec, axis=axis)
    got = lnp.array_split(a, spec, axis=axis)
    assert len(got) == len(exp)
    for g, e in zip(got, exp):
        check(g, e)


def test_array_split_zero_sections():
    with pytest.raises(ValueError):
        np.array_split(np.zeros(4), 0)
    with pytest.raises(ValueError):
        lnp.array_split(lnp.zeros(4), 0)


def test_split_pieces_are_views():
    src, a = pair(np.float64, (6,))
    pn, pl = np.split(src, 3), lnp.split(a, 3)
    pn[1][0] = 42.0
    pl[1][0] = 42.0
    check(a, src)


# ---------------------------------------------------------------- flip / roll


@pytest.mark.parametrize(
    "shape, axis",
    [((5,), None), ((5,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), (0, 2)),
     ((0,), None), ((), None), ((3, 0), 1)],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.float64, np.complex128], ids=["bool", "uint8", "float64", "complex128"])
def test_flip(shape, axis, dtype):
    src, a = pair(dtype, shape)
    check(lnp.flip(a, axis), np.flip(src, axis))


def test_fliplr_flipud():
    src, a = pair(np.float64, (3, 4))
    check(lnp.fliplr(a), np.fliplr(src))
    check(lnp.flipud(a), np.flipud(src))
    check(lnp.flipud(a[::2].T), np.flipud(src[::2].T))


@pytest.mark.parametrize(
    "shape, shift, axis",
    [((5,), 2, None), ((5,), -1, None), ((5,), 7, 0), ((5,), 0, 0), ((5,), 5, 0), ((3, 4), 1, None),
     ((3, 4), 1, 0), ((3, 4), -3, 1), ((3, 4), 2, -1), ((2, 3, 4), 5, 2), ((0,), 3, 0), ((3, 4), (1, 2), (0, 1)),
     ((2, 3, 4), (1, -1), (2, 0))],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.complex128], ids=["int32", "float32", "complex128"])
def test_roll(shape, shift, axis, dtype, no_fallback):
    src, a = pair(dtype, shape)
    check(lnp.roll(a, shift, axis), np.roll(src, shift, axis))


@pytest.mark.parametrize("shift, axis", [((1, 2), (0, 0)), ([1, -2], 1), (3, (0, 1)), ((2, 3), None), ((), ())], ids=str)
def test_roll_several_axes(shift, axis, no_fallback):
    """Shifts and axes pair by broadcasting; shifts of one axis add up."""
    src, a = pair(np.int64, (3, 4))
    check(lnp.roll(a, shift, axis), np.roll(src, shift, axis))


@pytest.mark.parametrize("shift", [1.5, -2.7, np.float64(2), True, np.array([1.0, 2.0]), "legate [1, 2]"], ids=repr)
@pytest.mark.parametrize("axis", [None, 0, (0, 0)], ids=str)
def test_roll_shifts_of_other_types(shift, axis, no_fallback):
    """NumPy takes int() of each shift: floats truncate, arrays (legate ones too) add up."""
    src, a = pair(np.int64, (5,))
    lshift = lnp.asarray([1, 2]) if isinstance(shift, str) else shift
    nshift = np.asarray([1, 2]) if isinstance(shift, str) else shift
    check(lnp.roll(a, lshift, axis), np.roll(src, nshift, axis))


def test_roll_of_view():
    src, a = pair(np.float64, (4, 6))
    check(lnp.roll(a[::-1, ::2], 2, axis=1), np.roll(src[::-1, ::2], 2, axis=1))
    check(lnp.roll(a.T, 1), np.roll(src.T, 1))


# ---------------------------------------------------------------- astype


def cast_source(src_dtype, dst_dtype, shape):
    """Values whose cast is defined (no negative floats to unsigned)."""
    positive = np.dtype(dst_dtype).kind == "u" and np.dtype(src_dtype).kind in "fc"
    return make(src_dtype, shape, positive=positive)


@pytest.mark.parametrize("dst", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("src_dt", DTYPES, ids=DTYPE_IDS)
def test_astype(src_dt, dst):
    src = cast_source(src_dt, dst, (3, 5))
    a = lnp.array(src)
    with quiet():
        exp = src.astype(dst)
        got = a.astype(dst)
    check(got, exp)
    with quiet():
        check(a[::-1, 1::2].T.astype(dst), src[::-1, 1::2].T.astype(dst))
        check(a[1, 2].astype(dst) if isinstance(a[1, 2], lnp.ndarray) else lnp.array(src[1, 2]).astype(dst), src[1, 2].astype(dst))


@pytest.mark.parametrize("shape", [(), (0,), (3, 0)], ids=str)
def test_astype_special_shapes(shape):
    src, a = pair(np.int32, shape)
    check(a.astype(np.float32), src.astype(np.float32))
    check(a.astype(np.complex128), src.astype(np.complex128))


def test_astype_copy_semantics():
    src, a = pair(np.float64, (4,))
    b = a.astype(np.float64)
    b[0] = 100.0
    check(a, src)
    assert a.astype(np.float64, copy=False) is a


def test_astype_casting_rule():
    src, a = pair(np.float64, (3,))
    with pytest.raises(TypeError):
        src.astype(np.int32, casting="safe")
    with pytest.raises(TypeError):
        a.astype(np.int32, casting="safe")
    check(a.astype(np.complex128, casting="safe"), src.astype(np.complex128, casting="safe"))


@pytest.mark.parametrize(
    "values, dst",
    [([0.0, -0.0, 0.5, -0.5, 2.7, -2.7], np.int32), ([np.nan, 1.0, 0.0, -0.0, np.inf], np.bool_),
     ([300, -1, 256, 255], np.uint8), ([2**31, -(2**31) - 1], np.int32), ([1e-300, 1e300], np.float32)],
    ids=str,
)
def test_astype_edge_values(values, dst):
    src = np.array(values)
    with quiet():
        exp = src.astype(dst)
        got = lnp.array(src).astype(dst)
    check(got, exp)


# ---------------------------------------------------------------- atleast_nd


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4), (0,)], ids=str)
@pytest.mark.parametrize("fn", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast(fn, shape):
    src, a = pair(np.float32, shape)
    check(getattr(lnp, fn)(a), getattr(np, fn)(src))


@pytest.mark.parametrize("fn", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast_many(fn):
    srcs = [make(np.int64, s, salt=i) for i, s in enumerate([(), (2,), (2, 2)])]
    got = getattr(lnp, fn)(*[lnp.array(s) for s in srcs])
    exp = getattr(np, fn)(*srcs)
    assert isinstance(got, tuple) and len(got) == len(exp)
    for g, e in zip(got, exp):
        check(g, e)
    check(getattr(lnp, fn)(5), getattr(np, fn)(5))


# ---------------------------------------------------------------- tile, repeat


@pytest.mark.parametrize("reps", [2, (2, 1), (1, 3)], ids=str)
def test_tile(reps):
    src, a = pair(np.int32, (2, 3))
    with quiet():
        got = lnp.tile(a, reps)
    check(got, np.tile(src, reps))


@pytest.mark.parametrize(
    "repeats, axis",
    [(2, None), (2, 0), (0, 1), ([1, 2, 0], 1), ([3], 0), ([0, 0, 0], 1), ([2, 0], 0), ([0, 1, 2, 3, 0, 1], None),
     (np.array([4, 1, 0]), -1)],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.float64, np.complex128], ids=["bool", "int32", "float64", "complex128"])
def test_repeat(repeats, axis, dtype, no_fallback):
    src, a = pair(dtype, (2, 3))
    check(lnp.repeat(a, repeats, axis=axis), np.repeat(src, repeats, axis=axis))
    check(a.repeat(repeats, axis=axis), src.repeat(repeats, axis=axis))
    check(lnp.repeat(a.T, repeats if axis is None else repeats if np.size(repeats) == 1 else 2, axis=axis),
          np.repeat(src.T, repeats if axis is None else repeats if np.size(repeats) == 1 else 2, axis=axis))


def test_repeat_counts_long(no_fallback):
    """Counts over many elements (several tasks build the index)."""
    src = np.arange(5000.0)
    counts = np.arange(5000) % 4
    check(lnp.repeat(lnp.array(src), lnp.array(counts)), np.repeat(src, counts))


@pytest.mark.parametrize("repeats", [[1, 2], [1, -1, 2], [[1, 2, 3]], -1], ids=str)
def test_repeat_errors(repeats):
    src, a = pair(np.float64, (3,))
    exp, err = check_same_error(lambda: np.repeat(src, repeats), lambda: lnp.repeat(a, repeats))
    assert err is not None


def test_broadcast_to_view_is_read_only():
    b_np = np.broadcast_to(np.arange(4.0), (3, 4))
    with pytest.raises(ValueError):
        b_np[1, 2] = 100.0
    b = lnp.broadcast_to(lnp.arange(4.0), (3, 4))
    with pytest.raises(ValueError):
        b[1, 2] = 100.0
    with pytest.raises(ValueError):
        b += 1


def test_squeeze_repeated_axis_raises():
    with pytest.raises(ValueError):
        np.squeeze(np.zeros((1, 3, 1)), (0, 0))
    with pytest.raises(ValueError):
        lnp.squeeze(lnp.zeros((1, 3, 1)), (0, 0))


LIST_AXIS_BUG = "bug: {} with axis given as a list raises TypeError (only an int or a tuple is accepted); NumPy accepts lists"


@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda m, a: m.expand_dims(a, [0, 2]), id="expand_dims", marks=xfail(LIST_AXIS_BUG.format("expand_dims"))),
        pytest.param(lambda m, a: m.flip(a, [0, 1]), id="flip", marks=xfail(LIST_AXIS_BUG.format("flip"))),
        pytest.param(lambda m, a: m.moveaxis(a, [0, 1], [1, 0]), id="moveaxis"),
        pytest.param(lambda m, a: m.transpose(a, [1, 0]), id="transpose"),
    ],
)
def test_axis_given_as_a_list(fn):
    src, a = pair(np.int32, (2, 3))
    check(fn(lnp, a), fn(np, src))
