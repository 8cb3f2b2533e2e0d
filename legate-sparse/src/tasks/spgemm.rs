//! SpGEMM: `C = A @ B` for CSR `A` and `B`, giving canonical CSR (column indices
//! sorted, duplicates summed, exact zeros dropped, as SciPy's result after
//! `sum_duplicates`/`eliminate_zeros`).
//!
//! Two passes, as SciPy's own (Gustavson's algorithm), each over blocks of `A`'s rows:
//!
//! 1. [`CsrSpgemmSymbolic`] counts the distinct columns of each row of `C` (`counts`,
//!    aligned with `A`'s rows) with a per-thread marker array;
//! 2. [`ScanCounts`] turns the counts into `C`'s `indptr`; the caller reads its last
//!    element and creates `C`'s `crd`/`vals` with exactly that many entries;
//! 3. [`CsrSpgemm`] computes the values with a per-thread dense accumulator and writes
//!    each row straight into its place in `C`'s `crd`/`vals` (partitioned as the image
//!    of `C`'s `pos`), so nothing is appended to temporary vectors and copied later.
//!    A product that cancels to exactly zero stays in place as a zero; the task counts
//!    them into a future, and [`DropZeros`] (rare) removes them afterwards.
//!
//! The marker and accumulator arrays (one slot per column of `B`) are kept per thread
//! between launches: allocating and faulting in fresh ones on every product cost as
//! much as the product itself on the Poisson matrix.

use super::{bad_column, check_aligned, chunk_len, dispatch_value, CsrRows, Tile1, Value};
use legate_abi::{PhysicalStore, Task, TaskContext, TaskError};
use ndarray::Ix1;
use num_complex::Complex64;
use rayon::prelude::*;
use std::cell::RefCell;

/// Inputs: `A`'s `pos`, `crd`, then `B`'s `pos`, `crd`; output: `counts` (aligned with
/// `A`'s `pos`); scalar: `B`'s column count.
pub struct CsrSpgemmSymbolic;

/// Inputs: `A`'s `pos`, `crd`, `vals`, then `B`'s, then `C`'s `pos` (aligned with
/// `A`'s); outputs: `C`'s `crd` and `vals` (the image of `C`'s `pos`); reduction: the
/// number of entries that cancelled to zero (an int64 future); scalar: `B`'s columns.
pub struct CsrSpgemm;

/// Scratch slots kept per thread between launches unless they exceed this many bytes.
const KEEP_BYTES: usize = 256 << 20;

/// A thread's marker and accumulator: `marks[j] == stamp` says column `j` was touched
/// by the current row, and then `vals[j]` holds its sum (stored as `Complex64`, the
/// widest value type, and viewed as the task's type: see [`Scratch::values`]).
struct Scratch {
    marks: Vec<u32>,
    vals: Vec<Complex64>,
    stamp: u32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch { marks: Vec::new(), vals: Vec::new(), stamp: 0 }) };
}

impl Scratch {
    /// Makes room for `ncols` columns (and values, if `with_values`).
    fn reserve(&mut self, ncols: usize, with_values: bool) -> Result<(), TaskError> {
        let no_memory = |_| TaskError::new(format!("csr_spgemm: no memory for an accumulator over {ncols} columns"));
        if self.marks.len() < ncols {
            self.marks.clear();
            self.marks.try_reserve_exact(ncols).map_err(no_memory)?;
            self.marks.resize(ncols, 0);
            self.stamp = 0;
        }
        if with_values && self.vals.len() < ncols {
            self.vals.clear();
            self.vals.try_reserve_exact(ncols).map_err(no_memory)?;
            self.vals.resize(ncols, Complex64::new(0.0, 0.0));
        }
        Ok(())
    }

    /// A fresh stamp for the next row (all marks are older).
    #[inline]
    fn next_row(&mut self) -> u32 {
        if self.stamp == u32::MAX {
            self.marks.fill(0);
            self.stamp = 0;
        }
        self.stamp += 1;
        self.stamp
    }

    /// The marks, and the value slots as `V`s (at least `ncols` of them).
    fn values<V: Value>(&mut self) -> (&mut [u32], &mut [V]) {
        const { assert!(std::mem::size_of::<Complex64>() % std::mem::size_of::<V>() == 0) };
        const { assert!(std::mem::align_of::<V>() <= std::mem::align_of::<Complex64>()) };
        let n = self.vals.len() * (std::mem::size_of::<Complex64>() / std::mem::size_of::<V>());
        // SAFETY: the value types are plain floats (or pairs of them), for which every
        // bit pattern is valid; their size divides and their alignment does not exceed
        // `Complex64`'s (checked above), so the buffer holds exactly `n` of them.
        let vals = unsafe { std::slice::from_raw_parts_mut(self.vals.as_mut_ptr() as *mut V, n) };
        (&mut self.marks, vals)
    }

    /// Gives large slots back rather than keep them for the thread's lifetime.
    fn trim(&mut self) {
        if self.marks.len() * 4 + self.vals.len() * 16 > KEEP_BYTES {
            *self = Scratch { marks: Vec::new(), vals: Vec::new(), stamp: 0 };
        }
    }
}

/// Runs `f` with this thread's scratch, sized for `ncols` columns.
fn with_scratch<R>(ncols: usize, with_values: bool, f: impl FnOnce(&mut Scratch) -> Result<R, TaskError>) -> Result<R, TaskError> {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        s.reserve(ncols, with_values)?;
        let r = f(&mut s);
        s.trim();
        r
    })
}

/// Sorts a row's columns. They arrive in the order of `A`'s entries times `B`'s,
/// which for sorted inputs and banded matrices is nearly sorted already: an insertion
/// sort is linear in the length plus the disorder there, and beat `sort_unstable` on
/// the rows of a stencil's product (13 columns) in our measurements.
fn sort_columns(cols: &mut [i64]) {
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

/// `B`'s local row `k` (a column index of `A`'s row `row`), or the error naming it.
#[inline]
fn b_row<V: Value>(b: &CsrRows<'_, V>, k: i64, row: i64) -> Result<(usize, usize), TaskError> {
    let bk = k.wrapping_sub(b.row0) as u64;
    if bk >= b.rows() as u64 {
        return Err(bad_column("csr_spgemm", row, "the rows of B"));
    }
    b.bounds(bk as usize)
}

/// The symbolic pass over some rows: the distinct columns of each row of `a @ b`.
fn count_rows<V: Value>(a: &CsrRows<'_, V>, b: &CsrRows<'_, V>, ncols: usize, counts: &mut [i64]) -> Result<(), TaskError> {
    with_scratch(ncols, false, |s| {
        for (r, count) in counts.iter_mut().enumerate() {
            let stamp = s.next_row();
            let marks = &mut s.marks[..ncols];
            let (lo, hi) = a.bounds(r)?;
            let mut n = 0i64;
            for &k in &a.crd[lo..hi] {
                let (bs, be) = b_row(b, k, a.row0 + r as i64)?;
                for &j in &b.crd[bs..be] {
                    // A negative index wraps to a huge one and fails the same check.
                    let Some(m) = marks.get_mut(j as usize) else {
                        return Err(bad_column("csr_spgemm", k, "B's columns"));
                    };
                    if *m != stamp {
                        *m = stamp;
                        n += 1;
                    }
                }
            }
            *count = n;
        }
        Ok(())
    })
}

/// The numeric pass over some rows: writes each row of `a @ b` (sorted, duplicates
/// summed) into `crd`/`vals`, which start at row 0's first entry (`c_pos[0][0]`);
/// returns how many entries are zeros.
fn product_rows<V: Value>(
    a: &CsrRows<'_, V>,
    b: &CsrRows<'_, V>,
    ncols: usize,
    c_pos: &[[i64; 2]],
    crd: &mut [i64],
    vals: &mut [V],
) -> Result<i64, TaskError> {
    let base = c_pos.first().map_or(0, |p| p[0]);
    with_scratch(ncols, true, |s| {
        let mut zeros = 0i64;
        for (r, &[clo, chi]) in c_pos.iter().enumerate() {
            let stamp = s.next_row();
            let (marks, acc) = s.values::<V>();
            let (marks, acc) = (&mut marks[..ncols], &mut acc[..ncols]);
            let (start, end) = ((clo - base) as usize, (chi - base) as usize);
            if clo < base || chi < clo || end > crd.len() {
                return Err(TaskError::new(format!("csr_spgemm: row {} of C lies outside its tile", a.row0 + r as i64)));
            }
            let row_crd = &mut crd[start..end];
            let mut n = 0usize;
            let (lo, hi) = a.bounds(r)?;
            for (&k, &av) in a.crd[lo..hi].iter().zip(&a.vals[lo..hi]) {
                let (bs, be) = b_row(b, k, a.row0 + r as i64)?;
                for (&j, &bv) in b.crd[bs..be].iter().zip(&b.vals[bs..be]) {
                    let ju = j as usize;
                    let Some(m) = marks.get_mut(ju) else {
                        return Err(bad_column("csr_spgemm", k, "B's columns"));
                    };
                    if *m == stamp {
                        acc[ju] += av * bv;
                    } else {
                        *m = stamp;
                        acc[ju] = av * bv;
                        // More columns than the symbolic pass counted: B changed between
                        // the passes (it cannot, as they are ordered) or a bug.
                        let Some(slot) = row_crd.get_mut(n) else {
                            return Err(TaskError::new("csr_spgemm: a row has more entries than counted"));
                        };
                        *slot = j;
                        n += 1;
                    }
                }
            }
            if n != row_crd.len() {
                return Err(TaskError::new("csr_spgemm: a row has fewer entries than counted"));
            }
            sort_columns(row_crd);
            for (&j, v) in row_crd.iter().zip(&mut vals[start..end]) {
                *v = acc[j as usize];
                zeros += (*v == V::ZERO) as i64;
            }
        }
        Ok(zeros)
    })
}

/// `A`'s rows (inputs 0..3, or 0..2 without values) and `B`'s (the next ones).
struct Operands<'a, V: Value> {
    a_pos: Tile1<'a, [i64; 2]>,
    a_crd: Tile1<'a, i64>,
    a_vals: Option<Tile1<'a, V>>,
    b_pos: Tile1<'a, [i64; 2]>,
    b_crd: Tile1<'a, i64>,
    b_vals: Option<Tile1<'a, V>>,
}

impl<'a, V: Value> Operands<'a, V> {
    fn of(inputs: &'a [PhysicalStore<'a>], with_values: bool) -> Result<Self, TaskError> {
        let w = with_values as usize;
        let vals = |i: usize, what| if with_values { Tile1::<V>::of(&inputs[i], what).map(Some) } else { Ok(None) };
        let ops = Operands {
            a_pos: Tile1::of(&inputs[0], "csr_spgemm: A's pos")?,
            a_crd: Tile1::of(&inputs[1], "csr_spgemm: A's indices")?,
            a_vals: vals(2, "csr_spgemm: A's data")?,
            b_pos: Tile1::of(&inputs[2 + w], "csr_spgemm: B's pos")?,
            b_crd: Tile1::of(&inputs[3 + w], "csr_spgemm: B's indices")?,
            b_vals: vals(5, "csr_spgemm: B's data")?,
        };
        if let (Some(av), Some(bv)) = (&ops.a_vals, &ops.b_vals) {
            check_aligned(&ops.a_crd, av.data.len(), av.base, "csr_spgemm (A)")?;
            check_aligned(&ops.b_crd, bv.data.len(), bv.base, "csr_spgemm (B)")?;
        }
        Ok(ops)
    }

    fn a(&self) -> CsrRows<'_, V> {
        let vals = self.a_vals.as_ref().map_or(&[][..], |v| &v.data);
        CsrRows { row0: self.a_pos.base, pos: &self.a_pos.data, crd: &self.a_crd.data, vals, base: self.a_crd.base }
    }

    fn b(&self) -> CsrRows<'_, V> {
        let vals = self.b_vals.as_ref().map_or(&[][..], |v| &v.data);
        CsrRows { row0: self.b_pos.base, pos: &self.b_pos.data, crd: &self.b_crd.data, vals, base: self.b_crd.base }
    }
}

/// Rows `first..first + len` of `a`.
fn sub_rows<'a, V: Value>(a: &CsrRows<'a, V>, first: usize, len: usize) -> CsrRows<'a, V> {
    CsrRows { row0: a.row0 + first as i64, pos: &a.pos[first..first + len], ..*a }
}

fn ncols_of(ctx: &TaskContext) -> Result<usize, TaskError> {
    let ncols = ctx.scalar::<i64>(0)?;
    usize::try_from(ncols).map_err(|_| TaskError::new("csr_spgemm: negative column count"))
}

fn symbolic<V: Value>(ctx: &mut TaskContext, threads: usize) -> Result<(), TaskError> {
    let ncols = ncols_of(ctx)?;
    let inputs: Vec<_> = (0..4).map(|i| ctx.input(i)).collect::<Result<_, _>>()?;
    let ops = Operands::<V>::of(&inputs, false)?;
    let (a, b) = (ops.a(), ops.b());
    let mut counts_s = ctx.output(0)?;
    let mut counts = counts_s.view_mut::<i64>()?.into_dimensionality::<Ix1>().map_err(|_| TaskError::new("csr_spgemm: counts must be 1-d"))?;
    let counts = counts.as_slice_mut().ok_or_else(|| TaskError::new("csr_spgemm: counts must be contiguous"))?;
    if counts.len() != a.rows() {
        return Err(TaskError::new("csr_spgemm: the counts and pos tiles differ in length"));
    }
    if threads <= 1 || a.rows() < 2 {
        return count_rows(&a, &b, ncols, counts);
    }
    let chunk = chunk_len(a.rows(), threads, 1);
    counts
        .par_chunks_mut(chunk)
        .enumerate()
        .try_for_each(|(i, counts)| count_rows(&sub_rows(&a, i * chunk, counts.len()), &b, ncols, counts))
}

fn numeric<V: Value>(ctx: &mut TaskContext, threads: usize) -> Result<(), TaskError> {
    let ncols = ncols_of(ctx)?;
    let inputs: Vec<_> = (0..7).map(|i| ctx.input(i)).collect::<Result<_, _>>()?;
    let ops = Operands::<V>::of(&inputs[..6], true)?;
    let (a, b) = (ops.a(), ops.b());
    let c_pos = Tile1::<[i64; 2]>::of(&inputs[6], "csr_spgemm: C's pos")?;
    if c_pos.data.len() != a.rows() {
        return Err(TaskError::new("csr_spgemm: C's and A's pos tiles differ in length"));
    }
    let mut crd_s = ctx.output(0)?;
    let mut vals_s = ctx.output(1)?;
    let mut crd_v = crd_s.view_mut::<i64>()?;
    let mut vals_v = vals_s.view_mut::<V>()?;
    let crd = crd_v.as_slice_mut().ok_or_else(|| TaskError::new("csr_spgemm: C's indices must be contiguous"))?;
    let vals = vals_v.as_slice_mut().ok_or_else(|| TaskError::new("csr_spgemm: C's data must be contiguous"))?;
    if crd.len() != vals.len() {
        return Err(TaskError::new("csr_spgemm: C's index and value tiles differ"));
    }
    // An image tile starts at the first non-empty row's entries; rows before it are
    // empty, so writing from the first row's start is the same.
    let pos = &c_pos.data[..];
    let zeros = if threads <= 1 || a.rows() < 2 {
        product_rows(&a, &b, ncols, pos, crd, vals)?
    } else {
        // Split the output tiles where each chunk of rows starts.
        let chunk = chunk_len(a.rows(), threads, 1);
        let base = pos.first().map_or(0, |p| p[0]);
        let mut pieces = Vec::new();
        let (mut crd_rest, mut vals_rest, mut at) = (crd, vals, base);
        for (i, rows) in pos.chunks(chunk).enumerate() {
            let end = rows.last().map_or(at, |p| p[1]);
            let len = usize::try_from(end - at).map_err(|_| TaskError::new("csr_spgemm: C's pos is reversed"))?;
            if len > crd_rest.len() {
                return Err(TaskError::new("csr_spgemm: C's rows lie outside their tile"));
            }
            let (c, cr) = std::mem::take(&mut crd_rest).split_at_mut(len);
            let (v, vr) = std::mem::take(&mut vals_rest).split_at_mut(len);
            (crd_rest, vals_rest, at) = (cr, vr, end);
            pieces.push((i * chunk, rows, c, v));
        }
        pieces
            .into_par_iter()
            .map(|(first, rows, c, v)| product_rows(&sub_rows(&a, first, rows.len()), &b, ncols, rows, c, v))
            .try_reduce(|| 0, |x, y| Ok(x + y))?
    };
    let mut total = ctx.reduction(0)?;
    let mut total = total.view_mut::<i64>()?;
    let slot = total.iter_mut().next().ok_or_else(|| TaskError::new("csr_spgemm: the zero count has no element"))?;
    *slot += zeros;
    Ok(())
}

fn code_of(ctx: &TaskContext, index: usize) -> Result<Option<legate_abi::TypeCode>, TaskError> {
    Ok(ctx.input(index)?.type_code())
}

fn symbolic_cpu<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    symbolic::<V>(ctx, 1)
}

fn symbolic_omp<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let threads = ctx.num_threads();
    symbolic::<V>(ctx, threads)
}

fn numeric_cpu<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    numeric::<V>(ctx, 1)
}

fn numeric_omp<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let threads = ctx.num_threads();
    numeric::<V>(ctx, threads)
}

impl Task for CsrSpgemmSymbolic {
    const TASK_ID: u32 = 6;
    const NAME: &'static str = "csr_spgemm_symbolic";
    const HAS_OMP: bool = true;

    // The values do not matter here; the pattern is the same for every type, so f64.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        symbolic_cpu::<f64>(ctx)
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        symbolic_omp::<f64>(ctx)
    }
}

impl Task for CsrSpgemm {
    const TASK_ID: u32 = 3;
    const NAME: &'static str = "csr_spgemm";
    const HAS_OMP: bool = true;

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = code_of(ctx, 2)?;
        dispatch_value!(code, "csr_spgemm", numeric_cpu(ctx))
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = code_of(ctx, 2)?;
        dispatch_value!(code, "csr_spgemm", numeric_omp(ctx))
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

/// Removes the zeros a product left (entries that cancelled): one point, everything
/// broadcast. Inputs `indptr`, `crd`, `vals`; outputs the new `indptr` (same length)
/// and unbound `crd`/`vals`. Rare, so sequential.
pub struct DropZeros;

fn drop_zeros<V: Value>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let inputs: Vec<_> = (0..3).map(|i| ctx.input(i)).collect::<Result<_, _>>()?;
    let indptr = Tile1::<i64>::of(&inputs[0], "drop_zeros: indptr")?;
    let crd = Tile1::<i64>::of(&inputs[1], "drop_zeros: indices")?;
    let vals = Tile1::<V>::of(&inputs[2], "drop_zeros: data")?;
    let mut out_s = ctx.output(0)?;
    let mut out = out_s.view_mut::<i64>()?;
    let out = out.as_slice_mut().ok_or_else(|| TaskError::new("drop_zeros: indptr must be contiguous"))?;
    if out.len() != indptr.data.len() || crd.data.len() != vals.data.len() {
        return Err(TaskError::new("drop_zeros: mismatched arguments (launch it on one point)"));
    }
    let (mut new_crd, mut new_vals) = (Vec::new(), Vec::new());
    if let Some(first) = out.first_mut() {
        *first = 0;
    }
    for r in 1..indptr.data.len() {
        let (lo, hi) = (indptr.data[r - 1] as usize, indptr.data[r] as usize);
        for (&j, &v) in crd.data[lo..hi].iter().zip(&vals.data[lo..hi]) {
            if v != V::ZERO {
                new_crd.push(j);
                new_vals.push(v);
            }
        }
        out[r] = new_crd.len() as i64;
    }
    write_bound(ctx, 1, &new_crd)?;
    write_bound(ctx, 2, &new_vals)
}

fn write_bound<T: legate_abi::Element>(ctx: &mut TaskContext, index: usize, data: &[T]) -> Result<(), TaskError> {
    let mut out = ctx.bind_output(index, &[data.len()])?;
    let mut view = out.view_mut::<T>()?;
    let slice = view.as_slice_mut().ok_or_else(|| TaskError::new("drop_zeros: a bound output is not contiguous"))?;
    slice.copy_from_slice(data);
    Ok(())
}

impl Task for DropZeros {
    const TASK_ID: u32 = 7;
    const NAME: &'static str = "drop_zeros";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = code_of(ctx, 2)?;
        dispatch_value!(code, "drop_zeros", drop_zeros(ctx))
    }
}
