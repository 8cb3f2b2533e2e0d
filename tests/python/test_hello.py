"""legate_hello, built as its own extension module, against NumPy and with legate_numeric.

legate_hello's tasks are compiled into ``legate_hello._legate_hello``, which contains no
runtime: it registers its tasks with the process's one runtime through the capsule
``legate._legate.runtime_api``, and takes legate_numeric arrays through
``__legate_data_interface__``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import legate_hello as hello
import legate_numeric as lnp
from legate import _legate

SIZES = [0, 1, 2, 3, 5, 7, 8, 33, 1001]


def check(got, expected):
    assert isinstance(got, lnp.ndarray), type(got)
    arr = np.asarray(got)
    exp = np.asarray(expected)
    assert arr.shape == exp.shape and arr.dtype == exp.dtype, (arr.shape, arr.dtype, exp.shape, exp.dtype)
    # Integer-valued float64 data: exact whatever the partitioning and summation order.
    np.testing.assert_array_equal(arr, exp)


@pytest.mark.parametrize("n", SIZES)
def test_iota_square_sum_match_numpy(n):
    x = hello.iota(n)
    expected = np.arange(1, n + 1, dtype=np.float64)
    check(x, expected)
    check(hello.square(x), expected**2)
    check(hello.sum(x), np.sum(expected))
    check(hello.sum(hello.square(x)), np.sum(expected**2))


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 4), (0, 3)])
def test_square_and_sum_of_legate_numeric_arrays(shape):
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) - 5
    x = lnp.asarray(a)
    check(hello.square(x), a**2)
    check(hello.sum(x), np.sum(a))


def test_views_of_legate_numeric_arrays():
    a = np.arange(48, dtype=np.float64).reshape(6, 8)
    x = lnp.asarray(a)
    views = {
        "strided": (x[1::2, ::3], a[1::2, ::3]),
        "reversed": (x[::-1], a[::-1]),
        "transposed": (x.T, a.T),
        "row": (x[2], a[2]),
        "column": (x[:, 5], a[:, 5]),
        "broadcast": (lnp.broadcast_to(x[0], (3, 8)), np.broadcast_to(a[0], (3, 8))),
    }
    for name, (view, expected) in views.items():
        check(hello.square(view), expected**2)
        check(hello.sum(view), np.sum(expected))
        # The view was used in place: the array it came from is unchanged.
    check(x, a)


def test_results_are_legate_numeric_arrays_that_compose_both_ways():
    x = hello.iota(10)
    assert x.dtype == np.float64 and x.shape == (10,)
    # legate_numeric on hello's result, hello on legate_numeric's result.
    y = lnp.sqrt(hello.square(x * 2 - 1))
    check(y, np.abs(np.arange(1, 11, dtype=np.float64) * 2 - 1))
    total = hello.sum(lnp.where(x > 5, x, 0.0))
    check(total, np.float64(6 + 7 + 8 + 9 + 10))
    assert float(total) == 40.0
    check(x[2:5] + hello.square(x)[2:5], np.array([3.0, 4, 5]) + np.array([9.0, 16, 25]))


def test_any_object_with_a_legate_data_interface():
    store = _legate.from_numpy(np.array([1.5, -2.0, 3.0]))

    class Holder:
        @property
        def __legate_data_interface__(self):
            return {"version": 1, "data": {("array", "float64"): (None, store)}}

    check(hello.square(Holder()), np.array([2.25, 4.0, 9.0]))
    check(hello.sum(Holder()), np.float64(2.5))
    # A Store, NumPy arrays and lists work too (the latter are converted first).
    check(hello.square(store), np.array([2.25, 4.0, 9.0]))
    check(hello.square(np.array([[1.0, 2.0]])), np.array([[1.0, 4.0]]))
    check(hello.sum([1.0, 2.0, 3.5]), np.float64(6.5))


def test_bad_interfaces_and_dtypes_are_clear_errors():
    store = _legate.from_numpy(np.ones(3))

    def holder(iface):
        return type("Holder", (), {"__legate_data_interface__": iface})()

    with pytest.raises(ValueError, match="version"):
        hello.square(holder({"version": 2, "data": {("array", "float64"): (None, store)}}))
    with pytest.raises(NotImplementedError, match="null mask"):
        hello.square(holder({"version": 1, "data": {("array", "float64"): (store, store)}}))
    with pytest.raises(TypeError, match="float64"):
        hello.square(lnp.arange(4))
    with pytest.raises(TypeError, match="float64"):
        hello.sum(lnp.ones(3, dtype=np.float32))
    with pytest.raises(TypeError, match="legate._legate.Store"):
        hello._ext.square(np.ones(3))
    with pytest.raises(ValueError):
        hello.iota(-1)


def test_task_errors_surface_on_reading_and_the_runtime_keeps_working():
    # Past the Python checks, the task itself refuses another dtype; the error comes
    # back when the result is read, through legate_numeric.
    ints = _legate.from_numpy(np.arange(5, dtype=np.int64))
    out = lnp.ndarray._wrap(hello._ext.square(ints), np.dtype(np.float64))
    with pytest.raises(RuntimeError, match="wrong dtype"):
        np.asarray(out)
    check(hello.sum(hello.square(hello.iota(10))), np.float64(385))


def test_hello_world_prints_from_every_point(capfd):
    hello.hello_world("from pytest", 3)
    hello.hello_world("nobody", 0)
    _legate.fence()
    lines = [line for line in capfd.readouterr().out.splitlines() if "from pytest" in line]
    assert sorted(lines) == [f"Hello, World! from pytest (from point {i} of 3)" for i in range(3)]


def test_the_extension_links_no_runtime():
    # The capsule the library uses, and the ABI version both sides speak.
    assert type(_legate.runtime_api).__name__ == "PyCapsule"
    assert "legate._legate.runtime_api" in repr(_legate.runtime_api)
    assert hello._ext.ABI_VERSION == _legate.ABI_VERSION
    # legate_hello's binary carries none of the runtime's code (its scheduler, executor).
    with open(hello._ext.__file__, "rb") as f:
        binary = f.read()
    assert b"legate_core" not in binary
    with open(_legate.__file__, "rb") as f:
        assert b"legate_core" in f.read()


ONE_RUNTIME = """
import sys
import numpy as np
first = sys.argv[1]
ids = []
if first == "legate_hello":
    import legate_hello as hello
    s1 = hello._ext.iota(4)            # hello starts the runtime ...
    assert "legate_numeric" not in sys.modules
    import legate_numeric as lnp       # ... and legate_numeric joins it
else:
    import legate_numeric as lnp
    s1 = lnp.ones(4)._store            # legate_numeric starts the runtime ...
    import legate_hello as hello       # ... and legate_hello joins it
    s1 = hello._ext.iota(4)
s2 = lnp.zeros(3)._store
s3 = hello._ext.iota(2)
ids = [s1.storage_id, s2.storage_id, s3.storage_id]
# One runtime: one counter of storage ids, so they are distinct and increasing.
assert ids[0] < ids[1] < ids[2], ids
# A store made by one library is used by the other, and the results agree.
x = lnp.ndarray._wrap(s1, np.dtype("float64"))
assert np.array_equal(np.asarray(x + 1), [2.0, 3.0, 4.0, 5.0])
assert float(hello.sum(lnp.arange(5.0) * x[:1])) == 10.0
print("ok", ids)
"""


@pytest.mark.parametrize("first", ["legate_hello", "legate_numeric"])
def test_one_runtime_whatever_is_imported_first(first):
    env = dict(os.environ, LEGATE_CONFIG="--cpus 2", LEGATE_TEST="1")
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(ONE_RUNTIME), first],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok"), proc.stdout


SPLIT = """
import numpy as np
import legate_hello as hello
import legate_numeric as lnp
for n in [0, 1, 3, 5, 8, 33, 1001]:
    e = np.arange(1, n + 1, dtype=np.float64)
    x = hello.iota(n)
    assert np.array_equal(np.asarray(x), e)
    assert np.array_equal(np.asarray(hello.square(x[::-2])), e[::-2] ** 2)
    assert float(hello.sum(hello.square(x))) == float(np.sum(e**2))
    a = lnp.asarray(e.reshape(-1, 1) if n else e)
    assert float(hello.sum(a.T)) == float(np.sum(e))
print("ok")
"""


@pytest.mark.parametrize("config", ["--cpus 1", "--cpus 2", "--cpus 4", "--cpus 1 --omps 2 --ompthreads 2"])
def test_split_across_processors(config):
    # LEGATE_TEST=1 splits even tiny stores, so every launch runs as several points;
    # with OMP processors, hello's OMP variants run (in a rayon pool of their own, as
    # the extension's rayon cannot see the runtime's).
    env = dict(os.environ, LEGATE_CONFIG=config, LEGATE_TEST="1")
    proc = subprocess.run([sys.executable, "-c", SPLIT], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok"
