//! Complex trigonometric and hyperbolic functions, complex sqrt and power, and the
//! real inverse hyperbolic functions, from the C library.
//!
//! NumPy computes these with the platform's C99 `csin`, `cacosh`, ... which give the
//! results of C99 Annex G for infinite and NaN parts and pick the side of a branch cut
//! by the sign of a zero part. The textbook formulas (num-complex's) do not, so the
//! kernels call the same C functions NumPy does. `Complex<T>` is `#[repr(C)]`, laid out
//! and passed like C's `_Complex T`. (`asinh`/`acosh` of reals: the textbook
//! `log(x + sqrt(x*x + 1))`, which Rust's std uses, overflows for |x| > 1e154.)

use num_complex::Complex;

macro_rules! c_functions {
    ($t:ty: $($name:ident => $c:ident),*; cpow => $cpow:ident; $($rname:ident => $rc:ident),* $(,)?) => {
        impl CMath for $t {
            $(
                fn $name(z: Complex<$t>) -> Complex<$t> {
                    extern "C" {
                        fn $c(z: Complex<$t>) -> Complex<$t>;
                    }
                    // SAFETY: a pure C99 libm function of one complex value.
                    unsafe { $c(z) }
                }
            )*
            fn cpow(a: Complex<$t>, b: Complex<$t>) -> Complex<$t> {
                extern "C" {
                    fn $cpow(a: Complex<$t>, b: Complex<$t>) -> Complex<$t>;
                }
                // SAFETY: a pure C99 libm function of two complex values.
                unsafe { $cpow(a, b) }
            }
            $(
                fn $rname(x: $t) -> $t {
                    extern "C" {
                        fn $rc(x: $t) -> $t;
                    }
                    // SAFETY: a pure C99 libm function of one real value.
                    unsafe { $rc(x) }
                }
            )*
        }
    };
}

/// The C99 complex functions of one float type.
pub trait CMath: Sized {
    fn csin(z: Complex<Self>) -> Complex<Self>;
    fn ccos(z: Complex<Self>) -> Complex<Self>;
    fn ctan(z: Complex<Self>) -> Complex<Self>;
    fn csinh(z: Complex<Self>) -> Complex<Self>;
    fn ccosh(z: Complex<Self>) -> Complex<Self>;
    fn ctanh(z: Complex<Self>) -> Complex<Self>;
    fn casin(z: Complex<Self>) -> Complex<Self>;
    fn cacos(z: Complex<Self>) -> Complex<Self>;
    fn catan(z: Complex<Self>) -> Complex<Self>;
    fn casinh(z: Complex<Self>) -> Complex<Self>;
    fn cacosh(z: Complex<Self>) -> Complex<Self>;
    fn catanh(z: Complex<Self>) -> Complex<Self>;
    fn csqrt(z: Complex<Self>) -> Complex<Self>;
    fn cexp(z: Complex<Self>) -> Complex<Self>;
    fn cpow(a: Complex<Self>, b: Complex<Self>) -> Complex<Self>;
    /// Real `asinh`, `acosh` (named apart from `Float`'s, which overflow).
    fn real_asinh(x: Self) -> Self;
    fn real_acosh(x: Self) -> Self;
}

c_functions!(f64: csin => csin, ccos => ccos, ctan => ctan, csinh => csinh, ccosh => ccosh, ctanh => ctanh,
    casin => casin, cacos => cacos, catan => catan, casinh => casinh, cacosh => cacosh, catanh => catanh, csqrt => csqrt, cexp => cexp;
    cpow => cpow; real_asinh => asinh, real_acosh => acosh);
c_functions!(f32: csin => csinf, ccos => ccosf, ctan => ctanf, csinh => csinhf, ccosh => ccoshf, ctanh => ctanhf,
    casin => casinf, cacos => cacosf, catan => catanf, casinh => casinhf, cacosh => cacoshf, catanh => catanhf, csqrt => csqrtf, cexp => cexpf;
    cpow => cpowf; real_asinh => asinhf, real_acosh => acoshf);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_g_special_values() {
        let inf = f64::INFINITY;
        // sin(inf + 0i) = nan + 0i (sign of the zero unspecified); cosh(inf + 0i) = inf + 0i.
        let s = <f64 as CMath>::csin(Complex::new(inf, 0.0));
        assert!(s.re.is_nan() && s.im == 0.0);
        assert_eq!(<f64 as CMath>::ccosh(Complex::new(inf, 0.0)), Complex::new(inf, 0.0));
        // tanh(inf + iy) = 1 + 0i sin(2y) for finite y.
        assert_eq!(<f64 as CMath>::ctanh(Complex::new(inf, 1.0)), Complex::new(1.0, 0.0));
        // Branch cut of asin: the sign of the zero imaginary part picks the side.
        assert!(<f64 as CMath>::casin(Complex::new(2.0, 0.0)).im > 0.0);
        assert!(<f64 as CMath>::casin(Complex::new(2.0, -0.0)).im < 0.0);
        // Ordinary values agree with the textbook formula, in both precisions.
        let z = Complex::new(0.3, -1.2);
        assert!((<f64 as CMath>::catanh(z) - z.atanh()).norm() < 1e-15);
        let zf = Complex::new(0.3f32, -1.2);
        assert!((<f32 as CMath>::cacosh(zf) - zf.acosh()).norm() < 1e-6);
        // sqrt(nan + i inf) = inf + i inf; no cancellation for x < 0, |y| << |x|.
        assert_eq!(<f64 as CMath>::csqrt(Complex::new(f64::NAN, inf)), Complex::new(inf, inf));
        let r = <f32 as CMath>::csqrt(Complex::new(-37052.0f32, 0.25)).re;
        assert!((r - 6.494e-4).abs() < 1e-7, "{r}");
        // exp(x + 0i) = exp(x) + 0i even where exp(x) overflows (the textbook
        // exp(x) * (cos y + i sin y) gives inf * 0 = nan in the imaginary part).
        assert_eq!(<f64 as CMath>::cexp(Complex::new(1e300, 0.0)), Complex::new(inf, 0.0));
        assert_eq!(<f32 as CMath>::cexp(Complex::new(1e30f32, -0.0)), Complex::new(f32::INFINITY, -0.0));
        // asinh of huge reals does not overflow.
        assert!((<f64 as CMath>::real_asinh(1.7e308) - 710.41998407).abs() < 1e-6);
        assert!((<f32 as CMath>::real_acosh(3e38) - 89.28999).abs() < 1e-3);
    }
}
