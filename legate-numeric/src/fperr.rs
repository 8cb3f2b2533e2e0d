//! Floating-point errors (NumPy's `divide by zero encountered in divide` and friends).
//!
//! A kernel that can raise them runs inside [`watch`]: the processor's sticky
//! floating-point status flags are cleared before it and read after it, and what it
//! raised is queued here as an [`FpEvent`] (the operation's NumPy name and the flags).
//! The Python layer drains the queue after it launches an operation ([`pending`] is one
//! atomic load) and warns, raises or ignores as `numpy.errstate` says. Tasks run inline
//! on the launching thread report at once; tasks run by the processors report when the
//! Python layer next launches or reads something.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// NumPy's flag bits (`numpy.geterr` names): divide by zero, overflow, underflow, invalid.
pub const DIVIDE: u32 = 1;
pub const OVERFLOW: u32 = 2;
pub const UNDERFLOW: u32 = 4;
pub const INVALID: u32 = 8;

/// What one point of an operation raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FpEvent {
    pub name: &'static str,
    pub flags: u32,
}

static PENDING: AtomicBool = AtomicBool::new(false);
static EVENTS: Mutex<Vec<FpEvent>> = Mutex::new(Vec::new());
/// On several ranks, only events every rank agreed on are reported (see [`Agreement`]);
/// kernels' own events wait in `EVENTS` for the next agreement.
static REPLICATED: AtomicBool = AtomicBool::new(false);
static AGREED: Mutex<Vec<FpEvent>> = Mutex::new(Vec::new());

/// Whether events are waiting to be reported.
#[inline]
pub fn pending() -> bool {
    PENDING.load(Ordering::Relaxed)
}

/// The events raised since the last call, each (name, flags) once.
pub fn take() -> Vec<FpEvent> {
    let queue = if REPLICATED.load(Ordering::Relaxed) { &AGREED } else { &EVENTS };
    let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
    PENDING.store(false, Ordering::Relaxed);
    std::mem::take(&mut *q)
}

/// Puts events [`take`] returned back in front of the queue, to be reported again:
/// for a consumer that may swallow the exception their report raised (NumPy's
/// `asarray` clears a failed buffer request's error and asks `__array__` next).
pub fn requeue(events: Vec<FpEvent>) {
    if events.is_empty() {
        return;
    }
    let queue = if REPLICATED.load(Ordering::Relaxed) { &AGREED } else { &EVENTS };
    let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
    let later = std::mem::replace(&mut *q, events);
    for e in later {
        push(&mut q, e.name, e.flags);
    }
    PENDING.store(true, Ordering::Relaxed);
}

fn push(q: &mut Vec<FpEvent>, name: &'static str, flags: u32) {
    match q.iter_mut().find(|e| e.name == name) {
        Some(e) => e.flags |= flags,
        None => q.push(FpEvent { name, flags }),
    }
}

/// Queues `flags` raised by operation `name` (nothing when empty).
pub fn record(name: &'static str, flags: u32) {
    if flags == 0 {
        return;
    }
    push(&mut EVENTS.lock().unwrap_or_else(|e| e.into_inner()), name, flags);
    // On several ranks, events wait for the next agreement (even those of a task every
    // rank runs: whether it ran yet when the program next looks depends on timing).
    if !REPLICATED.load(Ordering::Relaxed) {
        PENDING.store(true, Ordering::Relaxed);
    }
}

/// Replicated runs: the points that raise floating-point errors ran on some ranks
/// only, so ranks exchange their events at every blocking wait and all report the
/// union (a warning or an `errstate` exception on every rank alike).
pub struct Agreement;

impl Agreement {
    /// Switches reporting to agreed events (call once, on a run with several ranks).
    pub fn install(rt: &legate_core::Runtime) {
        REPLICATED.store(true, Ordering::Relaxed);
        rt.add_agreement_hook(std::sync::Arc::new(Agreement));
    }
}

/// The `&'static` name an event from another rank carries (names are few: leaked once).
fn intern(name: &str) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.iter().find(|n| **n == name) {
        return n;
    }
    let n: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(n);
    n
}

impl legate_core::distribute::AgreementHook for Agreement {
    fn local(&self) -> Vec<u8> {
        let events = std::mem::take(&mut *EVENTS.lock().unwrap_or_else(|e| e.into_inner()));
        let mut out = Vec::new();
        for e in events {
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(e.name.as_bytes());
            out.push(0);
        }
        out
    }

    fn merge(&self, parts: &[Vec<u8>]) {
        let mut agreed = AGREED.lock().unwrap_or_else(|e| e.into_inner());
        for p in parts {
            let mut at = 0;
            while at + 4 < p.len() {
                let flags = u32::from_le_bytes(p[at..at + 4].try_into().expect("4 bytes"));
                let end = p[at + 4..].iter().position(|&b| b == 0).map_or(p.len(), |k| at + 4 + k);
                push(&mut agreed, intern(&String::from_utf8_lossy(&p[at + 4..end])), flags);
                at = end + 1;
            }
        }
        if !agreed.is_empty() {
            PENDING.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod status {
    // MXCSR's sticky exception flags: invalid, denormal, divide, overflow, underflow, precision.
    const IE: u32 = 0x01;
    const ZE: u32 = 0x04;
    const OE: u32 = 0x08;
    const UE: u32 = 0x10;
    const ALL: u32 = 0x3f;

    fn read() -> u32 {
        let mut csr: u32 = 0;
        // SAFETY: stmxcsr stores the thread's SSE control/status register in `csr`.
        unsafe { core::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags)) };
        csr
    }

    fn write(csr: u32) {
        // SAFETY: only the sticky status bits change (the control bits are written back
        // as read), which affects no rounding or masking.
        unsafe { core::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, preserves_flags)) };
    }

    pub fn clear() {
        write(read() & !ALL);
    }

    /// The flags raised since `clear`, as NumPy's bits.
    pub fn raised() -> u32 {
        let csr = read();
        let mut flags = 0;
        if csr & ZE != 0 {
            flags |= super::DIVIDE;
        }
        if csr & OE != 0 {
            flags |= super::OVERFLOW;
        }
        if csr & UE != 0 {
            flags |= super::UNDERFLOW;
        }
        if csr & IE != 0 {
            flags |= super::INVALID;
        }
        flags
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod status {
    pub fn clear() {}
    pub fn raised() -> u32 {
        0
    }
}

/// Replaces the flags raised so far on this thread by `flags` (NumPy's bits): for
/// kernels that know better than the hardware what they raised (a vectorized `log`
/// returns -inf for 0 without dividing, and its NaN checks raise `invalid`).
pub fn replace_raised(flags: u32) {
    use std::hint::black_box;
    status::clear();
    if flags & DIVIDE != 0 {
        black_box(black_box(1.0f64) / black_box(0.0f64));
    }
    if flags & INVALID != 0 {
        black_box(black_box(0.0f64) / black_box(0.0f64));
    }
    if flags & OVERFLOW != 0 {
        black_box(black_box(f64::MAX) * black_box(2.0f64));
    }
    if flags & UNDERFLOW != 0 {
        black_box(black_box(f64::MIN_POSITIVE) * black_box(1e-10f64));
    }
}

/// Runs `kernel` and queues the floating-point errors it raised under `name`.
pub fn watch<R>(name: &'static str, kernel: impl FnOnce() -> R) -> R {
    status::clear();
    let r = kernel();
    record(name, status::raised());
    r
}
