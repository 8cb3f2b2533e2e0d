"""The driver's flags: one table for the runtime settings, and the argument parser.

Runtime settings (processors, memory, observability) are the flags the runtime itself
reads from ``LEGATE_CONFIG``; the others (launch, debugging, which program to run)
only mean something to the driver. The parser gives every flag a default of ``None``
so that resolution (:mod:`legate.driver.config`) can tell "not given" from "given
with the default value" and fall back to the ``LEGATE_*`` variable or detection.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import NoReturn, Sequence

LAUNCHERS = ("none", "mpirun", "srun", "jsrun")

#: What ``--patch NAME`` replaces, and with which module.
PATCHES = {"numpy": "legate_numeric"}


class DriverError(Exception):
    """A problem with the command line or configuration: one line, exit status 2."""


@dataclass(frozen=True)
class NumericSetting:
    """A runtime setting that takes a non-negative integer.

    Attributes
    ----------
    name
        The attribute name in the parsed namespace (``eager_alloc_percentage``).
    flag
        The command-line flag (``--eager-alloc-percentage``).
    env
        The ``LEGATE_*`` variable that sets its default.
    default
        Legate's documented default.
    unit
        Unit shown in help and ``--info`` (``""``, ``"MB"`` or ``"%"``).
    help
        What the setting controls.
    detected
        How auto-configuration picks the value (``None`` when it does not).
    """

    name: str
    flag: str
    env: str
    default: int
    unit: str
    help: str
    detected: str | None = None


#: The processor and memory settings, in the order ``LEGATE_CONFIG`` lists them.
NUMERIC_SETTINGS: tuple[NumericSetting, ...] = (
    NumericSetting(
        "cpus", "--cpus", "LEGATE_CPUS", 4, "", "CPU processors per rank",
        detected="one per core",
    ),
    NumericSetting("gpus", "--gpus", "LEGATE_GPUS", 0, "", "GPU processors per rank"),
    NumericSetting(
        "omps", "--omps", "LEGATE_OMP_PROCS", 0, "", "OpenMP-style processors per rank"
    ),
    NumericSetting(
        "ompthreads", "--ompthreads", "LEGATE_OMP_THREADS", 4, "",
        "threads per OpenMP-style processor",
    ),
    NumericSetting(
        "utility", "--utility", "LEGATE_UTILITY_CORES", 2, "",
        "utility threads for the runtime's own work",
    ),
    NumericSetting(
        "sysmem", "--sysmem", "LEGATE_SYSMEM", 4000, "MB", "system memory per rank",
        detected="75% of available memory",
    ),
    NumericSetting(
        "numamem", "--numamem", "LEGATE_NUMAMEM", 0, "MB",
        "NUMA-local memory per OpenMP-style processor",
    ),
    NumericSetting("fbmem", "--fbmem", "LEGATE_FBMEM", 4000, "MB", "framebuffer memory per GPU"),
    NumericSetting(
        "zcmem", "--zcmem", "LEGATE_ZCMEM", 32, "MB",
        "zero-copy memory (host memory the GPUs can see)",
    ),
    NumericSetting(
        "regmem", "--regmem", "LEGATE_REGMEM", 0, "MB", "registered memory for networking"
    ),
    NumericSetting(
        "eager_alloc_percentage", "--eager-alloc-percentage",
        "LEGATE_EAGER_ALLOC_PERCENTAGE", 50, "%",
        "share of each memory kept for eager allocations",
    ),
)

#: Runtime switches: (flag, aliases, attribute name, help).
SWITCHES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("--profile", (), "profile", "write a profile to legate_prof/ (timeline HTML + Chrome trace)"),
    ("--dataflow", (), "dataflow", "write the dataflow graph of operations (GraphViz)"),
    ("--event", (), "event", "write the event graph (GraphViz)"),
    ("--show-progress", ("--progress",), "show_progress", "print task progress as it runs"),
    ("--mem-usage", (), "mem_usage", "report memory usage"),
    ("--log-to-file", (), "log_to_file", "write logs to files in --logdir instead of stderr"),
    ("--verbose", (), "verbose", "print the configuration and the command before running"),
)

_NON_NEGATIVE = re.compile(r"\d+")


def non_negative_int(text: str) -> int:
    """Parse a non-negative integer the way the runtime does (digits only).

    Raises
    ------
    argparse.ArgumentTypeError
        With a message saying what was wrong, for argparse to report.
    """
    value = text.strip()
    if _NON_NEGATIVE.fullmatch(value):
        return int(value)
    if value.startswith("-") and _NON_NEGATIVE.fullmatch(value[1:]):
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")


def positive_int(text: str) -> int:
    """Parse an integer that is at least 1 (node and rank counts)."""
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1, got 0")
    return value


class DriverParser(argparse.ArgumentParser):
    """An argument parser whose errors are :class:`DriverError` (one line, exit 2).

    argparse's own error path prints the whole usage block; the driver prints a single
    ``legate: error: ...`` line instead, the same for argparse's checks and its own.
    """

    def error(self, message: str) -> NoReturn:
        raise DriverError(f"{message} (see {self.prog} --help)")

    def takes_value(self, option: str) -> bool:
        """Whether ``option`` (an exact flag, without ``=value``) consumes a value."""
        # argparse keeps no public index of its options; this mapping has been its
        # lookup table since the module was written.
        action = self._option_string_actions.get(option)
        return action is not None and action.nargs != 0


def _default_text(setting: NumericSetting) -> str:
    unit = f" {setting.unit}" if setting.unit == "MB" else setting.unit
    text = f"(default: {setting.default}{unit}; env {setting.env}"
    if setting.detected:
        text += f"; with neither given, {setting.detected} unless LEGATE_AUTO_CONFIG=0"
    # argparse expands %-formats in help, so a literal "%" is written "%%".
    return (text + ")").replace("%", "%%")


def add_runtime_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags the runtime reads from ``LEGATE_CONFIG`` to ``parser``.

    Shared by ``legate`` and ``legate-jupyter`` so both accept the same spelling.
    """
    procs = parser.add_argument_group("processors")
    memory = parser.add_argument_group("memory (MB per rank, or per device)")
    for setting in NUMERIC_SETTINGS:
        group = memory if setting.unit == "MB" or setting.unit == "%" else procs
        group.add_argument(
            setting.flag,
            dest=setting.name,
            type=non_negative_int,
            default=None,
            metavar="N",
            help=f"{setting.help} {_default_text(setting)}",
        )
    observe = parser.add_argument_group("observability")
    for flag, aliases, name, text in SWITCHES:
        observe.add_argument(flag, *aliases, dest=name, action="store_true", default=None, help=text)
    observe.add_argument(
        "--logging", default=None, metavar="SPEC",
        help="logger levels, e.g. legate=debug,mapper=info",
    )
    observe.add_argument(
        "--logdir", default=None, metavar="DIR",
        help="where logs and profiles are written (default: the working directory)",
    )


def build_parser(prog: str = "legate") -> DriverParser:
    """The ``legate`` command's parser (flags only; see :func:`split_program`)."""
    parser = DriverParser(
        prog=prog,
        usage=f"{prog} [flags] [script.py | --module MOD | -] [args ...]",
        description=(
            "Run a Python program on Legate. With a script, run it; with --module, run "
            "a module; with neither, open an interactive console. The configuration "
            "reaches the program as the LEGATE_CONFIG environment variable, so `python "
            "script.py` with the same LEGATE_CONFIG behaves the same. Flags already in "
            "LEGATE_CONFIG are read first; the command line overrides them."
        ),
        epilog=(
            "Flags must come before the script: everything after the script (or after "
            "--module MOD) is passed to the program."
        ),
        allow_abbrev=False,  # the runtime's parser takes exact names only
    )
    add_runtime_arguments(parser)

    launch = parser.add_argument_group("launch")
    launch.add_argument(
        "--nodes", type=positive_int, default=None, metavar="N",
        help="nodes to run on (default: 1, or detected from the launcher's variables)",
    )
    launch.add_argument(
        "--ranks-per-node", type=positive_int, default=None, metavar="K",
        help="ranks on each node (default: 1, or detected from the launcher's variables)",
    )
    launch.add_argument(
        "--launcher", choices=LAUNCHERS, default=None,
        help="how to start several ranks (default: none)",
    )
    launch.add_argument(
        "--launcher-extra", action="append", default=None, metavar="ARGS",
        help="extra launcher arguments, split like a shell would; repeatable "
        "(write --launcher-extra=--flag for a value that starts with a dash)",
    )

    debug = parser.add_argument_group("debugging (single rank only)")
    debug.add_argument("--gdb", action="store_true", default=None, help="run under gdb")
    debug.add_argument("--valgrind", action="store_true", default=None, help="run under valgrind")
    debug.add_argument(
        "--freeze-on-error", action="store_true", default=None,
        help="on an uncaught exception, print the pid and wait for a debugger",
    )

    program = parser.add_argument_group("program")
    program.add_argument(
        "--module", default=None, metavar="MOD",
        help="run a module like `python -m MOD`; the arguments after MOD are its own",
    )
    program.add_argument(
        "--patch", action="append", choices=sorted(PATCHES), default=None,
        help="run an unmodified program on the drop-in: `import numpy` loads legate_numeric",
    )

    driver = parser.add_argument_group("driver")
    driver.add_argument(
        "--dry-run", action="store_true", default=None,
        help="print the command and LEGATE_CONFIG, and run nothing",
    )
    driver.add_argument(
        "--info", action="store_true", default=None,
        help="print the configuration that would be used, and run nothing",
    )
    driver.add_argument("--version", action="store_true", default=None, help="print the version")
    return parser


def split_program(parser: DriverParser, argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ``argv`` into the driver's flags and the program with its arguments.

    The program starts at the first token that is neither a flag nor a flag's value
    (the script, or ``-`` for standard input), right after ``--module MOD``, or after a
    ``--`` separator. Splitting before argparse sees the flags keeps the program's own
    arguments (``script.py --cpus 2``) away from the driver, whatever they look like.

    Parameters
    ----------
    parser
        The parser, asked which flags take a value.
    argv
        The command line after the program name.

    Returns
    -------
    tuple[list[str], list[str]]
        The driver's tokens, and the program tokens (script and its arguments, or the
        arguments of ``--module``; empty for the interactive console).
    """
    tokens = list(argv)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            return tokens[:i], tokens[i + 1 :]
        if not token.startswith("-") or token == "-":
            return tokens[:i], tokens[i:]
        name, has_inline, _ = token.partition("=")
        i += 1
        if not has_inline and parser.takes_value(name) and i < len(tokens):
            i += 1
        if name == "--module":
            return tokens[:i], tokens[i:]
    return tokens, []
