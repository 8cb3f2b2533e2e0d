//! Whole-library tests through the public API (a runtime of their own each). They live
//! in the crate, not in `tests/`, so that `cargo test` compiles legate-numeric once (as
//! its test harness) rather than also as a plain library for separate test binaries.

mod decomp;
mod fft;
mod ranks;
