//! Shared test helpers: running the real binary in a clean, temporary HOME; locating the real
//! Codex CLI and the shared corpus; serving `fixtures/api/` from a local HTTP server (wiremock);
//! snapshots of a file tree; text assertions; commands with a timeout; the corpus files and
//! Codex's verdict on a config (`codex features list`); `mg-codex` on a pseudo-terminal.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// Whether we run in CI, where a missing real component is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The real Codex CLI (`MG_CODEX_TEST_CODEX`, set by `.ci/run`), or `None` with a printed
/// reason on a developer machine. In CI a missing Codex fails the test.
pub fn codex_bin() -> Option<PathBuf> {
    let from_env = std::env::var_os("MG_CODEX_TEST_CODEX").map(PathBuf::from);
    match from_env {
        Some(path) if path.is_file() => Some(path),
        other => {
            let why = match other {
                Some(p) => format!(
                    "MG_CODEX_TEST_CODEX points to `{}`, which is not a file",
                    p.display()
                ),
                None => {
                    "MG_CODEX_TEST_CODEX is not set (`.ci/run` installs @openai/codex and sets it)"
                        .into()
                }
            };
            if in_ci() {
                panic!("the real Codex CLI is required in CI: {why}");
            }
            eprintln!("skipping the real-Codex part: {why}");
            None
        }
    }
}

/// The Codex releases to prove the set-up on: the native binaries listed in
/// `MG_CODEX_TEST_CODEX_RELEASES` (`:`-separated, set by `.ci/run`), and the pinned Codex
/// (`MG_CODEX_TEST_CODEX`, resolved to its native binary), each once. Without the variable a
/// developer machine tests what it has, saying what it skips; in CI the variable and every
/// binary it names are required.
pub fn codex_releases() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut add = |p: PathBuf| {
        let real = std::fs::canonicalize(&p).unwrap_or(p);
        if !found.contains(&real) {
            found.push(real);
        }
    };
    match std::env::var_os("MG_CODEX_TEST_CODEX_RELEASES") {
        Some(list) => {
            for path in std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()) {
                if path.is_file() {
                    add(path);
                } else if in_ci() {
                    panic!(
                        "MG_CODEX_TEST_CODEX_RELEASES names `{}`, which is not a file (`.ci/run` installs the releases)",
                        path.display()
                    );
                } else {
                    eprintln!(
                        "skipping the Codex release `{}`: it is not a file",
                        path.display()
                    );
                }
            }
        }
        None if in_ci() => panic!(
            "MG_CODEX_TEST_CODEX_RELEASES is required in CI (`.ci/run` installs the releases and sets it)"
        ),
        None => eprintln!(
            "MG_CODEX_TEST_CODEX_RELEASES is not set: only the pinned Codex is tested across releases (`.ci/run` installs 0.137.0, 0.144.6, 0.155.1 and 0.171.0 and sets it)"
        ),
    }
    if let Some(pinned) = codex_bin() {
        add(mg_codex::codex_cli::native_binary(&pinned));
    }
    found
}

/// `../shared/corpus` beside the checkout (read-only: copy files before editing them).
pub fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        dir.is_dir(),
        "the shared corpus is expected at `{}`",
        dir.display()
    );
    dir
}

/// The `fixtures/` directory of this repository.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Whether expected output that differs is to be accepted, by insta's convention
/// (`INSTA_UPDATE=always`): the case fixtures' `out/` files are then written from the current
/// behaviour (review them with `git diff fixtures/`), as insta writes its snapshots.
pub fn accepting_new_output() -> bool {
    std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always")
}

/// The names of the directories in `dir`, sorted: the case fixtures there.
pub fn case_dirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading `{}`: {e}", dir.display()))
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The text of `fixtures/api/NAME`.
pub fn api_fixture(name: &str) -> String {
    let file = fixtures_dir().join("api").join(name);
    std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read fixture `{}`: {e}", file.display()))
}

/// An answer with `status` and the body of `fixtures/api/NAME` as JSON.
pub fn api_response(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(api_fixture(name), "application/json")
}

/// A 200 answer with the body of `fixtures/api/NAME` as JSON.
pub fn api_json(name: &str) -> ResponseTemplate {
    api_response(200, name)
}

/// A 200 answer with `body` as `content_type`.
pub fn ok_body(body: impl Into<String>, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into(), content_type)
}

/// The requests to `http_method url_path`, to refine (`.and(…)`) before `.respond_with(…)`.
pub fn route(http_method: &str, url_path: impl Into<String>) -> MockBuilder {
    Mock::given(method(http_method)).and(path(url_path))
}

/// Answers `http_method url_path` on `server` with `response`, as often as it is asked.
pub async fn mount(
    server: &MockServer,
    http_method: &str,
    url_path: impl Into<String>,
    response: ResponseTemplate,
) {
    route(http_method, url_path)
        .respond_with(response)
        .mount(server)
        .await;
}

/// Mounts `requests` answering with `response`; when the server drops, it checks that they were
/// made exactly once.
pub async fn mount_once(server: &MockServer, requests: MockBuilder, response: ResponseTemplate) {
    requests
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

/// A new server on 127.0.0.1 answering each `(method, path, response)` route.
pub async fn serve_all<P: Into<String>>(
    routes: impl IntoIterator<Item = (&str, P, ResponseTemplate)>,
) -> MockServer {
    let server = MockServer::start().await;
    for (http_method, url_path, response) in routes {
        mount(&server, http_method, url_path, response).await;
    }
    server
}

/// A new server on 127.0.0.1 answering `http_method url_path` with `response`.
pub async fn serve(
    http_method: &str,
    url_path: impl Into<String>,
    response: ResponseTemplate,
) -> MockServer {
    serve_all([(http_method, url_path.into(), response)]).await
}

/// The mock gateway: `/key`, the catalogue (`fixtures/api/CATALOGUE`), the model
/// `openai/gpt-5.3-codex`, a 404 for every other model id, and a 401 for [`BAD_KEY`] on every
/// path.
pub async fn gateway(catalogue: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header(
            "authorization",
            format!("Bearer {BAD_KEY}").as_str(),
        ))
        .respond_with(api_response(401, "error_401.json"))
        .with_priority(1)
        .mount(&server)
        .await;
    for (url_path, response) in [
        ("/api/v1/key", api_json("key_valid.json")),
        (
            "/api/v1/model/openai/gpt-5.3-codex",
            api_json("model_gpt_5_3_codex.json"),
        ),
        ("/api/v1/models", api_json(catalogue)),
    ] {
        route("GET", url_path)
            .respond_with(response)
            .with_priority(5)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/model/"))
        .respond_with(api_response(404, "error_404_model.json"))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

/// Asserts that `text` contains `needle`, showing the whole text when it does not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "`{needle}` is not in:\n{text}");
}

/// When a path was last written and which file it is: a rewrite in place moves `modified`, a
/// new file swapped in (write, then rename) has another `inode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub modified: SystemTime,
    pub inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            modified: meta.modified().unwrap(),
            inode: meta.ino(),
        }
    }
}

/// Every file and directory under `dir` with its bytes (none for a directory) and its
/// [`Stamp`].
pub type Tree = BTreeMap<PathBuf, (Vec<u8>, Stamp)>;

/// A snapshot of the tree under `dir` (symlinks are followed for the bytes, not the walk).
/// Take it after [`backdate`], so that a rewrite, however soon, shows in the times.
pub fn tree(dir: &Path) -> Tree {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
                out.insert(p, (Vec::new(), Stamp::of(&meta)));
            } else {
                out.insert(
                    p.clone(),
                    (std::fs::read(&p).unwrap_or_default(), Stamp::of(&meta)),
                );
            }
        }
    }
    out
}

/// Sets the modification time of `dir` and of every file and directory under it (not
/// following symlinks) to an hour ago: a later write, even within the clock's resolution,
/// then gives a time that differs, with no sleep before it.
pub fn backdate(dir: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        // Symlinks and special files (a FIFO would block the open) keep their times.
        if !meta.is_file() && !meta.is_dir() {
            continue;
        }
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        }
        match std::fs::File::open(&path) {
            Ok(file) => file
                .set_modified(old)
                .unwrap_or_else(|e| panic!("backdating `{}`: {e}", path.display())),
            // A file we may not read (a test's mode 000): its time stays; its inode still counts.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {}
            Err(e) => panic!("opening `{}`: {e}", path.display()),
        }
    }
}

/// Asserts that two snapshots are equal, naming only the paths that differ.
#[track_caller]
pub fn assert_same_tree(before: &Tree, after: &Tree, what: &str) {
    let changed: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    assert!(
        changed.is_empty(),
        "{what} changed these paths: {changed:?}"
    );
}

/// The `mg-codex` binary under test, as `assert_cmd` finds it (Cargo's
/// `CARGO_BIN_EXE_mg-codex`, or beside the test binary).
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("mg-codex")
}

/// A temporary HOME with a `.codex` directory, and a way to run `mg-codex` inside it with a
/// clean environment.
pub struct TestContext {
    pub root: tempfile::TempDir,
}

impl TestContext {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join("home/.codex")).unwrap();
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        Self { root }
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    pub fn codex_home(&self) -> PathBuf {
        self.home().join(".codex")
    }

    pub fn config(&self) -> PathBuf {
        self.codex_home().join("config.toml")
    }

    /// A scratch directory for projects.
    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// `mg-codex` with HOME set to the temp home, no CODEX_HOME, no colour, cwd = work dir.
    /// A `std` command (pty tests hand it to rexpect); [`run`] and [`run_with`] run it
    /// through `assert_cmd`.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(bin());
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .current_dir(self.work());
        cmd
    }

    pub fn read_config(&self) -> String {
        std::fs::read_to_string(self.config()).unwrap()
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).unwrap();
    }

    /// A new directory `NAME` (and its parents) beside `home` and `work`.
    pub fn root_dir(&self, name: &str) -> PathBuf {
        let dir = self.root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A new directory `NAME` (and its parents) in the work directory.
    pub fn work_dir(&self, name: &str) -> PathBuf {
        self.root_dir(&format!("work/{name}"))
    }
}

/// How many requests `server` received for `url_path` (any method).
pub async fn requests_to(server: &MockServer, url_path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == url_path)
        .count()
}

/// `SERVER/api/v1`: the base URL of the mock gateway, as in production.
pub fn gateway_url(server: &MockServer) -> String {
    format!("{}/api/v1", server.uri())
}

/// A temporary HOME whose `PATH` is one `bash` stub, made up front (so making it is not a
/// change): shell detection is the same everywhere, and Codex is not found, so `init` never
/// runs it on the user's `CODEX_HOME`.
pub fn stub_context() -> TestContext {
    let ctx = TestContext::new();
    stub_bin(&ctx, &["bash"]);
    ctx
}

/// `mg-codex` in a [`stub_context`]: `PATH` is the stub directory, `LANG=C.UTF-8`.
pub fn stub_cmd(ctx: &TestContext) -> Command {
    let bin = stub_bin(ctx, &["bash"]);
    let mut cmd = ctx.cmd();
    cmd.env("PATH", &bin).env("LANG", "C.UTF-8");
    cmd
}

/// The command ended with exit code `code`; otherwise fails showing both streams.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.code, code,
        "exit code {}\nstdout:\n{}\nstderr:\n{}",
        out.code, out.stdout, out.stderr
    );
}

/// The command succeeded (exit code 0).
#[track_caller]
pub fn assert_ok(out: &Output) {
    assert_exit(out, 0);
}

/// A key every gateway of these tests answers 401 for.
pub const BAD_KEY: &str = "sk-mg-v1-rejectedkey0123456789abcdef";

/// Neither stream holds `key`, nor its secret part (what follows `sk-mg-v1-`), so a key cut
/// or re-wrapped is caught too.
#[track_caller]
pub fn assert_no_key(out: &Output, key: &str) {
    let secret = key.trim_start_matches("sk-mg-v1-");
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(!text.contains(secret), "the key leaked to {name}:\n{text}");
    }
}

/// Output of a finished command, as text.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<&std::process::Output> for Output {
    fn from(out: &std::process::Output) -> Self {
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs `cmd` to the end (stdin closed) through `assert_cmd`, whatever its exit code.
pub fn run(cmd: &mut Command) -> Output {
    use assert_cmd::assert::OutputAssertExt;
    Output::from(cmd.assert().get_output())
}

/// Runs `git` in `dir`, failing the test on error.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}

/// Runs `cmd` with stdin closed and its output in files `NAME.stdout` and `NAME.stderr` in
/// `dir` (no pipe that a grandchild could hold open), in a process group of its own that is
/// killed when `timeout` passes: `Err` then, with what it printed so far.
pub fn run_with_timeout(
    cmd: &mut Command,
    timeout: Duration,
    dir: &Path,
    name: &str,
) -> Result<Output, String> {
    use std::os::unix::process::CommandExt;
    let stdout_path = dir.join(format!("{name}.stdout"));
    let stderr_path = dir.join(format!("{name}.stderr"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > timeout {
            // The whole group: `bash -c` leaves its children behind otherwise.
            // SAFETY: kill(2) on our own child's process group; no memory is involved.
            unsafe {
                libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        // Polling for the end, so a hung command is killed at the deadline.
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        code: status.and_then(|s| s.code()).unwrap_or(-1),
        stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    };
    match status {
        Some(_) => Ok(out),
        None => Err(format!(
            "{cmd:?} timed out after {timeout:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            out.stdout, out.stderr
        )),
    }
}

/// The directory of the first `name` on the test's own PATH.
pub fn dir_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .find(|dir| dir.join(name).is_file())
        .map(|dir| std::fs::canonicalize(&dir).unwrap_or(dir))
}

/// A clean PATH for the npm Codex (a node script): its own directory, node's, `/usr/bin:/bin`.
pub fn codex_path(codex: &Path) -> OsString {
    let mut dirs = vec![codex.parent().expect("codex has a directory").to_path_buf()];
    dirs.extend(dir_on_path("node"));
    dirs.extend(["/usr/bin", "/bin"].map(PathBuf::from));
    std::env::join_paths(dirs).unwrap()
}

/// `f` on every item, in `threads` threads; the results in the items' order.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let result = f(item);
                results.lock().unwrap().push((i, result));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    assert_eq!(results.len(), items.len(), "every item was done");
    results.into_iter().map(|(_, r)| r).collect()
}

/// What a command gets on standard input.
pub enum Stdin<'a> {
    /// `/dev/null`: reading gives end of file at once.
    Null,
    /// These bytes, then end of file.
    Bytes(&'a [u8]),
    /// A pipe that stays open (and empty) until the command ends: a command that reads it would
    /// hang.
    OpenPipe,
}

/// Runs `cmd` with `stdin` through `assert_cmd` (its `.timeout()` kills the command), failing
/// the test when it takes longer than `timeout` (a command that waits for input must not hang
/// the suite).
#[track_caller]
pub fn run_with(cmd: &mut Command, stdin: Stdin<'_>, timeout: std::time::Duration) -> Output {
    use std::os::unix::process::ExitStatusExt;
    let taken = std::mem::replace(cmd, Command::new("(run by support::run_with)"));
    let mut cmd = assert_cmd::Command::from_std(taken);
    cmd.timeout(timeout);
    match stdin {
        // An empty input: assert_cmd writes it and closes the pipe, so a read gets end of file.
        Stdin::Null => cmd.write_stdin(Vec::new()),
        Stdin::Bytes(bytes) => cmd.write_stdin(bytes.to_vec()),
        // No input: assert_cmd keeps the pipe it made open until the command ends.
        Stdin::OpenPipe => &mut cmd,
    };
    let started = Instant::now();
    let raw = cmd.output().expect("run the command");
    let out = Output::from(&raw);
    let killed = raw.status.signal() == Some(libc::SIGKILL) && started.elapsed() >= timeout;
    assert!(
        !killed,
        "the command did not finish within {timeout:?} (waiting for input?); stderr:\n{}",
        out.stderr
    );
    out
}

/// A `bin` directory under the context's root holding executable stubs named `names` (made once; shell
/// detection looks for executables on PATH; a stub is enough for `init`, which never runs them).
pub fn stub_bin(ctx: &TestContext, names: &[&str]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = ctx.root.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in names {
        let stub = bin.join(name);
        if stub.exists() {
            continue;
        }
        std::fs::write(&stub, "#!/bin/sh\nexit 1\n").unwrap();
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

// ----- the shared corpus and Codex's verdict on a config ----------------------------------------

/// The corpus folders whose files are valid TOML 1.1.
pub const VALID_CORPUS_DIRS: [&str; 2] = ["codex-config", "codex-config-toml11"];

/// One corpus file: `label` is `<folder>/<name>`, used in every failure message.
pub struct CorpusFile {
    pub label: String,
    pub path: PathBuf,
}

/// The `*.toml` files of the corpus folders `dirs`, sorted by label.
pub fn corpus_files(dirs: &[&str]) -> Vec<CorpusFile> {
    let mut files = Vec::new();
    for dir in dirs {
        let folder = corpus_dir().join(dir);
        let mut found: Vec<CorpusFile> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("reading `{}`: {e}", folder.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .map(|path| CorpusFile {
                label: format!("{dir}/{}", path.file_name().unwrap().to_string_lossy()),
                path,
            })
            .collect();
        assert!(!found.is_empty(), "no *.toml in `{}`", folder.display());
        found.sort_by(|a, b| a.label.cmp(&b.label));
        files.extend(found);
    }
    files
}

/// Copies the corpus file `file` to `codex_home/config.toml` (creating `codex_home`): its
/// bytes, not its read-only mode (which `fs::copy` would copy too). Returns the bytes.
pub fn copy_corpus_file(file: &Path, codex_home: &Path) -> Vec<u8> {
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("reading `{}`: {e}", file.display()));
    std::fs::create_dir_all(codex_home).unwrap();
    std::fs::write(codex_home.join("config.toml"), &bytes).unwrap();
    bytes
}

/// Fails with every collected failure, so one run shows them all.
#[track_caller]
pub fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s)\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Corpus files Codex rejects unedited only because their `model_provider` names an undefined
/// provider: setting `model_provider = "modelgates"` must make them load.
pub const FIXED_BY_THE_PROVIDER: [&str; 2] = ["codex-config/023.toml", "codex-config/057.toml"];

/// Why Codex's verdict on the corpus file `label` got worse from `before` to `after` (a change
/// named `what`: "the edit", "init"), or `None`: a file it loaded (or one of
/// [`FIXED_BY_THE_PROVIDER`]) must still load; a file it refused may fail only for the same
/// cause.
pub fn verdict_problem(
    label: &str,
    before: &Verdict,
    after: &Verdict,
    what: &str,
) -> Option<String> {
    if after.loaded {
        return None;
    }
    if before.loaded || FIXED_BY_THE_PROVIDER.contains(&label) {
        return Some(format!(
            "Codex {} before {what} but fails after it:\n{}",
            if before.loaded {
                "loaded it"
            } else {
                "failed only for the undefined provider"
            },
            after.error
        ));
    }
    (before.cause != after.cause).then(|| {
        format!(
            "Codex fails for a different reason after {what}:\n--- before ---\n{}\n--- after ---\n{}",
            before.error, after.error
        )
    })
}

/// How long one `codex features list` may take.
pub const CODEX_TIMEOUT: Duration = Duration::from_secs(60);

/// What `codex features list` said about one config.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub loaded: bool,
    /// The error output, normalized (temp paths and `:line:col` removed), when it failed.
    pub error: String,
    /// The first cause line of `error`: what is compared.
    pub cause: String,
}

/// The real Codex CLI in a clean environment: HOME and cwd `home`, `CODEX_HOME=codex_home`,
/// PATH [`codex_path`].
pub fn codex_cmd(codex: &Path, home: &Path, codex_home: &Path) -> Command {
    let mut cmd = Command::new(codex);
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", codex_path(codex))
        .env("CODEX_HOME", codex_home)
        .current_dir(home);
    cmd
}

/// Runs `codex features list` with `CODEX_HOME=codex_home`, in a clean environment with HOME
/// `root/home`. Output goes to files in `root` named after `codex_home`'s last component.
///
/// An npm `codex` (a node shim) is judged by the native binary it starts
/// ([`mg_codex::codex_cli::native_binary`]), as mg-codex itself asks `features list`: the shim
/// only adds update hints, and node's start-up is six times the binary's whole run here
/// (`corpus::the_npm_shim_and_its_native_codex_give_the_same_verdict` shows the verdicts agree).
pub fn codex_features_list(
    codex: &Path,
    root: &Path,
    codex_home: &Path,
) -> Result<Verdict, String> {
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let name = codex_home.file_name().unwrap().to_string_lossy();
    let native = mg_codex::codex_cli::native_binary(codex);
    let mut cmd = codex_cmd(&native, &home, codex_home);
    cmd.env("PATH", codex_path(codex));
    let out = run_with_timeout(cmd.args(["features", "list"]), CODEX_TIMEOUT, root, &name)?;
    let error = normalize_codex_error(&out.stderr, root);
    let cause = first_cause(&error);
    Ok(Verdict {
        loaded: out.code == 0,
        error,
        cause,
    })
}

/// Codex's verdict on the corpus file `file` unedited, as [`codex_features_list`] gives it for a
/// copy in `<root>/unedited` (so the error names `<TMP>/unedited/config.toml`): computed once
/// per Codex binary and file bytes in a test run, however many tests ask (those asking at the
/// same time wait for the one run).
pub fn unedited_verdict(codex: &Path, file: &CorpusFile) -> Result<Verdict, String> {
    type Slot = std::sync::Arc<std::sync::OnceLock<Result<Verdict, String>>>;
    static CACHE: Mutex<BTreeMap<(PathBuf, Vec<u8>), Slot>> = Mutex::new(BTreeMap::new());
    let bytes = std::fs::read(&file.path)
        .unwrap_or_else(|e| panic!("reading `{}`: {e}", file.path.display()));
    let key = (mg_codex::codex_cli::native_binary(codex), bytes);
    let slot = CACHE.lock().unwrap().entry(key).or_default().clone();
    slot.get_or_init(|| {
        let root = tempfile::tempdir().expect("temp dir");
        let unedited = root.path().join("unedited");
        copy_corpus_file(&file.path, &unedited);
        codex_features_list(codex, root.path(), &unedited)
    })
    .clone()
}

/// Drops warnings, replaces the temp dir `root` by `<TMP>` and removes `:line:col` positions
/// (insertions shift line numbers).
pub fn normalize_codex_error(stderr: &str, root: &Path) -> String {
    let mut text = stderr.to_string();
    let mut roots = vec![root.to_string_lossy().into_owned()];
    if let Ok(canonical) = std::fs::canonicalize(root) {
        roots.push(canonical.to_string_lossy().into_owned());
    }
    for r in roots {
        text = text.replace(&r, "<TMP>");
    }
    let text: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with("WARNING:"))
        .collect();
    strip_line_col(text.join("\n").trim())
}

fn strip_line_col(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..i]);
        let colon = &rest[i..];
        match line_col_len(colon.as_bytes()) {
            Some(n) => rest = &colon[n..],
            None => {
                out.push(':');
                rest = &colon[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of `:<digits>:<digits>` at the start of `b` (which starts with `:`).
fn line_col_len(b: &[u8]) -> Option<usize> {
    let digits = |from: usize| {
        b.get(from..)
            .map_or(0, |s| s.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let line = digits(1);
    if line == 0 || b.get(1 + line) != Some(&b':') {
        return None;
    }
    let column = digits(2 + line);
    (column > 0).then_some(2 + line + column)
}

/// The first line after `Caused by:`, else the `Error:` line, else the whole text.
pub fn first_cause(error: &str) -> String {
    let mut lines = error.lines().map(str::trim);
    if lines.any(|l| l == "Caused by:") {
        if let Some(cause) = lines.find(|l| !l.is_empty()) {
            return cause.to_string();
        }
    }
    error
        .lines()
        .find(|l| l.starts_with("Error"))
        .unwrap_or(error)
        .trim()
        .to_string()
}

// ----- a pseudo-terminal (rexpect) ---------------------------------------------------------------

/// How long any one prompt may take to appear (generous: CI machines are slow and shared).
pub const PTY_TIMEOUT_MS: u64 = 60_000;
/// The longest wait before typing, so the program is reading when the keys arrive (all of it
/// for a prompt that reads a line; a prompt reading single keys is seen at once).
pub const PAUSE: Duration = Duration::from_millis(300);
/// The pause between two keys typed for the same prompt, a person's pace.
pub const TYPING: Duration = Duration::from_millis(30);
/// A server answer slow enough for a spinner (which appears after 150 ms).
pub const SLOW: Duration = Duration::from_millis(1200);

/// Waits until the program reads single keys from the terminal of `session` (a prompt has put
/// it in raw mode: `ICANON` off, as `TCGETS` on the pty's master shows), or [`PAUSE`] has
/// passed, as for a prompt that reads a whole line (the hidden key).
fn wait_until_reading_keys(session: &rexpect::session::PtySession) {
    use std::os::fd::AsRawFd;
    let pty = session.process().get_file_handle().expect("the pty");
    let started = Instant::now();
    while started.elapsed() < PAUSE {
        // SAFETY: tcgetattr(3) writes one `termios` through a pointer valid for the call.
        let raw = unsafe {
            let mut termios = std::mem::MaybeUninit::<libc::termios>::uninit();
            libc::tcgetattr(pty.as_raw_fd(), termios.as_mut_ptr()) == 0
                && termios.assume_init().c_lflag & libc::ICANON == 0
        };
        if raw {
            return;
        }
        // Polling: a terminal's mode change sends no event.
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// rexpect hands each byte it reads over as one `char`: `text` as it looks that way, so a
/// needle with `❯` or `›` in it matches what the program wrote in UTF-8.
fn as_read(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// What rexpect read, back to the text the program wrote.
fn decoded(read: &str) -> String {
    let bytes: Vec<u8> = read.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A running `mg-codex` on a pty, with everything it has shown so far.
pub struct Terminal {
    session: rexpect::session::PtySession,
    pub transcript: String,
}

impl Terminal {
    pub fn start(ctx: &TestContext, args: &[&str]) -> Self {
        Self::start_with_env(ctx, args, &[])
    }

    /// [`Self::start`] with more environment variables.
    pub fn start_with_env(ctx: &TestContext, args: &[&str], vars: &[(&str, &str)]) -> Self {
        let bin = stub_bin(ctx, &["bash"]);
        let mut cmd = ctx.cmd();
        cmd.env("PATH", &bin)
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .envs(vars.iter().copied())
            .args(args);
        let options = rexpect::reader::Options::default()
            .timeout_ms(Some(PTY_TIMEOUT_MS))
            .strip_ansi_escape_codes(true);
        let session = rexpect::session::spawn_with_options(cmd, options).expect("start on a pty");
        Self {
            session,
            transcript: String::new(),
        }
    }

    /// `cmd` as it is on a pseudo-terminal; `strip`: take escape codes out of the transcript
    /// (keep them to see what was done to the terminal, the cursor shown or hidden).
    pub fn start_command(cmd: Command, strip: bool) -> Self {
        let options = rexpect::reader::Options::default()
            .timeout_ms(Some(PTY_TIMEOUT_MS))
            .strip_ansi_escape_codes(strip);
        let session = rexpect::session::spawn_with_options(cmd, options).expect("start on a pty");
        Self {
            session,
            transcript: String::new(),
        }
    }

    /// Sends Ctrl-C (the byte a terminal sends for it).
    pub fn ctrl_c(&mut self) {
        wait_until_reading_keys(&self.session);
        self.session.send_control('c').expect("send Ctrl-C");
    }

    /// Waits until `text` is on screen.
    #[track_caller]
    pub fn expect(&mut self, text: &str) {
        match self.session.exp_string(&as_read(text)) {
            Ok(before) => {
                self.transcript.push_str(&decoded(&before));
                self.transcript.push_str(text);
            }
            Err(e) => panic!(
                "`{text}` never appeared: {e}\n--- transcript so far ---\n{}",
                self.transcript
            ),
        }
    }

    /// Types `keys` at once, after a pause (for a line read whole: the hidden key).
    pub fn type_line(&mut self, keys: &str) {
        std::thread::sleep(PAUSE);
        self.session.send(keys).expect("type");
        self.session.flush().expect("type");
    }

    /// Types `keys`, one key at a time (each is read, and the screen redrawn, on its own): the
    /// first after [`PAUSE`], so the prompt is reading, the others at [`TYPING`] pace (keys
    /// that come before a redraw wait in the terminal and are still read one by one). Keys for
    /// another prompt go in a call of their own, after [`Self::expect`] saw that prompt.
    pub fn type_keys(&mut self, keys: &str) {
        for (i, c) in keys.chars().enumerate() {
            if i == 0 {
                wait_until_reading_keys(&self.session);
            } else {
                // A person's pace after the first key.
                std::thread::sleep(TYPING);
            }
            self.session.send(&c.to_string()).expect("type");
            self.session.flush().expect("type");
        }
    }

    /// Answers prompts in turn: for each `(prompt, keys)`, waits for `prompt`, then types
    /// `keys` one key at a time ([`Self::type_keys`]).
    #[track_caller]
    pub fn answer(&mut self, steps: &[(&str, &str)]) {
        for (prompt, keys) in steps {
            self.expect(prompt);
            self.type_keys(keys);
        }
    }

    /// Asserts that `text` was drawn at least twice: a spinner redraws its line every 80 ms
    /// over a [`SLOW`] wait, so a line printed once is not a spinner.
    #[track_caller]
    pub fn assert_spun(&self, text: &str) {
        let drawn = self.transcript.matches(text).count();
        assert!(
            drawn >= 2,
            "`{text}` was drawn {drawn} time(s), not redrawn as a spinner:\n{}",
            self.transcript
        );
    }

    /// Waits for the end of the program and returns its exit code.
    #[track_caller]
    pub fn finish(&mut self) -> i32 {
        match self.session.exp_eof() {
            Ok(rest) => self.transcript.push_str(&decoded(&rest)),
            Err(e) => panic!(
                "the program did not end: {e}\n--- transcript ---\n{}",
                self.transcript
            ),
        }
        match self.session.process().wait().expect("wait") {
            rexpect::process::WaitStatus::Exited(_, code) => code,
            other => panic!("ended with {other:?}\n{}", self.transcript),
        }
    }
}

/// Runs `cmd` on a pseudo-terminal as a person at it would: when one of `answers`' prompts (a
/// text on screen) appears, types its answer, once per prompt (the prompt stays on screen
/// with the answer after it); until the program ends. Returns the exit code and everything it
/// drew (escape codes stripped). A prompt no answer matches fails after [`PTY_TIMEOUT_MS`]
/// with the transcript.
pub fn answer_on_terminal(cmd: Command, answers: &[(&str, &str)]) -> (i32, String) {
    use rexpect::reader::ReadUntil;
    let options = rexpect::reader::Options::default()
        .timeout_ms(Some(PTY_TIMEOUT_MS))
        .strip_ansi_escape_codes(true);
    let mut session = rexpect::session::spawn_with_options(cmd, options).expect("start on a pty");
    let mut transcript = String::new();
    let mut left: Vec<(&str, &str)> = answers.to_vec();
    loop {
        let mut needles: Vec<ReadUntil> = left
            .iter()
            .map(|(prompt, _)| ReadUntil::String(as_read(prompt)))
            .collect();
        needles.push(ReadUntil::EOF);
        match session.exp_any(needles) {
            Ok((before, matched)) => {
                transcript.push_str(&decoded(&before));
                transcript.push_str(&decoded(&matched));
                let Some(i) = left.iter().position(|(p, _)| as_read(p) == matched) else {
                    break;
                };
                let (_, answer) = left.remove(i);
                // dialoguer flushes what was typed before its prompt started reading.
                wait_until_reading_keys(&session);
                for c in answer.chars() {
                    session.send(&c.to_string()).expect("type");
                    session.flush().expect("type");
                    // A person's typing pace: each key is read, and the line redrawn, alone.
                    std::thread::sleep(TYPING);
                }
            }
            Err(e) => {
                panic!("no known prompt, and it did not end: {e}\n--- transcript ---\n{transcript}")
            }
        }
    }
    let code = match session.process().wait().expect("wait") {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("ended with {other:?}\n{transcript}"),
    };
    (code, transcript)
}

/// Gives the terminal of `session` `cols` columns and `rows` rows (what the program reads
/// with `TIOCGWINSZ`, as from a real terminal window).
pub fn set_pty_size(session: &rexpect::session::PtySession, cols: u16, rows: u16) {
    use std::os::fd::AsRawFd;
    let pty = session.process().get_file_handle().expect("the pty");
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one `winsize` from a pointer valid for the call.
    let done = unsafe { libc::ioctl(pty.as_raw_fd(), libc::TIOCSWINSZ, &size) };
    assert_eq!(done, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
}

// ----- Codex releases and `codex exec` ------------------------------------------------------

/// `codex-cli 0.169.0` (or `0.169.0`) → (0, 169, 0).
pub fn version(text: &str) -> Option<(u32, u32, u32)> {
    let word = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let mut parts = word.split(['.', '-']).map(|p| p.parse().ok());
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

/// The version `codex --version` prints.
pub fn codex_version(codex: &Path) -> Option<(u32, u32, u32)> {
    let out = Command::new(codex).arg("--version").output().ok()?;
    version(&String::from_utf8_lossy(&out.stdout))
}

/// One streamed answer of `/responses`, as `codex exec` reads it.
pub const SSE: &str = concat!(
    r#"data: {"type":"response.output_item.done","item":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hi from the mock"}]}}"#,
    "\n\n",
    r#"data: {"type":"response.completed","response":{"id":"resp_1"}}"#,
    "\n\n",
);

/// A local ModelGates that `init` checks and `codex exec` talks to: the key, the model, the
/// catalogue, and one streamed [`SSE`] answer.
pub async fn codex_exec_gateway() -> MockServer {
    serve_all([
        ("GET", "/api/v1/key", api_json("key_valid.json")),
        (
            "GET",
            "/api/v1/model/openai/gpt-5.3-codex",
            api_json("model_gpt_5_3_codex.json"),
        ),
        ("GET", "/api/v1/models", api_json("models.json")),
        (
            "POST",
            "/api/v1/responses",
            ok_body(SSE, "text/event-stream"),
        ),
    ])
    .await
}
