//! `lu_factor`, `lu_solve`, `lu_release`: a sparse direct solve with faer's sparse LU
//! (partial pivoting, fill-reducing column ordering).
//!
//! A factorization is one sequential computation, so every launch is one point (all
//! stores broadcast). The factor lives in this process's table under an id the
//! launcher picks. The launches share a one-element `token` store: the
//! factorization writes it (what it found: [`LU_OK`] or [`LU_SINGULAR`]), solves read
//! it and the release writes it, so the runtime orders them as any tasks on a store
//! and a release never overtakes a pending solve.

use super::{dispatch_value, write_bound, Tile1, Value};
use faer::linalg::solvers::SolveCore;
use faer::sparse::linalg::solvers::Lu;
use faer::sparse::linalg::LuError;
use faer::sparse::{SparseColMat, Triplet};
use faer::traits::math_utils::{is_finite, one};
use faer::traits::ComplexField;
use faer::{Conj, Mat};
use legate_abi::{Task, TaskContext, TaskError};
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// The token after a factorization that succeeded.
pub const LU_OK: i64 = 0;
/// The token after a factorization of an exactly singular matrix (no factor is kept).
pub const LU_SINGULAR: i64 = 1;

/// `lu_solve`'s scalar: which system to solve.
pub const LU_SOLVE_N: i64 = 0;
pub const LU_SOLVE_T: i64 = 1;
pub const LU_SOLVE_H: i64 = 2;

type Factor = Arc<dyn Any + Send + Sync>;

fn table() -> MutexGuard<'static, HashMap<i64, Factor>> {
    static TABLE: OnceLock<Mutex<HashMap<i64, Factor>>> = OnceLock::new();
    TABLE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// The number of factors held (for tests: releases must empty the table).
pub fn factors_held() -> usize {
    table().len()
}

fn write_token(ctx: &TaskContext, value: i64, what: &str) -> Result<(), TaskError> {
    let mut token = ctx.output(0)?;
    let mut view = token.view_mut::<i64>()?;
    let slot = view.iter_mut().next().ok_or_else(|| TaskError::new(format!("{what}: the token has no element")))?;
    *slot = value;
    Ok(())
}

/// Inputs `indptr`, `indices`, `data` (SciPy's compressed arrays, broadcast); output:
/// the token; scalars: the factor's id, `n`, and 1 when the arrays are CSC (they
/// describe the transpose of the CSR matrix they would otherwise be).
pub struct LuFactor;

/// The `n x n` matrix of the compressed arrays `indptr`, `indices`, `data` in inputs
/// 0..3 (CSC when `csc`, else CSR), duplicates summed as SciPy's `sum_duplicates`
/// would.
fn matrix_of<V: Value + ComplexField>(ctx: &TaskContext, n: i64, csc: bool, what: &str) -> Result<SparseColMat<usize, V>, TaskError> {
    let (indptr_s, crd_s, vals_s) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let indptr = Tile1::<i64>::of(&indptr_s, &format!("{what}: indptr"))?;
    let crd = Tile1::<i64>::of(&crd_s, &format!("{what}: indices"))?;
    let vals = Tile1::<V>::of(&vals_s, &format!("{what}: data"))?;
    let n = usize::try_from(n).map_err(|_| TaskError::new(format!("{what}: negative size")))?;
    if indptr.data.len() != n + 1 || crd.data.len() != vals.data.len() {
        return Err(TaskError::new(format!("{what}: mismatched arguments (launch it on one point)")));
    }
    let mut entries = Vec::with_capacity(crd.data.len());
    for (r, w) in indptr.data.windows(2).enumerate() {
        let (lo, hi) = (w[0] - crd.base, w[1] - crd.base);
        if lo < 0 || hi < lo || hi as usize > crd.data.len() {
            return Err(TaskError::new(format!("{what}: indptr [{}, {}) of line {r} is out of range", w[0], w[1])));
        }
        for (&c, &v) in crd.data[lo as usize..hi as usize].iter().zip(&vals.data[lo as usize..hi as usize]) {
            let c = usize::try_from(c).ok().filter(|&c| c < n);
            let c = c.ok_or_else(|| TaskError::new(format!("{what}: line {r} has an index outside [0, {n})")))?;
            entries.push(if csc { Triplet::new(c, r, v) } else { Triplet::new(r, c, v) });
        }
    }
    SparseColMat::<usize, V>::try_new_from_triplets(n, n, &entries).map_err(|e| TaskError::new(format!("{what}: {e:?}")))
}

fn factor<V: Value + ComplexField>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (id, n, csc) = (ctx.scalar::<i64>(0)?, ctx.scalar::<i64>(1)?, ctx.scalar::<i64>(2)? != 0);
    let a = matrix_of::<V>(ctx, n, csc, "lu_factor")?;
    let n = a.nrows();
    let lu = match a.sp_lu() {
        Ok(lu) => lu,
        Err(LuError::SymbolicSingular { .. }) => return write_token(ctx, LU_SINGULAR, "lu_factor"),
        Err(e) => return Err(TaskError::new(format!("lu_factor: {e}"))),
    };
    // A zero pivot (an exactly singular matrix) is not an error in faer: it leaves
    // infinities in the factor, which a solve of ones brings out.
    let mut probe = Mat::<V>::from_fn(n, 1, |_, _| one::<V>());
    lu.solve_in_place_with_conj(Conj::No, probe.as_mut());
    if !(0..n).all(|i| is_finite(&probe[(i, 0)])) {
        return write_token(ctx, LU_SINGULAR, "lu_factor");
    }
    table().insert(id, Arc::new(lu));
    write_token(ctx, LU_OK, "lu_factor")
}

impl Task for LuFactor {
    const TASK_ID: u32 = 8;
    const NAME: &'static str = "lu_factor";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(2)?.type_code();
        dispatch_value!(code, "lu_factor", factor(ctx))
    }
}

/// Inputs: the token and `b` (`n` or `n x k`, broadcast); output: `x` (`b`'s shape,
/// broadcast); scalars: the factor's id and one of `LU_SOLVE_N`/`_T`/`_H`.
pub struct LuSolve;

fn solve<V: Value + ComplexField>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let (id, trans) = (ctx.scalar::<i64>(0)?, ctx.scalar::<i64>(1)?);
    let factor = table().get(&id).cloned().ok_or_else(|| TaskError::new(format!("lu_solve: no factor {id} (released?)")))?;
    let lu = factor
        .downcast_ref::<Lu<usize, V>>()
        .ok_or_else(|| TaskError::new("lu_solve: the right-hand side's type differs from the factor's"))?;
    let b_s = ctx.input(1)?;
    let b = b_s.view::<V>()?;
    let (n, k) = match *b.shape() {
        [n] => (n, 1),
        [n, k] => (n, k),
        ref s => return Err(TaskError::new(format!("lu_solve: b must be 1-d or 2-d, it has shape {s:?}"))),
    };
    // b is row-major (n x k); faer solves a column-major matrix in place.
    let mut rhs = Mat::<V>::zeros(n, k);
    for (idx, &v) in b.iter().enumerate() {
        rhs[(idx / k, idx % k)] = v;
    }
    let conj = if trans == LU_SOLVE_H { Conj::Yes } else { Conj::No };
    if trans == LU_SOLVE_N {
        lu.solve_in_place_with_conj(Conj::No, rhs.as_mut());
    } else {
        lu.solve_transpose_in_place_with_conj(conj, rhs.as_mut());
    }
    let mut x_s = ctx.output(0)?;
    let mut x = x_s.view_mut::<V>()?;
    if x.len() != n * k {
        return Err(TaskError::new("lu_solve: x and b differ in size"));
    }
    for (idx, out) in x.iter_mut().enumerate() {
        *out = rhs[(idx / k, idx % k)];
    }
    Ok(())
}

impl Task for LuSolve {
    const TASK_ID: u32 = 9;
    const NAME: &'static str = "lu_solve";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(1)?.type_code();
        dispatch_value!(code, "lu_solve", solve(ctx))
    }
}

/// Output: the token; scalar: the factor's id, whose memory is freed.
pub struct LuRelease;

impl Task for LuRelease {
    const TASK_ID: u32 = 10;
    const NAME: &'static str = "lu_release";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let id = ctx.scalar::<i64>(0)?;
        table().remove(&id);
        write_token(ctx, LU_SINGULAR, "lu_release")
    }
}

/// Inputs `indptr`, `indices`, `data` as [`LuFactor`]'s; scalars `n` and 1 for CSC.
/// Outputs SciPy's `SuperLU` attributes, with `Pr A Pc = L U`: `perm_r`, `perm_c`
/// (`n` each: row `i` of `A` is row `perm_r[i]` of `Pr A`, column `j` is column
/// `perm_c[j]` of `A Pc`), then `L` (unit lower triangular, its diagonal stored) and
/// `U` (upper triangular) as CSC: `indptr` (`n + 1`), unbound `indices` and `data`,
/// each column's rows sorted. This is a simplicial factorization of its own (faer's
/// supernodal factor, which [`LuFactor`] may pick, does not give its factors out),
/// with the same column ordering (COLAMD) and partial pivoting.
pub struct LuFactors;

fn factors<V: Value + ComplexField>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
    use faer::perm::PermRef;
    use faer::sparse::linalg::colamd;
    use faer::sparse::linalg::lu::simplicial::{factorize_simplicial_numeric_lu, factorize_simplicial_numeric_lu_scratch, SimplicialLu};

    let (n, csc) = (ctx.scalar::<i64>(0)?, ctx.scalar::<i64>(1)? != 0);
    let a = matrix_of::<V>(ctx, n, csc, "lu_factors")?;
    let n = a.nrows();
    let scratch = StackReq::any_of(&[
        colamd::order_scratch::<usize>(n, n, a.compute_nnz()),
        factorize_simplicial_numeric_lu_scratch::<usize, V>(n, n),
    ]);
    let mut mem = MemBuffer::try_new(scratch).map_err(|_| TaskError::new("lu_factors: out of memory"))?;
    let stack = MemStack::new(&mut mem);
    let (mut col_fwd, mut col_inv) = (vec![0usize; n], vec![0usize; n]);
    colamd::order(&mut col_fwd, &mut col_inv, a.symbolic(), Default::default(), stack)
        .map_err(|e| TaskError::new(format!("lu_factors: {e:?}")))?;
    let (mut row_fwd, mut row_inv) = (vec![0usize; n], vec![0usize; n]);
    let mut lu = SimplicialLu::<usize, V>::new();
    let col_perm = PermRef::new_checked(&col_fwd, &col_inv, n);
    match factorize_simplicial_numeric_lu(&mut row_fwd, &mut row_inv, &mut lu, a.as_ref(), col_perm, stack) {
        Ok(()) => {}
        Err(LuError::SymbolicSingular { .. }) => return Err(TaskError::new("lu_factors: Factor is exactly singular")),
        Err(e) => return Err(TaskError::new(format!("lu_factors: {e}"))),
    }
    // `row_inv[i]` is where row i of A went: SciPy's perm_r; likewise perm_c.
    write_indices(ctx, 0, row_inv.iter().copied())?;
    write_indices(ctx, 1, col_inv.iter().copied())?;
    write_csc(ctx, 2, lu.l_factor_unsorted())?;
    write_csc(ctx, 5, lu.u_factor_unsorted())
}

fn write_indices(ctx: &mut TaskContext, index: usize, values: impl ExactSizeIterator<Item = usize>) -> Result<(), TaskError> {
    let mut out_s = ctx.output(index)?;
    let mut out = out_s.view_mut::<i64>()?;
    if out.len() != values.len() {
        return Err(TaskError::new("lu_factors: an output has the wrong length (launch it on one point)"));
    }
    for (o, v) in out.iter_mut().zip(values) {
        *o = v as i64;
    }
    Ok(())
}

/// Writes `m` as CSC into outputs `first` (`indptr`), `first + 1` and `first + 2`
/// (unbound `indices`, `data`), each column's rows sorted.
fn write_csc<V: Value>(ctx: &mut TaskContext, first: usize, m: faer::sparse::SparseColMatRef<'_, usize, V>) -> Result<(), TaskError> {
    let ncols = m.ncols();
    let mut indptr = Vec::with_capacity(ncols + 1);
    let (mut rows, mut vals) = (Vec::new(), Vec::new());
    let mut column = Vec::new();
    indptr.push(0usize);
    for j in 0..ncols {
        column.clear();
        column.extend(m.row_idx_of_col(j).zip(m.val_of_col(j).iter().copied()));
        column.sort_unstable_by_key(|&(i, _)| i);
        rows.extend(column.iter().map(|&(i, _)| i as i64));
        vals.extend(column.iter().map(|&(_, v)| v));
        indptr.push(rows.len());
    }
    write_indices(ctx, first, indptr.into_iter())?;
    write_bound(ctx, first + 1, &rows)?;
    write_bound(ctx, first + 2, &vals)
}

impl Task for LuFactors {
    const TASK_ID: u32 = 12;
    const NAME: &'static str = "lu_factors";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(2)?.type_code();
        dispatch_value!(code, "lu_factors", factors(ctx))
    }
}
