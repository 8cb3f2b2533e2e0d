//! The Rust API: one method per operation. Each checks its operands, makes the result
//! stores and launches its task, returning right away (results are read later).
//!
//! Every launch partitions the same way, as Legate Sparse does: the rows of the matrix
//! (`pos`, and what is aligned with it: `y`, `Y`, the dense output, SpGEMM's counts) are
//! tiled, `crd` and `vals` are the image of `pos` (each point gets the entries its rows
//! name), and a gathered operand (`x`) is the image of `crd` (int64), or of each row's
//! column range (int32, whose points the runtime's images do not take).

use crate::csr::{expect_int64, index_type, invalid, length, same_values, shape_error, value_type, CsrMatrix};
use crate::tasks::{
    ColumnRanges, CooSelect, CooSpmm, CooSpmv, CsrSpgemm, CsrSpgemmSymbolic, CsrSpmm, CsrSpmv, CsrSpmvTransposed, CsrToDense, DropZeros, RowPatterns, RowRanges, ScanCounts,
};
use crate::{Result, SparseLibrary, Store};
use legate_abi::client::{TaskLaunch, Variable};
use legate_abi::{ImageKind, ReductionOp, Task, TypeCode};
use num_complex::{Complex32, Complex64};

/// The size in bytes of a value type (one of the four supported).
pub(crate) fn value_size(code: TypeCode) -> usize {
    match code {
        TypeCode::Float32 => 4,
        TypeCode::Float64 | TypeCode::Complex64 => 8,
        _ => 16,
    }
}

/// Adds `crd` and `vals` as inputs holding the entries of the rows `pos` (already an
/// argument, as `pos_var`) gives each point.
fn add_row_entries(task: &mut TaskLaunch, pos_var: Variable, crd: &Store, vals: &Store) -> Result<Variable> {
    let crd_var = task.add_input(crd)?;
    let vals_var = task.add_input(vals)?;
    task.add_image(pos_var, crd_var, ImageKind::Ranges)?;
    task.add_image(pos_var, vals_var, ImageKind::Ranges)?;
    Ok(crd_var)
}

/// Adds `x` as an input gathered through the column indices `crd` (as `crd_var`).
fn add_gathered(task: &mut TaskLaunch, crd_var: Variable, x: &Store) -> Result<()> {
    let x_var = task.add_input(x)?;
    task.add_image(crd_var, x_var, ImageKind::Points)
}

/// Adds `x` as an input read through the column ranges `cols` (one `[i64; 2]` per row,
/// aligned with `pos` as `pos_var`): the same rectangles as the point image of `crd`.
fn add_gathered_by_ranges(task: &mut TaskLaunch, pos_var: Variable, cols: &Store, x: &Store) -> Result<()> {
    let x_var = task.add_input(x)?;
    let cols_var = task.add_input(cols)?;
    task.add_alignment(pos_var, cols_var)?;
    task.add_image(cols_var, x_var, ImageKind::Ranges)
}

impl SparseLibrary {
    fn task(&self, id: u32) -> Result<TaskLaunch> {
        self.runtime.create_auto_task(&self.library, id)
    }

    /// `pos` for SciPy's `indptr` (int32 or int64, `n + 1` non-decreasing offsets): row
    /// `i`'s range `[indptr[i], indptr[i + 1])`, as one `[i64; 2]` element.
    pub fn row_ranges(&self, indptr: &Store) -> Result<Store> {
        index_type(indptr, "indptr")?;
        let len = length(indptr, "indptr")?;
        if len == 0 {
            return Err(invalid("indptr must have at least one element (n_rows + 1)"));
        }
        let n = len - 1;
        let pos = self.runtime.create_store::<[i64; 2]>(&[n])?;
        if n == 0 {
            return Ok(pos);
        }
        // Two shifted views of indptr, aligned with pos, give each row both its ends.
        let lo = indptr.slice(0, Some(0), Some(n as i64), 1)?;
        let hi = indptr.slice(0, Some(1), Some(len as i64), 1)?;
        let mut task = self.task(RowRanges::TASK_ID)?;
        let lo_var = task.add_input(&lo)?;
        let hi_var = task.add_input(&hi)?;
        let pos_var = task.add_output(&pos)?;
        task.add_alignment(lo_var, pos_var)?;
        task.add_alignment(hi_var, pos_var)?;
        task.execute()?;
        Ok(pos)
    }

    /// A matrix of `ncols` columns from SciPy's three arrays (int32 or int64 indices).
    pub fn csr_from_indptr(&self, indptr: &Store, crd: &Store, vals: &Store, ncols: usize) -> Result<CsrMatrix> {
        let pos = self.row_ranges(indptr)?;
        let nrows = length(&pos, "pos")?;
        let mut a = CsrMatrix::new(pos, crd.clone(), vals.clone(), [nrows, ncols])?;
        a.indptr = Some(indptr.clone());
        if index_type(crd, "indices")? == TypeCode::Int32 {
            a.cols = Some(self.column_ranges(&a.pos, &a.crd)?);
        }
        Ok(a)
    }

    /// Each row's column range `[min, max + 1)` (`[0, 0]` when empty), one `[i64; 2]`
    /// per row of `pos`: what SpMV reads `x` through for int32 indices `crd` (see
    /// `CsrMatrix::cols`).
    pub fn column_ranges(&self, pos: &Store, crd: &Store) -> Result<Store> {
        index_type(crd, "indices")?;
        let nrows = length(pos, "pos")?;
        let cols = self.runtime.create_store::<[i64; 2]>(&[nrows])?;
        if nrows == 0 {
            return Ok(cols);
        }
        let mut task = self.task(ColumnRanges::TASK_ID)?;
        let pos_var = task.add_input(pos)?;
        let crd_var = task.add_input(crd)?;
        task.add_image(pos_var, crd_var, ImageKind::Ranges)?;
        let cols_var = task.add_output(&cols)?;
        task.add_alignment(pos_var, cols_var)?;
        task.execute()?;
        Ok(cols)
    }

    /// The inspector of the patterned SpMV (see `tasks/patterns.rs`): one `u8` per row
    /// of `pos` naming the row's pattern of column offsets, and the tables of each
    /// block of rows (an `i64` store every product reads whole). Set them as
    /// [`CsrMatrix::patterns`] while `pos` and `crd` stay as they are now.
    pub fn row_patterns(&self, pos: &Store, crd: &Store) -> Result<(Store, Store)> {
        index_type(crd, "indices")?;
        let nrows = length(pos, "pos")?;
        let ids = self.runtime.create_store::<u8>(&[nrows])?;
        let tables = self.runtime.create_unbound_store::<i64>(1)?;
        if nrows == 0 {
            return Ok((ids, self.runtime.create_store::<i64>(&[0])?));
        }
        let mut task = self.task(RowPatterns::TASK_ID)?;
        let pos_var = task.add_input(pos)?;
        let crd_var = task.add_input(crd)?;
        task.add_image(pos_var, crd_var, ImageKind::Ranges)?;
        let ids_var = task.add_output(&ids)?;
        task.add_alignment(pos_var, ids_var)?;
        task.add_output(&tables)?;
        task.execute()?;
        Ok((ids, tables))
    }

    /// `y = A @ x` (a new store).
    pub fn spmv(&self, a: &CsrMatrix, x: &Store) -> Result<Store> {
        let code = a.value_type()?;
        let y = self.runtime.create_store_of(code, value_size(code), &[a.nrows()])?;
        self.spmv_into(a, x, &y)?;
        Ok(y)
    }

    /// `y = A @ x` into an existing store (of `A`'s rows and value type; a view is fine).
    pub fn spmv_into(&self, a: &CsrMatrix, x: &Store, y: &Store) -> Result<()> {
        self.launch_spmv(a, x, y, None)
    }

    /// `y = A @ x` into `y` (as [`Self::spmv_into`]) and `x^H y` as a new one-element
    /// future, in one pass: CG's product and `p·(A p)` (a square `A` only: `x` is also
    /// read at the rows).
    pub fn spmv_dot(&self, a: &CsrMatrix, x: &Store, y: &Store) -> Result<Store> {
        if a.nrows() != a.ncols() {
            return Err(shape_error(format!("spmv_dot: the matrix must be square, it is {:?}", a.shape)));
        }
        let rt = self.runtime;
        let dot = match a.value_type()? {
            TypeCode::Float32 => rt.create_future(0f32)?,
            TypeCode::Float64 => rt.create_future(0f64)?,
            TypeCode::Complex64 => rt.create_future(Complex32::new(0.0, 0.0))?,
            _ => rt.create_future(Complex64::new(0.0, 0.0))?,
        };
        self.launch_spmv(a, x, y, Some(&dot))?;
        Ok(dot)
    }

    /// `y = A @ x`, adding `x^H y` into `dot` when given.
    fn launch_spmv(&self, a: &CsrMatrix, x: &Store, y: &Store, dot: Option<&Store>) -> Result<()> {
        let code = a.value_type()?;
        same_values(code, x, "x")?;
        same_values(code, y, "y")?;
        let (nx, ny) = (length(x, "x")?, length(y, "y")?);
        if nx != a.ncols() || ny != a.nrows() {
            return Err(shape_error(format!(
                "spmv: a {:?} matrix needs x of length {} and y of length {}, got {nx} and {ny}",
                a.shape,
                a.ncols(),
                a.nrows()
            )));
        }
        if ny == 0 {
            return Ok(());
        }
        let mut task = self.task(CsrSpmv::TASK_ID)?;
        let pos_var = task.add_input(&a.pos)?;
        let crd_var = add_row_entries(&mut task, pos_var, &a.crd, &a.vals)?;
        // Inputs so far: pos, crd, vals, x, and for int32 indices (or with patterns) the
        // column ranges.
        let mut inputs: i64 = 4;
        if index_type(&a.crd, "indices")? == TypeCode::Int64 && a.patterns.is_none() {
            add_gathered(&mut task, crd_var, x)?;
        } else {
            inputs += 1;
            let cols = match &a.cols {
                Some(cols) => cols.clone(),
                None => self.column_ranges(&a.pos, &a.crd)?,
            };
            add_gathered_by_ranges(&mut task, pos_var, &cols, x)?;
        }
        let first_offset = match &a.indptr {
            Some(indptr) if index_type(indptr, "indptr")? == index_type(&a.crd, "indices")? => {
                if length(indptr, "indptr")? != ny + 1 {
                    return Err(shape_error(format!("spmv: indptr must have {} elements, it has {}", ny + 1, length(indptr, "indptr")?)));
                }
                let first = inputs;
                for (lo, hi) in [(0, ny as i64), (1, ny as i64 + 1)] {
                    let var = task.add_input(&indptr.slice(0, Some(lo), Some(hi), 1)?)?;
                    task.add_alignment(pos_var, var)?;
                }
                first
            }
            _ => -1,
        };
        task.add_scalar(first_offset)?;
        let x_rows = match dot {
            Some(dot) => {
                let var = task.add_input(x)?;
                task.add_alignment(pos_var, var)?;
                task.add_reduction(dot, ReductionOp::Add)?;
                inputs + if first_offset >= 0 { 2 } else { 0 }
            }
            None => -1,
        };
        task.add_scalar(x_rows)?;
        // The patterns last: the rows' ids aligned with them, the tables whole.
        let first_pattern = match &a.patterns {
            Some((ids, tables)) => {
                if length(ids, "pattern ids")? != ny {
                    return Err(shape_error(format!("spmv: the pattern ids must have {ny} elements")));
                }
                let var = task.add_input(ids)?;
                task.add_alignment(pos_var, var)?;
                let var = task.add_input(tables)?;
                task.add_broadcast(var, None)?;
                inputs + if first_offset >= 0 { 2 } else { 0 } + if dot.is_some() { 1 } else { 0 }
            }
            None => -1,
        };
        task.add_scalar(first_pattern)?;
        let y_var = task.add_output(y)?;
        task.add_alignment(pos_var, y_var)?;
        task.execute()
    }

    /// `y = Aᵀ @ x` (a new store of `A.ncols()` elements): a CSC matrix's `A @ x`, whose
    /// columns are `A`'s rows here. Each point scatters its rows into a private copy
    /// of the part of `y` they touch (the image of its column indices: a band for a
    /// banded matrix, not all of `y`), which the runtime sums.
    pub fn spmv_transposed(&self, a: &CsrMatrix, x: &Store) -> Result<Store> {
        let code = a.value_type()?;
        same_values(code, x, "x")?;
        let nx = length(x, "x")?;
        if nx != a.nrows() {
            return Err(shape_error(format!("spmv_transposed: a {:?} matrix needs x of length {}, got {nx}", a.shape, a.nrows())));
        }
        let y = self.runtime.create_store_of(code, value_size(code), &[a.ncols()])?;
        match code {
            TypeCode::Float32 => y.fill(0f32)?,
            TypeCode::Float64 => y.fill(0f64)?,
            TypeCode::Complex64 => y.fill(Complex32::new(0.0, 0.0))?,
            _ => y.fill(Complex64::new(0.0, 0.0))?,
        }
        if nx == 0 || a.ncols() == 0 {
            return Ok(y);
        }
        let mut task = self.task(CsrSpmvTransposed::TASK_ID)?;
        let pos_var = task.add_input(&a.pos)?;
        let crd_var = add_row_entries(&mut task, pos_var, &a.crd, &a.vals)?;
        let x_var = task.add_input(x)?;
        task.add_alignment(pos_var, x_var)?;
        // y is the image of the column indices (int64) or of the rows' column ranges
        // (int32), as x is in `spmv_into`.
        if index_type(&a.crd, "indices")? == TypeCode::Int64 {
            let y_var = task.add_reduction(&y, ReductionOp::Add)?;
            task.add_image(crd_var, y_var, ImageKind::Points)?;
        } else {
            let cols = match &a.cols {
                Some(cols) => cols.clone(),
                None => self.column_ranges(&a.pos, &a.crd)?,
            };
            let cols_var = task.add_input(&cols)?;
            task.add_alignment(pos_var, cols_var)?;
            let y_var = task.add_reduction(&y, ReductionOp::Add)?;
            task.add_image(cols_var, y_var, ImageKind::Ranges)?;
        }
        task.execute()?;
        Ok(y)
    }

    /// `y = A @ x` for the `nrows x x.len()` matrix of the entries `(rows, cols, vals)`
    /// in any order, duplicates summed (COO): a new store of `nrows` values. The
    /// entries are tiled; each point reads the image of its `cols` in `x` and sums
    /// into a private copy of the image of its `rows` in `y`, which the runtime folds.
    pub fn coo_spmv(&self, rows: &Store, cols: &Store, vals: &Store, x: &Store, nrows: usize) -> Result<Store> {
        let code = value_type(vals, "data")?;
        same_values(code, x, "x")?;
        expect_int64(rows, "rows")?;
        expect_int64(cols, "cols")?;
        let n = length(vals, "data")?;
        if length(rows, "rows")? != n || length(cols, "cols")? != n {
            return Err(shape_error(format!("coo_spmv: rows, cols and data must have one length, got {}, {} and {n}", length(rows, "rows")?, length(cols, "cols")?)));
        }
        let y = self.runtime.create_store_of(code, value_size(code), &[nrows])?;
        match code {
            TypeCode::Float32 => y.fill(0f32)?,
            TypeCode::Float64 => y.fill(0f64)?,
            TypeCode::Complex64 => y.fill(Complex32::new(0.0, 0.0))?,
            _ => y.fill(Complex64::new(0.0, 0.0))?,
        }
        if n == 0 || nrows == 0 || length(x, "x")? == 0 {
            return Ok(y);
        }
        let mut task = self.task(CooSpmv::TASK_ID)?;
        let rows_var = task.add_input(rows)?;
        let cols_var = task.add_input(cols)?;
        let vals_var = task.add_input(vals)?;
        task.add_alignment(rows_var, cols_var)?;
        task.add_alignment(rows_var, vals_var)?;
        add_gathered(&mut task, cols_var, x)?;
        let y_var = task.add_reduction(&y, ReductionOp::Add)?;
        task.add_image(rows_var, y_var, ImageKind::Points)?;
        task.execute()?;
        Ok(y)
    }

    /// `Y = A @ X` for the `nrows x X.shape[0]` matrix of the entries `(rows, cols,
    /// vals)` in any order, duplicates summed (COO), and a dense 2-d `X`: a new
    /// `nrows x X.shape[1]` store. The entries are tiled; each point reads all of `X`
    /// and sums into a private copy of `Y`, which the runtime folds. With `blocks`
    /// (`(blocks, block_rows, block_cols)`) `A` is block-diagonal and `rows`/`cols` are
    /// within each entry's block (see [`crate::tasks::CooSpmm`]).
    pub fn coo_spmm(&self, rows: &Store, cols: &Store, vals: &Store, x: &Store, nrows: usize, blocks: Option<(&Store, usize, usize)>) -> Result<Store> {
        let code = value_type(vals, "data")?;
        same_values(code, x, "X")?;
        expect_int64(rows, "rows")?;
        expect_int64(cols, "cols")?;
        let n = length(vals, "data")?;
        if length(rows, "rows")? != n || length(cols, "cols")? != n {
            return Err(shape_error(format!("coo_spmm: rows, cols and data must have one length, got {}, {} and {n}", length(rows, "rows")?, length(cols, "cols")?)));
        }
        if let Some((b, block_rows, _)) = blocks {
            expect_int64(b, "blocks")?;
            if length(b, "blocks")? != n || block_rows == 0 {
                return Err(shape_error(format!("coo_spmm: blocks must have the data's length {n} and blocks a row or more")));
            }
        }
        let xs = x.shape()?;
        let [xr, k] = xs[..] else {
            return Err(shape_error(format!("coo_spmm: X must be 2-d, it has shape {xs:?}")));
        };
        let y = self.runtime.create_store_of(code, value_size(code), &[nrows, k])?;
        match code {
            TypeCode::Float32 => y.fill(0f32)?,
            TypeCode::Float64 => y.fill(0f64)?,
            TypeCode::Complex64 => y.fill(Complex32::new(0.0, 0.0))?,
            _ => y.fill(Complex64::new(0.0, 0.0))?,
        }
        if n == 0 || nrows == 0 || xr == 0 || k == 0 {
            return Ok(y);
        }
        let mut task = self.task(CooSpmm::TASK_ID)?;
        let rows_var = task.add_input(rows)?;
        let cols_var = task.add_input(cols)?;
        let vals_var = task.add_input(vals)?;
        task.add_alignment(rows_var, cols_var)?;
        task.add_alignment(rows_var, vals_var)?;
        let x_var = task.add_input(x)?;
        task.add_broadcast(x_var, None)?;
        let (block_rows, block_cols) = blocks.map_or((0, 0), |(_, r, c)| (r as i64, c as i64));
        if let Some((b, _, _)) = blocks {
            let b_var = task.add_input(b)?;
            task.add_alignment(rows_var, b_var)?;
        }
        task.add_scalar(block_rows)?;
        task.add_scalar(block_cols)?;
        let y_var = task.add_reduction(&y, ReductionOp::Add)?;
        task.add_broadcast(y_var, None)?;
        task.execute()?;
        Ok(y)
    }

    /// The entries of an n-d COO array inside a key (see [`crate::tasks::CooSelect`]
    /// for the `plan`): the selected entries' indices and their coordinates in the
    /// result, `nout` new int64 stores after the indices, in the entries' order.
    pub fn coo_select(&self, coords: &[Store], plan: &Store, nout: usize) -> Result<Vec<Store>> {
        for c in coords {
            expect_int64(c, "coords")?;
        }
        expect_int64(plan, "plan")?;
        let Some(first) = coords.first() else {
            return Err(invalid("coo_select: no coordinates"));
        };
        let n = length(first, "coords")?;
        for c in coords {
            if length(c, "coords")? != n {
                return Err(shape_error("coo_select: the coordinates differ in length".to_string()));
            }
        }
        if n == 0 {
            return (0..=nout).map(|_| self.runtime.create_store::<i64>(&[0])).collect();
        }
        let outs = (0..=nout).map(|_| self.runtime.create_unbound_store::<i64>(1)).collect::<Result<Vec<_>>>()?;
        let mut task = self.task(CooSelect::TASK_ID)?;
        let plan_var = task.add_input(plan)?;
        task.add_broadcast(plan_var, None)?;
        let first_var = task.add_input(first)?;
        for c in &coords[1..] {
            let v = task.add_input(c)?;
            task.add_alignment(first_var, v)?;
        }
        for o in &outs {
            task.add_output(o)?;
        }
        task.execute()?;
        Ok(outs)
    }

    /// `Y = A @ X` for a dense 2-d `X` (any view) of `A.ncols()` rows: a new
    /// `A.nrows() x X.shape[1]` row-major store.
    pub fn spmm(&self, a: &CsrMatrix, x: &Store) -> Result<Store> {
        let code = a.value_type()?;
        same_values(code, x, "X")?;
        let xs = x.shape()?;
        let [xr, k] = xs[..] else {
            return Err(shape_error(format!("spmm: X must be 2-d, it has shape {xs:?}")));
        };
        if xr != a.ncols() {
            return Err(shape_error(format!("spmm: a {:?} matrix needs X with {} rows, got {xr}", a.shape, a.ncols())));
        }
        let y = self.runtime.create_store_of(code, value_size(code), &[a.nrows(), k])?;
        if a.nrows() == 0 || k == 0 {
            return Ok(y);
        }
        let mut task = self.task(CsrSpmm::TASK_ID)?;
        // pos promoted to n x k lines up with Y's rows; Y is split by rows only.
        let pos_var = task.add_input(&a.pos.promote(1, k as i64)?)?;
        add_row_entries(&mut task, pos_var, &a.crd, &a.vals)?;
        let x_var = task.add_input(x)?;
        task.add_broadcast(x_var, None)?;
        let y_var = task.add_output(&y)?;
        task.add_alignment(pos_var, y_var)?;
        task.add_broadcast(y_var, Some(&[1]))?;
        task.execute()?;
        Ok(y)
    }

    /// `C = A @ B` as SciPy's product gives it (no duplicates, no zeros, each row's
    /// columns in SciPy's order: see [`crate::tasks::CsrSpgemm`]), with `C`'s `indptr`.
    pub fn spgemm(&self, a: &CsrMatrix, b: &CsrMatrix) -> Result<(CsrMatrix, Store)> {
        let (indptr, pos, crd, vals) = self.spgemm_parts(a, b)?;
        Ok((CsrMatrix { pos, crd, vals, shape: [a.nrows(), b.ncols()], cols: None, indptr: Some(indptr.clone()), patterns: None }, indptr))
    }

    /// `C = A @ B` as SciPy's three arrays plus `pos`: `(indptr, pos, indices, data)`,
    /// in SciPy's order.
    ///
    /// Two passes, as SciPy's: a symbolic one counts each row's entries, a scan makes
    /// `indptr`, and after reading `C`'s size and waiting for `C`'s `pos` (this call
    /// waits for both) the numeric pass writes every row straight into its place in
    /// `C`, partitioned as the image of `C`'s `pos`, one point per processor. Entries that cancel to zero are removed afterwards (this
    /// call waits for the product to know whether there are any).
    pub fn spgemm_parts(&self, a: &CsrMatrix, b: &CsrMatrix) -> Result<(Store, Store, Store, Store)> {
        let code = a.value_type()?;
        same_values(code, &b.vals, "B's data")?;
        expect_int64(&a.crd, "A's indices")?;
        expect_int64(&b.crd, "B's indices")?;
        if a.ncols() != b.nrows() {
            return Err(shape_error(format!("spgemm: cannot multiply {:?} by {:?}", a.shape, b.shape)));
        }
        let rt = self.runtime;
        let n = a.nrows();
        let ncols = b.ncols() as i64;
        let indptr = rt.create_store::<i64>(&[n + 1])?;
        let empty = |indptr: Store| -> Result<(Store, Store, Store, Store)> {
            indptr.fill(0i64)?;
            let pos = self.row_ranges(&indptr)?;
            Ok((indptr, pos, rt.create_store::<i64>(&[0])?, rt.create_store_of(code, value_size(code), &[0])?))
        };
        if n == 0 {
            return empty(indptr);
        }

        let counts = rt.create_store::<i64>(&[n])?;
        let mut task = self.task(CsrSpgemmSymbolic::TASK_ID)?;
        let pos_var = task.add_input(&a.pos)?;
        let crd_var = task.add_input(&a.crd)?;
        task.add_image(pos_var, crd_var, ImageKind::Ranges)?;
        for store in [&b.pos, &b.crd] {
            let v = task.add_input(store)?;
            task.add_broadcast(v, None)?;
        }
        let counts_var = task.add_output(&counts)?;
        task.add_alignment(pos_var, counts_var)?;
        task.add_scalar(ncols)?;
        task.execute()?;

        let mut scan = self.task(ScanCounts::TASK_ID)?;
        let c_var = scan.add_input(&counts)?;
        let i_var = scan.add_output(&indptr)?;
        scan.add_broadcast(c_var, None)?;
        scan.add_broadcast(i_var, None)?;
        scan.execute()?;
        let c_pos = self.row_ranges(&indptr)?;
        let total = indptr.slice(0, Some(n as i64), Some(n as i64 + 1), 1)?.read_scalar::<i64>()?;
        let total = usize::try_from(total).map_err(|_| invalid("spgemm: negative entry count"))?;
        if total == 0 {
            return empty(indptr);
        }
        // C's pos must be computed before the product is launched: only then can the
        // launch resolve the image pieces of C's crd/vals, which the points write. An
        // unresolved image counts as the whole store, so the points would seem to
        // overlap and the product would run as one point.
        c_pos.wait()?;

        let crd = rt.create_store::<i64>(&[total])?;
        let vals = rt.create_store_of(code, value_size(code), &[total])?;
        let zeros = rt.create_future(0i64)?;
        let mut task = self.task(CsrSpgemm::TASK_ID)?;
        let pos_var = task.add_input(&a.pos)?;
        add_row_entries(&mut task, pos_var, &a.crd, &a.vals)?;
        for store in [&b.pos, &b.crd, &b.vals] {
            let v = task.add_input(store)?;
            task.add_broadcast(v, None)?;
        }
        let c_pos_var = task.add_input(&c_pos)?;
        task.add_alignment(pos_var, c_pos_var)?;
        let crd_var = task.add_output(&crd)?;
        let vals_var = task.add_output(&vals)?;
        task.add_image(c_pos_var, crd_var, ImageKind::Ranges)?;
        task.add_image(c_pos_var, vals_var, ImageKind::Ranges)?;
        task.add_reduction(&zeros, ReductionOp::Add)?;
        task.add_scalar(ncols)?;
        task.execute()?;
        if zeros.read_scalar::<i64>()? == 0 {
            return Ok((indptr, c_pos, crd, vals));
        }

        // Some products cancelled: drop their zeros (rare; one sequential pass).
        let new_indptr = rt.create_store::<i64>(&[n + 1])?;
        let new_crd = rt.create_unbound_store::<i64>(1)?;
        let new_vals = rt.create_unbound_store_of(code, value_size(code), 1)?;
        let mut task = self.task(DropZeros::TASK_ID)?;
        for store in [&indptr, &crd, &vals] {
            let v = task.add_input(store)?;
            task.add_broadcast(v, None)?;
        }
        let v = task.add_output(&new_indptr)?;
        task.add_broadcast(v, None)?;
        for store in [&new_crd, &new_vals] {
            let v = task.add_output(store)?;
            task.add_broadcast(v, None)?;
        }
        task.execute()?;
        let pos = self.row_ranges(&new_indptr)?;
        Ok((new_indptr, pos, new_crd, new_vals))
    }

    /// The dense `nrows x ncols` matrix (row-major), duplicates summed.
    pub fn todense(&self, a: &CsrMatrix) -> Result<Store> {
        let code = value_type(&a.vals, "data")?;
        let out = self.runtime.create_store_of(code, value_size(code), &a.shape)?;
        if a.nrows() == 0 || a.ncols() == 0 {
            return Ok(out);
        }
        let mut task = self.task(CsrToDense::TASK_ID)?;
        let pos_var = task.add_input(&a.pos.promote(1, a.ncols() as i64)?)?;
        add_row_entries(&mut task, pos_var, &a.crd, &a.vals)?;
        let out_var = task.add_output(&out)?;
        task.add_alignment(pos_var, out_var)?;
        task.add_broadcast(out_var, Some(&[1]))?;
        task.execute()?;
        Ok(out)
    }
}
