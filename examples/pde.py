"""2-D Poisson equation -Δu = f on the unit square (zero boundary), 5-point stencil,
solved with conjugate gradients (legate_sparse.linalg.cg on legate_numeric vectors, or
scipy.sparse.linalg.cg with `--package numpy`). Checks the discretization error."""

import math

from _common import Timer, parse
from _sparse_common import poisson2d, sparse_modules

args, np = parse(__doc__, n=128, maxiter=2000)
sparse, splinalg = sparse_modules(args.package)
n = args.n
h = 1.0 / (n + 1)
A = poisson2d(sparse, np, n, h * h)
grid = np.linspace(h, 1.0 - h, n)
X, Y = np.meshgrid(grid, grid, indexing="ij")
u_exact = (np.sin(math.pi * X) * np.sin(math.pi * Y)).reshape(-1)
f = 2.0 * math.pi**2 * u_exact

with Timer(args.package):
    u, info = splinalg.cg(A, f, rtol=1e-10, maxiter=args.maxiter)
    residual = float(np.linalg.norm(f - A @ u)) / float(np.linalg.norm(f))

error = float(np.max(np.abs(u - u_exact)))
print(f"grid {n}x{n}, unknowns {n * n}, info {info}, relative residual {residual:.3e}, max error {error:.3e}")
assert info == 0 and residual < 1e-9, "CG did not converge"
assert error < 2.0 * h, "discretization error too large"
