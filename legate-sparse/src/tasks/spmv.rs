//! `csr_spmv`: `y = A @ x`. Each point owns a block of rows (`pos`, `y`); `crd`/`vals`
//! arrive as the image of its `pos` block and `x` as the image of its `crd` tile (for
//! int32 indices: of its rows' column ranges, the same rectangle), so a point reads
//! only what its rows touch.
//!
//! The loop is memory-bound: per entry it streams a value and a column index and
//! gathers one element of `x`; per row it writes `y` and reads the row's range. When
//! the launch passes SciPy's `indptr` (of the indices' type) the ranges come from it in
//! place, 4 or 8 bytes a row, instead of from `pos`'s 16 (`pos` is then only what
//! partitions the entries: on the Poisson matrix, 16.8 instead of 18.4 bytes an entry). So it works on raw slices: row ranges are checked once
//! per row, and the one check per entry (the column against `x`'s tile) is a compare
//! and a never-taken branch to a cold error path. (A branch-free clamp-and-flag
//! variant measured 30% slower on the Poisson matrix; this one is within 5% of the
//! unchecked loop.)
//!
//! With the matrix's row patterns (`patterns.rs`) the rows of blocks that have a
//! table are read without their column indices: one byte a row names the row's
//! offsets `crd[k] - row`, its values follow the last row's, and one check a row (its
//! least and greatest column against `x`'s tile) replaces the one an entry. The same
//! products are summed in the same order, so the results are bitwise the same.

use super::patterns::{Pattern, Tables};
use super::{bad_column, check_aligned, chunk_len, dispatch_index_value, CsrRows, Index, Offsets, RangeSource, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::{ArrayViewMut1, Ix1};
use rayon::prelude::*;

/// Inputs: `pos`, `crd` (int32 or int64), `vals`, `x` (and, for int32 `crd`, the column
/// ranges `x` is the image of, unread here), then optionally `indptr[:-1]` and
/// `indptr[1:]` (of `crd`'s type, aligned with `pos`); output: `y` (aligned with `pos`).
/// Scalar 0 (int64) is the input where `indptr[:-1]` is, or -1 to read `pos`.
/// Scalar 1 (int64) is the input where `x` aligned with the rows is, or -1: given, the
/// task also adds `x^H y` into reduction 0 (a one-element future of the value type),
/// CG's `p·(A p)` in the same pass as the product.
/// Scalar 2 (int64) is the input where the rows' pattern ids (`u8`, aligned with `pos`)
/// are, followed by the pattern tables (whole), or -1: given, the rows of blocks
/// with a table are read by their patterns (see `patterns.rs`), not their indices.
pub struct CsrSpmv;

/// `x`'s tile: the elements a block of rows may read, starting at global column `base`.
struct Gather<'a, V> {
    x: &'a [V],
    base: i64,
}

/// `y[r] = sum_k vals[k] * x[crd[k]]` for the rows of `a`, adding `conj(xr[r]) y[r]`
/// into `dot` when `xr` (`x` at these rows) is given. Short rows (a random matrix's
/// few entries) cost as much in their set-up as in their entries, so a row is its
/// checked bounds and a raw loop over them: no slices, no zipped iterators, and the
/// `xr` test outside the loop.
fn spmv_rows<V: Value, I: Index, R: RangeSource>(
    a: &CsrRows<'_, V, I, R>,
    x: &Gather<'_, V>,
    xr: Option<&[V]>,
    y: &mut [V],
    dot: &mut V,
) -> Result<(), TaskError> {
    if a.vals.len() != a.crd.len() {
        return Err(TaskError::new("csr_spmv: the index and value tiles differ in length"));
    }
    match xr {
        None => y.iter_mut().enumerate().try_for_each(|(r, out)| {
            *out = row_sum(a, x, r)?;
            Ok(())
        }),
        Some(xr) => y.iter_mut().zip(xr).enumerate().try_for_each(|(r, (out, &xv))| {
            *out = row_sum(a, x, r)?;
            *dot += xv.conj() * *out;
            Ok(())
        }),
    }
}

/// Row `r`'s sum (`a.vals` as long as `a.crd`, checked by the caller).
#[inline(always)]
fn row_sum<V: Value, I: Index, R: RangeSource>(a: &CsrRows<'_, V, I, R>, x: &Gather<'_, V>, r: usize) -> Result<V, TaskError> {
    let (s, e) = a.bounds(r)?;
    let (xlen, crd, vals) = (x.x.len() as u64, a.crd.as_ptr(), a.vals.as_ptr());
    let mut acc = V::ZERO;
    for k in s..e {
        // SAFETY: `bounds` gives `s <= e <= crd.len()`, and `vals` is as long as `crd`.
        let (c, v) = unsafe { (*crd.add(k), *vals.add(k)) };
        let j = c.to_i64().wrapping_sub(x.base) as u64;
        if j >= xlen {
            return Err(column_error(a.row0 + r as i64));
        }
        // SAFETY: `j < xlen`, the length of `x.x`, was checked just above.
        acc += v * unsafe { *x.x.get_unchecked(j as usize) };
    }
    Ok(acc)
}

/// As [`spmv_rows`] for rows whose patterns `ids` names in `patterns` (their offsets in
/// `offsets`): the entries of each row follow the last row's in `vals`, from the
/// first row's `pos`, and row `r`'s columns are `r + offset`. The same products are
/// summed in the same order, so `y` and `dot` are bitwise those of [`spmv_rows`].
#[allow(clippy::too_many_arguments)]
fn spmv_patterned<V: Value, I: Index, R: RangeSource>(
    a: &CsrRows<'_, V, I, R>,
    ids: &[u8],
    patterns: &[Pattern; 256],
    offsets: &[i64],
    x: &Gather<'_, V>,
    xr: Option<&[V]>,
    y: &mut [V],
    dot: &mut V,
) -> Result<(), TaskError> {
    if y.is_empty() {
        return Ok(());
    }
    let (nvals, xlen) = (a.vals.len() as i64, x.x.len() as i64);
    let (n, ids) = (y.len(), &ids[..y.len()]);
    let mut k = a.pos.at(0)[0].wrapping_sub(a.base);
    let mut r = 0;
    while r < n {
        let p = &patterns[ids[r] as usize];
        let xb = a.row0 + r as i64 - x.base;
        // Two rows of one pattern whose checks pass: their two sums interleaved (each
        // in its own order), so the chain of adds of one row does not wait on the
        // other's. (`|offset| <= 2^62` and rows and tiles are below 2^62: no overflow.)
        let len = p.len as i64; // -1 for an id no table gives: no pair, and the row fails
        if r + 1 < n && ids[r + 1] == ids[r] && len > 0 && k >= 0 && k <= nvals && 2 * len <= nvals - k && xb + p.min >= 0 && xb + 1 + p.max < xlen {
            let (mut acc0, mut acc1) = (V::ZERO, V::ZERO);
            // SAFETY: the entries `k .. k + 2 len` lie in `vals`, `p.start + len <=
            // offsets.len()` (checked when the tables were parsed), and for every
            // offset `o` (between `p.min` and `p.max`) `0 <= xb + o` and `xb + 1 + o <
            // xlen`, as checked above.
            unsafe {
                let (v, o) = (a.vals.as_ptr().add(k as usize), offsets.as_ptr().add(p.start));
                let xp = x.x.as_ptr().wrapping_offset(xb as isize);
                for j in 0..p.len {
                    let oj = *o.add(j) as isize;
                    acc0 += *v.add(j) * *xp.wrapping_offset(oj);
                    acc1 += *v.add(p.len + j) * *xp.wrapping_offset(oj + 1);
                }
            }
            y[r] = acc0;
            y[r + 1] = acc1;
            if let Some(xr) = xr {
                *dot += xr[r].conj() * acc0;
                *dot += xr[r + 1].conj() * acc1;
            }
            k += 2 * len;
            r += 2;
            continue;
        }
        let mut acc = V::ZERO;
        if p.len != 0 {
            if k < 0 || k > nvals || p.len as u64 > (nvals - k) as u64 {
                return Err(a.range_error(r));
            }
            // Every column of the row lies in `x`'s tile when its least and greatest do.
            if xb + p.min < 0 || xb + p.max >= xlen {
                return Err(column_error(a.row0 + r as i64));
            }
            // SAFETY: `k + p.len <= vals.len()` and `p.start + p.len <= offsets.len()`
            // (checked when the tables were parsed), and `0 <= xb + o < xlen` for each
            // offset `o` (between `p.min` and `p.max`), as checked above.
            unsafe {
                let (v, o) = (a.vals.as_ptr().add(k as usize), offsets.as_ptr().add(p.start));
                let xp = x.x.as_ptr().wrapping_offset(xb as isize);
                for j in 0..p.len {
                    acc += *v.add(j) * *xp.wrapping_offset(*o.add(j) as isize);
                }
            }
            k += len;
        }
        y[r] = acc;
        if let Some(xr) = xr {
            *dot += xr[r].conj() * acc;
        }
        r += 1;
    }
    Ok(())
}

/// The rows of `a` (`y`'s, `ids`' and `xr`'s), in order: each block's with its patterns
/// when it has them, the others (and rows no block covers) by their column indices.
fn spmv_block<V: Value, I: Index, R: RangeSource>(
    a: &CsrRows<'_, V, I, R>,
    pat: Option<(&[u8], &Tables<'_>)>,
    x: &Gather<'_, V>,
    xr: Option<&[V]>,
    y: &mut [V],
) -> Result<V, TaskError> {
    let mut dot = V::ZERO;
    let Some((ids, tables)) = pat else {
        spmv_rows(a, x, xr, y, &mut dot)?;
        return Ok(dot);
    };
    let (first, end) = (a.row0, a.row0 + y.len() as i64);
    // Rows [lo, hi) (global), patterned or not.
    let mut run = |lo: i64, hi: i64, patterns: Option<&[Pattern; 256]>| -> Result<(), TaskError> {
        let (s, e) = ((lo - first) as usize, (hi - first) as usize);
        let rows = a.sub(s, e - s);
        let xr = xr.map(|xr| &xr[s..e]);
        match patterns {
            Some(p) => spmv_patterned(&rows, &ids[s..e], p, tables.offsets, x, xr, &mut y[s..e], &mut dot),
            None => spmv_rows(&rows, x, xr, &mut y[s..e], &mut dot),
        }
    };
    let mut next = first;
    for b in &tables.blocks {
        let (lo, hi) = (b.lo.max(next), b.hi.min(end));
        if lo >= hi {
            continue;
        }
        if lo > next {
            run(next, lo, None)?;
        }
        run(lo, hi, b.patterns.as_deref())?;
        next = hi;
    }
    if next < end {
        run(next, end, None)?;
    }
    Ok(dot)
}

/// Kept out of line so the inner loop stays a compare and a branch.
#[cold]
#[inline(never)]
fn column_error(row: i64) -> TaskError {
    bad_column("csr_spmv", row, "x")
}

/// What a body runs on: the rows (their ranges from `R`), `x`'s tile, `x` at the rows
/// when the launch asks for `x^H y`, and `y`; it returns `x^H y` (zero when not asked).
trait Body<V: Value, I: Index> {
    fn run<R: RangeSource>(
        self,
        rows: &CsrRows<'_, V, I, R>,
        pat: Option<(&[u8], &Tables<'_>)>,
        x: &Gather<'_, V>,
        xr: Option<&[V]>,
        y: &mut [V],
    ) -> Result<V, TaskError>;
}

/// Reads the tiles and runs `body` on them, the row ranges read from `indptr` when the
/// launch passed it, else from `pos`; `y` is a contiguous slice (computed aside and
/// copied in when the output is a strided view).
fn with_tiles<V: Value, I: Index>(ctx: &mut TaskContext, body: impl Body<V, I>) -> Result<(), TaskError> {
    let (pos_s, crd_s, vals_s, x_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
    let mut y_s = ctx.output(0)?;
    let pos = Tile1::<[i64; 2]>::of(&pos_s, "csr_spmv: pos")?;
    let crd = Tile1::<I>::of(&crd_s, "csr_spmv: indices")?;
    let vals = Tile1::<V>::of(&vals_s, "csr_spmv: data")?;
    let x = Tile1::<V>::of(&x_s, "csr_spmv: x")?;
    check_aligned(&crd, vals.data.len(), vals.base, "csr_spmv")?;
    let first_offset = ctx.scalar::<i64>(0)?;
    let offset_stores = match usize::try_from(first_offset) {
        Ok(i) => Some((ctx.input(i)?, ctx.input(i + 1)?)),
        Err(_) => None,
    };
    let offsets = match &offset_stores {
        Some((lo, hi)) => {
            let (lo, hi) = (Tile1::<I>::of(lo, "csr_spmv: indptr")?, Tile1::<I>::of(hi, "csr_spmv: indptr")?);
            if lo.data.len() != pos.data.len() || hi.data.len() != pos.data.len() || lo.base != pos.base {
                return Err(TaskError::new("csr_spmv: the indptr and pos tiles differ"));
            }
            Some((lo, hi))
        }
        None => None,
    };
    let xr_store = match usize::try_from(ctx.scalar::<i64>(1)?) {
        Ok(i) => Some(ctx.input(i)?),
        Err(_) => None,
    };
    let xr = match &xr_store {
        Some(s) => {
            let t = Tile1::<V>::of(s, "csr_spmv: x at the rows")?;
            if t.data.len() != pos.data.len() || t.base != pos.base {
                return Err(TaskError::new("csr_spmv: the x and pos tiles differ"));
            }
            Some(t)
        }
        None => None,
    };
    let xr = xr.as_ref().map(|t| &t.data[..]);
    let pattern_stores = match usize::try_from(ctx.scalar::<i64>(2)?) {
        Ok(i) => Some((ctx.input(i)?, ctx.input(i + 1)?)),
        Err(_) => None,
    };
    let patterns = match &pattern_stores {
        Some((ids, tables)) => {
            let ids = Tile1::<u8>::of(ids, "csr_spmv: pattern ids")?;
            if ids.data.len() != pos.data.len() || ids.base != pos.base {
                return Err(TaskError::new("csr_spmv: the pattern ids and pos tiles differ"));
            }
            Some((ids, Tile1::<i64>::of(tables, "csr_spmv: pattern tables")?))
        }
        None => None,
    };
    let tables = patterns.as_ref().map(|(_, t)| Tables::parse(&t.data)).transpose()?;
    let pat = patterns.as_ref().zip(tables.as_ref()).map(|((ids, _), t)| (&ids.data[..], t));
    let gather = Gather { x: &x.data, base: x.base };
    let y = y_s.view_mut::<V>()?;
    let mut y: ArrayViewMut1<V> = y.into_dimensionality::<Ix1>().map_err(|_| TaskError::new("csr_spmv: y must be 1-d"))?;
    if y.len() != pos.data.len() {
        return Err(TaskError::new("csr_spmv: the y and pos tiles differ in length"));
    }
    let mut aside = Vec::new();
    let out = match y.as_slice_mut() {
        Some(out) => out,
        None => {
            aside = vec![V::ZERO; pos.data.len()];
            &mut aside[..]
        }
    };
    let (row0, crd, vals, base) = (pos.base, &crd.data[..], &vals.data[..], crd.base);
    let dot = match &offsets {
        Some((lo, hi)) => {
            let ranges = Offsets { lo: &lo.data[..], hi: &hi.data[..] };
            body.run(&CsrRows { row0, pos: ranges, crd, vals, base }, pat, &gather, xr, out)?
        }
        None => body.run(&CsrRows { row0, pos: &pos.data[..], crd, vals, base }, pat, &gather, xr, out)?,
    };
    if !aside.is_empty() {
        y.iter_mut().zip(aside).for_each(|(d, v)| *d = v);
    }
    if xr.is_some() {
        let mut total = ctx.reduction(0)?;
        let mut total = total.view_mut::<V>()?;
        let slot = total.iter_mut().next().ok_or_else(|| TaskError::new("csr_spmv: the dot product has no element"))?;
        *slot += dot;
    }
    Ok(())
}

/// One thread over all rows.
struct Sequential;

impl<V: Value, I: Index> Body<V, I> for Sequential {
    fn run<R: RangeSource>(
        self,
        rows: &CsrRows<'_, V, I, R>,
        pat: Option<(&[u8], &Tables<'_>)>,
        x: &Gather<'_, V>,
        xr: Option<&[V]>,
        y: &mut [V],
    ) -> Result<V, TaskError> {
        spmv_block(rows, pat, x, xr, y)
    }
}

/// Blocks of rows on `threads` threads.
struct Parallel {
    threads: usize,
}

impl<V: Value, I: Index> Body<V, I> for Parallel {
    fn run<R: RangeSource>(
        self,
        rows: &CsrRows<'_, V, I, R>,
        pat: Option<(&[u8], &Tables<'_>)>,
        x: &Gather<'_, V>,
        xr: Option<&[V]>,
        y: &mut [V],
    ) -> Result<V, TaskError> {
        let chunk = chunk_len(y.len(), self.threads, 1024);
        y.par_chunks_mut(chunk)
            .enumerate()
            .map(|(k, y)| {
                let (first, n) = (k * chunk, y.len());
                let pat = pat.map(|(ids, t)| (&ids[first..first + n], t));
                spmv_block(&rows.sub(first, n), pat, x, xr.map(|xr| &xr[first..first + n]), y)
            })
            .try_reduce(|| V::ZERO, |a, b| Ok(a + b))
    }
}

fn cpu_body<I: Index, V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    with_tiles::<V, I>(ctx, Sequential)
}

fn omp_body<I: Index, V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let threads = ctx.num_threads();
    with_tiles::<V, I>(ctx, Parallel { threads })
}

impl Task for CsrSpmv {
    const TASK_ID: u32 = 1;
    const NAME: &'static str = "csr_spmv";
    const HAS_OMP: bool = true;

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (icode, code) = (ctx.input(1)?.type_code(), ctx.input(2)?.type_code());
        dispatch_index_value!(icode, code, "csr_spmv", cpu_body(ctx))
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (icode, code) = (ctx.input(1)?.type_code(), ctx.input(2)?.type_code());
        dispatch_index_value!(icode, code, "csr_spmv", omp_body(ctx))
    }
}
