//! Exact sets of storage elements: what one point task touches.
//!
//! A rectangle of a view maps through the view's [`AffineMap`] to a set of storage
//! elements. Along each storage dimension that set is an arithmetic progression (slices,
//! strided slices, transposes, promotions, projections) or a short union of them
//! (delinearized views), so a footprint is a union of boxes of progressions. The
//! scheduler asks two questions of footprints — do they intersect, does one contain the
//! other — and both are answered exactly (CRT on progressions), which keeps dependence
//! analysis sound *and* precise: `a[::2]` and `a[1::2]` never conflict. Only when a
//! union would grow past [`MAX_PIECES`] is it widened to a bounding progression, which
//! stays sound.

use crate::shape::{DimVec, Rect};
use crate::store::transform::{AffineMap, DenseLayout};

/// The most boxes a footprint keeps before widening (bounds analysis cost).
pub const MAX_PIECES: usize = 64;

/// `{start + k * step : 0 <= k < count}` with `step > 0`, or empty when `count == 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progression {
    pub start: i64,
    pub step: i64,
    pub count: i64,
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Inverse of `a` modulo `m` (`gcd(a, m) == 1`, `m >= 1`).
fn mod_inverse(a: i128, m: i128) -> i128 {
    let (mut old_r, mut r) = (a.rem_euclid(m), m);
    let (mut old_s, mut s) = (1i128, 0i128);
    while r != 0 {
        let q = old_r / r;
        (old_r, r) = (r, old_r - q * r);
        (old_s, s) = (s, old_s - q * s);
    }
    old_s.rem_euclid(m)
}

impl Progression {
    pub fn single(v: i64) -> Progression {
        Progression { start: v, step: 1, count: 1 }
    }

    pub fn range(lo: i64, hi: i64) -> Progression {
        Progression { start: lo, step: 1, count: (hi - lo).max(0) }
    }

    pub fn is_empty(&self) -> bool {
        self.count <= 0
    }

    pub fn last(&self) -> i64 {
        self.start + (self.count - 1) * self.step
    }

    pub fn contains_value(&self, v: i64) -> bool {
        !self.is_empty() && v >= self.start && v <= self.last() && (v - self.start) % self.step == 0
    }

    /// Whether some value is in both progressions (exact).
    pub fn intersects(&self, other: &Progression) -> bool {
        if self.is_empty() || other.is_empty() {
            return false;
        }
        if self.count == 1 {
            return other.contains_value(self.start);
        }
        if other.count == 1 {
            return self.contains_value(other.start);
        }
        let lo = self.start.max(other.start) as i128;
        let hi = self.last().min(other.last()) as i128;
        if lo > hi {
            return false;
        }
        // x = s1 (mod a), x = s2 (mod b): solvable iff g | (s2 - s1).
        let (s1, a, s2, b) = (self.start as i128, self.step as i128, other.start as i128, other.step as i128);
        let g = gcd(a, b);
        if (s2 - s1) % g != 0 {
            return false;
        }
        let m = b / g;
        let k = ((s2 - s1) / g).rem_euclid(m) * mod_inverse(a / g, m) % m;
        let x0 = s1 + a * k;
        let l = a / g * b;
        let x = x0 + (lo - x0).div_euclid(l) * l + if (lo - x0).rem_euclid(l) == 0 { 0 } else { l };
        x <= hi
    }

    /// Whether every value of `other` is in `self`.
    pub fn contains(&self, other: &Progression) -> bool {
        if other.is_empty() {
            return true;
        }
        if other.count == 1 {
            return self.contains_value(other.start);
        }
        !self.is_empty()
            && other.step % self.step == 0
            && self.contains_value(other.start)
            && self.contains_value(other.last())
    }

    /// The smallest single progression containing both (same residue class assumed
    /// or widened to the gcd of steps).
    fn hull(&self, other: &Progression) -> Progression {
        let lo = self.start.min(other.start);
        let hi = self.last().max(other.last());
        let mut step = gcd(self.step as i128, other.step as i128) as i64;
        step = gcd(step as i128, (self.start - other.start) as i128).max(1) as i64;
        if self.count == 1 && other.count == 1 && self.start == other.start {
            return *self;
        }
        Progression { start: lo, step, count: (hi - lo) / step + 1 }
    }
}

/// One term `coef * v` with `v` in `[lo, hi)`, as a progression.
fn term(coef: i64, lo: i64, hi: i64) -> Progression {
    let count = (hi - lo).max(0);
    if coef == 0 || count == 1 {
        return Progression { start: coef * lo, step: 1, count: count.min(1) };
    }
    if coef > 0 {
        Progression { start: coef * lo, step: coef, count }
    } else {
        Progression { start: coef * (hi - 1), step: -coef, count }
    }
}

/// Sum-set of two progressions as a union of progressions.
fn add(a: &Progression, b: &Progression, budget: usize) -> Vec<Progression> {
    if a.is_empty() || b.is_empty() {
        return vec![Progression { start: 0, step: 1, count: 0 }];
    }
    let (small, big) = if a.count == 1 || (b.count > 1 && a.step <= b.step) { (a, b) } else { (b, a) };
    if small.count == 1 {
        return vec![Progression { start: big.start + small.start, ..*big }];
    }
    if big.count == 1 {
        return vec![Progression { start: big.start + small.start, ..*small }];
    }
    if small.step * small.count == big.step {
        // The small progression exactly fills each gap of the big one: contiguous tiling.
        return vec![Progression { start: small.start + big.start, step: small.step, count: small.count * big.count }];
    }
    if (big.count as usize) <= budget {
        return (0..big.count)
            .map(|k| Progression { start: small.start + big.start + k * big.step, ..*small })
            .collect();
    }
    // Too many pieces: widen to a bounding progression (sound, less precise).
    let start = small.start + big.start;
    let step = gcd(small.step as i128, big.step as i128) as i64;
    let last = small.last() + big.last();
    vec![Progression { start, step, count: (last - start) / step + 1 }]
}

/// The union of progressions that storage coordinate `d` of `map` ranges over on `rect`
/// (not empty).
fn coordinate_union(map: &AffineMap, d: usize, rect: &Rect) -> Vec<Progression> {
    let mut acc = vec![Progression::single(map.offset(d))];
    for j in 0..map.view_ndim() {
        let c = map.coef(d, j);
        if c == 0 {
            continue;
        }
        let t = term(c, rect.lo[j], rect.hi[j]);
        let budget = (MAX_PIECES / acc.len()).max(1);
        acc = acc.iter().flat_map(|p| add(p, &t, budget)).collect();
    }
    acc
}

/// One progression per storage dimension.
pub(crate) type StorageBox = DimVec<Progression>;

/// Boxes of storage coordinates holding element offsets `p` of a dense instance whose
/// dimensions (slowest first) are `dims`. Exact when the step divides the fastest extent
/// or is a multiple of it (unit-step runs, whole rows); otherwise a bound.
fn boxes_of_offsets(p: Progression, dims: &[(usize, i64)], ndim: usize) -> Vec<StorageBox> {
    if p.is_empty() {
        return Vec::new();
    }
    let Some((&(d, w), outer)) = dims.split_last() else {
        return Vec::new();
    };
    if outer.is_empty() {
        let mut b: StorageBox = smallvec::smallvec![Progression::single(0); ndim];
        b[d] = p;
        return vec![b];
    }
    // Offsets in outer rows `rows`, at coordinates `inner` along d.
    let place = |rows: Progression, inner: Progression| -> Vec<StorageBox> {
        let mut boxes = boxes_of_offsets(rows, outer, ndim);
        for b in &mut boxes {
            b[d] = inner;
        }
        boxes
    };
    let (s, q, last) = (p.start, p.step, p.last());
    let (r0, r1) = (s / w, last / w);
    if p.count == 1 {
        return place(Progression::single(r0), Progression::single(s % w));
    }
    if q % w == 0 {
        return place(Progression { start: r0, step: q / w, count: p.count }, Progression::single(s % w));
    }
    if r0 == r1 {
        return place(Progression::single(r0), Progression { start: s % w, ..p });
    }
    if w % q == 0 {
        // Every row holds the offsets congruent to s mod q: full rows in the middle,
        // partial ones at either end.
        let res = s % q;
        let full_row = Progression { start: res, step: q, count: w / q };
        let (first_full, last_full) = (s % w == res, last % w == full_row.last());
        let (lo, hi) = (if first_full { r0 } else { r0 + 1 }, if last_full { r1 + 1 } else { r1 });
        let mut boxes = Vec::new();
        if !first_full {
            boxes.extend(place(Progression::single(r0), Progression { start: s % w, step: q, count: (w - 1 - s % w) / q + 1 }));
        }
        if hi > lo {
            boxes.extend(place(Progression::range(lo, hi), full_row));
        }
        if !last_full {
            boxes.extend(place(Progression::single(r1), Progression { start: res, step: q, count: (last % w - res) / q + 1 }));
        }
        return boxes;
    }
    // A bound: every offset, and so its coordinate along d, is congruent to s mod g.
    let g = gcd(q as i128, w as i128) as i64;
    let res = s % g;
    place(Progression::range(r0, r1 + 1), Progression { start: res, step: g, count: (w - 1 - res) / g + 1 })
}

/// A set of storage elements: `All` (unknown extent, e.g. an unbound storage) or a union
/// of boxes, each a progression per storage dimension. The common single box is kept
/// inline (no allocation on the per-operation path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Footprint {
    All,
    Box { ndim: u8, dims: StorageBox },
    Union { ndim: u8, boxes: Vec<StorageBox> },
}

impl Footprint {
    pub fn empty(ndim: usize) -> Footprint {
        Footprint::Union { ndim: ndim as u8, boxes: Vec::new() }
    }

    /// The boxes of a union (none for `All`).
    pub(crate) fn box_list(&self) -> &[StorageBox] {
        self.boxes()
    }

    fn boxes(&self) -> &[StorageBox] {
        match self {
            Footprint::All => &[],
            Footprint::Box { dims, .. } => std::slice::from_ref(dims),
            Footprint::Union { boxes, .. } => boxes,
        }
    }

    fn ndim(&self) -> usize {
        match self {
            Footprint::All => 0,
            Footprint::Box { ndim, .. } | Footprint::Union { ndim, .. } => *ndim as usize,
        }
    }

    /// The storage elements that view rectangle `rect` touches through `map`.
    pub fn of_rect(map: &AffineMap, rect: &Rect) -> Footprint {
        if let Some(layout) = map.linear() {
            let offsets = if rect.is_empty() { Vec::new() } else { coordinate_union(map, 0, rect) };
            return Footprint::of_offsets(layout, offsets);
        }
        let sdim = map.storage_ndim();
        if rect.is_empty() {
            return Footprint::empty(sdim);
        }
        // Fast path: each storage dimension follows at most one view dimension (every
        // transform but delinearize), so the footprint is one box.
        let mut dims: StorageBox = smallvec::smallvec![Progression::single(0); sdim];
        let mut simple = true;
        for (d, dim) in dims.iter_mut().enumerate().take(sdim) {
            let mut p = Progression::single(map.offset(d));
            let mut terms = 0;
            for j in 0..map.view_ndim() {
                let c = map.coef(d, j);
                if c != 0 {
                    terms += 1;
                    let t = term(c, rect.lo[j], rect.hi[j]);
                    p = Progression { start: p.start + t.start, ..t };
                }
            }
            if terms > 1 {
                simple = false;
                break;
            }
            *dim = p;
        }
        if simple {
            return Footprint::Box { ndim: sdim as u8, dims };
        }
        // Per storage dimension, the union of progressions its coordinate ranges over.
        let mut per_dim: Vec<Vec<Progression>> = (0..sdim).map(|d| coordinate_union(map, d, rect)).collect();
        // Cross product of the per-dimension unions; widen the largest if too many.
        while per_dim.iter().map(|v| v.len()).product::<usize>() > MAX_PIECES {
            let (widest, _) = per_dim.iter().enumerate().max_by_key(|(_, v)| v.len()).unwrap();
            let hull = per_dim[widest].iter().skip(1).fold(per_dim[widest][0], |h, p| h.hull(p));
            per_dim[widest] = vec![hull];
        }
        let mut boxes: Vec<StorageBox> = vec![smallvec::smallvec![Progression::single(0); sdim]];
        for (d, options) in per_dim.iter().enumerate() {
            let mut next = Vec::with_capacity(boxes.len() * options.len());
            for b in &boxes {
                for p in options {
                    let mut nb = b.clone();
                    nb[d] = *p;
                    next.push(nb);
                }
            }
            boxes = next;
        }
        Footprint::Union { ndim: sdim as u8, boxes }
    }

    /// Whether [`Footprint::of_rect`] through `map` gives exactly the elements a
    /// rectangle touches (it may give a superset for reshaped and delinearized views).
    pub fn is_exact_through(map: &AffineMap) -> bool {
        map.linear().is_none() && (0..map.storage_ndim()).all(|d| (0..map.view_ndim()).filter(|&j| map.coef(d, j) != 0).count() <= 1)
    }

    /// The storage elements at element offsets `offsets` of a dense instance.
    fn of_offsets(layout: &DenseLayout, mut offsets: Vec<Progression>) -> Footprint {
        let ndim = layout.ndim();
        if offsets.len() > MAX_PIECES {
            offsets = vec![offsets.iter().skip(1).fold(offsets[0], |h, p| h.hull(p))];
        }
        let dims: Vec<(usize, i64)> = layout.dims().collect();
        let mut boxes: Vec<_> = offsets.iter().flat_map(|p| boxes_of_offsets(*p, &dims, ndim)).collect();
        if boxes.len() > MAX_PIECES {
            let mut hull = boxes[0].clone();
            for b in &boxes[1..] {
                for d in 0..ndim {
                    hull[d] = hull[d].hull(&b[d]);
                }
            }
            boxes = vec![hull];
        }
        match boxes.len() {
            1 => Footprint::Box { ndim: ndim as u8, dims: boxes.swap_remove(0) },
            _ => Footprint::Union { ndim: ndim as u8, boxes },
        }
    }

    /// Every element of either (widened to `All` past [`MAX_PIECES`] boxes: sound for
    /// ordering, which is what unions are used for).
    pub fn union(&self, other: &Footprint) -> Footprint {
        match (self, other) {
            (Footprint::All, _) | (_, Footprint::All) => Footprint::All,
            _ if self.is_empty() => other.clone(),
            _ if other.is_empty() => self.clone(),
            _ => {
                let boxes: Vec<_> = self.boxes().iter().chain(other.boxes()).cloned().collect();
                if boxes.len() > MAX_PIECES {
                    Footprint::All
                } else {
                    Footprint::Union { ndim: self.ndim().max(other.ndim()) as u8, boxes }
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Footprint::All => false,
            _ => self.boxes().is_empty(),
        }
    }

    pub fn intersects(&self, other: &Footprint) -> bool {
        match (self, other) {
            (Footprint::All, o) | (o, Footprint::All) => !o.is_empty(),
            _ => {
                let n = self.ndim();
                let (a, b) = (self.boxes(), other.boxes());
                a.iter().any(|x| b.iter().any(|y| (0..n).all(|d| x[d].intersects(&y[d]))))
            }
        }
    }

    /// Whether `self` includes every element of `other` (exact for single boxes; a box
    /// of `other` must sit inside one box of `self`).
    pub fn contains(&self, other: &Footprint) -> bool {
        match (self, other) {
            (Footprint::All, _) => true,
            (_, Footprint::All) => false,
            _ => {
                let n = self.ndim();
                let (a, b) = (self.boxes(), other.boxes());
                b.iter().all(|y| a.iter().any(|x| (0..n).all(|d| x[d].contains(&y[d]))))
            }
        }
    }
}

/// The values of `x` below, inside and above `y`'s span, when `x ∩ y` is exactly the
/// part of `x` inside that span (y's step divides x's, on the same residue, or `x` has
/// one value); None otherwise.
fn split_by(x: &Progression, y: &Progression) -> Option<(Progression, Progression, Progression)> {
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let ystep = if y.count == 1 { 1 } else { y.step };
    let aligned = x.count == 1 || (x.step % ystep == 0 && (x.start - y.start).rem_euclid(ystep) == 0);
    if !aligned || (x.count == 1 && !y.contains_value(x.start) && x.start >= y.start && x.start <= y.last()) {
        return None;
    }
    // Indices k of x (value x.start + k * x.step) below, inside and above [y.start, y.last].
    let below = if y.start <= x.start { 0 } else { ((y.start - x.start + x.step - 1) / x.step).min(x.count) };
    let upto = if y.last() < x.start { 0 } else { ((y.last() - x.start) / x.step + 1).min(x.count) };
    let part = |k0: i64, k1: i64| Progression { start: x.start + k0 * x.step, step: x.step, count: (k1 - k0).max(0) };
    Some((part(0, below), part(below, upto.max(below)), part(upto.max(below), x.count)))
}

impl Footprint {
    /// A footprint holding every element of `self` that is not in `other`, and no
    /// element outside `self`. Exact when each box of `other` meets each box of `self`
    /// along progressions that line up (rectangular tiles of any view do); otherwise a
    /// box is kept whole, which can only leave extra elements in.
    pub fn subtract(&self, other: &Footprint) -> Footprint {
        match (self, other) {
            (_, Footprint::All) => return Footprint::empty(self.ndim()),
            (Footprint::All, _) => return Footprint::All,
            _ => {}
        }
        let n = self.ndim();
        let mut boxes: Vec<StorageBox> = self.boxes().to_vec();
        for y in other.boxes() {
            let mut next = Vec::with_capacity(boxes.len());
            for x in boxes {
                if !(0..n).all(|d| x[d].intersects(&y[d])) {
                    next.push(x);
                    continue;
                }
                let splits: Option<Vec<_>> = (0..n).map(|d| split_by(&x[d], &y[d])).collect();
                let Some(splits) = splits else {
                    next.push(x);
                    continue;
                };
                // Peel the parts outside y one dimension at a time.
                let mut rest = x.clone();
                for (d, (below, inside, above)) in splits.into_iter().enumerate() {
                    for outside in [below, above] {
                        if !outside.is_empty() {
                            let mut b = rest.clone();
                            b[d] = outside;
                            next.push(b);
                        }
                    }
                    rest[d] = inside;
                }
            }
            boxes = next;
        }
        if boxes.len() > MAX_PIECES {
            // Too fragmented to keep exactly: what was there before is a sound answer.
            return self.clone();
        }
        match boxes.len() {
            1 => Footprint::Box { ndim: n as u8, dims: boxes.swap_remove(0) },
            _ => Footprint::Union { ndim: n as u8, boxes },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::Point;
    use crate::store::transform::Transform;
    use proptest::prelude::*;

    fn members(p: &Progression) -> Vec<i64> {
        (0..p.count.max(0)).map(|k| p.start + k * p.step).collect()
    }

    proptest! {
        #[test]
        fn progression_intersection_is_exact(s1 in -20i64..20, a in 1i64..7, c1 in 0i64..8,
                                            s2 in -20i64..20, b in 1i64..7, c2 in 0i64..8) {
            let p = Progression { start: s1, step: a, count: c1 };
            let q = Progression { start: s2, step: b, count: c2 };
            let mp = members(&p);
            let brute = members(&q).iter().any(|v| mp.contains(v));
            prop_assert_eq!(p.intersects(&q), brute);
            let contained = members(&q).iter().all(|v| mp.contains(v));
            // `contains` may only answer true when it is really true.
            if p.contains(&q) { prop_assert!(contained); }
            if c2 <= 1 || (b % a == 0) { prop_assert_eq!(p.contains(&q), contained); }
        }
    }

    fn progression(start: i64, step: i64, count: i64) -> Progression {
        Progression { start, step, count }
    }

    proptest! {
        /// `a - b` keeps every element of `a` not in `b`, adds none, and removes all of
        /// `b` when `b`'s steps line up with `a`'s (tiles of the same view).
        #[test]
        fn subtraction_is_sound_and_exact_for_aligned_boxes(
            a0 in -5i64..5, as0 in 1i64..4, ac0 in 0i64..8, a1 in -5i64..5, as1 in 1i64..3, ac1 in 0i64..6,
            b0 in -5i64..8, bs0 in 1i64..4, bc0 in 0i64..8, b1 in -5i64..5, bc1 in 0i64..6,
        ) {
            let mut da: StorageBox = smallvec::smallvec![Progression::single(0); 2];
            da[0] = progression(a0, as0, ac0);
            da[1] = progression(a1, as1, ac1);
            let mut db: StorageBox = smallvec::smallvec![Progression::single(0); 2];
            db[0] = progression(b0, bs0, bc0);
            db[1] = progression(b1, 1, bc1);
            let a = Footprint::Box { ndim: 2, dims: da };
            let b = Footprint::Box { ndim: 2, dims: db };
            let (ma, mb) = (box_members(&a), box_members(&b));
            let got = box_members(&a.subtract(&b));
            for p in &got {
                prop_assert!(ma.contains(p), "{:?} was not in a", p);
            }
            for p in ma.iter().filter(|p| !mb.contains(p)) {
                prop_assert!(got.contains(p), "{:?} was lost", p);
            }
            let lines_up = ac0 <= 1 || bc0 <= 1 || (as0 % bs0 == 0 && (a0 - b0).rem_euclid(bs0) == 0);
            if lines_up {
                for p in &got {
                    prop_assert!(!mb.contains(p), "{:?} is in b", p);
                }
            }
        }
    }

    #[test]
    fn tiles_subtract_a_whole_view_to_nothing() {
        let whole = Footprint::of_rect(&AffineMap::identity(2), &Rect::from_extents(&Point::new(&[10, 7])));
        let tile = |lo: i64, hi: i64| Footprint::of_rect(&AffineMap::identity(2), &Rect::new(Point::new(&[lo, 0]), Point::new(&[hi, 7])));
        let half = whole.subtract(&tile(0, 4));
        assert!(!half.is_empty() && !half.intersects(&tile(0, 4)) && half.intersects(&tile(4, 5)));
        assert!(half.subtract(&tile(4, 10)).is_empty());
    }

    fn elements(map: &AffineMap, rect: &Rect) -> Vec<Point> {
        let mut out = Vec::new();
        let ext = rect.extents();
        for i in 0..ext.volume() {
            let mut p = Point::delinearize(i, &ext);
            for d in 0..p.ndim() {
                p[d] += rect.lo[d];
            }
            out.push(map.apply(&p));
        }
        out
    }

    fn box_members(fp: &Footprint) -> Vec<Point> {
        let mut out = Vec::new();
        for b in fp.boxes() {
            let n = fp.ndim();
            let counts: Vec<i64> = (0..n).map(|d| b[d].count).collect();
            let ext = Point::new(&counts);
            for i in 0..ext.volume() {
                let k = Point::delinearize(i, &ext);
                let coords: Vec<i64> = (0..n).map(|d| b[d].start + k[d] * b[d].step).collect();
                out.push(Point::new(&coords));
            }
        }
        out
    }

    #[test]
    fn footprints_cover_exactly_the_touched_elements() {
        let maps = [
            AffineMap::identity(2).then(&Transform::Transpose { axes: vec![1, 0] }),
            AffineMap::identity(1).then(&Transform::Delinearize { dim: 0, shape: vec![3, 4] }),
            AffineMap::identity(1)
                .then(&Transform::Slice { dim: 0, start: 11, step: -1 })
                .then(&Transform::Delinearize { dim: 0, shape: vec![4, 3] }),
            AffineMap::identity(2).then(&Transform::Slice { dim: 1, start: 1, step: 3 }),
        ];
        for map in maps {
            let rect = Rect::new(Point::new(&[1, 1]), Point::new(&[3, 3]));
            let want = elements(&map, &rect);
            let got = box_members(&Footprint::of_rect(&map, &rect));
            for w in &want {
                assert!(got.contains(w), "{w:?} missing");
            }
            assert_eq!(got.len(), want.len(), "no extra elements for {map:?}");
        }
    }

    #[test]
    fn diagonal_footprints_cover_the_touched_elements() {
        // A diagonal's footprint is the square it spans: sound, not exact.
        let map = AffineMap::identity(3).then(&Transform::Diagonal { dim1: 0, dim2: 2, start1: 1, start2: 0 });
        let rect = Rect::new(Point::new(&[0, 1]), Point::new(&[2, 3]));
        let got = box_members(&Footprint::of_rect(&map, &rect));
        for w in &elements(&map, &rect) {
            assert!(got.contains(w), "{w:?} missing");
        }
    }

    #[test]
    fn even_and_odd_slices_are_disjoint() {
        let even = AffineMap::identity(1).then(&Transform::Slice { dim: 0, start: 0, step: 2 });
        let odd = AffineMap::identity(1).then(&Transform::Slice { dim: 0, start: 1, step: 2 });
        let r = Rect::from_extents(&Point::new(&[50]));
        let a = Footprint::of_rect(&even, &r);
        let b = Footprint::of_rect(&odd, &r);
        assert!(!a.intersects(&b));
        let all = Footprint::of_rect(&AffineMap::identity(1), &Rect::from_extents(&Point::new(&[100])));
        assert!(all.contains(&a) && all.contains(&b) && all.intersects(&a));
    }

    /// Storage coordinates of the elements a linear map's `rect` touches.
    fn offset_elements(map: &AffineMap, rect: &Rect, extents: &Point, layout: crate::storage::Layout) -> Vec<Point> {
        let strides = crate::storage::dense_strides(extents, 1, layout);
        elements(map, rect)
            .into_iter()
            .map(|off| {
                let mut rest = off[0];
                let mut c = Point::splat(extents.ndim(), 0);
                let mut dims: Vec<usize> = (0..extents.ndim()).filter(|&d| extents[d] > 1).collect();
                dims.sort_by_key(|&d| std::cmp::Reverse(strides[d]));
                for d in dims {
                    c[d] = rest / strides[d];
                    rest %= strides[d];
                }
                c
            })
            .collect()
    }

    proptest! {
        /// Views made by a merging reshape (after a strided slice of a C or F instance):
        /// their footprints hold every touched element, and no others when the view's
        /// tile is a run of whole or partial rows.
        #[test]
        fn merged_reshape_footprints_cover_the_touched_elements(
            e0 in 1i64..5, e1 in 1i64..6, e2 in 1i64..5, fortran in any::<bool>(),
            start in 0i64..3, step in 1i64..3, split in 1i64..4, lo in 0i64..40, len in 0i64..40,
        ) {
            use crate::storage::{dense_strides, Layout};
            use crate::store::transform::{reshape_strides, DenseLayout};
            let extents = Point::new(&[e0, e1, e2]);
            let layout = if fortran { Layout::F } else { Layout::C };
            let dense = DenseLayout::of(&extents, &dense_strides(&extents, 8, layout), 8).unwrap();
            // Slice the slowest dimension (so the rest stays one run), then flatten.
            let slow = if fortran { 2 } else { 0 };
            let n = extents[slow];
            prop_assume!(start < n);
            let base = AffineMap::identity(3).then(&Transform::Slice { dim: slow, start, step });
            let mut shape = extents.clone();
            shape[slow] = (n - start + step - 1) / step;
            let linear = base.linearized(&dense);
            let old: Vec<i64> = (0..3).map(|j| linear.coef(0, j)).collect();
            let volume = shape.volume() as i64;
            let new = if volume % split == 0 { vec![split, volume / split] } else { vec![volume] };
            if let Some(strides) = reshape_strides(shape.as_slice(), &old, &new) {
                let map = base.then(&Transform::Reshape { strides, layout: dense });
                let last = *new.last().unwrap();
                let flat_lo = lo.min(volume);
                let flat_hi = (flat_lo + len).min(volume);
                // A run of the flattened view: whole rows of `new` when it is 2-d.
                let rect = if new.len() == 1 {
                    Rect::new(Point::new(&[flat_lo]), Point::new(&[flat_hi]))
                } else {
                    Rect::new(Point::new(&[flat_lo / last, 0]), Point::new(&[(flat_hi / last).max(flat_lo / last), last]))
                };
                let want = offset_elements(&map, &rect, &extents, layout);
                let got = box_members(&Footprint::of_rect(&map, &rect));
                for w in &want {
                    prop_assert!(got.contains(w), "{:?} missing", w);
                }
                if step == 1 {
                    prop_assert_eq!(got.len(), want.len());
                }
            }
        }
    }

    #[test]
    fn tiles_of_a_flattened_matrix_are_exact_and_disjoint() {
        use crate::storage::{dense_strides, Layout};
        use crate::store::transform::DenseLayout;
        let extents = Point::new(&[6, 10]);
        let dense = DenseLayout::of(&extents, &dense_strides(&extents, 8, Layout::C), 8).unwrap();
        let flat = AffineMap::identity(2).then(&Transform::Reshape { strides: vec![1], layout: dense });
        let a = Footprint::of_rect(&flat, &Rect::new(Point::new(&[0]), Point::new(&[33])));
        let b = Footprint::of_rect(&flat, &Rect::new(Point::new(&[33]), Point::new(&[60])));
        assert!(!a.intersects(&b));
        // Rows 0-2 whole and row 3 up to column 2: three boxes at most.
        assert_eq!(box_members(&a).len(), 33);
        let row3 = Footprint::of_rect(&AffineMap::identity(2), &Rect::new(Point::new(&[3, 0]), Point::new(&[4, 10])));
        assert!(a.intersects(&row3) && b.intersects(&row3));
        let row4 = Footprint::of_rect(&AffineMap::identity(2), &Rect::new(Point::new(&[4, 0]), Point::new(&[5, 10])));
        assert!(!a.intersects(&row4) && b.contains(&row4));
    }
}
