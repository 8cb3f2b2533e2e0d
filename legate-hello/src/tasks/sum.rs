use super::rows_per_thread;
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::Axis;
use rayon::prelude::*;

/// Adds all elements of a float64 store into a one-element reduction (a future).
pub struct Sum;

/// Adds `partial` into this point's reduction tile. That tile is a private buffer the
/// runtime filled with the identity of `Add` (0); when every point is done, the
/// runtime adds the buffers into the future in launch order. So a point never sees
/// the others' contributions, may simply `+=`, and the result is the same every run.
fn contribute(ctx: &TaskContext, partial: f64) -> Result<(), TaskError> {
    let mut total = ctx.reduction(0)?;
    let mut total = total.view_mut::<f64>()?;
    let slot = total.iter_mut().next().ok_or_else(|| TaskError::new("sum: the reduction target has no element"))?;
    *slot += partial;
    Ok(())
}

impl Task for Sum {
    const TASK_ID: u32 = 3;
    const NAME: &'static str = "sum";
    const HAS_OMP: bool = true;

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let input = ctx.input(0)?;
        // `sum` iterates any view (empty ones sum to 0).
        let partial = input.view::<f64>()?.sum();
        contribute(ctx, partial)
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let input = ctx.input(0)?;
        let x = input.view::<f64>()?;
        let partial = if x.ndim() == 0 {
            x.sum()
        } else {
            // Sum fixed chunks in parallel, then add the chunk sums in order: unlike a
            // work-stealing `par_iter().sum()`, the rounding is the same every run.
            let rows = rows_per_thread(x.len_of(Axis(0)), ctx.num_threads());
            let chunks: Vec<_> = x.axis_chunks_iter(Axis(0), rows).collect();
            let sums: Vec<f64> = chunks.into_par_iter().map(|chunk| chunk.sum()).collect();
            sums.into_iter().sum()
        };
        contribute(ctx, partial)
    }
}
