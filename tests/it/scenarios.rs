//! Doctor against real failure reports: `fixtures/doctor/scenarios/NN-slug/`, one directory per
//! public report (its `source.md` names it), rebuilt for ModelGates as a home directory and a
//! `scenario.toml` saying how to run doctor and what it must find: the check, its status, the
//! cause (the check's first finding), whether that cause is the report's root cause, and other
//! findings that must be there too (`also`).
//!
//! Each scenario runs the real binary in a temporary HOME, against a local gateway on 127.0.0.1
//! (healthy unless `[gateway]` says otherwise), with the real Codex on PATH (unless
//! `codex = false`). Scenarios whose rule holds only for some Codex releases (`codex_from`,
//! `codex_below`) run with every release of `MG_CODEX_TEST_CODEX_RELEASES` that matches, and
//! are skipped when none does.
//!
//! File contents and `[setup.env]` values may hold placeholders: `{{BASE_URL}}` (the gateway's
//! API root), `{{ORIGIN}}` (its origin), `{{HOSTPORT}}` (`127.0.0.1:PORT`), `{{KEY}}` (a
//! ModelGates key the gateway accepts) and `{{HOME}}` (the scenario's home).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{
    api_fixture, api_response, codex_bin, dir_on_path, fixtures_dir, par_map, run_with, Output,
    Stdin,
};

pub const KEY: &str = "sk-mg-v1-scenariokey0123456789abcdef";

/// One `scenario.toml`.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    name: String,
    dir: PathBuf,
    cwd: Option<String>,
    git: Vec<String>,
    shell: Option<String>,
    args: Vec<String>,
    codex: bool,
    codex_from: Option<String>,
    codex_below: Option<String>,
    env: BTreeMap<String, String>,
    gateway_key: Option<String>,
    gateway_models: Option<String>,
    gateway_down: bool,
    check: String,
    status: String,
    cause: String,
    root: bool,
    also: Vec<String>,
}

fn strings(item: Option<&toml_edit::Item>) -> Vec<String> {
    item.and_then(|i| i.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn read_scenario(dir: &Path) -> Scenario {
    let text = fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let doc: toml_edit::DocumentMut = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let get = |table: &str, key: &str| doc.get(table).and_then(|t| t.get(key)).cloned();
    let setup = doc.get("setup");
    let str_of = |item: Option<toml_edit::Item>| item.and_then(|i| i.as_str().map(str::to_string));
    let mut env = BTreeMap::new();
    if let Some(t) = setup
        .and_then(|s| s.get("env"))
        .and_then(|e| e.as_table_like())
    {
        for (k, v) in t.iter() {
            env.insert(k.to_string(), v.as_str().unwrap_or_default().to_string());
        }
    }
    Scenario {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        dir: dir.to_path_buf(),
        cwd: str_of(get("setup", "cwd")),
        git: strings(setup.and_then(|s| s.get("git"))),
        shell: str_of(get("setup", "shell")),
        args: strings(setup.and_then(|s| s.get("args"))),
        codex: get("setup", "codex")
            .and_then(|i| i.as_bool())
            .unwrap_or(true),
        codex_from: str_of(get("setup", "codex_from")),
        codex_below: str_of(get("setup", "codex_below")),
        env,
        gateway_key: str_of(get("gateway", "key")),
        gateway_models: str_of(get("gateway", "models")),
        gateway_down: get("gateway", "down")
            .and_then(|i| i.as_bool())
            .unwrap_or(false),
        check: str_of(get("expect", "check")).expect("expect.check"),
        status: str_of(get("expect", "status")).expect("expect.status"),
        cause: str_of(get("expect", "cause")).expect("expect.cause"),
        root: get("expect", "root")
            .and_then(|i| i.as_bool())
            .unwrap_or(false),
        also: strings(doc.get("expect").and_then(|e| e.get("also"))),
    }
}

fn scenarios() -> Vec<Scenario> {
    let root = fixtures_dir().join("doctor/scenarios");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario.toml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| read_scenario(d)).collect()
}

/// The gateway's `/model/{id}`: the catalogue's entry, altered as the scenario says, or 404.
struct ModelLookup {
    catalogue: Vec<Value>,
}

impl Respond for ModelLookup {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().trim_start_matches("/api/v1/model/");
        match self.catalogue.iter().find(|m| m["id"] == id) {
            Some(model) => {
                ResponseTemplate::new(200).set_body_json(serde_json::json!({ "data": model }))
            }
            None => api_response(404, "error_404_model.json"),
        }
    }
}

/// The catalogue the gateway serves: `fixtures/api/models.json`, plus the ids scenarios use,
/// with `supported_parameters` cut down for `no_tools` / `no_reasoning`.
fn catalogue(models: Option<&str>) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&api_fixture("models.json")).unwrap();
    let mut list = doc["data"].as_array().unwrap().clone();
    let base = list[0].clone();
    let mut kimi = base.clone();
    kimi["id"] = Value::from("moonshotai/kimi-k2.5");
    list.push(kimi);
    let drop = match models {
        Some("no_tools") => Some("tools"),
        Some("no_reasoning") => Some("reasoning"),
        _ => None,
    };
    if let Some(param) = drop {
        for m in &mut list {
            if let Some(params) = m["supported_parameters"].as_array_mut() {
                params.retain(|p| p != param && !(param == "tools" && p == "tool_choice"));
            }
        }
    }
    list
}

async fn gateway(s: &Scenario) -> MockServer {
    let server = MockServer::start().await;
    let key = match s.gateway_key.as_deref() {
        None => api_response(200, "key_valid.json"),
        Some("rejected") => api_response(401, "error_401.json"),
        Some("out_of_credits") => api_response(402, "error_402.json"),
        Some("no_credit") => {
            let mut v: Value = serde_json::from_str(&api_fixture("key_valid.json")).unwrap();
            v["data"]["limit_remaining"] = Value::from(0.0);
            v["data"]["usage"] = Value::from(25.0);
            ResponseTemplate::new(200).set_body_json(v)
        }
        Some("rate_limited") => api_response(429, "error_429.json"),
        Some("server_error") => api_response(500, "error_500.json"),
        Some(other) => panic!("{}: unknown gateway.key `{other}`", s.name),
    };
    let list = catalogue(s.gateway_models.as_deref());
    Mock::given(method("GET"))
        .and(path("/api/v1/key"))
        .respond_with(key)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "data": list })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/model/"))
        .respond_with(ModelLookup { catalogue: list })
        .mount(&server)
        .await;
    server
}

/// Copies `from` into `to` (symlinks as symlinks), filling in the placeholders of every file.
fn copy_tree(from: &Path, to: &Path, fill: &dyn Fn(&str) -> String) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target, fill);
        } else {
            let bytes = fs::read(entry.path()).unwrap();
            match String::from_utf8(bytes) {
                Ok(text) => fs::write(&target, fill(&text)).unwrap(),
                Err(e) => fs::write(&target, e.into_bytes()).unwrap(),
            }
        }
    }
}

/// What one run of a scenario found wrong (empty: all as expected).
struct Verdict {
    problems: Vec<String>,
    summary: String,
}

/// A scenario's home, built in a temporary directory, its gateway, and how doctor runs there.
pub struct Materialized {
    pub root: tempfile::TempDir,
    pub home: PathBuf,
    pub cwd: PathBuf,
    /// Everything doctor's environment holds.
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
    /// Kept alive for the run.
    _server: MockServer,
}

impl Materialized {
    /// `mg-codex doctor ARGS` there.
    pub fn doctor(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(crate::support::bin());
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.cwd);
        cmd.arg("doctor")
            .args(&self.args)
            .args(args)
            .args(["--timeout", "5"]);
        run_with(&mut cmd, Stdin::Null, std::time::Duration::from_secs(90))
    }
}

/// The scenario named `name` (its directory's name).
pub fn scenario(name: &str) -> Scenario {
    read_scenario(&fixtures_dir().join("doctor/scenarios").join(name))
}

/// Builds the scenario's home and gateway (on `runtime`), with `codex` on PATH unless the
/// scenario has none.
pub fn materialize(
    s: &Scenario,
    codex: Option<&Path>,
    runtime: &tokio::runtime::Runtime,
) -> Materialized {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let server = runtime.block_on(gateway(s));
    let origin = server.uri();
    let mut base_url = format!("{origin}/api/v1");
    let hostport = origin.trim_start_matches("http://").to_string();
    if s.gateway_down {
        // A port nothing listens on: bind one, note it, let it go.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        base_url = format!("http://127.0.0.1:{port}/api/v1");
    }
    let home_text = home.display().to_string();
    let fill = |text: &str| {
        text.replace("{{BASE_URL}}", &base_url)
            .replace("{{ORIGIN}}", &origin)
            .replace("{{HOSTPORT}}", &hostport)
            .replace("{{KEY}}", KEY)
            .replace("{{HOME}}", &home_text)
    };
    copy_tree(&s.dir.join("home"), &home, &fill);
    // Git keeps no modes: the key files are private, as mg-codex writes them.
    let private = home.join(".config/mg-codex");
    if private.is_dir() {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
        for f in fs::read_dir(&private).unwrap() {
            let f = f.unwrap().path();
            fs::set_permissions(&f, fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    for repo in &s.git {
        fs::create_dir_all(home.join(repo).join(".git")).unwrap();
    }
    let cwd = match &s.cwd {
        Some(c) => home.join(c),
        None => home.clone(),
    };
    fs::create_dir_all(&cwd).unwrap();
    let system = root.path().join("etc-codex");
    fs::create_dir_all(&system).unwrap();
    let mut path: Vec<PathBuf> = Vec::new();
    if let (true, Some(codex)) = (s.codex, codex) {
        path.push(codex.parent().unwrap().to_path_buf());
        path.extend(dir_on_path("node"));
    }
    path.extend(["/usr/bin", "/bin"].map(PathBuf::from));
    let show = |p: &Path| p.display().to_string();
    let mut env: Vec<(String, String)> = vec![
        ("HOME".into(), show(&home)),
        (
            "PATH".into(),
            std::env::join_paths(&path)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        ),
        ("NO_COLOR".into(), "1".into()),
        ("LANG".into(), "C.UTF-8".into()),
        ("MG_CODEX_SYSTEM_CONFIG_DIR".into(), show(&system)),
        // No login shell unless the scenario names one: shells are "in use" by their files.
        (
            "SHELL".into(),
            s.shell
                .clone()
                .unwrap_or_else(|| "/usr/sbin/nologin".into()),
        ),
    ];
    for (k, v) in &s.env {
        env.push((k.clone(), fill(v)));
    }
    Materialized {
        root,
        home,
        cwd,
        env,
        args: s.args.clone(),
        _server: server,
    }
}

fn run_scenario(s: &Scenario, codex: Option<&Path>, runtime: &tokio::runtime::Runtime) -> Verdict {
    let m = materialize(s, codex, runtime);
    let run = |json: bool| m.doctor(if json { &["--json"] } else { &[] });
    let out = run(true);
    let mut problems = Vec::new();
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if text.contains(KEY.trim_start_matches("sk-mg-v1-")) {
            problems.push(format!("the key is in {name}"));
        }
    }
    let report: Value = match serde_json::from_str(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("not JSON ({e}): {}{}", out.stdout, out.stderr));
            return Verdict {
                problems,
                summary: String::new(),
            };
        }
    };
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let find = |id: &str| checks.iter().find(|c| c["id"] == id).cloned();
    let codes = |c: &Value| -> Vec<String> {
        c["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|f| f["code"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let summary = checks
        .iter()
        .filter(|c| c["status"] != "ok" || !codes(c).is_empty())
        .map(|c| format!("{} {} {:?}", c["id"], c["status"], codes(c)))
        .collect::<Vec<_>>()
        .join("; ");
    match find(&s.check) {
        None => problems.push(format!("no check `{}`", s.check)),
        Some(c) => {
            if c["status"] != s.status.as_str() {
                problems.push(format!(
                    "`{}` is {} (expected {})",
                    s.check, c["status"], s.status
                ));
            }
            let first = c["findings"]
                .as_array()
                .and_then(|f| {
                    f.iter()
                        .find(|f| f["severity"] != "ok")
                        .or_else(|| f.iter().find(|f| f["code"] == s.cause.as_str()))
                })
                .and_then(|f| f["code"].as_str())
                .unwrap_or("")
                .to_string();
            if first != s.cause {
                problems.push(format!(
                    "`{}` names `{first}` first (expected `{}`)",
                    s.check, s.cause
                ));
            }
        }
    }
    let root_code = report["root_cause"]["code"].as_str().unwrap_or("");
    if s.root && (root_code != s.cause || report["root_cause"]["check"] != s.check.as_str()) {
        problems.push(format!(
            "the root cause is {}:{root_code} (expected {}:{})",
            report["root_cause"]["check"], s.check, s.cause
        ));
    }
    for also in &s.also {
        let (id, code) = also.split_once(':').expect("also is CHECK:CODE");
        if id.starts_with("codex.cli") && (codex.is_none() || !s.codex) {
            continue;
        }
        if !find(id).is_some_and(|c| codes(&c).iter().any(|x| x == code)) {
            problems.push(format!("no `{code}` in `{id}`"));
        }
    }
    // The human output says the same first: its "Start here" line names the root cause.
    let human = run(false);
    if !root_code.is_empty() && !human.stdout.contains(&format!(", {root_code})")) {
        problems.push(format!(
            "the human output does not start with `{root_code}`:\n{}",
            human.stdout
        ));
    }
    if human.stdout.contains(KEY.trim_start_matches("sk-mg-v1-")) {
        problems.push("the key is in the human output".into());
    }
    Verdict { problems, summary }
}

/// The releases a scenario runs with: the pinned Codex, or for a version-bound scenario every
/// release given that matches.
fn codexes_for(
    s: &Scenario,
    pinned: Option<&PathBuf>,
    releases: &[(PathBuf, (u32, u32, u32))],
) -> Vec<Option<PathBuf>> {
    if s.codex_from.is_none() && s.codex_below.is_none() {
        return vec![pinned.cloned()];
    }
    let from = s.codex_from.as_deref().and_then(crate::support::version);
    let below = s.codex_below.as_deref().and_then(crate::support::version);
    releases
        .iter()
        .filter(|(_, v)| from.is_none_or(|f| *v >= f) && below.is_none_or(|b| *v < b))
        .map(|(p, _)| Some(p.clone()))
        .collect()
}

#[test]
fn doctor_names_the_cause_of_every_real_failure_report() {
    let all = scenarios();
    assert!(all.len() >= 40, "{} scenarios", all.len());
    for s in &all {
        let source = fs::read_to_string(s.dir.join("source.md")).unwrap_or_default();
        assert!(
            source.contains("**Source:** http"),
            "{}: source.md names no public source",
            s.name
        );
    }
    let pinned = codex_bin();
    let mut releases: Vec<(PathBuf, (u32, u32, u32))> = Vec::new();
    if let Some(p) = &pinned {
        if let Some(v) = crate::support::codex_version(p) {
            releases.push((p.clone(), v));
        }
    }
    for p in std::env::var("MG_CODEX_TEST_CODEX_RELEASES")
        .unwrap_or_default()
        .split([':', ' ', '\n'])
        .filter(|p| !p.is_empty())
    {
        let p = PathBuf::from(p);
        if let Some(v) = crate::support::codex_version(&p) {
            releases.push((p, v));
        }
    }
    let jobs: Vec<(Scenario, Option<PathBuf>)> = all
        .iter()
        .flat_map(|s| {
            codexes_for(s, pinned.as_ref(), &releases)
                .into_iter()
                .map(move |c| (s.clone(), c))
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let verdicts = par_map(&jobs, 3, |(s, codex)| {
        (
            s.name.clone(),
            codex.clone(),
            run_scenario(s, codex.as_deref(), &runtime),
        )
    });
    let mut failures = Vec::new();
    for (name, codex, v) in &verdicts {
        if !v.problems.is_empty() {
            let with = codex
                .as_ref()
                .and_then(|c| crate::support::codex_version(c))
                .map(|(a, b, c)| format!(" (codex {a}.{b}.{c})"))
                .unwrap_or_default();
            failures.push(format!(
                "{name}{with}: {}\n    found: {}",
                v.problems.join("; "),
                v.summary
            ));
        }
    }
    let ran: std::collections::BTreeSet<&str> =
        verdicts.iter().map(|(n, _, _)| n.as_str()).collect();
    let skipped: Vec<&str> = all
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| !ran.contains(n))
        .collect();
    if !skipped.is_empty() {
        eprintln!("scenarios skipped (no matching Codex release): {skipped:?}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenario runs went wrong:\n{}",
        failures.len(),
        verdicts.len(),
        failures.join("\n")
    );
}
