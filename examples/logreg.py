"""Logistic regression by gradient descent on separable synthetic data."""

from _common import Timer, parse

args, np = parse(__doc__, n=100_000, features=8, iterations=100)
n, f = args.n, args.features
X = np.sin(np.arange(n * f * 1.0).reshape(n, f) * 0.37)  # deterministic features
w_true = np.linspace(-1.0, 1.0, f)
y = (X @ w_true > 0).astype(np.float64)

w = np.zeros(f)
with Timer(args.package):
    for _ in range(args.iterations):
        z = X @ w
        p = 1.0 / (1.0 + np.exp(-z))
        grad = X.T @ (p - y) / n
        w -= 2.0 * grad

accuracy = float(((X @ w > 0) == (y > 0.5)).mean())
print(f"training accuracy: {accuracy:.4f}")
assert accuracy > 0.95, "logistic regression did not learn"
