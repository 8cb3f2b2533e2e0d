//! The runtime: one per process, wiring configuration, memory, the task registry, the
//! scheduler's log and the executor together. It owns no algorithm of its own: store
//! creation is in `storage`/`store`, launching in `operation`, execution in `executor`
//! and `point`.

use crate::builtin;
use crate::config::Config;
use crate::error::{invalid, LegateError, Result};
use crate::executor::{Executor, TaskNode};
use crate::mapping::{DefaultMapper, Machine, Mapper};
use crate::memory::{Memory, MemoryKind, MemoryUsage};
use crate::operation::TaskLaunch;
use crate::control::{Fault, RunControl};
use crate::profile::Profiler;
use crate::scalar::Scalar;
use crate::scheduler::{DependenceEdge, DependenceLog, OpRecord};
use crate::shape::Point;
use crate::storage::{dense_strides, Storage, StorageData, StorageKind};
use crate::store::LogicalStore;
use crate::task::{self, Library, Registry};
use crate::types::Type;
use legate_abi::{Element, Registrar, Task};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// The Legate runtime. Cheap to clone; all clones are the same runtime.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<RuntimeInner>,
}

pub(crate) struct RuntimeInner {
    // The executor is dropped first: it waits for every task before the rest goes.
    pub executor: Executor,
    pub config: Config,
    pub machine: Machine,
    pub sysmem: Arc<Memory>,
    pub registry: RwLock<Registry>,
    pub mapper: Arc<dyn Mapper>,
    pub core_library: Library,
    pub next_storage: AtomicU64,
    pub next_op: AtomicU64,
    /// Submissions are analysed one at a time, in program order.
    pub submit_lock: Mutex<()>,
    pub log: Mutex<DependenceLog>,
    pub control: Arc<RunControl>,
    pub profiler: Option<Arc<Profiler>>,
    pub progress: Option<crate::progress::Progress>,
    /// This runtime's C-ABI function table, once asked for (`ffi::api_for`).
    pub api: OnceLock<&'static legate_abi::raw::RawRuntimeApi>,
    /// This rank and its transport to the others (one rank: no transport).
    pub world: Arc<crate::replicate::World>,
    /// Replicated runs: the rolling hash of the operation stream, compared between
    /// ranks every few operations and at every blocking read.
    pub divergence: Mutex<Option<crate::replicate::DivergenceChecker>>,
    /// The last point launched with a communicator on this rank (they run in order).
    pub last_communicator: Mutex<Option<Arc<TaskNode>>>,
    /// What ranks agree on at every blocking wait besides errors.
    pub agreement_hooks: RwLock<Vec<Arc<dyn crate::distribute::AgreementHook>>>,
    /// A library's window of operations it has not launched yet (fusion), flushed
    /// before anything else is launched, waited for or read.
    pub flush_hook: OnceLock<Arc<dyn FlushHook>>,
}

/// Operations a library holds back (to fuse them) and must issue, in program order,
/// before the runtime does anything else that could observe or reorder them.
pub trait FlushHook: Send + Sync {
    /// Launches the held-back operations (re-entered by its own launches: it must
    /// take its window out before launching).
    fn flush(&self, rt: &Runtime);
    fn as_any(&self) -> &dyn std::any::Any;
}

/// NumPy's error for a shape whose bytes do not fit in the address space.
fn too_big(shape: &Point, ty: &Type) -> LegateError {
    invalid(format!("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size (shape {shape}, {ty})"))
}

static GLOBAL: OnceLock<std::result::Result<Runtime, LegateError>> = OnceLock::new();

/// At exit the global runtime finishes outstanding work, as Legate's does: a program
/// that launches tasks and never reads their results still gets them run.
extern "C" fn finish_at_exit() {
    if let Some(Ok(rt)) = GLOBAL.get() {
        if let Err(e) = rt.finish() {
            eprintln!("legate: a task failed and nothing read its result: {e}");
        }
        rt.shutdown_ranks();
    }
}

/// How long a rank waits for a silent peer (`LEGATE_RANK_TIMEOUT`, seconds).
fn rank_timeout() -> Duration {
    std::env::var("LEGATE_RANK_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map_or(crate::replicate::transport::DEFAULT_TIMEOUT, Duration::from_secs_f64)
}

/// How many ranks the launcher started, from the variables MPI launchers set.
fn launcher_ranks() -> usize {
    // Not SLURM_NTASKS: a batch script has it too, and is not a rank.
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_NUM_TASKS"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.parse::<usize>().ok())
        .unwrap_or(1)
}

/// The MPI transport when a launcher started several ranks (None on one rank).
fn launcher_transport() -> Result<Option<Arc<dyn crate::replicate::Transport>>> {
    if launcher_ranks() <= 1 {
        return Ok(None);
    }
    #[cfg(feature = "mpi")]
    {
        let t = crate::replicate::MpiTransport::init_with_timeout(rank_timeout())
            .map_err(|e| LegateError::Config(format!("cannot start MPI: {e}")))?;
        Ok(Some(Arc::new(t)))
    }
    #[cfg(not(feature = "mpi"))]
    Err(LegateError::Config(format!(
        "a launcher started {} ranks, but this build has no MPI support (build legate-core with the `mpi` feature)",
        launcher_ranks()
    )))
}

impl Runtime {
    /// A runtime with its own processors and memory. Programs use [`Runtime::global`];
    /// tests make private ones to try several configurations in one process.
    pub fn new(config: Config) -> Result<Runtime> {
        Self::start(config, None)
    }

    /// One rank of a replicated program whose ranks talk through `transport` (every
    /// rank must run the same program). With an in-process transport, tests run
    /// several ranks as threads of one process.
    pub fn new_replicated(config: Config, transport: Arc<dyn crate::replicate::Transport>) -> Result<Runtime> {
        if transport.size() > crate::coherence::validity::MAX_RANKS {
            return Err(LegateError::Config(format!("at most {} ranks are supported", crate::coherence::validity::MAX_RANKS)));
        }
        Self::start(config, Some(transport))
    }

    fn start(config: Config, transport: Option<Arc<dyn crate::replicate::Transport>>) -> Result<Runtime> {
        config.validate().map_err(|e| LegateError::Config(e.to_string()))?;
        if config.gpus > 0 {
            return Err(LegateError::Unsupported(
                "--gpus: this build has no GPU support; run with --gpus 0".to_string(),
            ));
        }
        let ranks = transport.as_ref().map_or(1, |t| t.size());
        let asked = config.nodes * config.ranks_per_node;
        if asked > 1 && ranks > 1 && asked != ranks {
            return Err(LegateError::Config(format!(
                "--nodes {} --ranks-per-node {} asks for {asked} ranks, but the launcher started {ranks}",
                config.nodes, config.ranks_per_node
            )));
        }
        if asked > 1 && ranks == 1 {
            return Err(LegateError::Config(format!(
                "--nodes {} --ranks-per-node {} asks for {} ranks, but this process was not started by a launcher: \
                 run it with `legate --launcher mpirun ...` or `mpirun -n {} python ...`",
                config.nodes,
                config.ranks_per_node,
                config.nodes * config.ranks_per_node,
                config.nodes * config.ranks_per_node
            )));
        }
        crate::logging::init(&config);
        tracing::info!(flags = %config.to_flags(), "starting the runtime");
        let profiler = config.profile.then(|| Arc::new(Profiler::default()));
        // The profile draws dependences as flow arrows, so it keeps them all too.
        let keep_history = config.dataflow || config.event || config.profile;
        let show_progress = config.show_progress;
        let executor = Executor::new(config.cpus, config.omps, config.ompthreads, config.pin_workers, profiler.clone())
            .map_err(|e| LegateError::Config(format!("cannot start processors: {e}")))?;
        let progress = show_progress.then(|| crate::progress::Progress::start(executor.progress_counters()));
        let sysmem = Memory::new(MemoryKind::System, config.sysmem_mb.saturating_mul(1 << 20));
        // Injected faults (tests only): LEGATE_FAULTS, see `Fault::parse_all`.
        let (faults, failing_allocation) = match std::env::var("LEGATE_FAULTS") {
            Ok(spec) => Fault::parse_all(&spec).map_err(LegateError::Config)?,
            Err(_) => (Vec::new(), None),
        };
        if let Some(n) = failing_allocation {
            sysmem.fail_allocations(n, 1);
        }
        let mut registry = Registry::default();
        let core_library = registry.create_library(builtin::LIBRARY, None);
        let divergence = transport.as_ref().filter(|t| t.size() > 1).map(|t| {
            let interval = std::env::var("LEGATE_DIVERGENCE_INTERVAL").ok().and_then(|v| v.parse().ok()).unwrap_or(crate::replicate::divergence::DEFAULT_INTERVAL);
            crate::replicate::DivergenceChecker::with_interval(t.clone(), interval)
        });
        let world = match transport {
            Some(t) => Arc::new(crate::replicate::World::new(t, executor.releaser(), rank_timeout())),
            None => Arc::new(crate::replicate::World::single()),
        };
        let inner = Arc::new(RuntimeInner {
            executor,
            machine: Machine { cpus: config.cpus, omps: config.omps, gpus: 0 },
            config,
            sysmem,
            registry: RwLock::new(registry),
            mapper: Arc::new(DefaultMapper),
            core_library,
            next_storage: AtomicU64::new(0),
            next_op: AtomicU64::new(0),
            submit_lock: Mutex::new(()),
            // Graphs written at exit keep the whole history; otherwise the recent past.
            log: Mutex::new(DependenceLog::new(if keep_history { 1 << 20 } else { 4096 })),
            control: Arc::new(RunControl::new(faults)),
            profiler,
            progress,
            api: OnceLock::new(),
            world,
            divergence: Mutex::new(divergence),
            agreement_hooks: RwLock::new(Vec::new()),
            last_communicator: Mutex::new(None),
            flush_hook: OnceLock::new(),
        });
        let rt = Runtime { inner };
        builtin::register(&rt)?;
        Ok(rt)
    }

    /// The process's runtime, started on first use from `LEGATE_CONFIG` and the
    /// `LEGATE_*` variables.
    pub fn global() -> Result<Runtime> {
        GLOBAL
            .get_or_init(|| {
                let config = Config::from_env().map_err(|e| LegateError::Config(e.to_string()))?;
                let rt = Runtime::start(config, launcher_transport()?)?;
                // SAFETY: registering a plain function; it runs at process exit.
                unsafe { libc::atexit(finish_at_exit) };
                Ok(rt)
            })
            .clone()
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn machine(&self) -> Machine {
        self.inner.machine
    }

    pub fn profiler(&self) -> Option<Arc<Profiler>> {
        self.inner.profiler.clone()
    }

    /// A span of the runtime's own work on the profile's timeline (`--profile`; nothing
    /// otherwise), ended when the guard is dropped.
    pub(crate) fn span(&self, name: &'static str, detail: &str) -> Option<crate::profile::Span<'_>> {
        self.inner.profiler.as_deref().map(|p| p.span(name, detail))
    }

    pub fn memory_usage(&self) -> MemoryUsage {
        self.inner.sysmem.usage()
    }

    /// This process's rank in the replicated program (0 on one rank).
    pub fn rank(&self) -> usize {
        self.inner.world.rank()
    }

    /// How many ranks run the program (1 without a launcher).
    pub fn num_ranks(&self) -> usize {
        self.inner.world.size()
    }

    /// Every rank's `mine`, in rank order: an all-gather of host bytes that every rank
    /// must call alike (a rank that does something else is reported as a divergence).
    /// What the host did on one rank (rank 0 writing a file, and how that went) reaches
    /// the others, which wait for it.
    pub fn exchange_host(&self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        self.flush_pending();
        crate::distribute::exchange_host(&self.inner, mine)
    }

    /// Counters of data moved so far (between instances and between ranks).
    pub fn stats(&self) -> crate::coherence::Stats {
        self.inner.world.stats()
    }

    // ---- libraries and tasks ----

    /// Creates a library (or returns the one of that name).
    pub fn create_library(&self, name: &str) -> Library {
        self.inner.registry.write().unwrap_or_else(|e| e.into_inner()).create_library(name, None)
    }

    /// Creates a library whose tasks are mapped by `mapper`.
    pub fn create_library_with_mapper(&self, name: &str, mapper: Arc<dyn Mapper>) -> Library {
        self.inner.registry.write().unwrap_or_else(|e| e.into_inner()).create_library(name, Some(mapper))
    }

    pub fn find_library(&self, name: &str) -> Option<Library> {
        self.inner.registry.read().unwrap_or_else(|e| e.into_inner()).find_library(name)
    }

    /// The C-ABI registrar for `library` (what a separately built library receives).
    pub fn registrar(&self, library: &Library) -> Registrar {
        task::registrar(&self.inner.registry, library)
    }

    /// This runtime's C-ABI function table, what libraries drive it through
    /// (`legate_abi::client::Runtime::new(rt.api_table())`). The table keeps the runtime
    /// alive for good. For the process's runtime, hand out [`crate::ffi::api`] instead:
    /// it drives the same runtime and starts it only when first used.
    pub fn api_table(&self) -> &'static legate_abi::raw::RawRuntimeApi {
        crate::ffi::api_for(self)
    }

    /// Registers `T` with `library` (through the C ABI, like any library).
    pub fn register_task<T: Task>(&self, library: &Library) -> Result<()> {
        task::register::<T>(&self.inner.registry, library)
    }

    // ---- stores ----

    pub(crate) fn next_storage_id(&self) -> u64 {
        self.inner.next_storage.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn element_size(ty: &Type) -> Result<usize> {
        ty.size().ok_or_else(|| LegateError::Unsupported(format!("stores of variable-size type {ty} are not supported yet")))
    }

    fn new_storage(&self, ty: Type, shape: Point, kind: StorageKind) -> Result<LogicalStore> {
        let elem = Self::element_size(&ty)?;
        let layout = self.inner.mapper.layout(&ty, &shape);
        let bytes = shape
            .checked_volume()
            .and_then(|v| v.checked_mul(elem as i64))
            .and_then(|b| usize::try_from(b).ok())
            .ok_or_else(|| too_big(&shape, &ty))?;
        let strides = dense_strides(&shape, elem, layout);
        if self.inner.world.replicated() {
            // Each rank allocates the windows its points touch, when they touch them.
            let storage = Storage::new(self.next_storage_id(), ty, kind, shape.ndim(), StorageData::new(Some(shape), None, strides));
            *storage.tracking.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(crate::coherence::Tracking { validity: crate::coherence::Validity::new(bytes as u64, 0), window: (0, 0) });
            return Ok(LogicalStore::from_storage(storage));
        }
        let buffer = self.allocate(bytes)?;
        let ndim = shape.ndim();
        let data = StorageData::new(Some(shape.clone()), Some(Arc::new(buffer)), strides);
        let storage = Storage::new(self.next_storage_id(), ty, kind, ndim, data);
        Ok(LogicalStore::whole(storage, Some(shape)))
    }

    /// Allocates system memory for the program's thread. When the limit is reached, the
    /// memory that queued work still holds (stores the program dropped, temporaries)
    /// is freed as that work finishes: wait for it, and fail only if the live data
    /// really does not fit. (Tasks allocating on processors cannot wait: they would
    /// wait for themselves.)
    pub(crate) fn allocate(&self, bytes: usize) -> Result<crate::memory::Buffer> {
        match self.inner.sysmem.allocate(bytes) {
            Err(LegateError::OutOfMemory { .. }) if !crate::executor::on_worker() && self.in_flight() > 0 => {
                self.inner.executor.wait_all();
                self.inner.sysmem.allocate(bytes)
            }
            r => r,
        }
    }

    /// A store of `shape` (contents unspecified until written).
    pub fn create_store(&self, ty: Type, shape: &[usize]) -> Result<LogicalStore> {
        if shape.len() > crate::shape::LEGATE_MAX_DIM {
            return Err(crate::error::too_many_dims(shape.len()));
        }
        let shape = Point::from_usize(shape).ok_or_else(|| invalid(format!("array is too big: an extent of {shape:?} does not fit in 64 bits")))?;
        self.new_storage(ty, shape, StorageKind::Region)
    }

    /// A store of extents `shape` (as [`Runtime::create_store`], from a point).
    pub fn create_store_of_shape(&self, ty: Type, shape: &Point) -> Result<LogicalStore> {
        self.new_storage(ty, shape.clone(), StorageKind::Region)
    }

    /// A store whose shape the task that writes it decides (`ndim` dimensions).
    pub fn create_unbound_store(&self, ty: Type, ndim: usize) -> Result<LogicalStore> {
        Self::element_size(&ty)?;
        if ndim == 0 || ndim > crate::shape::LEGATE_MAX_DIM {
            return Err(invalid(format!("unbound stores have 1 to {} dimensions", crate::shape::LEGATE_MAX_DIM)));
        }
        let data = StorageData::new(None, None, Point::splat(ndim, 0));
        let storage = Storage::new(self.next_storage_id(), ty, StorageKind::Region, ndim, data);
        Ok(LogicalStore::from_storage(storage))
    }

    /// A future-backed store holding `value` (Legate's `optimize_scalar`): 1-d, one element.
    pub fn create_future(&self, value: impl Into<Scalar>) -> Result<LogicalStore> {
        let value = value.into();
        let store = self.new_storage(value.ty().clone(), Point::new(&[1]), StorageKind::Future)?;
        crate::distribute::host_write(self, &store)?;
        let (buffer, _) = store.storage().instance();
        if let Some(b) = buffer {
            // SAFETY: a brand-new storage: no task can touch it yet.
            unsafe { b.as_mut_slice().copy_from_slice(value.bytes()) };
        }
        Ok(store)
    }

    /// A store of `shape` initialized from `data` (row-major).
    pub fn create_store_from<T: Element>(&self, shape: &[usize], data: &[T]) -> Result<LogicalStore> {
        let ty = Type::of::<T>().ok_or_else(|| invalid("unsupported element type"))?;
        let volume = shape.iter().try_fold(1usize, |acc, &e| acc.checked_mul(e)).unwrap_or(usize::MAX);
        if volume != data.len() {
            return Err(LegateError::ShapeMismatch(format!("shape {shape:?} needs {volume} values, got {}", data.len())));
        }
        let store = self.create_store(ty, shape)?;
        crate::distribute::host_write(self, &store)?;
        let (buffer, strides) = store.storage().instance();
        if let Some(b) = buffer {
            // SAFETY: brand-new storage; C layout is checked so the copy is element order.
            if strides == dense_strides(&store.shape(), T::SIZE, crate::storage::Layout::C) {
                let bytes = unsafe { std::slice::from_raw_parts(data.as_ptr() as *const u8, std::mem::size_of_val(data)) };
                unsafe { b.as_mut_slice().copy_from_slice(bytes) };
            } else {
                return Err(LegateError::Unsupported("initializing a non-C-layout store from a slice".into()));
            }
        }
        Ok(store)
    }

    // ---- operations ----

    /// An auto task: the runtime chooses the launch and partitions from constraints.
    pub fn create_auto_task(&self, library: &Library, task_id: u32) -> TaskLaunch {
        TaskLaunch::new(self.clone(), library.clone(), task_id, None)
    }

    /// Launches `task_id` on whole stores that are all aligned with the first, with
    /// `scalars` (`throws` as in [`TaskLaunch::throws_exception`]): what an auto task
    /// with those alignments does, without building its launch records when it runs
    /// inline (a small single point on an idle storage; see
    /// `operation::launch_aligned`).
    pub fn launch_aligned(&self, library: &Library, task_id: u32, args: &[(&LogicalStore, crate::point::Role)], scalars: &[Scalar], throws: bool) -> Result<()> {
        crate::operation::launch_aligned(self, library, task_id, args, scalars, throws)
    }

    /// A manual task over the launch domain `[0, launch_shape)`.
    pub fn create_manual_task(&self, library: &Library, task_id: u32, launch_shape: &[i64]) -> Result<TaskLaunch> {
        let shape = Point::try_new(launch_shape).ok_or_else(|| invalid("launch domain has too many dimensions"))?;
        if shape.ndim() == 0 || shape.as_slice().iter().any(|&e| e <= 0) {
            return Err(invalid(format!("launch domain {launch_shape:?} must have positive extents")));
        }
        Ok(TaskLaunch::new(self.clone(), library.clone(), task_id, Some(shape)))
    }

    /// Fills `store` with `value` (which must have the store's type).
    pub fn issue_fill(&self, store: &LogicalStore, value: impl Into<Scalar>) -> Result<()> {
        builtin::fill(self, store, value.into())
    }

    /// Copies `src` into `dst` (same shape and type); overlapping views behave as if
    /// `src` were read completely before `dst` is written.
    pub fn issue_copy(&self, dst: &LogicalStore, src: &LogicalStore) -> Result<()> {
        builtin::copy(self, dst, src)
    }

    /// `dst[i] = src[src_indirect[i]]`.
    pub fn issue_gather(&self, dst: &LogicalStore, src: &LogicalStore, src_indirect: &LogicalStore) -> Result<()> {
        builtin::indirect_copy(self, dst, None, src, Some(src_indirect))
    }

    /// `dst[dst_indirect[i]] = src[i]`.
    pub fn issue_scatter(&self, dst: &LogicalStore, dst_indirect: &LogicalStore, src: &LogicalStore) -> Result<()> {
        builtin::indirect_copy(self, dst, Some(dst_indirect), src, None)
    }

    /// `dst[dst_indirect[i]] = src[src_indirect[i]]`.
    pub fn issue_scatter_gather(
        &self,
        dst: &LogicalStore,
        dst_indirect: &LogicalStore,
        src: &LogicalStore,
        src_indirect: &LogicalStore,
    ) -> Result<()> {
        builtin::indirect_copy(self, dst, Some(dst_indirect), src, Some(src_indirect))
    }

    /// Installs the hook holding back a library's operations (one per runtime; false
    /// if one is installed already).
    pub fn set_flush_hook(&self, hook: Arc<dyn FlushHook>) -> bool {
        self.inner.flush_hook.set(hook).is_ok()
    }

    pub fn flush_hook(&self) -> Option<&Arc<dyn FlushHook>> {
        self.inner.flush_hook.get()
    }

    /// Issues the operations a library holds back (see [`FlushHook`]).
    #[inline]
    pub fn flush_pending(&self) {
        if let Some(h) = self.inner.flush_hook.get() {
            h.flush(self);
        }
    }

    // ---- waiting and values ----

    /// Returns (and forgets) the errors of tasks that failed so far and that nothing
    /// reported yet.
    pub fn take_errors(&self) -> Result<()> {
        let all = self.inner.control.take_all();
        let n = all.len();
        match all.into_iter().next() {
            None => Ok(()),
            Some(first) if n == 1 => Err(first),
            Some(first) => Err(LegateError::ManyTaskErrors(n, Box::new(first))),
        }
    }

    /// Errors of one operation only (for tasks that throw exceptions).
    pub(crate) fn take_errors_of(&self, op_id: u64) -> Result<()> {
        self.inner.control.take_of(op_id).map_or(Ok(()), Err)
    }

    pub(crate) fn wait_nodes(&self, nodes: &[Arc<TaskNode>]) {
        self.inner.executor.wait(nodes);
    }

    /// Waits for all submitted work; with `block == false` this is only an ordering
    /// point (every operation is already ordered by its dependences), so it returns.
    pub fn issue_execution_fence(&self, block: bool) -> Result<()> {
        self.flush_pending();
        if block {
            crate::distribute::record_op(&self.inner, || crate::replicate::divergence::OpDescription::new("fence"), true)?;
            let _span = self.span("wait", "fence");
            self.inner.executor.wait_all();
            crate::distribute::agree_now(&self.inner, self.take_errors())?;
        }
        Ok(())
    }

    /// [`Runtime::issue_execution_fence`] giving up after `timeout`: Some(result) once
    /// everything finished, None if work is still running (wait again, or cancel it).
    pub fn fence_for(&self, timeout: Duration) -> Option<Result<()>> {
        self.flush_pending();
        self.inner.executor.wait_all_for(timeout).then(|| crate::distribute::agree_now(&self.inner, self.take_errors()))
    }

    /// Waits until the tasks that write `store`'s storage have finished. If a failed
    /// (or cancelled) task should have written an element of the view, returns its
    /// error, every time until those elements are written again; nothing about
    /// unrelated stores.
    pub fn wait_store(&self, store: &LogicalStore) -> Result<()> {
        self.flush_pending();
        let writers = store.storage().accesses.lock().unwrap_or_else(|e| e.into_inner()).pending_writers();
        let span = self.span("wait", "a store's writers");
        self.inner.executor.wait(&writers);
        drop(span);
        store.storage().observe();
        crate::distribute::agree_now(&self.inner, self.check_poison(store))
    }

    /// [`Runtime::wait_store`] giving up after `timeout` (None: still running), so a
    /// caller can check for interrupts between waits.
    pub fn wait_store_for(&self, store: &LogicalStore, timeout: Duration) -> Option<Result<()>> {
        self.flush_pending();
        let writers = store.storage().accesses.lock().unwrap_or_else(|e| e.into_inner()).pending_writers();
        let _span = self.span("wait", "a store's writers");
        self.inner.executor.wait_for(&writers, timeout).then(|| {
            store.storage().observe();
            crate::distribute::agree_now(&self.inner, self.check_poison(store))
        })
    }

    pub(crate) fn check_poison(&self, store: &LogicalStore) -> Result<()> {
        let storage = store.storage();
        if !storage.is_poisoned() {
            return Ok(());
        }
        match storage.poison_of(&Footprint::of_rect(store.map(), &store.full_rect())) {
            Some((op_id, err)) => {
                self.inner.control.mark_reported(op_id);
                Err(err)
            }
            None => Ok(()),
        }
    }

    /// After an interrupt: every operation issued so far whose points have not started
    /// is cancelled. Those points do not run; what they would have written raises a
    /// [`LegateError::Cancelled`] when read, until it is written again. Points already
    /// running finish, so every element holds either its old or its new value.
    pub fn cancel_pending(&self) {
        self.flush_pending();
        let next = self.inner.next_op.load(Ordering::SeqCst);
        self.inner.control.cancel_before(next);
        tracing::info!(before = next, "cancelled operations that had not started");
    }

    /// Injects `fault` into the point tasks it matches among the operations issued from
    /// now on (tests of failure handling).
    pub fn inject_fault(&self, mut fault: Fault) {
        fault.first_op = self.inner.next_op.load(Ordering::SeqCst);
        self.inner.control.add_fault(fault);
    }

    /// Injected faults hit no operation issued from now on.
    pub fn close_fault_windows(&self) {
        self.inner.control.close_fault_windows(self.inner.next_op.load(Ordering::SeqCst));
    }

    /// Makes `count` allocations of system memory fail, from the `n`-th from now (1:
    /// the next).
    pub fn inject_allocation_failures(&self, n: u64, count: u64) {
        self.inner.sysmem.fail_allocations(n, count);
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.inner.control.clear_faults();
        self.inner.sysmem.fail_allocations(0, 0);
    }

    /// Waits until no task touches `store`'s storage (before the caller writes it).
    pub(crate) fn wait_store_idle(&self, store: &LogicalStore) {
        let pending = store.storage().accesses.lock().unwrap_or_else(|e| e.into_inner()).pending();
        self.inner.executor.wait(&pending);
    }

    /// The contents of `store` as an owned array (waits only for its writers).
    pub fn read_store<T: Element>(&self, store: &LogicalStore) -> Result<ndarray::ArrayD<T>> {
        self.flush_pending();
        let shape = store.shape();
        crate::distribute::gather(self, store)?;
        self.wait_store(store)?;
        let spill = legate_abi::raw::DimSpill::default();
        let raw = crate::point::raw_store(store, &Rect::from_extents(&shape), &spill);
        // SAFETY: every writer of the storage has finished and the instance is kept alive.
        let piece = unsafe { legate_abi::PhysicalStore::from_raw(raw) };
        let view = piece.view::<T>().map_err(|e| LegateError::TypeMismatch(e.0))?;
        Ok(view.to_owned())
    }

    /// The single value of a one-element store (a future), waiting for it.
    pub fn read_scalar<T: Element>(&self, store: &LogicalStore) -> Result<T> {
        let a = self.read_store::<T>(store)?;
        if a.len() != 1 {
            return Err(invalid(format!("read_scalar: the store has {} elements, not 1", a.len())));
        }
        Ok(*a.iter().next().expect("one element"))
    }

    /// Overwrites `store` (a view) with `data` in row-major order, after every task
    /// touching its storage has finished.
    pub fn write_store<T: Element>(&self, store: &LogicalStore, data: &[T]) -> Result<()> {
        let shape = store.shape();
        if shape.volume() as usize != data.len() {
            return Err(LegateError::ShapeMismatch(format!("store of shape {shape} needs {} values, got {}", shape.volume(), data.len())));
        }
        if store.read_only() {
            return Err(invalid("assignment destination is read-only"));
        }
        self.flush_pending();
        crate::distribute::host_write(self, store)?;
        let _g = self.inner.submit_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.wait_store_idle(store);
        store.storage().written();
        let spill = legate_abi::raw::DimSpill::default();
        let raw = crate::point::raw_store(store, &Rect::from_extents(&shape), &spill);
        // SAFETY: no task touches the storage (waited above, submissions held off).
        let mut piece = unsafe { legate_abi::PhysicalStore::from_raw(raw) };
        let mut view = piece.view_mut::<T>().map_err(|e| LegateError::TypeMismatch(e.0))?;
        for (dst, src) in view.iter_mut().zip(data) {
            *dst = *src;
        }
        store.storage().cure(&Footprint::of_rect(store.map(), &store.full_rect()));
        Ok(())
    }

    // ---- observability ----

    /// How often `store`'s storage was read to resolve image partitions it is the
    /// source of, and how often the image cache answered instead.
    pub fn image_stats(&self, store: &LogicalStore) -> crate::image::ImageStats {
        store.storage().images.lock().unwrap_or_else(|e| e.into_inner()).stats
    }

    /// `store`'s storage's write generation: it moves on whenever an operation that
    /// writes any view of the storage is launched or the host writes it. A library
    /// caching something computed from a store's contents keeps it while this stays
    /// the same (as the image cache does). Operations a library holds back
    /// ([`FlushHook`]) count once issued: [`Self::flush_pending`] first to see them.
    pub fn write_generation(&self, store: &LogicalStore) -> u64 {
        store.storage().images.lock().unwrap_or_else(|e| e.into_inner()).generation()
    }

    /// The most recent dependence edges between point tasks (oldest first).
    pub fn dependences(&self) -> Vec<DependenceEdge> {
        self.flush_pending();
        self.inner.log.lock().unwrap_or_else(|e| e.into_inner()).edges.iter().cloned().collect()
    }

    /// The most recent operations (oldest first).
    pub fn operations(&self) -> Vec<OpRecord> {
        self.flush_pending();
        self.inner.log.lock().unwrap_or_else(|e| e.into_inner()).ops.iter().cloned().collect()
    }

    pub fn clear_dependence_log(&self) {
        self.inner.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Waits for all work, then writes what the configuration asks for: the profile
    /// (`--profile`: `legate_prof/`), dataflow and event graphs (`--dataflow`, `--event`),
    /// memory usage (`--mem-usage`), a last progress line (`--show-progress`). Files go to
    /// `--logdir` (default: the working directory). Returns pending task errors.
    pub fn finish(&self) -> Result<()> {
        self.flush_pending();
        {
            let _span = self.span("wait", "finish");
            self.inner.executor.wait_all();
        }
        let c = &self.inner.config;
        let dir = c.logdir.clone().unwrap_or_else(|| std::path::PathBuf::from("."));
        let report = |what: &str, r: std::io::Result<()>| {
            if let Err(e) = r {
                eprintln!("legate: could not write the {what}: {e}");
            }
        };
        // Ranks of a replicated run write files of their own.
        let suffix = if self.num_ranks() > 1 { format!("_rank{}", self.rank()) } else { String::new() };
        if let Some(p) = &self.inner.profiler {
            let prof = dir.join(format!("legate_prof{suffix}"));
            report("profile", p.write_report(&prof, &self.dependences(), self.rank()));
            let st = self.stats();
            let json = format!(
                "{{\"rank\": {}, \"ranks\": {}, \"bytes_sent\": {}, \"bytes_received\": {}, \"messages_sent\": {}, \"bytes_copied_locally\": {}}}\n",
                self.rank(),
                self.num_ranks(),
                st.bytes_sent,
                st.bytes_received,
                st.messages_sent,
                st.bytes_copied_locally
            );
            report("data-movement counters", std::fs::write(prof.join("stats.json"), json));
            eprintln!(
                "[legate] rank {}: {} bytes sent in {} messages, {} bytes received, {} bytes copied between local instances",
                self.rank(),
                st.bytes_sent,
                st.messages_sent,
                st.bytes_received,
                st.bytes_copied_locally
            );
        }
        if c.dataflow || c.event {
            let (ops, edges) = (self.operations(), self.dependences());
            if c.dataflow {
                let g = crate::dataflow::operation_graph(&ops, &edges);
                report("dataflow graph", crate::dataflow::write_graph(&dir, &format!("dataflow_legate{suffix}"), &g).map(|_| ()));
            }
            if c.event {
                let g = crate::dataflow::event_graph(&ops, &edges);
                report("event graph", crate::dataflow::write_graph(&dir, &format!("event_graph_legate{suffix}"), &g).map(|_| ()));
            }
        }
        if let Some(p) = &self.inner.progress {
            eprintln!("{}", p.finish());
        }
        if c.mem_usage {
            let u = self.memory_usage();
            eprintln!(
                "[legate] system memory: {:.1} MB in use, {:.1} MB peak, {:.1} MB pooled, limit {:.1} MB (--sysmem)",
                u.used as f64 / 1048576.0,
                u.peak as f64 / 1048576.0,
                u.pooled as f64 / 1048576.0,
                u.limit as f64 / 1048576.0
            );
        }
        self.take_errors()
    }

    /// Adds state every rank must agree on at each blocking wait (replicated runs;
    /// see [`crate::distribute::AgreementHook`]).
    pub fn add_agreement_hook(&self, hook: Arc<dyn crate::distribute::AgreementHook>) {
        self.inner.agreement_hooks.write().unwrap_or_else(|e| e.into_inner()).push(hook);
    }

    /// Replicated runs, after the last operation: compares the streams one last time
    /// and closes the transport (for MPI, finalizes it), after all local work is done.
    pub fn shutdown_ranks(&self) {
        if let Some(mut d) = self.inner.divergence.lock().unwrap_or_else(|e| e.into_inner()).take() {
            if let Err(e) = d.check() {
                eprintln!("legate: rank {}: {e}", self.rank());
            }
        }
        self.inner.world.shutdown();
    }

    /// Point tasks submitted and not yet finished.
    pub fn in_flight(&self) -> usize {
        self.inner.executor.in_flight()
    }
}

use crate::footprint::Footprint;
use crate::shape::Rect;
