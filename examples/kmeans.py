"""k-means clustering of points drawn around known centers (distances via matmul)."""

from _common import Timer, parse

args, np = parse(__doc__, n=100_000, k=4, iterations=10)
true_centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])[: args.k]
which = np.arange(args.n) % args.k
jitter = np.sin(np.arange(args.n * 2.0)).reshape(args.n, 2)  # deterministic noise in [-1, 1]
points = true_centers[which] + jitter
centers = points[: args.k].copy() + 0.5

with Timer(args.package):
    for _ in range(args.iterations):
        # |p - c|^2 = |p|^2 - 2 p.c + |c|^2, for all pairs at once.
        d2 = (points * points).sum(axis=1).reshape(-1, 1) - 2.0 * (points @ centers.T) + (centers * centers).sum(axis=1)
        label = d2.argmin(axis=1)
        for c in range(args.k):
            mask = label == c
            count = float(mask.sum())
            if count:
                centers[c] = (points * mask.reshape(-1, 1)).sum(axis=0) / count

err = float(np.abs(np.sort(centers, axis=0) - np.sort(true_centers, axis=0)).max())
print(f"largest center error: {err:.3f}")
assert err < 0.5, "k-means did not find the centers"
