//! Task launches from Python: the thin binding under `legate.core`'s library API
//! (`find_library`, `create_auto_task`, `create_manual_task`, constraints, `execute`).
//!
//! It goes through the runtime's C-ABI function table (`legate_core::ffi::api()`),
//! exactly as a library's own extension module does, so a launch built in Python
//! behaves like one built in Rust: same checks, same messages. Arguments are named
//! by the variables `add_*` return; `legate.core` maps stores to them.

use crate::store::PyStore;
use legate_core::abi::client::{self, ErrorKind, Library, Store, StorePartition, TaskLaunch, Variable};
use legate_core::abi::{ImageKind, ReductionOp, TypeCode};
use pyo3::exceptions::{PyLookupError, PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::sync::Mutex;

/// The exception a Python caller expects for each kind of error.
fn to_py(e: client::Error) -> PyErr {
    let msg = e.message;
    match e.kind {
        ErrorKind::InvalidArgument | ErrorKind::ShapeMismatch => PyValueError::new_err(msg),
        ErrorKind::TypeMismatch => PyTypeError::new_err(msg),
        ErrorKind::OutOfMemory => PyMemoryError::new_err(msg),
        ErrorKind::Unsupported => PyNotImplementedError::new_err(msg),
        // Unknown library or task id: a lookup that failed.
        ErrorKind::Registry => PyLookupError::new_err(msg),
        _ => PyRuntimeError::new_err(msg),
    }
}

fn rt() -> PyResult<client::Runtime> {
    client::Runtime::new(legate_core::ffi::api()).map_err(to_py)
}

/// The table's handle for a store (a new reference the client gives back on drop).
fn handle(rt: client::Runtime, store: &PyStore) -> PyResult<Store> {
    let raw = crate::abi::handle_of(store) as *mut legate_core::abi::raw::RawStoreHandle;
    // SAFETY: `handle_of` made one new reference of a live store; the client owns it now.
    unsafe { rt.store_from_raw(raw) }.map_err(to_py)
}

/// A library registered in the runtime (by its Rust code, through a registrar).
#[pyclass(name = "Library", module = "legate._legate", frozen)]
pub struct PyLibrary {
    library: Library,
}

#[pymethods]
impl PyLibrary {
    #[getter]
    fn name(&self) -> &str {
        self.library.name()
    }

    #[getter]
    fn id(&self) -> u32 {
        self.library.id()
    }

    fn __repr__(&self) -> String {
        format!("Library({:?}, id={})", self.library.name(), self.library.id())
    }
}

/// The library `name`, or None if no library of that name exists.
#[pyfunction]
fn _find_library(py: Python<'_>, name: &str) -> PyResult<Option<PyLibrary>> {
    let rt = rt()?;
    // The first call may start the runtime: let other threads run meanwhile.
    let found = py.detach(|| rt.find_library(name)).map_err(to_py)?;
    Ok(found.map(|library| PyLibrary { library }))
}

/// A manual partition of a store into tiles (`Store.partition_by_tiling`).
#[pyclass(name = "StorePartition", module = "legate._legate", frozen)]
pub struct PyPartition {
    part: StorePartition,
    store: PyStore,
}

impl PyPartition {
    pub fn tile(store: &PyStore, tile: Vec<u64>) -> PyResult<PyPartition> {
        let rt = rt()?;
        let part = handle(rt, store)?.partition_by_tiling(&tile).map_err(to_py)?;
        Ok(PyPartition { part, store: store.clone() })
    }
}

#[pymethods]
impl PyPartition {
    /// The number of pieces along each dimension.
    #[getter]
    fn color_shape(&self) -> PyResult<Vec<i64>> {
        self.part.colors().map_err(to_py)
    }

    /// The partitioned store.
    #[getter]
    fn store(&self) -> PyStore {
        self.store.clone()
    }

    fn __repr__(&self) -> String {
        format!("StorePartition(colors={:?})", self.part.colors().unwrap_or_default())
    }
}

/// A launch being built; `execute` submits it (once).
#[pyclass(name = "_TaskLaunch", module = "legate._legate", frozen)]
pub struct PyTaskLaunch {
    launch: Mutex<Option<TaskLaunch>>,
}

fn reduction_op(code: u32) -> PyResult<ReductionOp> {
    ReductionOp::from_code(code).ok_or_else(|| PyValueError::new_err(format!("unknown reduction operator {code}")))
}

fn type_code(code: u32) -> PyResult<TypeCode> {
    TypeCode::from_u32(code).ok_or_else(|| PyTypeError::new_err(format!("unknown type code {code}")))
}

impl PyTaskLaunch {
    /// Runs `f` on the launch, or says it was already submitted.
    fn with<T>(&self, f: impl FnOnce(&mut TaskLaunch) -> client::Result<T>) -> PyResult<T> {
        let mut guard = self.launch.lock().unwrap_or_else(|e| e.into_inner());
        let launch = guard.as_mut().ok_or_else(|| PyRuntimeError::new_err("the task was already executed"))?;
        f(launch).map_err(to_py)
    }
}

#[pymethods]
impl PyTaskLaunch {
    fn add_input(&self, store: &PyStore) -> PyResult<u32> {
        let s = handle(rt()?, store)?;
        self.with(|t| t.add_input(&s)).map(|v| v.0)
    }

    fn add_output(&self, store: &PyStore) -> PyResult<u32> {
        let s = handle(rt()?, store)?;
        self.with(|t| t.add_output(&s)).map(|v| v.0)
    }

    fn add_partial_output(&self, store: &PyStore) -> PyResult<u32> {
        let s = handle(rt()?, store)?;
        self.with(|t| t.add_partial_output(&s)).map(|v| v.0)
    }

    fn add_reduction(&self, store: &PyStore, redop: u32) -> PyResult<u32> {
        let (s, op) = (handle(rt()?, store)?, reduction_op(redop)?);
        self.with(|t| t.add_reduction(&s, op)).map(|v| v.0)
    }

    /// A manual task's partitioned argument (`role`: 0 input, 1 output, 2 reduction).
    #[pyo3(signature = (part, role, redop=0, projection=None))]
    fn add_partition(&self, part: &PyPartition, role: u32, redop: u32, projection: Option<Vec<u32>>) -> PyResult<u32> {
        let proj = projection.as_deref();
        match role {
            0 => self.with(|t| t.add_input_partition(&part.part, proj)),
            1 => self.with(|t| t.add_output_partition(&part.part, proj)),
            2 => {
                let op = reduction_op(redop)?;
                self.with(|t| t.add_reduction_partition(&part.part, op, proj))
            }
            r => Err(PyValueError::new_err(format!("unknown argument role {r}"))),
        }
        .map(|v| v.0)
    }

    /// A scalar argument: a type code and the value's bytes (native order).
    fn add_scalar(&self, code: u32, data: &[u8]) -> PyResult<()> {
        let code = type_code(code)?;
        self.with(|t| t.add_scalar_bytes(code, data))
    }

    fn add_alignment(&self, a: u32, b: u32) -> PyResult<()> {
        self.with(|t| t.add_alignment(Variable(a), Variable(b)))
    }

    #[pyo3(signature = (var, dims=None))]
    fn add_broadcast(&self, var: u32, dims: Option<Vec<usize>>) -> PyResult<()> {
        self.with(|t| t.add_broadcast(Variable(var), dims.as_deref()))
    }

    /// `kind`: 0 ranges (`int64[2]` of a 1-d store), 1 points.
    fn add_image(&self, src: u32, dst: u32, kind: u32) -> PyResult<()> {
        let kind = match kind {
            0 => ImageKind::Ranges,
            1 => ImageKind::Points,
            k => return Err(PyValueError::new_err(format!("unknown image kind {k}"))),
        };
        self.with(|t| t.add_image(Variable(src), Variable(dst), kind))
    }

    fn add_bloat(&self, src: u32, dst: u32, lo: Vec<i64>, hi: Vec<i64>) -> PyResult<()> {
        self.with(|t| t.add_bloat(Variable(src), Variable(dst), &lo, &hi))
    }

    fn add_scale(&self, src: u32, dst: u32, factors: Vec<i64>) -> PyResult<()> {
        self.with(|t| t.add_scale(Variable(src), Variable(dst), &factors))
    }

    fn add_communicator(&self) -> PyResult<()> {
        self.with(|t| t.add_communicator())
    }

    /// Submits the launch; it runs once what it depends on has (nothing waits here).
    fn execute(&self, py: Python<'_>) -> PyResult<()> {
        let launch = self.launch.lock().unwrap_or_else(|e| e.into_inner()).take();
        let launch = launch.ok_or_else(|| PyRuntimeError::new_err("the task was already executed"))?;
        py.detach(|| launch.execute()).map_err(to_py)
    }
}

#[pyfunction]
fn _create_auto_task(py: Python<'_>, library: &PyLibrary, task_id: u32) -> PyResult<PyTaskLaunch> {
    let rt = rt()?;
    let launch = py.detach(|| rt.create_auto_task(&library.library, task_id)).map_err(to_py)?;
    Ok(PyTaskLaunch { launch: Mutex::new(Some(launch)) })
}

#[pyfunction]
fn _create_manual_task(py: Python<'_>, library: &PyLibrary, task_id: u32, launch_shape: Vec<i64>) -> PyResult<PyTaskLaunch> {
    let rt = rt()?;
    let launch = py.detach(|| rt.create_manual_task(&library.library, task_id, &launch_shape)).map_err(to_py)?;
    Ok(PyTaskLaunch { launch: Mutex::new(Some(launch)) })
}

mod embedded {
    // Written by build.rs: the ABI crates' sources, manifests made standalone.
    include!(concat!(env!("OUT_DIR"), "/abi_sources.rs"));
}

/// The sources of `legate-abi` and `legate-python-abi` this extension was built with,
/// as `(relative path, text)` pairs: `legate --abi-path` writes them out for libraries.
#[pyfunction]
fn _abi_sources() -> Vec<(&'static str, &'static str)> {
    embedded::ABI_SOURCES.to_vec()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLibrary>()?;
    m.add_class::<PyPartition>()?;
    m.add_class::<PyTaskLaunch>()?;
    m.add_function(wrap_pyfunction!(_find_library, m)?)?;
    m.add_function(wrap_pyfunction!(_abi_sources, m)?)?;
    m.add_function(wrap_pyfunction!(_create_auto_task, m)?)?;
    m.add_function(wrap_pyfunction!(_create_manual_task, m)?)?;
    Ok(())
}
