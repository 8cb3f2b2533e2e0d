"""Native linalg.cholesky, linalg.solve, linalg.det and linalg.inv (faer, one point). Every test compares with
numpy.linalg in the test itself; the NumPy fallback is turned off, so each runs
natively: with the fallback off, any call into NumPy fails the test."""

import numpy as np
import pytest

import legate_numeric as lnp


@pytest.fixture(autouse=True)
def _native_only(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")


def tol(dt):
    return dict(rtol=1e-4, atol=1e-4) if np.dtype(dt) == np.float32 else dict(rtol=1e-10, atol=1e-10)


def spd(n, dt=np.float64, seed=0):
    m = np.random.default_rng(seed).standard_normal((n, n))
    return (m @ m.T + n * np.eye(n)).astype(dt)


def to_np(x):
    return np.asarray(x)


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 33])
def test_cholesky(n, dt):
    a = spd(n, dt)
    got = lnp.linalg.cholesky(lnp.array(a))
    exp = np.linalg.cholesky(a)
    assert got.shape == exp.shape and got.dtype == exp.dtype
    g = to_np(got)
    np.testing.assert_allclose(g, exp, **tol(dt))
    assert np.all(np.triu(g, 1) == 0)


def test_cholesky_complex():
    rng = np.random.default_rng(1)
    m = rng.standard_normal((5, 5)) + 1j * rng.standard_normal((5, 5))
    a = m @ m.conj().T + 5 * np.eye(5)
    got = to_np(lnp.linalg.cholesky(lnp.array(a)))
    np.testing.assert_allclose(got, np.linalg.cholesky(a), rtol=1e-10, atol=1e-10)


def test_cholesky_int_and_transposed():
    a = np.array([[4, 2], [2, 3]])
    got = lnp.linalg.cholesky(lnp.array(a))
    assert got.dtype == np.linalg.cholesky(a).dtype == np.float64
    np.testing.assert_allclose(to_np(got), np.linalg.cholesky(a))
    b = spd(6, seed=3)
    b[0, 1] += 0.0  # symmetric; a transposed view is non-contiguous
    la = lnp.array(b).T
    np.testing.assert_allclose(to_np(lnp.linalg.cholesky(la)), np.linalg.cholesky(b.T), rtol=1e-10, atol=1e-10)


def test_cholesky_errors():
    a = -np.eye(3)
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cholesky(a)
    with pytest.raises(np.linalg.LinAlgError, match="Matrix is not positive definite"):
        lnp.linalg.cholesky(lnp.array(a))
    for bad in (np.ones(3), np.ones((2, 3))):
        with pytest.raises(np.linalg.LinAlgError) as e1:
            np.linalg.cholesky(bad)
        with pytest.raises(np.linalg.LinAlgError) as e2:
            lnp.linalg.cholesky(lnp.array(bad))
        assert str(e1.value) == str(e2.value)


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("n", [1, 2, 9, 40])
@pytest.mark.parametrize("k", [None, 1, 3])
def test_solve(n, k, dt):
    rng = np.random.default_rng(n)
    a = (rng.standard_normal((n, n)) + n * np.eye(n)).astype(dt)
    b = rng.standard_normal((n,) if k is None else (n, k)).astype(dt)
    got = lnp.linalg.solve(lnp.array(a), lnp.array(b))
    exp = np.linalg.solve(a, b)
    assert got.shape == exp.shape and got.dtype == exp.dtype
    np.testing.assert_allclose(to_np(got), exp, **tol(dt))


def test_solve_empty_and_mixed():
    for a, b in [(np.zeros((0, 0)), np.zeros(0)), (np.eye(2), np.ones((2, 0)))]:
        got, exp = lnp.linalg.solve(lnp.array(a), lnp.array(b)), np.linalg.solve(a, b)
        assert got.shape == exp.shape and got.dtype == exp.dtype
    a = np.array([[3, 1], [1, 2]])
    b = np.array([9, 8])
    got, exp = lnp.linalg.solve(lnp.array(a), lnp.array(b)), np.linalg.solve(a, b)
    assert got.dtype == exp.dtype
    np.testing.assert_allclose(to_np(got), exp)
    af, bf = a.astype(np.float32), b.astype(np.float64)
    got, exp = lnp.linalg.solve(lnp.array(af), lnp.array(bf)), np.linalg.solve(af, bf)
    assert got.dtype == exp.dtype
    np.testing.assert_allclose(to_np(got), exp)


def test_solve_transposed_and_complex():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((8, 8)) + 8 * np.eye(8)
    b = rng.standard_normal((3, 8))
    got = lnp.linalg.solve(lnp.array(a).T, lnp.array(b).T)
    np.testing.assert_allclose(to_np(got), np.linalg.solve(a.T, b.T), rtol=1e-10, atol=1e-10)
    c = a + 1j * rng.standard_normal((8, 8))
    d = rng.standard_normal(8) + 1j * rng.standard_normal(8)
    got = lnp.linalg.solve(lnp.array(c), lnp.array(d))
    np.testing.assert_allclose(to_np(got), np.linalg.solve(c, d), rtol=1e-10, atol=1e-10)


def test_solve_errors():
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.solve(sing, np.ones(2))
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        lnp.linalg.solve(lnp.array(sing), lnp.array(np.ones(2)))
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        lnp.linalg.solve(lnp.array(np.zeros((3, 3))), lnp.array(np.ones((3, 2))))
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.solve(np.ones((2, 3)), np.ones(2))
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.solve(lnp.array(np.ones((2, 3))), lnp.array(np.ones(2)))
    for b in (np.ones(4), np.ones((4, 2))):
        with pytest.raises(ValueError):
            np.linalg.solve(np.eye(3), b)
        with pytest.raises(ValueError):
            lnp.linalg.solve(lnp.array(np.eye(3)), lnp.array(b))


@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (3, 3), (6, 6), (2, 4, 4), (2, 0, 0), (3, 1, 2, 2)], ids=str)
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.complex128, np.int64], ids=str)
def test_det_and_inv(shape, dt):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape) * 3
    if dt == np.complex128:
        x = x + 1j * rng.standard_normal(shape)
    if shape[-1]:
        x = x + 10 * np.eye(shape[-1])  # well conditioned, also once rounded to integers
    x = x.astype(dt)
    a = lnp.array(x)
    exp = np.linalg.det(x)
    got = lnp.linalg.det(a)
    assert np.asarray(got).shape == np.shape(exp) and np.asarray(got).dtype == np.asarray(exp).dtype
    np.testing.assert_allclose(np.asarray(got), exp, rtol=1e-3 if dt == np.float32 else 1e-9)
    if dt != np.int64:
        np.testing.assert_allclose(np.asarray(lnp.linalg.det(a.mT if a.ndim >= 2 else a)), np.linalg.det(x.mT), rtol=1e-3)
    exp_inv = np.linalg.inv(x)
    got_inv = np.asarray(lnp.linalg.inv(a))
    assert got_inv.dtype == exp_inv.dtype
    np.testing.assert_allclose(got_inv, exp_inv, rtol=1e-3 if dt == np.float32 else 1e-8, atol=1e-4 if dt == np.float32 else 1e-10)


def test_det_and_inv_of_singular_and_bad_input():
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert float(lnp.linalg.det(lnp.array(s))) == 0.0
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.inv(s)
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.inv(lnp.array(s))
    for bad in (np.ones(3), np.ones((2, 3))):
        with pytest.raises(np.linalg.LinAlgError):
            lnp.linalg.det(lnp.array(bad))
        with pytest.raises(np.linalg.LinAlgError):
            lnp.linalg.inv(lnp.array(bad))
