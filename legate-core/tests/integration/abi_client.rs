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

/// A point of a manual launch of many dimensions: adds its row-major index in the
/// launch domain plus one into reduction 0, and binds unbound output 0 (8-d) to a piece
/// of `index + 1` rows holding the index.
struct ManyDims;
impl Task for ManyDims {
    const TASK_ID: u32 = 5;
    const NAME: &'static str = "many_dims";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let (point, shape) = (ctx.point().to_vec(), ctx.launch_shape().to_vec());
        if point.len() != shape.len() || point.iter().zip(&shape).any(|(p, e)| p < &0 || p >= e) {
            return Err(TaskError::new(format!("point {point:?} outside the launch {shape:?}")));
        }
        let index = point.iter().zip(&shape).fold(0, |acc, (p, e)| acc * e + p);
        let mut r = ctx.reduction(0)?;
        *r.view_mut::<i64>()?.iter_mut().next().unwrap() += index + 1;
        let mut extents = [1usize; 8];
        extents[0] = index as usize + 1;
        let mut out = ctx.bind_output(0, &extents)?;
        let hi: Vec<i64> = extents.iter().map(|&e| e as i64).collect();
        if out.ndim() != 8 || out.lo() != [0; 8] || out.hi() != hi.as_slice() {
            return Err(TaskError::new(format!("bound {:?}..{:?}", out.lo(), out.hi())));
        }
        out.view_mut::<f64>()?.fill(index as f64);
        Ok(())
    }
}

/// `x + 0.5` into a new store of `shape` (an aligned auto task).
fn add_half(c: &client::Runtime, lib: &client::Library, x: &Store, shape: &[usize]) -> Store {
    let y = c.create_store::<f64>(shape).unwrap();
    let mut t = c.create_auto_task(lib, AddScalar::TASK_ID).unwrap();
    let vx = t.add_input(x).unwrap();
    let vy = t.add_output(&y).unwrap();
    t.add_alignment(vx, vy).unwrap();
    t.add_scalar(0.5f64).unwrap();
    t.execute().unwrap();
    y
}

fn test_library(c: &client::Runtime) -> client::Library {
    let lib = c.create_library("abi_client_tests").unwrap();
    let reg = c.registrar(&lib).unwrap();
    reg.register::<AddScalar>().unwrap();
    reg.register::<AddTotal>().unwrap();
    reg.register::<CountPoints>().unwrap();
    reg.register::<Evens>().unwrap();
    reg.register::<ManyDims>().unwrap();
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

        let y = add_half(&c, &lib, &x, &[n]);
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

/// Stores and launch domains of more than the 6 dimensions Point keeps inline cross the
/// ABI whole: tiles of a 30-d store, and the points of an 8-d manual launch with an
/// 8-d unbound output.
#[test]
fn stores_and_launches_of_many_dimensions() {
    let mut shape = vec![1usize; 30];
    (shape[3], shape[17], shape[28], shape[29]) = (2, 3, 2, 2);
    let n: usize = shape.iter().product();
    for cpus in [1, 2, 4] {
        let (core, c) = client(cpus);
        let lib = test_library(&c);
        let x = iota(&c, &core, n).delinearize(0, &shape.iter().map(|&e| e as i64).collect::<Vec<_>>()).unwrap();
        assert_eq!(x.shape().unwrap(), shape);
        let y = add_half(&c, &lib, &x, &shape);
        assert_eq!(y.info().unwrap().ndim, 30);
        assert_eq!(y.read::<f64>().unwrap(), (0..n).map(|i| i as f64 + 0.5).collect::<Vec<_>>(), "{cpus} cpus");
        // A transposed view reads in its own row-major order.
        let axes: Vec<usize> = (0..30).rev().collect();
        let yt = y.transpose(&axes).unwrap();
        let mut rev = shape.clone();
        rev.reverse();
        assert_eq!(yt.shape().unwrap(), rev);
        let strides: Vec<usize> = (0..30).map(|d| shape[d + 1..].iter().product()).collect();
        let want: Vec<f64> = (0..n)
            .map(|k| {
                // Row-major index k of the reversed shape, back to y's linear index.
                let (mut rest, mut lin) = (k, 0);
                for d in 0..30 {
                    lin += (rest % shape[d]) * strides[d];
                    rest /= shape[d];
                }
                lin as f64 + 0.5
            })
            .collect();
        assert_eq!(yt.read::<f64>().unwrap(), want, "{cpus} cpus");

        // Points of an 8-d launch domain: each adds its index plus one and binds
        // `index + 1` rows, concatenated in launch order.
        let count = c.create_future(0i64).unwrap();
        let rows = c.create_unbound_store::<f64>(8).unwrap();
        let mut t = c.create_manual_task(&lib, ManyDims::TASK_ID, &[2, 1, 1, 1, 1, 1, 1, 2]).unwrap();
        t.add_reduction(&count, ReductionOp::Add).unwrap();
        t.add_output(&rows).unwrap();
        t.execute().unwrap();
        assert_eq!(count.read_scalar::<i64>().unwrap(), 1 + 2 + 3 + 4);
        assert_eq!(rows.shape().unwrap(), [10, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(rows.read::<f64>().unwrap(), [0., 1., 1., 2., 2., 2., 3., 3., 3., 3.], "{cpus} cpus");
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
    assert_eq!(c.create_store::<f64>(&[1; legate_abi::MAX_DIM + 1]).unwrap_err().kind, ErrorKind::InvalidArgument);

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

// ---- what a real library needs beyond hello: derived and manual partitions, partial
// ---- outputs, communicators (the sparse library's shapes of launch)

fn store_of<T: legate_abi::Element>(c: &client::Runtime, core: &Runtime, data: &[T]) -> Store {
    let s = core.create_store_from::<T>(&[data.len()], data).unwrap();
    // SAFETY: a fresh handle, whose reference we hand to the client.
    unsafe { c.store_from_raw(ffi::store_into_handle(s)) }.unwrap()
}

/// `y[r] = sum(vals[pos[r].0 .. pos[r].1])`, checking that `vals`' tile is exactly the
/// hull of the tile's ranges (the image of `pos`), not the whole store.
struct RowSums;
impl Task for RowSums {
    const TASK_ID: u32 = 11;
    const NAME: &'static str = "row_sums";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let pos = ctx.input(0)?;
        let vals = ctx.input(1)?;
        let mut y = ctx.output(0)?;
        let ranges: Vec<[i64; 2]> = pos.view::<[i64; 2]>()?.iter().copied().collect();
        let nonempty = ranges.iter().filter(|r| r[1] > r[0]);
        let (lo, hi) = nonempty.fold((i64::MAX, i64::MIN), |(l, h), r| (l.min(r[0]), h.max(r[1])));
        if lo <= hi && (vals.lo()[0], vals.hi()[0]) != (lo, hi) {
            return Err(TaskError::new(format!("vals tile {:?}..{:?} is not the image {lo}..{hi}", vals.lo(), vals.hi())));
        }
        let v = vals.view::<f64>()?;
        let base = vals.lo()[0];
        for (out, r) in y.view_mut::<f64>()?.iter_mut().zip(&ranges) {
            *out = (r[0]..r[1]).map(|k| v[[(k - base) as usize]]).sum();
        }
        Ok(())
    }
}

/// `y[i] = x[idx[i]]`, checking that `x`'s tile is exactly the image of `idx`'s tile.
struct Gather;
impl Task for Gather {
    const TASK_ID: u32 = 12;
    const NAME: &'static str = "gather";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let idx = ctx.input(0)?;
        let x = ctx.input(1)?;
        let mut y = ctx.output(0)?;
        let idx: Vec<i64> = idx.view::<i64>()?.iter().copied().collect();
        if let (Some(lo), Some(hi)) = (idx.iter().min(), idx.iter().max()) {
            if (x.lo()[0], x.hi()[0]) != (*lo, hi + 1) {
                return Err(TaskError::new(format!("x tile {:?}..{:?} is not the image {lo}..{}", x.lo(), x.hi(), hi + 1)));
            }
        }
        let xv = x.view::<f64>()?;
        let base = x.lo()[0];
        for (out, i) in y.view_mut::<f64>()?.iter_mut().zip(&idx) {
            *out = xv[[(i - base) as usize]];
        }
        Ok(())
    }
}

/// `y[i] = x[i-1] + x[i] + x[i+1]` (missing neighbours count 0), `x` bloated by one.
struct Stencil;
impl Task for Stencil {
    const TASK_ID: u32 = 13;
    const NAME: &'static str = "stencil";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let halo = ctx.input(1)?;
        let mut y = ctx.output(0)?;
        let (ylo, yhi) = (y.lo()[0], y.hi()[0]);
        let n = ctx.scalar::<i64>(0)?;
        if (halo.lo()[0], halo.hi()[0]) != ((ylo - 1).max(0), (yhi + 1).min(n)) {
            return Err(TaskError::new(format!("halo tile {:?}..{:?} around {ylo}..{yhi}", halo.lo(), halo.hi())));
        }
        let h = halo.view::<f64>()?;
        let at = |i: i64| if i < halo.lo()[0] || i >= halo.hi()[0] { 0.0 } else { h[[(i - halo.lo()[0]) as usize]] };
        for (k, out) in y.view_mut::<f64>()?.iter_mut().enumerate() {
            let i = ylo + k as i64;
            *out = at(i - 1) + at(i) + at(i + 1);
        }
        Ok(())
    }
}

/// `coarse[i] = fine[2i] + fine[2i+1]`, `fine` scaled from `coarse` by 2.
struct Restrict;
impl Task for Restrict {
    const TASK_ID: u32 = 14;
    const NAME: &'static str = "restrict";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let fine = ctx.input(0)?;
        let mut coarse = ctx.output(0)?;
        if fine.lo()[0] != 2 * coarse.lo()[0] {
            return Err(TaskError::new(format!("fine tile at {:?} for coarse tile at {:?}", fine.lo(), coarse.lo())));
        }
        let f = fine.view::<f64>()?;
        for (k, out) in coarse.view_mut::<f64>()?.iter_mut().enumerate() {
            *out = f[[2 * k]] + f[[2 * k + 1]];
        }
        Ok(())
    }
}

/// Writes `point + 100` into every element of its output piece and, when given a
/// reduction, adds the sum of its input piece.
struct Pieces;
impl Task for Pieces {
    const TASK_ID: u32 = 15;
    const NAME: &'static str = "pieces";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let p = ctx.point()[0] as f64;
        if let Ok(mut out) = ctx.output(0) {
            out.view_mut::<f64>()?.fill(p + 100.0);
        }
        if let (Ok(input), Ok(mut r)) = (ctx.input(0), ctx.reduction(0)) {
            *r.view_mut::<f64>()?.iter_mut().next().unwrap() += input.view::<f64>()?.sum();
        }
        Ok(())
    }
}

/// Negates the even-indexed elements of its tile and leaves the others alone.
struct NegateEvens;
impl Task for NegateEvens {
    const TASK_ID: u32 = 16;
    const NAME: &'static str = "negate_evens";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mut out = ctx.output(0)?;
        let lo = out.lo()[0];
        for (k, v) in out.view_mut::<f64>()?.iter_mut().enumerate() {
            if (lo + k as i64) % 2 == 0 {
                *v = -*v;
            }
        }
        Ok(())
    }
}

/// Each point all-gathers its point index; writes the sum of all of them.
struct GatherPoints;
impl Task for GatherPoints {
    const TASK_ID: u32 = 17;
    const NAME: &'static str = "gather_points";
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let p = ctx.point()[0];
        let mut comm = ctx.communicator().ok_or_else(|| TaskError::new("no communicator"))?;
        let (size, rank) = (comm.size(), comm.rank());
        let all = comm.all_gather(&p.to_le_bytes())?;
        if all.len() != size || rank as i64 != p {
            return Err(TaskError::new(format!("{} pieces for {size} points, rank {rank} at point {p}", all.len())));
        }
        let total: i64 = all.iter().map(|b| i64::from_le_bytes(b[..8].try_into().unwrap())).sum();
        let mut out = ctx.output(0)?;
        out.view_mut::<f64>()?.fill(total as f64);
        Ok(())
    }
}

fn library_of_partitions(c: &client::Runtime) -> client::Library {
    let lib = c.create_library("abi_partition_tests").unwrap();
    let reg = c.registrar(&lib).unwrap();
    reg.register::<RowSums>().unwrap();
    reg.register::<Gather>().unwrap();
    reg.register::<Stencil>().unwrap();
    reg.register::<Restrict>().unwrap();
    reg.register::<Pieces>().unwrap();
    reg.register::<NegateEvens>().unwrap();
    reg.register::<GatherPoints>().unwrap();
    lib
}

#[test]
fn images_by_ranges_and_points_give_each_point_exactly_what_it_names() {
    for cpus in [1, 2, 4] {
        let (core, c) = client(cpus);
        let lib = library_of_partitions(&c);
        // A CSR-like structure: row r has r % 4 entries (some rows empty).
        let rows = 13usize;
        let mut pos = Vec::new();
        let mut next = 0i64;
        for r in 0..rows {
            pos.push([next, next + (r % 4) as i64]);
            next += (r % 4) as i64;
        }
        let vals: Vec<f64> = (0..next).map(|k| (k * k) as f64).collect();
        let (pos_s, vals_s) = (store_of(&c, &core, &pos), store_of(&c, &core, &vals));
        let y = c.create_store::<f64>(&[rows]).unwrap();
        let mut t = c.create_auto_task(&lib, RowSums::TASK_ID).unwrap();
        let vp = t.add_input(&pos_s).unwrap();
        let vv = t.add_input(&vals_s).unwrap();
        let vy = t.add_output(&y).unwrap();
        t.add_alignment(vp, vy).unwrap();
        t.add_image(vp, vv, legate_abi::ImageKind::Ranges).unwrap();
        t.execute().unwrap();
        let want: Vec<f64> = pos.iter().map(|r| (r[0]..r[1]).map(|k| vals[k as usize]).sum()).collect();
        assert_eq!(y.read::<f64>().unwrap(), want, "{cpus} cpus");

        // Gather through an image of points (indices sorted within each tile's span).
        let idx: Vec<i64> = (0..20).map(|i| (i * 7 % 20) as i64 / 2 + 3).collect();
        let x: Vec<f64> = (0..40).map(|i| i as f64 * 0.5).collect();
        let (idx_s, x_s) = (store_of(&c, &core, &idx), store_of(&c, &core, &x));
        let g = c.create_store::<f64>(&[idx.len()]).unwrap();
        let mut t = c.create_auto_task(&lib, Gather::TASK_ID).unwrap();
        let vi = t.add_input(&idx_s).unwrap();
        let vx = t.add_input(&x_s).unwrap();
        let vg = t.add_output(&g).unwrap();
        t.add_alignment(vi, vg).unwrap();
        t.add_image(vi, vx, legate_abi::ImageKind::Points).unwrap();
        t.execute().unwrap();
        assert_eq!(g.read::<f64>().unwrap(), idx.iter().map(|&i| x[i as usize]).collect::<Vec<_>>(), "{cpus} cpus");

        // Bad constraints are refused when added, naming the problem.
        let mut t = c.create_auto_task(&lib, Gather::TASK_ID).unwrap();
        let vi = t.add_input(&idx_s).unwrap();
        let e = t.add_image(vi, vi, legate_abi::ImageKind::Points).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{e}");
        let e = t.add_image(vi, client::Variable(7), legate_abi::ImageKind::Points).unwrap_err();
        assert!(e.message.contains("does not exist"), "{e}");
    }
}

#[test]
fn bloat_and_scale_constraints_shape_the_tiles() {
    for cpus in [1, 2, 4] {
        let (core, c) = client(cpus);
        let lib = library_of_partitions(&c);
        let n = 17usize;
        let x = iota(&c, &core, n);
        let y = c.create_store::<f64>(&[n]).unwrap();
        let mut t = c.create_auto_task(&lib, Stencil::TASK_ID).unwrap();
        let vx = t.add_input(&x).unwrap();
        let vh = t.add_input(&x).unwrap();
        let vy = t.add_output(&y).unwrap();
        t.add_alignment(vx, vy).unwrap();
        t.add_bloat(vy, vh, &[1], &[1]).unwrap();
        t.add_scalar(n as i64).unwrap();
        t.execute().unwrap();
        let want: Vec<f64> = (0..n as i64)
            .map(|i| [i - 1, i, i + 1].iter().filter(|&&j| j >= 0 && j < n as i64).map(|&j| j as f64).sum())
            .collect();
        assert_eq!(y.read::<f64>().unwrap(), want, "{cpus} cpus");

        let fine = iota(&c, &core, 2 * n);
        let coarse = c.create_store::<f64>(&[n]).unwrap();
        let mut t = c.create_auto_task(&lib, Restrict::TASK_ID).unwrap();
        let vf = t.add_input(&fine).unwrap();
        let vc = t.add_output(&coarse).unwrap();
        t.add_scale(vc, vf, &[2]).unwrap();
        t.execute().unwrap();
        assert_eq!(coarse.read::<f64>().unwrap(), (0..n).map(|i| (4 * i + 1) as f64).collect::<Vec<_>>());

        let mut t = c.create_auto_task(&lib, Stencil::TASK_ID).unwrap();
        let a = t.add_input(&x).unwrap();
        let b = t.add_input(&x).unwrap();
        assert_eq!(t.add_bloat(a, b, &[-1], &[1]).unwrap_err().kind, ErrorKind::InvalidArgument);
        assert_eq!(t.add_bloat(a, b, &[1], &[1, 1]).unwrap_err().kind, ErrorKind::InvalidArgument);
        assert_eq!(t.add_scale(a, b, &[0]).unwrap_err().kind, ErrorKind::InvalidArgument);
    }
}

#[test]
fn manual_partitions_with_projections() {
    let (core, c) = client(2);
    let lib = library_of_partitions(&c);
    let out = c.create_store::<f64>(&[10]).unwrap();
    let part = out.partition_by_tiling(&[3]).unwrap();
    assert_eq!(part.colors().unwrap(), vec![4]);
    let mut t = c.create_manual_task(&lib, Pieces::TASK_ID, &[4]).unwrap();
    t.add_output_partition(&part, None).unwrap();
    t.execute().unwrap();
    let want: Vec<f64> = (0..10).map(|i| (i / 3) as f64 + 100.0).collect();
    assert_eq!(out.read::<f64>().unwrap(), want);

    // A 2-d launch whose points read the piece named by launch dimension 1: each of the
    // 4 pieces is read by 3 points, so the sum is 3 * the sum of the store.
    let x = iota(&c, &core, 10);
    let xp = x.partition_by_tiling(&[3]).unwrap();
    let total = c.create_future(0.0f64).unwrap();
    let mut t = c.create_manual_task(&lib, Pieces::TASK_ID, &[3, 4]).unwrap();
    t.add_input_partition(&xp, Some(&[1])).unwrap();
    t.add_reduction(&total, ReductionOp::Add).unwrap();
    t.execute().unwrap();
    assert_eq!(total.read_scalar::<f64>().unwrap(), 3.0 * 45.0);
    drop(xp); // the launch keeps what it needs

    assert_eq!(x.partition_by_tiling(&[0]).unwrap_err().kind, ErrorKind::InvalidArgument);
    assert_eq!(x.partition_by_tiling(&[2, 2]).unwrap_err().kind, ErrorKind::InvalidArgument);
}

#[test]
fn partial_outputs_keep_what_the_task_leaves_alone() {
    for cpus in [1, 2, 4] {
        let (core, c) = client(cpus);
        let lib = library_of_partitions(&c);
        let x = iota(&c, &core, 9);
        let mut t = c.create_auto_task(&lib, NegateEvens::TASK_ID).unwrap();
        // An input and a partial output of one store, aligned: read-modify-write.
        let vi = t.add_input(&x).unwrap();
        let vo = t.add_partial_output(&x).unwrap();
        t.add_alignment(vi, vo).unwrap();
        t.execute().unwrap();
        let want: Vec<f64> = (0..9).map(|i| if i % 2 == 0 { -(i as f64) } else { i as f64 }).collect();
        assert_eq!(x.read::<f64>().unwrap(), want, "{cpus} cpus");
    }
}

#[test]
fn communicators_let_points_exchange_while_they_run() {
    // A launch with a communicator has one point per rank: one in one process (the
    // several-rank case runs under mpirun in tests/ranks). More points are refused.
    for cpus in [1, 2, 4] {
        let (_core, c) = client(cpus);
        let lib = library_of_partitions(&c);
        let out = c.create_store::<f64>(&[2]).unwrap();
        let part = out.partition_by_tiling(&[2]).unwrap();
        let mut t = c.create_manual_task(&lib, GatherPoints::TASK_ID, &[1]).unwrap();
        t.add_output_partition(&part, None).unwrap();
        t.add_communicator().unwrap();
        t.execute().unwrap();
        assert_eq!(out.read::<f64>().unwrap(), vec![0.0; 2], "{cpus} cpus");

        let out = c.create_store::<f64>(&[4]).unwrap();
        let part = out.partition_by_tiling(&[2]).unwrap();
        let mut t = c.create_manual_task(&lib, GatherPoints::TASK_ID, &[2]).unwrap();
        t.add_output_partition(&part, None).unwrap();
        t.add_communicator().unwrap();
        let e = t.execute().unwrap_err();
        assert!(e.message.contains("at most one point per rank"), "{e}");
    }
}

/// Another library's task under AddScalar's id: what a copy of a template library that
/// kept the template's name would register.
struct Impostor;
impl Task for Impostor {
    const TASK_ID: u32 = AddScalar::TASK_ID;
    const NAME: &'static str = "add_scalar";
    fn cpu(_ctx: &mut TaskContext) -> Result<(), TaskError> {
        Err(TaskError::new("the impostor ran"))
    }
}

#[test]
fn two_libraries_with_one_name_are_refused_not_mixed_up() {
    let (_core, c) = client(1);
    let lib = test_library(&c);
    // The same library registering its tasks again is harmless...
    let again = c.create_library("abi_client_tests").unwrap();
    assert_eq!(again.id(), lib.id());
    c.registrar(&again).unwrap().register::<AddScalar>().unwrap();
    // ...other code under a taken id is an error naming the library, the task and the fix.
    let e = c.registrar(&again).unwrap().register::<Impostor>().unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("abi_client_tests") && msg.contains("task id 1") && msg.contains("LIBRARY_NAME"), "{msg}");
}

#[test]
fn every_rank_learns_an_unbound_shape_the_same_way_however_early_its_producer_ran() {
    // Rank 0's program dawdles after the launch, so its part of the producer has long
    // finished when it asks for the shape; rank 1 asks at once. Whether asking waits
    // (and agrees with the other ranks) must follow program order, not timing: it once
    // agreed on rank 1 only, and the next agreement paired with another operation's
    // (`examples/gmg.py` under mpirun hung in R @ A @ P).
    use legate_core::replicate::InProcessTransport;
    use std::sync::Arc;
    use std::time::Duration;
    let world = InProcessTransport::world_with_timeout(2, Duration::from_secs(10));
    let ranks: Vec<_> = world
        .into_iter()
        .enumerate()
        .map(|(rank, t)| {
            std::thread::spawn(move || {
                let config = Config { cpus: 1, min_cpu_chunk: 1, ..Config::legate_defaults() };
                let core = Runtime::new_replicated(config, Arc::new(t)).expect("runtime starts");
                let c = client::Runtime::new(core.api_table()).expect("the table is usable");
                let lib = test_library(&c);
                let x = iota(&c, &core, 40);
                let mut shapes = Vec::new();
                for round in 0..3 {
                    let evens = c.create_unbound_store::<f64>(1).unwrap();
                    let mut t = c.create_auto_task(&lib, Evens::TASK_ID).unwrap();
                    t.add_input(&x).unwrap();
                    t.add_output(&evens).unwrap();
                    t.execute().unwrap();
                    if rank == round % 2 {
                        std::thread::sleep(Duration::from_millis(200));
                    }
                    // Not learnt until asked for, however long ago the producer finished.
                    assert_eq!(evens.info().unwrap().shape, None, "rank {rank}");
                    let n = evens.shape().unwrap();
                    // The next agreement pairs with the same operation on every rank.
                    let sum = c.create_store::<f64>(&n).unwrap();
                    let mut t = c.create_auto_task(&lib, AddScalar::TASK_ID).unwrap();
                    let (a, b) = (t.add_input(&evens).unwrap(), t.add_output(&sum).unwrap());
                    t.add_alignment(a, b).unwrap();
                    t.add_scalar(1.0f64).unwrap();
                    t.execute().unwrap();
                    shapes.push((n, sum.read::<f64>().unwrap()));
                }
                shapes
            })
        })
        .collect();
    let want: Vec<f64> = (0..40).filter(|i| i % 2 == 0).map(|i| i as f64 + 1.0).collect();
    for (rank, h) in ranks.into_iter().enumerate() {
        for (n, values) in h.join().expect("a rank panicked") {
            assert_eq!((n, &values), (vec![20], &want), "rank {rank}");
        }
    }
}
