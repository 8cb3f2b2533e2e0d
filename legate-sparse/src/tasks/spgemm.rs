//! `csr_spgemm`: `C = A @ B` for CSR `A` and `B`, giving canonical CSR (column indices
//! sorted, duplicates summed, exact zeros dropped, as SciPy's result after
//! `sum_duplicates`/`eliminate_zeros`).
//!
//! One pass per block of `A`'s rows (Gustavson's algorithm with a dense accumulator):
//! each point reads its rows of `A` through the image of `A`'s `pos` and all of `B`
//! (broadcast), writes how many entries each of its rows has (`counts`, aligned with
//! `A`'s rows), and appends its rows' entries to the unbound outputs `crd`/`vals`. The
//! runtime concatenates the points' pieces in launch order, which is row order, so
//! the pieces form `C`'s `crd`/`vals`. [`ScanCounts`] then turns `counts` into `C`'s
//! `indptr`.

use super::{bad_column, check_aligned, chunk_len, dispatch_value, CsrRows, Tile1, Value};
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::Ix1;
use rayon::prelude::*;

/// Inputs: `A`'s `pos`, `crd`, `vals`, then `B`'s; outputs: `counts` (aligned with
/// `A`'s `pos`), `crd` and `vals` (unbound); scalar: `B`'s column count.
pub struct CsrSpgemm;

/// A sparse accumulator for one row of `C`: a dense slot per column of `B` and the
/// list of columns the row touched. A slot holds its mark next to its value, so a
/// product touches one cache line, not two.
struct Accumulator<V> {
    /// `(stamp, value)`: the value is the row's sum when `stamp` is the current row's.
    slots: Vec<(u64, V)>,
    stamp: u64,
    touched: Vec<usize>,
}

impl<V: Value> Accumulator<V> {
    /// Fails (rather than aborting the process) when `ncols` slots do not fit in memory.
    fn new(ncols: usize) -> Result<Self, TaskError> {
        let mut slots = Vec::new();
        slots.try_reserve_exact(ncols).map_err(|_| {
            TaskError::new(format!("csr_spgemm: no memory for an accumulator over {ncols} columns"))
        })?;
        advise_huge_pages(&slots);
        slots.resize(ncols, (0, V::ZERO));
        Ok(Accumulator { slots, stamp: 0, touched: Vec::new() })
    }

    /// Appends the sorted, non-zero entries of the row accumulated so far to `crd` and
    /// `vals`; returns how many.
    fn flush(&mut self, crd: &mut Vec<i64>, vals: &mut Vec<V>) -> i64 {
        let ncols = self.slots.len();
        let before = crd.len();
        // Few touched columns: sort them. Many: a sweep over the slots is cheaper.
        if self.touched.len() * 16 < ncols {
            sort_columns(&mut self.touched);
            for &j in &self.touched {
                let v = self.slots[j].1;
                if v != V::ZERO {
                    crd.push(j as i64);
                    vals.push(v);
                }
            }
        } else {
            for (j, &(m, v)) in self.slots.iter().enumerate() {
                if m == self.stamp && v != V::ZERO {
                    crd.push(j as i64);
                    vals.push(v);
                }
            }
        }
        self.touched.clear();
        (crd.len() - before) as i64
    }
}

/// Asks the kernel to back the (still untouched) capacity of `v` with huge pages, as
/// NumPy does for its large arrays: faulting in hundreds of megabytes of 4 KiB pages
/// took as long as the product itself on the Poisson matrix. Only advice: errors and
/// small vectors are ignored.
fn advise_huge_pages<T>(v: &Vec<T>) {
    const MIN: usize = 4 << 20;
    let bytes = v.capacity() * std::mem::size_of::<T>();
    if !cfg!(target_os = "linux") || bytes < MIN {
        return;
    }
    // madvise wants a page-aligned start; advise the whole pages inside the buffer.
    let page = 4096usize;
    let start = v.as_ptr() as usize;
    let aligned = start.next_multiple_of(page);
    let len = (start + bytes).saturating_sub(aligned) / page * page;
    if len == 0 {
        return;
    }
    // SAFETY: the range lies inside `v`'s allocation, which outlives the call; the
    // advice changes how its pages are backed, not their contents.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
}

/// Sorts a row's touched columns. They arrive in the order of `A`'s entries times
/// `B`'s, which for sorted inputs and banded matrices is nearly sorted already: an
/// insertion sort is linear in the length plus the disorder there, and beat
/// `sort_unstable` on the rows of a stencil's product (13 columns) in our measurements.
fn sort_columns(cols: &mut [usize]) {
    if cols.len() > 32 {
        cols.sort_unstable();
        return;
    }
    for i in 1..cols.len() {
        let c = cols[i];
        let mut k = i;
        while k > 0 && cols[k - 1] > c {
            cols[k] = cols[k - 1];
            k -= 1;
        }
        cols[k] = c;
    }
}

/// An upper bound on the entries of the rows of `a @ b` (products before merging), to
/// size the output vectors once.
fn product_bound<V: Value>(a: &CsrRows<'_, V>, b: &CsrRows<'_, V>) -> usize {
    let mut total = 0usize;
    for r in 0..a.rows() {
        let Ok((s, e)) = a.bounds(r) else { return 0 }; // the product reports it
        for &k in &a.crd[s..e] {
            if let Some(&[lo, hi]) = usize::try_from(k.wrapping_sub(b.row0)).ok().and_then(|i| b.pos.get(i)) {
                total = total.saturating_add(hi.saturating_sub(lo).max(0) as usize);
            }
        }
    }
    total
}

/// Computes the rows of `a` times `b`: fills `counts` (one per row) and appends the
/// entries to `crd`/`vals`.
fn spgemm_rows<V: Value>(
    a: &CsrRows<'_, V>,
    b: &CsrRows<'_, V>,
    ncols: usize,
    counts: &mut [i64],
    crd: &mut Vec<i64>,
    vals: &mut Vec<V>,
) -> Result<(), TaskError> {
    let mut spa = Accumulator::<V>::new(ncols)?;
    let bound = product_bound(a, b);
    // A hint only: if it cannot be had, the vectors grow as usual.
    if crd.try_reserve(bound).is_ok() && vals.try_reserve(bound).is_ok() {
        advise_huge_pages(crd);
        advise_huge_pages(vals);
    }
    let brows = b.rows() as u64;
    for (r, count) in counts.iter_mut().enumerate() {
        spa.stamp += 1;
        let (s, e) = a.bounds(r)?;
        for (&k, &av) in a.crd[s..e].iter().zip(&a.vals[s..e]) {
            let bk = k.wrapping_sub(b.row0) as u64;
            if bk >= brows {
                return Err(bad_column("csr_spgemm", a.row0 + r as i64, "the rows of B"));
            }
            let (bs, be) = b.bounds(bk as usize)?;
            for (&j, &bv) in b.crd[bs..be].iter().zip(&b.vals[bs..be]) {
                let Some(slot) = usize::try_from(j).ok().and_then(|j| spa.slots.get_mut(j)) else {
                    return Err(bad_column("csr_spgemm", b.row0 + bk as i64, "B's columns"));
                };
                if slot.0 == spa.stamp {
                    slot.1 += av * bv;
                } else {
                    *slot = (spa.stamp, av * bv);
                    spa.touched.push(j as usize);
                }
            }
        }
        *count = spa.flush(crd, vals);
    }
    Ok(())
}

fn run<V: Value>(ctx: &mut TaskContext, threads: usize) -> Result<(), TaskError> {
    let ncols = ctx.scalar::<i64>(0)?;
    let ncols = usize::try_from(ncols).map_err(|_| TaskError::new("csr_spgemm: negative column count"))?;
    let inputs: Vec<_> = (0..6).map(|i| ctx.input(i)).collect::<Result<_, _>>()?;
    let a_pos = Tile1::<[i64; 2]>::of(&inputs[0], "csr_spgemm: A's pos")?;
    let a_crd = Tile1::<i64>::of(&inputs[1], "csr_spgemm: A's indices")?;
    let a_vals = Tile1::<V>::of(&inputs[2], "csr_spgemm: A's data")?;
    let b_pos = Tile1::<[i64; 2]>::of(&inputs[3], "csr_spgemm: B's pos")?;
    let b_crd = Tile1::<i64>::of(&inputs[4], "csr_spgemm: B's indices")?;
    let b_vals = Tile1::<V>::of(&inputs[5], "csr_spgemm: B's data")?;
    check_aligned(&a_crd, a_vals.data.len(), a_vals.base, "csr_spgemm (A)")?;
    check_aligned(&b_crd, b_vals.data.len(), b_vals.base, "csr_spgemm (B)")?;
    let a = CsrRows { row0: a_pos.base, pos: &a_pos.data, crd: &a_crd.data, vals: &a_vals.data, base: a_crd.base };
    let b = CsrRows { row0: b_pos.base, pos: &b_pos.data, crd: &b_crd.data, vals: &b_vals.data, base: b_crd.base };

    let mut counts_s = ctx.output(0)?;
    let mut counts = counts_s.view_mut::<i64>()?.into_dimensionality::<Ix1>().map_err(|_| TaskError::new("csr_spgemm: counts must be 1-d"))?;
    let counts = counts.as_slice_mut().ok_or_else(|| TaskError::new("csr_spgemm: counts must be contiguous"))?;
    if counts.len() != a.rows() {
        return Err(TaskError::new("csr_spgemm: the counts and pos tiles differ in length"));
    }
    // Each block of rows (one per thread) gets its own accumulator and vectors; the
    // blocks are copied into the bound outputs in order.
    let parts: Vec<(Vec<i64>, Vec<V>)> = if threads <= 1 || a.rows() < 2 {
        let (mut crd, mut vals) = (Vec::new(), Vec::new());
        spgemm_rows(&a, &b, ncols, counts, &mut crd, &mut vals)?;
        vec![(crd, vals)]
    } else {
        let chunk = chunk_len(a.rows(), threads, 1);
        counts
            .par_chunks_mut(chunk)
            .enumerate()
            .map(|(i, counts)| {
                let first = i * chunk;
                let part = CsrRows { row0: a.row0 + first as i64, pos: &a.pos[first..first + counts.len()], ..a };
                let (mut crd, mut vals) = (Vec::new(), Vec::new());
                spgemm_rows(&part, &b, ncols, counts, &mut crd, &mut vals).map(|()| (crd, vals))
            })
            .collect::<Result<_, _>>()?
    };
    write_pieces(ctx, 1, parts.iter().map(|p| p.0.as_slice()))?;
    write_pieces(ctx, 2, parts.iter().map(|p| p.1.as_slice()))
}

/// Binds unbound output `index` to exactly the total length of `pieces` and copies
/// them in, one after the other.
fn write_pieces<'d, T: legate_abi::Element>(
    ctx: &mut TaskContext,
    index: usize,
    pieces: impl Iterator<Item = &'d [T]> + Clone,
) -> Result<(), TaskError> {
    let total = pieces.clone().map(<[T]>::len).sum::<usize>();
    let mut out = ctx.bind_output(index, &[total])?;
    let mut view = out.view_mut::<T>()?;
    let slice = view.as_slice_mut().ok_or_else(|| TaskError::new("csr_spgemm: a bound output is not contiguous"))?;
    let mut at = 0;
    for piece in pieces {
        slice[at..at + piece.len()].copy_from_slice(piece);
        at += piece.len();
    }
    Ok(())
}

fn cpu_body<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    run::<V>(ctx, 1)
}

fn omp_body<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let threads = ctx.num_threads();
    run::<V>(ctx, threads)
}

impl Task for CsrSpgemm {
    const TASK_ID: u32 = 3;
    const NAME: &'static str = "csr_spgemm";
    const HAS_OMP: bool = true;

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(2)?.type_code();
        dispatch_value!(code, "csr_spgemm", cpu_body(ctx))
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(2)?.type_code();
        dispatch_value!(code, "csr_spgemm", omp_body(ctx))
    }
}

/// `indptr = [0, cumsum(counts)]`: one point (both arguments are broadcast), since the
/// scan is a small sequential pass next to the product.
pub struct ScanCounts;

impl Task for ScanCounts {
    const TASK_ID: u32 = 4;
    const NAME: &'static str = "scan_counts";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let counts_s = ctx.input(0)?;
        let mut out_s = ctx.output(0)?;
        let counts = Tile1::<i64>::of(&counts_s, "scan_counts: counts")?;
        let mut out = out_s.view_mut::<i64>()?;
        if out.len() != counts.data.len() + 1 {
            return Err(TaskError::new("scan_counts: indptr must have one more element than counts (launch it on one point)"));
        }
        let mut total = 0i64;
        let mut it = out.iter_mut();
        if let Some(first) = it.next() {
            *first = 0;
        }
        for (o, &c) in it.zip(counts.data.iter()) {
            total += c;
            *o = total;
        }
        Ok(())
    }
}
