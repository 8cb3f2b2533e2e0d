"""The fuzzers' findings, shrunk, as plain tests (one per distinct failure).

Each test names the property that found it. Failures in areas being fixed elsewhere
are excluded from the properties instead (see the comments marked DEFECT there).
"""

from __future__ import annotations

import numpy as np

import legate_numeric as lnp
from fuzzlib import compare


def test_out_cast_error_comes_before_broadcast_error():
    """test_inplace_operator_on_view: NumPy checks the cast to ``out`` first."""
    x = np.zeros(2, bool)
    lx = lnp.array(x)
    compare(lambda: np.true_divide(x, np.zeros(3, bool), out=x), lambda: lnp.true_divide(lx, lnp.zeros(3, bool), out=lx))
    u = np.zeros((3, 2), np.uint64)
    lu = lnp.array(u)

    def isub(v, o):
        v -= o
        return v

    compare(lambda: isub(u, np.full((1, 1, 1), -1, np.int32)), lambda: isub(lu, lnp.full((1, 1, 1), -1, np.int32)))


def test_where_kw_broadcasts_to_out():
    """test_ufunc_out_and_where: 0-d operands and mask broadcast to a 1-d ``out``."""
    out, lout = np.zeros(3, bool), lnp.zeros(3, bool)
    compare(
        lambda: np.add(np.array(True), np.array(False), out=out, where=np.array(True)),
        lambda: lnp.add(lnp.array(True), lnp.array(False), out=lout, where=lnp.array(True)),
    )


def test_float16_loop_checks_out_cast():
    """test_ufunc_out_and_where: a float16 loop with a bool ``out`` is a casting error."""
    out, lout = np.zeros((), bool), lnp.zeros((), bool)
    compare(
        lambda: np.add(np.array(False), np.array(0, np.float16), out=out),
        lambda: lnp.add(lnp.array(False), lnp.array(0, np.float16), out=lout),
    )
    compare(
        lambda: np.add(np.array(False), np.array(0, np.float16), out=out, where=np.array(True)),
        lambda: lnp.add(lnp.array(False), lnp.array(0, np.float16), out=lout, where=lnp.array(True)),
    )


def test_bool_array_compared_with_int_beyond_int64():
    """test_operator_with_python_scalar: NumPy converts the int to int64 and overflows."""
    x = np.zeros(0, bool)
    compare(lambda: x != 2**63, lambda: lnp.array(x) != 2**63)
    compare(lambda: np.ones(2, bool) < -(2**63) - 1, lambda: lnp.ones(2, bool) < -(2**63) - 1)


def test_clip_with_python_ints_beyond_the_dtype():
    """test_divmod_and_clip: bounds beyond the integer dtype's range bound nothing."""
    x = np.array([0, 5], np.uint8)
    lx = lnp.array(x)
    compare(lambda: np.clip(x, -1, None), lambda: lnp.clip(lx, -1, None))
    compare(lambda: np.clip(x, -1, 300), lambda: lnp.clip(lx, -1, 300))
    compare(lambda: np.clip(x, 300, None), lambda: lnp.clip(lx, 300, None))
    compare(lambda: np.clip(x.astype(float), None, None), lambda: lnp.clip(lx.astype(float), None, None))


def test_where_of_float16():
    """test_where_select: the select kernel has no float16."""
    c = np.array([True, False])
    compare(
        lambda: np.where(c, np.array([1, 0], bool), np.array([0.5, 2.0], np.float16)),
        lambda: lnp.where(lnp.array(c), lnp.array([1, 0], bool), lnp.array([0.5, 2.0], np.float16)),
    )
    compare(lambda: np.where(c, np.float16(1.5), 2.5), lambda: lnp.where(lnp.array(c), np.float16(1.5), 2.5))
