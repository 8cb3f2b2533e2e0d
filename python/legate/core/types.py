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
