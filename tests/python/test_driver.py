"""Tests of the ``legate`` driver, ``lgpatch`` and ``legate-issue``.

The driver's flags come from the runtime's table (``legate._legate.settings()``, which
starts no runtime); everything else is pure Python. Unit tests call the driver's
functions with a fixed environment and machine; end-to-end tests run the commands as
subprocesses (``python -m legate.driver`` is the ``legate`` console script).
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import legate
from legate.driver import main as driver_main
from legate.driver.command import BOOTSTRAP, Invocation, Program, child_environment, program_command
from legate.driver.config import RuntimeConfig, validate_runtime
from legate.driver import flags as flags_mod
from legate.driver.flags import NUMERIC_SETTINGS, SWITCHES, DriverError, build_parser, split_program
from legate.driver.launcher import (
    STANDARD_VARIABLES,
    detect_ranks,
    exported_variables,
    launcher_prefix,
    mpirun_options,
)
from legate.driver.machine import MachineInfo, detected_sysmem_mb, read_meminfo

PYTHON_DIR = Path(legate.__file__).resolve().parent.parent
REPO = Path(__file__).resolve().parents[2]
MACHINE = MachineInfo(cores=16, total_mb=64000, detected_sysmem_mb=30000)
FIXED = {"LEGATE_AUTO_CONFIG": "0"}
LAUNCHER_PREFIXES = ("OMPI_", "PMI_", "SLURM_", "MPI_LOCALNRANKS")


# --- helpers -------------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without LEGATE_* or launcher variables, with ``legate`` on
    PYTHONPATH (absolute, since the children run in other directories)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LEGATE_") and not k.startswith(LAUNCHER_PREFIXES)
    }
    paths = [str(PYTHON_DIR)] + [
        str(Path(p).resolve()) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p
    ]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env


def run_module(module: str, args, *, env=None, cwd=None, input=None, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env if env is not None else clean_env(),
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def legate_cmd(args, **kw):
    """Run ``legate ARGS`` (the console script's code) in a subprocess."""
    return run_module("legate.driver", args, **kw)


def parse(argv, environ=None, machine=MACHINE) -> Invocation:
    return driver_main.parse(argv, FIXED if environ is None else environ, machine)[0]


def runtime(argv, environ=None, machine=MACHINE) -> RuntimeConfig:
    return parse(argv, environ, machine).runtime


ECHO = """\
import os, sys
print("CONFIG=" + os.environ["LEGATE_CONFIG"])
print("ARGV=" + repr(sys.argv[1:]))
"""


@pytest.fixture
def echo(tmp_path: Path) -> Path:
    script = tmp_path / "echo.py"
    script.write_text(ECHO)
    return script


def one_error_line(done: subprocess.CompletedProcess, prog: str = "legate") -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{prog}: error: "), lines[0]
    assert done.stdout == ""
    return lines[0]


# --- flags and defaults --------------------------------------------------------------


def test_help_shows_defaults_and_variables():
    text = " ".join(build_parser(cores=16).format_help().split())
    for s in NUMERIC_SETTINGS:
        unit = " MB" if s.unit == "MB" else s.unit
        if s.detected:
            # The true default is the detected one; the fixed one applies without detection.
            assert f"{s.flag} N {s.help} (default: {s.detected}" in text, s.flag
            assert f"{s.default}{unit} with LEGATE_AUTO_CONFIG=0; env {s.env})" in text, s.flag
        else:
            assert f"{s.flag} N {s.help} (default: {s.default}{unit}; env {s.env}" in text, s.flag
    assert "--cpus N CPU processors per rank (default: one per core, 16 here; 4 with" in text
    for flag in ("--nodes", "--ranks-per-node", "--launcher", "--launcher-extra", "--profile",
                 "--dataflow", "--event", "--show-progress", "--progress", "--mem-usage",
                 "--logging", "--logdir", "--log-to-file", "--verbose", "--dry-run", "--info",
                 "--version", "-V", "--gdb", "--valgrind", "--freeze-on-error", "--patch", "--module",
                 "--spy", "--cuda-gdb", "--memcheck"):
        assert re.search(rf"(^|\s){re.escape(flag)}[\s,]", text), flag
    assert "(default: none)" in text
    done = legate_cmd(["--help"])
    assert done.returncode == 0 and "LEGATE_SYSMEM" in done.stdout


def test_legate_defaults_without_auto_config():
    config = runtime([], FIXED)
    for s in NUMERIC_SETTINGS:
        assert config.numbers[s.name].value == s.default, s.name
        assert config.numbers[s.name].source == "default", s.name
    assert (config.nodes.value, config.ranks_per_node.value) == (1, 1)
    assert config.legate_config() == ""
    assert not config.auto_config


def test_documented_defaults():
    defaults = {s.flag: s.default for s in NUMERIC_SETTINGS}
    assert defaults == {
        "--cpus": 4, "--gpus": 0, "--omps": 0, "--ompthreads": 4, "--utility": 2,
        "--sysmem": 4000, "--numamem": 0, "--fbmem": 4000, "--zcmem": 32, "--regmem": 0,
        "--eager-alloc-percentage": 50,
    }
    envs = {s.flag: s.env for s in NUMERIC_SETTINGS}
    assert envs["--omps"] == "LEGATE_OMP_PROCS" and envs["--ompthreads"] == "LEGATE_OMP_THREADS"
    assert envs["--utility"] == "LEGATE_UTILITY_CORES" and envs["--cpus"] == "LEGATE_CPUS"


@pytest.mark.parametrize("value", [None, "1", "on", "yes", ""])
def test_auto_config_detects_cpus_and_sysmem(value):
    environ = {} if value is None else {"LEGATE_AUTO_CONFIG": value}
    config = runtime([], environ)
    assert config["cpus"] == 16 and config["sysmem"] == 30000
    assert config.numbers["cpus"].source.startswith("detected")
    assert config.numbers["sysmem"].source.startswith("detected")
    # Everything else keeps Legate's defaults.
    assert config["utility"] == 2 and config["fbmem"] == 4000
    # Detection is left to the runtime, which does the same on each node.
    assert config.legate_config() == ""


def test_auto_config_invalid_value():
    with pytest.raises(DriverError, match="LEGATE_AUTO_CONFIG"):
        runtime([], {"LEGATE_AUTO_CONFIG": "sometimes"})


def test_detected_sysmem_matches_runtime_arithmetic(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemFree: 1000 kB\nMemAvailable:    8192000 kB\n")
    fields = read_meminfo(str(meminfo))
    assert fields["MemTotal"] == 16000000
    # Same case as legate-core's meminfo_parsing test.
    assert detected_sysmem_mb(fields) == 6000
    assert detected_sysmem_mb({"MemAvailable": 100}) == 1
    assert detected_sysmem_mb({}) is None


@pytest.mark.parametrize("setting", NUMERIC_SETTINGS, ids=lambda s: s.env)
@pytest.mark.parametrize("auto", ["0", "1"])
def test_each_variable_changes_the_default(setting, auto):
    config = runtime([], {"LEGATE_AUTO_CONFIG": auto, setting.env: "7"})
    assert config[setting.name] == 7 != setting.default
    assert config.numbers[setting.name].source == setting.env
    assert shlex.split(config.legate_config()) == [setting.flag, "7"]


@pytest.mark.parametrize("setting", NUMERIC_SETTINGS, ids=lambda s: s.flag)
def test_flags_override_variables(setting):
    config = runtime([setting.flag, "9"], {**FIXED, setting.env: "7"})
    assert config[setting.name] == 9
    assert config.numbers[setting.name].source == "command line"
    assert shlex.split(config.legate_config()) == [setting.flag, "9"]
    # The --flag=value form too.
    assert runtime([f"{setting.flag}=11"], {setting.env: "7"})[setting.name] == 11


def test_empty_variable_is_unset():
    assert runtime([], {**FIXED, "LEGATE_SYSMEM": " "})["sysmem"] == 4000


def test_inherited_legate_config_is_read_and_overridden():
    environ = {**FIXED, "LEGATE_CONFIG": "--cpus 3 --profile --launcher srun", "LEGATE_CPUS": "2"}
    inv = parse([], environ)
    assert inv.runtime["cpus"] == 3 and inv.runtime.numbers["cpus"].source == "LEGATE_CONFIG"
    assert inv.runtime.switches == {"profile": True}
    assert inv.launcher == "srun"
    inv = parse(["--cpus", "5", "--launcher", "mpirun"], environ)
    assert inv.runtime["cpus"] == 5 and inv.launcher == "mpirun"
    assert inv.runtime.legate_config() == "--cpus 5 --profile"
    with pytest.raises(DriverError, match="in LEGATE_CONFIG: unrecognized arguments: --frob"):
        parse([], {"LEGATE_CONFIG": "--frob"})


@pytest.mark.parametrize("flag,aliases,name,_help", SWITCHES, ids=lambda v: str(v))
def test_switches(flag, aliases, name, _help):
    for spelling in (flag, *aliases):
        config = runtime([spelling])
        assert config.switches == {name: True}
        assert config.legate_config() == flag
    assert runtime([]).switches == {}


def test_logging_and_logdir_are_quoted_for_the_runtime():
    config = runtime(["--logging", "legate=debug,mapper=info", "--logdir", "/tmp/my logs"])
    text = config.legate_config()
    assert text == "--logging legate=debug,mapper=info --logdir '/tmp/my logs'"
    assert shlex.split(text)[-1] == "/tmp/my logs"


def test_legate_config_round_trips_through_the_parser():
    argv = ["--cpus", "3", "--gpus", "1", "--omps", "2", "--ompthreads", "6", "--utility", "1",
            "--sysmem", "1234", "--numamem", "5", "--fbmem", "800", "--zcmem", "64",
            "--regmem", "7", "--eager-alloc-percentage", "30", "--nodes", "2",
            "--ranks-per-node", "4", *[flag for flag, *_ in SWITCHES],
            "--logging", "x=info", "--logdir", "d"]
    assert {"--profile", "--spy", "--show-progress", "--verbose"} <= set(argv)
    first = runtime(argv)
    again = runtime([], {**FIXED, "LEGATE_CONFIG": first.legate_config()})
    assert again.legate_config() == first.legate_config()
    assert {k: v.value for k, v in again.numbers.items()} == {k: v.value for k, v in first.numbers.items()}
    assert again.chosen() == first.chosen() and len(first.chosen()) == 11 + 2 + len(SWITCHES) + 2


def test_runtime_accepts_every_flag_the_driver_sends():
    """Each flag that can appear in LEGATE_CONFIG is accepted by the runtime's parser."""
    from legate import _legate

    sent = runtime(["--cpus", "1", "--gpus", "1", "--omps", "1", "--ompthreads", "1",
                    "--utility", "1", "--sysmem", "1", "--numamem", "1", "--fbmem", "1",
                    "--zcmem", "1", "--regmem", "1", "--eager-alloc-percentage", "1",
                    "--nodes", "2", "--ranks-per-node", "2", "--logging", "x", "--logdir", "y z",
                    *[flag for flag, *_ in SWITCHES]]).legate_config()
    flags = [t for t in shlex.split(sent) if t.startswith("--")]
    assert len(flags) == 11 + 2 + 2 + len(SWITCHES)
    assert _legate.check_flags(sent) is None, sent


def _sample(s: flags_mod.Setting) -> list[str]:
    """A valid use of table row ``s``'s flag."""
    if s.kind == "switch":
        return [s.flag]
    value = {"choice": (s.choices or ("x",))[-1], "text": "x y", "seconds": "1.5", "positive": "2"}.get(s.kind, "3")
    return [s.flag, value]


def test_one_table_of_flags_for_the_runtime_and_the_driver():
    """The driver's parser and the runtime's LEGATE_CONFIG parser are built from the same
    table, so each accepts every flag of it, and both reject the same unknown flag."""
    from legate import _legate

    table = flags_mod.settings()
    parser = build_parser()
    with_flags = [s for s in table if s.flag]
    assert {"--spy", "--cuda-gdb", "--memcheck", "--cpus", "--launcher", "--version"} <= {s.flag for s in with_flags}
    for s in with_flags:
        args = _sample(s)
        if s.key != "module":  # --module ends the driver's flags; the rest is the program's
            parser.parse_args(args)
        assert _legate.check_flags(shlex.join(args)) is None, args
        for alias in s.aliases:
            assert _legate.check_flags(shlex.join([alias, *args[1:]])) is None, alias
    for bad in ("--frobnicate", "--cpu 2", "--launcher qsub"):
        assert _legate.check_flags(bad) is not None, bad
        with pytest.raises(DriverError):
            parser.parse_args(shlex.split(bad))
    # Every setting has a flag or a variable, and names are unique.
    assert all(s.flag or s.env for s in table)
    assert len({s.key for s in table}) == len(table)


def test_spy_cuda_gdb_and_memcheck():
    assert runtime(["--spy"]).legate_config() == "--spy"
    inv = parse(["--cuda-gdb", "s.py"])
    assert program_command(inv)[:3] == ["cuda-gdb", "--args", inv.python]
    inv = parse(["--memcheck", "s.py"])
    assert program_command(inv)[:4] == ["compute-sanitizer", "--tool", "memcheck", inv.python]
    with pytest.raises(DriverError, match="--gdb and --memcheck cannot be used together"):
        driver_main.validate(parse(["--gdb", "--memcheck", "s.py"]), False, MACHINE)
    with pytest.raises(DriverError, match="--cuda-gdb needs a single rank"):
        driver_main.validate(parse(["--cuda-gdb", "--ranks-per-node", "2", "--launcher", "mpirun", "s.py"]),
                             False, MACHINE)


def test_quoted_values_in_legate_config():
    """LEGATE_CONFIG is split like a shell would, in the driver and in the runtime."""
    from legate import _legate

    text = """--logdir '/tmp/my "logs"' --logging "legate=info" --launcher-extra='-x A=1'"""
    inv = parse([], {**FIXED, "LEGATE_CONFIG": text})
    assert inv.runtime.logdir == '/tmp/my "logs"' and inv.runtime.logging == "legate=info"
    assert inv.launcher_extra == ["-x", "A=1"]
    assert _legate.check_flags(text) is None
    assert _legate.check_flags(inv.runtime.legate_config()) is None
    assert "close the quote" in _legate.check_flags("--logdir 'open")


def test_every_legate_variable_read_is_in_the_table():
    """Each LEGATE_* variable the runtime or the Python packages read is listed (and so
    shown by --help and --info)."""
    read = set()
    pattern = re.compile(r"""(?:env::var(?:_os)?|environ\.get|getenv|\bvar)\(\s*["'](LEGATE_[A-Z0-9_]+)["']""")
    roots = [REPO / d for d in ("legate-core/src", "legate-numeric/src", "legate-sparse/src", "python/src")]
    roots += [PYTHON_DIR / d for d in ("legate", "legate_numeric", "legate_sparse")]
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in (".rs", ".py"):
                read |= set(pattern.findall(path.read_text(errors="replace")))
    assert {"LEGATE_RANK_TIMEOUT", "LEGATE_NUMERIC_FALLBACK", "LEGATE_AUTO_CONFIG"} <= read
    listed = {s.env for s in flags_mod.settings() if s.env} | {"LEGATE_CONFIG"}
    assert read <= listed, sorted(read - listed)


def test_help_lists_the_environment_only_settings_with_their_defaults():
    text = build_parser().format_help()
    expected = {
        "LEGATE_MIN_CPU_CHUNK": "16384", "LEGATE_INLINE_SMALL_TASKS": "on",
        "LEGATE_PIN_WORKERS": "on", "LEGATE_TEST": "off", "LEGATE_WINDOW_SIZE": "64",
        "LEGATE_AUTO_CONFIG": "on", "LEGATE_MAX_PENDING_EXCEPTIONS": "64",
        "LEGATE_RANK_TIMEOUT": "60s", "LEGATE_CONSENSUS": "off", "LEGATE_NUMERIC_FALLBACK": "on",
    }
    for env, default in expected.items():
        assert f"  {env} (default: {default})" in text, env
    for s in flags_mod.environment_only():
        assert f"  {s.env} (default: " in text, s.env


def test_info_lists_the_environment_only_settings(tmp_path):
    done = legate_cmd(["--info"], env=clean_env(LEGATE_WINDOW_SIZE="3", LEGATE_TEST="1"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"^\s+LEGATE_WINDOW_SIZE\s+3\s+LEGATE_WINDOW_SIZE$", out, re.M), out
    assert re.search(r"^\s+LEGATE_MIN_CPU_CHUNK\s+2\s+LEGATE_TEST$", out, re.M), out
    assert re.search(r"^\s+LEGATE_PIN_WORKERS\s+on\s+default$", out, re.M), out
    assert re.search(r"^\s+LEGATE_FAULTS\s+unset\s+default$", out, re.M), out


# --- splitting the program from the flags -------------------------------------------


@pytest.mark.parametrize(
    "argv,flags,program",
    [
        (["--cpus", "2", "s.py", "--cpus", "3"], ["--cpus", "2"], ["s.py", "--cpus", "3"]),
        (["--cpus=2", "--profile", "s.py"], ["--cpus=2", "--profile"], ["s.py"]),
        (["--profile", "--", "--weird.py", "a"], ["--profile"], ["--weird.py", "a"]),
        (["--module", "pkg.mod", "--cpus", "1"], ["--module", "pkg.mod"], ["--cpus", "1"]),
        (["--module=pkg", "x"], ["--module=pkg"], ["x"]),
        (["--patch", "numpy", "s.py"], ["--patch", "numpy"], ["s.py"]),
        (["--gpus", "1", "-", "a"], ["--gpus", "1"], ["-", "a"]),
        (["--gpus", "1"], ["--gpus", "1"], []),
        ([], [], []),
    ],
)
def test_split_program(argv, flags, program):
    assert split_program(build_parser(), argv) == (flags, program)


def test_program_forms():
    assert Program.from_tokens(None, ["s.py", "a"]).target() == ["s.py", "a"]
    assert Program.from_tokens("m", ["a"]).target() == ["-m", "m", "a"]
    assert Program.from_tokens(None, []).target() == ["-i"]
    assert Program.from_tokens(None, []).interactive


# --- launchers -----------------------------------------------------------------------


@pytest.mark.parametrize("nodes,rpn", [(1, 1), (1, 4), (2, 1), (3, 2), (8, 16)])
def test_launcher_commands(nodes, rpn):
    ranks = str(nodes * rpn)
    assert launcher_prefix("none", nodes, rpn) == []
    assert launcher_prefix("mpirun", nodes, rpn, exported=["LEGATE_CONFIG", "PATH"]) == [
        "mpirun", "-n", ranks, "--npernode", str(rpn), "--bind-to", "none",
        "-x", "LEGATE_CONFIG", "-x", "PATH",
    ]
    assert launcher_prefix("srun", nodes, rpn) == ["srun", "-n", ranks, "--ntasks-per-node", str(rpn)]
    assert launcher_prefix("jsrun", nodes, rpn) == ["jsrun", "-n", str(nodes), "-r", "1", "-a", str(rpn)]
    # mpirun's further options go after the layout, before the variables and extras.
    assert launcher_prefix("mpirun", nodes, rpn, ["-H", "a"], ["LEGATE_CONFIG"], ["--oversubscribe"]) == [
        "mpirun", "-n", ranks, "--npernode", str(rpn), "--bind-to", "none",
        "--oversubscribe", "-x", "LEGATE_CONFIG", "-H", "a",
    ]
    # srun and jsrun take no mpirun options.
    assert launcher_prefix("srun", nodes, rpn, options=["--oversubscribe"])[0:2] == ["srun", "-n"]
    assert "--oversubscribe" not in launcher_prefix("jsrun", nodes, rpn, options=["--oversubscribe"])


@pytest.mark.parametrize(
    "nodes,rpn,cores,root,extra,options",
    [
        (1, 1, 16, False, [], ["--oversubscribe"]),
        (1, 64, 16, True, [], ["--allow-run-as-root", "--oversubscribe"]),
        (2, 4, 16, False, [], []),
        (2, 4, 16, True, [], ["--allow-run-as-root"]),
        (2, 17, 16, False, [], ["--oversubscribe"]),
        (4, 2, None, False, [], []),
        (1, 4, 2, True, ["--oversubscribe", "--allow-run-as-root"], []),
    ],
)
def test_mpirun_options(nodes, rpn, cores, root, extra, options):
    assert mpirun_options(nodes, rpn, cores, root, extra) == options


@pytest.mark.parametrize("root", [False, True])
def test_full_command_for_mpirun(root):
    inv = parse(["--ranks-per-node", "4", "--launcher", "mpirun", "--cpus", "1", "s.py"])
    env = child_environment(inv, {"PATH": "/bin", "LEGATE_TEST": "1"})
    command = driver_main.full_command(inv, env, MACHINE, as_root=root)
    assert command[:7] == ["mpirun", "-n", "4", "--npernode", "4", "--bind-to", "none"]
    assert ("--allow-run-as-root" in command) == root
    assert "--oversubscribe" in command  # one node
    # Every rank gets the same settings.
    assert ["-x", "LEGATE_CONFIG"] == command[command.index("LEGATE_CONFIG") - 1 : command.index("LEGATE_CONFIG") + 1]
    assert "LEGATE_TEST" in command and env["LEGATE_CONFIG"] == "--cpus 1 --ranks-per-node 4"
    # Two nodes of 4 ranks on 16 cores each: no oversubscription.
    inv = parse(["--nodes", "2", "--ranks-per-node", "4", "--launcher", "mpirun", "s.py"])
    command = driver_main.full_command(inv, child_environment(inv, {}), MACHINE, as_root=False)
    assert "--oversubscribe" not in command and "--allow-run-as-root" not in command
    # Other launchers get none of it.
    inv = parse(["--ranks-per-node", "4", "--launcher", "srun", "s.py"])
    command = driver_main.full_command(inv, child_environment(inv, {}), MACHINE, as_root=True)
    assert command == ["srun", "-n", "4", "--ntasks-per-node", "4", sys.executable, "s.py"]


@pytest.mark.parametrize("launcher", ["mpirun", "srun", "jsrun"])
def test_launcher_extra_is_split_and_appended(launcher):
    inv = parse(["--nodes", "2", "--launcher", launcher, "--launcher-extra", "--mca btl 'tcp,self'",
                 "--launcher-extra=-H", "--launcher-extra", "h1,h2", "s.py", "a"])
    assert inv.launcher_extra == ["--mca", "btl", "tcp,self", "-H", "h1,h2"]
    env = child_environment(inv, {"PATH": "/bin"})
    command = driver_main.full_command(inv, env)
    python = command.index(sys.executable)
    assert command[python - 5 : python] == ["--mca", "btl", "tcp,self", "-H", "h1,h2"]
    assert command[python:] == [sys.executable, "s.py", "a"]
    assert command[0] == launcher


def test_exported_variables():
    environ = {"LEGATE_CONFIG": "", "LEGATE_TEST": "1", "LEGATE_AAA": "x", "PATH": "/bin",
               "PYTHONPATH": "/p", "HOME": "/root", "OMPI_FOO": "1"}
    assert exported_variables(environ) == ["LEGATE_CONFIG", "LEGATE_AAA", "LEGATE_TEST", "PATH", "PYTHONPATH"]
    assert {"PATH", "LD_LIBRARY_PATH", "PYTHONPATH"} <= set(STANDARD_VARIABLES)


@pytest.mark.parametrize(
    "environ,layout",
    [
        ({}, None),
        ({"OMPI_COMM_WORLD_SIZE": "8", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"}, (2, 4, "OMPI_COMM_WORLD_SIZE")),
        ({"OMPI_COMM_WORLD_SIZE": "3"}, (1, 3, "OMPI_COMM_WORLD_SIZE")),
        ({"PMI_SIZE": "6", "MPI_LOCALNRANKS": "2"}, (3, 2, "PMI_SIZE")),
        ({"PMI_SIZE": "6", "PMI_LOCAL_SIZE": "3"}, (2, 3, "PMI_SIZE")),
        ({"SLURM_NTASKS": "12", "SLURM_NTASKS_PER_NODE": "4"}, (3, 4, "SLURM_NTASKS")),
        ({"SLURM_NTASKS": "12", "SLURM_NNODES": "2"}, (2, 6, "SLURM_NTASKS")),
        ({"SLURM_NTASKS": "5", "SLURM_NNODES": "2"}, (2, 3, "SLURM_NTASKS")),
        ({"OMPI_COMM_WORLD_SIZE": "junk"}, None),
    ],
)
def test_rank_detection(environ, layout):
    assert detect_ranks(environ) == layout


def test_detected_ranks_are_defaults_that_flags_override():
    environ = {**FIXED, "OMPI_COMM_WORLD_SIZE": "8", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"}
    config = runtime([], environ)
    assert (config.nodes.value, config.ranks_per_node.value) == (2, 4)
    assert config.nodes.source == "detected (OMPI_COMM_WORLD_SIZE)"
    assert config.legate_config() == "--nodes 2 --ranks-per-node 4"
    config = runtime(["--nodes", "1", "--ranks-per-node", "1"], environ)
    assert config.ranks == 1
    # Already launched: no launcher is needed for the layout to be valid.
    driver_main.validate(parse([], environ), detected_launcher=True, machine=MACHINE)


# --- validation ------------------------------------------------------------------------


def test_memory_checked_against_total_ram():
    small = MachineInfo(cores=4, total_mb=1000, detected_sysmem_mb=700)
    with pytest.raises(DriverError, match=r"--sysmem 2000 MB .* 1000 MB of RAM"):
        validate_runtime(runtime(["--sysmem", "2000"], machine=small), small)
    for flag in ("--numamem", "--zcmem", "--regmem"):
        with pytest.raises(DriverError, match=flag):
            validate_runtime(runtime([flag, "1001"], machine=small), small)
    with pytest.raises(DriverError, match="2 ranks per node is 1200 MB"):
        validate_runtime(runtime(["--sysmem", "600", "--ranks-per-node", "2"], machine=small), small)
    with pytest.raises(DriverError, match="LEGATE_SYSMEM"):
        validate_runtime(runtime([], {**FIXED, "LEGATE_SYSMEM": "5000"}, small), small)
    validate_runtime(runtime(["--sysmem", "900"], machine=small), small)
    # Legate's fixed default (4000 MB) is not the user's choice: not an error here.
    validate_runtime(runtime([], FIXED, small), small)


def test_validation_mirrors_the_runtime():
    def check(argv):
        driver_main.validate(parse(argv), detected_launcher=False, machine=MACHINE)

    for argv, message in [
        (["--cpus", "0"], "at least one processor"),
        (["--omps", "1", "--ompthreads", "0"], "--ompthreads"),
        (["--eager-alloc-percentage", "101"], "at most 100"),
        (["--sysmem", "0"], "--sysmem"),
        (["--nodes", "2"], "need a launcher"),
        (["--launcher-extra", "x"], "--launcher-extra needs a launcher"),
        (["--gdb", "--valgrind"], "together"),
        (["--gdb", "--nodes", "2", "--launcher", "mpirun"], "--gdb needs a single rank"),
        (["--valgrind", "--ranks-per-node", "2", "--launcher", "srun"], "--valgrind needs a single rank"),
        (["--freeze-on-error", "--nodes", "2", "--launcher", "srun", "s.py"], "--freeze-on-error needs a single rank"),
        (["--freeze-on-error"], "needs a script"),
    ]:
        with pytest.raises(DriverError, match=re.escape(message)):
            check(argv)
    check(["--cpus", "0", "--gpus", "1"])
    check(["--eager-alloc-percentage", "100", "--nodes", "2", "--launcher", "mpirun"])


# --- commands --------------------------------------------------------------------------


def test_program_commands():
    py = sys.executable
    base = runtime([])
    assert program_command(Invocation(base, Program("s.py", args=["a"]))) == [py, "s.py", "a"]
    assert program_command(Invocation(base, Program(module="m", args=["a"]))) == [py, "-m", "m", "a"]
    assert program_command(Invocation(base, Program())) == [py, "-i"]
    assert program_command(Invocation(base, Program("s.py"), gdb=True)) == ["gdb", "--args", py, "s.py"]
    assert program_command(Invocation(base, Program("s.py"), valgrind=True)) == ["valgrind", py, "s.py"]
    assert program_command(Invocation(base, Program("s.py", args=["a"]), patch=["numpy"])) == [
        py, "-m", BOOTSTRAP, "--patch", "numpy", "--", "s.py", "a"]
    assert program_command(Invocation(base, Program(module="m"), freeze_on_error=True)) == [
        py, "-m", BOOTSTRAP, "--no-patch", "--freeze-on-error", "--module", "m"]
    assert program_command(Invocation(base, Program(), patch=["numpy"])) == [
        py, "-i", "-m", BOOTSTRAP, "--patch", "numpy"]


def test_dry_run(echo, tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "touch.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    done = legate_cmd(["--nodes", "2", "--ranks-per-node", "3", "--launcher", "mpirun", "--cpus", "2",
                       "--launcher-extra=--oversubscribe", "--dry-run", str(script), "x"])
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "export LEGATE_CONFIG='--cpus 2 --nodes 2 --ranks-per-node 3'"
    command = shlex.split(second)
    assert command[:7] == ["mpirun", "-n", "6", "--npernode", "3", "--bind-to", "none"]
    root = ["--allow-run-as-root"] if os.geteuid() == 0 else []
    # --oversubscribe comes from --launcher-extra only (not added twice).
    assert command[7 : 9 + len(root)] == [*root, "-x", "LEGATE_CONFIG"] and "PYTHONPATH" in command
    assert command[-4:] == ["--oversubscribe", sys.executable, str(script), "x"]
    assert command.count("--oversubscribe") == 1
    assert not marker.exists()

    # srun and jsrun lines, for every rank layout.
    done = legate_cmd(["--dry-run", "--nodes", "3", "--ranks-per-node", "2", "--launcher", "srun",
                       "--cpus", "4", "--launcher-extra=--mpi=pmix", str(echo), "a"])
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "export LEGATE_CONFIG='--cpus 4 --nodes 3 --ranks-per-node 2'"
    assert shlex.split(second) == ["srun", "-n", "6", "--ntasks-per-node", "2", "--mpi=pmix",
                                   sys.executable, str(echo), "a"]

    done = legate_cmd(["--dry-run", "--gdb", str(echo)])
    assert shlex.split(done.stdout.splitlines()[1]) == ["gdb", "--args", sys.executable, str(echo)]
    done = legate_cmd(["--dry-run", "--nodes", "4", "--launcher", "jsrun", "--ranks-per-node", "2", str(echo)])
    assert shlex.split(done.stdout.splitlines()[1])[:7] == ["jsrun", "-n", "4", "-r", "1", "-a", "2"]
    assert shlex.split(done.stdout.splitlines()[1])[7:] == [sys.executable, str(echo)]
    # One node of four ranks: mpirun oversubscribes (a laptop, a test machine).
    done = legate_cmd(["--dry-run", "--ranks-per-node", "4", "--launcher", "mpirun", str(echo)])
    assert done.stdout.splitlines()[0] == "export LEGATE_CONFIG='--ranks-per-node 4'"
    assert "--oversubscribe" in shlex.split(done.stdout.splitlines()[1])


def test_info(tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "touch.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    done = legate_cmd(["--info", "--cpus", "3", "--profile", str(script)],
                      env=clean_env(LEGATE_FBMEM="123", LEGATE_AUTO_CONFIG="0"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"^\s+cpus\s+3\s+command line$", out, re.M)
    assert re.search(r"^\s+sysmem\s+4000 MB\s+default$", out, re.M)
    assert re.search(r"^\s+fbmem\s+123 MB\s+LEGATE_FBMEM$", out, re.M)
    assert re.search(r"^\s+launcher\s+none$", out, re.M)
    assert "LEGATE_CONFIG='--cpus 3 --fbmem 123 --profile'" in out
    assert not marker.exists()


def test_version():
    done = legate_cmd(["--version"])
    assert done.returncode == 0
    assert done.stdout.strip() == f"legate {legate.__version__}"
    short = legate_cmd(["-V"])
    assert (short.returncode, short.stdout) == (0, done.stdout)


def test_version_has_one_source():
    """The package's version is the workspace Cargo.toml's (maturin's dynamic version)."""
    from legate import _legate

    cargo = (REPO / "Cargo.toml").read_text()
    workspace = re.search(r'\[workspace\.package\]\s*version = "([^"]+)"', cargo)
    assert workspace and legate.__version__ == workspace.group(1) == _legate.__version__
    for folder in ("python", "python-hello", "python-sparse"):
        text = (REPO / folder / "pyproject.toml").read_text()
        assert 'dynamic = ["version"]' in text and not re.search(r"^version\s*=", text, re.M), folder


# --- running programs ------------------------------------------------------------------


def test_child_receives_legate_config_and_arguments(echo, tmp_path):
    done = legate_cmd(["--cpus", "2", "--sysmem=100", "--profile", "--logdir", "my logs",
                       str(echo), "a", "--cpus", "9"],
                      env=clean_env(LEGATE_OMP_THREADS="3"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "CONFIG=--cpus 2 --ompthreads 3 --sysmem 100 --profile --logdir 'my logs'",
        "ARGV=['a', '--cpus', '9']",
    ]
    # Without settings, LEGATE_CONFIG is empty, and an inherited one is replaced.
    done = legate_cmd([str(echo)], env=clean_env(LEGATE_CONFIG="--cpus 5"))
    assert done.stdout.splitlines()[0] == "CONFIG=--cpus 5"
    done = legate_cmd(["--cpus", "1", str(echo)], env=clean_env(LEGATE_CONFIG="--cpus 5 --profile"))
    assert done.stdout.splitlines()[0] == "CONFIG=--cpus 1 --profile"
    done = legate_cmd([str(echo)])
    assert done.stdout.splitlines()[0] == "CONFIG="


def test_script_sees_its_own_directory_first(tmp_path):
    (tmp_path / "helper_mod_xyz.py").write_text("VALUE = 42\n")
    script = tmp_path / "s.py"
    script.write_text("import helper_mod_xyz, sys\nprint(helper_mod_xyz.VALUE, sys.argv[0])\n")
    done = legate_cmd([str(script)])
    assert done.stdout.split() == ["42", str(script)]


def test_module(tmp_path):
    (tmp_path / "drvmod_abc.py").write_text(ECHO)
    done = legate_cmd(["--cpus", "2", "--module", "drvmod_abc", "x", "--gpus", "1"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["CONFIG=--cpus 2", "ARGV=['x', '--gpus', '1']"]
    done = legate_cmd(["--module=no_such_module_qq"], cwd=tmp_path)
    assert done.returncode == 1 and "No module named no_such_module_qq" in done.stderr


@pytest.mark.parametrize("code", [0, 1, 3, 42])
def test_exit_status_is_the_programs(tmp_path, code):
    script = tmp_path / "exit.py"
    script.write_text("import sys\nsys.exit(int(sys.argv[1]))\n")
    assert legate_cmd([str(script), str(code)]).returncode == code


def test_uncaught_exception_and_signal_status(tmp_path):
    script = tmp_path / "boom.py"
    script.write_text("raise ValueError('boom')\n")
    done = legate_cmd([str(script)])
    assert done.returncode == 1 and "ValueError: boom" in done.stderr
    script.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    assert legate_cmd([str(script)]).returncode == 128 + signal.SIGKILL


def test_interactive_console():
    done = legate_cmd(["--cpus", "2"], input="import os, sys\nprint('CFG', os.environ['LEGATE_CONFIG'])\n"
                      "print('INTERACTIVE', sys.flags.interactive)\n")
    assert done.returncode == 0, done.stderr
    assert "CFG --cpus 2" in done.stdout and "INTERACTIVE 1" in done.stdout


def test_stdin_script():
    done = legate_cmd(["--gpus", "1", "-", "a"], input="import os, sys\nprint(os.environ['LEGATE_CONFIG'], sys.argv)\n")
    assert done.stdout.strip() == "--gpus 1 ['-', 'a']"


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv,env,message",
    [
        (["--cpus", "-1"], {}, "argument --cpus: must not be negative"),
        (["--cpus", "x"], {}, "argument --cpus: expected a non-negative integer"),
        (["--gpus", "1.5"], {}, "argument --gpus: expected a non-negative integer"),
        (["--sysmem", "-5"], {}, "argument --sysmem: must not be negative"),
        (["--nodes", "0"], {}, "argument --nodes: must be at least 1"),
        (["--ranks-per-node", "two"], {}, "argument --ranks-per-node"),
        (["--launcher", "pbs"], {}, "argument --launcher: invalid choice: 'pbs'"),
        (["--patch", "scipy"], {}, "argument --patch: invalid choice"),
        (["--sysmem", "999999999"], {}, "is more than this machine's"),
        (["--bogus"], {}, "unrecognized arguments: --bogus"),
        (["--cpu", "2"], {}, "unrecognized arguments: --cpu"),
        (["--cpus"], {}, "argument --cpus: expected a non-negative integer, got '/"),
        (["--cpus", "0"], {}, "at least one processor"),
        (["--eager-alloc-percentage", "150"], {}, "must be at most 100"),
        (["--omps", "2", "--ompthreads", "0"], {}, "--ompthreads"),
        (["--gdb", "--nodes", "2", "--launcher", "mpirun"], {}, "--gdb needs a single rank"),
        (["--nodes", "2"], {}, "need a launcher"),
        (["--launcher-extra", "x"], {}, "needs a launcher"),
        ([], {"LEGATE_CPUS": "abc"}, "LEGATE_CPUS"),
        ([], {"LEGATE_SYSMEM": "-1"}, "LEGATE_SYSMEM"),
        ([], {"LEGATE_CONFIG": "--frob"}, "in LEGATE_CONFIG: unrecognized arguments: --frob"),
        ([], {"LEGATE_CONFIG": "--logdir 'open"}, "cannot split LEGATE_CONFIG"),
        ([], {"LEGATE_AUTO_CONFIG": "maybe"}, "LEGATE_AUTO_CONFIG"),
    ],
)
def test_bad_flags_give_one_line_and_status_2(echo, argv, env, message):
    line = one_error_line(legate_cmd([*argv, str(echo)], env=clean_env(**env)))
    assert message in line


def test_missing_value():
    assert "argument --cpus: expected one argument" in one_error_line(legate_cmd(["--cpus"]))


# Each rank writes its own file: mpirun interleaves the ranks' standard output.
RANK_ECHO = """\
import os, sys
rank = os.environ.get("OMPI_COMM_WORLD_RANK")
with open(os.path.join(os.path.dirname(__file__), f"rank{rank}.txt"), "w") as f:
    f.write(f"RANK {rank} CONFIG {os.environ['LEGATE_CONFIG']} {sys.argv[1:]}")
"""


def test_already_launched_ranks_run_the_program(echo):
    """Under a launcher already (``mpirun -n 4 legate s.py``), each rank runs the program."""
    env = clean_env(OMPI_COMM_WORLD_SIZE="4", OMPI_COMM_WORLD_LOCAL_SIZE="2")
    done = legate_cmd(["--cpus", "1", str(echo)], env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "CONFIG=--cpus 1 --nodes 2 --ranks-per-node 2"
    done = legate_cmd(["--dry-run", str(echo)], env=env)
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "export LEGATE_CONFIG='--nodes 2 --ranks-per-node 2'"


@pytest.mark.skipif(not shutil.which("mpirun"), reason="mpirun (OpenMPI) is not installed")
@pytest.mark.parametrize("ranks", [2, 3])
def test_mpirun_launches_every_rank(tmp_path, ranks):
    """``legate --launcher mpirun`` really starts the ranks, each with the settings."""
    script = tmp_path / "rank_echo.py"
    script.write_text(RANK_ECHO)
    done = legate_cmd(["--ranks-per-node", str(ranks), "--launcher", "mpirun", "--cpus", "1",
                       "--sysmem", "100", str(script), "a b"], env=clean_env(LEGATE_TEST="1"), timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [p.read_text() for p in sorted(tmp_path.glob("rank*.txt"))]
    config = f"--cpus 1 --sysmem 100 --ranks-per-node {ranks}"
    assert lines == [f"RANK {r} CONFIG {config} ['a b']" for r in range(ranks)], done.stdout
    # A failing rank makes the launch fail.
    script.write_text("import os, sys\nsys.exit(3 if os.environ['OMPI_COMM_WORLD_RANK'] == '1' else 0)\n")
    done = legate_cmd(["--ranks-per-node", str(ranks), "--launcher", "mpirun", str(script)], timeout=120)
    assert done.returncode != 0


def test_missing_program_binary_is_a_driver_error(echo):
    # valgrind may be installed; use a PATH where it cannot be found.
    env = clean_env(PATH="/nonexistent")
    line = one_error_line(legate_cmd(["--valgrind", str(echo)], env=env))
    assert "cannot run 'valgrind'" in line


def test_verbose_prints_the_command(echo):
    done = legate_cmd(["--verbose", str(echo)])
    assert done.returncode == 0
    assert f"legate: running {shlex.join([sys.executable, str(echo)])}" in done.stderr
    assert "CONFIG=--verbose" in done.stdout


# --- --patch / lgpatch ------------------------------------------------------------------


@pytest.fixture
def fake_dropin(tmp_path):
    """A stand-in ``legate_numeric`` so the patch is testable without the runtime. It
    imports what it believes is NumPy first, as the real drop-in does."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "legate_numeric.py").write_text(
        "import sys\nREAL_NUMPY_SEEN = 'numpy' in sys.modules\nMARK = 'drop-in'\n"
    )
    script = tmp_path / "uses_numpy.py"
    script.write_text(
        "import sys, numpy\nprint(numpy.__name__, numpy.MARK, sys.argv[1:], sys.path[0])\n"
    )
    return lib, script


def test_patch_numpy_through_the_driver(fake_dropin, tmp_path):
    lib, script = fake_dropin
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join([str(lib), env["PYTHONPATH"]])
    done = legate_cmd(["--patch", "numpy", "--cpus", "1", str(script), "a", "--b"], env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["legate_numeric", "drop-in", "['a',", "'--b']", str(tmp_path)]
    # Without --patch, `import numpy` is whatever NumPy is installed (or fails).
    done = legate_cmd([str(script)], env=env)
    assert "legate_numeric" not in done.stdout


def test_lgpatch(fake_dropin, tmp_path):
    lib, script = fake_dropin
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join([str(lib), env["PYTHONPATH"]])
    done = run_module("legate.driver.patch", [str(script), "x"], env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["legate_numeric", "drop-in", "['x']"]
    # Console: the patch is in place in the interactive namespace.
    done = run_module("legate.driver.patch", [], env=env, input="import numpy\nprint(numpy.MARK)\n")
    assert done.returncode == 0 and "drop-in" in done.stdout
    # A drop-in that cannot be imported is a one-line error, and the script never runs.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "legate_numeric.py").write_text("raise ImportError('no compiled extension')\n")
    env["PYTHONPATH"] = os.pathsep.join([str(broken), env["PYTHONPATH"]])
    line = one_error_line(run_module("legate.driver.patch", [str(script)], env=env), prog="lgpatch")
    assert "no compiled extension" in line


def test_patch_gives_the_dropin_numpys_version(monkeypatch):
    import types

    from legate.driver.patch import apply_patches

    real = types.ModuleType("numpy")
    real.__version__ = "9.8.7"
    dropin = types.ModuleType("legate_numeric")
    monkeypatch.setitem(sys.modules, "numpy", real)
    monkeypatch.setitem(sys.modules, "legate_numeric", dropin)
    apply_patches(["numpy"])
    assert sys.modules["numpy"] is dropin and dropin.__version__ == "9.8.7"
    # A drop-in's own version is kept.
    own = types.ModuleType("legate_numeric")
    own.__version__ = "0.1"
    monkeypatch.setitem(sys.modules, "numpy", real)
    monkeypatch.setitem(sys.modules, "legate_numeric", own)
    apply_patches(["numpy"])
    assert sys.modules["numpy"] is own and own.__version__ == "0.1"


def test_patch_with_the_real_dropin(tmp_path):
    probe = subprocess.run([sys.executable, "-c", "import legate._legate, legate_numeric"],
                           env=clean_env(), capture_output=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip("the compiled extension legate._legate (or legate_numeric) does not import")
    script = tmp_path / "np_script.py"
    script.write_text(
        "import numpy as np\n"
        "x = np.arange(10)\n"
        "print(np.__name__, int(x.sum()), np.asarray(x * 2).tolist()[-1])\n"
    )
    done = legate_cmd(["--patch", "numpy", "--cpus", "2", str(script)], timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["legate_numeric", "45", "18"]


def test_lgpatch_module_and_exit_status(tmp_path):
    (tmp_path / "exiter_q.py").write_text("import sys\nsys.exit(int(sys.argv[1]))\n")
    done = run_module("legate.driver.patch", ["--no-patch", "--module", "exiter_q", "7"], cwd=tmp_path)
    assert done.returncode == 7, done.stderr


def test_freeze_on_error(tmp_path):
    script = tmp_path / "fail.py"
    script.write_text("raise RuntimeError('stop here')\n")
    # Ctrl-C as a terminal delivers it: a runner started as a background job ignores
    # SIGINT, and its children would inherit that (`python -m legate.driver`, with the
    # handler Python installs when SIGINT is not ignored).
    driver = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
              "runpy.run_module('legate.driver', run_name='__main__', alter_sys=True)")
    child = subprocess.Popen(
        [sys.executable, "-c", driver, "--freeze-on-error", str(script)],
        env=clean_env(), stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        seen = ""
        deadline = time.monotonic() + 30
        while "frozen on error" not in seen and time.monotonic() < deadline:
            line = child.stderr.readline()
            if not line:
                break
            seen += line
        assert "RuntimeError: stop here" in seen and "frozen on error" in seen, seen
        time.sleep(0.3)
        assert child.poll() is None, "the process should wait for a debugger"
        # Ctrl-C from the terminal reaches the whole process group.
        os.killpg(child.pid, signal.SIGINT)
        assert child.wait(timeout=30) == 1
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.stderr.close()


# --- legate-issue ----------------------------------------------------------------------


def test_legate_issue():
    done = run_module("legate.issue", [], env=clean_env(LEGATE_TEST_MARKER="xyz"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(rf"^Python:\s+{re.escape(platform.python_version())} ", out, re.M)
    assert re.search(rf"^legate:\s+{re.escape(legate.__version__)} ", out, re.M)
    for label in ("Platform", "CPU", "Memory", "legate._legate", "numpy", "scipy", "rustc", "cargo", "mpirun"):
        assert re.search(rf"^{re.escape(label)}:", out, re.M), label
    assert "  LEGATE_TEST_MARKER=xyz" in out.splitlines()


def test_driver_never_starts_the_runtime(echo):
    """The driver, lgpatch, legate-issue and legate-jupyter read the runtime's table of
    settings from the extension module, and start no runtime (no processor threads) and
    load none of the libraries."""
    probe = (
        "import os, sys\n"
        "import legate.driver.main, legate.driver.patch, legate.issue\n"
        "import legate.jupyter, legate.jupyter.install\n"
        "legate.driver.main.main(['--dry-run', sys.argv[1]])\n"
        "legate.driver.main.main(['--info'])\n"
        "loaded = sorted(m for m in sys.modules if m in ('legate.core', 'legate_numeric', 'numpy', 'IPython'))\n"
        "print('LOADED', loaded)\n"
        "names = [open(f'/proc/self/task/{t}/comm').read().strip() for t in os.listdir('/proc/self/task')]\n"
        "print('WORKERS', [n for n in names if n.startswith('legate-')])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(echo)], env=clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout.splitlines()
    assert "WORKERS []" in done.stdout.splitlines()
