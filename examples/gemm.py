"""Dense matrix multiplication C = A @ B, reporting GFLOP/s."""

from _common import Timer, parse

args, np = parse(__doc__, n=1024, iterations=3)
n = args.n
A = np.ones((n, n)) * 0.5
B = np.full((n, n), 2.0)

with Timer(args.package) as t:
    for _ in range(args.iterations):
        C = A @ B

print(f"GFLOP/s: {2.0 * n**3 * args.iterations / (t.ms * 1e6):.2f}")
assert float(C[0, 0]) == float(n) and float(C[n - 1, n - 1]) == float(n), "wrong product"
