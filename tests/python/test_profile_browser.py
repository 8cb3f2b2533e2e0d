"""`--profile` writes a self-contained page that renders in a real browser.

Runs a small legate_numeric program with profiling, then loads legate_prof/index.html in
headless Chromium: no console errors, one lane per processor, a box per task, and a
screenshot (kept in the test's temporary directory, out of git).
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _profile(tmp_path):
    env = dict(os.environ, LEGATE_CONFIG="--cpus 2 --profile --dataflow", LEGATE_TEST="1",
               LEGATE_WINDOW_SIZE="1")  # unfused task names (test_fusion checks fused ones)
    code = "import legate_numeric as np\na = np.ones(1000)\nb = a * 2 + 1\nprint(float(b.sum()))\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "3000.0"
    return tmp_path / "legate_prof" / "index.html"


def test_profile_and_dataflow_files_are_written(tmp_path):
    page = _profile(tmp_path)
    html = page.read_text()
    assert "legate_numeric.binary" in html
    assert "http://" not in html and "https://" not in html, "no network access needed"
    assert (tmp_path / "legate_prof" / "trace.json").exists()
    dot = (tmp_path / "dataflow_legate.dot").read_text()
    assert "legate_numeric.binary" in dot and "->" in dot


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make test installs it as root)")
def test_profile_page_renders_in_chromium(tmp_path):
    page = _profile(tmp_path)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert not re.search(r"CONSOLE.*(Uncaught|Error)", dom.stderr), dom.stderr[-2000:]
    lanes = re.search(r'data-lanes="(\d+)"', dom.stdout)
    boxes = re.search(r'data-boxes="(\d+)"', dom.stdout)
    assert lanes and boxes, "the timeline script did not run"
    assert int(lanes.group(1)) >= 1 and int(boxes.group(1)) >= 4
    assert re.search(r"\d+ tasks on \d+ processors", dom.stdout)
    shot = tmp_path / "profile.png"
    subprocess.run([CHROMIUM, *flags, "--window-size=1300,700", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 1000


def test_driver_runs_an_example_with_profile_and_dataflow(tmp_path):
    """End to end: `legate --cpus 2 --profile --dataflow --event examples/gemm.py`."""
    example = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "gemm.py")
    proc = subprocess.run(
        [sys.executable, "-m", "legate.driver", "--cpus", "2", "--profile", "--dataflow", "--event",
         "--logdir", str(tmp_path), example, "--n", "64", "--iterations", "1"],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, LEGATE_TEST="1"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Elapsed Time:" in proc.stdout
    assert "legate_numeric.matmul" in (tmp_path / "legate_prof" / "index.html").read_text()
    assert "legate_numeric.matmul" in (tmp_path / "dataflow_legate.dot").read_text()
    assert (tmp_path / "event_graph_legate.dot").exists()
    if shutil.which("dot"):
        assert (tmp_path / "dataflow_legate.pdf").stat().st_size > 0
