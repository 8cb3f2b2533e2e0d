//! Counting: `bincount` (how often each non-negative integer occurs, or the sum of its
//! weights). Each point counts its piece of the values into a private copy of the bins
//! (a sum reduction), and the runtime adds the copies up.

use legate_core::{Element, PhysicalStore, Task, TaskContext, TaskError};

/// Adds one (or the element's weight) to bin `x` for every value `x` of `values`.
fn count<W: Element + Copy + std::ops::AddAssign>(values: &PhysicalStore, weights: Option<&PhysicalStore>, bins: &mut PhysicalStore, one: W) -> Result<(), TaskError> {
    if values.type_code() != Some(i64::CODE) || bins.type_code() != Some(W::CODE) || weights.is_some_and(|w| w.type_code() != Some(W::CODE)) {
        return Err(TaskError::new("bincount: int64 values, and weights and bins of one type"));
    }
    let v = values.view::<i64>().map_err(|e| TaskError::new(e.0))?;
    let w = weights.map(|w| w.view::<W>()).transpose().map_err(|e| TaskError::new(e.0))?;
    let mut b = bins.view_mut::<W>().map_err(|e| TaskError::new(e.0))?;
    let n = b.len();
    let b = b.as_slice_mut().ok_or_else(|| TaskError::new("bincount: the bins must be contiguous"))?;
    let bin = |x: i64| if x < 0 || x as usize >= n { Err(TaskError::new(format!("bincount: value {x} is outside the {n} bins"))) } else { Ok(x as usize) };
    match &w {
        Some(w) => {
            for (&x, &wx) in v.iter().zip(w.iter()) {
                b[bin(x)?] += wx;
            }
        }
        None => {
            for &x in v.iter() {
                b[bin(x)?] += one;
            }
        }
    }
    Ok(())
}

pub struct BincountTask;

impl Task for BincountTask {
    const TASK_ID: u32 = crate::BINCOUNT;
    const NAME: &'static str = "bincount";

    /// Input 0: the int64 values; input 1 (optional): float64 weights aligned with them.
    /// Reduction 0: the bins (int64 counts, or float64 weight sums), whole, summed.
    fn cpu(ctx: &mut TaskContext) -> Result<(), TaskError> {
        let values = ctx.input(0)?;
        let weights = ctx.inputs().get(1).copied();
        let mut bins = ctx.reduction(0)?;
        match weights {
            Some(w) => count::<f64>(&values, Some(&w), &mut bins, 1.0),
            None => count::<i64>(&values, None, &mut bins, 1),
        }
    }
}
