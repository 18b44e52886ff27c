//! `mg-codex init` and `mg-codex uninstall`, scripted: the real binary in a temporary HOME
//! against a gateway on 127.0.0.1 (wiremock) serving `fixtures/api/`. Every flag, what is
//! written (and only that), that nothing is written on a dry run or a failed verification, that
//! a second run changes nothing, that the key never shows, and that `uninstall` gives back the
//! bytes `init` found.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use wiremock::MockServer;

use crate::support::{
    assert_contains, assert_exit, assert_no_key, assert_ok, assert_same_tree, backdate, gateway,
    gateway_url, git, requests_to, run_with, stub_bin, stub_cmd, stub_context, tree, Output, Stdin,
    TestContext, BAD_KEY,
};

const KEY: &str = "sk-mg-v1-inittestkey0123456789abcdef";
/// A command that waits for input must fail the test, not hang it.
const TIMEOUT: Duration = Duration::from_secs(60);
const INSTRUCTIONS: &str =
    "Run `mg-codex init` to store your ModelGates API key for your shells, then open a new terminal.";

/// `mg-codex init --yes --api-key-stdin --base-url SERVER ARGS` with the key on stdin.
fn init(ctx: &TestContext, server: &MockServer, args: &[&str]) -> Output {
    init_with_key(ctx, server, KEY, args)
}

fn init_with_key(ctx: &TestContext, server: &MockServer, key: &str, args: &[&str]) -> Output {
    let mut c = stub_cmd(ctx);
    c.args(["init", "--yes", "--api-key-stdin", "--base-url"])
        .arg(gateway_url(server))
        .args(args);
    let out = run_with(&mut c, Stdin::Bytes(format!("{key}\n").as_bytes()), TIMEOUT);
    assert_no_key(&out, key);
    out
}

fn uninstall(ctx: &TestContext, args: &[&str]) -> Output {
    let mut c = stub_cmd(ctx);
    c.arg("uninstall").args(args);
    let out = run_with(&mut c, Stdin::Null, TIMEOUT);
    assert_no_key(&out, KEY);
    out
}

/// The files under `dir` whose bytes contain `needle`, relative to `dir`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    tree(dir)
        .into_iter()
        .filter(|(_, (bytes, _))| String::from_utf8_lossy(bytes).contains(needle))
        .map(|(p, _)| p.strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn mg_dir(ctx: &TestContext) -> PathBuf {
    ctx.home().join(".config/mg-codex")
}

fn parse(text: &str) -> toml_edit::DocumentMut {
    text.parse()
        .unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"))
}

/// The keys of a table, in order.
fn keys(table: &toml_edit::Table) -> Vec<String> {
    table.iter().map(|(k, _)| k.to_string()).collect()
}

fn str_at<'a>(doc: &'a toml_edit::DocumentMut, path: &[&str]) -> Option<&'a str> {
    let mut item = doc.as_item();
    for part in path {
        item = item.get(part)?;
    }
    item.as_str()
}

/// Every file under `dir` with its bytes, the backups and lock files of mg-codex left out
/// (directories too: an empty one left behind is not a file that changed).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    tree(dir)
        .into_iter()
        .filter(|(p, _)| !p.is_dir())
        .filter(|(p, _)| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            ![".mg-codex.bak", ".mg-codex.orig", ".mg-codex.lock"]
                .iter()
                .any(|suffix| name.ends_with(suffix))
        })
        .map(|(p, (bytes, _))| (p, bytes))
        .collect()
}

#[track_caller]
fn assert_same_files(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    let differ: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| {
            let show = |m: &BTreeMap<PathBuf, Vec<u8>>| {
                m.get(p)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_else(|| "(absent)".into())
            };
            format!(
                "{}:\n--- before\n{}\n--- after\n{}",
                p.display(),
                show(before),
                show(after)
            )
        })
        .collect();
    assert!(differ.is_empty(), "files differ:\n{}", differ.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// init: what it writes

#[tokio::test(flavor = "multi_thread")]
async fn init_writes_exactly_the_provider_settings_and_the_key_only_to_the_env_files() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let out = init(&ctx, &server, &[]);
    assert_ok(&out);

    let text = ctx.read_config();
    let catalog = ctx.codex_home().join("modelgates-models.json");
    let expected = format!(
        "model_provider = \"modelgates\"\nmodel = \"openai/gpt-5.3-codex\"\nmodel_reasoning_effort = \"high\"\n\
         model_catalog_json = \"{}\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}\"\nenv_key = \"MODELGATES_API_KEY\"\n\
         env_key_instructions = \"{INSTRUCTIONS}\"\nwire_api = \"responses\"\n",
        catalog.display(),
        gateway_url(&server)
    );
    assert_eq!(text, expected);
    let doc = parse(&text);
    assert_eq!(
        keys(doc.as_table()),
        [
            "model_provider",
            "model",
            "model_reasoning_effort",
            "model_catalog_json",
            "model_providers"
        ]
    );
    // The catalogue: private, and no key in it.
    assert_eq!(mode(&catalog), 0o600);
    let info = mg_codex::catalog::inspect(&fs::read_to_string(&catalog).unwrap()).unwrap();
    assert!(info.contains("openai/gpt-5.3-codex"), "{:?}", info.slugs());
    let provider = doc["model_providers"]["modelgates"].as_table().unwrap();
    assert_eq!(
        keys(provider),
        [
            "name",
            "base_url",
            "env_key",
            "env_key_instructions",
            "wire_api"
        ]
    );
    assert_eq!(
        keys(doc["model_providers"].as_table().unwrap()),
        ["modelgates"]
    );

    // The key: in the env file of the shell chosen (bash, the only one here; private), nowhere
    // else (no fish env file: fish was not chosen); the profile sources the env file.
    let holding = files_containing(&ctx.home(), KEY);
    assert_eq!(holding, [PathBuf::from(".config/mg-codex/env")]);
    assert_eq!(mode(&mg_dir(&ctx).join("env")), 0o600);
    assert!(!mg_dir(&ctx).join("env.fish").exists());
    let bashrc = fs::read_to_string(ctx.home().join(".bashrc")).unwrap();
    assert_contains(&bashrc, ".config/mg-codex/env");
    assert!(!ctx.config().with_extension("toml.mg-codex.bak").exists());

    // What the user is told: the files, and how to get the key into this terminal.
    assert_contains(&out.stderr, "Created `");
    assert_contains(&out.stderr, "config.toml`");
    assert_contains(&out.stderr, ".bashrc`");
    assert_contains(&out.stderr, "Next: open a new terminal (or run `");
    assert!(out.stdout.is_empty(), "stdout: {}", out.stdout);
    // What the checks found, the key masked our one way (not the server's label), never the key.
    assert_contains(&out.stderr, "✓ key accepted: sk-mg-…cdef");
    assert!(!out.stderr.contains("sk-mg-v1-ab3...9f2"), "{}", out.stderr);
    assert_contains(
        &out.stderr,
        "✓ model `openai/gpt-5.3-codex` is available (tools, reasoning)",
    );
    assert_contains(&out.stderr, "Codex is not on PATH yet");

    // The key was checked, with the key from stdin, and so was the model.
    let requests = server.received_requests().await.unwrap();
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert!(paths.contains(&"/api/v1/key"), "{paths:?}");
    assert!(
        paths.contains(&"/api/v1/model/openai/gpt-5.3-codex"),
        "{paths:?}"
    );
    for r in &requests {
        assert_eq!(
            r.headers.get("authorization").unwrap().to_str().unwrap(),
            format!("Bearer {KEY}")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_answer_has_a_flag() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let repo = ctx.work_dir("repo");
    git(&repo, &["init", "-q"]);
    let sub = ctx.work_dir("repo/src/deep");
    let plain = ctx.work_dir("plain");
    stub_bin(&ctx, &["zsh"]);
    let out = init(
        &ctx,
        &server,
        &[
            "--model",
            "openai/gpt-5.2-codex",
            "--reasoning-effort",
            "medium",
            "--show-raw-agent-reasoning",
            "--personality",
            "pragmatic",
            "--trust",
            sub.to_str().unwrap(),
            "--trust",
            "plain",
            "--shell",
            "zsh",
            "--key-in-profile",
        ],
    );
    assert_ok(&out);
    let doc = parse(&ctx.read_config());
    assert_eq!(str_at(&doc, &["model"]), Some("openai/gpt-5.2-codex"));
    assert_eq!(str_at(&doc, &["model_reasoning_effort"]), Some("medium"));
    assert_eq!(doc["show_raw_agent_reasoning"].as_bool(), Some(true));
    assert_eq!(str_at(&doc, &["personality"]), Some("pragmatic"));
    // --trust: the git root for a directory inside a repository, the directory itself outside.
    let projects = doc["projects"].as_table().unwrap();
    let mut trusted = keys(projects);
    trusted.sort();
    let mut want = vec![
        fs::canonicalize(&repo).unwrap().display().to_string(),
        fs::canonicalize(&plain).unwrap().display().to_string(),
    ];
    want.sort();
    assert_eq!(trusted, want);
    for k in &want {
        assert_eq!(
            doc["projects"][k.as_str()]["trust_level"].as_str(),
            Some("trusted")
        );
    }
    // --shell zsh: only zsh's profile; --key-in-profile: the key is in it, and only there (no
    // env file).
    assert!(!ctx.home().join(".bashrc").exists());
    let zshrc = fs::read_to_string(ctx.home().join(".zshrc")).unwrap();
    assert_contains(&zshrc, &format!("export MODELGATES_API_KEY='{KEY}'"));
    let mut holding = files_containing(&ctx.home(), KEY);
    holding.sort();
    assert_eq!(holding, [PathBuf::from(".zshrc")]);
    assert!(!ctx.read_config().contains(KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn shell_none_touches_no_profile_and_a_list_names_the_shells() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let out = init(&ctx, &server, &["--shell", "none"]);
    assert_ok(&out);
    let home_files: Vec<PathBuf> = files(&ctx.home()).into_keys().collect();
    for p in &home_files {
        let rel = p.strip_prefix(ctx.home()).unwrap();
        assert!(
            rel.starts_with(".codex") || rel.starts_with(".config/mg-codex"),
            "`--shell none` wrote {}",
            rel.display()
        );
    }
    // No shell chosen: the key is written nowhere.
    assert!(files_containing(&ctx.home(), KEY).is_empty());
    assert_contains(&out.stderr, "Next: make sure MODELGATES_API_KEY is set");

    let ctx = stub_context();
    stub_bin(&ctx, &["zsh", "fish"]);
    let out = init(&ctx, &server, &["--shell", "bash,fish"]);
    assert_ok(&out);
    assert!(ctx.home().join(".bashrc").is_file());
    assert!(!ctx.home().join(".zshrc").exists());
    assert!(files_containing(&ctx.home().join(".config/fish"), "mg-codex").len() == 1);

    let out = init(&ctx, &server, &["--shell", "nushell"]);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "--shell");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_gets_the_settings_and_config_toml_stays_as_it_was() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let mine = "# mine\nmodel_provider = \"openai\"\nmodel = \"gpt-5\"\n";
    ctx.write_config(mine);
    let before = tree(&ctx.codex_home());
    let out = init(&ctx, &server, &["--profile", "mg", "--shell", "none"]);
    assert_ok(&out);
    let after = tree(&ctx.codex_home());
    let config = ctx.config();
    assert_eq!(
        after.get(&config),
        before.get(&config),
        "config.toml changed"
    );
    assert_eq!(ctx.read_config(), mine);
    let profile = ctx.codex_home().join("mg.config.toml");
    let doc = parse(&fs::read_to_string(&profile).unwrap());
    assert_eq!(str_at(&doc, &["model_provider"]), Some("modelgates"));
    assert_eq!(
        str_at(&doc, &["model_providers", "modelgates", "base_url"]),
        Some(gateway_url(&server).as_str())
    );
    assert_contains(&out.stderr, "mg.config.toml`");

    // In `$CODEX_HOME`, wherever that is; `~/.codex` is not looked at.
    let ctx = stub_context();
    let codex_home = ctx.root.path().join("elsewhere");
    fs::create_dir_all(&codex_home).unwrap();
    fs::write(codex_home.join("config.toml"), mine).unwrap();
    let before = tree(ctx.root.path());
    let mut c = stub_cmd(&ctx);
    c.args([
        "--profile",
        "work",
        "init",
        "--yes",
        "--api-key-stdin",
        "--shell",
        "none",
    ])
    .args(["--base-url", &gateway_url(&server)])
    .env("CODEX_HOME", &codex_home);
    let out = run_with(&mut c, Stdin::Bytes(format!("{KEY}\n").as_bytes()), TIMEOUT);
    assert_no_key(&out, KEY);
    assert_ok(&out);
    let after = tree(ctx.root.path());
    let config = codex_home.join("config.toml");
    assert_eq!(
        after.get(&config),
        before.get(&config),
        "config.toml changed"
    );
    let doc = parse(&fs::read_to_string(codex_home.join("work.config.toml")).unwrap());
    assert_eq!(str_at(&doc, &["model_provider"]), Some("modelgates"));
    let untouched: Vec<_> = fs::read_dir(ctx.codex_home()).unwrap().collect();
    assert!(untouched.is_empty(), "~/.codex was written: {untouched:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_writes_nothing_and_prints_a_diff_without_the_key() {
    let server = gateway("models.json").await;
    for existing in [
        None,
        Some("# mine\nmodel = \"o3\"\n\n[tui]\nnotifications = true\n"),
    ] {
        let ctx = stub_context();
        if let Some(text) = existing {
            ctx.write_config(text);
        }
        fs::write(ctx.home().join(".bashrc"), "alias ll='ls -l'\n").unwrap();
        backdate(ctx.root.path());
        let before = tree(ctx.root.path());
        let out = init(&ctx, &server, &["--dry-run", "--key-in-profile"]);
        assert_ok(&out);
        assert_same_tree(&before, &tree(ctx.root.path()), "init --dry-run");
        assert_contains(&out.stdout, "+model_provider = \"modelgates\"");
        assert_contains(&out.stdout, "+[model_providers.modelgates]");
        assert_contains(&out.stdout, ".bashrc");
        assert_contains(&out.stdout, "MODELGATES_API_KEY");
        assert_contains(&out.stderr, "Dry run: nothing was written");
        if existing.is_some() {
            assert_contains(&out.stdout, " # mine\n-model = \"o3\"\n");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_answers_twice_change_no_file() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    ctx.write_config("# mine\n[tui]\nnotifications = true\n");
    let flags = [
        "--model",
        "openai/gpt-5.3-codex",
        "--reasoning-effort",
        "low",
    ];
    assert_ok(&init(&ctx, &server, &flags));
    backdate(ctx.root.path());
    let first = tree(ctx.root.path());

    let out = init(&ctx, &server, &flags);
    assert_ok(&out);
    assert_same_tree(&first, &tree(ctx.root.path()), "a second init");
    assert_contains(&out.stderr, "nothing changed");

    // The key from the environment instead of stdin, the model and effort from the config.
    let mut c = stub_cmd(&ctx);
    c.args(["init", "--yes"]).env("MODELGATES_API_KEY", KEY);
    let out = run_with(&mut c, Stdin::Null, TIMEOUT);
    assert_no_key(&out, KEY);
    assert_ok(&out);
    assert_same_tree(&first, &tree(ctx.root.path()), "a third init");
    assert_contains(&out.stderr, "nothing changed");

    let out = init(&ctx, &server, &[&flags[..], &["--dry-run"]].concat());
    assert_ok(&out);
    assert_contains(&out.stderr, "Nothing would change");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_comes_from_the_environment_without_api_key_stdin() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let mut c = stub_cmd(&ctx);
    c.args(["init", "--yes", "--base-url"])
        .arg(gateway_url(&server))
        .env("MODELGATES_API_KEY", KEY);
    let out = run_with(&mut c, Stdin::Null, TIMEOUT);
    assert_no_key(&out, KEY);
    assert_ok(&out);
    assert_contains(&fs::read_to_string(mg_dir(&ctx).join("env")).unwrap(), KEY);
    assert!(!ctx.read_config().contains(KEY));
    let requests = server.received_requests().await.unwrap();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(
            r.headers.get("authorization").unwrap().to_str().unwrap(),
            format!("Bearer {KEY}")
        );
    }

    // No key at all: a failure naming both ways to give one.
    let ctx = stub_context();
    let mut c = stub_cmd(&ctx);
    c.args(["init", "--yes", "--base-url"])
        .arg(gateway_url(&server));
    let out = run_with(&mut c, Stdin::Null, TIMEOUT);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "--api-key-stdin");
    assert_contains(&out.stderr, "MODELGATES_API_KEY");
    assert!(!ctx.config().exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_never_a_command_line_argument() {
    let ctx = stub_context();
    let before = tree(ctx.root.path());
    for args in [
        &["init", "--yes", "--api-key", KEY][..],
        &["init", "--yes", &format!("--api-key={KEY}")][..],
        &["init", "--yes", KEY][..],
    ] {
        let mut c = stub_cmd(&ctx);
        c.args(args);
        let out = run_with(&mut c, Stdin::Null, TIMEOUT);
        assert_exit(&out, 2);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        if args[2].starts_with("--api-key") {
            assert_no_key(&out, KEY);
            assert_contains(&out.stderr, "unexpected argument '--api-key'");
            assert_contains(&out.stderr, "--api-key-stdin");
        }
    }
    assert_same_tree(&before, &tree(ctx.root.path()), "a usage error");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_and_without_yes_init_fails_at_once() {
    let ctx = stub_context();
    let before = tree(ctx.root.path());
    for stdin in [Stdin::Null, Stdin::OpenPipe] {
        let mut c = stub_cmd(&ctx);
        c.arg("init").env("MODELGATES_API_KEY", KEY);
        let started = std::time::Instant::now();
        let out = run_with(&mut c, stdin, Duration::from_secs(20));
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_exit(&out, 1);
        assert_contains(&out.stderr, "--yes");
        assert_contains(&out.stderr, "--api-key-stdin");
        assert_no_key(&out, KEY);
    }
    assert_same_tree(&before, &tree(ctx.root.path()), "init without a terminal");
}

// ---------------------------------------------------------------------------------------------
// init: verification

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_key_is_exit_1_and_writes_nothing() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    ctx.write_config("model = \"o3\"\n");
    let before = tree(ctx.root.path());
    let out = init_with_key(&ctx, &server, BAD_KEY, &[]);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "rejected the key");
    assert_contains(&out.stderr, "hint:");
    assert_same_tree(&before, &tree(ctx.root.path()), "init with a rejected key");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_model_is_exit_1_with_did_you_mean_and_writes_nothing() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let before = tree(ctx.root.path());
    for model in ["gpt-5.3-codex", "openai/gpt-5.3-codx"] {
        let out = init(&ctx, &server, &["--model", model]);
        assert_exit(&out, 1);
        assert_contains(&out.stderr, "did you mean `openai/gpt-5.3-codex`");
        assert_contains(&out.stderr, "--model openai/gpt-5.3-codex");
    }
    // The id without its author: one catalogue, for the suggestions. The unknown id: the
    // lookup's (which gave the suggestions) and, at the same time, the one for the model
    // catalogue file.
    let catalogue_requests = requests_to(&server, "/api/v1/models").await;
    assert_eq!(catalogue_requests, 3);
    assert_same_tree(
        &before,
        &tree(ctx.root.path()),
        "init with an unknown model",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_verify_writes_without_sending_a_request() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let out = init(
        &ctx,
        &server,
        &["--no-verify", "--model", "someone/anything"],
    );
    assert_ok(&out);
    let doc = parse(&ctx.read_config());
    assert_eq!(str_at(&doc, &["model"]), Some("someone/anything"));
    assert!(mg_dir(&ctx).join("env").is_file());
    assert!(server.received_requests().await.unwrap().is_empty());

    // A malformed id is refused all the same (without the catalogue, no suggestion).
    let before = tree(ctx.root.path());
    let out = init(&ctx, &server, &["--no-verify", "--model", "gpt-5.3-codex"]);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "is not a ModelGates model id (`author/slug`");
    assert_same_tree(&before, &tree(ctx.root.path()), "a refused model id");
    assert!(server.received_requests().await.unwrap().is_empty());

    // Even a key the gateway would reject: nothing asks it.
    let ctx = stub_context();
    let out = init_with_key(&ctx, &server, BAD_KEY, &["--no-verify"]);
    assert_ok(&out);
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// init: an existing set-up

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_provider_table_keeps_known_fields_and_loses_dangerous_and_unknown_ones() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    ctx.write_config(
        "# top comment\nmodel = \"o3\" # mine\napproval_policy = \"never\"\n\n\
         [model_providers.modelgates]\nname = \"Old name\"\nbase_url = \"https://old.example/api/v1\"\n\
         requires_openai_auth = true\nrequest_max_retries = 7 # keep me\nbogus_field = \"x\"\n\n\
         [tui]\nnotifications = true\n",
    );
    let out = init(&ctx, &server, &[]);
    assert_ok(&out);
    let text = ctx.read_config();
    assert!(text.starts_with("# top comment\n"), "{text}");
    assert_contains(&text, "approval_policy = \"never\"");
    assert_contains(&text, "request_max_retries = 7 # keep me");
    assert_contains(&text, "[tui]\nnotifications = true\n");
    assert!(!text.contains("requires_openai_auth"), "{text}");
    assert!(!text.contains("bogus_field"), "{text}");
    let doc = parse(&text);
    let provider = doc["model_providers"]["modelgates"].as_table().unwrap();
    let mut fields = keys(provider);
    fields.sort();
    assert_eq!(
        fields,
        [
            "base_url",
            "env_key",
            "env_key_instructions",
            "name",
            "request_max_retries",
            "wire_api"
        ]
    );
    assert_eq!(provider["name"].as_str(), Some("ModelGates"));
    assert_eq!(
        provider["base_url"].as_str(),
        Some(gateway_url(&server).as_str())
    );
    assert_eq!(str_at(&doc, &["model"]), Some("openai/gpt-5.3-codex"));
    assert_contains(&out.stderr, "removed `requires_openai_auth`");
    assert_contains(&out.stderr, "removed `bogus_field`");
    assert!(ctx.codex_home().join("config.toml.mg-codex.bak").is_file());
}

// ---------------------------------------------------------------------------------------------
// uninstall

/// A HOME with a config and shell profiles of the user's own.
fn lived_in_home() -> TestContext {
    let ctx = stub_context();
    ctx.write_config(
        "# my codex\nmodel_provider = \"openai\" # default\nmodel = \"gpt-5\"\n\n\
         [tui]\nnotifications = true\n",
    );
    fs::write(
        ctx.home().join(".bashrc"),
        "# my bashrc\nexport EDITOR=vim\nalias ll='ls -l'\n",
    )
    .unwrap();
    fs::write(ctx.home().join(".profile"), "PATH=\"$HOME/bin:$PATH\"\n").unwrap();
    ctx
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_after_init_gives_back_every_byte() {
    let server = gateway("models.json").await;
    for (ctx, flags) in [
        (lived_in_home(), &[][..]),
        (
            lived_in_home(),
            &["--key-in-profile", "--shell", "bash"][..],
        ),
        (
            stub_context(),
            &["--show-raw-agent-reasoning", "--personality", "friendly"][..],
        ),
    ] {
        let before = files(&ctx.home());
        assert_ok(&init(&ctx, &server, flags));
        assert_ne!(files(&ctx.home()), before);
        let out = uninstall(&ctx, &["--yes"]);
        assert_ok(&out);
        assert_same_files(&before, &files(&ctx.home()));
        assert!(!mg_dir(&ctx).exists());
        // Only a backup of a profile that held the key itself may still hold it, privately.
        for left in files_containing(&ctx.home(), KEY) {
            assert!(
                left.to_string_lossy().ends_with(".mg-codex.bak"),
                "the key is still in {}",
                left.display()
            );
            assert_eq!(mode(&ctx.home().join(left)), 0o600);
        }
        assert_contains(&out.stderr, "Removed `");

        // Nothing left to do.
        let again = tree(ctx.root.path());
        let out = uninstall(&ctx, &["--yes"]);
        assert_ok(&out);
        assert_contains(&out.stderr, "Nothing to remove");
        assert_same_tree(&again, &tree(ctx.root.path()), "a second uninstall");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_of_a_profile_gives_back_the_profile_file() {
    let server = gateway("models.json").await;
    let ctx = lived_in_home();
    let profile = ctx.codex_home().join("mg.config.toml");
    fs::write(&profile, "# profile\nmodel = \"o3\"\n").unwrap();
    let before = files(&ctx.home());
    assert_ok(&init(&ctx, &server, &["--profile", "mg"]));
    assert_ok(&uninstall(&ctx, &["--profile", "mg", "--yes"]));
    assert_same_files(&before, &files(&ctx.home()));
}

#[tokio::test(flavor = "multi_thread")]
async fn trust_entries_init_added_go_unless_kept() {
    let server = gateway("models.json").await;
    // The default: every byte back, the trust entry `init` added included.
    let ctx = lived_in_home();
    ctx.work_dir("project");
    let before = files(&ctx.home());
    assert_ok(&init(&ctx, &server, &["--trust", "project"]));
    assert_ok(&uninstall(&ctx, &["--yes"]));
    assert_same_files(&before, &files(&ctx.home()));

    // `--keep-trust`: the original bytes with the entry `init` added.
    let ctx = lived_in_home();
    let project = ctx.work_dir("project");
    let key = fs::canonicalize(&project).unwrap().display().to_string();
    let original = ctx.read_config();
    assert_ok(&init(&ctx, &server, &["--trust", "project"]));
    let out = uninstall(&ctx, &["--yes", "--keep-trust"]);
    assert_ok(&out);
    assert_contains(&out.stderr, "--keep-trust");
    let text = ctx.read_config();
    let doc = parse(&text);
    assert_eq!(
        doc["projects"][key.as_str()]["trust_level"].as_str(),
        Some("trusted")
    );
    assert!(!text.contains("modelgates"), "{text}");
    assert!(text.starts_with(&original), "{text}");
    assert!(!mg_dir(&ctx).exists());

    // An entry written by `mg-codex trust` after `init` is never touched.
    let ctx = lived_in_home();
    let other = ctx.work_dir("other");
    let other_key = fs::canonicalize(&other).unwrap().display().to_string();
    let original = ctx.read_config();
    assert_ok(&init(&ctx, &server, &[]));
    let mut trust = stub_cmd(&ctx);
    trust.arg("trust").arg(&other);
    assert_ok(&run_with(&mut trust, Stdin::Null, TIMEOUT));
    assert_ok(&uninstall(&ctx, &["--yes"]));
    let text = ctx.read_config();
    assert!(text.starts_with(&original), "{text}");
    assert_eq!(
        parse(&text)["projects"][other_key.as_str()]["trust_level"].as_str(),
        Some("trusted"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_dry_run_writes_nothing() {
    let server = gateway("models.json").await;
    let ctx = lived_in_home();
    assert_ok(&init(&ctx, &server, &[]));
    backdate(ctx.root.path());
    let before = tree(ctx.root.path());
    let out = uninstall(&ctx, &["--dry-run"]);
    assert_ok(&out);
    assert_same_tree(&before, &tree(ctx.root.path()), "uninstall --dry-run");
    assert_contains(&out.stdout, "-model_provider = \"modelgates\"");
    assert_contains(&out.stdout, "+model_provider = \"openai\" # default");
    assert_contains(&out.stdout, ".bashrc");
    assert_contains(&out.stderr, "Dry run: nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_without_a_terminal_and_without_yes_fails_with_a_hint() {
    let server = gateway("models.json").await;
    let ctx = lived_in_home();
    assert_ok(&init(&ctx, &server, &[]));
    let before = tree(ctx.root.path());
    for stdin in [Stdin::Null, Stdin::OpenPipe] {
        let mut c = stub_cmd(&ctx);
        c.arg("uninstall");
        let out = run_with(&mut c, stdin, Duration::from_secs(20));
        assert_exit(&out, 1);
        assert_contains(&out.stderr, "--yes");
    }
    assert_same_tree(
        &before,
        &tree(ctx.root.path()),
        "uninstall without a terminal",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_after_an_edit_takes_out_only_what_init_set() {
    let server = gateway("models.json").await;

    // The model settings existed: they come back; the user's new key stays.
    let ctx = lived_in_home();
    let text = ctx.read_config().replace(
        "model = \"gpt-5\"\n",
        "model = \"gpt-5\"\nmodel_reasoning_effort = \"low\"\n",
    );
    ctx.write_config(&text);
    assert_ok(&init(&ctx, &server, &["--reasoning-effort", "xhigh"]));
    let edited = ctx
        .read_config()
        .replace("[tui]\n", "[tui]\ntheme = \"dark\"\n");
    ctx.write_config(&edited);
    assert_ok(&uninstall(&ctx, &["--yes"]));
    let text = ctx.read_config();
    let doc = parse(&text);
    assert_eq!(str_at(&doc, &["model_provider"]), Some("openai"));
    assert_eq!(str_at(&doc, &["model"]), Some("gpt-5"));
    assert_eq!(str_at(&doc, &["model_reasoning_effort"]), Some("low"));
    assert!(doc.get("model_providers").is_none(), "{text}");
    assert_eq!(str_at(&doc, &["tui", "theme"]), Some("dark"));
    assert_eq!(doc["tui"]["notifications"].as_bool(), Some(true));
    assert!(text.starts_with("# my codex\n"), "{text}");

    // There was no config: init's keys go, the user's stay.
    let ctx = stub_context();
    assert_ok(&init(&ctx, &server, &["--personality", "friendly"]));
    let mut edited = ctx.read_config();
    edited.push_str("\n[history]\npersistence = \"none\"\n");
    ctx.write_config(&edited);
    assert_ok(&uninstall(&ctx, &["--yes"]));
    let text = ctx.read_config();
    assert_eq!(text.trim(), "[history]\npersistence = \"none\"", "{text}");

    // The user picked another ModelGates model meanwhile: ModelGates goes all the same.
    let ctx = lived_in_home();
    assert_ok(&init(&ctx, &server, &[]));
    let edited = ctx.read_config().replace(
        "model = \"openai/gpt-5.3-codex\"",
        "model = \"openai/gpt-5.2-codex\"",
    );
    ctx.write_config(&edited);
    let out = uninstall(&ctx, &["--yes"]);
    assert_ok(&out);
    let doc = parse(&ctx.read_config());
    assert_eq!(str_at(&doc, &["model_provider"]), Some("openai"));
    assert!(doc.get("model_reasoning_effort").is_none());
    assert!(doc.get("model_providers").is_none());
    assert!(!mg_dir(&ctx).exists());
}

/// A key that was never given to mg-codex (an old bearer token in the config) is masked in
/// every dry-run diff too: the one `init` removes and the one `uninstall` would put back.
#[tokio::test(flavor = "multi_thread")]
async fn dry_runs_mask_every_key_in_the_config() {
    const OLD: &str = "sk-mg-v1-oldtoken0123456789abcdef";
    let server = gateway("models.json").await;
    let ctx = stub_context();
    ctx.write_config(&format!(
        "[model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}\"\nexperimental_bearer_token = \"{OLD}\"\n",
        gateway_url(&server)
    ));
    let out = init(&ctx, &server, &["--dry-run"]);
    assert_ok(&out);
    assert_contains(&out.stdout, "-experimental_bearer_token = \"sk-mg-…cdef\"");
    assert_no_key(&out, OLD);

    assert_ok(&init(&ctx, &server, &[]));
    let out = uninstall(&ctx, &["--dry-run"]);
    assert_ok(&out);
    assert_contains(&out.stdout, "+experimental_bearer_token = \"sk-mg-…cdef\"");
    assert_no_key(&out, OLD);
}

/// A startup file init only scans for a warning (`~/.zprofile` here) cannot stop the set-up,
/// even when it cannot be read.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_related_startup_file_does_not_stop_init() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    stub_bin(&ctx, &["zsh"]);
    fs::create_dir(ctx.home().join(".zprofile")).unwrap();
    let out = init(&ctx, &server, &["--shell", "zsh"]);
    assert_ok(&out);
    assert_contains(
        &fs::read_to_string(ctx.home().join(".zshrc")).unwrap(),
        "# >>> mg-codex >>>",
    );
}

/// The next step names the activation of the user's own shell, also when `$SHELL` is an
/// executable of it other than its name (`/bin/dash` is sh).
#[tokio::test(flavor = "multi_thread")]
async fn the_next_step_is_for_the_login_shell() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    stub_bin(&ctx, &["fish", "dash"]);
    let mut c = stub_cmd(&ctx);
    c.env("SHELL", "/bin/dash")
        .args(["init", "--yes", "--api-key-stdin", "--shell", "fish,sh"])
        .arg("--base-url")
        .arg(gateway_url(&server));
    let out = run_with(&mut c, Stdin::Bytes(format!("{KEY}\n").as_bytes()), TIMEOUT);
    assert_ok(&out);
    assert_contains(&out.stderr, "Next: open a new terminal (or run `. ");
    assert!(!out.stderr.contains("run `source"), "{}", out.stderr);
}
