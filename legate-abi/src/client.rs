//! The safe face of the runtime's function table, [`RawRuntimeApi`]: what a library
//! uses to create stores and launch its tasks without linking the runtime.
//!
//! A library gets the table once — in Python from the capsule
//! `legate._legate.runtime_api`, in a Rust program from the runtime it links
//! (`legate_core::ffi::api()`) — and wraps it with [`Runtime::new`]. Everything else
//! follows from there, through the same code either way:
//!
//! ```ignore
//! let rt = legate_abi::client::Runtime::new(api)?;
//! let lib = rt.create_library("my_library")?;
//! rt.registrar(&lib)?.register::<MyTask>()?;
//! let out = rt.create_store::<f64>(&[100])?;
//! let mut task = rt.create_auto_task(&lib, MyTask::TASK_ID)?;
//! task.add_output(&out)?;
//! task.execute()?;
//! let values: Vec<f64> = out.read()?;
//! ```
//!
//! [`Store`]s are reference-counted handles: cloning one adds a reference, dropping it
//! gives the reference back. A [`TaskLaunch`] dropped without `execute` is discarded.

use crate::raw::{self, RawPartitionHandle, RawRegistrar, RawRuntimeApi, RawStoreHandle, RawStoreInfo, RawTaskHandle};
use crate::{Element, ImageKind, ReductionOp, Registrar, TypeCode, ABI_VERSION, MAX_DIM};
use std::ffi::c_void;
use std::ptr::{self, NonNull};

/// What kind of problem an [`Error`] reports (from the `raw::ERR_*` codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    ShapeMismatch,
    TypeMismatch,
    OutOfMemory,
    Unsupported,
    /// A task failed; reported by whoever waits for or reads what it wrote.
    TaskFailed,
    /// Unknown library or task, or a registration problem.
    Registry,
    Config,
    /// The runtime panicked (a bug in the runtime).
    Panic,
    /// The table is missing, or of an ABI version or size this library cannot use.
    Abi,
}

impl ErrorKind {
    fn from_code(code: i32) -> ErrorKind {
        match code {
            raw::ERR_INVALID => ErrorKind::InvalidArgument,
            raw::ERR_SHAPE => ErrorKind::ShapeMismatch,
            raw::ERR_TYPE => ErrorKind::TypeMismatch,
            raw::ERR_MEMORY => ErrorKind::OutOfMemory,
            raw::ERR_UNSUPPORTED => ErrorKind::Unsupported,
            raw::ERR_TASK => ErrorKind::TaskFailed,
            raw::ERR_REGISTRY => ErrorKind::Registry,
            raw::ERR_CONFIG => ErrorKind::Config,
            _ => ErrorKind::Panic,
        }
    }
}

/// An error the runtime reported through the table, with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<crate::TaskError> for Error {
    fn from(e: crate::TaskError) -> Error {
        Error::new(ErrorKind::Registry, e.0)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Room for an error message; longer ones are truncated by the runtime.
const ERR_CAP: usize = 1024;

/// Calls a fallible entry with an error buffer and turns its code into a `Result`.
fn check(call: impl FnOnce(*mut u8, usize) -> i32) -> Result<()> {
    let mut buf = [0u8; ERR_CAP];
    let rc = call(buf.as_mut_ptr(), buf.len());
    if rc == 0 {
        return Ok(());
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Err(Error::new(ErrorKind::from_code(rc), String::from_utf8_lossy(&buf[..len]).into_owned()))
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, msg)
}

/// `v` as the `u32` the ABI uses for dimensions and counts.
fn small(v: usize, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| invalid(format!("{what} {v} is out of range")))
}

/// The runtime, seen through its function table. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Runtime {
    api: &'static RawRuntimeApi,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Runtime(table at {:p})", self.api)
    }
}

/// A library of tasks in the runtime: its id and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Library {
    id: u32,
    name: String,
}

impl Library {
    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Runtime {
    /// Wraps a table, checking that it speaks this crate's ABI version and has every
    /// entry this crate uses.
    pub fn new(api: &'static RawRuntimeApi) -> Result<Runtime> {
        if api.abi_version != ABI_VERSION {
            return Err(Error::new(
                ErrorKind::Abi,
                format!("the runtime speaks ABI version {}, this library version {ABI_VERSION}", api.abi_version),
            ));
        }
        let need = std::mem::size_of::<RawRuntimeApi>();
        if (api.size as usize) < need {
            return Err(Error::new(
                ErrorKind::Abi,
                format!("the runtime's function table has {} bytes, this library needs {need}: upgrade the runtime", api.size),
            ));
        }
        Ok(Runtime { api })
    }

    /// Wraps the table at `ptr` (e.g. the pointer of a capsule).
    ///
    /// # Safety
    /// `ptr` must be null or point to a table built by the runtime, valid for the rest
    /// of the process.
    pub unsafe fn from_ptr(ptr: *const RawRuntimeApi) -> Result<Runtime> {
        if ptr.is_null() {
            return Err(Error::new(ErrorKind::Abi, "the runtime's function table pointer is null"));
        }
        // SAFETY: the caller promises a live, 'static table.
        Runtime::new(unsafe { &*ptr })
    }

    /// The table itself.
    pub fn raw(&self) -> &'static RawRuntimeApi {
        self.api
    }

    fn rd(&self) -> *mut c_void {
        self.api.runtime_data
    }

    /// Takes ownership of one reference to a store handle (e.g. one a Python `Store`
    /// handed out with `_abi_handle()`).
    ///
    /// # Safety
    /// `raw` must be a live handle of this runtime whose reference the caller owns.
    pub unsafe fn store_from_raw(&self, raw: *mut RawStoreHandle) -> Result<Store> {
        NonNull::new(raw).map(|raw| Store { rt: *self, raw }).ok_or_else(|| invalid("null store handle"))
    }

    fn new_store(&self, make: impl FnOnce(*mut *mut RawStoreHandle, *mut u8, usize) -> i32) -> Result<Store> {
        let mut out: *mut RawStoreHandle = ptr::null_mut();
        check(|e, n| make(&mut out, e, n))?;
        // SAFETY: on success the entry wrote a new reference we now own.
        unsafe { self.store_from_raw(out) }
    }

    // ---- libraries ----

    /// Creates the library `name`, or finds it if it exists already.
    pub fn create_library(&self, name: &str) -> Result<Library> {
        let mut id = 0u32;
        // SAFETY: entry and data come from the runtime; pointers are valid for the call.
        check(|e, n| unsafe { (self.api.create_library)(self.rd(), name.as_ptr(), name.len(), &mut id, e, n) })?;
        Ok(Library { id, name: name.to_string() })
    }

    /// The library `name`, if it exists.
    pub fn find_library(&self, name: &str) -> Result<Option<Library>> {
        let (mut found, mut id) = (0u32, 0u32);
        // SAFETY: as above.
        check(|e, n| unsafe { (self.api.find_library)(self.rd(), name.as_ptr(), name.len(), &mut found, &mut id, e, n) })?;
        Ok((found != 0).then(|| Library { id, name: name.to_string() }))
    }

    /// A registrar for `library`'s tasks.
    pub fn registrar(&self, library: &Library) -> Result<Registrar> {
        let mut out = std::mem::MaybeUninit::<RawRegistrar>::uninit();
        // SAFETY: as above; on success the entry initialized `out`.
        check(|e, n| unsafe { (self.api.registrar)(self.rd(), library.id, out.as_mut_ptr(), e, n) })?;
        // SAFETY: initialized by the runtime, which made it for this very library.
        Ok(unsafe { Registrar::from_raw(out.assume_init()) })
    }

    // ---- stores ----

    /// A store of `T` elements and `shape` (contents unspecified until written).
    pub fn create_store<T: Element>(&self, shape: &[usize]) -> Result<Store> {
        self.create_store_of(T::CODE, T::SIZE, shape)
    }

    /// A store of elements of type `code` and `elem_size` bytes.
    pub fn create_store_of(&self, code: TypeCode, elem_size: usize, shape: &[usize]) -> Result<Store> {
        let extents: Vec<u64> = shape.iter().map(|&e| e as u64).collect();
        let ndim = small(shape.len(), "number of dimensions")?;
        // SAFETY: as above.
        self.new_store(|out, e, n| unsafe {
            (self.api.create_store)(self.rd(), code as u32, elem_size as u64, extents.as_ptr(), ndim, out, e, n)
        })
    }

    /// A store of `ndim` dimensions whose shape the task writing it decides.
    pub fn create_unbound_store<T: Element>(&self, ndim: usize) -> Result<Store> {
        let ndim = small(ndim, "number of dimensions")?;
        // SAFETY: as above.
        self.new_store(|out, e, n| unsafe {
            (self.api.create_unbound_store)(self.rd(), T::CODE as u32, T::SIZE as u64, ndim, out, e, n)
        })
    }

    /// [`Self::create_unbound_store`] of a type known at run time (`code`, `elem_size`
    /// bytes an element).
    pub fn create_unbound_store_of(&self, code: TypeCode, elem_size: usize, ndim: usize) -> Result<Store> {
        let ndim = small(ndim, "number of dimensions")?;
        // SAFETY: as above.
        self.new_store(|out, e, n| unsafe {
            (self.api.create_unbound_store)(self.rd(), code as u32, elem_size as u64, ndim, out, e, n)
        })
    }

    /// A one-element future store holding `value`.
    pub fn create_future<T: Element>(&self, value: T) -> Result<Store> {
        let bytes = bytes_of(&value);
        // SAFETY: as above.
        self.new_store(|out, e, n| unsafe {
            (self.api.create_future)(self.rd(), T::CODE as u32, bytes.as_ptr(), bytes.len() as u64, out, e, n)
        })
    }

    // ---- tasks ----

    fn new_task(&self, make: impl FnOnce(*mut *mut RawTaskHandle, *mut u8, usize) -> i32) -> Result<TaskLaunch> {
        let mut out: *mut RawTaskHandle = ptr::null_mut();
        check(|e, n| make(&mut out, e, n))?;
        let raw = NonNull::new(out).ok_or_else(|| invalid("the runtime returned a null task"))?;
        Ok(TaskLaunch { rt: *self, raw: Some(raw) })
    }

    /// An auto task: the runtime chooses the launch and partitions from constraints.
    pub fn create_auto_task(&self, library: &Library, task_id: u32) -> Result<TaskLaunch> {
        // SAFETY: as above.
        self.new_task(|out, e, n| unsafe { (self.api.create_auto_task)(self.rd(), library.id, task_id, out, e, n) })
    }

    /// A manual task over the launch domain `[0, launch_shape)`; its store arguments
    /// reach every point whole.
    pub fn create_manual_task(&self, library: &Library, task_id: u32, launch_shape: &[i64]) -> Result<TaskLaunch> {
        let ndim = small(launch_shape.len(), "number of launch dimensions")?;
        // SAFETY: as above.
        self.new_task(|out, e, n| unsafe {
            (self.api.create_manual_task)(self.rd(), library.id, task_id, launch_shape.as_ptr(), ndim, out, e, n)
        })
    }

    /// With `block`, waits for all submitted work and reports task errors not reported
    /// yet; without, it is only an ordering point.
    pub fn fence(&self, block: bool) -> Result<()> {
        // SAFETY: as above.
        check(|e, n| unsafe { (self.api.fence)(self.rd(), block as u32, e, n) })
    }
}

fn bytes_of<T: Element>(value: &T) -> &[u8] {
    // SAFETY: Elements are plain data; reading their bytes is fine.
    unsafe { std::slice::from_raw_parts(value as *const T as *const u8, T::SIZE) }
}

/// What [`Store::info`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreInfo {
    /// `None` for a type code this crate does not know.
    pub type_code: Option<TypeCode>,
    pub elem_size: usize,
    pub ndim: usize,
    /// `None` while the store is unbound and its producer has not run.
    pub shape: Option<Vec<usize>>,
    /// Views of one storage share it.
    pub storage_id: u64,
    pub is_future: bool,
    pub transformed: bool,
}

/// A reference to a logical store of the runtime (a view of a storage). Cloning adds
/// a reference; dropping gives it back.
pub struct Store {
    rt: Runtime,
    raw: NonNull<RawStoreHandle>,
}

// SAFETY: handles are thread-safe references to the runtime's stores, and every entry
// taking one is thread-safe.
unsafe impl Send for Store {}
unsafe impl Sync for Store {}

impl Clone for Store {
    fn clone(&self) -> Store {
        // SAFETY: a live handle of this runtime.
        unsafe { (self.rt.api.store_retain)(self.rt.rd(), self.raw.as_ptr()) };
        Store { rt: self.rt, raw: self.raw }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // SAFETY: we own one reference of this live handle.
        unsafe { (self.rt.api.store_release)(self.rt.rd(), self.raw.as_ptr()) };
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.info() {
            Ok(i) => write!(f, "Store(storage {}, {:?}, shape {:?})", i.storage_id, i.type_code, i.shape),
            Err(e) => write!(f, "Store(<{e}>)"),
        }
    }
}

impl Store {
    pub fn runtime(&self) -> Runtime {
        self.rt
    }

    /// The handle, still owned by `self`.
    pub fn as_raw(&self) -> *mut RawStoreHandle {
        self.raw.as_ptr()
    }

    /// Gives up ownership of the handle's reference (to pass it on through the ABI).
    pub fn into_raw(self) -> *mut RawStoreHandle {
        let raw = self.raw.as_ptr();
        std::mem::forget(self);
        raw
    }

    fn derive(&self, make: impl FnOnce(*mut *mut RawStoreHandle, *mut u8, usize) -> i32) -> Result<Store> {
        self.rt.new_store(make)
    }

    /// Type, shape and identity (never waits).
    pub fn info(&self) -> Result<StoreInfo> {
        let mut raw = RawStoreInfo::default();
        // SAFETY: live handle; `raw` is writable.
        check(|e, n| unsafe { (self.rt.api.store_info)(self.rt.rd(), self.as_raw(), &mut raw, e, n) })?;
        let ndim = (raw.ndim as usize).min(MAX_DIM);
        let known = raw.flags & raw::STORE_INFO_SHAPE_UNKNOWN == 0;
        Ok(StoreInfo {
            type_code: TypeCode::from_u32(raw.type_code),
            elem_size: raw.elem_size as usize,
            ndim,
            shape: known.then(|| raw.shape[..ndim].iter().map(|&e| e.max(0) as usize).collect()),
            storage_id: raw.storage_id,
            is_future: raw.flags & raw::STORE_FUTURE != 0,
            transformed: raw.flags & raw::STORE_INFO_TRANSFORMED != 0,
        })
    }

    /// The extents; for an unbound store this waits for the task producing it.
    pub fn shape(&self) -> Result<Vec<usize>> {
        if let Some(shape) = self.info()?.shape {
            return Ok(shape);
        }
        self.wait()?;
        self.info()?
            .shape
            .ok_or_else(|| invalid("the store is unbound and no task produces it; add it as a task's output first"))
    }

    pub fn ndim(&self) -> Result<usize> {
        Ok(self.info()?.ndim)
    }

    pub fn volume(&self) -> Result<usize> {
        Ok(self.shape()?.iter().product())
    }

    pub fn type_code(&self) -> Result<Option<TypeCode>> {
        Ok(self.info()?.type_code)
    }

    pub fn storage_id(&self) -> Result<u64> {
        Ok(self.info()?.storage_id)
    }

    /// The view `start:stop:step` along `dim` (Python's slice rules; negative indices
    /// count from the end, `step` may be negative).
    pub fn slice(&self, dim: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Result<Store> {
        let dim = small(dim, "dimension")?;
        let start_ptr = start.as_ref().map_or(ptr::null(), |s| s as *const i64);
        let stop_ptr = stop.as_ref().map_or(ptr::null(), |s| s as *const i64);
        // SAFETY: live handle; the bounds outlive the call.
        self.derive(|out, e, n| unsafe {
            (self.rt.api.store_slice)(self.rt.rd(), self.as_raw(), dim, start_ptr, stop_ptr, step, out, e, n)
        })
    }

    /// A view with a new dimension of extent `size` at `dim` that reads the same
    /// elements at every coordinate.
    pub fn promote(&self, dim: usize, size: i64) -> Result<Store> {
        let dim = small(dim, "dimension")?;
        // SAFETY: live handle.
        self.derive(|out, e, n| unsafe { (self.rt.api.store_promote)(self.rt.rd(), self.as_raw(), dim, size, out, e, n) })
    }

    /// A view with dimension `dim` fixed at `index` and removed.
    pub fn project(&self, dim: usize, index: i64) -> Result<Store> {
        let dim = small(dim, "dimension")?;
        // SAFETY: live handle.
        self.derive(|out, e, n| unsafe { (self.rt.api.store_project)(self.rt.rd(), self.as_raw(), dim, index, out, e, n) })
    }

    /// A view whose dimension `i` is dimension `axes[i]` of this one.
    pub fn transpose(&self, axes: &[usize]) -> Result<Store> {
        let axes: Vec<u32> = axes.iter().map(|&a| small(a, "axis")).collect::<Result<_>>()?;
        let len = small(axes.len(), "number of axes")?;
        // SAFETY: live handle; `axes` outlives the call.
        self.derive(|out, e, n| unsafe {
            (self.rt.api.store_transpose)(self.rt.rd(), self.as_raw(), axes.as_ptr(), len, out, e, n)
        })
    }

    /// A view with dimension `dim` split into `sizes` (row-major).
    pub fn delinearize(&self, dim: usize, sizes: &[i64]) -> Result<Store> {
        let dim = small(dim, "dimension")?;
        let len = small(sizes.len(), "number of sizes")?;
        // SAFETY: live handle; `sizes` outlives the call.
        self.derive(|out, e, n| unsafe {
            (self.rt.api.store_delinearize)(self.rt.rd(), self.as_raw(), dim, sizes.as_ptr(), len, out, e, n)
        })
    }

    /// Fills the store with `value` (of the store's type).
    pub fn fill<T: Element>(&self, value: T) -> Result<()> {
        let bytes = bytes_of(&value);
        // SAFETY: live handle; `bytes` outlives the call.
        check(|e, n| unsafe {
            (self.rt.api.store_fill)(self.rt.rd(), self.as_raw(), T::CODE as u32, bytes.as_ptr(), bytes.len() as u64, e, n)
        })
    }

    /// A manual partition of the store into tiles of `tile` (one positive extent per
    /// dimension; the last tiles along a dimension may be smaller). Manual tasks take its
    /// pieces with [`TaskLaunch::add_input_partition`] & co.
    pub fn partition_by_tiling(&self, tile: &[u64]) -> Result<StorePartition> {
        let n = small(tile.len(), "number of dimensions")?;
        let mut out: *mut RawPartitionHandle = ptr::null_mut();
        // SAFETY: a live store handle; `tile` outlives the call.
        check(|e, k| unsafe { (self.rt.api.store_partition_by_tiling)(self.rt.rd(), self.raw.as_ptr(), tile.as_ptr(), n, &mut out, e, k) })?;
        let raw = NonNull::new(out).ok_or_else(|| invalid("the runtime returned a null partition"))?;
        Ok(StorePartition { rt: self.rt, raw })
    }

    /// Waits for the tasks writing this store; reports the error of one that failed.
    pub fn wait(&self) -> Result<()> {
        // SAFETY: live handle.
        check(|e, n| unsafe { (self.rt.api.store_wait)(self.rt.rd(), self.as_raw(), e, n) })
    }

    /// The contents in row-major order (waits for the store's writers only).
    pub fn read<T: Element>(&self) -> Result<Vec<T>> {
        let info = self.info()?;
        if info.type_code != Some(T::CODE) || info.elem_size != T::SIZE {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "the store holds {:?} ({} bytes) but {} was requested",
                    info.type_code,
                    info.elem_size,
                    std::any::type_name::<T>()
                ),
            ));
        }
        let volume = self.volume()?;
        let mut out: Vec<T> = Vec::with_capacity(volume);
        let len = (volume * T::SIZE) as u64;
        let buf = out.as_mut_ptr() as *mut u8;
        // SAFETY: live handle; `buf` has room for `len` bytes.
        check(|e, n| unsafe { (self.rt.api.store_read)(self.rt.rd(), self.as_raw(), buf, len, e, n) })?;
        // SAFETY: the runtime wrote all `volume` elements (valid values of their type).
        unsafe { out.set_len(volume) };
        Ok(out)
    }

    /// The single value of a one-element store (a future), waiting for it.
    pub fn read_scalar<T: Element>(&self) -> Result<T> {
        let values = self.read::<T>()?;
        match values.as_slice() {
            [v] => Ok(*v),
            _ => Err(invalid(format!("read_scalar: the store has {} elements, not 1", values.len()))),
        }
    }
}

/// A manual partition of a store (from [`Store::partition_by_tiling`]); dropping it
/// frees the handle (launches that took its pieces keep what they need).
pub struct StorePartition {
    rt: Runtime,
    raw: NonNull<RawPartitionHandle>,
}

// SAFETY: the handle is immutable once made, and the entries using it are thread-safe.
unsafe impl Send for StorePartition {}
unsafe impl Sync for StorePartition {}

impl Drop for StorePartition {
    fn drop(&mut self) {
        // SAFETY: we own the handle.
        unsafe { (self.rt.api.partition_release)(self.rt.rd(), self.raw.as_ptr()) };
    }
}

impl std::fmt::Debug for StorePartition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StorePartition({:?})", self.raw)
    }
}

impl StorePartition {
    /// The number of pieces along each dimension.
    pub fn colors(&self) -> Result<Vec<i64>> {
        let (mut ndim, mut colors) = (0u32, [0i64; MAX_DIM]);
        // SAFETY: our handle; `colors` has room for MAX_DIM extents.
        check(|e, n| unsafe { (self.rt.api.partition_colors)(self.rt.rd(), self.raw.as_ptr(), &mut ndim, colors.as_mut_ptr(), e, n) })?;
        Ok(colors[..ndim as usize].to_vec())
    }
}

/// An argument of a task, as named in constraints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Variable(pub u32);

/// A task launch being built; `execute` submits it, dropping it discards it.
pub struct TaskLaunch {
    rt: Runtime,
    raw: Option<NonNull<RawTaskHandle>>,
}

/// The name library authors know for an auto task.
pub type AutoTask = TaskLaunch;
/// The name library authors know for a manual task.
pub type ManualTask = TaskLaunch;

impl std::fmt::Debug for TaskLaunch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TaskLaunch({:?})", self.raw)
    }
}

// SAFETY: a launch under construction is owned by one thread at a time; the entries
// using it are thread-safe.
unsafe impl Send for TaskLaunch {}

impl Drop for TaskLaunch {
    fn drop(&mut self) {
        if let Some(raw) = self.raw.take() {
            // SAFETY: we own the unexecuted task handle.
            unsafe { (self.rt.api.task_discard)(self.rt.rd(), raw.as_ptr()) };
        }
    }
}

impl TaskLaunch {
    fn handle(&self) -> *mut RawTaskHandle {
        self.raw.map_or(ptr::null_mut(), |r| r.as_ptr())
    }

    fn add_store(
        &mut self,
        add: unsafe extern "C" fn(*mut c_void, *mut RawTaskHandle, *const RawStoreHandle, *mut u32, *mut u8, usize) -> i32,
        store: &Store,
    ) -> Result<Variable> {
        let mut var = 0u32;
        // SAFETY: our task handle and a live store handle.
        check(|e, n| unsafe { add(self.rt.rd(), self.handle(), store.as_raw(), &mut var, e, n) })?;
        Ok(Variable(var))
    }

    pub fn add_input(&mut self, store: &Store) -> Result<Variable> {
        self.add_store(self.rt.api.task_add_input, store)
    }

    pub fn add_output(&mut self, store: &Store) -> Result<Variable> {
        self.add_store(self.rt.api.task_add_output, store)
    }

    pub fn add_reduction(&mut self, store: &Store, op: ReductionOp) -> Result<Variable> {
        let mut var = 0u32;
        // SAFETY: our task handle and a live store handle.
        check(|e, n| unsafe {
            (self.rt.api.task_add_reduction)(self.rt.rd(), self.handle(), store.as_raw(), op as u32, &mut var, e, n)
        })?;
        Ok(Variable(var))
    }

    /// A scalar argument of a primitive type (read in the task with `ctx.scalar::<T>`).
    pub fn add_scalar<T: Element>(&mut self, value: T) -> Result<()> {
        self.add_scalar_bytes(T::CODE, bytes_of(&value))
    }

    /// A string scalar (read in the task with `ctx.scalar_bytes`).
    pub fn add_scalar_str(&mut self, value: &str) -> Result<()> {
        self.add_scalar_bytes(TypeCode::String, value.as_bytes())
    }

    /// A scalar given as its type code and bytes.
    pub fn add_scalar_bytes(&mut self, code: TypeCode, bytes: &[u8]) -> Result<()> {
        // SAFETY: our task handle; `bytes` outlives the call.
        check(|e, n| unsafe {
            (self.rt.api.task_add_scalar)(self.rt.rd(), self.handle(), code as u32, bytes.as_ptr(), bytes.len() as u64, e, n)
        })
    }

    /// `a` and `b` get the same partition (their shapes must be equal).
    pub fn add_alignment(&mut self, a: Variable, b: Variable) -> Result<()> {
        // SAFETY: our task handle.
        check(|e, n| unsafe { (self.rt.api.task_add_alignment)(self.rt.rd(), self.handle(), a.0, b.0, e, n) })
    }

    /// `v` is not split along `dims` (along any dimension when `None`).
    pub fn add_broadcast(&mut self, v: Variable, dims: Option<&[usize]>) -> Result<()> {
        let dims: Option<Vec<u32>> = dims.map(|d| d.iter().map(|&x| small(x, "dimension")).collect()).transpose()?;
        let (ptr, len) = match &dims {
            Some(d) => (d.as_ptr(), small(d.len(), "number of dimensions")?),
            None => (ptr::null(), 0),
        };
        // SAFETY: our task handle; `dims` outlives the call.
        check(|e, n| unsafe { (self.rt.api.task_add_broadcast)(self.rt.rd(), self.handle(), v.0, ptr, len, e, n) })
    }

    /// An output the task writes only partly: the elements it leaves alone keep their
    /// contents (a scatter, say), where a plain output's are unspecified.
    pub fn add_partial_output(&mut self, store: &Store) -> Result<Variable> {
        self.add_store(self.rt.api.task_add_partial_output, store)
    }

    /// `dst`'s piece for each point is the bounding box of what `src`'s piece names:
    /// the ranges ([`ImageKind::Ranges`]) or the coordinates ([`ImageKind::Points`]) its
    /// elements hold. A CSR matrix's column indices follow the image of its row ranges,
    /// and the vector it multiplies the image of the column indices.
    pub fn add_image(&mut self, src: Variable, dst: Variable, kind: ImageKind) -> Result<()> {
        // SAFETY: our task handle.
        check(|e, n| unsafe { (self.rt.api.task_add_image)(self.rt.rd(), self.handle(), src.0, dst.0, kind as u32, e, n) })
    }

    /// `dst` gets `src`'s tiles grown by `lo`/`hi` elements along each dimension (a halo:
    /// a stencil reads its neighbours' edges).
    pub fn add_bloat(&mut self, src: Variable, dst: Variable, lo: &[i64], hi: &[i64]) -> Result<()> {
        if lo.len() != hi.len() {
            return Err(invalid(format!("bloat: {} low and {} high halo extents", lo.len(), hi.len())));
        }
        let n = small(lo.len(), "number of dimensions")?;
        // SAFETY: our task handle; the halos outlive the call.
        check(|e, k| unsafe {
            (self.rt.api.task_add_bloat)(self.rt.rd(), self.handle(), src.0, dst.0, lo.as_ptr(), hi.as_ptr(), n, e, k)
        })
    }

    /// `dst`'s tiles are `src`'s tiles scaled by `factors` (a coarse grid's tiles of a
    /// fine grid, say).
    pub fn add_scale(&mut self, src: Variable, dst: Variable, factors: &[i64]) -> Result<()> {
        let n = small(factors.len(), "number of dimensions")?;
        // SAFETY: our task handle; `factors` outlives the call.
        check(|e, k| unsafe { (self.rt.api.task_add_scale)(self.rt.rd(), self.handle(), src.0, dst.0, factors.as_ptr(), n, e, k) })
    }

    /// Gives the task a communicator ([`crate::TaskContext::communicator`]): its points
    /// can exchange bytes with each other while they run.
    pub fn add_communicator(&mut self) -> Result<()> {
        // SAFETY: our task handle.
        check(|e, n| unsafe { (self.rt.api.task_add_communicator)(self.rt.rd(), self.handle(), e, n) })
    }

    fn add_partition(&mut self, part: &StorePartition, role: u32, redop: u32, projection: Option<&[u32]>) -> Result<Variable> {
        let (proj, nproj) = match projection {
            Some(p) => (p.as_ptr(), small(p.len(), "projection length")?),
            None => (ptr::null(), 0),
        };
        let mut var = 0u32;
        // SAFETY: our task handle and a live partition handle; `projection` outlives the call.
        check(|e, n| unsafe {
            (self.rt.api.task_add_partition)(self.rt.rd(), self.handle(), part.raw.as_ptr(), role, redop, proj, nproj, &mut var, e, n)
        })?;
        Ok(Variable(var))
    }

    /// A manual task's input: launch point `p` reads the piece of color `p`, or of the
    /// launch dimensions `projection` picks out of `p`.
    pub fn add_input_partition(&mut self, part: &StorePartition, projection: Option<&[u32]>) -> Result<Variable> {
        self.add_partition(part, raw::ROLE_INPUT, 0, projection)
    }

    /// A manual task's output, piece by piece as for inputs.
    pub fn add_output_partition(&mut self, part: &StorePartition, projection: Option<&[u32]>) -> Result<Variable> {
        self.add_partition(part, raw::ROLE_OUTPUT, 0, projection)
    }

    /// A manual task's reduction, piece by piece as for inputs.
    pub fn add_reduction_partition(&mut self, part: &StorePartition, op: ReductionOp, projection: Option<&[u32]>) -> Result<Variable> {
        self.add_partition(part, raw::ROLE_REDUCTION, op as u32, projection)
    }

    /// Submits the task. It runs once what it depends on has; nothing waits here.
    pub fn execute(mut self) -> Result<()> {
        let raw = self.raw.take().ok_or_else(|| invalid("the task was already submitted"))?;
        // SAFETY: we hand our task handle over; the entry frees it whatever happens.
        check(|e, n| unsafe { (self.rt.api.task_execute)(self.rt.rd(), raw.as_ptr(), e, n) })
    }
}
