"""Every example runs at a small size on both packages and passes its own check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SMALL = {
    "black_scholes.py": ["--n", "2000", "--iterations", "2"],
    "jacobi.py": ["--n", "100", "--iterations", "50"],
    "stencil.py": ["--n", "60", "--iterations", "10"],
    "cg.py": ["--n", "100", "--iterations", "100"],
    "kmeans.py": ["--n", "2000", "--iterations", "5"],
    "logreg.py": ["--n", "2000", "--features", "4", "--iterations", "50"],
    "gemm.py": ["--n", "64", "--iterations", "2"],
    "pde.py": ["--n", "24"],
    "gmg.py": ["--levels", "4"],
    "spmv_bench.py": ["--n", "32", "--iterations", "3"],
}


@pytest.mark.parametrize("package", ["legate", "numpy"])
@pytest.mark.parametrize("example", sorted(SMALL))
def test_example_runs_and_checks_its_result(example, package):
    env = dict(os.environ, LEGATE_TEST="1", LEGATE_CONFIG=os.environ.get("LEGATE_CONFIG", "--cpus 2"))
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / example), "--package", package, *SMALL[example]],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Elapsed Time:" in proc.stdout


def test_examples_are_all_listed():
    found = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert found == set(SMALL)
