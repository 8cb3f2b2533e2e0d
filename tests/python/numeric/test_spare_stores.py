"""Spare stores (legate-numeric's ``Fusion::keep_spares``, legate-core's ``SpareStore``):
the dead temporaries of a fused window that ran are kept whole, records and memory,
and become the next results of their type and shape (a loop of small operations
then makes no new store records). A recycled temporary must never be observable: not
one the program still holds (a variable, an exception's frame, a view, a NumPy view
of its memory), not through its storage id, not as a result of another type or
shape, not in the memory the runtime reports in use. Each case makes spares in one
window (``_fusion.flush()`` runs it), then runs more windows whose results take them,
and compares every array it kept with NumPy's.

The same tests run with fusion off (``LEGATE_WINDOW_SIZE=1``): only values are checked.
"""

from __future__ import annotations

import numpy as np

import legate_numeric as lnp
from legate_numeric import _fusion

N = 1024


def fresh(seed, shape=N, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-2, 2, shape).astype(dtype)


def windows(x, y, n=3):
    """``x[...] = x + 2*y`` ``n`` times, a window each: makes spares and takes them."""
    for _ in range(n):
        x[...] = x + 2.0 * y
        _fusion.flush()


def spares():
    return _fusion.stats()["spares"]


def test_results_made_of_spares_are_new_stores():
    xn, yn = fresh(1), fresh(2)
    x, y = lnp.array(xn), lnp.array(yn)
    windows(x, y)
    xn = xn + 2.0 * yn + 2.0 * yn + 2.0 * yn
    before = spares()
    ids = []
    for _ in range(6):
        t = x + 2.0 * y
        ids.append(t._store.storage_id)
        x[...] = t
        del t
        _fusion.flush()
        xn = xn + 2.0 * yn
    if _fusion.enabled():
        assert spares() > before
    # A new store's id is above every earlier one (a recycled record keeps none).
    assert ids == sorted(set(ids)), ids
    np.testing.assert_array_equal(np.asarray(x), xn)


def test_held_temporaries_are_not_reused():
    xn, yn = fresh(3), fresh(4)
    x, y = lnp.array(xn), lnp.array(yn)
    kept = []
    for i in range(30):
        t = 2.0 * y
        u = x + t
        x[...] = u
        xn = xn + 2.0 * yn
        if i % 4 == 0:
            kept.append((u, xn.copy()))
        del t, u
        _fusion.flush()
    for u, want in kept:
        np.testing.assert_array_equal(np.asarray(u), want)


def _temporary_then_raise(x, y):
    t = x + 3.0 * y  # noqa: F841 (read back from the traceback's frame)
    raise RuntimeError("after the temporary")


def test_temporary_held_by_an_exception_is_not_reused():
    xn, yn = fresh(5), fresh(6)
    x, y = lnp.array(xn), lnp.array(yn)
    _fusion.flush()
    try:
        _temporary_then_raise(x, y)
    except RuntimeError as e:
        err = e
    want = xn + 3.0 * yn
    _fusion.flush()
    # More results in one window than the last window left spares: all are taken.
    taken = [x * float(k) for k in range(8)]
    _fusion.flush()
    t = err.__traceback__.tb_next.tb_frame.f_locals["t"]
    for k, r in enumerate(taken):
        np.testing.assert_array_equal(np.asarray(r), xn * float(k))
    np.testing.assert_array_equal(np.asarray(t), want)


def test_view_of_a_dead_temporary_keeps_it():
    xn, yn = fresh(7), fresh(8)
    x, y = lnp.array(xn), lnp.array(yn)
    v = (x + 2.0 * y)[1:]
    w = (x * 2.0)[::2]
    want_v, want_w = (xn + 2.0 * yn)[1:], (xn * 2.0)[::2]
    windows(x, y, 4)
    np.testing.assert_array_equal(np.asarray(v), want_v)
    np.testing.assert_array_equal(np.asarray(w), want_w)


def test_numpy_view_of_a_dead_temporary_keeps_it():
    xn, yn = fresh(9), fresh(10)
    x, y = lnp.array(xn), lnp.array(yn)
    t = x + 2.0 * y
    h = np.asarray(t, copy=False)
    want = xn + 2.0 * yn
    del t
    windows(x, y, 4)
    np.testing.assert_array_equal(h, want)


def test_spares_of_other_types_and_shapes_are_not_taken():
    # Each loop leaves spares the next one's results must not take: same bytes in
    # another shape (32x32) or type (int64), other lengths, float32.
    cases = [
        ((N,), np.float64),
        ((32, 32), np.float64),
        ((N,), np.int64),
        ((N - 1,), np.float64),
        ((N,), np.float32),
        ((16, 64), np.float64),
        ((64, 16), np.float64),
        ((N,), np.float64),
    ]
    for k, (shape, dtype) in enumerate(cases):
        xn = fresh(20 + k, shape).astype(dtype) if dtype != np.int64 else np.arange(np.prod(shape)).reshape(shape)
        yn = fresh(40 + k, shape).astype(dtype) if dtype != np.int64 else np.arange(np.prod(shape)).reshape(shape) % 7
        x, y = lnp.array(xn), lnp.array(yn)
        s = 2 if dtype == np.int64 else dtype(2.0)
        for _ in range(3):
            x[...] = x + s * y
            _fusion.flush()
            xn = xn + s * yn
        t = x - y
        assert t.shape == shape and t.dtype == xn.dtype
        np.testing.assert_allclose(np.asarray(x), xn, rtol=1e-6 if dtype == np.float32 else 0)
        np.testing.assert_allclose(np.asarray(t), xn - yn, rtol=1e-6 if dtype == np.float32 else 0)


def test_memory_of_spares_is_not_reported_in_use():
    from legate.core import runtime_info

    x, y = lnp.array(fresh(11)), lnp.array(fresh(12))
    np.asarray(x)
    before = runtime_info()["sysmem_used"]
    windows(x, y, 5)
    np.asarray(x)
    # The last window's temporaries wait as spares: free memory (pooled), not used.
    assert runtime_info()["sysmem_used"] == before
