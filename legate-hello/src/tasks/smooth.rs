use legate_abi::{Task, TaskContext, TaskError};

/// `y[i] = x[i-1] + x[i] + x[i+1]` for 1-d float64 stores of length `n` (the scalar),
/// neighbours outside the array counting 0. Each point needs one element of `x` beyond
/// its tile on each side: `legate_hello.smooth` asks for them with a bloat constraint
/// (`add_bloat(y, x, [1], [1])`), launched from Python like `axpy`.
pub struct Smooth;

impl Task for Smooth {
    const TASK_ID: u32 = 5;
    const NAME: &'static str = "smooth";

    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let n = ctx.scalar::<i64>(0)?;
        let x = ctx.input(0)?;
        let mut y = ctx.output(0)?;
        if x.ndim() != 1 || y.ndim() != 1 {
            return Err(TaskError::new("smooth takes 1-d stores"));
        }
        let (ylo, yhi) = (y.lo()[0], y.hi()[0]);
        if ylo == yhi {
            return Ok(());
        }
        // The halo the constraint promised, clipped at the array's ends: checked, so a
        // launch without it fails instead of reading zeros at the tiles' edges.
        let (xlo, xhi) = (x.lo()[0], x.hi()[0]);
        if (xlo, xhi) != ((ylo - 1).max(0), (yhi + 1).min(n)) {
            return Err(TaskError::new(format!("smooth: x's tile {xlo}..{xhi} is not y's tile {ylo}..{yhi} with a halo of 1")));
        }
        let xs = x.view::<f64>()?;
        let at = |i: i64| if i < 0 || i >= n { 0.0 } else { xs[[(i - xlo) as usize]] };
        for (k, out) in y.view_mut::<f64>()?.iter_mut().enumerate() {
            let i = ylo + k as i64;
            *out = at(i - 1) + at(i) + at(i + 1);
        }
        Ok(())
    }
}
