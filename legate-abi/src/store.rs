//! A point task's view of one store argument: its tile, typed and viewable as `ndarray`.

use crate::raw::{RawStore, STORE_FUTURE, STORE_UNBOUND};
use crate::{Element, ReductionOp, TaskError, TypeCode};
use ndarray::{ArrayViewD, ArrayViewMutD, Axis, IxDyn, ShapeBuilder};
use std::marker::PhantomData;

/// The tile of a store that one point task may access. Coordinates are global: `lo()`
/// is the tile's first point in the store's view, while `ndarray` views index from 0.
#[derive(Clone, Copy, Debug)]
pub struct PhysicalStore<'a> {
    raw: RawStore,
    _task: PhantomData<&'a ()>,
}

// SAFETY: a physical store is a description of memory the scheduler reserved for this
// point task; the task may hand its pieces to helper threads (OMP variants do).
unsafe impl Send for PhysicalStore<'_> {}
unsafe impl Sync for PhysicalStore<'_> {}

impl<'a> PhysicalStore<'a> {
    pub(crate) fn new(raw: RawStore) -> Self {
        PhysicalStore { raw, _task: PhantomData }
    }

    /// # Safety
    /// `raw` must describe memory that stays valid, and is not accessed in conflicting
    /// ways by others, for as long as the returned store is used.
    pub unsafe fn from_raw(raw: RawStore) -> PhysicalStore<'a> {
        PhysicalStore::new(raw)
    }

    pub fn raw(&self) -> &RawStore {
        &self.raw
    }

    pub fn ndim(&self) -> usize {
        self.raw.ndim as usize
    }

    pub fn type_code(&self) -> Option<TypeCode> {
        TypeCode::from_u32(self.raw.type_code)
    }

    pub fn elem_size(&self) -> usize {
        self.raw.elem_size as usize
    }

    fn coords(&self) -> (&[i64], &[i64], &[i64]) {
        // SAFETY: made by the runtime, or by `from_raw` whose caller vouches for `raw`
        // (including the coordinates of a store of many dimensions).
        unsafe { self.raw.coords() }
    }

    /// First point of the tile (global coordinates).
    pub fn lo(&self) -> &[i64] {
        self.coords().0
    }

    /// One past the last point of the tile (global coordinates).
    pub fn hi(&self) -> &[i64] {
        self.coords().1
    }

    /// Extents of the tile.
    pub fn shape(&self) -> Vec<usize> {
        let (lo, hi, _) = self.coords();
        lo.iter().zip(hi).map(|(l, h)| (h - l).max(0) as usize).collect()
    }

    pub fn volume(&self) -> usize {
        let (lo, hi, _) = self.coords();
        lo.iter().zip(hi).map(|(l, h)| (h - l).max(0) as usize).product()
    }

    pub fn is_empty(&self) -> bool {
        self.volume() == 0
    }

    pub fn is_unbound(&self) -> bool {
        self.raw.flags & STORE_UNBOUND != 0
    }

    pub fn is_future(&self) -> bool {
        self.raw.flags & STORE_FUTURE != 0
    }

    /// The reduction operator of a reduction argument.
    pub fn redop(&self) -> Option<ReductionOp> {
        ReductionOp::from_code(self.raw.redop)
    }

    /// Byte strides of the tile.
    pub fn strides(&self) -> &[i64] {
        self.coords().2
    }

    /// Address of the element at `lo()`.
    pub fn ptr(&self) -> *mut u8 {
        self.raw.data
    }

    fn check<T: Element>(&self) -> Result<(), TaskError> {
        if self.is_unbound() {
            return Err(TaskError::new("the store is an unbound output: call bind_output first"));
        }
        let code_ok = self.raw.type_code == T::CODE as u32;
        if !code_ok || self.raw.elem_size as usize != T::SIZE {
            return Err(TaskError::new(format!(
                "wrong dtype for an accessor: the store holds {:?} ({} bytes) but {} ({:?}, {} bytes) was requested",
                self.type_code(),
                self.raw.elem_size,
                std::any::type_name::<T>(),
                T::CODE,
                T::SIZE
            )));
        }
        Ok(())
    }

    /// Element strides with all-positive values, the pointer to the lowest-address element,
    /// and which axes must be inverted to restore the logical order.
    fn layout<T: Element>(&self) -> (Vec<usize>, Vec<usize>, *mut T, Vec<usize>) {
        let shape = self.shape();
        let size = T::SIZE as i64;
        let mut ptr = self.raw.data;
        let mut strides = Vec::with_capacity(self.ndim());
        let mut inverted = Vec::new();
        let empty = shape.iter().any(|&e| e == 0);
        for (d, &s) in self.strides().iter().enumerate() {
            debug_assert!(s % size == 0 || shape[d] <= 1);
            if s < 0 && !empty {
                // SAFETY: stays inside the tile: the last element along d is in bounds.
                ptr = unsafe { ptr.offset((s * (shape[d] as i64 - 1)) as isize) };
                inverted.push(d);
            }
            strides.push(if shape[d] <= 1 { 0 } else { (s.unsigned_abs() / size as u64) as usize });
        }
        if empty {
            ptr = std::ptr::NonNull::<T>::dangling().as_ptr() as *mut u8;
        }
        (shape, strides, ptr as *mut T, inverted)
    }

    /// A read-only view of the tile, indexed from 0.
    pub fn view<T: Element>(&self) -> Result<ArrayViewD<'_, T>, TaskError> {
        self.check::<T>()?;
        let (shape, strides, ptr, inverted) = self.layout::<T>();
        // SAFETY: the runtime guarantees the tile's memory is allocated, initialized and
        // not written by any task that runs concurrently with this one (the scheduler
        // orders every conflicting access), for the lifetime of the task.
        let mut v = unsafe { ArrayViewD::from_shape_ptr(IxDyn(&shape).strides(IxDyn(&strides)), ptr) };
        for d in inverted {
            v.invert_axis(Axis(d));
        }
        Ok(v)
    }

    /// A writable view of the tile, indexed from 0.
    pub fn view_mut<T: Element>(&mut self) -> Result<ArrayViewMutD<'_, T>, TaskError> {
        self.check::<T>()?;
        let (shape, strides, ptr, inverted) = self.layout::<T>();
        // SAFETY: as in `view`; in addition the scheduler gives this point task exclusive
        // access to the elements of an output or reduction tile.
        let mut v = unsafe { ArrayViewMutD::from_shape_ptr(IxDyn(&shape).strides(IxDyn(&strides)), ptr) };
        for d in inverted {
            v.invert_axis(Axis(d));
        }
        Ok(v)
    }

    /// The single value of a one-element store (a future, or a 1-element tile).
    pub fn scalar<T: Element>(&self) -> Result<T, TaskError> {
        let v = self.view::<T>()?;
        if v.len() != 1 {
            return Err(TaskError::new(format!("expected a single value, the tile has {} elements", v.len())));
        }
        Ok(*v.iter().next().unwrap())
    }
}

/// Walks the innermost rows of several tiles of the same shape in lock step (row-major
/// order), calling `f(row_starts, row_len, inner_strides)` with byte pointers to each
/// tile's row start and each tile's byte stride along the innermost dimension. A 0-d
/// tile is one row of one element.
pub fn for_each_row(tiles: &[&PhysicalStore], mut f: impl FnMut(&[*mut u8], usize, &[i64])) {
    let Some(first) = tiles.first() else { return };
    let shape = first.shape();
    debug_assert!(tiles.iter().all(|t| t.shape() == shape));
    if shape.iter().any(|&e| e == 0) {
        return;
    }
    let nd = shape.len();
    // Kernels call this once per task: keep the bookkeeping off the heap.
    let inner: smallvec::SmallVec<[i64; 4]> = tiles.iter().map(|t| if nd == 0 { 0 } else { t.strides()[nd - 1] }).collect();
    let len = if nd == 0 { 1 } else { shape[nd - 1] };
    let outer = &shape[..nd.saturating_sub(1)];
    let mut idx: smallvec::SmallVec<[usize; 6]> = smallvec::smallvec![0usize; outer.len()];
    let mut ptrs: smallvec::SmallVec<[*mut u8; 4]> = tiles.iter().map(|t| t.ptr()).collect();
    loop {
        f(&ptrs, len, &inner);
        // Advance the outer index like an odometer, moving pointers by the strides.
        let mut d = outer.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            for (p, t) in ptrs.iter_mut().zip(tiles) {
                *p = p.wrapping_offset(t.strides()[d] as isize);
            }
            if idx[d] < outer[d] {
                break;
            }
            for (p, t) in ptrs.iter_mut().zip(tiles) {
                *p = p.wrapping_offset(-(t.strides()[d] * outer[d] as i64) as isize);
            }
            idx[d] = 0;
        }
    }
}
