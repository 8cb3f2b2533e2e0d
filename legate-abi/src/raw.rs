//! The `#[repr(C)]` structures that cross the boundary between runtime and libraries.
//!
//! Everything here is plain data plus `extern "C"` function pointers, so a library built
//! by another compiler version (or in another language) can use it. Coordinates are
//! global (in the launched store's view), rectangles are half-open `[lo, hi)`, and
//! strides are in bytes.

use crate::MAX_DIM;
use std::ffi::c_void;

/// One argument of a point task: the tile of a store this point may access.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RawStore {
    /// Address of the element at `lo`. Dangling (never read) when the tile is empty.
    pub data: *mut u8,
    /// A [`crate::TypeCode`] value.
    pub type_code: u32,
    pub ndim: u32,
    /// Size of one element in bytes.
    pub elem_size: u64,
    pub lo: [i64; MAX_DIM],
    pub hi: [i64; MAX_DIM],
    /// Byte distance between neighbours along each dimension (may be 0 or negative).
    pub strides: [i64; MAX_DIM],
    /// A [`crate::ReductionOp`] code for reduction arguments, 0 otherwise.
    pub redop: u32,
    /// [`STORE_UNBOUND`] and friends.
    pub flags: u32,
}

/// The store is an unbound output: `data` is null until the task calls `bind_output`.
pub const STORE_UNBOUND: u32 = 1;
/// The store is backed by a future (a single value).
pub const STORE_FUTURE: u32 = 2;

/// A scalar argument: its type and bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RawScalar {
    pub type_code: u32,
    pub size: u64,
    pub data: *const u8,
}

/// Binds an unbound output: the runtime allocates `extents` elements and fills `out`.
/// Returns 0 on success; otherwise an error was recorded for this point task.
pub type BindOutputFn = unsafe extern "C" fn(
    runtime_data: *mut c_void,
    output_index: u32,
    extents: *const i64,
    ndim: u32,
    out: *mut RawStore,
) -> i32;

/// Records an error message (UTF-8) for the running point task.
pub type ReportErrorFn = unsafe extern "C" fn(runtime_data: *mut c_void, msg: *const u8, len: usize);

/// Everything one point task receives.
#[repr(C)]
pub struct RawTaskContext {
    pub abi_version: u32,
    pub task_id: u32,
    /// A [`crate::VariantKind`] value: which variant is running.
    pub variant: u32,
    /// Threads available to this task (1 for CPU processors, `--ompthreads` for OMP).
    pub num_threads: u32,
    pub inputs: *const RawStore,
    pub num_inputs: u32,
    pub outputs: *mut RawStore,
    pub num_outputs: u32,
    pub reductions: *const RawStore,
    pub num_reductions: u32,
    pub scalars: *const RawScalar,
    pub num_scalars: u32,
    /// This point's coordinates in the launch domain.
    pub point: [i64; MAX_DIM],
    /// The launch domain `[0, launch_shape)`.
    pub launch_shape: [i64; MAX_DIM],
    pub launch_ndim: u32,
    /// Opaque to libraries; passed back to the callbacks below.
    pub runtime_data: *mut c_void,
    pub bind_output: BindOutputFn,
    pub report_error: ReportErrorFn,
}

/// A task body. Returns 0 on success; nonzero after calling `report_error`.
pub type TaskFn = unsafe extern "C" fn(ctx: *mut RawTaskContext) -> i32;

/// A task's registration record: its id, name and variants (CPU, OMP, GPU).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RawTaskInfo {
    pub abi_version: u32,
    pub task_id: u32,
    pub name: *const u8,
    pub name_len: usize,
    /// Indexed by [`crate::VariantKind`].
    pub variants: [Option<TaskFn>; 3],
}

/// Registers one task with the library the registrar was made for. Returns 0 on success;
/// otherwise writes up to `err_cap` bytes of a message into `err` and returns its length
/// negated (or -1).
pub type RegisterTaskFn = unsafe extern "C" fn(
    runtime_data: *mut c_void,
    library_id: u32,
    info: *const RawTaskInfo,
    err: *mut u8,
    err_cap: usize,
) -> i64;

/// Handed by the runtime to a library so it can register its tasks.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RawRegistrar {
    pub abi_version: u32,
    pub library_id: u32,
    pub runtime_data: *mut c_void,
    pub register_task: RegisterTaskFn,
}
