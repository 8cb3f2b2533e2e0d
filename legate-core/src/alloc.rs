//! The allocator of the runtime's deployments (the Python extension, the benchmarks):
//! mimalloc, called the way its fast paths expect. A Rust program using the runtime
//! sets it with `#[global_allocator] static A: legate_core::alloc::Mimalloc =
//! legate_core::alloc::Mimalloc;`.
//!
//! Point tasks are allocated on the submitting thread and freed on workers; mimalloc
//! handles that pattern far better than the system allocator. The `mimalloc` crate's
//! allocator asks for every block through `mi_malloc_aligned`, even with Rust's usual
//! alignment of 8; when the size class has no free block at hand, mimalloc 3 then
//! over-allocates a block of a larger class and aligns inside it (sizes that are not
//! powers of two never count as naturally aligned), ~150 instructions instead of ~20,
//! and the size class's own page never gets used again. Every mimalloc block is
//! aligned to 8 bytes, so such requests go to plain `mi_malloc` here (a store's view
//! and buffer records took that slow path on every small operation).

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every mimalloc block has (blocks are whole machine words).
const WORD: usize = std::mem::size_of::<usize>();

pub struct Mimalloc;

// SAFETY: mimalloc returns blocks of at least the requested size, aligned as asked
// (8 bytes for plain `mi_malloc`, see above), or null; `mi_free` takes any of them.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}
