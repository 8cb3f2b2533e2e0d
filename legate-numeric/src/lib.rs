//! # legate-numeric
//!
//! NumPy's array operations as Legate tasks: elementwise ufuncs, conversions, arange,
//! reductions and matmul, each a kernel in [`tasks`] launched by [`Numeric`] on
//! stores. The Python package `legate_numeric` is a thin layer over this crate: it
//! resolves NumPy's dtype and broadcasting rules, then calls these launches.

pub mod ops;
pub mod tasks;

use legate_core::{LegateError, Library, LogicalStore, Result, Runtime, Scalar, Type};
pub use ops::{BinaryOp, ReduceOp, UnaryOp};

/// Name of the library in the runtime's registry.
pub const LIBRARY: &str = "legate_numeric";

pub(crate) const UNARY: u32 = 1;
pub(crate) const BINARY: u32 = 2;
pub(crate) const CONVERT: u32 = 3;
pub(crate) const ARANGE: u32 = 4;
pub(crate) const REDUCE: u32 = 5;
pub(crate) const MATMUL: u32 = 6;
pub(crate) const WHERE: u32 = 7;
pub(crate) const RESHAPE: u32 = 8;

/// One operand of a binary operation: an array (already broadcast to the output's
/// shape) or a scalar of the operation's type.
pub enum Operand<'a> {
    Store(&'a LogicalStore),
    Scalar(Scalar),
}

/// The numeric library, registered with a runtime.
#[derive(Clone)]
pub struct Numeric {
    rt: Runtime,
    lib: Library,
}

impl Numeric {
    /// Registers the library's tasks (once per runtime) and returns a handle.
    pub fn register(rt: &Runtime) -> Result<Numeric> {
        if let Some(lib) = rt.find_library(LIBRARY) {
            return Ok(Numeric { rt: rt.clone(), lib });
        }
        let lib = rt.create_library(LIBRARY);
        rt.register_task::<tasks::unary::UnaryTask>(&lib)?;
        rt.register_task::<tasks::binary::BinaryTask>(&lib)?;
        rt.register_task::<tasks::convert::ConvertTask>(&lib)?;
        rt.register_task::<tasks::convert::ArangeTask>(&lib)?;
        rt.register_task::<tasks::reduce::ReduceTask>(&lib)?;
        rt.register_task::<tasks::matmul::MatmulTask>(&lib)?;
        rt.register_task::<tasks::select::WhereTask>(&lib)?;
        rt.register_task::<tasks::select::ReshapeTask>(&lib)?;
        Ok(Numeric { rt: rt.clone(), lib })
    }

    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }

    fn same_shape(a: &LogicalStore, b: &LogicalStore, what: &str) -> Result<()> {
        if a.shape() != b.shape() {
            return Err(LegateError::ShapeMismatch(format!("{what}: shapes {} and {} differ", a.shape(), b.shape())));
        }
        Ok(())
    }

    /// `out = op(input)`.
    pub fn unary(&self, op: UnaryOp, input: &LogicalStore, out: &LogicalStore) -> Result<()> {
        Self::same_shape(input, out, op.name())?;
        let mut t = self.rt.create_auto_task(&self.lib, UNARY);
        t.add_scalar_arg(op as u32);
        let i = t.add_input(input);
        let o = t.add_output(out);
        t.add_alignment(i, o);
        t.execute()
    }

    /// `out = op(a, b)`; array operands have `out`'s shape, all operands one type.
    pub fn binary(&self, op: BinaryOp, a: Operand, b: Operand, out: &LogicalStore) -> Result<()> {
        let mut t = self.rt.create_auto_task(&self.lib, BINARY);
        t.add_scalar_arg(op as u32);
        let flags = matches!(a, Operand::Scalar(_)) as u32 | (matches!(b, Operand::Scalar(_)) as u32) << 1;
        if flags == 3 {
            return Err(LegateError::InvalidArgument(format!("{}: at least one operand must be an array", op.name())));
        }
        t.add_scalar_arg(flags);
        let o = t.add_output(out);
        for operand in [a, b] {
            match operand {
                Operand::Store(s) => {
                    Self::same_shape(s, out, op.name())?;
                    let v = t.add_input(s);
                    t.add_alignment(v, o);
                }
                Operand::Scalar(s) => t.add_scalar_arg(s),
            }
        }
        t.execute()
    }

    /// `out = input.astype(out.dtype)`.
    pub fn convert(&self, input: &LogicalStore, out: &LogicalStore) -> Result<()> {
        Self::same_shape(input, out, "astype")?;
        let mut t = self.rt.create_auto_task(&self.lib, CONVERT);
        let i = t.add_input(input);
        let o = t.add_output(out);
        t.add_alignment(i, o);
        t.execute()
    }

    /// `out[i] = start + i * step` for a 1-d `out` (integer arithmetic for integer types).
    pub fn arange(&self, out: &LogicalStore, start: Scalar, step: Scalar) -> Result<()> {
        if out.ndim() != 1 {
            return Err(LegateError::InvalidArgument("arange fills a 1-d store".into()));
        }
        let mut t = self.rt.create_auto_task(&self.lib, ARANGE);
        t.add_output(out);
        t.add_scalar_arg(start);
        t.add_scalar_arg(step);
        t.execute()
    }

    /// Reduces all of `input` into a new one-element future of the input's type.
    pub fn reduce_all(&self, op: ReduceOp, input: &LogicalStore) -> Result<LogicalStore> {
        let ty = input.ty().clone();
        let identity = identity_scalar(op, &ty)?;
        let fut = self.rt.create_future(identity)?;
        let mut t = self.rt.create_auto_task(&self.lib, REDUCE);
        t.add_scalar_arg(op as u32);
        t.add_scalar_arg(0u32);
        t.add_input(input);
        // The runtime folds private buffers with its own operator; for these ops and
        // types the two agree (sum/any: add or or, prod/all: mul or and).
        t.add_reduction(&fut, core_op(op, &ty));
        t.execute()?;
        Ok(fut)
    }

    /// Reduces `input` along `axes` into `out`, whose shape is the input's without them.
    pub fn reduce_axes(&self, op: ReduceOp, input: &LogicalStore, axes: &[usize], out: &LogicalStore) -> Result<()> {
        let shape = input.shape();
        let mut sorted = axes.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.iter().any(|&a| a >= shape.ndim()) || out.ndim() + sorted.len() != shape.ndim() {
            return Err(LegateError::InvalidArgument(format!("cannot reduce a {}-d array along {axes:?} into a {}-d one", shape.ndim(), out.ndim())));
        }
        let mut view = out.clone();
        for &a in &sorted {
            view = view.promote(a, shape[a])?;
        }
        Self::same_shape(input, &view, op.name())?;
        let mut t = self.rt.create_auto_task(&self.lib, REDUCE);
        t.add_scalar_arg(op as u32);
        t.add_scalar_arg(1u32);
        let i = t.add_input(input);
        let o = t.add_output(&view);
        t.add_alignment(i, o);
        t.add_broadcast(i, Some(&sorted));
        t.execute()
    }

    /// `out = where(cond, x, y)`; array operands have `out`'s shape and type.
    pub fn select(&self, cond: &LogicalStore, x: Operand, y: Operand, out: &LogicalStore) -> Result<()> {
        Self::same_shape(cond, out, "where")?;
        let mut t = self.rt.create_auto_task(&self.lib, WHERE);
        let flags = matches!(x, Operand::Scalar(_)) as u32 | (matches!(y, Operand::Scalar(_)) as u32) << 1;
        t.add_scalar_arg(flags);
        let o = t.add_output(out);
        let c = t.add_input(cond);
        t.add_alignment(c, o);
        for operand in [x, y] {
            match operand {
                Operand::Store(s) => {
                    Self::same_shape(s, out, "where")?;
                    let v = t.add_input(s);
                    t.add_alignment(v, o);
                }
                Operand::Scalar(s) => t.add_scalar_arg(s),
            }
        }
        t.execute()
    }

    /// Copies `input` into the C-contiguous store `out` of another shape, element by
    /// element in row-major order (one task: this is a global reordering).
    pub fn reshape(&self, input: &LogicalStore, out: &LogicalStore) -> Result<()> {
        if input.volume() != out.volume() || input.ty() != out.ty() {
            return Err(LegateError::ShapeMismatch(format!("cannot reshape {} into {}", input.shape(), out.shape())));
        }
        let mut t = self.rt.create_auto_task(&self.lib, RESHAPE);
        let i = t.add_input(input);
        let o = t.add_output(out);
        t.add_broadcast(i, None);
        t.add_broadcast(o, None);
        t.execute()
    }

    /// `out = a @ b` for 2-d arrays of one type.
    pub fn matmul(&self, a: &LogicalStore, b: &LogicalStore, out: &LogicalStore) -> Result<()> {
        let (sa, sb, so) = (a.shape(), b.shape(), out.shape());
        if sa.ndim() != 2 || sb.ndim() != 2 || so.ndim() != 2 || sa[1] != sb[0] || so[0] != sa[0] || so[1] != sb[1] {
            return Err(LegateError::ShapeMismatch(format!("matmul: shapes {sa}, {sb} -> {so} do not match")));
        }
        let mut t = self.rt.create_auto_task(&self.lib, MATMUL);
        let o = t.add_output(out);
        let ia = t.add_input(a);
        let ib = t.add_input(b);
        // Split rows only: C's and A's row blocks match; every point reads all of B.
        t.add_broadcast(o, Some(&[1]));
        t.add_broadcast(ia, Some(&[1]));
        t.add_broadcast(ib, None);
        t.execute()
    }
}

fn core_op(op: ReduceOp, ty: &Type) -> legate_core::ReductionOp {
    use legate_core::ReductionOp as R;
    match (op, ty) {
        (ReduceOp::Sum | ReduceOp::Any, Type::Bool) => R::Or,
        (ReduceOp::Prod | ReduceOp::All, Type::Bool) => R::And,
        (ReduceOp::Sum | ReduceOp::Any, _) => R::Add,
        (ReduceOp::Prod | ReduceOp::All, _) => R::Mul,
        (ReduceOp::Max, _) => R::Max,
        (ReduceOp::Min, _) => R::Min,
    }
}

fn identity_scalar(op: ReduceOp, ty: &Type) -> Result<Scalar> {
    use tasks::reduce::Reducible;
    macro_rules! id {
        ($t:ty) => {
            Scalar::new(<$t as Reducible>::identity(op))
        };
    }
    Ok(match ty {
        Type::Bool => id!(bool),
        Type::Int8 => id!(i8),
        Type::Int16 => id!(i16),
        Type::Int32 => id!(i32),
        Type::Int64 => id!(i64),
        Type::UInt8 => id!(u8),
        Type::UInt16 => id!(u16),
        Type::UInt32 => id!(u32),
        Type::UInt64 => id!(u64),
        Type::Float32 => id!(f32),
        Type::Float64 => id!(f64),
        Type::Complex64 => id!(num_complex::Complex32),
        Type::Complex128 => id!(num_complex::Complex64),
        other => return Err(LegateError::TypeMismatch(format!("'{}' does not support {other}", op.name()))),
    })
}
