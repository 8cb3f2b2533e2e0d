//! `Store`: a logical store seen from Python, with its views and conversions to and
//! from NumPy arrays.

use crate::convert::{dtype, runtime, scalar, wait_interruptibly, IntoPy, PyLegateResult};
use legate_core::{LogicalStore, Type};
use numpy::{PyReadonlyArrayDyn, PyUntypedArrayMethods, ToPyArray};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// A view of a storage: shape, type, and the transforms that make it.
#[pyclass(name = "Store", module = "legate._legate", frozen)]
#[derive(Clone)]
pub struct PyStore {
    pub inner: LogicalStore,
}

impl PyStore {
    pub fn new(inner: LogicalStore) -> PyStore {
        PyStore { inner }
    }
}

fn tuple<'py>(py: Python<'py>, v: &[i64]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, v)
}

#[pymethods]
impl PyStore {
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let s = self.inner.shape();
        tuple(py, s.as_slice())
    }

    #[getter]
    fn ndim(&self) -> usize {
        self.inner.ndim()
    }

    #[getter]
    fn size(&self) -> u64 {
        self.inner.volume()
    }

    /// The element type's name (NumPy's dtype name for numeric types).
    #[getter]
    fn dtype(&self) -> String {
        self.inner.ty().to_string()
    }

    #[getter]
    fn transformed(&self) -> bool {
        self.inner.transformed()
    }

    #[getter]
    fn unbound(&self) -> bool {
        self.inner.unbound()
    }

    #[getter]
    fn storage_id(&self) -> u64 {
        self.inner.storage().id()
    }

    /// The storage's write generation (see `Runtime::write_generation`): equal
    /// values mean nothing wrote any view of it in between. With `flush`, held-back
    /// operations are issued first, so their writes count.
    #[pyo3(signature = (flush=true))]
    fn write_generation(&self, flush: bool) -> PyResult<u64> {
        let rt = runtime()?;
        if flush {
            rt.flush_pending();
        }
        Ok(rt.write_generation(&self.inner))
    }

    fn same_storage(&self, other: &PyStore) -> bool {
        self.inner.same_storage(&other.inner)
    }

    /// Whether writing this view could change elements `other` reads at other positions
    /// (a partial overlap, as in `a[1:]` vs `a[:-1]`); identical views do not count.
    fn overlaps(&self, other: &PyStore) -> bool {
        use legate_core::footprint::Footprint;
        let (a, b) = (&self.inner, &other.inner);
        a.same_storage(b)
            && !(a.map() == b.map() && a.shape() == b.shape())
            && Footprint::of_rect(a.map(), &a.full_rect()).intersects(&Footprint::of_rect(b.map(), &b.full_rect()))
    }

    #[pyo3(signature = (dim, start=None, stop=None, step=1))]
    fn slice(&self, dim: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.slice(dim, start, stop, step).py()?))
    }

    #[pyo3(signature = (extra_dim, dim_size=1))]
    fn promote(&self, extra_dim: usize, dim_size: i64) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.promote(extra_dim, dim_size).py()?))
    }

    fn project(&self, dim: usize, index: i64) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.project(dim, index).py()?))
    }

    fn transpose(&self, axes: Vec<usize>) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.transpose(&axes).py()?))
    }

    fn delinearize(&self, dim: usize, shape: Vec<i64>) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.delinearize(dim, &shape).py()?))
    }

    /// The view of `shape` reading the elements in row-major order, or None where NumPy's
    /// reshape would copy.
    fn reshape(&self, shape: Vec<i64>) -> PyLegateResult<Option<PyStore>> {
        Ok(self.inner.reshape(&shape).py()?.map(PyStore::new))
    }

    /// The real (0) or imaginary (1) parts of a complex view, as a view.
    fn component(&self, index: usize) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.component(index).py()?))
    }

    /// The view's elements as elements of `dtype`, a type of the same size (NumPy's
    /// `view(dtype)`).
    fn reinterpret(&self, name: &str) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.reinterpret(dtype(name)?).py()?))
    }

    /// The diagonal of `dim1` and `dim2` as the last dimension (NumPy's `offset`).
    fn diagonal(&self, dim1: usize, dim2: usize, offset: i64) -> PyLegateResult<PyStore> {
        Ok(PyStore::new(self.inner.diagonal(dim1, dim2, offset).py()?))
    }

    /// The view's strides in bytes (None while the store is unbound).
    #[getter]
    fn strides(&self) -> Option<Vec<i64>> {
        self.inner.byte_strides().map(|p| p.as_slice().to_vec())
    }

    /// Whether tasks may not write through this view.
    #[getter]
    fn read_only(&self) -> bool {
        self.inner.read_only()
    }

    /// The same view, read-only (writes through it raise `ValueError`).
    fn as_read_only(&self) -> PyStore {
        PyStore::new(self.inner.as_read_only())
    }

    /// A view with NumPy's broadcasting to `shape` (new leading dims, stretched 1s).
    fn broadcast_to(&self, shape: Vec<i64>) -> PyLegateResult<PyStore> {
        let cur = self.inner.shape();
        let (n, m) = (cur.ndim(), shape.len());
        if n > m {
            return Err(PyValueError::new_err(format!("cannot broadcast a {n}-d array to {m} dimensions")));
        }
        let mut s = self.inner.clone();
        for _ in 0..m - n {
            s = s.promote(0, 1).py()?;
        }
        for (d, &want) in shape.iter().enumerate() {
            let have = s.shape()[d];
            if have == want {
                continue;
            }
            if have != 1 {
                return Err(PyValueError::new_err(format!(
                    "operands could not be broadcast together: cannot broadcast shape {cur} to {shape:?}"
                )));
            }
            s = s.project(d, 0).py()?.promote(d, want).py()?;
        }
        Ok(PyStore::new(s))
    }

    /// A copy of the contents as a NumPy array (waits for the store's writers only).
    fn to_numpy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rt = runtime()?;
        let store = self.inner.clone();
        crate::convert::wait_store(py, &store)?;
        macro_rules! read {
            ($t:ty) => {{
                let arr = py.detach(|| rt.read_store::<$t>(&store)).py()?;
                // The writers of these values have run: report what they raised.
                crate::numeric::report_fp(py)?;
                Ok(arr.to_pyarray(py).into_any())
            }};
        }
        match self.inner.ty() {
            Type::Bool => read!(bool),
            Type::Int8 => read!(i8),
            Type::Int16 => read!(i16),
            Type::Int32 => read!(i32),
            Type::Int64 => read!(i64),
            Type::UInt8 => read!(u8),
            Type::UInt16 => read!(u16),
            Type::UInt32 => read!(u32),
            Type::UInt64 => read!(u64),
            Type::Float16 => read!(half::f16),
            Type::Float32 => read!(f32),
            Type::Float64 => read!(f64),
            Type::Complex64 => read!(num_complex::Complex32),
            Type::Complex128 => read!(num_complex::Complex64),
            other => Err(PyTypeError::new_err(format!("cannot convert a {other} store to NumPy"))),
        }
    }

    /// NumPy's conversion protocol: a copy of the contents (`copy=False` cannot be met).
    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(&self, py: Python<'py>, dtype: Option<Bound<'py, PyAny>>, copy: Option<bool>) -> PyResult<Bound<'py, PyAny>> {
        if copy == Some(false) {
            return Err(PyValueError::new_err("a Store's contents cannot be viewed by NumPy without a copy"));
        }
        let array = self.to_numpy(py)?;
        match dtype {
            Some(d) if !d.is_none() => array.call_method1("astype", (d,)),
            _ => Ok(array),
        }
    }

    /// The contents, once the store's writers have run, as a NumPy array (a copy).
    fn get_physical_store<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.to_numpy(py)
    }

    /// A manual partition into tiles of `tile_shape` (for manual tasks).
    fn partition_by_tiling(&self, tile_shape: Vec<u64>) -> PyResult<crate::library::PyPartition> {
        crate::library::PyPartition::tile(self, tile_shape)
    }

    /// A handle of the runtime's C-ABI function table for this view (an integer): one
    /// new reference, owned by the caller, for libraries built as their own extension
    /// modules (see `legate._legate.runtime_api`).
    fn _abi_handle(&self) -> usize {
        crate::abi::handle_of(self)
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// A new store holding a copy of NumPy array `array`.
#[pyfunction]
fn from_numpy(array: &Bound<'_, PyAny>) -> PyResult<PyStore> {
    let rt = runtime()?;
    // rust-numpy panics on arrays of more dimensions than legate's (NumPy allows 64).
    let ndim: usize = array.getattr("ndim")?.extract()?;
    if ndim > legate_core::LEGATE_MAX_DIM {
        return Err(legate_core::error::too_many_dims(ndim)).py();
    }
    macro_rules! try_type {
        ($t:ty) => {
            if let Ok(a) = array.extract::<PyReadonlyArrayDyn<$t>>() {
                let shape: Vec<usize> = a.shape().to_vec();
                let view = a.as_array();
                let store = match view.as_slice() {
                    Some(s) => rt.create_store_from::<$t>(&shape, s).py()?,
                    None => {
                        let data: Vec<$t> = view.iter().copied().collect();
                        rt.create_store_from::<$t>(&shape, &data).py()?
                    }
                };
                return Ok(PyStore::new(store));
            }
        };
    }
    try_type!(f64);
    try_type!(f32);
    try_type!(i64);
    try_type!(i32);
    // A NumPy bool is any byte, nonzero meaning true (`view(bool)` of other bytes); a
    // store's bools are 0 or 1 (Rust's `bool`), so the bytes are read and normalized.
    if array.extract::<PyReadonlyArrayDyn<bool>>().is_ok() {
        let bytes = array.call_method1("view", ("u1",))?;
        let bytes = bytes.extract::<PyReadonlyArrayDyn<u8>>()?;
        let data: Vec<bool> = bytes.as_array().iter().map(|&b| b != 0).collect();
        return Ok(PyStore::new(rt.create_store_from::<bool>(bytes.shape(), &data).py()?));
    }
    try_type!(i8);
    try_type!(i16);
    try_type!(u8);
    try_type!(u16);
    try_type!(u32);
    try_type!(u64);
    try_type!(num_complex::Complex64);
    try_type!(num_complex::Complex32);
    try_type!(half::f16);
    // Arrays in the other byte order (FITS files, network data) are read in this
    // machine's order; the caller's dtype keeps the order it asked for.
    if let Ok(dtype) = array.getattr("dtype") {
        if !dtype.getattr("isnative")?.extract::<bool>()? {
            let native = dtype.call_method1("newbyteorder", ("=",))?;
            return from_numpy(&array.call_method1("astype", (native,))?);
        }
    }
    Err(PyTypeError::new_err(format!("cannot make a store from {}", array.get_type().name()?)))
}

/// A new (uninitialized) store.
#[pyfunction]
fn create_store(dtype_name: &str, shape: Vec<usize>) -> PyResult<PyStore> {
    let rt = runtime()?;
    Ok(PyStore::new(rt.create_store(dtype(dtype_name)?, &shape).py()?))
}

/// Fills `store` with Python number `value` (cast to the store's type).
#[pyfunction]
fn fill(store: &PyStore, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let rt = runtime()?;
    let s = scalar(value, store.inner.ty())?;
    rt.issue_fill(&store.inner, s).py()
}

/// Copies `src` into `dst` (same shape and type; overlap behaves like NumPy).
#[pyfunction]
fn copy(dst: &PyStore, src: &PyStore) -> PyResult<()> {
    // Through the numeric library: fused with neighbouring elementwise operations.
    crate::numeric::numeric()?.copy(&dst.inner, &src.inner).py()
}

/// Waits for all submitted work and raises the first task error, if any.
#[pyfunction]
fn fence(py: Python<'_>) -> PyResult<()> {
    let rt = runtime()?;
    wait_interruptibly(py, |slice| rt.fence_for(slice))?.py()?;
    crate::numeric::report_fp(py)
}

/// Cancels every operation issued so far that has not started (after an interrupt):
/// reading what it would have written raises until it is written again.
#[pyfunction]
fn cancel_pending() -> PyResult<()> {
    runtime()?.cancel_pending();
    Ok(())
}

/// Every rank's `data`, in rank order (an all-gather of bytes that every rank calls
/// alike; on one rank, `[data]`). The GIL is released while this rank waits for the
/// others, so its other Python threads go on.
#[pyfunction]
fn exchange_host<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Vec<Bound<'py, pyo3::types::PyBytes>>> {
    let rt = runtime()?;
    let all = py.detach(|| rt.exchange_host(data)).py()?;
    Ok(all.iter().map(|b| pyo3::types::PyBytes::new(py, b)).collect())
}

/// The runtime's configuration, as a dict.
#[pyfunction]
fn runtime_info(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let rt = runtime()?;
    let c = rt.config();
    let d = pyo3::types::PyDict::new(py);
    d.set_item("cpus", c.cpus)?;
    d.set_item("omps", c.omps)?;
    d.set_item("ompthreads", c.ompthreads)?;
    d.set_item("gpus", c.gpus)?;
    d.set_item("sysmem_mb", c.sysmem_mb)?;
    d.set_item("min_cpu_chunk", c.min_cpu_chunk)?;
    d.set_item("flags", c.to_flags())?;
    let u = rt.memory_usage();
    d.set_item("sysmem_used", u.used)?;
    d.set_item("sysmem_peak", u.peak)?;
    d.set_item("sysmem_pooled", u.pooled)?;
    d.set_item("rank", rt.rank())?;
    d.set_item("num_ranks", rt.num_ranks())?;
    Ok(d)
}

/// Counters of data the runtime moved: between ranks and between local instances.
#[pyfunction]
fn runtime_stats(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let s = runtime()?.stats();
    let d = pyo3::types::PyDict::new(py);
    d.set_item("bytes_sent", s.bytes_sent)?;
    d.set_item("bytes_received", s.bytes_received)?;
    d.set_item("messages_sent", s.messages_sent)?;
    d.set_item("bytes_copied_locally", s.bytes_copied_locally)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStore>()?;
    m.add_function(wrap_pyfunction!(from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(create_store, m)?)?;
    m.add_function(wrap_pyfunction!(fill, m)?)?;
    m.add_function(wrap_pyfunction!(copy, m)?)?;
    m.add_function(wrap_pyfunction!(fence, m)?)?;
    m.add_function(wrap_pyfunction!(cancel_pending, m)?)?;
    m.add_function(wrap_pyfunction!(runtime_info, m)?)?;
    m.add_function(wrap_pyfunction!(runtime_stats, m)?)?;
    m.add_function(wrap_pyfunction!(exchange_host, m)?)?;
    Ok(())
}
