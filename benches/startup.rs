//! Start-up cost: the commands a user runs most often, against the floor of starting any
//! process, and Codex's own `codex --version` measured the same way.
//!
//! Run with:
//!
//! ```text
//! cargo bench --bench startup
//! ```
//!
//! Cargo builds `mg-codex` in the `bench` profile (release: LTO, one codegen unit, stripped)
//! and passes its path in `CARGO_BIN_EXE_mg-codex`. Every case is a process run with a cleared
//! environment (`HOME` = a temp dir, `PATH=/usr/bin:/bin`, `NO_COLOR=1`; for Codex, its own
//! directory and node's before them) and piped output; the
//! time is the wall time of `Command::output()`, so it includes fork, exec, dynamic loading and
//! the pipe reads. The cases:
//!
//! * `/bin/true`: the floor, what starting any process costs on this machine;
//! * `mg-codex --version`, `mg-codex --help`;
//! * `mg-codex trust --list` and `mg-codex model` on a small config (the ModelGates block, a
//!   model, three trust entries; 352 bytes): a read, a parse, no network;
//! * `mg-codex completions bash`: generating the largest thing mg-codex prints;
//! * `codex --version` of the pinned Codex CLI (`MG_CODEX_TEST_CODEX`, else
//!   `$HOME/.cache/mg-codex-tools/node_modules/.bin/codex` where `.ci/run` installs it; a
//!   `MG_CODEX_TEST_CODEX` that is not a file is an error), which starts Node.js and then
//!   Codex's native binary.
//!
//! Peak memory (max RSS) of each case comes from `getrusage(RUSAGE_CHILDREN)` in a fresh copy of
//! this bench that runs only that one child, so no other child's peak can mix in.
// The layer lints of Cargo.toml hold the product's code; a bench prints its table and reads its environment.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{codex_cli, codex_path, measure, Table, BIN, DEFAULT_CODEX};

mod common;

const PATH: &str = "/usr/bin:/bin";
/// argv[1] of the re-executed bench that measures one child's peak memory.
const RSS_MODE: &str = "--max-rss-of";

const SMALL_CONFIG: &str = r#"model_provider = "modelgates"
model = "openai/gpt-5.3-codex"
model_reasoning_effort = "high"

[model_providers.modelgates]
name = "ModelGates"
base_url = "https://modelgates.ai/api/v1"
env_key = "MODELGATES_API_KEY"

[projects."/home/user/src/app"]
trust_level = "trusted"

[projects."/home/user/src/lib"]
trust_level = "trusted"

[projects."/tmp/scratch"]
trust_level = "untrusted"
"#;

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == RSS_MODE) {
        max_rss_child(&args[2..]);
        return;
    }

    let temp = tempfile::tempdir().expect("temp dir");
    let home = temp.path().join("home");
    fs::create_dir_all(home.join(".codex")).expect("create ~/.codex");
    fs::write(home.join(".codex/config.toml"), SMALL_CONFIG).expect("write config.toml");
    let codex = codex_cli();

    // Each case: its name, its PATH, its argv.
    let mut cases: Vec<(String, String, Vec<OsString>)> = [
        ("/bin/true", vec!["/bin/true".into()]),
        ("mg-codex --version", vec![BIN.into(), "--version".into()]),
        ("mg-codex --help", vec![BIN.into(), "--help".into()]),
        (
            "mg-codex trust --list",
            vec![BIN.into(), "trust".into(), "--list".into()],
        ),
        ("mg-codex model", vec![BIN.into(), "model".into()]),
        (
            "mg-codex completions bash",
            vec![BIN.into(), "completions".into(), "bash".into()],
        ),
    ]
    .into_iter()
    .map(|(name, argv)| (name.to_string(), PATH.to_string(), argv))
    .collect();
    if let Some(codex) = &codex {
        cases.push((
            "codex --version".into(),
            codex_path(codex, PATH),
            vec![codex.into(), "--version".into()],
        ));
    }

    let mut table = Table::new(
        "Start-up: wall time per process run, ms".into(),
        26,
        &[("max RSS KiB", 11)],
        8,
    );
    for (name, path, argv) in &cases {
        let check = run(argv, &home, path);
        assert!(
            check.status.success(),
            "`{name}` failed: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let stats = measure(|_| {
            let started = std::time::Instant::now();
            let out = run(argv, &home, path);
            let elapsed = started.elapsed();
            assert!(out.status.success());
            elapsed
        });
        table.row(name, [max_rss_kib(argv, &home, path)], &stats);
    }
    println!("{}", table.render());
    match codex {
        Some(c) => println!("codex: {}", c.display()),
        None => println!(
            "codex --version skipped: no Codex CLI (set MG_CODEX_TEST_CODEX, or install it at $HOME/{DEFAULT_CODEX})"
        ),
    }
}

fn command(argv: &[OsString], home: &Path, path: &str) -> Command {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .env_clear()
        .env("HOME", home)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .current_dir(home)
        .stdin(Stdio::null());
    cmd
}

fn run(argv: &[OsString], home: &Path, path: &str) -> std::process::Output {
    command(argv, home, path).output().expect("run the case")
}

/// Runs this bench again in [`RSS_MODE`] to measure `argv`'s peak memory alone.
fn max_rss_kib(argv: &[OsString], home: &Path, path: &str) -> u64 {
    let out = Command::new(std::env::current_exe().expect("the bench's own path"))
        .arg(RSS_MODE)
        .arg(home)
        .arg(path)
        .args(argv)
        .output()
        .expect("re-run the bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a number of KiB")
}

/// In the re-executed bench: run `HOME PATH ARGV...` once and print the child's max RSS in KiB.
fn max_rss_child(args: &[OsString]) {
    let home = PathBuf::from(&args[0]);
    let path = args[1].to_str().expect("a UTF-8 PATH");
    let out = run(&args[2..], &home, path);
    assert!(out.status.success());
    // SAFETY: getrusage only writes into the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage
    };
    // Linux reports ru_maxrss in KiB.
    println!("{}", usage.ru_maxrss);
}
