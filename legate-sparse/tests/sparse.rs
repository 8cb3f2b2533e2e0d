//! legate-sparse against sequential references: random CSR matrices (empty shapes,
//! empty rows, duplicate and unsorted column indices, explicit zeros) for every value
//! type, on 1, 2 and 4 processors and on OMP groups.
//!
//! Values are small integers (real and imaginary parts), so every sum is exact
//! whatever order a partitioning adds in: results compare with `==`, and cancellations
//! to an exact zero (which SpGEMM must drop) happen often.

use legate_core::{Config, Runtime};
use legate_sparse::tasks::Value;
use legate_sparse::{CsrMatrix, ErrorKind, SparseLibrary, Store};
use num_complex::{Complex32, Complex64};
use std::collections::BTreeMap;

/// A private runtime of `cpus` CPUs (and `omps` OMP groups of 2 threads). A minimum
/// chunk of 2 splits even tiny stores.
fn runtime(cpus: usize, omps: usize) -> Runtime {
    let config = Config { cpus, omps, ompthreads: 2, min_cpu_chunk: 2, min_omp_chunk: 2, ..Config::legate_defaults() };
    Runtime::new(config).expect("runtime starts")
}

struct Machine {
    label: String,
    rt: Runtime,
    lib: SparseLibrary,
}

fn machines() -> Vec<Machine> {
    let mut shapes: Vec<(String, usize, usize)> = [1, 2, 4].into_iter().map(|k| (format!("{k} cpus"), k, 0)).collect();
    shapes.push(("2 omps x 2 threads".into(), 1, 2));
    shapes
        .into_iter()
        .map(|(label, cpus, omps)| {
            let rt = runtime(cpus, omps);
            let lib = SparseLibrary::register(rt.api_table()).expect("registers");
            Machine { label, rt, lib }
        })
        .collect()
}

impl Machine {
    /// A store holding `data`, made by the hosting runtime and handed to the library's
    /// client as a table handle (the way Python passes stores to the extension).
    fn upload<T: legate_core::Element>(&self, shape: &[usize], data: &[T]) -> Store {
        let store = self.rt.create_store_from(shape, data).expect("store from data");
        let handle = legate_core::ffi::store_into_handle(store);
        // SAFETY: a fresh handle of this runtime whose reference we pass on.
        unsafe { self.lib.runtime().store_from_raw(handle) }.expect("handle")
    }
}

/// A tiny deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn small(&mut self) -> i64 {
        self.below(7) as i64 - 3
    }
}

/// The value types, made from small integers.
trait Sample: Value {
    fn from_parts(re: i64, im: i64) -> Self;
}

impl Sample for f32 {
    fn from_parts(re: i64, _: i64) -> Self {
        re as f32
    }
}
impl Sample for f64 {
    fn from_parts(re: i64, _: i64) -> Self {
        re as f64
    }
}
impl Sample for Complex32 {
    fn from_parts(re: i64, im: i64) -> Self {
        Complex32::new(re as f32, im as f32)
    }
}
impl Sample for Complex64 {
    fn from_parts(re: i64, im: i64) -> Self {
        Complex64::new(re as f64, im as f64)
    }
}

/// A CSR matrix on the host: SciPy's three arrays.
#[derive(Clone, Debug)]
struct HostCsr<V> {
    nrows: usize,
    ncols: usize,
    indptr: Vec<i64>,
    crd: Vec<i64>,
    vals: Vec<V>,
}

impl<V: Sample> HostCsr<V> {
    /// Random rows of 0 to `max_row` entries (empty rows common), columns drawn with
    /// repeats and in no order, values including zeros.
    fn random(rng: &mut Rng, nrows: usize, ncols: usize, max_row: usize) -> HostCsr<V> {
        let mut indptr = vec![0i64];
        let (mut crd, mut vals) = (Vec::new(), Vec::new());
        for _ in 0..nrows {
            let len = if ncols == 0 || rng.below(4) == 0 { 0 } else { rng.below(max_row + 1) };
            for _ in 0..len {
                crd.push(rng.below(ncols) as i64);
                vals.push(V::from_parts(rng.small(), rng.small()));
            }
            indptr.push(crd.len() as i64);
        }
        HostCsr { nrows, ncols, indptr, crd, vals }
    }

    fn row(&self, i: usize) -> impl Iterator<Item = (usize, V)> + '_ {
        let (s, e) = (self.indptr[i] as usize, self.indptr[i + 1] as usize);
        self.crd[s..e].iter().zip(&self.vals[s..e]).map(|(&c, &v)| (c as usize, v))
    }

    fn dense(&self) -> Vec<V> {
        let mut out = vec![V::ZERO; self.nrows * self.ncols];
        for i in 0..self.nrows {
            for (j, v) in self.row(i) {
                out[i * self.ncols + j] += v;
            }
        }
        out
    }

    fn spmv(&self, x: &[V]) -> Vec<V> {
        (0..self.nrows)
            .map(|i| {
                let mut acc = V::ZERO;
                for (j, v) in self.row(i) {
                    acc += v * x[j];
                }
                acc
            })
            .collect()
    }

    fn spmm(&self, x: &[V], k: usize) -> Vec<V> {
        let mut out = vec![V::ZERO; self.nrows * k];
        for i in 0..self.nrows {
            for (j, v) in self.row(i) {
                for c in 0..k {
                    out[i * k + c] += v * x[j * k + c];
                }
            }
        }
        out
    }

    /// `self @ b` as SciPy's `csr_matmat` gives it: summed, exact zeros dropped, each
    /// row's columns in reverse order of their first appearance.
    fn spgemm(&self, b: &HostCsr<V>) -> HostCsr<V> {
        let mut indptr = vec![0i64];
        let (mut crd, mut vals) = (Vec::new(), Vec::new());
        for i in 0..self.nrows {
            let mut place: BTreeMap<usize, usize> = BTreeMap::new();
            let mut row: Vec<(usize, V)> = Vec::new();
            for (k, av) in self.row(i) {
                for (j, bv) in b.row(k) {
                    let p = *place.entry(j).or_insert_with(|| {
                        row.push((j, V::ZERO));
                        row.len() - 1
                    });
                    row[p].1 += av * bv;
                }
            }
            for (j, v) in row.into_iter().rev().filter(|(_, v)| *v != V::ZERO) {
                crd.push(j as i64);
                vals.push(v);
            }
            indptr.push(crd.len() as i64);
        }
        HostCsr { nrows: self.nrows, ncols: b.ncols, indptr, crd, vals }
    }
}

fn load<V: Sample>(m: &Machine, a: &HostCsr<V>) -> CsrMatrix {
    let indptr = m.upload(&[a.indptr.len()], &a.indptr);
    let crd = m.upload(&[a.crd.len()], &a.crd);
    let vals = m.upload(&[a.vals.len()], &a.vals);
    m.lib.csr_from_indptr(&indptr, &crd, &vals, a.ncols).expect("csr")
}

/// [`load`] with int32 `indptr` and indices.
fn load32<V: Sample>(m: &Machine, a: &HostCsr<V>) -> CsrMatrix {
    let narrow = |v: &[i64]| v.iter().map(|&i| i32::try_from(i).unwrap()).collect::<Vec<i32>>();
    let indptr = m.upload(&[a.indptr.len()], &narrow(&a.indptr));
    let crd = m.upload(&[a.crd.len()], &narrow(&a.crd));
    let vals = m.upload(&[a.vals.len()], &a.vals);
    m.lib.csr_from_indptr(&indptr, &crd, &vals, a.ncols).expect("csr int32")
}

/// Shapes around the processor counts, with empty ones.
const SHAPES: [(usize, usize); 9] = [(0, 0), (0, 3), (3, 0), (1, 1), (5, 7), (7, 5), (16, 16), (33, 20), (200, 150)];

fn check_products<V: Sample>(seed: u64) {
    for m in machines() {
        let mut rng = Rng(seed);
        for (nrows, ncols) in SHAPES {
            let a = HostCsr::<V>::random(&mut rng, nrows, ncols, 6);
            let ctx = format!("{}x{} {} on {}", nrows, ncols, std::any::type_name::<V>(), m.label);
            let csr = load(&m, &a);

            let x: Vec<V> = (0..ncols).map(|_| V::from_parts(rng.small(), rng.small())).collect();
            let y = m.lib.spmv(&csr, &m.upload(&[ncols], &x)).expect("spmv");
            assert_eq!(y.read::<V>().unwrap(), a.spmv(&x), "spmv {ctx}");

            for k in [0, 1, 3] {
                let xs: Vec<V> = (0..ncols * k).map(|_| V::from_parts(rng.small(), rng.small())).collect();
                let ys = m.lib.spmm(&csr, &m.upload(&[ncols, k], &xs)).expect("spmm");
                assert_eq!(ys.shape().unwrap(), vec![nrows, k], "spmm shape {ctx}");
                assert_eq!(ys.read::<V>().unwrap(), a.spmm(&xs, k), "spmm k={k} {ctx}");
            }

            let dense = m.lib.todense(&csr).expect("todense");
            assert_eq!(dense.shape().unwrap(), vec![nrows, ncols], "todense shape {ctx}");
            assert_eq!(dense.read::<V>().unwrap(), a.dense(), "todense {ctx}");

            // The same matrix with int32 indptr and indices (SciPy's usual dtype).
            let csr32 = load32(&m, &a);
            assert!(csr32.cols.is_some(), "int32 indices come with column ranges");
            let y = m.lib.spmv(&csr32, &m.upload(&[ncols], &x)).expect("spmv int32");
            assert_eq!(y.read::<V>().unwrap(), a.spmv(&x), "spmv int32 {ctx}");
            // Read by the rows' patterns (random rows: nearly one pattern a row, under
            // 255 a block), with int64 and int32 indices, and with `x^H y`.
            for base in [&csr, &csr32] {
                let mut p = base.clone();
                p.patterns = Some(m.lib.row_patterns(&p.pos, &p.crd).expect("row_patterns"));
                if p.cols.is_none() {
                    p.cols = Some(m.lib.column_ranges(&p.pos, &p.crd).expect("column_ranges"));
                }
                let xd = m.upload(&[ncols], &x);
                assert_eq!(m.lib.spmv(&p, &xd).unwrap().read::<V>().unwrap(), a.spmv(&x), "spmv by patterns {ctx}");
                if nrows == ncols && nrows > 0 {
                    let y = m.upload(&[nrows], &vec![V::ZERO; nrows]);
                    let d = m.lib.spmv_dot(&p, &xd, &y).unwrap().read::<V>().unwrap();
                    let d0 = m.lib.spmv_dot(base, &xd, &y).unwrap().read::<V>().unwrap();
                    assert_eq!(y.read::<V>().unwrap(), a.spmv(&x), "spmv_dot by patterns {ctx}");
                    assert_eq!(d, d0, "x^H y by patterns {ctx}");
                }
            }
            let xs: Vec<V> = (0..ncols * 2).map(|_| V::from_parts(rng.small(), rng.small())).collect();
            let ys = m.lib.spmm(&csr32, &m.upload(&[ncols, 2], &xs)).expect("spmm int32");
            assert_eq!(ys.read::<V>().unwrap(), a.spmm(&xs, 2), "spmm int32 {ctx}");
            assert_eq!(m.lib.todense(&csr32).unwrap().read::<V>().unwrap(), a.dense(), "todense int32 {ctx}");

            for inner in [0, 4, ncols] {
                let b = HostCsr::<V>::random(&mut rng, ncols, inner, 5);
                let (c, indptr) = m.lib.spgemm(&csr, &load(&m, &b)).expect("spgemm");
                let expected = a.spgemm(&b);
                assert_eq!(c.shape, [nrows, inner], "spgemm shape {ctx}");
                assert_eq!(indptr.read::<i64>().unwrap(), expected.indptr, "spgemm indptr {ctx} inner={inner}");
                assert_eq!(c.crd.read::<i64>().unwrap(), expected.crd, "spgemm indices {ctx} inner={inner}");
                assert_eq!(c.vals.read::<V>().unwrap(), expected.vals, "spgemm data {ctx} inner={inner}");
                // The product is a matrix like any other: use it again.
                let z: Vec<V> = (0..inner).map(|j| V::from_parts(j as i64 % 3, 1)).collect();
                let cz = m.lib.spmv(&c, &m.upload(&[inner], &z)).expect("spmv of a product");
                assert_eq!(cz.read::<V>().unwrap(), expected.spmv(&z), "spmv of spgemm {ctx}");
            }
        }
    }
}

#[test]
fn products_match_reference_f32() {
    check_products::<f32>(1);
}

#[test]
fn products_match_reference_f64() {
    check_products::<f64>(2);
}

#[test]
fn products_match_reference_complex64() {
    check_products::<Complex32>(3);
}

#[test]
fn products_match_reference_complex128() {
    check_products::<Complex64>(4);
}

/// Rows of many products, of narrow and of wide products: the dense accumulator (B of
/// at most 2^17 columns), the hash table (a wider B with scattered columns), and the
/// hash table grown for rows of thousands of products.
#[test]
fn spgemm_long_rows_match_reference() {
    for m in machines() {
        let mut rng = Rng(21);
        let cases = [(30, 200, 5000, 14, 14), (30, 40, 60, 14, 14), (30, 200, 300_000, 14, 14), (4, 300, 300_000, 600, 200)];
        for (nrows, inner, ncols, a_row, b_row) in cases {
            let a = HostCsr::<f64>::random(&mut rng, nrows, inner, a_row);
            let b = HostCsr::<f64>::random(&mut rng, inner, ncols, b_row);
            let (c, indptr) = m.lib.spgemm(&load(&m, &a), &load(&m, &b)).unwrap();
            let expected = a.spgemm(&b);
            assert!(expected.indptr.windows(2).any(|w| w[1] - w[0] > 32), "the test needs long rows");
            assert_eq!(indptr.read::<i64>().unwrap(), expected.indptr, "{} {inner}x{ncols}", m.label);
            assert_eq!(c.crd.read::<i64>().unwrap(), expected.crd, "{} {inner}x{ncols}", m.label);
            assert_eq!(c.vals.read::<f64>().unwrap(), expected.vals, "{} {inner}x{ncols}", m.label);
        }
    }
}

#[test]
fn row_ranges_pairs_consecutive_offsets() {
    for m in machines() {
        let indptr = [0i64, 2, 2, 5, 9];
        let pos = m.lib.row_ranges(&m.upload(&[5], &indptr)).unwrap();
        assert_eq!(pos.read::<[i64; 2]>().unwrap(), vec![[0, 2], [2, 2], [2, 5], [5, 9]], "{}", m.label);
        let empty = m.lib.row_ranges(&m.upload(&[1], &[0i64])).unwrap();
        assert_eq!(empty.read::<[i64; 2]>().unwrap(), Vec::<[i64; 2]>::new());
    }
}

#[test]
fn spmv_writes_into_a_strided_view() {
    for m in machines() {
        let mut rng = Rng(9);
        let a = HostCsr::<f64>::random(&mut rng, 9, 4, 3);
        let csr = load(&m, &a);
        let x: Vec<f64> = vec![1.0, -2.0, 3.0, 0.5];
        let backing = m.upload(&[18], &[7.0f64; 18]);
        let every_other = backing.slice(0, Some(1), None, 2).unwrap();
        m.lib.spmv_into(&csr, &m.upload(&[4], &x), &every_other).unwrap();
        let got = backing.read::<f64>().unwrap();
        let expected = a.spmv(&x);
        for i in 0..9 {
            assert_eq!(got[2 * i], 7.0, "untouched element {i} on {}", m.label);
            assert_eq!(got[2 * i + 1], expected[i], "row {i} on {}", m.label);
        }
    }
}

#[test]
fn bad_operands_are_errors_at_the_call() {
    let m = &machines()[1];
    let a = load(m, &HostCsr::<f64>::random(&mut Rng(5), 4, 3, 2));
    let x_short = m.upload(&[2], &[1.0f64, 2.0]);
    assert_eq!(m.lib.spmv(&a, &x_short).unwrap_err().kind, ErrorKind::ShapeMismatch);
    let x_f32 = m.upload(&[3], &[1.0f32, 2.0, 3.0]);
    assert_eq!(m.lib.spmv(&a, &x_f32).unwrap_err().kind, ErrorKind::TypeMismatch);
    let x_2d = m.upload(&[2, 2], &[1.0f64; 4]);
    assert_eq!(m.lib.spmm(&a, &x_2d).unwrap_err().kind, ErrorKind::ShapeMismatch);
    assert_eq!(m.lib.spgemm(&a, &a).unwrap_err().kind, ErrorKind::ShapeMismatch);

    let ints = m.upload(&[2], &[1i64, 2]);
    let indptr = m.upload(&[3], &[0i64, 1, 2]);
    let err = m.lib.csr_from_indptr(&indptr, &ints, &ints, 3).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("not supported"), "{err}");
    let vals = m.upload(&[3], &[1.0f64; 3]);
    assert_eq!(m.lib.csr_from_indptr(&indptr, &ints, &vals, 3).unwrap_err().kind, ErrorKind::ShapeMismatch);
    let indptr_f = m.upload(&[3], &[0.0f64, 1.0, 2.0]);
    assert_eq!(m.lib.row_ranges(&indptr_f).unwrap_err().kind, ErrorKind::TypeMismatch);
    assert_eq!(m.lib.row_ranges(&m.upload::<i64>(&[0], &[])).unwrap_err().kind, ErrorKind::InvalidArgument);
}

#[test]
fn bad_indices_fail_the_task_not_the_process() {
    for m in machines() {
        let vals = m.upload(&[3], &[1.0f64, 2.0, 3.0]);
        let x = m.upload(&[3], &[1.0f64; 3]);
        // A column index past the end, and a negative one.
        for bad in [3i64, -1] {
            let a = m.lib.csr_from_indptr(&m.upload(&[4], &[0i64, 1, 3, 3]), &m.upload(&[3], &[0i64, bad, 1]), &vals, 3).unwrap();
            // SpGEMM reads its size before returning, so its error may come at the call.
            for (op, result) in [m.lib.spmv(&a, &x), m.lib.todense(&a), m.lib.spgemm(&a, &a).map(|(_, indptr)| indptr)].into_iter().enumerate() {
                let err = result.and_then(|s| s.wait()).expect_err(&format!("op {op} bad {bad}"));
                assert_eq!(err.kind, ErrorKind::TaskFailed, "{}: {err}", m.label);
                assert!(err.to_string().contains("column index"), "{}: {err}", m.label);
            }
        }
        // Decreasing offsets, and offsets past the entries.
        let a = m.lib.csr_from_indptr(&m.upload(&[3], &[0i64, 2, 1]), &m.upload(&[3], &[0i64, 1, 2]), &vals, 3).unwrap();
        let err = a.pos.wait().unwrap_err();
        assert!(err.to_string().contains("non-decreasing"), "{}: {err}", m.label);
        let a = m.lib.csr_from_indptr(&m.upload(&[3], &[0i64, 2, 7]), &m.upload(&[3], &[0i64, 1, 2]), &vals, 3).unwrap();
        let err = m.lib.spmv(&a, &x).unwrap().wait().unwrap_err();
        assert!(err.to_string().contains("outside"), "{}: {err}", m.label);
        // The runtime keeps working.
        let ok = m.lib.csr_from_indptr(&m.upload(&[3], &[0i64, 1, 3]), &m.upload(&[3], &[2i64, 0, 1]), &vals, 3).unwrap();
        assert_eq!(m.lib.spmv(&ok, &x).unwrap().read::<f64>().unwrap(), vec![1.0, 5.0], "{}", m.label);
    }
}

#[test]
fn work_is_split_by_rows() {
    let rt = Runtime::new(Config { cpus: 4, min_cpu_chunk: 2, profile: true, ..Config::legate_defaults() }).unwrap();
    let lib = SparseLibrary::register(rt.api_table()).unwrap();
    let m = Machine { label: "4 cpus".into(), rt: rt.clone(), lib };
    let a = HostCsr::<f64>::random(&mut Rng(11), 100, 100, 5);
    let csr = load(&m, &a);
    let x: Vec<f64> = (0..100).map(|i| i as f64).collect();
    let y = m.lib.spmv(&csr, &m.upload(&[100], &x)).unwrap();
    assert_eq!(y.read::<f64>().unwrap(), a.spmv(&x));
    let events = rt.profiler().expect("profiling is on").events();
    assert_eq!(events.iter().filter(|e| e.name == "legate_sparse.csr_spmv").count(), 4);
    // Both passes of SpGEMM too. (The numeric pass writes C through the image of C's
    // pos; an image not resolved at launch would make it one point. Whether it is
    // resolved in time here depends on timing, so this does not pin that down.)
    let (c, indptr) = m.lib.spgemm(&csr, &csr).unwrap();
    let expected = a.spgemm(&a);
    assert_eq!(indptr.read::<i64>().unwrap(), expected.indptr);
    assert_eq!(c.vals.read::<f64>().unwrap(), expected.vals);
    let events = rt.profiler().expect("profiling is on").events();
    for name in ["legate_sparse.csr_spgemm_symbolic", "legate_sparse.csr_spgemm"] {
        assert_eq!(events.iter().filter(|e| e.name == name).count(), 4, "{name}");
    }
}

#[test]
fn register_is_idempotent() {
    let rt = runtime(2, 0);
    let first = SparseLibrary::register(rt.api_table()).unwrap();
    let second = SparseLibrary::register(rt.api_table()).unwrap();
    assert_eq!(first.library(), second.library());
}

#[test]
fn lu_solves_and_reports_singular_matrices() {
    use legate_sparse::Trans;
    // A = [[4, 1, 0], [2, 5, 1], [0, 1, 3]] in CSR (one duplicate: 4 = 3 + 1) and b = A @ [1, 2, 3].
    let indptr = [0i64, 3, 6, 8];
    let crd = [0i64, 1, 0, 0, 1, 2, 1, 2];
    let vals = [3.0f64, 1.0, 1.0, 2.0, 5.0, 1.0, 1.0, 3.0];
    let (b, bt) = ([6.0f64, 15.0, 11.0], [8.0f64, 14.0, 11.0]); // A x, Aᵀ x for x = [1, 2, 3]
    for m in machines() {
        let held = legate_sparse::tasks::lu_factors_held();
        let (ip, c, v) = (m.upload(&[4], &indptr), m.upload(&[8], &crd), m.upload(&[8], &vals));
        let f = m.lib.lu_factor(&ip, &c, &v, 3, false).unwrap();
        assert!(!m.lib.lu_is_singular(&f).unwrap(), "{}", m.label);
        for (rhs, trans) in [(&b, Trans::N), (&bt, Trans::T), (&bt, Trans::H)] {
            let x = m.lib.lu_solve(&f, &m.upload(&[3], rhs), trans).unwrap().read::<f64>().unwrap();
            for (got, want) in x.iter().zip([1.0, 2.0, 3.0]) {
                assert!((got - want).abs() < 1e-12, "{} {trans:?}: {x:?}", m.label);
            }
        }
        // The same arrays read as CSC are Aᵀ.
        let ft = m.lib.lu_factor(&ip, &c, &v, 3, true).unwrap();
        let x = m.lib.lu_solve(&ft, &m.upload(&[3], &bt), Trans::N).unwrap().read::<f64>().unwrap();
        assert!(x.iter().zip([1.0, 2.0, 3.0]).all(|(g, w)| (g - w).abs() < 1e-12), "{} csc: {x:?}", m.label);
        let wrong = m.upload(&[3], &[1.0f32; 3]);
        assert_eq!(m.lib.lu_solve(&f, &wrong, Trans::N).unwrap_err().kind, ErrorKind::TypeMismatch);
        m.lib.lu_release(&f).unwrap();
        m.lib.lu_release(&ft).unwrap();
        // Rows 0 and 1 equal: exactly singular (a zero pivot, not a structural one).
        let s = m.lib.lu_factor(&m.upload(&[3], &[0i64, 2, 4]), &m.upload(&[4], &[0i64, 1, 0, 1]), &m.upload(&[4], &[1.0f64; 4]), 2, false);
        let s = s.unwrap();
        assert!(m.lib.lu_is_singular(&s).unwrap(), "{}", m.label);
        m.lib.lu_release(&s).unwrap();
        m.rt.issue_execution_fence(true).unwrap();
        assert_eq!(legate_sparse::tasks::lu_factors_held(), held, "{}", m.label);
    }
}
