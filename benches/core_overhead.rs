//! Core overhead: microseconds per submitted operation, end to end (submission,
//! partitioning, dependence analysis, execution), on this machine's processors.
//!
//! Run: `cargo bench -p legate-core --bench core_overhead` (or `make bench`); with
//! `-- N aligned` the tasks launch through `Runtime::launch_aligned` instead of
//! `TaskLaunch` (inline, that path builds no launch records).
//! Target (2-core machine): at most 5 µs per operation.

use legate_core::point::Role;
use legate_core::{Config, Runtime, Task, TaskContext, TaskError, Type};
use std::time::Instant;

// The deployments' allocator (the Python extension's): point tasks are allocated on
// the submitting thread and freed on workers, which glibc's allocator handles slowly.
#[global_allocator]
static GLOBAL: legate_core::alloc::Mimalloc = legate_core::alloc::Mimalloc;

struct Empty;
impl Task for Empty {
    const TASK_ID: u32 = 1;
    const NAME: &'static str = "empty";
    fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
        Ok(())
    }
}

struct Increment;
impl Task for Increment {
    const TASK_ID: u32 = 2;
    const NAME: &'static str = "increment";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mut out = ctx.output(0)?;
        for v in out.view_mut::<f64>()?.iter_mut() {
            *v += 1.0;
        }
        Ok(())
    }
}

/// (independent empty tasks, dependent chain) in µs per operation.
fn measure(n: usize, cpus: usize, inline: bool, aligned: bool) -> (f64, f64) {
    let rt = Runtime::new(Config { cpus, inline_small_tasks: inline, ..Config::legate_defaults() }).expect("runtime");
    let lib = rt.create_library("bench");
    rt.register_task::<Empty>(&lib).unwrap();
    rt.register_task::<Increment>(&lib).unwrap();

    // 1. Independent empty tasks reading a small store.
    let small = rt.create_store(Type::Float64, &[16]).unwrap();
    rt.issue_fill(&small, 0.0f64).unwrap();
    rt.issue_execution_fence(true).unwrap();
    let t0 = Instant::now();
    for _ in 0..n {
        if aligned {
            rt.launch_aligned(&lib, Empty::TASK_ID, &[(&small, Role::Input)], &[], false).unwrap();
            continue;
        }
        let mut t = rt.create_auto_task(&lib, Empty::TASK_ID);
        t.add_input(&small);
        t.execute().unwrap();
    }
    rt.issue_execution_fence(true).unwrap();
    let empty_us = t0.elapsed().as_secs_f64() * 1e6 / n as f64;

    // 2. A dependence chain on a one-element store (each op reads and writes it).
    let one = rt.create_store(Type::Float64, &[1]).unwrap();
    rt.issue_fill(&one, 0.0f64).unwrap();
    rt.issue_execution_fence(true).unwrap();
    let t0 = Instant::now();
    for _ in 0..n {
        if aligned {
            rt.launch_aligned(&lib, Increment::TASK_ID, &[(&one, Role::Input), (&one, Role::Output)], &[], false).unwrap();
            continue;
        }
        let mut t = rt.create_auto_task(&lib, Increment::TASK_ID);
        t.add_input(&one);
        t.add_output(&one);
        t.execute().unwrap();
    }
    let total = rt.read_scalar::<f64>(&one).unwrap();
    let chain_us = t0.elapsed().as_secs_f64() * 1e6 / n as f64;
    assert_eq!(total, n as f64, "the chain must apply every increment");
    (empty_us, chain_us)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let aligned = std::env::args().nth(2).is_some_and(|s| s == "aligned");
    let cpus = std::thread::available_parallelism().map_or(2, |p| p.get());
    let via = if aligned { "launch_aligned" } else { "TaskLaunch" };
    println!("core overhead ({cpus} CPUs, {n} operations each through {via}; target <= 5 us/op)");
    for (inline, how) in [(true, "run inline (the default)"), (false, "through the processors (LEGATE_INLINE_SMALL_TASKS=0)")] {
        let (empty_us, chain_us) = measure(n, cpus, inline, aligned);
        println!("  small tasks {how}:");
        println!("    empty task on a 16-element store : {empty_us:6.2} us/op");
        println!("    1-element dependent chain        : {chain_us:6.2} us/op");
    }
}
