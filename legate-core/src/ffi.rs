//! The runtime's function table: [`RawRuntimeApi`] implemented over this runtime.
//!
//! Libraries never link the runtime; they call it through this table (safely, via
//! `legate_abi::client`). A pure-Rust program gets the table from the runtime it links
//! with [`api()`] (the process's runtime) or [`api_for`] (a private one); Python gets
//! the same table from the capsule `legate._legate.runtime_api`.
//!
//! Handles: a store handle is `Arc::into_raw` of an `Arc<LogicalStore>`, so retaining
//! and releasing are the `Arc`'s counts and a handle stays valid on any thread; a task
//! handle is a `Box<TaskLaunch>`, freed by `task_execute` or `task_discard`. Every entry
//! catches panics and reports errors by the `raw` module's convention (a negative
//! `ERR_*` code and a NUL-terminated message in the caller's buffer).

use crate::error::LegateError;
use crate::operation::TaskLaunch;
use crate::runtime::Runtime;
use crate::scalar::Scalar;
use crate::shape::{Point, Rect};
use crate::partition::ImageKind;
use crate::store::{LogicalStore, StorePartition};
use crate::task::Library;
use crate::types::Type;
use legate_abi::raw::{self, RawRegistrar, RawRuntimeApi, RawPartitionHandle, RawStoreHandle, RawStoreInfo, RawTaskHandle, STORE_FUTURE};
use legate_abi::{for_each_row, PhysicalStore, ReductionOp, TypeCode, ABI_VERSION, MAX_DIM};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// What `runtime_data` points to: the runtime the table drives.
enum Host {
    /// The process's runtime, started by the first entry that needs it (so handing the
    /// table out — e.g. when Python imports `legate._legate` — starts nothing).
    Global,
    /// A runtime made with `Runtime::new` (tests, embedding).
    Private(Runtime),
}

static GLOBAL_HOST: Host = Host::Global;

static GLOBAL_API: RawRuntimeApi = table(&GLOBAL_HOST as *const Host as *mut c_void);

/// The table of the process's one runtime (started on first use from `LEGATE_CONFIG`).
pub fn api() -> &'static RawRuntimeApi {
    &GLOBAL_API
}

/// The table of `rt`. The table keeps `rt` alive for the rest of the process; asking
/// again for the same runtime returns the same table.
pub fn api_for(rt: &Runtime) -> &'static RawRuntimeApi {
    rt.inner.api.get_or_init(|| {
        let host = Box::into_raw(Box::new(Host::Private(rt.clone())));
        Box::leak(Box::new(table(host as *mut c_void)))
    })
}

/// A new handle (one reference, owned by the caller) to `store`.
pub fn store_into_handle(store: LogicalStore) -> *mut RawStoreHandle {
    Arc::into_raw(Arc::new(store)) as *mut RawStoreHandle
}

/// The store behind a handle, borrowed.
///
/// # Safety
/// `handle` must be null or a live store handle made by this runtime's tables (any
/// of them) or [`store_into_handle`], and stay live while the result is used.
pub unsafe fn store_from_handle<'a>(handle: *const RawStoreHandle) -> Option<&'a LogicalStore> {
    // SAFETY: per the contract, a live `Arc<LogicalStore>` pointer.
    unsafe { (handle as *const LogicalStore).as_ref() }
}

const fn table(runtime_data: *mut c_void) -> RawRuntimeApi {
    RawRuntimeApi {
        abi_version: ABI_VERSION,
        size: std::mem::size_of::<RawRuntimeApi>() as u32,
        runtime_data,
        create_library,
        find_library,
        registrar,
        create_store,
        create_unbound_store,
        create_future,
        store_retain,
        store_release,
        store_info,
        store_slice,
        store_promote,
        store_project,
        store_transpose,
        store_delinearize,
        store_fill,
        store_wait,
        store_read,
        create_auto_task,
        create_manual_task,
        task_add_input,
        task_add_output,
        task_add_reduction,
        task_add_scalar,
        task_add_alignment,
        task_add_broadcast,
        task_execute,
        task_discard,
        fence,
        task_add_image,
        task_add_bloat,
        task_add_scale,
        task_add_partial_output,
        task_add_communicator,
        store_partition_by_tiling,
        partition_colors,
        partition_release,
        task_add_partition,
    }
}

// ---- plumbing ----

/// An entry's error: its `ERR_*` code and message.
struct Failure(i32, String);

impl From<LegateError> for Failure {
    fn from(e: LegateError) -> Failure {
        let code = match &e {
            LegateError::OutOfMemory { .. } => raw::ERR_MEMORY,
            LegateError::InvalidArgument(_) => raw::ERR_INVALID,
            LegateError::ShapeMismatch(_) => raw::ERR_SHAPE,
            LegateError::TypeMismatch(_) => raw::ERR_TYPE,
            LegateError::UnknownLibrary(_) | LegateError::UnknownTask { .. } | LegateError::Registration { .. } => {
                raw::ERR_REGISTRY
            }
            LegateError::TaskFailed { .. } | LegateError::ManyTaskErrors(..) | LegateError::Cancelled(_) | LegateError::RankFailed { .. }
            | LegateError::Diverged(_) => {
                raw::ERR_TASK
            }
            LegateError::Config(_) => raw::ERR_CONFIG,
            LegateError::Unsupported(_) => raw::ERR_UNSUPPORTED,
        };
        Failure(code, e.to_string())
    }
}

fn invalid(msg: impl Into<String>) -> Failure {
    Failure(raw::ERR_INVALID, msg.into())
}

type Outcome = Result<(), Failure>;

/// Runs an entry's body: catches panics and writes any error into `err`.
fn guard(err: *mut u8, cap: usize, body: impl FnOnce() -> Outcome) -> i32 {
    let Failure(code, msg) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return 0,
        Ok(Err(f)) => f,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            Failure(raw::ERR_PANIC, format!("the runtime panicked: {what}"))
        }
    };
    if !err.is_null() && cap > 0 {
        let n = msg.len().min(cap - 1);
        // SAFETY: the caller gave `cap` writable bytes at `err`.
        unsafe {
            std::ptr::copy_nonoverlapping(msg.as_ptr(), err, n);
            *err.add(n) = 0;
        }
    }
    code
}

/// The runtime behind `runtime_data`.
fn runtime(rd: *mut c_void) -> Result<Runtime, Failure> {
    // SAFETY: tables are only built by `table` with a `Host` that is never freed.
    match unsafe { (rd as *const Host).as_ref() } {
        Some(Host::Global) => Ok(Runtime::global()?),
        Some(Host::Private(rt)) => Ok(rt.clone()),
        None => Err(invalid("null runtime data")),
    }
}

fn store<'a>(h: *const RawStoreHandle) -> Result<&'a LogicalStore, Failure> {
    // SAFETY: the caller passes a live handle (the ABI's contract).
    unsafe { store_from_handle(h) }.ok_or_else(|| invalid("null store handle"))
}

fn task<'a>(h: *mut RawTaskHandle) -> Result<&'a mut TaskLaunch, Failure> {
    // SAFETY: the caller passes a live task handle it owns (the ABI's contract).
    unsafe { (h as *mut TaskLaunch).as_mut() }.ok_or_else(|| invalid("null task handle"))
}

/// Writes a new handle for `s` into `out`.
fn give(out: *mut *mut RawStoreHandle, s: LogicalStore) -> Outcome {
    if out.is_null() {
        return Err(invalid("null output pointer"));
    }
    // SAFETY: checked non-null; the caller gave a writable slot.
    unsafe { *out = store_into_handle(s) };
    Ok(())
}

fn put<T>(out: *mut T, value: T) -> Outcome {
    if out.is_null() {
        return Err(invalid("null output pointer"));
    }
    // SAFETY: checked non-null; the caller gave a writable slot.
    unsafe { *out = value };
    Ok(())
}

fn slice<'a, T>(ptr: *const T, n: usize) -> Result<&'a [T], Failure> {
    if n == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(invalid("null array pointer"));
    }
    // SAFETY: the caller promises `n` readable values at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

fn text<'a>(ptr: *const u8, len: usize) -> Result<&'a str, Failure> {
    std::str::from_utf8(slice(ptr, len)?).map_err(|_| invalid("the name is not UTF-8"))
}

/// The logical type of a type code and element size (see the `raw` conventions).
fn type_of(code: u32, size: u64) -> Result<Type, Failure> {
    let tc = TypeCode::from_u32(code).ok_or_else(|| Failure(raw::ERR_TYPE, format!("unknown type code {code}")))?;
    match tc {
        TypeCode::FixedArray if size > 0 && size % 8 == 0 && size / 8 <= u32::MAX as u64 => {
            Ok(Type::fixed_array(Type::Int64, (size / 8) as u32))
        }
        TypeCode::FixedArray | TypeCode::Struct => Err(Failure(
            raw::ERR_TYPE,
            format!("type code {code} ({tc:?}) with {size}-byte elements has no type across the ABI (only int64[n] arrays)"),
        )),
        TypeCode::String => Ok(Type::String),
        _ => {
            let ty = Type::from_code(tc).expect("primitive code");
            if ty.size() != Some(size as usize) {
                return Err(Failure(raw::ERR_TYPE, format!("{ty} elements have {:?} bytes, not {size}", ty.size())));
            }
            Ok(ty)
        }
    }
}

fn scalar_of(code: u32, data: *const u8, size: u64) -> Result<Scalar, Failure> {
    let bytes = slice(data, size as usize)?.to_vec();
    let ty = type_of(code, size)?;
    Ok(Scalar::from_bytes(ty, bytes)?)
}

fn dim(d: u32) -> usize {
    d as usize
}

fn library(rt: &Runtime, id: u32) -> Result<Library, Failure> {
    rt.inner
        .registry
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .library_by_id(id)
        .ok_or_else(|| Failure(raw::ERR_REGISTRY, format!("no library with id {id}")))
}

/// The store's shape, waiting for its producer if it is unbound (an error if nothing
/// produces it, where waiting would never end).
fn known_shape(rt: &Runtime, s: &LogicalStore) -> Result<Point, Failure> {
    // Whether this waits (and, on several ranks, agrees) follows program order only.
    if let Some(shape) = s.shape_if_observed() {
        return Ok(shape);
    }
    if !s.storage().has_producer() {
        return Err(invalid("the store is unbound and no task produces it; add it as a task's output first"));
    }
    rt.wait_store(s)?;
    Ok(s.shape())
}

// ---- libraries ----

unsafe extern "C" fn create_library(rd: *mut c_void, name: *const u8, len: usize, out_id: *mut u32, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        let name = text(name, len)?;
        put(out_id, runtime(rd)?.create_library(name).id())
    })
}

unsafe extern "C" fn find_library(
    rd: *mut c_void,
    name: *const u8,
    len: usize,
    found: *mut u32,
    out_id: *mut u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let lib = runtime(rd)?.find_library(text(name, len)?);
        put(found, lib.is_some() as u32)?;
        put(out_id, lib.map_or(0, |l| l.id()))
    })
}

unsafe extern "C" fn registrar(rd: *mut c_void, library_id: u32, out: *mut RawRegistrar, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        let rt = runtime(rd)?;
        let lib = library(&rt, library_id)?;
        put(out, *rt.registrar(&lib).raw())
    })
}

// ---- stores ----

unsafe extern "C" fn create_store(
    rd: *mut c_void,
    type_code: u32,
    elem_size: u64,
    shape: *const u64,
    ndim: u32,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let ty = type_of(type_code, elem_size)?;
        let extents: Vec<usize> = slice(shape, ndim as usize)?.iter().map(|&e| e as usize).collect();
        give(out, runtime(rd)?.create_store(ty, &extents)?)
    })
}

unsafe extern "C" fn create_unbound_store(
    rd: *mut c_void,
    type_code: u32,
    elem_size: u64,
    ndim: u32,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let ty = type_of(type_code, elem_size)?;
        give(out, runtime(rd)?.create_unbound_store(ty, ndim as usize)?)
    })
}

unsafe extern "C" fn create_future(
    rd: *mut c_void,
    type_code: u32,
    data: *const u8,
    size: u64,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let value = scalar_of(type_code, data, size)?;
        give(out, runtime(rd)?.create_future(value)?)
    })
}

unsafe extern "C" fn store_retain(_rd: *mut c_void, h: *const RawStoreHandle) {
    if !h.is_null() {
        // SAFETY: a live handle is a live `Arc<LogicalStore>` pointer.
        let _ = catch_unwind(|| unsafe { Arc::increment_strong_count(h as *const LogicalStore) });
    }
}

unsafe extern "C" fn store_release(_rd: *mut c_void, h: *const RawStoreHandle) {
    if !h.is_null() {
        // SAFETY: the caller gives back one reference it owns.
        let _ = catch_unwind(|| unsafe { Arc::decrement_strong_count(h as *const LogicalStore) });
    }
}

unsafe extern "C" fn store_info(_rd: *mut c_void, h: *const RawStoreHandle, out: *mut RawStoreInfo, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        let s = store(h)?;
        let mut info = RawStoreInfo {
            type_code: s.ty().code() as u32,
            ndim: s.ndim() as u32,
            elem_size: s.ty().size().unwrap_or(0) as u64,
            shape: [0; MAX_DIM],
            storage_id: s.storage().id(),
            flags: 0,
        };
        match s.shape_if_observed() {
            Some(shape) => info.shape[..shape.ndim()].copy_from_slice(shape.as_slice()),
            None => info.flags |= raw::STORE_INFO_SHAPE_UNKNOWN,
        }
        if s.is_future() {
            info.flags |= STORE_FUTURE;
        }
        if s.transformed() {
            info.flags |= raw::STORE_INFO_TRANSFORMED;
        }
        put(out, info)
    })
}

unsafe extern "C" fn store_slice(
    _rd: *mut c_void,
    h: *const RawStoreHandle,
    d: u32,
    start: *const i64,
    stop: *const i64,
    step: i64,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        // SAFETY: null or a readable value, per the ABI.
        let (start, stop) = unsafe { (start.as_ref().copied(), stop.as_ref().copied()) };
        give(out, store(h)?.slice(dim(d), start, stop, step)?)
    })
}

unsafe extern "C" fn store_promote(
    _rd: *mut c_void,
    h: *const RawStoreHandle,
    d: u32,
    size: i64,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || give(out, store(h)?.promote(dim(d), size)?))
}

unsafe extern "C" fn store_project(
    _rd: *mut c_void,
    h: *const RawStoreHandle,
    d: u32,
    index: i64,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || give(out, store(h)?.project(dim(d), index)?))
}

unsafe extern "C" fn store_transpose(
    _rd: *mut c_void,
    h: *const RawStoreHandle,
    axes: *const u32,
    n: u32,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let axes: Vec<usize> = slice(axes, n as usize)?.iter().map(|&a| a as usize).collect();
        give(out, store(h)?.transpose(&axes)?)
    })
}

unsafe extern "C" fn store_delinearize(
    _rd: *mut c_void,
    h: *const RawStoreHandle,
    d: u32,
    sizes: *const i64,
    n: u32,
    out: *mut *mut RawStoreHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || give(out, store(h)?.delinearize(dim(d), slice(sizes, n as usize)?)?))
}

unsafe extern "C" fn store_fill(
    rd: *mut c_void,
    h: *const RawStoreHandle,
    type_code: u32,
    data: *const u8,
    size: u64,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let value = scalar_of(type_code, data, size)?;
        Ok(runtime(rd)?.issue_fill(store(h)?, value)?)
    })
}

unsafe extern "C" fn store_wait(rd: *mut c_void, h: *const RawStoreHandle, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || Ok(runtime(rd)?.wait_store(store(h)?)?))
}

unsafe extern "C" fn store_read(rd: *mut c_void, h: *const RawStoreHandle, buf: *mut u8, len: u64, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        let rt = runtime(rd)?;
        let s = store(h)?;
        let elem = s.ty().size().ok_or_else(|| Failure(raw::ERR_UNSUPPORTED, format!("cannot read a {} store", s.ty())))?;
        let shape = known_shape(&rt, s)?;
        let bytes = (shape.volume() as usize).checked_mul(elem).ok_or_else(|| invalid("store_read: the store is too large to read"))?;
        if len as usize != bytes {
            return Err(invalid(format!("store_read: the store has {bytes} bytes, the buffer {len}")));
        }
        rt.flush_pending();
        crate::distribute::gather(&rt, s)?;
        rt.wait_store(s)?;
        if bytes == 0 {
            return Ok(());
        }
        if buf.is_null() {
            return Err(invalid("null buffer"));
        }
        let spill = legate_abi::raw::DimSpill::default();
        let raw = crate::point::raw_store(s, &Rect::from_extents(&shape), &spill);
        // SAFETY: every writer of the storage has finished, and the store keeps its
        // instance alive while we copy.
        let piece = unsafe { PhysicalStore::from_raw(raw) };
        let mut dst = buf;
        for_each_row(&[&piece], |rows, n, strides| {
            let (src, stride) = (rows[0], strides[0]);
            // SAFETY: `rows`/`strides` describe `n` elements of the instance, and the
            // buffer has room for all of the store's elements in order.
            unsafe {
                if stride == elem as i64 {
                    std::ptr::copy_nonoverlapping(src, dst, n * elem);
                } else {
                    for i in 0..n {
                        std::ptr::copy_nonoverlapping(src.wrapping_offset(i as isize * stride as isize), dst.add(i * elem), elem);
                    }
                }
                dst = dst.add(n * elem);
            }
        });
        Ok(())
    })
}

// ---- tasks ----

fn give_task(out: *mut *mut RawTaskHandle, t: TaskLaunch) -> Outcome {
    put(out, Box::into_raw(Box::new(t)) as *mut RawTaskHandle)
}

unsafe extern "C" fn create_auto_task(
    rd: *mut c_void,
    library_id: u32,
    task_id: u32,
    out: *mut *mut RawTaskHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let rt = runtime(rd)?;
        let lib = library(&rt, library_id)?;
        give_task(out, rt.create_auto_task(&lib, task_id))
    })
}

unsafe extern "C" fn create_manual_task(
    rd: *mut c_void,
    library_id: u32,
    task_id: u32,
    launch_shape: *const i64,
    ndim: u32,
    out: *mut *mut RawTaskHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let rt = runtime(rd)?;
        let lib = library(&rt, library_id)?;
        let shape = slice(launch_shape, ndim as usize)?;
        give_task(out, rt.create_manual_task(&lib, task_id, shape)?)
    })
}

unsafe extern "C" fn task_add_input(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    h: *const RawStoreHandle,
    out_var: *mut u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let v = task(t)?.add_input(store(h)?);
        put(out_var, v.0 as u32)
    })
}

unsafe extern "C" fn task_add_output(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    h: *const RawStoreHandle,
    out_var: *mut u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let v = task(t)?.add_output(store(h)?);
        put(out_var, v.0 as u32)
    })
}

unsafe extern "C" fn task_add_reduction(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    h: *const RawStoreHandle,
    redop: u32,
    out_var: *mut u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let op = ReductionOp::from_code(redop).ok_or_else(|| invalid(format!("unknown reduction operator code {redop}")))?;
        let v = task(t)?.add_reduction(store(h)?, op);
        put(out_var, v.0 as u32)
    })
}

unsafe extern "C" fn task_add_scalar(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    type_code: u32,
    data: *const u8,
    size: u64,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let value = scalar_of(type_code, data, size)?;
        task(t)?.add_scalar_arg(value);
        Ok(())
    })
}

fn variable(t: &TaskLaunch, v: u32) -> Result<crate::Variable, Failure> {
    if v as usize >= t.num_args() {
        return Err(invalid(format!("the task has {} arguments; variable {v} does not exist", t.num_args())));
    }
    Ok(crate::Variable(v as usize))
}

unsafe extern "C" fn task_add_alignment(_rd: *mut c_void, t: *mut RawTaskHandle, a: u32, b: u32, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        let t = task(t)?;
        let (a, b) = (variable(t, a)?, variable(t, b)?);
        t.add_alignment(a, b);
        Ok(())
    })
}

unsafe extern "C" fn task_add_broadcast(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    v: u32,
    dims: *const u32,
    n: u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let t = task(t)?;
        let v = variable(t, v)?;
        let dims: Option<Vec<usize>> =
            if dims.is_null() { None } else { Some(slice(dims, n as usize)?.iter().map(|&d| d as usize).collect()) };
        t.add_broadcast(v, dims.as_deref());
        Ok(())
    })
}

unsafe extern "C" fn task_execute(_rd: *mut c_void, t: *mut RawTaskHandle, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        if t.is_null() {
            return Err(invalid("null task handle"));
        }
        // SAFETY: the caller hands over a task handle it owns.
        let t = unsafe { Box::from_raw(t as *mut TaskLaunch) };
        Ok(t.execute()?)
    })
}

unsafe extern "C" fn task_discard(_rd: *mut c_void, t: *mut RawTaskHandle) {
    if !t.is_null() {
        // SAFETY: the caller hands over a task handle it owns.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(t as *mut TaskLaunch) }));
    }
}

unsafe extern "C" fn fence(rd: *mut c_void, block: u32, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || Ok(runtime(rd)?.issue_execution_fence(block != 0)?))
}

// ---- constraints, partial outputs, communicators and manual partitions ----

/// `src` and `dst` of a derived-partition constraint: both exist and differ.
fn pair(t: &TaskLaunch, src: u32, dst: u32) -> Result<(crate::Variable, crate::Variable), Failure> {
    let (s, d) = (variable(t, src)?, variable(t, dst)?);
    if s == d {
        return Err(invalid(format!("variable {src} cannot derive its own partition")));
    }
    Ok((s, d))
}

unsafe extern "C" fn task_add_image(_rd: *mut c_void, t: *mut RawTaskHandle, src: u32, dst: u32, kind: u32, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        let t = task(t)?;
        let (s, d) = pair(t, src, dst)?;
        let kind = match kind {
            raw::IMAGE_RANGES => ImageKind::Ranges,
            raw::IMAGE_POINTS => ImageKind::Points,
            k => return Err(invalid(format!("unknown image kind {k} (IMAGE_RANGES = 0, IMAGE_POINTS = 1)"))),
        };
        t.add_constraint(crate::constraint::image(s, d, kind));
        Ok(())
    })
}

unsafe extern "C" fn task_add_bloat(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    src: u32,
    dst: u32,
    lo: *const i64,
    hi: *const i64,
    n: u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let t = task(t)?;
        let (s, d) = pair(t, src, dst)?;
        let (lo, hi) = (slice(lo, n as usize)?, slice(hi, n as usize)?);
        if lo.iter().chain(hi).any(|&h| h < 0) {
            return Err(invalid(format!("bloat: halos must not be negative (lo {lo:?}, hi {hi:?})")));
        }
        t.add_constraint(crate::constraint::bloat(s, d, lo, hi));
        Ok(())
    })
}

unsafe extern "C" fn task_add_scale(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    src: u32,
    dst: u32,
    factors: *const i64,
    n: u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let t = task(t)?;
        let (s, d) = pair(t, src, dst)?;
        let factors = slice(factors, n as usize)?;
        if factors.iter().any(|&f| f <= 0) {
            return Err(invalid(format!("scale: factors must be positive, got {factors:?}")));
        }
        t.add_constraint(crate::constraint::scale(s, d, factors));
        Ok(())
    })
}

unsafe extern "C" fn task_add_partial_output(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    h: *const RawStoreHandle,
    out_var: *mut u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let v = task(t)?.add_partial_output(store(h)?);
        put(out_var, v.0 as u32)
    })
}

unsafe extern "C" fn task_add_communicator(_rd: *mut c_void, t: *mut RawTaskHandle, err: *mut u8, cap: usize) -> i32 {
    guard(err, cap, || {
        task(t)?.add_communicator();
        Ok(())
    })
}

fn partition<'a>(h: *mut RawPartitionHandle) -> Result<&'a StorePartition, Failure> {
    // SAFETY: the caller passes a live partition handle (the ABI's contract).
    unsafe { (h as *const StorePartition).as_ref() }.ok_or_else(|| invalid("null partition handle"))
}

unsafe extern "C" fn store_partition_by_tiling(
    _rd: *mut c_void,
    h: *const RawStoreHandle,
    tile: *const u64,
    n: u32,
    out: *mut *mut RawPartitionHandle,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let tile: Vec<i64> = slice(tile, n as usize)?
            .iter()
            .map(|&t| i64::try_from(t).map_err(|_| invalid(format!("tile extent {t} is too large"))))
            .collect::<Result<_, _>>()?;
        let part = store(h)?.partition_by_tiling(&tile)?;
        put(out, Box::into_raw(Box::new(part)) as *mut RawPartitionHandle)
    })
}

unsafe extern "C" fn partition_colors(
    _rd: *mut c_void,
    p: *mut RawPartitionHandle,
    ndim: *mut u32,
    colors: *mut i64,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let c = partition(p)?.color_shape().ok_or_else(|| invalid("the partition has no color space"))?;
        if colors.is_null() {
            return Err(invalid("null output pointer"));
        }
        // SAFETY: the caller gives room for MAX_DIM extents (the ABI's contract).
        let out = unsafe { std::slice::from_raw_parts_mut(colors, MAX_DIM) };
        out[..c.ndim()].copy_from_slice(c.as_slice());
        put(ndim, c.ndim() as u32)
    })
}

unsafe extern "C" fn partition_release(_rd: *mut c_void, p: *mut RawPartitionHandle) {
    if !p.is_null() {
        // SAFETY: the caller hands over a partition handle it owns.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(p as *mut StorePartition) }));
    }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn task_add_partition(
    _rd: *mut c_void,
    t: *mut RawTaskHandle,
    p: *mut RawPartitionHandle,
    role: u32,
    redop: u32,
    proj: *const u32,
    nproj: u32,
    out_var: *mut u32,
    err: *mut u8,
    cap: usize,
) -> i32 {
    guard(err, cap, || {
        let t = task(t)?;
        let part = partition(p)?;
        let proj: Option<Vec<usize>> =
            if proj.is_null() { None } else { Some(slice(proj, nproj as usize)?.iter().map(|&d| d as usize).collect()) };
        let proj = proj.as_deref();
        let v = match role {
            raw::ROLE_INPUT => t.add_input_partition(part, proj),
            raw::ROLE_OUTPUT => t.add_output_partition(part, proj),
            raw::ROLE_REDUCTION => {
                let op = ReductionOp::from_code(redop).ok_or_else(|| invalid(format!("unknown reduction operator code {redop}")))?;
                t.add_reduction_partition(part, op, proj)
            }
            r => return Err(invalid(format!("unknown argument role {r} (ROLE_INPUT, ROLE_OUTPUT or ROLE_REDUCTION)"))),
        };
        put(out_var, v.0 as u32)
    })
}
