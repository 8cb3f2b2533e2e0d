//! Sorting along one axis (`sort`, `argsort`), in NumPy's order: NaNs last, and
//! complex numbers lexicographically (a NaN part sorts after every number). Sorting is
//! stable, so `argsort` gives NumPy's `kind="stable"` result.
//!
//! Two launches: points owning whole lines (n-d arrays; [`sort_lines`]), and, for a 1-d
//! array on one rank, a sample sort across the processors ([`sort_window`]): each point
//! reads all of the input and produces its own tile of the sorted output.

use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};
use num_complex::Complex;
use std::cell::RefCell;
use std::cmp::Ordering;

use super::scan::for_each_line;

/// NumPy's sort order of one element type.
pub trait Sortable: Element + Copy {
    fn order(a: &Self, b: &Self) -> Ordering;
    /// How many low bits [`Sortable::key`] uses; 0 when the type has no such key (it
    /// is then sorted with `order`).
    const KEY_BITS: u32 = 0;
    /// An unsigned number whose order is `order`: equal elements (`-0.0` and `0.0`,
    /// any two NaNs) have equal keys, so a stable sort by key is NumPy's stable sort.
    fn key(self) -> u64 {
        0
    }
    /// [`Sortable::key`] that keeps `-0.0` below `0.0` (NaNs stay one key), and its
    /// inverse: a sort of these keys gives back the values (NaNs as NumPy's sort
    /// leaves them: one quiet NaN).
    #[inline(always)]
    fn exact_key(self) -> u64 {
        self.key()
    }
    fn from_exact_key(_: u64) -> Self {
        unreachable!("a type without radix keys")
    }
    /// Values whose [`Sortable::key`] ties with values of other bits (`0.0` with
    /// `-0.0`, a NaN with every NaN): a stable sort keeps those in input order.
    fn tied() -> &'static [Self] {
        &[]
    }
    /// Sorts a whole line in NumPy's order (unstable: equal elements in any order).
    /// Bytes and booleans count their values; integers of 16 to 64 bits (whose keys
    /// are as wide as they are, and map back to them) sort as their keys in place, with
    /// the vectorized sort where it runs.
    fn sort_line(line: &mut [Self]) {
        if (1..=8).contains(&Self::KEY_BITS) && line.len() >= 64 {
            return count_line(line);
        }
        if Self::KEY_BITS == 8 * Self::SIZE as u32 && line.len() >= 64 && simd::available() {
            match Self::SIZE {
                2 => return sort_as_words::<Self, u16>(line),
                4 => return sort_as_words::<Self, u32>(line),
                8 => return sort_as_words::<Self, u64>(line),
                _ => {}
            }
        }
        line.sort_unstable_by(by_order::<Self>);
    }
}

/// [`Sortable::sort_line`] of a type with keys of at most 8 bits that map back to its
/// values (bytes, booleans): a counting sort.
fn count_line<T: Sortable>(line: &mut [T]) {
    let mut counts = [0usize; 256];
    for v in line.iter() {
        counts[v.exact_key() as usize] += 1;
    }
    let mut at = 0;
    for (k, &c) in counts.iter().enumerate() {
        line[at..at + c].fill(T::from_exact_key(k as u64));
        at += c;
    }
}

/// [`Sortable::sort_line`] of a type whose exact keys are words `W` of its own size
/// that map back to it (integers): each element becomes its key in place, the keys
/// are sorted, and each becomes its value again. Only after [`simd::available`].
fn sort_as_words<T: Sortable, W: simd::Word>(line: &mut [T]) {
    assert_eq!(std::mem::size_of::<W>(), T::SIZE);
    let p = line.as_mut_ptr();
    for i in 0..line.len() {
        // SAFETY: element `i` of the line, read as a `T` and written as a `W` of the
        // same size (plain numbers, any bits valid).
        unsafe { std::ptr::write(p.add(i) as *mut W, W::of(std::ptr::read(p.add(i)).exact_key())) };
    }
    // SAFETY: the line's memory, now holding `W`s.
    let words = unsafe { std::slice::from_raw_parts_mut(p as *mut W, line.len()) };
    W::sort(words);
    for i in 0..line.len() {
        // SAFETY: as above, the other way.
        unsafe { std::ptr::write(p.add(i), T::from_exact_key(std::ptr::read(p.add(i) as *const W).get())) };
    }
}

macro_rules! ordered {
    ($($t:ty),*) => {$(
        impl Sortable for $t {
            fn order(a: &Self, b: &Self) -> Ordering {
                a.cmp(b)
            }
            const KEY_BITS: u32 = 8 * std::mem::size_of::<$t>() as u32;
            #[inline(always)]
            fn key(self) -> u64 {
                self as u64
            }
            #[inline(always)]
            fn from_exact_key(k: u64) -> Self {
                k as $t
            }
        }
    )*};
}
ordered!(u8, u16, u32, u64);

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl Sortable for $t {
            fn order(a: &Self, b: &Self) -> Ordering {
                a.cmp(b)
            }
            const KEY_BITS: u32 = 8 * std::mem::size_of::<$t>() as u32;
            #[inline(always)]
            fn key(self) -> u64 {
                // Two's complement with the sign bit flipped: unsigned order.
                let bits = Self::KEY_BITS;
                ((self as i64 as u64) ^ (1u64 << (bits - 1))) & (u64::MAX >> (64 - bits))
            }
            #[inline(always)]
            fn from_exact_key(k: u64) -> Self {
                (k ^ (1u64 << (Self::KEY_BITS - 1))) as $t
            }
        }
    )*};
}
signed!(i8, i16, i32, i64);

impl Sortable for bool {
    fn order(a: &Self, b: &Self) -> Ordering {
        a.cmp(b)
    }
    const KEY_BITS: u32 = 1;
    #[inline(always)]
    fn key(self) -> u64 {
        self as u64
    }
    #[inline(always)]
    fn from_exact_key(k: u64) -> Self {
        k != 0
    }
}

/// Numbers in ascending order, then NaNs (equal to each other).
fn nan_last<F: num_traits::Float>(a: F, b: F) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (x, y) => x.cmp(&y),
    }
}

macro_rules! floats {
    ($($t:ty: $u:ty),*) => {$(
        impl Sortable for $t {
            fn order(a: &Self, b: &Self) -> Ordering {
                nan_last(*a, *b)
            }
            const KEY_BITS: u32 = 8 * std::mem::size_of::<$t>() as u32;
            /// IEEE bits made unsigned-ordered (negatives flipped, positives above
            /// them); `-0.0` as `0.0`, every NaN as the largest key.
            #[inline(always)]
            fn key(self) -> u64 {
                if self.is_nan() {
                    return <$u>::MAX as u64;
                }
                let b = (self + 0.0).to_bits();
                let sign = 1 << (Self::KEY_BITS - 1);
                (if b & sign != 0 { !b } else { b | sign }) as u64
            }
            #[inline(always)]
            fn exact_key(self) -> u64 {
                if self.is_nan() {
                    return <$u>::MAX as u64;
                }
                let b = self.to_bits();
                let sign = 1 << (Self::KEY_BITS - 1);
                (if b & sign != 0 { !b } else { b | sign }) as u64
            }
            fn tied() -> &'static [Self] {
                &[0.0, <$t>::NAN]
            }
            #[inline(always)]
            fn from_exact_key(k: u64) -> Self {
                let k = k as $u;
                let sign = 1 << (Self::KEY_BITS - 1);
                let v = <$t>::from_bits(if k & sign != 0 { k & !sign } else { !k });
                // Selects rather than branches, so that loops over keys vectorize.
                if k == <$u>::MAX { <$t>::NAN } else { v }
            }
            /// NaNs move to the end in their order (their bits kept); the numbers sort
            /// as unsigned integers made from their bits in place, about twice as fast
            /// as comparing floats (`-0.0` lands before `0.0`, which the unstable sort
            /// NumPy's default kind is allows).
            fn sort_line(line: &mut [Self]) {
                let mut nans: smallvec::SmallVec<[$t; 8]> = smallvec::SmallVec::new();
                let mut numbers = 0;
                for i in 0..line.len() {
                    let x = line[i];
                    if x.is_nan() {
                        nans.push(x);
                    } else {
                        line[numbers] = x;
                        numbers += 1;
                    }
                }
                line[numbers..].copy_from_slice(&nans);
                // SAFETY: the same memory seen as unsigned integers of the same width.
                let bits = unsafe { std::slice::from_raw_parts_mut(line.as_mut_ptr() as *mut $u, numbers) };
                let sign: $u = 1 << (Self::KEY_BITS - 1);
                for b in bits.iter_mut() {
                    *b = if *b & sign != 0 { !*b } else { *b | sign };
                }
                if bits.len() >= 64 && simd::available() {
                    <$u as simd::Word>::sort(bits);
                } else {
                    bits.sort_unstable();
                }
                for b in bits.iter_mut() {
                    *b = if *b & sign != 0 { *b & !sign } else { !*b };
                }
            }
        }
        impl Sortable for Complex<$t> {
            /// NumPy: `R + Rj < R + nanj < nan + Rj < nan + nanj`, lexicographic within.
            fn order(a: &Self, b: &Self) -> Ordering {
                let class = |z: &Self| (z.re.is_nan(), z.im.is_nan());
                class(a).cmp(&class(b)).then_with(|| nan_last(a.re, b.re)).then_with(|| nan_last(a.im, b.im))
            }
        }
    )*};
}
floats!(f32: u32, f64: u64);

/// NumPy's order of two values, through their radix keys where the type has them
/// (cheaper than the NaN tests of `Sortable::order`).
#[inline(always)]
fn by_order<T: Sortable>(a: &T, b: &T) -> Ordering {
    Ordered(*a).cmp(&Ordered(*b))
}

/// Sorts `line`, or with `kth` (ascending positions) partitions it around them: each
/// one selected in turn from what lies after the previous one.
fn arrange<X>(line: &mut [X], kth: &[usize], order: impl FnMut(&X, &X) -> Ordering) {
    if kth.is_empty() {
        return line.sort_unstable_by(order);
    }
    partition_at(line, kth, order)
}

/// Sorts a line of values (`kth` empty) or partitions it around `kth` ([`arrange`]).
fn arrange_values<T: Sortable>(line: &mut [T], kth: &[usize]) {
    if kth.is_empty() {
        return T::sort_line(line);
    }
    partition_at(line, kth, by_order::<T>)
}

fn partition_at<X>(line: &mut [X], kth: &[usize], mut order: impl FnMut(&X, &X) -> Ordering) {
    let mut start = 0;
    for &k in kth {
        if k >= line.len() {
            break;
        }
        line[start..].select_nth_unstable_by(k - start, &mut order);
        start = k + 1;
    }
}

/// Sorts every line of `input` along `axis` into `out`: the values (`indices` false,
/// `out` of the input's type) or their positions (`indices` true, `out` int64); with
/// `kth`, partitions them around those positions instead ([`arrange`]).
fn sort_lines<T: Sortable>(input: &PhysicalStore, out: &PhysicalStore, axis: usize, indices: bool, kth: &[usize]) -> Result<(), TaskError> {
    if input.type_code() != Some(T::CODE) || out.type_code() != Some(if indices { i64::CODE } else { T::CODE }) {
        return Err(TaskError::new("sort: the output must have the input's type (sort) or int64 (argsort)"));
    }
    // Lines are sorted in the output's own memory when it is contiguous, with an
    // in-place sort (the index breaks ties, which keeps argsort stable): no scratch
    // memory beyond one line for strided outputs.
    let mut values: Vec<T> = Vec::new();
    let mut order: Vec<i64> = Vec::new();
    let (mut packed, mut pairs): (Vec<u64>, Vec<[u64; 2]>) = (Vec::new(), Vec::new());
    for_each_line(&[input, out], axis, |ptrs, n, strides| {
        let (pi, si) = (ptrs[0] as *const T, strides[0] / T::SIZE as isize);
        // SAFETY: lines of this point's tiles; a line of `out` may alias the input's
        // only for `sort` (same type), which reads the line whole before writing it.
        unsafe {
            if indices && kth.is_empty() && T::KEY_BITS > 0 && n >= 64 && simd::available() {
                let (po, so) = (ptrs[1] as *mut i64, strides[1] / 8);
                argsort_line(|j| *pi.offset(j as isize * si), n, (&mut packed, &mut pairs), |j, k| *po.offset(j as isize * so) = k);
            } else if indices {
                let key = |k: i64| &*pi.offset(k as isize * si);
                let by_value = |a: &i64, b: &i64| Ordered(*key(*a)).cmp(&Ordered(*key(*b))).then(a.cmp(b));
                let (po, so) = (ptrs[1] as *mut i64, strides[1] / 8);
                if so == 1 {
                    let line = std::slice::from_raw_parts_mut(po, n);
                    for (j, k) in line.iter_mut().enumerate() {
                        *k = j as i64;
                    }
                    arrange(line, kth, by_value);
                } else {
                    order.clear();
                    order.extend(0..n as i64);
                    arrange(&mut order, kth, by_value);
                    for (j, &k) in order.iter().enumerate() {
                        *po.offset(j as isize * so) = k;
                    }
                }
            } else {
                let (po, so) = (ptrs[1] as *mut T, strides[1] / T::SIZE as isize);
                if so == 1 {
                    let line = std::slice::from_raw_parts_mut(po, n);
                    if si == 1 {
                        std::ptr::copy(pi, po, n);
                    } else {
                        values.clear();
                        values.extend((0..n as isize).map(|j| *pi.offset(j * si)));
                        line.copy_from_slice(&values);
                    }
                    arrange_values(line, kth);
                } else {
                    values.clear();
                    values.extend((0..n as isize).map(|j| *pi.offset(j * si)));
                    arrange_values(&mut values, kth);
                    for (j, &v) in values.iter().enumerate() {
                        *po.offset(j as isize * so) = v;
                    }
                }
            }
        }
    });
    Ok(())
}

/// The positions that sort a line of `n` values `get(j)` in NumPy's stable order, to
/// `put(rank, position)`, through the vectorized sort (only after
/// [`simd::available`]): keys of 32 bits or fewer packed with their positions into
/// one word, wider ones as (position, key) pairs.
fn argsort_line<T: Sortable>(get: impl Fn(usize) -> T, n: usize, (packed, pairs): (&mut Vec<u64>, &mut Vec<[u64; 2]>), mut put: impl FnMut(usize, i64)) {
    if T::KEY_BITS <= 32 && n <= u32::MAX as usize {
        packed.clear();
        packed.extend((0..n).map(|j| (get(j).key() << 32) | j as u64));
        <u64 as simd::Word>::sort(packed);
        for (rank, &w) in packed.iter().enumerate() {
            put(rank, (w & u64::from(u32::MAX)) as i64);
        }
    } else {
        pairs.clear();
        pairs.extend((0..n).map(|j| [j as u64, get(j).key()]));
        simd::sort_pairs(pairs);
        for (rank, &[j, _]) in pairs.iter().enumerate() {
            put(rank, j as i64);
        }
    }
}

// ---- 1-d sample sort across the points of one launch ----

/// A value to sort, with its input position when the output wants positions.
trait Item<T>: Copy {
    /// Whether the output wants positions (argsort) rather than values.
    const POSITIONS: bool;
    fn new(value: T, position: usize) -> Self;
    fn value(&self) -> T;
}

/// `sort`'s items: the values alone.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Value<T>(T);

impl<T: Copy> Item<T> for Value<T> {
    const POSITIONS: bool = false;
    #[inline(always)]
    fn new(value: T, _: usize) -> Self {
        Value(value)
    }
    #[inline(always)]
    fn value(&self) -> T {
        self.0
    }
}

/// `argsort`'s items: a value and where it was.
#[derive(Clone, Copy)]
struct Positioned<T> {
    value: T,
    position: i64,
}

impl<T: Copy> Item<T> for Positioned<T> {
    const POSITIONS: bool = true;
    #[inline(always)]
    fn new(value: T, position: usize) -> Self {
        Positioned { value, position: position as i64 }
    }
    #[inline(always)]
    fn value(&self) -> T {
        self.value
    }
}

/// Radix digits of 11 bits: 2048 counters per digit stay in the L1 cache.
const DIGIT: u32 = 11;
const BUCKETS: usize = 1 << DIGIT;

/// Samples taken to choose a point's range of values: the range's ends then land
/// within about `n / sqrt(SAMPLES)` ranks of where they should be.
const SAMPLES: usize = 8192;

/// A comparison key: the radix key where the type has one (cheaper), else the value
/// ordered by `Sortable::order`.
#[derive(Clone, Copy)]
struct Ordered<T>(T);

impl<T: Sortable> PartialEq for Ordered<T> {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl<T: Sortable> Eq for Ordered<T> {}
impl<T: Sortable> PartialOrd for Ordered<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<T: Sortable> Ord for Ordered<T> {
    #[inline(always)]
    fn cmp(&self, o: &Self) -> Ordering {
        if T::KEY_BITS > 0 {
            self.0.key().cmp(&o.0.key())
        } else {
            T::order(&self.0, &o.0)
        }
    }
}

thread_local! {
    /// Each processor's two radix buffers, kept between sorts: fresh memory costs a
    /// page fault per 4 KiB, a good part of a sort.
    static SCRATCH: RefCell<[Vec<u64>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

/// Buffers larger than this (each) are freed after the sort rather than kept.
const KEEP_SCRATCH: usize = 256 << 20;

/// Runs `f` with two buffers of room for `n` items each (uninitialized).
fn with_scratch<I, R>(n: usize, f: impl FnOnce(*mut I, *mut I) -> R) -> R {
    assert!(std::mem::align_of::<I>() <= 8);
    let words = (n * std::mem::size_of::<I>()).div_ceil(8).max(1);
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        for v in s.iter_mut() {
            if v.capacity() < words {
                drop(std::mem::take(v));
                // A fresh buffer with room to spare (the next sort's ranges differ a
                // little), not a reallocation, which would copy the old one.
                *v = Vec::with_capacity(words + words / 8);
            }
        }
        let r = f(s[0].as_mut_ptr() as *mut I, s[1].as_mut_ptr() as *mut I);
        for v in s.iter_mut() {
            if v.capacity() * 8 > KEEP_SCRATCH {
                *v = Vec::new();
            }
        }
        r
    })
}

/// The input's elements: a base pointer and a stride (in elements).
struct Strided<T> {
    ptr: *const T,
    stride: isize,
    n: usize,
}

impl<T: Copy> Strided<T> {
    #[inline(always)]
    fn get(&self, i: usize) -> T {
        // SAFETY: `i < n`, inside the store's tile (checked by the callers' loops).
        unsafe { *self.ptr.offset(i as isize * self.stride) }
    }
}

/// This point's range of values: everything at or above `lo` and at or below `hi`
/// (`None`: unbounded).
#[derive(Clone, Copy)]
struct Range<T> {
    lo: Option<Ordered<T>>,
    hi: Option<Ordered<T>>,
}

/// Bounds on the values of ranks `[first, end)` of `n` from sorted samples, with a
/// margin of a few standard errors of the sample quantiles.
fn range_of<T: Sortable>(samples: &[Ordered<T>], n: usize, first: usize, end: usize) -> Range<T> {
    let s = samples.len();
    if s == 0 {
        return Range { lo: None, hi: None };
    }
    let margin = 2 * (s as f64).sqrt() as usize + 2;
    let at = |rank: usize| rank as u128 * s as u128 / n as u128;
    let lo = (first > 0).then(|| at(first) as usize).and_then(|i| i.checked_sub(margin)).map(|i| samples[i]);
    let hi = (end < n).then(|| at(end) as usize + margin).filter(|&i| i < s).map(|i| samples[i]);
    Range { lo, hi }
}

/// Counts the input below the range and inside it (types without radix keys).
fn count<T: Sortable>(x: &Strided<T>, r: Range<T>) -> (usize, usize) {
    let (mut below, mut inside) = (0, 0);
    for i in 0..x.n {
        let v = Ordered(x.get(i));
        if r.lo.is_some_and(|lo| v < lo) {
            below += 1;
        } else if r.hi.is_none_or(|hi| v <= hi) {
            inside += 1;
        }
    }
    (below, inside)
}

/// Calls `f(position, value)` for every element of the input in order, through a
/// slice when the elements are contiguous (so that the loop vectorizes).
#[inline(always)]
fn each<T: Copy>(x: &Strided<T>, mut f: impl FnMut(usize, T)) {
    if x.stride == 1 {
        // SAFETY: `n` contiguous elements from `ptr`, the whole input tile.
        let all = unsafe { std::slice::from_raw_parts(x.ptr, x.n) };
        for (i, &v) in all.iter().enumerate() {
            f(i, v);
        }
    } else {
        for i in 0..x.n {
            f(i, x.get(i));
        }
    }
}

/// Counts the input whose keys are below `lo` and inside `[lo, hi]`, without branches.
fn count_keys<T: Sortable>(x: &Strided<T>, lo: u64, hi: u64) -> (usize, usize) {
    let (mut below, mut inside) = (0usize, 0usize);
    each(x, |_, v| {
        let k = v.key();
        below += (k < lo) as usize;
        inside += ((k >= lo) & (k <= hi)) as usize;
    });
    (below, inside)
}

/// Writes this point's tile of the sorted 1-d `input` into `out` (the tile holds the
/// global ranks `[out.lo, out.hi)`): the values, or with `indices` their positions.
///
/// The point samples the input, takes a range of values that holds its ranks with a
/// margin, counts the values below and inside the range (widening it if unlucky
/// samples missed), compacts those inside in input order, sorts them with a stable LSD
/// radix sort of their keys (a stable comparison sort for complex numbers), and copies
/// out its ranks. The passes over the whole input compare keys without branches. Equal values keep their input order, so
/// every point sorts by the same total order and the tiles fit together.
fn sort_window<T: Sortable>(input: &PhysicalStore, out: &PhysicalStore, indices: bool) -> Result<(), TaskError> {
    if input.type_code() != Some(T::CODE) || out.type_code() != Some(if indices { i64::CODE } else { T::CODE }) {
        return Err(TaskError::new("sort: the output must have the input's type (sort) or int64 (argsort)"));
    }
    if input.ndim() != 1 || out.ndim() != 1 {
        return Err(TaskError::new("sort: a 1-d sample sort of a 1-d array"));
    }
    let n = input.volume();
    let (first, end) = (out.lo()[0] as usize, out.hi()[0] as usize);
    if first >= end {
        return Ok(()); // an empty tile
    }
    if input.lo()[0] != 0 || end > n {
        return Err(TaskError::new("sort: a 1-d sample sort needs the whole input in every point"));
    }
    let x = Strided { ptr: input.ptr() as *const T, stride: (input.strides()[0] / T::SIZE as i64) as isize, n };
    let o = (out.ptr(), (out.strides()[0] / out.elem_size() as i64) as isize);
    // SAFETY (each `put`): rank `first + j` of the tile, inside `out`.
    match (indices, o.1 == 1) {
        (true, _) => window::<T, Positioned<T>>(&x, first, end, |j, item| unsafe { *(o.0 as *mut i64).offset(j as isize * o.1) = item.position }),
        // A contiguous tile: the loop writing it vectorizes.
        (false, true) => window::<T, Value<T>>(&x, first, end, |j, item| unsafe { *(o.0 as *mut T).add(j) = item.0 }),
        (false, false) => window::<T, Value<T>>(&x, first, end, |j, item| unsafe { *(o.0 as *mut T).offset(j as isize * o.1) = item.0 }),
    }
    Ok(())
}

/// [`sort_window`] for one kind of item; `put(j, item)` writes rank `first + j`.
fn window<T: Sortable, I: Item<T>>(x: &Strided<T>, first: usize, end: usize, put: impl Fn(usize, &I)) {
    let n = x.n;
    // Evenly spread sample positions, each jittered inside its stretch (a fixed hash,
    // so that every point picks the same ones), avoiding periodic patterns.
    let s = SAMPLES.min(n);
    let mut samples: Vec<Ordered<T>> = (0..s)
        .map(|k| {
            let stretch = n / s;
            let jitter = (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            Ordered(x.get(k * stretch + (jitter as usize) % stretch.max(1)))
        })
        .collect();
    samples.sort_unstable();
    sort_range(x, first, end, range_of(&samples, n, first, end), put);
}

/// The rest of [`window`] once the range is chosen (a wrong range costs time only).
fn sort_range<T: Sortable, I: Item<T>>(x: &Strided<T>, first: usize, end: usize, range: Range<T>, put: impl Fn(usize, &I)) {
    if T::KEY_BITS == 0 {
        return sort_range_compared(x, first, end, range, put);
    }
    let n = x.n;
    // The range in keys, inclusive at both ends (0 and u64::MAX: unbounded).
    let (mut lo, mut hi) = (range.lo.map_or(0, |v| v.0.key()), range.hi.map_or(u64::MAX, |v| v.0.key()));
    if !I::POSITIONS && T::KEY_BITS <= 16 {
        return sort_values_counting(x, first, end, put);
    }
    if simd::available() {
        return sort_range_simd(x, first, end, lo, hi, put);
    }
    let (below, inside) = loop {
        let (below, inside) = if lo == 0 && hi == u64::MAX { (0, n) } else { count_keys(x, lo, hi) };
        if below <= first && below + inside >= end {
            break (below, inside);
        }
        // The samples missed: widen the range on the side that falls short.
        if below > first {
            lo = 0;
        }
        if below + inside < end {
            hi = u64::MAX;
        }
    };
    let (skip, take) = (first - below, end - first);
    // One slot more than the items inside: the compaction writes every element and
    // keeps those inside, so the last write may land one past them.
    with_scratch::<I, _>(inside + 1, |a, b| {
        // SAFETY: both buffers have room for `inside + 1` items; the compaction below
        // writes slots `0..inside` before anything reads them.
        let (a, b) = unsafe { (std::slice::from_raw_parts_mut(a, inside + 1), std::slice::from_raw_parts_mut(b, inside + 1)) };
        let mut at = 0;
        each(x, |i, v| {
            let k = v.key();
            // SAFETY: `at` counts the items inside seen so far, at most `inside`.
            unsafe { *a.get_unchecked_mut(at) = I::new(v, i) };
            at += ((k >= lo) & (k <= hi)) as usize;
        });
        debug_assert_eq!(at, inside);
        let (a, b) = (&mut a[..inside], &mut b[..inside]);
        let digits = T::KEY_BITS.div_ceil(DIGIT) as usize;
        let mut hist = vec![[0u32; BUCKETS]; digits];
        for item in a.iter() {
            let k = item.value().key();
            for (d, h) in hist.iter_mut().enumerate() {
                // SAFETY: masked to a digit, below BUCKETS.
                unsafe { *h.get_unchecked_mut(((k >> (d as u32 * DIGIT)) as usize) & (BUCKETS - 1)) += 1 };
            }
        }
        let in_b = radix_passes(a, b, &mut hist, 0, |item: &I| item.value().key());
        let sorted: &[I] = if in_b { b } else { a };
        for (j, item) in sorted[skip..skip + take].iter().enumerate() {
            put(j, item);
        }
    });
}

/// [`sort_range`] of values with keys of at most 16 bits (small integers, booleans),
/// which map back to their values: a counting sort. One pass over the input counts
/// every key; this point's ranks are then written from the counts.
fn sort_values_counting<T: Sortable, I: Item<T>>(x: &Strided<T>, first: usize, end: usize, put: impl Fn(usize, &I)) {
    let mut counts = vec![0usize; 1 << T::KEY_BITS];
    each(x, |_, v| {
        // SAFETY: a key of `KEY_BITS` bits indexes the counts.
        unsafe { *counts.get_unchecked_mut(v.exact_key() as usize) += 1 };
    });
    let (mut rank, mut j) = (0, 0);
    for (k, &c) in counts.iter().enumerate() {
        // The ranks of key `k`, `rank..rank + c`, that fall in this point's tile.
        let (from, to) = (rank.max(first), (rank + c).min(end));
        if from < to {
            let item = I::new(T::from_exact_key(k as u64), 0);
            for _ in from..to {
                put(j, &item);
                j += 1;
            }
        }
        rank += c;
        if rank >= end {
            break;
        }
    }
}

/// The rest of [`sort_range`] through Highway's vectorized quicksort (`simd`), for
/// the keys in `[lo, hi]`: one pass over the input counts the elements below the range
/// and compacts those inside in input order (widening the range and passing again if
/// the samples missed), as their exact keys (values: words as narrow as the type's
/// keys) or with their positions (argsort: a stable order, so every point sees the
/// same order of equal values); they are sorted, and this point's ranks written.
fn sort_range_simd<T: Sortable, I: Item<T>>(x: &Strided<T>, first: usize, end: usize, lo: u64, hi: u64, put: impl Fn(usize, &I)) {
    let n = x.n;
    // Room for every element and one more (the compaction writes each element and
    // keeps those inside, so the last write may land one past them); only the slots
    // written are touched.
    if I::POSITIONS && T::KEY_BITS <= 32 && n <= u32::MAX as usize {
        // A key of 32 bits or fewer and a position below 2^32 make one 64-bit word,
        // sorted at twice the speed of (position, key) pairs.
        with_scratch::<u64, _>(n + 1, |a, _| {
            // SAFETY: room for `n + 1` words; `compact` writes those it reports.
            let a = unsafe { std::slice::from_raw_parts_mut(a, n + 1) };
            let (skip, inside) = compact(x, first, end, lo, hi, a, T::key, |i, k| (k << 32) | i as u64);
            let a = &mut a[..inside];
            <u64 as simd::Word>::sort(a);
            for (j, &w) in a[skip..skip + end - first].iter().enumerate() {
                put(j, &I::new(T::from_exact_key(w >> 32), (w & u64::from(u32::MAX)) as usize));
            }
        })
    } else if I::POSITIONS {
        with_scratch::<[u64; 2], _>(n + 1, |a, _| {
            // SAFETY: as above, pairs.
            let a = unsafe { std::slice::from_raw_parts_mut(a, n + 1) };
            let (skip, inside) = compact(x, first, end, lo, hi, a, T::key, |i, k| [i as u64, k]);
            let a = &mut a[..inside];
            simd::sort_pairs(a);
            for (j, &[position, k]) in a[skip..skip + end - first].iter().enumerate() {
                put(j, &I::new(T::from_exact_key(k), position as usize));
            }
        })
    } else if T::KEY_BITS <= 32 {
        // (Keys of 16 bits or fewer were counted: `sort_values_counting`.)
        sort_values_simd::<T, I, u32>(x, first, end, lo, hi, put)
    } else {
        sort_values_simd::<T, I, u64>(x, first, end, lo, hi, put)
    }
}

/// [`sort_range_simd`] of values, as exact keys in words `W` (as wide as the keys).
fn sort_values_simd<T: Sortable, I: Item<T>, W: simd::Word>(x: &Strided<T>, first: usize, end: usize, lo: u64, hi: u64, put: impl Fn(usize, &I)) {
    let n = x.n;
    // Room for a vector more: the vector compactions store whole vectors.
    with_scratch::<W, _>(n + 16, |a, _| {
        // SAFETY: as in `sort_range_simd`.
        let a = unsafe { std::slice::from_raw_parts_mut(a, n + 16) };
        // Exact keys order as keys do but for -0.0, which is one below 0.0: a range
        // starting at zero starts one lower.
        let lo = if T::tied().is_empty() || lo != T::tied()[0].key() { lo } else { lo - 1 };
        // Contiguous numbers of 32 or 64 bits compact sixteen or eight at a time.
        let kind = match T::CODE {
            c if c == f64::CODE || c == f32::CODE => Some(simd::FLOAT),
            c if c == i64::CODE || c == i32::CODE => Some(simd::SIGNED),
            c if c == u64::CODE || c == u32::CODE => Some(simd::UNSIGNED),
            _ => None,
        };
        let (skip, inside) = match (kind, x.stride == 1 && T::SIZE == std::mem::size_of::<W>()) {
            (Some(kind), true) if T::SIZE == 8 => {
                // SAFETY: `n` contiguous 64-bit numbers (their type code says so), whose
                // keys are 64-bit words: `W` is u64.
                let (v, a) = unsafe { (std::slice::from_raw_parts(x.ptr as *const u64, n), std::slice::from_raw_parts_mut(a.as_mut_ptr() as *mut u64, n + 16)) };
                widen(first, end, lo, hi, |lo, hi| match kind {
                    simd::FLOAT => simd::compact64::<{ simd::FLOAT }>(v, lo, hi, a),
                    simd::SIGNED => simd::compact64::<{ simd::SIGNED }>(v, lo, hi, a),
                    _ => simd::compact64::<{ simd::UNSIGNED }>(v, lo, hi, a),
                })
            }
            (Some(kind), true) if T::SIZE == 4 => {
                // SAFETY: as above, 32-bit numbers and words.
                let (v, a) = unsafe { (std::slice::from_raw_parts(x.ptr as *const u32, n), std::slice::from_raw_parts_mut(a.as_mut_ptr() as *mut u32, n + 16)) };
                widen(first, end, lo, hi, |lo, hi| match kind {
                    simd::FLOAT => simd::compact32::<{ simd::FLOAT }>(v, lo, hi, a),
                    simd::SIGNED => simd::compact32::<{ simd::SIGNED }>(v, lo, hi, a),
                    _ => simd::compact32::<{ simd::UNSIGNED }>(v, lo, hi, a),
                })
            }
            _ => compact(x, first, end, lo, hi, a, T::exact_key, |_, k| W::of(k)),
        };
        let a = &mut a[..inside];
        W::sort(a);
        let ranks = skip..skip + end - first;
        // Tied values of other bits (zeros of both signs, NaNs) come back from the
        // input, in its order; the rest from their keys.
        let mut tied: Vec<(std::ops::Range<usize>, Vec<T>)> = Vec::new();
        for &t in T::tied() {
            let key = t.key();
            let merged = |k: &W| T::from_exact_key(k.get()).key();
            let run = a.partition_point(|k| merged(k) < key)..a.partition_point(|k| merged(k) <= key);
            if !run.is_empty() && run.start < ranks.end && run.end > ranks.start {
                let mut values = Vec::with_capacity(run.len());
                each(x, |_, v| {
                    if v.key() == key {
                        values.push(v);
                    }
                });
                tied.push((run, values));
            }
        }
        for (j, r) in ranks.clone().enumerate() {
            put(j, &I::new(T::from_exact_key(a[r].get()), 0));
        }
        for (run, values) in tied {
            for r in run.start.max(ranks.start)..run.end.min(ranks.end) {
                put(r - ranks.start, &I::new(values[r - run.start], 0));
            }
        }
    })
}

/// Writes `item(position, key)` of every element whose `key` lies in `[lo, hi]` to
/// `a` in input order, widening the range until it holds ranks `first..end`; returns
/// how many of the kept items precede rank `first`, and how many were kept.
#[allow(clippy::too_many_arguments)]
fn compact<T: Sortable, W: Copy>(
    x: &Strided<T>, first: usize, end: usize, lo: u64, hi: u64, a: &mut [W], key: impl Fn(T) -> u64, item: impl Fn(usize, u64) -> W,
) -> (usize, usize) {
    assert!(a.len() > x.n);
    widen(first, end, lo, hi, |lo, hi| {
        let (mut below, mut at) = (0, 0);
        each(x, |i, v| {
            let k = key(v);
            // SAFETY: `at` counts the items inside seen so far, below `x.n`.
            unsafe { *a.get_unchecked_mut(at) = item(i, k) };
            at += ((k >= lo) & (k <= hi)) as usize;
            below += (k < lo) as usize;
        });
        (below, at)
    })
}

/// Runs `pass(lo, hi)` (a compaction returning how many keys fell below the range and
/// how many inside), widening the range until it holds ranks `first..end`; returns how
/// many of the kept items precede rank `first`, and how many were kept.
fn widen(first: usize, end: usize, mut lo: u64, mut hi: u64, mut pass: impl FnMut(u64, u64) -> (usize, usize)) -> (usize, usize) {
    loop {
        let (below, at) = pass(lo, hi);
        if below <= first && below + at >= end {
            return (first - below, at);
        }
        // The samples missed: widen the range on the side that falls short.
        if below > first {
            lo = 0;
        }
        if below + at < end {
            hi = u64::MAX;
        }
    }
}

/// Highway's vectorized quicksort (`csrc/vqsort.cc`, built by build.rs where clang and
/// Highway's headers are present), used where the processor has AVX-512.
mod simd {
    #[cfg(legate_vqsort)]
    extern "C" {
        fn legate_vqsort_u128(words: *mut u64, n: usize);
    }

    /// Whether this build has the sorter and the processor runs it (the features
    /// `-march=skylake-avx512` lets the compiler use).
    pub fn available() -> bool {
        #[cfg(test)]
        if RADIX_ONLY.get() {
            return false;
        }
        #[cfg(legate_vqsort)]
        {
            static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
            *AVAILABLE.get_or_init(|| {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512cd")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                    && std::arch::is_x86_feature_detected!("bmi1")
                    && std::arch::is_x86_feature_detected!("bmi2")
                    && std::arch::is_x86_feature_detected!("lzcnt")
                    && std::arch::is_x86_feature_detected!("popcnt")
                    && std::arch::is_x86_feature_detected!("f16c")
                    && std::arch::is_x86_feature_detected!("movbe")
            })
        }
        #[cfg(not(legate_vqsort))]
        false
    }

    #[cfg(test)]
    thread_local! {
        /// Tests set this to check the radix sort on processors with AVX-512 too.
        pub static RADIX_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// How [`compact64`] and [`compact32`] make keys of the input's bits: IEEE floats
    /// (negatives flipped, positives above them, NaNs the largest key), two's
    /// complement integers (the sign bit flipped) or unsigned ones (as they are).
    pub const FLOAT: u8 = 0;
    pub const SIGNED: u8 = 1;
    pub const UNSIGNED: u8 = 2;

    /// [`super::compact`] of contiguous 64-bit numbers (their bits, read as `KIND`)
    /// into their exact keys, eight at a time (`a` has room for `v.len() + 8`). Only
    /// after [`available`].
    pub fn compact64<const KIND: u8>(v: &[u64], lo: u64, hi: u64, a: &mut [u64]) -> (usize, usize) {
        assert!(available() && a.len() >= v.len() + 8);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the processor has AVX-512 (`available`); `a` has room (asserted).
        unsafe {
            compact64_avx512::<KIND>(v, lo, hi, a)
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!()
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn compact64_avx512<const KIND: u8>(v: &[u64], lo: u64, hi: u64, a: &mut [u64]) -> (usize, usize) {
        use std::arch::x86_64::*;
        let (sign, nan) = (_mm512_set1_epi64(i64::MIN), _mm512_set1_epi64(-1));
        let (vlo, vhi) = (_mm512_set1_epi64(lo as i64), _mm512_set1_epi64(hi as i64));
        let (mut below, mut at) = (0usize, 0usize);
        let chunks = v.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            // SAFETY: eight numbers; the store stays within `a` (at <= len, room for 8).
            unsafe {
                let b = _mm512_loadu_si512(c.as_ptr() as *const _);
                let k = match KIND {
                    FLOAT => {
                        let k = _mm512_xor_si512(b, _mm512_or_si512(_mm512_srai_epi64::<63>(b), sign));
                        let x = _mm512_castsi512_pd(b);
                        _mm512_mask_blend_epi64(_mm512_cmp_pd_mask::<_CMP_UNORD_Q>(x, x), k, nan)
                    }
                    SIGNED => _mm512_xor_si512(b, sign),
                    _ => b,
                };
                let inside = _mm512_cmpge_epu64_mask(k, vlo) & _mm512_cmple_epu64_mask(k, vhi);
                below += _mm512_cmplt_epu64_mask(k, vlo).count_ones() as usize;
                _mm512_storeu_si512(a.as_mut_ptr().add(at) as *mut _, _mm512_maskz_compress_epi64(inside, k));
                at += inside.count_ones() as usize;
            }
        }
        for &b in rest {
            let k = match KIND {
                FLOAT => super::Sortable::exact_key(f64::from_bits(b)),
                SIGNED => b ^ (1 << 63),
                _ => b,
            };
            a[at] = k;
            at += ((k >= lo) & (k <= hi)) as usize;
            below += (k < lo) as usize;
        }
        (below, at)
    }

    /// [`compact64`] for 32-bit numbers into 32-bit keys, sixteen at a time (`a` has
    /// room for `v.len() + 16`).
    pub fn compact32<const KIND: u8>(v: &[u32], lo: u64, hi: u64, a: &mut [u32]) -> (usize, usize) {
        assert!(available() && a.len() >= v.len() + 16);
        // Keys are 32 bits: an unbounded range ends at the largest.
        let (lo, hi) = (lo.min(u32::MAX as u64) as u32, hi.min(u32::MAX as u64) as u32);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in `compact64`.
        unsafe {
            compact32_avx512::<KIND>(v, lo, hi, a)
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!()
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn compact32_avx512<const KIND: u8>(v: &[u32], lo: u32, hi: u32, a: &mut [u32]) -> (usize, usize) {
        use std::arch::x86_64::*;
        let (sign, nan) = (_mm512_set1_epi32(i32::MIN), _mm512_set1_epi32(-1));
        let (vlo, vhi) = (_mm512_set1_epi32(lo as i32), _mm512_set1_epi32(hi as i32));
        let (mut below, mut at) = (0usize, 0usize);
        let chunks = v.chunks_exact(16);
        let rest = chunks.remainder();
        for c in chunks {
            // SAFETY: sixteen numbers; the store stays within `a` (room for 16 more).
            unsafe {
                let b = _mm512_loadu_si512(c.as_ptr() as *const _);
                let k = match KIND {
                    FLOAT => {
                        let k = _mm512_xor_si512(b, _mm512_or_si512(_mm512_srai_epi32::<31>(b), sign));
                        let x = _mm512_castsi512_ps(b);
                        _mm512_mask_blend_epi32(_mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x), k, nan)
                    }
                    SIGNED => _mm512_xor_si512(b, sign),
                    _ => b,
                };
                let inside = _mm512_cmpge_epu32_mask(k, vlo) & _mm512_cmple_epu32_mask(k, vhi);
                below += _mm512_cmplt_epu32_mask(k, vlo).count_ones() as usize;
                _mm512_storeu_si512(a.as_mut_ptr().add(at) as *mut _, _mm512_maskz_compress_epi32(inside, k));
                at += inside.count_ones() as usize;
            }
        }
        for &b in rest {
            let k = match KIND {
                FLOAT => super::Sortable::exact_key(f32::from_bits(b)) as u32,
                SIGNED => b ^ (1 << 31),
                _ => b,
            };
            a[at] = k;
            at += ((k >= lo) & (k <= hi)) as usize;
            below += (k < lo) as usize;
        }
        (below, at)
    }

    /// An unsigned key word the sorter takes (16, 32 or 64 bits).
    pub trait Word: Copy + Ord + 'static {
        /// The low bits of `k` (a key of at most this word's width).
        fn of(k: u64) -> Self;
        fn get(self) -> u64;
        /// Sorts ascending. Only after [`available`].
        fn sort(keys: &mut [Self]);
    }

    macro_rules! words {
        ($($t:ty: $f:ident),*) => {$(
            #[cfg(legate_vqsort)]
            extern "C" {
                fn $f(keys: *mut $t, n: usize);
            }
            impl Word for $t {
                #[inline(always)]
                fn of(k: u64) -> Self {
                    k as $t
                }
                #[inline(always)]
                fn get(self) -> u64 {
                    self as u64
                }
                fn sort(keys: &mut [Self]) {
                    assert!(available());
                    // SAFETY: `keys.len()` keys at `keys`; the processor has the
                    // sorter's features.
                    #[cfg(legate_vqsort)]
                    unsafe {
                        $f(keys.as_mut_ptr(), keys.len())
                    }
                }
            }
        )*};
    }
    words!(u16: legate_vqsort_u16, u32: legate_vqsort_u32, u64: legate_vqsort_u64);

    /// Sorts (low, high) pairs by high word, then low word. Only after [`available`].
    pub fn sort_pairs(pairs: &mut [[u64; 2]]) {
        assert!(available());
        // SAFETY: `pairs.len()` pairs of words at `pairs`; as above.
        #[cfg(legate_vqsort)]
        unsafe {
            legate_vqsort_u128(pairs.as_mut_ptr() as *mut u64, pairs.len())
        }
    }
}

/// [`sort_range`] for types without radix keys (complex numbers): a stable
/// comparison sort of the items inside the range.
fn sort_range_compared<T: Sortable, I: Item<T>>(x: &Strided<T>, first: usize, end: usize, mut range: Range<T>, put: impl Fn(usize, &I)) {
    let n = x.n;
    let (below, inside) = loop {
        let (below, inside) = count(x, range);
        if below <= first && below + inside >= end {
            break (below, inside);
        }
        if below > first {
            range.lo = None;
        }
        if below + inside < end {
            range.hi = None;
        }
    };
    let inside_of = |v: Ordered<T>| !range.lo.is_some_and(|lo| v < lo) && range.hi.is_none_or(|hi| v <= hi);
    let mut items: Vec<I> = Vec::with_capacity(inside);
    for i in 0..n {
        let v = x.get(i);
        if inside_of(Ordered(v)) {
            items.push(I::new(v, i));
        }
    }
    items.sort_by(|a, b| T::order(&a.value(), &b.value())); // stable
    for (j, item) in items[first - below..end - below].iter().enumerate() {
        put(j, item);
    }
}

/// Stable LSD radix passes over the digits `first_digit..` of `key` with the digit
/// counts `hist` (one per digit), between `a` (holding the items) and `b`; returns
/// whether the result ended in `b`. Digits that every item shares are skipped.
fn radix_passes<I: Copy>(a: &mut [I], b: &mut [I], hist: &mut [[u32; BUCKETS]], first_digit: u32, key: impl Fn(&I) -> u64) -> bool {
    let n = a.len();
    let mut in_b = false;
    for (d, counts) in hist.iter_mut().enumerate() {
        if counts.iter().any(|&c| c as usize == n) {
            continue;
        }
        let shift = (first_digit + d as u32) * DIGIT;
        let mut sum = 0u32;
        for c in counts.iter_mut() {
            let k = *c;
            *c = sum;
            sum += k;
        }
        let (src, dst): (&[I], &mut [I]) = if in_b { (&*b, &mut *a) } else { (&*a, &mut *b) };
        for item in src {
            let digit = ((key(item) >> shift) as usize) & (BUCKETS - 1);
            // SAFETY: a digit's running offset stays below the next digit's start,
            // inside `dst` (the counts were taken over exactly these items).
            unsafe {
                let at = counts.get_unchecked_mut(digit);
                *dst.get_unchecked_mut(*at as usize) = *item;
                *at += 1;
            }
        }
        in_b = !in_b;
    }
    in_b
}

/// For every value of `values`, the position in the sorted 1-d `sorted` where it would
/// be inserted: before equal elements (`right` false) or after them.
fn search<T: Sortable>(sorted: &PhysicalStore, values: &PhysicalStore, out: &PhysicalStore, right: bool) -> Result<(), TaskError> {
    if sorted.type_code() != Some(T::CODE) || values.type_code() != Some(T::CODE) || out.type_code() != Some(i64::CODE) {
        return Err(TaskError::new("searchsorted: one dtype for the array and the values, int64 positions"));
    }
    let table: Vec<T> = sorted.view::<T>().map_err(|e| TaskError::new(e.0))?.iter().copied().collect();
    super::loops::map1(out, &super::loops::Operand::Tile(*values), |v: T| {
        table.partition_point(|x| match T::order(x, &v) {
            Ordering::Less => true,
            Ordering::Equal => right,
            Ordering::Greater => false,
        }) as i64
    })
}

pub struct SearchTask;

impl Task for SearchTask {
    const TASK_ID: u32 = crate::SEARCH;
    const NAME: &'static str = "searchsorted";

    /// Scalars: right (bool). Input 0: the sorted 1-d array (whole); input 1: the values;
    /// output 0: int64 positions, aligned with the values.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let right = ctx.scalar::<bool>(0)?;
        let (sorted, values, out) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
        crate::with_numeric_type!(sorted.type_code(), T => {
            search::<T>(&sorted, &values, &out, right)
        }, Err(TaskError::new("searchsorted: unsupported dtype")))
    }
}

pub struct SortTask;

impl Task for SortTask {
    const TASK_ID: u32 = crate::SORT;
    const NAME: &'static str = "sort";

    /// Scalars: axis (u32), indices (bool: argsort), and optionally window (bool), then
    /// the ascending positions to partition around (u64 each; none: a sort).
    /// Input 0: the values; output 0: the sorted values or their int64 positions,
    /// aligned with the input, or with `window` a tile of them while the 1-d input is
    /// whole (a sample sort across the points).
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let axis = ctx.scalar::<u32>(0)? as usize;
        let indices = ctx.scalar::<bool>(1)?;
        let (input, out) = (ctx.input(0)?, ctx.output(0)?);
        let kth = (3..ctx.num_scalars()).map(|i| Ok(ctx.scalar::<u64>(i)? as usize)).collect::<Result<Vec<_>, TaskError>>()?;
        if ctx.num_scalars() > 2 && ctx.scalar::<bool>(2)? {
            return crate::with_numeric_type!(input.type_code(), T => {
                sort_window::<T>(&input, &out, indices)
            }, Err(TaskError::new("sort: unsupported dtype")));
        }
        if input.ndim() > 0 && axis >= input.ndim() {
            return Err(TaskError::new(format!("sort: axis {axis} is out of range")));
        }
        crate::with_numeric_type!(input.type_code(), T => {
            sort_lines::<T>(&input, &out, axis, indices, &kth)
        }, Err(TaskError::new("sort: unsupported dtype")))
    }
}

/// Sample sort of a 1-d array over the points of a launch with a communicator (one
/// point per rank): each point sorts its piece, the points agree on splitters from
/// samples of every piece, send each value to the point whose range holds it
/// (all-to-all), and sort what they received. Point `p`'s output piece holds the `p`-th
/// range, so the pieces concatenated in launch order are the sorted array, and every
/// value travels at most once.
fn sample_sort<T: Sortable>(ctx: &mut TaskContext) -> Result<(), TaskError> {
    let input = ctx.input(0)?;
    let mut local: Vec<T> = input.view::<T>()?.iter().copied().collect();
    T::sort_line(&mut local);
    let size = T::SIZE;
    let bytes = |v: &[T]| -> Vec<u8> {
        // SAFETY: plain-old-data elements, viewed as their bytes.
        unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, std::mem::size_of_val(v)) }.to_vec()
    };
    let values = |b: &[u8]| -> Vec<T> {
        b.chunks_exact(size)
            .map(|c| {
                // SAFETY: each chunk holds one element's bytes (unaligned read).
                unsafe { std::ptr::read_unaligned(c.as_ptr() as *const T) }
            })
            .collect()
    };
    let mut comm = ctx.communicator().ok_or_else(|| TaskError::new("sample sort needs a communicator"))?;
    let n = comm.size();
    let sorted = if n <= 1 {
        local
    } else {
        // Up to 32 evenly spaced samples of each piece; n - 1 splitters from all of them.
        let take = local.len().min(32);
        let samples: Vec<T> = (0..take).map(|k| local[(2 * k + 1) * local.len() / (2 * take)]).collect();
        let mut all: Vec<T> = comm.all_gather(&bytes(&samples))?.iter().flat_map(|b| values(b)).collect();
        all.sort_by(T::order);
        let splitters: Vec<T> = (1..n).filter_map(|j| all.get(j * all.len() / n).copied()).collect();
        // Bucket j holds the values after splitter j-1, up to and including splitter j.
        let mut parts: Vec<Vec<u8>> = Vec::with_capacity(n);
        let mut start = 0;
        for j in 0..n {
            let end = match splitters.get(j) {
                Some(s) => start + local[start..].partition_point(|x| T::order(x, s) != Ordering::Greater),
                None => local.len(),
            };
            parts.push(bytes(&local[start..end]));
            start = end;
        }
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        let mut mine: Vec<T> = comm.all_to_all(&refs)?.iter().flat_map(|b| values(b)).collect();
        T::sort_line(&mut mine);
        mine
    };
    let mut out = ctx.bind_output(0, &[sorted.len()])?;
    let mut view = out.view_mut::<T>()?;
    for (o, v) in view.iter_mut().zip(&sorted) {
        *o = *v;
    }
    Ok(())
}

pub struct SampleSortTask;

impl Task for SampleSortTask {
    const TASK_ID: u32 = crate::SAMPLE_SORT;
    const NAME: &'static str = "sample_sort";

    /// Input 0: the 1-d values (tiled, one piece per rank); output 0: unbound, 1-d, the
    /// input's type: this point's range of the sorted values. Needs a communicator.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let code = ctx.input(0)?.type_code();
        crate::with_numeric_type!(code, T => sample_sort::<T>(ctx), Err(TaskError::new("sort: unsupported dtype")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every point's tile of a 1-d sort of `v` over `points` points, concatenated.
    fn tiles<T: Sortable, I: Item<T>>(v: &[T], points: usize, range: Option<Range<T>>) -> Vec<I> {
        let x = Strided { ptr: v.as_ptr(), stride: 1, n: v.len() };
        let mut out: Vec<Option<I>> = vec![None; v.len()];
        let tile = v.len().div_ceil(points.max(1)).max(1);
        for first in (0..v.len()).step_by(tile) {
            let end = (first + tile).min(v.len());
            let cells = std::cell::RefCell::new(&mut out[first..end]);
            let put = |j: usize, item: &I| cells.borrow_mut()[j] = Some(*item);
            match range {
                Some(r) => sort_range(&x, first, end, r, put),
                None => window(&x, first, end, put),
            }
        }
        out.into_iter().map(|o| o.expect("every rank written")).collect()
    }

    #[test]
    fn window_sort_matches_a_stable_sort() {
        for radix_only in [false, true] {
            simd::RADIX_ONLY.set(radix_only);
            window_sort_cases();
        }
        simd::RADIX_ONLY.set(false);
    }

    /// NumPy's stable order (argsort), values with their bits (NaNs: any NaN).
    fn window_sort_cases() {
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        let mut v: Vec<f64> = (0..20_003).map(|_| (next() % 1000) as f64 / 7.0 - 50.0).collect();
        v[3] = f64::NAN;
        v[17] = -0.0;
        v[18] = 0.0;
        v[19] = -f64::NAN;
        v[20] = f64::NEG_INFINITY;
        let mut want: Vec<usize> = (0..v.len()).collect();
        want.sort_by(|&a, &b| f64::order(&v[a], &v[b]));
        let wrong = Range { lo: Some(Ordered(1e9)), hi: Some(Ordered(-1e9)) };
        for points in [1, 2, 3, 4, 7] {
            for range in [None, Some(wrong)] {
                let got: Vec<Positioned<f64>> = tiles(&v, points, range);
                let pos: Vec<usize> = got.iter().map(|p| p.position as usize).collect();
                assert_eq!(pos, want, "{points} points");
                let vals: Vec<Value<f64>> = tiles(&v, points, range);
                for (a, &b) in vals.iter().zip(&want) {
                    assert_eq!(a.0.to_bits(), v[b].to_bits(), "{points} points");
                }
            }
        }
        let ints: Vec<i16> = (0..5000).map(|_| (next() % 70) as i16 - 35).collect();
        let mut sorted = ints.clone();
        sorted.sort();
        let got: Vec<Value<i16>> = tiles(&ints, 3, None);
        assert_eq!(got.iter().map(|v| v.0).collect::<Vec<_>>(), sorted);
        // Every key type's inverse, at its extremes.
        let bytes: Vec<i8> = (0..3000).map(|k| if k % 7 == 0 { i8::MIN } else if k % 11 == 0 { i8::MAX } else { next() as i8 }).collect();
        let mut sorted = bytes.clone();
        sorted.sort();
        let got: Vec<Value<i8>> = tiles(&bytes, 2, None);
        assert_eq!(got.iter().map(|v| v.0).collect::<Vec<_>>(), sorted);
        let wide: Vec<u64> = (0..3000).map(|k| if k % 5 == 0 { u64::MAX } else { next() << 31 }).collect();
        let mut sorted = wide.clone();
        sorted.sort();
        let got: Vec<Value<u64>> = tiles(&wide, 3, None);
        assert_eq!(got.iter().map(|v| v.0).collect::<Vec<_>>(), sorted);
        let longs: Vec<i64> = (0..3000).map(|k| if k % 5 == 0 { i64::MIN } else { (next() as i64) << 30 }).collect();
        let mut order: Vec<usize> = (0..longs.len()).collect();
        order.sort_by_key(|&k| longs[k]);
        let got: Vec<Positioned<i64>> = tiles(&longs, 4, None);
        assert_eq!(got.iter().map(|p| p.position as usize).collect::<Vec<_>>(), order);
        let singles: Vec<f32> = (0..3000).map(|k| if k % 9 == 0 { if k % 2 == 0 { f32::NAN } else { -f32::NAN } } else if k % 13 == 0 { if k % 2 == 0 { 0.0 } else { -0.0 } } else { next() as f32 - 1e9 }).collect();
        let mut sorted = singles.clone();
        sorted.sort_by(f32::order); // stable: zeros' signs and NaNs' bits in input order
        let wrong = Range { lo: Some(Ordered(1e9f32)), hi: Some(Ordered(-1e9f32)) };
        for (points, range) in [(3, None), (4, Some(wrong)), (1, None)] {
            let got: Vec<Value<f32>> = tiles(&singles, points, range);
            assert!(got.iter().zip(&sorted).all(|(a, b)| a.0.to_bits() == b.to_bits()), "{points} points");
        }
        // Keys of 32 bits or fewer: argsort packs key and position into one word.
        let mut order: Vec<usize> = (0..singles.len()).collect();
        order.sort_by(|&a, &b| f32::order(&singles[a], &singles[b]));
        let got: Vec<Positioned<f32>> = tiles(&singles, 3, None);
        assert_eq!(got.iter().map(|p| p.position as usize).collect::<Vec<_>>(), order);
        let words: Vec<i32> = (0..4000).map(|k| if k % 7 == 0 { i32::MIN } else if k % 5 == 0 { i32::MAX } else { (next() % 50) as i32 - 25 }).collect();
        let mut order: Vec<usize> = (0..words.len()).collect();
        order.sort_by_key(|&k| words[k]);
        for points in [1, 2, 5] {
            let got: Vec<Positioned<i32>> = tiles(&words, points, None);
            assert_eq!(got.iter().map(|p| p.position as usize).collect::<Vec<_>>(), order, "{points} points");
            let got: Vec<Value<i32>> = tiles(&words, points, None);
            assert!(got.iter().zip(&order).all(|(a, &b)| a.0 == words[b]), "{points} points");
        }
        let wrong = Range { lo: Some(Ordered(20i32)), hi: Some(Ordered(-20i32)) };
        let mut sorted = words.clone();
        sorted.sort();
        let got: Vec<Value<i32>> = tiles(&words, 3, Some(wrong));
        assert_eq!(got.iter().map(|v| v.0).collect::<Vec<_>>(), sorted);
        let unsigned: Vec<u32> = words.iter().map(|&w| w as u32).collect();
        let mut sorted = unsigned.clone();
        sorted.sort();
        let got: Vec<Value<u32>> = tiles(&unsigned, 2, None);
        assert_eq!(got.iter().map(|v| v.0).collect::<Vec<_>>(), sorted);
        let mut sorted = longs.clone();
        sorted.sort();
        let got: Vec<Value<i64>> = tiles(&longs, 3, None);
        assert_eq!(got.iter().map(|v| v.0).collect::<Vec<_>>(), sorted);
        let halves: Vec<u16> = (0..4000).map(|k| if k % 9 == 0 { u16::MAX } else { next() as u16 }).collect();
        let mut sorted = halves.clone();
        sorted.sort();
        let got: Vec<Value<u16>> = tiles(&halves, 3, None);
        assert_eq!(got.iter().map(|v| v.0).collect::<Vec<_>>(), sorted);
        let flags: Vec<bool> = (0..3000).map(|_| next() % 3 == 0).collect();
        let got: Vec<Value<bool>> = tiles(&flags, 2, None);
        assert!(got.windows(2).all(|w| w[0].0 <= w[1].0) && got.iter().filter(|v| v.0).count() == flags.iter().filter(|&&f| f).count());
        let z: Vec<Complex<f64>> = (0..3000).map(|_| Complex::new((next() % 5) as f64, (next() % 5) as f64)).collect();
        let mut zs = z.clone();
        zs.sort_by(Complex::<f64>::order);
        let got: Vec<Value<Complex<f64>>> = tiles(&z, 4, None);
        assert!(got.iter().zip(&zs).all(|(a, b)| a.0 == *b));
    }

    /// `sort_line` of every key width against a plain sort, with the vectorized sort
    /// and without, on lines shorter and longer than the vectorized sort's minimum.
    #[test]
    fn lines_sort_like_a_plain_sort() {
        fn check<T: Sortable + std::fmt::Debug + PartialEq>(v: &[T]) {
            for len in [0, 1, 63, 64, 1000, v.len()] {
                let mut got = v[..len.min(v.len())].to_vec();
                let mut want = got.clone();
                want.sort_by(T::order);
                T::sort_line(&mut got);
                assert!(got.iter().zip(&want).all(|(a, b)| T::order(a, b) == Ordering::Equal), "{len}: {got:?}");
            }
        }
        let mut state = 99u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 11
        };
        let raw: Vec<u64> = (0..5000).map(|k| if k % 17 == 0 { u64::MAX } else if k % 19 == 0 { 0 } else { next() }).collect();
        for radix_only in [false, true] {
            simd::RADIX_ONLY.set(radix_only);
            check(&raw.iter().map(|&r| r as i64).collect::<Vec<_>>());
            check(&raw);
            check(&raw.iter().map(|&r| r as i32).collect::<Vec<_>>());
            check(&raw.iter().map(|&r| r as u32).collect::<Vec<_>>());
            check(&raw.iter().map(|&r| r as i16).collect::<Vec<_>>());
            check(&raw.iter().map(|&r| r as u16).collect::<Vec<_>>());
            check(&raw.iter().map(|&r| r as i8).collect::<Vec<_>>());
            check(&raw.iter().map(|&r| r as u8).collect::<Vec<_>>());
            check(&raw.iter().map(|&r| r % 2 == 0).collect::<Vec<_>>());
            let f: Vec<f32> = raw.iter().enumerate().map(|(k, &r)| if k % 13 == 0 { f32::NAN } else if k % 11 == 0 { -0.0 } else { (r as i32) as f32 / 3.0 }).collect();
            check(&f);
            check(&f.iter().map(|&x| x as f64).collect::<Vec<_>>());
        }
        simd::RADIX_ONLY.set(false);
        // Argsort of a line: NumPy's stable order, narrow keys packed and wide in pairs.
        fn check_positions<T: Sortable>(v: &[T]) {
            let mut want: Vec<i64> = (0..v.len() as i64).collect();
            want.sort_by(|&a, &b| T::order(&v[a as usize], &v[b as usize]));
            let mut got = vec![-1i64; v.len()];
            argsort_line(|j| v[j], v.len(), (&mut Vec::new(), &mut Vec::new()), |r, k| got[r] = k);
            assert_eq!(got, want);
        }
        if simd::available() {
            let f: Vec<f64> = raw.iter().enumerate().map(|(k, &r)| if k % 13 == 0 { f64::NAN } else if k % 11 == 0 { -0.0 } else if k % 7 == 0 { 0.0 } else { (r % 100) as f64 }).collect();
            check_positions(&f);
            check_positions(&f.iter().map(|&x| x as f32).collect::<Vec<_>>());
            check_positions(&raw.iter().map(|&r| (r % 50) as i32 - 25).collect::<Vec<_>>());
            check_positions(&raw.iter().map(|&r| r as i64).collect::<Vec<_>>());
            check_positions(&raw.iter().map(|&r| r as u8).collect::<Vec<_>>());
        }
    }

    #[test]
    fn numpy_order_for_nans_and_complex() {
        let mut v = vec![3.0, f64::NAN, -0.5, 1.0, f64::NAN, -7.0];
        v.sort_by(f64::order);
        assert_eq!(&v[..4], &[-7.0, -0.5, 1.0, 3.0]);
        assert!(v[4].is_nan() && v[5].is_nan());
        let nan = f64::NAN;
        let c = |re, im| Complex::new(re, im);
        let mut z = vec![c(nan, nan), c(nan, 1.0), c(1.0, nan), c(2.0, -1.0), c(1.0, 5.0), c(1.0, 2.0), c(nan, -3.0)];
        z.sort_by(Complex::<f64>::order);
        let key = |z: &Complex<f64>| (z.re.is_nan(), z.im.is_nan(), if z.re.is_nan() { 0.0 } else { z.re }, if z.im.is_nan() { 0.0 } else { z.im });
        let got: Vec<_> = z.iter().map(key).collect();
        let want = vec![(false, false, 1.0, 2.0), (false, false, 1.0, 5.0), (false, false, 2.0, -1.0), (false, true, 1.0, 0.0),
                        (true, false, 0.0, -3.0), (true, false, 0.0, 1.0), (true, true, 0.0, 0.0)];
        assert_eq!(got, want);
    }
}
