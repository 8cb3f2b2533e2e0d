//! A long loop of small dependent operations stays bounded: tasks in flight, memory,
//! RSS, the dependence log. A binary of its own: RSS is the whole process's, and the
//! tests of a shared binary (`integration`) would allocate beside it.

use legate_core::{Config, Runtime, Task, TaskContext, TaskError, Type};
use std::time::Instant;

/// Adds 1 to every element of output 0 (a read-write argument: also input 0).
struct Increment;
impl Task for Increment {
    const TASK_ID: u32 = 28;
    const NAME: &'static str = "increment";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mut out = ctx.output(0)?;
        out.view_mut::<f64>()?.iter_mut().for_each(|x| *x += 1.0);
        Ok(())
    }
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
    pages * 4096
}

#[test]
fn long_loop_of_small_dependent_operations_stays_bounded() {
    const N: usize = 100_000;
    let rt = Runtime::new(Config { cpus: 2, min_cpu_chunk: 2, ..Config::legate_defaults() }).expect("runtime");
    let lib = rt.create_library("test");
    rt.register_task::<Increment>(&lib).unwrap();
    let a = rt.create_store(Type::Float64, &[16]).unwrap();
    rt.issue_fill(&a, 0.0).unwrap();
    rt.issue_execution_fence(true).unwrap();
    let mem0 = rt.memory_usage().used;
    let rss0 = rss_bytes();
    let start = Instant::now();
    let mut max_in_flight = 0;
    let mut max_mem = 0;
    for i in 0..N {
        let mut t = rt.create_auto_task(&lib, Increment::TASK_ID);
        let r = t.add_input(&a);
        let w = t.add_output(&a);
        t.add_alignment(r, w);
        t.execute().unwrap();
        if i % 997 == 0 {
            max_in_flight = max_in_flight.max(rt.in_flight());
            max_mem = max_mem.max(rt.memory_usage().used);
        }
    }
    let issued = start.elapsed();
    assert_eq!(rt.read_store::<f64>(&a).unwrap().iter().copied().collect::<Vec<_>>(), vec![N as f64; 16]);
    let total = start.elapsed();
    rt.issue_execution_fence(true).unwrap();
    let rss1 = rss_bytes();
    eprintln!(
        "long loop: {N} ops issued in {issued:?}, done in {total:?} ({:.2} us/op); max in flight {max_in_flight}; \
         sysmem used {mem0} -> max {max_mem}; rss {} MB -> {} MB; {} ops in the log",
        total.as_secs_f64() * 1e6 / N as f64,
        rss0 >> 20,
        rss1 >> 20,
        rt.operations().len()
    );
    assert_eq!(rt.in_flight(), 0);
    assert!(max_in_flight <= 8192 * 2, "in-flight tasks are bounded: {max_in_flight}");
    assert!(max_mem <= mem0 + (1 << 20), "memory use stays flat: {mem0} -> {max_mem}");
    assert!(rss1 < rss0 + (50 << 20), "RSS grew from {} MB to {} MB", rss0 >> 20, rss1 >> 20);
    assert!(rt.dependences().len() <= 4096 && rt.operations().len() <= 4096, "the dependence log is bounded");
}
