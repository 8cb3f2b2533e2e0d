"""Start-up: what ``import legate_numeric`` leaves for first use, and that it still works.

``fft``, ``random`` (and NumPy's random module behind it) and ``legate.__version__``
(importlib.metadata) are imported on first use, to keep a one-shot script's start
fast; each must still be there, behave, and be the same object every time.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from conftest import check

import legate_numeric as lnp


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def test_import_leaves_optional_modules_for_first_use():
    out = _fresh(
        "import sys, legate_numeric as n; n.ones(4).sum(); "
        "print(sorted(m for m in ('legate_numeric.fft', 'legate_numeric.random', 'numpy.random', 'importlib.metadata') if m in sys.modules))"
    )
    assert out == "[]"


def test_lazy_subpackages_work_in_a_fresh_process():
    out = _fresh(
        "import legate_numeric as n, legate; import legate_numeric.fft as f; "
        "assert n.fft is f and n.random is n.random; "
        "print(legate.__version__ == legate.__version__ != '', float(abs(n.fft.fft(n.ones(4))).sum()), n.random.default_rng(0).random(3).shape)"
    )
    assert out == "True 4.0 (3,)"


def test_lazy_subpackages_match_numpy():
    a = np.linspace(0.0, 1.0, 16)
    check(lnp.fft.rfft(lnp.array(a)), np.fft.rfft(a))
    out = np.empty(9, dtype=np.complex128)  # `out=` a NumPy array (installed on fft's import)
    lnp.fft.rfft(lnp.array(a), out=out)
    np.testing.assert_allclose(out, np.fft.rfft(a))
    assert lnp.random.default_rng(1).random(5).shape == (5,)


def test_version_and_missing_attributes():
    import legate

    assert isinstance(legate.__version__, str) and legate.__version__
    try:
        legate.no_such_thing  # noqa: B018
    except AttributeError as e:
        assert "no_such_thing" in str(e)
    else:
        raise AssertionError("legate.no_such_thing did not raise")
