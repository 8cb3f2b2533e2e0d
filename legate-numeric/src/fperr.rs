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

/// Whether events are waiting to be reported.
#[inline]
pub fn pending() -> bool {
    PENDING.load(Ordering::Relaxed)
}

/// The events raised since the last call, each (name, flags) once.
pub fn take() -> Vec<FpEvent> {
    let mut q = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
    PENDING.store(false, Ordering::Relaxed);
    std::mem::take(&mut *q)
}

/// Queues `flags` raised by operation `name` (nothing when empty).
pub fn record(name: &'static str, flags: u32) {
    if flags == 0 {
        return;
    }
    let mut q = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
    match q.iter_mut().find(|e| e.name == name) {
        Some(e) => e.flags |= flags,
        None => q.push(FpEvent { name, flags }),
    }
    PENDING.store(true, Ordering::Relaxed);
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
