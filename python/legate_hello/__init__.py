"""``legate_hello``: the template Legate library, built as its own extension module.

Its tasks live in ``legate_hello._legate_hello`` (the crate ``python-hello``), which
does not contain the runtime: on first use it takes the runtime's function table from
the capsule ``legate._legate.runtime_api`` and registers its tasks with the process's
one runtime, whatever was imported first. Arrays come in through
``__legate_data_interface__`` (so a ``legate_numeric`` array is used in place, never
copied) and results go out as ``legate_numeric`` arrays::

    import legate_numeric as np
    import legate_hello

    x = legate_hello.iota(5)                 # [1. 2. 3. 4. 5.]
    y = legate_hello.square(x + 1)           # hello's task on numeric's result
    total = legate_hello.sum(np.sqrt(y))     # a 0-d array
    z = legate_hello.axpy(2.0, x, x)         # launched from Python (legate.core)
    w = legate_hello.smooth(x)               # [3. 6. 9. 12. 9.]: a halo (add_bloat)

``axpy`` and ``smooth`` show how a new task is added with no extension-module code: a
Rust task (``legate-hello/src/tasks/axpy.rs``), one ``register`` line, and the Python
function below, which launches it through ``legate.core``.
"""

from __future__ import annotations

import numpy as _np

from . import _legate_hello as _ext

__all__ = ["hello_world", "iota", "square", "sum", "axpy", "smooth", "store_of"]

LIBRARY_NAME = _ext.LIBRARY_NAME

# Task ids, as in legate-hello/src/tasks (for launches from Python).
HELLO_WORLD, IOTA, SQUARE, SUM, AXPY, SMOOTH = 0, 1, 2, 3, 4, 5


def library():
    """This library in the runtime (its tasks registered on first use), for
    ``legate.core``'s ``create_auto_task``/``create_manual_task``."""
    from legate.core import get_legate_runtime

    _ext.library_id()  # registers the tasks once
    return get_legate_runtime().find_library(LIBRARY_NAME)


def store_of(array):
    """The store of ``array``: an object with ``__legate_data_interface__`` (version 1,
    one field, no null mask), or a ``legate._legate.Store``; anything else is first
    converted with ``legate_numeric.asarray``. Returns ``(store, dtype)``."""
    from legate._legate import Store

    if isinstance(array, Store):
        return array, _np.dtype(array.dtype)
    iface = getattr(array, "__legate_data_interface__", None)
    if iface is None:
        import legate_numeric

        iface = legate_numeric.asarray(array).__legate_data_interface__
    if iface.get("version") != 1:
        raise ValueError(f"unsupported __legate_data_interface__ version {iface.get('version')!r}")
    data = iface["data"]
    if len(data) != 1:
        raise ValueError(f"legate_hello takes arrays of one field, got {len(data)}")
    (kind, dtype_name), (mask, store) = next(iter(data.items()))
    if kind != "array":
        raise ValueError(f"legate_hello takes arrays, got a field of kind {kind!r}")
    if mask is not None:
        raise NotImplementedError("legate_hello does not take arrays with a null mask")
    return store, _np.dtype(dtype_name)


def _float64_store(array, what: str):
    store, dtype = store_of(array)
    if dtype != _np.float64:
        raise TypeError(f"legate_hello.{what} takes float64 arrays, got {dtype}; convert with .astype(float)")
    return store


def _wrap(store):
    import legate_numeric

    return legate_numeric.ndarray._wrap(store, _np.dtype(store.dtype))


def hello_world(message: str, n: int = 1) -> None:
    """Prints ``message`` from each of ``n`` parallel tasks (once they run)."""
    _ext.hello_world(str(message), int(n))


def iota(n: int):
    """A new float64 array ``[1, 2, ..., n]``."""
    if int(n) < 0:
        raise ValueError("iota: n must be non-negative")
    return _wrap(_ext.iota(int(n)))


def square(x):
    """``x ** 2`` elementwise for a float64 array of any shape (views included)."""
    return _wrap(_ext.square(_float64_store(x, "square")))


def sum(x):  # noqa: A001 - the library's name for it
    """The sum of all elements of a float64 array, as a 0-d array."""
    return _wrap(_ext.sum(_float64_store(x, "sum")).project(0, 0))


def axpy(alpha, x, y):
    """``alpha * x + y`` for float64 arrays of one shape: the task is launched from
    Python, with no extension-module code."""
    from legate.core import get_legate_runtime, types

    import legate_numeric

    xs, ys = _float64_store(x, "axpy"), _float64_store(y, "axpy")
    if tuple(xs.shape) != tuple(ys.shape):
        raise ValueError(f"axpy: shapes {tuple(xs.shape)} and {tuple(ys.shape)} differ")
    z = legate_numeric.empty(tuple(xs.shape))
    rt = get_legate_runtime()
    task = rt.create_auto_task(library(), AXPY)
    task.add_input(xs)
    task.add_input(ys)
    task.add_output(z)
    task.add_scalar_arg(float(alpha), types.float64)
    # Elementwise: every point gets the same tile of all three.
    task.add_alignment(xs, z)
    task.add_alignment(ys, z)
    task.execute()
    return z


def smooth(x):
    """``y[i] = x[i-1] + x[i] + x[i+1]`` for a 1-d float64 array (neighbours outside it
    count 0). Each piece of ``y`` reads one element of ``x`` beyond its own on each
    side: a bloat constraint gives the task those halos."""
    from legate.core import get_legate_runtime, types

    import legate_numeric

    xs = _float64_store(x, "smooth")
    if len(xs.shape) != 1:
        raise ValueError(f"smooth takes a 1-d array, got {len(xs.shape)} dimensions")
    n = int(xs.shape[0])
    y = legate_numeric.empty(n)
    task = get_legate_runtime().create_auto_task(library(), SMOOTH)
    vx = task.add_input(xs)
    vy = task.add_output(y)
    task.add_scalar_arg(n, types.int64)
    # x's piece is y's piece grown by one element on each side (clipped at the ends).
    task.add_bloat(vy, vx, [1], [1])
    task.execute()
    return y
