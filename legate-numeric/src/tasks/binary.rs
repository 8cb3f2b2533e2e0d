//! Binary ufuncs (`add`, `power`, `less`, ...) with NumPy's semantics per type family.
//!
//! Inputs have one type `T` (the caller promotes first, as NumPy does); the output is
//! `T`, or `bool` for comparisons and logical operations.

use super::cmath::CMath;
use super::loops::{map2, map2_wide, Operand};
use crate::ops::BinaryOp;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;
use num_traits::Float;

pub struct BinaryTask;

/// Reads input `which` of a binary launch: a tile, or a scalar when flagged.
pub(crate) fn operand<'a, T: Element>(ctx: &TaskContext<'a>, scalar: bool, scalar_index: usize, input: &mut usize) -> Result<Operand<'a, T>, TaskError> {
    if scalar {
        Ok(Operand::Scalar(ctx.scalar::<T>(scalar_index)?))
    } else {
        *input += 1;
        Ok(Operand::Tile(ctx.input(*input - 1)?))
    }
}

fn unsupported(op: BinaryOp, ty: &str) -> TaskError {
    TaskError::new(format!("ufunc '{}' is not supported for {ty}", op.name()))
}

/// NumPy's floating-point `divmod`: the quotient and remainder Python's `//` and `%`
/// give (exact where `floor(x / y)` is not, e.g. `0.7 // 0.1 == 6`).
fn float_divmod<T: Float>(x: T, y: T) -> (T, T) {
    let zero = T::zero();
    if y == zero {
        return (x / y, x % y);
    }
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != zero {
        if (y < zero) != (m < zero) {
            m = m + y;
            div = div - T::one();
        }
    } else {
        m = zero.copysign(y);
    }
    let q = if div != zero {
        let f = div.floor();
        if div - f > T::from(0.5).unwrap_or(zero) { f + T::one() } else { f }
    } else {
        zero.copysign(x / y)
    };
    (q, m)
}

fn float_op<T: Float + Element>(op: BinaryOp, out: &PhysicalStore, a: &Operand<T>, b: &Operand<T>) -> Result<(), TaskError> {
    use BinaryOp::*;
    let zero = T::zero();
    match op {
        Add => map2_wide(out, a, b, |x: T, y: T| x + y),
        Subtract => map2_wide(out, a, b, |x: T, y: T| x - y),
        Multiply => map2_wide(out, a, b, |x: T, y: T| x * y),
        TrueDivide => map2_wide(out, a, b, |x: T, y: T| x / y),
        FloorDivide => map2(out, a, b, |x: T, y: T| float_divmod(x, y).0),
        Remainder => map2(out, a, b, |x: T, y: T| float_divmod(x, y).1),
        Fmod => map2(out, a, b, |x: T, y: T| x % y),
        // libm's pow, within 1 ulp of NumPy's: repeated multiplication rounds at each
        // step (47 ulps off at x**64). Squares and cubes stay products (within 1 ulp
        // too, and several times faster than pow).
        Power => {
            let (two, three) = (T::from(2.0).unwrap_or(zero), T::from(3.0).unwrap_or(zero));
            map2(out, a, b, move |x: T, y: T| {
                if y == two {
                    x * x
                } else if y == three {
                    x * x * x
                } else {
                    x.powf(y)
                }
            })
        }
        Maximum => map2(out, a, b, |x: T, y: T| if x.is_nan() || y.is_nan() { T::nan() } else { x.max(y) }),
        Minimum => map2(out, a, b, |x: T, y: T| if x.is_nan() || y.is_nan() { T::nan() } else { x.min(y) }),
        Fmax => map2(out, a, b, |x: T, y: T| x.max(y)),
        Fmin => map2(out, a, b, |x: T, y: T| x.min(y)),
        Copysign => map2(out, a, b, |x: T, y: T| x.copysign(y)),
        Arctan2 => map2(out, a, b, |x: T, y: T| x.atan2(y)),
        Hypot => map2(out, a, b, |x: T, y: T| x.hypot(y)),
        Logaddexp => map2(out, a, b, |x: T, y: T| {
            if x == y { x + T::from(std::f64::consts::LN_2).unwrap_or(zero) } else { x.max(y) + (-(x - y).abs()).exp().ln_1p() }
        }),
        LogicalAnd => map2(out, a, b, |x: T, y: T| x != zero && y != zero),
        LogicalOr => map2(out, a, b, |x: T, y: T| x != zero || y != zero),
        LogicalXor => map2(out, a, b, |x: T, y: T| (x != zero) != (y != zero)),
        Equal => map2(out, a, b, |x: T, y: T| x == y),
        NotEqual => map2(out, a, b, |x: T, y: T| x != y),
        Less => map2(out, a, b, |x: T, y: T| x < y),
        LessEqual => map2(out, a, b, |x: T, y: T| x <= y),
        Greater => map2(out, a, b, |x: T, y: T| x > y),
        GreaterEqual => map2(out, a, b, |x: T, y: T| x >= y),
        BitwiseAnd | BitwiseOr | BitwiseXor | LeftShift | RightShift => Err(unsupported(op, "floating-point inputs")),
    }
}

macro_rules! int_op {
    ($T:ty, $op:expr, $out:expr, $a:expr, $b:expr) => {{
        use BinaryOp::*;
        type T = $T;
        let bits = (std::mem::size_of::<T>() * 8) as T;
        let _ = bits;
        match $op {
            Add => map2($out, $a, $b, |x: T, y: T| x.wrapping_add(y)),
            Subtract => map2($out, $a, $b, |x: T, y: T| x.wrapping_sub(y)),
            Multiply => map2($out, $a, $b, |x: T, y: T| x.wrapping_mul(y)),
            // NumPy: integer division by zero gives 0 (with a warning); MIN // -1 wraps
            // to MIN and warns of the overflow (noted here, where every caller's
            // quotients are computed, fused or not).
            FloorDivide => {
                let overflow = std::cell::Cell::new(false);
                let result = map2($out, $a, $b, |x: T, y: T| {
                    if y == 0 { 0 } else {
                        let (q, over) = x.overflowing_div(y);
                        if over {
                            overflow.set(true);
                        }
                        #[allow(unused_comparisons)]
                        let adjust = (x.wrapping_rem(y) != 0) && ((x < 0) != (y < 0));
                        if adjust { q.wrapping_sub(1) } else { q }
                    }
                });
                if overflow.get() {
                    crate::fperr::record($op.numpy_name(), crate::fperr::OVERFLOW);
                }
                result
            }
            Remainder => map2($out, $a, $b, |x: T, y: T| {
                if y == 0 { 0 } else {
                    let r = x.wrapping_rem(y);
                    #[allow(unused_comparisons)]
                    let adjust = r != 0 && ((r < 0) != (y < 0));
                    if adjust { r.wrapping_add(y) } else { r }
                }
            }),
            Fmod => map2($out, $a, $b, |x: T, y: T| if y == 0 { 0 } else { x.wrapping_rem(y) }),
            Power => {
                #[allow(unused_comparisons)]
                let negative = |y: T| y < 0;
                let mut bad = false;
                if let Operand::Scalar(y) = $b { bad = negative(*y); }
                if let Operand::Tile(t) = $b {
                    bad = t.view::<T>()?.iter().any(|&y| negative(y));
                }
                if bad {
                    return Err(TaskError::new("Integers to negative integer powers are not allowed."));
                }
                map2($out, $a, $b, |x: T, y: T| {
                    // `wrapping_pow` takes a u32 exponent: 2^32 and more square on here
                    // (a cast cut them to their low 32 bits).
                    let mut e = y as u64;
                    if e <= u32::MAX as u64 {
                        return x.wrapping_pow(e as u32);
                    }
                    let (mut acc, mut base): (T, T) = (1, x);
                    while e > 0 {
                        if e & 1 == 1 {
                            acc = acc.wrapping_mul(base);
                        }
                        base = base.wrapping_mul(base);
                        e >>= 1;
                    }
                    acc
                })
            }
            Maximum | Fmax => map2($out, $a, $b, |x: T, y: T| x.max(y)),
            Minimum | Fmin => map2($out, $a, $b, |x: T, y: T| x.min(y)),
            BitwiseAnd => map2($out, $a, $b, |x: T, y: T| x & y),
            BitwiseOr => map2($out, $a, $b, |x: T, y: T| x | y),
            BitwiseXor => map2($out, $a, $b, |x: T, y: T| x ^ y),
            // Shifts past the width give 0 (or -1 for negative values shifted right).
            LeftShift => map2($out, $a, $b, |x: T, y: T| {
                #[allow(unused_comparisons)]
                let out_of_range = y < 0 || y as u64 >= bits as u64;
                if out_of_range { 0 } else { x.wrapping_shl(y as u32) }
            }),
            RightShift => map2($out, $a, $b, |x: T, y: T| {
                #[allow(unused_comparisons)]
                let out_of_range = y < 0 || y as u64 >= bits as u64;
                #[allow(unused_comparisons)]
                let fill = if x < 0 { x.wrapping_shr(bits as u32 - 1) } else { 0 };
                if out_of_range { fill } else { x.wrapping_shr(y as u32) }
            }),
            LogicalAnd => map2($out, $a, $b, |x: T, y: T| x != 0 && y != 0),
            LogicalOr => map2($out, $a, $b, |x: T, y: T| x != 0 || y != 0),
            LogicalXor => map2($out, $a, $b, |x: T, y: T| (x != 0) != (y != 0)),
            Equal => map2($out, $a, $b, |x: T, y: T| x == y),
            NotEqual => map2($out, $a, $b, |x: T, y: T| x != y),
            Less => map2($out, $a, $b, |x: T, y: T| x < y),
            LessEqual => map2($out, $a, $b, |x: T, y: T| x <= y),
            Greater => map2($out, $a, $b, |x: T, y: T| x > y),
            GreaterEqual => map2($out, $a, $b, |x: T, y: T| x >= y),
            TrueDivide | Copysign | Arctan2 | Hypot | Logaddexp => Err(unsupported($op, "integer inputs (cast to float first)")),
        }
    }};
}

fn bool_op(op: BinaryOp, out: &PhysicalStore, a: &Operand<bool>, b: &Operand<bool>) -> Result<(), TaskError> {
    use BinaryOp::*;
    match op {
        // NumPy: bool + bool is logical or, bool * bool is logical and.
        Add | Maximum | Fmax | BitwiseOr | LogicalOr => map2(out, a, b, |x: bool, y: bool| x | y),
        Multiply | Minimum | Fmin | BitwiseAnd | LogicalAnd => map2(out, a, b, |x: bool, y: bool| x & y),
        BitwiseXor | LogicalXor | NotEqual => map2(out, a, b, |x: bool, y: bool| x ^ y),
        Equal => map2(out, a, b, |x: bool, y: bool| x == y),
        Less => map2(out, a, b, |x: bool, y: bool| !x & y),
        LessEqual => map2(out, a, b, |x: bool, y: bool| x <= y),
        Greater => map2(out, a, b, |x: bool, y: bool| x & !y),
        GreaterEqual => map2(out, a, b, |x: bool, y: bool| x >= y),
        Subtract => Err(TaskError::new(
            "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.",
        )),
        _ => Err(unsupported(op, "boolean inputs")),
    }
}

/// `x / y` by Smith's method, as NumPy divides: scaling by the larger part of `y`
/// avoids overflow, and a zero divisor gives infinities (`(1+1j)/0` is `inf+infj`,
/// `0/0` is `nan+nanj`) rather than the NaNs of `x * conj(y) / |y|^2`.
fn complex_divide<T: Float>(x: Complex<T>, y: Complex<T>) -> Complex<T> {
    let (a, b, c, d) = (x.re, x.im, y.re, y.im);
    // Both branches share one ratio of the smaller part over the larger: the compiler
    // may evaluate both arms of a branch for every element, and dividing by the smaller
    // part (zero for a real divisor) would raise a spurious divide-by-zero flag.
    // NumPy's test is `|c| >= |d|`: a NaN part takes the other branch (NaN results).
    let swap = !(c.abs() >= d.abs());
    let (big, small) = if swap { (d, c) } else { (c, d) };
    if !swap && big == T::zero() {
        return Complex::new(a / big.abs(), b / big.abs());
    }
    let r = small / big;
    let s = T::one() / (big + small * r);
    if swap {
        Complex::new((a * r + b) * s, (b * r - a) * s)
    } else {
        Complex::new((a + b * r) * s, (b - a * r) * s)
    }
}

/// `a ** b` as NumPy's `npy_cpow`: `a ** 0` is 1; `0 ** b` is 0 for `re b > 0`, else
/// NaNs; an integral real exponent with |n| < 100 multiplies (exactly, and keeping
/// infinite parts: `(0+infj) ** 1` is `0+infj`), by repeated squaring and then a
/// reciprocal for n < 0; anything else is the C library's `cpow`.
fn complex_power<T: Float + CMath>(a: Complex<T>, b: Complex<T>) -> Complex<T> {
    let (zero, one) = (T::zero(), T::one());
    if b.re == zero && b.im == zero {
        return Complex::new(one, zero);
    }
    if a.re == zero && a.im == zero {
        return if b.re > zero { Complex::new(zero, zero) } else { Complex::new(T::nan(), T::nan()) };
    }
    let small = T::from(100).unwrap_or(zero);
    if b.im == zero && b.re == b.re.trunc() && b.re.abs() < small {
        let n = b.re.abs().to_u32().unwrap_or(0);
        match (n, b.re > zero) {
            (1, true) => return a,
            (2, true) => return a * a,
            (3, true) => return a * (a * a),
            _ => {}
        }
        let (mut acc, mut p, mut mask) = (Complex::new(one, zero), a, 1u32);
        loop {
            if n & mask != 0 {
                acc = acc * p;
            }
            mask <<= 1;
            if n < mask {
                break;
            }
            p = p * p;
        }
        return if b.re < zero { complex_divide(Complex::new(one, zero), acc) } else { acc };
    }
    T::cpow(a, b)
}

fn complex_op<T: Float + Element + CMath>(op: BinaryOp, out: &PhysicalStore, a: &Operand<Complex<T>>, b: &Operand<Complex<T>>) -> Result<(), TaskError>
where
    Complex<T>: Element,
{
    use BinaryOp::*;
    let zero = Complex::new(T::zero(), T::zero());
    match op {
        Add => map2(out, a, b, |x: Complex<T>, y: Complex<T>| x + y),
        Subtract => map2(out, a, b, |x: Complex<T>, y: Complex<T>| x - y),
        Multiply => map2(out, a, b, |x: Complex<T>, y: Complex<T>| x * y),
        TrueDivide => map2(out, a, b, complex_divide),
        Power => map2(out, a, b, complex_power),
        Equal => map2(out, a, b, |x: Complex<T>, y: Complex<T>| x == y),
        NotEqual => map2(out, a, b, |x: Complex<T>, y: Complex<T>| x != y),
        LogicalAnd => map2(out, a, b, move |x: Complex<T>, y: Complex<T>| x != zero && y != zero),
        LogicalOr => map2(out, a, b, move |x: Complex<T>, y: Complex<T>| x != zero || y != zero),
        LogicalXor => map2(out, a, b, move |x: Complex<T>, y: Complex<T>| (x != zero) != (y != zero)),
        // NumPy orders complex numbers lexicographically (real part, then imaginary);
        // the real parts decide only when neither imaginary part is NaN, so
        // (0.25+nanj) > 0j is false (NumPy's CGT, CLT, ... macros).
        Less => map2(out, a, b, |x: Complex<T>, y: Complex<T>| (x.re < y.re && !x.im.is_nan() && !y.im.is_nan()) || (x.re == y.re && x.im < y.im)),
        LessEqual => map2(out, a, b, |x: Complex<T>, y: Complex<T>| (x.re < y.re && !x.im.is_nan() && !y.im.is_nan()) || (x.re == y.re && x.im <= y.im)),
        Greater => map2(out, a, b, |x: Complex<T>, y: Complex<T>| (x.re > y.re && !x.im.is_nan() && !y.im.is_nan()) || (x.re == y.re && x.im > y.im)),
        GreaterEqual => map2(out, a, b, |x: Complex<T>, y: Complex<T>| (x.re > y.re && !x.im.is_nan() && !y.im.is_nan()) || (x.re == y.re && x.im >= y.im)),
        Maximum | Minimum | Fmax | Fmin => {
            let nan = |z: &Complex<T>| z.re.is_nan() || z.im.is_nan();
            let greater = |x: &Complex<T>, y: &Complex<T>| x.re > y.re || (x.re == y.re && x.im > y.im);
            match op {
                Maximum => map2(out, a, b, move |x: Complex<T>, y: Complex<T>| if nan(&x) { x } else if nan(&y) { y } else if greater(&y, &x) { y } else { x }),
                Minimum => map2(out, a, b, move |x: Complex<T>, y: Complex<T>| if nan(&x) { x } else if nan(&y) { y } else if greater(&x, &y) { y } else { x }),
                Fmax => map2(out, a, b, move |x: Complex<T>, y: Complex<T>| if nan(&y) { x } else if nan(&x) { y } else if greater(&y, &x) { y } else { x }),
                _ => map2(out, a, b, move |x: Complex<T>, y: Complex<T>| if nan(&y) { x } else if nan(&x) { y } else if greater(&x, &y) { y } else { x }),
            }
        }
        _ => Err(unsupported(op, "complex inputs")),
    }
}

/// Whether the second operand of an integer division has a zero.
fn divisor_has_zero<T: Element + Copy + PartialEq + Default>(ctx: &TaskContext, flags: u32) -> Result<bool, TaskError> {
    if flags & 2 != 0 {
        return Ok(ctx.scalar::<T>(2 + (flags & 1) as usize)? == T::default());
    }
    Ok(has_zero::<T>(&ctx.input(if flags & 1 != 0 { 0 } else { 1 })?))
}

/// Whether any element of `tile` is zero (integer divisors: NumPy warns of them).
pub(crate) fn has_zero<T: Element + Copy + PartialEq + Default>(tile: &PhysicalStore) -> bool {
    let mut zero = false;
    super::loops::for_each_run(&[tile], |ptrs, n, strides| {
        let (p, s) = (ptrs[0] as *const T, (strides[0] / T::SIZE as i64) as isize);
        for i in 0..n {
            // SAFETY: a row of this point's tile of the divisor.
            zero |= unsafe { *p.offset(i as isize * s) } == T::default();
        }
    });
    zero
}

impl Task for BinaryTask {
    const TASK_ID: u32 = crate::BINARY;
    const NAME: &'static str = "binary";

    /// Scalars: op code (u32), flags (u32: 1 = first operand is a scalar, 2 = second),
    /// then the scalar operands. Inputs: the tile operands. Output 0: the result.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let op = BinaryOp::from_code(code).ok_or_else(|| TaskError::new(format!("unknown binary op {code}")))?;
        let flags = ctx.scalar::<u32>(1)?;
        let out = ctx.output(0)?;
        // The input type: from a tile operand, or from the first scalar.
        if flags & 3 == 3 {
            return Err(TaskError::new("a binary op needs at least one array operand"));
        }
        let ty = ctx.input(0)?.type_code();
        let ctx = &*ctx;
        let run = || crate::with_numeric_type!(ty, T => {
            let mut input = 0;
            let a = operand::<T>(ctx, flags & 1 != 0, 2, &mut input)?;
            let b = operand::<T>(ctx, flags & 2 != 0, 2 + (flags & 1) as usize, &mut input)?;
            <T as BinaryUfunc>::apply(op, &out, &a, &b)
        }, Err(TaskError::new(format!("ufunc '{}' does not support this dtype", op.name()))));
        use legate_core::abi::TypeCode;
        let floating = matches!(ty, Some(TypeCode::Float32 | TypeCode::Float64 | TypeCode::Complex64 | TypeCode::Complex128));
        if floating && op.reports_fp_errors() {
            return crate::fperr::watch(op.numpy_name(), run);
        }
        let result = run();
        if matches!(op, BinaryOp::FloorDivide | BinaryOp::Remainder | BinaryOp::Fmod) && !floating {
            // Integers divided by zero give 0, and NumPy warns that it divided by zero.
            let zero = crate::with_numeric_type!(ty, T => divisor_has_zero::<T>(ctx, flags)?, false);
            if zero {
                crate::fperr::record(op.numpy_name(), crate::fperr::DIVIDE);
            }
        }
        result
    }
}

/// The binary ufuncs of one element type.
pub trait BinaryUfunc: Element {
    fn apply(op: BinaryOp, out: &PhysicalStore, a: &Operand<Self>, b: &Operand<Self>) -> Result<(), TaskError>;
}

impl BinaryUfunc for f32 {
    fn apply(op: BinaryOp, out: &PhysicalStore, a: &Operand<Self>, b: &Operand<Self>) -> Result<(), TaskError> {
        float_op(op, out, a, b)
    }
}

impl BinaryUfunc for f64 {
    fn apply(op: BinaryOp, out: &PhysicalStore, a: &Operand<Self>, b: &Operand<Self>) -> Result<(), TaskError> {
        float_op(op, out, a, b)
    }
}

impl BinaryUfunc for bool {
    fn apply(op: BinaryOp, out: &PhysicalStore, a: &Operand<Self>, b: &Operand<Self>) -> Result<(), TaskError> {
        bool_op(op, out, a, b)
    }
}

impl<T: Float + Element + CMath> BinaryUfunc for Complex<T>
where
    Complex<T>: Element,
{
    fn apply(op: BinaryOp, out: &PhysicalStore, a: &Operand<Self>, b: &Operand<Self>) -> Result<(), TaskError> {
        complex_op(op, out, a, b)
    }
}

macro_rules! int_ufuncs {
    ($($t:ty),*) => {$(
        impl BinaryUfunc for $t {
            fn apply(op: BinaryOp, out: &PhysicalStore, a: &Operand<Self>, b: &Operand<Self>) -> Result<(), TaskError> {
                int_op!($t, op, out, a, b)
            }
        }
    )*};
}
int_ufuncs!(i8, i16, i32, i64, u8, u16, u32, u64);
