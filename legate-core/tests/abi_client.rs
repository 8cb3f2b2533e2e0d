//! The runtime's C-ABI function table (`legate_core::ffi`) driven through its safe client
//! (`legate_abi::client`), as a library built apart from the runtime drives it.

use legate_abi::client::{self, ErrorKind, Store};
use legate_abi::raw::RawRuntimeApi;
use legate_abi::ABI_VERSION;
use legate_core::types::Type;
use legate_core::{ffi, Config, ReductionOp, Runtime, Task, TaskContext, TaskError};

fn runtime(cpus: usize) -> Runtime {
    Runtime::new(Config { cpus, min_cpu_chunk: 2, ..Config::legate_defaults() }).expect("runtime starts")
}

/// A private runtime and its table, wrapped.
fn client(cpus: usize) -> (Runtime, client::Runtime) {
    let rt = runtime(cpus);
    let c = client::Runtime::new(rt.api_table()).expect("the table is usable");
    (rt, c)
}

fn iota(c: &client::Runtime, core: &Runtime, n: usize) -> Store {
    let s = core.create_store_from::<f64>(&[n], &(0..n).map(|i| i as f64).collect::<Vec<_>>()).unwrap();
    // SAFETY: a fresh handle, whose reference we hand to the client.
    unsafe { c.store_from_raw(ffi::store_into_handle(s)) }.unwrap()
}

// ---- tasks of a test library, registered through the client ----

/// `output = input + scalar 0`, elementwise.
struct AddScalar;
impl Task for AddScalar {
    const TASK_ID: u32 = 1;
    const NAME: &'static str = "add_scalar";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let k = ctx.scalar::<f64>(0)?;
        let input = ctx.input(0)?;
        let mut output = ctx.output(0)?;
        let x = input.view::<f64>()?;
        output.view_mut::<f64>()?.zip_mut_with(&x, |y, &x| *y = x + k);
        Ok(())
    }
}

/// `output[i] = input[i] + sum(whole)`, where `whole` is broadcast to every point.
struct AddTotal;
impl Task for AddTotal {
    const TASK_ID: u32 = 2;
    const NAME: &'static str = "add_total";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let whole = ctx.input(1)?;
        if whole.lo() != [0] {
            return Err(TaskError::new("the broadcast argument is not whole"));
        }
        let total: f64 = whole.view::<f64>()?.sum();
        let input = ctx.input(0)?;
        let mut output = ctx.output(0)?;
        let x = input.view::<f64>()?;
        output.view_mut::<f64>()?.zip_mut_with(&x, |y, &x| *y = x + total);
        Ok(())
    }
}

/// Adds `point + 1` into reduction 0 (a manual launch).
struct CountPoints;
impl Task for CountPoints {
    const TASK_ID: u32 = 3;
    const NAME: &'static str = "count_points";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let p = ctx.point()[0];
        let mut r = ctx.reduction(0)?;
        *r.view_mut::<i64>()?.iter_mut().next().unwrap() += p + 1;
        Ok(())
    }
}

/// Writes the even values of its input tile into unbound output 0.
struct Evens;
impl Task for Evens {
    const TASK_ID: u32 = 4;
    const NAME: &'static str = "evens";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let input = ctx.input(0)?;
        let evens: Vec<f64> = input.view::<f64>()?.iter().copied().filter(|v| v % 2.0 == 0.0).collect();
        let mut out = ctx.bind_output(0, &[evens.len()])?;
        out.view_mut::<f64>()?.iter_mut().zip(&evens).for_each(|(o, v)| *o = *v);
        Ok(())
    }
}

fn test_library(c: &client::Runtime) -> client::Library {
    let lib = c.create_library("abi_client_tests").unwrap();
    let reg = c.registrar(&lib).unwrap();
    reg.register::<AddScalar>().unwrap();
    reg.register::<AddTotal>().unwrap();
    reg.register::<CountPoints>().unwrap();
    reg.register::<Evens>().unwrap();
    lib
}

#[test]
fn table_describes_itself_and_is_one_per_runtime() {
    let api = ffi::api();
    assert_eq!(api.abi_version, ABI_VERSION);
    assert_eq!(api.size as usize, std::mem::size_of::<RawRuntimeApi>());
    assert!(std::ptr::eq(api, ffi::api()));
    let rt = runtime(1);
    assert!(std::ptr::eq(rt.api_table(), rt.clone().api_table()), "one table per runtime");
    assert!(!std::ptr::eq(rt.api_table(), api));
}

#[test]
fn tables_of_another_version_or_size_are_refused() {
    // SAFETY: a bitwise copy of a table of plain data and function pointers.
    let mut copy: RawRuntimeApi = unsafe { std::ptr::read(ffi::api()) };
    copy.abi_version = ABI_VERSION + 1;
    let err = client::Runtime::new(Box::leak(Box::new(copy))).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Abi);
    // SAFETY: as above.
    let mut copy: RawRuntimeApi = unsafe { std::ptr::read(ffi::api()) };
    copy.size -= 8;
    let err = client::Runtime::new(Box::leak(Box::new(copy))).unwrap_err();
    assert!(err.message.contains("upgrade the runtime"), "{err}");
    // SAFETY: null is allowed and refused.
    assert_eq!(unsafe { client::Runtime::from_ptr(std::ptr::null()) }.unwrap_err().kind, ErrorKind::Abi);
}

#[test]
fn stores_futures_fill_and_read() {
    let (core, c) = client(2);
    let a = c.create_store::<i32>(&[3, 4]).unwrap();
    a.fill(7i32).unwrap();
    assert_eq!(a.read::<i32>().unwrap(), vec![7; 12]);
    let info = a.info().unwrap();
    assert_eq!(info.shape, Some(vec![3, 4]));
    assert_eq!((info.ndim, info.elem_size, info.type_code), (2, 4, Some(legate_abi::TypeCode::Int32)));
    assert!(!info.is_future && !info.transformed);

    let f = c.create_future(2.5f64).unwrap();
    assert!(f.info().unwrap().is_future);
    assert_eq!(f.read_scalar::<f64>().unwrap(), 2.5);

    // Points (int64[n]) are the compound type the ABI carries.
    let p = c.create_store::<[i64; 2]>(&[3]).unwrap();
    p.fill([4i64, -1]).unwrap();
    assert_eq!(p.read::<[i64; 2]>().unwrap(), vec![[4, -1]; 3]);

    // Empty and 0-d stores.
    let e = c.create_store::<f64>(&[0, 5]).unwrap();
    assert_eq!(e.read::<f64>().unwrap(), Vec::<f64>::new());
    let z = c.create_store::<u8>(&[]).unwrap();
    z.fill(9u8).unwrap();
    assert_eq!(z.read::<u8>().unwrap(), vec![9]);

    // The same store, seen from the runtime.
    let h = a.clone().into_raw();
    // SAFETY: a live handle we own one reference of.
    let seen = unsafe { ffi::store_from_handle(h) }.unwrap().clone();
    assert_eq!(core.read_store::<i32>(&seen).unwrap().iter().copied().collect::<Vec<_>>(), vec![7; 12]);
    assert_eq!(seen.storage().id(), a.storage_id().unwrap());
    // SAFETY: give the reference back.
    drop(unsafe { c.store_from_raw(h) }.unwrap());
}

#[test]
fn views_match_the_runtime_views() {
    let (core, c) = client(2);
    let base = core.create_store_from::<f64>(&[4, 6], &(0..24).map(|i| i as f64).collect::<Vec<_>>()).unwrap();
    // SAFETY: a fresh handle.
    let s = unsafe { c.store_from_raw(ffi::store_into_handle(base.clone())) }.unwrap();
    let read = |v: &legate_core::LogicalStore| core.read_store::<f64>(v).unwrap().iter().copied().collect::<Vec<_>>();
    let cases: Vec<(Store, legate_core::LogicalStore)> = vec![
        (s.slice(1, Some(1), None, 2).unwrap(), base.slice(1, Some(1), None, 2).unwrap()),
        (s.slice(0, None, None, -1).unwrap(), base.slice(0, None, None, -1).unwrap()),
        (s.slice(1, Some(-2), Some(100), 1).unwrap(), base.slice(1, Some(-2), Some(100), 1).unwrap()),
        (s.promote(1, 3).unwrap(), base.promote(1, 3).unwrap()),
        (s.project(0, 2).unwrap(), base.project(0, 2).unwrap()),
        (s.transpose(&[1, 0]).unwrap(), base.transpose(&[1, 0]).unwrap()),
        (s.delinearize(1, &[2, 3]).unwrap(), base.delinearize(1, &[2, 3]).unwrap()),
        (
            s.transpose(&[1, 0]).unwrap().slice(0, Some(1), Some(5), 3).unwrap(),
            base.transpose(&[1, 0]).unwrap().slice(0, Some(1), Some(5), 3).unwrap(),
        ),
    ];
    for (i, (view, expected)) in cases.iter().enumerate() {
        assert_eq!(view.shape().unwrap(), expected.shape().to_usize(), "case {i}");
        assert_eq!(view.read::<f64>().unwrap(), read(expected), "case {i}");
        assert!(view.info().unwrap().transformed);
        assert_eq!(view.storage_id().unwrap(), base.storage().id());
    }
    // Bad transforms are errors, not panics.
    assert_eq!(s.project(5, 0).unwrap_err().kind, ErrorKind::InvalidArgument);
    assert_eq!(s.transpose(&[0, 0]).unwrap_err().kind, ErrorKind::InvalidArgument);
    assert_eq!(s.delinearize(1, &[4, 4]).unwrap_err().kind, ErrorKind::InvalidArgument);
    assert_eq!(s.slice(0, None, None, 0).unwrap_err().kind, ErrorKind::InvalidArgument);
}

#[test]
fn auto_and_manual_tasks_with_scalars_constraints_and_reductions() {
    for cpus in [1, 2, 4] {
        let (core, c) = client(cpus);
        let lib = test_library(&c);
        let n = 11;
        let x = iota(&c, &core, n);

        let y = c.create_store::<f64>(&[n]).unwrap();
        let mut t = c.create_auto_task(&lib, AddScalar::TASK_ID).unwrap();
        let vx = t.add_input(&x).unwrap();
        let vy = t.add_output(&y).unwrap();
        t.add_alignment(vx, vy).unwrap();
        t.add_scalar(0.5f64).unwrap();
        t.execute().unwrap();
        assert_eq!(y.read::<f64>().unwrap(), (0..n).map(|i| i as f64 + 0.5).collect::<Vec<_>>(), "{cpus} cpus");

        let z = c.create_store::<f64>(&[n]).unwrap();
        let mut t = c.create_auto_task(&lib, AddTotal::TASK_ID).unwrap();
        let vx = t.add_input(&x).unwrap();
        let vw = t.add_input(&x).unwrap();
        let vz = t.add_output(&z).unwrap();
        t.add_alignment(vx, vz).unwrap();
        t.add_broadcast(vw, None).unwrap();
        t.execute().unwrap();
        let total = (0..n).sum::<usize>() as f64;
        assert_eq!(z.read::<f64>().unwrap(), (0..n).map(|i| i as f64 + total).collect::<Vec<_>>(), "{cpus} cpus");

        let count = c.create_future(0i64).unwrap();
        let mut t = c.create_manual_task(&lib, CountPoints::TASK_ID, &[4]).unwrap();
        t.add_reduction(&count, ReductionOp::Add).unwrap();
        t.execute().unwrap();
        assert_eq!(count.read_scalar::<i64>().unwrap(), 10);

        let evens = c.create_unbound_store::<f64>(1).unwrap();
        assert_eq!(evens.info().unwrap().shape, None);
        let mut t = c.create_auto_task(&lib, Evens::TASK_ID).unwrap();
        t.add_input(&x).unwrap();
        t.add_output(&evens).unwrap();
        t.execute().unwrap();
        assert_eq!(evens.shape().unwrap(), vec![6]);
        assert_eq!(evens.read::<f64>().unwrap(), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);

        c.fence(true).unwrap();
        assert_eq!(core.operations().iter().filter(|op| op.name.starts_with("abi_client_tests.")).count(), 4);
    }
}

#[test]
fn errors_come_back_with_their_kind_and_the_runtime_keeps_working() {
    let (_core, c) = client(2);
    let lib = test_library(&c);
    let x = c.create_store::<f64>(&[5]).unwrap();
    x.fill(1.0f64).unwrap();

    assert_eq!(x.fill(1i32).unwrap_err().kind, ErrorKind::TypeMismatch);
    assert_eq!(x.read::<f32>().unwrap_err().kind, ErrorKind::TypeMismatch);
    let err = c.create_store_of(legate_abi::TypeCode::Float64, 4, &[3]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TypeMismatch, "{err}");
    assert_eq!(c.create_store_of(legate_abi::TypeCode::Struct, 12, &[3]).unwrap_err().kind, ErrorKind::TypeMismatch);
    assert_eq!(c.create_store::<f64>(&[1; 9]).unwrap_err().kind, ErrorKind::InvalidArgument);

    // An unbound store nothing produces: an error, not a hang.
    let unbound = c.create_unbound_store::<f64>(1).unwrap();
    assert_eq!(unbound.shape().unwrap_err().kind, ErrorKind::InvalidArgument);
    assert_eq!(unbound.read::<f64>().unwrap_err().kind, ErrorKind::InvalidArgument);

    // Unknown tasks and bad variables.
    let t = c.create_auto_task(&lib, 99).unwrap();
    assert_eq!(t.execute().unwrap_err().kind, ErrorKind::Registry);
    let mut t = c.create_auto_task(&lib, AddScalar::TASK_ID).unwrap();
    let v = t.add_input(&x).unwrap();
    assert_eq!(t.add_alignment(v, client::Variable(7)).unwrap_err().kind, ErrorKind::InvalidArgument);
    assert_eq!(t.add_scalar_bytes(legate_abi::TypeCode::Float64, &[0; 3]).unwrap_err().kind, ErrorKind::TypeMismatch);
    drop(t); // discarded, never submitted
    assert_eq!(c.create_manual_task(&lib, CountPoints::TASK_ID, &[0]).unwrap_err().kind, ErrorKind::InvalidArgument);
    let other = client::Library::clone(&lib);
    assert_eq!(other.id(), lib.id());
    assert!(c.find_library("no such library").unwrap().is_none());
    assert_eq!(c.find_library("abi_client_tests").unwrap(), Some(lib.clone()));

    // A task error (missing scalar) surfaces on reading what the task wrote.
    let y = c.create_store::<f64>(&[5]).unwrap();
    let mut t = c.create_auto_task(&lib, AddScalar::TASK_ID).unwrap();
    let vx = t.add_input(&x).unwrap();
    let vy = t.add_output(&y).unwrap();
    t.add_alignment(vx, vy).unwrap();
    t.execute().unwrap();
    let err = y.read::<f64>().unwrap_err();
    assert_eq!(err.kind, ErrorKind::TaskFailed);
    assert!(err.message.contains("scalar 0 does not exist"), "{err}");

    // Long messages are truncated, never overflow the buffer.
    let long = "x".repeat(5000);
    let err = c.create_library(&long).and_then(|l| c.create_auto_task(&l, 1)?.execute()).unwrap_err();
    assert!(err.message.len() < 1024, "{}", err.message.len());

    assert_eq!(x.read::<f64>().unwrap(), vec![1.0; 5]);
}

#[test]
fn handles_are_reference_counted_and_free_the_store() {
    let (core, c) = client(1);
    let before = core.memory_usage().used;
    let a = c.create_store::<f64>(&[1 << 16]).unwrap();
    a.fill(0.0f64).unwrap();
    a.wait().unwrap();
    let during = core.memory_usage().used;
    assert!(during >= before + (8 << 16), "{before} -> {during}");
    let b = a.clone();
    let view = b.slice(0, Some(10), None, 1).unwrap();
    drop(a);
    drop(b);
    // The view still holds the storage.
    assert_eq!(view.read::<f64>().unwrap().len(), (1 << 16) - 10);
    drop(view);
    c.fence(true).unwrap();
    assert!(core.memory_usage().used < during, "the storage was not freed");
}

#[test]
fn stores_are_usable_from_other_threads() {
    let (_core, c) = client(2);
    let a = c.create_store::<i64>(&[100]).unwrap();
    let b = a.clone();
    std::thread::spawn(move || b.fill(3i64).unwrap()).join().unwrap();
    assert_eq!(a.read::<i64>().unwrap(), vec![3; 100]);
}

#[test]
fn the_global_table_drives_the_global_runtime() {
    let c = client::Runtime::new(ffi::api()).unwrap();
    let rt = Runtime::global().unwrap();
    let first = c.create_store::<f64>(&[2]).unwrap().storage_id().unwrap();
    let second = rt.create_store(Type::Float64, &[2]).unwrap().storage().id();
    let third = c.create_store::<f64>(&[2]).unwrap().storage_id().unwrap();
    // Other tests use the global runtime concurrently only through this test.
    assert!(first < second && second < third, "{first} {second} {third}");
    let lib = c.create_library("abi_client_global").unwrap();
    assert_eq!(rt.find_library("abi_client_global").map(|l| l.id()), Some(lib.id()));
}
