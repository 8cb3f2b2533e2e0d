//! `legate_sparse._legate_sparse`: the sparse library as its own extension module.
//!
//! It links `legate-sparse` and `legate-abi` only, never the runtime. On first use it
//! imports the capsule `legate._legate.runtime_api` (the table of the process's one
//! runtime) and registers the library's tasks through it. Every function takes and
//! returns `legate._legate.Store` objects; `legate_sparse._native` wraps them for
//! `legate_numeric` arrays. A matrix travels as its three stores (`pos`, `crd`, `vals`),
//! and its shape is read off the operands (`len(pos)` rows; the columns from `x`, `X`,
//! `B` or an explicit count).

use legate_abi::client::Store;
use legate_sparse::{CsrMatrix, LuFactorization, SparseLibrary, Trans};
use legate_python_abi::{to_py, to_python};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::OnceLock;

static LIBRARY: OnceLock<SparseLibrary> = OnceLock::new();

/// The library, registered with the process's runtime on first use.
fn library(py: Python<'_>) -> PyResult<&'static SparseLibrary> {
    if let Some(lib) = LIBRARY.get() {
        return Ok(lib);
    }
    let rt = legate_python_abi::runtime(py)?;
    let api = rt.raw();
    // Registering may start the runtime: let other Python threads run meanwhile.
    let lib = py.detach(|| SparseLibrary::register(api)).map_err(to_py)?;
    Ok(LIBRARY.get_or_init(|| lib))
}

/// The matrix of `pos`, `crd`, `vals` with `ncols` columns.
fn matrix(
    py: Python<'_>,
    lib: &SparseLibrary,
    (pos, crd, vals): (&Bound<'_, PyAny>, &Bound<'_, PyAny>, &Bound<'_, PyAny>),
    ncols: usize,
) -> PyResult<CsrMatrix> {
    let pos = legate_python_abi::store_of(py, lib.runtime(), pos, "pos")?;
    let crd = legate_python_abi::store_of(py, lib.runtime(), crd, "indices")?;
    let vals = legate_python_abi::store_of(py, lib.runtime(), vals, "data")?;
    let rows = pos.shape().map_err(to_py)?;
    let [nrows] = rows[..] else {
        return Err(PyValueError::new_err(format!("pos must be 1-d, it has shape {rows:?}")));
    };
    CsrMatrix::new(pos, crd, vals, [nrows, ncols]).map_err(to_py)
}

/// The length of dimension `dim` of `store`, or a ValueError.
fn extent(store: &Store, dim: usize, what: &str) -> PyResult<usize> {
    let shape = store.shape().map_err(to_py)?;
    shape.get(dim).copied().ok_or_else(|| PyValueError::new_err(format!("{what} has shape {shape:?}")))
}

/// `pos` (`[i64; 2]` per row) of an int32 or int64 `indptr`.
#[pyfunction]
fn row_ranges<'py>(py: Python<'py>, indptr: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let indptr = legate_python_abi::store_of(py, lib.runtime(), indptr, "indptr")?;
    let pos = py.detach(|| lib.row_ranges(&indptr)).map_err(to_py)?;
    to_python(py, pos)
}

/// Each row's column range of the matrix `(pos, crd)` (see `column_ranges` in Rust).
#[pyfunction]
fn column_ranges<'py>(py: Python<'py>, pos: &Bound<'py, PyAny>, crd: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let pos = legate_python_abi::store_of(py, lib.runtime(), pos, "pos")?;
    let crd = legate_python_abi::store_of(py, lib.runtime(), crd, "indices")?;
    let out = py.detach(|| lib.column_ranges(&pos, &crd)).map_err(to_py)?;
    to_python(py, out)
}

/// The rows' pattern ids and tables of the matrix `(pos, crd)` (see `row_patterns` in
/// Rust), for `spmv`'s `patterns`.
#[pyfunction]
fn row_patterns<'py>(py: Python<'py>, pos: &Bound<'py, PyAny>, crd: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let lib = library(py)?;
    let pos = legate_python_abi::store_of(py, lib.runtime(), pos, "pos")?;
    let crd = legate_python_abi::store_of(py, lib.runtime(), crd, "indices")?;
    let (ids, tables) = py.detach(|| lib.row_patterns(&pos, &crd)).map_err(to_py)?;
    PyTuple::new(py, [to_python(py, ids)?, to_python(py, tables)?])
}

/// The matrix `(pos, crd, vals)` of `ncols` columns with its optional column ranges
/// and `indptr` (see [`spmv`]).
fn matrix_with(
    py: Python<'_>,
    lib: &SparseLibrary,
    parts: (&Bound<'_, PyAny>, &Bound<'_, PyAny>, &Bound<'_, PyAny>),
    ncols: usize,
    cols: Option<&Bound<'_, PyAny>>,
    indptr: Option<&Bound<'_, PyAny>>,
) -> PyResult<CsrMatrix> {
    let mut a = matrix(py, lib, parts, ncols)?;
    a.cols = cols.map(|c| legate_python_abi::store_of(py, lib.runtime(), c, "cols")).transpose()?;
    a.indptr = indptr.map(|p| legate_python_abi::store_of(py, lib.runtime(), p, "indptr")).transpose()?;
    Ok(a)
}

/// `A @ x`, written into `out` when given (and returned); `patterns`, the matrix's
/// `row_patterns` as they are now, lets the kernel skip the column indices; `cols` is the matrix's
/// `column_ranges` (made here for int32 indices when not given); `indptr`, SciPy's
/// offsets `pos` was made from, lets the kernel read row ranges in fewer bytes. With
/// `dot` (and `out`, of a square matrix), returns `(y, x^H y)` (a one-element future),
/// both from one pass.
#[pyfunction]
#[pyo3(signature = (pos, crd, vals, x, out=None, cols=None, indptr=None, dot=false, patterns=None))]
#[allow(clippy::too_many_arguments)]
fn spmv<'py>(
    py: Python<'py>,
    pos: &Bound<'py, PyAny>,
    crd: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
    cols: Option<&Bound<'py, PyAny>>,
    indptr: Option<&Bound<'py, PyAny>>,
    dot: bool,
    patterns: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let x = legate_python_abi::store_of(py, lib.runtime(), x, "x")?;
    let out = out.map(|out| legate_python_abi::store_of(py, lib.runtime(), out, "out")).transpose()?;
    let mut a = matrix_with(py, lib, (pos, crd, vals), extent(&x, 0, "x")?, cols, indptr)?;
    if let Some((ids, tables)) = patterns {
        let ids = legate_python_abi::store_of(py, lib.runtime(), &ids, "pattern ids")?;
        let tables = legate_python_abi::store_of(py, lib.runtime(), &tables, "pattern tables")?;
        a.patterns = Some((ids, tables));
    }
    if dot {
        let y = out.ok_or_else(|| PyValueError::new_err("spmv with dot=True needs out"))?;
        let d = py.detach(|| lib.spmv_dot(&a, &x, &y)).map_err(to_py)?;
        return Ok(PyTuple::new(py, [to_python(py, y)?, to_python(py, d)?])?.into_any());
    }
    let y = py
        .detach(|| match out {
            Some(y) => lib.spmv_into(&a, &x, &y).map(|()| y),
            None => lib.spmv(&a, &x),
        })
        .map_err(to_py)?;
    to_python(py, y)
}

/// `A^T @ x` for the CSR matrix `(pos, crd, vals)` of `ncols` columns (a CSC matrix's
/// product); `cols` is the matrix's `column_ranges` (made here for int32 indices when
/// not given).
#[pyfunction]
#[pyo3(signature = (pos, crd, vals, x, ncols, cols=None))]
fn spmv_transposed<'py>(
    py: Python<'py>,
    pos: &Bound<'py, PyAny>,
    crd: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    ncols: usize,
    cols: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let x = legate_python_abi::store_of(py, lib.runtime(), x, "x")?;
    let a = matrix_with(py, lib, (pos, crd, vals), ncols, cols, None)?;
    let y = py.detach(|| lib.spmv_transposed(&a, &x)).map_err(to_py)?;
    to_python(py, y)
}

/// `A @ x` for the matrix of `nrows` rows whose entries are `(rows, cols, vals)` in any
/// order (COO; int64 `rows` and `cols`).
#[pyfunction]
fn coo_spmv<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
    cols: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    nrows: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let rt = lib.runtime();
    let rows = legate_python_abi::store_of(py, rt, rows, "rows")?;
    let cols = legate_python_abi::store_of(py, rt, cols, "cols")?;
    let vals = legate_python_abi::store_of(py, rt, vals, "data")?;
    let x = legate_python_abi::store_of(py, rt, x, "x")?;
    let y = py.detach(|| lib.coo_spmv(&rows, &cols, &vals, &x, nrows)).map_err(to_py)?;
    to_python(py, y)
}

/// `A @ X` for the matrix of `nrows` rows whose entries are `(rows, cols, vals)` in any
/// order (COO; int64 `rows` and `cols`) and a dense 2-d `X`; with `blocks` (int64) a
/// block-diagonal matrix of `block_shape` blocks, `rows` and `cols` within them.
#[pyfunction]
#[pyo3(signature = (rows, cols, vals, x, nrows, blocks=None, block_shape=(0, 0)))]
#[allow(clippy::too_many_arguments)]
fn coo_spmm<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
    cols: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    nrows: usize,
    blocks: Option<&Bound<'py, PyAny>>,
    block_shape: (usize, usize),
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let rt = lib.runtime();
    let rows = legate_python_abi::store_of(py, rt, rows, "rows")?;
    let cols = legate_python_abi::store_of(py, rt, cols, "cols")?;
    let vals = legate_python_abi::store_of(py, rt, vals, "data")?;
    let x = legate_python_abi::store_of(py, rt, x, "X")?;
    let blocks = blocks.map(|b| legate_python_abi::store_of(py, rt, b, "blocks")).transpose()?;
    let blocks = blocks.as_ref().map(|b| (b, block_shape.0, block_shape.1));
    let y = py.detach(|| lib.coo_spmm(&rows, &cols, &vals, &x, nrows, blocks)).map_err(to_py)?;
    to_python(py, y)
}

/// The entries of an n-d COO array (int64 `coords`, one store an axis) inside the key
/// `plan` describes: a tuple of the entries' indices and `nout` coordinate stores.
#[pyfunction]
fn coo_select<'py>(py: Python<'py>, coords: Vec<Bound<'py, PyAny>>, plan: &Bound<'py, PyAny>, nout: usize) -> PyResult<Bound<'py, PyTuple>> {
    let lib = library(py)?;
    let rt = lib.runtime();
    let coords = coords.iter().map(|c| legate_python_abi::store_of(py, rt, c, "coords")).collect::<PyResult<Vec<_>>>()?;
    let plan = legate_python_abi::store_of(py, rt, plan, "plan")?;
    let outs = py.detach(|| lib.coo_select(&coords, &plan, nout)).map_err(to_py)?;
    PyTuple::new(py, outs.into_iter().map(|s| to_python(py, s)).collect::<PyResult<Vec<_>>>()?)
}

/// Runs `op` on the matrix `(pos, crd, vals)` of `ncols` columns, letting other Python
/// threads run meanwhile, and returns its result store.
fn on_matrix<'py>(
    py: Python<'py>,
    lib: &SparseLibrary,
    parts: (&Bound<'py, PyAny>, &Bound<'py, PyAny>, &Bound<'py, PyAny>),
    ncols: usize,
    op: impl FnOnce(&CsrMatrix) -> legate_sparse::Result<Store> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let a = matrix(py, lib, parts, ncols)?;
    let out = py.detach(|| op(&a)).map_err(to_py)?;
    to_python(py, out)
}

/// `A @ X` for a dense 2-d `X`.
#[pyfunction]
fn spmm<'py>(
    py: Python<'py>,
    pos: &Bound<'py, PyAny>,
    crd: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    let x = legate_python_abi::store_of(py, lib.runtime(), x, "X")?;
    on_matrix(py, lib, (pos, crd, vals), extent(&x, 0, "X")?, |a| lib.spmm(a, &x))
}

/// `A @ B` as SciPy's product gives it: `(indptr, pos, indices, data)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn spgemm<'py>(
    py: Python<'py>,
    a_pos: &Bound<'py, PyAny>,
    a_crd: &Bound<'py, PyAny>,
    a_vals: &Bound<'py, PyAny>,
    b_pos: &Bound<'py, PyAny>,
    b_crd: &Bound<'py, PyAny>,
    b_vals: &Bound<'py, PyAny>,
    b_ncols: usize,
) -> PyResult<Bound<'py, PyTuple>> {
    let lib = library(py)?;
    let b = matrix(py, lib, (b_pos, b_crd, b_vals), b_ncols)?;
    let a = matrix(py, lib, (a_pos, a_crd, a_vals), b.nrows())?;
    let (indptr, pos, crd, vals) = py.detach(|| lib.spgemm_parts(&a, &b)).map_err(to_py)?;
    PyTuple::new(py, [to_python(py, indptr)?, to_python(py, pos)?, to_python(py, crd)?, to_python(py, vals)?])
}

/// The dense `len(pos) x ncols` matrix.
#[pyfunction]
fn todense<'py>(
    py: Python<'py>,
    pos: &Bound<'py, PyAny>,
    crd: &Bound<'py, PyAny>,
    vals: &Bound<'py, PyAny>,
    ncols: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let lib = library(py)?;
    on_matrix(py, lib, (pos, crd, vals), ncols, |a| lib.todense(a))
}

/// A sparse LU factorization (faer's, held by the runtime's process);
/// `legate_sparse.linalg.SuperLU` wraps it.
#[pyclass(frozen, name = "LuFactor")]
struct PyLuFactor {
    inner: LuFactorization,
}

#[pymethods]
impl PyLuFactor {
    /// The order `n` of the factored matrix.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n()
    }

    /// Whether the matrix was exactly singular (waits for the factorization).
    fn singular(&self, py: Python<'_>) -> PyResult<bool> {
        let lib = library(py)?;
        py.detach(|| lib.lu_is_singular(&self.inner)).map_err(to_py)
    }

    /// `x` with `A x = b` (`trans` "N"), `Aᵀ x = b` ("T") or `Aᴴ x = b` ("H"), for `b`
    /// of `n` elements or `n x k` of the factor's dtype.
    #[pyo3(signature = (b, trans="N"))]
    fn solve<'py>(&self, py: Python<'py>, b: &Bound<'py, PyAny>, trans: &str) -> PyResult<Bound<'py, PyAny>> {
        let lib = library(py)?;
        let trans = match trans {
            "N" => Trans::N,
            "T" => Trans::T,
            "H" => Trans::H,
            other => return Err(PyValueError::new_err(format!("trans must be N, T, or H, not {other:?}"))),
        };
        let b = legate_python_abi::store_of(py, lib.runtime(), b, "b")?;
        let x = py.detach(|| lib.lu_solve(&self.inner, &b, trans)).map_err(to_py)?;
        to_python(py, x)
    }

    /// Frees the factor once the solves launched before it are done.
    fn release(&self, py: Python<'_>) -> PyResult<()> {
        let lib = library(py)?;
        py.detach(|| lib.lu_release(&self.inner)).map_err(to_py)
    }
}

/// Starts the LU factorization of the `n x n` matrix of SciPy's compressed arrays
/// (int64 `indptr`/`indices`; CSC when `csc`, else CSR).
#[pyfunction]
fn lu_factor(
    py: Python<'_>,
    indptr: &Bound<'_, PyAny>,
    indices: &Bound<'_, PyAny>,
    data: &Bound<'_, PyAny>,
    n: usize,
    csc: bool,
) -> PyResult<PyLuFactor> {
    let lib = library(py)?;
    let indptr = legate_python_abi::store_of(py, lib.runtime(), indptr, "indptr")?;
    let crd = legate_python_abi::store_of(py, lib.runtime(), indices, "indices")?;
    let vals = legate_python_abi::store_of(py, lib.runtime(), data, "data")?;
    let inner = py.detach(|| lib.lu_factor(&indptr, &crd, &vals, n, csc)).map_err(to_py)?;
    Ok(PyLuFactor { inner })
}

/// SciPy's `SuperLU` attributes of the `n x n` matrix of the compressed arrays (as
/// `lu_factor` takes them): `(perm_r, perm_c, L_indptr, L_indices, L_data, U_indptr,
/// U_indices, U_data)`, L and U as CSC, all indices int64.
#[pyfunction]
fn lu_factor_parts<'py>(
    py: Python<'py>,
    indptr: &Bound<'py, PyAny>,
    indices: &Bound<'py, PyAny>,
    data: &Bound<'py, PyAny>,
    n: usize,
    csc: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let lib = library(py)?;
    let indptr = legate_python_abi::store_of(py, lib.runtime(), indptr, "indptr")?;
    let crd = legate_python_abi::store_of(py, lib.runtime(), indices, "indices")?;
    let vals = legate_python_abi::store_of(py, lib.runtime(), data, "data")?;
    let p = py.detach(|| lib.lu_factor_parts(&indptr, &crd, &vals, n, csc)).map_err(to_py)?;
    let stores = [p.perm_r, p.perm_c].into_iter().chain(p.l).chain(p.u);
    PyTuple::new(py, stores.map(|s| to_python(py, s)).collect::<PyResult<Vec<_>>>()?)
}

/// How many LU factors this process holds (for tests).
#[pyfunction]
fn lu_factors_held() -> usize {
    legate_sparse::tasks::lu_factors_held()
}

/// The library's id in the runtime (registering it if needed).
#[pyfunction]
fn library_id(py: Python<'_>) -> PyResult<u32> {
    Ok(library(py)?.library().id())
}

#[pymodule]
fn _legate_sparse(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("LIBRARY_NAME", legate_sparse::LIBRARY_NAME)?;
    m.add("ABI_VERSION", legate_abi::ABI_VERSION)?;
    m.add_function(wrap_pyfunction!(row_ranges, m)?)?;
    m.add_function(wrap_pyfunction!(column_ranges, m)?)?;
    m.add_function(wrap_pyfunction!(row_patterns, m)?)?;
    m.add_function(wrap_pyfunction!(spmv, m)?)?;
    m.add_function(wrap_pyfunction!(spmv_transposed, m)?)?;
    m.add_function(wrap_pyfunction!(coo_spmv, m)?)?;
    m.add_function(wrap_pyfunction!(coo_spmm, m)?)?;
    m.add_function(wrap_pyfunction!(coo_select, m)?)?;
    m.add_function(wrap_pyfunction!(spmm, m)?)?;
    m.add_function(wrap_pyfunction!(spgemm, m)?)?;
    m.add_function(wrap_pyfunction!(todense, m)?)?;
    m.add_function(wrap_pyfunction!(library_id, m)?)?;
    m.add_function(wrap_pyfunction!(lu_factor, m)?)?;
    m.add_function(wrap_pyfunction!(lu_factors_held, m)?)?;
    m.add_function(wrap_pyfunction!(lu_factor_parts, m)?)?;
    m.add_class::<PyLuFactor>()?;
    Ok(())
}
