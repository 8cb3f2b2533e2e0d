//! `row_ranges`: SciPy's `indptr` (n+1 offsets) into `pos`, one `[lo, hi)` pair per
//! row. A pair per row is what lets the runtime partition `crd`/`vals` by rows: an
//! image of a block of `pos` is exactly the entries of that block's rows.

use super::Tile1;
use legate_abi::{Task, TaskContext, TaskError};

/// Inputs: `indptr[:-1]` and `indptr[1:]` (int64, aligned with the output); output:
/// `pos` (`[i64; 2]` per row).
pub struct RowRanges;

impl Task for RowRanges {
    const TASK_ID: u32 = 0;
    const NAME: &'static str = "row_ranges";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (lo_store, hi_store) = (ctx.input(0)?, ctx.input(1)?);
        let mut out = ctx.output(0)?;
        let row0 = out.lo().first().copied().unwrap_or(0);
        let lo = Tile1::<i64>::of(&lo_store, "row_ranges: indptr")?;
        let hi = Tile1::<i64>::of(&hi_store, "row_ranges: indptr")?;
        let mut pos = out.view_mut::<[i64; 2]>()?;
        if lo.data.len() != pos.len() || hi.data.len() != pos.len() {
            return Err(TaskError::new("row_ranges: indptr and pos tiles differ in length"));
        }
        for (i, ((p, &l), &h)) in pos.iter_mut().zip(lo.data.iter()).zip(hi.data.iter()).enumerate() {
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
}
