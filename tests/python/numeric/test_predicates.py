"""Type helpers and predicates against NumPy: ``isscalar iscomplex iscomplexobj isreal
isrealobj isposinf isneginf isfortran isdtype issubdtype can_cast promote_types
result_type min_scalar_type common_type may_share_memory shares_memory iterable``,
with the fallback off."""

import numpy as np
import pytest
from conftest import check, check_same_error

import legate_numeric as lnp

DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float32, np.float64, np.complex64, np.complex128]
VALUES = np.array([0, 1.5, -2, np.inf, -np.inf, np.nan, -0.0])


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


def _arrays(dtype):
    """The same values as NumPy and legate arrays: 0-d, empty, 2-d and a strided view."""
    x = VALUES.astype(dtype) if np.dtype(dtype).kind in "fc" else np.arange(6).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * np.array([0, 1, 0, -1, np.nan, 0, 2])
    cases = [x[0].reshape(()), x[:0], np.resize(x, (3, 4)), np.resize(x, (3, 4))[::2, ::-1]]
    views = [lnp.array(c) for c in cases[:3]] + [lnp.array(np.resize(x, (3, 4)))[::2, ::-1]]
    return list(zip(cases, views))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_elementwise_predicates(dtype):
    with np.errstate(all="ignore"):
        for x, a in _arrays(dtype):
            check(lnp.iscomplex(a), np.iscomplex(x))
            check(lnp.isreal(a), np.isreal(x))
            assert lnp.iscomplexobj(a) == np.iscomplexobj(x)
            assert lnp.isrealobj(a) == np.isrealobj(x)
            for name in ("isposinf", "isneginf"):
                expected, _ = check_same_error(lambda: getattr(np, name)(x), lambda: getattr(lnp, name)(a))
                if expected is not None:
                    check(getattr(lnp, name)(a), expected)
                    out = lnp.zeros(a.shape, bool)
                    assert getattr(lnp, name)(a, out=out) is out
                    check(out, expected)


def test_predicates_of_scalars_and_lists():
    for v in (1, 1.5, 1 + 2j, np.float32(2), [1, 2j], (0, 1)):
        assert lnp.iscomplexobj(v) == np.iscomplexobj(v)
        check(lnp.iscomplex(v), np.iscomplex(v))
        check(lnp.isreal(v), np.isreal(v))
    for v in (1, 1.5, "a", np.float64(1), [1], lnp.array(1), lnp.arange(3), None, b"x"):
        assert lnp.isscalar(v) == np.isscalar(np.asarray(v) if isinstance(v, lnp.ndarray) else v)
    for v, it in ((lnp.array(1), False), (lnp.arange(3), True), (lnp.zeros((0,)), True), ([1], True), (3, False)):
        assert lnp.iterable(v) is it
        assert np.iterable(np.asarray(v)) is it


def test_isfortran():
    m = np.arange(12.0).reshape(3, 4)
    a = lnp.array(m)
    for x, y in ((m, a), (m.T, a.T), (m[:, :1], a[:, :1]), (m[::2], a[::2]), (np.ones(3), lnp.ones(3))):
        assert lnp.isfortran(y) == np.isfortran(x)
    assert lnp.isfortran(m.T) == np.isfortran(m.T)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_dtype_helpers(dtype):
    a = lnp.ones((2, 3), dtype)
    x = np.ones((2, 3), dtype)
    for to in DTYPES:
        for casting in ("no", "equiv", "safe", "same_kind", "unsafe"):
            assert lnp.can_cast(a, to, casting) == np.can_cast(x, to, casting)
            assert np.can_cast(a, to, casting) == np.can_cast(x, to, casting)  # through __array_function__
        assert lnp.promote_types(dtype, to) == np.promote_types(dtype, to)
        assert lnp.result_type(a, lnp.ones(1, to)) == np.result_type(x, np.ones(1, to))
        assert lnp.result_type(a, to, 1.5, 7) == np.result_type(x, to, 1.5, 7)
        for kind in ("bool", "signed integer", "unsigned integer", "integral", "real floating", "complex floating", "numeric"):
            assert lnp.isdtype(np.dtype(to), kind) == np.isdtype(np.dtype(to), kind)
        for parent in (np.integer, np.floating, np.complexfloating, np.number, np.generic, to):
            assert lnp.issubdtype(to, parent) == np.issubdtype(to, parent)
    assert lnp.min_scalar_type(a) == np.min_scalar_type(x)
    expected, _ = check_same_error(lambda: np.common_type(x), lambda: lnp.common_type(a))
    if expected is not None:
        assert lnp.common_type(a) is expected
        assert lnp.common_type(a, lnp.ones(1, np.float32)) is np.common_type(x, np.ones(1, np.float32))


def test_min_scalar_type_values():
    for v in (0, 300, -3, 70000, 1.5, 1e300, 2j, True):
        assert lnp.min_scalar_type(v) == np.min_scalar_type(v)
        assert lnp.min_scalar_type(lnp.array(v)) == np.min_scalar_type(np.array(v))


def test_errors():
    check_same_error(lambda: np.can_cast(1, np.int8), lambda: lnp.can_cast(1, np.int8))
    check_same_error(lambda: np.isdtype(np.ones(2), "bool"), lambda: lnp.isdtype(lnp.ones(2), "bool"))
    check_same_error(lambda: np.isdtype(np.float64, "nonsense"), lambda: lnp.isdtype(np.float64, "nonsense"))
    check_same_error(lambda: np.promote_types(np.int8, "S3"), lambda: lnp.promote_types(np.int8, "S3"))
    check_same_error(lambda: np.isposinf(np.ones(2, complex)), lambda: lnp.isposinf(lnp.ones(2, complex)))
    check_same_error(lambda: np.common_type(np.ones(2, bool)), lambda: lnp.common_type(lnp.ones(2, bool)))


def test_shared_memory():
    a = lnp.arange(12.0)
    m = a.reshape(3, 4)
    pairs = [
        (a, a, True), (a[:6], a[6:], False), (a[:7], a[6:], True), (a, a.copy(), False),
        (m[:, :2], m[:, 2:], False), (m, m.T, True), (a[::2], a[1::2], False), (a[::2], a[2::4], True),
    ]
    for x, y, shares in pairs:
        assert lnp.shares_memory(x, y) is shares
        assert lnp.may_share_memory(x, y) is shares  # the exact answer: within "may"
    z = lnp.zeros(4, complex)
    assert lnp.shares_memory(z.real, z) and lnp.shares_memory(z, z.imag)
    n = np.arange(3.0)
    assert not lnp.shares_memory(a, n) and not lnp.may_share_memory(n, a)
    assert lnp.shares_memory(n, n[1:]) == np.shares_memory(n, n[1:])
    assert lnp.may_share_memory(n, n[1:]) == np.may_share_memory(n, n[1:])


def test_numpy_joining_functions_dispatch_with_their_keywords():
    """NumPy's joining functions called on legate arrays (``numpy.row_stack`` passes
    ``casting=``, which vstack/hstack/stack lacked) give NumPy's results."""
    import warnings

    m = np.arange(6.0).reshape(2, 3)
    a = lnp.array(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        got, want = np.row_stack((a, a)), np.row_stack((m, m))
    assert isinstance(got, lnp.ndarray)
    np.testing.assert_array_equal(np.asarray(got), want)
    for f in ("vstack", "hstack", "stack"):
        for kw in ({}, {"dtype": np.float32, "casting": "same_kind"}, {"dtype": np.int64, "casting": "unsafe"}):
            got, want = getattr(np, f)((a, a), **kw), getattr(np, f)((m, m), **kw)
            assert isinstance(got, lnp.ndarray) and got.dtype == want.dtype
            np.testing.assert_array_equal(np.asarray(got), want)
        with pytest.raises(TypeError):
            getattr(lnp, f)((a, a), dtype=np.int64)  # same_kind: float64 to int64 refused
