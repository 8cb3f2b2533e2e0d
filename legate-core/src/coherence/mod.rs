//! Instances and coherence: where a storage's bytes live, which copy is the latest, and
//! the copies that bring a point task's instances up to date before it runs
//! (`shared/DESIGN.md` §3, "Instances and coherence").
//!
//! A storage's bytes live in *instances*. An instance is a window of the storage's
//! dense linear layout (a byte range, [`ranges`]) in one memory of one rank; tasks and
//! host reads reach elements through it with the storage's own strides, so views,
//! transforms and kernels never see the difference. On one rank with one memory the
//! window is the whole storage, allocated at creation, and nothing here runs: the plan
//! is empty by construction.
//!
//! Under control replication every rank tracks, per storage and from the operation
//! stream alone, which ranks hold the latest version of which bytes ([`validity`]).
//! Before a launch's points run, [`crate::distribute`] asks it for the transfers that
//! bring each point's pieces up to date on the point's rank, grows the rank's window
//! to cover the pieces it touches (a local copy from the old window), and records who
//! holds what after the points write. The same model takes a GPU's frame buffer later:
//! one more memory with windows of its own, and copies between memories beside copies
//! between ranks.

pub mod ranges;
pub mod validity;

pub use ranges::{LinearLayout, Ranges};
pub use validity::{Holders, Transfer, Validity};

/// Counters of data the runtime moved (see `Runtime::stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes this rank sent to other ranks (payload).
    pub bytes_sent: u64,
    /// Bytes this rank received from other ranks.
    pub bytes_received: u64,
    /// Messages this rank sent.
    pub messages_sent: u64,
    /// Bytes copied between this rank's own instances (windows that grew).
    pub bytes_copied_locally: u64,
}

/// The program thread's coherence state of one storage on a replicated run: the
/// validity map (the same on every rank) and the window this rank's instance will
/// have once the copies planned so far have run.
#[derive(Clone, Debug)]
pub struct Tracking {
    pub validity: Validity,
    /// Byte range of the storage this rank's instance covers (empty: none yet).
    pub window: (u64, u64),
}

impl Tracking {
    /// The window that covers both the current one and `(lo, hi)`.
    pub fn grown(&self, lo: u64, hi: u64) -> Option<(u64, u64)> {
        let (a, b) = self.window;
        if a < b && a <= lo && hi <= b {
            return None;
        }
        if a >= b {
            return Some((lo, hi));
        }
        Some((a.min(lo), b.max(hi)))
    }
}
