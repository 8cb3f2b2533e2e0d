//! The batched decompositions (QR, SVD, eigh, eig, slogdet) on random stacks of
//! matrices, checked by what defines them: reconstruction, orthonormality, `A V = V W`,
//! and determinants against a plain Gaussian elimination.

use legate_core::{Config, LogicalStore, Runtime, Type};
use crate::Numeric;
use num_complex::Complex64 as C64;
use super::random;

fn runtime(cpus: usize) -> (Runtime, Numeric) {
    let config = Config { cpus, min_cpu_chunk: 2, ..Config::legate_defaults() };
    let rt = Runtime::new(config).expect("runtime starts");
    let num = Numeric::register(&rt).expect("registers");
    (rt, num)
}

fn read(rt: &Runtime, s: &LogicalStore) -> Vec<f64> {
    rt.read_store::<f64>(s).unwrap().iter().copied().collect()
}

/// `a[b]` (row-major `m x n` matrices) as nested access.
fn at(v: &[f64], b: usize, i: usize, j: usize, m: usize, n: usize) -> f64 {
    v[b * m * n + i * n + j]
}

fn matmul(a: &[f64], b: &[f64], (m, k, n): (usize, usize, usize), bi: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|l| at(a, bi, i, l, m, k) * at(b, bi, l, j, k, n)).sum();
        }
    }
    out
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: got {g}, want {w}");
    }
}

fn transpose(a: &[f64], m: usize, n: usize, b: usize) -> Vec<f64> {
    (0..n * m).map(|t| at(a, b, t % m, t / m, m, n)).collect()
}

fn identity(n: usize) -> Vec<f64> {
    (0..n * n).map(|t| if t / n == t % n { 1.0 } else { 0.0 }).collect()
}

#[test]
fn qr_and_svd_reconstruct_random_stacks() {
    for cpus in [1, 2] {
        let (rt, num) = runtime(cpus);
        for (batch, m, n, seed) in [(3, 5, 3, 1), (2, 3, 5, 2), (1, 4, 4, 3), (2, 1, 1, 4)] {
            let k = m.min(n);
            let data = random(batch * m * n, seed);
            let a = rt.create_store_from::<f64>(&[batch, m, n], &data).unwrap();
            let q = rt.create_store(Type::Float64, &[batch, m, k]).unwrap();
            let r = rt.create_store(Type::Float64, &[batch, k, n]).unwrap();
            num.qr(&a, Some(&q), &r).unwrap();
            let s = rt.create_store(Type::Float64, &[batch, k]).unwrap();
            let u = rt.create_store(Type::Float64, &[batch, m, k]).unwrap();
            let vh = rt.create_store(Type::Float64, &[batch, k, n]).unwrap();
            num.svd(&a, &s, Some((&u, &vh)), false).unwrap();
            let (qv, rv, sv, uv, vhv) = (read(&rt, &q), read(&rt, &r), read(&rt, &s), read(&rt, &u), read(&rt, &vh));
            for b in 0..batch {
                let want = &data[b * m * n..(b + 1) * m * n];
                assert_close(&matmul(&qv, &rv, (m, k, n), b), want, 1e-12, "Q R");
                let qt = transpose(&qv, m, k, b);
                assert_close(&matmul(&qt, &qv[b * m * k..], (k, m, k), 0), &identity(k), 1e-12, "Q^T Q");
                for i in 0..k {
                    for j in 0..i.min(n) {
                        assert_eq!(at(&rv, b, i, j, k, n), 0.0, "R is upper triangular");
                    }
                }
                let us: Vec<f64> = (0..m * k).map(|t| at(&uv, b, t / k, t % k, m, k) * sv[b * k + t % k]).collect();
                assert_close(&matmul(&us, &vhv[b * k * n..], (m, k, n), 0), want, 1e-12, "U S V^H");
                assert!(sv[b * k..(b + 1) * k].windows(2).all(|w| w[0] >= w[1]), "singular values descend");
            }
        }
    }
}

#[test]
fn eigen_and_slogdet_of_random_stacks() {
    let (rt, num) = runtime(2);
    let (batch, n) = (3, 6);
    let data = random(batch * n * n, 7);
    // Symmetric copies for eigh: only the lower triangle is read, so symmetrize it.
    let sym: Vec<f64> = (0..batch * n * n)
        .map(|t| {
            let (b, i, j) = (t / (n * n), t / n % n, t % n);
            let (i, j) = if i >= j { (i, j) } else { (j, i) };
            data[b * n * n + i * n + j]
        })
        .collect();
    let a = rt.create_store_from::<f64>(&[batch, n, n], &sym).unwrap();
    let w = rt.create_store(Type::Float64, &[batch, n]).unwrap();
    let v = rt.create_store(Type::Float64, &[batch, n, n]).unwrap();
    num.eigh(&a, &w, Some(&v), true).unwrap();
    let (wv, vv) = (read(&rt, &w), read(&rt, &v));
    for b in 0..batch {
        let av = matmul(&sym, &vv, (n, n, n), b);
        let vw: Vec<f64> = (0..n * n).map(|t| at(&vv, b, t / n, t % n, n, n) * wv[b * n + t % n]).collect();
        assert_close(&av, &vw, 1e-11, "A V = V W");
        assert!(wv[b * n..(b + 1) * n].windows(2).all(|p| p[0] <= p[1]), "ascending");
    }

    // General eigenvalues: their product is the determinant, from slogdet.
    let g = rt.create_store_from::<f64>(&[batch, n, n], &data).unwrap();
    let we = rt.create_store(Type::Complex128, &[batch, n]).unwrap();
    num.eig(&g, &we, None).unwrap();
    let sign = rt.create_store(Type::Float64, &[batch]).unwrap();
    let logdet = rt.create_store(Type::Float64, &[batch]).unwrap();
    num.slogdet(&g, &sign, &logdet).unwrap();
    let values: Vec<C64> = rt.read_store::<C64>(&we).unwrap().iter().copied().collect();
    let (sv, lv) = (read(&rt, &sign), read(&rt, &logdet));
    for b in 0..batch {
        let product: C64 = values[b * n..(b + 1) * n].iter().product();
        let det = sv[b] * lv[b].exp();
        assert!((product.re - det).abs() <= 1e-10 * (1.0 + det.abs()) && product.im.abs() <= 1e-10, "{product} vs {det}");
        assert!((elimination_det(&data[b * n * n..(b + 1) * n * n], n) - det).abs() <= 1e-10 * (1.0 + det.abs()));
    }
}

/// The determinant by Gaussian elimination with partial pivoting (the reference).
fn elimination_det(a: &[f64], n: usize) -> f64 {
    let mut m = a.to_vec();
    let mut det = 1.0;
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| m[i * n + c].abs().total_cmp(&m[j * n + c].abs())).unwrap();
        if p != c {
            for j in 0..n {
                m.swap(p * n + j, c * n + j);
            }
            det = -det;
        }
        let pivot = m[c * n + c];
        det *= pivot;
        for i in c + 1..n {
            let f = m[i * n + c] / pivot;
            for j in c..n {
                m[i * n + j] -= f * m[c * n + j];
            }
        }
    }
    det
}

#[test]
fn bad_shapes_are_errors_not_panics() {
    let (rt, num) = runtime(1);
    let a = rt.create_store_from::<f64>(&[2, 3], &random(6, 9)).unwrap();
    let w = rt.create_store(Type::Float64, &[2]).unwrap();
    assert!(num.eigh(&a, &w, None, true).is_err(), "eigh of a non-square matrix");
    let s = rt.create_store(Type::Float64, &[3]).unwrap();
    assert!(num.svd(&a, &s, None, false).is_err(), "S of the wrong length");
    let i = rt.create_store_from::<i64>(&[2, 2], &[1, 2, 3, 4]).unwrap();
    let sign = rt.create_store(Type::Int64, &[]).unwrap();
    let logdet = rt.create_store(Type::Float64, &[]).unwrap();
    assert!(num.slogdet(&i, &sign, &logdet).is_err(), "integers are converted by the caller");
}
