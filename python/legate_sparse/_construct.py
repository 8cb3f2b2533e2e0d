"""Building sparse arrays: ``eye``, ``identity``, ``diags``, ``spdiags``, ``kron``,
``kronsum``, ``hstack``, ``vstack``, ``bmat``, ``block_diag``, ``random``/``rand``.

Each builds COO coordinates with legate_numeric operations and converts to the asked
format. Functions named like SciPy's legacy ones (``eye``, ``diags``, ``random``...)
return ``*_matrix``; the ``*_array`` ones return arrays; combining functions return
arrays when any input is a sparse array. ``kron`` returns BSR where SciPy does (its
blocks are the second operand, scaled by each entry of the first).
"""

from __future__ import annotations

import operator

import numpy as _np

import legate_numeric as lnp

from ._base import _class, _spbase, sparray
from ._sputils import INDEX, as_legate, check_dtype, check_shape, is_scalar

__all__ = [
    "eye", "eye_array", "identity", "diags", "diags_array", "spdiags", "kron", "kronsum",
    "hstack", "vstack", "bmat", "block_array", "block_diag", "random", "random_array", "rand",
]


def _finish(coo, format, default="coo"):
    return coo.asformat(format or default)


def _coo(data, rows, cols, shape, is_array, wide=False):
    return _class("coo", is_array)._new(data, rows, cols, shape, wide=wide)


def _is_array_input(*xs) -> bool:
    return any(isinstance(x, sparray) for x in xs)


def _as_sparse(x, is_array=True):
    if isinstance(x, _spbase):
        return x
    return _class("coo", is_array)(x)


def _as_row(A):
    """A 1-d sparse array as its ``(1, n)`` row (SciPy's ``kron`` and ``bmat`` take it
    so); a 2-d one as it is."""
    return A.reshape(1, A.shape[0]) if A.ndim == 1 else A


def _eye(m, n, k, dtype, format, is_array):
    n = m if n is None else n
    m, n = check_shape((m, n))
    k = operator.index(k)
    dt = check_dtype(dtype)
    length = max(0, min(m + min(k, 0), n - max(k, 0)))
    i = lnp.arange(length, dtype=INDEX)
    coo = _coo(lnp.ones(length, dt), i + max(0, -k), i + max(0, k), (m, n), is_array)
    coo._canonical = True
    return _finish(coo, format, "dia")


def eye(m, n=None, k=0, dtype=float, format=None):
    """An ``m x n`` matrix with ones on diagonal ``k`` (``dia_matrix`` by default)."""
    return _eye(m, n, k, dtype, format, False)


def eye_array(m, n=None, *, k=0, dtype=float, format=None):
    """An ``m x n`` array with ones on diagonal ``k`` (``dia_array`` by default)."""
    return _eye(m, n, k, dtype, format, True)


def identity(n, dtype="d", format=None):
    """The ``n x n`` identity matrix."""
    return _eye(n, n, 0, dtype, format, False)


def _diags(diagonals, offsets, shape, format, dtype, is_array):
    if is_scalar(offsets):
        if len(diagonals) == 0 or is_scalar(diagonals[0]) and not isinstance(diagonals[0], lnp.ndarray):
            diagonals = [diagonals]
        offsets = [offsets]
    offsets = [operator.index(k) for k in offsets]
    if len(diagonals) != len(offsets):
        raise ValueError("Different number of diagonals and offsets.")
    diags = [as_legate(d) for d in diagonals]
    if shape is None:
        m = diags[0].reshape(-1).shape[0] + abs(offsets[0])
        shape = (m, m)
    m, n = check_shape(shape)
    if dtype is None:
        dtype = _np.result_type(*[d.dtype for d in diags])
        if dtype.kind in "biu":
            dtype = _np.float64
    dt = check_dtype(dtype)
    rows, cols, vals = [], [], []
    for j, (d, k) in enumerate(zip(diags, offsets)):
        d = d.reshape(-1)
        length = max(0, min(m + min(k, 0), n - max(k, 0)))
        if length == 0:
            if d.shape[0] not in (0, 1) and k not in range(-m + 1, n):
                raise ValueError(f"Offset {k} (index {j}) out of bounds")
            continue
        if d.shape[0] == 1 and length != 1:
            d = lnp.broadcast_to(d, (length,))
        elif d.shape[0] < length:
            raise ValueError(
                f"Diagonal length (index {j}: {d.shape[0]} at offset {k}) does not agree with array size ({m}, {n})."
            )
        i = lnp.arange(length, dtype=INDEX)
        rows.append(i + max(0, -k))
        cols.append(i + max(0, k))
        vals.append(d[:length].astype(dt))
    if not vals:
        return _finish(_class("coo", is_array)((m, n), dtype=dt), format, "dia")
    coo = _coo(lnp.concatenate(vals), lnp.concatenate(rows), lnp.concatenate(cols), (m, n), is_array)
    if len(set(offsets)) != len(offsets):
        raise ValueError("offset array contains duplicate values")
    return _finish(coo, format, "dia")


def diags(diagonals, offsets=0, shape=None, format=None, dtype=None):
    """A matrix from diagonals (``dia_matrix`` by default). Integer diagonals give
    float64 unless ``dtype`` says otherwise, as SciPy's ``diags`` does today."""
    return _diags(diagonals, offsets, shape, format, dtype, False)


def diags_array(diagonals, /, *, offsets=0, shape=None, format=None, dtype=None):
    """An array from diagonals (``dia_array`` by default)."""
    return _diags(diagonals, offsets, shape, format, dtype, True)


def spdiags(data, diags, m=None, n=None, format=None):
    """A ``dia_matrix`` from rows of ``data`` placed on diagonals ``diags`` (SciPy's
    convention: ``data[k, j]`` is at column ``j``)."""
    if m is None and n is None:
        m = n = as_legate(data).shape[-1]
    elif n is None:
        m, n = m
    return _class("dia", False)((data, diags), shape=(m, n)).asformat(format)


def kron(A, B, format=None):
    """The Kronecker product, in SciPy's format: BSR with blocksize ``B.shape`` when
    ``format`` is ``None`` or ``"bsr"`` and ``B`` is at least half full (``2 * nnz >=
    size``), otherwise COO converted to ``format``; an array if either input is one."""
    is_array = _is_array_input(A, B)
    A, B = _as_sparse(A, is_array), _as_sparse(B, is_array)
    if A.ndim > 2 or B.ndim > 2:
        return _kron_nd(A, B, format)
    if A.ndim == 1 and B.ndim == 1:  # SciPy: a 1-d COO array
        return kron(_as_row(A), _as_row(B), format="coo").reshape(-1).asformat(format)
    one_d = A.ndim == 1 or B.ndim == 1  # SciPy: COO then
    A, B = _as_row(A), _as_row(B).tocoo()
    (mb, nb) = B.shape
    if format in (None, "bsr") and 2 * B.nnz >= mb * nb and not one_d:
        shape = (A.shape[0] * mb, A.shape[1] * nb)
        if A.nnz == 0 or B.nnz == 0:
            dt = _np.result_type(A.dtype, B.dtype)
            return _class("coo", is_array)(shape, dtype=dt).asformat(format)
        Ac = A._csr()
        block = B.toarray()
        data = Ac.data.reshape(-1, 1, 1) * block.reshape(1, mb, nb)
        return _class("bsr", is_array)._new(data, Ac.indices.copy(), Ac.indptr.copy(), shape, (mb, nb),
                                            wide=A._is_wide() or B._is_wide())
    A = A.tocoo()
    (ma, na) = A.shape
    shape = (ma * mb, na * nb)
    if A.nnz == 0 or B.nnz == 0:
        dt = _np.result_type(A.dtype, B.dtype)
        return _finish(_class("coo", is_array)(shape, dtype=dt), format)
    # In int64: the product's indices may pass int32's range where A's and B's do not.
    rows = ((A.row.astype(INDEX, copy=False) * mb).reshape(-1, 1) + B.row.reshape(1, -1)).reshape(-1)
    cols = ((A.col.astype(INDEX, copy=False) * nb).reshape(-1, 1) + B.col.reshape(1, -1)).reshape(-1)
    vals = (A.data.reshape(-1, 1) * B.data.reshape(1, -1)).reshape(-1)
    return _finish(_coo(vals, rows, cols, shape, is_array, A._is_wide() or B._is_wide()), format)


def _kron_nd(A, B, format):
    """``kron`` where either operand has more than 2 dimensions (SciPy's n-d rule): the
    shapes padded with leading 1s to the same length and multiplied axis by axis; each
    entry of ``A`` (in order) scales a copy of ``B``'s entries, offset by ``B``'s shape
    along ``B``'s axes. COO, converted to ``format`` (SciPy's error for CSR and
    the like)."""
    A, B = A.tocoo(), B.tocoo()
    nd = max(A.ndim, B.ndim)
    ashape, bshape = (1,) * (nd - A.ndim) + A.shape, (1,) * (nd - B.ndim) + B.shape
    shape = tuple(a * b for a, b in zip(ashape, bshape))
    coo = _class("coo", True)
    if A.nnz == 0 or B.nnz == 0:  # SciPy's: float64
        return coo(shape).asformat(format)
    zeros = lnp.zeros(A.nnz, INDEX)
    acoords = [zeros] * (nd - A.ndim) + [c.astype(INDEX, copy=False) for c in A.coords]
    bcoords = [None] * (nd - B.ndim) + list(B.coords)
    coords = []
    for ac, bc, n in zip(acoords, bcoords, bshape):
        if bc is None:  # an axis B lacks: A's coordinate for every copy
            coords.append(lnp.repeat(ac, B.nnz))
        else:
            coords.append(((ac * n).reshape(-1, 1) + bc.astype(INDEX, copy=False).reshape(1, -1)).reshape(-1))
    data = (A.data.reshape(-1, 1) * B.data.reshape(1, -1)).reshape(-1)
    return coo._make(data, coords, shape).asformat(format)


def _refuse_nd(blocks, what):
    """SciPy 1.17's ``ValueError`` for blocks of more than 2 dimensions."""
    for b in blocks:
        ndim = getattr(b, "ndim", None) if b is not None else None
        if ndim is not None and ndim > 2:
            raise ValueError(f"{what} takes 1-d and 2-d blocks only, got a {ndim}-d one (as SciPy, which refuses them)")


def kronsum(A, B, format=None):
    """``kron(I_n, A) + kron(B, I_m)`` for square ``A`` (m x m) and ``B`` (n x n)."""
    is_array = _is_array_input(A, B)
    A, B = _as_sparse(A, is_array), _as_sparse(B, is_array)
    for name, X in (("A", A), ("B", B)):
        if X.ndim != 2:
            raise ValueError(f"kronsum requires 2D inputs. `{name}` is {X.ndim}D.")
    if A.shape[0] != A.shape[1]:
        raise ValueError("A is not square")
    if B.shape[0] != B.shape[1]:
        raise ValueError("B is not square")
    dt = _np.result_type(A.dtype, B.dtype)
    L = kron(_eye(B.shape[0], None, 0, dt, "coo", is_array), A, format="csr")
    R = kron(B, _eye(A.shape[0], None, 0, dt, "coo", is_array), format="csr")
    return (L + R).asformat(format or "csr")


def bmat(blocks, format=None, dtype=None):
    """A sparse array assembled from a 2-d grid of sparse blocks (``None`` for empty)."""
    return _bmat(blocks, format, dtype, False)


def _bmat(blocks, format, dtype, is_array):
    """``bmat``, an array when ``is_array`` or a block is one."""
    if not isinstance(blocks, (list, tuple)) or not blocks or not all(isinstance(r, (list, tuple)) for r in blocks):
        raise ValueError("blocks must be 2-D")
    nr, nc = len(blocks), len(blocks[0])
    if any(len(r) != nc for r in blocks):
        raise ValueError("blocks must be 2-D")
    if nc == 0:
        raise ValueError("blocks must not be empty")
    _refuse_nd([b for r in blocks for b in r], "bmat")
    is_array = is_array or _is_array_input(*[b for r in blocks for b in r])
    grid = [[None if b is None else _as_row(_as_sparse(b, is_array)) for b in r] for r in blocks]
    heights, widths = [None] * nr, [None] * nc
    for i in range(nr):
        for j in range(nc):
            b = grid[i][j]
            if b is None:
                continue
            if heights[i] is None:
                heights[i] = b.shape[0]
            elif heights[i] != b.shape[0]:
                raise ValueError(
                    f"blocks[{i},:] has incompatible row dimensions. Got blocks[{i},{j}].shape[0] == {b.shape[0]}, expected {heights[i]}."
                )
            if widths[j] is None:
                widths[j] = b.shape[1]
            elif widths[j] != b.shape[1]:
                raise ValueError(
                    f"blocks[:,{j}] has incompatible column dimensions. Got blocks[{i},{j}].shape[1] == {b.shape[1]}, expected {widths[j]}."
                )
    # SciPy: a row or column of Nones is empty.
    heights, widths = [h or 0 for h in heights], [w or 0 for w in widths]
    roff = _np.concatenate([[0], _np.cumsum(heights)]).tolist()
    coff = _np.concatenate([[0], _np.cumsum(widths)]).tolist()
    present = [b for r in grid for b in r if b is not None]
    if dtype is not None:
        dt = check_dtype(dtype)
    else:  # SciPy: float64 for a grid of Nones
        dt = _np.result_type(*[b.dtype for b in present]) if present else _np.dtype(_np.float64)
    rows, cols, vals = [], [], []
    for i in range(nr):
        for j in range(nc):
            b = grid[i][j]
            if b is None or b.nnz == 0:
                continue
            c = b.tocoo()
            # In int64: offset indices may pass int32's range.
            rows.append(c.row.astype(INDEX, copy=False) + roff[i])
            cols.append(c.col.astype(INDEX, copy=False) + coff[j])
            vals.append(c.data.astype(dt))
    shape = (roff[-1], coff[-1])
    if not vals:
        coo = _class("coo", is_array)(shape, dtype=dt)
    else:
        wide = any(b._is_wide() for b in present)  # SciPy's: int64 when a block has it
        coo = _coo(lnp.concatenate(vals), lnp.concatenate(rows), lnp.concatenate(cols), shape, is_array, wide)
    formats = {b.format for b in present}
    default = "coo"
    if len(formats) == 1 and formats <= {"csr", "csc"} and (nr == 1 or nc == 1):
        default = formats.pop()
    return _finish(coo, format, default)


def hstack(blocks, format=None, dtype=None):
    """Blocks side by side (CSR in, CSR out; COO otherwise)."""
    return bmat([list(blocks)], format=format, dtype=dtype)


def vstack(blocks, format=None, dtype=None):
    """Blocks stacked vertically (CSR in, CSR out; COO otherwise)."""
    return bmat([[b] for b in blocks], format=format, dtype=dtype)


def block_array(blocks, *, format=None, dtype=None):
    """``bmat`` whose result is always a sparse array (SciPy's ``block_array``)."""
    return _bmat(blocks, format, dtype, True)


def block_diag(mats, format=None, dtype=None):
    """Blocks on the diagonal (COO by default). As SciPy's, a dense array block stores
    every one of its entries (zeros too), lists and scalars only their nonzeros."""
    mats = list(mats)
    if not mats:
        raise ValueError("need at least one array to concatenate")
    _refuse_nd(mats, "block_diag")
    is_array = _is_array_input(*mats)
    mats = [_diag_block(m, is_array) for m in mats]
    m = sum(a.shape[0] for a in mats)
    n = sum(a.shape[1] for a in mats)
    dt = check_dtype(dtype) if dtype is not None else (_np.result_type(*[a.dtype for a in mats]) if mats else _np.float64)
    rows, cols, vals = [], [], []
    r = c = 0
    for a in mats:
        coo = a.tocoo()
        if coo.nnz:
            rows.append(coo.row.astype(INDEX, copy=False) + r)  # int64, as in bmat
            cols.append(coo.col.astype(INDEX, copy=False) + c)
            vals.append(coo.data.astype(dt))
        r += a.shape[0]
        c += a.shape[1]
    if not vals:
        return _finish(_class("coo", is_array)((m, n), dtype=dt), format)
    return _finish(_coo(lnp.concatenate(vals), lnp.concatenate(rows), lnp.concatenate(cols), (m, n), is_array), format)


def _diag_block(x, is_array):
    """A block of ``block_diag`` as a sparse array (see there)."""
    if isinstance(x, _spbase) or not hasattr(x, "shape") or hasattr(x, "tocoo"):
        return _as_sparse(_np.atleast_2d(x) if isinstance(x, list) or is_scalar(x) else x, is_array)
    d = as_legate(x)
    if d.ndim != 2:
        raise ValueError(f"a dense block of block_diag must be 2-d, got {d.ndim}-d")
    m, n = d.shape
    pos = lnp.arange(m * n, dtype=INDEX)
    return _coo(d.reshape(-1), pos // n if n else pos, pos % n if n else pos, (m, n), is_array)


def _host_rng(rng):
    if rng is None or isinstance(rng, (int, _np.integer)):
        return _np.random.default_rng(rng)
    return rng


def _random(shape, density, format, dtype, rng, data_sampler, is_array):
    if is_array and isinstance(shape, tuple) and len(shape) != 2:
        # 1-d and n-d random_arrays (SciPy 1.17 has them): the one row of a (1, size)
        # draw, reshaped (its positions sorted and distinct, so canonical).
        shape = check_shape(shape, range(1, 65))
        row = _random((1, int(_np.prod(shape, dtype=object))), density, "coo", dtype, rng, data_sampler, True)
        out = row.reshape(shape)
        out._canonical = True
        return _finish(out, format)
    shape = check_shape(shape)
    if density < 0 or density > 1:
        raise ValueError("density expected to be 0 <= density <= 1")
    dt = check_dtype(dtype if dtype is not None else _np.float64)
    m, n = shape
    mn = m * n
    k = int(round(density * mn))
    gen = _host_rng(rng)
    # Positions and values are drawn on the host (like a constructor from NumPy input),
    # then moved to stores once.
    ind = gen.choice(mn, size=k, replace=False)
    ind = _np.sort(ind)
    if data_sampler is not None:
        vals = _np.asarray(data_sampler(size=k))
        if vals.shape != (k,):
            raise ValueError("all index and data arrays must have the same length")
    elif dt.kind in "iu":
        info = _np.iinfo(dt)
        integers = getattr(gen, "integers", None) or gen.randint
        vals = integers(info.min, info.max, size=k, dtype=dt)
    elif dt.kind == "c":
        vals = gen.uniform(size=k) + 1j * gen.uniform(size=k)
    elif dt.kind == "b":
        vals = _np.ones(k, bool)
    else:
        vals = gen.uniform(size=k)
    rows = as_legate(ind // n if n else ind)
    cols = as_legate(ind % n if n else ind)
    coo = _coo(as_legate(vals.astype(dt)), rows, cols, shape, is_array)
    coo._canonical = True
    return _finish(coo, format)


def random_array(shape, *, density=0.01, format="coo", dtype=None, rng=None, random_state=None, data_sampler=None):
    """A random sparse array: ``round(density * m * n)`` distinct positions with values
    uniform in [0, 1) (seeded like SciPy's; the values differ from SciPy's)."""
    return _random(shape, density, format, dtype, _one_rng(rng, random_state), data_sampler, True)


def _one_rng(rng, random_state):
    """The generator of ``rng=`` or its old name ``random_state=`` (both: SciPy's
    ``TypeError``)."""
    if rng is not None and random_state is not None:
        raise TypeError("Specify one of `rng` or `random_state`, not both.")
    return rng if rng is not None else random_state


def random(m, n, density=0.01, format="coo", dtype=None, rng=None, random_state=None, data_rvs=None):
    """A random sparse matrix (see ``random_array``; ``data_rvs(k)`` is called with
    the count as its one positional argument, as SciPy's)."""
    sampler = None if data_rvs is None else (lambda size: data_rvs(size))
    m, n = int(m), int(m if n is None else n)  # SciPy's: random(3.5, 4) is 3 by 4
    return _random((m, n), density, format, dtype, _one_rng(rng, random_state), sampler, False)


def rand(m, n, density=0.01, format="coo", dtype=None, rng=None, random_state=None):
    """A random sparse matrix with values uniform in [0, 1)."""
    return random(m, n, density, format, dtype, rng, random_state)
