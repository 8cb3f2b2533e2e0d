//! `Runtime::launch_aligned` (a small single point runs inline without the general
//! path's launch records) against the general path alone: the same randomized programs
//! of small launches, on two runtimes, one launching through `launch_aligned` (some
//! launches forced through `TaskLaunch` anyway) and one through `TaskLaunch` only, give
//! the same results, errors, spoiled elements and operation log.

use crate::common::Rng;
use legate_core::point::Role;
use legate_core::{Config, Fault, FaultAction, Library, LogicalStore, ReductionOp, Runtime, Scalar, Task, TaskContext, TaskError, Type};

/// Each output `j` gets `(mul * sum of inputs + j + 1) mod 997`, each reduction adds
/// the sum of inputs; fails when scalar 1 is nonzero.
struct Mix;

impl Task for Mix {
    const TASK_ID: u32 = 60;
    const NAME: &'static str = "mix";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mul = ctx.scalar::<f64>(0)?;
        if ctx.scalar::<u32>(1)? != 0 {
            return Err(TaskError::new("mix was told to fail"));
        }
        let inputs = ctx.inputs();
        let mut sum: Option<ndarray::ArrayD<f64>> = None;
        for i in &inputs {
            let v = i.view::<f64>()?;
            sum = Some(match sum {
                None => v.to_owned(),
                Some(s) => s + &v,
            });
        }
        for (j, o) in ctx.outputs().iter_mut().enumerate() {
            let mut o = o.view_mut::<f64>()?;
            match &sum {
                Some(s) => o.zip_mut_with(s, |o, &x| *o = (mul * x + j as f64 + 1.0) % 997.0),
                None => o.fill(j as f64 + 1.0),
            }
        }
        for r in ctx.reductions().iter_mut() {
            let mut r = r.view_mut::<f64>()?;
            if let Some(s) = &sum {
                r.zip_mut_with(s, |r, &x| *r += x);
            }
        }
        Ok(())
    }
}

fn runtime() -> (Runtime, Library) {
    let rt = Runtime::new(Config { cpus: 2, ..Config::legate_defaults() }).expect("runtime starts");
    let lib = rt.create_library("aligned");
    rt.register_task::<Mix>(&lib).unwrap();
    (rt, lib)
}

/// The general path: an auto task with every argument aligned with the first.
fn general(rt: &Runtime, lib: &Library, args: &[(&LogicalStore, Role)], scalars: &[Scalar], throws: bool) -> legate_core::Result<()> {
    let mut t = rt.create_auto_task(lib, Mix::TASK_ID);
    t.throws_exception(throws);
    for s in scalars {
        t.add_scalar_arg(s.clone());
    }
    for (i, &(store, role)) in args.iter().enumerate() {
        let v = match role {
            Role::Input => t.add_input(store),
            Role::Output => t.add_output(store),
            Role::Reduction(op) => t.add_reduction(store, op),
        };
        if i > 0 {
            t.add_alignment(v, legate_core::Variable(0));
        }
    }
    t.execute()
}

/// The stores a program uses, made the same way on each runtime (so storage ids match).
fn pool(rt: &Runtime) -> Vec<LogicalStore> {
    let n = 8usize;
    let mut out = Vec::new();
    for k in 0..4 {
        let data: Vec<f64> = (0..n).map(|i| (i * (k + 2)) as f64).collect();
        out.push(rt.create_store_from(&[n], &data).unwrap());
    }
    // A view of the same shape (non-contiguous raw stores), a read-only view, a store of
    // another shape, a small view of a large storage (busy after a large launch), an
    // unbound store nothing produces.
    let wide = rt.create_store_from(&[2 * n], &(0..2 * n).map(|i| i as f64).collect::<Vec<_>>()).unwrap();
    out.push(wide.slice(0, Some(1), None, 2).unwrap());
    out.push(out[1].as_read_only());
    out.push(rt.create_store_from(&[n + 1], &vec![1.0; n + 1]).unwrap());
    let large = rt.create_store_from(&[1 << 17], &vec![1.0; 1 << 17]).unwrap();
    out.push(large.slice(0, Some(0), Some(n as i64), 1).unwrap());
    out.push(large);
    out.push(rt.create_unbound_store(Type::Float64, 1).unwrap());
    out
}

const LARGE: usize = 8;
const UNBOUND: usize = 9;

/// One program step, the same on both runtimes: `fast` says whether the first runtime
/// uses `launch_aligned`.
struct Step {
    args: Vec<(usize, Role)>,
    scalars: Vec<Scalar>,
    throws: bool,
    fast: bool,
    /// An injected failure of this launch's point 0 (only this launch's: a fault
    /// window left open would hit whichever later launch runs first).
    fault: bool,
}

fn step(rng: &mut Rng) -> Step {
    let mut args = Vec::new();
    let pick = |rng: &mut Rng| if rng.chance(1, 12) { rng.below(10) } else { rng.below(5) };
    for _ in 0..rng.below(3) {
        args.push((pick(rng), Role::Input));
    }
    for _ in 0..rng.below(3) {
        args.push((pick(rng), Role::Output));
    }
    if rng.chance(1, 4) {
        args.push((pick(rng), Role::Reduction(ReductionOp::Add)));
    }
    rng.shuffle(&mut args);
    // Failures are rare: a failed task spoils what it writes, and every reader after.
    let mut fail = rng.chance(1, 25) as u32;
    if rng.chance(1, 10) {
        // A large launch: its points run on the workers and leave the storage busy.
        // (Only its point 0 may fail, by a fault: which of several failing points
        // reports first depends on timing.)
        args = vec![(LARGE, Role::Output), (LARGE, Role::Input)];
        fail = 0;
    }
    Step {
        args,
        scalars: vec![Scalar::from(rng.range(1, 5) as f64), Scalar::from(fail)],
        throws: rng.chance(1, 5),
        fast: !rng.chance(1, 5),
        fault: rng.chance(1, 30),
    }
}

fn run(rt: &Runtime, lib: &Library, stores: &[LogicalStore], s: &Step, aligned: bool) -> String {
    if s.fault {
        let mut f = Fault::new(FaultAction::Fail).task("mix");
        f.point = Some(0);
        f.times = 1;
        rt.inject_fault(f);
    }
    let args: Vec<(&LogicalStore, Role)> = s.args.iter().map(|&(i, r)| (&stores[i], r)).collect();
    let r = if aligned && s.fast {
        rt.launch_aligned(lib, Mix::TASK_ID, &args, &s.scalars, s.throws)
    } else {
        general(rt, lib, &args, &s.scalars, s.throws)
    };
    if s.fault {
        rt.close_fault_windows();
    }
    format!("{r:?}")
}

/// What a program left: every store's contents (or the error reading it gives), the
/// unreported errors, and the operation log.
fn outcome(rt: &Runtime, stores: &[LogicalStore]) -> Vec<String> {
    let mut out: Vec<String> = stores
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != UNBOUND)
        .map(|(_, s)| format!("{:?}", rt.read_store::<f64>(s).map(|a| a.iter().take(16).copied().collect::<Vec<_>>())))
        .collect();
    out.push(format!("{:?}", rt.take_errors()));
    for op in rt.operations() {
        out.push(format!("op {} {} points {} args {:?}", op.op_id, op.name, op.points, op.args));
    }
    out
}

#[test]
fn launch_aligned_matches_the_general_path() {
    for seed in 0..12u64 {
        let (fast_rt, fast_lib) = runtime();
        let (ref_rt, ref_lib) = runtime();
        let (fast_stores, ref_stores) = (pool(&fast_rt), pool(&ref_rt));
        let mut rng = Rng(seed);
        for k in 0..40 {
            let s = step(&mut rng);
            let got = run(&fast_rt, &fast_lib, &fast_stores, &s, true);
            let want = run(&ref_rt, &ref_lib, &ref_stores, &s, false);
            assert_eq!(got, want, "seed {seed}, step {k}: {:?}", s.args);
            // The small stores after every step (reading waits for their writers).
            for i in (0..8).filter(|&i| i != 6) {
                let (a, b) = (fast_rt.read_store::<f64>(&fast_stores[i]), ref_rt.read_store::<f64>(&ref_stores[i]));
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "seed {seed}, step {k}, store {i}");
            }
            if rng.chance(1, 8) {
                // Errors so far (waiting: a large launch's points may still run).
                let (a, b) = (fast_rt.issue_execution_fence(true), ref_rt.issue_execution_fence(true));
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "seed {seed}, step {k}");
            }
        }
        let (a, b) = (fast_rt.issue_execution_fence(true), ref_rt.issue_execution_fence(true));
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "seed {seed}");
        assert_eq!(outcome(&fast_rt, &fast_stores), outcome(&ref_rt, &ref_stores), "seed {seed}");
    }
}
