//! Matrix-vector products of `f32`/`f64` tiles, `y = M x`, streaming the matrix once.
//!
//! A matrix-vector product reads each element of the matrix once and is bound by
//! memory bandwidth, so the kernels exist to keep the memory system busy: the gemm
//! crate packs the matrix first, which for one column doubles the traffic. Which
//! kernel runs depends on which of the matrix's strides is 1:
//!
//! - rows contiguous ([`dot_rows`]): dot products of several rows at a time with `x`,
//!   in independent vector accumulators per row (with AVX-512, [`wide`]: twelve rows,
//!   two vectors each, about 1.4x the plainer kernel's rate from L3 and memory on the
//!   development VM: more row streams in flight, and each load of `x` serves more rows);
//! - columns contiguous ([`axpy_rows`]): `y += x[j] * column j` for four columns at a
//!   time, over a block of `y` that stays in L1.
//!
//! Both run with the widest vector unit the CPU has (chosen at run time).

use super::vmath::simd_level;
use num_traits::Float;

/// `y[i * ys] = sum_j m[i * rs + j * cs] * x[j * xs]` for `i < rows`, `j < cols`, where
/// `rs` or `cs` is 1 (else false, and nothing is written). Strides are in elements.
///
/// # Safety
/// The pointers must describe a readable matrix and vector and a writable `y` that
/// overlaps neither.
pub unsafe fn gemv<T: Float + 'static>(rows: usize, cols: usize, m: *const T, rs: isize, cs: isize, x: *const T, xs: isize, y: *mut T, ys: isize) -> bool {
    if cols == 1 || cs == 1 {
        // The row kernel loads `x` in vectors: a strided `x` is copied first.
        let packed: Vec<T>;
        let x = if xs == 1 || cols <= 1 {
            x
        } else {
            packed = (0..cols).map(|j| *x.offset(j as isize * xs)).collect();
            packed.as_ptr()
        };
        #[cfg(target_arch = "x86_64")]
        if simd_level() == 2 && wide::dot_rows(rows, cols, m, rs, x, y, ys) {
            return true;
        }
        dot_rows_widest(rows, cols, m, rs, x, y, ys);
        true
    } else if rs == 1 || rows == 1 {
        axpy_rows_widest(rows, cols, m, cs, x, xs, y, ys);
        true
    } else {
        false
    }
}

/// `sum_j a[j] * b[j]` of contiguous `f32`/`f64` vectors by the row kernel (a one-row
/// matrix): vector accumulators with FMA, where the generic reduction loop ran scalar
/// code. None for other types.
///
/// # Safety
/// `a` and `b` must be readable for `n` elements.
pub(crate) unsafe fn dot<T: 'static + Copy>(a: *const T, b: *const T, n: usize) -> Option<T> {
    use std::any::TypeId;
    let one = |out: *mut T| {
        if TypeId::of::<T>() == TypeId::of::<f64>() {
            gemv::<f64>(1, n, a.cast(), n as isize, 1, b.cast(), 1, out.cast(), 1)
        } else if TypeId::of::<T>() == TypeId::of::<f32>() {
            gemv::<f32>(1, n, a.cast(), n as isize, 1, b.cast(), 1, out.cast(), 1)
        } else {
            false
        }
    };
    let mut out = std::mem::MaybeUninit::<T>::uninit();
    one(out.as_mut_ptr()).then(|| out.assume_init())
}

/// Defines `$name`, which calls kernel `$kernel` (`#[inline(always)]`) through a copy
/// compiled for the widest vector unit with FMA that the CPU has.
macro_rules! widest {
    (fn $name:ident($($arg:ident: $ty:ty),*) => $kernel:ident) => {
        unsafe fn $name<T: Float>($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,fma")]
            unsafe fn avx512<T: Float>($($arg: $ty),*) {
                $kernel($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn avx2<T: Float>($($arg: $ty),*) {
                $kernel($($arg),*)
            }
            match simd_level() {
                #[cfg(target_arch = "x86_64")]
                2 => avx512($($arg),*),
                #[cfg(target_arch = "x86_64")]
                1 => avx2($($arg),*),
                // No FMA unit: correct, but mul_add is a library call per element.
                _ => $kernel($($arg),*),
            }
        }
    };
}

widest!(fn dot_rows_widest(rows: usize, cols: usize, m: *const T, rs: isize, x: *const T, y: *mut T, ys: isize) => dot_rows);
widest!(fn axpy_rows_widest(rows: usize, cols: usize, m: *const T, cs: isize, x: *const T, xs: isize, y: *mut T, ys: isize) => axpy_rows);

/// Lanes of one 512-bit vector of `T`: the width of each row's accumulators.
const fn lanes<T>() -> usize {
    64 / std::mem::size_of::<T>()
}

/// `y[i] = M[i, :] . x` for contiguous rows (row stride `rs`) and contiguous `x`.
#[inline(always)]
unsafe fn dot_rows<T: Float>(rows: usize, cols: usize, m: *const T, rs: isize, x: *const T, y: *mut T, ys: isize) {
    if lanes::<T>() == 16 {
        rows_of::<T, 16>(rows, cols, m, rs, x, y, ys)
    } else {
        rows_of::<T, 8>(rows, cols, m, rs, x, y, ys)
    }
}

#[inline(always)]
unsafe fn rows_of<T: Float, const L: usize>(rows: usize, cols: usize, m: *const T, rs: isize, x: *const T, y: *mut T, ys: isize) {
    let mut i = 0;
    while i + 4 <= rows {
        block::<T, L, 4>(cols, m.offset(i as isize * rs), rs, x, y.offset(i as isize * ys), ys);
        i += 4;
    }
    while i < rows {
        block::<T, L, 1>(cols, m.offset(i as isize * rs), rs, x, y.offset(i as isize * ys), ys);
        i += 1;
    }
}

/// Dot products of `R` consecutive rows with `x`, `L` accumulators per row: each load
/// of `x` serves `R` rows, and `R` row streams keep the memory system busy.
#[inline(always)]
unsafe fn block<T: Float, const L: usize, const R: usize>(cols: usize, m: *const T, rs: isize, x: *const T, y: *mut T, ys: isize) {
    let mut acc = [[T::zero(); L]; R];
    let full = cols / L * L;
    let mut j = 0;
    while j < full {
        let xs: [T; L] = std::array::from_fn(|l| *x.add(j + l));
        for (r, acc) in acc.iter_mut().enumerate() {
            let row = m.offset(r as isize * rs).add(j);
            for l in 0..L {
                acc[l] = (*row.add(l)).mul_add(xs[l], acc[l]);
            }
        }
        j += L;
    }
    for (r, acc) in acc.iter().enumerate() {
        let row = m.offset(r as isize * rs);
        // Pairwise, as the vector registers hold them.
        let mut width = L;
        let mut acc = *acc;
        while width > 1 {
            width /= 2;
            for l in 0..width {
                acc[l] = acc[l] + acc[l + width];
            }
        }
        let mut total = acc[0];
        for j in full..cols {
            total = (*row.add(j)).mul_add(*x.add(j), total);
        }
        *y.offset(r as isize * ys) = total;
    }
}

/// The AVX-512 row kernel, written with intrinsics: the portable [`block`] with more
/// rows or lanes compiled to slower code (accumulators spilled).
#[cfg(target_arch = "x86_64")]
mod wide {
    use num_traits::Float;
    use std::any::TypeId;
    use std::arch::x86_64::*;

    /// One 512-bit vector of `E`.
    trait Lanes: Copy {
        type E: Float;
        const N: usize;
        unsafe fn zero() -> Self;
        unsafe fn load(p: *const Self::E) -> Self;
        unsafe fn fma(a: Self, b: Self, c: Self) -> Self;
        unsafe fn add(a: Self, b: Self) -> Self;
        unsafe fn sum(self) -> Self::E;
    }

    macro_rules! lanes {
        ($v:ty, $e:ty, $n:expr, $zero:ident, $load:ident, $fma:ident, $add:ident, $sum:ident) => {
            impl Lanes for $v {
                type E = $e;
                const N: usize = $n;
                #[inline(always)]
                unsafe fn zero() -> Self {
                    $zero()
                }
                #[inline(always)]
                unsafe fn load(p: *const $e) -> Self {
                    $load(p)
                }
                #[inline(always)]
                unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
                    $fma(a, b, c)
                }
                #[inline(always)]
                unsafe fn add(a: Self, b: Self) -> Self {
                    $add(a, b)
                }
                #[inline(always)]
                unsafe fn sum(self) -> $e {
                    $sum(self)
                }
            }
        };
    }
    lanes!(__m512d, f64, 8, _mm512_setzero_pd, _mm512_loadu_pd, _mm512_fmadd_pd, _mm512_add_pd, _mm512_reduce_add_pd);
    lanes!(__m512, f32, 16, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_reduce_add_ps);

    /// [`super::dot_rows`] for `f64`/`f32` (false for other types: nothing written).
    ///
    /// # Safety
    /// As [`super::gemv`], on a CPU with AVX-512F.
    pub(super) unsafe fn dot_rows<T: 'static>(rows: usize, cols: usize, m: *const T, rs: isize, x: *const T, y: *mut T, ys: isize) -> bool {
        if TypeId::of::<T>() == TypeId::of::<f64>() {
            rows_of::<__m512d>(rows, cols, m.cast(), rs, x.cast(), y.cast(), ys);
        } else if TypeId::of::<T>() == TypeId::of::<f32>() {
            rows_of::<__m512>(rows, cols, m.cast(), rs, x.cast(), y.cast(), ys);
        } else {
            return false;
        }
        true
    }

    #[target_feature(enable = "avx512f,fma")]
    unsafe fn rows_of<V: Lanes>(rows: usize, cols: usize, m: *const V::E, rs: isize, x: *const V::E, y: *mut V::E, ys: isize) {
        let mut i = 0;
        while i + 12 <= rows {
            block::<V, 12>(cols, m.offset(i as isize * rs), rs, x, y.offset(i as isize * ys), ys);
            i += 12;
        }
        while i + 4 <= rows {
            block::<V, 4>(cols, m.offset(i as isize * rs), rs, x, y.offset(i as isize * ys), ys);
            i += 4;
        }
        while i < rows {
            block::<V, 1>(cols, m.offset(i as isize * rs), rs, x, y.offset(i as isize * ys), ys);
            i += 1;
        }
    }

    /// `R` rows dotted with `x`, two vectors of accumulators per row.
    #[inline(always)]
    unsafe fn block<V: Lanes, const R: usize>(cols: usize, m: *const V::E, rs: isize, x: *const V::E, y: *mut V::E, ys: isize) {
        let row = |r: usize| m.offset(r as isize * rs);
        let mut acc = [[V::zero(); 2]; R];
        let mut j = 0;
        while j + 2 * V::N <= cols {
            let (x0, x1) = (V::load(x.add(j)), V::load(x.add(j + V::N)));
            for (r, a) in acc.iter_mut().enumerate() {
                a[0] = V::fma(V::load(row(r).add(j)), x0, a[0]);
                a[1] = V::fma(V::load(row(r).add(j + V::N)), x1, a[1]);
            }
            j += 2 * V::N;
        }
        if j + V::N <= cols {
            let x0 = V::load(x.add(j));
            for (r, a) in acc.iter_mut().enumerate() {
                a[0] = V::fma(V::load(row(r).add(j)), x0, a[0]);
            }
            j += V::N;
        }
        for (r, a) in acc.iter().enumerate() {
            let mut total = V::add(a[0], a[1]).sum();
            for k in j..cols {
                total = (*row(r).add(k)).mul_add(*x.add(k), total);
            }
            *y.offset(r as isize * ys) = total;
        }
    }
}

/// Columns of `y` per block: the block's accumulators (8 KB of f64) stay in L1 while
/// four matrix rows stream past them.
const Y_BLOCK: usize = 1024;

/// `y = sum_j x[j] M[:, j]` for contiguous columns (column stride `cs`): `y` in blocks,
/// each updated from four columns at a time.
#[inline(always)]
unsafe fn axpy_rows<T: Float>(rows: usize, cols: usize, m: *const T, cs: isize, x: *const T, xs: isize, y: *mut T, ys: isize) {
    let mut acc = [T::zero(); Y_BLOCK];
    for i0 in (0..rows).step_by(Y_BLOCK) {
        let w = Y_BLOCK.min(rows - i0);
        let acc = &mut acc[..w];
        acc.fill(T::zero());
        let col = |j: usize| std::slice::from_raw_parts(m.offset(j as isize * cs).add(i0), w);
        let xj = |j: usize| *x.offset(j as isize * xs);
        let mut j = 0;
        while j + 4 <= cols {
            let (c0, c1, c2, c3) = (col(j), col(j + 1), col(j + 2), col(j + 3));
            let (x0, x1, x2, x3) = (xj(j), xj(j + 1), xj(j + 2), xj(j + 3));
            for i in 0..w {
                acc[i] = c3[i].mul_add(x3, c2[i].mul_add(x2, c1[i].mul_add(x1, c0[i].mul_add(x0, acc[i]))));
            }
            j += 4;
        }
        while j < cols {
            let (c, xv) = (col(j), xj(j));
            for i in 0..w {
                acc[i] = c[i].mul_add(xv, acc[i]);
            }
            j += 1;
        }
        for (i, v) in acc.iter().enumerate() {
            *y.offset((i0 + i) as isize * ys) = *v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small integers: every sum is exact, whatever the order.
    fn check<T: Float + std::fmt::Debug + 'static>(rows: usize, cols: usize, row_major: bool, xs: isize, ys: isize) {
        let pad = 3;
        let (rs, cs) = if row_major { ((cols + pad) as isize, 1) } else { (1, (rows + pad) as isize) };
        let len = if row_major { rows * (cols + pad) } else { cols * (rows + pad) };
        let m: Vec<T> = (0..len.max(1)).map(|i| T::from(((i * 7919) % 13) as i32 - 6).unwrap()).collect();
        let x: Vec<T> = (0..cols * xs as usize + 1).map(|i| T::from((i * 31) % 5).unwrap()).collect();
        let mut y = vec![T::from(-99).unwrap(); rows * ys as usize + 1];
        assert!(unsafe { gemv(rows, cols, m.as_ptr(), rs, cs, x.as_ptr(), xs, y.as_mut_ptr(), ys) });
        for i in 0..rows {
            let want = (0..cols).fold(T::zero(), |s, j| s + m[i * rs as usize + j * cs as usize] * x[j * xs as usize]);
            assert_eq!(y[i * ys as usize], want, "{rows}x{cols} row_major={row_major} xs={xs} ys={ys} row {i}");
            if ys > 1 {
                assert_eq!(y[i * ys as usize + 1], T::from(-99).unwrap(), "wrote between the strided y");
            }
        }
    }

    #[test]
    fn gemv_matches_a_plain_loop() {
        for (rows, cols) in [(1, 1), (3, 7), (5, 8), (4, 33), (17, 100), (29, 50), (1, 40), (40, 1), (1030, 9), (9, 1030)] {
            for row_major in [true, false] {
                for (xs, ys) in [(1, 1), (2, 3)] {
                    check::<f64>(rows, cols, row_major, xs, ys);
                    check::<f32>(rows, cols, row_major, xs, ys);
                }
            }
        }
    }

    #[test]
    fn dot_of_vectors_matches_a_plain_loop() {
        for n in [0, 1, 7, 16, 33, 100, 1031] {
            let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
            let b: Vec<f64> = (0..n).map(|i| ((i * 31) % 5) as f64).collect();
            let want: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert_eq!(unsafe { dot(a.as_ptr(), b.as_ptr(), n) }, Some(want), "f64 n={n}");
            let (a32, b32): (Vec<f32>, Vec<f32>) = (a.iter().map(|&v| v as f32).collect(), b.iter().map(|&v| v as f32).collect());
            assert_eq!(unsafe { dot(a32.as_ptr(), b32.as_ptr(), n) }, Some(want as f32), "f32 n={n}");
        }
        let ints = [1i64, 2, 3];
        assert_eq!(unsafe { dot(ints.as_ptr(), ints.as_ptr(), 3) }, None);
    }

    #[test]
    fn gemv_declines_matrices_without_a_unit_stride() {
        let m = [0.0f64; 16];
        let mut y = [0.0f64; 2];
        assert!(!unsafe { gemv(2, 2, m.as_ptr(), 4, 2, m.as_ptr(), 1, y.as_mut_ptr(), 1) });
    }
}
