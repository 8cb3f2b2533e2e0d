"""Tiles whose innermost rows are short (a (n, 2) array, a (n, 1) column broadcast
against (n, 3), a transposed (3, n) view): elementwise kernels walk them as a few long
strided rows, merging dimensions that are contiguous in every operand. Every view kind
that changes how dimensions merge (steps, reversal, transposes, broadcasts, unit
dimensions) is compared with NumPy, for maps, `where`, fused chains and whole folds.
"""

from __future__ import annotations

import numpy as np
import pytest

import legate_numeric as lnp

# (shape, view) pairs: the view is applied to an array of `shape` on both sides.
VIEWS = [
    ((2000, 2), lambda a: a),
    ((2000, 3), lambda a: a[::-1]),
    ((2000, 4), lambda a: a[:, ::-1]),
    ((2000, 4), lambda a: a[::3, 1:3]),
    ((3, 2000), lambda a: a.T),
    ((2, 1, 700, 3), lambda a: a),
    ((2, 700, 1, 3), lambda a: a.transpose(1, 0, 3, 2)),
    ((5, 400, 2), lambda a: a[:, ::2, :]),
    ((40, 50, 2), lambda a: a[::-1, :, ::-1]),
    ((1, 1, 1), lambda a: a),
    ((0, 2), lambda a: a),
    ((2000, 2), lambda a: a[:, :1]),
]
IDS = ["n2", "rev-rows", "rev-cols", "step-slice", "transposed", "unit-dims", "transpose-4d", "step-middle", "rev-3d", "ones", "empty", "column"]


def pair(shape, view, salt, dtype=np.float64):
    base = np.random.default_rng(salt + sum(shape)).uniform(-3, 3, size=shape).astype(dtype)
    return view(base), view(lnp.array(base))


@pytest.mark.parametrize("shape,view", VIEWS, ids=IDS)
def test_maps_on_short_rows(shape, view):
    a, la = pair(shape, view, 1)
    b, lb = pair(shape, view, 2)
    np.testing.assert_array_equal((la + lb).__array__(), a + b)
    np.testing.assert_array_equal((la * 2.5).__array__(), a * 2.5)
    np.testing.assert_allclose(lnp.exp(la).__array__(), np.exp(a), rtol=1e-15)
    np.testing.assert_array_equal(lnp.where(la > 0, la, lb).__array__(), np.where(a > 0, a, b))
    # A fused chain (one task walking all operands at once).
    np.testing.assert_allclose((lnp.sqrt(la * la + lb * lb) - la / 3.0).__array__(), np.sqrt(a * a + b * b) - a / 3.0, rtol=1e-15)
    assert int(lnp.count_nonzero(la > 0)) == int(np.count_nonzero(a > 0))
    np.testing.assert_allclose(float(la.sum()), a.sum(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(float(lnp.vdot(la, lb)), np.vdot(a, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape,view", VIEWS, ids=IDS)
def test_writes_into_short_row_views(shape, view):
    base = np.zeros(shape)
    lbase = lnp.array(base)
    a, la = pair(shape, view, 3)
    out, lout = view(base), view(lbase)
    out[...] = a * 2 - 1
    lout[...] = la * 2 - 1
    np.testing.assert_array_equal(lbase.__array__(), base)
    np.multiply(a, 3, out=out)
    lnp.multiply(la, 3, out=lout)
    np.testing.assert_array_equal(lbase.__array__(), base)


@pytest.mark.parametrize("rows", [1, 5, 3000])
@pytest.mark.parametrize("cols", [1, 2, 3, 33])
def test_broadcast_columns_and_rows(rows, cols):
    r = np.random.default_rng(rows * 100 + cols)
    x = r.uniform(-2, 2, size=(rows, cols))
    col = r.uniform(-2, 2, size=(rows, 1))
    row = r.uniform(-2, 2, size=(cols,))
    mask = r.random(rows) < 0.4
    lx, lcol, lrow, lmask = (lnp.array(v) for v in (x, col, row, mask))
    np.testing.assert_array_equal((lx * lcol).__array__(), x * col)
    np.testing.assert_array_equal((lcol - lrow).__array__(), col - row)
    np.testing.assert_array_equal((lx * lmask.reshape(-1, 1)).__array__(), x * mask.reshape(-1, 1))
    np.testing.assert_allclose((lx * lmask.reshape(-1, 1)).sum(axis=0).__array__(), (x * mask.reshape(-1, 1)).sum(axis=0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_integer_division_by_zero_in_a_short_row_tile(dtype):
    a = np.arange(1, 4001, dtype=dtype).reshape(2000, 2)
    b = np.ones((2000, 2), dtype=dtype)
    b[1234, 1] = 0
    la, lb = lnp.array(a), lnp.array(b)
    with np.errstate(divide="ignore"):
        expected = a // b
    # With fusion on, the warning comes when the fused window runs: by the time the
    # result is read at the latest.
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        got = (la // lb).__array__()
    np.testing.assert_array_equal(got, expected)
