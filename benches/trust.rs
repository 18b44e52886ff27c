//! End-to-end cost of `mg-codex trust` against large `config.toml` files.
//!
//! Run with:
//!
//! ```text
//! cargo bench --bench trust
//! ```
//!
//! Cargo builds the `mg-codex` binary in the `bench` profile (which inherits `release`: LTO,
//! one codegen unit; it lands in `target/release/`) before this harness-less target, and passes
//! its path in `CARGO_BIN_EXE_mg-codex`, which Cargo sets for integration tests and benches;
//! this file builds nothing itself. It prints two tables to stdout:
//!
//! * process runs of the real binary: `--version` (the process-start floor); `trust <new dir>`
//!   for configs of N = 0 (empty file), 1 000, 10 000 and 20 000 project entries; the no-op
//!   `trust <already trusted dir>` and `trust --list` at N = 10 000;
//! * the in-process library cost of the edit (`ConfigDocument::from_bytes_fast`, the quick parse
//!   `trust` uses, + `set_trust` + `render`,
//!   no IO), split by phase, with µs per KiB of config to show how it scales with file size.
//!
//! Every write run trusts a directory never trusted before (created beforehand), so the binary
//! really writes; the config is then restored to its original bytes outside the timed region,
//! so every timed run edits a file of exactly N entries. The first write also creates
//! `config.toml.mg-codex.orig` (once per config, during the warm-ups); every write after it
//! writes the `.bak` backup and the config, each atomically with fsync. The no-op case first
//! trusts one more directory (so its file holds N + 1 entries) and then trusts it again: the
//! file is checked to be unchanged. Process times are wall times of `Command::output()`, so
//! stdout and stderr go to pipes: `--list` pays for writing its lines into a pipe.
// The layer lints of Cargo.toml hold the product's code; a bench prints its table and reads its environment.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mg_codex::codex_config::{ConfigDocument, TrustLevel};

use common::{measure, Table, BIN, ITERS, WARMUPS};

mod common;

const SIZES: [usize; 4] = [0, 1_000, 10_000, 20_000];
/// The size at which the no-op and `--list` cases are measured.
const LIST_SIZE: usize = 10_000;
const LIB_WARMUPS: usize = 5;
const LIB_ITERS: usize = 50;

fn main() {
    let home_root = tempfile::tempdir().expect("temp dir for Codex homes");
    let project_root = tempfile::tempdir().expect("temp dir for projects");
    let mut table = process_table();

    let version = measure(|_| run_ok([OsStr::new("--version")]).0);
    table.row("mg-codex --version", ["-", "-"], &version);

    for n in SIZES {
        let home = codex_home(home_root.path(), n);
        let config = home.join("config.toml");
        let original = fs::read(&config).expect("read config");
        let stats = measure(|i| {
            let project = fresh_project(project_root.path(), &format!("n{n}-{i}"));
            let elapsed = trust(&home, &project);
            let after = fs::read_to_string(&config).expect("read config");
            assert!(
                after.len() > original.len() && after.contains(&key(&project)),
                "`trust {}` did not add an entry",
                project.display()
            );
            fs::write(&config, &original).expect("restore config");
            elapsed
        });
        table.row(
            "trust <new dir>",
            [thousands(n), thousands(original.len())],
            &stats,
        );

        if n == LIST_SIZE {
            let project = fresh_project(project_root.path(), "already-trusted");
            trust(&home, &project);
            let before = fs::read(&config).expect("read config");
            let stats = measure(|_| trust(&home, &project));
            assert_eq!(
                fs::read(&config).expect("read config"),
                before,
                "the no-op run wrote"
            );
            fs::write(&config, &original).expect("restore config");
            table.row(
                "trust <trusted dir> (no-op)",
                [thousands(n), thousands(before.len())],
                &stats,
            );

            let mut lines = 0;
            let stats = measure(|_| {
                let (elapsed, stdout) = run_ok([
                    OsStr::new("--codex-home"),
                    home.as_os_str(),
                    "trust".as_ref(),
                    "--list".as_ref(),
                ]);
                lines = stdout.lines().count();
                elapsed
            });
            assert!(
                lines >= n,
                "`trust --list` printed {lines} lines for {n} entries"
            );
            table.row(
                "trust --list",
                [thousands(n), thousands(original.len())],
                &stats,
            );
        }
    }

    // A typical config: the README's example, with a few trust entries and MCP servers.
    let typical = home_root.path().join("home-typical");
    fs::create_dir(&typical).expect("create Codex home");
    fs::write(typical.join("config.toml"), TYPICAL).expect("write config");
    let original = fs::read(typical.join("config.toml")).expect("read config");
    let stats = measure(|i| {
        let project = fresh_project(project_root.path(), &format!("typical-{i}"));
        let elapsed = trust(&typical, &project);
        fs::write(typical.join("config.toml"), &original).expect("restore config");
        elapsed
    });
    table.row(
        "trust <new dir>, typical config",
        ["8".to_string(), thousands(original.len())],
        &stats,
    );

    // Codex's own writer on the same files: `codex mcp add NAME --url URL` (a TOML edit and an
    // atomic write, as `trust` does).
    if let Some(codex) = common::codex_cli() {
        for (label, n) in [("typical", None), ("10,000 entries", Some(LIST_SIZE))] {
            let home = match n {
                Some(n) => home_root.path().join(format!("home-{n}")),
                None => typical.clone(),
            };
            let config = home.join("config.toml");
            let original = fs::read(&config).expect("read config");
            let path = common::codex_path(&codex, "/usr/bin:/bin");
            let stats = measure(|i| {
                let start = Instant::now();
                let out = Command::new(&codex)
                    .args([
                        "mcp",
                        "add",
                        &format!("bench-{i}"),
                        "--url",
                        "https://example.com/mcp",
                    ])
                    .env("CODEX_HOME", &home)
                    .env("PATH", &path)
                    .env("HOME", &home)
                    .stdin(Stdio::null())
                    .output()
                    .expect("run codex");
                let elapsed = start.elapsed();
                assert!(
                    out.status.success(),
                    "codex mcp add failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                fs::write(&config, &original).expect("restore config");
                elapsed
            });
            table.row(
                &format!("codex mcp add (Codex's writer), {label}"),
                [n.map_or("8".into(), thousands), thousands(original.len())],
                &stats,
            );
        }
    }

    println!("{}", table.render());
    println!();
    println!("{}", library_table());
}

/// A typical config (as in the README): top-level settings, a provider, MCP servers, a few
/// trust entries, comments.
const TYPICAL: &str = "# my Codex settings\n\
model = \"openai/gpt-5.3-codex\"\n\
model_provider = \"modelgates\"\n\
model_reasoning_effort = \"high\"\n\
approval_policy = \"on-request\"\n\
\n\
[tui]\n\
notifications = true\n\
\n\
[model_providers.modelgates]\n\
name = \"ModelGates\"\n\
base_url = \"https://modelgates.ai/api/v1\"\n\
env_key = \"MODELGATES_API_KEY\"\n\
wire_api = \"responses\"\n\
\n\
[mcp_servers.context7]\n\
url = \"https://mcp.context7.com/mcp\"\n\
\n\
[mcp_servers.modelgates-docs]\n\
url = \"https://modelgates.ai/docs/_mcp/server\"\n\
\n\
[projects.\"/home/me/src/app\"]\n\
trust_level = \"trusted\"\n\
\n\
[projects.\"/home/me/src/api\"]\n\
trust_level = \"trusted\"\n\
\n\
[projects.\"/home/me/src/old\"]\n\
trust_level = \"untrusted\"\n";

/// Runs the binary and checks it succeeded: the wall time of the whole process and its stdout.
fn run_ok<I, S>(args: I) -> (Duration, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(BIN);
    command.args(args).env("NO_COLOR", "1").stdin(Stdio::null());
    let start = Instant::now();
    let output = command.output().expect("run mg-codex");
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "mg-codex failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        elapsed,
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
    )
}

/// `mg-codex --codex-home HOME trust PROJECT`, timed.
fn trust(home: &Path, project: &Path) -> Duration {
    run_ok([
        OsStr::new("--codex-home"),
        home.as_os_str(),
        "trust".as_ref(),
        project.as_os_str(),
    ])
    .0
}

/// The key `trust` writes for a directory outside git: its canonical path.
fn key(project: &Path) -> String {
    project.to_str().expect("UTF-8 temp path").to_string()
}

/// Creates a new, empty directory (outside any git repository) and returns its canonical path.
fn fresh_project(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    fs::create_dir(&dir).expect("create project dir");
    fs::canonicalize(&dir).expect("canonicalize project dir")
}

/// A Codex home holding a config of `n` entries.
fn codex_home(root: &Path, n: usize) -> PathBuf {
    let home = root.join(format!("home-{n}"));
    fs::create_dir(&home).expect("create Codex home");
    fs::write(home.join("config.toml"), config_text(n)).expect("write config");
    home
}

/// A realistic config: root keys, a commented MCP server, then `n` trusted projects. `n == 0`
/// is an empty file.
fn config_text(n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    let mut text = String::from(
        "model = \"gpt-5-codex\"\n\
         model_reasoning_effort = \"high\"\n\
         approval_policy = \"on-request\"\n\
         sandbox_mode = \"workspace-write\"\n\
         \n\
         # Docs lookup, started on demand by Codex.\n\
         [mcp_servers.x]\n\
         command = \"npx\" # resolved from PATH\n\
         args = [\"-y\", \"@example/docs-mcp\"]\n\
         # env = { DEBUG = \"1\" }\n\
         startup_timeout_sec = 20\n",
    );
    for i in 0..n {
        write!(
            text,
            "\n[projects.\"/home/u/src/p{i}\"]\ntrust_level = \"trusted\"\n"
        )
        .expect("write to String");
    }
    text
}

/// The in-process edit, split by phase, for every size.
fn library_table() -> String {
    let mut out = String::new();
    writeln!(
        out,
        "In-process edit, no IO (median of {LIB_ITERS} runs after {LIB_WARMUPS} warm-ups, µs)"
    )
    .unwrap();
    writeln!(
        out,
        "{:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "entries", "bytes", "parse", "set_trust", "render", "total", "µs/KiB"
    )
    .unwrap();
    for n in SIZES {
        let text = config_text(n);
        let (mut parse, mut set, mut render) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..LIB_WARMUPS + LIB_ITERS {
            let t0 = Instant::now();
            // The quick parse, as `trust` reads the file.
            let mut doc =
                ConfigDocument::from_bytes_fast(black_box(text.as_bytes())).expect("parse");
            let t1 = Instant::now();
            doc.set_trust("/home/u/src/new-project", TrustLevel::Trusted)
                .expect("set_trust");
            let t2 = Instant::now();
            let rendered = doc.render();
            let t3 = Instant::now();
            assert!(rendered.len() > text.len(), "set_trust changed nothing");
            black_box(rendered);
            if i >= LIB_WARMUPS {
                parse.push(t1 - t0);
                set.push(t2 - t1);
                render.push(t3 - t2);
            }
        }
        let (parse, set, render) = (median_us(parse), median_us(set), median_us(render));
        let total = parse + set + render;
        let per_kib = if text.is_empty() {
            "-".to_string()
        } else {
            format!("{:.1}", total / (text.len() as f64 / 1024.0))
        };
        writeln!(
            out,
            "{:>8} {:>10} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>9}",
            thousands(n),
            thousands(text.len()),
            parse,
            set,
            render,
            total,
            per_kib
        )
        .unwrap();
    }
    out.trim_end().to_string()
}

fn median_us(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e6
}

/// The process-run table: the case, the config's entries and bytes, then the times.
fn process_table() -> Table {
    Table::new(
        format!(
            "mg-codex process runs ({ITERS} runs after {WARMUPS} warm-ups, ms; config restored between runs)"
        ),
        28,
        &[("entries", 8), ("bytes", 10)],
        8,
    )
}

/// `20000` as `20,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|group| std::str::from_utf8(group).expect("ASCII digits"))
        .collect();
    groups.join(",")
}
