//! The task bodies, one file per task.
//!
//! A task is a type implementing [`legate_abi::Task`]: an id unique within the
//! library, a name (for errors and profiles), and a `cpu` body that receives one
//! point's [`legate_abi::TaskContext`]. Optionally it has an `omp` body
//! (`HAS_OMP = true`) that runs inside a rayon pool of `ctx.num_threads()` threads,
//! so plain rayon code in it uses exactly the cores the runtime gave the task.
//!
//! Rules every body here follows, and yours should too:
//! * Tiles may be empty (a store smaller than the processor count, or of size 0).
//! * Tiles may be non-contiguous (slices with steps, transposes): use `ndarray`
//!   iteration (`iter`, `Zip`), never the raw pointer as a slice.
//! * Check what you receive: `view::<f64>()` fails with a clear message on a store of
//!   another dtype. Return the error (`?`) rather than panicking; it surfaces at the
//!   caller as an error of kind `TaskFailed`. (A panic is caught and reported too, but a
//!   returned error says what went wrong.)

mod axpy;
mod hello_world;
mod iota;
mod smooth;
mod square;
mod sum;

pub use axpy::Axpy;
pub use hello_world::HelloWorld;
pub use iota::Iota;
pub use smooth::Smooth;
pub use square::Square;
pub use sum::Sum;

/// Splits `rows` rows into `threads` nearly equal chunks (at least one row each), for
/// OMP bodies that give each thread one chunk.
pub(crate) fn rows_per_thread(rows: usize, threads: usize) -> usize {
    rows.div_ceil(threads.max(1)).max(1)
}
