"""Tests of ``legate-jupyter`` (kernel spec installation) and ``%legate_info``.

Installation is plain file work and always tested. The end-to-end test that starts a
kernel runs only where jupyter_client, ipykernel and the compiled runtime exist.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import legate
import legate.jupyter as legate_jupyter
from legate.driver.flags import DriverError
from legate.jupyter.install import DEFAULT_NAME, install, kernel_dir, user_data_dir

PYTHON_DIR = Path(legate.__file__).resolve().parent.parent
LAUNCHER_PREFIXES = ("OMPI_", "PMI_", "SLURM_", "JUPYTER_")


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without LEGATE_*, launcher or Jupyter variables, with the
    package on PYTHONPATH (absolute, since children run elsewhere)."""
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


def legate_jupyter_cmd(args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "legate.jupyter.install", *args],
        env=env if env is not None else clean_env(),
        capture_output=True, text=True, timeout=60,
    )


def read_spec(prefix: Path, name: str = DEFAULT_NAME) -> dict:
    return json.loads((prefix / "share" / "jupyter" / "kernels" / name / "kernel.json").read_text())


def one_error_line(done) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("legate-jupyter: error: "), done.stderr
    return lines[0]


# --- installing ------------------------------------------------------------------------


def test_install_into_prefix(tmp_path):
    done = legate_jupyter_cmd(["--prefix", str(tmp_path), "--cpus", "2", "--sysmem", "1000", "--profile"])
    assert done.returncode == 0, done.stderr
    spec = read_spec(tmp_path)
    assert spec["argv"] == [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert spec["env"] == {"LEGATE_CONFIG": "--cpus 2 --sysmem 1000 --profile"}
    assert spec["language"] == "python"
    assert spec["display_name"] == f"Legate ({DEFAULT_NAME})"
    assert spec["metadata"]["legate"] == {
        "version": legate.__version__,
        "legate_config": "--cpus 2 --sysmem 1000 --profile",
        "settings": {"cpus": 2, "sysmem": 1000, "profile": True},
    }
    assert str(tmp_path / "share" / "jupyter" / "kernels" / DEFAULT_NAME) in done.stdout
    # Only kernel.json is written (no temporary left behind).
    assert sorted(p.name for p in (tmp_path / "share/jupyter/kernels" / DEFAULT_NAME).iterdir()) == ["kernel.json"]


def test_name_display_name_and_variables(tmp_path):
    target, spec, written = install(
        ["--prefix", str(tmp_path), "--name", "My.Kernel-1", "--display-name", "Big box", "--gpus", "1"],
        {"LEGATE_OMP_THREADS": "3", "LEGATE_AUTO_CONFIG": "0"},
    )
    assert written
    # Jupyter lowercases kernel names.
    assert target == tmp_path / "share" / "jupyter" / "kernels" / "my.kernel-1"
    assert read_spec(tmp_path, "my.kernel-1") == spec
    assert spec["display_name"] == "Big box"
    assert spec["env"]["LEGATE_CONFIG"] == "--gpus 1 --ompthreads 3"


def test_refuses_to_overwrite_without_force(tmp_path):
    assert legate_jupyter_cmd(["--prefix", str(tmp_path), "--cpus", "1"]).returncode == 0
    before = read_spec(tmp_path)
    line = one_error_line(legate_jupyter_cmd(["--prefix", str(tmp_path), "--cpus", "3"]))
    assert "already exists" in line and "--force" in line
    assert read_spec(tmp_path) == before
    done = legate_jupyter_cmd(["--prefix", str(tmp_path), "--cpus", "3", "--force"])
    assert done.returncode == 0, done.stderr
    assert read_spec(tmp_path)["env"]["LEGATE_CONFIG"] == "--cpus 3"


@pytest.mark.skipif(platform.system() != "Linux", reason="the per-user directory is Linux's here")
def test_user_install_is_the_default(tmp_path):
    environ = {"HOME": str(tmp_path)}
    expected = tmp_path / ".local" / "share" / "jupyter" / "kernels" / DEFAULT_NAME
    for argv in ([], ["--user"]):
        target, _spec, written = install([*argv, "--force"], environ)
        assert written and target == expected and (expected / "kernel.json").is_file()
    assert user_data_dir({"HOME": "/h", "XDG_DATA_HOME": "/x"}) == Path("/x/jupyter")
    assert user_data_dir({"HOME": "/h", "JUPYTER_DATA_DIR": "/j"}) == Path("/j")
    assert kernel_dir("k", "/p") == Path("/p/share/jupyter/kernels/k")
    done = legate_jupyter_cmd([], env=clean_env(HOME=str(tmp_path / "other")))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "other/.local/share/jupyter/kernels" / DEFAULT_NAME / "kernel.json").is_file()


def test_dry_run_writes_nothing(tmp_path):
    done = legate_jupyter_cmd(["--prefix", str(tmp_path), "--dry-run", "--cpus", "2"])
    assert done.returncode == 0
    assert '"LEGATE_CONFIG": "--cpus 2"' in done.stdout
    assert not (tmp_path / "share").exists()


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--name", "bad name"], "invalid kernel name"),
        (["--name", "a/b"], "invalid kernel name"),
        (["--user", "--prefix", "/tmp/x"], "not allowed with argument"),
        (["--cpus", "-2"], "argument --cpus: must not be negative"),
        (["--sysmem", "999999999"], "RAM"),
        (["--eager-alloc-percentage", "101"], "at most 100"),
        (["--launcher", "mpirun"], "unrecognized arguments: --launcher"),
    ],
)
def test_bad_arguments(tmp_path, argv, message):
    done = legate_jupyter_cmd(["--prefix", str(tmp_path), *argv] if "--user" not in argv else argv)
    assert message in one_error_line(done)
    assert not (tmp_path / "share").exists()


def test_install_errors_are_driver_errors(tmp_path):
    install(["--prefix", str(tmp_path)], {})
    with pytest.raises(DriverError, match="already exists"):
        install(["--prefix", str(tmp_path)], {})


# --- %legate_info ------------------------------------------------------------------------


class FakeShell:
    """Records what an extension registers, like InteractiveShell.register_magic_function."""

    def __init__(self):
        self.magics = {}

    def register_magic_function(self, func, magic_kind="line", magic_name=None):
        self.magics[(magic_kind, magic_name or func.__name__)] = func


def test_load_extension_registers_legate_info(monkeypatch, capsys):
    shell = FakeShell()
    legate_jupyter.load_ipython_extension(shell)
    assert list(shell.magics) == [("line", "legate_info")]
    # Keep the runtime out of the test process: its report is tested separately.
    monkeypatch.setattr(legate_jupyter, "runtime_lines", lambda: ["Runtime: stubbed"])
    monkeypatch.setenv("LEGATE_CONFIG", "--cpus 3 --profile")
    monkeypatch.setenv("LEGATE_AUTO_CONFIG", "0")
    monkeypatch.setenv("LEGATE_FBMEM", "77")
    shell.magics[("line", "legate_info")]("")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1] == "LEGATE_CONFIG='--cpus 3 --profile'"
    assert any(l.split() == ["cpus", "3", "LEGATE_CONFIG"] for l in lines), out
    assert any(l.split() == ["sysmem", "4000", "MB", "default"] for l in lines), out
    assert any(l.split() == ["fbmem", "77", "MB", "LEGATE_FBMEM"] for l in lines), out
    assert any(l.split() == ["switches", "--profile"] for l in lines), out
    assert lines[-1] == "Runtime: stubbed"


def test_legate_info_with_a_bad_config():
    lines = legate_jupyter.config_lines({"LEGATE_CONFIG": "--cpus two"})
    assert "cannot read the configuration" in lines[-1] and "--cpus" in lines[-1]


def test_legate_info_without_the_extension(monkeypatch):
    # A None entry in sys.modules makes the import fail, as a missing extension would.
    monkeypatch.setitem(sys.modules, "legate.core", None)
    lines = legate_jupyter.runtime_lines()
    assert len(lines) == 1 and lines[0].startswith("Runtime: not available")


def test_legate_info_reports_the_runtime(monkeypatch):
    class FakeRuntime:
        config = {"cpus": 5, "sysmem_mb": 10}

    class FakeCore:
        @staticmethod
        def get_legate_runtime():
            return FakeRuntime()

    monkeypatch.setitem(sys.modules, "legate.core", FakeCore)
    assert legate_jupyter.runtime_lines() == ["Runtime reports:", f"  {'cpus':<24}5", f"  {'sysmem_mb':<24}10"]


def test_with_ipython(monkeypatch):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setattr(legate_jupyter, "runtime_lines", lambda: ["Runtime: stubbed"])
    monkeypatch.setenv("LEGATE_CONFIG", "--gpus 2")
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "legate.jupyter")
        out = shell.run_line_magic("legate_info", "")
        assert out is None
        text = legate_jupyter.info_text()
        assert "LEGATE_CONFIG=--gpus 2" in text or "LEGATE_CONFIG='--gpus 2'" in text
        assert "legate_info" in shell.magics_manager.magics["line"]
    finally:
        InteractiveShell.clear_instance()


# --- a real kernel -----------------------------------------------------------------------


def _runtime_available() -> bool:
    # In a child: importing the extension must not start anything in the test process.
    probe = "import legate._legate, legate_numeric"
    done = subprocess.run([sys.executable, "-c", probe], env=clean_env(), capture_output=True, timeout=120)
    return done.returncode == 0


def test_kernel_runs_legate_numeric(tmp_path, monkeypatch):
    pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    if not _runtime_available():
        pytest.skip("the compiled extension legate._legate (or legate_numeric) does not import")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    target, _spec, _written = install(["--prefix", str(tmp_path), "--name", "legate_test", "--cpus", "2"], {})
    for key in list(os.environ):
        if key.startswith("LEGATE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PYTHONPATH", clean_env()["PYTHONPATH"])
    ksm = KernelSpecManager(kernel_dirs=[str(target.parent)])
    assert "legate_test" in ksm.find_kernel_specs()
    km = KernelManager(kernel_name="legate_test", kernel_spec_manager=ksm)
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)

        def run(code: str) -> str:
            out: list[str] = []

            def hook(msg):
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    out.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])

            reply = kc.execute_interactive(code, output_hook=hook, timeout=120)
            assert reply["content"]["status"] == "ok", "".join(out)
            return "".join(out)

        assert run("import os; print(os.environ['LEGATE_CONFIG'])").strip() == "--cpus 2"
        assert run("import legate_numeric as np; print(int(np.arange(10).sum()))").strip() == "45"
        info = run("%load_ext legate.jupyter\n%legate_info")
        assert "LEGATE_CONFIG='--cpus 2'" in info
        assert "Runtime reports:" in info
        assert any(l.split() == ["cpus", "2"] for l in info.splitlines()), info
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
