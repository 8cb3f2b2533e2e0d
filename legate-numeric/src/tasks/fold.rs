//! `ufunc.reduce`, `ufunc.accumulate` and `ufunc.reduceat` of any binary ufunc, in
//! NumPy's order: a sequential fold along one axis (`divide`, `power`, `arctan2`... are
//! not associative, so the axis is never split; the launch splits the other axes).
//!
//! Each step of the fold is one call of the elementwise kernel (`BinaryUfunc::apply`,
//! the very loops `divide` and friends run) over all the lines of a block at once:
//! `acc = op(acc, x[j])` for the reduction, `out[j] = op(out[j-1], x[j])` for the
//! accumulation. Blocks of lines keep the accumulators in cache from step to step.
//! A tile of few lines folds a line at a time instead (`fold_lines`).
//! float16 computes each step in float32 and rounds back, as NumPy's float16 loops do.

use super::binary::BinaryUfunc;
use std::ops::Sub;
use super::convert::convert_tiles;
use super::loops::Operand;
use super::select::select;
use crate::ops::BinaryOp;
use legate_core::abi::raw::{DimSpill, RawStore};
use legate_core::abi::{for_each_row, TypeCode, MAX_DIM};
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};

/// About this many elements per step of a block (the accumulators of its lines).
const BLOCK: usize = 1024;

/// Below this many lines in a tile, the fold runs a line at a time.
const FEW_LINES: usize = 64;

/// NumPy's names of the methods, as its floating-point messages say them.
pub const KINDS: [&str; 3] = ["reduce", "accumulate", "reduceat"];

/// The lines `[c0, c1)` of the tile's outermost line axis, at index `j` of `axis`: a
/// view with one dimension less (the tile's own strides); `spill` keeps the
/// coordinates of views of many dimensions.
#[allow(clippy::too_many_arguments)]
fn piece<'a>(t: &PhysicalStore, axis: usize, j: usize, outer: Option<usize>, c0: usize, c1: usize, spill: &'a DimSpill) -> PhysicalStore<'a> {
    let (lo, hi, strides) = (t.lo(), t.hi(), t.strides());
    let mut data = t.ptr().wrapping_offset((j as i64 * strides[axis]) as isize);
    let (mut ext, mut st) = ([0i64; MAX_DIM], [0i64; MAX_DIM]);
    let mut k = 0;
    for d in (0..t.ndim()).filter(|&d| d != axis) {
        let (a, b) = if Some(d) == outer { (c0 as i64, c1 as i64) } else { (0, hi[d] - lo[d]) };
        data = data.wrapping_offset((a * strides[d]) as isize);
        ext[k] = b - a;
        st[k] = strides[d];
        k += 1;
    }
    let mut view = RawStore::new(data, t.raw().type_code, t.raw().elem_size);
    view.set_dims(&[0; MAX_DIM][..k], &ext[..k], &st[..k], spill);
    // SAFETY: a sub-rectangle of a tile this point owns, used while the tile is.
    unsafe { PhysicalStore::from_raw(view) }
}

/// A contiguous scratch view of `extents` elements of `ty` over `buf`.
fn scratch<'a>(buf: &mut [u128], ty: TypeCode, size: usize, extents: &[i64], spill: &'a DimSpill) -> PhysicalStore<'a> {
    let n = extents.len();
    let mut strides = [0i64; MAX_DIM];
    let mut stride = size as i64;
    for d in (0..n).rev() {
        strides[d] = stride;
        stride *= extents[d];
    }
    let mut raw = RawStore::new(buf.as_mut_ptr() as *mut u8, ty as u32, size as u64);
    raw.set_dims(&[0; MAX_DIM][..n], extents, &strides[..n], spill);
    // SAFETY: `buf` holds at least the block's elements and outlives the view's use.
    unsafe { PhysicalStore::from_raw(raw) }
}

/// One step on a block: `dst = op(prev, x)` where the mask (if any) is set, `prev`
/// elsewhere. `tmp` are two scratch blocks of the computing type.
fn step<T: BinaryUfunc>(op: BinaryOp, dst: &PhysicalStore, prev: &PhysicalStore, x: &PhysicalStore, mask: Option<&PhysicalStore>, tmp: &[PhysicalStore; 2]) -> Result<(), TaskError> {
    match mask {
        None => T::apply(op, dst, &Operand::Tile(*prev), &Operand::Tile(*x)),
        Some(m) => {
            T::apply(op, &tmp[0], &Operand::Tile(*prev), &Operand::Tile(*x))?;
            select::<T>(dst, m, &Operand::Tile(tmp[0]), &Operand::Tile(*prev))
        }
    }
}

/// A float16 step: both operands widened to float32, the result rounded back.
fn step_f16(op: BinaryOp, dst: &PhysicalStore, prev: &PhysicalStore, x: &PhysicalStore, mask: Option<&PhysicalStore>, tmp: &[PhysicalStore; 2]) -> Result<(), TaskError> {
    convert_tiles(*prev, &tmp[0])?;
    convert_tiles(*x, &tmp[1])?;
    f32::apply(op, &tmp[1], &Operand::Tile(tmp[0]), &Operand::Tile(tmp[1]))?;
    if let Some(m) = mask {
        select::<f32>(&tmp[1], m, &Operand::Tile(tmp[1]), &Operand::Tile(tmp[0]))?;
    }
    convert_tiles(tmp[1], dst)
}

/// A 1-d view of `len` elements of `ty` at `data`, `stride` bytes apart.
fn line<'a>(data: *mut u8, ty: TypeCode, size: usize, len: usize, stride: isize) -> PhysicalStore<'a> {
    let mut raw = RawStore::new(data, ty as u32, size as u64);
    raw.ndim = 1;
    raw.hi[0] = len as i64;
    raw.strides[0] = stride as i64;
    // SAFETY: a line of a tile this point owns, or of this call's scratch.
    unsafe { PhysicalStore::from_raw(raw) }
}

/// The folds that NumPy's own reduce loops run with the accumulator in a register:
/// `subtract` and `true_divide` (the kernel path below stores and reloads it at every
/// step, which for a dependent chain of divisions is three times slower).
trait LineFold: Sized + Copy {
    /// `acc = op(acc, x[i])` over `n` elements at `x` (a byte stride), writing each
    /// partial result to `out` for an accumulation; None where `op` is not one of these.
    ///
    /// # Safety
    /// `x` and `out` address `n` elements of `Self` each.
    unsafe fn line_fold(_op: BinaryOp, _acc: Self, _x: (*const u8, isize), _out: Option<(*mut u8, isize)>, _n: usize) -> Option<Self> {
        None
    }
}

#[inline(always)]
unsafe fn run_fold<T: Copy>(f: impl Fn(T, T) -> T, mut acc: T, (px, sx): (*const u8, isize), out: Option<(*mut u8, isize)>, n: usize) -> T {
    let x = |i: usize| std::ptr::read_unaligned(px.offset(i as isize * sx) as *const T);
    match out {
        None => (0..n).for_each(|i| acc = f(acc, x(i))),
        Some((po, so)) => (0..n).for_each(|i| {
            acc = f(acc, x(i));
            std::ptr::write_unaligned(po.offset(i as isize * so) as *mut T, acc);
        }),
    }
    acc
}

macro_rules! line_fold {
    ($sub:ident, $div:tt; $($t:ty),*) => {$(
        impl LineFold for $t {
            unsafe fn line_fold(op: BinaryOp, acc: Self, x: (*const u8, isize), out: Option<(*mut u8, isize)>, n: usize) -> Option<Self> {
                match op {
                    BinaryOp::Subtract => Some(run_fold(|a: $t, b: $t| a.$sub(b), acc, x, out, n)),
                    BinaryOp::TrueDivide if $div => Some(run_fold(|a: $t, b: $t| a / b, acc, x, out, n)),
                    _ => None,
                }
            }
        }
    )*};
}
line_fold!(sub, true; f32, f64);
line_fold!(wrapping_sub, false; i8, i16, i32, i64, u8, u16, u32, u64);
impl LineFold for bool {}
impl LineFold for num_complex::Complex32 {}
impl LineFold for num_complex::Complex64 {}

/// The fold of few long lines, a line at a time: one call of the elementwise kernel
/// computes `acc[i + 1] = op(acc[i], x[i])` over a run of the line, its output the
/// accumulator shifted by one element. The kernel's loops read and write through raw
/// pointers in order, so each element sees the one just written: NumPy's sequential
/// fold. (No mask; not float16, which rounds each step.)
fn fold_lines<T: BinaryUfunc + LineFold>(op: BinaryOp, x: &PhysicalStore, init: Option<&PhysicalStore>, out: &PhysicalStore, axis: usize) -> Result<(), TaskError> {
    let size = T::SIZE as isize;
    let mut buf = vec![0u128; ((BLOCK + 1) * T::SIZE).div_ceil(16)];
    let scratch = buf.as_mut_ptr() as *mut u8;
    let tiles: Vec<&PhysicalStore> = [out, x].into_iter().chain(init).collect();
    let mut result = Ok(());
    super::scan::for_each_line(&tiles, axis, |ptrs, n, strides| {
        if result.is_err() || n == 0 {
            return;
        }
        let (o, so, px, sx) = (ptrs[0], strides[0], ptrs[1], strides[1]);
        // SAFETY: lines of this point's tiles and the scratch run (BLOCK + 1 elements).
        unsafe {
            if init.is_none() {
                let first = std::ptr::read_unaligned(px as *const T);
                if T::line_fold(op, first, (px.offset(sx), sx), Some((o.offset(so), so)), n - 1).is_some() {
                    std::ptr::write_unaligned(o as *mut T, first);
                    return;
                }
            } else if let Some(acc) = T::line_fold(op, std::ptr::read_unaligned(ptrs[2] as *const T), (px, sx), None, n) {
                std::ptr::write_unaligned(o as *mut T, acc);
                return;
            }
            if init.is_none() {
                // The accumulation: out[0] = x[0], then out[1..] from out[..n-1] and x[1..].
                std::ptr::copy_nonoverlapping(px, o, T::SIZE);
                if n > 1 {
                    let acc = line(o, T::CODE, T::SIZE, n - 1, so);
                    result = T::apply(op, &line(o.offset(so), T::CODE, T::SIZE, n - 1, so), &Operand::Tile(acc), &Operand::Tile(line(px.offset(sx), T::CODE, T::SIZE, n - 1, sx)));
                }
                return;
            }
            // The reduction: runs of the line through the scratch accumulator.
            std::ptr::copy_nonoverlapping(ptrs[2], scratch, T::SIZE);
            let mut j = 0;
            while j < n && result.is_ok() {
                let m = BLOCK.min(n - j);
                let acc = line(scratch, T::CODE, T::SIZE, m, size);
                let xs = line(px.offset(j as isize * sx), T::CODE, T::SIZE, m, sx);
                result = T::apply(op, &line(scratch.offset(size), T::CODE, T::SIZE, m, size), &Operand::Tile(acc), &Operand::Tile(xs));
                std::ptr::copy_nonoverlapping(scratch.offset(m as isize * size), scratch, T::SIZE);
                j += m;
            }
            std::ptr::copy_nonoverlapping(scratch, o, T::SIZE);
        }
    });
    result
}

type Step = fn(BinaryOp, &PhysicalStore, &PhysicalStore, &PhysicalStore, Option<&PhysicalStore>, &[PhysicalStore; 2]) -> Result<(), TaskError>;

/// The fold of `x` along `axis` into `out`: its accumulation (`init` None, `out` of
/// `x`'s shape), or its reduction from `init` (`init` and `out` views with stride 0
/// along `axis`). `work` is the computing type (float32 for float16).
#[allow(clippy::too_many_arguments)]
fn fold(op: BinaryOp, step: Step, work: (TypeCode, usize), x: &PhysicalStore, init: Option<&PhysicalStore>, mask: Option<&PhysicalStore>, out: &PhysicalStore, axis: usize) -> Result<(), TaskError> {
    let shape = x.shape();
    if shape.contains(&0) {
        return Ok(());
    }
    let n = shape[axis];
    let outer = (0..shape.len()).find(|&d| d != axis);
    let rest: usize = (0..shape.len()).filter(|&d| d != axis && Some(d) != outer).map(|d| shape[d]).product();
    let extent = outer.map_or(1, |d| shape[d]);
    let chunk = (BLOCK / rest.max(1)).clamp(1, extent);
    let words = (chunk * rest * work.1).div_ceil(16);
    let mut bufs = [vec![0u128; words], vec![0u128; words]];
    let spill = DimSpill::default();
    let mut c0 = 0;
    while c0 < extent {
        let c1 = (c0 + chunk).min(extent);
        let at = |t: &PhysicalStore, j: usize| piece(t, axis, j, outer, c0, c1, &spill);
        let first = at(x, 0);
        let extents: Vec<i64> = first.shape().iter().map(|&e| e as i64).collect();
        let [b0, b1] = &mut bufs;
        let tmp = [scratch(b0, work.0, work.1, &extents, &spill), scratch(b1, work.0, work.1, &extents, &spill)];
        let start = match init {
            Some(i) => {
                convert_tiles(at(i, 0), &at(out, 0))?;
                0
            }
            None => {
                convert_tiles(first, &at(out, 0))?;
                1
            }
        };
        for j in start..n {
            let (prev, dst) = match init {
                Some(_) => (at(out, 0), at(out, 0)),
                None => (at(out, j - 1), at(out, j)),
            };
            let m = mask.map(|m| at(m, j));
            step(op, &dst, &prev, &at(x, j), m.as_ref(), &tmp)?;
        }
        c0 = c1;
    }
    Ok(())
}

/// Whether an integer divisor of the fold is zero (NumPy warns that it divided by zero):
/// the elements from index `start` along `axis` where the mask is set.
fn divides_by_zero<T: Element + PartialEq + Default>(x: &PhysicalStore, mask: Option<&PhysicalStore>, axis: usize, start: usize) -> bool {
    let shape = x.shape();
    let mut zero = false;
    for j in start..shape[axis] {
        let spill = DimSpill::default();
        let xj = piece(x, axis, j, None, 0, 0, &spill);
        let mj = mask.map(|m| piece(m, axis, j, None, 0, 0, &spill));
        let tiles: Vec<&PhysicalStore> = std::iter::once(&xj).chain(mj.as_ref()).collect();
        for_each_row(&tiles, |ptrs, n, strides| {
            let (p, s) = (ptrs[0] as *const T, (strides[0] / T::SIZE as i64) as isize);
            for i in 0..n as isize {
                // SAFETY: rows of this point's tiles of the divisors and the mask.
                unsafe {
                    let on = ptrs.len() < 2 || *(ptrs[1] as *const bool).offset(i * strides[1] as isize);
                    zero |= on && *p.offset(i * s) == T::default();
                }
            }
        });
    }
    zero
}

pub struct FoldTask;

impl Task for FoldTask {
    const TASK_ID: u32 = crate::FOLD;
    const NAME: &'static str = "fold";

    /// Scalars: op code (u32), axis (u32), kind (u32: an index of `KINDS`), flags (u32:
    /// 1 = an `init` input follows `x` (a reduction), 2 = a mask input follows).
    /// Input 0: `x`; then `init` (a view with stride 0 along the axis), then the mask
    /// (bool, `x`'s shape). Output 0: the accumulation (`x`'s shape), or the reduction
    /// (a view with stride 0 along the axis).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let op = BinaryOp::from_code(code).ok_or_else(|| TaskError::new(format!("unknown binary op {code}")))?;
        let axis = ctx.scalar::<u32>(1)? as usize;
        let name = *KINDS.get(ctx.scalar::<u32>(2)? as usize).ok_or_else(|| TaskError::new("fold: unknown kind"))?;
        let flags = ctx.scalar::<u32>(3)?;
        let x = ctx.input(0)?;
        let init = if flags & 1 != 0 { Some(ctx.input(1)?) } else { None };
        let mask = if flags & 2 != 0 { Some(ctx.input(1 + (flags & 1) as usize)?) } else { None };
        let out = ctx.output(0)?;
        if axis >= x.ndim() {
            return Err(TaskError::new(format!("fold: axis {axis} is out of range")));
        }
        if out.type_code() != x.type_code() || init.is_some_and(|i| i.type_code() != x.type_code()) {
            return Err(TaskError::new("fold: the input, initial values and output must have one dtype"));
        }
        let ty = x.type_code();
        let run = || {
            if ty == Some(TypeCode::Float16) {
                return fold(op, step_f16, (TypeCode::Float32, 4), &x, init.as_ref(), mask.as_ref(), &out, axis);
            }
            // Few lines (a 1-d array, say): a line at a time, not a step at a time.
            let lines = x.volume() / x.shape()[axis].max(1);
            crate::with_numeric_type!(ty, T => {
                if mask.is_none() && lines < FEW_LINES {
                    fold_lines::<T>(op, &x, init.as_ref(), &out, axis)
                } else {
                    fold(op, step::<T>, (T::CODE, T::SIZE), &x, init.as_ref(), mask.as_ref(), &out, axis)
                }
            }, Err(TaskError::new(format!("ufunc '{}' does not support this dtype", op.name()))))
        };
        let floating = matches!(ty, Some(TypeCode::Float16 | TypeCode::Float32 | TypeCode::Float64 | TypeCode::Complex64 | TypeCode::Complex128));
        if floating {
            return if op.reports_fp_errors() { crate::fperr::watch(name, run) } else { run() };
        }
        run()?;
        if matches!(op, BinaryOp::FloorDivide | BinaryOp::Remainder | BinaryOp::Fmod) {
            let start = if init.is_some() { 0 } else { 1 };
            if crate::with_numeric_type!(ty, T => divides_by_zero::<T>(&x, mask.as_ref(), axis, start), false) {
                crate::fperr::record(name, crate::fperr::DIVIDE);
            }
        }
        Ok(())
    }
}
