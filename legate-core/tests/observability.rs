//! `--profile`, `--dataflow` and `--event` outputs, written by `Runtime::finish`, and
//! `--log-to-file`. A binary of its own: the log subscriber is installed once per
//! process, by the first runtime that asks for logging, so the logging test must be its
//! process's only such runtime (and its debug-level subscriber would stay on for every
//! later test of a shared binary).

use legate_core::{Config, Runtime, Type};

#[test]
fn finish_writes_profile_and_graphs() {
    let dir = std::env::temp_dir().join(format!("legate-observe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = Config {
        cpus: 2,
        min_cpu_chunk: 2,
        profile: true,
        dataflow: true,
        event: true,
        logdir: Some(dir.clone()),
        ..Config::legate_defaults()
    };
    let rt = Runtime::new(config).unwrap();
    let a = rt.create_store(Type::Float64, &[64]).unwrap();
    let b = rt.create_store(Type::Float64, &[64]).unwrap();
    rt.issue_fill(&a, 1.0f64).unwrap();
    rt.issue_copy(&b, &a).unwrap();
    rt.finish().unwrap();

    let html = std::fs::read_to_string(dir.join("legate_prof/index.html")).unwrap();
    assert!(html.contains("legate.core.fill") && html.contains("legate.core.copy"), "tasks are in the page");
    assert!(!html.contains("http://") && !html.contains("https://"), "the page needs no network");
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("legate_prof/trace.json")).unwrap()).unwrap();
    legate_core::profile::validate_chrome_trace(&trace).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let tasks = events.iter().filter(|e| e["ph"] == "X" && e["cat"] == "task").count();
    assert_eq!(tasks, 4, "two operations of two points each");
    // The runtime's own work is on the timeline, and each copy point's wait for its
    // fill point is a flow arrow.
    assert!(events.iter().any(|e| e["ph"] == "X" && e["cat"] == "runtime" && e["name"] == "launch"));
    assert_eq!(events.iter().filter(|e| e["ph"] == "s").count(), 2);
    assert_eq!(events.iter().filter(|e| e["ph"] == "f").count(), 2);

    let dataflow = std::fs::read_to_string(dir.join("dataflow_legate.dot")).unwrap();
    assert!(dataflow.contains("legate.core.fill") && dataflow.contains("op0 -> op1"), "{dataflow}");
    assert!(dataflow.contains("write->read"), "{dataflow}");
    let events = std::fs::read_to_string(dir.join("event_graph_legate.dot")).unwrap();
    assert_eq!(events.matches("->").count(), 2, "each copy point waits for its fill point: {events}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn logging_to_a_file_records_launches() {
    let dir = std::env::temp_dir().join(format!("legate-log-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = Config {
        cpus: 1,
        logging: Some("legate_core=debug".into()),
        log_to_file: true,
        logdir: Some(dir.clone()),
        ..Config::legate_defaults()
    };
    let rt = Runtime::new(config).unwrap();
    let a = rt.create_store(Type::Int32, &[8]).unwrap();
    rt.issue_fill(&a, 7i32).unwrap();
    rt.finish().unwrap();
    let log = std::fs::read_to_string(dir.join("legate_0.log")).unwrap();
    assert!(log.contains("starting the runtime") && log.contains("launch") && log.contains("legate.core.fill"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
