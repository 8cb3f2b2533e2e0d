//! Image pieces: the rectangle of a destination store that a source piece names
//! (half-open ranges or points), computed from the source's contents.
//!
//! A point task resolves its image pieces when it runs, after the source's writers.
//! The launching thread resolves them as well whenever it can do so without waiting —
//! the source piece has no pending writer, or its rectangle is cached — so that
//! dependence analysis, conflicts between the points of a launch and (on several
//! ranks) data movement use the exact rectangle instead of the whole store. Chains
//! (an image of an image: `x` through `crd` through `pos`) resolve level by level.
//!
//! Rectangles are cached per source storage ([`ImageCache`]), keyed by the source
//! view, piece, kind and destination extents. Launching anything that writes the
//! storage (or a host write) moves its *write generation* on and empties the cache,
//! so a solver loop that launches the same SpMV every iteration reads `pos` once.

use crate::footprint::Footprint;
use crate::partition::ImageKind;
use crate::shape::{DimVec, Point, Rect};
use crate::store::transform::AffineMap;
use crate::store::LogicalStore;
use crate::types::Type;
use legate_abi::{PhysicalStore, TypeCode};
use rustc_hash::FxHashMap as HashMap;

/// A point's image piece of one argument (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct ImagePiece {
    pub source: LogicalStore,
    /// The source's own piece: a rectangle, or an image itself (a chain).
    pub source_piece: crate::point::Piece,
    pub kind: ImageKind,
    /// The destination's extents (what the rectangle is clipped to).
    pub extents: Point,
    /// The source storage's write generation at launch: what the point will read.
    pub generation: u64,
    /// The rectangle, when known at launch (then the point does not read the source).
    pub known: Option<Rect>,
    /// Whether the point may cache what it resolves (not on several ranks, whose
    /// caches must stay alike: there only agreed rectangles are cached).
    pub cache_at_run: bool,
}

/// What identifies an image rectangle within one source storage and generation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ImageKey {
    map: AffineMap,
    ty: Type,
    rect: Rect,
    kind: ImageKind,
    extents: Point,
}

impl ImageKey {
    pub fn new(source: &LogicalStore, rect: &Rect, kind: ImageKind, extents: &Point) -> ImageKey {
        ImageKey { map: source.map().clone(), ty: source.ty().clone(), rect: rect.clone(), kind, extents: extents.clone() }
    }
}

/// How often a storage's contents were read to resolve images, and cache hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImageStats {
    /// Passes over a source piece on the launching thread.
    pub launch_reads: u64,
    /// Passes over a source piece by a point task (its rectangle was not known at launch).
    pub run_reads: u64,
    /// Launch-time look-ups answered by the cache.
    pub hits: u64,
    /// Times the cache was emptied because the storage was written.
    pub invalidations: u64,
}

/// The most rectangles one storage caches (a bound on memory; emptied when full).
const MAX_ENTRIES: usize = 1 << 10;

/// Image rectangles resolved from one storage's contents (see the module docs).
#[derive(Default)]
pub(crate) struct ImageCache {
    generation: u64,
    /// (FxHash: a std map's random seed is read from thread-local state for every new
    /// storage, which each small operation's result is.)
    entries: HashMap<ImageKey, Rect>,
    pub stats: ImageStats,
}

impl ImageCache {
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The storage is about to be written: what was cached no longer holds.
    pub fn invalidate(&mut self) {
        self.generation += 1;
        if !self.entries.is_empty() {
            self.entries.clear();
            self.stats.invalidations += 1;
        }
    }

    pub fn get(&mut self, key: &ImageKey) -> Option<Rect> {
        let hit = self.entries.get(key).cloned();
        if hit.is_some() {
            self.stats.hits += 1;
        }
        hit
    }

    /// Caches `rect`, resolved from the contents of generation `generation` (ignored
    /// when the storage has been written since).
    pub fn insert(&mut self, generation: u64, key: ImageKey, rect: Rect) {
        if generation != self.generation {
            return;
        }
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries.insert(key, rect);
    }
}

impl ImagePiece {
    /// The source piece's rectangle, if known now.
    pub fn source_rect(&self) -> Option<Rect> {
        self.source_piece.rect_now().cloned()
    }

    /// Resolves the piece when the point runs (the source's writers have finished):
    /// the known rectangle, or the source's contents read now (and cached).
    pub fn resolve(&self) -> Result<Rect, String> {
        let extents = &self.extents;
        if let Some(r) = self.known.clone() {
            return Ok(r);
        }
        let src_rect = self.source_piece.resolve()?;
        let storage = self.source.storage();
        let rect = compute_rect(&self.source, &src_rect, self.kind, extents)?;
        // A spoiled source fails the point (see `point::run_point`): cache nothing.
        let spoiled = storage.poison_of(&Footprint::of_rect(self.source.map(), &src_rect)).is_some();
        let mut cache = storage.images.lock().unwrap_or_else(|e| e.into_inner());
        cache.stats.run_reads += 1;
        if self.cache_at_run && !spoiled {
            cache.insert(self.generation, ImageKey::new(&self.source, &src_rect, self.kind, extents), rect.clone());
        }
        Ok(rect)
    }

    /// The source accesses of this piece and of the pieces it derives from: (store,
    /// footprint) for each level of the chain (the whole storage where unknown).
    pub fn source_reads(&self) -> Vec<(LogicalStore, Footprint)> {
        let mut out = Vec::new();
        let mut piece = Some(self);
        while let Some(p) = piece {
            let fp = p.source_rect().map_or(Footprint::All, |r| Footprint::of_rect(p.source.map(), &r));
            out.push((p.source.clone(), fp));
            piece = match &p.source_piece {
                crate::point::Piece::Image(inner) => Some(inner),
                crate::point::Piece::Rect(_) => None,
            };
        }
        out
    }
}

/// How the launching thread may learn image rectangles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LaunchKnowledge {
    /// One rank: from the cache, or by reading a source piece no pending task writes.
    Local,
    /// Several ranks: from the cache only (every rank must decide alike; misses are
    /// resolved together, see `crate::distribute::agree_on_images`).
    Agreed,
}

/// The image piece of a destination of `extents` named by `source`'s piece
/// `source_piece`, with its rectangle when the launching thread can know it now.
pub(crate) fn image_piece(source: &LogicalStore, source_piece: crate::point::Piece, kind: ImageKind, extents: &Point, knowledge: LaunchKnowledge) -> ImagePiece {
    let storage = source.storage();
    let mut piece = ImagePiece {
        source: source.clone(),
        source_piece,
        kind,
        extents: extents.clone(),
        generation: 0,
        known: None,
        cache_at_run: knowledge == LaunchKnowledge::Local,
    };
    let src_rect = piece.source_rect();
    let mut cache = storage.images.lock().unwrap_or_else(|e| e.into_inner());
    piece.generation = cache.generation();
    let Some(src_rect) = src_rect else { return piece };
    let key = ImageKey::new(source, &src_rect, kind, extents);
    if let Some(r) = cache.get(&key) {
        piece.known = Some(r);
        return piece;
    }
    if knowledge == LaunchKnowledge::Local && ready(source, &src_rect) {
        // Sound: no pending task writes the piece, and tasks launched later that do
        // are ordered after this launch's read of it.
        if let Ok(r) = compute_rect(source, &src_rect, kind, extents) {
            cache.stats.launch_reads += 1;
            cache.insert(piece.generation, key, r.clone());
            piece.known = Some(r);
        }
    }
    piece
}

/// Whether `rect` of `source` can be read now: bound, computed (no pending writer in
/// its storage's access list) and not spoiled by a failure.
pub(crate) fn ready(source: &LogicalStore, rect: &Rect) -> bool {
    let storage = source.storage();
    if source.shape_if_known().is_none() || source.is_future() {
        return false;
    }
    let fp = Footprint::of_rect(source.map(), rect);
    if storage.accesses.lock().unwrap_or_else(|e| e.into_inner()).has_pending_writer(&fp) {
        return false;
    }
    storage.instance().0.is_some() && storage.poison_of(&fp).is_none()
}

/// The bounding rectangle of what `source`'s piece `source_rect` names, clipped to
/// `extents`. The caller guarantees that no task writes the piece meanwhile.
pub(crate) fn compute_rect(source: &LogicalStore, source_rect: &Rect, kind: ImageKind, extents: &Point) -> Result<Rect, String> {
    let spill = legate_abi::raw::DimSpill::default();
    let raw = crate::point::raw_store(source, source_rect, &spill);
    // SAFETY: the piece's writers have finished and none can start (the caller's).
    let piece = unsafe { PhysicalStore::from_raw(raw) };
    let n = extents.ndim();
    let mut lo = Point::splat(n, i64::MAX);
    let mut hi = Point::splat(n, i64::MIN);
    let mut any = false;
    let mut include = |l: &[i64], h: &[i64]| {
        for d in 0..n {
            lo[d] = lo[d].min(l[d]);
            hi[d] = hi[d].max(h[d]);
        }
        any = true;
    };
    match kind {
        ImageKind::Ranges => {
            if n != 1 {
                return Err("a range image needs a 1-d destination".into());
            }
            let v = piece.view::<[i64; 2]>().map_err(|e| format!("range image source: {e}"))?;
            // A tight loop over contiguous ranges (the usual `pos`): one pass per cache miss.
            let (mut l, mut h) = (i64::MAX, i64::MIN);
            let mut fold = |r: &[i64; 2]| {
                if r[1] > r[0] {
                    l = l.min(r[0]);
                    h = h.max(r[1]);
                }
            };
            match v.as_slice_memory_order() {
                Some(s) => s.iter().for_each(&mut fold),
                None => v.iter().for_each(&mut fold),
            }
            if l < h {
                include(&[l], &[h]);
            }
        }
        ImageKind::Points => {
            if n == 1 && piece.type_code() == Some(TypeCode::Int64) {
                let v = piece.view::<i64>().map_err(|e| e.to_string())?;
                let minmax = |(l, h): (i64, i64), &p: &i64| (l.min(p), h.max(p));
                let (l, h) = match v.as_slice_memory_order() {
                    Some(s) => s.iter().fold((i64::MAX, i64::MIN), minmax),
                    None => v.iter().fold((i64::MAX, i64::MIN), minmax),
                };
                if !v.is_empty() {
                    include(&[l], &[h.saturating_add(1)]);
                }
            } else {
                if piece.elem_size() != 8 * n || piece.type_code() != Some(TypeCode::FixedArray) {
                    return Err(format!("a point image onto a {n}-d store needs int64[{n}] points"));
                }
                let (mut p, mut h): (DimVec<i64>, DimVec<i64>) = (smallvec::smallvec![0; n], smallvec::smallvec![0; n]);
                legate_abi::for_each_row(&[&piece], |ptrs, len, strides| {
                    for k in 0..len {
                        // SAFETY: each element is n int64s inside the source tile.
                        unsafe {
                            std::ptr::copy_nonoverlapping(ptrs[0].offset(k as isize * strides[0] as isize), p.as_mut_ptr() as *mut u8, 8 * n)
                        };
                        for d in 0..n {
                            h[d] = p[d].saturating_add(1);
                        }
                        include(&p, &h);
                    }
                });
            }
        }
    }
    if !any {
        return Ok(Rect::new(Point::splat(n, 0), Point::splat(n, 0)));
    }
    let r = Rect::new(lo, hi).intersection(&Rect::from_extents(extents));
    // An empty intersection is the empty piece at the origin (one canonical form, so
    // equal pieces compare equal across ranks and in the cache).
    Ok(if r.is_empty() { Rect::new(Point::splat(n, 0), Point::splat(n, 0)) } else { r })
}
