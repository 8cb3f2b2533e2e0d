//! Helpers shared by the integration tests: private runtimes, a seeded RNG, a few
//! simple tasks, and an *independent* model of store views (materialized index arrays,
//! written without looking at `legate_core`'s `AffineMap`) used as the reference.
#![allow(dead_code)]

use legate_core::replicate::InProcessTransport;
use legate_core::{Config, Library, LogicalStore, Runtime, Task, TaskContext, TaskError};
use std::sync::Arc;
use std::time::Duration;

/// A private runtime with `cpus` CPU processors and a tiny minimum chunk, so that even
/// small stores are split across processors.
pub fn runtime(cpus: usize, min_cpu_chunk: u64) -> Runtime {
    Runtime::new(Config { cpus, min_cpu_chunk, ..Config::legate_defaults() }).expect("runtime starts")
}

/// The "test" library with the common tasks registered.
pub fn test_library(rt: &Runtime) -> Library {
    let lib = rt.create_library("test");
    rt.register_task::<Axpy>(&lib).unwrap();
    rt.register_task::<SumTask>(&lib).unwrap();
    lib
}

/// A runtime plus the "test" library with the common tasks registered.
pub fn runtime_with_lib(cpus: usize, min_cpu_chunk: u64) -> (Runtime, Library) {
    let rt = runtime(cpus, min_cpu_chunk);
    let lib = test_library(&rt);
    (rt, lib)
}

/// Contents of a store as a flat row-major Vec.
pub fn read_f64(rt: &Runtime, s: &LogicalStore) -> Vec<f64> {
    rt.read_store::<f64>(s).expect("read_store").iter().copied().collect()
}

// ---------------------------------------------------------------------------------------
// RNG (SplitMix64): deterministic, no dependency.

#[derive(Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[lo, hi]` (inclusive).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Common tasks.

/// `out = (2 * in + 1) mod 997` elementwise (f64; the modulus keeps values small so all
/// arithmetic stays exact).
pub struct Axpy;

impl Task for Axpy {
    const TASK_ID: u32 = 1;
    const NAME: &'static str = "test_axpy";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let inp = ctx.input(0)?;
        let mut out = ctx.output(0)?;
        let i = inp.view::<f64>()?;
        let mut o = out.view_mut::<f64>()?;
        if i.shape() != o.shape() {
            return Err(TaskError::new(format!("axpy: tile shapes differ: {:?} vs {:?}", i.shape(), o.shape())));
        }
        o.zip_mut_with(&i, |o, &x| *o = (2.0 * x + 1.0) % 997.0);
        Ok(())
    }
}

pub fn axpy_ref(x: f64) -> f64 {
    (2.0 * x + 1.0) % 997.0
}

/// Adds the sum of input 0 into reduction 0 (a one-element f64 store, op Add).
pub struct SumTask;

impl Task for SumTask {
    const TASK_ID: u32 = 2;
    const NAME: &'static str = "test_sum";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let inp = ctx.input(0)?;
        let mut red = ctx.reduction(0)?;
        let s: f64 = inp.view::<f64>()?.iter().sum();
        let mut r = red.view_mut::<f64>()?;
        for v in r.iter_mut() {
            *v += s;
        }
        Ok(())
    }
}

pub fn launch_axpy(rt: &Runtime, lib: &Library, out: &LogicalStore, inp: &LogicalStore) -> legate_core::Result<()> {
    let mut t = rt.create_auto_task(lib, Axpy::TASK_ID);
    let i = t.add_input(inp);
    let o = t.add_output(out);
    t.add_alignment(i, o);
    t.execute()
}

pub fn launch_sum(rt: &Runtime, lib: &Library, inp: &LogicalStore, fut: &LogicalStore) -> legate_core::Result<()> {
    let mut t = rt.create_auto_task(lib, SumTask::TASK_ID);
    t.add_input(inp);
    t.add_reduction(fut, legate_core::ReductionOp::Add);
    t.execute()
}

// ---------------------------------------------------------------------------------------
// Independent view model.

/// One view transform, as the test describes it (applied both to a `LogicalStore` and to
/// the reference [`IndexArray`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Tr {
    Slice { dim: usize, start: Option<i64>, stop: Option<i64>, step: i64 },
    Transpose(Vec<usize>),
    Promote { dim: usize, size: i64 },
    Project { dim: usize, index: i64 },
    Delin { dim: usize, sizes: Vec<i64> },
    /// A reshape that must give a view (it may merge dimensions).
    Reshape(Vec<i64>),
}

pub fn apply_store(s: &LogicalStore, trs: &[Tr]) -> legate_core::Result<LogicalStore> {
    let mut v = s.clone();
    for t in trs {
        v = match t {
            Tr::Slice { dim, start, stop, step } => v.slice(*dim, *start, *stop, *step)?,
            Tr::Transpose(axes) => v.transpose(axes)?,
            Tr::Promote { dim, size } => v.promote(*dim, *size)?,
            Tr::Project { dim, index } => v.project(*dim, *index)?,
            Tr::Delin { dim, sizes } => v.delinearize(*dim, sizes)?,
            Tr::Reshape(shape) => {
                v.reshape(shape)?.ok_or_else(|| legate_core::LegateError::InvalidArgument(format!("reshape to {shape:?} gave no view")))?
            }
        };
    }
    Ok(v)
}

/// Python's `range(*slice(start, stop, step).indices(n))`, written from the Python
/// reference semantics.
pub fn py_slice(n: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<i64> {
    assert!(step != 0);
    let (lower, upper) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let norm = |v: i64| {
        let v = if v < 0 { v + n } else { v };
        v.clamp(lower, upper)
    };
    let start = start.map_or(if step < 0 { upper } else { lower }, norm);
    let stop = stop.map_or(if step < 0 { lower } else { upper }, norm);
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i);
        i += step;
    }
    out
}

/// A view, materialized: for every view element (row-major), the flat row-major index of
/// the storage element it names.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexArray {
    pub shape: Vec<i64>,
    pub idx: Vec<usize>,
}

pub fn volume(shape: &[i64]) -> i64 {
    shape.iter().product()
}

/// Row-major coordinates of linear index `i` in `shape`.
pub fn unflatten(mut i: i64, shape: &[i64]) -> Vec<i64> {
    let mut c = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        if shape[d] > 0 {
            c[d] = i % shape[d];
            i /= shape[d];
        }
    }
    c
}

pub fn flatten(c: &[i64], shape: &[i64]) -> i64 {
    let mut i = 0;
    for d in 0..shape.len() {
        i = i * shape[d] + c[d];
    }
    i
}

impl IndexArray {
    /// The identity view of a storage of `shape`.
    pub fn storage(shape: &[i64]) -> IndexArray {
        IndexArray { shape: shape.to_vec(), idx: (0..volume(shape) as usize).collect() }
    }

    fn derive(&self, new_shape: Vec<i64>, old_of: impl Fn(&[i64]) -> Vec<i64>) -> IndexArray {
        let n = volume(&new_shape);
        let idx = (0..n)
            .map(|i| {
                let old = old_of(&unflatten(i, &new_shape));
                for d in 0..old.len() {
                    assert!(old[d] >= 0 && old[d] < self.shape[d], "model: {old:?} outside {:?}", self.shape);
                }
                self.idx[flatten(&old, &self.shape) as usize]
            })
            .collect();
        IndexArray { shape: new_shape, idx }
    }

    /// Applies one transform; None when it is not valid for this shape.
    pub fn apply(&self, t: &Tr) -> Option<IndexArray> {
        let nd = self.shape.len();
        match t {
            Tr::Slice { dim, start, stop, step } => {
                if *dim >= nd || *step == 0 {
                    return None;
                }
                let ix = py_slice(self.shape[*dim], *start, *stop, *step);
                let mut s = self.shape.clone();
                s[*dim] = ix.len() as i64;
                let d = *dim;
                Some(self.derive(s, |c| {
                    let mut o = c.to_vec();
                    o[d] = ix[c[d] as usize];
                    o
                }))
            }
            Tr::Transpose(axes) => {
                let mut sorted = axes.clone();
                sorted.sort();
                if sorted != (0..nd).collect::<Vec<_>>() {
                    return None;
                }
                let s: Vec<i64> = axes.iter().map(|&a| self.shape[a]).collect();
                Some(self.derive(s, |c| {
                    let mut o = vec![0; nd];
                    for (i, &a) in axes.iter().enumerate() {
                        o[a] = c[i];
                    }
                    o
                }))
            }
            Tr::Promote { dim, size } => {
                if *dim > nd || *size < 0 {
                    return None;
                }
                let mut s = self.shape.clone();
                s.insert(*dim, *size);
                let d = *dim;
                Some(self.derive(s, |c| {
                    let mut o = c.to_vec();
                    o.remove(d);
                    o
                }))
            }
            Tr::Project { dim, index } => {
                if *dim >= nd || *index < 0 || *index >= self.shape[*dim] {
                    return None;
                }
                let mut s = self.shape.clone();
                s.remove(*dim);
                let (d, k) = (*dim, *index);
                Some(self.derive(s, |c| {
                    let mut o = c.to_vec();
                    o.insert(d, k);
                    o
                }))
            }
            Tr::Reshape(shape) => {
                // A view exists when the elements, read in row-major order as `shape`,
                // sit at strided storage positions (NumPy's rule).
                if shape.iter().any(|&x| x < 0) || volume(shape) != volume(&self.shape) || volume(shape) == 0 {
                    return None;
                }
                let at = |c: &[i64]| self.idx[flatten(c, shape) as usize] as i64;
                let origin = at(&vec![0; shape.len()]);
                let strides: Vec<i64> = (0..shape.len())
                    .map(|j| {
                        let mut c = vec![0; shape.len()];
                        c[j] = 1;
                        if shape[j] > 1 {
                            at(&c) - origin
                        } else {
                            0
                        }
                    })
                    .collect();
                let strided = (0..volume(shape)).all(|i| {
                    let c = unflatten(i, shape);
                    at(&c) == origin + c.iter().zip(&strides).map(|(a, b)| a * b).sum::<i64>()
                });
                strided.then(|| IndexArray { shape: shape.clone(), idx: self.idx.clone() })
            }
            Tr::Delin { dim, sizes } => {
                if *dim >= nd || sizes.is_empty() || sizes.iter().any(|&x| x < 0) || volume(sizes) != self.shape[*dim] {
                    return None;
                }
                let mut s = self.shape.clone();
                s.splice(*dim..=*dim, sizes.iter().copied());
                let (d, k) = (*dim, sizes.len());
                Some(self.derive(s, |c| {
                    let mut o: Vec<i64> = c[..d].to_vec();
                    o.push(flatten(&c[d..d + k], sizes));
                    o.extend_from_slice(&c[d + k..]);
                    o
                }))
            }
        }
    }

    pub fn apply_all(&self, trs: &[Tr]) -> Option<IndexArray> {
        let mut v = self.clone();
        for t in trs {
            v = v.apply(t)?;
        }
        Some(v)
    }

    pub fn has_duplicates(&self) -> bool {
        let mut s = self.idx.clone();
        s.sort();
        s.windows(2).any(|w| w[0] == w[1])
    }

    pub fn overlaps(&self, other: &IndexArray) -> bool {
        let a: std::collections::HashSet<usize> = self.idx.iter().copied().collect();
        other.idx.iter().any(|i| a.contains(i))
    }
}

#[test]
fn py_slice_matches_python() {
    // Values checked against CPython's slice.indices.
    assert_eq!(py_slice(10, None, None, 2), vec![0, 2, 4, 6, 8]);
    assert_eq!(py_slice(10, Some(1), None, 2), vec![1, 3, 5, 7, 9]);
    assert_eq!(py_slice(10, None, None, -3), vec![9, 6, 3, 0]);
    assert_eq!(py_slice(10, Some(-2), Some(-8), -2), vec![8, 6, 4]);
    assert_eq!(py_slice(10, Some(-20), Some(20), 3), vec![0, 3, 6, 9]);
    assert_eq!(py_slice(10, Some(20), Some(-20), -4), vec![9, 5, 1]);
    assert_eq!(py_slice(5, Some(3), Some(3), 1), Vec::<i64>::new());
    assert_eq!(py_slice(5, Some(-1), None, -1), vec![4, 3, 2, 1, 0]);
}

#[test]
fn model_transforms() {
    let a = IndexArray::storage(&[3, 4]);
    let t = a.apply(&Tr::Transpose(vec![1, 0])).unwrap();
    assert_eq!(t.shape, vec![4, 3]);
    assert_eq!(t.idx, vec![0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    let d = IndexArray::storage(&[12]).apply(&Tr::Delin { dim: 0, sizes: vec![3, 4] }).unwrap();
    assert_eq!(d.apply(&Tr::Project { dim: 1, index: 2 }).unwrap().idx, vec![2, 6, 10]);
    let p = IndexArray::storage(&[2]).apply(&Tr::Promote { dim: 0, size: 3 }).unwrap();
    assert_eq!((p.shape.clone(), p.idx.clone()), (vec![3, 2], vec![0, 1, 0, 1, 0, 1]));
}

/// Image tests: `out[i] = sum over j in pos[i] of vals[j]`. Inputs pos, vals; output out.
pub struct RowSum;
impl Task for RowSum {
    const TASK_ID: u32 = 42;
    const NAME: &'static str = "row_sum";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (pos, vals) = (ctx.input(0)?, ctx.input(1)?);
        let mut out = ctx.output(0)?;
        let (vlo, vhi) = (vals.lo()[0], vals.hi()[0]);
        let v = vals.view::<f64>()?;
        for (o, r) in out.view_mut::<f64>()?.iter_mut().zip(pos.view::<[i64; 2]>()?.iter()) {
            let mut s = 0.0;
            for j in r[0]..r[1] {
                if j < vlo || j >= vhi {
                    return Err(TaskError::new(format!("vals[{j}] is outside the image piece [{vlo}, {vhi})")));
                }
                s += v[[(j - vlo) as usize]];
            }
            *o = s;
        }
        Ok(())
    }
}

/// `vals[j] = base + j` over its image piece. Input pos, output vals, scalar 0 base.
pub struct SetVals;
impl Task for SetVals {
    const TASK_ID: u32 = 41;
    const NAME: &'static str = "set_vals";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let base = ctx.scalar::<f64>(0)?;
        let mut vals = ctx.output(0)?;
        let lo = vals.lo()[0];
        for (k, v) in vals.view_mut::<f64>()?.iter_mut().enumerate() {
            *v = base + (lo + k as i64) as f64;
        }
        Ok(())
    }
}

/// Runs `body` on `ranks` ranks in this process (each a thread with its own runtime of
/// `cpus` processors and the library `setup` registers, talking through an in-process
/// transport that reports a peer silent for `timeout`) and returns each rank's result,
/// in rank order.
pub fn on_ranks_with<T: Send + 'static>(
    ranks: usize,
    cpus: usize,
    timeout: Duration,
    setup: fn(&Runtime) -> Library,
    body: impl Fn(usize, Runtime, Library) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let body = Arc::new(body);
    let world = InProcessTransport::world_with_timeout(ranks, timeout);
    let handles: Vec<_> = world
        .into_iter()
        .enumerate()
        .map(|(rank, t)| {
            let body = body.clone();
            std::thread::spawn(move || {
                let config = Config { cpus, min_cpu_chunk: 1, ..Config::legate_defaults() };
                let rt = Runtime::new_replicated(config, Arc::new(t)).expect("runtime starts");
                let lib = setup(&rt);
                body(rank, rt, lib)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().expect("a rank panicked")).collect()
}
