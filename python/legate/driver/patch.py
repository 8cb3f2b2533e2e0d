"""``lgpatch``: run an unmodified program with ``numpy`` replaced by ``legate_numeric``.

``lgpatch script.py args`` runs the script in this process after putting the drop-in
in ``sys.modules["numpy"]``, so its ``import numpy`` loads ``legate_numeric``. The
``legate`` driver runs the same code in its child as ``python -m legate.driver.patch``
for ``--patch numpy`` and ``--freeze-on-error``.

The drop-in is imported *before* it replaces NumPy, so that it binds the real NumPy
for its own use (dtype rules, fallbacks); only imports made afterwards see the patch.
"""

from __future__ import annotations

import argparse
import code
import functools
import importlib
import os
import runpy
import signal
import sys
import traceback
from typing import Callable, Sequence

from legate.driver.flags import PATCHES

PROG = "lgpatch"


def apply_patches(names: Sequence[str]) -> None:
    """Replace each module in ``names`` (keys of ``PATCHES``) with its drop-in.

    Raises
    ------
    ImportError
        If a drop-in cannot be imported (e.g. the compiled extension is missing).
    """
    for name in names:
        replacement = importlib.import_module(PATCHES[name])
        original = sys.modules.get(name)
        # Code that finds NumPy through `import numpy` reads its version: scripts do,
        # and so does the extension's NumPy bridge (rust-numpy picks `numpy._core` or
        # `numpy.core` from it the first time it converts an array). A drop-in without
        # a version of its own reports the real module's.
        if original is not None and not hasattr(replacement, "__version__"):
            version = getattr(original, "__version__", None)
            if version is not None:
                replacement.__version__ = version
        sys.modules[name] = replacement


def _freeze(exc: BaseException) -> None:
    """Report ``exc`` and wait for a debugger instead of exiting (``--freeze-on-error``)."""
    traceback.print_exception(exc)
    pid = os.getpid()
    print(
        f"legate: process {pid} frozen on error (--freeze-on-error): attach a debugger "
        f"with `gdb -p {pid}`, or press Ctrl-C to exit",
        file=sys.stderr,
        flush=True,
    )
    try:
        while True:
            signal.pause()
    except KeyboardInterrupt:
        raise SystemExit(1) from None


def _run_script(script: str, args: Sequence[str]) -> None:
    # Set up what `python script.py args` would: argv, and the script's directory
    # (not this module's) first on sys.path.
    sys.argv = [script, *args]
    if script == "-":
        source = sys.stdin.read()
        main = sys.modules["__main__"].__dict__
        exec(compile(source, "<stdin>", "exec"), main)
        return
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    runpy.run_path(script, run_name="__main__")


def _run_module(module: str, args: Sequence[str]) -> None:
    # run_module replaces argv[0] with the module's path, as `python -m` does.
    sys.argv = [module, *args]
    if sys.path[0] != "":
        sys.path.insert(0, os.getcwd())
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} [--patch NAME]... [--no-patch] [--freeze-on-error] "
        "[script.py | --module MOD | -] [args ...]",
        description="Run a Python program with NumPy replaced by legate_numeric "
        "(`import numpy` loads the drop-in). Without a script, open a console.",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--patch", action="append", choices=sorted(PATCHES), default=None,
        help="a module to replace with its drop-in (default: numpy)",
    )
    parser.add_argument("--no-patch", action="store_true", help="replace nothing")
    parser.add_argument(
        "--freeze-on-error", action="store_true",
        help="on an uncaught exception, print the pid and wait for a debugger",
    )
    parser.add_argument("--module", default=None, metavar="MOD", help="run a module like `python -m MOD`")
    return parser


def _split(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split options from the program: the program starts at the first token that is
    not an option or an option's value, after ``--module MOD``, or after ``--``."""
    valued = {"--patch", "--module"}
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
        if name in valued and not has_inline:
            i += 1
        if name == "--module":
            return tokens[:i], tokens[i:]
    return tokens, []


def main(argv: Sequence[str] | None = None) -> int:
    """The ``lgpatch`` entry point (and the driver's child-side bootstrap).

    Parameters
    ----------
    argv
        The arguments after ``lgpatch`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when the program finishes; its own ``sys.exit`` status otherwise (raised
        as ``SystemExit`` exactly as under ``python``); 2 for a usage error.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    options, program = _split(argv)
    args = _parser().parse_args(options)
    patches = [] if args.no_patch else list(dict.fromkeys(args.patch or ["numpy"]))
    try:
        apply_patches(patches)
    except ImportError as e:
        print(f"{PROG}: error: cannot import the drop-in for --patch: {e}", file=sys.stderr)
        return 2

    run: Callable[[], None] | None
    if args.module is not None:
        run = functools.partial(_run_module, args.module, program)
    elif program:
        run = functools.partial(_run_script, program[0], program[1:])
    else:
        run = None
    if run is None:
        # Under `python -i -m legate.driver.patch` (the driver's console), Python opens
        # its own console once this returns; standing alone, open one here.
        if not sys.flags.interactive:
            code.interact(local=sys.modules["__main__"].__dict__, exitmsg="")
        return 0
    if not args.freeze_on_error:
        run()
        return 0
    try:
        run()
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # noqa: BLE001 - any uncaught error freezes
        _freeze(exc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
