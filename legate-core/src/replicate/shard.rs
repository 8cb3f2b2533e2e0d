//! Sharding: which rank runs which point of a launch domain.
//!
//! Every rank computes the sharding of every launch on its own, from nothing but the
//! launch domain and the number of ranks, so all ranks agree without a message. The
//! function is *blocked over the row-major linearization*: the domain's points, in
//! row-major order, are cut into `ranks` contiguous runs whose lengths differ by at most
//! one, rank 0 taking the first run. Neighbouring tiles (in the last dimension, and
//! whole rows of tiles in the others) therefore stay on one rank, which keeps halo
//! exchanges between ranks to the run boundaries; and a store tiled the same way in two
//! launches is sharded the same way, so data that stays put under the key-partition rule
//! also stays on its rank.
//!
//! [`Sharding::rects`] gives a rank's points as a few rectangles (at most `2·ndim - 1`),
//! the form in which coherence tracking will record what each rank holds.

use std::ops::Range;

use crate::shape::{Point, Rect};

/// The sharding of one launch domain over `ranks` ranks.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Sharding {
    domain: Rect,
    extents: Point,
    volume: u64,
    ranks: usize,
}

impl Sharding {
    /// Shards `domain` (a half-open rectangle; an empty one has no points) over `ranks`
    /// ranks. `ranks` must be at least 1.
    pub fn new(domain: Rect, ranks: usize) -> Sharding {
        assert!(ranks >= 1, "a sharding needs at least one rank");
        let extents = domain.extents();
        let volume = if domain.is_empty() { 0 } else { extents.volume() };
        Sharding { domain, extents, volume, ranks }
    }

    /// Shards the domain `[0, extents)`.
    pub fn of_extents(extents: &Point, ranks: usize) -> Sharding {
        Self::new(Rect::from_extents(extents), ranks)
    }

    pub fn domain(&self) -> Rect {
        self.domain.clone()
    }

    pub fn ranks(&self) -> usize {
        self.ranks
    }

    /// The number of points in the domain.
    pub fn volume(&self) -> u64 {
        self.volume
    }

    /// The row-major linear indices (relative to the domain's low corner) that `rank`
    /// runs: a contiguous run, empty for ranks past the domain's volume.
    pub fn linear_range(&self, rank: usize) -> Range<u64> {
        let r = (rank.min(self.ranks)) as u64;
        self.start(r)..self.start((r + 1).min(self.ranks as u64))
    }

    /// The first linear index of rank `r`'s run: the first `extra` ranks take one point
    /// more than the others.
    fn start(&self, r: u64) -> u64 {
        let (base, extra) = self.split();
        r * base + r.min(extra)
    }

    fn split(&self) -> (u64, u64) {
        let n = self.ranks as u64;
        (self.volume / n, self.volume % n)
    }

    /// The rank that runs the point at row-major linear index `index` (< volume).
    pub fn owner_of_index(&self, index: u64) -> usize {
        debug_assert!(index < self.volume);
        let (base, extra) = self.split();
        let long_runs = extra * (base + 1);
        let rank = if index < long_runs { index / (base + 1) } else { extra + (index - long_runs) / base.max(1) };
        rank as usize
    }

    /// The rank that runs `point`, or None when the point is outside the domain.
    pub fn owner(&self, point: &Point) -> Option<usize> {
        if point.ndim() != self.domain.ndim() || self.volume == 0 {
            return None;
        }
        let mut relative = point.clone();
        for d in 0..point.ndim() {
            if point[d] < self.domain.lo[d] || point[d] >= self.domain.hi[d] {
                return None;
            }
            relative[d] = point[d] - self.domain.lo[d];
        }
        Some(self.owner_of_index(relative.linearize(&self.extents)))
    }

    /// The number of points `rank` runs.
    pub fn load(&self, rank: usize) -> u64 {
        let range = self.linear_range(rank);
        range.end - range.start
    }

    /// The points `rank` runs, in row-major order.
    pub fn points(&self, rank: usize) -> impl Iterator<Item = Point> + '_ {
        self.linear_range(rank).map(move |index| self.point_at(index))
    }

    /// The point at row-major linear index `index` of the domain.
    pub fn point_at(&self, index: u64) -> Point {
        let mut p = Point::delinearize(index, &self.extents);
        for d in 0..p.ndim() {
            p[d] += self.domain.lo[d];
        }
        p
    }

    /// The points `rank` runs as disjoint rectangles, in row-major order: a contiguous
    /// linear run of an n-d domain is a ragged head, a block of whole slabs, and a ragged
    /// tail, recursively, hence at most `2·ndim - 1` rectangles.
    pub fn rects(&self, rank: usize) -> Vec<Rect> {
        let range = self.linear_range(rank);
        let mut out = Vec::new();
        if range.start < range.end {
            if self.extents.ndim() == 0 {
                out.push(self.domain.clone());
            } else {
                run_to_rects(&self.extents, range.start, range.end, &mut Vec::new(), &mut out);
            }
        }
        for rect in &mut out {
            for d in 0..rect.ndim() {
                rect.lo[d] += self.domain.lo[d];
                rect.hi[d] += self.domain.lo[d];
            }
        }
        out
    }
}

/// Appends to `out` the rectangles covering the linear run `[start, end)` of the
/// sub-domain `extents` (the trailing dimensions), each prefixed by the fixed leading
/// coordinates in `prefix`.
fn run_to_rects(extents: &Point, start: u64, end: u64, prefix: &mut Vec<i64>, out: &mut Vec<Rect>) {
    let dim = prefix.len();
    let ndim = extents.ndim();
    // Points per index of this dimension (the volume of the trailing dimensions).
    let slab: u64 = (dim + 1..ndim).map(|d| extents[d] as u64).product();
    let rect = |prefix: &[i64], lo: i64, hi: i64| {
        let mut lo_p = Vec::with_capacity(ndim);
        let mut hi_p = Vec::with_capacity(ndim);
        for &c in prefix {
            lo_p.push(c);
            hi_p.push(c + 1);
        }
        lo_p.push(lo);
        hi_p.push(hi);
        for d in dim + 1..ndim {
            lo_p.push(0);
            hi_p.push(extents[d]);
        }
        Rect::new(Point::new(&lo_p), Point::new(&hi_p))
    };
    let (first, last) = (start / slab, (end - 1) / slab);
    let head_partial = !start.is_multiple_of(slab);
    let tail_partial = !end.is_multiple_of(slab);
    if first == last && (head_partial || tail_partial) {
        // The run lies inside one slab: recurse into it.
        prefix.push(first as i64);
        run_to_rects(extents, start - first * slab, end - first * slab, prefix, out);
        prefix.pop();
        return;
    }
    let mut full_lo = first;
    if head_partial {
        prefix.push(first as i64);
        run_to_rects(extents, start - first * slab, slab, prefix, out);
        prefix.pop();
        full_lo += 1;
    }
    let full_hi = if tail_partial { last } else { last + 1 };
    if full_lo < full_hi {
        out.push(rect(prefix, full_lo as i64, full_hi as i64));
    }
    if tail_partial {
        prefix.push(last as i64);
        run_to_rects(extents, 0, end - last * slab, prefix, out);
        prefix.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn domain_strategy() -> impl Strategy<Value = (Vec<i64>, Vec<i64>)> {
        (0usize..=4).prop_flat_map(|ndim| (prop::collection::vec(-3i64..3, ndim), prop::collection::vec(0i64..6, ndim)))
    }

    fn rect_of(lo: &[i64], extents: &[i64]) -> Rect {
        let hi: Vec<i64> = lo.iter().zip(extents).map(|(l, e)| l + e).collect();
        Rect::new(Point::new(lo), Point::new(&hi))
    }

    fn contains(rect: &Rect, p: &Point) -> bool {
        (0..p.ndim()).all(|d| rect.lo[d] <= p[d] && p[d] < rect.hi[d])
    }

    proptest! {
        #[test]
        fn every_point_has_exactly_one_rank((lo, extents) in domain_strategy(), ranks in 1usize..9) {
            let domain = rect_of(&lo, &extents);
            let s = Sharding::new(domain.clone(), ranks);
            let mut seen = 0u64;
            for rank in 0..ranks {
                for p in s.points(rank) {
                    prop_assert!(contains(&domain, &p) || domain.ndim() == 0);
                    prop_assert_eq!(s.owner(&p), Some(rank));
                    seen += 1;
                }
            }
            prop_assert_eq!(seen, s.volume());
            // Every point of the domain, enumerated independently, has an owner that
            // lists it.
            for index in 0..s.volume() {
                let p = s.point_at(index);
                let owner = s.owner(&p).unwrap();
                prop_assert!(s.points(owner).any(|q| q == p));
            }
        }

        #[test]
        fn loads_differ_by_at_most_one((lo, extents) in domain_strategy(), ranks in 1usize..9) {
            let s = Sharding::new(rect_of(&lo, &extents), ranks);
            let loads: Vec<u64> = (0..ranks).map(|r| s.load(r)).collect();
            let (min, max) = (loads.iter().min().unwrap(), loads.iter().max().unwrap());
            prop_assert!(max - min <= 1, "{loads:?}");
            prop_assert_eq!(loads.iter().sum::<u64>(), s.volume());
            // Heavier ranks come first, and runs follow one another in rank order.
            prop_assert!(loads.windows(2).all(|w| w[0] >= w[1]));
            for r in 1..ranks {
                prop_assert_eq!(s.linear_range(r - 1).end, s.linear_range(r).start);
            }
        }

        #[test]
        fn sharding_is_deterministic((lo, extents) in domain_strategy(), ranks in 1usize..9) {
            let domain = rect_of(&lo, &extents);
            let a = Sharding::new(domain.clone(), ranks);
            // Computed again, and on another thread (another "rank"), it is the same.
            let d = domain.clone();
            let b = std::thread::spawn(move || {
                (0..ranks).map(|r| (Sharding::new(d.clone(), ranks).points(r).collect::<Vec<_>>(), Sharding::new(d.clone(), ranks).rects(r))).collect::<Vec<_>>()
            }).join().unwrap();
            for (r, (points, rects)) in b.into_iter().enumerate() {
                prop_assert_eq!(a.points(r).collect::<Vec<_>>(), points);
                prop_assert_eq!(a.rects(r), rects);
            }
        }

        #[test]
        fn rects_cover_exactly_a_ranks_points((lo, extents) in domain_strategy(), ranks in 1usize..9) {
            let s = Sharding::new(rect_of(&lo, &extents), ranks);
            for rank in 0..ranks {
                let rects = s.rects(rank);
                prop_assert!(rects.len() <= (2 * s.domain().ndim()).saturating_sub(1).max(1), "{rects:?}");
                prop_assert!(rects.iter().all(|r| !r.is_empty()));
                // Disjoint, in row-major order, and together exactly the rank's points.
                let from_rects: Vec<Point> = rects.iter().flat_map(|r| {
                    let e = r.extents();
                    let count = if r.ndim() == 0 { 1 } else { e.volume() };
                    (0..count).map(move |i| {
                        let mut p = Point::delinearize(i, &e);
                        for d in 0..p.ndim() { p[d] += r.lo[d]; }
                        p
                    })
                }).collect();
                let mut sorted = from_rects.clone();
                sorted.sort_by_key(|p| p.as_slice().to_vec());
                sorted.dedup();
                prop_assert_eq!(sorted.len(), from_rects.len());
                prop_assert_eq!(from_rects, s.points(rank).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn neighbouring_tiles_stay_together() {
        // 4x4 tiles over 4 ranks: each rank gets one whole row of tiles.
        let s = Sharding::of_extents(&Point::new(&[4, 4]), 4);
        for r in 0..4 {
            assert_eq!(s.rects(r), vec![Rect::new(Point::new(&[r as i64, 0]), Point::new(&[r as i64 + 1, 4]))]);
        }
        // More ranks than points: the last ranks run nothing.
        let s = Sharding::of_extents(&Point::new(&[3]), 5);
        assert_eq!((0..5).map(|r| s.load(r)).collect::<Vec<_>>(), vec![1, 1, 1, 0, 0]);
        assert_eq!(s.owner(&Point::new(&[3])), None);
        assert_eq!(s.owner(&Point::new(&[1, 1])), None);
        // A 0-d domain is one point.
        let s = Sharding::of_extents(&Point::empty(), 3);
        assert_eq!(s.volume(), 1);
        assert_eq!(s.owner(&Point::empty()), Some(0));
        assert_eq!(s.rects(0).len(), 1);
    }
}
