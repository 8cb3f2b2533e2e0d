//! Points, extents and rectangles in up to [`LEGATE_MAX_DIM`] dimensions.
//!
//! Every coordinate in the runtime is one of these small, copyable values: store shapes,
//! launch domains, tiles of a partition. Rectangles are half-open: `[lo, hi)`.

use std::fmt;

pub use legate_abi::MAX_DIM as LEGATE_MAX_DIM;

/// Per-dimension data of up to this many dimensions is stored inline; more spills to
/// the heap, so the common shapes never allocate while NumPy's 64 dimensions fit.
pub const INLINE_DIMS: usize = 6;

/// A short list with one entry per dimension (inline up to [`INLINE_DIMS`]).
pub type DimVec<T> = smallvec::SmallVec<[T; INLINE_DIMS]>;

/// A point (or a list of extents) with up to [`LEGATE_MAX_DIM`] coordinates, stored
/// inline up to [`INLINE_DIMS`] of them (so the common ones never allocate, and copy as
/// the fixed-size arrays they used to be). Not `Copy`: a point of more dimensions owns a
/// heap buffer; clone it where a copy is needed.
pub struct Point(Coords);

enum Coords {
    /// `ndim` coordinates; the slots past them are zero.
    Inline(u8, [i64; INLINE_DIMS]),
    Heap(Box<[i64]>),
}

impl Default for Point {
    fn default() -> Point {
        Point::empty()
    }
}

impl Clone for Point {
    #[inline]
    fn clone(&self) -> Point {
        match &self.0 {
            Coords::Inline(n, c) => Point(Coords::Inline(*n, *c)),
            Coords::Heap(c) => Point(Coords::Heap(c.clone())),
        }
    }
}

impl PartialEq for Point {
    #[inline]
    fn eq(&self, other: &Point) -> bool {
        match (&self.0, &other.0) {
            // The first `ndim` coordinates one by one (`c == d` is a call to `memcmp`,
            // and every operation compares shapes several times).
            (Coords::Inline(n, c), Coords::Inline(m, d)) => n == m && c.iter().zip(d).take(*n as usize).all(|(a, b)| a == b),
            _ => self.as_slice() == other.as_slice(),
        }
    }
}

impl Eq for Point {}

impl std::hash::Hash for Point {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl Point {
    /// The 0-d point.
    pub const fn empty() -> Point {
        Point(Coords::Inline(0, [0; INLINE_DIMS]))
    }

    /// `ndim` coordinates, all equal to `value`.
    #[inline]
    pub fn splat(ndim: usize, value: i64) -> Point {
        if ndim <= INLINE_DIMS {
            // Slot by slot over the fixed array (no call to `memset` for a few words).
            Point(Coords::Inline(ndim as u8, std::array::from_fn(|j| if j < ndim { value } else { 0 })))
        } else {
            assert!(ndim <= LEGATE_MAX_DIM, "at most {LEGATE_MAX_DIM} dimensions");
            Point(Coords::Heap(vec![value; ndim].into_boxed_slice()))
        }
    }

    /// A point from a slice; callers have checked the length (see [`Point::try_new`]).
    #[inline]
    pub fn new(coords: &[i64]) -> Point {
        Self::try_new(coords).expect("at most LEGATE_MAX_DIM dimensions")
    }

    #[inline]
    pub fn try_new(coords: &[i64]) -> Option<Point> {
        let n = coords.len();
        if n <= INLINE_DIMS {
            // As in `splat`: a fixed array, filled slot by slot.
            return Some(Point(Coords::Inline(n as u8, std::array::from_fn(|j| coords.get(j).copied().unwrap_or(0)))));
        }
        (n <= LEGATE_MAX_DIM).then(|| Point(Coords::Heap(coords.into())))
    }

    /// Extents from `usize`s; None past [`LEGATE_MAX_DIM`] dimensions or when an
    /// extent does not fit in an `i64`.
    #[inline]
    pub fn from_usize(extents: &[usize]) -> Option<Point> {
        if extents.len() > LEGATE_MAX_DIM {
            return None;
        }
        let mut p = Point::splat(extents.len(), 0);
        for (c, &e) in p.as_mut_slice().iter_mut().zip(extents) {
            *c = i64::try_from(e).ok()?;
        }
        Some(p)
    }

    #[inline]
    pub fn ndim(&self) -> usize {
        match &self.0 {
            Coords::Inline(n, _) => *n as usize,
            Coords::Heap(c) => c.len(),
        }
    }

    #[inline]
    pub fn as_slice(&self) -> &[i64] {
        match &self.0 {
            Coords::Inline(n, c) => &c[..*n as usize],
            Coords::Heap(c) => c,
        }
    }

    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [i64] {
        match &mut self.0 {
            Coords::Inline(n, c) => &mut c[..*n as usize],
            Coords::Heap(c) => c,
        }
    }

    /// Number of points in `[0, self)` when `self` is a list of extents. Every store's
    /// shape passed [`Point::checked_volume`] when it was made, so this cannot overflow
    /// for shapes of stores; it saturates rather than wrap for anything else.
    #[inline]
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
        let mut v: DimVec<i64> = DimVec::from_slice(self.as_slice());
        v.insert(dim, value);
        Point::new(&v)
    }

    /// Removes the coordinate at position `dim`.
    pub fn remove(&self, dim: usize) -> Point {
        let mut v: DimVec<i64> = DimVec::from_slice(self.as_slice());
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
        if idx == 0 {
            return p; // the first point (the only one of most launches)
        }
        for d in (0..shape.ndim()).rev() {
            let e = shape[d].max(1) as u64;
            p[d] = (idx % e) as i64;
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
    #[inline]
    fn index(&self, i: usize) -> &i64 {
        &self.as_slice()[i]
    }
}

impl std::ops::IndexMut<usize> for Point {
    #[inline]
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
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
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
    #[inline]
    pub fn from_extents(extents: &Point) -> Rect {
        Rect { lo: Point::splat(extents.ndim(), 0), hi: extents.clone() }
    }

    /// `[0, extents)`, taking the extents.
    #[inline]
    pub fn from_extents_owned(extents: Point) -> Rect {
        Rect { lo: Point::splat(extents.ndim(), 0), hi: extents }
    }

    pub fn ndim(&self) -> usize {
        self.lo.ndim()
    }

    pub fn extents(&self) -> Point {
        let mut e = self.hi.clone();
        for d in 0..self.ndim() {
            e[d] = (self.hi[d] - self.lo[d]).max(0);
        }
        e
    }

    pub fn volume(&self) -> u64 {
        let (lo, hi) = (self.lo.as_slice(), self.hi.as_slice());
        lo.iter().zip(hi).try_fold(1u64, |acc, (l, h)| acc.checked_mul((h - l).max(0) as u64)).unwrap_or(u64::MAX)
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.lo.as_slice().iter().zip(self.hi.as_slice()).any(|(l, h)| h <= l)
    }

    pub fn intersection(&self, other: &Rect) -> Rect {
        let mut r = self.clone();
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

    proptest::proptest! {
        /// Points and rectangles of every rank up to the limit behave like plain vectors.
        #[test]
        fn points_and_rects_of_any_rank_match_vectors(
            v in proptest::collection::vec(-4i64..5, 0..=LEGATE_MAX_DIM),
            w in proptest::collection::vec(-4i64..5, LEGATE_MAX_DIM),
            at in 0usize..=LEGATE_MAX_DIM,
        ) {
            let n = v.len();
            let p = Point::new(&v);
            proptest::prop_assert_eq!(p.ndim(), n);
            proptest::prop_assert_eq!(p.as_slice(), &v[..]);
            let q = Point::new(&w[..n]);
            proptest::prop_assert_eq!(p == q, v[..] == w[..n]);
            let copy = p.clone();
            proptest::prop_assert_eq!(&copy, &p);
            // insert / remove
            if n < LEGATE_MAX_DIM {
                let mut r = v.clone();
                r.insert(at.min(n), 9);
                let inserted = p.insert(at.min(n), 9);
                proptest::prop_assert_eq!(inserted.as_slice(), &r[..]);
            } else {
                proptest::prop_assert!(Point::try_new(&[v.clone(), vec![1]].concat()).is_none());
            }
            if n > 0 {
                let mut r = v.clone();
                r.remove(at % n);
                let removed = p.remove(at % n);
                proptest::prop_assert_eq!(removed.as_slice(), &r[..]);
            }
            // volume and (de)linearization inside extents
            let ext: Vec<i64> = v.iter().map(|&e| e.abs() % 3 + 1).collect();
            let shape = Point::new(&ext);
            proptest::prop_assert_eq!(shape.checked_volume(), Some(ext.iter().product::<i64>()));
            let inside: Vec<i64> = w[..n].iter().zip(&ext).map(|(&c, &e)| c.rem_euclid(e)).collect();
            let lin = ext.iter().zip(&inside).fold(0u64, |acc, (&e, &c)| acc * e as u64 + c as u64);
            proptest::prop_assert_eq!(Point::new(&inside).linearize(&shape), lin);
            proptest::prop_assert_eq!(Point::delinearize(lin, &shape), Point::new(&inside));
            // rectangles: [v, v + ext) against [w, w + 2)
            let hi: Vec<i64> = v.iter().zip(&ext).map(|(&a, &e)| a + e).collect();
            let a = Rect::new(p.clone(), Point::new(&hi));
            let b = Rect::new(q.clone(), Point::new(&w[..n].iter().map(|&c| c + 2).collect::<Vec<_>>()));
            proptest::prop_assert_eq!(a.extents(), shape);
            let i = a.intersection(&b);
            let empty = (0..n).any(|d| v[d].max(w[d]) >= hi[d].min(w[d] + 2));
            proptest::prop_assert_eq!(i.is_empty(), empty);
            proptest::prop_assert!(a.contains_rect(&i) && b.contains_rect(&i));
            let vol: u64 = (0..n).map(|d| (hi[d].min(w[d] + 2) - v[d].max(w[d])).max(0) as u64).product();
            proptest::prop_assert_eq!(i.volume(), vol);
        }
    }
}
