//! The model catalogue (`model_catalog_json`) end to end: what `init`, `model ID`,
//! `models --sync` and `uninstall` do to `$CODEX_HOME/modelgates-models.json` and to the
//! config's key, against a gateway on 127.0.0.1 (wiremock): the file is private and atomic,
//! named by an absolute path in the layer of the provider, left as it was when the catalogue
//! cannot be fetched or checked, and gone after `uninstall` with the original config bytes back.
//! With the real Codex (`MG_CODEX_TEST_CODEX`): its own entries follow ours, and it loads the
//! result. A stand-in `codex` that refuses every catalogue shows that a refused one is never
//! written.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mg_codex::catalog;
use wiremock::MockServer;

use crate::support::{
    api_json, api_response, assert_contains, assert_exit, assert_no_key, assert_ok,
    assert_same_tree, codex_bin, codex_path, gateway, gateway_url, run_with, serve_all, stub_bin,
    stub_cmd, stub_context, tree, Output, Stdin, TestContext,
};

const KEY: &str = "sk-mg-v1-catalogtestkey0123456789abcd";
const TIMEOUT: Duration = Duration::from_secs(120);
/// The models of `fixtures/api/models.json` with tool support, the configured one first.
const TOOL_MODELS: [&str; 4] = [
    "openai/gpt-5.3-codex",
    "anthropic/claude-sonnet-4.5",
    "openai/gpt-5.2-codex",
    "openai/gpt-5.3-codex:free",
];

fn mg(ctx: &TestContext, args: &[&str], stdin: Stdin<'_>) -> Output {
    let mut c = stub_cmd(ctx);
    c.args(args);
    let out = run_with(&mut c, stdin, TIMEOUT);
    assert_no_key(&out, KEY);
    out
}

/// `mg-codex [GLOBAL] init --yes --api-key-stdin --base-url SERVER --shell none ARGS`.
fn init_with(ctx: &TestContext, global: &[&str], server: &MockServer, args: &[&str]) -> Output {
    let url = gateway_url(server);
    let mut all: Vec<&str> = global.to_vec();
    all.extend([
        "init",
        "--yes",
        "--api-key-stdin",
        "--base-url",
        &url,
        "--shell",
        "none",
    ]);
    all.extend(args);
    let key = format!("{KEY}\n");
    mg(ctx, &all, Stdin::Bytes(key.as_bytes()))
}

fn init(ctx: &TestContext, server: &MockServer, args: &[&str]) -> Output {
    init_with(ctx, &[], server, args)
}

fn catalog_path(ctx: &TestContext) -> PathBuf {
    ctx.codex_home().join("modelgates-models.json")
}

fn read_catalog(path: &Path) -> catalog::CatalogInfo {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!text.contains(KEY), "the key is in the catalogue");
    catalog::inspect(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The root `model_catalog_json` of a config text.
fn catalog_key(text: &str) -> Option<String> {
    let doc: toml_edit::DocumentMut = text.parse().unwrap();
    doc.get(catalog::CONFIG_KEY)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// A gateway whose key and model checks pass but whose `/models` answers 500.
async fn gateway_without_catalogue() -> MockServer {
    serve_all([
        ("GET", "/api/v1/key", api_json("key_valid.json")),
        (
            "GET",
            "/api/v1/model/openai/gpt-5.3-codex",
            api_json("model_gpt_5_3_codex.json"),
        ),
        ("GET", "/api/v1/models", api_response(500, "error_500.json")),
    ])
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn init_writes_a_private_catalogue_of_the_tool_models_named_by_its_absolute_path() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let path = catalog_path(&ctx);
    // A dry run names the file and writes nothing.
    let before = tree(ctx.root.path());
    let dry = init(&ctx, &server, &["--dry-run"]);
    assert_ok(&dry);
    assert_contains(
        &dry.stderr,
        &format!("Would create `{}` (4 ModelGates models", path.display()),
    );
    assert_contains(&dry.stdout, "+model_catalog_json = ");
    assert_same_tree(&before, &tree(ctx.root.path()), "init --dry-run");

    let out = init(&ctx, &server, &[]);
    assert_ok(&out);
    assert_eq!(
        catalog_key(&ctx.read_config()).as_deref(),
        Some(path.to_str().unwrap())
    );
    assert_eq!(mode(&path), 0o600);
    let info = read_catalog(&path);
    assert_eq!(
        info.slugs(),
        TOOL_MODELS,
        "tool models only, the configured first"
    );
    let marker = info.marker.clone().expect("our marker");
    assert_eq!(
        marker.base_url.as_deref(),
        Some(gateway_url(&server).as_str())
    );
    assert_eq!(marker.codex_version, None, "no Codex on PATH: ours only");
    assert!(info.stale_age(std::time::SystemTime::now()).is_none());
    for v in ["0.137.0", "0.144.6", "0.147.0", "0.171.0"] {
        let v = catalog::CodexVersion::parse(v).unwrap();
        assert_eq!(info.problems_for(v), [], "{v}");
    }
    assert_contains(&out.stderr, &format!("Created `{}`", path.display()));
    assert_contains(
        &out.stderr,
        "4 ModelGates models; 2 without tool support left out",
    );

    // The same answers again: nothing is written, not even the date.
    let before = tree(ctx.root.path());
    let again = init(&ctx, &server, &[]);
    assert_ok(&again);
    assert_contains(
        &again.stderr,
        "Everything is already set up: nothing changed",
    );
    assert_same_tree(&before, &tree(ctx.root.path()), "a second init");

    // `--all-models` keeps the others too.
    assert_ok(&init(&ctx, &server, &["--all-models"]));
    assert_eq!(read_catalog(&path).entries.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_gets_its_catalogue_beside_the_profile_file_and_config_toml_stays() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    ctx.write_config("model = \"o3\"\n");
    let out = init_with(&ctx, &["--profile", "work"], &server, &[]);
    assert_ok(&out);
    assert_eq!(ctx.read_config(), "model = \"o3\"\n");
    let profile = fs::read_to_string(ctx.codex_home().join("work.config.toml")).unwrap();
    let path = ctx.codex_home().join("work.modelgates-models.json");
    assert_eq!(
        catalog_key(&profile).as_deref(),
        Some(path.to_str().unwrap())
    );
    assert!(!catalog_path(&ctx).exists());
    assert_eq!(read_catalog(&path).slugs()[0], "openai/gpt-5.3-codex");

    let out = mg(
        &ctx,
        &["--profile", "work", "uninstall", "--yes"],
        Stdin::Null,
    );
    assert_ok(&out);
    assert!(!path.exists(), "the profile's catalogue is removed");
    assert!(!ctx.codex_home().join("work.config.toml").exists());
    assert_eq!(ctx.read_config(), "model = \"o3\"\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalogue_that_cannot_be_fetched_leaves_the_file_there_and_the_rest_proceeds() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    assert_ok(&init(&ctx, &server, &[]));
    let path = catalog_path(&ctx);
    let written = fs::read(&path).unwrap();

    let broken = gateway_without_catalogue().await;
    let out = init(&ctx, &broken, &["--reasoning-effort", "low"]);
    assert_ok(&out);
    assert_contains(&out.stderr, "could not fetch the ModelGates catalogue from");
    assert_contains(&out.stderr, "was left as it is");
    assert_contains(&out.stderr, "`mg-codex models --sync` refreshes it");
    assert_eq!(
        fs::read(&path).unwrap(),
        written,
        "the catalogue is untouched"
    );
    let config = ctx.read_config();
    assert_contains(&config, "model_reasoning_effort = \"low\"");
    assert_eq!(
        catalog_key(&config).as_deref(),
        Some(path.to_str().unwrap())
    );

    // `models --sync` cannot do better: an error, and nothing changes.
    let before = tree(ctx.root.path());
    let out = mg(&ctx, &["models", "--sync"], Stdin::Null);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "cannot fetch the model catalogue from");
    assert_same_tree(&before, &tree(ctx.root.path()), "a failed sync");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_catalogue_to_fetch_the_configured_model_alone_is_written() {
    let broken = gateway_without_catalogue().await;
    let ctx = stub_context();
    let out = init(&ctx, &broken, &["--reasoning-effort", "xhigh"]);
    assert_ok(&out);
    let info = read_catalog(&catalog_path(&ctx));
    assert_eq!(info.slugs(), ["openai/gpt-5.3-codex"]);
    assert_contains(
        &out.stderr,
        "the configured model only (no catalogue was fetched)",
    );

    // `--no-verify` sends nothing, and writes the same from what it knows.
    let server = gateway("models.json").await;
    let ctx = stub_context();
    assert_ok(&init(&ctx, &server, &["--no-verify"]));
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(
        read_catalog(&catalog_path(&ctx)).slugs(),
        ["openai/gpt-5.3-codex"]
    );
    // A sync then fills it in.
    let out = mg(&ctx, &["models", "--sync"], Stdin::Null);
    assert_ok(&out);
    assert_eq!(read_catalog(&catalog_path(&ctx)).slugs(), TOOL_MODELS);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_catalog_writes_none_and_models_sync_adds_it_later() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let mine = "# mine\nmodel = \"o3\"\n\n[tui]\nx = 1\n";
    ctx.write_config(mine);
    assert_ok(&init(&ctx, &server, &["--no-catalog"]));
    assert!(!catalog_path(&ctx).exists());
    assert_eq!(catalog_key(&ctx.read_config()), None);

    // Command auth needs the catalogue: refused before anything is asked or written.
    let before = tree(ctx.root.path());
    let out = init(&ctx, &server, &["--no-catalog", "--key-source", "command"]);
    assert_exit(&out, 1);
    assert_contains(
        &out.stderr,
        "`--key-source command` needs the model catalogue",
    );
    assert_same_tree(&before, &tree(ctx.root.path()), "a refused init");

    let out = mg(&ctx, &["models", "--sync"], Stdin::Null);
    assert_ok(&out);
    let path = catalog_path(&ctx);
    assert_eq!(read_catalog(&path).slugs(), TOOL_MODELS);
    assert_eq!(
        catalog_key(&ctx.read_config()).as_deref(),
        Some(path.to_str().unwrap())
    );
    assert_contains(&out.stderr, "`model_catalog_json` names the catalogue");
    // A second sync rewrites the file (a new date) but not the config.
    let config = ctx.read_config();
    assert_ok(&mg(
        &ctx,
        &["models", "--sync", "--all-models"],
        Stdin::Null,
    ));
    assert_eq!(ctx.read_config(), config);
    assert_eq!(read_catalog(&path).entries.len(), 6);

    // Uninstall: the file goes, and so does the key the sync added.
    assert_ok(&mg(&ctx, &["uninstall", "--yes"], Stdin::Null));
    assert!(!path.exists());
    assert_eq!(ctx.read_config(), mine);
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_refuses_a_config_that_is_not_set_up_for_modelgates() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    ctx.write_config("model_provider = \"openai\"\n");
    let url = gateway_url(&server);
    let out = mg(&ctx, &["models", "--sync", "--base-url", &url], Stdin::Null);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "sends requests to the provider `openai`");
    assert_contains(&out.stderr, "hint:");
    assert!(!catalog_path(&ctx).exists());
    // Sync flags belong to sync.
    let out = mg(&ctx, &["models", "--all-models"], Stdin::Null);
    assert_exit(&out, 2);
    let out = mg(&ctx, &["models", "--sync", "--json"], Stdin::Null);
    assert_exit(&out, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_the_model_rewrites_the_catalogue_the_config_names() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    assert_ok(&init(&ctx, &server, &[]));
    let path = catalog_path(&ctx);

    let dry = mg(
        &ctx,
        &["model", "openai/gpt-5.3-codex", "--dry-run"],
        Stdin::Null,
    );
    assert_ok(&dry);
    let out = mg(&ctx, &["model", "openai/gpt-5.3-codex"], Stdin::Null);
    assert_ok(&out);
    assert_contains(&out.stderr, "is already the model");
    assert_eq!(read_catalog(&path).slugs(), TOOL_MODELS);

    // The mock knows one model by id: switch with --no-verify, which asks nothing.
    let before = fs::read(&path).unwrap();
    let out = mg(
        &ctx,
        &["model", "anthropic/claude-sonnet-4.5", "--no-verify"],
        Stdin::Null,
    );
    assert_ok(&out);
    assert_eq!(fs::read(&path).unwrap(), before, "no request, no rewrite");
    // The file lists it already: no warning.
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);

    // With the catalogue asked, the new model comes first, with the configured effort.
    let out = mg(&ctx, &["models", "--sync"], Stdin::Null);
    assert_ok(&out);
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(doc["models"][0]["slug"], "anthropic/claude-sonnet-4.5");
    assert_eq!(doc["models"][0]["default_reasoning_level"], "high");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalogue_of_the_users_is_left_alone() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let theirs = ctx.codex_home().join("my-models.json");
    fs::write(&theirs, r#"{"models": [{"slug": "mine"}]}"#).unwrap();
    let mine = format!("model_catalog_json = \"{}\"\n", theirs.display());
    ctx.write_config(&mine);
    let out = init(&ctx, &server, &[]);
    assert_ok(&out);
    assert_contains(&out.stderr, "names a model catalogue of yours");
    assert_eq!(
        catalog_key(&ctx.read_config()).as_deref(),
        Some(theirs.to_str().unwrap())
    );
    assert!(!catalog_path(&ctx).exists());
    let out = mg(&ctx, &["models", "--sync"], Stdin::Null);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "mg-codex does not replace it");
    assert_ok(&mg(&ctx, &["uninstall", "--yes"], Stdin::Null));
    assert_eq!(ctx.read_config(), mine);
    assert!(theirs.exists(), "never removed");

    // A file of the user's where ours would go is not overwritten either.
    let ctx = stub_context();
    let path = catalog_path(&ctx);
    fs::write(&path, "my notes\n").unwrap();
    let out = init(&ctx, &server, &[]);
    assert_ok(&out);
    assert_contains(
        &out.stderr,
        "is not a model catalogue mg-codex wrote, so it was left alone",
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "my notes\n");
    assert_eq!(catalog_key(&ctx.read_config()), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_gives_back_every_byte_and_removes_only_a_catalogue_of_ours() {
    let server = gateway("models.json").await;
    for source in ["env", "command"] {
        let ctx = stub_context();
        let mine = "# top\nmodel = \"o3\"\n\n[tui]\nx = 1\n";
        ctx.write_config(mine);
        assert_ok(&init(&ctx, &server, &["--key-source", source]));
        let path = catalog_path(&ctx);
        assert!(path.exists());
        let dry = mg(&ctx, &["uninstall", "--dry-run"], Stdin::Null);
        assert_ok(&dry);
        assert_contains(&dry.stderr, &format!("Would remove `{}`", path.display()));
        let out = mg(&ctx, &["uninstall", "--yes"], Stdin::Null);
        assert_ok(&out);
        assert_contains(&out.stderr, &format!("Removed `{}`", path.display()));
        assert_eq!(ctx.read_config(), mine, "{source}");
        assert!(!path.exists(), "{source}");
    }
    // A file of that name without our marker is not ours.
    let ctx = stub_context();
    let path = catalog_path(&ctx);
    fs::write(&path, r#"{"models": [{"slug": "x"}]}"#).unwrap();
    assert_ok(&mg(&ctx, &["uninstall", "--yes"], Stdin::Null));
    assert!(path.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_installed_codex_entries_follow_ours_and_it_loads_the_result() {
    let Some(codex) = codex_bin() else {
        return;
    };
    let server = gateway("models.json").await;
    let ctx = TestContext::new();
    let url = gateway_url(&server);
    let key = format!("{KEY}\n");
    let out = run_with(
        ctx.cmd()
            .env("PATH", codex_path(&codex))
            .args(["init", "--yes", "--api-key-stdin", "--base-url", &url])
            .args(["--shell", "none", "--key-source", "command"]),
        Stdin::Bytes(key.as_bytes()),
        TIMEOUT,
    );
    assert_ok(&out);
    assert_contains(&out.stderr, "loads the new config");
    let info = read_catalog(&catalog_path(&ctx));
    let version = info.marker.clone().unwrap().codex_version.unwrap();
    assert!(version.starts_with("codex-cli 0."), "{version}");
    assert_eq!(&info.slugs()[..4], TOOL_MODELS);
    assert!(info.entries.len() > 4, "Codex's own entries follow ours");
    assert_contains(&out.stderr, &format!("of {version}'s own"));
}

/// A stand-in `codex` on PATH that answers `--version` and lists no model of its own, but
/// refuses any `model_catalog_json` the way Codex refuses a broken one.
fn refusing_codex(ctx: &TestContext) -> PathBuf {
    let bin = stub_bin(ctx, &["bash"]);
    let codex = bin.join("codex");
    fs::write(
        &codex,
        "#!/bin/sh\n\
         case \"$1\" in\n\
         --version) echo 'codex-cli 0.169.0' ;;\n\
         debug)\n\
           if [ -s \"$CODEX_HOME/config.toml\" ]; then\n\
             echo 'Error: failed to parse model_catalog_json path `x` as JSON: missing field `display_name`' >&2; exit 1\n\
           fi\n\
           echo '{\"models\": []}' ;;\n\
         *) exit 0 ;;\n\
         esac\n",
    )
    .unwrap();
    fs::set_permissions(&codex, fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalogue_codex_refuses_is_never_written() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    refusing_codex(&ctx);
    let out = init(&ctx, &server, &[]);
    assert_ok(&out);
    assert_contains(
        &out.stderr,
        "codex-cli 0.169.0 refuses the new model catalogue",
    );
    assert_contains(&out.stderr, "missing field `display_name`");
    assert!(!catalog_path(&ctx).exists());
    assert_eq!(
        catalog_key(&ctx.read_config()),
        None,
        "no key for a file that is not there"
    );
}
