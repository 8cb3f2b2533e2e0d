//! Elementwise loops over tiles: the one place that walks raw rows.
//!
//! Operands are tiles (any strides, possibly aliasing the output, as in `a += b`) or
//! scalars. Rows are walked with raw pointers — never references — so an output that
//! aliases an input is well defined, and contiguous rows get tight loops the compiler
//! vectorizes.

use legate_core::abi::for_each_row;
use legate_core::{Element, PhysicalStore, TaskError};

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
    for_each_row(&tiles, |ptrs, n, strides| {
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
        unsafe { row(n, o, so, sa, sb, &f) }
    });
    Ok(())
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
