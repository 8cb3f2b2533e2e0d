"""File and byte I/O (``save savez savez_compressed load loadtxt savetxt genfromtxt
fromfile fromregex fromstring`` and ``ndarray.tofile/tobytes/dump/dumps``).

Host-only, as printing: a file is written from the values read back once (one gather)
by NumPy's own writer, and read by NumPy's reader into one upload to a new store, so
the formats are exactly NumPy's. (The reason they are not parallel: they are byte
streams on one host's file system.) Under several ranks every rank takes part in the
gather, and a file named by a path is written by rank 0 alone (one writer per file),
the others waiting for it and raising its error, so that every rank can read the file
next; an open file object is each rank's own and each writes it.
"""

from __future__ import annotations

import pickle

import numpy as _np

from ._array import ndarray


def _host(a):
    return a.__array__() if isinstance(a, ndarray) else a


def _write(file, action) -> None:
    """``action()``, which writes ``file``: on every rank for an open file (each rank's
    own), on rank 0 alone for a path, the other ranks waiting for it (and raising its
    error) so that a file just written is there for every rank to read."""
    if not isinstance(file, (str, bytes)) and not hasattr(file, "__fspath__"):
        action()
        return
    from legate import _ranks

    _ranks.on_rank_zero(action)


def _device(x):
    """NumPy's result as legate arrays (arrays of numbers; structured data stays NumPy's)."""
    if isinstance(x, _np.ndarray) and x.dtype.kind in "biufc":
        return ndarray._from_numpy(x)
    return x


def save(file, arr, allow_pickle=True, **kwargs):
    """``arr`` in NumPy's ``.npy`` format."""
    values = _host(arr)
    _write(file, lambda: _np.save(file, values, allow_pickle=allow_pickle, **kwargs))


def savez(file, *args, allow_pickle=True, **kwds):
    """Several arrays in one uncompressed ``.npz`` archive."""
    arrays, named = list(map(_host, args)), {k: _host(v) for k, v in kwds.items()}
    _write(file, lambda: _np.savez(file, *arrays, allow_pickle=allow_pickle, **named))


def savez_compressed(file, *args, allow_pickle=True, **kwds):
    """Several arrays in one compressed ``.npz`` archive."""
    arrays, named = list(map(_host, args)), {k: _host(v) for k, v in kwds.items()}
    _write(file, lambda: _np.savez_compressed(file, *arrays, allow_pickle=allow_pickle, **named))


class NpzFile:
    """``load`` of an ``.npz`` archive: NumPy's lazy archive whose items are read as
    legate arrays."""

    def __init__(self, npz):
        self._npz = npz
        self.files = npz.files

    def __getitem__(self, key):
        return _device(self._npz[key])

    def __contains__(self, key):
        return key in self._npz

    def __iter__(self):
        return iter(self._npz)

    def __len__(self):
        return len(self._npz)

    def keys(self):
        return self._npz.keys()

    def values(self):
        return [self[k] for k in self.files]

    def items(self):
        return [(k, self[k]) for k in self.files]

    def get(self, key, default=None):
        return self[key] if key in self._npz else default

    def close(self):
        self._npz.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return repr(self._npz).replace("NpzFile", "legate_numeric NpzFile", 1)


def load(file, mmap_mode=None, allow_pickle=False, fix_imports=True, encoding="ASCII", *, max_header_size=10000):
    """Arrays (``.npy``), archives (``.npz``) or pickles, as NumPy reads them."""
    result = _np.load(file, mmap_mode, allow_pickle, fix_imports, encoding, max_header_size=max_header_size)
    if isinstance(result, _np.lib.npyio.NpzFile):
        return NpzFile(result)
    return _device(_np.asarray(result) if isinstance(result, _np.memmap) else result)


def savetxt(fname, X, *args, **kwargs):
    """``X`` as text, one row per line (NumPy's format strings)."""
    values = _host(X)
    _write(fname, lambda: _np.savetxt(fname, values, *args, **kwargs))


def loadtxt(*args, **kwargs):
    """An array from a text file (NumPy's parser)."""
    return _device(_np.loadtxt(*args, **kwargs))


def genfromtxt(*args, **kwargs):
    """An array from a text file with missing values handled (NumPy's parser)."""
    return _device(_np.genfromtxt(*args, **kwargs))


def fromfile(*args, **kwargs):
    """An array from a binary or text file's bytes."""
    return _device(_np.fromfile(*args, **kwargs))


def fromregex(*args, **kwargs):
    """An array of the fields a regular expression finds in a text file."""
    return _device(_np.fromregex(*args, **kwargs))


def fromstring(*args, **kwargs):
    """An array from the numbers in a string."""
    return _device(_np.fromstring(*args, **kwargs))


# ---- ndarray methods (installed on the class by ``install``) ----


def _tofile(self, fid, sep="", format="%s"):  # noqa: A002 - NumPy's name
    """The values as raw bytes (or text with ``sep``) in a file, in C order."""
    values = _host(self)
    _write(fid, lambda: values.tofile(fid, sep, format))


def _tobytes(self, order="C"):
    """The values' bytes, in C or Fortran order."""
    return _host(self).tobytes(order)


def _dumps(self):
    """A pickle of the array (as ``pickle.dumps`` writes it)."""
    return pickle.dumps(self, protocol=2)


def _dump(self, file):
    """A pickle of the array into a file (a path or an open binary file)."""
    if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
        data = pickle.dumps(self, protocol=2)

        def write():
            with open(file, "wb") as f:
                f.write(data)

        _write(file, write)
    else:
        pickle.dump(self, file, protocol=2)


def install(klass) -> None:
    for name, f in (("tofile", _tofile), ("tobytes", _tobytes), ("dumps", _dumps), ("dump", _dump)):
        f.__name__ = name
        setattr(klass, name, f)
