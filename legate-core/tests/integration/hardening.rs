//! Regressions of issue 9 ("never crash, never hang, never answer wrong"), each the
//! reproduction that failed before its fix: size overflow, launches of many points,
//! tiled reductions racing later readers, failed results reading as zeros, spurious
//! out-of-memory errors under `--sysmem`, and cancellation after an interrupt.

use crate::common::*;
use legate_core::{Config, Fault, FaultAction, LegateError, ReductionOp, Runtime, Task, TaskContext, TaskError, Type};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `body` on a thread and fails if it does not finish within `limit` (a hang).
fn within<T: Send + 'static>(limit: Duration, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(body());
    });
    rx.recv_timeout(limit).expect("did not finish in time: a hang")
}

fn config(cpus: usize) -> Config {
    Config { cpus, min_cpu_chunk: 2, ..Config::legate_defaults() }
}

/// Adds input 0 into reduction 0 elementwise (aligned tiles).
struct AddInto;

impl Task for AddInto {
    const TASK_ID: u32 = 40;
    const NAME: &'static str = "add_into";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let inp = ctx.input(0)?;
        let mut red = ctx.reduction(0)?;
        let x = inp.view::<f64>()?;
        let mut r = red.view_mut::<f64>()?;
        r.zip_mut_with(&x, |r, &x| *r += x);
        Ok(())
    }
}

/// Does nothing (a launch of many points).
struct Nop;

impl Task for Nop {
    const TASK_ID: u32 = 41;
    const NAME: &'static str = "nop";

    fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
        Ok(())
    }
}

#[test]
fn sizes_that_overflow_are_errors_not_buffers() {
    let rt = runtime(2, 2);
    for shape in [vec![(1usize << 60) + 1, 16], vec![1 << 32, 1 << 32], vec![1 << 63], vec![usize::MAX], vec![0, 1 << 62, 8]] {
        let err = rt.create_store(Type::Float64, &shape).unwrap_err();
        assert!(matches!(err, LegateError::InvalidArgument(_)), "{shape:?}: {err}");
        assert!(err.to_string().contains("too big"), "{err}");
    }
    // Beyond --sysmem but representable: a MemoryError naming the flag, no allocation.
    let err = rt.create_store(Type::Float64, &[1 << 40]).unwrap_err();
    assert!(matches!(err, LegateError::OutOfMemory { .. }), "{err}");
    // Views: a broadcast may exceed its storage, but not 64 bits of elements.
    let one = rt.create_store(Type::Float64, &[1]).unwrap();
    assert!(one.promote(0, 1 << 62).unwrap().promote(0, 8).is_err());
    assert!(one.promote(0, 1 << 62).is_ok());
    let a = rt.create_store(Type::Float64, &[6]).unwrap();
    assert!(a.delinearize(0, &[1 << 62, 1 << 62, 0]).is_err());
    assert!(a.slice(0, Some(0), None, i64::MAX).unwrap().shape().as_slice() == [1]);
    assert!(a.slice(0, None, None, i64::MIN + 1).unwrap().shape().as_slice() == [1]);
    rt.issue_execution_fence(true).unwrap();
}

#[test]
fn launches_of_many_points_finish() {
    within(Duration::from_secs(60), || {
        let rt = Runtime::new(config(2)).unwrap();
        let lib = rt.create_library("many");
        rt.register_task::<Nop>(&lib).unwrap();
        // More points in one launch than the run-ahead limit (16 for two processors).
        for n in [17, 33, 200, 1000] {
            rt.create_manual_task(&lib, Nop::TASK_ID, &[n]).unwrap().execute().unwrap();
        }
        rt.issue_execution_fence(true).unwrap();
    });
}

/// `r` is filled with 10 (two tiles), then `r += x` as an aligned reduction whose
/// point 1 is slow, then a copy reads only tile 0: it must see 11, and a fill of tile 0
/// issued after the reduction must not be overwritten by the late fold.
#[test]
fn tiled_reductions_are_folded_before_later_readers() {
    within(Duration::from_secs(60), || {
        let rt = Runtime::new(Config { inline_small_tasks: false, ..config(2) }).unwrap();
        let lib = rt.create_library("red");
        rt.register_task::<AddInto>(&lib).unwrap();
        for _ in 0..5 {
            let r = rt.create_store(Type::Float64, &[8]).unwrap();
            rt.issue_fill(&r, 10.0).unwrap();
            let x = rt.create_store(Type::Float64, &[8]).unwrap();
            rt.issue_fill(&x, 1.0).unwrap();
            rt.issue_execution_fence(true).unwrap();
            rt.inject_fault(Fault::new(FaultAction::Slow(Duration::from_millis(50))).task("add_into").point(1));
            let mut t = rt.create_auto_task(&lib, AddInto::TASK_ID);
            let i = t.add_input(&x);
            let o = t.add_reduction(&r, ReductionOp::Add);
            t.add_alignment(i, o);
            t.execute().unwrap();
            rt.close_fault_windows();
            assert!(rt.operations().last().unwrap().points > 1, "the reduction is tiled");
            let head = rt.create_store(Type::Float64, &[4]).unwrap();
            rt.issue_copy(&head, &r.slice(0, Some(0), Some(4), 1).unwrap()).unwrap();
            assert_eq!(read_f64(&rt, &head), vec![11.0; 4]);
            rt.issue_fill(&r.slice(0, Some(0), Some(4), 1).unwrap(), 5.0).unwrap();
            assert_eq!(read_f64(&rt, &r), vec![5.0, 5.0, 5.0, 5.0, 11.0, 11.0, 11.0, 11.0]);
            rt.clear_faults();
        }
    });
}

/// Adds `x * w(i, j)` into every element `(i, j)` of reduction 0, `x` the one element of
/// its input piece and `w` a weight that varies along both dimensions.
struct AddWeighted;

impl Task for AddWeighted {
    const TASK_ID: u32 = 42;
    const NAME: &'static str = "add_weighted";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let x = *ctx.input(0)?.view::<f64>()?.iter().next().ok_or_else(|| TaskError::new("no x"))?;
        let mut red = ctx.reduction(0)?;
        let lo = red.lo().to_vec();
        let mut r = red.view_mut::<f64>()?;
        for (ix, v) in r.indexed_iter_mut() {
            *v += x * fold_weight(lo[0] + ix[0] as i64, lo[1] + ix[1] as i64);
        }
        Ok(())
    }
}

fn fold_weight(i: i64, j: i64) -> f64 {
    (1 + (i * 7 + j) % 5) as f64
}

/// Four points reduce into the whole of a 2-d store: every element must get its
/// points' terms added in launch order, whatever the number of processors (the terms
/// are chosen so that floating-point rounding tells the orders apart).
#[test]
fn folds_add_in_launch_order() {
    let (rows, cols) = (70i64, 30i64);
    let terms = [1e16, 1.0, 1.0, -1e16];
    for cpus in [1, 2, 4] {
        let rt = Runtime::new(config(cpus)).unwrap();
        let lib = rt.create_library("fold");
        rt.register_task::<AddWeighted>(&lib).unwrap();
        let x = rt.create_store_from::<f64>(&[4], &terms).unwrap();
        let r = rt.create_store(Type::Float64, &[rows as usize, cols as usize]).unwrap();
        rt.issue_fill(&r, 0.5).unwrap();
        let part = x.partition_by_tiling(&[1]).unwrap();
        let mut t = rt.create_manual_task(&lib, AddWeighted::TASK_ID, &[4]).unwrap();
        t.add_input_partition(&part, None);
        t.add_reduction(&r, ReductionOp::Add);
        t.execute().unwrap();
        let got = read_f64(&rt, &r);
        let (mut reordered, mut i) = (0, 0);
        for row in 0..rows {
            for col in 0..cols {
                let w = fold_weight(row, col);
                let want = terms.iter().fold(0.5, |acc, &t| acc + t * w);
                assert_eq!(got[i], want, "{cpus} cpus: element ({row}, {col})");
                // The last point's term first: the sum must tell that order apart.
                let rotated = terms[3..].iter().chain(&terms[..3]).fold(0.5, |acc, &t| acc + t * w);
                reordered += usize::from(rotated != want);
                i += 1;
            }
        }
        assert!(reordered > 0, "the terms do not tell the orders apart");
    }
}

#[test]
fn a_failed_result_raises_on_every_read_until_rewritten() {
    let (rt, lib) = runtime_with_lib(2, 2);
    let x = rt.create_store_from::<f64>(&[5], &[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    let y = rt.create_store(Type::Float64, &[5]).unwrap();
    let unrelated = rt.create_store(Type::Float64, &[5]).unwrap();
    rt.issue_fill(&unrelated, 7.0).unwrap();
    rt.inject_fault(Fault::new(FaultAction::Fail).task("test_axpy"));
    launch_axpy(&rt, &lib, &y, &x).unwrap();
    rt.close_fault_windows();
    for _ in 0..3 {
        let err = rt.read_store::<f64>(&y).unwrap_err();
        assert!(err.to_string().contains("injected fault"), "{err}");
    }
    // A slice of it, and what is computed from it, raise too.
    assert!(rt.read_store::<f64>(&y.slice(0, Some(1), Some(2), 1).unwrap()).is_err());
    let z = rt.create_store(Type::Float64, &[5]).unwrap();
    launch_axpy(&rt, &lib, &z, &y).unwrap();
    assert!(rt.read_store::<f64>(&z).unwrap_err().to_string().contains("injected fault"));
    // Nothing unrelated changed or raises.
    assert_eq!(read_f64(&rt, &unrelated), vec![7.0; 5]);
    assert_eq!(read_f64(&rt, &x), vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    // The error was raised, so nothing is left to report at a fence or at exit.
    rt.issue_execution_fence(true).unwrap();
    // Rewriting part of it cures that part only; all of it, all.
    rt.issue_fill(&y.slice(0, Some(0), Some(2), 1).unwrap(), 1.0).unwrap();
    assert_eq!(read_f64(&rt, &y.slice(0, Some(0), Some(2), 1).unwrap()), vec![1.0; 2]);
    assert!(rt.read_store::<f64>(&y).is_err());
    launch_axpy(&rt, &lib, &y, &x).unwrap();
    assert_eq!(read_f64(&rt, &y), vec![3.0, 5.0, 7.0, 9.0, 11.0]);
    assert!(rt.read_store::<f64>(&z).is_err(), "z was computed from the failed result and not recomputed");
}

/// A task that fails while nobody reads its result is reported once, at a fence.
#[test]
fn unread_failures_are_reported_once() {
    let (rt, lib) = runtime_with_lib(2, 2);
    let x = rt.create_store_from::<f64>(&[4], &[1.0; 4]).unwrap();
    let y = rt.create_store(Type::Float64, &[4]).unwrap();
    rt.inject_fault(Fault::new(FaultAction::Fail).task("test_axpy"));
    launch_axpy(&rt, &lib, &y, &x).unwrap();
    rt.close_fault_windows();
    assert!(rt.issue_execution_fence(true).is_err());
    rt.issue_execution_fence(true).unwrap();
    assert!(rt.read_store::<f64>(&y).is_err(), "still spoiled");
}

/// With `--sysmem 256`, creating and dropping a 100 MB store in a loop while the work
/// on the previous ones is still queued must not run out of memory.
#[test]
fn dropped_stores_of_queued_work_are_waited_for_not_refused() {
    within(Duration::from_secs(120), || {
        let rt = Runtime::new(Config { sysmem_mb: 256, ..config(2) }).unwrap();
        rt.inject_fault(Fault::new(FaultAction::Slow(Duration::from_millis(30))).task("legate.core.fill"));
        for turn in 0..8 {
            let a = rt.create_store(Type::Float64, &[12_500_000]).unwrap_or_else(|e| panic!("turn {turn}: {e}"));
            rt.issue_fill(&a, turn as f64).unwrap();
            drop(a);
        }
        rt.clear_faults();
        rt.issue_execution_fence(true).unwrap();
        let u = rt.memory_usage();
        assert!(u.used + u.pooled <= 256 << 20, "{u:?}");
        // Live data that really does not fit is still refused.
        let keep = rt.create_store(Type::Float64, &[20_000_000]).unwrap();
        assert!(matches!(rt.create_store(Type::Float64, &[20_000_000]), Err(LegateError::OutOfMemory { .. })));
        drop(keep);
    });
}

/// After an interrupt, operations not yet started do not run; their results raise a
/// clear error when read; points already running finish; the runtime goes on.
#[test]
fn cancelled_work_does_not_run_and_its_results_say_so() {
    within(Duration::from_secs(60), || {
        // Not inline: the work must queue up behind the slow first task.
        let rt = Runtime::new(Config { inline_small_tasks: false, ..config(1) }).unwrap();
        let lib = rt.create_library("test");
        rt.register_task::<Axpy>(&lib).unwrap();
        let x = rt.create_store_from::<f64>(&[4], &[1.0; 4]).unwrap();
        let mut outs = Vec::new();
        rt.inject_fault(Fault::new(FaultAction::Slow(Duration::from_millis(200))).task("test_axpy").operations(0, 1));
        // Fewer than the run-ahead limit (16), so the loop does not wait for the slow one.
        for _ in 0..12 {
            let y = rt.create_store(Type::Float64, &[4]).unwrap();
            launch_axpy(&rt, &lib, &y, &x).unwrap();
            outs.push(y);
        }
        std::thread::sleep(Duration::from_millis(50));
        let start = std::time::Instant::now();
        rt.cancel_pending();
        rt.issue_execution_fence(true).unwrap();
        assert!(start.elapsed() < Duration::from_millis(1000), "the queued work was skipped");
        let cancelled = outs.iter().filter(|y| matches!(rt.read_store::<f64>(y), Err(LegateError::Cancelled(_)))).count();
        assert_eq!(cancelled, 11, "all but the running one were cancelled");
        // The first one was running: it finished with its new value.
        assert_eq!(read_f64(&rt, &outs[0]), vec![3.0; 4]);
        // New work runs, and rewriting a cancelled result cures it.
        launch_axpy(&rt, &lib, &outs[11], &x).unwrap();
        assert_eq!(read_f64(&rt, &outs[11]), vec![3.0; 4]);
    });
}

/// A task whose launcher raises its errors (`throws_exception`) fails at `execute`,
/// whether its own body failed or an input was spoiled, and poisons nothing: its
/// output keeps what it held (NumPy leaves its output so when a ufunc raises).
#[test]
fn throwing_tasks_raise_at_the_call_and_leave_their_outputs() {
    let (rt, lib) = runtime_with_lib(2, 2);
    let x = rt.create_store_from::<f64>(&[4], &[1.0; 4]).unwrap();
    let y = rt.create_store_from::<f64>(&[4], &[5.0; 4]).unwrap();
    let axpy = |out: &legate_core::LogicalStore, inp: &legate_core::LogicalStore| {
        let mut t = rt.create_auto_task(&lib, Axpy::TASK_ID);
        let i = t.add_input(inp);
        let o = t.add_output(out);
        t.add_alignment(i, o);
        t.throws_exception(true);
        t.execute()
    };
    rt.inject_fault(Fault::new(FaultAction::Fail).task("test_axpy"));
    assert!(axpy(&y, &x).unwrap_err().to_string().contains("injected fault"));
    rt.close_fault_windows();
    assert_eq!(read_f64(&rt, &y), vec![5.0; 4], "nothing was written, nothing poisoned");
    // An input spoiled by an ordinary failed task: the throwing task raises that error.
    let spoiled = rt.create_store(Type::Float64, &[4]).unwrap();
    rt.inject_fault(Fault::new(FaultAction::Fail).task("test_axpy"));
    launch_axpy(&rt, &lib, &spoiled, &x).unwrap();
    rt.close_fault_windows();
    assert!(axpy(&y, &spoiled).unwrap_err().to_string().contains("injected fault"));
    assert_eq!(read_f64(&rt, &y), vec![5.0; 4]);
    axpy(&y, &x).unwrap();
    assert_eq!(read_f64(&rt, &y), vec![3.0; 4]);
}

/// Fails without binding its unbound output (input 0 says how many points fail: all).
struct FailBeforeBinding;
impl Task for FailBeforeBinding {
    const TASK_ID: u32 = 90;
    const NAME: &'static str = "fail_before_binding";
    fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
        Err(TaskError::new("bad column index 7"))
    }
}

#[test]
fn an_unbound_output_of_a_failed_task_raises_instead_of_reading_empty() {
    for (cpus, inline) in [(1, true), (2, false)] {
        let rt = Runtime::new(Config { inline_small_tasks: inline, ..config(cpus) }).unwrap();
        let lib = rt.create_library("unbound_failure");
        rt.register_task::<FailBeforeBinding>(&lib).unwrap();
        let out = rt.create_unbound_store(Type::Float64, 1).unwrap();
        let mut t = rt.create_auto_task(&lib, FailBeforeBinding::TASK_ID);
        t.add_output(&out);
        let _ = t.execute();
        let e = rt.wait_store(&out).expect_err("the producer failed: waiting must say so");
        assert!(e.to_string().contains("bad column index 7"), "{e}");
        let e = rt.read_store::<f64>(&out).expect_err("reading must fail too");
        assert!(e.to_string().contains("bad column index 7"), "{e}");
    }
}
