"""Ctrl-C cancels queued work.

Python raises ``KeyboardInterrupt`` between bytecodes, often while the runtime still has
work queued that nothing will use. The handler installed here first cancels every
operation that has not started (what it would have written raises a clear error when
read, until written again; running tasks finish), then raises as Python's default
handler does. A program that installed its own SIGINT handler keeps it.
"""

from __future__ import annotations

import signal
import threading


def _on_interrupt(signum, frame):
    from legate import _legate

    _legate.cancel_pending()
    raise KeyboardInterrupt


def install() -> None:
    """Installs the handler when Python's default one is in place (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_interrupt)
