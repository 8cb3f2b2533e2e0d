//! `coo_select`: the entries of an n-d COO array inside a key of ints, slices and index
//! arrays (`A[key]`, as SciPy's COO indexing gives them), in one pass over the
//! entries. Each point takes a block of entries (the coordinates, aligned) and writes
//! its pieces of the unbound outputs, which concatenate in point order: the selected
//! entries keep their order, and an entry meeting several positions of the index
//! arrays comes once for each, in the positions' order.
//!
//! The key comes resolved from the host as one `i64` plan (read whole by every point):
//! `d, nad, at, nkeys`, then per axis `kind, a, b, c`, then the index arrays' shape
//! (`nad` lengths), then `nkeys` sorted distinct flat keys, `nkeys + 1` offsets into
//! the positions, and the positions (in the arrays' broadcast shape, C order) sorted
//! by flat key, each key's positions ascending. Kinds: [`ALL`] (the whole axis),
//! [`INT`] (`a`: the index), [`SLICE`] (`a` start, `b` step, `c` length), [`ARRAY`]
//! (`a`: the axis length; an entry's flat key is its coordinates on the array axes
//! in C order over those lengths).
//!
//! Outputs (int64): the selected entries' indices, then their coordinates in the
//! result: one a slice axis (`ALL` or `SLICE`, counted in the slice), with the index
//! arrays' coordinates inserted before the `at`-th.

use super::{write_bound, Tile1};
use legate_abi::{Task, TaskContext, TaskError};

/// Input 0: the plan (broadcast); inputs `1..=d`: the coordinates (int64, aligned).
/// Outputs: entry indices and the result's coordinates (unbound 1-d int64).
pub struct CooSelect;

pub const ALL: i64 = 0;
pub const INT: i64 = 1;
pub const SLICE: i64 = 2;
pub const ARRAY: i64 = 3;

fn bad_plan() -> TaskError {
    TaskError::new("coo_select: the key's plan is malformed")
}

/// The plan's parts, checked.
struct Plan<'a> {
    axes: Vec<[i64; 4]>,
    nad: usize,
    at: usize,
    ashape: &'a [i64],
    keys: &'a [i64],
    offsets: &'a [i64],
    positions: &'a [i64],
}

fn parse(p: &[i64]) -> Result<Plan<'_>, TaskError> {
    let head = p.get(..4).ok_or_else(bad_plan)?;
    let (d, nad, at, nkeys) = (head[0] as usize, head[1] as usize, head[2] as usize, head[3] as usize);
    if [d, nad, nkeys].iter().any(|&n| n > p.len()) {
        return Err(bad_plan()); // (and no sum below overflows)
    }
    let axes_end = 4 + 4 * d;
    let axes: Vec<[i64; 4]> = p.get(4..axes_end).ok_or_else(bad_plan)?.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect();
    let ashape = p.get(axes_end..axes_end + nad).ok_or_else(bad_plan)?;
    let keys = p.get(axes_end + nad..axes_end + nad + nkeys).ok_or_else(bad_plan)?;
    let offsets = p.get(axes_end + nad + nkeys..axes_end + nad + 2 * nkeys + 1).ok_or_else(bad_plan)?;
    let positions = &p[axes_end + nad + 2 * nkeys + 1..];
    let nslice = axes.iter().filter(|a| a[0] == ALL || a[0] == SLICE).count();
    let has_arrays = axes.iter().any(|a| a[0] == ARRAY);
    let sized = ashape.iter().all(|&n| n > 0) && ashape.iter().try_fold(1i64, |acc, &n| acc.checked_mul(n)).is_some();
    let offsets_ok = offsets.windows(2).all(|w| 0 <= w[0] && w[0] <= w[1]) && offsets.last().is_some_and(|&e| e as usize == positions.len());
    if axes.iter().any(|a| !(ALL..=ARRAY).contains(&a[0]) || (a[0] == SLICE && a[2] == 0) || (a[0] == ARRAY && a[1] <= 0))
        || at > nslice
        || has_arrays != (nad > 0)
        || (has_arrays && (!sized || !offsets_ok))
    {
        return Err(bad_plan());
    }
    let total: i64 = ashape.iter().product();
    if positions.iter().any(|&q| q < 0 || q >= total) {
        return Err(bad_plan());
    }
    Ok(Plan { axes, nad, at, ashape, keys, offsets, positions })
}

/// Entries are tested a chunk at a time: against the ints and slices one axis after
/// the other, each test reading only the survivors of the last (a list of them,
/// compacted without branches), then each survivor against the index arrays, and
/// emitted.
const CHUNK: usize = 1024;

/// For each axis of the index arrays (in order), which coordinates some key holds:
/// entries with other coordinates are dropped before their key is looked up.
fn allowed(plan: &Plan<'_>) -> Vec<Vec<bool>> {
    let lens: Vec<i64> = plan.axes.iter().filter(|a| a[0] == ARRAY).map(|a| a[1]).collect();
    let mut sets: Vec<Vec<bool>> = lens.iter().map(|&n| vec![false; n as usize]).collect();
    for &k in plan.keys {
        let mut q = k;
        for (set, &n) in sets.iter_mut().zip(&lens).rev() {
            // A key outside the axes' shape names no entry: it only leaves a slot unset.
            if let Some(slot) = usize::try_from(q.rem_euclid(n)).ok().and_then(|c| set.get_mut(c)) {
                *slot = true;
            }
            q = q.div_euclid(n);
        }
    }
    sets
}

/// Selects the block's entries: `ent` gets their global indices (`base` is the
/// block's first) and `out` one column of coordinates each result axis.
fn select(plan: &Plan<'_>, coords: &[Tile1<'_, i64>], base: i64, ent: &mut Vec<i64>, out: &mut [Vec<i64>]) {
    let n = coords.first().map_or(0, |c| c.data.len());
    let sets = allowed(plan);
    let arrays: Vec<(&[i64], i64, &[bool])> =
        plan.axes.iter().zip(coords).filter(|(a, _)| a[0] == ARRAY).zip(&sets).map(|((a, c), s)| (&c.data[..], a[1], &s[..])).collect();
    let mut live = [0u32; CHUNK];
    let mut sl = vec![0i64; out.len() - plan.nad];
    for first in (0..n).step_by(CHUNK) {
        let len = CHUNK.min(n - first);
        // The chunk's entries still inside, compacted after each test (each test reads
        // only the survivors of the last).
        live.iter_mut().take(len).enumerate().for_each(|(i, l)| *l = i as u32);
        let mut m = len;
        for (ax, co) in plan.axes.iter().zip(coords) {
            let c = &co.data[first..first + len];
            let inside = |x: i64| -> bool {
                let t = x.wrapping_sub(ax[1]);
                match ax[0] {
                    INT => t == 0,
                    SLICE if ax[2] == 1 => (t as u64) < ax[3] as u64,
                    _ => t.wrapping_rem(ax[2]) == 0 && (t.wrapping_div(ax[2]) as u64) < ax[3] as u64,
                }
            };
            if ax[0] == INT || ax[0] == SLICE {
                let mut w = 0;
                for r in 0..m {
                    let i = live[r];
                    live[w] = i;
                    w += inside(c[i as usize]) as usize;
                }
                m = w;
            }
        }
        for i in live[..m].iter().map(|&i| first + i as usize) {
            // The entry's flat key over the index arrays' axes, if each holds it.
            let mut key = 0i64;
            if !arrays.iter().all(|&(c, len, set)| {
                key = key.wrapping_mul(len).wrapping_add(c[i]);
                set.get(c[i] as usize).copied().unwrap_or(false)
            }) {
                continue;
            }
            let mut s = 0;
            for (ax, co) in plan.axes.iter().zip(coords) {
                match ax[0] {
                    ALL => sl[s] = co.data[i],
                    SLICE => sl[s] = co.data[i].wrapping_sub(ax[1]).wrapping_div(ax[2]),
                    _ => continue,
                }
                s += 1;
            }
            let e = base + i as i64;
            if arrays.is_empty() {
                ent.push(e);
                out.iter_mut().zip(&sl).for_each(|(o, &v)| o.push(v));
                continue;
            }
            let Ok(k) = plan.keys.binary_search(&key) else { continue };
            for &p in &plan.positions[plan.offsets[k] as usize..plan.offsets[k + 1] as usize] {
                ent.push(e);
                out[..plan.at].iter_mut().zip(&sl).for_each(|(o, &v)| o.push(v));
                // The position's coordinates in the arrays' shape (C order).
                let mut q = p;
                for (o, &len) in out[plan.at..plan.at + plan.nad].iter_mut().zip(plan.ashape).rev() {
                    o.push(q % len);
                    q /= len;
                }
                out[plan.at + plan.nad..].iter_mut().zip(&sl[plan.at..]).for_each(|(o, &v)| o.push(v));
            }
        }
    }
}

fn body(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let plan_s = ctx.input(0)?;
    let plan_t = Tile1::<i64>::of(&plan_s, "coo_select: plan")?;
    let plan = parse(&plan_t.data)?;
    let d = plan.axes.len();
    let stores = (1..=d).map(|i| ctx.input(i)).collect::<Result<Vec<_>, _>>()?;
    let coords = stores.iter().map(|s| Tile1::<i64>::of(s, "coo_select: coords")).collect::<Result<Vec<_>, _>>()?;
    let base = coords.first().map_or(0, |c| c.base);
    if coords.iter().any(|c| c.data.len() != coords[0].data.len() || c.base != base) {
        return Err(TaskError::new("coo_select: the coordinate tiles differ"));
    }
    let nslice = plan.axes.iter().filter(|a| a[0] == ALL || a[0] == SLICE).count();
    let mut ent = Vec::new();
    let mut out = vec![Vec::new(); nslice + plan.nad];
    select(&plan, &coords, base, &mut ent, &mut out);
    write_bound(ctx, 0, &ent)?;
    for (i, o) in out.iter().enumerate() {
        write_bound(ctx, i + 1, o)?;
    }
    Ok(())
}

impl Task for CooSelect {
    const TASK_ID: u32 = 16;
    const NAME: &'static str = "coo_select";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        body(ctx)
    }
}
