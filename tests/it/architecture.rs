//! The map stays true: every module of the library is named in `src/lib.rs` with a one-line
//! doc comment and appears in ARCHITECTURE.md; every module file opens with a doc comment
//! saying what it does.

use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The top-level modules on disk: `src/NAME.rs` and `src/NAME/mod.rs`.
fn modules_on_disk() -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(repo().join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            let is_module = (p.extension().is_some_and(|e| e == "rs")
                && !matches!(name.as_str(), "lib" | "main"))
                || p.join("mod.rs").is_file();
            is_module.then_some(name)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn lib_rs_names_every_module_with_one_line_and_architecture_md_shows_it() {
    let lib = fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    let architecture = fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let lines: Vec<&str> = lib.lines().collect();
    let on_disk = modules_on_disk();
    assert!(on_disk.len() > 20, "{on_disk:?}");
    for name in &on_disk {
        let at = lines
            .iter()
            .position(|l| *l == format!("pub mod {name};"))
            .unwrap_or_else(|| panic!("src/lib.rs does not declare `pub mod {name};`"));
        assert!(
            at > 0 && lines[at - 1].starts_with("/// ") && lines[at - 1].len() > 12,
            "`{name}` has no one-line doc comment in src/lib.rs"
        );
        assert!(
            architecture.contains(name.as_str()),
            "ARCHITECTURE.md does not show `{name}`"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_file_opens_with_what_it_does() {
    let mut files = Vec::new();
    rust_files(&repo().join("src"), &mut files);
    for file in files {
        // Unit-test files (`tests.rs`) are part of the module they test.
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//! "),
            "{} does not open with a `//!` doc comment",
            file.display()
        );
    }
}
