//! `csr_spmm`: `Y = A @ X` with `X` dense (`ncols x k`). Partitioned like SpMV: each
//! point owns a block of rows of `Y` (aligned with `pos` promoted to `n x k`), reads its
//! rows' entries through the image of `pos`, and the whole of `X` (broadcast). Each
//! entry adds a scaled row of `X` into a row of `Y`, a contiguous loop that vectorizes.

use super::{bad_column, check_aligned, chunk_len, dispatch_index_value, CsrRows, Index, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::{Array2, ArrayView2, Ix2};
use rayon::prelude::*;
use std::borrow::Cow;

/// Inputs: `pos` (promoted to 2-d), `crd` (int32 or int64), `vals`, `X`; output: `Y`.
pub struct CsrSpmm;

/// `X` as a row-major slice: rows `[base, base + rows)`, `k` columns.
struct Dense<'a, V: Clone> {
    x: Cow<'a, [V]>,
    base: i64,
    rows: usize,
    k: usize,
}

fn dense<'a, V: Value>(view: ArrayView2<'a, V>, base: i64) -> Dense<'a, V> {
    let (rows, k) = view.dim();
    let x = match view.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(view.iter().copied().collect()), // row-major order
    };
    Dense { x, base, rows, k }
}

/// `y` holds `a.rows()` rows of `x.k` values, row-major.
fn spmm_rows<V: Value, I: Index>(a: &CsrRows<'_, V, I>, x: &Dense<'_, V>, y: &mut [V]) -> Result<(), TaskError> {
    let k = x.k;
    for (r, yrow) in y.chunks_exact_mut(k).enumerate() {
        yrow.fill(V::ZERO);
        let (s, e) = a.bounds(r)?;
        for (&c, &v) in a.crd[s..e].iter().zip(&a.vals[s..e]) {
            let j = c.to_i64().wrapping_sub(x.base) as u64;
            if j >= x.rows as u64 {
                return Err(bad_column("csr_spmm", a.row0 + r as i64, "the rows of X"));
            }
            let xrow = &x.x[j as usize * k..(j as usize + 1) * k];
            for (o, &xv) in yrow.iter_mut().zip(xrow) {
                *o += v * xv;
            }
        }
    }
    Ok(())
}

fn run<I: Index, V: Value>(ctx: &mut TaskContext, threads: usize) -> Result<(), TaskError> {
    let (pos_s, crd_s, vals_s, x_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
    let mut y_s = ctx.output(0)?;
    if y_s.is_empty() {
        return Ok(()); // no rows, or k == 0
    }
    let pos = Tile1::<[i64; 2]>::of_promoted(&pos_s, "csr_spmm: pos")?;
    let crd = Tile1::<I>::of(&crd_s, "csr_spmm: indices")?;
    let vals = Tile1::<V>::of(&vals_s, "csr_spmm: data")?;
    check_aligned(&crd, vals.data.len(), vals.base, "csr_spmm")?;
    let xv = x_s.view::<V>()?.into_dimensionality::<Ix2>().map_err(|_| TaskError::new("csr_spmm: X must be 2-d"))?;
    let x = dense(xv, x_s.lo()[0]);
    let rows = CsrRows { row0: pos.base, pos: &pos.data[..], crd: &crd.data, vals: &vals.data, base: crd.base };
    let mut y = y_s.view_mut::<V>()?.into_dimensionality::<Ix2>().map_err(|_| TaskError::new("csr_spmm: Y must be 2-d"))?;
    if y.dim() != (rows.rows(), x.k) {
        return Err(TaskError::new(format!(
            "csr_spmm: the Y tile is {:?} but the rows and X give ({}, {})",
            y.dim(),
            rows.rows(),
            x.k
        )));
    }
    let body = |out: &mut [V]| -> Result<(), TaskError> {
        if threads <= 1 {
            return spmm_rows(&rows, &x, out);
        }
        let chunk = chunk_len(rows.rows(), threads, 64);
        out.par_chunks_mut(chunk * x.k).enumerate().try_for_each(|(i, out)| {
            let first = i * chunk;
            let part = rows.sub(first, out.len() / x.k);
            spmm_rows(&part, &x, out)
        })
    };
    match y.as_slice_mut() {
        Some(out) => body(out),
        None => {
            let mut out = Array2::from_elem(y.dim(), V::ZERO);
            body(out.as_slice_mut().ok_or_else(|| TaskError::new("csr_spmm: internal layout error"))?)?;
            y.assign(&out);
            Ok(())
        }
    }
}

fn cpu_body<I: Index, V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    run::<I, V>(ctx, 1)
}

fn omp_body<I: Index, V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let threads = ctx.num_threads();
    run::<I, V>(ctx, threads)
}

impl Task for CsrSpmm {
    const TASK_ID: u32 = 2;
    const NAME: &'static str = "csr_spmm";
    const HAS_OMP: bool = true;

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (icode, code) = (ctx.input(1)?.type_code(), ctx.input(2)?.type_code());
        dispatch_index_value!(icode, code, "csr_spmm", cpu_body(ctx))
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (icode, code) = (ctx.input(1)?.type_code(), ctx.input(2)?.type_code());
        dispatch_index_value!(icode, code, "csr_spmm", omp_body(ctx))
    }
}
