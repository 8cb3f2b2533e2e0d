//! `legate_hello._legate_hello`: the template library as its own extension module.
//!
//! It links `legate-hello` and `legate-abi` only, never the runtime. On first use it
//! imports the capsule `legate._legate.runtime_api` (the table of the process's one
//! runtime), registers the library's tasks through it, and launches them through it.
//! Stores cross between modules as the table's handles: `Store._abi_handle()` gives
//! one for a `legate._legate.Store`, `legate._legate._store_from_abi_handle` makes a
//! `Store` of one. The Python package `legate_hello` wraps these functions for arrays.

use legate_hello::HelloLibrary;
use legate_python_abi::{to_py, to_python};
use pyo3::prelude::*;
use std::sync::OnceLock;

static LIBRARY: OnceLock<HelloLibrary> = OnceLock::new();

/// The library, registered with the process's runtime on first use.
fn library(py: Python<'_>) -> PyResult<&'static HelloLibrary> {
    if let Some(lib) = LIBRARY.get() {
        return Ok(lib);
    }
    let rt = legate_python_abi::runtime(py)?;
    let api = rt.raw();
    // Registering may start the runtime: let other Python threads run meanwhile.
    let lib = py.detach(|| HelloLibrary::register(api)).map_err(to_py)?;
    Ok(LIBRARY.get_or_init(|| lib))
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
    let input = legate_python_abi::store_of(py, lib.runtime(), store, "store")?;
    let out = py.detach(|| lib.square(&input)).map_err(to_py)?;
    to_python(py, out)
}

/// The sum of `store`'s elements as a one-element (future) store.
#[pyfunction]
fn sum<'py>(py: Python<'py>, store: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let input = legate_python_abi::store_of(py, lib.runtime(), store, "store")?;
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
