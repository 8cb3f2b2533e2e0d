//! Launches of the batched decompositions ([`crate::tasks::decomp`]): each checks the
//! shapes (a batch of matrices in the trailing two axes, outputs with the same batch
//! axes) and runs one task on one point over whole stores. Inputs are `float64` or
//! `complex128`; the callers convert other types.

use crate::Numeric;
use legate_core::{LegateError, LogicalStore, Result, Scalar, Type};

fn dims(s: &LogicalStore) -> Vec<i64> {
    s.shape().as_slice().to_vec()
}

/// `(batch, m, n)` of a stack of matrices.
fn matrices(a: &LogicalStore, what: &str) -> Result<(Vec<i64>, i64, i64)> {
    let d = dims(a);
    if d.len() < 2 {
        return Err(LegateError::ShapeMismatch(format!("{what}: a {}-d array, at least 2-d expected", d.len())));
    }
    if !matches!(a.ty(), Type::Float64 | Type::Complex128) {
        return Err(LegateError::TypeMismatch(format!("{what}: float64 or complex128 expected, not {}", a.ty())));
    }
    let k = d.len() - 2;
    Ok((d[..k].to_vec(), d[k], d[k + 1]))
}

fn expect(store: &LogicalStore, shape: &[i64], ty: &Type, what: &str, name: &str) -> Result<()> {
    if dims(store) != shape {
        return Err(LegateError::ShapeMismatch(format!("{what}: {name} has shape {}, expected {shape:?}", store.shape())));
    }
    if store.ty() != ty {
        return Err(LegateError::TypeMismatch(format!("{what}: {name} has type {}, expected {ty}", store.ty())));
    }
    Ok(())
}

fn with(batch: &[i64], core: &[i64]) -> Vec<i64> {
    batch.iter().chain(core).copied().collect()
}

impl Numeric {
    /// Runs `task_id` on one point: scalars, then whole inputs and outputs.
    fn whole_many(&self, task_id: u32, scalars: Vec<Scalar>, inputs: &[&LogicalStore], outputs: &[&LogicalStore]) -> Result<()> {
        let mut t = self.rt.create_auto_task(&self.lib, task_id);
        for s in scalars {
            t.add_scalar_arg(s);
        }
        for input in inputs {
            let v = t.add_input(input);
            t.add_broadcast(v, None);
        }
        for out in outputs {
            let v = t.add_output(out);
            t.add_broadcast(v, None);
        }
        t.execute()
    }

    /// `A = Q R` for each matrix of `a` (`(..., m, n)`): `r` is `(..., k, n)` with `k`
    /// = min(m, n) (reduced) or m (complete), `q` (optional) `(..., m, k)`.
    pub fn qr(&self, a: &LogicalStore, q: Option<&LogicalStore>, r: &LogicalStore) -> Result<()> {
        let (batch, m, n) = matrices(a, "qr")?;
        let rd = dims(r);
        let k = rd.get(rd.len().wrapping_sub(2)).copied().unwrap_or(-1);
        if k != m.min(n) && k != m {
            return Err(LegateError::ShapeMismatch(format!("qr: R has shape {}", r.shape())));
        }
        expect(r, &with(&batch, &[k, n]), a.ty(), "qr", "R")?;
        if let Some(q) = q {
            expect(q, &with(&batch, &[m, k]), a.ty(), "qr", "Q")?;
        }
        let outputs: Vec<&LogicalStore> = q.into_iter().chain([r]).collect();
        self.whole_many(crate::QR, vec![Scalar::new(false)], &[a], &outputs)
    }

    /// NumPy's `qr(a, mode='raw')` for each matrix of `a`: `h` (`(..., m, n)`, R on
    /// and above the diagonal, LAPACK's Householder vectors below) and `tau`
    /// (`(..., min(m, n))`).
    pub fn qr_raw(&self, a: &LogicalStore, h: &LogicalStore, tau: &LogicalStore) -> Result<()> {
        let (batch, m, n) = matrices(a, "qr")?;
        expect(h, &with(&batch, &[m, n]), a.ty(), "qr", "H")?;
        expect(tau, &with(&batch, &[m.min(n)]), a.ty(), "qr", "tau")?;
        self.whole_many(crate::QR, vec![Scalar::new(true)], &[a], &[h, tau])
    }

    /// The singular values (`s`: `(..., min(m, n))`, float64, largest first) and
    /// optionally `u`, `vh` (full: `(..., m, m)`, `(..., n, n)`; thin: `(..., m, k)`,
    /// `(..., k, n)`) of each matrix of `a`; with `hermitian`, from its
    /// eigendecomposition (the lower triangle is read).
    pub fn svd(&self, a: &LogicalStore, s: &LogicalStore, uv: Option<(&LogicalStore, &LogicalStore)>, hermitian: bool) -> Result<()> {
        let (batch, m, n) = matrices(a, "svd")?;
        if hermitian && m != n {
            return Err(LegateError::ShapeMismatch("svd: hermitian matrices must be square".into()));
        }
        let k = m.min(n);
        expect(s, &with(&batch, &[k]), &Type::Float64, "svd", "S")?;
        let mut outputs = vec![s];
        if let Some((u, vh)) = uv {
            let full = dims(u) == with(&batch, &[m, m]) && dims(vh) == with(&batch, &[n, n]);
            if !full {
                expect(u, &with(&batch, &[m, k]), a.ty(), "svd", "U")?;
                expect(vh, &with(&batch, &[k, n]), a.ty(), "svd", "V^H")?;
            }
            if u.ty() != a.ty() || vh.ty() != a.ty() {
                return Err(LegateError::TypeMismatch("svd: U and V^H must have A's type".into()));
            }
            outputs.extend([u, vh]);
        }
        self.whole_many(crate::SVD, vec![Scalar::new(hermitian)], &[a], &outputs)
    }

    /// Eigenvalues `w` (`(..., n)`, complex128) and optionally right eigenvectors `v`
    /// (`(..., n, n)`, complex128, unit columns) of each square matrix of `a`.
    pub fn eig(&self, a: &LogicalStore, w: &LogicalStore, v: Option<&LogicalStore>) -> Result<()> {
        let (batch, m, n) = matrices(a, "eig")?;
        if m != n {
            return Err(LegateError::ShapeMismatch("eig: square matrices expected".into()));
        }
        let c = Type::Complex128;
        expect(w, &with(&batch, &[n]), &c, "eig", "W")?;
        if let Some(v) = v {
            expect(v, &with(&batch, &[n, n]), &c, "eig", "V")?;
        }
        let outputs: Vec<&LogicalStore> = [w].into_iter().chain(v).collect();
        self.whole_many(crate::EIG, vec![], &[a], &outputs)
    }

    /// Eigenvalues `w` (`(..., n)`, float64, ascending) and optionally orthonormal
    /// eigenvectors `v` (A's type) of the Hermitian matrices that the `lower` (or upper)
    /// triangles of `a` stand for.
    pub fn eigh(&self, a: &LogicalStore, w: &LogicalStore, v: Option<&LogicalStore>, lower: bool) -> Result<()> {
        let (batch, m, n) = matrices(a, "eigh")?;
        if m != n {
            return Err(LegateError::ShapeMismatch("eigh: square matrices expected".into()));
        }
        expect(w, &with(&batch, &[n]), &Type::Float64, "eigh", "W")?;
        if let Some(v) = v {
            expect(v, &with(&batch, &[n, n]), a.ty(), "eigh", "V")?;
        }
        let outputs: Vec<&LogicalStore> = [w].into_iter().chain(v).collect();
        self.whole_many(crate::EIGH, vec![Scalar::new(lower)], &[a], &outputs)
    }

    /// `sign` (A's type) and `logdet` (float64), both of `a`'s batch shape: the
    /// determinant of each square matrix as `sign * exp(logdet)`.
    pub fn slogdet(&self, a: &LogicalStore, sign: &LogicalStore, logdet: &LogicalStore) -> Result<()> {
        let (batch, m, n) = matrices(a, "slogdet")?;
        if m != n {
            return Err(LegateError::ShapeMismatch("slogdet: square matrices expected".into()));
        }
        expect(sign, &batch, a.ty(), "slogdet", "sign")?;
        expect(logdet, &batch, &Type::Float64, "slogdet", "logdet")?;
        self.whole_many(crate::SLOGDET, vec![], &[a], &[sign, logdet])
    }
}
