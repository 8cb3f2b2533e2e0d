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
//!
//! Attaching (Legate's attach) goes the other way: a store over memory another library
//! owns (a DLPack tensor, an Arrow buffer), in place. Its producer may read and write
//! that memory whenever it likes, so an attachment counts as a host view for as long
//! as the storage lives: tasks on it finish before their launch returns.

use crate::error::{LegateError, Result};
use crate::memory::Buffer;
use crate::shape::{Point, Rect};
use crate::storage::{dense_strides, Layout, Storage, StorageData, StorageKind};
use crate::store::LogicalStore;
use crate::types::Type;
use crate::Runtime;
use std::any::Any;
use std::sync::atomic::Ordering;
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
        self.store.storage().host_views.fetch_sub(1, Ordering::AcqRel);
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
        let spill = legate_abi::raw::DimSpill::default();
        let raw = crate::point::raw_store(store, &Rect::from_extents(&shape), &spill);
        // SAFETY: the coordinates are in `spill`, alive here.
        let byte_strides = Point::new(unsafe { raw.coords() }.2);
        let data = if raw.data.is_null() || shape.volume() == 0 {
            std::ptr::NonNull::<u128>::dangling().as_ptr() as *mut u8
        } else {
            raw.data
        };
        let (buffer, _) = store.storage().instance();
        store.storage().host_views.fetch_add(1, Ordering::AcqRel);
        Ok(HostView { store: store.clone(), _buffer: buffer, data, shape, byte_strides, writable })
    }

    /// Whether [`Runtime::attach_store`] takes these elements in place, and if so the
    /// storage's dense byte strides: a dense C- or Fortran-order layout (strides of
    /// extents of 1 do not matter), element-aligned, not empty, on one rank (on several,
    /// each rank holds only the pieces its points touch, in memory the runtime
    /// manages). Otherwise `Unsupported`, saying why: the caller copies instead.
    pub fn attachable(&self, ty: &Type, shape: &[usize], data: *const u8, byte_strides: &[i64]) -> Result<Point> {
        let refuse = |why: &str| Err(LegateError::Unsupported(format!("attaching {why}")));
        let elem = Self::element_size(ty)?;
        if shape.len() != byte_strides.len() {
            return Err(LegateError::InvalidArgument(format!("{} extents but {} strides", shape.len(), byte_strides.len())));
        }
        if shape.len() > crate::shape::LEGATE_MAX_DIM {
            return Err(crate::error::too_many_dims(shape.len()));
        }
        let extents = Point::from_usize(shape).ok_or_else(|| LegateError::InvalidArgument(format!("extents {shape:?} do not fit in 64 bits")))?;
        if self.inner.world.replicated() {
            return refuse("on a run of several ranks");
        }
        if extents.checked_volume().is_none_or(|v| v == 0) {
            return refuse("an empty array");
        }
        if data.is_null() || data as usize % ty.alignment() != 0 {
            return refuse(&format!("elements that are not {}-byte aligned", ty.alignment()));
        }
        for layout in [Layout::C, Layout::F] {
            let dense = dense_strides(&extents, elem, layout);
            if shape.iter().zip(byte_strides).zip(dense.as_slice()).all(|((&e, &s), &d)| e == 1 || s == d) {
                return Ok(dense);
            }
        }
        refuse("elements that are not dense in C or Fortran order")
    }

    /// A store of `ty` and `shape` over the elements at `data`, in place (see
    /// [`Runtime::attachable`] for the layouts it takes). `owner` keeps the memory
    /// alive and is dropped once the storage and every view of it are gone. The store
    /// counts as a host view of its storage for good: its producer (or another store
    /// attached to the same memory) may touch the memory at any time, so tasks on it
    /// finish before their launch returns and the producer sees their results, as a
    /// NumPy view would. `read_only` stores refuse writes (the producer's flag).
    ///
    /// # Safety
    /// `data` must point to the elements `byte_strides` describe, valid (and, unless
    /// `read_only`, writable) for as long as `owner` lives.
    pub unsafe fn attach_store(
        &self,
        ty: Type,
        shape: &[usize],
        data: *mut u8,
        byte_strides: &[i64],
        owner: Box<dyn Any + Send + Sync>,
        read_only: bool,
    ) -> Result<LogicalStore> {
        let strides = self.attachable(&ty, shape, data, byte_strides)?;
        let extents = Point::from_usize(shape).expect("checked by attachable");
        let bytes = extents.volume() as usize * Self::element_size(&ty)?;
        // SAFETY: the caller's promise about `data` and `owner`.
        let buffer = unsafe { self.inner.sysmem.foreign_buffer(data, bytes, owner) };
        let data = StorageData::new(Some(extents.clone()), Some(Arc::new(buffer)), strides);
        let storage = Storage::new(self.next_storage_id(), ty, StorageKind::Region, extents.ndim(), data);
        storage.host_views.fetch_add(1, Ordering::AcqRel);
        let store = LogicalStore::from_storage(storage);
        Ok(if read_only { store.as_read_only() } else { store })
    }
}
