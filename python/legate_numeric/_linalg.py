"""Products: ``matmul`` (``@``), ``dot``, ``vdot``, ``inner``, ``outer``, and
``linalg.norm``. 2-d products run as one BLAS-speed task per row block."""

from __future__ import annotations

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import ndarray


def _asarray(a):
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(a))


def matmul(a, b, out=None):
    a, b = _asarray(a), _asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    if a.ndim > 2 or b.ndim > 2:
        return _fallback.call("matmul (stacked)", _np.matmul, (a, b), {"out": out})
    _fallback.record_native("matmul")
    if a.ndim == 1 and b.ndim == 1 and out is None:
        return dot(a, b)  # an inner product: one elementwise task and one reduction
    dt = _np.result_type(a.dtype, b.dtype)
    if dt == _np.bool_ or dt.kind not in "iufc":
        return _fallback.call(f"matmul ({dt})", _np.matmul, (a, b), {"out": out})
    a2 = a if a.ndim == 2 else a.reshape(1, -1)
    b2 = b if b.ndim == 2 else b.reshape(-1, 1)
    if a2.shape[1] != b2.shape[0]:
        raise ValueError(
            f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
            f"(n?,k),(k,m?)->(n?,m?) (size {b2.shape[0]} is different from {a2.shape[1]})"
        )
    a2 = a2 if a2.dtype == dt else a2.astype(dt)
    b2 = b2 if b2.dtype == dt else b2.astype(dt)
    result = ndarray((a2.shape[0], b2.shape[1]), dt)
    if a2.shape[1] == 0:
        result.fill(0)
    else:
        _ext.matmul(a2._store, b2._store, result._store)
    if a.ndim == 1:
        result = result[0]
    if b.ndim == 1:
        result = result[..., 0]
    if isinstance(result, ndarray) and result.ndim == 0:
        pass
    if out is not None:
        out[...] = result
        return out
    return result


def dot(a, b, out=None):
    a, b = _asarray(a), _asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        from ._ufunc import multiply

        return multiply(a, b, out=out)
    if a.ndim == 1 and b.ndim == 1:
        if a.shape != b.shape:
            raise ValueError(f"shapes {a.shape} and {b.shape} not aligned: {a.shape[0]} (dim 0) != {b.shape[0]} (dim 0)")
        from ._reduce import sum as _sum
        from ._ufunc import multiply

        result = _sum(multiply(a, b))
        if out is not None:
            out[...] = result
            return out
        return result
    if a.ndim <= 2 and b.ndim <= 2:
        return matmul(a, b, out=out)
    return _fallback.call("dot (n-d)", _np.dot, (a, b), {"out": out})


def vdot(a, b):
    from ._ufunc import conjugate

    a, b = _asarray(a), _asarray(b)
    if a.size != b.size:
        raise ValueError("cannot reshape array: vdot needs two arrays of the same size")
    a1 = a.reshape(-1)
    if a1.dtype.kind == "c":
        a1 = conjugate(a1)
    return dot(a1, b.reshape(-1))


def inner(a, b):
    a, b = _asarray(a), _asarray(b)
    if a.ndim <= 1 and b.ndim <= 1:
        return dot(a, b)
    if a.ndim <= 2 and b.ndim <= 2:
        return matmul(a, b.T if b.ndim == 2 else b)
    return _fallback.call("inner (n-d)", _np.inner, (a, b), {})


def outer(a, b, out=None):
    from ._ufunc import multiply

    a, b = _asarray(a).reshape(-1), _asarray(b).reshape(-1)
    return multiply(a.reshape(-1, 1), b.reshape(1, -1), out=out)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """The sum along a diagonal (``diagonal(...).sum(-1)``)."""
    from ._index import diagonal
    from ._reduce import sum as _sum

    _fallback.record_native("trace")
    return _sum(diagonal(_asarray(a), offset, axis1, axis2), axis=-1, dtype=dtype, out=out)


def tensordot(a, b, axes=2):
    """Sums products over the given axes: the axes are moved into place (views), the
    arrays reshaped to matrices, and one ``matmul`` does the work."""
    import numbers

    a, b = _asarray(a), _asarray(b)
    if isinstance(axes, numbers.Integral):
        n = int(axes)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise ValueError("tensordot: axes exceeds the arrays' dimensions")
        axes_a, axes_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, numbers.Integral) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, numbers.Integral) else list(axes_b)
    if len(axes_a) != len(axes_b):
        raise ValueError("shape-mismatch for sum")
    axes_a = [x % a.ndim if a.ndim else x for x in axes_a]
    axes_b = [x % b.ndim if b.ndim else x for x in axes_b]
    for x, y in zip(axes_a, axes_b):
        if a.shape[x] != b.shape[y]:
            raise ValueError("shape-mismatch for sum")
    _fallback.record_native("tensordot")
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [i for i in range(b.ndim) if i not in axes_b]
    k = 1
    for x in axes_a:
        k *= a.shape[x]
    m = 1
    for i in free_a:
        m *= a.shape[i]
    n = 1
    for i in free_b:
        n *= b.shape[i]
    a2 = a.transpose(free_a + axes_a).reshape(m, k)
    b2 = b.transpose(axes_b + free_b).reshape(k, n)
    shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b)
    return matmul(a2, b2).reshape(shape)
