"""Set routines and the array API's cumulative functions (NumPy's "Set routines" and
``cumulative_sum``/``cumulative_prod``): ``unique_all unique_counts unique_inverse
unique_values intersect1d union1d setdiff1d setxor1d cumulative_sum cumulative_prod``.

All are built on the native ``unique`` (a stable sort and a comparison of neighbours),
``sort``, ``isin`` and the scans.
"""

from __future__ import annotations

from typing import NamedTuple


from . import _fallback
from ._array import _normalize_axis, ndarray
from ._creation import asarray
from ._manip import concatenate, ravel
from ._sort import argsort, isin, sort, unique


class UniqueAllResult(NamedTuple):
    values: ndarray
    indices: ndarray
    inverse_indices: ndarray
    counts: ndarray


class UniqueCountsResult(NamedTuple):
    values: ndarray
    counts: ndarray


class UniqueInverseResult(NamedTuple):
    values: ndarray
    inverse_indices: ndarray


def unique_all(x):
    """The distinct values (NaNs kept apart), first indices, inverse and counts."""
    _fallback.record_native("unique_all")
    values, indices, inverse, counts = unique(asarray(x), True, True, True, equal_nan=False)
    return UniqueAllResult(values, indices, inverse, counts)


def unique_counts(x):
    """The distinct values (NaNs kept apart) and their counts."""
    _fallback.record_native("unique_counts")
    values, counts = unique(asarray(x), return_counts=True, equal_nan=False)
    return UniqueCountsResult(values, counts)


def unique_inverse(x):
    """The distinct values (NaNs kept apart) and the inverse, of ``x``'s shape."""
    _fallback.record_native("unique_inverse")
    values, inverse = unique(asarray(x), return_inverse=True, equal_nan=False)
    return UniqueInverseResult(values, inverse)


def unique_values(x):
    """The distinct values (NaNs kept apart), sorted (NumPy leaves the order
    unspecified, and gives them unsorted for integers)."""
    _fallback.record_native("unique_values")
    return unique(asarray(x), equal_nan=False)


def _adjacent_equal(aux: ndarray) -> ndarray:
    """``aux[1:] == aux[:-1]`` (an empty mask for fewer than two values)."""
    return aux[1:] == aux[:-1]


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """The sorted values in both arrays (with their first indices in each)."""
    from ._creation import arange

    _fallback.record_native("intersect1d")
    a1, a2 = ravel(asarray(ar1)), ravel(asarray(ar2))
    if not assume_unique:
        if return_indices:
            a1, ind1 = unique(a1, return_index=True)
            a2, ind2 = unique(a2, return_index=True)
        else:
            a1, a2 = unique(a1), unique(a2)
    elif return_indices:
        ind1, ind2 = arange(a1.size), arange(a2.size)
    aux = concatenate((a1, a2))
    if return_indices:
        order = argsort(aux, kind="stable")
        aux = aux[order]
    else:
        aux = sort(aux)
    same = _adjacent_equal(aux) if aux.size else aux.astype(bool)
    common = aux[:-1][same] if aux.size else aux
    if not return_indices:
        return common
    first = order[:-1][same]
    second = order[1:][same] - a1.size
    return common, ind1[first], ind2[second]


def union1d(ar1, ar2):
    """The sorted distinct values of both arrays."""
    _fallback.record_native("union1d")
    return unique(concatenate((ravel(asarray(ar1)), ravel(asarray(ar2)))))


def setdiff1d(ar1, ar2, assume_unique=False):
    """The sorted distinct values of ``ar1`` that are not in ``ar2`` (``ar1`` as
    given, flattened, with ``assume_unique``)."""
    _fallback.record_native("setdiff1d")
    a1 = ravel(asarray(ar1)) if assume_unique else unique(asarray(ar1))
    return a1[isin(a1, asarray(ar2), assume_unique=True, invert=True)]


def setxor1d(ar1, ar2, assume_unique=False):
    """The sorted values in exactly one of the arrays."""
    from ._creation import ones

    _fallback.record_native("setxor1d")
    a1, a2 = ravel(asarray(ar1)), ravel(asarray(ar2))
    if not assume_unique:
        a1, a2 = unique(a1), unique(a2)
    aux = sort(concatenate((a1, a2)))
    if aux.size == 0:
        return aux
    flag = ones((aux.size + 1,), bool)
    flag[1:-1] = aux[1:] != aux[:-1]
    return aux[flag[1:] & flag[:-1]]


def _cumulative(name, scan, identity, x, axis, dtype, out, include_initial):
    from ._creation import full

    a = asarray(x)
    if a.ndim == 0:
        a = a.reshape((1,))
    if axis is None:
        if a.ndim > 1:
            raise ValueError("For arrays which have more than one dimension ``axis`` argument is required.")
        axis = 0
    axis = _normalize_axis(axis, a.ndim)
    _fallback.record_native(name)
    result = scan(a, axis=axis, dtype=dtype)
    if include_initial:
        shape = list(result.shape)
        shape[axis] = 1
        result = concatenate((full(tuple(shape), identity, result.dtype), result), axis=axis)
    if out is not None:
        out[...] = result
        return out
    return result


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Running sums along ``axis`` (optionally starting with 0)."""
    from ._scan import cumsum

    return _cumulative("cumulative_sum", cumsum, 0, x, axis, dtype, out, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Running products along ``axis`` (optionally starting with 1)."""
    from ._scan import cumprod

    return _cumulative("cumulative_prod", cumprod, 1, x, axis, dtype, out, include_initial)
