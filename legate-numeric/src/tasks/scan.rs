//! Inclusive scans (`cumsum`, `cumprod`, `ufunc.accumulate`) along one axis.
//!
//! Mode 0 scans whole lines: the launch does not split the scanned axis, so each point
//! owns complete lines and scans them sequentially (NumPy's order, so float results
//! match NumPy's bit for bit). When there are too few lines to keep the processors
//! busy, the launch splits the scanned axis instead and runs a two-pass prefix:
//! mode 1 scans each piece locally and writes each line's last value (the piece's
//! total) to a small `partials` store; the partials are scanned (mode 0); mode 2 then
//! folds into every piece but the first the scanned total of the pieces before it.

use crate::ops::ReduceOp;
use crate::tasks::reduce::Reducible;
use legate_core::{PhysicalStore, Task, TaskContext, TaskError};

/// Calls `f(line_starts, len, strides_along_axis)` for every line along `axis` of the
/// tiles, walked in lock step. The tiles' extents must agree on every dimension but
/// `axis`; `len` is the first tile's extent along it. Pointers are byte addresses,
/// strides are in bytes. A 0-d tile is one line of one element.
pub(crate) fn for_each_line(tiles: &[&PhysicalStore], axis: usize, mut f: impl FnMut(&[*mut u8], usize, &[isize])) {
    let Some(first) = tiles.first() else { return };
    let shape = first.shape();
    let nd = shape.len();
    if nd == 0 {
        let ptrs: Vec<*mut u8> = tiles.iter().map(|t| t.ptr()).collect();
        f(&ptrs, 1, &vec![0; tiles.len()]);
        return;
    }
    if shape.contains(&0) || tiles.iter().any(|t| t.is_empty()) {
        return;
    }
    let along: Vec<isize> = tiles.iter().map(|t| t.strides()[axis] as isize).collect();
    let len = shape[axis];
    let others: Vec<usize> = (0..nd).filter(|&d| d != axis).collect();
    let mut idx = vec![0usize; others.len()];
    let mut ptrs: Vec<*mut u8> = tiles.iter().map(|t| t.ptr()).collect();
    loop {
        for (k, t) in tiles.iter().enumerate() {
            let mut off = 0isize;
            for (i, &d) in others.iter().enumerate() {
                off += idx[i] as isize * t.strides()[d] as isize;
            }
            // SAFETY: the offset addresses the first element of a line inside the tile.
            ptrs[k] = unsafe { t.ptr().offset(off) };
        }
        f(&ptrs, len, &along);
        let mut i = others.len();
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            idx[i] += 1;
            if idx[i] < shape[others[i]] {
                break;
            }
            idx[i] = 0;
        }
    }
}

/// `out[j] = x[0] op ... op x[j]` along each line; with `partials`, also the line's
/// total into the partials' (single-element) line.
fn scan_lines<T: Reducible>(op: ReduceOp, input: &PhysicalStore, out: &PhysicalStore, partials: Option<&PhysicalStore>, axis: usize) -> Result<(), TaskError> {
    let mut tiles = vec![out, input];
    if let Some(p) = partials {
        tiles.push(p);
    }
    for t in &tiles {
        if t.type_code() != Some(T::CODE) {
            return Err(TaskError::new("scan: the input, output and partials must have one dtype"));
        }
    }
    for_each_line(&tiles, axis, |ptrs, n, strides| {
        let (po, so) = (ptrs[0] as *mut T, strides[0] / T::SIZE as isize);
        let (pi, si) = (ptrs[1] as *const T, strides[1] / T::SIZE as isize);
        // SAFETY: lines of this point's tiles; raw accesses allow `out` to alias `input`.
        unsafe {
            let mut acc = *pi;
            *po = acc;
            for j in 1..n as isize {
                acc = T::combine(op, acc, *pi.offset(j * si));
                *po.offset(j * so) = acc;
            }
            if ptrs.len() > 2 {
                *(ptrs[2] as *mut T) = acc;
            }
        }
    });
    Ok(())
}

/// `out[j] = offset op out[j]` along each line, `offset` the line's value in `prev`.
fn apply_offsets<T: Reducible>(op: ReduceOp, prev: &PhysicalStore, out: &PhysicalStore, axis: usize) -> Result<(), TaskError> {
    if prev.type_code() != Some(T::CODE) {
        return Err(TaskError::new("scan: the partials must have the output's dtype"));
    }
    for_each_line(&[out, prev], axis, |ptrs, n, strides| {
        let (po, so) = (ptrs[0] as *mut T, strides[0] / T::SIZE as isize);
        // SAFETY: lines of this point's tiles.
        unsafe {
            let off = *(ptrs[1] as *const T);
            for j in 0..n as isize {
                let p = po.offset(j * so);
                *p = T::combine(op, off, *p);
            }
        }
    });
    Ok(())
}

pub struct ScanTask;

impl Task for ScanTask {
    const TASK_ID: u32 = crate::SCAN;
    const NAME: &'static str = "scan";

    /// Scalars: op (u32, a `ReduceOp` code), axis (u32), mode (u32).
    /// Mode 0: input 0 → output 0, whole lines. Mode 1: input 0 → output 0, and each
    /// line's total into output 1 (extent 1 along the axis). Mode 2: input 0 is the
    /// offsets (extent 1 along the axis), output 0 (also input 1) is updated in place.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let op = ReduceOp::from_code(code).ok_or_else(|| TaskError::new(format!("unknown scan op {code}")))?;
        let axis = ctx.scalar::<u32>(1)? as usize;
        let mode = ctx.scalar::<u32>(2)?;
        let input = ctx.input(0)?;
        let out = ctx.output(0)?;
        if out.ndim() > 0 && axis >= out.ndim() {
            return Err(TaskError::new(format!("scan: axis {axis} is out of range")));
        }
        let ctx = &*ctx;
        let run = || crate::with_numeric_type!(out.type_code(), T => {
            match mode {
                0 => scan_lines::<T>(op, &input, &out, None, axis),
                1 => scan_lines::<T>(op, &input, &out, Some(&ctx.output(1)?), axis),
                _ => apply_offsets::<T>(op, &input, &out, axis),
            }
        }, Err(TaskError::new("scan: unsupported dtype")));
        if crate::tasks::reduce::arithmetic_on_floats(op, out.type_code()) {
            // NumPy's `overflow encountered in accumulate` (cumsum past float32's range).
            crate::fperr::watch("accumulate", run)
        } else {
            run()
        }
    }
}
