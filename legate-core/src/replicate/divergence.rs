//! Divergence detection: catching ranks that issue different operation streams.
//!
//! Control replication is only correct while every rank issues the same operations in
//! the same order; a rank-dependent branch in the user's program (`if rank == 0: ...`)
//! breaks that silently, and the usual symptom is a hang or garbage. So each rank folds
//! every operation it issues into a rolling 64-bit hash, and every `interval` operations
//! (and at every explicit fence) the ranks compare `(operation count, rolling hash)`.
//! When they differ, the ranks exchange the per-operation hashes of the window since the
//! last agreeing check (kept in a ring of at most `interval` entries), find the first
//! operation that differs, exchange their descriptions of it, and every rank returns the
//! same error naming that operation and the ranks on each side. Detection is thus bounded:
//! a divergence at operation `k` is reported at the first check after `k`, no more than
//! `interval` operations later.
//!
//! The check travels point-to-point on a reserved tag ([`DIVERGENCE_TAG`]) rather than
//! through the transport's collectives, so it can never be mistaken for a user's
//! all-gather even when the streams have already diverged.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use super::transport::{Transport, TransportError, RESERVED_TAG_BASE};

/// The tag the divergence check's messages travel under.
pub const DIVERGENCE_TAG: u64 = RESERVED_TAG_BASE + 0xd1e;

/// Operations between two checks when nothing else asks for one.
pub const DEFAULT_INTERVAL: u64 = 64;

/// Longest description kept for error messages (the hash covers the whole operation).
const MAX_SUMMARY: usize = 160;

/// FNV-1a over `bytes`, continuing from `state` (start from [`FNV_OFFSET`]). Simple,
/// dependency-free, and identical on every platform, which is all a stream fingerprint
/// needs (collisions only delay detection; nobody forges them).
pub fn fnv1a(mut state: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        state ^= b as u64;
        state = state.wrapping_mul(FNV_PRIME);
    }
    state
}

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// How an operation touches a store, as far as the fingerprint is concerned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    Read,
    Write,
    ReadWrite,
    /// A reduction with the given operator code (e.g. `ReductionOp as u8`).
    Reduce(u8),
}

impl Access {
    fn code(self) -> [u8; 2] {
        match self {
            Access::Read => [1, 0],
            Access::Write => [2, 0],
            Access::ReadWrite => [3, 0],
            Access::Reduce(op) => [4, op],
        }
    }

    fn letter(self) -> String {
        match self {
            Access::Read => "R".into(),
            Access::Write => "W".into(),
            Access::ReadWrite => "RW".into(),
            Access::Reduce(op) => format!("Red{op}"),
        }
    }
}

/// One operation as the divergence check sees it: a canonical byte encoding (hashed)
/// and a short human-readable summary (shown when ranks disagree). Built by the caller
/// with [`OpDescription::new`] and the `store`/`scalar`/`bytes` methods, in the order of
/// the operation's arguments.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OpDescription {
    encoding: Vec<u8>,
    summary: String,
    args: usize,
}

impl OpDescription {
    /// An operation named `name` (a task name such as `binary`, or `fill`, `copy`, ...).
    pub fn new(name: &str) -> OpDescription {
        let mut d = OpDescription { encoding: Vec::with_capacity(64), summary: String::new(), args: 0 };
        d.field(b'N', name.as_bytes());
        d.summary.push_str(name);
        d
    }

    /// A store argument: its storage id, how the operation accesses it, and its shape.
    pub fn store(mut self, storage_id: u64, access: Access, shape: &[i64]) -> OpDescription {
        let mut bytes = Vec::with_capacity(10 + 8 * shape.len());
        bytes.extend_from_slice(&storage_id.to_le_bytes());
        bytes.extend_from_slice(&access.code());
        for e in shape {
            bytes.extend_from_slice(&e.to_le_bytes());
        }
        self.field(b'S', &bytes);
        let dims: Vec<String> = shape.iter().map(i64::to_string).collect();
        self.summarize(format!("s{storage_id}:{}[{}]", access.letter(), dims.join(",")));
        self
    }

    /// A scalar argument, by value.
    pub fn scalar(mut self, value: &[u8]) -> OpDescription {
        self.field(b'V', value);
        self.summarize(format!("scalar({} B)", value.len()));
        self
    }

    /// Anything else that must match across ranks (a partition, a launch shape, ...),
    /// labelled for the summary.
    pub fn bytes(mut self, label: &str, value: &[u8]) -> OpDescription {
        self.field(b'B', label.as_bytes());
        self.field(b'b', value);
        self.summarize(label.to_string());
        self
    }

    /// The operation's fingerprint.
    pub fn hash(&self) -> u64 {
        fnv1a(FNV_OFFSET, &self.encoding)
    }

    /// The short description used in error messages, e.g. `binary(s3:R[4,4], s5:W[4,4])`.
    pub fn summary(&self) -> String {
        if self.args == 0 {
            self.summary.clone()
        } else {
            format!("{})", self.summary)
        }
    }

    /// Length-prefixed so that no two different argument lists encode to the same bytes.
    fn field(&mut self, kind: u8, bytes: &[u8]) {
        self.encoding.push(kind);
        self.encoding.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.encoding.extend_from_slice(bytes);
    }

    fn summarize(&mut self, arg: String) {
        if self.summary.len() >= MAX_SUMMARY {
            return;
        }
        self.summary.push_str(if self.args == 0 { "(" } else { ", " });
        self.args += 1;
        self.summary.push_str(&arg);
        if self.summary.len() >= MAX_SUMMARY {
            self.summary.push('…');
        }
    }
}

/// What each rank issued at the first operation where the ranks disagree.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Divergence {
    /// The 1-based index of the first differing operation, or None when the windows
    /// agree op by op yet the rolling hashes differ (only a hash collision does that).
    pub op_index: Option<u64>,
    /// Ranks grouped by what they issued there, the group holding rank 0 first.
    pub groups: Vec<IssuedOp>,
}

/// One side of a divergence: the ranks that issued the same thing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IssuedOp {
    pub ranks: Vec<usize>,
    /// The operation's summary and hash; None when these ranks had issued fewer
    /// operations when they reached the check.
    pub op: Option<(String, u64)>,
    /// How many operations these ranks had issued at the check.
    pub count: u64,
}

impl fmt::Display for IssuedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ranks: Vec<String> = self.ranks.iter().map(usize::to_string).collect();
        let who = if self.ranks.len() == 1 { "rank" } else { "ranks" };
        write!(f, "{who} {}", ranks.join(", "))?;
        match &self.op {
            Some((summary, hash)) => write!(f, " issued {summary} (hash {hash:#018x})"),
            None => {
                let pronoun = if self.ranks.len() == 1 { "it" } else { "they" };
                write!(f, " issued nothing there ({pronoun} reached the check after {} operations)", self.count)
            }
        }
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((reference, others)) = self.groups.split_first() else {
            return write!(f, "ranks diverged");
        };
        match self.op_index {
            Some(k) => write!(f, "ranks diverged at operation #{k}: ")?,
            None => write!(f, "ranks diverged (their stream hashes differ but no single operation does): ")?,
        }
        for (i, group) in others.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{group}")?;
        }
        write!(f, " while {reference}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivergenceError {
    #[error("{0}")]
    Diverged(Box<Divergence>),
    #[error("divergence check failed: {0}")]
    Transport(#[from] TransportError),
    #[error("divergence check: rank {rank} sent {what}; its operation stream must have diverged earlier")]
    Protocol { rank: usize, what: String },
}

/// One operation since the last agreeing check.
#[derive(Clone, Debug)]
struct RingEntry {
    hash: u64,
    summary: String,
}

/// Phases of one check; each message carries its phase so a misaligned peer is a clear
/// [`DivergenceError::Protocol`] error, not misread bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Totals = 1,
    Window = 2,
    Describe = 3,
}

const MAGIC: [u8; 4] = *b"LGDV";

/// Per-rank divergence detection over a [`Transport`]; see the module docs.
pub struct DivergenceChecker {
    transport: Arc<dyn Transport>,
    interval: u64,
    count: u64,
    rolling: u64,
    /// The operation count at the last check where all ranks agreed.
    verified: u64,
    /// Operations `verified + 1 ..= count`, at most `interval` of them.
    window: VecDeque<RingEntry>,
    /// Checks done so far; equal on all ranks at matching checks.
    round: u64,
    /// Once a check has failed every later call reports the same error.
    failed: Option<DivergenceError>,
}

impl DivergenceChecker {
    /// Checks every [`DEFAULT_INTERVAL`] operations.
    pub fn new(transport: Arc<dyn Transport>) -> DivergenceChecker {
        Self::with_interval(transport, DEFAULT_INTERVAL)
    }

    /// Checks every `interval` (at least 1) operations.
    pub fn with_interval(transport: Arc<dyn Transport>, interval: u64) -> DivergenceChecker {
        DivergenceChecker {
            transport,
            interval: interval.max(1),
            count: 0,
            rolling: FNV_OFFSET,
            verified: 0,
            window: VecDeque::new(),
            round: 0,
            failed: None,
        }
    }

    /// Operations recorded so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The rolling hash of the whole stream so far.
    pub fn rolling_hash(&self) -> u64 {
        self.rolling
    }

    pub fn interval(&self) -> u64 {
        self.interval
    }

    /// Records the next operation this rank issues; every `interval` operations this
    /// runs a check (a round of messages with every other rank).
    pub fn record(&mut self, op: &OpDescription) -> Result<(), DivergenceError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let hash = op.hash();
        self.count += 1;
        self.rolling = fnv1a(self.rolling, &hash.to_le_bytes());
        self.window.push_back(RingEntry { hash, summary: op.summary() });
        if self.count - self.verified >= self.interval {
            self.check()?;
        }
        Ok(())
    }

    /// Checks now (at a fence, a blocking read, the end of the program). Every rank must
    /// call it at the same point of its stream.
    pub fn check(&mut self) -> Result<(), DivergenceError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.run_check();
        // Whatever failed (divergence, a dead peer, a misaligned message), this rank is
        // no longer in step with the others: every later call reports the same error.
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    fn run_check(&mut self) -> Result<(), DivergenceError> {
        self.round += 1;
        let mut totals = Vec::with_capacity(16);
        totals.extend_from_slice(&self.count.to_le_bytes());
        totals.extend_from_slice(&self.rolling.to_le_bytes());
        let totals = self.exchange(Phase::Totals, &totals)?;
        let decoded: Vec<(u64, u64)> = totals.iter().map(|t| (le_u64(&t[0..8]), le_u64(&t[8..16]))).collect();
        if decoded.iter().all(|t| *t == decoded[0]) {
            self.verified = self.count;
            self.window.clear();
            return Ok(());
        }

        // Rolling hashes differ: find the first operation since the last agreement where
        // the windows differ. Every rank sees the same gathered windows, so every rank
        // finds the same operation and they stay in step for the next phase.
        let mut hashes = Vec::with_capacity(8 * self.window.len());
        for entry in &self.window {
            hashes.extend_from_slice(&entry.hash.to_le_bytes());
        }
        let windows = self.exchange(Phase::Window, &hashes)?;
        let windows: Vec<Vec<u64>> = windows.iter().map(|w| w.chunks_exact(8).map(le_u64).collect()).collect();
        let longest = windows.iter().map(Vec::len).max().unwrap_or(0);
        let first = (0..longest).find(|&i| windows.iter().any(|w| w.get(i) != windows[0].get(i)));

        let ranks = windows.len();
        let Some(offset) = first else {
            let groups = group_ranks(ranks, |r| (None, decoded[r].0));
            return Err(DivergenceError::Diverged(Box::new(Divergence { op_index: None, groups })));
        };
        let summary = self.window.get(offset).map(|e| e.summary.clone()).unwrap_or_default();
        let summaries = self.exchange(Phase::Describe, summary.as_bytes())?;
        let groups = group_ranks(ranks, |r| {
            let op = windows[r].get(offset).map(|&h| (String::from_utf8_lossy(&summaries[r]).into_owned(), h));
            (op, decoded[r].0)
        });
        Err(DivergenceError::Diverged(Box::new(Divergence { op_index: Some(self.verified + 1 + offset as u64), groups })))
    }

    /// Sends this rank's `payload` for `phase` to every other rank and gathers theirs,
    /// indexed by rank. Direct messages (n² per check) so that a dead or stuck peer is
    /// named by every rank rather than by a relay.
    fn exchange(&self, phase: Phase, payload: &[u8]) -> Result<Vec<Vec<u8>>, DivergenceError> {
        let t = &*self.transport;
        let (me, n) = (t.rank(), t.size());
        let mut message = Vec::with_capacity(13 + payload.len());
        message.extend_from_slice(&MAGIC);
        message.push(phase as u8);
        message.extend_from_slice(&self.round.to_le_bytes());
        message.extend_from_slice(payload);
        for dst in (0..n).filter(|&r| r != me) {
            t.send(dst, DIVERGENCE_TAG, &message)?;
        }
        let mut parts = Vec::with_capacity(n);
        for src in 0..n {
            if src == me {
                parts.push(payload.to_vec());
                continue;
            }
            let got = t.recv(src, DIVERGENCE_TAG)?;
            let header_ok = got.len() >= 13 && got[0..4] == MAGIC;
            if !header_ok {
                return Err(DivergenceError::Protocol { rank: src, what: "a message that is not a divergence check".into() });
            }
            let (their_phase, their_round) = (got[4], le_u64(&got[5..13]));
            if their_phase != phase as u8 || their_round != self.round {
                return Err(DivergenceError::Protocol {
                    rank: src,
                    what: format!(
                        "phase {their_phase} of check #{their_round} while rank {me} is at phase {} of check #{}",
                        phase as u8, self.round
                    ),
                });
            }
            let body = got[13..].to_vec();
            if phase == Phase::Totals && body.len() != 16 {
                return Err(DivergenceError::Protocol { rank: src, what: format!("{} bytes of totals", body.len()) });
            }
            if phase == Phase::Window && body.len() % 8 != 0 {
                return Err(DivergenceError::Protocol { rank: src, what: format!("{} bytes of hashes", body.len()) });
            }
            parts.push(body);
        }
        Ok(parts)
    }
}

fn le_u64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(b)
}

/// Groups ranks `0..n` by what `issued(rank)` reports, keeping first-seen order so the
/// group holding rank 0 comes first.
fn group_ranks(n: usize, issued: impl Fn(usize) -> (Option<(String, u64)>, u64)) -> Vec<IssuedOp> {
    let mut groups: Vec<IssuedOp> = Vec::new();
    for rank in 0..n {
        let (op, count) = issued(rank);
        // Ranks group by the operation's hash; ranks that issued nothing there group by
        // how far they got.
        let same = |g: &IssuedOp| match (&g.op, &op) {
            (Some((_, a)), Some((_, b))) => a == b,
            (None, None) => g.count == count,
            _ => false,
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.ranks.push(rank),
            None => groups.push(IssuedOp { ranks: vec![rank], op, count }),
        }
    }
    groups
}

impl fmt::Debug for DivergenceChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DivergenceChecker")
            .field("rank", &self.transport.rank())
            .field("interval", &self.interval)
            .field("count", &self.count)
            .field("rolling", &format_args!("{:#018x}", self.rolling))
            .field("verified", &self.verified)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(FNV_OFFSET, b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn descriptions_hash_every_argument() {
        let a = OpDescription::new("binary").store(3, Access::Read, &[4, 4]).store(5, Access::Write, &[4, 4]);
        assert_eq!(a.summary(), "binary(s3:R[4,4], s5:W[4,4])");
        let same = OpDescription::new("binary").store(3, Access::Read, &[4, 4]).store(5, Access::Write, &[4, 4]);
        assert_eq!(a.hash(), same.hash());
        for other in [
            OpDescription::new("unary").store(3, Access::Read, &[4, 4]).store(5, Access::Write, &[4, 4]),
            OpDescription::new("binary").store(4, Access::Read, &[4, 4]).store(5, Access::Write, &[4, 4]),
            OpDescription::new("binary").store(3, Access::ReadWrite, &[4, 4]).store(5, Access::Write, &[4, 4]),
            OpDescription::new("binary").store(3, Access::Read, &[4, 5]).store(5, Access::Write, &[4, 4]),
            OpDescription::new("binary").store(3, Access::Read, &[4, 4]).store(5, Access::Reduce(1), &[4, 4]),
            OpDescription::new("binary").store(3, Access::Read, &[4, 4]),
            OpDescription::new("binary").store(3, Access::Read, &[4, 4]).store(5, Access::Write, &[4, 4]).scalar(&[0]),
        ] {
            assert_ne!(a.hash(), other.hash(), "{}", other.summary());
        }
        // Length prefixes: moving a byte between fields changes the hash.
        assert_ne!(OpDescription::new("ab").scalar(b"c").hash(), OpDescription::new("a").scalar(b"bc").hash());
        assert_eq!(OpDescription::new("fence").summary(), "fence");
        let long = (0..100).fold(OpDescription::new("many"), |d, i| d.store(i, Access::Read, &[1]));
        assert!(long.summary().chars().count() < MAX_SUMMARY + 40, "{}", long.summary());
    }

    #[test]
    fn one_rank_never_diverges() {
        let t: Arc<dyn Transport> = Arc::new(super::super::transport::InProcessTransport::world(1).pop().unwrap());
        let mut c = DivergenceChecker::with_interval(t, 3);
        for i in 0..10 {
            c.record(&OpDescription::new("op").scalar(&[i])).unwrap();
        }
        c.check().unwrap();
        assert_eq!(c.count(), 10);
    }
}
