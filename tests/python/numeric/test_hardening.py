

NAN = np.nan
LINALG_MATRICES = {
    "nan_off_diagonal": [[1.0, NAN], [3.0, 4.0]],
    "nan_first_pivot": [[NAN, 1.0], [3.0, 4.0]],
    "all_nan": [[NAN, NAN], [NAN, NAN]],
    "nan_middle_3x3": [[1.0, 2.0, 3.0], [4.0, NAN, 6.0], [7.0, 8.0, 10.0]],
    "nan_last_3x3": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, NAN]],
    "inf": [[np.inf, 1.0], [3.0, 4.0]],
    "singular_2x2": [[1.0, 2.0], [2.0, 4.0]],
    "singular_zero": [[0.0, 0.0], [0.0, 0.0]],
    "singular_3x3": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
    "singular_4x4": np.arange(16.0).reshape(4, 4).tolist(),
    "regular": [[4.0, 1.0, 2.0], [1.0, 5.0, 3.0], [2.0, 3.0, 6.0]],
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128], ids=["float64", "float32", "complex128"])
@pytest.mark.parametrize("name", list(LINALG_MATRICES))
def test_inv_and_solve_of_nan_inf_and_singular_matrices(name, dtype):
    m = np.array(LINALG_MATRICES[name], dtype=dtype)
    b = np.arange(1.0, m.shape[0] + 1).astype(dtype)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in (lambda x: x.linalg.inv, lambda x: (lambda a: x.linalg.solve(a, b))):
            expected, got = same_error(lambda: f(np)(m), lambda: f(lnp)(lnp.array(m)))
            if expected is not None:
                g = np.asarray(got)
                np.testing.assert_array_equal(np.isnan(g), np.isnan(expected))
                check(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-10, atol=1e-6)


def test_singular_matrix_raises_linalgerror():
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        lnp.linalg.inv(lnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]))
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.solve(lnp.zeros((3, 3)), lnp.ones(3))
    with pytest.raises(np.linalg.LinAlgError):
        lnp.linalg.inv(lnp.array([np.eye(2), np.zeros((2, 2))]))


# ---------------------------------------------------------------- 6: in-place functions


def _at_case(m, name, dtype, indices, values):
    a = m.arange(8).astype(dtype) if m is np else m.array(np.arange(8).astype(dtype))
    getattr(m, name).at(a, indices, values)
    return a


AT_UFUNCS = ["add", "subtract", "multiply", "maximum", "minimum", "fmax", "fmin", "divide",
             "bitwise_and", "bitwise_or", "bitwise_xor"]


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8, np.float32, np.float64, np.complex128, np.bool_],
                         ids=["int64", "int8", "uint8", "float32", "float64", "complex128", "bool"])
@pytest.mark.parametrize("name", AT_UFUNCS)
def test_ufunc_at_accumulates_repeated_indices(name, dtype):
    indices = [0, 0, 3, 7, 3, 3, -1]
    values = np.array([2, 3, 1, 5, 2, 7, 4]).astype(dtype)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for vals in (values, values[1], lnp.array(values)):
            np_vals = np.asarray(vals) if isinstance(vals, lnp.ndarray) else vals
            try:
                expected = _at_case(np, name, dtype, indices, np_vals)
            except TypeError:
                with pytest.raises(TypeError):
                    _at_case(lnp, name, dtype, indices, vals)
                continue
            check(_at_case(lnp, name, dtype, indices, vals), expected)


def test_ufunc_at_issue_example_and_multidimensional_indices():
    a = lnp.arange(4)
    lnp.add.at(a, [0, 0], 1)
    e = np.arange(4)
    np.add.at(e, [0, 0], 1)
    check(a, e)
    e = np.arange(12.0).reshape(3, 4)
    g = lnp.arange(12.0).reshape(3, 4)
    for idx, v in [((np.array([0, 0, 2]), np.array([1, 1, 3])), 10.0), ([1, 1], np.arange(4.0)), (slice(None), 1.0),
                   ((slice(None), [0, 0]), 2.0)]:
        np.add.at(e, idx, v)
        lnp.add.at(g, idx, v)
        check(g, e)
    # A non-contiguous target is written through its view.
    e = np.arange(12.0).reshape(3, 4)
    g = lnp.arange(12.0).reshape(3, 4)
    np.multiply.at(e.T, [1, 1, 2], 3.0)
    lnp.multiply.at(g.T, [1, 1, 2], 3.0)
    check(g, e)
    # Through NumPy's function on a legate array (the __array_ufunc__ protocol).
    g = lnp.arange(5)
    np.add.at(g, [1, 1, 1], 2)
    e = np.arange(5)
    np.add.at(e, [1, 1, 1], 2)
    check(g, e)


def test_ufunc_at_out_of_bounds_raises_and_writes_nothing():
    g = lnp.arange(5)
    with pytest.raises(IndexError):
        lnp.add.at(g, [0, 10], 1)
    check(g, np.arange(5))


def test_ufunc_at_through_the_fallback_writes_back():
    g, e = lnp.arange(5), np.arange(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lnp.negative.at(g, [1, 2])
        lnp.power.at(g, [3, 3], 2)
    np.negative.at(e, [1, 2])
    np.power.at(e, [3, 3], 2)
    check(g, e)


COPYTO_CASES = {
    "scalar": (np.float64, lambda m, a: m.copyto(a, 7)),
    "scalar_where": (np.float64, lambda m, a: m.copyto(a, 7, where=np.arange(6).reshape(2, 3) > 2)),
    "array_broadcast": (np.float64, lambda m, a: m.copyto(a, m.asarray([1.0, 2.0, 3.0]))),
    "array_where_broadcast": (np.int64, lambda m, a: m.copyto(a, m.asarray([[9], [8]]), where=m.asarray([True, False, True]))),
    "float_into_int_same_kind": (np.int64, lambda m, a: m.copyto(a, m.asarray([1.5, 2.5, 3.5]))),
    "float_into_int_unsafe": (np.int64, lambda m, a: m.copyto(a, m.asarray([1.5, 2.5, 3.5]), casting="unsafe")),
    "py_float_into_int": (np.int64, lambda m, a: m.copyto(a, 1.5)),
    "py_int_out_of_range": (np.int8, lambda m, a: m.copyto(a, 300)),
    "int64_into_int8": (np.int8, lambda m, a: m.copyto(a, m.asarray([1, 2, 3]))),
    "bad_broadcast": (np.float64, lambda m, a: m.copyto(a, m.asarray([1.0, 2.0]))),
    "no_casting": (np.float64, lambda m, a: m.copyto(a, m.asarray([1, 2, 3], dtype=np.float32), casting="no")),
    "list": (np.float32, lambda m, a: m.copyto(a, [[1, 2, 3], [4, 5, 6]])),
}


@pytest.mark.parametrize("name", list(COPYTO_CASES))
def test_copyto(name):
    dtype, f = COPYTO_CASES[name]
    e = np.arange(6).reshape(2, 3).astype(dtype)
    g = lnp.array(e)
    expected, _ = same_error(lambda: f(np, e), lambda: f(lnp, g))
    check(g, e)


@pytest.mark.parametrize("values", [[10, 20], [1.5], [7, 8, 9, 10, 11, 12, 13], []], ids=str)
@pytest.mark.parametrize("name", ["place", "putmask"])
def test_place_and_putmask(name, values):
    e = np.arange(7) * 2
    g = lnp.array(e)
    mask = (e % 3) != 0
    same_error(lambda: getattr(np, name)(e, mask, values), lambda: getattr(lnp, name)(g, lnp.array(mask), values))
    check(g, e)
    with pytest.raises(ValueError):
        getattr(lnp, name)(g, [True, False], values)


def test_fallback_that_mutates_an_argument_writes_it_back():
    e = np.arange(6)
    g = lnp.arange(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lnp.put_along_axis(g, lnp.array([1, 4]), 99, axis=0)
    np.put_along_axis(e, np.array([1, 4]), 99, axis=0)
    check(g, e)


# ---------------------------------------------------------------- 11: accuracy of sums


def test_float32_sum_is_pairwise():
    e = np.full(10**7, 0.1, dtype=np.float32)
    g = lnp.full(10**7, 0.1, dtype=np.float32)
    for got, expected in [(g.sum(), e.sum()), (lnp.mean(g), np.mean(e)), (lnp.nansum(g), np.nansum(e))]:
        assert abs(float(got) - float(expected)) <= 2e-7 * abs(float(expected)), (got, expected)
    # A sequential float32 sum would be off by about 4e-5 (relative).
    assert abs(float(g.sum()) - 1e6) < 1.0


def test_float_sums_along_the_last_axis_and_complex():
    e = np.full((4, 10**6), 0.1, dtype=np.float32)
    g = lnp.array(e)
    np.testing.assert_allclose(np.asarray(g.sum(axis=1)), e.sum(axis=1), rtol=2e-7)
    c = np.full(2 * 10**6, 0.1 + 0.3j, dtype=np.complex64)
    np.testing.assert_allclose(complex(lnp.array(c).sum()), complex(c.sum()), rtol=2e-7)
    v = np.full(10**6, 0.1, dtype=np.float32) + np.arange(10**6, dtype=np.float32) * np.float32(1e-6)
    np.testing.assert_allclose(float(lnp.array(v).var()), float(v.var()), rtol=1e-5)
    h = np.full(10**5, 0.1, dtype=np.float16)
    check(lnp.array(h).sum(), h.sum(), exact=True)


# ---------------------------------------------------------------- 12: casts and floating-point errors


CAST_VALUES = [np.nan, np.inf, -np.inf, 1e300, -1e300, 3e9, -3e9, 5e9 + 3, 300.7, -1.5, 70000.5, -70000.5, 2.0**63, 1e19]


@pytest.mark.parametrize("src", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("dst", [np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint16, np.uint8],
                         ids=["int64", "int32", "int16", "int8", "uint64", "uint16", "uint8"])
def test_float_to_int_casts_match_numpy(src, dst):
    with np.errstate(all="ignore"):
        e = np.array(CAST_VALUES).astype(src)
        expected = e.astype(dst)
    with np.errstate(all="ignore"):
        got = lnp.array(e).astype(dst)
    check(got, expected, exact=True)


def test_nan_to_int_cast_warns_invalid():
    a = lnp.array([np.nan, 1.0])
    with pytest.warns(RuntimeWarning, match="invalid value encountered in cast"):
        r = a.astype(np.int64)
    check(r, np.array([np.iinfo(np.int64).min, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lnp.array([1.5, 2.0]).astype(np.int64)  # in range: silent


@pytest.mark.parametrize("case", [
    ("divide by zero encountered in divide", lambda m: m.array([1.0, 2.0]) / 0),
    ("divide by zero encountered in divide", lambda m: m.divide(m.array([1.0]), m.array([0.0]))),
    ("invalid value encountered in divide", lambda m: m.array([0.0]) / 0.0),
    ("divide by zero encountered in log", lambda m: m.log(m.array([0.0, 1.0]))),
    ("invalid value encountered in log", lambda m: m.log(m.array([-1.0]))),
    ("divide by zero encountered in log10", lambda m: m.log10(m.array([0.0], dtype=np.float32))),
    ("invalid value encountered in sqrt", lambda m: m.sqrt(m.array([-1.0]))),
    ("overflow encountered in exp", lambda m: m.exp(m.array([1000.0]))),
    ("overflow encountered in multiply", lambda m: m.array([1e308]) * 10),
    ("divide by zero encountered in power", lambda m: m.power(m.array([0.0]), -1.5)),
    ("invalid value encountered in cast", lambda m: m.array([np.inf]).astype(np.int32)),
], ids=lambda c: c[0] if isinstance(c, tuple) else "")
def test_floating_point_warnings_as_numpy(case):
    message, f = case
    with pytest.warns(RuntimeWarning, match=message):
        f(np)
    with pytest.warns(RuntimeWarning, match=message):
        f(lnp)
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError, match=message):
            f(np)
        with pytest.raises(FloatingPointError, match=message):
            f(lnp)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        f(lnp)
    calls = []
    with np.errstate(all="call", call=lambda kind, flag: calls.append(kind)):
        f(lnp)
    assert calls and message.startswith(calls[0])


def test_no_warning_where_numpy_gives_none():
    a = lnp.array([np.nan, 1.0, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (lambda: a + 1, lambda: a < 1, lambda: lnp.maximum(a, 0), lambda: lnp.isnan(a), lambda: a.max(),
                  lambda: lnp.log(a), lambda: lnp.exp(a), lambda: a * 2, lambda: lnp.sqrt(a)):
            np.asarray(f())
