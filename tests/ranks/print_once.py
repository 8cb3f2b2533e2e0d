"""Printing arrays: once by default (rank 0), on every rank with
``LEGATE_ALL_RANKS_PRINT=1``; conversions to NumPy gather on every rank; a file saved
to a path is there for every rank to load at once (rank 0 writes it, the others wait),
and a failed write raises on every rank. Usage: ``print_once.py OUTDIR`` (each rank
writes what it converted to ``OUTDIR/rank<N>.txt``)."""

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
# The same path rewritten and read back at once: every rank reads the latest file.
path = os.path.join(sys.argv[1], "saved.npy")
for k in range(8):
    np.save(path, a[k % 3:] + k)
    assert numpy.asarray(np.load(path)).tolist() == (full[k % 3:] + k).tolist(), k
    a.tofile(path)
    assert np.fromfile(path).tolist() == full.ravel().tolist(), k
try:
    np.savetxt(os.path.join(sys.argv[1], "missing", "x.txt"), a)
except FileNotFoundError:
    pass
else:
    raise AssertionError("a write into a missing folder did not raise on this rank")
with open(os.path.join(sys.argv[1], f"rank{lc.get_rank()}.txt"), "w") as f:
    f.write(f"{full.sum()} {float(a.sum())} {a[1:, ::2].tolist()}\n")
