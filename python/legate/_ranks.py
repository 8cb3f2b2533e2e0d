"""Ranks: which one this process is, how many run the program, and printing once.

Under a launcher (``legate --launcher mpirun``, plain ``mpirun -n R``, ``srun``) every
rank runs the whole program, so every ``print`` would appear R times. Once the runtime
has started on several ranks, standard output of every rank but rank 0 goes to
``os.devnull`` (``sys.stdout`` is replaced; standard error is left alone, so errors
still name their rank). ``LEGATE_ALL_RANKS_PRINT=1`` keeps every rank's output.

Printing an array is still done on every rank: converting it to NumPy gathers its data,
which every rank must take part in; only the text is thrown away.

The runtime starts on the first call into it, which Python cannot observe; so that the
first ``print`` is covered too, :func:`prepare` (run when ``legate_numeric`` is
imported) starts it at once when the environment says a launcher started several ranks
(``OMPI_COMM_WORLD_SIZE``, ``PMI_SIZE``, ``SLURM_STEP_NUM_TASKS``). On one process
nothing is started at import. The runtime, not the environment, decides the rank.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from typing import Mapping

#: The keys of :func:`stats`.
STATS_KEYS = ("bytes_sent", "bytes_received", "messages_sent", "bytes_copied_locally")

#: Variables launchers set to the number of ranks they started.
LAUNCHER_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS")

_lock = threading.Lock()
_ranks: tuple[int, int] | None = None
#: The ``sys.stdout`` replaced by ``os.devnull`` on ranks other than 0, if it was.
original_stdout = None


def launched_ranks(environ: Mapping[str, str] | None = None) -> int:
    """How many ranks a launcher says it started (1 when none did)."""
    environ = os.environ if environ is None else environ
    for name in LAUNCHER_SIZE_VARIABLES:
        text = environ.get(name, "").strip()
        if text.isdigit() and int(text) > 0:
            return int(text)
    return 1


def all_ranks_print(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``LEGATE_ALL_RANKS_PRINT`` asks every rank to keep its output."""
    environ = os.environ if environ is None else environ
    return environ.get("LEGATE_ALL_RANKS_PRINT", "").strip().lower() in ("1", "true", "on", "yes")


def _runtime_ranks() -> tuple[int, int]:
    from legate import _legate

    info = _legate.runtime_info()
    # A build without ranks (before control replication) reports neither: one rank.
    return int(info.get("rank", 0)), int(info.get("num_ranks", 1))


def ranks() -> tuple[int, int]:
    """``(rank, num_ranks)`` of this process, asked of the runtime (which this starts).

    The first call also sends standard output of ranks other than 0 to ``os.devnull``
    (see the module docs).
    """
    global _ranks
    if _ranks is None:
        with _lock:
            if _ranks is None:
                rank, num_ranks = _runtime_ranks()
                quiet_other_ranks(rank, num_ranks)
                _ranks = (rank, num_ranks)
    return _ranks


def quiet_other_ranks(rank: int, num_ranks: int, environ: Mapping[str, str] | None = None) -> bool:
    """Replace ``sys.stdout`` by ``os.devnull`` when this is not rank 0 of several (and
    ``LEGATE_ALL_RANKS_PRINT`` is not set). Returns whether it did."""
    global original_stdout
    if num_ranks <= 1 or rank == 0 or all_ranks_print(environ) or original_stdout is not None:
        return False
    current = sys.stdout
    if current is not None:
        try:
            current.flush()
        except (OSError, ValueError):
            pass
    original_stdout = current
    sys.stdout = open(os.devnull, "w", encoding="utf-8")
    return True


def prepare() -> None:
    """Start the runtime now if a launcher started several ranks (see the module docs).

    An error starting it is left for the program's first operation to raise, where the
    user expects it, rather than failing the import.
    """
    if _ranks is None and launched_ranks() > 1:
        try:
            ranks()
        except Exception:
            pass


def on_rank_zero(action):
    """``action()`` on rank 0 alone (writing a file: one writer per file), the other
    ranks waiting until it is done and raising the exception it raised, so that every
    rank goes on alike (a file rank 0 wrote is there for every rank to read). On one
    rank, just ``action()``. Every rank must call this alike, as any operation."""
    rank, num_ranks = ranks()
    if num_ranks == 1:
        action()
        return
    from legate import _legate

    error = None
    if rank == 0:
        try:
            action()
        except Exception as e:  # noqa: BLE001 - every rank raises it
            error = e
    sent = b""
    if error is not None:
        try:
            sent = pickle.dumps(error)
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            sent = pickle.dumps(RuntimeError(f"rank 0: {type(error).__name__}: {error}"))
    outcome = _legate.exchange_host(sent)[0]
    if error is not None:
        raise error
    if outcome:
        raise pickle.loads(outcome)


def stats() -> dict[str, int]:
    """The runtime's counters of data moved (see ``Runtime.stats``); starts the runtime."""
    from legate import _legate

    read = getattr(_legate, "runtime_stats", None)
    if read is None:  # a build without the counters: nothing has moved
        return dict.fromkeys(STATS_KEYS, 0)
    return {key: int(value) for key, value in read().items()}
