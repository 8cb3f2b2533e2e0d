//! One rank's place in a replicated program: its rank, the transport to the others,
//! the counters of bytes moved, and the receiver thread.
//!
//! Processor threads never wait for a message: a node that needs one is *held* (see
//! [`TaskNode::hold`]) and the receiver thread, which polls the transport for every
//! expected message, releases it when the message arrives (or when the sender is found
//! dead or silent, with the error in the slot). Sends never wait either (the transport
//! buffers them). So however few processors a rank has, communication cannot deadlock
//! the graph: a node runs only once its data is here.

use super::transport::{Transport, TransportError, DEFAULT_TIMEOUT};
use crate::coherence::Stats;
use crate::executor::{Releaser, TaskNode};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Where an expected message lands: its bytes, or why it will never come.
pub type Slot = Mutex<Option<Result<Vec<u8>, String>>>;

/// Messages of one operation are tagged `op_id << OP_SHIFT | k`, k < 2^OP_SHIFT.
const OP_SHIFT: u32 = 20;

/// The tag of message `k` of operation `op_id` (the same on every rank).
pub fn tag(op_id: u64, k: u64) -> u64 {
    debug_assert!(k < 1 << OP_SHIFT);
    (op_id << OP_SHIFT) | k
}

struct Expect {
    src: usize,
    tag: u64,
    slot: Arc<Slot>,
    node: Arc<TaskNode>,
    since: Instant,
}

struct ReceiverState {
    new: Mutex<Vec<Expect>>,
    wake: Condvar,
    stop: AtomicBool,
}

#[derive(Default)]
struct Counters {
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    messages_sent: AtomicU64,
    bytes_copied_locally: AtomicU64,
}

/// This rank's view of the world (one rank and no transport when not replicated).
pub struct World {
    rank: usize,
    size: usize,
    transport: RwLock<Option<Arc<dyn Transport>>>,
    counters: Counters,
    receiver: Option<Arc<ReceiverState>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    timeout: Duration,
}

impl World {
    /// A world of one rank: nothing is ever sent.
    pub fn single() -> World {
        World {
            rank: 0,
            size: 1,
            transport: RwLock::new(None),
            counters: Counters::default(),
            receiver: None,
            thread: Mutex::new(None),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// This rank of `transport`'s world; `releaser` releases nodes held for messages.
    pub fn new(transport: Arc<dyn Transport>, releaser: Releaser, timeout: Duration) -> World {
        let (rank, size) = (transport.rank(), transport.size());
        if size == 1 {
            let w = World::single();
            *w.transport.write().unwrap_or_else(|e| e.into_inner()) = Some(transport);
            return w;
        }
        let state = Arc::new(ReceiverState { new: Mutex::new(Vec::new()), wake: Condvar::new(), stop: AtomicBool::new(false) });
        let thread = {
            let (state, transport) = (state.clone(), transport.clone());
            std::thread::Builder::new()
                .name(format!("legate-receiver-{rank}"))
                .spawn(move || receive_loop(state, transport, releaser, timeout))
                .expect("cannot start the receiver thread")
        };
        World {
            rank,
            size,
            transport: RwLock::new(Some(transport)),
            counters: Counters::default(),
            receiver: Some(state),
            thread: Mutex::new(Some(thread)),
            timeout,
        }
    }

    pub fn rank(&self) -> usize {
        self.rank
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the program runs on several ranks.
    pub fn replicated(&self) -> bool {
        self.size > 1
    }

    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            bytes_sent: c.bytes_sent.load(Ordering::Relaxed),
            bytes_received: c.bytes_received.load(Ordering::Relaxed),
            messages_sent: c.messages_sent.load(Ordering::Relaxed),
            bytes_copied_locally: c.bytes_copied_locally.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_local_copy(&self, bytes: u64) {
        self.counters.bytes_copied_locally.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn count_received(&self, bytes: u64) {
        self.counters.bytes_received.fetch_add(bytes, Ordering::Relaxed);
    }

    fn transport(&self) -> Result<Arc<dyn Transport>, String> {
        self.transport.read().unwrap_or_else(|e| e.into_inner()).clone().ok_or_else(|| "the runtime has shut down".to_string())
    }

    /// Sends `data` to rank `dst` (never waits for the receiver).
    pub fn send(&self, dst: usize, tag: u64, data: &[u8]) -> Result<(), String> {
        self.transport()?.send(dst, tag, data).map_err(|e| e.to_string())?;
        self.counters.bytes_sent.fetch_add(data.len() as u64, Ordering::Relaxed);
        self.counters.messages_sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Waits for the message from `src` with `tag` (a task's communicator; the
    /// transport's timeout bounds the wait).
    pub fn recv_blocking(&self, src: usize, tag: u64) -> Result<Vec<u8>, String> {
        let data = self.transport()?.recv(src, tag).map_err(|e| e.to_string())?;
        self.counters.bytes_received.fetch_add(data.len() as u64, Ordering::Relaxed);
        Ok(data)
    }

    /// Holds `node` until the message from `src` with `tag` arrives; it lands in the
    /// returned slot.
    pub fn expect(&self, src: usize, tag: u64, node: &Arc<TaskNode>) -> Arc<Slot> {
        let slot = Arc::new(Slot::new(None));
        let state = self.receiver.as_ref().expect("messages are only expected on several ranks");
        node.hold();
        state.new.lock().unwrap_or_else(|e| e.into_inner()).push(Expect { src, tag, slot: slot.clone(), node: node.clone(), since: Instant::now() });
        state.wake.notify_one();
        slot
    }

    /// Blocking: sends `data` to every other rank and returns every rank's data in rank
    /// order (the program's thread only, e.g. to agree on an error).
    pub fn exchange(&self, tag: u64, data: &[u8]) -> Result<Vec<Vec<u8>>, TransportError> {
        let t = self.transport().map_err(TransportError::Backend)?;
        for dst in (0..self.size).filter(|&r| r != self.rank) {
            t.send(dst, tag, data)?;
        }
        (0..self.size).map(|src| if src == self.rank { Ok(data.to_vec()) } else { t.recv(src, tag) }).collect()
    }

    /// How long a rank waits for a silent peer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Stops the receiver and drops the transport (which, for MPI, finalizes it):
    /// after the last operation, at exit.
    pub fn shutdown(&self) {
        if let Some(state) = &self.receiver {
            state.stop.store(true, Ordering::SeqCst);
            state.wake.notify_all();
        }
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
        let transport = self.transport.write().unwrap_or_else(|e| e.into_inner()).take();
        drop(transport);
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The receiver thread: polls for every expected message and releases its node.
fn receive_loop(state: Arc<ReceiverState>, transport: Arc<dyn Transport>, releaser: Releaser, timeout: Duration) {
    let mut waiting: Vec<Expect> = Vec::new();
    let mut idle = Duration::from_micros(2);
    loop {
        {
            let mut new = state.new.lock().unwrap_or_else(|e| e.into_inner());
            if waiting.is_empty() && new.is_empty() {
                if state.stop.load(Ordering::SeqCst) {
                    return;
                }
                new = state.wake.wait_timeout(new, Duration::from_millis(50)).unwrap_or_else(|e| e.into_inner()).0;
            }
            waiting.append(&mut new);
        }
        let mut progress = false;
        let mut i = 0;
        while i < waiting.len() {
            let e = &waiting[i];
            let outcome = match transport.try_recv(e.src, e.tag) {
                Ok(Some(data)) => Some(Ok(data)),
                Ok(None) if e.since.elapsed() > timeout => Some(Err(TransportError::Timeout {
                    me: transport.rank(),
                    rank: e.src,
                    during: format!("waiting for data from rank {}", e.src),
                    waited: timeout,
                }
                .to_string())),
                Ok(None) => None,
                Err(err) => Some(Err(err.to_string())),
            };
            match outcome {
                Some(result) => {
                    let e = waiting.swap_remove(i);
                    *e.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                    releaser.release(e.node);
                    progress = true;
                }
                None => i += 1,
            }
        }
        if state.stop.load(Ordering::SeqCst) && waiting.is_empty() {
            return;
        }
        if progress {
            idle = Duration::from_micros(2);
        } else if !waiting.is_empty() {
            std::thread::sleep(idle);
            idle = (idle * 2).min(Duration::from_micros(500));
        }
    }
}
