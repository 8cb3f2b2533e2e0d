"""`legate new-library` and `legate --abi-path` without building anything (`make
test-template` builds and tests a generated library in a fresh venv): the generated
files are renamed throughout, bad names and non-empty directories are refused, and the
ABI sources the extension carries are written out as standalone crates that match
this repository's."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from legate._template import abi_path, cli, new_library

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LEGATE_ABI_PATH", raising=False)
    return tmp_path / "cache"


def test_abi_sources_are_standalone_copies(cache):
    d = abi_path()
    assert d.parent == (cache / "legate").resolve()
    for krate in ("legate-abi", "legate-python-abi"):
        manifest = (d / krate / "Cargo.toml").read_text()
        assert "workspace" not in manifest, manifest
        meta = tomllib.loads(manifest)
        assert meta["package"]["name"] == krate
        assert meta["package"]["edition"] and meta["package"]["version"]
        # Every source file is the one in this repository.
        ours = sorted(p.relative_to(ROOT / krate) for p in (ROOT / krate / "src").rglob("*.rs"))
        copied = sorted(p.relative_to(d / krate) for p in (d / krate / "src").rglob("*.rs"))
        assert copied == ours
        for rel in ours:
            assert (d / krate / rel).read_text() == (ROOT / krate / rel).read_text()
    deps = tomllib.loads((d / "legate-python-abi" / "Cargo.toml").read_text())["dependencies"]
    assert deps["legate-abi"]["path"] == "../legate-abi"
    # Written once: a second call finds the same directory.
    assert abi_path() == d


def test_abi_path_override(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEGATE_ABI_PATH", str(ROOT))
    assert abi_path() == ROOT
    monkeypatch.setenv("LEGATE_ABI_PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="LEGATE_ABI_PATH"):
        abi_path()
    assert cli(["--abi-path"]) == 2
    assert "LEGATE_ABI_PATH" in capsys.readouterr().err


def test_new_library_is_renamed_throughout(tmp_path, cache):
    dest = new_library("my_lib", tmp_path / "lib")
    files = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert files == {
        "Cargo.toml",
        "README.md",
        "pyproject.toml",
        "python/my_lib/__init__.py",
        "src/lib.rs",
        "src/tasks.rs",
        "tests/test_my_lib.py",
    }
    for f in files:
        text = (dest / f).read_text()
        # No placeholder is left (the templates use no dunder of their own).
        assert "__name__" not in text and "__crate__" not in text and "__abi_path__" not in text, f
    cargo = tomllib.loads((dest / "Cargo.toml").read_text())
    assert cargo["package"]["name"] == "my-lib"
    assert cargo["lib"]["name"] == "_my_lib"
    assert "workspace" in cargo and not cargo["workspace"]
    abi = abi_path()
    assert Path(cargo["dependencies"]["legate-abi"]["path"]) == abi / "legate-abi"
    assert Path(cargo["dependencies"]["legate-python-abi"]["path"]) == abi / "legate-python-abi"
    # Its wheel serves every CPython from 3.11 on, as legate-rs's does.
    assert "abi3-py311" in cargo["dependencies"]["pyo3"]["features"]
    py = tomllib.loads((dest / "pyproject.toml").read_text())
    assert py["tool"]["maturin"]["module-name"] == "my_lib._my_lib"
    assert 'LIBRARY_NAME: &str = "my_lib"' in (dest / "src/lib.rs").read_text()
    assert "fn _my_lib(" in (dest / "src/lib.rs").read_text()
    assert "import my_lib" in (dest / "tests/test_my_lib.py").read_text()


@pytest.mark.parametrize("name", ["MyLib", "1lib", "my-lib", "class", "legate_numeric", ""])
def test_new_library_refuses_bad_names(tmp_path, name):
    with pytest.raises(ValueError):
        new_library(name, tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_new_library_refuses_a_nonempty_directory(tmp_path, cache, capsys):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("")
    with pytest.raises(FileExistsError):
        new_library("mylib", tmp_path / "taken")
    assert cli(["new-library", "mylib", str(tmp_path / "taken")]) == 2
    assert "not empty" in capsys.readouterr().err
    assert cli(["new-library"]) == 2
    assert cli(["new-library", "--help"]) == 0
