"""Fusion of elementwise chains: legate_numeric against NumPy in one process.

Run: `LEGATE_CONFIG="--cpus 2" .venv/bin/python benches/fusion.py` (`--small` for
smaller sizes; words of case names to run only those). Prints each time, the ratio
NumPy time / legate time (> 1: legate is faster), the fused tasks and the operations
they absorbed. Run with `LEGATE_WINDOW_SIZE=1` for the same cases unfused.
"""

from __future__ import annotations

import os
import sys
import time

import numpy

import legate_numeric
from legate_numeric import _fusion

# The workloads (and their sizes, `--small` included) are benches/numeric.py's.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numeric import GRID, N, TINY_OPS, black_scholes, stencil, ten_ops, timed, tiny  # noqa: E402

CASES = [
    ("black-scholes", black_scholes, f"{N:.0e}", 3.0),
    ("10-op expression", ten_ops, f"{N:.0e}", 3.0),
    ("5-point stencil", stencil, f"{GRID}^2", 2.5),
    ("tiny ops x[...] = x + 2*y", tiny, f"{TINY_OPS} x 1024", 1.0),
]


def main():
    from legate import _legate

    info = _legate.runtime_info()
    print(f"fusion: legate_numeric vs NumPy {numpy.__version__}  (legate: {info['flags']}, fusion {'on' if _fusion.enabled() else 'off'})")
    print(f"{'case':30s} {'size':>12s} {'numpy s':>10s} {'legate s':>10s} {'speedup':>8s} {'target':>7s} {'fused tasks/ops':>16s}")
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    for name, make, size, target in CASES:
        if only and not any(o in name for o in only):
            continue
        t_np = timed(numpy, make(numpy))
        time.sleep(0.3)
        fn = make(legate_numeric)
        _fusion.flush()
        before = _fusion.stats()
        t_lg = timed(legate_numeric, fn)
        after = _fusion.stats()
        fused = f"{after['tasks'] - before['tasks']}/{after['ops'] - before['ops']}"
        print(f"{name:30s} {size:>12s} {t_np:10.4f} {t_lg:10.4f} {t_np / t_lg:8.2f}x {target:6.1f}x {fused:>16s}", flush=True)


if __name__ == "__main__":
    main()
