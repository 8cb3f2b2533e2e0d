"""Jupyter support: ``legate-jupyter`` installs a kernel spec (see
:mod:`legate.jupyter.install`), and ``%load_ext legate.jupyter`` adds the
``%legate_info`` line magic, which prints the kernel's Legate configuration.

Importing this package needs neither IPython nor the compiled runtime.
"""

from __future__ import annotations

import argparse
import os
import shlex
from typing import Any, Mapping

MAGIC = "legate_info"


def config_lines(environ: Mapping[str, str] | None = None) -> list[str]:
    """The configuration described by ``LEGATE_CONFIG`` and the ``LEGATE_*`` variables.

    Parameters
    ----------
    environ
        The environment to read (default: this process's).

    Returns
    -------
    list[str]
        One line per setting, with the value and where it came from.
    """
    from legate.driver.config import resolve_runtime
    from legate.driver.flags import DriverError, build_parser

    environ = os.environ if environ is None else environ
    text = environ.get("LEGATE_CONFIG", "")
    lines = [f"LEGATE_CONFIG={shlex.quote(text)}"]
    try:
        flags = build_parser("legate").parse_args(shlex.split(text))
        # The flags came from LEGATE_CONFIG, not a command line: say so in the sources.
        config = resolve_runtime(argparse.Namespace(), environ, inherited=flags)
    except (DriverError, ValueError) as e:
        return lines + [f"  cannot read the configuration: {e}"]
    return lines + config.describe()


def runtime_lines() -> list[str]:
    """What the running runtime reports about itself, or why it cannot.

    Imports the compiled extension lazily (starting the runtime if it is not running
    yet, as any Legate call in the kernel would).
    """
    try:
        from legate.core import get_legate_runtime
    except ImportError as e:
        return [
            f"Runtime: not available ({e}); the settings above are what it would use "
            "once the compiled extension legate._legate is installed"
        ]
    try:
        info: Any = get_legate_runtime().config
        if callable(info):
            info = info()
        items = dict(info)
    except Exception as e:  # noqa: BLE001 - report, never break the notebook
        return [f"Runtime: could not report its configuration ({type(e).__name__}: {e})"]
    return ["Runtime reports:"] + [f"  {key:<24}{value}" for key, value in items.items()]


def info_text(environ: Mapping[str, str] | None = None) -> str:
    """What ``%legate_info`` prints."""
    lines = ["Legate kernel configuration (value, then where it came from)"]
    lines += config_lines(environ)
    lines += runtime_lines()
    return "\n".join(lines)


def legate_info(line: str = "") -> None:
    """The ``%legate_info`` line magic: print the kernel's Legate configuration."""
    print(info_text())


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%legate_info`` (called by ``%load_ext legate.jupyter``).

    Parameters
    ----------
    ipython
        The running ``InteractiveShell``.
    """
    ipython.register_magic_function(legate_info, magic_kind="line", magic_name=MAGIC)
