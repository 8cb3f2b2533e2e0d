//! The buffer protocol (`memoryview(a)`) on `legate_numeric.ndarray`.
//!
//! `ndarray` is a Python class, and before Python 3.12 (`__buffer__`) a class defined in
//! Python cannot export buffers. It derives from `BufferExporter`, a type made here
//! from a spec with buffer slots (the limited API's way, which abi3 wheels need), so
//! every array (and subclass, which inherits the slots) exports its store's bytes in
//! place. The base adds no fields and keeps `object`'s constructor, so arrays are
//! still made with `object.__new__` (or `PyType_GenericAlloc`). A writable view waits
//! for every task touching the storage; the runtime then reads what the host wrote
//! (one instance per storage on a rank).

use crate::host::{buffer_format, map, store_of};
use legate_core::HostView;
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{c_int, c_void, CString};

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
    // A dtype in the other byte order (`asarray` of big-endian data keeps it, as NumPy
    // does) is not what the store holds: no buffer, so NumPy reads `__array__`, which
    // converts.
    if let Ok(dtype) = obj.getattr(pyo3::intern!(py, "dtype")) {
        if let Ok(false) = dtype.getattr(pyo3::intern!(py, "isnative")).and_then(|n| n.extract::<bool>()) {
            return Err(PyBufferError::new_err("an array of a non-native byte order exports no buffer (its store holds native values)"));
        }
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

/// Frees an instance: what `object` does, and the reference to its heap type that
/// every instance holds (Python's own deallocator of subclasses leaves that to the
/// first heap-type base, this one).
unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: the interpreter deallocates a dead instance once; `tp_free` of its type
    // is the allocator's pair.
    unsafe {
        let ty = ffi::Py_TYPE(obj);
        let free: ffi::freefunc = std::mem::transmute(ffi::PyType_GetSlot(ty, ffi::Py_tp_free));
        free(obj as *mut c_void);
        ffi::Py_DECREF(ty as *mut ffi::PyObject);
    }
}

/// `BufferExporter`: the base class whose instances (which have `_store`) export their
/// store's elements through the buffer protocol.
fn exporter_type(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    const DOC: &std::ffi::CStr = c"Base of classes whose instances export the elements of their `_store` through the buffer protocol.";
    let mut slots = [
        ffi::PyType_Slot { slot: ffi::Py_bf_getbuffer, pfunc: getbuffer as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_bf_releasebuffer, pfunc: releasebuffer as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_dealloc, pfunc: dealloc as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_doc, pfunc: DOC.as_ptr() as *mut c_void },
        ffi::PyType_Slot { slot: 0, pfunc: std::ptr::null_mut() },
    ];
    let mut spec = ffi::PyType_Spec {
        name: c"legate._legate.BufferExporter".as_ptr(),
        // `object`'s size: no fields of its own.
        basicsize: 0,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE) as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: a spec that lives through the call (Python copies what it needs; the
    // name and doc are static); a new reference or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(&mut spec)) }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("BufferExporter", exporter_type(m.py())?)
}
