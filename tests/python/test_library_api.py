"""legate.core's library API: legate_hello's tasks launched from Python (auto and
manual tasks, scalars, reductions, constraints, partitions) on legate_numeric arrays
and raw stores, each result against NumPy; and the errors of bad launches."""

from __future__ import annotations

import numpy as np
import pytest

import legate_hello as hello
import legate_numeric as lnp
from legate.core import ReductionOp, get_legate_runtime, store_of, types

rt = get_legate_runtime()
SHAPES = [(0,), (1,), (7,), (33,), (4, 5), (2, 3, 4), ()]


@pytest.fixture(scope="module")
def lib():
    return hello.library()


def launch_square(lib, x, out, *, broadcast=False):
    task = rt.create_auto_task(lib, hello.SQUARE)
    task.add_input(x)
    task.add_output(out)
    task.add_alignment(x, out)
    if broadcast:
        task.add_broadcast(x)
    task.execute()


def test_find_library(lib):
    assert lib.name == hello.LIBRARY_NAME
    assert rt.find_library(hello.LIBRARY_NAME).id == lib.id
    with pytest.raises(LookupError, match="no library named 'no_such_library'"):
        rt.find_library("no_such_library")


@pytest.mark.parametrize("shape", SHAPES)
def test_auto_task_on_numeric_arrays(lib, shape):
    a = np.arange(np.prod(shape, dtype=int), dtype=np.float64).reshape(shape) - 3.5
    x = lnp.asarray(a)
    y = lnp.empty(shape)
    launch_square(lib, x, y)
    np.testing.assert_array_equal(np.asarray(y), a**2)


def test_auto_task_on_views(lib):
    a = np.arange(60.0).reshape(6, 10)
    x = lnp.asarray(a)
    view = x[1::2, ::-3]
    out = lnp.zeros((6, 10))
    launch_square(lib, view, out[::2, 2:6])
    expected = np.zeros((6, 10))
    expected[::2, 2:6] = a[1::2, ::-3] ** 2
    np.testing.assert_array_equal(np.asarray(out), expected)


def test_auto_task_on_raw_stores(lib):
    n = 17
    out = rt.create_store(types.float64, (n,))
    task = rt.create_auto_task(lib, hello.IOTA)
    task.add_output(out)
    task.execute()
    expected = np.arange(1.0, n + 1)
    np.testing.assert_array_equal(np.asarray(out), expected)
    np.testing.assert_array_equal(out.get_physical_store(), expected)
    sq = rt.create_store((n,), np.float64)  # (shape, dtype) is accepted too
    launch_square(lib, out, sq)
    np.testing.assert_array_equal(np.asarray(sq, dtype=np.float32), (expected**2).astype(np.float32))
    with pytest.raises(ValueError):
        np.array(sq, copy=False)


@pytest.mark.parametrize("shape", [(0,), (9,), (5, 7)])
def test_reduction_and_broadcast(lib, shape):
    a = np.arange(np.prod(shape, dtype=int), dtype=np.float64).reshape(shape) + 1
    total = rt.create_store(types.float64, (1,))
    rt.issue_fill(total, 0.0)
    task = rt.create_auto_task(lib, hello.SUM)
    task.add_input(lnp.asarray(a))
    task.add_reduction(total, ReductionOp.ADD)
    # Every point reduces into the whole (one-element) store, not a piece of it.
    task.add_broadcast(total)
    task.execute()
    assert np.asarray(total)[0] == a.sum()
    # A broadcast input: every point sees (and squares) all of it, same result.
    y = lnp.empty(shape)
    launch_square(lib, lnp.asarray(a), y, broadcast=True)
    np.testing.assert_array_equal(np.asarray(y), a**2)


def test_constraints_by_variable(lib):
    a = np.linspace(-1, 1, 11)
    x, y = lnp.asarray(a), lnp.empty(11)
    task = rt.create_auto_task(lib, hello.SQUARE)
    vx, vy = task.add_input(x), task.add_output(y)
    task.add_alignment(vx, vy)
    task.add_broadcast(vx, axes=0)
    task.execute()
    np.testing.assert_array_equal(np.asarray(y), a**2)


@pytest.mark.parametrize("shape", [(0,), (10,), (3, 4)])
def test_hello_axpy_from_python(shape):
    a = np.arange(np.prod(shape, dtype=int), dtype=np.float64).reshape(shape)
    b = np.full(shape, 0.25)
    np.testing.assert_array_equal(np.asarray(hello.axpy(-2.0, lnp.asarray(a), lnp.asarray(b))), -2.0 * a + b)
    with pytest.raises(TypeError):
        hello.axpy(1.0, lnp.arange(3), lnp.arange(3))
    with pytest.raises(ValueError):
        hello.axpy(1.0, lnp.ones(3), lnp.ones(4))


def three_point_sum(a):
    p = np.pad(a, 1)
    return p[:-2] + p[1:-1] + p[2:]


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1000])
def test_hello_smooth_halos_from_bloat(n):
    # Several tiles (n = 1000 on 2 or more processors): each reads its neighbours'
    # edge elements through the bloat constraint, and the task checks it got them.
    a = np.cos(np.arange(n, dtype=np.float64))
    np.testing.assert_allclose(np.asarray(hello.smooth(lnp.asarray(a))), three_point_sum(a), rtol=1e-15)
    # On a strided view: the halo is in the view's coordinates.
    b = np.arange(3.0 * n)
    np.testing.assert_allclose(np.asarray(hello.smooth(lnp.asarray(b)[1::3])), three_point_sum(b[1::3]), rtol=1e-15)
    with pytest.raises(ValueError):
        hello.smooth(lnp.ones((2, 2)))


def test_a_missing_halo_is_an_error(lib):
    # The same task launched without its bloat constraint: on one tile it needs no
    # halo; on several, the task sees it was not given one, and reading the result
    # raises what it reported.
    n = 100_000  # above the default chunk size: split on several processors
    a = np.arange(float(n))
    x, y = lnp.asarray(a), lnp.empty(n)
    task = rt.create_auto_task(lib, hello.SMOOTH)
    vx, vy = task.add_input(x), task.add_output(y)
    task.add_scalar_arg(n, types.int64)
    task.add_alignment(vx, vy)
    task.execute()
    if rt.config["cpus"] == 1:
        np.testing.assert_array_equal(np.asarray(y), three_point_sum(a))
    else:
        with pytest.raises(RuntimeError, match="halo"):
            np.asarray(y)


def test_manual_task_with_partitions(lib):
    a = np.arange(10.0)
    x, y = lnp.asarray(a), rt.create_store(types.float64, (10,))
    px, py = store_of(x).partition_by_tiling([4]), y.partition_by_tiling([4])
    assert tuple(px.color_shape) == (3,)
    task = rt.create_manual_task(lib, hello.SQUARE, px.color_shape)
    task.add_input(px)
    task.add_output(py)
    task.execute()
    np.testing.assert_array_equal(np.asarray(y), a**2)


def test_manual_task_with_a_string_scalar(lib, capfd):
    task = rt.create_manual_task(lib, hello.HELLO_WORLD, 3)
    task.add_scalar_arg("from Python", types.string)
    task.execute()
    rt.issue_execution_fence(block=True)
    out = capfd.readouterr().out
    assert out.count("Hello, World! from Python") == 3, out


def test_errors(lib):
    x, y = lnp.ones(4), lnp.empty(4)
    # An unknown task id is found when the launch is submitted.
    task = rt.create_auto_task(lib, 999)
    task.add_output(y)
    with pytest.raises(LookupError, match="999"):
        task.execute()
    with pytest.raises(TypeError):
        rt.create_auto_task(lib, "square")
    with pytest.raises(TypeError):
        rt.create_auto_task(3, hello.SQUARE)
    with pytest.raises(LookupError):
        rt.create_auto_task("no_such_library", 0)

    task = rt.create_auto_task(lib, hello.SQUARE)
    with pytest.raises(TypeError, match="legate_data_interface"):
        task.add_input([1.0, 2.0])
    task.add_input(x)
    with pytest.raises(ValueError, match="not one of this task's"):
        task.add_alignment(x, y)
    with pytest.raises(ValueError, match="reduction operator"):
        task.add_reduction(y, 99)
    with pytest.raises(TypeError):
        task.add_scalar_arg(2.5, types.int64)
    with pytest.raises(TypeError):
        task.add_scalar_arg("text", types.float64)
    with pytest.raises(ValueError):
        task.add_scalar_arg([1.0, 2.0], types.float64)
    with pytest.raises(ValueError, match="kind"):
        task.add_image(x, x, "nowhere")
    task.add_output(y)
    task.execute()
    with pytest.raises(RuntimeError, match="already executed"):
        task.execute()

    # Arguments of different shapes cannot be aligned.
    task = rt.create_auto_task(lib, hello.SQUARE)
    task.add_input(lnp.ones(3))
    z = lnp.empty(5)
    task.add_output(z)
    task.add_alignment(task._args[0], z)
    with pytest.raises(ValueError):
        task.execute()

    # Bloat halos need one extent per dimension.
    task = rt.create_auto_task(lib, hello.SQUARE)
    va, vb = task.add_input(lnp.ones(6)), task.add_output(lnp.empty(6))
    with pytest.raises(ValueError):
        task.add_bloat(va, vb, [1, 1], [1])
        task.execute()


def test_task_errors_surface_when_read(lib):
    # Wrong arity (axpy without its scalar) and wrong type (square of int64): the task
    # reports it, and reading the result raises it.
    x, y, z = lnp.ones(5), lnp.ones(5), lnp.empty(5)
    task = rt.create_auto_task(lib, hello.AXPY)
    task.add_input(x)
    task.add_input(y)
    task.add_output(z)
    task.add_alignment(x, z)
    task.execute()
    with pytest.raises(RuntimeError, match="axpy takes"):
        np.asarray(z)

    ints, out = lnp.arange(4), lnp.empty(4)
    launch_square(lib, ints, out)
    with pytest.raises(RuntimeError):
        np.asarray(out)
    # The runtime keeps working.
    y = lnp.empty(3)
    launch_square(lib, lnp.ones(3) * 3, y)
    np.testing.assert_array_equal(np.asarray(y), np.full(3, 9.0))
