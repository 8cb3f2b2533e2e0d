//! # legate-sparse
//!
//! Sparse matrices in compressed sparse row (CSR) form on Legate stores, with the
//! products SciPy offers (`A @ x`, `A @ X`, `A @ B`) and conversion to dense. Like
//! `legate-hello`, it depends on `legate-abi` only and reaches the process's one
//! runtime through its function table, so it runs in a Rust program that links the
//! runtime and as its own Python extension module (`python-sparse/`).
//!
//! The pieces, in the order data flows through them:
//!
//! 1. [`CsrMatrix`] ([`csr`]): a matrix as four things: `pos` (one `[lo, hi)` pair per
//!    row, made from SciPy's `indptr` by [`SparseLibrary::row_ranges`]), `crd` (column
//!    indices, int32 or int64 as SciPy keeps them), `vals` and the shape.
//! 2. The Rust API ([`ops`]): each method checks its operands, creates the result
//!    stores and launches one task family. All of them partition the same way: rows
//!    (`pos` and whatever is aligned with it) are tiled, and `crd`/`vals` follow as the
//!    image of `pos`, so each point sees exactly its rows' entries.
//! 3. The tasks ([`tasks`]): the kernels, one file per family.
//! 4. Registration ([`SparseLibrary::register`]).
//! 5. The sparse direct solve ([`lu`]): faer's sparse LU as one-point tasks whose
//!    factor stays in the process until it is released.
//!
//! ```
//! use legate_sparse::SparseLibrary;
//!
//! let sparse = SparseLibrary::register(legate_core::ffi::api()).unwrap();
//! // Host data reaches stores through the runtime that hosts them; here, `fill`.
//! let rt = sparse.runtime();
//! let indptr = rt.create_store::<i64>(&[3]).unwrap(); // a 2 x 2 matrix ...
//! indptr.fill(0i64).unwrap(); // ... with no entries
//! let crd = rt.create_store::<i64>(&[0]).unwrap();
//! let vals = rt.create_store::<f64>(&[0]).unwrap();
//! let a = sparse.csr_from_indptr(&indptr, &crd, &vals, 2).unwrap();
//! let x = rt.create_store::<f64>(&[2]).unwrap();
//! x.fill(1.0f64).unwrap();
//! assert_eq!(sparse.spmv(&a, &x).unwrap().read::<f64>().unwrap(), vec![0.0, 0.0]);
//! ```

pub mod csr;
pub mod lu;
pub mod ops;
pub mod tasks;

pub use csr::CsrMatrix;
pub use lu::{LuFactorParts, LuFactorization, Trans};
pub use legate_abi::client::{Error, ErrorKind, Library, Result, Runtime, Store};
use legate_abi::raw::RawRuntimeApi;
use legate_abi::Task;
use tasks::{
    ColumnRanges, CooSelect, CooSpmm, CooSpmv, CsrSpgemm, CsrSpgemmSymbolic, CsrSpmm, CsrSpmv, CsrSpmvTransposed, CsrToDense, DropZeros, LuFactor, LuFactors, LuRelease, LuSolve, RowPatterns, RowRanges,
    ScanCounts,
};

/// The name the library is registered under.
pub const LIBRARY_NAME: &str = "legate_sparse";

/// A handle to `legate_sparse` in one runtime. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SparseLibrary {
    runtime: Runtime,
    library: Library,
}

impl SparseLibrary {
    /// Creates the library in the runtime whose function table is `api` and registers
    /// its tasks; calling it again for the same runtime returns the same library.
    pub fn register(api: &'static RawRuntimeApi) -> Result<SparseLibrary> {
        let rt = Runtime::new(api)?;
        let library = rt.create_library(LIBRARY_NAME)?;
        let registrar = rt.registrar(&library)?;
        // Registering the same task again (a second `register`) is accepted; an id
        // held by other code is an error (two libraries under one name).
        registrar.register::<RowRanges>()?;
        registrar.register::<CsrSpmv>()?;
        registrar.register::<CsrSpmm>()?;
        registrar.register::<CsrSpgemm>()?;
        registrar.register::<ScanCounts>()?;
        registrar.register::<CsrToDense>()?;
        registrar.register::<CsrSpgemmSymbolic>()?;
        registrar.register::<DropZeros>()?;
        registrar.register::<LuFactor>()?;
        registrar.register::<LuSolve>()?;
        registrar.register::<LuRelease>()?;
        registrar.register::<ColumnRanges>()?;
        registrar.register::<LuFactors>()?;
        registrar.register::<CsrSpmvTransposed>()?;
        registrar.register::<RowPatterns>()?;
        registrar.register::<CooSpmv>()?;
        registrar.register::<CooSelect>()?;
        registrar.register::<CooSpmm>()?;
        Ok(SparseLibrary { runtime: rt, library })
    }

    pub fn runtime(&self) -> Runtime {
        self.runtime
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Ids of the tasks, for profiles and tests.
    pub const TASKS: [(&'static str, u32); 18] = [
        (RowRanges::NAME, RowRanges::TASK_ID),
        (CsrSpmv::NAME, CsrSpmv::TASK_ID),
        (CsrSpmm::NAME, CsrSpmm::TASK_ID),
        (CsrSpgemm::NAME, CsrSpgemm::TASK_ID),
        (ScanCounts::NAME, ScanCounts::TASK_ID),
        (CsrToDense::NAME, CsrToDense::TASK_ID),
        (CsrSpgemmSymbolic::NAME, CsrSpgemmSymbolic::TASK_ID),
        (DropZeros::NAME, DropZeros::TASK_ID),
        (LuFactor::NAME, LuFactor::TASK_ID),
        (LuSolve::NAME, LuSolve::TASK_ID),
        (LuRelease::NAME, LuRelease::TASK_ID),
        (ColumnRanges::NAME, ColumnRanges::TASK_ID),
        (LuFactors::NAME, LuFactors::TASK_ID),
        (CsrSpmvTransposed::NAME, CsrSpmvTransposed::TASK_ID),
        (RowPatterns::NAME, RowPatterns::TASK_ID),
        (CooSpmv::NAME, CooSpmv::TASK_ID),
        (CooSelect::NAME, CooSelect::TASK_ID),
        (CooSpmm::NAME, CooSpmm::TASK_ID),
    ];
}
