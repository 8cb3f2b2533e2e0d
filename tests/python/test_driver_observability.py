"""``--show-progress`` and ``--profile`` as a user sees them: the live progress line on
stderr (plain when stderr is a pipe, redrawn in place on a terminal), and the profile's
Chrome trace, checked for what Perfetto needs to open it.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import time

# A program with one slow task (2.5 s, through LEGATE_FAULTS) among many quick ones.
PROGRAM = """\
import legate_numeric as np
a = np.ones(64)
for _ in range(100):
    a = a + 1
b = a * 2
print(float(b.sum()))
"""
SLOW = "slow=legate_numeric.binary,skip=100,times=1,ms=2500"


def run_env(config: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGATE_")}
    # Fusion off: the slow fault and the task counts name the unfused tasks.
    env.update(LEGATE_CONFIG=config, LEGATE_TEST="1", LEGATE_WINDOW_SIZE="1", **extra)
    return env


def test_progress_on_a_pipe_is_a_few_plain_lines_and_a_summary(tmp_path):
    env = run_env("--cpus 2 --show-progress", LEGATE_FAULTS=SLOW)
    done = subprocess.run([sys.executable, "-c", PROGRAM], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(float((1 + 100) * 2 * 64))
    lines = [l for l in done.stderr.splitlines() if l.startswith("[legate]")]
    live = [l for l in lines if " in flight, " in l]
    # Written by the timer thread while the slow task ran: not one line per launch.
    assert 1 <= len(live) <= 3, done.stderr
    m = re.fullmatch(r"\[legate\] (\d+) tasks done, (\d+) in flight, [\d.]+ tasks/s, (\d+) operations, [\d.]+ s", live[0])
    assert m, live[0]
    assert int(m.group(2)) >= 1, "the slow task is in flight"
    assert int(m.group(3)) >= 100
    summary = lines[-1]
    assert re.fullmatch(r"\[legate\] \d+ tasks done in \d+ operations over [\d.]+ s \([\d.]+ tasks/s\)", summary), summary
    assert "\r" not in done.stderr and "\x1b" not in done.stderr, "no terminal codes into a pipe"


def test_progress_on_a_terminal_is_redrawn_in_place_and_cleared(tmp_path):
    env = run_env("--cpus 2 --show-progress", LEGATE_FAULTS=SLOW.replace("2500", "1200"))
    # stderr alone is the terminal, so the line is drawn; stdout stays a pipe.
    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-c", PROGRAM], env=env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    stdout = child.communicate(timeout=60)[0]
    os.close(master)
    assert child.returncode == 0, out.decode(errors="replace")
    assert stdout.strip() == str(float((1 + 100) * 2 * 64))
    text = out.decode(errors="replace")
    # Redrawn several times during the slow task, each time in place.
    assert text.count(" in flight, ") >= 3, text
    assert "\r" in text and "\x1b[2K" in text, text
    # At exit the live line is erased; what remains is the summary line.
    last_live = text.rfind(" in flight, ")
    after = text[last_live:]
    assert "\x1b[2K" in after, after
    assert re.search(r"\[legate\] \d+ tasks done in \d+ operations over", after), after
    assert text.rstrip().endswith("tasks/s)"), repr(text[-200:])


def test_profile_trace_opens_in_perfetto(tmp_path):
    """The Chrome trace JSON has what Perfetto's importer needs, named threads, the
    runtime's own spans, and dependences as flow events bound to task slices."""
    env = run_env("--cpus 2 --profile")
    code = "import legate_numeric as np\na = np.ones(1000)\nb = a * 2 + 1\nprint(float(b.sum()))\n"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    trace = json.loads((tmp_path / "legate_prof" / "trace.json").read_text())
    assert isinstance(trace, dict) and isinstance(trace["traceEvents"], list)
    events = trace["traceEvents"]
    slices: dict[tuple[int, int], list[tuple[float, float]]] = {}
    named = set()
    flows: dict[int, list[dict]] = {}
    for e in events:
        assert isinstance(e["name"], str) and isinstance(e["pid"], int), e
        if e["ph"] == "M":
            if e["name"] == "thread_name":
                named.add((e["pid"], e["tid"]))
                assert e["args"]["name"]
        elif e["ph"] == "X":
            assert e["ts"] >= 0 and e["dur"] >= 0 and isinstance(e["tid"], int), e
            slices.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
        elif e["ph"] in ("s", "f"):
            flows.setdefault(e["id"], []).append(e)
        else:
            raise AssertionError(f"unexpected phase: {e}")
    assert set(slices) <= named, "every thread with events is named"
    cats = {e.get("cat") for e in events if e["ph"] == "X"}
    assert cats == {"task", "runtime"}
    assert any(e["ph"] == "X" and e["cat"] == "runtime" and e["name"] == "launch" for e in events)
    assert flows, "dependences between the tasks are flow events"
    for pair in flows.values():
        assert [e["ph"] for e in pair] == ["s", "f"] and pair[1]["bp"] == "e"
        for e in pair:
            assert any(a <= e["ts"] <= b for a, b in slices[(e["pid"], e["tid"])]), e
