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
//! # What is not wired yet
//!
//! The runtime does not use any of this yet: it still refuses to start on more than one
//! rank. The instances-and-coherence work (issue 10) will (1) shard each launch's points
//! with [`Sharding`] and run only the local ones, (2) plan the copies that bring a
//! rank's instances up to date and carry the cross-rank ones over a [`Transport`],
//! (3) reduce futures with the transport's all-reduces, and (4) feed each issued
//! operation (task name, storage ids, shapes, privileges) to a [`DivergenceChecker`] and
//! call [`DivergenceChecker::check`] at every fence and blocking read. Coherence
//! tracking ("which rank holds the valid copy of which rectangle") and copy planning
//! belong to that work and are not here.

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
