"""Issue 9's runtime reproductions, from Python: each once crashed, hung or answered
wrong. Those that need their own configuration or a signal run in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import legate_numeric as lnp


def run(code: str, config: str = "--cpus 2", timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LEGATE_CONFIG=config, **extra)
    env.pop("LEGATE_TEST", None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=timeout
    )


def raises_like_numpy(make):
    """`make(np)` raises, and `make(lnp)` raises the same exception type."""
    with pytest.raises(Exception) as want:
        make(np)
    # NumPy's own subclasses (e.g. _ArrayMemoryError) are matched by their builtin base.
    builtin = next(t for t in want.type.__mro__ if t.__module__ == "builtins")
    with pytest.raises(builtin):
        make(lnp)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.empty((2**60 + 1, 16)),
        lambda m: m.zeros(2**63),
        lambda m: m.zeros((2**32, 2**32)),
        lambda m: m.ones((2**60 + 1, 16)),
        lambda m: m.full((2**62, 8, 0), 1.0),
        lambda m: m.tile(m.ones(16), 2**60 + 1),
        lambda m: m.zeros(2**45),
        lambda m: m.broadcast_to(m.ones(1), (2**62, 8)),
    ],
)
def test_sizes_that_overflow_raise_as_in_numpy(make):
    raises_like_numpy(make)
    # The runtime is unharmed.
    assert float(lnp.ones(3).sum()) == 3.0


def test_too_big_says_so_in_numpys_words():
    with pytest.raises(ValueError, match="array is too big") as e:
        lnp.empty((2**60 + 1, 16))
    assert "invalid argument" not in str(e.value)


def test_a_launch_of_more_points_than_the_run_ahead_limit_finishes():
    r = run(
        """
        import legate_hello
        legate_hello.hello_world("hi", 17)
        legate_hello.hello_world("hi", 40)
        print("done")
        """,
        config="--cpus 2",
        timeout=60,
    )
    assert r.returncode == 0 and "done" in r.stdout, r.stderr
    assert r.stdout.count("Hello, World! hi") == 57


def test_a_failed_result_raises_every_time_and_is_not_reported_again_at_exit():
    # The first multiplication fails (an injected fault), the others do not.
    r = run(
        """
        import numpy
        import legate_numeric as np
        a = np.arange(5)
        b = a * np.array([1, -1, 1, 1, 1])
        for _ in range(3):
            try:
                print(numpy.asarray(b))
            except RuntimeError as e:
                print("raised", e)
        c = b + 1
        try:
            numpy.asarray(c)
        except RuntimeError:
            print("dependent raised")
        b[...] = 7
        print(numpy.asarray(b).tolist())
        """,
        LEGATE_FAULTS="fail=binary,times=1",
        LEGATE_WINDOW_SIZE="1",  # the fault names the unfused task
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("raised") == 4 and r.stdout.count("injected fault") == 3, r.stdout
    assert "dependent raised" in r.stdout
    assert "[7, 7, 7, 7, 7]" in r.stdout
    assert "nothing read its result" not in r.stderr, r.stderr


def test_an_unread_failure_is_reported_at_exit():
    r = run(
        """
        import legate_numeric as np
        b = np.arange(5) * np.array([1, -1, 1, 1, 1])
        """,
        LEGATE_FAULTS="fail=binary,times=1",
        LEGATE_WINDOW_SIZE="1",  # the fault names the unfused task
    )
    assert "nothing read its result" in r.stderr, r.stderr


def test_dropping_large_arrays_under_a_tight_sysmem_never_runs_out():
    r = run(
        """
        import legate_numeric as np
        for i in range(12):
            a = np.ones(12_500_000)      # 100 MB
            a += i
            del a
        b = np.ones(12_500_000)
        print(float(b.sum()))
        """,
        config="--cpus 2 --sysmem 256",
    )
    assert r.returncode == 0, r.stderr
    assert "12500000.0" in r.stdout


def test_ctrl_c_cancels_queued_work():
    r = run(
        """
        import os, signal, threading, time
        # Ctrl-C as a terminal delivers it, even when the runner ignores SIGINT (a
        # background job), which this process would inherit.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        import legate_numeric as np
        a = np.ones((1200, 1200))
        threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            for i in range(500):
                a = a @ a * 1e-3
            float(a.sum())
            print("not interrupted")
        except KeyboardInterrupt:
            print("interrupted")
        t = time.time()
        small = np.ones((50, 50)) @ np.ones((50, 50))
        assert float(small[0, 0]) == 50.0
        print("small op after the interrupt took", time.time() - t)
        try:
            float(a.sum())
            print("no error")
        except RuntimeError as e:
            print("cancelled:", "interrupted" in str(e))
        """,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "interrupted" in r.stdout and "cancelled: True" in r.stdout, r.stdout
    took = float(r.stdout.split("took")[1].split()[0])
    assert took < 1.0, r.stdout


def test_an_injected_task_failure_reaches_exactly_its_dependents():
    r = run(
        """
        import numpy
        import legate_numeric as np
        a = np.arange(100.0)
        b = np.ones(100)
        c = a * 2          # multiply: the task the fault hits
        d = c + b          # depends on it
        e = np.sqrt(a)     # does not (and is no binary task)
        for name, x in [("c", c), ("d", d)]:
            try:
                numpy.asarray(x)
                print(name, "no error")
            except RuntimeError as err:
                print(name, "raised", "injected fault" in str(err))
        assert (numpy.asarray(e) == numpy.sqrt(numpy.arange(100.0))).all()
        print("unrelated ok")
        """,
        LEGATE_FAULTS="fail=binary",
        LEGATE_WINDOW_SIZE="1",  # the fault names the unfused task
        LEGATE_TEST="1",
    )
    assert r.returncode == 0, r.stderr
    assert "c raised True" in r.stdout and "d raised True" in r.stdout and "unrelated ok" in r.stdout, r.stdout


def test_a_lagging_point_changes_no_result():
    r = run(
        """
        import numpy
        import legate_numeric as np
        rng = numpy.random.default_rng(0)
        x = rng.random((64, 48))
        a = np.asarray(x)
        r = np.zeros((64, 48))
        for i in range(5):
            r[1:-1, 1:-1] += 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])
            s = r.sum(axis=0)
            r[0, :] = s
        want = numpy.zeros((64, 48))
        for i in range(5):
            want[1:-1, 1:-1] += 0.25 * (x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:])
            s = want.sum(axis=0)
            want[0, :] = s
        numpy.testing.assert_allclose(numpy.asarray(r), want, rtol=1e-12)
        print("same")
        """,
        config="--cpus 2",
        LEGATE_FAULTS="slow=*,point=1,ms=3",
        LEGATE_TEST="1",
    )
    assert r.returncode == 0, r.stderr
    assert "same" in r.stdout


def test_fault_specs_are_checked():
    r = run("import legate_numeric as np; np.ones(3).sum()", LEGATE_FAULTS="explode=1")
    assert r.returncode != 0 and "LEGATE_FAULTS" in r.stderr, r.stderr


def test_argsort_needs_no_scratch_beyond_its_output():
    r = run(
        """
        import resource
        import legate_numeric as np
        def rss():
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        np.ones(10).sum()
        start = rss()
        a = np.random.random(10_000_000)     # 80 MB
        i = np.argsort(a)                     # 80 MB of int64
        s = np.sort(a)
        assert int(i[0]) >= 0 and float(s[0]) <= float(s[1])
        print("growth", rss() - start)
        """
    )
    assert r.returncode == 0, r.stderr
    growth = float(r.stdout.split("growth")[1])
    # Input, argsort's output and sort's output: 240 MB, plus the parallel sort's
    # per-point scratch (keys and indices of a point's range, double-buffered by the
    # radix passes: about 320 MB at its peak). It was 389 MB for argsort alone.
    assert growth < 600, r.stdout


def test_threads_reading_results_of_a_shared_fusion_window():
    # Several threads share one fusion window. A read must find its own operations
    # launched even while another thread has taken the window (with this thread's
    # operations in it) and is still launching it; before the fix such a read could find
    # the window empty and see data not yet written. Large arrays keep the processors
    # busy (the launching thread gets preempted) and a tiny GIL switch interval hands
    # the GIL over mid-expression; this caught the bug in two of three runs.
    r = run(
        """
        import sys, threading, warnings
        import numpy
        import legate_numeric as np
        sys.setswitchinterval(1e-5)
        warnings.simplefilter("ignore")
        bad = []
        def work(seed):
            rng = numpy.random.default_rng(seed)
            xs = [rng.standard_normal(300_000) for _ in range(4)]
            for i in range(150):
                x = xs[i % 4][: int(rng.integers(100_000, 300_000))]
                lx = np.array(x)
                got = np.sqrt(np.abs(lx)) * 2 + lx / (1 + lx * lx)
                want = numpy.sqrt(numpy.abs(x)) * 2 + x / (1 + x * x)
                if not numpy.allclose(numpy.asarray(got), want, rtol=1e-12, atol=0, equal_nan=True):
                    bad.append((seed, i))
        threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("bad", len(bad), bad[:3])
        """,
        config="--cpus 2",
        timeout=300,
        LEGATE_WINDOW_SIZE="8",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("bad 0 "), r.stdout


def test_an_injected_fault_reaches_a_fused_task_by_an_operation_it_lists():
    # With fusion on, `a * 2 + 1` runs as one task named fused[multiply,add]: a rule
    # naming `add` (or `fused`) hits it, and one naming `sqrt` does not.
    code = """
        import numpy
        import legate_numeric as np
        a = np.arange(100.0)
        c = a * 2 + 1
        try:
            numpy.asarray(c)
            print("no error")
        except RuntimeError as err:
            print("raised", "injected fault" in str(err))
        """
    for rule, want in [("fail=add", "raised True"), ("fail=fused,times=1", "raised True"), ("fail=sqrt", "no error")]:
        r = run(code, LEGATE_FAULTS=rule, LEGATE_WINDOW_SIZE="64")
        assert r.returncode == 0, r.stderr
        assert want in r.stdout, (rule, r.stdout)
