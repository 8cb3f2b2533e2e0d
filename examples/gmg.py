"""Geometric multigrid: a V-cycle (weighted Jacobi smoothing, full-weighting
restriction, bilinear prolongation, Galerkin coarse matrices R A P built with sparse
products, a direct solve on the coarsest grid) as the preconditioner of conjugate
gradients for the 2-D Poisson equation. Compares iterations with plain CG."""

from _common import Timer, parse
from _sparse_common import poisson2d, sparse_modules

args, np = parse(__doc__, levels=6, maxiter=500)
sparse, splinalg = sparse_modules(args.package)
n = 2**args.levels - 1  # interior points per side on the finest grid


def prolongation_1d(nc: int):
    """Linear interpolation from nc coarse points to 2 nc + 1 fine points."""
    j = np.arange(nc)
    rows = np.concatenate([2 * j, 2 * j + 1, 2 * j + 2])
    cols = np.concatenate([j, j, j])
    vals = np.concatenate([0.5 * np.ones(nc), np.ones(nc), 0.5 * np.ones(nc)])
    return sparse.coo_array((vals, (rows, cols)), shape=(2 * nc + 1, nc)).tocsr()


class Level:
    def __init__(self, A, P=None):
        self.A, self.P = A, P
        self.R = None if P is None else (P.T * 0.25).tocsr()
        self.dinv = 1.0 / A.diagonal()


levels = []
A = poisson2d(sparse, np, n)
size = n
while size > 7:
    nc = (size - 1) // 2
    P1 = prolongation_1d(nc)
    P = sparse.kron(P1, P1, format="csr")
    levels.append(Level(A, P))
    A = (levels[-1].R @ A @ P).tocsr()  # Galerkin coarse operator (SpGEMM)
    size = nc
coarsest = A.tocsc()
omega = 0.8


def smooth(level, x, b, sweeps=2):
    for _ in range(sweeps):
        x = x + omega * level.dinv * (b - level.A @ x)
    return x


def vcycle(b, depth=0):
    if depth == len(levels):
        return splinalg.spsolve(coarsest, b)
    level = levels[depth]
    x = smooth(level, 0.0 * b, b)
    r = b - level.A @ x
    x = x + level.P @ vcycle(level.R @ r, depth + 1)
    return smooth(level, x, b)


A0 = levels[0].A
N = A0.shape[0]
M = splinalg.LinearOperator((N, N), matvec=vcycle, dtype=float)
b = np.ones(N)
counts = {"pcg": 0, "cg": 0}

with Timer(args.package):
    x, info = splinalg.cg(A0, b, rtol=1e-8, maxiter=args.maxiter, M=M,
                          callback=lambda _: counts.__setitem__("pcg", counts["pcg"] + 1))

_, info_cg = splinalg.cg(A0, b, rtol=1e-8, maxiter=args.maxiter,
                         callback=lambda _: counts.__setitem__("cg", counts["cg"] + 1))
residual = float(np.linalg.norm(b - A0 @ x)) / float(np.linalg.norm(b))
print(f"grid {n}x{n}, {len(levels) + 1} levels: multigrid-preconditioned CG {counts['pcg']} iterations, "
      f"plain CG {counts['cg']}; relative residual {residual:.3e}")
assert info == 0 and residual < 1e-7, "preconditioned CG did not converge"
assert counts["pcg"] < counts["cg"], "the V-cycle did not help"
