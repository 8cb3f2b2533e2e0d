//! Scalars: typed values passed to tasks by value (and used to fill stores).

use crate::error::{LegateError, Result};
use crate::types::Type;
use legate_abi::Element;

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    ty: Type,
    /// Inline up to 16 bytes: scalars ride along with every launch.
    bytes: smallvec::SmallVec<[u8; 16]>,
}

impl Scalar {
    pub fn new<T: Element>(value: T) -> Scalar {
        let ty = Type::of::<T>().expect("every Element has a Type");
        // SAFETY: Elements are plain data; reading their bytes is fine.
        let bytes = unsafe { std::slice::from_raw_parts(&value as *const T as *const u8, T::SIZE) }.into();
        Scalar { ty, bytes }
    }

    /// A scalar of `ty` from its bytes; the length must be the type's size.
    pub fn from_bytes(ty: Type, bytes: Vec<u8>) -> Result<Scalar> {
        if let Some(size) = ty.size() {
            if size != bytes.len() {
                return Err(LegateError::TypeMismatch(format!("a {ty} scalar needs {size} bytes, got {}", bytes.len())));
            }
        }
        Ok(Scalar { ty, bytes: bytes.into() })
    }

    /// A string scalar (UTF-8 bytes).
    pub fn string(s: &str) -> Scalar {
        Scalar { ty: Type::String, bytes: s.as_bytes().into() }
    }

    pub fn ty(&self) -> &Type {
        &self.ty
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The value as `T`, checked against the scalar's type.
    pub fn value<T: Element>(&self) -> Result<T> {
        if self.ty.code() != T::CODE || self.bytes.len() != T::SIZE {
            return Err(LegateError::TypeMismatch(format!("scalar of type {} read as {}", self.ty, std::any::type_name::<T>())));
        }
        // SAFETY: size checked; every bit pattern of an Element is valid.
        Ok(unsafe { std::ptr::read_unaligned(self.bytes.as_ptr() as *const T) })
    }
}

macro_rules! scalar_from {
    ($($t:ty),*) => { $(impl From<$t> for Scalar { fn from(v: $t) -> Scalar { Scalar::new(v) } })* };
}
scalar_from!(bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, half::f16, num_complex::Complex32, num_complex::Complex64);

impl From<&str> for Scalar {
    fn from(s: &str) -> Scalar {
        Scalar::string(s)
    }
}
