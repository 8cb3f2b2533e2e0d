//! The hot paths of `legate_numeric`, dispatched without a Python layer per call:
//! operators and ufunc calls on arrays (and Python numbers) whose loop NumPy has
//! already resolved once, and basic indexing (`a[1:-1, 2]`, `a[...] = b`).
//!
//! The Python package resolves a ufunc's loop with NumPy's own rules the first time it
//! meets a combination of operand types, then calls [`remember_binary`] /
//! [`remember_unary`]. Later calls with the same operand types go straight from the
//! operator to the kernel launch here. Anything else (casts, broadcasting, `out=` of
//! another type, subclasses, NumPy scalars, ...) takes the Python path, which is the
//! reference for the semantics.

use crate::convert::IntoPy;
use crate::numeric::numeric;
use crate::store::PyStore;
use legate_core::{LogicalStore, Scalar, Type};
use legate_numeric::{BinaryOp, Operand, UnaryOp};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyEllipsis, PyFloat, PyInt, PySlice, PyTuple, PyType};
use pyo3::{ffi, intern};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Mutex;

/// `legate_numeric.ndarray`, registered by the package when it is imported, and the
/// byte offsets of its `__slots__` `_store` and `dtype` in an instance: the fast paths
/// read and write them directly (an attribute lookup per operand costs more than the
/// rest of the call's Python side).
struct ArrayType {
    cls: Py<PyType>,
    store: isize,
    dtype: isize,
}

static ARRAY_TYPE: PyOnceLock<ArrayType> = PyOnceLock::new();

/// The instance offset of the `__slots__` member `name` of `cls`. The limited API
/// (abi3) does not show a member descriptor's offset, so it is found the way it is
/// used: set the slot of a bare instance to a fresh object and look for that pointer
/// in the instance's `__basicsize__` bytes (exactly one place must hold it).
fn slot_offset(cls: &Bound<'_, PyType>, name: &str) -> PyResult<isize> {
    let py = cls.py();
    let descr = cls.getattr(name)?;
    if descr.get_type().name()?.to_str()? != "member_descriptor" {
        return Err(PyValueError::new_err(format!("ndarray.{name} is not a slot")));
    }
    let object = py.get_type::<pyo3::types::PyAny>();
    let instance = object.call_method1(intern!(py, "__new__"), (cls,))?;
    let marker = object.call0()?;
    descr.call_method1(intern!(py, "__set__"), (&instance, &marker))?;
    let size: isize = cls.getattr(intern!(py, "__basicsize__"))?.extract()?;
    let word = std::mem::size_of::<*mut ffi::PyObject>() as isize;
    let base = instance.as_ptr() as *const u8;
    // SAFETY: reads of pointer-sized words inside the instance's basic size (past its
    // header), which CPython allocated and initialized.
    let found: Vec<isize> = (std::mem::size_of::<ffi::PyObject>() as isize..=size - word)
        .step_by(word as usize)
        .filter(|&off| unsafe { *base.offset(off).cast::<*mut ffi::PyObject>() } == marker.as_ptr())
        .collect();
    match found[..] {
        [offset] => Ok(offset),
        _ => Err(PyValueError::new_err(format!("ndarray.{name}: cannot locate the slot in an instance"))),
    }
}

impl ArrayType {
    /// The object in slot `offset` of `obj` (an instance of exactly `cls`), if set.
    fn get<'py>(&self, obj: &Bound<'py, PyAny>, offset: isize) -> Option<Bound<'py, PyAny>> {
        // SAFETY: `obj`'s type is `cls`, whose instances have an object slot there
        // (NULL while unset); the result is a new reference.
        unsafe { Bound::from_borrowed_ptr_or_opt(obj.py(), *(obj.as_ptr() as *mut u8).offset(offset).cast::<*mut ffi::PyObject>()) }
    }

    /// Sets the slots of a new instance of `cls` (both unset).
    fn init(&self, obj: &Bound<'_, PyAny>, store: Bound<'_, PyAny>, dtype: &Py<PyAny>) {
        let base = obj.as_ptr() as *mut u8;
        // SAFETY: `obj` was just allocated as a `cls` (slots NULL); each slot takes a
        // reference of its own.
        unsafe {
            *base.offset(self.store).cast::<*mut ffi::PyObject>() = store.into_ptr();
            *base.offset(self.dtype).cast::<*mut ffi::PyObject>() = dtype.clone_ref(obj.py()).into_ptr();
        }
    }
}

/// A resolved loop. The key objects are kept alive so their addresses stay unique.
struct Loop<Op> {
    op: Op,
    ty: Type,
    out_ty: Type,
    out_dtype: Py<PyAny>,
    _keys: Vec<Py<PyAny>>,
}

/// Keyed by object addresses (FxHash: SipHash costs more than the lookup is worth here).
type Cache<Op> = Mutex<HashMap<(usize, usize, usize), std::sync::Arc<Loop<Op>>>>;

static BINARY: std::sync::LazyLock<Cache<BinaryOp>> = std::sync::LazyLock::new(Default::default);
static UNARY: std::sync::LazyLock<Cache<UnaryOp>> = std::sync::LazyLock::new(Default::default);

/// An operand as the fast path sees it.
enum Arg {
    Array { store: LogicalStore, dtype: usize },
    Float(f64),
    Int(i64),
}

impl Arg {
    /// `None` when the operand needs the Python path.
    fn of(obj: &Bound<'_, PyAny>, at: &ArrayType) -> Option<Arg> {
        if obj.get_type().is(at.cls.bind(obj.py())) {
            let store = at.get(obj, at.store)?;
            let store = store.cast::<PyStore>().ok()?.get().inner.clone();
            let dtype = at.get(obj, at.dtype)?.as_ptr() as usize;
            return Some(Arg::Array { store, dtype });
        }
        if obj.is_exact_instance_of::<PyFloat>() {
            return obj.extract::<f64>().ok().map(Arg::Float);
        }
        if obj.is_exact_instance_of::<PyInt>() {
            return obj.extract::<i64>().ok().map(Arg::Int);
        }
        None
    }

    /// The cache key: the array's dtype object, or the Python type of a number.
    fn key(&self, py: Python<'_>) -> usize {
        match self {
            Arg::Array { dtype, .. } => *dtype,
            Arg::Float(_) => py.get_type::<PyFloat>().as_ptr() as usize,
            Arg::Int(_) => py.get_type::<PyInt>().as_ptr() as usize,
        }
    }

    /// The operand for a loop on `ty`, or `None` if a number does not fit it exactly
    /// as NumPy would convert it (the Python path then raises or converts).
    fn operand(&self, ty: &Type) -> Option<Operand<'_>> {
        Some(match self {
            Arg::Array { store, .. } => Operand::Store(store),
            Arg::Float(v) => Operand::Scalar(match ty {
                Type::Float64 => Scalar::new(*v),
                Type::Float32 => Scalar::new(*v as f32),
                Type::Complex128 => Scalar::new(num_complex::Complex64::new(*v, 0.0)),
                _ => return None,
            }),
            Arg::Int(v) => Operand::Scalar(int_scalar(*v, ty)?),
        })
    }

    fn store(&self) -> Option<&LogicalStore> {
        match self {
            Arg::Array { store, .. } => Some(store),
            _ => None,
        }
    }
}

/// A Python int as a scalar of `ty` when it is in range (NumPy 2 raises otherwise).
fn int_scalar(v: i64, ty: &Type) -> Option<Scalar> {
    Some(match ty {
        Type::Int8 => Scalar::new(i8::try_from(v).ok()?),
        Type::Int16 => Scalar::new(i16::try_from(v).ok()?),
        Type::Int32 => Scalar::new(i32::try_from(v).ok()?),
        Type::Int64 => Scalar::new(v),
        Type::UInt8 => Scalar::new(u8::try_from(v).ok()?),
        Type::UInt16 => Scalar::new(u16::try_from(v).ok()?),
        Type::UInt32 => Scalar::new(u32::try_from(v).ok()?),
        Type::UInt64 => Scalar::new(u64::try_from(v).ok()?),
        // Exactly representable: the conversion NumPy does gives the same value.
        Type::Float64 if v.unsigned_abs() <= 1 << 53 => Scalar::new(v as f64),
        Type::Float32 if v.unsigned_abs() <= 1 << 24 => Scalar::new(v as f32),
        _ => return None,
    })
}

fn array_type(py: Python<'_>) -> Option<&ArrayType> {
    ARRAY_TYPE.get(py)
}

/// A new `ndarray` around `store` (what `ndarray._wrap` does, without a Python frame).
fn wrap<'py>(py: Python<'py>, at: &ArrayType, store: LogicalStore, dtype: &Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let store = Bound::new(py, PyStore::new(store))?.into_any();
    // SAFETY: `cls` is a heap type defined in Python with `__slots__`; the generic
    // allocator is what `object.__new__` uses for it. The result is a new reference.
    let obj = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_GenericAlloc(at.cls.as_ptr() as *mut ffi::PyTypeObject, 0))? };
    at.init(&obj, store, dtype);
    // Its slots hold a Store and a dtype, neither of which can refer back to it: it is
    // never part of a cycle, so the cyclic GC need not traverse the many arrays a loop
    // of small operations creates (NumPy's arrays are untracked too).
    // SAFETY: a tracked GC object (heap types are GC types), fully initialized.
    unsafe { ffi::PyObject_GC_UnTrack(obj.as_ptr() as *mut std::ffi::c_void) };
    Ok(obj)
}

/// `ndarray` for the fast paths.
#[pyfunction]
fn set_array_type(py: Python<'_>, cls: Bound<'_, PyType>) -> PyResult<()> {
    let at = ArrayType { store: slot_offset(&cls, "_store")?, dtype: slot_offset(&cls, "dtype")?, cls: cls.unbind() };
    ARRAY_TYPE.set(py, at).map_err(|_| PyValueError::new_err("the array type is already set"))
}

/// Stores the loop of `uf` for the operand keys `keys` (dtypes, or `float`/`int`).
fn remember<Op>(
    cache: &Cache<Op>,
    from_name: fn(&str) -> Option<Op>,
    uf: &Bound<'_, PyAny>,
    keys: &[&Bound<'_, PyAny>],
    ty: &str,
    out_dtype: &Bound<'_, PyAny>,
    out: &str,
) -> PyResult<()> {
    let name: String = uf.getattr(intern!(uf.py(), "__name__"))?.extract()?;
    let op = from_name(&name).ok_or_else(|| PyValueError::new_err(format!("no native ufunc named '{name}'")))?;
    let entry = Loop {
        op,
        ty: crate::convert::dtype(ty)?,
        out_ty: crate::convert::dtype(out)?,
        out_dtype: out_dtype.clone().unbind(),
        _keys: std::iter::once(uf).chain(keys.iter().copied()).map(|k| k.clone().unbind()).collect(),
    };
    let ptr = |i: usize| keys.get(i).map_or(0, |k| k.as_ptr() as usize);
    let key = (uf.as_ptr() as usize, ptr(0), ptr(1));
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, std::sync::Arc::new(entry));
    Ok(())
}

/// Records that `uf(a, b)` with operand keys `ka`, `kb` (dtypes, or `float`/`int`)
/// runs the loop `ty` -> `out_dtype` with no cast of array operands.
#[pyfunction]
fn remember_binary(uf: &Bound<'_, PyAny>, ka: &Bound<'_, PyAny>, kb: &Bound<'_, PyAny>, ty: &str, out_dtype: &Bound<'_, PyAny>, out: &str) -> PyResult<()> {
    remember(&BINARY, BinaryOp::from_name, uf, &[ka, kb], ty, out_dtype, out)
}

/// Records that `uf(a)` for dtype `ka` runs the loop `ty` -> `out_dtype` (`ka` is `ty`).
#[pyfunction]
fn remember_unary(uf: &Bound<'_, PyAny>, ka: &Bound<'_, PyAny>, ty: &str, out_dtype: &Bound<'_, PyAny>, out: &str) -> PyResult<()> {
    remember(&UNARY, UnaryOp::from_name, uf, &[ka], ty, out_dtype, out)
}

/// Whether `out` can take the result in place: an array of the loop's output dtype and
/// the operation's shape that no operand overlaps except as the very same view.
fn in_place_ok(out: &Arg, out_dtype: &Py<PyAny>, shape_of: &LogicalStore, operands: &[&Arg]) -> bool {
    let Arg::Array { store, dtype } = out else { return false };
    if *dtype != out_dtype.as_ptr() as usize || !store.same_shape(shape_of) {
        return false;
    }
    operands.iter().filter_map(|a| a.store()).all(|s| !s.same_storage(store) || (s.map() == store.map() && s.same_shape(store)))
}

/// `uf(a, b)` (or `uf(a, b, out=out)`): launched directly when the loop is known and
/// no cast or broadcast is needed, else through `uf._call` (the Python path).
#[pyfunction]
#[pyo3(signature = (uf, a, b, out=None))]
fn binary<'py>(uf: &Bound<'py, PyAny>, a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>, out: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let py = uf.py();
    if let Some(result) = try_binary(uf, a, b, out)? {
        return Ok(result);
    }
    match out {
        None => uf.call_method1(intern!(py, "_call"), (a, b)),
        Some(o) => uf.call_method1(intern!(py, "_call"), (a, b, o)),
    }
}

fn try_binary<'py>(uf: &Bound<'py, PyAny>, a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>, out: Option<&Bound<'py, PyAny>>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = uf.py();
    let Some(cls) = array_type(py) else { return Ok(None) };
    let (Some(x), Some(y)) = (Arg::of(a, cls), Arg::of(b, cls)) else { return Ok(None) };
    let key = (uf.as_ptr() as usize, x.key(py), y.key(py));
    let Some(l) = BINARY.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned() else { return Ok(None) };
    // The operation's shape (an operand's: no broadcasting here).
    let shape_of = match (x.store(), y.store()) {
        (Some(s), Some(t)) if s.same_shape(t) => s,
        (Some(s), None) | (None, Some(s)) => s,
        _ => return Ok(None),
    };
    let (Some(xa), Some(ya)) = (x.operand(&l.ty), y.operand(&l.ty)) else { return Ok(None) };
    let n = numeric()?;
    match out {
        None => {
            let result = match shape_of.shape_ref() {
                Some(shape) => n.create_result(&l.out_ty, shape),
                None => n.create_result(&l.out_ty, &shape_of.shape()),
            }
            .py()?;
            n.binary(l.op, xa, ya, &result).py()?;
            crate::numeric::report_fp(py)?;
            Ok(Some(wrap(py, cls, result, &l.out_dtype)?))
        }
        Some(o) => {
            let Some(target) = Arg::of(o, cls) else { return Ok(None) };
            if !in_place_ok(&target, &l.out_dtype, shape_of, &[&x, &y]) {
                return Ok(None);
            }
            n.binary(l.op, xa, ya, target.store().expect("an array")).py()?;
            crate::numeric::report_fp(py)?;
            Ok(Some(o.clone()))
        }
    }
}

/// `uf(a)`: launched directly when the loop for `a`'s dtype is known, else through
/// `uf._call` (the Python path).
#[pyfunction]
fn unary<'py>(uf: &Bound<'py, PyAny>, a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = uf.py();
    if let Some(cls) = array_type(py) {
        if let Some(x @ Arg::Array { .. }) = Arg::of(a, cls) {
            let key = (uf.as_ptr() as usize, x.key(py), 0);
            let hit = UNARY.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
            if let (Some(l), Some(store)) = (hit, x.store()) {
                let n = numeric()?;
                let result = n.create_result(&l.out_ty, &store.shape()).py()?;
                n.unary(l.op, store, &result).py()?;
                crate::numeric::report_fp(py)?;
                return wrap(py, cls, result, &l.out_dtype);
            }
        }
    }
    uf.call_method1(intern!(py, "_call"), (a,))
}

/// An optional Python int (`None` for a missing slice bound); `Err` for anything else.
fn opt_int(v: &Bound<'_, PyAny>) -> Result<Option<i64>, ()> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_exact_instance_of::<PyInt>() {
        return v.extract::<i64>().map(Some).map_err(|_| ());
    }
    Err(())
}

/// The view a basic index (ints, slices, `...`, `None`, or a tuple of them) selects,
/// or `None` when the key needs the Python path: arrays, bools, lists, NumPy scalars,
/// anything out of range or malformed (where Python raises NumPy's error).
fn basic_view(store: &LogicalStore, key: &Bound<'_, PyAny>) -> Option<LogicalStore> {
    let items: smallvec::SmallVec<[Bound<'_, PyAny>; 4]> = match key.cast::<PyTuple>() {
        Ok(t) => t.iter().collect(),
        Err(_) => smallvec::smallvec![key.clone()],
    };
    let ellipses = items.iter().filter(|k| k.is_instance_of::<PyEllipsis>()).count();
    let consumed = items.iter().filter(|k| !k.is_none() && !k.is_instance_of::<PyEllipsis>()).count();
    let ndim = store.ndim();
    if ellipses > 1 || consumed > ndim {
        return None;
    }
    let mut view = store.clone();
    let mut dim = 0;
    for k in &items {
        if k.is_none() {
            view = view.promote(dim, 1).ok()?;
            dim += 1;
        } else if k.is_instance_of::<PyEllipsis>() {
            dim += ndim - consumed;
        } else if let Ok(s) = k.cast::<PySlice>() {
            let py = k.py();
            let start = opt_int(&s.getattr(intern!(py, "start")).ok()?).ok()?;
            let stop = opt_int(&s.getattr(intern!(py, "stop")).ok()?).ok()?;
            let step = opt_int(&s.getattr(intern!(py, "step")).ok()?).ok()?.unwrap_or(1);
            view = view.slice(dim, start, stop, step).ok()?;
            dim += 1;
        } else if k.is_exact_instance_of::<PyInt>() {
            let i = k.extract::<i64>().ok()?;
            let n = view.shape()[dim];
            if !(-n..n).contains(&i) {
                return None;
            }
            view = view.project(dim, if i < 0 { i + n } else { i }).ok()?;
        } else {
            return None;
        }
    }
    Some(view)
}

/// `a[key]` for a basic index that leaves at least one dimension: the view, made in
/// Rust; anything else through `a._getitem`.
#[pyfunction]
fn getitem<'py>(a: &Bound<'py, PyAny>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    if let Some(at) = array_type(py) {
        if let Some(Arg::Array { store, .. }) = Arg::of(a, at) {
            if let Some(view) = basic_view(&store, key).filter(|v| v.ndim() > 0) {
                if let Some(dtype) = at.get(a, at.dtype) {
                    return wrap(py, at, view, &dtype.unbind());
                }
            }
        }
    }
    a.call_method1(intern!(py, "_getitem"), (key,))
}

/// `a[key] = value` for a basic index, with `value` an array of `a`'s dtype and the
/// view's shape (one copy; overlapping views copy as NumPy does) or a Python number a
/// float64/int64 array stores exactly (one fill); else `a._setitem`.
#[pyfunction]
fn setitem(a: &Bound<'_, PyAny>, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = a.py();
    if let Some(cls) = array_type(py) {
        if let Some(Arg::Array { store, dtype }) = Arg::of(a, cls) {
            if let Some(dst) = basic_view(&store, key) {
                let n = numeric()?;
                let rt = n.runtime();
                match Arg::of(value, cls) {
                    Some(Arg::Array { store: src, dtype: src_dtype }) if src_dtype == dtype && src.same_shape(&dst) => {
                        // Fused with the elementwise operations that computed `src`.
                        return n.copy(&dst, &src).py();
                    }
                    Some(v @ (Arg::Float(_) | Arg::Int(_))) if matches!(dst.ty(), Type::Float64 | Type::Int64) => {
                        if let Some(Operand::Scalar(s)) = v.operand(dst.ty()) {
                            return rt.issue_fill(&dst, s).py();
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    a.call_method1(intern!(py, "_setitem"), (key, value)).map(|_| ())
}

/// What an operator of `ndarray` does with its receiver and arguments.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OperatorKind {
    /// `uf(self, other)`.
    Forward,
    /// `uf(other, self)` (`__radd__`, ...).
    Reflected,
    /// `uf(self, other, out=self)` (`__iadd__`, ...).
    InPlace,
    /// `uf(self)` (`__neg__`, ...).
    Unary,
    GetItem,
    SetItem,
}

/// One operator installed by [`install_operator`]: its ufunc (None for indexing) and
/// the Python function that does the same when the fast path declines.
struct Operator {
    kind: OperatorKind,
    uf: Option<Py<PyAny>>,
    fallback: Py<PyAny>,
}

/// How many operators can be installed (`ndarray` has 46).
const OPERATORS: usize = 64;

static INSTALLED: [PyOnceLock<Operator>; OPERATORS] = [const { PyOnceLock::new() }; OPERATORS];
static NEXT_OPERATOR: Mutex<usize> = Mutex::new(0);

type FastCall = unsafe extern "C" fn(*mut ffi::PyObject, *mut *mut ffi::PyObject, ffi::Py_ssize_t) -> *mut ffi::PyObject;

/// The C function of operator `I`: a method descriptor's function gets no data of its
/// own, so each operator has its own instance of this function.
unsafe extern "C" fn operator<const I: usize>(slf: *mut ffi::PyObject, args: *mut *mut ffi::PyObject, nargs: ffi::Py_ssize_t) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a METH_FASTCALL method with the GIL held, a receiver and
    // `nargs` borrowed arguments.
    unsafe { call_operator(I, slf, args, nargs) }
}

macro_rules! operator_table {
    ($($i:literal)*) => { [$(operator::<$i> as FastCall),*] };
}

const OPERATOR_FNS: [FastCall; OPERATORS] = operator_table!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63);

/// Runs operator `i` (see [`operator`]): errors and panics become Python exceptions.
unsafe fn call_operator(i: usize, slf: *mut ffi::PyObject, args: *const *mut ffi::PyObject, nargs: ffi::Py_ssize_t) -> *mut ffi::PyObject {
    // SAFETY: called by CPython with the GIL held (see `operator`).
    let py = unsafe { Python::assume_attached() };
    let run = || -> PyResult<Bound<'_, PyAny>> {
        let op = INSTALLED[i].get(py).ok_or_else(|| PyValueError::new_err("operator not installed"))?;
        // SAFETY: borrowed references CPython keeps alive for the call.
        let slf = unsafe { Bound::from_borrowed_ptr(py, slf) };
        let n = nargs.max(0) as usize;
        // SAFETY: the `n` arguments are borrowed references alive for the call.
        let arg = |k: usize| unsafe { Bound::from_borrowed_ptr(py, *args.add(k)) };
        let uf = op.uf.as_ref().map(|u| u.bind(py));
        match (op.kind, uf, n) {
            (OperatorKind::Forward, Some(uf), 1) => {
                if let Some(r) = try_binary(uf, &slf, &arg(0), None)? {
                    return Ok(r);
                }
            }
            (OperatorKind::Reflected, Some(uf), 1) => {
                if let Some(r) = try_binary(uf, &arg(0), &slf, None)? {
                    return Ok(r);
                }
            }
            (OperatorKind::InPlace, Some(uf), 1) => {
                if let Some(r) = try_binary(uf, &slf, &arg(0), Some(&slf))? {
                    return Ok(r);
                }
            }
            (OperatorKind::Unary, Some(uf), 0) => return unary(uf, &slf),
            (OperatorKind::GetItem, _, 1) => return getitem(&slf, &arg(0)),
            (OperatorKind::SetItem, _, 2) => return setitem(&slf, &arg(0), &arg(1)).map(|()| py.None().into_bound(py)),
            _ => {}
        }
        // Anything else (and wrong argument counts, which it reports): the Python version.
        let all = PyTuple::new(py, std::iter::once(slf).chain((0..n).map(arg)).collect::<Vec<_>>())?;
        op.fallback.bind(py).call1(all)
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| Err(pyo3::panic::PanicException::new_err("a legate_numeric operator panicked")));
    match result {
        Ok(r) => r.into_ptr(),
        Err(e) => {
            e.restore(py);
            std::ptr::null_mut()
        }
    }
}

/// Installs `cls.name` as a method descriptor running `kind` of `uf` in Rust, and
/// `fallback` (a Python function of the same arguments) where the fast path declines.
/// CPython calls a method descriptor from an operator slot without a Python frame or
/// a bound method: a tiny `x + y` then costs no Python bytecode at all.
#[pyfunction]
fn install_operator(cls: &Bound<'_, PyType>, name: &str, uf: Option<Bound<'_, PyAny>>, kind: &str, fallback: Bound<'_, PyAny>) -> PyResult<()> {
    let py = cls.py();
    let kind = match kind {
        "forward" => OperatorKind::Forward,
        "reflected" => OperatorKind::Reflected,
        "inplace" => OperatorKind::InPlace,
        "unary" => OperatorKind::Unary,
        "getitem" => OperatorKind::GetItem,
        "setitem" => OperatorKind::SetItem,
        _ => return Err(PyValueError::new_err(format!("unknown operator kind '{kind}'"))),
    };
    if kind != OperatorKind::GetItem && kind != OperatorKind::SetItem && uf.is_none() {
        return Err(PyValueError::new_err(format!("operator {name} needs a ufunc")));
    }
    let i = {
        let mut next = NEXT_OPERATOR.lock().unwrap_or_else(|e| e.into_inner());
        if *next >= OPERATORS {
            return Err(PyValueError::new_err(format!("at most {OPERATORS} operators can be installed")));
        }
        *next += 1;
        *next - 1
    };
    let op = Operator { kind, uf: uf.map(Bound::unbind), fallback: fallback.unbind() };
    if INSTALLED[i].set(py, op).is_err() {
        return Err(PyValueError::new_err("operator slot already taken"));
    }
    // The definition lives as long as the descriptor, which the class keeps: for good.
    let cname: &'static std::ffi::CStr = Box::leak(std::ffi::CString::new(name)?.into_boxed_c_str());
    let def = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: cname.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunctionFast: OPERATOR_FNS[i] },
        ml_flags: ffi::METH_FASTCALL,
        ml_doc: std::ptr::null(),
    }));
    // SAFETY: `cls` is a type object and `def` a static method definition; the result
    // is a new reference (or NULL with an exception set).
    let descr = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyDescr_NewMethod(cls.as_ptr() as *mut ffi::PyTypeObject, def))? };
    cls.setattr(name, descr)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let fast = PyModule::new(m.py(), "fast")?;
    fast.add_function(wrap_pyfunction!(set_array_type, &fast)?)?;
    fast.add_function(wrap_pyfunction!(remember_binary, &fast)?)?;
    fast.add_function(wrap_pyfunction!(remember_unary, &fast)?)?;
    fast.add_function(wrap_pyfunction!(binary, &fast)?)?;
    fast.add_function(wrap_pyfunction!(unary, &fast)?)?;
    fast.add_function(wrap_pyfunction!(getitem, &fast)?)?;
    fast.add_function(wrap_pyfunction!(setitem, &fast)?)?;
    fast.add_function(wrap_pyfunction!(install_operator, &fast)?)?;
    m.add_submodule(&fast)?;
    m.add("fast", fast)?;
    Ok(())
}
