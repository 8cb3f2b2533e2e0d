"""How legate_numeric programs scale over ranks: a 2-D 5-point stencil and dense CG.

Run: `make bench-scale` (or `.venv/bin/python benches/scale.py`). For each rank count
(`--ranks 1,2,4`) and case, the driver launches this script on that many ranks
(`mpirun --allow-run-as-root --oversubscribe -n R`, one launch per case so that peak
memory is the case's own) and prints, per iteration and per rank:

- the time (median over the timed iterations; every iteration ends with a fence);
- the bytes moved: sent to other ranks, received, messages sent, and copied between
  instances of one rank (deltas of `get_legate_runtime().stats()`, averaged);
- the peak memory per rank: the process's peak RSS (`ru_maxrss`) and the runtime's
  peak allocation (`runtime_info()["sysmem_peak"]`), largest over the ranks.

Each rank gets `--cpus max(1, cores // R)` unless `--cpus` says otherwise, so the
processors in use stay those of the machine. `--worker` is the per-rank mode the driver
launches (`--case stencil|cg --out DIR`: each rank writes `DIR/rank<N>.json`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CASES = ("stencil", "cg")


# --- the programs -------------------------------------------------------------------


def stencil(np, grid: int):
    """The 5-point Jacobi stencil of examples/stencil.py on a `grid`^2 array."""
    g = np.zeros((grid, grid))
    g[0, :] = 1.0
    g[:, 0] = 1.0

    def step():
        center = g[1:-1, 1:-1]
        north, south = g[:-2, 1:-1], g[2:, 1:-1]
        east, west = g[1:-1, 2:], g[1:-1, :-2]
        g[1:-1, 1:-1] = 0.2 * (center + north + south + east + west)

    return step


def cg(np, n: int):
    """Conjugate gradients on a dense, symmetric positive definite `n` x `n` matrix."""
    A = np.eye(n) * np.linspace(1.0, 10.0, n) + np.ones((n, n)) * (1.0 / n)
    b = np.ones(n)
    state = {}

    def reset():
        x = np.zeros(n)
        r = b - A @ x
        state.update(x=x, r=r, p=r, rs=float(r @ r))

    reset()

    def step():
        x, r, p, rs = state["x"], state["r"], state["p"], state["rs"]
        if rs < 1e-24:  # converged: start again, so every iteration does the same work
            reset()
            x, r, p, rs = state["x"], state["r"], state["p"], state["rs"]
        Ap = A @ p
        alpha = rs / float(p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = float(r @ r)
        p = r + (rs_new / rs) * p
        state.update(x=x, r=r, p=p, rs=rs_new)

    return step


# --- one rank ------------------------------------------------------------------------


def worker(args) -> None:
    import legate.core as lc
    import legate_numeric as np
    from legate.timing import time as legate_time

    rt = lc.get_legate_runtime()
    step = stencil(np, args.grid) if args.case == "stencil" else cg(np, args.n)
    step()  # warm up: allocations, pools, the first partitions
    legate_time("s")
    times, deltas = [], []
    for _ in range(args.iterations):
        before = rt.stats()
        t0 = legate_time("s")
        step()
        t1 = legate_time("s")  # waits for the iteration's work
        after = rt.stats()
        times.append(t1 - t0)
        deltas.append({k: after[k] - before[k] for k in after})
    info = lc.runtime_info()
    record = {
        "case": args.case,
        "rank": lc.get_rank(),
        "num_ranks": lc.get_num_ranks(),
        "flags": info.get("flags", ""),
        "times": times,
        "moved": {k: statistics.fmean(d[k] for d in deltas) for k in deltas[0]},
        "maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "sysmem_peak": info.get("sysmem_peak", 0),
    }
    # Each rank writes its own file: only rank 0 prints.
    with open(os.path.join(args.out, f"rank{lc.get_rank()}.json"), "w") as f:
        json.dump(record, f)


# --- the driver ----------------------------------------------------------------------


def launch(args, case: str, ranks: int, cpus: int) -> list[dict]:
    out = tempfile.mkdtemp(prefix=f"scale-{case}-{ranks}-")
    try:
        me = [sys.executable, os.path.abspath(__file__), "--worker", "--case", case, "--out", out,
              "--grid", str(args.grid), "--n", str(args.n), "--iterations", str(args.iterations)]
        env = dict(os.environ, LEGATE_CONFIG=f"--cpus {cpus}")
        if shutil.which("mpirun"):
            command = ["mpirun", "--bind-to", "none", "--oversubscribe", "-x", "LEGATE_CONFIG", "-n", str(ranks), *me]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                command[1:1] = ["--allow-run-as-root"]
        elif ranks == 1:
            command = me
        else:
            raise SystemExit("scale.py: mpirun is not installed (make sysdeps installs OpenMPI)")
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=args.timeout)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            raise SystemExit(f"scale.py: {case} on {ranks} ranks failed (status {done.returncode})")
        records = []
        for rank in range(ranks):
            path = os.path.join(out, f"rank{rank}.json")
            if os.path.exists(path):
                with open(path) as f:
                    records.append(json.load(f))
        return records
    finally:
        shutil.rmtree(out, ignore_errors=True)


def human(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(nbytes) < 1024 or unit == "GB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} GB"


def drive(args) -> None:
    cores = os.cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    ranks_list = [int(r) for r in args.ranks.split(",")]
    cases = [c for c in args.cases.split(",") if c]
    print(f"scale.py: 5-point stencil on {args.grid}^2 float64, dense CG with n = {args.n}; "
          f"{args.iterations} timed iterations each, on {', '.join(map(str, ranks_list))} ranks; "
          f"{cores} cores here")
    print(f"reference sizes: one stencil halo row = {human(args.grid * 8)}, one CG vector = {human(args.n * 8)}, "
          f"the CG matrix = {human(args.n * args.n * 8)}")
    if max(ranks_list) > cores:
        print(f"note: {max(ranks_list)} ranks on {cores} cores is oversubscribed (mpirun --oversubscribe): "
              "ranks take turns on the cores, and a rank waiting for a message polls and takes a core "
              "from one with work, so time per iteration there measures contention, not scaling. "
              "Bytes moved and memory per rank are not distorted.")
    header = (f"{'case':8s} {'ranks':>5s} {'cpus/rank':>9s} {'ms/iter':>9s} {'sent/iter':>11s} "
              f"{'recv/iter':>11s} {'msgs/iter':>9s} {'local copy/iter':>15s} {'peak RSS/rank':>13s} "
              f"{'sysmem peak/rank':>16s}")
    print(header)
    print("-" * len(header))
    unreplicated = []
    for case in cases:
        for ranks in ranks_list:
            cpus = args.cpus or max(1, cores // ranks)
            records = launch(args, case, ranks, cpus)
            if len(records) != ranks or any(r["num_ranks"] != ranks for r in records):
                unreplicated.append((case, ranks, sorted({r["num_ranks"] for r in records}), len(records)))
            if not records:
                continue
            ms = max(statistics.median(r["times"]) for r in records) * 1e3
            moved = {k: sum(r["moved"][k] for r in records) for k in records[0]["moved"]}
            rss = max(r["maxrss_bytes"] for r in records)
            peak = max(r["sysmem_peak"] for r in records)
            print(f"{case:8s} {ranks:5d} {cpus:9d} {ms:9.2f} {human(moved['bytes_sent']):>11s} "
                  f"{human(moved['bytes_received']):>11s} {moved['messages_sent']:9.1f} "
                  f"{human(moved['bytes_copied_locally']):>15s} {human(rss):>13s} {human(peak):>16s}",
                  flush=True)
    print("ms/iter: the slowest rank's median; moved: summed over the ranks; peak: the largest rank's.")
    if unreplicated:
        print("warning: the runtime did not run these as one program on several ranks (each process "
              "ran the whole problem alone, so nothing moved and memory did not shrink):")
        for case, ranks, seen, count in unreplicated:
            print(f"  {case} on {ranks} ranks: {count} rank reports, num_ranks reported {seen}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ranks", default="1,2,4", help="rank counts to run (default 1,2,4)")
    p.add_argument("--cases", default=",".join(CASES), help="stencil,cg (default both)")
    p.add_argument("--grid", type=int, default=2000, help="stencil grid side (default 2000)")
    p.add_argument("--n", type=int, default=2000, help="CG matrix size (default 2000)")
    p.add_argument("--iterations", type=int, default=20, help="timed iterations (default 20)")
    p.add_argument("--cpus", type=int, default=0, help="--cpus per rank (default: cores // ranks, at least 1)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per launch (default 600)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
