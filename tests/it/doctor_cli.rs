//! `mg-codex doctor` end to end: the real binary in a temporary HOME against a real HTTP server
//! on 127.0.0.1 (wiremock) serving `fixtures/api/`, and the real Codex CLI where it matters.

use std::fs;
use std::path::{Path, PathBuf};

use wiremock::{MockServer, ResponseTemplate};

use crate::support::{
    api_json, api_response, assert_contains, assert_no_key, assert_same_tree, codex_bin,
    dir_on_path, mount, ok_body, requests_to, run, serve_all, tree, Output, Terminal, TestContext,
    SLOW,
};

const KEY: &str = "sk-mg-v1-doctortestkey0123456789abcdef";
/// The path of the served model.
const MODEL_PATH: &str = "/api/v1/model/openai/gpt-5.3-codex";

fn config_for(server: &MockServer, model: &str) -> String {
    format!(
        "# my settings\nmodel_provider = \"modelgates\"\nmodel = \"{model}\"\nmodel_reasoning_effort = \"high\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}/api/v1\"\n\
         env_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n",
        server.uri()
    )
}

/// A server answering `/key`, the model and the catalogue from `fixtures/api/`.
async fn healthy_server() -> MockServer {
    serve_all([
        ("GET", "/api/v1/key", api_json("key_valid.json")),
        ("GET", MODEL_PATH, api_json("model_gpt_5_3_codex.json")),
        ("GET", "/api/v1/models", api_json("models.json")),
    ])
    .await
}

/// A context whose work directory is trusted, with a config pointing at `server`.
/// The work directory is a git repository and the config names a catalogue that knows the
/// model, so nothing but what a test sets up is a finding.
fn trusted_context(server: &MockServer, model: &str) -> TestContext {
    let ctx = TestContext::new();
    let work = fs::canonicalize(ctx.work()).unwrap();
    fs::create_dir_all(work.join(".git")).unwrap();
    write_catalogue(&ctx, &[model, "openai/gpt-5.3-codex"]);
    ctx.write_config(&format!(
        "model_catalog_json = \"modelgates-models.json\"\n{}\n[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
        config_for(server, model),
        work.display()
    ));
    ctx
}

/// A catalogue (`model_catalog_json`) that lists `models`, each entry as Codex requires it.
fn write_catalogue(ctx: &TestContext, models: &[&str]) {
    let template: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(crate::support::fixtures_dir().join(
            "doctor/scenarios/53-trusted-dir-not-git-exec-refuses/home/.codex/modelgates-models.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let models: Vec<serde_json::Value> = models
        .iter()
        .map(|m| {
            let mut entry = template["models"][0].clone();
            entry["slug"] = serde_json::json!(m);
            entry
        })
        .collect();
    fs::write(
        ctx.codex_home().join("modelgates-models.json"),
        serde_json::json!({ "models": models }).to_string(),
    )
    .unwrap();
}

/// A `bin` directory holding only `bash` (the one shell doctor will find in use) and `node`
/// (which the npm Codex needs: the first on the test's PATH, wherever it is installed).
fn bin_dir(ctx: &TestContext) -> PathBuf {
    let bin = ctx.root.path().join("bin");
    if !bin.exists() {
        fs::create_dir_all(&bin).unwrap();
        let bash = ["/bin/bash", "/usr/bin/bash"]
            .map(PathBuf::from)
            .into_iter()
            .find(|p| p.exists());
        let node = dir_on_path("node").map(|dir| dir.join("node"));
        for (name, real) in [("bash", bash), ("node", node)] {
            if let Some(real) = real {
                std::os::unix::fs::symlink(real, bin.join(name)).unwrap();
            }
        }
    }
    bin
}

/// Stores the key for bash the way `init` will, through the shell module.
fn install_key_for_bash(ctx: &TestContext, key: &str) {
    let mut env = mg_codex::shell::ShellEnv::new(ctx.home());
    env.path = vec![bin_dir(ctx)];
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

/// Runs doctor with the key in the environment and a PATH with bash only, plus Codex when given.
fn doctor(ctx: &TestContext, args: &[&str], with_codex: Option<&Path>) -> Output {
    let mut cmd = ctx.cmd();
    cmd.arg("doctor").args(args).env("MODELGATES_API_KEY", KEY);
    let bin = bin_dir(ctx);
    let path = match with_codex {
        Some(codex) => format!("{}:{}", bin.display(), codex.parent().unwrap().display()),
        None => bin.display().to_string(),
    };
    // bash is the login shell: the one shell in use.
    cmd.env("PATH", path)
        .env("LANG", "C.UTF-8")
        .env("SHELL", bin.join("bash"));
    run(&mut cmd)
}

fn filtered(ctx: &TestContext, server: &MockServer, text: &str) -> String {
    let root = fs::canonicalize(ctx.root.path()).unwrap();
    text.replace(&root.display().to_string(), "[TEMP]")
        .replace(&ctx.root.path().display().to_string(), "[TEMP]")
        .replace(&server.uri(), "[SERVER]")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_setup_passes_and_the_report_reads_well() {
    let server = healthy_server().await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    install_key_for_bash(&ctx, KEY);
    let out = doctor(&ctx, &[], None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_no_key(&out, KEY);
    let expected = "\
Configuration
  ✓ config.file      `~/.codex/config.toml` parses
  ✓ config.provider  Codex uses ModelGates at `[SERVER]/api/v1`
  ✓ config.model     model `openai/gpt-5.3-codex`, reasoning effort `high`

API key
  ✓ key.present      `MODELGATES_API_KEY` is set (sk-mg-…cdef)

ModelGates API
  ✓ api.key          accepted: sk-mg-…cdef, 24.10 of 25.00 USD left
  ✓ api.model        `openai/gpt-5.3-codex` exists, 400000 tokens of context

Shell profiles
  ✓ shell.profiles   new terminals get the key: bash

Codex CLI
  ! codex.cli        `codex` is not on PATH: Codex is not installed for this shell, so mg-codex cannot ask it whether it loads the config
                     fix: install it with `npm install -g @openai/codex` (or put its directory on PATH), then run `mg-codex doctor` again
  ✓ codex.catalog    `~/.codex/modelgates-models.json` lists 2 models for Codex, `openai/gpt-5.3-codex` among them

Project trust
  ✓ projects.trust   `[TEMP]/work` is trusted for Codex

! Start here: `codex` is not on PATH: Codex is not installed for this shell, so mg-codex cannot ask it whether it loads the config (codex.cli, codex_missing)
1 warning · 9 ok
";
    assert_eq!(filtered(&ctx, &server, &out.stdout), expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_is_the_only_thing_on_stdout_and_has_the_documented_shape() {
    let server = healthy_server().await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    install_key_for_bash(&ctx, KEY);
    let out = doctor(&ctx, &["--json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_no_key(&out, KEY);
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["root_cause"]["code"], "codex_missing");
    assert_eq!(report["mg_codex_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(report["overall"], "warning");
    let checks = report["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "config.file",
            "config.provider",
            "config.model",
            "key.present",
            "api.key",
            "api.model",
            "shell.profiles",
            "codex.cli",
            "codex.catalog",
            "projects.trust"
        ]
    );
    for c in checks {
        for field in [
            "id",
            "category",
            "status",
            "summary",
            "details",
            "remediation",
            "findings",
            "duration_ms",
        ] {
            assert!(c.get(field).is_some(), "{field} missing in {c}");
        }
        assert!(c["details"].is_object());
        // The check's summary and remediation are those of its first problem.
        if let Some(first) = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["severity"] != "ok")
        {
            assert_eq!(c["summary"], first["message"]);
            assert_eq!(c["remediation"], first["fix"]["text"]);
        }
    }
    // Fixes are data: a command to run, as printed.
    let cli = checks.iter().find(|c| c["id"] == "codex.cli").unwrap();
    assert_eq!(cli["findings"][0]["fix"]["kind"], "command");
    assert_eq!(
        cli["findings"][0]["fix"]["command"],
        "npm install -g @openai/codex"
    );
    // No Rust enum layouts, modes as octal strings.
    assert!(!out.stdout.contains("\"Ok\""), "{}", out.stdout);
    let shell = checks.iter().find(|c| c["id"] == "shell.profiles").unwrap();
    for file in shell["details"]["env_files"].as_array().unwrap() {
        assert!(file["mode"].is_null() || file["mode"].is_string(), "{file}");
    }
    let key = checks.iter().find(|c| c["id"] == "api.key").unwrap();
    assert_eq!(key["details"]["limit"], 25.0);
    // One masking style: the server's label is shown as mg-codex masks the key.
    assert_eq!(key["details"]["label"], "sk-mg-…cdef");
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_sends_no_request_and_skips_the_network_checks() {
    let server = healthy_server().await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    let out = doctor(&ctx, &["--offline", "--json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let api: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["category"] == "api")
        .map(|c| (c["id"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        api,
        [("api.key", "skipped"), ("api.model", "skipped")],
        "{}",
        out.stdout
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_key_fails_with_exit_1_and_the_key_is_never_printed() {
    // A server that echoes the key in its error must not make us print it.
    let echo = ResponseTemplate::new(401).set_body_json(serde_json::json!({
        "error": {"code": 401, "message": format!("User not found for key {KEY}")}
    }));
    let server = serve_all([
        ("GET", "/api/v1/key", echo),
        ("GET", MODEL_PATH, api_json("model_gpt_5_3_codex.json")),
    ])
    .await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    for args in [&[][..], &["--json"][..], &["--ascii"][..]] {
        let out = doctor(&ctx, args, None);
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert_no_key(&out, KEY);
    }
    let out = doctor(&ctx, &["--ascii"], None);
    assert_contains(&out.stdout, "[XX] api.key");
    assert_contains(
        &out.stdout,
        "[XX] Start here: ModelGates rejected the key (401)",
    );
    assert_contains(&out.stdout, "ModelGates rejected the key (401)");
    assert_contains(&out.stdout, "fix: create or copy a key");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_id_without_author_gets_did_you_mean() {
    let server = healthy_server().await;
    let not_found = api_response(404, "error_404_model.json");
    mount(&server, "GET", "/api/v1/model/gpt-5.3-codex", not_found).await;
    let ctx = trusted_context(&server, "gpt-5.3-codex");
    let out = doctor(&ctx, &[], None);
    assert_eq!(out.code, 1);
    assert_contains(
        &out.stdout,
        "`gpt-5.3-codex` is not a ModelGates model; did you mean `openai/gpt-5.3-codex`",
    );
    assert_contains(&out.stdout, "fix: `mg-codex model openai/gpt-5.3-codex`");
    // The catalogue that found no such id also gave the suggestions: fetched once.
    let catalogue_requests = requests_to(&server, "/api/v1/models").await;
    assert_eq!(catalogue_requests, 1);

    // The printed fix is a command that works: run it, and doctor has nothing left to say
    // about the model.
    let fix = out
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("fix: `mg-codex model "))
        .expect("a `mg-codex model` fix")
        .trim_end_matches('`')
        .to_string();
    let switched = run(ctx.cmd().args(["model", &fix]));
    assert_eq!(switched.code, 0, "{}", switched.stderr);
    let after = doctor(&ctx, &[], None);
    assert!(
        after.stdout.contains("✓ config.model") && after.stdout.contains("✓ api.model"),
        "{}",
        after.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_key_and_missing_config_are_failures_with_fixes() {
    let ctx = TestContext::new();
    let mut cmd = ctx.cmd();
    cmd.args(["doctor", "--offline"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 1);
    assert_contains(&out.stdout, "config.toml` does not exist");
    assert_contains(&out.stdout, "`MODELGATES_API_KEY` is not set");
    assert_contains(&out.stdout, "fix: set it up with `mg-codex init`");
    let missing = ctx.root.path().join("nope");
    let out = run(ctx
        .cmd()
        .env("CODEX_HOME", &missing)
        .args(["doctor", "--offline"]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stdout, "CODEX_HOME points to");
    assert_contains(&out.stdout, "(config.file, codex_home_missing)");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_config_is_reported_with_line_and_column() {
    let ctx = TestContext::new();
    ctx.write_config("model = \"x\"\n[tui\n");
    let out = doctor(&ctx, &["--offline"], None);
    assert_eq!(out.code, 1);
    assert_contains(&out.stdout, "is not valid TOML at line 2, column");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_layer_is_what_doctor_checks() {
    let server = healthy_server().await;
    let ctx = TestContext::new();
    ctx.write_config("model_provider = \"openai\"\nmodel = \"gpt-5\"\n");
    fs::write(
        ctx.codex_home().join("mg.config.toml"),
        config_for(&server, "openai/gpt-5.3-codex"),
    )
    .unwrap();
    let out = doctor(&ctx, &["--profile", "mg", "--json"], None);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let status = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("config.provider"), "ok", "{}", out.stdout);
    assert_eq!(status("api.model"), "ok", "{}", out.stdout);
    // Without `--profile`: the default left to OpenAI is a choice, and a note says how to use
    // the profile (nothing fails for it).
    let out = doctor(&ctx, &["--offline"], None);
    assert_contains(&out.stdout, "`model_provider` is `openai`");
    assert_contains(
        &out.stdout,
        "ModelGates is set up in the profile `mg`: run `codex --profile mg` (`mg-codex --profile mg doctor` checks it)",
    );
    let out = doctor(&ctx, &["--offline", "--json"], None);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let provider = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "config.provider")
        .unwrap()
        .clone();
    assert_eq!(provider["status"], "ok", "{provider}");
    assert_eq!(
        provider["findings"][0]["code"],
        "modelgates_in_profile_note"
    );

    // The default set up too: the profile is named, with the command that checks it.
    ctx.write_config(&config_for(&server, "openai/gpt-5.3-codex"));
    let out = doctor(&ctx, &["--offline"], None);
    assert_contains(
        &out.stdout,
        "· the profile `mg` sets up ModelGates too: `mg-codex --profile mg doctor` checks one as Codex layers it",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_streams_a_live_request_to_completion() {
    let server = healthy_server().await;
    let sse = "data: {\"type\":\"response.output_text.delta\",\"delta\":\"ok\"}\n\n\
               data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\"}}\n\n";
    let stream = ok_body(sse, "text/event-stream");
    mount(&server, "POST", "/api/v1/responses", stream).await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    let out = doctor(&ctx, &["--deep"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_contains(&out.stdout, "✓ api.responses");
    assert_contains(&out.stdout, "(id `resp_1`)");
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_never_writes_a_file_and_the_real_codex_judges_the_config() {
    let Some(codex) = codex_bin() else { return };
    let server = healthy_server().await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    install_key_for_bash(&ctx, KEY);
    let before = tree(ctx.root.path());
    let out = doctor(&ctx, &["--deep"], Some(&codex));
    assert_same_tree(&before, &tree(ctx.root.path()), "doctor");
    assert_contains(&out.stdout, "✓ codex.cli        codex-cli");
    assert_contains(&out.stdout, "loads the config");

    // A config Codex refuses: another provider with `wire_api = "chat"`.
    let mut text = ctx.read_config();
    text.push_str("\n[model_providers.old]\nname = \"Old\"\nbase_url = \"https://old.example/v1\"\nwire_api = \"chat\"\n");
    ctx.write_config(&text);
    let before = tree(ctx.root.path());
    let out = doctor(&ctx, &["--offline"], Some(&codex));
    assert_same_tree(&before, &tree(ctx.root.path()), "doctor");
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_contains(&out.stdout, "✗ codex.cli");
    assert_contains(&out.stdout, "wire_api");
}

#[tokio::test(flavor = "multi_thread")]
async fn shell_profiles_report_a_missing_block_and_a_stale_key() {
    let server = healthy_server().await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    let out = doctor(&ctx, &["--offline"], None);
    assert_contains(
        &out.stdout,
        "! shell.profiles   bash is your login shell, but new bash terminals do not get `MODELGATES_API_KEY`",
    );
    assert_contains(&out.stdout, "fix: `mg-codex init --yes --shell bash`");

    // The stored key is another one than this environment's (a terminal from before a rotation).
    install_key_for_bash(&ctx, "sk-mg-v1-anotherkey0123456789zyxw");
    let out = doctor(&ctx, &["--offline"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_contains(
        &out.stdout,
        "! key.present      this terminal's `MODELGATES_API_KEY` (sk-mg-…cdef) is not the key mg-codex stored (sk-mg-…zyxw)",
    );
    assert_contains(&out.stdout, "fix: run `. ");
    assert!(!out.stdout.contains("anotherkey"), "{}", out.stdout);
    assert_no_key(&out, KEY);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_a_slow_api_shows_a_spinner_until_the_report_and_quiet_shows_none() {
    let slow = api_json("key_valid.json").set_delay(SLOW);
    let server = serve_all([
        ("GET", "/api/v1/key", slow),
        ("GET", MODEL_PATH, api_json("model_gpt_5_3_codex.json")),
    ])
    .await;
    let ctx = trusted_context(&server, "openai/gpt-5.3-codex");
    tokio::task::spawn_blocking(move || {
        let vars = [("MODELGATES_API_KEY", KEY)];
        let mut t = Terminal::start_with_env(&ctx, &["doctor"], &vars);
        // (ASCII only: the reader decodes bytes one by one, and the text ends with `…`.)
        t.expect("Asking ModelGates about the key and the model");
        t.expect("accepted: sk-mg-");
        t.finish();
        t.assert_spun("Asking ModelGates about the key and the model");
        let spun = t
            .transcript
            .rfind("Asking ModelGates about the key and the model")
            .unwrap();
        let report = t.transcript.find("Configuration").unwrap();
        assert!(
            spun < report,
            "the spinner outlived the wait:\n{}",
            t.transcript
        );

        let mut t = Terminal::start_with_env(&ctx, &["--quiet", "doctor"], &vars);
        t.expect("accepted: sk-mg-");
        t.finish();
        assert!(
            !t.transcript.contains("Asking ModelGates"),
            "{}",
            t.transcript
        );
        assert!(!t.transcript.contains(KEY), "{}", t.transcript);
    })
    .await
    .unwrap();
}

#[test]
fn a_config_that_cannot_be_read_says_so_not_line_0() {
    let ctx = TestContext::new();
    fs::create_dir(ctx.config()).unwrap();
    let out = doctor(&ctx, &["--offline"], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_contains(
        &out.stdout,
        "✗ config.file      cannot read `~/.codex/config.toml`",
    );
    assert_contains(&out.stdout, "(config.file, config_special_file)");
    assert_contains(&out.stdout, "fix: make `");
    assert!(!out.stdout.contains("line 0"), "{}", out.stdout);
}

#[test]
fn the_real_codex_judges_a_config_that_is_not_toml() {
    let Some(codex) = codex_bin() else { return };
    let ctx = TestContext::new();
    ctx.write_config("model = = \"x\"\n");
    bin_dir(&ctx);
    let before = tree(ctx.root.path());
    let out = doctor(&ctx, &["--offline"], Some(&codex));
    assert_same_tree(&before, &tree(ctx.root.path()), "doctor");
    assert_contains(&out.stdout, "✗ config.file");
    // Codex is shown the file as it is, so it refuses it too (not a missing config).
    assert_contains(&out.stdout, "✗ codex.cli        codex-cli");
    assert_contains(&out.stdout, "refuses the config");
}
