"""Legate's element types, by the names library authors know."""

bool_ = "bool"
int8, int16, int32, int64 = "int8", "int16", "int32", "int64"
uint8, uint16, uint32, uint64 = "uint8", "uint16", "uint32", "uint64"
float16, float32, float64 = "float16", "float32", "float64"
complex64, complex128 = "complex64", "complex128"
# Scalar task arguments only (a task reads it with `ctx.scalar_bytes`).
string = "string"


def name_of(dtype) -> str:
    """The type name for a legate type name or anything ``numpy.dtype`` accepts."""
    if isinstance(dtype, str) and dtype in globals().values():
        return dtype
    import numpy

    return numpy.dtype(dtype).name


class _Schema:
    """An Arrow schema capsule behind the PyCapsule protocol's ``__arrow_c_schema__``."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __arrow_c_schema__(self):
        return self._capsule


def to_arrow(dtype):
    """The ``pyarrow.DataType`` of a legate type (a name here, or anything
    ``numpy.dtype`` accepts). Complex types have no Arrow type: ``TypeError``."""
    import pyarrow

    from legate import _legate

    return pyarrow.field(_Schema(_legate.arrow_type_export(name_of(dtype)))).type


def from_arrow(arrow_type) -> str:
    """The legate type name of an Arrow type: anything with ``__arrow_c_schema__`` (a
    ``pyarrow.DataType`` or ``Field``). ``TypeError`` for types a store cannot hold."""
    from legate import _legate

    if not hasattr(arrow_type, "__arrow_c_schema__"):
        raise TypeError(f"from_arrow: {type(arrow_type).__name__} does not implement __arrow_c_schema__")
    return _legate.arrow_type_import(arrow_type.__arrow_c_schema__())
