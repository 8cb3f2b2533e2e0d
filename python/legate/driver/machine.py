"""What the driver needs to know about the machine it runs on.

Everything here reads ``/proc`` or asks the OS and degrades to ``None`` where that
information is unavailable (e.g. on macOS), so callers decide what a missing value
means.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

MEMINFO = "/proc/meminfo"
CPUINFO = "/proc/cpuinfo"


def read_meminfo(path: str = MEMINFO) -> dict[str, int]:
    """The fields of ``/proc/meminfo``, in kB.

    Parameters
    ----------
    path
        The file to read (a parameter so tests can supply their own).

    Returns
    -------
    dict[str, int]
        Field name (``MemTotal``, ``MemAvailable`` ...) to its value in kB; empty when
        the file cannot be read.
    """
    fields: dict[str, int] = {}
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                name, _, rest = line.partition(":")
                parts = rest.split()
                if parts and parts[0].isdigit():
                    fields[name.strip()] = int(parts[0])
    except OSError:
        pass
    return fields


def detected_sysmem_mb(meminfo: dict[str, int]) -> int | None:
    """Three quarters of ``MemAvailable`` in MB (at least 1), or ``None`` if unknown.

    This is the same arithmetic as the runtime's own detection (``Config::detect`` in
    ``legate-core/src/config.rs``), so ``--info`` shows what the runtime will use.
    """
    kib = meminfo.get("MemAvailable")
    if kib is None:
        return None
    return max(kib // 1024 * 3 // 4, 1)


def core_count() -> int | None:
    """The number of cores this process may run on (its CPU affinity), if known."""
    # The affinity mask is what the runtime's `available_parallelism` sees too; it is
    # smaller than os.cpu_count() inside a restricted cpuset or under taskset.
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def cpu_model(path: str = CPUINFO) -> str | None:
    """The CPU model name from ``/proc/cpuinfo`` (or the platform's guess)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                # x86 says "model name"; some ARM kernels only give "Model"/"Hardware".
                if key.strip() in ("model name", "Model", "Hardware", "cpu model"):
                    return value.strip() or None
    except OSError:
        pass
    return platform.processor() or None


@dataclass(frozen=True)
class MachineInfo:
    """The facts about this machine that configuration depends on.

    Attributes
    ----------
    cores
        Cores available to this process, or ``None`` if unknown.
    total_mb
        Total RAM (``MemTotal``) in MB, or ``None`` if unknown.
    detected_sysmem_mb
        The auto-configured ``--sysmem`` (75% of available memory), or ``None``.
    """

    cores: int | None
    total_mb: int | None
    detected_sysmem_mb: int | None

    @staticmethod
    def detect() -> MachineInfo:
        """Read this machine's shape."""
        meminfo = read_meminfo()
        total = meminfo.get("MemTotal")
        return MachineInfo(
            cores=core_count(),
            total_mb=None if total is None else total // 1024,
            detected_sysmem_mb=detected_sysmem_mb(meminfo),
        )
