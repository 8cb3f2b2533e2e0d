"""Hypothesis profiles for the differential fuzzers, and the count of examples run.

``HYPOTHESIS_PROFILE`` picks the profile:

* ``ci`` (the default; ``make test``): a fixed seed (``derandomize``), few examples, no
  database, so every run tries the same inputs and takes seconds;
* ``fuzz`` (``make fuzz``): random seeds, many examples, failures remembered in
  ``.hypothesis/`` and replayed first next time;
* ``dev``: hypothesis's defaults with a database, for working on a property.

``FUZZ_EXAMPLES`` overrides the number of examples per property of any profile. At the
end, a line per property gives how many examples ran; ``FUZZ_COUNTS=path`` also writes
them as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import warnings

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

sys.path.insert(0, os.path.dirname(__file__))
from fuzzlib import COUNTS  # noqa: E402

_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW,
    # No shrinking in CI: a failure shows the example as found; `make fuzz` shrinks.
    phases=[Phase.explicit, Phase.generate],
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    database=DirectoryBasedExampleDatabase(os.path.join(_ROOT, ".hypothesis", "examples")),
    print_blob=True,
    suppress_health_check=_SLOW,
)
settings.register_profile(
    "dev",
    deadline=None,
    database=DirectoryBasedExampleDatabase(os.path.join(_ROOT, ".hypothesis", "examples")),
    suppress_health_check=_SLOW,
)
_profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(_profile)
if os.environ.get("FUZZ_EXAMPLES"):
    settings.register_profile("_override", settings(max_examples=int(os.environ["FUZZ_EXAMPLES"])))
    settings.load_profile("_override")

@pytest.fixture(autouse=True)
def _quiet():
    """Warnings (RuntimeWarning emission, the fallback's notices) are not compared."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(autouse=True)
def _no_stale_task_errors():
    """A task error an example caused must not surface in the next one."""
    yield
    from legate import _legate

    try:
        _legate.fence()
    except Exception:  # noqa: BLE001 - judged by the example that caused it
        pass


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    total = sum(COUNTS.values())
    cfg = os.environ.get("LEGATE_CONFIG", "")
    terminalreporter.write_line(
        f"fuzz: {total} examples over {len(COUNTS)} properties (profile {_profile}, LEGATE_CONFIG={cfg!r})"
    )
    for name, n in sorted(COUNTS.items()):
        terminalreporter.write_line(f"  {n:7d}  {name}")
    path = os.environ.get("FUZZ_COUNTS")
    if path:
        data = {"profile": _profile, "legate_config": cfg, "total": total, "properties": dict(COUNTS)}
        with open(path, "a") as f:
            f.write(json.dumps(data) + "\n")
