"""The 1-d sample sort across processors (``sort``/``argsort``/``unique`` of a 1-d
array), against NumPy: every dtype, NaNs of both signs, -0.0 beside 0.0, duplicates,
sorted and reversed input, strided views, and sizes that split unevenly over the
processors (the suite runs under 1, 2 and 4 CPUs)."""

import numpy as np
import pytest
from conftest import check

import legate_numeric as lnp

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
          np.float32, np.float64, np.complex64, np.complex128]
# Below and above the sampled sizes (8192 samples), and sizes that do not divide by 2, 3, 4.
SIZES = [2, 5, 1001, 20_011]


def values(dtype, n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(-40, 40, size=n)  # many duplicates
    if np.dtype(dtype).kind in "fc":
        x = x * 0.25 + rng.integers(0, 2, size=n) * rng.standard_normal(n)
    x = x.astype(dtype) if np.dtype(dtype).kind != "u" else (x + 40).astype(dtype)
    if np.dtype(dtype).kind == "f" and n > 4:
        x[1], x[-1], x[n // 2] = np.nan, -np.nan, np.inf
        x[2], x[3] = -0.0, 0.0
    if np.dtype(dtype).kind == "c" and n > 4:
        x[0], x[-1] = complex(np.nan, 1), complex(1, np.nan)
    return x


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_sort_and_argsort_1d(dtype, n, no_fallback):
    x = values(dtype, n)
    a = lnp.array(x)
    check(lnp.sort(a), np.sort(x))
    # Ties keep their input order: -0.0 and 0.0 are ties too, as in NumPy.
    check(lnp.argsort(a), np.argsort(x, kind="stable"))
    check(lnp.argsort(a, kind="stable"), np.argsort(x, kind="stable"))
    if x.dtype.kind == "f":  # -0.0 and 0.0 in their input order, NaNs' signs kept
        check(np.signbit(np.asarray(lnp.sort(a, kind="stable"))), np.signbit(np.sort(x, kind="stable")))


@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.uint8], ids=lambda d: np.dtype(d).name)
def test_ordered_constant_and_strided_input(dtype, no_fallback):
    n = 12_345
    for x in (np.arange(n).astype(dtype), np.arange(n)[::-1].astype(dtype), np.full(n, 3, dtype),
              values(dtype, 3 * n, seed=1)[::3], values(dtype, n, seed=2)[::-1]):
        a = lnp.array(x) if x.flags.c_contiguous else lnp.array(np.ascontiguousarray(x))
        check(lnp.sort(a), np.sort(x))
        check(lnp.argsort(a), np.argsort(x, kind="stable"))
    # Views of a legate array: strided and reversed.
    x = values(dtype, 3 * n, seed=3)
    a = lnp.array(x)
    check(lnp.sort(a[1::3]), np.sort(x[1::3]))
    check(lnp.argsort(a[::-2]), np.argsort(x[::-2], kind="stable"))
    a[::2].sort()
    x[::2].sort()
    check(a, x)


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.bool_], ids=lambda d: np.dtype(d).name)
def test_unique_1d(dtype, no_fallback):
    x = values(dtype, 20_011, seed=4)
    a = lnp.array(x)
    for got, want in zip(lnp.unique(a, return_index=True, return_inverse=True, return_counts=True),
                         np.unique(x, return_index=True, return_inverse=True, return_counts=True)):
        check(got, want)
    # Without positions unique sorts the values alone.
    check(lnp.unique(a), np.unique(x))
    for got, want in zip(lnp.unique(a, return_counts=True), np.unique(x, return_counts=True)):
        check(got, want)


def test_sort_0d_and_empty():
    with pytest.raises(np.exceptions.AxisError):
        lnp.sort(lnp.array(3.0))
    check(lnp.argsort(lnp.array(3.0)), np.argsort(np.array(3.0)))
    check(lnp.sort(lnp.array(np.zeros(0))), np.sort(np.zeros(0)))
    check(lnp.argsort(lnp.array(np.zeros(0, np.int8))), np.argsort(np.zeros(0, np.int8)))
