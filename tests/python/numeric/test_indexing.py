"""Indexing: basic slicing (views) get/set, integer-array and boolean-mask get/set (the
NumPy fallback), aliasing between views, and the errors of bad indices."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import DTYPE_IDS, DTYPES, check, make, quiet, xfail

BASIC_KEYS = [
    0,
    -1,
    slice(None),
    slice(1, None),
    slice(None, -1),
    slice(None, None, 2),
    slice(None, None, -1),
    slice(None, None, -2),
    slice(3, 0, -1),
    slice(-2, None, -3),
    slice(10, 20),
    slice(-100, 100),
    slice(2, 2),
    (1, 2),
    (-1, -1, 0),
    (slice(None), 1),
    (1, slice(None, None, -1)),
    (slice(None, None, 2), slice(1, None, 2), slice(None, None, -1)),
    Ellipsis,
    (Ellipsis, 0),
    (0, Ellipsis),
    (Ellipsis, slice(None, None, -1)),
    (1, Ellipsis, 2),
    None,
    (None, 0),
    (slice(None), None, 1),
    (Ellipsis, None),
    (None, Ellipsis, None),
    (0, 1, 2),
    (),
    (np.int64(1), np.int32(-1)),
]


def key_id(k):
    return repr(k).replace("slice", "s").replace("Ellipsis", "...")


@pytest.mark.parametrize("key", BASIC_KEYS, ids=key_id)
def test_basic_getitem(key):
    a_np = make(np.float64, (3, 4, 5))
    a = lnp.array(a_np)
    exp = a_np[key]
    got = a[key]
    check(got, exp)
    if np.ndim(exp) == 0:
        # A full integer index gives a NumPy scalar, as in NumPy.
        assert not isinstance(got, lnp.ndarray)
        assert type(got) is type(exp)
    else:
        assert isinstance(got, lnp.ndarray)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_basic_getitem_dtypes(dtype):
    a_np = make(dtype, (4, 6))
    a = lnp.array(a_np)
    for key in [(1, 2), (slice(None, None, -1), 3), (slice(1, 3), slice(None, None, 2)), (-1,)]:
        check(a[key], a_np[key])
    assert type(a[2, 3]) is type(a_np[2, 3])


def test_getitem_0d_and_1d():
    a_np = np.array(3.5)
    a = lnp.array(a_np)
    check(a[()], a_np[()])
    check(a[...], a_np[...])
    check(a[None], a_np[None])
    b_np = make(np.int32, (7,))
    b = lnp.array(b_np)
    for i in range(-7, 7):
        assert b[i] == b_np[i]
    check(b[::-1][::-2][1:], b_np[::-1][::-2][1:])


def test_getitem_of_empty():
    a_np = np.zeros((3, 0))
    a = lnp.array(a_np)
    check(a[1], a_np[1])
    check(a[:, :], a_np[:, :])
    check(a[::-1], a_np[::-1])


def test_chained_views():
    a_np = make(np.float64, (6, 8))
    a = lnp.array(a_np)
    check(a[1:][::2][:, ::-3].T[1:], a_np[1:][::2][:, ::-3].T[1:])
    check(a.T[::-1][2], a_np.T[::-1][2])


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "key, exc",
    [
        ((0, 0, 0), IndexError),
        ((0, Ellipsis, 0, 0), IndexError),
        (3, IndexError),
        (-4, IndexError),
        ((0, 4), IndexError),
        ((0, -5), IndexError),
        ((Ellipsis, Ellipsis), IndexError),
        (1.5, IndexError),
        ("a", IndexError),
        ((slice(None), 1.0), IndexError),
        (slice(None, None, 0), ValueError),
    ],
    ids=key_id,
)
def test_getitem_errors(key, exc):
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    with pytest.raises(exc):
        a_np[key]
    with pytest.raises(exc):
        a[key]


@pytest.mark.parametrize("key", [(0, 0, 0), 3, -4, (0, 4)], ids=key_id)
def test_setitem_errors(key):
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    with pytest.raises(IndexError):
        a_np[key] = 1.0
    with pytest.raises(IndexError):
        a[key] = 1.0


def test_getitem_0d_too_many_indices():
    with pytest.raises(IndexError):
        np.array(1.0)[0]
    with pytest.raises(IndexError):
        lnp.array(1.0)[0]


# ---------------------------------------------------------------- setitem


@pytest.mark.parametrize("key", BASIC_KEYS, ids=key_id)
def test_basic_setitem_scalar(key):
    a_np = make(np.int64, (3, 4, 5))
    a = lnp.array(a_np)
    a_np[key] = -7
    a[key] = -7
    check(a, a_np)


@pytest.mark.parametrize("key", BASIC_KEYS, ids=key_id)
def test_basic_setitem_array(key):
    a_np = make(np.float64, (3, 4, 5))
    a = lnp.array(a_np)
    shape = a_np[key].shape
    v_np = make(np.float64, shape, salt=5)
    a_np[key] = v_np
    a[key] = lnp.array(v_np)
    check(a, a_np)
    # Broadcast values: a row, a NumPy array and a list.
    if len(shape) >= 1:
        row_np = make(np.float64, shape[-1:], salt=6)
        a_np[key] = row_np
        a[key] = row_np
        check(a, a_np)
        a_np[key] = row_np.tolist()
        a[key] = row_np.tolist()
        check(a, a_np)


SCALAR_ASSIGN_BUG = (
    "bug: assigning a Python scalar converts it unchecked ({}); NumPy raises {} "
    "(ndarray.__setitem__ -> _assign -> _ext.fill)"
)


def setitem_value_params():
    for dtype, dt_id in zip(DTYPES, DTYPE_IDS):
        for value in [0, 1, True, 2.75, -1.5, np.float32(0.5), np.int64(3), 1 + 2j, np.nan]:
            kind = np.dtype(dtype).kind
            marks = []
            if kind == "u" and value == -1.5:
                marks = [xfail(SCALAR_ASSIGN_BUG.format("-1.5 into uint8 stores 255", "OverflowError"))]
            elif kind in "iuf" and isinstance(value, complex):
                marks = [xfail(SCALAR_ASSIGN_BUG.format("1+2j into a real array drops the imaginary part", "TypeError"))]
            elif kind in "iu" and isinstance(value, float) and np.isnan(value):
                marks = [xfail(SCALAR_ASSIGN_BUG.format("nan into an integer array stores 0", "ValueError"))]
            yield pytest.param(dtype, value, marks=marks, id=f"{dt_id}-{value!r}")


@pytest.mark.parametrize("dtype, value", list(setitem_value_params()))
def test_setitem_value_casting(dtype, value):
    """Values are cast to the array's dtype as NumPy does (or raise like NumPy)."""
    a_np = make(dtype, (2, 3))
    a = lnp.array(a_np)
    try:
        with quiet():
            a_np[0, 1:] = value
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            with quiet():
                a[0, 1:] = value
                np.asarray(a)
        return
    with quiet():
        a[0, 1:] = value
    check(a, a_np)


@pytest.mark.parametrize("src_dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("dst_dtype", DTYPES, ids=DTYPE_IDS)
def test_setitem_array_of_other_dtype(dst_dtype, src_dtype):
    a_np = make(dst_dtype, (3, 4))
    v_np = make(src_dtype, (4,), salt=3, positive=np.dtype(dst_dtype).kind == "u")
    a = lnp.array(a_np)
    with quiet():
        a_np[1:] = v_np
        a[1:] = lnp.array(v_np)
    check(a, a_np)


@pytest.mark.parametrize(
    "dtype, value",
    [(np.uint8, 300), (np.uint8, -1), (np.int32, 2**40), (np.int64, 2**70)],
    ids=repr,
)
@xfail(SCALAR_ASSIGN_BUG.format("uint8 <- 300 stores 44, int64 <- 2**70 stores 0", "OverflowError"))
def test_setitem_out_of_range_python_int(dtype, value):
    a_np = make(dtype, (3,))
    a = lnp.array(a_np)
    with pytest.raises(OverflowError):
        a_np[0] = value
    try:
        a[0] = value
        np.asarray(a)
    except OverflowError:
        return
    pytest.fail(f"assigning {value} into a {np.dtype(dtype)} array did not raise OverflowError (got {np.asarray(a)[0]})")


@xfail(SCALAR_ASSIGN_BUG.format("1+2j into a float64 array stores 1.0", "TypeError"))
def test_setitem_complex_into_float_raises():
    a_np = np.zeros(3)
    with pytest.raises(TypeError):
        a_np[0] = 1 + 2j
    a = lnp.zeros(3)
    with pytest.raises(TypeError):
        a[0] = 1 + 2j
        np.asarray(a)


def test_setitem_wrong_shape_raises():
    a = lnp.zeros((3, 4))
    with pytest.raises(ValueError):
        np.zeros((3, 4))[:, :2] = np.ones(3)
    with pytest.raises(ValueError):
        a[:, :2] = lnp.ones(3)
    with pytest.raises(ValueError):
        a[0] = np.ones(5)


def test_fill():
    for dtype in DTYPES:
        a_np = make(dtype, (3, 4))
        a = lnp.array(a_np)
        a_np.fill(1)
        a.fill(1)
        check(a, a_np)
        v_np, v = a_np[::2, ::-1], a[::2, ::-1]
        v_np.fill(0)
        v.fill(0)
        check(a, a_np)


# ---------------------------------------------------------------- aliasing


def test_views_share_data_with_the_base():
    a_np = make(np.float64, (4, 6))
    a = lnp.array(a_np)
    views = [
        lambda x: x[1],
        lambda x: x[:, 2],
        lambda x: x[::2, ::-1],
        lambda x: x.T,
        lambda x: x[1:3, 1:5].T[::-1],
        lambda x: x[None, 2:, ::3],
        lambda x: x[...],
        lambda x: x.view(),
    ]
    for k, take in enumerate(views):
        vn, vl = take(a_np), take(a)
        vn[(0,) * vn.ndim] = 100.0 + k
        vl[(0,) * vl.ndim] = 100.0 + k
        check(a, a_np)
        # Another view of the base sees the write.
        check(a[::-1], a_np[::-1])


def test_write_through_base_seen_by_views():
    a_np = make(np.int32, (4, 6))
    a = lnp.array(a_np)
    v1_np, v1 = a_np[1:, ::2], a[1:, ::2]
    v2_np, v2 = a_np.T[::-1], a.T[::-1]
    a_np[2, :] = 99
    a[2, :] = 99
    check(v1, v1_np)
    check(v2, v2_np)
    v1_np[...] = -1
    v1[...] = -1
    check(v2, v2_np)
    check(a, a_np)


@pytest.mark.parametrize(
    "dst, src",
    [
        (slice(1, None), slice(None, -1)),
        (slice(None, -1), slice(1, None)),
        (slice(2, None), slice(None, -2)),
        (slice(None), slice(None, None, -1)),
        (slice(None, None, 2), slice(1, None, 2)),
        (slice(1, 5), slice(3, 7)),
    ],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.complex128], ids=["int64", "float32", "complex128"])
def test_overlapping_assignment(dst, src, dtype):
    """``a[1:] = a[:-1]`` behaves as if the right side were copied first (as NumPy)."""
    a_np = make(dtype, (10,))
    a = lnp.array(a_np)
    a_np[dst] = a_np[src]
    a[dst] = a[src]
    check(a, a_np)


def test_overlapping_assignment_2d_and_cast():
    a_np = make(np.float64, (5, 5))
    a = lnp.array(a_np)
    a_np[1:, :] = a_np[:-1, :]
    a[1:, :] = a[:-1, :]
    check(a, a_np)
    a_np[:, :] = a_np.T
    a[:, :] = a.T
    check(a, a_np)
    b_np = make(np.int32, (8,))
    b = lnp.array(b_np)
    b_np[1:] = b_np[:-1].astype(np.float64) / 2
    b[1:] = b[:-1].astype(np.float64) / 2
    check(b, b_np)


def test_overlapping_assignment_with_cast_same_store():
    """Right side and target overlap in the same store with a dtype conversion in between."""
    a_np = make(np.float64, (6,))
    a = lnp.array(a_np)
    a_np[1:] = a_np[:-1].astype(np.float32)
    a[1:] = a[:-1].astype(np.float32)
    check(a, a_np)


# ---------------------------------------------------------------- advanced indexing (NumPy fallback)


ADVANCED_KEYS = [
    [0, 2],
    [-1, 0, 0],
    np.array([1, 0]),
    (np.array([0, 2]), np.array([1, 3])),
    ([0, 1], slice(None), 2),
    (slice(None), [3, 0]),
    (Ellipsis, [0, -1]),
    ([[0, 1], [2, 0]],),
    (1, [0, 2, 1]),
    (np.array([], dtype=np.int64),),
]


@pytest.mark.parametrize("key", ADVANCED_KEYS, ids=key_id)
def test_integer_array_getitem(key):
    a_np = make(np.float64, (3, 4, 5))
    a = lnp.array(a_np)
    with quiet():
        got = a[key]
    assert isinstance(got, lnp.ndarray)
    check(got, a_np[key])


def test_integer_array_getitem_with_legate_index():
    a_np = make(np.int32, (6,))
    idx_np = np.array([5, 0, 3, 3])
    with quiet():
        got = lnp.array(a_np)[lnp.array(idx_np)]
    check(got, a_np[idx_np])


def test_integer_array_getitem_returns_a_copy():
    a_np = make(np.float64, (5,))
    a = lnp.array(a_np)
    with quiet():
        g = a[[0, 1]]
    g[0] = 123.0
    check(a, a_np)


@pytest.mark.parametrize("key", ADVANCED_KEYS, ids=key_id)
def test_integer_array_setitem(key):
    a_np = make(np.float64, (3, 4, 5))
    a = lnp.array(a_np)
    a_np[key] = -1.0
    with quiet():
        a[key] = -1.0
    check(a, a_np)
    shape = a_np[key].shape
    v_np = make(np.float64, shape, salt=4)
    a_np[key] = v_np
    with quiet():
        a[key] = lnp.array(v_np)
    check(a, a_np)


def test_integer_array_setitem_repeated_indices():
    a_np = np.zeros(5)
    a = lnp.zeros(5)
    a_np[[1, 1, 3]] = [1.0, 2.0, 3.0]
    with quiet():
        a[[1, 1, 3]] = [1.0, 2.0, 3.0]
    check(a, a_np)


def test_integer_array_index_out_of_bounds():
    a_np = make(np.float64, (4,))
    a = lnp.array(a_np)
    with pytest.raises(IndexError):
        a_np[[0, 4]]
    with pytest.raises(IndexError), quiet():
        a[[0, 4]]
    with pytest.raises(IndexError), quiet():
        a[[0, -5]] = 1.0


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_boolean_mask_getitem(dtype):
    a_np = make(dtype, (3, 4))
    a = lnp.array(a_np)
    mask_np = make(np.float64, (3, 4), salt=9) > 0
    with quiet():
        check(a[mask_np], a_np[mask_np])
        check(a[lnp.array(mask_np)], a_np[mask_np])
        check(a[mask_np[:, 0]], a_np[mask_np[:, 0]])
        check(a[:, mask_np[0]], a_np[:, mask_np[0]])
        check(a[a != 0], a_np[a_np != 0])
        check(a[np.zeros((3, 4), bool)], a_np[np.zeros((3, 4), bool)])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_boolean_mask_setitem(dtype):
    a_np = make(dtype, (3, 4))
    a = lnp.array(a_np)
    mask_np = make(np.float64, (3, 4), salt=9) > 0
    a_np[mask_np] = 1
    with quiet():
        a[lnp.array(mask_np)] = 1
    check(a, a_np)
    vals_np = make(dtype, (int(mask_np.sum()),), salt=2)
    a_np[mask_np] = vals_np
    with quiet():
        a[mask_np] = lnp.array(vals_np)
    check(a, a_np)
    a_np[a_np == 1] = 0
    with quiet():
        a[a == 1] = 0
    check(a, a_np)


def test_boolean_mask_wrong_shape():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    bad = np.ones((4,), bool)
    with pytest.raises(IndexError):
        a_np[bad]
    with pytest.raises(IndexError), quiet():
        a[bad]


def test_boolean_scalar_index():
    a_np = make(np.float64, (3,))
    a = lnp.array(a_np)
    with quiet():
        check(a[True], a_np[True])
        check(a[False], a_np[False])


def test_advanced_setitem_on_a_view_changes_the_base():
    a_np = make(np.float64, (4, 6))
    a = lnp.array(a_np)
    v_np, v = a_np[1:, ::2], a[1:, ::2]
    v_np[[0, 2]] = 5.0
    with quiet():
        v[[0, 2]] = 5.0
    check(a, a_np)
    v_np[v_np < 0] = 0.0
    with quiet():
        v[v < 0] = 0.0
    check(a, a_np)


# ---------------------------------------------------------------- iteration and len


def test_len_and_iteration():
    a_np = make(np.int64, (3, 4))
    a = lnp.array(a_np)
    assert len(a) == len(a_np)
    rows = list(a)
    assert len(rows) == 3
    for r, rn in zip(rows, a_np):
        check(r, rn)
    assert [x for x in lnp.array(a_np[0])] == list(a_np[0])
    with pytest.raises(TypeError):
        len(lnp.array(1.0))
    with pytest.raises(TypeError):
        iter(lnp.array(1.0)).__next__()


def test_flat_and_tolist_and_item():
    a_np = make(np.int32, (2, 3))
    a = lnp.array(a_np)
    assert list(a.flat) == list(a_np.flat)
    assert a.tolist() == a_np.tolist()
    assert a.T.tolist() == a_np.T.tolist()
    assert a.item(4) == a_np.item(4)
    assert a.item(1, 2) == a_np.item(1, 2)
    assert lnp.array(2.5).item() == 2.5
    assert lnp.array(np.array(7.0)).tolist() == 7.0


def test_ellipsis_gives_zero_d_views():
    """With `...` in the key, a 0-d result is a view (an array), not a scalar."""
    x_np, x = np.arange(3.0), lnp.arange(3.0)
    for key in ((1, ...), (..., 2)):
        v_np, v = x_np[key], x[key]
        assert isinstance(v, lnp.ndarray) and v.shape == () and isinstance(v_np, np.ndarray)
        v_np[...] = 7.0
        v[...] = 7.0
    check(x, x_np)
    z = lnp.array(5.0)
    assert isinstance(z[...], lnp.ndarray) and isinstance(z[()], np.float64)
