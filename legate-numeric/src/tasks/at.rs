//! `ufunc.at`: `op(target[i], value)` applied in place, one index after the other, so
//! repeated indices accumulate (`add.at(a, [0, 0], 1)` adds 2), exactly in NumPy's
//! order. One point owns the whole target; indices are checked before anything is
//! written. Any binary ufunc whose loop is the target's dtype runs here: the common
//! ones by an in-place function, the others by the elementwise kernel per element.

use super::binary::BinaryUfunc;
use super::loops::Operand;
use crate::ops::BinaryOp;
use legate_core::abi::raw::RawStore;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;

/// The in-place binary operations of one element type.
trait AtOp: Element + Copy {
    fn op(op: BinaryOp) -> Option<fn(Self, Self) -> Self>;
}

macro_rules! int_at {
    ($($t:ty),*) => {$(
        impl AtOp for $t {
            fn op(op: BinaryOp) -> Option<fn(Self, Self) -> Self> {
                use BinaryOp::*;
                Some(match op {
                    Add => |x: $t, y: $t| x.wrapping_add(y),
                    Subtract => |x: $t, y: $t| x.wrapping_sub(y),
                    Multiply => |x: $t, y: $t| x.wrapping_mul(y),
                    Maximum | Fmax => |x: $t, y: $t| x.max(y),
                    Minimum | Fmin => |x: $t, y: $t| x.min(y),
                    BitwiseAnd => |x: $t, y: $t| x & y,
                    BitwiseOr => |x: $t, y: $t| x | y,
                    BitwiseXor => |x: $t, y: $t| x ^ y,
                    _ => return None,
                })
            }
        }
    )*};
}
int_at!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_at {
    ($($t:ty),*) => {$(
        impl AtOp for $t {
            fn op(op: BinaryOp) -> Option<fn(Self, Self) -> Self> {
                use BinaryOp::*;
                Some(match op {
                    Add => |x: $t, y: $t| x + y,
                    Subtract => |x: $t, y: $t| x - y,
                    Multiply => |x: $t, y: $t| x * y,
                    TrueDivide => |x: $t, y: $t| x / y,
                    // NaN propagates through maximum/minimum, not through fmax/fmin.
                    Maximum => |x: $t, y: $t| if x.is_nan() || y.is_nan() { <$t>::NAN } else { x.max(y) },
                    Minimum => |x: $t, y: $t| if x.is_nan() || y.is_nan() { <$t>::NAN } else { x.min(y) },
                    Fmax => |x: $t, y: $t| x.max(y),
                    Fmin => |x: $t, y: $t| x.min(y),
                    _ => return None,
                })
            }
        }
    )*};
}
float_at!(f32, f64);

impl<T: num_traits::Float + Element> AtOp for Complex<T>
where
    Complex<T>: Element,
{
    fn op(op: BinaryOp) -> Option<fn(Self, Self) -> Self> {
        use BinaryOp::*;
        Some(match op {
            Add => |x: Self, y: Self| x + y,
            Subtract => |x: Self, y: Self| x - y,
            Multiply => |x: Self, y: Self| x * y,
            TrueDivide => |x: Self, y: Self| x / y,
            _ => return None,
        })
    }
}

impl AtOp for bool {
    fn op(op: BinaryOp) -> Option<fn(Self, Self) -> Self> {
        use BinaryOp::*;
        Some(match op {
            Add | Maximum | Fmax | LogicalOr | BitwiseOr => |x: bool, y: bool| x | y,
            Multiply | Minimum | Fmin | LogicalAnd | BitwiseAnd => |x: bool, y: bool| x & y,
            LogicalXor | BitwiseXor => |x: bool, y: bool| x ^ y,
            _ => return None,
        })
    }
}

/// A 0-d view of the element at `p` (for the elementwise kernel).
fn element<'a, T: Element>(p: *mut T) -> PhysicalStore<'a> {
    let raw = RawStore::new(p as *mut u8, T::CODE as u32, T::SIZE as u64);
    // SAFETY: one element of the target, which this point owns, used during the call.
    unsafe { PhysicalStore::from_raw(raw) }
}

fn apply<T: AtOp + BinaryUfunc>(op: BinaryOp, target: &PhysicalStore, idx: &PhysicalStore, values: &PhysicalStore) -> Result<(), TaskError> {
    // The operations without an in-place function here (power, floor_divide, arctan2...)
    // run the elementwise kernel on each element: NumPy's loop, one element at a time.
    let generic = |x: T, y: T| -> Result<T, TaskError> {
        let mut r = x;
        T::apply(op, &element(&mut r as *mut T), &Operand::Scalar(x), &Operand::Scalar(y))?;
        Ok(r)
    };
    let f = T::op(op);
    if target.type_code() != Some(T::CODE) || values.type_code() != Some(T::CODE) || idx.type_code() != Some(i64::CODE) {
        return Err(TaskError::new("at: a target and values of one dtype, int64 indices"));
    }
    if target.shape().len() != 1 || idx.shape().len() != 1 || values.shape() != idx.shape() {
        return Err(TaskError::new("at: a 1-d target, and as many values as indices"));
    }
    let n = target.shape()[0] as i64;
    let st = target.strides()[0] / T::SIZE as i64;
    let iv = idx.view::<i64>()?;
    let vv = values.view::<T>()?;
    for &i in iv.iter() {
        if i < -n || i >= n {
            return Err(TaskError::new(format!("index {i} is out of bounds for axis 0 with size {n}")));
        }
    }
    let p = target.ptr() as *mut T;
    for (&i, &v) in iv.iter().zip(vv.iter()) {
        let i = if i < 0 { i + n } else { i };
        // SAFETY: 0 <= i < n elements of the whole target, which this point owns.
        unsafe {
            let e = p.offset((i * st) as isize);
            *e = match f {
                Some(f) => f(*e, v),
                None => generic(*e, v)?,
            };
        }
    }
    Ok(())
}

pub struct AtTask;

impl Task for AtTask {
    const TASK_ID: u32 = crate::AT;
    const NAME: &'static str = "ufunc_at";

    /// Scalars: op code (u32). Inputs: 0 the target (read), 1 the int64 positions, 2 the
    /// values (1-d, one per position). Output 0: the target again (written in place).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let op = BinaryOp::from_code(code).ok_or_else(|| TaskError::new(format!("unknown binary op {code}")))?;
        let (idx, values, target) = (ctx.input(1)?, ctx.input(2)?, ctx.output(0)?);
        let run = || crate::with_numeric_type!(target.type_code(), T => apply::<T>(op, &target, &idx, &values),
            Err(TaskError::new("at: unsupported dtype")));
        use legate_core::abi::TypeCode;
        let floating = matches!(target.type_code(), Some(TypeCode::Float32 | TypeCode::Float64 | TypeCode::Complex64 | TypeCode::Complex128));
        if floating && op.reports_fp_errors() {
            return crate::fperr::watch(op.numpy_name(), run);
        }
        let result = run();
        if !floating && matches!(op, BinaryOp::FloorDivide | BinaryOp::Remainder | BinaryOp::Fmod) {
            // Integers divided by zero give 0, and NumPy warns that it divided by zero.
            if crate::with_numeric_type!(target.type_code(), T => super::binary::has_zero::<T>(&values), false) {
                crate::fperr::record(op.numpy_name(), crate::fperr::DIVIDE);
            }
        }
        result
    }
}
