//! The sample sort over a communicator, on several ranks in one process (threads with
//! an in-process transport), against a sequential sort.

use legate_core::replicate::InProcessTransport;
use legate_core::{Config, Runtime};
use crate::Numeric;
use std::sync::Arc;
use std::time::Duration;

fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut x = seed;
    (0..n)
        .map(|i| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match i % 97 {
                0 => f64::NAN,
                1 => 0.5, // repeated values straddle the splitters
                _ => ((x >> 11) % 1000) as f64 - 500.0,
            }
        })
        .collect()
}

fn sort_on(ranks: usize, n: usize, seed: u64) -> Vec<(Vec<f64>, u64)> {
    let world = InProcessTransport::world_with_timeout(ranks, Duration::from_secs(20));
    let handles: Vec<_> = world
        .into_iter()
        .map(|t| {
            std::thread::spawn(move || {
                let config = Config { cpus: 1, min_cpu_chunk: 1, ..Config::legate_defaults() };
                let rt = Runtime::new_replicated(config, Arc::new(t)).unwrap();
                let num = Numeric::register(&rt).unwrap();
                let data = values(n, seed);
                let input = rt.create_store_from::<f64>(&[n], &data).unwrap();
                let before = rt.stats().bytes_received;
                let out = num.sort_distributed(&input).unwrap();
                let got: Vec<f64> = rt.read_store::<f64>(&out).unwrap().iter().copied().collect();
                (got, rt.stats().bytes_received - before)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

#[test]
fn sample_sort_matches_a_sequential_sort_on_1_to_4_ranks() {
    for (ranks, n, seed) in [(1, 1000, 1), (2, 5000, 2), (3, 4001, 3), (4, 20000, 4), (4, 3, 5), (2, 0, 6)] {
        let mut want = values(n, seed);
        want.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
            (false, false) => a.partial_cmp(b).unwrap(),
            (x, y) => x.cmp(&y),
        });
        let results = sort_on(ranks, n, seed);
        for (rank, (got, _)) in results.iter().enumerate() {
            assert!(same(got, &want), "{ranks} ranks, n {n}, rank {rank}: got {:?}...", &got[..got.len().min(8)]);
        }
        if ranks > 1 && n > 1000 {
            // The all-to-all moves each value at most once (plus samples); the read
            // then gathers the sorted array on every rank.
            let moved: u64 = results.iter().map(|r| r.1).sum();
            let gather = (ranks as u64 - 1) * n as u64 * 8;
            assert!(moved > gather && moved <= gather + n as u64 * 8 + 4096 * ranks as u64, "{ranks} ranks moved {moved} bytes");
        }
    }
}
