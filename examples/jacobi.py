"""Jacobi iteration for a diagonally dominant system A x = b (matvec + elementwise)."""

from _common import Timer, parse

args, np = parse(__doc__, n=1000, iterations=100)
n = args.n
A = np.ones((n, n)) + np.eye(n) * (2.0 * n)  # strictly diagonally dominant
x_true = np.linspace(-1.0, 1.0, n)
b = A @ x_true
d = np.full(n, 2.0 * n + 1.0)  # the diagonal of A
R = A - np.eye(n) * (2.0 * n + 1.0)  # off-diagonal part

x = np.zeros(n)
with Timer(args.package):
    for _ in range(args.iterations):
        x = (b - R @ x) / d

err = float(np.linalg.norm(x - x_true))
print(f"error after {args.iterations} iterations: {err:.3e}")
assert err < 1e-6, "Jacobi did not converge"
