//! The constraint solver: from an auto task's arguments and constraints to a launch
//! domain and one partition per argument.
//!
//! Aligned arguments are unioned into groups (their shapes must match). The largest
//! group decides the launch: below the minimum chunk it runs as a single point;
//! otherwise it reuses its storage's key partition when that fits, or tiles its shape
//! into square-ish pieces, one per processor. Other groups are tiled over the same
//! color space; image, bloat and scale constraints derive their argument's partition
//! from another's. Arguments that a task writes are never replicated across points:
//! when that cannot be avoided the launch falls back to a single point.

use crate::constraint::{Constraint, Variable};
use crate::error::{invalid, LegateError, Result};
use crate::partition::{Partition, Tiling};
use crate::shape::{Point, LEGATE_MAX_DIM};
use crate::store::LogicalStore;

/// What the solver needs to know about one argument.
pub struct SolverArg<'a> {
    pub store: &'a LogicalStore,
    /// None for unbound outputs.
    pub shape: Option<&'a Point>,
    /// Written (outputs); reductions are not writes here (they fold privately).
    pub writes: bool,
}

#[derive(Clone, Debug)]
pub struct Launch {
    /// The launch domain `[0, colors)`.
    pub colors: Point,
    pub partitions: Vec<Partition>,
}

impl Launch {
    pub fn is_single(&self) -> bool {
        self.colors.volume() == 1
    }
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut r = i;
    while parent[r] != r {
        r = parent[r];
    }
    parent[i] = r;
    r
}

fn prime_factors(mut n: usize) -> Vec<usize> {
    let mut f = Vec::new();
    let mut p = 2;
    while p * p <= n {
        while n % p == 0 {
            f.push(p);
            n /= p;
        }
        p += 1;
    }
    if n > 1 {
        f.push(n);
    }
    f.reverse();
    f
}

/// Square-ish color shape for `procs` pieces of `extents`, never splitting `fixed` dims.
pub fn choose_colors(extents: &Point, procs: usize, fixed: &[bool]) -> Point {
    let mut colors = Point::splat(extents.ndim(), 1);
    for f in prime_factors(procs) {
        let best = (0..extents.ndim())
            .filter(|&d| !fixed[d] && extents[d] / (colors[d] * f as i64) >= 1)
            .max_by_key(|&d| (extents[d] / colors[d], std::cmp::Reverse(d)));
        if let Some(d) = best {
            colors[d] *= f as i64;
        }
    }
    colors
}

/// A tiling of `extents` over `colors`, whole along `fixed` dims (tile extent 0).
fn tiling_over(extents: &Point, colors: &Point, fixed: &[bool]) -> Tiling {
    let mut t = Tiling::even(extents, colors);
    for d in 0..extents.ndim() {
        if fixed[d] {
            t.tile[d] = 0;
            t.colors[d] = colors[d];
        }
    }
    t.colors = colors.clone();
    t
}

pub fn solve(args: &[SolverArg], constraints: &[Constraint], procs: usize, min_chunk: u64) -> Result<Launch> {
    solve_impl(args, constraints, procs, min_chunk, false)
}

/// Solves with the launch forced to a single point.
pub fn solve_single(args: &[SolverArg], constraints: &[Constraint]) -> Result<Launch> {
    solve_impl(args, constraints, 1, 1, true)
}

fn solve_impl(args: &[SolverArg], constraints: &[Constraint], procs: usize, min_chunk: u64, force_single: bool) -> Result<Launch> {
    let n = args.len();
    let check = |v: &Variable| -> Result<usize> {
        if v.0 < n {
            Ok(v.0)
        } else {
            Err(invalid(format!("constraint names argument {} but the task has {n} arguments", v.0)))
        }
    };
    let mut parent: Vec<usize> = (0..n).collect();
    let mut derived: Vec<Option<&Constraint>> = vec![None; n];
    let mut fixed: Vec<[bool; LEGATE_MAX_DIM]> = vec![[false; LEGATE_MAX_DIM]; n];
    for c in constraints {
        match c {
            Constraint::Align(a, b) => {
                let (a, b) = (check(a)?, check(b)?);
                if let (Some(sa), Some(sb)) = (&args[a].shape, &args[b].shape) {
                    if sa != sb {
                        return Err(LegateError::ShapeMismatch(format!(
                            "cannot align arguments {a} and {b}: shapes {sa} and {sb} differ"
                        )));
                    }
                }
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
            Constraint::Broadcast(v, dims) => {
                let i = check(v)?;
                match dims {
                    None => fixed[i][..args[i].store.ndim()].fill(true),
                    Some(ds) => {
                        for &d in ds {
                            if d >= args[i].store.ndim() {
                                return Err(invalid(format!("broadcast: dimension {d} is out of range for argument {i}")));
                            }
                            fixed[i][d] = true;
                        }
                    }
                }
            }
            Constraint::Image { src, dst, .. } | Constraint::Bloat { src, dst, .. } | Constraint::Scale { src, dst, .. } => {
                let (s, d) = (check(src)?, check(dst)?);
                if s == d {
                    return Err(invalid("a derived partition cannot be derived from its own argument"));
                }
                if derived[d].is_some() {
                    return Err(invalid(format!("argument {d} is the target of two image/bloat/scale constraints")));
                }
                derived[d] = Some(c);
            }
        }
    }
    let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
    for i in 0..n {
        if derived[i].is_some() && roots.iter().enumerate().any(|(j, &r)| j != i && r == roots[i]) {
            return Err(invalid(format!("argument {i} is derived by an image/bloat/scale constraint and cannot also be aligned")));
        }
    }
    // Broadcast dims apply to the whole aligned group.
    let mut group_fixed = fixed.clone();
    for i in 0..n {
        let r = roots[i];
        if r != i {
            for d in 0..args[i].store.ndim() {
                group_fixed[r][d] |= fixed[i][d];
            }
        }
    }
    let group_of = |i: usize| roots[i];
    let fixed_of = |i: usize| &group_fixed[group_of(i)][..args[i].store.ndim()];

    // The key group: the largest partitionable one (outputs win ties).
    let partitionable = |i: usize| {
        derived[i].is_none()
            && !args[i].store.is_future()
            && args[i].shape.as_ref().is_some_and(|s| s.ndim() > 0 && s.volume() > 0)
            && !fixed_of(i).iter().all(|&f| f)
    };
    let key = (0..n)
        .filter(|&i| partitionable(i))
        .max_by_key(|&i| {
            // Largest first; among equals, one whose storage remembers a key partition
            // (so data need not move), then outputs.
            let keyed = args[i].store.is_whole_storage() && args[i].store.storage().data().key_partition.is_some();
            (args[i].shape.as_ref().map_or(0, |s| s.volume()), keyed, args[i].writes, std::cmp::Reverse(i))
        });

    let mut single = force_single || procs <= 1 || key.is_none();
    let mut colors = Point::new(&[1]);
    let mut key_tiling = None;
    if let (false, Some(k)) = (single, key) {
        let empty = Point::empty();
        let shape = args[k].shape.unwrap_or(&empty);
        let volume = shape.volume();
        let pieces = procs.min((volume / min_chunk.max(1)) as usize);
        if pieces <= 1 {
            single = true;
        } else {
            // Reuse the storage's key partition when the view is the whole storage.
            let store = args[k].store;
            let reuse = if store.is_whole_storage() {
                store.storage().data().key_partition.as_deref().cloned().filter(|t| {
                    t.colors.ndim() == shape.ndim()
                        && t.colors.volume() as usize <= procs
                        && t.colors.volume() > 1
                        && !t.is_bloated()
                        && (0..shape.ndim()).all(|d| !fixed_of(k)[d] || t.colors[d] == 1)
                })
            } else {
                None
            };
            let t = reuse.unwrap_or_else(|| {
                let c = choose_colors(&shape, pieces, fixed_of(k));
                tiling_over(&shape, &c, fixed_of(k))
            });
            colors = t.colors.clone();
            if colors.volume() <= 1 {
                single = true;
            } else {
                key_tiling = Some((group_of(k), t));
            }
        }
    }
    if single {
        let mut parts = vec![Partition::Replicate; n];
        resolve_derived(args, &derived, &mut parts)?;
        return Ok(Launch { colors: Point::new(&[1]), partitions: parts });
    }
    let (key_group, key_tiling) = key_tiling.ok_or_else(|| invalid("internal: no key partition"))?;

    let mut parts: Vec<Partition> = vec![Partition::Replicate; n];
    for i in 0..n {
        if derived[i].is_some() {
            continue;
        }
        let fx = fixed_of(i);
        parts[i] = if group_of(i) == key_group {
            Partition::Tiling(key_tiling.clone())
        } else if let (false, Some(s)) = (args[i].store.is_future(), args[i].shape) {
            let splittable = s.ndim() == colors.ndim() && (0..s.ndim()).all(|d| !fx[d] || colors[d] >= 1) && !fx.iter().all(|&f| f);
            if splittable {
                Partition::Tiling(tiling_over(s, &colors, fx))
            } else {
                Partition::Replicate
            }
        } else {
            Partition::Replicate
        };
        // A replicated argument must not be written by several points.
        if args[i].writes && args[i].shape.is_some() && matches!(parts[i], Partition::Replicate) {
            return solve_impl(args, constraints, 1, 1, true);
        }
    }
    resolve_derived(args, &derived, &mut parts)?;
    for i in 0..n {
        if args[i].writes && args[i].shape.is_some() && matches!(parts[i], Partition::Replicate) {
            return solve_impl(args, constraints, 1, 1, true);
        }
    }
    Ok(Launch { colors, partitions: parts })
}

/// Fills in image, bloat and scale partitions from their sources (in dependency order).
fn resolve_derived(args: &[SolverArg], derived: &[Option<&Constraint>], parts: &mut [Partition]) -> Result<()> {
    let n = args.len();
    let mut done: Vec<bool> = derived.iter().map(|d| d.is_none()).collect();
    for _ in 0..n {
        for i in 0..n {
            if done[i] {
                continue;
            }
            let Some(c) = derived[i] else { continue };
            let src = match c {
                Constraint::Image { src, .. } | Constraint::Bloat { src, .. } | Constraint::Scale { src, .. } => src.0,
                _ => unreachable!("only derived constraints are recorded"),
            };
            if !done[src] {
                continue;
            }
            parts[i] = match (c, &parts[src]) {
                (Constraint::Image { kind, .. }, sp) => {
                    Partition::Image { source: args[src].store.clone(), source_partition: Box::new(sp.clone()), kind: *kind }
                }
                (Constraint::Bloat { lo, hi, .. }, Partition::Tiling(t)) => {
                    if args[i].shape != args[src].shape {
                        return Err(LegateError::ShapeMismatch(format!(
                            "bloat: argument {i} must have the shape of argument {src}"
                        )));
                    }
                    if lo.ndim() != t.tile.ndim() || hi.ndim() != t.tile.ndim() {
                        return Err(invalid("bloat: halo sizes need one entry per dimension"));
                    }
                    Partition::Tiling(t.bloated((**lo).clone(), (**hi).clone()))
                }
                (Constraint::Scale { factors, .. }, Partition::Tiling(t)) => {
                    if factors.ndim() != t.tile.ndim() || args[i].store.ndim() != t.tile.ndim() {
                        return Err(invalid("scale: factors need one entry per dimension of both arguments"));
                    }
                    let mut s = t.clone();
                    for d in 0..factors.ndim() {
                        s.tile[d] *= factors[d];
                        s.offset[d] *= factors[d];
                    }
                    Partition::Tiling(s)
                }
                _ => Partition::Replicate,
            };
            done[i] = true;
        }
    }
    if done.iter().all(|&d| d) {
        Ok(())
    } else {
        Err(invalid("image/bloat/scale constraints form a cycle"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_are_square_ish() {
        assert_eq!(choose_colors(&Point::new(&[1000, 1000]), 4, &[false, false]), Point::new(&[2, 2]));
        assert_eq!(choose_colors(&Point::new(&[1000, 10]), 4, &[false, false]), Point::new(&[4, 1]));
        assert_eq!(choose_colors(&Point::new(&[1000, 1000]), 4, &[true, false]), Point::new(&[1, 4]));
        assert_eq!(choose_colors(&Point::new(&[3]), 8, &[false]), Point::new(&[2]));
        assert_eq!(prime_factors(12), vec![3, 2, 2]);
    }

    #[test]
    fn broadcast_dims_are_whole() {
        let t = tiling_over(&Point::new(&[10, 6]), &Point::new(&[2, 1]), &[false, true]);
        let r = t.child_rect(&Point::new(&[1, 0]), &Point::new(&[10, 6]));
        assert_eq!((r.lo, r.hi), (Point::new(&[5, 0]), Point::new(&[10, 6])));
    }
}
