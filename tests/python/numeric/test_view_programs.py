"""Random programs of views and writes, run on NumPy and legate_numeric side by side.

Each program takes chains of views of one base array (slices with steps, transposes,
reshapes in C and Fortran order — merging ones too —, ``.real``/``.imag``, ``ravel`` in
every order, ``swapaxes``), writes
through some of them (in-place operators, slice assignment, ``out=`` ufuncs, overlapping
copies) and reads through others. Whatever NumPy gives as a view must alias here too,
and whatever it copies must not: after every step the base and every live array must
match NumPy's. Sizes are large enough that operations split into several tasks.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import check

import legate_numeric as lnp


def _random_view(rng, x_np, x_lg):
    """One random view step applied to both arrays; None when it does not apply."""
    kind = rng.integers(9)
    nd = x_np.ndim
    if kind <= 2 and nd:
        axis = int(rng.integers(nd))
        n = x_np.shape[axis]
        step = int(rng.choice([1, 1, 2, 3, -1, -2]))
        start = int(rng.integers(-n, n)) if n and rng.random() < 0.5 else None
        stop = int(rng.integers(-n, n + 1)) if n and rng.random() < 0.5 else None
        key = (slice(None),) * axis + (slice(start, stop, step),)
        return x_np[key], x_lg[key]
    if kind == 3 and nd >= 2:
        axes = tuple(int(a) for a in rng.permutation(nd))
        return x_np.transpose(axes), x_lg.transpose(axes)
    if kind == 4 and nd >= 2:
        order = str(rng.choice(["C", "C", "F", "A"]))
        return x_np.ravel(order), x_lg.ravel(order)
    if kind == 5 and x_np.size:
        # Split or merge dimensions: a random factorization of the size.
        size = x_np.size
        divisors = [d for d in range(1, size + 1) if size % d == 0]
        a = int(rng.choice(divisors))
        shape = (a, size // a) if rng.random() < 0.5 else (size // a, a)
        if x_np.ndim == 2 and rng.random() < 0.5:
            shape = (x_np.shape[0] * x_np.shape[1],)
        return x_np.reshape(shape), x_lg.reshape(shape)
    if kind == 6 and x_np.dtype.kind == "c":
        part = "real" if rng.random() < 0.5 else "imag"
        return getattr(x_np, part), getattr(x_lg, part)
    if kind == 7 and nd >= 2:
        a, b = (int(v) for v in rng.choice(nd, 2, replace=False))
        return x_np.swapaxes(a, b), x_lg.swapaxes(a, b)
    if kind == 8 and nd >= 2:
        # Fortran-order reshape: a view exactly when NumPy gives one.
        shape = (x_np.shape[0] * x_np.shape[1],) + x_np.shape[2:]
        return x_np.reshape(shape, order="F"), x_lg.reshape(shape, order="F")
    return None


def _write(rng, v_np, v_lg):
    """One random write through the view (identical on both)."""
    kind = rng.integers(5)
    value = float(rng.integers(-5, 6))
    if kind == 0:
        v_np += value
        v_lg += value
    elif kind == 1:
        v_np[...] = value
        v_lg[...] = value
    elif kind == 2 and v_np.ndim and v_np.shape[0] > 1:
        # Overlapping copy within the view, like a[1:] = a[:-1].
        v_np[1:] = v_np[:-1]
        v_lg[1:] = v_lg[:-1]
    elif kind == 3:
        np.multiply(v_np, 2, out=v_np)
        lnp.multiply(v_lg, 2, out=v_lg)
    else:
        v_np *= -1
        v_lg *= -1


@pytest.mark.parametrize("seed", range(200))
def test_random_view_programs_match_numpy(seed):
    rng = np.random.default_rng(seed)
    dtype = np.complex128 if seed % 4 == 0 else np.float64
    shape = [(60, 40), (24, 10, 10), (2400,), (30, 8, 10)][seed % 4]
    base_np = np.arange(np.prod(shape), dtype=dtype).reshape(shape)
    if dtype == np.complex128:
        base_np = base_np * (1 - 0.5j)
    base_lg = lnp.array(base_np)
    live = [(base_np, base_lg)]
    for _ in range(12):
        v_np, v_lg = live[int(rng.integers(len(live)))]
        for _ in range(int(rng.integers(1, 4))):
            stepped = _random_view(rng, v_np, v_lg)
            if stepped is not None and stepped[0].size:
                v_np, v_lg = stepped
        check(v_lg, v_np)
        if rng.random() < 0.7:
            _write(rng, v_np, v_lg)
        live.append((v_np, v_lg))
        # Every array alive so far sees the writes exactly when NumPy's does.
        for a_np, a_lg in live:
            check(a_lg, a_np)
