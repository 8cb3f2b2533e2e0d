//! legate-hello against sequential computations, on several machine shapes.
//!
//! The library sees each runtime only through its C-ABI function table
//! (`Runtime::api_table`), as it would from Python; the tests keep the runtime itself
//! to inspect what ran (profiles, operations).

use legate_core::{Config, Runtime, VariantKind};
use legate_hello::{ErrorKind, HelloLibrary, Store};

/// Sizes around the processor counts: empty, single, not divisible by 2 or 4, larger.
const SIZES: [usize; 9] = [0, 1, 2, 3, 5, 7, 8, 33, 1001];

/// A private runtime: `cpus` CPU processors, `omps` OMP groups of 2 threads. A minimum
/// chunk of 2 makes even tiny stores split across processors.
fn runtime(cpus: usize, omps: usize) -> Runtime {
    let config = Config { cpus, omps, ompthreads: 2, min_cpu_chunk: 2, profile: true, ..Config::legate_defaults() };
    Runtime::new(config).expect("runtime starts")
}

/// The library in `rt`, registered through `rt`'s function table.
fn hello_in(rt: &Runtime) -> HelloLibrary {
    HelloLibrary::register(rt.api_table()).expect("registers")
}

/// Every machine shape the tests run on, with a label for failure messages.
fn libraries() -> Vec<(String, HelloLibrary)> {
    let mut all: Vec<(String, HelloLibrary)> =
        [1, 2, 4].into_iter().map(|k| (format!("{k} cpus"), hello_in(&runtime(k, 0)))).collect();
    all.push(("1 omp x 2 threads".into(), hello_in(&runtime(1, 1))));
    all.push(("2 omps x 2 threads".into(), hello_in(&runtime(1, 2))));
    all
}

fn read(store: &Store) -> Vec<f64> {
    store.read::<f64>().unwrap()
}

fn read_scalar(store: &Store) -> f64 {
    store.read_scalar::<f64>().unwrap()
}

fn iota_seq(n: usize) -> Vec<f64> {
    (1..=n).map(|i| i as f64).collect()
}

/// Population variance the way the example computes it, sequentially.
fn variance_seq(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    xs.iter().map(|x| x * x).sum::<f64>() / n - mean * mean
}

// All values below are integers whose sums stay far below 2^53, so float64 results are
// exact whatever the partitioning and summation order: we can compare with `==`.

#[test]
fn iota_square_sum_match_sequential() {
    for (machine, hello) in libraries() {
        for n in SIZES {
            let x = hello.iota(n).unwrap();
            let squares = hello.square(&x).unwrap();
            let sum = hello.sum(&x).unwrap();
            let sum_sq = hello.sum(&squares).unwrap();
            let expected = iota_seq(n);
            assert_eq!(read(&x), expected, "iota({n}) on {machine}");
            assert_eq!(read(&squares), expected.iter().map(|v| v * v).collect::<Vec<_>>(), "square, n={n}, {machine}");
            assert_eq!(read_scalar(&sum), expected.iter().sum::<f64>(), "sum, n={n}, {machine}");
            assert_eq!(read_scalar(&sum_sq), expected.iter().map(|v| v * v).sum::<f64>(), "sum of squares, n={n}, {machine}");
        }
    }
}

#[test]
fn variance_chain_matches_sequential_and_closed_form() {
    for (machine, hello) in libraries() {
        for n in SIZES.into_iter().filter(|&n| n > 0) {
            let x = hello.iota(n).unwrap();
            let mean = read_scalar(&hello.sum(&x).unwrap()) / n as f64;
            let variance = read_scalar(&hello.sum(&hello.square(&x).unwrap()).unwrap()) / n as f64 - mean * mean;
            assert_eq!(variance, variance_seq(&iota_seq(n)), "n={n} on {machine}");
            let nf = n as f64;
            assert!((variance - (nf * nf - 1.0) / 12.0).abs() <= 1e-9 * nf * nf, "n={n} on {machine}: {variance}");
        }
    }
}

#[test]
fn square_and_sum_of_non_contiguous_views() {
    for (machine, hello) in libraries() {
        for n in SIZES {
            let x = hello.iota(n).unwrap();
            let all = iota_seq(n);
            // Every other element starting at the second: 2, 4, 6, ...
            let evens = x.slice(0, Some(1), None, 2).unwrap();
            let expected: Vec<f64> = all.iter().skip(1).step_by(2).copied().collect();
            assert_eq!(read(&hello.square(&evens).unwrap()), expected.iter().map(|v| v * v).collect::<Vec<_>>(), "n={n}, {machine}");
            assert_eq!(read_scalar(&hello.sum(&evens).unwrap()), expected.iter().sum::<f64>(), "n={n}, {machine}");
            // Reversed: negative strides.
            let reversed = x.slice(0, None, None, -1).unwrap();
            let expected: Vec<f64> = all.iter().rev().map(|v| v * v).collect();
            assert_eq!(read(&hello.square(&reversed).unwrap()), expected, "reversed, n={n}, {machine}");
        }
        // A 2-d transposed view: tiles whose rows are columns of the storage.
        let (rows, cols) = (6, 5);
        let x = hello.iota(rows * cols).unwrap();
        let grid = x.delinearize(0, &[rows as i64, cols as i64]).unwrap().transpose(&[1, 0]).unwrap();
        let expected: Vec<f64> =
            (0..cols).flat_map(|c| (0..rows).map(move |r| ((r * cols + c + 1) as f64).powi(2))).collect();
        assert_eq!(read(&hello.square(&grid).unwrap()), expected, "transposed, {machine}");
        assert_eq!(read_scalar(&hello.sum(&grid).unwrap()), iota_seq(rows * cols).iter().sum::<f64>(), "{machine}");
    }
}

#[test]
fn wrong_dtype_is_a_task_error_and_the_runtime_keeps_working() {
    for (machine, hello) in libraries() {
        let rt = hello.runtime();
        let ints = rt.create_store::<i64>(&[5]).unwrap();
        ints.fill(3i64).unwrap();

        // Launching succeeds (nothing waits); the task's error comes back on reading.
        let squares = hello.square(&ints).unwrap();
        let err = squares.read::<f64>().unwrap_err();
        assert_eq!(err.kind, ErrorKind::TaskFailed, "{machine}: {err:?}");
        assert!(err.to_string().contains("wrong dtype"), "{machine}: {err}");

        let sum = hello.sum(&ints).unwrap();
        assert_eq!(sum.wait().unwrap_err().kind, ErrorKind::TaskFailed, "{machine}");

        // The errors were reported once; new work runs normally.
        let x = hello.iota(10).unwrap();
        assert_eq!(read_scalar(&hello.sum(&hello.square(&x).unwrap()).unwrap()), 385.0, "{machine}");
        rt.fence(true).unwrap();
    }
}

#[test]
fn omp_variants_run_on_omp_machines() {
    let rt = runtime(1, 1);
    let hello = hello_in(&rt);
    let x = hello.iota(100).unwrap();
    let total = hello.sum(&hello.square(&x).unwrap()).unwrap();
    assert_eq!(read_scalar(&total), (1..=100).map(|i| (i * i) as f64).sum::<f64>());
    let events = rt.profiler().expect("profiling is on").events();
    for name in ["legate_hello.square", "legate_hello.sum"] {
        let kinds: Vec<VariantKind> = events.iter().filter(|e| e.name == name).map(|e| e.kind).collect();
        assert!(!kinds.is_empty() && kinds.iter().all(|&k| k == VariantKind::Omp), "{name}: {kinds:?}");
    }
}

#[test]
fn work_is_split_across_processors() {
    let rt = runtime(4, 0);
    let hello = hello_in(&rt);
    let x = hello.iota(1000).unwrap();
    let total = hello.sum(&hello.square(&x).unwrap()).unwrap();
    read_scalar(&total);
    let events = rt.profiler().unwrap().events();
    for name in ["legate_hello.iota", "legate_hello.square", "legate_hello.sum"] {
        assert_eq!(events.iter().filter(|e| e.name == name).count(), 4, "{name} should run one point per CPU");
    }
}

#[test]
fn register_is_idempotent() {
    let rt = runtime(2, 0);
    let first = hello_in(&rt);
    let second = hello_in(&rt);
    assert_eq!(first.library(), second.library());
    // Both handles launch the same tasks.
    let x = first.iota(4).unwrap();
    assert_eq!(read_scalar(&second.sum(&x).unwrap()), 10.0);
}

#[test]
fn hello_world_runs_on_each_point() {
    let rt = runtime(2, 0);
    let hello = hello_in(&rt);
    for points in [0, 1, 3] {
        hello.hello_world("from the tests", points).unwrap();
    }
    hello.runtime().fence(true).unwrap();
    let launched: u64 = rt
        .operations()
        .iter()
        .filter(|op| op.name.as_ref() == "legate_hello.hello_world")
        .map(|op| op.points)
        .sum();
    assert_eq!(launched, 4);
}
