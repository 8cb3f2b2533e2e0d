"""Each rank writes ``rank num_ranks`` (from ``legate.core``) to ``OUTDIR/rank<N>.txt``,
N being the launcher's rank; usage: ``probe.py OUTDIR``."""

import os
import sys

import legate.core as lc

rank = os.environ.get("OMPI_COMM_WORLD_RANK") or os.environ.get("PMI_RANK") or "0"
with open(os.path.join(sys.argv[1], f"rank{rank}.txt"), "w") as f:
    f.write(f"{lc.get_rank()} {lc.get_num_ranks()} {lc.is_rank_zero()} {lc.rank} {lc.num_ranks}\n")
