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

import functools
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


def flush() -> None:
    """Waits for the work issued so far and reports its floating-point errors now,
    under the errstate in force."""
    _ext.fence()


class errstate(_np.errstate):
    """``numpy.errstate`` for deferred work. Entering and leaving wait for the
    operations issued so far, so that each one's floating-point errors are handled as
    the errstate in force where it was issued says (NumPy's rule), not the one in force
    wherever it happened to finish: ``divide='ignore'`` silences the block's divisions
    even when they run later, and ``'raise'`` raises inside the block."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = kwargs

    def __call__(self, func):
        # As a decorator: each call enters a fresh one (NumPy's own skips our methods).
        @functools.wraps(func)
        def inner(*args, **kwargs):
            with errstate(**self._kwargs):
                return func(*args, **kwargs)

        return inner

    def __enter__(self):
        flush()
        return super().__enter__()

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                flush()
        finally:
            super().__exit__(*exc)


def seterr(all=None, divide=None, over=None, under=None, invalid=None):
    """``numpy.seterr``, after reporting the work issued so far under the old modes."""
    flush()
    return _np.seterr(all=all, divide=divide, over=over, under=under, invalid=invalid)


_ext.set_fp_hook(report)
