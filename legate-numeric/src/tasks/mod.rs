//! Task kernels, one file per family. Every kernel dispatches on the element type once
//! per tile and runs a monomorphized loop (see `loops`).

pub mod argreduce;
pub mod at;
pub mod binary;
pub mod cmath;
pub mod convert;
pub mod decomp;
pub mod factor;
pub mod fft;
pub mod fold;
pub mod fused;
pub mod gemv;
pub mod histogram;
pub mod index;
pub mod loops;
pub mod matmul;
pub mod random;
pub mod reduce;
pub mod sample;
pub mod scan;
pub mod select;
pub mod sort;
pub mod unary;
pub mod vmath;

/// Runs `$body` with `$T` bound to the Rust type of type code `$code`; `$other` for
/// codes that are not numeric.
#[macro_export]
macro_rules! with_numeric_type {
    ($code:expr, $T:ident => $body:expr, $other:expr) => {{
        use legate_core::abi::TypeCode;
        match $code {
            Some(TypeCode::Bool) => { type $T = bool; $body }
            Some(TypeCode::Int8) => { type $T = i8; $body }
            Some(TypeCode::Int16) => { type $T = i16; $body }
            Some(TypeCode::Int32) => { type $T = i32; $body }
            Some(TypeCode::Int64) => { type $T = i64; $body }
            Some(TypeCode::UInt8) => { type $T = u8; $body }
            Some(TypeCode::UInt16) => { type $T = u16; $body }
            Some(TypeCode::UInt32) => { type $T = u32; $body }
            Some(TypeCode::UInt64) => { type $T = u64; $body }
            Some(TypeCode::Float32) => { type $T = f32; $body }
            Some(TypeCode::Float64) => { type $T = f64; $body }
            Some(TypeCode::Complex64) => { type $T = num_complex::Complex32; $body }
            Some(TypeCode::Complex128) => { type $T = num_complex::Complex64; $body }
            _ => $other,
        }
    }};
}
