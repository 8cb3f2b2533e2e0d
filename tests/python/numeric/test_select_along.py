"""``take_along_axis``, ``compress`` and ``choose`` natively, against NumPy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import DTYPE_IDS, DTYPES, check, make

import legate_numeric as lnp


def native():
    """Fails the test if a fallback warning is raised."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error")
    return ctx


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_take_along_axis(dtype, axis):
    a = make(dtype, (4, 5))
    if axis is None:
        idx = np.argsort(a.reshape(-1), kind="stable")[::-1].copy()
    else:
        idx = np.argsort(a, axis=axis, kind="stable")
    exp = np.take_along_axis(a, idx, axis=axis)
    ctx = native()
    try:
        got = lnp.take_along_axis(lnp.array(a), lnp.array(idx), axis=axis)
    finally:
        ctx.__exit__(None, None, None)
    check(got, exp)


def test_take_along_axis_broadcasts_and_checks():
    a = make(np.float64, (3, 4))
    idx = np.array([[0, 3, -1]])  # broadcasts along axis 0; -1 counts from the end
    check(lnp.take_along_axis(lnp.array(a), lnp.array(idx), axis=1), np.take_along_axis(a, idx, axis=1))
    idx_max = np.argmax(a, axis=1)[:, None]
    check(lnp.take_along_axis(lnp.array(a), lnp.array(idx_max), axis=1), np.take_along_axis(a, idx_max, axis=1))
    for bad in (np.array([[4]]), np.array([[-5]])):
        with pytest.raises(IndexError):
            np.take_along_axis(a, bad, axis=1)
        with pytest.raises(IndexError):
            lnp.take_along_axis(lnp.array(a), lnp.array(bad), axis=1)
    with pytest.raises(ValueError):
        lnp.take_along_axis(lnp.array(a), lnp.array(np.array([0, 1])), axis=1)
    with pytest.raises(IndexError):
        lnp.take_along_axis(lnp.array(a), lnp.array(np.ones((3, 1))), axis=1)


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.complex128, np.bool_], ids=str)
@pytest.mark.parametrize("axis", [0, 1, None])
@pytest.mark.parametrize("cond", [[True, False, True], [False, True], [True, False, True, False, False, False]])
def test_compress(dtype, axis, cond):
    a = make(dtype, (4, 3))
    try:
        exp = np.compress(cond, a, axis=axis)
    except IndexError:
        with pytest.raises(IndexError):
            lnp.compress(cond, lnp.array(a), axis=axis)
        return
    check(lnp.compress(lnp.array(np.array(cond)), lnp.array(a), axis=axis), exp)


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
def test_choose(mode):
    idx = np.array([[0, 1, 2], [2, 1, 0], [1, 1, 1]])
    if mode != "raise":
        idx = idx * 2 - 1  # out of range, mapped by the mode
    choices = [make(np.float64, (3, 3), salt=k) for k in range(3)]
    exp = np.choose(idx, choices, mode=mode)
    check(lnp.choose(lnp.array(idx), [lnp.array(c) for c in choices], mode=mode), exp)


def test_choose_broadcasts_and_raises():
    idx = np.array([0, 1, 1, 0])
    choices = [np.arange(4), np.array(10)]
    check(lnp.choose(lnp.array(idx), [lnp.array(c) for c in choices]), np.choose(idx, choices))
    with pytest.raises(ValueError):
        np.choose(np.array([0, 3]), [np.zeros(2), np.ones(2)])
    with pytest.raises(ValueError):
        lnp.choose(lnp.array(np.array([0, 3])), [lnp.zeros(2), lnp.ones(2)])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.float32, np.complex64])
def test_choose_python_scalar_choices_are_weak(dtype):
    # NEP 50: a Python scalar does not widen the array choices' type (int8 and 7: int8).
    idx = np.array([[0], [1]])
    for scalar in (7, True, 2.5):
        choices = [np.arange(4).astype(dtype), scalar]
        check(lnp.choose(lnp.array(idx), [lnp.array(choices[0]), scalar]), np.choose(idx, choices))


def test_methods_run_natively(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    a_np = make(np.int64, (4, 3))
    a = lnp.array(a_np)
    check(a.compress([True, False, True], axis=1), a_np.compress([True, False, True], axis=1))
    idx = np.array([0, 1, 0])
    check(lnp.array(idx).choose([lnp.zeros(3), lnp.ones(3)]), idx.choose([np.zeros(3), np.ones(3)]))
