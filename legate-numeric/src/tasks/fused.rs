//! The fused elementwise task: a window of unary/binary ufuncs and casts (see
//! `crate::fusion`) run as one pass over memory.
//!
//! The program runs block by block (`BLOCK` elements of a row at a time): each
//! operation in program order, through the same kernels the unfused tasks use, so
//! results, NaN handling, integer division by zero and casts are identical.
//! Temporaries nobody else holds live in scratch blocks that stay in cache. A `dot`
//! adds its block's sum of products to an accumulator, which the task adds into its
//! reduction (a future) at the end.

use super::binary::BinaryUfunc;
use super::loops::Operand;
use super::unary::UnaryUfunc;
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use legate_core::abi::raw::RawStore;
use super::loops::for_each_run;
use legate_core::abi::TypeCode;
use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};

/// Elements per block: a few scratch blocks of complex128 stay within L2.
const BLOCK: usize = 1024;
/// Bytes of one scratch block (the widest element: complex128).
const REG_BYTES: usize = BLOCK * 16;

pub struct FusedTask;

#[derive(Clone, Copy)]
enum Loc {
    Tile(usize),
    Reg(usize),
    /// Offset and length of a scalar's bytes in the program.
    Const(usize, usize),
    /// A broadcast value (one element of an input, read when the task starts).
    Value(usize),
    /// The `k`-th `dot`'s accumulator (the task's reduction `k`).
    Sum(usize),
}

enum Kind {
    Unary(UnaryOp),
    Binary(BinaryOp),
    Convert,
    Where,
    Dot,
}

struct Op {
    kind: Kind,
    in_ty: TypeCode,
    out_ty: TypeCode,
    args: smallvec::SmallVec<[Loc; 3]>,
    out: Loc,
}

/// A decoded program. It does not hold the program's bytes (scalars are read from
/// them by offset), so one decoding serves every launch of the same bytes.
struct Program {
    /// Per tile: (read, written).
    tiles: Vec<(bool, bool)>,
    /// Broadcast values: the first inputs.
    values: usize,
    regs: usize,
    /// How many `dot` sums (reductions).
    sums: usize,
    ops: Vec<Op>,
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bad() -> TaskError {
        TaskError::new("fused: malformed program")
    }

    fn u8(&mut self) -> Result<u8, TaskError> {
        let v = *self.b.get(self.at).ok_or_else(Self::bad)?;
        self.at += 1;
        Ok(v)
    }

    fn u32(&mut self) -> Result<u32, TaskError> {
        let s = self.b.get(self.at..self.at + 4).ok_or_else(Self::bad)?;
        self.at += 4;
        Ok(u32::from_le_bytes(s.try_into().map_err(|_| Self::bad())?))
    }

    fn ty(&mut self) -> Result<TypeCode, TaskError> {
        TypeCode::from_u32(self.u8()? as u32).ok_or_else(Self::bad)
    }

    fn loc(&mut self) -> Result<Loc, TaskError> {
        Ok(match self.u8()? {
            0 => Loc::Tile(self.u32()? as usize),
            1 => Loc::Reg(self.u32()? as usize),
            2 => {
                let n = self.u8()? as usize;
                let at = self.at;
                self.b.get(at..at + n).ok_or_else(Self::bad)?;
                self.at += n;
                Loc::Const(at, n)
            }
            3 => Loc::Value(self.u32()? as usize),
            4 => Loc::Sum(self.u32()? as usize),
            _ => return Err(Self::bad()),
        })
    }
}

fn decode(bytes: &[u8]) -> Result<Program, TaskError> {
    let mut r = Reader { b: bytes, at: 0 };
    let ntiles = r.u32()? as usize;
    let mut tiles = Vec::with_capacity(ntiles);
    for _ in 0..ntiles {
        let f = r.u8()?;
        tiles.push((f & 1 != 0, f & 2 != 0));
    }
    let values = r.u32()? as usize;
    let regs = r.u32()? as usize;
    let nops = r.u32()? as usize;
    let sums = r.u32()? as usize;
    let mut ops = Vec::with_capacity(nops);
    for _ in 0..nops {
        let kind = r.u8()?;
        let code = r.u32()?;
        let kind = match kind {
            0 => Kind::Unary(UnaryOp::from_code(code).ok_or_else(Reader::bad)?),
            1 => Kind::Binary(BinaryOp::from_code(code).ok_or_else(Reader::bad)?),
            2 => Kind::Convert,
            3 => Kind::Where,
            4 => Kind::Dot,
            _ => return Err(Reader::bad()),
        };
        let (in_ty, out_ty) = (r.ty()?, r.ty()?);
        let nargs = r.u8()? as usize;
        let args = (0..nargs).map(|_| r.loc()).collect::<Result<smallvec::SmallVec<_>, _>>()?;
        let out = r.loc()?;
        if matches!(out, Loc::Const(..) | Loc::Value(_)) || args.iter().any(|a| matches!(a, Loc::Value(k) if *k >= values) || matches!(a, Loc::Sum(_))) {
            return Err(Reader::bad());
        }
        // A dot (and only a dot) writes a sum, from two stores.
        let dot = matches!(kind, Kind::Dot);
        let sum_out = matches!(out, Loc::Sum(k) if k < sums);
        if dot != sum_out || (dot && (args.len() != 2 || args.iter().any(|a| !matches!(a, Loc::Tile(_) | Loc::Reg(_))))) {
            return Err(Reader::bad());
        }
        ops.push(Op { kind, in_ty, out_ty, args, out });
    }
    Ok(Program { tiles, values, regs, sums, ops })
}

/// Programs decoded lately, with their bytes: a loop of small operations launches the
/// same few programs over and over, and decoding one cost more per operation than
/// running it on a small block. A program is a function of its bytes alone.
static DECODED: std::sync::Mutex<Vec<(Box<[u8]>, std::sync::Arc<Program>)>> = std::sync::Mutex::new(Vec::new());

/// How many decoded programs [`DECODED`] keeps (a loop whose body does not divide the
/// window's length cycles through a few).
const DECODED_KEPT: usize = 8;

/// `bytes` decoded, from [`DECODED`] when they were decoded lately.
fn decoded(bytes: &[u8]) -> Result<std::sync::Arc<Program>, TaskError> {
    let mut kept = DECODED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = kept.iter().position(|(b, _)| **b == *bytes) {
        let hit = kept.remove(i);
        let program = hit.1.clone();
        kept.insert(0, hit);
        return Ok(program);
    }
    drop(kept);
    let program = std::sync::Arc::new(decode(bytes)?);
    let mut kept = DECODED.lock().unwrap_or_else(|e| e.into_inner());
    kept.truncate(DECODED_KEPT - 1);
    kept.insert(0, (bytes.into(), program.clone()));
    Ok(program)
}

fn elem_size(code: TypeCode) -> usize {
    use TypeCode::*;
    match code {
        Bool | Int8 | UInt8 => 1,
        Int16 | UInt16 | Float16 => 2,
        Int32 | UInt32 | Float32 => 4,
        Int64 | UInt64 | Float64 | Complex64 => 8,
        Complex128 => 16,
        _ => 0,
    }
}

/// A 1-d view of `len` elements at `data`, `stride` bytes apart.
fn piece<'a>(data: *mut u8, ty: TypeCode, len: usize, stride: i64) -> PhysicalStore<'a> {
    let mut raw = RawStore::new(data, ty as u32, elem_size(ty) as u64);
    raw.ndim = 1;
    raw.hi[0] = len as i64;
    raw.strides[0] = stride;
    // SAFETY: the pointer is a row of a tile this point owns, or a scratch block of
    // this call; the piece is used only while both are.
    unsafe { PhysicalStore::from_raw(raw) }
}

/// One block's worth of locations: row pointers and strides of the tiles, scratch.
struct Block<'p> {
    ptrs: &'p [*mut u8],
    strides: &'p [i64],
    regs: *mut u8,
    len: usize,
    bytes: &'p [u8],
    /// Where each broadcast value's element is: a constant appended to `bytes`.
    consts: &'p [Loc],
}

impl Block<'_> {
    /// A broadcast value's constant (other locations as they are).
    #[inline]
    fn resolve(&self, loc: Loc) -> Loc {
        match loc {
            Loc::Value(k) => self.consts[k],
            _ => loc,
        }
    }

    fn store<'a>(&self, loc: Loc, ty: TypeCode) -> PhysicalStore<'a> {
        match self.resolve(loc) {
            Loc::Tile(k) => piece(self.ptrs[k], ty, self.len, self.strides[k]),
            Loc::Reg(r) => piece(self.regs.wrapping_add(r * REG_BYTES), ty, self.len, elem_size(ty) as i64),
            Loc::Const(..) | Loc::Value(_) | Loc::Sum(_) => unreachable!("constants are operands only, sums a dot's output"),
        }
    }

    fn operand<'a, T: Element>(&self, loc: Loc, ty: TypeCode) -> Operand<'a, T> {
        match self.resolve(loc) {
            Loc::Const(at, n) => {
                debug_assert_eq!(n, T::SIZE);
                // SAFETY: `n` bytes of a scalar of type T (checked when recorded).
                Operand::Scalar(unsafe { std::ptr::read_unaligned(self.bytes[at..at + n].as_ptr() as *const T) })
            }
            loc => Operand::Tile(self.store(loc, ty)),
        }
    }
}

fn floating(ty: TypeCode) -> bool {
    matches!(ty, TypeCode::Float16 | TypeCode::Float32 | TypeCode::Float64 | TypeCode::Complex64 | TypeCode::Complex128)
}

/// Whether an integer divisor block has a zero (NumPy warns of division by zero).
fn has_zero<T: Element + PartialEq + Default>(b: &Operand<T>) -> bool {
    match b {
        Operand::Scalar(v) => *v == T::default(),
        Operand::Tile(t) => {
            let mut zero = false;
            for_each_run(&[t], |ptrs, n, strides| {
                let (p, s) = (ptrs[0] as *const T, (strides[0] / T::SIZE as i64) as isize);
                for i in 0..n {
                    // SAFETY: a row of the divisor block.
                    zero |= unsafe { *p.offset(i as isize * s) } == T::default();
                }
            });
            zero
        }
    }
}

/// float64 `+ - * /` on contiguous blocks (scratch registers, dense tile rows, scalars)
/// and same-type copies: most of what small windows run, in loops the compiler
/// vectorizes with the CPU's widest unit (the general kernels stay scalar on tiny
/// blocks). IEEE gives the same results and floating-point flags either way.
mod dense {
    use super::{elem_size, Block, Loc, REG_BYTES};
    use crate::ops::BinaryOp;
    use legate_core::abi::TypeCode;

    #[derive(Clone, Copy)]
    enum Src {
        Ptr(*const f64),
        /// The output's own elements (`x += y`).
        Out,
        Val(f64),
    }

    /// The block's elements at `loc` when they are contiguous.
    pub(super) fn ptr(blk: &Block, loc: Loc, size: usize) -> Option<*mut u8> {
        match blk.resolve(loc) {
            Loc::Tile(k) if blk.strides[k] == size as i64 => Some(blk.ptrs[k]),
            Loc::Reg(r) => Some(blk.regs.wrapping_add(r * REG_BYTES)),
            _ => None,
        }
    }

    fn src(blk: &Block, loc: Loc, out: *mut f64) -> Option<Src> {
        match blk.resolve(loc) {
            Loc::Const(at, 8) => Some(Src::Val(f64::from_le_bytes(blk.bytes[at..at + 8].try_into().ok()?))),
            _ => ptr(blk, loc, 8).map(|p| if p as *mut f64 == out { Src::Out } else { Src::Ptr(p as *const f64) }),
        }
    }

    /// `o[i] = f(a(i), b(i))` as a plain loop. The compiler vectorizes it, checking at
    /// run time that distinct pointers do not overlap (the plan keeps them disjoint);
    /// an input that is the output is read through `o` itself, which needs no check.
    /// (Chunking through a local array instead made the compiler gather and scatter
    /// with a scalar operand: 3x slower than memory.)
    #[inline(always)]
    unsafe fn run(n: usize, o: *mut f64, a: impl Fn(usize) -> f64, b: impl Fn(usize) -> f64, f: impl Fn(f64, f64) -> f64) {
        for i in 0..n {
            // SAFETY: `o` has `n` elements.
            unsafe { *o.add(i) = f(a(i), b(i)) };
        }
    }

    #[inline(always)]
    unsafe fn body(op: BinaryOp, n: usize, o: *mut f64, a: Src, b: Src) {
        macro_rules! ops {
            ($a:expr, $b:expr) => {
                // SAFETY: the caller's pointers have `n` elements.
                unsafe {
                    match op {
                        BinaryOp::Add => run(n, o, $a, $b, |x, y| x + y),
                        BinaryOp::Subtract => run(n, o, $a, $b, |x, y| x - y),
                        BinaryOp::Multiply => run(n, o, $a, $b, |x, y| x * y),
                        _ => run(n, o, $a, $b, |x, y| x / y),
                    }
                }
            };
        }
        // (The loads run inside `ops!`'s unsafe block: `i < n`, and the caller's
        // pointers have `n` elements.)
        match (a, b) {
            (Src::Ptr(pa), Src::Ptr(pb)) => ops!(|i| *pa.add(i), |i| *pb.add(i)),
            (Src::Ptr(pa), Src::Out) => ops!(|i| *pa.add(i), |i| *o.add(i)),
            (Src::Ptr(pa), Src::Val(y)) => ops!(|i| *pa.add(i), |_| y),
            (Src::Out, Src::Ptr(pb)) => ops!(|i| *o.add(i), |i| *pb.add(i)),
            (Src::Out, Src::Out) => ops!(|i| *o.add(i), |i| *o.add(i)),
            (Src::Out, Src::Val(y)) => ops!(|i| *o.add(i), |_| y),
            (Src::Val(x), Src::Ptr(pb)) => ops!(|_| x, |i| *pb.add(i)),
            (Src::Val(x), Src::Out) => ops!(|_| x, |i| *o.add(i)),
            (Src::Val(x), Src::Val(y)) => ops!(|_| x, |_| y),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn body_avx512(op: BinaryOp, n: usize, o: *mut f64, a: Src, b: Src) {
        unsafe { body(op, n, o, a, b) }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn body_avx2(op: BinaryOp, n: usize, o: *mut f64, a: Src, b: Src) {
        unsafe { body(op, n, o, a, b) }
    }

    /// Runs float64 `op` when it is one of these and its locations are contiguous.
    pub(super) fn binary(op: BinaryOp, blk: &Block, args: &[Loc], out: Loc) -> bool {
        if !matches!(op, BinaryOp::Add | BinaryOp::Subtract | BinaryOp::Multiply | BinaryOp::TrueDivide) || args.len() != 2 {
            return false;
        }
        let Some(o) = ptr(blk, out, 8) else { return false };
        let (n, o) = (blk.len, o as *mut f64);
        let (Some(a), Some(b)) = (src(blk, args[0], o), src(blk, args[1], o)) else { return false };
        // SAFETY: every location holds `blk.len` contiguous float64 of this block (a
        // tile row of this point, or a scratch register); the output is an input
        // exactly or disjoint from them (the fusion plan's rule).
        unsafe {
            match crate::tasks::vmath::simd_level() {
                #[cfg(target_arch = "x86_64")]
                2 => body_avx512(op, n, o, a, b),
                #[cfg(target_arch = "x86_64")]
                1 => body_avx2(op, n, o, a, b),
                _ => body(op, n, o, a, b),
            }
        }
        true
    }

    /// A same-type copy between contiguous locations.
    pub(super) fn copy(blk: &Block, ty: TypeCode, from: Loc, to: Loc) -> bool {
        let size = elem_size(ty);
        let (Some(src), Some(dst)) = (ptr(blk, from, size), ptr(blk, to, size)) else { return false };
        if size == 0 {
            return false;
        }
        // SAFETY: both hold `blk.len` contiguous elements; `copy` allows them to be one.
        unsafe { std::ptr::copy(src, dst, blk.len * size) };
        true
    }
}

/// Adds the block's sum of products of a `dot`'s operands to its accumulator (`T`'s
/// bytes; zero, the sum's identity, to start).
fn dot_block(op: &Op, blk: &Block, acc: &mut [u8; 16]) -> Result<(), TaskError> {
    use super::reduce::Reducible;
    let (a, b) = (blk.store(op.args[0], op.in_ty), blk.store(op.args[1], op.in_ty));
    crate::with_numeric_type!(Some(op.in_ty), T => {
        let v = super::reduce::dot_sum::<T>(&a, &b);
        // SAFETY: `acc` holds 16 bytes, at least one T (any bit pattern is a T).
        unsafe {
            let p = acc.as_mut_ptr() as *mut T;
            p.write_unaligned(T::combine(ReduceOp::Sum, p.read_unaligned(), v));
        }
        Ok(())
    }, Err(TaskError::new("dot: unsupported dtype")))
}

/// Adds a `dot`'s accumulated sum into its reduction.
fn add_sum(red: &mut PhysicalStore, ty: TypeCode, acc: &[u8; 16]) -> Result<(), TaskError> {
    use super::reduce::Reducible;
    crate::with_numeric_type!(Some(ty), T => {
        // SAFETY: as in `dot_block`.
        let v = unsafe { (acc.as_ptr() as *const T).read_unaligned() };
        for x in red.view_mut::<T>()?.iter_mut() {
            *x = T::combine(ReduceOp::Sum, *x, v);
        }
        Ok(())
    }, Err(TaskError::new("dot: unsupported dtype")))
}

/// Runs `op` on one block, writing `out` (the op's own output, or a scratch block
/// standing in for it).
fn run_op(op: &Op, out_loc: Loc, blk: &Block) -> Result<(), TaskError> {
    if let Kind::Convert = op.kind {
        if op.in_ty == op.out_ty && dense::copy(blk, op.in_ty, op.args[0], out_loc) {
            return Ok(());
        }
    }
    let out = blk.store(out_loc, op.out_ty);
    match op.kind {
        Kind::Unary(u) => {
            let run = || crate::with_numeric_type!(Some(op.in_ty), T => {
                let a = blk.operand::<T>(op.args[0], op.in_ty);
                <T as UnaryUfunc>::apply(u, &out, &a)
            }, Err(TaskError::new(format!("ufunc '{}' does not support this dtype", u.name()))));
            if floating(op.in_ty) && u.reports_fp_errors() {
                crate::fperr::watch(u.numpy_name(), run)
            } else {
                run()
            }
        }
        Kind::Binary(b) => {
            let dense_f64 = op.in_ty == TypeCode::Float64 && op.out_ty == TypeCode::Float64;
            let run = || if dense_f64 && dense::binary(b, blk, &op.args, out_loc) { Ok(()) } else { crate::with_numeric_type!(Some(op.in_ty), T => {
                let x = blk.operand::<T>(op.args[0], op.in_ty);
                let y = blk.operand::<T>(op.args[1], op.in_ty);
                <T as BinaryUfunc>::apply(b, &out, &x, &y)
            }, Err(TaskError::new(format!("ufunc '{}' does not support this dtype", b.name())))) };
            if floating(op.in_ty) {
                return if b.reports_fp_errors() { crate::fperr::watch(b.numpy_name(), run) } else { run() };
            }
            let result = run();
            if matches!(b, BinaryOp::FloorDivide | BinaryOp::Remainder | BinaryOp::Fmod) {
                let zero = crate::with_numeric_type!(Some(op.in_ty), T => has_zero::<T>(&blk.operand::<T>(op.args[1], op.in_ty)), false);
                if zero {
                    crate::fperr::record(b.numpy_name(), crate::fperr::DIVIDE);
                }
            }
            result
        }
        Kind::Where => {
            let cond = blk.store(op.args[0], TypeCode::Bool);
            crate::with_numeric_type!(Some(op.in_ty), T => {
                let x = blk.operand::<T>(op.args[1], op.in_ty);
                let y = blk.operand::<T>(op.args[2], op.in_ty);
                super::select::select::<T>(&out, &cond, &x, &y)
            }, Err(TaskError::new("where: unsupported dtype")))
        }
        Kind::Dot => unreachable!("a dot runs through dot_block"),
        Kind::Convert => {
            let input = blk.store(op.args[0], op.in_ty);
            if floating(op.in_ty) {
                crate::fperr::watch("cast", || super::convert::convert_tiles(input, &out))
            } else {
                super::convert::convert_tiles(input, &out)
            }
        }
    }
}

/// Runs `op`, whose output is a contiguous row of a large tile that nothing later in
/// the block reads, through `stage` (a scratch block) and stores the row with
/// non-temporal stores: the row does not evict the inputs from the cache, and the
/// memory is written without being read first (a third less traffic for `a * 2 + b`).
fn run_streamed(op: &Op, blk: &Block, stage: Loc) -> Result<(), TaskError> {
    let size = elem_size(op.out_ty);
    let Some(dst) = dense::ptr(blk, op.out, size) else { return run_op(op, op.out, blk) };
    let bytes = blk.len * size;
    if bytes < stream::MIN_ROW {
        return run_op(op, op.out, blk);
    }
    // A same-type copy streams straight from its source.
    let copy_from = match op.kind {
        Kind::Convert if op.in_ty == op.out_ty => dense::ptr(blk, op.args[0], size),
        _ => None,
    };
    let src = match copy_from {
        Some(src) => src,
        None => {
            run_op(op, stage, blk)?;
            dense::ptr(blk, stage, size).expect("a scratch block is contiguous")
        }
    };
    if src != dst {
        // SAFETY: both hold `bytes` bytes of this block; a source tile is the output
        // exactly or disjoint from it (the plan's rule), and the stage is scratch.
        unsafe { stream::copy(dst, src, bytes) };
    }
    Ok(())
}

/// Non-temporal stores (x86-64), which write memory without reading it into the cache.
mod stream {
    /// A point that writes at least this many bytes streams its outputs: they would not
    /// stay in the caches (32 MiB of L3 on the development VM) for the next operation.
    const MIN_BYTES: usize = 16 << 20;

    /// [`MIN_BYTES`], or none under `LEGATE_TEST`, so that the tests' small arrays
    /// take this path too.
    pub(super) fn min_bytes() -> usize {
        static MIN: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *MIN.get_or_init(|| {
            let test = std::env::var("LEGATE_TEST").is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "on" | "yes"));
            if test { 0 } else { MIN_BYTES }
        })
    }
    /// Rows shorter than this are stored as usual.
    pub(super) const MIN_ROW: usize = 256;

    /// Whether this CPU has the stores.
    pub(super) fn available() -> bool {
        cfg!(target_arch = "x86_64")
    }

    /// Copies `len` bytes from `src` to `dst` (disjoint), streaming the whole cache
    /// lines of `dst`.
    ///
    /// # Safety
    /// Both ranges are valid for `len` bytes and do not overlap.
    pub(super) unsafe fn copy(dst: *mut u8, src: *const u8, len: usize) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as the caller promises; the levels' features were detected.
        unsafe {
            match crate::tasks::vmath::simd_level() {
                2 => copy_avx512(dst, src, len),
                1 => copy_avx2(dst, src, len),
                _ => copy_sse2(dst, src, len),
            }
        };
        #[cfg(not(target_arch = "x86_64"))]
        // SAFETY: as the caller promises.
        unsafe {
            std::ptr::copy_nonoverlapping(src, dst, len)
        };
    }

    /// The stores are weakly ordered: make them visible before the task reports done.
    pub(super) fn fence() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE is part of x86-64.
        unsafe {
            std::arch::x86_64::_mm_sfence()
        };
    }

    /// `dst`'s unaligned head and tail are copied as usual, the lines between with
    /// `$store` of `$lane` bytes (loaded unaligned from `src`).
    macro_rules! streaming {
        ($name:ident, $feature:literal, $lane:literal, $load:ident, $store:ident) => {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = $feature)]
            unsafe fn $name(dst: *mut u8, src: *const u8, len: usize) {
                use std::arch::x86_64::*;
                // SAFETY: the caller's ranges hold `len` bytes; `head + i + $lane <= len`.
                unsafe {
                    let head = dst.align_offset(64).min(len);
                    std::ptr::copy_nonoverlapping(src, dst, head);
                    let mut i = head;
                    while i + $lane <= len {
                        $store(dst.add(i) as *mut _, $load(src.add(i) as *const _));
                        i += $lane;
                    }
                    std::ptr::copy_nonoverlapping(src.add(i), dst.add(i), len - i);
                }
            }
        };
    }
    streaming!(copy_avx512, "avx512f", 64, _mm512_loadu_si512, _mm512_stream_si512);
    streaming!(copy_avx2, "avx2", 32, _mm256_loadu_si256, _mm256_stream_si256);
    streaming!(copy_sse2, "sse2", 16, _mm_loadu_si128, _mm_stream_si128);

    #[cfg(all(test, target_arch = "x86_64"))]
    mod tests {
        /// Every variant this CPU runs copies exactly the bytes asked for, whatever the
        /// destination's alignment and the length (heads and tails around whole lines).
        #[test]
        fn streamed_copies_are_exact() {
            let src: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
            let mut variants: Vec<(&str, unsafe fn(*mut u8, *const u8, usize))> = vec![("sse2", super::copy_sse2)];
            if is_x86_feature_detected!("avx2") {
                variants.push(("avx2", super::copy_avx2));
            }
            if is_x86_feature_detected!("avx512f") {
                variants.push(("avx512", super::copy_avx512));
            }
            for (name, copy) in variants {
                for off in 0..70 {
                    for len in [0, 1, 15, 16, 63, 64, 65, 200, 511, 900] {
                        let mut dst = vec![0u8; 1000];
                        // SAFETY: `off + len` and `3 + len` are within the vectors.
                        unsafe { copy(dst.as_mut_ptr().add(off), src.as_ptr().add(3), len) };
                        super::fence();
                        assert_eq!(&dst[off..off + len], &src[3..3 + len], "{name} at {off}, {len} bytes");
                        assert!(dst[..off].iter().chain(&dst[off + len..]).all(|&b| b == 0), "{name} at {off}, {len} bytes");
                    }
                }
            }
        }
    }
}

impl Task for FusedTask {
    const TASK_ID: u32 = crate::FUSED;
    const NAME: &'static str = "fused";

    /// Scalar 0: the program (`crate::fusion` encodes it). Inputs: the broadcast
    /// values, then each tile's input (if read); outputs: each tile's (if written), in
    /// tile order; reductions: the `dot`s' sums, in program order.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let raw = ctx.scalar_bytes(0)?;
        let program = decoded(raw)?;
        let (inputs, outputs) = (ctx.inputs(), ctx.outputs());
        // Broadcast values become constants: their bytes follow the program's.
        let mut bytes = std::borrow::Cow::Borrowed(raw);
        let mut consts = Vec::with_capacity(program.values);
        for v in inputs.iter().take(program.values) {
            let size = v.type_code().map_or(0, elem_size);
            if size == 0 || v.shape().iter().product::<usize>() == 0 {
                return Err(TaskError::new("fused: a broadcast value without an element"));
            }
            consts.push(Loc::Const(bytes.len(), size));
            // SAFETY: the input holds at least one element of `size` bytes at its pointer.
            bytes.to_mut().extend_from_slice(unsafe { std::slice::from_raw_parts(v.ptr() as *const u8, size) });
        }
        if consts.len() != program.values {
            return Err(TaskError::new("fused: missing a broadcast value"));
        }
        let (mut i, mut o) = (program.values, 0);
        let mut tiles: Vec<&PhysicalStore> = Vec::with_capacity(program.tiles.len());
        for &(read, written) in &program.tiles {
            // A tile read and written is the output (the same memory).
            if read {
                i += 1;
            }
            let t = if written {
                o += 1;
                outputs.get(o - 1)
            } else {
                inputs.get(i - 1)
            };
            tiles.push(t.ok_or_else(|| TaskError::new("fused: missing a tile"))?);
        }
        if tiles.is_empty() {
            return Err(TaskError::new("fused: a program without tiles"));
        }
        // Large outputs are streamed (see `run_streamed`): an op streams when it writes
        // a tile that no later op of the program reads or writes, through one more
        // scratch block.
        let written: usize = tiles.iter().zip(&program.tiles).filter(|(_, f)| f.1).map(|(t, _)| t.shape().iter().product::<usize>() * t.elem_size()).sum();
        let stream = written >= stream::min_bytes() && stream::available();
        let streams: Vec<bool> = (0..program.ops.len())
            .map(|i| {
                let Loc::Tile(k) = program.ops[i].out else { return false };
                let touches = |op: &Op| matches!(op.out, Loc::Tile(j) if j == k) || op.args.iter().any(|a| matches!(a, Loc::Tile(j) if *j == k));
                stream && !program.ops[i + 1..].iter().any(touches)
            })
            .collect();
        let stage = Loc::Reg(program.regs);
        // Scratch blocks (u128 keeps complex128 aligned), left uninitialized: a register
        // is always written before it is read (the fusion plan only puts storages whose
        // first access is a write there), and zeroing them cost more than tiny windows' work.
        let mut scratch: Vec<u128> = Vec::with_capacity((program.regs + stream as usize) * REG_BYTES / 16);
        let regs = scratch.as_mut_ptr() as *mut u8;
        let mut error = None;
        let mut accs = vec![[0u8; 16]; program.sums];
        for_each_run(&tiles, |ptrs, n, strides| {
            let mut start = 0;
            while start < n && error.is_none() {
                let len = BLOCK.min(n - start);
                let moved: smallvec::SmallVec<[*mut u8; 8]> = ptrs.iter().zip(strides).map(|(p, s)| p.wrapping_offset(start as isize * *s as isize)).collect();
                let blk = Block { ptrs: &moved, strides, regs, len, bytes: &bytes, consts: &consts };
                for (op, &streamed) in program.ops.iter().zip(&streams) {
                    let done = match op.out {
                        Loc::Sum(k) => dot_block(op, &blk, &mut accs[k]),
                        _ if streamed => run_streamed(op, &blk, stage),
                        _ => run_op(op, op.out, &blk),
                    };
                    if let Err(e) = done {
                        error = Some(e);
                        break;
                    }
                }
                start += len;
            }
        });
        if stream {
            stream::fence();
        }
        if let Some(e) = error {
            return Err(e);
        }
        for op in &program.ops {
            if let Loc::Sum(k) = op.out {
                add_sum(&mut ctx.reduction(k)?, op.in_ty, &accs[k])?;
            }
        }
        Ok(())
    }
}
