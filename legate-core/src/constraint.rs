//! Partitioning constraints an auto task places on its arguments; the solver turns
//! them into one partition per argument.

use crate::partition::ImageKind;
use crate::shape::Point;

/// An argument of a task, as named in constraints (returned by `add_input` & co).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Variable(pub usize);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constraint {
    /// Both arguments get the same partition (their shapes must be equal).
    Align(Variable, Variable),
    /// The argument is not split along these dimensions (all when `None`).
    Broadcast(Variable, Option<Vec<usize>>),
    /// `dst`'s piece `c` is what `src`'s piece `c` names (ranges or points).
    Image { src: Variable, dst: Variable, kind: ImageKind },
    /// `dst` gets `src`'s tiling grown by a halo of `lo`/`hi` elements. (Points are
    /// boxed here and below: every launch moves its constraints, kept inline, and
    /// these two are rare.)
    Bloat { src: Variable, dst: Variable, lo: Box<Point>, hi: Box<Point> },
    /// `dst`'s tiles are `src`'s tiles scaled by `factors`.
    Scale { src: Variable, dst: Variable, factors: Box<Point> },
}

pub fn align(a: Variable, b: Variable) -> Constraint {
    Constraint::Align(a, b)
}

pub fn broadcast(v: Variable, dims: Option<&[usize]>) -> Constraint {
    Constraint::Broadcast(v, dims.map(|d| d.to_vec()))
}

pub fn image(src: Variable, dst: Variable, kind: ImageKind) -> Constraint {
    Constraint::Image { src, dst, kind }
}

pub fn bloat(src: Variable, dst: Variable, lo: &[i64], hi: &[i64]) -> Constraint {
    Constraint::Bloat { src, dst, lo: Box::new(Point::new(lo)), hi: Box::new(Point::new(hi)) }
}

pub fn scale(src: Variable, dst: Variable, factors: &[i64]) -> Constraint {
    Constraint::Scale { src, dst, factors: Box::new(Point::new(factors)) }
}
