use legate_abi::{Task, TaskContext, TaskError};

/// Prints the message it is given, and which point of the launch it is.
pub struct HelloWorld;

impl Task for HelloWorld {
    const TASK_ID: u32 = 0;
    const NAME: &'static str = "hello_world";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        // Strings have no fixed-size element type, so they arrive as raw bytes.
        let message = std::str::from_utf8(ctx.scalar_bytes(0)?)
            .map_err(|e| TaskError::new(format!("hello_world: the message is not UTF-8: {e}")))?;
        // The launch is 1-d (see `HelloLibrary::hello_world`).
        println!("Hello, World! {message} (from point {} of {})", ctx.point()[0], ctx.launch_shape()[0]);
        Ok(())
    }
}
