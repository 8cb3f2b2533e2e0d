"""Native linalg decompositions (faer tasks over stacked matrices: cholesky, solve and inv
too, with upper= and broadcast stacks) and what is composed
from them, against numpy.linalg in each test. Factors that are unique only up to phase
(Q and R's signs, singular vectors, eigenvectors) are checked through invariants:
reconstruction, orthonormality, ``A V = V diag(w)``; unique results (singular values,
eigenvalues, determinants, pseudo-inverses, least-squares solutions) are compared
directly. The NumPy fallback is off unless a test says otherwise."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import legate_numeric as lnp
from conftest import check, check_same_error

pytestmark = pytest.mark.usefixtures("no_fallback")

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
DT_IDS = ["f32", "f64", "c64", "c128"]
SHAPES = [(0, 0), (1, 1), (3, 3), (5, 3), (3, 5), (2, 4, 3), (2, 1, 3, 3), (2, 0, 3), (0, 3, 3)]
SQUARE = [(0, 0), (1, 1), (4, 4), (2, 3, 3), (0, 2, 2), (3, 0, 0)]


def rand(dtype, shape, salt=0):
    r = np.random.default_rng(1234 + salt + 31 * len(shape) + sum(shape))
    x = r.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * r.standard_normal(shape)
    return x.astype(dtype)


def tol(dtype):
    return 2e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-10


def close(got, exp, dtype, scale=1.0):
    np.testing.assert_allclose(np.asarray(got), np.asarray(exp), rtol=tol(dtype), atol=tol(dtype) * scale)


def H(x):
    return np.conj(np.swapaxes(x, -1, -2))


def eye_like(x, n):
    return np.broadcast_to(np.eye(n), x.shape[:-2] + (n, n))


def same_meta(got, exp):
    got = np.asarray(got)
    assert got.shape == exp.shape, (got.shape, exp.shape)
    assert got.dtype == exp.dtype, (got.dtype, exp.dtype)
    return got


# ---------------------------------------------------------------- qr


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(dtype, shape, mode):
    a = rand(dtype, shape)
    exp = np.linalg.qr(a, mode=mode)
    got = lnp.linalg.qr(lnp.array(a), mode=mode)
    if mode == "r":
        r = same_meta(got, exp)
        assert np.allclose(np.tril(r, -1), 0)
        close(H(r) @ r, H(a) @ a, dtype, scale=10)  # R^H R = A^H A: R up to row phases
        return
    assert type(got).__name__ == "QRResult" and got._fields == ("Q", "R")
    q, r = same_meta(got.Q, exp.Q), same_meta(got.R, exp.R)
    close(q @ r, a, dtype, scale=10)
    close(H(q) @ q, eye_like(q, q.shape[-1]), dtype)
    assert np.allclose(np.tril(r, -1), 0)


def test_qr_views_errors_and_raw():
    base = rand(np.float64, (6, 8))
    view = lnp.array(base)[::2, 1::2].T  # (4, 3), strided and transposed
    q, r = lnp.linalg.qr(view)
    close(np.asarray(q) @ np.asarray(r), base[::2, 1::2].T, np.float64)
    with pytest.raises(ValueError):
        lnp.linalg.qr(lnp.array(base), mode="bogus")
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.qr(lnp.array(base[0]))
    q, r = lnp.linalg.qr(lnp.array(np.arange(12).reshape(4, 3)))  # integers: float64
    assert np.asarray(q).dtype == np.float64


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (4, 3), (3, 4), (2, 3, 3)], ids=str)
def test_qr_raw(dtype, shape):
    # LAPACK's Householder form is unique (its sign choice): compared directly.
    a = rand(dtype, shape, 22)
    eh, etau = np.linalg.qr(a, mode="raw")
    h, tau = lnp.linalg.qr(lnp.array(a), mode="raw")
    close(same_meta(h, eh), eh, dtype, scale=10)
    close(same_meta(tau, etau), etau, dtype, scale=10)


# ---------------------------------------------------------------- svd


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("full", [True, False])
def test_svd(dtype, shape, full):
    a = rand(dtype, shape, 1)
    exp = np.linalg.svd(a, full_matrices=full)
    got = lnp.linalg.svd(lnp.array(a), full_matrices=full)
    assert type(got).__name__ == "SVDResult" and got._fields == ("U", "S", "Vh")
    u, s, vh = (same_meta(g, e) for g, e in zip(got, exp))
    close(s, exp.S, dtype)
    k = s.shape[-1]
    close((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], a, dtype, scale=10)
    close(H(u) @ u, eye_like(u, u.shape[-1]), dtype)
    close(vh @ H(vh), eye_like(vh, vh.shape[-2]), dtype)
    values = lnp.linalg.svd(lnp.array(a), compute_uv=False)
    close(same_meta(values, exp.S), exp.S, dtype)
    close(same_meta(lnp.linalg.svdvals(lnp.array(a)), exp.S), exp.S, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", SQUARE, ids=str)
def test_svd_hermitian(dtype, shape):
    x = rand(dtype, shape, 2)
    a = x + H(x)
    exp = np.linalg.svd(a, hermitian=True)
    u, s, vh = (same_meta(g, e) for g, e in zip(lnp.linalg.svd(lnp.array(a), hermitian=True), exp))
    close(s, exp.S, dtype)
    close((u * s[..., None, :]) @ vh, a, dtype, scale=10)
    close(H(u) @ u, eye_like(u, u.shape[-1]), dtype)
    got = lnp.linalg.svd(lnp.array(a), compute_uv=False, hermitian=True)
    close(same_meta(got, exp.S), exp.S, dtype)


def test_svd_errors_and_views():
    for bad in (np.nan, np.inf):  # NaN: LAPACK does not converge; inf: NaN results
        a = np.ones((3, 2))
        a[0, 1] = bad
        for uv in (True, False):
            exp, exc = check_same_error(lambda: np.linalg.svd(a, compute_uv=uv), lambda: lnp.linalg.svd(lnp.array(a), compute_uv=uv))
            if exc is None:
                got = lnp.linalg.svd(lnp.array(a), compute_uv=uv)
                np.testing.assert_array_equal(np.asarray(got[1] if uv else got), exp[1] if uv else exp)
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.svd(lnp.array(np.ones(3)))
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.svd(lnp.array(np.ones((2, 3))), hermitian=True)
    base = rand(np.complex128, (3, 7, 6))
    view = lnp.array(base)[:, ::2, ::-2].mT
    close(lnp.linalg.svd(view, compute_uv=False), np.linalg.svd(base[:, ::2, ::-2].mT, compute_uv=False), np.float64)


# ---------------------------------------------------------------- eigenvalues


def sort_c(w):
    w = np.asarray(w)
    return np.sort_complex(np.round(w.astype(np.complex128), 6))


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", SQUARE, ids=str)
@pytest.mark.parametrize("kind", ["general", "symmetric"])
def test_eig(dtype, shape, kind):
    a = rand(dtype, shape, 3)
    if kind == "symmetric":
        a = a + np.swapaxes(a, -1, -2)  # real eigenvalues for real input: real results
    exp = np.linalg.eig(a)
    got = lnp.linalg.eig(lnp.array(a))
    assert type(got).__name__ == "EigResult" and got._fields == ("eigenvalues", "eigenvectors")
    w, v = same_meta(got.eigenvalues, exp.eigenvalues), same_meta(got.eigenvectors, exp.eigenvectors)
    for idx in np.ndindex(*a.shape[:-2]):
        close(sort_c(w[idx]), sort_c(exp.eigenvalues[idx]), dtype, scale=10)
    close(a @ v, v * w[..., None, :], dtype, scale=10)
    if v.size:
        close(np.linalg.norm(v, axis=-2), np.ones(v.shape[:-2] + v.shape[-1:]), dtype)
    wv = lnp.linalg.eigvals(lnp.array(a))
    wv = same_meta(wv, np.linalg.eigvals(a))
    for idx in np.ndindex(*a.shape[:-2]):
        close(sort_c(wv[idx]), sort_c(exp.eigenvalues[idx]), dtype, scale=10)


def test_eig_errors():
    for bad in (np.ones(3), np.ones((2, 3))):
        with pytest.raises(np.linalg.LinAlgError):
            lnp.linalg.eig(lnp.array(bad))
    a = np.eye(3)
    a[1, 2] = np.nan
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.eigvals(a)
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.eigvals(lnp.array(a))
    # A rotation: complex eigenvalues of a real matrix, complex results.
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])
    w, v = lnp.linalg.eig(lnp.array(rot))
    assert np.asarray(w).dtype == np.complex128
    close(sort_c(w), sort_c([1j, -1j]), np.float64)


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", SQUARE, ids=str)
@pytest.mark.parametrize("uplo", ["L", "U", "u"])
def test_eigh(dtype, shape, uplo):
    a = rand(dtype, shape, 4)  # not Hermitian: only the chosen triangle is read
    exp = np.linalg.eigh(a, UPLO=uplo)
    got = lnp.linalg.eigh(lnp.array(a), UPLO=uplo)
    assert type(got).__name__ == "EighResult"
    w, v = same_meta(got.eigenvalues, exp.eigenvalues), same_meta(got.eigenvectors, exp.eigenvectors)
    close(w, exp.eigenvalues, dtype, scale=10)
    tri = np.tril(a, -1) if uplo == "L" else np.triu(a, 1)
    herm = tri + H(tri) + np.real(np.diagonal(a, 0, -2, -1))[..., None] * np.eye(a.shape[-1])
    close(herm @ v, v * w[..., None, :], dtype, scale=10)
    close(H(v) @ v, eye_like(v, v.shape[-1]), dtype)
    got = lnp.linalg.eigvalsh(lnp.array(a), UPLO=uplo)
    close(same_meta(got, exp.eigenvalues), exp.eigenvalues, dtype, scale=10)


def test_eigh_errors_and_views():
    with pytest.raises(ValueError):
        lnp.linalg.eigh(lnp.array(np.eye(2)), UPLO="X")
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.eigvalsh(lnp.array(np.ones((2, 3))))
    base = rand(np.float64, (8, 8))
    view = lnp.array(base)[::2, ::2].T
    close(lnp.linalg.eigvalsh(view), np.linalg.eigvalsh(base[::2, ::2].T), np.float64)


# ---------------------------------------------------------------- determinants


@pytest.mark.parametrize("dtype", DTYPES + [np.int64], ids=DT_IDS + ["i64"])
@pytest.mark.parametrize("shape", SQUARE + [(40, 40)], ids=str)
def test_slogdet_det(dtype, shape):
    a = rand(dtype, shape, 5) if np.dtype(dtype).kind != "i" else np.arange(np.prod(shape)).reshape(shape) % 7
    exp = np.linalg.slogdet(a)
    got = lnp.linalg.slogdet(lnp.array(a))
    assert type(got).__name__ == "SlogdetResult" and got._fields == ("sign", "logabsdet")
    close(same_meta(got.sign, np.asarray(exp.sign)), exp.sign, dtype)
    close(same_meta(got.logabsdet, np.asarray(exp.logabsdet)), exp.logabsdet, dtype, scale=10)
    d = np.asarray(lnp.linalg.det(lnp.array(a)))
    e = np.linalg.det(a)
    same_meta(d, np.asarray(e))
    np.testing.assert_allclose(d, e, rtol=tol(dtype) * 10, atol=tol(dtype) * np.abs(e).max(initial=1))


def test_slogdet_singular_and_views():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    sign, logdet = lnp.linalg.slogdet(lnp.array(a))
    assert float(sign) == 0.0 and float(logdet) == -np.inf
    assert float(lnp.linalg.det(lnp.array(a))) == 0.0
    big = np.ones((40, 40))
    sign, logdet = lnp.linalg.slogdet(lnp.array(big))
    assert float(sign) == 0.0 and float(logdet) == -np.inf
    base = rand(np.complex128, (2, 6, 6))
    view = lnp.array(base)[:, ::-2, 1::2]
    close(lnp.linalg.det(view), np.linalg.det(base[:, ::-2, 1::2]), np.complex128)
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.slogdet(lnp.array(np.ones((2, 3))))


# ---------------------------------------------------------------- least squares, pinv


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize(
    "ashape,bshape",
    [((6, 3), (6,)), ((6, 3), (6, 2)), ((3, 6), (3, 2)), ((4, 4), (4,)), ((5, 3), (5, 0)), ((0, 3), (0, 2)),
     ((3, 0), (3, 2)), ((1, 1), (1,))],
    ids=str,
)
def test_lstsq(dtype, ashape, bshape):
    a, b = rand(dtype, ashape, 6), rand(dtype, bshape, 7)
    exp = np.linalg.lstsq(a, b)
    got = lnp.linalg.lstsq(lnp.array(a), lnp.array(b))
    assert isinstance(got, tuple) and len(got) == 4
    close(same_meta(got[0], exp[0]), exp[0], dtype, scale=10)
    close(same_meta(got[1], exp[1]), exp[1], dtype, scale=10)
    assert got[2] == exp[2] and type(got[2]) is type(exp[2])  # numpy.int32
    close(same_meta(got[3], exp[3]), exp[3], dtype)


def test_lstsq_rank_deficient_and_rcond():
    a = rand(np.float64, (6, 4), 8)
    a[:, 3] = a[:, 0] + a[:, 1]
    b = rand(np.float64, (6, 2), 9)
    for rcond in (None, 1e-8, 0.5, -1):
        exp = np.linalg.lstsq(a, b, rcond=rcond)
        got = lnp.linalg.lstsq(lnp.array(a), lnp.array(b), rcond=rcond)
        close(got[0], exp[0], np.float64, scale=10)
        assert got[2] == exp[2]
        same_meta(got[1], exp[1])
    for bad in ((np.ones((3, 2)), np.ones(4)), (np.ones(3), np.ones(3))):
        with pytest.raises(np.linalg.LinAlgError):
            lnp.linalg.lstsq(lnp.array(bad[0]), lnp.array(bad[1]))


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (5, 3), (3, 5), (2, 4, 3), (2, 0, 3)], ids=str)
def test_pinv(dtype, shape):
    a = rand(dtype, shape, 10)
    exp = np.linalg.pinv(a)
    close(same_meta(lnp.linalg.pinv(lnp.array(a)), exp), exp, dtype, scale=10)


def test_pinv_arguments():
    a = rand(np.float64, (5, 4), 11)
    a[:, 3] = a[:, 0]
    for kw in (dict(rcond=1e-3), dict(rtol=None), dict(rtol=0.3), dict(rcond=np.array(0.1))):
        close(lnp.linalg.pinv(lnp.array(a), **kw), np.linalg.pinv(a, **kw), np.float64)
    h = a @ a.T
    close(lnp.linalg.pinv(lnp.array(h), hermitian=True), np.linalg.pinv(h, hermitian=True), np.float64, scale=10)
    batch = rand(np.float64, (3, 4, 4), 12)
    rc = np.array([1e-15, 0.1, 0.5])
    close(lnp.linalg.pinv(lnp.array(batch), rcond=rc), np.linalg.pinv(batch, rcond=rc), np.float64, scale=10)
    with pytest.raises(ValueError):
        lnp.linalg.pinv(lnp.array(a), rcond=0.1, rtol=0.1)


# ---------------------------------------------------------------- rank, cond


def test_matrix_rank():
    a = rand(np.float64, (6, 5), 13)
    a[:, 4] = a[:, 0] - a[:, 1]
    batch = np.stack([a, np.zeros((6, 5)), rand(np.float64, (6, 5), 14)])
    cases = [
        (a, {}), (batch, {}), (a, dict(tol=0.5)), (a, dict(rtol=0.2)), (batch, dict(rtol=np.array([0.0, 0.1, 0.9]))),
        (a @ a.T, dict(hermitian=True)), (np.zeros(3), {}), (np.array([0, 1.0]), {}), (np.float64(2.0), {}),
        (rand(np.complex64, (4, 4), 15), {}), (np.zeros((3, 0)), {}),
    ]
    for x, kw in cases:
        exp = np.linalg.matrix_rank(x, **kw)
        got = lnp.linalg.matrix_rank(lnp.array(x), **kw)
        np.testing.assert_array_equal(np.asarray(got), exp)
    with pytest.raises(ValueError):
        lnp.linalg.matrix_rank(lnp.array(a), tol=1, rtol=1)


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc"], ids=str)
@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
def test_cond(p, dtype):
    a = rand(dtype, (2, 4, 4), 16)
    exp = np.linalg.cond(a, p)
    close(same_meta(lnp.linalg.cond(lnp.array(a), p), np.asarray(exp)), exp, dtype, scale=100)
    sing = np.array([[1.0, 2.0], [2.0, 4.0]], dtype=dtype)
    e, exc = check_same_error(lambda: np.linalg.cond(sing, p), lambda: lnp.linalg.cond(lnp.array(sing), p))
    if exc is not None:
        return  # 'nuc': the SVD of the NaN inverse does not converge, in both
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = np.asarray(lnp.linalg.cond(lnp.array(sing), p))
    if np.isinf(e):
        assert np.isinf(g)
    elif p == -2:
        assert g < 1e-6 and e < 1e-6
    else:
        assert g > 1e6 and e > 1e6  # rounding leaves a tiny singular value


def test_cond_errors():
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.cond(lnp.array(np.zeros((0, 0))))
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.cond(lnp.array(np.ones((2, 3))), 1)
    rect = rand(np.float64, (3, 5), 17)
    close(lnp.linalg.cond(lnp.array(rect)), np.linalg.cond(rect), np.float64)


# ---------------------------------------------------------------- tensor solve/inv


@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
def test_tensorinv_tensorsolve(dtype):
    a = rand(dtype, (4, 6, 8, 3), 18)
    close(same_meta(lnp.linalg.tensorinv(lnp.array(a)), np.linalg.tensorinv(a)), np.linalg.tensorinv(a), dtype, 100)
    b = rand(dtype, (8, 2, 4), 19)
    close(lnp.linalg.tensorinv(lnp.array(b), ind=1), np.linalg.tensorinv(b, ind=1), dtype, 100)
    a = rand(dtype, (6, 4, 2, 3, 4), 20)
    rhs = rand(dtype, (6, 4), 21)
    exp = np.linalg.tensorsolve(a, rhs)
    close(same_meta(lnp.linalg.tensorsolve(lnp.array(a), lnp.array(rhs)), exp), exp, dtype, 100)
    a2 = np.moveaxis(a, 2, 0)
    exp = np.linalg.tensorsolve(a2, rhs, axes=(0,))
    close(lnp.linalg.tensorsolve(lnp.array(a2), lnp.array(rhs), axes=(0,)), exp, dtype, 100)


def test_tensor_errors():
    with pytest.raises(ValueError):
        lnp.linalg.tensorinv(lnp.array(np.ones((2, 2))), ind=0)
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.tensorsolve(lnp.array(np.ones((2, 3, 4))), lnp.array(np.ones(2)))
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.tensorinv(lnp.array(np.ones((2, 3))), ind=1)


# ---------------------------------------------------------------- polynomials


@pytest.mark.filterwarnings("ignore::numpy.exceptions.RankWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int64], ids=["f32", "f64", "c128", "i64"])
def test_polyfit(dtype):
    x = np.linspace(-1, 2, 12).astype(dtype)
    y = (3 * x**3 - x + 0.5 + 0.01 * np.cos(7 * np.real(x))).astype(dtype)
    y2 = np.stack([y, 2 * y + 1], axis=1)
    w = np.linspace(0.5, 2.0, 12)
    for args, kw in [((x, y, 3), {}), ((x, y2, 2), {}), ((x, y, 3), dict(w=w)), ((x, y2, 3), dict(w=w)),
                     ((x, y, 4), dict(rcond=1e-3)), ((x, y, 1), dict(cov=True)), ((x, y2, 2), dict(cov=True)),
                     ((x, y, 2), dict(cov="unscaled", w=w)), ((x, y, 0), {})]:
        exp = np.polyfit(*args, **kw)
        got = lnp.polyfit(*(lnp.array(a) if isinstance(a, np.ndarray) else a for a in args),
                          **{k: lnp.array(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()})
        for g, e in zip(got, exp) if isinstance(exp, tuple) else [(got, exp)]:
            close(same_meta(g, np.asarray(e)), e, np.float64 if dtype != np.float32 else np.float32, scale=100)
    exp = np.polyfit(x, y, 2, full=True)
    got = lnp.polyfit(lnp.array(x), lnp.array(y), 2, full=True)
    assert len(got) == 5 and got[2] == exp[2] and got[4] == exp[4]
    for i in (0, 1, 3):
        close(got[i], exp[i], np.float64, scale=100)


def test_polyfit_errors_and_rank_warning():
    x, y = lnp.array(np.arange(5.0)), lnp.array(np.arange(5.0))
    for bad in [lambda: lnp.polyfit(x, y, -1), lambda: lnp.polyfit(lnp.array(np.ones((2, 2))), y, 1),
                lambda: lnp.polyfit(lnp.array(np.ones(0)), y, 1), lambda: lnp.polyfit(x, lnp.array(np.ones(4)), 1),
                lambda: lnp.polyfit(x, y, 1, w=lnp.array(np.ones(3))), lambda: lnp.polyfit(x, y, 6, cov=True)]:
        with pytest.raises((TypeError, ValueError)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bad()
    with pytest.warns(np.exceptions.RankWarning):
        lnp.polyfit(lnp.array(np.ones(5)), y, 2)


@pytest.mark.parametrize(
    "p",
    [[1.0, -3.0, 2.0], [0, 0, 1.0, 2.0, 0.0, 0.0], [2.0], [0.0, 0.0], [1, 0, 1], [1j, 2, 3 - 1j], [5, 4],
     np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)],
    ids=str,
)
def test_roots(p):
    exp = np.roots(p)
    got = lnp.roots(lnp.array(np.asarray(p)))
    got = same_meta(got, exp)
    close(sort_c(got), sort_c(exp), exp.dtype if exp.dtype.kind in "fc" else np.float64, scale=10)


def test_poly_of_matrix_and_roots_errors():
    for a in (rand(np.float64, (4, 4), 23), np.array([[2.0, 1.0], [1.0, 2.0]]), rand(np.complex128, (3, 3), 24)):
        exp = np.poly(a)
        close(same_meta(lnp.poly(lnp.array(a)), exp), exp, np.float64, scale=10)
    with pytest.raises(ValueError):
        lnp.roots(lnp.array(np.ones((2, 2))))


def _hpd(rng, shape, dtype):
    m = rng.normal(size=shape)
    if np.dtype(dtype).kind == "c":
        m = m + 1j * rng.normal(size=shape)
    return (m @ np.conj(np.swapaxes(m, -1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64], ids=str)
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (2, 1, 4, 4), (0, 3, 3)], ids=str)
def test_stacked_cholesky_solve_inv(shape, dtype, no_fallback):
    # Stacks of matrices, upper=, NumPy 2's solve (b a vector only when 1-d; stacks
    # broadcast), single precision computed in double and rounded, as NumPy does.
    rng = np.random.default_rng(31)
    a = _hpd(rng, shape, dtype)
    la = lnp.array(a)
    tol = dict(rtol=1e-5, atol=1e-5)
    for upper in (False, True):
        check(lnp.linalg.cholesky(la, upper=upper), np.linalg.cholesky(a, upper=upper), **tol)
    check(lnp.linalg.inv(la), np.linalg.inv(a), **tol)
    for bshape in [shape[-1:], shape[:-1] + (2,), (3,) + shape[-2:-1] + (2,) if len(shape) == 2 else shape[:-2] + shape[-1:] + (1,)]:
        b = rng.normal(size=bshape).astype(dtype)
        check(lnp.linalg.solve(la, lnp.array(b)), np.linalg.solve(a, b), **tol)


def test_solve_cholesky_errors():
    for call in (lambda m: m.linalg.solve(m.eye(3), m.ones(2)), lambda m: m.linalg.solve(m.eye(3), m.ones((2, 2))),
                 lambda m: m.linalg.solve(m.ones((2, 3, 3)), m.ones((3, 3, 1))), lambda m: m.linalg.cholesky(m.ones((2, 3))),
                 lambda m: m.linalg.inv(m.ones((3, 3), dtype=np.float16)), lambda m: m.linalg.cholesky(m.asarray(-np.eye(3))),
                 lambda m: m.linalg.solve(m.zeros((3, 3)), m.ones(3)), lambda m: m.linalg.inv(m.zeros((2, 3, 3)))):
        with pytest.raises(Exception) as exp:
            call(np)
        with pytest.raises(type(exp.value)) as got:
            call(lnp)
        assert str(got.value) == str(exp.value)


@pytest.mark.parametrize("mode", ["e", "economic"])
def test_qr_economic_mode(mode):
    # Deprecated in NumPy, still answered: LAPACK's Householder array as it lies in memory.
    rng = np.random.default_rng(32)
    for shape in [(4, 3), (3, 4), (2, 5, 3)]:
        for dtype in (np.float64, np.float32, np.complex128):
            a = rng.normal(size=shape).astype(dtype)
            with pytest.warns(DeprecationWarning, match="economic"):
                exp = np.linalg.qr(a, mode=mode)
            with pytest.warns(DeprecationWarning, match="economic"):
                got = lnp.linalg.qr(lnp.array(a), mode=mode)
            check(got, exp, rtol=1e-4, atol=1e-5)
