//! `coo_spmm`: `Y = A @ X` for a matrix given by its entries in any order (COO) and a
//! dense `X` (`ncols x k`, row-major): each point owns a block of the entries (`rows`,
//! `cols`, `vals` aligned) and adds `vals[j] * X[cols[j], :]` into `Y[rows[j], :]`, a
//! contiguous loop of `k` that vectorizes. `X` is read whole and `Y` is a sum
//! reduction of the whole (entries out of order touch every row in every block, so
//! images would give each point all of them anyway); the runtime folds the copies.

use super::{dispatch_value, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::Ix2;

/// Inputs: `rows`, `cols` (int64, aligned with `vals`), `vals`, `X` (broadcast), and
/// for a batch of blocks `blocks` (int64, aligned); reduction: `Y` (sum, broadcast).
/// Scalars (int64): the rows and columns of a block, or 0 and 0 without `blocks`.
/// With `blocks` the matrix is block-diagonal: entry `j` is at row
/// `blocks[j] * block_rows + rows[j]` and column `blocks[j] * block_cols + cols[j]`
/// (an n-d array's batch, without making those indices first).
pub struct CooSpmm;

/// `Y[row(j), :] += vals[j] * X[col(j), :]` over the point's entries (`Y` and `X`
/// row-major with `k` columns).
fn scatter<V: Value>(at: impl Fn(usize) -> (i64, i64), vals: &[V], x: &[V], y: &mut [V], k: usize) -> Result<(), TaskError> {
    let (xrows, yrows) = ((x.len() / k) as u64, (y.len() / k) as u64);
    for (j, &v) in vals.iter().enumerate() {
        let (r, c) = at(j);
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
    let (block_rows, block_cols) = (ctx.scalar::<i64>(0)?, ctx.scalar::<i64>(1)?);
    let blocks_s = if block_rows > 0 { Some(ctx.input(4)?) } else { None };
    let blocks = blocks_s.as_ref().map(|s| Tile1::<i64>::of(s, "coo_spmm: blocks")).transpose()?;
    let n = vals.data.len();
    if rows.data.len() != n || cols.data.len() != n || blocks.as_ref().is_some_and(|b| b.data.len() != n) {
        return Err(TaskError::new("coo_spmm: the rows, cols, blocks and data tiles differ in length"));
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
    let (rows, cols) = (&rows.data[..], &cols.data[..]);
    match &blocks {
        None => scatter(|j| (rows[j], cols[j]), &vals.data, &x, out, k),
        Some(b) => {
            let b = &b.data[..];
            let at = |j: usize| (b[j].wrapping_mul(block_rows).wrapping_add(rows[j]), b[j].wrapping_mul(block_cols).wrapping_add(cols[j]));
            scatter(at, &vals.data, &x, out, k)
        }
    }
}

impl Task for CooSpmm {
    const TASK_ID: u32 = 17;
    const NAME: &'static str = "coo_spmm";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(2)?.type_code();
        dispatch_value!(code, "coo_spmm", body(ctx))
    }
}
