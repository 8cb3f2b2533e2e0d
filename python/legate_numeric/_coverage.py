"""How much of NumPy's public surface is native, and the one list of what is not.

A NumPy name is *native* when legate_numeric defines it (in the package, a subpackage,
or as an ``ndarray`` attribute), as opposed to being served by the fallback
``__getattr__`` that runs NumPy on copies. Every public callable of NumPy's main
namespace, ``linalg``, ``fft`` and ``random``, and every public ``ndarray`` attribute,
must be native or listed in ``NOT_NATIVE`` with the reason (tests/python/numeric/
test_coverage.py checks both ways, so the list shrinks as names land).

``report()`` prints the numbers per namespace; ``LEGATE_NUMERIC_REPORT_COVERAGE=1``
prints them at exit too (with the functions that ran natively or fell back).
"""

from __future__ import annotations

import importlib

import numpy as _np


def _group(reason: str, names: str, prefix: str = "") -> dict:
    return {prefix + n: reason for n in names.split()}


# Keys: "name" (main namespace), "linalg.name", "fft.name", "random.name",
# "ndarray.name". Values: why the name is not native (out of scope, or what it needs).
NOT_NATIVE: dict[str, str] = {
    **_group(
        "out of scope: an array subclass or NumPy-specific class legate_numeric has no counterpart for",
        "asmatrix bmat matrix memmap recarray poly1d",
    ),
    **_group(
        "out of scope: datetime/timedelta types cannot be held in a store",
        "busday_count busday_offset busdaycalendar datetime_as_string datetime_data is_busday isnat",
    ),
    **_group(
        "out of scope: calls a Python function per element (no parallel form)",
        "frompyfunc vectorize",
    ),
    **_group(
        "out of scope: NumPy's own tooling (build, docs, test runner, configuration)",
        "get_include info show_config show_runtime test",
    ),
    **_group(
        "out of scope: NumPy's buffer iterators over host memory",
        "nditer nested_iters broadcast",
    ),
    # linalg
    "linalg.test": "out of scope: NumPy's test runner",
    # fft
    "fft.test": "out of scope: NumPy's test runner",
    # random
    "random.test": "out of scope: NumPy's test runner",
    # ndarray attributes
    **_group(
        "out of scope: exposes raw host memory (a store's memory is not a host buffer)",
        "base ctypes data getfield setfield byteswap",
        "ndarray.",
    ),
}

# Names legate_numeric defines that run on the host by design: the values are read back
# once (one gather; printing a large array reads only its edges) and NumPy's own
# formatter, writer or reader does the rest, so output and formats are exactly NumPy's.
HOST_ONLY: dict[str, str] = {
    **_group(
        "host-only: text for a person; one gather, then NumPy's formatter under NumPy's print options",
        "array2string array_repr array_str set_printoptions get_printoptions printoptions",
    ),
    **_group(
        "host-only: a byte stream on one host's file system; one gather (writing) or one upload (reading) "
        "around NumPy's writer/reader, so the file formats are NumPy's",
        "save savez savez_compressed load loadtxt savetxt genfromtxt fromfile fromregex fromstring",
    ),
    **_group(
        "host-only: host bytes or a pickle of the values; one gather",
        "tofile tobytes dump dumps",
        "ndarray.",
    ),
}

# Argument forms of native names that run in NumPy by design (the fallback's name for
# them, as its warning says): what NumPy's contract needs there is not array data a
# store can hold or a parallel computation.
HOST_FORMS: dict[str, str] = {
    "pad (callable mode)": "host-only: NumPy calls the user's function on each 1-d line of a host array, which "
    "it changes in place; one gather, NumPy's pad, one upload",
    "array (dtype ...)": "host-only: string, bytes and object arrays hold Python values a store cannot hold; "
    "they stay NumPy arrays (any `<U`/`S`/`O` dtype)",
}

NAMESPACES = ("main", "linalg", "fft", "random", "ndarray")


def _numpy_names(namespace: str) -> list[str]:
    """NumPy's public callables of a namespace (public attributes, for ``ndarray``)."""
    if namespace == "ndarray":
        return sorted(n for n in dir(_np.ndarray) if not n.startswith("_"))
    module = _np if namespace == "main" else getattr(_np, namespace)
    names = []
    for n in dir(module):
        if n.startswith("_"):
            continue
        obj = getattr(module, n)
        if callable(obj) and not isinstance(obj, type(_np)):
            names.append(n)
    return sorted(names)


def _is_native(namespace: str, name: str) -> bool:
    """Whether legate_numeric itself defines the name (not its fallback ``__getattr__``)."""
    if namespace == "ndarray":
        from ._array import ndarray

        return any(name in vars(klass) for klass in ndarray.__mro__ if klass is not object)
    module_name = "legate_numeric" if namespace == "main" else f"legate_numeric.{namespace}"
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return False
    return name in vars(module)


def key(namespace: str, name: str) -> str:
    return name if namespace == "main" else f"{namespace}.{name}"


def classify(namespace: str) -> dict[str, list[str]]:
    """NumPy's names of ``namespace`` split into native, listed (in ``NOT_NATIVE``) and
    unlisted (neither: what the coverage test reports)."""
    result: dict[str, list[str]] = {"native": [], "listed": [], "unlisted": []}
    for name in _numpy_names(namespace):
        if _is_native(namespace, name):
            result["native"].append(name)
        elif key(namespace, name) in NOT_NATIVE:
            result["listed"].append(name)
        else:
            result["unlisted"].append(name)
    return result


def _out_of_scope(namespace: str, name: str) -> bool:
    return NOT_NATIVE.get(key(namespace, name), "").startswith("out of scope")


def counts() -> dict[str, dict[str, int]]:
    """Per namespace: total, native, fallback (not yet native) and out-of-scope names;
    ``host_only``: how many of the native ones run on the host by design (HOST_ONLY)."""
    table = {}
    for ns in NAMESPACES:
        c = classify(ns)
        listed = c["listed"] + c["unlisted"]
        scope = sum(1 for n in listed if _out_of_scope(ns, n))
        table[ns] = {
            "total": len(c["native"]) + len(listed),
            "native": len(c["native"]),
            "fallback": len(listed) - scope,
            "out_of_scope": scope,
            "host_only": sum(1 for n in c["native"] if key(ns, n) in HOST_ONLY),
        }
    return table


def report(file=None) -> None:
    """Prints the coverage of NumPy's public surface, per namespace."""
    import sys

    out = file or sys.stdout
    print("legate_numeric coverage of NumPy's public callables:", file=out)
    for ns, c in counts().items():
        in_scope = c["total"] - c["out_of_scope"]
        share = 100.0 * c["native"] / in_scope if in_scope else 100.0
        print(
            f"  {ns:8s} {c['native']:4d} native, {c['fallback']:4d} fallback, {c['out_of_scope']:4d} out of scope "
            f"(of {c['total']}; {share:.0f}% of those in scope native; {c['host_only']} of the native host-only)",
            file=out,
        )
    print("  argument forms that run in NumPy by design: " + "; ".join(f"{k} ({v})" for k, v in HOST_FORMS.items()), file=out)
