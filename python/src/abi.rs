//! The runtime's C-ABI function table, exported for libraries built as their own
//! extension modules (e.g. `legate_hello._legate_hello`).
//!
//! * `legate._legate.runtime_api` is a capsule of that name holding a pointer to the
//!   process's one table (`legate_core::ffi::api()`); the runtime starts on the table's
//!   first use, not on import. A library gets it with `PyCapsule_Import` and wraps it
//!   with `legate_abi::client::Runtime::from_ptr`.
//! * `Store._abi_handle()` turns a `Store` into a table handle (an integer), one new
//!   reference owned by the caller, who gives it back with the table's `store_release`
//!   (the client's `Store::from_raw` takes it over).
//! * `_store_from_abi_handle(handle)` makes a `Store` of a handle, which it only
//!   borrows: the caller still owns its reference.

use crate::store::PyStore;
use legate_core::abi::raw::RawStoreHandle;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::c_void;
use std::ptr::NonNull;

/// The capsule's name, which is also its path as a module attribute.
pub const CAPSULE_NAME: &std::ffi::CStr = c"legate._legate.runtime_api";

/// A new table handle (an integer) referencing `store`'s view.
pub fn handle_of(store: &PyStore) -> usize {
    legate_core::ffi::store_into_handle(store.inner.clone()) as usize
}

/// A `Store` of the view behind `handle`, a live handle of the runtime's table that the
/// caller keeps owning. Passing anything else crashes the process: this is for
/// libraries, which hold such handles.
#[pyfunction]
fn _store_from_abi_handle(handle: usize) -> PyResult<PyStore> {
    // SAFETY: the caller promises a live handle (see above).
    let store = unsafe { legate_core::ffi::store_from_handle(handle as *const RawStoreHandle) };
    store.map(|s| PyStore::new(s.clone())).ok_or_else(|| PyValueError::new_err("null store handle"))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let api = legate_core::ffi::api() as *const _ as *mut c_void;
    // SAFETY: the table is a static of the runtime, valid for the rest of the process.
    let capsule = unsafe { PyCapsule::new_with_pointer(m.py(), NonNull::new(api).expect("static table"), CAPSULE_NAME)? };
    m.add("runtime_api", capsule)?;
    m.add("ABI_VERSION", legate_core::abi::ABI_VERSION)?;
    m.add_function(wrap_pyfunction!(_store_from_abi_handle, m)?)?;
    Ok(())
}
