//! The MPI transport on real MPI processes (feature `mpi`; not part of `make test`).
//!
//! ```text
//! cargo test -p legate-core --features mpi --test mpi_transport --no-run   # prints the test executable
//! mpirun --allow-run-as-root --oversubscribe -n 2 target/debug/deps/mpi_transport-<hash>
//! ```
//!
//! Also runs (trivially) as one rank without `mpirun`. MPI can be initialized once per
//! process, so everything is one test, in stages every rank runs in the same order.
#![cfg(feature = "mpi")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use legate_core::replicate::{DivergenceChecker, DivergenceError, MpiTransport, OpDescription, Transport, TransportError};
use legate_core::ReductionOp;

#[test]
fn mpi_transport_end_to_end() {
    let t = Arc::new(MpiTransport::init_with_timeout(Duration::from_secs(10)).unwrap());
    let (me, n) = (t.rank(), t.size());
    eprintln!("rank {me} of {n}");

    // Point-to-point: two interleaved tags to every rank (oneself included), one large
    // message per pair sent before anything is received (an Isend, or this deadlocks).
    let big: Vec<u8> = (0..(4 << 20)).map(|i| (i % 251) as u8).collect();
    for dst in 0..n {
        t.send(dst, 9, &big).unwrap();
        for i in 0u32..100 {
            t.send(dst, (i % 2) as u64, &[&i.to_le_bytes()[..], &[me as u8]].concat()).unwrap();
        }
    }
    for src in 0..n {
        for tag in [1u64, 0] {
            for i in (0u32..100).filter(|i| (i % 2) as u64 == tag) {
                assert_eq!(t.recv(src, tag).unwrap(), [&i.to_le_bytes()[..], &[src as u8]].concat());
            }
        }
        assert!(t.recv(src, 9).unwrap() == big);
    }

    // Collectives.
    let gathered = t.all_gather(&[me as u8; 3]).unwrap();
    assert_eq!(gathered, (0..n).map(|r| vec![r as u8; 3]).collect::<Vec<_>>());
    for root in 0..n {
        assert_eq!(t.broadcast(root, &[me as u8]).unwrap(), vec![root as u8]);
    }
    t.barrier().unwrap();
    assert_eq!(t.all_reduce_u64(me as u64 + 1, ReductionOp::Add).unwrap(), (n * (n + 1) / 2) as u64);
    assert_eq!(t.all_reduce_f64(me as f64, ReductionOp::Max).unwrap(), (n - 1) as f64);

    // Divergence: identical streams pass; then the last rank issues a different op #5.
    let op = |i: u64| OpDescription::new("op").scalar(&i.to_le_bytes());
    let mut same = DivergenceChecker::with_interval(t.clone() as Arc<dyn Transport>, 4);
    for i in 1..=20 {
        same.record(&op(i)).unwrap();
    }
    same.check().unwrap();
    if n > 1 {
        let mut c = DivergenceChecker::with_interval(t.clone() as Arc<dyn Transport>, 4);
        let mut err = None;
        for i in 1..=8 {
            let d = if me == n - 1 && i == 5 { OpDescription::new("rogue") } else { op(i) };
            if let Err(e) = c.record(&d) {
                err = Some((e, i));
                break;
            }
        }
        let (err, at) = err.expect("divergence not reported");
        assert_eq!(at, 8);
        let DivergenceError::Diverged(d) = &err else { panic!("{err}") };
        assert_eq!(d.op_index, Some(5), "{err}");
        assert!(err.to_string().contains(&format!("rank {} issued rogue", n - 1)), "{err}");
        eprintln!("rank {me}: {err}");
    }
    drop(same);

    // Death: the last rank drops its transport; the others hear of it promptly.
    t.barrier().unwrap();
    if n > 1 {
        if me == n - 1 {
            drop(t);
            return;
        }
        let start = Instant::now();
        let err = t.recv(n - 1, 3).unwrap_err();
        assert!(matches!(err, TransportError::HungUp { rank, .. } if rank == n - 1), "{err}");
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
        eprintln!("rank {me}: {err}");
    }
}
