//! # legate-hello
//!
//! The template Legate library. To start your own, copy this crate, rename it, and
//! replace its tasks with yours. It depends on `legate-abi` only — never on the
//! runtime — so it can be built as its own extension module (`python-hello/` does
//! that for Python) and still share the process's one runtime with every other library.
//!
//! A library has three parts:
//!
//! 1. **Tasks** ([`tasks`]): the code that runs on one *tile* (one processor's piece)
//!    of the data. A task never sees the whole store, only its tile as an `ndarray`
//!    view with global coordinates, and it may run many times in parallel.
//! 2. **The Rust API** ([`HelloLibrary`]'s methods): what users call. Each method
//!    creates result stores, describes a launch (its inputs, outputs, reductions,
//!    scalars and constraints) and submits it. The runtime chooses the partitions,
//!    orders the launch after what it depends on, and returns right away. Nothing
//!    waits until someone reads a value (`Store::read`, `Store::read_scalar`).
//! 3. **Registration** ([`HelloLibrary::register`]): creates the library in the
//!    runtime and registers each task under its id. Launches name tasks by
//!    `(library, id)`.
//!
//! Everything reaches the runtime through its C-ABI function table, wrapped by
//! [`legate_abi::client`]. Whoever hosts the runtime hands the table over: Python's
//! `legate._legate` through its capsule, a Rust program with `legate_core::ffi::api()`:
//!
//! ```
//! use legate_hello::HelloLibrary;
//!
//! let hello = HelloLibrary::register(legate_core::ffi::api()).unwrap();
//! let x = hello.iota(4).unwrap(); // [1, 2, 3, 4]
//! let total = hello.sum(&hello.square(&x).unwrap()).unwrap();
//! assert_eq!(total.read_scalar::<f64>().unwrap(), 30.0);
//! ```

pub mod tasks;

pub use legate_abi::client::{Error, ErrorKind, Library, Result, Runtime, Store};
use legate_abi::raw::RawRuntimeApi;
use legate_abi::{ReductionOp, Task};
use tasks::{Axpy, HelloWorld, Iota, Smooth, Square, Sum};

/// The name the library is registered under. Rename it when you copy this crate: names
/// must be unique among the libraries loaded in one process.
pub const LIBRARY_NAME: &str = "legate_hello";

/// A handle to `legate_hello` in one runtime. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HelloLibrary {
    runtime: Runtime,
    library: Library,
}

impl HelloLibrary {
    /// Creates the library in the runtime whose function table is `api` and registers
    /// its tasks. Calling it again (for the same runtime) returns a handle to the same
    /// library.
    pub fn register(api: &'static RawRuntimeApi) -> Result<HelloLibrary> {
        let rt = Runtime::new(api)?;
        let library = rt.create_library(LIBRARY_NAME)?;
        let registrar = rt.registrar(&library)?;
        // Registering the very same task again (a second `register` call) is accepted;
        // a task id that other code holds is an error, which is how a copy of this crate
        // that kept LIBRARY_NAME finds out instead of running our tasks for its own.
        registrar.register::<HelloWorld>()?;
        registrar.register::<Iota>()?;
        registrar.register::<Square>()?;
        registrar.register::<Sum>()?;
        // Launched from Python only (`legate_hello.axpy` and `smooth`, through `legate.core`).
        registrar.register::<Axpy>()?;
        registrar.register::<Smooth>()?;
        Ok(HelloLibrary { runtime: rt, library })
    }

    pub fn runtime(&self) -> Runtime {
        self.runtime
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Prints a greeting with `message` from each of `points` parallel tasks (in no
    /// particular order, once they run). A *manual* task: we choose the launch domain
    /// ourselves, since there is no store for the runtime to partition.
    pub fn hello_world(&self, message: &str, points: usize) -> Result<()> {
        if points == 0 {
            return Ok(()); // Nobody to say hello; a launch domain must not be empty.
        }
        let mut task = self.runtime.create_manual_task(&self.library, HelloWorld::TASK_ID, &[points as i64])?;
        // Strings travel as scalar arguments, copied into the launch, like numbers do.
        task.add_scalar_str(message)?;
        task.execute()
    }

    /// A new 1-d float64 store holding `1, 2, ..., size`.
    pub fn iota(&self, size: usize) -> Result<Store> {
        let output = self.runtime.create_store::<f64>(&[size])?;
        // An *auto* task: the runtime splits the output over the processors (or runs
        // one task when it is small) and each point fills its tile.
        let mut task = self.runtime.create_auto_task(&self.library, Iota::TASK_ID)?;
        task.add_output(&output)?;
        task.execute()?;
        Ok(output)
    }

    /// A new float64 store with `input[i]^2` at each index `i`. `input` may be any
    /// float64 store or view (sliced, transposed, n-d); another dtype makes the task
    /// fail, and the error surfaces when the result is read.
    pub fn square(&self, input: &Store) -> Result<Store> {
        let output = self.runtime.create_store::<f64>(&input.shape()?)?;
        let mut task = self.runtime.create_auto_task(&self.library, Square::TASK_ID)?;
        let x = task.add_input(input)?;
        let y = task.add_output(&output)?;
        // Elementwise: each point must get the same tile of input and output.
        task.add_alignment(x, y)?;
        task.execute()?;
        Ok(output)
    }

    /// The sum of all elements of `input` (float64), as a one-element future store;
    /// read it with `result.read_scalar::<f64>()`.
    pub fn sum(&self, input: &Store) -> Result<Store> {
        // Start from 0: each point adds its tile's sum into a private copy, and the
        // runtime adds those copies into this value when all points are done.
        let total = self.runtime.create_future(0.0f64)?;
        let mut task = self.runtime.create_auto_task(&self.library, Sum::TASK_ID)?;
        task.add_input(input)?;
        task.add_reduction(&total, ReductionOp::Add)?;
        task.execute()?;
        Ok(total)
    }
}
