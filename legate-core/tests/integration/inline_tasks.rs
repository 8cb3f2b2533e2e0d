//! Small tasks run inline on the submitting thread when nothing they touch is in flight,
//! and through the executor (ordered after their producers) otherwise.

use crate::common::*;
use legate_core::{Config, Runtime, Task, TaskContext, TaskError, Type};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::Duration;

static THREADS: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());
static GATE_OPEN: AtomicBool = AtomicBool::new(false);

/// Writes 7 into its output and records the thread it ran on.
struct WhereAmI;

impl Task for WhereAmI {
    const TASK_ID: u32 = 40;
    const NAME: &'static str = "where_am_i";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        THREADS.lock().unwrap().push(std::thread::current().id());
        ctx.output(0)?.view_mut::<f64>()?.fill(7.0);
        Ok(())
    }
}

/// Waits (bounded) until the test opens the gate, then writes 1 into its output.
struct Gate;

impl Task for Gate {
    const TASK_ID: u32 = 41;
    const NAME: &'static str = "gate";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        for _ in 0..2000 {
            if GATE_OPEN.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        ctx.output(0)?.view_mut::<f64>()?.fill(1.0);
        Ok(())
    }
}

fn rt_with(inline: bool) -> (Runtime, legate_core::Library) {
    let rt = Runtime::new(Config { cpus: 2, inline_small_tasks: inline, ..Config::legate_defaults() }).expect("runtime starts");
    let lib = rt.create_library("inline");
    rt.register_task::<WhereAmI>(&lib).unwrap();
    rt.register_task::<Gate>(&lib).unwrap();
    rt.register_task::<Axpy>(&lib).unwrap();
    (rt, lib)
}

fn launch(rt: &Runtime, lib: &legate_core::Library, id: u32, out: &legate_core::LogicalStore) {
    let mut t = rt.create_auto_task(lib, id);
    t.add_output(out);
    t.execute().unwrap();
}

#[test]
fn small_tasks_run_on_the_caller_unless_disabled() {
    for inline in [true, false] {
        let (rt, lib) = rt_with(inline);
        let a = rt.create_store(Type::Float64, &[16]).unwrap();
        THREADS.lock().unwrap().clear();
        launch(&rt, &lib, WhereAmI::TASK_ID, &a);
        rt.issue_execution_fence(true).unwrap();
        let ran_on = THREADS.lock().unwrap().clone();
        assert_eq!(ran_on.len(), 1);
        assert_eq!(ran_on[0] == std::thread::current().id(), inline, "inline = {inline}");
        assert_eq!(read_f64(&rt, &a), vec![7.0; 16]);
    }
}

#[test]
fn a_small_task_waits_for_an_in_flight_producer() {
    let (rt, lib) = rt_with(true);
    let a = rt.create_store(Type::Float64, &[8]).unwrap();
    let b = rt.create_store(Type::Float64, &[8]).unwrap();
    GATE_OPEN.store(false, Ordering::SeqCst);
    // The producer of `a` blocks on a worker; the consumer must not run inline (it
    // would read `a` before it is written) but after the producer.
    launch(&rt, &lib, Gate::TASK_ID, &a);
    launch_axpy(&rt, &lib, &b, &a).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    GATE_OPEN.store(true, Ordering::SeqCst);
    assert_eq!(read_f64(&rt, &b), vec![axpy_ref(1.0); 8]);
    // Once everything is finished, the next small task is free to run inline again.
    launch_axpy(&rt, &lib, &a, &b).unwrap();
    assert_eq!(read_f64(&rt, &a), vec![axpy_ref(axpy_ref(1.0)); 8]);
}

#[test]
fn inline_and_executor_runs_agree_on_random_chains() {
    // The same random chain of small dependent updates, with and without inline
    // execution, against a sequential reference.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let steps: Vec<(usize, usize)> = (0..200).map(|_| ((next() % 4) as usize, (next() % 4) as usize)).collect();
    let mut reference = [[0.0f64; 32]; 4];
    for (k, row) in reference.iter_mut().enumerate() {
        row.iter_mut().enumerate().for_each(|(i, v)| *v = (k * 32 + i) as f64);
    }
    for &(dst, src) in &steps {
        if dst != src {
            let s = reference[src];
            reference[dst].iter_mut().zip(s).for_each(|(d, x)| *d = axpy_ref(x));
        }
    }
    for inline in [true, false] {
        let (rt, lib) = rt_with(inline);
        let stores: Vec<_> = (0..4)
            .map(|k| rt.create_store_from::<f64>(&[32], &(0..32).map(|i| (k * 32 + i) as f64).collect::<Vec<_>>()).unwrap())
            .collect();
        for &(dst, src) in &steps {
            if dst != src {
                launch_axpy(&rt, &lib, &stores[dst], &stores[src]).unwrap();
            }
        }
        for (k, s) in stores.iter().enumerate() {
            assert_eq!(read_f64(&rt, s), reference[k].to_vec(), "store {k}, inline = {inline}");
        }
    }
}
