"""One program on several ranks: ``mpirun -n 2`` and ``-n 4`` (``make test-ranks``).

Each run is ``mpirun --allow-run-as-root --oversubscribe -n R`` (oversubscribed: this
machine may have fewer cores than ranks) with ``LEGATE_CONFIG="--cpus 1"`` and
``LEGATE_TEST=1`` (even tiny arrays are split, so pieces live on every rank), under
``timeout`` so that a hang is a failure, not a stuck test run. Scripts run through
``as_rank.py``, which first checks that the runtime sees the ranks mpirun started
(a runtime that ignored MPI would run R independent copies, each passing alone).

- every example (at ``tests/python/test_examples.py``'s sizes) checks its own result and
  prints its time once;
- a subset of the ``legate_numeric`` suite runs on every rank (each compares with
  NumPy in its own process);
- printing happens once, conversions to NumPy gather on every rank, a file rank 0
  saves is there for every rank to load at once, and a failed write raises on every rank;
- random streams do not depend on the number of ranks (unseeded ones are the same
  on every rank);
- a rank-dependent branch is reported as a divergence naming the rank, and a rank that
  raises or is killed stops the others, within seconds;
- an elementwise program's peak memory per rank shrinks with the ranks;
- ``legate --launcher mpirun`` starts the ranks too.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXAMPLES = REPO / "examples"
NUMERIC = REPO / "tests" / "python" / "numeric"
RANKS = [2, 4]

#: A fast subset of the legate_numeric suite, each file on one rank count (a file takes
#: ~4x its one-process time on 2 ranks and ~6x on 4, oversubscribed on 2 cores): the
#: elementwise and product files on 2 ranks; on 4 ranks, where every partition is uneven
#: and data crosses more ranks, the files that move data (indexing, sorting, scans,
#: reductions, view programs).
NUMERIC_SUBSET = {
    2: ["test_operators.py", "test_ufunc.py", "test_linalg.py", "test_einsum.py", "test_manip.py",
        "test_interop.py"],
    4: ["test_reduce.py", "test_scan.py", "test_indexing.py", "test_advanced_indexing.py",
        "test_sort.py", "test_view_programs.py"],
}

#: How long the divergence and rank-death reports may take.
REPORT_SECONDS = 30

pytestmark = pytest.mark.skipif(not shutil.which("mpirun"), reason="mpirun (OpenMPI) is not installed")


def _small_sizes() -> dict[str, list[str]]:
    spec = importlib.util.spec_from_file_location("_test_examples", REPO / "tests" / "python" / "test_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SMALL


SMALL = _small_sizes()


def rank_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMI_", "PMIX_", "SLURM_"))}
    env.pop("LEGATE_ALL_RANKS_PRINT", None)
    env.update(LEGATE_CONFIG="--cpus 1", LEGATE_TEST="1")
    env.update(extra)
    return env


class Done:
    """A finished run: status, time, and the output (also each rank's, from mpirun's
    ``--output-filename``: mpirun's own output interleaves the ranks' lines)."""

    def __init__(self, returncode: int, stdout: str, stderr: str, seconds: float, limit: float,
                 outdir: Path | None = None, ranks: int = 0):
        self.returncode, self.stdout, self.stderr, self.seconds = returncode, stdout, stderr, seconds
        self.rank_stdout = [_rank_output(outdir, r, "stdout") for r in range(ranks)]
        self.rank_stderr = [_rank_output(outdir, r, "stderr") for r in range(ranks)]
        #: Each rank's exit status (128 + N when killed by signal N; None if unknown).
        self.rank_status = [_rank_status(outdir, r) for r in range(ranks)]
        # `timeout` ends the run at the limit (status 124, or 137 after -k); a rank's
        # own SIGKILL also gives 137, so the time tells.
        self.timed_out = seconds >= limit - 1

    def __str__(self) -> str:
        text = f"status {self.returncode} after {self.seconds:.1f} s (ranks: {self.rank_status})"
        if not any(self.rank_stdout) and not any(self.rank_stderr):
            return f"{text}\n--- stdout ---\n{_ends(self.stdout)}\n--- stderr ---\n{_ends(self.stderr)}"
        # Each rank's own output: pytest's failure lines and summary from standard
        # output, the end of standard error.
        for rank, (out, err) in enumerate(zip(self.rank_stdout, self.rank_stderr)):
            lines = out.splitlines()
            summary = [line for line in lines
                       if re.match(r"(FAILED|ERROR|E  )", line) or re.search(r"\b\d+ (passed|failed|errors?)\b", line)]
            shown = summary[-40:] if summary else lines[-20:]
            text += f"\n--- rank {rank} (status {self.rank_status[rank]}): stdout ---\n" + "\n".join(shown)
            text += f"\n--- rank {rank}: stderr ---\n" + _ends(err, 2000)
        return text


def _rank_output(outdir: Path | None, rank: int, stream: str) -> str:
    # Open MPI 4 writes OUTDIR/<job>/rank.<N>/stdout and stderr.
    found = sorted(outdir.glob(f"*/rank.{rank}/{stream}")) if outdir is not None else []
    return "".join(p.read_text(errors="replace") for p in found)


def _rank_status(outdir: Path | None, rank: int) -> int | None:
    path = outdir / f"status.{rank}" if outdir is not None else None
    return int(path.read_text()) if path is not None and path.exists() else None


def _ends(text: str, keep: int = 4000) -> str:
    return text if len(text) <= 2 * keep else f"{text[:keep]}\n[...]\n{text[-keep:]}"


def mpirun(ranks: int, args: list[str], workdir: Path, *, limit: float = 300, mpi_options=(), env=None) -> Done:
    """``timeout LIMIT mpirun ... -n RANKS python as_rank.py ARGS`` in ``workdir``;
    returns what happened (each rank's output and exit status are kept under
    ``workdir/output``: mpirun's own status is 0 whatever the ranks' with
    :data:`EACH_RANK_ON_ITS_OWN`)."""
    outdir = workdir / "output"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    # A shell around each rank records its status (the rank is still an MPI process).
    record = '"$@"; status=$?; echo $status > "$0/status.$OMPI_COMM_WORLD_RANK"; exit $status'
    command = ["timeout", "-k", "10", str(int(limit)),
               "mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
               "--output-filename", str(outdir), *mpi_options, "-n", str(ranks),
               "bash", "-c", record, str(outdir), sys.executable, str(HERE / "as_rank.py"), *args]
    return run(command, limit=limit, env=env, cwd=workdir, outdir=outdir, ranks=ranks)


def run(command: list[str], *, limit: float, env=None, cwd=None, outdir=None, ranks=0) -> Done:
    start = time.monotonic()
    child = subprocess.Popen(command, env=env if env is not None else rank_env(), cwd=cwd,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = child.communicate(timeout=limit + 30)
    except subprocess.TimeoutExpired:
        # `timeout` should have ended it; make sure nothing is left behind.
        os.killpg(child.pid, signal.SIGKILL)
        stdout, stderr = child.communicate()
        return Done(137, stdout, stderr, time.monotonic() - start, limit, outdir, ranks)
    return Done(child.returncode, stdout, stderr, time.monotonic() - start, limit, outdir, ranks)


def rank_files(directory: Path, ranks: int) -> list[str | None]:
    """What each rank wrote to ``directory/rank<N>.txt`` (``None`` where nothing)."""
    paths = [directory / f"rank{r}.txt" for r in range(ranks)]
    return [p.read_text().strip() if p.exists() else None for p in paths]


# --- the ranks exist -------------------------------------------------------------------


@pytest.mark.parametrize("ranks", RANKS)
def test_every_rank_knows_its_rank(tmp_path, ranks):
    done = run(["timeout", "-k", "10", "120", "mpirun", "--allow-run-as-root", "--oversubscribe", "-n", str(ranks),
                sys.executable, str(HERE / "probe.py"), str(tmp_path)], limit=120)
    assert done.returncode == 0, str(done)
    got = rank_files(tmp_path, ranks)
    assert got == [f"{r} {ranks} {r == 0} {r} {ranks}" for r in range(ranks)], (
        f"each process's (rank, num_ranks, is_rank_zero, rank, num_ranks) from legate.core: {got}")


@pytest.mark.parametrize("ranks", [2])
def test_the_driver_launches_the_ranks(tmp_path, ranks):
    done = run(["timeout", "-k", "10", "120", sys.executable, "-m", "legate.driver", "--launcher", "mpirun",
                "--ranks-per-node", str(ranks), "--cpus", "1", str(HERE / "probe.py"), str(tmp_path)],
               limit=120, env=rank_env(LEGATE_CONFIG=""))
    assert done.returncode == 0, str(done)
    assert rank_files(tmp_path, ranks) == [f"{r} {ranks} {r == 0} {r} {ranks}" for r in range(ranks)]


# --- same results ----------------------------------------------------------------------


@pytest.mark.parametrize("ranks", RANKS)
@pytest.mark.parametrize("example", sorted(SMALL))
def test_example(tmp_path, example, ranks):
    done = mpirun(ranks, [str(EXAMPLES / example), "--package", "legate", *SMALL[example]], tmp_path)
    assert done.returncode == 0, str(done)
    # Checked by the example itself on every rank; its time is printed once.
    assert [out.count("Elapsed Time:") for out in done.rank_stdout] == [1] + [0] * (ranks - 1), str(done)


@pytest.mark.parametrize("ranks", RANKS)
def test_numeric_subset(tmp_path, ranks):
    files = [str(NUMERIC / name) for name in NUMERIC_SUBSET[ranks]]
    done = mpirun(ranks, ["-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--color=no",
                          f"--rootdir={NUMERIC}", *files],
                  tmp_path, limit=1200, env=rank_env(LEGATE_ALL_RANKS_PRINT="1"))
    assert done.returncode == 0, str(done)
    # Every rank ran (and reported) the same tests.
    reports = [re.findall(r"^(\d+) passed", out, re.M) for out in done.rank_stdout]
    assert all(len(r) == 1 for r in reports) and len({r[0] for r in reports}) == 1, f"{reports}: {done}"


@pytest.mark.parametrize("ranks", RANKS)
def test_print_once_and_gather_everywhere(tmp_path, ranks):
    printed = ("ARRAY [[0.0, 2.0, 4.0, 6.0], [8.0, 10.0, 12.0, 14.0], [16.0, 18.0, 20.0, 22.0]]\n"
               "array([0, 1, 2, 3, 4])\n[1 1 1]\n")
    gathered = "132.0 132.0 [[8.0, 12.0], [16.0, 20.0]]"
    for all_print in ("", "1"):
        for old in tmp_path.glob("rank*.txt"):
            old.unlink()
        done = mpirun(ranks, [str(HERE / "print_once.py"), str(tmp_path)], tmp_path,
                      env=rank_env(LEGATE_ALL_RANKS_PRINT=all_print))
        assert done.returncode == 0, str(done)
        others = printed if all_print else ""
        assert done.rank_stdout == [printed] + [others] * (ranks - 1), str(done)
        assert rank_files(tmp_path, ranks) == [gathered] * ranks


@pytest.mark.parametrize("ranks", RANKS)
def test_random_streams_do_not_depend_on_the_ranks(tmp_path, ranks):
    single = tmp_path / "single"
    single.mkdir()
    done = run([sys.executable, str(HERE / "random_digest.py"), str(single)], limit=300)
    assert done.returncode == 0, str(done)
    ((reference, _),) = [line.split() for line in rank_files(single, 1)]
    done = mpirun(ranks, [str(HERE / "random_digest.py"), str(tmp_path)], tmp_path)
    assert done.returncode == 0, str(done)
    got = [line.split() for line in rank_files(tmp_path, ranks)]
    # Seeded streams as on one rank; unseeded ones alike on every rank.
    assert [seeded for seeded, _ in got] == [reference] * ranks, got
    assert len({unseeded for _, unseeded in got}) == 1, got


# --- divergence and death --------------------------------------------------------------

# Open MPI ends the whole job as soon as one rank exits with an error. Where the test is
# that the runtime itself stops the other ranks, that is turned off.
EACH_RANK_ON_ITS_OWN = ["--mca", "orte_abort_on_non_zero_status", "0"]


@pytest.mark.parametrize("ranks", RANKS)
def test_divergence_is_reported_not_a_hang(tmp_path, ranks):
    done = mpirun(ranks, [str(HERE / "diverge.py")], tmp_path, limit=60, mpi_options=EACH_RANK_ON_ITS_OWN,
                  env=rank_env(LEGATE_ALL_RANKS_PRINT="1"))
    assert not done.timed_out, f"hung: {done}"
    assert None not in done.rank_status and 0 not in done.rank_status, str(done)
    # Every rank stops with an error naming the diverging rank.
    for rank in range(ranks):
        assert "NO DIVERGENCE REPORTED" not in done.rank_stdout[rank], f"rank {rank}: {done}"
        err = done.rank_stderr[rank]
        assert re.search(r"diverge", err, re.I) and re.search(r"\brank 1\b", err), f"rank {rank}: {done}"
    assert done.seconds < REPORT_SECONDS, str(done)


@pytest.mark.parametrize("ranks", RANKS)
def test_a_rank_that_raises_stops_the_others(tmp_path, ranks):
    done = mpirun(ranks, [str(HERE / "die.py"), "raise"], tmp_path, limit=60, mpi_options=EACH_RANK_ON_ITS_OWN,
                  env=rank_env(LEGATE_ALL_RANKS_PRINT="1"))
    assert not done.timed_out, f"hung: {done}"
    assert None not in done.rank_status and 0 not in done.rank_status, str(done)
    assert "deliberate failure in the rank-death test" in done.rank_stderr[1], str(done)
    # No survivor carried on; each names the rank that died.
    for rank in set(range(ranks)) - {1}:
        assert "SURVIVOR FINISHED" not in done.rank_stdout[rank], f"rank {rank}: {done}"
        assert re.search(r"\brank 1\b", done.rank_stderr[rank]), f"rank {rank}: {done}"
    assert done.seconds < REPORT_SECONDS, str(done)


@pytest.mark.parametrize("ranks", RANKS)
def test_a_killed_rank_ends_the_job(tmp_path, ranks):
    # Nothing can report for a rank killed outright: mpirun ends the job, and no
    # survivor may be stuck where mpirun cannot end it.
    done = mpirun(ranks, [str(HERE / "die.py"), "kill"], tmp_path, limit=60)
    assert not done.timed_out, f"hung: {done}"
    assert done.returncode != 0, str(done)
    assert done.seconds < REPORT_SECONDS, str(done)


# --- memory ------------------------------------------------------------------------------


def test_peak_memory_per_rank_shrinks(tmp_path):
    one, four = tmp_path / "one", tmp_path / "four"
    one.mkdir()
    four.mkdir()
    done = run([sys.executable, str(HERE / "memory.py"), str(one)], limit=300, env=rank_env(LEGATE_TEST=""))
    assert done.returncode == 0, str(done)
    done = mpirun(4, [str(HERE / "memory.py"), str(four)], tmp_path, env=rank_env(LEGATE_TEST=""))
    assert done.returncode == 0, str(done)
    (single,) = map(int, rank_files(one, 1))
    per_rank = list(map(int, rank_files(four, 4)))
    # About a quarter each (plus halos and pooled buffers): at most 40%.
    assert max(per_rank) <= 0.4 * single, (single, per_rank)
