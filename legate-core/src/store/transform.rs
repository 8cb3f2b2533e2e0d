//! Store transforms and the affine map they compose into.
//!
//! Every transform (slice, promote, project, transpose, delinearize, diagonal) maps view
//! coordinates affinely to the coordinates of the view below it, so a whole stack
//! collapses into one [`AffineMap`] from the top view to the storage. That map gives
//! both the exact storage elements a rectangle of the view touches (for dependence
//! analysis) and the byte strides a task uses to address its tile.
//!
//! A reshape that merges dimensions is not affine in storage coordinates, but it is in
//! the element offset of a dense instance. Such a view's map is *linear*: one row, the
//! element offset, with the instance's [`DenseLayout`] to turn offsets back into
//! storage coordinates.

use crate::shape::{DimVec, Point, INLINE_DIMS};
use smallvec::{smallvec, SmallVec};

/// One step from a view to the view it was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transform {
    /// `new[dim] = i` reads `old[dim] = start + i * step` (a shift when `step == 1`).
    Slice { dim: usize, start: i64, step: i64 },
    /// A new dimension of extent `size` inserted at `dim`; all its coordinates read the
    /// same element (a broadcast).
    Promote { dim: usize, size: i64 },
    /// Dimension `dim` is fixed at `index` and removed.
    Project { dim: usize, index: i64 },
    /// `new[i]` is `old[axes[i]]`.
    Transpose { axes: Vec<usize> },
    /// Dimension `dim` is split into `shape` (row-major).
    Delinearize { dim: usize, shape: Vec<i64> },
    /// Dimensions `dim1` and `dim2` are replaced by one last dimension `k` reading
    /// `old[dim1] = k + start1`, `old[dim2] = k + start2` (a diagonal).
    Diagonal { dim1: usize, dim2: usize, start1: i64, start2: i64 },
    /// The part at byte `offset` of each element (a complex number's real or imaginary
    /// part, or at offset 0 the whole element seen as another type of its size); the
    /// view's type is the part's.
    Component { offset: i64 },
    /// A reshape that merges dimensions: the view reads the instance's element offset
    /// `offset + sum(strides[j] * i[j])`, where `offset` is that of the view's first
    /// element below.
    Reshape { strides: Vec<i64>, layout: DenseLayout },
}

/// A dense instance seen as one run of elements: its extents, and its dimensions from
/// the slowest to the fastest varying.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DenseLayout {
    extents: DimVec<i64>,
    /// Storage dimensions, slowest varying first.
    order: DimVec<u8>,
    elem: i64,
}

impl DenseLayout {
    /// The layout of an instance with `extents` and `byte_strides`, or None when the
    /// instance is not dense (padding, repeated elements, no elements).
    pub fn of(extents: &Point, byte_strides: &Point, elem: i64) -> Option<DenseLayout> {
        let n = extents.ndim();
        if elem <= 0 || extents.as_slice().iter().any(|&e| e <= 0) {
            return None;
        }
        let mut dims: DimVec<usize> = (0..n).collect();
        // Fastest first; ties (extent-1 dims) keep a fixed order.
        dims.sort_by_key(|&d| (byte_strides[d], std::cmp::Reverse(d)));
        let mut expect = elem;
        for &d in &dims {
            if extents[d] > 1 && byte_strides[d] != expect {
                return None;
            }
            expect *= extents[d];
        }
        let order = dims.iter().rev().map(|&d| d as u8).collect();
        Some(DenseLayout { extents: DimVec::from_slice(extents.as_slice()), order, elem })
    }

    pub fn ndim(&self) -> usize {
        self.extents.len()
    }

    /// Storage dimensions with their extents, slowest varying first.
    pub fn dims(&self) -> impl DoubleEndedIterator<Item = (usize, i64)> + '_ {
        self.order.iter().map(|&d| (d as usize, self.extents[d as usize]))
    }

    /// Element strides, one per storage dimension.
    fn element_strides(&self) -> DimVec<i64> {
        let mut strides: DimVec<i64> = smallvec![0; self.ndim()];
        let mut acc = 1;
        for (d, e) in self.dims().rev() {
            strides[d] = acc;
            acc *= e;
        }
        strides
    }
}

/// `storage = offset + coef * view`, with one row per storage dimension and one column
/// per view dimension. Sized by the dimensions: maps of views of up to
/// [`INLINE_DIMS`] dimensions are stored inline.
#[derive(Debug, Eq, Hash)]
pub struct AffineMap {
    storage_ndim: u8,
    view_ndim: u8,
    /// Row-major: `coef[d * view_ndim + j]`.
    coef: SmallVec<[i64; INLINE_DIMS * INLINE_DIMS]>,
    offset: DimVec<i64>,
    /// Set when the map's one row is the element offset in this dense instance.
    linear: Option<DenseLayout>,
    /// Bytes into each element (a component view); storage elements stay whole for
    /// dependence analysis.
    byte_offset: i64,
}

impl PartialEq for AffineMap {
    fn eq(&self, other: &AffineMap) -> bool {
        // Views of whole storages share one identity map per rank (see `identity_ref`).
        std::ptr::eq(self, other)
            || (self.storage_ndim == other.storage_ndim
                && self.view_ndim == other.view_ndim
                && self.byte_offset == other.byte_offset
                && self.coef == other.coef
                && self.offset == other.offset
                && self.linear == other.linear)
    }
}

/// The identity map of each rank, shared by every view of a whole storage.
static IDENTITY: std::sync::LazyLock<Vec<AffineMap>> = std::sync::LazyLock::new(|| (0..=crate::shape::LEGATE_MAX_DIM).map(AffineMap::identity).collect());

// Clones copy the used entries at once (SmallVec's own clone goes element by element).
impl Clone for DenseLayout {
    fn clone(&self) -> DenseLayout {
        DenseLayout { extents: DimVec::from_slice(&self.extents), order: DimVec::from_slice(&self.order), elem: self.elem }
    }
}

impl Clone for AffineMap {
    fn clone(&self) -> AffineMap {
        AffineMap {
            storage_ndim: self.storage_ndim,
            view_ndim: self.view_ndim,
            coef: SmallVec::from_slice(&self.coef),
            offset: DimVec::from_slice(&self.offset),
            linear: self.linear.clone(),
            byte_offset: self.byte_offset,
        }
    }
}

/// One view dimension's coefficients, one per storage dimension.
type Column = DimVec<i64>;

impl AffineMap {
    pub fn identity(ndim: usize) -> AffineMap {
        // Every new store gets one: the common ones fill inline buffers whole.
        let (mut coef, offset): (SmallVec<[i64; INLINE_DIMS * INLINE_DIMS]>, DimVec<i64>) = if ndim <= INLINE_DIMS {
            (SmallVec::from_buf_and_len([0; INLINE_DIMS * INLINE_DIMS], ndim * ndim), DimVec::from_buf_and_len([0; INLINE_DIMS], ndim))
        } else {
            (smallvec![0; ndim * ndim], smallvec![0; ndim])
        };
        for d in 0..ndim {
            coef[d * ndim + d] = 1;
        }
        AffineMap { storage_ndim: ndim as u8, view_ndim: ndim as u8, coef, offset, linear: None, byte_offset: 0 }
    }

    /// The instance layout when the map gives element offsets (after a merging reshape).
    pub fn linear(&self) -> Option<&DenseLayout> {
        self.linear.as_ref()
    }

    /// The same map onto the element offset in an instance with `layout`.
    pub fn linearized(&self, layout: &DenseLayout) -> AffineMap {
        if self.linear.is_some() {
            return self.clone();
        }
        let strides = layout.element_strides();
        let mut out = AffineMap {
            storage_ndim: 1,
            view_ndim: self.view_ndim,
            coef: smallvec![0; self.view_ndim()],
            offset: smallvec![0],
            linear: Some(layout.clone()),
            byte_offset: self.byte_offset,
        };
        for (d, &stride) in strides.iter().enumerate().take(self.storage_ndim()) {
            out.offset[0] += stride * self.offset[d];
            for j in 0..self.view_ndim() {
                out.coef[j] += stride * self.coef(d, j);
            }
        }
        out
    }

    pub fn storage_ndim(&self) -> usize {
        self.storage_ndim as usize
    }

    pub fn view_ndim(&self) -> usize {
        self.view_ndim as usize
    }

    pub fn is_identity(&self) -> bool {
        self.storage_ndim == self.view_ndim && self == AffineMap::identity_ref(self.storage_ndim())
    }

    /// The shared identity map of `ndim` dimensions (no allocation, no copy).
    pub fn identity_ref(ndim: usize) -> &'static AffineMap {
        &IDENTITY[ndim]
    }

    pub fn coef(&self, storage_dim: usize, view_dim: usize) -> i64 {
        self.coef[storage_dim * self.view_ndim() + view_dim]
    }

    pub fn offset(&self, storage_dim: usize) -> i64 {
        self.offset[storage_dim]
    }

    /// Storage coordinates of view point `p`.
    pub fn apply(&self, p: &Point) -> Point {
        let mut s = Point::splat(self.storage_ndim(), 0);
        for d in 0..self.storage_ndim() {
            let mut v = self.offset[d];
            for j in 0..self.view_ndim() {
                v += self.coef(d, j) * p[j];
            }
            s[d] = v;
        }
        s
    }

    fn column(&self, j: usize) -> Column {
        (0..self.storage_ndim()).map(|d| self.coef(d, j)).collect()
    }

    fn set_columns(&mut self, cols: &[Column]) {
        self.view_ndim = cols.len() as u8;
        self.coef = (0..self.storage_ndim()).flat_map(|d| cols.iter().map(move |c| c[d])).collect();
    }

    /// The map of the view made by applying `t` on top of the view this map describes.
    /// `t` has been validated against the view's shape.
    pub fn then(&self, t: &Transform) -> AffineMap {
        let mut cols: SmallVec<[Column; INLINE_DIMS]> = (0..self.view_ndim()).map(|j| self.column(j)).collect();
        let mut out = self.clone();
        match t {
            Transform::Slice { dim, start, step } => {
                for d in 0..self.storage_ndim() {
                    out.offset[d] += cols[*dim][d] * start;
                    cols[*dim][d] *= step;
                }
            }
            Transform::Promote { dim, .. } => cols.insert(*dim, smallvec![0; self.storage_ndim()]),
            Transform::Project { dim, index } => {
                for d in 0..self.storage_ndim() {
                    out.offset[d] += cols[*dim][d] * index;
                }
                cols.remove(*dim);
            }
            Transform::Transpose { axes } => cols = axes.iter().map(|&a| cols[a].clone()).collect(),
            Transform::Diagonal { dim1, dim2, start1, start2 } => {
                let mut diag: Column = smallvec![0; self.storage_ndim()];
                for d in 0..self.storage_ndim() {
                    out.offset[d] += cols[*dim1][d] * start1 + cols[*dim2][d] * start2;
                    diag[d] = cols[*dim1][d] + cols[*dim2][d];
                }
                cols = cols.iter().enumerate().filter(|(j, _)| j != dim1 && j != dim2).map(|(_, c)| c.clone()).collect();
                cols.push(diag);
            }
            Transform::Component { offset } => out.byte_offset += offset,
            Transform::Reshape { strides, layout } => {
                out = self.linearized(layout);
                cols = strides.iter().map(|&c| smallvec![c]).collect();
            }
            Transform::Delinearize { dim, shape } => {
                let base = cols.remove(*dim);
                let mut stride = 1i64;
                let mut new_cols: Vec<Column> = vec![smallvec![0; self.storage_ndim()]; shape.len()];
                for k in (0..shape.len()).rev() {
                    for d in 0..self.storage_ndim() {
                        new_cols[k][d] = base[d] * stride;
                    }
                    stride *= shape[k].max(1);
                }
                for (k, c) in new_cols.into_iter().enumerate() {
                    cols.insert(dim + k, c);
                }
            }
        }
        out.set_columns(&cols);
        out
    }

    /// Byte strides of the view and the byte offset of view point 0, for a storage laid
    /// out with byte strides `storage_strides` (a linear map's one row, the element
    /// offset, has the element size as its stride).
    pub fn view_strides(&self, storage_strides: &[i64]) -> (Point, i64) {
        let mut strides = Point::splat(self.view_ndim(), 0);
        let origin = self.view_strides_into(storage_strides, strides.as_mut_slice());
        (strides, origin)
    }

    /// [`AffineMap::view_strides`] into `strides` (`view_ndim` of them): what a task's
    /// store is built from on every launch, without a temporary point.
    #[inline]
    pub fn view_strides_into(&self, storage_strides: &[i64], strides: &mut [i64]) -> i64 {
        // The shared identity (every whole-storage view): the storage's own strides.
        if std::ptr::eq(self, AffineMap::identity_ref(self.storage_ndim())) {
            strides.copy_from_slice(storage_strides);
            return 0;
        }
        let element = self.linear.as_ref().map(|layout| [layout.elem]);
        let storage_strides = element.as_ref().map_or(storage_strides, |e| &e[..]);
        for (j, s) in strides.iter_mut().enumerate() {
            *s = (0..self.storage_ndim()).map(|d| storage_strides[d] * self.coef(d, j)).sum();
        }
        (0..self.storage_ndim()).map(|d| storage_strides[d] * self.offset[d]).sum::<i64>() + self.byte_offset
    }
}

/// Strides for viewing elements with `old_shape` and `old_strides` as `new_shape` in
/// row-major order (NumPy's reshape), or None when some dimensions that must merge are
/// not laid out one after the other (NumPy then copies). Shapes have the same volume.
pub fn reshape_strides(old_shape: &[i64], old_strides: &[i64], new_shape: &[i64]) -> Option<Vec<i64>> {
    // Extent-1 dimensions take part in no block; they get stride 0.
    let old: Vec<(i64, i64)> = old_shape.iter().zip(old_strides).filter(|(&e, _)| e != 1).map(|(&e, &s)| (e, s)).collect();
    let new_dims: Vec<usize> = (0..new_shape.len()).filter(|&d| new_shape[d] != 1).collect();
    let mut strides = vec![0; new_shape.len()];
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new_dims.len() {
        // The smallest blocks old[i..i2] and new[j..j2] with equal volumes.
        let (mut i2, mut j2) = (i + 1, j + 1);
        let (mut a, mut b) = (old[i].0, new_shape[new_dims[j]]);
        while a != b {
            if a < b {
                a *= old.get(i2)?.0;
                i2 += 1;
            } else {
                b *= new_shape[*new_dims.get(j2)?];
                j2 += 1;
            }
        }
        // The old block must be one row-major run: each stride spans the next dim.
        if (i..i2 - 1).any(|k| old[k].1 != old[k + 1].0 * old[k + 1].1) {
            return None;
        }
        let mut stride = old[i2 - 1].1;
        for k in (j..j2).rev() {
            strides[new_dims[k]] = stride;
            stride *= new_shape[new_dims[k]];
        }
        (i, j) = (i2, j2);
    }
    (i == old.len() && j == new_dims.len()).then_some(strides)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_matches_step_by_step_mapping() {
        // storage 4x6; view = transpose, then slice dim 1 (old dim 0) with step 2 from 1,
        // then promote a new leading dim.
        let m = AffineMap::identity(2)
            .then(&Transform::Transpose { axes: vec![1, 0] })
            .then(&Transform::Slice { dim: 1, start: 1, step: 2 })
            .then(&Transform::Promote { dim: 0, size: 3 });
        assert_eq!(m.view_ndim(), 3);
        // view (k, i, j) -> transposed (i, 1 + 2j) -> storage (1 + 2j, i)
        assert_eq!(m.apply(&Point::new(&[2, 5, 1])), Point::new(&[3, 5]));
    }

    #[test]
    fn diagonal_reads_the_offset_diagonal() {
        // storage 3x4x5; diagonal of dims 0 and 2 starting at (0, ., 1): view (j, k).
        let m = AffineMap::identity(3).then(&Transform::Diagonal { dim1: 0, dim2: 2, start1: 0, start2: 1 });
        assert_eq!(m.view_ndim(), 2);
        assert_eq!(m.apply(&Point::new(&[3, 2])), Point::new(&[2, 3, 3]));
        let (strides, origin) = m.view_strides(&[160, 40, 8]);
        assert_eq!((strides.as_slice(), origin), (&[40i64, 168][..], 8));
    }

    #[test]
    fn delinearize_and_project() {
        let m = AffineMap::identity(1).then(&Transform::Delinearize { dim: 0, shape: vec![3, 4] });
        assert_eq!(m.apply(&Point::new(&[2, 3])), Point::new(&[11]));
        let p = m.then(&Transform::Project { dim: 0, index: 1 });
        assert_eq!(p.apply(&Point::new(&[2])), Point::new(&[6]));
        let (strides, origin) = p.view_strides(&[8]);
        assert_eq!((strides.as_slice(), origin), (&[8i64][..], 32));
    }

    #[test]
    fn reshape_strides_follow_numpy() {
        // (2,3,4) contiguous: any regrouping is a view.
        assert_eq!(reshape_strides(&[2, 3, 4], &[12, 4, 1], &[6, 4]), Some(vec![4, 1]));
        assert_eq!(reshape_strides(&[2, 3, 4], &[12, 4, 1], &[4, 1, 6]), Some(vec![6, 0, 1]));
        // Every other column of a 4x6 matrix: one progression of step 2.
        assert_eq!(reshape_strides(&[4, 3], &[6, 2], &[12]), Some(vec![2]));
        // Every other row of it is not.
        assert_eq!(reshape_strides(&[2, 6], &[12, 1], &[12]), None);
        assert_eq!(reshape_strides(&[4, 3], &[6, 2], &[2, 2, 3]), Some(vec![12, 6, 2]));
        // Rows 1..3 of a 4x6 matrix are one run; a transpose is not.
        assert_eq!(reshape_strides(&[2, 6], &[6, 1], &[12]), Some(vec![1]));
        assert_eq!(reshape_strides(&[6, 4], &[1, 6], &[24]), None);
        // Reversed entirely: still one run, backwards.
        assert_eq!(reshape_strides(&[2, 3], &[-3, -1], &[6]), Some(vec![-1]));
        // A broadcast dimension cannot merge with a real one.
        assert_eq!(reshape_strides(&[3, 2], &[0, 1], &[6]), None);
    }

    #[test]
    fn dense_layouts_are_recognized() {
        let c = DenseLayout::of(&Point::new(&[3, 4]), &Point::new(&[32, 8]), 8).unwrap();
        assert_eq!(c.dims().collect::<Vec<_>>(), vec![(0, 3), (1, 4)]);
        let f = DenseLayout::of(&Point::new(&[3, 4]), &Point::new(&[8, 24]), 8).unwrap();
        assert_eq!(f.dims().collect::<Vec<_>>(), vec![(1, 4), (0, 3)]);
        assert!(DenseLayout::of(&Point::new(&[3, 4]), &Point::new(&[64, 8]), 8).is_none(), "padded rows");
        // Merging the rows of a C-ordered 3x4 view gives element offsets.
        let m = AffineMap::identity(2).then(&Transform::Reshape { strides: vec![1], layout: c });
        assert_eq!(m.apply(&Point::new(&[7])), Point::new(&[7]));
        assert_eq!(m.view_strides(&[32, 8]), (Point::new(&[8]), 0));
    }

    #[test]
    fn component_views_offset_bytes_and_survive_reshape() {
        // Imaginary parts of a 3x4 complex128 storage: same strides, 8 bytes in.
        let imag = AffineMap::identity(2).then(&Transform::Component { offset: 8 });
        assert_eq!(imag.view_strides(&[64, 16]), (Point::new(&[64, 16]), 8));
        // Flattened, they stay 8 bytes into each element.
        let layout = DenseLayout::of(&Point::new(&[3, 4]), &Point::new(&[64, 16]), 16).unwrap();
        let flat = imag.then(&Transform::Reshape { strides: vec![1], layout });
        assert_eq!(flat.view_strides(&[64, 16]), (Point::new(&[16]), 8));
        let sliced = flat.then(&Transform::Slice { dim: 0, start: 2, step: 3 });
        assert_eq!(sliced.view_strides(&[64, 16]), (Point::new(&[48]), 40));
    }
}
