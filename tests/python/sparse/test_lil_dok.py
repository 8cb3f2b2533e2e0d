"""LIL and DOK (host formats for building a matrix entry by entry) against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import legate_sparse as ls

from conftest import DTYPE_IDS, DTYPES, check_dense, check_sparse, sprandom

HOST = ["lil", "dok"]
FLAVOURS = ["array", "matrix"]


def pair(fmt, flavour):
    return getattr(ls, f"{fmt}_{flavour}"), getattr(sp, f"{fmt}_{flavour}")


def fill(A):
    """The same sequence of assignments on a legate or a SciPy 4 x 5 array."""
    A[0, 1] = 2
    A[3, 4] = -1.5
    A[1] = np.arange(5)  # a whole row (LIL's row assignment)
    A[2, 1:3] = 7
    A[0, 1] = 0  # a zero removes the entry
    A[[0, 3], [2, 2]] = [4, 5]
    A[-1, -2] = 3
    A[:, 0] = np.array([[1], [0], [2], [0]])
    return A


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("fmt", HOST)
def test_build_entry_by_entry(fmt, flavour):
    L, S = pair(fmt, flavour)
    a, s = fill(L((4, 5))), fill(S((4, 5)))
    check_sparse(a, s)
    assert a.nnz == s.nnz and a.format == fmt and a.shape == s.shape
    assert a[1, 3] == s[1, 3] and a[0, 0] == s[0, 0] and type(a[1, 3]) is type(s[1, 3])
    assert (getattr(ls, f"isspmatrix_{fmt}")(a), ls.isspmatrix(a)) == (flavour == "matrix",) * 2
    if fmt == "lil":
        assert [list(r) for r in a.rows] == [list(r) for r in s.rows]
        assert [list(d) for d in a.data] == [list(d) for d in s.data]
    else:
        assert dict(a.items()) == dict(s.items()) and len(a) == len(s) and ((3, 3) in a) == ((3, 3) in s)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("fmt", HOST)
def test_conversions_every_format(fmt, dtype):
    S = sprandom(6, 7, 0.3, dtype)
    A = getattr(ls, f"{fmt}_array")(S)
    assert A.dtype == dtype and A.nnz == S.nnz
    for target in ("csr", "csc", "coo", "dia", "bsr", "lil", "dok"):
        B = A.asformat(target)
        assert B.format == target and type(B).__name__ == f"{target}_array"
        check_sparse(B, S, dtype)
        back = getattr(B, f"to{fmt}")()
        assert back.format == fmt and back.nnz == S.nnz
        check_sparse(back, S, dtype)
    check_dense(A.toarray(), S.toarray(), dtype)
    # From dense (legate and NumPy) and from SciPy's own LIL/DOK.
    check_sparse(getattr(ls, f"{fmt}_array")(ls.csr_array(S).toarray()), S, dtype)
    check_sparse(getattr(ls, f"{fmt}_array")(S.asformat(fmt)), S, dtype)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("fmt", HOST)
def test_operations_match_scipy_formats(fmt, flavour):
    L, _ = pair(fmt, flavour)
    S = getattr(sp, f"{fmt}_{flavour}")(sprandom(5, 5, 0.4, np.float64))
    A = L(S)
    x = np.arange(5.0)
    cases = {
        "add": lambda X: X + X, "sub": lambda X: X - X.T, "scale": lambda X: X * 3, "div": lambda X: X / 2,
        "neg": lambda X: -X, "abs": lambda X: abs(X), "T": lambda X: X.T, "matmul": lambda X: X @ X,
        "copy": lambda X: X.copy(), "astype": lambda X: X.astype(np.float32), "conj": lambda X: X.conj(),
        "slice": lambda X: X[1:4], "cols": lambda X: X[:, [0, 2]], "power": lambda X: X.power(2),
        "multiply": lambda X: X.multiply(X),
    }
    for name, f in cases.items():
        got, want = f(A), f(S)
        assert got.format == want.format, (name, got.format, want.format)
        check_sparse(got, want)
    check_dense(A @ x, S @ x)
    check_dense(A.sum(axis=0), S.sum(axis=0))
    assert float(A.sum()) == pytest.approx(S.sum())
    assert A.count_nonzero() == S.count_nonzero()


@pytest.mark.parametrize("fmt", ["lil", "dok"])
def test_setitem_keys_as_scipy(fmt):
    # A column from a 1-d value, a 2-d boolean mask, Ellipsis; complex into real raises.
    d = np.array([[1.0, 0, 2, 0], [0, 0, 3, 0], [4, 0, 0, 5]])
    cases = [((slice(None), 2), np.array([7.0, 8, 9])), ((slice(None), 2), 7), (d > 1, 6), ((Ellipsis, 1), [1, 0, 2]),
             ((slice(0, 2), [3, 0]), np.array([[1.0, 2]])), ((1, 1), -1j)]
    for key, value in cases:
        A, S = getattr(ls, f"{fmt}_array")(d), getattr(sp, f"{fmt}_array")(d)
        try:
            S[key] = value
        except TypeError:
            with pytest.raises(TypeError):
                A[key] = value
            continue
        A[key] = value
        check_sparse(A, S)


def test_lil_count_nonzero_along_an_axis_is_int64_as_scipy():
    d = np.array([[1.0, 0, 2], [0, 0, 3]])
    for axis in (0, 1, -1):
        got, want = ls.lil_array(d).count_nonzero(axis=axis), sp.lil_array(d).count_nonzero(axis=axis)
        assert got.dtype == want.dtype, (axis, got.dtype, want.dtype)
        check_dense(got, want)


@pytest.mark.parametrize("fmt", HOST)
def test_empty_and_bad_input(fmt):
    L, S = pair(fmt, "array")
    for shape in [(0, 0), (0, 3), (3, 0)]:
        a = L(shape)
        assert a.nnz == 0 and a.shape == shape
        assert a.tocsr().shape == shape and a.toarray().shape == shape
    a, s = L((3, 4), dtype=np.complex64), S((3, 4), dtype=np.complex64)
    assert a.dtype == s.dtype
    for bad in [(3, 0), (0, 4), (-4, 0)]:
        with pytest.raises(IndexError):
            s[bad] = 1
        with pytest.raises(IndexError):
            a[bad] = 1
        with pytest.raises(IndexError):
            a[bad]
    with pytest.raises(ValueError):
        s[0, :] = [1, 2]
    with pytest.raises(ValueError):
        a[0, :] = [1, 2]
    with pytest.raises(ValueError):
        S((3, -1))
    with pytest.raises(ValueError):
        L((3, -1))


@pytest.mark.parametrize("kind", ["array", "matrix"])
def test_lil_reshape_stays_lil(kind):
    """SciPy's LIL ``reshape`` is LIL (it was COO here) and refuses 1-d shapes."""
    D = np.arange(12.0).reshape(3, 4) % 5
    A, S = getattr(ls, f"lil_{kind}")(D), getattr(sp, f"lil_{kind}")(D)
    for args, kw in [((4, 3), {}), ((2, -1), {}), ((6, 2), {"order": "F"}), ((3, 4), {})]:
        got, want = A.reshape(*args, **kw), S.reshape(*args, **kw)
        assert (got.format, got.shape) == (want.format, want.shape)
        np.testing.assert_array_equal(np.asarray(got.toarray()), want.toarray())
    with pytest.raises(ValueError):
        S.reshape(12)
    with pytest.raises(ValueError):
        A.reshape(12)


@pytest.mark.parametrize("kind", ["array", "matrix"])
def test_dok_plus_scalar(kind):
    """SciPy's DOK adds a nonzero scalar at every position (a DOK result; the other
    formats raise NotImplementedError); it raised here."""
    D = np.array([[1.0, 0, -2], [0, 0, 3]])
    A, S = getattr(ls, f"dok_{kind}")(D), getattr(sp, f"dok_{kind}")(D)
    for got, want in [(A + 2, S + 2), (2.5 + A, 2.5 + S), (A + 0, S + 0)]:
        assert (got.format, got.dtype, got.nnz) == (want.format, want.dtype, want.nnz)
        np.testing.assert_array_equal(np.asarray(got.toarray()), want.toarray())
