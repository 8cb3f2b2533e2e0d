//! `csr_spmv_t`: `y = A^T x` for a CSR matrix `A` (a CSC matrix's product, whose
//! storage is the CSR of its transpose). Each point owns a block of rows (`pos`, and
//! `x` aligned with it) and scatters `vals[k] * x[row]` into `y[crd[k]]`; `y` is a sum
//! reduction partitioned by the image of the point's column indices, so each point's
//! private copy (zeroed, then folded by the runtime) spans only the columns its rows
//! touch: a band for a banded matrix, instead of all of `y` twice.

use super::{bad_column, check_aligned, dispatch_index_value, CsrRows, Index, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::Ix1;

/// Inputs: `pos`, `crd` (int32 or int64), `vals`, `x` (aligned with `pos`), and for
/// int32 `crd` the column ranges `y` is the image of (unread here); reduction: `y`.
pub struct CsrSpmvT;

fn run<I: Index, V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (pos_s, crd_s, vals_s, x_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
    let mut y_s = ctx.reduction(0)?;
    let pos = Tile1::<[i64; 2]>::of(&pos_s, "csr_spmv_t: pos")?;
    let crd = Tile1::<I>::of(&crd_s, "csr_spmv_t: indices")?;
    let vals = Tile1::<V>::of(&vals_s, "csr_spmv_t: data")?;
    let x = Tile1::<V>::of(&x_s, "csr_spmv_t: x")?;
    check_aligned(&crd, vals.data.len(), vals.base, "csr_spmv_t")?;
    if x.data.len() != pos.data.len() {
        return Err(TaskError::new("csr_spmv_t: the x and pos tiles differ in length"));
    }
    let rows = CsrRows { row0: pos.base, pos: &pos.data[..], crd: &crd.data, vals: &vals.data, base: crd.base };
    let y0 = y_s.lo().first().copied().unwrap_or(0);
    let mut y = y_s.view_mut::<V>()?.into_dimensionality::<Ix1>().map_err(|_| TaskError::new("csr_spmv_t: y must be 1-d"))?;
    let y = y.as_slice_mut().ok_or_else(|| TaskError::new("csr_spmv_t: the reduction buffer is not contiguous"))?;
    let ylen = y.len() as u64;
    for (r, &xr) in x.data.iter().enumerate() {
        let (s, e) = rows.bounds(r)?;
        for (&c, &v) in rows.crd[s..e].iter().zip(&rows.vals[s..e]) {
            let j = c.to_i64().wrapping_sub(y0) as u64;
            if j >= ylen {
                return Err(bad_column("csr_spmv_t", rows.row0 + r as i64, "y"));
            }
            y[j as usize] += v * xr;
        }
    }
    Ok(())
}

impl Task for CsrSpmvT {
    const TASK_ID: u32 = 12;
    const NAME: &'static str = "csr_spmv_t";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (icode, code) = (ctx.input(1)?.type_code(), ctx.input(2)?.type_code());
        dispatch_index_value!(icode, code, "csr_spmv_t", run(ctx))
    }
}
