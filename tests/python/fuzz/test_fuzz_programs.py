"""Random programs: sequences of in-place operations on a few arrays and views of them,
run on NumPy and legate_numeric side by side and compared after every step.

Each program starts from two or three base arrays, takes views of them (slices with
steps, transposes, reshapes, real/imag parts), and then applies random steps: in-place
operators, ufuncs with ``out=`` (the output overlapping an input sometimes), slice and
mask assignment, reductions into ``out``, sorts in place, copies between overlapping
views, new views. Every live array is compared after every step, so a write that
misses a view, or a read that comes before a write it depends on, shows at the step
that caused it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import legate_numeric as lnp
from fuzzlib import arrays, outcome, quiet, ran, same, trace

# No unsigned types: copying a negative float into one is a platform-defined cast in
# NumPy (the float->int cast values are being fixed separately).
_DTYPES = [np.dtype(t) for t in (np.float64, np.float32, np.int64, np.int32, np.int8, np.complex128, np.bool_)]


class _Program:
    """The live arrays of a program on both sides: bases and views, by name."""

    def __init__(self):
        self.np: dict = {}
        self.lnp: dict = {}

    def add(self, name, a_np, a_lnp):
        self.np[name] = a_np
        self.lnp[name] = a_lnp

    def check(self, what):
        with quiet():
            for name in self.np:
                same(self.np[name], np.asarray(self.lnp[name]), what=f"{name} {what}")


def _pick(draw, prog, label, writable=False):
    names = [n for n, a in prog.np.items() if not writable or a.flags.writeable]
    return draw(st.sampled_from(sorted(names)), label=label)


def _step(draw, prog, i):
    """One random step, applied to both sides; returns its description."""
    kind = draw(st.sampled_from(["iop", "ufunc_out", "assign", "mask", "view", "reduce_out", "sort", "copy"]), label=f"step {i}")
    t = _pick(draw, prog, f"target {i}", writable=True)
    tn, tl = prog.np[t], prog.lnp[t]
    if kind == "view" or tn.ndim == 0 and kind in ("sort",):
        key = draw(hnp.basic_indices(tn.shape, allow_newaxis=True), label=f"key {i}") if tn.ndim else ()
        how = draw(st.sampled_from(["key", "T", "ravel", "real"]), label=f"view kind {i}")
        f = {"key": lambda a: a[key], "T": lambda a: a.T, "ravel": lambda a: a.ravel(), "real": lambda a: a.real}[how]
        with quiet():
            vn, vl = f(tn), f(tl)
        if isinstance(vn, np.ndarray):
            prog.add(f"v{i}", vn, vl)
        return f"v{i} = {t} {how} {key if how == 'key' else ''}"
    s = _pick(draw, prog, f"source {i}")
    sn, sl = prog.np[s], prog.lnp[s]
    if kind == "iop":
        op = draw(st.sampled_from(["+=", "-=", "*=", "//=", "&=", "|=", "**="]), label=f"op {i}")
        other = draw(st.sampled_from(["array", "scalar"]), label=f"other {i}")
        scalar = draw(st.integers(-2, 3), label=f"scalar {i}")
        on, ol = (sn, sl) if other == "array" else (scalar, scalar)
        desc = f"{t} {op} {s if other == 'array' else scalar}"

        def run(a, o):
            scope = {"a": a, "o": o}
            exec(f"a {op} o", scope)  # noqa: S102 - the operator under test

        _both(lambda: run(tn, on), lambda: run(tl, ol), desc, tl)
        return desc
    if kind == "ufunc_out":
        name = draw(st.sampled_from(["add", "subtract", "multiply", "maximum", "minimum", "negative", "absolute"]), label=f"ufunc {i}")
        nin = getattr(np, name).nin
        args_n, args_l = ((sn,), (sl,)) if nin == 1 else ((sn, tn), (sl, tl))
        desc = f"{name}({s}, out={t})"
        # NumPy's reference reads copies: NumPy defines an operation whose inputs overlap
        # its output as the same one on copies, and NumPy 2.4.6 gets some wrong (a
        # strided float view negated in place, `v = b[0:4:2, 0]; np.negative(v, out=v)`,
        # reads its input at stride 8: [0, 8] became [-0, -1]).
        args_n = tuple(np.array(a, copy=True) for a in args_n)
        _both(lambda: getattr(np, name)(*args_n, out=tn), lambda: getattr(lnp, name)(*args_l, out=tl), desc, tl)
        return desc
    if kind == "assign":
        key = draw(hnp.basic_indices(tn.shape), label=f"assign key {i}") if tn.ndim else ()
        desc = f"{t}[{key!r}] = {s}"
        if np.ndim(tn[key]) == 0 and sn.ndim:
            # Not compared: NumPy raises TypeError for an array into one element (not
            # a 0-d one), legate_numeric ValueError (cannot broadcast).
            return desc + " (skipped)"
        _both(lambda: tn.__setitem__(key, sn), lambda: tl.__setitem__(key, sl), desc, tl)
        return desc
    if kind == "mask":
        value = draw(st.integers(-3, 3), label=f"mask value {i}")
        desc = f"{t}[{s} > 0] = {value}"
        with quiet():
            mn, ml = (sn > 0), (sl > 0)
        _both(lambda: tn.__setitem__(mn, value), lambda: tl.__setitem__(ml, value), desc, tl)
        return desc
    if kind == "reduce_out":
        axis = draw(st.integers(0, max(sn.ndim - 1, 0)), label=f"axis {i}")
        desc = f"sum({s}, axis={axis}, out={t})"
        _both(lambda: np.sum(sn, axis=axis, out=tn), lambda: lnp.sum(sl, axis=axis, out=tl), desc, tl)
        return desc
    if kind == "sort":
        desc = f"{t}.sort()"
        _both(lambda: tn.sort(), lambda: tl.sort(), desc, tl)
        return desc
    # copy between two views (possibly overlapping ones of the same base)
    desc = f"{t}[...] = {s}"
    _both(lambda: tn.__setitem__(Ellipsis, sn), lambda: tl.__setitem__(Ellipsis, sl), desc, tl)
    return desc


def _both(np_call, lnp_call, desc, target=None):
    """Runs the step on both sides; legate_numeric's target is read back within it, so
    the error of a deferred task is the step's (the runtime reports it at the next read)."""
    expected = outcome(np_call)
    got = outcome(lambda: (lnp_call(), None if target is None else np.asarray(target))[0])
    same(expected, got, what=desc)
    if hasattr(expected, "exc"):
        # NumPy leaves a failed in-place operation's output partly written (garbage,
        # for integer power): the program ends here.
        raise _Stop


@given(data=st.data(), n_bases=st.integers(1, 3), n_steps=st.integers(1, 10))
def test_program(data, n_bases, n_steps):
    ran()
    prog = _Program()
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), label="shape")
    for b in range(n_bases):
        # Mostly the same shape (so operands broadcast), sometimes another one.
        s = shape if data.draw(st.integers(0, 3), label=f"same shape {b}") else data.draw(
            hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5), label=f"shape {b}")
        dt = data.draw(st.sampled_from(_DTYPES), label=f"dtype {b}")
        spec = data.draw(arrays(s, dt, broadcast=False, specials=False, small=True), label=f"base {b}")
        nb, nv = spec.build(np)
        lb, lv = spec.build(lnp)
        prog.add(f"b{b}", nb, lb)
        if nv is not nb:
            prog.add(f"b{b}v", nv, lv)
    done = []
    for i in range(n_steps):
        try:
            done.append(_step(data.draw, prog, i))
        except _Stop:
            return
        trace("program", done)
        prog.check(f"after {done}")


class _Stop(Exception):
    """A step raised (on both sides, the same error): the program ends."""
