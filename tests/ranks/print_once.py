"""Printing arrays: once by default (rank 0), on every rank with
``LEGATE_ALL_RANKS_PRINT=1``; conversions to NumPy gather on every rank.
Usage: ``print_once.py OUTDIR`` (each rank writes what it converted to
``OUTDIR/rank<N>.txt``)."""

import os
import sys

import numpy

import legate.core as lc
import legate_numeric as np

a = np.arange(12.0).reshape(3, 4) * 2
print("ARRAY", a.tolist())
print(repr(np.arange(5)))
print(np.ones(3, dtype=np.int32))
full = numpy.asarray(a)  # a conversion to NumPy: gathers on every rank
assert isinstance(full, numpy.ndarray)
assert full.tolist() == (numpy.arange(12.0).reshape(3, 4) * 2).tolist(), full
with open(os.path.join(sys.argv[1], f"rank{lc.get_rank()}.txt"), "w") as f:
    f.write(f"{full.sum()} {float(a.sum())} {a[1:, ::2].tolist()}\n")
