"""Floating-point errors, reported as NumPy reports them.

Kernels note the floating-point exceptions they raise (divide by zero, overflow,
underflow, invalid) with the operation's name; after each launch (and after each read
of values) the extension hands the queued ones to :func:`report`, which acts on them as
``numpy.errstate``/``numpy.seterr`` say: ignore, warn (``RuntimeWarning``), raise
(``FloatingPointError``), call, print or log. A task run inline (small, with no pending
producers) reports at the call that launched it; one run by the processors reports when
the program next launches an operation or reads a value.
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as _np

from legate import _legate as _ext

# NumPy's flag bits and errstate names, in the order NumPy checks them.
_KINDS = ((1, "divide", "divide by zero"), (2, "over", "overflow"), (4, "under", "underflow"), (8, "invalid", "invalid value"))

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _stacklevel() -> int:
    """The warning's stack level: the first frame outside legate_numeric."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


def report(events) -> None:
    """Acts on ``[(name, flags), ...]`` as the errstate in force says."""
    modes = _np.geterr()
    for name, flags in events:
        for bit, kind, text in _KINDS:
            if not flags & bit:
                continue
            mode = modes[kind]
            if mode == "ignore":
                continue
            message = f"{text} encountered in {name}"
            if mode == "warn":
                warnings.warn(message, RuntimeWarning, stacklevel=_stacklevel())
            elif mode == "raise":
                raise FloatingPointError(message)
            elif mode == "call":
                _np.geterrcall()(text, bit)
            elif mode == "print":
                print(f"Warning: {message}")
            elif mode == "log":
                _np.geterrcall().write(f"Warning: {message}\n")


_ext.set_fp_hook(report)
