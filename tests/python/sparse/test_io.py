"""Matrix Market files written by the tests, read and written both ways with SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io as sio
import scipy.sparse as sp
from conftest import check_dense, check_sparse, sprandom

import legate_sparse as sparse
from legate_sparse import io as lio


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.complex128])
def test_coordinate_roundtrip(tmp_path, dtype):
    S = sprandom(6, 5, dtype=np.float64) * 10
    S = S.astype(dtype)
    path = tmp_path / "a.mtx"
    sio.mmwrite(path, S)
    A = lio.mmread(path)
    assert isinstance(A, sparse.coo_array) and A.dtype == np.dtype(dtype)
    check_sparse(A, S)
    out = tmp_path / "b.mtx"
    lio.mmwrite(out, sparse.csr_array(S))
    check_dense(sio.mmread(out).toarray(), S.toarray())


@pytest.mark.parametrize("symmetry", ["symmetric", "skew-symmetric", "hermitian"])
def test_symmetries(tmp_path, symmetry):
    L = sp.tril(sprandom(5, 5, density=0.5, dtype=np.complex128 if symmetry == "hermitian" else np.float64), -1)
    if symmetry == "symmetric":
        S = L + L.T + sp.eye_array(5)
    elif symmetry == "skew-symmetric":
        S = L - L.T
    else:
        S = L + L.conj().T + sp.eye_array(5)
    path = tmp_path / "s.mtx"
    sio.mmwrite(path, S.tocoo(), symmetry=symmetry)
    check_sparse(lio.mmread(path), S)
    out = tmp_path / "t.mtx"
    lio.mmwrite(out, sparse.coo_array(S), symmetry=symmetry)
    assert symmetry in open(out).readline()
    check_dense(sio.mmread(out).toarray(), S.toarray())


def test_array_and_pattern(tmp_path):
    D = np.arange(6.0).reshape(2, 3)
    path = tmp_path / "d.mtx"
    lio.mmwrite(path, D)
    check_dense(sio.mmread(path), D)
    check_dense(lio.mmread(path), D)
    P = sprandom(4, 4)
    sio.mmwrite(tmp_path / "p.mtx", P, field="pattern")
    A = lio.mmread(tmp_path / "p.mtx")
    check_sparse(A, (P != 0).astype(np.float64))
    assert lio.mminfo(tmp_path / "p.mtx")[3:] == ("coordinate", "pattern", "general")
    (tmp_path / "bad.mtx").write_text("hello\n")
    with pytest.raises(ValueError):
        lio.mmread(tmp_path / "bad.mtx")


def test_mmwrite_to_a_path_is_rank_zero_s(tmp_path, monkeypatch):
    # On several ranks one rank writes the file (every rank writing one path at once
    # could truncate it under another rank's read); an open file is each rank's own.
    import io

    from legate import _ranks

    A = sparse.csr_array(sprandom(4, 4))
    monkeypatch.setattr(_ranks, "ranks", lambda: (1, 2))  # as rank 1 of 2
    lio.mmwrite(tmp_path / "r1.mtx", A)
    assert not list(tmp_path.iterdir())
    buf = io.StringIO()
    lio.mmwrite(buf, A)
    assert buf.getvalue().startswith("%%MatrixMarket")
    monkeypatch.setattr(_ranks, "ranks", lambda: (0, 2))
    lio.mmwrite(tmp_path / "r0.mtx", A)
    check_sparse(lio.mmread(tmp_path / "r0.mtx"), sprandom(4, 4))
