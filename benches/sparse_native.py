"""legate_sparse's CSR kernels against SciPy, side by side in one process.

Run: `LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/sparse_native.py [--small] [spmv|spgemm]`.
The matrix is the 2-D Poisson operator (5-point stencil) on a GRID x GRID grid. Prints
each time, the memory bandwidth SpMV reaches (bytes = data + indices + row pointers +
x + y, each library counted with its own array sizes), and the ratio SciPy time /
legate time (> 1 means legate is faster).
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import scipy.sparse as sp

import legate_numeric as lnp
from legate.timing import time as legate_time
from legate_sparse import _native as nat

SMALL = "--small" in sys.argv
GRID = 500 if SMALL else 2000
GEMM_GRID = 300 if SMALL else 1000
CASES = [a for a in sys.argv[1:] if not a.startswith("--")]


def poisson(grid: int) -> sp.csr_matrix:
    """The 5-point Laplacian on a grid x grid mesh, CSR with sorted indices."""
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(grid, grid))
    eye = sp.identity(grid)
    return (sp.kron(eye, t) + sp.kron(t, eye)).tocsr()


def best(fn, repeat: int, legate: bool) -> float:
    """Best wall time of `fn` (legate runs end with a fence)."""
    clock = (lambda: legate_time("s")) if legate else time.perf_counter
    out = math.inf
    for _ in range(repeat):
        t0 = clock()
        fn()
        out = min(out, clock() - t0)
    return out


def upload(A: sp.csr_matrix, index=np.int64):
    indptr = lnp.asarray(A.indptr.astype(index))
    return nat.row_ranges(indptr), lnp.asarray(A.indices.astype(index)), lnp.asarray(A.data)


def bench_spmv() -> None:
    A = poisson(GRID)
    n, nnz = A.shape[0], A.nnz
    x = np.random.default_rng(0).random(n)
    pos, indices, data = upload(A)
    lx, out = lnp.asarray(x), lnp.zeros(n)
    np.testing.assert_allclose(np.asarray(nat.spmv(pos, indices, data, lx)), A @ x, rtol=1e-12)

    t_scipy = best(lambda: A @ x, 10, legate=False)
    A64 = A.copy()
    A64.indices, A64.indptr = A.indices.astype(np.int64), A.indptr.astype(np.int64)
    t_scipy64 = best(lambda: A64 @ x, 10, legate=False)
    nat.spmv(pos, indices, data, lx, out=out)  # warm up
    t_legate = best(lambda: nat.spmv(pos, indices, data, lx, out=out), 10, legate=True)
    t_alloc = best(lambda: nat.spmv(pos, indices, data, lx), 10, legate=True)
    # int32 indices as SciPy keeps them; x is read through each row's column range.
    pos32, indices32, _ = upload(A, np.int32)
    cols = nat.column_ranges(pos32, indices32)
    nat.spmv(pos32, indices32, data, lx, out=out, cols=cols)  # warm up
    t_legate32 = best(lambda: nat.spmv(pos32, indices32, data, lx, out=out, cols=cols), 10, legate=True)

    def gbs(t, index_bytes, ptr_bytes):
        return (nnz * (8 + index_bytes) + n * (ptr_bytes + 16)) / t / 1e9

    print(f"SpMV, 2-D Poisson {GRID}x{GRID}: {n} rows, {nnz} entries")
    print(f"  scipy (int32 indices)     {t_scipy * 1e3:8.2f} ms  {gbs(t_scipy, 4, 4):6.2f} GB/s")
    print(f"  scipy (int64 indices)     {t_scipy64 * 1e3:8.2f} ms  {gbs(t_scipy64, 8, 8):6.2f} GB/s")
    print(f"  legate int32 (out=)       {t_legate32 * 1e3:8.2f} ms  {gbs(t_legate32, 4, 16):6.2f} GB/s")
    print(f"  legate int64 (out=)       {t_legate * 1e3:8.2f} ms  {gbs(t_legate, 8, 16):6.2f} GB/s")
    print(f"  legate int64 (new y)      {t_alloc * 1e3:8.2f} ms  {gbs(t_alloc, 8, 16):6.2f} GB/s")
    print(f"  ratio scipy/legate: int32 {t_scipy / t_legate32:.2f}x, int64 {t_scipy64 / t_legate:.2f}x (each against SciPy with the same indices)")


def bench_spgemm() -> None:
    A = poisson(GEMM_GRID)
    pos, indices, data = upload(A)
    n = A.shape[0]

    def run_legate():
        return nat.spgemm(pos, indices, data, pos, indices, data, n)

    indptr, c_indices, c_data = run_legate()
    C = A @ A
    C.sort_indices()
    np.testing.assert_array_equal(np.asarray(indptr), C.indptr)
    np.testing.assert_array_equal(np.asarray(c_indices), C.indices)
    t_scipy = best(lambda: A @ A, 5, legate=False)
    t_legate = best(run_legate, 5, legate=True)
    print(f"SpGEMM A @ A, 2-D Poisson {GEMM_GRID}x{GEMM_GRID}: {n} rows, {A.nnz} -> {C.nnz} entries")
    print(f"  scipy  {t_scipy * 1e3:8.2f} ms")
    print(f"  legate {t_legate * 1e3:8.2f} ms (sorted output)")
    print(f"  ratio scipy/legate: {t_scipy / t_legate:.2f}x")


if __name__ == "__main__":
    if not CASES or "spmv" in CASES:
        bench_spmv()
    if not CASES or "spgemm" in CASES:
        bench_spgemm()
