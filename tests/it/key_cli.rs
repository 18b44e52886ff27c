//! The key for every Codex front end: `init --key-source command` (Codex runs
//! `mg-codex key print`), switching back and forth in place, `mg-codex key print` (the stored
//! key and nothing else, no network) and `mg-codex key set` (checked, then every place that
//! holds the key rotated). The real binary in a temporary HOME against a gateway on 127.0.0.1.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use wiremock::MockServer;

use crate::support::{
    assert_contains, assert_exit, assert_ok, assert_same_tree, gateway, gateway_url, run_with,
    stub_cmd, stub_context, tree, Output, Stdin, TestContext, BAD_KEY,
};

const KEY: &str = "sk-mg-v1-keytestkey0123456789abcdef01";
const NEW_KEY: &str = "sk-mg-v1-rotatedkey0123456789abcdef99";
const TIMEOUT: Duration = Duration::from_secs(60);

fn mg(ctx: &TestContext, args: &[&str], stdin: Stdin<'_>) -> Output {
    let mut c = stub_cmd(ctx);
    c.args(args);
    run_with(&mut c, stdin, TIMEOUT)
}

fn init(ctx: &TestContext, server: &MockServer, args: &[&str]) -> Output {
    let url = gateway_url(server);
    let mut all = vec!["init", "--yes", "--api-key-stdin", "--base-url", &url];
    all.extend(args);
    let key = format!("{KEY}\n");
    mg(ctx, &all, Stdin::Bytes(key.as_bytes()))
}

fn provider(ctx: &TestContext) -> toml_edit::Table {
    let doc: toml_edit::DocumentMut = ctx.read_config().parse().unwrap();
    doc["model_providers"]["modelgates"]
        .as_table()
        .expect("a [model_providers.modelgates] table")
        .clone()
}

/// The program `init` writes: the test's mg-codex, by its real path.
fn program() -> PathBuf {
    fs::canonicalize(crate::support::bin()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn command_auth_runs_this_mg_codex_and_switching_back_and_forth_is_an_edit_in_place() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let mine = "# mine\nmodel = \"o3\"\n\n[tui]\nx = 1\n";
    ctx.write_config(mine);
    let out = init(
        &ctx,
        &server,
        &["--key-source", "command", "--shell", "none"],
    );
    assert_ok(&out);
    let table = provider(&ctx);
    let auth = table["auth"]
        .as_inline_table()
        .expect("an inline auth table");
    assert_eq!(auth["command"].as_str(), program().to_str());
    let args: Vec<&str> = auth["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(args, ["key", "print"]);
    assert!(
        !table.contains_key("env_key"),
        "Codex refuses auth with env_key"
    );
    assert!(!table.contains_key("env_key_instructions"));
    assert!(!ctx.read_config().contains(KEY), "no key in the config");
    assert_contains(
        &out.stderr,
        "key print` (so do Codex Desktop and the IDE extensions)",
    );
    // The store is written even with `--shell none`.
    let store = ctx.home().join(".config/mg-codex/env");
    assert_contains(&fs::read_to_string(&store).unwrap(), KEY);

    // Without `--key-source`, the configured one stays.
    let before = tree(ctx.root.path());
    assert_ok(&init(&ctx, &server, &["--shell", "none"]));
    assert_same_tree(
        &before,
        &tree(ctx.root.path()),
        "init with the same answers",
    );

    // To env: `auth` goes (with a warning), `env_key` comes back, nothing else moves.
    let out = init(&ctx, &server, &["--key-source", "env", "--shell", "none"]);
    assert_ok(&out);
    assert_contains(
        &out.stderr,
        "removed `auth` from `[model_providers.modelgates]`: the key comes from `MODELGATES_API_KEY` again",
    );
    let table = provider(&ctx);
    assert!(!table.contains_key("auth"));
    assert_eq!(table["env_key"].as_str(), Some("MODELGATES_API_KEY"));

    // And back; then uninstall gives back the original bytes.
    assert_ok(&init(
        &ctx,
        &server,
        &["--key-source", "command", "--shell", "none"],
    ));
    assert!(provider(&ctx).contains_key("auth"));
    assert_ok(&mg(&ctx, &["uninstall", "--yes"], Stdin::Null));
    assert_eq!(ctx.read_config(), mine);
}

#[tokio::test(flavor = "multi_thread")]
async fn key_print_prints_the_stored_key_and_nothing_else() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    assert_ok(&init(&ctx, &server, &["--shell", "bash"]));
    let before = server.received_requests().await.unwrap().len();
    // Another key in the environment does not count: only the store does.
    let mut c = stub_cmd(&ctx);
    c.args(["key", "print"]).env("MODELGATES_API_KEY", BAD_KEY);
    let out = run_with(&mut c, Stdin::Null, TIMEOUT);
    assert_ok(&out);
    assert_eq!(out.stdout, format!("{KEY}\n"));
    assert_eq!(out.stderr, "");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        before,
        "no request"
    );
    // XDG_CONFIG_HOME moves the store, as the shell module writes it.
    let elsewhere = ctx.root_dir("xdg");
    fs::create_dir_all(elsewhere.join("mg-codex")).unwrap();
    fs::write(
        elsewhere.join("mg-codex/env"),
        format!("export MODELGATES_API_KEY='{NEW_KEY}'\n"),
    )
    .unwrap();
    let mut c = stub_cmd(&ctx);
    c.args(["key", "print"]).env("XDG_CONFIG_HOME", &elsewhere);
    assert_eq!(
        run_with(&mut c, Stdin::Null, TIMEOUT).stdout,
        format!("{NEW_KEY}\n")
    );
}

#[test]
fn key_print_without_a_stored_key_is_exit_1_with_the_fix_and_nothing_on_stdout() {
    let ctx = stub_context();
    let out = mg(&ctx, &["key", "print"], Stdin::Null);
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_contains(&out.stderr, "error: no ModelGates key is stored: `");
    assert_contains(&out.stderr, ".config/mg-codex/env` does not exist");
    assert_contains(&out.stderr, "hint: store a key with `printf");
    // A store without a key line.
    let dir = ctx.home().join(".config/mg-codex");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("env"), "# nothing\n").unwrap();
    let out = mg(&ctx, &["key", "print"], Stdin::Null);
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_contains(&out.stderr, "holds no `export MODELGATES_API_KEY=…` line");
}

#[tokio::test(flavor = "multi_thread")]
async fn key_set_checks_the_key_then_rotates_every_copy() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    assert_ok(&init(
        &ctx,
        &server,
        &["--shell", "bash", "--key-in-profile"],
    ));
    let bashrc = ctx.home().join(".bashrc");
    assert_contains(&fs::read_to_string(&bashrc).unwrap(), KEY);

    // A key the gateway rejects: exit 1, nothing changes.
    let before = tree(ctx.root.path());
    let bad = format!("{BAD_KEY}\n");
    let out = mg(&ctx, &["key", "set"], Stdin::Bytes(bad.as_bytes()));
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "ModelGates rejected the key at `");
    assert_same_tree(&before, &tree(ctx.root.path()), "a rejected key");

    let new = format!("{NEW_KEY}\n");
    let out = mg(&ctx, &["key", "set"], Stdin::Bytes(new.as_bytes()));
    assert_ok(&out);
    assert!(!out.stderr.contains(NEW_KEY) && !out.stdout.contains(NEW_KEY));
    assert_contains(&out.stderr, "✓ key accepted");
    // Our one mask, not the server's label (`sk-mg-v1-ab3...9f2` in the fixture).
    assert!(!out.stderr.contains("ab3...9f2"), "{}", out.stderr);
    // The key lived only in the profile: it is rotated there, and no env file appears.
    assert!(!ctx.home().join(".config/mg-codex/env").exists());
    assert!(!ctx.home().join(".config/mg-codex/env.fish").exists());
    let text = fs::read_to_string(&bashrc).unwrap();
    assert!(text.contains(NEW_KEY), "{text}");
    assert!(!text.contains(KEY), "the old key is still there: {text}");
    let checked = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/api/v1/key")
        .filter_map(|r| r.headers.get("authorization").cloned())
        .any(|h| h.to_str().unwrap() == format!("Bearer {NEW_KEY}"));
    assert!(checked, "the new key was checked with GET /key");
    let printed = mg(&ctx, &["key", "print"], Stdin::Null);
    assert_eq!(printed.stdout, format!("{NEW_KEY}\n"));

    // The same key again: nothing to do. `--no-verify` sends nothing.
    let requests = server.received_requests().await.unwrap().len();
    let out = mg(
        &ctx,
        &["key", "set", "--no-verify"],
        Stdin::Bytes(new.as_bytes()),
    );
    assert_ok(&out);
    assert_contains(&out.stderr, "already holds this key: nothing changed");
    assert_eq!(server.received_requests().await.unwrap().len(), requests);
    // Not a key at all.
    let out = mg(
        &ctx,
        &["key", "set", "--no-verify"],
        Stdin::Bytes(b"not a key\n"),
    );
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "hint:");
}
