"""Soak test: mixed random workloads from several threads, every result checked.

Each worker thread owns its arrays and runs random operations (creation, elementwise,
reductions, views and writes through them, indexing, sorts, matmul) on legate_numeric
and on NumPy, comparing each result; all threads also read a few shared read-only
arrays. The main thread samples the process's resident memory (/proc/self/statm) and
fails the run if, after a warm-up, it grows beyond a bound: a leak of stores or of
pooled buffers shows as steady growth over minutes.

Run it under a small ``--sysmem`` (``make soak``: LEGATE_CONFIG="--cpus 2 --sysmem
512"); ``--seconds`` sets the duration. A MemoryError counts as a failure unless
``--allow-memory-errors`` (then it is counted and reported).

Exit status 0 when every check passed and memory stayed bounded.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback
import warnings

import numpy as np

import legate_numeric as lnp

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2**20


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = 0
        self.checks = 0
        self.memory_errors = 0
        self.failures: list = []

    def add(self, ops=0, checks=0):
        with self.lock:
            self.ops += ops
            self.checks += checks


def check(got, expected, what, tol=1e-9):
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape or got.dtype != expected.dtype:
        raise AssertionError(f"{what}: {got.dtype}{got.shape} != {expected.dtype}{expected.shape}")
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * max(1.0, float(np.abs(expected).max(initial=0))), err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


class Worker:
    """One thread's random workload: its own arrays on both sides."""

    def __init__(self, seed, shared, stats, deadline, max_n):
        self.rng = np.random.default_rng(seed)
        self.shared = shared
        self.stats = stats
        self.deadline = deadline
        self.max_n = max_n
        self.step = 0

    def size(self):
        # Mostly small arrays (inline tasks), sometimes large ones (split into pieces).
        return int(self.rng.choice([7, 64, 1000, 4096, self.max_n]))

    def run(self):
        ops = [self.elementwise, self.reduction, self.views, self.indexing, self.sort, self.matmul, self.shared_read, self.creation]
        while time.monotonic() < self.deadline:
            op = ops[int(self.rng.integers(len(ops)))]
            self.step += 1
            try:
                op()
            except MemoryError as exc:
                # Only text is kept: a traceback object holds the frames, and with them
                # the arrays of the step.
                with self.stats.lock:
                    self.stats.memory_errors += 1
                    if self.stats.memory_errors <= 3:
                        self.stats.failures.append((f"{op.__name__} step {self.step}", "MemoryError", f"{exc}"))
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                with self.stats.lock:
                    self.stats.failures.append((f"{op.__name__} step {self.step}", repr(exc), traceback.format_exc()))
                return

    def data(self, n, dtype=np.float64):
        if np.dtype(dtype).kind == "f":
            return self.rng.standard_normal(n).astype(dtype)
        return self.rng.integers(-50, 50, n).astype(dtype)

    def creation(self):
        n = self.size()
        a = lnp.arange(n, dtype=np.float64)
        check(a, np.arange(n, dtype=np.float64), "arange")
        z = lnp.zeros((n // 7 + 1, 7))
        z[1:, ::2] = 3.0
        e = np.zeros((n // 7 + 1, 7))
        e[1:, ::2] = 3.0
        check(z, e, "zeros + strided write")
        check(lnp.linspace(0, 1, n), np.linspace(0, 1, n), "linspace")
        self.stats.add(ops=5, checks=3)

    def elementwise(self):
        n = self.size()
        x = self.data(n)
        y = self.data(n)
        lx, ly = lnp.array(x), lnp.array(y)
        r = lnp.sqrt(lnp.abs(lx)) * 2 + ly / (1 + lx * lx)
        check(r, np.sqrt(np.abs(x)) * 2 + y / (1 + x * x), "elementwise", 1e-12)
        lx += ly
        x += y
        check(lx, x, "in-place")
        self.stats.add(ops=8, checks=2)

    def reduction(self):
        n = self.size()
        x = self.data(n, self.rng.choice([np.float64, np.int64, np.int32]))
        lx = lnp.array(x)
        check(lx.sum(), x.sum(), "sum", 1e-9)
        check(lnp.max(lx), np.max(x), "max")
        m = x[: n - n % 4].reshape(-1, 4) if n >= 4 else x.reshape(1, -1)
        lm = lnp.array(m)
        check(lm.sum(axis=0), m.sum(axis=0), "sum axis 0", 1e-9)
        check(lnp.mean(lm, axis=1), np.mean(m, axis=1), "mean axis 1", 1e-9)
        check(lnp.cumsum(lx), np.cumsum(x), "cumsum", 1e-9)
        self.stats.add(ops=6, checks=5)

    def views(self):
        n = self.size()
        x = self.data(n)
        lx = lnp.array(x)
        v, lv = x[1::3], lx[1::3]
        lv *= -1
        v *= -1
        w, lw = x[::-2], lx[::-2]
        lw[...] = lw + 1
        w[...] = w + 1
        check(lx, x, "writes through views")
        if n >= 4:
            m, lm = x[: n - n % 4].reshape(-1, 4), lx[: n - n % 4].reshape(-1, 4)
            lm.T[1] = 7.0
            m.T[1] = 7.0
            check(lx, x, "write through a transposed reshape")
        self.stats.add(ops=6, checks=2)

    def indexing(self):
        n = self.size()
        x = self.data(n)
        lx = lnp.array(x)
        idx = self.rng.integers(-n, n, 10)
        check(lx[lnp.array(idx)], x[idx], "integer array get")
        mask = x > 0
        check(lx[lx > 0], x[mask], "mask get")
        lx[lx < 0] = 0.0
        x[mask == False] = 0.0  # noqa: E712 - elementwise
        check(lx, x, "mask set")
        self.stats.add(ops=5, checks=3)

    def sort(self):
        n = self.size()
        x = self.data(n, self.rng.choice([np.float64, np.int64]))
        lx = lnp.array(x)
        check(lnp.sort(lx), np.sort(x), "sort")
        check(lnp.argsort(lx, kind="stable"), np.argsort(x, kind="stable"), "argsort")
        self.stats.add(ops=2, checks=2)

    def matmul(self):
        k = int(self.rng.choice([3, 16, 64]))
        a = self.data(k * k).reshape(k, k)
        b = self.data(k * 2).reshape(k, 2)
        check(lnp.array(a) @ lnp.array(b), a @ b, "matmul", 1e-10)
        self.stats.add(ops=1, checks=1)

    def shared_read(self):
        name = str(self.rng.choice(sorted(self.shared)))
        x, lx = self.shared[name]
        check(lnp.sum(lx[::2]), np.sum(x[::2]), f"shared {name} sum", 1e-9)
        check(lx[-5:] * 2, x[-5:] * 2, f"shared {name} slice")
        self.stats.add(ops=3, checks=2)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 300)))
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", 1)))
    p.add_argument("--max-n", type=int, default=200_000, help="the largest array a step makes (elements)")
    p.add_argument("--rss-growth-mb", type=float, default=float(os.environ.get("SOAK_RSS_GROWTH_MB", 150)),
                   help="allowed RSS growth after the warm-up")
    p.add_argument("--allow-memory-errors", action="store_true")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")

    start = time.monotonic()
    deadline = start + args.seconds
    rng = np.random.default_rng(args.seed)
    shared = {}
    for name, n in (("small", 100), ("large", args.max_n)):
        x = rng.standard_normal(n)
        lx = lnp.array(x)
        lx.flags  # noqa: B018 - read-only from here on (by convention: nobody writes)
        shared[name] = (x, lx)
    stats = Stats()
    workers = [Worker(args.seed * 1000 + i, shared, stats, deadline, args.max_n) for i in range(args.threads)]
    threads = [threading.Thread(target=w.run, name=f"soak-{i}", daemon=True) for i, w in enumerate(workers)]
    for t in threads:
        t.start()

    warmup = min(args.seconds * 0.25, 30.0)
    baseline = None
    peak = rss_mb()
    samples = []
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        now = time.monotonic() - start
        rss = rss_mb()
        peak = max(peak, rss)
        samples.append((now, rss))
        if baseline is None and now >= warmup:
            baseline = rss
        if baseline is not None and rss > baseline + args.rss_growth_mb:
            stats.failures.append(("memory", None, f"RSS {rss:.0f} MB at {now:.0f} s, baseline {baseline:.0f} MB (+{args.rss_growth_mb:.0f} MB allowed)"))
            break
        if now > args.seconds + 120:
            stats.failures.append(("hang", None, f"workers still running {now - args.seconds:.0f} s after the deadline"))
            break
    for t in threads:
        t.join(timeout=5)
    # Everything shared is still intact (nobody wrote it).
    for name, (x, lx) in shared.items():
        check(lx, x, f"shared {name} at the end")

    elapsed = time.monotonic() - start
    end_rss = rss_mb()
    print(f"soak: {elapsed:.0f} s, {args.threads} threads, {stats.ops} operations, {stats.checks} checks against NumPy, "
          f"RSS baseline {baseline or 0:.0f} MB, end {end_rss:.0f} MB, peak {peak:.0f} MB, "
          f"MemoryErrors {stats.memory_errors}, LEGATE_CONFIG={os.environ.get('LEGATE_CONFIG', '')!r}")
    failures = [f for f in stats.failures if not (args.allow_memory_errors and f[1] == "MemoryError")]
    for what, exc, tb in failures:
        print(f"FAILED {what}: {exc}\n{tb}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
