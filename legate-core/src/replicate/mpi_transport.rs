//! The MPI [`Transport`]: ranks are the processes of `MPI_COMM_WORLD` (feature `mpi`).
//!
//! Everything travels as MPI point-to-point messages under one MPI tag, each carrying
//! its channel (a user tag or a collective's sequence number) in a small header; the
//! receiver sorts arrivals into per-(source, channel) mailboxes. One MPI tag per pair
//! keeps MPI's non-overtaking order for everything a rank sends to another, including
//! the hang-up notice a rank sends when its transport is dropped, which therefore
//! arrives after all its data. Receives poll (`MPI_Improbe`) instead of blocking, so
//! they can give up after the timeout and name the silent rank; collectives are built
//! from the same messages (see `transport::exchange`) so they time out too. Native MPI
//! collectives would be faster for large worlds but cannot time out; they are a later
//! optimisation.
//!
//! Sends are non-blocking (`MPI_Isend`) on a copy of the data, so a rank can send to all
//! its peers before receiving from any (as the collectives do) without the rendezvous
//! protocol of large messages deadlocking; completed sends are reaped on later calls.
//!
//! Run the test with `mpirun --allow-run-as-root --oversubscribe -n 2` (see
//! `legate-core/tests/mpi_transport.rs`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ::mpi::environment::Universe;
use ::mpi::point_to_point::MatchedReceiveVec;
use ::mpi::request::{Request, StaticScope};
use ::mpi::topology::SimpleCommunicator;
use ::mpi::traits::*;
use ::mpi::Threading;

use super::transport::{Channel, Mailboxes, Result, TransportError, DEFAULT_TIMEOUT};

/// The single MPI tag all of this transport's messages use (see the module docs).
const WIRE_TAG: i32 = 17;

/// Header kinds.
const KIND_USER: u8 = 1;
const KIND_COLLECTIVE: u8 = 2;
const KIND_HANG_UP: u8 = 3;

/// An `MPI_Isend` in flight and the leaked copy of the bytes it sends.
struct PendingSend {
    request: Request<'static, [u8], StaticScope>,
    buffer: *mut [u8],
}

struct Inner {
    world: SimpleCommunicator,
    mailboxes: HashMap<(usize, Channel), VecDeque<Vec<u8>>>,
    hung_up: Vec<bool>,
    pending: Vec<PendingSend>,
}

/// The MPI transport; see the module docs. One per process, made by [`MpiTransport::init`].
pub struct MpiTransport {
    rank: usize,
    size: usize,
    timeout: Duration,
    collective_seq: AtomicU64,
    inner: Mutex<Inner>,
    /// Declared after `inner` so that it drops (and finalizes MPI) after the communicator.
    _universe: Universe,
}

// SAFETY: MPI is initialized with `Threading::Serialized` (checked in `init`), and every
// MPI call this type makes happens while holding `inner`'s lock, so calls from different
// threads never overlap; the raw buffer pointers in `pending` are owned by this value.
unsafe impl Send for MpiTransport {}
// SAFETY: as above: all shared state, MPI handles included, is behind the mutex.
unsafe impl Sync for MpiTransport {}

impl MpiTransport {
    /// Initializes MPI (once per process) with the [`DEFAULT_TIMEOUT`].
    pub fn init() -> Result<MpiTransport> {
        Self::init_with_timeout(DEFAULT_TIMEOUT)
    }

    pub fn init_with_timeout(timeout: Duration) -> Result<MpiTransport> {
        let (universe, threading) = ::mpi::initialize_with_threading(Threading::Serialized)
            .ok_or_else(|| TransportError::Backend("MPI is already initialized in this process".into()))?;
        if !matches!(threading, Threading::Serialized | Threading::Multiple) {
            return Err(TransportError::Backend(format!(
                "this MPI library gives only {threading:?} threading; the transport needs Serialized"
            )));
        }
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        Ok(MpiTransport {
            rank,
            size,
            timeout,
            collective_seq: AtomicU64::new(0),
            inner: Mutex::new(Inner { world, mailboxes: HashMap::new(), hung_up: vec![false; size], pending: Vec::new() }),
            _universe: universe,
        })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn encode(kind: u8, id: u64, data: &[u8]) -> Vec<u8> {
        let mut message = Vec::with_capacity(9 + data.len());
        message.push(kind);
        message.extend_from_slice(&id.to_le_bytes());
        message.extend_from_slice(data);
        message
    }

    /// Starts an `MPI_Isend` of `message` to `dst`.
    fn isend(inner: &mut Inner, dst: usize, message: Vec<u8>) {
        let buffer: &'static mut [u8] = Box::leak(message.into_boxed_slice());
        let raw: *mut [u8] = buffer;
        // SAFETY: `raw` points at the leaked allocation just made; the shared borrow
        // given to MPI lives until the request completes, and the allocation is freed
        // only after that (in `reap`) or never.
        let shared: &'static [u8] = unsafe { &*raw };
        let request = inner.world.process_at_rank(dst as i32).immediate_send_with_tag(StaticScope, shared, WIRE_TAG);
        inner.pending.push(PendingSend { request, buffer: raw });
        Self::reap(inner);
    }

    /// Frees the buffers of completed sends.
    fn reap(inner: &mut Inner) {
        let pending = std::mem::take(&mut inner.pending);
        for send in pending {
            match send.request.test() {
                Ok(_) => {
                    // SAFETY: the send completed, so MPI no longer reads the buffer, and
                    // it came from `Box::leak` in `isend`.
                    drop(unsafe { Box::from_raw(send.buffer) });
                }
                Err(request) => inner.pending.push(PendingSend { request, buffer: send.buffer }),
            }
        }
    }

    /// Moves every message that has arrived from `src` into the mailboxes.
    fn drain(inner: &mut Inner, src: usize) -> Result<()> {
        while let Some(probed) = inner.world.process_at_rank(src as i32).immediate_matched_probe_with_tag(WIRE_TAG) {
            let (bytes, _status) = probed.matched_receive_vec::<u8>();
            if bytes.len() < 9 {
                return Err(TransportError::Malformed { rank: src, what: format!("{} bytes, less than a header", bytes.len()) });
            }
            let id = u64::from_le_bytes(bytes[1..9].try_into().unwrap_or_default());
            let channel = match bytes[0] {
                KIND_USER => Channel::User(id),
                KIND_COLLECTIVE => Channel::Collective(id),
                KIND_HANG_UP => {
                    inner.hung_up[src] = true;
                    continue;
                }
                other => return Err(TransportError::Malformed { rank: src, what: format!("message kind {other}") }),
            };
            inner.mailboxes.entry((src, channel)).or_default().push_back(bytes[9..].to_vec());
        }
        Ok(())
    }
}

impl MpiTransport {
    /// The next message from `src` on `channel` if it has arrived (after moving what
    /// arrived into the mailboxes); an error once `src` hung up with nothing left.
    fn poll_now(&self, src: usize, channel: Channel) -> Result<Option<Vec<u8>>> {
        let mut inner = self.lock();
        Self::drain(&mut inner, src)?;
        Self::reap(&mut inner);
        if let Some(queue) = inner.mailboxes.get_mut(&(src, channel)) {
            if let Some(data) = queue.pop_front() {
                if queue.is_empty() {
                    inner.mailboxes.remove(&(src, channel));
                }
                return Ok(Some(data));
            }
        }
        if inner.hung_up[src] {
            return Err(TransportError::HungUp { me: self.rank, rank: src, during: format!("waiting for {channel} from it") });
        }
        Ok(None)
    }
}

impl Mailboxes for MpiTransport {
    fn me(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.size
    }

    fn push(&self, dst: usize, channel: Channel, data: Vec<u8>) -> Result<()> {
        self.check_rank(dst)?;
        let mut inner = self.lock();
        // A peer's hang-up is only known once something from it was drained.
        Self::drain(&mut inner, dst)?;
        if inner.hung_up[dst] {
            return Err(TransportError::HungUp { me: self.rank, rank: dst, during: format!("sending {channel} to it") });
        }
        let (kind, id) = match channel {
            Channel::User(tag) => (KIND_USER, tag),
            Channel::Collective(seq) => (KIND_COLLECTIVE, seq),
        };
        Self::isend(&mut inner, dst, Self::encode(kind, id, &data));
        Ok(())
    }

    fn pop(&self, src: usize, channel: Channel) -> Result<Vec<u8>> {
        self.check_rank(src)?;
        let deadline = Instant::now() + self.timeout;
        let mut backoff = Duration::from_micros(1);
        loop {
            if let Some(data) = self.poll_now(src, channel)? {
                return Ok(data);
            }
            if Instant::now() >= deadline {
                return Err(TransportError::Timeout {
                    me: self.rank,
                    rank: src,
                    during: format!("waiting for {channel} from rank {src}"),
                    waited: self.timeout,
                });
            }
            // Poll without holding the lock, so this rank's other threads can send;
            // back off to a millisecond so a long wait does not burn a core.
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(Duration::from_millis(1));
        }
    }

    fn poll(&self, src: usize, channel: Channel) -> Result<Option<Vec<u8>>> {
        self.poll_now(src, channel)
    }

    fn next_collective(&self) -> u64 {
        self.collective_seq.fetch_add(1, Ordering::Relaxed)
    }
}

impl Drop for MpiTransport {
    /// This rank's death or exit: tell every peer (after all the data already sent, by
    /// MPI's ordering) and give in-flight sends until the timeout to complete.
    fn drop(&mut self) {
        let timeout = self.timeout;
        let mut inner = self.lock();
        for dst in (0..self.size).filter(|&r| r != self.rank) {
            if !inner.hung_up[dst] {
                Self::isend(&mut inner, dst, Self::encode(KIND_HANG_UP, 0, &[]));
            }
        }
        let deadline = Instant::now() + timeout;
        while !inner.pending.is_empty() && Instant::now() < deadline {
            Self::reap(&mut inner);
            std::thread::sleep(Duration::from_micros(200));
        }
        // Sends no peer will ever receive: their buffers leak, and the requests are
        // forgotten (rsmpi refuses to drop an incomplete request).
        for send in inner.pending.drain(..) {
            std::mem::forget(send.request);
        }
        // The fields drop next: the communicator, then the universe (MPI_Finalize).
    }
}
