//! Per-element samplers of NumPy's distributions on the counter-based generator.
//!
//! Element `i` (row-major index in the whole output) of draw `k` under seed `s` owns
//! the stream of Philox4x32-10 blocks with key `s` and counters `(i, k ^ (b << 40))`,
//! `b = 0, 1, 2, ...` ([`ElementRng`]). A sampler that rejects simply reads more of its
//! own stream, so every element is a pure function of `(s, k, i)` and of its
//! parameters: results do not depend on the partitioning or the processor count.
//! (`tasks::random`'s vectorized uniform/normal/integer fills pack two or four values
//! into one counter instead; each call uses its own draw number, so the streams never
//! meet.)
//!
//! Parameters are `f64`, each a scalar or an input store of the output's shape (the
//! caller broadcasts). The callers validate them (NumPy's exceptions); here invalid
//! values give NaN (floats) or 0 (integers) rather than failing. Continuous
//! distributions write `f64`, discrete ones `i64`.

use legate_core::{LogicalStore, PhysicalStore, Scalar, Task, TaskContext, TaskError};
use rand_core::{Infallible, TryRng};
use rand_distr::{
    Beta, Binomial, ChiSquared, Distribution, Exp1, FisherF, Gamma, Hypergeometric, InverseGaussian, Open01, Poisson,
    StandardNormal, StandardUniform, StudentT,
};

use super::random::philox4x32_10;
use crate::{LegateError, Numeric, Operand, Result};

/// The private stream of one element (see the module docs).
pub struct ElementRng {
    key: [u32; 2],
    index: u64,
    draw: u64,
    block: u64,
    buf: [u32; 4],
    pos: usize,
}

impl ElementRng {
    pub fn new(seed: u64, draw: u64, index: u64) -> ElementRng {
        ElementRng { key: [seed as u32, (seed >> 32) as u32], index, draw, block: 0, buf: [0; 4], pos: 4 }
    }

    #[inline]
    fn word(&mut self) -> u32 {
        if self.pos == 4 {
            let d = self.draw ^ (self.block << 40);
            self.buf = philox4x32_10([self.index as u32, (self.index >> 32) as u32, d as u32, (d >> 32) as u32], self.key);
            self.block += 1;
            self.pos = 0;
        }
        self.pos += 1;
        self.buf[self.pos - 1]
    }
}

impl TryRng for ElementRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> std::result::Result<u32, Infallible> {
        Ok(self.word())
    }

    fn try_next_u64(&mut self) -> std::result::Result<u64, Infallible> {
        let lo = self.word() as u64;
        Ok(lo | (self.word() as u64) << 32)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let w = self.word().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

/// The distributions of [`SampleTask`], with their parameter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Sampler {
    Exponential = 0,
    Gamma = 1,
    Beta = 2,
    Chisquare = 3,
    F = 4,
    StandardT = 5,
    StandardCauchy = 6,
    Lognormal = 7,
    Laplace = 8,
    Logistic = 9,
    Gumbel = 10,
    Pareto = 11,
    Power = 12,
    Rayleigh = 13,
    Weibull = 14,
    Triangular = 15,
    Vonmises = 16,
    Wald = 17,
    NoncentralChisquare = 18,
    NoncentralF = 19,
    Normal = 20,
    Uniform = 21,
    Binomial = 32,
    Poisson = 33,
    Geometric = 34,
    NegativeBinomial = 35,
    Hypergeometric = 36,
    Logseries = 37,
    Zipf = 38,
}

const SAMPLERS: &[(Sampler, &str, usize)] = &[
    (Sampler::Exponential, "exponential", 1),
    (Sampler::Gamma, "gamma", 2),
    (Sampler::Beta, "beta", 2),
    (Sampler::Chisquare, "chisquare", 1),
    (Sampler::F, "f", 2),
    (Sampler::StandardT, "standard_t", 1),
    (Sampler::StandardCauchy, "standard_cauchy", 0),
    (Sampler::Lognormal, "lognormal", 2),
    (Sampler::Laplace, "laplace", 2),
    (Sampler::Logistic, "logistic", 2),
    (Sampler::Gumbel, "gumbel", 2),
    (Sampler::Pareto, "pareto", 1),
    (Sampler::Power, "power", 1),
    (Sampler::Rayleigh, "rayleigh", 1),
    (Sampler::Weibull, "weibull", 1),
    (Sampler::Triangular, "triangular", 3),
    (Sampler::Vonmises, "vonmises", 2),
    (Sampler::Wald, "wald", 2),
    (Sampler::NoncentralChisquare, "noncentral_chisquare", 2),
    (Sampler::NoncentralF, "noncentral_f", 3),
    (Sampler::Normal, "normal", 2),
    (Sampler::Uniform, "uniform", 2),
    (Sampler::Binomial, "binomial", 2),
    (Sampler::Poisson, "poisson", 1),
    (Sampler::Geometric, "geometric", 1),
    (Sampler::NegativeBinomial, "negative_binomial", 2),
    (Sampler::Hypergeometric, "hypergeometric", 3),
    (Sampler::Logseries, "logseries", 1),
    (Sampler::Zipf, "zipf", 1),
];

impl Sampler {
    pub fn from_code(c: u32) -> Option<Sampler> {
        SAMPLERS.iter().find(|s| s.0 as u32 == c).map(|s| s.0)
    }

    pub fn from_name(name: &str) -> Option<Sampler> {
        SAMPLERS.iter().find(|s| s.1 == name).map(|s| s.0)
    }

    /// How many parameters the distribution takes.
    pub fn arity(self) -> usize {
        SAMPLERS.iter().find(|s| s.0 == self).map_or(0, |s| s.2)
    }

    /// Whether values are integers (written as `i64`).
    pub fn is_discrete(self) -> bool {
        self as u32 >= 32
    }
}

#[inline]
fn exp1(r: &mut ElementRng) -> f64 {
    Exp1.sample(r)
}

#[inline]
fn normal(r: &mut ElementRng) -> f64 {
    StandardNormal.sample(r)
}

#[inline]
fn open01(r: &mut ElementRng) -> f64 {
    Open01.sample(r)
}

#[inline]
fn unit(r: &mut ElementRng) -> f64 {
    StandardUniform.sample(r)
}

fn gamma(r: &mut ElementRng, shape: f64, scale: f64) -> f64 {
    if shape == 0.0 || scale == 0.0 {
        return 0.0;
    }
    Gamma::new(shape, scale).map_or(f64::NAN, |d| d.sample(r))
}

fn chisquare(r: &mut ElementRng, df: f64) -> f64 {
    ChiSquared::new(df).map_or(f64::NAN, |d| d.sample(r))
}

fn poisson(r: &mut ElementRng, lam: f64) -> f64 {
    if lam == 0.0 {
        return 0.0;
    }
    Poisson::new(lam).map_or(f64::NAN, |d| d.sample(r))
}

fn noncentral_chisquare(r: &mut ElementRng, df: f64, nonc: f64) -> f64 {
    if nonc.is_nan() {
        return f64::NAN;
    }
    if nonc == 0.0 {
        return chisquare(r, df);
    }
    if df > 1.0 {
        // A chi-square of df - 1 plus the square of a shifted normal.
        let c = chisquare(r, df - 1.0);
        let n = normal(r) + nonc.sqrt();
        c + n * n
    } else {
        // A Poisson mixture of central chi-squares.
        let i = poisson(r, nonc / 2.0);
        chisquare(r, df + 2.0 * i)
    }
}

/// Best and Fisher's wrapped-Cauchy rejection (a wrapped normal for very large kappa).
fn vonmises(r: &mut ElementRng, mu: f64, kappa: f64) -> f64 {
    use std::f64::consts::PI;
    if kappa < 1e-8 {
        return PI * (2.0 * unit(r) - 1.0);
    }
    let w = if kappa > 1e6 {
        // The distribution is a normal of variance 1/kappa to double precision.
        let x = mu + normal(r) / kappa.sqrt();
        return wrap_angle(x);
    } else {
        let s = if kappa < 1e-5 {
            1.0 / kappa + kappa
        } else {
            let t = 1.0 + (1.0 + 4.0 * kappa * kappa).sqrt();
            let rho = (t - (2.0 * t).sqrt()) / (2.0 * kappa);
            (1.0 + rho * rho) / (2.0 * rho)
        };
        loop {
            let z = (PI * unit(r)).cos();
            let w = (1.0 + s * z) / (s + z);
            let y = kappa * (s - w);
            let v = unit(r);
            if y * (2.0 - y) - v >= 0.0 || (y / v).ln() + 1.0 - y >= 0.0 {
                break w;
            }
        }
    };
    let mut x = w.clamp(-1.0, 1.0).acos();
    if unit(r) < 0.5 {
        x = -x;
    }
    wrap_angle(x + mu)
}

/// `x` moved into `[-pi, pi]` by a whole number of turns.
fn wrap_angle(x: f64) -> f64 {
    use std::f64::consts::PI;
    let m = (x.abs() + PI).rem_euclid(2.0 * PI) - PI;
    if x < 0.0 { -m } else { m }
}

/// Kemp's algorithm for the logarithmic series distribution.
fn logseries(r: &mut ElementRng, p: f64) -> f64 {
    let lr = (-p).ln_1p();
    loop {
        let v = unit(r);
        if v >= p {
            return 1.0;
        }
        let q = -(lr * unit(r)).exp_m1();
        if v <= q * q {
            let x = (1.0 + v.ln() / q.ln()).floor();
            if x < 1.0 || v == 0.0 {
                continue;
            }
            return x;
        }
        return if v >= q { 1.0 } else { 2.0 };
    }
}

/// The number of trials up to and including the first success (NumPy's count), by
/// inversion: `ceil(E / -log(1 - p))` for a standard exponential `E`. Values beyond
/// the int64 range saturate, as in NumPy.
fn geometric(r: &mut ElementRng, p: f64) -> f64 {
    if p >= 1.0 {
        return 1.0;
    }
    if !(p > 0.0) {
        return 0.0;
    }
    let x = (exp1(r) / -(-p).ln_1p()).ceil();
    if x >= I64_LIMIT { i64::MAX as f64 } else { x.max(1.0) }
}

/// 2**63: the first value past the int64 range (as f64).
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// Zipf (zeta) draws by Devroye's rejection from the continuous Pareto envelope
/// `X = floor(U^(-1/(a-1)))`. NumPy rejects proposals beyond the int64 range; drawing
/// `U` only from the part of (0, 1] whose proposals stay in range gives the same
/// distribution without the (for `a` near 1, nearly certain) wasted tries.
fn zipf(r: &mut ElementRng, a: f64) -> f64 {
    if !(a > 1.0) {
        return 0.0;
    }
    if a >= 1025.0 {
        // 2**(a - 1) overflows; any value but 1 has probability below 2**-1024.
        return 1.0;
    }
    let am1 = a - 1.0;
    let b = am1.exp2();
    // P(proposal < 2**63) = 1 - 2**(-63 (a - 1)): U = 1 - width * v, v in [0, 1).
    let width = -(-am1 * I64_LIMIT.ln()).exp_m1();
    loop {
        let u_ln = (-width * unit(r)).ln_1p();
        let v = unit(r);
        let x = (-u_ln / am1).exp().floor();
        if !(x >= 1.0 && x < I64_LIMIT) {
            continue;
        }
        let t = (am1 * (1.0 / x).ln_1p()).exp();
        if v * x * (t - 1.0) / (b - 1.0) <= t / b {
            return x;
        }
    }
}

/// A distribution whose set-up costs more than a draw (tables, logarithms), built
/// once for a run of elements with the same parameters.
enum Prepared {
    Binomial(Binomial),
    Poisson(Poisson<f64>),
    Hypergeometric(Hypergeometric),
    /// Set up per draw (cheap), or invalid parameters.
    None,
}

fn prepare(dist: Sampler, p: [f64; 3]) -> Prepared {
    let [a, b, c] = p;
    match dist {
        Sampler::Binomial if a >= 0.0 && (0.0..=1.0).contains(&b) => Binomial::new(a as u64, b).map_or(Prepared::None, Prepared::Binomial),
        Sampler::Poisson if a > 0.0 => Poisson::new(a).map_or(Prepared::None, Prepared::Poisson),
        Sampler::Hypergeometric => Hypergeometric::new(a as u64 + b as u64, a as u64, c as u64).map_or(Prepared::None, Prepared::Hypergeometric),
        _ => Prepared::None,
    }
}

/// One value of `dist` with parameters `p`, set up for this element alone.
#[cfg(test)]
fn sample_one(dist: Sampler, r: &mut ElementRng, p: [f64; 3]) -> f64 {
    sample_prepared(dist, r, p, &prepare(dist, p))
}

/// One value of `dist` with parameters `p` from the element's stream; `prep` is what
/// [`prepare`] made of `p`.
fn sample_prepared(dist: Sampler, r: &mut ElementRng, p: [f64; 3], prep: &Prepared) -> f64 {
    let [a, b, c] = p;
    match dist {
        Sampler::Exponential => a * exp1(r),
        Sampler::Gamma => gamma(r, a, b),
        Sampler::Beta => Beta::new(a, b).map_or(f64::NAN, |d| d.sample(r)),
        Sampler::Chisquare => chisquare(r, a),
        Sampler::F => FisherF::new(a, b).map_or(f64::NAN, |d| d.sample(r)),
        Sampler::StandardT => StudentT::new(a).map_or(f64::NAN, |d| d.sample(r)),
        Sampler::StandardCauchy => normal(r) / normal(r),
        Sampler::Lognormal => (a + b * normal(r)).exp(),
        Sampler::Laplace => {
            let u = open01(r);
            if u < 0.5 { a + b * (2.0 * u).ln() } else { a - b * (2.0 * (1.0 - u)).ln() }
        }
        Sampler::Logistic => {
            let u = open01(r);
            a + b * (u / (1.0 - u)).ln()
        }
        Sampler::Gumbel => a - b * exp1(r).ln(),
        Sampler::Pareto => (exp1(r) / a).exp_m1(),
        Sampler::Power => (-(-exp1(r)).exp_m1()).powf(1.0 / a),
        Sampler::Rayleigh => a * (2.0 * exp1(r)).sqrt(),
        Sampler::Weibull => {
            if a == 0.0 {
                0.0
            } else {
                exp1(r).powf(1.0 / a)
            }
        }
        Sampler::Triangular => {
            // Inverse CDF of the triangle (left a, mode b, right c).
            let (base, left, right) = (c - a, b - a, c - b);
            let u = unit(r);
            if u <= left / base { a + (u * left * base).sqrt() } else { c - ((1.0 - u) * right * base).sqrt() }
        }
        Sampler::Vonmises => vonmises(r, a, b),
        Sampler::Wald => InverseGaussian::new(a, b).map_or(f64::NAN, |d| d.sample(r)),
        Sampler::NoncentralChisquare => noncentral_chisquare(r, a, b),
        Sampler::NoncentralF => {
            let t = noncentral_chisquare(r, a, c) * b;
            t / (chisquare(r, b) * a)
        }
        Sampler::Normal => a + b * normal(r),
        Sampler::Uniform => a + (b - a) * unit(r),
        Sampler::Binomial => match prep {
            Prepared::Binomial(d) => d.sample(r) as f64,
            _ => 0.0,
        },
        Sampler::Poisson => match prep {
            Prepared::Poisson(d) => d.sample(r),
            _ if a == 0.0 => 0.0,
            _ => f64::NAN,
        },
        Sampler::Geometric => geometric(r, a),
        Sampler::NegativeBinomial => {
            if b >= 1.0 {
                return 0.0;
            }
            let y = gamma(r, a, (1.0 - b) / b);
            poisson(r, y)
        }
        Sampler::Hypergeometric => match prep {
            Prepared::Hypergeometric(d) => d.sample(r) as f64,
            _ => 0.0,
        },
        Sampler::Logseries => logseries(r, a),
        Sampler::Zipf => zipf(r, a),
    }
}

/// Fills output 0 with draws of a distribution.
pub struct SampleTask;

impl Task for SampleTask {
    const TASK_ID: u32 = crate::SAMPLE;
    const NAME: &'static str = "random_sample";

    /// Scalars: sampler (u32), seed (u64), draw (u64), array flags (u32: bit `j` set
    /// when parameter `j` is input store number popcount(flags below j)), the scalar
    /// parameters (f64, one per parameter whose bit is clear), then the extents of the
    /// whole output (i64, one per dimension). Output: f64 or i64 (discrete).
    fn cpu(ctx: &mut TaskContext) -> std::result::Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let dist = Sampler::from_code(code).ok_or_else(|| TaskError::new(format!("unknown sampler {code}")))?;
        let (seed, draw, flags) = (ctx.scalar::<u64>(1)?, ctx.scalar::<u64>(2)?, ctx.scalar::<u32>(3)?);
        let mut next = 4;
        let mut scalars = [0.0f64; 3];
        for (j, s) in scalars.iter_mut().enumerate().take(dist.arity()) {
            if flags >> j & 1 == 0 {
                *s = ctx.scalar::<f64>(next)?;
                next += 1;
            }
        }
        let out = ctx.output(0)?;
        let full: Vec<i64> = (0..out.ndim()).map(|d| ctx.scalar::<i64>(next + d)).collect::<std::result::Result<_, _>>()?;
        let inputs = ctx.inputs();
        let mut tiles: Vec<&PhysicalStore> = vec![&out];
        tiles.extend(inputs.iter());
        let discrete = dist.is_discrete();
        let mut cache: Option<([f64; 3], Prepared)> = None;
        each_element(&tiles, &out, &full, |ptrs, flat| {
            let mut p = scalars;
            let mut k = 1;
            for (j, v) in p.iter_mut().enumerate() {
                if flags >> j & 1 == 1 {
                    // SAFETY: an element of input k's tile, aligned with the output.
                    *v = unsafe { *(ptrs[k] as *const f64) };
                    k += 1;
                }
            }
            // Bit-equal parameters (NaN never is: it is set up again, harmlessly).
            if cache.as_ref().is_none_or(|c| c.0 != p) {
                cache = Some((p, prepare(dist, p)));
            }
            let mut r = ElementRng::new(seed, draw, flat);
            let x = sample_prepared(dist, &mut r, p, &cache.as_ref().unwrap().1);
            // SAFETY: the output element of this position.
            unsafe {
                if discrete {
                    *(ptrs[0] as *mut i64) = x as i64;
                } else {
                    *(ptrs[0] as *mut f64) = x;
                }
            }
        });
        Ok(())
    }
}

/// Calls `f(element_ptrs, flat)` for every element of the aligned `tiles`, where `flat`
/// is the element's row-major index in the whole output (extents `full`).
fn each_element(tiles: &[&PhysicalStore], out: &PhysicalStore, full: &[i64], mut f: impl FnMut(&[*mut u8], u64)) {
    let shape = out.shape();
    let nd = shape.len();
    let lo = out.lo();
    let mut gstride = vec![1u64; nd];
    for d in (0..nd.saturating_sub(1)).rev() {
        gstride[d] = gstride[d + 1] * full[d + 1].max(0) as u64;
    }
    let outer = nd.saturating_sub(1);
    let mut idx = vec![0usize; outer];
    let mut ptrs = vec![std::ptr::null_mut::<u8>(); tiles.len()];
    legate_core::abi::for_each_row(tiles, |rows, n, strides| {
        let mut flat = if nd == 0 { 0 } else { lo[nd - 1] as u64 };
        for d in 0..outer {
            flat += (lo[d] as u64 + idx[d] as u64) * gstride[d];
        }
        for i in 0..n {
            for (t, p) in ptrs.iter_mut().enumerate() {
                *p = rows[t].wrapping_offset(i as isize * strides[t] as isize);
            }
            f(&ptrs, flat + i as u64);
        }
        // The next row (for_each_row walks rows in row-major order).
        let mut d = outer;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    });
}

impl Numeric {
    /// Fills `out` (f64, or i64 for discrete distributions) with draw `draw` of
    /// `dist` under `seed`: element `i` (row-major) depends only on `(seed, draw, i)`
    /// and its parameters. `params`: one per parameter of the distribution, an f64
    /// scalar or an f64 store of `out`'s shape.
    pub fn random_sample(&self, out: &LogicalStore, dist: Sampler, seed: u64, draw: u64, params: &[Operand]) -> Result<()> {
        use legate_core::Type;
        let want = if dist.is_discrete() { Type::Int64 } else { Type::Float64 };
        if *out.ty() != want {
            return Err(LegateError::TypeMismatch(format!("random {dist:?}: the output must be {want}, not {}", out.ty())));
        }
        if params.len() != dist.arity() {
            return Err(LegateError::InvalidArgument(format!("random {dist:?} takes {} parameters", dist.arity())));
        }
        if out.volume() == 0 {
            return Ok(());
        }
        let mut t = self.rt.create_auto_task(&self.lib, crate::SAMPLE);
        t.add_scalar_arg(dist as u32);
        t.add_scalar_arg(seed);
        t.add_scalar_arg(draw);
        let flags = params.iter().enumerate().fold(0u32, |f, (j, p)| f | (matches!(p, Operand::Store(_)) as u32) << j);
        t.add_scalar_arg(flags);
        for p in params {
            if let Operand::Scalar(s) = p {
                if *s.ty() != Type::Float64 {
                    return Err(LegateError::TypeMismatch(format!("random {dist:?}: parameters must be float64")));
                }
                t.add_scalar_arg(Scalar::clone(s));
            }
        }
        for &e in out.shape().as_slice() {
            t.add_scalar_arg(e);
        }
        let o = t.add_output(out);
        for p in params {
            if let Operand::Store(s) = p {
                if s.shape() != out.shape() || *s.ty() != Type::Float64 {
                    return Err(LegateError::InvalidArgument(format!("random {dist:?}: array parameters must be float64 of the output's shape")));
                }
                let v = t.add_input(s);
                t.add_alignment(v, o);
            }
        }
        t.execute()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(dist: Sampler, p: [f64; 3], n: u64) -> Vec<f64> {
        (0..n).map(|i| sample_one(dist, &mut ElementRng::new(7, 3, i), p)).collect()
    }

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn element_streams_are_pure_functions_of_the_index() {
        let a = draws(Sampler::Gamma, [0.5, 2.0, 0.0], 100);
        let b: Vec<f64> = (0..100).rev().map(|i| sample_one(Sampler::Gamma, &mut ElementRng::new(7, 3, i), [0.5, 2.0, 0.0])).collect();
        assert_eq!(a, b.into_iter().rev().collect::<Vec<_>>());
    }

    #[test]
    fn means_match() {
        let n = 20_000;
        for (dist, p, want, sd) in [
            (Sampler::Exponential, [2.0, 0.0, 0.0], 2.0, 2.0),
            (Sampler::Gamma, [3.0, 2.0, 0.0], 6.0, 12f64.sqrt()),
            (Sampler::Beta, [2.0, 3.0, 0.0], 0.4, 0.2),
            (Sampler::Poisson, [4.0, 0.0, 0.0], 4.0, 2.0),
            (Sampler::Binomial, [10.0, 0.3, 0.0], 3.0, 2.1f64.sqrt()),
            (Sampler::Geometric, [0.25, 0.0, 0.0], 4.0, 12f64.sqrt()),
            (Sampler::Hypergeometric, [10.0, 20.0, 6.0], 2.0, 1.1),
            (Sampler::Vonmises, [0.5, 4.0, 0.0], 0.5, 0.6),
            (Sampler::Triangular, [0.0, 1.0, 3.0], 4.0 / 3.0, 0.7),
            (Sampler::Logseries, [0.5, 0.0, 0.0], 1.4427, 0.8),
            (Sampler::NegativeBinomial, [3.0, 0.5, 0.0], 3.0, 6f64.sqrt()),
            (Sampler::NoncentralChisquare, [3.0, 2.0, 0.0], 5.0, 14f64.sqrt()),
            (Sampler::NoncentralChisquare, [0.5, 2.0, 0.0], 2.5, 9f64.sqrt()),
            (Sampler::Geometric, [0.9, 0.0, 0.0], 1.0 / 0.9, 0.1f64.sqrt() / 0.9),
            (Sampler::Zipf, [4.0, 0.0, 0.0], 1.2020569 / 1.0823232, 0.2863f64.sqrt()),
        ] {
            let m = mean(&draws(dist, p, n));
            assert!((m - want).abs() < 5.0 * sd / (n as f64).sqrt(), "{dist:?}: mean {m}, want {want}");
        }
    }

    #[test]
    fn heavy_tails_stay_in_the_int64_range() {
        // Zipf with a barely above 1: nearly every Pareto proposal is past 2**63, so
        // the proposals are drawn from the in-range part only.
        let z = draws(Sampler::Zipf, [1.0 + 1e-7, 0.0, 0.0], 2000);
        assert!(z.iter().all(|&x| x >= 1.0 && x < I64_LIMIT));
        assert_eq!(draws(Sampler::Zipf, [2000.0, 0.0, 0.0], 10), vec![1.0; 10]);
        // Geometric with mean 1e20: P(X < 2**63) = 1 - (1 - p)**(2**63), about 0.088.
        let g = draws(Sampler::Geometric, [1e-20, 0.0, 0.0], 20_000);
        let inside = g.iter().filter(|&&x| x < I64_LIMIT).count() as f64 / g.len() as f64;
        assert!((inside - 0.088).abs() < 0.01, "{inside}");
    }
}
