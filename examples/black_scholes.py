"""Black-Scholes option pricing on N options (elementwise math, bandwidth-bound)."""

import math

from _common import Timer, parse

args, np = parse(__doc__, n=1_000_000, iterations=3)
S = np.linspace(60.0, 140.0, args.n)  # spot prices
X = np.full(args.n, 100.0)  # strikes
T = np.linspace(0.25, 2.0, args.n)  # years to expiry
r, v = 0.02, 0.3


def cnd(d):
    """Standard normal CDF via the Abramowitz-Stegun polynomial."""
    a1, a2, a3, a4, a5 = 0.31938153, -0.356563782, 1.781477937, -1.821255978, 1.330274429
    k = 1.0 / (1.0 + 0.2316419 * np.absolute(d))
    w = 1.0 - 1.0 / math.sqrt(2 * math.pi) * np.exp(-d * d / 2.0) * (
        a1 * k + a2 * k**2 + a3 * k**3 + a4 * k**4 + a5 * k**5
    )
    return np.where(d < 0, 1.0 - w, w)


with Timer(args.package):
    for _ in range(args.iterations):
        sqrt_t = np.sqrt(T)
        d1 = (np.log(S / X) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
        d2 = d1 - v * sqrt_t
        call = S * cnd(d1) - X * np.exp(-r * T) * cnd(d2)
        put = X * np.exp(-r * T) * cnd(-d2) - S * cnd(-d1)

# Put-call parity: C - P = S - X e^{-rT}.
parity = float(np.max(np.absolute(call - put - (S - X * np.exp(-r * T)))))
print(f"put-call parity error: {parity:.3e}")
assert parity < 1e-6, "put-call parity violated"
