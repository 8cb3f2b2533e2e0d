"""The ``legate`` command.

``legate [flags] script.py [args ...]`` runs a script, ``legate [flags] --module MOD
[args ...]`` a module, and ``legate [flags]`` the interactive console, each in a child
``python`` process whose ``LEGATE_CONFIG`` holds the runtime's flags. With
``--launcher mpirun|srun|jsrun`` that process is the launcher, which starts
``--nodes`` x ``--ranks-per-node`` ranks of the program, each with the same
``LEGATE_CONFIG``; under a launcher already (``mpirun -n 4 legate script.py``) each rank
runs the program itself. The exit status is the program's (the launcher's); the driver's own errors are one ``legate: error: ...`` line and
status 2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
from typing import Mapping, Sequence

from legate.driver.command import Invocation, Program, child_environment, full_command
from legate.driver.config import resolve_runtime, validate_runtime
from legate.driver.flags import DriverError, build_parser, environment_only, split_program
from legate.driver.launcher import detect_ranks, split_extra
from legate.driver.machine import MachineInfo

PROG = "legate"


def version() -> str:
    """The version of the ``legate`` package (no runtime is started)."""
    import legate  # the package's __init__ is pure Python and cheap

    return legate.__version__


def parse(
    argv: Sequence[str],
    environ: Mapping[str, str],
    machine: MachineInfo | None = None,
) -> tuple[Invocation, argparse.Namespace]:
    """Parse a command line into an invocation and the driver's modes.

    Parameters
    ----------
    argv
        The arguments after ``legate``.
    environ
        The environment (``LEGATE_*``, ``LEGATE_CONFIG``, launcher variables).
    machine
        This machine's shape (detected if ``None``; tests pass their own).

    Returns
    -------
    tuple[Invocation, argparse.Namespace]
        The invocation, and the parsed flags (for ``--dry-run``, ``--info`` ...).

    Raises
    ------
    DriverError
        For any invalid flag, value or combination.
    """
    parser = build_parser(PROG, machine.cores if machine is not None else None)
    flags, program_tokens = split_program(parser, argv)
    args = parser.parse_args(flags)

    # An inherited LEGATE_CONFIG (e.g. set once in a job script) holds flags for both
    # the runtime and the driver; read it first so the command line overrides it.
    inherited = None
    text = environ.get("LEGATE_CONFIG", "")
    if text.strip():
        try:
            tokens = shlex.split(text)
        except ValueError as e:
            raise DriverError(f"cannot split LEGATE_CONFIG {text!r}: {e}") from None
        try:
            inherited = parser.parse_args(tokens)
        except DriverError as e:
            raise DriverError(f"in LEGATE_CONFIG: {e}") from None

    def pick(name: str):
        value = getattr(args, name)
        if value is None and inherited is not None:
            value = getattr(inherited, name)
        return value

    runtime = resolve_runtime(
        args, environ, inherited=inherited, machine=machine, ranks=detect_ranks(environ)
    )
    invocation = Invocation(
        runtime=runtime,
        program=Program.from_tokens(args.module, program_tokens),
        launcher=pick("launcher") or "none",
        launcher_extra=split_extra(pick("launcher_extra")),
        patch=list(dict.fromkeys(pick("patch") or [])),
        gdb=bool(pick("gdb")),
        cuda_gdb=bool(pick("cuda_gdb")),
        valgrind=bool(pick("valgrind")),
        memcheck=bool(pick("memcheck")),
        freeze_on_error=bool(pick("freeze_on_error")),
    )
    return invocation, args


def validate(inv: Invocation, detected_launcher: bool, machine: MachineInfo | None = None) -> None:
    """Check the invocation as a whole (the runtime settings and how they are launched).

    Parameters
    ----------
    inv
        The invocation.
    detected_launcher
        Whether the process already runs under a launcher (its ranks exist already).
    machine
        This machine's shape (detected if ``None``).

    Raises
    ------
    DriverError
        For the first problem found.
    """
    validate_runtime(inv.runtime, machine)
    ranks = inv.runtime.ranks
    layout = f"{inv.runtime.nodes.value} nodes x {inv.runtime.ranks_per_node.value} ranks per node"
    tools = {"--gdb": inv.gdb, "--cuda-gdb": inv.cuda_gdb, "--valgrind": inv.valgrind, "--memcheck": inv.memcheck}
    for flag, on in (*tools.items(), ("--freeze-on-error", inv.freeze_on_error)):
        if on and ranks > 1:
            raise DriverError(f"{flag} needs a single rank, but {ranks} were asked for ({layout})")
    chosen = [flag for flag, on in tools.items() if on]
    if len(chosen) > 1:
        raise DriverError(f"{' and '.join(chosen)} cannot be used together")
    if inv.freeze_on_error and inv.program.interactive:
        raise DriverError("--freeze-on-error needs a script or --module, not the interactive console")
    if inv.launcher == "none" and inv.launcher_extra:
        raise DriverError("--launcher-extra needs a launcher: add --launcher mpirun, srun or jsrun")
    if ranks > 1 and inv.launcher == "none" and not detected_launcher:
        raise DriverError(f"{ranks} ranks ({layout}) need a launcher: add --launcher mpirun, srun or jsrun")


def check_with_runtime(legate_config: str) -> None:
    """Parse the flags with the runtime's own parser (no runtime is started), so that a
    string the runtime would refuse is reported now, as a driver error."""
    from legate import _legate

    problem = _legate.check_flags(legate_config)
    if problem is not None:
        raise DriverError(f"the runtime rejects LEGATE_CONFIG={shlex.quote(legate_config)}: {problem}")


def environment_lines(env: Mapping[str, str]) -> list[str]:
    """``--info``'s rows for the environment-only settings: value, then its source."""
    lines = ["environment-only settings (value, then where it came from)"]
    test = env.get("LEGATE_TEST", "").strip().lower() in ("1", "true", "on", "yes")
    for s in environment_only():
        value = env.get(s.env, "")
        if value.strip():
            value, source = value.strip(), s.env
        elif s.key == "min_cpu_chunk" and test:
            value, source = "2", "LEGATE_TEST"
        else:
            value, source = s.default if s.default is not None else "unset", "default"
        lines.append(f"  {s.env:<32}{value:<12}{source}".rstrip())
    return lines


def info_text(inv: Invocation, command: Sequence[str], env: Mapping[str, str]) -> str:
    """What ``--info`` prints: the settings with their sources, and the command."""
    lines = [f"Legate {version()} configuration (value, then where it came from)"]
    lines += inv.runtime.describe()
    lines.append(f"  {'launcher':<24}{inv.launcher}")
    if inv.launcher_extra:
        lines.append(f"  {'launcher-extra':<24}{shlex.join(inv.launcher_extra)}")
    lines += environment_lines(env)
    lines.append(f"LEGATE_CONFIG={shlex.quote(env['LEGATE_CONFIG'])}")
    lines.append(f"command: {shlex.join(command)}")
    return "\n".join(lines)


def run(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``command`` and return its exit status (128 + N if killed by signal N).

    Ctrl-C reaches the child directly from the terminal, so the driver keeps waiting
    for the child to finish rather than dying first; SIGTERM and SIGHUP sent to the
    driver are passed on.
    """
    try:
        child = subprocess.Popen(list(command), env=dict(env))
    except OSError as e:
        raise DriverError(f"cannot run {command[0]!r}: {e.strerror or e}") from None

    def forward(signum, _frame):
        child.send_signal(signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, forward)
        except ValueError:  # not the main thread: leave signals alone
            pass
    try:
        while True:
            try:
                status = child.wait()
                break
            except KeyboardInterrupt:
                continue
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status if status >= 0 else 128 - status


def main(argv: Sequence[str] | None = None) -> int:
    """The ``legate`` entry point.

    Parameters
    ----------
    argv
        The arguments after ``legate`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The program's exit status, 0 for ``--dry-run``/``--info``/``--version``, or 2
        for a driver error.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("new-library", "--abi-path"):
        # Library authoring, not a program run (see legate/_template).
        from legate._template import cli

        return cli(argv)
    environ = os.environ
    try:
        machine = MachineInfo.detect()
        inv, args = parse(argv, environ, machine)
        if args.version:
            print(f"legate {version()}")
            return 0
        detected = detect_ranks(environ) is not None
        validate(inv, detected, machine)
        env = child_environment(inv, environ)
        check_with_runtime(env["LEGATE_CONFIG"])
        command = full_command(inv, env, machine)
        if args.info:
            print(info_text(inv, command, env))
            return 0
        if args.dry_run:
            print(f"export LEGATE_CONFIG={shlex.quote(env['LEGATE_CONFIG'])}")
            print(shlex.join(command))
            return 0
        if inv.runtime.switches.get("verbose"):
            print(f"legate: LEGATE_CONFIG={shlex.quote(env['LEGATE_CONFIG'])}", file=sys.stderr)
            print(f"legate: running {shlex.join(command)}", file=sys.stderr, flush=True)
        return run(command, env)
    except DriverError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
