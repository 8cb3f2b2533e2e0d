"""``strides`` and ``flags`` report what NumPy reports for the same view; NumPy
attributes that are not native come from NumPy (never a function in their place)."""

from __future__ import annotations

import numpy as np
import pytest

import legate_numeric as lnp

VIEWS = {
    "2d": lambda m: m.arange(12.0).reshape(3, 4),
    "transposed": lambda m: m.arange(12.0).reshape(3, 4).T,
    "column_slice": lambda m: m.arange(12.0).reshape(3, 4)[:, 1:],
    "row_slice": lambda m: m.arange(12.0).reshape(3, 4)[1:],
    "stepped": lambda m: m.arange(12.0)[::2],
    "reversed": lambda m: m.arange(12.0)[::-1],
    "broadcast": lambda m: m.broadcast_to(m.ones(3), (2, 3)),
    "unit_dim": lambda m: m.ones((3, 1))[:, 0],
    "diagonal": lambda m: m.diagonal(m.ones((3, 3))),
    "int32_3d": lambda m: m.zeros((2, 3, 4), dtype=np.int32)[:, ::2],
    "empty": lambda m: m.zeros((0, 3)),
    "0d": lambda m: m.array(1.5),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_strides_and_flags_match_numpy(name):
    a, b = VIEWS[name](np), VIEWS[name](lnp)
    if a.size:  # NumPy's strides of an empty array vary between versions
        assert b.strides == a.strides
    for flag in ("c_contiguous", "f_contiguous", "writeable", "fnc", "forc", "behaved", "carray", "farray", "writebackifcopy"):
        assert getattr(b.flags, flag) == getattr(a.flags, flag), flag
    for key in ("C_CONTIGUOUS", "F", "WRITEABLE", "FNC", "FORC", "CA", "FA", "B", "X"):
        assert b.flags[key] == a.flags[key], key
    assert np.isfortran(b) == np.isfortran(a)  # NumPy's function reads flags.fnc
    with pytest.raises(KeyError):
        b.flags["NOT_A_FLAG"]


def test_other_numpy_attributes_are_values_not_functions():
    a = lnp.arange(6.0).reshape(2, 3)
    with pytest.warns(RuntimeWarning):
        nbytes_like = a.ctypes
    assert not callable(nbytes_like)
