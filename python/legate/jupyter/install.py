"""``legate-jupyter``: install a Jupyter kernel that runs Python on Legate.

The kernel is the usual ``ipykernel`` on this interpreter with ``LEGATE_CONFIG`` in its
environment, so every notebook started on it gets the configuration given here. The
spec is written with plain file operations: installing needs no Jupyter packages, only
running the kernel does.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

from legate.driver.config import resolve_runtime, validate_runtime
from legate.driver.flags import DriverError, DriverParser, add_runtime_arguments

PROG = "legate-jupyter"
DEFAULT_NAME = "legate_rs"

# Jupyter's own rule for kernel names (jupyter_client.kernelspec._kernel_name_pat).
_NAME = re.compile(r"[a-z0-9._-]+", re.IGNORECASE)


def user_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Jupyter's per-user data directory, as ``jupyter --data-dir`` computes it."""
    environ = os.environ if environ is None else environ
    if environ.get("JUPYTER_DATA_DIR"):
        return Path(environ["JUPYTER_DATA_DIR"])
    home = Path(environ.get("HOME") or Path.home())
    if platform.system() == "Darwin":
        return home / "Library" / "Jupyter"
    if platform.system() == "Windows" and environ.get("APPDATA"):
        return Path(environ["APPDATA"]) / "jupyter"
    return Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "jupyter"


def kernel_dir(name: str, prefix: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """Where the kernel ``name`` goes: ``<prefix>/share/jupyter/kernels/<name>`` or the
    user's ``.../jupyter/kernels/<name>``."""
    base = Path(prefix) / "share" / "jupyter" if prefix is not None else user_data_dir(environ)
    return base / "kernels" / name


def kernel_spec(
    display_name: str,
    legate_config: str,
    settings: dict[str, Any],
    python: str = sys.executable,
) -> dict[str, Any]:
    """The content of ``kernel.json``.

    Parameters
    ----------
    display_name
        The name notebooks show.
    legate_config
        The ``LEGATE_CONFIG`` flag string the kernel runs with.
    settings
        The resolved settings, recorded in the metadata for humans and tools.
    python
        The interpreter that runs ``ipykernel``.
    """
    import legate

    return {
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "interrupt_mode": "signal",
        "env": {"LEGATE_CONFIG": legate_config},
        "metadata": {
            "legate": {
                "version": legate.__version__,
                "legate_config": legate_config,
                "settings": settings,
            },
            "debugger": True,
        },
    }


def _parser() -> DriverParser:
    parser = DriverParser(
        prog=PROG,
        description="Install a Jupyter kernel that runs Python with a Legate configuration "
        "(LEGATE_CONFIG in the kernel's environment). In a notebook, `%load_ext "
        "legate.jupyter` then `%legate_info` shows the configuration.",
        allow_abbrev=False,
    )
    kernel = parser.add_argument_group("kernel")
    kernel.add_argument("--name", default=DEFAULT_NAME, help=f"kernel name (default: {DEFAULT_NAME})")
    kernel.add_argument("--display-name", default=None, help="name shown in Jupyter (default: from --name)")
    where = kernel.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for this user (the default)")
    where.add_argument("--prefix", default=None, metavar="DIR", help="install into DIR/share/jupyter/kernels")
    kernel.add_argument("--force", action="store_true", help="replace an existing kernel of the same name")
    kernel.add_argument("--dry-run", action="store_true", help="print kernel.json and its path; write nothing")
    add_runtime_arguments(parser)
    return parser


def install(
    argv: Sequence[str],
    environ: Mapping[str, str] | None = None,
) -> tuple[Path, dict[str, Any], bool]:
    """Build (and unless ``--dry-run``, write) the kernel spec ``argv`` describes.

    Returns
    -------
    tuple[pathlib.Path, dict, bool]
        The kernel's directory, the ``kernel.json`` content, and whether it was written.

    Raises
    ------
    DriverError
        For invalid flags, a bad name, or an existing kernel without ``--force``.
    """
    environ = os.environ if environ is None else environ
    args = _parser().parse_args(list(argv))
    if not _NAME.fullmatch(args.name):
        raise DriverError(
            f"invalid kernel name {args.name!r}: use letters, digits, '.', '_' and '-'"
        )
    # Jupyter lowercases kernel names when it installs and looks them up.
    name = args.name.lower()
    config = resolve_runtime(args, environ)
    validate_runtime(config)
    settings = config.chosen()
    display = args.display_name or f"Legate ({name})"
    spec = kernel_spec(display, config.legate_config(), settings)
    target = kernel_dir(name, args.prefix, environ)
    if args.dry_run:
        return target, spec, False
    if target.exists() and not args.force:
        raise DriverError(f"a kernel named {name!r} already exists in {target}: pass --force to replace it")
    try:
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        # Write then rename, so a reader never sees half a kernel.json.
        tmp = target / "kernel.json.tmp"
        tmp.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
        tmp.replace(target / "kernel.json")
    except OSError as e:
        raise DriverError(f"cannot write the kernel to {target}: {e.strerror or e}") from None
    return target, spec, True


def main(argv: Sequence[str] | None = None) -> int:
    """The ``legate-jupyter`` entry point.

    Returns
    -------
    int
        0 on success, 2 on error (one ``legate-jupyter: error: ...`` line).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        target, spec, written = install(argv)
    except DriverError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    if not written:
        print(f"would write {target / 'kernel.json'}:")
        print(json.dumps(spec, indent=2))
        return 0
    config = spec["env"]["LEGATE_CONFIG"] or "(defaults: the runtime sizes itself to the machine)"
    print(f"Installed kernel {target.name!r} ({spec['display_name']}) in {target}")
    print(f"  LEGATE_CONFIG: {config}")
    print("  In a notebook: %load_ext legate.jupyter, then %legate_info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
