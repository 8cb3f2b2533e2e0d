//! `coo_spmv`: `y = A @ x` for a matrix given by its entries in any order (COO): each
//! point owns a block of the entries (`rows`, `cols`, `vals` aligned) and scatters
//! `vals[k] * x[cols[k]]` into `y[rows[k]]`. `x` is the image of the point's column
//! indices and `y` a sum reduction over the image of its row indices, so each point
//! reads and writes only what its entries touch, and the runtime folds the copies.
//! Indices are checked against both tiles by a compare and a never-taken branch.

use super::{dispatch_value, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};

/// Inputs: `rows`, `cols` (int64, aligned with `vals`), `vals`, `x` (image of `cols`);
/// reduction: `y` (sum, image of `rows`).
pub struct CooSpmv;

/// `y[rows[k] - y0] += vals[k] * x[cols[k] - x0]` over the point's entries.
fn scatter<V: Value>(rows: &[i64], cols: &[i64], vals: &[V], x: &[V], x0: i64, y: &mut [V], y0: i64) -> Result<(), TaskError> {
    let (xlen, ylen) = (x.len() as u64, y.len() as u64);
    for ((&r, &c), &v) in rows.iter().zip(cols).zip(vals) {
        let (i, j) = (r.wrapping_sub(y0) as u64, c.wrapping_sub(x0) as u64);
        if i >= ylen || j >= xlen {
            return Err(index_error(r, c));
        }
        // SAFETY: `i < ylen` and `j < xlen`, the lengths of `y` and `x`, checked above.
        unsafe { *y.get_unchecked_mut(i as usize) += v * *x.get_unchecked(j as usize) };
    }
    Ok(())
}

/// Kept out of line so the inner loop stays a compare and a branch.
#[cold]
#[inline(never)]
fn index_error(row: i64, col: i64) -> TaskError {
    TaskError::new(format!("coo_spmv: the entry ({row}, {col}) is outside the matrix (or outside the x and y it was given)"))
}

fn body<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (rows_s, cols_s, vals_s, x_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
    let rows = Tile1::<i64>::of(&rows_s, "coo_spmv: rows")?;
    let cols = Tile1::<i64>::of(&cols_s, "coo_spmv: cols")?;
    let vals = Tile1::<V>::of(&vals_s, "coo_spmv: data")?;
    let x = Tile1::<V>::of(&x_s, "coo_spmv: x")?;
    if rows.data.len() != vals.data.len() || cols.data.len() != vals.data.len() {
        return Err(TaskError::new("coo_spmv: the rows, cols and data tiles differ in length"));
    }
    let mut y_s = ctx.reduction(0)?;
    let y0 = y_s.lo().first().copied().unwrap_or(0);
    let mut y = y_s.view_mut::<V>()?;
    if y.shape().len() != 1 {
        return Err(TaskError::new("coo_spmv: y must be 1-d"));
    }
    let out = y.as_slice_mut().ok_or_else(|| TaskError::new("coo_spmv: y's reduction buffer is not contiguous"))?;
    scatter(&rows.data, &cols.data, &vals.data, &x.data, x.base, out, y0)
}

impl Task for CooSpmv {
    const TASK_ID: u32 = 15;
    const NAME: &'static str = "coo_spmv";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(2)?.type_code();
        dispatch_value!(code, "coo_spmv", body(ctx))
    }
}
