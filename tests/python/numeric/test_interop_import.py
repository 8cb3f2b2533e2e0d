"""Zero-copy imports: ``legate_numeric.from_dlpack`` and ``from_arrow`` attach a store to
the producer's memory where the layout allows (NumPy, jax and pyarrow as producers),
and copy otherwise. Shared arrays behave as NumPy views: each side sees the other's
writes, and the producer's memory outlives the producer while the array needs it.
Every result is compared with NumPy computed here."""

import gc
import weakref

import numpy as np
import pytest

import legate_numeric as lnp
from legate import _legate as _ext
from test_interop import ALL, ALL_IDS, values

SHAPES = [(), (1,), (7,), (3, 4), (2, 3, 4), (1, 5, 1)]


def host(a):
    """NumPy's view of a legate array's memory (the buffer protocol)."""
    return np.asarray(a)


def shares(a, x):
    return np.shares_memory(host(a), x)


def bump(x):
    """A value different from every element of x (NumPy computes it)."""
    return ~x if x.dtype == np.bool_ else x + x.dtype.type(1)


def released(ref, tries=50):
    """Whether the object ``ref`` refers to is gone once the runtime let go of it (a
    storage a worker thread dropped is released the next time the GIL is taken)."""
    for _ in range(tries):
        gc.collect()
        _ext.fence()
        if ref() is None:
            return True
    return False


# ---- DLPack from NumPy ----


@pytest.mark.parametrize("dtype", ALL, ids=ALL_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_from_dlpack_shares_numpy_memory(dtype, shape):
    x = values(dtype, shape)
    want = x.copy()
    a = lnp.from_dlpack(x)
    assert isinstance(a, lnp.ndarray) and a.dtype == x.dtype and a.shape == x.shape
    assert a.flags.writeable and shares(a, x)
    np.testing.assert_array_equal(host(a), want)
    # The producer's writes are seen by legate's operations ...
    x[...] = bump(want)
    np.testing.assert_array_equal(host(a.copy()), bump(want))
    # ... and legate's writes by the producer, once the operation returns.
    a[...] = lnp.array(want)
    np.testing.assert_array_equal(x, want)


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.complex64])
def test_operations_on_shared_arrays(dtype):
    # Big enough to split into several tasks (LEGATE_TEST=1 splits everything).
    x = values(dtype, (40, 30))
    x0 = x.copy()
    a = lnp.from_dlpack(x)
    np.testing.assert_array_equal(host(a + a), x0 + x0)
    np.testing.assert_allclose(host(a.sum(axis=0)), x0.sum(axis=0), rtol=1e-5)
    np.testing.assert_array_equal(host(a.T @ lnp.ones((40, 2), dtype=dtype)), x0.T @ np.ones((40, 2), dtype=dtype))
    a *= 2
    np.testing.assert_array_equal(x, x0 * 2)
    a[::3, 1:] += 1  # a strided view of the shared array
    want = x0 * 2
    want[::3, 1:] += 1
    np.testing.assert_array_equal(x, want)
    x[0, 0] = 7
    assert a[0, 0] == 7


def test_fortran_order_is_shared():
    x = np.asfortranarray(np.arange(24.0).reshape(2, 3, 4))
    x0 = x.copy()
    a = lnp.from_dlpack(x)
    assert shares(a, x) and a.shape == x.shape
    np.testing.assert_array_equal(host(a), x0)
    np.testing.assert_array_equal(host(a.sum(axis=2)), x0.sum(axis=2))
    np.testing.assert_array_equal(host(a.transpose(2, 0, 1) * 3), x0.transpose(2, 0, 1) * 3)
    np.testing.assert_array_equal(host(a[1, ::2]), x0[1, ::2])
    a[:, 1] = -1
    x0[:, 1] = -1
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize(
    "make_x",
    [
        lambda: np.arange(20.0)[::2],
        lambda: np.arange(12.0).reshape(3, 4)[:, 1:3],
        lambda: np.arange(6.0)[::-1],
    ],
    ids=["strided", "neither-order", "reversed"],
)
def test_layouts_that_are_copied(make_x):
    x = make_x()
    want = x.copy()
    a = lnp.from_dlpack(x)
    assert a.shape == x.shape and a.flags.writeable
    np.testing.assert_array_equal(host(a), want)
    assert not shares(a, x)
    a += 1
    np.testing.assert_array_equal(x, want)
    with pytest.raises(BufferError):
        lnp.from_dlpack(x, copy=False)


def test_empty_tensors():
    for x in (np.zeros((0, 3)), np.zeros((2, 0), dtype=np.int8)[:, ::2]):
        a = lnp.from_dlpack(x, copy=False)  # nothing to copy
        assert a.shape == x.shape and a.dtype == x.dtype and a.flags.writeable
        np.testing.assert_array_equal(host(a.sum(axis=0)), x.sum(axis=0))


def test_misaligned_memory_is_copied():
    raw = bytearray(8 * 5 + 1)
    x = np.frombuffer(raw, dtype=np.float64, count=5, offset=1)
    assert x.ctypes.data % 8
    x[...] = np.arange(5.0)
    a = lnp.from_dlpack(x)
    assert not shares(a, x)
    np.testing.assert_array_equal(host(a), np.arange(5.0))
    with pytest.raises(BufferError):
        lnp.from_dlpack(x, copy=False)


def test_copy_keyword():
    x = np.arange(6.0).reshape(2, 3)
    same = lnp.from_dlpack(x, copy=False)
    assert shares(same, x)
    other = lnp.from_dlpack(x, copy=True)
    assert not shares(other, x)
    other += 1
    np.testing.assert_array_equal(x, np.arange(6.0).reshape(2, 3))


def test_read_only_tensors_give_read_only_arrays():
    x = np.arange(5, dtype=np.int64)
    x.flags.writeable = False
    a = lnp.from_dlpack(x)
    assert shares(a, x) and not a.flags.writeable
    with pytest.raises(ValueError):
        a += 1
    with pytest.raises(ValueError):
        a[0] = 3
    np.testing.assert_array_equal(host(a * 2), np.arange(5) * 2)
    b = lnp.from_dlpack(x, copy=True)
    assert b.flags.writeable and not shares(b, x)


def test_legacy_capsules():
    # A producer from before DLPack 1.0: __dlpack__ takes no max_version.
    class Old:
        def __init__(self, x):
            self.x = x

        def __dlpack__(self, stream=None):
            return self.x.__dlpack__()

        def __dlpack_device__(self):
            return self.x.__dlpack_device__()

    x = np.arange(8, dtype=np.int16)
    a = lnp.from_dlpack(Old(x))
    assert shares(a, x) and a.flags.writeable
    a += 1
    np.testing.assert_array_equal(x, np.arange(8) + 1)
    y = np.arange(8.0)[::2]
    np.testing.assert_array_equal(host(lnp.from_dlpack(Old(y))), y)


def test_producer_memory_lives_as_long_as_the_array():
    x = np.arange(1000.0)
    ref = weakref.ref(x)
    a = lnp.from_dlpack(x)
    b = a[10:20]
    del x, a
    gc.collect()
    assert ref() is not None
    lnp.zeros(1000)  # memory the runtime allocates meanwhile
    np.testing.assert_array_equal(host(b + 0), np.arange(10.0, 20.0))
    del b
    assert released(ref)


def test_capsules_are_consumed_once():
    x = np.arange(4.0)
    capsule = x.__dlpack__(max_version=(1, 0))
    store = _ext.dlpack_import(capsule)
    assert store is not None
    with pytest.raises(TypeError):
        _ext.dlpack_import(capsule)  # renamed used_dltensor_versioned
    with pytest.raises(TypeError):
        _ext.dlpack_import(object())


# ---- DLPack from jax ----


def test_jax_arrays_are_shared():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    y = jnp.arange(12, dtype=jnp.float32).reshape(3, 4) * 2
    a = lnp.from_dlpack(y)
    assert a.dtype == np.float32 and a.shape == (3, 4)
    want = np.arange(12, dtype=np.float32).reshape(3, 4) * 2
    np.testing.assert_array_equal(host(a), want)
    # In place: the memory NumPy sees through jax's own DLPack export.
    assert np.shares_memory(host(a), np.from_dlpack(y))
    np.testing.assert_array_equal(host(a.sum(axis=1)), want.sum(axis=1))
    ref = weakref.ref(a)
    del y
    gc.collect()
    np.testing.assert_array_equal(host(a * 1), want)
    del a
    assert ref() is None


def test_torch_tensors_are_shared():
    torch = pytest.importorskip("torch")
    t = torch.arange(6, dtype=torch.float64)
    a = lnp.from_dlpack(t)
    a += 1
    assert t.tolist() == list(np.arange(6.0) + 1)


# ---- Arrow ----


ARROW = [d for d in ALL if np.dtype(d).kind not in "bc"]
ARROW_IDS = [np.dtype(d).name for d in ARROW]


@pytest.mark.parametrize("dtype", ARROW, ids=ARROW_IDS)
def test_from_arrow_shares_arrow_memory(dtype):
    pa = pytest.importorskip("pyarrow")
    x = values(dtype, (9,))
    arr = pa.array(x)
    a = lnp.from_arrow(arr)
    assert a.dtype == x.dtype and not a.flags.writeable
    assert np.shares_memory(host(a), arr.to_numpy())
    np.testing.assert_array_equal(host(a), x)
    np.testing.assert_array_equal(host(a + a), x + x)
    with pytest.raises(ValueError):
        a += 1
    # A slice of an Arrow array starts at an offset into its buffer.
    part = lnp.from_arrow(arr.slice(2, 5))
    np.testing.assert_array_equal(host(part), x[2:7])
    assert np.shares_memory(host(part), arr.to_numpy())
    # One chunk of a ChunkedArray is shared too.
    c = lnp.from_arrow(pa.chunked_array([arr]))
    assert np.shares_memory(host(c), arr.to_numpy())
    copied = lnp.from_arrow(arr, copy=True)
    assert copied.flags.writeable and not np.shares_memory(host(copied), arr.to_numpy())
    copied += 1
    np.testing.assert_array_equal(arr.to_numpy(), x)


def test_from_arrow_copies_what_it_cannot_share():
    pa = pytest.importorskip("pyarrow")
    flags = pa.array([True, False, True])  # bits in Arrow
    b = lnp.from_arrow(flags)
    assert b.flags.writeable and host(b).tolist() == [True, False, True]
    with pytest.raises(BufferError):
        lnp.from_arrow(flags, copy=False)
    two = pa.chunked_array([pa.array([1.0, 2.0]), pa.array([3.0])])
    np.testing.assert_array_equal(host(lnp.from_arrow(two)), [1.0, 2.0, 3.0])
    with pytest.raises(BufferError):
        lnp.from_arrow(two, copy=False)
    empty = lnp.from_arrow(pa.array([], pa.float32()), copy=False)
    assert empty.shape == (0,) and empty.dtype == np.float32


def test_arrow_memory_lives_as_long_as_the_array():
    pa = pytest.importorskip("pyarrow")
    x = np.arange(100, dtype=np.int64)
    arr = pa.array(x)
    a = lnp.from_arrow(arr)
    pool_before = pa.total_allocated_bytes()
    del arr
    gc.collect()
    np.testing.assert_array_equal(host(a[::7] * 3), x[::7] * 3)
    del a
    gc.collect()
    _ext.fence()
    assert pa.total_allocated_bytes() <= pool_before


def test_round_trip_through_arrow_is_a_view():
    # legate -> Arrow -> legate: two stores over the same memory; each sees the other's
    # writes, and an operation on one never overlaps a write through the other.
    pa = pytest.importorskip("pyarrow")
    a = lnp.arange(50.0)
    back = lnp.from_arrow(pa.array(a))
    assert np.shares_memory(host(back), host(a))
    doubled = back * 2
    a += 1
    np.testing.assert_array_equal(host(doubled), np.arange(50.0) * 2)
    np.testing.assert_array_equal(host(back), np.arange(50.0) + 1)
    a[::2] = 0
    want = np.arange(50.0) + 1
    want[::2] = 0
    np.testing.assert_array_equal(host(back.copy()), want)
