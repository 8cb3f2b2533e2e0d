//! `legate_sparse._legate_sparse`: the sparse library as its own extension module.
//!
//! It links `legate-sparse` and `legate-abi` only, never the runtime. On first use it
//! imports the capsule `legate._legate.runtime_api` (the table of the process's one
//! runtime) and registers the library's tasks through it. Every function takes and
//! returns `legate._legate.Store` objects; `legate_sparse._native` wraps them for
//! `legate_numeric` arrays. A matrix travels as its three stores (`pos`, `crd`, `vals`),
//! and its shape is read off the operands (`len(pos)` rows; the columns from `x`, `X`,
//! `B` or an explicit count).

use legate_abi::client::{self, ErrorKind, Store};
use legate_abi::raw::{RawRuntimeApi, RawStoreHandle};
use legate_sparse::{CsrMatrix, SparseLibrary};
use pyo3::exceptions::{PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
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

static LIBRARY: OnceLock<SparseLibrary> = OnceLock::new();

/// The library, registered with the process's runtime on first use.
fn library(py: Python<'_>) -> PyResult<&'static SparseLibrary> {
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
    let lib = py.detach(|| SparseLibrary::register(api)).map_err(to_py)?;
    Ok(LIBRARY.get_or_init(|| lib))
}

/// The table handle of a `legate._legate.Store` (a new reference we own).
fn store_of(py: Python<'_>, lib: &SparseLibrary, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Store> {
    let store_type = py.import("legate._legate")?.getattr("Store")?;
    if !obj.is_instance(&store_type)? {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected a legate._legate.Store, got {}",
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

/// The matrix of `pos`, `crd`, `vals` with `ncols` columns.
fn matrix(
    py: Python<'_>,
    lib: &SparseLibrary,
    (pos, crd, vals): (&Bound<'_, PyAny>, &Bound<'_, PyAny>, &Bound<'_, PyAny>),
    ncols: usize,
) -> PyResult<CsrMatrix> {
    let pos = store_of(py, lib, pos, "pos")?;
    let crd = store_of(py, lib, crd, "indices")?;
    let vals = store_of(py, lib, vals, "data")?;
    let rows = pos.shape().map_err(to_py)?;
    let [nrows] = rows[..] else {
        return Err(PyValueError::new_err(format!("pos must be 1-d, it has shape {rows:?}")));
    };
    CsrMatrix::new(pos, crd, vals, [nrows, ncols]).map_err(to_py)
}

/// The length of dimension `dim` of `store`, or a ValueError.
fn extent(store: &Store, dim: usize, what: &str) -> PyResult<usize> {
    let shape = store.shape().map_err(to_py)?;
    shape.get(dim).copied().ok_or_else(|| PyValueError::new_err(format!("{what} has shape {shape:?}")))
}

/// `pos` (`[i64; 2]` per row) of an int64 `indptr`.
#[pyfunction]
fn row_ranges<'py>(py: Python<'py>, indptr: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let indptr = store_of(py, lib, indptr, "indptr")?;
    let pos = py.detach(|| lib.row_ranges(&indptr)).map_err(to_py)?;
    to_python(py, pos)
}

/// `A @ x`, written into `out` when given (and returned).
#[pyfunction]
#[pyo3(signature = (pos, crd, vals, x, out=None))]
fn spmv<'py>(
    py: Python<'py>,
    pos: &Bound<'py, PyAny>,
    crd: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let x = store_of(py, lib, x, "x")?;
    let a = matrix(py, lib, (pos, crd, vals), extent(&x, 0, "x")?)?;
    let y = match out {
        Some(out) => {
            let y = store_of(py, lib, out, "out")?;
            py.detach(|| lib.spmv_into(&a, &x, &y)).map_err(to_py)?;
            y
        }
        None => py.detach(|| lib.spmv(&a, &x)).map_err(to_py)?,
    };
    to_python(py, y)
}

/// `A @ X` for a dense 2-d `X`.
#[pyfunction]
fn spmm<'py>(
    py: Python<'py>,
    pos: &Bound<'py, PyAny>,
    crd: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let x = store_of(py, lib, x, "X")?;
    let a = matrix(py, lib, (pos, crd, vals), extent(&x, 0, "X")?)?;
    let y = py.detach(|| lib.spmm(&a, &x)).map_err(to_py)?;
    to_python(py, y)
}

/// `A @ B` in canonical CSR: `(indptr, indices, data)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn spgemm<'py>(
    py: Python<'py>,
    a_pos: &Bound<'py, PyAny>,
    a_crd: &Bound<'py, PyAny>,
    a_vals: &Bound<'py, PyAny>,
    b_pos: &Bound<'py, PyAny>,
    b_crd: &Bound<'py, PyAny>,
    b_vals: &Bound<'py, PyAny>,
    b_ncols: usize,
) -> PyResult<Bound<'py, PyTuple>> {
    let lib = library(py)?;
    let b = matrix(py, lib, (b_pos, b_crd, b_vals), b_ncols)?;
    let a = matrix(py, lib, (a_pos, a_crd, a_vals), b.nrows())?;
    let (indptr, crd, vals) = py.detach(|| lib.spgemm_parts(&a, &b)).map_err(to_py)?;
    PyTuple::new(py, [to_python(py, indptr)?, to_python(py, crd)?, to_python(py, vals)?])
}

/// The dense `len(pos) x ncols` matrix.
#[pyfunction]
fn todense<'py>(
    py: Python<'py>,
    pos: &Bound<'py, PyAny>,
    crd: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    ncols: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let a = matrix(py, lib, (pos, crd, vals), ncols)?;
    let dense = py.detach(|| lib.todense(&a)).map_err(to_py)?;
    to_python(py, dense)
}

/// The library's id in the runtime (registering it if needed).
#[pyfunction]
fn library_id(py: Python<'_>) -> PyResult<u32> {
    Ok(library(py)?.library().id())
}

#[pymodule]
fn _legate_sparse(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("LIBRARY_NAME", legate_sparse::LIBRARY_NAME)?;
    m.add("ABI_VERSION", legate_abi::ABI_VERSION)?;
    m.add_function(wrap_pyfunction!(row_ranges, m)?)?;
    m.add_function(wrap_pyfunction!(spmv, m)?)?;
    m.add_function(wrap_pyfunction!(spmm, m)?)?;
    m.add_function(wrap_pyfunction!(spgemm, m)?)?;
    m.add_function(wrap_pyfunction!(todense, m)?)?;
    m.add_function(wrap_pyfunction!(library_id, m)?)?;
    Ok(())
}
