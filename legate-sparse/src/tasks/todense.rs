//! `csr_todense`: the dense `n x ncols` matrix of a CSR matrix (duplicates summed).
//! Each point owns a block of whole rows of the output, aligned with `pos` promoted to
//! two dimensions, and reads its rows' entries through the image of `pos`.

use super::{bad_column, check_aligned, dispatch_index_value, CsrRows, Index, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::{Axis, Ix2};

/// Inputs: `pos` (promoted to 2-d), `crd` (int32 or int64), `vals`; output: the dense matrix.
pub struct CsrToDense;

fn run<I: Index, V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (pos_s, crd_s, vals_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let mut out_s = ctx.output(0)?;
    if out_s.is_empty() {
        return Ok(());
    }
    let col0 = out_s.lo()[1];
    let pos = Tile1::<[i64; 2]>::of_promoted(&pos_s, "csr_todense: pos")?;
    let crd = Tile1::<I>::of(&crd_s, "csr_todense: indices")?;
    let vals = Tile1::<V>::of(&vals_s, "csr_todense: data")?;
    check_aligned(&crd, vals.data.len(), vals.base, "csr_todense")?;
    let rows = CsrRows { row0: pos.base, pos: &pos.data[..], crd: &crd.data, vals: &vals.data, base: crd.base };
    let mut out = out_s.view_mut::<V>()?.into_dimensionality::<Ix2>().map_err(|_| TaskError::new("csr_todense: the output must be 2-d"))?;
    if out.nrows() != rows.rows() {
        return Err(TaskError::new("csr_todense: the output and pos tiles differ in rows"));
    }
    let ncols = out.ncols() as u64;
    out.fill(V::ZERO);
    for (r, mut row) in out.axis_iter_mut(Axis(0)).enumerate() {
        let (s, e) = rows.bounds(r)?;
        for (&c, &v) in rows.crd[s..e].iter().zip(&rows.vals[s..e]) {
            let j = c.to_i64().wrapping_sub(col0) as u64;
            if j >= ncols {
                return Err(bad_column("csr_todense", rows.row0 + r as i64, "[0, ncols)"));
            }
            row[j as usize] += v;
        }
    }
    Ok(())
}

impl Task for CsrToDense {
    const TASK_ID: u32 = 5;
    const NAME: &'static str = "csr_todense";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (icode, code) = (ctx.input(1)?.type_code(), ctx.input(2)?.type_code());
        dispatch_index_value!(icode, code, "csr_todense", run(ctx))
    }
}
