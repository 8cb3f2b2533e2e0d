"""``where=`` on ufuncs and reductions, natively (a select and the plain operation)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DTYPE_IDS, DTYPES, NUMERIC, NUMERIC_IDS, check, make

import legate_numeric as lnp

MASKS = {
    "full": lambda shape: make(np.bool_, shape, salt=5),
    "row": lambda shape: make(np.bool_, shape[-1:], salt=6),
    "scalar_false": lambda shape: np.False_,
}


@pytest.mark.parametrize("dtype", NUMERIC, ids=NUMERIC_IDS)
@pytest.mark.parametrize("mask", list(MASKS))
def test_binary_ufunc_where_with_out(dtype, mask):
    a_np, b_np = make(dtype, (3, 4)), make(dtype, (3, 4), salt=1)
    m_np = MASKS[mask]((3, 4))
    out_np = make(dtype, (3, 4), salt=2)
    exp = np.add(a_np, b_np, out=out_np.copy(), where=m_np)
    out = lnp.array(out_np)
    got = lnp.add(lnp.array(a_np), lnp.array(b_np), out=out, where=m_np if mask == "scalar_false" else lnp.array(m_np))
    assert got is out
    check(out, exp)


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.complex128])
def test_unary_ufunc_where_without_out_matches_where_selected(dtype):
    a_np = make(dtype, (5, 2), positive=True)
    m_np = make(np.bool_, (5, 2), salt=3)
    exp = np.sqrt(a_np, where=m_np)  # unselected entries are unspecified in NumPy
    got = np.asarray(lnp.sqrt(lnp.array(a_np), where=lnp.array(m_np)))
    assert got.dtype == exp.dtype and got.shape == exp.shape
    np.testing.assert_allclose(got[m_np], exp[m_np])


def test_ufunc_where_casting_errors_like_numpy():
    with pytest.raises(TypeError) as np_err:
        np.add(np.ones(3), np.ones(3), out=np.zeros(3, dtype=np.int64), where=np.array([True, False, True]))
    a = lnp.array(np.ones(3))
    out = lnp.array(np.zeros(3, dtype=np.int64))
    with pytest.raises(type(np_err.value)):
        lnp.add(a, a, out=out, where=lnp.array([True, False, True]))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("name", ["sum", "prod", "all", "any"])
def test_reductions_with_where(dtype, axis, name):
    a_np = make(dtype, (4, 5))
    m_np = make(np.bool_, (4, 5), salt=4)
    exp = getattr(np, name)(a_np, axis=axis, where=m_np)
    got = getattr(lnp, name)(lnp.array(a_np), axis=axis, where=lnp.array(m_np))
    check(got, exp)
    check(getattr(lnp.array(a_np), name)(axis=axis, where=m_np), exp)


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.uint8])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_where_need_initial(dtype, name):
    a_np = make(dtype, (4, 5))
    m_np = make(np.bool_, (4, 5), salt=4)
    with pytest.raises(ValueError):
        getattr(np, name)(a_np, axis=0, where=m_np)
    with pytest.raises(ValueError):
        getattr(lnp, name)(lnp.array(a_np), axis=0, where=lnp.array(m_np))
    exp = getattr(np, name)(a_np, axis=0, where=m_np, initial=3)
    check(getattr(lnp, name)(lnp.array(a_np), axis=0, where=lnp.array(m_np), initial=3), exp)


@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_mean_with_where(axis, keepdims):
    a_np = make(np.float64, (4, 5))
    m_np = make(np.bool_, (4, 5), salt=4)
    m_np[:, 0] = True  # no empty slice (NumPy warns and gives NaN there)
    exp = np.mean(a_np, axis=axis, keepdims=keepdims, where=m_np)
    check(lnp.mean(lnp.array(a_np), axis=axis, keepdims=keepdims, where=lnp.array(m_np)), exp)


def test_ufunc_reduce_with_where_and_broadcast_mask():
    a_np = make(np.int64, (3, 4))
    m_np = np.array([True, False, True, True])
    exp = np.add.reduce(a_np, axis=0, where=m_np)
    check(lnp.add.reduce(lnp.array(a_np), axis=0, where=lnp.array(m_np)), exp)
