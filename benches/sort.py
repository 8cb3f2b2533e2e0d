"""Sorting against NumPy, every common dtype: `sort` and `argsort` of a 1-d array of
10^7 (a sample sort across the processors) and along the last axis of 1,000 x 10,000
(whole lines per point). Each ratio is NumPy's time over legate's from the same run
(best of a few; legate's runs end with a fence). legate's argsort is always stable;
NumPy's is timed as a user calls it, `np.argsort(a)` (its default kind).

    LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/sort.py [float64 int32 ...]
"""

import sys
import time

import numpy

import legate_numeric
from legate.timing import time as legate_time

DTYPES = ["float64", "float32", "int64", "int32", "int16", "uint8"]


def best(fn, fence, repeat=4):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        if fence:
            legate_time("s")
        times.append(time.perf_counter() - t0)
    return min(times)


def data(dtype, shape, rng):
    if numpy.dtype(dtype).kind == "f":
        return (rng.standard_normal(shape) * 1000).astype(dtype)
    info = numpy.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def main():
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    rng = numpy.random.default_rng(0)
    print(f"{'case':26s} {'numpy ms':>9s} {'legate ms':>10s} {'speedup':>8s}")
    for dtype in only or DTYPES:
        for shape, axis in (((10**7,), None), ((1000, 10_000), -1)):
            x = data(dtype, shape, rng)
            a = legate_numeric.array(x)
            where = "1-d" if axis is None else "2-d, axis -1"
            for name in ("sort", "argsort"):
                np_fn, lg_fn = getattr(numpy, name), getattr(legate_numeric, name)
                kw = {} if axis is None else {"axis": axis}
                t_np = best(lambda: np_fn(x, **kw), False)
                t_lg = best(lambda: lg_fn(a, **kw), True)
                label = f"{name} {dtype} {where}"
                print(f"{label:26s} {t_np * 1e3:9.1f} {t_lg * 1e3:10.1f} {t_np / t_lg:7.2f}x", flush=True)


if __name__ == "__main__":
    main()
