//! Batched dense decompositions with `faer`: QR, the SVD (also of Hermitian matrices,
//! by their eigendecomposition), the eigendecomposition of general and of Hermitian
//! matrices, and the LU-based `slogdet`. Each task runs on one point over whole stores
//! whose leading axes are a batch of matrices (the trailing two axes), and loops over
//! the batch; results go to new output stores with the same batch axes.
//!
//! Like NumPy (whose LAPACK calls run in double precision for every input type), the
//! kernels take `float64` and `complex128` only: the Python layer converts single
//! precision before and rounds the results after. Working memory is one matrix at a
//! time (a copy and faer's scratch for one factorization), never the whole batch.
//! Failures carry a `LinAlgError:` marker that the Python layer maps to
//! `numpy.linalg.LinAlgError`.

use super::factor::{getf2, SMALL};
use faer::{Mat, MatMut, MatRef, Side};
use legate_core::abi::TypeCode;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex64 as C64;

pub struct QrTask;
pub struct SvdTask;
pub struct EigTask;
pub struct EighTask;
pub struct SlogdetTask;

/// The element types the kernels compute in: `f64` and `Complex64`, with their values
/// seen as complex numbers where a formula needs it.
pub(crate) trait Field: Element + faer::traits::ComplexField<Real = f64> + Copy + PartialEq {
    const COMPLEX: bool;
    fn to_c(self) -> C64;
    /// The real part for a real type.
    fn from_c(c: C64) -> Self;
}

impl Field for f64 {
    const COMPLEX: bool = false;
    fn to_c(self) -> C64 {
        C64::new(self, 0.0)
    }
    fn from_c(c: C64) -> Self {
        c.re
    }
}

impl Field for C64 {
    const COMPLEX: bool = true;
    fn to_c(self) -> C64 {
        self
    }
    fn from_c(c: C64) -> Self {
        c
    }
}

/// A store seen as a batch of items: the leading axes index the batch (row-major), the
/// trailing `core` axes (0, 1 or 2) one item: a scalar, a vector or a matrix.
struct Stack<T> {
    ptr: *mut T,
    batch: Vec<usize>,
    batch_strides: Vec<isize>,
    core: Vec<usize>,
    core_strides: Vec<isize>,
}

impl<T: Element> Stack<T> {
    fn new(s: &PhysicalStore, core: usize, what: &str) -> Result<Stack<T>, TaskError> {
        if s.type_code() != Some(T::CODE) {
            return Err(TaskError::new(format!("{what}: operand of type {:?}, expected {:?}", s.type_code(), T::CODE)));
        }
        let shape = s.shape();
        if shape.len() < core {
            return Err(TaskError::new(format!("{what}: a {}-d operand, at least {core}-d expected", shape.len())));
        }
        // Strides in elements (0 where the extent is 1: such a stride may be anything).
        let strides: Vec<isize> = shape
            .iter()
            .zip(s.strides())
            .map(|(&e, &st)| if e <= 1 { 0 } else { (st / T::SIZE as i64) as isize })
            .collect();
        let split = shape.len() - core;
        Ok(Stack {
            ptr: s.ptr() as *mut T,
            batch: shape[..split].to_vec(),
            batch_strides: strides[..split].to_vec(),
            core: shape[split..].to_vec(),
            core_strides: strides[split..].to_vec(),
        })
    }

    fn count(&self) -> usize {
        self.batch.iter().product()
    }

    fn is_empty(&self) -> bool {
        self.count() == 0 || self.core.contains(&0)
    }

    /// Item `i`'s first element (row-major order over the batch axes).
    fn item(&self, mut i: usize) -> *mut T {
        let mut offset = 0isize;
        for d in (0..self.batch.len()).rev() {
            let e = self.batch[d];
            offset += (i % e) as isize * self.batch_strides[d];
            i /= e;
        }
        self.ptr.wrapping_offset(offset)
    }

    /// # Safety
    /// The stack must be a valid, non-empty matrix stack and `i < count()`.
    unsafe fn mat<'a>(&self, i: usize) -> MatRef<'a, T> {
        unsafe { MatRef::from_raw_parts(self.item(i), self.core[0], self.core[1], self.core_strides[0], self.core_strides[1]) }
    }

    /// # Safety
    /// As [`Stack::mat`], for an output stack that aliases no input.
    unsafe fn mat_mut<'a>(&self, i: usize) -> MatMut<'a, T> {
        unsafe { MatMut::from_raw_parts_mut(self.item(i), self.core[0], self.core[1], self.core_strides[0], self.core_strides[1]) }
    }

    /// # Safety
    /// The stack must be a valid vector stack (core 1) or scalar stack (core 0),
    /// `i < count()` and `j` within the vector.
    unsafe fn set(&self, i: usize, j: usize, v: T) {
        let stride = self.core_strides.first().copied().unwrap_or(0);
        unsafe { *self.item(i).offset(j as isize * stride) = v };
    }
}

fn same_batch<A, B>(a: &Stack<A>, b: &Stack<B>, what: &str) -> Result<(), TaskError> {
    if a.batch != b.batch {
        return Err(TaskError::new(format!("{what}: batch shapes {:?} and {:?} differ", a.batch, b.batch)));
    }
    Ok(())
}

/// Writes the identity into `m` (for the orthogonal factors of empty matrices).
fn set_identity<T: Field>(mut m: MatMut<'_, T>) {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] = if i == j { T::one_impl() } else { T::zero_impl() };
        }
    }
}

// ---- QR ----

/// `A = Q R`: `R` upper trapezoidal with `R`'s rows (min(m, n), or m for the complete
/// mode); `Q` with R's row count of orthonormal columns, when asked for.
fn qr_typed<T: Field>(ctx: &TaskContext) -> Result<(), TaskError> {
    let a = Stack::<T>::new(&ctx.input(0)?, 2, "qr")?;
    let outputs = ctx.outputs();
    let (q, r) = match outputs.as_slice() {
        [r] => (None, Stack::<T>::new(r, 2, "qr")?),
        [q, r] => (Some(Stack::<T>::new(q, 2, "qr")?), Stack::<T>::new(r, 2, "qr")?),
        _ => return Err(TaskError::new("qr: one or two outputs (Q, R)")),
    };
    let (m, n) = (a.core[0], a.core[1]);
    let rows = r.core[0];
    same_batch(&a, &r, "qr")?;
    if r.core[1] != n || (rows != m.min(n) && rows != m) {
        return Err(TaskError::new("qr: R's shape does not match"));
    }
    if let Some(q) = &q {
        same_batch(&a, q, "qr")?;
        if q.core != [m, rows] {
            return Err(TaskError::new("qr: Q's shape does not match"));
        }
    }
    for b in 0..a.count() {
        let q_item = q.as_ref().filter(|q| !q.is_empty());
        if a.is_empty() {
            // No reflections: Q is the identity, R is zero.
            if let Some(q) = q_item {
                // SAFETY: a non-empty output item of the whole store.
                set_identity(unsafe { q.mat_mut(b) });
            }
            if !r.is_empty() {
                // SAFETY: as above.
                unsafe { r.mat_mut(b) }.fill(T::zero_impl());
            }
            continue;
        }
        // SAFETY: a non-empty input item of the whole store.
        let f = unsafe { a.mat(b) }.qr();
        if let Some(q) = q_item {
            let full = if rows == m { f.compute_Q() } else { f.compute_thin_Q() };
            // SAFETY: a non-empty output item.
            unsafe { q.mat_mut(b) }.copy_from(full.get(.., ..rows));
        }
        // SAFETY: a non-empty output item (m, n > 0).
        let mut rv = unsafe { r.mat_mut(b) };
        let factor = f.R();
        for j in 0..n {
            for i in 0..rows {
                rv[(i, j)] = if i <= j && i < factor.nrows() { factor[(i, j)] } else { T::zero_impl() };
            }
        }
    }
    Ok(())
}

/// LAPACK's unblocked QR (`geqr2`) in place on a copy of `a`: column `j`'s reflector
/// `H_j = I - tau_j v v^H` (`v = [1; a[j+1.., j]]`, `larfg`'s choice of `beta = -sign(re
/// a_jj) |(a_jj, x)|`), then `H_j^H` applied to the columns on the right. The result is
/// NumPy's `mode='raw'`: `R` on and above the diagonal, the `v`s below, and `tau`.
fn householder_qr<T: Field>(a: MatRef<'_, T>) -> (Mat<T>, Vec<T>) {
    let (m, n) = a.shape();
    let mut h: Mat<T> = a.to_owned();
    let k = m.min(n);
    let mut tau = vec![T::zero_impl(); k];
    for j in 0..k {
        let alpha = h[(j, j)].to_c();
        let xnorm = (j + 1..m).map(|i| h[(i, j)].to_c().norm_sqr()).sum::<f64>().sqrt();
        if xnorm == 0.0 && alpha.im == 0.0 {
            continue; // H_j = I
        }
        let norm = (alpha.norm_sqr() + xnorm * xnorm).sqrt();
        let beta = if alpha.re >= 0.0 { -norm } else { norm };
        let t = C64::new((beta - alpha.re) / beta, -alpha.im / beta);
        let scale = C64::new(1.0, 0.0) / (alpha - beta);
        for i in j + 1..m {
            h[(i, j)] = T::from_c(h[(i, j)].to_c() * scale);
        }
        h[(j, j)] = T::from_c(C64::new(beta, 0.0));
        tau[j] = T::from_c(t);
        // C -= conj(tau) v (v^H C) for the columns right of j.
        let v = |i: usize, h: &Mat<T>| if i == j { C64::new(1.0, 0.0) } else { h[(i, j)].to_c() };
        for c in j + 1..n {
            let dot: C64 = (j..m).map(|i| v(i, &h).conj() * h[(i, c)].to_c()).sum();
            let f = t.conj() * dot;
            for i in j..m {
                let vi = v(i, &h);
                h[(i, c)] = T::from_c(h[(i, c)].to_c() - f * vi);
            }
        }
    }
    (h, tau)
}

/// NumPy's `qr(mode='raw')` for each matrix: the factored matrix (output 0, `(..., m,
/// n)`; NumPy returns its transpose) and the reflectors' scalars (output 1, `(..., k)`).
fn qr_raw_typed<T: Field>(ctx: &TaskContext) -> Result<(), TaskError> {
    let a = Stack::<T>::new(&ctx.input(0)?, 2, "qr")?;
    let h = Stack::<T>::new(&ctx.output(0)?, 2, "qr")?;
    let tau = Stack::<T>::new(&ctx.output(1)?, 1, "qr")?;
    same_batch(&a, &h, "qr")?;
    same_batch(&a, &tau, "qr")?;
    if h.core != a.core || tau.core != [a.core[0].min(a.core[1])] {
        return Err(TaskError::new("qr: raw outputs' shapes do not match"));
    }
    if a.is_empty() {
        return Ok(());
    }
    for b in 0..a.count() {
        // SAFETY: non-empty input and output items of whole stores.
        let (f, t) = householder_qr(unsafe { a.mat(b) });
        unsafe { h.mat_mut(b) }.copy_from(&f);
        for (j, x) in t.into_iter().enumerate() {
            // SAFETY: j < k, item b.
            unsafe { tau.set(b, j, x) };
        }
    }
    Ok(())
}

// ---- SVD ----

/// The SVD of each matrix: singular values (real, largest first) and, when asked for,
/// `U` and `V^H` (thin or full, as their shapes say). With `hermitian`, from the
/// eigendecomposition of the lower triangle: `s = |w|` sorted down, `U` the eigenvectors
/// in that order, `V^H` their conjugate transposes with the eigenvalues' signs.
fn svd_typed<T: Field>(ctx: &TaskContext, hermitian: bool) -> Result<(), TaskError> {
    let a = Stack::<T>::new(&ctx.input(0)?, 2, "svd")?;
    let outputs = ctx.outputs();
    let (s, uv) = match outputs.as_slice() {
        [s] => (Stack::<f64>::new(s, 1, "svd")?, None),
        [s, u, vh] => (
            Stack::<f64>::new(s, 1, "svd")?,
            Some((Stack::<T>::new(u, 2, "svd")?, Stack::<T>::new(vh, 2, "svd")?)),
        ),
        _ => return Err(TaskError::new("svd: one or three outputs (S, U, V^H)")),
    };
    let (m, n) = (a.core[0], a.core[1]);
    let k = m.min(n);
    same_batch(&a, &s, "svd")?;
    if s.core != [k] || (hermitian && m != n) {
        return Err(TaskError::new("svd: shapes do not match"));
    }
    let full = match &uv {
        Some((u, vh)) => {
            same_batch(&a, u, "svd")?;
            same_batch(&a, vh, "svd")?;
            let full = u.core == [m, m] && vh.core == [n, n];
            if !full && (u.core != [m, k] || vh.core != [k, n]) {
                return Err(TaskError::new("svd: U's or V^H's shape does not match"));
            }
            full
        }
        None => false,
    };
    for b in 0..a.count() {
        if k == 0 {
            // Only full factors of an empty matrix have elements: identities.
            if let Some((u, vh)) = &uv {
                for st in [u, vh] {
                    if !st.is_empty() {
                        // SAFETY: a non-empty output item.
                        set_identity(unsafe { st.mat_mut(b) });
                    }
                }
            }
            continue;
        }
        // SAFETY: a non-empty input item.
        let av = unsafe { a.mat(b) };
        if hermitian {
            svd_hermitian(av, &s, uv.as_ref().map(|(u, vh)| (u, vh)), b)?;
            continue;
        }
        let failed = |_: faer::linalg::svd::SvdError| TaskError::new("LinAlgError: SVD did not converge");
        if !(0..n).all(|j| (0..m).all(|i| T::is_finite_impl(&av[(i, j)]))) {
            // NumPy's LAPACK does not converge on NaNs (it raises), and its scaling
            // turns infinities into NaNs (it returns them).
            if (0..n).any(|j| (0..m).any(|i| T::is_nan_impl(&av[(i, j)]))) {
                return Err(TaskError::new("LinAlgError: SVD did not converge"));
            }
            let nan = T::nan_impl();
            for j in 0..k {
                // SAFETY: j < k, item b of the output.
                unsafe { s.set(b, j, f64::NAN) };
            }
            if let Some((u, vh)) = &uv {
                // SAFETY: non-empty output items (k > 0).
                unsafe { u.mat_mut(b) }.fill(nan);
                unsafe { vh.mat_mut(b) }.fill(nan);
            }
            continue;
        }
        match &uv {
            None => {
                for (j, v) in av.singular_values().map_err(failed)?.into_iter().enumerate() {
                    // SAFETY: j < k, item b of the output.
                    unsafe { s.set(b, j, v) };
                }
            }
            Some((u, vh)) => {
                let d = if full { av.svd() } else { av.thin_svd() }.map_err(failed)?;
                let (du, dv, ds) = (d.U(), d.V(), d.S().column_vector());
                for j in 0..k {
                    // SAFETY: j < k, item b of the output.
                    unsafe { s.set(b, j, ds[j].to_c().re) };
                }
                // SAFETY: non-empty output items (k > 0).
                let (mut uo, mut vo) = unsafe { (u.mat_mut(b), vh.mat_mut(b)) };
                uo.copy_from(du);
                for i in 0..vo.nrows() {
                    for j in 0..n {
                        vo[(i, j)] = T::from_c(dv[(j, i)].to_c().conj());
                    }
                }
            }
        }
    }
    Ok(())
}

fn svd_hermitian<T: Field>(a: MatRef<'_, T>, s: &Stack<f64>, uv: Option<(&Stack<T>, &Stack<T>)>, b: usize) -> Result<(), TaskError> {
    let n = a.nrows();
    let h = hermitian_from(a, true);
    let failed = |_| TaskError::new("LinAlgError: Eigenvalues did not converge");
    let (w, vectors) = match uv {
        None => (h.self_adjoint_eigenvalues(Side::Lower).map_err(failed)?, None),
        Some(_) => {
            let e = h.self_adjoint_eigen(Side::Lower).map_err(failed)?;
            let w = e.S().column_vector().iter().map(|x| x.to_c().re).collect();
            (w, Some(e.U().to_owned()))
        }
    };
    // Largest |w| first (ties: the later eigenvalue first, as a reversed ascending sort).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| w[j].abs().total_cmp(&w[i].abs()).then(j.cmp(&i)));
    for (j, &o) in order.iter().enumerate() {
        // SAFETY: j < n, item b of the output.
        unsafe { s.set(b, j, w[o].abs()) };
    }
    if let (Some((u, vh)), Some(vec)) = (uv, vectors) {
        // SAFETY: non-empty output items.
        let (mut uo, mut vo) = unsafe { (u.mat_mut(b), vh.mat_mut(b)) };
        for (j, &o) in order.iter().enumerate() {
            let sign = 1.0f64.copysign(w[o]);
            for i in 0..n {
                let x = vec[(i, o)];
                uo[(i, j)] = x;
                vo[(j, i)] = T::from_c(x.to_c().conj() * sign);
            }
        }
    }
    Ok(())
}

/// The Hermitian matrix that one triangle of `a` stands for (LAPACK's reading: the
/// other triangle and the diagonal's imaginary parts are ignored).
fn hermitian_from<T: Field>(a: MatRef<'_, T>, lower: bool) -> Mat<T> {
    let n = a.nrows();
    Mat::from_fn(n, n, |i, j| {
        let (r, c) = if (i >= j) == lower { (i, j) } else { (j, i) };
        let x = a[(r, c)].to_c();
        let x = if i == j { C64::new(x.re, 0.0) } else if (r, c) == (i, j) { x } else { x.conj() };
        T::from_c(x)
    })
}

// ---- eigendecompositions ----

/// Eigenvalues (complex) and, when asked for, right eigenvectors (complex, unit norm,
/// LAPACK's phase: the largest component real for complex vectors).
fn eig_typed<T: Field>(ctx: &TaskContext) -> Result<(), TaskError> {
    let a = Stack::<T>::new(&ctx.input(0)?, 2, "eig")?;
    let outputs = ctx.outputs();
    let (w, v) = match outputs.as_slice() {
        [w] => (Stack::<C64>::new(w, 1, "eig")?, None),
        [w, v] => (Stack::<C64>::new(w, 1, "eig")?, Some(Stack::<C64>::new(v, 2, "eig")?)),
        _ => return Err(TaskError::new("eig: one or two outputs (W, V)")),
    };
    let n = a.core[0];
    same_batch(&a, &w, "eig")?;
    if a.core[1] != n || w.core != [n] || v.as_ref().is_some_and(|v| v.core != [n, n] || v.batch != a.batch) {
        return Err(TaskError::new("eig: shapes do not match"));
    }
    if a.is_empty() {
        return Ok(());
    }
    let failed = |_| TaskError::new("LinAlgError: Eigenvalues did not converge");
    for b in 0..a.count() {
        // SAFETY: a non-empty input item.
        let av = unsafe { a.mat(b) };
        if !(0..n).all(|j| (0..n).all(|i| T::is_finite_impl(&av[(i, j)]))) {
            return Err(TaskError::new("LinAlgError: Array must not contain infs or NaNs"));
        }
        match &v {
            None => {
                for (j, x) in av.eigenvalues().map_err(failed)?.into_iter().enumerate() {
                    // SAFETY: j < n, item b.
                    unsafe { w.set(b, j, x) };
                }
            }
            Some(v) => {
                let e = av.eigen().map_err(failed)?;
                let (s, u) = (e.S().column_vector(), e.U());
                // SAFETY: a non-empty output item.
                let mut vo = unsafe { v.mat_mut(b) };
                for j in 0..n {
                    // SAFETY: j < n, item b.
                    unsafe { w.set(b, j, s[j]) };
                    let col: Vec<C64> = (0..n).map(|i| u[(i, j)]).collect();
                    for (i, x) in normalized(&col, T::COMPLEX).into_iter().enumerate() {
                        vo[(i, j)] = x;
                    }
                }
            }
        }
    }
    Ok(())
}

/// `x / |x|`, rotated so that its largest component is real and positive when the
/// vector is complex (or `rotate`): geev's normalization.
fn normalized(x: &[C64], rotate: bool) -> Vec<C64> {
    let norm = x.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return x.to_vec();
    }
    let mut scale = C64::new(1.0 / norm, 0.0);
    if rotate || x.iter().any(|c| c.im != 0.0) {
        let big = x.iter().copied().fold(C64::new(0.0, 0.0), |m, c| if c.norm_sqr() > m.norm_sqr() { c } else { m });
        if big.norm() > 0.0 {
            scale *= big.conj() / big.norm();
        }
    }
    x.iter().map(|&c| c * scale).collect()
}

/// Eigenvalues (real, ascending) and, when asked for, orthonormal eigenvectors of the
/// Hermitian matrices that the lower (or upper) triangles stand for.
fn eigh_typed<T: Field>(ctx: &TaskContext, lower: bool) -> Result<(), TaskError> {
    let a = Stack::<T>::new(&ctx.input(0)?, 2, "eigh")?;
    let outputs = ctx.outputs();
    let (w, v) = match outputs.as_slice() {
        [w] => (Stack::<f64>::new(w, 1, "eigh")?, None),
        [w, v] => (Stack::<f64>::new(w, 1, "eigh")?, Some(Stack::<T>::new(v, 2, "eigh")?)),
        _ => return Err(TaskError::new("eigh: one or two outputs (W, V)")),
    };
    let n = a.core[0];
    same_batch(&a, &w, "eigh")?;
    if a.core[1] != n || w.core != [n] || v.as_ref().is_some_and(|v| v.core != [n, n] || v.batch != a.batch) {
        return Err(TaskError::new("eigh: shapes do not match"));
    }
    if a.is_empty() {
        return Ok(());
    }
    let failed = |_| TaskError::new("LinAlgError: Eigenvalues did not converge");
    for b in 0..a.count() {
        // SAFETY: a non-empty input item.
        let h = hermitian_from(unsafe { a.mat(b) }, lower);
        let mut values = match &v {
            None => h.self_adjoint_eigenvalues(Side::Lower).map_err(failed)?,
            Some(v) => {
                let e = h.self_adjoint_eigen(Side::Lower).map_err(failed)?;
                // SAFETY: a non-empty output item.
                unsafe { v.mat_mut(b) }.copy_from(e.U());
                e.S().column_vector().iter().map(|x| x.to_c().re).collect()
            }
        };
        if v.is_none() {
            values.sort_by(f64::total_cmp);
        }
        for (j, x) in values.into_iter().enumerate() {
            // SAFETY: j < n, item b.
            unsafe { w.set(b, j, x) };
        }
    }
    Ok(())
}

// ---- determinants ----

/// `sign` and `log|det|` of each square matrix from its LU factors (NumPy's `slogdet`:
/// sign 0 and log 0 of a singular matrix is -inf). Small matrices are factored as
/// OpenBLAS factors them for NumPy (`getf2`), larger ones by faer's blocked LU.
fn slogdet_typed<T: Field + super::factor::LuField>(ctx: &TaskContext) -> Result<(), TaskError> {
    let a = Stack::<T>::new(&ctx.input(0)?, 2, "slogdet")?;
    let sign = Stack::<T>::new(&ctx.output(0)?, 0, "slogdet")?;
    let logdet = Stack::<f64>::new(&ctx.output(1)?, 0, "slogdet")?;
    let n = a.core[0];
    same_batch(&a, &sign, "slogdet")?;
    same_batch(&a, &logdet, "slogdet")?;
    if a.core[1] != n {
        return Err(TaskError::new("slogdet: square matrices expected"));
    }
    for b in 0..a.count() {
        let (s, l) = if n == 0 {
            (C64::new(1.0, 0.0), 0.0)
        } else {
            // SAFETY: a non-empty input item.
            lu_slogdet(unsafe { a.mat(b) })
        };
        // SAFETY: item b of each one-element-per-item output.
        unsafe {
            sign.set(b, 0, T::from_c(s));
            logdet.set(b, 0, l);
        }
    }
    Ok(())
}

fn lu_slogdet<T: Field + super::factor::LuField>(a: MatRef<'_, T>) -> (C64, f64) {
    let n = a.nrows();
    let (diag, odd): (Vec<C64>, bool) = if n <= SMALL {
        let mut lu: Mat<T> = a.to_owned();
        match getf2(&mut lu) {
            Ok(piv) => ((0..n).map(|i| lu[(i, i)].to_c()).collect(), piv.iter().enumerate().filter(|(j, p)| *j != **p).count() % 2 == 1),
            Err(_) => return (C64::new(0.0, 0.0), f64::NEG_INFINITY),
        }
    } else {
        let f = a.partial_piv_lu();
        let (forward, _) = f.P().arrays();
        ((0..n).map(|i| f.U()[(i, i)].to_c()).collect(), permutation_is_odd(forward))
    };
    let mut sign = C64::new(if odd { -1.0 } else { 1.0 }, 0.0);
    let mut log = 0.0;
    for d in diag {
        let m = d.norm();
        if m == 0.0 {
            return (C64::new(0.0, 0.0), f64::NEG_INFINITY);
        }
        sign *= d / m;
        log += m.ln();
    }
    (sign, log)
}

/// Whether the permutation `p` (of `0..n`) has an odd number of transpositions.
fn permutation_is_odd(p: &[usize]) -> bool {
    let mut seen = vec![false; p.len()];
    let mut cycles = 0;
    for start in 0..p.len() {
        if !seen[start] {
            cycles += 1;
            let mut i = start;
            while !seen[i] {
                seen[i] = true;
                i = p[i];
            }
        }
    }
    (p.len() - cycles) % 2 == 1
}

// ---- tasks ----

fn input_code(ctx: &TaskContext) -> Result<Option<TypeCode>, TaskError> {
    Ok(ctx.input(0)?.type_code())
}

fn unsupported(what: &str, code: Option<TypeCode>) -> TaskError {
    TaskError::new(format!("{what} computes in float64 or complex128, not {code:?}"))
}

impl Task for QrTask {
    const TASK_ID: u32 = crate::QR;
    const NAME: &'static str = "qr";

    /// Scalar 0: raw (bool). Input 0: A (whole, `(..., m, n)`); outputs: Q (optional)
    /// and R, or (raw) the factored matrix and tau.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let raw = ctx.scalar::<bool>(0)?;
        match (input_code(ctx)?, raw) {
            (Some(TypeCode::Float64), false) => qr_typed::<f64>(ctx),
            (Some(TypeCode::Complex128), false) => qr_typed::<C64>(ctx),
            (Some(TypeCode::Float64), true) => qr_raw_typed::<f64>(ctx),
            (Some(TypeCode::Complex128), true) => qr_raw_typed::<C64>(ctx),
            (other, _) => Err(unsupported("qr", other)),
        }
    }
}

impl Task for SvdTask {
    const TASK_ID: u32 = crate::SVD;
    const NAME: &'static str = "svd";

    /// Scalar 0: hermitian (bool). Input 0: A; outputs: S, then optionally U and V^H.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let hermitian = ctx.scalar::<bool>(0)?;
        match input_code(ctx)? {
            Some(TypeCode::Float64) => svd_typed::<f64>(ctx, hermitian),
            Some(TypeCode::Complex128) => svd_typed::<C64>(ctx, hermitian),
            other => Err(unsupported("svd", other)),
        }
    }
}

impl Task for EigTask {
    const TASK_ID: u32 = crate::EIG;
    const NAME: &'static str = "eig";

    /// Input 0: A; outputs: W (complex128), then optionally V (complex128).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        match input_code(ctx)? {
            Some(TypeCode::Float64) => eig_typed::<f64>(ctx),
            Some(TypeCode::Complex128) => eig_typed::<C64>(ctx),
            other => Err(unsupported("eig", other)),
        }
    }
}

impl Task for EighTask {
    const TASK_ID: u32 = crate::EIGH;
    const NAME: &'static str = "eigh";

    /// Scalar 0: lower (bool). Input 0: A; outputs: W (float64), then optionally V.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let lower = ctx.scalar::<bool>(0)?;
        match input_code(ctx)? {
            Some(TypeCode::Float64) => eigh_typed::<f64>(ctx, lower),
            Some(TypeCode::Complex128) => eigh_typed::<C64>(ctx, lower),
            other => Err(unsupported("eigh", other)),
        }
    }
}

impl Task for SlogdetTask {
    const TASK_ID: u32 = crate::SLOGDET;
    const NAME: &'static str = "slogdet";

    /// Input 0: A (`(..., n, n)`); outputs: sign (A's type) and log|det| (float64),
    /// both of A's batch shape.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        match input_code(ctx)? {
            Some(TypeCode::Float64) => slogdet_typed::<f64>(ctx),
            Some(TypeCode::Complex128) => slogdet_typed::<C64>(ctx),
            other => Err(unsupported("slogdet", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_parity() {
        assert!(!permutation_is_odd(&[0, 1, 2]));
        assert!(permutation_is_odd(&[1, 0, 2]));
        assert!(!permutation_is_odd(&[1, 2, 0]));
        assert!(!permutation_is_odd(&[3, 2, 1, 0, 4]));
    }

    #[test]
    fn normalization_makes_unit_vectors_with_a_real_largest_component() {
        let v = normalized(&[C64::new(0.0, 3.0), C64::new(4.0, 0.0)], true);
        let norm: f64 = v.iter().map(|c| c.norm_sqr()).sum();
        assert!((norm - 1.0).abs() < 1e-15);
        assert!(v[1].im.abs() < 1e-15 && v[1].re > 0.0);
    }
}
