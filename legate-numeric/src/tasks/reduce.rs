//! Reductions: `sum`, `prod`, `max`, `min` of a whole array (into a future) or along
//! axes (into an array). `all`/`any` are `prod`/`sum` of booleans; `mean`, `var` and
//! friends are composed from these by the caller.
//!
//! A whole-array reduction folds each point's tile into its private reduction buffer
//! (the runtime combines those in launch order). An axis reduction writes its output
//! through a view of the output promoted to the input's shape, whose reduced axes are
//! not split: each output element is owned by one point and folded sequentially.

use super::loops::{for_each_run, map2, Operand};
use crate::ops::ReduceOp;
use legate_core::abi::for_each_row;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;

pub trait Reducible: Element {
    fn identity(op: ReduceOp) -> Self;
    fn combine(op: ReduceOp, a: Self, b: Self) -> Self;
    /// [`NAN`] and [`INF`] bits for a NaN or an infinite value (part).
    fn nonfinite(self) -> u32 {
        0
    }
    /// Folds a strided row into `acc` (overridden for accurate float sums).
    ///
    /// # Safety
    /// `p` must be valid for `n` elements at stride `s` (in elements).
    #[inline(always)]
    unsafe fn fold_row(op: ReduceOp, acc: Self, p: *const Self, n: usize, s: isize) -> Self {
        let mut acc = acc;
        for i in 0..n {
            acc = Self::combine(op, acc, *p.offset(i as isize * s));
        }
        acc
    }
}

macro_rules! int_reducible {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            fn identity(op: ReduceOp) -> Self {
                match op {
                    ReduceOp::Sum | ReduceOp::Any => 0,
                    ReduceOp::Prod | ReduceOp::All => 1,
                    ReduceOp::Max => <$t>::MIN,
                    ReduceOp::Min => <$t>::MAX,
                }
            }
            #[inline(always)]
            fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
                match op {
                    ReduceOp::Sum | ReduceOp::Any => a.wrapping_add(b),
                    ReduceOp::Prod | ReduceOp::All => a.wrapping_mul(b),
                    ReduceOp::Max => a.max(b),
                    ReduceOp::Min => a.min(b),
                }
            }
        }
    )*};
}
int_reducible!(i8, i16, i32, i64, u8, u16, u32, u64);

/// Leaves of the pairwise summation: blocks of at most this many elements (NumPy's
/// `PW_BLOCKSIZE`).
const PW_BLOCK: usize = 128;

/// NumPy's pairwise summation (`pairwise_sum` in its `loops_utils.h`): up to 128
/// elements are summed in eight independent accumulators (vectorized), longer rows are
/// halved (at a multiple of eight) and the halves summed recursively. The rounding
/// error grows like O(log n) instead of O(n), at the speed of a plain loop.
///
/// # Safety
/// `p` must be valid for `n` elements at stride `s` (in elements).
#[inline]
unsafe fn pairwise_sum<T: num_traits::Float>(p: *const T, n: usize, s: isize) -> T {
    let at = |i: usize| *p.offset(i as isize * s);
    if n < 8 {
        let mut res = T::zero();
        for i in 0..n {
            res = res + at(i);
        }
        res
    } else if n <= PW_BLOCK {
        let mut r = [T::zero(); 8];
        for (l, x) in r.iter_mut().enumerate() {
            *x = at(l);
        }
        let mut i = 8;
        while i < n - n % 8 {
            for (l, x) in r.iter_mut().enumerate() {
                *x = *x + at(i + l);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res = res + at(i);
            i += 1;
        }
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_sum(p, half, s) + pairwise_sum(p.offset(half as isize * s), n - half, s)
    }
}

/// The same for complex numbers (NumPy's complex `pairwise_sum`: four complex
/// accumulators per block), returning the real and imaginary sums.
///
/// # Safety
/// `p` must be valid for `n` complex elements at stride `s` (in complex elements).
#[inline]
unsafe fn pairwise_sum_complex<T: num_traits::Float>(p: *const Complex<T>, n: usize, s: isize) -> (T, T) {
    let at = |i: usize| *p.offset(i as isize * s);
    if n < 4 {
        let (mut re, mut im) = (T::zero(), T::zero());
        for i in 0..n {
            let z = at(i);
            re = re + z.re;
            im = im + z.im;
        }
        (re, im)
    } else if n <= PW_BLOCK / 2 {
        let mut r = [Complex::new(T::zero(), T::zero()); 4];
        for (l, x) in r.iter_mut().enumerate() {
            *x = at(l);
        }
        let mut i = 4;
        while i < n - n % 4 {
            for (l, x) in r.iter_mut().enumerate() {
                let z = at(i + l);
                x.re = x.re + z.re;
                x.im = x.im + z.im;
            }
            i += 4;
        }
        let mut re = (r[0].re + r[1].re) + (r[2].re + r[3].re);
        let mut im = (r[0].im + r[1].im) + (r[2].im + r[3].im);
        while i < n {
            let z = at(i);
            re = re + z.re;
            im = im + z.im;
            i += 1;
        }
        (re, im)
    } else {
        let half = n / 2;
        let half = half - half % 4;
        let (a, b) = pairwise_sum_complex(p, half, s);
        let (c, d) = pairwise_sum_complex(p.offset(half as isize * s), n - half, s);
        (a + c, b + d)
    }
}

macro_rules! float_reducible {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            fn identity(op: ReduceOp) -> Self {
                match op {
                    ReduceOp::Sum | ReduceOp::Any => 0.0,
                    ReduceOp::Prod | ReduceOp::All => 1.0,
                    ReduceOp::Max => <$t>::NEG_INFINITY,
                    ReduceOp::Min => <$t>::INFINITY,
                }
            }
            #[inline(always)]
            fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
                match op {
                    ReduceOp::Sum | ReduceOp::Any => a + b,
                    ReduceOp::Prod | ReduceOp::All => a * b,
                    // NaN propagates, as in NumPy.
                    ReduceOp::Max => if a.is_nan() || b.is_nan() { <$t>::NAN } else { a.max(b) },
                    ReduceOp::Min => if a.is_nan() || b.is_nan() { <$t>::NAN } else { a.min(b) },
                }
            }
            fn nonfinite(self) -> u32 {
                float_nonfinite(self)
            }
            /// Sums rows by NumPy's pairwise summation (see [`pairwise_sum`]).
            #[inline(always)]
            unsafe fn fold_row(op: ReduceOp, acc: Self, p: *const Self, n: usize, s: isize) -> Self {
                if matches!(op, ReduceOp::Max | ReduceOp::Min) && s == 1 {
                    // Branch-free lanes (vectorized); NaNs are noted and win at the end.
                    let mut lanes = [acc; 8];
                    let mut nan = acc.is_nan();
                    let mut j = 0;
                    while j + 8 <= n {
                        for l in 0..8 {
                            let v = *p.add(j + l);
                            nan |= v != v;
                            lanes[l] = if op == ReduceOp::Max { if v > lanes[l] { v } else { lanes[l] } } else if v < lanes[l] { v } else { lanes[l] };
                        }
                        j += 8;
                    }
                    let mut r = lanes.iter().fold(acc, |a, &b| Self::combine(op, a, b));
                    while j < n {
                        let v = *p.add(j);
                        nan |= v != v;
                        r = Self::combine(op, r, v);
                        j += 1;
                    }
                    return if nan { <$t>::NAN } else { r };
                }
                if op != ReduceOp::Sum {
                    let mut acc = acc;
                    for i in 0..n {
                        acc = Self::combine(op, acc, *p.offset(i as isize * s));
                    }
                    return acc;
                }
                acc + pairwise_sum(p, n, s)
            }
        }
    )*};
}
float_reducible!(f32, f64);

/// Bits of [`Reducible::nonfinite`].
pub const NAN: u32 = 1;
pub const INF: u32 = 2;

fn float_nonfinite<T: num_traits::Float>(x: T) -> u32 {
    if x.is_nan() { NAN } else if x.is_infinite() { INF } else { 0 }
}

impl Reducible for bool {
    fn identity(op: ReduceOp) -> Self {
        matches!(op, ReduceOp::Prod | ReduceOp::All | ReduceOp::Min)
    }
    fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
        match op {
            ReduceOp::Sum | ReduceOp::Any | ReduceOp::Max => a | b,
            ReduceOp::Prod | ReduceOp::All | ReduceOp::Min => a & b,
        }
    }
}

impl<T: num_traits::Float + Element> Reducible for Complex<T>
where
    Complex<T>: Element,
{
    fn identity(op: ReduceOp) -> Self {
        match op {
            ReduceOp::Prod | ReduceOp::All => Complex::new(T::one(), T::zero()),
            ReduceOp::Max => Complex::new(T::neg_infinity(), T::neg_infinity()),
            ReduceOp::Min => Complex::new(T::infinity(), T::infinity()),
            _ => Complex::new(T::zero(), T::zero()),
        }
    }
    fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
        let nan = |z: Self| z.re.is_nan() || z.im.is_nan();
        let greater = |x: Self, y: Self| x.re > y.re || x.re == y.re && x.im > y.im;
        match op {
            ReduceOp::Prod | ReduceOp::All => a * b,
            // The first NaN wins, then lexicographic order (NumPy's).
            ReduceOp::Max | ReduceOp::Min if nan(a) => a,
            ReduceOp::Max | ReduceOp::Min if nan(b) => b,
            ReduceOp::Max => if greater(b, a) { b } else { a },
            ReduceOp::Min => if greater(a, b) { b } else { a },
            _ => a + b,
        }
    }

    fn nonfinite(self) -> u32 {
        float_nonfinite(self.re) | float_nonfinite(self.im)
    }

    /// Sums by NumPy's pairwise summation (see [`pairwise_sum_complex`]).
    #[inline(always)]
    unsafe fn fold_row(op: ReduceOp, acc: Self, p: *const Self, n: usize, s: isize) -> Self {
        if op == ReduceOp::Sum {
            let (re, im) = pairwise_sum_complex(p, n, s);
            return Complex::new(acc.re + re, acc.im + im);
        }
        let mut acc = acc;
        for i in 0..n {
            acc = Self::combine(op, acc, *p.offset(i as isize * s));
        }
        acc
    }
}

fn whole<T: Reducible>(op: ReduceOp, input: &PhysicalStore, red: &mut PhysicalStore, seen: Option<PhysicalStore>) -> Result<(), TaskError> {
    let mut acc = T::identity(op);
    let s0 = input.type_code();
    if s0 != Some(T::CODE) {
        return Err(TaskError::new("reduction input and output types differ"));
    }
    for_each_run(&[input], |ptrs, n, strides| {
        // SAFETY: a row of this point's input tile.
        acc = unsafe { T::fold_row(op, acc, ptrs[0] as *const T, n, (strides[0] / T::SIZE as i64) as isize) };
    });
    let mut v = red.view_mut::<T>()?;
    for x in v.iter_mut() {
        *x = T::combine(op, *x, acc);
    }
    if let Some(mut seen) = seen {
        // What this point's partial result holds, for the check of the combination.
        for x in seen.view_mut::<u32>()?.iter_mut() {
            *x |= acc.nonfinite();
        }
    }
    Ok(())
}

/// The floating-point errors of combining the points' partial results (the runtime
/// combines them, unwatched): a NaN result where no partial was NaN came from `inf -
/// inf` or `inf * 0` (invalid); an infinite one where no partial was, from an overflow.
fn check_combination<T: Reducible>(result: &PhysicalStore, seen: &PhysicalStore) -> Result<(), TaskError> {
    let r = result.view::<T>()?.iter().next().copied().ok_or_else(|| TaskError::new("reduce: an empty result"))?;
    let partials = seen.view::<u32>()?.iter().fold(0, |a, &b| a | b);
    let mut flags = 0;
    match r.nonfinite() {
        NAN if partials & NAN == 0 => flags |= crate::fperr::INVALID | if partials & INF == 0 { crate::fperr::OVERFLOW } else { 0 },
        INF if partials & (NAN | INF) == 0 => flags |= crate::fperr::OVERFLOW,
        _ => {}
    }
    crate::fperr::record("reduce", flags);
    Ok(())
}

/// The sum of products of `a` and `b` (same shape) into `red` (`dot` of vectors; for
/// booleans, any of the ands).
fn dot_whole<T: Reducible>(a: &PhysicalStore, b: &PhysicalStore, red: &mut PhysicalStore) -> Result<(), TaskError> {
    if a.type_code() != Some(T::CODE) || b.type_code() != Some(T::CODE) {
        return Err(TaskError::new("dot: the operands and the result must have one dtype"));
    }
    let acc = dot_sum::<T>(a, b);
    let mut v = red.view_mut::<T>()?;
    for x in v.iter_mut() {
        *x = T::combine(ReduceOp::Sum, *x, acc);
    }
    Ok(())
}

/// The sum of products of same-shaped `a` and `b` of type `T` (also the fused task's
/// `dot` of one block).
pub(crate) fn dot_sum<T: Reducible>(a: &PhysicalStore, b: &PhysicalStore) -> T {
    let (sum, prod) = (ReduceOp::Sum, ReduceOp::Prod);
    let mut acc = T::identity(sum);
    for_each_run(&[a, b], |ptrs, n, strides| {
        let (pa, sa) = (ptrs[0] as *const T, (strides[0] / T::SIZE as i64) as isize);
        let (pb, sb) = (ptrs[1] as *const T, (strides[1] / T::SIZE as i64) as isize);
        // SAFETY: contiguous rows of `n` elements of this point's tiles.
        if let (1, 1, Some(v)) = (sa, sb, unsafe { super::gemv::dot(pa, pb, n) }) {
            acc = T::combine(sum, acc, v);
            return;
        }
        // Eight independent partial sums: vectorized, and more accurate than one.
        let mut lanes = [T::identity(sum); 8];
        let full = n / 8 * 8;
        // SAFETY: rows of this point's tiles of `a` and `b`.
        unsafe {
            for j in (0..full as isize).step_by(8) {
                for (l, lane) in lanes.iter_mut().enumerate() {
                    let k = j + l as isize;
                    *lane = T::combine(sum, *lane, T::combine(prod, *pa.offset(k * sa), *pb.offset(k * sb)));
                }
            }
            for k in full as isize..n as isize {
                lanes[0] = T::combine(sum, lanes[0], T::combine(prod, *pa.offset(k * sa), *pb.offset(k * sb)));
            }
        }
        let pairs = [T::combine(sum, lanes[0], lanes[1]), T::combine(sum, lanes[2], lanes[3]), T::combine(sum, lanes[4], lanes[5]), T::combine(sum, lanes[6], lanes[7])];
        acc = T::combine(sum, acc, T::combine(sum, T::combine(sum, pairs[0], pairs[1]), T::combine(sum, pairs[2], pairs[3])));
    });
    acc
}

fn along_axes<T: Reducible>(op: ReduceOp, input: PhysicalStore, out: &PhysicalStore) -> Result<(), TaskError> {
    // Start from the identity, then fold every input element into its output element
    // (the output view repeats each element along the reduced axes).
    map2(out, &Operand::Scalar(T::identity(op)), &Operand::Scalar(0u8), |x: T, _| x)?;
    if input.type_code() != Some(T::CODE) {
        return Err(TaskError::new("reduction input and output types differ"));
    }
    for_each_row(&[out, &input], |ptrs, n, strides| {
        let (o, so) = (ptrs[0] as *mut T, (strides[0] / T::SIZE as i64) as isize);
        let (x, sx) = (ptrs[1] as *const T, (strides[1] / T::SIZE as i64) as isize);
        // SAFETY: rows of this point's tiles; the output's piece is this point's own.
        unsafe {
            if so == 0 {
                // The row runs along a reduced axis: it all folds into one element
                // (pairwise for float sums, as NumPy sums a contiguous last axis).
                *o = T::fold_row(op, *o, x, n, sx);
            } else {
                for i in 0..n as isize {
                    *o.offset(i * so) = T::combine(op, *o.offset(i * so), *x.offset(i * sx));
                }
            }
        }
    });
    Ok(())
}

pub struct ReduceTask;

impl Task for ReduceTask {
    const TASK_ID: u32 = crate::REDUCE;
    const NAME: &'static str = "reduce";

    /// Scalars: op code (u32), mode (u32: 0 = whole array into reduction 0, 1 = along
    /// axes into output 0, a view of the output promoted to the input's shape, 2 = the
    /// sum of products of inputs 0 and 1 into reduction 0; the op is then ignored; 3 =
    /// the check of a mode-0 result, input 0, against its points' reduction 1, input 1).
    /// Mode 0 with a reduction 1 (u32, or): each point ors in `nonfinite` of its partial.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let op = ReduceOp::from_code(code).ok_or_else(|| TaskError::new(format!("unknown reduction {code}")))?;
        let mode = ctx.scalar::<u32>(1)?;
        let input = ctx.input(0)?;
        let ctx = &*ctx;
        let run = || crate::with_numeric_type!(input.type_code(), T => {
            if mode == 0 {
                let mut red = ctx.reduction(0)?;
                whole::<T>(op, &input, &mut red, ctx.reduction(1).ok())
            } else if mode == 3 {
                check_combination::<T>(&input, &ctx.input(1)?)
            } else if mode == 2 {
                let mut red = ctx.reduction(0)?;
                dot_whole::<T>(&input, &ctx.input(1)?, &mut red)
            } else {
                along_axes::<T>(op, input, &ctx.output(0)?)
            }
        }, Err(TaskError::new(format!("'{}' does not support this dtype", op.name()))));
        if mode == 3 {
            return run();
        }
        if arithmetic_on_floats(op, input.type_code()) {
            // NumPy's `overflow encountered in reduce` (a float32 sum past its range) and
            // `invalid value encountered in reduce` (inf + -inf).
            crate::fperr::watch("reduce", run)
        } else {
            run()
        }
    }
}

fn floating(ty: Option<legate_core::abi::TypeCode>) -> bool {
    use legate_core::abi::TypeCode::*;
    matches!(ty, Some(Float16 | Float32 | Float64 | Complex64 | Complex128))
}

/// Whether a reduction of this type can raise floating-point errors NumPy reports: sums
/// and products of floating-point values (max/min only compare).
pub(crate) fn arithmetic_on_floats(op: ReduceOp, ty: Option<legate_core::abi::TypeCode>) -> bool {
    matches!(op, ReduceOp::Sum | ReduceOp::Prod) && floating(ty)
}
