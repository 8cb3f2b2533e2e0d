//! Matrix multiplication `C = A @ B` of 2-d tiles. Each point computes a block of rows
//! of C from the same rows of A and all of B, with the `gemm` crate's kernels for
//! floating-point and complex types (BLAS speed) and a plain loop for integers.

use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError, VariantKind};
use num_complex::{Complex32, Complex64 as C64};

pub struct MatmulTask;

fn elem_strides<T: Element>(s: &PhysicalStore) -> (isize, isize) {
    let st = s.strides();
    ((st[0] / T::SIZE as i64) as isize, (st[1] / T::SIZE as i64) as isize)
}

fn check_shapes(c: &PhysicalStore, a: &PhysicalStore, b: &PhysicalStore) -> Result<(usize, usize, usize), TaskError> {
    let (cs, as_, bs) = (c.shape(), a.shape(), b.shape());
    if cs.len() != 2 || as_.len() != 2 || bs.len() != 2 || cs[0] != as_[0] || as_[1] != bs[0] || cs[1] != bs[1] {
        return Err(TaskError::new(format!("matmul tiles do not match: C {cs:?}, A {as_:?}, B {bs:?}")));
    }
    Ok((cs[0], cs[1], as_[1]))
}

fn gemm_typed<T: Element + Copy + 'static>(ctx: &TaskContext, zero: T, one: T) -> Result<(), TaskError> {
    let c = ctx.output(0)?;
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    for s in [&c, &a, &b] {
        if s.type_code() != Some(T::CODE) {
            return Err(TaskError::new("matmul operands must have one dtype"));
        }
    }
    let (m, n, k) = check_shapes(&c, &a, &b)?;
    if m == 0 || n == 0 {
        return Ok(());
    }
    let ((c_rs, c_cs), (a_rs, a_cs), (b_rs, b_cs)) = (elem_strides::<T>(&c), elem_strides::<T>(&a), elem_strides::<T>(&b));
    if T::CODE == legate_core::abi::TypeCode::Float64 && n == 1 && a_cs == 1 && b_rs == 1 {
        // A matrix times a vector: rows of dot products.
        // SAFETY: f64 tiles of the checked shapes; C does not alias A or B.
        unsafe { super::vmath::matvec(m, k, a.ptr() as *const f64, a_rs, b.ptr() as *const f64, c.ptr() as *mut f64, c_rs) };
        return Ok(());
    }
    let parallelism = if ctx.variant() == VariantKind::Omp && ctx.num_threads() > 1 {
        gemm::Parallelism::Rayon(ctx.num_threads())
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the three tiles are valid for the given shapes and strides; C is this
    // point's output tile and does not alias A or B (the caller guarantees it).
    unsafe {
        gemm::gemm(
            m, n, k,
            c.ptr() as *mut T, c_cs, c_rs, false,
            a.ptr() as *const T, a_cs, a_rs,
            b.ptr() as *const T, b_cs, b_rs,
            zero, one, false, false, false, parallelism,
        );
    }
    Ok(())
}

fn loop_typed<T: Element + Copy + num_traits::WrappingAdd + num_traits::WrappingMul + num_traits::Zero>(ctx: &TaskContext) -> Result<(), TaskError> {
    let mut c = ctx.output(0)?;
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    check_shapes(&c, &a, &b)?;
    let (av, bv) = (a.view::<T>()?, b.view::<T>()?);
    let mut cv = c.view_mut::<T>()?;
    let k = av.shape()[1];
    for ((i, j), out) in cv.indexed_iter_mut().map(|(ix, v)| ((ix[0], ix[1]), v)) {
        let mut acc = T::zero();
        for p in 0..k {
            acc = acc.wrapping_add(&av[[i, p]].wrapping_mul(&bv[[p, j]]));
        }
        *out = acc;
    }
    Ok(())
}

fn run(ctx: &mut TaskContext) -> Result<(), TaskError> {
    use legate_core::abi::TypeCode::*;
    match ctx.output(0)?.type_code() {
        Some(Float32) => gemm_typed::<f32>(ctx, 0.0, 1.0),
        Some(Float64) => gemm_typed::<f64>(ctx, 0.0, 1.0),
        Some(Complex64) => gemm_typed::<Complex32>(ctx, Complex32::new(0.0, 0.0), Complex32::new(1.0, 0.0)),
        Some(Complex128) => gemm_typed::<C64>(ctx, C64::new(0.0, 0.0), C64::new(1.0, 0.0)),
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

    /// Output 0: C (rows of it); inputs: A (the same rows), B (all of it).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        run(ctx)
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        run(ctx)
    }
}
