//! Dataflow graphs for `--dataflow` and `--event`: GraphViz files of the recent
//! operations and the dependences between them (or between their point tasks), written
//! at exit, with a PDF next to each when GraphViz's `dot` is installed.

use crate::scheduler::{DependenceEdge, OpRecord};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Operations as nodes, dependences between them as edges labelled with the storage
/// and the two privileges.
pub fn operation_graph(ops: &[OpRecord], edges: &[DependenceEdge]) -> String {
    let mut dot = String::from("digraph dataflow_legate {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n");
    for op in ops {
        let args: Vec<String> = op.args.iter().map(|(s, p)| format!("s{s}:{}", p.name())).collect();
        let label = format!("#{} {}\n{} point(s)\n{}", op.op_id, op.name, op.points, args.join(" "));
        let _ = writeln!(dot, "  op{} [label={}];", op.op_id, quoted(&label));
    }
    let mut merged: BTreeMap<(u64, u64), Vec<String>> = BTreeMap::new();
    for e in edges {
        let label = format!("s{} {}->{}", e.storage, e.from_privilege.name(), e.to_privilege.name());
        let entry = merged.entry((e.from.op_id, e.to.op_id)).or_default();
        if !entry.contains(&label) {
            entry.push(label);
        }
    }
    for ((from, to), labels) in merged {
        let _ = writeln!(dot, "  op{from} -> op{to} [label={}];", quoted(&labels.join("\n")));
    }
    dot.push_str("}\n");
    dot
}

/// Point tasks as nodes and their dependences as edges.
pub fn event_graph(ops: &[OpRecord], edges: &[DependenceEdge]) -> String {
    let names: BTreeMap<u64, &str> = ops.iter().map(|o| (o.op_id, &*o.name)).collect();
    let mut dot = String::from("digraph event_graph_legate {\n  rankdir=TB;\n  node [shape=ellipse];\n");
    let id = |op: u64, c: &crate::shape::Point| quoted(&format!("{op}{c:?}"));
    let mut nodes = std::collections::BTreeSet::new();
    for e in edges {
        for p in [&e.from, &e.to] {
            if nodes.insert((p.op_id, format!("{:?}", p.color))) {
                let name = names.get(&p.op_id).copied().unwrap_or("task");
                let label = format!("{} #{} {:?}", name, p.op_id, p.color);
                let _ = writeln!(dot, "  {} [label={}];", id(p.op_id, &p.color), quoted(&label));
            }
        }
        let _ = writeln!(dot, "  {} -> {} [label={}];", id(e.from.op_id, &e.from.color), id(e.to.op_id, &e.to.color), quoted(&format!("s{}", e.storage)));
    }
    dot.push_str("}\n");
    dot
}

/// `text` as a DOT quoted string: quotes and backslashes are escaped (a backslash would
/// otherwise start one of GraphViz's label escapes such as `\N`), line breaks become
/// `\n` (a centred line break in a label), other control characters are dropped.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `name.dot` in `dir` and, when `dot` is on the PATH, `name.pdf`.
pub fn write_graph(dir: &Path, name: &str, dot: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{name}.dot"));
    std::fs::write(&path, dot)?;
    let pdf = dir.join(format!("{name}.pdf"));
    // GraphViz is optional: without it the .dot file is the result.
    let _ = std::process::Command::new("dot").arg("-Tpdf").arg(&path).arg("-o").arg(&pdf).status();
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_quoted() {
        assert_eq!(quoted("plain"), "\"plain\"");
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
        assert_eq!(quoted("back\\slash \\N"), r#""back\\slash \\N""#);
        assert_eq!(quoted("two\nlines\r\t"), r#""two\nlines""#);
        assert_eq!(quoted("}; digraph x {"), "\"}; digraph x {\"");
    }
}
