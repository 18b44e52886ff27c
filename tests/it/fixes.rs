//! Every fix doctor prints, carried out: for each finding code, a case builds the broken state in
//! a temporary HOME, runs `mg-codex doctor --json`, takes the fix of the finding with that code
//! and carries it out as its kind says (a `command` run as printed with `sh -c`, an `edit`
//! applied where the fix points, after checking that the line holds the offending text, an
//! `instruction` performed as its text says, after checking that the text says it), then runs
//! doctor again: the finding must be gone, and no problem (warning or fail) may appear that was
//! not there before, except in checks that were skipped before (they may run now).
//!
//! Real parts only: the binary, bash and git, the real Codex (`MG_CODEX_TEST_CODEX`; without
//! it the cases that need Codex are skipped with the reason printed), and a gateway standing in
//! for `https://modelgates.ai`, reached the way users behind a proxy reach it: `HTTPS_PROXY`
//! names a local proxy ([`hostile::recording_proxy`]) that tunnels every `CONNECT` to a local
//! HTTPS server ([`hostile::tls_gateway`]) whose certificate for `modelgates.ai` (and
//! `127.0.0.1`) is signed by a CA that `SSL_CERT_FILE` trusts. So fixes that write the default
//! base URL (`mg-codex init --yes`, `--base-url https://modelgates.ai/api/v1`) work as printed,
//! and no request leaves the machine. The gateway answers `/key`, `/models` and `/model/{id}`
//! from `fixtures/api/`, per key (a key can be valid, rejected, out of credit, ...), and a case
//! changes what it answers when its fix is something that happens at ModelGates (a new key,
//! credits added).
//!
//! A command runs in a shell that stands for the user's terminal: what it exports stays for the
//! doctor run after it (as `. ~/.config/mg-codex/env` is meant to). A fix that does not work yet
//! is in [`BROKEN`] with why: its case still runs (a fix that starts working must leave the
//! list), and the test fails while the list is not empty.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::hostile::{self, Answer, Head, Peer, TestPki};
use crate::support::{api_fixture, codex_bin, dir_on_path, par_map, run_with, Output, Stdin};

/// Fixes that do not do what they promise, with why (the case names: the code, or
/// `code:variant`). Each is reported with the doctor output that shows it; the test fails while
/// this list is not empty.
const BROKEN: &[(&str, &str)] = &[];

/// Codes doctor can produce that no case here covers, and why.
const NOT_COVERED: &[(&str, &str)] = &[];

/// The key the gateway accepts, in the environment of every case unless it says otherwise.
const KEY: &str = "sk-mg-v1-fixestestkey0123456789abcdef";
/// A key the gateway accepts once the case says so ("create a new key on the keys page").
const NEW_KEY: &str = "sk-mg-v1-fixesnewkey0123456789abcdef01";
/// An older key, still accepted, that a terminal may still have.
const OLD_KEY: &str = "sk-mg-v1-fixesoldkey0123456789abcdef01";
/// ModelGates' API root, as `init` writes it: reached through the proxy.
const BASE_URL: &str = "https://modelgates.ai/api/v1";
const MODEL: &str = "openai/gpt-5.3-codex";
/// How long one run of anything may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

// ----- the gateway standing in for modelgates.ai ------------------------------------------------

/// What `/key` answers for a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyMode {
    Valid,
    Rejected,
    OutOfCredits,
    NoCredit,
    Forbidden,
    RateLimited,
    ServerError,
    Management,
    Expired,
    Expiring,
}

/// What the gateway knows: the keys (a key it does not know is rejected) and the catalogue.
struct Gateway {
    keys: BTreeMap<String, KeyMode>,
    models: Vec<Value>,
}

impl Gateway {
    fn new() -> Self {
        Self {
            keys: [(KEY, KeyMode::Valid), (OLD_KEY, KeyMode::Valid)]
                .into_iter()
                .map(|(k, m)| (k.to_string(), m))
                .collect(),
            models: catalogue(),
        }
    }
}

/// The models of `fixtures/api/catalogue.json`.
fn catalogue() -> Vec<Value> {
    let doc: Value = serde_json::from_str(&api_fixture("catalogue.json")).unwrap();
    doc["data"].as_array().unwrap().clone()
}

/// The key a request carries (`authorization: Bearer KEY`).
fn bearer(head: &Head) -> Option<&str> {
    head.text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("authorization")
            .then(|| value.trim().strip_prefix("Bearer ").unwrap_or(value.trim()))
    })
}

fn key_answer(mode: Option<KeyMode>) -> Answer {
    let valid = || -> Value { serde_json::from_str(&api_fixture("key_valid.json")).unwrap() };
    let with = |field: &str, value: Value| {
        let mut v = valid();
        v["data"][field] = value;
        Answer::json(200, v.to_string())
    };
    match mode {
        Some(KeyMode::Valid) => Answer::json(200, api_fixture("key_valid.json")),
        None | Some(KeyMode::Rejected) => Answer::json(401, api_fixture("error_401.json")),
        Some(KeyMode::OutOfCredits) => Answer::json(402, api_fixture("error_402.json")),
        Some(KeyMode::NoCredit) => {
            let mut v = valid();
            v["data"]["limit_remaining"] = json!(0.0);
            v["data"]["usage"] = json!(25.0);
            Answer::json(200, v.to_string())
        }
        Some(KeyMode::Forbidden) => Answer::json(
            403,
            r#"{"error":{"code":403,"message":"this key may not use the API"}}"#,
        ),
        Some(KeyMode::RateLimited) => Answer::json(429, api_fixture("error_429.json")),
        Some(KeyMode::ServerError) => Answer::json(500, api_fixture("error_500.json")),
        Some(KeyMode::Management) => Answer::json(200, api_fixture("key_management.json")),
        Some(KeyMode::Expired) => with("expires_at", json!("2024-01-01T00:00:00Z")),
        Some(KeyMode::Expiring) => {
            let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
            with("expires_at", json!(soon.to_string()))
        }
    }
}

/// The gateway's answer to one request.
fn answer(gateway: &Mutex<Gateway>, head: &Head) -> Answer {
    let target = head.target.split('?').next().unwrap_or_default();
    let not_found = || Answer::json(404, r#"{"error":{"code":404,"message":"Not Found"}}"#);
    let Some(rest) = target.strip_prefix("/api/v1/") else {
        return not_found();
    };
    let gateway = gateway.lock().unwrap();
    match rest {
        "key" => key_answer(bearer(head).and_then(|k| gateway.keys.get(k).copied())),
        "models" => Answer::json(200, json!({ "data": gateway.models }).to_string()),
        _ => match rest.strip_prefix("model/") {
            Some(id) => match gateway.models.iter().find(|m| m["id"] == id) {
                Some(m) => Answer::json(200, json!({ "data": m }).to_string()),
                None => Answer::json(404, api_fixture("error_404_model.json")),
            },
            None => not_found(),
        },
    }
}

/// A gateway on 127.0.0.1 that answers every request only after `delay`.
async fn slow_gateway(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    let slow = |body: String| {
        ResponseTemplate::new(200)
            .set_body_raw(body, "application/json")
            .set_delay(delay)
    };
    Mock::given(method("GET"))
        .and(path("/api/v1/key"))
        .respond_with(slow(api_fixture("key_valid.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(slow(api_fixture("catalogue.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/model/"))
        .respond_with(slow(api_fixture("model_gpt_5_3_codex.json")))
        .mount(&server)
        .await;
    server
}

/// A port on 127.0.0.1 nothing listens on.
fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

// ----- what every case shares -----------------------------------------------------------------

/// Made once: the CA and the certificate, the `mg-codex` on PATH, the Codex releases, the
/// catalogue file Codex reads, the runtime the peers run on.
struct Shared {
    _dir: tempfile::TempDir,
    pki: TestPki,
    ca: PathBuf,
    /// A directory holding `mg-codex` (a symlink to the binary under test).
    shim: PathBuf,
    /// The pinned Codex (`MG_CODEX_TEST_CODEX`), when there is one.
    codex: Option<PathBuf>,
    /// Every Codex given (the pinned one and `MG_CODEX_TEST_CODEX_RELEASES`) with its version.
    releases: Vec<(PathBuf, (u32, u32, u32))>,
    /// `modelgates-models.json`: an entry per model the gateway serves, as Codex requires it.
    catalogue_file: String,
    rt: tokio::runtime::Runtime,
}

impl Shared {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new(&["modelgates.ai", "127.0.0.1"]);
        let ca = pki.write_ca(dir.path(), "ca.pem");
        let shim = dir.path().join("shim");
        fs::create_dir_all(&shim).unwrap();
        std::os::unix::fs::symlink(crate::support::bin(), shim.join("mg-codex")).unwrap();
        let codex = codex_bin();
        let mut releases = Vec::new();
        let given = std::env::var("MG_CODEX_TEST_CODEX_RELEASES").unwrap_or_default();
        for p in codex.iter().cloned().chain(
            given
                .split([':', ' ', '\n'])
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        ) {
            if let Some(v) = crate::support::codex_version(&p) {
                releases.push((p, v));
            }
        }
        let template: Value = serde_json::from_str(
            &fs::read_to_string(crate::support::fixtures_dir().join(
                "doctor/scenarios/53-trusted-dir-not-git-exec-refuses/home/.codex/modelgates-models.json",
            ))
            .unwrap(),
        )
        .unwrap();
        let models: Vec<Value> = catalogue()
            .iter()
            .map(|m| {
                let mut entry = template["models"][0].clone();
                entry["slug"] = m["id"].clone();
                entry
            })
            .collect();
        // mg-codex's own (its marker, written now, no Codex entries in it).
        let written_at = {
            let secs = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            mg_codex::catalog::rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
        };
        let catalogue_file = serde_json::to_string_pretty(&json!({
            "models": models,
            "mg_codex": {
                "written_at": written_at,
                "mg_codex_version": env!("CARGO_PKG_VERSION"),
                "codex_version": null,
                "base_url": BASE_URL,
                "all_models": false
            }
        }))
        .unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Self {
            _dir: dir,
            pki,
            ca,
            shim,
            codex,
            releases,
            catalogue_file,
            rt,
        }
    }

    /// The newest Codex older than `below`, when one was given.
    fn release_below(&self, below: (u32, u32, u32)) -> Option<PathBuf> {
        self.releases
            .iter()
            .filter(|(_, v)| *v < below)
            .max_by_key(|(_, v)| *v)
            .map(|(p, _)| p.clone())
    }
}

// ----- one case's world -------------------------------------------------------------------------

/// A temporary HOME with a healthy set-up (the config `init` writes, a catalogue Codex reads,
/// the work directory a trusted git repository), the gateway, and the environment doctor runs
/// in; the case's setup breaks it.
struct Case<'a> {
    shared: &'a Shared,
    root: tempfile::TempDir,
    home: PathBuf,
    work: PathBuf,
    /// The canonical work directory, as trust entries name it.
    work_key: String,
    cwd: PathBuf,
    sys: PathBuf,
    env: BTreeMap<String, String>,
    /// Flags before the subcommand (`--profile NAME`), for every run of mg-codex.
    global: Vec<String>,
    /// Doctor's own flags.
    doctor_args: Vec<String>,
    online: bool,
    /// The Codex on PATH, if any.
    codex: Option<PathBuf>,
    gateway: Arc<Mutex<Gateway>>,
    /// modelgates.ai (HTTPS on 127.0.0.1) and the proxy that reaches it.
    tls: Peer,
    proxy: Peer,
    /// More servers the case started, kept alive.
    peers: Vec<Peer>,
    mocks: Vec<MockServer>,
    /// What the case did, for the report.
    log: Vec<String>,
    shell_runs: usize,
}

fn base_config(work_key: &str) -> String {
    format!(
        "model_provider = \"modelgates\"\nmodel = \"{MODEL}\"\nmodel_reasoning_effort = \"high\"\n\
         model_catalog_json = \"modelgates-models.json\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{BASE_URL}\"\n\
         env_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n\n\
         [projects.\"{work_key}\"]\ntrust_level = \"trusted\"\n"
    )
}

impl<'a> Case<'a> {
    fn new(shared: &'a Shared, online: bool, codex: Option<PathBuf>) -> Self {
        let root = tempfile::tempdir().unwrap();
        let home = root.path().join("home");
        let work = root.path().join("work");
        let sys = root.path().join("etc-codex");
        for dir in [home.join(".codex"), work.join(".git"), sys.clone()] {
            fs::create_dir_all(dir).unwrap();
        }
        let work_key = fs::canonicalize(&work).unwrap().display().to_string();
        fs::write(home.join(".codex/config.toml"), base_config(&work_key)).unwrap();
        fs::write(
            home.join(".codex/modelgates-models.json"),
            &shared.catalogue_file,
        )
        .unwrap();
        let gateway = Arc::new(Mutex::new(Gateway::new()));
        let (tls, proxy) = shared.rt.block_on(async {
            let g = gateway.clone();
            let tls = hostile::tls_gateway(&shared.pki, move |head| answer(&g, head)).await;
            let proxy = hostile::recording_proxy(Some(tls.addr)).await;
            (tls, proxy)
        });
        let mut env = BTreeMap::new();
        for (k, v) in [
            ("HOME", home.display().to_string()),
            ("NO_COLOR", "1".into()),
            ("LANG", "C.UTF-8".into()),
            // No login shell: shells are in use by their startup files.
            ("SHELL", "/usr/sbin/nologin".into()),
            ("MG_CODEX_SYSTEM_CONFIG_DIR", sys.display().to_string()),
            ("MODELGATES_API_KEY", KEY.into()),
            ("HTTPS_PROXY", proxy.proxy_url()),
            ("SSL_CERT_FILE", shared.ca.display().to_string()),
        ] {
            env.insert(k.to_string(), v);
        }
        Self {
            shared,
            cwd: work.clone(),
            root,
            home,
            work,
            work_key,
            sys,
            env,
            global: Vec::new(),
            doctor_args: vec!["--timeout".into(), "5".into()],
            online,
            codex,
            gateway,
            tls,
            proxy,
            peers: Vec::new(),
            mocks: Vec::new(),
            log: Vec::new(),
            shell_runs: 0,
        }
    }

    fn codex_home(&self) -> PathBuf {
        self.home.join(".codex")
    }

    fn config(&self) -> PathBuf {
        self.codex_home().join("config.toml")
    }

    fn set_env(&mut self, name: &str, value: impl Into<String>) {
        self.env.insert(name.to_string(), value.into());
    }

    fn unset_env(&mut self, name: &str) {
        self.env.remove(name);
    }

    fn key_mode(&self, key: &str, mode: KeyMode) {
        self.gateway
            .lock()
            .unwrap()
            .keys
            .insert(key.to_string(), mode);
    }

    /// Replaces the first `from` in the config by `to` (`from` must be there).
    fn config_replace(&self, from: &str, to: &str) {
        replace_in(&self.config(), from, to);
    }

    fn config_append(&self, text: &str) {
        let mut config = fs::read_to_string(self.config()).unwrap();
        config.push('\n');
        config.push_str(text);
        fs::write(self.config(), config).unwrap();
    }

    fn config_prepend(&self, text: &str) {
        let config = fs::read_to_string(self.config()).unwrap();
        fs::write(self.config(), format!("{text}{config}")).unwrap();
    }

    /// Sets `base_url` of `[model_providers.modelgates]` (a line of the base config).
    fn set_base_url(&self, url: &str) {
        let text = fs::read_to_string(self.config()).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("base_url = "))
            .expect("a base_url line")
            .to_string();
        replace_in(&self.config(), &line, &format!("base_url = \"{url}\""));
    }

    /// Stores `key` for bash as `init` does (env file, `.bashrc` block), through the library.
    fn store_key(&self, key: &str) {
        let bin = self.root.path().join("bash-only");
        if !bin.exists() {
            fs::create_dir_all(&bin).unwrap();
            let bash = ["/bin/bash", "/usr/bin/bash"]
                .into_iter()
                .find(|p| Path::new(p).exists())
                .expect("bash");
            std::os::unix::fs::symlink(bash, bin.join("bash")).unwrap();
        }
        let mut env = mg_codex::shell::ShellEnv::new(self.home.clone());
        env.path = vec![bin];
        let options = mg_codex::shell::InstallOptions {
            shells: mg_codex::shell::ShellSelection::Only(vec![mg_codex::shell::Shell::Bash]),
            key_in_profile: false,
            store: false,
        };
        mg_codex::shell::install(
            &mg_codex::secret::ApiKey::parse(key).unwrap(),
            &options,
            &env,
        )
        .unwrap();
    }

    /// A plain-HTTP server on 127.0.0.1 answering every request with `answer`; its API root.
    fn plain_server(&mut self, answer: Answer) -> String {
        let peer = self.shared.rt.block_on(hostile::gateway_answering(answer));
        let url = peer.base_url();
        self.peers.push(peer);
        url
    }

    /// PATH: `mg-codex`, Codex (and node) when on PATH, then the system.
    fn path(&self) -> String {
        let mut dirs = vec![self.shared.shim.clone()];
        if let Some(codex) = &self.codex {
            dirs.push(codex.parent().unwrap().to_path_buf());
            dirs.extend(dir_on_path("node"));
        }
        dirs.extend(["/usr/bin", "/bin"].map(PathBuf::from));
        std::env::join_paths(dirs)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    fn prepare(&self, cmd: &mut Command) {
        cmd.env_clear()
            .envs(&self.env)
            .env("PATH", self.path())
            .current_dir(&self.cwd);
    }

    /// `mg-codex [global] doctor [args]`, as JSON or as a person reads it.
    fn doctor(&self, as_json: bool) -> Output {
        let mut cmd = Command::new(crate::support::bin());
        self.prepare(&mut cmd);
        cmd.args(&self.global).arg("doctor").args(&self.doctor_args);
        if as_json {
            cmd.arg("--json");
        }
        if !self.online {
            cmd.arg("--offline");
        }
        run_with(&mut cmd, Stdin::Null, RUN_TIMEOUT)
    }

    fn report(&self) -> Result<Report, String> {
        let out = self.doctor(true);
        match serde_json::from_str(&out.stdout) {
            Ok(value) => Ok(Report { value }),
            Err(e) => Err(format!(
                "doctor printed no JSON ({e}), exit {}:\n{}{}",
                out.code, out.stdout, out.stderr
            )),
        }
    }

    /// Runs `command` as printed with `sh -c`, in the case's cwd and environment, stdin
    /// `/dev/null`. The shell stands for the user's terminal: the variables it exports stay for
    /// what runs after it.
    fn shell(&mut self, command: &str) -> Output {
        self.shell_runs += 1;
        let after = self
            .root
            .path()
            .join(format!("env-after-{}", self.shell_runs));
        let script = format!(
            "{command}\n__mg_status=$?\nenv -0 > '{}'\nexit $__mg_status\n",
            after.display()
        );
        let mut cmd = Command::new("/bin/sh");
        self.prepare(&mut cmd);
        cmd.arg("-c").arg(script);
        let out = run_with(&mut cmd, Stdin::Null, RUN_TIMEOUT);
        if let Ok(bytes) = fs::read(&after) {
            let text = String::from_utf8_lossy(&bytes);
            self.env = text
                .split('\0')
                .filter_map(|pair| pair.split_once('='))
                .filter(|(k, _)| !matches!(*k, "PATH" | "PWD" | "OLDPWD" | "SHLVL" | "_"))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        }
        self.log.push(format!(
            "ran `{command}`: exit {}\n--- stdout ---\n{}--- stderr ---\n{}",
            out.code, out.stdout, out.stderr
        ));
        out
    }

    /// `command` as printed, in `sh -c` on a pseudo-terminal (the user's terminal: what it
    /// exports stays), answering the questions as a person would: the key ([`KEY`], which the
    /// gateway accepts) when asked for one, the defaults, yes to writing.
    fn terminal_ok(&mut self, command: &str) -> Result<(), String> {
        self.shell_runs += 1;
        let after = self
            .root
            .path()
            .join(format!("env-after-{}", self.shell_runs));
        let script = format!(
            "{command}\n__mg_status=$?\nenv -0 > '{}'\nexit $__mg_status\n",
            after.display()
        );
        let mut cmd = Command::new("/bin/sh");
        self.prepare(&mut cmd);
        cmd.env("TERM", "xterm").arg("-c").arg(script);
        let key_line = format!("{KEY}\r");
        let (code, transcript) = crate::support::answer_on_terminal(
            cmd,
            &[
                // A yes/no waits for Enter, as on gh and uv.
                ("Open it in your browser?", "n\r"),
                ("Use the key from", "y\r"),
                ("ModelGates API key", &key_line),
                ("Model (type to search)", "\r"),
                ("Reasoning effort", "\r"),
                ("Trust this project for Codex?", "n\r"),
                ("Shells that get MODELGATES_API_KEY", "\r"),
                ("Add the ModelGates docs MCP server to Codex?", "n\r"),
                ("Show the changes as a diff?", "n\r"),
                ("Write these changes?", "y\r"),
                ("Replace the stored key?", "y\r"),
                ("New ModelGates API key", &key_line),
            ],
        );
        if let Ok(bytes) = fs::read(&after) {
            let text = String::from_utf8_lossy(&bytes);
            self.env = text
                .split('\0')
                .filter_map(|pair| pair.split_once('='))
                .filter(|(k, _)| !matches!(*k, "PATH" | "PWD" | "OLDPWD" | "SHLVL" | "_" | "TERM"))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        }
        self.log.push(format!(
            "ran `{command}` on a terminal: exit {code}\n--- transcript ---\n{transcript}"
        ));
        if code == 0 {
            Ok(())
        } else {
            Err(format!(
                "`{command}` exited {code} on a terminal:\n{transcript}"
            ))
        }
    }

    /// [`Self::shell`], which must succeed.
    fn shell_ok(&mut self, command: &str) -> Result<(), String> {
        let out = self.shell(command);
        if out.code == 0 {
            Ok(())
        } else {
            Err(format!(
                "`{command}` exited {}:\n{}{}",
                out.code, out.stdout, out.stderr
            ))
        }
    }

    /// The gateway accepts [`NEW_KEY`] (made on the keys page), this terminal has it, and
    /// `mg-codex init --yes` runs with it, as the instruction says.
    fn new_key_and_init(&mut self) -> Result<(), String> {
        self.key_mode(NEW_KEY, KeyMode::Valid);
        self.set_env("MODELGATES_API_KEY", NEW_KEY);
        self.log
            .push("the gateway accepts a new key, which MODELGATES_API_KEY holds".into());
        self.shell_ok("mg-codex init --yes")
    }
}

/// Replaces the first `from` in `file` by `to` (`from` must be there).
fn replace_in(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap();
    assert!(
        text.contains(from),
        "`{from}` is not in `{}`:\n{text}",
        file.display()
    );
    fs::write(file, text.replacen(from, to, 1)).unwrap();
}

// ----- edits by line ------------------------------------------------------------------------

/// `f` on the lines of `file`, written back with a final newline.
fn edit_lines(file: &Path, f: impl FnOnce(&mut Vec<String>)) {
    let text = fs::read_to_string(file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    f(&mut lines);
    let mut out = lines.join("\n");
    out.push('\n');
    fs::write(file, out).unwrap();
}

fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

/// Deletes line `n` (1-based).
fn delete_line(file: &Path, n: usize) {
    edit_lines(file, |lines| {
        lines.remove(n - 1);
    });
}

/// Replaces line `n` (1-based) by `text`.
fn replace_line(file: &Path, n: usize, text: &str) {
    edit_lines(file, |lines| lines[n - 1] = text.to_string());
}

/// The lines of the table whose header is line `n`, up to the next header.
fn table_range(lines: &[String], n: usize) -> std::ops::Range<usize> {
    let start = n - 1;
    let end = (start + 1..lines.len())
        .find(|&i| is_header(&lines[i]))
        .unwrap_or(lines.len());
    start..end
}

/// Deletes the table whose header is line `n`.
fn delete_table(file: &Path, n: usize) {
    edit_lines(file, |lines| {
        let range = table_range(lines, n);
        lines.drain(range);
    });
}

/// Moves line `n` above the first table header.
fn move_above_first_table(file: &Path, n: usize) {
    edit_lines(file, |lines| {
        let line = lines.remove(n - 1);
        let first = lines.iter().position(|l| is_header(l)).unwrap_or(0);
        lines.insert(first, line);
    });
}

/// Moves the settings of the table whose header is line `n` to the top of `target` (made when
/// missing) and deletes the table.
fn move_table_into(file: &Path, n: usize, target: &Path) {
    let mut body = Vec::new();
    edit_lines(file, |lines| {
        let range = table_range(lines, n);
        body = lines[range.start + 1..range.end]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .cloned()
            .collect();
        lines.drain(range);
    });
    let old = fs::read_to_string(target).unwrap_or_default();
    fs::write(target, format!("{}\n{old}", body.join("\n"))).unwrap();
}

// ----- reports ----------------------------------------------------------------------------------

/// One `doctor --json` report.
struct Report {
    value: Value,
}

fn severity_rank(severity: &str) -> u8 {
    match severity {
        "fail" => 2,
        "warning" => 1,
        _ => 0,
    }
}

impl Report {
    fn checks(&self) -> Vec<&Value> {
        self.value["checks"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    /// The first problem finding with `code`.
    fn finding(&self, code: &str) -> Option<&Value> {
        self.checks()
            .into_iter()
            .flat_map(|c| c["findings"].as_array().into_iter().flatten())
            .find(|f| f["code"] == code && severity_rank(f["severity"].as_str().unwrap_or("")) > 0)
    }

    /// Every problem: (check, code) and its worst severity.
    fn problems(&self) -> BTreeMap<(String, String), u8> {
        let mut out = BTreeMap::new();
        for check in self.checks() {
            for f in check["findings"].as_array().into_iter().flatten() {
                let rank = severity_rank(f["severity"].as_str().unwrap_or(""));
                if rank == 0 {
                    continue;
                }
                let key = (
                    check["id"].as_str().unwrap_or("").to_string(),
                    f["code"].as_str().unwrap_or("").to_string(),
                );
                let worst = out.entry(key).or_insert(0);
                *worst = (*worst).max(rank);
            }
        }
        out
    }

    fn skipped(&self) -> BTreeSet<String> {
        self.checks()
            .into_iter()
            .filter(|c| c["status"] == "skipped")
            .filter_map(|c| c["id"].as_str().map(str::to_string))
            .collect()
    }

    /// One line per check that is not ok: its status and codes.
    fn summary(&self) -> String {
        self.checks()
            .into_iter()
            .filter(|c| {
                c["status"] != "ok" || c["findings"].as_array().is_some_and(|f| !f.is_empty())
            })
            .map(|c| {
                let codes: Vec<String> = c["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| {
                        format!(
                            "{}({})",
                            f["code"].as_str().unwrap_or(""),
                            f["severity"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                format!(
                    "  {} {}: {}",
                    c["id"].as_str().unwrap_or(""),
                    c["status"].as_str().unwrap_or(""),
                    if codes.is_empty() {
                        c["summary"].as_str().unwrap_or("").to_string()
                    } else {
                        codes.join(", ")
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

// ----- the cases ----------------------------------------------------------------------------

type Setup = fn(&mut Case);
type Perform = fn(&mut Case) -> Result<(), String>;
/// Applies an edit fix: the case, the fix's file and line.
type Apply = fn(&mut Case, &Path, usize) -> Result<(), String>;

/// How a case carries the fix out.
enum Act {
    /// A command fix: run it as printed.
    Run,
    /// A command fix whose text asks for something first (`what`), which `before` does.
    RunAfter(&'static str, Perform),
    /// An edit fix: its line must contain `at`; `apply` makes the edit its text describes.
    Edit { at: &'static str, apply: Apply },
    /// An instruction: its text must mention each of `mentions`; `perform` does what it says.
    Do {
        mentions: &'static [&'static str],
        perform: Perform,
    },
    /// `npm install -g @openai/codex`, which is not run: the case puts the pinned Codex on
    /// PATH, which is what the install does.
    InstallCodex,
    /// A command fix that asks questions (`mg-codex init`, `mg-codex key set`): run as printed
    /// on a pseudo-terminal, answered as a person would (the key when asked for one, the
    /// defaults otherwise, yes to writing).
    Terminal,
}

/// Whether Codex is on PATH.
#[derive(Clone, Copy)]
enum CodexUse {
    /// When one is given (`MG_CODEX_TEST_CODEX`).
    IfAny,
    /// Required: the case is skipped without one.
    Must,
    /// A release older than this one, from `MG_CODEX_TEST_CODEX_RELEASES` (or the pinned one):
    /// the case is skipped without one.
    Below((u32, u32, u32)),
}

struct Spec {
    /// The code, or `code:variant` for a second state with the same code.
    name: &'static str,
    setup: Setup,
    act: Act,
    online: bool,
    codex: CodexUse,
    /// Codes the fix may leave behind because the finding's own message announced them (a
    /// directory trusted that is not a git repository: `codex exec` still refuses there).
    announced: &'static [&'static str],
}

impl Spec {
    fn code(&self) -> &'static str {
        self.name.split(':').next().unwrap()
    }

    /// The network checks run (against the local gateway).
    fn online(mut self) -> Self {
        self.online = true;
        self
    }

    fn codex(mut self, codex: CodexUse) -> Self {
        self.codex = codex;
        self
    }

    fn announced(mut self, codes: &'static [&'static str]) -> Self {
        self.announced = codes;
        self
    }
}

fn case(name: &'static str, setup: Setup, act: Act) -> Spec {
    Spec {
        name,
        setup,
        act,
        online: false,
        codex: CodexUse::IfAny,
        announced: &[],
    }
}

fn edit(at: &'static str, apply: Apply) -> Act {
    Act::Edit { at, apply }
}

fn instruction(mentions: &'static [&'static str], perform: Perform) -> Act {
    Act::Do { mentions, perform }
}

/// Puts back the healthy config (the instruction: make it a regular file).
fn restore_config(c: &mut Case) -> Result<(), String> {
    let config = c.config();
    match fs::symlink_metadata(&config) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(&config).unwrap(),
        Ok(_) => fs::remove_file(&config).unwrap(),
        Err(_) => {}
    }
    fs::write(&config, base_config(&c.work_key)).unwrap();
    c.log
        .push("made config.toml a regular file again (the set-up it held)".into());
    Ok(())
}

/// The instruction says to check `base_url`: it is set to the gateway's real address.
fn base_url_to_modelgates(c: &mut Case) -> Result<(), String> {
    c.set_base_url(BASE_URL);
    c.log.push(format!("set base_url to `{BASE_URL}`"));
    Ok(())
}

/// The mg-codex block of `~/.bashrc`: the lines between the markers, replaced by `body`.
fn replace_bashrc_block(c: &Case, body: &str) {
    edit_lines(&c.home.join(".bashrc"), |lines| {
        let start = lines
            .iter()
            .position(|l| l.contains(">>> mg-codex >>>"))
            .unwrap();
        let end = lines
            .iter()
            .position(|l| l.contains("<<< mg-codex <<<"))
            .unwrap();
        lines.splice(start + 1..end, [body.to_string()]);
    });
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn specs() -> Vec<Spec> {
    use Act::{InstallCodex, Run, RunAfter};
    vec![
        // ----- config.file -----
        case(
            "codex_home_missing",
            |c| {
                let gone = c.root.path().join("codex-home");
                c.set_env("CODEX_HOME", gone.display().to_string());
            },
            Run,
        ),
        case(
            "codex_home_not_dir",
            |c| {
                fs::remove_dir_all(c.codex_home()).unwrap();
                fs::write(c.codex_home(), "not a directory\n").unwrap();
            },
            Run,
        ),
        case(
            "codex_home_not_dir:CODEX_HOME",
            |c| {
                let file = c.root.path().join("codex-home-file");
                fs::write(&file, "not a directory\n").unwrap();
                c.set_env("CODEX_HOME", file.display().to_string());
            },
            instruction(&["CODEX_HOME", "directory"], |c| {
                let dir = c.codex_home().display().to_string();
                c.set_env("CODEX_HOME", dir);
                c.log.push("pointed CODEX_HOME at ~/.codex".into());
                Ok(())
            }),
        ),
        case(
            "config_missing",
            |c| fs::remove_file(c.config()).unwrap(),
            Act::Terminal,
        )
        .online(),
        case(
            "config_unreadable",
            |c| {
                // A symlink to itself: unreadable for anyone, root included.
                fs::remove_file(c.config()).unwrap();
                std::os::unix::fs::symlink("config.toml", c.config()).unwrap();
            },
            instruction(&["regular file"], restore_config),
        ),
        case(
            "config_special_file",
            |c| {
                fs::remove_file(c.config()).unwrap();
                fs::create_dir(c.config()).unwrap();
            },
            instruction(&["regular file"], restore_config),
        ),
        case(
            "config_invalid_toml",
            |c| {
                c.config_replace(
                    "model = \"openai/gpt-5.3-codex\"\n",
                    "model = \"openai/gpt-5.3-codex\n",
                )
            },
            edit("model = \"openai/gpt-5.3-codex", |_, file, line| {
                replace_line(file, line, "model = \"openai/gpt-5.3-codex\"");
                Ok(())
            }),
        ),
        case(
            "stranded_key",
            |c| {
                // Appended at the end of the file, so inside its last table.
                c.config_replace("model_reasoning_effort = \"high\"\n", "");
                c.config_append("[tui]\nnotifications = true\nmodel_reasoning_effort = \"high\"\n");
            },
            edit("model_reasoning_effort", |_, file, line| {
                move_above_first_table(file, line);
                Ok(())
            }),
        ),
        case(
            "stranded_key:projects",
            |c| {
                // Inside the last table, a trust entry (its path has a dot: `/tmp/.tmpXXXX`).
                c.config_replace("model_reasoning_effort = \"high\"\n", "");
                c.config_append("model_reasoning_effort = \"high\"\n");
            },
            edit("model_reasoning_effort", |_, file, line| {
                move_above_first_table(file, line);
                Ok(())
            }),
        ),
        case(
            "unknown_config_key",
            |c| c.config_prepend("disable_response_storage = true\n"),
            edit("disable_response_storage", |_, file, line| {
                delete_line(file, line);
                Ok(())
            }),
        ),
        // ----- config.provider -----
        case(
            "provider_other",
            |c| {
                c.config_replace(
                    "model_provider = \"modelgates\"",
                    "model_provider = \"openrouter\"",
                );
                c.config_append(
                    "[model_providers.openrouter]\nname = \"OpenRouter\"\nbase_url = \"https://openrouter.ai/api/v1\"\nenv_key = \"OPENROUTER_API_KEY\"\nwire_api = \"responses\"\n",
                );
            },
            Run,
        ),
        case(
            "provider_not_selected",
            |c| c.config_replace("model_provider = \"modelgates\"\n", ""),
            Run,
        ),
        case(
            "managed_layer_pins",
            |c| {
                fs::write(
                    c.sys.join("managed_config.toml"),
                    "model_provider = \"openai\"\n",
                )
                .unwrap()
            },
            instruction(&["model_provider", "managed_config.toml"], |c| {
                fs::write(
                    c.sys.join("managed_config.toml"),
                    "model_provider = \"modelgates\"\n",
                )
                .unwrap();
                c.log.push(
                    "the administrator set model_provider = \"modelgates\" in the managed config"
                        .into(),
                );
                Ok(())
            }),
        ),
        case(
            "provider_undefined",
            |c| {
                c.config_replace(
                    &format!(
                        "[model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{BASE_URL}\"\nenv_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n\n"
                    ),
                    "",
                )
            },
            Run,
        ),
        case(
            "provider_name_missing",
            |c| c.config_replace("name = \"ModelGates\"\n", ""),
            Run,
        ),
        case(
            "base_url_missing",
            |c| c.config_replace(&format!("base_url = \"{BASE_URL}\"\n"), ""),
            Run,
        ),
        case("base_url_missing:empty", |c| c.set_base_url(""), Run),
        case(
            "base_url_insecure",
            |c| c.set_base_url("http://modelgates.ai/api/v1"),
            Run,
        )
        .online(),
        case(
            "base_url_wrong_path",
            |c| c.set_base_url("https://modelgates.ai/api"),
            Run,
        )
        .online(),
        case(
            "env_key_missing",
            |c| c.config_replace("env_key = \"MODELGATES_API_KEY\"\n", ""),
            Run,
        ),
        case(
            "auth_with_env_key",
            |c| {
                c.config_append(
                    "[model_providers.modelgates.auth]\ncommand = \"sh\"\nargs = [\"-c\", \"printf %s \\\"$MODELGATES_API_KEY\\\"\"]\ntimeout_ms = 5000\n",
                )
            },
            Run,
        ),
        case(
            "requires_openai_auth",
            |c| {
                c.config_replace(
                    "wire_api = \"responses\"\n",
                    "wire_api = \"responses\"\nrequires_openai_auth = true\n",
                )
            },
            Run,
        ),
        case(
            "bearer_token_in_config",
            |c| {
                // The key only in the config, as Codex's docs suggest for a quick start.
                c.config_replace(
                    "env_key = \"MODELGATES_API_KEY\"\n",
                    &format!("experimental_bearer_token = \"{KEY}\"\n"),
                );
                c.unset_env("MODELGATES_API_KEY");
            },
            Run,
        ),
        case(
            "unknown_provider_field",
            |c| {
                c.config_replace(
                    "wire_api = \"responses\"\n",
                    "wire_api = \"responses\"\nsupports_fancy_mode = true\n",
                )
            },
            Run,
        ),
        case(
            "wire_api_chat",
            |c| c.config_replace("wire_api = \"responses\"", "wire_api = \"chat\""),
            Run,
        ),
        case(
            "wire_api_chat:other",
            |c| {
                c.config_append(
                    "[model_providers.legacy]\nname = \"Legacy\"\nbase_url = \"https://llm.example.com/v1\"\nwire_api = \"chat\"\n",
                )
            },
            edit("wire_api = \"chat\"", |_, file, line| {
                replace_line(file, line, "wire_api = \"responses\"");
                Ok(())
            }),
        ),
        case(
            "wire_api_unknown",
            |c| c.config_replace("wire_api = \"responses\"", "wire_api = \"completions\""),
            Run,
        ),
        case(
            "reserved_provider_id",
            |c| {
                c.config_append(
                    "[model_providers.openai]\nname = \"OpenAI\"\nbase_url = \"https://api.openai.com/v1\"\n",
                )
            },
            edit("[model_providers.openai]", |_, file, line| {
                delete_table(file, line);
                Ok(())
            }),
        ),
        case(
            "duplicate_gateway_table",
            |c| {
                c.config_append(&format!(
                    "[model_providers.modelgates-2]\nname = \"ModelGates\"\nbase_url = \"{BASE_URL}\"\nenv_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n"
                ))
            },
            edit("[model_providers.modelgates-2]", |_, file, line| {
                delete_table(file, line);
                Ok(())
            }),
        ),
        case(
            "legacy_profile",
            |c| c.config_prepend("profile = \"fast\"\n"),
            edit("profile = \"fast\"", |_, file, line| {
                delete_line(file, line);
                Ok(())
            }),
        ),
        case(
            "profiles_table_blocks_profile",
            |c| {
                c.global = vec!["--profile".into(), "mg".into()];
                fs::write(
                    c.codex_home().join("mg.config.toml"),
                    "model_reasoning_effort = \"medium\"\n",
                )
                .unwrap();
                c.config_append("[profiles.mg]\npersonality = \"pragmatic\"\n");
            },
            edit("[profiles.mg]", |c, file, line| {
                move_table_into(file, line, &c.codex_home().join("mg.config.toml"));
                Ok(())
            }),
        ),
        case(
            "profiles_table",
            |c| c.config_append("[profiles.fast]\nmodel_reasoning_effort = \"low\"\n"),
            edit("[profiles.", |c, file, _| {
                // "move each into NAME.config.toml and delete the table": every [profiles.NAME].
                loop {
                    let text = fs::read_to_string(file).unwrap();
                    let Some((n, name)) = text.lines().enumerate().find_map(|(i, l)| {
                        let name = l.trim().strip_prefix("[profiles.")?.strip_suffix(']')?;
                        Some((i + 1, name.trim_matches('"').to_string()))
                    }) else {
                        break;
                    };
                    move_table_into(file, n, &c.codex_home().join(format!("{name}.config.toml")));
                }
                Ok(())
            }),
        ),
        case(
            "project_local_provider_keys",
            |c| {
                fs::create_dir_all(c.work.join(".codex")).unwrap();
                fs::write(
                    c.work.join(".codex/config.toml"),
                    "model_provider = \"openai\"\n",
                )
                .unwrap();
            },
            edit("model_provider", |_, file, line| {
                delete_line(file, line);
                Ok(())
            }),
        ),
        // ----- config.model -----
        case(
            "model_missing",
            |c| c.config_replace(&format!("model = \"{MODEL}\"\n"), ""),
            Run,
        ),
        case(
            "model_not_string",
            |c| c.config_replace(&format!("model = \"{MODEL}\""), "model = 5"),
            Run,
        ),
        case(
            "model_id_malformed",
            |c| c.config_replace(&format!("model = \"{MODEL}\""), "model = \"gpt-5.3-codex\""),
            Run,
        )
        .online(),
        case(
            "model_unknown",
            |c| {
                c.config_replace(
                    &format!("model = \"{MODEL}\""),
                    "model = \"openai/gpt-5.3-codx\"",
                )
            },
            Run,
        )
        .online(),
        case(
            "model_unknown:no-suggestion",
            |c| {
                c.config_replace(
                    &format!("model = \"{MODEL}\""),
                    "model = \"zzqx/qqqq-vvvv\"",
                )
            },
            Run,
        )
        .online(),
        case(
            "effort_rewritten",
            |c| {
                c.config_replace(
                    "model_reasoning_effort = \"high\"",
                    "model_reasoning_effort = \"ultra\"",
                )
            },
            Run,
        ),
        case(
            "effort_unknown",
            |c| {
                c.config_replace(
                    "model_reasoning_effort = \"high\"",
                    "model_reasoning_effort = \"turbo\"",
                )
            },
            Run,
        ),
        case(
            "effort_refused_by_version",
            |c| {
                c.config_replace(
                    "model_reasoning_effort = \"high\"",
                    "model_reasoning_effort = \"max\"",
                )
            },
            Run,
        )
        .codex(CodexUse::Below((0, 138, 0))),
        case(
            "effort_not_sent",
            |c| {
                c.config_replace("model_catalog_json = \"modelgates-models.json\"\n", "");
                fs::remove_file(c.codex_home().join("modelgates-models.json")).unwrap();
            },
            Run,
        )
        .codex(CodexUse::Below((0, 145, 0))),
        case(
            "fallback_metadata",
            |c| {
                c.config_replace("model_catalog_json = \"modelgates-models.json\"\n", "");
                fs::remove_file(c.codex_home().join("modelgates-models.json")).unwrap();
            },
            Run,
        ),
        case(
            "personality_invalid",
            |c| c.config_prepend("personality = \"grumpy\"\n"),
            edit("personality", |_, file, line| {
                replace_line(file, line, "personality = \"pragmatic\"");
                Ok(())
            }),
        ),
        case(
            "raw_reasoning_not_bool",
            |c| c.config_prepend("show_raw_agent_reasoning = \"yes\"\n"),
            edit("show_raw_agent_reasoning", |_, file, line| {
                replace_line(file, line, "show_raw_agent_reasoning = true");
                Ok(())
            }),
        ),
        // ----- key.present -----
        case(
            "key_in_config",
            |c| {
                c.config_replace(
                    "env_key = \"MODELGATES_API_KEY\"",
                    &format!("env_key = \"{KEY}\""),
                );
                c.unset_env("MODELGATES_API_KEY");
            },
            edit("env_key", |c, file, line| {
                replace_line(file, line, "env_key = \"MODELGATES_API_KEY\"");
                // "then treat the key as leaked: make a new one": the old one is revoked.
                c.key_mode(KEY, KeyMode::Rejected);
                c.key_mode(NEW_KEY, KeyMode::Valid);
                c.set_env("MODELGATES_API_KEY", NEW_KEY);
                c.log.push(
                    "the key was revoked, a new one made and put in MODELGATES_API_KEY".into(),
                );
                Ok(())
            }),
        )
        .online(),
        case(
            "key_not_activated",
            |c| {
                c.store_key(KEY);
                c.unset_env("MODELGATES_API_KEY");
            },
            Run,
        )
        .online(),
        case(
            "key_blank",
            |c| c.set_env("MODELGATES_API_KEY", ""),
            Act::Terminal,
        ),
        case(
            "key_missing",
            |c| c.unset_env("MODELGATES_API_KEY"),
            Act::Terminal,
        ),
        case(
            "key_whitespace",
            |c| c.set_env("MODELGATES_API_KEY", format!("{KEY}\n")),
            instruction(&["whitespace", "MODELGATES_API_KEY"], |c| {
                c.set_env("MODELGATES_API_KEY", KEY);
                c.log
                    .push("removed the newline from MODELGATES_API_KEY".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "key_bad_chars",
            // Pasted with a non-breaking space inside.
            |c| {
                c.set_env(
                    "MODELGATES_API_KEY",
                    "sk-mg-v1-fixestestkey0123\u{a0}456789abcdef",
                )
            },
            Act::Terminal,
        ),
        case(
            "key_wrong_prefix",
            |c| {
                c.set_env(
                    "MODELGATES_API_KEY",
                    "sk-or-v1-0123456789abcdef0123456789abcdef",
                )
            },
            instruction(&["keys page", "mg-codex init"], |c| c.new_key_and_init()),
        )
        .online(),
        case(
            "key_stale",
            |c| {
                c.store_key(KEY);
                c.set_env("MODELGATES_API_KEY", OLD_KEY);
            },
            Run,
        )
        .online(),
        // ----- api.key, api.model -----
        case(
            "key_rejected",
            |c| c.key_mode(KEY, KeyMode::Rejected),
            instruction(&["keys page", "mg-codex init"], |c| c.new_key_and_init()),
        )
        .online(),
        case(
            "key_no_credit",
            |c| c.key_mode(KEY, KeyMode::OutOfCredits),
            instruction(&["add credits"], |c| {
                c.key_mode(KEY, KeyMode::Valid);
                c.log.push("credits were added at ModelGates".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "key_no_credit:limit",
            |c| c.key_mode(KEY, KeyMode::NoCredit),
            instruction(&["add credits"], |c| {
                c.key_mode(KEY, KeyMode::Valid);
                c.log
                    .push("the key's limit was raised at ModelGates".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "forbidden",
            |c| c.key_mode(KEY, KeyMode::Forbidden),
            instruction(&["permissions"], |c| {
                c.key_mode(KEY, KeyMode::Valid);
                c.log
                    .push("the key got its permissions at ModelGates".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "rate_limited",
            |c| c.key_mode(KEY, KeyMode::RateLimited),
            RunAfter("wait a minute", |c| {
                // The minute passes: the gateway's rate-limit window is over.
                c.key_mode(KEY, KeyMode::Valid);
                c.log.push("the rate-limit window passed".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "server_error",
            |c| c.key_mode(KEY, KeyMode::ServerError),
            instruction(&["try again"], |c| {
                c.key_mode(KEY, KeyMode::Valid);
                c.log.push("ModelGates recovered".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "key_management",
            |c| c.key_mode(KEY, KeyMode::Management),
            instruction(&["inference key", "mg-codex init"], |c| {
                c.new_key_and_init()
            }),
        )
        .online(),
        case(
            "key_expired",
            |c| c.key_mode(KEY, KeyMode::Expired),
            instruction(&["new key", "mg-codex init"], |c| c.new_key_and_init()),
        )
        .online(),
        case(
            "key_expiring",
            |c| c.key_mode(KEY, KeyMode::Expiring),
            instruction(&["new key", "mg-codex init"], |c| c.new_key_and_init()),
        )
        .online(),
        case(
            "endpoint_missing",
            |c| {
                // Another service on that address: every path is 404.
                let url = c.plain_server(Answer::json(404, r#"{"detail":"Not Found"}"#));
                c.set_base_url(&url);
            },
            Run,
        )
        .online(),
        case(
            "bad_response",
            |c| {
                let url = c.plain_server(Answer::Full {
                    status: 200,
                    content_type: "text/html",
                    body: "<!doctype html><title>Welcome</title>".into(),
                });
                c.set_base_url(&url);
            },
            instruction(&["base_url", BASE_URL], base_url_to_modelgates),
        )
        .online(),
        case(
            "unreachable_refused",
            |c| c.set_base_url(&format!("http://127.0.0.1:{}/api/v1", dead_port())),
            instruction(&["base_url"], base_url_to_modelgates),
        )
        .online(),
        case(
            "unreachable_dns",
            |c| {
                c.set_base_url("https://gateway.invalid/api/v1");
                // Resolved here, not by the proxy.
                c.set_env("NO_PROXY", "gateway.invalid");
            },
            instruction(&["base_url"], base_url_to_modelgates),
        )
        .online(),
        case(
            "unreachable_tls",
            |c| {
                // The server's CA is not trusted here.
                let url = c.tls.https_url();
                c.set_base_url(&url);
                c.unset_env("SSL_CERT_FILE");
            },
            instruction(&["SSL_CERT_FILE"], |c| {
                let ca = c.shared.ca.display().to_string();
                c.set_env("SSL_CERT_FILE", ca);
                c.log
                    .push("pointed SSL_CERT_FILE at the server's CA".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "unreachable_timeout",
            |c| {
                let server = c
                    .shared
                    .rt
                    .block_on(slow_gateway(Duration::from_millis(600)));
                c.set_base_url(&format!("{}/api/v1", server.uri()));
                c.mocks.push(server);
                c.doctor_args = vec!["--timeout".into(), "0.2".into()];
            },
            instruction(&["--timeout"], |c| {
                c.doctor_args = vec!["--timeout".into(), "10".into()];
                c.log.push("doctor runs with --timeout 10".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "unreachable_proxy",
            |c| c.set_env("HTTPS_PROXY", format!("http://127.0.0.1:{}", dead_port())),
            instruction(&["HTTPS_PROXY"], |c| {
                let proxy = c.proxy.proxy_url();
                c.set_env("HTTPS_PROXY", proxy);
                c.log.push("HTTPS_PROXY names the proxy that runs".into());
                Ok(())
            }),
        )
        .online(),
        case(
            "unreachable",
            |c| {
                // Plain HTTP to the HTTPS port: no HTTP answer.
                let url = c.tls.base_url();
                c.set_base_url(&url);
            },
            instruction(&["base_url"], |c| {
                let url = c.tls.https_url();
                c.set_base_url(&url);
                c.log
                    .push(format!("set base_url to `{url}`, the URL the error offers"));
                Ok(())
            }),
        )
        .online(),
        case(
            "model_no_tools",
            |c| {
                c.config_replace(
                    &format!("model = \"{MODEL}\""),
                    "model = \"mistralai/mistral-7b-instruct\"",
                )
            },
            Run,
        )
        .online(),
        case(
            "model_no_reasoning",
            |c| {
                c.config_replace(
                    &format!("model = \"{MODEL}\""),
                    "model = \"openai/gpt-5.3-codex:free\"",
                )
            },
            Run,
        )
        .online(),
        case(
            "model_retiring",
            |c| {
                c.config_replace(
                    &format!("model = \"{MODEL}\""),
                    "model = \"openai/gpt-5.2-codex\"",
                )
            },
            Run,
        )
        .online(),
        // ----- shell.profiles -----
        case(
            "dir_public",
            |c| {
                c.store_key(KEY);
                chmod(&c.home.join(".config/mg-codex"), 0o755);
            },
            Run,
        ),
        case(
            "env_file_public",
            |c| {
                c.store_key(KEY);
                chmod(&c.home.join(".config/mg-codex/env"), 0o644);
            },
            Run,
        ),
        case(
            "env_file_missing",
            |c| {
                c.store_key(KEY);
                fs::remove_file(c.home.join(".config/mg-codex/env")).unwrap();
            },
            Run,
        ),
        case(
            "block_outdated",
            |c| {
                c.store_key(KEY);
                replace_bashrc_block(c, ". \"$HOME/.mg-codex-env\"");
            },
            Run,
        ),
        case(
            "markers_damaged",
            |c| {
                c.store_key(KEY);
                edit_lines(&c.home.join(".bashrc"), |lines| {
                    lines.retain(|l| !l.contains("<<< mg-codex <<<"))
                });
            },
            edit("mg-codex", |c, file, _| {
                // "delete the mg-codex lines, then run `mg-codex init --yes`".
                edit_lines(file, |lines| lines.retain(|l| !l.contains("mg-codex")));
                c.shell_ok("mg-codex init --yes")
            }),
        ),
        case(
            "user_line_overrides",
            |c| {
                c.store_key(KEY);
                let bashrc = c.home.join(".bashrc");
                let mut text = fs::read_to_string(&bashrc).unwrap();
                text.push_str(&format!("export MODELGATES_API_KEY={OLD_KEY}\n"));
                fs::write(bashrc, text).unwrap();
            },
            edit("MODELGATES_API_KEY", |_, file, line| {
                delete_line(file, line);
                Ok(())
            }),
        ),
        case(
            "shell_no_block",
            |c| fs::write(c.home.join(".bashrc"), "alias ll='ls -l'\n").unwrap(),
            Run,
        ),
        case(
            "gui_front_end",
            |c| {
                c.store_key(KEY);
                fs::create_dir_all(c.home.join(".vscode/extensions/openai.chatgpt-26.1.0"))
                    .unwrap();
            },
            Run,
        ),
        // ----- codex.cli, codex.docs_mcp -----
        case("codex_missing", |c| c.codex = None, InstallCodex).codex(CodexUse::Must),
        case(
            "codex_refuses_config",
            |c| c.config_prepend("approval_policy = \"sometimes\"\n"),
            edit("approval_policy", |_, file, line| {
                replace_line(file, line, "approval_policy = \"on-request\"");
                Ok(())
            }),
        )
        .codex(CodexUse::Must),
        case(
            "codex_refuses_profile",
            |c| {
                c.global = vec!["--profile".into(), "mg".into()];
                fs::write(
                    c.codex_home().join("mg.config.toml"),
                    "approval_policy = \"sometimes\"\n",
                )
                .unwrap();
            },
            // "fix what Codex reports at `~/.codex/mg.config.toml:1` (…: unknown variant …)".
            edit("approval_policy", |_, file, line| {
                replace_line(file, line, "approval_policy = \"on-request\"");
                Ok(())
            }),
        )
        .codex(CodexUse::Must),
        case(
            "docs_mcp_disabled",
            |c| {
                c.config_append(
                    "[mcp_servers.modelgates-docs]\nurl = \"https://modelgates.ai/docs/_mcp/server\"\nenabled = false\n",
                )
            },
            edit("enabled = false", |_, file, line| {
                delete_line(file, line);
                Ok(())
            }),
        ),
        case(
            "docs_mcp_other",
            |c| {
                c.config_append(
                    "[mcp_servers.modelgates-docs]\nurl = \"https://docs.example.com/mcp\"\n",
                )
            },
            Run,
        )
        .codex(CodexUse::Must),
        case(
            "docs_mcp_unusable",
            |c| c.config_append("[mcp_servers.modelgates-docs]\nenabled = true\n"),
            edit("[mcp_servers.modelgates-docs]", |c, file, line| {
                // "delete [mcp_servers.modelgates-docs] by hand, then run `mg-codex init --yes --docs-mcp`".
                delete_table(file, line);
                c.shell_ok("mg-codex init --yes --docs-mcp")
            }),
        ),
        // ----- projects.trust -----
        case(
            "trust_level_invalid",
            |c| c.config_replace("trust_level = \"trusted\"", "trust_level = \"yes\""),
            Run,
        ),
        case(
            "trust_entry_never_matches",
            |c| {
                let gone = fs::canonicalize(c.root.path())
                    .unwrap()
                    .join("deleted-project");
                c.config_append(&format!(
                    "[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
                    gone.display()
                ));
            },
            Run,
        ),
        case(
            "trusted_not_git",
            |c| fs::remove_dir(c.work.join(".git")).unwrap(),
            Run,
        ),
        case(
            "trusted_not_git:home",
            |c| {
                let home = fs::canonicalize(&c.home).unwrap();
                c.config_append(&format!(
                    "[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
                    home.display()
                ));
                c.cwd = c.home.clone();
            },
            Run,
        ),
        case(
            "trust_parent_not_inherited",
            |c| {
                // `work` is a folder of projects, trusted; `work/proj` a git repository in it.
                fs::remove_dir(c.work.join(".git")).unwrap();
                c.cwd = c.work.join("proj");
                fs::create_dir_all(c.cwd.join(".git")).unwrap();
            },
            Run,
        ),
        case(
            "trust_parent_not_inherited:not-git",
            |c| {
                fs::remove_dir(c.work.join(".git")).unwrap();
                c.cwd = c.work.join("notes");
                fs::create_dir_all(&c.cwd).unwrap();
            },
            Run,
        )
        .announced(&["trusted_not_git"]),
        case(
            "not_trusted",
            |c| {
                let entry = format!("[projects.\"{}\"]\ntrust_level = \"trusted\"\n", c.work_key);
                c.config_replace(&entry, "");
            },
            Run,
        ),
        case(
            "not_trusted:not-git",
            |c| {
                let entry = format!("[projects.\"{}\"]\ntrust_level = \"trusted\"\n", c.work_key);
                c.config_replace(&entry, "");
                fs::remove_dir(c.work.join(".git")).unwrap();
            },
            Run,
        )
        .announced(&["trusted_not_git"]),
        // ----- codex.catalog, codex.auth_command -----
        case(
            "catalog_missing",
            |c| fs::remove_file(c.codex_home().join("modelgates-models.json")).unwrap(),
            Run,
        ),
        case(
            "catalog_invalid",
            |c| {
                fs::write(
                    c.codex_home().join("modelgates-models.json"),
                    "{\"models\": [{\"display_name\": \"no slug\"}]}\n",
                )
                .unwrap()
            },
            Run,
        ),
        case(
            "catalog_invalid:elsewhere",
            |c| {
                let theirs = c.codex_home().join("my-models.json");
                fs::write(&theirs, "not json\n").unwrap();
                c.config_replace(
                    "model_catalog_json = \"modelgates-models.json\"",
                    &format!("model_catalog_json = \"{}\"", theirs.display()),
                );
            },
            edit("model_catalog_json", |c, file, line| {
                delete_line(file, line);
                c.shell_ok("mg-codex models --sync")
            }),
        ),
        case(
            "catalog_lacks_model",
            |c| {
                let path = c.codex_home().join("modelgates-models.json");
                let mut v: Value =
                    serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
                v["models"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|m| m["slug"] != MODEL);
                fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
            },
            Run,
        ),
        case(
            "catalog_stale",
            |c| {
                // mg-codex's catalogue, written with another release's own models.
                let path = c.codex_home().join("modelgates-models.json");
                let mut v: Value =
                    serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
                v["mg_codex"]["codex_version"] = json!("codex-cli 0.147.0");
                fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
            },
            Run,
        )
        .codex(CodexUse::Must),
        case(
            "auth_command_missing",
            |c| {
                c.store_key(KEY);
                c.config_replace(
                    "env_key = \"MODELGATES_API_KEY\"",
                    "auth = { command = \"/nonexistent/bin/mg-codex\", args = [\"key\", \"print\"] }",
                );
            },
            Run,
        ),
        case(
            "auth_command_fails",
            |c| {
                // mg-codex's own command with no key stored: `key print` exits 1.
                let exe = c.shared.shim.join("mg-codex");
                c.config_replace(
                    "env_key = \"MODELGATES_API_KEY\"",
                    &format!(
                        "auth = {{ command = \"{}\", args = [\"key\", \"print\"] }}",
                        exe.display()
                    ),
                );
            },
            Act::Terminal,
        )
        .online(),
        case(
            "auth_command_no_key",
            |c| {
                c.store_key(KEY);
                c.config_replace(
                    "env_key = \"MODELGATES_API_KEY\"",
                    "auth = { command = \"true\" }",
                );
            },
            edit("auth", |c, _, _| {
                c.shell_ok("mg-codex init --yes --key-source command")
            }),
        ),
        case(
            "auth_command_fetches_models",
            |c| {
                c.store_key(KEY);
                let exe = c.shared.shim.join("mg-codex");
                c.config_replace(
                    "env_key = \"MODELGATES_API_KEY\"",
                    &format!(
                        "auth = {{ command = \"{}\", args = [\"key\", \"print\"] }}",
                        exe.display()
                    ),
                );
                c.config_replace("model_catalog_json = \"modelgates-models.json\"\n", "");
                fs::remove_file(c.codex_home().join("modelgates-models.json")).unwrap();
            },
            Run,
        ),
    ]
}

// ----- running a case -------------------------------------------------------------------------

enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// Carries out `fix` as `act` says.
fn carry_out(c: &mut Case, act: &Act, fix: &Value) -> Result<(), String> {
    let kind = fix["kind"].as_str().unwrap_or("");
    let text = fix["text"].as_str().unwrap_or("");
    let expect = |want: &str| {
        if kind == want {
            Ok(())
        } else {
            Err(format!(
                "the case expects a `{want}` fix, doctor gave a `{kind}` fix: {fix}"
            ))
        }
    };
    match act {
        Act::Run | Act::RunAfter(..) => {
            expect("command")?;
            if let Act::RunAfter(what, before) = act {
                if !text.contains(what) {
                    return Err(format!("the fix's text does not say `{what}`: {text}"));
                }
                before(c)?;
            }
            let command = fix["command"].as_str().unwrap_or("");
            c.shell_ok(command)
        }
        Act::Edit { at, apply } => {
            expect("edit")?;
            let file = PathBuf::from(fix["file"].as_str().unwrap_or(""));
            let Some(line) = fix["line"].as_u64().map(|l| l as usize) else {
                return Err(format!("the edit names no line: {fix}"));
            };
            let content = fs::read_to_string(&file)
                .map_err(|e| format!("the edit names `{}`: {e}", file.display()))?;
            let got = content.lines().nth(line.wrapping_sub(1)).unwrap_or("");
            if !got.contains(at) {
                return Err(format!(
                    "the edit points at `{}:{line}`, which is `{got}`, not the line with `{at}`",
                    file.display()
                ));
            }
            apply(c, &file, line)?;
            c.log.push(format!(
                "edited `{}` as the fix says (line {line}: `{got}`); it now reads:\n{}",
                file.display(),
                fs::read_to_string(&file).unwrap_or_default()
            ));
            Ok(())
        }
        Act::Do { mentions, perform } => {
            expect("instruction")?;
            if let Some(missing) = mentions.iter().find(|m| !text.contains(**m)) {
                return Err(format!(
                    "the instruction does not mention `{missing}`: {text}"
                ));
            }
            perform(c)
        }
        Act::Terminal => {
            expect("command")?;
            let command = fix["command"].as_str().unwrap_or("");
            c.terminal_ok(command)
        }
        Act::InstallCodex => {
            expect("command")?;
            let command = fix["command"].as_str().unwrap_or("");
            if !command.contains("npm install") {
                return Err(format!("expected the npm install, got `{command}`"));
            }
            // Not run (it would install globally): what it does is put Codex on PATH.
            c.codex = c.shared.codex.clone();
            c.log
                .push("simulated the install: the pinned Codex is on PATH now".into());
            Ok(())
        }
    }
}

fn run_case(spec: &Spec, shared: &Shared) -> Outcome {
    let codex = match spec.codex {
        CodexUse::IfAny => shared.codex.clone(),
        CodexUse::Must => match &shared.codex {
            Some(c) => Some(c.clone()),
            None => return Outcome::Skipped("needs the real Codex (MG_CODEX_TEST_CODEX)".into()),
        },
        CodexUse::Below(v) => match shared.release_below(v) {
            Some(c) => Some(c),
            None => {
                return Outcome::Skipped(format!(
                    "needs a Codex older than {}.{}.{} (in MG_CODEX_TEST_CODEX_RELEASES)",
                    v.0, v.1, v.2
                ))
            }
        },
    };
    let mut c = Case::new(shared, spec.online, codex);
    (spec.setup)(&mut c);
    let code = spec.code();
    let before = match c.report() {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    let Some(finding) = before.finding(code).cloned() else {
        return Outcome::Failed(format!(
            "doctor does not report `{code}` for this state:\n{}",
            before.summary()
        ));
    };
    let fix = finding["fix"].clone();
    let context = |c: &Case, problem: String| {
        let human = c.doctor(false);
        format!(
            "{problem}\nthe finding: {}\n  fix: {fix}\nbefore:\n{}\nwhat the case did:\n{}\ndoctor now:\n{}{}",
            finding["message"].as_str().unwrap_or(""),
            before.summary(),
            c.log.join("\n"),
            human.stdout,
            human.stderr
        )
    };
    if fix.is_null() {
        return Outcome::Failed(context(&c, "the finding has no fix".into()));
    }
    if let Err(e) = carry_out(&mut c, &spec.act, &fix) {
        return Outcome::Failed(context(
            &c,
            format!("the fix could not be carried out: {e}"),
        ));
    }
    let after = match c.report() {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(context(&c, e)),
    };
    let mut problems = Vec::new();
    if after.finding(code).is_some() {
        problems.push(format!("`{code}` is still reported after the fix"));
    }
    let was = before.problems();
    let skipped = before.skipped();
    for ((check, new), severity) in after.problems() {
        let old = was.get(&(check.clone(), new.clone())).copied().unwrap_or(0);
        let announced = spec.announced.contains(&new.as_str())
            && finding["message"]
                .as_str()
                .is_some_and(|m| m.contains("--skip-git-repo-check"));
        if severity > old && !skipped.contains(&check) && !announced {
            problems.push(format!(
                "`{new}` in {check} is {} after the fix",
                if old == 0 { "new" } else { "worse" }
            ));
        }
    }
    if problems.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(context(
            &c,
            format!("{}\nafter:\n{}", problems.join("; "), after.summary()),
        ))
    }
}

/// The codes doctor can produce, read from the source: the rank table, and every literal code
/// passed to `Finding::fail` / `Finding::warning`.
fn source_codes() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let quoted = |text: &str| -> Vec<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut codes = BTreeSet::new();
    let model = fs::read_to_string(src.join("doctor/mod.rs")).unwrap();
    let table = model
        .split("pub fn rank(")
        .nth(1)
        .and_then(|t| t.split("_ if code.ends_with").next())
        .expect("the rank table in src/doctor/mod.rs");
    codes.extend(quoted(table));
    // Every file under doctor/checks (one file per check, some in folders of their own) and
    // under commands/doctor (which adds findings of its own).
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![src.join("doctor/checks"), src.join("commands/doctor")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for call in ["Finding::fail(", "Finding::warning("] {
            for after in text.split(call).skip(1) {
                if let Some(rest) = after.trim_start().strip_prefix('"') {
                    if let Some(end) = rest.find('"') {
                        codes.insert(rest[..end].to_string());
                    }
                }
            }
        }
    }
    codes
}

/// The base set-up is healthy: doctor finds no problem in it (with Codex missing the one
/// warning, and the catalogue codes being added elsewhere aside).
fn check_healthy(shared: &Shared) -> Result<(), String> {
    let c = Case::new(shared, true, shared.codex.clone());
    let report = c.report()?;
    let unexpected: Vec<String> = report
        .problems()
        .into_keys()
        .filter(|(_, code)| {
            let elsewhere = code.starts_with("catalog_") || code.starts_with("auth_command_");
            let no_codex = code == "codex_missing" && shared.codex.is_none();
            !(elsewhere || no_codex)
        })
        .map(|(check, code)| format!("{check}:{code}"))
        .collect();
    if unexpected.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the base set-up is not healthy ({}):\n{}\n{}",
            unexpected.join(", "),
            report.summary(),
            c.doctor(false).stdout
        ))
    }
}

#[test]
fn every_fix_doctor_prints_removes_its_finding_and_breaks_nothing() {
    let started = Instant::now();
    let shared = Shared::new();
    let specs = specs();

    // Every code doctor can produce has a case (or a reason why not); names are unique.
    let names: BTreeSet<&str> = specs.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), specs.len(), "two cases share a name");
    let covered: BTreeSet<&str> = specs.iter().map(Spec::code).collect();
    let uncovered: Vec<String> = source_codes()
        .into_iter()
        .filter(|c| !covered.contains(c.as_str()) && !NOT_COVERED.iter().any(|(n, _)| n == c))
        .collect();
    assert!(
        uncovered.is_empty(),
        "codes doctor can produce without a case here: {uncovered:?}"
    );
    for (name, _) in BROKEN {
        assert!(
            names.contains(name),
            "BROKEN names `{name}`, which is no case"
        );
    }

    if let Err(e) = check_healthy(&shared) {
        panic!("{e}");
    }
    let outcomes = par_map(&specs, 3, |spec| {
        std::panic::catch_unwind(AssertUnwindSafe(|| run_case(spec, &shared))).unwrap_or_else(
            |panic| {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Outcome::Failed(format!("the case panicked: {why}"))
            },
        )
    });

    let mut failures = Vec::new();
    let mut broken = Vec::new();
    let mut passed = 0;
    for (spec, outcome) in specs.iter().zip(&outcomes) {
        let known = BROKEN
            .iter()
            .find(|(n, _)| *n == spec.name)
            .map(|(_, why)| *why);
        match (outcome, known) {
            (Outcome::Skipped(why), None) => eprintln!("skipped {}: {why}", spec.name),
            (Outcome::Skipped(why), Some(broken)) => {
                eprintln!("skipped {} ({why}); listed in BROKEN: {broken}", spec.name)
            }
            (Outcome::Passed, None) => passed += 1,
            (Outcome::Passed, Some(_)) => failures.push(format!(
                "{}: listed in BROKEN, but its fix works now: take it off the list",
                spec.name
            )),
            (Outcome::Failed(details), None) => failures.push(format!("{}: {details}", spec.name)),
            (Outcome::Failed(details), Some(why)) => {
                broken.push(format!("BROKEN {}: {why}\n{details}", spec.name))
            }
        }
    }
    eprintln!(
        "fixes: {passed} of {} cases pass, {} broken, in {:.1} s",
        specs.len(),
        broken.len(),
        started.elapsed().as_secs_f64()
    );
    for b in &broken {
        eprintln!("\n{b}");
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n-----\n\n")
    );
    assert!(
        BROKEN.is_empty(),
        "{} fix(es) doctor prints do not work (listed above with the doctor output): {:?}",
        BROKEN.len(),
        BROKEN.iter().map(|(n, _)| *n).collect::<Vec<_>>()
    );
}
