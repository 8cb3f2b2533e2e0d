//! Logical stores: typed views of a storage through a stack of transforms.
//!
//! A [`LogicalStore`] is cheap to clone and never copies data: `slice`, `promote`,
//! `project`, `transpose` and `delinearize` return new views of the same storage, and a
//! write through any view is seen by every view that aliases it. Tasks receive the tile
//! of a view; the [`transform::AffineMap`] says which storage elements that is.

pub mod transform;

use crate::error::{invalid, too_many_dims, LegateError, Result};
use crate::partition::{Partition, Tiling};
use crate::shape::{Point, Rect, LEGATE_MAX_DIM};
use crate::storage::{Storage, StorageKind};
use crate::types::Type;
use std::sync::Arc;
use transform::{reshape_strides, AffineMap, DenseLayout, Transform};

/// A view of a storage. Cloning shares the description (one reference count), since
/// stores are cloned into every launch that uses them.
#[derive(Clone)]
pub struct LogicalStore(Arc<View>);

struct View {
    storage: Arc<Storage>,
    /// None only for an untransformed view of a storage that is still unbound.
    shape: Option<Point>,
    map: ViewMap,
    transforms: Vec<Transform>,
    /// Tasks may not write through this view (NumPy's read-only views: broadcasts,
    /// diagonals); views made from it are read-only too.
    read_only: bool,
    /// The element type when it is not the storage's (a component view).
    ty: Option<Type>,
}

/// A view's map: the shared identity of its rank for a whole storage (every new
/// store's view: nothing to build, copy or free), its own otherwise (boxed: a map holds
/// 6x6 coefficients inline, which would make every new store's record 4x larger).
#[derive(Clone)]
enum ViewMap {
    Identity(&'static AffineMap),
    Own(Box<AffineMap>),
}

impl std::ops::Deref for ViewMap {
    type Target = AffineMap;
    #[inline]
    fn deref(&self) -> &AffineMap {
        match self {
            ViewMap::Identity(m) => m,
            ViewMap::Own(m) => m,
        }
    }
}

impl std::fmt::Debug for LogicalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogicalStore(storage {}, {}, shape {:?}", self.0.storage.id(), self.ty(), self.0.shape)?;
        if !self.0.transforms.is_empty() {
            write!(f, ", {:?}", self.0.transforms)?;
        }
        write!(f, ")")
    }
}

/// A dead store kept whole (its view and storage records and its instance) to be a
/// new store of the same type and shape ([`crate::Runtime::create_store_reusing`]):
/// the only handle of an untransformed storage that no operation accessed
/// ([`LogicalStore::into_spare`]). Nothing else reaches it, and it is renumbered when
/// reused, so nothing can tell the new store from one made afresh. Its instance counts
/// as pooled memory meanwhile.
pub struct SpareStore {
    store: LogicalStore,
    bytes: usize,
}

impl SpareStore {
    /// Whether it can be a new store of `ty` and `shape`.
    #[inline]
    pub fn fits(&self, ty: &Type, shape: &Point) -> bool {
        self.store.0.storage.ty() == ty && self.store.0.shape.as_ref() == Some(shape)
    }

    /// The size of its instance.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl crate::Runtime {
    /// A new store of `ty` and `shape`, as [`crate::Runtime::create_store_of_shape`]
    /// makes one (a new storage id, unspecified contents), made of `spare`'s records
    /// and instance when they fit; else `spare` is freed and the store made afresh.
    pub fn create_store_reusing(&self, ty: &Type, shape: &Point, spare: SpareStore) -> Result<LogicalStore> {
        let mut store = spare.store;
        if store.0.storage.ty() == ty && store.0.shape.as_ref() == Some(shape) {
            // (A 0-d or 1-d instance has one layout; others take the mapper's.)
            let strides = (shape.ndim() > 1).then(|| {
                let layout = self.inner.mapper.layout(ty, shape);
                crate::storage::dense_strides(shape, ty.size().unwrap_or(1), layout)
            });
            let view = Arc::get_mut(&mut store.0).expect("a spare store has one handle");
            if Arc::get_mut(&mut view.storage).expect("a spare store has one handle").unpark(|| self.next_storage_id(), strides.as_ref()) {
                return Ok(store);
            }
        }
        drop(store);
        self.create_store_of_shape(ty.clone(), shape)
    }
}

fn check_dim(dim: usize, ndim: usize, what: &str) -> Result<()> {
    if dim >= ndim {
        return Err(invalid(format!("{what}: dimension {dim} is out of range for a {ndim}-d store")));
    }
    Ok(())
}

impl LogicalStore {
    pub(crate) fn from_storage(storage: Arc<Storage>) -> LogicalStore {
        let shape = storage.shape_now();
        Self::whole(storage, shape)
    }

    /// The untransformed view of `storage`, whose shape is `shape` (None: unbound).
    pub(crate) fn whole(storage: Arc<Storage>, shape: Option<Point>) -> LogicalStore {
        let map = ViewMap::Identity(AffineMap::identity_ref(storage.ndim()));
        LogicalStore(Arc::new(View { shape, storage, map, transforms: Vec::new(), read_only: false, ty: None }))
    }

    /// This handle as a [`SpareStore`], when it is the last handle of a whole storage
    /// that is as new ([`Storage::park`]: a region with an instance of its own, at
    /// most `max_bytes`, that no operation accessed); else `None`, the handle dropped.
    pub fn into_spare(mut self, max_bytes: usize) -> Option<SpareStore> {
        // (Counts first: most handles offered are not the last.)
        if Arc::strong_count(&self.0) != 1 || Arc::strong_count(&self.0.storage) != 1 {
            return None;
        }
        let view = Arc::get_mut(&mut self.0)?;
        if !view.transforms.is_empty() || view.read_only || view.ty.is_some() || !matches!(view.map, ViewMap::Identity(_)) {
            return None;
        }
        let bytes = usize::try_from(view.shape.as_ref()?.volume()).ok()?.checked_mul(view.storage.ty().size()?)?;
        if bytes > max_bytes || !Arc::get_mut(&mut view.storage)?.park(max_bytes) {
            return None;
        }
        Some(SpareStore { store: self, bytes })
    }

    pub fn storage(&self) -> &Arc<Storage> {
        &self.0.storage
    }

    pub fn ty(&self) -> &Type {
        self.0.ty.as_ref().unwrap_or_else(|| self.0.storage.ty())
    }

    pub fn map(&self) -> &AffineMap {
        &self.0.map
    }

    pub fn transforms(&self) -> &[Transform] {
        &self.0.transforms
    }

    pub fn transformed(&self) -> bool {
        !self.0.transforms.is_empty()
    }

    pub fn ndim(&self) -> usize {
        self.0.map.view_ndim()
    }

    pub fn is_future(&self) -> bool {
        self.0.storage.kind() == StorageKind::Future
    }

    /// True for a store created unbound until the program has waited for its shape
    /// ([`LogicalStore::shape`]): program order, not whether the producer has run.
    pub fn unbound(&self) -> bool {
        self.0.shape.is_none() && self.0.storage.shape_observed().is_none()
    }

    /// The view's extents; for an unbound store this waits for the producing task.
    #[inline]
    pub fn shape(&self) -> Point {
        match &self.0.shape {
            Some(s) => s.clone(),
            None => {
                let s = self.0.storage.wait_shape();
                self.0.storage.observe();
                s
            }
        }
    }

    /// The extents of a view made bound (or from a bound view), without a copy; None
    /// for an untransformed view of a storage created unbound (see [`LogicalStore::shape`]).
    #[inline]
    pub fn shape_ref(&self) -> Option<&Point> {
        self.0.shape.as_ref()
    }

    /// Whether two views have the same extents (waiting for unbound ones as
    /// [`LogicalStore::shape`] does), without copying them where both are known.
    #[inline]
    pub fn same_shape(&self, other: &LogicalStore) -> bool {
        match (self.shape_ref(), other.shape_ref()) {
            (Some(a), Some(b)) => a == b,
            _ => self.shape() == other.shape(),
        }
    }

    /// Whether the view's extents are `shape` (see [`LogicalStore::same_shape`]).
    #[inline]
    pub fn has_shape(&self, shape: &Point) -> bool {
        match self.shape_ref() {
            Some(a) => a == shape,
            None => self.shape() == *shape,
        }
    }

    /// The extents if known without waiting.
    pub fn shape_if_known(&self) -> Option<Point> {
        self.0.shape.clone().or_else(|| self.0.storage.shape_now())
    }

    /// The extents if the program has learnt them (see [`LogicalStore::unbound`]):
    /// what libraries are told, so that their decisions follow program order.
    pub fn shape_if_observed(&self) -> Option<Point> {
        self.0.shape.clone().or_else(|| self.0.storage.shape_observed())
    }

    pub fn volume(&self) -> u64 {
        self.shape().volume()
    }

    /// Whether the view is the whole storage, untransformed.
    pub fn is_whole_storage(&self) -> bool {
        self.0.transforms.is_empty()
    }

    /// The shape, waiting for the producer of an unbound store (an error only when no
    /// task produces it: whether the producer has finished must not decide).
    fn bound_shape(&self, what: &str) -> Result<Point> {
        if self.0.shape.is_none() && !self.0.storage.has_producer() {
            return Err(invalid(format!("{what}: the store is unbound; run the task that produces it first")));
        }
        Ok(self.shape())
    }

    /// The view of `shape` made by `t`. Views may be larger than their storage (a
    /// broadcast), but their element count must fit in an `i64`.
    fn derive(&self, t: Transform, shape: Point) -> Result<LogicalStore> {
        if shape.checked_volume().is_none() {
            return Err(invalid(format!("array is too big: a view of shape {shape} has more elements than fit in 64 bits")));
        }
        Ok(self.derive_unchecked(t, shape))
    }

    fn derive_unchecked(&self, t: Transform, shape: Point) -> LogicalStore {
        let mut transforms = self.0.transforms.clone();
        let map = ViewMap::Own(Box::new(self.0.map.then(&t)));
        transforms.push(t);
        LogicalStore(Arc::new(View { storage: self.0.storage.clone(), shape: Some(shape), map, transforms, read_only: self.0.read_only, ty: self.0.ty.clone() }))
    }

    /// The view `start:stop:step` along `dim`, with Python's slice rules (negative
    /// indices count from the end, bounds are clamped; `step` may be negative).
    pub fn slice(&self, dim: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Result<LogicalStore> {
        let shape = self.bound_shape("slice")?;
        check_dim(dim, shape.ndim(), "slice")?;
        if step == 0 {
            return Err(invalid("slice step cannot be zero"));
        }
        let n = shape[dim];
        let norm = |v: i64, lo: i64, hi: i64| if v < 0 { (v + n).max(lo) } else { v.min(hi) };
        let (start, stop) = if step > 0 {
            (start.map_or(0, |s| norm(s, 0, n)), stop.map_or(n, |s| norm(s, 0, n)))
        } else {
            (start.map_or(n - 1, |s| norm(s, -1, n - 1)), stop.map_or(-1, |s| norm(s, -1, n - 1)))
        };
        // In i128: `step` may be near i64::MAX, where the rounding sum would overflow.
        let (lo, hi, stride) = if step > 0 { (start, stop, step) } else { (stop, start, -(step as i128) as i64) };
        let len = if hi > lo { ((hi as i128 - lo as i128 + stride as i128 - 1) / stride as i128) as i64 } else { 0 };
        let mut new_shape = shape;
        new_shape[dim] = len;
        self.derive(Transform::Slice { dim, start: if len == 0 { 0 } else { start }, step }, new_shape)
    }

    /// The view's strides in bytes (as NumPy reports them), or None while the storage
    /// is unbound.
    pub fn byte_strides(&self) -> Option<Point> {
        if self.unbound() {
            return None;
        }
        let (_, storage_strides) = self.0.storage.instance();
        Some(self.0.map.view_strides(storage_strides.as_slice()).0)
    }

    /// Whether tasks may not write through this view.
    pub fn read_only(&self) -> bool {
        self.0.read_only
    }

    /// The same view, read-only.
    pub fn as_read_only(&self) -> LogicalStore {
        let v = &self.0;
        LogicalStore(Arc::new(View { storage: v.storage.clone(), shape: v.shape.clone(), map: v.map.clone(), transforms: v.transforms.clone(), read_only: true, ty: v.ty.clone() }))
    }

    /// The diagonal of dimensions `dim1` and `dim2` (`offset` > 0 above the main one,
    /// as in NumPy), as the last dimension of a view without them.
    pub fn diagonal(&self, dim1: usize, dim2: usize, offset: i64) -> Result<LogicalStore> {
        let shape = self.bound_shape("diagonal")?;
        check_dim(dim1, shape.ndim(), "diagonal")?;
        check_dim(dim2, shape.ndim(), "diagonal")?;
        if dim1 == dim2 {
            return Err(invalid("diagonal: the two dimensions must differ"));
        }
        let (start1, start2) = if offset >= 0 { (0, offset) } else { (offset.saturating_neg(), 0) };
        let len = (shape[dim1] - start1).min(shape[dim2] - start2).max(0);
        let (start1, start2) = if len == 0 { (0, 0) } else { (start1, start2) };
        let mut v: Vec<i64> = (0..shape.ndim()).filter(|&d| d != dim1 && d != dim2).map(|d| shape[d]).collect();
        v.push(len);
        self.derive(Transform::Diagonal { dim1, dim2, start1, start2 }, Point::new(&v))
    }

    /// Shorthand for a unit-step slice `[start, stop)` that must lie inside the store.
    pub fn slice_range(&self, dim: usize, start: i64, stop: i64) -> Result<LogicalStore> {
        let shape = self.bound_shape("slice")?;
        check_dim(dim, shape.ndim(), "slice")?;
        if start < 0 || stop < start || stop > shape[dim] {
            return Err(invalid(format!("slice [{start}, {stop}) is out of range for extent {} of dimension {dim}", shape[dim])));
        }
        self.slice(dim, Some(start), Some(stop), 1)
    }

    /// Adds a dimension of extent `dim_size` at `extra_dim` whose coordinates all read the
    /// same elements (a broadcast).
    pub fn promote(&self, extra_dim: usize, dim_size: i64) -> Result<LogicalStore> {
        let shape = self.bound_shape("promote")?;
        if extra_dim > shape.ndim() {
            return Err(invalid(format!("promote: dimension {extra_dim} is out of range for a {}-d store", shape.ndim())));
        }
        if shape.ndim() >= LEGATE_MAX_DIM {
            return Err(too_many_dims(shape.ndim() + 1));
        }
        if dim_size < 0 {
            return Err(invalid("promote: the new extent must be non-negative"));
        }
        self.derive(Transform::Promote { dim: extra_dim, size: dim_size }, shape.insert(extra_dim, dim_size))
    }

    /// Fixes dimension `dim` at `index` and removes it.
    pub fn project(&self, dim: usize, index: i64) -> Result<LogicalStore> {
        let shape = self.bound_shape("project")?;
        check_dim(dim, shape.ndim(), "project")?;
        if index < 0 || index >= shape[dim] {
            return Err(invalid(format!("project: index {index} is out of range for extent {} of dimension {dim}", shape[dim])));
        }
        self.derive(Transform::Project { dim, index }, shape.remove(dim))
    }

    /// Permutes the dimensions: new dimension `i` is old dimension `axes[i]`.
    pub fn transpose(&self, axes: &[usize]) -> Result<LogicalStore> {
        let shape = self.bound_shape("transpose")?;
        let mut seen = vec![false; shape.ndim()];
        if axes.len() != shape.ndim() || axes.iter().any(|&a| a >= shape.ndim() || std::mem::replace(&mut seen[a], true)) {
            return Err(invalid(format!("transpose: {axes:?} is not a permutation of the {} dimensions", shape.ndim())));
        }
        let new_shape = Point::new(&axes.iter().map(|&a| shape[a]).collect::<Vec<_>>());
        self.derive(Transform::Transpose { axes: axes.to_vec() }, new_shape)
    }

    /// Splits dimension `dim` into `sizes` (row-major); their product must equal its extent.
    pub fn delinearize(&self, dim: usize, sizes: &[i64]) -> Result<LogicalStore> {
        let shape = self.bound_shape("delinearize")?;
        check_dim(dim, shape.ndim(), "delinearize")?;
        if crate::shape::checked_volume(sizes) != Some(shape[dim]) {
            return Err(invalid(format!("delinearize: {sizes:?} does not multiply to extent {} of dimension {dim}", shape[dim])));
        }
        if shape.ndim() - 1 + sizes.len() > LEGATE_MAX_DIM {
            return Err(too_many_dims(shape.ndim() - 1 + sizes.len()));
        }
        let mut v = shape.as_slice().to_vec();
        v.splice(dim..=dim, sizes.iter().copied());
        self.derive(Transform::Delinearize { dim, shape: sizes.to_vec() }, Point::new(&v))
    }

    /// The real (`index` 0) or imaginary (1) parts of a complex view, as a view of the
    /// real type: writes through it change those parts of the storage.
    pub fn component(&self, index: usize) -> Result<LogicalStore> {
        let part = match self.ty() {
            Type::Complex64 => Type::Float32,
            Type::Complex128 => Type::Float64,
            other => return Err(invalid(format!("component: {other} is not a complex type"))),
        };
        if index > 1 {
            return Err(invalid(format!("component: index {index} is not 0 (real) or 1 (imaginary)")));
        }
        let shape = self.bound_shape("component")?;
        let offset = index as i64 * part.size().unwrap_or(0) as i64;
        let mut view = self.derive(Transform::Component { offset }, shape)?;
        Arc::get_mut(&mut view.0).expect("a fresh view").ty = Some(part);
        Ok(view)
    }

    /// This view's elements seen as elements of `ty`, a type of the same size (NumPy's
    /// `view(dtype)`): writes through it change the same bytes of the storage.
    pub fn reinterpret(&self, ty: Type) -> Result<LogicalStore> {
        let (from, to) = (self.ty().size(), ty.size());
        if from.is_none() || from != to {
            return Err(invalid(format!("reinterpret: {} and {ty} differ in size", self.ty())));
        }
        if ty == Type::Bool && *self.ty() != Type::Bool {
            // A bool must be 0 or 1: other bytes would be undefined behaviour in kernels.
            return Err(invalid(format!("reinterpret: {} as bool (its bytes need not be 0 or 1)", self.ty())));
        }
        let shape = self.bound_shape("reinterpret")?;
        let mut view = self.derive(Transform::Component { offset: 0 }, shape)?;
        Arc::get_mut(&mut view.0).expect("a fresh view").ty = Some(ty);
        Ok(view)
    }

    /// The view of shape `new` that reads this view's elements in row-major order, where
    /// NumPy's reshape gives a view; None where NumPy copies (dimensions to merge are
    /// not one run in memory), or where the storage is not yet bound.
    pub fn reshape(&self, new: &[i64]) -> Result<Option<LogicalStore>> {
        let shape = self.bound_shape("reshape")?;
        if new.len() > LEGATE_MAX_DIM {
            return Err(too_many_dims(new.len()));
        }
        if crate::shape::checked_volume(new) != shape.checked_volume() {
            return Err(invalid(format!("reshape: cannot view {shape} as {new:?} (same volume, non-negative extents)")));
        }
        if shape.as_slice() == new {
            return Ok(Some(self.clone()));
        }
        match self.reshape_by_splitting(&shape, new)? {
            Some(view) => Ok(Some(view)),
            None => Ok(self.reshape_by_offset(&shape, new)),
        }
    }

    /// A reshape that only splits dimensions and adds or drops extent-1 ones: plain
    /// transforms, whose footprints stay exact boxes.
    fn reshape_by_splitting(&self, shape: &Point, new: &[i64]) -> Result<Option<LogicalStore>> {
        let mut store = self.clone();
        for d in (0..shape.ndim()).rev() {
            if shape[d] == 1 {
                store = store.project(d, 0)?;
            }
        }
        let old: Vec<i64> = shape.as_slice().iter().copied().filter(|&e| e != 1).collect();
        let core: Vec<i64> = new.iter().copied().filter(|&e| e != 1).collect();
        // Each old dimension becomes a block of new ones whose extents multiply to it.
        let (mut j, mut dim) = (0, 0);
        for &extent in &old {
            let mut j2 = j;
            let mut volume = 1;
            while volume < extent {
                match core.get(j2) {
                    Some(&e) => volume *= e,
                    None => return Ok(None),
                }
                j2 += 1;
            }
            if volume != extent || j2 == j {
                return Ok(None); // it would merge with the next old dimension
            }
            if j2 - j > 1 {
                store = store.delinearize(dim, &core[j..j2])?;
            }
            dim += j2 - j;
            j = j2;
        }
        if j != core.len() {
            return Ok(None);
        }
        for (d, &e) in new.iter().enumerate() {
            if e == 1 {
                store = store.promote(d, 1)?;
            }
        }
        Ok(Some(store))
    }

    /// A reshape through the element offset of a dense instance (merges dimensions).
    fn reshape_by_offset(&self, shape: &Point, new: &[i64]) -> Option<LogicalStore> {
        if self.is_future() || self.unbound() {
            return None;
        }
        let (_, byte_strides) = self.0.storage.instance();
        let layout = DenseLayout::of(&self.0.storage.shape_now()?, &byte_strides, self.0.storage.ty().size()? as i64)?;
        let map = self.0.map.linearized(&layout);
        let old_strides: Vec<i64> = (0..shape.ndim()).map(|j| map.coef(0, j)).collect();
        let strides = reshape_strides(shape.as_slice(), &old_strides, new)?;
        self.derive(Transform::Reshape { strides, layout }, Point::new(new)).ok()
    }

    /// Splits the store into tiles of `tile_shape`.
    pub fn partition_by_tiling(&self, tile_shape: &[i64]) -> Result<StorePartition> {
        let shape = self.bound_shape("partition_by_tiling")?;
        if tile_shape.len() != shape.ndim() || tile_shape.iter().any(|&t| t <= 0) {
            return Err(invalid(format!("partition_by_tiling: tile {tile_shape:?} does not fit a {}-d store (positive extents, one per dimension)", shape.ndim())));
        }
        let tile = Point::new(tile_shape);
        let mut colors = tile.clone();
        for d in 0..shape.ndim() {
            colors[d] = ((shape[d] + tile[d] - 1) / tile[d]).max(1);
        }
        Ok(StorePartition { store: self.clone(), partition: Partition::Tiling(Tiling::new(tile, colors)) })
    }

    /// How many handles share this view (clones of this `LogicalStore`): with the
    /// storage's count, tells a library holding handles whether anyone else does.
    pub fn handle_count(&self) -> usize {
        Arc::strong_count(&self.0)
    }

    /// Whether two handles are clones of one view.
    pub fn same_handle(&self, other: &LogicalStore) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Whether two views share a storage.
    pub fn same_storage(&self, other: &LogicalStore) -> bool {
        Arc::ptr_eq(&self.0.storage, &other.0.storage)
    }

    /// The rectangle of the whole view.
    pub fn full_rect(&self) -> Rect {
        Rect::from_extents_owned(self.shape())
    }
}

/// A store together with a partition of it (what manual tasks take).
#[derive(Clone, Debug)]
pub struct StorePartition {
    store: LogicalStore,
    partition: Partition,
}

impl StorePartition {
    pub fn new(store: LogicalStore, partition: Partition) -> StorePartition {
        StorePartition { store, partition }
    }

    pub fn store(&self) -> &LogicalStore {
        &self.store
    }

    pub fn partition(&self) -> &Partition {
        &self.partition
    }

    /// Number of pieces along each dimension.
    pub fn color_shape(&self) -> Option<Point> {
        self.partition.as_tiling().map(|t| t.colors.clone())
    }

    /// The piece of color `color` as a store of its own (a slice view).
    pub fn get_child_store(&self, color: &[i64]) -> Result<LogicalStore> {
        let tiling = self.partition.as_tiling().ok_or_else(|| invalid("only tilings have child stores"))?;
        if color.len() != tiling.colors.ndim() || color.iter().zip(tiling.colors.as_slice()).any(|(&c, &n)| c < 0 || c >= n) {
            return Err(LegateError::InvalidArgument(format!("color {color:?} is outside the color space {:?}", tiling.colors)));
        }
        let rect = tiling.child_rect(&Point::new(color), &self.store.shape());
        let mut s = self.store.clone();
        for d in 0..rect.ndim() {
            s = s.slice(d, Some(rect.lo[d]), Some(rect.hi[d]), 1)?;
        }
        Ok(s)
    }
}
