//! Matrix multiplication `C = A @ B`. Each point computes a block of C from its rows of
//! A and its columns of B. The launch passes the three as views of one `(m, n, k)`
//! iteration space (see `Numeric::matmul`): C promoted along k, A along n, B along m,
//! so each tile's 2-d strides are two of its three (the promoted one is 0).
//!
//! A matrix-vector product whose sum is much longer than its result (`X.T @ r` of a
//! tall `X`) splits k instead: C is then a sum reduction, each point computing the
//! product of its piece of k into a private zeroed copy of C (see `Numeric::matmul`).
//!
//! Kernels: matrix-vector products of `f32`/`f64` stream the matrix once
//! ([`super::gemv`]); other floating-point and complex products use packed BLAS-style
//! kernels; integers a plain loop (with NumPy's wrapping arithmetic).

use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError, VariantKind};
use num_complex::{Complex32, Complex64 as C64};

pub struct MatmulTask;

/// A tile's 2-d view: extents and element strides along two of its three dims.
#[derive(Clone, Copy)]
struct Mat {
    rows: usize,
    cols: usize,
    rs: isize,
    cs: isize,
}

fn mat<T: Element>(s: &PhysicalStore, row_dim: usize, col_dim: usize) -> Mat {
    let (shape, st) = (s.shape(), s.strides());
    let elems = |d: usize| (st[d] / T::SIZE as i64) as isize;
    Mat { rows: shape[row_dim], cols: shape[col_dim], rs: elems(row_dim), cs: elems(col_dim) }
}

/// A tile's matrices: the 2-d views of C, A, B (the last three dims: `(m, n, k)`) and,
/// for a stack, the extents and element strides of the leading batch dims (C, A, B).
struct Tiles {
    c: Mat,
    a: Mat,
    b: Mat,
    batch: Vec<(usize, [isize; 3])>,
}

impl Tiles {
    /// Each matrix's element offsets in C, A and B, in order.
    fn offsets(&self) -> impl Iterator<Item = [isize; 3]> + '_ {
        let count: usize = self.batch.iter().map(|d| d.0).product();
        (0..count).map(move |mut flat| {
            let mut off = [0isize; 3];
            for &(extent, strides) in self.batch.iter().rev() {
                let i = (flat % extent) as isize;
                flat /= extent;
                for (o, s) in off.iter_mut().zip(strides) {
                    *o += i * s;
                }
            }
            off
        })
    }
}

/// The views of C, A, B; A's and B's tiles must cover one block of the iteration space
/// (batch dims, then `(m, n, k)`), and C's the same block (an output) or its `(m, n)`
/// face (a 2-d reduction buffer, when k is split).
fn tiles<T: Element>(c: &PhysicalStore, a: &PhysicalStore, b: &PhysicalStore) -> Result<Tiles, TaskError> {
    for s in [c, a, b] {
        if s.type_code() != Some(T::CODE) {
            return Err(TaskError::new("matmul operands must have one dtype"));
        }
    }
    let (cs, as_, bs) = (c.shape(), a.shape(), b.shape());
    let c_fits = cs == as_ || (cs.len() == 2 && as_.len() == 3 && cs[..] == as_[..2]);
    if as_.len() < 3 || !c_fits || as_ != bs {
        return Err(TaskError::new(format!("matmul tiles do not match: C {cs:?}, A {as_:?}, B {bs:?}")));
    }
    let nb = as_.len() - 3;
    let elems = |s: &PhysicalStore, d: usize| (s.strides()[d] / T::SIZE as i64) as isize;
    let batch = (0..nb).map(|d| (as_[d], [elems(c, d), elems(a, d), elems(b, d)])).collect();
    // C: (m, n); A: (m, k); B: (k, n) (B's view is (m, n, k)).
    Ok(Tiles { c: mat::<T>(c, nb, nb + 1), a: mat::<T>(a, nb, nb + 2), b: mat::<T>(b, nb + 2, nb + 1), batch })
}

/// C: output 0, or reduction 0 when the launch split k.
fn c_store<'a>(ctx: &TaskContext<'a>) -> Result<PhysicalStore<'a>, TaskError> {
    ctx.output(0).or_else(|_| ctx.reduction(0))
}

/// Types with a packed kernel (`gemm` crate), and for the real ones a streaming
/// matrix-vector kernel.
trait Gemm: Element + Copy + 'static + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> {
    const ZERO: Self;
    const ONE: Self;
    /// `c = a @ b` by a matrix-vector kernel when one operand is a vector (false: not
    /// applicable to this type or these strides).
    unsafe fn gemv(_c: *mut Self, _a: *const Self, _b: *const Self, _dims: (Mat, Mat, Mat)) -> bool {
        false
    }
}

macro_rules! real {
    ($t:ty) => {
        impl Gemm for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            unsafe fn gemv(cp: *mut $t, ap: *const $t, bp: *const $t, (cm, am, bm): (Mat, Mat, Mat)) -> bool {
                if cm.cols == 1 {
                    // C[:, 0] = A @ B[:, 0].
                    super::gemv::gemv(am.rows, am.cols, ap, am.rs, am.cs, bp, bm.rs, cp, cm.rs)
                } else if cm.rows == 1 {
                    // C[0, :] = B^T @ A[0, :].
                    super::gemv::gemv(bm.cols, bm.rows, bp, bm.cs, bm.rs, ap, am.cs, cp, cm.cs)
                } else {
                    false
                }
            }
        }
    };
}
real!(f32);
real!(f64);

impl Gemm for Complex32 {
    const ZERO: Self = Complex32::new(0.0, 0.0);
    const ONE: Self = Complex32::new(1.0, 0.0);
}

impl Gemm for C64 {
    const ZERO: Self = C64::new(0.0, 0.0);
    const ONE: Self = C64::new(1.0, 0.0);
}

fn gemm_typed<T: Gemm>(ctx: &TaskContext) -> Result<(), TaskError> {
    let c = c_store(ctx)?;
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let t = tiles::<T>(&c, &a, &b)?;
    let (cm, am, bm) = (t.c, t.a, t.b);
    if cm.rows == 0 || cm.cols == 0 {
        return Ok(());
    }
    let parallelism = if ctx.variant() == VariantKind::Omp && ctx.num_threads() > 1 {
        gemm::Parallelism::Rayon(ctx.num_threads())
    } else {
        gemm::Parallelism::None
    };
    let (cp, ap, bp) = (c.ptr() as *mut T, a.ptr() as *const T, b.ptr() as *const T);
    for [oc, oa, ob] in t.offsets() {
        // SAFETY: each matrix lies within its checked tile (offsets by the tile's own
        // batch strides); C is this point's output tile and does not alias A or B (the
        // caller guarantees it), and f32/f64 take the matrix-vector kernel where it
        // applies.
        unsafe {
            let (cp, ap, bp) = (cp.offset(oc), ap.offset(oa), bp.offset(ob));
            if T::gemv(cp, ap, bp, (cm, am, bm)) {
                continue;
            }
            if cm.rows * cm.cols * am.cols <= SMALL_PRODUCT {
                small_product(cp, ap, bp, (cm, am, bm));
                continue;
            }
            gemm::gemm(
                cm.rows, cm.cols, am.cols,
                cp, cm.cs, cm.rs, false,
                ap, am.cs, am.rs,
                bp, bm.cs, bm.rs,
                T::ZERO, T::ONE, false, false, false, parallelism,
            );
        }
    }
    Ok(())
}

/// Products of at most this many multiply-adds (a stack of 3x3 or 4x4 matrices) take a
/// plain loop: the packed kernel's set-up costs more than such a product.
const SMALL_PRODUCT: usize = 64;

/// `c = a @ b`, each entry a dot product summed in order of `p` (as NumPy's own loop).
///
/// # Safety
/// The three matrices lie at the pointers with the given extents and strides; C does not
/// alias A or B.
unsafe fn small_product<T: Gemm>(cp: *mut T, ap: *const T, bp: *const T, (cm, am, bm): (Mat, Mat, Mat)) {
    let at = |m: Mat, i: usize, j: usize| i as isize * m.rs + j as isize * m.cs;
    for i in 0..cm.rows {
        for j in 0..cm.cols {
            let mut acc = T::ZERO;
            for p in 0..am.cols {
                acc = acc + *ap.offset(at(am, i, p)) * *bp.offset(at(bm, p, j));
            }
            *cp.offset(at(cm, i, j)) = acc;
        }
    }
}

fn loop_typed<T: Element + Copy + num_traits::WrappingAdd + num_traits::WrappingMul + num_traits::Zero>(ctx: &TaskContext) -> Result<(), TaskError> {
    let c = ctx.output(0)?;
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let t = tiles::<T>(&c, &a, &b)?;
    let (cm, am, bm) = (t.c, t.a, t.b);
    let at = |m: Mat, i: usize, j: usize| i as isize * m.rs + j as isize * m.cs;
    for [oc, oa, ob] in t.offsets() {
        // Row i of C accumulates row p of B times A[i, p]: rows of B are read in order.
        // SAFETY: all indices lie within the checked tiles; C is this point's own tile.
        unsafe {
            let (cp, ap, bp) = ((c.ptr() as *mut T).offset(oc), (a.ptr() as *const T).offset(oa), (b.ptr() as *const T).offset(ob));
            for i in 0..cm.rows {
                for j in 0..cm.cols {
                    *cp.offset(at(cm, i, j)) = T::zero();
                }
                for p in 0..am.cols {
                    let aip = *ap.offset(at(am, i, p));
                    for j in 0..cm.cols {
                        let cij = cp.offset(at(cm, i, j));
                        *cij = (*cij).wrapping_add(&aip.wrapping_mul(&*bp.offset(at(bm, p, j))));
                    }
                }
            }
        }
    }
    Ok(())
}

fn run(ctx: &mut TaskContext) -> Result<(), TaskError> {
    use legate_core::abi::TypeCode::*;
    match c_store(ctx)?.type_code() {
        Some(Float32) => gemm_typed::<f32>(ctx),
        Some(Float64) => gemm_typed::<f64>(ctx),
        Some(Complex64) => gemm_typed::<Complex32>(ctx),
        Some(Complex128) => gemm_typed::<C64>(ctx),
        Some(Int8) => loop_typed::<i8>(ctx),
        Some(Int16) => loop_typed::<i16>(ctx),
        Some(Int32) => loop_typed::<i32>(ctx),
        Some(Int64) => loop_typed::<i64>(ctx),
        Some(UInt8) => loop_typed::<u8>(ctx),
        Some(UInt16) => loop_typed::<u16>(ctx),
        Some(UInt32) => loop_typed::<u32>(ctx),
        Some(UInt64) => loop_typed::<u64>(ctx),
        other => Err(TaskError::new(format!("matmul does not support {other:?}"))),
    }
}

impl Task for MatmulTask {
    const TASK_ID: u32 = crate::MATMUL;
    const NAME: &'static str = "matmul";
    const HAS_OMP: bool = true;

    /// Output 0: C as an `(m, n, k)` view (its block), after any batch dims; inputs: A
    /// and B as views of the same block (all of k). Or, when the launch split k, reduction 0: C (2-d, whole,
    /// a zeroed private copy), and A and B with a piece of k.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        run(ctx)
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        run(ctx)
    }
}
