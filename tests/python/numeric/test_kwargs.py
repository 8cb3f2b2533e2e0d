"""NumPy's keyword arguments and argument types: NumPy arrays as ``out=``, every ufunc
keyword (``casting order subok signature``), the ufunc methods' keywords, the methods'
forms, and NumPy's errors; each compared with NumPy in the same test."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import check, check_same_error, make

import legate_numeric as lnp


def same_error(np_call, lnp_call):
    """Both raise: the same exception type and message."""
    with pytest.raises(Exception) as expected:
        np_call()
    with pytest.raises(type(expected.value)) as got:
        r = lnp_call()
        np.asarray(r)
    assert str(got.value) == str(expected.value)


# ---- out= as a NumPy array ----


@pytest.mark.parametrize("shape", [(), (0,), (3, 4)])
def test_ufunc_numpy_out(shape):
    a = make(np.float64, shape)
    exp_out, got_out = np.zeros(shape), np.zeros(shape)
    r = lnp.add(lnp.array(a), 1.5, out=got_out)
    np.add(a, 1.5, out=exp_out)
    assert r is got_out
    np.testing.assert_array_equal(got_out, exp_out)


def test_ufunc_numpy_out_tuple_where_and_cast():
    a = make(np.int64, (3, 4))
    mask = make(np.bool_, (4,), salt=3)
    exp_out, got_out = np.full((3, 4), 7.0), np.full((3, 4), 7.0)
    np.multiply(a, 2, out=(exp_out,), where=mask)
    r = lnp.multiply(lnp.array(a), 2, out=(got_out,), where=lnp.array(mask))
    assert r is got_out
    np.testing.assert_array_equal(got_out, exp_out)
    # A view of a NumPy array is written through.
    base_e, base_g = np.zeros((4, 6)), np.zeros((4, 6))
    np.sqrt(np.abs(a).astype(float).T, out=base_e[:, ::2][:, :3])
    lnp.sqrt(lnp.array(np.abs(a).astype(float)).T, out=base_g[:, ::2][:, :3])
    np.testing.assert_allclose(base_g, base_e)


def test_numpy_out_errors():
    a = make(np.float64, (3,))
    same_error(lambda: np.add(a, 1.5, out=np.empty(3, int)), lambda: lnp.add(lnp.array(a), 1.5, out=np.empty(3, int)))
    with pytest.raises(ValueError):
        lnp.add(lnp.array(a), 1, out=np.empty(4))
    ro = np.empty(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        lnp.add(lnp.array(a), 1, out=ro)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "std", "nanmax", "nansum"])
def test_reduction_numpy_out(name):
    a = make(np.float64, (3, 4))
    exp_out, got_out = np.empty(4), np.empty(4)
    getattr(np, name)(a, axis=0, out=exp_out)
    r = getattr(lnp, name)(lnp.array(a), axis=0, out=got_out)
    assert r is got_out
    np.testing.assert_allclose(got_out, exp_out)


def test_scan_method_and_linalg_numpy_out():
    a = make(np.int32, (3, 4))
    exp, got = np.empty(12, np.float64), np.empty(12, np.float64)
    np.cumsum(a, out=exp)
    lnp.cumsum(lnp.array(a), out=got)
    np.testing.assert_array_equal(got, exp)
    exp, got = np.empty(4, np.int64), np.empty(4, np.int64)
    a.sum(axis=0, out=exp)
    lnp.array(a).sum(axis=0, out=got)
    np.testing.assert_array_equal(got, exp)
    m = make(np.float64, (3, 3))
    exp, got = np.empty((3, 3)), np.empty((3, 3))
    np.matmul(m, m, out=exp)
    lnp.matmul(lnp.array(m), lnp.array(m), out=got)
    np.testing.assert_allclose(got, exp)
    exp, got = np.empty((3, 3)), np.empty((3, 3))
    np.dot(m, m, out=exp)
    lnp.dot(lnp.array(m), lnp.array(m), out=got)
    np.testing.assert_allclose(got, exp)
    exp, got = np.empty(4, np.intp), np.empty(4, np.intp)
    np.argmax(a, axis=0, out=exp)
    lnp.argmax(lnp.array(a), axis=0, out=got)
    np.testing.assert_array_equal(got, exp)


def test_ufunc_methods_numpy_out():
    a = make(np.float64, (3, 4))
    exp, got = np.empty(4), np.empty(4)
    np.add.reduce(a, out=exp)
    lnp.add.reduce(lnp.array(a), out=got)
    np.testing.assert_allclose(got, exp)
    exp, got = np.empty((3, 4)), np.empty((3, 4))
    np.multiply.accumulate(a, axis=1, out=exp)
    lnp.multiply.accumulate(lnp.array(a), axis=1, out=got)
    np.testing.assert_allclose(got, exp)


# ---- ufunc keywords ----


CASTING_CASES = [
    (np.int64, 1, None, "no", None),
    (np.float64, 1.0, None, "no", None),
    (np.int32, 2, None, "safe", np.float32),
    (np.float64, 2, None, "safe", np.float32),
    (np.float64, 2, None, "same_kind", np.float32),
    (np.float64, 2, np.int64, "unsafe", None),
    (np.float64, 2, np.int64, "same_kind", None),
    (np.int64, 2, np.float32, "safe", None),
    (np.uint8, 300, None, "unsafe", None),
    (np.float32, 2.5, np.float64, "equiv", None),
]


@pytest.mark.parametrize("dtype,scalar,out_dtype,casting,loop_dtype", CASTING_CASES)
def test_ufunc_casting(dtype, scalar, out_dtype, casting, loop_dtype):
    a = make(dtype, (2, 3), positive=True)
    kw = {"casting": casting}
    if loop_dtype is not None:
        kw["dtype"] = loop_dtype
    try:
        exp_out = None if out_dtype is None else np.zeros((2, 3), out_dtype)
        exp = np.add(a, scalar, out=exp_out, **kw)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)) as got:
            lnp.add(lnp.array(a), scalar, out=None if out_dtype is None else lnp.zeros((2, 3), out_dtype), **kw)
        assert str(got.value) == str(e)
        return
    got = lnp.add(lnp.array(a), scalar, out=None if out_dtype is None else lnp.zeros((2, 3), out_dtype), **kw)
    check(got, exp)


def test_ufunc_order_subok_signature():
    a = make(np.int64, (3, 2))
    la = lnp.array(a)
    for order in ("K", "A", "C", "F"):
        check(lnp.negative(la, order=order), np.negative(a, order=order))
    check(lnp.add(la, 1, subok=False), np.add(a, 1, subok=False))
    check(lnp.add(la, 1, signature=(None, None, "f8")), np.add(a, 1, signature=(None, None, "f8")))
    check(lnp.add(la, 1, signature="dd->d"), np.add(a, 1, signature="dd->d"))
    check(lnp.less(la, 1.5, signature=("f4", "f4", None)), np.less(a, 1.5, signature=("f4", "f4", None)))
    check(lnp.sqrt(abs(la), signature="f->f"), np.sqrt(abs(a), signature="f->f"))
    same_error(lambda: np.add(a, 1, order="X"), lambda: lnp.add(la, 1, order="X"))
    same_error(lambda: np.add(a, 1, casting="foo"), lambda: lnp.add(la, 1, casting="foo"))
    same_error(lambda: np.add(a, 1, signature="dd->d", dtype=float), lambda: lnp.add(la, 1, signature="dd->d", dtype=float))
    same_error(lambda: np.add(a, 1, bogus=1), lambda: lnp.add(la, 1, bogus=1))
    same_error(lambda: np.sqrt(a, casting="no"), lambda: lnp.sqrt(la, casting="no"))


def test_ufunc_casting_with_where_and_out():
    a = make(np.float64, (3, 4))
    mask = make(np.bool_, (3, 4), salt=2)
    exp_out = np.full((3, 4), 9, np.int32)
    np.multiply(a, 3, out=exp_out, where=mask, casting="unsafe")
    got_out = lnp.full((3, 4), 9, np.int32)
    lnp.multiply(lnp.array(a), 3, out=got_out, where=lnp.array(mask), casting="unsafe")
    check(got_out, exp_out)


def test_ufunc_outer_reduceat():
    a, b = make(np.int32, (3,)), make(np.float64, (2, 2), salt=1)
    check(lnp.multiply.outer(lnp.array(a), lnp.array(b)), np.multiply.outer(a, b))
    check(lnp.add.outer(a, b, dtype=np.float32), np.add.outer(a, b, dtype=np.float32))
    check(lnp.less.outer(lnp.array(a), 0), np.less.outer(a, 0))
    x = make(np.float64, (8, 3))
    for idx in ([0, 4, 1, 5], [0, 3, 3, 7], [2], [7, 0]):
        check(lnp.add.reduceat(lnp.array(x), idx), np.add.reduceat(x, idx))
        check(lnp.maximum.reduceat(lnp.array(x.T), idx, axis=1), np.maximum.reduceat(x.T, idx, axis=1))
    check(lnp.multiply.reduceat(lnp.arange(8), [0, 4], dtype=np.float64), np.multiply.reduceat(np.arange(8), [0, 4], dtype=np.float64))
    same_error(lambda: np.add.reduceat(x, [0, 9]), lambda: lnp.add.reduceat(lnp.array(x), [0, 9]))
    with pytest.raises(ValueError):
        lnp.sqrt.outer(lnp.array(a), lnp.array(a))


# ---- methods' forms ----


def test_transpose_reshape_forms():
    a = make(np.float64, (2, 3, 4))
    la = lnp.array(a)
    check(la.transpose(axes=(1, 0, 2)), np.transpose(a, axes=(1, 0, 2)))
    check(la.transpose(2, 0, 1), a.transpose(2, 0, 1))
    check(la.transpose((2, 0, 1)), a.transpose((2, 0, 1)))
    check(la.transpose(), a.transpose())
    same_error(lambda: a.transpose(0, 0, 1), lambda: la.transpose(0, 0, 1))
    same_error(lambda: a.transpose(0, 1), lambda: la.transpose(0, 1))
    check(la.reshape((4, 6), order=None), a.reshape((4, 6), order=None))
    check(la.reshape((4, 6), order="F"), a.reshape((4, 6), order="F"))
    check(la.T.reshape(-1, order="F"), a.T.reshape(-1, order="F"))
    check(la.reshape(4, 6, copy=True), a.reshape(4, 6, copy=True))
    check(lnp.reshape(la, (6, 4), order="A"), np.reshape(a, (6, 4), order="A"))
    same_error(lambda: a.reshape(4, 6, order="K"), lambda: la.reshape(4, 6, order="K"))


def test_matmul_keywords():
    a, b = make(np.float64, (3, 2)), make(np.float64, (2, 4), salt=1)
    la, lb = lnp.array(a), lnp.array(b)
    check(lnp.matmul(la, lb, dtype=np.float32), np.matmul(a, b, dtype=np.float32))
    check(lnp.matmul(la, lb, casting="no"), np.matmul(a, b, casting="no"))
    check(lnp.matmul(la, lb, order="F"), np.matmul(a, b, order="F"))
    same_error(lambda: np.matmul(a, b, casting="no", dtype=np.float32), lambda: lnp.matmul(la, lb, casting="no", dtype=np.float32))
    same_error(lambda: np.matmul(a, b, out=np.empty((3, 4), int)), lambda: lnp.matmul(la, lb, out=lnp.empty((3, 4), int)))
    exp = np.empty((3, 4), np.float32)
    got = lnp.empty((3, 4), np.float32)
    np.matmul(a, b, out=exp)
    lnp.matmul(la, lb, out=got)
    check(got, exp)
    same_error(lambda: np.dot(a, b, out=np.empty((3, 4), np.float32)), lambda: lnp.dot(la, lb, out=lnp.empty((3, 4), np.float32)))


# ---- NumPy's errors ----


def test_axis_errors():
    a = make(np.float64, (2, 3))
    la = lnp.array(a)
    same_error(lambda: np.swapaxes(a, 0, 5), lambda: lnp.swapaxes(la, 0, 5))
    same_error(lambda: np.swapaxes(a, -3, 0), lambda: lnp.swapaxes(la, -3, 0))
    same_error(lambda: np.swapaxes(np.float64(1.0).reshape(()), 0, 0), lambda: lnp.swapaxes(lnp.array(1.0), 0, 0))
    same_error(lambda: np.moveaxis(a, 0, 5), lambda: lnp.moveaxis(la, 0, 5))
    same_error(lambda: np.moveaxis(a, 5, 0), lambda: lnp.moveaxis(la, 5, 0))
    same_error(lambda: np.moveaxis(a, [0, 0], [1, 0]), lambda: lnp.moveaxis(la, [0, 0], [1, 0]))
    same_error(lambda: np.moveaxis(a, [0, 1], [1, 1]), lambda: lnp.moveaxis(la, [0, 1], [1, 1]))
    same_error(lambda: np.moveaxis(a, [0, 1], [1]), lambda: lnp.moveaxis(la, [0, 1], [1]))


def test_tri_and_repeat_arguments():
    for args in [(-1,), (0,), (3, 2), (2, 3, -1), (3, None, 5), (2.5,)]:
        check(lnp.tri(*args), np.tri(*args))
    check(lnp.tril(lnp.arange(1, 4)), np.tril(np.arange(1, 4)))
    check(lnp.triu(lnp.arange(1, 4), -1), np.triu(np.arange(1, 4), -1))
    same_error(lambda: np.tril(np.float64(1.0)), lambda: lnp.tril(lnp.array(1.0)))
    a = make(np.int64, (2, 3))
    la = lnp.array(a)
    check(lnp.repeat(la, 2.0), np.repeat(a, 2.0))
    check(lnp.repeat(la, 2.7, axis=1), np.repeat(a, 2.7, axis=1))
    check(lnp.repeat(la, [1.0, 2.5], axis=0), np.repeat(a, [1.0, 2.5], axis=0))
    check(lnp.repeat(la, 0), np.repeat(a, 0))
    same_error(lambda: np.repeat(a, -1), lambda: lnp.repeat(la, -1))
    same_error(lambda: np.repeat(a, [1, -2], axis=0), lambda: lnp.repeat(la, [1, -2], axis=0))
    same_error(lambda: np.repeat(a, [1, 2, 3], axis=0), lambda: lnp.repeat(la, [1, 2, 3], axis=0))


def test_all_nan_slices():
    a = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, -2.0]])
    la = lnp.array(a)
    for name in ("nanargmin", "nanargmax"):
        same_error(lambda: getattr(np, name)(a, axis=1), lambda: getattr(lnp, name)(la, axis=1))
        same_error(lambda: getattr(np, name)(a[0]), lambda: getattr(lnp, name)(la[0]))
        check(getattr(lnp, name)(la[:, ::2], axis=0), getattr(np, name)(a[:, ::2], axis=0))
    for name in ("nanmax", "nanmin"):
        with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
            exp = getattr(np, name)(a, axis=1)
        with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
            got = getattr(lnp, name)(la, axis=1)
        check(got, exp)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check(getattr(lnp, name)(la[1]), getattr(np, name)(a[1]))


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "logical_xor", "fmax", "fmin"])
def test_tree_reduce(name, monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    floats = name.startswith("fm")
    r = np.random.default_rng(0)
    for dt in ([np.float64, np.float32] if floats else [np.int32, np.uint8, np.bool_]):
        cases = [((7,), 0, {}), ((3, 5), 1, {}), ((3, 5), None, {}), ((2, 3, 4), (0, 2), {}), ((4, 5), 0, dict(keepdims=True)),
                 ((3, 4), (), {})] + ([] if floats else [((3, 0), 1, {})])
        if dt is not np.bool_:
            cases.append(((5,), 0, dict(initial=1)))
        for shape, axis, kw in cases:
            x = r.integers(0, 100, shape).astype(dt)
            if floats and x.size:
                x.flat[0] = np.nan
            uf_np, uf = getattr(np, name), getattr(lnp, name)
            check(uf.reduce(lnp.array(x), axis=axis, **kw), uf_np.reduce(x, axis=axis, **kw))
    if not floats:
        same_error(lambda: np.bitwise_and.reduce(np.zeros((0,), np.float64)), lambda: lnp.bitwise_and.reduce(lnp.zeros((0,))))


def test_numpy_out_through_numpy_calls_and_tuples():
    a, b = make(np.float64, (3, 3)), make(np.float64, (3, 3), salt=1)
    la, lb = lnp.array(a), lnp.array(b)
    exp, got = np.empty((3, 3)), np.empty((3, 3))
    np.matmul(a, b, out=exp)
    assert np.matmul(la, lb, out=got) is got  # NumPy's ufunc, dispatched to legate
    np.testing.assert_allclose(got, exp)
    e1, e2, g1, g2 = np.empty(9), np.empty(9), np.empty(9), np.empty(9)
    np.divmod(a.ravel(), 0.7, out=(e1, e2))
    q, r = lnp.divmod(la.ravel(), 0.7, out=(g1, g2))
    assert q is g1 and r is g2
    np.testing.assert_allclose(g1, e1)
    np.testing.assert_allclose(g2, e2)
    exp, got = np.empty(()), np.empty(())
    np.sum(a, out=exp)
    assert lnp.sum(la, out=got) is got
    np.testing.assert_allclose(got, exp)
    exp, got = np.empty(9), np.empty(9)
    np.cumsum(a, None, None, exp)
    lnp.cumsum(la, None, None, got)  # out given by position
    np.testing.assert_allclose(got, exp)


def test_reduction_out_of_another_kind():
    a = make(np.float64, (3, 4)) + 0.5
    for name in ("sum", "prod", "max", "min"):
        exp, got = np.empty(3, np.int64), lnp.empty(3, np.int64)
        getattr(np, name)(a, axis=1, out=exp)
        getattr(lnp, name)(lnp.array(a), axis=1, out=got)
        check(got, exp)
    exp, got = np.empty(4, np.int64), np.empty(4, np.int64)
    np.add.reduce(a, out=exp)
    lnp.add.reduce(lnp.array(a), out=got)
    np.testing.assert_array_equal(got, exp)
    x = np.arange(200, dtype=np.int8)
    check(lnp.sum(lnp.array(x), out=lnp.empty((), np.int64)), np.sum(x, out=np.empty((), np.int64)))


def test_tri_family_as_numpy_computes_it():
    for args in [(-1,), (3, 2.5), (3, 3, 1.5), (2, 2, 0, int), (3, -2)]:
        check(lnp.tri(*args), np.tri(*args))
    same_error(lambda: np.tri("3"), lambda: lnp.tri("3"))
    same_error(lambda: np.tri(None), lambda: lnp.tri(None))
    m = np.arange(12.0).reshape(3, 4)
    for k in (1.5, -1, 10, -10):
        check(lnp.triu(lnp.array(m), k), np.triu(m, k))
        check(lnp.tril(lnp.array(m), k), np.tril(m, k))
    for args in [(3, 0.5), (3.0,), (3, -1, 4), (0,)]:
        for name in ("tril_indices", "triu_indices"):
            for g, e in zip(getattr(lnp, name)(*args), getattr(np, name)(*args)):
                check(g, e)


def test_ndarray_resize_in_place():
    for args, kw in [((2, 4), {}), (((2, 2),), {}), (((),), {}), ((7,), {"refcheck": False}), ((0,), {})]:
        e, g = np.arange(6.0), lnp.arange(6.0)
        e.resize(*args, **kw)
        g.resize(*args, **kw)
        check(g, e)
    g = lnp.arange(6.0)
    assert g.resize(None) is None and g.shape == (6,)
    assert g.resize() is None and g.shape == (6,)  # no shape: unchanged (it became 0-d)
    same_error(lambda: np.arange(6.0).resize(-1), lambda: lnp.arange(6.0).resize(-1))
    same_error(lambda: np.arange(6.0)[1:].resize(2), lambda: lnp.arange(6.0)[1:].resize(2))  # a view does not own its data


FUNCTION_UFUNCS = [("fabs", ("x",)), ("spacing", ("x",)), ("modf", ("x",)), ("frexp", ("x",)), ("gcd", ("i", 6)), ("lcm", ("i", 4)),
                   ("ldexp", ("x", 2)), ("nextafter", ("x", 0.0)), ("float_power", ("x", 2)), ("logaddexp2", ("x", "x")),
                   ("heaviside", ("x", 0.5)), ("divmod", ("x", 0.7)), ("bitwise_count", ("i",))]


@pytest.mark.parametrize("name,spec", FUNCTION_UFUNCS, ids=[n for n, _ in FUNCTION_UFUNCS])
def test_function_ufuncs_take_ufunc_keywords(name, spec):
    data = {"x": np.array([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]]), "i": np.array([[4, 6, 9], [12, 15, 7]])}
    mask = np.array([True, False, True])
    args_np = [data.get(a, a) if isinstance(a, str) else a for a in spec]
    args_l = [lnp.array(a) if isinstance(a, np.ndarray) else a for a in args_np]
    f_np, f_l = getattr(np, name), getattr(lnp, name)

    def compare(e, g):
        for x, y in zip(e if isinstance(e, tuple) else (e,), g if isinstance(g, tuple) else (g,)):
            check(y, x)

    kws = [dict(casting="unsafe"), dict(order="F"), dict(subok=False), dict(casting="no"), dict(dtype=np.float32), dict(bogus=1)]
    if name not in ("modf", "frexp", "divmod", "gcd", "lcm", "bitwise_count", "ldexp"):
        kws.append(dict(signature="dd->d"))
    for kw in kws:
        try:
            exp = f_np(*args_np, **kw)
        except Exception:  # noqa: BLE001
            same_error(lambda: f_np(*args_np, **kw), lambda: f_l(*args_l, **kw))
            continue
        compare(exp, f_l(*args_l, **kw))
    # Outputs (by keyword and by position) with where=: unselected entries keep their values.
    first = f_np(*args_np)
    firsts = first if isinstance(first, tuple) else (first,)
    outs_np = tuple(np.full(r.shape, 7, r.dtype) for r in firsts)
    outs_l = tuple(lnp.full(r.shape, 7, r.dtype) for r in firsts)
    f_np(*args_np, out=outs_np if len(outs_np) > 1 else outs_np[0], where=mask)
    f_l(*args_l, out=outs_l if len(outs_l) > 1 else outs_l[0], where=lnp.array(mask))
    compare(outs_np, outs_l)
    outs_np = tuple(np.zeros(r.shape, r.dtype) for r in firsts)
    outs_l = tuple(lnp.zeros(r.shape, r.dtype) for r in firsts)
    f_np(*args_np, *outs_np)
    f_l(*args_l, *outs_l)
    compare(outs_np, outs_l)


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd", "nanmean"])
def test_statistics_where_mean_correction(name, monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    r = np.random.default_rng(2)
    a = r.normal(size=(4, 5))
    a[1, 2] = np.nan
    mask = r.integers(0, 2, (4, 5)).astype(bool)
    mask[0] = False
    for x in (a, r.integers(0, 9, (4, 5)), a + 1j * r.normal(size=(4, 5)), np.nan_to_num(a)):
        cases = [dict(where=mask), dict(where=mask, axis=1), dict(where=mask[0], axis=0), dict(where=mask, keepdims=True, axis=0),
                 dict(axis=1, dtype=np.float32, where=mask)]
        if name != "nanmean":
            cases += [dict(where=mask[0], axis=0, ddof=1), dict(correction=1, axis=0), dict(correction=2),
                      dict(mean=np.mean(x, axis=1, keepdims=True), axis=1)]
        for kw in cases:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exp = getattr(np, name)(x, **kw)
                got = getattr(lnp, name)(lnp.array(x), **{k: lnp.array(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()})
                check(got, exp, rtol=1e-5, atol=1e-6)
    if name != "nanmean":
        same_error(lambda: getattr(np, name)(a, ddof=1, correction=1), lambda: getattr(lnp, name)(lnp.array(a), ddof=1, correction=1))
    check(lnp.array(a[1]).var(ddof=1, mean=lnp.array(a[1]).mean(keepdims=True)), a[1].var(ddof=1, mean=a[1].mean(keepdims=True)))


@pytest.mark.parametrize("name", ["nanmax", "nanmin", "nansum", "nanprod"])
def test_nan_reductions_initial_where(name, monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    a = np.array([[np.nan, 1.0, 2.0], [np.nan, np.nan, 3.0]])
    mask = np.array([True, False, False])
    for x in (a, np.array([[4, 1, 2], [0, 7, 3]])):
        for kw in [dict(axis=1, where=mask, initial=-5), dict(axis=1, initial=10), dict(initial=3), dict(axis=0, where=mask, initial=1),
                   dict(axis=0, initial=np.nan), dict(where=mask, initial=2, keepdims=True), dict(axis=1, where=mask)]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    exp = getattr(np, name)(x, **kw)
                except ValueError:
                    same_error(lambda: getattr(np, name)(x, **kw), lambda: getattr(lnp, name)(lnp.array(x), **kw))
                    continue
                got = getattr(lnp, name)(lnp.array(x), **{k: lnp.array(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()})
            check(got, exp)
    if name in ("nanmax", "nanmin"):
        with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
            getattr(lnp, name)(lnp.array(a), axis=0, initial=np.nan)


def test_cov_weights(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    r = np.random.default_rng(3)
    X, Y = r.normal(size=(3, 6)), r.normal(size=(2, 6))
    fw, aw = np.array([1, 2, 0, 3, 1, 1]), r.uniform(size=6)
    for x, y in [(X, None), (X, Y), (X + 1j * r.normal(size=(3, 6)), None), (X[0], None)]:
        for kw in [dict(fweights=fw), dict(aweights=aw), dict(fweights=fw, aweights=aw), dict(fweights=fw, aweights=aw, ddof=0),
                   dict(aweights=aw, bias=True), dict(aweights=aw, dtype=np.float32)]:
            exp = np.cov(x, y, **kw)
            got = lnp.cov(lnp.array(x), None if y is None else lnp.array(y), **{k: lnp.array(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()})
            check(got, exp, rtol=1e-5)
    check(lnp.cov(lnp.array(X.T), rowvar=False, fweights=fw), np.cov(X.T, rowvar=False, fweights=fw))
    for bad in [dict(fweights=[1.5] * 6), dict(fweights=[[1] * 6]), dict(aweights=[1] * 5), dict(aweights=[-1] + [1] * 5)]:
        same_error(lambda: np.cov(X, **bad), lambda: lnp.cov(lnp.array(X), **bad))


def test_average_weights_any_axis(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    r = np.random.default_rng(4)
    a = r.normal(size=(2, 3, 4))
    for axis, w in [(1, r.uniform(size=3)), ((0, 2), r.uniform(size=(2, 4))), ((2, 0), r.uniform(size=(4, 2))), (-1, r.uniform(size=4))]:
        for kw in (dict(), dict(keepdims=True)):
            check(lnp.average(lnp.array(a), axis=axis, weights=lnp.array(w), **kw), np.average(a, axis=axis, weights=w, **kw))
        avg, scl = lnp.average(lnp.array(a), axis=axis, weights=lnp.array(w), returned=True)
        exp_avg, exp_scl = np.average(a, axis=axis, weights=w, returned=True)
        check(avg, exp_avg)
        check(scl, exp_scl)
    for axis, w in [(1, r.uniform(size=4)), (None, r.uniform(size=4)), ((1, 2), np.zeros((3, 4)))]:
        same_error(lambda: np.average(a, axis=axis, weights=w), lambda: lnp.average(lnp.array(a), axis=axis, weights=lnp.array(w)))


QUANTILE_METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull",
                    "linear", "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("method", QUANTILE_METHODS)
def test_quantile_methods(method, monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    r = np.random.default_rng(6)
    a = r.normal(size=(4, 7))
    nan = a.copy()
    nan[1, 3] = np.nan
    nan[2, :5] = np.nan
    nan[3, :] = np.nan
    for x in (a, r.integers(-5, 5, (3, 6)), a.astype(np.float32), a[0]):
        for q in (0.3, [0.0, 0.25, 0.5, 1.0], np.float32(0.4)):
            for axis in (None, -1):
                check(lnp.quantile(lnp.array(x), q, axis=axis, method=method), np.quantile(x, q, axis=axis, method=method))
    check(lnp.percentile(lnp.array(a), [10, 90], axis=1, method=method), np.percentile(a, [10, 90], axis=1, method=method))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # All-NaN slices
        for x in (nan, nan.astype(np.float32), nan[1]):
            for q in (0.3, [0.0, 0.5, 1.0], 0.999):
                check(lnp.nanquantile(lnp.array(x), q, axis=-1, method=method), np.nanquantile(x, q, axis=-1, method=method))
        check(lnp.nanpercentile(lnp.array(nan), 30, axis=0, method=method), np.nanpercentile(nan, 30, axis=0, method=method))
    same_error(lambda: np.quantile(a, 0.5, method="nope"), lambda: lnp.quantile(lnp.array(a), 0.5, method="nope"))


@pytest.mark.parametrize("name", ["nanmedian", "nanquantile", "nanquantile-lower", "whole"])
def test_nan_order_statistics_warn_of_all_nan_slices_as_numpy(name):
    x = np.array([[1.0, 2.0, np.nan], [np.nan] * 3, [3.0, np.nan, 1.0]])
    f = {"nanmedian": lambda m, a: m.nanmedian(a, axis=1), "nanquantile": lambda m, a: m.nanquantile(a, 0.3, axis=1),
         "nanquantile-lower": lambda m, a: m.nanquantile(a, 0.3, axis=1, method="lower"),
         "whole": lambda m, a: m.nanmedian(a[1])}[name]
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        exp = f(np, x)
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        got = f(lnp, lnp.array(x))
    check(got, exp)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no line of NaNs alone: no warning
        check(lnp.nanmedian(lnp.array(x), axis=0), np.nanmedian(x, axis=0))


def test_weighted_quantile(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    r = np.random.default_rng(8)
    a = r.normal(size=(3, 5))
    nan = a.copy()
    nan[1, 2] = np.nan
    for x in (a, nan, r.integers(0, 9, (3, 5)), a.astype(np.float32)):
        for axis, w in [(None, r.uniform(size=(3, 5))), (1, r.uniform(size=5)), (0, r.uniform(size=3)), (1, np.array([0, 0, 1.0, 2, 0])),
                        ((0, 1), r.integers(0, 3, (3, 5)) + 0.5)]:
            for q in (0.0, [0.1, 0.5, 1.0], np.float32(0.4)):
                exp = np.quantile(x, q, axis=axis, weights=w, method="inverted_cdf")
                check(lnp.quantile(lnp.array(x), q, axis=axis, weights=lnp.array(w), method="inverted_cdf"), exp)
    check(lnp.percentile(lnp.array(a), [20, 80], axis=1, weights=lnp.arange(1, 6.0), method="inverted_cdf"),
          np.percentile(a, [20, 80], axis=1, weights=np.arange(1, 6.0), method="inverted_cdf"))
    for kw in [dict(weights=np.ones(5), axis=1, method="linear"), dict(weights=-np.ones(5), axis=1, method="inverted_cdf"),
               dict(weights=np.zeros(5), axis=1, method="inverted_cdf"), dict(weights=np.ones(4), axis=1, method="inverted_cdf")]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            same_error(lambda: np.quantile(a, 0.5, **kw), lambda: lnp.quantile(lnp.array(a), 0.5, **kw))


def _nanquantile_per_line(x, q, w, axis):
    """NumPy's weighted nanquantile one line at a time (NumPy 2.4's own loop over lines
    indexes 1-d weights as if they had the array's shape and raises IndexError)."""
    xs, ws = np.moveaxis(x, axis, -1), np.broadcast_to(w, x.shape[axis:axis + 1])
    lines = [np.nanquantile(line, q, weights=ws, method="inverted_cdf") for line in xs.reshape(-1, xs.shape[-1])]
    out = np.stack(lines, axis=-1) if lines else np.empty(np.shape(q) + (0,))
    return out.reshape(np.shape(q) + xs.shape[:-1])


def test_weighted_nanquantile(monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    r = np.random.default_rng(9)
    x = r.normal(size=(4, 6))
    x[0, 2] = x[3, :5] = np.nan
    w = r.uniform(size=(4, 6))
    w[1, 1] = 0
    w[0, 2] = np.nan  # the weight of a NaN leaves with it
    for axis in (None, 1, 0, (0, 1), -1):
        for q in (0.5, [0.0, 0.3, 1.0], np.float32(0.7)):
            for keepdims in (False, True):
                kw = dict(axis=axis, method="inverted_cdf", keepdims=keepdims)
                check(lnp.nanquantile(lnp.array(x), q, weights=lnp.array(w), **kw), np.nanquantile(x, q, weights=w, **kw))
    check(lnp.nanpercentile(lnp.array(x), [10, 90], axis=1, weights=lnp.array(np.nan_to_num(w)), method="inverted_cdf"),
          np.nanpercentile(x, [10, 90], axis=1, weights=np.nan_to_num(w), method="inverted_cdf"))
    # Integers have no NaN: quantile's answer.
    i = r.integers(0, 9, (3, 5))
    check(lnp.nanquantile(lnp.array(i), 0.4, axis=None, weights=lnp.ones((3, 5)), method="inverted_cdf"),
          np.nanquantile(i, 0.4, axis=None, weights=np.ones((3, 5)), method="inverted_cdf"))
    # 1-d weights along one axis of a 2-d array, against NumPy line by line.
    w1 = r.uniform(size=6)
    for q in (0.25, [0.5, 0.9]):
        check(lnp.nanquantile(lnp.array(x), q, axis=1, weights=lnp.array(w1), method="inverted_cdf"), _nanquantile_per_line(x, q, w1, 1))
        check(lnp.nanquantile(lnp.array(x.T), q, axis=0, weights=lnp.array(w1), method="inverted_cdf"), _nanquantile_per_line(x.T, q, w1, 0))
    # A line of NaNs: NaN and NumPy's warning.
    allnan = np.full((2, 3), np.nan)
    allnan[0] = [1.0, 2.0, 3.0]
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        got = lnp.nanquantile(lnp.array(allnan), 0.5, axis=1, weights=lnp.ones((2, 3)), method="inverted_cdf")
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        exp = np.nanquantile(allnan, 0.5, axis=1, weights=np.ones((2, 3)), method="inverted_cdf")
    check(got, exp)
    # Empty: nanmean's answer and warning.
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        exp = np.nanquantile(np.zeros((3, 0)), 0.5, axis=1, weights=np.zeros((3, 0)), method="inverted_cdf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lnp.nanquantile(lnp.zeros((3, 0)), 0.5, axis=1, weights=lnp.zeros((3, 0)), method="inverted_cdf"), exp)
    for kw in [dict(weights=np.ones(6), axis=1, method="linear"), dict(weights=-np.ones(6), axis=1, method="inverted_cdf"),
               dict(weights=np.ones(5), axis=1, method="inverted_cdf"), dict(weights=np.ones(6), method="inverted_cdf"),
               dict(weights=np.where(np.isnan(x), 1.0, 0.0), method="inverted_cdf")]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            same_error(lambda: np.nanquantile(x, 0.5, **kw), lambda: lnp.nanquantile(lnp.array(x), 0.5, **kw))


@pytest.mark.parametrize("method", QUANTILE_METHODS)
def test_bool_quantiles(method, monkeypatch):
    # Methods that pick elements give bools; interpolating ones raise NumPy's TypeError
    # (boolean subtract), natively.
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    b = np.random.default_rng(10).integers(0, 2, (4, 7)).astype(bool)
    for fn, q in (("quantile", [0.3, 0.5, 1.0]), ("nanquantile", 0.25), ("percentile", [30, 100]), ("nanpercentile", 50)):
        for axis in (None, 1):
            try:
                exp = getattr(np, fn)(b, q, axis=axis, method=method)
            except TypeError:
                same_error(lambda: getattr(np, fn)(b, q, axis=axis, method=method),
                           lambda: getattr(lnp, fn)(lnp.array(b), q, axis=axis, method=method))
                continue
            check(getattr(lnp, fn)(lnp.array(b), q, axis=axis, method=method), exp)
    if method == "inverted_cdf":
        w = np.arange(1.0, 29).reshape(4, 7)
        check(lnp.quantile(lnp.array(b), [0.2, 0.7], axis=1, method=method, weights=lnp.array(w)),
              np.quantile(b, [0.2, 0.7], axis=1, method=method, weights=w))


def test_method_forms_of_conj_and_reshape():
    """A real array's ``conj()`` is the array itself, as NumPy's (a bool one became int8);
    ``out=`` takes a copy; ``reshape(None)`` keeps the shape and ``reshape()`` raises."""
    for dtype in (np.bool_, np.int8, np.float32, np.complex64):
        x = make(dtype, (3, 4))
        a = lnp.array(x)
        for name in ("conj", "conjugate"):
            got = getattr(a, name)()
            check(got, getattr(x, name)())
            if np.dtype(dtype).kind != "c":
                assert got is a
            out = lnp.zeros((3, 4), dtype)
            assert getattr(a, name)(out) is out
            check(out, getattr(x, name)())
    x = make(np.float64, (3, 4))
    check(lnp.array(x).reshape(None), x.reshape(None))
    same_error(lambda: x.reshape(), lambda: lnp.array(x).reshape())


# ---------------------------------------------------------------- out= and order= rules
# Each call builds its operands and ``out`` with the module it is given: NumPy's answer
# (the values left in ``out``, or the exception type) is legate_numeric's.

_M = np.arange(12.0).reshape(3, 4) / 7


def _ints(m):
    return m.arange(12).reshape(3, 4)


_OUT_CALLS = {
    # argmax/argmin compute into ``out`` as indices: it must hold int64 safely.
    "argmax float out": lambda m: m.argmax(m.asarray(_M), axis=1, out=m.zeros(3)),
    "argmin uint64 out": lambda m: m.argmin(m.asarray(_M), axis=1, out=m.zeros(3, np.uint64)),
    "argmax int8 out": lambda m: m.argmax(m.asarray(_M), axis=1, out=m.zeros(3, np.int8)),
    "nanargmax float out": lambda m: m.nanargmax(m.asarray(_M), axis=1, out=m.zeros(3)),
    # nan-statistics of floats compute in ``out``: it must be inexact (checked first).
    "nanmean int out": lambda m: m.nanmean(m.asarray(_M), axis=1, out=m.zeros(3, np.int64)),
    "nanvar bool out": lambda m: m.nanvar(m.asarray(_M), out=m.zeros((), bool)),
    "nanstd int out wrong shape": lambda m: m.nanstd(m.asarray(_M), axis=1, out=m.zeros((2, 2), np.int64)),
    "nanmean float32 out": lambda m: m.nanmean(m.asarray(_M), axis=1, out=m.zeros(3, np.float32)),
    # median ends in a reduction into ``out`` (exact shape, unsafe cast); nanmedian
    # assigns (broadcasting), also for integers.
    "median out too big": lambda m: m.median(m.asarray(_M), out=m.zeros((3, 4))),
    "median int out": lambda m: m.median(_ints(m), axis=1, out=m.zeros(3, np.int64)),
    "nanmedian ints out broadcast": lambda m: m.nanmedian(_ints(m), out=m.zeros((3, 4))),
    # quantile interpolates with ufuncs into ``out`` (same_kind); picking methods copy.
    "quantile int out": lambda m: m.quantile(m.asarray(_M), 0.3, axis=1, out=m.zeros(3, np.int64)),
    "percentile bool out": lambda m: m.percentile(_ints(m), 50, axis=1, out=m.zeros(3, bool)),
    "quantile lower int out": lambda m: m.quantile(m.asarray(_M), 0.3, axis=1, out=m.zeros(3, np.int64), method="lower"),
    "weighted quantile out": lambda m: m.quantile(m.asarray(_M), 0.5, axis=1, weights=m.ones(4), method="inverted_cdf", out=m.zeros(3)),
    "quantile float32 out": lambda m: m.quantile(m.asarray(_M), 0.3, axis=1, out=m.zeros(3, np.float32)),
    # around scales with ufuncs into ``out``: same_kind, exact shape, an array.
    "around int out": lambda m: m.around(m.asarray(_M), 1, out=m.zeros((3, 4), np.int64)),
    "round float32 out": lambda m: m.round(m.asarray(_M), 2, out=m.zeros((3, 4), np.float32)),
    "around ints negative decimals int out": lambda m: m.around(_ints(m), -1, out=m.zeros((3, 4), np.int64)),
    "around ints uint8 out": lambda m: m.around(_ints(m), 0, out=m.zeros((3, 4), np.uint8)),
    "around ints int8 out": lambda m: m.around(_ints(m), 1, out=m.zeros((3, 4), np.int8)),
    "around out wrong shape": lambda m: m.around(m.asarray(_M), 1, out=m.zeros(5, np.int64)),
    "around out list": lambda m: m.around(m.asarray(_M), 1, out=[0] * 12),
    # einsum writes into ``out`` under ``casting`` (default safe), without broadcasting.
    "einsum float32 out": lambda m: m.einsum("ij->j", m.asarray(_M), out=m.zeros(4, np.float32)),
    "einsum float32 out unsafe": lambda m: m.einsum("ij->j", m.asarray(_M), out=m.zeros(4, np.float32), casting="unsafe"),
    "einsum complex64 out same_kind": lambda m: m.einsum("ij->j", m.asarray(_M), out=m.zeros(4, np.complex64), casting="same_kind"),
    "einsum out broadcast": lambda m: m.einsum("ij->j", m.asarray(_M), out=m.zeros((2, 4))),
    # choose: ``out`` of exactly the broadcast shape, or TypeError.
    "choose out wrong shape": lambda m: m.choose(m.asarray([0, 1, 0]), [m.zeros(3), m.ones(3)], out=m.zeros((1, 3))),
    "choose out int8": lambda m: m.choose(m.asarray([0, 1, 0]), [m.zeros(3), m.ones(3)], out=m.zeros(3, np.int8)),
    # The logical ufuncs cast any input to bool whatever ``casting`` says; only the
    # output's cast is checked.
    "logical_and casting=no": lambda m: m.logical_and(m.arange(3, dtype=np.int32), m.arange(3, dtype=np.float32), casting="no"),
    "logical_or casting=safe out int32": lambda m: m.logical_or(m.arange(3, dtype=np.int32), 2.5, casting="safe", out=m.zeros(3, np.int32)),
    "logical_xor casting=equiv out float": lambda m: m.logical_xor(m.arange(3), 1, casting="equiv", out=m.zeros(3)),
    "logical_not casting=no dtype": lambda m: m.logical_not(m.arange(3, dtype=np.complex64), casting="no", dtype=bool),
}


def _as_numpy(call):
    """``call(lnp)`` gives ``call(np)``'s values (each of a tuple's), or raises its
    exception's built-in class (NumPy's private subclasses are not mirrored)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = call(np)
        except Exception as exc:  # noqa: BLE001 - any NumPy error must be mirrored
            builtin = next(c for c in type(exc).__mro__ if c.__module__ == "builtins")
            with pytest.raises(builtin):
                np.asarray(call(lnp))
            return
        got = call(lnp)
    if isinstance(expected, tuple):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            check(g, e)
    else:
        check(got, expected)


@pytest.mark.parametrize("name", sorted(_OUT_CALLS))
def test_out_rules_as_numpy(name):
    _as_numpy(_OUT_CALLS[name])


_ORDER_CALLS = {
    "zeros": lambda m, o: m.zeros(2, order=o),
    "empty": lambda m, o: m.empty(2, order=o).shape,
    "full": lambda m, o: m.full(2, 1, order=o),
    "eye": lambda m, o: m.eye(2, order=o),
    "zeros_like": lambda m, o: m.zeros_like(m.arange(6).reshape(2, 3), order=o),
    "array": lambda m, o: m.array(m.arange(6).reshape(2, 3), order=o),
    "asarray": lambda m, o: m.asarray(m.arange(6).reshape(2, 3), order=o),
    "copy": lambda m, o: m.arange(6).reshape(2, 3).copy(order=o),
    "astype": lambda m, o: m.arange(6).reshape(2, 3).astype(np.float32, order=o),
    "ravel": lambda m, o: m.ravel(m.arange(6).reshape(2, 3), order=o),
    "flatten": lambda m, o: m.arange(6).reshape(2, 3).flatten(order=o),
    "reshape": lambda m, o: m.reshape(m.arange(6).reshape(2, 3), (3, 2), order=o),
    "add": lambda m, o: m.add(m.arange(6).reshape(2, 3), 1, order=o),
}


@pytest.mark.parametrize("order", [None, "c", "f", "a", "k", "A", "K", "CC", "X", "", 1, b"F"], ids=repr)
@pytest.mark.parametrize("name", sorted(_ORDER_CALLS))
def test_order_argument_as_numpy(name, order):
    # None is the default, letters in either case (bytes too); creation functions take
    # only C and F, reshape not K; anything else is NumPy's ValueError or TypeError.
    call = _ORDER_CALLS[name]
    try:
        expected = call(np, order)
    except (ValueError, TypeError) as exc:
        with pytest.raises(type(exc)):
            call(lnp, order)
        return
    got = call(lnp, order)
    if isinstance(expected, tuple):
        assert got == expected
    else:
        check(got, expected)


# ---------------------------------------------------------------- array_like arguments
# Python numbers and lists where NumPy takes array_likes: NumPy's answer or exception
# type (found by calling every function with lists and numbers).

_ARRAY_LIKE_CALLS = {
    "histogramdd of a list of numbers is one dimension": lambda m: m.histogramdd([3, 1, 2])[0],
    "histogramdd of bools": lambda m: m.histogramdd([True, False])[0],
    "histogramdd of a NumPy scalar": lambda m: m.histogramdd(np.float32(1.5))[0],
    "histogramdd of a Python number": lambda m: m.histogramdd(5),
    "histogramdd of ragged dimensions": lambda m: m.histogramdd([[1, 2], [3]]),
    "histogram2d with a number for y": lambda m: m.histogram2d([1, 2, 3], 2),
    "linspace of bools": lambda m: m.linspace(np.False_, np.True_, 5),
    "lexsort of number keys": lambda m: m.lexsort([3, 1, 2]),
    "lexsort of number keys, axis 2": lambda m: m.lexsort([3, 1, 2], 2),
    "bincount of an empty list": lambda m: m.bincount([]),
    "bincount of an empty float array": lambda m: m.bincount(np.array([])),
    "zeros of a bool shape": lambda m: m.zeros([True, False]),
    "ones of True": lambda m: m.ones(True),
    "indices of a number": lambda m: m.indices(5),
    "clip with one bound": lambda m: m.clip(m.arange(5), 1),
    "clip with a_max only": lambda m: m.clip(m.arange(5), a_max=3),
    "clip with min=": lambda m: m.clip(m.arange(5), min=1),
    "clip with both a_min and min": lambda m: m.clip(m.arange(5), 1, 3, min=2),
    "clip with no bounds": lambda m: m.clip(m.arange(5)),
    "correlate with a number": lambda m: m.correlate([1, 2, 3], 2),
    "gradient of bools": lambda m: m.gradient(m.asarray([True, False, True])),
    "bartlett of a list": lambda m: m.bartlett([3, 1]),
    "hanning of a 0-d array": lambda m: m.hanning(np.array(4)),
    "copy with a bad order": lambda m: m.copy(m.arange(3), order="X"),
    "unravel_index with order f": lambda m: m.unravel_index(3, (2, 2), order="f"),
    "roll with a 2-d shift": lambda m: m.roll(m.arange(4), [[1], [2]]),
    "arange with start= alone": lambda m: m.arange(start=3),
    "arange with stop= alone": lambda m: m.arange(stop=3),
    "arange with start= and stop=": lambda m: m.arange(start=1, stop=4),
    "arange of one number and None": lambda m: m.arange(2, None),
    "arange with start twice": lambda m: m.arange(3, start=1),
    "arange of five numbers": lambda m: m.arange(1, 2, 3, None, 5),
    "arange with no numbers": lambda m: m.arange(),
}


@pytest.mark.parametrize("name", sorted(_ARRAY_LIKE_CALLS))
def test_array_like_arguments_as_numpy(name):
    _as_numpy(_ARRAY_LIKE_CALLS[name])


def test_bincount_of_a_float_list_truncates_with_numpys_warning():
    with pytest.warns(DeprecationWarning):
        expected = np.bincount([1.5, 2.5])
    with pytest.warns(DeprecationWarning):
        check(lnp.bincount([1.5, 2.5]), expected)


# ---------------------------------------------------------------- signatures

_P = __import__("inspect").Parameter


def _signature(f):
    import inspect

    try:
        return inspect.signature(f)
    except (TypeError, ValueError):
        return None


# The ufuncs defined as functions take NumPy's ufunc keywords through a wrapper whose
# signature `inspect` does not show (test_ufunc.py calls them with each keyword).
_UFUNC_FUNCTIONS = {"bitwise_count", "fabs", "float_power", "frexp", "gcd", "heaviside", "lcm", "ldexp",
                    "logaddexp2", "modf", "nextafter", "spacing"}


# Ours takes NumPy 1's name positionally (and NumPy 2's as a keyword).
_OLD_NAMES = {("reshape", "shape"): "newshape"}


@pytest.mark.parametrize("namespace", ["", "linalg", "fft", "random.Generator", "random.RandomState", "ndarray"])
def test_numpys_parameters_are_accepted_in_numpys_positions(namespace):
    """Every parameter of a NumPy function (with an inspectable signature) is one of
    ours by name, and NumPy's positional parameters are ours in the same order: a call
    written for NumPy binds the same way (``nanmax(a, 0, out)`` once bound ``out`` to a
    ``dtype`` NumPy's ``nanmax`` does not have)."""
    import operator

    get = operator.attrgetter(namespace) if namespace else (lambda m: m)
    ns_np, ns_l = get(np), get(lnp)
    bad = []
    for name in dir(ns_np):
        f, g = getattr(ns_np, name, None), getattr(ns_l, name, None)
        if name.startswith("_") or name in _UFUNC_FUNCTIONS or g is None or not callable(f) or isinstance(f, type):
            continue
        a, b = _signature(f), _signature(g)
        if a is None or b is None:
            continue
        ours = b.parameters
        if any(p.kind == _P.VAR_KEYWORD for p in ours.values()):
            missing = []
        else:
            missing = [n for n, p in a.parameters.items() if p.kind in (_P.KEYWORD_ONLY, _P.POSITIONAL_OR_KEYWORD) and n not in ours]
        order_ok = True
        if not any(p.kind == _P.VAR_POSITIONAL for p in ours.values()):
            theirs_pos = [p for p in a.parameters.values() if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)]
            ours_pos = [n for n, p in ours.items() if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)]
            # A positional-only parameter's name does not matter; another one's does,
            # unless ours is NumPy's older name for it.
            order_ok = len(ours_pos) >= len(theirs_pos) and all(
                p.kind == _P.POSITIONAL_ONLY or ours_pos[i] in (p.name, _OLD_NAMES.get((name, p.name)))
                for i, p in enumerate(theirs_pos))
        if missing or not order_ok:
            bad.append(f"{namespace}.{name}: NumPy {a} | legate {b}")
    assert not bad, "\n".join(bad)


def test_device_keyword():
    for make_one in (lambda **kw: lnp.zeros(3, **kw), lambda **kw: lnp.empty((2,), **kw),
                     lambda **kw: lnp.full(2, 1.0, **kw), lambda **kw: lnp.eye(2, **kw),
                     lambda **kw: lnp.linspace(0, 1, 3, **kw), lambda **kw: lnp.ones_like(lnp.zeros(2), **kw),
                     lambda **kw: lnp.asarray([1.0], **kw), lambda **kw: lnp.arange(3, **kw)):
        assert make_one(device="cpu").device == "cpu"
        assert make_one(device=None).device == "cpu"
        with pytest.raises(ValueError):
            make_one(device="cuda")
    check(lnp.array(object=[1, 2], ndmax=1), np.array(object=[1, 2], ndmax=1))
    same_error(lambda: np.array([1], ndmin=2, ndmax=1), lambda: lnp.array([1], ndmin=2, ndmax=1))


def test_nan_reductions_bind_positional_arguments_as_numpy():
    x = make(np.float64, (4, 5))
    x[1, 2] = np.nan
    a = lnp.array(x)
    for name in ("nanmax", "nanmin"):
        check(getattr(lnp, name)(a, 0, None, False, -1.0, a > 0.2), getattr(np, name)(x, 0, None, False, -1.0, x > 0.2))
        with pytest.raises(TypeError):
            getattr(lnp, name)(a, dtype=np.float32)
    for name in ("nansum", "nanprod"):
        check(getattr(lnp, name)(a, 1, np.float32, None, True), getattr(np, name)(x, 1, np.float32, None, True))


_A = np.random.default_rng(0).standard_normal((2, 3, 4))
_B = np.random.default_rng(1).standard_normal((4, 3))
_V4, _V3 = np.arange(4.0) - 1.5, np.arange(3.0) + 0.5
_I = np.arange(12).reshape(3, 4) - 5
_GUFUNC_CASES = [
    ("vecdot", (_A, _A), dict(axis=0)), ("vecdot", (_A, _A), dict(axis=1, keepdims=True)),
    ("vecdot", (_A, _A), dict(axes=[(1,), (1,)], keepdims=True)), ("vecdot", (_A, _A), dict(axes=[(1,), (1,), (0,)], keepdims=True)),
    ("vecdot", (_A, _A), dict(axes=[(0,), (0,), ()])), ("vecdot", (_A, _A), dict(axes=[(0,), (0,), (0,)])),
    ("vecdot", (_A, _A), dict(axis=0, axes=[(0,), (0,)])), ("vecdot", (_A, _A), dict(axes=((0,), (0,)))),
    ("vecdot", (_A, _A), dict(axes=[(5,), (0,)])), ("vecdot", (_A + 1j, _A), dict(axis=-2)),
    ("vecdot", (_I, _I), dict(dtype=np.float32)), ("vecdot", (_A, _A), dict(keepdims=True)), ("vecdot", (_I, _A[0]), dict(casting="no")),
    ("matvec", (_A, _V4), dict(axis=0)), ("matvec", (_A, _V4), dict(keepdims=True)), ("matvec", (_A, _V4), dict(axes=[(0, 1), (0,)])),
    ("matvec", (_A, _V4), dict(axes=[0, 0, 0])), ("matvec", (_A, _V4), dict(axes=[(1, 1), (0,), (0,)])),
    ("matvec", (_A, _V3), dict(axes=[(2, 1), (0,), (1,)])), ("matvec", (_I, _V4), dict(signature="dd->d")),
    ("matvec", (_A, _V4), dict(dtype=np.float32, order="C", subok=True)),
    ("vecmat", (_V3, _A), dict(axes=[(0,), (1, 2), (0,)])), ("vecmat", (_V4, _A), dict(axes=[(0,), (2, 1), (0,)])),
    ("matmul", (_A, _B), dict(axes=[(1, 2), (0, 1), (1, 2)])), ("matmul", (_A, _B), dict(axes=[(-2, -1), (-2, -1), (-1, -2)])),
    ("matmul", (_B, _V3), dict(axes=[(1, 0), (0,), (0,)])), ("matmul", (_A, _B), dict(axis=0)), ("matmul", (_A, _B), dict(keepdims=True)),
    ("matmul", (_I, _B), dict(dtype=np.float32)), ("matmul", (_A, _B), dict(casting="unsafe", dtype=np.int64)), ("matmul", (_A, _B), dict(bogus=1)),
]


@pytest.mark.parametrize("name, operands, kwargs", _GUFUNC_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(_GUFUNC_CASES)])
def test_vector_matrix_gufunc_keywords(name, operands, kwargs, monkeypatch):
    """``axes axis keepdims dtype signature casting`` of matmul/matvec/vecmat/vecdot,
    natively (no fallback), with NumPy's results and exception types."""
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    x, y = operands
    expected, err = check_same_error(lambda: getattr(np, name)(x, y, **kwargs),
                                     lambda: getattr(lnp, name)(lnp.array(x), lnp.array(y), **kwargs))
    if err is None:
        check(getattr(lnp, name)(lnp.array(x), lnp.array(y), **kwargs), expected)
