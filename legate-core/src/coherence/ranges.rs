//! Byte ranges of a storage's linear layout: the unit in which coherence tracks what
//! each rank holds, and in which instances (windows) and transfers are cut.
//!
//! A storage's instances are dense (C or Fortran order), so every element has one byte
//! offset in the storage's linear layout, and a rank's instance is a window of that
//! layout. A footprint (an exact set of storage elements) converts to a short list of
//! byte ranges: a row-band tile is one range, a column tile one range per row. When the
//! list would be too long, the conversion widens to the hull and says so (`exact` is
//! false): a write through such a piece must then first fetch the whole hull, so that
//! the writer holds the latest version of every byte it is said to hold.

use crate::footprint::{Footprint, Progression};
use crate::shape::{DimVec, Point};

/// The most ranges one conversion keeps before widening to the hull.
pub const MAX_RANGES: usize = 4096;

/// Sorted, disjoint, non-adjacent half-open byte ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ranges(pub(crate) Vec<(u64, u64)>);

/// The dense linear layout of a storage: its extents, byte strides and element size.
#[derive(Clone, Debug)]
pub struct LinearLayout {
    pub extents: Point,
    pub strides: Point,
    pub elem: u64,
}

impl LinearLayout {
    /// Bytes of the whole storage.
    pub fn total(&self) -> u64 {
        self.extents.volume() * self.elem
    }
}

impl Ranges {
    pub fn empty() -> Ranges {
        Ranges(Vec::new())
    }

    pub fn one(lo: u64, hi: u64) -> Ranges {
        if hi > lo {
            Ranges(vec![(lo, hi)])
        } else {
            Ranges::empty()
        }
    }

    /// From any list of ranges (sorted and merged here).
    pub fn from_unsorted(mut v: Vec<(u64, u64)>) -> Ranges {
        v.retain(|r| r.1 > r.0);
        v.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            match out.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        Ranges(out)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(u64, u64)> {
        self.0.iter()
    }

    pub fn bytes(&self) -> u64 {
        self.0.iter().map(|r| r.1 - r.0).sum()
    }

    /// The smallest single range holding all of them.
    pub fn hull(&self) -> Option<(u64, u64)> {
        Some((self.0.first()?.0, self.0.last()?.1))
    }

    pub fn union(&self, other: &Ranges) -> Ranges {
        Ranges::from_unsorted(self.0.iter().chain(other.0.iter()).copied().collect())
    }

    /// The bytes of a footprint of a storage with `layout`, and whether the ranges are
    /// exactly the footprint's bytes (false: a superset, the hull).
    pub fn of_footprint(fp: &Footprint, layout: &LinearLayout) -> (Ranges, bool) {
        let total = layout.total();
        let boxes = match fp {
            Footprint::All => return (Ranges::one(0, total), false),
            _ => fp.box_list(),
        };
        let n = layout.extents.ndim();
        if n == 0 {
            // A 0-d storage has one element.
            return (if fp.is_empty() { Ranges::empty() } else { Ranges::one(0, layout.elem) }, true);
        }
        let mut out = Vec::new();
        let mut exact = true;
        for b in boxes {
            if b[..n].iter().any(|p| p.is_empty()) {
                continue;
            }
            if !box_ranges(&b[..n], layout, &mut out) {
                exact = false;
                out.push(box_hull(&b[..n], layout));
            }
            if out.len() > MAX_RANGES {
                let r = Ranges::from_unsorted(out);
                let (lo, hi) = r.hull().expect("non-empty");
                return (Ranges::one(lo, hi), false);
            }
        }
        (Ranges::from_unsorted(out), exact)
    }
}

/// Byte hull of one box: from its first element to the end of its last.
fn box_hull(b: &[Progression], layout: &LinearLayout) -> (u64, u64) {
    let (mut lo, mut hi) = (0i64, 0i64);
    for (d, p) in b.iter().enumerate() {
        let s = layout.strides[d];
        let (a, z) = (p.start * s, p.last() * s);
        lo += a.min(z);
        hi += a.max(z);
    }
    (lo as u64, hi as u64 + layout.elem)
}

/// Appends the exact byte ranges of one box, or returns false when there would be more
/// than [`MAX_RANGES`] of them.
fn box_ranges(b: &[Progression], layout: &LinearLayout, out: &mut Vec<(u64, u64)>) -> bool {
    let n = b.len();
    // Dimensions from the innermost (smallest stride) out.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&d| layout.strides[d]);
    // Merge inner dimensions into one contiguous run while they cover their extent.
    let mut run = layout.elem as i64; // bytes one run spans so far, when contiguous
    let mut merged = 0; // how many inner dimensions the run absorbs
    let mut run_bytes = layout.elem as i64;
    for &d in &order {
        let p = b[d];
        let extent = layout.extents[d];
        if layout.strides[d] != run || (p.count > 1 && p.step != 1) {
            break;
        }
        merged += 1;
        run_bytes = p.count * layout.strides[d];
        if p.start == 0 && p.count == extent {
            run = extent * layout.strides[d];
        } else {
            break;
        }
    }
    if merged == 0 {
        run_bytes = layout.elem as i64;
    }
    let outer: Vec<usize> = order[merged..].to_vec();
    let count: i64 = outer.iter().map(|&d| b[d].count).product();
    if count as usize > MAX_RANGES {
        return false;
    }
    // Offset of the run's first byte from the merged dimensions' starts.
    let base: i64 = order[..merged].iter().map(|&d| b[d].start * layout.strides[d]).sum();
    let mut idx: DimVec<i64> = smallvec::smallvec![0; outer.len()];
    for _ in 0..count.max(0) {
        let mut off = base;
        for (k, &d) in outer.iter().enumerate() {
            off += (b[d].start + idx[k] * b[d].step) * layout.strides[d];
        }
        out.push((off as u64, (off + run_bytes) as u64));
        // Odometer over the outer dimensions.
        for k in 0..outer.len() {
            idx[k] += 1;
            if idx[k] < b[outer[k]].count {
                break;
            }
            idx[k] = 0;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::Rect;
    use crate::storage::{dense_strides, Layout};
    use crate::store::transform::AffineMap;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn layout(extents: &[i64], elem: u64, order: Layout) -> LinearLayout {
        let e = Point::new(extents);
        LinearLayout { strides: dense_strides(&e, elem as usize, order), extents: e, elem }
    }

    /// Every byte of every element of the box, by brute force.
    fn brute(rect: &Rect, l: &LinearLayout) -> BTreeSet<u64> {
        let mut s = BTreeSet::new();
        for i in 0..rect.volume() {
            let p = Point::delinearize(i, &rect.extents());
            let off: i64 = (0..rect.ndim()).map(|d| (p[d] + rect.lo[d]) * l.strides[d]).sum();
            for b in 0..l.elem {
                s.insert(off as u64 + b);
            }
        }
        s
    }

    fn bytes_of(r: &Ranges) -> BTreeSet<u64> {
        r.iter().flat_map(|&(lo, hi)| lo..hi).collect()
    }

    proptest! {
        #[test]
        fn tiles_convert_exactly(ext in proptest::collection::vec(1i64..6, 1..4), seed in any::<u64>(), f in any::<bool>()) {
            let n = ext.len();
            let l = layout(&ext, 4, if f { Layout::F } else { Layout::C });
            let mut lo = Point::splat(n, 0);
            let mut hi = Point::splat(n, 0);
            let mut s = seed;
            for d in 0..n {
                let a = (s % ext[d] as u64) as i64; s /= 7;
                let b = (s % ext[d] as u64) as i64; s /= 7;
                lo[d] = a.min(b); hi[d] = a.max(b) + 1;
            }
            let rect = Rect::new(lo, hi);
            let map = AffineMap::identity(n);
            let fp = Footprint::of_rect(&map, &rect);
            let (r, exact) = Ranges::of_footprint(&fp, &l);
            prop_assert!(exact);
            prop_assert_eq!(bytes_of(&r), brute(&rect, &l));
        }
    }

    #[test]
    fn row_bands_are_one_range() {
        let l = layout(&[100, 50], 8, Layout::C);
        let fp = Footprint::of_rect(&AffineMap::identity(2), &Rect::new(Point::new(&[10, 0]), Point::new(&[20, 50])));
        let (r, exact) = Ranges::of_footprint(&fp, &l);
        assert!(exact);
        assert_eq!(r.0, vec![(10 * 400, 20 * 400)]);
    }

    #[test]
    fn too_many_ranges_widen_to_the_hull() {
        let l = layout(&[10000, 4], 8, Layout::C);
        let fp = Footprint::of_rect(&AffineMap::identity(2), &Rect::new(Point::new(&[0, 0]), Point::new(&[10000, 1])));
        let (r, exact) = Ranges::of_footprint(&fp, &l);
        assert!(!exact);
        assert_eq!(r.0, vec![(0, 9999 * 32 + 8)]);
    }
}
