//! Image partitions as dependence analysis sees them: CSR-like structures (`pos` row
//! ranges, `crd` columns, `vals`) whose row blocks are written and read through images,
//! observed through `Runtime::dependences()`, `Runtime::image_stats` (how often a source
//! was read to resolve images), the tiles tasks see, and values against a sequential
//! reference. Multi-rank cases run ranks as threads over the in-process transport.

use crate::common::*;
use legate_core::constraint::image;
use legate_core::{ImageKind, Library, LogicalStore, Runtime, Task, TaskContext, TaskError, Type};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Tasks.

/// What one point saw: its launch point and the (lo, hi) of each input and output.
#[derive(Clone, Debug)]
struct Seen {
    point: Vec<i64>,
    inputs: Vec<(i64, i64)>,
}

static SEEN: Mutex<Option<HashMap<u64, Vec<Seen>>>> = Mutex::new(None);

fn record(ctx: &TaskContext, tag: u64) -> Result<(), TaskError> {
    let inputs = ctx.inputs().iter().map(|s| (s.lo().first().copied().unwrap_or(0), s.hi().first().copied().unwrap_or(0))).collect();
    let seen = Seen { point: ctx.point().to_vec(), inputs };
    SEEN.lock().unwrap().get_or_insert_with(HashMap::new).entry(tag).or_default().push(seen);
    Ok(())
}

fn seen(tag: u64) -> Vec<Seen> {
    let mut v = SEEN.lock().unwrap().get_or_insert_with(HashMap::new).remove(&tag).unwrap_or_default();
    v.sort_by(|a, b| a.point.cmp(&b.point));
    v
}

/// Checks that global index `j` lies in `[lo, hi)` of a piece.
fn inside(j: i64, lo: i64, hi: i64, what: &str) -> Result<usize, TaskError> {
    if j < lo || j >= hi {
        return Err(TaskError::new(format!("{what}[{j}] is outside the image piece [{lo}, {hi})")));
    }
    Ok((j - lo) as usize)
}

/// `y[i] = sum over j in pos[i] of vals[j] * x[crd[j]]`. Inputs pos, crd, vals, x (an
/// image of crd); output y; scalar 0 a tag under which the point records its pieces.
struct Spmv;
impl Task for Spmv {
    const TASK_ID: u32 = 40;
    const NAME: &'static str = "spmv";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        record(ctx, ctx.scalar::<u64>(0)?)?;
        let (pos, crd, vals, x) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
        let mut y = ctx.output(0)?;
        let (clo, chi, vlo, vhi, xlo, xhi) = (crd.lo()[0], crd.hi()[0], vals.lo()[0], vals.hi()[0], x.lo()[0], x.hi()[0]);
        let (p, c, v, xv) = (pos.view::<[i64; 2]>()?, crd.view::<i64>()?, vals.view::<f64>()?, x.view::<f64>()?);
        for (out, r) in y.view_mut::<f64>()?.iter_mut().zip(p.iter()) {
            let mut s = 0.0;
            for j in r[0]..r[1] {
                let col = c[[inside(j, clo, chi, "crd")?]];
                s += v[[inside(j, vlo, vhi, "vals")?]] * xv[[inside(col, xlo, xhi, "x")?]];
            }
            *out = s;
        }
        Ok(())
    }
}

static GATE_OPEN: AtomicBool = AtomicBool::new(false);

/// Holds its (partial) output until the gate opens (at most 10 s), writing nothing:
/// what it "writes" stays pending meanwhile.
struct Gate;
impl Task for Gate {
    const TASK_ID: u32 = 43;
    const NAME: &'static str = "gate";
    fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
        let start = Instant::now();
        while !GATE_OPEN.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }
}

fn register(rt: &Runtime) -> Library {
    let lib = rt.create_library("images");
    rt.register_task::<Spmv>(&lib).unwrap();
    rt.register_task::<SetVals>(&lib).unwrap();
    rt.register_task::<RowSum>(&lib).unwrap();
    rt.register_task::<Gate>(&lib).unwrap();
    lib
}

fn setup(cpus: usize) -> (Runtime, Library) {
    let rt = runtime(cpus, 1);
    let lib = register(&rt);
    (rt, lib)
}

// ---------------------------------------------------------------------------------------
// Launch helpers and a sequential reference.

/// Row ranges of a CSR matrix with these row lengths.
fn ranges_of(lens: &[i64]) -> Vec<[i64; 2]> {
    let mut at = 0;
    lens.iter()
        .map(|l| {
            at += l;
            [at - l, at]
        })
        .collect()
}

fn set_vals(rt: &Runtime, lib: &Library, pos: &LogicalStore, vals: &LogicalStore, base: f64) {
    let mut t = rt.create_auto_task(lib, SetVals::TASK_ID);
    t.add_scalar_arg(base);
    let p = t.add_input(pos);
    let v = t.add_output(vals);
    t.add_constraint(image(p, v, ImageKind::Ranges));
    t.execute().unwrap();
}

fn row_sum(rt: &Runtime, lib: &Library, pos: &LogicalStore, vals: &LogicalStore, out: &LogicalStore) {
    let mut t = rt.create_auto_task(lib, RowSum::TASK_ID);
    let p = t.add_input(pos);
    let v = t.add_input(vals);
    let o = t.add_output(out);
    t.add_alignment(p, o);
    t.add_constraint(image(p, v, ImageKind::Ranges));
    t.execute().unwrap();
}

struct Csr {
    pos: LogicalStore,
    crd: LogicalStore,
    vals: LogicalStore,
}

fn spmv(rt: &Runtime, lib: &Library, m: &Csr, rows: (i64, i64), x: &LogicalStore, y: &LogicalStore, tag: u64) {
    let pos = m.pos.slice_range(0, rows.0, rows.1).unwrap();
    let mut t = rt.create_auto_task(lib, Spmv::TASK_ID);
    t.add_scalar_arg(tag);
    let p = t.add_input(&pos);
    let c = t.add_input(&m.crd);
    let v = t.add_input(&m.vals);
    let xv = t.add_input(x);
    let yv = t.add_output(y);
    t.add_alignment(p, yv);
    t.add_constraint(image(p, c, ImageKind::Ranges));
    t.add_constraint(image(p, v, ImageKind::Ranges));
    t.add_constraint(image(c, xv, ImageKind::Points));
    t.execute().unwrap();
}

fn spmv_ref(ranges: &[[i64; 2]], crd: &[i64], vals: &[f64], x: &[f64]) -> Vec<f64> {
    ranges.iter().map(|r| (r[0]..r[1]).map(|j| vals[j as usize] * x[crd[j as usize] as usize]).sum()).collect()
}

/// Edges from any point of operation `from` to any point of operation `to`.
fn edges(rt: &Runtime, from: u64, to: u64) -> usize {
    rt.dependences().iter().filter(|e| e.from.op_id == from && e.to.op_id == to).count()
}

fn last_op(rt: &Runtime) -> (u64, u64) {
    let ops = rt.operations();
    let op = ops.last().unwrap();
    (op.op_id, op.points)
}

// ---------------------------------------------------------------------------------------
// (a) Row blocks written through images of disjoint pos slices are independent.

#[test]
fn disjoint_row_blocks_written_through_images_do_not_depend() {
    let (rt, lib) = setup(2);
    let n = 100;
    let ranges = ranges_of(&vec![3; n]);
    let pos = rt.create_store_from::<[i64; 2]>(&[n], &ranges).unwrap();
    let vals = rt.create_store(Type::Float64, &[3 * n]).unwrap();
    rt.issue_fill(&vals, 0.0).unwrap();
    rt.issue_execution_fence(true).unwrap();
    rt.clear_dependence_log();

    set_vals(&rt, &lib, &pos.slice_range(0, 0, 50).unwrap(), &vals, 1000.0);
    let (a, _) = last_op(&rt);
    set_vals(&rt, &lib, &pos.slice_range(0, 50, 100).unwrap(), &vals, 2000.0);
    let (b, _) = last_op(&rt);
    assert_eq!(edges(&rt, a, b), 0, "rows 0..50 and 50..100 write disjoint vals");

    // Overlapping blocks depend; their two points (rows 40..50, 50..60) write disjoint
    // pieces and may run apart.
    set_vals(&rt, &lib, &pos.slice_range(0, 40, 60).unwrap(), &vals, 3000.0);
    let (c, points) = last_op(&rt);
    assert!(edges(&rt, a, c) > 0 && edges(&rt, b, c) > 0, "rows 40..60 overlap both");
    assert_eq!(points, 2, "disjoint image pieces of one launch do not conflict");

    // A read of rows 0..40 does not wait for the write of rows 40..60, but for rows 0..50.
    let out = rt.create_store(Type::Float64, &[40]).unwrap();
    row_sum(&rt, &lib, &pos.slice_range(0, 0, 40).unwrap(), &vals, &out);
    let (d, _) = last_op(&rt);
    assert_eq!(edges(&rt, c, d), 0, "the read of vals[0..120] waits for no write of vals[120..180]");
    assert!(edges(&rt, a, d) > 0);

    let mut want = vec![0.0; 3 * n];
    for (rows, base) in [((0, 50), 1000.0), ((50, 100), 2000.0), ((40, 60), 3000.0)] {
        for j in ranges[rows.0][0]..ranges[rows.1 - 1][1] {
            want[j as usize] = base + j as f64;
        }
    }
    assert_eq!(read_f64(&rt, &vals), want);
    let sums: Vec<f64> = ranges[..40].iter().map(|r| (r[0]..r[1]).map(|j| want[j as usize]).sum()).collect();
    assert_eq!(read_f64(&rt, &out), sums);
}

#[test]
fn images_whose_source_is_still_being_written_stay_whole_and_sound() {
    // Not inline: the gate must stay pending while the program goes on.
    let rt = Runtime::new(legate_core::Config { cpus: 3, min_cpu_chunk: 1, inline_small_tasks: false, ..legate_core::Config::legate_defaults() }).unwrap();
    let lib = register(&rt);
    GATE_OPEN.store(false, Ordering::SeqCst);
    let n = 40;
    let ranges = ranges_of(&vec![2; n]);
    let pos = rt.create_store_from::<[i64; 2]>(&[n], &ranges).unwrap();
    let vals = rt.create_store(Type::Float64, &[2 * n]).unwrap();
    rt.issue_fill(&vals, 0.0).unwrap();
    // Something still "writes" pos: the image cannot be read at launch.
    let mut g = rt.create_auto_task(&lib, Gate::TASK_ID);
    let gv = g.add_partial_output(&pos);
    g.add_broadcast(gv, None);
    g.execute().unwrap();
    rt.clear_dependence_log();
    set_vals(&rt, &lib, &pos.slice_range(0, 0, 20).unwrap(), &vals, 10.0);
    let (a, points) = last_op(&rt);
    assert_eq!(points, 1, "unknown image pieces of outputs may overlap: one point");
    set_vals(&rt, &lib, &pos.slice_range(0, 20, 40).unwrap(), &vals, 20.0);
    let (b, _) = last_op(&rt);
    assert!(edges(&rt, a, b) > 0, "without the rectangles, the writes are ordered");
    // Reads through unknown images run on several points (reads never conflict).
    let out = rt.create_store(Type::Float64, &[n]).unwrap();
    row_sum(&rt, &lib, &pos, &vals, &out);
    assert_eq!(last_op(&rt).1, 3);
    GATE_OPEN.store(true, Ordering::SeqCst);
    let want: Vec<f64> = (0..2 * n).map(|j| if j < n { 10.0 } else { 20.0 } + j as f64).collect();
    assert_eq!(read_f64(&rt, &vals), want);
    let sums: Vec<f64> = ranges.iter().map(|r| (r[0]..r[1]).map(|j| want[j as usize]).sum()).collect();
    assert_eq!(read_f64(&rt, &out), sums);
    // The points resolved the rectangles themselves, and cached them for next time.
    let stats = rt.image_stats(&pos);
    assert_eq!(stats.launch_reads, 0);
    assert_eq!(stats.run_reads, 2 + 3, "{stats:?}");
    row_sum(&rt, &lib, &pos, &vals, &out);
    let again = rt.image_stats(&pos);
    assert_eq!((again.launch_reads, again.run_reads, again.hits), (0, 5, stats.hits + 3), "{again:?}");
    // Now that pos is computed, the row blocks are read at launch and do not depend.
    rt.clear_dependence_log();
    set_vals(&rt, &lib, &pos.slice_range(0, 0, 20).unwrap(), &vals, 30.0);
    let (c, _) = last_op(&rt);
    set_vals(&rt, &lib, &pos.slice_range(0, 20, 40).unwrap(), &vals, 40.0);
    let (d, _) = last_op(&rt);
    assert_eq!(edges(&rt, c, d), 0);
    assert!(rt.image_stats(&pos).launch_reads > 0);
    assert_eq!(read_f64(&rt, &out), sums);
}

// ---------------------------------------------------------------------------------------
// (b) The cache: repeated launches do not read the source again; writes invalidate it.

fn random_csr(rt: &Runtime, rng: &mut Rng, n: usize, cols: i64, max_len: i64) -> (Csr, Vec<[i64; 2]>, Vec<i64>, Vec<f64>) {
    let lens: Vec<i64> = (0..n).map(|_| rng.range(0, max_len)).collect();
    let ranges = ranges_of(&lens);
    let nnz = ranges.last().map_or(0, |r| r[1]) as usize;
    let crd: Vec<i64> = (0..nnz).map(|_| rng.range(0, cols - 1)).collect();
    let vals: Vec<f64> = (0..nnz).map(|_| rng.range(-4, 4) as f64).collect();
    let m = Csr {
        pos: rt.create_store_from::<[i64; 2]>(&[n], &ranges).unwrap(),
        crd: rt.create_store_from::<i64>(&[nnz.max(1)], &if nnz == 0 { vec![0] } else { crd.clone() }).unwrap(),
        vals: rt.create_store_from::<f64>(&[nnz.max(1)], &if nnz == 0 { vec![0.0] } else { vals.clone() }).unwrap(),
    };
    (m, ranges, crd, vals)
}

#[test]
fn repeated_spmv_reads_pos_and_crd_once_and_writes_invalidate() {
    let (rt, lib) = setup(2);
    let mut rng = Rng(5);
    let (n, cols) = (64, 50);
    let (m, mut ranges, crd, vals) = random_csr(&rt, &mut rng, n, cols, 4);
    let xs: Vec<f64> = (0..cols).map(|j| (j % 7) as f64).collect();
    let x = rt.create_store_from::<f64>(&[cols as usize], &xs).unwrap();
    let y = rt.create_store(Type::Float64, &[n]).unwrap();
    spmv(&rt, &lib, &m, (0, n as i64), &x, &y, 0);
    let first = (rt.image_stats(&m.pos), rt.image_stats(&m.crd));
    assert!(first.0.launch_reads >= 1 && first.1.launch_reads >= 1, "{first:?}");
    for _ in 0..5 {
        spmv(&rt, &lib, &m, (0, n as i64), &x, &y, 0);
    }
    let (p, c) = (rt.image_stats(&m.pos), rt.image_stats(&m.crd));
    assert_eq!((p.launch_reads, p.run_reads, c.launch_reads, c.run_reads), (first.0.launch_reads, 0, first.1.launch_reads, 0));
    assert!(p.hits >= first.0.hits + 5 * 2 && c.hits >= first.1.hits + 5, "{p:?} {c:?}");
    assert_eq!(read_f64(&rt, &y), spmv_ref(&ranges, &crd, &vals, &xs));

    // A new structure with the same nnz (rows regrouped): the cache must not answer.
    let nnz = ranges.last().unwrap()[1];
    ranges = (0..n as i64).map(|i| [i * nnz / n as i64, (i + 1) * nnz / n as i64]).collect();
    rt.write_store::<[i64; 2]>(&m.pos, &ranges).unwrap();
    assert!(rt.image_stats(&m.pos).invalidations >= 1);
    spmv(&rt, &lib, &m, (0, n as i64), &x, &y, 0);
    assert!(rt.image_stats(&m.pos).launch_reads > p.launch_reads);
    assert_eq!(read_f64(&rt, &y), spmv_ref(&ranges, &crd, &vals, &xs));
}

// ---------------------------------------------------------------------------------------
// (c) An image of an image gives x only the columns named.

#[test]
fn image_of_image_gives_x_only_the_columns_named() {
    for cpus in [1, 2, 3] {
        let (rt, lib) = setup(cpus);
        let mut rng = Rng(17 + cpus as u64);
        let (n, cols) = (30, 1000);
        // Row i names columns near 30 i: each point's x piece is a narrow band.
        let lens: Vec<i64> = (0..n).map(|_| rng.range(1, 3)).collect();
        let ranges = ranges_of(&lens);
        let nnz = ranges.last().unwrap()[1] as usize;
        let mut crd = vec![0i64; nnz];
        for (i, r) in ranges.iter().enumerate() {
            for j in r[0]..r[1] {
                crd[j as usize] = 30 * i as i64 + rng.range(0, 5);
            }
        }
        let vals: Vec<f64> = (0..nnz).map(|j| (j % 5) as f64 + 1.0).collect();
        let m = Csr {
            pos: rt.create_store_from::<[i64; 2]>(&[n], &ranges).unwrap(),
            crd: rt.create_store_from::<i64>(&[nnz], &crd).unwrap(),
            vals: rt.create_store_from::<f64>(&[nnz], &vals).unwrap(),
        };
        let xs: Vec<f64> = (0..cols).map(|j| (j % 11) as f64).collect();
        let x = rt.create_store_from::<f64>(&[cols], &xs).unwrap();
        let y = rt.create_store(Type::Float64, &[n]).unwrap();
        // Runs twice: the first resolves at launch, the second from the cache.
        for tag in [100 + cpus as u64, 200 + cpus as u64] {
            spmv(&rt, &lib, &m, (0, n as i64), &x, &y, tag);
            assert_eq!(read_f64(&rt, &y), spmv_ref(&ranges, &crd, &vals, &xs));
            let pieces = seen(tag);
            assert_eq!(pieces.len(), cpus.min(n));
            for s in &pieces {
                let (r0, r1) = (s.inputs[0].0 as usize, s.inputs[0].1 as usize);
                let (j0, j1) = (ranges[r0][0] as usize, ranges[r1 - 1][1] as usize);
                assert_eq!(s.inputs[1], (j0 as i64, j1 as i64), "crd piece of rows {r0}..{r1}");
                let named = &crd[j0..j1];
                let want = (*named.iter().min().unwrap(), named.iter().max().unwrap() + 1);
                assert_eq!(s.inputs[3], want, "x piece of rows {r0}..{r1} (cpus {cpus})");
            }
        }
        // A write to x outside every column named does not order the next SpMV.
        rt.clear_dependence_log();
        let tail = x.slice_range(0, 30 * n as i64, cols as i64).unwrap();
        rt.issue_fill(&tail, 5.0).unwrap();
        let (w, _) = last_op(&rt);
        spmv(&rt, &lib, &m, (0, n as i64), &x, &y, 0);
        let (s, _) = last_op(&rt);
        assert_eq!(edges(&rt, w, s), 0, "cpus {cpus}");
    }
}

// ---------------------------------------------------------------------------------------
// (d) Random programs on CSR-like structures against a sequential reference.

#[test]
fn random_row_block_programs_match_a_sequential_reference() {
    for seed in 0..40u64 {
        let mut rng = Rng(1000 + seed);
        let cpus = 1 + rng.below(3);
        let (rt, lib) = setup(cpus);
        let n = rng.range(1, 40) as usize;
        let cols = rng.range(1, 30);
        let (m, mut ranges, mut crd, mut vals) = random_csr(&rt, &mut rng, n, cols, 4);
        let nnz = vals.len();
        let mut xs: Vec<f64> = (0..cols).map(|j| (j % 5) as f64).collect();
        let x = rt.create_store_from::<f64>(&[cols as usize], &xs).unwrap();
        let mut outputs: Vec<(LogicalStore, Vec<f64>)> = Vec::new();
        let block = |rng: &mut Rng| {
            let a = rng.range(0, n as i64);
            let b = rng.range(0, n as i64);
            (a.min(b), a.max(b))
        };
        for step in 0..20 {
            match rng.below(6) {
                0 | 1 if nnz > 0 => {
                    let (r0, r1) = block(&mut rng);
                    let base = (step * 100) as f64;
                    set_vals(&rt, &lib, &m.pos.slice_range(0, r0, r1).unwrap(), &m.vals, base);
                    let lo = ranges[r0 as usize..r1 as usize].iter().filter(|r| r[1] > r[0]).map(|r| r[0]).min();
                    let hi = ranges[r0 as usize..r1 as usize].iter().filter(|r| r[1] > r[0]).map(|r| r[1]).max();
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        for j in lo..hi {
                            vals[j as usize] = base + j as f64;
                        }
                    }
                }
                2 => {
                    let (a, b) = (rng.range(0, cols), rng.range(0, cols));
                    let v = rng.range(-3, 3) as f64;
                    rt.issue_fill(&x.slice_range(0, a.min(b), a.max(b)).unwrap(), v).unwrap();
                    for xv in &mut xs[a.min(b) as usize..a.max(b) as usize] {
                        *xv = v;
                    }
                }
                3 if nnz > 0 => {
                    // New columns (through a copy: a pending writer of crd).
                    crd = (0..nnz).map(|_| rng.range(0, cols - 1)).collect();
                    let src = rt.create_store_from::<i64>(&[nnz], &crd).unwrap();
                    rt.issue_copy(&m.crd, &src).unwrap();
                }
                4 if nnz > 0 && rng.chance(1, 2) => {
                    // A new row structure over the same nnz: pos written by a copy.
                    let mut cuts: Vec<i64> = (0..n - 1).map(|_| rng.range(0, nnz as i64)).collect();
                    cuts.sort();
                    let mut at = 0;
                    ranges = cuts.iter().chain(std::iter::once(&(nnz as i64))).map(|&c| {
                        let r = [at, c];
                        at = c;
                        r
                    }).collect();
                    let src = rt.create_store_from::<[i64; 2]>(&[n], &ranges).unwrap();
                    rt.issue_copy(&m.pos, &src).unwrap();
                }
                _ if nnz > 0 => {
                    let (r0, r1) = block(&mut rng);
                    if r1 > r0 {
                        let y = rt.create_store(Type::Float64, &[(r1 - r0) as usize]).unwrap();
                        spmv(&rt, &lib, &m, (r0, r1), &x, &y, 0);
                        outputs.push((y, spmv_ref(&ranges[r0 as usize..r1 as usize], &crd, &vals, &xs)));
                    }
                }
                _ => {}
            }
        }
        for (k, (y, want)) in outputs.iter().enumerate() {
            assert_eq!(&read_f64(&rt, y), want, "seed {seed}: SpMV #{k}");
        }
        if nnz > 0 {
            assert_eq!(read_f64(&rt, &m.vals), vals, "seed {seed}: vals");
        }
        rt.take_errors().unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// (e) Several ranks: image inputs move only their rectangles; writes through images run.

fn on_ranks<T: Send + 'static>(ranks: usize, body: impl Fn(usize, Runtime, Library) -> T + Send + Sync + 'static) -> Vec<T> {
    on_ranks_with(ranks, 1, Duration::from_secs(10), register, body)
}

#[test]
fn on_two_ranks_an_image_input_moves_only_its_rectangle() {
    // Rows 0..500 hold 5 entries each (vals 0..2500), rows 500..1000 hold 3 (2500..4000).
    // vals is filled tile by tile (rank 0 holds 0..2000, rank 1 2000..4000); rank 0's
    // rows need vals 2000..2500 from rank 1, rank 1's rows nothing.
    let results = on_ranks(2, |_, rt, lib| {
        let lens: Vec<i64> = (0..1000).map(|i| if i < 500 { 5 } else { 3 }).collect();
        let ranges = ranges_of(&lens);
        let pos = rt.create_store_from::<[i64; 2]>(&[1000], &ranges).unwrap();
        let vals = rt.create_store(Type::Float64, &[4000]).unwrap();
        rt.issue_fill(&vals, 1.5).unwrap();
        let out = rt.create_store(Type::Float64, &[1000]).unwrap();
        rt.issue_execution_fence(true).unwrap();
        let before = rt.stats().bytes_received;
        row_sum(&rt, &lib, &pos, &vals, &out);
        rt.issue_execution_fence(true).unwrap();
        let moved = rt.stats().bytes_received - before;
        let sums = read_f64(&rt, &out);
        (moved, sums)
    });
    let want: Vec<f64> = (0..1000).map(|i| if i < 500 { 7.5 } else { 4.5 }).collect();
    assert_eq!(results[0].1, want);
    assert_eq!(results[1].1, want);
    assert_eq!(results[0].0, 500 * 8, "rank 0 fetches vals[2000..2500) only");
    assert_eq!(results[1].0, 0, "rank 1 holds all it reads");
}

#[test]
fn on_two_ranks_writes_and_chains_through_images_run_and_match() {
    let results = on_ranks(2, |_, rt, lib| {
        let mut rng = Rng(99);
        let (n, cols) = (200usize, 400i64);
        let (m, ranges, crd, _) = random_csr(&rt, &mut rng, n, cols, 6);
        let nnz = ranges.last().unwrap()[1] as usize;
        // Row blocks written through images (refused before rectangles were agreed on).
        set_vals(&rt, &lib, &m.pos.slice_range(0, 0, 120).unwrap(), &m.vals, 1.0);
        set_vals(&rt, &lib, &m.pos.slice_range(0, 120, n as i64).unwrap(), &m.vals, 2.0);
        let vals: Vec<f64> = (0..nnz).map(|j| if (j as i64) < ranges[119][1] { 1.0 } else { 2.0 } + j as f64).collect();
        // x filled tile by tile, read through an image of an image.
        let x = rt.create_store(Type::Float64, &[cols as usize]).unwrap();
        rt.issue_fill(&x, 0.5).unwrap();
        let y = rt.create_store(Type::Float64, &[n]).unwrap();
        spmv(&rt, &lib, &m, (0, n as i64), &x, &y, 0);
        spmv(&rt, &lib, &m, (0, n as i64), &x, &y, 0);
        let xs = vec![0.5; cols as usize];
        (read_f64(&rt, &y) == spmv_ref(&ranges, &crd, &vals, &xs), read_f64(&rt, &m.vals) == vals, rt.image_stats(&m.pos))
    });
    for (rank, (y_ok, vals_ok, stats)) in results.iter().enumerate() {
        assert!(*y_ok && *vals_ok, "rank {rank}: y {y_ok}, vals {vals_ok}");
        assert_eq!(stats.run_reads, 0, "rank {rank}: every image was agreed on at launch");
        assert!(stats.hits > 0, "rank {rank}: the second SpMV uses the agreed cache: {stats:?}");
    }
}

#[test]
fn on_three_and_four_ranks_images_of_distributed_sources_agree() {
    // `pos` and `crd` rewritten by copies, so their pieces live on the ranks that wrote
    // them: agreeing on the images first moves source pieces to the points' owners,
    // under the same operation id as the agreement's own exchange (their messages once
    // collided there).
    for ranks in [3, 4] {
        let results = on_ranks(ranks, |_, rt, lib| {
            let mut rng = Rng(7);
            let (n, cols) = (300usize, 500i64);
            let (m, ranges, crd, _) = random_csr(&rt, &mut rng, n, cols, 5);
            let nnz = ranges.last().unwrap()[1] as usize;
            let pos = rt.create_store(m.pos.ty().clone(), &[n]).unwrap();
            rt.issue_copy(&pos, &m.pos).unwrap();
            let crd_copy = rt.create_store(Type::Int64, &[nnz]).unwrap();
            rt.issue_copy(&crd_copy, &m.crd).unwrap();
            let m = Csr { pos, crd: crd_copy, vals: m.vals };
            set_vals(&rt, &lib, &m.pos, &m.vals, 3.0);
            let x = rt.create_store(Type::Float64, &[cols as usize]).unwrap();
            rt.issue_fill(&x, 0.25).unwrap();
            let y = rt.create_store(Type::Float64, &[n]).unwrap();
            spmv(&rt, &lib, &m, (0, n as i64), &x, &y, 0);
            let vals: Vec<f64> = (0..nnz).map(|j| 3.0 + j as f64).collect();
            read_f64(&rt, &y) == spmv_ref(&ranges, &crd, &vals, &vec![0.25; cols as usize])
        });
        assert!(results.iter().all(|&ok| ok), "{ranks} ranks: {results:?}");
    }
}

#[test]
fn ranks_agreeing_on_different_things_report_a_divergence_instead_of_hanging() {
    // Rank 0 waits for a store (an agreement on the outcome) where rank 1 launches a
    // task whose image rectangles it must agree on, under the same operation id: each
    // receives the other's message, so both stop with a divergence error at once
    // (these once waited for each other until the rank timeout).
    let started = Instant::now();
    let results = on_ranks(2, |rank, rt, lib| {
        let pos = rt.create_store_from::<[i64; 2]>(&[4], &ranges_of(&[2, 2, 2, 2])).unwrap();
        let vals = rt.create_store(Type::Float64, &[8]).unwrap();
        rt.issue_fill(&vals, 1.0).unwrap();
        let out = rt.create_store(Type::Float64, &[4]).unwrap();
        if rank == 0 {
            rt.wait_store(&vals).map_err(|e| e.to_string())
        } else {
            let mut t = rt.create_auto_task(&lib, RowSum::TASK_ID);
            let p = t.add_input(&pos);
            let v = t.add_input(&vals);
            let o = t.add_output(&out);
            t.add_alignment(p, o);
            t.add_constraint(image(p, v, ImageKind::Ranges));
            t.execute().map_err(|e| e.to_string())
        }
    });
    for (rank, r) in results.iter().enumerate() {
        let e = r.as_ref().expect_err("the ranks diverged");
        assert!(e.contains("diverged"), "rank {rank}: {e}");
    }
    assert!(started.elapsed() < Duration::from_secs(8), "reported at once, not after the rank timeout");
}
