//! Defining tasks in Rust: the [`Task`] trait and the `extern "C"` trampolines that
//! expose it through the ABI, catching panics so they surface as task errors.

use crate::raw::{RawTaskContext, RawTaskInfo, TaskFn};
use crate::{TaskContext, ABI_VERSION};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The processor kinds a task can have a variant for; the value is the ABI code and the
/// index into [`RawTaskInfo::variants`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VariantKind {
    Cpu = 0,
    Omp = 1,
    Gpu = 2,
}

impl VariantKind {
    pub fn from_u32(v: u32) -> Option<VariantKind> {
        match v {
            0 => Some(VariantKind::Cpu),
            1 => Some(VariantKind::Omp),
            2 => Some(VariantKind::Gpu),
            _ => None,
        }
    }
}

/// An error raised by a task body; it surfaces at the caller as an exception/`Err`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskError(pub String);

impl TaskError {
    pub fn new(msg: impl Into<String>) -> TaskError {
        TaskError(msg.into())
    }
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TaskError {}

/// A task a library registers. Implement `cpu` (and optionally `omp`, which gets
/// `ctx.num_threads()` threads and runs inside a thread pool of that size).
pub trait Task: 'static {
    /// The task's id within its library.
    const TASK_ID: u32;
    /// A human-readable name (profiles, errors).
    const NAME: &'static str;
    /// Whether [`Task::omp`] is a real OMP variant.
    const HAS_OMP: bool = false;

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError>;

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        Self::cpu(ctx)
    }
}

fn run_body(raw: *mut RawTaskContext, body: fn(&mut TaskContext) -> Result<(), TaskError>) -> i32 {
    // SAFETY: the runtime calls trampolines only with a context it built for this task.
    let mut ctx = unsafe { TaskContext::from_raw(raw) };
    let result = catch_unwind(AssertUnwindSafe(|| body(&mut ctx)));
    let message = match result {
        Ok(Ok(())) => return 0,
        Ok(Err(e)) => e.0,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            format!("task panicked: {what}")
        }
    };
    ctx.report(&message);
    1
}

unsafe extern "C" fn cpu_trampoline<T: Task>(raw: *mut RawTaskContext) -> i32 {
    run_body(raw, T::cpu)
}

unsafe extern "C" fn omp_trampoline<T: Task>(raw: *mut RawTaskContext) -> i32 {
    // SAFETY: the runtime passes a live context.
    let threads = if raw.is_null() { 1 } else { unsafe { (*raw).num_threads.max(1) as usize } };
    let ctx = SendPtr(raw);
    in_pool(threads, move || run_body(ctx.get(), T::omp))
}

/// The task context, moved into the pool that runs the body (the body runs on one of
/// the pool's threads while the runtime's worker waits for it).
struct SendPtr(*mut RawTaskContext);
// SAFETY: the context belongs to this point task, which runs on one thread at a time.
unsafe impl Send for SendPtr {}
impl SendPtr {
    fn get(&self) -> *mut RawTaskContext {
        self.0
    }
}

thread_local! {
    /// This worker thread's pool, for OMP bodies that cannot see the runtime's.
    static OWN_POOL: std::cell::RefCell<Option<std::sync::Arc<rayon::ThreadPool>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` inside a rayon pool of `threads` threads, so plain rayon code in an OMP
/// body uses exactly the threads the runtime gave it. The runtime runs OMP variants in
/// such a pool already; but a library built as its own extension module links its own
/// copy of rayon, which does not see the runtime's pool. That library then gets a pool
/// of its own per runtime worker thread, built on first use and kept.
fn in_pool(threads: usize, f: impl FnOnce() -> i32 + Send) -> i32 {
    if threads <= 1 || (rayon::current_thread_index().is_some() && rayon::current_num_threads() == threads) {
        return f();
    }
    let pool = OWN_POOL.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_none_or(|p| p.current_num_threads() != threads) {
            *slot = rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok().map(std::sync::Arc::new);
        }
        slot.clone()
    });
    match pool {
        Some(pool) => pool.install(f),
        None => f(), // could not start threads: run on this one
    }
}

/// The registration record of `T`. The name is `'static`, so the record stays valid.
pub fn task_info<T: Task>() -> RawTaskInfo {
    let omp: Option<TaskFn> = if T::HAS_OMP { Some(omp_trampoline::<T>) } else { None };
    RawTaskInfo {
        abi_version: ABI_VERSION,
        task_id: T::TASK_ID,
        name: T::NAME.as_ptr(),
        name_len: T::NAME.len(),
        variants: [Some(cpu_trampoline::<T>), omp, None],
    }
}

/// The safe face of a [`crate::raw::RawRegistrar`]: registers [`Task`]s with the
/// library it was made for, through the C ABI.
pub struct Registrar {
    raw: crate::raw::RawRegistrar,
}

impl Registrar {
    /// # Safety
    /// `raw` must come from the running runtime (directly or through its capsule).
    pub unsafe fn from_raw(raw: crate::raw::RawRegistrar) -> Registrar {
        Registrar { raw }
    }

    pub fn library_id(&self) -> u32 {
        self.raw.library_id
    }

    /// The record itself (to pass on through the ABI).
    pub fn raw(&self) -> &crate::raw::RawRegistrar {
        &self.raw
    }

    /// Registers `T`'s variants under `T::TASK_ID`.
    pub fn register<T: Task>(&self) -> Result<(), TaskError> {
        self.register_info(&task_info::<T>())
    }

    /// Registers a prepared record (for tasks not written with [`Task`]).
    pub fn register_info(&self, info: &RawTaskInfo) -> Result<(), TaskError> {
        let mut err = [0u8; 512];
        // SAFETY: the function and its data come from the runtime; `err` is writable.
        let rc = unsafe {
            (self.raw.register_task)(self.raw.runtime_data, self.raw.library_id, info, err.as_mut_ptr(), err.len())
        };
        if rc == 0 {
            return Ok(());
        }
        let len = ((-rc) as usize).min(err.len());
        Err(TaskError::new(String::from_utf8_lossy(&err[..len]).into_owned()))
    }
}
