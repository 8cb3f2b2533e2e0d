//! Fusion of elementwise operations: a window of held-back operations, launched as one
//! `fused` task (see `tasks::fused`) when something else needs the runtime.
//!
//! Unary and binary ufuncs, casts and same-shape copies are recorded here instead of
//! launched; a binary operation's operand may be one element broadcast (a 0-d array
//! such as a solver's step length `alpha`), which the fused task reads when it runs. The window is flushed, in program order, before any other launch, wait or
//! read (the runtime's [`FlushHook`]), when it is full, or when the next operation
//! could not run in the same pass. Full is `LEGATE_WINDOW_SIZE` operations, or up to
//! [`LONG_WINDOWS`] times as many while the stores they write hold less than a
//! quarter of system memory: the stores of a window's dead temporaries are allocated
//! but never touched, and a longer window leaves fewer temporaries to write (a
//! one-shot Black-Scholes on 10^6 options touches 140 MB instead of 500 MB of fresh
//! pages with 512 operations a window instead of 64).
//!
//! Soundness: the fused task evaluates the operations in program order over blocks of
//! elements, so an element is read and written in the same order as unfused. That is
//! only true when every access to a storage the window writes goes through one view
//! (same elements at the same positions): anything else flushes first. A storage whose
//! every handle is held by the window (the program dropped its arrays) and that the
//! window writes before reading is never materialized: it lives in a scratch block.
//! Decisions depend only on the operation stream and handle counts, never on timing,
//! so every rank fuses the same way.
//!
//! A vector `dot` over the window's shape joins a non-empty window as its last
//! operations: the fused task sums the products block by block, in the pass that
//! computes them, into a future (a solver's `r·r` right after `r -= alpha * q`). Until
//! the window runs, an operation reading that future flushes it first.

use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use legate_core::abi::TypeCode;
use legate_core::{FlushHook, Library, LogicalStore, Point, Result, Runtime, Scalar, SpareStore, Type};
use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::cell::Cell;
use std::sync::{Arc, Mutex};

thread_local! {
    /// This thread is launching a fused task: the runtime's flush hook, called by that
    /// launch, must not flush again (the window it launches was already taken).
    static LAUNCHING: Cell<bool> = const { Cell::new(false) };
}

/// What one held-back operation computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// `astype` (or a copy, when the types are equal).
    Convert,
    /// `where(cond, x, y)` (cond is boolean, x and y of the result's type).
    Where,
    /// The sum of the products of two stores (float or complex) into a future.
    Dot,
}

impl Kind {
    /// The program's kind byte (0 unary, 1 binary, 2 cast, 3 where, 4 dot) and op code.
    fn code(self) -> (u8, u32) {
        match self {
            Kind::Unary(u) => (0, u as u32),
            Kind::Binary(b) => (1, b as u32),
            Kind::Convert => (2, 0),
            Kind::Where => (3, 0),
            Kind::Dot => (4, 0),
        }
    }

    /// How many operands the operation takes.
    fn arity(self) -> usize {
        match self {
            Kind::Unary(_) | Kind::Convert => 1,
            Kind::Binary(_) | Kind::Dot => 2,
            Kind::Where => 3,
        }
    }

    fn short_name(self) -> &'static str {
        match self {
            Kind::Unary(op) => op.name(),
            Kind::Binary(op) => op.numpy_name(),
            Kind::Convert => "cast",
            Kind::Where => "where",
            Kind::Dot => "dot",
        }
    }
}

/// An operand offered to the window: borrowed, so an operation that does not join it
/// costs no copies.
#[derive(Clone, Copy)]
pub(crate) enum Arg<'a> {
    Store(&'a LogicalStore),
    Scalar(&'a Scalar),
}

/// A scalar operand of a held-back operation, inline: a fusable type is at most 16
/// bytes, and an operation small to move (~100 bytes) is what a loop of tiny
/// operations records and moves most.
#[derive(Clone, Copy)]
struct Value {
    ty: TypeCode,
    len: u8,
    bytes: [u8; 16],
}

impl Value {
    /// None for a value of more than 16 bytes (no fusable type has one).
    fn of(s: &Scalar) -> Option<Value> {
        let b = s.bytes();
        let mut bytes = [0; 16];
        bytes.get_mut(..b.len())?.copy_from_slice(b);
        Some(Value { ty: s.ty().code(), len: b.len() as u8, bytes })
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// A held-back operation's operand.
enum Operand {
    Store(LogicalStore),
    Value(Value),
}

struct Op {
    kind: Kind,
    /// The operands' type (the source type of a cast; fusable types are primitive).
    in_ty: TypeCode,
    /// The operands (`kind.arity()` of them, then `None`).
    args: [Option<Operand>; 3],
    out: LogicalStore,
    /// The window's number for each store operand's storage ([`NO_SLOT`] for a
    /// scalar), and for the output's: the plan indexes vectors by them, not maps.
    arg_slots: [u32; 3],
    out_slot: u32,
}

const NO_SLOT: u32 = u32::MAX;

impl Op {
    /// The operands, with their slots.
    fn operands(&self) -> impl Iterator<Item = (&Operand, u32)> {
        self.args.iter().zip(self.arg_slots).filter_map(|(a, k)| Some((a.as_ref()?, k)))
    }
}

/// How the window touched one storage (one slot) so far.
struct Access {
    /// The first handle the window met it through.
    view: LogicalStore,
    written: bool,
    /// Read through more than one view (allowed only while nothing writes it).
    mixed: bool,
    /// Met only through `view` itself (no other handle, even of the same view).
    one_handle: bool,
    /// Its first access writes it.
    first_write: bool,
    /// How many operands and results of the window's operations are this storage.
    uses: u32,
}

#[derive(Default)]
struct Window {
    ops: Vec<Op>,
    shape: Option<Point>,
    /// Each storage's slot: storages are numbered 0, 1, ... in the order the window
    /// meets them, and `slots` holds how each was touched.
    storages: HashMap<u64, u32>,
    slots: Vec<Access>,
    /// What the plan of the operations depends on, besides which storages are dead
    /// (see [`Fusion::plan`]).
    sig: Vec<u64>,
    /// Bytes of the stores the operations write.
    bytes: u64,
    /// The futures the window's `dot`s sum into (not computed until it runs).
    sums: Vec<LogicalStore>,
}

/// How many times `LEGATE_WINDOW_SIZE` operations a window of small stores may hold.
const LONG_WINDOWS: usize = 8;

/// The largest dead temporary kept as a spare store (for a larger one the work on its
/// elements outweighs making its records), and the most bytes of them kept (less
/// with a small `--sysmem`: an eighth of the window budget).
const SPARE_MAX_BYTES: usize = 64 << 10;
const SPARE_BYTES: usize = 8 << 20;

/// Counters of what fusion did (tests check that it happens).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FusionStats {
    /// Fused tasks launched.
    pub tasks: u64,
    /// Operations they ran.
    pub ops: u64,
    /// Temporaries never written to memory (their arrays died in the window).
    pub elided: u64,
    /// Copies `dst[...] = tmp` dropped: the operation computing `tmp` wrote `dst`.
    pub forwarded: u64,
    /// Fused tasks whose plan was a recent window's (see `Fusion::plan`).
    pub reused: u64,
    /// Dead temporaries kept whole for the next results (see `Fusion::keep_spares`).
    pub spares: u64,
}

pub(crate) struct Fusion {
    lib: Library,
    limit: usize,
    /// Bytes of written stores past which a window is full at `limit` operations.
    budget: u64,
    window: Mutex<Window>,
    pending: AtomicBool,
    /// Held from taking a window until its task is launched, and `busy` meanwhile: a
    /// flush on another thread (a Python thread reading a result) waits for it, so it
    /// never finds the window empty while the operations it needs are not launched yet.
    launching: Mutex<()>,
    busy: AtomicBool,
    /// Plans of recent windows, most recent first (see [`Fusion::plan`]).
    plans: Mutex<Vec<Arc<CachedPlan>>>,
    /// The last window's dead temporaries, for new results (see [`Fusion::keep_spares`]),
    /// and how many bytes of them it may keep.
    spares: Mutex<Vec<SpareStore>>,
    spare_budget: usize,
    tasks: AtomicU64,
    ops: AtomicU64,
    elided: AtomicU64,
    forwarded: AtomicU64,
    reused: AtomicU64,
    spared: AtomicU64,
}

/// The runtime's handle on a library's window.
pub(crate) struct Hook(pub Arc<Fusion>);

impl FlushHook for Hook {
    fn flush(&self, rt: &Runtime) {
        // An error here belongs to the operations' outputs: the fused task's failure
        // poisons them, as the unfused tasks' would.
        if let Err(e) = self.0.flush(rt) {
            eprintln!("legate_numeric: launching a fused task failed: {e}");
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Whether two handles reach the same elements of one storage at the same positions.
fn same_view(a: &LogicalStore, b: &LogicalStore) -> bool {
    a.same_handle(b) || (a.same_storage(b) && a.map() == b.map() && a.same_shape(b) && a.ty() == b.ty())
}

/// Whether `s` is one element (a 0-d array, a reduction's result) broadcast over more:
/// a binary operation's operand that the fused task reads once, as a scalar, when it
/// runs (so a solver's step length computed on the device joins the vector updates).
/// Only binary operations take them (the kernels of the others read tiles).
fn broadcast_value(kind: Kind, s: &LogicalStore) -> bool {
    // (A broadcast is a transformed view: whole storages need no look at the storage.)
    matches!(kind, Kind::Binary(_)) && s.transformed() && !s.unbound() && s.volume() > 1 && s.storage().shape_now().is_some_and(|p| p.volume() == 1)
}

fn fusable_type(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Bool
            | Type::Int8
            | Type::Int16
            | Type::Int32
            | Type::Int64
            | Type::UInt8
            | Type::UInt16
            | Type::UInt32
            | Type::UInt64
            | Type::Float32
            | Type::Float64
            | Type::Complex64
            | Type::Complex128
    )
}

impl Fusion {
    /// `limit` operations a window (1: no fusion), up to [`LONG_WINDOWS`] times as
    /// many while the stores they write hold less than `budget` bytes.
    pub(crate) fn new(lib: Library, limit: usize, budget: u64) -> Fusion {
        Fusion {
            lib,
            limit,
            budget,
            window: Mutex::default(),
            pending: AtomicBool::new(false),
            launching: Mutex::new(()),
            busy: AtomicBool::new(false),
            plans: Mutex::new(Vec::new()),
            spares: Mutex::new(Vec::new()),
            spare_budget: usize::try_from(budget / 8).unwrap_or(usize::MAX).min(SPARE_BYTES),
            tasks: AtomicU64::new(0),
            ops: AtomicU64::new(0),
            elided: AtomicU64::new(0),
            forwarded: AtomicU64::new(0),
            reused: AtomicU64::new(0),
            spared: AtomicU64::new(0),
        }
    }

    pub(crate) fn stats(&self) -> FusionStats {
        FusionStats {
            tasks: self.tasks.load(Ordering::Relaxed),
            ops: self.ops.load(Ordering::Relaxed),
            elided: self.elided.load(Ordering::Relaxed),
            forwarded: self.forwarded.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
            spares: self.spared.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.limit > 1
    }

    /// Holds back `out = kind(args)`; false when it must be launched on its own (the
    /// caller launches it, which flushes the window first).
    pub(crate) fn record(&self, rt: &Runtime, kind: Kind, in_ty: &Type, args: &[Arg<'_>], out: &LogicalStore) -> Result<bool> {
        // (An unbound output is never fused: its shape is not known without waiting.)
        if !self.enabled() || out.unbound() {
            return Ok(false);
        }
        // (Borrowed: a bound store's shape is known.)
        let owned;
        let shape = match out.shape_ref() {
            Some(p) => p,
            None => {
                owned = out.shape();
                &owned
            }
        };
        if !self.fusable(kind, in_ty, args, out, shape) {
            return Ok(false);
        }
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        // (A loop: another thread may have added conflicting operations meanwhile.)
        let found = loop {
            let found = Self::slots_of(&w, args, out);
            if w.ops.is_empty() || (w.shape.as_ref() == Some(shape) && !Self::conflicts(&w, args, out, &found) && !Self::reads_sum(&w, args)) {
                break found;
            }
            drop(w);
            self.flush(rt)?;
            w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        };
        let mut arg_slots = [NO_SLOT; 3];
        let mut operands = [None, None, None];
        for (i, a) in args.iter().enumerate() {
            operands[i] = Some(match *a {
                Arg::Store(s) => {
                    arg_slots[i] = Self::note(&mut w, s, false, found[i]);
                    Operand::Store(s.clone())
                }
                Arg::Scalar(v) => Operand::Value(Value::of(v).expect("a fusable scalar fits")),
            });
        }
        let out_slot = Self::note(&mut w, out, true, found[3]);
        w.bytes += shape.volume().saturating_mul(out.ty().size().unwrap_or(1) as u64);
        if w.ops.is_empty() {
            // (A window's operations share one shape: set by its first.)
            w.shape = Some(shape.clone());
        }
        self.push(rt, w, Op { kind, in_ty: in_ty.code(), args: operands, out: out.clone(), arg_slots, out_slot })?;
        Ok(true)
    }

    /// Appends `op` to the window's signature: its kind, types, operands (slot and
    /// whether broadcast, or a scalar's type and bytes) and result slot, in words no
    /// two different operations share a sequence of.
    fn sign(sig: &mut Vec<u64>, op: &Op) {
        let (tag, code) = op.kind.code();
        sig.push(tag as u64 | (code as u64) << 8 | (op.in_ty as u64) << 32 | (op.out.ty().code() as u64) << 40 | (op.kind.arity() as u64) << 48);
        for (a, k) in op.operands() {
            match a {
                Operand::Store(s) => sig.push(k as u64 | (broadcast_value(op.kind, s) as u64) << 32),
                Operand::Value(v) => {
                    let b = v.bytes();
                    sig.push(1 << 40 | (v.ty as u64) << 48 | b.len() as u64);
                    sig.extend(b.chunks(8).map(|c| c.iter().rev().fold(0u64, |w, &x| w << 8 | x as u64)));
                }
            }
        }
        sig.push(op.out_slot as u64);
    }

    /// Adds `op` to the window (locked as `w`), launching the window when it is full.
    fn push(&self, rt: &Runtime, mut w: std::sync::MutexGuard<'_, Window>, op: Op) -> Result<()> {
        Self::sign(&mut w.sig, &op);
        w.ops.push(op);
        self.pending.store(true, Ordering::SeqCst);
        let n = w.ops.len();
        if n >= self.limit && (n >= self.limit.saturating_mul(LONG_WINDOWS) || w.bytes >= self.budget) {
            drop(w);
            self.flush(rt)?;
        }
        Ok(())
    }

    /// Holds back `fut = sum(a * b)` (a vector `dot`; `fut` a fresh one-element future)
    /// at the end of the window, when the window computes over `a`'s shape already;
    /// false when it must be launched on its own (the caller launches it, which
    /// flushes the window first): no window to join, another shape or type, an
    /// operand that is broadcast, viewed by the host or written through another view.
    pub(crate) fn record_dot(&self, rt: &Runtime, a: &LogicalStore, b: &LogicalStore, fut: &LogicalStore) -> Result<bool> {
        let summed = matches!(a.ty(), Type::Float32 | Type::Float64 | Type::Complex64 | Type::Complex128);
        if !self.enabled() || !summed || a.ty() != b.ty() {
            return Ok(false);
        }
        let shape = a.shape();
        let plain = |s: &LogicalStore| !s.is_future() && !s.unbound() && !s.storage().host_viewed() && s.shape() == shape;
        if shape.volume() == 0 || !plain(a) || !plain(b) {
            return Ok(false);
        }
        let args = [Arg::Store(a), Arg::Store(b)];
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let reads_through_other_view = |s: &LogicalStore| w.storages.get(&s.storage().id()).is_some_and(|&k| w.slots[k as usize].written && !same_view(&w.slots[k as usize].view, s));
        if w.ops.is_empty() || w.shape.as_ref() != Some(&shape) || reads_through_other_view(a) || reads_through_other_view(b) || Self::reads_sum(&w, &args) {
            return Ok(false);
        }
        let mut arg_slots = [NO_SLOT; 3];
        arg_slots[0] = Self::note(&mut w, a, false, None);
        arg_slots[1] = Self::note(&mut w, b, false, None);
        w.sums.push(fut.clone());
        let operands = [Some(Operand::Store(a.clone())), Some(Operand::Store(b.clone())), None];
        self.push(rt, w, Op { kind: Kind::Dot, in_ty: a.ty().code(), args: operands, out: fut.clone(), arg_slots, out_slot: NO_SLOT })?;
        Ok(true)
    }

    /// Whether an operand is a future a `dot` of the window sums into (its value is
    /// known only when the window has run).
    fn reads_sum(w: &Window, args: &[Arg]) -> bool {
        !w.sums.is_empty() && args.iter().any(|a| matches!(a, Arg::Store(s) if w.sums.iter().any(|f| f.same_storage(s))))
    }

    /// Whether the operation can join a window at all (on its own terms).
    fn fusable(&self, kind: Kind, in_ty: &Type, args: &[Arg], out: &LogicalStore, shape: &Point) -> bool {
        if out.read_only() || out.is_future() || out.unbound() || !fusable_type(in_ty) || !fusable_type(out.ty()) {
            return false;
        }
        // The host holds a view of an operand: the operation must finish before the
        // call returns (see legate-core's host views), so it cannot wait in a window.
        let viewed = |s: &LogicalStore| s.storage().host_viewed();
        if viewed(out) || args.iter().any(|a| matches!(a, Arg::Store(s) if viewed(s))) {
            return false;
        }
        // Integer powers raise negative exponents at the call: they wait for their task.
        if kind == Kind::Binary(BinaryOp::Power) && in_ty.is_integral() {
            return false;
        }
        // (Empty: an extent is 0, without the volume's product.)
        if shape.as_slice().iter().any(|&e| e <= 0) {
            return false;
        }
        args.iter().enumerate().all(|(i, a)| {
            let ty = if kind == Kind::Where && i == 0 { &Type::Bool } else { in_ty };
            match a {
                Arg::Scalar(s) => s.ty() == ty && s.bytes().len() <= 16,
                Arg::Store(s) => {
                    // An input overlapping the output through another view needs the
                    // unfused copy semantics (all of it read before any of it written).
                    let plain = !s.is_future() || broadcast_value(kind, s);
                    plain && !s.unbound() && s.ty() == ty && s.has_shape(shape) && (!s.same_storage(out) || same_view(s, out))
                }
            }
        })
    }

    /// Whether adding the operation would let a write and another access to one
    /// storage go through different views.
    /// `found`: the window's slots of the operands' storages and of the output's
    /// ([`Fusion::slots_of`]).
    fn conflicts(w: &Window, args: &[Arg], out: &LogicalStore, found: &[Option<u32>; 4]) -> bool {
        let check = |s: &LogicalStore, slot: Option<u32>, writes: bool| match slot {
            None => false,
            Some(k) => {
                let a = &w.slots[k as usize];
                let same = same_view(&a.view, s);
                (writes && (a.mixed || !same)) || (!same && a.written)
            }
        };
        args.iter().zip(found).any(|(a, &k)| matches!(a, Arg::Store(s) if check(s, k, false))) || check(out, found[3], true)
    }

    /// The window's slots of the storages of the store operands (0..3) and of `out`
    /// (3), where it has met them: looked up once for the checks and the notes.
    fn slots_of(w: &Window, args: &[Arg], out: &LogicalStore) -> [Option<u32>; 4] {
        let mut found = [None; 4];
        if w.slots.is_empty() {
            return found;
        }
        for (f, a) in found.iter_mut().zip(args) {
            if let Arg::Store(s) = a {
                *f = w.storages.get(&s.storage().id()).copied();
            }
        }
        found[3] = w.storages.get(&out.storage().id()).copied();
        found
    }

    /// Records an access to `s`'s storage; returns the storage's slot. `known`: its
    /// slot if already looked up (None: look it up, or give it one).
    fn note(w: &mut Window, s: &LogicalStore, writes: bool, known: Option<u32>) -> u32 {
        let fresh = w.slots.len() as u32;
        let slot = match known {
            Some(k) => k,
            None => *w.storages.entry(s.storage().id()).or_insert(fresh),
        };
        if slot == fresh {
            w.slots.push(Access { view: s.clone(), written: false, mixed: false, one_handle: true, first_write: writes, uses: 0 });
        }
        let a = &mut w.slots[slot as usize];
        if !a.view.same_handle(s) {
            a.one_handle = false;
            a.mixed |= !same_view(&a.view, s);
        }
        a.written |= writes;
        a.uses += 1;
        slot
    }

    /// Launches everything held back (program order is kept: callers flush before
    /// anything else reaches the runtime).
    pub(crate) fn flush(&self, rt: &Runtime) -> Result<()> {
        if LAUNCHING.with(Cell::get) {
            return Ok(());
        }
        // `busy` is set before a window is taken (which clears `pending`), so seeing
        // neither means no operation is held back or being launched.
        if !self.pending.load(Ordering::SeqCst) && !self.busy.load(Ordering::SeqCst) {
            return Ok(());
        }
        let _one = self.launching.lock().unwrap_or_else(|e| e.into_inner());
        self.busy.store(true, Ordering::SeqCst);
        let w = {
            let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
            self.pending.store(false, Ordering::SeqCst);
            // The next window starts with room for as much as this one held (a loop
            // fills windows alike; growing them op by op cost a tenth of the plan).
            let next = Window {
                ops: Vec::with_capacity(w.ops.len()),
                storages: HashMap::with_capacity_and_hasher(w.storages.len(), Default::default()),
                slots: Vec::with_capacity(w.slots.len()),
                sig: Vec::with_capacity(w.sig.len()),
                ..Window::default()
            };
            std::mem::replace(&mut *w, next)
        };
        struct Launching;
        impl Drop for Launching {
            fn drop(&mut self) {
                LAUNCHING.with(|l| l.set(false));
            }
        }
        LAUNCHING.with(|l| l.set(true));
        let guard = Launching;
        let r = self.launch(rt, w);
        drop(guard);
        self.busy.store(false, Ordering::SeqCst);
        r
    }

    /// The window's plan. A window whose every storage it met through one handle (no
    /// other view, nor another handle of the same view) plans to a function of its
    /// signature (`Window::sig`) and of which storages are dead: one equal in both to a
    /// window planned lately reuses that plan (a loop of small operations fills the
    /// same windows over and over). Any difference plans afresh.
    fn plan(&self, w: &mut Window) -> Plan {
        let nslots = w.slots.len();
        if !w.slots.iter().all(|a| a.one_handle) {
            // The window's handles must not count as holders in `Plan::new`.
            w.storages.clear();
            w.slots.clear();
            return Plan::new(&w.ops, nslots, None);
        }
        // Dead (only the window holds it): the storage's one view is the handle the
        // window met it through, held only by the window's operations and `slots`.
        let in_reg: Vec<bool> = w.slots.iter().map(|a| a.first_write && Arc::strong_count(a.view.storage()) == 1 && a.view.handle_count() == a.uses as usize + 1).collect();
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        let plan = match plans.iter().position(|p| p.in_reg == in_reg && p.sig == w.sig) {
            Some(i) => {
                let hit = plans.remove(i);
                plans.insert(0, hit.clone());
                drop(plans);
                self.reused.fetch_add(1, Ordering::Relaxed);
                hit.instantiate(&w.slots, &w.ops)
            }
            None => {
                drop(plans);
                let plan = Plan::new(&w.ops, nslots, Some(in_reg.clone()));
                let kept = Arc::new(CachedPlan::of(&plan, std::mem::take(&mut w.sig), in_reg));
                let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
                plans.truncate(PLANS_KEPT - 1);
                plans.insert(0, kept);
                plan
            }
        };
        w.storages.clear();
        w.slots.clear();
        plan
    }

    fn launch(&self, rt: &Runtime, mut w: Window) -> Result<()> {
        if w.ops.is_empty() {
            return Ok(());
        }
        let plan = self.plan(&mut w);
        self.tasks.fetch_add(1, Ordering::Relaxed);
        self.ops.fetch_add(w.ops.len() as u64, Ordering::Relaxed);
        self.elided.fetch_add(plan.elided as u64, Ordering::Relaxed);
        self.forwarded.fetch_add(plan.forwarded as u64, Ordering::Relaxed);
        let mut t = rt.create_auto_task(&self.lib, crate::FUSED);
        t.set_name(plan.name(&w.ops));
        t.add_scalar_arg(Scalar::from_bytes(Type::String, plan.program)?);
        // The broadcast values (whole), then each tile's input (if it is read before
        // written) and its output (if written): the order the kernel takes them in.
        // The tiles are aligned.
        let mut first = None;
        for store in &plan.values {
            let v = t.add_input(store);
            t.add_broadcast(v, None);
        }
        for (store, reads, writes) in &plan.tiles {
            for (role, output) in [(*reads, false), (*writes, true)] {
                if !role {
                    continue;
                }
                let v = if output { t.add_output(store) } else { t.add_input(store) };
                match first {
                    None => first = Some(v),
                    Some(f) => t.add_alignment(f, v),
                }
            }
        }
        for fut in &plan.sums {
            t.add_reduction(fut, crate::core_op(ReduceOp::Sum, fut.ty()));
        }
        let r = t.execute();
        // (The plan's handles first: the operations may then hold a dead temporary's last.)
        drop((plan.tiles, plan.values, plan.sums));
        if r.is_ok() {
            self.keep_spares(w.ops);
        }
        r
    }

    /// Keeps the dead temporaries of a window that ran (the operations hold their last
    /// handles) as spares for the next results of their type and shape: a loop of
    /// small operations then reuses each temporary's records and instance instead of
    /// freeing them and making new ones. The spares of the window before, if any are
    /// left, are freed: at most one window's temporaries wait, and only small ones.
    fn keep_spares(&self, ops: Vec<Op>) {
        // A temporary is some operation's result: the results alone are offered, once
        // every operand is dropped (a dead temporary's handle here is then its last).
        let outs: Vec<LogicalStore> = ops.into_iter().map(|op| op.out).collect();
        let mut kept = Vec::new();
        let mut bytes = 0;
        for s in outs {
            if bytes < self.spare_budget {
                if let Some(spare) = s.into_spare(SPARE_MAX_BYTES) {
                    bytes += spare.bytes();
                    kept.push(spare);
                }
            }
        }
        self.spared.fetch_add(kept.len() as u64, Ordering::Relaxed);
        let old = std::mem::replace(&mut *self.spares.lock().unwrap_or_else(|e| e.into_inner()), kept);
        drop(old);
    }

    /// A spare store for a result of `ty` and `shape`, if the last window left one
    /// (see [`Fusion::keep_spares`]).
    pub(crate) fn take_spare(&self, ty: &Type, shape: &Point) -> Option<SpareStore> {
        if !self.enabled() {
            return None;
        }
        let mut spares = self.spares.lock().unwrap_or_else(|e| e.into_inner());
        if spares.last()?.fits(ty, shape) {
            spares.pop()
        } else {
            None
        }
    }
}

/// A window turned into a program: the tiles (stores) it touches, the storages that
/// live in scratch blocks, and the encoded operations.
struct Plan {
    /// (view, read before written, written)
    tiles: Vec<(LogicalStore, bool, bool)>,
    /// Operands that are one element broadcast ([`broadcast_value`]).
    values: Vec<LogicalStore>,
    /// The futures of the window's `dot`s, in program order (the task's reductions).
    sums: Vec<LogicalStore>,
    program: Vec<u8>,
    elided: usize,
    forwarded: usize,
    /// The slot of each tile and broadcast value, and the operation of each sum.
    tile_slots: Vec<u32>,
    value_slots: Vec<u32>,
    sum_ops: Vec<u32>,
}

/// A plan without the window's stores: what a window with the same signature and the
/// same dead storages is planned to (see [`Fusion::plan`]).
struct CachedPlan {
    sig: Vec<u64>,
    in_reg: Vec<bool>,
    /// (slot, read before written, written)
    tiles: Vec<(u32, bool, bool)>,
    value_slots: Vec<u32>,
    sum_ops: Vec<u32>,
    program: Vec<u8>,
    elided: usize,
    forwarded: usize,
}

/// How many plans [`Fusion::plan`] keeps: a loop whose body does not divide the
/// window's length cycles through a few windows.
const PLANS_KEPT: usize = 8;

impl CachedPlan {
    fn of(plan: &Plan, sig: Vec<u64>, in_reg: Vec<bool>) -> CachedPlan {
        CachedPlan {
            sig,
            in_reg,
            tiles: plan.tiles.iter().zip(&plan.tile_slots).map(|((_, r, w), &k)| (k, *r, *w)).collect(),
            value_slots: plan.value_slots.clone(),
            sum_ops: plan.sum_ops.clone(),
            program: plan.program.clone(),
            elided: plan.elided,
            forwarded: plan.forwarded,
        }
    }

    /// The plan for a window with this signature and these dead storages, whose
    /// storages were met through the handles `slots`.
    fn instantiate(&self, slots: &[Access], ops: &[Op]) -> Plan {
        let view = |k: u32| slots[k as usize].view.clone();
        Plan {
            tiles: self.tiles.iter().map(|&(k, r, w)| (view(k), r, w)).collect(),
            values: self.value_slots.iter().map(|&k| view(k)).collect(),
            sums: self.sum_ops.iter().map(|&i| ops[i as usize].out.clone()).collect(),
            program: self.program.clone(),
            elided: self.elided,
            forwarded: self.forwarded,
            tile_slots: Vec::new(),
            value_slots: Vec::new(),
            sum_ops: Vec::new(),
        }
    }
}

/// Where an operand or result lives during one block.
#[derive(Clone, Copy)]
enum Loc {
    Tile(u32),
    Reg(u32),
    Value(u32),
    /// The `k`-th `dot`'s sum (a reduction of the task).
    Sum(u32),
}

/// What the plan learns about one storage (one slot) of the window.
#[derive(Default)]
struct SlotUse<'a> {
    /// The window's distinct handles to it, with how many times each appears.
    handles: smallvec::SmallVec<[(&'a LogicalStore, usize); 1]>,
    /// Whether the first access is a write (`None`: not met yet).
    first_write: Option<bool>,
    last_use: usize,
    /// Its register while it is in one.
    reg: Option<u32>,
    /// The tile of the view it was last met through.
    tile: Option<u32>,
}

impl<'a> SlotUse<'a> {
    fn meet(&mut self, s: &'a LogicalStore, i: usize, writes: bool) {
        match self.handles.iter_mut().find(|(h, _)| h.same_handle(s)) {
            Some((_, n)) => *n += 1,
            None => self.handles.push((s, 1)),
        }
        self.first_write.get_or_insert(writes);
        self.last_use = i;
    }

    /// Every handle to the storage is one of the window's: the program dropped it.
    fn dead(&self) -> bool {
        let Some((first, _)) = self.handles.first() else { return false };
        Arc::strong_count(first.storage()) == self.handles.len() && self.handles.iter().all(|(h, n)| h.handle_count() == *n)
    }
}

/// The store operands of `op`, with their slots.
fn store_args(op: &Op) -> impl Iterator<Item = (&LogicalStore, u32)> {
    op.operands().filter_map(|(a, k)| if let Operand::Store(s) = a { Some((s, k)) } else { None })
}

impl Plan {
    /// `slots`: how many storages the window numbered (`Op::arg_slots`, `out_slot`);
    /// `in_reg`: which of them live in scratch registers, when the caller knows (else
    /// found here from handle counts: the window must hold no other handles then).
    fn new(ops: &[Op], slots: usize, in_reg: Option<Vec<bool>>) -> Plan {
        let mut uses: Vec<SlotUse> = (0..slots).map(|_| SlotUse::default()).collect();
        for (i, op) in ops.iter().enumerate() {
            for (s, k) in store_args(op) {
                uses[k as usize].meet(s, i, false);
            }
            if op.out_slot != NO_SLOT {
                uses[op.out_slot as usize].meet(&op.out, i, true);
            }
        }
        // A storage only the window holds, and writes before reading, lives in a
        // scratch register instead of memory.
        let mut in_reg: Vec<bool> = in_reg.unwrap_or_else(|| uses.iter().map(|u| u.first_write == Some(true) && u.dead()).collect());
        // The fused task runs over its tiles' extent: a window that would touch no
        // memory (operations on a broadcast scalar whose results all died, or feed only
        // a dot) keeps its last result in memory.
        let touches_memory = ops.iter().any(|op| {
            store_args(op).any(|(s, k)| !in_reg[k as usize] && !broadcast_value(op.kind, s))
                || (op.kind != Kind::Dot && op.out_slot != NO_SLOT && !in_reg[op.out_slot as usize])
        });
        if !touches_memory {
            if let Some(op) = ops.iter().rev().find(|op| op.kind != Kind::Dot && op.out_slot != NO_SLOT) {
                in_reg[op.out_slot as usize] = false;
            }
        }

        // Tiles: each distinct view of a materialized storage (written storages have one).
        let mut tiles: Vec<(LogicalStore, bool, bool)> = Vec::new();
        let mut tile_slots: Vec<u32> = Vec::new();
        let mut tile_of = |s: &LogicalStore, slot: u32, u: &mut SlotUse, writes: bool| -> u32 {
            let k = match u.tile.filter(|&k| same_view(&tiles[k as usize].0, s)).or_else(|| tiles.iter().position(|(t, _, _)| same_view(t, s)).map(|k| k as u32)) {
                Some(k) => k as usize,
                None => {
                    tiles.push((s.clone(), false, false));
                    tile_slots.push(slot);
                    tiles.len() - 1
                }
            };
            u.tile = Some(k as u32);
            if writes {
                tiles[k].2 = true;
            } else if !tiles[k].2 {
                tiles[k].1 = true;
            }
            k as u32
        };
        // Registers: one per scratch storage while it is in use, then reused.
        let mut free: Vec<u32> = Vec::new();
        let mut nregs = 0u32;
        let mut elided = 0;
        let mut forwarded = 0;
        let mut body = Vec::new();
        let mut values: Vec<LogicalStore> = Vec::new();
        let mut sums: Vec<LogicalStore> = Vec::new();
        let (mut value_slots, mut sum_ops) = (Vec::new(), Vec::new());
        // The last operation encoded, and where its result's location starts in `body`.
        let mut last: Option<(usize, usize)> = None;
        let mut encoded = 0u32;
        for (i, op) in ops.iter().enumerate() {
            // `dst[...] = tmp` right after the operation that computed `tmp` (in a
            // register, read nowhere else): that operation writes `dst` instead, and the
            // copy is dropped (`x[...] = x + 2*y` is one operation on x, not two).
            if let (Kind::Convert, Some((prev, at)), Some(Operand::Store(src))) = (op.kind, last, &op.args[0]) {
                let k = op.arg_slots[0] as usize;
                if prev + 1 == i && ops[prev].out_slot as usize == k && in_reg[k] && uses[k].last_use == i && src.ty() == op.out.ty() && op.in_ty == op.out.ty().code() && !in_reg[op.out_slot as usize] {
                    body.truncate(at);
                    put_loc(&mut body, Loc::Tile(tile_of(&op.out, op.out_slot, &mut uses[op.out_slot as usize], true)));
                    if let Some(r) = uses[k].reg.take() {
                        free.push(r);
                    }
                    last = None;
                    forwarded += 1;
                    continue;
                }
            }
            let mut locs: smallvec::SmallVec<[Option<Loc>; 3]> = smallvec::SmallVec::new();
            for (a, k) in op.operands() {
                match a {
                    Operand::Store(s) if broadcast_value(op.kind, s) => {
                        let v = values.iter().position(|v| same_view(v, s)).unwrap_or_else(|| {
                            values.push(s.clone());
                            value_slots.push(k);
                            values.len() - 1
                        });
                        locs.push(Some(Loc::Value(v as u32)));
                    }
                    Operand::Store(s) => {
                        let u = &mut uses[k as usize];
                        locs.push(Some(if in_reg[k as usize] {
                            Loc::Reg(u.reg.expect("a scratch storage is written before it is read"))
                        } else {
                            Loc::Tile(tile_of(s, k, u, false))
                        }));
                    }
                    Operand::Value(_) => locs.push(None),
                }
            }
            if op.kind == Kind::Dot {
                encode_op(&mut body, op, &locs, Loc::Sum(sums.len() as u32));
                sums.push(op.out.clone());
                sum_ops.push(i as u32);
                encoded += 1;
                last = None;
                free_dead_registers(&mut uses, &mut free, op, i);
                continue;
            }
            let k = op.out_slot as usize;
            let out = if in_reg[k] {
                let u = &mut uses[k];
                let r = *u.reg.get_or_insert_with(|| {
                    elided += 1;
                    free.pop().unwrap_or_else(|| {
                        nregs += 1;
                        nregs - 1
                    })
                });
                Loc::Reg(r)
            } else {
                Loc::Tile(tile_of(&op.out, k as u32, &mut uses[k], true))
            };
            let at = encode_op(&mut body, op, &locs, out);
            encoded += 1;
            last = Some((i, at));
            free_dead_registers(&mut uses, &mut free, op, i);
        }
        let mut program = Vec::with_capacity(body.len() + 16 + tiles.len() * 2);
        put_u32(&mut program, tiles.len() as u32);
        for (_, reads, writes) in &tiles {
            program.push(*reads as u8 | (*writes as u8) << 1);
        }
        put_u32(&mut program, values.len() as u32);
        put_u32(&mut program, nregs);
        put_u32(&mut program, encoded);
        put_u32(&mut program, sums.len() as u32);
        program.extend_from_slice(&body);
        Plan { tiles, values, sums, program, elided, forwarded, tile_slots, value_slots, sum_ops }
    }

    /// `fused[multiply,add,exp]` (long windows list their first operations).
    fn name(&self, ops: &[Op]) -> String {
        const SHOWN: usize = 12;
        let mut names: Vec<&str> = ops.iter().take(SHOWN).map(|o| o.kind.short_name()).collect();
        let more = ops.len().saturating_sub(SHOWN);
        let extra = if more > 0 { format!(",+{more}") } else { String::new() };
        names.dedup();
        format!("fused[{}{}]", names.join(","), extra)
    }
}

fn put_u32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

fn put_loc(buf: &mut Vec<u8>, loc: Loc) {
    match loc {
        Loc::Tile(k) => {
            buf.push(0);
            put_u32(buf, k);
        }
        Loc::Reg(r) => {
            buf.push(1);
            put_u32(buf, r);
        }
        Loc::Value(k) => {
            buf.push(3);
            put_u32(buf, k);
        }
        Loc::Sum(k) => {
            buf.push(4);
            put_u32(buf, k);
        }
    }
}

/// Returns to the pool the registers of storages `op` (the `i`-th operation) used for
/// the last time (after the operation: an operand may share the output's register).
fn free_dead_registers(uses: &mut [SlotUse], free: &mut Vec<u32>, op: &Op, i: usize) {
    for k in op.arg_slots.iter().copied().chain(std::iter::once(op.out_slot)).filter(|&k| k != NO_SLOT) {
        let u = &mut uses[k as usize];
        if u.last_use == i {
            if let Some(r) = u.reg.take() {
                free.push(r);
            }
        }
    }
}

/// One operation: kind (0 unary, 1 binary, 2 cast, 3 where, 4 dot), op code, operand and result type
/// codes, the operands (tile, register, scalar bytes, or broadcast value), the result.
/// Returns where the result's location starts in `buf` (it ends the operation).
fn encode_op(buf: &mut Vec<u8>, op: &Op, locs: &[Option<Loc>], out: Loc) -> usize {
    let (kind, code) = op.kind.code();
    buf.push(kind);
    put_u32(buf, code);
    buf.push(op.in_ty as u8);
    buf.push(op.out.ty().code() as u8);
    buf.push(op.kind.arity() as u8);
    for ((a, _), loc) in op.operands().zip(locs) {
        match (a, loc) {
            (Operand::Value(v), _) => {
                buf.push(2);
                buf.push(v.len);
                buf.extend_from_slice(v.bytes());
            }
            (Operand::Store(_), Some(l)) => put_loc(buf, *l),
            (Operand::Store(_), None) => unreachable!("a store operand has a location"),
        }
    }
    let at = buf.len();
    put_loc(buf, out);
    at
}
