use super::rows_per_thread;
use legate_abi::{Task, TaskContext, TaskError};
use ndarray::{ArrayViewD, ArrayViewMutD, Axis, Zip};
use rayon::prelude::*;

/// `output[i] = input[i]^2` for float64 stores of any shape.
pub struct Square;

/// The loop itself, on (a piece of) the tile. `Zip` walks both views in step whatever
/// their strides, and checks that their shapes agree.
fn square(mut output: ArrayViewMutD<f64>, input: ArrayViewD<f64>) {
    Zip::from(&mut output).and(&input).for_each(|y, &x| *y = x * x);
}

impl Task for Square {
    const TASK_ID: u32 = 2;
    const NAME: &'static str = "square";
    const HAS_OMP: bool = true;

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        // The launch aligned input and output, so the two tiles have the same shape.
        let input = ctx.input(0)?;
        let mut output = ctx.output(0)?;
        square(output.view_mut::<f64>()?, input.view::<f64>()?);
        Ok(())
    }

    fn omp(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let input = ctx.input(0)?;
        let mut output = ctx.output(0)?;
        let (x, mut y) = (input.view::<f64>()?, output.view_mut::<f64>()?);
        if x.ndim() == 0 {
            square(y, x); // A single element: nothing to split.
            return Ok(());
        }
        // One chunk of rows per thread; each chunk is an ordinary (strided) view.
        let rows = rows_per_thread(x.len_of(Axis(0)), ctx.num_threads());
        let chunks: Vec<_> = y.axis_chunks_iter_mut(Axis(0), rows).zip(x.axis_chunks_iter(Axis(0), rows)).collect();
        chunks.into_par_iter().for_each(|(y, x)| square(y, x));
        Ok(())
    }
}
