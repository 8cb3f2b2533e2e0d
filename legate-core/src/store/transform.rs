//! Store transforms and the affine map they compose into.
//!
//! Every transform (slice, promote, project, transpose, delinearize, diagonal) maps view
//! coordinates affinely to the coordinates of the view below it, so a whole stack
//! collapses into one [`AffineMap`] from the top view to the storage. That map gives
//! both the exact storage elements a rectangle of the view touches (for dependence
//! analysis) and the byte strides a task uses to address its tile.

use crate::shape::{Point, LEGATE_MAX_DIM};

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
}

/// `storage = offset + coef * view`, with one row per storage dimension and one column
/// per view dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AffineMap {
    storage_ndim: u8,
    view_ndim: u8,
    coef: [[i64; LEGATE_MAX_DIM]; LEGATE_MAX_DIM],
    offset: [i64; LEGATE_MAX_DIM],
}

impl AffineMap {
    pub fn identity(ndim: usize) -> AffineMap {
        let mut coef = [[0; LEGATE_MAX_DIM]; LEGATE_MAX_DIM];
        for (d, row) in coef.iter_mut().enumerate().take(ndim) {
            row[d] = 1;
        }
        AffineMap { storage_ndim: ndim as u8, view_ndim: ndim as u8, coef, offset: [0; LEGATE_MAX_DIM] }
    }

    pub fn storage_ndim(&self) -> usize {
        self.storage_ndim as usize
    }

    pub fn view_ndim(&self) -> usize {
        self.view_ndim as usize
    }

    pub fn is_identity(&self) -> bool {
        self.storage_ndim == self.view_ndim && *self == AffineMap::identity(self.storage_ndim())
    }

    pub fn coef(&self, storage_dim: usize, view_dim: usize) -> i64 {
        self.coef[storage_dim][view_dim]
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
                v += self.coef[d][j] * p[j];
            }
            s[d] = v;
        }
        s
    }

    fn column(&self, j: usize) -> [i64; LEGATE_MAX_DIM] {
        let mut c = [0; LEGATE_MAX_DIM];
        for (d, cd) in c.iter_mut().enumerate().take(self.storage_ndim()) {
            *cd = self.coef[d][j];
        }
        c
    }

    fn set_columns(&mut self, cols: &[[i64; LEGATE_MAX_DIM]]) {
        self.view_ndim = cols.len() as u8;
        for d in 0..self.storage_ndim() {
            for j in 0..LEGATE_MAX_DIM {
                self.coef[d][j] = cols.get(j).map_or(0, |c| c[d]);
            }
        }
    }

    /// The map of the view made by applying `t` on top of the view this map describes.
    /// `t` has been validated against the view's shape.
    pub fn then(&self, t: &Transform) -> AffineMap {
        let mut cols: Vec<[i64; LEGATE_MAX_DIM]> = (0..self.view_ndim()).map(|j| self.column(j)).collect();
        let mut out = *self;
        match t {
            Transform::Slice { dim, start, step } => {
                for d in 0..self.storage_ndim() {
                    out.offset[d] += cols[*dim][d] * start;
                    cols[*dim][d] *= step;
                }
            }
            Transform::Promote { dim, .. } => cols.insert(*dim, [0; LEGATE_MAX_DIM]),
            Transform::Project { dim, index } => {
                for d in 0..self.storage_ndim() {
                    out.offset[d] += cols[*dim][d] * index;
                }
                cols.remove(*dim);
            }
            Transform::Transpose { axes } => cols = axes.iter().map(|&a| cols[a]).collect(),
            Transform::Diagonal { dim1, dim2, start1, start2 } => {
                let mut diag = [0; LEGATE_MAX_DIM];
                for d in 0..self.storage_ndim() {
                    out.offset[d] += cols[*dim1][d] * start1 + cols[*dim2][d] * start2;
                    diag[d] = cols[*dim1][d] + cols[*dim2][d];
                }
                cols = cols.iter().enumerate().filter(|(j, _)| j != dim1 && j != dim2).map(|(_, c)| *c).collect();
                cols.push(diag);
            }
            Transform::Delinearize { dim, shape } => {
                let base = cols.remove(*dim);
                let mut stride = 1i64;
                let mut new_cols = vec![[0; LEGATE_MAX_DIM]; shape.len()];
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
    /// out with byte strides `storage_strides`.
    pub fn view_strides(&self, storage_strides: &[i64]) -> (Point, i64) {
        let mut strides = Point::splat(self.view_ndim(), 0);
        for j in 0..self.view_ndim() {
            strides[j] = (0..self.storage_ndim()).map(|d| storage_strides[d] * self.coef[d][j]).sum();
        }
        let origin = (0..self.storage_ndim()).map(|d| storage_strides[d] * self.offset[d]).sum();
        (strides, origin)
    }
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
}
