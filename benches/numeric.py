"""legate_numeric against NumPy, side by side in one process.

Run: `make bench-numeric` (or `LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/numeric.py`).
Prints each time and the ratio NumPy time / legate time (> 1 means legate is faster).
Pass `--small` for a quick run with smaller sizes, and words of case names (`stencil`,
`matmul`, ...) to run only those cases.
"""

from __future__ import annotations

import math
import sys
import time

import numpy

import legate_numeric
from legate.timing import time as legate_time

SMALL = "--small" in sys.argv
N = 2_000_000 if SMALL else 20_000_000
MAT = 512 if SMALL else 2048
GRID = 1000 if SMALL else 4000
TINY_OPS = 2_000 if SMALL else 20_000
FFT2 = 512 if SMALL else 2048
RFFT = 1 << (18 if SMALL else 22)
SORT_N = 1_000_000 if SMALL else 10_000_000
POINTS = 100_000 if SMALL else 1_000_000
CG_N = 1000 if SMALL else 2000
CG_ITERATIONS = 25
STACK_SMALL = 100_000
STACK_LARGE = 400
KMEANS_ITERATIONS = 10
LOGREG_ITERATIONS = 20
# This machine's limits (2 cores): memory bandwidth and float64 FMA throughput.
LIMIT_GBS = 30.0
LIMIT_GFLOPS = 100.0


def timed(np, fn, repeat=3):
    """Best wall time of `fn` over a few runs (legate runs end with a fence)."""
    best = math.inf
    for _ in range(repeat):
        if np is numpy:
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        else:
            t0 = legate_time("s")
            fn()
            best = min(best, legate_time("s") - t0)
    return best


def axpb(np):
    a, b = np.ones(N), np.ones(N)
    a * 2 + b  # warm up (allocations, pools)
    return lambda: a * 2 + b


def black_scholes(np):
    S = np.full(N, 100.0)
    X = np.full(N, 98.0)
    T = np.full(N, 0.5)
    r, v = 0.02, 0.3

    def run():
        sqrt_t = np.sqrt(T)
        d1 = (np.log(S / X) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
        d2 = d1 - v * sqrt_t
        return S * np.exp(-r * T) * d1 - X * np.exp(-r * T) * d2

    run()
    return run


def ten_ops(np):
    """A 10-operation elementwise chain over two inputs (one fused pass when fusion is on)."""
    a = np.linspace(0.0, 1.0, N)
    b = np.linspace(1.0, 2.0, N)

    def run():
        # 10 operations: 2 multiplies, add, sqrt, negative, exp, multiply, subtract, divide, add.
        return np.sqrt(a * a + b * b) - np.exp(-a) * b + a / b

    run()
    return run


def total(np):
    a = np.ones(N)
    return lambda: float(a.sum())


def matmul(np):
    a = np.ones((MAT, MAT))
    b = np.ones((MAT, MAT))
    return lambda: a @ b


def stencil(np):
    g = np.ones((GRID, GRID))

    def run():
        center = g[1:-1, 1:-1]
        north, south = g[:-2, 1:-1], g[2:, 1:-1]
        east, west = g[1:-1, 2:], g[1:-1, :-2]
        g[1:-1, 1:-1] = 0.2 * (center + north + south + east + west)

    return run


def cg(np, lazy=True):
    """Dense CG. `lazy`: the step length as NumPy code writes it, `rs / (p @ Ap)` (in
    legate a 0-d array that nothing waits for); else
    `rs / float(p @ Ap)`, a number the program waits for."""
    n = CG_N
    A = np.eye(n) * np.linspace(1.0, 10.0, n) + np.ones((n, n)) * (1.0 / n)
    b = np.ones(n)

    def run():
        x = np.zeros(n)
        r = b - A @ x
        p = r
        rs = float(r @ r)
        for _ in range(CG_ITERATIONS):
            Ap = A @ p
            # As NumPy code writes it: the step length stays an array (0-d in legate,
            # so nothing waits for it); the convergence test reads one number.
            alpha = rs / (p @ Ap) if lazy else rs / float(p @ Ap)
            x = x + alpha * p
            r = r - alpha * Ap
            rs_new = float(r @ r)
            if rs_new < 1e-30:
                break
            p = r + (rs_new / rs) * p
            rs = rs_new
        return x

    return run


def cg_float(np):
    return cg(np, lazy=False)


def kmeans(np):
    """k-means on 2-d points around 8 known centers: distances through a matmul, labels by
    argmin, each center the mean of its points (one masked sum per cluster)."""
    k = 8
    grid = numpy.array([[i % 4, i // 4] for i in range(k)], dtype=float) * 10.0
    rng = numpy.random.default_rng(1)
    pts = grid[numpy.arange(POINTS) % k] + rng.standard_normal((POINTS, 2))
    points = np.array(pts) if np is not numpy else pts
    start = np.array(pts[:k] + 0.5) if np is not numpy else pts[:k] + 0.5

    def run():
        centers = start.copy()
        norms = (points * points).sum(axis=1).reshape(-1, 1)
        for _ in range(KMEANS_ITERATIONS):
            d2 = norms - 2.0 * (points @ centers.T) + (centers * centers).sum(axis=1)
            label = d2.argmin(axis=1)
            for c in range(k):
                mask = label == c
                count = float(mask.sum())
                if count:
                    centers[c] = (points * mask.reshape(-1, 1)).sum(axis=0) / count
        return centers

    return run


def logreg(np):
    """Logistic regression by gradient descent, 10^6 samples x 16 features: two
    matrix-vector products (X @ w, X.T @ r) and a sigmoid per step."""
    n, f = POINTS, 16
    rng = numpy.random.default_rng(2)
    features = rng.standard_normal((n, f))
    labels = (features @ numpy.linspace(-1.0, 1.0, f) > 0).astype(numpy.float64)
    X = np.array(features) if np is not numpy else features
    y = np.array(labels) if np is not numpy else labels

    def run():
        w = np.zeros(f)
        for _ in range(LOGREG_ITERATIONS):
            p = 1.0 / (1.0 + np.exp(-(X @ w)))
            w = w - (2.0 / n) * (X.T @ (p - y))
        return float(w[0])

    return run


def tiny(np):
    x = np.zeros(1024)
    y = np.ones(1024)

    def run():
        for _ in range(TINY_OPS):
            x[...] = x + 2 * y

    return run


def sort1d(np):
    a = numpy.random.default_rng(0).random(SORT_N)
    a = np.array(a) if np is not numpy else a
    return lambda: np.sort(a)


def median1d(np):
    a = numpy.random.default_rng(0).random(SORT_N)
    a = np.array(a) if np is not numpy else a
    return lambda: np.median(a)


def nanmedian1d(np):
    a = numpy.random.default_rng(0).random(SORT_N)
    a[::1000] = numpy.nan
    a = np.array(a) if np is not numpy else a
    return lambda: np.nanmedian(a)


def stacked(count, size):
    """`count` products of `size`-square matrices in one `@` (a batch of small ones)."""

    def make(np):
        rng = numpy.random.default_rng(0)
        a, b = (rng.random((count, size, size)) for _ in range(2))
        a, b = (np.array(a), np.array(b)) if np is not numpy else (a, b)
        return lambda: a @ b

    return make


def fft2(np):
    a = np.ones((FFT2, FFT2), dtype=numpy.complex128) * (1 + 2j)
    np.fft.fft2(a)  # warm up (plans, pools)
    return lambda: np.fft.fft2(a)


def rfft(np):
    a = np.linspace(0.0, 1.0, RFFT)
    np.fft.rfft(a)
    return lambda: np.fft.rfft(a)


GB = ("GB/s", 1e9, LIMIT_GBS)
GFLOP = ("GFLOP/s", 1e9, LIMIT_GFLOPS)

# (name, case, size, work): `work` is the bytes a case must move through memory at
# least, or the floating-point operations it must do, to print the rate legate reached
# against this machine's limit; None where neither bounds the case.
CASES = [
    ("a*2+b (f64)", axpb, f"{N:.0e}", (24 * N, GB)),
    ("black-scholes", black_scholes, f"{N:.0e}", (32 * N, GB)),
    ("10-op elementwise chain", ten_ops, f"{N:.0e}", (24 * N, GB)),
    ("sum", total, f"{N:.0e}", (8 * N, GB)),
    ("matmul", matmul, f"{MAT}^2", (2 * MAT**3, GFLOP)),
    ("5-point stencil", stencil, f"{GRID}^2", (16 * GRID**2, GB)),
    ("dense CG (25 it)", cg, f"{CG_N}^2", ((CG_ITERATIONS + 1) * 8 * CG_N**2, GB)),
    ("dense CG, float() steps", cg_float, f"{CG_N}^2", ((CG_ITERATIONS + 1) * 8 * CG_N**2, GB)),
    ("k-means (8 clusters)", kmeans, f"{POINTS:.0e}", None),
    ("logistic regression (x16)", logreg, f"{POINTS:.0e}", (LOGREG_ITERATIONS * 2 * 8 * 16 * POINTS, GB)),
    ("tiny ops x[...] = x + 2*y", tiny, f"{TINY_OPS} x 1024", None),
    ("sort 1-d (f64)", sort1d, f"{SORT_N:.0e}", None),
    ("median 1-d (f64)", median1d, f"{SORT_N:.0e}", (8 * SORT_N, GB)),
    ("nanmedian 1-d (f64)", nanmedian1d, f"{SORT_N:.0e}", (8 * SORT_N, GB)),
    ("stacked matmul 3x3", stacked(STACK_SMALL, 3), f"{STACK_SMALL:.0e}", None),
    ("stacked matmul 64x64", stacked(STACK_LARGE, 64), f"{STACK_LARGE}", (2 * STACK_LARGE * 64**3, GFLOP)),
    ("fft2 (c128)", fft2, f"{FFT2}^2", (5 * FFT2**2 * math.log2(FFT2**2), GFLOP)),
    ("rfft (f64)", rfft, f"2^{RFFT.bit_length() - 1}", (2.5 * RFFT * math.log2(RFFT), GFLOP)),
]


def rate(work, seconds):
    """`work` done in `seconds`, as legate's rate against this machine's limit."""
    if work is None:
        return ""
    amount, (unit, scale, limit) = work
    return f"  {amount / scale / seconds:6.1f} {unit} (limit {limit:g})"


# Run in a fresh interpreter by `one_shot`: the start-up phases of `make run`'s
# Black-Scholes, each timed on its own (seconds, one line of JSON).
_PHASES = r"""
import json, runpy, sys, time
example, package = sys.argv[1], sys.argv[2]
t = [time.perf_counter()]
import numpy
t.append(time.perf_counter())
if package == "legate":
    import legate_numeric
    t.append(time.perf_counter())
    from legate import _legate
    _legate.runtime_info()  # the runtime starts on first use
else:
    t.append(time.perf_counter())
t.append(time.perf_counter())
sys.argv = [example, "--package", package]
sys.path.insert(0, example.rsplit("/", 1)[0])
for _ in range(2):  # the first run (first touch of memory, first calls), then again
    runpy.run_path(example, run_name="__main__")
    t.append(time.perf_counter())
print(json.dumps([b - a for a, b in zip(t, t[1:])]))
"""


def one_shot():
    """`make run`'s Black-Scholes in a fresh process at its default size: the time it
    prints (first touch of memory and first calls included), the process's wall time
    (imports and runtime start too), and the phases: importing NumPy, importing
    legate_numeric, starting the runtime, the first run and a second run in the same
    process (steady state)."""
    import json
    import os
    import re
    import subprocess

    example = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "black_scholes.py")
    printed, process, phases = {}, {}, {}
    for package in ("numpy", "legate"):
        printed[package] = process[package] = math.inf
        phases[package] = [math.inf] * 5
        for _ in range(3):
            t0 = time.perf_counter()
            run = subprocess.run([sys.executable, example, "--package", package], check=True, capture_output=True, text=True)
            process[package] = min(process[package], time.perf_counter() - t0)
            ms = float(re.search(r"Elapsed Time: ([0-9.]+) ms", run.stdout).group(1))
            printed[package] = min(printed[package], ms / 1e3)
            run = subprocess.run([sys.executable, "-c", _PHASES, example, package], check=True, capture_output=True, text=True)
            times = json.loads(run.stdout.strip().splitlines()[-1])
            phases[package] = [min(a, b) for a, b in zip(phases[package], times)]
    for name, t in (("one-shot black-scholes", printed), ("  the whole process", process)):
        print(f"{name:30s} {'1e+06':>12s} {t['numpy']:10.4f} {t['legate']:10.4f} {t['numpy'] / t['legate']:8.2f}x", flush=True)
    labels = ("import numpy", "import legate_numeric", "runtime start", "first run (in process)", "second run (steady)")
    for i, label in enumerate(labels):
        t_np, t_lg = phases["numpy"][i], phases["legate"][i]
        ratio = f"{t_np / t_lg:8.2f}x" if i >= 3 else ""
        print(f"  {label:28s} {'':>12s} {t_np:10.4f} {t_lg:10.4f} {ratio}", flush=True)


def main():
    cfg = legate_numeric._fallback  # noqa: F841 - imports the runtime package
    from legate import _legate

    info = _legate.runtime_info()
    print(f"legate_numeric vs NumPy {numpy.__version__}  (legate: {info['flags']})")
    print(f"{'case':30s} {'size':>12s} {'numpy s':>10s} {'legate s':>10s} {'speedup':>8s}  legate's rate")
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    for name, make, size, work in CASES:
        if only and not any(o in name for o in only):
            continue
        t_np = timed(numpy, make(numpy))
        # NumPy's OpenBLAS threads spin for about 0.1 s after a BLAS call, taking cores
        # from legate's processors; let them go to sleep first.
        time.sleep(0.3)
        t_lg = timed(legate_numeric, make(legate_numeric))
        print(f"{name:30s} {size:>12s} {t_np:10.4f} {t_lg:10.4f} {t_np / t_lg:8.2f}x{rate(work, t_lg)}", flush=True)
    if not only or any(o in "one-shot" for o in only):
        one_shot()


if __name__ == "__main__":
    main()
