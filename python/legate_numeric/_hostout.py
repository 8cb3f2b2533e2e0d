"""NumPy arrays as ``out=``: NumPy writes any function's result into an array-like
output, so ``legate_numeric.add(a, b, out=numpy_array)`` must work too.

The operation runs natively into a legate mirror of the NumPy array (uploaded first:
``where=`` keeps the unselected values and a cumulative or in-place use reads them),
with every check of the native path (NumPy's shapes, casting rules and errors), and the
mirror's values are then written back into the NumPy array, which is returned.

``install`` wraps the package's functions and ``ndarray`` methods that take ``out``;
ufuncs call ``host`` and ``into`` themselves (their ``out`` may also be a tuple).
"""

from __future__ import annotations

import functools
import inspect

import numpy as _np


def host(out):
    """The NumPy array given as ``out`` (bare or in a 1-tuple), or None."""
    if type(out) is tuple and len(out) == 1:
        out = out[0]
    return out if isinstance(out, _np.ndarray) else None


def into(target: _np.ndarray, run):
    """Runs ``run(mirror)`` with a legate copy of ``target`` as its ``out``, then writes
    the mirror back into ``target`` (left untouched when ``run`` raises)."""
    from ._array import ndarray

    if not target.flags.writeable:
        raise ValueError("output array is read-only")
    mirror = ndarray._from_numpy(_np.array(target, copy=True))
    run(mirror)
    target[...] = mirror.__array__()
    return target


def accept(func):
    """``func`` taking a NumPy array as ``out`` too (itself when it has no ``out``)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return func
    if "out" not in params:
        return func
    names = list(params)
    param = params["out"]
    # The position ``out`` can be passed at (None: keyword only).
    pos = names.index("out") if param.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD else None

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if pos is not None and len(args) > pos:
            target = host(args[pos])
            if target is None:
                return func(*args, **kwargs)
            before, after = args[:pos], args[pos + 1 :]
            return into(target, lambda m: func(*before, m, *after, **kwargs))
        out = kwargs.get("out")
        if out is None:
            return func(*args, **kwargs)
        target = host(out)
        if target is None:
            return func(*args, **kwargs)
        return into(target, lambda m: func(*args, **dict(kwargs, out=m)))

    wrapper.__accepts_host_out__ = True
    return wrapper


def install(namespace: dict, klass=None) -> None:
    """Wraps, in place, the functions of a module namespace (and the methods of
    ``klass``) that take ``out``; one wrapper per function object, so aliases stay
    the same object."""
    done: dict = {}

    def wrap(f):
        if getattr(f, "__accepts_host_out__", False):
            return f
        w = done.get(id(f))
        if w is None:
            w = done[id(f)] = accept(f)
        return w

    for name, obj in list(namespace.items()):
        if name.startswith("_") or not inspect.isfunction(obj):
            continue
        namespace[name] = wrap(obj)
    if klass is not None:
        for name, obj in list(vars(klass).items()):
            if not name.startswith("_") and inspect.isfunction(obj):
                setattr(klass, name, wrap(obj))
