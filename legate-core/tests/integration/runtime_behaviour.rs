//! Runtime behaviour seen from a library author's side: memory limits, task errors,
//! unbound outputs, image and bloated partitions, indirect copies, bad input, OMP
//! processors and key-partition reuse.

use crate::common::*;
use legate_core::constraint::{bloat, image};
use legate_core::{
    Config, ImageKind, LegateError, Library, LogicalStore, ReductionOp, Runtime, Task, TaskContext, TaskError, Type,
    VariantKind, Variable,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

// ---------------------------------------------------------------------------------------
// Recording what each point saw, keyed by a per-launch tag (tests run concurrently).

#[derive(Clone, Debug, PartialEq)]
struct Seen {
    point: Vec<i64>,
    /// (lo, hi) of every input, then every output, then every reduction.
    inputs: Vec<(Vec<i64>, Vec<i64>)>,
    outputs: Vec<(Vec<i64>, Vec<i64>)>,
    variant: VariantKind,
    threads: usize,
    rayon_threads: usize,
}

static RECORDS: Mutex<Option<HashMap<u64, Vec<Seen>>>> = Mutex::new(None);

static NEXT_TAG: AtomicU64 = AtomicU64::new(1);

fn new_tag() -> u64 {
    NEXT_TAG.fetch_add(1, Ordering::SeqCst)
}

/// Records this point under the tag in scalar 0.
fn record(ctx: &TaskContext) -> Result<(), TaskError> {
    let tag = ctx.scalar::<u64>(0)?;
    let rect = |s: &legate_core::PhysicalStore| (s.lo().to_vec(), s.hi().to_vec());
    let seen = Seen {
        point: ctx.point().to_vec(),
        inputs: ctx.inputs().iter().map(rect).collect(),
        outputs: ctx.outputs().iter().map(rect).collect(),
        variant: ctx.variant(),
        threads: ctx.num_threads(),
        rayon_threads: rayon::current_num_threads(),
    };
    RECORDS.lock().unwrap().get_or_insert_with(HashMap::new).entry(tag).or_default().push(seen);
    Ok(())
}

/// The records of `tag`, sorted by point.
fn records(tag: u64) -> Vec<Seen> {
    let mut v = RECORDS.lock().unwrap().get_or_insert_with(HashMap::new).remove(&tag).unwrap_or_default();
    v.sort_by(|a, b| a.point.cmp(&b.point));
    v
}

fn r1(lo: i64, hi: i64) -> (Vec<i64>, Vec<i64>) {
    (vec![lo], vec![hi])
}

// ---------------------------------------------------------------------------------------
// Tasks.

/// Records the pieces it gets; touches nothing.
struct Probe;
impl Task for Probe {
    const TASK_ID: u32 = 20;
    const NAME: &'static str = "probe";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        record(ctx)
    }
}

/// Writes its output, then fails.
struct Fail;
impl Task for Fail {
    const TASK_ID: u32 = 21;
    const NAME: &'static str = "fail";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        ctx.output(0)?.view_mut::<f64>()?.fill(-1.0);
        Err(TaskError::new("deliberate failure 42"))
    }
}

struct Panic;
impl Task for Panic {
    const TASK_ID: u32 = 22;
    const NAME: &'static str = "panic";
    fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
        panic!("deliberate panic 43")
    }
}

/// Point p binds `[2, 0, 3, 1][p % 4]` elements valued `100 * p + k`.
struct BindPerPoint;
impl Task for BindPerPoint {
    const TASK_ID: u32 = 23;
    const NAME: &'static str = "bind_per_point";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let p = ctx.point()[0];
        let n = [2usize, 0, 3, 1][p as usize % 4];
        let mut out = ctx.bind_output(0, &[n])?;
        for (k, x) in out.view_mut::<f64>()?.iter_mut().enumerate() {
            *x = (100 * p + k as i64) as f64;
        }
        Ok(())
    }
}

/// Point 0 binds one element after a pause; the others bind theirs at once.
struct SlowFirstPoint;
impl Task for SlowFirstPoint {
    const TASK_ID: u32 = 90;
    const NAME: &'static str = "slow_first_point";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        if ctx.point()[0] == 0 {
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
        ctx.bind_output(0, &[1])?.view_mut::<f64>()?.fill(1.0);
        Ok(())
    }
}

/// Binds output 1 before output 0, and output 0 twice (the second binding counts).
struct BindTwiceOutOfOrder;
impl Task for BindTwiceOutOfOrder {
    const TASK_ID: u32 = 91;
    const NAME: &'static str = "bind_twice_out_of_order";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        ctx.bind_output(1, &[2])?.view_mut::<f64>()?.fill(1.0);
        ctx.bind_output(0, &[5])?.view_mut::<f64>()?.fill(0.0);
        ctx.bind_output(0, &[3])?.view_mut::<f64>()?.fill(7.0);
        Ok(())
    }
}

/// Unbound output 0 gets the even values of input 0's tile, in order.
struct KeepEven;
impl Task for KeepEven {
    const TASK_ID: u32 = 24;
    const NAME: &'static str = "keep_even";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let inp = ctx.input(0)?;
        let kept: Vec<f64> = inp.view::<f64>()?.iter().copied().filter(|x| x % 2.0 == 0.0).collect();
        let mut out = ctx.bind_output(0, &[kept.len()])?;
        for (o, k) in out.view_mut::<f64>()?.iter_mut().zip(&kept) {
            *o = *k;
        }
        Ok(())
    }
}

/// out[row] = sum of vals[lo..hi) for the ranges in input 0; input 1 is the image piece
/// of vals. Records what it got (scalar 0 is the tag).
struct RowSum;
impl Task for RowSum {
    const TASK_ID: u32 = 25;
    const NAME: &'static str = "row_sum";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        record(ctx)?;
        let ranges = ctx.input(0)?;
        let vals = ctx.input(1)?;
        let mut out = ctx.output(0)?;
        let (vlo, vhi) = (vals.lo()[0], vals.hi()[0]);
        let v = vals.view::<f64>()?;
        let r = ranges.view::<[i64; 2]>()?;
        for (o, rg) in out.view_mut::<f64>()?.iter_mut().zip(r.iter()) {
            let mut s = 0.0;
            for j in rg[0]..rg[1] {
                if j < vlo || j >= vhi {
                    return Err(TaskError::new(format!("row needs vals[{j}] outside the image piece [{vlo}, {vhi})")));
                }
                s += v[[(j - vlo) as usize]];
            }
            *o = s;
        }
        Ok(())
    }
}

/// out[i] = data[idx[i]]: input 0 the indices (int64 or int64[N]), input 1 the image
/// piece of data (1-d or 2-d).
struct ImageGather;
impl Task for ImageGather {
    const TASK_ID: u32 = 26;
    const NAME: &'static str = "image_gather";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        record(ctx)?;
        let idx = ctx.input(0)?;
        let data = ctx.input(1)?;
        let mut out = ctx.output(0)?;
        let (lo, hi) = (data.lo().to_vec(), data.hi().to_vec());
        let d = data.view::<f64>()?;
        let points: Vec<Vec<i64>> = if data.ndim() == 1 {
            idx.view::<i64>()?.iter().map(|&i| vec![i]).collect()
        } else {
            idx.view::<[i64; 2]>()?.iter().map(|p| p.to_vec()).collect()
        };
        for (o, p) in out.view_mut::<f64>()?.iter_mut().zip(points) {
            let mut rel = Vec::new();
            for k in 0..p.len() {
                if p[k] < lo[k] || p[k] >= hi[k] {
                    return Err(TaskError::new(format!("{p:?} outside the image piece {lo:?}..{hi:?}")));
                }
                rel.push((p[k] - lo[k]) as usize);
            }
            *o = d[&rel[..]];
        }
        Ok(())
    }
}

/// 3-point stencil: out[i] = in[i-1] + in[i] + in[i+1] (missing neighbours count 0).
/// Input 1 is the bloated piece; scalar 1 is the length.
struct Stencil;
impl Task for Stencil {
    const TASK_ID: u32 = 27;
    const NAME: &'static str = "stencil";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        record(ctx)?;
        let n = ctx.scalar::<i64>(1)?;
        let halo = ctx.input(1)?;
        let mut out = ctx.output(0)?;
        let (hlo, hhi) = (halo.lo()[0], halo.hi()[0]);
        let olo = out.lo()[0];
        let h = halo.view::<f64>()?;
        for (k, o) in out.view_mut::<f64>()?.iter_mut().enumerate() {
            let i = olo + k as i64;
            let mut s = 0.0;
            for j in (i - 1)..=(i + 1) {
                if j < 0 || j >= n {
                    continue;
                }
                if j < hlo || j >= hhi {
                    return Err(TaskError::new(format!("stencil: in[{j}] is outside the halo piece [{hlo}, {hhi})")));
                }
                s += h[[(j - hlo) as usize]];
            }
            *o = s;
        }
        Ok(())
    }
}

/// Views input 0 as f32 (wrong for a float64 store).
struct WrongDtype;
impl Task for WrongDtype {
    const TASK_ID: u32 = 29;
    const NAME: &'static str = "wrong_dtype";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let s: f32 = ctx.input(0)?.view::<f32>()?.iter().sum();
        let _ = s;
        Ok(())
    }
}

/// Reads scalar 0 as f64.
struct WantsF64Scalar;
impl Task for WantsF64Scalar {
    const TASK_ID: u32 = 30;
    const NAME: &'static str = "wants_f64_scalar";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let _x = ctx.scalar::<f64>(0)?;
        Ok(())
    }
}

/// Has an OMP variant; both variants record.
struct OmpProbe;
impl Task for OmpProbe {
    const TASK_ID: u32 = 31;
    const NAME: &'static str = "omp_probe";
    const HAS_OMP: bool = true;
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        record(ctx)
    }
    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        record(ctx)
    }
}

fn setup(config: Config) -> (Runtime, Library) {
    let rt = Runtime::new(config).expect("runtime");
    let lib = rt.create_library("test");
    rt.register_task::<Axpy>(&lib).unwrap();
    rt.register_task::<SumTask>(&lib).unwrap();
    rt.register_task::<Probe>(&lib).unwrap();
    rt.register_task::<Fail>(&lib).unwrap();
    rt.register_task::<Panic>(&lib).unwrap();
    rt.register_task::<BindPerPoint>(&lib).unwrap();
    rt.register_task::<KeepEven>(&lib).unwrap();
    rt.register_task::<RowSum>(&lib).unwrap();
    rt.register_task::<ImageGather>(&lib).unwrap();
    rt.register_task::<Stencil>(&lib).unwrap();
    rt.register_task::<WrongDtype>(&lib).unwrap();
    rt.register_task::<WantsF64Scalar>(&lib).unwrap();
    rt.register_task::<OmpProbe>(&lib).unwrap();
    (rt, lib)
}

fn cfg(cpus: usize) -> Config {
    Config { cpus, min_cpu_chunk: 2, ..Config::legate_defaults() }
}

fn probe(rt: &Runtime, lib: &Library, inputs: &[&LogicalStore]) -> Vec<Seen> {
    let tag = new_tag();
    let mut t = rt.create_auto_task(lib, Probe::TASK_ID);
    t.add_scalar_arg(tag);
    for s in inputs {
        t.add_input(s);
    }
    t.execute().unwrap();
    rt.issue_execution_fence(true).unwrap();
    records(tag)
}

fn iota(rt: &Runtime, n: usize) -> LogicalStore {
    rt.create_store_from::<f64>(&[n], &(0..n).map(|x| x as f64).collect::<Vec<_>>()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Memory.

#[test]
fn memory_limit_is_a_clear_error_and_memory_comes_back() {
    let (rt, _lib) = setup(Config { sysmem_mb: 16, ..cfg(2) });
    let base = rt.memory_usage().used;
    let err = rt.create_store(Type::Float64, &[4 << 20]).unwrap_err(); // 32 MiB
    assert!(matches!(err, LegateError::OutOfMemory { .. }), "{err:?}");
    assert!(err.to_string().contains("--sysmem"), "{err}");
    assert_eq!(rt.memory_usage().used, base, "a failed allocation charges nothing");

    // Smaller stores still work.
    let small = iota(&rt, 1000);
    let small2 = rt.create_store(Type::Float64, &[1000]).unwrap();
    rt.issue_fill(&small2, 2.5).unwrap();
    assert_eq!(read_f64(&rt, &small2), vec![2.5; 1000]);

    // 10 MiB twice does not fit in 16 MiB, unless the first is given back.
    let with_small = rt.memory_usage().used;
    let big = rt.create_store(Type::Float64, &[10 << 17]).unwrap();
    rt.issue_fill(&big, 1.0).unwrap();
    assert!(rt.memory_usage().used >= with_small + (10 << 20));
    let err = rt.create_store(Type::Float64, &[10 << 17]).unwrap_err();
    assert!(matches!(err, LegateError::OutOfMemory { .. }));
    drop(big); // the fill may still be running: freed when it finishes
    rt.issue_execution_fence(true).unwrap();
    assert_eq!(rt.memory_usage().used, with_small, "dropping a store returns its memory");
    let again = rt.create_store(Type::Float64, &[10 << 17]).unwrap();
    rt.issue_fill(&again, 3.0).unwrap();
    assert_eq!(rt.read_scalar::<f64>(&again.slice_range(0, 5, 6).unwrap()).unwrap(), 3.0);
    drop(again);
    drop(small);
    drop(small2);
    rt.issue_execution_fence(true).unwrap();
    assert_eq!(rt.memory_usage().used, base);
}

#[test]
fn out_of_memory_inside_a_task_is_a_task_error() {
    let (rt, lib) = setup(Config { sysmem_mb: 16, ..cfg(1) });
    let out = rt.create_unbound_store(Type::Float64, 1).unwrap();
    let mut t = rt.create_auto_task(&lib, KeepEven::TASK_ID);
    let big = rt.create_store(Type::Float64, &[9 << 17]).unwrap(); // 9 MiB of zeros: all even
    rt.issue_fill(&big, 0.0).unwrap();
    t.add_input(&big);
    t.add_output(&out);
    t.execute().unwrap();
    let err = rt.issue_execution_fence(true).unwrap_err();
    assert!(err.to_string().contains("--sysmem"), "{err}");
    // Still usable.
    let s = iota(&rt, 10);
    assert_eq!(read_f64(&rt, &s)[9], 9.0);
}

// ---------------------------------------------------------------------------------------
// Task errors.

#[test]
fn task_errors_surface_and_the_runtime_keeps_working() {
    let (rt, lib) = setup(cfg(2));
    let unrelated = iota(&rt, 16);
    let x = rt.create_store(Type::Float64, &[8]).unwrap();

    // An error: surfaces from wait_store.
    let mut t = rt.create_auto_task(&lib, Fail::TASK_ID);
    t.add_output(&x);
    t.execute().expect("submission succeeds; the failure comes later");
    let err = rt.wait_store(&x).unwrap_err();
    assert!(err.to_string().contains("deliberate failure 42"), "{err}");
    assert!(matches!(err, LegateError::TaskFailed { .. } | LegateError::ManyTaskErrors(..)), "{err:?}");
    rt.issue_execution_fence(true).expect("errors are reported once");

    // A panic: surfaces from the fence.
    let mut t = rt.create_auto_task(&lib, Panic::TASK_ID);
    t.add_output(&x);
    t.execute().unwrap();
    let err = rt.issue_execution_fence(true).unwrap_err();
    assert!(err.to_string().contains("deliberate panic 43"), "{err}");

    // Later work runs, unrelated data is intact.
    rt.issue_fill(&x, 3.0).unwrap();
    assert_eq!(read_f64(&rt, &x), vec![3.0; 8]);
    assert_eq!(read_f64(&rt, &unrelated), (0..16).map(|v| v as f64).collect::<Vec<_>>());
    rt.issue_execution_fence(true).unwrap();
}

#[test]
fn throwing_tasks_return_their_error_from_execute() {
    let (rt, lib) = setup(cfg(2));
    let x = rt.create_store(Type::Float64, &[8]).unwrap();
    for id in [Fail::TASK_ID, Panic::TASK_ID] {
        let mut t = rt.create_auto_task(&lib, id);
        t.add_output(&x);
        t.throws_exception(true);
        let err = t.execute().unwrap_err();
        assert!(err.to_string().contains("deliberate"), "{err}");
        rt.issue_execution_fence(true).expect("the error was returned already");
    }
    let y = iota(&rt, 8);
    let mut t = rt.create_auto_task(&lib, Axpy::TASK_ID);
    let a = t.add_input(&y);
    let b = t.add_output(&x);
    t.add_alignment(a, b);
    t.throws_exception(true);
    t.execute().unwrap();
    assert_eq!(read_f64(&rt, &x), (0..8).map(|v| axpy_ref(v as f64)).collect::<Vec<_>>());
}

// ---------------------------------------------------------------------------------------
// Unbound outputs.

#[test]
fn unbound_outputs_concatenate_in_launch_order() {
    let (rt, lib) = setup(cfg(3));
    let out = rt.create_unbound_store(Type::Float64, 1).unwrap();
    assert!(out.unbound());
    let mut t = rt.create_manual_task(&lib, BindPerPoint::TASK_ID, &[4]).unwrap();
    t.add_output(&out);
    t.execute().unwrap();
    let want = vec![0.0, 1.0, 200.0, 201.0, 202.0, 300.0];
    assert_eq!(out.shape().as_slice(), &[6]);
    assert_eq!(read_f64(&rt, &out), want);
    // A later task reads it.
    let fut = rt.create_future(0.0f64).unwrap();
    launch_sum(&rt, &lib, &out, &fut).unwrap();
    assert_eq!(rt.read_scalar::<f64>(&fut).unwrap(), want.iter().sum::<f64>());
    let y = rt.create_store(Type::Float64, &[6]).unwrap();
    launch_axpy(&rt, &lib, &y, &out).unwrap();
    assert_eq!(read_f64(&rt, &y), want.iter().map(|&v| axpy_ref(v)).collect::<Vec<_>>());
}

#[test]
fn outputs_bound_out_of_order_or_twice_keep_their_last_binding() {
    let (rt, lib) = setup(cfg(1));
    rt.register_task::<BindTwiceOutOfOrder>(&lib).unwrap();
    let (a, b) = (rt.create_unbound_store(Type::Float64, 1).unwrap(), rt.create_unbound_store(Type::Float64, 1).unwrap());
    let mut t = rt.create_auto_task(&lib, BindTwiceOutOfOrder::TASK_ID);
    t.add_output(&a);
    t.add_output(&b);
    t.execute().unwrap();
    assert_eq!(read_f64(&rt, &a), vec![7.0; 3]);
    assert_eq!(read_f64(&rt, &b), vec![1.0; 2]);
}

#[test]
fn waiting_for_an_unbound_store_waits_for_every_point() {
    // Each point of an unbound output covers the whole storage; a reader must wait
    // for all of them, not only the last one recorded (which finishes first here).
    let (rt, lib) = setup(cfg(2));
    rt.register_task::<SlowFirstPoint>(&lib).unwrap();
    for _ in 0..3 {
        let out = rt.create_unbound_store(Type::Float64, 1).unwrap();
        let mut t = rt.create_manual_task(&lib, SlowFirstPoint::TASK_ID, &[2]).unwrap();
        t.add_output(&out);
        t.execute().unwrap();
        rt.wait_store(&out).unwrap();
        assert_eq!(out.shape_if_known().map(|s| s.to_usize()), Some(vec![2]), "bound once its writers are done");
    }
}

#[test]
fn unbound_output_of_a_partitioned_auto_task() {
    for cpus in [1, 3, 4] {
        let (rt, lib) = setup(cfg(cpus));
        let vals: Vec<f64> = (0..23).map(|i| ((i * 7) % 10) as f64).collect();
        let inp = rt.create_store_from::<f64>(&[23], &vals).unwrap();
        let out = rt.create_unbound_store(Type::Float64, 1).unwrap();
        rt.clear_dependence_log();
        let mut t = rt.create_auto_task(&lib, KeepEven::TASK_ID);
        t.add_input(&inp);
        t.add_output(&out);
        t.execute().unwrap();
        if cpus > 1 {
            assert!(rt.operations()[0].points > 1, "the input is split");
        }
        let want: Vec<f64> = vals.iter().copied().filter(|x| x % 2.0 == 0.0).collect();
        // A consumer issued before anyone waited.
        let y = rt.create_store(Type::Float64, &[want.len()]).unwrap();
        launch_axpy(&rt, &lib, &y, &out).unwrap();
        assert_eq!(read_f64(&rt, &out), want, "cpus {cpus}");
        assert_eq!(read_f64(&rt, &y), want.iter().map(|&v| axpy_ref(v)).collect::<Vec<_>>());
    }
}

#[test]
fn auto_task_with_only_an_unbound_output_runs() {
    let (rt, lib) = setup(cfg(2));
    let out = rt.create_unbound_store(Type::Float64, 1).unwrap();
    let mut t = rt.create_auto_task(&lib, BindPerPoint::TASK_ID);
    t.add_output(&out);
    t.execute().expect("an auto task whose only argument is an unbound output runs as one point");
    assert_eq!(read_f64(&rt, &out), vec![0.0, 1.0]);
}

#[test]
fn auto_task_without_partitionable_arguments_runs() {
    let (rt, lib) = setup(cfg(2));
    // Only a future.
    let fut = rt.create_future(5.0f64).unwrap();
    let tag = new_tag();
    let mut t = rt.create_auto_task(&lib, Probe::TASK_ID);
    t.add_scalar_arg(tag);
    t.add_input(&fut);
    t.execute().expect("a task over a future runs as one point");
    // Only a fully broadcast store.
    let a = iota(&rt, 10);
    let mut t = rt.create_auto_task(&lib, Probe::TASK_ID);
    t.add_scalar_arg(tag);
    let v = t.add_input(&a);
    t.add_broadcast(v, None);
    t.execute().expect("a task over a broadcast store runs as one point");
    rt.issue_execution_fence(true).unwrap();
    assert_eq!(records(tag).len(), 2);
}

#[test]
fn empty_views_are_no_ops() {
    let (rt, lib) = setup(cfg(2));
    let a = iota(&rt, 10);
    let empty = a.slice(0, Some(5), Some(5), 1).unwrap();
    assert_eq!(empty.volume(), 0);
    rt.issue_fill(&empty, 1.0).expect("filling an empty view is a no-op");
    let e2 = rt.create_store(Type::Float64, &[0]).unwrap();
    rt.issue_copy(&e2, &empty).expect("copying an empty view is a no-op");
    let fut = rt.create_future(0.0f64).unwrap();
    launch_sum(&rt, &lib, &empty, &fut).expect("summing an empty view");
    assert_eq!(rt.read_scalar::<f64>(&fut).unwrap(), 0.0);
    assert_eq!(read_f64(&rt, &a), (0..10).map(|v| v as f64).collect::<Vec<_>>());
}

// ---------------------------------------------------------------------------------------
// Image partitions.

#[test]
fn range_images_give_each_point_the_bounding_rect_of_its_ranges() {
    let mut rng = Rng(7);
    for cpus in [1, 2, 3] {
        let (rt, lib) = setup(cfg(cpus));
        let n = 11;
        let lens: Vec<i64> = (0..n).map(|i| if i == 4 || i == 5 { 0 } else { rng.range(0, 4) }).collect();
        let mut rp = vec![0i64];
        for l in &lens {
            rp.push(rp.last().unwrap() + l);
        }
        let nnz = *rp.last().unwrap() as usize;
        let ranges: Vec<[i64; 2]> = (0..n).map(|i| [rp[i], rp[i + 1]]).collect();
        let vals: Vec<f64> = (0..nnz).map(|j| (j + 1) as f64).collect();
        let rs = rt.create_store_from::<[i64; 2]>(&[n], &ranges).unwrap();
        assert_eq!(*rs.ty(), Type::fixed_array(Type::Int64, 2));
        let vs = rt.create_store_from::<f64>(&[nnz], &vals).unwrap();
        let out = rt.create_store(Type::Float64, &[n]).unwrap();
        let tag = new_tag();
        let mut t = rt.create_auto_task(&lib, RowSum::TASK_ID);
        t.add_scalar_arg(tag);
        let r = t.add_input(&rs);
        let v = t.add_input(&vs);
        let o = t.add_output(&out);
        t.add_alignment(r, o);
        t.add_constraint(image(r, v, ImageKind::Ranges));
        t.execute().unwrap();
        let want: Vec<f64> = ranges.iter().map(|[lo, hi]| (*lo..*hi).map(|j| vals[j as usize]).sum()).collect();
        assert_eq!(read_f64(&rt, &out), want, "cpus {cpus}");
        let seen = records(tag);
        if cpus > 1 {
            assert!(seen.len() > 1);
        }
        for s in &seen {
            let (lo, hi) = (s.inputs[0].0[0] as usize, s.inputs[0].1[0] as usize);
            let nonempty: Vec<&[i64; 2]> = ranges[lo..hi].iter().filter(|r| r[1] > r[0]).collect();
            let expect = if nonempty.is_empty() {
                r1(0, 0)
            } else {
                r1(nonempty.iter().map(|r| r[0]).min().unwrap(), nonempty.iter().map(|r| r[1]).max().unwrap())
            };
            let got = &s.inputs[1];
            let empty_ok = nonempty.is_empty() && got.1[0] <= got.0[0];
            assert!(empty_ok || *got == expect, "cpus {cpus} point {:?} rows [{lo},{hi}): image {got:?}, expected {expect:?}", s.point);
        }
    }
}

#[test]
fn point_images_give_each_point_the_bounding_rect_of_its_points() {
    let mut rng = Rng(11);
    for cpus in [1, 2, 4] {
        let (rt, lib) = setup(cfg(cpus));
        // 1-d: int64 coordinates.
        let (n, m) = (13usize, 30i64);
        let idx: Vec<i64> = (0..n).map(|_| rng.range(0, m - 1)).collect();
        let data: Vec<f64> = (0..m).map(|j| (j * 3) as f64).collect();
        let is = rt.create_store_from::<i64>(&[n], &idx).unwrap();
        let ds = rt.create_store_from::<f64>(&[m as usize], &data).unwrap();
        let out = rt.create_store(Type::Float64, &[n]).unwrap();
        let tag = new_tag();
        let mut t = rt.create_auto_task(&lib, ImageGather::TASK_ID);
        t.add_scalar_arg(tag);
        let i = t.add_input(&is);
        let d = t.add_input(&ds);
        let o = t.add_output(&out);
        t.add_alignment(i, o);
        t.add_constraint(image(i, d, ImageKind::Points));
        t.execute().unwrap();
        assert_eq!(read_f64(&rt, &out), idx.iter().map(|&j| data[j as usize]).collect::<Vec<_>>());
        let seen = records(tag);
        if cpus > 1 {
            assert!(seen.len() > 1);
        }
        for s in &seen {
            let (lo, hi) = (s.inputs[0].0[0] as usize, s.inputs[0].1[0] as usize);
            let mine = &idx[lo..hi];
            let expect = r1(*mine.iter().min().unwrap(), mine.iter().max().unwrap() + 1);
            assert_eq!(s.inputs[1], expect, "cpus {cpus} point {:?}", s.point);
        }

        // 2-d: int64[2] coordinates into a 5x6 store.
        let pts: Vec<[i64; 2]> = (0..n).map(|_| [rng.range(0, 4), rng.range(0, 5)]).collect();
        let data2: Vec<f64> = (0..30).map(|j| (j * 2 + 1) as f64).collect();
        let ps = rt.create_store_from::<[i64; 2]>(&[n], &pts).unwrap();
        assert_eq!(*ps.ty(), Type::point(2));
        let ds2 = rt.create_store_from::<f64>(&[5, 6], &data2).unwrap();
        let out2 = rt.create_store(Type::Float64, &[n]).unwrap();
        let tag = new_tag();
        let mut t = rt.create_auto_task(&lib, ImageGather::TASK_ID);
        t.add_scalar_arg(tag);
        let i = t.add_input(&ps);
        let d = t.add_input(&ds2);
        let o = t.add_output(&out2);
        t.add_alignment(i, o);
        t.add_constraint(image(i, d, ImageKind::Points));
        t.execute().unwrap();
        let want: Vec<f64> = pts.iter().map(|p| data2[(p[0] * 6 + p[1]) as usize]).collect();
        assert_eq!(read_f64(&rt, &out2), want, "cpus {cpus}");
        for s in records(tag) {
            let (lo, hi) = (s.inputs[0].0[0] as usize, s.inputs[0].1[0] as usize);
            let mine = &pts[lo..hi];
            let lo2 = vec![mine.iter().map(|p| p[0]).min().unwrap(), mine.iter().map(|p| p[1]).min().unwrap()];
            let hi2 = vec![mine.iter().map(|p| p[0]).max().unwrap() + 1, mine.iter().map(|p| p[1]).max().unwrap() + 1];
            assert_eq!(s.inputs[1], (lo2, hi2), "2-d, cpus {cpus} point {:?}", s.point);
        }
    }
}

#[test]
fn images_wait_for_the_producer_of_their_source() {
    // The index store is produced by a task right before the image launch: the image
    // must be resolved from the produced values, not the initial ones.
    let (rt, lib) = setup(cfg(2));
    let n = 8;
    let is = rt.create_store_from::<i64>(&[n], &[0; 8]).unwrap();
    let ds = iota(&rt, 20);
    let new_idx: Vec<i64> = vec![19, 3, 18, 4, 17, 5, 16, 6];
    let src = rt.create_store_from::<i64>(&[n], &new_idx).unwrap();
    rt.issue_copy(&is, &src).unwrap();
    let out = rt.create_store(Type::Float64, &[n]).unwrap();
    let tag = new_tag();
    let mut t = rt.create_auto_task(&lib, ImageGather::TASK_ID);
    t.add_scalar_arg(tag);
    let i = t.add_input(&is);
    let d = t.add_input(&ds);
    let o = t.add_output(&out);
    t.add_alignment(i, o);
    t.add_constraint(image(i, d, ImageKind::Points));
    t.execute().unwrap();
    // And a write to the data after the launch must not be seen by it.
    rt.issue_fill(&ds, -1.0).unwrap();
    assert_eq!(read_f64(&rt, &out), new_idx.iter().map(|&j| j as f64).collect::<Vec<_>>());
    let _ = records(tag);
}

// ---------------------------------------------------------------------------------------
// Bloated partitions.

#[test]
fn bloated_stencil_is_right_on_any_processor_count() {
    let n = 37i64;
    let input: Vec<f64> = (0..n).map(|i| ((i * i) % 11) as f64).collect();
    let want: Vec<f64> = (0..n)
        .map(|i| ((i - 1).max(0)..=(i + 1).min(n - 1)).map(|j| input[j as usize]).sum())
        .collect();
    for cpus in [1, 2, 4] {
        let (rt, lib) = setup(cfg(cpus));
        let inp = rt.create_store_from::<f64>(&[n as usize], &input).unwrap();
        let out = rt.create_store(Type::Float64, &[n as usize]).unwrap();
        let tag = new_tag();
        let mut t = rt.create_auto_task(&lib, Stencil::TASK_ID);
        t.add_scalar_arg(tag);
        t.add_scalar_arg(n);
        let a = t.add_input(&inp);
        let h = t.add_input(&inp);
        let o = t.add_output(&out);
        t.add_alignment(a, o);
        t.add_constraint(bloat(a, h, &[1], &[1]));
        t.execute().unwrap();
        assert_eq!(read_f64(&rt, &out), want, "cpus {cpus}");
        let seen = records(tag);
        assert_eq!(seen.len(), cpus, "one point per processor for 37 elements");
        for s in &seen {
            let (lo, hi) = (s.inputs[0].0[0], s.inputs[0].1[0]);
            assert_eq!(s.outputs[0], r1(lo, hi), "aligned");
            assert_eq!(s.inputs[1], r1((lo - 1).max(0), (hi + 1).min(n)), "halo of point {:?}", s.point);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Gather / scatter / scatter-gather.

#[test]
fn indirect_copies_1d() {
    let mut rng = Rng(3);
    for cpus in [1, 2, 3] {
        let rt = runtime(cpus, 2);
        let src_vals: Vec<f64> = (0..20).map(|i| (i * 5 + 1) as f64).collect();
        let src = rt.create_store_from::<f64>(&[20], &src_vals).unwrap();
        // gather
        let gi: Vec<i64> = (0..14).map(|_| rng.range(0, 19)).collect();
        let gis = rt.create_store_from::<i64>(&[14], &gi).unwrap();
        let dst = rt.create_store(Type::Float64, &[14]).unwrap();
        rt.issue_gather(&dst, &src, &gis).unwrap();
        assert_eq!(read_f64(&rt, &dst), gi.iter().map(|&i| src_vals[i as usize]).collect::<Vec<_>>());
        // scatter (distinct targets)
        let mut perm: Vec<i64> = (0..20).collect();
        rng.shuffle(&mut perm);
        let si = &perm[..9];
        let sis = rt.create_store_from::<i64>(&[9], si).unwrap();
        let sv: Vec<f64> = (0..9).map(|i| (100 + i) as f64).collect();
        let svs = rt.create_store_from::<f64>(&[9], &sv).unwrap();
        let target = rt.create_store(Type::Float64, &[20]).unwrap();
        rt.issue_fill(&target, -1.0).unwrap();
        rt.issue_scatter(&target, &sis, &svs).unwrap();
        let mut want = vec![-1.0; 20];
        for (k, &i) in si.iter().enumerate() {
            want[i as usize] = sv[k];
        }
        assert_eq!(read_f64(&rt, &target), want);
        // scatter-gather
        rng.shuffle(&mut perm);
        let di: Vec<i64> = perm[..11].to_vec();
        let gi2: Vec<i64> = (0..11).map(|_| rng.range(0, 19)).collect();
        let dis = rt.create_store_from::<i64>(&[11], &di).unwrap();
        let gis2 = rt.create_store_from::<i64>(&[11], &gi2).unwrap();
        rt.issue_scatter_gather(&target, &dis, &src, &gis2).unwrap();
        for k in 0..11 {
            want[di[k] as usize] = src_vals[gi2[k] as usize];
        }
        assert_eq!(read_f64(&rt, &target), want);
        // gather within one store (source read before the target is written)
        let rev: Vec<i64> = (0..20).rev().collect();
        let revs = rt.create_store_from::<i64>(&[20], &rev).unwrap();
        rt.issue_gather(&src, &src, &revs).unwrap();
        assert_eq!(read_f64(&rt, &src), src_vals.iter().rev().copied().collect::<Vec<_>>());
    }
}

#[test]
fn indirect_copies_2d() {
    let rt = runtime(2, 2);
    let src_vals: Vec<f64> = (0..20).map(|i| (i * 3) as f64).collect();
    let src = rt.create_store_from::<f64>(&[4, 5], &src_vals).unwrap();
    // gather from 2-d into a 3x2 target with 3x2 point indices
    let pts: Vec<[i64; 2]> = vec![[0, 0], [3, 4], [1, 2], [2, 1], [3, 0], [0, 4]];
    let ps = rt.create_store_from::<[i64; 2]>(&[3, 2], &pts).unwrap();
    assert_eq!(*ps.ty(), Type::point(2));
    let dst = rt.create_store(Type::Float64, &[3, 2]).unwrap();
    rt.issue_gather(&dst, &src, &ps).unwrap();
    let at = |p: &[i64; 2]| src_vals[(p[0] * 5 + p[1]) as usize];
    assert_eq!(read_f64(&rt, &dst), pts.iter().map(at).collect::<Vec<_>>());
    // scatter a 1-d source into 2-d
    let target = rt.create_store(Type::Float64, &[4, 5]).unwrap();
    rt.issue_fill(&target, 0.5).unwrap();
    let vals = rt.create_store_from::<f64>(&[6], &[1., 2., 3., 4., 5., 6.]).unwrap();
    let ps1 = rt.create_store_from::<[i64; 2]>(&[6], &pts).unwrap();
    rt.issue_scatter(&target, &ps1, &vals).unwrap();
    let mut want = vec![0.5; 20];
    for (k, p) in pts.iter().enumerate() {
        want[(p[0] * 5 + p[1]) as usize] = (k + 1) as f64;
    }
    assert_eq!(read_f64(&rt, &target), want);
    // scatter-gather 2-d -> 2-d through a transposed target view
    let tt = target.transpose(&[1, 0]).unwrap(); // 5x4
    let from: Vec<[i64; 2]> = vec![[1, 1], [2, 2], [3, 3]];
    let to: Vec<[i64; 2]> = vec![[4, 0], [0, 3], [2, 1]]; // view coordinates of tt
    let fs = rt.create_store_from::<[i64; 2]>(&[3], &from).unwrap();
    let ts = rt.create_store_from::<[i64; 2]>(&[3], &to).unwrap();
    rt.issue_scatter_gather(&tt, &ts, &src, &fs).unwrap();
    for k in 0..3 {
        let (i, j) = (to[k][1], to[k][0]); // tt[a][b] is target[b][a]
        want[(i * 5 + j) as usize] = at(&from[k]);
    }
    assert_eq!(read_f64(&rt, &target), want);
}

#[test]
fn out_of_bounds_indices_are_errors() {
    let rt = runtime(2, 2);
    let src = iota(&rt, 10);
    let dst = rt.create_store(Type::Float64, &[4]).unwrap();
    let bad = rt.create_store_from::<i64>(&[4], &[1, 2, 10, 3]).unwrap();
    rt.issue_gather(&dst, &src, &bad).unwrap();
    let err = rt.wait_store(&dst).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
    let neg = rt.create_store_from::<i64>(&[4], &[0, -1, 2, 3]).unwrap();
    let vals = iota(&rt, 4);
    rt.issue_scatter(&src, &neg, &vals).unwrap();
    let err = rt.issue_execution_fence(true).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
    let bad2 = rt.create_store_from::<[i64; 2]>(&[1], &[[0, 5]]).unwrap();
    let src2 = rt.create_store(Type::Float64, &[3, 5]).unwrap();
    rt.issue_fill(&src2, 0.0).unwrap();
    let dst1 = rt.create_store(Type::Float64, &[1]).unwrap();
    rt.issue_gather(&dst1, &src2, &bad2).unwrap();
    assert!(rt.issue_execution_fence(true).is_err());
    // Wrong index type is refused up front.
    let i32s = rt.create_store_from::<i32>(&[4], &[0, 1, 2, 3]).unwrap();
    assert!(matches!(rt.issue_gather(&dst, &src, &i32s), Err(LegateError::TypeMismatch(_))));
    // The failed scatter should have written `src`: reading it, or anything computed
    // from it, raises that error every time until it is written again.
    for _ in 0..2 {
        assert!(rt.read_store::<f64>(&src).unwrap_err().to_string().contains("out of bounds"));
    }
    rt.issue_gather(&dst, &src, &rt.create_store_from::<i64>(&[4], &[9, 8, 7, 6]).unwrap()).unwrap();
    assert!(rt.read_store::<f64>(&dst).unwrap_err().to_string().contains("out of bounds"));
    // Still working once rewritten.
    let fresh = iota(&rt, 10);
    rt.issue_copy(&src, &fresh).unwrap();
    rt.issue_gather(&dst, &src, &rt.create_store_from::<i64>(&[4], &[9, 8, 7, 6]).unwrap()).unwrap();
    assert_eq!(read_f64(&rt, &dst), vec![9.0, 8.0, 7.0, 6.0]);
    rt.issue_execution_fence(true).unwrap();
}

// ---------------------------------------------------------------------------------------
// Bad input never panics.

#[test]
fn bad_input_is_reported_not_panicked() {
    let (rt, lib) = setup(cfg(2));
    let a = iota(&rt, 10);
    let b = rt.create_store(Type::Float64, &[12]).unwrap();

    // Wrong dtype for an accessor: a task error naming the dtypes.
    let mut t = rt.create_auto_task(&lib, WrongDtype::TASK_ID);
    t.add_input(&a);
    t.execute().unwrap();
    let err = rt.issue_execution_fence(true).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("Float64") && msg.contains("f32"), "{msg}");

    // Mismatched shapes in an alignment.
    let mut t = rt.create_auto_task(&lib, Axpy::TASK_ID);
    let x = t.add_input(&a);
    let y = t.add_output(&b);
    t.add_alignment(x, y);
    assert!(matches!(t.execute(), Err(LegateError::ShapeMismatch(_))));

    // Unknown task id.
    let mut t = rt.create_auto_task(&lib, 999);
    t.add_output(&b);
    assert!(matches!(t.execute(), Err(LegateError::UnknownTask { task_id: 999, .. })));

    // Wrong scalar type: a task error.
    let mut t = rt.create_auto_task(&lib, WantsF64Scalar::TASK_ID);
    t.add_scalar_arg(3i32);
    t.add_input(&a);
    t.execute().unwrap();
    let err = rt.issue_execution_fence(true).unwrap_err();
    assert!(err.to_string().contains("scalar"), "{err}");

    // A constraint naming a missing argument.
    let mut t = rt.create_auto_task(&lib, Axpy::TASK_ID);
    t.add_input(&a);
    t.add_alignment(Variable(0), Variable(7));
    assert!(matches!(t.execute(), Err(LegateError::InvalidArgument(_))));

    // Transforms out of range.
    let two = rt.create_store(Type::Float64, &[3, 4]).unwrap();
    let invalid = |r: legate_core::Result<LogicalStore>, what: &str| {
        assert!(matches!(r, Err(LegateError::InvalidArgument(_))), "{what}: {r:?}");
    };
    invalid(a.slice(1, None, None, 1), "slice dim");
    invalid(a.slice(0, None, None, 0), "slice step 0");
    invalid(a.slice_range(0, 5, 11), "slice_range past the end");
    invalid(a.project(0, 10), "project index");
    invalid(a.project(0, -1), "project negative");
    invalid(a.project(1, 0), "project dim");
    invalid(two.transpose(&[0, 0]), "transpose repeat");
    invalid(two.transpose(&[0]), "transpose short");
    invalid(two.transpose(&[0, 2]), "transpose out of range");
    invalid(a.delinearize(0, &[3, 4]), "delinearize product");
    invalid(a.delinearize(1, &[2, 5]), "delinearize dim");
    invalid(a.promote(2, 3), "promote dim");
    invalid(a.promote(0, -1), "promote size");
    let mut full = two.clone();
    while full.ndim() < legate_core::LEGATE_MAX_DIM {
        full = full.promote(0, 2).unwrap();
    }
    invalid(full.promote(0, 2), "too many dims");
    invalid(full.delinearize(1, &[2, 2]), "delinearize past the maximum dims");

    // Fill with the wrong type; copies of different types or shapes.
    assert!(matches!(rt.issue_fill(&a, 1i32), Err(LegateError::TypeMismatch(_))));
    let ints = rt.create_store(Type::Int64, &[10]).unwrap();
    assert!(matches!(rt.issue_fill(&ints, 1.0f64), Err(LegateError::TypeMismatch(_))));
    assert!(matches!(rt.issue_copy(&ints, &a), Err(LegateError::TypeMismatch(_))));
    assert!(matches!(rt.issue_copy(&b, &a), Err(LegateError::ShapeMismatch(_))));
    assert!(matches!(rt.create_store_from::<f64>(&[3], &[1.0, 2.0]), Err(LegateError::ShapeMismatch(_))));

    // Reduction operators that do not apply to the type.
    for op in [ReductionOp::Xor, ReductionOp::Or, ReductionOp::And] {
        let fut = rt.create_future(0.0f64).unwrap();
        let mut t = rt.create_auto_task(&lib, SumTask::TASK_ID);
        t.add_input(&a);
        t.add_reduction(&fut, op);
        assert!(matches!(t.execute(), Err(LegateError::TypeMismatch(_))), "{op:?} on float64");
    }

    // Manual launch domains must be positive.
    assert!(matches!(rt.create_manual_task(&lib, Probe::TASK_ID, &[0]), Err(LegateError::InvalidArgument(_))));
    assert!(matches!(rt.create_manual_task(&lib, Probe::TASK_ID, &[]), Err(LegateError::InvalidArgument(_))));

    // And everything still works.
    rt.issue_execution_fence(true).unwrap();
    let fut = rt.create_future(0.0f64).unwrap();
    launch_sum(&rt, &lib, &a, &fut).unwrap();
    assert_eq!(rt.read_scalar::<f64>(&fut).unwrap(), 45.0);
}

// ---------------------------------------------------------------------------------------
// OMP processors.

#[test]
fn omp_variant_runs_on_omp_processors() {
    let (rt, lib) = setup(Config { cpus: 1, omps: 2, ompthreads: 2, min_cpu_chunk: 2, min_omp_chunk: 2, ..Config::legate_defaults() });
    let a = iota(&rt, 16);
    let tag = new_tag();
    let mut t = rt.create_auto_task(&lib, OmpProbe::TASK_ID);
    t.add_scalar_arg(tag);
    t.add_input(&a);
    t.execute().unwrap();
    rt.issue_execution_fence(true).unwrap();
    let seen = records(tag);
    assert_eq!(seen.len(), 2, "two OMP processors: two points");
    for s in &seen {
        assert_eq!(s.variant, VariantKind::Omp);
        assert_eq!(s.threads, 2);
        assert_eq!(s.rayon_threads, 2, "the OMP body runs inside its processor's pool");
    }
    // A CPU-only task still runs on the CPU.
    let seen = probe(&rt, &lib, &[&a]);
    assert!(seen.iter().all(|s| s.variant == VariantKind::Cpu && s.threads == 1), "{seen:?}");
}

// ---------------------------------------------------------------------------------------
// Key partitions.

#[test]
fn key_partition_of_a_written_store_is_reused() {
    let (rt, lib) = setup(cfg(4));
    let a = rt.create_store(Type::Float64, &[16]).unwrap();
    // A fresh store is split 4 ways.
    let fresh = probe(&rt, &lib, &[&iota(&rt, 16)]);
    assert_eq!(fresh.iter().map(|s| s.inputs[0].clone()).collect::<Vec<_>>(), vec![r1(0, 4), r1(4, 8), r1(8, 12), r1(12, 16)]);
    // Written with a 2-way tiling by a manual task ...
    let part = a.partition_by_tiling(&[8]).unwrap();
    let mut t = rt.create_manual_task(&lib, Axpy::TASK_ID, &[2]).unwrap();
    let src = iota(&rt, 16);
    t.add_input_partition(&src.partition_by_tiling(&[8]).unwrap(), None);
    t.add_output_partition(&part, None);
    t.execute().unwrap();
    // ... the next task on it gets the same tiling.
    let seen = probe(&rt, &lib, &[&a]);
    assert_eq!(seen.iter().map(|s| s.inputs[0].clone()).collect::<Vec<_>>(), vec![r1(0, 8), r1(8, 16)]);
    assert_eq!(read_f64(&rt, &a), (0..16).map(|v| axpy_ref(v as f64)).collect::<Vec<_>>());
}

#[test]
fn key_partition_is_preferred_when_aligned_with_a_fresh_output() {
    // DESIGN §3: the solver prefers existing key partitions, so an elementwise task from
    // a store with a key partition into a fresh store keeps the data where it is.
    let (rt, lib) = setup(cfg(4));
    let a = rt.create_store(Type::Float64, &[16]).unwrap();
    let mut t = rt.create_manual_task(&lib, Axpy::TASK_ID, &[2]).unwrap();
    let src = iota(&rt, 16);
    t.add_input_partition(&src.partition_by_tiling(&[8]).unwrap(), None);
    t.add_output_partition(&a.partition_by_tiling(&[8]).unwrap(), None);
    t.execute().unwrap();
    let b = rt.create_store(Type::Float64, &[16]).unwrap();
    launch_axpy(&rt, &lib, &b, &a).unwrap();
    let seen = probe(&rt, &lib, &[&b]);
    assert_eq!(seen.iter().map(|s| s.inputs[0].clone()).collect::<Vec<_>>(), vec![r1(0, 8), r1(8, 16)]);
}

/// A task reading a store whose producer failed fails with the producer's error, and a
/// later successful write of the store clears that state.
#[test]
fn failures_reach_results_computed_from_failed_stores() {
    use legate_core::{Task, TaskContext, TaskError};
    struct Fails;
    impl Task for Fails {
        const TASK_ID: u32 = 900;
        const NAME: &'static str = "fails";
        fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
            Err(TaskError::new("the producer failed"))
        }
    }
    let rt = legate_core::Runtime::new(legate_core::Config { cpus: 2, min_cpu_chunk: 2, ..legate_core::Config::legate_defaults() }).unwrap();
    let lib = rt.create_library("poison");
    rt.register_task::<Fails>(&lib).unwrap();
    let a = rt.create_store(legate_core::Type::Float64, &[8]).unwrap();
    let b = rt.create_store(legate_core::Type::Float64, &[8]).unwrap();
    let mut t = rt.create_auto_task(&lib, Fails::TASK_ID);
    t.add_output(&a);
    t.execute().unwrap();
    rt.issue_copy(&b, &a).unwrap();
    let err = rt.read_store::<f64>(&b).unwrap_err();
    assert!(err.to_string().contains("the producer failed"), "{err}");
    // Overwrite `a` successfully: reading it (and copies of it) works again.
    let _ = rt.issue_execution_fence(true);
    rt.issue_fill(&a, 2.0f64).unwrap();
    rt.issue_copy(&b, &a).unwrap();
    assert_eq!(rt.read_store::<f64>(&b).unwrap().iter().copied().collect::<Vec<_>>(), vec![2.0; 8]);
}

// ---------------------------------------------------------------------------------------
// Component views.

#[test]
fn component_views_write_the_parts_of_complex_elements() {
    use num_complex::Complex64;
    let (rt, _lib) = setup(cfg(2));
    let data: Vec<Complex64> = (0..12).map(|i| Complex64::new(i as f64, -(i as f64))).collect();
    let z = rt.create_store_from::<Complex64>(&[3, 4], &data).unwrap();
    let imag = z.component(1).unwrap();
    assert_eq!(imag.ty(), &Type::Float64);
    // Fill the imaginary parts of row 1, then the real parts of the flattened tail.
    rt.issue_fill(&imag.slice_range(0, 1, 2).unwrap(), 7.0f64).unwrap();
    let tail = z.component(0).unwrap().reshape(&[12]).unwrap().expect("a view").slice_range(0, 10, 12).unwrap();
    rt.issue_fill(&tail, -1.0f64).unwrap();
    let got = rt.read_store::<Complex64>(&z).unwrap();
    for (k, v) in got.iter().enumerate() {
        let re = if k >= 10 { -1.0 } else { k as f64 };
        let im = if (4..8).contains(&k) { 7.0 } else { -(k as f64) };
        assert_eq!(*v, Complex64::new(re, im), "element {k}");
    }
    assert_eq!(rt.read_store::<f64>(&imag.slice_range(0, 1, 2).unwrap()).unwrap().iter().copied().collect::<Vec<_>>(), vec![7.0; 4]);
    assert!(z.component(2).is_err() && imag.component(0).is_err(), "only complex views have parts");
}

#[test]
fn reinterpreted_views_share_the_bytes_of_their_storage() {
    let (rt, _lib) = setup(cfg(2));
    let data: Vec<f64> = (0..12).map(|i| i as f64 * 0.5).collect();
    let x = rt.create_store_from::<f64>(&[3, 4], &data).unwrap();
    let bits = x.slice_range(1, 1, 3).unwrap().reinterpret(Type::Int64).unwrap();
    assert_eq!(bits.ty(), &Type::Int64);
    let got = rt.read_store::<i64>(&bits).unwrap();
    let want: Vec<i64> = [1, 2, 5, 6, 9, 10].iter().map(|&k| data[k].to_bits() as i64).collect();
    assert_eq!(got.iter().copied().collect::<Vec<_>>(), want);
    rt.issue_fill(&bits, 2.5f64.to_bits() as i64).unwrap(); // writes reach the f64 storage
    let back = rt.read_store::<f64>(&x).unwrap();
    for (k, v) in back.iter().enumerate() {
        let want = if matches!(k % 4, 1 | 2) { 2.5 } else { data[k] };
        assert_eq!(*v, want, "element {k}");
    }
    assert!(x.reinterpret(Type::Int32).is_err(), "sizes differ");
    assert!(x.reinterpret(Type::Bool).is_err() && x.reinterpret(Type::Float64).is_ok());
    let u8s = rt.create_store_from::<u8>(&[2], &[0, 2]).unwrap();
    assert!(u8s.reinterpret(Type::Bool).is_err(), "a bool must be 0 or 1");
}
