//! Type conversion (`astype`) between every pair of numeric types, with NumPy's rules:
//! numbers become `bool` by comparing with zero, complex numbers become real by
//! dropping the imaginary part, floats become integers by truncation.

use super::loops::{map1, Operand};
use legate_core::{Element, Task, TaskContext, TaskError};
use num_complex::{Complex32, Complex64};

/// A conversion from `Self` to `D`.
pub trait Cast<D>: Copy {
    fn cast(self) -> D;
}

macro_rules! cast_real {
    ($s:ty => $($d:ty),*) => {
        $(impl Cast<$d> for $s { #[inline(always)] fn cast(self) -> $d { self as $d } })*
        impl Cast<bool> for $s { #[inline(always)] fn cast(self) -> bool { self != (0 as $s) } }
        impl Cast<Complex32> for $s { #[inline(always)] fn cast(self) -> Complex32 { Complex32::new(self as f32, 0.0) } }
        impl Cast<Complex64> for $s { #[inline(always)] fn cast(self) -> Complex64 { Complex64::new(self as f64, 0.0) } }
    };
}

macro_rules! cast_reals {
    ($($s:ty),*) => { $( cast_real!($s => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64); )* };
}
cast_reals!(i8, i16, i32, i64, u8, u16, u32, u64);

// Floats to integers as NumPy computes them on x86-64 (C casts, the processor's
// truncating conversions): NaN, infinities and values out of range give the "integer
// indefinite" value (INT64_MIN, INT32_MIN) and raise the `invalid` flag; narrower types
// take the low bits of the int32 conversion, uint32 those of the int64 one, and uint64
// subtracts 2^63 from large values first.

/// `x` truncated to int64; `i64::MIN` when NaN or out of range.
#[inline(always)]
fn to_i64(x: f64) -> i64 {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_cvttsd_si64, _mm_set_sd};
        // SAFETY: SSE2 is part of x86-64.
        unsafe { _mm_cvttsd_si64(_mm_set_sd(x)) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        if (-9.223_372_036_854_775_808e18..9.223_372_036_854_775_808e18).contains(&x) { x as i64 } else { i64::MIN }
    }
}

/// `x` truncated to int32; `i32::MIN` when NaN or out of range.
#[inline(always)]
fn to_i32(x: f64) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_cvttsd_si32, _mm_set_sd};
        // SAFETY: SSE2 is part of x86-64.
        unsafe { _mm_cvttsd_si32(_mm_set_sd(x)) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        if x > -2_147_483_649.0 && x < 2_147_483_648.0 { x as i32 } else { i32::MIN }
    }
}

#[inline(always)]
fn to_u64(x: f64) -> u64 {
    const TWO_63: f64 = 9.223_372_036_854_775_808e18;
    if x >= TWO_63 { (to_i64(x - TWO_63) as u64) ^ (1 << 63) } else { to_i64(x) as u64 }
}

macro_rules! cast_float {
    ($($s:ty),*) => {$(
        impl Cast<f32> for $s { #[inline(always)] fn cast(self) -> f32 { self as f32 } }
        impl Cast<f64> for $s { #[inline(always)] fn cast(self) -> f64 { self as f64 } }
        impl Cast<i64> for $s { #[inline(always)] fn cast(self) -> i64 { to_i64(self as f64) } }
        impl Cast<i32> for $s { #[inline(always)] fn cast(self) -> i32 { to_i32(self as f64) } }
        impl Cast<i16> for $s { #[inline(always)] fn cast(self) -> i16 { to_i32(self as f64) as i16 } }
        impl Cast<i8> for $s { #[inline(always)] fn cast(self) -> i8 { to_i32(self as f64) as i8 } }
        impl Cast<u64> for $s { #[inline(always)] fn cast(self) -> u64 { to_u64(self as f64) } }
        impl Cast<u32> for $s { #[inline(always)] fn cast(self) -> u32 { to_i64(self as f64) as u32 } }
        impl Cast<u16> for $s { #[inline(always)] fn cast(self) -> u16 { to_i32(self as f64) as u16 } }
        impl Cast<u8> for $s { #[inline(always)] fn cast(self) -> u8 { to_i32(self as f64) as u8 } }
        impl Cast<bool> for $s { #[inline(always)] fn cast(self) -> bool { self != 0.0 } }
        impl Cast<Complex32> for $s { #[inline(always)] fn cast(self) -> Complex32 { Complex32::new(self as f32, 0.0) } }
        impl Cast<Complex64> for $s { #[inline(always)] fn cast(self) -> Complex64 { Complex64::new(self as f64, 0.0) } }
    )*};
}
cast_float!(f32, f64);

macro_rules! cast_bool {
    ($($d:ty),*) => {
        $(impl Cast<$d> for bool { #[inline(always)] fn cast(self) -> $d { (self as u8) as $d } })*
    };
}
cast_bool!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl Cast<bool> for bool {
    fn cast(self) -> bool {
        self
    }
}

impl Cast<Complex32> for bool {
    fn cast(self) -> Complex32 {
        Complex32::new(self as u8 as f32, 0.0)
    }
}

impl Cast<Complex64> for bool {
    fn cast(self) -> Complex64 {
        Complex64::new(self as u8 as f64, 0.0)
    }
}

macro_rules! cast_complex {
    ($c:ty, $f:ty) => {
        impl Cast<bool> for $c {
            fn cast(self) -> bool {
                self.re != 0.0 || self.im != 0.0
            }
        }
        impl Cast<Complex32> for $c {
            fn cast(self) -> Complex32 {
                Complex32::new(self.re as f32, self.im as f32)
            }
        }
        impl Cast<Complex64> for $c {
            fn cast(self) -> Complex64 {
                Complex64::new(self.re as f64, self.im as f64)
            }
        }
        cast_complex!(@real $c, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    };
    (@real $c:ty, $($d:ty),*) => {
        $(impl Cast<$d> for $c { fn cast(self) -> $d { Cast::<$d>::cast(self.re) } })*
    };
}
cast_complex!(Complex32, f32);
cast_complex!(Complex64, f64);

use half::f16;

// float16 converts through float32 (exact: every f16 is an f32, and NumPy rounds to
// float16 from the nearest wider value the same way).
macro_rules! cast_f16 {
    ($($d:ty),*) => {
        $(
            impl Cast<$d> for f16 { #[inline(always)] fn cast(self) -> $d { <f32 as Cast<$d>>::cast(self.to_f32()) } }
            impl Cast<f16> for $d { #[inline(always)] fn cast(self) -> f16 { f16::from_f32(<$d as Cast<f32>>::cast(self)) } }
        )*
    };
}
cast_f16!(bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, Complex32, Complex64);

impl Cast<f16> for f64 {
    fn cast(self) -> f16 {
        f16::from_f64(self)
    }
}

impl Cast<f64> for f16 {
    fn cast(self) -> f64 {
        self.to_f64()
    }
}

impl Cast<f16> for f16 {
    fn cast(self) -> f16 {
        self
    }
}

/// Like `with_numeric_type!`, plus float16 (which only conversions handle).
macro_rules! with_convert_type {
    ($code:expr, $T:ident => $body:expr, $other:expr) => {{
        if $code == Some(legate_core::abi::TypeCode::Float16) {
            type $T = f16;
            $body
        } else {
            crate::with_numeric_type!($code, $T => $body, $other)
        }
    }};
}

fn convert<S: Element>(input: legate_core::PhysicalStore, out: &legate_core::PhysicalStore) -> Result<(), TaskError>
where
    S: Cast<bool> + Cast<i8> + Cast<i16> + Cast<i32> + Cast<i64> + Cast<u8> + Cast<u16> + Cast<u32> + Cast<u64>,
    S: Cast<f32> + Cast<f64> + Cast<Complex32> + Cast<Complex64> + Cast<f16>,
{
    let a = Operand::Tile(input);
    with_convert_type!(out.type_code(), D => map1(out, &a, |x: S| <S as Cast<D>>::cast(x)),
        Err(TaskError::new("astype: unsupported target dtype")))
}

/// `out = input` converted to `out`'s type (both tiles of one shape).
pub(crate) fn convert_tiles(input: legate_core::PhysicalStore, out: &legate_core::PhysicalStore) -> Result<(), TaskError> {
    with_convert_type!(input.type_code(), S => convert::<S>(input, out),
        Err(TaskError::new("astype: unsupported source dtype")))
}

pub struct ConvertTask;

impl Task for ConvertTask {
    const TASK_ID: u32 = crate::CONVERT;
    const NAME: &'static str = "convert";

    /// Input 0 → output 0 (same shape), converting element types.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let input = ctx.input(0)?;
        let out = ctx.output(0)?;
        use legate_core::abi::TypeCode::*;
        // Integers into float16 overflow too (65520 and up round to inf).
        let floating = matches!(input.type_code(), Some(Float16 | Float32 | Float64 | Complex64 | Complex128))
            || out.type_code() == Some(Float16);
        let run = || convert_tiles(input, &out);
        if floating {
            // NaN or out of range into integers, overflow into a narrower float.
            crate::fperr::watch("cast", run)
        } else {
            run()
        }
    }
}

/// `out[i] = start + (global index i) * step`, in the output's type (`arange`).
pub struct ArangeTask;

impl Task for ArangeTask {
    const TASK_ID: u32 = crate::ARANGE;
    const NAME: &'static str = "arange";

    /// Scalars: start (f64), step (f64) — or, for integer outputs, start (i64), step (i64).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mut out = ctx.output(0)?;
        let lo = out.lo().first().copied().unwrap_or(0);
        let integral = ctx.scalar::<i64>(0).is_ok();
        crate::with_numeric_type!(out.type_code(), D => {
            let mut v = out.view_mut::<D>()?;
            if integral {
                let (start, step) = (ctx.scalar::<i64>(0)?, ctx.scalar::<i64>(1)?);
                for (i, x) in v.iter_mut().enumerate() {
                    *x = <i64 as Cast<D>>::cast(start.wrapping_add((lo + i as i64).wrapping_mul(step)));
                }
            } else {
                let (start, step) = (ctx.scalar::<f64>(0)?, ctx.scalar::<f64>(1)?);
                for (i, x) in v.iter_mut().enumerate() {
                    *x = <f64 as Cast<D>>::cast(start + (lo + i as i64) as f64 * step);
                }
            }
            Ok(())
        }, Err(TaskError::new("arange: unsupported dtype")))
    }
}
