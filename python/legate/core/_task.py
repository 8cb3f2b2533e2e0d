"""Launching a library's tasks from Python: ``AutoTask``, ``ManualTask`` and their
arguments, as Legate's library authors write them::

    rt = get_legate_runtime()
    lib = rt.find_library("legate_hello")
    task = rt.create_auto_task(lib, AXPY)
    task.add_input(x)
    task.add_input(y)
    task.add_output(z)
    task.add_scalar_arg(2.0, types.float64)
    task.add_alignment(x, z)
    task.execute()

Arguments are ``legate.core`` stores or anything with ``__legate_data_interface__``
(``legate_numeric`` arrays: their store is used in place, never copied). Constraints
name arguments by the object that was added, or by the :class:`Variable` ``add_*``
returned. Launches go through the runtime's C-ABI table, like Rust libraries' own.
"""

from __future__ import annotations

import numpy as _np

from legate import _legate

from . import types

__all__ = ["AutoTask", "ManualTask", "ReductionOp", "Variable", "store_of"]


class ReductionOp:
    """Reduction operators (the runtime's codes). Legate's ``SUB`` and ``DIV`` have no
    counterpart here."""

    ADD = 1
    MUL = 2
    MAX = 3
    MIN = 4
    OR = 5
    AND = 6
    XOR = 7


class Variable:
    """An argument of a task, as its ``add_*`` call returned it."""

    __slots__ = ("_task", "_index", "_store")

    def __init__(self, task, index: int, store) -> None:
        self._task, self._index, self._store = task, index, store

    @property
    def store(self):
        return self._store

    def __repr__(self) -> str:
        return f"Variable({self._index})"


def store_of(obj):
    """The ``legate.core`` store behind ``obj``: a store itself, or the single field of
    an object with ``__legate_data_interface__`` (version 1, no null mask)."""
    if isinstance(obj, _legate.Store):
        return obj
    iface = getattr(obj, "__legate_data_interface__", None)
    if iface is None:
        raise TypeError(
            f"expected a legate.core Store or an array with __legate_data_interface__, got {type(obj).__name__}"
        )
    if iface.get("version") != 1:
        raise ValueError(f"unsupported __legate_data_interface__ version {iface.get('version')!r}")
    data = iface["data"]
    if len(data) != 1:
        raise ValueError(f"expected an array of one field, got {len(data)} fields")
    (_field, (mask, store)) = next(iter(data.items()))
    if mask is not None:
        raise NotImplementedError("arrays with a null mask cannot be task arguments")
    return store


# legate.core.types names -> the ABI's type codes (legate_abi::TypeCode).
_TYPE_CODES = {
    "bool": 1, "int8": 2, "int16": 3, "int32": 4, "int64": 5,
    "uint8": 6, "uint16": 7, "uint32": 8, "uint64": 9,
    "float16": 10, "float32": 11, "float64": 12, "complex64": 13, "complex128": 14,
}  # fmt: skip
_STRING_CODE = 17


def _scalar_bytes(value, dtype) -> tuple[int, bytes]:
    """The type code and bytes of a scalar argument ``value`` of type ``dtype``."""
    if dtype is types.string or dtype == types.string or dtype is str:
        if not isinstance(value, str):
            raise TypeError(f"a string scalar must be a str, got {type(value).__name__}")
        return _STRING_CODE, value.encode("utf-8")
    try:
        name = types.name_of(dtype)
    except TypeError as e:
        raise TypeError(f"unknown scalar type {dtype!r}") from e
    if name not in _TYPE_CODES:
        raise TypeError(f"scalar arguments of type {name} are not supported")
    arr = _np.asarray(value)
    if arr.ndim != 0:
        raise ValueError(f"a scalar argument must be a single value, got shape {arr.shape}")
    # Same-kind casting refuses what would lose meaning silently (2.5 as int64, say).
    target = _np.dtype(name)
    if not _np.can_cast(arr.dtype, target, casting="same_kind") and not (
        isinstance(value, (bool, int, float, complex)) and _np.can_cast(_np.min_scalar_type(value), target, "same_kind")
    ):
        raise TypeError(f"cannot pass {value!r} ({arr.dtype}) as a scalar of type {name}")
    return _TYPE_CODES[name], arr.astype(target).tobytes()


class _Task:
    """What auto and manual tasks share: arguments, scalars, constraints, ``execute``."""

    def __init__(self, library, task_id: int, launch) -> None:
        self._library, self._task_id, self._launch = library, task_id, launch
        self._args: list[Variable] = []

    def __repr__(self) -> str:
        kind = type(self).__name__
        return f"{kind}({self._library.name!r}, task {self._task_id}, {len(self._args)} arguments)"

    def _add(self, method, obj, *extra) -> Variable:
        store = store_of(obj)
        var = Variable(self, method(store, *extra), obj)
        self._args.append(var)
        return var

    def _var(self, arg, what: str) -> int:
        """The variable index of ``arg``: a Variable of this task, or an added object."""
        if isinstance(arg, Variable):
            if arg._task is not self:
                raise ValueError(f"{what}: the variable belongs to another task")
            return arg._index
        for var in self._args:
            if var._store is arg:
                return var._index
        raise ValueError(
            f"{what}: the argument is not one of this task's; add it with add_input, "
            "add_output or add_reduction first (or pass the Variable they return)"
        )

    def add_input(self, store) -> Variable:
        """Adds ``store`` (a store or array) as an input; returns its variable."""
        return self._add(self._launch.add_input, store)

    def add_output(self, store) -> Variable:
        """Adds ``store`` as an output: the task writes every element of its piece."""
        return self._add(self._launch.add_output, store)

    def add_partial_output(self, store) -> Variable:
        """An output the task writes only partly (the rest keeps its contents)."""
        return self._add(self._launch.add_partial_output, store)

    def add_reduction(self, store, redop: int) -> Variable:
        """Adds ``store`` as a reduction with operator ``redop`` (a :class:`ReductionOp`):
        each point adds into a private copy starting from the operator's identity."""
        return self._add(self._launch.add_reduction, store, _redop(redop))

    def add_scalar_arg(self, value, dtype) -> None:
        """A scalar argument of type ``dtype`` (``legate.core.types``, a NumPy dtype, or
        ``types.string``), read in the task with ``ctx.scalar::<T>(i)``."""
        self._launch.add_scalar(*_scalar_bytes(value, dtype))

    def add_alignment(self, a, b) -> None:
        """``a`` and ``b`` (arguments of the same shape) get the same partition."""
        self._launch.add_alignment(self._var(a, "add_alignment"), self._var(b, "add_alignment"))

    def add_broadcast(self, store, axes=None) -> None:
        """``store`` is not split along ``axes`` (an int, a sequence, or all if None)."""
        if axes is not None:
            axes = [int(axes)] if _np.ndim(axes) == 0 else [int(a) for a in axes]
        self._launch.add_broadcast(self._var(store, "add_broadcast"), axes)

    def add_image(self, src, dst, kind: str = "ranges") -> None:
        """``dst``'s piece is what ``src``'s piece names: ``"ranges"`` (``int64[2]``
        half-open ranges, like CSR row pointers) or ``"points"`` (coordinates)."""
        kinds = {"ranges": 0, "points": 1}
        if kind not in kinds:
            raise ValueError(f"add_image: kind must be 'ranges' or 'points', got {kind!r}")
        self._launch.add_image(self._var(src, "add_image"), self._var(dst, "add_image"), kinds[kind])

    def add_bloat(self, src, dst, low_offsets, high_offsets) -> None:
        """``dst`` gets ``src``'s tiles grown by the halos (one extent per dimension)."""
        lo, hi = [int(v) for v in low_offsets], [int(v) for v in high_offsets]
        self._launch.add_bloat(self._var(src, "add_bloat"), self._var(dst, "add_bloat"), lo, hi)

    def add_scale(self, src, dst, factors) -> None:
        """``dst``'s tiles are ``src``'s scaled by ``factors``."""
        self._launch.add_scale(self._var(src, "add_scale"), self._var(dst, "add_scale"), [int(f) for f in factors])

    def add_cpu_communicator(self) -> None:
        """The points may exchange bytes while they run (``ctx.communicator()``)."""
        self._launch.add_communicator()

    add_communicator = add_cpu_communicator

    def execute(self) -> None:
        """Submits the task. It runs once what it depends on has; nothing waits here.
        A task's own errors surface when its results are read."""
        self._launch.execute()


def _redop(redop) -> int:
    if isinstance(redop, str):
        name = redop.upper()
        if not hasattr(ReductionOp, name):
            raise ValueError(f"unknown reduction operator {redop!r}")
        return getattr(ReductionOp, name)
    code = int(redop)
    if code not in {v for k, v in vars(ReductionOp).items() if k.isupper()}:
        raise ValueError(f"unknown reduction operator {redop!r}")
    return code


class AutoTask(_Task):
    """A task the runtime partitions from its arguments' constraints."""


class ManualTask(_Task):
    """A task over a launch domain chosen by the caller. Stores are passed whole to
    every point; ``StorePartition`` arguments (``store.partition_by_tiling(tile)``)
    give point ``p`` the piece of color ``p`` (or of ``p`` projected on the launch
    dimensions ``projection``)."""

    def __init__(self, library, task_id: int, launch, launch_shape) -> None:
        super().__init__(library, task_id, launch)
        self.launch_shape = tuple(launch_shape)

    def _add_part(self, part, role: int, redop: int, projection) -> Variable:
        proj = None if projection is None else [int(p) for p in projection]
        var = Variable(self, self._launch.add_partition(part, role, redop, proj), part)
        self._args.append(var)
        return var

    def add_input(self, arg, projection=None) -> Variable:
        if isinstance(arg, _legate.StorePartition):
            return self._add_part(arg, 0, 0, projection)
        return super().add_input(arg)

    def add_output(self, arg, projection=None) -> Variable:
        if isinstance(arg, _legate.StorePartition):
            return self._add_part(arg, 1, 0, projection)
        return super().add_output(arg)

    def add_reduction(self, arg, redop: int, projection=None) -> Variable:
        if isinstance(arg, _legate.StorePartition):
            return self._add_part(arg, 2, _redop(redop), projection)
        return super().add_reduction(arg, redop)
