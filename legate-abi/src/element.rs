//! Type codes shared by runtime and libraries, and the Rust element types they name.

use half::f16;
use num_complex::{Complex32, Complex64};

/// The code of a logical type across the ABI. Compound types (fixed-size arrays,
/// structs) travel as their code plus the element size; libraries that accept them
/// check the size.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeCode {
    Bool = 1,
    Int8 = 2,
    Int16 = 3,
    Int32 = 4,
    Int64 = 5,
    UInt8 = 6,
    UInt16 = 7,
    UInt32 = 8,
    UInt64 = 9,
    Float16 = 10,
    Float32 = 11,
    Float64 = 12,
    Complex64 = 13,
    Complex128 = 14,
    FixedArray = 15,
    Struct = 16,
    String = 17,
}

impl TypeCode {
    const ALL: [TypeCode; 17] = [
        TypeCode::Bool,
        TypeCode::Int8,
        TypeCode::Int16,
        TypeCode::Int32,
        TypeCode::Int64,
        TypeCode::UInt8,
        TypeCode::UInt16,
        TypeCode::UInt32,
        TypeCode::UInt64,
        TypeCode::Float16,
        TypeCode::Float32,
        TypeCode::Float64,
        TypeCode::Complex64,
        TypeCode::Complex128,
        TypeCode::FixedArray,
        TypeCode::Struct,
        TypeCode::String,
    ];

    pub fn from_u32(code: u32) -> Option<TypeCode> {
        Self::ALL.into_iter().find(|c| *c as u32 == code)
    }
}

/// A Rust type that can be the element of a store view. `SIZE` is checked together
/// with `CODE`, so `[i64; N]` only views fixed-size arrays of N int64 values.
///
/// # Safety
/// Every bit pattern of `size_of::<Self>()` bytes must be a valid value, except for
/// `bool`, whose stores the runtime only ever fills with 0 or 1.
pub unsafe trait Element: Copy + Send + Sync + 'static {
    const CODE: TypeCode;
    const SIZE: usize = std::mem::size_of::<Self>();
}

macro_rules! element {
    ($($t:ty => $code:ident),* $(,)?) => {
        $(
            // SAFETY: plain-old-data numeric types: every bit pattern is valid.
            unsafe impl Element for $t {
                const CODE: TypeCode = TypeCode::$code;
            }
        )*
    };
}

element!(
    bool => Bool,
    i8 => Int8,
    i16 => Int16,
    i32 => Int32,
    i64 => Int64,
    u8 => UInt8,
    u16 => UInt16,
    u32 => UInt32,
    u64 => UInt64,
    f16 => Float16,
    f32 => Float32,
    f64 => Float64,
    Complex32 => Complex64,
    Complex64 => Complex128,
);

// SAFETY: arrays of i64 are plain old data; they view fixed-size int64 arrays (points).
unsafe impl<const N: usize> Element for [i64; N] {
    const CODE: TypeCode = TypeCode::FixedArray;
}
