//! `coo_spmm`: `Y = A @ X` for a matrix given by its entries in any order (COO) and a
//! dense `X` (`ncols x k`, row-major): each point owns a block of the entries (`rows`,
//! `cols`, `vals` aligned) and adds `vals[j] * X[cols[j], :]` into `Y[rows[j], :]`, a
//! contiguous loop of `k` that vectorizes. `X` is read whole and `Y` is a sum
//! reduction of the whole (entries out of order touch every row in every block, so
//! images would give each point all of them anyway); the runtime folds the copies.

use super::{dispatch_value, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::Ix2;

/// Inputs: `rows`, `cols` (int64, aligned with `vals`), `vals`, `X` (broadcast);
/// reduction: `Y` (sum, broadcast).
pub struct CooSpmm;

/// `Y[rows[j], :] += vals[j] * X[cols[j], :]` over the point's entries (`Y` and `X`
/// row-major with `k` columns).
fn scatter<V: Value>(rows: &[i64], cols: &[i64], vals: &[V], x: &[V], y: &mut [V], k: usize) -> Result<(), TaskError> {
    let (xrows, yrows) = ((x.len() / k) as u64, (y.len() / k) as u64);
    for ((&r, &c), &v) in rows.iter().zip(cols).zip(vals) {
        if r as u64 >= yrows || c as u64 >= xrows {
            return Err(index_error(r, c));
        }
        let (r, c) = (r as usize * k, c as usize * k);
        for (o, &xv) in y[r..r + k].iter_mut().zip(&x[c..c + k]) {
            *o += v * xv;
        }
    }
    Ok(())
}

/// Kept out of line so the loop stays a compare and a branch.
#[cold]
#[inline(never)]
fn index_error(row: i64, col: i64) -> TaskError {
    TaskError::new(format!("coo_spmm: the entry ({row}, {col}) is outside the matrix (or outside the X and Y it was given)"))
}

fn body<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (rows_s, cols_s, vals_s, x_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
    let rows = Tile1::<i64>::of(&rows_s, "coo_spmm: rows")?;
    let cols = Tile1::<i64>::of(&cols_s, "coo_spmm: cols")?;
    let vals = Tile1::<V>::of(&vals_s, "coo_spmm: data")?;
    if rows.data.len() != vals.data.len() || cols.data.len() != vals.data.len() {
        return Err(TaskError::new("coo_spmm: the rows, cols and data tiles differ in length"));
    }
    let xv = x_s.view::<V>()?.into_dimensionality::<Ix2>().map_err(|_| TaskError::new("coo_spmm: X must be 2-d"))?;
    let k = xv.dim().1;
    let x = match xv.to_slice() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(xv.iter().copied().collect()), // row-major order
    };
    let mut y_s = ctx.reduction(0)?;
    let mut y = y_s.view_mut::<V>()?.into_dimensionality::<Ix2>().map_err(|_| TaskError::new("coo_spmm: Y must be 2-d"))?;
    if y.dim().1 != k || k == 0 {
        return Err(TaskError::new("coo_spmm: X and Y differ in columns (or have none)"));
    }
    let out = y.as_slice_mut().ok_or_else(|| TaskError::new("coo_spmm: Y's reduction buffer is not contiguous"))?;
    scatter(&rows.data, &cols.data, &vals.data, &x, out, k)
}

impl Task for CooSpmm {
    const TASK_ID: u32 = 17;
    const NAME: &'static str = "coo_spmm";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(2)?.type_code();
        dispatch_value!(code, "coo_spmm", body(ctx))
    }
}
