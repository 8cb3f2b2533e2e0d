"""``legate_numeric.linalg``: NumPy's ``numpy.linalg`` natively. Factorizations run as
tasks on one point with faer (``cholesky``, ``solve``, ``inv`` here, a task per matrix
of a stack; ``qr``, ``svd``,
``eig``, ``eigh``, ``slogdet`` batched over stacked matrices in ``_decompositions``,
``_eigenvalues``, ``_numbers``), the rest is composed from them and from native array
functions (``lstsq``, ``pinv``, ``tensorsolve``, ``tensorinv`` in ``_solving``;
``norm``, ``cond``, ``matrix_rank``, the array API's names). Modules follow the sections
of NumPy's reference; ``_common`` holds their shared checks and dtypes."""

from __future__ import annotations

import numpy as _np

from .. import _fallback
from ._common import (  # noqa: F401 - the result types, as numpy.linalg exports them
    EighResult,
    EigResult,
    QRResult,
    SlogdetResult,
    SVDResult,
    as_array as _as_array,
    run_native as _run_native,
)
from ._decompositions import qr, svd, svdvals  # noqa: F401
from ._eigenvalues import eig, eigh, eigvals, eigvalsh  # noqa: F401
from ._numbers import cond, det, matrix_rank, slogdet  # noqa: F401
from ._solving import lstsq, pinv, tensorinv, tensorsolve  # noqa: F401


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms of every order NumPy has, natively: sums and extremes of
    absolute values along the axes; the spectral and nuclear norms from singular values."""
    from .._manip import expand_dims, moveaxis
    from .._reduce import count_nonzero, max as amax, min as amin, sum as _sum
    from .._ufunc import absolute, multiply, power, sqrt

    x = _as_array(x)
    if x.dtype.kind not in "fc":
        x = x.astype(_np.float64)
    nd = x.ndim
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            _fallback.record_native("linalg.norm")
            a = absolute(x) if x.dtype.kind == "c" else x
            a = a.reshape(-1)
            r = sqrt(_sum(multiply(a, a)))
            return r.reshape((1,) * nd) if keepdims else r
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        try:
            axis = int(axis)
        except Exception as e:
            raise TypeError("'axis' must be None, an integer or a tuple of integers") from e
        axis = (axis,)
    _fallback.record_native("linalg.norm")
    from .._array import _normalize_axis

    if len(axis) == 1:
        ax = _normalize_axis(axis[0], nd)
        a = absolute(x)
        if ord == _np.inf:
            r = amax(a, axis=ax, keepdims=keepdims, initial=0)  # NumPy: 0 for no elements
        elif ord == -_np.inf:
            r = amin(a, axis=ax, keepdims=keepdims)
        elif ord == 0:
            r = count_nonzero(x, axis=ax, keepdims=keepdims).astype(a.dtype)
        elif ord == 1:
            r = _sum(a, axis=ax, keepdims=keepdims)
        elif ord is None or ord == 2:
            r = sqrt(_sum(multiply(a, a), axis=ax, keepdims=keepdims))
        elif isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        else:
            r = power(_sum(power(a, ord), axis=ax, keepdims=keepdims), 1.0 / ord)
        return r
    if len(axis) != 2:
        raise ValueError("Improper number of dimensions to norm.")
    row, col = (_normalize_axis(a, nd) for a in axis)
    if row == col:
        raise ValueError("Duplicate axes given.")
    a = absolute(x)
    if ord in (2, -2, "nuc"):
        # Singular values of each matrix (moved to the last two axes).
        m = moveaxis(x, (row, col), (-2, -1))
        r = _singular_value_reduce(m, ord)
    elif ord == 1 or ord == -1:
        sums, ax = _sum(a, axis=row), col - 1 if col > row else col
        r = amax(sums, axis=ax, initial=0) if ord == 1 else amin(sums, axis=ax)  # NumPy: max of none is 0
    elif ord == _np.inf or ord == -_np.inf:
        sums, ax = _sum(a, axis=col), row - 1 if row > col else row
        r = amax(sums, axis=ax, initial=0) if ord == _np.inf else amin(sums, axis=ax)
    elif ord in (None, "fro", "f"):
        r = sqrt(_sum(multiply(a, a), axis=(row, col)))
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        for d in sorted((row, col)):
            r = expand_dims(r, d)
    return r


def _singular_value_reduce(m, ord):
    """max, min or sum of the singular values of each matrix in the stack ``m`` (one
    batched SVD task)."""
    from .._reduce import max as amax, min as amin, sum as _sum

    if min(m.shape[-2:]) == 0:
        # No singular values: NumPy's largest is 0 (initial=0), the sum 0, the least none.
        if ord == -2:
            raise ValueError("zero-size array to reduction operation minimum which has no identity")
        from .._creation import zeros

        return zeros(m.shape[:-2], m.real.dtype if m.dtype.kind == "c" else m.dtype)
    s = svd(m, compute_uv=False)
    return (amax if ord == 2 else amin if ord == -2 else _sum)(s, axis=-1)


def _check_square(a):
    if a.ndim < 2:
        raise _np.linalg.LinAlgError(
            f"{a.ndim}-dimensional array given. Array must be at least two-dimensional"
        )
    if a.shape[-1] != a.shape[-2]:
        raise _np.linalg.LinAlgError("Last 2 dimensions of the array must be square")


def _types(*arrays):
    """NumPy's (computation, result) dtypes: double precision computed, single results
    rounded once; float16 and long double raise NumPy's TypeError. None: not native."""
    from ._common import common_type

    return common_type(*arrays)


def cholesky(a, /, *, upper=False):
    """Lower (or, with ``upper``, upper: its conjugate transpose) Cholesky factor of each
    Hermitian positive-definite matrix in the last two axes, natively: one task per
    matrix of the stack."""
    from legate import _legate as _ext
    from .._array import _empty

    x = _as_array(a)
    _check_square(x)
    types = _types(x)
    if types is None:
        return _fallback.call("linalg.cholesky", _np.linalg.cholesky, (a,), dict(upper=upper))
    _fallback.record_native("linalg.cholesky")
    compute, result = types
    if x.dtype != compute:
        x = x.astype(compute)
    out = _empty(x.shape, compute)
    if x.size:
        for idx in _np.ndindex(*x.shape[:-2]):
            _run_native(_ext.cholesky, x[idx]._store, out[idx]._store)
    if upper:
        out = out.swapaxes(-1, -2).conj() if compute.kind == "c" else out.swapaxes(-1, -2).copy()
    return out if out.dtype == result else out.astype(result)


def solve(a, b):
    """Solve ``a @ x = b`` for square ``a`` (stacked in leading axes), natively: ``b`` is
    a vector when it is 1-d (NumPy 2's rule), else a stack of matrices; the stacks
    broadcast; one task per matrix."""
    from legate import _legate as _ext
    from .._array import _empty
    from .._manip import broadcast_to

    x = _as_array(a)
    y = _as_array(b)
    _check_square(x)
    types = _types(x, y)
    if types is None:
        return _fallback.call("linalg.solve", _np.linalg.solve, (a, b), {})
    m = x.shape[-1]
    vector = y.ndim == 1
    if vector:
        if y.shape[0] != m:
            raise ValueError(f"solve1: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (m,m),(m)->(m) "
                             f"(size {y.shape[0]} is different from {m})")
        batch = x.shape[:-2]
        out_shape = batch + (m,)
    else:
        if y.shape[-2] != m:
            raise ValueError(f"solve: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (m,m),(m,n)->(m,n) "
                             f"(size {y.shape[-2]} is different from {m})")
        try:
            batch = _np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
        except ValueError:
            def text(shape, core=0):  # NumPy's gufunc message: (2,3,3)->(2,newaxis,newaxis)
                return "(" + ",".join([str(n) for n in shape] + ["newaxis"] * core) + ")"

            raise ValueError(f"operands could not be broadcast together with remapped shapes [original->remapped]: "
                             f"{text(x.shape)}->{text(x.shape[:-2], 2)} {text(y.shape)}->{text(y.shape[:-2], 2)}  "
                             f"and requested shape {text(y.shape[-2:])}") from None
        out_shape = batch + y.shape[-2:]
    _fallback.record_native("linalg.solve")
    compute, result = types
    if x.dtype != compute:
        x = x.astype(compute)
    if y.dtype != compute:
        y = y.astype(compute)
    x = broadcast_to(x, batch + (m, m))
    if not vector:
        y = broadcast_to(y, out_shape)
    out = _empty(out_shape, compute)
    if x.size and out.size:
        for idx in _np.ndindex(*batch):
            rhs = y if vector else y[idx]
            _run_native(_ext.solve, x[idx]._store, rhs._store, out[idx]._store)
    return out if out.dtype == result else out.astype(result)


def inv(a):
    """Inverses of square matrices (stacked along leading axes): ``solve(a, I)``."""
    from .._creation import eye

    x = _as_array(a)
    _check_square(x)
    types = _types(x)
    if types is None:
        return _fallback.call("linalg.inv", _np.linalg.inv, (a,), {})
    compute, result = types
    _fallback.record_native("linalg.inv")
    if x.dtype != compute:
        x = x.astype(compute)
    out = solve(x, eye(x.shape[-1], dtype=compute))
    return out if out.dtype == result else out.astype(result)



# ---- the array API's linalg names, composed from native functions ----

LinAlgError = _np.linalg.LinAlgError  # NumPy's exception class (raised by these functions)


def matmul(x1, x2, /):
    """``legate_numeric.matmul``."""
    from .._linalg import matmul as _matmul

    return _matmul(x1, x2)


def matrix_transpose(x, /):
    """The last two axes swapped (a view)."""
    from .._joining import matrix_transpose as _mt

    return _mt(x)


def tensordot(x1, x2, /, *, axes=2):
    """``legate_numeric.tensordot``."""
    from .._linalg import tensordot as _td

    return _td(x1, x2, axes=axes)


def vecdot(x1, x2, /, *, axis=-1):
    """``legate_numeric.vecdot``."""
    from .._linalg import vecdot as _vd

    return _vd(x1, x2, axis=axis)


def outer(x1, x2, /):
    """The outer product of two 1-d arrays."""
    from .._linalg import outer as _outer

    a, b = _as_array(x1), _as_array(x2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are x1.ndim={a.ndim} and x2.ndim={b.ndim}.")
    return _outer(a, b)


def diagonal(x, /, *, offset=0):
    """The ``offset`` diagonals of the matrices in the last two axes."""
    from .._index import diagonal as _diagonal

    return _diagonal(_as_array(x), offset, axis1=-2, axis2=-1)


def trace(x, /, *, offset=0, dtype=None):
    """The sums of the ``offset`` diagonals of the matrices in the last two axes."""
    from .._linalg import trace as _trace

    return _trace(_as_array(x), offset, axis1=-2, axis2=-1, dtype=dtype)


def cross(x1, x2, /, *, axis=-1):
    """The cross product of 3-vectors along ``axis``."""
    from .._linalg import cross as _cross

    a, b = _as_array(x1), _as_array(x2)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise ValueError(
            "Both input arrays must be (arrays of) 3-dimensional vectors, "
            f"but they are {a.shape[axis]} and {b.shape[axis]} dimensional instead."
        )
    return _cross(a, b, axis=axis)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Vector norms over ``axis`` (all axes, flattened, by default; several axes are
    flattened into one)."""
    from .._manip import moveaxis, reshape

    a = _as_array(x)
    shape = a.shape
    if axis is None:
        result = norm(a.reshape(-1), ord=ord)
        return reshape(result, (1,) * len(shape)) if keepdims else result
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    from .._array import _normalize_axis

    axes = tuple(_normalize_axis(ax, a.ndim) for ax in axes)
    if len(axes) == 1:
        return norm(a, ord=ord, axis=axes[0], keepdims=keepdims)
    rest = [d for d in range(a.ndim) if d not in axes]
    moved = moveaxis(a, axes, tuple(range(len(rest), a.ndim)))
    flat = reshape(moved, tuple(shape[d] for d in rest) + (-1,))
    result = norm(flat, ord=ord, axis=-1)
    if keepdims:
        result = reshape(result, tuple(1 if d in axes else shape[d] for d in range(a.ndim)))
    return result


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Matrix norms of the matrices in the last two axes."""
    return norm(_as_array(x), ord=ord, axis=(-2, -1), keepdims=keepdims)


def matrix_power(a, n):
    """``a`` raised to the integer power ``n`` (by repeated squaring, multiplied in
    NumPy's order; negative powers invert first)."""
    import operator

    from .._linalg import matmul as _matmul

    a = _as_array(a)
    if a.ndim < 2:
        raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional")
    if a.shape[-1] != a.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    try:
        n = operator.index(n)
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    _fallback.record_native("linalg.matrix_power")
    if n == 0:
        from .._creation import eye
        from .._manip import broadcast_to

        return broadcast_to(eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
    if n < 0:
        a = inv(a)
        n = -n
    if n == 1:
        return a.copy()
    if n == 2:
        return _matmul(a, a)
    if n == 3:
        return _matmul(_matmul(a, a), a)
    z = result = None
    while n > 0:
        z = a if z is None else _matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else _matmul(result, z)
    return result


def multi_dot(arrays, *, out=None):
    """The product of a chain of matrices, multiplied in the cheapest order (the first
    array may be a row vector, the last a column vector)."""
    from .._linalg import dot

    arrays = [_as_array(x) for x in arrays]
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    _fallback.record_native("linalg.multi_dot")
    if len(arrays) == 2:
        result = dot(arrays[0], arrays[1])  # NumPy's: any dimensions, as dot takes them
        if out is not None:
            out[...] = result
            return out
        return result
    first_1d, last_1d = arrays[0].ndim == 1, arrays[-1].ndim == 1
    if first_1d:
        arrays[0] = arrays[0].reshape((1, -1))
    if last_1d:
        arrays[-1] = arrays[-1].reshape((-1, 1))
    for x in arrays:
        if x.ndim != 2:
            raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be two-dimensional")
    dims = [arrays[0].shape[0]] + [x.shape[1] for x in arrays]
    k = len(arrays)
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def product(i, j):
        if i == j:
            return arrays[i]
        return dot(product(i, split[i][j]), product(split[i][j] + 1, j))

    result = product(0, k - 1)
    if first_1d and last_1d:
        result = result.reshape(())
    elif first_1d:
        result = result.reshape((-1,))
    elif last_1d:
        result = result.reshape((-1,))
    if out is not None:
        out[...] = result
        return out
    return result


def __getattr__(name):
    if hasattr(_np.linalg, name):
        func = getattr(_np.linalg, name)

        def fallback(*args, **kwargs):
            return _fallback.call(f"linalg.{name}", func, args, kwargs)

        return fallback
    raise AttributeError(f"module 'legate_numeric.linalg' has no attribute '{name}'")
