//! # legate-numeric
//!
//! NumPy's array operations as Legate tasks: elementwise ufuncs, conversions, arange,
//! reductions and matmul, each a kernel in [`tasks`] launched by [`Numeric`] on
//! stores. The Python package `legate_numeric` is a thin layer over this crate: it
//! resolves NumPy's dtype and broadcasting rules, then calls these launches.

pub mod fperr;
mod fusion;
mod linalg;
pub mod ops;
pub mod tasks;
#[cfg(test)]
mod tests;

use legate_core::point::Role;
use legate_core::{LegateError, Library, LogicalStore, Point, Result, Runtime, Scalar, Type};
pub use ops::{BinaryOp, ReduceOp, UnaryOp};
pub use tasks::random::Distribution;
pub use tasks::sample::Sampler;
pub use tasks::index::{BoundsMode, IndexDim, NonzeroOutput};
pub use tasks::fft::FftKind;
pub use fusion::FusionStats;

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
pub(crate) const RANDOM: u32 = 20;
pub(crate) const SCAN: u32 = 21;
pub(crate) const SAMPLE: u32 = 28;
pub(crate) const ARG_AXIS: u32 = 22;
pub(crate) const ARG_FIND: u32 = 23;
pub(crate) const CHOLESKY: u32 = 30;
pub(crate) const SOLVE: u32 = 31;
pub(crate) const SORT: u32 = 33;
pub(crate) const SEARCH: u32 = 35;
pub(crate) const BINCOUNT: u32 = 36;
pub(crate) const AT: u32 = 37;
pub(crate) const SAMPLE_SORT: u32 = 38;
pub(crate) const FFT: u32 = 39;
// 40-43: tasks::index.
pub(crate) const QR: u32 = 50;
pub(crate) const SVD: u32 = 51;
pub(crate) const EIG: u32 = 52;
pub(crate) const EIGH: u32 = 53;
pub(crate) const SLOGDET: u32 = 54;
pub(crate) const FUSED: u32 = 60;
pub(crate) const FOLD: u32 = 61;

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
    /// The window of elementwise operations held back to be fused (one per runtime).
    fusion: std::sync::Arc<fusion::Fusion>,
}

impl Numeric {
    /// Registers the library's tasks (once per runtime) and returns a handle.
    pub fn register(rt: &Runtime) -> Result<Numeric> {
        if let Some(lib) = rt.find_library(LIBRARY) {
            let fusion = rt
                .flush_hook()
                .and_then(|h| h.as_any().downcast_ref::<fusion::Hook>())
                .map(|h| h.0.clone())
                .unwrap_or_else(|| std::sync::Arc::new(fusion::Fusion::new(lib.clone(), 1, 0)));
            return Ok(Numeric { rt: rt.clone(), lib, fusion });
        }
        let lib = rt.create_library(LIBRARY);
        if rt.num_ranks() > 1 {
            fperr::Agreement::install(rt);
        }
        rt.register_task::<tasks::unary::UnaryTask>(&lib)?;
        rt.register_task::<tasks::binary::BinaryTask>(&lib)?;
        rt.register_task::<tasks::convert::ConvertTask>(&lib)?;
        rt.register_task::<tasks::convert::ArangeTask>(&lib)?;
        rt.register_task::<tasks::reduce::ReduceTask>(&lib)?;
        rt.register_task::<tasks::matmul::MatmulTask>(&lib)?;
        rt.register_task::<tasks::select::WhereTask>(&lib)?;
        rt.register_task::<tasks::select::ReshapeTask>(&lib)?;
        rt.register_task::<tasks::random::RandomTask>(&lib)?;
        rt.register_task::<tasks::sample::SampleTask>(&lib)?;
        rt.register_task::<tasks::scan::ScanTask>(&lib)?;
        rt.register_task::<tasks::argreduce::ArgAxisTask>(&lib)?;
        rt.register_task::<tasks::argreduce::ArgFindTask>(&lib)?;
        rt.register_task::<tasks::factor::CholeskyTask>(&lib)?;
        rt.register_task::<tasks::factor::SolveTask>(&lib)?;
        rt.register_task::<tasks::sort::SortTask>(&lib)?;
        rt.register_task::<tasks::sort::SampleSortTask>(&lib)?;
        rt.register_task::<tasks::sort::SearchTask>(&lib)?;
        rt.register_task::<tasks::histogram::BincountTask>(&lib)?;
        rt.register_task::<tasks::at::AtTask>(&lib)?;
        rt.register_task::<tasks::fft::FftTask>(&lib)?;
        rt.register_task::<tasks::decomp::QrTask>(&lib)?;
        rt.register_task::<tasks::decomp::SvdTask>(&lib)?;
        rt.register_task::<tasks::decomp::EigTask>(&lib)?;
        rt.register_task::<tasks::decomp::EighTask>(&lib)?;
        rt.register_task::<tasks::decomp::SlogdetTask>(&lib)?;
        rt.register_task::<tasks::fused::FusedTask>(&lib)?;
        rt.register_task::<tasks::fold::FoldTask>(&lib)?;
        tasks::index::register(rt, &lib)?;
        // Long windows of small stores while their outputs stay under a quarter of --sysmem.
        let budget = (rt.config().sysmem_mb << 20) / 4;
        let fusion = std::sync::Arc::new(fusion::Fusion::new(lib.clone(), rt.config().window_size, budget));
        let fusion = if rt.set_flush_hook(std::sync::Arc::new(fusion::Hook(fusion.clone()))) {
            fusion
        } else {
            // Another library holds operations back here: no fusion for this one.
            std::sync::Arc::new(fusion::Fusion::new(lib.clone(), 1, 0))
        };
        Ok(Numeric { rt: rt.clone(), lib, fusion })
    }

    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }

    /// What fusion did so far.
    pub fn fusion_stats(&self) -> FusionStats {
        self.fusion.stats()
    }

    /// Whether elementwise operations are held back to be fused (`LEGATE_WINDOW_SIZE` > 1).
    pub fn fusion_enabled(&self) -> bool {
        self.fusion.enabled()
    }

    /// A new store for an operation's result (as `Runtime::create_store_of_shape`
    /// makes), made of a dead temporary of the last fused window when one fits.
    pub fn create_result(&self, ty: &Type, shape: &Point) -> Result<LogicalStore> {
        match self.fusion.take_spare(ty, shape) {
            Some(spare) => self.rt.create_store_reusing(ty, shape, spare),
            None => self.rt.create_store_of_shape(ty.clone(), shape),
        }
    }

    /// Launches the operations held back for fusion now.
    pub fn flush(&self) -> Result<()> {
        self.fusion.flush(&self.rt)
    }

    /// Copies `src` into `dst` (same shape and type), fused with the elementwise
    /// operations around it when the two are distinct storages or the same view.
    pub fn copy(&self, dst: &LogicalStore, src: &LogicalStore) -> Result<()> {
        if dst.ty() == src.ty() && self.fusion.record(&self.rt, fusion::Kind::Convert, src.ty(), &[fusion::Arg::Store(src)], dst)? {
            return Ok(());
        }
        self.rt.issue_copy(dst, src)
    }

    /// Launches `task_id` on one point with whole stores: `inputs`, then `out`.
    fn whole(&self, task_id: u32, inputs: &[&LogicalStore], out: &LogicalStore) -> Result<()> {
        let mut t = self.rt.create_auto_task(&self.lib, task_id);
        for input in inputs {
            let v = t.add_input(input);
            t.add_broadcast(v, None);
        }
        let o = t.add_output(out);
        t.add_broadcast(o, None);
        t.execute()
    }

    fn same_shape(a: &LogicalStore, b: &LogicalStore, what: &str) -> Result<()> {
        if !a.same_shape(b) {
            return Err(LegateError::ShapeMismatch(format!("{what}: shapes {} and {} differ", a.shape(), b.shape())));
        }
        Ok(())
    }

    /// `out = op(input)`.
    pub fn unary(&self, op: UnaryOp, input: &LogicalStore, out: &LogicalStore) -> Result<()> {
        Self::same_shape(input, out, op.name())?;
        if self.fusion.record(&self.rt, fusion::Kind::Unary(op), input.ty(), &[fusion::Arg::Store(input)], out)? {
            return Ok(());
        }
        self.rt.launch_aligned(&self.lib, UNARY, &[(input, Role::Input), (out, Role::Output)], &[Scalar::from(op as u32)], false)
    }

    /// `out = op(a, b)`; array operands have `out`'s shape, all operands one type.
    pub fn binary(&self, op: BinaryOp, a: Operand, b: Operand, out: &LogicalStore) -> Result<()> {
        // (At least one array: two numbers are not an operation on arrays. The window
        // takes operands of `out`'s shape only: others launch unfused, which reports.)
        if self.fusion.enabled() && (matches!(a, Operand::Store(_)) || matches!(b, Operand::Store(_))) {
            let ty = match &a {
                Operand::Store(s) => s.ty(),
                Operand::Scalar(v) => v.ty(),
            };
            if self.fusion.record(&self.rt, fusion::Kind::Binary(op), ty, &[fusion_arg(&a), fusion_arg(&b)], out)? {
                return Ok(());
            }
        }
        // NumPy raises a negative integer power at the call (and leaves `out` alone):
        // wait for the operation and raise its error here, rather than at a later read.
        let throws = op == BinaryOp::Power && out.ty().is_integral();
        let flags = matches!(a, Operand::Scalar(_)) as u32 | (matches!(b, Operand::Scalar(_)) as u32) << 1;
        if flags == 3 {
            return Err(LegateError::InvalidArgument(format!("{}: at least one operand must be an array", op.name())));
        }
        for operand in [&a, &b] {
            if let Operand::Store(s) = operand {
                Self::same_shape(s, out, op.name())?;
            }
        }
        let (o, code) = ((out, Role::Output), Scalar::from(op as u32));
        let lib = &self.lib;
        match (a, b) {
            (Operand::Store(x), Operand::Store(y)) => {
                self.rt.launch_aligned(lib, BINARY, &[o, (x, Role::Input), (y, Role::Input)], &[code, Scalar::from(flags)], throws)
            }
            (Operand::Store(x), Operand::Scalar(v)) | (Operand::Scalar(v), Operand::Store(x)) => {
                self.rt.launch_aligned(lib, BINARY, &[o, (x, Role::Input)], &[code, Scalar::from(flags), v], throws)
            }
            (Operand::Scalar(_), Operand::Scalar(_)) => unreachable!("refused above"),
        }
    }

    /// `out = input.astype(out.dtype)`.
    pub fn convert(&self, input: &LogicalStore, out: &LogicalStore) -> Result<()> {
        Self::same_shape(input, out, "astype")?;
        if self.fusion.record(&self.rt, fusion::Kind::Convert, input.ty(), &[fusion::Arg::Store(input)], out)? {
            return Ok(());
        }
        self.rt.launch_aligned(&self.lib, CONVERT, &[(input, Role::Input), (out, Role::Output)], &[], false)
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
        // Points' partial sums and products are combined by the runtime, whose overflow
        // (or inf - inf) NumPy would report: a tiny task checks the result.
        let splits = self.rt.machine().cpus > 1 || self.rt.num_ranks() > 1;
        let seen = if splits && input.volume() > self.rt.config().min_chunk() && tasks::reduce::arithmetic_on_floats(op, Some(ty.code())) {
            let seen = self.rt.create_future(Scalar::new(0u32))?;
            t.add_reduction(&seen, legate_core::ReductionOp::Or);
            Some(seen)
        } else {
            None
        };
        t.execute()?;
        if let Some(seen) = seen {
            let mut c = self.rt.create_auto_task(&self.lib, REDUCE);
            c.add_scalar_arg(op as u32);
            c.add_scalar_arg(3u32);
            c.add_input(&fut);
            c.add_input(&seen);
            c.execute()?;
        }
        Ok(fut)
    }

    /// The sum of the products of same-shaped `a` and `b` (of one type) as a new
    /// one-element future: `dot` of two vectors, without a temporary.
    pub fn dot(&self, a: &LogicalStore, b: &LogicalStore) -> Result<LogicalStore> {
        Self::same_shape(a, b, "dot")?;
        if a.ty() != b.ty() {
            return Err(LegateError::TypeMismatch(format!("dot: operands of types {} and {}", a.ty(), b.ty())));
        }
        let ty = a.ty().clone();
        let fut = self.rt.create_future(identity_scalar(ReduceOp::Sum, &ty)?)?;
        // At the end of a window over the operands' shape: summed in that pass.
        if self.fusion.record_dot(&self.rt, a, b, &fut)? {
            return Ok(fut);
        }
        let mut t = self.rt.create_auto_task(&self.lib, REDUCE);
        t.add_scalar_arg(ReduceOp::Sum as u32);
        t.add_scalar_arg(2u32);
        let va = t.add_input(a);
        let vb = t.add_input(b);
        t.add_alignment(va, vb);
        t.add_reduction(&fut, core_op(ReduceOp::Sum, &ty));
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
        if self.fusion.enabled() && self.fusion.record(&self.rt, fusion::Kind::Where, out.ty(), &[fusion::Arg::Store(cond), fusion_arg(&x), fusion_arg(&y)], out)? {
            return Ok(());
        }
        let flags = matches!(x, Operand::Scalar(_)) as u32 | (matches!(y, Operand::Scalar(_)) as u32) << 1;
        let mut scalars: smallvec::SmallVec<[Scalar; 3]> = smallvec::smallvec![Scalar::from(flags)];
        let mut args: smallvec::SmallVec<[(&LogicalStore, Role); 4]> = smallvec::smallvec![(out, Role::Output), (cond, Role::Input)];
        for operand in [x, y] {
            match operand {
                Operand::Store(s) => {
                    Self::same_shape(s, out, "where")?;
                    args.push((s, Role::Input));
                }
                Operand::Scalar(s) => scalars.push(s),
            }
        }
        self.rt.launch_aligned(&self.lib, WHERE, &args, &scalars, false)
    }

    /// Copies `input` into the C-contiguous store `out` of another shape, element by
    /// element in row-major order (one task: this is a global reordering).
    pub fn reshape(&self, input: &LogicalStore, out: &LogicalStore) -> Result<()> {
        if input.volume() != out.volume() || input.ty() != out.ty() {
            return Err(LegateError::ShapeMismatch(format!("cannot reshape {} into {}", input.shape(), out.shape())));
        }
        self.whole(RESHAPE, &[input], out)
    }

    /// `out = a @ b` for 2-d arrays of one type, or for stacks of them: arrays of one
    /// more-than-2-d shape whose leading (batch) dimensions are equal (the caller
    /// broadcasts them), one product per matrix.
    ///
    /// The three are launched as views of one `(m, n, k)` iteration space (A promoted
    /// along n, B along m, C along k) aligned with each other, with k never split: the
    /// solver tiles the `(m, n)` plane over the processors, so each point computes a
    /// block of C from its rows of A and its columns of B. A matrix-vector product
    /// (n = 1) splits A's rows, a vector-matrix product (m = 1) B's columns, and a
    /// square product gets square-ish blocks. Below the minimum chunk of `m * n * k`
    /// it runs on one point. A stack splits only its batch dimensions: each point
    /// multiplies whole matrices, one after another.
    ///
    /// A float matrix-vector product whose sum is much longer than its result (`X.T @ r`
    /// or `r @ X` for a tall `X`: [`SPLIT_K`]) splits k instead, with C a sum reduction
    /// zeroed first: split along its few rows, each point of `X.T @ r` would read every
    /// other cache line of all of `X` (the prefetchers fetch the skipped ones too).
    pub fn matmul(&self, a: &LogicalStore, b: &LogicalStore, out: &LogicalStore) -> Result<()> {
        let (sa, sb, so) = (a.shape(), b.shape(), out.shape());
        let nd = sa.ndim();
        let lead = |s: &[i64]| s[..nd - 2].to_vec();
        let batch_ok = nd >= 2 && sb.ndim() == nd && so.ndim() == nd && lead(sa.as_slice()) == lead(sb.as_slice()) && lead(sa.as_slice()) == lead(so.as_slice());
        if !batch_ok || sa[nd - 1] != sb[nd - 2] || so[nd - 2] != sa[nd - 2] || so[nd - 1] != sb[nd - 1] {
            return Err(LegateError::ShapeMismatch(format!("matmul: shapes {sa}, {sb} -> {so} do not match")));
        }
        if a.ty() != b.ty() || a.ty() != out.ty() {
            return Err(LegateError::TypeMismatch(format!("matmul: operands of types {}, {} -> {}", a.ty(), b.ty(), out.ty())));
        }
        let nb = nd - 2;
        let (m, n, k) = (sa[nb], sb[nb + 1], sa[nb + 1]);
        if k == 0 {
            // Empty sums: zeros (a promoted view of extent 0 would cover nothing).
            return self.rt.issue_fill(out, identity_scalar(ReduceOp::Sum, out.ty())?);
        }
        if so.volume() == 0 {
            return Ok(());
        }
        // Batch dims first, then (m, n, k).
        let mut b_axes: Vec<usize> = (0..nd + 1).collect();
        b_axes.swap(nb + 1, nb + 2);
        let a3 = a.promote(nb + 1, n)?;
        let b3 = b.promote(nb, m)?.transpose(&b_axes)?;
        let mut t = self.rt.create_auto_task(&self.lib, MATMUL);
        let split_k = nb == 0 && (m == 1 || n == 1) && k >= SPLIT_K * m * n && matches!(out.ty(), Type::Float32 | Type::Float64);
        if split_k {
            self.rt.issue_fill(out, identity_scalar(ReduceOp::Sum, out.ty())?)?;
            let ia = t.add_input(&a3);
            let ib = t.add_input(&b3);
            t.add_alignment(ia, ib);
            t.add_broadcast(ia, Some(&[0, 1]));
            let o = t.add_reduction(out, legate_core::ReductionOp::Add);
            t.add_broadcast(o, None);
        } else {
            let c3 = out.promote(nb + 2, k)?;
            let o = t.add_output(&c3);
            let ia = t.add_input(&a3);
            let ib = t.add_input(&b3);
            t.add_alignment(o, ia);
            t.add_alignment(o, ib);
            // A stack keeps its matrices whole; one matrix tiles its (m, n) plane.
            let whole = [nb, nb + 1, nb + 2];
            t.add_broadcast(o, Some(if nb == 0 { &whole[2..] } else { &whole[..] }));
        }
        t.execute()
    }
}

/// A matrix-vector product splits k when k is at least this many times C's size: then
/// the private copies of C that the points sum are small next to the matrix.
const SPLIT_K: i64 = 64;

/// An operand as the fusion window takes it (borrowed: it checks shapes and types).
fn fusion_arg<'a>(x: &'a Operand<'_>) -> fusion::Arg<'a> {
    match x {
        Operand::Store(s) => fusion::Arg::Store(s),
        Operand::Scalar(v) => fusion::Arg::Scalar(v),
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

/// Random numbers, scans and arg-reductions.
impl Numeric {
    /// Fills `out` with draw `draw` of the counter-based generator seeded with `seed`:
    /// element `i` (row-major in `out`) depends only on `(seed, draw, i)`, never on
    /// the partitioning. `p0`, `p1`: `low`/`high` (uniform) or `loc`/`scale` (normal)
    /// as f64; for integers `low` (u64, two's complement) and the range (u64, 0 for
    /// 2^64).
    pub fn random(&self, out: &LogicalStore, dist: Distribution, seed: u64, draw: u64, p0: Scalar, p1: Scalar) -> Result<()> {
        let want = if dist == Distribution::Integers { Type::UInt64 } else { Type::Float64 };
        if p0.ty() != &want || p1.ty() != &want {
            return Err(LegateError::TypeMismatch(format!("random {dist:?}: parameters must be {want}")));
        }
        let ok = match dist {
            Distribution::Integers => out.ty().is_integral() || *out.ty() == Type::Bool,
            _ => matches!(out.ty(), Type::Float32 | Type::Float64),
        };
        if !ok {
            return Err(LegateError::TypeMismatch(format!("random {dist:?}: unsupported dtype {}", out.ty())));
        }
        if out.volume() == 0 {
            return Ok(());
        }
        let mut t = self.rt.create_auto_task(&self.lib, RANDOM);
        t.add_scalar_arg(dist as u32);
        t.add_scalar_arg(seed);
        t.add_scalar_arg(draw);
        t.add_scalar_arg(p0);
        t.add_scalar_arg(p1);
        for &e in out.shape().as_slice() {
            t.add_scalar_arg(e);
        }
        t.add_output(out);
        t.execute()
    }

    /// Sorts `input` along `axis` into `out`: the values (`indices` false, `out` of the
    /// input's type) or their positions (`indices` true, `out` int64). Points own whole
    /// lines; a 1-d array on one rank is sample-sorted across the processors.
    pub fn sort(&self, input: &LogicalStore, out: &LogicalStore, axis: usize, indices: bool) -> Result<()> {
        self.sort_or_partition(input, out, axis, indices, &[])
    }

    /// Partitions every line of `input` along `axis` into `out` (values, or int64
    /// positions with `indices`) around the ascending positions `kth`: each of them
    /// holds the element a sort would put there, smaller or equal ones before it and
    /// larger or equal ones after (NumPy's `partition`); a selection, not a sort.
    pub fn partition(&self, input: &LogicalStore, out: &LogicalStore, axis: usize, indices: bool, kth: &[usize]) -> Result<()> {
        let n = input.shape().as_slice().get(axis).copied().unwrap_or(1) as usize;
        if kth.is_empty() || kth.windows(2).any(|w| w[0] >= w[1]) || kth.last().is_some_and(|&k| k >= n) {
            return Err(LegateError::InvalidArgument(format!("partition: kth {kth:?} must be nonempty, ascend and lie below the axis length {n}")));
        }
        self.sort_or_partition(input, out, axis, indices, kth)
    }

    fn sort_or_partition(&self, input: &LogicalStore, out: &LogicalStore, axis: usize, indices: bool, kth: &[usize]) -> Result<()> {
        Self::same_shape(input, out, "sort")?;
        let want = if indices { Type::Int64 } else { input.ty().clone() };
        if *out.ty() != want {
            return Err(LegateError::TypeMismatch(format!("sort: the output must be {want}, not {}", out.ty())));
        }
        let shape = input.shape();
        if axis >= shape.ndim().max(1) {
            return Err(LegateError::InvalidArgument(format!("sort: axis {axis} is out of range for a {}-d store", shape.ndim())));
        }
        if shape.volume() == 0 {
            return Ok(());
        }
        if shape.ndim() == 1 && self.rt.num_ranks() == 1 && kth.is_empty() {
            // A sample sort across the processors: every point reads all of the input
            // and writes its tile of the output (see tasks::sort::sort_window).
            let mut t = self.rt.create_auto_task(&self.lib, SORT);
            t.add_scalar_arg(0u32);
            t.add_scalar_arg(indices);
            t.add_scalar_arg(true);
            let i = t.add_input(input);
            t.add_broadcast(i, None);
            t.add_output(out);
            return t.execute();
        }
        let mut t = self.rt.create_auto_task(&self.lib, SORT);
        t.add_scalar_arg(axis as u32);
        t.add_scalar_arg(indices);
        if !kth.is_empty() {
            t.add_scalar_arg(false);
            for &k in kth {
                t.add_scalar_arg(k as u64);
            }
        }
        let i = t.add_input(input);
        let o = t.add_output(out);
        t.add_alignment(i, o);
        if shape.ndim() > 0 {
            t.add_broadcast(i, Some(&[axis]));
        }
        t.execute()
    }

    /// The values of 1-d `input` in NumPy's order, as a new store, sorted across ranks:
    /// a sample sort over a communicator (each value moves at most once between ranks).
    /// On one rank this is one point's sort.
    pub fn sort_distributed(&self, input: &LogicalStore) -> Result<LogicalStore> {
        if input.ndim() != 1 {
            return Err(LegateError::InvalidArgument("sort_distributed: a 1-d array".into()));
        }
        let out = self.rt.create_unbound_store(input.ty().clone(), 1)?;
        let mut t = self.rt.create_auto_task(&self.lib, SAMPLE_SORT);
        t.add_input(input);
        t.add_output(&out);
        t.add_communicator();
        t.execute()?;
        Ok(out)
    }

    /// `out` (int64, the values' shape) = where each of `values` goes in the sorted 1-d
    /// `sorted` (of the same type): before equal elements, or after them with `right`.
    pub fn searchsorted(&self, sorted: &LogicalStore, values: &LogicalStore, out: &LogicalStore, right: bool) -> Result<()> {
        Self::same_shape(values, out, "searchsorted")?;
        if sorted.ndim() != 1 || sorted.ty() != values.ty() || *out.ty() != Type::Int64 {
            return Err(LegateError::TypeMismatch("searchsorted: a 1-d array and values of its type, int64 positions".into()));
        }
        if values.volume() == 0 {
            return Ok(());
        }
        let mut t = self.rt.create_auto_task(&self.lib, SEARCH);
        t.add_scalar_arg(right);
        let s = t.add_input(sorted);
        let v = t.add_input(values);
        let o = t.add_output(out);
        t.add_broadcast(s, None);
        t.add_alignment(v, o);
        t.execute()
    }

    /// Adds to `bins` (1-d: int64 counts, or float64 sums of `weights`) one, or the
    /// weight, for every int64 value of 1-d `values` (all inside the bins).
    pub fn bincount(&self, values: &LogicalStore, weights: Option<&LogicalStore>, bins: &LogicalStore) -> Result<()> {
        if values.ndim() != 1 || bins.ndim() != 1 || *values.ty() != Type::Int64 {
            return Err(LegateError::TypeMismatch("bincount: 1-d int64 values and 1-d bins".into()));
        }
        if values.volume() == 0 {
            return Ok(());
        }
        let mut t = self.rt.create_auto_task(&self.lib, BINCOUNT);
        let v = t.add_input(values);
        if let Some(w) = weights {
            Self::same_shape(values, w, "bincount")?;
            let wv = t.add_input(w);
            t.add_alignment(v, wv);
        }
        let b = t.add_reduction(bins, legate_core::ReductionOp::Add);
        t.add_broadcast(b, None);
        t.execute()
    }

    /// `ufunc.at`: `target[i] = op(target[i], v)` for each position `i` of the int64
    /// `indices` and its value of `values` in turn (repeated positions accumulate), on
    /// one point. Waits, so that an index out of bounds raises here.
    pub fn at(&self, op: BinaryOp, target: &LogicalStore, indices: &LogicalStore, values: &LogicalStore) -> Result<()> {
        if target.ndim() != 1 || indices.ndim() != 1 || *indices.ty() != Type::Int64 || values.ty() != target.ty() {
            return Err(LegateError::TypeMismatch("at: a 1-d target, 1-d int64 indices, values of the target's dtype".into()));
        }
        Self::same_shape(indices, values, "at")?;
        if indices.volume() == 0 {
            return Ok(());
        }
        let mut t = self.rt.create_auto_task(&self.lib, AT);
        t.add_scalar_arg(op as u32);
        for s in [target, indices, values] {
            let v = t.add_input(s);
            t.add_broadcast(v, None);
        }
        let o = t.add_partial_output(target);
        t.add_broadcast(o, None);
        t.throws_exception(true);
        t.execute()
    }

    /// `ufunc.reduce`/`accumulate` of any binary `op` along `axis`, in NumPy's order
    /// (`kind` indexes `tasks::fold::KINDS`, the name floating-point errors carry).
    /// With `init` (the input's shape without `axis`): the reduction of `input` from
    /// `init` into `out` of that shape, skipping elements where `mask` (the input's
    /// shape) is false. Without: the accumulation into `out` of the input's shape.
    #[allow(clippy::too_many_arguments)]
    pub fn fold(&self, op: BinaryOp, kind: u32, input: &LogicalStore, init: Option<&LogicalStore>, mask: Option<&LogicalStore>, out: &LogicalStore, axis: usize) -> Result<()> {
        let shape = input.shape();
        if axis >= shape.ndim() {
            return Err(LegateError::InvalidArgument(format!("fold: axis {axis} is out of range for a {}-d store", shape.ndim())));
        }
        if out.ty() != input.ty() || init.is_some_and(|i| i.ty() != input.ty()) || mask.is_some_and(|m| *m.ty() != Type::Bool) {
            return Err(LegateError::TypeMismatch("fold: the input, initial values and output of one dtype, a bool mask".into()));
        }
        let (out_view, init_view) = match init {
            Some(i) => (out.promote(axis, shape[axis])?, Some(i.promote(axis, shape[axis])?)),
            None => (out.clone(), None),
        };
        Self::same_shape(input, &out_view, "fold")?;
        if let Some(v) = &init_view {
            Self::same_shape(input, v, "fold")?;
        }
        if let Some(m) = mask {
            Self::same_shape(input, m, "fold")?;
        }
        if input.volume() == 0 {
            return match init {
                Some(i) if out.volume() > 0 => self.convert(i, out),
                _ => Ok(()),
            };
        }
        let mut t = self.rt.create_auto_task(&self.lib, FOLD);
        t.add_scalar_arg(op as u32);
        t.add_scalar_arg(axis as u32);
        t.add_scalar_arg(kind);
        t.add_scalar_arg(init.is_some() as u32 | (mask.is_some() as u32) << 1);
        let x = t.add_input(input);
        t.add_broadcast(x, Some(&[axis]));
        for s in init_view.iter().chain(mask) {
            let v = t.add_input(s);
            t.add_alignment(x, v);
        }
        let o = t.add_output(&out_view);
        t.add_alignment(x, o);
        t.throws_exception(op == BinaryOp::Power && input.ty().is_integral());
        t.execute()
    }

    /// Inclusive scan of `input` along `axis` into `out` (same shape and type): `add`
    /// is `Sum`, `multiply` `Prod`, `maximum` `Max`, `minimum` `Min`, `logical_and`
    /// `All` and `logical_or` `Any` (on booleans).
    pub fn scan(&self, op: ReduceOp, input: &LogicalStore, out: &LogicalStore, axis: usize) -> Result<()> {
        Self::same_shape(input, out, "scan")?;
        if input.ty() != out.ty() {
            return Err(LegateError::TypeMismatch(format!("scan: input {} and output {} differ", input.ty(), out.ty())));
        }
        let shape = input.shape();
        if axis >= shape.ndim() {
            return Err(LegateError::InvalidArgument(format!("scan: axis {axis} is out of range for a {}-d store", shape.ndim())));
        }
        let volume = shape.volume();
        if volume == 0 {
            return Ok(());
        }
        let n = shape[axis];
        let lines = volume / n as u64;
        let procs = self.rt.machine().cpus.max(1) as u64;
        let pieces = procs.min(volume / self.rt.config().min_chunk().max(1)).min(n as u64) as i64;
        if lines >= procs || pieces < 2 {
            // Each point scans whole lines.
            let mut t = self.rt.create_auto_task(&self.lib, SCAN);
            t.add_scalar_arg(op as u32);
            t.add_scalar_arg(axis as u32);
            t.add_scalar_arg(0u32);
            let i = t.add_input(input);
            let o = t.add_output(out);
            t.add_alignment(i, o);
            t.add_broadcast(i, Some(&[axis]));
            return t.execute();
        }
        // Too few lines: split the axis and run a two-pass prefix.
        let tile = (n + pieces - 1) / pieces;
        let colors = (n + tile - 1) / tile;
        let dims = shape.as_slice().to_vec();
        let mut tile_shape = dims.clone();
        tile_shape[axis] = tile;
        let mut one = dims.clone();
        one[axis] = 1;
        let mut pshape: Vec<usize> = dims.iter().map(|&e| e as usize).collect();
        pshape[axis] = colors as usize;
        let mut launch = vec![1i64; dims.len()];
        launch[axis] = colors;

        let partials = self.rt.create_store(input.ty().clone(), &pshape)?;
        let mut t = self.rt.create_manual_task(&self.lib, SCAN, &launch)?;
        t.add_scalar_arg(op as u32);
        t.add_scalar_arg(axis as u32);
        t.add_scalar_arg(1u32);
        t.add_input_partition(&input.partition_by_tiling(&tile_shape)?, None);
        t.add_output_partition(&out.partition_by_tiling(&tile_shape)?, None);
        t.add_output_partition(&partials.partition_by_tiling(&one)?, None);
        t.execute()?;

        let scanned = self.rt.create_store(input.ty().clone(), &pshape)?;
        let mut t = self.rt.create_auto_task(&self.lib, SCAN);
        t.add_scalar_arg(op as u32);
        t.add_scalar_arg(axis as u32);
        t.add_scalar_arg(0u32);
        let i = t.add_input(&partials);
        let o = t.add_output(&scanned);
        t.add_alignment(i, o);
        t.add_broadcast(i, Some(&[axis]));
        t.execute()?;

        let prev = scanned.slice_range(axis, 0, colors - 1)?;
        let rest = out.slice_range(axis, tile, n)?;
        let rest_part = rest.partition_by_tiling(&tile_shape)?;
        launch[axis] = colors - 1;
        let mut t = self.rt.create_manual_task(&self.lib, SCAN, &launch)?;
        t.add_scalar_arg(op as u32);
        t.add_scalar_arg(axis as u32);
        t.add_scalar_arg(2u32);
        t.add_input_partition(&prev.partition_by_tiling(&one)?, None);
        t.add_input_partition(&rest_part, None);
        t.add_output_partition(&rest_part, None);
        t.execute()
    }

    /// The flat (row-major) index of the first maximum (`argmax`) or minimum of all of
    /// `input`, the first NaN if there is one: a new one-element int64 future.
    pub fn arg_reduce_all(&self, argmax: bool, input: &LogicalStore) -> Result<LogicalStore> {
        if input.volume() == 0 {
            return Err(LegateError::InvalidArgument(format!("attempt to get {} of an empty sequence", if argmax { "argmax" } else { "argmin" })));
        }
        let op = if argmax { ReduceOp::Max } else { ReduceOp::Min };
        let extreme = self.rt.create_future(identity_scalar(op, input.ty())?)?;
        let mut t = self.rt.create_auto_task(&self.lib, ARG_FIND);
        t.add_scalar_arg(0u32);
        t.add_scalar_arg(argmax);
        t.add_input(input);
        t.add_reduction(&extreme, core_op(op, input.ty()));
        t.execute()?;
        let fut = self.rt.create_future(i64::MAX)?;
        let mut t = self.rt.create_auto_task(&self.lib, ARG_FIND);
        t.add_scalar_arg(1u32);
        for &e in input.shape().as_slice() {
            t.add_scalar_arg(e);
        }
        t.add_input(input);
        t.add_input(&extreme);
        t.add_reduction(&fut, legate_core::ReductionOp::Min);
        t.execute()?;
        Ok(fut)
    }

    /// `argmax`/`argmin` of `input` along `axis` into the int64 `out`, whose shape is
    /// the input's without `axis`.
    pub fn arg_reduce_axis(&self, argmax: bool, input: &LogicalStore, axis: usize, out: &LogicalStore) -> Result<()> {
        let shape = input.shape();
        if axis >= shape.ndim() || out.ndim() + 1 != shape.ndim() {
            return Err(LegateError::InvalidArgument(format!("cannot reduce a {}-d array along {axis} into a {}-d one", shape.ndim(), out.ndim())));
        }
        if *out.ty() != Type::Int64 {
            return Err(LegateError::TypeMismatch("argmax/argmin: the output must be int64".into()));
        }
        if shape[axis] == 0 && out.volume() > 0 {
            return Err(LegateError::InvalidArgument(format!("attempt to get {} of an empty sequence", if argmax { "argmax" } else { "argmin" })));
        }
        let view = out.promote(axis, shape[axis])?;
        Self::same_shape(input, &view, "argmax")?;
        if input.volume() == 0 {
            return Ok(());
        }
        let mut t = self.rt.create_auto_task(&self.lib, ARG_AXIS);
        t.add_scalar_arg(argmax);
        t.add_scalar_arg(axis as u32);
        let i = t.add_input(input);
        let o = t.add_output(&view);
        t.add_alignment(i, o);
        t.add_broadcast(i, Some(&[axis]));
        t.execute()
    }

    /// `out = cholesky(a)`: the lower factor of the square 2-d `a`, on one point.
    pub fn cholesky(&self, a: &LogicalStore, out: &LogicalStore) -> Result<()> {
        let (sa, so) = (a.shape(), out.shape());
        if sa.ndim() != 2 || sa[0] != sa[1] || sa != so {
            return Err(LegateError::ShapeMismatch(format!("cholesky: shapes {sa} -> {so} do not match")));
        }
        self.whole(CHOLESKY, &[a], out)
    }

    /// `out = solve(a, b)`: `a` square 2-d, `b` and `out` 1-d or 2-d, on one point.
    pub fn solve(&self, a: &LogicalStore, b: &LogicalStore, out: &LogicalStore) -> Result<()> {
        let (sa, sb, so) = (a.shape(), b.shape(), out.shape());
        if sa.ndim() != 2 || sa[0] != sa[1] || !(1..=2).contains(&sb.ndim()) || sb[0] != sa[0] || sb != so {
            return Err(LegateError::ShapeMismatch(format!("solve: shapes {sa}, {sb} -> {so} do not match")));
        }
        self.whole(SOLVE, &[a, b], out)
    }
}

/// NumPy's `norm=` of a Fourier transform: which direction is scaled by `1/n`
/// (`Backward`: the inverse; `Forward`: the forward one), or both by `1/sqrt(n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FftNorm {
    Backward,
    Ortho,
    Forward,
}

impl FftNorm {
    pub fn from_name(name: &str) -> Option<FftNorm> {
        match name {
            "backward" => Some(FftNorm::Backward),
            "ortho" => Some(FftNorm::Ortho),
            "forward" => Some(FftNorm::Forward),
            _ => None,
        }
    }

    /// The factor applied to every output of a transform of length `n`.
    pub fn scale(self, n: usize, inverse: bool) -> f64 {
        match (self, inverse) {
            (FftNorm::Ortho, _) => 1.0 / (n as f64).sqrt(),
            (FftNorm::Backward, true) | (FftNorm::Forward, false) => 1.0 / n as f64,
            _ => 1.0,
        }
    }
}

/// Fourier transforms.
impl Numeric {
    /// A discrete Fourier transform of length `n` of every line of `input` along `axis`
    /// into `out`: `kind` says which (complex to complex in the direction `inverse`
    /// says; real to complex is forward, complex to real inverse), `norm` how it is
    /// scaled, `conj` whether the real-to-complex output or the complex-to-real input
    /// is conjugated (`ihfft`, `hfft`). Lines are cut or zero-padded to `n` (to
    /// `n / 2 + 1` values for complex to real); `out` has the input's shape but
    /// `kind.out_len(n)` along `axis`, and the input's precision. Each point of the
    /// launch owns whole lines: the launch splits every dimension but `axis`.
    #[allow(clippy::too_many_arguments)]
    pub fn fft(&self, input: &LogicalStore, out: &LogicalStore, axis: usize, kind: FftKind, inverse: bool, n: usize, norm: FftNorm, conj: bool) -> Result<()> {
        let (si, so) = (input.shape(), out.shape());
        if n == 0 {
            return Err(LegateError::InvalidArgument(format!("Invalid number of FFT data points ({n}) specified.")));
        }
        let fits = si.ndim() == so.ndim()
            && axis < si.ndim()
            && so[axis] == kind.out_len(n) as i64
            && (0..si.ndim()).all(|d| d == axis || si[d] == so[d]);
        if !fits {
            return Err(LegateError::ShapeMismatch(format!("fft: {si} -> {so} is not a transform of length {n} along axis {axis}")));
        }
        let complex = |t: &Type| matches!(t, Type::Complex64 | Type::Complex128);
        let precision = |t: &Type| matches!(t, Type::Float32 | Type::Complex64);
        let (ti, to) = (input.ty(), out.ty());
        let types_ok = precision(ti) == precision(to)
            && matches!(ti, Type::Float32 | Type::Float64 | Type::Complex64 | Type::Complex128)
            && matches!(to, Type::Float32 | Type::Float64 | Type::Complex64 | Type::Complex128)
            && complex(ti) == (kind != FftKind::RealToComplex)
            && complex(to) == (kind != FftKind::ComplexToReal);
        if !types_ok {
            return Err(LegateError::TypeMismatch(format!("fft: {kind:?} does not take {ti} to {to}")));
        }
        if input.same_storage(out) && !(input.map() == out.map() && si == so) {
            // Lines are read while others are written: only the very same view may be
            // transformed in place.
            return Err(LegateError::InvalidArgument("fft: the output overlaps the input (and is not the same view)".into()));
        }
        if so.volume() == 0 {
            return Ok(());
        }
        if si[axis] == 0 {
            // Nothing to transform: every line is all padding.
            return self.rt.issue_fill(out, zero_scalar(to)?);
        }
        let inverse = match kind {
            FftKind::ComplexToComplex => inverse,
            FftKind::RealToComplex => false,
            FftKind::ComplexToReal => true,
        };
        let colors = self.fft_colors(input, out, axis);
        let mut t = if colors.iter().all(|&c| c == 1) {
            // One point (an auto launch, which small arrays run inline).
            let mut t = self.rt.create_auto_task(&self.lib, FFT);
            let i = t.add_input(input);
            let o = t.add_output(out);
            t.add_broadcast(i, None);
            t.add_broadcast(o, None);
            t
        } else {
            // Tiles whole along `axis`, the same tiles of the other dimensions for the
            // input and the output (whose extents along `axis` differ).
            let tile_of = |shape: &legate_core::shape::Point| -> Vec<i64> {
                (0..shape.ndim()).map(|d| if d == axis { shape[d] } else { (shape[d] + colors[d] - 1) / colors[d] }).collect()
            };
            let launch: Vec<i64> = (0..so.ndim()).map(|d| (so[d] + tile_of(&so)[d] - 1) / tile_of(&so)[d]).collect();
            let mut t = self.rt.create_manual_task(&self.lib, FFT, &launch)?;
            t.add_input_partition(&input.partition_by_tiling(&tile_of(&si))?, None);
            t.add_output_partition(&out.partition_by_tiling(&tile_of(&so))?, None);
            t
        };
        t.add_scalar_arg(kind as u32);
        t.add_scalar_arg(axis as u32);
        t.add_scalar_arg(n as u64);
        t.add_scalar_arg(inverse);
        t.add_scalar_arg(norm.scale(n, inverse));
        t.add_scalar_arg(conj);
        t.execute()
    }

    /// How many pieces each dimension of an FFT launch is split into: none along
    /// `axis`, as many as there are processors (never fewer lines than pieces, and
    /// never pieces below the minimum chunk) over the others.
    fn fft_colors(&self, input: &LogicalStore, out: &LogicalStore, axis: usize) -> Vec<i64> {
        let so = out.shape();
        let volume = input.volume().max(so.volume());
        let lines = so.volume() / so[axis].max(1) as u64;
        let procs = self.rt.machine().cpus.max(1) as u64;
        let pieces = procs.min(volume / self.rt.config().min_chunk().max(1)).min(lines).max(1);
        let fixed: Vec<bool> = (0..so.ndim()).map(|d| d == axis).collect();
        legate_core::solver::choose_colors(&so, pieces as usize, &fixed).as_slice().to_vec()
    }
}

fn zero_scalar(ty: &Type) -> Result<Scalar> {
    Ok(match ty {
        Type::Float32 => Scalar::new(0f32),
        Type::Float64 => Scalar::new(0f64),
        Type::Complex64 => Scalar::new(num_complex::Complex32::new(0.0, 0.0)),
        Type::Complex128 => Scalar::new(num_complex::Complex64::new(0.0, 0.0)),
        other => return Err(LegateError::TypeMismatch(format!("fft: no zero of {other}"))),
    })
}
