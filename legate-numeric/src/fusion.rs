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

use crate::ops::{BinaryOp, UnaryOp};
use legate_core::{FlushHook, Library, LogicalStore, Point, Result, Runtime, Scalar, Type};
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
}

impl Kind {
    fn short_name(self) -> &'static str {
        match self {
            Kind::Unary(op) => op.name(),
            Kind::Binary(op) => op.numpy_name(),
            Kind::Convert => "cast",
            Kind::Where => "where",
        }
    }
}

pub(crate) enum Arg {
    Store(LogicalStore),
    Scalar(Scalar),
}

struct Op {
    kind: Kind,
    /// The operands' type (the source type of a cast).
    in_ty: Type,
    args: Vec<Arg>,
    out: LogicalStore,
}

/// How the window touched one storage so far.
struct Access {
    view: LogicalStore,
    written: bool,
    /// Read through more than one view (allowed only while nothing writes it).
    mixed: bool,
}

#[derive(Default)]
struct Window {
    ops: Vec<Op>,
    shape: Option<Point>,
    storages: HashMap<u64, Access>,
    /// Bytes of the stores the operations write.
    bytes: u64,
}

/// How many times `LEGATE_WINDOW_SIZE` operations a window of small stores may hold.
const LONG_WINDOWS: usize = 8;

/// Counters of what fusion did (tests check that it happens).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FusionStats {
    /// Fused tasks launched.
    pub tasks: u64,
    /// Operations they ran.
    pub ops: u64,
    /// Temporaries never written to memory (their arrays died in the window).
    pub elided: u64,
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
    tasks: AtomicU64,
    ops: AtomicU64,
    elided: AtomicU64,
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
    a.same_handle(b) || (a.same_storage(b) && a.map() == b.map() && a.shape() == b.shape() && a.ty() == b.ty())
}

/// Whether `s` is one element (a 0-d array, a reduction's result) broadcast over more:
/// a binary operation's operand that the fused task reads once, as a scalar, when it
/// runs (so a solver's step length computed on the device joins the vector updates).
/// Only binary operations take them (the kernels of the others read tiles).
fn broadcast_value(kind: Kind, s: &LogicalStore) -> bool {
    matches!(kind, Kind::Binary(_)) && !s.unbound() && s.volume() > 1 && s.storage().shape_now().is_some_and(|p| p.volume() == 1)
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
            tasks: AtomicU64::new(0),
            ops: AtomicU64::new(0),
            elided: AtomicU64::new(0),
        }
    }

    pub(crate) fn stats(&self) -> FusionStats {
        FusionStats { tasks: self.tasks.load(Ordering::Relaxed), ops: self.ops.load(Ordering::Relaxed), elided: self.elided.load(Ordering::Relaxed) }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.limit > 1
    }

    /// Holds back `out = kind(args)`; false when it must be launched on its own (the
    /// caller launches it, which flushes the window first).
    pub(crate) fn record(&self, rt: &Runtime, kind: Kind, in_ty: &Type, args: Vec<Arg>, out: &LogicalStore) -> Result<bool> {
        if !self.enabled() || !self.fusable(kind, in_ty, &args, out) {
            return Ok(false);
        }
        let shape = out.shape();
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        // (A loop: another thread may have added conflicting operations meanwhile.)
        while !w.ops.is_empty() && (w.shape.as_ref() != Some(&shape) || Self::conflicts(&w, &args, out)) {
            drop(w);
            self.flush(rt)?;
            w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        }
        w.shape = Some(shape);
        for a in &args {
            if let Arg::Store(s) = a {
                Self::note(&mut w, s, false);
            }
        }
        Self::note(&mut w, out, true);
        w.bytes += out.shape().volume().saturating_mul(out.ty().size().unwrap_or(1) as u64);
        w.ops.push(Op { kind, in_ty: in_ty.clone(), args, out: out.clone() });
        self.pending.store(true, Ordering::SeqCst);
        let n = w.ops.len();
        if n >= self.limit && (n >= self.limit.saturating_mul(LONG_WINDOWS) || w.bytes >= self.budget) {
            drop(w);
            self.flush(rt)?;
        }
        Ok(true)
    }

    /// Whether the operation can join a window at all (on its own terms).
    fn fusable(&self, kind: Kind, in_ty: &Type, args: &[Arg], out: &LogicalStore) -> bool {
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
        let shape = out.shape();
        if shape.volume() == 0 {
            return false;
        }
        args.iter().enumerate().all(|(i, a)| {
            let ty = if kind == Kind::Where && i == 0 { &Type::Bool } else { in_ty };
            match a {
                Arg::Scalar(s) => s.ty() == ty,
                Arg::Store(s) => {
                    // An input overlapping the output through another view needs the
                    // unfused copy semantics (all of it read before any of it written).
                    let plain = !s.is_future() || broadcast_value(kind, s);
                    plain && !s.unbound() && s.ty() == ty && s.shape() == shape && (!s.same_storage(out) || same_view(s, out))
                }
            }
        })
    }

    /// Whether adding the operation would let a write and another access to one
    /// storage go through different views.
    fn conflicts(w: &Window, args: &[Arg], out: &LogicalStore) -> bool {
        let check = |s: &LogicalStore, writes: bool| match w.storages.get(&s.storage().id()) {
            None => false,
            Some(a) => {
                let same = same_view(&a.view, s);
                (writes && (a.mixed || !same)) || (!same && a.written)
            }
        };
        args.iter().any(|a| matches!(a, Arg::Store(s) if check(s, false))) || check(out, true)
    }

    fn note(w: &mut Window, s: &LogicalStore, writes: bool) {
        let entry = w.storages.entry(s.storage().id()).or_insert_with(|| Access { view: s.clone(), written: false, mixed: false });
        if !same_view(&entry.view, s) {
            entry.mixed = true;
        }
        entry.written |= writes;
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
            std::mem::take(&mut *w)
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

    fn launch(&self, rt: &Runtime, mut w: Window) -> Result<()> {
        if w.ops.is_empty() {
            return Ok(());
        }
        w.storages.clear(); // its handles must not count as holders below
        let plan = Plan::new(&w.ops);
        self.tasks.fetch_add(1, Ordering::Relaxed);
        self.ops.fetch_add(w.ops.len() as u64, Ordering::Relaxed);
        self.elided.fetch_add(plan.elided as u64, Ordering::Relaxed);
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
        t.execute()
    }
}

/// A window turned into a program: the tiles (stores) it touches, the storages that
/// live in scratch blocks, and the encoded operations.
struct Plan {
    /// (view, read before written, written)
    tiles: Vec<(LogicalStore, bool, bool)>,
    /// Operands that are one element broadcast ([`broadcast_value`]).
    values: Vec<LogicalStore>,
    program: Vec<u8>,
    elided: usize,
}

/// Where an operand or result lives during one block.
#[derive(Clone, Copy)]
enum Loc {
    Tile(u32),
    Reg(u32),
    Value(u32),
}

impl Plan {
    fn new(ops: &[Op]) -> Plan {
        // Which storages only the window holds: every handle to them is one of ours.
        let mut handles: HashMap<u64, Vec<(&LogicalStore, usize)>> = HashMap::default();
        let mut order: Vec<u64> = Vec::new();
        let stores = ops.iter().flat_map(|op| op.args.iter().filter_map(|a| if let Arg::Store(s) = a { Some(s) } else { None }).chain(std::iter::once(&op.out)));
        for s in stores {
            let id = s.storage().id();
            let list = handles.entry(id).or_insert_with(|| {
                order.push(id);
                Vec::new()
            });
            match list.iter_mut().find(|(h, _)| h.same_handle(s)) {
                Some((_, n)) => *n += 1,
                None => list.push((s, 1)),
            }
        }
        let dead = |id: u64| -> bool {
            let list = &handles[&id];
            let storage = list[0].0.storage();
            Arc::strong_count(storage) == list.len() && list.iter().all(|(h, n)| h.handle_count() == *n)
        };
        // First access of each storage: a write (then a dead storage needs no memory).
        let mut first_write: HashMap<u64, bool> = HashMap::default();
        let mut last_use: HashMap<u64, usize> = HashMap::default();
        for (i, op) in ops.iter().enumerate() {
            for a in &op.args {
                if let Arg::Store(s) = a {
                    first_write.entry(s.storage().id()).or_insert(false);
                    last_use.insert(s.storage().id(), i);
                }
            }
            first_write.entry(op.out.storage().id()).or_insert(true);
            last_use.insert(op.out.storage().id(), i);
        }
        let in_reg: HashMap<u64, bool> = order.iter().map(|&id| (id, first_write[&id] && dead(id))).collect();

        // Tiles: each distinct view of a materialized storage (written storages have one).
        let mut tiles: Vec<(LogicalStore, bool, bool)> = Vec::new();
        let tile_of = |s: &LogicalStore, writes: bool, tiles: &mut Vec<(LogicalStore, bool, bool)>| -> u32 {
            let k = match tiles.iter().position(|(t, _, _)| same_view(t, s)) {
                Some(k) => k,
                None => {
                    tiles.push((s.clone(), false, false));
                    tiles.len() - 1
                }
            };
            if writes {
                tiles[k].2 = true;
            } else if !tiles[k].2 {
                tiles[k].1 = true;
            }
            k as u32
        };
        // Registers: one per scratch storage while it is in use, then reused.
        let mut reg_of: HashMap<u64, u32> = HashMap::default();
        let mut free: Vec<u32> = Vec::new();
        let mut nregs = 0u32;
        let mut elided = 0;
        let mut body = Vec::new();
        let mut values: Vec<LogicalStore> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let mut locs = Vec::with_capacity(2);
            for a in &op.args {
                match a {
                    Arg::Store(s) if broadcast_value(op.kind, s) => {
                        let k = values.iter().position(|v| same_view(v, s)).unwrap_or_else(|| {
                            values.push(s.clone());
                            values.len() - 1
                        });
                        locs.push(Some(Loc::Value(k as u32)));
                    }
                    Arg::Store(s) => {
                        let id = s.storage().id();
                        locs.push(Some(if in_reg[&id] { Loc::Reg(reg_of[&id]) } else { Loc::Tile(tile_of(s, false, &mut tiles)) }));
                    }
                    Arg::Scalar(_) => locs.push(None),
                }
            }
            let id = op.out.storage().id();
            let out = if in_reg[&id] {
                let r = *reg_of.entry(id).or_insert_with(|| {
                    elided += 1;
                    free.pop().unwrap_or_else(|| {
                        nregs += 1;
                        nregs - 1
                    })
                });
                Loc::Reg(r)
            } else {
                Loc::Tile(tile_of(&op.out, true, &mut tiles))
            };
            encode_op(&mut body, op, &locs, out);
            // Registers whose storage is not used again return to the pool (after the
            // operation: an operand may share the output's register).
            let used: Vec<u64> = op.args.iter().filter_map(|a| if let Arg::Store(s) = a { Some(s.storage().id()) } else { None }).chain(std::iter::once(id)).collect();
            for u in used {
                if last_use[&u] == i {
                    if let Some(r) = reg_of.remove(&u) {
                        free.push(r);
                    }
                }
            }
        }
        let mut program = Vec::with_capacity(body.len() + 16 + tiles.len() * 2);
        put_u32(&mut program, tiles.len() as u32);
        for (_, reads, writes) in &tiles {
            program.push(*reads as u8 | (*writes as u8) << 1);
        }
        put_u32(&mut program, values.len() as u32);
        put_u32(&mut program, nregs);
        put_u32(&mut program, ops.len() as u32);
        program.extend_from_slice(&body);
        Plan { tiles, values, program, elided }
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
    }
}

/// One operation: kind (0 unary, 1 binary, 2 cast, 3 where), op code, operand and result type
/// codes, the operands (tile, register, scalar bytes, or broadcast value), the result.
fn encode_op(buf: &mut Vec<u8>, op: &Op, locs: &[Option<Loc>], out: Loc) {
    let (kind, code) = match op.kind {
        Kind::Unary(u) => (0u8, u as u32),
        Kind::Binary(b) => (1, b as u32),
        Kind::Convert => (2, 0),
        Kind::Where => (3, 0),
    };
    buf.push(kind);
    put_u32(buf, code);
    buf.push(op.in_ty.code() as u8);
    buf.push(op.out.ty().code() as u8);
    buf.push(op.args.len() as u8);
    for (a, loc) in op.args.iter().zip(locs) {
        match (a, loc) {
            (Arg::Scalar(s), _) => {
                buf.push(2);
                buf.push(s.bytes().len() as u8);
                buf.extend_from_slice(s.bytes());
            }
            (Arg::Store(_), Some(l)) => put_loc(buf, *l),
            (Arg::Store(_), None) => unreachable!("a store operand has a location"),
        }
    }
    put_loc(buf, out);
}
