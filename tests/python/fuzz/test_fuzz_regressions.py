"""The fuzzers' findings, shrunk, as plain tests (one per distinct failure).

Each test names the property that found it. Failures in areas being fixed elsewhere
are excluded from the properties instead (see the comments marked DEFECT there).
"""

from __future__ import annotations

import numpy as np

import legate_numeric as lnp
from fuzzlib import compare


def test_out_cast_error_comes_before_broadcast_error():
    """test_inplace_operator_on_view: NumPy checks the cast to ``out`` first."""
    x = np.zeros(2, bool)
    lx = lnp.array(x)
    compare(lambda: np.true_divide(x, np.zeros(3, bool), out=x), lambda: lnp.true_divide(lx, lnp.zeros(3, bool), out=lx))
    u = np.zeros((3, 2), np.uint64)
    lu = lnp.array(u)

    def isub(v, o):
        v -= o
        return v

    compare(lambda: isub(u, np.full((1, 1, 1), -1, np.int32)), lambda: isub(lu, lnp.full((1, 1, 1), -1, np.int32)))


def test_where_kw_broadcasts_to_out():
    """test_ufunc_out_and_where: 0-d operands and mask broadcast to a 1-d ``out``."""
    out, lout = np.zeros(3, bool), lnp.zeros(3, bool)
    compare(
        lambda: np.add(np.array(True), np.array(False), out=out, where=np.array(True)),
        lambda: lnp.add(lnp.array(True), lnp.array(False), out=lout, where=lnp.array(True)),
    )


def test_float16_loop_checks_out_cast():
    """test_ufunc_out_and_where: a float16 loop with a bool ``out`` is a casting error."""
    out, lout = np.zeros((), bool), lnp.zeros((), bool)
    compare(
        lambda: np.add(np.array(False), np.array(0, np.float16), out=out),
        lambda: lnp.add(lnp.array(False), lnp.array(0, np.float16), out=lout),
    )
    compare(
        lambda: np.add(np.array(False), np.array(0, np.float16), out=out, where=np.array(True)),
        lambda: lnp.add(lnp.array(False), lnp.array(0, np.float16), out=lout, where=lnp.array(True)),
    )


def test_bool_array_compared_with_int_beyond_int64():
    """test_operator_with_python_scalar: NumPy converts the int to int64 and overflows."""
    x = np.zeros(0, bool)
    compare(lambda: x != 2**63, lambda: lnp.array(x) != 2**63)
    compare(lambda: np.ones(2, bool) < -(2**63) - 1, lambda: lnp.ones(2, bool) < -(2**63) - 1)


def test_clip_with_python_ints_beyond_the_dtype():
    """test_divmod_and_clip: bounds beyond the integer dtype's range bound nothing."""
    x = np.array([0, 5], np.uint8)
    lx = lnp.array(x)
    compare(lambda: np.clip(x, -1, None), lambda: lnp.clip(lx, -1, None))
    compare(lambda: np.clip(x, -1, 300), lambda: lnp.clip(lx, -1, 300))
    compare(lambda: np.clip(x, 300, None), lambda: lnp.clip(lx, 300, None))
    compare(lambda: np.clip(x.astype(float), None, None), lambda: lnp.clip(lx.astype(float), None, None))


def test_where_of_float16():
    """test_where_select: the select kernel has no float16."""
    c = np.array([True, False])
    compare(
        lambda: np.where(c, np.array([1, 0], bool), np.array([0.5, 2.0], np.float16)),
        lambda: lnp.where(lnp.array(c), lnp.array([1, 0], bool), lnp.array([0.5, 2.0], np.float16)),
    )
    compare(lambda: np.where(c, np.float16(1.5), 2.5), lambda: lnp.where(lnp.array(c), np.float16(1.5), 2.5))


def test_scans_and_arg_reductions_take_a_0d_array_as_1d():
    """test_scan, test_arg_reduction: axis -1 of a 0-d array is its only axis."""
    x = np.array(True)
    lx = lnp.array(x)
    compare(lambda: np.cumsum(x, axis=-1), lambda: lnp.cumsum(lx, axis=-1))
    compare(lambda: np.argmax(x, axis=-1), lambda: lnp.argmax(lx, axis=-1))
    compare(lambda: np.cumsum(x, axis=1), lambda: lnp.cumsum(lx, axis=1))


def test_reduction_axes_of_a_0d_array():
    """test_reduction: an int axis 0 or -1 reduces nothing; a tuple (0,) is an AxisError."""
    x = np.array(False)
    lx = lnp.array(x)
    compare(lambda: np.count_nonzero(x, axis=-1), lambda: lnp.count_nonzero(lx, axis=-1))
    compare(lambda: np.count_nonzero(x, axis=(0,)), lambda: lnp.count_nonzero(lx, axis=(0,)))
    compare(lambda: np.ptp(x, axis=(0,)), lambda: lnp.ptp(lx, axis=(0,)))
    compare(
        lambda: np.sum(x, axis=(0,), initial=0, where=np.ones(0, bool)),
        lambda: lnp.sum(lx, axis=(0,), initial=0, where=lnp.ones(0, bool)),
    )


def test_float16_scans_and_arg_reductions():
    """test_scan, test_arg_reduction: no float16 kernels for these (computed in float32)."""
    x = np.array([[0.25, 1.5, -2.0], [3.0, np.nan, 0.5]], np.float16)
    lx = lnp.array(x)
    for name in ("cumsum", "cumprod", "argmax", "argmin"):
        for axis in (None, 0, 1):
            compare(lambda: getattr(np, name)(x, axis=axis), lambda: getattr(lnp, name)(lx, axis=axis), what=name)


def test_initial_is_converted_to_the_reduction_type():
    """test_reduction: max(bool, initial=-2) is True; an int out of range overflows."""
    x = np.array([False, False])
    lx = lnp.array(x)
    compare(lambda: np.max(x, initial=-2), lambda: lnp.max(lx, initial=-2))
    compare(lambda: np.max(x, initial=0), lambda: lnp.max(lx, initial=0))
    u = np.array([0, 1], np.uint8)
    compare(lambda: np.max(u, initial=-2), lambda: lnp.max(lnp.array(u), initial=-2))
    compare(lambda: np.sum(u, initial=2.5), lambda: lnp.sum(lnp.array(u), initial=2.5))


def test_nanmax_with_initial():
    """test_reduction: nanmax(initial=) went to NumPy with a dtype= it does not take."""
    x = np.array([1.0, np.nan])
    compare(lambda: np.nanmax(x, initial=3), lambda: lnp.nanmax(lnp.array(x), initial=3))


def test_reduction_out_must_have_the_result_shape():
    """test_reduction: NumPy does not broadcast a reduction into ``out``."""
    x = np.array([1.0, 2.0])
    lx = lnp.array(x)
    for name in ("max", "sum", "mean", "var"):
        compare(lambda: getattr(np, name)(x, out=np.zeros(2)), lambda: getattr(lnp, name)(lx, out=lnp.zeros(2)), what=name)
        compare(lambda: getattr(np, name)(x, out=np.zeros(1)), lambda: getattr(lnp, name)(lx, out=lnp.zeros(1)), what=name)


def test_std_and_ptp_out_cast_same_kind():
    """test_reduction: std's square root and ptp's subtraction write ``out`` as ufuncs
    do (an integer out for std is an error; NumPy's std of an empty slice into a complex
    out is nan+nanj)."""
    x = np.array([1.5, 2.5])
    lx = lnp.array(x)
    for name in ("std", "nanstd", "ptp"):
        compare(lambda: getattr(np, name)(x, out=np.zeros((), int)), lambda: getattr(lnp, name)(lx, out=lnp.zeros((), int)), what=name)
        compare(lambda: getattr(np, name)(x, out=np.zeros(())), lambda: getattr(lnp, name)(lx, out=lnp.zeros(())), what=name)


def test_axis_arguments_of_0d_arrays():
    """test_views, test_sort, test_repeat_tile_roll, test_reduction: NumPy's squeeze,
    repeat, argsort, take and (of floats) nanmean/nanvar/nanstd take axis 0 or -1 of a
    0-d array; moveaxis, swapaxes, flip, roll, sort and mean raise AxisError."""
    calls = [
        ("squeeze", (), dict(axis=0)), ("squeeze", (), dict(axis=-1)), ("squeeze", (), dict(axis=(0,))),
        ("moveaxis", (0, 0), {}), ("swapaxes", (0, 0), {}), ("flip", (0,), {}), ("flip", (-1,), {}),
        ("roll", (0,), dict(axis=0)), ("roll", (1,), dict(axis=(0,))), ("repeat", (0,), dict(axis=0)),
        ("repeat", (2,), dict(axis=-1)), ("repeat", ([2],), dict(axis=0)), ("repeat", (2,), dict(axis=1)),
        ("sort", (), dict(axis=0)), ("argsort", (), dict(axis=0)), ("argsort", (), dict(axis=-1)),
        ("argsort", (), dict(axis=1)), ("take", (0,), dict(axis=0)), ("take", ([0],), dict(axis=-1)),
        ("mean", (), dict(axis=0)), ("nanmean", (), dict(axis=0)), ("nanmean", (), dict(axis=1)),
        ("nanvar", (), dict(axis=-1, ddof=1)), ("nanstd", (), dict(axis=0, keepdims=True)),
        ("partition", (0,), dict(axis=0)), ("partition", (1,), dict(axis=0)), ("partition", (0,), dict(axis=None)),
        ("argpartition", (0,), dict(axis=0)), ("argpartition", (1,), dict(axis=0)), ("argpartition", (0,), dict(axis=-1)),
        ("nanmedian", (), dict(axis=0)), ("nanpercentile", (50,), dict(axis=0)), ("median", (), dict(axis=-1)),
    ]
    for x in (np.array(2.5), np.array(np.nan), np.array(3), np.array(1 + 2j)):
        lx = lnp.array(x)
        for name, args, kw in calls:
            compare(lambda: getattr(np, name)(x, *args, **kw), lambda: getattr(lnp, name)(lx, *args, **kw), what=f"{name}{args}{kw}")


def test_ravel_k_of_strided_views():
    """test_views: ravel(order='K') reads a permuted, strided view in memory order (a
    reversed axis forward); a broadcast axis keeps its place."""
    base = np.arange(96.0).reshape(4, 6, 4)
    key = (slice(1, 5, 2), slice(1, 5, 2), slice(4, 1, -1))
    for perm in ((0, 2, 1), (2, 1, 0)):
        v, lv = base.transpose(perm)[key], lnp.array(base).transpose(perm)[key]
        compare(lambda: np.ravel(v, order="K"), lambda: lnp.ravel(lv, order="K"))
    compare(lambda: np.ravel(np.broadcast_to(np.arange(3.0), (2, 3)), order="K"),
            lambda: lnp.ravel(lnp.broadcast_to(lnp.arange(3.0), (2, 3)), order="K"))


def test_float16_products():
    """test_products: no float16 kernel; NumPy sums half-precision products in float32
    and rounds once."""
    a = np.array([[1.5, -2.25, 3.0], [0.5, 4.0, -1.0]], np.float16)
    la = lnp.array(a)
    compare(lambda: a @ a.T, lambda: la @ la.T)
    compare(lambda: np.dot(a[0], a[1]), lambda: lnp.dot(la[0], la[1]))
    compare(lambda: np.matmul(np.zeros(0, bool), np.zeros(0, np.float16)),
            lambda: lnp.matmul(lnp.zeros(0, bool), lnp.zeros(0, np.float16)))


def test_nan_reductions_check_the_shape_of_out():
    """test_reduction: NumPy's nansum/nanmax/... do not broadcast into ``out``."""
    x = np.array([1.0, np.nan, 2.0])
    for name in ("nansum", "nanprod", "nanmax", "nanmin"):
        for shape in ((2,), (1,)):
            compare(lambda: getattr(np, name)(x, out=np.zeros(shape)), lambda: getattr(lnp, name)(lnp.array(x), out=lnp.zeros(shape)), what=name)


def test_mean_of_empty_slice_into_complex_out():
    """test_reduction: NumPy sums into a complex out and divides there (nan+nanj)."""
    for dt in (bool, np.float64):
        x = np.zeros(0, dt)
        compare(lambda: np.mean(x, out=np.zeros((), complex)), lambda: lnp.mean(lnp.array(x), out=lnp.zeros((), complex)))


# ---------------------------------------------------------------- kernel special values
# Found by the fuzzers (once excluded from their properties, now fixed in the kernels).


def test_complex_sqrt_and_sign_of_non_finite_parts():
    """test_unary: C99's csqrt(nan+0j) is nan+nanj, csqrt(nan+infj) inf+infj; NumPy's
    sign(nan+infj) is 1j. (NumPy's std of an empty slice into a complex out ends in
    sqrt(nan+0j), which is how test_reduction met it.)"""
    z = np.array([complex(np.nan, 0), complex(np.nan, np.inf), complex(np.inf, np.nan)])
    compare(lambda: np.sqrt(z), lambda: lnp.sqrt(lnp.array(z)))
    compare(lambda: np.sign(z), lambda: lnp.sign(lnp.array(z)))


def test_complex_power_with_integer_exponents():
    """test_binary, test_operator_with_python_scalar: NumPy multiplies repeatedly for
    small integer exponents: (0+infj) ** True is 0+infj, (1+2j) ** 3 is exactly -11-2j
    in complex64, and 0j ** -0.25 is nan+nanj."""
    z = np.array([complex(0, np.inf), complex(np.inf, 0)], np.complex128)
    compare(lambda: z**True, lambda: lnp.array(z) ** True)
    c = np.array([1 + 2j], np.complex64)
    compare(lambda: c**3, lambda: lnp.array(c) ** 3, tol=dict(rtol=0, atol=0))
    compare(lambda: 0j ** np.array([-0.25 + 0j]), lambda: 0j ** lnp.array([-0.25 + 0j]))
    # |n| >= 100: the C library's cpow; (1+0j) ** -129 is 1.
    w = np.array([1 + 0j, -0.5 + 0.25j])
    for e in (-129, 99, -3, 2.5):
        compare(lambda: w**e, lambda: lnp.array(w) ** e)


def test_complex_comparison_with_nan_imaginary_part():
    """test_binary: NumPy's complex a > b is false when an imaginary part is NaN
    (unless the real parts decide with both imaginary parts numbers)."""
    a = np.array([complex(0.25, np.nan), 1 + 0j])
    b = np.array([0j, complex(0.25, np.nan)])
    for name in ("greater", "greater_equal", "less", "less_equal"):
        compare(lambda: getattr(np, name)(a, b), lambda: getattr(lnp, name)(lnp.array(a), lnp.array(b)), what=name)


def test_masked_integer_power_skips_unselected_negative_exponents():
    """test_ufunc_out_and_where: NumPy raises for a negative integer exponent only
    where the mask selects it."""
    a, b, m = np.array([2, 3], np.int8), np.array([-1, 2], np.int8), np.array([False, True])
    compare(
        lambda: np.power(a, b, out=np.zeros(2, np.int8), where=m),
        lambda: lnp.power(lnp.array(a), lnp.array(b), out=lnp.zeros(2, np.int8), where=lnp.array(m)),
    )
    compare(
        lambda: np.power(a, -1, out=np.zeros(2, np.int8), where=False),
        lambda: lnp.power(lnp.array(a), -1, out=lnp.zeros(2, np.int8), where=False),
    )


def test_comparison_with_int_beyond_the_type_is_exact():
    """test_operator_with_python_scalar: int64(2**63 - 2) != 2**63 (float64 rounds both
    to 2**63)."""
    x = np.array([2**63 - 2, -(2**63)], np.int64)
    lx = lnp.array(x)
    for v in (2**63, -(2**63) - 1):
        compare(lambda: x != v, lambda: lx != v)
        compare(lambda: x < v, lambda: lx < v)
        compare(lambda: v >= x, lambda: v >= lx)
        compare(lambda: x == v, lambda: lx == v)


def test_reduction_runs_in_out_dtype():
    """test_reduction: with ``out`` and no ``dtype``, NumPy reduces in out's type."""
    x = np.array([100, 100], np.int8)
    lx = lnp.array(x)
    compare(lambda: np.sum(x, out=np.zeros((), np.int64)), lambda: lnp.sum(lx, out=lnp.zeros((), np.int64)))
    b = np.array([False])
    compare(lambda: np.max(b, initial=-2, out=np.zeros(())), lambda: lnp.max(lnp.array(b), initial=-2, out=lnp.zeros(())))
    compare(lambda: np.ptp(np.array(False), out=np.zeros(())), lambda: lnp.ptp(lnp.array(False), out=lnp.zeros(())))
    compare(lambda: np.ptp(np.array(False), out=np.zeros(2)), lambda: lnp.ptp(lnp.array(False), out=lnp.zeros(2)))


def test_arcsinh_of_huge_values():
    """test_unary: arcsinh(1.7e308) is 710.42 in NumPy (here inf)."""
    x = np.array([1.7e308, -1e200])
    compare(lambda: np.arcsinh(x), lambda: lnp.arcsinh(lnp.array(x)))
    compare(lambda: np.arccosh(x[:1]), lambda: lnp.arccosh(lnp.array(x[:1])))


def test_complex64_sqrt_of_negative_real_part():
    """test_unary: complex64 sqrt(-37052+0.25j).real is 6.49e-4 (here 6.57e-4)."""
    z = np.array([-37052 + 0.25j], np.complex64)
    compare(lambda: np.sqrt(z), lambda: lnp.sqrt(lnp.array(z)))


def test_take_from_empty_arrays():
    """test_take_put_nonzero: NumPy checks indices once per outer index, even for an
    empty result, and takes nothing from nothing."""
    x = np.zeros((0, 0), bool)
    lx = lnp.array(x)
    for idx, axis, mode in (([0], 0, "clip"), ([0], 0, "raise"), (0, 1, "raise"), ([1], 0, "raise")):
        compare(lambda: np.take(x, np.array(idx), axis=axis, mode=mode), lambda: lnp.take(lx, lnp.array(idx), axis=axis, mode=mode))
    y = np.zeros((1, 0), bool)
    compare(lambda: np.take(y, np.array([1]), axis=0), lambda: lnp.take(lnp.array(y), lnp.array([1]), axis=0))


def test_nonzero_of_float16():
    """test_take_put_nonzero: the nonzero kernel has no float16."""
    x = np.array([0.0, 1.5, -0.0, np.nan], np.float16)
    for name in ("nonzero", "flatnonzero", "argwhere"):
        compare(lambda: getattr(np, name)(x), lambda: getattr(lnp, name)(lnp.array(x)), what=name)


def test_setitem_shapes_and_errors():
    """test_setitem, test_program: a full boolean mask takes a 0/1-d value only
    (TypeError), leading unit dimensions of a value are dropped, x[()] = sequence is
    NumPy's error."""

    def assign(a, key, v):
        a[key] = v
        return a

    m = np.ones((2, 2), bool)
    compare(lambda: assign(np.zeros((2, 2)), m, np.ones((2, 2))), lambda: assign(lnp.zeros((2, 2)), lnp.array(m), lnp.ones((2, 2))))
    compare(lambda: assign(np.zeros(()), False, np.ones((1, 0))), lambda: assign(lnp.zeros(()), False, lnp.ones((1, 0))))
    compare(lambda: assign(np.zeros(0), slice(None), np.ones((1, 0))), lambda: assign(lnp.zeros(0), slice(None), lnp.ones((1, 0))))
    compare(lambda: assign(np.zeros(()), Ellipsis, np.ones(1)), lambda: assign(lnp.zeros(()), Ellipsis, lnp.ones(1)))
    for dt in (np.float64, np.complex128):
        compare(lambda: assign(np.zeros((), dt), (), np.ones(3)), lambda: assign(lnp.zeros((), dt), (), lnp.ones(3)))


def test_swapaxes_of_a_0d_array():
    """test_views: an AxisError, not an IndexError."""
    compare(lambda: np.swapaxes(np.array(1.0), 0, 0), lambda: lnp.swapaxes(lnp.array(1.0), 0, 0))


def test_take_and_compress_of_empty_outer_axes():
    """test_take_put_nonzero: with no outer index (a zero-length axis before ``axis``),
    NumPy's result is empty and it never checks the indices' bounds; take with a list
    of indices and compress with a long condition raised IndexError."""
    cond = np.array([True, False, True, True, False, True])
    for shape, axis, idx in (((2, 0, 2), 2, [0, 5]), ((0, 3), 1, [7]), ((0, 2, 3), 2, [[1, -9]]), ((2, 0, 2), 1, [3]), ((2, 3), 1, [5])):
        x = np.zeros(shape, np.int16)
        for mode in ("raise", "clip", "wrap"):
            compare(lambda: np.take(x, idx, axis=axis, mode=mode), lambda: lnp.take(lnp.array(x), idx, axis=axis, mode=mode))
        compare(lambda: np.compress(cond, x, axis=axis), lambda: lnp.compress(lnp.array(cond), lnp.array(x), axis=axis))


def test_setitem_empty_value_of_more_dimensions():
    """test_setitem: an integer-array key whose result is empty takes an empty value of
    more dimensions when its trailing ones fit (NumPy reshapes the value to them)."""

    def assign(a, key, v):
        a[key] = v
        return a

    cases = [
        ((1,), [], (2, 0)), ((3,), [], (5, 3, 0)), ((3,), [], (2, 0, 1)), ((3,), [], (0, 3)),
        ((3, 4), ([], slice(None)), (5, 0, 4)), ((3, 4), ([], slice(None)), (2, 0)),
        ((3, 0), [0, 1], (5, 2, 0)), ((3,), [0, 1], (3, 2)),
    ]
    for shape, key, vshape in cases:
        compare(lambda: assign(np.zeros(shape, bool), key, np.ones(vshape, bool)), lambda: assign(lnp.zeros(shape, bool), key, lnp.ones(vshape, bool)))


def test_unary_in_place_on_a_strided_view():
    """test_program: ``negative(v, out=v)`` of a strided view (NumPy 2.4.6 reads such an
    input at the wrong stride; the reference here is NumPy's defined result, the
    operation on a copy)."""
    for key in ((slice(0, 4, 2), 0), (slice(0, 4, 2), slice(0, 1)), (slice(None, None, -3), slice(1, 4, 2))):
        for name in ("negative", "absolute", "sqrt"):
            b = np.arange(16.0).reshape(4, 4) - 5
            lb = lnp.array(b)
            v, lv = b[key], lb[key]
            expect = b.copy()
            expect[key] = getattr(np, name)(v.copy())
            getattr(lnp, name)(lv, out=lv)
            np.testing.assert_array_equal(np.asarray(lb), expect)
