"""Exchange protocols with their real consumers: DLPack (``numpy.from_dlpack``), the
buffer protocol (``memoryview``, ``numpy.frombuffer``), the Arrow C data interface
(``pyarrow``), NumPy 2's ``__array__``/``__array_function__``, and the array API's
entry points. Every result is compared with NumPy computed here."""

import gc

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import make

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
       np.float16, np.float32, np.float64, np.complex64, np.complex128]
ALL_IDS = [np.dtype(d).name for d in ALL]
SHAPES = [(), (0,), (5,), (3, 4), (2, 3, 4)]


def values(dtype, shape):
    return make(dtype, shape) if np.dtype(dtype) not in (np.int8, np.int16, np.uint16, np.uint32, np.uint64, np.float16, np.complex64) \
        else make(np.float64 if np.dtype(dtype).kind == "f" else np.int64, shape).astype(dtype) \
        if np.dtype(dtype).kind != "c" else make(np.complex128, shape).astype(dtype)


def shares(a, b):
    return np.shares_memory(a, b) if a.size else True


# ---- DLPack ----


@pytest.mark.parametrize("dtype", ALL, ids=ALL_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_numpy_from_dlpack(dtype, shape):
    x = values(dtype, shape)
    a = lnp.array(x)
    v = np.from_dlpack(a)
    assert v.dtype == x.dtype and v.shape == x.shape
    np.testing.assert_array_equal(v, x)
    assert a.__dlpack_device__() == (1, 0)


def test_dlpack_views_share_memory_and_write_through():
    a = lnp.arange(12.0).reshape(3, 4)
    v = np.from_dlpack(a)
    w = np.from_dlpack(a)
    assert shares(v, w) and v.flags.writeable
    v[1, 2] = -7.0  # NumPy's view of a writable DLPack 1 tensor is writable
    expected = np.arange(12.0).reshape(3, 4)
    expected[1, 2] = -7.0
    np.testing.assert_array_equal(np.asarray(a), expected)
    np.testing.assert_array_equal(np.asarray(a.sum(axis=0)), expected.sum(axis=0))


def test_dlpack_waits_for_pending_writes():
    a = lnp.zeros(1000)
    a += 1.0
    a *= 3.0
    np.testing.assert_array_equal(np.from_dlpack(a), np.full(1000, 3.0))


def test_views_see_later_operations():
    # While the host holds a view, operations on the array finish before they return.
    a = lnp.zeros(10000)
    v = np.from_dlpack(a)
    for _ in range(3):
        a += 1.0
        assert (v == _ + 1).all()
    v[:] = 5.0
    assert float(a.sum()) == 50000.0
    b = lnp.arange(10000.0)
    m = memoryview(b)
    c = b * 2  # reads b; the host may write b right after
    m[0] = -1.0
    assert float(c[0]) == 0.0 and float(b[0]) == -1.0


@pytest.mark.parametrize("key", [np.s_[::2], np.s_[1:, ::-1], np.s_[:, 1], np.s_[::-1, 2:]], ids=str)
def test_dlpack_strided_views(key):
    x = make(np.float64, (4, 5))
    a = lnp.array(x)
    np.testing.assert_array_equal(np.from_dlpack(a[key]), x[key])
    np.testing.assert_array_equal(np.from_dlpack(a.T), x.T)
    c = lnp.array(make(np.complex128, (3,)))
    np.testing.assert_array_equal(np.from_dlpack(c.imag), np.asarray(c).imag)


def test_dlpack_read_only_views():
    x = make(np.float64, (3,))
    b = lnp.broadcast_to(lnp.array(x), (2, 3))
    v = np.from_dlpack(b)
    np.testing.assert_array_equal(v, np.broadcast_to(x, (2, 3)))
    if b.flags.writeable:
        pytest.skip("broadcast views are writable here")
    assert not v.flags.writeable
    with pytest.raises(BufferError):
        b.__dlpack__()  # the old capsule cannot say read-only: NumPy's refusal


def test_dlpack_capsule_lifetime():
    a = lnp.arange(5.0)
    cap = a.__dlpack__(max_version=(1, 0))
    del cap  # an unconsumed capsule frees its tensor
    v = np.from_dlpack(a)
    del a
    gc.collect()
    np.testing.assert_array_equal(v, np.arange(5.0))  # the view keeps the store's memory


def test_dlpack_arguments():
    a = lnp.arange(4)
    with pytest.raises(BufferError):
        a.__dlpack__(dl_device=(2, 0))
    with pytest.raises(ValueError):
        a.__dlpack__(stream=5)
    c = np.from_dlpack(a, copy=True)
    c[0] = 100
    assert int(a[0]) == 0
    assert np.from_dlpack(a, device="cpu").tolist() == [0, 1, 2, 3]


def _versioned_flags(capsule):
    # DLManagedTensorVersioned: version (2 x u32), manager_ctx, deleter, then flags (u64).
    import ctypes

    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return ctypes.c_uint64.from_address(get(capsule, b"dltensor_versioned") + 24).value


def test_dlpack_copy_flags():
    # DLPack 1's flags, as NumPy's own capsules set them: bit 0 read-only, bit 1 a copy.
    x = np.arange(3.0)
    assert _versioned_flags(x.__dlpack__(max_version=(1, 0), copy=True)) == 2
    a = lnp.arange(3.0)
    assert _versioned_flags(a.__dlpack__(max_version=(1, 0))) == _versioned_flags(x.__dlpack__(max_version=(1, 0))) == 0
    assert _versioned_flags(a.__dlpack__(max_version=(1, 0), copy=True)) == 2
    b = lnp.broadcast_to(a, (2, 3))
    if not b.flags.writeable:
        assert _versioned_flags(b.__dlpack__(max_version=(1, 0))) == 1
    # copy=True gives memory of its own, copy=False never copies.
    c = np.from_dlpack(a, copy=True)
    assert not np.shares_memory(c, np.from_dlpack(a))
    assert np.shares_memory(np.from_dlpack(a, copy=False), np.from_dlpack(a))
    np.testing.assert_array_equal(c, np.arange(3.0))


def test_from_dlpack():
    x = make(np.float32, (3, 2))
    a = lnp.from_dlpack(x)
    assert isinstance(a, lnp.ndarray) and a.dtype == x.dtype
    np.testing.assert_array_equal(np.asarray(a), x)
    b = lnp.from_dlpack(a)
    assert b is a
    assert lnp.from_dlpack(a, copy=True) is not a
    # In place where the layout allows, on one rank (test_interop_import.py has the
    # details); several ranks copy, so copy=False cannot be honoured there.
    from legate._ranks import ranks

    if ranks()[1] == 1:
        assert np.shares_memory(np.asarray(lnp.from_dlpack(x, copy=False)), x)
    else:
        with pytest.raises(BufferError):
            lnp.from_dlpack(x, copy=False)
    with pytest.raises(BufferError):
        lnp.from_dlpack(x[::2], copy=False)
    with pytest.raises(TypeError):
        lnp.from_dlpack([1, 2])


def test_torch_from_dlpack():
    torch = pytest.importorskip("torch")
    a = lnp.arange(6.0)
    t = torch.from_dlpack(a)
    assert t.tolist() == list(np.arange(6.0))
    np.testing.assert_array_equal(np.asarray(lnp.from_dlpack(t)), np.arange(6.0))


def test_jax_from_dlpack():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = make(np.float32, (3, 4))
    a = lnp.array(x)
    j = jnp.from_dlpack(a)
    assert j.dtype == np.float32 and j.shape == (3, 4)
    np.testing.assert_array_equal(np.asarray(j), x)
    np.testing.assert_array_equal(np.asarray(jnp.from_dlpack(a.T)), x.T)  # a transposition
    y = jnp.arange(6, dtype=jnp.int32).reshape(2, 3) * 3
    b = lnp.from_dlpack(y)
    assert isinstance(b, lnp.ndarray) and b.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(b), np.arange(6, dtype=np.int32).reshape(2, 3) * 3)


# ---- buffer protocol ----


@pytest.mark.parametrize("dtype", ALL, ids=ALL_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_memoryview(dtype, shape):
    x = values(dtype, shape)
    a = lnp.array(x)
    m = memoryview(a)
    assert m.shape == x.shape and m.itemsize == x.itemsize and m.nbytes == x.nbytes
    assert not m.readonly and m.c_contiguous
    h = np.asarray(m)
    assert h.dtype == x.dtype
    np.testing.assert_array_equal(h, x)
    del h
    m.release()


def test_memoryview_writes_are_visible():
    a = lnp.zeros((2, 3), dtype=np.int32)
    a += 5
    m = memoryview(a)
    m[1, 2] = 9
    m.release()
    expected = np.full((2, 3), 5, np.int32)
    expected[1, 2] = 9
    np.testing.assert_array_equal(np.asarray(a), expected)
    assert int(a.sum()) == int(expected.sum())
    f = np.frombuffer(a, dtype=np.int32)
    assert f.tolist() == expected.ravel().tolist()


def test_memoryview_strided_and_contiguity():
    x = make(np.float64, (4, 6))
    a = lnp.array(x)
    m = memoryview(a[:, ::2])
    assert not m.c_contiguous
    np.testing.assert_array_equal(np.asarray(m), x[:, ::2])
    import ctypes

    with pytest.raises((BufferError, TypeError)):
        (ctypes.c_double * 12).from_buffer(a[:, ::2])  # wants a contiguous buffer
    with pytest.raises(BufferError):
        np.frombuffer(a[:, ::2])  # a simple (unstrided) buffer request
    assert bytes(a[1]) == x[1].tobytes()


def test_memoryview_read_only():
    b = lnp.broadcast_to(lnp.arange(3.0), (2, 3))
    if b.flags.writeable:
        pytest.skip("broadcast views are writable here")
    m = memoryview(b)
    assert m.readonly
    np.testing.assert_array_equal(np.asarray(m), np.broadcast_to(np.arange(3.0), (2, 3)))


# ---- Arrow ----

ARROW = [d for d in ALL if np.dtype(d).kind != "c"]
ARROW_IDS = [np.dtype(d).name for d in ARROW]


@pytest.mark.parametrize("dtype", ARROW, ids=ARROW_IDS)
@pytest.mark.parametrize("n", [0, 1, 7])
def test_pyarrow_round_trip(dtype, n):
    pa = pytest.importorskip("pyarrow")
    x = values(dtype, (n,))
    a = lnp.array(x)
    arr = pa.array(a)
    assert arr.type == pa.from_numpy_dtype(x.dtype)
    assert arr.null_count == 0
    np.testing.assert_array_equal(arr.to_numpy(zero_copy_only=False), x)
    if n and x.dtype.kind != "b":
        # In place: Arrow's buffer is the store's memory.
        assert shares(arr.to_numpy(), np.from_dlpack(a))
    back = lnp.from_arrow(arr)
    assert isinstance(back, lnp.ndarray) and back.dtype == x.dtype
    np.testing.assert_array_equal(np.asarray(back), x)
    chunked = pa.chunked_array(a)  # through __arrow_c_stream__
    assert chunked.type == arr.type and chunked.to_pylist() == x.tolist()
    np.testing.assert_array_equal(np.asarray(lnp.from_arrow(chunked)), x)


def test_arrow_strided_and_errors():
    pa = pytest.importorskip("pyarrow")
    x = make(np.int64, (9,))
    a = lnp.array(x)
    assert pa.array(a[::3]).to_pylist() == x[::3].tolist()
    assert pa.array(a[::-1]).to_pylist() == x[::-1].tolist()
    with pytest.raises(TypeError, match="complex"):
        pa.array(lnp.ones(3, dtype=np.complex128))
    with pytest.raises(ValueError, match="1-d"):
        lnp.ones((2, 2)).__arrow_c_array__()
    with pytest.raises(ValueError, match="null"):
        lnp.from_arrow(pa.array([1.0, None]))
    with pytest.raises(TypeError):
        lnp.from_arrow(pa.array(["a"]))
    with pytest.raises(TypeError):
        lnp.from_arrow([1, 2])
    two = pa.chunked_array([pa.array([1, 2], pa.int32()), pa.array([3], pa.int32())])
    c = lnp.from_arrow(two)
    assert c.dtype == np.int32 and np.asarray(c).tolist() == [1, 2, 3]


@pytest.mark.parametrize("target", ["float32", "int16", "float64"])
def test_arrow_requested_type(target):
    # pyarrow passes the requested type as a schema capsule; legate casts as NumPy does.
    pa = pytest.importorskip("pyarrow")
    x = make(np.int32, (6,))
    a = lnp.array(x)
    t = pa.from_numpy_dtype(np.dtype(target))
    got = pa.array(a, type=t)
    assert got.type == t and got.to_pylist() == pa.array(x.astype(target), type=t).to_pylist()
    chunked = pa.chunked_array(a, type=t)
    assert chunked.type == t and chunked.to_pylist() == got.to_pylist()
    # A type legate lacks is left to the consumer: the array's own type comes back.
    schema, _ = a.__arrow_c_array__(pa.string().__arrow_c_schema__())
    assert pa.DataType._import_from_c_capsule(schema) == pa.int32()


def test_arrow_keeps_store_alive():
    pa = pytest.importorskip("pyarrow")
    a = lnp.arange(100.0)
    arr = pa.array(a)
    del a
    gc.collect()
    assert arr.to_pylist() == list(np.arange(100.0))


def test_core_types_to_and_from_arrow():
    pa = pytest.importorskip("pyarrow")
    from legate.core import types

    for name in ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "float32", "float64"]:
        t = types.to_arrow(name)
        assert t == pa.from_numpy_dtype(np.dtype(name))
        assert types.from_arrow(t) == name
    with pytest.raises(TypeError):
        types.to_arrow("complex128")
    with pytest.raises(TypeError):
        types.from_arrow(pa.timestamp("s"))


# ---- NumPy protocols ----


def test_array_copy_semantics():
    x = make(np.float64, (2, 3))
    a = lnp.array(x)
    c = np.array(a, copy=True)
    c[0, 0] = 99
    assert float(a[0, 0]) == x[0, 0]
    v = np.asarray(a, copy=False)  # a view of the store (NumPy 2: never a copy)
    v[0, 0] = 42.0
    assert float(a[0, 0]) == 42.0
    with pytest.raises(ValueError):
        np.asarray(a, dtype=np.float32, copy=False)
    assert np.asarray(a, dtype=np.float32).dtype == np.float32
    assert a.__array__(np.int64).dtype == np.int64


@pytest.mark.parametrize(
    "call",
    [
        lambda a: np.mean(a),
        lambda a: np.sum(a, axis=0),
        lambda a: np.std(a, correction=1),
        lambda a: np.linalg.norm(a),
        lambda a: np.fft.fft(a[0]),
        lambda a: np.concatenate([a, a]),
        lambda a: np.where(a > 0, a, 0),
        lambda a: np.sort(a, axis=1),
        lambda a: np.unique(a),
        lambda a: np.sin(a),
        lambda a: np.add.reduce(a),
        lambda a: np.matmul(a, a.T),
    ],
)
def test_numpy_functions_stay_native(call):
    x = make(np.float64, (3, 4))
    r = call(lnp.array(x))
    assert isinstance(r, lnp.ndarray)
    np.testing.assert_allclose(np.asarray(r), call(x))


# ---- array API ----


def test_array_namespace():
    a = lnp.ones(3)
    xp = a.__array_namespace__()
    assert xp is lnp and xp.__array_api_version__ == "2024.12"
    assert a.__array_namespace__(api_version="2023.12") is lnp
    with pytest.raises(ValueError):
        a.__array_namespace__(api_version="2099.01")
    assert a.device == "cpu" and a.to_device("cpu") is a
    with pytest.raises(ValueError):
        a.to_device("gpu:0")
    info = lnp.__array_namespace_info__()
    caps = info.capabilities()
    assert caps["boolean indexing"] and caps["data-dependent shapes"] and caps["max dimensions"] >= 6
    assert info.default_device() == "cpu" and info.devices() == ["cpu"]
    assert info.default_dtypes()["real floating"] == np.float64
    assert info.default_dtypes()["integral"] == np.int64
    assert set(info.dtypes(kind="real floating")) == {"float32", "float64"}
    assert set(info.dtypes(kind=("bool", "unsigned integer"))) == {"bool", "uint8", "uint16", "uint32", "uint64"}
    assert len(info.dtypes()) == 13
    with pytest.raises(ValueError):
        info.dtypes(kind="strings")


def test_standard_names_exist():
    strict = pytest.importorskip("array_api_strict")
    skip = {"ArrayAPIStrictFlags", "Device", "ModuleType", "get_array_api_strict_flags",
            "reset_array_api_strict_flags", "set_array_api_strict_flags"}
    missing = [n for n in dir(strict) if not n.startswith("_") and n not in skip and not hasattr(lnp, n)]
    assert not missing
    for sub in ("linalg", "fft"):
        names = getattr(getattr(strict, sub), "__all__", [])
        assert not [n for n in names if not hasattr(getattr(lnp, sub), n)]


def test_array_api_gaps():
    assert lnp.zeros((), dtype=None).dtype == np.float64
    for f in (lnp.zeros, lnp.ones, lnp.empty):
        assert f((2,), dtype=None).dtype == np.float64
    assert lnp.eye(2, dtype=None).dtype == np.float64
    x = make(np.float64, (4, 3))
    a = lnp.array(x)
    for ddof in (0, 1):
        np.testing.assert_allclose(np.asarray(lnp.var(a, axis=0, correction=ddof)), np.var(x, axis=0, correction=ddof))
        np.testing.assert_allclose(float(a.std(correction=ddof)), np.std(x, correction=ddof))
        np.testing.assert_allclose(np.asarray(lnp.nanstd(a, correction=ddof)), np.nanstd(x, correction=ddof))
    with pytest.raises(ValueError):
        lnp.var(a, ddof=1, correction=1)
    b = lnp.asarray(a, copy=True)
    assert b is not a
    assert lnp.asarray(a, copy=False) is a
    with pytest.raises(ValueError):
        lnp.asarray(x, copy=False)
    r = np.array([[0, -1], [1, 0]], np.float32)
    assert lnp.linalg.eigvals(lnp.array(r)).dtype == np.linalg.eigvals(r).dtype == np.complex64
    m = make(np.float64, (3, 3))
    m = m @ m.T + 3 * np.eye(3)
    for name in ("eigh", "qr", "svd", "slogdet"):
        got, exp = getattr(lnp.linalg, name)(lnp.array(m)), getattr(np.linalg, name)(m)
        assert type(got).__name__ == type(exp).__name__ and got._fields == exp._fields
    u = lnp.unique_all(lnp.array([3, 1, 3]))
    assert type(u).__name__ == "UniqueAllResult" and u._fields == np.unique_all(np.array([3, 1, 3]))._fields


def test_exchange_host_lets_other_threads_run():
    """A rank waiting in an exchange for the others releases the GIL, so its other
    Python threads go on (they stalled: the wait held it). On 2+ ranks (the multi-rank
    suite runs this file), rank 0 arrives half a second late; on one rank the exchange
    returns at once and only its result is checked."""
    import threading
    import time

    from legate import _legate, _ranks

    rank, num_ranks = _ranks.ranks()
    ticks, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(None)
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        if rank == 0:
            time.sleep(0.5)
        before = len(ticks)
        got = _legate.exchange_host(bytes([rank, 7]))
        during = len(ticks) - before
    finally:
        stop.set()
        ticker.join()
    assert [bytes(b) for b in got] == [bytes([r, 7]) for r in range(num_ranks)]
    if rank > 0:
        assert during > 20, f"the other thread ran {during} times while this rank waited"
