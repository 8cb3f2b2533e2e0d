"""Run a script (``as_rank.py SCRIPT ARGS``) or a module (``as_rank.py -m MODULE ARGS``)
as one rank of a multi-rank test, after checking that the runtime sees the ranks the
launcher started: this process's rank, and their number.

Without this check a runtime that ignores MPI would run R independent single-rank
copies of the program, each of which passes on its own. On a mismatch the rank exits
with status 3 and one line naming both answers.
"""

from __future__ import annotations

import os
import runpy
import sys

RANK_VARIABLES = ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID")


def launcher_rank() -> int | None:
    for name in RANK_VARIABLES:
        text = os.environ.get(name, "").strip()
        if text.isdigit():
            return int(text)
    return None


def main() -> None:
    from legate import _ranks

    import legate.core as lc

    expected = (launcher_rank() or 0, _ranks.launched_ranks())
    got = (lc.get_rank(), lc.get_num_ranks())
    if got != expected:
        print(
            f"as_rank: the runtime reports rank {got[0]} of {got[1]}, but the launcher "
            f"started this process as rank {expected[0]} of {expected[1]}: this runtime "
            "does not run one program on several ranks",
            file=sys.stderr,
            flush=True,
        )
        sys.exit(3)
    args = sys.argv[1:]
    if args[:1] == ["-m"]:
        sys.argv = args[1:]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
