//! `legate_hello._legate_hello`: the template library as its own extension module.
//!
//! It links `legate-hello` and `legate-abi` only, never the runtime. On first use it
//! imports the capsule `legate._legate.runtime_api` (the table of the process's one
//! runtime), registers the library's tasks through it, and launches them through it.
//! Stores cross between modules as the table's handles: `Store._abi_handle()` gives
//! one for a `legate._legate.Store`, `legate._legate._store_from_abi_handle` makes a
//! `Store` of one. The Python package `legate_hello` wraps these functions for arrays.

use legate_abi::client::{self, ErrorKind, Store};
use legate_abi::raw::{RawRuntimeApi, RawStoreHandle};
use legate_hello::HelloLibrary;
use pyo3::exceptions::{PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::OnceLock;

/// The name of the runtime's capsule (also its path as a module attribute).
const RUNTIME_API: &std::ffi::CStr = c"legate._legate.runtime_api";

/// The exception Python code expects for each kind of error.
fn to_py(e: client::Error) -> PyErr {
    let msg = e.message;
    match e.kind {
        ErrorKind::InvalidArgument | ErrorKind::ShapeMismatch => PyValueError::new_err(msg),
        ErrorKind::TypeMismatch => PyTypeError::new_err(msg),
        ErrorKind::OutOfMemory => PyMemoryError::new_err(msg),
        ErrorKind::Unsupported => PyNotImplementedError::new_err(msg),
        _ => PyRuntimeError::new_err(msg),
    }
}

static LIBRARY: OnceLock<HelloLibrary> = OnceLock::new();

/// The library, registered with the process's runtime on first use.
fn library(py: Python<'_>) -> PyResult<&'static HelloLibrary> {
    if let Some(lib) = LIBRARY.get() {
        return Ok(lib);
    }
    // `PyCapsule_Import` imports only the top-level package before 3.12, so import the
    // module that holds the capsule first, then check the capsule's name.
    let capsule = py.import("legate._legate")?.getattr("runtime_api")?.cast_into::<PyCapsule>()?;
    let ptr = capsule.pointer_checked(Some(RUNTIME_API))?;
    // SAFETY: the capsule of that name holds the runtime's static table.
    let rt = unsafe { client::Runtime::from_ptr(ptr.as_ptr() as *const RawRuntimeApi) }.map_err(to_py)?;
    let api = rt.raw();
    // Registering may start the runtime: let other Python threads run meanwhile.
    let lib = py.detach(|| HelloLibrary::register(api)).map_err(to_py)?;
    Ok(LIBRARY.get_or_init(|| lib))
}

/// The table handle of a `legate._legate.Store` (a new reference we own).
fn store_of(py: Python<'_>, lib: &HelloLibrary, obj: &Bound<'_, PyAny>) -> PyResult<Store> {
    let store_type = py.import("legate._legate")?.getattr("Store")?;
    if !obj.is_instance(&store_type)? {
        return Err(PyTypeError::new_err(format!(
            "expected a legate._legate.Store, got {}",
            obj.get_type().name()?
        )));
    }
    let handle: usize = obj.call_method0("_abi_handle")?.extract()?;
    // SAFETY: `_abi_handle` hands out one new reference of a live handle.
    unsafe { lib.runtime().store_from_raw(handle as *mut RawStoreHandle) }.map_err(to_py)
}

/// A `legate._legate.Store` of the same view (our reference is given back on return).
fn to_python<'py>(py: Python<'py>, store: Store) -> PyResult<Bound<'py, PyAny>> {
    py.import("legate._legate")?.getattr("_store_from_abi_handle")?.call1((store.as_raw() as usize,))
}

/// Prints a greeting from each of `points` parallel tasks.
#[pyfunction]
fn hello_world(py: Python<'_>, message: &str, points: usize) -> PyResult<()> {
    let lib = library(py)?;
    py.detach(|| lib.hello_world(message, points)).map_err(to_py)
}

/// A new 1-d float64 store holding `1, 2, ..., size`.
#[pyfunction]
fn iota(py: Python<'_>, size: usize) -> PyResult<Bound<'_, PyAny>> {
    let lib = library(py)?;
    let out = py.detach(|| lib.iota(size)).map_err(to_py)?;
    to_python(py, out)
}

/// A new float64 store with the squares of `store`'s elements.
#[pyfunction]
fn square<'py>(py: Python<'py>, store: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let input = store_of(py, lib, store)?;
    let out = py.detach(|| lib.square(&input)).map_err(to_py)?;
    to_python(py, out)
}

/// The sum of `store`'s elements as a one-element (future) store.
#[pyfunction]
fn sum<'py>(py: Python<'py>, store: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let input = store_of(py, lib, store)?;
    let out = py.detach(|| lib.sum(&input)).map_err(to_py)?;
    to_python(py, out)
}

/// The library's id in the runtime (registering it if needed).
#[pyfunction]
fn library_id(py: Python<'_>) -> PyResult<u32> {
    Ok(library(py)?.library().id())
}

#[pymodule]
fn _legate_hello(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("LIBRARY_NAME", legate_hello::LIBRARY_NAME)?;
    m.add("ABI_VERSION", legate_abi::ABI_VERSION)?;
    m.add_function(wrap_pyfunction!(hello_world, m)?)?;
    m.add_function(wrap_pyfunction!(iota, m)?)?;
    m.add_function(wrap_pyfunction!(square, m)?)?;
    m.add_function(wrap_pyfunction!(sum, m)?)?;
    m.add_function(wrap_pyfunction!(library_id, m)?)?;
    Ok(())
}
