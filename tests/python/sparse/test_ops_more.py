"""Comparisons, division, item assignment, max/min/argmax/argmin, reshape/resize,
count_nonzero and getrow/getcol, each against SciPy in the same test."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import DTYPE_IDS, DTYPES, check_dense, host, sprandom

import legate_numeric as lnp
import legate_sparse as sparse

pytestmark = pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")

OPS = [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]


def _pair(fmt="csr", m=5, n=4, dtype=np.float64, seed=1, density=0.4, kind="array"):
    S = sprandom(m, n, density=density, dtype=dtype, seed=seed, fmt=fmt)
    if kind == "matrix":
        S = getattr(sp, f"{fmt}_matrix")(S)
    return getattr(sparse, f"{fmt}_{kind}")(S), S


def _run(f, *args):
    """``f(*args)``: its result (or exception type) and the SparseEfficiencyWarnings."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            res = f(*args)
        except Exception as e:  # noqa: BLE001 - compared with SciPy's
            res = type(e)
    return res, [str(w.message) for w in rec if issubclass(w.category, sp.SparseEfficiencyWarning)]


def _same(got, want, dtype=None):
    if isinstance(want, type):
        assert got is want, (got, want)
        return
    if isinstance(want, (bool, np.bool_)):
        assert got is want or got == want
        return
    if sp.issparse(want):
        assert sparse.issparse(got), type(got)
        assert got.format == want.format, (got.format, want.format)
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert isinstance(got, sparse.sparray) == isinstance(want, sp.sparray)
    else:
        assert isinstance(got, lnp.ndarray), type(got)
    g, w = host(got), np.asarray(want.toarray() if sp.issparse(want) else want)
    assert g.shape == w.shape
    if g.dtype == bool:
        np.testing.assert_array_equal(g, w)
    else:
        np.testing.assert_allclose(g, w, rtol=1e-5 if dtype in (np.float32, np.complex64) else 1e-12, equal_nan=True)


# ---- comparisons ----


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr"])
def test_comparisons_with_scalars_dense_sparse(fmt):
    for op in OPS:
        _comparisons_with(op, fmt)


def _comparisons_with(op, fmt):
    A, S = _pair(fmt if fmt != "bsr" else "csr")
    if fmt == "bsr":
        S = S.tobsr(blocksize=(1, 2))
        A = sparse.bsr_array(S)
    B, T = _pair(fmt="csr", seed=2)
    for other_l, other_s in [(0, 0), (0.5, 0.5), (-0.5, -0.5), (np.nan, np.nan), (np.float32(0.25), np.float32(0.25)),
                             (lnp.asarray(T.toarray()), T.toarray()), (T.toarray(), T.toarray()), (B, T), (A, S)]:
        got, gw = _run(op, A, other_l)
        want, ww = _run(op, S, other_s)
        _same(got, want)
        assert gw == ww, (gw, ww)
    # Mismatched sparse shapes: == and != answer with a bool, the others raise.
    C, U = _pair(m=3, n=3)
    _same(_run(op, A, C)[0], _run(op, S, U)[0])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_comparisons_dtypes_and_matrices(dtype):
    A, S = _pair(dtype=dtype, kind="matrix")
    B, T = _pair(dtype=dtype, seed=5, kind="matrix")
    ops = [operator.eq, operator.ne] if np.dtype(dtype).kind == "c" else OPS
    for op in ops:
        _same(_run(op, A, 1)[0], _run(op, S, 1)[0])
        _same(_run(op, A, B)[0], _run(op, S, T)[0])
    E, Es = sparse.csr_array((0, 3), dtype=dtype), sp.csr_array((0, 3), dtype=dtype)
    _same(E != 0, Es != 0)
    _same(_run(operator.eq, E, 0)[0], _run(operator.eq, Es, 0)[0])


# ---- division ----


@pytest.mark.parametrize("dtype", DTYPES + [np.int32, np.bool_], ids=DTYPE_IDS + ["i4", "b"])
def test_division(dtype):
    A, S = _pair(dtype=dtype)
    B, T = _pair(dtype=dtype, seed=9)
    for other_l, other_s in [(2, 2), (np.float64(4), np.float64(4)), (np.int32(2), np.int32(2))]:
        _same(A / other_l, S / other_s, dtype)
    # sparse / sparse is dense (nan where both are zero), as SciPy's.
    with np.errstate(divide="ignore", invalid="ignore"):
        want = S / T
    _same(A / B, want, dtype)
    d = np.arange(1, 21, dtype=np.float64).reshape(5, 4)
    got, want = A / lnp.asarray(d), S / d
    assert sparse.issparse(got) and sp.issparse(want)
    check_dense(got, want, dtype)
    row = np.arange(1.0, 5.0)
    check_dense(A / row, S / row, dtype)
    with pytest.raises(TypeError):
        2 / A
    with pytest.raises(TypeError):
        2 / S
    with pytest.raises(ValueError, match="inconsistent shapes"):
        A / sparse.csr_array((3, 3))
    with pytest.raises(ValueError, match="inconsistent shapes"):
        S / sp.csr_array((3, 3))
    with pytest.raises(ZeroDivisionError):
        A / 0
    with pytest.raises(ZeroDivisionError):
        S / 0


# ---- item assignment ----


SETS = [
    ((0, 0), 0), ((0, 1), 5.0), ((1, slice(None)), 0), ((slice(None), 2), "col"), (([0, 1], [0, 1]), 9),
    ((-1, -1), 3), (([True, False, True, False, False], slice(None)), 4),
    ((slice(0, 2), slice(1, 3)), "block"), ((slice(None, None, 2), 1), 7), (2, "row"), ((Ellipsis, 0), 1.5),
    ((np.array([3, 0]), np.array([1, 1])), np.array([2.0, -2.0])),
]


def _value(v, dtype):
    if isinstance(v, str):
        shape = {"col": (5,), "block": (2, 2), "row": (4,)}[v]
        return np.arange(1, 1 + int(np.prod(shape))).reshape(shape).astype(dtype)
    return v


@pytest.mark.parametrize("fmt,dtype", [("csr", t) for t in DTYPES] + [("csc", np.float64), ("coo", np.float64),
                                                                       ("coo", np.complex64)],
                         ids=[f"csr-{i}" for i in DTYPE_IDS] + ["csc-f8", "coo-f8", "coo-c8"])
def test_setitem_sequence(fmt, dtype):
    A, S = _pair(fmt, dtype=dtype)
    for key, v in SETS:
        v = _value(v, dtype)
        _, gw = _run(A.__setitem__, key, v)
        _, ww = _run(S.__setitem__, key, v)
        check_dense(A.toarray(), S.toarray(), dtype)
        if fmt != "coo":
            # CSR/CSC: the same structure (explicit zeros included) and warnings.
            assert A.nnz == S.nnz, (key, A.nnz, S.nnz)
            assert gw == ww, (key, gw, ww)
    assert A.format == fmt


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_setitem_sparse_values_masks_and_errors(fmt):
    # SciPy's coo_matrix refuses assignment (its coo_array allows it).
    A, S = _pair(fmt, kind="array" if fmt == "coo" else "matrix")
    R = sp.csr_array(np.array([[0.0, 3.0, 0.0, 4.0]]))
    for x in (R, sparse.csr_array(R)):
        A[1] = x
        S[1] = R
        check_dense(A.toarray(), S.toarray())
    mask_s = S > 0.5
    A[A > 0.5] = 0.25
    S[mask_s] = 0.25
    check_dense(A.toarray(), S.toarray())
    dense_mask = np.zeros((5, 4), bool)
    dense_mask[::2, 1] = True
    A[dense_mask] = -1
    S[dense_mask] = -1
    check_dense(A.toarray(), S.toarray())
    bad = [((9, 0), 1, IndexError), ((0, 0), [1, 2], ValueError), ((slice(0, 2), slice(0, 2)), np.ones((3, 3)), ValueError),
           (([0, 1], [0, 1, 2]), 1, IndexError), ((0, 0.5), 1, IndexError), ((0, 0), 1j, TypeError)]
    for key, v, exc in bad:
        with pytest.raises(exc):
            S[key] = v
        with pytest.raises(exc):
            A[key] = v
    check_dense(A.toarray(), S.toarray())


def test_setitem_duplicate_positions_last_wins():
    # SciPy's CSR keeps the last value; its COO keeps the first: both follow NumPy here.
    for fmt in ("csr", "coo"):
        A = getattr(sparse, f"{fmt}_array")((2, 3))
        A[[0, 0], [1, 1]] = [7.0, 8.0]
        S = sp.csr_array((2, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
            S[[0, 0], [1, 1]] = [7.0, 8.0]
        check_dense(A.toarray(), S.toarray())


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
def test_compare_1d(op):
    """1-d COO arrays (rows and columns of 2-d arrays) compared with scalars, 1-d sparse
    and dense operands, against SciPy (sparse results are 1-d CSR arrays, as SciPy's)."""
    A, S = _pair("csr", m=4, n=6, seed=5, density=0.5)
    v, sv = A[1], S[1]
    w, sw = A[2], S[2]
    dense = np.linspace(-1, 1, 6)
    cases = [(0.3, 0.3), (0, 0), (-1, -1), (np.nan, np.nan), (w, sw), (v, sv), (dense, dense),
             (lnp.asarray(dense), dense), (np.ones((2, 6)), np.ones((2, 6))),
             (sparse.coo_array(np.arange(6.0) - 2), sp.coo_array(np.arange(6.0) - 2)), (A[:, 3], S[:, 3])]
    for other, sother in cases:
        got, gw = _run(op, v, other)
        want, ww = _run(op, sv, sother)
        assert bool(gw) == bool(ww), (gw, ww)
        if isinstance(want, type) or isinstance(want, (bool, np.bool_)):
            assert got is want or got == want, (got, want)
            continue
        if sp.issparse(want):
            assert sparse.issparse(got) and got.format == want.format, (got.format, want.format)
            assert got.shape == want.shape and got.dtype == want.dtype
            assert got.nnz == want.nnz, (got.nnz, want.nnz)
            np.testing.assert_array_equal(host(got.toarray()), want.toarray())
        else:
            assert isinstance(got, lnp.ndarray), type(got)
            np.testing.assert_array_equal(host(got), want)
    # Native: nothing fell back to SciPy.
    assert not [name for name in sparse._fallback._fell_back if name.startswith("coo_array.__")]


# ---- max / min / argmax / argmin ----


@pytest.mark.parametrize("fmt,kind,dtype", [
    ("csr", "array", np.float64), ("csr", "matrix", np.float32), ("csr", "array", np.int64),
    ("csc", "matrix", np.float64), ("coo", "array", np.float32), ("bsr", "matrix", np.int64),
    ("csr", "array", np.complex128), ("csc", "matrix", np.complex64), ("coo", "array", np.complex128),
], ids=["csr-array-f8", "csr-matrix-f4", "csr-array-i8", "csc-matrix-f8", "coo-array-f4", "bsr-matrix-i8",
        "csr-array-c16", "csc-matrix-c8", "coo-array-c16"])
def test_max_min_arg(fmt, kind, dtype):
    S0 = sprandom(6, 5, density=0.4, seed=11)
    S0 = (S0 - 0.5 * (S0 != 0)) * 10  # negative and positive values
    dense = S0.toarray().astype(dtype)
    dense[0, :] = np.arange(1, 6)  # a full row
    dense[:, 4] = 0  # an empty column
    if np.dtype(dtype).kind == "c":
        # Real parts that tie (and zero real parts), so that the imaginary parts decide
        # some comparisons: NumPy orders complex values by real, then imaginary part.
        imag = np.arange(dense.size).reshape(dense.shape) % 3 - 1.0
        dense = (np.round(dense.real / 3) + 1j * np.where(dense != 0, imag, 0)).astype(dtype)
    S = getattr(sp, f"{fmt}_{kind}")(dense)
    A = getattr(sparse, f"{fmt}_{kind}")(dense)
    for name in ("max", "min", "argmax", "argmin"):
        for axis in (None, 0, 1, -1):
            for explicit in (False, True):
                if name.startswith("arg") and explicit and axis is None:
                    continue  # SciPy returns a position in .data there (tested below)
                want = getattr(S, name)(axis=axis, explicit=explicit)
                got = getattr(A, name)(axis=axis, explicit=explicit)
                if axis is None and name.startswith("arg"):
                    assert isinstance(got, int) and got == want, (name, got, want)
                elif axis is None:
                    assert isinstance(got, lnp.ndarray) and got.ndim == 0
                    assert got.dtype == np.asarray(want).dtype
                    np.testing.assert_allclose(host(got), want)
                else:
                    _same(got, want, dtype)
    for name in ("nanmax", "nanmin"):
        for axis in (None, 0, 1):
            _same(getattr(A, name)(axis=axis) if axis is not None else lnp.asarray(getattr(A, name)()),
                  getattr(S, name)(axis=axis) if axis is not None else np.asarray(getattr(S, name)()), dtype)


def test_max_min_complex_nan():
    """A complex NaN is the line's first NaN value (NumPy's reductions return it)."""
    d = np.array([[complex(np.nan, 2), 1 + 1j, 0], [1j, complex(3, np.nan), complex(np.nan, -1)], [0, -1j, 2]])
    S, A = sp.csr_array(d), sparse.csr_array(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in ("max", "min", "nanmax", "nanmin"):
            for axis in (0, 1):
                got, want = host(getattr(A, name)(axis=axis).toarray()), getattr(S, name)(axis=axis).toarray()
                # Part by part: assert_array_equal takes any two complex NaNs as equal.
                np.testing.assert_array_equal(got.real, want.real)
                np.testing.assert_array_equal(got.imag, want.imag)
            got, want = host(getattr(A, name)()), np.asarray(getattr(S, name)())
            np.testing.assert_array_equal(got.real, want.real)
            np.testing.assert_array_equal(got.imag, want.imag)


def test_max_nan_explicit_argmax_and_errors():
    d = np.array([[np.nan, 1.0, 0.0], [np.nan, np.nan, 0.0], [0.0, -1.0, -2.0]])
    S, A = sp.csr_array(d), sparse.csr_array(d)
    for name in ("max", "min", "nanmax", "nanmin"):
        for axis in (0, 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                _same(getattr(A, name)(axis=axis), getattr(S, name)(axis=axis))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            np.testing.assert_allclose(host(getattr(A, name)()), getattr(S, name)(), equal_nan=True)
    # NaN: NumPy's argmax/argmin give the first NaN; SciPy's give an implicit zero.
    for name in ("argmax", "argmin"):
        assert getattr(A, name)() == getattr(np, name)(d)
        for axis in (0, 1):
            _same(getattr(A, name)(axis=axis), getattr(np, name)(d, axis=axis))
    # explicit=True over all entries: the flattened index of the first stored extreme
    # (SciPy returns its position in .data instead).
    E = sparse.csr_array(np.array([[0, 5.0, 0], [7.0, 0, -3.0]]))
    assert E.argmax(explicit=True) == 3 and E.argmin(explicit=True) == 5
    for B, Bs in [(sparse.csr_array((0, 3)), sp.csr_array((0, 3))), (sparse.csr_array((3, 0)), sp.csr_array((3, 0)))]:
        for f in (lambda X: X.max(), lambda X: X.argmax(), lambda X: X.min(axis=1), lambda X: X.argmin(axis=1),
                  lambda X: X.max(axis=0), lambda X: X.argmax(axis=0)):
            _same(_run(f, B)[0], _run(f, Bs)[0])
    Z, Zs = sparse.csr_array((2, 3)), sp.csr_array((2, 3))
    assert Z.argmax() == Zs.argmax() == 0
    _same(Z.max(axis=0), Zs.max(axis=0))
    for f in (lambda X: X.max(out=np.zeros(1)), lambda X: X.argmax(out=np.zeros(1)), lambda X: X.argmax(explicit=True),
              lambda X: X.max(axis=2)):
        assert _run(f, Z)[0] is _run(f, Zs)[0] is ValueError


# ---- reshape, resize, count_nonzero, getrow/getcol ----


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dia", "bsr"])
def test_reshape_resize(fmt):
    A, S = _pair("csr", m=4, n=6)
    A, S = A.asformat(fmt), S.asformat(fmt)
    for args, kw in [((3, 8), {}), ((-1, 4), {}), (((2, 12),), {}), ((24,), {}), ((8, 3), {"order": "F"}),
                     ((4, 6), {}), ((4, 6), {"copy": True})]:
        got, want = A.reshape(*args, **kw), S.reshape(*args, **kw)
        _same(got, want)
        assert (got is A) == (want is S)
    for args, kw in [((5, 5), {}), ((-1, -1), {}), ((3, 8), {"order": "X"})]:
        assert _run(lambda X: X.reshape(*args, **kw), A)[0] is _run(lambda X: X.reshape(*args, **kw), S)[0] is ValueError
    M, Ms = sparse.csr_matrix(A.tocsr()), sp.csr_matrix(S.tocsr())
    _same(M.reshape(6, 4), Ms.reshape(6, 4))
    assert _run(lambda X: X.reshape(24), M)[0] is _run(lambda X: X.reshape(24), Ms)[0] is ValueError
    for shape in [(2, 3), (6, 8), (3, 7), (0, 0)]:
        if fmt == "bsr" and shape != (6, 8):
            continue
        B, T = A.copy(), S.copy()
        B.resize(*shape)
        T.resize(*shape)
        assert B.shape == T.shape and B.format == T.format
        check_dense(B.toarray(), T.toarray())
    assert _run(lambda X: X.resize(-1, 2), A.copy())[0] is _run(lambda X: X.resize(-1, 2), S.copy())[0] is ValueError


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr"])
def test_count_nonzero_getrow_getcol(fmt):
    S = sprandom(5, 4, density=0.5, seed=4, fmt="csr")
    S.data[::3] = 0  # explicit zeros are not counted
    S = S.asformat(fmt)
    A = getattr(sparse, f"{fmt}_array")(S)
    assert A.count_nonzero() == S.count_nonzero()
    for axis in (0, 1, -1):
        # SciPy's BSR has no count_nonzero(axis); ours answers as CSR's does.
        check_dense(A.count_nonzero(axis=axis), S.tocsr().count_nonzero(axis=axis))
    M, Ms = getattr(sparse, f"{fmt}_matrix")(S), getattr(sp, f"{fmt}_matrix")(S)
    for i in (0, 3, -1):
        _same(M.getrow(i), Ms.getrow(i))
        _same(M.getcol(i), Ms.getcol(i))
    for f in (lambda X: X.getrow(5), lambda X: X.getcol(-5)):
        assert _run(f, M)[0] is _run(f, Ms)[0] is IndexError


@pytest.mark.parametrize("kind", ["array", "matrix"])
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dia", "bsr"])
def test_result_formats_follow_scipy(fmt, kind):
    """Each operation's result has SciPy's format and flavour, and its values: a CSC
    operand keeps CSC through +, -, multiply, maximum/minimum and @; a product with a
    dense array of the same shape is COO (DIA for DIA); DIA stays DIA through +, -,
    multiply and @ with DIA; COO slices stay COO; a matrix's power is its products'
    format (these were all CSR)."""
    A, S = _pair(fmt, 6, 6, seed=3, kind=kind)
    B, T = _pair("csr", 6, 6, seed=4, kind=kind)
    dense = np.arange(36.0).reshape(6, 6)
    cases = [
        lambda X, Y: X + X, lambda X, Y: X - X, lambda X, Y: X + Y, lambda X, Y: Y + X,
        lambda X, Y: X.multiply(X), lambda X, Y: X.multiply(Y), lambda X, Y: X.maximum(Y), lambda X, Y: X.minimum(Y),
        lambda X, Y: X.maximum(-1.0), lambda X, Y: X @ X, lambda X, Y: X @ Y, lambda X, Y: Y @ X,
        lambda X, Y: X.multiply(dense), lambda X, Y: X / dense, lambda X, Y: X.multiply(np.full((1, 1), 2.0)),
    ]
    if kind == "matrix":
        cases += [lambda X, Y: X ** 0, lambda X, Y: X ** 1, lambda X, Y: X ** 2, lambda X, Y: X ** 3]
    if fmt == "coo":
        cases += [lambda X, Y: X[1:4, :2], lambda X, Y: X[[0, 0, 2]], lambda X, Y: X[1], lambda X, Y: X[:, [1, 2]],
                  lambda X, Y: X[[0, 1, -1], [1, 0, 2]]]
    for case in cases:
        want, _ = _run(case, S, T)
        got, _ = _run(case, A, B)
        if isinstance(want, type):
            assert got is want, (want, got)
            continue
        assert sparse.issparse(got), type(got)
        assert (got.format, type(got).__name__, got.dtype) == (want.format, type(want).__name__, want.dtype)
        check_dense(got, want)


def test_boolean_difference_and_coo_matrix_indexing():
    """SciPy's boolean ``A - B`` is their exclusive or; a ``coo_matrix`` cannot be
    indexed (a ``coo_array`` can)."""
    x = np.array([[True, True, False, False]])
    y = np.array([[True, False, True, False]])
    for fmt in ("csr", "csc", "coo"):
        got = getattr(sparse, fmt + "_array")(x) - getattr(sparse, fmt + "_array")(y)
        want = getattr(sp, fmt + "_array")(x) - getattr(sp, fmt + "_array")(y)
        assert got.dtype == want.dtype == np.bool_
        check_dense(got, want)
    with pytest.raises(TypeError):
        sparse.coo_matrix(x)[0]
    with pytest.raises(TypeError):
        sp.coo_matrix(x)[0]


def _dia(offsets, shape, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    data = np.round(rng.standard_normal((len(offsets), shape[1] + 1)), 1).astype(dtype)
    data[0, 1] = 0  # explicit zeros, and a diagonal of zeros, stay stored
    data[-1] = 0
    S = sp.dia_array((data, offsets), shape=shape)
    return sparse.dia_array(S), S


def test_dia_arithmetic_stays_dia():
    """DIA with DIA (+, -, multiply, @), with a scalar and with a dense array of its
    shape gives SciPy's DIA: the same offsets and stored count as SciPy's, whose
    offsets are the union (+, -), the intersection (multiply) or the sums in range
    (@) of the operands', and ``.T`` keeps every diagonal (the explicit zeros too)."""
    A, S = _dia([-1, 0, 2], (4, 5), 1)
    B, T = _dia([0, 3, -2, 1], (4, 5), 2, np.float32)
    C, U = _dia([1, -3, 0], (5, 3), 3, np.complex128)
    E, V = sparse.dia_array((4, 5)), sp.dia_array((4, 5))
    dense = np.arange(20.0).reshape(4, 5) - 7
    for got, want in [(A + B, S + T), (A - B, S - T), (B - A, T - S), (A + A, S + S), (A + E, S + V),
                      (A.multiply(B), S.multiply(T)), (A.multiply(E), S.multiply(V)), (A @ C, S @ U),
                      (B @ C, T @ U), (A @ sparse.dia_array((5, 0)), S @ sp.dia_array((5, 0))),
                      (A.multiply(dense), S.multiply(dense)), (A.multiply(dense[:1]), S.multiply(dense[:1])),
                      (A.multiply(dense[:, :1]), S.multiply(dense[:, :1])), (A * 2.5, S * 2.5), (A.T, S.T),
                      (C.T, U.T), (A.transpose(axes=(1, 0)), S.transpose(axes=(1, 0)))]:
        assert (got.format, got.dtype, got.shape, got.nnz) == (want.format, want.dtype, want.shape, want.nnz)
        np.testing.assert_array_equal(host(got.offsets), want.offsets)
        check_dense(got, want)
    M, Ms = sparse.dia_matrix(S), sp.dia_matrix(S)
    N, Ns = sparse.dia_matrix(U), sp.dia_matrix(U)
    for got, want in [(M * N, Ms * Ns), (M + M, Ms + Ms)]:
        assert (type(got).__name__, got.nnz) == (type(want).__name__, want.nnz)
        check_dense(got, want)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil"])
def test_multiply_dense_is_coo_in_scipys_order(fmt):
    """``A.multiply(dense)`` is a COO array over the entries of ``A.tocoo()`` in their
    order, as SciPy's: CSR and CSC as stored (unsorted, duplicates and explicit zeros
    kept), the other formats through CSR."""
    data, indices, indptr = np.array([1.0, 2, 0, 3, 4, 5]), np.array([2, 0, 1, 1, 0, 1]), np.array([0, 3, 3, 6])
    S = sp.csr_array((data, indices, indptr), shape=(3, 3))
    S = sp.csc_array((data, indices, indptr), shape=(3, 3)) if fmt == "csc" else S.asformat(fmt)
    A = getattr(sparse, f"{fmt}_array")(S)
    dense = np.arange(9).reshape(3, 3) + 1
    for d in (dense, dense[:1], dense[:, :1]):
        got, want = A.multiply(d), S.multiply(d)
        assert (got.format, got.dtype, got.nnz) == (want.format, want.dtype, want.nnz)
        np.testing.assert_array_equal(host(got.row), want.row)
        np.testing.assert_array_equal(host(got.col), want.col)
        np.testing.assert_array_equal(host(got.data), want.data)


def test_dia_from_dense_nonzero_order_and_one_row_products():
    """A DIA array from other input stores columns up to its last entry (SciPy's
    ``nnz``), lists its entries row by row (``tocoo``, ``nonzero``), and a product
    with a size-1 dense array is DIA but for one row or column (CSR), as SciPy's."""
    dense = np.array([[0.0, 1, 0, 0], [2, 0, 3, 0], [0, 0, 0, 0], [4, 0, 5, 0], [0, 6, 0, 0]])
    A, S = sparse.dia_array(dense), sp.dia_array(dense)
    assert A.nnz == S.nnz and A.data.shape == S.data.shape
    for got, want in zip(A.nonzero() + (A.tocoo().row, A.tocoo().col), S.nonzero() + (S.tocoo().row, S.tocoo().col)):
        np.testing.assert_array_equal(host(got), want)
    for X, T in [(A, S), (A[:1].todia(), sp.dia_array(dense[:1])), (sparse.dia_array((0, 3)), sp.dia_array((0, 3)))]:
        got, want = X.multiply(np.full((1, 1), 2.0)), T.multiply(np.full((1, 1), 2.0))
        assert (got.format, got.shape) == (want.format, want.shape)
        check_dense(got, want)


@pytest.mark.parametrize("fmt", ["csr", "coo", "dia", "lil"])
def test_maximum_with_a_positive_scalar_is_sparse(fmt):
    """``A.maximum(1)`` (and ``minimum(-1)``) fill every position: SciPy still returns
    an array of ``A``'s class, not a dense one."""
    A, S = _pair(fmt, 4, 5, seed=7)
    for f in (lambda X: X.maximum(1.0), lambda X: X.minimum(-1)):
        _same(f(A), f(S))


@pytest.mark.parametrize("fmt", ["lil", "dok"])
def test_host_formats_divide_by_zero(fmt):
    """``A / 0`` of a LIL or DOK array is inf at the entries, as SciPy's DOK gives it,
    not a ZeroDivisionError (SciPy's LIL raises one where it holds Python floats, and
    gives inf where it holds NumPy's: the DOK answer is kept for both)."""
    S = sp.random_array((3, 4), density=0.5, rng=1, format="dok")
    A = getattr(sparse, f"{fmt}_array")(S)
    for d in (0, 0.0, 2):
        with np.errstate(divide="ignore"):
            got, want = A / d, S / d
        assert (got.format, got.dtype) == (fmt, want.dtype)
        np.testing.assert_array_equal(host(got), want.toarray())


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int16])
def test_dense_minus_sparse_and_asfptype_small_dtypes(dtype):
    """``dense - A`` and ``A - dense`` subtract (negating ``A`` or the dense operand
    first wrapped uint8 values and refused booleans); ``asfptype`` gives SciPy's
    smallest float dtype; the Frobenius norm squares in float64 (uint8 wrapped)."""
    D = (np.arange(20).reshape(4, 5) % 3 == 1) * np.arange(20).reshape(4, 5) * 9
    S = sp.csr_array(D.astype(dtype))
    A, M = sparse.csr_array(S), sparse.csr_matrix(S)
    ones, small = np.ones((4, 5)), np.full((4, 5), 3, np.uint8)
    for got, want in [(ones - A, ones - S), (A - ones, S - ones), (small - A, small - S), (A - small, S - small)]:
        assert got.dtype == want.dtype
        check_dense(got, want)
    assert M.asfptype().dtype == sp.csr_matrix(S).asfptype().dtype
    check_dense(sparse.linalg.norm(A), sp.linalg.norm(S))
