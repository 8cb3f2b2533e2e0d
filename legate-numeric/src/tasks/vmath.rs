//! `exp` and `log` of float64 in a form the compiler vectorizes, run with the widest
//! vector unit the CPU has (chosen at run time).
//!
//! The C library's `exp`/`log` are scalar calls: about 6 ns an element here, several
//! times slower than NumPy's SIMD loops. These versions are branch-free (special
//! values are selected at the end), so a row of them becomes AVX-512 or AVX2+FMA code.
//!
//! - `exp(x)`: `x = k ln2 + r` with `|r| <= ln2/2` (ln2 split in a 21-bit head, so
//!   `k * head` is exact, and a full-precision tail), `e^r` by its Taylor series to
//!   degree 13 (truncation below 1e-17 relative), then `2^k` applied as two exact
//!   powers of two so results that overflow or are subnormal round once.
//! - `log(x)`: `x = m 2^e` with `m` in `[sqrt(2)/2, sqrt(2))`, `f = m - 1`,
//!   `s = f / (2 + f)`, and `log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2))` where
//!   `2 atanh(s) = 2s + s R(s^2)`, `R(z) = sum 2 z^k / (2k + 1)` to `k = 11`
//!   (`|s| <= 0.172`, truncation below 1e-18).
//!
//! Both stay within about one unit in the last place of the correctly rounded result
//! (the tests compare against NumPy over wide ranges and the special values).

use super::loops::for_each_run;
use legate_core::{PhysicalStore, TaskError};

/// ln 2 = LN2_HI + LN2_LO; LN2_HI has 21 significant bits, so `k * LN2_HI` is exact
/// for every exponent that occurs here.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_0000_0000);
const LN2_LO: f64 = 4.749_325_039_031_672_6e-7;

#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// `e^x`.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Outside [-800, 800] the result is 0 or inf anyway; NaN passes through.
    let xc = if x > 800.0 { 800.0 } else if x < -800.0 { -800.0 } else { x };
    // Round x / ln2 to the nearest integer by adding and subtracting 1.5 * 2^52.
    // Both sums lie in [2^52, 2^53), where the unit in the last place is 1, so the
    // difference of their bit patterns is k (and needs no float-to-int conversion,
    // which would not vectorize).
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let t = xc * std::f64::consts::LOG2_E + SHIFT;
    let kf = t - SHIFT;
    let k = t.to_bits() as i64 - SHIFT.to_bits() as i64;
    let r = (-kf).mul_add(LN2_LO, (-kf).mul_add(LN2_HI, xc));
    // e^r = sum r^n / n!, n = 0..=13, by Horner.
    let mut p: f64 = 1.0 / 6_227_020_800.0; // 1/13!
    for inv in [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p.mul_add(r, inv);
    }
    let k1 = k >> 1;
    let y = p * pow2(k1) * pow2(k - k1);
    if x != x { x } else { y }
}

/// Natural logarithm.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    // Subnormals: scale into the normal range first.
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 4_503_599_627_370_496.0 } else { x }; // 2^52
    let bits = xs.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023 - if sub { 52 } else { 0 };
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m > std::f64::consts::SQRT_2;
    m = if big { m * 0.5 } else { m };
    e += big as i64;
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    // R(z) = sum_{k=1..11} 2 z^k / (2k + 1), by Horner.
    let mut r: f64 = 2.0 / 23.0;
    for c in [2.0 / 21.0, 2.0 / 19.0, 2.0 / 17.0, 2.0 / 15.0, 2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0, 2.0 / 7.0, 2.0 / 5.0, 2.0 / 3.0] {
        r = r.mul_add(z, c);
    }
    r *= z;
    let ef = e as f64;
    let y = ef.mul_add(LN2_HI, ((s.mul_add(hfsq + r, ef * LN2_LO)) - hfsq) + f);
    if x == f64::INFINITY {
        x
    } else if x > 0.0 {
        y
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else {
        f64::NAN
    }
}

/// Which function a row computes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fn1 {
    Exp,
    Log,
}

impl Fn1 {
    #[inline(always)]
    fn apply(self, x: f64) -> f64 {
        match self {
            Fn1::Exp => exp(x),
            Fn1::Log => ln(x),
        }
    }
}

/// exp underflows below the smallest normal's logarithm and overflows above ln(MAX).
const EXP_LOW: f64 = -708.396_418_532_264_1;
const EXP_HIGH: f64 = 709.782_712_893_384;

/// `o[i] = f(a[i])` for a contiguous row; `o` may equal `a` (in place). Returns the
/// floating-point errors NumPy reports for it (see [`domain_bits`]).
#[inline(always)]
unsafe fn row(f: Fn1, n: usize, o: *mut f64, a: *const f64) -> u32 {
    // One pass: the domain tests are OR-reductions the vectorizer folds into the
    // kernel's own loop.
    let (lo, hi) = match f {
        Fn1::Exp => (EXP_LOW, EXP_HIGH),
        Fn1::Log => (0.0, 0.0),
    };
    let (mut low, mut high) = (0u64, 0u64);
    for i in 0..n {
        let v = *a.add(i);
        match f {
            Fn1::Exp => {
                low |= ((v < lo) & (v > f64::NEG_INFINITY)) as u64;
                high |= ((v > hi) & (v < f64::INFINITY)) as u64;
            }
            Fn1::Log => {
                low |= (v == lo) as u64;
                high |= (v < hi) as u64;
            }
        }
        *o.add(i) = f.apply(v);
    }
    domain_bits(f, low != 0, high != 0)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,fma")]
unsafe fn row_avx512(f: Fn1, n: usize, o: *mut f64, a: *const f64) -> u32 {
    row(f, n, o, a)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_avx2(f: Fn1, n: usize, o: *mut f64, a: *const f64) -> u32 {
    row(f, n, o, a)
}

/// The widest vector unit this CPU has (0: none with FMA, 1: AVX2+FMA, 2: AVX-512).
pub(crate) fn simd_level() -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
        static LEVEL: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
        *LEVEL.get_or_init(|| {
            if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq") && is_x86_feature_detected!("fma") {
                2
            } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                1
            } else {
                0
            }
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        0
    }
}

/// `out = f(a)` for float64 tiles of the same shape. Without a vector unit with FMA
/// (where `mul_add` would be a library call) this uses the C library's functions.
pub fn map_f64(f: Fn1, out: &PhysicalStore, a: &PhysicalStore) -> Result<(), TaskError> {
    let level = simd_level();
    let mut flags = 0;
    for_each_run(&[out, a], |ptrs, n, strides| {
        let (o, x) = (ptrs[0] as *mut f64, ptrs[1] as *const f64);
        // SAFETY: the pointers and strides describe rows of this point's tiles.
        unsafe {
            if strides[0] == 8 && strides[1] == 8 && level > 0 {
                #[cfg(target_arch = "x86_64")]
                {
                    flags |= if level == 2 { row_avx512(f, n, o, x) } else { row_avx2(f, n, o, x) };
                }
            } else {
                for i in 0..n {
                    let v = *x.offset(i as isize * (strides[1] / 8) as isize);
                    flags |= match f {
                        Fn1::Exp => domain_bits(f, v < EXP_LOW && v > f64::NEG_INFINITY, v > EXP_HIGH && v < f64::INFINITY),
                        Fn1::Log => domain_bits(f, v == 0.0, v < 0.0),
                    };
                    *o.offset(i as isize * (strides[0] / 8) as isize) = if level > 0 {
                        f.apply(v)
                    } else {
                        match f {
                            Fn1::Exp => v.exp(),
                            Fn1::Log => v.ln(),
                        }
                    };
                }
            }
        }
    });
    crate::fperr::replace_raised(flags);
    Ok(())
}

/// The floating-point errors NumPy reports for `f`, judged from the inputs (the
/// vectorized forms compute special cases by selection, and their NaN tests would raise
/// `invalid` spuriously): `low` is log(0) (divide by zero) or exp below the smallest
/// normal's logarithm (underflow); `high` is log(x < 0) (invalid) or exp above ln(MAX)
/// (overflow). Infinite inputs raise nothing.
fn domain_bits(f: Fn1, low: bool, high: bool) -> u32 {
    use crate::fperr::{DIVIDE, INVALID, OVERFLOW, UNDERFLOW};
    let (l, h) = match f {
        Fn1::Log => (DIVIDE, INVALID),
        Fn1::Exp => (UNDERFLOW, OVERFLOW),
    };
    (if low { l } else { 0 }) | (if high { h } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between `got` and `want`.
    fn ulps(got: f64, want: f64) -> u64 {
        if got == want || got.is_nan() && want.is_nan() {
            return 0;
        }
        let key = |v: f64| {
            let b = v.to_bits() as i64;
            if b < 0 { i64::MIN - b } else { b }
        };
        key(got).abs_diff(key(want))
    }

    fn sweep(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        (0..n).map(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            lo + (hi - lo) * ((state >> 11) as f64 / (1u64 << 53) as f64)
        })
    }

    #[test]
    fn exp_matches_the_c_library_within_one_ulp() {
        if simd_level() == 0 {
            return; // mul_add would be a library call; map_f64 uses the C library then
        }
        let mut worst = 0;
        for x in sweep(-745.0, 709.7, 200_000).chain(sweep(-1.0, 1.0, 100_000)).chain(sweep(-1e-8, 1e-8, 1000)) {
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 1, "exp: {worst} ulps");
        for (x, want) in [(0.0, 1.0), (-0.0, 1.0), (f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, 0.0), (710.0, f64::INFINITY), (-746.0, 0.0), (1000.0, f64::INFINITY)] {
            assert_eq!(exp(x), want, "exp({x})");
        }
        assert!(exp(f64::NAN).is_nan());
        // Subnormal results round once.
        for x in sweep(-745.0, -708.0, 20_000) {
            assert!(ulps(exp(x), x.exp()) <= 1, "exp({x}) = {} vs {}", exp(x), x.exp());
        }
    }

    #[test]
    fn log_matches_the_c_library_within_one_ulp() {
        if simd_level() == 0 {
            return;
        }
        let mut worst = 0;
        let positive = sweep(0.0, 1e6, 100_000)
            .chain(sweep(0.5, 2.0, 100_000))
            .chain(sweep(-700.0, 700.0, 100_000).map(f64::exp))
            .chain(sweep(1.0 - 1e-9, 1.0 + 1e-9, 1000))
            .chain([f64::MIN_POSITIVE, 5e-324, 1e-310, f64::MAX, 1.0, 2.0, std::f64::consts::SQRT_2]);
        for x in positive {
            worst = worst.max(ulps(ln(x), x.ln()));
        }
        assert!(worst <= 1, "log: {worst} ulps");
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(-0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NAN).is_nan() && ln(f64::NEG_INFINITY).is_nan());
        assert_eq!(ln(1.0), 0.0);
    }
}
