//! Discrete Fourier transforms along one axis (`numpy.fft`). The launch keeps the
//! transformed axis whole in every piece, so each point owns complete lines and
//! transforms them one batch at a time with a plan that the point's thread keeps
//! between launches (the recent ones, see [`PlanCache`]). An n-d transform is a
//! sequence of these launches, one per axis.
//!
//! Three kinds: complex to complex (`fft`, `ifft`), real to complex (`rfft`: only the
//! `n/2 + 1` non-redundant outputs, with `realfft`'s half-length complex transform) and
//! complex to real (`irfft`). Each line is zero-padded or truncated to the transform
//! length `n` on the way in, scaled (and, for `hfft`/`ihfft`, conjugated) on the way
//! out.

use std::cell::RefCell;
use std::sync::Arc;

use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;
use legate_core::abi::TypeCode;
use num_traits::Zero;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftNum, FftPlanner};

use super::scan::for_each_line;

/// Which transform a launch runs; the code travels as the task's first scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum FftKind {
    /// Complex input, complex output of length `n`.
    ComplexToComplex = 0,
    /// Real input (zero-padded or cut to `n`), complex output of length `n / 2 + 1`.
    RealToComplex = 1,
    /// Complex input (the first `n / 2 + 1` values), real output of length `n`.
    ComplexToReal = 2,
}

impl FftKind {
    pub fn from_code(code: u32) -> Option<FftKind> {
        [FftKind::ComplexToComplex, FftKind::RealToComplex, FftKind::ComplexToReal].into_iter().find(|k| *k as u32 == code)
    }

    /// The output's extent along the axis for a transform of length `n`.
    pub fn out_len(self, n: usize) -> usize {
        if self == FftKind::RealToComplex {
            n / 2 + 1
        } else {
            n
        }
    }
}

/// At most this many lines are gathered per batch: strided lines that are neighbours in
/// memory are read and written a few elements of each at a time instead of one line at
/// a time.
const BATCH: usize = 16;

/// Batches hold at most about this many elements (long lines go one at a time).
const BATCH_ELEMENTS: usize = 1 << 16;

/// Lines per batch for lines of `len` elements in a tile of `tile` lines.
fn batch_lines(len: usize, tile: &PhysicalStore, axis: usize) -> usize {
    let lines = tile.volume() / tile.shape()[axis].max(1);
    (BATCH_ELEMENTS / len.max(1)).clamp(1, BATCH).min(lines.max(1))
}

/// A plan: rustfft's for complex transforms, realfft's for real ones.
#[derive(Clone)]
pub(crate) enum Plan<F: FftNum> {
    Complex(Arc<dyn Fft<F>>),
    Forward(Arc<dyn RealToComplex<F>>),
    Inverse(Arc<dyn ComplexToReal<F>>),
}

/// The plans a thread made last, most recent first, keyed by (kind, length, inverse).
/// Bounded: a plan holds twiddle factors of its length, so a program that transforms
/// many lengths keeps only the recent ones (at most [`MAX_PLANS`], of at most
/// [`MAX_PLANNED`] elements together).
pub(crate) struct PlanCache<F: FftNum> {
    plans: Vec<((FftKind, usize, bool), Plan<F>)>,
    max_plans: usize,
    max_planned: usize,
}

const MAX_PLANS: usize = 16;
const MAX_PLANNED: usize = 1 << 24;

impl<F: FftNum> PlanCache<F> {
    fn new() -> Self {
        PlanCache { plans: Vec::new(), max_plans: MAX_PLANS, max_planned: MAX_PLANNED }
    }

    fn get(&mut self, kind: FftKind, n: usize, inverse: bool) -> Plan<F> {
        let key = (kind, n, inverse);
        if let Some(i) = self.plans.iter().position(|(k, _)| *k == key) {
            let entry = self.plans.remove(i);
            self.plans.insert(0, entry);
            return self.plans[0].1.clone();
        }
        let plan = match kind {
            FftKind::ComplexToComplex => {
                let mut planner = FftPlanner::new();
                Plan::Complex(if inverse { planner.plan_fft_inverse(n) } else { planner.plan_fft_forward(n) })
            }
            FftKind::RealToComplex => Plan::Forward(RealFftPlanner::new().plan_fft_forward(n)),
            FftKind::ComplexToReal => Plan::Inverse(RealFftPlanner::new().plan_fft_inverse(n)),
        };
        self.plans.insert(0, (key, plan.clone()));
        let mut total = 0;
        let keep = self.plans.iter().take(self.max_plans).take_while(|((_, len, _), _)| {
            total += len;
            total <= self.max_planned
        });
        let keep = keep.count().max(1);
        self.plans.truncate(keep);
        plan
    }
}

/// A float type with FFT plans, cached per thread (see [`PlanCache`]).
pub(crate) trait FftFloat: FftNum + Element + num_traits::Float {
    /// The type code of `Complex<Self>`.
    const COMPLEX: TypeCode;
    fn plan(kind: FftKind, n: usize, inverse: bool) -> Plan<Self>;
}

macro_rules! fft_float {
    ($t:ty, $complex:expr, $cache:ident) => {
        thread_local! {
            static $cache: RefCell<PlanCache<$t>> = RefCell::new(PlanCache::new());
        }
        impl FftFloat for $t {
            const COMPLEX: TypeCode = $complex;
            fn plan(kind: FftKind, n: usize, inverse: bool) -> Plan<Self> {
                $cache.with(|c| c.borrow_mut().get(kind, n, inverse))
            }
        }
    };
}
fft_float!(f32, TypeCode::Complex64, PLANS_F32);
fft_float!(f64, TypeCode::Complex128, PLANS_F64);

/// The parameters of one launch, as its points read them.
struct Params<F> {
    axis: usize,
    n: usize,
    inverse: bool,
    scale: F,
    conj: bool,
}

/// One line of the input and the output: first elements and strides in elements.
#[derive(Clone, Copy)]
struct Line<I, O> {
    src: *const I,
    dst: *mut O,
}

/// Calls `flush` with batches of up to `batch` lines of `input` and `out` along
/// `axis` (their extents along it may differ), and the two strides along the axis in
/// elements.
fn for_each_batch<I, O>(input: &PhysicalStore, out: &PhysicalStore, axis: usize, batch: usize, mut flush: impl FnMut(&[Line<I, O>], isize, isize)) {
    let mut lines: Vec<Line<I, O>> = Vec::with_capacity(batch);
    let mut strides = (0isize, 0isize);
    for_each_line(&[input, out], axis, |ptrs, _, s| {
        strides = (s[0] / std::mem::size_of::<I>() as isize, s[1] / std::mem::size_of::<O>() as isize);
        lines.push(Line { src: ptrs[0] as *const I, dst: ptrs[1] as *mut O });
        if lines.len() == batch {
            flush(&lines, strides.0, strides.1);
            lines.clear();
        }
    });
    if !lines.is_empty() {
        flush(&lines, strides.0, strides.1);
    }
}

/// Copies the first `count` elements of each line (stride `stride`) through `map` into
/// consecutive rows of `buf` of length `row`, zero-filling each row past `count`.
///
/// # Safety
/// Every line must have at least `count` readable elements at that stride.
unsafe fn gather<I: Copy, T: Copy + Zero>(lines: &[*const I], stride: isize, count: usize, buf: &mut [T], row: usize, map: impl Fn(I) -> T) {
    if stride == 1 || lines.len() == 1 {
        for (b, &src) in lines.iter().enumerate() {
            let dst = &mut buf[b * row..b * row + count];
            for (k, d) in dst.iter_mut().enumerate() {
                *d = map(*src.offset(k as isize * stride));
            }
        }
    } else {
        // Element k of every line, then k + 1: neighbouring lines are read together.
        for k in 0..count {
            for (b, &src) in lines.iter().enumerate() {
                buf[b * row + k] = map(*src.offset(k as isize * stride));
            }
        }
    }
    for b in 0..lines.len() {
        buf[b * row + count..(b + 1) * row].fill(T::zero());
    }
}

/// Writes the first `count` elements of consecutive rows of `buf` (length `row`)
/// through `map` into the lines (stride `stride`).
///
/// # Safety
/// Every line must have at least `count` writable elements at that stride.
unsafe fn scatter<T: Copy, O: Copy>(buf: &[T], row: usize, lines: &[*mut O], stride: isize, count: usize, map: impl Fn(T) -> O) {
    if stride == 1 || lines.len() == 1 {
        for (b, &dst) in lines.iter().enumerate() {
            for (k, &v) in buf[b * row..b * row + count].iter().enumerate() {
                *dst.offset(k as isize * stride) = map(v);
            }
        }
    } else {
        for k in 0..count {
            for (b, &dst) in lines.iter().enumerate() {
                *dst.offset(k as isize * stride) = map(buf[b * row + k]);
            }
        }
    }
}

/// The output map: scale, then conjugate when asked.
fn finish<F: FftFloat>(p: &Params<F>) -> impl Fn(Complex<F>) -> Complex<F> + '_ {
    move |z| {
        let z = if p.scale == F::one() { z } else { z * p.scale };
        if p.conj {
            z.conj()
        } else {
            z
        }
    }
}

fn complex_to_complex<F: FftFloat>(input: &PhysicalStore, out: &PhysicalStore, p: &Params<F>) -> Result<(), TaskError> {
    let n = p.n;
    let Plan::Complex(fft) = F::plan(FftKind::ComplexToComplex, n, p.inverse) else {
        return Err(TaskError::new("fft: no complex plan"));
    };
    let count = input.shape()[p.axis].min(n);
    let batch = batch_lines(n, out, p.axis);
    let mut buf = Vec::new();
    let mut scratch = vec![Complex::<F>::zero(); fft.get_inplace_scratch_len()];
    let map = finish(p);
    let rescale = p.scale != F::one() || p.conj;
    for_each_batch::<Complex<F>, Complex<F>>(input, out, p.axis, batch, |lines, si, so| {
        if so == 1 {
            // Contiguous output lines are transformed where they lie, without a copy.
            for l in lines {
                // SAFETY: `n` elements of this point's output tile and `count` of its
                // input tile. The launch makes `out` either not overlap `input` or be
                // the very same view (then `src == dst` and the line is left as is).
                let line = unsafe {
                    if l.src as *const Complex<F> != l.dst as *const Complex<F> {
                        for k in 0..count {
                            *l.dst.add(k) = *l.src.offset(k as isize * si);
                        }
                        std::ptr::write_bytes(l.dst.add(count), 0, n - count);
                    }
                    std::slice::from_raw_parts_mut(l.dst, n)
                };
                fft.process_with_scratch(line, &mut scratch);
                if rescale {
                    line.iter_mut().for_each(|z| *z = map(*z));
                }
            }
            return;
        }
        buf.resize(batch * n, Complex::<F>::zero());
        let rows = &mut buf[..lines.len() * n];
        let src: Vec<_> = lines.iter().map(|l| l.src).collect();
        let dst: Vec<_> = lines.iter().map(|l| l.dst).collect();
        // SAFETY: lines of this point's tiles, `count` (input) and `n` (output) long; the
        // batch is read whole before any of it is written, so `out` may alias `input`.
        unsafe { gather(&src, si, count, rows, n, |z| z) };
        fft.process_with_scratch(rows, &mut scratch);
        // SAFETY: as above.
        unsafe { scatter(rows, n, &dst, so, n, &map) };
    });
    Ok(())
}

fn real_to_complex<F: FftFloat>(input: &PhysicalStore, out: &PhysicalStore, p: &Params<F>) -> Result<(), TaskError> {
    let n = p.n;
    let m = n / 2 + 1;
    let Plan::Forward(r2c) = F::plan(FftKind::RealToComplex, n, false) else {
        return Err(TaskError::new("rfft: no real-to-complex plan"));
    };
    let count = input.shape()[p.axis].min(n);
    let batch = batch_lines(n, out, p.axis);
    let mut real = vec![F::zero(); batch * n];
    let mut spectrum = vec![Complex::<F>::zero(); batch * m];
    let mut scratch = r2c.make_scratch_vec();
    let map = finish(p);
    let mut failure = None;
    for_each_batch::<F, Complex<F>>(input, out, p.axis, batch, |lines, si, so| {
        let src: Vec<_> = lines.iter().map(|l| l.src).collect();
        let dst: Vec<_> = lines.iter().map(|l| l.dst).collect();
        // SAFETY: lines of this point's tiles, `count` (input) and `m` (output) long.
        unsafe { gather(&src, si, count, &mut real, n, |x| x) };
        for (b, &d) in dst.iter().enumerate() {
            let row = &mut real[b * n..(b + 1) * n];
            let result = if so == 1 {
                // A contiguous output line is written in place, without a copy.
                // SAFETY: `m` elements of this point's output tile; a real input cannot
                // share the complex output's memory (a store has one type).
                let line = unsafe { std::slice::from_raw_parts_mut(d, m) };
                let r = r2c.process_with_scratch(row, line, &mut scratch);
                if p.scale != F::one() || p.conj {
                    line.iter_mut().for_each(|z| *z = map(*z));
                }
                r
            } else {
                r2c.process_with_scratch(row, &mut spectrum[b * m..(b + 1) * m], &mut scratch)
            };
            if let Err(e) = result {
                failure.get_or_insert(e.to_string());
            }
        }
        if so != 1 {
            // SAFETY: as above.
            unsafe { scatter(&spectrum, m, &dst, so, m, &map) };
        }
    });
    failure.map_or(Ok(()), |e| Err(TaskError::new(format!("rfft: {e}"))))
}

fn complex_to_real<F: FftFloat>(input: &PhysicalStore, out: &PhysicalStore, p: &Params<F>) -> Result<(), TaskError> {
    let n = p.n;
    let m = n / 2 + 1;
    let Plan::Inverse(c2r) = F::plan(FftKind::ComplexToReal, n, true) else {
        return Err(TaskError::new("irfft: no complex-to-real plan"));
    };
    let count = input.shape()[p.axis].min(m);
    let batch = batch_lines(n, out, p.axis);
    let mut spectrum = vec![Complex::<F>::zero(); batch * m];
    let mut real = vec![F::zero(); batch * n];
    let mut scratch = c2r.make_scratch_vec();
    let conj = p.conj;
    let scale = p.scale;
    let mut failure = None;
    for_each_batch::<Complex<F>, F>(input, out, p.axis, batch, |lines, si, so| {
        let src: Vec<_> = lines.iter().map(|l| l.src).collect();
        let dst: Vec<_> = lines.iter().map(|l| l.dst).collect();
        // SAFETY: lines of this point's tiles, `count` (input) and `n` (output) long.
        unsafe { gather(&src, si, count, &mut spectrum, m, |z: Complex<F>| if conj { z.conj() } else { z }) };
        for b in 0..lines.len() {
            let row = &mut spectrum[b * m..(b + 1) * m];
            // A real signal's spectrum has a real first value (and a real last one for
            // even n): NumPy ignores their imaginary parts, and so does this.
            row[0].im = F::zero();
            if n.is_multiple_of(2) {
                row[m - 1].im = F::zero();
            }
            let result = if so == 1 {
                // SAFETY: `n` elements of this point's output tile; a complex input
                // cannot share the real output's memory (a store has one type).
                let line = unsafe { std::slice::from_raw_parts_mut(dst[b], n) };
                let r = c2r.process_with_scratch(row, line, &mut scratch);
                if scale != F::one() {
                    line.iter_mut().for_each(|x| *x = *x * scale);
                }
                r
            } else {
                c2r.process_with_scratch(row, &mut real[b * n..(b + 1) * n], &mut scratch)
            };
            if let Err(e) = result {
                failure.get_or_insert(e.to_string());
            }
        }
        if so != 1 {
            // SAFETY: as above.
            unsafe { scatter(&real, n, &dst, so, n, |x| if scale == F::one() { x } else { x * scale }) };
        }
    });
    failure.map_or(Ok(()), |e| Err(TaskError::new(format!("irfft: {e}"))))
}

fn run<F: FftFloat>(kind: FftKind, input: &PhysicalStore, out: &PhysicalStore, p: &Params<F>) -> Result<(), TaskError> {
    let (cin, cout) = (F::COMPLEX, F::COMPLEX);
    let (want_in, want_out) = match kind {
        FftKind::ComplexToComplex => (cin, cout),
        FftKind::RealToComplex => (F::CODE, cout),
        FftKind::ComplexToReal => (cin, F::CODE),
    };
    if input.type_code() != Some(want_in) || out.type_code() != Some(want_out) {
        return Err(TaskError::new(format!("fft: {kind:?} of one precision: input {want_in:?} and output {want_out:?}")));
    }
    let (si, so) = (input.shape(), out.shape());
    if si.len() != so.len() || p.axis >= so.len() || so[p.axis] != kind.out_len(p.n) {
        return Err(TaskError::new(format!("fft: tiles {si:?} -> {so:?} do not fit a transform of length {} along axis {}", p.n, p.axis)));
    }
    if out.is_empty() {
        return Ok(());
    }
    match kind {
        FftKind::ComplexToComplex => complex_to_complex(input, out, p),
        FftKind::RealToComplex => real_to_complex(input, out, p),
        FftKind::ComplexToReal => complex_to_real(input, out, p),
    }
}

pub struct FftTask;

impl Task for FftTask {
    const TASK_ID: u32 = crate::FFT;
    const NAME: &'static str = "fft";

    /// Scalars: kind (u32, an `FftKind` code), axis (u32), n (u64, the transform
    /// length), inverse (bool: the sign of a complex transform), scale (f64, applied
    /// to every output), conj (bool: conjugate the output of a real-to-complex
    /// transform, the input of a complex-to-real one). Input 0 → output 0: whole
    /// lines along the axis, the same extents elsewhere.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let kind = FftKind::from_code(code).ok_or_else(|| TaskError::new(format!("unknown fft kind {code}")))?;
        let axis = ctx.scalar::<u32>(1)? as usize;
        let n = ctx.scalar::<u64>(2)? as usize;
        let inverse = ctx.scalar::<bool>(3)?;
        let scale = ctx.scalar::<f64>(4)?;
        let conj = ctx.scalar::<bool>(5)?;
        if n == 0 {
            return Err(TaskError::new("fft: the transform length must be at least 1"));
        }
        let input = ctx.input(0)?;
        let out = ctx.output(0)?;
        // The output's type picks the precision (a complex-to-real output is real).
        let single = matches!(out.type_code(), Some(TypeCode::Float32 | TypeCode::Complex64));
        if single {
            run::<f32>(kind, &input, &out, &Params { axis, n, inverse, scale: scale as f32, conj })
        } else {
            run::<f64>(kind, &input, &out, &Params { axis, n, inverse, scale, conj })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FftNorm;

    #[test]
    fn output_lengths_and_scales() {
        assert_eq!(FftKind::RealToComplex.out_len(8), 5);
        assert_eq!(FftKind::RealToComplex.out_len(7), 4);
        assert_eq!(FftKind::ComplexToReal.out_len(7), 7);
        assert_eq!(FftKind::from_code(2), Some(FftKind::ComplexToReal));
        assert_eq!(FftKind::from_code(3), None);
        assert_eq!(FftNorm::Backward.scale(4, false), 1.0);
        assert_eq!(FftNorm::Backward.scale(4, true), 0.25);
        assert_eq!(FftNorm::Forward.scale(4, false), 0.25);
        assert_eq!(FftNorm::Forward.scale(4, true), 1.0);
        assert_eq!(FftNorm::Ortho.scale(4, true), 0.5);
    }

    #[test]
    fn the_plan_cache_keeps_recent_plans_only() {
        let mut cache = PlanCache::<f64> { max_plans: 8, max_planned: 1000, ..PlanCache::new() };
        for n in 1..=12 {
            cache.get(FftKind::ComplexToComplex, n, false);
        }
        assert_eq!(cache.plans.len(), 8);
        assert_eq!(cache.plans[0].0, (FftKind::ComplexToComplex, 12, false));
        // A hit moves the plan to the front; a long plan pushes the others out.
        cache.get(FftKind::ComplexToComplex, 10, false);
        assert_eq!(cache.plans[0].0 .1, 10);
        cache.get(FftKind::RealToComplex, 995, false);
        assert_eq!(cache.plans.len(), 1, "only the long plan fits the budget");
        cache.get(FftKind::RealToComplex, 2000, false);
        assert_eq!(cache.plans.len(), 1, "a plan over the budget is still kept, alone");
        assert!(matches!(cache.get(FftKind::ComplexToReal, 6, true), Plan::Inverse(_)));
    }
}
