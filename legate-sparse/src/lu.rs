//! The sparse direct solve: [`SparseLibrary::lu_factor`], [`SparseLibrary::lu_solve`]
//! and [`SparseLibrary::lu_release`] launch the one-point tasks of
//! [`crate::tasks::LuFactor`] (faer's sparse LU), whose factor stays in the process
//! that ran it until it is released.

use crate::csr::{expect_int64, length, same_values, shape_error, value_type};
use crate::tasks::{LuFactor, LuFactors, LuRelease, LuSolve, LU_OK, LU_SOLVE_H, LU_SOLVE_N, LU_SOLVE_T};
use crate::ops::value_size;
use crate::{Result, SparseLibrary, Store};
use legate_abi::client::TaskLaunch;
use legate_abi::{Task, TypeCode};
use std::sync::atomic::{AtomicI64, Ordering};

/// One factorization: its id in the task-side table and the token store that orders
/// the launches on it (see [`crate::tasks::LuFactor`]).
#[derive(Clone, Debug)]
pub struct LuFactorization {
    id: i64,
    token: Store,
    n: usize,
    code: TypeCode,
}

/// SciPy's `SuperLU` attributes of a matrix (see [`SparseLibrary::lu_factor_parts`]):
/// `Pr A Pc = L U`, `L` and `U` as CSC arrays (`indptr`, `indices`, `data`).
#[derive(Clone, Debug)]
pub struct LuFactorParts {
    pub perm_r: Store,
    pub perm_c: Store,
    pub l: [Store; 3],
    pub u: [Store; 3],
}

/// The system a solve answers: `A x = b`, `Aᵀ x = b` or `Aᴴ x = b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trans {
    N,
    T,
    H,
}

impl LuFactorization {
    pub fn n(&self) -> usize {
        self.n
    }

    pub fn value_type(&self) -> TypeCode {
        self.code
    }
}

/// Adds `stores` as broadcast inputs (a one-point launch).
fn add_whole_inputs(task: &mut TaskLaunch, stores: &[&Store]) -> Result<()> {
    for store in stores {
        let v = task.add_input(store)?;
        task.add_broadcast(v, None)?;
    }
    Ok(())
}

fn add_whole_output(task: &mut TaskLaunch, store: &Store) -> Result<()> {
    let v = task.add_output(store)?;
    task.add_broadcast(v, None)
}

/// Checks the compressed arrays of an `n x n` matrix (int64 indices); its value type.
fn check_matrix(indptr: &Store, crd: &Store, vals: &Store, n: usize, what: &str) -> Result<TypeCode> {
    expect_int64(indptr, "indptr")?;
    expect_int64(crd, "indices")?;
    let code = value_type(vals, "data")?;
    if length(indptr, "indptr")? != n + 1 {
        return Err(shape_error(format!("{what}: indptr must have {} elements for an {n} x {n} matrix", n + 1)));
    }
    if length(crd, "indices")? != length(vals, "data")? {
        return Err(shape_error(format!("{what}: indices and data differ in length")));
    }
    Ok(code)
}

impl SparseLibrary {
    /// Starts the LU factorization of the `n x n` matrix of SciPy's compressed arrays
    /// (`indptr`, `indices` int64; CSR, or CSC when `csc`). Duplicates add up; indices
    /// need not be sorted. Whether it was singular is [`Self::lu_is_singular`].
    pub fn lu_factor(&self, indptr: &Store, crd: &Store, vals: &Store, n: usize, csc: bool) -> Result<LuFactorization> {
        static NEXT_ID: AtomicI64 = AtomicI64::new(0);
        let code = check_matrix(indptr, crd, vals, n, "lu_factor")?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let token = self.runtime.create_store::<i64>(&[1])?;
        let mut task = self.runtime.create_auto_task(&self.library, LuFactor::TASK_ID)?;
        add_whole_inputs(&mut task, &[indptr, crd, vals])?;
        add_whole_output(&mut task, &token)?;
        task.add_scalar(id)?;
        task.add_scalar(n as i64)?;
        task.add_scalar(csc as i64)?;
        task.execute()?;
        Ok(LuFactorization { id, token, n, code })
    }

    /// The factors of the `n x n` matrix of SciPy's compressed arrays (as
    /// [`Self::lu_factor`] takes them) as SciPy's `SuperLU` shows them: row and column
    /// permutations, `L` and `U`. One task of its own: faer's supernodal factor does
    /// not give its factors out, so this factors the matrix again (simplicially, with
    /// the same column ordering and pivoting rule). The matrix must not be singular.
    pub fn lu_factor_parts(&self, indptr: &Store, crd: &Store, vals: &Store, n: usize, csc: bool) -> Result<LuFactorParts> {
        let code = check_matrix(indptr, crd, vals, n, "lu_factor_parts")?;
        let rt = &self.runtime;
        let csc_parts = || -> Result<[Store; 3]> {
            Ok([rt.create_store::<i64>(&[n + 1])?, rt.create_unbound_store::<i64>(1)?, rt.create_unbound_store_of(code, value_size(code), 1)?])
        };
        let parts = LuFactorParts { perm_r: rt.create_store::<i64>(&[n])?, perm_c: rt.create_store::<i64>(&[n])?, l: csc_parts()?, u: csc_parts()? };
        let mut task = rt.create_auto_task(&self.library, LuFactors::TASK_ID)?;
        add_whole_inputs(&mut task, &[indptr, crd, vals])?;
        for store in [&parts.perm_r, &parts.perm_c].into_iter().chain(&parts.l).chain(&parts.u) {
            add_whole_output(&mut task, store)?;
        }
        task.add_scalar(n as i64)?;
        task.add_scalar(csc as i64)?;
        task.execute()?;
        Ok(parts)
    }

    /// Whether the factored matrix was exactly singular (then no solve is possible);
    /// waits for the factorization.
    pub fn lu_is_singular(&self, f: &LuFactorization) -> Result<bool> {
        Ok(f.token.read_scalar::<i64>()? != LU_OK)
    }

    /// `x` solving `A x = b` (or `Aᵀ`/`Aᴴ`, per `trans`) for `b` of `n` elements or
    /// `n x k` (row-major), of the factor's value type: a new store of `b`'s shape.
    pub fn lu_solve(&self, f: &LuFactorization, b: &Store, trans: Trans) -> Result<Store> {
        same_values(f.code, b, "b")?;
        let shape = b.shape()?;
        if shape.is_empty() || shape.len() > 2 || shape[0] != f.n {
            return Err(shape_error(format!("lu_solve: an {0} x {0} factor needs b of {0} rows, got shape {shape:?}", f.n)));
        }
        let x = self.runtime.create_store_of(f.code, value_size(f.code), &shape)?;
        if shape.iter().any(|&e| e == 0) {
            return Ok(x);
        }
        let mut task = self.runtime.create_auto_task(&self.library, LuSolve::TASK_ID)?;
        add_whole_inputs(&mut task, &[&f.token, b])?;
        add_whole_output(&mut task, &x)?;
        task.add_scalar(f.id)?;
        task.add_scalar(match trans {
            Trans::N => LU_SOLVE_N,
            Trans::T => LU_SOLVE_T,
            Trans::H => LU_SOLVE_H,
        })?;
        task.execute()?;
        Ok(x)
    }

    /// Frees the factor (after the solves launched before).
    pub fn lu_release(&self, f: &LuFactorization) -> Result<()> {
        let mut task = self.runtime.create_auto_task(&self.library, LuRelease::TASK_ID)?;
        add_whole_output(&mut task, &f.token)?;
        task.add_scalar(f.id)?;
        task.execute()
    }
}
