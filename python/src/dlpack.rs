//! DLPack export (`ndarray.__dlpack__`): a capsule holding a `DLManagedTensor(Versioned)`
//! that points into the store's instance and keeps it alive until the consumer calls
//! the deleter (or the capsule is dropped unconsumed).
//!
//! Import (`legate_numeric.from_dlpack`): a tensor in host memory whose layout a store
//! can have is attached in place (`Runtime::attach_store`), and the store calls the
//! producer's deleter once it is gone; anything else is left to NumPy to copy.

use crate::convert::{runtime, IntoPy};
use crate::host::{map, owner, store_of};
use crate::store::PyStore;
use legate_core::{HostView, Type};
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{c_void, CStr};

const NAME: &CStr = c"dltensor";
const NAME_VERSIONED: &CStr = c"dltensor_versioned";
const USED: &CStr = c"used_dltensor";
const USED_VERSIONED: &CStr = c"used_dltensor_versioned";
/// `DLPACK_FLAG_BITMASK_READ_ONLY`.
const FLAG_READ_ONLY: u64 = 1;
const DL_CPU: i32 = 1;
/// Host memory that other devices' drivers pinned (`kDLCUDAHost`, `kDLROCMHost`):
/// the CPU reads it like any other, as NumPy's `from_dlpack` does.
const DL_HOST: [i32; 3] = [DL_CPU, 3, 11];

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

/// The element types DLPack and stores share: (type, DLPack type code, bits).
fn dl_types() -> [(Type, u8, u8); 14] {
    [
        (Type::Bool, 6, 8),
        (Type::Int8, 0, 8),
        (Type::Int16, 0, 16),
        (Type::Int32, 0, 32),
        (Type::Int64, 0, 64),
        (Type::UInt8, 1, 8),
        (Type::UInt16, 1, 16),
        (Type::UInt32, 1, 32),
        (Type::UInt64, 1, 64),
        (Type::Float16, 2, 16),
        (Type::Float32, 2, 32),
        (Type::Float64, 2, 64),
        (Type::Complex64, 5, 64),
        (Type::Complex128, 5, 128),
    ]
}

fn dl_type(ty: &Type) -> PyResult<DLDataType> {
    match dl_types().into_iter().find(|(t, _, _)| t == ty) {
        Some((_, code, bits)) => Ok(DLDataType { code, bits, lanes: 1 }),
        None => Err(PyTypeError::new_err(format!("DLPack has no type for {ty}"))),
    }
}

/// The store type of a DLPack element type (None: one stores do not hold).
fn store_type(dt: &DLDataType) -> Option<Type> {
    let found = dl_types().into_iter().find(|&(_, code, bits)| code == dt.code && bits == dt.bits);
    found.filter(|_| dt.lanes == 1).map(|(t, _, _)| t)
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

/// A consumed tensor: the producer's memory stays valid until its deleter runs, once,
/// when the attached store lets go of this.
enum Imported {
    Legacy(*mut DLManagedTensor),
    Versioned(*mut DLManagedTensorVersioned),
}

// SAFETY: the DLPack protocol lets the consumer call the deleter from any thread (and
// `host::owner` drops this with the GIL held, for producers that need it).
unsafe impl Send for Imported {}

impl Drop for Imported {
    fn drop(&mut self) {
        // SAFETY: a tensor taken from a capsule renamed `used_...`: nobody else calls its
        // deleter.
        unsafe {
            match *self {
                Imported::Legacy(m) => {
                    if let Some(d) = (*m).deleter {
                        d(m)
                    }
                }
                Imported::Versioned(m) => {
                    if let Some(d) = (*m).deleter {
                        d(m)
                    }
                }
            }
        }
    }
}

/// A store over the tensor in DLPack capsule `capsule`, in place, consuming the capsule
/// (renamed `used_...`, as the protocol asks); a read-only tensor (DLPack 1's flag)
/// gives a read-only store (an empty tensor, a new empty store). None, with the capsule
/// left as it was (for NumPy to copy), when the tensor is not in host memory, has an
/// element type stores lack or is not dense in C or Fortran order (`Runtime::attachable`),
/// or on a run of several ranks.
#[pyfunction]
fn dlpack_import(py: Python<'_>, capsule: &Bound<'_, PyAny>) -> PyResult<Option<PyStore>> {
    let c = capsule.as_ptr();
    // SAFETY: IsValid checks the name (and that it is a capsule) without raising; the
    // pointer of a valid capsule is the producer's managed tensor, alive until its
    // deleter runs.
    let (tensor, read_only, versioned) = unsafe {
        if ffi::PyCapsule_IsValid(c, NAME_VERSIONED.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(c, NAME_VERSIONED.as_ptr()) as *mut DLManagedTensorVersioned;
            if (*m).version.major != 1 {
                return Ok(None);
            }
            (&(*m).dl_tensor, (*m).flags & FLAG_READ_ONLY != 0, true)
        } else if ffi::PyCapsule_IsValid(c, NAME.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(c, NAME.as_ptr()) as *mut DLManagedTensor;
            (&(*m).dl_tensor, false, false)
        } else {
            return Err(PyTypeError::new_err("expected a DLPack capsule ('dltensor' or 'dltensor_versioned', not yet consumed)"));
        }
    };
    let Some(ty) = store_type(&tensor.dtype) else { return Ok(None) };
    if !DL_HOST.contains(&tensor.device.device_type) || tensor.ndim < 0 {
        return Ok(None);
    }
    let ndim = tensor.ndim as usize;
    // SAFETY: `ndim` extents and (unless null: C order) strides, per the protocol.
    let extents = unsafe { std::slice::from_raw_parts(tensor.shape, ndim) };
    let strides = (!tensor.strides.is_null()).then(|| unsafe { std::slice::from_raw_parts(tensor.strides, ndim) });
    let Ok(shape) = extents.iter().map(|&e| usize::try_from(e)).collect::<Result<Vec<usize>, _>>() else { return Ok(None) };
    let elem = ty.size().expect("a fixed-size type") as i64;
    let byte_strides: Vec<i64> = match strides {
        Some(s) => s.iter().map(|&s| s.saturating_mul(elem)).collect(),
        // No strides: C order (a store of that layout needs no real strides).
        None => (0..ndim).map(|d| extents[d + 1..].iter().product::<i64>() * elem).collect(),
    };
    let data = (tensor.data as *mut u8).wrapping_add(tensor.byte_offset as usize);
    let rt = runtime()?;
    // An empty tensor has no memory to share: a new empty store is no copy.
    let empty = shape.contains(&0);
    if !empty && rt.attachable(&ty, &shape, data, &byte_strides).is_err() {
        return Ok(None);
    }
    // Consumed from here: the store's owner calls the deleter, the capsule never will.
    // SAFETY: a valid capsule of that name (checked above); the new name is static.
    let imported = unsafe {
        if versioned {
            let m = ffi::PyCapsule_GetPointer(c, NAME_VERSIONED.as_ptr()) as *mut DLManagedTensorVersioned;
            ffi::PyCapsule_SetName(c, USED_VERSIONED.as_ptr());
            Imported::Versioned(m)
        } else {
            let m = ffi::PyCapsule_GetPointer(c, NAME.as_ptr()) as *mut DLManagedTensor;
            ffi::PyCapsule_SetName(c, USED.as_ptr());
            Imported::Legacy(m)
        }
    };
    if empty {
        drop(imported);
        return Ok(Some(PyStore::new(rt.create_store(ty, &shape).py()?)));
    }
    let owner = owner(py, imported)?;
    // SAFETY: the producer's elements, valid until the deleter `owner` calls; writable
    // unless the producer flagged them read-only.
    let store = unsafe { rt.attach_store(ty, &shape, data, &byte_strides, owner, read_only) }.py()?;
    Ok(Some(PyStore::new(store)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dlpack_export, m)?)?;
    m.add_function(wrap_pyfunction!(dlpack_import, m)?)
}
