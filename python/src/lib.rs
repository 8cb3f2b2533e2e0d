//! `legate._legate`: the Python extension. It exposes the runtime to Python; the
//! Python packages (`legate`, `legate_numeric`, ...) are thin layers over it.

use pyo3::prelude::*;

// Point tasks are allocated on the submitting thread and freed on workers; mimalloc
// handles that pattern far better than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _legate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("LEGATE_MAX_DIM", legate_core::LEGATE_MAX_DIM)?;
    Ok(())
}
