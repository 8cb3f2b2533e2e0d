//! The `#[repr(C)]` structures that cross the boundary between runtime and libraries.
//!
//! Everything here is plain data plus `extern "C"` function pointers, so a library built
//! by another compiler version (or in another language) can use it. Coordinates are
//! global (in the launched store's view), rectangles are half-open `[lo, hi)`, and
//! strides are in bytes.

use crate::MAX_DIM;
use std::ffi::c_void;

/// Coordinates a [`RawStore`] or [`RawTaskContext`] holds inline: the dimensions of
/// nearly every store. Stores of more (up to [`MAX_DIM`]) keep theirs behind a pointer,
/// so the common store stays small to build and copy.
pub const INLINE_DIM: usize = 6;

/// One argument of a point task: the tile of a store this point may access.
///
/// A store of up to [`INLINE_DIM`] dimensions has its coordinates in `lo`, `hi` and
/// `strides` (entries past `ndim` are zero) and `dims` null. A store of more has
/// `dims` pointing at `3 * ndim` coordinates (its `lo`, then `hi`, then `strides`),
/// alive as long as the store is, and the inline arrays unused. Read them through
/// [`crate::PhysicalStore::lo`] and friends; set them with [`RawStore::set_dims`].
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
    pub lo: [i64; INLINE_DIM],
    pub hi: [i64; INLINE_DIM],
    /// Byte distance between neighbours along each dimension (may be 0 or negative).
    pub strides: [i64; INLINE_DIM],
    /// The coordinates of a store of more than [`INLINE_DIM`] dimensions (see above).
    pub dims: *const i64,
    /// A [`crate::ReductionOp`] code for reduction arguments, 0 otherwise.
    pub redop: u32,
    /// [`STORE_UNBOUND`] and friends.
    pub flags: u32,
}

impl RawStore {
    /// A 0-d store of `type_code` at `data` (set its dimensions with [`RawStore::set_dims`]).
    pub fn new(data: *mut u8, type_code: u32, elem_size: u64) -> RawStore {
        RawStore {
            data,
            type_code,
            ndim: 0,
            elem_size,
            lo: [0; INLINE_DIM],
            hi: [0; INLINE_DIM],
            strides: [0; INLINE_DIM],
            dims: std::ptr::null(),
            redop: 0,
            flags: 0,
        }
    }

    /// Sets `ndim` and the coordinates (all three of one length). Past [`INLINE_DIM`]
    /// dimensions they are copied into `spill`, which must outlive every use of the store.
    pub fn set_dims(&mut self, lo: &[i64], hi: &[i64], strides: &[i64], spill: &DimSpill) {
        let n = lo.len();
        assert!(hi.len() == n && strides.len() == n && n <= MAX_DIM, "set_dims: {n}, {} and {} coordinates", hi.len(), strides.len());
        self.ndim = n as u32;
        if n <= INLINE_DIM {
            // In place, element by element: every launch builds a store per argument.
            for j in 0..INLINE_DIM {
                self.lo[j] = lo.get(j).copied().unwrap_or(0);
                self.hi[j] = hi.get(j).copied().unwrap_or(0);
                self.strides[j] = strides.get(j).copied().unwrap_or(0);
            }
            self.dims = std::ptr::null();
        } else {
            (self.lo, self.hi, self.strides) = ([0; INLINE_DIM], [0; INLINE_DIM], [0; INLINE_DIM]);
            self.dims = spill.keep([lo, hi, strides].concat());
        }
    }

    /// `lo`, `hi` and `strides`, `ndim` of each.
    ///
    /// # Safety
    /// A store of more than [`INLINE_DIM`] dimensions must have a valid `dims` (above).
    pub unsafe fn coords(&self) -> (&[i64], &[i64], &[i64]) {
        let n = self.ndim as usize;
        if n <= INLINE_DIM {
            (&self.lo[..n], &self.hi[..n], &self.strides[..n])
        } else {
            // SAFETY: the caller's promise: `dims` holds 3 * ndim coordinates.
            let all = unsafe { std::slice::from_raw_parts(self.dims, 3 * n) };
            (&all[..n], &all[n..2 * n], &all[2 * n..])
        }
    }
}

/// `c` in a fixed-size array, zero-padded; all zeros past [`INLINE_DIM`] coordinates
/// (those travel behind a pointer).
pub fn inline_coords(c: &[i64]) -> [i64; INLINE_DIM] {
    let mut out = [0; INLINE_DIM];
    if c.len() <= INLINE_DIM {
        out[..c.len()].copy_from_slice(c);
    }
    out
}

/// Keeps the coordinates of stores of more than [`INLINE_DIM`] dimensions alive for
/// whoever builds them (the runtime for a point task's arguments, a task for views it
/// makes). Allocates nothing until such a store is built.
#[derive(Default)]
pub struct DimSpill(std::cell::RefCell<Vec<Box<[i64]>>>);

impl DimSpill {
    /// Keeps `coords` until `self` is dropped; their address does not change meanwhile.
    pub fn keep(&self, coords: Vec<i64>) -> *const i64 {
        let b = coords.into_boxed_slice();
        let p = b.as_ptr();
        self.0.borrow_mut().push(b);
        p
    }
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

/// All-to-all among the points of a launch with a communicator: sends
/// `send_counts[j]` bytes (consecutive in `send`, in point order) to point `j` and
/// receives point `j`'s bytes for this point: `*recv` (all of them, in point order,
/// owned by the runtime until the task returns) and `recv_counts[j]`. Every point must
/// call it the same number of times. Returns 0, or nonzero with the reason reported.
pub type AllToAllFn = unsafe extern "C" fn(
    runtime_data: *mut c_void,
    send: *const u8,
    send_counts: *const u64,
    recv: *mut *const u8,
    recv_counts: *mut u64,
) -> i32;

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
    /// This point's coordinates in the launch domain (launches of up to [`INLINE_DIM`]
    /// dimensions; zeros otherwise).
    pub point: [i64; INLINE_DIM],
    /// The launch domain `[0, launch_shape)` (likewise).
    pub launch_shape: [i64; INLINE_DIM],
    pub launch_ndim: u32,
    /// Launches of more than [`INLINE_DIM`] dimensions: `2 * launch_ndim` coordinates
    /// (the point, then the launch shape), alive during the task; null otherwise.
    pub launch_dims: *const i64,
    /// Opaque to libraries; passed back to the callbacks below.
    pub runtime_data: *mut c_void,
    pub bind_output: BindOutputFn,
    pub report_error: ReportErrorFn,
    /// Tasks launched with a communicator: the number of communicating points (the
    /// launch's points) and this point's index among them; 0 and 0 otherwise.
    pub comm_size: u32,
    pub comm_rank: u32,
    pub all_to_all: AllToAllFn,
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

// ---- The runtime's function table ----------------------------------------------------
//
// What a library calls to create stores and launch its tasks. The runtime publishes
// one [`RawRuntimeApi`] per runtime: a Python process gets it from the capsule
// `legate._legate.runtime_api`, a Rust program from the runtime it links
// (`legate_core::ffi::api()`). Libraries use it through [`crate::client`].
//
// Conventions shared by every entry:
// * The first argument is the table's `runtime_data`.
// * Entries are thread-safe and never unwind: a panic inside becomes [`ERR_PANIC`].
// * Fallible entries return `0` on success, or a negative `ERR_*` code after writing a
//   UTF-8 message, truncated to `err_cap - 1` bytes and NUL-terminated, into `err`
//   (skipped when `err` is null or `err_cap` is 0). Results go to out-parameters.
// * Store handles are reference counted: every handle an entry writes to an `out`
//   parameter is a new reference the caller owns and gives back with `store_release`.
//   Entries that take a handle borrow it. Handles stay valid across threads.
// * A task handle is owned by the caller until `task_execute` (which consumes it,
//   whatever it returns) or `task_discard`.
// * Type codes are [`crate::TypeCode`] values. The runtime infers compound types from
//   code and element size: `FixedArray` of `8 * n` bytes is `int64[n]` (a point);
//   other compound types are refused.
// * Fields are only ever appended: `size` tells a library whether the entries it uses
//   exist in the runtime it runs against.

/// An opaque reference-counted handle to a logical store (a view of a storage).
#[repr(C)]
pub struct RawStoreHandle {
    _private: [u8; 0],
}

/// An opaque handle to a task launch being built.
#[repr(C)]
pub struct RawTaskHandle {
    _private: [u8; 0],
}

/// An opaque handle to a manual partition of a store (owned by the caller until
/// `partition_release`).
#[repr(C)]
pub struct RawPartitionHandle {
    _private: [u8; 0],
}

/// [`RawRuntimeApi::task_add_image`] kinds: the source holds half-open `[lo, hi)`
/// ranges (`int64[2]`) of a 1-d destination...
pub const IMAGE_RANGES: u32 = 0;
/// ... or destination coordinates (`int64`, or `int64[N]` for N-d destinations).
pub const IMAGE_POINTS: u32 = 1;

/// [`RawRuntimeApi::task_add_partition`] roles.
pub const ROLE_INPUT: u32 = 0;
pub const ROLE_OUTPUT: u32 = 1;
pub const ROLE_REDUCTION: u32 = 2;

/// The argument was invalid (bad dimension, index, shape, null handle, ...).
pub const ERR_INVALID: i32 = -1;
/// Shapes of arguments do not agree.
pub const ERR_SHAPE: i32 = -2;
/// A type did not match (or is not supported across the ABI).
pub const ERR_TYPE: i32 = -3;
/// A memory limit was reached.
pub const ERR_MEMORY: i32 = -4;
/// Something this runtime build does not support.
pub const ERR_UNSUPPORTED: i32 = -5;
/// A task failed (reported when waiting for, or reading, what it wrote).
pub const ERR_TASK: i32 = -6;
/// Unknown library or task, or a registration problem.
pub const ERR_REGISTRY: i32 = -7;
/// The configuration is invalid (when the runtime starts).
pub const ERR_CONFIG: i32 = -8;
/// The runtime panicked inside the entry (a bug in the runtime).
pub const ERR_PANIC: i32 = -9;

/// What [`RawRuntimeApi::store_info`] reports.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RawStoreInfo {
    pub type_code: u32,
    pub ndim: u32,
    pub elem_size: u64,
    /// The view's extents; zeros when [`STORE_INFO_SHAPE_UNKNOWN`] is set.
    pub shape: [i64; MAX_DIM],
    /// The storage's id: views of one storage share it (ids count up per runtime).
    pub storage_id: u64,
    /// [`STORE_FUTURE`], [`STORE_INFO_SHAPE_UNKNOWN`], [`STORE_INFO_TRANSFORMED`].
    pub flags: u32,
}

impl Default for RawStoreInfo {
    fn default() -> Self {
        RawStoreInfo { type_code: 0, ndim: 0, elem_size: 0, shape: [0; MAX_DIM], storage_id: 0, flags: 0 }
    }
}

/// The store is unbound and its producer has not run yet: `shape` is unknown.
pub const STORE_INFO_SHAPE_UNKNOWN: u32 = 4;
/// The store is a transformed view (not the whole storage as created).
pub const STORE_INFO_TRANSFORMED: u32 = 8;

type Rd = *mut c_void;
type ErrBuf = *mut u8;
type StoreOut = *mut *mut RawStoreHandle;
type StoreH = *const RawStoreHandle;
type TaskH = *mut RawTaskHandle;
type PartH = *mut RawPartitionHandle;

/// The runtime's function table (see the conventions above).
#[repr(C)]
pub struct RawRuntimeApi {
    /// [`crate::ABI_VERSION`] of the runtime that built the table.
    pub abi_version: u32,
    /// `size_of::<RawRuntimeApi>()` in the runtime that built the table.
    pub size: u32,
    /// Opaque; passed back to every entry.
    pub runtime_data: *mut c_void,

    // -- libraries --
    /// Creates the library `name` (UTF-8), or finds it if it exists; writes its id.
    pub create_library: unsafe extern "C" fn(Rd, name: *const u8, len: usize, out_id: *mut u32, ErrBuf, usize) -> i32,
    /// Writes 1 and the id to `found`/`out_id` if the library exists, else 0.
    pub find_library:
        unsafe extern "C" fn(Rd, name: *const u8, len: usize, found: *mut u32, out_id: *mut u32, ErrBuf, usize) -> i32,
    /// Fills `out` with a registrar for the library (task registration, see [`RawRegistrar`]).
    pub registrar: unsafe extern "C" fn(Rd, library_id: u32, out: *mut RawRegistrar, ErrBuf, usize) -> i32,

    // -- stores --
    /// A store of `shape` (`ndim` extents); its contents are unspecified until written.
    pub create_store:
        unsafe extern "C" fn(Rd, type_code: u32, elem_size: u64, shape: *const u64, ndim: u32, StoreOut, ErrBuf, usize) -> i32,
    /// A store of `ndim` dimensions whose shape the task that writes it decides.
    pub create_unbound_store: unsafe extern "C" fn(Rd, type_code: u32, elem_size: u64, ndim: u32, StoreOut, ErrBuf, usize) -> i32,
    /// A one-element future store holding the `size` bytes at `data`.
    pub create_future: unsafe extern "C" fn(Rd, type_code: u32, data: *const u8, size: u64, StoreOut, ErrBuf, usize) -> i32,
    /// Adds a reference to `store`.
    pub store_retain: unsafe extern "C" fn(Rd, store: StoreH),
    /// Drops a reference; the store goes when its last reference and pending tasks do.
    pub store_release: unsafe extern "C" fn(Rd, store: StoreH),
    /// Type, shape and identity of `store` (never waits).
    pub store_info: unsafe extern "C" fn(Rd, store: StoreH, out: *mut RawStoreInfo, ErrBuf, usize) -> i32,
    /// The view `start:stop:step` along `dim` with Python's rules; null bounds are omitted.
    pub store_slice: unsafe extern "C" fn(
        Rd,
        store: StoreH,
        dim: u32,
        start: *const i64,
        stop: *const i64,
        step: i64,
        StoreOut,
        ErrBuf,
        usize,
    ) -> i32,
    /// A view with a new dimension of extent `size` at `dim` (a broadcast).
    pub store_promote: unsafe extern "C" fn(Rd, store: StoreH, dim: u32, size: i64, StoreOut, ErrBuf, usize) -> i32,
    /// A view with dimension `dim` fixed at `index` and removed.
    pub store_project: unsafe extern "C" fn(Rd, store: StoreH, dim: u32, index: i64, StoreOut, ErrBuf, usize) -> i32,
    /// A view whose dimension `i` is dimension `axes[i]` of `store`.
    pub store_transpose: unsafe extern "C" fn(Rd, store: StoreH, axes: *const u32, n: u32, StoreOut, ErrBuf, usize) -> i32,
    /// A view with dimension `dim` split into `sizes` (row-major).
    pub store_delinearize:
        unsafe extern "C" fn(Rd, store: StoreH, dim: u32, sizes: *const i64, n: u32, StoreOut, ErrBuf, usize) -> i32,
    /// Fills `store` with one value (`size` bytes of the store's type).
    pub store_fill: unsafe extern "C" fn(Rd, store: StoreH, type_code: u32, data: *const u8, size: u64, ErrBuf, usize) -> i32,
    /// Waits for the tasks writing `store`; reports the error of one that failed.
    pub store_wait: unsafe extern "C" fn(Rd, store: StoreH, ErrBuf, usize) -> i32,
    /// Waits for the store's writers, then copies its contents in row-major order into
    /// `buf`, which must hold exactly `volume * elem_size` bytes.
    pub store_read: unsafe extern "C" fn(Rd, store: StoreH, buf: *mut u8, len: u64, ErrBuf, usize) -> i32,

    // -- tasks --
    /// An auto task: the runtime partitions its arguments from their constraints.
    pub create_auto_task: unsafe extern "C" fn(Rd, library_id: u32, task_id: u32, out: *mut TaskH, ErrBuf, usize) -> i32,
    /// A manual task over the launch domain `[0, launch_shape)`; store arguments are
    /// passed whole to every point.
    pub create_manual_task: unsafe extern "C" fn(
        Rd,
        library_id: u32,
        task_id: u32,
        launch_shape: *const i64,
        ndim: u32,
        out: *mut TaskH,
        ErrBuf,
        usize,
    ) -> i32,
    /// Adds an input; writes its variable (for constraints).
    pub task_add_input: unsafe extern "C" fn(Rd, task: TaskH, store: StoreH, out_var: *mut u32, ErrBuf, usize) -> i32,
    /// Adds an output; writes its variable.
    pub task_add_output: unsafe extern "C" fn(Rd, task: TaskH, store: StoreH, out_var: *mut u32, ErrBuf, usize) -> i32,
    /// Adds a reduction with a [`crate::ReductionOp`] code; writes its variable.
    pub task_add_reduction:
        unsafe extern "C" fn(Rd, task: TaskH, store: StoreH, redop: u32, out_var: *mut u32, ErrBuf, usize) -> i32,
    /// Adds a scalar argument: `size` bytes of type `type_code` (`String`: UTF-8 bytes).
    pub task_add_scalar: unsafe extern "C" fn(Rd, task: TaskH, type_code: u32, data: *const u8, size: u64, ErrBuf, usize) -> i32,
    /// Constrains two arguments to the same partition.
    pub task_add_alignment: unsafe extern "C" fn(Rd, task: TaskH, a: u32, b: u32, ErrBuf, usize) -> i32,
    /// Keeps an argument whole along `dims` (all dimensions when `dims` is null).
    pub task_add_broadcast: unsafe extern "C" fn(Rd, task: TaskH, var: u32, dims: *const u32, n: u32, ErrBuf, usize) -> i32,
    /// Submits the task and frees the handle (also on failure).
    pub task_execute: unsafe extern "C" fn(Rd, task: TaskH, ErrBuf, usize) -> i32,
    /// Frees a task handle without submitting it.
    pub task_discard: unsafe extern "C" fn(Rd, task: TaskH),

    // -- waiting --
    /// With `block != 0` waits for all submitted work and reports task errors not yet
    /// reported; otherwise only an ordering point.
    pub fence: unsafe extern "C" fn(Rd, block: u32, ErrBuf, usize) -> i32,

    // -- appended after ABI version 2 first shipped (check `size`) --
    /// `dst`'s piece for each point is the bounding box of what `src`'s piece names
    /// ([`IMAGE_RANGES`] or [`IMAGE_POINTS`]); `dst` may be an input, output or reduction.
    pub task_add_image: unsafe extern "C" fn(Rd, task: TaskH, src: u32, dst: u32, kind: u32, ErrBuf, usize) -> i32,
    /// `dst` gets `src`'s tiling grown by `lo`/`hi` elements per dimension (`n` of each).
    pub task_add_bloat:
        unsafe extern "C" fn(Rd, task: TaskH, src: u32, dst: u32, lo: *const i64, hi: *const i64, n: u32, ErrBuf, usize) -> i32,
    /// `dst`'s tiles are `src`'s tiles scaled by `factors` (`n` of them).
    pub task_add_scale: unsafe extern "C" fn(Rd, task: TaskH, src: u32, dst: u32, factors: *const i64, n: u32, ErrBuf, usize) -> i32,
    /// Adds an output the task writes only partly (the rest keeps its contents).
    pub task_add_partial_output: unsafe extern "C" fn(Rd, task: TaskH, store: StoreH, out_var: *mut u32, ErrBuf, usize) -> i32,
    /// Gives the launch a communicator (see [`RawTaskContext::all_to_all`]).
    pub task_add_communicator: unsafe extern "C" fn(Rd, task: TaskH, ErrBuf, usize) -> i32,
    /// A manual partition of `store` into tiles of `tile` (`n` extents, each > 0).
    pub store_partition_by_tiling: unsafe extern "C" fn(Rd, store: StoreH, tile: *const u64, n: u32, out: *mut PartH, ErrBuf, usize) -> i32,
    /// The color space of a partition: writes its `ndim` and extents.
    pub partition_colors: unsafe extern "C" fn(Rd, part: PartH, ndim: *mut u32, colors: *mut i64, ErrBuf, usize) -> i32,
    /// Frees a partition handle (launches that use the partition keep what they need).
    pub partition_release: unsafe extern "C" fn(Rd, part: PartH),
    /// Adds a partitioned argument to a manual task: point `p` gets the piece of color
    /// `p` (or of `p` projected on the launch dimensions `proj`, `nproj` of them, when
    /// `proj` is not null). `role` is a `ROLE_*`; `redop` is used for reductions.
    pub task_add_partition: unsafe extern "C" fn(
        Rd,
        task: TaskH,
        part: PartH,
        role: u32,
        redop: u32,
        proj: *const u32,
        nproj: u32,
        out_var: *mut u32,
        ErrBuf,
        usize,
    ) -> i32,
}

// SAFETY: the table is immutable plain data, and its entries are thread-safe.
unsafe impl Send for RawRuntimeApi {}
unsafe impl Sync for RawRuntimeApi {}
