"""legate_sparse against SciPy, side by side in one process, on 2-D Poisson matrices.

Run: `LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/sparse.py [--quick] [--size ROWS]`.
Cases: SpMV, CSC @ x, SpMM (8 right-hand sides), SpGEMM (A @ A, and R @ R for a random R of a
tenth of the rows with 10 entries a row) and 100 CG iterations. Prints
each time and the ratio SciPy time / legate time (> 1 means legate is faster); for
SpMV also the bandwidth each side reaches (data + indices + row offsets + x + y bytes
per product) against the machine's ~30 GB/s, the same SpMV reading every row's column
indices instead of its pattern, and with int64 indices. `--size` is the number of rows (rounded to a square
grid, up to ~4e6); the default is modest, `--quick` small.
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

PEAK_GBS = 30.0


def timed(is_legate, fn, repeat=3):
    """Best wall time of `fn` over a few runs (legate runs end with a fence)."""
    best = math.inf
    for _ in range(repeat):
        if is_legate:
            t0 = legate_time("s")
            fn()
            best = min(best, legate_time("s") - t0)
        else:
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
    return best


def poisson(n):
    T = sp.diags_array([-numpy.ones(n - 1), 2 * numpy.ones(n), -numpy.ones(n - 1)], offsets=[-1, 0, 1])
    return sp.kronsum(T, T, format="csr")


def bandwidth(S, A, t_scipy, t_legate):
    """The GB/s each side streams: data and indices per entry, x and y per row, and
    per row one offset of indptr (both read it in place when it has the indices'
    dtype; legate_sparse reads its two-int64 row ranges otherwise). With row patterns
    legate_sparse reads no indices and no offsets, but one byte a row."""
    per_row = 2 * S.data.itemsize
    scipy_bytes = S.nnz * (S.data.itemsize + S.indices.itemsize) + S.shape[0] * (per_row + S.indptr.itemsize)
    if _kernels.PATTERNS and A._patterns_cache:
        legate_bytes = S.nnz * S.data.itemsize + S.shape[0] * (per_row + 1)
    else:
        offset = A.indptr.dtype.itemsize if A.indptr.dtype == A.indices.dtype else 16
        legate_bytes = S.nnz * (S.data.itemsize + A.indices.dtype.itemsize) + S.shape[0] * (per_row + offset)
    gbs = legate_bytes / t_legate / 1e9
    return (f"   legate {gbs:5.1f} GB/s ({100 * gbs / PEAK_GBS:.0f}% of ~{PEAK_GBS:.0f}), "
            f"{legate_bytes / S.nnz:.1f} B/nnz; scipy {scipy_bytes / t_scipy / 1e9:5.1f} GB/s, {scipy_bytes / S.nnz:.1f} B/nnz")


def report(name, t_scipy, t_legate, extra=""):
    print(f"{name:<22} scipy {t_scipy * 1e3:10.3f} ms   legate {t_legate * 1e3:10.3f} ms   ratio {t_scipy / t_legate:6.2f}{extra}")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    p.add_argument("--size", type=int, default=None, help="rows of the Poisson matrix (default 1e6, quick 6e4)")
    args = p.parse_args()
    rows = args.size or (60_000 if args.quick else 1_000_000)
    n = max(2, int(math.sqrt(rows)))
    repeat = 1 if args.quick else 3
    S = poisson(n)
    A = legate_sparse.csr_array(S)
    print(f"2-D Poisson {n}x{n}: {S.shape[0]} rows, {S.nnz} nonzeros; native kernels: {_kernels.native_available()}")

    x_np = numpy.random.default_rng(0).uniform(size=S.shape[0])
    x = lnp.asarray(x_np)
    A @ x  # warm up (row ids, pools)
    A @ x  # the second product inspects the row patterns
    t_s = timed(False, lambda: S @ x_np, repeat)
    t_l = timed(True, lambda: A @ x, repeat)
    report("SpMV", t_s, t_l, bandwidth(S, A, t_s, t_l))
    _kernels.PATTERNS = False  # every row's column indices, as before the patterns
    t_i = timed(True, lambda: A @ x, repeat)
    report("SpMV, no patterns", t_s, t_i, bandwidth(S, A, t_s, t_i))
    _kernels.PATTERNS = True
    # The same product with int64 indices and indptr (SciPy's choice for large
    # matrices): 16 instead of 12 bytes per entry, 8 instead of 4 per row.
    A64 = legate_sparse.csr_array(S)
    A64.indices = lnp.asarray(S.indices.astype(numpy.int64))
    A64.indptr = lnp.asarray(S.indptr.astype(numpy.int64))
    A64 @ x
    A64 @ x
    t_64 = timed(True, lambda: A64 @ x, repeat)
    report("SpMV, int64 indices", t_s, t_64, bandwidth(S, A64, t_s, t_64))

    # A CSC matrix's product: each point scatters into its part of y (a reduction).
    C_np = S.tocsc()
    C = legate_sparse.csc_array(C_np)
    C @ x
    report("CSC @ x", timed(False, lambda: C_np @ x_np, repeat), timed(True, lambda: C @ x, repeat))

    X_np = numpy.random.default_rng(1).uniform(size=(S.shape[0], 8))
    X = lnp.asarray(X_np)
    A @ X
    report("SpMM (8 columns)", timed(False, lambda: S @ X_np, repeat), timed(True, lambda: A @ X, repeat))

    report("SpGEMM (A @ A)", timed(False, lambda: S @ S, repeat), timed(True, lambda: A @ A, repeat))
    # A random matrix: the rows of B a row of A meets lie anywhere (cache misses, not a band).
    m = max(10, S.shape[0] // 10)
    R = sp.random_array((m, m), density=10 / m, format="csr", rng=numpy.random.default_rng(2))
    R.sort_indices()
    Rl = legate_sparse.csr_array(R)
    Rl @ Rl
    report(f"SpGEMM random {m}x{m}, 10/row", timed(False, lambda: R @ R, repeat), timed(True, lambda: Rl @ Rl, repeat))

    b_np = numpy.ones(S.shape[0])
    b = lnp.ones(S.shape[0])
    its = 100
    # Best of `repeat` solves (one solve's time moves by a third between runs on the VM).
    t_s = timed(False, lambda: spla.cg(S, b_np, rtol=1e-30, maxiter=its), repeat)
    t_l = timed(True, lambda: legate_sparse.linalg.cg(A, b, rtol=1e-30, maxiter=its), repeat)
    report(f"CG ({its} iterations)", t_s, t_l)


if __name__ == "__main__":
    main()
