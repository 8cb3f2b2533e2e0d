"""A rank-dependent branch: rank 1 issues one operation the others do not. The runtime
must stop every rank with an error naming the diverging rank, never hang."""

import legate.core as lc
import legate_numeric as np

a = np.arange(10_000.0)
b = a * 2.0
if lc.get_rank() == 1:
    b = b + 1.0  # only this rank
for _ in range(200):
    b = b * 1.0
print("checksum", float(b.sum()))
print("NO DIVERGENCE REPORTED")
