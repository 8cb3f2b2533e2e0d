"""legate_numeric: a NumPy drop-in whose arrays live in Legate stores.

``import legate_numeric as np`` and write NumPy code: every operation listed in the
README runs natively, as parallel tasks of the runtime; anything else falls back to
NumPy (one warning per function name; ``LEGATE_NUMERIC_FALLBACK=0`` turns it off).
"""

from __future__ import annotations

import numpy as _np

from legate import _interrupt as _interrupt

from . import _fallback, _fperr, linalg  # noqa: F401
# `fft` and `random` are imported on first use (see __getattr__): numpy.random and
# the transforms cost ~20 ms of start-up that most programs never need.

# The NumPy version whose semantics (type promotion, errors) this module follows; code
# that checks `numpy.__version__` on a patched import sees that.
__version__ = _np.__version__
from ._array import ndarray  # noqa: F401
from ._creation import (  # noqa: F401
    arange,
    array,
    asarray,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    geomspace,
    identity,
    indices,
    linspace,
    logspace,
    ones,
    ones_like,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)
from ._histogram import bincount, digitize, histogram  # noqa: F401
from ._binning import histogram2d, histogram_bin_edges, histogramdd  # noqa: F401
from ._bits import packbits, unpackbits  # noqa: F401
from ._index import argwhere, choose, compress, diagonal, fill_diagonal, flatnonzero, nonzero, place, put, putmask, take, take_along_axis  # noqa: F401
from ._linalg import convolve, correlate, cross, dot, einsum, einsum_path, inner, kron, matmul, matvec, outer, tensordot, trace, vdot, vecdot, vecmat  # noqa: F401
from ._manip import (  # noqa: F401
    array_split,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_arrays,
    broadcast_to,
    concatenate,
    copy,
    copyto,
    diag,
    diff,
    ediff1d,
    dstack,
    expand_dims,
    flip,
    fliplr,
    flipud,
    gradient,
    hstack,
    meshgrid,
    moveaxis,
    ravel,
    repeat,
    reshape,
    roll,
    select,
    split,
    squeeze,
    stack,
    swapaxes,
    tile,
    trapezoid,
    unwrap,
    transpose,
    tri,
    tril,
    triu,
    vstack,
    where,
)
from ._reduce import (  # noqa: F401
    all,
    amax,
    amin,
    any,
    average,
    corrcoef,
    count_nonzero,
    cov,
    max,
    mean,
    min,
    nanmax,
    nanmean,
    nanmin,
    nanprod,
    nanstd,
    nansum,
    nanvar,
    prod,
    ptp,
    std,
    sum,
    var,
)
from ._scan import argmax, argmin, cumprod, cumsum, nanargmax, nanargmin, nancumprod, nancumsum  # noqa: F401
from ._sort import (  # noqa: F401
    argpartition,
    argsort,
    interp,
    isin,
    lexsort,
    median,
    nanmedian,
    nanpercentile,
    nanquantile,
    partition,
    percentile,
    quantile,
    searchsorted,
    sort,
    unique,
)
from ._add_remove import append, delete, insert, resize, trim_zeros  # noqa: F401
from ._creation_more import (  # noqa: F401
    asanyarray,
    asarray_chkfinite,
    ascontiguousarray,
    asfortranarray,
    diagflat,
    frombuffer,
    fromfunction,
    fromiter,
    require,
    vander,
)
from ._index_tricks import (  # noqa: F401
    apply_along_axis,
    apply_over_axes,
    broadcast_shapes,
    diag_indices,
    diag_indices_from,
    extract,
    ix_,
    mask_indices,
    ndenumerate,
    ndindex,
    piecewise,
    put_along_axis,
    ravel_multi_index,
    tril_indices_from,
    triu_indices_from,
    unravel_index,
)
from ._joining import (  # noqa: F401
    block,
    column_stack,
    concat,
    dsplit,
    hsplit,
    matrix_transpose,
    permute_dims,
    rollaxis,
    rot90,
    row_stack,
    unstack,
    vsplit,
)
from ._math_more import (  # noqa: F401
    bitwise_count,
    fabs,
    float_power,
    frexp,
    gcd,
    lcm,
    ldexp,
    logaddexp2,
    modf,
    nextafter,
    real_if_close,
    sort_complex,
    spacing,
)
from ._dtypes import SCALAR_TYPES as _SCALAR_TYPES, finfo, iinfo, mintypecode, typename  # noqa: F401
from ._flatiter import flatiter  # noqa: F401
from ._printing import (  # noqa: F401
    array2string,
    array_repr,
    array_str,
    base_repr,
    binary_repr,
    format_float_positional,
    format_float_scientific,
    get_printoptions,
    getbufsize,
    printoptions,
    set_printoptions,
    setbufsize,
)
from ._padding import pad  # noqa: F401
from ._io import fromfile, fromregex, fromstring, genfromtxt, load, loadtxt, save, savetxt, savez, savez_compressed  # noqa: F401
from ._io import install as _install_io

_install_io(ndarray)  # ndarray.tofile/tobytes/dump/dumps
from ._resize import install as _install_resize  # noqa: E402

_install_resize(ndarray)  # ndarray.resize
from ._poly import poly, polyadd, polyder, polydiv, polyfit, polyint, polymul, polysub, polyval, roots  # noqa: F401
from ._predicates import (  # noqa: F401
    can_cast,
    common_type,
    iscomplex,
    iscomplexobj,
    isdtype,
    isfortran,
    isneginf,
    isposinf,
    isreal,
    isrealobj,
    isscalar,
    issubdtype,
    iterable,
    may_share_memory,
    min_scalar_type,
    promote_types,
    result_type,
    shares_memory,
)
from ._sets import (  # noqa: F401
    cumulative_prod,
    cumulative_sum,
    intersect1d,
    setdiff1d,
    setxor1d,
    union1d,
    unique_all,
    unique_counts,
    unique_inverse,
    unique_values,
)
from ._ufunc import *  # noqa: F401,F403
from ._window import bartlett, blackman, hamming, hanning, i0, kaiser  # noqa: F401
from ._ufunc import _BINARY, _UNARY, abs, clip, conj, divide, divmod, imag, mod, pow, real, ufunc  # noqa: F401

# Types and constants are NumPy's own, and so is the floating-point error state
# (kernels report what they raise; `_fperr` acts on it as NumPy's errstate says, and
# its `errstate`/`seterr` first report the work issued under the modes being left).
from ._fperr import errstate, seterr  # noqa: F401
from numpy import (  # noqa: F401
    geterr,
    geterrcall,
    seterrcall,
    bool_,
    complex64,
    complex128,
    dtype,
    e,
    euler_gamma,
    float32,
    float64,
    inf,
    int8,
    int16,
    int32,
    int64,
    intp,
    nan,
    newaxis,
    pi,
    uint8,
    uint16,
    uint32,
    uint64,
)

# Every scalar and abstract type of NumPy (np.float16, np.floating, np.longdouble...).
globals().update({k: v for k, v in _SCALAR_TYPES.items() if k not in globals()})

bool = _np.bool_  # noqa: A001 - NumPy 2 exports np.bool


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins_bool(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan).all())


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|a - b| <= atol + rtol * |b|`` elementwise, with ``b`` (and so the test) in
    floating point as NumPy computes it; equal values (infinities) are close."""
    _fallback.record_native("isclose")
    a = asarray(a)
    b = asarray(b)
    b = b.astype(_np.result_type(b.dtype, 1.0), copy=False)
    close = less_equal(absolute(subtract(a, b)), add(atol, multiply(rtol, absolute(b))))  # noqa: F405
    result = logical_or(logical_and(close, isfinite(b)), equal(a, b))  # noqa: F405
    if equal_nan:
        result = logical_or(result, logical_and(isnan(a), isnan(b)))  # noqa: F405
    return result


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return False
    if equal_nan and a1.dtype.kind in "fc":
        return builtins_bool(logical_or(equal(a1, a2), logical_and(isnan(a1), isnan(a2))).all())  # noqa: F405
    return builtins_bool(equal(a1, a2).all())  # noqa: F405


def array_equiv(a1, a2):
    """Whether the arrays have the same values after broadcasting to one shape."""
    a1, a2 = asarray(a1), asarray(a2)
    try:
        _np.broadcast_shapes(a1.shape, a2.shape)
    except ValueError:
        return False
    return builtins_bool(equal(a1, a2).all())  # noqa: F405


def astype(x, dtype, /, *, copy=True, device=None):
    """``x.astype(dtype)`` (the array API's function)."""
    if not isinstance(x, ndarray):
        raise TypeError(f"Input should be a NumPy array. It is a {type(x)} instead.")
    return x.astype(dtype, copy=copy)


import builtins as _builtins  # noqa: E402

builtins_bool = _builtins.bool


def shape(a):
    return tuple(a.shape) if hasattr(a, "shape") else _np.shape(a)


def ndim(a):
    return a.ndim if hasattr(a, "ndim") else _np.ndim(a)


def size(a, axis=None):
    if axis is None:
        return a.size if hasattr(a, "size") else _np.size(a)
    return shape(a)[axis]


def __getattr__(name):
    """The lazily imported subpackages; anything not native falls back to NumPy (see
    ``_fallback``)."""
    if name in ("fft", "random"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(name)
    if hasattr(_np, name):
        obj = getattr(_np, name)
        if callable(obj) and not isinstance(obj, type):
            return _fallback.wrap(name)
        return obj
    raise AttributeError(f"module 'legate_numeric' has no attribute '{name}'")

# Exchange protocols (DLPack, buffer, Arrow) and the array API's entry points.
from . import _array_api, _interop  # noqa: E402
from ._array_api import __array_api_version__, __array_namespace_info__  # noqa: E402,F401
from ._interop import from_arrow, from_dlpack  # noqa: E402,F401

_interop.install(ndarray)
_array_api.install(ndarray)

# The ufuncs defined as functions take every ufunc keyword (see _ufunc_like).
from . import _ufunc_like  # noqa: E402

_ufunc_like.install(globals())

# Functions and methods taking `out=` take a NumPy array there too (see _hostout).
from . import _hostout  # noqa: E402

_hostout.install(globals(), ndarray)
_hostout.install(vars(linalg))  # (fft installs its own when imported)

# Ctrl-C cancels the work queued so far (see legate._interrupt).
_interrupt.install()
