//! `legate._legate`: the Python extension. It exposes the runtime (stores, views,
//! copies) and the numeric kernels to the Python packages, which are thin layers:
//! `legate.core` re-exports the store API, `legate_numeric` builds NumPy semantics on
//! top of the `numeric` functions. Libraries built as their own extension modules
//! reach the same runtime through the function table exported by `abi`; `library`
//! launches their tasks from Python through that same table.

mod abi;
mod arrow;
mod buffer;
mod convert;
mod dlpack;
mod fast;
mod host;
mod index;
mod library;
mod numeric;
mod settings;
mod store;

use pyo3::prelude::*;

#[global_allocator]
static GLOBAL: legate_core::alloc::Mimalloc = legate_core::alloc::Mimalloc;

#[pymodule]
fn _legate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("LEGATE_MAX_DIM", legate_core::LEGATE_MAX_DIM)?;
    store::register(m)?;
    abi::register(m)?;
    library::register(m)?;
    numeric::register(m)?;
    index::register_index(m)?;
    fast::register(m)?;
    buffer::register(m)?;
    dlpack::register(m)?;
    arrow::register(m)?;
    settings::register(m)?;
    Ok(())
}
