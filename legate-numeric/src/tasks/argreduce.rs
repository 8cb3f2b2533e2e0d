//! `argmax` / `argmin` with NumPy's rules: the first occurrence of the extreme value
//! wins, and for floats the first NaN wins (it is "larger" and "smaller" than all).
//!
//! Along an axis ([`ArgAxisTask`]) the launch does not split the axis, so each point
//! scans whole lines and writes one `int64` per line through a view of the output
//! promoted to the input's shape (as axis reductions do).
//!
//! Over the whole array [`ArgFindTask`] runs twice: first every point folds its tile's
//! maximum (minimum) into a future, NaN when any element is NaN; then every point
//! finds the smallest global flat index in its tile whose element equals that value
//! (or is NaN), folded with a `min` reduction. Both passes split the array any way the
//! solver likes and the answer does not depend on it.
//!
//! Contiguous lines are searched in two vectorizable passes (the extreme over eight
//! lanes, then its first position) rather than one branchy one.

use super::random::for_each_global_row;
use super::scan::for_each_line;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;

/// Orderable values with NumPy's `argmax`/`argmin` comparisons.
pub trait ArgValue: Element {
    fn isnan(self) -> bool;
    fn gt(self, other: Self) -> bool;
    fn lt(self, other: Self) -> bool;
    fn same(self, other: Self) -> bool;
    /// The smallest value (`max`) or the largest (`!max`): where a search starts.
    fn start(max: bool) -> Self;
    /// NaN for floats (never used for other types).
    fn nan() -> Self;
}

macro_rules! ord_arg {
    ($($t:ty),*) => {$(
        impl ArgValue for $t {
            #[inline(always)] fn start(max: bool) -> Self { if max { <$t>::MIN } else { <$t>::MAX } }
            #[inline(always)] fn nan() -> Self { <$t>::MIN }
            #[inline(always)] fn isnan(self) -> bool { false }
            #[inline(always)] fn gt(self, o: Self) -> bool { self > o }
            #[inline(always)] fn lt(self, o: Self) -> bool { self < o }
            #[inline(always)] fn same(self, o: Self) -> bool { self == o }
        }
    )*};
}
ord_arg!(i8, i16, i32, i64, u8, u16, u32, u64);

impl ArgValue for bool {
    #[inline(always)]
    fn start(max: bool) -> Self {
        !max
    }
    #[inline(always)]
    fn nan() -> Self {
        false
    }
    #[inline(always)]
    fn isnan(self) -> bool {
        false
    }
    #[inline(always)]
    fn gt(self, o: Self) -> bool {
        self & !o
    }
    #[inline(always)]
    fn lt(self, o: Self) -> bool {
        !self & o
    }
    #[inline(always)]
    fn same(self, o: Self) -> bool {
        self == o
    }
}

macro_rules! float_arg {
    ($($t:ty),*) => {$(
        impl ArgValue for $t {
            #[inline(always)] fn start(max: bool) -> Self { if max { <$t>::NEG_INFINITY } else { <$t>::INFINITY } }
            #[inline(always)] fn nan() -> Self { <$t>::NAN }
            #[inline(always)] fn isnan(self) -> bool { self.is_nan() }
            #[inline(always)] fn gt(self, o: Self) -> bool { self > o }
            #[inline(always)] fn lt(self, o: Self) -> bool { self < o }
            #[inline(always)] fn same(self, o: Self) -> bool { self == o || (self.is_nan() && o.is_nan()) }
        }
    )*};
}
float_arg!(f32, f64);

/// Complex numbers order lexicographically (real part first), as in NumPy.
impl<F: num_traits::Float> ArgValue for Complex<F>
where
    Complex<F>: Element,
{
    fn start(max: bool) -> Self {
        let v = if max { F::neg_infinity() } else { F::infinity() };
        Complex::new(v, v)
    }
    fn nan() -> Self {
        Complex::new(F::nan(), F::nan())
    }
    fn isnan(self) -> bool {
        self.re.is_nan() || self.im.is_nan()
    }
    fn gt(self, o: Self) -> bool {
        self.re > o.re || (self.re == o.re && self.im > o.im)
    }
    fn lt(self, o: Self) -> bool {
        self.re < o.re || (self.re == o.re && self.im < o.im)
    }
    fn same(self, o: Self) -> bool {
        self == o || (self.isnan() && o.isnan())
    }
}

/// The extreme value of a strided line (ignoring NaNs; `T::start` if none) and
/// whether the line holds a NaN. Contiguous lines fold eight independent lanes, which
/// the compiler vectorizes.
///
/// # Safety
/// `p` must be valid for `n` elements at stride `s` (in elements).
#[inline(always)]
unsafe fn extreme<T: ArgValue, const MAX: bool>(p: *const T, n: usize, s: isize) -> (T, bool) {
    #[inline(always)]
    fn pick<T: ArgValue, const MAX: bool>(m: T, x: T) -> T {
        if MAX {
            if x.gt(m) { x } else { m }
        } else if x.lt(m) {
            x
        } else {
            m
        }
    }
    let mut m = T::start(MAX);
    let mut nan = false;
    let mut j = 0;
    if s == 1 {
        let mut lanes = [m; 8];
        let mut nans = [false; 8];
        while j + 8 <= n {
            for l in 0..8 {
                let x = *p.add(j + l);
                nans[l] |= x.isnan();
                lanes[l] = pick::<T, MAX>(lanes[l], x);
            }
            j += 8;
        }
        for l in 0..8 {
            nan |= nans[l];
            m = pick::<T, MAX>(m, lanes[l]);
        }
    }
    for j in j..n {
        let x = *p.offset(j as isize * s);
        nan |= x.isnan();
        m = pick::<T, MAX>(m, x);
    }
    (m, nan)
}

/// Index of the first element of a strided line equal to `target` (NaN: the first
/// NaN); `n` if none.
///
/// # Safety
/// `p` must be valid for `n` elements at stride `s` (in elements).
#[inline(always)]
unsafe fn find<T: ArgValue>(p: *const T, n: usize, s: isize, target: T, nan: bool) -> usize {
    if nan {
        (0..n).find(|&j| (*p.offset(j as isize * s)).isnan()).unwrap_or(n)
    } else {
        (0..n).find(|&j| (*p.offset(j as isize * s)).same(target)).unwrap_or(n)
    }
}

/// Index of the first extreme value (or first NaN) of a strided line of `n >= 1`.
///
/// # Safety
/// `p` must be valid for `n` elements at stride `s` (in elements).
#[inline(always)]
unsafe fn arg_line<T: ArgValue, const MAX: bool>(p: *const T, n: usize, s: isize) -> usize {
    if s == 1 && n >= 16 {
        // Two vectorizable passes (extreme, then where it is) beat one branchy one.
        let (m, nan) = extreme::<T, MAX>(p, n, s);
        return find(p, n, s, m, nan).min(n - 1);
    }
    let mut best = *p;
    if best.isnan() {
        return 0;
    }
    let mut at = 0;
    for j in 1..n {
        let x = *p.offset(j as isize * s);
        if x.isnan() {
            return j;
        }
        if if MAX { x.gt(best) } else { x.lt(best) } {
            best = x;
            at = j;
        }
    }
    at
}

fn along_axis<T: ArgValue>(argmax: bool, input: &PhysicalStore, out: &PhysicalStore, axis: usize) -> Result<(), TaskError> {
    if out.type_code() != Some(legate_core::abi::TypeCode::Int64) {
        return Err(TaskError::new("argmax/argmin: the output must be int64"));
    }
    let lo = if input.ndim() > 0 { input.lo()[axis] } else { 0 };
    for_each_line(&[input, out], axis, |ptrs, n, strides| {
        // SAFETY: a line of this point's input tile; the output view repeats one
        // element along the axis, which this point owns.
        unsafe {
            let (p, s) = (ptrs[0] as *const T, strides[0] / T::SIZE as isize);
            let at = if argmax { arg_line::<T, true>(p, n, s) } else { arg_line::<T, false>(p, n, s) };
            *(ptrs[1] as *mut i64) = lo + at as i64;
        }
    });
    Ok(())
}

fn tile_extreme<T: ArgValue>(argmax: bool, input: &PhysicalStore, red: &mut PhysicalStore) -> Result<(), TaskError> {
    let (mut m, mut nan) = (T::start(argmax), false);
    legate_core::abi::for_each_row(&[input], |ptrs, n, strides| {
        let (p, s) = (ptrs[0] as *const T, (strides[0] / T::SIZE as i64) as isize);
        // SAFETY: a row of this point's input tile.
        let (rm, rn) = unsafe { if argmax { extreme::<T, true>(p, n, s) } else { extreme::<T, false>(p, n, s) } };
        nan |= rn;
        if if argmax { rm.gt(m) } else { rm.lt(m) } {
            m = rm;
        }
    });
    // Fold into this point's private buffer as the runtime's max/min (NaN propagates).
    let mut v = red.view_mut::<T>()?;
    for x in v.iter_mut() {
        *x = if nan || x.isnan() {
            T::nan()
        } else if if argmax { m.gt(*x) } else { m.lt(*x) } {
            m
        } else {
            *x
        };
    }
    Ok(())
}

fn find_first<T: ArgValue>(input: &PhysicalStore, target: T, full: &[i64], red: &mut PhysicalStore) -> Result<(), TaskError> {
    let mut found = i64::MAX;
    let nan = target.isnan();
    for_each_global_row(input, full, |p, n, s, flat| {
        if found != i64::MAX {
            return;
        }
        // SAFETY: a row of this point's input tile.
        let j = unsafe { find(p as *const T, n, s / T::SIZE as isize, target, nan) };
        if j < n {
            found = (flat + j as u64) as i64;
        }
    });
    let mut v = red.view_mut::<i64>()?;
    for x in v.iter_mut() {
        *x = (*x).min(found);
    }
    Ok(())
}

/// `argmax`/`argmin` along one axis.
pub struct ArgAxisTask;

impl Task for ArgAxisTask {
    const TASK_ID: u32 = crate::ARG_AXIS;
    const NAME: &'static str = "arg_axis";

    /// Scalars: argmax (bool: true = argmax, false = argmin), axis (u32). Input 0: the
    /// array; output 0: int64, a view promoted to the input's shape along the axis.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let argmax = ctx.scalar::<bool>(0)?;
        let axis = ctx.scalar::<u32>(1)? as usize;
        let input = ctx.input(0)?;
        let out = ctx.output(0)?;
        crate::with_numeric_type!(input.type_code(), T => along_axis::<T>(argmax, &input, &out, axis),
            Err(TaskError::new("argmax/argmin: unsupported dtype")))
    }
}

/// The two passes of a whole-array `argmax`/`argmin`.
pub struct ArgFindTask;

impl Task for ArgFindTask {
    const TASK_ID: u32 = crate::ARG_FIND;
    const NAME: &'static str = "arg_find";

    /// Scalar 0: mode (u32). Mode 0 (the extreme): scalar 1 argmax (bool); input 0 the
    /// array; reduction 0 a one-element store of its type (`max`/`min`, NaN when any
    /// element is NaN). Mode 1 (where it first is): scalars 1.. the extents of the
    /// array (i64 each); input 0 the array, input 1 the value; reduction 0 int64
    /// (`min`) receives the smallest flat index of an element equal to the value (NaN
    /// matches NaN).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mode = ctx.scalar::<u32>(0)?;
        let input = ctx.input(0)?;
        let mut red = ctx.reduction(0)?;
        if mode == 0 {
            let argmax = ctx.scalar::<bool>(1)?;
            return crate::with_numeric_type!(input.type_code(), T => tile_extreme::<T>(argmax, &input, &mut red),
                Err(TaskError::new("argmax/argmin: unsupported dtype")));
        }
        let value = ctx.input(1)?;
        let full: Vec<i64> = (0..input.ndim()).map(|d| ctx.scalar::<i64>(1 + d)).collect::<Result<_, _>>()?;
        crate::with_numeric_type!(input.type_code(), T => find_first::<T>(&input, value.scalar::<T>()?, &full, &mut red),
            Err(TaskError::new("argmax/argmin: unsupported dtype")))
    }
}
