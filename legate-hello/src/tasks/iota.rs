use legate_abi::{Task, TaskContext, TaskError};

/// Fills a 1-d float64 store with `1, 2, ..., n`.
pub struct Iota;

impl Task for Iota {
    const TASK_ID: u32 = 1;
    const NAME: &'static str = "iota";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let mut output = ctx.output(0)?;
        if output.ndim() != 1 {
            return Err(TaskError::new(format!("iota: the output must be 1-d, it is {}-d", output.ndim())));
        }
        // The view indexes the tile from 0, but `lo()` says where the tile starts in
        // the whole store: that is what makes each point write the right values.
        let first = output.lo()[0];
        let mut values = output.view_mut::<f64>()?;
        for (i, value) in values.iter_mut().enumerate() {
            *value = (first + i as i64 + 1) as f64;
        }
        Ok(())
    }
}
