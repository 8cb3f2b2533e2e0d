"""``legate.core``: the runtime API for library authors.

Stores are created, viewed (``slice``, ``promote``, ``project``, ``transpose``,
``delinearize``), filled and copied here; tasks are written in Rust against
``legate-core`` and launched by their library's Python functions.
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
from .. import _interrupt

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


_RUNTIME = Runtime()


def get_legate_runtime() -> Runtime:
    """The runtime of this process (started on first use from ``LEGATE_CONFIG``)."""
    return _RUNTIME
