//! legate-core's integration tests, one module per area, in one test binary: each binary
//! links the whole runtime and its dependencies, so thirteen of them were most of `make
//! test`'s Rust build. Tests run here concurrently with every other module's tests, in
//! one process; a test that needs the process to itself (its log subscriber, its RSS,
//! MPI) has a binary of its own: `observability.rs`, `long_loop.rs`, `mpi_transport.rs`
//! and `images_mpi.rs`.
//!
//! Run one module with `cargo test -p legate-core --test integration MODULE::`.

#[path = "../common/mod.rs"]
mod common;

mod abi_client;
mod aligned_launch;
mod dependences;
mod hardening;
mod host_views;
mod images;
mod inline_tasks;
mod random_programs;
mod ranks;
mod replicate;
mod runtime_behaviour;
