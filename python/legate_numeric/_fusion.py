"""Fusion of elementwise operations (the window lives in Rust: legate-numeric's
``fusion`` module).

Elementwise ufunc calls, casts and same-shape copies on arrays are held back in a
window of ``LEGATE_WINDOW_SIZE`` operations (default 64; 1 turns fusion off), or up to
8 times as many while the stores they write hold under a quarter of ``--sysmem``, and
run as one ``fused[...]`` task, one pass over memory. Temporaries whose arrays died
before the window ran are never written to memory. Anything else the program does
(another operation, reading values, a wait) runs the window first, in program order.
"""

from __future__ import annotations

from legate import _legate as _ext


def stats() -> dict:
    """``{"enabled": bool, "tasks": fused tasks launched, "ops": operations they ran,
    "elided": temporaries never materialized, "forwarded": assignments ``a[...] = t``
    whose ``t`` was computed straight into ``a``, "reused": fused tasks that ran the
    plan of an equal window launched lately, "spares": dead temporaries kept whole
    for the next results of their type and shape}`` since the runtime started."""
    return dict(_ext.fusion_stats())


def enabled() -> bool:
    return bool(_ext.fusion_stats()["enabled"])


def flush() -> None:
    """Launches the operations held back now (reads and waits do it themselves)."""
    _ext.fusion_flush()
