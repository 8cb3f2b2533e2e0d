//! Control replication's building blocks with 1–4 simulated ranks (threads over
//! `InProcessTransport`): message ordering, collectives, randomized traffic following a
//! schedule every rank computes identically, rank death and silence turning into errors
//! that name the rank (never hangs), and divergence detection.

use std::sync::Arc;
use std::time::{Duration, Instant};

use legate_core::replicate::divergence::DIVERGENCE_TAG;
use legate_core::replicate::{
    Access, DivergenceChecker, DivergenceError, InProcessTransport, OpDescription, Sharding, Transport, TransportError,
};
use legate_core::{Point, ReductionOp};

/// The timeout the failure tests use: short, so a regression to "hang" fails fast.
const SHORT: Duration = Duration::from_secs(2);

/// Runs `body(transport)` on `n` rank threads and returns their results by rank.
fn run_ranks<R: Send>(n: usize, timeout: Duration, body: impl Fn(InProcessTransport) -> R + Sync) -> Vec<R> {
    let world = InProcessTransport::world_with_timeout(n, timeout);
    std::thread::scope(|s| {
        let handles: Vec<_> = world.into_iter().map(|t| s.spawn(|| body(t))).collect();
        handles.into_iter().map(|h| h.join().expect("rank thread panicked")).collect()
    })
}

/// Runs `f`, then waits at `barrier` even if `f` panicked (and then re-raises), so a
/// failed assertion on one rank fails the test instead of leaving its peers waiting.
fn then_wait<R>(barrier: &std::sync::Barrier, f: impl FnOnce() -> R) -> R {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    barrier.wait();
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// splitmix64: a tiny deterministic generator, so every rank derives the same schedule
/// from the same seed (as control replication derives the same decisions from the same
/// stream).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn payload(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng(seed);
    (0..len).map(|_| rng.next() as u8).collect()
}

// ---------------------------------------------------------------------------------------
// Point-to-point and collectives
// ---------------------------------------------------------------------------------------

#[test]
fn point_to_point_keeps_order_per_pair_and_tag() {
    for n in 1..=4 {
        run_ranks(n, SHORT, |t| {
            let me = t.rank();
            // Interleave two tags to every rank, oneself included.
            for i in 0u32..200 {
                for dst in 0..n {
                    let tag = (i % 2) as u64;
                    t.send(dst, tag, &[&i.to_le_bytes()[..], &[me as u8]].concat()).unwrap();
                }
            }
            // Receive tag 1 entirely before tag 0: tags are independent streams, and
            // within one each message comes in the order it was sent.
            for src in 0..n {
                for tag in [1u64, 0] {
                    for i in (0u32..200).filter(|i| (i % 2) as u64 == tag) {
                        let got = t.recv(src, tag).unwrap();
                        assert_eq!(got, [&i.to_le_bytes()[..], &[src as u8]].concat(), "rank {me} from {src}");
                    }
                }
            }
        });
    }
}

#[test]
fn collectives_agree_on_every_rank() {
    for n in 1..=4 {
        let results = run_ranks(n, SHORT, |t| {
            let me = t.rank();
            let gathered = t.all_gather(&vec![me as u8; me + 1]).unwrap();
            assert_eq!(gathered, (0..n).map(|r| vec![r as u8; r + 1]).collect::<Vec<_>>());
            for root in 0..n {
                let got = t.broadcast(root, format!("from {me}").as_bytes()).unwrap();
                assert_eq!(got, format!("from {root}").as_bytes());
            }
            t.barrier().unwrap();
            let v = me as u64 + 10;
            assert_eq!(t.all_reduce_u64(v, ReductionOp::Add).unwrap(), (0..n as u64).map(|r| r + 10).sum::<u64>());
            assert_eq!(t.all_reduce_u64(v, ReductionOp::Min).unwrap(), 10);
            assert_eq!(t.all_reduce_u64(v, ReductionOp::Max).unwrap(), 10 + n as u64 - 1);
            assert_eq!(t.all_reduce_u64(1u64 << me, ReductionOp::Or).unwrap(), (1 << n) - 1);
            assert_eq!(t.all_reduce_f64(-(me as f64), ReductionOp::Min).unwrap(), -(n as f64 - 1.0));
            assert_eq!(t.all_reduce_f64(me as f64, ReductionOp::Max).unwrap(), n as f64 - 1.0);
            let nan = if me == n - 1 { f64::NAN } else { 1.0 };
            assert!(t.all_reduce_f64(nan, ReductionOp::Max).unwrap().is_nan());
            // A sum whose rounding depends on the order: every rank gets the same bits.
            let sum = t.all_reduce_f64(0.1 * (me as f64 + 1.0) + 1e16 * (me % 2) as f64, ReductionOp::Add).unwrap();
            // The byte all-reduce folds in rank order.
            let concat = t
                .all_reduce_bytes(&[me as u8], &mut |acc: &mut Vec<u8>, next: &[u8]| acc.extend_from_slice(next))
                .unwrap();
            assert_eq!(concat, (0..n as u8).collect::<Vec<_>>());
            sum.to_bits()
        });
        assert!(results.iter().all(|&bits| bits == results[0]), "{n} ranks: {results:?}");
    }
}

#[test]
fn collectives_do_not_mix_with_point_to_point_traffic() {
    run_ranks(3, SHORT, |t| {
        let me = t.rank();
        let next = (me + 1) % 3;
        let prev = (me + 2) % 3;
        // A user message under tag 0 is in flight while a collective runs; neither
        // sees the other's bytes.
        t.send(next, 0, b"user").unwrap();
        let gathered = t.all_gather(b"collective").unwrap();
        assert!(gathered.iter().all(|g| g == b"collective"));
        assert_eq!(t.recv(prev, 0).unwrap(), b"user");
    });
}

#[test]
fn ranks_calling_different_collectives_get_an_error_not_each_others_data() {
    let results = run_ranks(2, SHORT, |t| if t.rank() == 0 { t.all_gather(b"x").map(drop) } else { t.barrier() });
    let err = results[0].clone().unwrap_err();
    assert!(matches!(&err, TransportError::CollectiveMismatch { me: 0, rank: 1, .. }), "{err}");
    assert!(err.to_string().contains("rank 1 called barrier while rank 0 called all_gather"), "{err}");
    assert!(results[1].is_err());
}

#[test]
fn randomized_traffic_following_a_replicated_schedule_arrives_intact() {
    for n in 1..=4usize {
        for seed in 0..6u64 {
            let counts = run_ranks(n, Duration::from_secs(20), |t| {
                let me = t.rank();
                // Every rank computes the whole schedule from the same seed; each acts on
                // the steps that involve it, in schedule order. Sends never wait, so a rank
                // blocked on step k waits only for a rank that has finished steps < k.
                let mut rng = Rng(seed * 1000 + n as u64);
                let mut received = 0usize;
                for step in 0..400u64 {
                    let src = rng.below(n as u64) as usize;
                    let dst = rng.below(n as u64) as usize;
                    let tag = rng.below(3);
                    // Mostly small messages, sometimes empty, sometimes 64 KiB.
                    let len = match rng.below(10) {
                        0 => 0,
                        1 => 1 << 16,
                        _ => rng.below(300) as usize,
                    };
                    let content_seed = rng.next();
                    if src == me {
                        let mut bytes = step.to_le_bytes().to_vec();
                        bytes.extend_from_slice(&payload(content_seed, len));
                        t.send(dst, tag, &bytes).unwrap();
                    }
                    if dst == me {
                        let got = t.recv(src, tag).unwrap();
                        assert_eq!(&got[..8], &step.to_le_bytes(), "rank {me}: step {step} out of order");
                        assert_eq!(&got[8..], &payload(content_seed, len)[..], "rank {me}: step {step} corrupted");
                        received += 1;
                    }
                    // Now and then every rank joins a collective, as a future's reduction
                    // would in the middle of data movement.
                    if step % 97 == 96 {
                        assert_eq!(t.all_reduce_u64(step, ReductionOp::Max).unwrap(), step);
                    }
                }
                received
            });
            // Recount the schedule on the side: every message was received exactly once.
            let mut rng = Rng(seed * 1000 + n as u64);
            let mut expected = vec![0usize; n];
            for _ in 0..400 {
                let _src = rng.below(n as u64);
                let dst = rng.below(n as u64) as usize;
                rng.below(3);
                if rng.below(10) >= 2 {
                    rng.below(300);
                }
                rng.next();
                expected[dst] += 1;
            }
            assert_eq!(counts, expected, "{n} ranks, seed {seed}");
        }
    }
}

#[test]
fn sharded_points_exchanged_over_the_transport_reach_their_owners() {
    // Control replication in miniature: every rank computes the same sharding and each
    // sends the value of every point it *computed* to the rank that owns the point in a
    // second, differently-shaped launch (a reshuffle), with no coordination messages.
    for n in 1..=4 {
        run_ranks(n, SHORT, |t| {
            let me = t.rank();
            let first = Sharding::of_extents(&Point::new(&[5, 7]), n);
            let second = Sharding::of_extents(&Point::new(&[35]), n);
            for p in first.points(me) {
                let linear = p.linearize(&Point::new(&[5, 7]));
                let owner = second.owner(&Point::new(&[linear as i64])).unwrap();
                t.send(owner, 0, &(linear * linear).to_le_bytes()).unwrap();
            }
            // Each owner knows from the shardings alone whom to expect, and in what order.
            let mut got = Vec::new();
            for src in 0..n {
                for p in first.points(src) {
                    let linear = p.linearize(&Point::new(&[5, 7]));
                    if second.owner(&Point::new(&[linear as i64])) == Some(me) {
                        let v = u64::from_le_bytes(t.recv(src, 0).unwrap().try_into().unwrap());
                        assert_eq!(v, linear * linear);
                        got.push(linear);
                    }
                }
            }
            got.sort();
            let mine: Vec<u64> = second.points(me).map(|p| p[0] as u64).collect();
            assert_eq!(got, mine);
        });
    }
}

// ---------------------------------------------------------------------------------------
// Death and silence
// ---------------------------------------------------------------------------------------

#[test]
fn a_rank_that_exits_early_makes_the_others_fail_naming_it() {
    for n in 2..=4 {
        let dead = n - 1;
        // Survivors leave together, so none sees another survivor's exit as a death.
        let survivors = std::sync::Barrier::new(n - 1);
        let results = run_ranks(n, SHORT, |t| {
            let me = t.rank();
            if me == dead {
                // Exits at once: dropping the transport is the rank's death.
                return Ok(Duration::ZERO);
            }
            then_wait(&survivors, || {
                let start = Instant::now();
                let err = t.recv(dead, 0).unwrap_err();
                assert_eq!(err, TransportError::HungUp { me, rank: dead, during: "waiting for tag 0 from it".into() });
                assert!(err.to_string().contains(&format!("rank {dead} hung up")), "{err}");
                // Collectives and sends fail the same way.
                let err = t.all_gather(b"x").unwrap_err();
                assert!(matches!(err, TransportError::HungUp { rank, .. } if rank == dead), "{err}");
                let err = t.send(dead, 0, b"x").unwrap_err();
                assert!(matches!(err, TransportError::HungUp { rank, .. } if rank == dead), "{err}");
                Err(start.elapsed())
            })
        });
        for (rank, r) in results.into_iter().enumerate().filter(|(r, _)| *r != dead) {
            let elapsed = r.unwrap_err();
            // Well before the timeout: death is noticed, not waited out.
            assert!(elapsed < SHORT, "{n} ranks: rank {rank} took {elapsed:?}");
        }
    }
}

#[test]
fn a_pending_receive_wakes_when_its_peer_dies() {
    let results = run_ranks(3, SHORT, |t| {
        if t.rank() == 2 {
            // Alive for a while (its peers are already waiting), then dies by panicking:
            // unwinding drops the transport too.
            std::thread::sleep(Duration::from_millis(200));
            let dying = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let _t = t;
                panic!("rank 2 raised");
            }));
            assert!(dying.is_err());
            return None;
        }
        let start = Instant::now();
        let err = t.barrier().unwrap_err();
        Some((err, start.elapsed()))
    });
    for (err, elapsed) in results.into_iter().flatten() {
        assert!(matches!(err, TransportError::HungUp { rank: 2, .. }), "{err}");
        assert!(elapsed >= Duration::from_millis(150) && elapsed < SHORT, "{elapsed:?}");
    }
}

#[test]
fn a_silent_rank_is_reported_after_the_timeout() {
    let timeout = Duration::from_millis(500);
    let results = run_ranks(2, timeout, |t| {
        if t.rank() == 1 {
            // Alive but never sends (a hang): hold the transport past the others' timeout.
            std::thread::sleep(timeout * 4);
            return None;
        }
        let start = Instant::now();
        let err = t.recv(1, 5).unwrap_err();
        Some((err, start.elapsed()))
    });
    let (err, elapsed) = results[0].clone().unwrap();
    assert!(matches!(err, TransportError::Timeout { me: 0, rank: 1, .. }), "{err}");
    assert!(err.to_string().contains("waiting for tag 5 from rank 1"), "{err}");
    // Not before the timeout; the upper bound only leaves room for a loaded machine.
    assert!(elapsed >= timeout && elapsed < timeout + Duration::from_millis(1500), "{elapsed:?}");
}

// ---------------------------------------------------------------------------------------
// Divergence
// ---------------------------------------------------------------------------------------

/// The `i`-th operation of a replicated program, drawn from a small vocabulary.
fn op(seed: u64, i: u64) -> OpDescription {
    let mut rng = Rng(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let names = ["binary", "unary", "fill", "copy", "sum"];
    let name = names[rng.below(names.len() as u64) as usize];
    let shape = [rng.below(4) as i64 + 1, 8];
    OpDescription::new(name).store(rng.below(6), Access::Read, &shape).store(rng.below(6), Access::Write, &shape)
}

fn checker(t: InProcessTransport, interval: u64) -> DivergenceChecker {
    DivergenceChecker::with_interval(Arc::new(t), interval)
}

#[test]
fn identical_streams_never_diverge() {
    for n in 1..=4 {
        for interval in [1, 3, 8, 64] {
            let results = run_ranks(n, SHORT, |t| {
                let mut c = checker(t, interval);
                for i in 1..=150 {
                    c.record(&op(42, i)).unwrap();
                    // Fences at the same points on every rank force extra checks.
                    if i % 37 == 0 {
                        c.check().unwrap();
                    }
                }
                c.check().unwrap();
                (c.count(), c.rolling_hash())
            });
            assert!(results.iter().all(|r| *r == results[0]), "{results:?}");
        }
    }
}

/// Runs `n` ranks issuing `ops` operations of the reference stream, except that rank
/// `odd` issues `replace(k)` instead of operation `k` (or skips it when None). Returns,
/// per rank, the error and how many operations the rank had issued when it surfaced.
fn diverge(
    n: usize,
    interval: u64,
    odd: usize,
    k: u64,
    replace: impl Fn(u64) -> Option<OpDescription> + Sync,
) -> Vec<(DivergenceError, u64)> {
    run_ranks(n, SHORT, |t| {
        let me = t.rank();
        let mut c = checker(t, interval);
        let mut issued = 0;
        for i in 1..=1000 {
            let result = if me == odd && i == k {
                match replace(i) {
                    Some(other) => c.record(&other),
                    None => continue,
                }
            } else {
                c.record(&op(7, i))
            };
            issued += 1;
            if let Err(e) = result {
                return (e, issued);
            }
        }
        panic!("rank {me}: divergence at op {k} never reported");
    })
}

#[test]
fn a_stream_differing_at_op_k_is_reported_within_the_interval_naming_op_k_and_the_ranks() {
    let mut rng = Rng(99);
    for n in 2..=4usize {
        for _ in 0..12 {
            let interval = [1u64, 4, 8, 64][rng.below(4) as usize];
            let k = rng.below(200) + 1;
            let odd = rng.below(n as u64) as usize;
            let results = diverge(n, interval, odd, k, |i| {
                // Same arguments as the reference operation, different task.
                Some(OpDescription::new("rogue").store(i, Access::Read, &[3]))
            });
            let expected = op(7, k).summary();
            let first = results[0].0.to_string();
            for (rank, (err, issued)) in results.iter().enumerate() {
                // Every rank reports the same thing, no later than the first check after k.
                assert_eq!(err.to_string(), first, "rank {rank}");
                assert!(*issued >= k && *issued < k + interval, "rank {rank} reported after {issued} ops (k {k}, K {interval})");
                let DivergenceError::Diverged(d) = err else { panic!("{err}") };
                assert_eq!(d.op_index, Some(k), "{err}");
                assert_eq!(d.groups.len(), 2, "{err}");
                assert!(d.groups[0].ranks.contains(&0));
            }
            let (rogue, normal): (Vec<usize>, Vec<usize>) = (0..n).partition(|&r| r == odd);
            let rogue_side = format!("{} {}", if rogue.len() == 1 { "rank" } else { "ranks" }, list(&rogue));
            let normal_side = format!("{} {}", if normal.len() == 1 { "rank" } else { "ranks" }, list(&normal));
            let rogue_op = format!("rogue(s{k}:R[3])");
            let (side0, op0, side1, op1) =
                if odd == 0 { (&rogue_side, &rogue_op, &normal_side, &expected) } else { (&normal_side, &expected, &rogue_side, &rogue_op) };
            assert!(first.starts_with(&format!("ranks diverged at operation #{k}: {side1} issued {op1} (hash 0x")), "{first}");
            assert!(first.contains(&format!(" while {side0} issued {op0} (hash 0x")), "{first}");
        }
    }
}

fn list(ranks: &[usize]) -> String {
    ranks.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
}

#[test]
fn a_skipped_operation_is_reported_as_the_first_difference() {
    for n in 2..=4 {
        let k = 13;
        let results = diverge(n, 8, 1, k, |_| None);
        for (err, _) in &results {
            let DivergenceError::Diverged(d) = err else { panic!("{err}") };
            assert_eq!(d.op_index, Some(k), "{err}");
            // Rank 1 issued operation k+1 where the others issued k.
            let rank1 = d.groups.iter().find(|g| g.ranks == [1]).unwrap();
            assert_eq!(rank1.op.as_ref().unwrap().0, op(7, k + 1).summary(), "{err}");
        }
    }
}

#[test]
fn a_rank_that_fences_early_is_reported_at_the_fence() {
    // Rank 1 stops after 10 operations and checks (a fence or the end of its program);
    // the others go on to their periodic check at 16.
    let results = run_ranks(3, SHORT, |t| {
        let me = t.rank();
        let mut c = checker(t, 16);
        let stop = if me == 1 { 10 } else { 1000 };
        for i in 1..=stop {
            if let Err(e) = c.record(&op(3, i)) {
                return e;
            }
        }
        c.check().unwrap_err()
    });
    for err in &results {
        let DivergenceError::Diverged(d) = err else { panic!("{err}") };
        assert_eq!(d.op_index, Some(11), "{err}");
        let early = d.groups.iter().find(|g| g.ranks == [1]).unwrap();
        assert_eq!((early.op.clone(), early.count), (None, 10), "{err}");
        assert!(err.to_string().contains("rank 1 issued nothing there (it reached the check after 10 operations)"), "{err}");
    }
}

#[test]
fn a_diverged_checker_keeps_reporting_the_same_error() {
    let results = diverge(2, 4, 1, 2, |_| Some(OpDescription::new("other")));
    // `diverge` returns at the first error; a fresh run checks the latch explicitly.
    assert!(results.iter().all(|(e, _)| matches!(e, DivergenceError::Diverged(_))));
    run_ranks(2, SHORT, |t| {
        let me = t.rank();
        let mut c = checker(t, 2);
        c.record(&OpDescription::new(if me == 0 { "a" } else { "b" })).unwrap();
        let first = c.record(&OpDescription::new("c")).unwrap_err();
        assert_eq!(c.record(&OpDescription::new("c")).unwrap_err(), first);
        assert_eq!(c.check().unwrap_err(), first);
    });
}

#[test]
fn divergence_checks_ignore_user_traffic_and_report_dead_ranks() {
    let survivors = std::sync::Barrier::new(2);
    run_ranks(3, SHORT, |t| {
        let me = t.rank();
        let t: Arc<dyn Transport> = Arc::new(t);
        let mut c = DivergenceChecker::with_interval(Arc::clone(&t), 2);
        // User messages in flight on ordinary tags do not disturb the check.
        t.send((me + 1) % 3, 0, b"data").unwrap();
        for i in 1..=6 {
            c.record(&op(1, i)).unwrap();
        }
        assert_eq!(t.recv((me + 2) % 3, 0).unwrap(), b"data");
        if me == 2 {
            return; // dies
        }
        then_wait(&survivors, || drop_peer_then_check(c, me));
    });
}

fn drop_peer_then_check(mut c: DivergenceChecker, me: usize) {
    // Rank 2 is gone: the next check reports it instead of hanging.
    let start = Instant::now();
    let err = c.check().unwrap_err();
    assert!(matches!(err, DivergenceError::Transport(TransportError::HungUp { rank: 2, .. })), "rank {me}: {err}");
    assert!(start.elapsed() < SHORT, "{:?}", start.elapsed());
}

#[test]
fn a_stray_message_on_the_divergence_tag_is_a_protocol_error() {
    let results = run_ranks(2, SHORT, |t| {
        let me = t.rank();
        if me == 1 {
            t.send(0, DIVERGENCE_TAG, b"not a check").unwrap();
            // Stay alive until rank 0 has read it.
            t.barrier().ok();
            return None;
        }
        let t: Arc<dyn Transport> = Arc::new(t);
        let mut c = DivergenceChecker::with_interval(Arc::clone(&t), 100);
        let err = c.check().unwrap_err();
        t.barrier().ok();
        Some(err)
    });
    let err = results[0].clone().unwrap();
    assert!(matches!(err, DivergenceError::Protocol { rank: 1, .. }), "{err}");
}
