"""The array API's ``linalg`` names composed from native functions, against NumPy with
the fallback off: ``matmul matrix_transpose tensordot vecdot outer diagonal trace cross
vector_norm matrix_norm matrix_power multi_dot``."""

import numpy as np
import pytest
from conftest import check, check_same_error, make

import legate_numeric as lnp


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


def same(name, *args, **kw):
    expected, _ = check_same_error(lambda: getattr(np.linalg, name)(*args, **kw),
                                   lambda: getattr(lnp.linalg, name)(*[lnp.array(x) if isinstance(x, np.ndarray) else x for x in args], **kw))
    if expected is not None:
        check(getattr(lnp.linalg, name)(*[lnp.array(x) if isinstance(x, np.ndarray) else x for x in args], **kw), expected)


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex128], ids=str)
def test_linalg_api(dtype):
    m = make(dtype, (2, 3, 3))
    v = make(dtype, (3,), 1)
    w = make(dtype, (2, 3), 2)
    same("matmul", m, v)
    same("matmul", m, m)
    same("matmul", v, v[:2])
    same("matrix_transpose", m)
    same("matrix_transpose", v)
    same("tensordot", m, m, axes=2)
    same("tensordot", m, v, axes=1)
    same("vecdot", m, v)
    same("vecdot", w, w, axis=0)
    same("outer", v, v[:2])
    same("outer", m, v)
    for offset in (-1, 0, 2):
        same("diagonal", m, offset=offset)
        same("trace", m, offset=offset)
    same("trace", m, dtype=np.complex128)
    same("cross", m, v)
    same("cross", w, w)
    same("cross", w, w, axis=0)
    if dtype != np.int32:
        for ord in (None, 2, 1, np.inf, -np.inf, 0, 3):
            for axis in (None, 0, -1, (0, 1), (0, 2)):
                for keepdims in (False, True):
                    kw = dict(axis=axis, keepdims=keepdims) if ord is None else dict(axis=axis, keepdims=keepdims, ord=ord)
                    same("vector_norm", m, **kw)
        for ord in ("fro", 1, -1, np.inf, "nuc", 2):
            same("matrix_norm", m, ord=ord)
            same("matrix_norm", m, ord=ord, keepdims=True)
    for n in (0, 1, 2, 3, 5, 8):
        same("matrix_power", m, n)
    if dtype != np.int32:
        same("matrix_power", m + 3 * np.eye(3, dtype=dtype), -2)
    same("matrix_power", m, 1.5)
    same("matrix_power", w, 2)
    same("matrix_power", v, 2)
    for arrays in ([w, m[0], v], [v, m[0], m[1], w.T], [w, w.T], [v, v], [make(dtype, (4, 2)), make(dtype, (2, 5)), make(dtype, (5, 1)), make(dtype, (1, 3))]):
        same("multi_dot", arrays)
    same("multi_dot", [v])
    same("multi_dot", [m, m])


def test_linalg_error_class():
    assert lnp.linalg.LinAlgError is np.linalg.LinAlgError
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.matrix_power(lnp.ones((2, 3)), 2)
