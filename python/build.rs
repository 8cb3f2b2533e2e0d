//! Embeds the sources of `legate-abi` and `legate-python-abi` in `legate._legate`, so
//! that `legate new-library` can hand a library author the exact ABI crates this
//! runtime speaks, wherever the package was installed (a wheel has no source tree).
//!
//! Their manifests inherit from this workspace (`version.workspace = true`, ...), which
//! does not exist next to an installed package: the copies get the inherited values
//! written out, and path dependencies between the two crates point at siblings.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

const CRATES: [&str; 2] = ["legate-abi", "legate-python-abi"];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("python/ lies in the workspace").to_path_buf();
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let workspace = fs::read_to_string(root.join("Cargo.toml")).expect("the workspace manifest");
    println!("cargo:rerun-if-changed={}", root.join("Cargo.toml").display());

    let mut code = String::from("/// (path relative to the ABI directory, contents)\npub static ABI_SOURCES: &[(&str, &str)] = &[\n");
    for krate in CRATES {
        let dir = root.join(krate);
        println!("cargo:rerun-if-changed={}", dir.display());
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("the crate's manifest");
        let standalone = standalone_manifest(&manifest, &workspace, krate);
        let copy = out.join(format!("{krate}.Cargo.toml"));
        fs::write(&copy, standalone).expect("write to OUT_DIR");
        writeln!(code, "    ({:?}, include_str!({:?})),", format!("{krate}/Cargo.toml"), copy.display().to_string()).unwrap();
        let mut files = Vec::new();
        collect(&dir.join("src"), &mut files);
        files.sort();
        for file in files {
            let rel = file.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
            writeln!(code, "    ({rel:?}, include_str!({:?})),", file.display().to_string()).unwrap();
        }
    }
    code.push_str("];\n");
    fs::write(out.join("abi_sources.rs"), code).expect("write to OUT_DIR");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `key = value` lines of the manifest section `[name]` (one-line values only).
fn section(manifest: &str, name: &str) -> BTreeMap<String, String> {
    let mut inside = false;
    let mut entries = BTreeMap::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == format!("[{name}]");
        } else if inside && !line.starts_with('#') {
            if let Some((k, v)) = line.split_once('=') {
                entries.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    entries
}

/// The crate's manifest with every `key.workspace = true` replaced by the workspace's
/// value. Anything else inherited (`{ workspace = true, ... }`) stops the build: extend
/// this function rather than ship a manifest that cannot build on its own.
fn standalone_manifest(manifest: &str, workspace: &str, krate: &str) -> String {
    let package = section(workspace, "workspace.package");
    let deps = section(workspace, "workspace.dependencies");
    let mut out = String::new();
    let mut current = String::new();
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            current = trimmed.to_string();
        }
        let replaced = match trimmed.strip_suffix(".workspace = true") {
            Some(key) if current == "[package]" => {
                let value = package.get(key).unwrap_or_else(|| panic!("{krate}: no workspace.package.{key}"));
                format!("{key} = {value}")
            }
            Some(key) if current.ends_with("dependencies]") => {
                let spec = deps.get(key).unwrap_or_else(|| panic!("{krate}: no workspace.dependencies.{key}"));
                // The workspace's `path = "legate-abi"` is the sibling directory here.
                format!("{key} = {}", spec.replace("path = \"", "path = \"../"))
            }
            _ if trimmed.contains("workspace = true") => panic!("{krate}: cannot write out `{trimmed}` on its own"),
            _ => line.to_string(),
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}
