//! Running one point task: turning its pieces of the stores into a
//! [`RawTaskContext`], calling the variant, passing failures on to what it writes, and
//! finishing the operation after its last point (folding reductions, binding unbound
//! outputs).

use crate::control::{FaultAction, RunControl};
use crate::error::LegateError;
use crate::footprint::Footprint;
use crate::executor::WorkerContext;
use crate::memory::{Buffer, Memory};
use crate::image::ImagePiece;
use crate::reduction;
use crate::scalar::Scalar;
use crate::shape::{Point, Rect, LEGATE_MAX_DIM};
use crate::storage::{dense_strides, Layout};
use crate::store::LogicalStore;
use legate_abi::raw::{inline_coords, DimSpill, RawScalar, RawStore, RawTaskContext, TaskFn, INLINE_DIM, STORE_FUTURE, STORE_UNBOUND};
use crate::replicate::World;
use legate_abi::{PhysicalStore, ReductionOp, ABI_VERSION};
use std::ffi::c_void;
use smallvec::SmallVec;
use std::sync::{Arc, Mutex};

type Stores = SmallVec<[RawStore; 4]>;

/// How a task uses an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Input,
    Output,
    Reduction(ReductionOp),
}

pub(crate) struct ArgInfo {
    pub store: LogicalStore,
    pub role: Role,
    /// An output whose storage is unbound at launch: each point binds a piece.
    pub unbound: bool,
    /// An output the task may leave partly unwritten (see `TaskLaunch::add_partial_output`).
    pub partial: bool,
}

/// What running a point needs of an argument: the general path's [`ArgInfo`], or a
/// borrowed `(store, role)` of a single inline point (see `operation::launch_inline`).
pub(crate) trait OpArg {
    fn store(&self) -> &LogicalStore;
    fn role(&self) -> Role;
    fn unbound(&self) -> bool {
        false
    }
    fn partial(&self) -> bool {
        false
    }
}

impl OpArg for ArgInfo {
    fn store(&self) -> &LogicalStore {
        &self.store
    }
    fn role(&self) -> Role {
        self.role
    }
    fn unbound(&self) -> bool {
        self.unbound
    }
    fn partial(&self) -> bool {
        self.partial
    }
}

impl OpArg for (&LogicalStore, Role) {
    fn store(&self) -> &LogicalStore {
        self.0
    }
    fn role(&self) -> Role {
        self.1
    }
}

/// A point's piece of one argument.
#[derive(Clone, Debug)]
pub(crate) enum Piece {
    Rect(Rect),
    /// Named by the contents of another store's piece (see [`crate::image`]).
    Image(Box<ImagePiece>),
}

impl Piece {
    /// The rectangle, if known without reading any store.
    pub fn rect_now(&self) -> Option<&Rect> {
        match self {
            Piece::Rect(r) => Some(r),
            Piece::Image(p) => p.known.as_ref(),
        }
    }

    /// The rectangle, reading image sources if need be (when the point runs).
    pub fn resolve(&self) -> Result<Rect, String> {
        match self {
            Piece::Rect(r) => Ok(r.clone()),
            Piece::Image(p) => p.resolve(),
        }
    }
}

/// What all points of one operation share.
pub(crate) struct OpShared {
    pub op_id: u64,
    pub name: Arc<str>,
    pub task_id: u32,
    pub task_fn: TaskFn,
    pub scalars: Vec<Scalar>,
    pub launch_shape: Point,
    pub args: Vec<ArgInfo>,
    pub sysmem: Arc<Memory>,
    pub control: Arc<RunControl>,
    /// The launcher waits for the operation and raises its error itself (see
    /// `TaskLaunch::throws_exception`): outputs stay as the task left them, as NumPy
    /// leaves its output when a ufunc raises, instead of being poisoned.
    pub throws: bool,
    /// Launches with a communicator: the rank of each point (one point per rank).
    pub(crate) comm: Option<Arc<CommInfo>>,
    /// (argument, color index, tile, buffer): private reduction buffers deposited by points.
    pub(crate) reductions: Mutex<Vec<(usize, u64, Rect, Buffer)>>,
    /// (argument, color index, extents, buffer): pieces bound by points for unbound outputs.
    pub(crate) pieces: Mutex<Vec<(usize, u64, Point, Buffer)>>,
}

/// What running a point and finishing its operation read of the operation, borrowed:
/// from an [`OpShared`] ([`OpShared::view`]), or from a single inline point's caller,
/// which then builds no shared record (see `operation::launch_inline`).
pub(crate) struct OpRef<'a, A> {
    pub op_id: u64,
    pub name: &'a str,
    pub task_id: u32,
    pub task_fn: TaskFn,
    pub scalars: &'a [Scalar],
    pub launch_shape: &'a Point,
    pub args: &'a [A],
    pub sysmem: &'a Arc<Memory>,
    pub control: &'a RunControl,
    pub throws: bool,
    pub comm: Option<&'a CommInfo>,
    pub reductions: &'a Mutex<Vec<(usize, u64, Rect, Buffer)>>,
    pub pieces: &'a Mutex<Vec<(usize, u64, Point, Buffer)>>,
}

/// Why a point did not produce its outputs.
pub(crate) enum Failure {
    /// Its own error (the task's, a resolution or allocation error, an injected fault).
    Own(String),
    /// An input it reads was spoiled by the failure of operation `.0`.
    Inherited(u64, LegateError),
    /// The program was interrupted before the point started.
    Cancelled,
}

impl OpShared {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        op_id: u64,
        name: Arc<str>,
        task_id: u32,
        task_fn: TaskFn,
        scalars: Vec<Scalar>,
        launch_shape: Point,
        args: Vec<ArgInfo>,
        sysmem: Arc<Memory>,
        control: Arc<RunControl>,
        throws: bool,
    ) -> OpShared {
        OpShared {
            op_id,
            name,
            task_id,
            task_fn,
            scalars,
            launch_shape,
            args,
            sysmem,
            control,
            throws,
            comm: None,
            reductions: Mutex::new(Vec::new()),
            pieces: Mutex::new(Vec::new()),
        }
    }

    /// Whether the operation has work after its last point (a finishing step).
    pub fn needs_finish(&self) -> bool {
        self.view().needs_finish()
    }

    pub fn view(&self) -> OpRef<'_, ArgInfo> {
        OpRef {
            op_id: self.op_id,
            name: &self.name,
            task_id: self.task_id,
            task_fn: self.task_fn,
            scalars: &self.scalars,
            launch_shape: &self.launch_shape,
            args: &self.args,
            sysmem: &self.sysmem,
            control: &self.control,
            throws: self.throws,
            comm: self.comm.as_deref(),
            reductions: &self.reductions,
            pieces: &self.pieces,
        }
    }

    /// A failure after the last point (finishing the operation): spoils all it writes.
    pub(crate) fn fail_whole(&self, message: String) {
        self.view().fail_whole(message)
    }
}

impl<A: OpArg> OpRef<'_, A> {
    /// Whether the operation has work after its last point (a finishing step).
    pub fn needs_finish(&self) -> bool {
        self.args.iter().any(|a| a.unbound() || matches!(a.role(), Role::Reduction(_)))
    }

    /// Poisons what a failed point should have written, so every reader of those
    /// elements gets the error (and readers of other elements do not). Failures of
    /// its own are also recorded as unreported until something raises them. An
    /// operation whose launcher raises its errors (`throws`) poisons nothing: the
    /// failure, whatever its cause, goes to the launcher, and the outputs stay as the
    /// task left them (NumPy leaves its output so when a ufunc raises).
    fn spoil(&self, color: &Point, rects: &[&Rect], failure: Failure) {
        let (op_id, err) = match failure {
            Failure::Own(message) => {
                let err = LegateError::TaskFailed { task: self.name.to_string(), point: format!("{color}"), message };
                tracing::warn!(op_id = self.op_id, error = %err, "task failed");
                if !self.throws {
                    self.control.record_failure(self.op_id, err.clone());
                }
                (self.op_id, err)
            }
            Failure::Inherited(op_id, err) => (op_id, err),
            Failure::Cancelled => (self.op_id, LegateError::Cancelled(self.name.to_string())),
        };
        if self.throws {
            self.control.record_failure(self.op_id, err);
            return;
        }
        for (arg, rect) in self.args.iter().zip(rects).filter(|(a, _)| a.role() != Role::Input) {
            let footprint = if arg.unbound() { Footprint::All } else { Footprint::of_rect(arg.store().map(), rect) };
            arg.store().storage().poison(op_id, footprint, err.clone());
        }
    }

    /// A failure after the last point (finishing the operation): spoils all it writes.
    pub(crate) fn fail_whole(&self, message: String) {
        let rects: Vec<Rect> =
            self.args.iter().map(|a| if a.unbound() { Rect::from_extents(&Point::empty()) } else { a.store().full_rect() }).collect();
        self.spoil(&Point::empty(), &rects.iter().collect::<Vec<_>>(), Failure::Own(message));
    }
}

/// The raw description of `rect` of `store`. The instance stays alive as long as the
/// store does: a bound storage never replaces its instance; `spill` keeps the
/// coordinates of stores of many dimensions (see [`RawStore`]).
pub(crate) fn raw_store(store: &LogicalStore, rect: &Rect, spill: &DimSpill) -> RawStore {
    let ty = store.ty();
    let mut raw = RawStore::new(std::ptr::null_mut(), ty.code() as u32, ty.size().unwrap_or(0) as u64);
    fill_raw_store(&mut raw, store, rect, spill);
    raw
}

/// Fills `raw` (made by `RawStore::new` for `store`'s type) in place: the launch path
/// builds one per argument, and this copies no coordinates through temporaries.
fn fill_raw_store(raw: &mut RawStore, store: &LogicalStore, rect: &Rect, spill: &DimSpill) {
    let (lo, hi) = (rect.lo.as_slice(), rect.hi.as_slice());
    let n = lo.len();
    let mut vstrides = [0i64; LEGATE_MAX_DIM];
    let (base, origin) = store.storage().instance_origin(store.map(), &mut vstrides[..n]);
    let offset = origin + vstrides.iter().zip(lo).map(|(s, l)| s * l).sum::<i64>();
    let empty = lo.iter().zip(hi).any(|(l, h)| h <= l);
    raw.data = if empty || base.is_null() { base } else { base.wrapping_offset(offset as isize) };
    raw.set_dims(lo, hi, &vstrides[..n], spill);
    raw.flags = if store.is_future() { STORE_FUTURE } else { 0 };
}

/// The communicator of a launch: which rank runs each point (at most one per rank).
pub(crate) struct CommInfo {
    pub world: Arc<World>,
    pub owners: Vec<usize>,
}

/// Message indices of communicator exchanges (transfers and finishing use others).
const COMM_MESSAGES: u64 = 1 << 19;

/// Per-point data behind the ABI callbacks.
struct PointData<'a, A> {
    op: &'a OpRef<'a, A>,
    /// This point's index (communicator rank), the exchanges made so far and the last
    /// one's received bytes (alive until the task returns).
    color_index: u64,
    exchanges: u64,
    received: Vec<u8>,
    /// Index into `op.args` of each output, in output order.
    output_args: SmallVec<[usize; 4]>,
    /// (argument, extents, buffer) of each output bound so far, by argument.
    bound: SmallVec<[(usize, Point, Buffer); 1]>,
    /// Coordinates of bound outputs of many dimensions.
    spill: DimSpill,
    error: Option<String>,
}

unsafe extern "C" fn bind_output_cb<A: OpArg>(data: *mut c_void, index: u32, extents: *const i64, ndim: u32, out: *mut RawStore) -> i32 {
    // SAFETY: `data` is the PointData of the running task (see `run_point`).
    let pd = unsafe { &mut *(data as *mut PointData<A>) };
    let Some(&arg) = pd.output_args.get(index as usize) else {
        pd.error = Some(format!("bind_output: no output {index}"));
        return 1;
    };
    let info = &pd.op.args[arg];
    let store = info.store();
    if !info.unbound() {
        pd.error = Some(format!("bind_output: output {index} is not an unbound store"));
        return 1;
    }
    let nd = ndim as usize;
    if nd != store.storage().ndim() || extents.is_null() && nd > 0 {
        pd.error = Some(format!("bind_output: output {index} is {}-d, got {nd} extents", store.storage().ndim()));
        return 1;
    }
    // SAFETY: the caller passes `ndim` extents.
    let ext = Point::new(unsafe { std::slice::from_raw_parts(extents, nd) });
    let elem = store.ty().size().unwrap_or(0);
    let Some(bytes) = ext.checked_volume().and_then(|v| v.checked_mul(elem as i64)) else {
        pd.error = Some(format!("bind_output: extents {ext} of output {index} are negative or too large"));
        return 1;
    };
    let buffer = match pd.op.sysmem.allocate(bytes as usize) {
        Ok(b) => b,
        Err(e) => {
            pd.error = Some(e.to_string());
            return 1;
        }
    };
    let strides = dense_strides(&ext, elem, Layout::C);
    // SAFETY: `out` is a valid RawStore the caller owns.
    let o = unsafe { &mut *out };
    o.data = buffer.as_ptr();
    o.set_dims(Point::splat(nd, 0).as_slice(), ext.as_slice(), strides.as_slice(), &pd.spill);
    o.flags &= !STORE_UNBOUND;
    // Binding an output again replaces the earlier binding.
    match pd.bound.binary_search_by_key(&arg, |b| b.0) {
        Ok(k) => pd.bound[k] = (arg, ext, buffer),
        Err(k) => pd.bound.insert(k, (arg, ext, buffer)),
    }
    0
}

unsafe extern "C" fn all_to_all_cb<A: OpArg>(data: *mut c_void, send: *const u8, send_counts: *const u64, recv: *mut *const u8, recv_counts: *mut u64) -> i32 {
    // SAFETY: `data` is the PointData of the running task (see `run_point`).
    let pd = unsafe { &mut *(data as *mut PointData<A>) };
    let Some(comm) = pd.op.comm else {
        pd.error = Some("all_to_all: the task was launched without a communicator".into());
        return 1;
    };
    let n = comm.owners.len();
    let me = pd.color_index as usize;
    // SAFETY: the caller passes one count per point and their total in `send`.
    let counts = unsafe { std::slice::from_raw_parts(send_counts, n) };
    let total: u64 = counts.iter().sum();
    let sent = if total == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(send, total as usize) } };
    let tag = crate::replicate::world::tag(pd.op.op_id, COMM_MESSAGES + pd.exchanges);
    pd.exchanges += 1;
    let mut at = 0usize;
    let mut own: &[u8] = &[];
    for (j, &c) in counts.iter().enumerate() {
        let part = &sent[at..at + c as usize];
        at += c as usize;
        if j == me {
            own = part;
        } else if let Err(e) = comm.world.send(comm.owners[j], tag, part) {
            pd.error = Some(format!("all_to_all: {e}"));
            return 1;
        }
    }
    let mut received = Vec::new();
    for j in 0..n {
        let part = if j == me {
            own.to_vec()
        } else {
            match comm.world.recv_blocking(comm.owners[j], tag) {
                Ok(p) => p,
                Err(e) => {
                    pd.error = Some(format!("all_to_all: {e}"));
                    return 1;
                }
            }
        };
        // SAFETY: `recv_counts` has one entry per point.
        unsafe { *recv_counts.add(j) = part.len() as u64 };
        received.extend_from_slice(&part);
    }
    pd.received = received;
    // SAFETY: `recv` is the caller's out-pointer; the bytes live in `pd` until the task returns.
    unsafe { *recv = pd.received.as_ptr() };
    0
}

unsafe extern "C" fn report_error_cb<A: OpArg>(data: *mut c_void, msg: *const u8, len: usize) {
    // SAFETY: `data` is the PointData of the running task; `msg` has `len` bytes.
    let pd = unsafe { &mut *(data as *mut PointData<A>) };
    let text = unsafe { std::slice::from_raw_parts(msg, len) };
    let text = String::from_utf8_lossy(text).into_owned();
    // Keep what the runtime already said (e.g. why bind_output failed) after the task's own message.
    pd.error = Some(match pd.error.take() { Some(prev) => format!("{text}: {prev}"), None => text });
}

/// Runs point `color` (the `color_index`-th in launch order) of `op`. A point whose
/// inputs are spoiled, or that was cancelled, does not run: it passes the failure on
/// to what it writes.
pub(crate) fn run_point<A: OpArg>(op: &OpRef<A>, color: &Point, color_index: u64, pieces: &[Piece], worker: &WorkerContext) {
    let mut failure: Option<Failure> = None;
    // Image pieces resolved now; the rectangles of the others are borrowed.
    let mut images: Vec<Rect> = Vec::new();
    for (i, (arg, piece)) in op.args.iter().zip(pieces).enumerate() {
        if let Piece::Image(p) = piece {
            images.push(p.resolve().unwrap_or_else(|e| {
                failure = Some(Failure::Own(format!("image partition of argument {i}: {e}")));
                Rect::new(Point::splat(arg.store().ndim(), 0), Point::splat(arg.store().ndim(), 0))
            }));
        }
    }
    let mut resolved = images.iter();
    let rects: SmallVec<[&Rect; 4]> =
        pieces.iter().map(|piece| if let Piece::Rect(r) = piece { r } else { resolved.next().expect("resolved above") }).collect();
    run_rects(op, color, color_index, &rects, failure, || spoiled_source(pieces), worker);
}

/// Runs a point whose pieces are the rectangles `rects` (see [`run_point`]; `failure`
/// is one found resolving its pieces, `sources` finds one of their image sources).
pub(crate) fn run_rects<A: OpArg>(
    op: &OpRef<A>,
    color: &Point,
    color_index: u64,
    rects: &[&Rect],
    mut failure: Option<Failure>,
    sources: impl FnOnce() -> Option<Failure>,
    worker: &WorkerContext,
) {
    if failure.is_none() && op.control.is_cancelled(op.op_id) {
        failure = Some(Failure::Cancelled);
    }
    if failure.is_none() {
        failure = spoiled_input(op, rects).or_else(sources);
    }
    for fault in op.control.faults_for(op.name, op.op_id, color_index) {
        match fault {
            FaultAction::Fail => failure = failure.or(Some(Failure::Own(format!("injected fault in point {color_index}")))),
            FaultAction::Slow(d) => std::thread::sleep(d),
        }
    }
    let mut private: SmallVec<[(usize, Rect, Buffer); 2]> = SmallVec::new();
    let mut bound: SmallVec<[(usize, Point, Buffer); 1]> = SmallVec::new();
    if failure.is_none() {
        if let Err(message) = call_task(op, color, color_index, rects, worker, &mut private, &mut bound) {
            failure = Some(Failure::Own(message));
        }
    }
    match failure {
        Some(f) => op.spoil(color, rects, f),
        None => {
            // What this point wrote is good again, whatever failed before.
            for (arg, rect) in op.args.iter().zip(rects).filter(|(a, _)| a.role() == Role::Output && !a.unbound() && !a.partial()) {
                let storage = arg.store().storage();
                if storage.is_poisoned() {
                    storage.cure(&Footprint::of_rect(arg.store().map(), rect));
                }
            }
            if !private.is_empty() {
                let mut deposits = op.reductions.lock().unwrap_or_else(|e| e.into_inner());
                deposits.extend(private.into_iter().map(|(i, rect, buf)| (i, color_index, rect, buf)));
            }
            if !bound.is_empty() {
                let mut pieces = op.pieces.lock().unwrap_or_else(|e| e.into_inner());
                pieces.extend(bound.into_iter().map(|(i, ext, buf)| (i, color_index, ext, buf)));
            }
        }
    }
}

/// The failure that spoiled an element this point reads, if any.
fn spoiled_input<A: OpArg>(op: &OpRef<A>, rects: &[&Rect]) -> Option<Failure> {
    op.args.iter().zip(rects).filter(|(a, _)| a.role() != Role::Output).find_map(|(arg, rect)| {
        let storage = arg.store().storage();
        if !storage.is_poisoned() {
            return None;
        }
        let (op_id, err) = storage.poison_of(&Footprint::of_rect(arg.store().map(), rect))?;
        Some(Failure::Inherited(op_id, err))
    })
}

/// The failure that spoiled an image source this point's pieces were named by.
fn spoiled_source(pieces: &[Piece]) -> Option<Failure> {
    pieces.iter().find_map(|piece| {
        let mut level = piece;
        while let Piece::Image(p) = level {
            let storage = p.source.storage();
            // Resolving a source piece may read it again: only when there is poison.
            if storage.is_poisoned() {
                if let Ok(r) = p.source_piece.resolve() {
                    if let Some((op_id, err)) = storage.poison_of(&Footprint::of_rect(p.source.map(), &r)) {
                        return Some(Failure::Inherited(op_id, err));
                    }
                }
            }
            level = &p.source_piece;
        }
        None
    })
}

/// Hands the point's pieces to the task variant. Reduction arguments get private
/// buffers (returned in `private`), unbound outputs the pieces the task binds (in
/// `bound`).
#[allow(clippy::too_many_arguments)]
fn call_task<A: OpArg>(
    op: &OpRef<A>,
    color: &Point,
    point_index: u64,
    rects: &[&Rect],
    worker: &WorkerContext,
    private: &mut SmallVec<[(usize, Rect, Buffer); 2]>,
    bound: &mut SmallVec<[(usize, Point, Buffer); 1]>,
) -> Result<(), String> {
    let (mut inputs, mut outputs, mut reductions): (Stores, Stores, Stores) = Default::default();
    let spill = DimSpill::default();
    let mut output_args: SmallVec<[usize; 4]> = SmallVec::new();
    for (i, (arg, rect)) in op.args.iter().zip(rects).enumerate() {
        let store = arg.store();
        let ty = store.ty();
        let elem = ty.size().unwrap_or(0);
        let fresh = |data| RawStore::new(data, ty.code() as u32, elem as u64);
        match arg.role() {
            Role::Input => {
                inputs.push(fresh(std::ptr::null_mut()));
                fill_raw_store(inputs.last_mut().expect("pushed"), store, rect, &spill);
            }
            Role::Output if arg.unbound() => {
                output_args.push(i);
                // Only `ndim` until bound: no coordinates, whatever the dimensions.
                let mut raw = fresh(std::ptr::null_mut());
                raw.ndim = store.storage().ndim() as u32;
                raw.flags = STORE_UNBOUND;
                outputs.push(raw);
            }
            Role::Output => {
                output_args.push(i);
                outputs.push(fresh(std::ptr::null_mut()));
                fill_raw_store(outputs.last_mut().expect("pushed"), store, rect, &spill);
            }
            Role::Reduction(rop) => {
                let buffer = op.sysmem.allocate(rect.volume() as usize * elem).map_err(|e| e.to_string())?;
                let id = reduction::identity(rop, ty);
                // SAFETY: a fresh private buffer of volume * elem bytes.
                let bytes = unsafe { buffer.as_mut_slice() };
                crate::builtin::fill_bytes(bytes, &id);
                let strides = dense_strides(&rect.extents(), elem, Layout::C);
                let mut raw = fresh(buffer.as_ptr());
                raw.set_dims(rect.lo.as_slice(), rect.hi.as_slice(), strides.as_slice(), &spill);
                raw.redop = rop as u32;
                raw.flags = if store.is_future() { STORE_FUTURE } else { 0 };
                reductions.push(raw);
                private.push((i, Rect::clone(rect), buffer));
            }
        }
    }
    let scalars: SmallVec<[RawScalar; 4]> = op
        .scalars
        .iter()
        .map(|s| RawScalar { type_code: s.ty().code() as u32, size: s.bytes().len() as u64, data: s.bytes().as_ptr() })
        .collect();
    let mut pd = PointData {
        op,
        color_index: point_index,
        exchanges: 0,
        received: Vec::new(),
        bound: SmallVec::new(),
        output_args,
        spill: DimSpill::default(),
        error: None,
    };
    let mut ctx = RawTaskContext {
        abi_version: ABI_VERSION,
        task_id: op.task_id,
        variant: worker.kind as u32,
        num_threads: worker.num_threads as u32,
        inputs: inputs.as_ptr(),
        num_inputs: inputs.len() as u32,
        outputs: outputs.as_mut_ptr(),
        num_outputs: outputs.len() as u32,
        reductions: reductions.as_ptr(),
        num_reductions: reductions.len() as u32,
        scalars: scalars.as_ptr(),
        num_scalars: scalars.len() as u32,
        point: inline_coords(color.as_slice()),
        launch_shape: inline_coords(op.launch_shape.as_slice()),
        launch_ndim: op.launch_shape.ndim() as u32,
        launch_dims: if op.launch_shape.ndim() <= INLINE_DIM {
            std::ptr::null()
        } else {
            spill.keep([color.as_slice(), op.launch_shape.as_slice()].concat())
        },
        runtime_data: &mut pd as *mut PointData<A> as *mut c_void,
        bind_output: bind_output_cb::<A>,
        report_error: report_error_cb::<A>,
        comm_size: op.comm.map_or(0, |c| c.owners.len() as u32),
        comm_rank: op.comm.map_or(0, |_| point_index as u32),
        all_to_all: all_to_all_cb::<A>,
    };
    // SAFETY: the context and everything it points to live until the call returns;
    // the scheduler guarantees the tiles are not accessed in conflicting ways.
    let rc = unsafe { (op.task_fn)(&mut ctx) };
    if rc != 0 && pd.error.is_none() {
        pd.error = Some(format!("task returned error code {rc}"));
    }
    if let Some(message) = pd.error.take() {
        return Err(message);
    }
    *bound = pd.bound;
    Ok(())
}

/// After the last point (and before anything that reads what the operation reduced
/// or bound; see [`OpShared::needs_finish`]): fold reductions in launch order and bind
/// unbound outputs.
pub(crate) fn finish_operation<A: OpArg>(op: &OpRef<A>) {
    for (i, arg) in op.args.iter().enumerate() {
        let store = arg.store();
        if let Role::Reduction(rop) = arg.role() {
            let mut parts: Vec<(u64, Rect, Buffer)> = {
                let mut all = op.reductions.lock().unwrap_or_else(|e| e.into_inner());
                let (mine, rest) = std::mem::take(&mut *all).into_iter().partition(|p| p.0 == i);
                *all = rest;
                mine.into_iter().map(|(_, c, r, b)| (c, r, b)).collect()
            };
            parts.sort_by_key(|p| p.0);
            let storage = store.storage();
            let _fold = storage.fold_lock.lock().unwrap_or_else(|e| e.into_inner());
            for (_, rect, buf) in parts {
                let spill = DimSpill::default();
                let raw = raw_store(store, &rect, &spill);
                // SAFETY: the reduction's tile is reserved for this operation by the
                // scheduler, and the fold lock excludes concurrent same-op folds.
                let target = unsafe { PhysicalStore::from_raw(raw) };
                reduction::fold(rop, store.ty().code(), &target, buf.as_ptr());
            }
        }
        if arg.unbound() {
            let mut parts: Vec<(u64, Point, Buffer)> = {
                let mut all = op.pieces.lock().unwrap_or_else(|e| e.into_inner());
                let (mine, rest) = std::mem::take(&mut *all).into_iter().partition(|p| p.0 == i);
                *all = rest;
                mine.into_iter().map(|(_, c, e, b)| (c, e, b)).collect()
            };
            parts.sort_by_key(|p| p.0);
            bind_pieces(op, store, parts);
        }
    }
}

/// Concatenates the pieces of an unbound output along dimension 0 and binds the storage.
fn bind_pieces<A: OpArg>(op: &OpRef<A>, store: &LogicalStore, mut parts: Vec<(u64, Point, Buffer)>) {
    let storage = store.storage();
    let elem = store.ty().size().unwrap_or(0);
    let nd = storage.ndim();
    let empty = || (Point::splat(nd, 0), op.sysmem.empty_buffer());
    let (shape, buffer) = if parts.len() == 1 {
        let (_, ext, buf) = parts.pop().expect("one piece");
        (ext, buf)
    } else if parts.is_empty() {
        empty()
    } else {
        let trailing_ok = parts.windows(2).all(|w| (1..nd).all(|d| w[0].1[d] == w[1].1[d]));
        if nd == 0 || !trailing_ok {
            op.fail_whole("unbound output pieces differ in their trailing extents".into());
            empty()
        } else {
            let mut shape = parts[0].1.clone();
            shape[0] = parts.iter().map(|p| p.1[0]).sum();
            let total: usize = parts.iter().map(|p| p.2.len()).sum();
            match op.sysmem.allocate(total) {
                Ok(out) => {
                    join_pieces(&out, parts.iter().map(|p| &p.2));
                    (shape, out)
                }
                Err(e) => {
                    op.fail_whole(e.to_string());
                    empty()
                }
            }
        }
    };
    let strides = dense_strides(&shape, elem, Layout::C);
    storage.bind(shape, Arc::new(buffer), strides, 0, Vec::new());
}

/// Copies `pieces` one after another into `out`. A large join (SpGEMM's output, say) is
/// one more pass over the result, so it runs in chunks on the rayon pool: the copy and
/// the first touch of the fresh buffer's pages then use every core.
fn join_pieces<'a>(out: &Buffer, pieces: impl Iterator<Item = &'a Buffer>) {
    const CHUNK: usize = 1 << 20;
    let mut chunks = Vec::new(); // (source address, destination offset, length)
    let mut at = 0;
    for buf in pieces {
        let mut done = 0;
        while done < buf.len() {
            let n = CHUNK.min(buf.len() - done);
            chunks.push((buf.as_ptr() as usize + done, at + done, n));
            done += n;
        }
        at += buf.len();
    }
    let dst = out.as_ptr() as usize;
    // SAFETY: the chunks are disjoint ranges of the fresh destination, read from finished,
    // private pieces that outlive the copy.
    let copy = |&(src, off, n): &(usize, usize, usize)| unsafe {
        std::ptr::copy_nonoverlapping(src as *const u8, (dst + off) as *mut u8, n)
    };
    if chunks.len() > 1 {
        use rayon::prelude::*;
        chunks.par_iter().for_each(copy);
    } else {
        chunks.iter().for_each(copy);
    }
}

// ---- replicated runs: finishing an operation across ranks ----

/// What a rank sends each other rank after its points (see `crate::distribute`).
enum Remote {
    /// A reduction contribution: argument, color index, rectangle, bytes.
    Deposit(usize, u64, Rect, Vec<u8>),
    /// The extents of a piece a point bound for an unbound output, and its rank.
    Piece(usize, u64, Point, usize),
}

fn put(msg: &mut Vec<u8>, v: u64) {
    msg.extend_from_slice(&v.to_le_bytes());
}

fn put_point(msg: &mut Vec<u8>, p: &Point) {
    put(msg, p.ndim() as u64);
    for &x in p.as_slice() {
        put(msg, x as u64);
    }
}

struct Reader<'a>(&'a [u8], usize);

impl Reader<'_> {
    fn u64(&mut self) -> Result<u64, String> {
        let b = self.0.get(self.1..self.1 + 8).ok_or("a truncated message")?;
        self.1 += 8;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    fn point(&mut self) -> Result<Point, String> {
        let n = self.u64()? as usize;
        if n > LEGATE_MAX_DIM {
            return Err("a malformed message".into());
        }
        let v: Vec<i64> = (0..n).map(|_| self.u64().map(|x| x as i64)).collect::<Result<_, _>>()?;
        Ok(Point::new(&v))
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, String> {
        let b = self.0.get(self.1..self.1 + n).ok_or("a truncated message")?;
        self.1 += n;
        Ok(b.to_vec())
    }
}

/// A rank's finishing message to `peer`: its contributions to reductions that `peer`
/// folds (futures: every rank; regions: rank 0) and the extents of its bound pieces.
fn finishing_message(op: &OpShared, peer: usize) -> Vec<u8> {
    let mut msg = Vec::new();
    let deposits = op.reductions.lock().unwrap_or_else(|e| e.into_inner());
    for (arg, color, rect, buf) in deposits.iter() {
        if op.args[*arg].store.is_future() || peer == 0 {
            msg.push(0);
            put(&mut msg, *arg as u64);
            put(&mut msg, *color);
            put_point(&mut msg, &rect.lo);
            put_point(&mut msg, &rect.hi);
            put(&mut msg, buf.len() as u64);
            // SAFETY: the points that wrote the deposit have finished.
            msg.extend_from_slice(unsafe { buf.as_slice() });
        }
    }
    drop(deposits);
    for (arg, color, ext, _) in op.pieces.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        msg.push(1);
        put(&mut msg, *arg as u64);
        put(&mut msg, *color);
        put_point(&mut msg, ext);
    }
    msg
}

fn parse_finishing(msg: &[u8], from: usize) -> Result<Vec<Remote>, String> {
    let mut r = Reader(msg, 0);
    let mut out = Vec::new();
    while r.1 < msg.len() {
        let kind = msg[r.1];
        r.1 += 1;
        let arg = r.u64()? as usize;
        let color = r.u64()?;
        match kind {
            0 => {
                let (lo, hi) = (r.point()?, r.point()?);
                let n = r.u64()? as usize;
                out.push(Remote::Deposit(arg, color, Rect::new(lo, hi), r.bytes(n)?));
            }
            1 => out.push(Remote::Piece(arg, color, r.point()?, from)),
            _ => return Err("a malformed message".into()),
        }
    }
    Ok(out)
}

/// Replicated runs, after this rank's points: sends every other rank its finishing
/// message (one each, possibly empty, so every rank knows how many to wait for).
pub(crate) fn contribute(op: &OpShared, world: &crate::replicate::World) {
    for peer in (0..world.size()).filter(|&p| p != world.rank()) {
        let msg = finishing_message(op, peer);
        if let Err(message) = world.send(peer, crate::distribute::finish_tag(op.op_id), &msg) {
            op.fail_whole(message);
        }
    }
}

/// Replicated runs, once every other rank's finishing message is here: folds each
/// reduction this rank is home to (every point's contribution, in launch order, as on
/// one rank) and binds unbound outputs (this rank keeps the pieces its points bound).
pub(crate) fn finish_replicated(op: &OpShared, world: &crate::replicate::World, slots: Vec<(usize, Arc<crate::replicate::world::Slot>)>) {
    let me = world.rank();
    let mut remote = Vec::new();
    for (from, slot) in slots {
        let got = slot.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_else(|| Err("the message was lost".into()));
        match got.and_then(|m| parse_finishing(&m, from)) {
            Ok(mut r) => remote.append(&mut r),
            Err(message) => return op.fail_whole(format!("rank {from}: {message}")),
        }
    }
    for (i, arg) in op.args.iter().enumerate() {
        if let Role::Reduction(rop) = arg.role {
            if !arg.store.is_future() && me != 0 {
                continue;
            }
            let local = op.reductions.lock().unwrap_or_else(|e| e.into_inner());
            let mut parts: Vec<(u64, Rect, *const u8)> =
                local.iter().filter(|p| p.0 == i).map(|(_, c, r, b)| (*c, r.clone(), b.as_ptr() as *const u8)).collect();
            for r in &remote {
                if let Remote::Deposit(a, c, rect, bytes) = r {
                    if *a == i {
                        parts.push((*c, rect.clone(), bytes.as_ptr()));
                    }
                }
            }
            parts.sort_by_key(|p| p.0);
            let storage = arg.store.storage();
            // Reductions with the same operator do not order each other: folds do.
            let _fold = storage.fold_lock.lock().unwrap_or_else(|e| e.into_inner());
            for (_, rect, ptr) in parts {
                let spill = DimSpill::default();
                let raw = raw_store(&arg.store, &rect, &spill);
                // SAFETY: this rank's window covers the reduced pieces (planned), and
                // the finish node is the only task touching them now.
                let target = unsafe { PhysicalStore::from_raw(raw) };
                reduction::fold(rop, arg.store.ty().code(), &target, ptr);
            }
        }
        if arg.unbound {
            bind_replicated(op, arg, i, me, &remote);
        }
    }
}

/// Binds an unbound output on a replicated run: the shape from every rank's pieces
/// (concatenated in launch order), this rank's window from its own.
fn bind_replicated(op: &OpShared, arg: &ArgInfo, i: usize, me: usize, remote: &[Remote]) {
    let storage = arg.store.storage();
    let elem = arg.store.ty().size().unwrap_or(0) as u64;
    let nd = storage.ndim();
    let local: Vec<(u64, Point, Buffer)> = {
        let mut all = op.pieces.lock().unwrap_or_else(|e| e.into_inner());
        let (mine, rest) = std::mem::take(&mut *all).into_iter().partition(|p| p.0 == i);
        *all = rest;
        mine.into_iter().map(|(_, c, e, b)| (c, e, b)).collect()
    };
    let mut extents: Vec<(u64, Point, usize)> = local.iter().map(|(c, e, _)| (*c, e.clone(), me)).collect();
    for r in remote {
        if let Remote::Piece(a, c, e, from) = r {
            if *a == i {
                extents.push((*c, e.clone(), *from));
            }
        }
    }
    extents.sort_by_key(|p| p.0);
    let trailing_ok = extents.windows(2).all(|w| (1..nd).all(|d| w[0].1[d] == w[1].1[d]));
    let mut shape = extents.first().map_or(Point::splat(nd, 0), |p| p.1.clone());
    if !trailing_ok || nd == 0 {
        op.fail_whole("unbound output pieces differ in their trailing extents".into());
        shape = Point::splat(nd, 0);
        extents.clear();
    }
    shape[0] = extents.iter().map(|p| p.1[0]).sum();
    let row: u64 = (1..nd).map(|d| shape[d].max(0) as u64).product::<u64>() * elem;
    // Each rank's byte range, in launch order (blocked sharding keeps a rank's pieces
    // together).
    let mut holders: Vec<(u64, u64, usize)> = Vec::new();
    let mut at = 0u64;
    for (_, e, rank) in &extents {
        let n = e[0].max(0) as u64 * row;
        match holders.last_mut() {
            Some(h) if h.2 == *rank && h.1 == at => h.1 += n,
            _ if n > 0 => holders.push((at, at + n, *rank)),
            _ => {}
        }
        at += n;
    }
    let mine: Vec<&(u64, u64, usize)> = holders.iter().filter(|h| h.2 == me).collect();
    let (lo, hi) = (mine.first().map_or(0, |h| h.0), mine.last().map_or(0, |h| h.1));
    let mut sorted = local;
    sorted.sort_by_key(|p| p.0);
    let buffer = match op.sysmem.allocate((hi - lo) as usize) {
        Ok(out) => {
            let mut pos = 0;
            for (_, _, buf) in &sorted {
                // SAFETY: fresh destination; pieces are finished and private.
                unsafe { out.as_mut_slice()[pos..pos + buf.len()].copy_from_slice(buf.as_slice()) };
                pos += buf.len();
            }
            out
        }
        Err(e) => {
            op.fail_whole(e.to_string());
            op.sysmem.empty_buffer()
        }
    };
    let strides = dense_strides(&shape, elem as usize, Layout::C);
    storage.bind(shape, Arc::new(buffer), strides, lo, holders);
}
