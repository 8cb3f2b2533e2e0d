use legate_abi::{Task, TaskContext, TaskError};
use ndarray::Zip;

/// `z = alpha * x + y` for float64 stores of any shape. It has no Rust API method:
/// `legate_hello.axpy` launches it from Python through `legate.core`, which is all a
/// new task needs (a body here, a line in `HelloLibrary::register`, a Python function).
pub struct Axpy;

impl Task for Axpy {
    const TASK_ID: u32 = 4;
    const NAME: &'static str = "axpy";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        // Launched from Python: check what arrived, so a wrong launch fails with a message.
        let (inputs, outputs) = (ctx.inputs().len(), ctx.outputs().len());
        if inputs != 2 || outputs != 1 || ctx.num_scalars() != 1 {
            return Err(TaskError::new(format!(
                "axpy takes inputs x, y, an output and the scalar alpha; got {inputs} inputs, {outputs} outputs, {} scalars",
                ctx.num_scalars()
            )));
        }
        let alpha = ctx.scalar::<f64>(0)?;
        let (x, y) = (ctx.input(0)?, ctx.input(1)?);
        let mut z = ctx.output(0)?;
        // The launch aligns all three, so the tiles have one shape (Zip checks it).
        Zip::from(&mut z.view_mut::<f64>()?).and(&x.view::<f64>()?).and(&y.view::<f64>()?).for_each(|z, &x, &y| *z = alpha * x + y);
        Ok(())
    }
}
