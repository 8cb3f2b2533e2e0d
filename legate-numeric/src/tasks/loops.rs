//! Elementwise loops over tiles: the one place that walks raw rows.
//!
//! Operands are tiles (any strides, possibly aliasing the output, as in `a += b`) or
//! scalars. Rows are walked with raw pointers — never references — so an output that
//! aliases an input is well defined, and contiguous rows get tight loops the compiler
//! vectorizes.

use legate_core::{Element, PhysicalStore, TaskError};
use smallvec::SmallVec;

/// A row shorter than this is worth trading for a longer dimension (see [`for_each_run`]).
const SHORT_ROW: usize = 32;

/// Walks every element of several tiles of one shape in lock step, like
/// `legate_core::abi::for_each_row` (`f(row_starts, row_len, byte_strides)`), but in
/// whatever order reads fastest, for work where the order of elements does not matter
/// (elementwise maps, whole-tile folds). Dimensions that are contiguous in every tile
/// merge into one row, and a short innermost row trades places with the longest
/// dimension: a (10⁶, 2) tile is two strided rows of 10⁶, not 10⁶ calls of two elements.
pub fn for_each_run(tiles: &[&PhysicalStore], mut f: impl FnMut(&[*mut u8], usize, &[i64])) {
    let Some(first) = tiles.first() else { return };
    let (lo, hi) = (first.lo(), first.hi());
    let nd = lo.len();
    let extent = |d: usize| (hi[d] - lo[d]).max(0) as usize;
    if (0..nd).any(|d| extent(d) == 0) {
        return;
    }
    let mut ptrs: SmallVec<[*mut u8; 8]> = tiles.iter().map(|t| t.ptr()).collect();
    if nd <= 1 {
        // The common case (and 0-d: one row of one element) needs no bookkeeping.
        let strides: SmallVec<[i64; 8]> = tiles.iter().map(|t| if nd == 0 { 0 } else { t.strides()[0] }).collect();
        f(&ptrs, if nd == 0 { 1 } else { extent(0) }, &strides);
        return;
    }
    // Dimensions from the innermost out, each an extent and every tile's byte stride;
    // extents of 1 drop out and contiguous neighbours merge.
    let nt = tiles.len();
    let mut dims: SmallVec<[(usize, SmallVec<[i64; 8]>); 6]> = SmallVec::new();
    for d in (0..nd).rev() {
        let n = extent(d);
        if n == 1 {
            continue;
        }
        let strides: SmallVec<[i64; 8]> = tiles.iter().map(|t| t.strides()[d]).collect();
        if let Some((inner_n, inner)) = dims.last_mut() {
            if (0..nt).all(|t| strides[t] == inner[t] * *inner_n as i64) {
                *inner_n *= n;
                continue;
            }
        }
        dims.push((n, strides));
    }
    if dims.is_empty() {
        let zeros: SmallVec<[i64; 8]> = smallvec::smallvec![0; nt];
        f(&ptrs, 1, &zeros);
        return;
    }
    if dims[0].0 < SHORT_ROW {
        let longest = (0..dims.len()).max_by_key(|&i| dims[i].0).unwrap_or(0);
        if dims[longest].0 >= 4 * dims[0].0 {
            dims.swap(0, longest);
        }
    }
    let (row_len, row_strides) = (dims[0].0, dims[0].1.clone());
    let outer = &dims[1..];
    let mut idx: SmallVec<[usize; 6]> = smallvec::smallvec![0; outer.len()];
    loop {
        f(&ptrs, row_len, &row_strides);
        // Advance the outer index like an odometer (innermost first).
        let mut d = 0;
        loop {
            if d == outer.len() {
                return;
            }
            let (n, strides) = &outer[d];
            idx[d] += 1;
            if idx[d] < *n {
                for (p, s) in ptrs.iter_mut().zip(strides) {
                    *p = p.wrapping_offset(*s as isize);
                }
                break;
            }
            for (p, s) in ptrs.iter_mut().zip(strides) {
                *p = p.wrapping_offset(-(*s * (*n as i64 - 1)) as isize);
            }
            idx[d] = 0;
            d += 1;
        }
    }
}

/// One input of an elementwise operation.
pub enum Operand<'a, T> {
    Tile(PhysicalStore<'a>),
    Scalar(T),
}

#[derive(Clone, Copy)]
enum Src<T> {
    Ptr(*const T, isize),
    Val(T),
}

impl<T: Copy> Src<T> {
    #[inline(always)]
    unsafe fn get(self, i: usize) -> T {
        match self {
            Src::Ptr(p, s) => *p.offset(i as isize * s),
            Src::Val(v) => v,
        }
    }
}

fn check_tile<T: Element>(t: &PhysicalStore, what: &str) -> Result<(), TaskError> {
    if t.type_code() != Some(T::CODE) || t.elem_size() != T::SIZE {
        return Err(TaskError::new(format!(
            "{what} has type code {:?} but the kernel expects {}",
            t.type_code(),
            std::any::type_name::<T>()
        )));
    }
    Ok(())
}

/// `out[i] = f(a[i])`.
pub fn map1<S: Element, D: Element>(out: &PhysicalStore, a: &Operand<S>, f: impl Fn(S) -> D) -> Result<(), TaskError> {
    map2(out, a, &Operand::Scalar(0u8), |x, _| f(x))
}

/// `out[i] = f(a[i], b[i])` where `a` and `b` may differ in type (e.g. a shift count).
pub fn map2<A: Element, B: Element, D: Element>(
    out: &PhysicalStore,
    a: &Operand<A>,
    b: &Operand<B>,
    f: impl Fn(A, B) -> D,
) -> Result<(), TaskError> {
    map2_rows::<A, B, D, false>(out, a, b, f)
}

/// [`map2`] for operations that are a vector instruction or two (float `+ - * /`):
/// rows run in code compiled for the widest vector unit the CPU has, as the fused
/// kernel's do (the baseline build's SSE2 moves two float64 at a time: a 1,024-element
/// add took ~3,000 instructions, half of an unfused small launch's kernel time).
pub fn map2_wide<A: Element, B: Element, D: Element>(
    out: &PhysicalStore,
    a: &Operand<A>,
    b: &Operand<B>,
    f: impl Fn(A, B) -> D,
) -> Result<(), TaskError> {
    map2_rows::<A, B, D, true>(out, a, b, f)
}

fn map2_rows<A: Element, B: Element, D: Element, const WIDE: bool>(
    out: &PhysicalStore,
    a: &Operand<A>,
    b: &Operand<B>,
    f: impl Fn(A, B) -> D,
) -> Result<(), TaskError> {
    check_tile::<D>(out, "the output")?;
    let mut tiles = smallvec::SmallVec::<[&PhysicalStore; 3]>::new();
    tiles.push(out);
    if let Operand::Tile(t) = a {
        check_tile::<A>(t, "the first input")?;
        tiles.push(t);
    }
    if let Operand::Tile(t) = b {
        check_tile::<B>(t, "the second input")?;
        tiles.push(t);
    }
    for_each_run(&tiles, |ptrs, n, strides| {
        let mut k = 1;
        let sa = match a {
            Operand::Tile(_) => {
                k += 1;
                Src::Ptr(ptrs[k - 1] as *const A, (strides[k - 1] / A::SIZE as i64) as isize)
            }
            Operand::Scalar(v) => Src::Val(*v),
        };
        let sb = match b {
            Operand::Tile(_) => {
                k += 1;
                Src::Ptr(ptrs[k - 1] as *const B, (strides[k - 1] / B::SIZE as i64) as isize)
            }
            Operand::Scalar(v) => Src::Val(*v),
        };
        let o = ptrs[0] as *mut D;
        let so = (strides[0] / D::SIZE as i64) as isize;
        // SAFETY: the pointers and strides describe rows of this point's tiles, which
        // the scheduler reserved for it; reads and writes go through raw pointers.
        unsafe {
            if WIDE {
                row_wide(n, o, so, sa, sb, &f)
            } else {
                row(n, o, so, sa, sb, &f)
            }
        }
    });
    Ok(())
}

/// [`row`] compiled for AVX-512 or AVX2 when the CPU has it (the same loop: the same
/// results, in the same order).
#[inline(always)]
unsafe fn row_wide<A: Copy, B: Copy, D: Copy, F: Fn(A, B) -> D>(n: usize, o: *mut D, so: isize, a: Src<A>, b: Src<B>, f: &F) {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f")]
        unsafe fn avx512<A: Copy, B: Copy, D: Copy, F: Fn(A, B) -> D>(n: usize, o: *mut D, so: isize, a: Src<A>, b: Src<B>, f: &F) {
            unsafe { row(n, o, so, a, b, f) }
        }
        #[target_feature(enable = "avx2")]
        unsafe fn avx2<A: Copy, B: Copy, D: Copy, F: Fn(A, B) -> D>(n: usize, o: *mut D, so: isize, a: Src<A>, b: Src<B>, f: &F) {
            unsafe { row(n, o, so, a, b, f) }
        }
        // SAFETY: the level says the CPU has these instructions; the caller's contract
        // is `row`'s.
        match crate::tasks::vmath::simd_level() {
            2 => return unsafe { avx512(n, o, so, a, b, f) },
            1 => return unsafe { avx2(n, o, so, a, b, f) },
            _ => {}
        }
    }
    unsafe { row(n, o, so, a, b, f) }
}

#[inline(always)]
unsafe fn row<A: Copy, B: Copy, D: Copy>(n: usize, o: *mut D, so: isize, a: Src<A>, b: Src<B>, f: &impl Fn(A, B) -> D) {
    match (a, b) {
        (Src::Ptr(pa, 1), Src::Ptr(pb, 1)) if so == 1 => {
            for i in 0..n {
                *o.add(i) = f(*pa.add(i), *pb.add(i));
            }
        }
        (Src::Ptr(pa, 1), Src::Val(y)) if so == 1 => {
            for i in 0..n {
                *o.add(i) = f(*pa.add(i), y);
            }
        }
        (Src::Val(x), Src::Ptr(pb, 1)) if so == 1 => {
            for i in 0..n {
                *o.add(i) = f(x, *pb.add(i));
            }
        }
        _ => {
            for i in 0..n {
                *o.offset(i as isize * so) = f(a.get(i), b.get(i));
            }
        }
    }
}
