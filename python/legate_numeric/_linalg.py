"""Products: ``matmul`` (``@``), ``dot``, ``vdot``, ``inner``, ``outer``, and
``linalg.norm``. 2-d products run as one BLAS-speed task per row block."""

from __future__ import annotations

import operator

import numpy as _np

from legate import _legate as _ext

from . import _fallback
from ._array import _to_out, ndarray


def _asarray(a):
    if isinstance(a, ndarray):
        return a
    return ndarray._from_numpy(_np.asarray(a))


def _core_mismatch(n, k):
    return ValueError(
        f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
        f"(n?,k),(k,m?)->(n?,m?) (size {n} is different from {k})"
    )


def _vector_dot(a, b):
    """The sum of products of two vectors of one length, in NumPy's result type (int32
    stays int32, booleans give any of the ands), in one pass without a temporary."""
    dt = a.dtype if a.dtype == b.dtype else _np.result_type(a.dtype, b.dtype)
    if dt.kind not in "biufc":
        from ._reduce import sum as _sum
        from ._ufunc import multiply

        return _sum(multiply(a, b))
    if dt == _np.float16:
        return _vector_dot(a.astype(_np.float32), b.astype(_np.float32)).astype(dt)  # as in matmul
    a = a if a.dtype == dt else a.astype(dt)
    b = b if b.dtype == dt else b.astype(dt)
    return ndarray._wrap(_ext.dot(a._store, b._store).project(0, 0), dt)


def matmul(a, b, out=None, *, casting="same_kind", order="K", dtype=None, subok=True, **kwargs):
    if kwargs or casting != "same_kind" or order != "K" or dtype is not None or (
            out is not None and (isinstance(out, tuple) or out.dtype != _np.result_type(_asarray(a).dtype, _asarray(b).dtype))):
        kwargs = dict(kwargs, casting=casting, order=order, dtype=dtype)
        return _gufunc_keywords("matmul", matmul, a, b, out, kwargs)
    if out is None and type(a) is ndarray and type(b) is ndarray:
        if a.ndim == 1 and b.ndim == 1 and a.shape == b.shape:
            return _vector_dot(a, b)  # the hot paths of iterative solvers
        if a.dtype == b.dtype and a.dtype.char in _KERNEL_TYPES:
            product = _matrix_vector(a, b)
            if product is not None:
                return product
    a, b = _asarray(a), _asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    _fallback.record_native("matmul")
    if a.ndim == 1 and b.ndim == 1 and out is None:
        return dot(a, b)
    dt = _np.result_type(a.dtype, b.dtype)
    if dt.kind not in "biufc":
        return _fallback.call(f"matmul ({dt})", _np.matmul, (a, b), {"out": out})
    if dt == _np.bool_:
        # Logical or of ands: a count of the true products, compared with zero.
        counts = matmul(a.astype(_np.int64), b.astype(_np.int64))
        return _to_out(counts != 0, out)
    if dt == _np.float16:
        # No float16 kernels; NumPy too sums half-precision products in float32 and
        # rounds each result once.
        return _to_out(matmul(a.astype(_np.float32), b.astype(_np.float32)).astype(dt), out)
    a2 = a if a.ndim >= 2 else a.reshape(1, -1)
    b2 = b if b.ndim >= 2 else b.reshape(-1, 1)
    if a2.shape[-1] != b2.shape[-2]:
        raise _core_mismatch(b2.shape[-2], a2.shape[-1])
    a2 = a2 if a2.dtype == dt else a2.astype(dt)
    b2 = b2 if b2.dtype == dt else b2.astype(dt)
    result = _matmul_2d(a2, b2, dt) if a2.ndim == 2 and b2.ndim == 2 else _matmul_stacked(a2, b2, dt)
    if a.ndim == 1:
        result = result[..., 0, :]
    if b.ndim == 1:
        result = result[..., 0]
    return _to_out(result, out)


# Types the matmul task computes in directly.
_KERNEL_TYPES = frozenset("fdFDbhilqBHILQ")


def _matrix_vector(a, b):
    """``A @ x`` or ``x @ A`` of one kernel type, launched on the stores with the vector
    seen as a one-column (one-row) matrix; None for other shapes (and errors)."""
    if a.ndim == 2 and b.ndim == 1 and a.shape[1] == b.shape[0] and b.shape[0]:
        result = ndarray((a.shape[0],), a.dtype)
        _ext.matmul(a._store, b._store.promote(1, 1), result._store.promote(1, 1))
    elif a.ndim == 1 and b.ndim == 2 and a.shape[0] == b.shape[0] and a.shape[0]:
        result = ndarray((b.shape[1],), a.dtype)
        _ext.matmul(a._store.promote(0, 1), b._store, result._store.promote(0, 1))
    else:
        return None
    _fallback.record_native("matmul")
    return result


def _matmul_operator(self, other):
    if type(other) is not ndarray:
        from ._ufunc import _defers

        if _defers(other):
            return NotImplemented  # NumPy's rule: `other @` answers (a sparse matrix, say)
    return matmul(self, other)


def _rmatmul_operator(self, other):
    return matmul(other, self)


def _imatmul_operator(self, other):
    self[...] = matmul(self, other)
    return self


# `@` on arrays (module-level names: an import inside the operator cost more than a
# small product's launch).
ndarray.__matmul__ = _matmul_operator
ndarray.__rmatmul__ = _rmatmul_operator
ndarray.__imatmul__ = _imatmul_operator


def _matmul_2d(a, b, dt):
    result = ndarray((a.shape[0], b.shape[1]), dt)
    if a.shape[1] == 0:
        result.fill(0)
    elif result.size:
        _ext.matmul(a._store, b._store, result._store)
    return result


def _matmul_stacked(a, b, dt):
    """Matrices stacked along broadcast leading dimensions. A few large ones: one 2-d
    product per matrix, each tiled over the processors. Otherwise one launch whose points
    each multiply whole matrices of the stack."""
    from ._manip import broadcast_to

    batch = _np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    (m, k), n = a.shape[-2:], b.shape[-1]
    a = broadcast_to(a, batch + (m, k))
    b = broadcast_to(b, batch + (k, n))
    result = ndarray(batch + (m, n), dt)
    if k == 0 or result.size == 0:
        result.fill(0)
        return result
    if int(_np.prod(batch)) <= _FEW_MATRICES and m * k * n >= _LARGE_MATRIX:
        for idx in _np.ndindex(*batch):
            _ext.matmul(a[idx]._store, b[idx]._store, result[idx]._store)  # into the result's view
    else:
        _ext.matmul(a._store, b._store, result._store)
    return result


# A stack of at most this many matrices of at least this many multiply-adds each runs
# one product per matrix (each split over the processors); a larger stack, or one of
# smaller matrices, splits the stack instead.
_FEW_MATRICES = 4
_LARGE_MATRIX = 1 << 21


def dot(a, b, out=None):
    a, b = _asarray(a), _asarray(b)
    if out is not None:
        # NumPy's dot writes only into an output of exactly the result's type and shape.
        ok = isinstance(out, ndarray) and out.dtype == _np.result_type(a.dtype, b.dtype)
        ok = ok and out.ndim == max(a.ndim + b.ndim - 2, 0) if a.ndim and b.ndim else ok
        if not ok:
            raise ValueError("output array is not acceptable (must have the right datatype, number of dimensions, and be a C-Array)")
    if a.ndim == 0 or b.ndim == 0:
        from ._ufunc import multiply

        return multiply(a, b, out=out)
    if a.ndim == 1 and b.ndim == 1:
        if a.shape != b.shape:
            raise ValueError(f"shapes {a.shape} and {b.shape} not aligned: {a.shape[0]} (dim 0) != {b.shape[0]} (dim 0)")
        return _to_out(_vector_dot(a, b), out)
    if a.ndim <= 2 and b.ndim <= 2:
        return matmul(a, b, out=out)
    # n-d: sums of products over a's last axis and b's second-to-last.
    axis_b = max(b.ndim - 2, 0)
    if a.shape[-1] != b.shape[axis_b]:
        text = _shape_text
        raise ValueError(f"shapes {text(a.shape)} and {text(b.shape)} not aligned: "
                         f"{a.shape[-1]} (dim {a.ndim - 1}) != {b.shape[axis_b]} (dim {axis_b})")
    _fallback.record_native("dot")
    return _to_out(tensordot(a, b, axes=([a.ndim - 1], [axis_b])), out)


def vdot(a, b):
    from ._ufunc import conjugate

    a, b = _asarray(a), _asarray(b)
    if a.size != b.size:
        raise ValueError("cannot reshape array: vdot needs two arrays of the same size")
    a1 = a.reshape(-1)
    if a1.dtype.kind == "c":
        a1 = conjugate(a1)
    return dot(a1, b.reshape(-1))


def _shape_text(shape) -> str:
    """NumPy's spelling of a shape in its messages: (2,3,4), (3,)."""
    return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def inner(a, b):
    """Sums of products over the last axes of ``a`` and ``b`` (a scalar multiplies):
    ``tensordot`` over ``(-1, -1)``."""
    from ._ufunc import multiply

    a, b = _asarray(a), _asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    if a.ndim <= 1 and b.ndim <= 1:
        return dot(a, b)
    if a.shape[-1] != b.shape[-1]:
        # NumPy names b with its last axis moved first.
        moved = (b.shape[-1],) + b.shape[:-1]
        raise ValueError(f"shapes {_shape_text(a.shape)} and {_shape_text(moved)} not aligned: "
                         f"{a.shape[-1]} (dim {a.ndim - 1}) != {b.shape[-1]} (dim 0)")
    return tensordot(a, b, axes=(-1, -1))


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


def _einsum_terms(subscripts, ndims):
    """Each operand's letters and the output's, checked like NumPy: ellipses become
    letters of their own (right-aligned across operands), and an implicit output is
    the ellipsis letters, then the letters used once, sorted."""
    import string

    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(ndims):
        raise ValueError("more operands provided to einstein sum function than specified in the subscripts string"
                         if len(ndims) > len(terms) else
                         "fewer operands provided to einstein sum function than specified in the subscripts string")
    for t in terms + [output]:
        if not all(c.isalpha() for c in t.replace("...", "")):
            raise ValueError(f"invalid subscript in einstein sum subscripts string: {t!r}")
    spare = [c for c in string.ascii_letters if c not in subscripts]
    widths = [nd - (len(t) - 3) for t, nd in zip(terms, ndims) if "..." in t]
    if any(w < 0 for w in widths):
        raise ValueError("einstein sum subscripts string contains too many subscripts for operand")
    ell = "".join(spare[: max(widths, default=0)])
    terms = [t.replace("...", ell[len(ell) - (nd - (len(t) - 3)):]) if "..." in t else t for t, nd in zip(terms, ndims)]
    if arrow:
        if "..." in output:
            output = output.replace("...", ell)
        elif ell:
            raise ValueError("output has more dimensions than subscripts given in einstein sum, but no '...' "
                             "ellipsis provided to broadcast the extra dimensions.")
    else:
        counts = {}
        for t in terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        output = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    if len(set(output)) != len(output):
        raise ValueError(f"einstein sum subscripts string includes output subscript '{output}' multiple times")
    return terms, output


def _einsum_parse(terms, output, shapes):
    """Each letter's extent (size-1 dimensions broadcast), checked like NumPy."""
    extents = {}
    for t, shape in zip(terms, shapes):
        if len(t) != len(shape):
            raise ValueError(f"operand has more dimensions than subscripts given in einstein sum, but no '...' "
                             f"ellipsis provided to broadcast the extra dimensions." if len(shape) > len(t) else
                             f"einstein sum subscripts string contains too many subscripts for operand")
        for c, e in zip(t, shape):
            if extents.get(c, e) != e and 1 not in (extents.get(c), e):
                raise ValueError(f"operands could not be broadcast together with remapped shapes: "
                                 f"dimension '{c}' has extents {extents[c]} and {e}")
            extents[c] = max(extents.get(c, e), e)
    for c in output:
        if c not in extents:
            raise ValueError(f"einstein sum subscripts string included output subscript '{c}' which never appeared "
                             "in an input")
    return extents


def _einsum_sublists(args):
    """NumPy's operand-list form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` as subscripts
    and operands: axis labels 0-25 are ``A-Z``, 26-51 ``a-z``, ``Ellipsis`` is ``...``."""
    def letters(sublist):
        text = []
        for label in sublist:
            if label is Ellipsis:
                text.append("...")
                continue
            try:
                k = operator.index(label)
            except TypeError:
                raise TypeError("each subscript must be either an integer or an ellipsis") from None
            if not 0 <= k < 52:
                raise ValueError("subscript is not within the valid range [0, 52)")
            text.append(chr(ord("A") + k) if k < 26 else chr(ord("a") + k - 26))
        return "".join(text)

    args = list(args)
    output = letters(args.pop()) if len(args) % 2 == 1 else None
    operands = args[0::2]
    inputs = ",".join(letters(sub) for sub in args[1::2])
    return (inputs if output is None else f"{inputs}->{output}"), operands


def einsum(subscripts, *operands, out=None, dtype=None, order="K", casting="safe", optimize=False):
    """Einstein summation natively: a letter repeated in one operand takes a diagonal
    (a view); then one operand is a sum and a transpose; two operands without shared
    output letters are a ``tensordot``; anything else multiplies the operands broadcast
    over all letters and sums the contracted ones."""
    from ._reduce import sum as _sum
    from ._ufunc import multiply

    if not isinstance(subscripts, str):
        subscripts, operands = _einsum_sublists((subscripts, *operands))
    from ._index import diagonal

    ops = [_asarray(o) for o in operands]
    terms, output = _einsum_terms(subscripts, [o.ndim for o in ops])
    for i, t in enumerate(terms):
        while len(set(t)) != len(t):
            c = next(c for c in t if t.count(c) > 1)
            p, q = t.index(c), t.index(c, t.index(c) + 1)
            if ops[i].shape[p] != ops[i].shape[q]:
                raise ValueError(f"dimensions in operand {i} for collapsing index '{c}' don't match "
                                 f"({ops[i].shape[p]} != {ops[i].shape[q]})")
            ops[i] = diagonal(ops[i], 0, p, q)
            t = "".join(x for k, x in enumerate(t) if k not in (p, q)) + c
        terms[i] = t
    extents = _einsum_parse(terms, output, [o.shape for o in ops])
    _fallback.record_native("einsum")
    result_dtype = _np.result_type(*[o.dtype for o in ops]) if dtype is None else _np.dtype(dtype)
    for o in ops:
        if not _np.can_cast(o.dtype, result_dtype, casting):
            raise TypeError(f"Cannot cast array data from {o.dtype!r} to {result_dtype!r} according to the rule {casting!r}")
    ops = [o if o.dtype == result_dtype else o.astype(result_dtype) for o in ops]
    # Letters only one operand has and the output lacks are summed out first.
    for i, (t, o) in enumerate(zip(terms, ops)):
        lonely = [k for k, c in enumerate(t) if c not in output and all(c not in u for j, u in enumerate(terms) if j != i)]
        if lonely:
            ops[i] = _sum(o, axis=tuple(lonely))
            terms[i] = "".join(c for k, c in enumerate(t) if k not in lonely)
    if len(ops) == 1:
        result = ops[0]
    elif len(ops) == 2 and not (set(terms[0]) & set(terms[1]) & set(output)) and all(
        ops[j].shape[terms[j].index(c)] == extents[c] for j in (0, 1) for c in terms[j]
    ):
        shared = [c for c in terms[0] if c in terms[1]]
        result = tensordot(ops[0], ops[1], axes=([terms[0].index(c) for c in shared], [terms[1].index(c) for c in shared]))
        terms = ["".join(c for c in terms[0] if c not in shared) + "".join(c for c in terms[1] if c not in shared)]
    else:
        # Every operand as a view over all letters (size-1 where it lacks one), one
        # broadcast product, then the sum over letters not in the output.
        letters = list(output) + sorted(set("".join(terms)) - set(output))
        result = None
        from ._manip import expand_dims

        for t, o in zip(terms, ops):
            view = o.transpose([t.index(c) for c in letters if c in t]) if o.ndim else o
            for k, c in enumerate(letters):
                if c not in t:
                    view = expand_dims(view, k)
            result = view if result is None else multiply(result, view)
        contracted = tuple(range(len(output), len(letters)))
        result = _sum(result, axis=contracted) if contracted else result
        terms = [output]
    term = terms[0]
    if term != output:
        result = result.transpose([term.index(c) for c in output])
    if result.shape != tuple(extents[c] for c in output):
        from ._manip import broadcast_to

        result = broadcast_to(result, tuple(extents[c] for c in output)).copy()
    if result.dtype != result_dtype:
        result = result.astype(result_dtype)
    if out is not None:
        # NumPy's iterator writes the result into ``out`` under ``casting``, without
        # broadcasting it.
        if not isinstance(out, ndarray):
            raise TypeError("'out' must be an array")
        if tuple(out.shape) != tuple(result.shape):
            raise ValueError(f"output operand of shape {out.shape} does not match the einsum result's shape {result.shape}")
        if not _np.can_cast(result_dtype, out.dtype, casting):
            raise TypeError(f"Iterator requested dtype could not be cast from {result_dtype!r} to {out.dtype!r}, "
                            f"the operand {len(operands)} dtype, according to the rule {casting!r}")
        out[...] = result
        return out
    if result._store.read_only:
        return result.copy()  # a diagonal of an operand: NumPy's result is writeable
    return ndarray._wrap(result._store, result.dtype) if result is operands[0] else result


def kron(a, b):
    """The Kronecker product: every element of ``a`` times all of ``b``, as one broadcast
    product of interleaved axes, reshaped."""
    from ._ufunc import multiply

    a, b = _asarray(a), _asarray(b)
    _fallback.record_native("kron")
    nd = max(a.ndim, b.ndim)
    a = a.reshape((1,) * (nd - a.ndim) + a.shape)
    b = b.reshape((1,) * (nd - b.ndim) + b.shape)
    # a as (a0, 1, a1, 1, ...) and b as (1, b0, 1, b1, ...).
    a_view = a.reshape(tuple(x for n in a.shape for x in (n, 1)))
    b_view = b.reshape(tuple(x for n in b.shape for x in (1, n)))
    return multiply(a_view, b_view).reshape(tuple(p * q for p, q in zip(a.shape, b.shape)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross products of 3-vectors (or 2-vectors, the z component) along the given axes."""
    from ._manip import moveaxis, stack
    from ._ufunc import multiply, subtract

    a, b = _asarray(a), _asarray(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(a, axisa, -1)
    b = moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    _fallback.record_native("cross")
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    z = subtract(multiply(a0, b1), multiply(a1, b0))
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return z
    a2 = a[..., 2] if a.shape[-1] == 3 else None
    b2 = b[..., 2] if b.shape[-1] == 3 else None
    if a2 is None:  # a in the plane: (a1 b2, -a0 b2, a0 b1 - a1 b0)
        x, y = multiply(a1, b2), -multiply(a0, b2)
    elif b2 is None:  # b in the plane: (-a2 b1, a2 b0, a0 b1 - a1 b0)
        x, y = -multiply(a2, b1), multiply(a2, b0)
    else:
        x = subtract(multiply(a1, b2), multiply(a2, b1))
        y = subtract(multiply(a2, b0), multiply(a0, b2))
    return moveaxis(stack([x, y, z], axis=-1), -1, axisc)


def convolve(a, v, mode="full"):
    """The discrete linear convolution of two 1-d arrays: one scaled, shifted add of the
    longer array per element of the shorter (the shorter is a view; no values leave the
    runtime)."""
    from ._creation import zeros
    from ._ufunc import multiply

    a, v = _asarray(a), _asarray(v)
    if a.ndim > 1 or v.ndim > 1:
        raise ValueError("object too deep for desired array")
    a, v = a.reshape(-1), v.reshape(-1)
    if a.size == 0:
        raise ValueError("a cannot be empty")
    if v.size == 0:
        raise ValueError("v cannot be empty")
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"mode must be one of 'full', 'same', or 'valid' (got {mode!r})")
    _fallback.record_native("convolve")
    if v.size > a.size:
        a, v = v, a
    n, m = a.size, v.size
    dt = _np.result_type(a.dtype, v.dtype)
    full = zeros(n + m - 1, dt)
    for j in range(m):
        full[j : j + n] += multiply(a, v[j : j + 1])
    if mode == "full":
        return full
    if mode == "same":
        start = (m - 1) // 2
        return full[start : start + n].copy()
    return full[m - 1 : n].copy()


def correlate(a, v, mode="valid"):
    """Cross-correlation of two 1-d arrays, ``sum(a[n + k] * conj(v[n]))``: a convolution
    with ``v`` reversed and conjugated."""
    a, v = _asarray(a), _asarray(v)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError("object of too small depth for desired array" if min(a.ndim, v.ndim) < 1 else "object too deep for desired array")
    _fallback.record_native("correlate")
    w = v.reshape(-1)[::-1]
    w = w.conj() if w.dtype.kind == "c" else w
    if mode == "same" and w.size > a.size:
        # NumPy correlates the longer with the shorter and reverses: its window of the
        # full result starts at len(a) // 2 (convolve's at (len(a) - 1) // 2).
        full = convolve(a, w, "full")
        return full[a.size // 2 : a.size // 2 + w.size].copy()
    return convolve(a, w, mode)


_SIGNATURES = {"matmul": "(n?,k),(k,m?)->(n?,m?)", "matvec": "(m,n),(n)->(m)", "vecmat": "(n),(n,m)->(m)",
               "vecdot": "(n),(n)->()"}


def _gufunc_keywords(name, native, x1, x2, out, kwargs):
    """A vector/matrix gufunc with NumPy's keywords: ``axes``/``axis``/``keepdims`` say
    where each operand's core dimensions are (they are moved last for ``native``, and
    the result's moved back), ``dtype``/``signature``/``casting`` choose and check the
    loop as NumPy's type resolution does, ``order``/``subok`` are checked."""
    from ._manip import expand_dims, moveaxis
    from ._ufunc_args import _single, check_casting, check_order

    kw = dict(kwargs)
    axes, axis, keepdims = kw.pop("axes", None), kw.pop("axis", None), kw.pop("keepdims", False)
    casting, order, dtype = kw.pop("casting", "same_kind"), kw.pop("order", "K"), kw.pop("dtype", None)
    signature = kw.pop("signature", None)
    kw.pop("subok", None)
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")
    check_order(order)
    check_casting(casting)
    ufunc = getattr(_np, name)
    a, b = _asarray(x1), _asarray(x2)
    if signature is None and dtype is not None:
        signature = (None, None, _np.dtype(dtype))
    loop = ufunc.resolve_dtypes((a.dtype, b.dtype, None), casting=casting,
                                **({} if signature is None else {"signature": signature}))
    cores = {"matmul": (min(a.ndim, 2), min(b.ndim, 2)), "matvec": (2, 1), "vecmat": (1, 2), "vecdot": (1, 1)}[name]
    out_core = {"matmul": (a.ndim > 1) + (b.ndim > 1), "matvec": 1, "vecmat": 1, "vecdot": 0}[name]
    sig = _SIGNATURES[name]
    if axis is not None:
        if axes is not None:
            raise TypeError("cannot specify both 'axis' and 'axes'")
        if cores != (1, 1) or out_core:
            distinct = {"matmul": 3, "matvec": 2, "vecmat": 2}[name]
            raise TypeError(f"{name}: axis can only be used with a single shared core dimension, not with the "
                            f"{distinct} distinct ones implied by signature {sig}.")
        axes = [(axis,), (axis,)] + ([(axis,)] if keepdims else [])
    if keepdims and (cores[0] != cores[1] or out_core):
        which = f"input 1 to have {cores[1]}" if cores[0] != cores[1] else f"output 0 to have {out_core}"
        raise TypeError(f"{name} does not support keepdims: its signature {sig} requires {which} core dimensions, but "
                        "keepdims can only be used when all inputs have the same number of core dimensions and all "
                        "outputs have no core dimensions.")
    n_out = out_core + (1 if keepdims else 0)  # the output's core dimensions, a kept one included
    if axes is None:
        entries = [tuple(range(-c, 0)) for c in cores] + [tuple(range(-n_out, 0))]
    else:
        if not isinstance(axes, list):
            raise TypeError("axes should be a list.")
        if len(axes) not in (2, 3) or (len(axes) == 2 and out_core):
            raise ValueError("axes should be a list with an entry for all 3 inputs and outputs; entries for outputs "
                             "can only be omitted if none of them has core axes.")
        entries = list(axes) + ([] if len(axes) == 3 else [tuple(range(-n_out, 0))])
    ndims = (a.ndim, b.ndim, len(_np.broadcast_shapes(a.shape[: a.ndim - cores[0]], b.shape[: b.ndim - cores[1]])) + n_out)
    normalized = []
    for i, (entry, n_core, ndim) in enumerate(zip(entries, cores + (n_out,), ndims)):
        if not isinstance(entry, tuple):
            if n_core != 1:
                raise _np.exceptions.AxisError(f"{name}: operand {i} has {n_core} core dimensions, but the axes item "
                                               "is a single integer.")
            entry = (entry,)
        if len(entry) != n_core:
            raise _np.exceptions.AxisError(f"{name}: operand {i} has {n_core} core dimensions, but {len(entry)} "
                                           "dimensions are specified by axes tuple.")
        entry = tuple(_np.lib.array_utils.normalize_axis_index(operator.index(d), ndim) for d in entry)
        if len(set(entry)) != len(entry):
            raise ValueError(f"axes item {i} has value {next(d for d in entry if entry.count(d) > 1)} repeated")
        normalized.append(entry)
    a = moveaxis(a.astype(loop[0], copy=False), normalized[0], tuple(range(-cores[0], 0)))
    b = moveaxis(b.astype(loop[1], copy=False), normalized[1], tuple(range(-cores[1], 0)))
    result = native(a, b)
    if result.dtype != loop[2]:
        result = result.astype(loop[2])
    if keepdims:
        result = expand_dims(result, -1)
    if n_out:
        result = moveaxis(result, tuple(range(-n_out, 0)), normalized[2])
    if out is None:
        return result
    out = _single(out)
    if not _np.can_cast(loop[2], out.dtype, casting):
        raise _np._core._exceptions._UFuncOutputCastingError(ufunc, casting, loop[2], out.dtype, 0)
    if tuple(out.shape) != tuple(result.shape):
        raise ValueError(f"{name}: Output operand 0 has a mismatch in its core dimension or shape {out.shape}, "
                         f"expected {result.shape}")
    out[...] = result
    return out


def vecdot(x1, x2, /, out=None, *, axis=None, **kwargs):
    """The dot product of vectors along ``axis`` (the last by default; the first vector
    conjugated), broadcast over the other axes."""
    if kwargs:
        return _gufunc_keywords("vecdot", vecdot, x1, x2, out, kwargs if axis is None else dict(kwargs, axis=axis))
    axis = -1 if axis is None else axis
    from ._reduce import sum as _sum
    from ._ufunc import conjugate, multiply

    a, b = _asarray(x1), _asarray(x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("vecdot: Input operand does not have enough dimensions")
    if a.shape[axis] != b.shape[axis]:
        raise ValueError(f"vecdot: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                         f"(n),(n)->() (size {b.shape[axis]} is different from {a.shape[axis]})")
    _fallback.record_native("vecdot")
    if a.dtype.kind == "c":
        a = conjugate(a)
    prod = multiply(a, b)
    result = _sum(prod, axis=axis, dtype=prod.dtype)  # a gufunc keeps the type (no int widening)
    if out is not None:
        out[...] = result
        return out
    return result


def matvec(x1, x2, /, out=None, **kwargs):
    """Matrix-vector products over stacks: ``x1[..., i, :] . x2[..., :]``."""
    if kwargs:
        return _gufunc_keywords("matvec", matvec, x1, x2, out, kwargs)
    a, b = _asarray(x1), _asarray(x2)
    if a.ndim < 2 or b.ndim < 1:
        raise ValueError("matvec: Input operand does not have enough dimensions")
    _fallback.record_native("matvec")
    result = matmul(a, b[..., None])[..., 0]
    if out is not None:
        out[...] = result
        return out
    return result


def vecmat(x1, x2, /, out=None, **kwargs):
    """Vector-matrix products over stacks, the vector conjugated:
    ``conj(x1[..., :]) . x2[..., :, j]``."""
    from ._ufunc import conjugate

    if kwargs:
        return _gufunc_keywords("vecmat", vecmat, x1, x2, out, kwargs)
    a, b = _asarray(x1), _asarray(x2)
    if a.ndim < 1 or b.ndim < 2:
        raise ValueError("vecmat: Input operand does not have enough dimensions")
    _fallback.record_native("vecmat")
    if a.dtype.kind == "c":
        a = conjugate(a)
    result = matmul(a[..., None, :], b)[..., 0, :]
    if out is not None:
        out[...] = result
        return out
    return result


def einsum_path(subscripts, *operands, optimize="greedy", einsum_call=False):
    """NumPy's contraction order for ``einsum`` (it depends on shapes only: NumPy plans
    with zero-size stand-ins of the operands' shapes and dtypes)."""
    stand_ins = [
        _np.broadcast_to(_np.empty((), op.dtype), op.shape) if isinstance(op, ndarray) else op for op in operands
    ]
    return _np.einsum_path(subscripts, *stand_ins, optimize=optimize, einsum_call=einsum_call)
