"""``legate-issue``: print what a bug report needs to say about this installation.

Versions of Python, the OS, Legate and its companions (NumPy, SciPy, the Rust
toolchain, MPI), the machine's CPUs and memory, whether the compiled extension
imports, and the ``LEGATE_*`` environment. Nothing here starts the runtime: the
extension is imported in a child process, so even a crashing build yields a report.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from typing import Sequence

from legate.driver.machine import core_count, cpu_model, read_meminfo

# External tools are asked for their version with a deadline, so a hung `mpirun`
# (e.g. waiting on a misconfigured network) cannot hang the report.
TOOL_TIMEOUT_S = 10.0


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def tool_version(command: Sequence[str]) -> str:
    """The first line ``command`` prints (its version), or why there is none."""
    path = shutil.which(command[0])
    if path is None:
        return "not found on PATH"
    try:
        done = subprocess.run(
            [path, *command[1:]], capture_output=True, text=True, timeout=TOOL_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{path}: failed ({e})"
    line = _first_line(done.stdout) or _first_line(done.stderr)
    return f"{line} ({path})" if line else f"{path}: printed nothing (exit {done.returncode})"


def package_version(name: str) -> str:
    """The installed version of distribution ``name``, without importing it."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def os_release() -> str | None:
    """The distribution's name from ``/etc/os-release``, if there is one."""
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.strip().partition("=")
                if key == "PRETTY_NAME":
                    return value.strip('"')
    except OSError:
        pass
    return None


def extension_status() -> str:
    """Whether ``legate._legate`` imports, checked in a child interpreter."""
    probe = "import legate._legate as m; print(getattr(m, '__file__', 'built in'))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"could not check ({e})"
    if done.returncode == 0:
        return f"imports ({_first_line(done.stdout)})"
    error = [line for line in done.stderr.splitlines() if line.strip()]
    reason = error[-1].strip() if error else f"exit status {done.returncode}"
    return f"does NOT import: {reason}"


def legate_version() -> str:
    """``legate.__version__`` and where the package lives."""
    try:
        import legate
    except ImportError as e:  # pragma: no cover - this module is inside legate
        return f"not importable ({e})"
    return f"{legate.__version__} ({os.path.dirname(legate.__file__)})"


def report() -> list[tuple[str, str]]:
    """The report as (label, value) pairs, in print order."""
    meminfo = read_meminfo()

    def mb(field: str) -> str:
        kib = meminfo.get(field)
        return "unknown" if kib is None else f"{kib // 1024} MB"

    uname = platform.uname()
    libc = " ".join(platform.libc_ver()).strip()
    rows = [
        ("Python", f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})"),
        ("Platform", platform.platform()),
        ("OS", os_release() or f"{uname.system} {uname.release}"),
        ("Kernel", f"{uname.system} {uname.release} {uname.version}"),
        ("Machine", uname.machine),
    ]
    if libc:
        rows.append(("C library", libc))
    rows += [
        ("CPU", f"{cpu_model() or 'unknown model'}; {os.cpu_count()} logical CPUs, "
         f"{core_count()} available to this process"),
        ("Memory", f"{mb('MemTotal')} total, {mb('MemAvailable')} available"),
        ("legate", legate_version()),
        ("legate-rs (installed)", package_version("legate-rs")),
        ("legate._legate", extension_status()),
        ("numpy", package_version("numpy")),
        ("scipy", package_version("scipy")),
        ("ipykernel", package_version("ipykernel")),
        ("jupyter_client", package_version("jupyter_client")),
        ("rustc", tool_version(["rustc", "--version"])),
        ("cargo", tool_version(["cargo", "--version"])),
        ("mpirun", tool_version(["mpirun", "--version"])),
        ("srun", tool_version(["srun", "--version"])),
    ]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """The ``legate-issue`` entry point: print the report.

    Parameters
    ----------
    argv
        Ignored apart from ``-h``/``--help``; present for symmetry with the other
        entry points.

    Returns
    -------
    int
        0.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if any(a in ("-h", "--help") for a in argv):
        print("usage: legate-issue\n\nPrint versions and settings to paste into a bug report.")
        return 0
    rows = report()
    width = max(len(label) for label, _ in rows) + 2
    print("Legate issue report (paste this into your bug report)")
    for label, value in rows:
        print(f"{label + ':':<{width}}{value}")
    legate_env = sorted((k, v) for k, v in os.environ.items() if k.startswith("LEGATE_"))
    print("LEGATE_* environment:" + ("" if legate_env else " (none set)"))
    for key, value in legate_env:
        print(f"  {key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
