//! Reduction operators: which types they apply to, their identities, and folding a
//! point task's private contributions into the store.
//!
//! A reduction argument gives each point task a private, identity-filled buffer for its
//! piece; after the operation's last point (in a finishing node of the dependence
//! graph when there are several), the buffers are folded into the store in launch
//! order, so results do not depend on which point finished first.

use crate::error::{LegateError, Result};
use crate::types::Type;
use half::f16;
use legate_abi::{for_each_row, PhysicalStore, ReductionOp, TypeCode};
use num_complex::{Complex32, Complex64};

/// Whether `op` is defined on `ty`.
pub fn check(op: ReductionOp, ty: &Type) -> Result<()> {
    use ReductionOp::*;
    let ok = match ty.code() {
        TypeCode::Bool => true,
        c if is_int(c) => true,
        TypeCode::Float16 | TypeCode::Float32 | TypeCode::Float64 => matches!(op, Add | Mul | Max | Min),
        // Max/Min order complex numbers lexicographically, as NumPy does.
        TypeCode::Complex64 | TypeCode::Complex128 => matches!(op, Add | Mul | Max | Min),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(LegateError::TypeMismatch(format!("reduction {op:?} is not defined for type {ty}")))
    }
}

fn is_int(c: TypeCode) -> bool {
    use TypeCode::*;
    matches!(c, Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64)
}

pub(crate) trait Reducible: Copy + 'static {
    fn identity(op: ReductionOp) -> Self;
    fn apply(op: ReductionOp, a: Self, b: Self) -> Self;
}

macro_rules! int_reducible {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            fn identity(op: ReductionOp) -> Self {
                match op {
                    ReductionOp::Add | ReductionOp::Or | ReductionOp::Xor => 0,
                    ReductionOp::Mul => 1,
                    ReductionOp::Max => <$t>::MIN,
                    ReductionOp::Min => <$t>::MAX,
                    ReductionOp::And => !0,
                }
            }
            fn apply(op: ReductionOp, a: Self, b: Self) -> Self {
                match op {
                    ReductionOp::Add => a.wrapping_add(b),
                    ReductionOp::Mul => a.wrapping_mul(b),
                    ReductionOp::Max => a.max(b),
                    ReductionOp::Min => a.min(b),
                    ReductionOp::Or => a | b,
                    ReductionOp::And => a & b,
                    ReductionOp::Xor => a ^ b,
                }
            }
        }
    )*};
}
int_reducible!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_reducible {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            fn identity(op: ReductionOp) -> Self {
                match op {
                    ReductionOp::Mul => 1.0 as $t,
                    ReductionOp::Max => <$t>::NEG_INFINITY,
                    ReductionOp::Min => <$t>::INFINITY,
                    _ => 0.0 as $t,
                }
            }
            fn apply(op: ReductionOp, a: Self, b: Self) -> Self {
                // NaN propagates through max/min, as in NumPy.
                match op {
                    ReductionOp::Add => a + b,
                    ReductionOp::Mul => a * b,
                    ReductionOp::Max => if a.is_nan() || b.is_nan() { <$t>::NAN } else { a.max(b) },
                    ReductionOp::Min => if a.is_nan() || b.is_nan() { <$t>::NAN } else { a.min(b) },
                    _ => a,
                }
            }
        }
    )*};
}
float_reducible!(f32, f64);

impl Reducible for f16 {
    fn identity(op: ReductionOp) -> Self {
        f16::from_f32(f32::identity(op))
    }
    fn apply(op: ReductionOp, a: Self, b: Self) -> Self {
        f16::from_f32(f32::apply(op, a.to_f32(), b.to_f32()))
    }
}

impl Reducible for bool {
    fn identity(op: ReductionOp) -> Self {
        matches!(op, ReductionOp::Mul | ReductionOp::And | ReductionOp::Min)
    }
    fn apply(op: ReductionOp, a: Self, b: Self) -> Self {
        match op {
            ReductionOp::Add | ReductionOp::Or | ReductionOp::Max => a | b,
            ReductionOp::Mul | ReductionOp::And | ReductionOp::Min => a & b,
            ReductionOp::Xor => a ^ b,
        }
    }
}

macro_rules! complex_reducible {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            fn identity(op: ReductionOp) -> Self {
                match op {
                    ReductionOp::Mul => <$t>::new(1.0, 0.0),
                    ReductionOp::Max => <$t>::new(f32::NEG_INFINITY.into(), f32::NEG_INFINITY.into()),
                    ReductionOp::Min => <$t>::new(f32::INFINITY.into(), f32::INFINITY.into()),
                    _ => <$t>::new(0.0, 0.0),
                }
            }
            fn apply(op: ReductionOp, a: Self, b: Self) -> Self {
                let nan = |z: Self| z.re.is_nan() || z.im.is_nan();
                let greater = |x: Self, y: Self| x.re > y.re || x.re == y.re && x.im > y.im;
                match op {
                    ReductionOp::Mul => a * b,
                    // The first NaN wins, then lexicographic order (NumPy's).
                    ReductionOp::Max | ReductionOp::Min if nan(a) => a,
                    ReductionOp::Max | ReductionOp::Min if nan(b) => b,
                    ReductionOp::Max => if greater(b, a) { b } else { a },
                    ReductionOp::Min => if greater(a, b) { b } else { a },
                    _ => a + b,
                }
            }
        }
    )*};
}
complex_reducible!(Complex32, Complex64);

macro_rules! dispatch {
    ($code:expr, $f:ident, $($arg:expr),*) => {
        match $code {
            TypeCode::Bool => $f::<bool>($($arg),*),
            TypeCode::Int8 => $f::<i8>($($arg),*),
            TypeCode::Int16 => $f::<i16>($($arg),*),
            TypeCode::Int32 => $f::<i32>($($arg),*),
            TypeCode::Int64 => $f::<i64>($($arg),*),
            TypeCode::UInt8 => $f::<u8>($($arg),*),
            TypeCode::UInt16 => $f::<u16>($($arg),*),
            TypeCode::UInt32 => $f::<u32>($($arg),*),
            TypeCode::UInt64 => $f::<u64>($($arg),*),
            TypeCode::Float16 => $f::<f16>($($arg),*),
            TypeCode::Float32 => $f::<f32>($($arg),*),
            TypeCode::Float64 => $f::<f64>($($arg),*),
            TypeCode::Complex64 => $f::<Complex32>($($arg),*),
            TypeCode::Complex128 => $f::<Complex64>($($arg),*),
            _ => unreachable!("checked by reduction::check at submission"),
        }
    };
}

fn identity_bytes<T: Reducible>(op: ReductionOp) -> Vec<u8> {
    let v = T::identity(op);
    // SAFETY: reading the bytes of a plain value.
    unsafe { std::slice::from_raw_parts(&v as *const T as *const u8, std::mem::size_of::<T>()) }.to_vec()
}

/// The identity of `op` on `ty`, as bytes (`check` passed).
pub(crate) fn identity(op: ReductionOp, ty: &Type) -> Vec<u8> {
    dispatch!(ty.code(), identity_bytes, op)
}

fn fold_typed<T: Reducible>(op: ReductionOp, target: &PhysicalStore, src: *const u8) {
    let mut s = src as *const T;
    for_each_row(&[target], |ptrs, n, strides| {
        let mut d = ptrs[0];
        for _ in 0..n {
            // SAFETY: `d` walks the target tile (reserved for this fold by the storage's
            // fold lock and the scheduler); `s` walks the contiguous private buffer of
            // exactly the tile's volume.
            unsafe {
                let v = T::apply(op, std::ptr::read_unaligned(d as *const T), std::ptr::read(s));
                std::ptr::write_unaligned(d as *mut T, v);
                s = s.add(1);
                d = d.offset(strides[0] as isize);
            }
        }
    });
}

/// Folds a dense buffer of the tile's volume into the target tile.
pub(crate) fn fold(op: ReductionOp, code: TypeCode, target: &PhysicalStore, src: *const u8) {
    dispatch!(code, fold_typed, op, target, src)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_neutral() {
        for op in ReductionOp::ALL {
            if check(op, &Type::Int32).is_ok() {
                for v in [-5i32, 0, 7] {
                    assert_eq!(i32::apply(op, i32::identity(op), v), v, "{op:?}");
                }
            }
        }
        assert!(check(ReductionOp::Xor, &Type::Float64).is_err());
        assert!(check(ReductionOp::Xor, &Type::Complex64).is_err());
        let (a, b) = (Complex64::new(1.0, 5.0), Complex64::new(1.0, 7.0));
        assert_eq!(Complex64::apply(ReductionOp::Max, a, b), b);
        assert_eq!(Complex64::apply(ReductionOp::Min, a, b), a);
        assert_eq!(Complex64::apply(ReductionOp::Max, Complex64::identity(ReductionOp::Max), a), a);
        assert!(Complex64::apply(ReductionOp::Min, a, Complex64::new(f64::NAN, 0.0)).re.is_nan());
        assert!(f64::apply(ReductionOp::Max, 1.0, f64::NAN).is_nan());
    }
}
