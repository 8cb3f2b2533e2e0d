//! Advanced indexing for `legate_numeric` (`_index.py`): nonzero, point stores built
//! from index arrays, and the runtime's gather and scatter copies.

use crate::convert::{runtime, IntoPy};
use crate::store::PyStore;
use legate_numeric::{BoundsMode, IndexDim, Numeric, NonzeroOutput};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::OnceLock;

fn numeric() -> PyResult<&'static Numeric> {
    static LIB: OnceLock<Numeric> = OnceLock::new();
    if let Some(n) = LIB.get() {
        return Ok(n);
    }
    let n = Numeric::register(&runtime()?).py()?;
    Ok(LIB.get_or_init(|| n))
}

fn bounds_mode(name: &str) -> PyResult<BoundsMode> {
    BoundsMode::from_name(name).ok_or_else(|| PyValueError::new_err(format!("clipmode must be one of 'clip', 'raise', or 'wrap' (got {name:?})")))
}

/// The coordinates of the nonzero elements of `input`, in row-major order: `kind` is
/// "coords" (a `(count, ndim)` int64 store), "points" (`(count,)` of `int64[ndim]`) or
/// "flat" (`(count,)` int64 flat indices). Returns once the count is known.
#[pyfunction]
fn nonzero(py: Python<'_>, input: &PyStore, kind: &str) -> PyResult<PyStore> {
    let k = NonzeroOutput::from_name(kind).ok_or_else(|| PyValueError::new_err(format!("unknown nonzero output {kind:?}")))?;
    let n = numeric()?;
    let rt = runtime()?;
    let store = input.inner.clone();
    // Wait for the count (the shape) without holding the GIL; a failed task is reported here.
    let out = py
        .detach(|| -> legate_core::Result<legate_core::LogicalStore> {
            let out = n.nonzero(&store, k)?;
            rt.wait_store(&out)?;
            let _ = out.shape();
            Ok(out)
        })
        .py()?;
    Ok(PyStore::new(out))
}

/// A new store of `int64[n]` points of shape `out_shape` for an array of `src_shape`:
/// `dims[d]` is `(True, k, 0)` for index array `k` or `(False, j, offset)` for result
/// coordinate `j` plus `offset`. `arrays` are int64 stores of `out_shape`. With `wait`,
/// a bad index raises IndexError here.
#[pyfunction]
#[pyo3(signature = (out_shape, src_shape, dims, arrays, bounds="raise", wait=false))]
fn index_points<'py>(
    py: Python<'py>,
    out_shape: Vec<usize>,
    src_shape: Vec<i64>,
    dims: Vec<(bool, usize, i64)>,
    arrays: Vec<Bound<'py, PyStore>>,
    bounds: &str,
    wait: bool,
) -> PyResult<PyStore> {
    let b = bounds_mode(bounds)?;
    let dims: Vec<IndexDim> =
        dims.into_iter().map(|(a, k, off)| if a { IndexDim::Array(k) } else { IndexDim::Coord { dim: k, offset: off } }).collect();
    let n = numeric()?;
    let stores: Vec<&legate_core::LogicalStore> = arrays.iter().map(|s| &s.get().inner).collect();
    let out = if wait {
        py.detach(|| n.index_points(&out_shape, &src_shape, &dims, &stores, b, true))
    } else {
        n.index_points(&out_shape, &src_shape, &dims, &stores, b, false)
    };
    Ok(PyStore::new(out.py()?))
}

/// Points of an array of `src_shape` from the int64 flat indices `flat` (row-major).
#[pyfunction]
#[pyo3(signature = (flat, src_shape, bounds="raise", wait=false))]
fn flat_points(py: Python<'_>, flat: &PyStore, src_shape: Vec<i64>, bounds: &str, wait: bool) -> PyResult<PyStore> {
    let b = bounds_mode(bounds)?;
    let n = numeric()?;
    let out = if wait {
        py.detach(|| n.flat_points(&flat.inner, &src_shape, b, true))
    } else {
        n.flat_points(&flat.inner, &src_shape, b, false)
    };
    Ok(PyStore::new(out.py()?))
}

/// `dst[i] = src[ind[i]]` (int64 indices for a 1-d `src`, `int64[n]` points otherwise).
#[pyfunction]
fn gather(dst: &PyStore, src: &PyStore, ind: &PyStore) -> PyResult<()> {
    numeric()?.gather(&dst.inner, &src.inner, &ind.inner).py()
}

/// `dst[ind[i]] = src[i]` (one task in row-major order: for repeated targets the last
/// value wins; `src` is read before `dst` is written even if they alias).
#[pyfunction]
fn scatter(dst: &PyStore, ind: &PyStore, src: &PyStore) -> PyResult<()> {
    numeric()?.scatter(&dst.inner, &ind.inner, &src.inner).py()
}

/// Advanced indexing: nonzero, points, gather and scatter.
pub fn register_index(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(nonzero, m)?)?;
    m.add_function(wrap_pyfunction!(index_points, m)?)?;
    m.add_function(wrap_pyfunction!(flat_points, m)?)?;
    m.add_function(wrap_pyfunction!(gather, m)?)?;
    m.add_function(wrap_pyfunction!(scatter, m)?)?;
    Ok(())
}
