//! Partitions: how a store is split among the points of a launch.
//!
//! `Replicate` gives every point the whole store; a [`Tiling`] gives point `c` the tile
//! `offset + c * tile` (grown by a halo when bloated, clipped to the store); an `Image`
//! derives each point's piece from the *contents* of another store's piece (ranges or
//! points), which is resolved when the point runs, after the source is computed.

use crate::shape::{Point, Rect};
use crate::store::LogicalStore;

/// A regular tiling of a store's index space, possibly with a halo (bloated). A tile
/// extent of 0 means the dimension is not split (every color sees all of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tiling {
    pub tile: Point,
    pub colors: Point,
    pub offset: Point,
    pub halo_lo: Point,
    pub halo_hi: Point,
}

impl Tiling {
    pub fn new(tile: Point, colors: Point) -> Tiling {
        let n = tile.ndim();
        Tiling { tile, colors, offset: Point::splat(n, 0), halo_lo: Point::splat(n, 0), halo_hi: Point::splat(n, 0) }
    }

    /// The tiling of `extents` into `colors` pieces along each dimension (square-ish
    /// pieces are chosen by the solver; this just divides evenly, rounding up).
    pub fn even(extents: &Point, colors: &Point) -> Tiling {
        let mut tile = extents.clone();
        let mut real_colors = colors.clone();
        for d in 0..extents.ndim() {
            let c = colors[d].max(1);
            tile[d] = ((extents[d] + c - 1) / c).max(1);
            real_colors[d] = ((extents[d] + tile[d] - 1) / tile[d]).max(1);
        }
        Tiling::new(tile, real_colors)
    }

    pub fn is_bloated(&self) -> bool {
        self.halo_lo.as_slice().iter().chain(self.halo_hi.as_slice()).any(|&h| h != 0)
    }

    pub fn bloated(&self, lo: Point, hi: Point) -> Tiling {
        Tiling { halo_lo: lo, halo_hi: hi, ..self.clone() }
    }

    /// The piece of color `color` in a store of `extents`.
    pub fn child_rect(&self, color: &Point, extents: &Point) -> Rect {
        let n = extents.ndim();
        let mut lo = Point::splat(n, 0);
        let mut hi = Point::splat(n, 0);
        for d in 0..n {
            if self.tile[d] == 0 {
                // Not split along d (a broadcast dimension): every color sees all of it.
                hi[d] = extents[d];
                continue;
            }
            let start = self.offset[d] + color[d] * self.tile[d];
            lo[d] = (start - self.halo_lo[d]).clamp(0, extents[d]);
            hi[d] = (start + self.tile[d] + self.halo_hi[d]).clamp(lo[d], extents[d]);
        }
        Rect::new(lo, hi)
    }
}

/// How an image's source elements describe the destination piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// Source elements are half-open `[lo, hi)` ranges (`[i64; 2]`) of a 1-d destination.
    Ranges,
    /// Source elements are destination coordinates (`i64` or `[i64; N]`).
    Points,
}

#[derive(Clone, Debug)]
pub enum Partition {
    Replicate,
    Tiling(Tiling),
    /// The piece of color `c` is the bounding box of what source piece `c` names.
    Image { source: LogicalStore, source_partition: Box<Partition>, kind: ImageKind },
}

impl Partition {
    /// The rectangle point `color` sees of a store of `extents`, or None when it is only
    /// known at run time (images).
    pub fn child_rect(&self, color: &Point, extents: &Point) -> Option<Rect> {
        match self {
            Partition::Replicate => Some(Rect::from_extents(extents)),
            Partition::Tiling(t) => Some(t.child_rect(color, extents)),
            Partition::Image { .. } => None,
        }
    }

    pub fn as_tiling(&self) -> Option<&Tiling> {
        match self {
            Partition::Tiling(t) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_tiling_covers_without_empty_tiles() {
        let t = Tiling::even(&Point::new(&[10, 7]), &Point::new(&[4, 2]));
        assert_eq!(t.tile, Point::new(&[3, 4]));
        assert_eq!(t.colors, Point::new(&[4, 2]));
        let ext = Point::new(&[10, 7]);
        let mut covered = 0;
        for i in 0..t.colors.volume() {
            covered += t.child_rect(&Point::delinearize(i, &t.colors), &ext).volume();
        }
        assert_eq!(covered, 70);
        let b = t.bloated(Point::new(&[1, 1]), Point::new(&[1, 1]));
        assert_eq!(b.child_rect(&Point::new(&[1, 0]), &ext), Rect::new(Point::new(&[2, 0]), Point::new(&[7, 5])));
    }
}
