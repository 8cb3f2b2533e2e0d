"""A digest of seeded random arrays (legacy functions and Generators), which must not
depend on the number of ranks, and one of unseeded streams (seeded from the OS: rank
0's entropy on every rank), which must be the same on every rank. Usage:
``random_digest.py OUTDIR``: each rank writes the two digests to ``OUTDIR/rank<N>.txt``."""

import hashlib
import os
import sys

import numpy

import legate.core as lc
import legate_numeric as np

h = hashlib.sha256()


def add(x):
    a = numpy.ascontiguousarray(numpy.asarray(x))
    h.update(str((a.shape, a.dtype.str)).encode())
    h.update(a.tobytes())


np.random.seed(2024)
add(np.random.rand(1001))
add(np.random.randn(37, 29))
add(np.random.randint(-50, 50, (5, 7, 11)))
add(np.random.uniform(1, 2, 333))
g = np.random.default_rng(7)
add(g.random((100, 10)))
add(g.integers(0, 6, (9, 9, 9), dtype=numpy.uint8))
add(g.standard_normal((13, 31), dtype=numpy.float32))
add(g.normal(1, 2, 5000))
add(g.permutation(300))
# The per-element samplers (rejection reads each element's own stream), with array
# parameters split across the ranks too.
add(g.gamma(0.5, size=(40, 25)))
add(g.binomial([[5], [500]], [0.2, 0.7], size=(30, 2, 2)))
add(g.poisson(np.arange(99.0)))
add(g.hypergeometric(20, 30, 10, 201))
add(g.vonmises(0.3, 2.0, 333))
add(g.zipf(2.5, 77))
add(g.multinomial(30, [0.2, 0.3, 0.5], size=41))
add(np.random.negative_binomial(3, 0.4, 211))
seeded, h = h.hexdigest(), hashlib.sha256()
add(np.random.default_rng().random(5))
add(np.random.RandomState().randint(0, 1000, 5))
np.random.seed()
add(np.random.rand(5))
add(np.random.default_rng(np.random.SeedSequence()).integers(0, 1000, 5))
with open(os.path.join(sys.argv[1], f"rank{lc.get_rank()}.txt"), "w") as f:
    f.write(f"{seeded} {h.hexdigest()}\n")
