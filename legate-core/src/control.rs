//! What a running program shares with its point tasks besides data: the errors of
//! failed tasks that nobody was told of yet, the cancellation point an interrupt sets,
//! and the faults a test injects.
//!
//! Errors reach the caller through the stores they spoil (see `Storage::poison`): a
//! failed point poisons the pieces it should have written, tasks reading a poisoned
//! piece fail with the same error without running, and reading such a store raises it
//! every time until the elements are written again. The list here only says which
//! failures were never reported, for fences and the message at exit.

use crate::error::LegateError;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Shared by the runtime and every operation it launches.
pub(crate) struct RunControl {
    /// (operation id, error) of failed tasks not yet reported to the program.
    unreported: Mutex<Vec<(u64, LegateError)>>,
    /// Operations with a smaller id are cancelled: their points that have not started
    /// poison their outputs instead of running.
    cancel_before: AtomicU64,
    faults: Mutex<Vec<Fault>>,
    any_faults: AtomicBool,
}

/// What an injected fault does to a point task.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// The point fails with an error naming the injection.
    Fail,
    /// The point sleeps this long before it runs.
    Slow(Duration),
}

/// A fault to inject (tests only): `action` hits the points of the operations running
/// `task` (any task when None) whose point index is `point` (any when None), from the
/// `skip`-th such operation on, for `times` operations.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub task: Option<String>,
    pub point: Option<u64>,
    pub skip: u64,
    pub times: u64,
    pub action: FaultAction,
    /// Only operations with ids in `first_op..last_op` (the runtime sets the window:
    /// from the injection until `Runtime::close_fault_windows`).
    pub first_op: u64,
    pub last_op: u64,
    /// Operations matched so far (operation ids, to count each once).
    seen: Vec<u64>,
}

impl Fault {
    pub fn new(action: FaultAction) -> Fault {
        Fault { task: None, point: None, skip: 0, times: u64::MAX, action, first_op: 0, last_op: u64::MAX, seen: Vec::new() }
    }

    pub fn task(mut self, name: &str) -> Fault {
        self.task = Some(name.to_string());
        self
    }

    pub fn point(mut self, index: u64) -> Fault {
        self.point = Some(index);
        self
    }

    /// Hit operations `skip .. skip + times` of those that match.
    pub fn operations(mut self, skip: u64, times: u64) -> Fault {
        self.skip = skip;
        self.times = times;
        self
    }

    /// Parses `LEGATE_FAULTS`: rules separated by `;`, each `fail=TASK` or
    /// `slow=TASK` (TASK a task name or `*`) with optional `,point=I`, `,skip=N`,
    /// `,times=N`, `,ms=M` (slow; default 100). Allocation faults are `alloc=N` (the
    /// N-th allocation from start-up fails) and are returned separately.
    pub fn parse_all(spec: &str) -> Result<(Vec<Fault>, Option<u64>), String> {
        let mut faults = Vec::new();
        let mut alloc = None;
        for rule in spec.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            let mut fault: Option<Fault> = None;
            let mut ms = 100u64;
            for item in rule.split(',') {
                let (key, value) = item.split_once('=').ok_or_else(|| format!("LEGATE_FAULTS: '{item}' is not key=value"))?;
                let number = || value.trim().parse::<u64>().map_err(|_| format!("LEGATE_FAULTS: {key}={value} is not a number"));
                let task = (value != "*").then(|| value.to_string());
                match key.trim() {
                    "fail" => fault = Some(Fault { task, ..Fault::new(FaultAction::Fail) }),
                    "slow" => fault = Some(Fault { task, ..Fault::new(FaultAction::Slow(Duration::ZERO)) }),
                    "alloc" => alloc = Some(number()?),
                    "point" | "skip" | "times" | "ms" => {
                        let n = number()?;
                        match (key.trim(), fault.as_mut()) {
                            ("ms", _) => ms = n,
                            ("point", Some(f)) => f.point = Some(n),
                            ("skip", Some(f)) => f.skip = n,
                            ("times", Some(f)) => f.times = n,
                            _ => return Err(format!("LEGATE_FAULTS: '{item}' must follow fail= or slow=")),
                        }
                    }
                    other => return Err(format!("LEGATE_FAULTS: unknown key '{other}' (fail, slow, point, skip, times, ms, alloc)")),
                }
            }
            if let Some(mut f) = fault {
                if let FaultAction::Slow(d) = &mut f.action {
                    *d = Duration::from_millis(ms);
                }
                faults.push(f);
            }
        }
        Ok((faults, alloc))
    }
}

impl RunControl {
    pub fn new(faults: Vec<Fault>) -> RunControl {
        RunControl {
            unreported: Mutex::new(Vec::new()),
            cancel_before: AtomicU64::new(0),
            any_faults: AtomicBool::new(!faults.is_empty()),
            faults: Mutex::new(faults),
        }
    }

    pub fn record_failure(&self, op_id: u64, err: LegateError) {
        self.unreported.lock().unwrap_or_else(|e| e.into_inner()).push((op_id, err));
    }

    /// The failure of `op_id` was reported to the program (it raised there).
    pub fn mark_reported(&self, op_id: u64) {
        self.unreported.lock().unwrap_or_else(|e| e.into_inner()).retain(|(id, _)| *id != op_id);
    }

    /// Takes every unreported failure.
    pub fn take_all(&self) -> Vec<LegateError> {
        self.unreported.lock().unwrap_or_else(|e| e.into_inner()).drain(..).map(|(_, e)| e).collect()
    }

    /// Takes the unreported failure of one operation.
    pub fn take_of(&self, op_id: u64) -> Option<LegateError> {
        let mut list = self.unreported.lock().unwrap_or_else(|e| e.into_inner());
        let pos = list.iter().position(|(id, _)| *id == op_id)?;
        let (_, err) = list.remove(pos);
        list.retain(|(id, _)| *id != op_id);
        Some(err)
    }

    /// Cancels every operation with an id below `op_id` whose points have not started.
    pub fn cancel_before(&self, op_id: u64) {
        self.cancel_before.fetch_max(op_id, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self, op_id: u64) -> bool {
        op_id < self.cancel_before.load(Ordering::Relaxed)
    }

    pub fn add_fault(&self, fault: Fault) {
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).push(fault);
        self.any_faults.store(true, Ordering::SeqCst);
    }

    /// Faults still open stop at operation `op_id` (they hit only earlier ones).
    pub fn close_fault_windows(&self, op_id: u64) {
        for f in self.faults.lock().unwrap_or_else(|e| e.into_inner()).iter_mut() {
            f.last_op = f.last_op.min(op_id);
        }
    }

    pub fn clear_faults(&self) {
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.any_faults.store(false, Ordering::SeqCst);
    }

    /// Whether a rule naming `rule` hits a task named `task`: tasks are named
    /// `library.task`, and either the full name or the task's matches. A fused task,
    /// `library.fused[multiply,add]`, matches `fused` and each operation its name lists.
    fn names(task: &str, rule: &str) -> bool {
        let (base, absorbed) = match task.split_once('[') {
            Some((base, rest)) => (base, rest.trim_end_matches(']')),
            None => (task, ""),
        };
        let suffix = |name: &str| name.strip_suffix(rule).is_some_and(|lib| lib.ends_with('.'));
        rule == task || rule == base || suffix(base) || absorbed.split(',').any(|op| op == rule)
    }

    /// The injected faults that hit point `index` of operation `op_id` running `task`.
    pub fn faults_for(&self, task: &str, op_id: u64, index: u64) -> Vec<FaultAction> {
        if !self.any_faults.load(Ordering::Relaxed) {
            return Vec::new();
        }
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let mut hits = Vec::new();
        for f in faults.iter_mut() {
            let named = |t: &str| Self::names(task, t);
            if f.task.as_deref().is_some_and(|t| !named(t)) || op_id < f.first_op || op_id >= f.last_op {
                continue;
            }
            // Count operations in id order of first sight (each once).
            let ordinal = match f.seen.iter().position(|&id| id == op_id) {
                Some(k) => k as u64,
                None => {
                    f.seen.push(op_id);
                    f.seen.len() as u64 - 1
                }
            };
            let in_window = ordinal >= f.skip && ordinal - f.skip < f.times;
            if in_window && f.point.is_none_or(|p| p == index) {
                hits.push(f.action.clone());
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs_parse() {
        let (faults, alloc) = Fault::parse_all("fail=copy,point=1,skip=2,times=1; slow=*,ms=30; alloc=7").unwrap();
        assert_eq!(alloc, Some(7));
        assert_eq!(faults.len(), 2);
        assert_eq!(faults[0], Fault::new(FaultAction::Fail).task("copy").point(1).operations(2, 1));
        assert_eq!(faults[1], Fault::new(FaultAction::Slow(Duration::from_millis(30))));
        assert!(Fault::parse_all("point=1").is_err());
        assert!(Fault::parse_all("fail=x,bogus=1").is_err());
    }

    #[test]
    fn faults_count_matching_operations() {
        let c = RunControl::new(vec![Fault::new(FaultAction::Fail).task("t").operations(1, 2)]);
        assert!(c.faults_for("lib.t", 10, 0).is_empty());
        assert!(c.faults_for("other", 11, 0).is_empty());
        assert!(c.faults_for("lib.tt", 11, 0).is_empty());
        assert_eq!(c.faults_for("t", 12, 0), vec![FaultAction::Fail]);
        assert_eq!(c.faults_for("t", 12, 1), vec![FaultAction::Fail]);
        assert_eq!(c.faults_for("t", 13, 0), vec![FaultAction::Fail]);
        assert!(c.faults_for("t", 14, 0).is_empty());
    }

    #[test]
    fn fused_tasks_match_fused_and_the_operations_they_list() {
        for (task, rule, hit) in [
            ("lib.fused[multiply,add]", "fused", true),
            ("lib.fused[multiply,add]", "add", true),
            ("lib.fused[multiply,add]", "lib.fused", true),
            ("lib.fused[multiply,add,+3]", "exp", false),
            ("lib.fused[multiply,add]", "mul", false),
            ("lib.binary", "binary", true),
            ("lib.binary", "lib.binary", true),
            ("lib.binary", "nary", false),
            ("binary", "binary", true),
        ] {
            assert_eq!(RunControl::names(task, rule), hit, "{task} / {rule}");
        }
    }
}
