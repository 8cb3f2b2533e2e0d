//! The Arrow C data interface (the PyCapsule protocol: `__arrow_c_array__`,
//! `__arrow_c_stream__`, `__arrow_c_schema__`), built on the arrow crates' FFI structs.
//!
//! Export: a 1-d store whose elements are dense (step 1) becomes an Arrow array over the
//! store's instance, without a copy; the Arrow buffer keeps the instance alive. Arrow
//! booleans are bits, so booleans (and strided views) are copied. Complex numbers have
//! no Arrow type. Import attaches a read-only store to the values in place (Arrow
//! arrays are immutable; the store keeps the Arrow array alive) where the runtime can
//! (`Runtime::attachable`: aligned, not empty, one rank), and copies them otherwise.

use crate::convert::{runtime, IntoPy};
use crate::host::{map, owner, store_of};
use crate::store::PyStore;
use arrow_array::cast::AsArray;
use arrow_array::ffi::{from_ffi, FFI_ArrowArray};
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, BooleanArray};
use arrow_buffer::Buffer;
use arrow_data::ArrayData;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::DataType;
use legate_core::{HostView, LogicalStore, Type};
use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::panic::AssertUnwindSafe;
use std::ptr::NonNull;
use std::sync::Arc;

const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";
const STREAM: &CStr = c"arrow_array_stream";

fn arrow_error(e: arrow_schema::ArrowError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The Arrow type of a legate type, with NumPy's exception type.
fn arrow_type(ty: &Type) -> PyResult<DataType> {
    ty.to_arrow().map_err(|_| PyTypeError::new_err(format!("{ty} has no Arrow type (Arrow has no complex numbers)")))
}

/// Owns an exported Arrow struct until the capsule dies; the struct's own `Drop` calls
/// its release callback unless a consumer moved it out (which nulls `release`).
unsafe extern "C" fn drop_schema(capsule: *mut ffi::PyObject) {
    // SAFETY: our capsule around a Box<FFI_ArrowSchema>.
    unsafe { drop(Box::from_raw(ffi::PyCapsule_GetPointer(capsule, SCHEMA.as_ptr()) as *mut FFI_ArrowSchema)) }
}

unsafe extern "C" fn drop_array(capsule: *mut ffi::PyObject) {
    // SAFETY: our capsule around a Box<FFI_ArrowArray>.
    unsafe { drop(Box::from_raw(ffi::PyCapsule_GetPointer(capsule, ARRAY.as_ptr()) as *mut FFI_ArrowArray)) }
}

unsafe extern "C" fn drop_stream(capsule: *mut ffi::PyObject) {
    // SAFETY: our capsule around a Box<FFI_ArrowArrayStream>.
    unsafe { drop(Box::from_raw(ffi::PyCapsule_GetPointer(capsule, STREAM.as_ptr()) as *mut FFI_ArrowArrayStream)) }
}

fn capsule<'py, T>(py: Python<'py>, value: T, name: &'static CStr, destructor: Option<ffi::PyCapsule_Destructor>) -> PyResult<Bound<'py, PyAny>> {
    let ptr = Box::into_raw(Box::new(value)) as *mut c_void;
    // SAFETY: the capsule owns the box from here (freed by `destructor`).
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyCapsule_New(ptr, name.as_ptr(), destructor)) }
}

/// Keeps a store's instance alive for as long as an Arrow buffer points into it.
struct Keeper(#[allow(dead_code)] AssertUnwindSafe<HostView>);

/// `store`'s elements as Arrow array data: in place when the layout allows.
fn export_data(py: Python<'_>, store: &LogicalStore) -> PyResult<ArrayData> {
    if store.ndim() != 1 {
        return Err(PyValueError::new_err(format!("only 1-d arrays convert to Arrow arrays, not {}-d ones", store.ndim())));
    }
    let dt = arrow_type(store.ty())?;
    let view = map(py, store, false, false)?;
    let n = view.shape()[0] as usize;
    let elem = store.ty().size().unwrap_or(1);
    if matches!(store.ty(), Type::Bool) {
        // SAFETY: the mapped view: `n` bools, `stride` bytes apart, alive with `view`.
        let stride = view.byte_strides()[0] as isize;
        let values: Vec<bool> = (0..n).map(|i| unsafe { *(view.data().offset(i as isize * stride) as *const bool) }).collect();
        return Ok(BooleanArray::from(values).into_data());
    }
    let buffer = if n <= 1 || view.byte_strides()[0] == elem as i64 {
        let ptr = NonNull::new(view.data()).expect("mapped views are never null");
        // SAFETY: `n * elem` bytes from `ptr` are the view's, kept alive by the keeper.
        unsafe { Buffer::from_custom_allocation(ptr, n * elem, Arc::new(Keeper(AssertUnwindSafe(view)))) }
    } else {
        let stride = view.byte_strides()[0] as isize;
        let mut bytes = Vec::with_capacity(n * elem);
        for i in 0..n {
            // SAFETY: element `i` of the mapped view.
            let p = unsafe { view.data().offset(i as isize * stride) };
            bytes.extend_from_slice(unsafe { std::slice::from_raw_parts(p, elem) });
        }
        Buffer::from_vec(bytes)
    };
    ArrayData::try_new(dt, n, None, 0, vec![buffer], vec![]).map_err(arrow_error)
}

/// `(schema capsule, array capsule)` of a 1-d array (`__arrow_c_array__`).
#[pyfunction]
fn arrow_export_array<'py>(py: Python<'py>, array: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let data = export_data(py, &store_of(array)?)?;
    let (array, schema) = arrow_array::ffi::to_ffi(&data).map_err(arrow_error)?;
    Ok((capsule(py, schema, SCHEMA, Some(drop_schema))?, capsule(py, array, ARRAY, Some(drop_array))?))
}

/// A stream of one chunk of array data, of the data's own type (not a record batch).
struct OneChunk {
    data_type: DataType,
    chunk: Option<ArrayData>,
    error: Option<CString>,
}

unsafe fn chunk_of<'a>(stream: *mut FFI_ArrowArrayStream) -> &'a mut OneChunk {
    // SAFETY: the private data `arrow_export_stream` set.
    unsafe { &mut *((*stream).private_data() as *mut OneChunk) }
}

unsafe extern "C" fn stream_schema(stream: *mut FFI_ArrowArrayStream, out: *mut FFI_ArrowSchema) -> c_int {
    // SAFETY: a live stream of ours; `out` points to room for a schema.
    let c = unsafe { chunk_of(stream) };
    match FFI_ArrowSchema::try_from(&c.data_type) {
        Ok(s) => {
            unsafe { std::ptr::write(out, s) };
            0
        }
        Err(e) => {
            c.error = CString::new(e.to_string()).ok();
            libc_einval()
        }
    }
}

unsafe extern "C" fn stream_next(stream: *mut FFI_ArrowArrayStream, out: *mut FFI_ArrowArray) -> c_int {
    // SAFETY: as `stream_schema`; an empty (released) array marks the end.
    let c = unsafe { chunk_of(stream) };
    let next = match c.chunk.take() {
        Some(data) => FFI_ArrowArray::new(&data),
        None => FFI_ArrowArray::empty(),
    };
    unsafe { std::ptr::write(out, next) };
    0
}

unsafe extern "C" fn stream_error(stream: *mut FFI_ArrowArrayStream) -> *const c_char {
    // SAFETY: as `stream_schema`.
    let c = unsafe { chunk_of(stream) };
    c.error.as_ref().map_or(std::ptr::null(), |e| e.as_ptr())
}

unsafe extern "C" fn stream_release(stream: *mut FFI_ArrowArrayStream) {
    // SAFETY: released once: the private data is ours, and `release` is nulled after.
    unsafe {
        drop(Box::from_raw((*stream).private_data() as *mut OneChunk));
        (*stream).set_release(None);
    }
}

fn libc_einval() -> c_int {
    22
}

/// An `arrow_array_stream` capsule of a 1-d array (`__arrow_c_stream__`).
#[pyfunction]
fn arrow_export_stream<'py>(py: Python<'py>, array: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let data = export_data(py, &store_of(array)?)?;
    let private = Box::new(OneChunk { data_type: data.data_type().clone(), chunk: Some(data), error: None });
    // SAFETY: the callbacks implement the C stream interface over `private`, which
    // `stream_release` frees once.
    let stream = unsafe {
        FFI_ArrowArrayStream::new_unchecked(
            Some(stream_schema),
            Some(stream_next),
            Some(stream_error),
            Some(stream_release),
            Box::into_raw(private) as *mut c_void,
        )
    };
    capsule(py, stream, STREAM, Some(drop_stream))
}

/// How a store takes an Arrow array: in place where it can (None), always a copy
/// (Some(true)) or never one (Some(false): `BufferError` where it must).
type Copy = Option<bool>;

/// A read-only store over the values of Arrow array `a` (no nulls), in place, or why
/// they cannot be attached (booleans are bits; see `Runtime::attachable`).
fn attach_array(py: Python<'_>, a: &ArrayRef) -> PyResult<Result<PyStore, String>> {
    let data = a.to_data();
    let ty = match Type::from_arrow(data.data_type()) {
        Ok(ty) if ty.is_primitive() && ty != Type::Bool && data.buffers().len() == 1 => ty,
        _ => return Ok(Err(format!("{} arrays are not laid out as stores are", data.data_type()))),
    };
    let elem = ty.size().expect("checked");
    let ptr = data.buffers()[0].as_ptr().wrapping_add(data.offset() * elem) as *mut u8;
    let (shape, strides) = ([data.len()], [elem as i64]);
    let rt = runtime()?;
    if let Err(e) = rt.attachable(&ty, &shape, ptr, &strides) {
        return Ok(Err(e.to_string()));
    }
    let owner = owner(py, data)?;
    // SAFETY: the values of the array data that `owner` keeps alive; read-only.
    let store = unsafe { rt.attach_store(ty, &shape, ptr, &strides, owner, true) }.py()?;
    Ok(Ok(PyStore::new(store)))
}

/// A store of Arrow array `a` (no nulls): in place (read-only) or a copy, per `copy`.
fn import_array(py: Python<'_>, a: &ArrayRef, copy: Copy) -> PyResult<PyStore> {
    if a.null_count() > 0 {
        return Err(PyValueError::new_err(format!(
            "cannot convert an Arrow array with {} nulls (legate arrays have no missing values; fill them first)",
            a.null_count()
        )));
    }
    if copy != Some(true) {
        match attach_array(py, a)? {
            Ok(store) => return Ok(store),
            // Nothing to copy in an empty array.
            Err(why) if copy == Some(false) && !a.is_empty() => {
                return Err(PyBufferError::new_err(format!("from_arrow: cannot share the memory of this array (copy=False): {why}")))
            }
            Err(_) => {}
        }
    }
    let rt = runtime()?;
    let n = a.len();
    macro_rules! prim {
        ($t:ty) => {
            rt.create_store_from(&[n], a.as_primitive::<$t>().values().as_ref()).py()?
        };
    }
    let store = match a.data_type() {
        DataType::Boolean => {
            let values: Vec<bool> = a.as_boolean().values().iter().collect();
            rt.create_store_from(&[n], &values).py()?
        }
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float16 => prim!(Float16Type),
        DataType::Float32 => prim!(Float32Type),
        DataType::Float64 => prim!(Float64Type),
        other => return Err(PyTypeError::new_err(format!("legate arrays do not hold Arrow type {other}"))),
    };
    Ok(PyStore::new(store))
}

fn capsule_pointer(c: &Bound<'_, PyAny>, name: &CStr) -> PyResult<*mut c_void> {
    // SAFETY: GetPointer checks the type and name, raising on a mismatch.
    let p = unsafe { ffi::PyCapsule_GetPointer(c.as_ptr(), name.as_ptr()) };
    if p.is_null() {
        return Err(PyErr::take(c.py()).unwrap_or_else(|| PyValueError::new_err(format!("not a {name:?} capsule"))));
    }
    Ok(p)
}

/// A store from the capsules of `__arrow_c_array__` (the array is moved out).
#[pyfunction]
#[pyo3(signature = (schema, array, copy=None))]
fn arrow_import_array(py: Python<'_>, schema: &Bound<'_, PyAny>, array: &Bound<'_, PyAny>, copy: Copy) -> PyResult<PyStore> {
    let s = capsule_pointer(schema, SCHEMA)? as *const FFI_ArrowSchema;
    let a = capsule_pointer(array, ARRAY)? as *mut FFI_ArrowArray;
    // SAFETY: valid capsules of the C data interface; `from_raw` moves the array out
    // (the producer's capsule is left released), the schema is only borrowed.
    let data = unsafe { from_ffi(FFI_ArrowArray::from_raw(a), &*s) }.map_err(arrow_error)?;
    import_array(py, &arrow_array::make_array(data), copy)
}

/// Stores, one per chunk, from the capsule of `__arrow_c_stream__` (consumed).
#[pyfunction]
#[pyo3(signature = (stream, copy=None))]
fn arrow_import_stream<'py>(py: Python<'py>, stream: &Bound<'py, PyAny>, copy: Copy) -> PyResult<Bound<'py, PyList>> {
    let p = capsule_pointer(stream, STREAM)? as *mut FFI_ArrowArrayStream;
    // SAFETY: a valid stream capsule; `from_raw` moves the stream out.
    let reader = unsafe { ArrayStreamReader::from_raw(p) }.map_err(arrow_error)?;
    let out = PyList::empty(py);
    for chunk in reader {
        out.append(import_array(py, &chunk.map_err(arrow_error)?, copy)?)?;
    }
    Ok(out)
}

/// An `arrow_schema` capsule of the Arrow type of legate type `name`.
#[pyfunction]
fn arrow_type_export<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let dt = arrow_type(&crate::convert::dtype(name)?)?;
    let schema = FFI_ArrowSchema::try_from(&dt).map_err(arrow_error)?;
    capsule(py, schema, SCHEMA, Some(drop_schema))
}

/// The name of the legate type of the Arrow type in an `arrow_schema` capsule.
#[pyfunction]
fn arrow_type_import(schema: &Bound<'_, PyAny>) -> PyResult<String> {
    let s = capsule_pointer(schema, SCHEMA)? as *const FFI_ArrowSchema;
    // SAFETY: a valid schema capsule, borrowed.
    let dt = DataType::try_from(unsafe { &*s }).map_err(arrow_error)?;
    let ty = Type::from_arrow(&dt).map_err(|e| PyTypeError::new_err(format!("Arrow type {dt} has no legate type: {e}")))?;
    Ok(ty.to_string())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(arrow_export_array, m)?)?;
    m.add_function(wrap_pyfunction!(arrow_export_stream, m)?)?;
    m.add_function(wrap_pyfunction!(arrow_import_array, m)?)?;
    m.add_function(wrap_pyfunction!(arrow_import_stream, m)?)?;
    m.add_function(wrap_pyfunction!(arrow_type_export, m)?)?;
    m.add_function(wrap_pyfunction!(arrow_type_import, m)?)?;
    Ok(())
}
