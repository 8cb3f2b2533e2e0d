"""Sparse matrix-vector products y = A @ x with a 2-D Poisson matrix (5 nonzeros per
row), repeated; prints the time per product and the effective bandwidth."""

from _common import Timer, parse
from _sparse_common import poisson2d, sparse_modules

args, np = parse(__doc__, n=512, iterations=20)
sparse, _ = sparse_modules(args.package)
A = poisson2d(sparse, np, args.n)
x = np.ones(A.shape[0])
y = A @ x  # warm up

with Timer(args.package) as t:
    for _ in range(args.iterations):
        y = A @ x
    total = float(y.sum())

rows, nnz = A.shape[0], A.nnz
moved = nnz * (8 + A.indices.dtype.itemsize) + (rows + 1) * A.indptr.dtype.itemsize + 2 * rows * 8
per = t.ms / args.iterations if hasattr(t, "ms") else float("nan")
print(f"{rows} rows, {nnz} nonzeros: {per:.3f} ms per SpMV, {moved / per / 1e6:.2f} GB/s")
assert abs(total - 4.0 * args.n) < 1e-6 * rows, "wrong SpMV result"  # boundary rows sum to 1 or 2
