//! Image launches: microseconds per SpMV-shaped launch (pos aligned with y, crd and vals
//! images of pos, x an image of crd) whose task does nothing, so what is measured is
//! the runtime's cost: cutting, resolving images, dependence analysis, execution.
//! The first launch reads pos and crd; later ones find the rectangles cached.
//!
//! Run: `cargo bench -p legate-core --bench image_overhead`.

use legate_core::constraint::image;
use legate_core::{Config, ImageKind, Runtime, Task, TaskContext, TaskError, Type};
use std::time::Instant;

#[global_allocator]
static GLOBAL: legate_core::alloc::Mimalloc = legate_core::alloc::Mimalloc;

struct Nothing;
impl Task for Nothing {
    const TASK_ID: u32 = 1;
    const NAME: &'static str = "nothing";
    fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
        Ok(())
    }
}

/// (first launch µs, per-launch submission µs, per-launch end-to-end µs).
fn measure(rows: usize, per_row: usize, cpus: usize, n: usize) -> (f64, f64, f64) {
    let rt = Runtime::new(Config { cpus, ..Config::legate_defaults() }).expect("runtime");
    let lib = rt.create_library("bench");
    rt.register_task::<Nothing>(&lib).unwrap();
    let nnz = rows * per_row;
    let cols = rows;
    let ranges: Vec<[i64; 2]> = (0..rows as i64).map(|i| [i * per_row as i64, (i + 1) * per_row as i64]).collect();
    let crd: Vec<i64> = (0..nnz as i64).map(|j| (j * 7919) % cols as i64).collect();
    let pos = rt.create_store_from::<[i64; 2]>(&[rows], &ranges).unwrap();
    let crd = rt.create_store_from::<i64>(&[nnz], &crd).unwrap();
    let vals = rt.create_store(Type::Float64, &[nnz]).unwrap();
    let x = rt.create_store(Type::Float64, &[cols]).unwrap();
    let y = rt.create_store(Type::Float64, &[rows]).unwrap();
    rt.issue_fill(&vals, 1.0).unwrap();
    rt.issue_fill(&x, 1.0).unwrap();
    rt.issue_execution_fence(true).unwrap();
    let launch = || {
        let mut t = rt.create_auto_task(&lib, Nothing::TASK_ID);
        let p = t.add_input(&pos);
        let c = t.add_input(&crd);
        let v = t.add_input(&vals);
        let xv = t.add_input(&x);
        let yv = t.add_output(&y);
        t.add_alignment(p, yv);
        t.add_constraint(image(p, c, ImageKind::Ranges));
        t.add_constraint(image(p, v, ImageKind::Ranges));
        t.add_constraint(image(c, xv, ImageKind::Points));
        t.execute().unwrap();
    };
    let t0 = Instant::now();
    launch();
    rt.issue_execution_fence(true).unwrap();
    let first = t0.elapsed().as_secs_f64() * 1e6;
    let mut submit = 0.0;
    let t0 = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        launch();
        submit += s.elapsed().as_secs_f64();
    }
    rt.issue_execution_fence(true).unwrap();
    let total = t0.elapsed().as_secs_f64() * 1e6 / n as f64;
    (first, submit * 1e6 / n as f64, total)
}

fn main() {
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    println!("SpMV-shaped launch, empty task, {cpus} CPUs");
    println!("{:>10} {:>8} {:>14} {:>14} {:>14}", "rows", "nnz/row", "first (us)", "submit (us)", "end-to-end (us)");
    for (rows, n) in [(1_000, 2000), (100_000, 500), (1_000_000, 50)] {
        let (first, submit, total) = measure(rows, 5, cpus, n);
        println!("{rows:>10} {:>8} {first:>14.1} {submit:>14.1} {total:>14.1}", 5);
    }
}
