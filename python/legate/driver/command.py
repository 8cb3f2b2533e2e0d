"""The program's command line and environment.

A run is ``[launcher ...] [debugger ...] python <program>``, where ``<program>`` is the
script, ``-m MOD`` or ``-i`` (the console). ``--patch`` and ``--freeze-on-error`` run
the program through the small bootstrap in :mod:`legate.driver.patch` instead.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Mapping

from legate.driver.config import RuntimeConfig
from legate.driver.launcher import exported_variables, launcher_prefix, mpirun_options
from legate.driver.machine import MachineInfo

#: The module ``python -m`` runs for ``--patch``/``--freeze-on-error``.
BOOTSTRAP = "legate.driver.patch"


@dataclass
class Program:
    """What to run: a script (``"-"`` for standard input), a module, or neither (the
    interactive console), with its arguments."""

    script: str | None = None
    module: str | None = None
    args: list[str] = field(default_factory=list)

    @staticmethod
    def from_tokens(module: str | None, tokens: list[str]) -> Program:
        """The program for ``--module`` (if any) and the tokens after the flags."""
        if module is not None:
            return Program(module=module, args=list(tokens))
        if tokens:
            return Program(script=tokens[0], args=list(tokens[1:]))
        return Program()

    @property
    def interactive(self) -> bool:
        """Whether this is the interactive console."""
        return self.script is None and self.module is None

    def target(self) -> list[str]:
        """The program as ``python`` arguments: ``script args``, ``-m MOD args`` or ``-i``."""
        if self.module is not None:
            return ["-m", self.module, *self.args]
        if self.script is not None:
            return [self.script, *self.args]
        return ["-i"]


@dataclass
class Invocation:
    """Everything that decides the command the driver runs.

    Attributes
    ----------
    runtime
        The runtime settings (become ``LEGATE_CONFIG``).
    program
        What to run.
    launcher, launcher_extra
        How ranks are started, and the extra launcher arguments (already split).
    patch
        Modules to replace with their drop-ins (``["numpy"]``).
    gdb, cuda_gdb, valgrind, memcheck, freeze_on_error
        Debugging aids (``memcheck`` is NVIDIA's compute-sanitizer).
    python
        The interpreter the program runs on.
    """

    runtime: RuntimeConfig
    program: Program
    launcher: str = "none"
    launcher_extra: list[str] = field(default_factory=list)
    patch: list[str] = field(default_factory=list)
    gdb: bool = False
    cuda_gdb: bool = False
    valgrind: bool = False
    memcheck: bool = False
    freeze_on_error: bool = False
    python: str = sys.executable


def program_command(inv: Invocation) -> list[str]:
    """The command of one rank: the interpreter, the program and any debugger.

    With ``--patch`` or ``--freeze-on-error`` the interpreter runs the bootstrap,
    which sets things up and then runs the program the way ``python`` would.
    """
    if inv.patch or inv.freeze_on_error:
        options: list[str] = []
        for name in inv.patch:
            options += ["--patch", name]
        if not inv.patch:
            options.append("--no-patch")
        if inv.freeze_on_error:
            options.append("--freeze-on-error")
        program = inv.program
        if program.module is not None:
            target = ["--module", program.module, *program.args]
        elif program.script is not None:
            # "--" keeps a script named like an option from being read as one.
            target = ["--", program.script, *program.args]
        else:
            target = []
        # For the console, `python -i -m bootstrap` runs the bootstrap (which patches and
        # returns) and then opens the console with the patch in place.
        interactive = ["-i"] if program.interactive else []
        command = [inv.python, *interactive, "-m", BOOTSTRAP, *options, *target]
    else:
        command = [inv.python, *inv.program.target()]
    if inv.gdb:
        return ["gdb", "--args", *command]
    if inv.cuda_gdb:
        return ["cuda-gdb", "--args", *command]
    if inv.valgrind:
        return ["valgrind", *command]
    if inv.memcheck:
        return ["compute-sanitizer", "--tool", "memcheck", *command]
    return command


def child_environment(inv: Invocation, environ: Mapping[str, str]) -> dict[str, str]:
    """The program's environment: ``environ`` with ``LEGATE_CONFIG`` set.

    ``LEGATE_CONFIG`` is always set, even to an empty string, because the driver has
    already folded an inherited value into the configuration.
    """
    env = dict(environ)
    env["LEGATE_CONFIG"] = inv.runtime.legate_config()
    return env


def full_command(
    inv: Invocation,
    child_env: Mapping[str, str],
    machine: MachineInfo | None = None,
    as_root: bool | None = None,
) -> list[str]:
    """The whole command: launcher prefix (if any) and the rank's command.

    Parameters
    ----------
    inv
        The invocation.
    child_env
        The program's environment (from :func:`child_environment`), whose variables
        ``mpirun`` is told to forward: ``LEGATE_CONFIG`` among them, so that every rank
        starts its runtime with the same settings.
    machine
        This machine's shape, for ``mpirun``'s ``--oversubscribe`` (detected if ``None``).
    as_root
        Whether the driver runs as root, for ``mpirun``'s ``--allow-run-as-root``
        (asked of the OS if ``None``).
    """
    nodes, ranks_per_node = inv.runtime.nodes.value, inv.runtime.ranks_per_node.value
    options: list[str] = []
    if inv.launcher == "mpirun":
        if machine is None:
            machine = MachineInfo.detect()
        if as_root is None:
            as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        options = mpirun_options(nodes, ranks_per_node, machine.cores, as_root, inv.launcher_extra)
    prefix = launcher_prefix(
        inv.launcher,
        nodes,
        ranks_per_node,
        inv.launcher_extra,
        exported_variables(child_env),
        options,
    )
    return prefix + program_command(inv)
