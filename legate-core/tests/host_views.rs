//! Host views (`Runtime::map_store`): they see the store's elements in place after its
//! writers, host writes are seen by later tasks, and tasks on a storage the host holds
//! a view of finish before their launch returns.

use legate_core::{Config, Runtime, Type};

fn runtime() -> Runtime {
    Runtime::new(Config { cpus: 2, min_cpu_chunk: 2, ..Config::legate_defaults() }).expect("runtime")
}

fn read(view: &legate_core::HostView, i: i64) -> f64 {
    // SAFETY: element `i` of a live view of a float64 store.
    unsafe { *(view.data().offset((i * view.byte_strides()[0]) as isize) as *const f64) }
}

#[test]
fn views_see_writes_in_place_both_ways() {
    let rt = runtime();
    let a = rt.create_store_from::<f64>(&[8], &[1.0; 8]).unwrap();
    rt.issue_fill(&a, 3.0f64).unwrap();
    let view = rt.map_store(&a, true).unwrap();
    assert!(view.c_contiguous() && view.writable());
    assert_eq!((0..8).map(|i| read(&view, i)).collect::<Vec<_>>(), vec![3.0; 8]);
    // SAFETY: no task touches the storage (mapped writable, nothing launched since).
    unsafe { *(view.data() as *mut f64).add(2) = -1.0 };
    // The host holds a view: the fill finishes before `issue_fill` returns.
    let b = a.slice(0, Some(4), None, 1).unwrap();
    rt.issue_fill(&b, 7.0f64).unwrap();
    assert_eq!(read(&view, 2), -1.0);
    assert_eq!(read(&view, 5), 7.0);
    drop(view);
    let all = rt.read_store::<f64>(&a).unwrap();
    assert_eq!(all.iter().copied().collect::<Vec<_>>(), vec![3.0, 3.0, -1.0, 3.0, 7.0, 7.0, 7.0, 7.0]);
}

#[test]
fn strided_and_read_only_views() {
    let rt = runtime();
    let data: Vec<f64> = (0..12).map(f64::from).collect();
    let a = rt.create_store_from::<f64>(&[3, 4], &data).unwrap();
    let col = a.project(1, 2).unwrap();
    let view = rt.map_store(&col, false).unwrap();
    assert_eq!(view.shape().as_slice(), &[3]);
    assert_eq!((0..3).map(|i| read(&view, i)).collect::<Vec<_>>(), vec![2.0, 6.0, 10.0]);
    assert!(!view.c_contiguous());
    assert!(rt.map_store(&a.as_read_only(), true).is_err());
    let empty = rt.create_store(Type::Float64, &[0]).unwrap();
    assert!(!rt.map_store(&empty, true).unwrap().data().is_null());
}
