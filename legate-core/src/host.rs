//! Host views (Legate's inline mappings): a store's elements seen in place, in this
//! rank's instance, by code outside the runtime (the buffer protocol, DLPack, Arrow).
//!
//! Mapping waits for the store's writers (and, for a writable view, for every task that
//! touches its storage) and keeps the instance alive for as long as the view lives.
//! While a view of a storage is alive, tasks touching that storage run to completion
//! before their launch returns (`TaskLaunch::execute`): host code never reads or writes
//! the bytes while a task does, and sees what later operations wrote, as a NumPy view
//! would. Arrays the host holds no views of keep running asynchronously.
//!
//! On a replicated run (several ranks), mapping first gathers the whole storage into
//! this rank's instance, and a task writing a viewed storage gathers it again once it
//! has run, so every rank's view sees every rank's pieces. Ranks run the same program,
//! so they hold the same views; a view kept alive on one rank only is a divergence.

use crate::error::{LegateError, Result};
use crate::memory::Buffer;
use crate::shape::{Point, Rect};
use crate::store::LogicalStore;
use crate::Runtime;
use std::sync::Arc;

/// A store's elements in place: `data` is element `[0, ..., 0]` of the view and
/// `byte_strides` step along each dimension (negative, zero or not a multiple of the
/// element size are all possible for views).
pub struct HostView {
    store: LogicalStore,
    /// Keeps the instance alive even if the storage is dropped (or, on a replicated
    /// run, given a new instance) while the host still holds the view.
    _buffer: Option<Arc<Buffer>>,
    data: *mut u8,
    shape: Point,
    byte_strides: Point,
    writable: bool,
}

// SAFETY: the view only carries an address into an instance it keeps alive; who may
// touch the bytes when is the host's contract (see the module docs).
unsafe impl Send for HostView {}
unsafe impl Sync for HostView {}

impl HostView {
    pub fn store(&self) -> &LogicalStore {
        &self.store
    }

    /// The address of the view's first element (dangling, never null, when empty).
    pub fn data(&self) -> *mut u8 {
        self.data
    }

    pub fn shape(&self) -> &Point {
        &self.shape
    }

    pub fn byte_strides(&self) -> &Point {
        &self.byte_strides
    }

    pub fn writable(&self) -> bool {
        self.writable
    }

    /// Whether the elements are dense in row-major order.
    pub fn c_contiguous(&self) -> bool {
        let elem = self.store.ty().size().unwrap_or(0) as i64;
        let (shape, strides) = (self.shape.as_slice(), self.byte_strides.as_slice());
        if shape.contains(&0) {
            return true;
        }
        let mut expected = elem;
        for d in (0..shape.len()).rev() {
            if shape[d] != 1 {
                if strides[d] != expected {
                    return false;
                }
                expected *= shape[d];
            }
        }
        true
    }
}

impl Drop for HostView {
    fn drop(&mut self) {
        self.store.storage().host_views.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
        if self.writable {
            // The host may have changed the contents: image rectangles read from the old
            // contents no longer hold.
            self.store.storage().written();
        }
    }
}

impl Runtime {
    /// Maps `store` for the host. A read view waits for the store's writers; a
    /// writable one for every task touching its storage, and fails on a read-only view.
    /// Fails with the error of a task that should have written the view's elements.
    pub fn map_store(&self, store: &LogicalStore, writable: bool) -> Result<HostView> {
        if store.ty().size().is_none() {
            return Err(LegateError::Unsupported(format!("mapping a store of variable-size type {}", store.ty())));
        }
        if writable && store.read_only() {
            return Err(LegateError::InvalidArgument("assignment destination is read-only".into()));
        }
        if writable {
            crate::distribute::host_write(self, store)?;
        } else {
            crate::distribute::gather(self, store)?;
        }
        self.wait_store(store)?;
        if writable {
            self.wait_store_idle(store);
            store.storage().written();
        }
        let shape = store.shape();
        let raw = crate::point::raw_store(store, &Rect::from_extents(&shape));
        let n = shape.ndim();
        let byte_strides = Point::new(&raw.strides[..n]);
        let data = if raw.data.is_null() || shape.volume() == 0 {
            std::ptr::NonNull::<u128>::dangling().as_ptr() as *mut u8
        } else {
            raw.data
        };
        let (buffer, _) = store.storage().instance();
        store.storage().host_views.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(HostView { store: store.clone(), _buffer: buffer, data, shape, byte_strides, writable })
    }
}
