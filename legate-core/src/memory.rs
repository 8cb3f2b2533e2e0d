//! Memories, their limits, and the buffers (instances) charged to them.
//!
//! Every allocation is charged to a [`Memory`] (system memory is limited by
//! `--sysmem`); going past the limit is an [`crate::LegateError::OutOfMemory`] naming
//! the flag, never a crash. Freed buffers go back to a pool keyed by size, because a
//! fresh large allocation costs a page fault per 4 KiB — more than the elementwise
//! work on it — and large buffers are advised to use transparent huge pages.

use crate::error::LegateError;
use std::alloc::Layout;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Buffers at least this large come from `mmap` and are hugepage-advised.
const LARGE: usize = 1 << 21;
/// Alignment of every buffer (cache line; enough for any element type).
const ALIGN: usize = 64;

/// The kinds of memory the runtime accounts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemoryKind {
    System,
    Framebuffer,
    ZeroCopy,
}

impl MemoryKind {
    /// The driver flag that sets this memory's size.
    pub fn flag(&self) -> &'static str {
        match self {
            MemoryKind::System => "--sysmem",
            MemoryKind::Framebuffer => "--fbmem",
            MemoryKind::ZeroCopy => "--zcmem",
        }
    }
}

/// Memory usage numbers for `--mem-usage` and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUsage {
    pub limit: u64,
    pub used: u64,
    pub peak: u64,
    pub pooled: u64,
}

/// One memory with a byte limit and a pool of free buffers.
pub struct Memory {
    kind: MemoryKind,
    limit: u64,
    used: AtomicU64,
    peak: AtomicU64,
    pool: Mutex<Pool>,
    /// Bytes of spare buffers (see [`Buffer::set_spare`]): charged to the limit like
    /// live data (they are), reported as pooled.
    spare: AtomicU64,
    /// Injected faults (tests): allocations still to succeed before failures start
    /// (0: none planned), and how many then fail.
    fail_in: AtomicU64,
    fail_count: AtomicU64,
}

/// Free buffers by size class, each stamped when it was freed; the pool evicts the
/// least recently freed when it is full, so a program moving on to arrays of another
/// size keeps its new working set pooled rather than the old one.
#[derive(Default)]
struct Pool {
    free: BTreeMap<usize, VecDeque<(u64, RawBuffer)>>,
    bytes: u64,
    clock: u64,
    /// Evicted buffers, freed by the caller after it lets go of the lock.
    evicted: Vec<RawBuffer>,
}

impl Pool {
    fn take(&mut self, class: usize) -> Option<RawBuffer> {
        let (_, raw) = self.free.get_mut(&class)?.pop_back()?;
        self.bytes -= raw.size as u64;
        Some(raw)
    }

    /// Keeps `raw`, then evicts the oldest buffers until the pool fits in `cap`.
    fn keep(&mut self, raw: RawBuffer, cap: u64) {
        self.clock += 1;
        self.bytes += raw.size as u64;
        self.free.entry(raw.size).or_default().push_back((self.clock, raw));
        self.evict_to(cap);
    }

    /// Evicts the least recently freed buffers until the pool holds at most `cap` bytes.
    fn evict_to(&mut self, cap: u64) {
        while self.bytes > cap {
            let Some(class) = self.free.iter().filter_map(|(c, v)| v.front().map(|(t, _)| (*t, *c))).min().map(|(_, c)| c) else { break };
            let list = self.free.get_mut(&class).expect("a class with buffers");
            let (_, old) = list.pop_front().expect("a buffer");
            if list.is_empty() {
                self.free.remove(&class);
            }
            self.bytes -= old.size as u64;
            self.evicted.push(old);
        }
    }
}

/// An allocation that knows how it was made.
struct RawBuffer {
    ptr: *mut u8,
    size: usize,
}

// SAFETY: a RawBuffer is exclusively owned memory; moving it across threads is fine.
unsafe impl Send for RawBuffer {}

impl RawBuffer {
    fn allocate(size: usize) -> Option<RawBuffer> {
        if size >= LARGE {
            // SAFETY: anonymous private mapping; checked for MAP_FAILED below.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    size,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            if ptr == libc::MAP_FAILED {
                return None;
            }
            // SAFETY: advice on a mapping we own; failure is harmless.
            unsafe { libc::madvise(ptr, size, libc::MADV_HUGEPAGE) };
            Some(RawBuffer { ptr: ptr as *mut u8, size })
        } else {
            let layout = Layout::from_size_align(size.max(1), ALIGN).ok()?;
            // SAFETY: non-zero size; zeroed so every byte is initialized.
            let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
            (!ptr.is_null()).then_some(RawBuffer { ptr, size })
        }
    }
}

impl Drop for RawBuffer {
    fn drop(&mut self) {
        if self.size >= LARGE {
            // SAFETY: this mapping was created by `allocate` with this size.
            unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.size) };
        } else {
            // SAFETY: allocated by `allocate` with this layout.
            unsafe { std::alloc::dealloc(self.ptr, Layout::from_size_align_unchecked(self.size.max(1), ALIGN)) };
        }
    }
}

/// Sizes are rounded up to a class so freed buffers are reusable by similar requests:
/// 1/8 steps between powers of two.
fn size_class(bytes: usize) -> usize {
    if bytes <= 256 {
        return bytes.max(1).next_multiple_of(64);
    }
    let top = usize::BITS - 1 - bytes.leading_zeros();
    let step = 1usize << (top.saturating_sub(3));
    bytes.next_multiple_of(step)
}

impl Memory {
    pub fn new(kind: MemoryKind, limit_bytes: u64) -> Arc<Memory> {
        Arc::new(Memory {
            kind,
            limit: limit_bytes,
            used: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            pool: Mutex::default(),
            spare: AtomicU64::new(0),
            fail_in: AtomicU64::new(0),
            fail_count: AtomicU64::new(0),
        })
    }

    pub fn kind(&self) -> MemoryKind {
        self.kind
    }

    pub fn usage(&self) -> MemoryUsage {
        let spare = self.spare.load(Ordering::Relaxed);
        MemoryUsage {
            limit: self.limit,
            used: self.used.load(Ordering::Relaxed).saturating_sub(spare),
            peak: self.peak.load(Ordering::Relaxed),
            pooled: self.pool.lock().map(|p| p.bytes).unwrap_or(0) + spare,
        }
    }

    /// Largest amount the pool may keep: half the limit, at most 4 GiB (the original
    /// reserves all of `--sysmem` up front; this keeps a working set of temporaries).
    fn pool_cap(&self) -> u64 {
        (self.limit / 2).min(4 << 30)
    }

    /// Makes allocations fail (tests of failure handling): after `n - 1` more succeed,
    /// the next `count` fail. `n == 0` turns this off.
    pub fn fail_allocations(&self, n: u64, count: u64) {
        self.fail_count.store(count, Ordering::SeqCst);
        self.fail_in.store(n, Ordering::SeqCst);
    }

    /// Whether an injected failure hits this allocation.
    fn injected_failure(&self) -> bool {
        if self.fail_in.load(Ordering::Relaxed) == 0 {
            return false;
        }
        match self.fail_in.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n > 1).then(|| n - 1)) {
            Ok(_) => false,
            // The countdown is at 1: this one fails, as do the next `count - 1`.
            Err(_) => {
                let left = self.fail_count.fetch_sub(1, Ordering::SeqCst);
                if left <= 1 {
                    self.fail_in.store(0, Ordering::SeqCst);
                }
                left >= 1
            }
        }
    }

    fn out_of_memory(&self, bytes: usize, used: u64) -> LegateError {
        LegateError::OutOfMemory { kind: self.kind, requested: bytes as u64, used, limit: self.limit, flag: self.kind.flag() }
    }

    /// Allocates `bytes` (initialized memory), charged to this memory. Pooled buffers
    /// count against the limit too: a fresh allocation that would pass it with them
    /// frees pooled buffers first.
    pub fn allocate(self: &Arc<Memory>, bytes: usize) -> Result<Buffer, LegateError> {
        if bytes == 0 {
            return Ok(self.empty_buffer());
        }
        if self.injected_failure() {
            return Err(self.out_of_memory(bytes, self.used.load(Ordering::Relaxed)));
        }
        let class = size_class(bytes);
        let charge = class as u64;
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            if used.saturating_add(charge) > self.limit {
                return Err(self.out_of_memory(bytes, used));
            }
            match self.used.compare_exchange_weak(used, used + charge, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => break,
                Err(now) => used = now,
            }
        }
        self.peak.fetch_max(used + charge, Ordering::Relaxed);
        let (reused, evicted) = {
            let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            let reused = pool.take(class);
            if reused.is_none() {
                // Room for a fresh buffer: live data and the pool together stay within the limit.
                let room = self.limit.saturating_sub(self.used.load(Ordering::Relaxed));
                pool.evict_to(room);
            }
            (reused, std::mem::take(&mut pool.evicted))
        };
        drop(evicted);
        let raw = match reused.or_else(|| RawBuffer::allocate(class)) {
            Some(raw) => raw,
            None => {
                // The system refused: drop the pool and try once more.
                self.trim_pool();
                match RawBuffer::allocate(class) {
                    Some(raw) => raw,
                    None => {
                        self.used.fetch_sub(charge, Ordering::AcqRel);
                        return Err(self.out_of_memory(bytes, used));
                    }
                }
            }
        };
        Ok(Buffer { raw: Some(raw), foreign: None, len: bytes, spare: false, memory: self.clone() })
    }

    /// A zero-byte buffer (no allocation, nothing charged).
    pub fn empty_buffer(self: &Arc<Memory>) -> Buffer {
        Buffer { raw: None, foreign: None, len: 0, spare: false, memory: self.clone() }
    }

    /// A buffer over `len` bytes at `ptr` that the runtime did not allocate (Legate's
    /// attach): not charged to this memory (its producer owns it) and never pooled.
    /// `owner` keeps the bytes alive and is dropped with the buffer.
    ///
    /// # Safety
    /// The bytes must stay valid while `owner` lives, and writable if any store over
    /// them is.
    pub unsafe fn foreign_buffer(self: &Arc<Memory>, ptr: *mut u8, len: usize, owner: Box<dyn std::any::Any + Send + Sync>) -> Buffer {
        Buffer { raw: None, foreign: Some(Foreign { ptr, _owner: owner }), len, spare: false, memory: self.clone() }
    }

    /// Frees every pooled buffer.
    pub fn trim_pool(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        pool.free.clear();
        pool.bytes = 0;
    }

    fn release(&self, raw: RawBuffer) {
        let size = raw.size as u64;
        let used = self.used.fetch_sub(size, Ordering::AcqRel) - size;
        let cap = self.pool_cap().min(self.limit.saturating_sub(used));
        // Buffers are unmapped outside the lock (munmap of a large one takes a while).
        let evicted = {
            let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            pool.keep(raw, cap);
            std::mem::take(&mut pool.evicted)
        };
        drop(evicted);
    }
}

/// An instance's bytes. Returned to its memory's pool when dropped (foreign bytes are
/// let go of instead).
pub struct Buffer {
    raw: Option<RawBuffer>,
    foreign: Option<Foreign>,
    len: usize,
    /// Kept with a dead store's record for a new store (see [`Buffer::set_spare`]).
    spare: bool,
    memory: Arc<Memory>,
}

/// Bytes another library owns, and what keeps them alive.
struct Foreign {
    ptr: *mut u8,
    _owner: Box<dyn std::any::Any + Send + Sync>,
}

impl Buffer {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_ptr(&self) -> *mut u8 {
        match (&self.raw, &self.foreign) {
            (Some(r), _) => r.ptr,
            (None, Some(f)) => f.ptr,
            (None, None) => std::ptr::null_mut(),
        }
    }

    /// Marks an allocated buffer as kept for reuse with its store's record (a spare
    /// store, see [`crate::store::SpareStore`]: free memory, as a pooled buffer is,
    /// but still charged to the limit), or as live again.
    pub(crate) fn set_spare(&mut self, spare: bool) {
        let Some(raw) = &self.raw else { return };
        if spare != self.spare {
            self.spare = spare;
            if spare {
                self.memory.spare.fetch_add(raw.size as u64, Ordering::Relaxed);
            } else {
                self.memory.spare.fetch_sub(raw.size as u64, Ordering::Relaxed);
            }
        }
    }

    /// Whether the bytes belong to another library (see [`Memory::foreign_buffer`]).
    pub fn is_foreign(&self) -> bool {
        self.foreign.is_some()
    }

    /// # Safety
    /// No task may be writing the buffer (the caller waited for its writers).
    pub unsafe fn as_slice(&self) -> &[u8] {
        // An empty buffer has a null pointer, which no slice may have.
        std::slice::from_raw_parts(if self.len == 0 { std::ptr::NonNull::dangling().as_ptr() } else { self.as_ptr() }, self.len)
    }

    /// # Safety
    /// No task may be accessing the buffer.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn as_mut_slice(&self) -> &mut [u8] {
        std::slice::from_raw_parts_mut(if self.len == 0 { std::ptr::NonNull::dangling().as_ptr() } else { self.as_ptr() }, self.len)
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if let Some(raw) = self.raw.take() {
            if self.spare {
                self.memory.spare.fetch_sub(raw.size as u64, Ordering::Relaxed);
            }
            self.memory.release(raw);
        }
    }
}

// SAFETY: the buffer's memory is shared between tasks only as the scheduler allows.
unsafe impl Send for Buffer {}
unsafe impl Sync for Buffer {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_enforced_and_freed_memory_returns() {
        let mem = Memory::new(MemoryKind::System, 10 << 20);
        let a = mem.allocate(6 << 20).unwrap();
        let err = mem.allocate(6 << 20).err().unwrap();
        assert!(err.to_string().contains("--sysmem"), "{err}");
        drop(a);
        let b = mem.allocate(6 << 20).unwrap();
        assert_eq!(mem.usage().used, size_class(6 << 20) as u64);
        drop(b);
        assert_eq!(mem.usage().used, 0);
    }

    #[test]
    fn pooled_buffers_count_against_the_limit() {
        // 10 MiB limit: a pooled 4 MiB buffer is freed to make room for a 7 MiB one.
        let mem = Memory::new(MemoryKind::System, 10 << 20);
        drop(mem.allocate(4 << 20).unwrap());
        assert_eq!(mem.usage().pooled, 4 << 20);
        let big = mem.allocate(7 << 20).unwrap();
        let u = mem.usage();
        assert!(u.used + u.pooled <= 10 << 20, "{u:?}");
        drop(big);
        let u = mem.usage();
        assert!(u.used + u.pooled <= 10 << 20, "{u:?}");
    }

    #[test]
    fn injected_allocation_failures_hit_the_chosen_allocations() {
        let mem = Memory::new(MemoryKind::System, 1 << 30);
        mem.fail_allocations(2, 2);
        assert!(mem.allocate(100).is_ok());
        assert!(mem.allocate(100).is_err());
        assert!(mem.allocate(100).is_err());
        assert!(mem.allocate(100).is_ok());
        assert_eq!(mem.usage().used, 0);
    }

    #[test]
    fn foreign_buffers_are_not_charged_and_let_go_of_their_owner() {
        let mem = Memory::new(MemoryKind::System, 1 << 20);
        let mut bytes = vec![7u8; 100];
        let owner = Arc::new(());
        // SAFETY: `bytes` outlives the buffer.
        let b = unsafe { mem.foreign_buffer(bytes.as_mut_ptr(), 100, Box::new(owner.clone())) };
        assert_eq!(b.as_ptr(), bytes.as_mut_ptr());
        assert!(b.is_foreign() && b.len() == 100);
        assert_eq!(mem.usage().used, 0);
        assert_eq!(Arc::strong_count(&owner), 2);
        drop(b);
        assert_eq!(Arc::strong_count(&owner), 1);
        assert_eq!(mem.usage(), MemoryUsage { limit: 1 << 20, used: 0, peak: 0, pooled: 0 });
    }

    #[test]
    fn pooled_buffers_are_reused() {
        let mem = Memory::new(MemoryKind::System, 1 << 30);
        let a = mem.allocate(3 << 20).unwrap();
        let p = a.as_ptr();
        drop(a);
        let b = mem.allocate(3 << 20).unwrap();
        assert_eq!(b.as_ptr(), p);
        assert!(size_class(1000) >= 1000 && size_class(1000) < 1200);
    }

    #[test]
    fn a_full_pool_keeps_the_recently_freed_working_set() {
        // Cap: half of 16 MiB. Four 2 MiB buffers fill it; freeing four 3 MiB ones
        // evicts the oldest 2 MiB ones instead of refusing the new size.
        let mem = Memory::new(MemoryKind::System, 16 << 20);
        let old: Vec<_> = (0..4).map(|_| mem.allocate(2 << 20).unwrap()).collect();
        drop(old);
        assert_eq!(mem.usage().pooled, 8 << 20);
        let new: Vec<_> = (0..2).map(|_| mem.allocate(3 << 20).unwrap()).collect();
        let ptrs: Vec<_> = new.iter().map(|b| b.as_ptr()).collect();
        drop(new);
        assert!(mem.usage().pooled <= 8 << 20);
        let again: Vec<_> = (0..2).map(|_| mem.allocate(3 << 20).unwrap()).collect();
        let mut got: Vec<_> = again.iter().map(|b| b.as_ptr()).collect();
        let mut want = ptrs.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "the 3 MiB buffers were pooled and reused");
    }
}
