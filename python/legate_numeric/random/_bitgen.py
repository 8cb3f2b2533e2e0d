"""Streams, seeding and NumPy's bit-generator names, on the counter-based generator.

A stream is a 64-bit key and a call counter: the ``k``-th call that draws numbers
uses draw number ``k``, and element ``i`` of that call is a pure function of
``(key, k, i)``. ``SeedSequence`` is NumPy's seeding algorithm (entropy in, keys
out). ``BitGenerator`` and its subclasses (``PCG64 PCG64DXSM Philox MT19937 SFC64``)
are names for such a stream: they seed it as NumPy seeds those generators, but the
numbers are those of Philox4x32-10 in counter mode, not the bit-exact sequences of
NumPy's generators of the same name.
"""

from __future__ import annotations

import numbers
import os

import numpy as _np

from legate import _legate as _ext

from .._array import _empty

_U64 = 1 << 64
_STATE_NAME = "Philox4x32-10-counter"


def _entropy(nbytes: int = 8) -> int:
    """Fresh entropy from the OS for an unseeded stream; on several ranks rank 0's, so
    that every rank draws the same numbers (each rank's own would diverge)."""
    data = os.urandom(nbytes)
    from legate import _ranks

    if _ranks.launched_ranks() > 1:
        data = _ext.exchange_host(data)[0]
    return int.from_bytes(data, "little")


class SeedSequence:
    """NumPy's ``SeedSequence`` (the same hashing of entropy into seeds, so the same
    entropy gives the same keys): ``generate_state``, ``spawn``, ``entropy``,
    ``spawn_key``, ``pool_size``, ``n_children_spawned``, ``state``."""

    def __init__(self, entropy=None, *, spawn_key=(), pool_size=4, n_children_spawned=0):
        if isinstance(entropy, _np.random.SeedSequence):
            self._seq = entropy
        else:
            if entropy is None:  # NumPy's 128 bits, the same on every rank
                entropy = _entropy(16)
            self._seq = _np.random.SeedSequence(entropy, spawn_key=spawn_key, pool_size=pool_size, n_children_spawned=n_children_spawned)

    entropy = property(lambda self: self._seq.entropy)
    spawn_key = property(lambda self: self._seq.spawn_key)
    pool_size = property(lambda self: self._seq.pool_size)
    n_children_spawned = property(lambda self: self._seq.n_children_spawned)
    state = property(lambda self: self._seq.state)

    def generate_state(self, n_words, dtype=_np.uint32):
        return self._seq.generate_state(n_words, dtype)

    def spawn(self, n_children):
        return [SeedSequence(s) for s in self._seq.spawn(n_children)]

    def key(self) -> int:
        """The 64-bit key of a stream seeded by this sequence."""
        return int(self._seq.generate_state(1, _np.uint64)[0])

    def __repr__(self):
        return repr(self._seq)


def _seed_sequence(seed, legacy: bool):
    """The SeedSequence a user's ``seed`` stands for, or None with the raw key for
    plain 64-bit integers (their key is the integer itself)."""
    if seed is None:
        return None, _entropy()
    if isinstance(seed, (numbers.Integral, _np.integer)) and not isinstance(seed, (bool, _np.bool_)):
        s = int(seed)
        if legacy and not 0 <= s < 1 << 32:
            raise ValueError("Seed must be between 0 and 2**32 - 1")
        if s < 0:
            raise ValueError("expected non-negative integer")
        if s < _U64:
            return None, s
        seq = SeedSequence(s)
        return seq, seq.key()
    if isinstance(seed, SeedSequence):
        return seed, seed.key()
    if isinstance(seed, _np.random.SeedSequence):
        seq = SeedSequence(seed)
        return seq, seq.key()
    if not legacy and isinstance(seed, _np.random.BitGenerator):
        return None, int(seed.random_raw())
    if not legacy and isinstance(seed, _np.random.Generator):
        return None, int(seed.integers(0, _U64, dtype=_np.uint64))
    # Sequences of integers (NumPy's SeedSequence validates them).
    arr = _np.asarray(seed)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise TypeError("SeedSequence expects int or sequence of ints for entropy not " + repr(seed))
    if legacy and (arr.size == 0 or (arr < 0).any() or (arr >= 1 << 32).any()):
        raise ValueError("Seed must be between 0 and 2**32 - 1")
    seq = SeedSequence([int(x) for x in arr])
    return seq, seq.key()


def _key(seed, legacy: bool) -> int:
    """The generator's 64-bit key for a user's ``seed``."""
    return _seed_sequence(seed, legacy)[1]


class _Stream:
    """A key and a call counter: each call that draws numbers uses the next counter."""

    __slots__ = ("key", "draws", "children", "seed_seq")

    def __init__(self, key: int, seed_seq=None):
        self.key = key
        self.draws = 0
        self.children = 0
        self.seed_seq = seed_seq

    def next(self) -> int:
        d = self.draws
        self.draws += 1
        return d

    def fill(self, shape, dtype, dist, a, b):
        """A new array from the vectorized kernel (uniform, normal or integers)."""
        out = _empty(() if shape is None else shape, _np.dtype(dtype))
        _ext.random_fill(out._store, dist, self.key, self.next(), a, b)
        return out

    def sample(self, shape, dist, params, discrete: bool):
        """A new float64 (int64 if ``discrete``) array of per-element draws of
        ``dist``; ``params`` are floats or float64 stores of ``shape``."""
        out = _empty(shape, _np.dtype(_np.int64 if discrete else _np.float64))
        _ext.random_sample(out._store, dist, self.key, self.next(), list(params))
        return out

    def spawn_keys(self, n: int) -> list[int]:
        """Keys of ``n`` independent child streams (NumPy's spawning scheme)."""
        seq = self.seed_seq if self.seed_seq is not None else SeedSequence(self.key)
        keys = []
        for _ in range(n):
            keys.append(SeedSequence(seq.entropy, spawn_key=tuple(seq.spawn_key) + (self.children,)).key())
            self.children += 1
        return keys

    def get_state(self) -> dict:
        return {"bit_generator": _STATE_NAME, "state": {"key": self.key, "draws": self.draws}}

    def set_state(self, state):
        """Restores a state from ``get_state`` (dict, or the legacy tuple form)."""
        if isinstance(state, tuple):
            if len(state) != 3 or state[0] != _STATE_NAME:
                raise ValueError(f"state must be a {_STATE_NAME} state (from get_state())")
            key, draws = state[1], state[2]
        elif isinstance(state, dict):
            if state.get("bit_generator") != _STATE_NAME or "state" not in state:
                raise ValueError(f"state must be a {_STATE_NAME} state (from get_state())")
            key, draws = state["state"]["key"], state["state"]["draws"]
        else:
            raise TypeError("state must be a dict or a tuple")
        key, draws = int(key), int(draws)
        if not (0 <= key < _U64 and 0 <= draws < _U64):
            raise ValueError("state values out of range")
        self.key, self.draws = key, draws


class BitGenerator:
    """A counter-based stream under NumPy's bit-generator API: ``random_raw``,
    ``state`` (get/set), ``seed_seq``, ``spawn``, ``jumped``, ``advance``. Subclasses
    carry NumPy's names; all draw from Philox4x32-10 in counter mode."""

    def __init__(self, seed=None):
        seq, key = _seed_sequence(seed, legacy=False)
        self._stream = _Stream(key, seq)

    @classmethod
    def _of(cls, stream):
        bg = cls.__new__(cls)
        bg._stream = stream
        return bg

    @property
    def state(self):
        return self._stream.get_state()

    @state.setter
    def state(self, value):
        self._stream.set_state(value)

    @property
    def seed_seq(self):
        if self._stream.seed_seq is None:
            self._stream.seed_seq = SeedSequence(self._stream.key)
        return self._stream.seed_seq

    def random_raw(self, size=None, output=True):
        """Raw 64-bit words (uint64), as a bit generator's raw output."""
        from ._sampling import _shape

        shape = _shape(size)
        arr = self._stream.fill(shape, _np.uint64, "integers", 0, 0)
        if not output:
            return None
        return arr if shape is not None else int(arr.__array__()[()])

    def spawn(self, n_children):
        return [type(self)._of(_Stream(k)) for k in self._stream.spawn_keys(int(n_children))]

    def jumped(self, jumps=1):
        """A new bit generator far from this one (a different key)."""
        key = SeedSequence([self._stream.key, self._stream.draws, int(jumps)], spawn_key=(0xA11,)).key()
        return type(self)._of(_Stream(key))

    def advance(self, delta):
        """Skips ``delta`` calls."""
        self._stream.draws = (self._stream.draws + int(delta)) % _U64
        return self

    def __repr__(self):
        return f"{type(self).__name__}(Philox4x32-10 counter stream)"


class PCG64(BitGenerator):
    pass


class PCG64DXSM(BitGenerator):
    pass


class Philox(BitGenerator):
    pass


class MT19937(BitGenerator):
    pass


class SFC64(BitGenerator):
    pass
