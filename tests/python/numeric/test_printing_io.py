"""Printing and I/O (host-only: one gather, NumPy's own formatter, writer and reader):
repr/str/array2string exactly NumPy's under every print option, summarized large
arrays reading back only their edges; files in NumPy's formats both ways."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
from conftest import check

import legate_numeric as lnp

ARRAYS = {
    "2d": lambda: np.arange(2000.0).reshape(40, 50) / 7,
    "1d_int": lambda: np.arange(5000),
    "f32": lambda: np.arange(3000, dtype=np.float32).reshape(10, 300) / 3,
    "3d_int8": lambda: np.ones((20, 20, 20), dtype=np.int8),
    "big_values": lambda: np.arange(1001) * 1e10,
    "complex": lambda: (np.arange(1200) + 1j).reshape(2, 600),
    "small": lambda: np.arange(12.0).reshape(3, 4) - 5.5,
    "empty": lambda: np.zeros((0, 3)),
    "empty1": lambda: np.zeros((0,), np.int32),
    "0d": lambda: np.array(3.5),
    "bool": lambda: np.arange(1500) % 3 == 0,
    "f16": lambda: np.arange(2000, dtype=np.float16),
    "uint8": lambda: np.arange(256, dtype=np.uint8),
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_repr_str_match_numpy(name):
    a = ARRAYS[name]()
    la = lnp.array(a)
    assert repr(la) == repr(a)
    assert str(la) == str(a)
    assert lnp.array2string(la, separator=", ") == np.array2string(a, separator=", ")
    assert lnp.array_repr(la, precision=3) == np.array_repr(a, precision=3)
    assert lnp.array_str(la, max_line_width=30) == np.array_str(a, max_line_width=30)


@pytest.mark.parametrize("opts", [dict(threshold=10, edgeitems=2, precision=2, linewidth=40), dict(threshold=5, edgeitems=1, suppress=True),
                                  dict(legacy="1.13"), dict(floatmode="unique", sign="+"), dict(threshold=100000)])
def test_print_options_apply(opts):
    for name in ("2d", "complex", "small", "big_values", "3d_int8"):
        a = ARRAYS[name]()
        with lnp.printoptions(**opts):
            assert repr(lnp.array(a)) == repr(a), name
            assert str(lnp.array(a)) == str(a), name
    old = lnp.get_printoptions()
    try:
        lnp.set_printoptions(precision=1, threshold=20)
        a = ARRAYS["2d"]()
        assert repr(lnp.array(a)) == repr(a)
    finally:
        lnp.set_printoptions(**old)


def test_views_and_edge_gather():
    a = ARRAYS["2d"]()
    la = lnp.array(a)
    assert repr(la[::3, 1:]) == repr(a[::3, 1:])
    assert repr(la.T) == repr(a.T)
    # Summarized: only the corners are read back.
    from legate_numeric._printing import _Corners

    corners = _Corners(la, 3)
    assert np.asarray(corners).shape == (6, 6)


def test_save_load_npy_npz(tmp_path):
    a, b = np.arange(12.0).reshape(3, 4), np.arange(5, dtype=np.int32)
    lnp.save(tmp_path / "a.npy", lnp.array(a))
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), a)
    got = lnp.load(tmp_path / "a.npy")
    assert isinstance(got, lnp.ndarray)
    check(got, a)
    lnp.savez(tmp_path / "z.npz", lnp.array(a), b=lnp.array(b))
    lnp.savez_compressed(tmp_path / "c.npz", x=lnp.array(b))
    with lnp.load(tmp_path / "z.npz") as z:
        assert sorted(z.files) == ["arr_0", "b"]
        check(z["arr_0"], a)
        check(z["b"], b)
    check(lnp.load(tmp_path / "c.npz")["x"], b)
    buf = io.BytesIO()
    lnp.save(buf, lnp.array(b))
    buf.seek(0)
    check(lnp.load(buf), b)


def test_text_and_binary_files(tmp_path):
    a = np.arange(12.0).reshape(3, 4) / 3
    lnp.savetxt(tmp_path / "a.txt", lnp.array(a), fmt="%.6f", delimiter=",")
    np.savetxt(tmp_path / "e.txt", a, fmt="%.6f", delimiter=",")
    assert (tmp_path / "a.txt").read_text() == (tmp_path / "e.txt").read_text()
    check(lnp.loadtxt(tmp_path / "a.txt", delimiter=","), np.loadtxt(tmp_path / "e.txt", delimiter=","))
    check(lnp.genfromtxt(tmp_path / "a.txt", delimiter=","), np.genfromtxt(tmp_path / "e.txt", delimiter=","))
    la = lnp.array(a)
    la.tofile(tmp_path / "a.bin")
    check(lnp.fromfile(tmp_path / "a.bin"), a.ravel())
    la.T.tofile(tmp_path / "t.txt", sep=" ")
    check(lnp.fromfile(tmp_path / "t.txt", sep=" "), np.fromfile(tmp_path / "t.txt", sep=" "))
    assert la.T.tobytes() == a.T.tobytes()
    assert la.tobytes("F") == a.tobytes("F")
    check(lnp.fromstring("1 2 3", sep=" "), np.fromstring("1 2 3", sep=" "))
    check(pickle.loads(la.dumps()), a)
    la.dump(tmp_path / "p.pkl")
    with open(tmp_path / "p.pkl", "rb") as f:
        check(pickle.load(f), a)


def test_only_rank_zero_writes_a_path(tmp_path, monkeypatch):
    from legate import _ranks

    a = lnp.arange(4.0)
    monkeypatch.setattr(_ranks, "ranks", lambda: (1, 2))  # as rank 1 of 2
    lnp.save(tmp_path / "r1.npy", a)
    lnp.savetxt(tmp_path / "r1.txt", a)
    a.tofile(tmp_path / "r1.bin")
    assert not list(tmp_path.iterdir())
    buf = io.BytesIO()
    lnp.save(buf, a)  # an open file is the rank's own
    assert buf.getvalue()
    monkeypatch.setattr(_ranks, "ranks", lambda: (0, 2))
    lnp.save(tmp_path / "r0.npy", a)
    check(lnp.load(tmp_path / "r0.npy"), np.arange(4.0))


def test_a_failed_write_on_rank_zero_raises_on_every_rank(tmp_path, monkeypatch):
    # As rank 1 of 2: rank 0's outcome arrives through the exchange every rank takes
    # part in (after rank 0's write), and its error is raised here too, so that no rank
    # goes on alone (nor reads the file before rank 0 has written it).
    from legate import _legate, _ranks

    a = lnp.arange(4.0)
    monkeypatch.setattr(_ranks, "ranks", lambda: (1, 2))
    sent = []

    def exchange(mine):
        sent.append(mine)
        return [pickle.dumps(FileNotFoundError(2, "rank 0 could not write")), mine]

    monkeypatch.setattr(_legate, "exchange_host", exchange)
    for write in (lambda p: lnp.save(p, a), lambda p: lnp.savetxt(p, a), a.tofile, a.dump,
                  lambda p: lnp.savez(p, x=a)):
        with pytest.raises(FileNotFoundError, match="rank 0 could not write"):
            write(tmp_path / "f")
    assert sent == [b""] * 5 and not list(tmp_path.iterdir())


def test_array2string_threshold_and_edgeitems_arguments():
    a = ARRAYS["2d"]()
    la = lnp.array(a)
    for kw in (dict(threshold=100000), dict(threshold=10, edgeitems=1), dict(edgeitems=5), dict(threshold=3000, edgeitems=2)):
        assert lnp.array2string(la, **kw) == np.array2string(a, **kw), kw
