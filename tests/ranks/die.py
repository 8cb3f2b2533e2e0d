"""Rank 1 dies (``raise``: an uncaught exception; ``kill``: SIGKILL) after the ranks
have worked together; the others must exit with an error naming it, within seconds.
Usage: ``die.py raise|kill``."""

import os
import signal
import sys

import legate.core as lc
import legate_numeric as np

a = np.arange(100_000.0)
assert float(a.sum()) == 99_999 * 100_000 / 2
if lc.get_rank() == 1:
    if sys.argv[1] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise RuntimeError("deliberate failure in the rank-death test")
for _ in range(1000):
    a = a + 1.0
    float(a.sum())
print("SURVIVOR FINISHED", lc.get_rank())
