"""NumPy's public surface against legate_numeric: every public callable of NumPy's main
namespace, ``linalg``, ``fft`` and ``random`` (and every public ``ndarray`` attribute)
is native in legate_numeric or listed, with its reason, in ``_coverage.NOT_NATIVE``; and
nothing native stays listed. The list cannot drift: a name that lands must leave it, a
name NumPy adds must join it or land."""

import os
import subprocess
import sys

import pytest

from legate_numeric import _coverage


@pytest.mark.parametrize("namespace", _coverage.NAMESPACES)
def test_every_name_native_or_listed(namespace):
    unlisted = _coverage.classify(namespace)["unlisted"]
    assert not unlisted, (
        f"NumPy names of {namespace!r} neither native in legate_numeric nor listed in "
        f"legate_numeric._coverage.NOT_NATIVE: {unlisted}"
    )


@pytest.mark.parametrize("namespace", _coverage.NAMESPACES)
def test_no_native_name_listed(namespace):
    native = _coverage.classify(namespace)["native"]
    stale = [n for n in native if _coverage.key(namespace, n) in _coverage.NOT_NATIVE]
    assert not stale, f"native now, remove from legate_numeric._coverage.NOT_NATIVE: {stale}"


def test_list_names_exist_in_numpy():
    known = {_coverage.key(ns, n) for ns in _coverage.NAMESPACES for n in _coverage._numpy_names(ns)}
    gone = sorted(set(_coverage.NOT_NATIVE) - known)
    assert not gone, f"listed in NOT_NATIVE but not public callables of NumPy: {gone}"


def test_reasons_say_why():
    for name, reason in _coverage.NOT_NATIVE.items():
        assert reason.startswith(("out of scope:", "not yet:")), (name, reason)


def test_report_numbers_add_up(capsys):
    for ns, c in _coverage.counts().items():
        assert c["native"] + c["fallback"] + c["out_of_scope"] == c["total"], ns
    _coverage.report()
    out = capsys.readouterr().out
    for ns in _coverage.NAMESPACES:
        assert ns in out


def test_report_at_exit():
    env = dict(os.environ, LEGATE_NUMERIC_REPORT_COVERAGE="1")
    code = "import legate_numeric as np; np.add(np.ones(2), 1)"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "coverage of NumPy's public callables" in proc.stdout


def test_host_only_names_are_defined_and_say_why():
    for name, reason in _coverage.HOST_ONLY.items():
        ns, _, n = name.rpartition(".")
        assert _coverage._is_native(ns or "main", n), name
        assert name not in _coverage.NOT_NATIVE, name
        assert reason.startswith("host-only:"), (name, reason)


def test_host_forms_run_in_numpy_and_are_listed():
    """The argument forms listed in HOST_FORMS give NumPy's results, through the fallback
    (its warning names them as the list does)."""
    import warnings

    import numpy as np

    import legate_numeric as lnp

    def pad_with(vector, pad_width, iaxis, kwargs):
        vector[: pad_width[0]] = -1
        vector[vector.size - pad_width[1] :] = kwargs.get("v", 7)

    cases = [
        (lambda: lnp.pad(lnp.arange(6.0).reshape(2, 3), 2, pad_with, v=3), np.pad(np.arange(6.0).reshape(2, 3), 2, pad_with, v=3)),
        (lambda: lnp.array(["a", "bc"]), np.array(["a", "bc"])),
    ]
    from legate_numeric import _fallback

    for call, expected in cases:
        before = set(_fallback._fell_back)
        _fallback._fell_back.clear()  # the fallback records each name once per process
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = np.asarray(call())
        names = set(_fallback._fell_back)
        _fallback._fell_back.update(before)
        np.testing.assert_array_equal(got, expected)
        assert any(n.split(" (")[0] == k.split(" (")[0] and (n == k or k.endswith("...)")) for n in names for k in _coverage.HOST_FORMS), names
    assert all(r.startswith("host-only: ") for r in _coverage.HOST_FORMS.values())
