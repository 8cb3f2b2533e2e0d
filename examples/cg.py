"""Conjugate gradients on a dense symmetric positive definite system."""

from _common import Timer, parse

args, np = parse(__doc__, n=1000, iterations=200)
n = args.n
A = np.eye(n) * np.linspace(1.0, 10.0, n) + np.ones((n, n)) * (0.5 / n)  # SPD
x_true = np.ones(n)
b = A @ x_true

with Timer(args.package):
    x = np.zeros(n)
    r = b - A @ x
    p = r.copy()
    rs = float(r @ r)
    for it in range(args.iterations):
        Ap = A @ p
        alpha = rs / (p @ Ap)  # a 0-d array: legate does not wait for it
        x += alpha * p
        r -= alpha * Ap
        rs_new = float(r @ r)
        if rs_new < 1e-20:
            break
        p = r + (rs_new / rs) * p
        rs = rs_new

err = float(np.linalg.norm(x - x_true))
print(f"iterations: {it + 1}, error: {err:.3e}")
assert err < 1e-6, "CG did not converge"
