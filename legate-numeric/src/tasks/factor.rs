//! Dense factorizations on one point, with the `faer` crate: Cholesky (`L` with
//! `A = L L^H`) and `solve` (`A X = B` by LU with partial pivoting); the other
//! factorizations are in `decomp`. Every argument is broadcast, so the tile is the whole
//! store. Failures carry a `LinAlgError:` marker that the Python layer maps to
//! `numpy.linalg.LinAlgError`.

use faer::linalg::solvers::Solve;
use faer::{Mat, MatMut, MatRef, Side};
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex64 as C64;

pub struct CholeskyTask;
pub struct SolveTask;

/// `(rows, cols, row stride, col stride)` in elements; a 1-d store is one column.
fn dims<T: Element>(s: &PhysicalStore) -> Result<(usize, usize, isize, isize), TaskError> {
    let (sh, st) = (s.shape(), s.strides());
    let e = T::SIZE as i64;
    match sh.len() {
        1 => Ok((sh[0], 1, (st[0] / e) as isize, 1)),
        2 => Ok((sh[0], sh[1], (st[0] / e) as isize, (st[1] / e) as isize)),
        n => Err(TaskError::new(format!("factor: {n}-d operand not supported"))),
    }
}

fn check_type<T: Element>(stores: &[&PhysicalStore]) -> Result<(), TaskError> {
    for s in stores {
        if s.type_code() != Some(T::CODE) {
            return Err(TaskError::new("factor operands must have one dtype"));
        }
    }
    Ok(())
}

/// # Safety
/// `s` must be a valid, non-empty tile of `T` with `dims`.
unsafe fn view<'a, T: Element>(s: &PhysicalStore, d: (usize, usize, isize, isize)) -> MatRef<'a, T> {
    unsafe { MatRef::from_raw_parts(s.ptr() as *const T, d.0, d.1, d.2, d.3) }
}

/// # Safety
/// `s` must be a valid, non-empty output tile of `T` with `dims`, aliasing no input.
unsafe fn view_mut<'a, T: Element>(s: &PhysicalStore, d: (usize, usize, isize, isize)) -> MatMut<'a, T> {
    unsafe { MatMut::from_raw_parts_mut(s.ptr() as *mut T, d.0, d.1, d.2, d.3) }
}

fn cholesky_typed<T: Element + faer::traits::ComplexField + Copy>(ctx: &TaskContext) -> Result<(), TaskError> {
    let (a, l) = (ctx.input(0)?, ctx.output(0)?);
    check_type::<T>(&[&a, &l])?;
    let (da, dl) = (dims::<T>(&a)?, dims::<T>(&l)?);
    if da.0 != da.1 || (da.0, da.1) != (dl.0, dl.1) {
        return Err(TaskError::new("cholesky: shapes do not match"));
    }
    let n = da.0;
    if n == 0 {
        return Ok(());
    }
    // SAFETY: both tiles are whole, valid, non-empty stores; L is the output.
    let (av, mut lv) = unsafe { (view::<T>(&a, da), view_mut::<T>(&l, dl)) };
    let llt = av.llt(Side::Lower).map_err(|_| TaskError::new("LinAlgError: Matrix is not positive definite"))?;
    let f = llt.L();
    let zero = T::zero_impl();
    for j in 0..n {
        for i in 0..n {
            lv[(i, j)] = if i >= j { f[(i, j)] } else { zero };
        }
    }
    Ok(())
}

/// Matrices up to this order are factored as OpenBLAS factors them for NumPy
/// (`getf2`, below), so that singular matrices and NaNs give NumPy's answers exactly;
/// larger ones with faer's blocked LU.
pub(crate) const SMALL: usize = 32;

/// What the unblocked LU needs of an element type: BLAS's `|re| + |im|` for pivoting.
pub(crate) trait LuField:
    faer::traits::ComplexField
    + Copy
    + PartialEq
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
{
    fn abs1(self) -> f64;
    fn is_nan(self) -> bool;
    /// The smallest normal number of the real type (LAPACK's `sfmin`).
    const SFMIN: f64;
}

impl LuField for f32 {
    fn abs1(self) -> f64 {
        self.abs() as f64
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    const SFMIN: f64 = f32::MIN_POSITIVE as f64;
}

impl LuField for f64 {
    fn abs1(self) -> f64 {
        self.abs()
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    const SFMIN: f64 = f64::MIN_POSITIVE;
}

impl LuField for C64 {
    fn abs1(self) -> f64 {
        self.re.abs() + self.im.abs()
    }
    fn is_nan(self) -> bool {
        self.re.is_nan() || self.im.is_nan()
    }
    const SFMIN: f64 = f64::MIN_POSITIVE;
}

/// OpenBLAS's unblocked, left-looking LU with partial pivoting (`getf2`, what NumPy's
/// `inv`/`solve` run for small matrices), in place: `P A = L U`. Column `j` is updated
/// with dot products against the columns before it, the pivot is the first entry of
/// largest magnitude (a NaN only when it comes first), and the multipliers are scaled
/// by the pivot's reciprocal unless the pivot is NaN. `Err(j)` when pivot `j` is zero.
pub(crate) fn getf2<T: LuField>(a: &mut Mat<T>) -> Result<Vec<usize>, usize> {
    let n = a.nrows();
    let mut piv = vec![0; n];
    for j in 0..n {
        for i in 1..j.min(n) {
            let mut dot = T::zero_impl();
            for k in 0..i {
                dot = dot + a[(i, k)] * a[(k, j)];
            }
            a[(i, j)] = a[(i, j)] - dot;
        }
        for i in j..n {
            let mut dot = T::zero_impl();
            for k in 0..j {
                dot = dot + a[(i, k)] * a[(k, j)];
            }
            a[(i, j)] = a[(i, j)] - dot;
        }
        let mut jp = j;
        let mut best = a[(j, j)].abs1();
        for i in j + 1..n {
            let m = a[(i, j)].abs1();
            if m > best {
                jp = i;
                best = m;
            }
        }
        piv[j] = jp;
        let p = a[(jp, j)];
        if p == T::zero_impl() {
            return Err(j);
        }
        if jp != j {
            for k in 0..n {
                let t = a[(j, k)];
                a[(j, k)] = a[(jp, k)];
                a[(jp, k)] = t;
            }
        }
        if p.abs1() >= T::SFMIN {
            let r = T::one_impl() / p;
            for i in j + 1..n {
                a[(i, j)] = a[(i, j)] * r;
            }
        } else if !p.is_nan() {
            for i in j + 1..n {
                a[(i, j)] = a[(i, j)] / p;
            }
        }
    }
    Ok(piv)
}

/// Solves `A X = B` in place from `getf2`'s factors: the row swaps, then `L` (unit
/// lower) forward and `U` backward, column by column.
fn getrs<T: LuField>(lu: &Mat<T>, piv: &[usize], b: &mut Mat<T>) {
    let n = lu.nrows();
    for c in 0..b.ncols() {
        for (j, &p) in piv.iter().enumerate() {
            if p != j {
                let t = b[(j, c)];
                b[(j, c)] = b[(p, c)];
                b[(p, c)] = t;
            }
        }
        for i in 0..n {
            let mut v = b[(i, c)];
            for k in 0..i {
                v = v - lu[(i, k)] * b[(k, c)];
            }
            b[(i, c)] = v;
        }
        for i in (0..n).rev() {
            let mut v = b[(i, c)];
            for k in i + 1..n {
                v = v - lu[(i, k)] * b[(k, c)];
            }
            b[(i, c)] = v / lu[(i, i)];
        }
    }
}

fn solve_typed<T: Element + LuField>(ctx: &TaskContext) -> Result<(), TaskError> {
    let (a, b, x) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    check_type::<T>(&[&a, &b, &x])?;
    let (da, db, dx) = (dims::<T>(&a)?, dims::<T>(&b)?, dims::<T>(&x)?);
    if da.0 != da.1 || db.0 != da.0 || (db.0, db.1) != (dx.0, dx.1) {
        return Err(TaskError::new("solve: shapes do not match"));
    }
    let n = da.0;
    if n == 0 {
        return Ok(());
    }
    // SAFETY: all tiles are whole, valid, non-empty stores; X is the output.
    let (av, bv, mut xv) = unsafe { (view::<T>(&a, da), view::<T>(&b, db), view_mut::<T>(&x, dx)) };
    if n <= SMALL {
        let mut lu: Mat<T> = Mat::zeros(n, n);
        lu.copy_from(av);
        let piv = getf2(&mut lu).map_err(|_| TaskError::new("LinAlgError: Singular matrix"))?;
        let mut sol: Mat<T> = Mat::zeros(db.0, db.1);
        sol.copy_from(bv);
        getrs(&lu, &piv, &mut sol);
        xv.copy_from(&sol);
        return Ok(());
    }
    let lu = av.partial_piv_lu();
    let u = lu.U();
    let zero = T::zero_impl();
    for i in 0..n {
        if u[(i, i)] == zero {
            return Err(TaskError::new("LinAlgError: Singular matrix"));
        }
    }
    if db.1 == 0 {
        return Ok(());
    }
    let mut sol: Mat<T> = Mat::zeros(db.0, db.1);
    sol.copy_from(bv);
    lu.solve_in_place(&mut sol);
    xv.copy_from(&sol);
    Ok(())
}

fn dispatch(ctx: &TaskContext, chol: bool) -> Result<(), TaskError> {
    use legate_core::abi::TypeCode::*;
    let code = ctx.output(0)?.type_code();
    match (code, chol) {
        (Some(Float32), true) => cholesky_typed::<f32>(ctx),
        (Some(Float64), true) => cholesky_typed::<f64>(ctx),
        (Some(Complex128), true) => cholesky_typed::<C64>(ctx),
        (Some(Float32), false) => solve_typed::<f32>(ctx),
        (Some(Float64), false) => solve_typed::<f64>(ctx),
        (Some(Complex128), false) => solve_typed::<C64>(ctx),
        (other, _) => Err(TaskError::new(format!("factor does not support {other:?}"))),
    }
}

impl Task for CholeskyTask {
    const TASK_ID: u32 = crate::CHOLESKY;
    const NAME: &'static str = "cholesky";

    /// Output 0: L (whole); input 0: A (whole).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        dispatch(ctx, true)
    }
}

impl Task for SolveTask {
    const TASK_ID: u32 = crate::SOLVE;
    const NAME: &'static str = "solve";

    /// Output 0: X (whole); inputs: A, B (whole).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        dispatch(ctx, false)
    }
}
