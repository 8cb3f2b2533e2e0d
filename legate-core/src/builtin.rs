//! The core library's own tasks: fill, copy, and gather/scatter copies through index
//! stores. They are ordinary tasks, registered and launched like any library's, and
//! work on raw bytes so they serve every fixed-size type.

use crate::error::{invalid, LegateError, Result};
use crate::point::Role;
use crate::runtime::Runtime;
use crate::scalar::Scalar;
use crate::shape::DimVec;
use crate::store::LogicalStore;
use crate::types::Type;
use legate_abi::{for_each_row, PhysicalStore, Task, TaskContext, TaskError};

/// Name of the core library.
pub const LIBRARY: &str = "legate.core";

const FILL: u32 = 1;
const COPY: u32 = 2;
const INDIRECT_COPY: u32 = 3;

const GATHER: u32 = 1;
const SCATTER: u32 = 2;
const SCATTER_GATHER: u32 = 3;

pub(crate) fn register(rt: &Runtime) -> Result<()> {
    let lib = rt.inner.core_library.clone();
    rt.register_task::<FillTask>(&lib)?;
    rt.register_task::<CopyTask>(&lib)?;
    rt.register_task::<IndirectCopyTask>(&lib)?;
    Ok(())
}

/// Copies `n` elements of `size` bytes between strided rows.
///
/// # Safety
/// Both rows must be valid for `n` elements at their strides.
unsafe fn copy_row(dst: *mut u8, ds: i64, src: *const u8, ss: i64, n: usize, size: usize) {
    if ds == size as i64 && ss == size as i64 {
        std::ptr::copy(src, dst, n * size);
        return;
    }
    for k in 0..n as isize {
        std::ptr::copy(src.offset(k * ss as isize), dst.offset(k * ds as isize), size);
    }
}

/// Fills `dst` (a whole number of elements) with copies of the element `value`: a
/// memset for zeros, else one block of about 4 KiB built by doubling and copied on
/// (an element-by-element copy costs a call per element; a whole-row pattern, as
/// much memory again as the row).
pub(crate) fn fill_bytes(dst: &mut [u8], value: &[u8]) {
    let size = value.len();
    if value.iter().all(|&b| b == 0) {
        dst.fill(0);
        return;
    }
    if size == 0 || dst.is_empty() {
        return;
    }
    let block = ((4096 / size).max(1) * size).min(dst.len());
    let (head, rest) = dst.split_at_mut(block);
    head[..size].copy_from_slice(value);
    let mut filled = size;
    while filled < block {
        let n = filled.min(block - filled);
        head.copy_within(0..n, filled);
        filled += n;
    }
    for chunk in rest.chunks_mut(block) {
        chunk.copy_from_slice(&head[..chunk.len()]);
    }
}

struct FillTask;

impl Task for FillTask {
    const TASK_ID: u32 = FILL;
    const NAME: &'static str = "fill";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let out = ctx.output(0)?;
        let value = ctx.scalar_bytes(0)?.to_vec();
        let size = out.elem_size();
        if value.len() != size {
            return Err(TaskError::new("fill value size does not match the store"));
        }
        for_each_row(&[&out], |ptrs, n, strides| {
            // SAFETY: the row (n elements at its stride) lies in this point's output tile.
            unsafe {
                if strides[0] == size as i64 {
                    fill_bytes(std::slice::from_raw_parts_mut(ptrs[0], n * size), &value);
                } else {
                    copy_row(ptrs[0], strides[0], value.as_ptr(), 0, n, size);
                }
            }
        });
        Ok(())
    }
}

struct CopyTask;

impl Task for CopyTask {
    const TASK_ID: u32 = COPY;
    const NAME: &'static str = "copy";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let out = ctx.output(0)?;
        let inp = ctx.input(0)?;
        let size = out.elem_size();
        for_each_row(&[&out, &inp], |ptrs, n, strides| {
            // SAFETY: both rows lie in this point's tiles (same shape).
            unsafe { copy_row(ptrs[0], strides[0], ptrs[1], strides[1], n, size) }
        });
        Ok(())
    }
}

/// Reads the point stored at `p` in an index store targeting an `ndim`-d store.
///
/// # Safety
/// `p` points at one element of the index store.
unsafe fn read_index(p: *const u8, ndim: usize) -> DimVec<i64> {
    let mut out: DimVec<i64> = smallvec::smallvec![0; ndim];
    std::ptr::copy_nonoverlapping(p, out.as_mut_ptr() as *mut u8, 8 * ndim);
    out
}

/// Address of point `idx` in the whole-store tile `s`, or an error when out of bounds.
fn address(s: &PhysicalStore, idx: &[i64], what: &str) -> Result<*mut u8, TaskError> {
    let mut p = s.ptr();
    for d in 0..s.ndim() {
        if idx[d] < s.lo()[d] || idx[d] >= s.hi()[d] {
            return Err(TaskError::new(format!(
                "{what} index {:?} is out of bounds for a store of shape {:?}",
                &idx[..s.ndim()],
                s.shape()
            )));
        }
        p = p.wrapping_offset(((idx[d] - s.lo()[d]) * s.strides()[d]) as isize);
    }
    Ok(p)
}

struct IndirectCopyTask;

impl Task for IndirectCopyTask {
    const TASK_ID: u32 = INDIRECT_COPY;
    const NAME: &'static str = "indirect_copy";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mode = ctx.scalar::<u32>(0)?;
        let dst = ctx.output(0)?;
        let src = ctx.input(0)?;
        let size = dst.elem_size();
        let mut error = None;
        let mut visit = |tiles: &[&PhysicalStore], each: &mut dyn FnMut(&[*mut u8]) -> Result<(), TaskError>| {
            for_each_row(tiles, |ptrs, n, strides| {
                let mut cur: Vec<*mut u8> = ptrs.to_vec();
                for _ in 0..n {
                    if error.is_some() {
                        return;
                    }
                    if let Err(e) = each(&cur) {
                        error = Some(e);
                        return;
                    }
                    for (c, s) in cur.iter_mut().zip(strides) {
                        *c = c.wrapping_offset(*s as isize);
                    }
                }
            });
        };
        match mode {
            GATHER => {
                let ind = ctx.input(1)?;
                visit(&[&dst, &ind], &mut |p| {
                    // SAFETY: p[1] is an element of the index tile; the source address is
                    // bounds-checked; p[0] is in the output tile.
                    let from = address(&src, &unsafe { read_index(p[1], src.ndim()) }, "gather")?;
                    unsafe { std::ptr::copy(from, p[0], size) };
                    Ok(())
                });
            }
            SCATTER => {
                let ind = ctx.input(1)?;
                visit(&[&src, &ind], &mut |p| {
                    // SAFETY: as above, with the target address bounds-checked.
                    let to = address(&dst, &unsafe { read_index(p[1], dst.ndim()) }, "scatter")?;
                    unsafe { std::ptr::copy(p[0], to, size) };
                    Ok(())
                });
            }
            SCATTER_GATHER => {
                let (src_ind, dst_ind) = (ctx.input(1)?, ctx.input(2)?);
                visit(&[&src_ind, &dst_ind], &mut |p| {
                    // SAFETY: both addresses are bounds-checked.
                    let from = address(&src, &unsafe { read_index(p[0], src.ndim()) }, "gather")?;
                    let to = address(&dst, &unsafe { read_index(p[1], dst.ndim()) }, "scatter")?;
                    unsafe { std::ptr::copy(from, to, size) };
                    Ok(())
                });
            }
            _ => return Err(TaskError::new(format!("unknown indirect copy mode {mode}"))),
        }
        error.map_or(Ok(()), Err)
    }
}

fn check_same(dst: &LogicalStore, src: &LogicalStore, what: &str) -> Result<()> {
    if dst.ty() != src.ty() {
        return Err(LegateError::TypeMismatch(format!("{what}: source type {} differs from target type {}", src.ty(), dst.ty())));
    }
    Ok(())
}

pub(crate) fn fill(rt: &Runtime, store: &LogicalStore, value: Scalar) -> Result<()> {
    if value.ty() != store.ty() {
        return Err(LegateError::TypeMismatch(format!("fill: a {} value cannot fill a store of type {}", value.ty(), store.ty())));
    }
    rt.launch_aligned(&rt.inner.core_library, FILL, &[(store, Role::Output)], &[value], false)
}

/// Whether writing `dst` could clobber elements of `src` before they are read.
fn overlaps(dst: &LogicalStore, src: &LogicalStore) -> bool {
    use crate::footprint::Footprint;
    dst.same_storage(src)
        && dst.map() != src.map()
        && Footprint::of_rect(dst.map(), &dst.full_rect()).intersects(&Footprint::of_rect(src.map(), &src.full_rect()))
}

/// A private copy of `src` when it overlaps `dst`, so the copy reads the old values.
fn staged(rt: &Runtime, dst: &LogicalStore, src: &LogicalStore) -> Result<LogicalStore> {
    if !overlaps(dst, src) {
        return Ok(src.clone());
    }
    let tmp = rt.create_store(src.ty().clone(), &src.shape().to_usize())?;
    copy(rt, &tmp, src)?;
    Ok(tmp)
}

pub(crate) fn copy(rt: &Runtime, dst: &LogicalStore, src: &LogicalStore) -> Result<()> {
    check_same(dst, src, "copy")?;
    if dst.shape() != src.shape() {
        return Err(LegateError::ShapeMismatch(format!("copy: source shape {} differs from target shape {}", src.shape(), dst.shape())));
    }
    let src = staged(rt, dst, src)?;
    rt.launch_aligned(&rt.inner.core_library, COPY, &[(dst, Role::Output), (&src, Role::Input)], &[], false)
}

fn check_indirect(ind: &LogicalStore, target: &LogicalStore, what: &str) -> Result<()> {
    let n = target.ndim();
    let ok = *ind.ty() == Type::point(n) || (n == 1 && *ind.ty() == Type::Int64);
    if !ok {
        return Err(LegateError::TypeMismatch(format!(
            "{what} indirection has type {} but a {n}-d store needs {}",
            ind.ty(),
            if n == 1 { "int64 (or int64[1])".to_string() } else { Type::point(n).to_string() }
        )));
    }
    Ok(())
}

pub(crate) fn indirect_copy(
    rt: &Runtime,
    dst: &LogicalStore,
    dst_ind: Option<&LogicalStore>,
    src: &LogicalStore,
    src_ind: Option<&LogicalStore>,
) -> Result<()> {
    check_same(dst, src, "indirect copy")?;
    let src = if dst.same_storage(src) {
        let tmp = rt.create_store(src.ty().clone(), &src.shape().to_usize())?;
        copy(rt, &tmp, src)?;
        tmp
    } else {
        src.clone()
    };
    let mut t = rt.create_auto_task(&rt.inner.core_library, INDIRECT_COPY);
    match (dst_ind, src_ind) {
        (None, Some(si)) => {
            check_indirect(si, &src, "source")?;
            if si.shape() != dst.shape() {
                return Err(LegateError::ShapeMismatch(format!("gather: index shape {} differs from target shape {}", si.shape(), dst.shape())));
            }
            t.add_scalar_arg(GATHER);
            let o = t.add_output(dst);
            let s = t.add_input(&src);
            let i = t.add_input(si);
            t.add_alignment(o, i);
            t.add_broadcast(s, None);
        }
        (Some(di), None) => {
            check_indirect(di, dst, "target")?;
            if di.shape() != src.shape() {
                return Err(LegateError::ShapeMismatch(format!("scatter: index shape {} differs from source shape {}", di.shape(), src.shape())));
            }
            t.add_scalar_arg(SCATTER);
            let o = t.add_partial_output(dst);
            let s = t.add_input(&src);
            let i = t.add_input(di);
            t.add_alignment(s, i);
            t.add_broadcast(o, None);
        }
        (Some(di), Some(si)) => {
            check_indirect(si, &src, "source")?;
            check_indirect(di, dst, "target")?;
            if si.shape() != di.shape() {
                return Err(LegateError::ShapeMismatch(format!("scatter-gather: index shapes {} and {} differ", si.shape(), di.shape())));
            }
            t.add_scalar_arg(SCATTER_GATHER);
            let o = t.add_partial_output(dst);
            let s = t.add_input(&src);
            let a = t.add_input(si);
            let b = t.add_input(di);
            t.add_alignment(a, b);
            t.add_broadcast(o, None);
            t.add_broadcast(s, None);
        }
        (None, None) => return Err(invalid("indirect copy without indirection: use issue_copy")),
    }
    t.execute()
}

#[cfg(test)]
mod tests {
    use super::fill_bytes;

    /// Against the element-by-element fill: element sizes 1 to 40 (zero and non-zero
    /// values), lengths around the 4 KiB block.
    #[test]
    fn fill_bytes_matches_a_plain_loop() {
        for size in 1..=40usize {
            for value in [vec![0u8; size], (1..=size as u8).collect::<Vec<u8>>()] {
                for n in [0usize, 1, 2, 3, 100, 4096 / size, 4096 / size + 1, 3 * 4096 / size + 7] {
                    let mut got = vec![0xAAu8; n * size];
                    fill_bytes(&mut got, &value);
                    let want: Vec<u8> = (0..n).flat_map(|_| value.iter().copied()).collect();
                    assert_eq!(got, want, "size {size}, n {n}");
                }
            }
        }
    }
}
