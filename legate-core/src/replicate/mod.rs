//! Control replication: the pieces that let one program run on many ranks
//! (`shared/DESIGN.md` §4).
//!
//! Every rank runs the whole program and issues the same operations in the same order,
//! so everything derived from the operation stream is computed identically on every rank
//! without a message; only data moves. This module holds the parts of that design that
//! stand on their own:
//!
//! - [`transport`] — the [`Transport`] trait (point-to-point messages, collectives, and
//!   errors that name a dead or silent rank instead of hanging) and
//!   [`InProcessTransport`], N ranks as threads, for tests. `mpi_transport::MpiTransport`
//!   (cargo feature `mpi`, not default; needs OpenMPI and libclang to build) is the
//!   production backend; `tests/mpi_transport.rs` runs it under
//!   `mpirun --allow-run-as-root --oversubscribe -n 2`.
//! - [`shard`] — [`Sharding`]: which rank runs which point of a launch domain, a pure
//!   function of the domain and the number of ranks (blocked over the row-major order).
//! - [`divergence`] — [`DivergenceChecker`]: a rolling hash of the operation stream,
//!   compared every few operations, that turns a rank-dependent branch in the user's
//!   program into an error naming the first differing operation and the ranks.
//!
//! - [`world`] — [`World`]: this rank, its transport, the counters of bytes moved, and
//!   the receiver thread that releases nodes held for messages.
//!
//! # How the runtime uses them
//!
//! `Runtime::new_replicated` (tests, in-process ranks) or a launcher (`mpirun`, through
//! `Runtime::global` and [`MpiTransport`]) makes a replicated runtime. Each launch is
//! then sharded with [`Sharding`] and each rank runs only its points; the copies that
//! bring a rank's instances up to date are planned by `crate::coherence` and carried
//! over the transport by `crate::distribute`; reductions and unbound outputs finish
//! with one message between each pair of ranks; every launch, read and write feeds the
//! [`DivergenceChecker`], which compares the ranks every 64 operations, at every
//! blocking read and fence, and at exit.

pub mod divergence;
pub mod shard;
pub mod transport;
pub mod world;

pub use divergence::{Access, Divergence, DivergenceChecker, DivergenceError, OpDescription};
pub use shard::Sharding;
pub use transport::{InProcessTransport, Transport, TransportError};
pub use world::World;

#[cfg(feature = "mpi")]
pub mod mpi_transport;
#[cfg(feature = "mpi")]
pub use mpi_transport::MpiTransport;
