//! # legate-hello
//!
//! The template Legate library. To start your own, copy this crate, rename it, and
//! replace the four tasks with yours. It uses only `legate-core`'s public API, so
//! whatever it does, your library can do too.
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
//!    waits until someone reads a value (`Runtime::read_store`, `read_scalar`).
//! 3. **Registration** ([`HelloLibrary::register`]): creates the library in the
//!    runtime and registers each task under its id. Launches name tasks by
//!    `(library, id)`.
//!
//! ```
//! use legate_core::{Config, Runtime};
//! use legate_hello::HelloLibrary;
//!
//! let rt = Runtime::new(Config::legate_defaults()).unwrap();
//! let hello = HelloLibrary::register(&rt).unwrap();
//! let x = hello.iota(4).unwrap(); // [1, 2, 3, 4]
//! let total = hello.sum(&hello.square(&x).unwrap()).unwrap();
//! assert_eq!(rt.read_scalar::<f64>(&total).unwrap(), 30.0);
//! ```

pub mod tasks;

use legate_core::{LegateError, Library, LogicalStore, ReductionOp, Result, Runtime, Task, Type};
use std::sync::Mutex;
use tasks::{HelloWorld, Iota, Square, Sum};

/// The name the library is registered under. Rename it when you copy this crate: names
/// must be unique among the libraries loaded in one process.
pub const LIBRARY_NAME: &str = "legate_hello";

/// A handle to `legate_hello` in one runtime. Cheap to clone.
#[derive(Clone)]
pub struct HelloLibrary {
    runtime: Runtime,
    library: Library,
}

/// Makes `register` calls one at a time, so "the library already existed" (below)
/// really means an earlier call registered our tasks, not one running concurrently.
static REGISTERING: Mutex<()> = Mutex::new(());

impl HelloLibrary {
    /// Creates the library in `rt` and registers its tasks. Calling it again (for the
    /// same runtime) returns a handle to the same library.
    pub fn register(rt: &Runtime) -> Result<HelloLibrary> {
        let _one_at_a_time = REGISTERING.lock().unwrap_or_else(|e| e.into_inner());
        let existed = rt.find_library(LIBRARY_NAME).is_some();
        let library = rt.create_library(LIBRARY_NAME);
        // The core has no "is this task registered?" query, so a repeated call finds
        // out by registering: it gets a `Registration` error for each task that is
        // already there. Only then (the library existed) is that error expected.
        let register = |result: Result<()>| match result {
            Err(LegateError::Registration { .. }) if existed => Ok(()),
            other => other,
        };
        register(rt.register_task::<HelloWorld>(&library))?;
        register(rt.register_task::<Iota>(&library))?;
        register(rt.register_task::<Square>(&library))?;
        register(rt.register_task::<Sum>(&library))?;
        Ok(HelloLibrary { runtime: rt.clone(), library })
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
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
        task.add_scalar_arg(message);
        task.execute()
    }

    /// A new 1-d float64 store holding `1, 2, ..., size`.
    pub fn iota(&self, size: usize) -> Result<LogicalStore> {
        let output = self.runtime.create_store(Type::Float64, &[size])?;
        // An *auto* task: the runtime splits the output over the processors (or runs
        // one task when it is small) and each point fills its tile.
        let mut task = self.runtime.create_auto_task(&self.library, Iota::TASK_ID);
        task.add_output(&output);
        task.execute()?;
        Ok(output)
    }

    /// A new float64 store with `input[i]^2` at each index `i`. `input` may be any
    /// float64 store or view (sliced, transposed, n-d); another dtype makes the task
    /// fail, and the error surfaces when the result is read.
    pub fn square(&self, input: &LogicalStore) -> Result<LogicalStore> {
        let output = self.runtime.create_store(Type::Float64, &input.shape().to_usize())?;
        let mut task = self.runtime.create_auto_task(&self.library, Square::TASK_ID);
        let x = task.add_input(input);
        let y = task.add_output(&output);
        // Elementwise: each point must get the same tile of input and output.
        task.add_alignment(x, y);
        task.execute()?;
        Ok(output)
    }

    /// The sum of all elements of `input` (float64), as a one-element future store;
    /// read it with `rt.read_scalar::<f64>(&result)`.
    pub fn sum(&self, input: &LogicalStore) -> Result<LogicalStore> {
        // Start from 0: each point adds its tile's sum into a private copy, and the
        // runtime adds those copies into this value when all points are done.
        let total = self.runtime.create_future(0.0f64)?;
        let mut task = self.runtime.create_auto_task(&self.library, Sum::TASK_ID);
        task.add_input(input);
        task.add_reduction(&total, ReductionOp::Add);
        task.execute()?;
        Ok(total)
    }
}
