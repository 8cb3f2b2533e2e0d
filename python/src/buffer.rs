//! The buffer protocol (`memoryview(a)`) on `legate_numeric.ndarray`.
//!
//! `ndarray` is a Python class, and before Python 3.12 (`__buffer__`) a class defined in
//! Python cannot export buffers. Its type object is a heap type, which carries its own
//! buffer slots: `install` fills them with the functions below, so every array (and
//! every subclass created later, which inherits the slots) exports its store's bytes in
//! place. A writable view waits for every task touching the storage; the runtime then
//! reads what the host wrote (one instance per storage on a rank).

use crate::host::{buffer_format, map, store_of};
use legate_core::HostView;
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyType;
use std::ffi::{c_int, CString};

/// What a `Py_buffer` points into, owned by its `internal` field until release.
struct Exported {
    _view: HostView,
    shape: Vec<ffi::Py_ssize_t>,
    strides: Vec<ffi::Py_ssize_t>,
    format: CString,
}

fn contiguous(shape: &[i64], strides: &[i64], elem: i64, c_order: bool) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected = elem;
    let dims: Vec<usize> = if c_order { (0..shape.len()).rev().collect() } else { (0..shape.len()).collect() };
    for d in dims {
        if shape[d] != 1 {
            if strides[d] != expected {
                return false;
            }
            expected *= shape[d];
        }
    }
    true
}

fn fill(obj: &Bound<'_, PyAny>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
    let py = obj.py();
    let store = store_of(obj)?;
    let want_write = flags & ffi::PyBUF_WRITABLE == ffi::PyBUF_WRITABLE;
    if want_write && store.read_only() {
        return Err(PyBufferError::new_err("the array is read-only"));
    }
    let format = buffer_format(store.ty())?;
    let elem = store.ty().size().unwrap_or(0) as i64;
    // A writable store exports writable memory (as NumPy's arrays do), so it waits for
    // the tasks reading it too.
    let hv = map(py, &store, !store.read_only(), true)?;
    let (shape, strides) = (hv.shape().as_slice().to_vec(), hv.byte_strides().as_slice().to_vec());
    let c = contiguous(&shape, &strides, elem, true);
    let f = contiguous(&shape, &strides, elem, false);
    let need = |bits: c_int| flags & bits == bits;
    if need(ffi::PyBUF_C_CONTIGUOUS) && !c
        || need(ffi::PyBUF_F_CONTIGUOUS) && !f
        || need(ffi::PyBUF_ANY_CONTIGUOUS) && !c && !f
        || !need(ffi::PyBUF_STRIDES) && !c
    {
        return Err(PyBufferError::new_err("the array is not contiguous in the layout the consumer asked for"));
    }
    let ex = Box::new(Exported {
        shape: shape.iter().map(|&e| e as ffi::Py_ssize_t).collect(),
        strides: strides.iter().map(|&s| s as ffi::Py_ssize_t).collect(),
        format: CString::new(format).expect("no NUL"),
        _view: hv,
    });
    let volume: i64 = shape.iter().product();
    let writable = !store.read_only();
    // SAFETY: `view` is the caller's Py_buffer to fill; every pointer stored in it lives
    // in `ex` (or is the instance `ex` keeps alive) until `release` frees `ex`.
    unsafe {
        let v = &mut *view;
        v.buf = ex._view.data() as *mut std::ffi::c_void;
        v.obj = obj.clone().into_ptr();
        v.len = (volume * elem) as ffi::Py_ssize_t;
        v.itemsize = elem as ffi::Py_ssize_t;
        v.readonly = c_int::from(!writable);
        v.ndim = shape.len() as c_int;
        v.format = if need(ffi::PyBUF_FORMAT) { ex.format.as_ptr() as *mut _ } else { std::ptr::null_mut() };
        v.shape = if need(ffi::PyBUF_ND) { ex.shape.as_ptr() as *mut _ } else { std::ptr::null_mut() };
        v.strides = if need(ffi::PyBUF_STRIDES) { ex.strides.as_ptr() as *mut _ } else { std::ptr::null_mut() };
        v.suboffsets = std::ptr::null_mut();
        v.internal = Box::into_raw(ex) as *mut std::ffi::c_void;
    }
    Ok(())
}

unsafe extern "C" fn getbuffer(exporter: *mut ffi::PyObject, view: *mut ffi::Py_buffer, flags: c_int) -> c_int {
    Python::attach(|py| {
        if view.is_null() {
            PyBufferError::new_err("a buffer request without a view").restore(py);
            return -1;
        }
        // SAFETY: the interpreter passes a live object.
        let obj = unsafe { Bound::from_borrowed_ptr(py, exporter) };
        match fill(&obj, view, flags) {
            Ok(()) => 0,
            Err(e) => {
                // SAFETY: the protocol wants `obj` NULL on failure.
                unsafe { (*view).obj = std::ptr::null_mut() };
                e.restore(py);
                -1
            }
        }
    })
}

unsafe extern "C" fn releasebuffer(_exporter: *mut ffi::PyObject, view: *mut ffi::Py_buffer) {
    // SAFETY: `internal` is the box `fill` made for this view (released once).
    unsafe {
        let internal = (*view).internal;
        if !internal.is_null() {
            drop(Box::from_raw(internal as *mut Exported));
            (*view).internal = std::ptr::null_mut();
        }
    }
}

/// Gives class `cls` (a heap type defined in Python whose instances have `_store`)
/// the buffer protocol.
#[pyfunction]
fn install_buffer_protocol(cls: &Bound<'_, PyType>) -> PyResult<()> {
    let t = cls.as_type_ptr();
    // SAFETY: checked to be a heap type, whose object is a PyHeapTypeObject with its own
    // buffer slots; filled before any instance exports a buffer.
    unsafe {
        if (*t).tp_flags & ffi::Py_TPFLAGS_HEAPTYPE == 0 {
            return Err(PyTypeError::new_err("only classes defined in Python take the buffer protocol this way"));
        }
        let ht = t as *mut ffi::PyHeapTypeObject;
        (*ht).as_buffer.bf_getbuffer = Some(getbuffer);
        (*ht).as_buffer.bf_releasebuffer = Some(releasebuffer);
        (*t).tp_as_buffer = std::ptr::addr_of_mut!((*ht).as_buffer);
    }
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(install_buffer_protocol, m)?)
}
