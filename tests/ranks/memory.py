"""An elementwise program on 4,000,000 float64 elements (32 MB per array); each rank
writes its runtime's peak memory (``runtime_info()["sysmem_peak"]``, bytes) to
``OUTDIR/rank<N>.txt``. Usage: ``memory.py OUTDIR``."""

import os
import sys

import legate.core as lc
import legate_numeric as np

n = 4_000_000
a = np.ones(n)
b = a * 2.0 + 1.0
c = np.sqrt(b) - a
assert abs(float(c.sum()) - n * (3**0.5 - 1)) < 1e-6 * n
with open(os.path.join(sys.argv[1], f"rank{lc.get_rank()}.txt"), "w") as f:
    f.write(f"{lc.runtime_info()['sysmem_peak']}\n")
