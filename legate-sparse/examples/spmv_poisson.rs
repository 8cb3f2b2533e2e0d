//! SpMV and SpGEMM on the 2-D Poisson matrix through the runtime, with the time the tasks take
//! (from the profiler) next to the wall time of a launch: the difference is what the
//! runtime spends around the kernel (partitioning, images, scheduling).
//!
//! `cargo run --release -p legate-sparse --example spmv_poisson -- [grid] [cpus]`

use legate_core::{Config, Runtime};
use legate_sparse::SparseLibrary;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let grid: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let cpus: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let rt = Runtime::new(Config { cpus, profile: true, ..Config::legate_defaults() }).expect("runtime");
    let lib = SparseLibrary::register(rt.api_table()).expect("library");

    // The 5-point Laplacian, row by row (columns sorted).
    let n = grid * grid;
    let (mut indptr, mut crd, mut vals) = (vec![0i64], Vec::new(), Vec::new());
    for i in 0..grid {
        for j in 0..grid {
            let row = i * grid + j;
            let mut push = |c: usize, v: f64| {
                crd.push(c as i64);
                vals.push(v);
            };
            if i > 0 {
                push(row - grid, -1.0);
            }
            if j > 0 {
                push(row - 1, -1.0);
            }
            push(row, 4.0);
            if j + 1 < grid {
                push(row + 1, -1.0);
            }
            if i + 1 < grid {
                push(row + grid, -1.0);
            }
            indptr.push(crd.len() as i64);
        }
    }
    let nnz = crd.len();
    let upload = |store: legate_core::LogicalStore| {
        // SAFETY: a fresh handle whose reference we pass on.
        unsafe { lib.runtime().store_from_raw(legate_core::ffi::store_into_handle(store)) }.expect("handle")
    };
    let indptr = upload(rt.create_store_from(&[n + 1], &indptr).unwrap());
    let crd = upload(rt.create_store_from(&[nnz], &crd).unwrap());
    let vals = upload(rt.create_store_from(&[nnz], &vals).unwrap());
    let x = upload(rt.create_store_from(&[n], &vec![1.0f64; n]).unwrap());
    let a = lib.csr_from_indptr(&indptr, &crd, &vals, n).unwrap();
    let y = lib.spmv(&a, &x).unwrap();
    y.wait().unwrap();

    let reps = 10;
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t0 = Instant::now();
        lib.spmv_into(&a, &x, &y).unwrap();
        y.wait().unwrap();
        best = best.min(t0.elapsed().as_secs_f64());
    }
    let events = rt.profiler().unwrap().events();
    let mut task_us: Vec<f64> = events.iter().filter(|e| e.name == "legate_sparse.csr_spmv").map(|e| e.duration_us).collect();
    task_us.sort_by(f64::total_cmp);
    let bytes = (nnz * 16 + n * 32) as f64;
    println!("{n} rows, {nnz} entries, {cpus} cpus");
    println!("best launch (wall): {:.2} ms, {:.1} GB/s", best * 1e3, bytes / best / 1e9);
    println!("point task times (us): min {:.0}, median {:.0}, max {:.0}", task_us[0], task_us[task_us.len() / 2], task_us[task_us.len() - 1]);

    // A @ A: wall time of the whole product (count, scan, row ranges, values) and each task's share.
    let mut best = f64::INFINITY;
    let ops_before = rt.profiler().unwrap().events().len();
    for _ in 0..3 {
        let t0 = Instant::now();
        let (indptr, _, crd, _) = lib.spgemm_parts(&a, &a).unwrap();
        indptr.wait().unwrap();
        crd.wait().unwrap();
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!("spgemm A @ A: best {:.2} ms", best * 1e3);
    for name in ["legate_sparse.csr_spgemm_symbolic", "legate_sparse.scan_counts", "legate_sparse.row_ranges", "legate_sparse.csr_spgemm"] {
        let us: Vec<f64> = rt.profiler().unwrap().events()[ops_before..].iter().filter(|e| e.name == name).map(|e| e.duration_us).collect();
        println!("  {name}: {} points, min {:.0} us, max {:.0} us", us.len(), us.iter().cloned().fold(f64::INFINITY, f64::min), us.iter().cloned().fold(0.0, f64::max));
    }
}
