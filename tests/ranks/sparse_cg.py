"""CG on a 2-D Poisson problem with legate_sparse on every rank; compares the solution
with SciPy's (and a few eigenvalues of a small Poisson matrix from ``eigsh`` with the
dense spectrum), and writes, per rank, the bytes this rank's runtime moved per CG iteration
and the matrix's size to ``OUTDIR/rank<N>.txt``. Usage: ``sparse_cg.py OUTDIR [GRID]``."""

import json
import os
import sys

import numpy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import legate.core as lc
import legate_numeric as np
import legate_sparse as sparse
from legate_sparse import linalg

grid = int(sys.argv[2]) if len(sys.argv) > 2 else 48
T = sp.diags_array([-numpy.ones(grid - 1), 2 * numpy.ones(grid), -numpy.ones(grid - 1)], offsets=[-1, 0, 1])
S = sp.kronsum(T, T, format="csr")
n = S.shape[0]
b_host = numpy.sin(numpy.arange(n) * 0.01) + 1.0

A = sparse.csr_array(S)
b = np.asarray(b_host)
matrix_bytes = A.data.nbytes + A.indices.nbytes + A.indptr.nbytes
runtime = lc.get_legate_runtime()

# Warm up: the first iterations create the partitions and caches.
linalg.cg(A, b, maxiter=3)
iters = 40
before = runtime.stats()
x, info = linalg.cg(A, b, maxiter=iters, rtol=1e-30)
x_host = numpy.asarray(x)  # a gather, after the measured loop
after = runtime.stats()
moved = {k: (after[k] - before[k]) / iters for k in after}

xs, _ = spla.cg(S, b_host, maxiter=iters, rtol=1e-30)
err = numpy.linalg.norm(x_host - xs) / numpy.linalg.norm(xs)
assert err < 1e-8, err
x, info = linalg.cg(A, b, rtol=1e-8)
assert info == 0, info
res = numpy.linalg.norm(S @ numpy.asarray(x) - b_host) / numpy.linalg.norm(b_host)
assert res < 1e-7, res
# eigsh on a small grid (its double eigenvalues must be found on every rank count).
g = 12
Ts = sp.diags_array([-numpy.ones(g - 1), 2 * numpy.ones(g), -numpy.ones(g - 1)], offsets=[-1, 0, 1])
P = sp.kronsum(Ts, Ts, format="csr")
w = numpy.asarray(linalg.eigsh(sparse.csr_array(P), k=3, which="LA", return_eigenvectors=False))
ref = numpy.linalg.eigvalsh(P.toarray())[-3:]
assert numpy.allclose(numpy.sort(w), ref, rtol=1e-9), (w, ref)
with open(os.path.join(sys.argv[1], f"rank{lc.get_rank()}.txt"), "w") as f:
    json.dump({"per_iteration": moved, "matrix_bytes": matrix_bytes, "n": n, "err": err,
               "ranks": lc.get_num_ranks()}, f)
print("sparse_cg ok", json.dumps(moved), matrix_bytes)
