//! The FFT task against a naive O(n^2) DFT on random inputs: every kind (complex,
//! real to complex, complex to real), both directions, every normalization, lengths
//! that are primes, 1 and powers of two, zero-padding and truncation, on 1 and 3
//! processors (so that lines are split across points along the other axis).

use legate_core::{Config, Runtime};
use crate::{FftKind, FftNorm, Numeric};
use num_complex::Complex64;
use std::f64::consts::PI;
use super::random;

/// `sum_j x[j] exp(sign 2 pi i j k / n)` over the line cut or zero-padded to `n`.
fn dft(x: &[Complex64], n: usize, inverse: bool) -> Vec<Complex64> {
    let sign = if inverse { 1.0 } else { -1.0 };
    (0..n)
        .map(|k| {
            x.iter().take(n).enumerate().map(|(j, &v)| v * Complex64::from_polar(1.0, sign * 2.0 * PI * ((j * k) % n) as f64 / n as f64)).sum()
        })
        .collect()
}

/// The full spectrum of a Hermitian signal given by its first `n / 2 + 1` values.
fn hermitian(half: &[Complex64], n: usize) -> Vec<Complex64> {
    let m = n / 2 + 1;
    let at = |k: usize| half.get(k).copied().unwrap_or_default();
    (0..n)
        .map(|k| {
            let mut z = if k < m { at(k) } else { at(n - k).conj() };
            if k == 0 || (n % 2 == 0 && k == n / 2) {
                z.im = 0.0;
            }
            z
        })
        .collect()
}

fn close(got: &[Complex64], want: &[Complex64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().map(|z| z.norm()).fold(1.0, f64::max);
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).norm() <= 1e-11 * scale, "{what}: element {k}: {g} != {w}");
    }
}

/// Lines along axis 0 (strided: `lines_first` false) or axis 1 (contiguous).
#[allow(clippy::too_many_arguments)]
fn check(num: &Numeric, rows: usize, len: usize, n: usize, kind: FftKind, inverse: bool, norm: FftNorm, seed: u64, lines_first: bool) {
    let rt = num.runtime();
    let what = format!("{kind:?} inverse={inverse} {norm:?} rows={rows} len={len} n={n} lines_first={lines_first}");
    let re = random(rows * len, seed);
    let im = random(rows * len, seed + 1);
    let lines: Vec<Vec<Complex64>> = (0..rows)
        .map(|r| {
            (0..len)
                .map(|j| Complex64::new(re[r * len + j], if kind == FftKind::RealToComplex { 0.0 } else { im[r * len + j] }))
                .collect()
        })
        .collect();
    let out_len = kind.out_len(n);
    // Element j of line r, in either layout.
    let at = |j: usize, r: usize, len: usize| if lines_first { r * len + j } else { j * rows + r };
    let values: Vec<Complex64> = {
        let mut v = vec![Complex64::default(); rows * len];
        for (r, l) in lines.iter().enumerate() {
            for (j, &z) in l.iter().enumerate() {
                v[at(j, r, len)] = z;
            }
        }
        v
    };
    let (shape_in, shape_out, axis) = if lines_first { ([rows, len], [rows, out_len], 1) } else { ([len, rows], [out_len, rows], 0) };
    let input = match kind {
        FftKind::RealToComplex => {
            let data: Vec<f64> = values.iter().map(|z| z.re).collect();
            rt.create_store_from::<f64>(&shape_in, &data).unwrap()
        }
        _ => rt.create_store_from::<Complex64>(&shape_in, &values).unwrap(),
    };
    let out_ty = if kind == FftKind::ComplexToReal { legate_core::Type::Float64 } else { legate_core::Type::Complex128 };
    let out = rt.create_store(out_ty, &shape_out).unwrap();
    num.fft(&input, &out, axis, kind, inverse, n, norm, false).unwrap();
    let got: Vec<Complex64> = if kind == FftKind::ComplexToReal {
        rt.read_store::<f64>(&out).unwrap().iter().map(|&x| Complex64::new(x, 0.0)).collect()
    } else {
        rt.read_store::<Complex64>(&out).unwrap().iter().copied().collect()
    };
    let is_inverse = match kind {
        FftKind::ComplexToComplex => inverse,
        FftKind::RealToComplex => false,
        FftKind::ComplexToReal => true,
    };
    let scale = norm.scale(n, is_inverse);
    for (r, line) in lines.iter().enumerate() {
        let want: Vec<Complex64> = match kind {
            FftKind::ComplexToReal => {
                let cut: Vec<Complex64> = line.iter().take(n / 2 + 1).copied().collect();
                dft(&hermitian(&cut, n), n, true).iter().map(|z| Complex64::new(z.re * scale, 0.0)).collect()
            }
            _ => dft(line, n, is_inverse).iter().take(out_len).map(|z| z * scale).collect(),
        };
        let got_line: Vec<Complex64> = (0..out_len).map(|k| got[at(k, r, out_len)]).collect();
        close(&got_line, &want, &format!("{what} row {r}"));
    }
}

#[test]
fn fft_matches_a_naive_dft() {
    for cpus in [1, 3] {
        let rt = Runtime::new(Config { cpus, min_cpu_chunk: 2, ..Config::legate_defaults() }).expect("runtime");
        let num = Numeric::register(&rt).unwrap();
        let mut seed = 1;
        for (rows, len, n) in [(1, 1, 1), (5, 8, 8), (7, 13, 13), (3, 16, 11), (4, 9, 20), (20, 64, 64), (2, 31, 31), (6, 12, 12)] {
            for kind in [FftKind::ComplexToComplex, FftKind::RealToComplex, FftKind::ComplexToReal] {
                for inverse in [false, true] {
                    for norm in [FftNorm::Backward, FftNorm::Ortho, FftNorm::Forward] {
                        seed += 2;
                        check(&num, rows, len, n, kind, inverse, norm, seed, false);
                        check(&num, rows, len, n, kind, inverse, norm, seed, true);
                    }
                }
            }
        }
    }
}

#[test]
fn bad_arguments_are_errors() {
    let rt = Runtime::new(Config { cpus: 2, min_cpu_chunk: 2, ..Config::legate_defaults() }).expect("runtime");
    let num = Numeric::register(&rt).unwrap();
    let input = rt.create_store(legate_core::Type::Complex128, &[4, 3]).unwrap();
    let out = rt.create_store(legate_core::Type::Complex128, &[4, 3]).unwrap();
    let real = rt.create_store(legate_core::Type::Float64, &[4, 3]).unwrap();
    assert!(num.fft(&input, &out, 0, FftKind::ComplexToComplex, false, 0, FftNorm::Backward, false).is_err());
    assert!(num.fft(&input, &out, 2, FftKind::ComplexToComplex, false, 4, FftNorm::Backward, false).is_err());
    assert!(num.fft(&input, &out, 0, FftKind::ComplexToComplex, false, 5, FftNorm::Backward, false).is_err());
    assert!(num.fft(&input, &out, 0, FftKind::RealToComplex, false, 4, FftNorm::Backward, false).is_err());
    assert!(num.fft(&real, &out, 0, FftKind::ComplexToComplex, false, 4, FftNorm::Backward, false).is_err());
    // In place: the very same view only.
    let square = rt.create_store_from::<Complex64>(&[3, 3], &[Complex64::new(1.0, 0.0); 9]).unwrap();
    let transposed = square.transpose(&[1, 0]).unwrap();
    assert!(num.fft(&square, &transposed, 0, FftKind::ComplexToComplex, false, 3, FftNorm::Backward, false).is_err());
    num.fft(&square, &square, 1, FftKind::ComplexToComplex, false, 3, FftNorm::Backward, false).unwrap();
    let got: Vec<Complex64> = rt.read_store::<Complex64>(&square).unwrap().iter().copied().collect();
    for (k, z) in got.iter().enumerate() {
        let want = if k % 3 == 0 { 3.0 } else { 0.0 };
        assert!((z - Complex64::new(want, 0.0)).norm() < 1e-12, "in place: element {k} is {z}");
    }
}
