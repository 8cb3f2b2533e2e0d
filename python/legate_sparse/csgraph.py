"""``legate_sparse.csgraph``: ``scipy.sparse.csgraph`` through the fallback.

Nothing here is native yet: each function runs SciPy's on host copies of its arguments
and returns legate results (one warning per name; ``LEGATE_SPARSE_FALLBACK=0`` makes
``from legate_sparse.csgraph import f`` an ImportError). It is a real module so that
``import legate_sparse.csgraph`` and ``from legate_sparse.csgraph import f`` work as
they do with SciPy.
"""

from __future__ import annotations

import scipy.sparse.csgraph as _scipy_csgraph

from . import _fallback


def __getattr__(name):
    return _fallback.module_attr(__name__, _scipy_csgraph, name)


def __dir__():
    return sorted(set(dir(_scipy_csgraph)) | set(globals()))
