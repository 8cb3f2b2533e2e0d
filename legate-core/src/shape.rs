//! Points, extents and rectangles in up to [`LEGATE_MAX_DIM`] dimensions.
//!
//! Every coordinate in the runtime is one of these small, copyable values: store shapes,
//! launch domains, tiles of a partition. Rectangles are half-open: `[lo, hi)`.

use std::fmt;

pub use legate_abi::MAX_DIM as LEGATE_MAX_DIM;

/// A point (or a list of extents) with up to [`LEGATE_MAX_DIM`] coordinates.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Point {
    ndim: u8,
    coords: [i64; LEGATE_MAX_DIM],
}

impl Point {
    /// The 0-d point.
    pub const fn empty() -> Point {
        Point { ndim: 0, coords: [0; LEGATE_MAX_DIM] }
    }

    /// `ndim` coordinates, all equal to `value`.
    pub fn splat(ndim: usize, value: i64) -> Point {
        assert!(ndim <= LEGATE_MAX_DIM, "at most {LEGATE_MAX_DIM} dimensions");
        let mut p = Point { ndim: ndim as u8, coords: [0; LEGATE_MAX_DIM] };
        p.coords[..ndim].fill(value);
        p
    }

    /// A point from a slice; callers have checked the length (see [`Point::try_new`]).
    pub fn new(coords: &[i64]) -> Point {
        Self::try_new(coords).expect("at most LEGATE_MAX_DIM dimensions")
    }

    pub fn try_new(coords: &[i64]) -> Option<Point> {
        if coords.len() > LEGATE_MAX_DIM {
            return None;
        }
        let mut p = Point { ndim: coords.len() as u8, coords: [0; LEGATE_MAX_DIM] };
        p.coords[..coords.len()].copy_from_slice(coords);
        Some(p)
    }

    /// Extents from `usize`s; None past [`LEGATE_MAX_DIM`] dimensions or when an
    /// extent does not fit in an `i64`.
    pub fn from_usize(extents: &[usize]) -> Option<Point> {
        let v: Option<Vec<i64>> = extents.iter().map(|&e| i64::try_from(e).ok()).collect();
        Self::try_new(&v?)
    }

    pub fn ndim(&self) -> usize {
        self.ndim as usize
    }

    pub fn as_slice(&self) -> &[i64] {
        &self.coords[..self.ndim as usize]
    }

    pub fn as_mut_slice(&mut self) -> &mut [i64] {
        &mut self.coords[..self.ndim as usize]
    }

    /// The raw fixed-size array (for the C ABI); entries past `ndim` are zero.
    pub fn raw(&self) -> [i64; LEGATE_MAX_DIM] {
        self.coords
    }

    /// Number of points in `[0, self)` when `self` is a list of extents. Every store's
    /// shape passed [`Point::checked_volume`] when it was made, so this cannot overflow
    /// for shapes of stores; it saturates rather than wrap for anything else.
    pub fn volume(&self) -> u64 {
        self.as_slice().iter().try_fold(1u64, |acc, &e| acc.checked_mul(e.max(0) as u64)).unwrap_or(u64::MAX)
    }

    /// The number of points as an `i64`, or None when an extent is negative or the
    /// product overflows `i64` (NumPy's "array is too big").
    pub fn checked_volume(&self) -> Option<i64> {
        checked_volume(self.as_slice())
    }

    pub fn to_usize(&self) -> Vec<usize> {
        self.as_slice().iter().map(|&e| e.max(0) as usize).collect()
    }

    /// Inserts coordinate `value` at position `dim`.
    pub fn insert(&self, dim: usize, value: i64) -> Point {
        let mut v = self.as_slice().to_vec();
        v.insert(dim, value);
        Point::new(&v)
    }

    /// Removes the coordinate at position `dim`.
    pub fn remove(&self, dim: usize) -> Point {
        let mut v = self.as_slice().to_vec();
        v.remove(dim);
        Point::new(&v)
    }

    /// Row-major linear index of `self` inside extents `shape`.
    pub fn linearize(&self, shape: &Point) -> u64 {
        let mut idx = 0u64;
        for d in 0..self.ndim() {
            idx = idx * shape[d] as u64 + self[d] as u64;
        }
        idx
    }

    /// Inverse of [`Point::linearize`].
    pub fn delinearize(mut idx: u64, shape: &Point) -> Point {
        let mut p = Point::splat(shape.ndim(), 0);
        for d in (0..shape.ndim()).rev() {
            let e = shape[d].max(1) as u64;
            p.coords[d] = (idx % e) as i64;
            idx /= e;
        }
        p
    }
}

/// The product of `extents`, or None when one is negative or the product of the
/// non-zero ones overflows `i64` (NumPy refuses such shapes even with a zero extent).
/// Every size computation on user-given extents goes through this.
pub fn checked_volume(extents: &[i64]) -> Option<i64> {
    let nonzero = extents.iter().try_fold(1i64, |acc, &e| if e < 0 { None } else { acc.checked_mul(e.max(1)) })?;
    Some(if extents.contains(&0) { 0 } else { nonzero })
}

impl std::ops::Index<usize> for Point {
    type Output = i64;
    fn index(&self, i: usize) -> &i64 {
        &self.as_slice()[i]
    }
}

impl std::ops::IndexMut<usize> for Point {
    fn index_mut(&mut self, i: usize) -> &mut i64 {
        &mut self.as_mut_slice()[i]
    }
}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_slice())
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        for (i, c) in self.as_slice().iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{c}")?;
        }
        if self.ndim() == 1 {
            write!(f, ",")?;
        }
        write!(f, ")")
    }
}

/// A half-open rectangle `[lo, hi)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Rect {
    pub lo: Point,
    pub hi: Point,
}

impl Rect {
    pub fn new(lo: Point, hi: Point) -> Rect {
        debug_assert_eq!(lo.ndim(), hi.ndim());
        Rect { lo, hi }
    }

    /// `[0, extents)`.
    pub fn from_extents(extents: &Point) -> Rect {
        Rect { lo: Point::splat(extents.ndim(), 0), hi: *extents }
    }

    pub fn ndim(&self) -> usize {
        self.lo.ndim()
    }

    pub fn extents(&self) -> Point {
        let mut e = self.hi;
        for d in 0..self.ndim() {
            e[d] = (self.hi[d] - self.lo[d]).max(0);
        }
        e
    }

    pub fn volume(&self) -> u64 {
        self.extents().volume()
    }

    pub fn is_empty(&self) -> bool {
        (0..self.ndim()).any(|d| self.hi[d] <= self.lo[d])
    }

    pub fn intersection(&self, other: &Rect) -> Rect {
        let mut r = *self;
        for d in 0..self.ndim() {
            r.lo[d] = self.lo[d].max(other.lo[d]);
            r.hi[d] = self.hi[d].min(other.hi[d]).max(r.lo[d]);
        }
        r
    }

    pub fn contains_rect(&self, other: &Rect) -> bool {
        other.is_empty() || (0..self.ndim()).all(|d| self.lo[d] <= other.lo[d] && other.hi[d] <= self.hi[d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linearize_round_trips() {
        let shape = Point::new(&[3, 4, 5]);
        for i in 0..60 {
            assert_eq!(Point::delinearize(i, &shape).linearize(&shape), i);
        }
    }

    #[test]
    fn volumes_never_wrap() {
        assert_eq!(checked_volume(&[1 << 31, 1 << 31]), Some(1 << 62));
        assert_eq!(checked_volume(&[1 << 32, 1 << 32]), None);
        assert_eq!(checked_volume(&[(1 << 60) + 1, 16]), None);
        assert_eq!(checked_volume(&[-1, 0]), None);
        assert_eq!(checked_volume(&[0, 1 << 40, 5]), Some(0));
        assert_eq!(checked_volume(&[0, i64::MAX, 5]), None);
        assert_eq!(Point::new(&[1 << 40, 1 << 40]).volume(), u64::MAX);
        assert!(Point::from_usize(&[1usize << 63]).is_none());
    }

    #[test]
    fn rect_intersection_and_containment() {
        let a = Rect::new(Point::new(&[0, 0]), Point::new(&[4, 4]));
        let b = Rect::new(Point::new(&[2, 3]), Point::new(&[6, 8]));
        let i = a.intersection(&b);
        assert_eq!(i, Rect::new(Point::new(&[2, 3]), Point::new(&[4, 4])));
        assert!(a.contains_rect(&i));
        assert!(!a.contains_rect(&b));
        let far = Rect::new(Point::new(&[5, 5]), Point::new(&[6, 6]));
        assert!(a.intersection(&far).is_empty());
        assert_eq!(format!("{}", Point::new(&[3])), "(3,)");
    }
}
