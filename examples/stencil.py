"""5-point stencil (heat diffusion) on an N x N grid with fixed boundaries (views)."""

from _common import Timer, parse

args, np = parse(__doc__, n=1000, iterations=50)
n = args.n
grid = np.zeros((n + 2, n + 2))
grid[0, :] = 1.0  # a hot top edge
center = grid[1:-1, 1:-1]
north, south = grid[:-2, 1:-1], grid[2:, 1:-1]
west, east = grid[1:-1, :-2], grid[1:-1, 2:]

with Timer(args.package):
    for _ in range(args.iterations):
        center[:] = 0.2 * (center + north + south + east + west)

heat = float(grid[1:-1, 1:-1].sum())
print(f"total interior heat: {heat:.6f}")
# Heat enters from the top edge only: it is positive and bounded by the interior size.
assert 0.0 < heat < n * n, "stencil result out of range"
