"""packbits/unpackbits and histogram2d/histogramdd/histogram_bin_edges, natively,
against NumPy in the same test."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import check

import legate_numeric as lnp

PACK_CASES = [((13,), None), ((3, 10), 1), ((10, 3), 0), ((2, 3, 9), -1), ((0,), None), ((4, 0), 1), ((), None)]


@pytest.mark.parametrize("shape,axis", PACK_CASES)
@pytest.mark.parametrize("bitorder", ["big", "little"])
def test_pack_unpack(shape, axis, bitorder):
    x = np.random.default_rng(len(shape)).integers(0, 3, shape).astype(np.int32)
    packed = np.packbits(x, axis=axis, bitorder=bitorder)
    check(lnp.packbits(lnp.array(x), axis=axis, bitorder=bitorder), packed)
    check(lnp.packbits(lnp.array(x > 0)[...], axis=axis, bitorder=bitorder), packed)
    counts = (None, 3, -2, 100) if packed.size else (None,)  # NumPy leaves padding of an empty input unset
    for count in counts:
        check(lnp.unpackbits(lnp.array(packed), axis=axis, count=count, bitorder=bitorder),
              np.unpackbits(packed, axis=axis, count=count, bitorder=bitorder))


def test_pack_view_and_errors():
    x = np.arange(40).reshape(5, 8) % 3
    check(lnp.packbits(lnp.array(x)[:, ::3].T, axis=1), np.packbits(x[:, ::3].T, axis=1))
    with pytest.raises(TypeError):
        lnp.packbits(lnp.ones(3))
    with pytest.raises(TypeError):
        lnp.unpackbits(lnp.ones(3, np.int32))
    with pytest.raises(ValueError):
        lnp.packbits(lnp.ones(3, bool), bitorder="middle")
    with pytest.raises(ValueError):
        lnp.unpackbits(lnp.ones(1, np.uint8), count=-9)


HIST_CASES = [{}, dict(bins=5), dict(bins=[3, 4]), dict(bins=[np.array([-1, 0, 1.0]), 4]),
              dict(bins=4, range=[[-1, 1], [0, 2]]), dict(bins=3, density=True), dict(bins=3, weights=True),
              dict(bins=np.linspace(-2, 2, 5))]


@pytest.mark.parametrize("kw", HIST_CASES, ids=[str(i) for i in range(len(HIST_CASES))])
def test_histogram2d(kw):
    r = np.random.default_rng(3)
    x, y, w = r.normal(size=50), r.normal(size=50), r.uniform(size=50)
    kw_np = dict(kw, weights=w) if "weights" in kw else kw
    kw_l = dict(kw, weights=lnp.array(w)) if "weights" in kw else kw
    exp = np.histogram2d(x, y, **kw_np)
    got = lnp.histogram2d(lnp.array(x), lnp.array(y), **kw_l)
    for e, g in zip(exp, got):
        check(g, e)


def test_histogram2d_of_mixed_types_has_edges_of_their_common_type():
    # NumPy stacks x and y into one sample: float32 x with float64 y gives float64 edges.
    x = np.array([0.5, 1.25, 3.0, 2.0], dtype=np.float32)
    y = np.array([1, 0, 2, 5])
    for a, b in ((x, y.astype(np.float64)), (x, y), (y, y.astype(np.int8))):
        exp, got = np.histogram2d(a, b, bins=3), lnp.histogram2d(lnp.array(a), lnp.array(b), bins=3)
        for e, g in zip(exp, got):
            check(g, e)


def test_histogramdd_and_bin_edges():
    r = np.random.default_rng(4)
    s = r.normal(size=(40, 3))
    exp, got = np.histogramdd(s, bins=(2, 3, 4)), lnp.histogramdd(lnp.array(s), bins=(2, 3, 4))
    check(got[0], exp[0])
    for e, g in zip(exp[1], got[1]):
        check(g, e)
    ints = r.integers(0, 5, size=(20, 2))
    exp, got = np.histogramdd(ints, bins=3), lnp.histogramdd(lnp.array(ints), bins=3)
    check(got[0], exp[0])
    check(lnp.histogramdd(lnp.array(s[:, 0]), bins=4)[0], np.histogramdd(s[:, 0], bins=4)[0])
    check(lnp.histogram_bin_edges(lnp.array(s[:, 0]), 5), np.histogram_bin_edges(s[:, 0], 5))
    check(lnp.histogram_bin_edges(lnp.array(s[:, 0]), [0, 1, 3]), np.histogram_bin_edges(s[:, 0], [0, 1, 3]))
    with pytest.raises(ValueError):
        lnp.histogramdd(lnp.array(s), bins=[2, 3])
    with pytest.raises(ValueError):
        lnp.histogram2d(lnp.array(s[:, 0]), lnp.array(s[:, 1]), bins=[[0, 2, 1], 3])


@pytest.mark.parametrize("rule", ["auto", "fd", "doane", "rice", "scott", "sqrt", "sturges", "stone"])
def test_histogram_string_rules(rule, monkeypatch):
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")  # native, not NumPy's
    r = np.random.default_rng(5)
    for d in (r.normal(size=200), r.integers(-50, 50, 300), r.integers(0, 3, 100).astype(np.int8), np.ones(10),
              r.exponential(size=64).astype(np.float32), r.integers(-128, 127, 150).astype(np.int8), np.float16(r.normal(size=90)),
              (r.normal(size=80) * 1000).astype(np.float32), np.array([2.5])):
        for rng in (None, (0, 1) if d.dtype.kind == "f" else (0, 5)):
            with warnings.catch_warnings(record=True) as exp_warnings:
                warnings.simplefilter("always")
                exp = np.histogram(d, rule, range=rng)
            with warnings.catch_warnings(record=True) as got_warnings:
                warnings.simplefilter("always")
                got = lnp.histogram(lnp.array(d), rule, range=rng)
            # stone's "may be suboptimal" when the search ends at its bound, as NumPy's.
            assert [str(w.message) for w in got_warnings] == [str(w.message) for w in exp_warnings]
            check(got[0], exp[0])
            check(got[1], exp[1])
            check(lnp.histogram_bin_edges(lnp.array(d), rule, range=rng), np.histogram_bin_edges(d, rule, range=rng))
    with pytest.raises(ValueError):
        lnp.histogram(lnp.ones(3), "nope")
    with pytest.raises(TypeError):
        lnp.histogram(lnp.ones(3), rule, weights=lnp.ones(3))


def test_histogram_of_bools_and_small_integers(monkeypatch):
    # bools become uint8 with NumPy's warning; int8 extents are measured unsigned (no
    # overflow in max - min).
    monkeypatch.setenv("LEGATE_NUMERIC_FALLBACK", "0")
    r = np.random.default_rng(6)
    b = r.integers(0, 2, 40).astype(bool)
    with pytest.warns(RuntimeWarning, match="Converting input from bool"):
        exp = np.histogram(b, bins=3)
    with pytest.warns(RuntimeWarning, match="Converting input from bool"):
        got = lnp.histogram(lnp.array(b), bins=3)
    check(got[0], exp[0])
    check(got[1], exp[1])
    for dt in (np.int8, np.uint8, np.int16):
        info = np.iinfo(dt)
        d = r.integers(info.min, info.max, 300, endpoint=True).astype(dt)
        d[:2] = info.min, info.max
        for bins in (1, 10, 37):
            exp = np.histogram(d, bins=bins)
            got = lnp.histogram(lnp.array(d), bins=bins)
            check(got[0], exp[0])
            check(got[1], exp[1])


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_linspace_in_narrow_floats(dtype, no_fallback):
    # Steps computed in the bounds' own type, as NumPy's linspace (histogram edges too).
    r = np.random.default_rng(7)
    for _ in range(10):
        lo, hi = dtype(r.normal() * 10), dtype(r.normal() * 100)
        for num in (0, 1, 2, 12, 301):
            for endpoint in (True, False):
                exp, exp_step = np.linspace(lo, hi, num, endpoint=endpoint, retstep=True)
                got, got_step = lnp.linspace(lo, hi, num, endpoint=endpoint, retstep=True)
                check(got, exp, exact=True)
                assert type(got_step) is type(exp_step) and (got_step == exp_step or (np.isnan(got_step) and np.isnan(exp_step)))
    # A step that underflows to zero: positions over div, times the extent.
    check(lnp.linspace(dtype(1), dtype(1) + np.finfo(dtype).eps, 7), np.linspace(dtype(1), dtype(1) + np.finfo(dtype).eps, 7), exact=True)
