//! The set-up on every Codex release CI installs (`MG_CODEX_TEST_CODEX_RELEASES`, and the
//! pinned `MG_CODEX_TEST_CODEX`), each against a gateway of its own on 127.0.0.1 (wiremock),
//! the releases at once (threads). For each release, after a real `mg-codex init`:
//!
//! - **starts**: `codex features list` loads the config with the generated catalogue;
//! - **lists ids**: `codex debug models` lists our ids;
//! - with `--key-source command` and `MODELGATES_API_KEY` absent from the environment
//!   entirely, `codex exec` prints the gateway's answer, and the request carries
//!   `Authorization: Bearer <the stored key>` (**command auth**), the configured model and
//!   `reasoning.effort` (**effort on wire**), the catalogue's prompt (**prompt on wire**: the
//!   positive proof that our entry was used, which counts on 0.137–0.139, where Codex prints no
//!   fallback warning at all), no "Model metadata … not found" warning (**no fallback
//!   warning**), and no `GET /models` is made (**no GET /models**);
//! - switched in place to `--key-source env`, the same request with the key from the
//!   environment;
//! - the catalogue the newest release wrote (with its own entries, patched) loads on every
//!   release (**newest catalogue loads**), which is what a user who downgrades Codex gets.
//!
//! The table of what each release did is printed (`--nocapture` shows it when all pass).

use std::path::{Path, PathBuf};
use std::time::Duration;

use mg_codex::catalog::{self, CodexVersion};
use serde_json::Value;
use wiremock::MockServer;

use crate::support::{
    codex_releases, par_map, run_with, run_with_timeout, Output, Stdin, TestContext,
};

const KEY: &str = "sk-mg-v1-releasetestkey0123456789abcd";
const MODEL: &str = "openai/gpt-5.3-codex";
const EFFORT: &str = "xhigh";
const ANSWER: &str = "hi from the mock";
/// The models of `fixtures/api/models.json` with tool support.
const OUR_IDS: [&str; 4] = [
    "openai/gpt-5.3-codex",
    "anthropic/claude-sonnet-4.5",
    "openai/gpt-5.2-codex",
    "openai/gpt-5.3-codex:free",
];
const CODEX_TIMEOUT: Duration = Duration::from_secs(90);
const MG_TIMEOUT: Duration = Duration::from_secs(120);
/// Releases checked at once.
const THREADS: usize = 4;

/// What one release did; `None`: not reached (an earlier step failed).
#[derive(Default)]
struct Row {
    codex: PathBuf,
    version: String,
    starts: Option<bool>,
    lists_ids: Option<bool>,
    effort_on_wire: Option<bool>,
    no_fallback_warning: Option<bool>,
    prompt_on_wire: Option<bool>,
    command_auth: Option<bool>,
    no_models_get: Option<bool>,
    env_auth: Option<bool>,
    newest_catalogue_loads: Option<bool>,
    /// Entries in the catalogue `init` wrote (ours and the release's own).
    entries: usize,
    catalogue: Option<PathBuf>,
    problems: Vec<String>,
    /// The temporary HOME, kept until the newest catalogue was read from it.
    home: Option<TestContext>,
}

impl Row {
    /// Records a check: its outcome, and a problem (with `detail`) when it failed.
    fn check(&mut self, ok: bool, what: &str, detail: impl FnOnce() -> String) -> Option<bool> {
        if !ok {
            self.problems.push(format!("{what}: {}", detail()));
        }
        Some(ok)
    }
}

fn show(out: &Output) -> String {
    format!(
        "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.code, out.stdout, out.stderr
    )
}

/// `mg-codex init` for `codex` (the only `codex` on PATH) with this key source.
fn init(ctx: &TestContext, codex: &Path, server: &MockServer, source: &str) -> Output {
    let path = format!("{}:/usr/bin:/bin", codex.parent().unwrap().display());
    let key = format!("{KEY}\n");
    run_with(
        ctx.cmd()
            .env("PATH", path)
            .args(["init", "--yes", "--api-key-stdin", "--base-url"])
            .arg(format!("{}/api/v1", server.uri()))
            .args(["--model", MODEL, "--reasoning-effort", EFFORT])
            .args(["--shell", "none", "--key-source", source]),
        Stdin::Bytes(key.as_bytes()),
        MG_TIMEOUT,
    )
}

/// The release in a clean environment: HOME, `CODEX_HOME`, PATH without node; the key in
/// the environment only when asked.
fn codex(
    ctx: &TestContext,
    codex: &Path,
    args: &[&str],
    key_in_env: bool,
    name: &str,
) -> Result<Output, String> {
    let mut cmd = std::process::Command::new(codex);
    cmd.env_clear()
        .env("HOME", ctx.home())
        .env("PATH", "/usr/bin:/bin")
        .env("CODEX_HOME", ctx.codex_home())
        .env("LANG", "C.UTF-8")
        .current_dir(ctx.work_dir("project"))
        .args(args);
    if key_in_env {
        cmd.env("MODELGATES_API_KEY", KEY);
    }
    run_with_timeout(&mut cmd, CODEX_TIMEOUT, ctx.root.path(), name)
}

/// The requests `server` got after the first `from`.
fn requests_since(
    handle: &tokio::runtime::Handle,
    server: &MockServer,
    from: usize,
) -> Vec<wiremock::Request> {
    let all = handle
        .block_on(server.received_requests())
        .unwrap_or_default();
    all.into_iter().skip(from).collect()
}

fn request_count(handle: &tokio::runtime::Handle, server: &MockServer) -> usize {
    requests_since(handle, server, 0).len()
}

/// What one `codex exec` sent and said.
struct Exec {
    out: Output,
    posts: Vec<wiremock::Request>,
    model_gets: usize,
}

fn exec(
    ctx: &TestContext,
    codex_bin: &Path,
    server: &MockServer,
    handle: &tokio::runtime::Handle,
    key_in_env: bool,
    name: &str,
) -> Result<Exec, String> {
    let before = request_count(handle, server);
    let out = codex(
        ctx,
        codex_bin,
        &["exec", "--skip-git-repo-check", "say hi"],
        key_in_env,
        name,
    )?;
    let new = requests_since(handle, server, before);
    Ok(Exec {
        model_gets: new
            .iter()
            .filter(|r| r.method.as_str() == "GET" && r.url.path() == "/api/v1/models")
            .count(),
        posts: new
            .into_iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/api/v1/responses")
            .collect(),
        out,
    })
}

fn bearer(r: &wiremock::Request) -> Option<String> {
    r.headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn body(r: &wiremock::Request) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

/// Whether the catalogue's prompt is the request's instructions (up to 0.161) or a developer
/// message (0.162 and later).
fn carries_prompt(body: &Value) -> bool {
    let want = &catalog::BASE_INSTRUCTIONS[..300];
    let mut texts = vec![body["instructions"].as_str().unwrap_or("").to_string()];
    for item in body["input"].as_array().into_iter().flatten() {
        if matches!(item["role"].as_str(), Some("developer" | "system")) {
            for c in item["content"].as_array().into_iter().flatten() {
                texts.push(c["text"].as_str().unwrap_or("").to_string());
            }
        }
    }
    texts.iter().any(|t| t.contains(want))
}

fn fallback_warned(out: &Output) -> bool {
    let warning = format!("Model metadata for `{MODEL}` not found");
    out.stdout.contains(&warning) || out.stderr.contains(&warning)
}

fn check_release(codex_bin: &Path, server: &MockServer, handle: &tokio::runtime::Handle) -> Row {
    let mut row = Row {
        codex: codex_bin.to_path_buf(),
        ..Row::default()
    };
    row.version = mg_codex::codex_cli::version(codex_bin).unwrap_or_else(|| "?".into());
    let ctx = TestContext::new();

    // 1. init, command auth: the catalogue carries this release's own entries.
    let out = init(&ctx, codex_bin, server, "command");
    if out.code != 0 || !out.stderr.contains("loads the new config") {
        row.problems
            .push(format!("init --key-source command: {}", show(&out)));
        return row;
    }
    let file = ctx.codex_home().join("modelgates-models.json");
    match std::fs::read_to_string(&file)
        .map_err(|e| e.to_string())
        .and_then(|t| catalog::inspect(&t).map_err(|e| e.to_string()))
    {
        Ok(info) => {
            row.entries = info.entries.len();
            row.catalogue = Some(file.clone());
        }
        Err(e) => row.problems.push(format!("the catalogue: {e}")),
    }

    // 2. starts, 3. lists ids.
    match codex(&ctx, codex_bin, &["features", "list"], false, "features") {
        Ok(out) => {
            row.starts = row.check(out.code == 0, "codex features list", || show(&out));
        }
        Err(e) => row.problems.push(e),
    }
    match codex(&ctx, codex_bin, &["debug", "models"], false, "debug") {
        Ok(out) => {
            let slugs: Vec<String> = serde_json::from_str::<Value>(&out.stdout)
                .ok()
                .and_then(|d| d["models"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|m| m["slug"].as_str().map(str::to_string))
                .collect();
            let ok = out.code == 0 && OUR_IDS.iter().all(|id| slugs.iter().any(|s| s == id));
            row.lists_ids = row.check(ok, "codex debug models", || {
                format!("listed {slugs:?}\n{}", show(&out))
            });
        }
        Err(e) => row.problems.push(e),
    }

    // 4. exec with command auth, no key in the environment.
    match exec(&ctx, codex_bin, server, handle, false, "exec-command") {
        Ok(e) => {
            let answered = e.out.code == 0 && e.out.stdout.contains(ANSWER);
            let first = e.posts.first().map(body).unwrap_or(Value::Null);
            let bearers: Vec<Option<String>> = e.posts.iter().map(bearer).collect();
            let want = format!("Bearer {KEY}");
            row.command_auth = row.check(
                answered
                    && !bearers.is_empty()
                    && bearers.iter().all(|b| b.as_deref() == Some(&want)),
                "command auth",
                || format!("bearers {bearers:?}\n{}", show(&e.out)),
            );
            row.effort_on_wire = row.check(
                first["model"] == MODEL && first["reasoning"]["effort"] == EFFORT,
                "model and effort on the wire",
                || format!("model {} reasoning {}", first["model"], first["reasoning"]),
            );
            row.prompt_on_wire = row.check(
                carries_prompt(&first),
                "the catalogue's prompt on the wire",
                || "neither `instructions` nor a developer message holds it".into(),
            );
            row.no_fallback_warning = row.check(
                !fallback_warned(&e.out),
                "no fallback-metadata warning",
                || show(&e.out),
            );
            row.no_models_get = row.check(e.model_gets == 0, "no GET /models", || {
                format!("{} GET /api/v1/models", e.model_gets)
            });
        }
        Err(e) => row.problems.push(e),
    }

    // 5. switched to env in place: the key from the environment.
    let out = init(&ctx, codex_bin, server, "env");
    if out.code != 0 {
        row.problems
            .push(format!("init --key-source env: {}", show(&out)));
        return row;
    }
    match exec(&ctx, codex_bin, server, handle, true, "exec-env") {
        Ok(e) => {
            let first = e.posts.first().map(body).unwrap_or(Value::Null);
            let ok = e.out.code == 0
                && e.out.stdout.contains(ANSWER)
                && e.posts.first().and_then(bearer) == Some(format!("Bearer {KEY}"))
                && first["reasoning"]["effort"] == EFFORT
                && !fallback_warned(&e.out);
            row.env_auth = row.check(ok, "env auth", || {
                format!("reasoning {}\n{}", first["reasoning"], show(&e.out))
            });
        }
        Err(e) => row.problems.push(e),
    }
    // Kept: the newest catalogue is read from it afterwards.
    row.home = Some(ctx);
    row
}

fn mark(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "-",
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_codex_release_knows_our_models_sends_the_effort_and_gets_the_key() {
    let releases = codex_releases();
    if releases.is_empty() {
        eprintln!("skipping the Codex release matrix: no Codex to test (see above)");
        return;
    }
    let mut servers = Vec::new();
    for _ in &releases {
        servers.push(crate::support::codex_exec_gateway().await);
    }
    let handle = tokio::runtime::Handle::current();
    let work: Vec<(&PathBuf, &MockServer)> = releases.iter().zip(&servers).collect();
    let mut rows = tokio::task::block_in_place(|| {
        par_map(&work, THREADS, |(codex, server)| {
            check_release(codex, server, &handle)
        })
    });

    // The newest release's catalogue (its own entries patched) on every release.
    let newest = rows
        .iter()
        .filter(|r| r.catalogue.is_some())
        .max_by_key(|r| CodexVersion::parse(&r.version))
        .and_then(|r| r.catalogue.clone())
        .and_then(|p| std::fs::read_to_string(p).ok());
    if let Some(text) = newest {
        for row in &mut rows {
            let listed = mg_codex::codex_cli::check_catalog(&row.codex, &text);
            let ok = listed
                .as_ref()
                .is_ok_and(|l| OUR_IDS.iter().all(|id| l.iter().any(|s| s == id)));
            row.newest_catalogue_loads = row.check(ok, "the newest release's catalogue", || {
                format!("{listed:?}")
            });
        }
    }
    for row in &mut rows {
        row.home = None;
    }

    rows.sort_by_key(|r| CodexVersion::parse(&r.version));
    let mut table = String::from(
        "| release | starts | lists ids | effort on wire | no fallback warning | prompt on wire | command auth | no GET /models | env auth | newest catalogue loads | entries |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.version,
            mark(r.starts),
            mark(r.lists_ids),
            mark(r.effort_on_wire),
            mark(r.no_fallback_warning),
            mark(r.prompt_on_wire),
            mark(r.command_auth),
            mark(r.no_models_get),
            mark(r.env_auth),
            mark(r.newest_catalogue_loads),
            r.entries
        ));
    }
    eprintln!("{table}");
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| !r.problems.is_empty())
        .map(|r| {
            format!(
                "{} ({}):\n  {}",
                r.version,
                r.codex.display(),
                r.problems.join("\n  ")
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{table}\n{} release(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
