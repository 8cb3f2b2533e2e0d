//! DLPack export (`ndarray.__dlpack__`): a capsule holding a `DLManagedTensor(Versioned)`
//! that points into the store's instance and keeps it alive until the consumer calls
//! the deleter (or the capsule is dropped unconsumed). Import goes through NumPy
//! (`legate_numeric.from_dlpack`): the runtime owns its stores' memory, so an imported
//! tensor is copied in.

use crate::host::{map, store_of};
use legate_core::{HostView, Type};
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{c_void, CStr};

const NAME: &CStr = c"dltensor";
const NAME_VERSIONED: &CStr = c"dltensor_versioned";
/// `DLPACK_FLAG_BITMASK_READ_ONLY`.
const FLAG_READ_ONLY: u64 = 1;
const DL_CPU: i32 = 1;

#[repr(C)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

#[repr(C)]
struct DLPackVersion {
    major: u32,
    minor: u32,
}

#[repr(C)]
struct DLManagedTensorVersioned {
    version: DLPackVersion,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    flags: u64,
    dl_tensor: DLTensor,
}

/// What the tensor's pointers point into: freed by the deleter.
struct Context {
    _view: HostView,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

fn dl_type(ty: &Type) -> PyResult<DLDataType> {
    let (code, bits) = match ty {
        Type::Bool => (6, 8),
        Type::Int8 => (0, 8),
        Type::Int16 => (0, 16),
        Type::Int32 => (0, 32),
        Type::Int64 => (0, 64),
        Type::UInt8 => (1, 8),
        Type::UInt16 => (1, 16),
        Type::UInt32 => (1, 32),
        Type::UInt64 => (1, 64),
        Type::Float16 => (2, 16),
        Type::Float32 => (2, 32),
        Type::Float64 => (2, 64),
        Type::Complex64 => (5, 64),
        Type::Complex128 => (5, 128),
        other => return Err(PyTypeError::new_err(format!("DLPack has no type for {other}"))),
    };
    Ok(DLDataType { code, bits, lanes: 1 })
}

fn tensor(view: HostView) -> PyResult<(DLTensor, Box<Context>)> {
    let ty = view.store().ty().clone();
    let dtype = dl_type(&ty)?;
    let elem = ty.size().unwrap_or(1) as i64;
    let shape = view.shape().as_slice().to_vec();
    let mut strides = Vec::with_capacity(shape.len());
    for &s in view.byte_strides().as_slice() {
        if s % elem != 0 {
            return Err(PyBufferError::new_err("DLPack strides count elements: this view's are not whole elements"));
        }
        strides.push(s / elem);
    }
    let mut ctx = Box::new(Context { _view: view, shape, strides });
    let t = DLTensor {
        data: ctx._view.data() as *mut c_void,
        device: DLDevice { device_type: DL_CPU, device_id: 0 },
        ndim: ctx.shape.len() as i32,
        dtype,
        shape: ctx.shape.as_mut_ptr(),
        strides: ctx.strides.as_mut_ptr(),
        byte_offset: 0,
    };
    Ok((t, ctx))
}

unsafe extern "C" fn delete(m: *mut DLManagedTensor) {
    // SAFETY: made by `export` below; the consumer calls the deleter once.
    unsafe {
        let m = Box::from_raw(m);
        drop(Box::from_raw(m.manager_ctx as *mut Context));
    }
}

unsafe extern "C" fn delete_versioned(m: *mut DLManagedTensorVersioned) {
    // SAFETY: as `delete`.
    unsafe {
        let m = Box::from_raw(m);
        drop(Box::from_raw(m.manager_ctx as *mut Context));
    }
}

/// An unconsumed capsule owns its tensor (a consumer renames the capsule `used_...`).
unsafe extern "C" fn drop_capsule(capsule: *mut ffi::PyObject) {
    // SAFETY: the capsule is ours; IsValid checks the name without raising.
    unsafe {
        if ffi::PyCapsule_IsValid(capsule, NAME.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(capsule, NAME.as_ptr()) as *mut DLManagedTensor;
            if let Some(d) = (*m).deleter {
                d(m);
            }
        }
    }
}

unsafe extern "C" fn drop_capsule_versioned(capsule: *mut ffi::PyObject) {
    // SAFETY: as `drop_capsule`.
    unsafe {
        if ffi::PyCapsule_IsValid(capsule, NAME_VERSIONED.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(capsule, NAME_VERSIONED.as_ptr()) as *mut DLManagedTensorVersioned;
            if let Some(d) = (*m).deleter {
                d(m);
            }
        }
    }
}

/// A DLPack capsule of `array`'s elements in place (`versioned`: DLPack 1.0's, which
/// carries the read-only flag; the old one cannot, so a read-only view refuses it as
/// NumPy does).
#[pyfunction]
fn dlpack_export<'py>(py: Python<'py>, array: &Bound<'py, PyAny>, versioned: bool) -> PyResult<Bound<'py, PyAny>> {
    let store = store_of(array)?;
    let read_only = store.read_only();
    if read_only && !versioned {
        return Err(PyBufferError::new_err(
            "Cannot export readonly array since signalling readonly is unsupported by DLPack (supported by newer DLPack version)",
        ));
    }
    dl_type(store.ty())?;
    let view = map(py, &store, !read_only, false)?;
    let (dl_tensor, ctx) = tensor(view)?;
    let ctx = Box::into_raw(ctx) as *mut c_void;
    // SAFETY: the boxes are handed to the capsule, which frees them through the deleter
    // unless a consumer took them (and then calls the deleter itself).
    let capsule = unsafe {
        if versioned {
            let m = Box::new(DLManagedTensorVersioned {
                version: DLPackVersion { major: 1, minor: 0 },
                manager_ctx: ctx,
                deleter: Some(delete_versioned),
                flags: if read_only { FLAG_READ_ONLY } else { 0 },
                dl_tensor,
            });
            ffi::PyCapsule_New(Box::into_raw(m) as *mut c_void, NAME_VERSIONED.as_ptr(), Some(drop_capsule_versioned))
        } else {
            let m = Box::new(DLManagedTensor { dl_tensor, manager_ctx: ctx, deleter: Some(delete) });
            ffi::PyCapsule_New(Box::into_raw(m) as *mut c_void, NAME.as_ptr(), Some(drop_capsule))
        }
    };
    // SAFETY: a new reference or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, capsule) }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dlpack_export, m)?)
}
