//! Profiling: one record per executed point task (processor, task, start, duration),
//! written as a Chrome trace (`--profile`). Recording costs two clock reads per task
//! and is off unless asked for.

use crate::executor::TaskNode;
use legate_abi::VariantKind;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct TaskEvent {
    pub proc_id: usize,
    pub kind: VariantKind,
    pub name: String,
    pub op_id: u64,
    pub point: String,
    /// Microseconds since the profiler started.
    pub start_us: f64,
    pub duration_us: f64,
}

pub struct Profiler {
    epoch: Instant,
    events: Mutex<Vec<TaskEvent>>,
}

impl Default for Profiler {
    fn default() -> Self {
        Profiler { epoch: Instant::now(), events: Mutex::new(Vec::new()) }
    }
}

impl Profiler {
    pub(crate) fn record(&self, proc_id: usize, kind: VariantKind, node: &TaskNode, start: Instant, end: Instant) {
        let e = TaskEvent {
            proc_id,
            kind,
            name: node.name.to_string(),
            op_id: node.op_id,
            point: format!("{:?}", node.color),
            start_us: start.duration_since(self.epoch).as_secs_f64() * 1e6,
            duration_us: end.duration_since(start).as_secs_f64() * 1e6,
        };
        self.events.lock().unwrap_or_else(|e| e.into_inner()).push(e);
    }

    pub fn events(&self) -> Vec<TaskEvent> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Writes the events in Chrome trace format (`chrome://tracing`, Perfetto).
    pub fn write_chrome_trace(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(out, "{{\"traceEvents\": [")?;
        let events = self.events();
        for (i, e) in events.iter().enumerate() {
            let sep = if i + 1 == events.len() { "" } else { "," };
            writeln!(
                out,
                "{{\"name\": {:?}, \"cat\": \"task\", \"ph\": \"X\", \"pid\": 0, \"tid\": {}, \"ts\": {:.3}, \"dur\": {:.3}, \"args\": {{\"op\": {}, \"point\": {:?}, \"variant\": \"{:?}\"}}}}{sep}",
                e.name, e.proc_id, e.start_us, e.duration_us, e.op_id, e.point, e.kind
            )?;
        }
        writeln!(out, "]}}")
    }
}
