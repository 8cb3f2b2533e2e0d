"""The rank API of ``legate.core`` and printing once, in one process.

Several ranks are simulated by making ``legate._ranks`` believe the runtime reported
them (each case runs in a fresh interpreter, since the answer is cached and the
runtime is one per process). Real multi-rank runs are in ``tests/ranks`` (``make
test-ranks``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from legate import _ranks

LAUNCHER_PREFIXES = ("OMPI_", "PMI_", "PMIX_", "SLURM_")


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(LAUNCHER_PREFIXES) and k not in ("LEGATE_ALL_RANKS_PRINT", "LEGATE_CONFIG")
    }
    env["LEGATE_CONFIG"] = "--cpus 1"
    env.update(extra)
    return env


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


# Makes the runtime "report" rank R of N (the real one runs as one rank underneath).
FAKE = """\
import os, sys
import legate._ranks as _r
_calls = []
def _fake():
    _calls.append(1)
    return ({rank}, {size})
_r._runtime_ranks = _fake
"""


def test_one_process():
    done = run(
        """\
        import legate.core as c
        import legate_numeric as np
        rt = c.get_legate_runtime()
        s = rt.stats()
        print(c.get_rank(), c.get_num_ranks(), c.is_rank_zero(), c.rank, c.num_ranks, rt.rank, rt.num_ranks)
        print(sorted(s), all(isinstance(v, int) and v >= 0 for v in s.values()))
        from legate.core import rank, num_ranks
        print(rank, num_ranks)
        print(np.arange(4) * 2)
        print(repr(np.ones(2)))
        try:
            c.no_such_name
        except AttributeError as e:
            print("AttributeError", e)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "0 1 True 0 1 0 1",
        "['bytes_copied_locally', 'bytes_received', 'bytes_sent', 'messages_sent'] True",
        "0 1",
        "[0 2 4 6]",
        "array([1., 1.])",
        "AttributeError module 'legate.core' has no attribute 'no_such_name'",
    ]


def test_importing_does_not_start_the_runtime():
    # With an invalid configuration the runtime cannot start: imports still work, and
    # the first question about ranks raises the runtime's error.
    done = run(
        """\
        import legate.core as c
        import legate_numeric as np
        print("imported")
        try:
            c.rank
        except Exception as e:
            print(type(e).__name__, "at least one processor" in str(e))
        """,
        LEGATE_CONFIG="--cpus 0",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["imported", "RuntimeError True"]


@pytest.mark.parametrize(
    "rank,size,all_print,printed",
    [(0, 1, "", True), (0, 4, "", True), (1, 2, "", False), (3, 4, "", False), (1, 2, "1", True), (2, 4, "yes", True)],
)
def test_print_once(rank, size, all_print, printed):
    done = run(
        FAKE.format(rank=rank, size=size)
        + textwrap.dedent(
            """\
            import legate.core as c
            import legate_numeric as np
            print("before the runtime started")
            a = np.arange(3)
            assert c.get_rank() == {rank} and c.num_ranks == {size}
            print(a)
            print(repr(a))
            sys.stdout.write("written\\n")
            print("stderr is kept", file=sys.stderr)
            print("len", len(_calls), file=sys.stderr)
            """.format(rank=rank, size=size)
        ),
        LEGATE_ALL_RANKS_PRINT=all_print,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "before the runtime started"
    assert lines[1:] == (["[0 1 2]", "array([0, 1, 2])", "written"] if printed else [])
    # Standard error stays, and the runtime was asked once.
    assert "stderr is kept" in done.stderr and "len 1" in done.stderr


def test_launcher_starts_the_runtime_at_import():
    # Under a launcher with several ranks, importing legate_numeric asks the runtime
    # for the ranks at once, so even the first print of an array is silenced. (The
    # variable is removed before the real, single-rank runtime starts.)
    code = FAKE.format(rank=1, size=2) + textwrap.dedent(
        """\
        os.environ["OMPI_COMM_WORLD_SIZE"] = "2"
        import legate_numeric as np
        del os.environ["OMPI_COMM_WORLD_SIZE"]
        print("asked at import", len(_calls), file=sys.stderr)
        print(np.arange(3))
        """
    )
    done = run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "asked at import 1" in done.stderr
    # One process: nothing is asked at import, and everything prints.
    done = run(code.replace('"2"', '"1"'))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[0 1 2]\n" and "asked at import 0" in done.stderr


@pytest.mark.parametrize(
    "environ,size",
    [
        ({}, 1),
        ({"OMPI_COMM_WORLD_SIZE": "4"}, 4),
        ({"PMI_SIZE": "3"}, 3),
        ({"SLURM_STEP_NUM_TASKS": "8"}, 8),
        ({"SLURM_NTASKS": "8"}, 1),  # a batch allocation, not a launched step
        ({"OMPI_COMM_WORLD_SIZE": "x"}, 1),
    ],
)
def test_launched_ranks(environ, size):
    assert _ranks.launched_ranks(environ) == size


@pytest.mark.parametrize("value,on", [("", False), ("0", False), ("1", True), ("true", True), ("ON", True), ("no", False)])
def test_all_ranks_print(value, on):
    assert _ranks.all_ranks_print({"LEGATE_ALL_RANKS_PRINT": value}) is on
