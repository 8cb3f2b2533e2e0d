"""Native advanced indexing: nonzero / argwhere / flatnonzero / where(cond), integer-array
and boolean-mask get and set, take, put, diagonal, fill_diagonal. Every test compares
with NumPy in the test itself; the NumPy fallback is turned off, so each of these runs
natively: with the fallback off, any call into NumPy fails the test."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import DTYPE_IDS, DTYPES, check, make


@pytest.fixture(autouse=True)
def _native_only(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")


SHAPES = [(0,), (1,), (13,), (0, 4), (6, 7), (5, 4, 3)]
SHAPE_IDS = ["0", "1", "13", "0x4", "6x7", "5x4x3"]


def sparse(dtype, shape, salt=0):
    """Test data with many zeros (and -0.0 and NaN among floats)."""
    a = make(dtype, shape, salt=salt)
    if a.size and a.dtype.kind != "b":
        a[make(np.float64, shape, salt=salt + 1) > 0.5] = 0
    if a.size > 3 and a.dtype.kind in "fc":
        a.flat[1] = -0.0
        a.flat[2] = np.nan
    return a


# ---------------------------------------------------------------- nonzero and friends


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_nonzero_family(dtype, shape):
    a_np = sparse(dtype, shape)
    a = lnp.array(a_np)
    got, exp = lnp.nonzero(a), np.nonzero(a_np)
    assert isinstance(got, tuple) and len(got) == len(exp)
    for g, e in zip(got, exp):
        check(g, e)
    for g, e in zip(a.nonzero(), a_np.nonzero()):
        check(g, e)
    for g, e in zip(lnp.where(a), np.where(a_np)):
        check(g, e)
    check(lnp.argwhere(a), np.argwhere(a_np))
    check(lnp.flatnonzero(a), np.flatnonzero(a_np))


def test_nonzero_of_views():
    a_np = sparse(np.int64, (8, 6, 5))
    a = lnp.array(a_np)
    for view in [lambda x: x.T, lambda x: x[::-2, 1:, ::3], lambda x: x[:, 2], lambda x: x.transpose(1, 0, 2)[::-1]]:
        for g, e in zip(lnp.nonzero(view(a)), np.nonzero(view(a_np))):
            check(g, e)
        check(lnp.argwhere(view(a)), np.argwhere(view(a_np)))
        check(lnp.flatnonzero(view(a)), np.flatnonzero(view(a_np)))


def test_nonzero_large_row_major_order():
    """Enough elements for every processor: pieces must concatenate in row-major order."""
    a_np = sparse(np.float64, (37, 23, 3), salt=3)
    a = lnp.array(a_np)
    check(lnp.argwhere(a), np.argwhere(a_np))
    check(lnp.flatnonzero(a), np.flatnonzero(a_np))
    check(a[a != 0], a_np[a_np != 0])


def test_nonzero_0d():
    with pytest.raises(ValueError):
        np.nonzero(np.array(1.0))
    with pytest.raises(ValueError):
        lnp.nonzero(lnp.array(1.0))
    for v in [0, 3]:
        check(lnp.argwhere(lnp.array(v)), np.argwhere(np.array(v)))
        check(lnp.flatnonzero(lnp.array(v)), np.flatnonzero(np.array(v)))


def test_nonzero_of_host_data():
    a_np = sparse(np.int32, (4, 5))
    for g, e in zip(lnp.nonzero(a_np.tolist()), np.nonzero(a_np)):
        check(g, e)
    m_np = a_np > 0
    for g, e in zip(lnp.where(lnp.array(m_np)), np.where(m_np)):
        check(g, e)


def test_nonzero_result_indexes_the_array():
    a_np = sparse(np.float64, (6, 5))
    a = lnp.array(a_np)
    check(a[lnp.nonzero(a)], a_np[np.nonzero(a_np)])


# ---------------------------------------------------------------- integer arrays: get


def key_id(k):
    return repr(k).replace("slice", "s").replace("Ellipsis", "...").replace("array", "a")


INT_KEYS = [
    [0, 4, -1],
    [[1, 2], [-5, 0]],
    np.array([3, 3, 0], dtype=np.int32),
    np.array([1, 0], dtype=np.uint8),
    (slice(None), [2, 0, -1]),
    (slice(1, None, 2), [[0], [3]], slice(None, None, -1)),
    ([0, 2], slice(None), [1, -1]),
    ([4, 0], [1, 2], [0, 0]),
    (np.array([[1], [2]]), np.array([0, 1, 2])),
    (1, slice(None), [0, 2]),
    (slice(None), 1, [0, 2]),
    ([1, 2], 0),
    (Ellipsis, [2, 0]),
    ([0, 1], Ellipsis, [1]),
    (None, [1], None, [2]),
    ([1, 2], True),
    (False, [0]),
    ([[0, 1]], [[1], [2]], slice(None)),
    (np.array([], dtype=np.int64),),
    ([],),
    (slice(None), []),
]


@pytest.mark.parametrize("key", INT_KEYS, ids=key_id)
def test_integer_array_getitem(key):
    a_np = make(np.float64, (5, 4, 3))
    a = lnp.array(a_np)
    got = a[key]
    assert isinstance(got, lnp.ndarray)
    check(got, a_np[key])


@pytest.mark.parametrize("key", INT_KEYS[:12], ids=key_id)
def test_integer_array_getitem_legate_indices(key):
    """The same keys with index arrays that live in legate arrays."""
    a_np = make(np.int64, (5, 4, 3))
    a = lnp.array(a_np)
    parts = key if isinstance(key, tuple) else (key,)
    lkey = tuple(lnp.array(np.asarray(k)) if isinstance(k, (list, np.ndarray)) else k for k in parts)
    check(a[lkey], a_np[key])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_integer_array_getitem_dtypes(dtype):
    a_np = make(dtype, (6, 6))
    a = lnp.array(a_np)
    idx = np.array([[5, -1], [0, 2]])
    check(a[idx], a_np[idx])
    check(a[:, idx], a_np[:, idx])
    check(a[idx, idx], a_np[idx, idx])
    check(a[lnp.array(idx)], a_np[idx])
    b_np = make(dtype, (9,))
    check(lnp.array(b_np)[[8, 0, -9, 4]], b_np[[8, 0, -9, 4]])


def test_integer_array_getitem_1d_to_nd_and_views():
    a_np = make(np.complex128, (30,))
    a = lnp.array(a_np)
    idx = make(np.int64, (4, 3, 2), low=-30, high=29)
    check(a[idx], a_np[idx])
    v_np, v = a_np[::-3], a[::-3]
    check(v[[0, -1, 4]], v_np[[0, -1, 4]])
    b_np = make(np.float32, (7, 8, 6))
    b = lnp.array(b_np)
    for view in [lambda x: x.T, lambda x: x[1:, ::-2], lambda x: x[:, 3]]:
        check(view(b)[[2, 0]], view(b_np)[[2, 0]])
        check(view(b)[[1, 0], [0, 1]], view(b_np)[[1, 0], [0, 1]])


def test_integer_array_getitem_large():
    a_np = make(np.float64, (40, 30))
    a = lnp.array(a_np)
    i = make(np.int64, (50,), low=-40, high=39)
    j = make(np.int64, (50,), low=0, high=29, salt=1)
    check(a[i], a_np[i])
    check(a[i, j], a_np[i, j])
    check(a[lnp.array(i), lnp.array(j)], a_np[i, j])
    check(a[:, j], a_np[:, j])


def test_zero_d_integer_arrays_are_integers():
    a_np = make(np.int32, (4, 5))
    a = lnp.array(a_np)
    got = a[np.array(1), np.array(-2)]
    assert type(got) is type(a_np[np.array(1), np.array(-2)])
    assert got == a_np[1, -2]
    check(a[lnp.array(2)], a_np[np.array(2)])


@pytest.mark.parametrize(
    "key",
    [[0, 5], [-6], ([0], [4]), (slice(None), [0, -5]), [[5]], (np.array([1, 2]), [0, 1, 2]), [1.0], np.array([0.0])],
    ids=key_id,
)
def test_integer_array_getitem_errors(key):
    a_np = make(np.float64, (5, 4))
    a = lnp.array(a_np)
    with pytest.raises(IndexError):
        a_np[key]
    with pytest.raises(IndexError):
        a[key]


def test_legate_index_out_of_bounds_raises_at_the_call():
    a = lnp.arange(6)
    with pytest.raises(IndexError):
        a[lnp.array([0, 6])]
    with pytest.raises(IndexError):
        a[lnp.array([-7])] = 1
    with pytest.raises(IndexError):
        lnp.zeros((3, 4))[lnp.array([0]), lnp.array([4])]
    with pytest.raises(IndexError):
        a[lnp.array([1.0])]
    check(a, np.arange(6))


@pytest.mark.parametrize(
    "key",
    [(np.array([4]), slice(7, -7)), (np.array([-5]), slice(None), slice(0, 0)), (np.array([[4], [0]]), np.array([], int)), (Ellipsis, np.array([1]), np.array([[5]]), slice(3, 1)), (False, np.array([4])), (np.array([], int), np.array([7]))],
    ids=key_id,
)
def test_out_of_bounds_index_with_empty_result_raises(key):
    """NumPy checks every index even where the result is empty through a sliced
    dimension; legate index arrays were not checked then (no gather ran). Where the
    indices broadcast to an empty shape NumPy checks nothing."""
    e = np.arange(60).reshape(4, 5, 3)
    a = lnp.array(e)
    for lkey in (tuple(lnp.array(k) if isinstance(k, np.ndarray) else k for k in key), key):
        for action in (lambda x, k: x[k], lambda x, k: x.__setitem__(k, 1)):
            try:
                action(e, key)
            except IndexError:
                with pytest.raises(IndexError):
                    action(a, lkey)
            else:
                action(a, lkey)
        check(a, e)
    # In bounds, the same keys give NumPy's empty result.
    ok = tuple(np.clip(k, -2, 2) if isinstance(k, np.ndarray) else k for k in key)
    check(a[tuple(lnp.array(k) if isinstance(k, np.ndarray) else k for k in ok)], e[ok])


# ---------------------------------------------------------------- boolean masks: get


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(11,), (6, 7), (4, 3, 5)], ids=["11", "6x7", "4x3x5"])
def test_boolean_mask_getitem(dtype, shape):
    a_np = make(dtype, shape)
    a = lnp.array(a_np)
    m_np = make(np.float64, shape, salt=2) > 0
    check(a[m_np], a_np[m_np])
    check(a[lnp.array(m_np)], a_np[m_np])
    check(a[a_np != 0], a_np[a_np != 0])
    check(a[np.zeros(shape, bool)], a_np[np.zeros(shape, bool)])
    check(a[np.ones(shape, bool)], a_np[np.ones(shape, bool)])
    lead = m_np[(slice(None),) + (0,) * (len(shape) - 1)]
    check(a[lead], a_np[lead])
    check(a[lnp.array(lead)], a_np[lead])


def test_boolean_mask_mixed_with_other_indices():
    a_np = make(np.int64, (5, 6, 4))
    a = lnp.array(a_np)
    m2 = make(np.float64, (6, 4), salt=1) > 0
    m1 = np.array([True, False, True, True, False, True])
    # m1 has 4 True values, m1[:5] 3: they broadcast with the integer arrays.
    for key in [(slice(None), m2), (1, m2), (slice(None), m1), (Ellipsis, m1[:4]), ([0, 4, 1, 2], m1), (m1[:5], 2, [1, 0, 3])]:
        check(a[key], a_np[key])
        lkey = tuple(lnp.array(k) if isinstance(k, np.ndarray) else k for k in key)
        check(a[lkey], a_np[key])


def test_boolean_mask_of_views():
    a_np = make(np.float64, (8, 9))
    a = lnp.array(a_np)
    v_np, v = a_np[1::2, ::-1], a[1::2, ::-1]
    check(v[v > 0], v_np[v_np > 0])
    check(a.T[a.T < 0], a_np.T[a_np.T < 0])


def test_boolean_mask_errors():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    for bad in [np.ones(4, bool), np.ones((3, 3), bool), np.ones((3, 4, 1), bool)]:
        with pytest.raises(IndexError):
            a_np[bad]
        with pytest.raises(IndexError):
            a[bad]
        with pytest.raises(IndexError):
            a[lnp.array(bad)]


def test_boolean_mask_with_an_axis_of_length_0():
    # NumPy checks no boolean axis of length 0 against the array (they select nothing).
    x = make(np.float64, (4, 5, 3))
    for mask in [np.zeros(0, bool), np.zeros((0, 0), bool), np.zeros((4, 0), bool), np.zeros((0, 5), bool)]:
        for wrap in (lambda m: m, lnp.array):
            check(lnp.array(x)[wrap(mask)], x[mask])
            a, y = lnp.array(x), x.copy()
            a[wrap(mask)] = 7.0
            y[mask] = 7.0
            check(a, y)
        check(lnp.array(x)[mask, 1], x[mask, 1])
    with pytest.raises(IndexError):  # a length of 1 is checked
        lnp.array(x)[np.zeros((1, 0), bool)]
    check(lnp.array(x).flat[np.zeros(0, bool)], x.flat[np.zeros(0, bool)])


def test_boolean_scalars():
    a_np = make(np.float64, (3, 2))
    a = lnp.array(a_np)
    for key in [True, False, (Ellipsis, True), (0, True), (np.array(True),), (lnp.array(False),)]:
        key_np = tuple(np.asarray(k) if isinstance(k, lnp.ndarray) else k for k in key) if isinstance(key, tuple) else key
        check(a[key], a_np[key_np])
    check(lnp.array(2.5)[True], np.array(2.5)[True])


# ---------------------------------------------------------------- set


@pytest.mark.parametrize("key", INT_KEYS, ids=key_id)
def test_integer_array_setitem(key):
    a_np = make(np.float64, (5, 4, 3))
    a = lnp.array(a_np)
    a_np[key] = -1.5
    a[key] = -1.5
    check(a, a_np)
    shape = a_np[key].shape
    v_np = make(np.float64, shape, salt=4)
    a_np[key] = v_np
    a[key] = lnp.array(v_np)
    check(a, a_np)
    if shape:
        row = make(np.float64, shape[-1:], salt=5)
        a_np[key] = row
        a[key] = row.tolist()
        check(a, a_np)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_setitem_dtypes_and_casts(dtype):
    a_np = make(dtype, (4, 6))
    a = lnp.array(a_np)
    idx = ([0, 3, -1], [5, 0, 2])
    a_np[idx] = 1
    a[idx] = 1
    check(a, a_np)
    v_np = make(np.float64, (3,), salt=7, positive=True)
    with np.errstate(all="ignore"):
        a_np[idx] = v_np
    a[idx] = lnp.array(v_np)
    check(a, a_np)
    m_np = make(np.float64, (4, 6), salt=8) > 0
    a_np[m_np] = 0
    a[lnp.array(m_np)] = 0
    check(a, a_np)
    vals = make(dtype, (int(m_np.sum()),), salt=9)
    a_np[m_np] = vals
    a[m_np] = lnp.array(vals)
    check(a, a_np)
    a_np[m_np[:, 0]] = vals[:6]
    a[m_np[:, 0]] = vals[:6]
    check(a, a_np)


def test_setitem_repeated_indices_last_wins():
    a_np = np.zeros(6)
    a = lnp.zeros(6)
    idx = [1, 1, 3, -5, 3, 1]
    vals = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    a_np[idx] = vals
    a[idx] = vals
    check(a, a_np)
    b_np = np.zeros((3, 3))
    b = lnp.zeros((3, 3))
    b_np[[0, 0, 2], [1, 1, 2]] = [7.0, 8.0, 9.0]
    b[lnp.array([0, 0, 2]), lnp.array([1, 1, 2])] = lnp.array([7.0, 8.0, 9.0])
    check(b, b_np)


def test_setitem_broadcast_and_shape_errors():
    a_np = make(np.int32, (5, 4))
    a = lnp.array(a_np)
    a_np[[0, 2]] = [9, 8, 7, 6]
    a[[0, 2]] = [9, 8, 7, 6]
    check(a, a_np)
    a_np[[1, 3]] = np.ones((1, 1, 4), np.int32)
    a[[1, 3]] = np.ones((1, 1, 4), np.int32)
    check(a, a_np)
    for v in [np.ones(3), np.ones((3, 4))]:
        with pytest.raises(ValueError):
            a_np[[0, 1]] = v
        with pytest.raises(ValueError):
            a[[0, 1]] = v
    m = a_np > 0
    with pytest.raises(ValueError):
        a_np[m] = np.ones(int(m.sum()) + 1)
    with pytest.raises(ValueError):
        a[m] = np.ones(int(m.sum()) + 1)
    # Both wrong: NumPy reports the value's shape before the index's bounds.
    for key in ([7], [-6], ([0, 9], 1)):
        for v in (np.ones(3), np.ones((2, 2))):
            with pytest.raises(ValueError):
                a_np[key] = v
            with pytest.raises(ValueError):
                a[key] = v
        with pytest.raises(IndexError):
            a[key] = 1


def test_setitem_empty_selection():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    a_np[[]] = 5.0
    a[[]] = 5.0
    a_np[np.zeros((3, 4), bool)] = 1.0
    a[np.zeros((3, 4), bool)] = 1.0
    a_np[np.zeros(3, bool)] = np.ones(4)
    a[lnp.zeros(3, bool)] = np.ones(4)
    check(a, a_np)


def test_setitem_through_views():
    a_np = make(np.float64, (6, 8))
    a = lnp.array(a_np)
    v_np, v = a_np[1:, ::-2], a[1:, ::-2]
    v_np[[0, 3], [1, -1]] = 100.0
    v[[0, 3], [1, -1]] = 100.0
    check(a, a_np)
    v_np[v_np < 0] = 0.0
    v[v < 0] = 0.0
    check(a, a_np)
    t_np, t = a_np.T, a.T
    t_np[[1, 2]] = np.arange(6.0)
    t[[1, 2]] = lnp.arange(6.0)
    check(a, a_np)


def test_setitem_aliasing_reads_before_writing():
    a_np = make(np.int64, (10,))
    a = lnp.array(a_np)
    i, j = [0, 2, 4, 6], [1, 0, 3, 2]
    a_np[i] = a_np[j]
    a[i] = a[j]
    check(a, a_np)
    a_np[[3, 1, 2]] = a_np[::-1][:3]
    a[[3, 1, 2]] = a[::-1][:3]
    check(a, a_np)
    a_np[a_np > 0] = a_np[a_np > 0][::-1]
    a[a > 0] = a[a > 0][::-1]
    check(a, a_np)
    b_np = make(np.float64, (5, 5))
    b = lnp.array(b_np)
    b_np[[0, 1, 2]] = b_np[:, [4, 3, 2]].T
    b[[0, 1, 2]] = b[:, [4, 3, 2]].T
    check(b, b_np)
    b_np[[1, 3]] = b_np[0:2]
    b[[1, 3]] = b[0:2]
    check(b, b_np)


def test_augmented_assignment_with_repeated_indices():
    a_np = np.zeros(5)
    a = lnp.zeros(5)
    a_np[[0, 0, 2]] += 1
    a[[0, 0, 2]] += 1
    check(a, a_np)


# ---------------------------------------------------------------- take, put


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_take(dtype):
    a_np = make(dtype, (4, 5, 3))
    a = lnp.array(a_np)
    idx = np.array([[0, -1], [7, 2]])
    check(lnp.take(a, idx), np.take(a_np, idx))
    check(lnp.take(a, lnp.array(idx)), np.take(a_np, idx))
    for axis in [0, 1, -1]:
        i = np.array([1, -2, 0])
        check(lnp.take(a, i, axis=axis), np.take(a_np, i, axis=axis))
        check(a.take(lnp.array(i), axis=axis), a_np.take(i, axis=axis))
    assert lnp.take(a, 7) == np.take(a_np, 7)
    check(lnp.take(a, 1, axis=1), np.take(a_np, 1, axis=1))
    check(lnp.take(a.T[::-1], [3, 0]), np.take(a_np.T[::-1], [3, 0]))


def test_take_modes_and_errors():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    idx = np.array([-13, -1, 0, 5, 12, 30])
    for mode in ["wrap", "clip"]:
        check(lnp.take(a, idx, mode=mode), np.take(a_np, idx, mode=mode))
        check(lnp.take(a, lnp.array(idx), mode=mode), np.take(a_np, idx, mode=mode))
        check(lnp.take(a, idx, axis=1, mode=mode), np.take(a_np, idx, axis=1, mode=mode))
        check(lnp.take(a, lnp.array(idx), axis=0, mode=mode), np.take(a_np, idx, axis=0, mode=mode))
    for call in [
        lambda m, x: m.take(x, [12]),
        lambda m, x: m.take(x, [0, 4], axis=1),
        lambda m, x: m.take(x, [0], axis=2),
        lambda m, x: m.take(x, [0], mode="bad"),
        lambda m, x: m.take(x, np.array([1.5, 2.5])),
        lambda m, x: m.take(m.zeros(0), [0], mode="wrap"),
    ]:
        try:
            call(np, a_np)
        except Exception as exc:  # noqa: BLE001
            with pytest.raises(type(exc)):
                call(lnp, a)
        else:
            pytest.fail("NumPy did not raise")
    with pytest.raises(IndexError):
        lnp.take(a, lnp.array([12]))
    with pytest.raises(TypeError):
        lnp.take(a, lnp.array([1.5]))
    # Sequences are converted to integers (as NumPy does); arrays are cast same-kind.
    check(lnp.take(a, [1.5, 2.5]), np.take(a_np, [1.5, 2.5]))
    check(lnp.take(a, np.array([True, False])), np.take(a_np, np.array([True, False])))
    out = lnp.zeros(2)
    assert lnp.take(a, [1, 2], out=out) is out
    check(out, np.take(a_np, [1, 2]))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_put(dtype):
    a_np = make(dtype, (3, 4))
    a = lnp.array(a_np)
    v = make(dtype, (3,), salt=1)
    np.put(a_np, [0, -1, 5], v)
    lnp.put(a, [0, -1, 5], v)
    check(a, a_np)
    # Fewer values than indices: repeated; more: truncated; a scalar; legate indices.
    np.put(a_np, [1, 2, 3, 4, 6], v[:2])
    lnp.put(a, lnp.array([1, 2, 3, 4, 6]), lnp.array(v[:2]))
    check(a, a_np)
    np.put(a_np, [7], v)
    a.put([7], v)
    check(a, a_np)
    np.put(a_np, [[8, 9], [10, 11]], v[0])
    lnp.put(a, [[8, 9], [10, 11]], v[0])
    check(a, a_np)


def test_put_views_modes_repeats_and_errors():
    a_np = make(np.float64, (4, 6))
    a = lnp.array(a_np)
    v_np, v = a_np[::2, ::-1], a[::2, ::-1]
    np.put(v_np, [0, 7, -1], [1.0, 2.0, 3.0])
    lnp.put(v, [0, 7, -1], [1.0, 2.0, 3.0])
    check(a, a_np)
    for mode in ["wrap", "clip"]:
        np.put(a_np, [-30, 40, 3], [4.0, 5.0, 6.0], mode=mode)
        lnp.put(a, lnp.array([-30, 40, 3]), [4.0, 5.0, 6.0], mode=mode)
        check(a, a_np)
    np.put(a_np, [2, 2, 2], [7.0, 8.0, 9.0])
    lnp.put(a, [2, 2, 2], [7.0, 8.0, 9.0])
    check(a, a_np)
    np.put(a_np, [5, 6], [])
    lnp.put(a, [5, 6], [])
    check(a, a_np)
    with pytest.raises(IndexError):
        np.put(a_np, [24], 1.0)
    with pytest.raises(IndexError):
        lnp.put(a, [24], 1.0)
    with pytest.raises(IndexError):
        lnp.put(a, lnp.array([-25]), 1.0)
    check(a, a_np)


# ---------------------------------------------------------------- diagonal, fill_diagonal


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_diagonal(dtype):
    a_np = make(dtype, (5, 7))
    a = lnp.array(a_np)
    for k in [0, 1, 3, -2, 7, -5, 9]:
        check(lnp.diagonal(a, k), np.diagonal(a_np, k))
        check(a.diagonal(k), a_np.diagonal(k))
    b_np = make(dtype, (3, 4, 5))
    b = lnp.array(b_np)
    for offset, ax1, ax2 in [(0, 0, 1), (1, 0, 2), (-1, 2, 0), (2, -1, -2), (0, 1, 2)]:
        check(lnp.diagonal(b, offset, ax1, ax2), np.diagonal(b_np, offset, ax1, ax2))
    check(lnp.diagonal(b.T[::-1]), np.diagonal(b_np.T[::-1]))


def test_diagonal_errors_and_read_only_view():
    for a_np in [np.ones(3), np.ones((2, 2))]:
        for args in [(), (0, 1, 1), (0, 0, 3)]:
            try:
                np.diagonal(a_np, *args)
            except Exception as exc:  # noqa: BLE001
                with pytest.raises(type(exc)):
                    lnp.diagonal(lnp.array(a_np), *args)
    # A read-only view, as in NumPy: later writes to the base are seen; writes to it raise.
    for offset in (0, 1, -2):
        a_np = np.arange(20.0).reshape(4, 5)
        a = lnp.array(a_np)
        d, d_np = a.diagonal(offset), a_np.diagonal(offset)
        a[1, 2] = a_np[1, 2] = -7.0
        a[2, 0] = a_np[2, 0] = -9.0
        check(d, d_np)
        with pytest.raises(ValueError):
            d_np[0] = 1.0
        with pytest.raises(ValueError):
            d[0] = 1.0
        with pytest.raises(ValueError):
            d += 1.0
        check(a, a_np)  # nothing was written
    b_np = np.arange(24).reshape(2, 3, 4)
    b = lnp.array(b_np)
    for axes in [(0, 1), (1, 2), (2, 0), (0, 2)]:
        check(lnp.diagonal(b, 1, *axes), np.diagonal(b_np, 1, *axes))
        check(lnp.diagonal(b, -1, *axes).sum(), np.diagonal(b_np, -1, *axes).sum())


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_fill_diagonal(dtype):
    for shape, wrap in [((4, 4), False), ((3, 5), False), ((7, 3), False), ((7, 3), True), ((3, 3, 3), False), ((1, 1), False)]:
        a_np = make(dtype, shape)
        a = lnp.array(a_np)
        np.fill_diagonal(a_np, 1, wrap=wrap)
        lnp.fill_diagonal(a, 1, wrap=wrap)
        check(a, a_np)
        v = make(dtype, (2,), salt=3)
        np.fill_diagonal(a_np, v, wrap=wrap)
        lnp.fill_diagonal(a, lnp.array(v), wrap=wrap)
        check(a, a_np)


def test_fill_diagonal_view_and_errors():
    a_np = make(np.float64, (6, 8))
    a = lnp.array(a_np)
    np.fill_diagonal(a_np[1:, ::2], -1.0)
    lnp.fill_diagonal(a[1:, ::2], -1.0)
    check(a, a_np)
    for bad in [np.ones(3), np.ones((2, 3, 2))]:
        with pytest.raises(ValueError):
            np.fill_diagonal(bad, 0)
        with pytest.raises(ValueError):
            lnp.fill_diagonal(lnp.array(bad), 0)


@pytest.mark.parametrize("key", [((0, 1),), (0, (1, 2)), ((0, 1), (1, 2)), (slice(None), (0, 2), (1, 3)), ((True, False),), ((1, 0), Ellipsis)], ids=repr)
def test_tuples_inside_the_key_are_index_arrays(key):
    """A tuple inside the key indexes as a list does (it raised IndexError), get and set."""
    x = np.arange(24.0).reshape(2, 3, 4)
    check(lnp.array(x)[key], x[key])
    a = lnp.array(x)
    a[key] = -1.0
    x[key] = -1.0
    check(a, x)
