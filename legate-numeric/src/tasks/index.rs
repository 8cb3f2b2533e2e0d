//! Advanced indexing: `nonzero`, point stores built from index arrays, and the gather
//! and scatter that move elements through them.
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
//!   delinearized flat index (`take(axis=None)`, `put`).
//! * [`GatherTask`] (`a[idx]`: tiled like the result, the source whole) and
//!   [`ScatterTask`] (`a[idx] = v`: one point, so repeated indices keep the last value
//!   in row-major order) take the same indices as the runtime's `issue_gather` /
//!   `issue_scatter` (int64 for 1-d arrays, `int64[n]` points otherwise) but move each
//!   element with a load and a store monomorphized for its size: about 10x faster than
//!   the core's byte-generic indirect copy on random indices.

use crate::Numeric;
use legate_core::abi::{for_each_row, TypeCode};
use legate_core::{Element, LegateError, LogicalStore, PhysicalStore, Result, Task, TaskContext, TaskError, Type, LEGATE_MAX_DIM};

pub(crate) const NONZERO: u32 = 40;
pub(crate) const INDEX_POINTS: u32 = 41;
pub(crate) const GATHER: u32 = 42;
pub(crate) const SCATTER: u32 = 43;

/// Registers the indexing tasks with the numeric library.
pub(crate) fn register(rt: &legate_core::Runtime, lib: &legate_core::Library) -> Result<()> {
    rt.register_task::<NonzeroTask>(lib)?;
    rt.register_task::<IndexPointsTask>(lib)?;
    rt.register_task::<GatherTask>(lib)?;
    rt.register_task::<ScatterTask>(lib)?;
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
    super::loops::for_each_run(&[t], |ptrs, n, strides| {
        let s = strides[0] as isize;
        let p = ptrs[0] as *const T;
        // SAFETY: rows of this point's input tile.
        count += if s == T::SIZE as isize {
            (0..n).map(|i| (unsafe { *p.add(i) } != zero) as usize).sum::<usize>()
        } else {
            (0..n as isize).map(|i| (unsafe { *(ptrs[0].offset(i * s) as *const T) } != zero) as usize).sum::<usize>()
        };
    });
    count
}

/// Writes the coordinates (or flat indices, with `flat_strides`) of the `count`
/// nonzero elements of `t`, in row-major order, to consecutive int64s at `out`.
///
/// Branch-free (random masks would mispredict every other element): each element's
/// entry is written at the current slot, which advances only for nonzero elements; the
/// guard against writing past the last slot is the only branch and it is predictable.
fn write_nonzero<T: Zero>(t: &PhysicalStore, out: *mut i64, count: usize, flat_strides: Option<&[i64]>) {
    let zero = T::default();
    let nd = t.ndim();
    let width = if flat_strides.is_some() { 1 } else { nd };
    let mut k = 0usize;
    rows_at(&[t], |coord, ptrs, n, strides| {
        let s = strides[0] as isize;
        match flat_strides {
            Some(fs) => {
                let base: i64 = (0..nd).map(|d| coord[d] * fs[d]).sum();
                let step = fs.get(nd.wrapping_sub(1)).copied().unwrap_or(1);
                for i in 0..n {
                    // SAFETY: element i of a row of the input tile; `out` has `count` slots.
                    let nz = unsafe { *(ptrs[0].offset(i as isize * s) as *const T) } != zero;
                    if k < count {
                        unsafe { *out.add(k) = base + i as i64 * step };
                    }
                    k += nz as usize;
                }
            }
            None => {
                let last = nd - 1;
                for i in 0..n {
                    // SAFETY: as above, with `nd` int64s per slot.
                    let nz = unsafe { *(ptrs[0].offset(i as isize * s) as *const T) } != zero;
                    if k < count {
                        let at = unsafe { out.add(k * width) };
                        for (d, &c) in coord[..last].iter().enumerate() {
                            unsafe { *at.add(d) = c };
                        }
                        unsafe { *at.add(last) = coord[last] + i as i64 };
                    }
                    k += nz as usize;
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
        if nd == 0 {
            return Err(TaskError::new("nonzero: the input must have at least one dimension"));
        }
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
        crate::with_numeric_type!(input.type_code(), T => write_nonzero::<T>(&input, ptr, count, fs), unreachable!());
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

/// Walks the elements of `small` (the gather's result or the scatter's values) and of
/// `ind` (its points into `big`) in row-major order, calling `mv(to, from)` with the
/// element of `small` and the bounds-checked element of `big` (`gather`: big to small;
/// otherwise small to big). `mv` moves one element; it is monomorphized per size, so
/// the loop is a load, a bounds check and a store.
fn indirect(big: &PhysicalStore, ind: &PhysicalStore, small: &PhysicalStore, gather: bool, mv: impl Fn(*mut u8, *const u8)) -> Result<(), TaskError> {
    let n = big.ndim();
    if ind.elem_size() != 8 * n || ind.shape() != small.shape() {
        return Err(TaskError::new(format!("indirect copy: a {n}-d array needs int64[{n}] indices of the other side's shape")));
    }
    let (lo, hi, strides, base) = (big.lo().to_vec(), big.hi().to_vec(), big.strides().to_vec(), big.ptr());
    let mut error = None;
    for_each_row(&[small, ind], |ptrs, len, st| {
        if error.is_some() {
            return;
        }
        for i in 0..len as isize {
            let here = ptrs[0].wrapping_offset(i * st[0] as isize);
            let ip = ptrs[1].wrapping_offset(i * st[1] as isize) as *const i64;
            let mut off = 0i64;
            for d in 0..n {
                // SAFETY: element i of the index row holds n int64s.
                let c = unsafe { ip.add(d).read_unaligned() };
                if c < lo[d] || c >= hi[d] {
                    let p: Vec<i64> = (0..n).map(|k| unsafe { ip.add(k).read_unaligned() }).collect();
                    let shape: Vec<i64> = (0..n).map(|k| hi[k] - lo[k]).collect();
                    error = Some(format!("index {p:?} is out of bounds for an array of shape {shape:?}"));
                    return;
                }
                off += (c - lo[d]) * strides[d];
            }
            let there = base.wrapping_offset(off as isize);
            if gather {
                mv(here, there);
            } else {
                mv(there, here);
            }
        }
    });
    error.map_or(Ok(()), |e| Err(TaskError::new(e)))
}

/// Runs [`indirect`] with a mover for the element size.
fn indirect_sized(big: &PhysicalStore, ind: &PhysicalStore, small: &PhysicalStore, gather: bool) -> Result<(), TaskError> {
    macro_rules! typed {
        ($t:ty) => {
            // SAFETY: both pointers address one element of this size in tiles the
            // scheduler reserved for this point (unaligned accesses are allowed).
            indirect(big, ind, small, gather, |to, from| unsafe { (to as *mut $t).write_unaligned((from as *const $t).read_unaligned()) })
        };
    }
    let size = small.elem_size();
    if big.elem_size() != size {
        return Err(TaskError::new("indirect copy: the two sides have different element types"));
    }
    match size {
        1 => typed!(u8),
        2 => typed!(u16),
        4 => typed!(u32),
        8 => typed!(u64),
        16 => typed!([u64; 2]),
        // SAFETY: as above, `size` bytes each.
        _ => indirect(big, ind, small, gather, |to, from| unsafe { std::ptr::copy_nonoverlapping(from, to, size) }),
    }
}

/// `out[i] = src[ind[i]]`: input 0 the source (whole), input 1 the indices (int64 for
/// a 1-d source, `int64[n]` points otherwise), output 0 the result (tiled like input 1).
pub struct GatherTask;

impl Task for GatherTask {
    const TASK_ID: u32 = GATHER;
    const NAME: &'static str = "gather";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (src, ind, out) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
        indirect_sized(&src, &ind, &out, true)
    }
}

/// `dst[ind[i]] = vals[i]`: output 0 the target (whole, so one point: repeated indices
/// keep the last value in row-major order), input 0 the values, input 1 the indices.
pub struct ScatterTask;

impl Task for ScatterTask {
    const TASK_ID: u32 = SCATTER;
    const NAME: &'static str = "scatter";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (vals, ind, dst) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
        indirect_sized(&dst, &ind, &vals, false)
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

    fn check_indirect(ind: &LogicalStore, target: &LogicalStore, other: &LogicalStore, what: &str) -> Result<()> {
        if target.ty() != other.ty() {
            return Err(LegateError::TypeMismatch(format!("{what}: types {} and {} differ", target.ty(), other.ty())));
        }
        let n = target.ndim();
        if n == 0 || !(*ind.ty() == Type::point(n) || n == 1 && *ind.ty() == Type::Int64) {
            return Err(LegateError::TypeMismatch(format!("{what}: a {n}-d array needs int64[{n}] indices, not {}", ind.ty())));
        }
        if ind.shape() != other.shape() {
            return Err(LegateError::ShapeMismatch(format!("{what}: indices of shape {} for values of shape {}", ind.shape(), other.shape())));
        }
        Ok(())
    }

    /// `dst[i] = src[ind[i]]` for every position `i` of `dst` (the indices are int64
    /// for a 1-d `src`, `int64[n]` points otherwise, and must be in bounds).
    pub fn gather(&self, dst: &LogicalStore, src: &LogicalStore, ind: &LogicalStore) -> Result<()> {
        Self::check_indirect(ind, src, dst, "gather")?;
        if dst.volume() == 0 {
            return Ok(());
        }
        let src = if src.same_storage(dst) { self.staged(src)? } else { src.clone() };
        let mut t = self.rt.create_auto_task(&self.lib, GATHER);
        let s = t.add_input(&src);
        let i = t.add_input(ind);
        let o = t.add_output(dst);
        t.add_alignment(o, i);
        t.add_broadcast(s, None);
        t.execute()
    }

    /// `dst[ind[i]] = vals[i]` for every position `i` of `vals`, as one task walking
    /// `vals` in row-major order: for repeated indices the last value wins. `vals` is
    /// read completely before `dst` is written, even when they share a storage.
    pub fn scatter(&self, dst: &LogicalStore, ind: &LogicalStore, vals: &LogicalStore) -> Result<()> {
        Self::check_indirect(ind, dst, vals, "scatter")?;
        if vals.volume() == 0 {
            return Ok(());
        }
        let vals = if vals.same_storage(dst) { self.staged(vals)? } else { vals.clone() };
        let ind = if ind.same_storage(dst) { self.staged(ind)? } else { ind.clone() };
        let mut t = self.rt.create_auto_task(&self.lib, SCATTER);
        let v = t.add_input(&vals);
        let i = t.add_input(&ind);
        let o = t.add_partial_output(dst);
        t.add_alignment(v, i);
        t.add_broadcast(o, None);
        t.execute()
    }

    /// A private copy of `s`.
    fn staged(&self, s: &LogicalStore) -> Result<LogicalStore> {
        let tmp = self.rt.create_store(s.ty().clone(), &s.shape().to_usize())?;
        self.rt.issue_copy(&tmp, s)?;
        Ok(tmp)
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

#[cfg(test)]
mod tests {
    use super::*;
    use legate_core::{Config, Runtime};

    fn runtime(cpus: usize) -> (Runtime, Numeric) {
        let rt = Runtime::new(Config { cpus, min_cpu_chunk: 2, ..Config::legate_defaults() }).expect("runtime");
        let n = Numeric::register(&rt).expect("numeric");
        (rt, n)
    }

    /// Nonzero over several points gives NumPy's row-major order, in all three forms.
    #[test]
    fn nonzero_is_row_major_across_points() {
        let (rt, n) = runtime(4);
        let (rows, cols) = (9usize, 7usize);
        let data: Vec<f64> = (0..rows * cols).map(|i| if (i * 7 + 3) % 5 < 2 { 0.0 } else { i as f64 }).collect();
        let a = rt.create_store_from(&[rows, cols], &data).unwrap();
        let expect: Vec<(i64, i64)> =
            (0..rows * cols).filter(|&i| data[i] != 0.0).map(|i| ((i / cols) as i64, (i % cols) as i64)).collect();

        let coords = n.nonzero(&a, NonzeroOutput::Coords).unwrap();
        let ops = rt.operations();
        assert!(ops.last().unwrap().points > 1, "nonzero ran as one point: the test checks nothing");
        let c = rt.read_store::<i64>(&coords).unwrap();
        assert_eq!(c.shape(), &[expect.len(), 2]);
        for (k, &(i, j)) in expect.iter().enumerate() {
            assert_eq!((c[[k, 0]], c[[k, 1]]), (i, j));
        }
        let flat = rt.read_store::<i64>(&n.nonzero(&a, NonzeroOutput::Flat).unwrap()).unwrap();
        let want: Vec<i64> = expect.iter().map(|&(i, j)| i * cols as i64 + j).collect();
        assert_eq!(flat.iter().copied().collect::<Vec<_>>(), want);

        // Gather at the points: a[a != 0].
        let pts = n.nonzero(&a, NonzeroOutput::Points).unwrap();
        let out = rt.create_store(Type::Float64, &[expect.len()]).unwrap();
        n.gather(&out, &a, &pts).unwrap();
        let got = rt.read_store::<f64>(&out).unwrap();
        let want: Vec<f64> = data.iter().copied().filter(|&v| v != 0.0).collect();
        assert_eq!(got.iter().copied().collect::<Vec<_>>(), want);
    }

    /// Index points wrap negative indices, take slice coordinates and raise on bad ones.
    #[test]
    fn index_points_wrap_and_check() {
        let (rt, n) = runtime(2);
        let idx = rt.create_store_from(&[4], &[0i64, -1, 2, -3]).unwrap();
        // a[idx, 1:] of a 3x5 array viewed as [idx][:, 1:]: result (4, 4).
        let view_idx = idx.promote(1, 4).unwrap();
        let pts = n
            .index_points(&[4, 4], &[3, 4], &[IndexDim::Array(0), IndexDim::Coord { dim: 1, offset: 0 }], &[&view_idx], BoundsMode::Raise, true)
            .unwrap();
        let data: Vec<i32> = (0..15).collect();
        let a = rt.create_store_from(&[3, 5], &data).unwrap().slice(1, Some(1), None, 1).unwrap();
        let out = rt.create_store(Type::Int32, &[4, 4]).unwrap();
        n.gather(&out, &a, &pts).unwrap();
        let got = rt.read_store::<i32>(&out).unwrap();
        for (r, row) in [0, 2, 2, 0].iter().enumerate() {
            for c in 0..4 {
                assert_eq!(got[[r, c]], row * 5 + 1 + c as i32);
            }
        }
        let bad = rt.create_store_from(&[2], &[0i64, 3]).unwrap();
        let err = n.index_points(&[2], &[3], &[IndexDim::Array(0)], &[&bad], BoundsMode::Raise, true).unwrap_err();
        assert!(err.to_string().contains("index 3 is out of bounds for axis 0 with size 3"), "{err}");
        let wrapped = n.flat_points(&bad, &[3], BoundsMode::Wrap, true).unwrap();
        let w = rt.read_store::<[i64; 1]>(&wrapped).unwrap();
        assert_eq!(w.iter().map(|p| p[0]).collect::<Vec<_>>(), vec![0, 0]);
    }

    /// Scatter: repeated targets keep the last value; values aliasing the target are
    /// read first; out-of-range points fail the task with an "out of bounds" error.
    #[test]
    fn scatter_last_wins_and_aliasing() {
        let (rt, n) = runtime(4);
        let a = rt.create_store_from(&[6], &[0i64, 1, 2, 3, 4, 5]).unwrap();
        let idx = rt.create_store_from(&[5], &[1i64, 1, 3, 1, 0]).unwrap();
        let vals = rt.create_store_from(&[5], &[10i64, 20, 30, 40, 50]).unwrap();
        n.scatter(&a, &idx, &vals).unwrap();
        assert_eq!(rt.read_store::<i64>(&a).unwrap().into_raw_vec_and_offset().0, vec![50, 40, 2, 30, 4, 5]);
        // a[[0, 1, 2]] = a[3:6], through the same storage.
        let idx = rt.create_store_from(&[3], &[0i64, 1, 2]).unwrap();
        n.scatter(&a, &idx, &a.slice(0, Some(3), None, 1).unwrap()).unwrap();
        assert_eq!(rt.read_store::<i64>(&a).unwrap().into_raw_vec_and_offset().0, vec![30, 4, 5, 30, 4, 5]);
        // Complex values (16 bytes) through a 2-d gather with points.
        let data: Vec<num_complex::Complex64> = (0..12).map(|i| num_complex::Complex64::new(i as f64, -(i as f64))).collect();
        let c = rt.create_store_from(&[3, 4], &data).unwrap();
        let pts = rt.create_store_from(&[2], &[[2i64, 3], [0, 1]]).unwrap();
        let out = rt.create_store(Type::Complex128, &[2]).unwrap();
        n.gather(&out, &c, &pts).unwrap();
        assert_eq!(rt.read_store::<num_complex::Complex64>(&out).unwrap().into_raw_vec_and_offset().0, vec![data[11], data[1]]);
        let bad = rt.create_store_from(&[1], &[[3i64, 0]]).unwrap();
        let out = rt.create_store(Type::Complex128, &[1]).unwrap();
        n.gather(&out, &c, &bad).unwrap();
        let err = rt.read_store::<num_complex::Complex64>(&out).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{err}");
    }
}
