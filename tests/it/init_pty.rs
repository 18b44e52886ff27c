//! The guided `mg-codex init` in a pseudo-terminal (rexpect): the pty is stdin, stdout and
//! stderr, so dialoguer draws its prompts on it and reads keys from it, as for a user. Against a
//! local gateway (wiremock): a wrong key (401) is refused and asked again, the model list is
//! searched, the other answers are taken (the docs MCP server included), and the files written
//! are checked; a second run that keeps every answer changes nothing and does not ask about the
//! docs server again; `uninstall` asks before removing it all. The docs server's question
//! defaults to no.
//!
//! Robust to terminal drawing: `NO_COLOR=1` (dialoguer's plain theme), ANSI escape codes
//! stripped by the reader, prompts matched on their text. Keys are typed one at a time, with a
//! pause, and only once the prompt they answer is on screen: dialoguer's hidden input flushes
//! what was typed before it started (`TCSAFLUSH`).

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::{
    api_json, assert_contains, assert_same_tree, gateway, route, stub_bin, tree, Terminal,
    TestContext, BAD_KEY, SLOW,
};

const KEY: &str = "sk-mg-v1-inittestkey0123456789abcdef";

#[tokio::test(flavor = "multi_thread")]
async fn the_guided_flow_on_a_terminal() {
    let server = gateway("models.json").await;
    let base_url = format!("{}/api/v1", server.uri());
    let ctx = TestContext::new();
    stub_bin(&ctx, &["bash"]);
    let work = fs::canonicalize(ctx.work()).unwrap().display().to_string();

    let trust_key = work.clone();
    let ctx = tokio::task::spawn_blocking(move || {
        let mut t = Terminal::start(&ctx, &["init", "--base-url", &base_url]);
        t.expect("Setting up Codex to use ModelGates");

        // Where keys come from, and the offer to open the page (default no).
        t.expect("https://modelgates.ai/keys");
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        // A key the gateway refuses, then the right one.
        t.expect("ModelGates API key");
        t.type_line(&format!("{BAD_KEY}\r"));
        t.expect("ModelGates rejected the key (401)");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        t.expect("key accepted");

        // The model: search the list, take the match.
        t.expect("Model (type to search)");
        t.type_keys("gpt-5.2");
        t.expect("openai/gpt-5.2-codex");
        t.type_keys("\r");

        // The reasoning effort: the default.
        t.expect("Reasoning effort");
        t.type_keys("\r");

        // Trust this directory (not a git repository: the default is no).
        t.expect("Trust this project for Codex?");
        t.expect(&format!("[projects.\"{trust_key}\"]"));
        t.type_keys("y\r");

        // The detected shells, pre-selected.
        t.expect("Shells that get MODELGATES_API_KEY");
        t.type_keys("\r");

        // The docs MCP server: asked, default no; yes.
        t.expect("Add the ModelGates docs MCP server to Codex?");
        t.expect("[mcp_servers.modelgates-docs]) [y/N]");
        t.type_keys("y\r");

        // The summary, no diff, then write.
        t.expect("These files will change:");
        t.expect("Show the changes as a diff?");
        t.type_keys("n\r");
        t.expect("Write these changes?");
        t.type_keys("y\r");
        t.expect("Next: open a new terminal");
        let code = t.finish();
        assert_eq!(code, 0, "{}", t.transcript);
        assert!(
            !t.transcript.contains("inittestkey") && !t.transcript.contains("rejectedkey"),
            "a key was shown:\n{}",
            t.transcript
        );
        assert_contains(&t.transcript, "Created `");
        ctx
    })
    .await
    .unwrap();

    // What was written.
    let doc: toml_edit::DocumentMut = ctx.read_config().parse().unwrap();
    assert_eq!(doc["model_provider"].as_str(), Some("modelgates"));
    assert_eq!(doc["model"].as_str(), Some("openai/gpt-5.2-codex"));
    assert_eq!(doc["model_reasoning_effort"].as_str(), Some("high"));
    assert_eq!(
        doc["model_providers"]["modelgates"]["base_url"].as_str(),
        Some(format!("{}/api/v1", server.uri()).as_str())
    );
    assert_eq!(
        doc["projects"][work.as_str()]["trust_level"].as_str(),
        Some("trusted")
    );
    assert_eq!(
        doc["mcp_servers"]["modelgates-docs"]["url"].as_str(),
        Some("https://modelgates.ai/docs/_mcp/server")
    );
    assert!(!ctx.read_config().contains(KEY));
    let env_file = ctx.home().join(".config/mg-codex/env");
    assert_contains(&fs::read_to_string(&env_file).unwrap(), KEY);
    assert_eq!(
        fs::metadata(&env_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_contains(
        &fs::read_to_string(ctx.home().join(".bashrc")).unwrap(),
        ".config/mg-codex/env",
    );
    // Both keys were tried, the wrong one first.
    let tried: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/key")
        .map(|r| r.headers["authorization"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        tried,
        [format!("Bearer {BAD_KEY}"), format!("Bearer {KEY}")]
    );

    // Again, keeping every answer (the stored key is offered, masked): nothing changes.
    let before = tree(ctx.root.path());
    let ctx = tokio::task::spawn_blocking(move || {
        let mut t = Terminal::start(&ctx, &["init"]);
        t.expect("ModelGates is already configured there");
        // (The reader decodes bytes one by one: match ASCII only around the masked key's `…`.)
        t.expect("Use the key from the mg-codex env file (sk-mg-");
        t.expect("cdef)?");
        t.type_keys("\r");
        t.expect("key accepted");
        t.answer(&[
            ("Model (type to search)", "\r"),
            ("Reasoning effort", "\r"),
            ("Shells that get MODELGATES_API_KEY", "\r"),
        ]);
        t.expect("Everything is already set up: nothing changed");
        let code = t.finish();
        assert_eq!(code, 0, "{}", t.transcript);
        assert!(
            !t.transcript.contains("Trust this project"),
            "{}",
            t.transcript
        );
        // The docs server is there: no question about it.
        assert!(
            !t.transcript.contains("Add the ModelGates docs MCP server"),
            "{}",
            t.transcript
        );
        assert!(!t.transcript.contains("inittestkey"), "{}", t.transcript);
        ctx
    })
    .await
    .unwrap();
    assert_same_tree(&before, &tree(ctx.root.path()), "a second guided init");

    // `uninstall` on the terminal shows what it would do and asks: no changes nothing...
    let ctx = tokio::task::spawn_blocking(move || {
        let mut t = Terminal::start(&ctx, &["uninstall"]);
        t.expect("-model_provider = \"modelgates\"");
        t.expect("Remove the mg-codex set-up as shown?");
        t.type_keys("n\r");
        t.expect("Nothing was changed");
        assert_eq!(t.finish(), 1, "{}", t.transcript);
        ctx
    })
    .await
    .unwrap();
    assert_same_tree(&before, &tree(ctx.root.path()), "a declined uninstall");

    // ... yes removes it.
    let ctx = tokio::task::spawn_blocking(move || {
        let mut t = Terminal::start(&ctx, &["uninstall"]);
        t.expect("Remove the mg-codex set-up as shown?");
        t.type_keys("y\r");
        t.expect("Removed `");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        assert!(!t.transcript.contains("inittestkey"), "{}", t.transcript);
        ctx
    })
    .await
    .unwrap();
    // The config `init` created goes, its trust entry with it.
    assert!(!ctx.config().exists(), "{}", ctx.read_config());
    assert!(!ctx.home().join(".config/mg-codex").exists());
    assert!(!ctx.home().join(".bashrc").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_docs_server_question_defaults_to_no() {
    let server = gateway("models.json").await;
    let base_url = format!("{}/api/v1", server.uri());
    let ctx = TestContext::new();
    stub_bin(&ctx, &["bash"]);
    let ctx = tokio::task::spawn_blocking(move || {
        let mut t = Terminal::start(&ctx, &["init", "--base-url", &base_url, "--shell", "none"]);
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        t.expect("key accepted");
        t.answer(&[
            ("Model (type to search)", "\r"),
            ("Reasoning effort", "\r"),
            ("Trust this project for Codex?", "\r"),
        ]);
        // Enter takes the default.
        t.expect("Add the ModelGates docs MCP server to Codex?");
        t.answer(&[
            ("[y/N]", "\r"),
            ("Show the changes as a diff?", "n\r"),
            ("Write these changes?", "y\r"),
        ]);
        t.expect("Next:");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        ctx
    })
    .await
    .unwrap();
    let text = ctx.read_config();
    assert!(text.contains("[model_providers.modelgates]"), "{text}");
    assert!(!text.contains("mcp_servers"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_requests_show_a_spinner_that_is_gone_before_the_next_prompt() {
    let server = gateway("models.json").await;
    for (path, fixture) in [
        ("/api/v1/key", "key_valid.json"),
        ("/api/v1/models", "models.json"),
    ] {
        route("GET", path)
            .respond_with(api_json(fixture).set_delay(SLOW))
            .with_priority(3)
            .mount(&server)
            .await;
    }
    let base_url = format!("{}/api/v1", server.uri());
    let ctx = TestContext::new();
    stub_bin(&ctx, &["bash"]);
    tokio::task::spawn_blocking(move || {
        let mut t = Terminal::start(
            &ctx,
            &[
                "init",
                "--base-url",
                &base_url,
                "--shell",
                "none",
                "--dry-run",
            ],
        );
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        // (ASCII only: the reader decodes bytes one by one, and the text ends with `…`.)
        t.expect("Checking the key");
        t.expect("key accepted");
        t.expect("Fetching the model catalogue");
        t.answer(&[
            ("Model (type to search)", "\r"),
            ("Reasoning effort", "\r"),
            ("Trust this project for Codex?", "\r"),
            ("Add the ModelGates docs MCP server to Codex?", "\r"),
        ]);
        t.expect("Dry run: nothing was written");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        // Each spinner was drawn once the wait lasted, and never again after its answer.
        t.assert_spun("Checking the key");
        t.assert_spun("Fetching the model catalogue");
        let spun = |text: &str| t.transcript.rfind(text).unwrap();
        assert!(spun("Checking the key") < t.transcript.find("key accepted").unwrap());
        assert!(
            spun("Fetching the model catalogue")
                < t.transcript.find("Model (type to search)").unwrap()
        );
    })
    .await
    .unwrap();
}
