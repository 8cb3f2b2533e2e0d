"""Arrays of more than 6 dimensions, up to legate's limit of 32 (the most NumPy arrays
`rust-numpy` converts; NumPy 2 allows 64): creation, broadcasting, ufuncs, reductions,
axis shuffles, views, copies both ways and the array API namespace, each against NumPy
in the same test; past the limit, `ValueError`s (NumPy's past its own)."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import check, make

MAX = 32
NDIMS = [7, 12, MAX]


def shape_of(ndim, salt=0, big=8):
    """A shape of `ndim` extents: up to `big` of them 2 or 3 (so volumes stay small), the
    rest 1, placed at random."""
    r = np.random.default_rng(ndim * 100 + salt)
    ext = [1] * ndim
    for d in r.choice(ndim, size=min(big, ndim), replace=False):
        ext[d] = int(r.integers(2, 4))
    return tuple(ext)


def pair(ndim, dtype=np.float64, salt=0, big=8):
    src = make(dtype, shape_of(ndim, salt, big), salt)
    return src, lnp.array(src)


def test_limit_is_reported():
    assert lnp.zeros(1).__array_namespace__().__array_namespace_info__().capabilities()["max dimensions"] == MAX


@pytest.mark.parametrize("ndim", NDIMS)
def test_creation_and_round_trip(ndim):
    shape = shape_of(ndim)
    check(lnp.zeros(shape), np.zeros(shape))
    check(lnp.ones(shape, dtype=np.int32), np.ones(shape, dtype=np.int32))
    check(lnp.full(shape, 2.5), np.full(shape, 2.5))
    src, a = pair(ndim)
    assert a.ndim == ndim and a.shape == src.shape
    back = np.asarray(a)
    assert back.shape == src.shape
    np.testing.assert_array_equal(back, src)
    check(lnp.arange(src.size).reshape(shape), np.arange(src.size).reshape(shape))
    assert lnp.empty_like(a).shape == src.shape


def test_broadcast_to_seven_dims_with_zero_extents():
    # The case of issue 14.
    x = np.arange(2.0)
    check(lnp.broadcast_to(lnp.array(x), (0,) * 6 + (2,)), np.broadcast_to(x, (0,) * 6 + (2,)))
    check(lnp.broadcast_to(lnp.array(x), (1,) * 6 + (3, 2)), np.broadcast_to(x, (1,) * 6 + (3, 2)))


@pytest.mark.parametrize("ndim", NDIMS)
def test_broadcasting_and_ufuncs(ndim):
    src, a = pair(ndim)
    # Broadcast a lower-dimensional operand and a size-1-everywhere one.
    low = make(np.float64, src.shape[-3:], 1)
    one = make(np.float64, (1,) * ndim, 2)
    check(a + lnp.array(low), src + low)
    check(a * lnp.array(one) - 2.0, src * one - 2.0)
    check(lnp.exp(a), np.exp(src))
    check(lnp.maximum(a, lnp.array(low)), np.maximum(src, low))
    check(a > 0, src > 0)
    ints, ia = pair(ndim, np.int64, 3)
    check(ia * 3 + ia, ints * 3 + ints)
    out = lnp.zeros(src.shape)
    lnp.add(a, 1.0, out=out)
    check(out, src + 1.0)
    check(lnp.broadcast_to(lnp.array(low), src.shape), np.broadcast_to(low, src.shape))


@pytest.mark.parametrize("ndim", NDIMS)
def test_reductions(ndim):
    src, a = pair(ndim, salt=4)
    check(a.sum(), src.sum())
    check(lnp.argmax(a), np.argmax(src))
    check(lnp.argmin(a, axis=ndim - 2), np.argmin(src, axis=ndim - 2))
    axes = (0, 2, ndim - 1)
    check(a.sum(axis=axes), src.sum(axis=axes))
    check(a.max(axis=(1, ndim - 3), keepdims=True), src.max(axis=(1, ndim - 3), keepdims=True))
    check(lnp.mean(a, axis=tuple(range(0, ndim, 2))), np.mean(src, axis=tuple(range(0, ndim, 2))))
    check(lnp.prod(a, axis=3), np.prod(src, axis=3))
    check(lnp.any(a > 1, axis=(0, 1)), np.any(src > 1, axis=(0, 1)))


@pytest.mark.parametrize("ndim", NDIMS)
def test_folds_and_scans(ndim):
    # The fold task makes views of its tiles with one dimension less (more than the
    # 6 coordinates stores keep inline, for these arrays).
    src, a = pair(ndim, salt=9)
    big = [d for d, e in enumerate(src.shape) if e > 1]
    for axis in (big[0], big[-1]):
        check(lnp.subtract.accumulate(a, axis=axis), np.subtract.accumulate(src, axis=axis))
        check(lnp.hypot.reduce(a, axis=axis), np.hypot.reduce(src, axis=axis))
        check(lnp.cumsum(a, axis=axis), np.cumsum(src, axis=axis))
    ints = make(np.int64, src.shape, 10)
    ints[ints == 0] = 3  # divisors
    check(lnp.floor_divide.accumulate(lnp.array(ints), axis=big[1]), np.floor_divide.accumulate(ints, axis=big[1]))


@pytest.mark.parametrize("ndim", NDIMS)
def test_axis_shuffles(ndim):
    src, a = pair(ndim, salt=5)
    check(a.T, src.T)
    perm = tuple(np.random.default_rng(ndim).permutation(ndim))
    check(lnp.transpose(a, perm), np.transpose(src, perm))
    check(lnp.moveaxis(a, 0, -1), np.moveaxis(src, 0, -1))
    check(lnp.swapaxes(a, 1, ndim - 2), np.swapaxes(src, 1, ndim - 2))
    check(a.reshape(-1), src.reshape(-1))
    check(a.reshape(src.shape[::-1]), src.reshape(src.shape[::-1]))
    check(lnp.squeeze(a), np.squeeze(src))
    # A transposed view reshaped (a copy in both libraries), and a 1-d array split back.
    check(lnp.transpose(a, perm).reshape(-1), np.transpose(src, perm).reshape(-1))
    check(lnp.array(src.ravel()).reshape(src.shape), src)
    if ndim < MAX:
        check(lnp.expand_dims(a, 3), np.expand_dims(src, 3))


@pytest.mark.parametrize("ndim", NDIMS)
def test_indexing_and_views(ndim):
    src, a = pair(ndim, salt=6, big=6)
    big = [d for d, e in enumerate(src.shape) if e > 1]
    key = tuple(slice(None, None, -1) if d == big[0] else slice(1, None) if d == big[1] else slice(None) for d in range(ndim))
    check(a[key], src[key])
    check(a[0], src[0])
    check(a[..., 0], src[..., 0])
    idx = tuple(0 for _ in range(ndim))
    assert a[idx] == src[idx]
    # Writes through a view land in the base.
    b, bsrc = a.copy(), src.copy()
    b[key] = -1.0
    bsrc[key] = -1.0
    check(b, bsrc)
    b[idx] = 7.0
    bsrc[idx] = 7.0
    check(b, bsrc)
    # Boolean masks and integer arrays on the first axis.
    mask = src > 0
    check(a[lnp.array(mask)], src[mask])
    take = np.array([0, 0])
    check(a[lnp.array(take)], src[take])
    if ndim < MAX:
        check(a[None], src[None])


@pytest.mark.parametrize("ndim", NDIMS)
def test_copies_of_views_and_concatenation(ndim):
    src, a = pair(ndim, salt=7)
    view = src.transpose()[..., :1]
    got = np.asarray(a.transpose()[..., :1])
    np.testing.assert_array_equal(got, view)
    check(lnp.concatenate([a, a], axis=ndim - 1), np.concatenate([src, src], axis=ndim - 1))
    check(lnp.stack([a[0], a[0]]), np.stack([src[0], src[0]]))
    check(lnp.where(a > 0, a, 0.0), np.where(src > 0, src, 0.0))
    check(lnp.flip(a), np.flip(src))


@pytest.mark.parametrize("ndim", NDIMS)
def test_array_api_namespace(ndim):
    src, a = pair(ndim, salt=8)
    xp = a.__array_namespace__()
    check(xp.sum(a, axis=(0, ndim - 1)), np.sum(src, axis=(0, ndim - 1)))
    check(xp.permute_dims(a, tuple(reversed(range(ndim)))), np.transpose(src))
    check(xp.broadcast_to(xp.asarray(src[..., :1]), src.shape), np.broadcast_to(src[..., :1], src.shape))
    check(xp.reshape(a, (-1,)), src.reshape(-1))


@pytest.mark.parametrize("ndim", [MAX + 1, 64, 65])
def test_more_dimensions_than_the_limit_raise(ndim):
    makers = (
        lambda m: m.zeros((1,) * ndim),
        lambda m: m.ones(1).reshape((1,) * ndim),
        lambda m: m.broadcast_to(m.ones(1), (1,) * ndim),
    )
    for make_it in makers:
        if ndim > 64:
            with pytest.raises(ValueError):
                make_it(np)
        with pytest.raises(ValueError):
            make_it(lnp)


def test_growing_past_the_limit_raises():
    # What NumPy raises past its own limit (64): IndexError from indexing, ValueError
    # ("maximum supported dimension ...") from everything else.
    src = np.ones((1,) * 64)
    a = lnp.ones((1,) * MAX)
    indexing = (
        lambda xp, x: x[None],
        lambda xp, x: x[..., None],
        lambda xp, x: x[None, ..., 0, None],
        lambda xp, x: xp.stack([x, x]),
    )
    for grow in indexing:
        for xp, arr in ((np, src), (lnp, a)):
            with pytest.raises(IndexError, match="number of dimensions must be within"):
                grow(xp, arr)
    others = (
        lambda xp, x: xp.expand_dims(x, 0),
        lambda xp, x: x.reshape((1,) * (x.ndim + 1)),
        lambda xp, x: xp.broadcast_to(x, (1,) * (x.ndim + 1)),
        lambda xp, x: xp.zeros((1,) * (x.ndim + 1)),
    )
    for grow in others:
        for xp, arr in ((np, src), (lnp, a)):
            with pytest.raises(ValueError, match="maximum supported dimension"):
                grow(xp, arr)
    # A NumPy array of more dimensions than legate's, converted.
    for convert in (lnp.array, lnp.asarray):
        with pytest.raises(ValueError, match=f"currently {MAX}, found {MAX + 1}"):
            convert(np.ones((1,) * (MAX + 1)))


def test_new_axes_and_integers_at_the_limit():
    # A result of MAX dimensions whose key adds axes and removes others: the view must
    # not pass through MAX + 1 dimensions on the way (NumPy: no error).
    src = np.arange(2 * 3, dtype=np.float64).reshape((2,) + (1,) * (MAX - 2) + (3,))
    a = lnp.array(src)
    keys = [
        (None, ..., 0),
        (1, None),
        (None, 0, ..., None, 2),
        (slice(None), None, 0, ..., -1),
    ]
    for key in keys:
        expected = src[key]
        got = a[key]
        assert got.shape == expected.shape and got.ndim == expected.ndim
        np.testing.assert_array_equal(got.__array__(), expected)
        # Writes through the same views reach the base.
        dst, ldst = src.copy(), lnp.array(src)
        dst[key] = -1.0
        ldst[key] = -1.0
        np.testing.assert_array_equal(ldst.__array__(), dst)
