//! The executor: processors (worker threads) running point tasks as their dependences
//! complete.
//!
//! `--cpus N` makes N single-threaded CPU processors; `--omps G --ompthreads T` makes G
//! OMP processors, each a worker thread with a rayon pool of T threads that its tasks
//! run inside. A [`TaskNode`] becomes ready when its last predecessor finishes; the
//! worker that finishes a task runs one newly ready successor itself (no hand-off, no
//! wake-up), which keeps chains of small dependent tasks at microseconds each. The
//! caller never blocks except in [`Executor::wait`] (for a value it needs) or when too
//! many tasks are in flight (back-pressure bounds memory in long loops).

use crate::profile::Profiler;
use crate::shape::Point;
use legate_abi::VariantKind;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// At most this many point tasks per processor are submitted but unfinished; then the
/// submitter waits. Running ahead further buys no parallelism but keeps every pending
/// task's temporaries alive, which defeats the buffer pool (fresh memory page-faults).
const IN_FLIGHT_PER_PROCESSOR: usize = 8;

thread_local! {
    /// Set on processor threads (a launch from inside a task must not wait for tasks).
    static ON_WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the calling thread is one of the executor's processors.
pub fn on_worker() -> bool {
    ON_WORKER.with(|w| w.get())
}

/// Where a task body runs.
pub struct WorkerContext<'a> {
    /// Global processor index (profiles).
    pub proc_id: usize,
    pub kind: VariantKind,
    pub num_threads: usize,
    pub pool: Option<&'a rayon::ThreadPool>,
}

type Work = Box<dyn FnOnce(&WorkerContext) + Send>;

/// One point task in the dependence graph.
pub struct TaskNode {
    pub op_id: u64,
    pub color: Point,
    pub name: Arc<str>,
    pub kind: VariantKind,
    /// Unfinished predecessors, plus one until submission completes.
    pending: AtomicUsize,
    done: AtomicBool,
    successors: Mutex<Vec<Arc<TaskNode>>>,
    work: Mutex<Option<Work>>,
}

impl TaskNode {
    pub fn new(op_id: u64, color: Point, name: Arc<str>, kind: VariantKind) -> Arc<TaskNode> {
        Arc::new(TaskNode {
            op_id,
            color,
            name,
            kind,
            pending: AtomicUsize::new(1),
            done: AtomicBool::new(false),
            successors: Mutex::new(Vec::new()),
            work: Mutex::new(None),
        })
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    pub fn set_work(&self, work: impl FnOnce(&WorkerContext) + Send + 'static) {
        *self.work.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(work));
    }

    /// Makes `self` wait for one more event that someone releases with
    /// [`Releaser::release`] (a message arriving from another rank).
    pub fn hold(&self) {
        self.pending.fetch_add(1, Ordering::SeqCst);
    }

    /// Makes `self` wait for `pred`. Returns false when `pred` already finished.
    pub fn depend_on(self: &Arc<TaskNode>, pred: &Arc<TaskNode>) -> bool {
        let mut succ = pred.successors.lock().unwrap_or_else(|e| e.into_inner());
        if pred.is_done() {
            return false;
        }
        self.pending.fetch_add(1, Ordering::SeqCst);
        succ.push(self.clone());
        true
    }
}

struct Queue {
    tasks: Mutex<VecDeque<Arc<TaskNode>>>,
    /// Tasks in `tasks`, readable without the lock (for spinning workers).
    len: AtomicUsize,
    /// Workers blocked on `ready`; enqueuers skip the wake-up syscall when there are none.
    sleepers: AtomicUsize,
    ready: Condvar,
}

/// How long an idle worker polls for work before it sleeps. Waking a sleeping thread
/// costs a system call on both sides, more than a small task, and a solver loop's
/// submitting thread often works longer than a few microseconds between operations (a
/// scalar read, Python, a few launches): in dense CG on the 2-core VM the points of a
/// matrix-vector product started a median 30 us after their launch with workers that
/// polled 200 rounds, and often both ran on one worker while the other slept; polling
/// 300 us, 5 us and one worker each. Polling yields the core now and then, so a
/// polling worker takes little from the submitting thread when the two share a core.
/// When this node's processors (every local rank's) outnumber its cores, a polling
/// worker takes a core from one with work to do (the multi-rank tests run 4 ranks of 2
/// processors on 2 cores), so then workers poll only briefly.
const SPIN: Duration = Duration::from_micros(300);
const SPIN_OVERSUBSCRIBED: Duration = Duration::from_micros(5);

/// Polls `done` for at most `budget` (yielding now and then); whether it became true.
/// (The submitting thread does not poll in [`Executor::wait`]: on two cores it shares
/// one with a processor, and polling there measured slower than sleeping.)
fn spin_until(budget: Duration, done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    let mut round = 0u32;
    loop {
        if done() {
            return true;
        }
        round = round.wrapping_add(1);
        if round % 64 == 0 {
            if start.elapsed() > budget {
                return false;
            }
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

struct Shared {
    queues: [Queue; 3],
    in_flight: AtomicUsize,
    /// Point tasks finished (for `--show-progress`).
    completed: AtomicU64,
    waiters: AtomicUsize,
    done_lock: Mutex<()>,
    done_cv: Condvar,
    shutdown: AtomicBool,
    profiler: Option<Arc<Profiler>>,
    /// How long an idle worker polls before it sleeps ([`SPIN`]).
    spin: Duration,
}

/// The processors of this process and the queues feeding them.
pub struct Executor {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
    counts: [usize; 3],
    omp_threads: usize,
    max_in_flight: usize,
}

impl Executor {
    /// `pin`: give each CPU processor a core of its own (when there are enough).
    pub fn new(cpus: usize, omps: usize, omp_threads: usize, pin: bool, profiler: Option<Arc<Profiler>>) -> std::io::Result<Executor> {
        let cores = if pin { allowed_cores() } else { Vec::new() };
        let cores: Arc<[usize]> = if cores.len() >= cpus { cores.into() } else { Vec::new().into() };
        let queue = || Queue {
            tasks: Mutex::new(VecDeque::new()),
            len: AtomicUsize::new(0),
            sleepers: AtomicUsize::new(0),
            ready: Condvar::new(),
        };
        let shared = Arc::new(Shared {
            queues: [queue(), queue(), queue()],
            in_flight: AtomicUsize::new(0),
            completed: AtomicU64::new(0),
            waiters: AtomicUsize::new(0),
            done_lock: Mutex::new(()),
            done_cv: Condvar::new(),
            shutdown: AtomicBool::new(false),
            profiler,
            spin: {
                let node_cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let processors = (cpus + omps * omp_threads) * crate::config::local_ranks();
                if processors > node_cores { SPIN_OVERSUBSCRIBED } else { SPIN }
            },
        });
        let mut threads = Vec::new();
        for i in 0..cpus {
            let s = shared.clone();
            let cores = cores.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("legate-cpu-{i}"))
                    .spawn(move || {
                        if let Some(&core) = cores.get(i) {
                            pin_to_core(core);
                        }
                        worker(s, i, VariantKind::Cpu, None)
                    })?,
            );
        }
        for g in 0..omps {
            let s = shared.clone();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(omp_threads.max(1))
                .thread_name(move |t| format!("legate-omp-{g}-{t}"))
                .build()
                .map_err(std::io::Error::other)?;
            threads.push(
                std::thread::Builder::new()
                    .name(format!("legate-omp-{g}"))
                    .spawn(move || worker(s, cpus + g, VariantKind::Omp, Some(pool)))?,
            );
        }
        let max_in_flight = (IN_FLIGHT_PER_PROCESSOR * (cpus + omps)).max(16);
        Ok(Executor { shared, threads, counts: [cpus, omps, 0], omp_threads, max_in_flight })
    }

    /// Number of processors of a kind.
    pub fn count(&self, kind: VariantKind) -> usize {
        self.counts[kind as usize]
    }

    pub fn threads_per_processor(&self, kind: VariantKind) -> usize {
        if kind == VariantKind::Omp {
            self.omp_threads
        } else {
            1
        }
    }

    /// Back-pressure, once per operation before any of its points is admitted: waits
    /// while too many point tasks are in flight. Every admitted point was submitted
    /// before this is called again, so what it waits for can always finish (a launch
    /// admitting its own points here could wait on points only it would submit). A
    /// processor launching from inside a task never waits (it would wait on itself).
    pub fn throttle(&self) {
        let s = &self.shared;
        if s.in_flight.load(Ordering::SeqCst) < self.max_in_flight || on_worker() {
            return;
        }
        s.waiters.fetch_add(1, Ordering::SeqCst);
        let mut g = s.done_lock.lock().unwrap_or_else(|e| e.into_inner());
        while s.in_flight.load(Ordering::SeqCst) >= self.max_in_flight {
            g = s.done_cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        drop(g);
        s.waiters.fetch_sub(1, Ordering::SeqCst);
    }

    /// Counts a node as in flight (call before wiring its dependences). Never waits:
    /// see [`Executor::throttle`].
    pub fn admit(&self) {
        self.shared.in_flight.fetch_add(1, Ordering::SeqCst);
    }

    /// Releases the submission token of an admitted node: it runs once its
    /// predecessors are done.
    pub fn submit(&self, node: Arc<TaskNode>) {
        if node.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            enqueue(&self.shared, node);
        }
    }

    /// A handle that releases held nodes from other threads (see [`TaskNode::hold`]).
    pub fn releaser(&self) -> Releaser {
        Releaser(self.shared.clone())
    }

    /// Blocks until every node in `nodes` has finished.
    pub fn wait(&self, nodes: &[Arc<TaskNode>]) {
        let s = &self.shared;
        for n in nodes {
            if n.is_done() {
                continue;
            }
            s.waiters.fetch_add(1, Ordering::SeqCst);
            let mut g = s.done_lock.lock().unwrap_or_else(|e| e.into_inner());
            while !n.is_done() {
                g = s.done_cv.wait(g).unwrap_or_else(|e| e.into_inner());
            }
            drop(g);
            s.waiters.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// [`Executor::wait`] for at most `timeout`; whether every node finished.
    pub fn wait_for(&self, nodes: &[Arc<TaskNode>], timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        self.wait_until(deadline, || nodes.iter().all(|n| n.is_done()))
    }

    /// [`Executor::wait_all`] for at most `timeout`; whether nothing is in flight.
    pub fn wait_all_for(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let s = &self.shared;
        self.wait_until(deadline, || s.in_flight.load(Ordering::SeqCst) == 0)
    }

    /// Sleeps until `done()` (checked after each finished task) or `deadline`.
    fn wait_until(&self, deadline: Instant, done: impl Fn() -> bool) -> bool {
        if done() {
            return true;
        }
        let s = &self.shared;
        s.waiters.fetch_add(1, Ordering::SeqCst);
        let mut g = s.done_lock.lock().unwrap_or_else(|e| e.into_inner());
        let finished = loop {
            if done() {
                break true;
            }
            let now = Instant::now();
            if now >= deadline {
                break false;
            }
            g = s.done_cv.wait_timeout(g, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        };
        drop(g);
        s.waiters.fetch_sub(1, Ordering::SeqCst);
        finished
    }

    /// Blocks until nothing is in flight.
    pub fn wait_all(&self) {
        let s = &self.shared;
        s.waiters.fetch_add(1, Ordering::SeqCst);
        let mut g = s.done_lock.lock().unwrap_or_else(|e| e.into_inner());
        while s.in_flight.load(Ordering::SeqCst) > 0 {
            g = s.done_cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        drop(g);
        s.waiters.fetch_sub(1, Ordering::SeqCst);
    }

    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// Counts a point task run on the submitting thread (it never entered a queue).
    pub(crate) fn count_inline(&self) {
        self.shared.completed.fetch_add(1, Ordering::Relaxed);
    }

    /// The progress display's view of the queues: tasks finished and in flight.
    pub fn progress_counters(&self) -> crate::progress::Counters {
        let s = self.shared.clone();
        Box::new(move || crate::progress::Snapshot {
            done: s.completed.load(Ordering::Relaxed),
            in_flight: s.in_flight.load(Ordering::SeqCst),
        })
    }
}

/// Releases nodes held for events outside the dependence graph.
#[derive(Clone)]
pub struct Releaser(Arc<Shared>);

impl Releaser {
    /// One event `node` held for happened; it runs once nothing else holds it.
    pub fn release(&self, node: Arc<TaskNode>) {
        if node.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            enqueue(&self.0, node);
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.wait_all();
        self.shared.shutdown.store(true, Ordering::SeqCst);
        for q in &self.shared.queues {
            let _g = q.tasks.lock().unwrap_or_else(|e| e.into_inner());
            q.ready.notify_all();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// The cores this process may run on.
fn allowed_cores() -> Vec<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `set` is a plain bit set that sched_getaffinity fills.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        if unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) } == 0 {
            return (0..libc::CPU_SETSIZE as usize).filter(|&c| unsafe { libc::CPU_ISSET(c, &set) }).collect();
        }
    }
    Vec::new()
}

/// Binds the calling thread to `core`. Unbound, the kernel tends to wake an idle
/// worker on the core of the worker that woke it (behind that worker's long task), so
/// the two points of an operation often ran one after the other.
fn pin_to_core(core: usize) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: as in `allowed_cores`; failure leaves the thread unbound (harmless).
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        unsafe {
            libc::CPU_SET(core, &mut set);
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = core;
}

fn enqueue(s: &Shared, node: Arc<TaskNode>) {
    let q = &s.queues[node.kind as usize];
    let mut tasks = q.tasks.lock().unwrap_or_else(|e| e.into_inner());
    tasks.push_back(node);
    q.len.store(tasks.len(), Ordering::SeqCst);
    // Sleepers register under the lock, so reading the count here cannot miss one.
    let wake = q.sleepers.load(Ordering::SeqCst) > 0;
    drop(tasks);
    if wake {
        q.ready.notify_one();
    }
}

/// Takes the next task of `q`, polling for a while ([`SPIN`]) and then sleeping; None
/// at shutdown.
fn next_task(s: &Shared, q: &Queue) -> Option<Arc<TaskNode>> {
    spin_until(s.spin, || q.len.load(Ordering::Relaxed) > 0 || s.shutdown.load(Ordering::Relaxed));
    let mut tasks = q.tasks.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let Some(n) = tasks.pop_front() {
            q.len.store(tasks.len(), Ordering::SeqCst);
            return Some(n);
        }
        if s.shutdown.load(Ordering::SeqCst) {
            return None;
        }
        q.sleepers.fetch_add(1, Ordering::SeqCst);
        tasks = q.ready.wait(tasks).unwrap_or_else(|e| e.into_inner());
        q.sleepers.fetch_sub(1, Ordering::SeqCst);
    }
}

fn worker(s: Arc<Shared>, proc_id: usize, kind: VariantKind, pool: Option<rayon::ThreadPool>) {
    ON_WORKER.with(|w| w.set(true));
    let ctx = WorkerContext { proc_id, kind, num_threads: pool.as_ref().map_or(1, |p| p.current_num_threads()), pool: pool.as_ref() };
    let q = &s.queues[kind as usize];
    while let Some(node) = next_task(&s, q) {
        let mut next = Some(node);
        while let Some(n) = next {
            next = run(&s, &ctx, n);
        }
    }
}

/// Runs a node, marks it done, releases successors; returns one ready successor of this
/// processor's kind for the caller to run directly.
fn run(s: &Shared, ctx: &WorkerContext, node: Arc<TaskNode>) -> Option<Arc<TaskNode>> {
    let work = node.work.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(work) = work {
        let start = s.profiler.as_ref().map(|_| Instant::now());
        match ctx.pool {
            Some(pool) => pool.install(|| work(ctx)),
            None => work(ctx),
        }
        if let (Some(p), Some(start)) = (&s.profiler, start) {
            p.record(ctx.proc_id, ctx.kind, &node, start, Instant::now());
        }
    }
    let successors = {
        let mut succ = node.successors.lock().unwrap_or_else(|e| e.into_inner());
        node.done.store(true, Ordering::SeqCst);
        std::mem::take(&mut *succ)
    };
    let mut mine = None;
    for n in successors {
        if n.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            if mine.is_none() && n.kind == ctx.kind {
                mine = Some(n);
            } else {
                enqueue(s, n);
            }
        }
    }
    s.completed.fetch_add(1, Ordering::Relaxed);
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    if s.waiters.load(Ordering::SeqCst) > 0 {
        let _g = s.done_lock.lock().unwrap_or_else(|e| e.into_inner());
        s.done_cv.notify_all();
    }
    mine
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn chain_runs_in_order_and_wait_returns() {
        let ex = Executor::new(2, 0, 1, true, None).unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut prev: Option<Arc<TaskNode>> = None;
        let mut nodes = Vec::new();
        for i in 0..100u64 {
            let n = TaskNode::new(i, Point::empty(), "t".into(), VariantKind::Cpu);
            let l = log.clone();
            n.set_work(move |_| l.lock().unwrap().push(i));
            ex.admit();
            if let Some(p) = &prev {
                n.depend_on(p);
            }
            ex.submit(n.clone());
            prev = Some(n.clone());
            nodes.push(n);
        }
        ex.wait(&nodes[99..]);
        assert_eq!(*log.lock().unwrap(), (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn independent_tasks_use_omp_pools() {
        let ex = Executor::new(0, 2, 2, true, None).unwrap();
        let sum = Arc::new(AtomicU64::new(0));
        let mut nodes = Vec::new();
        for i in 0..10u64 {
            let n = TaskNode::new(i, Point::empty(), "t".into(), VariantKind::Omp);
            let s = sum.clone();
            n.set_work(move |ctx| {
                assert_eq!(rayon::current_num_threads(), 2);
                assert_eq!(ctx.num_threads, 2);
                s.fetch_add(i, Ordering::SeqCst);
            });
            ex.admit();
            ex.submit(n.clone());
            nodes.push(n);
        }
        ex.wait_all();
        assert_eq!(sum.load(Ordering::SeqCst), 45);
        assert!(nodes.iter().all(|n| n.is_done()));
    }

    #[test]
    fn processors_are_bound_to_cores_of_their_own() {
        let allowed = allowed_cores();
        if allowed.len() < 2 {
            return; // nothing to bind to
        }
        for pin in [true, false] {
            let ex = Executor::new(2, 0, 1, pin, None).unwrap();
            let seen = Arc::new(Mutex::new(Vec::new()));
            let mut nodes = Vec::new();
            for i in 0..8u64 {
                let n = TaskNode::new(i, Point::empty(), "t".into(), VariantKind::Cpu);
                let seen = seen.clone();
                n.set_work(move |ctx| seen.lock().unwrap().push((ctx.proc_id, allowed_cores())));
                ex.admit();
                ex.submit(n.clone());
                nodes.push(n);
            }
            ex.wait(&nodes);
            for (proc_id, cores) in seen.lock().unwrap().iter() {
                if pin {
                    assert_eq!(cores, &vec![allowed[*proc_id]], "processor {proc_id}");
                } else {
                    assert_eq!(cores, &allowed);
                }
            }
        }
    }
}
