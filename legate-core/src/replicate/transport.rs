//! Moving bytes between ranks: the one place where control replication talks to other
//! processes.
//!
//! Under control replication every rank computes the same decisions from the same
//! operation stream, so ranks never negotiate; they only ship data (point-to-point, when
//! the latest version of some elements lives on another rank) and combine values
//! (collectives, for futures and scalar reductions). [`Transport`] is that narrow
//! interface. [`InProcessTransport`] runs N ranks as threads of one process, so that
//! sharding, copy planning and divergence detection are tested inside one `cargo test`;
//! an MPI implementation plugs in behind the same trait.
//!
//! Failure is part of the contract: a receive never blocks forever. When the peer it
//! waits for has hung up (its transport was dropped because the rank exited, raised or
//! crashed) it fails at once with [`TransportError::HungUp`]; when the peer is merely
//! silent it fails after the transport's timeout with [`TransportError::Timeout`]. Both
//! name the rank, so a multi-rank program reports *which* rank broke instead of hanging.

use crate::reduction::Reducible;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use legate_abi::ReductionOp;

/// How long a receive waits for a silent peer before it reports that peer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Tags at or above this value are reserved for the runtime's own protocols (such as
/// the divergence check); user data travels below it.
pub const RESERVED_TAG_BASE: u64 = 1 << 63;

/// What went wrong while moving data between ranks. Every variant that involves a peer
/// names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("rank {rank} hung up (it exited, raised or crashed) while rank {me} was {during}")]
    HungUp { me: usize, rank: usize, during: String },
    #[error(
        "rank {me} timed out after {:.1}s {during}: rank {rank} is hung, far behind, or issued a different operation stream",
        waited.as_secs_f64()
    )]
    Timeout { me: usize, rank: usize, during: String, waited: Duration },
    #[error("rank {rank} does not exist: the world has {size} ranks")]
    InvalidRank { rank: usize, size: usize },
    #[error("collective mismatch: rank {rank} called {theirs} while rank {me} called {ours} (the ranks issued different operation streams)")]
    CollectiveMismatch { me: usize, rank: usize, ours: &'static str, theirs: String },
    #[error("rank {rank} sent a malformed message: {what}")]
    Malformed { rank: usize, what: String },
    #[error("{op:?} is not a reduction on {ty}")]
    UnsupportedReduction { op: ReductionOp, ty: &'static str },
    #[error("transport backend error: {0}")]
    Backend(String),
}

pub type Result<T, E = TransportError> = std::result::Result<T, E>;

/// Data movement between the ranks of one replicated program.
///
/// Ordering: two messages from one rank to another with the same tag are received in the
/// order they were sent; messages with different tags are independent. `send` never
/// waits for the matching `recv` (it may buffer), so a rank can send to all its peers
/// before receiving from any of them.
///
/// Collectives (`all_gather`, `broadcast`, `barrier`, the all-reduces) must be called by
/// every rank, in the same order, from one thread of each rank at a time — which control
/// replication gives for free, since every rank issues the same operations.
pub trait Transport: Send + Sync {
    /// This rank's index, in `0..size()`.
    fn rank(&self) -> usize;

    /// The number of ranks.
    fn size(&self) -> usize;

    /// Sends `data` to rank `dst` under `tag`. Sending to oneself is allowed.
    fn send(&self, dst: usize, tag: u64, data: &[u8]) -> Result<()>;

    /// Receives the next message from rank `src` under `tag`, waiting at most the
    /// transport's timeout.
    fn recv(&self, src: usize, tag: u64) -> Result<Vec<u8>>;

    /// The message from `src` with `tag` if it has arrived, without waiting; an error
    /// when `src` hung up and nothing more will come.
    fn try_recv(&self, src: usize, tag: u64) -> Result<Option<Vec<u8>>>;

    /// Every rank's `data`, indexed by rank.
    fn all_gather(&self, data: &[u8]) -> Result<Vec<Vec<u8>>>;

    /// Rank `root`'s `data` on every rank (other ranks' `data` is ignored).
    fn broadcast(&self, root: usize, data: &[u8]) -> Result<Vec<u8>>;

    /// Returns once every rank has called it.
    fn barrier(&self) -> Result<()>;

    /// Folds every rank's `data` with `fold(accumulator, next)`, starting from rank 0's
    /// bytes and going up in rank order. The order is fixed so that every rank gets a
    /// bit-identical result (floating-point sums included) whatever order the messages
    /// arrived in.
    fn all_reduce_bytes(&self, data: &[u8], fold: &mut dyn FnMut(&mut Vec<u8>, &[u8])) -> Result<Vec<u8>> {
        let mut parts = self.all_gather(data)?.into_iter();
        let mut acc = parts.next().unwrap_or_default();
        for part in parts {
            fold(&mut acc, &part);
        }
        Ok(acc)
    }

    /// Combines one `u64` per rank with `op` (every [`ReductionOp`]; `Add` and `Mul` wrap).
    fn all_reduce_u64(&self, value: u64, op: ReductionOp) -> Result<u64> {
        let parts = self.all_gather(&value.to_le_bytes())?;
        let mut values = Vec::with_capacity(parts.len());
        for (rank, part) in parts.iter().enumerate() {
            values.push(u64::from_le_bytes(fixed_bytes(rank, part, "a u64 all-reduce")?));
        }
        Ok(values.into_iter().reduce(|a, b| fold_u64(a, b, op)).unwrap_or(value))
    }

    /// Combines one `f64` per rank with `op` (`Add`, `Mul`, `Min`, `Max`; a NaN on any
    /// rank makes `Min`/`Max` NaN, as NumPy's `min`/`max` do). Summed in rank order.
    fn all_reduce_f64(&self, value: f64, op: ReductionOp) -> Result<f64> {
        if matches!(op, ReductionOp::Or | ReductionOp::And | ReductionOp::Xor) {
            return Err(TransportError::UnsupportedReduction { op, ty: "f64" });
        }
        let parts = self.all_gather(&value.to_le_bytes())?;
        let mut values = Vec::with_capacity(parts.len());
        for (rank, part) in parts.iter().enumerate() {
            values.push(f64::from_le_bytes(fixed_bytes(rank, part, "an f64 all-reduce")?));
        }
        Ok(values.into_iter().reduce(|a, b| fold_f64(a, b, op)).unwrap_or(value))
    }
}

fn fixed_bytes(rank: usize, part: &[u8], what: &str) -> Result<[u8; 8]> {
    part.try_into().map_err(|_| TransportError::Malformed { rank, what: format!("{} bytes in {what}", part.len()) })
}

/// The runtime's own reduction operators (NaN propagates through max/min, as in NumPy).
fn fold_u64(a: u64, b: u64, op: ReductionOp) -> u64 {
    <u64 as Reducible>::apply(op, a, b)
}

fn fold_f64(a: f64, b: f64, op: ReductionOp) -> f64 {
    <f64 as Reducible>::apply(op, a, b)
}

// ---------------------------------------------------------------------------------------
// Collectives over tagged mailboxes (shared by the in-process and MPI transports)
// ---------------------------------------------------------------------------------------

/// What a transport built on per-(source, channel) mailboxes provides; the collectives
/// below are written once on top of it. Building collectives from point-to-point
/// messages (rather than, say, `MPI_Allgather`) is what lets every wait in a collective
/// time out and name the peer it waited for.
pub(crate) trait Mailboxes {
    fn me(&self) -> usize;
    fn ranks(&self) -> usize;
    fn push(&self, dst: usize, channel: Channel, data: Vec<u8>) -> Result<()>;
    fn pop(&self, src: usize, channel: Channel) -> Result<Vec<u8>>;
    /// The next message from `src` on `channel` if it has arrived, without waiting.
    fn poll(&self, src: usize, channel: Channel) -> Result<Option<Vec<u8>>>;
    /// This rank's next collective sequence number.
    fn next_collective(&self) -> u64;

    fn check_rank(&self, rank: usize) -> Result<()> {
        if rank < self.ranks() {
            Ok(())
        } else {
            Err(TransportError::InvalidRank { rank, size: self.ranks() })
        }
    }
}

/// Every mailbox transport is a [`Transport`]: user messages on their own channels,
/// collectives over [`exchange`] and [`broadcast`].
impl<M: Mailboxes + Send + Sync> Transport for M {
    fn rank(&self) -> usize {
        self.me()
    }

    fn size(&self) -> usize {
        self.ranks()
    }

    fn send(&self, dst: usize, tag: u64, data: &[u8]) -> Result<()> {
        self.push(dst, Channel::User(tag), data.to_vec())
    }

    fn recv(&self, src: usize, tag: u64) -> Result<Vec<u8>> {
        self.pop(src, Channel::User(tag))
    }

    fn try_recv(&self, src: usize, tag: u64) -> Result<Option<Vec<u8>>> {
        self.check_rank(src)?;
        self.poll(src, Channel::User(tag))
    }

    fn all_gather(&self, data: &[u8]) -> Result<Vec<Vec<u8>>> {
        exchange(self, Collective::AllGather, data)
    }

    fn broadcast(&self, root: usize, data: &[u8]) -> Result<Vec<u8>> {
        self.check_rank(root)?;
        broadcast(self, root, data)
    }

    fn barrier(&self) -> Result<()> {
        exchange(self, Collective::Barrier, &[]).map(drop)
    }
}

fn with_header(kind: Collective, data: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(data.len() + 1);
    message.push(kind as u8);
    message.extend_from_slice(data);
    message
}

/// Receives rank `src`'s part of the collective on `channel`, checking it is the same
/// collective.
fn pop_collective<M: Mailboxes + ?Sized>(m: &M, src: usize, channel: Channel, kind: Collective) -> Result<Vec<u8>> {
    let mut message = m.pop(src, channel)?;
    if message.first() != Some(&(kind as u8)) {
        return Err(TransportError::CollectiveMismatch {
            me: m.me(),
            rank: src,
            ours: kind.name(),
            theirs: Collective::name_of_byte(message.first()),
        });
    }
    message.remove(0);
    Ok(message)
}

/// Every rank sends to every other and receives from every other: n² messages, but
/// each rank waits on each peer directly, so a dead peer is named by everyone (a tree
/// would report the relay instead).
pub(crate) fn exchange<M: Mailboxes + ?Sized>(m: &M, kind: Collective, data: &[u8]) -> Result<Vec<Vec<u8>>> {
    let channel = Channel::Collective(m.next_collective());
    let (me, n) = (m.me(), m.ranks());
    for dst in (0..n).filter(|&r| r != me) {
        m.push(dst, channel, with_header(kind, data))?;
    }
    let mut parts = Vec::with_capacity(n);
    for src in 0..n {
        parts.push(if src == me { data.to_vec() } else { pop_collective(m, src, channel, kind)? });
    }
    Ok(parts)
}

/// Rank `root` sends its data to every other rank.
pub(crate) fn broadcast<M: Mailboxes + ?Sized>(m: &M, root: usize, data: &[u8]) -> Result<Vec<u8>> {
    let channel = Channel::Collective(m.next_collective());
    if m.me() == root {
        for dst in (0..m.ranks()).filter(|&r| r != root) {
            m.push(dst, channel, with_header(Collective::Broadcast, data))?;
        }
        Ok(data.to_vec())
    } else {
        pop_collective(m, root, channel, Collective::Broadcast)
    }
}

// ---------------------------------------------------------------------------------------
// In-process transport
// ---------------------------------------------------------------------------------------

/// Which stream a message belongs to. Collectives get their own namespace, numbered by
/// the collective's sequence number on the sending rank, so they can never be confused
/// with point-to-point traffic whatever tags the user picks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Channel {
    User(u64),
    Collective(u64),
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::User(tag) => write!(f, "tag {tag}"),
            Channel::Collective(seq) => write!(f, "collective #{seq}"),
        }
    }
}

/// The collectives, as sent in each collective message's first byte so that ranks that
/// call different collectives at the same point get a [`TransportError::CollectiveMismatch`]
/// instead of each other's data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Collective {
    AllGather = 1,
    Broadcast = 2,
    Barrier = 3,
}

impl Collective {
    fn name(self) -> &'static str {
        match self {
            Collective::AllGather => "all_gather",
            Collective::Broadcast => "broadcast",
            Collective::Barrier => "barrier",
        }
    }

    fn name_of_byte(byte: Option<&u8>) -> String {
        match byte {
            Some(1) => "all_gather".into(),
            Some(2) => "broadcast".into(),
            Some(3) => "barrier".into(),
            Some(b) => format!("an unknown collective ({b})"),
            None => "an unknown collective (empty message)".into(),
        }
    }
}

/// One rank's inbox: messages waiting to be received, keyed by (source, channel), and
/// which sources have hung up. Senders push straight into the receiver's inbox and wake
/// it, so a receive waits on exactly one condition variable whatever it waits for.
struct Mailbox {
    state: Mutex<MailboxState>,
    arrived: Condvar,
}

struct MailboxState {
    queues: HashMap<(usize, Channel), VecDeque<Vec<u8>>>,
    /// `hung_up[r]`: rank `r` dropped its transport; nothing more will come from it.
    hung_up: Vec<bool>,
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, MailboxState> {
        // A panic while holding the lock leaves the queues consistent (every critical
        // section is a single push, pop or flag write), so poisoning carries no meaning.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// N ranks as threads of one process (for tests, and for trying multi-rank logic without
/// MPI). Made by [`InProcessTransport::world`]; hand one to each thread.
///
/// Dropping a rank's transport is that rank's death: peers' pending and later receives
/// from it fail at once with [`TransportError::HungUp`] (after they have drained what it
/// sent before dying), and sends to it fail the same way.
pub struct InProcessTransport {
    rank: usize,
    mailboxes: Arc<[Mailbox]>,
    timeout: Duration,
    /// Sequence number of this rank's next collective; equal on every rank at matching
    /// collectives because every rank calls them in the same order.
    collective_seq: AtomicU64,
}

impl InProcessTransport {
    /// `n` connected ranks with the [`DEFAULT_TIMEOUT`]; element `r` is rank `r`.
    pub fn world(n: usize) -> Vec<InProcessTransport> {
        Self::world_with_timeout(n, DEFAULT_TIMEOUT)
    }

    /// `n` connected ranks whose receives give up after `timeout`.
    pub fn world_with_timeout(n: usize, timeout: Duration) -> Vec<InProcessTransport> {
        let mailboxes: Arc<[Mailbox]> = (0..n)
            .map(|_| Mailbox {
                state: Mutex::new(MailboxState { queues: HashMap::new(), hung_up: vec![false; n] }),
                arrived: Condvar::new(),
            })
            .collect();
        (0..n)
            .map(|rank| InProcessTransport {
                rank,
                mailboxes: Arc::clone(&mailboxes),
                timeout,
                collective_seq: AtomicU64::new(0),
            })
            .collect()
    }

    /// How long a receive waits for a silent peer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    fn push(&self, dst: usize, channel: Channel, data: Vec<u8>) -> Result<()> {
        self.check_rank(dst)?;
        let mailbox = &self.mailboxes[dst];
        let mut state = mailbox.lock();
        // A dead rank's own flag is set in its own mailbox when it drops.
        if state.hung_up[dst] {
            return Err(TransportError::HungUp { me: self.rank, rank: dst, during: format!("sending {channel} to it") });
        }
        state.queues.entry((self.rank, channel)).or_default().push_back(data);
        drop(state);
        mailbox.arrived.notify_all();
        Ok(())
    }

    /// The next message from `src` on `channel` in this rank's inbox, if any; an error
    /// once `src` hung up and everything it sent before was taken.
    fn take(&self, state: &mut MailboxState, src: usize, channel: Channel) -> Result<Option<Vec<u8>>> {
        if let Some(queue) = state.queues.get_mut(&(src, channel)) {
            if let Some(data) = queue.pop_front() {
                if queue.is_empty() {
                    // Keeps the map's size bounded by what is in flight.
                    state.queues.remove(&(src, channel));
                }
                return Ok(Some(data));
            }
        }
        // Messages sent before the peer died were drained above; only now is its
        // death the answer.
        if state.hung_up[src] {
            return Err(TransportError::HungUp { me: self.rank, rank: src, during: format!("waiting for {channel} from it") });
        }
        Ok(None)
    }

    fn pop(&self, src: usize, channel: Channel) -> Result<Vec<u8>> {
        self.check_rank(src)?;
        let mailbox = &self.mailboxes[self.rank];
        let deadline = Instant::now() + self.timeout;
        let mut state = mailbox.lock();
        loop {
            if let Some(data) = self.take(&mut state, src, channel)? {
                return Ok(data);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(TransportError::Timeout {
                    me: self.rank,
                    rank: src,
                    during: format!("waiting for {channel} from rank {src}"),
                    waited: self.timeout,
                });
            }
            state = mailbox.arrived.wait_timeout(state, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

impl Mailboxes for InProcessTransport {
    fn me(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.mailboxes.len()
    }

    fn push(&self, dst: usize, channel: Channel, data: Vec<u8>) -> Result<()> {
        InProcessTransport::push(self, dst, channel, data)
    }

    fn pop(&self, src: usize, channel: Channel) -> Result<Vec<u8>> {
        InProcessTransport::pop(self, src, channel)
    }

    fn poll(&self, src: usize, channel: Channel) -> Result<Option<Vec<u8>>> {
        let mut state = self.mailboxes[self.rank].lock();
        self.take(&mut state, src, channel)
    }

    fn next_collective(&self) -> u64 {
        self.collective_seq.fetch_add(1, Ordering::Relaxed)
    }
}

impl Drop for InProcessTransport {
    /// This rank's death: every peer (and this rank's own inbox, so later sends to it
    /// fail) learns it at once and wakes any receive waiting on it.
    fn drop(&mut self) {
        // Own inbox first: once any peer has seen the death, its sends here must fail too.
        let own = std::iter::once(self.rank);
        for r in own.chain((0..self.mailboxes.len()).filter(|&r| r != self.rank)) {
            let mailbox = &self.mailboxes[r];
            mailbox.lock().hung_up[self.rank] = true;
            mailbox.arrived.notify_all();
        }
    }
}

impl fmt::Debug for InProcessTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcessTransport")
            .field("rank", &self.rank)
            .field("size", &self.mailboxes.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rank_talks_to_itself() {
        let t = InProcessTransport::world(1).pop().unwrap();
        t.send(0, 7, b"hi").unwrap();
        assert_eq!(t.recv(0, 7).unwrap(), b"hi");
        assert_eq!(t.all_gather(b"x").unwrap(), vec![b"x".to_vec()]);
        assert_eq!(t.broadcast(0, b"y").unwrap(), b"y");
        t.barrier().unwrap();
        assert_eq!(t.all_reduce_u64(5, ReductionOp::Add).unwrap(), 5);
        assert!(matches!(t.send(1, 0, b""), Err(TransportError::InvalidRank { rank: 1, size: 1 })));
    }

    #[test]
    fn silent_peer_times_out_naming_it() {
        let world = InProcessTransport::world_with_timeout(2, Duration::from_millis(50));
        let err = world[0].recv(1, 3).unwrap_err();
        assert!(matches!(err, TransportError::Timeout { me: 0, rank: 1, .. }), "{err}");
        assert!(err.to_string().contains("rank 1"), "{err}");
    }

    #[test]
    fn messages_sent_before_death_are_delivered_first() {
        let mut world = InProcessTransport::world(2);
        let dead = world.pop().unwrap();
        dead.send(0, 1, b"last words").unwrap();
        drop(dead);
        assert_eq!(world[0].recv(1, 1).unwrap(), b"last words");
        let err = world[0].recv(1, 1).unwrap_err();
        assert_eq!(err, TransportError::HungUp { me: 0, rank: 1, during: "waiting for tag 1 from it".into() });
        assert!(matches!(world[0].send(1, 1, b""), Err(TransportError::HungUp { rank: 1, .. })));
    }

    #[test]
    fn f64_reductions_follow_numpy_on_nan() {
        assert!(fold_f64(1.0, f64::NAN, ReductionOp::Max).is_nan());
        assert!(fold_f64(f64::NAN, 1.0, ReductionOp::Min).is_nan());
        assert_eq!(fold_f64(1.0, 2.0, ReductionOp::Max), 2.0);
        let t = InProcessTransport::world(1).pop().unwrap();
        assert!(matches!(t.all_reduce_f64(1.0, ReductionOp::Xor), Err(TransportError::UnsupportedReduction { .. })));
    }
}
