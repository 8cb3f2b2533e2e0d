//! `csr_spmv_transposed`: `y = Aᵀ @ x` for compressed storage whose rows are split
//! across the points (a CSC matrix's `A @ x`: its columns are the storage's rows).
//! Each point owns a block of the storage's rows (`pos`, and `x` aligned with them)
//! and scatters `vals[k] * x[r]` into `y[crd[k]]`; `y` is a sum reduction partitioned
//! by the image of the point's column indices, so the runtime gives each point a zeroed
//! copy of just the columns its rows touch (a band for a banded matrix) and folds them.
//!
//! The loop streams a value and an index per entry and scatters into `y`; indices
//! are checked against `y`'s length by one compare and a never-taken branch.

use super::{bad_column, check_aligned, dispatch_index_value, CsrRows, Index, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};

/// Inputs: `pos`, `crd` (int32 or int64), `vals` (images of `pos`), `x` (aligned with
/// `pos`), and for int32 `crd` the column ranges `y` is the image of (unread here);
/// reduction: `y` (sum, from global column `y0` on).
pub struct CsrSpmvTransposed;

/// `y[crd[k]] += vals[k] * x[r]` for the rows `r` of `a`.
fn scatter_rows<V: Value, I: Index>(a: &CsrRows<'_, V, I>, x: &[V], y: &mut [V], y0: i64) -> Result<(), TaskError> {
    let ylen = y.len() as u64;
    for (r, &xr) in x.iter().enumerate() {
        let (s, e) = a.bounds(r)?;
        for (&c, &v) in a.crd[s..e].iter().zip(&a.vals[s..e]) {
            let j = c.to_i64().wrapping_sub(y0) as u64;
            if j >= ylen {
                return Err(column_error(a.row0 + r as i64));
            }
            // SAFETY: `j < ylen`, the length of `y`, was checked just above.
            unsafe { *y.get_unchecked_mut(j as usize) += v * xr };
        }
    }
    Ok(())
}

/// Kept out of line so the inner loop stays a compare and a branch.
#[cold]
#[inline(never)]
fn column_error(row: i64) -> TaskError {
    bad_column("csr_spmv_transposed", row, "y")
}

fn body<I: Index, V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (pos_s, crd_s, vals_s, x_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
    let pos = Tile1::<[i64; 2]>::of(&pos_s, "csr_spmv_transposed: pos")?;
    let crd = Tile1::<I>::of(&crd_s, "csr_spmv_transposed: indices")?;
    let vals = Tile1::<V>::of(&vals_s, "csr_spmv_transposed: data")?;
    let x = Tile1::<V>::of(&x_s, "csr_spmv_transposed: x")?;
    check_aligned(&crd, vals.data.len(), vals.base, "csr_spmv_transposed")?;
    if x.data.len() != pos.data.len() {
        return Err(TaskError::new("csr_spmv_transposed: the x and pos tiles differ in length"));
    }
    let rows = CsrRows { row0: pos.base, pos: &pos.data[..], crd: &crd.data, vals: &vals.data, base: crd.base };
    let mut y_s = ctx.reduction(0)?;
    let y0 = y_s.lo().first().copied().unwrap_or(0);
    let mut y = y_s.view_mut::<V>()?;
    if y.shape().len() != 1 {
        return Err(TaskError::new("csr_spmv_transposed: y must be 1-d"));
    }
    // A reduction's buffer is the point's own dense copy (see the module comment).
    let out = y.as_slice_mut().ok_or_else(|| TaskError::new("csr_spmv_transposed: y's reduction buffer is not contiguous"))?;
    scatter_rows(&rows, &x.data, out, y0)
}

impl Task for CsrSpmvTransposed {
    const TASK_ID: u32 = 13;
    const NAME: &'static str = "csr_spmv_transposed";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (icode, code) = (ctx.input(1)?.type_code(), ctx.input(2)?.type_code());
        dispatch_index_value!(icode, code, "csr_spmv_transposed", body(ctx))
    }
}
