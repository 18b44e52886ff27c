//! The ModelGates docs MCP server (`init --docs-mcp`): the real binary in a temporary HOME
//! against the local gateway (wiremock on 127.0.0.1), and the real Codex CLI
//! (`codex mcp list --json`) as the judge of what was written.
//!
//! `init --docs-mcp` writes `[mcp_servers.modelgates-docs]` as `codex mcp add` does, and only
//! that besides init's own settings; a second run changes nothing; `uninstall` gives back every
//! byte; an entry of the user's under that name is left alone with a warning; `doctor` shows the
//! entry (human and JSON) and has no row without one.

use std::fs;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use wiremock::MockServer;

use crate::support::{
    assert_contains, assert_no_key, assert_ok, assert_same_tree, backdate, codex_bin, codex_cmd,
    codex_path, corpus_dir, gateway, gateway_url, run_with, run_with_timeout, stub_bin, stub_cmd,
    stub_context, tree, Output, Stdin, TestContext, CODEX_TIMEOUT,
};

const KEY: &str = "sk-mg-v1-docsmcptestkey0123456789abcdef";
const URL: &str = "https://modelgates.ai/docs/_mcp/server";
/// The table `codex mcp add modelgates-docs --url URL` appends (one blank line above it).
const TABLE: &str =
    "\n[mcp_servers.modelgates-docs]\nurl = \"https://modelgates.ai/docs/_mcp/server\"\n";
const TIMEOUT: Duration = Duration::from_secs(60);

/// `mg-codex init --yes --api-key-stdin --base-url SERVER --shell none --no-catalog ARGS` (the
/// model catalogue is `catalog_cli`'s: here the config's bytes are compared across homes).
fn init(ctx: &TestContext, server: &MockServer, args: &[&str]) -> Output {
    let mut c = stub_cmd(ctx);
    c.args([
        "init",
        "--yes",
        "--api-key-stdin",
        "--shell",
        "none",
        "--no-catalog",
    ])
    .arg("--base-url")
    .arg(gateway_url(server))
    .args(args);
    let out = run_with(&mut c, Stdin::Bytes(format!("{KEY}\n").as_bytes()), TIMEOUT);
    assert_no_key(&out, KEY);
    out
}

fn uninstall(ctx: &TestContext) -> Output {
    let mut c = stub_cmd(ctx);
    c.args(["uninstall", "--yes"]);
    let out = run_with(&mut c, Stdin::Null, TIMEOUT);
    assert_no_key(&out, KEY);
    out
}

/// `mg-codex doctor --offline ARGS` (no request: the check is about the file).
fn doctor(ctx: &TestContext, args: &[&str]) -> Output {
    let mut c = stub_cmd(ctx);
    c.args(["doctor", "--offline"])
        .args(args)
        .env("MODELGATES_API_KEY", KEY);
    let out = run_with(&mut c, Stdin::Null, TIMEOUT);
    assert_no_key(&out, KEY);
    out
}

/// `codex mcp list --json` on a private copy of `config` (in `root/NAME`, with HOME
/// `root/home`), so Codex writes nothing beside the file under test. Fails the test when Codex
/// does not load it.
fn codex_mcp_list(codex: &Path, root: &Path, name: &str, config: &str) -> Vec<Value> {
    let codex_home = root.join(name);
    let home = root.join("home");
    fs::create_dir_all(&codex_home).unwrap();
    fs::create_dir_all(&home).unwrap();
    fs::write(codex_home.join("config.toml"), config).unwrap();
    let out = run_with_timeout(
        codex_cmd(codex, &home, &codex_home).args(["mcp", "list", "--json"]),
        CODEX_TIMEOUT,
        root,
        name,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.code, 0,
        "Codex does not load the config:\n{}\n--- config ---\n{config}",
        out.stderr
    );
    serde_json::from_str::<Vec<Value>>(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "`codex mcp list --json` is not a JSON list: {e}\n{}",
            out.stdout
        )
    })
}

/// The names of the servers Codex lists.
fn names(servers: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = servers
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// Asserts that Codex sees our server as `codex mcp add … --url` makes it.
#[track_caller]
fn assert_lists_the_docs_server(servers: &[Value]) {
    let docs = servers
        .iter()
        .find(|s| s["name"] == "modelgates-docs")
        .unwrap_or_else(|| panic!("Codex does not list `modelgates-docs`: {servers:?}"));
    assert_eq!(docs["enabled"], true, "{docs}");
    assert_eq!(docs["transport"]["type"], "streamable_http", "{docs}");
    assert_eq!(docs["transport"]["url"], URL, "{docs}");
}

/// The JSON report's check `id`, if it is there.
fn json_check(out: &Output, id: &str) -> Option<Value> {
    let report: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}\n{}", out.stdout));
    assert_eq!(report["schema_version"], 2);
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn init_docs_mcp_writes_the_table_codex_add_writes_and_codex_lists_it() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let mine = "# mine\nmodel = \"o3\"\n\n[tui]\nnotifications = true\n";
    ctx.write_config(mine);

    // The dry run shows the table in the diff and writes nothing.
    let before = tree(ctx.root.path());
    let out = init(&ctx, &server, &["--docs-mcp", "--dry-run"]);
    assert_ok(&out);
    assert_same_tree(&before, &tree(ctx.root.path()), "init --dry-run --docs-mcp");
    assert_contains(
        &out.stdout,
        &format!("+\n+[mcp_servers.modelgates-docs]\n+url = \"{URL}\"\n"),
    );

    let out = init(&ctx, &server, &["--docs-mcp"]);
    assert_ok(&out);
    assert_contains(
        &out.stderr,
        "with the ModelGates docs MCP server `modelgates-docs`",
    );
    let text = ctx.read_config();
    let expected = format!(
        "# mine\nmodel = \"openai/gpt-5.3-codex\"\nmodel_provider = \"modelgates\"\nmodel_reasoning_effort = \"high\"\n\n\
         [tui]\nnotifications = true\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}\"\nenv_key = \"MODELGATES_API_KEY\"\n\
         env_key_instructions = \"Run `mg-codex init` to store your ModelGates API key for your shells, then open a new terminal.\"\n\
         wire_api = \"responses\"\n{TABLE}",
        gateway_url(&server)
    );
    assert_eq!(text, expected);

    // The same bytes as `codex mcp add` writes after init's own settings.
    if let Some(codex) = codex_bin() {
        let scratch = ctx.root_dir("codex");
        let without = text.strip_suffix(TABLE).unwrap();
        let added_by_codex = scratch.join("added");
        fs::create_dir_all(&added_by_codex).unwrap();
        fs::write(added_by_codex.join("config.toml"), without).unwrap();
        fs::create_dir_all(scratch.join("home")).unwrap();
        let out = run_with_timeout(
            codex_cmd(&codex, &scratch.join("home"), &added_by_codex).args([
                "mcp",
                "add",
                "modelgates-docs",
                "--url",
                URL,
            ]),
            CODEX_TIMEOUT,
            &scratch,
            "mcp-add",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            fs::read_to_string(added_by_codex.join("config.toml")).unwrap(),
            text,
            "`codex mcp add` writes other bytes than `init --docs-mcp`"
        );
        let servers = codex_mcp_list(&codex, &scratch, "listed", &text);
        assert_eq!(names(&servers), ["modelgates-docs"]);
        assert_lists_the_docs_server(&servers);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn init_twice_changes_nothing_and_uninstall_gives_back_every_byte() {
    let server = gateway("models.json").await;
    for original in [
        None,
        Some("# mine\nmodel = \"o3\" # default\n\n[mcp_servers.context7]\nurl = \"https://mcp.context7.com/mcp\"\n\n[tui]\nnotifications = true\n"),
        Some("mcp_servers = { context7 = { url = \"https://mcp.context7.com/mcp\" } } # inline\n"),
        Some("model = \"o3\"\r\n\r\n[tui]\r\nnotifications = true"),
    ] {
        let ctx = stub_context();
        if let Some(text) = original {
            ctx.write_config(text);
        }
        assert_ok(&init(&ctx, &server, &["--docs-mcp"]));
        let written = ctx.read_config();
        assert!(written.contains(URL), "{written}");
        backdate(ctx.root.path());
        let first = tree(ctx.root.path());

        let out = init(&ctx, &server, &["--docs-mcp"]);
        assert_ok(&out);
        assert_contains(&out.stderr, "nothing changed");
        assert_same_tree(&first, &tree(ctx.root.path()), "a second init --docs-mcp");
        // Without the flag, the server stays: `--yes` never removes it.
        let out = init(&ctx, &server, &[]);
        assert_ok(&out);
        assert_same_tree(&first, &tree(ctx.root.path()), "init --yes without --docs-mcp");

        let out = uninstall(&ctx);
        assert_ok(&out);
        match original {
            Some(text) => assert_eq!(ctx.read_config(), text),
            None => assert!(!ctx.config().exists(), "{}", ctx.read_config()),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_after_an_edit_removes_the_server_only_if_it_is_still_ours() {
    let server = gateway("models.json").await;
    let original = "# mine\nmodel = \"o3\"\n\n[tui]\nnotifications = true\n";

    // Edited elsewhere since init: the server goes with the rest of init's settings.
    let ctx = stub_context();
    ctx.write_config(original);
    assert_ok(&init(&ctx, &server, &["--docs-mcp"]));
    let edited = ctx
        .read_config()
        .replace("[tui]\n", "[tui]\ntheme = \"dark\"\n");
    ctx.write_config(&edited);
    assert_ok(&uninstall(&ctx));
    assert_eq!(
        ctx.read_config(),
        original.replace("[tui]\n", "[tui]\ntheme = \"dark\"\n")
    );

    // Pointed elsewhere since init: kept, and said so.
    let ctx = stub_context();
    ctx.write_config(original);
    assert_ok(&init(&ctx, &server, &["--docs-mcp"]));
    let edited = ctx
        .read_config()
        .replace(URL, "https://docs.example.com/mcp");
    ctx.write_config(&edited);
    let out = uninstall(&ctx);
    assert_ok(&out);
    assert_contains(
        &out.stderr,
        "kept `mcp_servers.modelgates-docs`: it changed since mg-codex wrote it, so it is yours now",
    );
    assert_eq!(
        ctx.read_config(),
        format!(
            "{original}\n[mcp_servers.modelgates-docs]\nurl = \"https://docs.example.com/mcp\"\n"
        )
    );

    // A server that was there before init is the user's: uninstall leaves it.
    let ctx = stub_context();
    let theirs = format!("model = \"o3\"\n{TABLE}");
    ctx.write_config(&theirs);
    assert_ok(&init(&ctx, &server, &["--docs-mcp"]));
    let edited = ctx.read_config().replace(
        "model = \"openai/gpt-5.3-codex\"",
        "model = \"openai/gpt-5.2-codex\"",
    );
    ctx.write_config(&edited);
    assert_ok(&uninstall(&ctx));
    let text = ctx.read_config();
    assert!(text.ends_with(TABLE), "{text}");
    assert!(!text.contains("modelgates\""), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_modelgates_docs_entry_of_the_users_is_left_alone_with_a_warning() {
    let server = gateway("models.json").await;
    for (entry, warning) in [
        (
            "[mcp_servers.modelgates-docs]\nurl = 'https://docs.example.com/mcp' # my mirror\n",
            "it points to `https://docs.example.com/mcp`, not `https://modelgates.ai/docs/_mcp/server`; it is not what mg-codex writes, so it is yours",
        ),
        (
            "[mcp_servers.modelgates-docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp\"]\n",
            "it runs a local command (`npx`)",
        ),
        (
            "[mcp_servers.modelgates-docs]\nurl = \"https://modelgates.ai/docs/_mcp/server\"\nenabled = false\n",
            "`[mcp_servers.modelgates-docs]` is disabled (`enabled = false`) and mg-codex leaves it so",
        ),
    ] {
        let ctx = stub_context();
        let original = format!("model = \"o3\"\n\n{entry}\n[tui]\nnotifications = true\n");
        ctx.write_config(&original);

        let out = init(&ctx, &server, &["--docs-mcp", "--dry-run"]);
        assert_ok(&out);
        assert_contains(&out.stderr, warning);
        assert!(
            !out.stdout
                .lines()
                .any(|l| l.starts_with('+') && l.contains("modelgates-docs")),
            "{}",
            out.stdout
        );

        let out = init(&ctx, &server, &["--docs-mcp"]);
        assert_ok(&out);
        assert_contains(&out.stderr, "warning: ");
        assert_contains(&out.stderr, warning);
        if !entry.contains("enabled = false") {
            assert_contains(
                &out.stderr,
                "`codex mcp remove modelgates-docs`, then `mg-codex init --docs-mcp`",
            );
        }
        assert!(!out.stderr.contains("with the ModelGates docs MCP server"));
        let text = ctx.read_config();
        assert_contains(&text, &format!("\n\n{entry}\n[tui]\n"));
        assert_eq!(text.matches("modelgates-docs").count(), 1, "{text}");

        // doctor warns, with the fix.
        let out = doctor(&ctx, &[]);
        assert_contains(&out.stdout, "! codex.docs_mcp");
        assert_contains(&out.stdout, "fix: ");

        assert_ok(&uninstall(&ctx));
        assert_eq!(ctx.read_config(), original);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_files_get_the_table_beside_their_servers_and_nothing_else() {
    // With `[mcp_servers.*]` tables (sub-tables `env` and `tools`, a bare `[mcp_servers]`
    // header, comments after the last one) and without any.
    let with_servers = [
        "codex-config/001.toml",
        "codex-config/011.toml",
        "codex-config/029.toml",
        "codex-config-toml11/003.toml",
    ];
    let without = [
        "codex-config/006.toml",
        "codex-config/014.toml",
        "codex-config/042.toml",
    ];
    let server = gateway("models.json").await;
    let codex = codex_bin();
    for label in with_servers.iter().chain(&without) {
        let original = fs::read_to_string(corpus_dir().join(label)).unwrap();
        assert_eq!(
            original.contains("\n[mcp_servers."),
            with_servers.contains(label),
            "{label}: pick another file"
        );
        // The same init with and without the docs server, in two homes.
        let plain = stub_context();
        plain.write_config(&original);
        assert_ok(&init(&plain, &server, &[]));
        let ctx = stub_context();
        ctx.write_config(&original);
        assert_ok(&init(&ctx, &server, &["--docs-mcp"]));
        let text = ctx.read_config();

        // Only the table is added, at one place, and nothing else differs.
        assert_eq!(text.matches(TABLE).count(), 1, "{label}:\n{text}");
        let at = text.find(TABLE).unwrap();
        assert_eq!(
            format!("{}{}", &text[..at], &text[at + TABLE.len()..]),
            plain.read_config(),
            "{label}: init --docs-mcp changed more than the table"
        );
        // Beside the other servers (after the last of them and their sub-tables), else at the
        // end (trailing comments excepted).
        let headers: Vec<&str> = text[..at]
            .lines()
            .filter(|l| l.trim_start().starts_with('['))
            .collect();
        let rest = &text[at + TABLE.len()..];
        if with_servers.contains(label) {
            let last_server = original
                .lines()
                .rfind(|l| l.starts_with("[mcp_servers."))
                .unwrap();
            assert_eq!(headers.last(), Some(&last_server), "{label}:\n{text}");
            assert!(
                !rest.lines().any(|l| l.starts_with("[mcp_servers.")),
                "{label}: a server comes after ours:\n{text}"
            );
        } else {
            assert!(
                rest.lines()
                    .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')),
                "{label}: the table is not at the end:\n{text}"
            );
        }

        // Codex loads it and lists every server it listed before, and ours.
        if let Some(codex) = &codex {
            let scratch = ctx.root_dir("codex");
            let before = codex_mcp_list(codex, &scratch, "before", &original);
            let after = codex_mcp_list(codex, &scratch, "after", &text);
            let mut expected = names(&before);
            expected.push("modelgates-docs".into());
            expected.sort();
            assert_eq!(names(&after), expected, "{label}");
            assert_lists_the_docs_server(&after);
        }

        // uninstall gives the corpus bytes back.
        assert_ok(&uninstall(&ctx));
        assert_eq!(ctx.read_config(), original, "{label}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_shows_the_docs_server_only_when_there_is_one() {
    let server = gateway("models.json").await;
    let ctx = stub_context();
    let work = fs::canonicalize(ctx.work()).unwrap();
    assert_ok(&init(&ctx, &server, &["--trust", work.to_str().unwrap()]));

    // No entry: no row (it is optional), in either output.
    let out = doctor(&ctx, &[]);
    assert!(!out.stdout.contains("docs_mcp"), "{}", out.stdout);
    let out = doctor(&ctx, &["--json"]);
    assert_eq!(json_check(&out, "codex.docs_mcp"), None);
    assert!(json_check(&out, "codex.cli").is_some());

    // Ours: ok, with the url.
    assert_ok(&init(&ctx, &server, &["--docs-mcp"]));
    let out = doctor(&ctx, &[]);
    assert_contains(
        &out.stdout,
        "  ✓ codex.docs_mcp   the ModelGates docs MCP server `modelgates-docs` is at `https://modelgates.ai/docs/_mcp/server`\n",
    );
    let out = doctor(&ctx, &["--json"]);
    let check = json_check(&out, "codex.docs_mcp").expect("a codex.docs_mcp check");
    assert_eq!(check["category"], "codex");
    assert_eq!(check["status"], "ok");
    assert_eq!(check["details"]["url"], URL);
    assert_eq!(check["details"]["expected_url"], URL);
    assert_eq!(check["remediation"], Value::Null);

    // Disabled: a warning saying which line to delete.
    let text = ctx.read_config();
    ctx.write_config(&format!("{text}enabled = false\n"));
    let out = doctor(&ctx, &["--json"]);
    let check = json_check(&out, "codex.docs_mcp").unwrap();
    assert_eq!(check["status"], "warning");
    assert_eq!(check["details"]["enabled"], false);
    assert_contains(check["remediation"].as_str().unwrap(), "`enabled = false`");

    // Neither url nor command: Codex refuses the whole file, so it fails (exit 1).
    ctx.write_config(&text.replace(&format!("url = \"{URL}\"\n"), "startup_timeout_sec = 5\n"));
    let out = doctor(&ctx, &["--ascii"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_contains(&out.stdout, "[XX] codex.docs_mcp");
    assert_contains(&out.stdout, "has neither `url` nor `command`");

    // Codex itself loads the config with the server, and doctor says so.
    if let Some(codex) = codex_bin() {
        ctx.write_config(&text);
        let mut c = stub_cmd(&ctx);
        let path = format!(
            "{}:{}",
            stub_bin(&ctx, &["bash"]).display(),
            codex_path(&codex).to_string_lossy()
        );
        c.args(["doctor", "--offline"])
            .env("MODELGATES_API_KEY", KEY)
            .env("PATH", path);
        let before = tree(ctx.root.path());
        let out = run_with(&mut c, Stdin::Null, Duration::from_secs(120));
        assert_same_tree(&before, &tree(ctx.root.path()), "doctor");
        assert_contains(&out.stdout, "✓ codex.cli");
        assert_contains(&out.stdout, "loads the config");
        assert_contains(&out.stdout, "✓ codex.docs_mcp");
    }
}
