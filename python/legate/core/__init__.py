"""``legate.core``: the runtime API for library authors.

Stores are created, viewed (``slice``, ``promote``, ``project``, ``transpose``,
``delinearize``), filled and copied here; tasks are written in Rust against
``legate-core`` and launched by their library's Python functions.

Ranks: :func:`get_rank`, :func:`get_num_ranks` and :func:`is_rank_zero` (also the
module attributes ``rank`` and ``num_ranks``) say which of the ranks running the
program this process is; a script that writes files does so ``if is_rank_zero()``.
Importing this module does not start the runtime; these do.
"""

from __future__ import annotations

from legate._legate import (  # noqa: F401
    LEGATE_MAX_DIM,
    Store,
    copy,
    create_store,
    fence,
    fill,
    from_numpy,
    runtime_info,
)

from . import types  # noqa: F401
from .. import _interrupt, _ranks

_interrupt.install()


class Runtime:
    """The process's one runtime (``get_legate_runtime()``)."""

    def create_store(self, dtype, shape):
        """A new store of ``dtype`` (a type from ``legate.core.types``) and ``shape``."""
        return create_store(types.name_of(dtype), list(shape))

    def issue_fill(self, store, value):
        fill(store, value)

    def issue_copy(self, dst, src):
        copy(dst, src)

    def issue_execution_fence(self, block: bool = False):
        if block:
            fence()

    @property
    def config(self) -> dict:
        return runtime_info()

    @property
    def rank(self) -> int:
        """This process's rank (0 on one rank)."""
        return get_rank()

    @property
    def num_ranks(self) -> int:
        """How many ranks run the program (1 without a launcher)."""
        return get_num_ranks()

    def stats(self) -> dict:
        """Counters of data this rank's runtime moved so far, in a new dict:
        ``bytes_sent``, ``bytes_received`` and ``messages_sent`` (to and from other
        ranks) and ``bytes_copied_locally`` (between instances of this rank). They only
        grow: take differences around the code to measure."""
        return _ranks.stats()


_RUNTIME = Runtime()


def get_legate_runtime() -> Runtime:
    """The runtime of this process (started on first use from ``LEGATE_CONFIG``)."""
    return _RUNTIME


def get_rank() -> int:
    """This process's rank among those running the program (0 on one rank).

    Starts the runtime. From then on, ranks other than 0 print nothing (standard
    output goes to ``os.devnull``) unless ``LEGATE_ALL_RANKS_PRINT=1``.
    """
    return _ranks.ranks()[0]


def get_num_ranks() -> int:
    """How many ranks run the program (1 without a launcher). Starts the runtime."""
    return _ranks.ranks()[1]


def is_rank_zero() -> bool:
    """Whether this is rank 0: the one that prints, and the one that should write
    files that all ranks would otherwise write alike. Starts the runtime."""
    return get_rank() == 0


def __getattr__(name: str):
    # `rank` and `num_ranks` are computed on first access, so that importing
    # legate.core does not start the runtime.
    if name == "rank":
        return get_rank()
    if name == "num_ranks":
        return get_num_ranks()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
