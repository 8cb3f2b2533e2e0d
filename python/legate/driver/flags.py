"""The driver's flags, built from the runtime's one table of settings, and the parser.

The table lives in the runtime (``legate-core``'s ``config::SETTINGS``) and reaches
Python through ``legate._legate.settings()``, which starts no runtime: the runtime's
``LEGATE_CONFIG`` parser, this parser, ``legate --help`` and ``legate --info`` all read
the same list, so a flag one accepts the other accepts too. Runtime settings
(processors, memory, observability) are the flags the runtime reads from
``LEGATE_CONFIG``; the others (launch, debugging, which program to run) only mean
something to the driver. The parser gives every flag a default of ``None`` so that
resolution (:mod:`legate.driver.config`) can tell "not given" from "given with the
default value" and fall back to the ``LEGATE_*`` variable or detection.
"""

from __future__ import annotations

import argparse
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import NoReturn, Sequence

#: What ``--patch NAME`` replaces, and with which module.
PATCHES = {"numpy": "legate_numeric"}


class DriverError(Exception):
    """A problem with the command line or configuration: one line, exit status 2."""


@dataclass(frozen=True)
class Setting:
    """One row of the runtime's table of settings (see ``legate._legate.settings``).

    Attributes
    ----------
    key
        The runtime's name for it (``sysmem_mb``).
    flag, aliases
        The flag and its other spellings; ``flag`` is ``None`` for environment-only
        settings.
    env
        The ``LEGATE_*`` variable that sets it, if any.
    kind
        ``count``, ``positive``, ``megabytes``, ``percent``, ``seconds``, ``switch``,
        ``text`` or ``choice``.
    choices
        The accepted words of a ``choice``.
    repeatable
        Whether each occurrence of the flag is kept (``--patch``).
    group
        The help section.
    reader
        ``runtime``, ``driver`` or ``python``.
    default
        Legate's fixed default as text (``None``: unset).
    detected
        How auto-configuration picks the value, if it does.
    help
        What it does.
    """

    key: str
    flag: str | None
    aliases: tuple[str, ...]
    env: str | None
    kind: str
    choices: tuple[str, ...] | None
    repeatable: bool
    group: str
    reader: str
    default: str | None
    detected: str | None
    help: str

    @property
    def name(self) -> str:
        """The attribute name in the parsed namespace (``sysmem``, ``dry_run``)."""
        if self.flag is None:
            return self.key
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def unit(self) -> str:
        return {"megabytes": "MB", "percent": "%", "seconds": "s"}.get(self.kind, "")


@lru_cache(maxsize=1)
def settings() -> tuple[Setting, ...]:
    """The runtime's table of settings, in ``legate --help`` order."""
    from legate import _legate  # the extension module; importing it starts nothing

    return tuple(
        Setting(
            key=row["name"],
            flag=row["flag"],
            aliases=tuple(row["aliases"]),
            env=row["env"],
            kind=row["kind"],
            choices=None if row["choices"] is None else tuple(row["choices"]),
            repeatable=row["repeatable"],
            group=row["group"],
            reader=row["reader"],
            default=row["default"],
            detected=row["detected"],
            help=row["help"],
        )
        for row in _legate.settings()
    )


def environment_only() -> tuple[Setting, ...]:
    """The settings with no flag: only their ``LEGATE_*`` variable sets them."""
    return tuple(s for s in settings() if s.flag is None)


@dataclass(frozen=True)
class NumericSetting:
    """A runtime setting that takes a non-negative integer (processors and memory).

    Attributes
    ----------
    name
        The attribute name in the parsed namespace (``eager_alloc_percentage``).
    flag
        The command-line flag (``--eager-alloc-percentage``).
    env
        The ``LEGATE_*`` variable that sets its default.
    default
        Legate's fixed default.
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


_NUMERIC_KINDS = ("count", "megabytes", "percent")

#: The processor and memory settings, in the order ``LEGATE_CONFIG`` lists them.
NUMERIC_SETTINGS: tuple[NumericSetting, ...] = tuple(
    NumericSetting(s.name, s.flag, s.env, int(s.default), s.unit, s.help, s.detected)
    for s in settings()
    if s.group in ("processors", "memory") and s.kind in _NUMERIC_KINDS and s.flag and s.env
)

#: Runtime switches: (flag, aliases, attribute name, help).
SWITCHES: tuple[tuple[str, tuple[str, ...], str, str], ...] = tuple(
    (s.flag, s.aliases, s.name, s.help)
    for s in settings()
    if s.reader == "runtime" and s.kind == "switch" and s.flag
)

#: Launchers the driver can start ranks with.
LAUNCHERS: tuple[str, ...] = next(s.choices for s in settings() if s.key == "launcher")

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


def _default_text(setting: NumericSetting, cores: int | None = None) -> str:
    unit = f" {setting.unit}" if setting.unit == "MB" else setting.unit
    if setting.detected:
        here = f", {cores} here" if cores and setting.name == "cpus" else ""
        text = (
            f"(default: {setting.detected}{here}; {setting.default}{unit} with "
            f"LEGATE_AUTO_CONFIG=0; env {setting.env}"
        )
    else:
        text = f"(default: {setting.default}{unit}; env {setting.env}"
    # argparse expands %-formats in help, so a literal "%" is written "%%".
    return (text + ")").replace("%", "%%")


_METAVARS = {"logging": "SPEC", "logdir": "DIR", "launcher_extra": "ARGS", "module": "MOD"}


def _add(group: argparse._ArgumentGroup, s: Setting, cores: int | None) -> None:
    """Add the flag of table row ``s`` to ``group``, parsed as its kind says."""
    spellings = [s.flag, *s.aliases]
    kw: dict = {"dest": s.name, "default": None}
    numeric = next((n for n in NUMERIC_SETTINGS if n.name == s.name), None)
    if s.kind == "switch":
        kw.update(action="store_true", help=s.help)
    else:
        kw["help"] = s.help
        kw["action"] = "append" if s.repeatable else "store"
        if s.kind in _NUMERIC_KINDS:
            kw.update(type=non_negative_int, metavar="N")
        elif s.kind == "positive":
            kw.update(type=positive_int, metavar="N")
        elif s.kind == "seconds":
            kw.update(type=float, metavar="SECONDS")
        elif s.kind == "choice":
            kw["choices"] = list(s.choices or ())
        else:
            kw["metavar"] = _METAVARS.get(s.name, "VALUE")
        if numeric is not None:
            kw["help"] = f"{s.help} {_default_text(numeric, cores)}"
        elif s.default is not None:
            kw["help"] = f"{s.help} (default: {s.default})"
    group.add_argument(*spellings, **kw)


#: The help sections of the runtime's flags (``legate-jupyter`` takes these too).
RUNTIME_GROUPS = {
    "processors": "processors",
    "memory": "memory (MB per rank, or per device)",
    "observability": "observability",
}
#: The help sections of the driver's own flags.
DRIVER_GROUPS = {
    "launch": "launch",
    "debugging": "debugging (single rank only)",
    "program": "program",
    "driver": "driver",
}


def _add_groups(parser: argparse.ArgumentParser, titles: dict[str, str], cores: int | None) -> None:
    groups = {key: parser.add_argument_group(title) for key, title in titles.items()}
    for s in settings():
        if s.flag is not None and s.group in groups:
            _add(groups[s.group], s, cores)


def add_runtime_arguments(parser: argparse.ArgumentParser, cores: int | None = None) -> None:
    """Add the flags the runtime reads from ``LEGATE_CONFIG`` to ``parser``.

    Shared by ``legate`` and ``legate-jupyter`` so both accept the same spelling.
    """
    _add_groups(parser, RUNTIME_GROUPS, cores)


def environment_help(width: int = 88) -> str:
    """The ``--help`` section listing the environment-only settings and defaults."""
    lines = ["environment-only settings (read by the runtime, or by the Python packages):"]
    for s in environment_only():
        default = s.default if s.default is not None else "unset"
        unit = f" {s.unit}" if s.unit == "MB" else s.unit
        head = f"  {s.env} (default: {default}{unit if s.default else ''})"
        lines.append(head)
        lines += textwrap.wrap(s.help, width, initial_indent="      ", subsequent_indent="      ")
    return "\n".join(lines)


def build_parser(prog: str = "legate", cores: int | None = None) -> DriverParser:
    """The ``legate`` command's parser (flags only; see :func:`split_program`).

    ``cores`` (this machine's, when known) is shown next to ``--cpus``'s default.
    """
    description = (
        "Run a Python program on Legate. With a script, run it; with --module, run "
        "a module; with neither, open an interactive console. The configuration "
        "reaches the program as the LEGATE_CONFIG environment variable, so `python "
        "script.py` with the same LEGATE_CONFIG behaves the same. Flags already in "
        "LEGATE_CONFIG are read first; the command line overrides them."
    )
    epilog = (
        "Flags must come before the script: everything after the script (or after "
        "--module MOD) is passed to the program."
    )
    parser = DriverParser(
        prog=prog,
        usage=f"{prog} [flags] [script.py | --module MOD | -] [args ...]",
        description=textwrap.fill(description, 88),
        epilog=textwrap.fill(epilog, 88) + "\n\n" + environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # the runtime's parser takes exact names only
    )
    _add_groups(parser, RUNTIME_GROUPS, cores)
    _add_groups(parser, DRIVER_GROUPS, cores)
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
