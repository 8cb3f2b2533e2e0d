"""Fusion of elementwise chains: legate_numeric against NumPy in one process.

Run: `LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/fusion.py` (`--small` for
smaller sizes; words of case names to run only those). Prints each time, the ratio
NumPy time / legate time (> 1: legate is faster), the fused tasks and the operations
they absorbed. Run with `LEGATE_WINDOW_SIZE=1` for the same cases unfused.
"""

from __future__ import annotations

import math
import sys
import time

import numpy

import legate_numeric
from legate.timing import time as legate_time
from legate_numeric import _fusion

SMALL = "--small" in sys.argv
N = 2_000_000 if SMALL else 20_000_000
GRID = 1000 if SMALL else 4000
TINY_OPS = 2_000 if SMALL else 20_000


def timed(np, fn, repeat=3):
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


def black_scholes(np):
    """The benches/numeric.py formula (no `where`)."""
    S = np.full(N, 100.0) + np.linspace(-40.0, 40.0, N)
    X = np.full(N, 98.0)
    T = np.full(N, 0.5) + np.linspace(0.0, 1.5, N)
    r, v = 0.02, 0.3

    def run():
        sqrt_t = np.sqrt(T)
        d1 = (np.log(S / X) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
        d2 = d1 - v * sqrt_t
        return S * np.exp(-r * T) * d1 - X * np.exp(-r * T) * d2

    run()
    return run


def ten_ops(np):
    """A 10-operation elementwise expression over two inputs."""
    a = np.linspace(0.0, 1.0, N)
    b = np.linspace(1.0, 2.0, N)

    def run():
        # 10 operations: 2 multiplies, add, sqrt, negative, exp, multiply, subtract, divide, add.
        return np.sqrt(a * a + b * b) - np.exp(-a) * b + a / b

    run()
    return run


def stencil(np):
    g = np.ones((GRID, GRID))

    def run():
        center = g[1:-1, 1:-1]
        north, south = g[:-2, 1:-1], g[2:, 1:-1]
        east, west = g[1:-1, 2:], g[1:-1, :-2]
        g[1:-1, 1:-1] = 0.2 * (center + north + south + east + west)

    return run


def tiny(np):
    x = np.zeros(1024)
    y = np.ones(1024)

    def run():
        for _ in range(TINY_OPS):
            x[...] = x + 2 * y

    return run


CASES = [
    ("black-scholes", black_scholes, f"{N:.0e}", 3.0),
    ("10-op expression", ten_ops, f"{N:.0e}", 3.0),
    ("5-point stencil", stencil, f"{GRID}^2", 2.5),
    ("tiny ops x[...] = x + 2*y", tiny, f"{TINY_OPS} x 1024", 1.0),
]


def main():
    from legate import _legate

    info = _legate.runtime_info()
    print(f"fusion: legate_numeric vs NumPy {numpy.__version__}  (legate: {info['flags']}, fusion {'on' if _fusion.enabled() else 'off'})")
    print(f"{'case':30s} {'size':>12s} {'numpy s':>10s} {'legate s':>10s} {'speedup':>8s} {'target':>7s} {'fused tasks/ops':>16s}")
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    for name, make, size, target in CASES:
        if only and not any(o in name for o in only):
            continue
        t_np = timed(numpy, make(numpy))
        time.sleep(0.3)
        fn = make(legate_numeric)
        _fusion.flush()
        before = _fusion.stats()
        t_lg = timed(legate_numeric, fn)
        after = _fusion.stats()
        fused = f"{after['tasks'] - before['tasks']}/{after['ops'] - before['ops']}"
        print(f"{name:30s} {size:>12s} {t_np:10.4f} {t_lg:10.4f} {t_np / t_lg:8.2f}x {target:6.1f}x {fused:>16s}", flush=True)


if __name__ == "__main__":
    main()
