"""``legate new-library NAME [DIR]`` and ``legate --abi-path``: a standalone library.

The template (``files/``) is one folder: a Rust crate of tasks (depending on
``legate-abi`` and ``legate-python-abi`` by path, no workspace inheritance) and its
Python package, which launches the tasks through ``legate.core``, plus a test.
``new_library`` copies it renamed throughout (crate, Python package, library name)
and points the crate at the ABI crates' sources (:func:`abi_path`), which the
installed extension module carries: no source tree of ``legate`` is needed.
"""

from __future__ import annotations

import hashlib
import keyword
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

_FILES = Path(__file__).parent / "files"
_ABI_CRATES = ("legate-abi", "legate-python-abi")


def _has_crates(d: Path) -> bool:
    return all((d / c / "Cargo.toml").is_file() for c in _ABI_CRATES)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "legate"


def abi_path() -> Path:
    """The directory holding the sources of ``legate-abi`` and ``legate-python-abi``
    that the installed runtime speaks: ``$LEGATE_ABI_PATH`` if set, else the copy the
    extension module carries (it was built from them), written out once under
    ``$XDG_CACHE_HOME/legate`` (``~/.cache/legate``) in a directory named by their hash,
    so that a library built against them keeps finding them, and another version of
    ``legate`` gets its own."""
    if os.environ.get("LEGATE_ABI_PATH"):
        d = Path(os.environ["LEGATE_ABI_PATH"])
        if not _has_crates(d):
            raise FileNotFoundError(
                f"LEGATE_ABI_PATH={d} does not hold {' and '.join(c + '/Cargo.toml' for c in _ABI_CRATES)}"
            )
        return d.resolve()
    from legate import _legate

    sources = _legate._abi_sources()
    digest = hashlib.sha256()
    for rel, text in sources:
        digest.update(rel.encode() + b"\0" + text.encode() + b"\0")
    dest = _cache_dir() / f"abi-{digest.hexdigest()[:16]}"
    if _has_crates(dest):
        return dest.resolve()
    # Written beside the destination and renamed into place, so that two processes
    # never see a half-written copy.
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".abi-", dir=dest.parent))
    try:
        for rel, text in sources:
            out = tmp / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text)
        try:
            os.rename(tmp, dest)
        except OSError:
            if not _has_crates(dest):  # not another process that won the race
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest.resolve()


def _check_name(name: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ValueError(
            f"library name {name!r}: use a lowercase Python identifier (letters, digits, "
            "underscores; it names the crate, the Python package and the library)"
        )
    if name in {"legate", "legate_numeric", "legate_sparse", "legate_hello", "numpy", "test"}:
        raise ValueError(f"library name {name!r} is taken; choose another")


def new_library(name: str, directory: str | os.PathLike | None = None, abi: Path | None = None) -> Path:
    """Generates the library ``name`` into ``directory`` (default ``./name``, which
    must not exist or be empty). Returns the directory."""
    _check_name(name)
    dest = Path(directory if directory is not None else name)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    abi = (abi or abi_path()).as_posix()
    words = {"__abi_path__": abi, "__crate__": name.replace("_", "-"), "__name__": name}

    def rename(text: str) -> str:
        for key, value in words.items():
            text = text.replace(key, value)
        return text

    for src in sorted(_FILES.rglob("*.tmpl")):
        rel = rename(src.relative_to(_FILES).as_posix()).removesuffix(".tmpl")
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rename(src.read_text()))
    return dest


def cli(argv: list[str]) -> int:
    """``legate --abi-path`` or ``legate new-library NAME [DIR]``."""
    prog = "legate"
    if argv[0] == "--abi-path":
        try:
            print(abi_path())
        except OSError as e:
            print(f"{prog}: error: {e}", file=sys.stderr)
            return 2
        return 0
    args = argv[1:]
    if not args or args[0] in ("-h", "--help") or len(args) > 2:
        print(
            f"usage: {prog} new-library NAME [DIR]\n\n"
            "Generates a standalone Legate library NAME in DIR (default ./NAME): a Rust\n"
            "crate with one task, its Python package launching it through legate.core,\n"
            "and a test. Build it with `maturin develop --release`, test it with pytest.",
            file=sys.stderr if not args or len(args) > 2 else sys.stdout,
        )
        return 0 if args and args[0] in ("-h", "--help") else 2
    try:
        dest = new_library(args[0], args[1] if len(args) > 1 else None)
    except (ValueError, OSError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    print(f"created the library {args[0]} in {dest}")
    return 0
