//! Random numbers from a counter-based generator (Philox4x32-10).
//!
//! Element `i` (its row-major linear index in the whole array) of draw `k` (the
//! generator's call counter) under seed `s` is a pure function of `(s, k, i)`: the
//! 64-bit key is `s` and the 128-bit counter is `(i / PER, k)`, where one counter's
//! 128 random bits make `PER` values (two for doubles, normals and integers, four for
//! `float32`). No state is carried from one element to the next, so every point task
//! fills its tile independently and the result does not depend on how the array was
//! partitioned or on the processor count. Counters are generated sixteen at a time
//! over lane arrays, which the compiler vectorizes.
//!
//! Distributions: uniform floats (53 random bits for `float64`, 24 for `float32`),
//! normal floats (Box-Muller: one counter's two 64-bit words give the cosine and sine
//! deviates of elements `2j` and `2j + 1`), and integers in `[low, low + range)` by
//! Lemire's multiply-and-reject on one 64-bit word (exactly uniform: a rejected word
//! is replaced by the same word of a counter with an attempt number folded into the
//! draw's high bits).

use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// Philox4x32 with 10 rounds (Salmon et al., "Parallel random numbers: as easy as 1,
/// 2, 3", SC'11).
#[inline(always)]
pub fn philox4x32_10(mut ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let (mut k0, mut k1) = (key[0], key[1]);
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        let p0 = (M0 as u64) * (ctr[0] as u64);
        let p1 = (M1 as u64) * (ctr[2] as u64);
        ctr = [((p1 >> 32) as u32) ^ ctr[1] ^ k0, p1 as u32, ((p0 >> 32) as u32) ^ ctr[3] ^ k1, p0 as u32];
    }
    ctr
}

/// The two 64-bit words of element `index` of draw `draw` under `seed`.
#[inline(always)]
pub fn random_words(seed: u64, draw: u64, index: u64) -> (u64, u64) {
    let r = philox4x32_10([index as u32, (index >> 32) as u32, draw as u32, (draw >> 32) as u32], [seed as u32, (seed >> 32) as u32]);
    (r[0] as u64 | (r[1] as u64) << 32, r[2] as u64 | (r[3] as u64) << 32)
}

const TWO_M53: f64 = 1.0 / (1u64 << 53) as f64;
const TWO_M24: f32 = 1.0 / (1u32 << 24) as f32;

/// Counters generated at once: the rounds run over arrays of this many lanes, which
/// the compiler vectorizes.
const LANES: usize = 16;

/// Philox4x32-10 of the counters `(ctr0 + l, draw)`, `l < LANES`, as four word arrays.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // lane loops over several arrays vectorize
fn philox_block(seed: u64, draw: u64, ctr0: u64) -> [[u32; LANES]; 4] {
    let mut c = [[0u32; LANES]; 4];
    for l in 0..LANES {
        let i = ctr0.wrapping_add(l as u64);
        c[0][l] = i as u32;
        c[1][l] = (i >> 32) as u32;
        c[2][l] = draw as u32;
        c[3][l] = (draw >> 32) as u32;
    }
    let (mut k0, mut k1) = (seed as u32, (seed >> 32) as u32);
    for _ in 0..10 {
        for l in 0..LANES {
            let p0 = (M0 as u64) * (c[0][l] as u64);
            let p1 = (M1 as u64) * (c[2][l] as u64);
            let n0 = ((p1 >> 32) as u32) ^ c[1][l] ^ k0;
            let n2 = ((p0 >> 32) as u32) ^ c[3][l] ^ k1;
            c[0][l] = n0;
            c[1][l] = p1 as u32;
            c[2][l] = n2;
            c[3][l] = p0 as u32;
        }
        k0 = k0.wrapping_add(W0);
        k1 = k1.wrapping_add(W1);
    }
    c
}

/// The 64-bit words of a block: word `2l` is counter `l`'s first half, `2l + 1` its
/// second.
#[inline(always)]
fn words_of(c: &[[u32; LANES]; 4]) -> [u64; 2 * LANES] {
    let mut w = [0u64; 2 * LANES];
    for l in 0..LANES {
        w[2 * l] = c[0][l] as u64 | (c[1][l] as u64) << 32;
        w[2 * l + 1] = c[2][l] as u64 | (c[3][l] as u64) << 32;
    }
    w
}

/// A uniform double in `[0, 1)` from the top 53 bits of `w`.
#[inline(always)]
fn unit_f64(w: u64) -> f64 {
    (w >> 11) as f64 * TWO_M53
}

/// Two standard normal deviates (Box-Muller) from two words.
#[inline(always)]
fn normal_pair(a: u64, b: u64) -> (f64, f64) {
    let u1 = ((a >> 11) + 1) as f64 * TWO_M53; // (0, 1]: the log stays finite
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * unit_f64(b)).sin_cos();
    (r * c, r * s)
}

/// Lemire's multiply-shift: `Some(value in [0, range))` unless `w` must be rejected.
#[inline(always)]
fn lemire(w: u64, range: u64, threshold: u64) -> Option<u64> {
    let m = (w as u128) * (range as u128);
    ((m as u64) >= threshold).then_some((m >> 64) as u64)
}

/// Element `flat` of an integer draw whose first candidate (`w`) was rejected: fresh
/// candidates from the same word of counters with an attempt number in the draw's
/// high bits (probability of getting here: below range / 2^64).
#[cold]
fn bounded_retry(seed: u64, draw: u64, flat: u64, range: u64, threshold: u64) -> u64 {
    let mut attempt = 1u64;
    loop {
        let (a, b) = random_words(seed, draw ^ (attempt << 48), flat >> 1);
        if let Some(v) = lemire(if flat & 1 == 0 { a } else { b }, range, threshold) {
            return v;
        }
        attempt += 1;
    }
}

/// Element `flat` of an integer draw in `[0, range)` (`range == 0`: all of `u64`),
/// exactly uniform (the scalar form of the kernel, for tests).
#[cfg(test)]
fn bounded(seed: u64, draw: u64, flat: u64, range: u64) -> u64 {
    let (a, b) = random_words(seed, draw, flat >> 1);
    let w = if flat & 1 == 0 { a } else { b };
    if range == 0 {
        return w;
    }
    let threshold = range.wrapping_neg() % range;
    lemire(w, range, threshold).unwrap_or_else(|| bounded_retry(seed, draw, flat, range, threshold))
}

/// Calls `f(row_ptr, len, byte_stride, flat_start)` for every innermost row of `tile`,
/// where `flat_start` is the row-major linear index, in a whole array of extents
/// `full`, of the row's first element (the tile's coordinates are global: `lo()`).
/// Rows come in increasing `flat_start` order. A 0-d tile is one row of one element.
pub(crate) fn for_each_global_row(tile: &PhysicalStore, full: &[i64], mut f: impl FnMut(*mut u8, usize, isize, u64)) {
    let shape = tile.shape();
    let nd = shape.len();
    if shape.contains(&0) {
        return;
    }
    if nd == 0 {
        f(tile.ptr(), 1, 0, 0);
        return;
    }
    let lo = tile.lo();
    let strides = tile.strides();
    let mut gstride = vec![1u64; nd];
    for d in (0..nd - 1).rev() {
        gstride[d] = gstride[d + 1] * full[d + 1].max(0) as u64;
    }
    let len = shape[nd - 1];
    let inner = strides[nd - 1] as isize;
    let outer = nd - 1;
    let mut idx = vec![0usize; outer];
    loop {
        let mut off = 0isize;
        let mut flat = lo[nd - 1] as u64;
        for d in 0..outer {
            off += idx[d] as isize * strides[d] as isize;
            flat += (lo[d] as u64 + idx[d] as u64) * gstride[d];
        }
        // SAFETY: the offset addresses the first element of a row inside the tile.
        f(unsafe { tile.ptr().offset(off) }, len, inner, flat);
        let mut d = outer;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// An integer type (or bool) made from the low bits of a `u64` (two's complement).
trait FromBits: Element {
    fn from_bits(v: u64) -> Self;
}

macro_rules! from_bits {
    ($($t:ty),*) => {$(impl FromBits for $t { #[inline(always)] fn from_bits(v: u64) -> $t { v as $t } })*};
}
from_bits!(i8, i16, i32, i64, u8, u16, u32, u64);

impl FromBits for bool {
    #[inline(always)]
    fn from_bits(v: u64) -> bool {
        v & 1 != 0
    }
}

/// The distributions of [`RandomTask`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Distribution {
    /// Floats `low + (high - low) * u`, `u` uniform in `[0, 1)`.
    Uniform = 0,
    /// Floats `loc + scale * z`, `z` standard normal.
    Normal = 1,
    /// Integers in `[low, low + range)`.
    Integers = 2,
}

impl Distribution {
    pub fn from_code(c: u32) -> Option<Distribution> {
        [Distribution::Uniform, Distribution::Normal, Distribution::Integers].get(c as usize).copied()
    }

    pub fn from_name(name: &str) -> Option<Distribution> {
        match name {
            "uniform" => Some(Distribution::Uniform),
            "normal" => Some(Distribution::Normal),
            "integers" => Some(Distribution::Integers),
            _ => None,
        }
    }
}

/// Fills every row of `out` with values of element type `T`: element `f` (flat index)
/// is value `f % PER` of counter `f / PER`, and `block(ctr0, vals)` computes the
/// `LANES * PER` values of counters `ctr0 .. ctr0 + LANES`.
fn fill_rows<T: Element, const PER: usize>(
    out: &PhysicalStore,
    full: &[i64],
    mut block: impl FnMut(u64, &mut [T]),
) {
    let span = (LANES * PER) as u64;
    let mut vals = vec![unsafe_zero::<T>(); LANES * PER];
    let mut cached: Option<u64> = None;
    for_each_global_row(out, full, |p, n, s, flat| {
        let p = p as *mut T;
        let s = s / T::SIZE as isize;
        let (mut f, end) = (flat, flat + n as u64);
        let mut j = 0isize;
        while f < end {
            let ctr0 = f / PER as u64 / LANES as u64 * LANES as u64;
            if cached != Some(ctr0) {
                block(ctr0, &mut vals);
                cached = Some(ctr0);
            }
            let base = ctr0 * PER as u64;
            let stop = end.min(base + span);
            for v in &vals[(f - base) as usize..(stop - base) as usize] {
                // SAFETY: element j of a row of this point's output tile.
                unsafe { *p.offset(j * s) = *v };
                j += 1;
            }
            f = stop;
        }
    });
}

/// A zero-initialized value of an element type (all of them are plain numbers).
fn unsafe_zero<T: Element>() -> T {
    // SAFETY: every Element is a plain number for which all-zero bits are valid.
    unsafe { std::mem::zeroed() }
}

fn fill_uniform_f64(out: &PhysicalStore, full: &[i64], seed: u64, draw: u64, low: f64, high: f64) {
    let scale = high - low;
    fill_rows::<f64, 2>(out, full, |c, vals| {
        let w = words_of(&philox_block(seed, draw, c));
        for (v, w) in vals.iter_mut().zip(w) {
            *v = low + scale * unit_f64(w);
        }
    });
}

fn fill_uniform_f32(out: &PhysicalStore, full: &[i64], seed: u64, draw: u64, low: f64, high: f64) {
    let unit = low == 0.0 && high == 1.0;
    let (low, scale) = (low as f32, (high - low) as f32);
    fill_rows::<f32, 4>(out, full, |c, vals| {
        let b = philox_block(seed, draw, c);
        for l in 0..LANES {
            for k in 0..4 {
                let u = (b[k][l] >> 8) as f32 * TWO_M24;
                vals[4 * l + k] = if unit { u } else { low + scale * u };
            }
        }
    });
}

fn fill_normal<T: Element>(out: &PhysicalStore, full: &[i64], seed: u64, draw: u64, loc: f64, scale: f64, cast: impl Fn(f64) -> T) {
    fill_rows::<T, 2>(out, full, |c, vals| {
        let w = words_of(&philox_block(seed, draw, c));
        for l in 0..LANES {
            let (z0, z1) = normal_pair(w[2 * l], w[2 * l + 1]);
            vals[2 * l] = cast(loc + scale * z0);
            vals[2 * l + 1] = cast(loc + scale * z1);
        }
    });
}

fn fill_int<T: FromBits>(out: &PhysicalStore, full: &[i64], seed: u64, draw: u64, low: u64, range: u64) {
    let threshold = if range == 0 { 0 } else { range.wrapping_neg() % range };
    fill_rows::<T, 2>(out, full, |c, vals| {
        let w = words_of(&philox_block(seed, draw, c));
        for (k, (v, w)) in vals.iter_mut().zip(w).enumerate() {
            let x = if range == 0 {
                w
            } else {
                lemire(w, range, threshold).unwrap_or_else(|| bounded_retry(seed, draw, 2 * c + k as u64, range, threshold))
            };
            *v = T::from_bits(low.wrapping_add(x));
        }
    });
}

/// Fills output 0 with random numbers.
pub struct RandomTask;

impl Task for RandomTask {
    const TASK_ID: u32 = crate::RANDOM;
    const NAME: &'static str = "random";

    /// Scalars: distribution (u32), seed (u64), draw (u64), then for floats `low`/`loc`
    /// and `high`/`scale` (f64), for integers `low` (u64, two's complement) and `range`
    /// (u64, 0 = 2^64); then the extents of the whole output (i64, one per dimension).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.scalar::<u32>(0)?;
        let dist = Distribution::from_code(code).ok_or_else(|| TaskError::new(format!("unknown distribution {code}")))?;
        let seed = ctx.scalar::<u64>(1)?;
        let draw = ctx.scalar::<u64>(2)?;
        let out = ctx.output(0)?;
        let full: Vec<i64> = (0..out.ndim()).map(|d| ctx.scalar::<i64>(5 + d)).collect::<Result<_, _>>()?;
        use legate_core::abi::TypeCode;
        if dist == Distribution::Integers {
            let (low, range) = (ctx.scalar::<u64>(3)?, ctx.scalar::<u64>(4)?);
            match out.type_code() {
                Some(TypeCode::Bool) => fill_int::<bool>(&out, &full, seed, draw, low, range),
                Some(TypeCode::Int8) => fill_int::<i8>(&out, &full, seed, draw, low, range),
                Some(TypeCode::Int16) => fill_int::<i16>(&out, &full, seed, draw, low, range),
                Some(TypeCode::Int32) => fill_int::<i32>(&out, &full, seed, draw, low, range),
                Some(TypeCode::Int64) => fill_int::<i64>(&out, &full, seed, draw, low, range),
                Some(TypeCode::UInt8) => fill_int::<u8>(&out, &full, seed, draw, low, range),
                Some(TypeCode::UInt16) => fill_int::<u16>(&out, &full, seed, draw, low, range),
                Some(TypeCode::UInt32) => fill_int::<u32>(&out, &full, seed, draw, low, range),
                Some(TypeCode::UInt64) => fill_int::<u64>(&out, &full, seed, draw, low, range),
                other => return Err(TaskError::new(format!("random integers: unsupported dtype {other:?}"))),
            }
        } else {
            let (p0, p1) = (ctx.scalar::<f64>(3)?, ctx.scalar::<f64>(4)?);
            match (out.type_code(), dist) {
                (Some(TypeCode::Float32), Distribution::Uniform) => fill_uniform_f32(&out, &full, seed, draw, p0, p1),
                (Some(TypeCode::Float64), Distribution::Uniform) => fill_uniform_f64(&out, &full, seed, draw, p0, p1),
                (Some(TypeCode::Float32), _) => fill_normal::<f32>(&out, &full, seed, draw, p0, p1, |x| x as f32),
                (Some(TypeCode::Float64), _) => fill_normal::<f64>(&out, &full, seed, draw, p0, p1, |x| x),
                (other, _) => return Err(TaskError::new(format!("random floats: unsupported dtype {other:?}"))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn philox_known_answers() {
        // Random123's known-answer tests for philox4x32-10.
        assert_eq!(philox4x32_10([0, 0, 0, 0], [0, 0]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
        assert_eq!(
            philox4x32_10([0xffffffff; 4], [0xffffffff; 2]),
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
        );
        assert_eq!(
            philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    #[test]
    fn blocks_match_the_scalar_generator() {
        for (seed, draw, ctr0) in [(0u64, 0u64, 0u64), (42, 7, 1 << 33), (u64::MAX, u64::MAX, u64::MAX - 3)] {
            let b = philox_block(seed, draw, ctr0);
            let w = words_of(&b);
            for l in 0..LANES {
                let (a, bb) = random_words(seed, draw, ctr0.wrapping_add(l as u64));
                assert_eq!((w[2 * l], w[2 * l + 1]), (a, bb));
            }
        }
    }

    #[test]
    fn bounded_stays_in_range() {
        for range in [1u64, 2, 3, 7, 1000, u64::MAX / 3 * 2] {
            for i in 0..1000 {
                assert!(bounded(42, 3, i, range) < range);
            }
        }
    }
}
