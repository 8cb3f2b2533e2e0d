//! Image partitions on real MPI ranks (feature `mpi`; not part of `make test`): an image
//! input moves only its rectangle, and writes through images run and match.
//!
//! ```text
//! cargo test -p legate-core --features mpi --test images_mpi --no-run   # prints the executable
//! OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
//!     mpirun -n 2 target/debug/deps/images_mpi-<hash>
//! ```
//!
//! As one rank (without `mpirun`) it checks only the values. MPI starts once per
//! process, so everything is one test.
#![cfg(feature = "mpi")]

mod common;

use common::{RowSum, SetVals};

use legate_core::constraint::image;
use legate_core::{Config, ImageKind, Runtime, Task, Type};

#[test]
fn images_on_mpi_ranks() {
    let transport = legate_core::replicate::MpiTransport::init_with_timeout(std::time::Duration::from_secs(20)).unwrap();
    let config = Config { cpus: 1, min_cpu_chunk: 1, ..Config::legate_defaults() };
    let rt = Runtime::new_replicated(config, std::sync::Arc::new(transport)).unwrap();
    let lib = rt.create_library("images");
    rt.register_task::<RowSum>(&lib).unwrap();
    rt.register_task::<SetVals>(&lib).unwrap();
    let (me, ranks) = (rt.rank(), rt.num_ranks());
    eprintln!("rank {me} of {ranks}");
    // Rows 0..500 hold 5 entries (vals 0..2500), rows 500..1000 hold 3 (2500..4000).
    let ranges: Vec<[i64; 2]> = (0..1000i64).map(|i| if i < 500 { [5 * i, 5 * i + 5] } else { [2500 + 3 * (i - 500), 2503 + 3 * (i - 500)] }).collect();
    let pos = rt.create_store_from::<[i64; 2]>(&[1000], &ranges).unwrap();
    let vals = rt.create_store(Type::Float64, &[4000]).unwrap();
    rt.issue_fill(&vals, 1.5).unwrap();
    let out = rt.create_store(Type::Float64, &[1000]).unwrap();
    rt.issue_execution_fence(true).unwrap();
    let before = rt.stats().bytes_received;
    let mut t = rt.create_auto_task(&lib, RowSum::TASK_ID);
    let (p, v, o) = (t.add_input(&pos), t.add_input(&vals), t.add_output(&out));
    t.add_alignment(p, o);
    t.add_constraint(image(p, v, ImageKind::Ranges));
    t.execute().unwrap();
    rt.issue_execution_fence(true).unwrap();
    let moved = rt.stats().bytes_received - before;
    eprintln!("rank {me}: the image read received {moved} bytes");
    if ranks == 2 {
        // Rank 0's rows need vals[2000..2500) from rank 1; rank 1's rows nothing.
        assert_eq!(moved, if me == 0 { 500 * 8 } else { 0 });
    }
    let sums: Vec<f64> = rt.read_store::<f64>(&out).unwrap().iter().copied().collect();
    assert_eq!(sums, (0..1000).map(|i| if i < 500 { 7.5 } else { 4.5 }).collect::<Vec<_>>());

    // Row blocks written through images, on whichever ranks own them.
    for (rows, base) in [((0, 600), 1.0), ((600, 1000), 2.0)] {
        let block = pos.slice_range(0, rows.0, rows.1).unwrap();
        let mut t = rt.create_auto_task(&lib, SetVals::TASK_ID);
        t.add_scalar_arg(base);
        let (p, v) = (t.add_input(&block), t.add_output(&vals));
        t.add_constraint(image(p, v, ImageKind::Ranges));
        t.execute().unwrap();
    }
    let want: Vec<f64> = (0..4000).map(|j| if j < ranges[599][1] { 1.0 } else { 2.0 } + j as f64).collect();
    assert_eq!(rt.read_store::<f64>(&vals).unwrap().iter().copied().collect::<Vec<_>>(), want);
    rt.issue_execution_fence(true).unwrap();
    rt.finish().unwrap();
}
