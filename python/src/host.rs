//! Host views of stores for the protocols that share memory with other libraries (the
//! buffer protocol, DLPack, Arrow): mapping waits for the store's writers without the
//! GIL (interruptibly) and reports the floating-point errors they raised, as a
//! conversion to NumPy does. Imports go the other way: [`owner`] keeps another
//! library's memory alive under a store attached to it in place.

use crate::convert::{runtime, wait_store, IntoPy};
use crate::store::PyStore;
use legate_core::{HostView, LogicalStore, Type};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::intern;
use pyo3::types::PyCapsule;
use std::any::Any;

/// Maps `store` (writable: after every task touching it, and only if not read-only).
/// With `keep_raised`, floating-point errors whose report raised stay queued (the
/// buffer protocol: NumPy's `asarray` swallows a failed buffer request's error and
/// asks `__array__` next, which must raise it again).
pub fn map(py: Python<'_>, store: &LogicalStore, writable: bool, keep_raised: bool) -> PyResult<HostView> {
    wait_store(py, store)?;
    let rt = runtime()?;
    let view = py.detach(|| rt.map_store(store, writable)).py()?;
    crate::numeric::report_fp_keeping(py, keep_raised)?;
    Ok(view)
}

/// What keeps an attached store's memory alive (`Runtime::attach_store`): `value`,
/// held by a Python object, so that it is dropped with the GIL held even when the
/// runtime lets go of the storage on a worker thread (pyo3 defers the decrement until
/// a thread holds the GIL). Producers' release callbacks may take the GIL themselves,
/// which a worker must never wait for while the program's thread holds it.
pub fn owner<T: Send + 'static>(py: Python<'_>, value: T) -> PyResult<Box<dyn Any + Send + Sync>> {
    let capsule = PyCapsule::new_with_value(py, value, c"legate.attached")?;
    Ok(Box::new(capsule.into_any().unbind()))
}

/// The store of a `legate_numeric.ndarray` (or a `Store` itself).
pub fn store_of(obj: &Bound<'_, PyAny>) -> PyResult<LogicalStore> {
    if let Ok(s) = obj.cast::<PyStore>() {
        return Ok(s.get().inner.clone());
    }
    let s = obj.getattr(intern!(obj.py(), "_store"))?;
    Ok(s.cast::<PyStore>()?.get().inner.clone())
}

/// How the buffer protocol (`struct` module codes) names an element type.
pub fn buffer_format(ty: &Type) -> PyResult<&'static str> {
    Ok(match ty {
        Type::Bool => "?",
        Type::Int8 => "b",
        Type::Int16 => "h",
        Type::Int32 => "i",
        Type::Int64 => "q",
        Type::UInt8 => "B",
        Type::UInt16 => "H",
        Type::UInt32 => "I",
        Type::UInt64 => "Q",
        Type::Float16 => "e",
        Type::Float32 => "f",
        Type::Float64 => "d",
        Type::Complex64 => "Zf",
        Type::Complex128 => "Zd",
        other => return Err(PyTypeError::new_err(format!("a store of type {other} has no buffer format"))),
    })
}
