"""Small helpers shared by the formats: dtype rules, index arrays, shapes.

Values may be bool, integer, float32/64 or complex64/128 (SciPy's set minus float16
and long double); index arrays of any integer dtype are accepted and stored as int64.
"""

from __future__ import annotations

import operator

import numpy as _np

import legate_numeric as lnp

ndarray = lnp.ndarray

# Value dtypes the formats hold; float16 and long double are refused as SciPy does.
_SUPPORTED = frozenset(
    _np.dtype(t)
    for t in (
        _np.bool_, _np.int8, _np.uint8, _np.int16, _np.uint16, _np.int32, _np.uint32,
        _np.int64, _np.uint64, _np.float32, _np.float64, _np.complex64, _np.complex128,
    )
)
# Dtypes of the native kernels (SpMV, SpMM, SpGEMM).
FLOAT_DTYPES = frozenset(_np.dtype(t) for t in (_np.float32, _np.float64, _np.complex64, _np.complex128))
INDEX = _np.dtype(_np.int64)
INDEX32 = _np.dtype(_np.int32)
_INT32_MAX = _np.iinfo(_np.int32).max


def check_dtype(dt) -> _np.dtype:
    """``dt`` as a NumPy dtype, or SciPy's ``ValueError`` for one it does not support."""
    dt = _np.dtype(dt)
    if dt not in _SUPPORTED:
        names = ", ".join(sorted(str(t) for t in _SUPPORTED))
        raise ValueError(f"legate_sparse does not support dtype {dt}. The only supported types are: {names}.")
    return dt


def upcast(*dtypes) -> _np.dtype:
    """The dtype of a result combining ``dtypes`` (NumPy's promotion, checked)."""
    return check_dtype(_np.result_type(*dtypes))


def is_scalar(x) -> bool:
    if isinstance(x, ndarray):
        return x.ndim == 0
    return _np.isscalar(x) or (isinstance(x, _np.ndarray) and x.ndim == 0)


def write_out(res, out):
    """``res``, or ``out`` holding it when the caller passed NumPy's ``out=``."""
    if out is None:
        return res
    out[...] = res
    return out


def is_int_like(x) -> bool:
    """An integer (``operator.index`` accepts it) that is not a bool."""
    if isinstance(x, (bool, _np.bool_)):
        return False
    try:
        operator.index(x)
        return True
    except TypeError:
        return False


def is_scipy_sparse(x) -> bool:
    # Checks the module first so that SciPy is imported only for its own objects.
    mod = type(x).__module__
    if not mod.startswith("scipy.sparse"):
        return False
    import scipy.sparse as _sp

    return _sp.issparse(x)


def is_dense(x) -> bool:
    return isinstance(x, (ndarray, _np.ndarray, list, tuple)) or hasattr(x, "__array__")


def as_legate(x, dtype=None, copy=False) -> ndarray:
    """``x`` (NumPy, list, legate array) as a legate_numeric array; a host input is copied
    into a store once."""
    if isinstance(x, _np.matrix):
        x = _np.asarray(x)
    if isinstance(x, ndarray):
        if dtype is not None and _np.dtype(dtype) != x.dtype:
            return x.astype(dtype)
        return x.copy() if copy else x
    arr = _np.asarray(x, dtype=dtype)
    if not arr.flags.c_contiguous:  # (not ascontiguousarray always: it makes 0-d 1-d)
        arr = _np.ascontiguousarray(arr)
    return ndarray._from_numpy(arr)


def as_values(x) -> ndarray:
    """Dense constructor input as a legate array, or SciPy's ``ValueError`` for a dtype
    it does not hold (strings, objects, float16; a ragged list raises NumPy's)."""
    if not isinstance(x, ndarray):
        x = _np.asarray(x.__array__() if hasattr(x, "__array__") and not isinstance(x, _np.ndarray) else x)
    check_dtype(x.dtype)
    return as_legate(x)


def as_index(x, what: str = "index", copy: bool = False) -> ndarray:
    """An index array as a 1-d int32 or int64 legate array (other integer dtypes become
    int64; the compressed formats then pick SciPy's index dtype, see ``index_dtype``)."""
    if isinstance(x, ndarray):
        dt = x.dtype
    else:
        x = _np.asarray(x)
        if x.dtype.kind == "f" and x.size == 0:
            x = x.astype(_np.int64)
        dt = x.dtype
    if dt.kind == "f" and what == "coordinate":  # SciPy's COO casts float coordinates
        x = x.astype(INDEX)
        dt = x.dtype
    if dt.kind not in "iu":
        raise ValueError(f"{what} array must have an integer dtype, got {dt}")
    a = as_legate(x)
    if a.ndim != 1:
        raise ValueError(f"{what} array must be 1-d, got {a.ndim}-d")
    if a.dtype not in (INDEX, INDEX32):
        return a.astype(INDEX)
    return a.copy() if copy else a


def index_dtype(shape, nnz: int) -> _np.dtype:
    """SciPy's index dtype for a compressed array of ``shape`` with ``nnz`` entries:
    int32 when every index and offset fits, int64 otherwise."""
    return INDEX32 if max((*shape, nnz), default=0) <= _INT32_MAX else INDEX


def keeps_wide(is_array: bool, index_arrays) -> bool:
    """Whether SciPy keeps int64 indices for these input index arrays: a sparray keeps
    a dtype wider than int32; a spmatrix picks int32 when the values fit."""
    if not is_array or not isinstance(index_arrays, (tuple, list)):
        return False
    dtypes = [a.dtype if hasattr(a, "dtype") else _np.asarray(a).dtype for a in index_arrays]
    return any(not _np.can_cast(d, _np.int32) for d in dtypes)


def check_shape(shape, ndim_allowed=(2,)) -> tuple:
    try:
        shape = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError("shape must be a tuple of integers") from None
    if len(shape) not in ndim_allowed:
        raise ValueError(f"shape must be a {' or '.join(map(str, ndim_allowed))}-tuple, got {shape}")
    if any(s < 0 for s in shape):
        raise ValueError("'shape' elements cannot be negative")
    return shape


# Formats SciPy 1.17 has in 1-d (the others are 2-d only).
FORMATS_1D = ("csr", "coo", "dok")


def one_index(key):
    """The index of a 1-d array's one axis from ``key`` (SciPy's ``IndexError`` for
    more than one)."""
    if isinstance(key, tuple):
        if len(key) != 1:
            raise IndexError(f"Too many indices for array or tuple index out of range. Key {key} needs 2D. Array is 1D")
        key = key[0]
    return key


def refuse_1d_input(fmt: str) -> None:
    """SciPy's ``ValueError`` for 1-d input to a format that is 2-d only."""
    raise ValueError(f"{fmt.upper()} arrays don't support 1D input. Use 2D")


def refuse_1d_conversion(fmt: str) -> None:
    """SciPy's ``ValueError`` for converting a 1-d sparse array to a 2-d-only format."""
    if fmt == "dia":
        raise ValueError("Cannot convert. DIA format must be 2D. Got 1D")
    raise ValueError(f"Cannot convert a 1d sparse array to {fmt} format")


def getdtype(dtype, default=None) -> _np.dtype | None:
    if dtype is None:
        return None if default is None else _np.dtype(default)
    return check_dtype(dtype)



def ravel_coords(coords, shape, order="C"):
    """The flat positions (int64) of the entries at ``coords`` in an array of ``shape``,
    in C or Fortran order (``np.ravel_multi_index`` on legate arrays)."""
    axes = range(len(shape)) if order == "C" else reversed(range(len(shape)))
    flat = None
    for a in axes:
        c = coords[a].astype(INDEX, copy=False)
        flat = c if flat is None else flat * shape[a] + c
    return flat


def unravel_coords(flat, shape, order="C") -> tuple:
    """The coordinates of flat positions in an array of ``shape`` (the inverse of
    ``ravel_coords``; the outermost axis takes what is left, so an empty axis needs no
    division by zero)."""
    n = len(shape)
    axes = list(reversed(range(n))) if order == "C" else list(range(n))
    coords = [None] * n
    for a in axes[:-1]:
        if shape[a]:
            flat, coords[a] = flat // shape[a], flat % shape[a]
        else:
            coords[a] = flat
    coords[axes[-1]] = flat
    return tuple(coords)
