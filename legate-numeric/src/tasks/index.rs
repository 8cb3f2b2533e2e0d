//! Advanced indexing: `nonzero` and the point stores that drive the runtime's gather
//! and scatter copies.
//!
//! * [`NonzeroTask`] writes the coordinates of the nonzero elements of its tile into
//!   an unbound output. The input is split along its first dimension only, so the
//!   tiles are row blocks in row-major order and the runtime, which concatenates the
//!   pieces of an unbound output in launch order, produces exactly NumPy's order.
//! * [`IndexPointsTask`] turns user index arrays (int64, already broadcast to the
//!   result's shape) into `int64[n]` points of the indexed array: per dimension either
//!   the value of an index array (negative values wrap, out-of-range values raise
//!   NumPy's `IndexError` message, or wrap/clip for `take(mode=...)`) or a coordinate
//!   of the result (for dimensions indexed by slices, and for `diagonal`), or the
//!   delinearized flat index (`take(axis=None)`, `put`). The points feed
//!   `Runtime::issue_gather` (`a[idx]`) and `Runtime::issue_scatter` (`a[idx] = v`).

use crate::Numeric;
use legate_core::abi::{for_each_row, TypeCode};
use legate_core::{Element, LegateError, LogicalStore, PhysicalStore, Result, Task, TaskContext, TaskError, Type, LEGATE_MAX_DIM};

pub(crate) const NONZERO: u32 = 40;
pub(crate) const INDEX_POINTS: u32 = 41;

/// Registers the indexing tasks with the numeric library.
pub(crate) fn register(rt: &legate_core::Runtime, lib: &legate_core::Library) -> Result<()> {
    rt.register_task::<NonzeroTask>(lib)?;
    rt.register_task::<IndexPointsTask>(lib)?;
    Ok(())
}

/// What `nonzero` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum NonzeroOutput {
    /// A `(count, ndim)` int64 store: `argwhere`; column `d` is `nonzero(a)[d]`.
    Coords = 0,
    /// A `(count,)` store of `int64[ndim]` points (what a gather takes).
    Points = 1,
    /// A `(count,)` int64 store of row-major flat indices: `flatnonzero`.
    Flat = 2,
}

impl NonzeroOutput {
    pub fn from_name(name: &str) -> Option<NonzeroOutput> {
        match name {
            "coords" => Some(NonzeroOutput::Coords),
            "points" => Some(NonzeroOutput::Points),
            "flat" => Some(NonzeroOutput::Flat),
            _ => None,
        }
    }
}

/// What to do with an index outside `[-n, n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum BoundsMode {
    /// NumPy's `IndexError` (negative indices count from the end).
    Raise = 0,
    /// Modulo the extent (`take(mode="wrap")`, and repeating `put`'s values).
    Wrap = 1,
    /// Clamped into `[0, n)` (`take(mode="clip")`).
    Clip = 2,
}

impl BoundsMode {
    pub fn from_name(name: &str) -> Option<BoundsMode> {
        match name {
            "raise" => Some(BoundsMode::Raise),
            "wrap" => Some(BoundsMode::Wrap),
            "clip" => Some(BoundsMode::Clip),
            _ => None,
        }
    }
}

/// Where coordinate `d` of a point comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexDim {
    /// The value of index array `k` at the result position.
    Array(usize),
    /// The result's coordinate along `dim`, plus `offset`.
    Coord { dim: usize, offset: i64 },
}

const KIND_ARRAY: u32 = 0;
const KIND_COORD: u32 = 1;
const MODE_DIMS: u32 = 0;
const MODE_FLAT: u32 = 1;

/// Calls `f(row_start_coords, row_ptrs, row_len, inner_strides)` for every innermost row
/// of the tiles (all of the first tile's shape), in row-major order, with the global
/// coordinates of the row's first element.
fn rows_at(tiles: &[&PhysicalStore], mut f: impl FnMut(&[i64], &[*mut u8], usize, &[i64])) {
    let first = tiles[0];
    let lo = first.lo().to_vec();
    let shape = first.shape();
    let nd = shape.len();
    let mut coord = lo.clone();
    for_each_row(tiles, |ptrs, n, strides| {
        f(&coord, ptrs, n, strides);
        // The next row: advance the outer coordinates like an odometer.
        let mut d = nd.saturating_sub(1);
        while d > 0 {
            d -= 1;
            coord[d] += 1;
            if coord[d] < lo[d] + shape[d] as i64 {
                break;
            }
            coord[d] = lo[d];
        }
    });
}

/// The elements of a numeric type that count as "nonzero" (NaN does; -0.0 does not).
trait Zero: Element + PartialEq + Default {}
impl<T: Element + PartialEq + Default> Zero for T {}

fn count_nonzero<T: Zero>(t: &PhysicalStore) -> usize {
    let zero = T::default();
    let mut count = 0;
    for_each_row(&[t], |ptrs, n, strides| {
        let s = strides[0] as isize;
        for i in 0..n as isize {
            // SAFETY: a row of this point's input tile.
            if unsafe { *(ptrs[0].offset(i * s) as *const T) } != zero {
                count += 1;
            }
        }
    });
    count
}

/// Writes the coordinates (or flat indices, with `flat_strides`) of the nonzero
/// elements of `t`, in row-major order, to consecutive int64s at `out`.
fn write_nonzero<T: Zero>(t: &PhysicalStore, out: *mut i64, flat_strides: Option<&[i64]>) {
    let zero = T::default();
    let nd = t.ndim();
    let mut at = out;
    rows_at(&[t], |coord, ptrs, n, strides| {
        let s = strides[0] as isize;
        for i in 0..n {
            // SAFETY: a row of this point's input tile.
            if unsafe { *(ptrs[0].offset(i as isize * s) as *const T) } == zero {
                continue;
            }
            let c = |d: usize| if d + 1 == nd { coord[d] + i as i64 } else { coord[d] };
            // SAFETY: `out` has room for every nonzero element (counted before).
            unsafe {
                match flat_strides {
                    Some(fs) => {
                        *at = (0..nd).map(|d| c(d) * fs[d]).sum();
                        at = at.add(1);
                    }
                    None => {
                        for d in 0..nd {
                            *at = c(d);
                            at = at.add(1);
                        }
                    }
                }
            }
        }
    });
}

/// Coordinates of the nonzero elements of input 0 into the unbound output 0.
/// Scalars: the output kind (u32, [`NonzeroOutput`]), then the input's extents (i64 each).
pub struct NonzeroTask;

impl Task for NonzeroTask {
    const TASK_ID: u32 = NONZERO;
    const NAME: &'static str = "nonzero";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mode = ctx.scalar::<u32>(0)?;
        let input = ctx.input(0)?;
        let nd = input.ndim();
        let extents: Vec<i64> = (0..nd).map(|d| ctx.scalar::<i64>(1 + d)).collect::<Result<_, _>>()?;
        let count = crate::with_numeric_type!(input.type_code(), T => count_nonzero::<T>(&input),
            return Err(TaskError::new("nonzero: unsupported dtype")));
        let out = match mode {
            0 => ctx.bind_output(0, &[count, nd])?,
            1 | 2 => ctx.bind_output(0, &[count])?,
            _ => return Err(TaskError::new(format!("nonzero: unknown output kind {mode}"))),
        };
        if count == 0 {
            return Ok(());
        }
        let expect = if mode == 2 { 8 } else { 8 * nd };
        if out.elem_size() * (if mode == 0 { nd } else { 1 }) != expect {
            return Err(TaskError::new("nonzero: the output has the wrong element type"));
        }
        let mut flat = vec![1i64; nd];
        for d in (0..nd.saturating_sub(1)).rev() {
            flat[d] = flat[d + 1] * extents[d + 1];
        }
        let fs = (mode == 2).then_some(flat.as_slice());
        let ptr = out.ptr() as *mut i64;
        crate::with_numeric_type!(input.type_code(), T => write_nonzero::<T>(&input, ptr, fs), unreachable!());
        Ok(())
    }
}

/// Builds `int64[n]` points (output 0, shape of the result) from int64 index arrays
/// (the inputs, each of the output's shape).
///
/// Scalars: mode (u32: 0 = per dimension, 1 = flat), bounds ([`BoundsMode`] as u32),
/// n (u32), then per dimension `kind` (u32: 0 = array, 1 = coordinate), `arg` (i64:
/// the array's input index or the result dimension), `offset` (i64) and `extent`
/// (i64); in flat mode only the n extents follow and input 0 holds flat indices.
pub struct IndexPointsTask;

#[derive(Clone, Copy)]
struct Dim {
    kind: u32,
    arg: usize,
    offset: i64,
    extent: i64,
}

/// Applies the bounds mode to index `v` of a dimension of `extent`.
#[inline]
fn fix(v: i64, extent: i64, bounds: u32, axis: usize) -> Result<i64, String> {
    match bounds {
        1 => {
            if extent == 0 {
                return Err("cannot do a non-empty take from an empty axes.".into());
            }
            Ok(v.rem_euclid(extent))
        }
        2 => {
            if extent == 0 {
                return Err("cannot do a non-empty take from an empty axes.".into());
            }
            Ok(v.clamp(0, extent - 1))
        }
        _ => {
            let w = if v < 0 { v + extent } else { v };
            if w < 0 || w >= extent {
                return Err(format!("index {v} is out of bounds for axis {axis} with size {extent}"));
            }
            Ok(w)
        }
    }
}

impl Task for IndexPointsTask {
    const TASK_ID: u32 = INDEX_POINTS;
    const NAME: &'static str = "index_points";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mode = ctx.scalar::<u32>(0)?;
        let bounds = ctx.scalar::<u32>(1)?;
        let n = ctx.scalar::<u32>(2)? as usize;
        if n == 0 || n > LEGATE_MAX_DIM {
            return Err(TaskError::new(format!("index_points: points of {n} dimensions")));
        }
        let out = ctx.output(0)?;
        if out.elem_size() != 8 * n {
            return Err(TaskError::new("index_points: the output must hold int64[n] points"));
        }
        let mut dims = Vec::with_capacity(n);
        let mut extents = Vec::with_capacity(n);
        if mode == MODE_DIMS {
            for d in 0..n {
                let k = 3 + 4 * d;
                let dim = Dim {
                    kind: ctx.scalar::<u32>(k)?,
                    arg: ctx.scalar::<i64>(k + 1)? as usize,
                    offset: ctx.scalar::<i64>(k + 2)?,
                    extent: ctx.scalar::<i64>(k + 3)?,
                };
                extents.push(dim.extent);
                dims.push(dim);
            }
        } else {
            for d in 0..n {
                extents.push(ctx.scalar::<i64>(3 + d)?);
            }
        }
        let inputs = ctx.inputs();
        for t in &inputs {
            if t.type_code() != Some(TypeCode::Int64) || t.shape() != out.shape() {
                return Err(TaskError::new("index_points: index arrays must be int64 of the result's shape"));
            }
        }
        let out_nd = out.ndim();
        let total: i64 = extents.iter().product();
        let mut tiles = vec![&out];
        tiles.extend(inputs.iter());
        let mut error: Option<String> = None;
        rows_at(&tiles, |coord, ptrs, len, strides| {
            if error.is_some() {
                return;
            }
            for i in 0..len {
                let read = |k: usize| -> i64 {
                    // SAFETY: element i of a row of index tile k (same shape as the output).
                    unsafe { *(ptrs[1 + k].offset(i as isize * strides[1 + k] as isize) as *const i64) }
                };
                let mut p = [0i64; LEGATE_MAX_DIM];
                if mode == MODE_FLAT {
                    let v = match fix(read(0), total, bounds, 0) {
                        Ok(v) => v,
                        Err(e) => {
                            error = Some(e);
                            return;
                        }
                    };
                    let mut rest = v;
                    for d in (0..n).rev() {
                        p[d] = rest % extents[d].max(1);
                        rest /= extents[d].max(1);
                    }
                } else {
                    for (d, dim) in dims.iter().enumerate() {
                        p[d] = if dim.kind == KIND_ARRAY {
                            match fix(read(dim.arg), dim.extent, bounds, d) {
                                Ok(v) => v,
                                Err(e) => {
                                    error = Some(e);
                                    return;
                                }
                            }
                        } else {
                            let j = dim.arg;
                            (if j + 1 == out_nd { coord[j] + i as i64 } else { coord[j] }) + dim.offset
                        };
                    }
                }
                // SAFETY: element i of the output row holds n int64s.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        p.as_ptr() as *const u8,
                        ptrs[0].offset(i as isize * strides[0] as isize),
                        8 * n,
                    )
                };
            }
        });
        error.map_or(Ok(()), |e| Err(TaskError::new(e)))
    }
}

fn invalid(msg: impl Into<String>) -> LegateError {
    LegateError::InvalidArgument(msg.into())
}

/// Advanced indexing.
impl Numeric {
    /// The coordinates of the nonzero elements of `input` (row-major order), as
    /// `kind` says. The result is unbound until the task has run: its shape waits for it.
    pub fn nonzero(&self, input: &LogicalStore, kind: NonzeroOutput) -> Result<LogicalStore> {
        let shape = input.shape();
        let nd = shape.ndim();
        if nd == 0 {
            return Err(invalid("nonzero of a 0-d store: promote it to 1-d first"));
        }
        let (ty, out_nd) = match kind {
            NonzeroOutput::Coords => (Type::Int64, 2),
            NonzeroOutput::Points => (Type::point(nd), 1),
            NonzeroOutput::Flat => (Type::Int64, 1),
        };
        if shape.volume() == 0 {
            let dims: Vec<usize> = if out_nd == 2 { vec![0, nd] } else { vec![0] };
            return self.rt.create_store(ty, &dims);
        }
        let out = self.rt.create_unbound_store(ty, out_nd)?;
        let mut t = self.rt.create_auto_task(&self.lib, NONZERO);
        t.add_scalar_arg(kind as u32);
        for &e in shape.as_slice() {
            t.add_scalar_arg(e);
        }
        let i = t.add_input(input);
        // Row blocks only: pieces concatenated in launch order are in row-major order.
        if nd > 1 {
            let rest: Vec<usize> = (1..nd).collect();
            t.add_broadcast(i, Some(&rest));
        }
        t.add_output(&out);
        t.execute()?;
        Ok(out)
    }

    /// A new store of `int64[n]` points (`n = src_shape.len()`) of shape `out_shape`:
    /// coordinate `d` of each point comes from `dims[d]`. `arrays` are int64 stores of
    /// `out_shape` (broadcast views are fine). With `wait`, bad indices raise here
    /// (the task runs before this returns); otherwise they fail the task.
    pub fn index_points(
        &self,
        out_shape: &[usize],
        src_shape: &[i64],
        dims: &[IndexDim],
        arrays: &[&LogicalStore],
        bounds: BoundsMode,
        wait: bool,
    ) -> Result<LogicalStore> {
        let n = src_shape.len();
        if n == 0 || dims.len() != n {
            return Err(invalid(format!("index_points: {} dimension sources for a {n}-d array", dims.len())));
        }
        let out = self.rt.create_store(Type::point(n), out_shape)?;
        for (d, dim) in dims.iter().enumerate() {
            match *dim {
                IndexDim::Array(k) if k >= arrays.len() => {
                    return Err(invalid(format!("index_points: dimension {d} names index array {k} of {}", arrays.len())))
                }
                IndexDim::Coord { dim, .. } if dim >= out_shape.len() => {
                    return Err(invalid(format!("index_points: dimension {d} names result dimension {dim}")))
                }
                _ => {}
            }
        }
        self.launch_points(&out, MODE_DIMS, bounds, src_shape, dims, arrays, wait)?;
        Ok(out)
    }

    /// Points of an array of `src_shape` from row-major flat indices (`flat`, int64):
    /// a new store of `flat`'s shape.
    pub fn flat_points(&self, flat: &LogicalStore, src_shape: &[i64], bounds: BoundsMode, wait: bool) -> Result<LogicalStore> {
        let n = src_shape.len();
        if n == 0 {
            return Err(invalid("flat_points: the indexed array must have at least one dimension"));
        }
        let out = self.rt.create_store(Type::point(n), &flat.shape().to_usize())?;
        self.launch_points(&out, MODE_FLAT, bounds, src_shape, &[], &[flat], wait)?;
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn launch_points(
        &self,
        out: &LogicalStore,
        mode: u32,
        bounds: BoundsMode,
        src_shape: &[i64],
        dims: &[IndexDim],
        arrays: &[&LogicalStore],
        wait: bool,
    ) -> Result<()> {
        for a in arrays {
            if *a.ty() != Type::Int64 {
                return Err(LegateError::TypeMismatch(format!("index arrays must be int64, not {}", a.ty())));
            }
            if a.shape() != out.shape() {
                return Err(LegateError::ShapeMismatch(format!(
                    "index array of shape {} does not match the result's shape {}",
                    a.shape(),
                    out.shape()
                )));
            }
        }
        if out.volume() == 0 {
            return Ok(());
        }
        let mut t = self.rt.create_auto_task(&self.lib, INDEX_POINTS);
        t.add_scalar_arg(mode);
        t.add_scalar_arg(bounds as u32);
        t.add_scalar_arg(src_shape.len() as u32);
        if mode == MODE_DIMS {
            for (d, dim) in dims.iter().enumerate() {
                let (kind, arg, offset) = match *dim {
                    IndexDim::Array(k) => (KIND_ARRAY, k as i64, 0),
                    IndexDim::Coord { dim, offset } => (KIND_COORD, dim as i64, offset),
                };
                t.add_scalar_arg(kind);
                t.add_scalar_arg(arg);
                t.add_scalar_arg(offset);
                t.add_scalar_arg(src_shape[d]);
            }
        } else {
            for &e in src_shape {
                t.add_scalar_arg(e);
            }
        }
        let o = t.add_output(out);
        for a in arrays {
            let v = t.add_input(a);
            t.add_alignment(o, v);
        }
        t.throws_exception(wait);
        t.execute()
    }
}
