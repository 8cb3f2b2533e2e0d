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

/// Memory of another library, with a flag that says when its owner let go of it.
struct Foreign {
    data: Vec<f64>,
    dropped: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Foreign {
    fn drop(&mut self) {
        self.dropped.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn attached_stores_share_the_producers_memory() {
    let rt = runtime();
    let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut owner = Box::new(Foreign { data: (0..12).map(f64::from).collect(), dropped: dropped.clone() });
    let ptr = owner.data.as_mut_ptr() as *mut u8;
    // Fortran order, 3 x 4: element (i, j) at i + 3 j.
    let strides = [8, 24];
    assert!(rt.attachable(&Type::Float64, &[3, 4], ptr, &strides).is_ok());
    // SAFETY: `owner` keeps the elements alive and goes with the store.
    let a = unsafe { rt.attach_store(Type::Float64, &[3, 4], ptr, &strides, owner, false) }.unwrap();
    let row = a.project(0, 1).unwrap();
    // Tasks on an attached store finish before their launch returns: the producer's
    // memory holds the result at once.
    rt.issue_fill(&row, -1.0f64).unwrap();
    // SAFETY: the elements stay alive with `a`; no task runs now.
    let seen: Vec<f64> = (0..12).map(|k| unsafe { *(ptr as *const f64).add(k) }).collect();
    assert_eq!(seen, vec![0.0, -1.0, 2.0, 3.0, -1.0, 5.0, 6.0, -1.0, 8.0, 9.0, -1.0, 11.0]);
    let col = rt.read_store::<f64>(&a.project(1, 2).unwrap()).unwrap();
    assert_eq!(col.iter().copied().collect::<Vec<_>>(), vec![6.0, -1.0, 8.0]);
    assert_eq!(rt.memory_usage().used, 0, "the producer's memory is not charged");
    assert!(!dropped.load(std::sync::atomic::Ordering::SeqCst));
    drop((a, row));
    rt.issue_execution_fence(true).unwrap();
    // (A worker may let go of the storage a moment after its task finished.)
    let gone = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(5));
        dropped.load(std::sync::atomic::Ordering::SeqCst)
    });
    assert!(gone, "the owner goes with the storage");
}

#[test]
fn layouts_that_cannot_be_attached() {
    let rt = runtime();
    let mut data = vec![0f64; 13];
    let p = data.as_mut_ptr() as *mut u8;
    let refused = |ptr: *mut u8, shape: &[usize], strides: &[i64]| rt.attachable(&Type::Float64, shape, ptr, strides).is_err();
    assert!(refused(p, &[6], &[16]), "strided");
    assert!(refused(p, &[2, 3], &[8, 24]), "neither order");
    assert!(!refused(p, &[2, 3], &[8, 16]), "Fortran order");
    assert!(refused(p.wrapping_add(1), &[4], &[8]), "misaligned");
    assert!(refused(p, &[0, 3], &[24, 8]), "empty");
    assert!(refused(std::ptr::null_mut(), &[4], &[8]), "null");
    // Extents of 1 may have any stride.
    assert!(!refused(p, &[1, 4, 1], &[999, 8, -5]));
    let read_only = unsafe { rt.attach_store(Type::Float64, &[4], p, &[8], Box::new(()), true) }.unwrap();
    assert!(read_only.read_only());
    assert!(rt.map_store(&read_only, true).is_err());
}
