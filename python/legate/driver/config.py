"""Resolution of the driver's configuration, its validation, and ``LEGATE_CONFIG``.

Each setting is taken from the first of: the command line, the flags already in the
inherited ``LEGATE_CONFIG``, its ``LEGATE_*`` variable, detection (the machine's shape
for ``--cpus``/``--sysmem`` under ``LEGATE_AUTO_CONFIG``, the launcher's variables for
``--nodes``/``--ranks-per-node``), and Legate's default. Every value remembers where it
came from, for ``--info`` and so that ``LEGATE_CONFIG`` carries only what was chosen.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from typing import Any, Mapping

from legate.driver.flags import NUMERIC_SETTINGS, SWITCHES, DriverError, NumericSetting
from legate.driver.machine import MachineInfo

# Where a value came from. Values from the first three were chosen by the user and go
# into LEGATE_CONFIG; detected and default values are left for the runtime to work out
# the same way, so that each rank detects its own node.
COMMAND_LINE = "command line"
INHERITED = "LEGATE_CONFIG"
DETECTED = "detected"
DEFAULT = "default"


@dataclass(frozen=True)
class Value:
    """A setting's value and where it came from.

    Attributes
    ----------
    value
        The value.
    source
        ``"command line"``, ``"LEGATE_CONFIG"``, the ``LEGATE_*`` variable's name,
        ``"detected"`` (with a note) or ``"default"``.
    """

    value: Any
    source: str

    @property
    def chosen(self) -> bool:
        """Whether the user chose this value (flag, ``LEGATE_CONFIG`` or variable)."""
        return not (self.source == DEFAULT or self.source.startswith(DETECTED))


@dataclass
class RuntimeConfig:
    """The settings the runtime reads, resolved.

    Attributes
    ----------
    numbers
        Each :data:`~legate.driver.flags.NUMERIC_SETTINGS` entry's value, by name.
    switches
        The observability switches that are on, by attribute name.
    logging, logdir
        The ``--logging`` and ``--logdir`` values, if given.
    nodes, ranks_per_node
        The rank layout.
    auto_config
        Whether ``LEGATE_AUTO_CONFIG`` lets the machine's shape set the defaults.
    """

    numbers: dict[str, Value]
    switches: dict[str, bool] = field(default_factory=dict)
    logging: str | None = None
    logdir: str | None = None
    nodes: Value = Value(1, DEFAULT)
    ranks_per_node: Value = Value(1, DEFAULT)
    auto_config: bool = True

    def __getitem__(self, name: str) -> Any:
        return self.numbers[name].value

    @property
    def ranks(self) -> int:
        """The total number of ranks."""
        return self.nodes.value * self.ranks_per_node.value

    def legate_config(self) -> str:
        """The ``LEGATE_CONFIG`` flag string for these settings.

        Only chosen values are listed (see :attr:`Value.chosen`), plus a rank layout
        other than one rank, so an unconfigured run leaves every decision to the
        runtime's own detection on each node. Values are quoted for the runtime's
        tokenizer, which follows the shell's single and double quotes.
        """
        flags: list[str] = []
        for setting in NUMERIC_SETTINGS:
            value = self.numbers[setting.name]
            if value.chosen:
                flags += [setting.flag, str(value.value)]
        for flag, value in (("--nodes", self.nodes), ("--ranks-per-node", self.ranks_per_node)):
            if value.chosen or value.value != 1:
                flags += [flag, str(value.value)]
        for flag, _aliases, name, _help in SWITCHES:
            if self.switches.get(name):
                flags.append(flag)
        if self.logging is not None:
            flags += ["--logging", self.logging]
        if self.logdir is not None:
            flags += ["--logdir", self.logdir]
        return shlex.join(flags)

    def chosen(self) -> dict[str, Any]:
        """The settings the user chose, by flag name without dashes (``{"cpus": 2}``)."""
        chosen: dict[str, Any] = {
            s.flag[2:]: self.numbers[s.name].value
            for s in NUMERIC_SETTINGS
            if self.numbers[s.name].chosen
        }
        for flag, value in (("nodes", self.nodes), ("ranks-per-node", self.ranks_per_node)):
            if value.chosen:
                chosen[flag] = value.value
        for flag, _aliases, name, _help in SWITCHES:
            if self.switches.get(name):
                chosen[flag[2:]] = True
        if self.logging is not None:
            chosen["logging"] = self.logging
        if self.logdir is not None:
            chosen["logdir"] = self.logdir
        return chosen

    def describe(self) -> list[str]:
        """Human-readable lines, one per setting, with the value's source."""
        lines = []
        for setting in NUMERIC_SETTINGS:
            value = self.numbers[setting.name]
            unit = f" {setting.unit}" if setting.unit == "MB" else setting.unit
            lines.append(_row(setting.flag[2:], f"{value.value}{unit}", value.source))
        lines.append(_row("nodes", self.nodes.value, self.nodes.source))
        lines.append(_row("ranks-per-node", self.ranks_per_node.value, self.ranks_per_node.source))
        on = [flag for flag, _a, name, _h in SWITCHES if self.switches.get(name)]
        lines.append(_row("switches", " ".join(on) if on else "none", ""))
        if self.logging is not None:
            lines.append(_row("logging", self.logging, ""))
        if self.logdir is not None:
            lines.append(_row("logdir", self.logdir, ""))
        lines.append(_row("auto-config", "on" if self.auto_config else "off", "LEGATE_AUTO_CONFIG"))
        return lines


def _row(name: str, value: Any, source: str) -> str:
    return f"  {name:<24}{str(value):<12}{source}".rstrip()


def parse_bool(text: str) -> bool | None:
    """The usual spellings of a boolean (as the runtime reads them), or ``None``."""
    word = text.strip().lower()
    if word in ("1", "true", "on", "yes"):
        return True
    if word in ("0", "false", "off", "no"):
        return False
    return None


def _env(environ: Mapping[str, str], name: str) -> str | None:
    # Empty variables count as unset, as in the runtime.
    value = environ.get(name, "")
    return value if value.strip() else None


def auto_config_enabled(environ: Mapping[str, str]) -> bool:
    """Whether ``LEGATE_AUTO_CONFIG`` (default on) lets detection set the defaults."""
    value = _env(environ, "LEGATE_AUTO_CONFIG")
    if value is None:
        return True
    on = parse_bool(value)
    if on is None:
        raise DriverError(
            f"invalid value {value!r} for LEGATE_AUTO_CONFIG: expected on/off, "
            "true/false, yes/no or 1/0"
        )
    return on


def _env_number(environ: Mapping[str, str], setting: NumericSetting) -> int | None:
    value = _env(environ, setting.env)
    if value is None:
        return None
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        raise DriverError(
            f"invalid value {value!r} for {setting.env} (the default of {setting.flag}): "
            "expected a non-negative integer"
        )
    return int(text)


def _detected(setting: NumericSetting, machine: MachineInfo) -> int | None:
    if setting.name == "cpus":
        return machine.cores
    if setting.name == "sysmem":
        return machine.detected_sysmem_mb
    return None


def resolve_runtime(
    cli: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    inherited: argparse.Namespace | None = None,
    machine: MachineInfo | None = None,
    ranks: tuple[int, int, str] | None = None,
) -> RuntimeConfig:
    """Resolve the runtime settings from their sources.

    Parameters
    ----------
    cli
        The parsed command line (attributes missing or ``None`` are not given).
    environ
        The environment, for the ``LEGATE_*`` variables.
    inherited
        The parsed flags of an inherited ``LEGATE_CONFIG``, if any.
    machine
        This machine's shape (detected when ``None`` and needed).
    ranks
        ``(nodes, ranks_per_node, where)`` detected from a launcher's variables.

    Returns
    -------
    RuntimeConfig
        The resolved settings.

    Raises
    ------
    DriverError
        If a ``LEGATE_*`` variable holds an invalid value.
    """
    auto = auto_config_enabled(environ)

    def given(name: str) -> Value | None:
        value = getattr(cli, name, None)
        if value is not None:
            return Value(value, COMMAND_LINE)
        value = getattr(inherited, name, None) if inherited is not None else None
        if value is not None:
            return Value(value, INHERITED)
        return None

    numbers: dict[str, Value] = {}
    for setting in NUMERIC_SETTINGS:
        value = given(setting.name)
        if value is None:
            env_value = _env_number(environ, setting)
            if env_value is not None:
                value = Value(env_value, setting.env)
        if value is None and auto and setting.detected:
            if machine is None:
                machine = MachineInfo.detect()
            detected = _detected(setting, machine)
            if detected is not None:
                value = Value(detected, f"{DETECTED} ({setting.detected})")
        numbers[setting.name] = value or Value(setting.default, DEFAULT)

    switches = {}
    for _flag, _aliases, name, _help in SWITCHES:
        value = given(name)
        if value is not None and value.value:
            switches[name] = True

    def layout(name: str, index: int) -> Value:
        value = given(name)
        if value is not None:
            return value
        if ranks is not None:
            return Value(ranks[index], f"{DETECTED} ({ranks[2]})")
        return Value(1, DEFAULT)

    logging = given("logging")
    logdir = given("logdir")
    return RuntimeConfig(
        numbers=numbers,
        switches=switches,
        logging=None if logging is None else logging.value,
        logdir=None if logdir is None else logdir.value,
        nodes=layout("nodes", 0),
        ranks_per_node=layout("ranks_per_node", 1),
        auto_config=auto,
    )


# Host memories that a rank takes from its node's RAM, checked against MemTotal.
_HOST_MEMORIES = ("sysmem", "numamem", "zcmem", "regmem")


def validate_runtime(config: RuntimeConfig, machine: MachineInfo | None = None) -> None:
    """Check that the settings make a machine the runtime can run on.

    Mirrors the runtime's own validation (``Config::validate``) so that mistakes are
    reported before anything starts, and adds what only the driver can check: that
    memory chosen by the user fits in this machine's RAM.

    Raises
    ------
    DriverError
        With a one-line explanation naming the flag at fault.
    """
    if config["cpus"] == 0 and config["gpus"] == 0 and config["omps"] == 0:
        raise DriverError("at least one processor is needed: set --cpus, --omps or --gpus")
    if config["omps"] > 0 and config["ompthreads"] == 0:
        raise DriverError("--ompthreads (LEGATE_OMP_THREADS) must be at least 1 when --omps is set")
    if config["eager_alloc_percentage"] > 100:
        raise DriverError(
            "--eager-alloc-percentage (LEGATE_EAGER_ALLOC_PERCENTAGE) must be at most 100, "
            f"got {config['eager_alloc_percentage']}"
        )
    if config["sysmem"] == 0:
        raise DriverError("--sysmem (LEGATE_SYSMEM) must be at least 1 MB")
    # Only chosen values are compared with the RAM: detected ones fit by construction,
    # and Legate's fixed defaults are the runtime's business on a small machine.
    if machine is None:
        machine = MachineInfo.detect()
    total = machine.total_mb
    if total is None:
        return
    for name in _HOST_MEMORIES:
        value = config.numbers[name]
        if value.chosen and value.value > total:
            raise DriverError(
                f"--{name} {value.value} MB (from {value.source}) is more than this "
                f"machine's {total} MB of RAM"
            )
    sysmem = config.numbers["sysmem"]
    per_node = sysmem.value * config.ranks_per_node.value
    if sysmem.chosen and per_node > total:
        raise DriverError(
            f"--sysmem {sysmem.value} MB for each of {config.ranks_per_node.value} ranks per "
            f"node is {per_node} MB, more than this machine's {total} MB of RAM"
        )
