//! The variance of 1, 2, ..., n, computed with legate-hello's tasks and checked against
//! the closed forms: sum = n(n+1)/2 and variance = (n^2 - 1)/12.
//!
//! ```text
//! cargo run --release -p legate-hello --example variance -- 1000000
//! LEGATE_CONFIG="--cpus 8" cargo run --release -p legate-hello --example variance
//! ```

use legate_hello::HelloLibrary;
use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|e| format!("n must be a positive integer, got {arg:?}: {e}"))?,
        None => 1_000_000,
    };
    if n == 0 {
        return Err("n must be at least 1 (the mean of nothing is undefined)".into());
    }

    // The process's one runtime (configured by LEGATE_CONFIG, e.g. "--cpus 8"), linked
    // into this program: the library gets its function table, as it would get it from
    // the capsule of `legate._legate` in Python.
    let hello = HelloLibrary::register(legate_core::ffi::api())?;
    let rt = hello.runtime();
    hello.hello_world("Computing a variance.", 4)?;

    // Four launches, none of which waits: the runtime orders them by their data
    // (square after iota, each sum after what it adds up) and overlaps the rest.
    let x = hello.iota(n)?; // 1, 2, ..., n
    let sum_x = hello.sum(&x)?;
    let sum_x2 = hello.sum(&hello.square(&x)?)?;

    // Reading a future is what waits, and only for the tasks it depends on.
    let sum = sum_x.read_scalar::<f64>()?;
    let mean = sum / n as f64;
    let variance = sum_x2.read_scalar::<f64>()? / n as f64 - mean * mean;
    println!("n = {n}: sum = {sum}, mean = {mean}, variance = {variance}");

    // The sum of integers is exact in float64 while it stays below 2^53.
    let expected_sum = (n as u128 * (n as u128 + 1) / 2) as f64;
    if expected_sum < 2f64.powi(53) && sum != expected_sum {
        return Err(format!("sum is {sum}, expected {expected_sum}").into());
    }
    // Summing n terms rounds by at most about n * epsilon relative, and E[x^2] - mean^2
    // cancels about 3/4 of E[x^2], magnifying that error by at most 4.
    let nf = n as f64;
    let expected_variance = (nf * nf - 1.0) / 12.0;
    let tolerance = 4.0 * nf * f64::EPSILON * expected_variance.max(1.0);
    if (variance - expected_variance).abs() > tolerance {
        return Err(format!("variance is {variance}, expected {expected_variance} (tolerance {tolerance})").into());
    }
    println!("matches the closed forms n(n+1)/2 = {expected_sum} and (n^2-1)/12 = {expected_variance}");

    // Nothing reads the greetings' results, so nothing waited for them. The process's
    // runtime is never dropped, so wait for every task before exiting.
    rt.fence(true)?;
    Ok(())
}
