//! `where(cond, x, y)`: elementwise choice between two operands.

use super::loops::Operand;
use legate_core::abi::for_each_row;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};

pub struct WhereTask;

pub(crate) fn select<T: Element>(out: &PhysicalStore, cond: &PhysicalStore, x: &Operand<T>, y: &Operand<T>) -> Result<(), TaskError> {
    let mut tiles = vec![out, cond];
    for o in [x, y] {
        if let Operand::Tile(t) = o {
            if t.type_code() != Some(T::CODE) {
                return Err(TaskError::new("where: operands must have the output's dtype"));
            }
            tiles.push(t);
        }
    }
    super::loops::for_each_run(&tiles, |ptrs, n, strides| {
        let mut k = 2;
        let mut src = |o: &Operand<T>| match o {
            Operand::Tile(_) => {
                k += 1;
                (ptrs[k - 1] as *const T, (strides[k - 1] / T::SIZE as i64) as isize, None)
            }
            Operand::Scalar(v) => (std::ptr::null(), 0, Some(*v)),
        };
        let (px, sx, vx) = src(x);
        let (py, sy, vy) = src(y);
        let (po, so) = (ptrs[0] as *mut T, (strides[0] / T::SIZE as i64) as isize);
        let (pc, sc) = (ptrs[1] as *const bool, strides[1] as isize);
        for i in 0..n as isize {
            // SAFETY: rows of this point's tiles; raw accesses allow aliasing.
            unsafe {
                let v = if *pc.offset(i * sc) {
                    vx.unwrap_or_else(|| *px.offset(i * sx))
                } else {
                    vy.unwrap_or_else(|| *py.offset(i * sy))
                };
                *po.offset(i * so) = v;
            }
        }
    });
    Ok(())
}

impl Task for WhereTask {
    const TASK_ID: u32 = crate::WHERE;
    const NAME: &'static str = "where";

    /// Scalars: flags (u32: 1 = x is a scalar, 2 = y is a scalar), then the scalars.
    /// Inputs: cond (bool), then the tile operands. Output 0: the result.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let flags = ctx.scalar::<u32>(0)?;
        let out = ctx.output(0)?;
        let cond = ctx.input(0)?;
        if cond.type_code() != Some(legate_core::abi::TypeCode::Bool) {
            return Err(TaskError::new("where: the condition must be boolean"));
        }
        let mut input = 1;
        crate::with_numeric_type!(out.type_code(), T => {
            let x = super::binary::operand::<T>(ctx, flags & 1 != 0, 1, &mut input)?;
            let y = super::binary::operand::<T>(ctx, flags & 2 != 0, 1 + (flags & 1) as usize, &mut input)?;
            select::<T>(&out, &cond, &x, &y)
        }, Err(TaskError::new("where: unsupported dtype")))
    }
}

/// Copies the input's elements, in row-major order, into a C-contiguous output of
/// another shape with the same number of elements (`reshape` when no view exists).
pub struct ReshapeTask;

impl Task for ReshapeTask {
    const TASK_ID: u32 = crate::RESHAPE;
    const NAME: &'static str = "reshape";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let input = ctx.input(0)?;
        let out = ctx.output(0)?;
        if input.volume() != out.volume() || input.elem_size() != out.elem_size() {
            return Err(TaskError::new("reshape: sizes differ"));
        }
        let size = out.elem_size();
        let contiguous = {
            let (shape, strides) = (out.shape(), out.strides());
            let mut expect = size as i64;
            (0..shape.len()).rev().all(|d| {
                let ok = shape[d] <= 1 || strides[d] == expect;
                expect *= shape[d] as i64;
                ok
            })
        };
        if !contiguous {
            return Err(TaskError::new("reshape: the output must be C-contiguous"));
        }
        let mut dst = out.ptr();
        for_each_row(&[&input], |ptrs, n, strides| {
            for i in 0..n as isize {
                // SAFETY: reading a row of the input tile; writing the next element of
                // the contiguous output (same volume).
                unsafe {
                    std::ptr::copy_nonoverlapping(ptrs[0].offset(i * strides[0] as isize), dst, size);
                    dst = dst.add(size);
                }
            }
        });
        Ok(())
    }
}
