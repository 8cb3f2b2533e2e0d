//! [`CsrMatrix`]: the stores of one CSR matrix, and the checks every operation makes
//! on them before launching (so that bad shapes or types are errors at the call, not
//! task failures later).

use crate::tasks::VALUE_CODES;
use legate_abi::client::{Error, ErrorKind, Result, Store};
use legate_abi::TypeCode;

/// A CSR matrix of `shape[0]` rows and `shape[1]` columns: row `i`'s entries are
/// `crd[k]`, `vals[k]` for `k` in `pos[i][0]..pos[i][1]`. Indices need not be sorted
/// and may repeat (repeats add up, as in SciPy).
#[derive(Clone, Debug)]
pub struct CsrMatrix {
    /// `[i64; 2]` per row (see [`crate::SparseLibrary::row_ranges`]).
    pub pos: Store,
    /// int32 or int64 column indices (int64 for SpGEMM).
    pub crd: Store,
    /// float32, float64, complex64 or complex128 values.
    pub vals: Store,
    pub shape: [usize; 2],
    /// Each row's column range (see [`crate::SparseLibrary::column_ranges`]): how SpMV
    /// reads `x` through int32 indices. Made on demand when `None`.
    pub cols: Option<Store>,
    /// SciPy's `indptr` (`shape[0] + 1` offsets), when known and of `crd`'s type: SpMV
    /// reads the row ranges from it (4 or 8 bytes a row) instead of from `pos` (16).
    pub indptr: Option<Store>,
    /// The rows' pattern ids and tables (see [`crate::SparseLibrary::row_patterns`]):
    /// SpMV then reads no column indices where the tables cover the rows. They must
    /// be those of `pos` and `crd` as they are now (the caller drops them when either
    /// is written).
    pub patterns: Option<(Store, Store)>,
}

pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, msg)
}

pub(crate) fn shape_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::ShapeMismatch, msg)
}

/// The length of a 1-d store, or an error naming `what`.
pub(crate) fn length(store: &Store, what: &str) -> Result<usize> {
    match store.shape()?.as_slice() {
        [n] => Ok(*n),
        other => Err(shape_error(format!("{what} must be 1-d, it has shape {other:?}"))),
    }
}

/// The value type of `store`, if the library supports it.
pub(crate) fn value_type(store: &Store, what: &str) -> Result<TypeCode> {
    let info = store.info()?;
    match info.type_code {
        Some(code) if VALUE_CODES.contains(&code) => Ok(code),
        other => Err(Error::new(
            ErrorKind::Unsupported,
            format!("{what}: values of type {other:?} are not supported (float32, float64, complex64 or complex128)"),
        )),
    }
}

/// The index type of `store`: int32 or int64.
pub(crate) fn index_type(store: &Store, what: &str) -> Result<TypeCode> {
    match store.info()?.type_code {
        Some(code @ (TypeCode::Int32 | TypeCode::Int64)) => Ok(code),
        other => Err(Error::new(ErrorKind::TypeMismatch, format!("{what} must be int32 or int64, it holds {other:?}"))),
    }
}

/// Checks that `store` holds int64 values.
pub(crate) fn expect_int64(store: &Store, what: &str) -> Result<()> {
    let info = store.info()?;
    if info.type_code != Some(TypeCode::Int64) {
        return Err(Error::new(ErrorKind::TypeMismatch, format!("{what} must be int64, it holds {:?}", info.type_code)));
    }
    Ok(())
}

/// Checks that `b` holds the same value type as `a` (products do not convert).
pub(crate) fn same_values(a: TypeCode, b: &Store, what: &str) -> Result<()> {
    let code = value_type(b, what)?;
    if code != a {
        return Err(Error::new(ErrorKind::TypeMismatch, format!("{what} holds {code:?} but the matrix holds {a:?}")));
    }
    Ok(())
}

impl CsrMatrix {
    /// Wraps the stores of a matrix, checking their types and lengths.
    pub fn new(pos: Store, crd: Store, vals: Store, shape: [usize; 2]) -> Result<CsrMatrix> {
        let info = pos.info()?;
        if info.type_code != Some(TypeCode::FixedArray) || info.elem_size != 16 {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("pos must hold [i64; 2] ranges (from row_ranges), it holds {:?} of {} bytes", info.type_code, info.elem_size),
            ));
        }
        let rows = length(&pos, "pos")?;
        if rows != shape[0] {
            return Err(shape_error(format!("pos has {rows} rows but the shape says {}", shape[0])));
        }
        index_type(&crd, "indices")?;
        value_type(&vals, "data")?;
        let (nnz, nvals) = (length(&crd, "indices")?, length(&vals, "data")?);
        if nnz != nvals {
            return Err(shape_error(format!("indices has {nnz} elements but data has {nvals}")));
        }
        Ok(CsrMatrix { pos, crd, vals, shape, cols: None, indptr: None, patterns: None })
    }

    pub fn nrows(&self) -> usize {
        self.shape[0]
    }

    pub fn ncols(&self) -> usize {
        self.shape[1]
    }

    /// The value type (one of float32, float64, complex64, complex128).
    pub fn value_type(&self) -> Result<TypeCode> {
        value_type(&self.vals, "data")
    }

    /// The number of stored entries (duplicates and explicit zeros included).
    pub fn nnz(&self) -> Result<usize> {
        length(&self.crd, "indices")
    }
}
