//! Profiling (`--profile`): one record per executed point task (processor, task, start,
//! duration) and one per runtime-internal span (a launch's analysis, a wait), written
//! at exit as a Chrome trace (`legate_prof/trace.json`, opens in Perfetto and
//! chrome://tracing) and a self-contained timeline page (`legate_prof/index.html`).
//! Recording costs two clock reads per task and is off unless asked for.
//!
//! The trace names every thread (processors and runtime threads), and draws each
//! dependence between two recorded point tasks as a flow arrow.

use crate::executor::TaskNode;
use crate::scheduler::DependenceEdge;
use legate_abi::VariantKind;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// A span of the runtime's own work on one of its threads (not a processor's).
#[derive(Clone, Debug)]
pub struct SpanEvent {
    /// What the runtime was doing (`launch`, `wait`, ...).
    pub name: &'static str,
    /// What it was doing it for (a task's name), possibly empty.
    pub detail: String,
    /// The trace thread id (see [`runtime_thread`]).
    pub tid: u64,
    pub start_us: f64,
    pub duration_us: f64,
}

/// Trace thread ids of runtime threads start here, above any processor's index.
const RUNTIME_TIDS: u64 = 1_000_000;
static NEXT_RUNTIME_TID: AtomicU64 = AtomicU64::new(RUNTIME_TIDS);

thread_local! {
    static RUNTIME_TID: u64 = NEXT_RUNTIME_TID.fetch_add(1, Ordering::Relaxed);
}

/// This thread's trace id and name, for spans recorded on it.
fn runtime_thread() -> (u64, String) {
    let tid = RUNTIME_TID.with(|t| *t);
    let name = std::thread::current().name().map_or_else(|| format!("thread {}", tid - RUNTIME_TIDS), str::to_string);
    (tid, name)
}

pub struct Profiler {
    epoch: Instant,
    events: Mutex<Vec<TaskEvent>>,
    spans: Mutex<(Vec<SpanEvent>, BTreeMap<u64, String>)>,
}

impl Default for Profiler {
    fn default() -> Self {
        Profiler { epoch: Instant::now(), events: Mutex::new(Vec::new()), spans: Mutex::new(Default::default()) }
    }
}

/// Records a [`SpanEvent`] when dropped.
pub struct Span<'a> {
    profiler: &'a Profiler,
    name: &'static str,
    detail: String,
    start: Instant,
}

impl Drop for Span<'_> {
    fn drop(&mut self) {
        let end = Instant::now();
        let (tid, thread) = runtime_thread();
        let e = SpanEvent {
            name: self.name,
            detail: std::mem::take(&mut self.detail),
            tid,
            start_us: self.profiler.micros(self.start),
            duration_us: end.duration_since(self.start).as_secs_f64() * 1e6,
        };
        let mut spans = self.profiler.spans.lock().unwrap_or_else(|e| e.into_inner());
        spans.1.entry(tid).or_insert(thread);
        spans.0.push(e);
    }
}

impl Profiler {
    fn micros(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.epoch).as_secs_f64() * 1e6
    }

    pub(crate) fn record(&self, proc_id: usize, kind: VariantKind, node: &TaskNode, start: Instant, end: Instant) {
        let e = TaskEvent {
            proc_id,
            kind,
            name: node.name.to_string(),
            op_id: node.op_id,
            point: format!("{:?}", node.color),
            start_us: self.micros(start),
            duration_us: end.duration_since(start).as_secs_f64() * 1e6,
        };
        self.events.lock().unwrap_or_else(|e| e.into_inner()).push(e);
    }

    /// Starts a span of the runtime's own work on this thread, recorded when the
    /// returned guard is dropped. `detail` says what for (a task's name; may be empty).
    pub fn span(&self, name: &'static str, detail: impl Into<String>) -> Span<'_> {
        Span { profiler: self, name, detail: detail.into(), start: Instant::now() }
    }

    pub fn events(&self) -> Vec<TaskEvent> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn spans(&self) -> Vec<SpanEvent> {
        self.spans.lock().unwrap_or_else(|e| e.into_inner()).0.clone()
    }

    /// The trace as Chrome trace-event JSON (the "JSON object format": `traceEvents`
    /// plus `displayTimeUnit`), which Perfetto and chrome://tracing open. `edges` are
    /// the dependences between point tasks; those whose two ends ran are drawn as
    /// flow arrows. `rank` is the trace's process id.
    pub fn chrome_trace(&self, edges: &[DependenceEdge], rank: usize) -> Value {
        let events = self.events();
        let (spans, threads) = {
            let s = self.spans.lock().unwrap_or_else(|e| e.into_inner());
            (s.0.clone(), s.1.clone())
        };
        let pid = rank;
        let mut out = vec![json!({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": format!("legate rank {rank}")}})];
        // Processors first, in index order, then the runtime's threads.
        let mut procs: BTreeMap<usize, VariantKind> = BTreeMap::new();
        for e in &events {
            procs.entry(e.proc_id).or_insert(e.kind);
        }
        for (&p, kind) in &procs {
            let name = format!("{} processor {p}", variant_name(*kind));
            out.push(json!({"name": "thread_name", "ph": "M", "pid": pid, "tid": p, "args": {"name": name}}));
            out.push(json!({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": p, "args": {"sort_index": p}}));
        }
        for (tid, name) in &threads {
            out.push(json!({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": format!("runtime: {name}")}}));
            out.push(json!({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid, "args": {"sort_index": tid}}));
        }
        let mut slices: HashMap<(u64, &str), &TaskEvent> = HashMap::new();
        for e in &events {
            slices.insert((e.op_id, e.point.as_str()), e);
            out.push(json!({
                "name": e.name, "cat": "task", "ph": "X", "pid": pid, "tid": e.proc_id,
                "ts": e.start_us, "dur": e.duration_us,
                "args": {"op": e.op_id, "point": e.point, "variant": variant_name(e.kind)},
            }));
        }
        for s in &spans {
            let mut args = serde_json::Map::new();
            if !s.detail.is_empty() {
                args.insert("for".into(), Value::from(s.detail.clone()));
            }
            out.push(json!({
                "name": s.name, "cat": "runtime", "ph": "X", "pid": pid, "tid": s.tid,
                "ts": s.start_us, "dur": s.duration_us, "args": args,
            }));
        }
        // Flow events bind to the slice enclosing their timestamp on their thread: the
        // start to the producer's slice, the end ("bp": "e") to the consumer's.
        let mut flow = 0u64;
        for e in edges {
            let (from_point, to_point) = (format!("{:?}", e.from.color), format!("{:?}", e.to.color));
            let (Some(a), Some(b)) = (slices.get(&(e.from.op_id, from_point.as_str())), slices.get(&(e.to.op_id, to_point.as_str()))) else {
                continue;
            };
            flow += 1;
            let name = format!("s{} {}->{}", e.storage, e.from_privilege.name(), e.to_privilege.name());
            out.push(json!({"name": name, "cat": "dependence", "ph": "s", "id": flow, "pid": pid, "tid": a.proc_id, "ts": a.start_us}));
            out.push(json!({"name": name, "cat": "dependence", "ph": "f", "bp": "e", "id": flow, "pid": pid, "tid": b.proc_id, "ts": b.start_us}));
        }
        json!({"traceEvents": out, "displayTimeUnit": "ms", "otherData": {"producer": "legate-core", "version": env!("CARGO_PKG_VERSION")}})
    }

    /// Writes the trace (see [`Profiler::chrome_trace`]).
    pub fn write_chrome_trace(&self, out: &mut impl Write, edges: &[DependenceEdge], rank: usize) -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, &self.chrome_trace(edges, rank))?;
        out.write_all(b"\n")
    }

    /// Writes `dir/index.html` (a self-contained timeline: one lane per processor, a box
    /// per task, hover for details, wheel to zoom, drag to pan, a summary table) and
    /// `dir/trace.json` (Chrome trace format).
    pub fn write_report(&self, dir: &std::path::Path, edges: &[DependenceEdge], rank: usize) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut trace = std::io::BufWriter::new(std::fs::File::create(dir.join("trace.json"))?);
        self.write_chrome_trace(&mut trace, edges, rank)?;
        trace.flush()?;
        let rows: Vec<Value> = self
            .events()
            .iter()
            .map(|e| json!([e.proc_id, e.name, e.op_id, e.point, e.start_us, e.duration_us, variant_name(e.kind)]))
            .collect();
        let data = script_json(&Value::from(rows));
        let html = PROFILE_PAGE.replace("/*DATA*/[]", &data);
        std::fs::write(dir.join("index.html"), html)
    }
}

fn variant_name(kind: VariantKind) -> String {
    format!("{kind:?}")
}

/// JSON that is safe inside an HTML `<script>` element: `<`, `>` and `&` are written
/// as `\u` escapes (so no `</script>` or `<!--` can end or change the element), and so
/// are U+2028/U+2029, which older JavaScript does not accept in string literals.
pub fn script_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The profile viewer: plain HTML, CSS and JavaScript, no network access.
const PROFILE_PAGE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Legate profile</title>
<style>
body { font: 13px sans-serif; margin: 12px; color: #222; }
#timeline { border: 1px solid #bbb; cursor: grab; display: block; }
#tip { position: fixed; pointer-events: none; background: #ffffe8; border: 1px solid #999; padding: 4px 6px; display: none; white-space: pre; }
table { border-collapse: collapse; margin-top: 12px; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; } th { background: #eee; }
td:first-child, th:first-child { text-align: left; }
</style></head><body>
<h2>Legate profile</h2>
<p id="summary"></p>
<p>Wheel: zoom &middot; drag: pan &middot; hover a box for details &middot; <a href="trace.json">trace.json</a> (chrome://tracing, Perfetto)</p>
<canvas id="timeline" width="1200" height="300"></canvas>
<div id="tip"></div>
<h3>Time per task kind</h3><table id="kinds"><tr><th>task</th><th>count</th><th>total ms</th><th>mean us</th></tr></table>
<h3>Utilization per processor</h3><table id="procs"><tr><th>processor</th><th>kind</th><th>tasks</th><th>busy ms</th><th>utilization</th></tr></table>
<script>
"use strict";
const events = /*DATA*/[];  // [proc, name, op, point, start_us, dur_us, kind]
const canvas = document.getElementById("timeline"), ctx = canvas.getContext("2d"), tip = document.getElementById("tip");
const procs = [...new Set(events.map(e => e[0]))].sort((a, b) => a - b);
const lane = new Map(procs.map((p, i) => [p, i]));
const laneH = 28, laneTop = 20, left = 90;
canvas.height = laneTop + Math.max(1, procs.length) * laneH + 10;
let t0 = Math.min(...events.map(e => e[4]), 0), t1 = Math.max(...events.map(e => e[4] + e[5]), 1);
if (!events.length) { t0 = 0; t1 = 1; }
let view0 = t0, view1 = t1;
function color(name) { let h = 0; for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 360; return `hsl(${h},65%,55%)`; }
function x(t) { return left + (t - view0) / (view1 - view0) * (canvas.width - left - 10); }
function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#222"; ctx.font = "12px sans-serif";
  procs.forEach((p, i) => { const k = events.find(e => e[0] === p)[6]; ctx.fillText(`${k} ${p}`, 4, laneTop + i * laneH + 18); });
  ctx.fillText(`${(view0 - t0).toFixed(0)} us`, left, 12);
  ctx.fillText(`${(view1 - t0).toFixed(0)} us`, canvas.width - 80, 12);
  let drawn = 0;
  for (const e of events) {
    const a = x(e[4]), b = x(e[4] + e[5]);
    if (b < left || a > canvas.width) continue;
    drawn++;
    ctx.fillStyle = color(e[1]);
    ctx.fillRect(Math.max(a, left), laneTop + lane.get(e[0]) * laneH + 3, Math.max(b - Math.max(a, left), 1), laneH - 6);
  }
  // Recorded for tests and tools: what the view shows.
  canvas.dataset.lanes = procs.length; canvas.dataset.boxes = drawn;
}
function hit(mx, my) {
  const i = Math.floor((my - laneTop) / laneH); if (i < 0 || i >= procs.length) return null;
  const t = view0 + (mx - left) / (canvas.width - left - 10) * (view1 - view0), slack = (view1 - view0) / canvas.width * 2;
  return events.find(e => lane.get(e[0]) === i && e[4] - slack <= t && t <= e[4] + e[5] + slack) || null;
}
canvas.addEventListener("wheel", ev => {
  ev.preventDefault();
  const t = view0 + (ev.offsetX - left) / (canvas.width - left - 10) * (view1 - view0), f = ev.deltaY < 0 ? 0.8 : 1.25;
  view0 = t - (t - view0) * f; view1 = t + (view1 - t) * f; draw();
});
let drag = null;
canvas.addEventListener("mousedown", ev => { drag = [ev.offsetX, view0, view1]; canvas.style.cursor = "grabbing"; });
window.addEventListener("mouseup", () => { drag = null; canvas.style.cursor = "grab"; });
canvas.addEventListener("mousemove", ev => {
  if (drag) { const dt = (ev.offsetX - drag[0]) / (canvas.width - left - 10) * (drag[2] - drag[1]); view0 = drag[1] - dt; view1 = drag[2] - dt; draw(); }
  const e = hit(ev.offsetX, ev.offsetY);
  if (e) { tip.style.display = "block"; tip.style.left = ev.clientX + 12 + "px"; tip.style.top = ev.clientY + 12 + "px";
    tip.textContent = `${e[1]}\noperation ${e[2]}, point ${e[3]}\nstart ${(e[4] - t0).toFixed(1)} us\nduration ${e[5].toFixed(1)} us\n${e[6]} processor ${e[0]}`; }
  else tip.style.display = "none";
});
const span = Math.max(t1 - t0, 1e-9), kinds = new Map(), per = new Map();
for (const e of events) {
  const k = kinds.get(e[1]) || [0, 0]; k[0]++; k[1] += e[5]; kinds.set(e[1], k);
  const p = per.get(e[0]) || [e[6], 0, 0]; p[1]++; p[2] += e[5]; per.set(e[0], p);
}
const kt = document.getElementById("kinds");
// Cells are filled as text: task names are data, never markup.
function row(table, cells) { const tr = table.insertRow(); for (const c of cells) tr.insertCell().textContent = c; }
[...kinds].sort((a, b) => b[1][1] - a[1][1]).forEach(([n, [c, t]]) => row(kt, [n, c, (t / 1e3).toFixed(3), (t / c).toFixed(1)]));
const pt = document.getElementById("procs");
[...per].sort((a, b) => a[0] - b[0]).forEach(([p, [k, c, t]]) => row(pt, [p, k, c, (t / 1e3).toFixed(3), `${(100 * t / span).toFixed(1)}%`]));
document.getElementById("summary").textContent = `${events.length} tasks on ${procs.length} processors over ${(span / 1e3).toFixed(3)} ms`;
draw();
</script></body></html>
"##;


/// Checks that `trace` is a Chrome trace Perfetto can open, in the JSON object format:
/// every event has a phase and the fields that phase needs, complete events have
/// non-negative times, every thread with events is named, and flow events come in
/// start/finish pairs that each lie inside a slice of their thread. Returns the first
/// problem found. Public so the crate's integration tests and tools can use it.
pub fn validate_chrome_trace(trace: &Value) -> Result<(), String> {
    let events = trace.get("traceEvents").and_then(Value::as_array).ok_or("no traceEvents array")?;
    let mut named = std::collections::HashSet::new();
    let mut slices: HashMap<(u64, u64), Vec<(f64, f64)>> = HashMap::new();
    let mut flows: BTreeMap<u64, Vec<(String, u64, u64, f64)>> = BTreeMap::new();
    let num = |e: &Value, k: &str| e.get(k).and_then(Value::as_f64).ok_or_else(|| format!("{k} missing or not a number in {e}"));
    let int = |e: &Value, k: &str| e.get(k).and_then(Value::as_u64).ok_or_else(|| format!("{k} missing or not an integer in {e}"));
    for e in events {
        let ph = e.get("ph").and_then(Value::as_str).ok_or_else(|| format!("no phase: {e}"))?;
        e.get("name").and_then(Value::as_str).ok_or_else(|| format!("no name: {e}"))?;
        let pid = int(e, "pid")?;
        match ph {
            "M" => {
                e.get("args").and_then(Value::as_object).ok_or_else(|| format!("metadata without args: {e}"))?;
                if e["name"] == "thread_name" {
                    e["args"].get("name").and_then(Value::as_str).ok_or_else(|| format!("thread_name without a name: {e}"))?;
                    named.insert((pid, int(e, "tid")?));
                }
            }
            "X" => {
                let (ts, dur) = (num(e, "ts")?, num(e, "dur")?);
                if ts < 0.0 || dur < 0.0 {
                    return Err(format!("negative time: {e}"));
                }
                slices.entry((pid, int(e, "tid")?)).or_default().push((ts, ts + dur));
            }
            "s" | "f" => {
                if ph == "f" && e.get("bp").and_then(Value::as_str) != Some("e") {
                    return Err(format!("flow finish not bound to its enclosing slice: {e}"));
                }
                flows.entry(int(e, "id")?).or_default().push((ph.to_string(), pid, int(e, "tid")?, num(e, "ts")?));
            }
            other => return Err(format!("unexpected phase {other}: {e}")),
        }
    }
    for thread in slices.keys() {
        if !named.contains(thread) {
            return Err(format!("thread {thread:?} has events but no thread_name"));
        }
    }
    for (id, ends) in &flows {
        let phases: Vec<&str> = ends.iter().map(|e| e.0.as_str()).collect();
        if phases != ["s", "f"] {
            return Err(format!("flow {id} has phases {phases:?}, not one start then one finish"));
        }
        for (_, pid, tid, ts) in ends {
            let inside = slices.get(&(*pid, *tid)).is_some_and(|s| s.iter().any(|&(a, b)| a <= *ts && *ts <= b));
            if !inside {
                return Err(format!("flow {id} end at {ts} on thread {tid} is inside no slice"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{PointId, Privilege};
    use crate::shape::Point;

    const EVIL: &str = "evil</script><script>alert(1)</script><!--\u{2028}\"'\\";

    fn profiler_with_two_tasks() -> (Profiler, Vec<DependenceEdge>) {
        let p = Profiler::default();
        let t0 = Instant::now();
        let a = TaskNode::new(0, Point::new(&[0]), EVIL.into(), VariantKind::Cpu);
        let b = TaskNode::new(1, Point::new(&[0]), "lib.consume".into(), VariantKind::Cpu);
        p.record(0, VariantKind::Cpu, &a, t0, t0 + std::time::Duration::from_micros(50));
        p.record(1, VariantKind::Cpu, &b, t0 + std::time::Duration::from_micros(60), t0 + std::time::Duration::from_micros(90));
        drop(p.span("launch", EVIL));
        let edge = DependenceEdge {
            from: PointId { op_id: 0, color: Point::new(&[0]) },
            to: PointId { op_id: 1, color: Point::new(&[0]) },
            storage: 3,
            from_privilege: Privilege::Write,
            to_privilege: Privilege::Read,
        };
        // An edge to a task that never ran is left out.
        let dangling = DependenceEdge { to: PointId { op_id: 9, color: Point::new(&[0]) }, ..edge.clone() };
        (p, vec![edge, dangling])
    }

    #[test]
    fn the_trace_is_valid_json_with_named_threads_flows_and_spans() {
        let (p, edges) = profiler_with_two_tasks();
        let mut text = Vec::new();
        p.write_chrome_trace(&mut text, &edges, 0).unwrap();
        let trace: Value = serde_json::from_slice(&text).unwrap();
        validate_chrome_trace(&trace).unwrap();
        let events = trace["traceEvents"].as_array().unwrap();
        let of = |ph: &str| events.iter().filter(|e| e["ph"] == ph).collect::<Vec<_>>();
        assert_eq!(of("X").iter().filter(|e| e["cat"] == "task").count(), 2);
        assert!(of("X").iter().any(|e| e["cat"] == "task" && e["name"] == EVIL), "names survive as data");
        let spans: Vec<_> = of("X").into_iter().filter(|e| e["cat"] == "runtime").collect();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0]["name"], "launch");
        assert_eq!(spans[0]["args"]["for"], EVIL);
        let names: Vec<&str> =
            events.iter().filter(|e| e["name"] == "thread_name").map(|e| e["args"]["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"Cpu processor 0") && names.contains(&"Cpu processor 1"), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("runtime: ")), "{names:?}");
        let (s, f) = (of("s"), of("f"));
        assert_eq!((s.len(), f.len()), (1, 1), "one flow per edge whose ends ran");
        assert_eq!((s[0]["tid"].as_u64(), f[0]["tid"].as_u64()), (Some(0), Some(1)));
        assert_eq!(s[0]["name"], "s3 write->read");
    }

    #[test]
    fn validation_finds_broken_traces() {
        let bad = [
            json!({}),
            json!({"traceEvents": [{"name": "a", "ph": "X", "pid": 0, "tid": 0, "ts": 0.0, "dur": 1.0}]}),
            json!({"traceEvents": [{"name": "a", "ph": "X", "pid": 0, "tid": 0, "ts": -1.0, "dur": 1.0}]}),
            json!({"traceEvents": [{"name": "a", "ph": "s", "id": 1, "pid": 0, "tid": 0, "ts": 0.0}]}),
            json!({"traceEvents": [{"ph": "X", "pid": 0, "tid": 0, "ts": 0.0, "dur": 1.0}]}),
        ];
        for t in bad {
            assert!(validate_chrome_trace(&t).is_err(), "{t}");
        }
    }

    #[test]
    fn names_cannot_break_the_page() {
        let (p, edges) = profiler_with_two_tasks();
        let dir = std::env::temp_dir().join(format!("legate-profile-page-{}", std::process::id()));
        p.write_report(&dir, &edges, 0).unwrap();
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        // The page's own script element is the only one: the name is escaped inside it.
        assert_eq!(html.matches("</script>").count(), 1, "a task name closed the script element");
        assert_eq!(html.matches("<script>").count(), 1);
        assert!(!html.contains("<!--") && !html.contains('\u{2028}'));
        let start = html.find("const events = ").unwrap() + "const events = ".len();
        let end = start + html[start..].find(";  //").unwrap();
        let data: Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(data[0][1], EVIL, "the escaped JSON reads back as the name");
        let trace: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("trace.json")).unwrap()).unwrap();
        validate_chrome_trace(&trace).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
