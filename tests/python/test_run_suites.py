"""tests/run_suites.py, the runner of make test's suites side by side."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("run_suites", ROOT / "tests" / "run_suites.py")
run_suites = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_suites)


def test_run_specs():
    label, args, env = run_suites.parse_run("numeric:4")
    assert label == "numeric --cpus 4" and env == {"LEGATE_TEST": "1", "LEGATE_CONFIG": "--cpus 4"}
    assert args[-1] == "tests/python/numeric"
    label, _, env = run_suites.parse_run("numeric:2:default")
    assert env == {"LEGATE_CONFIG": "--cpus 2"} and label == "numeric --cpus 2 default"
    _, args, env = run_suites.parse_run("fuzz/test_fuzz_programs.py:2:HYPOTHESIS_PROFILE=ci,LEGATE_WINDOW_SIZE=1")
    assert env == {"LEGATE_TEST": "1", "LEGATE_CONFIG": "--cpus 2", "HYPOTHESIS_PROFILE": "ci", "LEGATE_WINDOW_SIZE": "1"}
    assert args[-1] == "tests/python/fuzz/test_fuzz_programs.py"
    _, args, env = run_suites.parse_run("top:-")
    assert env == {} and "tests/python/test_run_suites.py" in args and not any(a.endswith("numeric") for a in args)


def test_a_failed_run_fails_the_whole_and_shows_its_log(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "run_suites.py"), "--logs", str(tmp_path),
                           "no_such_folder:1", "no_such_folder:2"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout.count("failed (exit 4)") == 2 and "file or directory not found" in done.stdout
    assert "failed: no_such_folder --cpus 1, no_such_folder --cpus 2" in done.stdout or \
        "failed: no_such_folder --cpus 2, no_such_folder --cpus 1" in done.stdout
    assert len(list(tmp_path.glob("*.log"))) == 2
