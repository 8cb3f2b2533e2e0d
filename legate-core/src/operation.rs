//! Operations: building a task launch and lowering it to point tasks.
//!
//! [`TaskLaunch`] collects a task's arguments, scalars and constraints (an auto task)
//! or its launch domain and store partitions (a manual task). `execute` then runs the
//! pipeline in program order: pick the variant (mapper), solve partitions (solver),
//! cut each argument into per-point pieces and their exact element sets (footprints),
//! wire dependences on earlier point tasks (scheduler), record key partitions, and hand
//! the point tasks to the executor. Nothing waits unless the task throws exceptions.

use crate::constraint::{Constraint, Variable};
use crate::error::{invalid, LegateError, Result};
use crate::executor::TaskNode;
use crate::footprint::Footprint;
use crate::image::LaunchKnowledge;
use crate::partition::Partition;
use crate::point::{finish_operation, run_point, run_rects, ArgInfo, OpArg, OpRef, OpShared, Piece, Role};
use crate::replicate::Sharding;
use crate::reduction;
use crate::runtime::Runtime;
use crate::scalar::Scalar;
use crate::scheduler::{Access, DependenceEdge, OpRecord, PointId, Privilege};
use crate::shape::Point;
use crate::solver::{self, Launch, SolverArg};
use crate::store::{LogicalStore, StorePartition};
use crate::runtime::RuntimeInner;
use crate::task::{Library, TaskEntry};
use legate_abi::raw::TaskFn;
use legate_abi::{ReductionOp, VariantKind};
use smallvec::SmallVec;
use std::sync::Arc;

struct LaunchArg {
    store: LogicalStore,
    role: Role,
    /// An output the task may leave partly unwritten (a scatter).
    partial: bool,
    /// Manual tasks: the partition and an optional projection from launch point to color.
    partition: Option<Box<Partition>>,
    projection: Option<Vec<usize>>,
}

impl OpArg for LaunchArg {
    fn store(&self) -> &LogicalStore {
        &self.store
    }
    fn role(&self) -> Role {
        self.role
    }
    fn partial(&self) -> bool {
        self.partial
    }
}

/// A task launch being built. An auto task (from `create_auto_task`) has its partitions
/// chosen by the solver; a manual task (from `create_manual_task`) has a launch domain
/// and takes partitions (or whole stores, replicated) from the caller.
pub struct TaskLaunch {
    rt: Runtime,
    library: Library,
    task_id: u32,
    manual_launch: Option<Point>,
    // Inline storage: most launches have a few of each, and launching is a hot path.
    args: SmallVec<[LaunchArg; 4]>,
    scalars: Vec<Scalar>,
    constraints: SmallVec<[Constraint; 4]>,
    throws: bool,
    communicator: bool,
    /// The name profiles and graphs show, when not the task's (a fused task lists
    /// the operations it absorbed).
    name: Option<String>,
}

/// The name library authors of the original know for an auto task.
pub type AutoTask = TaskLaunch;
/// The name library authors of the original know for a manual task.
pub type ManualTask = TaskLaunch;

impl TaskLaunch {
    pub(crate) fn new(rt: Runtime, library: Library, task_id: u32, manual_launch: Option<Point>) -> TaskLaunch {
        TaskLaunch {
            rt,
            library,
            task_id,
            manual_launch,
            args: SmallVec::new(),
            scalars: Vec::with_capacity(4),
            constraints: SmallVec::new(),
            throws: false,
            communicator: false,
            name: None,
        }
    }

    fn push(&mut self, store: &LogicalStore, role: Role, partition: Option<Partition>, projection: Option<&[usize]>) -> Variable {
        self.args.push(LaunchArg { store: store.clone(), role, partial: false, partition: partition.map(Box::new), projection: projection.map(|p| p.to_vec()) });
        Variable(self.args.len() - 1)
    }

    pub fn add_input(&mut self, store: &LogicalStore) -> Variable {
        self.push(store, Role::Input, None, None)
    }

    pub fn add_output(&mut self, store: &LogicalStore) -> Variable {
        self.push(store, Role::Output, None, None)
    }

    /// An output the task may write only some elements of (a scatter): the others keep
    /// their values. (An ordinary output's piece must be written whole: the runtime
    /// takes it as new data, e.g. curing elements a failed task had spoiled.)
    pub fn add_partial_output(&mut self, store: &LogicalStore) -> Variable {
        let v = self.push(store, Role::Output, None, None);
        self.args[v.0].partial = true;
        v
    }

    pub fn add_reduction(&mut self, store: &LogicalStore, op: ReductionOp) -> Variable {
        self.push(store, Role::Reduction(op), None, None)
    }

    /// Manual tasks: point `p` gets the piece of color `p` (or of `p` projected onto
    /// `projection`'s launch dimensions).
    pub fn add_input_partition(&mut self, part: &StorePartition, projection: Option<&[usize]>) -> Variable {
        self.push(part.store(), Role::Input, Some(part.partition().clone()), projection)
    }

    pub fn add_output_partition(&mut self, part: &StorePartition, projection: Option<&[usize]>) -> Variable {
        self.push(part.store(), Role::Output, Some(part.partition().clone()), projection)
    }

    pub fn add_reduction_partition(&mut self, part: &StorePartition, op: ReductionOp, projection: Option<&[usize]>) -> Variable {
        self.push(part.store(), Role::Reduction(op), Some(part.partition().clone()), projection)
    }

    pub fn add_scalar_arg(&mut self, value: impl Into<Scalar>) {
        self.scalars.push(value.into());
    }

    pub fn add_alignment(&mut self, a: Variable, b: Variable) {
        self.constraints.push(Constraint::Align(a, b));
    }

    pub fn add_broadcast(&mut self, v: Variable, dims: Option<&[usize]>) {
        self.constraints.push(Constraint::Broadcast(v, dims.map(|d| d.to_vec())));
    }

    pub fn add_constraint(&mut self, c: Constraint) {
        self.constraints.push(c);
    }

    /// How many store arguments the task has so far (variables are `0..num_args`).
    pub fn num_args(&self) -> usize {
        self.args.len()
    }

    /// Gives the task a CPU communicator (`TaskContext::communicator`: all-to-all and
    /// all-gather between its points). The launch then has at most one point per rank
    /// (one point on one rank), so every point runs at once with the others; such
    /// launches run in program order on every rank, one after another.
    pub fn add_communicator(&mut self) {
        self.communicator = true;
    }

    /// Names this launch in profiles, graphs and progress (the task's name otherwise).
    pub fn set_name(&mut self, name: String) {
        self.name = Some(name);
    }

    /// When set, `execute` waits for the task and returns its error directly.
    pub fn throws_exception(&mut self, throws: bool) {
        self.throws = throws;
    }

    /// Submits the task; returns once it is ordered after what it depends on (or, for
    /// tasks that throw exceptions, once it has run).
    pub fn execute(mut self) -> Result<()> {
        let throws = self.throws;
        // A task touching a storage the host holds views of (the buffer protocol,
        // DLPack, Arrow) runs before this returns: host code then never reads or writes
        // those bytes while a task does, and sees its results as NumPy views would.
        // (`launch` returns the nodes to wait for in both cases.)
        let rt = self.rt.clone();
        // On a replicated run each rank's task writes its own piece: a viewed storage
        // the task writes is gathered again, so every rank's view sees all of it.
        let mut regather: Vec<LogicalStore> = Vec::new();
        if rt.inner.world.replicated() {
            for a in self.args.iter().filter(|a| !matches!(a.role, Role::Input) && a.store.storage().host_viewed()) {
                if !regather.iter().any(|s| Arc::ptr_eq(s.storage(), a.store.storage())) {
                    regather.push(LogicalStore::from_storage(a.store.storage().clone()));
                }
            }
        }
        // Borrowed, not moved: a launch is several hundred bytes.
        let (op_id, nodes) = launch(&mut self)?;
        rt.wait_nodes(&nodes);
        if throws {
            let mine = rt.take_errors_of(op_id);
            crate::distribute::agree_on_error(&rt.inner, op_id, mine)?;
        }
        for whole in &regather {
            crate::distribute::host_write(&rt, whole)?;
        }
        Ok(())
    }
}

fn privilege(role: Role) -> Privilege {
    match role {
        Role::Input => Privilege::Read,
        Role::Output => Privilege::Write,
        Role::Reduction(op) => Privilege::Reduce(op),
    }
}

/// Per point, per argument: the piece and its footprint.
type Pieces = Vec<Vec<(Piece, Footprint)>>;

/// Cuts every argument into one piece per point. Image pieces get their rectangle
/// when `knowledge` allows knowing it at launch (see [`crate::image`]); otherwise
/// their footprint is the whole storage (sound, coarse).
fn cut(args: &[LaunchArg], shapes: &[Option<Point>], launch: &Launch, manual: bool, knowledge: LaunchKnowledge) -> Result<Pieces> {
    let n_points = launch.colors.volume();
    let mut out = Vec::with_capacity(n_points as usize);
    for i in 0..n_points {
        let color = Point::delinearize(i, &launch.colors);
        let mut row = Vec::with_capacity(args.len());
        for (a, arg) in args.iter().enumerate() {
            let Some(shape) = &shapes[a] else {
                // Unbound output: each point binds its own piece.
                row.push((Piece::Rect(crate::shape::Rect::from_extents(&Point::splat(arg.store.storage().ndim(), 0))), Footprint::All));
                continue;
            };
            let part = &launch.partitions[a];
            let projected;
            let c = match (&arg.projection, manual) {
                (Some(proj), true) => {
                    let v: Vec<i64> = proj.iter().map(|&d| color.as_slice().get(d).copied().unwrap_or(0)).collect();
                    projected = Point::new(&v);
                    &projected
                }
                _ => &color,
            };
            if let Partition::Tiling(t) = part {
                if c.ndim() != t.colors.ndim() || (0..c.ndim()).any(|d| c[d] >= t.colors[d]) {
                    return Err(invalid(format!(
                        "launch point {color} has no piece in the partition of argument {a} (color space {:?}); \
                         give a projection or a launch domain that fits",
                        t.colors
                    )));
                }
            }
            let piece = piece_of(part, shape, c, knowledge);
            let fp = piece.rect_now().map_or(Footprint::All, |r| Footprint::of_rect(arg.store.map(), r));
            row.push((piece, fp));
        }
        out.push(row);
    }
    Ok(out)
}

/// The piece of color `color` of a store of `shape` partitioned by `part`; an image's
/// source piece is cut the same way (an image of an image resolves level by level).
fn piece_of(part: &Partition, shape: &Point, color: &Point, knowledge: LaunchKnowledge) -> Piece {
    match part {
        Partition::Image { source, source_partition, kind } => {
            let source_piece = piece_of(source_partition, &source.shape(), color, knowledge);
            Piece::Image(Box::new(crate::image::image_piece(source, source_piece, *kind, shape, knowledge)))
        }
        _ => Piece::Rect(part.child_rect(color, shape).expect("tilings and replicas have rectangles")),
    }
}

/// Whether two different points of the launch touch the same elements in a way that
/// conflicts (then the points could race).
fn points_conflict(args: &[LaunchArg], pieces: &Pieces) -> bool {
    if pieces.len() < 2 {
        return false;
    }
    for a in 0..args.len() {
        let pa = privilege(args[a].role);
        if pa == Privilege::Read || matches!(args[a].role, Role::Reduction(_)) && !has_reader(args, a) {
            continue;
        }
        // Each point binds a private piece of an unbound output: points never share it.
        if args[a].role == Role::Output && args[a].store.unbound() {
            continue;
        }
        for b in 0..args.len() {
            if !args[a].store.same_storage(&args[b].store) {
                continue;
            }
            let pb = privilege(args[b].role);
            if !pa.conflicts_with(&pb) {
                continue;
            }
            for p in 0..pieces.len() {
                for q in 0..pieces.len() {
                    if p != q && pieces[p][a].1.intersects(&pieces[q][b].1) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

fn has_reader(args: &[LaunchArg], a: usize) -> bool {
    args.iter().enumerate().any(|(b, x)| b != a && x.store.same_storage(&args[a].store) && x.role == Role::Input)
}

/// Single-point launches touching at most this many bytes may run on the submitting
/// thread (see [`runs_inline`]).
const INLINE_MAX_BYTES: u64 = 1 << 20;

/// Whether a launch runs inline on the submitting thread: one point, small pieces, no
/// unbound output, and no unfinished task touches any storage it uses. (Not when
/// profiling, nor with `LEGATE_INLINE_SMALL_TASKS=0`.)
/// Such a task has no dependences, and later tasks need none on it (it is done before
/// they are submitted), so nothing is recorded in the access lists. This is what
/// keeps a loop of small operations at a microsecond or two each.
fn runs_inline(args: &[LaunchArg], shapes: &[Option<Point>], pieces: &Pieces) -> bool {
    if pieces.len() != 1 || shapes.iter().any(|s| s.is_none()) || pieces[0].iter().any(|(p, _)| !matches!(p, Piece::Rect(_))) {
        return false;
    }
    small_and_idle(args, pieces[0].iter().map(|(p, _)| p.rect_now().map_or(0, |r| r.volume())))
}

/// Whether pieces of `volumes` elements of `args` total at most [`INLINE_MAX_BYTES`]
/// and no unfinished task touches the arguments' storages (whose finished accesses
/// are then forgotten).
fn small_and_idle<A: OpArg>(args: &[A], volumes: impl Iterator<Item = u64>) -> bool {
    let bytes: u64 = args.iter().zip(volumes).map(|(a, v)| v * a.store().ty().size().unwrap_or(0) as u64).sum();
    bytes <= INLINE_MAX_BYTES && args.iter().all(|a| a.store().storage().accesses.lock().unwrap_or_else(|e| e.into_inner()).settle())
}

/// The pieces of a small auto launch that can skip the solver and run inline: every
/// argument bound and at most `min_chunk` elements (the solver would pick one point),
/// only alignment and broadcast constraints (which one point satisfies; aligned shapes
/// must match, else the solver reports it), and [`runs_inline`]'s conditions.
fn small_launch(t: &TaskLaunch, shapes: &[Option<Point>], min_chunk: u64, inline: bool) -> Option<Vec<Piece>> {
    if t.manual_launch.is_some() || !inline {
        return None;
    }
    for shape in shapes {
        if shape.as_ref()?.volume() > min_chunk {
            return None;
        }
    }
    for c in &t.constraints {
        match c {
            Constraint::Align(a, b) if shapes.get(a.0)? == shapes.get(b.0)? => {}
            Constraint::Broadcast(v, _) if v.0 < shapes.len() => {}
            _ => return None,
        }
    }
    let bound = || shapes.iter().flatten();
    small_and_idle(&t.args, bound().map(Point::volume)).then(|| bound().map(|s| Piece::Rect(crate::shape::Rect::from_extents(s))).collect())
}

/// Runs the one point of an operation on this thread, now (see [`runs_inline`]).
fn run_inline<A: OpArg>(op: &OpRef<A>, row: &[Piece], kind: VariantKind) {
    let ctx = crate::executor::WorkerContext { proc_id: 0, kind, num_threads: 1, pool: None };
    run_point(op, &Point::splat(op.launch_shape.ndim(), 0), 0, row, &ctx);
    if op.needs_finish() {
        finish_operation(op);
    }
}

/// The task's registry entry and the variant the mapper picks for this machine.
fn resolve_task(inner: &RuntimeInner, library: &Library, task_id: u32) -> Result<(TaskEntry, VariantKind)> {
    let (entry, lib_mapper) = inner.registry.read().unwrap_or_else(|e| e.into_inner()).task(library, task_id)?;
    let mapper = lib_mapper.as_ref().unwrap_or(&inner.mapper);
    let available = entry.variants.map(|v| v.is_some());
    let kind = mapper.select_variant(&entry.name, available, &inner.machine).ok_or_else(|| {
        LegateError::Unsupported(format!(
            "task {} has no variant for this machine's processors ({} CPUs, {} OMPs)",
            entry.name, inner.machine.cpus, inner.machine.omps
        ))
    })?;
    Ok((entry, kind))
}

/// The function of variant `kind` (OpenMP launches fall back to the CPU variant).
fn variant_fn(entry: &TaskEntry, kind: VariantKind) -> Result<TaskFn> {
    entry.variants[kind as usize]
        .or(if kind == VariantKind::Omp { entry.variants[VariantKind::Cpu as usize] } else { None })
        .ok_or_else(|| invalid(format!("mapper chose a missing variant {kind:?} for {}", entry.name)))
}

fn min_chunk(inner: &RuntimeInner, kind: VariantKind) -> u64 {
    if kind == VariantKind::Omp { inner.config.min_omp_chunk } else { inner.config.min_cpu_chunk }
}

/// Validates argument `i`: whether it has a shape (not an unbound output no task
/// produces; an input produced as an unbound output gets its shape when its producer
/// has run, and `shape()` waits for it).
fn check_arg(i: usize, arg: &impl OpArg, partitioned: bool) -> Result<bool> {
    let (store, role) = (arg.store(), arg.role());
    if role != Role::Input && store.read_only() {
        return Err(invalid("assignment destination is read-only"));
    }
    if store.ty().size().is_none() {
        return Err(LegateError::Unsupported(format!("argument {i} has variable-size type {}", store.ty())));
    }
    if let Role::Reduction(op) = role {
        reduction::check(op, store.ty())?;
    }
    if store.unbound() {
        let produced = store.storage().has_producer();
        match role {
            Role::Output if !produced => {
                if partitioned {
                    return Err(invalid(format!("argument {i}: an unbound store cannot be partitioned")));
                }
                return Ok(false);
            }
            _ if !produced => {
                return Err(invalid(format!("argument {i} is an unbound store that no task produces; add it as an output first")));
            }
            _ => {}
        }
    }
    Ok(true)
}

/// Numbers a launch and records it: the operation log (tests, `--dataflow`), progress,
/// and the storages it writes (whose contents images are read from).
fn record_launch<A: OpArg>(inner: &RuntimeInner, name: &Arc<str>, points: u64, args: &[A]) -> u64 {
    let op_id = inner.next_op.fetch_add(1, Ordering::Relaxed);
    if let Some(p) = &inner.progress {
        p.launched();
    }
    tracing::debug!(op_id, task = %name, points, "launch");
    inner.log.lock().unwrap_or_else(|e| e.into_inner()).op(OpRecord {
        op_id,
        name: name.clone(),
        points,
        args: args.iter().map(|a| (a.store().storage().id(), privilege(a.role()))).collect(),
    });
    for a in args.iter().filter(|a| a.role() != Role::Input) {
        a.store().storage().written();
    }
    op_id
}

/// Launches `task_id` on whole stores that are all aligned with the first (an auto
/// task with those alignments) and `scalars`; `throws` as in
/// [`TaskLaunch::throws_exception`]. A launch that [`small_launch`] would run inline
/// runs here with borrowed arguments: no `TaskLaunch`, no `OpShared`, the same checks
/// in the same order, the same errors, log entry and effects. Everything else (a
/// replicated run, a profiled one, an unbound output, a large or busy argument,
/// different shapes) goes through [`TaskLaunch::execute`]; the decision depends on
/// nothing a rank could see differently from another.
pub(crate) fn launch_aligned(rt: &Runtime, library: &Library, task_id: u32, args: &[(&LogicalStore, Role)], scalars: &[Scalar], throws: bool) -> Result<()> {
    let general = || {
        let mut t = TaskLaunch::new(rt.clone(), library.clone(), task_id, None);
        t.throws = throws;
        t.scalars.extend_from_slice(scalars);
        for &(store, role) in args {
            let v = t.push(store, role, None, None);
            if v.0 > 0 {
                t.add_alignment(v, Variable(0));
            }
        }
        t.execute()
    };
    let inner = &rt.inner;
    if inner.world.replicated() || !inner.config.inline_small_tasks || inner.profiler.is_some() || args.is_empty() {
        return general();
    }
    rt.flush_pending();
    let (entry, kind) = resolve_task(inner, library, task_id)?;
    let task_fn = variant_fn(&entry, kind)?;
    for (i, arg) in args.iter().enumerate() {
        if !check_arg(i, arg, false)? || !arg.0.same_shape(args[0].0) {
            return general();
        }
    }
    let shape = args[0].0.shape();
    let volume = shape.volume();
    if volume > min_chunk(inner, kind) {
        return general();
    }
    inner.executor.throttle();
    let submit = inner.submit_lock.lock().unwrap_or_else(|e| e.into_inner());
    if !small_and_idle(args, args.iter().map(|_| volume)) {
        drop(submit);
        return general();
    }
    let launch_shape = Point::new(&[1]);
    let rect = crate::shape::Rect::from_extents(&shape);
    let op_id = record_launch(inner, &entry.name, 1, args);
    let (reductions, pieces) = Default::default();
    let op = OpRef {
        op_id,
        name: &entry.name,
        task_id,
        task_fn,
        scalars,
        launch_shape: &launch_shape,
        args,
        sysmem: &inner.sysmem,
        control: &inner.control,
        throws,
        comm: None,
        reductions: &reductions,
        pieces: &pieces,
    };
    // Every argument's piece is the whole store (all have one shape).
    let rects: SmallVec<[&crate::shape::Rect; 4]> = args.iter().map(|_| &rect).collect();
    let ctx = crate::executor::WorkerContext { proc_id: 0, kind, num_threads: 1, pool: None };
    run_rects(&op, &Point::new(&[0]), 0, &rects, None, || None, &ctx);
    if op.needs_finish() {
        finish_operation(&op);
    }
    inner.executor.count_inline();
    drop(submit);
    if throws {
        rt.take_errors_of(op_id)?;
    }
    Ok(())
}

/// Lowers a launch to point tasks and submits them; returns the operation id (and its
/// nodes when the caller will wait for them).
fn launch(t: &mut TaskLaunch) -> Result<(u64, Vec<Arc<TaskNode>>)> {
    let rt = t.rt.clone();
    // Operations a library holds back go first: program order.
    rt.flush_pending();
    let inner = &rt.inner;
    let (mut entry, kind) = resolve_task(inner, &t.library, t.task_id)?;
    if let Some(name) = t.name.take() {
        entry.name = name.into();
    }
    // The runtime's own work for this launch, on the profile's timeline.
    let _span = inner.profiler.as_deref().map(|p| p.span("launch", &*entry.name));
    let task_fn = variant_fn(&entry, kind)?;
    // Replicated runs tile over every rank's processors (all ranks have the same).
    let procs = if t.communicator { inner.world.size() } else { inner.executor.count(kind).max(1) * inner.world.size() };

    let mut shapes = Vec::with_capacity(t.args.len());
    for (i, arg) in t.args.iter().enumerate() {
        let bound = check_arg(i, arg, t.manual_launch.is_some() && arg.partition.is_some())?;
        shapes.push(bound.then(|| arg.store.shape()));
    }

    inner.executor.throttle();
    let _submit = inner.submit_lock.lock().unwrap_or_else(|e| e.into_inner());
    let min_chunk = min_chunk(inner, kind);
    let begin = |t: &mut TaskLaunch, colors: Point| {
        let points = colors.volume();
        let op_id = record_launch(inner, &entry.name, points, &t.args);
        let args = t.args.iter().zip(&shapes).map(|(a, s)| ArgInfo { store: a.store.clone(), role: a.role, unbound: s.is_none(), partial: a.partial }).collect();
        let scalars = std::mem::take(&mut t.scalars);
        let mut shared = OpShared::new(op_id, entry.name.clone(), t.task_id, task_fn, scalars, colors, args, inner.sysmem.clone(), inner.control.clone(), t.throws);
        if t.communicator {
            let sharding = Sharding::of_extents(&shared.launch_shape, inner.world.size());
            let owners = (0..points).map(|i| sharding.owner_of_index(i)).collect();
            shared.comm = Some(Arc::new(crate::point::CommInfo { world: inner.world.clone(), owners }));
        }
        (op_id, Arc::new(shared))
    };

    let replicated = inner.world.replicated();
    if replicated && crate::executor::on_worker() {
        // Ranks run tasks at different times: launches from them would make the ranks'
        // operation streams differ.
        return Err(LegateError::Unsupported("launching a task from inside a task does not work on several ranks".into()));
    }
    let inline = inner.config.inline_small_tasks && inner.profiler.is_none();
    // The solver-free shortcut plans nothing; replicated ranks go through the plan.
    if let Some(row) = small_launch(&t, &shapes, min_chunk, inline && !replicated) {
        let (op_id, shared) = begin(t, Point::new(&[1]));
        run_inline(&shared.view(), &row, kind);
        inner.executor.count_inline();
        return Ok((op_id, Vec::new()));
    }

    let manual = t.manual_launch.is_some();
    let solve = |t: &TaskLaunch, single: bool| {
        let sargs: Vec<SolverArg> =
            t.args.iter().zip(&shapes).map(|(a, s)| SolverArg { store: &a.store, shape: s.as_ref(), writes: a.role == Role::Output }).collect();
        if single { solver::solve_single(&sargs, &t.constraints) } else { solver::solve(&sargs, &t.constraints, procs, min_chunk) }
    };
    let mut launch = match &t.manual_launch {
        Some(colors) => Launch {
            colors: colors.clone(),
            partitions: t.args.iter().map(|a| a.partition.as_deref().cloned().unwrap_or(Partition::Replicate)).collect(),
        },
        None => {
            let _span = inner.profiler.as_deref().map(|p| p.span("partition", &*entry.name));
            solve(&t, false)?
        }
    };
    let knowledge = if replicated { LaunchKnowledge::Agreed } else { LaunchKnowledge::Local };
    // Replicated runs: image rectangles not cached are resolved by all ranks together.
    let cut_all = |launch: &Launch, manual: bool| -> Result<Pieces> {
        let mut pieces = cut(&t.args, &shapes, launch, manual, knowledge)?;
        if replicated {
            crate::distribute::agree_on_images(inner, &launch.colors, &mut pieces)?;
            for row in &mut pieces {
                for (arg, (piece, fp)) in t.args.iter().zip(row.iter_mut()) {
                    if let (Piece::Image(_), Some(r)) = (&*piece, piece.rect_now()) {
                        *fp = Footprint::of_rect(arg.store.map(), r);
                    }
                }
            }
        }
        Ok(pieces)
    };
    let mut pieces = cut_all(&launch, manual)?;
    if t.communicator && pieces.len() > inner.world.size() {
        if manual {
            return Err(invalid(format!("a task with a communicator has at most one point per rank ({} ranks)", inner.world.size())));
        }
        launch = solve(&t, true)?;
        pieces = cut_all(&launch, false)?;
    }
    if points_conflict(&t.args, &pieces) {
        if manual {
            return Err(invalid("manual task: different points would write overlapping elements"));
        }
        launch = solve(&t, true)?;
        pieces = cut_all(&launch, false)?;
    }

    if inline && !replicated && runs_inline(&t.args, &shapes, &pieces) {
        let row: Vec<Piece> = pieces.into_iter().next().expect("one point").into_iter().map(|(p, _)| p).collect();
        let (op_id, shared) = begin(t, launch.colors);
        run_inline(&shared.view(), &row, kind);
        inner.executor.count_inline();
        return Ok((op_id, Vec::new()));
    }
    // Replicated runs: a small one-point launch runs on every rank (see
    // `everywhere_touches`); otherwise points are sharded over the ranks.
    let everywhere = replicated && runs_everywhere(&t.args, &shapes, &pieces);
    // Which rank runs which point (all on this one unless replicated).
    let me = inner.world.rank();
    let owners: Vec<usize> = if everywhere {
        vec![me]
    } else if replicated {
        // Writes through an image are planned by their rectangle: refused when the ranks
        // could not learn it (its source was spoiled or is not readable as an image).
        let unknown = |p: &Piece| matches!(p, Piece::Image(_)) && p.rect_now().is_none();
        if pieces.iter().any(|row| t.args.iter().zip(row).any(|(a, (p, _))| a.role != Role::Input && unknown(p))) {
            return Err(LegateError::Unsupported(
                "image-partitioned outputs and reductions whose image cannot be resolved at launch do not run on several ranks".into(),
            ));
        }
        let sharding = Sharding::of_extents(&launch.colors, inner.world.size());
        (0..pieces.len() as u64).map(|i| sharding.owner_of_index(i)).collect()
    } else {
        vec![me; pieces.len()]
    };
    if replicated {
        let colors = launch.colors.clone();
        crate::distribute::record_op(
            inner,
            || {
                use crate::replicate::divergence::Access as A;
                let mut d = crate::replicate::divergence::OpDescription::new(&entry.name).bytes("launch", &colors.as_slice().iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>());
                for arg in &t.args {
                    let access = match arg.role {
                        Role::Input => A::Read,
                        Role::Output => A::Write,
                        Role::Reduction(op) => A::Reduce(op as u8),
                    };
                    d = crate::distribute::describe_store(d, &arg.store, access);
                }
                for s in &t.scalars {
                    d = d.scalar(s.bytes());
                }
                d
            },
            false,
        )?;
    }
    let single = launch.is_single();
    let (op_id, shared) = begin(t, std::mem::take(&mut launch.colors));
    if everywhere {
        crate::distribute::prepare(inner, op_id, &everywhere_touches(&t.args, &pieces, inner.world.size()));
        // Its inputs may already be here (then nothing waits): run it now, as on one rank.
        if inline && runs_inline(&t.args, &shapes, &pieces) {
            let row: Vec<Piece> = pieces.into_iter().next().expect("one point").into_iter().map(|(p, _)| p).collect();
            run_inline(&shared.view(), &row, kind);
            inner.executor.count_inline();
            return Ok((op_id, Vec::new()));
        }
    } else if replicated {
        let touches = replicated_touches(&t.args, &shapes, &pieces, &owners, inner.world.size());
        crate::distribute::prepare(inner, op_id, &touches);
    }
    // From here on, "replicated" means points sharded over ranks.
    let replicated = replicated && !everywhere;
    let mut log = inner.log.lock().unwrap_or_else(|e| e.into_inner());

    // Dependences on earlier operations.
    let local: Vec<usize> = (0..pieces.len()).filter(|&i| owners[i] == me).collect();
    let mut nodes = Vec::with_capacity(local.len());
    for &i in &local {
        let row = &pieces[i];
        let color = Point::delinearize(i as u64, &shared.launch_shape);
        let node = TaskNode::new(op_id, color, entry.name.clone(), kind);
        inner.executor.admit();
        if t.communicator {
            // Points with communicators wait for each other across ranks: run them in
            // the same order everywhere, so no rank's processor waits in one exchange
            // while the peer it waits for is stuck in another.
            let mut last = inner.last_communicator.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(prev) = last.replace(node.clone()) {
                node.depend_on(&prev);
            }
        }
        let mut wire = |storage: &crate::storage::Storage, fp: &Footprint, p: Privilege| {
            let list = storage.accesses.lock().unwrap_or_else(|e| e.into_inner());
            for e in list.conflicts(fp, p) {
                node.depend_on(&e.node);
                log.edge(DependenceEdge {
                    from: PointId { op_id: e.node.op_id, color: e.node.color.clone() },
                    to: PointId { op_id, color: node.color.clone() },
                    storage: storage.id(),
                    from_privilege: e.privilege,
                    to_privilege: p,
                });
            }
        };
        for (arg, (piece, fp)) in t.args.iter().zip(row) {
            wire(arg.store.storage(), fp, privilege(arg.role));
            if let Piece::Image(p) = piece {
                for (source, sfp) in p.source_reads() {
                    wire(source.storage(), &sfp, Privilege::Read);
                }
            }
        }
        nodes.push(node);
    }
    drop(log);
    // With several points, reductions are folded and unbound outputs bound by a node
    // after the last point; later tasks touching those stores wait for it (waiting for
    // the points alone would let them see a half-folded tile).
    let finish = if replicated && shared.needs_finish() {
        Some(replicated_finish(inner, &shared, &nodes, kind))
    } else {
        (nodes.len() > 1 && shared.needs_finish()).then(|| {
            // Named apart from the points (profiles show it as its own box).
            let finish = TaskNode::new(op_id, Point::empty(), format!("{} (finish)", entry.name).into(), kind);
            inner.executor.admit();
            for node in &nodes {
                finish.depend_on(node);
            }
            let shared = shared.clone();
            finish.set_work(move |_| finish_operation(&shared.view()));
            finish
        })
    };
    // Record this operation's accesses (after all its points were wired, so points of
    // one operation never wait for each other).
    for (node, &i) in nodes.iter().zip(&local) {
        let row = &pieces[i];
        for (a, (arg, (piece, fp))) in t.args.iter().zip(row).enumerate() {
            let finished_later = matches!(arg.role, Role::Reduction(_)) || shapes[a].is_none();
            if finished_later && replicated {
                continue; // recorded for the finish node below, whatever points are local
            }
            let node = match &finish {
                Some(f) if finished_later => f,
                _ => node,
            };
            let mut list = arg.store.storage().accesses.lock().unwrap_or_else(|e| e.into_inner());
            list.record(Access { node: node.clone(), footprint: fp.clone(), privilege: privilege(arg.role) });
            drop(list);
            if let Piece::Image(p) = piece {
                for (source, fp) in p.source_reads() {
                    source.storage().accesses.lock().unwrap_or_else(|e| e.into_inner()).record(Access {
                        node: node.clone(),
                        footprint: fp,
                        privilege: Privilege::Read,
                    });
                }
            }
        }
    }
    // Replicated runs: the finish node folds or binds on this rank even when none of
    // the points is local: it is ordered after, and recorded as, every access of the
    // operation to what it finishes.
    if let (true, Some(finish)) = (replicated, &finish) {
        for (a, arg) in t.args.iter().enumerate() {
            if !(matches!(arg.role, Role::Reduction(_)) || shapes[a].is_none()) {
                continue;
            }
            let fp = pieces.iter().fold(Footprint::empty(arg.store.storage().ndim()), |u, row| u.union(&row[a].1));
            let mut list = arg.store.storage().accesses.lock().unwrap_or_else(|e| e.into_inner());
            for e in list.conflicts(&fp, privilege(arg.role)) {
                finish.depend_on(&e.node);
            }
            list.record(Access { node: finish.clone(), footprint: fp, privilege: privilege(arg.role) });
        }
    }
    // Remember how written stores were partitioned, so the next launch reuses it.
    if !single {
        for (arg, part) in t.args.iter().zip(&launch.partitions) {
            if let (Role::Output, Partition::Tiling(tiling)) = (arg.role, part) {
                if arg.store.is_whole_storage() && !tiling.is_bloated() && tiling.tile.as_slice().iter().all(|&x| x > 0) {
                    arg.store.storage().data().key_partition = Some(Box::new(tiling.clone()));
                }
            }
        }
    }
    // The caller waits for tasks that throw, and for tasks touching a storage the host
    // holds a view of (see `TaskLaunch::execute`).
    let wait = t.throws || t.args.iter().any(|a| a.store.storage().host_viewed());
    let mut waited = if wait { nodes.clone() } else { Vec::new() };
    let finish_in_point = finish.is_none() && shared.needs_finish();
    let mut rows: Vec<Option<Vec<(Piece, Footprint)>>> = pieces.into_iter().map(Some).collect();
    for (node, i) in nodes.into_iter().zip(local) {
        let shared = shared.clone();
        let color = node.color.clone();
        let row: Vec<Piece> = rows[i].take().expect("each point once").into_iter().map(|(p, _)| p).collect();
        node.set_work(move |w| {
            run_point(&shared.view(), &color, i as u64, &row, w);
            if finish_in_point {
                finish_operation(&shared.view());
            }
        });
        inner.executor.submit(node);
    }
    if let Some(finish) = finish {
        if wait {
            waited.push(finish.clone());
        }
        inner.executor.submit(finish);
    }
    Ok((op_id, waited))
}

/// Replicated runs: whether a launch is one small point (at most [`INLINE_MAX_BYTES`],
/// bound arguments, no images), which every rank then runs itself.
fn runs_everywhere(args: &[LaunchArg], shapes: &[Option<Point>], pieces: &Pieces) -> bool {
    if pieces.len() != 1 || shapes.iter().any(|s| s.is_none()) {
        return false;
    }
    let mut bytes = 0u64;
    for (a, (p, _)) in args.iter().zip(&pieces[0]) {
        let Piece::Rect(r) = p else { return false };
        bytes += r.volume() * a.store.ty().size().unwrap_or(0) as u64;
    }
    bytes <= INLINE_MAX_BYTES
}

/// A launch every rank runs (see [`runs_everywhere`]): each rank needs the latest
/// version of what the point reads, and afterwards every rank holds what it wrote
/// (each computed the same values). No data moves for its outputs and there is no
/// finishing exchange for its reductions, which keeps the small scalar work of solver
/// loops free of messages. (What it raises still surfaces at the next blocking wait,
/// where ranks agree: whether it has run by then depends on timing.)
fn everywhere_touches(args: &[LaunchArg], pieces: &Pieces, ranks: usize) -> Vec<crate::distribute::Touch> {
    use crate::coherence::validity::all;
    use crate::distribute::Touch;
    let mut touches = Vec::new();
    for rank in 0..ranks {
        for (arg, (_, fp)) in args.iter().zip(&pieces[0]) {
            let store = arg.store.clone();
            let (read, write) = match arg.role {
                Role::Input => (true, None),
                Role::Output => (arg.partial, Some(all(ranks))),
                Role::Reduction(_) => (true, Some(all(ranks))),
            };
            touches.push(Touch { store, rank, footprint: fp.clone(), read, write });
        }
    }
    touches
}

/// Replicated runs: what each point's rank touches, as coherence sees it. Inputs
/// need the latest version on the point's rank; outputs leave it there alone (partial
/// outputs need it first); a future reduction is folded on every rank (which all
/// need its value, and all hold the result); a region reduction on rank 0.
fn replicated_touches(args: &[LaunchArg], shapes: &[Option<Point>], pieces: &Pieces, owners: &[usize], ranks: usize) -> Vec<crate::distribute::Touch> {
    use crate::coherence::validity::{all, only};
    use crate::distribute::Touch;
    let mut touches = Vec::new();
    for (i, row) in pieces.iter().enumerate() {
        let owner = owners[i];
        for (a, (arg, (piece, fp))) in args.iter().zip(row).enumerate() {
            if shapes[a].is_none() {
                continue; // unbound output: bound by the finishing exchange
            }
            if let Piece::Image(p) = piece {
                for (source, sfp) in p.source_reads() {
                    touches.push(Touch { store: source, rank: owner, footprint: sfp, read: true, write: None });
                }
            }
            let store = arg.store.clone();
            match arg.role {
                Role::Input => touches.push(Touch { store, rank: owner, footprint: fp.clone(), read: true, write: None }),
                Role::Output => touches.push(Touch { store, rank: owner, footprint: fp.clone(), read: arg.partial, write: Some(only(owner)) }),
                Role::Reduction(_) if arg.store.is_future() => {
                    if i == 0 {
                        for rank in 0..ranks {
                            touches.push(Touch { store: store.clone(), rank, footprint: fp.clone(), read: true, write: Some(all(ranks)) });
                        }
                    }
                }
                Role::Reduction(_) => touches.push(Touch { store, rank: 0, footprint: fp.clone(), read: true, write: Some(only(0)) }),
            }
        }
    }
    touches
}

/// Replicated runs: the nodes that finish an operation with reductions or unbound
/// outputs. A *contribute* node after this rank's points sends each other rank its
/// part; the *finish* node waits for it and for every other rank's part, then folds
/// and binds (`point::finish_replicated`). Returns the finish node (not submitted).
fn replicated_finish(inner: &crate::runtime::RuntimeInner, shared: &Arc<OpShared>, nodes: &[Arc<TaskNode>], kind: VariantKind) -> Arc<TaskNode> {
    let world = inner.world.clone();
    let op_id = shared.op_id;
    let contribute = TaskNode::new(op_id, Point::empty(), format!("{} (contribute)", shared.name).into(), kind);
    inner.executor.admit();
    for node in nodes {
        contribute.depend_on(node);
    }
    let finish = TaskNode::new(op_id, Point::empty(), format!("{} (finish)", shared.name).into(), kind);
    inner.executor.admit();
    finish.depend_on(&contribute);
    let tag = crate::distribute::finish_tag(op_id);
    let slots: Vec<_> = (0..world.size()).filter(|&r| r != world.rank()).map(|r| (r, world.expect(r, tag, &finish))).collect();
    {
        let (shared, world) = (shared.clone(), world.clone());
        contribute.set_work(move |_| crate::point::contribute(&shared, &world));
    }
    {
        let shared = shared.clone();
        finish.set_work(move |_| crate::point::finish_replicated(&shared, &world, slots));
    }
    inner.executor.submit(contribute);
    finish
}

use std::sync::atomic::Ordering;
