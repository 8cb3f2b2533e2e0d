//! The task bodies, one file per family.
//!
//! Every kernel works on one point's tiles: a block of rows of the matrix (`pos`, the
//! `[lo, hi)` range of each row in `crd`/`vals`), the part of `crd`/`vals` those rows
//! name, and whatever operand tiles the launch gave it. Coordinates in tiles are global
//! (a tile starts at `lo()`), so kernels subtract the tile's first index before
//! indexing. Values are dispatched on the store's type code (`dispatch_value!`); column
//! indices are int32 or int64 ([`Index`], `dispatch_index_value!`) for the kernels that
//! stream them (SpMV, SpMM, `todense`), int64 for the others; `pos` is always int64.
//!
//! What a kernel may not trust: ranges and column indices come from user data, and an
//! image partition clips them to the store's extents. So every row range is checked
//! against its tile once per row (`CsrRows::bounds`) and every column index against
//! the operand's tile before it is used; a failed check is a task error, never an
//! out-of-bounds read.

mod coo_select;
mod coo_spmm;
mod coo_spmv;
mod lu;
mod patterns;
mod ranges;
mod spgemm;
mod spmm;
mod spmv;
mod spmv_transposed;
mod todense;

pub use coo_select::CooSelect;
pub use coo_spmm::CooSpmm;
pub use coo_spmv::CooSpmv;
pub use lu::{factors_held as lu_factors_held, LuFactor, LuFactors, LuRelease, LuSolve, LU_OK, LU_SINGULAR, LU_SOLVE_H, LU_SOLVE_N, LU_SOLVE_T};
pub use patterns::RowPatterns;
pub use ranges::{ColumnRanges, RowRanges};
pub use spgemm::{CsrSpgemm, CsrSpgemmSymbolic, DropZeros, ScanCounts};
pub use spmm::CsrSpmm;
pub use spmv::CsrSpmv;
pub use spmv_transposed::CsrSpmvTransposed;
pub use todense::CsrToDense;

use legate_abi::{Element, PhysicalStore, TaskContext, TaskError, TypeCode};
use ndarray::{ArrayView1, Axis, Ix1};
use num_complex::{Complex32, Complex64};
use std::borrow::Cow;
use std::ops::{Add, AddAssign, Mul};

/// The value types a matrix may hold (SciPy's float32/64 and complex64/128).
pub trait Value: Element + PartialEq + Add<Output = Self> + Mul<Output = Self> + AddAssign + std::fmt::Debug {
    const ZERO: Self;
    /// The complex conjugate (the value itself for reals).
    fn conj(self) -> Self;
}

impl Value for f32 {
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn conj(self) -> Self {
        self
    }
}
impl Value for f64 {
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn conj(self) -> Self {
        self
    }
}
impl Value for Complex32 {
    const ZERO: Self = Complex32::new(0.0, 0.0);
    #[inline(always)]
    fn conj(self) -> Self {
        Complex32::conj(&self)
    }
}
impl Value for Complex64 {
    const ZERO: Self = Complex64::new(0.0, 0.0);
    #[inline(always)]
    fn conj(self) -> Self {
        Complex64::conj(&self)
    }
}

/// The type codes of [`Value`] types.
pub const VALUE_CODES: [TypeCode; 4] = [TypeCode::Float32, TypeCode::Float64, TypeCode::Complex64, TypeCode::Complex128];

/// The column index types: SciPy keeps int32 when every index fits, int64 otherwise.
pub trait Index: Element + Send + Sync {
    fn to_i64(self) -> i64;
}

impl Index for i32 {
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
}

impl Index for i64 {
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self
    }
}

/// Calls `$f::<V>($args)` (or `$f::<I, V>($args)` for `$f::<I>(...)`) with `V` the
/// value type of `$code`, or returns an error naming the supported types.
macro_rules! dispatch_value {
    ($code:expr, $what:expr, $f:ident($($arg:expr),*)) => {
        match $code {
            Some(legate_abi::TypeCode::Float32) => $f::<f32>($($arg),*),
            Some(legate_abi::TypeCode::Float64) => $f::<f64>($($arg),*),
            Some(legate_abi::TypeCode::Complex64) => $f::<num_complex::Complex32>($($arg),*),
            Some(legate_abi::TypeCode::Complex128) => $f::<num_complex::Complex64>($($arg),*),
            other => Err(crate::tasks::unsupported_values($what, other)),
        }
    };
    ($code:expr, $what:expr, $f:ident::<$i:ident>($($arg:expr),*)) => {
        match $code {
            Some(legate_abi::TypeCode::Float32) => $f::<$i, f32>($($arg),*),
            Some(legate_abi::TypeCode::Float64) => $f::<$i, f64>($($arg),*),
            Some(legate_abi::TypeCode::Complex64) => $f::<$i, num_complex::Complex32>($($arg),*),
            Some(legate_abi::TypeCode::Complex128) => $f::<$i, num_complex::Complex64>($($arg),*),
            other => Err(crate::tasks::unsupported_values($what, other)),
        }
    };
}
pub(crate) use dispatch_value;

/// Calls `$f::<I>($args)` with `I` the index type of `$icode` (int32 or int64).
macro_rules! dispatch_index {
    ($icode:expr, $what:expr, $f:ident($($arg:expr),*)) => {
        match $icode {
            Some(legate_abi::TypeCode::Int32) => $f::<i32>($($arg),*),
            Some(legate_abi::TypeCode::Int64) => $f::<i64>($($arg),*),
            other => Err(crate::tasks::unsupported_indices($what, other)),
        }
    };
}
pub(crate) use dispatch_index;

/// Calls `$f::<I, V>($args)` with `I` the index type of `$icode` (int32 or int64) and
/// `V` the value type of `$vcode`.
macro_rules! dispatch_index_value {
    ($icode:expr, $vcode:expr, $what:expr, $f:ident($($arg:expr),*)) => {
        match $icode {
            Some(legate_abi::TypeCode::Int32) => crate::tasks::dispatch_value!($vcode, $what, $f::<i32>($($arg),*)),
            Some(legate_abi::TypeCode::Int64) => crate::tasks::dispatch_value!($vcode, $what, $f::<i64>($($arg),*)),
            other => Err(crate::tasks::unsupported_indices($what, other)),
        }
    };
}
pub(crate) use dispatch_index_value;

pub(crate) fn unsupported_indices(what: &str, code: Option<TypeCode>) -> TaskError {
    TaskError::new(format!("{what}: indices of type {code:?} are not supported (int32 or int64)"))
}

pub(crate) fn unsupported_values(what: &str, code: Option<TypeCode>) -> TaskError {
    TaskError::new(format!(
        "{what}: values of type {code:?} are not supported (float32, float64, complex64 or complex128)"
    ))
}

/// A 1-d tile as a contiguous slice plus the global index of its first element.
/// Borrowed when the tile is dense in memory (the usual case); copied otherwise
/// (strided or reversed views), so kernels can always index raw slices.
pub(crate) struct Tile1<'a, T: Clone> {
    pub data: Cow<'a, [T]>,
    pub base: i64,
}

impl<'a, T: Element> Tile1<'a, T> {
    pub fn of(store: &'a PhysicalStore<'_>, what: &str) -> Result<Tile1<'a, T>, TaskError> {
        let view = store.view::<T>().map_err(|e| TaskError::new(format!("{what}: {e}")))?;
        let view = view
            .into_dimensionality::<Ix1>()
            .map_err(|_| TaskError::new(format!("{what}: expected a 1-d store, got {}-d", store.ndim())))?;
        Ok(Tile1 { data: contiguous(view), base: store.lo()[0] })
    }

    /// Column 0 of a 2-d tile (a 1-d store promoted along dimension 1, whose columns
    /// are all the same), for launches that align it with a 2-d output.
    pub fn of_promoted(store: &'a PhysicalStore<'_>, what: &str) -> Result<Tile1<'a, T>, TaskError> {
        if store.ndim() != 2 || store.shape()[1] == 0 {
            return Err(TaskError::new(format!("{what}: expected a non-empty 2-d tile, got shape {:?}", store.shape())));
        }
        let view = store.view::<T>().map_err(|e| TaskError::new(format!("{what}: {e}")))?;
        let column = view.index_axis_move(Axis(1), 0);
        let column = column.into_dimensionality::<Ix1>().map_err(|e| TaskError::new(format!("{what}: {e}")))?;
        Ok(Tile1 { data: contiguous(column), base: store.lo()[0] })
    }
}

fn contiguous<T: Element>(view: ArrayView1<'_, T>) -> Cow<'_, [T]> {
    match view.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(view.iter().copied().collect()),
    }
}

/// Where a block of rows finds each row's `[lo, hi)` range in `crd`/`vals`: `pos`'s
/// pairs (16 bytes a row), or SciPy's `indptr` read in place ([`Offsets`]).
pub(crate) trait RangeSource: Copy + Send + Sync {
    fn len(&self) -> usize;
    /// Row `r`'s range (local row index).
    fn at(&self, r: usize) -> [i64; 2];
    /// Rows `[first, first + len)`.
    fn sub(&self, first: usize, len: usize) -> Self;
}

impl RangeSource for &[[i64; 2]] {
    #[inline(always)]
    fn len(&self) -> usize {
        <[[i64; 2]]>::len(self)
    }
    #[inline(always)]
    fn at(&self, r: usize) -> [i64; 2] {
        self[r]
    }
    fn sub(&self, first: usize, len: usize) -> Self {
        &self[first..first + len]
    }
}

/// A block of rows' ranges as two tiles of SciPy's `indptr`: `lo = indptr[i]` and
/// `hi = indptr[i + 1]` (two views of one buffer, so memory streams it once: 4 or 8
/// bytes a row instead of `pos`'s 16). Both tiles have one element per row.
#[derive(Clone, Copy)]
pub(crate) struct Offsets<'a, I> {
    pub lo: &'a [I],
    pub hi: &'a [I],
}

impl<I: Index> RangeSource for Offsets<'_, I> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.lo.len()
    }
    #[inline(always)]
    fn at(&self, r: usize) -> [i64; 2] {
        [self.lo[r].to_i64(), self.hi[r].to_i64()]
    }
    fn sub(&self, first: usize, len: usize) -> Self {
        Offsets { lo: &self.lo[first..first + len], hi: &self.hi[first..first + len] }
    }
}

/// Rows `[row0, row0 + pos.len())` of a CSR matrix as seen by one point: each row's
/// range in global coordinates, and the tiles of `crd` and `vals` it indexes.
pub(crate) struct CsrRows<'a, V: Value, I = i64, R = &'a [[i64; 2]]> {
    pub row0: i64,
    pub pos: R,
    pub crd: &'a [I],
    pub vals: &'a [V],
    /// Global index of `crd[0]` and `vals[0]` (their tiles are aligned images).
    pub base: i64,
}

impl<V: Value, I, R: RangeSource> CsrRows<'_, V, I, R> {
    /// Local bounds of row `r` (local index) in `crd`/`vals`; an empty row may lie
    /// anywhere (images leave it out), a non-empty one must lie inside the tiles.
    #[inline]
    pub fn bounds(&self, r: usize) -> Result<(usize, usize), TaskError> {
        let [lo, hi] = self.pos.at(r);
        let (s, e) = (lo.wrapping_sub(self.base), hi.wrapping_sub(self.base));
        // One compare covers the common case: a non-empty range inside the tiles.
        if s >= 0 && s < e && e as u64 <= self.crd.len() as u64 {
            return Ok((s as usize, e as usize));
        }
        if lo == hi {
            return Ok((0, 0));
        }
        Err(self.range_error(r))
    }

    /// Kept out of line so the per-row check stays small.
    #[cold]
    #[inline(never)]
    fn range_error(&self, r: usize) -> TaskError {
        let [lo, hi] = self.pos.at(r);
        let row = self.row0 + r as i64;
        if hi < lo {
            TaskError::new(format!("row {row}: its range [{lo}, {hi}) is reversed"))
        } else {
            TaskError::new(format!("row {row}: its entries [{lo}, {hi}) lie outside the index and value arrays"))
        }
    }

    pub fn rows(&self) -> usize {
        self.pos.len()
    }

    /// Rows `[first, first + len)` (local indices) of this block.
    pub fn sub(&self, first: usize, len: usize) -> Self {
        CsrRows { row0: self.row0 + first as i64, pos: self.pos.sub(first, len), crd: self.crd, vals: self.vals, base: self.base }
    }
}

/// Checks that `crd` and `vals` tiles cover the same elements (they are images of the
/// same ranges, so they should).
pub(crate) fn check_aligned<I: Element>(crd: &Tile1<'_, I>, vals_len: usize, vals_base: i64, what: &str) -> Result<(), TaskError> {
    if crd.data.len() != vals_len || (vals_len > 0 && crd.base != vals_base) {
        return Err(TaskError::new(format!(
            "{what}: the index and value tiles differ ({} elements at {} vs {vals_len} at {vals_base}); \
             indices and data must have the same length",
            crd.data.len(),
            crd.base
        )));
    }
    Ok(())
}

/// An error for a column index outside the operand (found by the branch-free checks).
pub(crate) fn bad_column(what: &str, row: i64, ncols_hint: &str) -> TaskError {
    TaskError::new(format!("{what}: row {row} has a column index outside {ncols_hint}"))
}

/// Splits `n` items into chunks of about `n / threads` (at least `min`) for OMP bodies.
pub(crate) fn chunk_len(n: usize, threads: usize, min: usize) -> usize {
    n.div_ceil(threads.max(1)).max(min).max(1)
}

/// Binds the unbound output `index` to `data` (a copy): the one-point tasks whose
/// result size only the task knows.
fn write_bound<T: Element>(ctx: &mut TaskContext, index: usize, data: &[T]) -> Result<(), TaskError> {
    let mut out = ctx.bind_output(index, &[data.len()])?;
    let mut view = out.view_mut::<T>()?;
    let slice = view.as_slice_mut().ok_or_else(|| TaskError::new("a bound output is not contiguous"))?;
    slice.copy_from_slice(data);
    Ok(())
}
