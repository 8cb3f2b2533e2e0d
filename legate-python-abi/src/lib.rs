//! The glue every library's Python extension module shares, so that none copies it.
//!
//! A library built as its own extension module (`legate_hello._legate_hello`,
//! `legate_sparse._legate_sparse`) links `legate-abi` and this crate, never the runtime:
//! * [`runtime`] finds the process's one runtime through the capsule
//!   `legate._legate.runtime_api` (whatever module imported it first);
//! * [`store_of`] and [`to_python`] move stores across as the table's handles
//!   (`Store._abi_handle()` and `legate._legate._store_from_abi_handle`);
//! * [`to_py`] turns the runtime's errors into the exceptions Python code expects.

use legate_abi::client::{self, ErrorKind, Store};
use legate_abi::raw::{RawRuntimeApi, RawStoreHandle};
use pyo3::exceptions::{PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCapsule, PyType};

/// The name of the runtime's capsule (also its path as a module attribute).
pub const RUNTIME_API: &std::ffi::CStr = c"legate._legate.runtime_api";

/// The exception Python code expects for each kind of error.
pub fn to_py(e: client::Error) -> PyErr {
    let msg = e.message;
    match e.kind {
        ErrorKind::InvalidArgument | ErrorKind::ShapeMismatch => PyValueError::new_err(msg),
        ErrorKind::TypeMismatch => PyTypeError::new_err(msg),
        ErrorKind::OutOfMemory => PyMemoryError::new_err(msg),
        ErrorKind::Unsupported => PyNotImplementedError::new_err(msg),
        _ => PyRuntimeError::new_err(msg),
    }
}

/// The process's runtime, from its capsule. Starts nothing: the runtime starts on the
/// first call that needs it (registering a library's tasks, say).
pub fn runtime(py: Python<'_>) -> PyResult<client::Runtime> {
    // `PyCapsule_Import` imports only the top-level package before 3.12, so import the
    // module that holds the capsule first, then check the capsule's name.
    let capsule = py.import("legate._legate")?.getattr("runtime_api")?.cast_into::<PyCapsule>()?;
    let ptr = capsule.pointer_checked(Some(RUNTIME_API))?;
    // SAFETY: the capsule of that name holds the runtime's static table.
    unsafe { client::Runtime::from_ptr(ptr.as_ptr() as *const RawRuntimeApi) }.map_err(to_py)
}

/// The table handle of a `legate._legate.Store` (a new reference we own); `what` names
/// the argument in the error for anything else.
pub fn store_of(py: Python<'_>, rt: client::Runtime, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Store> {
    // Looked up once: an import and an attribute lookup cost more than a small launch.
    static STORE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    if !obj.is_instance(STORE_TYPE.import(py, "legate._legate", "Store")?)? {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected a legate._legate.Store, got {}",
            obj.get_type().name()?
        )));
    }
    let handle: usize = obj.call_method0(pyo3::intern!(py, "_abi_handle"))?.extract()?;
    // SAFETY: `_abi_handle` hands out one new reference of a live handle.
    unsafe { rt.store_from_raw(handle as *mut RawStoreHandle) }.map_err(to_py)
}

/// A `legate._legate.Store` of the same view (our reference is given back on return).
pub fn to_python<'py>(py: Python<'py>, store: Store) -> PyResult<Bound<'py, PyAny>> {
    static FROM_HANDLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    FROM_HANDLE.import(py, "legate._legate", "_store_from_abi_handle")?.call1((store.as_raw() as usize,))
}
