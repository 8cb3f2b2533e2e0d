//! Soundness, randomized: random programs of fills, copies, an elementwise task,
//! reductions into futures, gathers and scatters over random (aliasing) views run on
//! the runtime with random processor counts and chunk sizes, and on a plain sequential
//! interpreter. Every storage, every future and every intermediate read must agree
//! exactly (values are small integers, so f64 arithmetic is exact).
//!
//! Reproduce one case with `SEED=<n> cargo test -p legate-core --test integration random_programs::one_seed -- --nocapture`.

use crate::common::*;
use legate_core::{LogicalStore, Runtime};

const CASES: u64 = 1000;

#[derive(Clone, Debug)]
struct ViewRef {
    storage: usize,
    trs: Vec<Tr>,
}

/// An index store: `coords[k]` is the target coordinate stored at row-major position `k`
/// of an index store of `shape`; `target_ndim` is 1 (int64) or 2 (int64[2]).
#[derive(Clone, Debug)]
struct IndexData {
    shape: Vec<i64>,
    target_ndim: usize,
    coords: Vec<Vec<i64>>,
    /// Created as the transpose of a (cols, rows) store.
    transposed: bool,
}

#[derive(Clone, Debug)]
enum Op {
    Fill { dst: ViewRef, value: f64 },
    Copy { dst: ViewRef, src: ViewRef },
    Axpy { dst: ViewRef, src: ViewRef },
    /// Sum of `src` added into future `fut` (a new one, starting at 0, when `fut` is None).
    Sum { src: ViewRef, fut: Option<usize> },
    Gather { dst: ViewRef, src: ViewRef, idx: IndexData },
    Scatter { dst: ViewRef, src: ViewRef, idx: IndexData },
    /// Read a view now and compare.
    Check { view: ViewRef },
}

#[derive(Clone, Debug)]
struct Program {
    #[allow(dead_code)]
    seed: u64,
    cpus: usize,
    min_chunk: u64,
    shapes: Vec<Vec<i64>>,
    init: Vec<Vec<f64>>,
    ops: Vec<Op>,
}

// ---------------------------------------------------------------------------------------
// Generation.

struct Gen<'a> {
    rng: &'a mut Rng,
    shapes: &'a [Vec<i64>],
}

impl Gen<'_> {
    fn model(&self, v: &ViewRef) -> IndexArray {
        IndexArray::storage(&self.shapes[v.storage]).apply_all(&v.trs).expect("generated views are valid")
    }

    fn random_tr(&mut self, shape: &[i64], allow_promote: bool) -> Option<Tr> {
        let nd = shape.len();
        match self.rng.below(12) {
            0..=3 => {
                let dim = self.rng.below(nd);
                let n = shape[dim];
                let step = *self.rng.pick(&[1, 1, 2, 3, -1, -1, -2, -3]);
                let mut bound = || if self.rng.chance(1, 3) { None } else { Some(self.rng.range(-n - 2, n + 2)) };
                let (start, stop) = (bound(), bound());
                Some(Tr::Slice { dim, start, stop, step })
            }
            4 if nd >= 2 => {
                let mut axes: Vec<usize> = (0..nd).collect();
                self.rng.shuffle(&mut axes);
                Some(Tr::Transpose(axes))
            }
            5 | 6 if nd >= 2 => {
                let dim = self.rng.below(nd);
                Some(Tr::Project { dim, index: self.rng.range(0, shape[dim] - 1) })
            }
            7 | 8 if nd < 3 => {
                let dim = self.rng.below(nd);
                let n = shape[dim];
                let factors: Vec<i64> = (2..n).filter(|a| n % a == 0).collect();
                if factors.is_empty() {
                    return None;
                }
                let a = *self.rng.pick(&factors);
                Some(Tr::Delin { dim, sizes: vec![a, n / a] })
            }
            9 if allow_promote && nd < 3 => Some(Tr::Promote { dim: self.rng.below(nd + 1), size: self.rng.range(1, 3) }),
            10 | 11 if nd >= 2 => {
                // Merge two neighbouring dimensions, or flatten; the model keeps only
                // reshapes that NumPy would give as views.
                let dim = self.rng.below(nd - 1);
                let mut s = shape.to_vec();
                if self.rng.chance(1, 3) {
                    s = vec![volume(shape)];
                } else {
                    s[dim] *= s.remove(dim + 1);
                }
                Some(Tr::Reshape(s))
            }
            _ => None,
        }
    }

    /// A random non-empty view of storage `s` with at most 3 dimensions (promotes only
    /// when `allow_promote`, so written views never alias themselves).
    fn random_view(&mut self, s: usize, allow_promote: bool) -> ViewRef {
        let mut m = IndexArray::storage(&self.shapes[s]);
        let mut trs = Vec::new();
        for _ in 0..self.rng.range(0, 3) {
            if let Some(t) = self.random_tr(&m.shape.clone(), allow_promote) {
                if let Some(m2) = m.apply(&t) {
                    if volume(&m2.shape) > 0 && m2.shape.len() <= 3 {
                        m = m2;
                        trs.push(t);
                    }
                }
            }
        }
        ViewRef { storage: s, trs }
    }

    fn any_view(&mut self, allow_promote: bool) -> ViewRef {
        let s = self.rng.below(self.shapes.len());
        self.random_view(s, allow_promote)
    }

    /// Usually a random view; sometimes an empty slice of one.
    fn maybe_empty(&mut self, allow_promote: bool) -> ViewRef {
        let mut v = self.any_view(allow_promote);
        if self.rng.chance(1, 12) {
            let shape = self.model(&v).shape;
            let dim = self.rng.below(shape.len());
            let k = self.rng.range(0, shape[dim]);
            v.trs.push(Tr::Slice { dim, start: Some(k), stop: Some(k), step: *self.rng.pick(&[1, 2, -1]) });
        }
        v
    }

    fn find_view(&mut self, allow_promote: bool, pred: impl Fn(&IndexArray) -> bool) -> Option<ViewRef> {
        for _ in 0..10 {
            let v = self.any_view(allow_promote);
            if pred(&self.model(&v)) {
                return Some(v);
            }
        }
        None
    }

    /// Slices of dimension `dim` (extent `n`) that keep exactly `len` elements, written in
    /// several equivalent ways (negative bounds, open bounds, negative steps).
    fn slice_to(&mut self, dim: usize, n: i64, len: i64) -> Option<Vec<Tr>> {
        if len > n || len <= 0 {
            return None;
        }
        let steps: Vec<i64> = [1i64, 1, 2, 3, -1, -2, -3].into_iter().filter(|s| (len - 1) * s.abs() < n).collect();
        let step = *self.rng.pick(&steps);
        let k = step.abs();
        if step > 0 {
            let start = self.rng.range(0, n - 1 - (len - 1) * k);
            let stop = (start + (len - 1) * k + 1 + self.rng.range(0, k - 1)).min(n);
            let start_s = if self.rng.chance(1, 3) { Some(start - n) } else if start == 0 && self.rng.chance(1, 2) { None } else { Some(start) };
            let stop_s = if stop == n && self.rng.chance(1, 2) { None } else if stop < n && self.rng.chance(1, 3) { Some(stop - n) } else { Some(stop) };
            Some(vec![Tr::Slice { dim, start: start_s, stop: stop_s, step }])
        } else {
            let start = self.rng.range((len - 1) * k, n - 1);
            let last = start - (len - 1) * k;
            let stop = last - 1;
            let start_s = if self.rng.chance(1, 3) { Some(start - n) } else { Some(start) };
            if stop < 0 || self.rng.chance(1, 4) {
                // Open-ended towards 0, then cut to `len`.
                Some(vec![
                    Tr::Slice { dim, start: start_s, stop: None, step },
                    Tr::Slice { dim, start: None, stop: Some(len), step: 1 },
                ])
            } else {
                let stop_s = if self.rng.chance(1, 3) { Some(stop - n) } else { Some(stop) };
                Some(vec![Tr::Slice { dim, start: start_s, stop: stop_s, step }])
            }
        }
    }

    /// A 1-d view of length `len` of storage `s`.
    fn view_1d(&mut self, s: usize, len: i64) -> Option<Vec<Tr>> {
        let sh = self.shapes[s].clone();
        let mut bases: Vec<(Vec<Tr>, i64)> = Vec::new();
        if sh.len() == 1 {
            let n = sh[0];
            bases.push((vec![], n));
            for a in (2..n).filter(|a| n % a == 0) {
                let b = n / a;
                let j = self.rng.range(0, b - 1);
                bases.push((vec![Tr::Delin { dim: 0, sizes: vec![a, b] }, Tr::Project { dim: 1, index: j }], a));
                let i = self.rng.range(0, a - 1);
                bases.push((vec![Tr::Delin { dim: 0, sizes: vec![a, b] }, Tr::Project { dim: 0, index: i }], b));
            }
        } else {
            let (r, c) = (sh[0], sh[1]);
            bases.push((vec![Tr::Project { dim: 0, index: self.rng.range(0, r - 1) }], c));
            bases.push((vec![Tr::Project { dim: 1, index: self.rng.range(0, c - 1) }], r));
            bases.push((vec![Tr::Transpose(vec![1, 0]), Tr::Project { dim: 0, index: self.rng.range(0, c - 1) }], r));
        }
        bases.retain(|b| b.1 >= len);
        if bases.is_empty() {
            return None;
        }
        let (mut trs, n) = bases.swap_remove(self.rng.below(bases.len()));
        trs.extend(self.slice_to(0, n, len)?);
        Some(trs)
    }

    fn view_2d(&mut self, s: usize, r: i64, c: i64, allow_promote: bool) -> Option<Vec<Tr>> {
        let sh = self.shapes[s].clone();
        let mut options: Vec<Vec<Tr>> = Vec::new();
        if sh.len() == 2 {
            for transpose in [false, true] {
                let (a, b) = if transpose { (sh[1], sh[0]) } else { (sh[0], sh[1]) };
                if a >= r && b >= c {
                    let mut trs = if transpose { vec![Tr::Transpose(vec![1, 0])] } else { vec![] };
                    trs.extend(self.slice_to(0, a, r)?);
                    trs.extend(self.slice_to(1, b, c)?);
                    options.push(trs);
                }
            }
        }
        if let Some(mut trs) = self.view_1d(s, r * c) {
            trs.push(Tr::Delin { dim: 0, sizes: vec![r, c] });
            options.push(trs);
        }
        if let Some(mut trs) = self.view_1d(s, r * c) {
            trs.push(Tr::Delin { dim: 0, sizes: vec![c, r] });
            trs.push(Tr::Transpose(vec![1, 0]));
            options.push(trs);
        }
        if allow_promote {
            if let Some(mut trs) = self.view_1d(s, c) {
                trs.push(Tr::Promote { dim: 0, size: r });
                options.push(trs);
            }
            if let Some(mut trs) = self.view_1d(s, r) {
                trs.push(Tr::Promote { dim: 1, size: c });
                options.push(trs);
            }
        }
        if options.is_empty() {
            return None;
        }
        Some(options.swap_remove(self.rng.below(options.len())))
    }

    /// A view of storage `s` with exactly `shape`, if the generator finds one.
    fn view_with_shape(&mut self, s: usize, shape: &[i64], allow_promote: bool) -> Option<ViewRef> {
        let trs = match shape.len() {
            1 => self.view_1d(s, shape[0]),
            2 => self.view_2d(s, shape[0], shape[1], allow_promote),
            3 => {
                let mut options = Vec::new();
                if let Some(mut t) = self.view_1d(s, volume(shape)) {
                    t.push(Tr::Delin { dim: 0, sizes: shape.to_vec() });
                    options.push(t);
                }
                if allow_promote {
                    if let Some(mut t) = self.view_2d(s, shape[1], shape[2], true) {
                        t.insert(t.len(), Tr::Promote { dim: 0, size: shape[0] });
                        options.push(t);
                    }
                }
                if options.is_empty() {
                    None
                } else {
                    Some(options.swap_remove(self.rng.below(options.len())))
                }
            }
            _ => None,
        }?;
        let v = ViewRef { storage: s, trs };
        let m = self.model(&v);
        assert_eq!(m.shape, shape, "generator bug: {v:?}");
        Some(v)
    }

    /// A source view of `shape` on some storage (random storages tried in turn).
    fn source_like(&mut self, shape: &[i64], allow_promote: bool, reject: impl Fn(&ViewRef, &IndexArray) -> bool) -> Option<ViewRef> {
        for _ in 0..12 {
            let s = self.rng.below(self.shapes.len());
            if let Some(v) = self.view_with_shape(s, shape, allow_promote) {
                let m = self.model(&v);
                if !reject(&v, &m) {
                    return Some(v);
                }
            }
        }
        None
    }

    fn index_data(&mut self, shape: &[i64], coords: Vec<Vec<i64>>, target_ndim: usize) -> IndexData {
        let transposed = shape.len() == 2 && self.rng.chance(1, 3);
        IndexData { shape: shape.to_vec(), target_ndim, coords, transposed }
    }

    fn op(&mut self, futures: &mut usize) -> Option<Op> {
        match self.rng.below(15) {
            0 | 1 => {
                let dst = self.maybe_empty(false);
                Some(Op::Fill { dst, value: self.rng.range(0, 20) as f64 })
            }
            2..=4 => {
                let dst = self.any_view(false);
                let shape = self.model(&dst).shape;
                let src = self.source_like(&shape, true, |_, _| false)?;
                Some(Op::Copy { dst, src })
            }
            5..=7 => {
                let dst = self.any_view(false);
                let dm = self.model(&dst);
                let ds = dst.storage;
                let src = self.source_like(&dm.shape, true, |v, m| v.storage == ds && m.overlaps(&dm))?;
                Some(Op::Axpy { dst, src })
            }
            8 | 9 => {
                let src = self.maybe_empty(true);
                let fut = if *futures > 0 && self.rng.chance(1, 2) { Some(self.rng.below(*futures)) } else { None };
                if fut.is_none() {
                    *futures += 1;
                }
                Some(Op::Sum { src, fut })
            }
            10 | 11 => {
                let dst = self.any_view(false);
                let dshape = self.model(&dst).shape;
                let src = self.find_view(true, |m| m.shape.len() <= 2)?;
                let sshape = self.model(&src).shape;
                let coords = (0..volume(&dshape))
                    .map(|_| sshape.iter().map(|&e| self.rng.range(0, e - 1)).collect())
                    .collect();
                let idx = self.index_data(&dshape, coords, sshape.len());
                Some(Op::Gather { dst, src, idx })
            }
            12 | 13 => {
                let dst = self.find_view(false, |m| m.shape.len() <= 2)?;
                let dshape = self.model(&dst).shape;
                let dvol = volume(&dshape);
                let src = self.find_view(true, |m| volume(&m.shape) <= dvol)?;
                let sshape = self.model(&src).shape;
                let mut positions: Vec<i64> = (0..dvol).collect();
                self.rng.shuffle(&mut positions);
                let coords = positions[..volume(&sshape) as usize].iter().map(|&p| unflatten(p, &dshape)).collect();
                let idx = self.index_data(&sshape, coords, dshape.len());
                Some(Op::Scatter { dst, src, idx })
            }
            _ => Some(Op::Check { view: self.maybe_empty(true) }),
        }
    }
}

fn generate(seed: u64) -> Program {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x1234_5678);
    let cpus = rng.range(1, 4) as usize;
    let min_chunk = *rng.pick(&[1u64, 2, 2, 3, 4, 8]);
    let mut shapes = vec![vec![rng.range(8, 40)], vec![rng.range(2, 7), rng.range(2, 7)]];
    if rng.chance(1, 2) {
        // Sometimes large, so that footprints of strided/delinearized tiles need more than
        // `footprint::MAX_PIECES` boxes and are widened (which must stay sound).
        let n = if rng.chance(1, 3) { *rng.pick(&[130, 198, 260, 390]) } else { rng.range(8, 40) };
        shapes.push(vec![n]);
    }
    let init = shapes.iter().map(|s| (0..volume(s)).map(|_| rng.range(0, 9) as f64).collect()).collect();
    let n_ops = rng.range(8, 30);
    let mut ops = Vec::new();
    let mut futures = 0;
    let mut g = Gen { rng: &mut rng, shapes: &shapes };
    while ops.len() < n_ops as usize {
        if let Some(op) = g.op(&mut futures) {
            ops.push(op);
        }
    }
    Program { seed, cpus, min_chunk, shapes, init, ops }
}

// ---------------------------------------------------------------------------------------
// The sequential reference.

struct Reference {
    shapes: Vec<Vec<i64>>,
    data: Vec<Vec<f64>>,
    futures: Vec<f64>,
}

impl Reference {
    fn model(&self, v: &ViewRef) -> IndexArray {
        IndexArray::storage(&self.shapes[v.storage]).apply_all(&v.trs).unwrap()
    }
    fn read(&self, v: &ViewRef) -> Vec<f64> {
        let s = v.storage;
        self.model(v).idx.iter().map(|&i| self.data[s][i]).collect()
    }
    fn write(&mut self, v: &ViewRef, values: &[f64]) {
        let m = self.model(v);
        assert_eq!(m.idx.len(), values.len());
        for (&i, &x) in m.idx.iter().zip(values) {
            self.data[v.storage][i] = x;
        }
    }
    fn apply(&mut self, op: &Op) {
        match op {
            Op::Fill { dst, value } => {
                let n = self.model(dst).idx.len();
                self.write(dst, &vec![*value; n]);
            }
            Op::Copy { dst, src } => {
                let vals = self.read(src);
                self.write(dst, &vals);
            }
            Op::Axpy { dst, src } => {
                let vals: Vec<f64> = self.read(src).into_iter().map(axpy_ref).collect();
                self.write(dst, &vals);
            }
            Op::Sum { src, fut } => {
                let s: f64 = self.read(src).iter().sum();
                match fut {
                    Some(f) => self.futures[*f] += s,
                    None => self.futures.push(s),
                }
            }
            Op::Gather { dst, src, idx } => {
                let sshape = self.model(src).shape;
                let svals = self.read(src);
                let vals: Vec<f64> = idx.coords.iter().map(|c| svals[flatten(c, &sshape) as usize]).collect();
                self.write(dst, &vals);
            }
            Op::Scatter { dst, src, idx } => {
                let dm = self.model(dst);
                let svals = self.read(src);
                for (c, x) in idx.coords.iter().zip(svals) {
                    let i = dm.idx[flatten(c, &dm.shape) as usize];
                    self.data[dst.storage][i] = x;
                }
            }
            Op::Check { .. } => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// Running on the runtime.

fn make_index_store(rt: &Runtime, idx: &IndexData) -> legate_core::Result<LogicalStore> {
    let shape: Vec<usize> = idx.shape.iter().map(|&x| x as usize).collect();
    // The element at row-major position k of the wanted view; for a transposed
    // creation, the store is (cols, rows) and element (j, i) holds position (i, j).
    let order: Vec<usize> = if idx.transposed {
        let (r, c) = (idx.shape[0], idx.shape[1]);
        (0..c).flat_map(|j| (0..r).map(move |i| (i * c + j) as usize)).collect()
    } else {
        (0..idx.coords.len()).collect()
    };
    let create_shape: Vec<usize> = if idx.transposed { vec![shape[1], shape[0]] } else { shape };
    let store = if idx.target_ndim == 1 {
        let data: Vec<i64> = order.iter().map(|&k| idx.coords[k][0]).collect();
        rt.create_store_from::<i64>(&create_shape, &data)?
    } else {
        let data: Vec<[i64; 2]> = order.iter().map(|&k| [idx.coords[k][0], idx.coords[k][1]]).collect();
        rt.create_store_from::<[i64; 2]>(&create_shape, &data)?
    };
    if idx.transposed {
        store.transpose(&[1, 0])
    } else {
        Ok(store)
    }
}

fn run_case(p: &Program) -> Result<(), String> {
    run_case_with(p, Injection::Nothing).map(|_| ())
}

// ---------------------------------------------------------------------------------------
// The same programs under injected faults.

/// What a run injects.
#[derive(Clone, Copy, Debug)]
enum Injection {
    Nothing,
    /// Every point of op `k` (a program op that launches work) fails.
    FailOp(usize),
    /// Point `point` of every operation is slow (the others run ahead of it).
    SlowPoint { point: u64, micros: u64 },
}

/// Runs `p` on the runtime with `injection`. Every read (the program's checks, then every
/// storage and future) must give the reference's values exactly or, where it depends
/// on a failed op (tracked per storage, an over-approximation), that op's error;
/// stores that do not depend on it must never raise.
fn run_case_with(p: &Program, injection: Injection) -> Result<usize, String> {
    let (rt, lib) = runtime_with_lib(p.cpus, p.min_chunk);
    run_program(p, injection, &rt, &lib)
}

/// Runs `p` on `ranks` simulated ranks (threads of this process talking through an
/// in-process transport), each with `p`'s processors; every rank checks every read
/// against the reference.
fn run_case_replicated(p: &Program, ranks: usize) -> Result<(), String> {
    let world = legate_core::replicate::InProcessTransport::world_with_timeout(ranks, std::time::Duration::from_secs(20));
    let handles: Vec<_> = world
        .into_iter()
        .map(|t| {
            let p = p.clone();
            std::thread::spawn(move || {
                let rank = legate_core::replicate::Transport::rank(&t);
                let config = legate_core::Config { cpus: p.cpus, min_cpu_chunk: p.min_chunk, ..legate_core::Config::legate_defaults() };
                let rt = legate_core::Runtime::new_replicated(config, std::sync::Arc::new(t)).map_err(|e| e.to_string())?;
                let lib = rt.create_library("test");
                rt.register_task::<Axpy>(&lib).unwrap();
                rt.register_task::<SumTask>(&lib).unwrap();
                run_program(&p, Injection::Nothing, &rt, &lib).map_err(|e| format!("rank {rank}: {e}"))
            })
        })
        .collect();
    let mut errors = Vec::new();
    for h in handles {
        match h.join() {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => errors.push(e),
            Err(_) => errors.push("a rank panicked".into()),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

fn run_program(p: &Program, injection: Injection, rt: &legate_core::Runtime, lib: &legate_core::Library) -> Result<usize, String> {
    use legate_core::{Fault, FaultAction};
    let (rt, lib) = (rt.clone(), lib.clone());
    if let Injection::SlowPoint { point, micros } = injection {
        rt.inject_fault(Fault::new(FaultAction::Slow(std::time::Duration::from_micros(micros))).point(point));
    }
    let mut reference = Reference { shapes: p.shapes.clone(), data: p.init.clone(), futures: Vec::new() };
    let mut stores = Vec::new();
    for (s, init) in p.shapes.iter().zip(&p.init) {
        let shape: Vec<usize> = s.iter().map(|&x| x as usize).collect();
        stores.push(rt.create_store_from::<f64>(&shape, init).map_err(|e| e.to_string())?);
    }
    let mut tainted = vec![false; stores.len()];
    let mut tainted_futures: Vec<bool> = Vec::new();
    let mut futures: Vec<LogicalStore> = Vec::new();
    let view = |v: &ViewRef| apply_store(&stores[v.storage], &v.trs).map_err(|e| format!("view {v:?}: {e}"));
    let raised = std::cell::Cell::new(0usize);
    let injected = |e: &legate_core::LegateError| {
        let hit = e.to_string().contains("injected fault");
        raised.set(raised.get() + hit as usize);
        hit
    };
    for (k, op) in p.ops.iter().enumerate() {
        let ctx = |e: legate_core::LegateError| format!("op {k} {op:?}: {e}");
        let fail_here = matches!(injection, Injection::FailOp(f) if f == k);
        if fail_here {
            rt.inject_fault(Fault::new(FaultAction::Fail));
        }
        match op {
            Op::Fill { dst, value } => rt.issue_fill(&view(dst)?, *value).map_err(ctx)?,
            Op::Copy { dst, src } => rt.issue_copy(&view(dst)?, &view(src)?).map_err(ctx)?,
            Op::Axpy { dst, src } => launch_axpy(&rt, &lib, &view(dst)?, &view(src)?).map_err(ctx)?,
            Op::Sum { src, fut } => {
                let f = match fut {
                    Some(f) => futures[*f].clone(),
                    None => {
                        let f = rt.create_future(0.0f64).map_err(ctx)?;
                        futures.push(f.clone());
                        tainted_futures.push(false);
                        f
                    }
                };
                launch_sum(&rt, &lib, &view(src)?, &f).map_err(ctx)?;
            }
            Op::Gather { dst, src, idx } => {
                let ind = make_index_store(&rt, idx).map_err(ctx)?;
                rt.issue_gather(&view(dst)?, &view(src)?, &ind).map_err(ctx)?;
            }
            Op::Scatter { dst, src, idx } => {
                let ind = make_index_store(&rt, idx).map_err(ctx)?;
                rt.issue_scatter(&view(dst)?, &ind, &view(src)?).map_err(ctx)?;
            }
            Op::Check { view: v } => match rt.read_store::<f64>(&view(v)?) {
                Ok(got) => {
                    let got: Vec<f64> = got.iter().copied().collect();
                    let want = reference.read(v);
                    if got != want {
                        return Err(format!("op {k} {op:?}: read {got:?}, reference {want:?}"));
                    }
                }
                Err(e) if tainted[v.storage] && injected(&e) => {}
                Err(e) => return Err(format!("op {k} {op:?}: a read of an unaffected store raised {e}")),
            },
        }
        if fail_here {
            rt.close_fault_windows();
        }
        // Which storages (and futures) may hold elements spoiled by the failure.
        let (reads, writes): (Vec<bool>, Option<(bool, usize)>) = match op {
            Op::Fill { dst, .. } => (vec![], Some((true, dst.storage))),
            Op::Copy { dst, src } | Op::Axpy { dst, src } | Op::Gather { dst, src, .. } | Op::Scatter { dst, src, .. } => {
                (vec![tainted[src.storage], tainted[dst.storage] && matches!(op, Op::Scatter { .. })], Some((true, dst.storage)))
            }
            Op::Sum { src, .. } => (vec![tainted[src.storage]], Some((false, futures.len() - 1))),
            Op::Check { .. } => (vec![], None),
        };
        let future_index = match op {
            Op::Sum { fut: Some(f), .. } => Some(*f),
            Op::Sum { fut: None, .. } => Some(futures.len() - 1),
            _ => None,
        };
        let spoiled = fail_here || reads.iter().any(|&r| r) || future_index.is_some_and(|f| tainted_futures[f]);
        if spoiled {
            match (writes, future_index) {
                (Some((true, s)), _) => tainted[s] = true,
                (_, Some(f)) => tainted_futures[f] = true,
                _ => {}
            }
        }
        reference.apply(op);
    }
    for (s, store) in stores.iter().enumerate() {
        match rt.read_store::<f64>(store) {
            Ok(got) => {
                let got: Vec<f64> = got.iter().copied().collect();
                if got != reference.data[s] {
                    return Err(format!("storage {s}: got {got:?}\n  want {:?}", reference.data[s]));
                }
            }
            Err(e) if tainted[s] && injected(&e) => {}
            Err(e) => return Err(format!("storage {s} (tainted: {}) raised {e}", tainted[s])),
        }
    }
    for (f, fut) in futures.iter().enumerate() {
        match rt.read_scalar::<f64>(fut) {
            Ok(got) if got == reference.futures[f] => {}
            Ok(got) => return Err(format!("future {f}: got {got}, want {}", reference.futures[f])),
            Err(e) if tainted_futures[f] && injected(&e) => {}
            Err(e) => return Err(format!("future {f} (tainted: {}) raised {e}", tainted_futures[f])),
        }
    }
    match rt.issue_execution_fence(true) {
        Ok(()) => Ok(raised.get()),
        Err(e) if injected(&e) && matches!(injection, Injection::FailOp(_)) => Ok(raised.get()),
        Err(e) => Err(format!("fence: {e}")),
    }
}

/// Fails the test (and the process: a hang would stall CI) if `body` takes too long.
fn with_watchdog(limit: std::time::Duration, body: impl FnOnce()) {
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    std::thread::spawn(move || {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if flag.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
        }
        eprintln!("random programs under faults did not finish in {limit:?}: a hang");
        std::process::exit(3);
    });
    body();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
}

#[test]
fn random_programs_with_a_failing_operation_raise_exactly_where_they_depend_on_it() {
    with_watchdog(std::time::Duration::from_secs(300), || {
        let mut failures = Vec::new();
        let mut raised = 0;
        for seed in 0..CASES / 2 {
            let p = generate(seed);
            let launching: Vec<usize> = (0..p.ops.len()).filter(|&k| !matches!(p.ops[k], Op::Check { .. })).collect();
            if launching.is_empty() {
                continue;
            }
            let k = launching[(seed as usize * 7919) % launching.len()];
            match run_case_with(&p, Injection::FailOp(k)) {
                Err(e) => failures.push(format!("seed {seed}, failing op {k}: {e}\n  program: {:#?}", p.ops)),
                Ok(n) => raised += (n > 0) as usize,
            }
        }
        assert!(failures.is_empty(), "{} cases went wrong; first:\n{}", failures.len(), failures[0]);
        // Most failures reach a read (the last reads cover every store).
        assert!(raised > CASES as usize / 4, "the injected error surfaced in only {raised} cases");
        eprintln!("a failing operation: the error surfaced in {raised} of {} programs", CASES / 2);
    });
}

#[test]
fn random_programs_with_a_slow_point_match_the_reference() {
    with_watchdog(std::time::Duration::from_secs(300), || {
        let mut failures = Vec::new();
        for seed in 0..CASES / 4 {
            let p = generate(seed);
            let injection = Injection::SlowPoint { point: seed % 2, micros: 300 };
            if let Err(e) = run_case_with(&p, injection) {
                failures.push(format!("seed {seed}, {injection:?}: {e}\n  program: {:#?}", p.ops));
            }
        }
        assert!(failures.is_empty(), "{} cases went wrong; first:\n{}", failures.len(), failures[0]);
    });
}

fn run_seeds(seeds: impl Iterator<Item = u64>) {
    let mut failures = Vec::new();
    for seed in seeds {
        let p = generate(seed);
        if let Err(e) = run_case(&p) {
            failures.push(format!("seed {seed} (cpus {}, min_chunk {}, shapes {:?}): {e}\n  program: {:#?}", p.cpus, p.min_chunk, p.shapes, p.ops));
        }
    }
    if !failures.is_empty() {
        let n = failures.len();
        failures.truncate(3);
        panic!("{n} random programs disagree with the reference; first ones:\n{}", failures.join("\n\n"));
    }
}

#[test]
fn random_programs_on_several_ranks_match_the_reference() {
    with_watchdog(std::time::Duration::from_secs(300), || {
        let mut failures = Vec::new();
        let cases = std::env::var("REPLICATED_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES / 8);
        for seed in 0..cases {
            let p = generate(seed);
            let ranks = [2, 3, 4][seed as usize % 3];
            if let Err(e) = run_case_replicated(&p, ranks) {
                failures.push(format!("seed {seed} ({ranks} ranks, cpus {}, min_chunk {}, shapes {:?}): {e}\n  program: {:#?}", p.cpus, p.min_chunk, p.shapes, p.ops));
            }
        }
        if !failures.is_empty() {
            let n = failures.len();
            failures.truncate(2);
            panic!("{n} replicated programs disagree with the reference; first ones:\n{}", failures.join("\n\n"));
        }
    });
}

/// Seeds that once failed on several ranks, beyond the default range above: 807 (a fold
/// of a reduction raced with a later reader of the same tile) and 535 (a write that
/// ranges could not describe exactly was not fetched whole first).
#[test]
fn replicated_programs_that_once_failed_still_match() {
    with_watchdog(std::time::Duration::from_secs(120), || {
        for seed in [535u64, 807] {
            let p = generate(seed);
            let ranks = [2, 3, 4][seed as usize % 3];
            run_case_replicated(&p, ranks).unwrap_or_else(|e| panic!("seed {seed} on {ranks} ranks: {e}"));
        }
    });
}

#[test]
fn random_programs_match_sequential_reference_a() {
    run_seeds(0..CASES / 2);
}

#[test]
fn random_programs_match_sequential_reference_b() {
    run_seeds(CASES / 2..CASES);
}

/// `SEED=n` runs one case (for debugging a failure).
#[test]
fn one_seed() {
    if let Ok(s) = std::env::var("SEED") {
        let seed: u64 = s.parse().expect("SEED is a number");
        let p = generate(seed);
        println!("{p:#?}");
        match std::env::var("RANKS") {
            Ok(r) => run_case_replicated(&p, r.parse().expect("RANKS is a number")).unwrap(),
            Err(_) => run_case(&p).unwrap(),
        }
    }
}

#[test]
fn generator_covers_every_kind_of_op() {
    let mut kinds = std::collections::BTreeSet::new();
    let mut views = std::collections::BTreeSet::new();
    for seed in 0..CASES {
        for op in generate(seed).ops {
            let (name, vs): (&str, Vec<&ViewRef>) = match &op {
                Op::Fill { dst, .. } => ("fill", vec![dst]),
                Op::Copy { dst, src } => ("copy", vec![dst, src]),
                Op::Axpy { dst, src } => ("axpy", vec![dst, src]),
                Op::Sum { src, fut } => (if fut.is_some() { "sum-again" } else { "sum" }, vec![src]),
                Op::Gather { dst, src, idx } => (if idx.target_ndim == 2 { "gather2d" } else { "gather" }, vec![dst, src]),
                Op::Scatter { dst, src, idx } => (if idx.target_ndim == 2 { "scatter2d" } else { "scatter" }, vec![dst, src]),
                Op::Check { view } => ("check", vec![view]),
            };
            kinds.insert(name);
            for v in vs {
                for t in &v.trs {
                    views.insert(match t {
                        Tr::Slice { start, stop, .. } if start.is_some() && start == stop => "empty-slice",
                        Tr::Slice { step, .. } if *step < 0 => "neg-slice",
                        Tr::Slice { .. } => "slice",
                        Tr::Transpose(_) => "transpose",
                        Tr::Promote { .. } => "promote",
                        Tr::Project { .. } => "project",
                        Tr::Delin { .. } => "delinearize",
                        Tr::Reshape(_) => "reshape",
                    });
                }
            }
        }
    }
    assert_eq!(kinds.len(), 10, "{kinds:?}");
    assert_eq!(views.len(), 8, "{views:?}");
}
