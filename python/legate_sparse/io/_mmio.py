"""Matrix Market files: ``mmread``, ``mminfo`` and ``mmwrite``.

Reading and writing run on the host (text parsing); the arrays move to or from
stores once. Supported: ``coordinate`` and ``array`` formats; ``real``, ``integer``,
``complex`` and ``pattern`` fields; ``general``, ``symmetric``, ``skew-symmetric`` and
``hermitian`` symmetry. A coordinate file reads as a ``coo_array``, an array file as
a 2-d legate_numeric array.
"""

from __future__ import annotations

import io as _io

import numpy as _np

import legate_numeric as lnp

from .._base import _spbase
from .._sputils import as_legate

__all__ = ["mminfo", "mmread", "mmwrite"]

_FORMATS = ("coordinate", "array")
_FIELDS = ("real", "integer", "complex", "pattern")
_SYMMETRIES = ("general", "symmetric", "skew-symmetric", "hermitian")


def _open(source, mode):
    if hasattr(source, "read" if "r" in mode else "write"):
        return source, False
    path = str(source)
    if "r" in mode and not path.endswith(".mtx") and not _exists(path) and _exists(path + ".mtx"):
        path += ".mtx"
    if path.endswith(".gz"):
        import gzip

        return gzip.open(path, mode + "t"), True
    if path.endswith(".bz2"):
        import bz2

        return bz2.open(path, mode + "t"), True
    return open(path, mode), True


def _exists(path):
    import os

    return os.path.exists(path)


def _header(stream):
    line = stream.readline()
    if isinstance(line, bytes):
        raise ValueError("open Matrix Market files in text mode")
    parts = line.strip().split()
    if len(parts) != 5 or parts[0] != "%%MatrixMarket" or parts[1].lower() != "matrix":
        raise ValueError(f"not a Matrix Market file (header: {line.strip()!r})")
    fmt, field, symmetry = (p.lower() for p in parts[2:])
    if fmt not in _FORMATS or field not in _FIELDS or symmetry not in _SYMMETRIES:
        raise ValueError(f"unsupported Matrix Market header {line.strip()!r}")
    if fmt == "array" and field == "pattern":
        raise ValueError("pattern field is only valid for coordinate format")
    line = stream.readline()
    while line.startswith("%") or not line.strip():
        if not line:
            raise ValueError("Matrix Market file ended before its size line")
        line = stream.readline()
    sizes = [int(s) for s in line.split()]
    return fmt, field, symmetry, sizes


def mminfo(source):
    """``(rows, cols, entries, format, field, symmetry)`` of a Matrix Market file."""
    stream, close = _open(source, "r")
    try:
        fmt, field, symmetry, sizes = _header(stream)
    finally:
        if close:
            stream.close()
    if fmt == "coordinate":
        rows, cols, entries = sizes
    else:
        rows, cols = sizes
        entries = rows * cols
    return rows, cols, entries, fmt, field, symmetry


def _values(tokens, field, count):
    if field == "pattern":
        return _np.ones(count, dtype=_np.float64)
    if field == "integer":
        return _np.array(tokens, dtype=_np.int64) if count else _np.zeros(0, _np.int64)
    if field == "real":
        return _np.array(tokens, dtype=_np.float64) if count else _np.zeros(0)
    arr = _np.array(tokens, dtype=_np.float64).reshape(-1, 2) if count else _np.zeros((0, 2))
    return arr[:, 0] + 1j * arr[:, 1]


def mmread(source, *, spmatrix=False):
    """Reads a Matrix Market file: a ``coo_array`` (``coo_matrix`` with
    ``spmatrix=True``) for coordinate data, a legate_numeric array for array data."""
    stream, close = _open(source, "r")
    try:
        fmt, field, symmetry, sizes = _header(stream)
        body = stream.read()
    finally:
        if close:
            stream.close()
    tokens = [ln for ln in body.splitlines() if ln.strip() and not ln.lstrip().startswith("%")]
    words = " ".join(tokens).split()
    if fmt == "coordinate":
        m, n, nnz = sizes
        per = {"pattern": 2, "complex": 4}.get(field, 3)
        if len(words) != nnz * per:
            raise ValueError(f"expected {nnz} entries of {per} numbers, found {len(words)} numbers")
        table = _np.array(words, dtype=object).reshape(nnz, per) if nnz else _np.zeros((0, per), dtype=object)
        row = table[:, 0].astype(_np.int64) - 1
        col = table[:, 1].astype(_np.int64) - 1
        data = _values(table[:, 2:].reshape(-1).tolist(), field, nnz)
        if nnz and (row.min() < 0 or col.min() < 0 or row.max() >= m or col.max() >= n):
            raise ValueError("Matrix Market entry index out of range")
        if symmetry != "general":
            off = row != col
            mirrored = data[off]
            if symmetry == "skew-symmetric":
                mirrored = -mirrored
            elif symmetry == "hermitian":
                mirrored = _np.conj(mirrored)
            row, col = _np.concatenate([row, col[off]]), _np.concatenate([col, row[off]])
            data = _np.concatenate([data, mirrored])
        from .._base import _class

        cls = _class("coo", not spmatrix)
        return cls((data, (row, col)), shape=(m, n))
    m, n = sizes
    if symmetry == "general":
        expected = m * n
    else:
        expected = n * (n + 1) // 2 if symmetry != "skew-symmetric" else n * (n - 1) // 2
    per = 2 if field == "complex" else 1
    if len(words) != expected * per:
        raise ValueError(f"expected {expected} values, found {len(words) // per}")
    vals = _values(words, field, expected)
    if symmetry == "general":
        dense = vals.reshape(n, m).T  # column-major in the file
    else:
        dense = _np.zeros((m, n), dtype=vals.dtype)
        k = 0
        for j in range(n):
            start = j if symmetry != "skew-symmetric" else j + 1
            for i in range(start, m):
                dense[i, j] = vals[k]
                k += 1
        lower = _np.tril(dense, -1)
        if symmetry == "symmetric":
            dense = dense + lower.T
        elif symmetry == "skew-symmetric":
            dense = dense - lower.T
        else:
            dense = dense + _np.conj(lower.T)
    return as_legate(_np.ascontiguousarray(dense))


def _format_value(field, precision):
    digits = 17 if precision is None else int(precision)
    if field == "integer":
        return lambda v: f"{int(v)}"
    if field == "complex":
        return lambda v: f"{v.real:.{digits}g} {v.imag:.{digits}g}"
    return lambda v: f"{float(v):.{digits}g}"


def mmwrite(target, a, comment=None, field=None, precision=None, symmetry=None):
    """Writes a sparse array (coordinate format) or a dense 2-d array (array format).
    ``symmetry`` defaults to ``general``; with ``symmetric``/``skew-symmetric``/
    ``hermitian`` only the lower triangle is written (the caller vouches for it)."""
    symmetry = (symmetry or "general").lower()
    if symmetry not in _SYMMETRIES:
        raise ValueError(f"unknown symmetry {symmetry!r}")
    sparse = isinstance(a, _spbase)
    if sparse:
        coo = a.tocoo()
        if coo.ndim != 2:
            raise ValueError("mmwrite needs a 2-d array")
        coo = coo.copy()
        coo.sum_duplicates()
        row, col, data = coo.row.__array__(), coo.col.__array__(), coo.data.__array__()
        m, n = coo.shape
    else:
        dense = _np.asarray(a.__array__() if isinstance(a, lnp.ndarray) else a)
        if dense.ndim != 2:
            raise ValueError("mmwrite needs a 2-d array")
        m, n = dense.shape
        data = dense
    kind = data.dtype.kind
    if field is None:
        field = {"c": "complex", "f": "real", "i": "integer", "u": "integer", "b": "integer"}[kind]
    field = field.lower()
    if field not in _FIELDS:
        raise ValueError(f"unknown field {field!r}")
    if field == "pattern" and not sparse:
        raise ValueError("pattern field is only valid for sparse (coordinate) data")
    if field != "complex" and kind == "c":
        raise ValueError("complex values need field='complex'")
    if symmetry != "general" and m != n:
        raise ValueError("symmetric storage needs a square matrix")
    fmtv = _format_value(field, precision)
    out = _io.StringIO()
    out.write(f"%%MatrixMarket matrix {'coordinate' if sparse else 'array'} {field} {symmetry}\n")
    for line in (comment or "").splitlines():
        out.write(f"%{line}\n")
    if sparse:
        if symmetry != "general":
            keep = row > col if symmetry == "skew-symmetric" else row >= col
            row, col, data = row[keep], col[keep], data[keep]
        out.write(f"{m} {n} {row.shape[0]}\n")
        for i, j, v in zip(row.tolist(), col.tolist(), data.tolist()):
            out.write(f"{i + 1} {j + 1}\n" if field == "pattern" else f"{i + 1} {j + 1} {fmtv(v)}\n")
    else:
        out.write(f"{m} {n}\n")
        for j in range(n):
            start = 0 if symmetry == "general" else (j + 1 if symmetry == "skew-symmetric" else j)
            for i in range(start, m):
                out.write(fmtv(data[i, j]) + "\n")
    text = out.getvalue()

    def write():
        stream, close = _open(target, "w")
        try:
            stream.write(text)
        finally:
            if close:
                stream.close()

    if hasattr(target, "write"):  # an open file: each rank's own
        write()
    else:  # a path: one writer, the other ranks waiting for the file
        from legate import _ranks

        _ranks.on_rank_zero(write)
