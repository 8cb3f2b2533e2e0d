//! legate-hello against sequential computations, on several machine shapes.

use legate_core::{Config, LegateError, LogicalStore, Runtime, VariantKind};
use legate_hello::HelloLibrary;

/// Sizes around the processor counts: empty, single, not divisible by 2 or 4, larger.
const SIZES: [usize; 9] = [0, 1, 2, 3, 5, 7, 8, 33, 1001];

/// A private runtime: `cpus` CPU processors, `omps` OMP groups of 2 threads. A minimum
/// chunk of 2 makes even tiny stores split across processors.
fn runtime(cpus: usize, omps: usize) -> Runtime {
    let config = Config { cpus, omps, ompthreads: 2, min_cpu_chunk: 2, profile: true, ..Config::legate_defaults() };
    Runtime::new(config).expect("runtime starts")
}

/// Every machine shape the tests run on, with a label for failure messages.
fn libraries() -> Vec<(String, HelloLibrary)> {
    let mut all: Vec<(String, HelloLibrary)> = [1, 2, 4]
        .into_iter()
        .map(|k| (format!("{k} cpus"), HelloLibrary::register(&runtime(k, 0)).unwrap()))
        .collect();
    all.push(("1 omp x 2 threads".into(), HelloLibrary::register(&runtime(1, 1)).unwrap()));
    all.push(("2 omps x 2 threads".into(), HelloLibrary::register(&runtime(1, 2)).unwrap()));
    all
}

fn read(hello: &HelloLibrary, store: &LogicalStore) -> Vec<f64> {
    hello.runtime().read_store::<f64>(store).unwrap().iter().copied().collect()
}

fn read_scalar(hello: &HelloLibrary, store: &LogicalStore) -> f64 {
    hello.runtime().read_scalar::<f64>(store).unwrap()
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
            assert_eq!(read(&hello, &x), expected, "iota({n}) on {machine}");
            assert_eq!(read(&hello, &squares), expected.iter().map(|v| v * v).collect::<Vec<_>>(), "square, n={n}, {machine}");
            assert_eq!(read_scalar(&hello, &sum), expected.iter().sum::<f64>(), "sum, n={n}, {machine}");
            assert_eq!(read_scalar(&hello, &sum_sq), expected.iter().map(|v| v * v).sum::<f64>(), "sum of squares, n={n}, {machine}");
        }
    }
}

#[test]
fn variance_chain_matches_sequential_and_closed_form() {
    for (machine, hello) in libraries() {
        for n in SIZES.into_iter().filter(|&n| n > 0) {
            let x = hello.iota(n).unwrap();
            let mean = read_scalar(&hello, &hello.sum(&x).unwrap()) / n as f64;
            let variance = read_scalar(&hello, &hello.sum(&hello.square(&x).unwrap()).unwrap()) / n as f64 - mean * mean;
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
            assert_eq!(read(&hello, &hello.square(&evens).unwrap()), expected.iter().map(|v| v * v).collect::<Vec<_>>(), "n={n}, {machine}");
            assert_eq!(read_scalar(&hello, &hello.sum(&evens).unwrap()), expected.iter().sum::<f64>(), "n={n}, {machine}");
            // Reversed: negative strides.
            let reversed = x.slice(0, None, None, -1).unwrap();
            let expected: Vec<f64> = all.iter().rev().map(|v| v * v).collect();
            assert_eq!(read(&hello, &hello.square(&reversed).unwrap()), expected, "reversed, n={n}, {machine}");
        }
        // A 2-d transposed view: tiles whose rows are columns of the storage.
        let (rows, cols) = (6, 5);
        let x = hello.iota(rows * cols).unwrap();
        let grid = x.delinearize(0, &[rows as i64, cols as i64]).unwrap().transpose(&[1, 0]).unwrap();
        let expected: Vec<f64> =
            (0..cols).flat_map(|c| (0..rows).map(move |r| ((r * cols + c + 1) as f64).powi(2))).collect();
        assert_eq!(read(&hello, &hello.square(&grid).unwrap()), expected, "transposed, {machine}");
        assert_eq!(read_scalar(&hello, &hello.sum(&grid).unwrap()), iota_seq(rows * cols).iter().sum::<f64>(), "{machine}");
    }
}

#[test]
fn wrong_dtype_is_a_task_error_and_the_runtime_keeps_working() {
    for (machine, hello) in libraries() {
        let rt = hello.runtime();
        let ints = rt.create_store_from::<i64>(&[5], &[1, 2, 3, 4, 5]).unwrap();

        // Launching succeeds (nothing waits); the task's error comes back on reading.
        let squares = hello.square(&ints).unwrap();
        let err = rt.read_store::<f64>(&squares).unwrap_err();
        assert!(matches!(err, LegateError::TaskFailed { .. } | LegateError::ManyTaskErrors(..)), "{machine}: {err:?}");
        assert!(err.to_string().contains("wrong dtype"), "{machine}: {err}");

        let sum = hello.sum(&ints).unwrap();
        rt.wait_store(&sum).unwrap_err();

        // The errors were reported once; new work runs normally.
        let x = hello.iota(10).unwrap();
        assert_eq!(read_scalar(&hello, &hello.sum(&hello.square(&x).unwrap()).unwrap()), 385.0, "{machine}");
        rt.issue_execution_fence(true).unwrap();
    }
}

#[test]
fn omp_variants_run_on_omp_machines() {
    let hello = HelloLibrary::register(&runtime(1, 1)).unwrap();
    let x = hello.iota(100).unwrap();
    let total = hello.sum(&hello.square(&x).unwrap()).unwrap();
    assert_eq!(read_scalar(&hello, &total), (1..=100).map(|i| (i * i) as f64).sum::<f64>());
    let events = hello.runtime().profiler().expect("profiling is on").events();
    for name in ["legate_hello.square", "legate_hello.sum"] {
        let kinds: Vec<VariantKind> = events.iter().filter(|e| e.name == name).map(|e| e.kind).collect();
        assert!(!kinds.is_empty() && kinds.iter().all(|&k| k == VariantKind::Omp), "{name}: {kinds:?}");
    }
}

#[test]
fn work_is_split_across_processors() {
    let hello = HelloLibrary::register(&runtime(4, 0)).unwrap();
    let x = hello.iota(1000).unwrap();
    let total = hello.sum(&hello.square(&x).unwrap()).unwrap();
    read_scalar(&hello, &total);
    let events = hello.runtime().profiler().unwrap().events();
    for name in ["legate_hello.iota", "legate_hello.square", "legate_hello.sum"] {
        assert_eq!(events.iter().filter(|e| e.name == name).count(), 4, "{name} should run one point per CPU");
    }
}

#[test]
fn register_is_idempotent() {
    let rt = runtime(2, 0);
    let first = HelloLibrary::register(&rt).unwrap();
    let second = HelloLibrary::register(&rt).unwrap();
    assert_eq!(first.library(), second.library());
    // Both handles launch the same tasks.
    let x = first.iota(4).unwrap();
    assert_eq!(read_scalar(&second, &second.sum(&x).unwrap()), 10.0);
}

#[test]
fn hello_world_runs_on_each_point() {
    let hello = HelloLibrary::register(&runtime(2, 0)).unwrap();
    for points in [0, 1, 3] {
        hello.hello_world("from the tests", points).unwrap();
    }
    hello.runtime().issue_execution_fence(true).unwrap();
    let launched: u64 = hello
        .runtime()
        .operations()
        .iter()
        .filter(|op| op.name.as_ref() == "legate_hello.hello_world")
        .map(|op| op.points)
        .sum();
    assert_eq!(launched, 4);
}
