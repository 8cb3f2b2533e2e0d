"""Shared command line for the examples: `--package numpy|legate`, timing, checks."""

from __future__ import annotations

import argparse
import importlib
import time


def parse(description: str, **sizes):
    """Parses `--package` plus one integer option per keyword (its default)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--package", choices=["legate", "numpy"], default="legate", help="array library to run on")
    for name, default in sizes.items():
        p.add_argument(f"--{name}", type=int, default=default)
    args = p.parse_args()
    np = importlib.import_module("legate_numeric" if args.package == "legate" else "numpy")
    return args, np


class Timer:
    """Wall time that waits for outstanding legate work at both ends."""

    def __init__(self, package: str):
        self.package = package

    def now(self) -> float:
        if self.package == "legate":
            from legate.timing import time as legate_time

            return legate_time("ms")
        return time.perf_counter() * 1e3

    def __enter__(self):
        self.start = self.now()
        return self

    def __exit__(self, *exc):
        self.ms = self.now() - self.start
        print(f"Elapsed Time: {self.ms:.3f} ms")
