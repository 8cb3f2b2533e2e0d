"""The Array API standard (2024.12) entry points: ``ndarray.__array_namespace__``
returns ``legate_numeric`` itself (NumPy 2's choice: the module follows the standard's
names and semantics), which carries ``__array_api_version__`` and
``__array_namespace_info__``. Arrays live on one device, ``"cpu"``.
"""

from __future__ import annotations

import numpy as _np

from legate import _legate as _ext

__array_api_version__ = "2024.12"

# The versions whose namespace this module serves (each later one extends the earlier).
_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12")

_DEVICE = "cpu"


def check_device(device):
    """A creation function's or conversion's ``device=``: ``None`` or ``"cpu"``."""
    if device is not None and device != _DEVICE:
        raise ValueError(f"unsupported device {device!r}: legate_numeric arrays are on {_DEVICE!r}")


def _array_namespace(self, /, *, api_version=None):
    if api_version is not None and api_version not in _VERSIONS:
        raise ValueError(f"Unrecognized array API version: {api_version!r}; legate_numeric serves {', '.join(_VERSIONS)}")
    import legate_numeric

    return legate_numeric


def _device(self):
    return _DEVICE


def _to_device(self, device, /, *, stream=None):
    if device is None:
        raise ValueError(f"unsupported device None: legate_numeric arrays are on {_DEVICE!r}")
    check_device(device)
    return self


_KINDS = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64", "complex128"),
}
_KINDS["integral"] = _KINDS["signed integer"] + _KINDS["unsigned integer"]
_KINDS["numeric"] = _KINDS["integral"] + _KINDS["real floating"] + _KINDS["complex floating"]


class _Info:
    """What ``__array_namespace_info__()`` returns (the standard's inspection API)."""

    __module__ = "legate_numeric"

    def capabilities(self):
        return {
            "boolean indexing": True,
            "data-dependent shapes": True,
            "max dimensions": _ext.LEGATE_MAX_DIM,
        }

    def default_device(self):
        return _DEVICE

    def devices(self):
        return [_DEVICE]

    def default_dtypes(self, *, device=None):
        check_device(device)
        return {
            "real floating": _np.dtype(_np.float64),
            "complex floating": _np.dtype(_np.complex128),
            "integral": _np.dtype(_np.int64),
            "indexing": _np.dtype(_np.intp),
        }

    def dtypes(self, *, device=None, kind=None):
        """The dtypes of ``kind`` (a kind name, a tuple of them, or None for all)."""
        check_device(device)
        if kind is None:
            names = _KINDS["bool"] + _KINDS["numeric"]
        else:
            names = ()
            for k in kind if isinstance(kind, tuple) else (kind,):
                if k not in _KINDS:
                    raise ValueError(f"unsupported dtype kind {k!r}; the kinds are {', '.join(_KINDS)}")
                names += tuple(n for n in _KINDS[k] if n not in names)
        return {n: _np.dtype(n) for n in names}


def __array_namespace_info__():
    return _Info()


def install(cls) -> None:
    """Puts the array API's attributes on ``ndarray``."""
    cls.__array_namespace__ = _array_namespace
    cls.device = property(_device)
    cls.to_device = _to_device
