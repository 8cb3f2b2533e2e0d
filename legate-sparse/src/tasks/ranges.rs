//! `row_ranges`: SciPy's `indptr` (n+1 offsets) into `pos`, one `[lo, hi)` pair per
//! row. A pair per row is what lets the runtime partition `crd`/`vals` by rows: an
//! image of a block of `pos` is exactly the entries of that block's rows.
//!
//! `column_ranges`: each row's `[min, max + 1)` column, the rectangle a block of rows
//! reads of `x`. SpMV with int32 column indices reads `x` through the range image of
//! these (the runtime's point images need int64 points); it is the same rectangle the
//! point image of int64 indices gives.

use super::{dispatch_index, Index, Tile1};
use legate_abi::{Task, TaskContext, TaskError};

/// Inputs: `indptr[:-1]` and `indptr[1:]` (int32 or int64, aligned with the output);
/// output: `pos` (`[i64; 2]` per row).
pub struct RowRanges;

fn row_ranges<I: Index>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (lo_store, hi_store) = (ctx.input(0)?, ctx.input(1)?);
    let mut out = ctx.output(0)?;
    let row0 = out.lo().first().copied().unwrap_or(0);
    let lo = Tile1::<I>::of(&lo_store, "row_ranges: indptr")?;
    let hi = Tile1::<I>::of(&hi_store, "row_ranges: indptr")?;
    let mut pos = out.view_mut::<[i64; 2]>()?;
    if lo.data.len() != pos.len() || hi.data.len() != pos.len() {
        return Err(TaskError::new("row_ranges: indptr and pos tiles differ in length"));
    }
    for (i, ((p, &l), &h)) in pos.iter_mut().zip(lo.data.iter()).zip(hi.data.iter()).enumerate() {
        let (l, h) = (l.to_i64(), h.to_i64());
        if l < 0 || h < l {
            return Err(TaskError::new(format!(
                "row_ranges: indptr must be non-negative and non-decreasing, but row {} spans [{l}, {h})",
                row0 + i as i64
            )));
        }
        *p = [l, h];
    }
    Ok(())
}

impl Task for RowRanges {
    const TASK_ID: u32 = 0;
    const NAME: &'static str = "row_ranges";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(0)?.type_code();
        dispatch_index!(code, "row_ranges", row_ranges(ctx))
    }
}

/// Inputs: `pos`, `crd` (int32 or int64, the image of `pos`); output: `cols`
/// (`[i64; 2]` per row, aligned with `pos`; `[0, 0]` for an empty row).
pub struct ColumnRanges;

fn column_ranges<I: Index>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (pos_s, crd_s) = (ctx.input(0)?, ctx.input(1)?);
    let mut out = ctx.output(0)?;
    let pos = Tile1::<[i64; 2]>::of(&pos_s, "column_ranges: pos")?;
    let crd = Tile1::<I>::of(&crd_s, "column_ranges: indices")?;
    let mut cols = out.view_mut::<[i64; 2]>()?;
    if cols.len() != pos.data.len() {
        return Err(TaskError::new("column_ranges: the pos and output tiles differ in length"));
    }
    for (r, (c, &[lo, hi])) in cols.iter_mut().zip(pos.data.iter()).enumerate() {
        if lo == hi {
            *c = [0, 0];
            continue;
        }
        let (s, e) = (lo - crd.base, hi - crd.base);
        if s < 0 || e < s || e as u64 > crd.data.len() as u64 {
            return Err(TaskError::new(format!(
                "column_ranges: row {}: its entries [{lo}, {hi}) lie outside the index array",
                pos.base + r as i64
            )));
        }
        let fold = |(l, h): (i64, i64), &j: &I| (l.min(j.to_i64()), h.max(j.to_i64()));
        let (l, h) = crd.data[s as usize..e as usize].iter().fold((i64::MAX, i64::MIN), fold);
        *c = [l, h.saturating_add(1)];
    }
    Ok(())
}

impl Task for ColumnRanges {
    const TASK_ID: u32 = 11;
    const NAME: &'static str = "column_ranges";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(1)?.type_code();
        dispatch_index!(code, "column_ranges", column_ranges(ctx))
    }
}
