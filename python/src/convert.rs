//! Conversions at the Python boundary: errors to exceptions, dtype names to types,
//! Python numbers to typed scalars.

use legate_core::{LegateError, Runtime, Scalar, Type};
use num_complex::{Complex32, Complex64};
use pyo3::exceptions::{PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::time::Duration;

/// The exception NumPy would raise for the same problem.
pub fn to_py(err: LegateError) -> PyErr {
    let msg = err.to_string();
    match err {
        LegateError::OutOfMemory { .. } => PyMemoryError::new_err(msg),
        // NumPy's own words, without the runtime's "invalid argument:" prefix.
        LegateError::InvalidArgument(m) => PyValueError::new_err(m),
        LegateError::ShapeMismatch(_) => PyValueError::new_err(msg),
        LegateError::TypeMismatch(_) => PyTypeError::new_err(msg),
        LegateError::Unsupported(_) => PyNotImplementedError::new_err(msg),
        LegateError::TaskFailed { message, .. } => task_error(message),
        LegateError::ManyTaskErrors(_, first) => to_py(*first),
        _ => PyRuntimeError::new_err(msg),
    }
}

/// Task errors carry NumPy's messages; map the known ones back to NumPy's types.
fn task_error(message: String) -> PyErr {
    if message.starts_with("Integers to negative integer powers") || message.contains("out of bounds") {
        return if message.contains("out of bounds") {
            pyo3::exceptions::PyIndexError::new_err(message)
        } else {
            PyValueError::new_err(message)
        };
    }
    if message.contains("is not supported for") || message.contains("numpy boolean subtract") {
        return PyTypeError::new_err(message);
    }
    PyRuntimeError::new_err(message)
}

pub type PyLegateResult<T> = Result<T, PyErr>;

pub trait IntoPy<T> {
    fn py(self) -> PyLegateResult<T>;
}

impl<T> IntoPy<T> for legate_core::Result<T> {
    fn py(self) -> PyLegateResult<T> {
        self.map_err(to_py)
    }
}

pub fn runtime() -> PyLegateResult<Runtime> {
    Runtime::global().py()
}

/// Waits without the GIL until `poll` (given a time slice) returns Some, checking for
/// Ctrl-C between slices. On an interrupt, work that has not started is cancelled
/// (`Runtime::cancel_pending`) and the `KeyboardInterrupt` is raised.
pub fn wait_interruptibly<T: Send>(py: Python<'_>, poll: impl Fn(Duration) -> Option<T> + Sync) -> PyLegateResult<T> {
    loop {
        if let Some(v) = py.detach(|| poll(Duration::from_millis(50))) {
            return Ok(v);
        }
        if let Err(interrupt) = py.check_signals() {
            runtime()?.cancel_pending();
            return Err(interrupt);
        }
    }
}

/// Waits (interruptibly) for the writers of `store`; raises the error of a failed one.
pub fn wait_store(py: Python<'_>, store: &legate_core::LogicalStore) -> PyLegateResult<()> {
    let rt = runtime()?;
    wait_interruptibly(py, |slice| rt.wait_store_for(store, slice))?.py()
}

/// A type from a NumPy dtype name (`"float64"`, `"bool"`, ...).
pub fn dtype(name: &str) -> PyLegateResult<Type> {
    Type::from_name(name).ok_or_else(|| PyTypeError::new_err(format!("data type '{name}' is not supported by legate")))
}

/// `value` as a scalar of type `ty` (NumPy casting of a Python number).
pub fn scalar(value: &Bound<'_, PyAny>, ty: &Type) -> PyLegateResult<Scalar> {
    let real = |v: &Bound<'_, PyAny>| -> PyLegateResult<f64> {
        if let Ok(c) = v.extract::<Complex64>() {
            return Ok(c.re);
        }
        v.extract::<f64>()
    };
    let int = |v: &Bound<'_, PyAny>| -> PyLegateResult<i128> {
        if let Ok(i) = v.extract::<i128>() {
            return Ok(i);
        }
        Ok(real(v)? as i128)
    };
    Ok(match ty {
        Type::Bool => Scalar::new(value.is_truthy()?),
        Type::Int8 => Scalar::new(int(value)? as i8),
        Type::Int16 => Scalar::new(int(value)? as i16),
        Type::Int32 => Scalar::new(int(value)? as i32),
        Type::Int64 => Scalar::new(int(value)? as i64),
        Type::UInt8 => Scalar::new(int(value)? as u8),
        Type::UInt16 => Scalar::new(int(value)? as u16),
        Type::UInt32 => Scalar::new(int(value)? as u32),
        Type::UInt64 => Scalar::new(int(value)? as u64),
        Type::Float16 => Scalar::new(half::f16::from_f64(real(value)?)),
        Type::Float32 => Scalar::new(real(value)? as f32),
        Type::Float64 => Scalar::new(real(value)?),
        Type::Complex64 => {
            let c: Complex64 = value.extract().or_else(|_| real(value).map(|r| Complex64::new(r, 0.0)))?;
            Scalar::new(Complex32::new(c.re as f32, c.im as f32))
        }
        Type::Complex128 => Scalar::new(value.extract::<Complex64>().or_else(|_| real(value).map(|r| Complex64::new(r, 0.0)))?),
        other => return Err(PyTypeError::new_err(format!("no scalars of type {other}"))),
    })
}
