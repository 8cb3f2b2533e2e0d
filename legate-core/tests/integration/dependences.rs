//! Precision and soundness of dependence analysis: what depends on what, observed
//! through `Runtime::dependences()` and through the values tasks see.

use crate::common::*;
use legate_core::{DependenceEdge, LogicalStore, Runtime, Task, TaskContext, TaskError, Type};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Edges from any point of operation `from` to any point of operation `to`.
fn edges_between(rt: &Runtime, from: u64, to: u64) -> Vec<DependenceEdge> {
    rt.dependences().into_iter().filter(|e| e.from.op_id == from && e.to.op_id == to).collect()
}

/// Ids of the operations recorded since the last `clear_dependence_log`.
fn op_ids(rt: &Runtime) -> Vec<u64> {
    rt.operations().iter().map(|o| o.op_id).collect()
}

// ---------------------------------------------------------------------------------------
// Disjoint tiles run concurrently.

static ARRIVED: AtomicUsize = AtomicUsize::new(0);
static TIMED_OUT: AtomicBool = AtomicBool::new(false);

/// Each point announces itself and then waits (bounded) until two points have arrived:
/// if the points were serialized, the first one times out instead of hanging.
struct Rendezvous;

impl Task for Rendezvous {
    const TASK_ID: u32 = 10;
    const NAME: &'static str = "rendezvous";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        ARRIVED.fetch_add(1, Ordering::SeqCst);
        let start = Instant::now();
        while ARRIVED.load(Ordering::SeqCst) < 2 {
            if start.elapsed() > Duration::from_secs(10) {
                TIMED_OUT.store(true, Ordering::SeqCst);
                return Err(TaskError::new("rendezvous timed out: the points did not run concurrently"));
            }
            std::thread::yield_now();
        }
        let p = ctx.point()[0] as f64;
        let mut out = ctx.output(0)?;
        out.view_mut::<f64>()?.fill(p);
        Ok(())
    }
}

#[test]
fn disjoint_tiles_of_one_store_run_concurrently() {
    let rt = runtime(2, 2);
    let lib = rt.create_library("test");
    rt.register_task::<Rendezvous>(&lib).unwrap();
    let a = rt.create_store(Type::Float64, &[8]).unwrap();
    rt.clear_dependence_log();
    let mut t = rt.create_auto_task(&lib, Rendezvous::TASK_ID);
    t.add_output(&a);
    t.execute().unwrap();
    let result = rt.wait_store(&a);
    assert!(!TIMED_OUT.load(Ordering::SeqCst), "the two tiles did not run concurrently");
    result.unwrap();
    let ops = rt.operations();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].points, 2, "an 8-element store with min chunk 2 on 2 CPUs is split in 2");
    assert!(rt.dependences().iter().all(|e| e.from.op_id != e.to.op_id), "points of one operation depend on each other");
    assert_eq!(read_f64(&rt, &a), vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
}

#[test]
fn no_edges_between_points_of_one_operation() {
    let (rt, lib) = runtime_with_lib(4, 2);
    let a = rt.create_store_from::<f64>(&[4, 6], &(0..24).map(|x| x as f64).collect::<Vec<_>>()).unwrap();
    let b = rt.create_store(Type::Float64, &[4, 6]).unwrap();
    rt.clear_dependence_log();
    launch_axpy(&rt, &lib, &b, &a).unwrap();
    rt.issue_fill(&a, 1.0).unwrap();
    launch_axpy(&rt, &lib, &a, &b).unwrap();
    rt.issue_execution_fence(true).unwrap();
    for op in rt.operations() {
        assert!(op.points > 1, "expected multi-point launches: {op:?}");
    }
    for e in rt.dependences() {
        assert_ne!(e.from.op_id, e.to.op_id, "intra-operation edge {e:?}");
    }
    let want: Vec<f64> = (0..24).map(|x| axpy_ref(axpy_ref(x as f64))).collect();
    assert_eq!(read_f64(&rt, &a), want);
}

// ---------------------------------------------------------------------------------------
// Slices.

#[test]
fn even_and_odd_strided_writes_do_not_depend() {
    let rt = runtime(2, 2);
    let a = rt.create_store(Type::Float64, &[20]).unwrap();
    let even = a.slice(0, Some(0), None, 2).unwrap();
    let odd = a.slice(0, Some(1), None, 2).unwrap();
    assert_eq!(even.shape().as_slice(), &[10]);
    rt.clear_dependence_log();
    rt.issue_fill(&even, 1.0).unwrap();
    rt.issue_fill(&odd, 2.0).unwrap();
    let ops = op_ids(&rt);
    assert_eq!(ops.len(), 2);
    assert!(edges_between(&rt, ops[0], ops[1]).is_empty(), "a[::2] and a[1::2] are disjoint: {:?}", rt.dependences());
    let want: Vec<f64> = (0..20).map(|i| if i % 2 == 0 { 1.0 } else { 2.0 }).collect();
    assert_eq!(read_f64(&rt, &a), want);
}

#[test]
fn overlapping_slices_depend_and_disjoint_ones_do_not() {
    let rt = runtime(2, 2);
    let a = rt.create_store(Type::Float64, &[12]).unwrap();
    rt.clear_dependence_log();
    rt.issue_fill(&a.slice(0, Some(0), Some(6), 1).unwrap(), 1.0).unwrap();
    rt.issue_fill(&a.slice(0, Some(4), Some(10), 1).unwrap(), 2.0).unwrap();
    rt.issue_fill(&a.slice(0, Some(10), None, 1).unwrap(), 3.0).unwrap();
    let ops = op_ids(&rt);
    let e01 = edges_between(&rt, ops[0], ops[1]);
    assert!(!e01.is_empty(), "a[0:6] then a[4:10] overlap in 4..6");
    assert!(e01.iter().all(|e| e.storage == a.storage().id()));
    // Point level: only the pieces that overlap are connected. a[0:6] in 2 tiles is
    // [0,3) [3,6); a[4:10] in 2 tiles is [4,7) [7,10): only (tile 1 -> tile 0).
    let pairs: Vec<(i64, i64)> = e01.iter().map(|e| (e.from.color[0], e.to.color[0])).collect();
    assert_eq!(pairs, vec![(1, 0)], "point-level edges");
    assert!(edges_between(&rt, ops[0], ops[2]).is_empty());
    assert!(edges_between(&rt, ops[1], ops[2]).is_empty());
    let want = [1., 1., 1., 1., 2., 2., 2., 2., 2., 2., 3., 3.];
    assert_eq!(read_f64(&rt, &a), want);
}

#[test]
fn reads_never_depend_on_reads_and_read_after_write_does() {
    let rt = runtime(2, 2);
    let a = rt.create_store(Type::Float64, &[16]).unwrap();
    let b = rt.create_store(Type::Float64, &[16]).unwrap();
    let c = rt.create_store(Type::Float64, &[16]).unwrap();
    rt.clear_dependence_log();
    rt.issue_fill(&a, 4.0).unwrap();
    rt.issue_copy(&b, &a).unwrap();
    rt.issue_copy(&c, &a).unwrap();
    let ops = op_ids(&rt);
    assert_eq!(ops.len(), 3);
    let raw1 = edges_between(&rt, ops[0], ops[1]);
    let raw2 = edges_between(&rt, ops[0], ops[2]);
    assert!(!raw1.is_empty() && !raw2.is_empty(), "reads after a write depend on it");
    // Tiles line up (the fill's key partition is reused), so point i depends on point i only.
    for e in raw1.iter().chain(&raw2) {
        assert_eq!(e.from.color, e.to.color, "tile-to-tile precision: {e:?}");
        assert_eq!(e.storage, a.storage().id());
    }
    assert!(edges_between(&rt, ops[1], ops[2]).is_empty(), "two reads of one store never depend");
    assert_eq!(read_f64(&rt, &c), vec![4.0; 16]);
    assert_eq!(read_f64(&rt, &b), vec![4.0; 16]);
}

// ---------------------------------------------------------------------------------------
// Writes through transposed and promoted views.

/// Writes `100 * i + j` at view coordinates (i, j) of its 2-d output.
struct CoordWrite;

impl Task for CoordWrite {
    const TASK_ID: u32 = 11;
    const NAME: &'static str = "coord_write";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mut out = ctx.output(0)?;
        let lo = out.lo().to_vec();
        let mut v = out.view_mut::<f64>()?;
        for ((i, j), x) in v.view_mut().into_dimensionality::<ndarray::Ix2>().unwrap().indexed_iter_mut() {
            *x = (100 * (lo[0] + i as i64) + lo[1] + j as i64) as f64;
        }
        Ok(())
    }
}

#[test]
fn write_through_transpose_is_seen_by_the_original() {
    let rt = runtime(2, 2);
    let lib = rt.create_library("test");
    rt.register_task::<CoordWrite>(&lib).unwrap();
    let a = rt.create_store(Type::Float64, &[4, 6]).unwrap();
    let b = rt.create_store(Type::Float64, &[4, 6]).unwrap();
    rt.issue_fill(&a, 0.0).unwrap();
    let t = a.transpose(&[1, 0]).unwrap();
    assert_eq!(t.shape().as_slice(), &[6, 4]);
    rt.clear_dependence_log();
    let mut task = rt.create_auto_task(&lib, CoordWrite::TASK_ID);
    task.add_output(&t);
    task.execute().unwrap();
    rt.issue_copy(&b, &a).unwrap();
    let ops = op_ids(&rt);
    assert_eq!(ops.len(), 2);
    assert!(!edges_between(&rt, ops[0], ops[1]).is_empty(), "read of the original after a write through its transpose");
    // a[r][c] was written as t[c][r] = 100 * c + r.
    let want: Vec<f64> = (0..4).flat_map(|r| (0..6).map(move |c| (100 * c + r) as f64)).collect();
    assert_eq!(read_f64(&rt, &a), want);
    assert_eq!(read_f64(&rt, &b), want);
}

#[test]
fn write_through_promote_is_seen_by_the_original() {
    let rt = runtime(2, 2);
    let a = rt.create_store(Type::Float64, &[5]).unwrap();
    let b = rt.create_store(Type::Float64, &[5]).unwrap();
    rt.issue_fill(&a, 0.0).unwrap();
    let p = a.promote(0, 3).unwrap();
    assert_eq!(p.shape().as_slice(), &[3, 5]);
    rt.clear_dependence_log();
    rt.issue_fill(&p, 7.0).unwrap();
    rt.issue_copy(&b, &a).unwrap();
    let ops = op_ids(&rt);
    assert_eq!(ops.len(), 2);
    assert!(!edges_between(&rt, ops[0], ops[1]).is_empty(), "read of the original after a write through a promoted view");
    assert_eq!(read_f64(&rt, &a), vec![7.0; 5]);
    assert_eq!(read_f64(&rt, &b), vec![7.0; 5]);
    // The promoted view reads back as a broadcast.
    let pv = rt.read_store::<f64>(&p).unwrap();
    assert_eq!(pv.shape(), &[3, 5]);
    assert!(pv.iter().all(|&x| x == 7.0));
}

// ---------------------------------------------------------------------------------------
// Delinearized and projected views: an edge exactly when the element sets overlap.

fn view_catalog_1d() -> Vec<(&'static str, Vec<Tr>)> {
    let d = |sizes: &[i64]| Tr::Delin { dim: 0, sizes: sizes.to_vec() };
    let proj = |dim, index| Tr::Project { dim, index };
    let sl = |dim, start: Option<i64>, stop: Option<i64>, step| Tr::Slice { dim, start, stop, step };
    vec![
        ("row0 of 4x6", vec![d(&[4, 6]), proj(0, 0)]),
        ("row2 of 4x6", vec![d(&[4, 6]), proj(0, 2)]),
        ("col1 of 4x6", vec![d(&[4, 6]), proj(1, 1)]),
        ("col4 of 4x6", vec![d(&[4, 6]), proj(1, 4)]),
        ("col0 of 2x12", vec![d(&[2, 12]), proj(1, 0)]),
        ("col3 of 8x3", vec![d(&[8, 3]), proj(1, 2)]),
        ("4x6[:,1:3]", vec![d(&[4, 6]), sl(1, Some(1), Some(3), 1)]),
        ("4x6[1::2,::-3]", vec![d(&[4, 6]), sl(0, Some(1), None, 2), sl(1, None, None, -3)]),
        ("6x4^T row 1", vec![d(&[6, 4]), Tr::Transpose(vec![1, 0]), proj(0, 1)]),
        ("2x3x4[:,:,3]", vec![d(&[2, 3, 4]), proj(2, 3)]),
        ("2x3x4[1]", vec![d(&[2, 3, 4]), proj(0, 1)]),
        ("[::2]", vec![sl(0, None, None, 2)]),
        ("[1::2]", vec![sl(0, Some(1), None, 2)]),
        ("[::5]", vec![sl(0, None, None, 5)]),
        ("[5:11]", vec![sl(0, Some(5), Some(11), 1)]),
        ("[::-7]", vec![sl(0, None, None, -7)]),
        ("[13:] as 11 rev", vec![sl(0, Some(13), None, 1), sl(0, None, None, -1)]),
    ]
}

fn view_catalog_2d() -> Vec<(&'static str, Vec<Tr>)> {
    let proj = |dim, index| Tr::Project { dim, index };
    let sl = |dim, start: Option<i64>, stop: Option<i64>, step| Tr::Slice { dim, start, stop, step };
    vec![
        ("a[0,:]", vec![proj(0, 0)]),
        ("a[3,:]", vec![proj(0, 3)]),
        ("a[:,2]", vec![proj(1, 2)]),
        ("a[:,5]", vec![proj(1, 5)]),
        ("a.T[1,:]", vec![Tr::Transpose(vec![1, 0]), proj(0, 1)]),
        ("a[:, ::3]", vec![sl(1, None, None, 3)]),
        ("a[:, 1::3]", vec![sl(1, Some(1), None, 3)]),
        ("a[::-2, 2:4]", vec![sl(0, None, None, -2), sl(1, Some(2), Some(4), 1)]),
        ("a 4x(2x3)[:,:,0]", vec![Tr::Delin { dim: 1, sizes: vec![2, 3] }, proj(2, 0)]),
        ("a 4x(2x3)[:,1,:]", vec![Tr::Delin { dim: 1, sizes: vec![2, 3] }, proj(1, 1)]),
        ("a (2x2)x6 [1]", vec![Tr::Delin { dim: 0, sizes: vec![2, 2] }, proj(0, 1)]),
        ("a[1:3, 1:5]", vec![sl(0, Some(1), Some(3), 1), sl(1, Some(1), Some(5), 1)]),
    ]
}

fn check_catalog(storage_shape: &[i64], catalog: &[(&'static str, Vec<Tr>)]) {
    // Edges between two small operations exist only while the first is in flight:
    // without inline execution each goes to the executor and the edges are observable.
    let rt = Runtime::new(legate_core::Config { cpus: 2, min_cpu_chunk: 2, inline_small_tasks: false, ..legate_core::Config::legate_defaults() })
        .expect("runtime starts");
    let usize_shape: Vec<usize> = storage_shape.iter().map(|&x| x as usize).collect();
    let model = IndexArray::storage(storage_shape);
    let mut failures = Vec::new();
    for (n1, t1) in catalog {
        for (n2, t2) in catalog {
            let m1 = model.apply_all(t1).expect("valid view");
            let m2 = model.apply_all(t2).expect("valid view");
            let overlap = m1.overlaps(&m2);
            // write then write, write then read, read then read, each on a fresh storage.
            for (kind, first_writes, second_writes) in [("W->W", true, true), ("W->R", true, false), ("R->R", false, false)] {
                let a = rt.create_store(Type::Float64, &usize_shape).unwrap();
                rt.issue_fill(&a, 0.0).unwrap();
                let v1 = apply_store(&a, t1).unwrap();
                let v2 = apply_store(&a, t2).unwrap();
                assert_eq!(v1.shape().as_slice(), &m1.shape[..], "{n1}: shape");
                assert_eq!(v2.shape().as_slice(), &m2.shape[..], "{n2}: shape");
                let access = |v: &LogicalStore, writes: bool, value: f64| {
                    if writes {
                        rt.issue_fill(v, value).unwrap();
                    } else {
                        let tmp = rt.create_store(Type::Float64, &v.shape().to_usize()).unwrap();
                        rt.issue_copy(&tmp, v).unwrap();
                    }
                };
                rt.clear_dependence_log();
                access(&v1, first_writes, 1.0);
                access(&v2, second_writes, 2.0);
                let ops = op_ids(&rt);
                assert_eq!(ops.len(), 2, "{n1} / {n2}: one operation each");
                let edges: Vec<_> = edges_between(&rt, ops[0], ops[1]).into_iter().filter(|e| e.storage == a.storage().id()).collect();
                let want = overlap && (first_writes || second_writes);
                if edges.is_empty() == want {
                    failures.push(format!("{kind} {n1} then {n2}: overlap={overlap}, edges={}", edges.len()));
                }
                if first_writes && second_writes {
                    // Sound: the second write wins where they overlap.
                    let got = read_f64(&rt, &a);
                    let mut expect = vec![0.0; model.idx.len()];
                    m1.idx.iter().for_each(|&i| expect[i] = 1.0);
                    m2.idx.iter().for_each(|&i| expect[i] = 2.0);
                    if got != expect {
                        failures.push(format!("{kind} {n1} then {n2}: contents {got:?} != {expect:?}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn delinearized_views_edge_iff_overlap() {
    check_catalog(&[24], &view_catalog_1d());
}

#[test]
fn projected_views_edge_iff_overlap() {
    check_catalog(&[4, 6], &view_catalog_2d());
}

// ---------------------------------------------------------------------------------------
// Footprints too fragmented to keep exactly are widened: still sound.

#[test]
fn widened_footprints_stay_sound() {
    for cpus in [1, 2] {
        let rt = runtime(cpus, 2);
        let a = rt.create_store(Type::Float64, &[390]).unwrap();
        rt.issue_fill(&a, 0.0).unwrap();
        let grid = a.delinearize(0, &[130, 3]).unwrap();
        let two_cols = grid.slice(1, Some(0), Some(2), 1).unwrap(); // 130 pieces of 2
        let third = grid.project(1, 2).unwrap();
        let b = rt.create_store(Type::Float64, &[130]).unwrap();
        rt.clear_dependence_log();
        rt.issue_fill(&third, 2.0).unwrap(); // op 0
        rt.issue_fill(&two_cols, 1.0).unwrap(); // op 1: may be widened to cover `third`
        rt.issue_copy(&b, &third).unwrap(); // op 2: must see op 0's 2.0
        let ops = op_ids(&rt);
        let spurious = !edges_between(&rt, ops[0], ops[1]).is_empty();
        eprintln!("cpus {cpus}: widened footprint gives a (sound, imprecise) edge between disjoint writes: {spurious}");
        assert_eq!(read_f64(&rt, &b), vec![2.0; 130]);
        let want: Vec<f64> = (0..390).map(|i| if i % 3 == 2 { 2.0 } else { 1.0 }).collect();
        assert_eq!(read_f64(&rt, &a), want);
    }
}

// ---------------------------------------------------------------------------------------
// Reductions: same operator never conflicts, different operators and reads do.

/// Folds input 0's tile into reduction 0 with the operator in scalar 0 (1 add, 3 max).
struct ReduceTile;

impl Task for ReduceTile {
    const TASK_ID: u32 = 12;
    const NAME: &'static str = "reduce_tile";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let op = ctx.scalar::<u32>(0)?;
        let inp = ctx.input(0)?;
        let v = inp.view::<f64>()?;
        let mut red = ctx.reduction(0)?;
        let mut r = red.view_mut::<f64>()?;
        for x in r.iter_mut() {
            *x = match op {
                1 => *x + v.iter().sum::<f64>(),
                3 => v.iter().fold(*x, |m, &y| m.max(y)),
                _ => return Err(TaskError::new("unknown op")),
            };
        }
        Ok(())
    }
}

#[test]
fn reductions_with_one_operator_do_not_depend_on_each_other() {
    use legate_core::ReductionOp;
    // Not inline: a copy launched after the reductions finished would run inline and
    // record no edge, which this test reads.
    let rt = Runtime::new(legate_core::Config { cpus: 2, min_cpu_chunk: 2, inline_small_tasks: false, ..legate_core::Config::legate_defaults() })
        .unwrap();
    let lib = rt.create_library("test");
    rt.register_task::<ReduceTile>(&lib).unwrap();
    let x = rt.create_store_from::<f64>(&[10], &(1..=10).map(|v| v as f64).collect::<Vec<_>>()).unwrap();
    let fut = rt.create_future(0.0f64).unwrap();
    let reduce = |op: ReductionOp, code: u32| {
        let mut t = rt.create_auto_task(&lib, ReduceTile::TASK_ID);
        t.add_scalar_arg(code);
        t.add_input(&x);
        t.add_reduction(&fut, op);
        t.execute().unwrap();
    };
    rt.clear_dependence_log();
    reduce(ReductionOp::Add, 1); // 55
    reduce(ReductionOp::Add, 1); // 110
    reduce(ReductionOp::Max, 3); // max(110, 10) = 110
    let out = rt.create_store(Type::Float64, &[1]).unwrap();
    rt.issue_copy(&out, &fut).unwrap();
    reduce(ReductionOp::Add, 1); // 165, after the copy read 110
    let ops = op_ids(&rt);
    assert_eq!(ops.len(), 5);
    assert!(rt.operations()[0].points > 1, "the input is split, so there are partial results to fold");
    assert!(edges_between(&rt, ops[0], ops[1]).is_empty(), "add after add: no dependence");
    assert!(!edges_between(&rt, ops[1], ops[2]).is_empty(), "max after add: dependence");
    assert!(!edges_between(&rt, ops[2], ops[3]).is_empty(), "read after reduce: dependence");
    assert!(!edges_between(&rt, ops[3], ops[4]).is_empty(), "reduce after read: dependence");
    assert_eq!(read_f64(&rt, &out), vec![110.0]);
    assert_eq!(rt.read_scalar::<f64>(&fut).unwrap(), 165.0);
}
