"""``LinearOperator``: something that computes ``A @ x``, and ``aslinearoperator``.

Vectors are legate_numeric arrays throughout; a sparse array, a dense (legate or
NumPy) matrix or an object with ``shape`` and ``matvec`` becomes an operator.
"""

from __future__ import annotations

import numpy as _np

import legate_numeric as lnp

from .._base import _spbase
from .._sputils import as_legate

__all__ = ["LinearOperator", "aslinearoperator"]


class LinearOperator:
    """SciPy's ``LinearOperator``: give ``shape`` and ``matvec`` (and optionally
    ``rmatvec``, ``matmat``, ``dtype``), or subclass and define ``_matvec``."""

    def __init__(self, shape=None, matvec=None, rmatvec=None, matmat=None, dtype=None, rmatmat=None):
        if shape is None:
            raise TypeError("LinearOperator needs a shape")
        if type(self) is LinearOperator and matvec is None:  # SciPy's _CustomLinearOperator
            raise TypeError("LinearOperator needs a matvec (or subclass it and define _matvec)")
        shape = tuple(int(s) for s in shape)
        if len(shape) != 2 or shape[0] < 0 or shape[1] < 0:
            raise ValueError(f"invalid shape {shape!r} (must be 2-d)")
        self.shape = shape
        self._fn_matvec, self._fn_rmatvec, self._fn_matmat, self._fn_rmatmat = matvec, rmatvec, matmat, rmatmat
        self.dtype = _np.dtype(dtype) if dtype is not None else None
        if self.dtype is None:
            self.dtype = _np.dtype(_np.float64)
            if self._fn_matvec is not None or type(self)._matvec is not LinearOperator._matvec:
                probe = self.matvec(lnp.zeros(shape[1]))
                self.dtype = _np.dtype(probe.dtype)

    ndim = 2

    def _matvec(self, x):
        if self._fn_matvec is None:
            if type(self)._matmat is not LinearOperator._matmat:
                return self._matmat(x.reshape(-1, 1)).reshape(-1)
            raise NotImplementedError("this LinearOperator has no matvec")
        return self._fn_matvec(x)

    def _rmatvec(self, x):
        if self._fn_rmatvec is None:
            raise NotImplementedError("rmatvec is not defined")
        return self._fn_rmatvec(x)

    def _matmat(self, X):
        if self._fn_matmat is not None:
            return self._fn_matmat(X)
        cols = [self.matvec(X[:, j]).reshape(-1, 1) for j in range(X.shape[1])]
        return lnp.hstack(cols) if cols else lnp.zeros((self.shape[0], 0), self.dtype)

    def matvec(self, x):
        """``A @ x`` for a vector ``x`` of shape (N,) or (N, 1)."""
        x = as_legate(x)
        if x.shape not in ((self.shape[1],), (self.shape[1], 1)):
            raise ValueError(f"dimension mismatch: operator {self.shape}, vector {x.shape}")
        y = as_legate(self._matvec(x.reshape(-1)))
        return y.reshape(-1, 1) if x.ndim == 2 else y.reshape(-1)

    def rmatvec(self, x):
        """``A^H @ x``."""
        x = as_legate(x)
        if x.shape not in ((self.shape[0],), (self.shape[0], 1)):
            raise ValueError(f"dimension mismatch: operator {self.shape}, vector {x.shape}")
        y = as_legate(self._rmatvec(x.reshape(-1)))
        return y.reshape(-1, 1) if x.ndim == 2 else y.reshape(-1)

    def _rmatmat(self, X):
        if self._fn_rmatmat is not None:
            return self._fn_rmatmat(X)
        cols = [self.rmatvec(X[:, j]).reshape(-1, 1) for j in range(X.shape[1])]
        return lnp.hstack(cols) if cols else lnp.zeros((self.shape[1], 0), self.dtype)

    def rmatmat(self, X):
        """``A^H @ X`` for a dense 2-d ``X``."""
        X = as_legate(X)
        if X.ndim != 2 or X.shape[0] != self.shape[0]:
            raise ValueError(f"dimension mismatch: operator {self.shape}, matrix {X.shape}")
        return as_legate(self._rmatmat(X))

    def matmat(self, X):
        """``A @ X`` for a dense 2-d ``X``."""
        X = as_legate(X)
        if X.ndim != 2 or X.shape[0] != self.shape[1]:
            raise ValueError(f"dimension mismatch: operator {self.shape}, matrix {X.shape}")
        return as_legate(self._matmat(X))

    def dot(self, x):
        if isinstance(x, LinearOperator):
            return _ProductOperator(self, x)
        if _np.isscalar(x):
            return _ScaledOperator(self, x)
        x = as_legate(x)
        return self.matvec(x) if x.ndim == 1 or x.shape == (self.shape[1], 1) else self.matmat(x)

    __matmul__ = dot
    __call__ = dot

    def __mul__(self, x):
        return self.dot(x)

    def __rmul__(self, x):
        if _np.isscalar(x):
            return _ScaledOperator(self, x)
        return NotImplemented

    def __add__(self, other):
        if not isinstance(other, LinearOperator):
            return NotImplemented
        return LinearOperator(self.shape, matvec=lambda x: self.matvec(x) + other.matvec(x),
                              dtype=_np.result_type(self.dtype, other.dtype))

    def __pow__(self, p):
        """``A @ A @ ... @ A`` (``p`` factors), as SciPy's ``_PowerOperator``."""
        if not _np.isscalar(p):
            return NotImplemented
        if self.shape[0] != self.shape[1]:
            raise ValueError(f"square LinearOperator expected, got {self!r}")
        if not isinstance(p, (int, _np.integer)) or p < 0:
            raise ValueError("p must be a non-negative integer.")

        def power(x):
            for _ in range(int(p)):
                x = self.matvec(x)
            return x

        return LinearOperator(self.shape, matvec=power, dtype=self.dtype)

    def __neg__(self):
        return _ScaledOperator(self, -1)

    def __sub__(self, other):
        return self + (-other)

    def adjoint(self):
        return LinearOperator(self.shape[::-1], matvec=self.rmatvec, rmatvec=self.matvec, dtype=self.dtype)

    H = property(adjoint)

    def transpose(self):
        if self.dtype.kind == "c":
            return LinearOperator(self.shape[::-1], matvec=lambda x: lnp.conj(self.rmatvec(lnp.conj(x))), dtype=self.dtype)
        return self.adjoint()

    T = property(transpose)

    def __repr__(self):
        return f"<{self.shape[0]}x{self.shape[1]} {type(self).__name__} with dtype={self.dtype}>"


class _ScaledOperator(LinearOperator):
    def __init__(self, A, alpha):
        self.A, self.alpha = A, alpha
        super().__init__(A.shape, matvec=lambda x: alpha * A.matvec(x), dtype=_np.result_type(A.dtype, _np.result_type(alpha)))


class _ProductOperator(LinearOperator):
    def __init__(self, A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"cannot multiply operators of shapes {A.shape} and {B.shape}")
        super().__init__((A.shape[0], B.shape[1]), matvec=lambda x: A.matvec(B.matvec(x)), dtype=_np.result_type(A.dtype, B.dtype))


class _MatrixOperator(LinearOperator):
    """An operator over a sparse or dense matrix (products through its ``@``)."""

    def __init__(self, A):
        self.A = A
        super().__init__(A.shape, dtype=A.dtype)

    def _matvec(self, x):
        return self.A @ x

    def _matvec_dot(self, x):
        """``(A @ x, x^H A x)`` in one pass for a CSR matrix of ``x``'s dtype (CG's
        product and ``p·(A p)``); None for other operands."""
        A = self.A
        if not isinstance(A, _spbase) or getattr(A, "format", None) != "csr" or A.dtype != x.dtype or x.ndim != 1:
            return None
        from .. import _kernels

        return _kernels.spmv_dot(A, x)

    def _matmat(self, X):
        return self.A @ X

    def _rmatvec(self, x):
        return lnp.conj(self.A.T @ lnp.conj(x)) if self.dtype.kind == "c" else self.A.T @ x

    _rmatmat = _rmatvec


class IdentityOperator(LinearOperator):
    def __init__(self, shape, dtype=None):
        super().__init__(shape, dtype=dtype or _np.float64)

    def _matvec(self, x):
        return x

    def _rmatvec(self, x):
        return x

    def _matmat(self, X):
        return X

    _rmatmat = _matmat


def aslinearoperator(A) -> LinearOperator:
    """``A`` as a ``LinearOperator`` (sparse arrays, dense matrices, operators, and
    objects with ``shape`` and ``matvec``)."""
    if isinstance(A, LinearOperator):
        return A
    if isinstance(A, _spbase):
        return _MatrixOperator(A)
    if isinstance(A, (lnp.ndarray, _np.ndarray)):
        A = as_legate(A)
        if A.ndim == 1:
            A = A.reshape(-1, 1)
        if A.ndim != 2:
            raise ValueError("array must be 2-d")
        return _MatrixOperator(A)
    if hasattr(A, "shape") and hasattr(A, "matvec"):
        return LinearOperator(A.shape, matvec=A.matvec, rmatvec=getattr(A, "rmatvec", None), dtype=getattr(A, "dtype", None))
    try:
        import scipy.sparse as _sp

        if _sp.issparse(A):
            from .._base import _from_scipy_sparse

            return _MatrixOperator(_from_scipy_sparse(A.tocsr()))
    except ImportError:  # pragma: no cover
        pass
    raise TypeError("type not understood")
