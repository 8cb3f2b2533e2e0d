"""legate_sparse.io: Matrix Market I/O (``mmread``, ``mmwrite``, ``mminfo``); other
names of ``scipy.io`` (``savemat``, Harwell-Boeing...) fall back to SciPy."""

from __future__ import annotations

import scipy.io as _scipy_io

from .. import _fallback
from ._mmio import mminfo, mmread, mmwrite

__all__ = ["mminfo", "mmread", "mmwrite"]


def __getattr__(name):
    return _fallback.module_attr("legate_sparse.io", _scipy_io, name)
