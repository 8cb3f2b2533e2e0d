//! `--show-progress`: one live line on stderr (point tasks done, in flight, the recent
//! rate, operations launched), redrawn by a timer thread ten times a second, so it
//! moves during long tasks too. On a terminal the line is drawn by `indicatif` and
//! cleared at exit; when stderr is a file or a pipe, a plain line is written every
//! few seconds instead. Either way a one-line summary is printed at exit.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(100);
/// How often a plain line is written when stderr is not a terminal.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(2);
/// The rate is measured over about this long, so it follows the program's phases.
const RATE_WINDOW: Duration = Duration::from_secs(2);

/// What the progress line shows, read from the executor at each tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Point tasks finished.
    pub done: u64,
    /// Point tasks submitted and not finished.
    pub in_flight: usize,
}

/// Reads the executor's counters (a closure so this module needs no executor).
pub type Counters = Box<dyn Fn() -> Snapshot + Send + Sync>;

struct Shared {
    counters: Counters,
    launched: AtomicU64,
    start: Instant,
    stop: Mutex<bool>,
    wake: Condvar,
}

/// The progress display; [`Progress::finish`] (or dropping it) stops it.
pub struct Progress {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Progress {
    /// Starts the display on stderr.
    pub fn start(counters: Counters) -> Progress {
        Progress::start_on(counters, ProgressDrawTarget::stderr_with_hz(20))
    }

    /// Starts the display on `target` (tests draw to a hidden target).
    pub fn start_on(counters: Counters, target: ProgressDrawTarget) -> Progress {
        let shared = Arc::new(Shared {
            counters,
            launched: AtomicU64::new(0),
            start: Instant::now(),
            stop: Mutex::new(false),
            wake: Condvar::new(),
        });
        let s = shared.clone();
        let thread = std::thread::Builder::new().name("legate-progress".into()).spawn(move || ticker(&s, target)).ok();
        Progress { shared, thread: Mutex::new(thread) }
    }

    /// Counts one launched operation (called at each launch; one atomic add).
    pub(crate) fn launched(&self) {
        self.shared.launched.fetch_add(1, Ordering::Relaxed);
    }

    /// Stops the timer thread, clears the live line, and returns the summary line.
    pub fn finish(&self) -> String {
        *self.shared.stop.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
        let now = (self.shared.counters)();
        let secs = self.shared.start.elapsed().as_secs_f64();
        format!(
            "[legate] {} tasks done in {} operations over {:.1} s ({})",
            now.done,
            self.shared.launched.load(Ordering::Relaxed),
            secs,
            rate_text(now.done as f64 / secs.max(1e-9))
        )
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The live line's text.
pub fn line(now: Snapshot, launched: u64, rate: f64, elapsed: Duration) -> String {
    format!(
        "[legate] {} tasks done, {} in flight, {}, {} operations, {:.1} s",
        now.done,
        now.in_flight,
        rate_text(rate),
        launched,
        elapsed.as_secs_f64()
    )
}

fn rate_text(rate: f64) -> String {
    if rate >= 10.0 {
        format!("{rate:.0} tasks/s")
    } else {
        format!("{rate:.1} tasks/s")
    }
}

fn ticker(s: &Shared, target: ProgressDrawTarget) {
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(ProgressStyle::with_template("{spinner} {wide_msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    let plain = bar.is_hidden();
    // (time, tasks done) samples over the last RATE_WINDOW.
    let mut samples = std::collections::VecDeque::from([(s.start, 0u64)]);
    let mut last_plain = Instant::now();
    let mut stop = s.stop.lock().unwrap_or_else(|e| e.into_inner());
    while !*stop {
        stop = s.wake.wait_timeout(stop, TICK).unwrap_or_else(|e| e.into_inner()).0;
        if *stop {
            break;
        }
        let now = (s.counters)();
        let t = Instant::now();
        samples.push_back((t, now.done));
        while samples.len() > 2 && t.duration_since(samples[1].0) >= RATE_WINDOW {
            samples.pop_front();
        }
        let (t0, d0) = samples[0];
        let rate = (now.done - d0.min(now.done)) as f64 / t.duration_since(t0).as_secs_f64().max(1e-3);
        let text = line(now, s.launched.load(Ordering::Relaxed), rate, t.duration_since(s.start));
        if !plain {
            bar.set_message(text);
            bar.tick();
        } else if last_plain.elapsed() >= PLAIN_INTERVAL {
            last_plain = Instant::now();
            eprintln!("{text}");
        }
    }
    // Leaves the terminal as it was: the live line is erased, the cursor at its start.
    bar.finish_and_clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_and_the_summary() {
        let text = line(Snapshot { done: 12, in_flight: 3 }, 5, 1234.4, Duration::from_millis(1500));
        assert_eq!(text, "[legate] 12 tasks done, 3 in flight, 1234 tasks/s, 5 operations, 1.5 s");
        let done = Arc::new(AtomicU64::new(0));
        let d = done.clone();
        let p = Progress::start_on(
            Box::new(move || Snapshot { done: d.load(Ordering::Relaxed), in_flight: 0 }),
            ProgressDrawTarget::hidden(),
        );
        p.launched();
        p.launched();
        done.store(7, Ordering::Relaxed);
        std::thread::sleep(TICK * 2);
        let summary = p.finish();
        assert!(summary.starts_with("[legate] 7 tasks done in 2 operations over "), "{summary}");
        // Finishing twice (finish, then drop) is harmless.
        drop(p);
    }
}
