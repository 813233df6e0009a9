//! Gives the cache of parsed records (src/store/cache.rs) a schema id that
//! changes whenever the record types, the cache format, the parse or the
//! locked versions of the crates change, so that a cache written by another build
//! is never trusted; and the fits remembered an id of the whole build.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

fn main() {
    let mut hasher = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    let mut files = Vec::new();
    collect(Path::new("src/model"), &mut files);
    files.push(Path::new("src/store/cache.rs").to_path_buf());
    // The parse itself (`parse_bytes`, `parse_yaml`): the cache keeps its
    // problems, line and message, as well as its records.
    files.push(Path::new("src/store/read.rs").to_path_buf());
    files.push(Path::new("src/store/files.rs").to_path_buf());
    // The versions of the crates that parse and fold what the cache keeps
    // (serde_json, serde_yaml, deunicode...): another lock, another schema.
    files.push(Path::new("../Cargo.lock").to_path_buf());
    files.sort();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        file.hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rerun-if-changed=src/model");
    println!(
        "cargo:rustc-env=RELATE_CACHE_SCHEMA={:016x}",
        hasher.finish()
    );
    // The fits remembered (src/figures/clv.rs) are kept for this build
    // alone: any source file, locked crate, target or compiler, another id.
    let mut build = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut build);
    std::env::var("TARGET").unwrap_or_default().hash(&mut build);
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let compiler = std::process::Command::new(rustc).arg("-vV").output();
    compiler
        .map(|out| out.stdout)
        .unwrap_or_default()
        .hash(&mut build);
    let mut sources = vec![Path::new("../Cargo.lock").to_path_buf()];
    collect(Path::new("src"), &mut sources);
    sources.sort();
    for file in &sources {
        file.hash(&mut build);
        std::fs::read(file).unwrap_or_default().hash(&mut build);
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rustc-env=RELATE_BUILD_ID={:016x}", build.finish());
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}
