"""Text output (NumPy's "Input and output: string formatting"): ``array2string
array_repr array_str format_float_positional format_float_scientific base_repr
binary_repr`` and the print options.

Printing needs the values on the host, as ``ndarray.__repr__`` does: an array is read
back once and formatted by NumPy under NumPy's print options (which this module
shares, so ``set_printoptions`` affects legate arrays too).
"""

from __future__ import annotations

import numpy as _np

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


def _host(a):
    return a.__array__() if isinstance(a, ndarray) else a


def array2string(a, *args, **kwargs):
    """The text of ``a``'s values (NumPy's formatting)."""
    return _np.array2string(_host(a), *args, **kwargs)


def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
    """``repr`` of an array, as NumPy writes it."""
    return _np.array_repr(_host(arr), max_line_width, precision, suppress_small)


def array_str(a, max_line_width=None, precision=None, suppress_small=None):
    """``str`` of an array, as NumPy writes it."""
    return _np.array_str(_host(a), max_line_width, precision, suppress_small)
