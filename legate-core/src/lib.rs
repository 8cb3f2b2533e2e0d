//! # legate-core
//!
//! The Legate runtime for one process: sequential code issues operations on
//! *stores*; the runtime partitions them, finds the dependences between the resulting
//! point tasks exactly, and runs the tasks in parallel on every core.
//!
//! Data flows through the modules in this order (see `shared/DESIGN.md` §3):
//! [`types`] → [`shape`] → [`storage`] → [`store`] (views and [`store::transform`]) →
//! [`partition`] → [`operation`] (launches, with [`constraint`]s solved by [`solver`]) →
//! [`footprint`] + [`scheduler`] (dependence analysis) → [`executor`] (processors) →
//! [`point`] (one point task through the C ABI of `legate-abi`). [`mapping`] picks
//! variants and layouts, [`memory`] accounts for and pools instances, [`control`] carries
//! task failures, cancellation and injected faults, [`config`] reads
//! the settings, and [`runtime`] wires it all together. [`ffi`] is the runtime's C-ABI
//! function table, through which libraries (`legate_abi::client`) drive it. [`replicate`]
//! holds the pieces of control replication across ranks (transport, sharding, divergence
//! detection), not yet wired into the runtime.
//!
//! ```
//! use legate_core::{Runtime, Config, types::Type};
//! let rt = Runtime::new(Config::legate_defaults()).unwrap();
//! let a = rt.create_store(Type::Float64, &[4, 4]).unwrap();
//! rt.issue_fill(&a, 1.5f64).unwrap();
//! let column = a.project(1, 2).unwrap();
//! assert_eq!(rt.read_store::<f64>(&column).unwrap().iter().copied().collect::<Vec<_>>(), vec![1.5; 4]);
//! ```

pub mod alloc;
pub mod builtin;
pub mod coherence;
pub mod config;
pub mod constraint;
pub mod control;
pub mod dataflow;
pub mod distribute;
pub mod error;
pub mod executor;
pub mod ffi;
pub mod footprint;
pub mod host;
pub mod image;
pub mod logging;
pub mod mapping;
pub mod memory;
pub mod operation;
pub mod partition;
pub mod point;
pub mod profile;
pub mod progress;
pub mod reduction;
pub mod replicate;
pub mod runtime;
pub mod scalar;
pub mod scheduler;
pub mod shape;
pub mod solver;
pub mod storage;
pub mod store;
pub mod task;
pub mod types;

pub use config::Config;
pub use constraint::{Constraint, Variable};
pub use control::{Fault, FaultAction};
pub use error::{LegateError, Result};
pub use legate_abi::{self as abi, Element, PhysicalStore, ReductionOp, Task, TaskContext, TaskError, VariantKind};
pub use operation::{AutoTask, ManualTask, TaskLaunch};
pub use host::HostView;
pub use image::ImageStats;
pub use partition::{ImageKind, Partition, Tiling};
pub use runtime::{FlushHook, Runtime};
pub use scalar::Scalar;
pub use scheduler::{DependenceEdge, Privilege};
pub use shape::{Point, Rect, LEGATE_MAX_DIM};
pub use store::{LogicalStore, SpareStore, StorePartition};
pub use task::Library;
pub use types::Type;

/// The process's runtime (Legate's `get_legate_runtime()`).
pub fn get_legate_runtime() -> Result<Runtime> {
    Runtime::global()
}
