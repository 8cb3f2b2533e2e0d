//! Several ranks in one process: each rank a thread with its own runtime, talking
//! through an in-process transport (the same code paths as MPI ranks, minus MPI).
//! Memory per rank, bytes moved, divergence and a dying rank.

use crate::common::{axpy_ref, launch_axpy, launch_sum, on_ranks_with, test_library};
use legate_core::{Library, Runtime, Type};
use std::time::{Duration, Instant};

/// Runs `body` on `ranks` ranks (each with `cpus` processors and the "test" library)
/// and returns each rank's result, in rank order.
fn on_ranks<T: Send + 'static>(ranks: usize, cpus: usize, body: impl Fn(usize, Runtime, Library) -> T + Send + Sync + 'static) -> Vec<T> {
    on_ranks_with(ranks, cpus, Duration::from_secs(5), test_library, body)
}

/// An elementwise program on `n` doubles: fill, two dependent maps, a sum. Returns
/// (the sum, this rank's peak system memory, bytes received).
fn elementwise(rt: &Runtime, lib: &Library, n: usize) -> (f64, u64, u64) {
    let a = rt.create_store(Type::Float64, &[n]).unwrap();
    let b = rt.create_store(Type::Float64, &[n]).unwrap();
    rt.issue_fill(&a, 3.0).unwrap();
    launch_axpy(rt, lib, &b, &a).unwrap();
    launch_axpy(rt, lib, &a, &b).unwrap();
    let s = rt.create_future(0.0f64).unwrap();
    launch_sum(rt, lib, &a, &s).unwrap();
    let total = rt.read_scalar::<f64>(&s).unwrap();
    rt.issue_execution_fence(true).unwrap();
    (total, rt.memory_usage().peak, rt.stats().bytes_received)
}

#[test]
fn each_rank_holds_only_its_part_and_results_match() {
    let n = 1 << 20;
    let want = axpy_ref(axpy_ref(3.0)) * n as f64;
    let one = on_ranks(1, 1, move |_, rt, lib| elementwise(&rt, &lib, n));
    let four = on_ranks(4, 1, move |_, rt, lib| elementwise(&rt, &lib, n));
    assert_eq!(one[0].0, want);
    let whole = one[0].1;
    for (rank, (total, peak, received)) in four.iter().enumerate() {
        assert_eq!(*total, want, "rank {rank}");
        // Two arrays of 8 MB: a quarter each, plus the future.
        assert!(*peak * 10 <= whole * 3, "rank {rank}: peak {peak} bytes, one rank {whole}");
        // Only the sum's contributions travel (a few bytes per rank).
        assert!(*received < 1024, "rank {rank} received {received} bytes");
    }
}

#[test]
fn a_shifted_copy_moves_only_the_halo() {
    let n = 1 << 16;
    let results = on_ranks(4, 1, move |_, rt, lib| {
        let a = rt.create_store(Type::Float64, &[n]).unwrap();
        let b = rt.create_store(Type::Float64, &[n]).unwrap();
        rt.issue_fill(&b, 0.0).unwrap();
        // a[i] = 2i+1 mod 997 through a tiled task, so each rank holds its part.
        let idx: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let src = rt.create_store_from::<f64>(&[n], &idx).unwrap();
        launch_axpy(&rt, &lib, &a, &src).unwrap();
        let before = rt.stats().bytes_received;
        // b[:-1] = a[1:]: the copy's tiles of a[1:] start one element into the next
        // rank's part of a, so each rank needs one element from its right neighbour.
        let dst = b.slice(0, Some(0), Some(n as i64 - 1), 1).unwrap();
        let srcv = a.slice(0, Some(1), None, 1).unwrap();
        rt.issue_copy(&dst, &srcv).unwrap();
        rt.issue_execution_fence(true).unwrap();
        let moved = rt.stats().bytes_received - before;
        let got = rt.read_store::<f64>(&b).unwrap();
        let ok = got.iter().enumerate().all(|(i, &v)| v == if i == n - 1 { 0.0 } else { axpy_ref((i + 1) as f64) });
        (moved, ok)
    });
    let moved: u64 = results.iter().map(|r| r.0).sum();
    assert!(results.iter().all(|r| r.1), "wrong values");
    assert!(moved > 0 && moved <= 64 * 8, "the copy moved {moved} bytes in all, not a halo");
}

#[test]
fn a_rank_dependent_branch_is_reported_on_every_rank_without_hanging() {
    let start = Instant::now();
    let results = on_ranks(3, 1, |rank, rt, lib| {
        let a = rt.create_store(Type::Float64, &[1000]).unwrap();
        rt.issue_fill(&a, 1.0).unwrap();
        if rank == 1 {
            rt.issue_fill(&a, 2.0).unwrap(); // the divergence
        }
        let b = rt.create_store(Type::Float64, &[1000]).unwrap();
        launch_axpy(&rt, &lib, &b, &a).unwrap();
        rt.read_store::<f64>(&b).map(|_| ()).map_err(|e| e.to_string())
    });
    for (rank, r) in results.iter().enumerate() {
        let e = r.as_ref().expect_err("the read must fail");
        assert!(e.contains("diverged") && e.contains("rank 1"), "rank {rank}: {e}");
    }
    assert!(start.elapsed() < Duration::from_secs(4), "took {:?}", start.elapsed());
}

#[test]
fn a_rank_that_dies_is_named_by_the_others() {
    let start = Instant::now();
    let results = on_ranks(2, 1, |rank, rt, lib| {
        let a = rt.create_store(Type::Float64, &[1 << 12]).unwrap();
        rt.issue_fill(&a, 1.0).unwrap();
        let b = rt.create_store(Type::Float64, &[1 << 12]).unwrap();
        launch_axpy(&rt, &lib, &b, &a).unwrap();
        if rank == 1 {
            drop(rt); // rank 1 exits here (after its work); its half of b goes with it
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
        rt.read_store::<f64>(&b).map(|_| ()).map_err(|e| e.to_string())
    });
    let e = results[0].as_ref().expect_err("rank 0's read must fail");
    assert!(e.contains("rank 1") && (e.contains("hung up") || e.contains("timed out")), "{e}");
    assert!(start.elapsed() < Duration::from_secs(8), "took {:?}", start.elapsed());
}
