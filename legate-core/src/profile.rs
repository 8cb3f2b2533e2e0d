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

impl Profiler {
    /// Writes `dir/index.html` (a self-contained timeline: one lane per processor, a box
    /// per task, hover for details, wheel to zoom, drag to pan, a summary table) and
    /// `dir/trace.json` (Chrome trace format).
    pub fn write_report(&self, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut trace = std::fs::File::create(dir.join("trace.json"))?;
        self.write_chrome_trace(&mut trace)?;
        let events = self.events();
        let mut data = String::from("[");
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                data.push(',');
            }
            data.push_str(&format!(
                "[{},{:?},{},{:?},{:.3},{:.3},{:?}]",
                e.proc_id,
                e.name,
                e.op_id,
                e.point,
                e.start_us,
                e.duration_us,
                format!("{:?}", e.kind)
            ));
        }
        data.push(']');
        let html = PROFILE_PAGE.replace("/*DATA*/[]", &data);
        std::fs::write(dir.join("index.html"), html)
    }
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
[...kinds].sort((a, b) => b[1][1] - a[1][1]).forEach(([n, [c, t]]) => kt.insertAdjacentHTML("beforeend", `<tr><td>${n}</td><td>${c}</td><td>${(t / 1e3).toFixed(3)}</td><td>${(t / c).toFixed(1)}</td></tr>`));
const pt = document.getElementById("procs");
[...per].sort((a, b) => a[0] - b[0]).forEach(([p, [k, c, t]]) => pt.insertAdjacentHTML("beforeend", `<tr><td>${p}</td><td>${k}</td><td>${c}</td><td>${(t / 1e3).toFixed(3)}</td><td>${(100 * t / span).toFixed(1)}%</td></tr>`));
document.getElementById("summary").textContent = `${events.length} tasks on ${procs.length} processors over ${(span / 1e3).toFixed(3)} ms`;
draw();
</script></body></html>
"##;

/// `--show-progress`: counts launched operations per task and prints a line to stderr
/// at most twice a second (and once more at exit).
pub struct Progress {
    state: Mutex<(std::collections::BTreeMap<std::sync::Arc<str>, u64>, Instant)>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress { state: Mutex::new((Default::default(), Instant::now())) }
    }
}

impl Progress {
    pub(crate) fn record(&self, task: &std::sync::Arc<str>) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *st.0.entry(task.clone()).or_default() += 1;
        if st.1.elapsed().as_millis() >= 500 {
            st.1 = Instant::now();
            eprintln!("{}", Self::line(&st.0));
        }
    }

    fn line(counts: &std::collections::BTreeMap<std::sync::Arc<str>, u64>) -> String {
        let total: u64 = counts.values().sum();
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        format!("[legate] {total} operations launched: {}", parts.join(", "))
    }

    pub fn summary(&self) -> String {
        Self::line(&self.state.lock().unwrap_or_else(|e| e.into_inner()).0)
    }
}
