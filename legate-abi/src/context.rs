//! The safe view of a point task's [`RawTaskContext`].

use crate::raw::{RawScalar, RawStore, RawTaskContext, INLINE_DIM};
use crate::{Element, PhysicalStore, TaskError, VariantKind, MAX_DIM};

/// What a running point task sees: its store arguments, scalars, and where it sits in
/// the launch domain.
pub struct TaskContext<'a> {
    raw: &'a mut RawTaskContext,
}

fn slice<'a, T>(ptr: *const T, len: u32) -> &'a [T] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: the runtime passes arrays of exactly `len` entries that outlive the task.
        unsafe { std::slice::from_raw_parts(ptr, len as usize) }
    }
}

impl<'a> TaskContext<'a> {
    /// # Safety
    /// `raw` must be a context built by the runtime for the currently running task.
    pub unsafe fn from_raw(raw: *mut RawTaskContext) -> TaskContext<'a> {
        TaskContext { raw: &mut *raw }
    }

    pub fn task_id(&self) -> u32 {
        self.raw.task_id
    }

    pub fn variant(&self) -> VariantKind {
        VariantKind::from_u32(self.raw.variant).unwrap_or(VariantKind::Cpu)
    }

    /// Threads this task may use (for OMP variants).
    pub fn num_threads(&self) -> usize {
        self.raw.num_threads.max(1) as usize
    }

    fn stores(&self, ptr: *const RawStore, len: u32) -> Vec<PhysicalStore<'a>> {
        slice(ptr, len).iter().map(|r| PhysicalStore::new(*r)).collect()
    }

    pub fn inputs(&self) -> Vec<PhysicalStore<'a>> {
        self.stores(self.raw.inputs, self.raw.num_inputs)
    }

    pub fn outputs(&self) -> Vec<PhysicalStore<'a>> {
        self.stores(self.raw.outputs, self.raw.num_outputs)
    }

    pub fn reductions(&self) -> Vec<PhysicalStore<'a>> {
        self.stores(self.raw.reductions, self.raw.num_reductions)
    }

    fn nth(&self, what: &str, ptr: *const RawStore, len: u32, i: usize) -> Result<PhysicalStore<'a>, TaskError> {
        slice(ptr, len)
            .get(i)
            .map(|r| PhysicalStore::new(*r))
            .ok_or_else(|| TaskError::new(format!("task has {len} {what}s; {what} {i} does not exist")))
    }

    pub fn input(&self, i: usize) -> Result<PhysicalStore<'a>, TaskError> {
        self.nth("input", self.raw.inputs, self.raw.num_inputs, i)
    }

    pub fn output(&self, i: usize) -> Result<PhysicalStore<'a>, TaskError> {
        self.nth("output", self.raw.outputs, self.raw.num_outputs, i)
    }

    pub fn reduction(&self, i: usize) -> Result<PhysicalStore<'a>, TaskError> {
        self.nth("reduction", self.raw.reductions, self.raw.num_reductions, i)
    }

    pub fn num_scalars(&self) -> usize {
        self.raw.num_scalars as usize
    }

    /// Scalar argument `i`, checked against the requested type.
    pub fn scalar<T: Element>(&self, i: usize) -> Result<T, TaskError> {
        let scalars: &[RawScalar] = slice(self.raw.scalars, self.raw.num_scalars);
        let s = scalars
            .get(i)
            .ok_or_else(|| TaskError::new(format!("task has {} scalars; scalar {i} does not exist", scalars.len())))?;
        if s.type_code != T::CODE as u32 || s.size as usize != T::SIZE {
            return Err(TaskError::new(format!(
                "wrong scalar type: scalar {i} has type code {} ({} bytes) but {} was requested",
                s.type_code,
                s.size,
                std::any::type_name::<T>()
            )));
        }
        // SAFETY: the size was checked and every bit pattern of an Element is valid.
        Ok(unsafe { std::ptr::read_unaligned(s.data as *const T) })
    }

    /// The raw bytes of scalar argument `i` (for compound types such as strings).
    pub fn scalar_bytes(&self, i: usize) -> Result<&'a [u8], TaskError> {
        let scalars: &[RawScalar] = slice(self.raw.scalars, self.raw.num_scalars);
        let s = scalars.get(i).ok_or_else(|| TaskError::new(format!("scalar {i} does not exist")))?;
        Ok(slice(s.data, s.size as u32))
    }

    /// The point and the launch shape, from the inline arrays or (launches of many
    /// dimensions) behind `launch_dims`.
    fn launch(&self) -> (&[i64], &[i64]) {
        let n = self.raw.launch_ndim as usize;
        if n <= INLINE_DIM {
            (&self.raw.point[..n], &self.raw.launch_shape[..n])
        } else {
            // SAFETY: the runtime passes 2 * launch_ndim coordinates alive during the task.
            let all = unsafe { std::slice::from_raw_parts(self.raw.launch_dims, 2 * n) };
            (&all[..n], &all[n..])
        }
    }

    /// This point's coordinates in the launch domain.
    pub fn point(&self) -> &[i64] {
        self.launch().0
    }

    /// Alias of [`TaskContext::point`], the name library authors of the original know.
    pub fn get_task_index(&self) -> &[i64] {
        self.point()
    }

    /// Extents of the launch domain (which starts at the origin).
    pub fn launch_shape(&self) -> &[i64] {
        self.launch().1
    }

    /// True when the launch has one point.
    pub fn is_single_task(&self) -> bool {
        self.launch_shape().iter().product::<i64>() == 1
    }

    /// Gives unbound output `i` a buffer of `extents` elements and returns its store,
    /// ready for `view_mut`. Each point binds its own piece; pieces are concatenated
    /// along the first dimension in launch order.
    pub fn bind_output(&mut self, i: usize, extents: &[usize]) -> Result<PhysicalStore<'a>, TaskError> {
        if extents.len() > MAX_DIM {
            return Err(TaskError::new("too many dimensions for an output"));
        }
        if i >= self.raw.num_outputs as usize {
            return Err(TaskError::new(format!("task has {} outputs; output {i} does not exist", self.raw.num_outputs)));
        }
        let ext: Vec<i64> = extents.iter().map(|&e| e as i64).collect();
        let mut out = slice(self.raw.outputs, self.raw.num_outputs)[i];
        // SAFETY: the callback and its data come from the runtime for this very task.
        let rc = unsafe { (self.raw.bind_output)(self.raw.runtime_data, i as u32, ext.as_ptr(), ext.len() as u32, &mut out) };
        if rc != 0 {
            return Err(TaskError::new(format!("could not bind output {i}")));
        }
        // SAFETY: index checked above; the array is the runtime's, owned by this task.
        unsafe { *self.raw.outputs.add(i) = out };
        Ok(PhysicalStore::new(out))
    }

    /// The launch's communicator, for tasks launched with one (see the runtime's
    /// `TaskLaunch::add_communicator`): exchanges between the launch's points, which
    /// run on different ranks. None for other tasks.
    pub fn communicator(&mut self) -> Option<Communicator<'_, 'a>> {
        (self.raw.comm_size > 0).then_some(Communicator { ctx: self })
    }

    pub(crate) fn report(&self, msg: &str) {
        // SAFETY: the callback and its data come from the runtime for this very task.
        unsafe { (self.raw.report_error)(self.raw.runtime_data, msg.as_ptr(), msg.len()) }
    }
}

/// Exchanges between the points of a launch with a communicator (MPI-style
/// collectives; every point must make the same calls in the same order).
pub struct Communicator<'c, 'a> {
    ctx: &'c mut TaskContext<'a>,
}

impl Communicator<'_, '_> {
    /// How many points communicate.
    pub fn size(&self) -> usize {
        self.ctx.raw.comm_size as usize
    }

    /// This point's index among them.
    pub fn rank(&self) -> usize {
        self.ctx.raw.comm_rank as usize
    }

    /// Sends `parts[j]` to point `j` and returns what each point sent this one, in
    /// point order.
    pub fn all_to_all(&mut self, parts: &[&[u8]]) -> Result<Vec<Vec<u8>>, TaskError> {
        let n = self.size();
        if parts.len() != n {
            return Err(TaskError::new(format!("all_to_all: {} parts for {n} points", parts.len())));
        }
        let counts: Vec<u64> = parts.iter().map(|p| p.len() as u64).collect();
        let send: Vec<u8> = parts.concat();
        let mut recv: *const u8 = std::ptr::null();
        let mut recv_counts = vec![0u64; n];
        let raw = &self.ctx.raw;
        // SAFETY: the callback and its data come from the runtime for this very task;
        // the arrays have one entry per point.
        let rc = unsafe { (raw.all_to_all)(raw.runtime_data, send.as_ptr(), counts.as_ptr(), &mut recv, recv_counts.as_mut_ptr()) };
        if rc != 0 {
            return Err(TaskError::new("all_to_all failed"));
        }
        let mut out = Vec::with_capacity(n);
        let mut at = 0usize;
        for &c in &recv_counts {
            let c = c as usize;
            // SAFETY: the runtime's buffer holds sum(recv_counts) bytes until the task returns.
            out.push(if c == 0 { Vec::new() } else { unsafe { std::slice::from_raw_parts(recv.add(at), c) }.to_vec() });
            at += c;
        }
        Ok(out)
    }

    /// Every point's `data`, in point order.
    pub fn all_gather(&mut self, data: &[u8]) -> Result<Vec<Vec<u8>>, TaskError> {
        let parts = vec![data; self.size()];
        self.all_to_all(&parts)
    }
}
