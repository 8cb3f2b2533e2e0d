"""Text output (NumPy's "Input and output: string formatting"): ``array2string
array_repr array_str format_float_positional format_float_scientific base_repr
binary_repr`` and the print options.

Printing is host-only: the values are read back once and formatted by NumPy's own
formatter under NumPy's print options (which this module shares, so
``set_printoptions``/``printoptions`` affect legate arrays too). An array larger than
the ``threshold`` option is summarized with ``...``; then only the ``edgeitems`` first
and last items of each long axis are read back (one gather of the corners), and NumPy
formats them through ``_Corners``, which has the full shape but holds only the corners.
"""

from __future__ import annotations

import numpy as _np
from numpy._core import arrayprint as _arrayprint

from ._array import ndarray

get_printoptions = _np.get_printoptions
set_printoptions = _np.set_printoptions
printoptions = _np.printoptions
getbufsize = _np.getbufsize
setbufsize = _np.setbufsize
format_float_positional = _np.format_float_positional
format_float_scientific = _np.format_float_scientific
base_repr = _np.base_repr
binary_repr = _np.binary_repr


class _Corners:
    """What NumPy's formatter reads of a summarized array: its shape, dtype and size,
    the values of the edges (``__array__``) and single items. The formatter indexes the
    trailing items of a long axis from the end (-1, -2, ...), so indexing the gathered
    corners (``edgeitems`` first and last items per long axis) with the same indices
    gives the same items as indexing the whole array."""

    def __init__(self, a: ndarray, edge: int):
        self.shape = tuple(a.shape)
        self.ndim = a.ndim
        self.size = a.size
        self.dtype = a.dtype
        self._corners = _gather_corners(a, edge)

    def __array__(self, dtype=None, copy=None):
        return self._corners if dtype is None else self._corners.astype(dtype)

    def __getitem__(self, index):
        return self._corners[index]


def _gather_corners(a: ndarray, edge: int) -> _np.ndarray:
    """The first and last ``edge`` items along every axis longer than ``2 * edge``,
    concatenated (natively), then read back in one gather."""
    from ._manip import concatenate

    part = a
    for axis, n in enumerate(a.shape):
        if n > 2 * edge:
            lead = (slice(None),) * axis
            part = concatenate([part[lead + (slice(0, edge),)], part[lead + (slice(n - edge, n),)]], axis=axis)
    return part.__array__()


def _host(a, threshold=None, edgeitems=None):
    """``a`` as NumPy's formatter should see it: the whole array read back, or its
    corners when it will be summarized (under the print options, or the ``threshold``
    and ``edgeitems`` given to this call)."""
    if not isinstance(a, ndarray):
        return a
    opts = _np.get_printoptions()
    threshold = opts["threshold"] if threshold is None else threshold
    if a.ndim > 0 and a.size > threshold and opts.get("override_repr") is None:
        return _Corners(a, opts["edgeitems"] if edgeitems is None else edgeitems)
    return a.__array__()


def array2string(a, max_line_width=None, precision=None, suppress_small=None, separator=" ", prefix="", *args, **kwargs):
    """The text of ``a``'s values (NumPy's formatting and options)."""
    host = _host(a, kwargs.get("threshold"), kwargs.get("edgeitems"))
    return _np.array2string(host, max_line_width, precision, suppress_small, separator, prefix, *args, **kwargs)


def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
    """``repr`` of an array, exactly as NumPy writes it."""
    host = _host(arr)
    if not isinstance(host, _Corners):
        return _np.array_repr(host, max_line_width, precision, suppress_small)
    # NumPy's array_repr, for an array it summarizes: the values, then shape and dtype.
    opts = _np.get_printoptions()
    width = opts["linewidth"] if max_line_width is None else max_line_width
    prefix = "array("
    text = prefix + _np.array2string(host, width, precision, suppress_small, ", ", prefix, suffix=")")
    legacy = _arrayprint.format_options.get()["legacy"]
    extras = []
    if legacy > 210:
        extras.append(f"shape={host.shape}")
    if not _arrayprint.dtype_is_implied(host.dtype):
        extras.append(f"dtype={_arrayprint.dtype_short_repr(host.dtype)}")
    if not extras:
        return text + ")"
    text += ","
    tail = ", ".join(extras) + ")"
    last_line = len(text) - (text.rfind("\n") + 1)
    spacer = " " if legacy <= 113 or last_line + len(tail) + 1 <= width else "\n" + " " * len(prefix)
    return text + spacer + tail


def array_str(a, max_line_width=None, precision=None, suppress_small=None):
    """``str`` of an array, exactly as NumPy writes it."""
    host = _host(a)
    if not isinstance(host, _Corners):
        return _np.array_str(host, max_line_width, precision, suppress_small)
    return _np.array2string(host, max_line_width, precision, suppress_small, " ", "")
