"""``einsum`` natively, against NumPy: one operand (sums, transposes), two operands
(tensordot-shaped and batched), three operands, broadcasting of size-1 extents, and
NumPy's errors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import check, make

import legate_numeric as lnp

CASES = [
    ("ij->ji", [(3, 4)]),
    ("ij->i", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ij", [(3, 4)]),
    ("ji", [(3, 4)]),
    ("ijk->kij", [(2, 3, 4)]),
    ("i,i->", [(5,), (5,)]),
    ("i,i", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("ij,jk->ki", [(3, 4), (4, 5)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bij,bjk->b", [(2, 3, 4), (2, 4, 5)]),
    ("ijk,k->ij", [(2, 3, 4), (4,)]),
    ("ij,j,k->ik", [(3, 4), (4,), (2,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,ik->jk", [(3, 1), (3, 4)]),
    ("i,i->i", [(1,), (4,)]),
    (",i->i", [(), (3,)]),
    # A letter repeated within one operand takes a diagonal.
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij->j", [(2, 2, 3)]),
    ("iji->j", [(2, 3, 2)]),
    ("iii->i", [(3, 3, 3)]),
    ("ij,jj->i", [(2, 3), (3, 3)]),
    # Ellipses broadcast (right-aligned, size-1 extents stretch).
    ("...ii->...i", [(2, 3, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("...", [(2, 3)]),
    ("ij...,jk...->ik...", [(2, 3, 5), (3, 4, 1)]),
    ("...,...", [(2, 1), (3,)]),
    ("...ij,...jk", [(5, 2, 3), (3, 4)]),
    ("a...b,b...c->...ac", [(2, 3, 4), (4, 3, 5)]),
    ("i...i", [(3, 2, 3)]),
]


@pytest.mark.parametrize("subscripts, shapes", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.complex128, np.float32], ids=str)
def test_einsum_matches_numpy(subscripts, shapes, dtype, no_fallback):
    arrays = [make(dtype, s, salt=k) for k, s in enumerate(shapes)]
    exp = np.einsum(subscripts, *arrays)
    got = lnp.einsum(subscripts, *[lnp.array(a) for a in arrays])
    check(got, exp, rtol=1e-5 if dtype == np.float32 else None)


def test_einsum_mixed_dtypes_out_and_dtype():
    a, b = make(np.int32, (3, 4)), make(np.float64, (4, 2), salt=1)
    check(lnp.einsum("ij,jk->ik", lnp.array(a), lnp.array(b)), np.einsum("ij,jk->ik", a, b))
    out = lnp.zeros((3, 2))
    got = lnp.einsum("ij,jk->ik", lnp.array(a), lnp.array(b), out=out)
    assert got is out
    check(out, np.einsum("ij,jk->ik", a, b))
    check(lnp.einsum("i,i->", lnp.array(a[0]), lnp.array(a[1]), dtype=np.float64),
          np.einsum("i,i->", a[0], a[1], dtype=np.float64))


def test_einsum_single_operand_transpose_is_a_view():
    a = lnp.array(np.arange(6.0).reshape(2, 3))
    t = lnp.einsum("ij->ji", a)
    t[0, 1] = 100.0
    assert float(a[1, 0]) == 100.0


@pytest.mark.parametrize("subscripts, shapes, error", [
    ("ij,jk->ik", [(3, 4), (5, 2)], ValueError),
    ("ij->ik", [(3, 4)], ValueError),
    ("ij,jk", [(3, 4)], ValueError),
    ("ijk", [(3, 4)], ValueError),
    ("ij->ii", [(3, 4)], ValueError),
    ("i1", [(3, 4)], ValueError),
    ("ii", [(2, 3)], ValueError),
    ("...i->i", [(2, 3)], ValueError),
    ("ij...k", [(2, 3)], ValueError),
])
def test_einsum_errors_like_numpy(subscripts, shapes, error):
    arrays = [np.ones(s) for s in shapes]
    with pytest.raises(error):
        np.einsum(subscripts, *arrays)
    with pytest.raises(error):
        lnp.einsum(subscripts, *[lnp.array(a) for a in arrays])


def test_einsum_casting_rule():
    with pytest.raises(TypeError):
        np.einsum("i,i->", np.ones(3), np.ones(3), dtype=np.int32)
    with pytest.raises(TypeError):
        lnp.einsum("i,i->", lnp.ones(3), lnp.ones(3), dtype=np.int32)


def test_einsum_diagonal_result_is_writeable():
    """NumPy's einsum('ii->i') result can be written; writing it leaves the operand alone
    here (a copy)."""
    a = lnp.array(np.eye(3))
    d = lnp.einsum("ii->i", a)
    d[0] = 5.0
    assert float(d[0]) == 5.0


def test_einsum_operand_list_form(no_fallback):
    # einsum(a, [0, 1], b, [1, 2], [0, 2]): labels 0-25 are A-Z, 26-51 a-z, Ellipsis '...'.
    r = np.random.default_rng(21)
    a, b, c = r.normal(size=(3, 4)), r.normal(size=(4, 5)), r.normal(size=(2, 3, 4))
    for args in [(a, [0, 1], [1]), (a, [0, 1], b, [1, 2], [0, 2]), (a, [0, 1], b, [1, 2]), (c, [Ellipsis, 1], [Ellipsis]),
                 (r.normal(size=(3, 3)), [0, 0]), (a, [30, 51], [51, 30]), (a, [0, 1], b, [1, 2], [2, 0])]:
        got = lnp.einsum(*[lnp.array(x) if isinstance(x, np.ndarray) else x for x in args])
        check(got, np.einsum(*args))
    for bad in ([0, 52], [0, -1], [0, "x"], [0, 1.5]):
        with pytest.raises(Exception) as exp:
            np.einsum(a, bad)
        with pytest.raises(type(exp.value)) as got:
            lnp.einsum(lnp.array(a), bad)
        assert str(got.value) == str(exp.value)
