"""Elementwise functions composed natively, against NumPy with the fallback off: the
NumPy 2 aliases, ``fabs modf frexp ldexp nextafter spacing gcd lcm float_power
logaddexp2 bitwise_count i0 sinc real_if_close sort_complex`` (bit-exact where NumPy's
kernels are exact), ``vecdot matvec vecmat einsum_path array_equiv astype`` and the
printing helpers."""

import numpy as np
import pytest
from conftest import check, check_same_error, make, quiet

import legate_numeric as lnp

SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -2.2e-308, 1.7976931348623157e308, 0.5, 1.0, 2.0,
                    4.0, 0.9999999999999999, 2.0**-1022, -1.0, -3.0, 1e-310, 123.456])


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


def floats(dtype, salt=0):
    rng = np.random.default_rng(salt)
    spread = 300 if dtype == np.float64 else 35
    x = rng.standard_normal(40) * 10.0 ** rng.integers(-spread, spread, 40)
    with np.errstate(all="ignore"):
        return np.concatenate([x, SPECIAL]).astype(dtype)


def exact(got, expected):
    for g, e in zip(got if isinstance(got, tuple) else (got,), expected if isinstance(expected, tuple) else (expected,)):
        g = np.asarray(g)
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_array_equal(g, e)


def test_aliases_are_the_same_ufuncs():
    for short, long in (("acos", "arccos"), ("asin", "arcsin"), ("atan", "arctan"), ("atan2", "arctan2"),
                        ("acosh", "arccosh"), ("asinh", "arcsinh"), ("atanh", "arctanh"),
                        ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift")):
        assert getattr(lnp, short) is getattr(lnp, long)
        x = np.array([0.25, -0.5, 2.0]) if "shift" not in short else np.array([1, 2, 3])
        with quiet():
            args = (x,) if getattr(np, short).nin == 1 else (x, x[::-1])
            check(getattr(lnp, short)(*[lnp.array(v) for v in args]), getattr(np, short)(*args))


def test_float16_spacing_and_nextafter_every_half(no_fallback):
    # Every one of the 65536 halves, bit for bit: NumPy's float16 spacing is its own
    # (always positive; toward zero at negative powers of two), and its nextafter
    # returns x for equal arguments.
    def bits(got, expected):  # signed zeros too; NaNs in the same places
        got = np.asarray(got)
        exact(got, expected)
        keep = ~np.isnan(expected)
        np.testing.assert_array_equal(np.signbit(got[keep]), np.signbit(expected[keep]))

    halves = np.arange(65536, dtype=np.uint16).view(np.float16)
    a = lnp.array(halves)
    with quiet():
        bits(lnp.spacing(a), np.spacing(halves))
        for toward in (0.0, np.inf, -np.inf, 1.0, -65504.0, np.nan):
            bits(lnp.nextafter(a, np.float16(toward)), np.nextafter(halves, np.float16(toward)))
    tiny = np.array([0.0, -0.0, 1e-45, -1e-45], np.float32)  # onto zero with x's sign
    bits(lnp.nextafter(lnp.array(tiny), np.float32(0)), np.nextafter(tiny, np.float32(0)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=str)
def test_bit_level_functions(dtype):
    x = floats(dtype)
    y = floats(dtype, 1)[::-1].copy()
    a, b = lnp.array(x), lnp.array(y)
    with quiet():
        exact(lnp.frexp(a), np.frexp(x))
        exact(lnp.modf(a), np.modf(x))
        exact(lnp.spacing(a), np.spacing(x))
        exact(lnp.nextafter(a, b), np.nextafter(x, y))
        exact(lnp.nextafter(a, a), np.nextafter(x, x))
        exact(lnp.nextafter(a, -a), np.nextafter(x, -x))
        exact(lnp.nextafter(a[::-2], 0.0), np.nextafter(x[::-2], dtype(0)))
        for k in (np.arange(x.size) * 97 % 4400 - 2200, np.arange(x.size) % 7 - 3):
            exact(lnp.ldexp(a, lnp.array(k.astype(np.int32))), np.ldexp(x, k.astype(np.int32)))
            exact(lnp.ldexp(a, lnp.array(k)), np.ldexp(x, k))
        exact(lnp.ldexp(a.reshape(2, -1), 3), np.ldexp(x.reshape(2, -1), 3))
        m, e = np.frexp(x)
        exact(lnp.ldexp(lnp.array(m), lnp.array(e)), np.ldexp(m, e))
    out = (lnp.zeros(x.shape, dtype), lnp.zeros(x.shape, np.int32))
    with quiet():
        r = lnp.frexp(a, out=out)
    assert r[0] is out[0] and r[1] is out[1]


def test_bit_level_types_and_errors():
    i = np.array([3, -4, 0, 1024])
    for f in ("frexp", "modf", "spacing", "fabs"):
        with quiet():
            exact(getattr(lnp, f)(lnp.array(i)), getattr(np, f)(i))
            exact(getattr(lnp, f)(lnp.array(i)[:0]), getattr(np, f)(i[:0]))
            exact(getattr(lnp, f)(lnp.array(2.5)), getattr(np, f)(np.array(2.5)))
        check_same_error(lambda: getattr(np, f)(np.ones(2, complex)), lambda: getattr(lnp, f)(lnp.ones(2, complex)))
    check_same_error(lambda: np.ldexp(np.ones(2), np.ones(2)), lambda: lnp.ldexp(lnp.ones(2), lnp.ones(2)))
    check_same_error(lambda: np.nextafter(np.ones(2), np.ones(3)), lambda: lnp.nextafter(lnp.ones(2), lnp.ones(3)))
    check_same_error(lambda: np.nextafter(np.ones(2, complex), 1), lambda: lnp.nextafter(lnp.ones(2, complex), 1))
    x = np.ones((2, 1)) * 3
    with quiet():
        exact(lnp.nextafter(lnp.array(x), lnp.array([1.0, 5.0])), np.nextafter(x, [1.0, 5.0]))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint64, np.bool_], ids=str)
def test_integer_functions(dtype):
    x = make(dtype, (4, 5), high=60 if dtype != np.bool_ else None, low=-60 if np.dtype(dtype).kind == "i" else None)
    y = make(dtype, (5,), 1, high=40 if dtype != np.bool_ else None, low=-40 if np.dtype(dtype).kind == "i" else None)
    a, b = lnp.array(x), lnp.array(y)
    for f in ("gcd", "lcm"):
        expected, _ = check_same_error(lambda: getattr(np, f)(x, y), lambda: getattr(lnp, f)(a, b))
        if expected is not None:
            exact(getattr(lnp, f)(a, b), expected)
            exact(getattr(lnp, f)(a[::2, ::-1], 6), getattr(np, f)(x[::2, ::-1], 6))
    expected, _ = check_same_error(lambda: np.bitwise_count(x), lambda: lnp.bitwise_count(a))
    if expected is not None:
        exact(lnp.bitwise_count(a), expected)
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        big = np.array([info.min, info.max, 0, 1], dtype)
        exact(lnp.bitwise_count(lnp.array(big)), np.bitwise_count(big))
        # |MIN| does not fit the signed type: NumPy's gcd/lcm take the unsigned magnitude.
        other = np.array([42, 0, info.min, 6], dtype)
        for f in ("gcd", "lcm"):
            exact(getattr(lnp, f)(lnp.array(big), lnp.array(other)), getattr(np, f)(big, other))
            exact(getattr(lnp, f)(lnp.array(other), lnp.array(big)), getattr(np, f)(other, big))
    check_same_error(lambda: np.gcd(np.ones(2), 2), lambda: lnp.gcd(lnp.ones(2), 2))
    check_same_error(lambda: np.bitwise_count(np.ones(2)), lambda: lnp.bitwise_count(lnp.ones(2)))


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64, np.complex128], ids=str)
def test_float_functions(dtype):
    x = make(dtype, (3, 4))
    y = make(dtype, (4,), 1, nonzero=True)
    a, b = lnp.array(x), lnp.array(y)
    with quiet():
        check(lnp.float_power(a, b), np.float_power(x, y))
        check(lnp.float_power(a[::-1], 2), np.float_power(x[::-1], 2))
        for f, args in (("logaddexp2", (x, y)), ("fabs", (x,)), ("i0", (x,))):
            expected, _ = check_same_error(lambda: getattr(np, f)(*args), lambda: getattr(lnp, f)(*[lnp.array(v) for v in args]))
            if expected is not None:
                check(getattr(lnp, f)(*[lnp.array(v) for v in args]), expected)
        check(lnp.sinc(a), np.sinc(x))
        check(lnp.sort_complex(a.reshape(-1)), np.sort_complex(x.reshape(-1)))
        check(lnp.sort_complex(a), np.sort_complex(x))
    special = np.array([np.inf, -np.inf, np.nan, 1.0, 1e308])
    with quiet():
        for p in (special, special[::-1]):
            check(lnp.logaddexp2(lnp.array(special), lnp.array(p)), np.logaddexp2(special, p))
        check(lnp.i0(lnp.array([0.0, 1.0, 30.0, -700.0])), np.i0(np.array([0.0, 1.0, 30.0, -700.0])), rtol=1e-13)


def test_real_if_close_and_sort_complex_types():
    for z in (np.array([1 + 1e-16j, 2 - 0j]), np.array([1 + 1e-3j]), np.array([1.0, 2.0]), np.array([], complex)):
        for tol in (100, 1e-2, 1):
            check(lnp.real_if_close(lnp.array(z), tol), np.real_if_close(z, tol))
    for dt in (np.int8, np.uint16, np.int64, np.float32, np.bool_):
        v = np.array([3, 1, 2]).astype(dt)
        check(lnp.sort_complex(lnp.array(v)), np.sort_complex(v))


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex128], ids=str)
def test_vector_products(dtype):
    m = make(dtype, (2, 3, 4))
    v = make(dtype, (4,), 1)
    w = make(dtype, (3,), 2)
    a, b, c = lnp.array(m), lnp.array(v), lnp.array(w)
    for args in ((m, v), (m, m), (v, v), (m[:, :, :2], v)):
        same_call("vecdot", args)
    same_call("vecdot", (m, m), axis=1)
    same_call("matvec", (m, v))
    same_call("matvec", (m, m[0, 0]))
    same_call("matvec", (v, v))
    same_call("vecmat", (w, m))
    same_call("vecmat", (m[:, :, 0], m))
    same_call("vecmat", (v, v))
    assert lnp.einsum_path("ijk,k->ij", a, b)[0] == np.einsum_path("ijk,k->ij", m, v)[0]
    assert lnp.einsum_path("ij,jk,kl", a[0], lnp.ones((4, 5)), lnp.ones((5, 2)), optimize="optimal")[0] == \
        np.einsum_path("ij,jk,kl", m[0], np.ones((4, 5)), np.ones((5, 2)), optimize="optimal")[0]
    del c


def same_call(name, args, **kw):
    expected, _ = check_same_error(lambda: getattr(np, name)(*args, **kw), lambda: getattr(lnp, name)(*[lnp.array(x) for x in args], **kw))
    if expected is not None:
        check(getattr(lnp, name)(*[lnp.array(x) for x in args], **kw), expected)


def test_equiv_astype_printing():
    x = np.arange(6.0).reshape(2, 3)
    a = lnp.array(x)
    for other in (x, x[0], x[:, :1], np.ones(3), np.arange(4.0), x + 1):
        assert lnp.array_equiv(a, lnp.array(other)) == np.array_equiv(x, other)
    check(lnp.astype(a, np.int32), np.astype(x, np.int32))
    check_same_error(lambda: np.astype([1], np.int32), lambda: lnp.astype([1], np.int32))
    assert lnp.astype(a, a.dtype, copy=False) is a
    assert lnp.array_repr(a) == np.array_repr(x)
    assert lnp.array_str(a[::-1], precision=2) == np.array_str(x[::-1], precision=2)
    assert lnp.array2string(a, separator=";") == np.array2string(x, separator=";")
    with lnp.printoptions(precision=1):
        assert repr(lnp.array([1.2345])) == repr(np.array([1.2345]))
    assert lnp.binary_repr(5, 8) == np.binary_repr(5, 8) and lnp.base_repr(35, 36) == np.base_repr(35, 36)
    assert lnp.finfo(lnp.float32).eps == np.finfo(np.float32).eps and lnp.iinfo(lnp.int8).max == 127
    assert lnp.typename("d") == np.typename("d") and lnp.mintypecode("fd") == np.mintypecode("fd")


@pytest.mark.parametrize("decimals", [0, 1, -1, 2])
def test_around_bools(decimals, no_fallback):
    # rint's float16 loop at decimals=0; other decimals only into a float out, else
    # NumPy's UFuncTypeError (the scaling multiply/divide cannot cast back to bool).
    b = np.array([[True, False, True], [False, False, True]])
    for out_dtype in (None, np.float64, np.float32, np.int64, np.bool_):
        def call(mod, out_dtype=out_dtype):
            out = None if out_dtype is None else mod.zeros(b.shape, out_dtype)
            return mod.around(mod.asarray(b), decimals, out=out), out

        exp, err = check_same_error(lambda: call(np), lambda: call(lnp))
        if err is None:
            got = call(lnp)
            check(got[0], exp[0], exact=True)
    if decimals == 0:
        check(lnp.array(b).round(), b.round(), exact=True)
        check(lnp.round(lnp.array(True)), np.round(np.array(True)), exact=True)


@pytest.mark.parametrize("name", ["gcd", "lcm"])
def test_function_ufunc_methods(name, no_fallback):
    # The ufuncs defined as functions carry NumPy's methods: gcd/lcm reduce by halving
    # and accumulate by doubling (lcm is not reorderable in NumPy: one axis at most).
    x = np.random.default_rng(14).integers(1, 60, (4, 6)) * 6
    a = lnp.array(x)
    uf, lf = getattr(np, name), getattr(lnp, name)
    assert (lf.nin, lf.nout, lf.identity) == (uf.nin, uf.nout, uf.identity)
    for axis in (0, 1, -1, None, (0, 1)):
        for keepdims in (False, True):
            exp, err = check_same_error(lambda: uf.reduce(x, axis=axis, keepdims=keepdims), lambda: lf.reduce(a, axis=axis, keepdims=keepdims))
            if err is None:
                check(lf.reduce(a, axis=axis, keepdims=keepdims), exp)
    for axis in (0, 1, -1):
        check(lf.accumulate(a, axis=axis), uf.accumulate(x, axis=axis))
    check(lf.accumulate(a[0], axis=None), uf.accumulate(x[0], axis=None))
    check(lf.outer(a[0], a[1]), uf.outer(x[0], x[1]))
    got, exp = lnp.array(x), x.copy()
    lf.at(got, [0, 0, 2], 4)
    uf.at(exp, [0, 0, 2], 4)
    check(got, exp)


def test_function_ufunc_outer_and_order_dependent_reduce(monkeypatch):
    f = np.random.default_rng(15).normal(size=(3, 4))
    for name, y in (("heaviside", f[1]), ("ldexp", np.arange(4)), ("copysign", f[1]), ("logaddexp2", f[1])):
        check(getattr(lnp, name).outer(lnp.array(f[0]), lnp.array(y)), getattr(np, name).outer(f[0], y))
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "1")
    with quiet():  # order-dependent: NumPy's reduce
        check(lnp.float_power.reduce(lnp.array([2.0, 3, 2])), np.float_power.reduce([2.0, 3, 2]))


def test_bit_functions_warn_as_numpy():
    # Infinities, NaNs and zeros: NumPy's spacing/modf/nextafter/frexp warn of nothing;
    # ours silence their inner steps even when those run deferred (--cpus 2 and up).
    import warnings

    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 5e-324, 1e308] * 50)
    for call in (lambda m: m.spacing(m.asarray(special)), lambda m: m.modf(m.asarray(special))[0],
                 lambda m: m.nextafter(m.asarray(special), m.asarray(special[::-1])), lambda m: m.frexp(m.asarray(special))[0],
                 lambda m: m.interp(m.asarray(special), m.asarray([0.0, 1, 2]), m.asarray([1.0, np.inf, 2]))):
        caught = []
        for mod in (np, lnp):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                np.asarray(call(mod))
            caught.append(sorted({str(x.message) for x in w if x.category is RuntimeWarning}))
        assert caught[1] == caught[0]
