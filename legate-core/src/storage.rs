//! Storages: the backing data that logical stores are views of.
//!
//! A storage is a region of elements (its bytes in instances: on one rank one instance
//! in system memory holding all of them, laid out as the mapper chose; see
//! [`crate::coherence`]), a future (a single value that tasks may still be computing), or
//! unbound (no shape until the task that produces it binds its output). Ids are handed
//! out in creation order, so every rank issuing the same program agrees on them. The
//! storage also carries the scheduler's per-storage state: its recent accesses and its
//! key partition.

use crate::error::LegateError;
use crate::footprint::Footprint;
use crate::memory::Buffer;
use crate::partition::Tiling;
use crate::scheduler::AccessList;
use crate::shape::Point;
use crate::store::transform::AffineMap;
use crate::types::Type;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Row-major (C) or column-major (Fortran) instance layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    C,
    F,
}

/// What kind of backing a storage has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageKind {
    Region,
    Future,
}

/// The mutable part of a storage: its shape (None while unbound) and instance.
pub(crate) struct StorageData {
    pub shape: Option<Point>,
    /// This rank's instance: bytes `window_lo..window_lo + len` of the storage's dense
    /// linear layout (all of it on one rank; what this rank's points touch on several).
    pub buffer: Option<Arc<Buffer>>,
    pub window_lo: u64,
    /// Byte strides of the storage's dense layout, one per storage dimension.
    pub strides: Point,
    /// Boxed: most storages never get one, and every new storage's record is copied
    /// into its allocation (five points inline would make that copy twice as long).
    pub key_partition: Option<Box<Tiling>>,
    /// Replicated runs, an unbound storage once bound: which rank holds which bytes
    /// (each rank keeps the pieces its points produced).
    pub bound_holders: Vec<(u64, u64, usize)>,
}

impl StorageData {
    pub fn new(shape: Option<Point>, buffer: Option<Arc<Buffer>>, strides: Point) -> StorageData {
        StorageData { shape, buffer, window_lo: 0, strides, key_partition: None, bound_holders: Vec::new() }
    }
}

pub struct Storage {
    id: u64,
    ty: Type,
    kind: StorageKind,
    ndim: usize,
    data: Mutex<StorageData>,
    bound: Condvar,
    pub(crate) accesses: Mutex<AccessList>,
    /// Serializes folds of reduction contributions into this storage.
    pub(crate) fold_lock: Mutex<()>,
    /// Elements that failed or cancelled tasks should have written: reading them
    /// raises the failure until they are written again.
    poison: Mutex<Vec<Poison>>,
    /// Whether `poison` has entries (checked without the lock on every task).
    poisoned: AtomicBool,
    /// Replicated runs: who holds the latest version of which bytes (program thread).
    pub(crate) tracking: Mutex<Option<crate::coherence::Tracking>>,
    /// Image rectangles resolved from this storage's contents, and its write generation.
    pub(crate) images: Mutex<crate::image::ImageCache>,
    /// Created unbound, and the program has not yet waited for its shape. Until it
    /// has, what the program is told (and whether a wait agrees across ranks) must not
    /// depend on whether the producing task happens to have finished.
    unobserved: AtomicBool,
    /// How many host views ([`crate::host::HostView`]) of this storage are alive.
    pub(crate) host_views: AtomicUsize,
}

/// Elements of a storage spoiled by a failure, and the failure.
pub(crate) struct Poison {
    /// The operation whose task failed first (a task that read its output fails with
    /// the same operation id and error).
    pub op_id: u64,
    pub footprint: Footprint,
    pub error: LegateError,
}

/// Byte strides of a dense instance with `shape` and element size `elem`.
pub(crate) fn dense_strides(shape: &Point, elem: usize, layout: Layout) -> Point {
    let n = shape.ndim();
    let mut strides = Point::splat(n, 0);
    let mut acc = elem as i64;
    let mut step = |d: usize| {
        strides[d] = acc;
        acc *= shape[d].max(1);
    };
    match layout {
        Layout::C => (0..n).rev().for_each(&mut step),
        Layout::F => (0..n).for_each(&mut step),
    }
    strides
}

impl Storage {
    pub(crate) fn new(id: u64, ty: Type, kind: StorageKind, ndim: usize, data: StorageData) -> Arc<Storage> {
        let data_unbound = data.shape.is_none();
        Arc::new(Storage {
            id,
            ty,
            kind,
            ndim,
            data: Mutex::new(data),
            bound: Condvar::new(),
            accesses: Mutex::new(AccessList::default()),
            fold_lock: Mutex::new(()),
            poison: Mutex::new(Vec::new()),
            poisoned: AtomicBool::new(false),
            tracking: Mutex::new(None),
            images: Mutex::new(Default::default()),
            unobserved: AtomicBool::new(data_unbound),
            host_views: AtomicUsize::new(0),
        })
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn ty(&self) -> &Type {
        &self.ty
    }

    pub fn kind(&self) -> StorageKind {
        self.kind
    }

    pub fn ndim(&self) -> usize {
        self.ndim
    }

    /// An operation that writes this storage was launched, or the host writes it:
    /// image rectangles read from the old contents no longer hold.
    pub(crate) fn written(&self) {
        self.images.lock().unwrap_or_else(|e| e.into_inner()).invalidate();
    }

    pub(crate) fn data(&self) -> MutexGuard<'_, StorageData> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shape, or None while unbound.
    pub fn shape_now(&self) -> Option<Point> {
        self.data().shape.clone()
    }

    pub fn is_unbound(&self) -> bool {
        self.data().shape.is_none()
    }

    /// The shape as the program knows it: None for a storage created unbound until
    /// the program thread has waited for it ([`Storage::observe`]), however early its
    /// producer finished. Decisions the program makes from it are the same on every
    /// rank and in every run.
    pub fn shape_observed(&self) -> Option<Point> {
        if self.unobserved.load(Ordering::Acquire) {
            return None;
        }
        self.shape_now()
    }

    /// The program thread has waited for the shape (it is bound).
    pub(crate) fn observe(&self) {
        if !crate::executor::on_worker() && self.shape_now().is_some() {
            self.unobserved.store(false, Ordering::Release);
        }
    }

    /// Whether a task produces (or produced) this storage: it has accesses, or it is
    /// bound. (Checked in that order: a producer binds before its access is dropped.)
    pub(crate) fn has_producer(&self) -> bool {
        !self.accesses.lock().unwrap_or_else(|e| e.into_inner()).is_empty() || self.shape_now().is_some()
    }

    /// Blocks until the storage is bound and returns its shape.
    pub fn wait_shape(&self) -> Point {
        let mut d = self.data();
        loop {
            if let Some(s) = d.shape.clone() {
                return s;
            }
            d = self.bound.wait(d).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Gives an unbound storage its shape and instance (a window from `window_lo`,
    /// and who holds the rest on a replicated run).
    pub(crate) fn bind(&self, shape: Point, buffer: Arc<Buffer>, strides: Point, window_lo: u64, holders: Vec<(u64, u64, usize)>) {
        let mut d = self.data();
        d.shape = Some(shape);
        d.buffer = Some(buffer);
        d.window_lo = window_lo;
        d.strides = strides;
        d.bound_holders = holders;
        drop(d);
        self.bound.notify_all();
    }

    /// Whether the host holds views of this storage's instance (see [`crate::host`]).
    pub fn host_viewed(&self) -> bool {
        self.host_views.load(Ordering::Acquire) > 0
    }

    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    fn poison_list(&self) -> MutexGuard<'_, Vec<Poison>> {
        self.poison.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks `footprint` as spoiled by the failure `error` of operation `op_id`.
    pub(crate) fn poison(&self, op_id: u64, footprint: Footprint, error: LegateError) {
        let mut list = self.poison_list();
        list.push(Poison { op_id, footprint, error });
        self.poisoned.store(true, Ordering::Release);
    }

    /// The failure that spoiled an element of `footprint`, if any.
    pub(crate) fn poison_of(&self, footprint: &Footprint) -> Option<(u64, LegateError)> {
        if !self.is_poisoned() {
            return None;
        }
        // Poison of the whole storage spoils every read, an empty one too: an unbound
        // output whose producer failed is bound empty, and its emptiness is itself the
        // failed operation's (wrong) result.
        let spoils = |p: &&Poison| matches!(p.footprint, Footprint::All) || p.footprint.intersects(footprint);
        self.poison_list().iter().find(spoils).map(|p| (p.op_id, p.error.clone()))
    }

    /// `footprint` was written successfully: its elements are good again.
    pub(crate) fn cure(&self, footprint: &Footprint) {
        if !self.is_poisoned() {
            return;
        }
        let mut list = self.poison_list();
        for p in list.iter_mut() {
            if p.footprint.intersects(footprint) {
                p.footprint = p.footprint.subtract(footprint);
            }
        }
        list.retain(|p| !p.footprint.is_empty());
        self.poisoned.store(!list.is_empty(), Ordering::Release);
    }

    /// Whether this storage, which the caller holds alone (`&mut`), is as a new one: a
    /// region with an instance of its own, at most `max_bytes`, that no operation
    /// accessed, no failure spoiled and no rank or host view shares. If so its instance
    /// is marked spare (see [`Buffer::set_spare`]) and what it cached is forgotten: it
    /// waits to be a new store ([`crate::store::SpareStore`]).
    pub(crate) fn park(&mut self, max_bytes: usize) -> bool {
        if self.kind != StorageKind::Region || *self.unobserved.get_mut() || *self.host_views.get_mut() != 0 || *self.poisoned.get_mut() {
            return false;
        }
        if !self.accesses.get_mut().unwrap_or_else(|e| e.into_inner()).is_empty() || self.tracking.get_mut().unwrap_or_else(|e| e.into_inner()).is_some() {
            return false;
        }
        let d = self.data.get_mut().unwrap_or_else(|e| e.into_inner());
        if d.shape.is_none() || d.window_lo != 0 || !d.bound_holders.is_empty() {
            return false;
        }
        let Some(buffer) = d.buffer.as_mut().and_then(Arc::get_mut) else { return false };
        if buffer.is_foreign() || buffer.is_empty() || buffer.len() > max_bytes {
            return false;
        }
        buffer.set_spare(true);
        d.key_partition = None;
        *self.images.get_mut().unwrap_or_else(|e| e.into_inner()) = Default::default();
        true
    }

    /// A parked storage ([`Storage::park`]) as a new one numbered `id()`, if its
    /// instance has the byte strides `strides` (None: the caller knows it has).
    pub(crate) fn unpark(&mut self, id: impl FnOnce() -> u64, strides: Option<&Point>) -> bool {
        let d = self.data.get_mut().unwrap_or_else(|e| e.into_inner());
        if strides.is_some_and(|s| *s != d.strides) {
            return false;
        }
        let Some(buffer) = d.buffer.as_mut().and_then(Arc::get_mut) else { return false };
        buffer.set_spare(false);
        self.id = id();
        true
    }

    pub(crate) fn instance(&self) -> (Option<Arc<Buffer>>, Point) {
        let d = self.data();
        (d.buffer.clone(), d.strides.clone())
    }

    /// The address element offset 0 would have in this rank's instance (its window
    /// starts at `window_lo`; only addresses inside the window may be dereferenced;
    /// null when there is no instance), and the byte strides (into `strides`) and
    /// origin of view `map` of it (see [`AffineMap::view_strides`]).
    pub(crate) fn instance_origin(&self, map: &AffineMap, strides: &mut [i64]) -> (*mut u8, i64) {
        let d = self.data();
        let base = d.buffer.as_ref().map_or(std::ptr::null_mut(), |b| b.as_ptr().wrapping_sub(d.window_lo as usize));
        (base, map.view_strides_into(d.strides.as_slice(), strides))
    }

    /// The storage's dense linear layout (None while unbound or for variable-size types).
    pub(crate) fn linear_layout(&self) -> Option<crate::coherence::LinearLayout> {
        let d = self.data();
        Some(crate::coherence::LinearLayout { extents: d.shape.clone()?, strides: d.strides.clone(), elem: self.ty.size()? as u64 })
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({}, {}, {:?})", self.id, self.ty, self.shape_now())
    }
}
