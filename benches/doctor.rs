//! End-to-end cost of `mg-codex doctor`, offline and against a local fake of the ModelGates API.
//!
//! Run with:
//!
//! ```text
//! cargo bench --bench doctor
//! ```
//!
//! Cargo builds the `mg-codex` binary in the `bench` profile (which inherits `release`) before
//! this harness-less target and passes its path in `CARGO_BIN_EXE_mg-codex`; this file builds
//! nothing itself. It starts its own HTTP/1.1 servers on `127.0.0.1:0` (a thread per
//! connection, `Connection: close`) that answer every request after a fixed delay: `…/key` with
//! `fixtures/api/key_valid.json`, `…/model/…` with `fixtures/api/model_gpt_5_3_codex.json`, and
//! 404 for anything else. A third listener accepts connections and never answers (a black hole).
//! Every server stops when the bench ends (its accept loop is woken and joined on drop).
//!
//! Each case is a process run of the real binary with a cleared environment: `HOME` (a temp
//! dir), `MODELGATES_API_KEY` and `PATH=/usr/bin:/bin`, so `codex` is not found and the
//! `codex.cli` check costs one PATH lookup and no process; the cwd is the temp dir, which is one
//! of the config's 20 trusted projects. One `--json` run per case outside the timed runs (for
//! (d), every run) checks the statuses the doctor reports, and the servers count the requests
//! they answered, so a broken setup cannot pass for a fast one. Times are wall times of `Command::output()`.
//!
//! Cases: (a) `doctor --offline`; (b) `doctor` against the 0 ms server; (c) `doctor` and (d)
//! `doctor --json` against the 300 ms server; (e) `doctor --timeout 1` against the black hole
//! (exit 1 expected); and, when a real Codex CLI is installed (`MG_CODEX_TEST_CODEX`, else
//! `$HOME/.cache/mg-codex-tools/node_modules/.bin/codex`, where `.ci/run` installs it), (f) `doctor --offline` with Codex's
//! directory and node's on `PATH`, next to `codex --version` and `codex features list` alone.
// The layer lints of Cargo.toml hold the product's code; a bench prints its table and reads its environment.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{
    codex_cli, codex_path, measure, ms, Stats, Table, BIN, DEFAULT_CODEX, ITERS, WARMUPS,
};

mod common;

const KEY: &str = "sk-mg-bench0123456789abcdef";
/// `PATH` for every doctor run but (f): no `codex` there.
const PATH: &str = "/usr/bin:/bin";
const SLOW: Duration = Duration::from_millis(300);
/// `--timeout` for the black-holed case, in seconds.
const HOLE_TIMEOUT_SECS: u64 = 1;
/// How long a connection thread waits for a request before giving up, so the servers always
/// stop.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

fn main() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/api");
    let key_body: Arc<[u8]> = fs::read(fixtures.join("key_valid.json"))
        .expect("read key_valid.json")
        .into();
    let model_body: Arc<[u8]> = fs::read(fixtures.join("model_gpt_5_3_codex.json"))
        .expect("read model_gpt_5_3_codex.json")
        .into();
    let fast = Server::start(Mode::Answer {
        delay: Duration::ZERO,
        key: key_body.clone(),
        model: model_body.clone(),
    });
    let slow = Server::start(Mode::Answer {
        delay: SLOW,
        key: key_body,
        model: model_body,
    });
    let hole = Server::start(Mode::BlackHole);

    let root = tempfile::tempdir().expect("temp dir");
    let root_path = fs::canonicalize(root.path()).expect("canonicalize temp dir");
    let bench = Bench::new(&root_path);
    let fast_home = bench.codex_home("fast", fast.addr);
    let slow_home = bench.codex_home("slow", slow.addr);
    let hole_home = bench.codex_home("hole", hole.addr);

    let mut table = Table::new(
        format!("mg-codex doctor process runs ({ITERS} runs after {WARMUPS} warm-ups, ms)"),
        38,
        &[("exit", 4)],
        9,
    );
    let mut notes = Vec::new();

    let version = measure(|_| {
        let start = Instant::now();
        let output = bench.command(BIN, PATH).arg("--version").output();
        let elapsed = start.elapsed();
        expect_exit(&output.expect("run mg-codex"), 0, "mg-codex --version");
        elapsed
    });
    table.row("mg-codex --version (process floor)", [0], &version);

    // (a) offline: no network, no Codex.
    let offline_args = ["--offline"];
    bench.validate(&fast_home, PATH, &offline_args, 0, OFFLINE_NO_CODEX);
    let a = bench.measure_doctor(&fast_home, PATH, &offline_args, 0);
    table.row("(a) doctor --offline", [0], &a);

    // (b) the 0 ms server.
    bench.validate(&fast_home, PATH, &[], 0, ONLINE_NO_CODEX);
    fast.hits.take();
    let b = bench.measure_doctor(&fast_home, PATH, &[], 0);
    fast.hits.expect_runs(WARMUPS + ITERS, "(b)");
    table.row("(b) doctor, server 0 ms", [0], &b);

    // (c) the 300 ms server.
    bench.validate(&slow_home, PATH, &[], 0, ONLINE_NO_CODEX);
    slow.hits.take();
    let c = bench.measure_doctor(&slow_home, PATH, &[], 0);
    slow.hits.expect_runs(WARMUPS + ITERS, "(c)");
    table.row("(c) doctor, server 300 ms", [0], &c);

    // (d) --json against the 300 ms server; also collects the checks' own `duration_ms`.
    slow.hits.take();
    let (mut key_ms, mut model_ms) = (Vec::new(), Vec::new());
    let d = measure(|i| {
        let (elapsed, output) = bench.doctor(&slow_home, PATH, &["--json"], 0);
        let report = parse_report(&output);
        expect_statuses(&report, ONLINE_NO_CODEX, "(d)");
        if i >= WARMUPS {
            key_ms.push(duration_ms(&report, "api.key"));
            model_ms.push(duration_ms(&report, "api.model"));
        }
        elapsed
    });
    slow.hits.expect_runs(WARMUPS + ITERS, "(d)");
    table.row("(d) doctor --json, server 300 ms", [0], &d);

    // (e) the black hole: connections accepted, never answered.
    let timeout = HOLE_TIMEOUT_SECS.to_string();
    let hole_args = ["--timeout", timeout.as_str()];
    bench.validate(&hole_home, PATH, &hole_args, 1, HOLE_NO_CODEX);
    hole.release_held();
    let e = measure(|_| {
        let elapsed = bench.doctor(&hole_home, PATH, &hole_args, 1).0;
        hole.release_held();
        elapsed
    });
    let hole_connections = hole.accepted.load(Ordering::SeqCst);
    table.row("(e) doctor --timeout 1, black hole", [1], &e);

    // (f) a real Codex on PATH.
    if let Some(codex) = codex_cli() {
        let codex_path = codex_path(&codex, PATH);
        bench.validate(
            &fast_home,
            &codex_path,
            &offline_args,
            0,
            OFFLINE_WITH_CODEX,
        );
        let f = bench.measure_doctor(&fast_home, &codex_path, &offline_args, 0);
        table.row("(f) doctor --offline, Codex on PATH", [0], &f);

        let mut version_text = String::new();
        let v = measure(|_| {
            let start = Instant::now();
            let output = bench.command(&codex, &codex_path).arg("--version").output();
            let elapsed = start.elapsed();
            let output = output.expect("run codex --version");
            expect_exit(&output, 0, "codex --version");
            version_text = String::from_utf8_lossy(&output.stdout).trim().to_string();
            elapsed
        });
        table.row("    codex --version alone", [0], &v);

        // What doctor runs second: `codex features list` on a private copy of the config.
        let copy = root_path.join("codex-copy");
        fs::create_dir(&copy).expect("create the config copy dir");
        for name in ["config.toml", "modelgates-models.json"] {
            fs::copy(fast_home.join(name), copy.join(name)).expect("copy the config");
        }
        let features = measure(|_| {
            let start = Instant::now();
            let output = bench
                .command(&codex, &codex_path)
                .args(["features", "list"])
                .env("CODEX_HOME", &copy)
                .output();
            let elapsed = start.elapsed();
            expect_exit(
                &output.expect("run codex features list"),
                0,
                "codex features list",
            );
            elapsed
        });
        table.row("    codex features list alone", [0], &features);

        notes.push(format!(
            "(f): Codex {version_text} at {}: codex.cli adds {:+.0} ms to (a) \
             (the native binary behind the shim: --version and features list run concurrently; \
             through the shim they take {:.0} and {:.0} ms)",
            codex.display(),
            ms(f.median) - ms(a.median),
            ms(v.median),
            ms(features.median),
        ));

        // (g) the whole doctor against the 0 ms server with Codex on PATH, side by side with
        // Codex's own `codex doctor --json` on the same home (a copy: it may write there).
        bench.validate(&fast_home, &codex_path, &[], 0, ONLINE_WITH_CODEX);
        let g = bench.measure_doctor(&fast_home, &codex_path, &["--json"], 0);
        table.row("(g) doctor --json, server 0 ms, Codex", [0], &g);
        let theirs = root_path.join("codex-doctor-home");
        fs::create_dir(&theirs).expect("create the codex doctor home");
        for name in ["config.toml", "modelgates-models.json"] {
            fs::copy(fast_home.join(name), theirs.join(name)).expect("copy for codex doctor");
        }
        let mut codex_exit = 0;
        let cd = measure(|_| {
            let start = Instant::now();
            let output = bench
                .command(&codex, &codex_path)
                .args(["doctor", "--json"])
                .env("CODEX_HOME", &theirs)
                .output()
                .expect("run codex doctor --json");
            let elapsed = start.elapsed();
            serde_json::from_slice::<Value>(&output.stdout).unwrap_or_else(|e| {
                panic!(
                    "codex doctor --json printed no JSON ({e}): {}",
                    String::from_utf8_lossy(&output.stderr)
                )
            });
            codex_exit = output.status.code().unwrap_or(-1);
            elapsed
        });
        table.row("    codex doctor --json, same home", [codex_exit], &cd);
        notes.push(format!(
            "(g): mg-codex doctor --json takes {:.0}% of `codex doctor --json` ({:.0} ms vs {:.0} ms, medians)",
            100.0 * ms(g.median) / ms(cd.median),
            ms(g.median),
            ms(cd.median),
        ));
    } else {
        notes.push(format!(
            "(f) skipped: no Codex CLI (set MG_CODEX_TEST_CODEX, or install it at $HOME/{DEFAULT_CODEX})"
        ));
    }

    let c_minus_a = ms(c.median) - ms(a.median);
    let c_minus_b = ms(c.median) - ms(b.median);
    let slow_ms = ms(SLOW);
    let verdict = if c_minus_a < 1.5 * slow_ms {
        "≈ one delay: /key and /model are requested concurrently"
    } else {
        "≈ two delays or more: the requests are SEQUENTIAL"
    };
    let timeout_ms = (HOLE_TIMEOUT_SECS * 1000) as f64;
    let hole_verdict = if ms(e.median) < 1.5 * timeout_ms {
        "≈ the timeout once"
    } else if ms(e.median) < 2.0 * timeout_ms {
        "well above the timeout, but under twice it"
    } else {
        "≥ twice the timeout: the timeout is paid more than once"
    };

    println!("{}", table.render());
    println!();
    println!("Environment: env_clear + HOME=<temp home> + MODELGATES_API_KEY + PATH={PATH}; cwd = the temp dir (trusted).");
    println!("With PATH={PATH} `codex` is not found: codex.cli is a warning (exit 0) and no Codex process runs, except in (f).");
    println!("(c) − (a) = {c_minus_a:.0} ms (medians; server delay {slow_ms:.0} ms): {verdict}");
    println!("(c) − (b) = {c_minus_b:.0} ms (the delay alone, minus the 0 ms server's cost)");
    println!(
        "(d) checks' own duration_ms (median): api.key {:.0} ms, api.model {:.0} ms",
        median_f64(key_ms),
        median_f64(model_ms)
    );
    println!(
        "(e) median {:.0} ms with --timeout {HOLE_TIMEOUT_SECS}: {hole_verdict} \
         ({:.2}× the timeout; {hole_connections} connections accepted in {} runs, all left unanswered)",
        ms(e.median),
        ms(e.median) / timeout_ms,
        WARMUPS + ITERS + 1,
    );
    for note in notes {
        println!("{note}");
    }
}

// ----- expected reports ----------------------------------------------------------------------

/// Expected `(check id, status)` pairs and the overall status of a case.
struct Expect {
    checks: &'static [(&'static str, &'static str)],
    overall: &'static str,
}

const OFFLINE_NO_CODEX: &Expect = &Expect {
    checks: &[
        ("config.file", "ok"),
        ("config.provider", "ok"),
        ("config.model", "ok"),
        ("key.present", "ok"),
        ("api.key", "skipped"),
        ("api.model", "skipped"),
        ("projects.trust", "ok"),
        ("codex.cli", "warning"),
    ],
    overall: "warning",
};

const ONLINE_NO_CODEX: &Expect = &Expect {
    checks: &[
        ("config.file", "ok"),
        ("config.provider", "ok"),
        ("config.model", "ok"),
        ("key.present", "ok"),
        ("api.key", "ok"),
        ("api.model", "ok"),
        ("projects.trust", "ok"),
        ("codex.cli", "warning"),
    ],
    overall: "warning",
};

const HOLE_NO_CODEX: &Expect = &Expect {
    checks: &[
        ("key.present", "ok"),
        ("api.key", "fail"),
        // The network failure explains the model check: it says so instead.
        ("api.model", "skipped"),
        ("codex.cli", "warning"),
    ],
    overall: "fail",
};

const ONLINE_WITH_CODEX: &Expect = &Expect {
    checks: &[
        ("config.model", "ok"),
        ("api.key", "ok"),
        ("api.model", "ok"),
        ("projects.trust", "ok"),
        ("codex.cli", "ok"),
        ("codex.catalog", "ok"),
    ],
    overall: "ok",
};

const OFFLINE_WITH_CODEX: &Expect = &Expect {
    checks: &[
        ("api.key", "skipped"),
        ("api.model", "skipped"),
        ("projects.trust", "ok"),
        ("codex.cli", "ok"),
        // No login shell (no SHELL) and no startup file in the temp HOME: no shell in use.
        ("shell.profiles", "ok"),
    ],
    overall: "ok",
};

fn parse_report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor --json printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no `{id}` check in {report:#}"))
}

fn expect_statuses(report: &Value, expect: &Expect, case: &str) {
    for (id, status) in expect.checks {
        let found = check(report, id);
        assert_eq!(
            found["status"], *status,
            "{case}: `{id}` is not {status}: {found:#}"
        );
    }
    assert_eq!(
        report["overall"], expect.overall,
        "{case}: overall status: {report:#}"
    );
}

fn duration_ms(report: &Value, id: &str) -> f64 {
    check(report, id)["duration_ms"]
        .as_f64()
        .unwrap_or_else(|| panic!("`{id}` has no duration_ms"))
}

// ----- running the binary --------------------------------------------------------------------

/// The temp tree: `home/` (HOME), `codex-*/config.toml` (one Codex home per server), and the
/// temp dir itself as the cwd.
struct Bench {
    root: PathBuf,
    home: PathBuf,
    projects: Vec<PathBuf>,
}

impl Bench {
    fn new(root: &Path) -> Self {
        let home = root.join("home");
        fs::create_dir(&home).expect("create HOME");
        // The cwd is a trusted git repository (a trusted directory that is not one is a finding).
        fs::create_dir(root.join(".git")).expect("create .git");
        // 20 trusted projects that exist, the cwd (the temp dir itself) first.
        let mut projects = vec![root.to_path_buf()];
        for i in 1..20 {
            let dir = root.join("src").join(format!("project-{i:02}"));
            fs::create_dir_all(&dir).expect("create project dir");
            projects.push(dir);
        }
        Self {
            root: root.to_path_buf(),
            home,
            projects,
        }
    }

    /// A Codex home whose config points at `addr`.
    fn codex_home(&self, name: &str, addr: SocketAddr) -> PathBuf {
        let dir = self.root.join(format!("codex-{name}"));
        fs::create_dir(&dir).expect("create Codex home");
        fs::write(dir.join("config.toml"), self.config_text(addr)).expect("write config");
        // The model catalogue `init` writes (one entry, as Codex requires it).
        let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "fixtures/doctor/scenarios/53-trusted-dir-not-git-exec-refuses/home/.codex/modelgates-models.json",
        );
        fs::copy(catalogue, dir.join("modelgates-models.json")).expect("copy the catalogue");
        dir
    }

    /// A typical config after `mg-codex init`: root keys, the provider, two MCP servers and 20
    /// trusted projects.
    fn config_text(&self, addr: SocketAddr) -> String {
        let mut text = format!(
            "model_provider = \"modelgates\"\n\
             model = \"openai/gpt-5.3-codex\"\n\
             model_reasoning_effort = \"high\"\n\
             model_catalog_json = \"modelgates-models.json\"\n\
             approval_policy = \"on-request\"\n\
             sandbox_mode = \"workspace-write\"\n\
             \n\
             [model_providers.modelgates]\n\
             name = \"ModelGates\"\n\
             base_url = \"http://{addr}/api/v1\"\n\
             env_key = \"MODELGATES_API_KEY\"\n\
             wire_api = \"responses\"\n\
             \n\
             # Docs lookup, started on demand by Codex.\n\
             [mcp_servers.docs]\n\
             command = \"npx\"\n\
             args = [\"-y\", \"@example/docs-mcp\"]\n\
             startup_timeout_sec = 20\n\
             \n\
             [mcp_servers.files]\n\
             command = \"/usr/local/bin/files-mcp\"\n\
             args = [\"--root\", \"/srv/data\"]\n\
             env = {{ LOG_LEVEL = \"warn\" }}\n"
        );
        for project in &self.projects {
            write!(
                text,
                "\n[projects.{}]\ntrust_level = \"trusted\"\n",
                toml_string(&project.to_string_lossy())
            )
            .expect("write to String");
        }
        text
    }

    /// `program` with the bench environment: nothing but HOME, the key and `path`.
    fn command(&self, program: impl AsRef<OsStr>, path: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("HOME", &self.home)
            .env("MODELGATES_API_KEY", KEY)
            .env("PATH", path)
            .current_dir(&self.root)
            .stdin(Stdio::null());
        command
    }

    /// `mg-codex --codex-home HOME doctor ARGS`, timed; checks the exit code.
    fn doctor(
        &self,
        codex_home: &Path,
        path: &str,
        args: &[&str],
        exit: i32,
    ) -> (Duration, Output) {
        let mut command = self.command(BIN, path);
        command
            .arg("--codex-home")
            .arg(codex_home)
            .arg("doctor")
            .args(args);
        let start = Instant::now();
        let output = command.output().expect("run mg-codex doctor");
        let elapsed = start.elapsed();
        expect_exit(&output, exit, &format!("doctor {}", args.join(" ")));
        (elapsed, output)
    }

    fn measure_doctor(&self, codex_home: &Path, path: &str, args: &[&str], exit: i32) -> Stats {
        measure(|_| self.doctor(codex_home, path, args, exit).0)
    }

    /// One untimed `--json` run of the case, checking the statuses.
    fn validate(&self, codex_home: &Path, path: &str, args: &[&str], exit: i32, expect: &Expect) {
        let mut args = args.to_vec();
        args.push("--json");
        let (_, output) = self.doctor(codex_home, path, &args, exit);
        expect_statuses(&parse_report(&output), expect, &args.join(" "));
    }
}

fn expect_exit(output: &Output, code: i32, what: &str) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "`{what}` exited with {:?}, not {code}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => write!(out, "\\u{:04X}", c as u32).expect("write to String"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ----- the fake API --------------------------------------------------------------------------

enum Mode {
    /// Answers every request after `delay`.
    Answer {
        delay: Duration,
        key: Arc<[u8]>,
        model: Arc<[u8]>,
    },
    /// Accepts connections and never answers; they stay open until [`Server::release_held`].
    BlackHole,
}

/// Requests answered, by kind.
#[derive(Default)]
struct Hits {
    key: AtomicUsize,
    model: AtomicUsize,
    other: AtomicUsize,
}

impl Hits {
    /// (key, model, other) since the last call; resets them.
    fn take(&self) -> (usize, usize, usize) {
        (
            self.key.swap(0, Ordering::SeqCst),
            self.model.swap(0, Ordering::SeqCst),
            self.other.swap(0, Ordering::SeqCst),
        )
    }

    /// Every doctor run asked `/key` and `/model/…` once each, and nothing else.
    fn expect_runs(&self, runs: usize, case: &str) {
        let (key, model, other) = self.take();
        assert_eq!(
            (key, model, other),
            (runs, runs, 0),
            "{case}: requests (key, model, other) for {runs} runs"
        );
    }
}

struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    hits: Arc<Hits>,
    accepted: Arc<AtomicUsize>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(Hits::default());
        let accepted = Arc::new(AtomicUsize::new(0));
        let held = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, hits, accepted, held) =
                (stop.clone(), hits.clone(), accepted.clone(), held.clone());
            std::thread::spawn(move || {
                let mut handlers: Vec<JoinHandle<()>> = Vec::new();
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    accepted.fetch_add(1, Ordering::SeqCst);
                    match &mode {
                        Mode::Answer { delay, key, model } => {
                            let (delay, key, model, hits) =
                                (*delay, key.clone(), model.clone(), hits.clone());
                            handlers.retain(|h| !h.is_finished());
                            handlers.push(std::thread::spawn(move || {
                                answer(stream, delay, &key, &model, &hits);
                            }));
                        }
                        Mode::BlackHole => held.lock().expect("held lock").push(stream),
                    }
                }
                // Each handler ends within READ_TIMEOUT + the delay.
                for handler in handlers {
                    let _ = handler.join();
                }
            })
        };
        Self {
            addr,
            stop,
            hits,
            accepted,
            held,
            thread: Some(thread),
        }
    }

    /// Closes the connections the black hole holds.
    fn release_held(&self) {
        self.held.lock().expect("held lock").clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the loop sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.release_held();
    }
}

/// Reads one request head, waits `delay`, answers, closes.
fn answer(mut stream: TcpStream, delay: Duration, key: &[u8], model: &[u8], hits: &Hits) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("");
    let path = target.split('?').next().unwrap_or("");
    std::thread::sleep(delay);
    let (status, body): (&str, &[u8]) = if path.ends_with("/key") {
        hits.key.fetch_add(1, Ordering::SeqCst);
        ("200 OK", key)
    } else if path.contains("/model/") {
        hits.model.fetch_add(1, Ordering::SeqCst);
        ("200 OK", model)
    } else {
        hits.other.fetch_add(1, Ordering::SeqCst);
        (
            "404 Not Found",
            br#"{"error":{"code":404,"message":"Not Found"}}"#,
        )
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(response.as_bytes())
        .and_then(|()| stream.write_all(body))
        .and_then(|()| stream.flush());
}

// ----- statistics ----------------------------------------------------------------------------

fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    (values[(values.len() - 1) / 2] + values[values.len() / 2]) / 2.0
}
