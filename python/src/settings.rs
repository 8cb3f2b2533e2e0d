//! `legate._legate.settings()`: the runtime's table of settings (flags and
//! environment-only variables), so that the `legate` driver builds its parser, its
//! `--help` and its `--info` from the same list the runtime parses `LEGATE_CONFIG` with.
//! Calling it starts no runtime.

use legate_core::config::{Config, Kind, SETTINGS};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Every setting as a dict: ``name``, ``flag`` (or None), ``aliases``, ``env`` (or
/// None), ``kind`` (count, positive, megabytes, percent, seconds, switch, text, choice),
/// ``choices``, ``repeatable``, ``group``, ``reader`` (runtime, driver, python),
/// ``default`` (Legate's fixed default as text, or None), ``detected`` (how
/// auto-configuration picks it, or None) and ``help``.
#[pyfunction]
fn settings(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let fixed = Config::legate_defaults();
    let list = PyList::empty(py);
    for s in SETTINGS {
        let d = PyDict::new(py);
        d.set_item("name", s.name)?;
        d.set_item("flag", s.flag)?;
        d.set_item("aliases", s.aliases.to_vec())?;
        d.set_item("env", s.env)?;
        d.set_item("kind", s.kind.name())?;
        d.set_item("choices", match s.kind {
            Kind::Choice(words) => Some(words.to_vec()),
            _ => None,
        })?;
        d.set_item("repeatable", s.repeatable)?;
        d.set_item("group", s.group)?;
        d.set_item("reader", s.reader.name())?;
        let default = fixed
            .value_text(s.name)
            .or_else(|| s.default.map(str::to_string))
            .or_else(|| (s.kind == Kind::Switch).then(|| "off".to_string()));
        d.set_item("default", default)?;
        d.set_item("detected", s.detected)?;
        d.set_item("help", s.help)?;
        list.append(d)?;
    }
    Ok(list)
}

/// Parses ``flags`` (a ``LEGATE_CONFIG`` string) with the runtime's own parser on top of
/// Legate's fixed defaults: None when the runtime accepts it, else the runtime's error
/// message. Starts no runtime.
#[pyfunction]
fn check_flags(flags: &str) -> Option<String> {
    Config::legate_defaults().apply_flags(flags).err().map(|e| e.to_string())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(settings, m)?)?;
    m.add_function(wrap_pyfunction!(check_flags, m)?)
}
