//! Whole-library tests through the public API (a runtime of their own each). They live
//! in the crate, not in `tests/`, so that `cargo test` compiles legate-numeric once (as
//! its test harness) rather than also as a plain library for separate test binaries.

mod decomp;
mod fft;
mod ranks;

/// `n` seeded pseudo-random numbers in [-1, 1) (xorshift).
fn random(n: usize, seed: u64) -> Vec<f64> {
    let mut x = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}
