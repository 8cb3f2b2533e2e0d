"""Timing that accounts for asynchronous execution."""

import time as _time


def time(units: str = "us") -> float:
    """The current time, after all outstanding work has completed (microseconds by
    default, like Legate's ``legate.timing.time()``; ``"ms"`` or ``"s"`` also work)."""
    from legate._legate import fence

    fence()
    t = _time.perf_counter_ns() / 1000.0
    return {"us": t, "ms": t / 1e3, "s": t / 1e6}[units]
