//! Compiles Highway's vectorized quicksort for AVX-512 (`csrc/vqsort.cc`) when this is
//! an x86-64 build and clang and Highway's headers (Debian: `clang libhwy-dev`, which
//! `make sysdeps` installs) are present; then `cfg(legate_vqsort)` is set and the 1-d
//! sort uses it on processors with AVX-512. Without them the crate builds and sorts
//! with its own radix sort, and a warning says so.

use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(legate_vqsort)");
    println!("cargo::rerun-if-changed=csrc/vqsort.cc");
    println!("cargo::rerun-if-env-changed=LEGATE_CXX");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("x86_64") {
        return;
    }
    let Some(clang) = clang() else {
        println!("cargo::warning=no clang++ found (set LEGATE_CXX, or install Debian's clang): the 1-d sort uses its radix sort");
        return;
    };
    let built = cc::Build::new()
        .cpp(true)
        .compiler(&clang)
        .cpp_link_stdlib(None)
        .file("csrc/vqsort.cc")
        .opt_level(2)
        .flag("-std=c++17")
        .flag("-march=skylake-avx512")
        .flag("-fno-exceptions")
        .flag("-fno-rtti")
        .cargo_warnings(false)
        .try_compile("legate_vqsort");
    match built {
        Ok(()) => println!("cargo::rustc-cfg=legate_vqsort"),
        Err(e) => println!("cargo::warning=Highway's vqsort did not compile ({e}; Debian's libhwy-dev has its headers): the 1-d sort uses its radix sort"),
    }
}

/// `$LEGATE_CXX`, else the first clang++ on the path.
fn clang() -> Option<String> {
    let candidates = std::env::var("LEGATE_CXX").into_iter().chain(["clang++".to_string()]).chain((14..=20).rev().map(|v| format!("clang++-{v}")));
    candidates.into_iter().find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
}
