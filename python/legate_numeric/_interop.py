"""The ecosystem's exchange protocols on ``ndarray``: DLPack, the buffer protocol and the
Arrow C data interface (PyCapsule protocol), plus ``from_dlpack`` and ``from_arrow``.

Exports share the store's memory where the layout allows (``python/src/dlpack.rs``,
``buffer.rs``, ``arrow.rs``): mapping a store waits for the tasks writing it (and, for a
writable export, for every task touching it), and the export keeps the store's memory
alive. Like a NumPy view, an export sees what later operations write to the store:
while any export of a store is alive, operations on it finish before their launch
returns (legate-core's ``host`` module), so host code never races a task.

Imports (``from_dlpack``, ``from_arrow``) attach a store to the producer's memory in
place where the layout allows, keeping the producer's tensor or Arrow array alive for
as long as the store lives; like a NumPy view, the array and its producer then see
each other's writes, and operations on the array finish before they return (as for an
exported array). Anything else is copied.
"""

from __future__ import annotations

import numpy as _np

from legate import _legate as _ext

# DLPack's device type for host memory (kDLCPU).
_DL_CPU = 1


def _dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """``__dlpack__`` (DLPack 1.0, Array API 2024.12): a capsule viewing the elements in
    place; a versioned capsule (carrying the read-only flag) when the consumer accepts
    DLPack 1; ``copy=True`` exports a copy, ``copy=False`` never copies."""
    if stream is not None and stream != -1:
        raise ValueError(f"legate_numeric arrays live in host memory: stream must be None, not {stream!r}")
    if dl_device is not None and tuple(dl_device) != (_DL_CPU, 0):
        raise BufferError(f"cannot export to device {tuple(dl_device)}: legate_numeric arrays are on the CPU (1, 0)")
    versioned = max_version is not None and max_version[0] >= 1
    if not copy:
        try:
            return _ext.dlpack_export(self, versioned)
        except BufferError:
            # A layout DLPack cannot describe (strides of part of an element): copy
            # unless the consumer said never to.
            # (A read-only array refuses the old capsule, which cannot say so, as
            # NumPy's does.)
            if copy is False or (not versioned and not self.flags.writeable):
                raise
    # A fresh NumPy copy exports itself (and owns its memory); DLPack 1 consumers get
    # the flag saying it is a copy, from NumPy's own copy.
    if versioned:
        return _np.from_dlpack(self).__dlpack__(max_version=max_version, copy=True)
    return self.__array__().__dlpack__()


def _dlpack_device(self):
    return (_DL_CPU, 0)


def from_dlpack(x, /, *, device=None, copy=None):
    """A legate_numeric array from any object with ``__dlpack__`` (Array API's
    ``from_dlpack``). As NumPy's ``from_dlpack``, the array shares ``x``'s memory where
    it can: a tensor in host memory, of a dtype legate_numeric has, not empty and dense
    in C or Fortran order (on one rank). Writes through either are then seen by the
    other (operations on the array finish before they return, so ``x`` never sees half
    of one), a read-only tensor gives a read-only array, and ``x``'s memory stays alive
    for as long as the array does. Otherwise the values are copied into a new array.
    ``copy=True`` always copies (an independent array, whose operations run
    asynchronously); ``copy=False`` raises ``BufferError`` where a copy is needed."""
    from ._array import ndarray

    from ._array_api import check_device

    check_device(device)
    if isinstance(x, ndarray):
        return x.copy() if copy else x
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: {type(x).__name__} does not implement __dlpack__")
    if copy:
        return ndarray._from_numpy(_np.from_dlpack(x))
    try:
        capsule = x.__dlpack__(max_version=(1, 0))
    except TypeError:  # a producer older than DLPack 1.0
        capsule = x.__dlpack__()
    store = _ext.dlpack_import(capsule)
    if store is not None:
        return ndarray._wrap(store, _np.dtype(store.dtype))
    if copy is False:
        raise BufferError(
            f"from_dlpack: cannot share the memory of this {type(x).__name__} (another device, dtype or "
            "layout, or several ranks) and copy=False"
        )
    # NumPy reads (or refuses) the tensor the capsule already holds; the array copies it.
    return ndarray._from_numpy(_np.from_dlpack(_Exported(capsule, x)))


class _Exported:
    """A DLPack capsule already taken from ``producer``, offered to NumPy's
    ``from_dlpack`` (which asks for it with the protocol's keywords)."""

    def __init__(self, capsule, producer):
        self._capsule, self._producer = capsule, producer

    def __dlpack__(self, **_):
        return self._capsule

    def __dlpack_device__(self):
        return self._producer.__dlpack_device__()


def _as_requested(a, requested_schema):
    """``a`` cast to the element type of ``requested_schema`` (an ``arrow_schema``
    capsule) where legate has that type; ``a`` itself otherwise (the PyCapsule
    protocol's requests are best effort: the consumer checks the type it gets)."""
    if requested_schema is None:
        return a
    try:
        dtype = _np.dtype(_ext.arrow_type_import(requested_schema))
    except (TypeError, ValueError):  # no legate type, or none an array holds (string)
        return a
    return a if dtype == a.dtype else a.astype(dtype)


def _arrow_c_array(self, requested_schema=None):
    """``__arrow_c_array__`` of a 1-d array: (schema capsule, array capsule), in place
    for dense numeric arrays (booleans are bits in Arrow, so they are copied); cast
    first when the consumer requests another type legate has."""
    return _ext.arrow_export_array(_as_requested(self, requested_schema))


def _arrow_c_stream(self, requested_schema=None):
    """``__arrow_c_stream__``: a stream of one chunk, of the array's own Arrow type or
    the requested one (as ``__arrow_c_array__``)."""
    return _ext.arrow_export_stream(_as_requested(self, requested_schema))


def from_arrow(obj, *, copy=None):
    """A 1-d legate_numeric array of Arrow data: anything with ``__arrow_c_array__``
    (a ``pyarrow.Array``) or ``__arrow_c_stream__`` (a ``ChunkedArray``: the chunks are
    concatenated). The array is a read-only view of Arrow's memory where it can be
    (Arrow arrays are immutable; as ``pyarrow.Array.to_numpy`` does): one chunk of a
    numeric type, on one rank; it keeps the Arrow data alive, and its operations
    finish before they return. Otherwise (booleans, which Arrow stores as bits, or
    several chunks), and with ``copy=True``, it is a writable copy; ``copy=False``
    raises ``BufferError`` where a copy is needed. Arrays with nulls raise
    ``ValueError``; types a store cannot hold raise ``TypeError``."""
    from ._array import ndarray

    if hasattr(obj, "__arrow_c_array__"):
        schema, array = obj.__arrow_c_array__()
        store = _ext.arrow_import_array(schema, array, copy)
        return ndarray._wrap(store, _np.dtype(store.dtype))
    if hasattr(obj, "__arrow_c_stream__"):
        stores = _ext.arrow_import_stream(obj.__arrow_c_stream__(), copy)
        parts = [ndarray._wrap(s, _np.dtype(s.dtype)) for s in stores]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return ndarray((0,), _np.dtype(_np.float64))
        if copy is False:
            raise BufferError(f"from_arrow: {len(parts)} chunks cannot be one array without a copy (copy=False)")
        from ._manip import concatenate

        return concatenate(parts)
    raise TypeError(f"from_arrow: {type(obj).__name__} implements neither __arrow_c_array__ nor __arrow_c_stream__")


def install(cls) -> None:
    """Puts the protocols on ``ndarray``."""
    cls.__dlpack__ = _dlpack
    cls.__dlpack_device__ = _dlpack_device
    cls.__arrow_c_array__ = _arrow_c_array
    cls.__arrow_c_stream__ = _arrow_c_stream
    # The buffer protocol comes with the base class (``_legate.BufferExporter``).
    assert issubclass(cls, _ext.BufferExporter)
