//! Sorting along one axis (`sort`, `argsort`). The launch does not split the sorted
//! axis, so each point owns whole lines and sorts them in NumPy's order: NaNs last, and
//! complex numbers lexicographically (a NaN part sorts after every number). Sorting is
//! stable, so `argsort` gives NumPy's `kind="stable"` result.

use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;
use std::cmp::Ordering;

use super::scan::for_each_line;

/// NumPy's sort order of one element type.
pub trait Sortable: Element + Copy {
    fn order(a: &Self, b: &Self) -> Ordering;
}

macro_rules! ordered {
    ($($t:ty),*) => {$(
        impl Sortable for $t {
            fn order(a: &Self, b: &Self) -> Ordering {
                a.cmp(b)
            }
        }
    )*};
}
ordered!(bool, i8, i16, i32, i64, u8, u16, u32, u64);

/// Numbers in ascending order, then NaNs (equal to each other).
fn nan_last<F: num_traits::Float>(a: F, b: F) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (x, y) => x.cmp(&y),
    }
}

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Sortable for $t {
            fn order(a: &Self, b: &Self) -> Ordering {
                nan_last(*a, *b)
            }
        }
        impl Sortable for Complex<$t> {
            /// NumPy: `R + Rj < R + nanj < nan + Rj < nan + nanj`, lexicographic within.
            fn order(a: &Self, b: &Self) -> Ordering {
                let class = |z: &Self| (z.re.is_nan(), z.im.is_nan());
                class(a).cmp(&class(b)).then_with(|| nan_last(a.re, b.re)).then_with(|| nan_last(a.im, b.im))
            }
        }
    )*};
}
floats!(f32, f64);

/// Sorts every line of `input` along `axis` into `out`: the values (`indices` false,
/// `out` of the input's type) or their positions (`indices` true, `out` int64).
fn sort_lines<T: Sortable>(input: &PhysicalStore, out: &PhysicalStore, axis: usize, indices: bool) -> Result<(), TaskError> {
    if input.type_code() != Some(T::CODE) || out.type_code() != Some(if indices { i64::CODE } else { T::CODE }) {
        return Err(TaskError::new("sort: the output must have the input's type (sort) or int64 (argsort)"));
    }
    // Lines are sorted in the output's own memory when it is contiguous, with an
    // in-place sort (the index breaks ties, which keeps argsort stable): no scratch
    // memory beyond one line for strided outputs.
    let mut values: Vec<T> = Vec::new();
    let mut order: Vec<i64> = Vec::new();
    for_each_line(&[input, out], axis, |ptrs, n, strides| {
        let (pi, si) = (ptrs[0] as *const T, strides[0] / T::SIZE as isize);
        // SAFETY: lines of this point's tiles; a line of `out` may alias the input's
        // only for `sort` (same type), which reads the line whole before writing it.
        unsafe {
            if indices {
                let key = |k: i64| &*pi.offset(k as isize * si);
                let by_value = |a: &i64, b: &i64| T::order(key(*a), key(*b)).then(a.cmp(b));
                let (po, so) = (ptrs[1] as *mut i64, strides[1] / 8);
                if so == 1 {
                    let line = std::slice::from_raw_parts_mut(po, n);
                    for (j, k) in line.iter_mut().enumerate() {
                        *k = j as i64;
                    }
                    line.sort_unstable_by(by_value);
                } else {
                    order.clear();
                    order.extend(0..n as i64);
                    order.sort_unstable_by(by_value);
                    for (j, &k) in order.iter().enumerate() {
                        *po.offset(j as isize * so) = k;
                    }
                }
            } else {
                let (po, so) = (ptrs[1] as *mut T, strides[1] / T::SIZE as isize);
                if so == 1 {
                    let line = std::slice::from_raw_parts_mut(po, n);
                    if si == 1 {
                        std::ptr::copy(pi, po, n);
                    } else {
                        values.clear();
                        values.extend((0..n as isize).map(|j| *pi.offset(j * si)));
                        line.copy_from_slice(&values);
                    }
                    line.sort_unstable_by(T::order);
                } else {
                    values.clear();
                    values.extend((0..n as isize).map(|j| *pi.offset(j * si)));
                    values.sort_unstable_by(T::order);
                    for (j, &v) in values.iter().enumerate() {
                        *po.offset(j as isize * so) = v;
                    }
                }
            }
        }
    });
    Ok(())
}

/// For every value of `values`, the position in the sorted 1-d `sorted` where it would
/// be inserted: before equal elements (`right` false) or after them.
fn search<T: Sortable>(sorted: &PhysicalStore, values: &PhysicalStore, out: &PhysicalStore, right: bool) -> Result<(), TaskError> {
    if sorted.type_code() != Some(T::CODE) || values.type_code() != Some(T::CODE) || out.type_code() != Some(i64::CODE) {
        return Err(TaskError::new("searchsorted: one dtype for the array and the values, int64 positions"));
    }
    let table: Vec<T> = sorted.view::<T>().map_err(|e| TaskError::new(e.0))?.iter().copied().collect();
    super::loops::map1(out, &super::loops::Operand::Tile(*values), |v: T| {
        table.partition_point(|x| match T::order(x, &v) {
            Ordering::Less => true,
            Ordering::Equal => right,
            Ordering::Greater => false,
        }) as i64
    })
}

pub struct SearchTask;

impl Task for SearchTask {
    const TASK_ID: u32 = crate::SEARCH;
    const NAME: &'static str = "searchsorted";

    /// Scalars: right (bool). Input 0: the sorted 1-d array (whole); input 1: the values;
    /// output 0: int64 positions, aligned with the values.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let right = ctx.scalar::<bool>(0)?;
        let (sorted, values, out) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
        crate::with_numeric_type!(sorted.type_code(), T => {
            search::<T>(&sorted, &values, &out, right)
        }, Err(TaskError::new("searchsorted: unsupported dtype")))
    }
}

pub struct SortTask;

impl Task for SortTask {
    const TASK_ID: u32 = crate::SORT;
    const NAME: &'static str = "sort";

    /// Scalars: axis (u32), indices (bool: argsort). Input 0: the values; output 0: the
    /// sorted values or their int64 positions, aligned with the input.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let axis = ctx.scalar::<u32>(0)? as usize;
        let indices = ctx.scalar::<bool>(1)?;
        let (input, out) = (ctx.input(0)?, ctx.output(0)?);
        if input.ndim() > 0 && axis >= input.ndim() {
            return Err(TaskError::new(format!("sort: axis {axis} is out of range")));
        }
        crate::with_numeric_type!(input.type_code(), T => {
            sort_lines::<T>(&input, &out, axis, indices)
        }, Err(TaskError::new("sort: unsupported dtype")))
    }
}

/// Sample sort of a 1-d array over the points of a launch with a communicator (one
/// point per rank): each point sorts its piece, the points agree on splitters from
/// samples of every piece, send each value to the point whose range holds it
/// (all-to-all), and sort what they received. Point `p`'s output piece holds the `p`-th
/// range, so the pieces concatenated in launch order are the sorted array, and every
/// value travels at most once.
fn sample_sort<T: Sortable>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let input = ctx.input(0)?;
    let mut local: Vec<T> = input.view::<T>()?.iter().copied().collect();
    local.sort_by(T::order);
    let size = T::SIZE;
    let bytes = |v: &[T]| -> Vec<u8> {
        // SAFETY: plain-old-data elements, viewed as their bytes.
        unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, std::mem::size_of_val(v)) }.to_vec()
    };
    let values = |b: &[u8]| -> Vec<T> {
        b.chunks_exact(size)
            .map(|c| {
                // SAFETY: each chunk holds one element's bytes (unaligned read).
                unsafe { std::ptr::read_unaligned(c.as_ptr() as *const T) }
            })
            .collect()
    };
    let mut comm = ctx.communicator().ok_or_else(|| TaskError::new("sample sort needs a communicator"))?;
    let n = comm.size();
    let sorted = if n <= 1 {
        local
    } else {
        // Up to 32 evenly spaced samples of each piece; n - 1 splitters from all of them.
        let take = local.len().min(32);
        let samples: Vec<T> = (0..take).map(|k| local[(2 * k + 1) * local.len() / (2 * take)]).collect();
        let mut all: Vec<T> = comm.all_gather(&bytes(&samples))?.iter().flat_map(|b| values(b)).collect();
        all.sort_by(T::order);
        let splitters: Vec<T> = (1..n).filter_map(|j| all.get(j * all.len() / n).copied()).collect();
        // Bucket j holds the values after splitter j-1, up to and including splitter j.
        let mut parts: Vec<Vec<u8>> = Vec::with_capacity(n);
        let mut start = 0;
        for j in 0..n {
            let end = match splitters.get(j) {
                Some(s) => start + local[start..].partition_point(|x| T::order(x, s) != Ordering::Greater),
                None => local.len(),
            };
            parts.push(bytes(&local[start..end]));
            start = end;
        }
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        let mut mine: Vec<T> = comm.all_to_all(&refs)?.iter().flat_map(|b| values(b)).collect();
        mine.sort_by(T::order);
        mine
    };
    let mut out = ctx.bind_output(0, &[sorted.len()])?;
    let mut view = out.view_mut::<T>()?;
    for (o, v) in view.iter_mut().zip(&sorted) {
        *o = *v;
    }
    Ok(())
}

pub struct SampleSortTask;

impl Task for SampleSortTask {
    const TASK_ID: u32 = crate::SAMPLE_SORT;
    const NAME: &'static str = "sample_sort";

    /// Input 0: the 1-d values (tiled, one piece per rank); output 0: unbound, 1-d, the
    /// input's type: this point's range of the sorted values. Needs a communicator.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(0)?.type_code();
        crate::with_numeric_type!(code, T => sample_sort::<T>(ctx), Err(TaskError::new("sort: unsupported dtype")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_order_for_nans_and_complex() {
        let mut v = vec![3.0, f64::NAN, -0.5, 1.0, f64::NAN, -7.0];
        v.sort_by(f64::order);
        assert_eq!(&v[..4], &[-7.0, -0.5, 1.0, 3.0]);
        assert!(v[4].is_nan() && v[5].is_nan());
        let nan = f64::NAN;
        let c = |re, im| Complex::new(re, im);
        let mut z = vec![c(nan, nan), c(nan, 1.0), c(1.0, nan), c(2.0, -1.0), c(1.0, 5.0), c(1.0, 2.0), c(nan, -3.0)];
        z.sort_by(Complex::<f64>::order);
        let key = |z: &Complex<f64>| (z.re.is_nan(), z.im.is_nan(), if z.re.is_nan() { 0.0 } else { z.re }, if z.im.is_nan() { 0.0 } else { z.im });
        let got: Vec<_> = z.iter().map(key).collect();
        let want = vec![(false, false, 1.0, 2.0), (false, false, 1.0, 5.0), (false, false, 2.0, -1.0), (false, true, 1.0, 0.0),
                        (true, false, 0.0, -3.0), (true, false, 0.0, 1.0), (true, true, 0.0, 0.0)];
        assert_eq!(got, want);
    }
}
