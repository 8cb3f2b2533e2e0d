//! `row_patterns`: the inspector of the patterned SpMV. A structured-grid matrix (any
//! stencil, variable coefficients included) has few distinct row *patterns*, each
//! row's column offsets `crd[k] - row` in stored order: the 2-D Poisson matrix has 9
//! (interior, 4 edges, 4 corners). Given one byte a row naming its pattern and a
//! small table of the patterns' offsets, SpMV needs no column indices: it streams
//! the values and walks the rows in order, each row's entries following the last's.
//!
//! Each point inspects its block of rows and writes their pattern ids (aligned with
//! `pos`) and its block's table (one piece of an unbound output; the pieces
//! concatenate in point order), so the products may partition the rows differently
//! (see [`Tables`]). A block with more than [`MAX_PATTERNS`] patterns, more than
//! [`MAX_OFFSETS`] offsets in its table, or rows that do not follow each other in
//! `crd` writes no table: the products read its rows' column indices as before.
//!
//! A block's table, as `i64`s: `row_lo, row_hi, n` and, when `n >= 0`, `n` patterns
//! each as `len, off_0, .., off_{len-1}` (id `i` is the `i`-th); `n = -1` for none.

use super::{write_bound, Index, Tile1};
use legate_abi::{Task, TaskContext, TaskError};
use std::collections::HashMap;

/// Inputs: `pos`, `crd` (int32 or int64, the image of `pos`); outputs: the ids (`u8`
/// per row, aligned with `pos`) and the table (unbound 1-d `i64`).
pub struct RowPatterns;

/// The most patterns a block may have (an id is a byte).
pub const MAX_PATTERNS: usize = 255;
/// The most offsets a block's table may hold (every product parses every table).
pub const MAX_OFFSETS: usize = 1 << 14;

/// The largest column offset a table may hold (columns and rows are below 2^62).
const OFFSET_LIMIT: i64 = 1 << 62;

/// A block's header length (`row_lo, row_hi, n`).
const HEADER: usize = 3;

/// The ids of the rows `pos` gives and their block's table (`None`: no table).
fn inspect<I: Index>(pos: &Tile1<'_, [i64; 2]>, crd: &Tile1<'_, I>, ids: &mut [u8]) -> Result<Option<Vec<i64>>, TaskError> {
    let mut ids_of: HashMap<Vec<i64>, u8> = HashMap::new();
    let mut table: Vec<i64> = Vec::new();
    let mut row_offsets: Vec<i64> = Vec::new();
    // The last row's pattern (consecutive rows mostly share theirs).
    let (mut last, mut last_id): (Vec<i64>, u8) = (Vec::new(), u8::MAX);
    let mut next_lo = pos.data.first().map_or(0, |p| p[0]);
    for (r, (id, &[lo, hi])) in ids.iter_mut().zip(pos.data.iter()).enumerate() {
        let row = pos.base + r as i64;
        if lo != next_lo {
            return Ok(None); // rows not one after the other: no running offsets
        }
        next_lo = hi;
        row_offsets.clear();
        if hi != lo {
            let (s, e) = (lo - crd.base, hi - crd.base);
            if s < 0 || e < s || e as u64 > crd.data.len() as u64 {
                return Err(TaskError::new(format!("row_patterns: row {row}: its entries [{lo}, {hi}) lie outside the index array")));
            }
            row_offsets.extend(crd.data[s as usize..e as usize].iter().map(|c| c.to_i64().wrapping_sub(row)));
        }
        if last_id != u8::MAX && row_offsets == last {
            *id = last_id;
            continue;
        }
        *id = match ids_of.get(row_offsets.as_slice()) {
            Some(&i) => i,
            None => {
                if ids_of.len() == MAX_PATTERNS || table.len() + 1 + row_offsets.len() > MAX_OFFSETS {
                    return Ok(None);
                }
                let i = ids_of.len() as u8;
                table.push(row_offsets.len() as i64);
                table.extend_from_slice(&row_offsets);
                ids_of.insert(row_offsets.clone(), i);
                i
            }
        };
        last.clone_from(&row_offsets);
        last_id = *id;
    }
    let mut out = vec![pos.base, pos.base + pos.data.len() as i64, ids_of.len() as i64];
    out.extend_from_slice(&table);
    Ok(Some(out))
}

fn row_patterns<I: Index>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let table = {
        let (pos_s, crd_s) = (ctx.input(0)?, ctx.input(1)?);
        let pos = Tile1::<[i64; 2]>::of(&pos_s, "row_patterns: pos")?;
        let crd = Tile1::<I>::of(&crd_s, "row_patterns: indices")?;
        let mut ids_s = ctx.output(0)?;
        let mut ids = ids_s.view_mut::<u8>()?;
        let ids = ids.as_slice_mut().ok_or_else(|| TaskError::new("row_patterns: the ids are not contiguous"))?;
        if ids.len() != pos.data.len() {
            return Err(TaskError::new("row_patterns: the pos and ids tiles differ in length"));
        }
        let (first, n) = (pos.base, pos.data.len() as i64);
        inspect(&pos, &crd, ids)?.unwrap_or_else(|| vec![first, first + n, -1])
    };
    write_bound(ctx, 1, &table)
}

impl Task for RowPatterns {
    const TASK_ID: u32 = 14;
    const NAME: &'static str = "row_patterns";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(1)?.type_code();
        super::dispatch_index!(code, "row_patterns", row_patterns(ctx))
    }
}

/// One pattern of a table: where its offsets start in the table and how many, and
/// the least and greatest (the columns a row reads are `row + min ..= row + max`).
#[derive(Clone, Copy)]
pub(crate) struct Pattern {
    pub start: usize,
    pub len: usize,
    pub min: i64,
    pub max: i64,
}

/// An id no table gives: its length fails every row's check.
const BAD: Pattern = Pattern { start: 0, len: usize::MAX, min: 0, max: 0 };

/// One block's table: its rows and, when it has one, its 256 patterns (ids it does
/// not use are [`BAD`]).
pub(crate) struct Block {
    pub lo: i64,
    pub hi: i64,
    pub patterns: Option<Box<[Pattern; 256]>>,
}

/// The concatenated tables of every inspected block, as a product's point reads them
/// (the whole store: a few hundred bytes for a stencil matrix).
pub(crate) struct Tables<'a> {
    pub offsets: &'a [i64],
    pub blocks: Vec<Block>,
}

impl<'a> Tables<'a> {
    /// Parses the tables; malformed ones are an error.
    pub fn parse(t: &'a [i64]) -> Result<Tables<'a>, TaskError> {
        let bad = || TaskError::new("csr_spmv: the pattern tables are malformed");
        let mut blocks = Vec::new();
        let mut i = 0;
        while i < t.len() {
            let head = t.get(i..i + HEADER).ok_or_else(bad)?;
            let (lo, hi, n) = (head[0], head[1], head[2]);
            i += HEADER;
            if hi < lo || n > MAX_PATTERNS as i64 || n < -1 {
                return Err(bad());
            }
            let patterns = if n < 0 {
                None
            } else {
                let mut pats = Box::new([BAD; 256]);
                for p in pats.iter_mut().take(n as usize) {
                    let len = usize::try_from(*t.get(i).ok_or_else(bad)?).map_err(|_| bad())?;
                    let offs = t.get(i + 1..i + 1 + len).ok_or_else(bad)?;
                    let (min, max) = offs.iter().fold((i64::MAX, i64::MIN), |(a, b), &o| (a.min(o), b.max(o)));
                    // No valid column is that far from its row (kernels add these to
                    // rows without overflow checks).
                    if len > 0 && (min < -OFFSET_LIMIT || max > OFFSET_LIMIT) {
                        return Err(TaskError::new("csr_spmv: a pattern's column offsets are out of range"));
                    }
                    *p = Pattern { start: i + 1, len, min, max };
                    i += 1 + len;
                }
                Some(pats)
            };
            blocks.push(Block { lo, hi, patterns });
        }
        // In row order (the pieces come in point order, which should be that already).
        blocks.sort_by_key(|b| b.lo);
        if blocks.windows(2).any(|w| w[1].lo < w[0].hi) {
            return Err(bad());
        }
        Ok(Tables { offsets: t, blocks })
    }
}
