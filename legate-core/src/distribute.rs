//! Lowering work onto several ranks (control replication, `shared/DESIGN.md` §4).
//!
//! Every rank runs this for every operation, in the same order, on the same inputs, so
//! every rank computes the same plan without a message: which rank runs which point
//! (blocked sharding, [`crate::replicate::Sharding`]), which bytes each point's rank
//! lacks and who sends them ([`crate::coherence::Validity`]), and how each rank's
//! window must grow. Each rank then makes nodes only for its own part:
//!
//! - *grow* — the window of a storage grows to cover a piece a local point touches (a
//!   local copy from the old window, charged to the memory);
//! - *send* — after the local writers of the bytes, pack them and send them (never
//!   waits for the receiver);
//! - *receive* — held until the bytes arrive (the receiver thread releases it), then
//!   unpacks them into the window; the local point reading them depends on it.
//!
//! These nodes take part in dependence analysis like point tasks (a grow writes the
//! whole storage, a send reads what it sends, a receive writes what it receives), so
//! nothing overwrites bytes a send still reads or reads a window before it is filled.
//!
//! Reductions and unbound outputs finish with one message from each rank to each other
//! rank (see [`contribute`]): a rank's reduction contributions (to every rank for a
//! future, which all fold identically in launch order; to rank 0, the home of a
//! region reduction), and the extents of the pieces its points bound.
//!
//! Host reads gather the whole store on every rank ([`gather`]); host writes give every
//! rank the whole store, since every rank writes the same values ([`host_write`]).

use crate::coherence::validity::{all, only};
use crate::coherence::{Holders, Ranges, Tracking, Validity};
use crate::error::{LegateError, Result};
use crate::executor::TaskNode;
use crate::footprint::Footprint;
use crate::memory::Memory;
use crate::point::Piece;
use crate::control::RunControl;
use crate::replicate::divergence::{Access as DivAccess, DivergenceError, OpDescription};
use crate::replicate::world::tag;
use crate::replicate::World;
use crate::runtime::{Runtime, RuntimeInner};
use crate::scheduler::{Access, Privilege};
use crate::shape::Point;
use crate::storage::Storage;
use crate::store::LogicalStore;
use legate_abi::VariantKind;
use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};

/// One point's (or one rank's) use of a piece of a store, as coherence sees it.
pub(crate) struct Touch {
    pub store: LogicalStore,
    pub rank: usize,
    pub footprint: Footprint,
    /// The rank needs the latest version of the piece before it runs.
    pub read: bool,
    /// After the operation, these ranks alone hold the piece's latest version.
    pub write: Option<Holders>,
}

/// The message index of an operation's finishing exchange (transfers use 0, 1, ...).
const FINISH_MESSAGE: u64 = (1 << 20) - 1;
/// The message index of every agreement (on an outcome, on image rectangles): one
/// index for all kinds, so that ranks agreeing on different things under one
/// operation id receive each other's message and report the divergence instead of
/// each waiting for a message the other never sends.
const AGREEMENT_MESSAGE: u64 = FINISH_MESSAGE - 1;

/// What an agreement is about (the first byte of its message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Agreement {
    Outcome = 1,
    Images = 2,
    Host = 3,
}

/// Exchanges this rank's part of agreement `kind` of operation `op_id`; every rank's
/// part, or an error when a rank was agreeing on something else.
fn agree_exchange(inner: &RuntimeInner, op_id: u64, kind: Agreement, part: &[u8]) -> Result<Vec<Vec<u8>>> {
    let me = inner.world.rank();
    let mut msg = Vec::with_capacity(part.len() + 1);
    msg.push(kind as u8);
    msg.extend_from_slice(part);
    let all = inner.world.exchange(tag(op_id, AGREEMENT_MESSAGE), &msg).map_err(|e| LegateError::RankFailed { rank: me, message: e.to_string() })?;
    let mut parts = Vec::with_capacity(all.len());
    for (rank, mut m) in all.into_iter().enumerate() {
        if m.first() != Some(&(kind as u8)) {
            let theirs = match m.first() {
                Some(1) => "an outcome",
                Some(2) => "image rectangles",
                Some(3) => "host bytes",
                _ => "something unknown",
            };
            return Err(LegateError::Diverged(format!(
                "rank {me}: at operation {op_id} rank {rank} agreed on {theirs} where this rank agreed on {}: \
                 the ranks' programs diverged (a decision that depends on timing, or on the rank)",
                match kind {
                    Agreement::Outcome => "an outcome",
                    Agreement::Images => "image rectangles",
                    Agreement::Host => "host bytes",
                }
            )));
        }
        m.remove(0);
        parts.push(m);
    }
    Ok(parts)
}

/// The processor kind auxiliary nodes run on.
pub(crate) fn aux_kind(inner: &RuntimeInner) -> VariantKind {
    if inner.executor.count(VariantKind::Cpu) > 0 {
        VariantKind::Cpu
    } else {
        VariantKind::Omp
    }
}

/// The coherence state of `storage`, made on first use for a storage an unbound
/// output bound (each rank holding the pieces its points produced).
fn tracking(storage: &Storage) -> MutexGuard<'_, Option<Tracking>> {
    let mut guard = storage.tracking.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none() {
        let d = storage.data();
        let total = d.shape.as_ref().map_or(0, |s| s.volume() * storage.ty().size().unwrap_or(0) as u64);
        let mut validity = Validity::new(total, 0);
        for &(lo, hi, r) in &d.bound_holders {
            validity.set_holders(only(r), &Ranges::one(lo, hi));
        }
        let window = d.buffer.as_ref().map_or((0, 0), |b| (d.window_lo, d.window_lo + b.len() as u64));
        *guard = Some(Tracking { validity, window });
    }
    guard
}

/// A planned transfer of one storage's bytes, with the footprint the scheduler orders
/// it by (a superset of what moves).
struct Move {
    from: usize,
    to: usize,
    ranges: Ranges,
    footprint: Footprint,
}

/// Plans the copies `touches` need, updates who holds what, and submits this rank's
/// grow, send and receive nodes (see the module docs). Runs on every rank alike.
pub(crate) fn prepare(inner: &RuntimeInner, op_id: u64, touches: &[Touch]) {
    let world = &inner.world;
    let me = world.rank();
    let kind = aux_kind(inner);
    // Touches grouped by storage, in first-touch order (the same on every rank).
    let mut order: Vec<u64> = Vec::new();
    let mut groups: HashMap<u64, Vec<&Touch>> = HashMap::new();
    for t in touches {
        let id = t.store.storage().id();
        groups.entry(id).or_insert_with(|| {
            order.push(id);
            Vec::new()
        });
        groups.get_mut(&id).expect("just made").push(t);
    }
    let mut message = 0u64;
    for id in order {
        let group = &groups[&id];
        let storage = group[0].store.storage().clone();
        let Some(layout) = storage.linear_layout() else { continue };
        let mut moves: Vec<Move> = Vec::new();
        let mut grow = None;
        {
            let mut guard = tracking(&storage);
            let tr = guard.as_mut().expect("made by tracking()");
            let mut adds: Vec<(usize, Ranges)> = Vec::new();
            let mut writes: Vec<(Holders, Ranges)> = Vec::new();
            for t in group {
                let (ranges, exact) = Ranges::of_footprint(&t.footprint, &layout);
                // A view of part of each element (`.real` of a complex store) writes
                // only part of the bytes it names.
                let whole_elements = t.store.ty().size() == storage.ty().size();
                let exact = exact && whole_elements && Footprint::is_exact_through(t.store.map());
                if ranges.is_empty() {
                    continue;
                }
                if t.rank == me {
                    let (lo, hi) = ranges.hull().expect("not empty");
                    if let Some(w) = tr.grown(lo, hi) {
                        tr.window = w;
                        grow = Some(w);
                    }
                }
                // A write said to cover more than it does must first hold all of it.
                if t.read || (t.write.is_some() && !exact) {
                    for tf in tr.validity.plan_need(t.rank, &ranges) {
                        let fp = if exact { t.footprint.clone() } else { Footprint::All };
                        adds.push((tf.to, tf.ranges.clone()));
                        match moves.iter_mut().find(|m| m.from == tf.from && m.to == tf.to) {
                            Some(m) => {
                                m.ranges = m.ranges.union(&tf.ranges);
                                m.footprint = m.footprint.union(&fp);
                            }
                            None => moves.push(Move { from: tf.from, to: tf.to, ranges: tf.ranges, footprint: fp }),
                        }
                    }
                }
                if let Some(h) = t.write {
                    writes.push((h, ranges));
                }
            }
            for (r, ranges) in adds {
                tr.validity.add_holder(r, &ranges);
            }
            for (h, ranges) in writes {
                tr.validity.set_holders(h, &ranges);
            }
        }
        if debug_plan() {
            eprintln!("[rank {me}] op {op_id} storage {id}: {} touches, grow {grow:?}, moves {:?}", group.len(), moves.iter().map(|m| (m.from, m.to, m.ranges.bytes())).collect::<Vec<_>>());
        }
        if let Some(w) = grow {
            submit_grow(inner, op_id, kind, &storage, w);
        }
        for m in moves {
            let tag = tag(op_id, message);
            message += 1;
            if m.from == me {
                submit_send(inner, op_id, kind, &storage, m.to, tag, m.ranges, m.footprint);
            } else if m.to == me {
                submit_recv(inner, op_id, kind, &storage, m.from, tag, m.ranges, m.footprint);
            }
        }
    }
}

/// Wires `node` after the accesses it conflicts with, records its own access, and
/// submits it.
fn submit_aux(inner: &RuntimeInner, storage: &Storage, node: Arc<TaskNode>, footprint: Footprint, privilege: Privilege) {
    let mut list = storage.accesses.lock().unwrap_or_else(|e| e.into_inner());
    for e in list.conflicts(&footprint, privilege) {
        node.depend_on(&e.node);
    }
    list.record(Access { node: node.clone(), footprint, privilege });
    drop(list);
    inner.executor.submit(node);
}

fn aux_node(inner: &RuntimeInner, op_id: u64, kind: VariantKind, name: String) -> Arc<TaskNode> {
    let node = TaskNode::new(op_id, Point::empty(), name.into(), kind);
    inner.executor.admit();
    node
}

/// What a failed transfer or window spoils: the bytes it should have provided.
fn spoil(control: &RunControl, storage: &Storage, op_id: u64, footprint: Footprint, err: LegateError) {
    tracing::warn!(op_id, error = %err, "data movement failed");
    control.record_failure(op_id, err.clone());
    storage.poison(op_id, footprint, err);
}

fn submit_grow(inner: &RuntimeInner, op_id: u64, kind: VariantKind, storage: &Arc<Storage>, window: (u64, u64)) {
    let node = aux_node(inner, op_id, kind, format!("instance of storage {} (grow)", storage.id()));
    let (st, mem, world, control): (Arc<Storage>, Arc<Memory>, Arc<World>, Arc<RunControl>) =
        (storage.clone(), inner.sysmem.clone(), inner.world.clone(), inner.control.clone());
    node.set_work(move |_| {
        let (lo, hi) = window;
        match mem.allocate((hi - lo) as usize) {
            Ok(fresh) => {
                let mut d = st.data();
                if let Some(old) = &d.buffer {
                    let (olo, ohi) = (d.window_lo, d.window_lo + old.len() as u64);
                    let (a, b) = (olo.max(lo), ohi.min(hi));
                    if a < b {
                        // SAFETY: both windows cover [a, b); every task using the old
                        // one has finished (this node writes the whole storage).
                        unsafe {
                            fresh.as_mut_slice()[(a - lo) as usize..(b - lo) as usize]
                                .copy_from_slice(&old.as_slice()[(a - olo) as usize..(b - olo) as usize]);
                        }
                        world.count_local_copy(b - a);
                    }
                }
                d.buffer = Some(Arc::new(fresh));
                d.window_lo = lo;
            }
            Err(e) => spoil(&control, &st, op_id, Footprint::All, e),
        }
    });
    submit_aux(inner, storage, node, Footprint::All, Privilege::Write);
}

#[allow(clippy::too_many_arguments)]
fn submit_send(inner: &RuntimeInner, op_id: u64, kind: VariantKind, storage: &Arc<Storage>, to: usize, tag: u64, ranges: Ranges, footprint: Footprint) {
    let node = aux_node(inner, op_id, kind, format!("send storage {} to rank {to}", storage.id()));
    let (st, world, control, fp) = (storage.clone(), inner.world.clone(), inner.control.clone(), footprint.clone());
    node.set_work(move |_| {
        let mut msg = Vec::with_capacity(1 + ranges.bytes() as usize);
        match st.poison_of(&fp) {
            // The bytes were never computed: pass the failure on instead.
            Some((_, err)) => {
                msg.push(1);
                msg.extend_from_slice(err.to_string().as_bytes());
            }
            None => {
                msg.push(0);
                let d = st.data();
                let Some(buf) = d.buffer.as_ref() else {
                    drop(d);
                    let err = LegateError::RankFailed { rank: world.rank(), message: format!("storage {} has no instance to send from", st.id()) };
                    control.record_failure(op_id, err);
                    return;
                };
                let lo = d.window_lo;
                for &(a, b) in ranges.iter() {
                    // SAFETY: the window covers what this rank holds; writers finished.
                    msg.extend_from_slice(unsafe { &buf.as_slice()[(a - lo) as usize..(b - lo) as usize] });
                }
            }
        }
        if let Err(message) = world.send(to, tag, &msg) {
            control.record_failure(op_id, LegateError::RankFailed { rank: world.rank(), message });
        }
    });
    submit_aux(inner, storage, node, footprint, Privilege::Read);
}

#[allow(clippy::too_many_arguments)]
fn submit_recv(inner: &RuntimeInner, op_id: u64, kind: VariantKind, storage: &Arc<Storage>, from: usize, tag: u64, ranges: Ranges, footprint: Footprint) {
    let node = aux_node(inner, op_id, kind, format!("receive storage {} from rank {from}", storage.id()));
    let slot = inner.world.expect(from, tag, &node);
    let (st, world, control, fp) = (storage.clone(), inner.world.clone(), inner.control.clone(), footprint.clone());
    node.set_work(move |_| {
        let got = slot.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_else(|| Err("the message was lost".into()));
        let fail = |message: String| spoil(&control, &st, op_id, fp.clone(), LegateError::RankFailed { rank: from, message });
        match got {
            Ok(msg) if msg.first() == Some(&0) && msg.len() as u64 == 1 + ranges.bytes() => {
                let d = st.data();
                let Some(buf) = d.buffer.as_ref() else {
                    drop(d);
                    return fail(format!("storage {} has no window to receive into", st.id()));
                };
                let (lo, mut at) = (d.window_lo, 1usize);
                for &(a, b) in ranges.iter() {
                    let n = (b - a) as usize;
                    // SAFETY: the window was grown to cover the piece before this node.
                    unsafe { buf.as_mut_slice()[(a - lo) as usize..(b - lo) as usize].copy_from_slice(&msg[at..at + n]) };
                    at += n;
                }
                world.count_received(ranges.bytes());
            }
            Ok(msg) if msg.first() == Some(&1) => fail(String::from_utf8_lossy(&msg[1..]).into_owned()),
            Ok(msg) => fail(format!("a transfer of {} bytes arrived as {} bytes", ranges.bytes(), msg.len().saturating_sub(1))),
            Err(message) => fail(message),
        }
    });
    submit_aux(inner, storage, node, footprint, Privilege::Write);
}

/// Records an operation in the stream every rank must issue alike; with `check`, also
/// compares the stream with every other rank now (before a blocking wait: ranks that
/// diverged would otherwise wait for each other's messages until the timeout).
pub(crate) fn record_op(inner: &RuntimeInner, describe: impl FnOnce() -> OpDescription, check: bool) -> Result<()> {
    let mut guard = inner.divergence.lock().unwrap_or_else(|e| e.into_inner());
    let Some(d) = guard.as_mut() else { return Ok(()) };
    let outcome = d.record(&describe()).and_then(|_| if check { d.check() } else { Ok(()) });
    outcome.map_err(|e| match e {
        DivergenceError::Diverged(div) => LegateError::Diverged(format!("rank {}: {div}", inner.world.rank())),
        other => LegateError::RankFailed { rank: inner.world.rank(), message: other.to_string() },
    })
}

/// A store argument as the divergence check sees it.
pub(crate) fn describe_store(d: OpDescription, store: &LogicalStore, access: DivAccess) -> OpDescription {
    let shape = if store.unbound() { Vec::new() } else { store.shape().as_slice().to_vec() };
    d.store(store.storage().id(), access, &shape)
}

/// Host reads on a replicated run: every rank gathers the whole view (every rank
/// issues the same read, so every rank takes part). Waiting is the caller's.
pub(crate) fn gather(rt: &Runtime, store: &LogicalStore) -> Result<()> {
    let inner = &rt.inner;
    if !inner.world.replicated() || store.unbound() || store.ty().size().is_none() {
        return Ok(());
    }
    record_op(inner, || describe_store(OpDescription::new("read"), store, DivAccess::Read), true)?;
    let _submit = inner.submit_lock.lock().unwrap_or_else(|e| e.into_inner());
    let op_id = inner.next_op.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let footprint = Footprint::of_rect(store.map(), &store.full_rect());
    let touches: Vec<Touch> = (0..inner.world.size())
        .map(|rank| Touch { store: store.clone(), rank, footprint: footprint.clone(), read: true, write: None })
        .collect();
    prepare(inner, op_id, &touches);
    Ok(())
}

/// Before the host writes `store` on a replicated run: every rank gathers the whole
/// storage, and then holds all of it (each writes the same values). Waits until no
/// task touches the storage.
pub(crate) fn host_write(rt: &Runtime, store: &LogicalStore) -> Result<()> {
    let inner = &rt.inner;
    if !inner.world.replicated() {
        return Ok(());
    }
    record_op(inner, || describe_store(OpDescription::new("write"), store, DivAccess::Write), false)?;
    let whole = LogicalStore::from_storage(store.storage().clone());
    gather(rt, &whole)?;
    rt.wait_store_idle(&whole);
    let storage = store.storage();
    let mut guard = tracking(storage);
    let tr = guard.as_mut().expect("made by tracking()");
    let total = tr.validity.total();
    tr.validity.set_holders(all(inner.world.size()), &Ranges::one(0, total));
    Ok(())
}

/// State that ranks must agree on at every blocking wait besides errors (for example,
/// `legate_numeric`'s floating-point warnings: the points that raise them ran on some
/// ranks only, and every rank must warn alike). `local` takes this rank's part since
/// the last agreement; `merge` gets every rank's part, in rank order.
pub trait AgreementHook: Send + Sync {
    fn local(&self) -> Vec<u8>;
    fn merge(&self, parts: &[Vec<u8>]);
}

/// The error every rank raises for a throwing operation (whose points ran on some
/// ranks only): each rank's own outcome, exchanged, and the lowest failing rank's
/// error, rebuilt, so that all ranks raise the same exception. Agreement hooks ride
/// along.
pub(crate) fn agree_on_error(inner: &RuntimeInner, op_id: u64, mine: Result<()>) -> Result<()> {
    if !inner.world.replicated() {
        return mine;
    }
    let hooks: Vec<Arc<dyn AgreementHook>> = inner.agreement_hooks.read().unwrap_or_else(|e| e.into_inner()).clone();
    let mut msg = Vec::new();
    let mut part = |bytes: &[u8]| {
        msg.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        msg.extend_from_slice(bytes);
    };
    part(&match &mine {
        Ok(()) => Vec::new(),
        Err(e) => e.to_wire(),
    });
    for h in &hooks {
        part(&h.local());
    }
    let me = inner.world.rank();
    let all = agree_exchange(inner, op_id, Agreement::Outcome, &msg)?;
    // Each rank's message: its error, then one part per hook.
    let mut split: Vec<Vec<Vec<u8>>> = Vec::with_capacity(all.len());
    for (rank, m) in all.iter().enumerate() {
        let mut parts = Vec::new();
        let mut at = 0usize;
        while at + 8 <= m.len() {
            let n = u64::from_le_bytes(m[at..at + 8].try_into().expect("8 bytes")) as usize;
            let Some(p) = m.get(at + 8..at + 8 + n) else { break };
            parts.push(p.to_vec());
            at += 8 + n;
        }
        if parts.len() != 1 + hooks.len() {
            return Err(LegateError::RankFailed { rank, message: "sent a malformed agreement (the ranks diverged)".into() });
        }
        split.push(parts);
    }
    for (k, h) in hooks.iter().enumerate() {
        let parts: Vec<Vec<u8>> = split.iter().map(|p| p[1 + k].clone()).collect();
        h.merge(&parts);
    }
    match split.iter().enumerate().find(|(_, p)| !p[0].is_empty()) {
        Some((rank, _)) if rank == me => mine,
        Some((rank, p)) => Err(LegateError::from_wire(rank, &p[0])),
        None => Ok(()),
    }
}

/// [`agree_on_error`] for a blocking wait of the program (a fence, a wait for a
/// store): an operation of its own, so its messages have their own tags.
pub(crate) fn agree_now(inner: &RuntimeInner, mine: Result<()>) -> Result<()> {
    if !inner.world.replicated() {
        return mine;
    }
    let op_id = {
        let _submit = inner.submit_lock.lock().unwrap_or_else(|e| e.into_inner());
        inner.next_op.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    };
    agree_on_error(inner, op_id, mine)
}

/// Every rank's `mine`, in rank order, exchanged at a point of the program that every
/// rank reaches alike (an operation of its own, checked for divergence): what one
/// rank did on the host (rank 0 writing a file) made known to the others, which wait
/// for it. One rank: just `mine`.
pub(crate) fn exchange_host(inner: &RuntimeInner, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
    if !inner.world.replicated() {
        return Ok(vec![mine.to_vec()]);
    }
    record_op(inner, || OpDescription::new("host exchange"), true)?;
    let op_id = {
        let _submit = inner.submit_lock.lock().unwrap_or_else(|e| e.into_inner());
        inner.next_op.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    };
    agree_exchange(inner, op_id, Agreement::Host, mine)
}

/// `LEGATE_DEBUG_PLAN`: print each replicated operation's data movement (read once).
fn debug_plan() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("LEGATE_DEBUG_PLAN").is_some())
}

/// The tag of an operation's finishing exchange.
pub(crate) fn finish_tag(op_id: u64) -> u64 {
    tag(op_id, FINISH_MESSAGE)
}

/// One image rectangle a replicated launch must learn: the source piece and who reads it.
struct Unresolved {
    source: LogicalStore,
    source_rect: crate::shape::Rect,
    kind: crate::partition::ImageKind,
    extents: Point,
    generation: u64,
    /// The rank that resolves it (the owner of the first point that needs it).
    rank: usize,
}

/// The level of an image chain at `depth` (0: the piece itself).
fn level_mut(piece: &mut Piece, depth: usize) -> Option<&mut crate::image::ImagePiece> {
    let Piece::Image(p) = piece else { return None };
    if depth == 0 {
        Some(p)
    } else {
        level_mut(&mut p.source_piece, depth - 1)
    }
}

/// Replicated runs: the image rectangles of a launch that no rank has cached are
/// resolved by all ranks together, so every rank plans the same exact transfers.
/// Each rank brings the source pieces its points need up to date (planned alike
/// everywhere), waits for them, reads them, and the ranks exchange what they found;
/// every rank then caches the same rectangles (a solver loop pays this once).
/// Chains resolve one level per round. A rectangle the owner could not resolve (a
/// spoiled or ill-typed source) stays unknown on every rank: the whole store is then
/// used for reads, and writes through it are refused.
pub(crate) fn agree_on_images(inner: &RuntimeInner, colors: &Point, pieces: &mut [Vec<(Piece, Footprint)>]) -> Result<()> {
    use crate::image::{compute_rect, ImageKey};
    let world = &inner.world;
    let me = world.rank();
    let sharding = crate::replicate::Sharding::of_extents(colors, world.size());
    let mut failed: std::collections::HashSet<(u64, ImageKey)> = std::collections::HashSet::new();
    loop {
        // The innermost unknown level of each piece, deduplicated by source and key.
        let mut todo: Vec<Unresolved> = Vec::new();
        let mut index: HashMap<(u64, ImageKey), usize> = HashMap::new();
        let mut users: Vec<(usize, usize, usize, usize)> = Vec::new(); // (point, arg, depth, todo)
        for (i, row) in pieces.iter_mut().enumerate() {
            for (a, (piece, _)) in row.iter_mut().enumerate() {
                let mut depth = 0;
                while level_mut(piece, depth + 1).is_some_and(|p| p.known.is_none()) {
                    depth += 1;
                }
                let Some(p) = level_mut(piece, depth) else { continue };
                let (Some(src_rect), None) = (p.source_rect(), p.known.clone()) else { continue };
                let key = (p.source.storage().id(), ImageKey::new(&p.source, &src_rect, p.kind, &p.extents));
                if failed.contains(&key) {
                    continue;
                }
                let k = *index.entry(key).or_insert_with(|| {
                    todo.push(Unresolved {
                        source: p.source.clone(),
                        source_rect: src_rect,
                        kind: p.kind,
                        extents: p.extents.clone(),
                        generation: p.generation,
                        rank: sharding.owner_of_index(i as u64),
                    });
                    todo.len() - 1
                });
                users.push((i, a, depth, k));
            }
        }
        if todo.is_empty() {
            return Ok(());
        }
        // Messages of their own (the launch's submit lock is held: ids agree on all ranks).
        let op_id = inner.next_op.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let touches: Vec<Touch> = todo
            .iter()
            .map(|u| Touch { store: u.source.clone(), rank: u.rank, footprint: Footprint::of_rect(u.source.map(), &u.source_rect), read: true, write: None })
            .collect();
        prepare(inner, op_id, &touches);
        let mut waits = Vec::new();
        for (u, t) in todo.iter().zip(&touches).filter(|(u, _)| u.rank == me) {
            let list = u.source.storage().accesses.lock().unwrap_or_else(|e| e.into_inner());
            waits.extend(list.pending_writers_of(&t.footprint));
        }
        inner.executor.wait(&waits);
        // This rank's answers: (index, found, lo, hi) each.
        let mut msg = Vec::new();
        for (k, (u, t)) in todo.iter().zip(&touches).enumerate().filter(|(_, (u, _))| u.rank == me) {
            let spoiled = u.source.storage().poison_of(&t.footprint).is_some();
            let found = if spoiled { None } else { compute_rect(&u.source, &u.source_rect, u.kind, &u.extents).ok() };
            msg.extend_from_slice(&(k as u64).to_le_bytes());
            msg.push(found.is_some() as u8);
            let r = found.unwrap_or_else(|| crate::shape::Rect::from_extents(&Point::splat(u.extents.ndim(), 0)));
            for &x in r.lo.as_slice().iter().chain(r.hi.as_slice()) {
                msg.extend_from_slice(&x.to_le_bytes());
            }
        }
        let all = agree_exchange(inner, op_id, Agreement::Images, &msg)?;
        let mut found: Vec<Option<crate::shape::Rect>> = vec![None; todo.len()];
        let mut answered = vec![false; todo.len()];
        for (rank, m) in all.iter().enumerate() {
            let mut at = 0usize;
            let word = |at: &mut usize| -> Option<i64> {
                let b = m.get(*at..*at + 8)?;
                *at += 8;
                Some(i64::from_le_bytes(b.try_into().ok()?))
            };
            while at < m.len() {
                let malformed = || LegateError::RankFailed { rank, message: "sent a malformed image agreement (the ranks diverged)".into() };
                let k = word(&mut at).ok_or_else(malformed)? as usize;
                let ok = *m.get(at).ok_or_else(malformed)? == 1;
                at += 1;
                let u = todo.get(k).ok_or_else(malformed)?;
                let n = u.extents.ndim();
                let (mut lo, mut hi) = (Point::splat(n, 0), Point::splat(n, 0));
                for d in 0..n {
                    lo[d] = word(&mut at).ok_or_else(malformed)?;
                }
                for d in 0..n {
                    hi[d] = word(&mut at).ok_or_else(malformed)?;
                }
                answered[k] = true;
                if ok {
                    found[k] = Some(crate::shape::Rect::new(lo, hi));
                }
            }
        }
        for (k, u) in todo.iter().enumerate() {
            let key = ImageKey::new(&u.source, &u.source_rect, u.kind, &u.extents);
            match found[k].clone() {
                Some(r) if answered[k] => {
                    let mut cache = u.source.storage().images.lock().unwrap_or_else(|e| e.into_inner());
                    cache.stats.launch_reads += (u.rank == me) as u64;
                    cache.insert(u.generation, key, r);
                }
                _ => {
                    failed.insert((u.source.storage().id(), key));
                }
            }
        }
        for (i, a, depth, k) in users {
            if let (Some(r), Some(p)) = (found[k].clone(), level_mut(&mut pieces[i][a].0, depth)) {
                p.known = Some(r);
            }
        }
    }
}
