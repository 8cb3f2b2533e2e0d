"""Run pytest suites side by side (`make test-python`'s and `make test-fuzz`'s runs).

Each run of a suite is one pytest process whose main thread is busy most of the time
while its runtime's workers are mostly idle (LEGATE_TEST's small chunks make many tiny
tasks), so on a 2-core machine two runs at once take little longer than one. Runs go
to `--jobs` lanes (default: one per core), longest first; each run's output goes to a
log file under `--logs`, and a run's summary line (or, when it fails, its whole log) is
printed when it ends. The exit status is non-zero when any run failed.

    python tests/run_suites.py [--jobs N] [--logs DIR] NAME:CPUS[:ENV=VALUE,...] ...

NAME is a folder or file under tests/python (numeric, fuzz/test_fuzz_programs.py), or `top` for the test files
directly in tests/python; CPUS is LEGATE_CONFIG's --cpus (`-`: neither LEGATE_CONFIG
nor LEGATE_TEST is set); `default` among the settings leaves LEGATE_TEST unset (the
default chunk size).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_run(spec: str) -> tuple[str, list[str], dict[str, str]]:
    name, cpus, *settings = spec.split(":")
    env = {} if cpus == "-" else {"LEGATE_TEST": "1", "LEGATE_CONFIG": f"--cpus {cpus}"}
    for setting in ",".join(settings).split(","):
        if setting == "default":
            env.pop("LEGATE_TEST", None)
        elif setting:
            key, value = setting.split("=", 1)
            env[key] = value
    label = " ".join([name] + ([] if cpus == "-" else [f"--cpus {cpus}"]) + [x for x in settings if x])
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "python").glob("test_*.py")) \
        if name == "top" else [f"tests/python/{name}"]
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no", *tests]
    return label, args, env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--logs", type=Path, default=ROOT / "target" / "suite-logs")
    parser.add_argument("runs", nargs="+")
    opts = parser.parse_args()
    opts.logs.mkdir(parents=True, exist_ok=True)
    queue = [parse_run(spec) for spec in opts.runs]
    queue.reverse()  # the first given is the first run
    lock = threading.Lock()
    failed: list[str] = []

    def lane() -> None:
        while True:
            with lock:
                if not queue:
                    return
                label, args, env = queue.pop()
            log = opts.logs / ("".join(c if c.isalnum() or c in "-=." else "_" for c in label) + ".log")
            start = time.monotonic()
            with open(log, "w") as out:
                done = subprocess.run(args, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
            text = log.read_text(errors="replace")
            summary = text.strip().splitlines()[-1] if text.strip() else "(no output)"
            with lock:
                print(f"{label}: {summary} [{time.monotonic() - start:.0f} s wall]", flush=True)
                if done.returncode != 0:
                    failed.append(label)
                    print(f"---- {label} failed (exit {done.returncode}); its log {log}:\n{text}", flush=True)

    lanes = [threading.Thread(target=lane) for _ in range(max(1, opts.jobs))]
    for t in lanes:
        t.start()
    for t in lanes:
        t.join()
    if failed:
        print(f"failed: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
