"""Products (matmul / @ / dot / vdot / inner / outer) and linalg.norm."""

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import check, check_same_error, make, quiet

PRODUCT_DTYPES = [np.float32, np.float64, np.int64, np.complex128]
PRODUCT_IDS = ["float32", "float64", "int64", "complex128"]


def tol(dtype):
    if np.dtype(dtype) in (np.float32, np.complex64):
        return dict(rtol=1e-4, atol=1e-4)
    return dict(rtol=1e-10, atol=1e-10)


SHAPE_PAIRS = [
    ((5,), (5,)),
    ((3, 4), (4,)),
    ((4,), (4, 3)),
    ((3, 4), (4, 2)),
    ((1, 1), (1, 1)),
    ((7, 1), (1, 5)),
    ((2, 0), (0, 3)),
    ((0, 4), (4, 2)),
    ((3, 4), (4, 0)),
    ((0,), (0,)),
    ((16, 9), (9, 11)),
]


@pytest.mark.parametrize("dtype", PRODUCT_DTYPES, ids=PRODUCT_IDS)
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_matmul(shapes, dtype):
    a_np, b_np = make(dtype, shapes[0]), make(dtype, shapes[1], 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    exp = np.matmul(a_np, b_np)
    check(lnp.matmul(a, b), exp, **tol(dtype))
    check(a @ b, a_np @ b_np, **tol(dtype))
    check(np.matmul(a, b), exp, **tol(dtype))


@pytest.mark.parametrize("dtype", PRODUCT_DTYPES, ids=PRODUCT_IDS)
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_dot(shapes, dtype):
    a_np, b_np = make(dtype, shapes[0]), make(dtype, shapes[1], 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    check(lnp.dot(a, b), np.dot(a_np, b_np), **tol(dtype))
    check(a.dot(b), a_np.dot(b_np), **tol(dtype))


@pytest.mark.parametrize(
    "da, db",
    [(np.int32, np.float32), (np.int64, np.float64), (np.float32, np.float64), (np.float32, np.complex128),
     (np.uint8, np.int32), (np.int64, np.complex128), (np.bool_, np.float64)],
    ids=str,
)
def test_matmul_mixed_dtypes(da, db):
    a_np, b_np = make(da, (3, 4)), make(db, (4, 2), 1)
    exp = a_np @ b_np
    check(lnp.array(a_np) @ lnp.array(b_np), exp, **tol(exp.dtype))
    check(lnp.dot(lnp.array(b_np.T), lnp.array(a_np.T)), np.dot(b_np.T, a_np.T), **tol(exp.dtype))


def test_matmul_bool(no_fallback):
    a_np, b_np = make(np.bool_, (3, 4)), make(np.bool_, (4, 2), 1)
    check(lnp.array(a_np) @ lnp.array(b_np), a_np @ b_np)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128], ids=["float64", "complex128"])
def test_matmul_of_views(dtype):
    a_np, b_np = make(dtype, (6, 8)), make(dtype, (8, 6), 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    check(a.T @ b.T, a_np.T @ b_np.T)
    check(a[::2, ::-1] @ b[::-1, 1::2], a_np[::2, ::-1] @ b_np[::-1, 1::2])
    check(a[1] @ b, a_np[1] @ b_np)
    check(a @ b[:, 2], a_np @ b_np[:, 2])
    check(a[:, ::2] @ a[:, ::2].T, a_np[:, ::2] @ a_np[:, ::2].T)
    check(lnp.matmul(lnp.broadcast_to(a[:1], (3, 8)), b), np.matmul(np.broadcast_to(a_np[:1], (3, 8)), b_np))


def test_matmul_with_numpy_and_lists():
    a_np, b_np = make(np.float64, (3, 4)), make(np.float64, (4, 2), 1)
    check(lnp.array(a_np) @ b_np, a_np @ b_np)
    check(a_np @ lnp.array(b_np), a_np @ b_np)
    check(lnp.matmul(a_np.tolist(), b_np.tolist()), np.matmul(a_np.tolist(), b_np.tolist()))


# Large enough to be split across processors without LEGATE_TEST (m * n * k above the
# minimum chunk per processor), with extents no processor count divides.
SPLIT_DTYPES = [np.float32, np.float64, np.int64, np.complex64, np.complex128, np.float16]
SPLIT_IDS = ["float32", "float64", "int64", "complex64", "complex128", "float16"]


def split_tol(dtype):
    # Sums of 257 products: float32 and float16 round more than tol() allows.
    if np.dtype(dtype) == np.float16:
        return dict(rtol=2e-2, atol=0.5)
    if np.dtype(dtype) in (np.float32, np.complex64):
        return dict(rtol=1e-4, atol=1e-3)
    return tol(dtype)


@pytest.mark.parametrize("dtype", SPLIT_DTYPES, ids=SPLIT_IDS)
def test_matrix_vector_products_split(dtype, no_fallback):
    """Matrix-vector and vector-matrix products in every layout: rows or columns of the
    matrix contiguous (two kernels), a strided vector, neither stride 1 (the packed
    kernel), through matmul, @, dot, matvec and vecmat, and into out=."""
    a_np, x_np, y_np = make(dtype, (301, 257)), make(dtype, (257,), 1), make(dtype, (301,), 2)
    a, x, y = lnp.array(a_np), lnp.array(x_np), lnp.array(y_np)
    t = split_tol(dtype)
    check(a @ x, a_np @ x_np, **t)
    check(y @ a, y_np @ a_np, **t)
    check(lnp.dot(a, x), np.dot(a_np, x_np), **t)
    check(lnp.dot(y, a), np.dot(y_np, a_np), **t)
    check(a.T @ y, a_np.T @ y_np, **t)
    check(x @ a.T, x_np @ a_np.T, **t)
    check(a[::2] @ x, a_np[::2] @ x_np, **t)
    check(a[::-1, :129] @ x[::2], a_np[::-1, :129] @ x_np[::2], **t)
    check(y[::-1] @ a[:, ::-1], y_np[::-1] @ a_np[:, ::-1], **t)
    check(a[:, ::-2] @ x[::-2], a_np[:, ::-2] @ x_np[::-2], **t)
    check(y[1::2] @ a[1::2, 3:], y_np[1::2] @ a_np[1::2, 3:], **t)
    check(a[5] @ a.T, a_np[5] @ a_np.T, **t)
    check(lnp.matvec(a, x), np.matvec(a_np, x_np), **t)
    check(lnp.vecmat(y, a), np.vecmat(y_np, a_np), **t)
    check(a @ x[:, None], a_np @ x_np[:, None], **t)
    check(y[None, :] @ a, y_np[None, :] @ a_np, **t)
    out = lnp.zeros(301, dtype=dtype)
    assert lnp.matmul(a, x, out=out) is out
    check(out, a_np @ x_np, **t)
    out = lnp.zeros(257, dtype=dtype)
    assert lnp.dot(y, a, out=out) is out
    check(out, y_np @ a_np, **t)


@pytest.mark.parametrize("dtype", SPLIT_DTYPES + [np.int32, np.bool_], ids=SPLIT_IDS + ["int32", "bool"])
@pytest.mark.parametrize("shapes", [((131, 67), (67, 97)), ((97, 131), (131, 5)), ((3, 401), (401, 83)), ((83, 2), (2, 101))], ids=str)
def test_matmul_tiles(shapes, dtype, no_fallback):
    """Products large enough to be tiled in 2-d across processors, of extents that do
    not divide evenly, also of transposed and reversed views."""
    a_np, b_np = make(dtype, shapes[0]), make(dtype, shapes[1], 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    t = split_tol(dtype)
    check(a @ b, a_np @ b_np, **t)
    check(b.T @ a.T, b_np.T @ a_np.T, **t)
    check(a[::-1] @ b[:, ::-1], a_np[::-1] @ b_np[:, ::-1], **t)


def test_matvec_of_a_matrix_written_by_a_split_operation(no_fallback):
    """A matrix made by split elementwise operations (its key partition) and then read
    whole by row blocks of another count, as in CG, then updated in place."""
    n = 333
    a_np = np.eye(n) * np.linspace(1.0, 10.0, n) + np.ones((n, n)) / n
    a = lnp.eye(n) * lnp.linspace(1.0, 10.0, n) + lnp.ones((n, n)) / n
    x_np = np.linspace(-1.0, 1.0, n)
    x = lnp.array(x_np)
    for _ in range(3):
        x_np = a_np @ x_np / n
        x = a @ x / n
    check(x, x_np)
    a[::3] *= 2.0
    a_np[::3] *= 2.0
    check(x @ a, x_np @ a_np)


STACKED = [((2, 3, 4), (4, 2)), ((2, 3, 4), (2, 4, 5)), ((4,), (2, 4, 3)), ((2, 4, 3), (3,)), ((3, 1, 2, 3), (4, 3, 2)),
           ((40, 3, 4), (40, 4, 2)), ((40, 3, 4), (4, 2)), ((2, 0, 3), (3, 4)), ((2, 3, 0), (0, 4)), ((0, 3, 4), (4, 2)),
           ((64, 9, 7), (64, 7, 1)), ((3, 1, 7), (3, 7, 5)), ((2, 130, 120), (2, 120, 140)), ((5, 130, 120), (120, 140))]


@pytest.mark.parametrize("dtype", PRODUCT_DTYPES + [np.int32, np.bool_], ids=PRODUCT_IDS + ["int32", "bool"])
@pytest.mark.parametrize("shapes", STACKED, ids=str)
def test_matmul_stacked(shapes, dtype, no_fallback):
    """Broadcast stacks of matrices, natively (few large and many small matrices take
    different paths)."""
    a_np, b_np = make(dtype, shapes[0]), make(dtype, shapes[1], 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    check(lnp.matmul(a, b), np.matmul(a_np, b_np), **tol(dtype))
    check(a @ b, a_np @ b_np, **tol(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.complex64, np.int64], ids=str)
def test_matmul_stacked_views(dtype, no_fallback):
    """Stacks whose matrices are transposed, strided or broadcast views: each point of
    the stacked launch steps through its matrices by the views' own strides."""
    a_np, b_np = make(dtype, (12, 6, 5)), make(dtype, (6, 7, 5), 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    check(a[::2] @ b.transpose(0, 2, 1), a_np[::2] @ b_np.transpose(0, 2, 1), **tol(dtype))
    check(a[::-2, ::2].transpose(0, 2, 1) @ a[1::2, ::2], a_np[::-2, ::2].transpose(0, 2, 1) @ a_np[1::2, ::2], **tol(dtype))
    check(a[:, None, :, :4] @ b[None, :4, :4, :3], a_np[:, None, :, :4] @ b_np[None, :4, :4, :3], **tol(dtype))
    out_np = np.zeros((6, 6, 7), dtype)
    out = lnp.array(out_np)
    lnp.matmul(a[:6], b.transpose(0, 2, 1), out=out)
    np.matmul(a_np[:6], b_np.transpose(0, 2, 1), out=out_np)
    check(out, out_np, **tol(dtype))


@pytest.mark.parametrize("shapes", [((2, 3, 4), (4, 2)), ((2, 3, 4), (5, 4, 6)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (4,)),
                                    ((4,), (2, 4, 3)), ((2, 1, 3), (4, 3, 2))], ids=str)
def test_dot_nd(shapes, no_fallback):
    a_np, b_np = make(np.float64, shapes[0]), make(np.float64, shapes[1], 1)
    check(lnp.dot(lnp.array(a_np), lnp.array(b_np)), np.dot(a_np, b_np))


@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 3), (2, 3)), ((3,), (4, 2)), ((2, 5), (4,)), ((), (3,)), ((3,), ()),
                                    ((2, 3, 4), (3, 5, 2)), ((2, 3, 4), (2, 5, 6))], ids=str)
def test_matmul_errors(shapes):
    a_np, b_np = make(np.float64, shapes[0]), make(np.float64, shapes[1], 1)
    with pytest.raises(ValueError):
        np.matmul(a_np, b_np)
    with pytest.raises(ValueError):
        lnp.matmul(lnp.array(a_np), lnp.array(b_np))
    with pytest.raises(ValueError):
        lnp.array(a_np) @ lnp.array(b_np)


@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 3), (2, 3)), ((3,), (4, 2)), ((2, 3, 4), (5, 6)), ((2, 3), (4, 5, 6))], ids=str)
def test_dot_errors(shapes):
    a_np, b_np = make(np.float64, shapes[0]), make(np.float64, shapes[1], 1)
    with pytest.raises(ValueError):
        np.dot(a_np, b_np)
    with pytest.raises(ValueError):
        lnp.dot(lnp.array(a_np), lnp.array(b_np))


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int32, np.int64, np.float32, np.float64, np.complex128], ids=str)
@pytest.mark.parametrize("n", [0, 1, 7, 1000], ids=str)
def test_vector_dot_keeps_numpy_types(dtype, n, no_fallback):
    """dot/matmul of two vectors: one pass, in NumPy's type (int32 stays int32 and wraps
    like NumPy; booleans give any of the ands)."""
    a_np, b_np = make(dtype, (n,)), make(dtype, (n,), 1)
    a, b = lnp.array(a_np), lnp.array(b_np)
    check(lnp.dot(a, b), np.dot(a_np, b_np), **tol(dtype))
    check(a @ b, a_np @ b_np, **tol(dtype))
    check(lnp.dot(a[::-1], b), np.dot(a_np[::-1], b_np), **tol(dtype))


def test_dot_with_scalars_and_nd():
    a_np = make(np.float64, (3, 4))
    a = lnp.array(a_np)
    check(lnp.dot(a, 2.5), np.dot(a_np, 2.5))
    check(lnp.dot(3, a), np.dot(3, a_np))
    c_np, d_np = make(np.float64, (2, 3, 4)), make(np.float64, (4, 2), 1)
    check(lnp.dot(lnp.array(c_np), lnp.array(d_np)), np.dot(c_np, d_np))


def test_dot_out():
    a_np, b_np = make(np.float64, (3, 4)), make(np.float64, (4, 2), 1)
    out = lnp.zeros((3, 2))
    assert lnp.dot(lnp.array(a_np), lnp.array(b_np), out=out) is out
    check(out, np.dot(a_np, b_np))
    out = lnp.zeros((3, 2))
    assert lnp.matmul(lnp.array(a_np), lnp.array(b_np), out=out) is out
    check(out, np.matmul(a_np, b_np))


@pytest.mark.parametrize("dtype", PRODUCT_DTYPES, ids=PRODUCT_IDS)
@pytest.mark.parametrize("shapes", [((5,), (5,)), ((2, 3), (3, 2)), ((2, 3), (6,)), ((0,), (0,)), ((1,), (1,))], ids=str)
def test_vdot(shapes, dtype):
    a_np, b_np = make(dtype, shapes[0]), make(dtype, shapes[1], 1)
    got = lnp.vdot(lnp.array(a_np), lnp.array(b_np))
    check(got, np.vdot(a_np, b_np), **tol(dtype))


def test_vdot_size_mismatch():
    with pytest.raises(ValueError):
        np.vdot(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        lnp.vdot(lnp.ones(3), lnp.ones(4))


@pytest.mark.parametrize("dtype", PRODUCT_DTYPES, ids=PRODUCT_IDS)
@pytest.mark.parametrize("shapes", [((5,), (5,)), ((2, 3), (3,)), ((3,), (4, 3)), ((2, 3), (4, 3)), ((), (3,)), ((0,), (0,)),
                                    ((2, 3, 4), (5, 4)), ((4,), (2, 3, 4)), ((2, 3), ()), ((3, 2, 0), (4, 0)), ((2, 1, 3), (2, 2, 3))], ids=str)
def test_inner(shapes, dtype, no_fallback):
    a_np, b_np = make(dtype, shapes[0]), make(dtype, shapes[1], 1)
    exp, err = check_same_error(lambda: np.inner(a_np, b_np), lambda: lnp.inner(lnp.array(a_np), lnp.array(b_np)))
    if err is None:
        with quiet():
            check(lnp.inner(lnp.array(a_np), lnp.array(b_np)), exp, **tol(dtype))


def test_inner_errors():
    # NumPy's messages, b named with its last axis first.
    for sa, sb in [((2, 3), (2, 4)), ((3,), (2, 4)), ((2, 3, 4), (3,))]:
        with pytest.raises(ValueError) as exp:
            np.inner(np.ones(sa), np.ones(sb))
        with pytest.raises(ValueError) as got:
            lnp.inner(lnp.ones(sa), lnp.ones(sb))
        assert str(got.value) == str(exp.value)


@pytest.mark.parametrize("dtype", PRODUCT_DTYPES + [np.bool_, np.uint8], ids=PRODUCT_IDS + ["bool", "uint8"])
@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 2), (3,)), ((0,), (3,)), ((), (2,)), ((1,), (1,))], ids=str)
def test_outer(shapes, dtype):
    a_np, b_np = make(dtype, shapes[0]), make(dtype, shapes[1], 1)
    check(lnp.outer(lnp.array(a_np), lnp.array(b_np)), np.outer(a_np, b_np))


def test_outer_out():
    out = lnp.zeros((3, 2))
    a_np, b_np = make(np.float64, (3,)), make(np.float64, (2,), 1)
    assert lnp.outer(lnp.array(a_np), lnp.array(b_np), out=out) is out
    check(out, np.outer(a_np, b_np))


def test_trace_fallback():
    a_np = make(np.float64, (4, 4))
    with quiet():
        check(lnp.trace(lnp.array(a_np)), np.trace(a_np))
        check(lnp.trace(lnp.array(a_np), offset=1), np.trace(a_np, offset=1))


# ---------------------------------------------------------------- linalg.norm


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.complex128, np.bool_], ids=["float32", "float64", "int64", "complex128", "bool"])
@pytest.mark.parametrize(
    "shape, axis",
    [((5,), None), ((5,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 2), ((0,), None),
     ((3, 4), (0, 1)), ((), None)],
    ids=str,
)
def test_norm_default(shape, axis, dtype):
    x_np = make(dtype, shape)
    x = lnp.array(x_np)
    for keepdims in (False, True):
        exp, err = check_same_error(lambda: np.linalg.norm(x_np, axis=axis, keepdims=keepdims),
                                    lambda: lnp.linalg.norm(x, axis=axis, keepdims=keepdims))
        if err is None:
            check(lnp.linalg.norm(x, axis=axis, keepdims=keepdims), exp, **tol(np.asarray(exp).dtype))


NORM_ORDERS = [None, "fro", "nuc", np.inf, -np.inf, 0, 1, -1, 2, -2, 3, 0.5]


@pytest.mark.parametrize("ord", NORM_ORDERS, ids=str)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (4, 3), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int32], ids=["float32", "float64", "complex128", "int32"])
def test_norm_orders(shape, ord, dtype, no_fallback):
    """Every order over every axis choice, natively; invalid combinations raise NumPy's
    exception types."""
    x_np = make(dtype, shape)
    x_np.flat[0] = 0  # for ord=0
    x = lnp.array(x_np)
    nd = len(shape)
    axes = [None] + list(range(-nd, nd)) + [(a, b) for a in range(nd) for b in range(-nd, nd)]
    for axis in axes:
        for keepdims in (False, True):
            exp, err = check_same_error(lambda: np.linalg.norm(x_np, ord, axis, keepdims),
                                        lambda: lnp.linalg.norm(x, ord, axis, keepdims))
            if err is None:
                check(lnp.linalg.norm(x, ord, axis, keepdims), exp, **tol(np.asarray(exp).dtype))


@pytest.mark.parametrize("ord", NORM_ORDERS, ids=str)
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (2, 0, 3)], ids=str)
def test_norm_orders_of_empty_arrays(shape, ord, no_fallback):
    """Largest-value norms (inf, matrix 1 and inf, spectral) of no elements are 0 as in
    NumPy 2 (they raised ValueError); the least-value ones raise NumPy's error."""
    x_np = np.zeros(shape)
    nd = len(shape)
    for axis in [None] + list(range(nd)) + [(a, b) for a in range(nd) for b in range(nd)]:
        for keepdims in (False, True):
            exp, err = check_same_error(lambda: np.linalg.norm(x_np, ord, axis, keepdims),
                                        lambda: lnp.linalg.norm(lnp.array(x_np), ord, axis, keepdims))
            if err is None:
                check(lnp.linalg.norm(lnp.array(x_np), ord, axis, keepdims), exp)


def test_norm_of_view_and_list():
    x_np = make(np.float64, (4, 6))
    check(lnp.linalg.norm(lnp.array(x_np)[::-2, 1::2].T), np.linalg.norm(x_np[::-2, 1::2].T))
    check(lnp.linalg.norm([3.0, 4.0]), np.linalg.norm([3.0, 4.0]))
    check(np.linalg.norm(lnp.array(x_np)), np.linalg.norm(x_np))


def test_linalg_fallbacks():
    m_np = make(np.float64, (3, 3)) + 4 * np.eye(3)
    v_np = make(np.float64, (3,), 1)
    with quiet():
        check(lnp.linalg.solve(lnp.array(m_np), lnp.array(v_np)), np.linalg.solve(m_np, v_np))
        check(lnp.linalg.inv(lnp.array(m_np)), np.linalg.inv(m_np))
        check(lnp.linalg.det(lnp.array(m_np)), np.linalg.det(m_np))
    with pytest.raises(AttributeError):
        lnp.linalg.does_not_exist


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(5000, 16), (4099, 3), (2000, 1), (640, 10), (639, 10)], ids=str)
def test_tall_matrix_vector_products_split_k(shape, dtype, no_fallback):
    """Products whose sum is much longer than their result (`X.T @ r`, `r @ X` of a tall
    X: logistic regression's gradient) split the sum across processors and add up the
    pieces (from a sum 64 times the result's length; 639 x 10 stays unsplit): every
    layout, strided and reversed operands, out=, and a result that the next product
    must leave alone."""
    k, m = shape
    x_np, r_np = make(dtype, (k, m)), make(dtype, (k,), 1)
    x, r = lnp.array(x_np), lnp.array(r_np)
    t = dict(rtol=1e-4, atol=1e-2) if dtype == np.float32 else tol(dtype)
    check(x.T @ r, x_np.T @ r_np, **t)
    check(r @ x, r_np @ x_np, **t)
    check(lnp.dot(x.T, r), np.dot(x_np.T, r_np), **t)
    xt, xt_np = x.T.copy(), x_np.T.copy()  # rows contiguous
    check(xt @ r, xt_np @ r_np, **t)
    check(r @ xt.T, r_np @ xt_np.T, **t)
    check(x[::2].T @ r[::2], x_np[::2].T @ r_np[::2], **t)
    check(x[::-1, ::-1].T @ r, x_np[::-1, ::-1].T @ r_np, **t)
    check(r[::-1] @ x[:, ::-1], r_np[::-1] @ x_np[:, ::-1], **t)
    out = lnp.full(m, 7.0, dtype=dtype)
    assert lnp.matmul(x.T, r, out=out) is out
    check(out, x_np.T @ r_np, **t)
    g = x.T @ r
    h = x.T @ (r * 2.0)
    check(g, x_np.T @ r_np, **t)
    check(h, x_np.T @ (r_np * 2.0), **t)
