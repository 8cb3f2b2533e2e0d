"""Where a CG iteration's time goes: legate_sparse's ``cg`` and its steps, against
SciPy's ``cg`` and the same steps in NumPy/SciPy, in one process.

Run: `LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/sparse_cg.py [--size ROWS] [--its N]`.
Each step runs ``N`` times in a loop ending with one fence (legate) and the best of a
few loops is divided by ``N``: the per-iteration cost of that step alone, tasks
pipelining as they do in the solver (except the scalar read, which waits).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import legate_numeric as lnp
import legate_sparse
from legate.timing import time as legate_time
from legate_sparse import _kernels


def per_iteration(is_legate, fn, its, repeat=3):
    best = math.inf
    for _ in range(repeat):
        t0 = legate_time("s") if is_legate else time.perf_counter()
        for _ in range(its):
            fn()
        t1 = legate_time("s") if is_legate else time.perf_counter()
        best = min(best, t1 - t0)
    return best / its


def poisson(n):
    T = sp.diags_array([-numpy.ones(n - 1), 2 * numpy.ones(n), -numpy.ones(n - 1)], offsets=[-1, 0, 1])
    return sp.kronsum(T, T, format="csr")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", type=int, default=1_000_000, help="rows of the Poisson matrix")
    p.add_argument("--its", type=int, default=100, help="iterations (and repetitions of each step)")
    args = p.parse_args()
    n = max(2, int(math.sqrt(args.size)))
    its = args.its
    S = poisson(n)
    A = legate_sparse.csr_array(S)
    rows = S.shape[0]
    print(f"2-D Poisson {n}x{n}: {rows} rows, {S.nnz} nonzeros; {its} iterations; times per iteration")

    rng = numpy.random.default_rng(0)
    xs, ys = rng.uniform(size=rows), rng.uniform(size=rows)
    x, y = lnp.asarray(xs), lnp.asarray(ys)
    q = lnp.zeros(rows)
    a0 = lnp.asarray(0.5)
    A @ x  # warm up (row ranges, image partitions)
    A @ x  # the second product inspects the row patterns
    steps = [
        ("SpMV q = A @ p", lambda: S @ xs, lambda: A @ x),
        ("SpMV into out=", lambda: S @ xs, lambda: A.dot(x, out=q)),
        ("dot(r, z) -> 0-d", lambda: numpy.dot(xs, ys), lambda: lnp.vdot(x, y)),
        ("dot + read (norm)", lambda: math.sqrt(numpy.dot(xs, xs)), lambda: math.sqrt(float(lnp.dot(x, x)))),
        ("0-d divide", lambda: 1.0 / 2.0, lambda: a0 / a0),
        ("x += alpha * p", lambda: xs.__iadd__(0.5 * ys), lambda: x.__iadd__(a0 * y)),
        ("p = p * beta + z", lambda: ys * 0.5 + xs, lambda: y * a0 + x),
        ("p *= beta; p += z", lambda: (ys.__imul__(1.0), ys.__iadd__(0.0)), lambda: (y.__imul__(a0), y.__iadd__(0.0))),
    ]
    for name, f_s, f_l in steps:
        t_s, t_l = per_iteration(False, f_s, its), per_iteration(True, f_l, its)
        print(f"  {name:<22} scipy {t_s * 1e3:8.3f} ms   legate {t_l * 1e3:8.3f} ms   ratio {t_s / t_l:5.2f}")

    b_np, b = numpy.ones(rows), lnp.ones(rows)
    t_s = per_iteration(False, lambda: spla.cg(S, b_np, rtol=1e-30, maxiter=its), 1, repeat=2) / its
    t_l = per_iteration(True, lambda: legate_sparse.linalg.cg(A, b, rtol=1e-30, maxiter=its), 1, repeat=2) / its
    print(f"  {'CG iteration':<22} scipy {t_s * 1e3:8.3f} ms   legate {t_l * 1e3:8.3f} ms   ratio {t_s / t_l:5.2f}")
    _kernels.PATTERNS = False  # the SpMV reads every row's column indices
    t_i = per_iteration(True, lambda: legate_sparse.linalg.cg(A, b, rtol=1e-30, maxiter=its), 1, repeat=2) / its
    _kernels.PATTERNS = True
    print(f"  {'CG, no patterns':<22} scipy {t_s * 1e3:8.3f} ms   legate {t_i * 1e3:8.3f} ms   ratio {t_s / t_i:5.2f}")
    # cg's loop as written there, with and without its one scalar read an iteration:
    # the difference is what waiting on the scalar (the runtime draining) costs.
    for read in (True, False):
        t_r = per_iteration(True, lambda: cg_loop(A, b, its, read), 1, repeat=2) / its
        label = "loop, scalar read" if read else "loop, no scalar read"
        print(f"  {label:<22} scipy {t_s * 1e3:8.3f} ms   legate {t_r * 1e3:8.3f} ms   ratio {t_s / t_r:5.2f}")


def cg_loop(A, b, its, read):
    """``its`` iterations of legate_sparse's unpreconditioned CG (the same 11 tasks),
    reading the residual norm each iteration (``read``, as cg does: after launching
    the next direction and its product) or never."""
    x, r, p, rho_prev = lnp.zeros(b.shape[0]), b.copy(), None, None
    for it in range(its):
        rho = lnp.vdot(r, r)
        p = r.copy() if it == 0 else p * (rho / rho_prev) + r
        q = A @ p
        if read:
            math.sqrt(float(rho.real))
        alpha = rho / lnp.vdot(p, q)
        x += alpha * p
        r -= alpha * q
        rho_prev = rho


if __name__ == "__main__":
    main()
