//! The stable C ABI between the Legate runtime and task libraries.
//!
//! A task library — in-tree like `legate-hello`, or compiled separately as its own
//! extension module — talks to the one running runtime only through the `#[repr(C)]`
//! structures of [`raw`]: it registers tasks with a [`raw::RawRegistrar`] and its task
//! bodies receive a [`raw::RawTaskContext`]. The safe wrappers here ([`Task`],
//! [`TaskContext`], [`PhysicalStore`]) turn those into ordinary Rust with `ndarray` views,
//! and catch panics so that no unwinding ever crosses the C boundary.
//!
//! To create stores and launch its tasks, a library calls the runtime through its
//! function table, [`raw::RawRuntimeApi`], wrapped safely by [`client`]. There is one
//! runtime per process: a library never links it, it gets the table — from the capsule
//! `legate._legate.runtime_api` in Python, from `legate_core::ffi::api()` in a Rust
//! program — and uses it through the same code either way.
//!
//! The layout of every `raw` structure is fixed for a given [`ABI_VERSION`]; the runtime
//! refuses registrations whose version it does not speak, and [`client::Runtime::new`]
//! refuses tables it cannot use.

pub mod client;
pub mod raw;
mod context;
mod element;
mod store;
mod task;

pub use context::{Communicator, TaskContext};
pub use element::{Element, TypeCode};
pub use store::{for_each_row, PhysicalStore};
pub use task::{task_info, Registrar, Task, TaskError, VariantKind};

/// Version of the C ABI described by [`raw`]. Bumped on any layout change.
pub const ABI_VERSION: u32 = 4;

/// The largest number of dimensions a store may have (`LEGATE_MAX_DIM`).
pub const MAX_DIM: usize = 32;

/// How an image constraint's source names the destination's pieces.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// Source elements are half-open `[lo, hi)` ranges (`[i64; 2]`) of a 1-d store,
    /// like the row pointers of a CSR matrix.
    Ranges = raw::IMAGE_RANGES,
    /// Source elements are coordinates (`i64`, or `[i64; N]` for an N-d store), like
    /// the column indices of a CSR matrix.
    Points = raw::IMAGE_POINTS,
}

/// Reduction operators, with the codes used across the ABI.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReductionOp {
    Add = 1,
    Mul = 2,
    Max = 3,
    Min = 4,
    Or = 5,
    And = 6,
    Xor = 7,
}

impl ReductionOp {
    pub const ALL: [ReductionOp; 7] = [
        ReductionOp::Add,
        ReductionOp::Mul,
        ReductionOp::Max,
        ReductionOp::Min,
        ReductionOp::Or,
        ReductionOp::And,
        ReductionOp::Xor,
    ];

    pub fn from_code(code: u32) -> Option<ReductionOp> {
        Self::ALL.into_iter().find(|op| *op as u32 == code)
    }
}
