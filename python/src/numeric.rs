//! The numeric kernels, callable from `legate_numeric` with stores and Python scalars.

use crate::convert::{runtime, scalar, IntoPy};
use crate::store::PyStore;
use legate_numeric::{BinaryOp, Numeric, Operand, ReduceOp, UnaryOp};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::OnceLock;

pub(crate) fn numeric() -> PyResult<&'static Numeric> {
    static LIB: OnceLock<Numeric> = OnceLock::new();
    if let Some(n) = LIB.get() {
        return Ok(n);
    }
    let n = Numeric::register(&runtime()?).py()?;
    Ok(LIB.get_or_init(|| n))
}

/// The Python function that reports floating-point errors (`legate_numeric._fperr.report`).
static FP_HOOK: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();

/// Registers the function called with `[(name, flags), ...]` when kernels raised
/// floating-point errors (NumPy's flag bits: 1 divide, 2 overflow, 4 underflow, 8 invalid).
#[pyfunction]
fn set_fp_hook(py: Python<'_>, hook: Py<PyAny>) -> PyResult<()> {
    FP_HOOK.set(py, hook).map_err(|_| PyValueError::new_err("the floating-point hook is already set"))
}

/// Hands the queued floating-point errors to the hook (which warns or raises as
/// `numpy.errstate` says); one atomic load when there are none.
#[inline]
pub(crate) fn report_fp(py: Python<'_>) -> PyResult<()> {
    report_fp_keeping(py, false)
}

/// [`report_fp`]; with `keep_raised`, events whose report raised stay queued, to be
/// raised again by the next report (for callers whose caller may swallow the error).
pub(crate) fn report_fp_keeping(py: Python<'_>, keep_raised: bool) -> PyResult<()> {
    if !legate_numeric::fperr::pending() {
        return Ok(());
    }
    let taken = legate_numeric::fperr::take();
    let events: Vec<(&'static str, u32)> = taken.iter().map(|e| (e.name, e.flags)).collect();
    match FP_HOOK.get(py) {
        Some(hook) if !events.is_empty() => hook.call1(py, (events,)).map(|_| ()).inspect_err(|_| {
            if keep_raised {
                legate_numeric::fperr::requeue(taken);
            }
        }),
        _ => Ok(()),
    }
}

/// Reports the queued floating-point errors now (after a wait, say).
#[pyfunction]
fn check_fp(py: Python<'_>) -> PyResult<()> {
    report_fp(py)
}

fn unknown(kind: &str, name: &str) -> PyErr {
    PyValueError::new_err(format!("no native {kind} named '{name}'"))
}

/// `out = op(input)`.
#[pyfunction]
fn unary(py: Python<'_>, op: &str, input: &PyStore, out: &PyStore) -> PyResult<()> {
    let op = UnaryOp::from_name(op).ok_or_else(|| unknown("ufunc", op))?;
    numeric()?.unary(op, &input.inner, &out.inner).py()?;
    report_fp(py)
}

/// `out = op(a, b)`: each operand a store of `out`'s shape or a Python number.
#[pyfunction]
fn binary(py: Python<'_>, op: &str, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, out: &PyStore, dtype: &str) -> PyResult<()> {
    let op = BinaryOp::from_name(op).ok_or_else(|| unknown("ufunc", op))?;
    let ty = crate::convert::dtype(dtype)?;
    let (a, b) = (PyOperand::new(a, &ty)?, PyOperand::new(b, &ty)?);
    numeric()?.binary(op, a.operand(), b.operand(), &out.inner).py()?;
    report_fp(py)
}

/// An operand from Python: a store, or a number converted to the operation's type.
enum PyOperand {
    Store(legate_core::LogicalStore),
    Scalar(legate_core::Scalar),
}

impl PyOperand {
    fn new(obj: &Bound<'_, PyAny>, ty: &legate_core::Type) -> PyResult<PyOperand> {
        Ok(match obj.cast::<PyStore>() {
            Ok(s) => PyOperand::Store(s.get().inner.clone()),
            Err(_) => PyOperand::Scalar(scalar(obj, ty)?),
        })
    }

    fn operand(&self) -> Operand<'_> {
        match self {
            PyOperand::Store(s) => Operand::Store(s),
            PyOperand::Scalar(v) => Operand::Scalar(v.clone()),
        }
    }
}

/// `out = input.astype(out.dtype)`.
#[pyfunction]
fn convert(py: Python<'_>, input: &PyStore, out: &PyStore) -> PyResult<()> {
    numeric()?.convert(&input.inner, &out.inner).py()?;
    report_fp(py)
}

/// `ufunc.at`: `target[i] = op(target[i], v)` for the int64 `indices` and `values` in
/// turn (1-d stores; repeated indices accumulate). Raises for an index out of bounds.
#[pyfunction]
fn at(py: Python<'_>, op: &str, target: &PyStore, indices: &PyStore, values: &PyStore) -> PyResult<()> {
    let op = BinaryOp::from_name(op).ok_or_else(|| unknown("ufunc", op))?;
    numeric()?.at(op, &target.inner, &indices.inner, &values.inner).py()?;
    report_fp(py)
}

/// `out[i] = start + i * step`.
#[pyfunction]
fn arange(out: &PyStore, start: &Bound<'_, PyAny>, step: &Bound<'_, PyAny>) -> PyResult<()> {
    let integral = out.inner.ty().is_integral() || *out.inner.ty() == legate_core::Type::Bool;
    let (s0, s1) = if integral {
        (legate_core::Scalar::new(start.extract::<i64>()?), legate_core::Scalar::new(step.extract::<i64>()?))
    } else {
        (legate_core::Scalar::new(start.extract::<f64>()?), legate_core::Scalar::new(step.extract::<f64>()?))
    };
    numeric()?.arange(&out.inner, s0, s1).py()
}

/// Reduces all of `input`; returns a one-element store.
#[pyfunction]
fn reduce_all(op: &str, input: &PyStore) -> PyResult<PyStore> {
    let op = ReduceOp::from_name(op).ok_or_else(|| unknown("reduction", op))?;
    Ok(PyStore::new(numeric()?.reduce_all(op, &input.inner).py()?))
}

/// The sum of products of same-shaped, same-typed `a` and `b`, as a one-element store.
#[pyfunction]
fn dot(a: &PyStore, b: &PyStore) -> PyResult<PyStore> {
    Ok(PyStore::new(numeric()?.dot(&a.inner, &b.inner).py()?))
}

/// Reduces `input` along `axes` into `out`.
#[pyfunction]
fn reduce_axes(op: &str, input: &PyStore, axes: Vec<usize>, out: &PyStore) -> PyResult<()> {
    let op = ReduceOp::from_name(op).ok_or_else(|| unknown("reduction", op))?;
    numeric()?.reduce_axes(op, &input.inner, &axes, &out.inner).py()
}

/// `out = a @ b` (2-d).
#[pyfunction]
fn matmul(a: &PyStore, b: &PyStore, out: &PyStore) -> PyResult<()> {
    numeric()?.matmul(&a.inner, &b.inner, &out.inner).py()
}


/// `out = where(cond, x, y)`: `x`/`y` stores of `out`'s shape and type, or numbers.
#[pyfunction]
fn select(cond: &PyStore, x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>, out: &PyStore) -> PyResult<()> {
    let ty = out.inner.ty().clone();
    let (x, y) = (PyOperand::new(x, &ty)?, PyOperand::new(y, &ty)?);
    numeric()?.select(&cond.inner, x.operand(), y.operand(), &out.inner).py()
}

/// Copies `input` into the C-contiguous `out` of another shape (row-major order).
#[pyfunction]
fn reshape_copy(input: &PyStore, out: &PyStore) -> PyResult<()> {
    numeric()?.reshape(&input.inner, &out.inner).py()
}


/// Fills `out` with random numbers: `dist` is "uniform", "normal" or "integers";
/// `a`/`b` are low/high, loc/scale (floats) or low/range (integers, as u64 bits).
#[pyfunction]
fn random_fill(out: &PyStore, dist: &str, seed: u64, draw: u64, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<()> {
    let d = legate_numeric::Distribution::from_name(dist).ok_or_else(|| unknown("distribution", dist))?;
    let (p0, p1) = if d == legate_numeric::Distribution::Integers {
        (legate_core::Scalar::new(a.extract::<u64>()?), legate_core::Scalar::new(b.extract::<u64>()?))
    } else {
        (legate_core::Scalar::new(a.extract::<f64>()?), legate_core::Scalar::new(b.extract::<f64>()?))
    };
    numeric()?.random(&out.inner, d, seed, draw, p0, p1).py()
}

/// Fills `out` (float64, or int64 for discrete distributions) with per-element draws
/// of the sampler `dist`; `params` are floats or float64 stores of `out`'s shape.
#[pyfunction]
fn random_sample(out: &PyStore, dist: &str, seed: u64, draw: u64, params: Vec<Bound<'_, PyAny>>) -> PyResult<()> {
    let d = legate_numeric::Sampler::from_name(dist).ok_or_else(|| unknown("distribution", dist))?;
    let ops = params.iter().map(|p| PyOperand::new(p, &legate_core::Type::Float64)).collect::<PyResult<Vec<_>>>()?;
    let ops: Vec<_> = ops.iter().map(|o| o.operand()).collect();
    numeric()?.random_sample(&out.inner, d, seed, draw, &ops).py()
}

/// Sorts `input` along `axis` into `out` (its values, or int64 positions for argsort);
/// with `kth` (ascending positions), partitions it around them instead.
#[pyfunction]
#[pyo3(signature = (input, out, axis, indices, kth=Vec::new()))]
fn sort(input: &PyStore, out: &PyStore, axis: usize, indices: bool, kth: Vec<usize>) -> PyResult<()> {
    if kth.is_empty() {
        numeric()?.sort(&input.inner, &out.inner, axis, indices).py()
    } else {
        numeric()?.partition(&input.inner, &out.inner, axis, indices, &kth).py()
    }
}

/// The sorted values of 1-d `input` as a new store, sorted across ranks (sample sort).
#[pyfunction]
fn sort_distributed(input: &PyStore) -> PyResult<PyStore> {
    Ok(PyStore::new(numeric()?.sort_distributed(&input.inner).py()?))
}

/// Insertion positions of `values` in the sorted 1-d `sorted`, into the int64 `out`.
#[pyfunction]
fn searchsorted(sorted: &PyStore, values: &PyStore, out: &PyStore, right: bool) -> PyResult<()> {
    numeric()?.searchsorted(&sorted.inner, &values.inner, &out.inner, right).py()
}

/// Adds to `bins` one (or the weight) per int64 value of `values`.
#[pyfunction]
#[pyo3(signature = (values, weights, bins))]
fn bincount(values: &PyStore, weights: Option<&PyStore>, bins: &PyStore) -> PyResult<()> {
    numeric()?.bincount(&values.inner, weights.map(|w| &w.inner), &bins.inner).py()
}

/// `ufunc.reduce` (with `init`: from it, where `mask` is set) or `ufunc.accumulate`
/// of binary `op` along `axis`, sequentially in NumPy's order; `kind` names the method
/// in floating-point messages (`reduce`, `accumulate`, `reduceat`).
#[pyfunction]
#[pyo3(signature = (op, kind, input, init, mask, out, axis))]
fn fold(py: Python<'_>, op: &str, kind: &str, input: &PyStore, init: Option<&PyStore>, mask: Option<&PyStore>, out: &PyStore, axis: usize) -> PyResult<()> {
    let op = BinaryOp::from_name(op).ok_or_else(|| unknown("ufunc", op))?;
    let kind = legate_numeric::tasks::fold::KINDS.iter().position(|k| *k == kind).ok_or_else(|| unknown("fold", kind))? as u32;
    numeric()?.fold(op, kind, &input.inner, init.map(|i| &i.inner), mask.map(|m| &m.inner), &out.inner, axis).py()?;
    report_fp(py)
}

/// Inclusive scan of `input` along `axis` into `out` (same shape and dtype).
#[pyfunction]
fn scan(op: &str, input: &PyStore, out: &PyStore, axis: usize) -> PyResult<()> {
    let op = ReduceOp::from_name(op).ok_or_else(|| unknown("scan", op))?;
    numeric()?.scan(op, &input.inner, &out.inner, axis).py()
}

/// The flat index of the first maximum (`argmax`) or minimum of `input`: a one-element
/// int64 store.
#[pyfunction]
fn arg_reduce_all(argmax: bool, input: &PyStore) -> PyResult<PyStore> {
    Ok(PyStore::new(numeric()?.arg_reduce_all(argmax, &input.inner).py()?))
}

/// `argmax`/`argmin` of `input` along `axis` into the int64 `out`.
#[pyfunction]
fn arg_reduce_axis(argmax: bool, input: &PyStore, axis: usize, out: &PyStore) -> PyResult<()> {
    numeric()?.arg_reduce_axis(argmax, &input.inner, axis, &out.inner).py()
}


/// `out = cholesky(a)` (lower factor), one point; errors carry a `LinAlgError:` marker.
#[pyfunction]
fn cholesky(py: Python<'_>, a: &PyStore, out: &PyStore) -> PyResult<()> {
    numeric()?.cholesky(&a.inner, &out.inner).py()?;
    // NumPy raises eagerly: wait for the one point so its error surfaces here.
    crate::convert::wait_store(py, &out.inner)
}

/// `out = solve(a, b)`, one point; errors carry a `LinAlgError:` marker.
#[pyfunction]
fn solve(py: Python<'_>, a: &PyStore, b: &PyStore, out: &PyStore) -> PyResult<()> {
    numeric()?.solve(&a.inner, &b.inner, &out.inner).py()?;
    crate::convert::wait_store(py, &out.inner)
}

/// `A = Q R` for a stack of matrices (float64/complex128): `r` reduced or complete as
/// its shape says, `q` optional; one point, waited for.
#[pyfunction]
#[pyo3(signature = (a, q, r))]
fn qr(py: Python<'_>, a: &PyStore, q: Option<&PyStore>, r: &PyStore) -> PyResult<()> {
    numeric()?.qr(&a.inner, q.map(|q| &q.inner), &r.inner).py()?;
    crate::convert::wait_store(py, &r.inner)
}

/// NumPy's `qr(mode='raw')` of a stack of matrices: `h` (A's shape) and `tau`.
#[pyfunction]
fn qr_raw(py: Python<'_>, a: &PyStore, h: &PyStore, tau: &PyStore) -> PyResult<()> {
    numeric()?.qr_raw(&a.inner, &h.inner, &tau.inner).py()?;
    crate::convert::wait_store(py, &h.inner)
}

/// The SVD of a stack of matrices: `s`, and `u`, `vh` when given (thin or full, as
/// their shapes say); `hermitian` from the eigendecomposition. Errors carry a
/// `LinAlgError:` marker.
#[pyfunction]
#[pyo3(signature = (a, s, u, vh, hermitian))]
fn svd(py: Python<'_>, a: &PyStore, s: &PyStore, u: Option<&PyStore>, vh: Option<&PyStore>, hermitian: bool) -> PyResult<()> {
    let uv = match (u, vh) {
        (Some(u), Some(vh)) => Some((&u.inner, &vh.inner)),
        (None, None) => None,
        _ => return Err(PyValueError::new_err("svd: give both U and V^H, or neither")),
    };
    numeric()?.svd(&a.inner, &s.inner, uv, hermitian).py()?;
    crate::convert::wait_store(py, &s.inner)
}

/// Eigenvalues `w` and optionally eigenvectors `v` (complex128) of square matrices.
#[pyfunction]
#[pyo3(signature = (a, w, v))]
fn eig(py: Python<'_>, a: &PyStore, w: &PyStore, v: Option<&PyStore>) -> PyResult<()> {
    numeric()?.eig(&a.inner, &w.inner, v.map(|v| &v.inner)).py()?;
    crate::convert::wait_store(py, &w.inner)
}

/// Eigenvalues `w` (float64) and optionally eigenvectors `v` of Hermitian matrices
/// (the `lower` or upper triangle read).
#[pyfunction]
#[pyo3(signature = (a, w, v, lower))]
fn eigh(py: Python<'_>, a: &PyStore, w: &PyStore, v: Option<&PyStore>, lower: bool) -> PyResult<()> {
    numeric()?.eigh(&a.inner, &w.inner, v.map(|v| &v.inner), lower).py()?;
    crate::convert::wait_store(py, &w.inner)
}

/// `sign` and `logdet` (float64) of square matrices, by LU.
#[pyfunction]
fn slogdet(py: Python<'_>, a: &PyStore, sign: &PyStore, logdet: &PyStore) -> PyResult<()> {
    numeric()?.slogdet(&a.inner, &sign.inner, &logdet.inner).py()?;
    crate::convert::wait_store(py, &sign.inner)
}

/// A discrete Fourier transform of length `n` of every line of `input` along `axis`
/// into `out`: `kind` is "c2c", "r2c" or "c2r"; `norm` NumPy's "backward", "ortho" or
/// "forward"; `conj` conjugates the real-to-complex output or the complex-to-real input.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn fft(input: &PyStore, out: &PyStore, axis: usize, kind: &str, inverse: bool, n: usize, norm: &str, conj: bool) -> PyResult<()> {
    let kind = match kind {
        "c2c" => legate_numeric::FftKind::ComplexToComplex,
        "r2c" => legate_numeric::FftKind::RealToComplex,
        "c2r" => legate_numeric::FftKind::ComplexToReal,
        other => return Err(unknown("fft kind", other)),
    };
    let norm = legate_numeric::FftNorm::from_name(norm)
        .ok_or_else(|| PyValueError::new_err(format!("Invalid norm value {norm}; should be \"backward\",\"ortho\" or \"forward\".")))?;
    numeric()?.fft(&input.inner, &out.inner, axis, kind, inverse, n, norm, conj).py()
}

/// What elementwise fusion did so far: `{"enabled", "tasks", "ops", "elided", "forwarded", "reused", "spares"}`.
#[pyfunction]
fn fusion_stats(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let n = numeric()?;
    let s = n.fusion_stats();
    let d = pyo3::types::PyDict::new(py);
    d.set_item("enabled", n.fusion_enabled())?;
    d.set_item("tasks", s.tasks)?;
    d.set_item("ops", s.ops)?;
    d.set_item("elided", s.elided)?;
    d.set_item("forwarded", s.forwarded)?;
    d.set_item("reused", s.reused)?;
    d.set_item("spares", s.spares)?;
    Ok(d)
}

/// Launches the elementwise operations held back for fusion.
#[pyfunction]
fn fusion_flush() -> PyResult<()> {
    numeric()?.flush().py()
}

/// Every numeric function of the extension.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fusion_stats, m)?)?;
    m.add_function(wrap_pyfunction!(fusion_flush, m)?)?;
    m.add_function(wrap_pyfunction!(unary, m)?)?;
    m.add_function(wrap_pyfunction!(binary, m)?)?;
    m.add_function(wrap_pyfunction!(convert, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    m.add_function(wrap_pyfunction!(reduce_all, m)?)?;
    m.add_function(wrap_pyfunction!(reduce_axes, m)?)?;
    m.add_function(wrap_pyfunction!(matmul, m)?)?;
    m.add_function(wrap_pyfunction!(select, m)?)?;
    m.add_function(wrap_pyfunction!(reshape_copy, m)?)?;
    m.add_function(wrap_pyfunction!(random_fill, m)?)?;
    m.add_function(wrap_pyfunction!(random_sample, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(fold, m)?)?;
    m.add_function(wrap_pyfunction!(arg_reduce_all, m)?)?;
    m.add_function(wrap_pyfunction!(arg_reduce_axis, m)?)?;
    m.add_function(wrap_pyfunction!(cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(dot, m)?)?;
    m.add_function(wrap_pyfunction!(sort, m)?)?;
    m.add_function(wrap_pyfunction!(sort_distributed, m)?)?;
    m.add_function(wrap_pyfunction!(searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(bincount, m)?)?;
    m.add_function(wrap_pyfunction!(at, m)?)?;
    m.add_function(wrap_pyfunction!(qr, m)?)?;
    m.add_function(wrap_pyfunction!(qr_raw, m)?)?;
    m.add_function(wrap_pyfunction!(svd, m)?)?;
    m.add_function(wrap_pyfunction!(eig, m)?)?;
    m.add_function(wrap_pyfunction!(eigh, m)?)?;
    m.add_function(wrap_pyfunction!(slogdet, m)?)?;
    m.add_function(wrap_pyfunction!(fft, m)?)?;
    m.add_function(wrap_pyfunction!(set_fp_hook, m)?)?;
    m.add_function(wrap_pyfunction!(check_fp, m)?)?;
    Ok(())
}
