//! Unary ufuncs (`sqrt`, `negative`, `isnan`, ...) per type family, with NumPy's
//! semantics. Math functions of integers are computed on floats: the caller casts
//! first, as NumPy's type resolution does.

use super::cmath::CMath;
use super::loops::{map1, Operand};
use crate::ops::UnaryOp;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;
use num_traits::{Float, FloatConst};

pub struct UnaryTask;

fn unsupported(op: UnaryOp, ty: &str) -> TaskError {
    TaskError::new(format!("ufunc '{}' is not supported for {ty}", op.name()))
}

/// The unary ufuncs of one element type.
pub trait UnaryUfunc: Element {
    fn apply(op: UnaryOp, out: &PhysicalStore, a: &Operand<Self>) -> Result<(), TaskError>;
}

/// Round half to even, like NumPy's rint (keeping the sign of zero: rint(-0.5) is -0.0).
fn rint<T: Float>(x: T) -> T {
    let (zero, one) = (T::zero(), T::one());
    let r = x.round();
    let r = if (x - x.trunc()).abs() == T::from(0.5).unwrap_or(zero) && (r / (one + one)).fract() != zero { r - x.signum() } else { r };
    if r == zero { zero.copysign(x) } else { r }
}

/// `z / |z|`, as NumPy 2 computes it: by `|z| = hypot(re, im)`, so a NaN part gives
/// NaNs unless the other is infinite (`sign(nan+infj)` is `1j`); one infinite part
/// gives its unit (`sign(-inf+1j)` is `-1+0j`), two give NaNs; zero gives `0+0j`.
fn complex_sign<T: Float>(z: Complex<T>) -> Complex<T> {
    let (zero, one) = (T::zero(), T::one());
    let abs = z.re.hypot(z.im);
    let unit = |x: T| if x > zero { one } else { -one };
    if abs.is_nan() || z.re.is_infinite() && z.im.is_infinite() {
        Complex::new(T::nan(), T::nan())
    } else if z.re.is_infinite() {
        Complex::new(unit(z.re), zero)
    } else if z.im.is_infinite() {
        Complex::new(zero, unit(z.im))
    } else if abs == zero {
        Complex::new(zero, zero)
    } else {
        Complex::new(z.re / abs, z.im / abs)
    }
}

/// `1 / z` scaled by the larger part, as NumPy's loop does (so `1/(inf+0j)` is `0`).
fn complex_reciprocal<T: Float>(z: Complex<T>) -> Complex<T> {
    if z.im.abs() <= z.re.abs() {
        let r = z.im / z.re;
        let d = z.re + z.im * r;
        Complex::new(T::one() / d, -r / d)
    } else {
        let r = z.re / z.im;
        let d = z.re * r + z.im;
        Complex::new(r / d, -T::one() / d)
    }
}

fn float_op<T: Float + FloatConst + Element + CMath>(op: UnaryOp, out: &PhysicalStore, a: &Operand<T>) -> Result<(), TaskError> {
    use UnaryOp::*;
    let (zero, one) = (T::zero(), T::one());
    match op {
        Negative => map1(out, a, |x: T| -x),
        Positive => map1(out, a, |x: T| x),
        Absolute => map1(out, a, |x: T| x.abs()),
        Sign => map1(out, a, move |x: T| if x.is_nan() { x } else if x > zero { one } else if x < zero { -one } else { zero }),
        Sqrt => map1(out, a, |x: T| x.sqrt()),
        Cbrt => map1(out, a, |x: T| x.cbrt()),
        Square => map1(out, a, |x: T| x * x),
        Reciprocal => map1(out, a, move |x: T| one / x),
        Exp => map1(out, a, |x: T| x.exp()),
        Exp2 => map1(out, a, |x: T| x.exp2()),
        Expm1 => map1(out, a, |x: T| x.exp_m1()),
        Log => map1(out, a, |x: T| x.ln()),
        Log2 => map1(out, a, |x: T| x.log2()),
        Log10 => map1(out, a, |x: T| x.log10()),
        Log1p => map1(out, a, |x: T| x.ln_1p()),
        Sin => map1(out, a, |x: T| x.sin()),
        Cos => map1(out, a, |x: T| x.cos()),
        Tan => map1(out, a, |x: T| x.tan()),
        Arcsin => map1(out, a, |x: T| x.asin()),
        Arccos => map1(out, a, |x: T| x.acos()),
        Arctan => map1(out, a, |x: T| x.atan()),
        Sinh => map1(out, a, |x: T| x.sinh()),
        Cosh => map1(out, a, |x: T| x.cosh()),
        Tanh => map1(out, a, |x: T| x.tanh()),
        // The C library's: std's log(x + sqrt(x*x + 1)) overflows for |x| > 1e154.
        Arcsinh => map1(out, a, T::real_asinh),
        Arccosh => map1(out, a, T::real_acosh),
        Arctanh => map1(out, a, |x: T| x.atanh()),
        Deg2rad => map1(out, a, |x: T| x.to_radians()),
        Rad2deg => map1(out, a, |x: T| x.to_degrees()),
        Floor => map1(out, a, |x: T| x.floor()),
        Ceil => map1(out, a, |x: T| x.ceil()),
        Trunc => map1(out, a, |x: T| x.trunc()),
        Rint => map1(out, a, rint),
        Isnan => map1(out, a, |x: T| x.is_nan()),
        Isinf => map1(out, a, |x: T| x.is_infinite()),
        Isfinite => map1(out, a, |x: T| x.is_finite()),
        Signbit => map1(out, a, |x: T| x.is_sign_negative()),
        LogicalNot => map1(out, a, move |x: T| x == zero),
        Conjugate => map1(out, a, |x: T| x),
        Invert => Err(unsupported(op, "floating-point inputs")),
    }
}

impl UnaryUfunc for f32 {
    fn apply(op: UnaryOp, out: &PhysicalStore, a: &Operand<Self>) -> Result<(), TaskError> {
        float_op(op, out, a)
    }
}

impl UnaryUfunc for f64 {
    fn apply(op: UnaryOp, out: &PhysicalStore, a: &Operand<Self>) -> Result<(), TaskError> {
        use super::vmath::{map_f64, Fn1};
        match (op, a) {
            // The vectorized forms (the C library's are scalar calls).
            (UnaryOp::Exp, Operand::Tile(t)) if out.type_code() == t.type_code() => map_f64(Fn1::Exp, out, t),
            (UnaryOp::Log, Operand::Tile(t)) if out.type_code() == t.type_code() => map_f64(Fn1::Log, out, t),
            _ => float_op(op, out, a),
        }
    }
}

impl UnaryUfunc for bool {
    fn apply(op: UnaryOp, out: &PhysicalStore, a: &Operand<Self>) -> Result<(), TaskError> {
        use UnaryOp::*;
        match op {
            LogicalNot | Invert => map1(out, a, |x: bool| !x),
            Absolute | Conjugate | Floor | Ceil | Trunc | Square => map1(out, a, |x: bool| x),
            Isnan | Isinf | Signbit => map1(out, a, |_: bool| false),
            Isfinite => map1(out, a, |_: bool| true),
            Sign => map1(out, a, |x: bool| x),
            _ => Err(unsupported(op, "boolean inputs")),
        }
    }
}

macro_rules! int_ufuncs {
    ($($t:ty),*) => {$(
        impl UnaryUfunc for $t {
            #[allow(unused_comparisons)]
            fn apply(op: UnaryOp, out: &PhysicalStore, a: &Operand<Self>) -> Result<(), TaskError> {
                use UnaryOp::*;
                type T = $t;
                match op {
                    Negative => map1(out, a, |x: T| x.wrapping_neg()),
                    Positive | Conjugate | Floor | Ceil | Trunc | Rint => map1(out, a, |x: T| x),
                    Absolute => map1(out, a, |x: T| if x < 0 { x.wrapping_neg() } else { x }),
                    Sign => map1(out, a, |x: T| if x > 0 { 1 } else if x < 0 { (0 as T).wrapping_sub(1) } else { 0 }),
                    Square => map1(out, a, |x: T| x.wrapping_mul(x)),
                    Reciprocal => map1(out, a, |x: T| if x == 0 { 0 } else { (1 as T).wrapping_div(x) }),
                    Invert => map1(out, a, |x: T| !x),
                    LogicalNot => map1(out, a, |x: T| x == 0),
                    Isnan | Isinf => map1(out, a, |_: T| false),
                    Isfinite => map1(out, a, |_: T| true),
                    Signbit => map1(out, a, |x: T| x < 0),
                    _ => Err(unsupported(op, "integer inputs (cast to float first)")),
                }
            }
        }
    )*};
}
int_ufuncs!(i8, i16, i32, i64, u8, u16, u32, u64);

impl<T: Float + FloatConst + Element + CMath> UnaryUfunc for Complex<T>
where
    Complex<T>: Element,
{
    fn apply(op: UnaryOp, out: &PhysicalStore, a: &Operand<Self>) -> Result<(), TaskError> {
        use UnaryOp::*;
        type C<T> = Complex<T>;
        let zero = C::new(T::zero(), T::zero());
        match op {
            Negative => map1(out, a, |x: C<T>| -x),
            Positive => map1(out, a, |x: C<T>| x),
            Absolute => map1(out, a, |x: C<T>| x.norm()),
            Sign => map1(out, a, complex_sign),
            // The C library's, as NumPy's: C99 special values (sqrt(nan+infj) is
            // inf+infj), and no cancellation in the real part for x < 0, |y| << |x|.
            Sqrt => map1(out, a, T::csqrt),
            Square => map1(out, a, |x: C<T>| x * x),
            Reciprocal => map1(out, a, complex_reciprocal),
            // The C library's, as NumPy's: exp(x + 0i) is exp(x) + 0i where exp(x)
            // overflows (the textbook formula gives a NaN imaginary part).
            Exp => map1(out, a, T::cexp),
            Log => map1(out, a, |x: C<T>| x.ln()),
            Log10 => map1(out, a, |x: C<T>| x.log10()),
            // log(z) scaled by 1/ln 2 part by part, as NumPy computes it.
            Log2 => map1(out, a, |x: C<T>| x.ln().scale(T::LOG2_E())),
            // The C library's, as NumPy's (special values, branch cuts).
            Sin => map1(out, a, T::csin),
            Cos => map1(out, a, T::ccos),
            Tan => map1(out, a, T::ctan),
            Sinh => map1(out, a, T::csinh),
            Cosh => map1(out, a, T::ccosh),
            Tanh => map1(out, a, T::ctanh),
            Arcsin => map1(out, a, T::casin),
            Arccos => map1(out, a, T::cacos),
            Arctan => map1(out, a, T::catan),
            Arcsinh => map1(out, a, T::casinh),
            Arccosh => map1(out, a, T::cacosh),
            Arctanh => map1(out, a, T::catanh),
            Conjugate => map1(out, a, |x: C<T>| x.conj()),
            Rint => map1(out, a, |x: C<T>| C::new(rint(x.re), rint(x.im))),
            Exp2 => map1(out, a, |x: C<T>| T::cexp(x * T::LN_2())),
            // e^z - 1 without cancellation for small z: with z = x + iy,
            // Re = expm1(x) cos y - 2 sin^2(y/2)  (as e^x cos y - 1 = expm1(x) cos y + cos y - 1),
            // Im = e^x sin y.
            Expm1 => map1(out, a, |z: C<T>| {
                let h = (z.im / (T::one() + T::one())).sin();
                C::new(z.re.exp_m1() * z.im.cos() - (h * h + h * h), z.re.exp() * z.im.sin())
            }),
            // log(1 + z), as NumPy computes it.
            Log1p => map1(out, a, |z: C<T>| {
                let w = z.re + T::one();
                C::new(w.hypot(z.im).ln(), z.im.atan2(w))
            }),
            Isnan => map1(out, a, |x: C<T>| x.re.is_nan() || x.im.is_nan()),
            Isinf => map1(out, a, |x: C<T>| x.re.is_infinite() || x.im.is_infinite()),
            Isfinite => map1(out, a, |x: C<T>| x.re.is_finite() && x.im.is_finite()),
            LogicalNot => map1(out, a, move |x: C<T>| x == zero),
            _ => Err(unsupported(op, "complex inputs")),
        }
    }
}

use legate_core::abi::TypeCode;

impl Task for UnaryTask {
    const TASK_ID: u32 = crate::UNARY;
    const NAME: &'static str = "unary";

    /// Scalars: op code (u32). Input 0: the operand; output 0: the result.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let op = UnaryOp::from_code(code).ok_or_else(|| TaskError::new(format!("unknown unary op {code}")))?;
        let input = ctx.input(0)?;
        let out = ctx.output(0)?;
        let floating = matches!(input.type_code(), Some(TypeCode::Float32 | TypeCode::Float64 | TypeCode::Complex64 | TypeCode::Complex128));
        let run = || crate::with_numeric_type!(input.type_code(), T => {
            <T as UnaryUfunc>::apply(op, &out, &Operand::Tile(input))
        }, Err(unsupported(op, "this dtype")));
        if floating && op.reports_fp_errors() {
            crate::fperr::watch(op.numpy_name(), run)
        } else {
            run()
        }
    }
}
