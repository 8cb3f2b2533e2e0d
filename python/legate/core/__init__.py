"""``legate.core``: the runtime API for library authors.

Stores are created, viewed (``slice``, ``promote``, ``project``, ``transpose``,
``delinearize``), filled and copied here. Tasks are written in Rust (against
``legate-abi``) and launched from Python: ``get_legate_runtime().find_library(name)``,
``create_auto_task(library, task_id)`` or ``create_manual_task(library, task_id,
launch_shape)``, then ``add_input``/``add_output``/``add_reduction``/``add_scalar_arg``,
constraints (``add_alignment``, ``add_broadcast``, ``add_image``, ``add_bloat``) and
``execute()`` (see ``legate.core._task``).

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
from ._task import AutoTask, ManualTask, ReductionOp, Variable, store_of  # noqa: F401
from .. import _interrupt, _ranks

_interrupt.install()


class Runtime:
    """The process's one runtime (``get_legate_runtime()``)."""

    def create_store(self, dtype, shape=()):
        """A new store of ``dtype`` (a type from ``legate.core.types`` or a NumPy dtype)
        and ``shape`` (contents unspecified until written). ``create_store(shape,
        dtype)`` is accepted too."""
        if isinstance(dtype, (tuple, list, int)) and not isinstance(shape, (tuple, list, int)):
            dtype, shape = shape, dtype
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if any(int(e) < 0 for e in shape):
            raise ValueError(f"negative dimensions are not allowed: {shape}")
        return create_store(types.name_of(dtype), [int(e) for e in shape])

    def find_library(self, name: str):
        """The library registered under ``name`` (by its Rust code, when its package
        was imported). Raises ``LookupError`` if there is none."""
        from legate._legate import _find_library

        lib = _find_library(str(name))
        if lib is None:
            raise LookupError(
                f"no library named {name!r} is registered; a library's package registers "
                "it when first used (legate_hello.library() does, for instance)"
            )
        return lib

    def create_auto_task(self, library, task_id: int) -> AutoTask:
        """A task of ``library`` (from ``find_library``) that the runtime partitions
        from its arguments' constraints. An unknown ``task_id`` raises ``LookupError``
        at ``execute``."""
        from legate._legate import _create_auto_task

        task_id = _task_id(task_id)
        return AutoTask(library, task_id, _create_auto_task(_library(library), task_id))

    def create_manual_task(self, library, task_id: int, launch_shape) -> ManualTask:
        """A task over the launch domain ``[0, launch_shape)`` (an int or a tuple)."""
        from legate._legate import _create_manual_task

        task_id = _task_id(task_id)
        shape = (launch_shape,) if isinstance(launch_shape, int) else tuple(int(e) for e in launch_shape)
        return ManualTask(library, task_id, _create_manual_task(_library(library), task_id, list(shape)), shape)

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


def _library(library):
    from legate._legate import Library

    if isinstance(library, str):
        return _RUNTIME.find_library(library)
    if not isinstance(library, Library):
        raise TypeError(f"expected a Library (from find_library), got {type(library).__name__}")
    return library


def _task_id(task_id) -> int:
    if isinstance(task_id, bool) or not isinstance(task_id, int) and not hasattr(task_id, "__index__"):
        raise TypeError(f"a task id must be an integer, got {type(task_id).__name__}")
    task_id = int(task_id)
    if not 0 <= task_id < 2**32:
        raise ValueError(f"task id {task_id} is out of range")
    return task_id


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
