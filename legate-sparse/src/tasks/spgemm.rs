//! SpGEMM: `C = A @ B` for CSR `A` and `B`, giving SciPy's result: duplicates summed,
//! exact zeros dropped, and within a row the columns in SciPy's order (`csr_matmat`
//! links each new column in front of the row's list, so a row lists its columns in
//! reverse order of first appearance). The indices are not sorted, as SciPy's are not.
//!
//! Two passes, as SciPy's own (Gustavson's algorithm), each over blocks of `A`'s rows:
//!
//! 1. [`CsrSpgemmSymbolic`] counts the distinct columns of each row of `C` (`counts`,
//!    aligned with `A`'s rows);
//! 2. [`ScanCounts`] turns the counts into `C`'s `indptr`; the caller reads its last
//!    element and creates `C`'s `crd`/`vals` with exactly that many entries;
//! 3. [`CsrSpgemm`] computes the values and writes each row straight into its place
//!    in `C`'s `crd`/`vals` (partitioned as the image of `C`'s `pos`), accumulating in
//!    the output itself, so nothing is copied later and nothing sorted. A product that
//!    cancels to exactly zero stays in place as a zero; the task counts them into a
//!    future, and [`DropZeros`] (rare) removes them afterwards.
//!
//! Both passes find a column's place in the row with one of two accumulators, chosen
//! per block of rows: a dense one, a slot per column of `B`, when its
//! slots stay in cache (`B` is narrow, or the rows are banded, so consecutive rows
//! touch the same few slots), and otherwise a small hash table sized by the row's
//! product count, so a row of a wide matrix touches a few cache lines, not `ncols`
//! slots' worth spread over megabytes. The arrays are kept per thread between launches:
//! allocating and faulting in fresh ones on every product cost as much as the product.
//! Both passes prefetch the rows of `B` that `A`'s next entries name
//! ([`prefetch_ahead`]): for a matrix that is not banded, waiting for them was most of
//! the time.

use super::{bad_column, check_aligned, chunk_len, dispatch_value, write_bound, CsrRows, Tile1, Value};
use legate_abi::{PhysicalStore, Task, TaskContext, TaskError};
use ndarray::Ix1;
use rayon::prelude::*;
use std::cell::RefCell;

/// Inputs: `A`'s `pos`, `crd`, then `B`'s `pos`, `crd`; output: `counts` (aligned with
/// `A`'s `pos`); scalar: `B`'s column count.
pub struct CsrSpgemmSymbolic;

/// Inputs: `A`'s `pos`, `crd`, `vals`, then `B`'s, then `C`'s `pos` (aligned with
/// `A`'s); outputs: `C`'s `crd` and `vals` (the image of `C`'s `pos`); reduction: the
/// number of entries that cancelled to zero (an int64 future); scalar: `B`'s columns.
pub struct CsrSpgemm;

/// Scratch kept per thread between launches unless it exceeds this many bytes.
const KEEP_BYTES: usize = 256 << 20;

/// The widest span of columns (of `B`, or of a row's products) whose dense slots
/// (8 bytes each) stay in a core's L2 (1 MiB here).
const DENSE_MAX_COLS: usize = 1 << 17;

/// The widest span of columns of banded rows: their rows of `B` (a few hundred KiB)
/// stay in cache from one row to the next, so the passes need not prefetch them.
const BANDED_MAX_SPAN: u64 = 1 << 14;

/// A slot: the row's stamp in the high half (the slot is taken by the current row when
/// it matches) and the column's place in the row's output in the low half.
#[inline(always)]
fn slot(stamp: u32, place: usize) -> u64 {
    (u64::from(stamp) << 32) | place as u64
}

/// A thread's accumulators: `dense[j]` is column `j`'s slot; the hash table holds
/// `keys[h]` (a column) with its slot `meta[h]`. Each has its own stamp counter.
struct Scratch {
    dense: Vec<u64>,
    dense_stamp: u32,
    keys: Vec<i64>,
    meta: Vec<u64>,
    hash_stamp: u32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch { dense: Vec::new(), dense_stamp: 0, keys: Vec::new(), meta: Vec::new(), hash_stamp: 0 })
    };
}

fn grow<T: Copy>(v: &mut Vec<T>, n: usize, fill: T, what: &str) -> Result<(), TaskError> {
    if v.len() < n {
        v.clear();
        v.try_reserve_exact(n).map_err(|_| TaskError::new(format!("csr_spgemm: no memory for {what} of {n} slots")))?;
        v.resize(n, fill);
    }
    Ok(())
}

/// The next stamp of a counter (all slots are older); `clear` resets the slots when
/// the counter wraps.
#[inline(always)]
fn next_stamp(stamp: &mut u32, clear: impl FnOnce()) -> u32 {
    if *stamp == u32::MAX {
        clear();
        *stamp = 0;
    }
    *stamp += 1;
    *stamp
}

/// A column's lookup in the current row: seen before, at this place in the row's
/// output; new (its slot now holds the place it was given); or not a column of `B`.
enum Found {
    Old(usize),
    New,
    Bad,
}

/// Where the current row keeps its columns. One kind serves a whole block of rows, so
/// the inner loops are compiled for each.
trait Accumulator {
    /// Whether [`Accumulator::start_row`] needs the row's product count.
    const SIZED: bool;
    /// Starts a row of `products` products (an upper bound on its columns).
    fn start_row(&mut self, products: usize) -> Result<(), TaskError>;
    /// Looks up column `j`; a new one gets `place`.
    fn find(&mut self, j: i64, place: usize) -> Found;
}

/// One slot per column of `B`.
struct Dense<'s> {
    slots: &'s mut Vec<u64>,
    stamp: &'s mut u32,
    current: u32,
    ncols: u64,
}

impl Accumulator for Dense<'_> {
    const SIZED: bool = false;

    #[inline(always)]
    fn start_row(&mut self, _: usize) -> Result<(), TaskError> {
        let slots = &mut *self.slots;
        self.current = next_stamp(self.stamp, || slots.fill(0));
        Ok(())
    }

    #[inline(always)]
    fn find(&mut self, j: i64, place: usize) -> Found {
        // A negative index wraps to a huge one and fails the same check.
        if j as u64 >= self.ncols {
            return Found::Bad;
        }
        let s = &mut self.slots[j as usize];
        if (*s >> 32) as u32 == self.current {
            Found::Old(*s as u32 as usize)
        } else {
            *s = slot(self.current, place);
            Found::New
        }
    }
}

/// A hash table of the row's columns, at most half full, probed linearly.
struct Hash<'s> {
    keys: &'s mut Vec<i64>,
    meta: &'s mut Vec<u64>,
    stamp: &'s mut u32,
    current: u32,
    mask: usize,
    ncols: u64,
}

impl Accumulator for Hash<'_> {
    const SIZED: bool = true;

    #[inline(always)]
    fn start_row(&mut self, products: usize) -> Result<(), TaskError> {
        // A row has at most ncols columns, whatever its products.
        let size = (2 * products.min(self.ncols as usize)).next_power_of_two().max(16);
        if self.meta.len() < size {
            // New slots must read as older than any stamp: 0 is, as stamps start at 1.
            grow(self.meta, size, 0, "a hash table")?;
            grow(self.keys, size, 0, "a hash table")?;
        }
        let meta = &mut *self.meta;
        self.current = next_stamp(self.stamp, || meta.fill(0));
        self.mask = size - 1;
        Ok(())
    }

    #[inline(always)]
    fn find(&mut self, j: i64, place: usize) -> Found {
        if j as u64 >= self.ncols {
            return Found::Bad;
        }
        let mut h = ((j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & self.mask;
        loop {
            let m = self.meta[h];
            if (m >> 32) as u32 != self.current {
                self.meta[h] = slot(self.current, place);
                self.keys[h] = j;
                return Found::New;
            }
            if self.keys[h] == j {
                return Found::Old(m as u32 as usize);
            }
            h = (h + 1) & self.mask;
        }
    }
}

impl Scratch {
    /// Gives large arrays back rather than keep them for the thread's lifetime.
    fn trim(&mut self) {
        if (self.dense.len() + self.keys.len() + self.meta.len()) * 8 > KEEP_BYTES {
            *self = Scratch { dense: Vec::new(), dense_stamp: 0, keys: Vec::new(), meta: Vec::new(), hash_stamp: 0 };
        }
    }
}

/// How far apart the columns of the rows of `a @ b` lie: the median, over up to 64 rows
/// sampled across the block, of the span between the first and the last columns of
/// the rows of `B` a row meets (its whole span when `B`'s indices are sorted). Small
/// for a banded matrix, whose consecutive rows slide along the same few columns (and
/// rows of `B`), all in cache. A hint only: every choice it steers gives the same
/// result.
fn median_span<V: Value>(a: &CsrRows<'_, V>, b: &CsrRows<'_, V>) -> u64 {
    let mut spans = Vec::with_capacity(64);
    for r in (0..a.rows()).step_by((a.rows() / 64).max(1)) {
        // Bad rows and indices are left to the passes, which report them.
        let Ok((lo, hi)) = a.bounds(r) else { continue };
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for &k in &a.crd[lo..hi] {
            let bk = k.wrapping_sub(b.row0) as u64;
            match (bk < b.rows() as u64).then(|| b.bounds(bk as usize)) {
                Some(Ok((bs, be))) if be > bs => {
                    first = first.min(b.crd[bs]);
                    last = last.max(b.crd[be - 1]);
                }
                _ => {}
            }
        }
        if last >= first {
            spans.push(last.wrapping_sub(first) as u64);
        }
    }
    spans.sort_unstable();
    spans.get(spans.len() / 2).copied().unwrap_or(0)
}

/// Runs a pass over rows of `a @ b` with this thread's accumulator of the kind that
/// suits them (by their [`median_span`]): the dense slots when the slots they touch
/// stay in cache (`B` is narrow, or the rows' columns lie close together), else the
/// hash table; `$far` tells the pass whether to prefetch the rows of `B` ahead (not for
/// banded rows, whose rows of `B` are in cache already).
macro_rules! with_accumulator {
    ($a:expr, $b:expr, $ncols:expr, |$acc:ident, $far:ident| $body:expr) => {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let ncols = $ncols;
            let span = median_span($a, $b);
            let $far = span > BANDED_MAX_SPAN;
            let r = if ncols <= DENSE_MAX_COLS || span <= DENSE_MAX_COLS as u64 {
                let s = &mut *s;
                grow(&mut s.dense, ncols, 0, "an accumulator")?;
                let mut $acc = Dense { slots: &mut s.dense, stamp: &mut s.dense_stamp, current: 0, ncols: ncols as u64 };
                $body
            } else {
                let s = &mut *s;
                let mut $acc = Hash { keys: &mut s.keys, meta: &mut s.meta, stamp: &mut s.hash_stamp, current: 0, mask: 0, ncols: ncols as u64 };
                $body
            };
            s.trim();
            r
        })
    };
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

/// Asks the cache for what `p` points at (a hint; no-op off x86-64).
#[inline(always)]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing architecturally; `p` is a valid reference anyway.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const T as *const i8, std::arch::x86_64::_MM_HINT_T0)
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Prefetches what the passes will read for `A`'s entries ahead of entry `e` (a local
/// index into `a.crd`, rows running on into the next): the range of the row of `B` that
/// entry `e + 8` names, and the first indices and values of the row entry `e + 4`
/// names (its range fetched four entries ago). The rows of `B` a row of `A` meets lie
/// anywhere in `B` unless `A` is banded, and each one's range, then its indices, missed
/// the cache in turn: this is most of what the passes wait for otherwise.
#[inline(always)]
fn prefetch_ahead<V: Value>(a: &CsrRows<'_, V>, b: &CsrRows<'_, V>, e: usize) {
    if let Some(&k) = a.crd.get(e + 8) {
        if let Some(range) = b.pos.get(k.wrapping_sub(b.row0) as usize) {
            prefetch(range);
        }
    }
    if let Some(&k) = a.crd.get(e + 4) {
        if let Some(&[lo, _]) = b.pos.get(k.wrapping_sub(b.row0) as usize) {
            let first = lo.wrapping_sub(b.base) as usize;
            if let Some(j) = b.crd.get(first) {
                prefetch(j);
            }
            if let Some(v) = b.vals.get(first) {
                prefetch(v);
            }
        }
    }
}

/// The number of products in row `r` (entries `lo..hi` of `a`) of `a @ b`, an upper
/// bound on its columns, when the accumulator `A` needs it (else 0).
#[inline(always)]
fn products<V: Value, A: Accumulator>(a: &CsrRows<'_, V>, b: &CsrRows<'_, V>, r: usize, lo: usize, hi: usize) -> Result<usize, TaskError> {
    if !A::SIZED {
        return Ok(0);
    }
    let mut n = 0;
    for &k in &a.crd[lo..hi] {
        let (bs, be) = b_row(b, k, a.row0 + r as i64)?;
        n += be - bs;
    }
    Ok(n)
}

/// The symbolic pass over some rows: the distinct columns of each row of `a @ b`.
fn count_rows<V: Value>(a: &CsrRows<'_, V>, b: &CsrRows<'_, V>, ncols: usize, counts: &mut [i64]) -> Result<(), TaskError> {
    with_accumulator!(a, b, ncols, |acc, far| count_with(&mut acc, far, a, b, counts))
}

fn count_with<V: Value, A: Accumulator>(acc: &mut A, far: bool, a: &CsrRows<'_, V>, b: &CsrRows<'_, V>, counts: &mut [i64]) -> Result<(), TaskError> {
    for (r, count) in counts.iter_mut().enumerate() {
        let (lo, hi) = a.bounds(r)?;
        acc.start_row(products::<V, A>(a, b, r, lo, hi)?)?;
        let mut n = 0usize;
        for (e, &k) in (lo..).zip(&a.crd[lo..hi]) {
            if far {
                prefetch_ahead(a, b, e);
            }
            let (bs, be) = b_row(b, k, a.row0 + r as i64)?;
            for &j in &b.crd[bs..be] {
                match acc.find(j, 0) {
                    Found::New => n += 1,
                    Found::Old(_) => {}
                    Found::Bad => return Err(bad_column("csr_spgemm", k, "B's columns")),
                }
            }
        }
        *count = n as i64;
    }
    Ok(())
}

/// The numeric pass over some rows: writes each row of `a @ b` (duplicates summed, in
/// SciPy's order) into `crd`/`vals`, which start at row 0's first entry
/// (`c_pos[0][0]`); returns how many entries are zeros.
fn product_rows<V: Value>(
    a: &CsrRows<'_, V>,
    b: &CsrRows<'_, V>,
    ncols: usize,
    c_pos: &[[i64; 2]],
    crd: &mut [i64],
    vals: &mut [V],
) -> Result<i64, TaskError> {
    with_accumulator!(a, b, ncols, |acc, far| product_with(&mut acc, far, a, b, c_pos, crd, vals))
}

fn product_with<V: Value, A: Accumulator>(
    acc: &mut A,
    far: bool,
    a: &CsrRows<'_, V>,
    b: &CsrRows<'_, V>,
    c_pos: &[[i64; 2]],
    crd: &mut [i64],
    vals: &mut [V],
) -> Result<i64, TaskError> {
    let base = c_pos.first().map_or(0, |p| p[0]);
    let mut zeros = 0i64;
    for (r, &[clo, chi]) in c_pos.iter().enumerate() {
        let (start, end) = ((clo - base) as usize, (chi - base) as usize);
        if clo < base || chi < clo || end > crd.len() {
            return Err(TaskError::new(format!("csr_spgemm: row {} of C lies outside its tile", a.row0 + r as i64)));
        }
        let (lo, hi) = a.bounds(r)?;
        acc.start_row(products::<V, A>(a, b, r, lo, hi)?)?;
        let (row_crd, row_vals) = (&mut crd[start..end], &mut vals[start..end]);
        let len = row_crd.len();
        // The row is filled from its end: the first new column goes last.
        let mut n = 0usize;
        for (e, (&k, &av)) in (lo..).zip(a.crd[lo..hi].iter().zip(&a.vals[lo..hi])) {
            if far {
                prefetch_ahead(a, b, e);
            }
            let (bs, be) = b_row(b, k, a.row0 + r as i64)?;
            for (&j, &bv) in b.crd[bs..be].iter().zip(&b.vals[bs..be]) {
                let place = len.wrapping_sub(n + 1);
                match acc.find(j, place) {
                    Found::Old(p) => row_vals[p] += av * bv,
                    // More columns than the symbolic pass counted: B changed between
                    // the passes (it cannot, as they are ordered) or a bug.
                    Found::New if place >= len => return Err(TaskError::new("csr_spgemm: a row has more entries than counted")),
                    Found::New => {
                        row_crd[place] = j;
                        row_vals[place] = av * bv;
                        n += 1;
                    }
                    Found::Bad => return Err(bad_column("csr_spgemm", k, "B's columns")),
                }
            }
        }
        if n != len {
            return Err(TaskError::new("csr_spgemm: a row has fewer entries than counted"));
        }
        zeros += row_vals.iter().filter(|&&v| v == V::ZERO).count() as i64;
    }
    Ok(zeros)
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
        CsrRows { row0: self.a_pos.base, pos: &self.a_pos.data[..], crd: &self.a_crd.data, vals, base: self.a_crd.base }
    }

    fn b(&self) -> CsrRows<'_, V> {
        let vals = self.b_vals.as_ref().map_or(&[][..], |v| &v.data);
        CsrRows { row0: self.b_pos.base, pos: &self.b_pos.data[..], crd: &self.b_crd.data, vals, base: self.b_crd.base }
    }
}

/// Rows `first..first + len` of `a`.
fn sub_rows<'a, V: Value>(a: &CsrRows<'a, V>, first: usize, len: usize) -> CsrRows<'a, V> {
    a.sub(first, len)
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

impl Task for DropZeros {
    const TASK_ID: u32 = 7;
    const NAME: &'static str = "drop_zeros";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = code_of(ctx, 2)?;
        dispatch_value!(code, "drop_zeros", drop_zeros(ctx))
    }
}
