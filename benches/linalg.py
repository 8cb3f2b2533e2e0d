"""Matrix-vector products, matmul and dense CG: legate_numeric against NumPy.

Run: `LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/linalg.py [ROUNDS] [case ...]`
(cases: `Ax xA Ax32 mm64 mm32 mmrect cg cgf`; ROUNDS defaults to 10).

The two run alternately, ROUNDS times each, and the best time of each is kept: on a
shared machine a quiet moment then serves both. Prints both times, the ratio NumPy
time / legate time (> 1: legate is faster), and the rate each achieved: GB/s of
matrix read for the memory-bound cases (matrix-vector products, CG), GFLOP/s for
matmul (2 m n k). The 2-core development VM's limits: about 30 GB/s from memory (22 on
one core; a 32 MB matrix partly stays in its 32 MB L3, so repeated products can read
faster), about 100 GFLOP/s float64 (200 float32).
"""

from __future__ import annotations

import math
import sys
import time

import numpy

import legate_numeric
from legate.timing import time as legate_time
from numeric import cg, cg_float  # benches/numeric.py's dense CG (25 iterations, n = 2000)


def clock(np):
    return time.perf_counter() if np is numpy else legate_time("s")


def matvec(n, reps, left, dtype="float64"):
    def make(np):
        a = np.ones((n, n), dtype=dtype) * 0.5
        x = np.ones(n, dtype=dtype)

        def run():
            for _ in range(reps):
                y = (x @ a) if left else (a @ x)
            float(y[0])

        return run

    return make


def matmul(dtype, m, k, n):
    def make(np):
        a = np.ones((m, k), dtype=dtype)
        b = np.ones((k, n), dtype=dtype)

        def run():
            float((a @ b)[0, 0])

        return run

    return make


N, MAT = 2000, 2048
CASES = {
    "Ax": ("A @ x (x10)", f"{N}^2", matvec(N, 10, False), 10 * N * N * 8, "GB/s"),
    "xA": ("x @ A (x10)", f"{N}^2", matvec(N, 10, True), 10 * N * N * 8, "GB/s"),
    "Ax32": ("A @ x f32 (x10)", f"{N}^2", matvec(N, 10, False, "float32"), 10 * N * N * 4, "GB/s"),
    "mm64": ("matmul f64", f"{MAT}^2", matmul("float64", MAT, MAT, MAT), 2 * MAT**3, "GFLOP/s"),
    "mm32": ("matmul f32", f"{MAT}^2", matmul("float32", MAT, MAT, MAT), 2 * MAT**3, "GFLOP/s"),
    "mmrect": ("matmul f64", "2048x1000x3000", matmul("float64", 2048, 1000, 3000), 2 * 2048 * 1000 * 3000, "GFLOP/s"),
    "cg": ("dense CG (25 it)", f"{N}^2", cg, 26 * N * N * 8, "GB/s"),
    "cgf": ("CG, float() steps", f"{N}^2", cg_float, 26 * N * N * 8, "GB/s"),
}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    rounds = int(args.pop(0)) if args and args[0].isdigit() else 10
    which = args or list(CASES)
    print(f"legate_numeric vs NumPy {numpy.__version__}, best of {rounds} alternating runs")
    print(f"{'case':18s} {'size':>15s} {'numpy s':>9s} {'legate s':>9s} {'speedup':>8s}   numpy / legate rate")
    for key in which:
        name, size, make, work, unit = CASES[key]
        runs = {np: make(np) for np in (numpy, legate_numeric)}
        best = {np: math.inf for np in runs}
        for np, run in runs.items():
            run()  # warm up: first touch, pools, plans
        for _ in range(rounds):
            for np, run in runs.items():
                t0 = clock(np)
                run()
                best[np] = min(best[np], clock(np) - t0)
                if np is numpy:
                    # OpenBLAS's threads spin for about 0.1 s after a call, taking cores
                    # from legate's processors; let them go to sleep first.
                    time.sleep(0.15)
        tn, tl = best[numpy], best[legate_numeric]
        print(f"{name:18s} {size:>15s} {tn:9.4f} {tl:9.4f} {tn / tl:7.2f}x   {work / tn / 1e9:6.1f} / {work / tl / 1e9:6.1f} {unit}", flush=True)


if __name__ == "__main__":
    main()
