//! `mg-codex models` and `mg-codex model`: the real binary in a temporary HOME against a
//! gateway on 127.0.0.1 (wiremock) serving `fixtures/api/catalogue.json`.
//!
//! `models`: sorting, the substring and fuzzy filters, `--tools-only` (asked of the server and
//! applied anyway), the JSON fields, the configured model's mark, plain tab-separated lines when
//! piped, the table fitted to a terminal's width (on a pty), the key sent only when there is one
//! (and dropped when rejected), errors naming the host. `model`: printing the configured model;
//! a switch of every corpus file changes exactly one line (or adds one) and Codex loads the
//! result as it loaded the file before; `--no-verify` sends nothing; unknown ids get "did you
//! mean"; configs that do not use ModelGates are refused untouched; `--dry-run` and a same-id
//! switch write nothing; `uninstall` still gives back the original bytes after a switch.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use mg_codex::config_file;
use mg_codex::setup::{self, Settings};
use serde_json::Value;
use wiremock::MockServer;

use crate::support::{
    api_response, assert_contains, assert_exit, assert_no_failures, assert_no_key,
    assert_same_tree, codex_bin, codex_features_list, copy_corpus_file, corpus_files, gateway,
    gateway_url, par_map, route, run_with, set_pty_size, stub_bin, tree, Output, Stdin,
    TestContext, BAD_KEY, VALID_CORPUS_DIRS,
};

const KEY: &str = "sk-mg-v1-modelstestkey0123456789abcdef";
const TIMEOUT: Duration = Duration::from_secs(60);
/// The ids of `fixtures/api/catalogue.json`, sorted.
const ALL_IDS: [&str; 10] = [
    "anthropic/claude-sonnet-4.5",
    "deepseek/deepseek-r1",
    "meta-llama/llama-3.1-8b-instruct",
    "mistralai/mistral-7b-instruct",
    "modelgates/auto",
    "moonshotai/kimi-k2",
    "openai/gpt-5.2-codex",
    "openai/gpt-5.3-codex",
    "openai/gpt-5.3-codex:free",
    "qwen/qwen3-coder-480b-a35b-instruct-turbo:nitro",
];

/// A config set up for ModelGates as `init` writes it, pointing at `server`.
fn set_up_config(server: &MockServer, model: &str) -> String {
    format!(
        "# mine\nmodel_provider = \"modelgates\"\nmodel = \"{model}\" # keep this comment\nmodel_reasoning_effort = \"high\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}\"\nenv_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n\n\
         [tui]\nnotifications = true\n",
        gateway_url(server)
    )
}

/// `mg-codex ARGS` in the context's HOME, stdin closed.
fn mg(ctx: &TestContext, args: &[&str]) -> Output {
    mg_with(ctx, args, |_| {})
}

fn mg_with(ctx: &TestContext, args: &[&str], adjust: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = ctx.cmd();
    cmd.args(args);
    adjust(&mut cmd);
    let out = run_with(&mut cmd, Stdin::Null, TIMEOUT);
    for key in [KEY, BAD_KEY] {
        assert_no_key(&out, key);
    }
    out
}

/// `mg-codex models --base-url SERVER ARGS`.
fn models(ctx: &TestContext, server: &MockServer, args: &[&str]) -> Output {
    let url = gateway_url(server);
    let mut all = vec!["models", "--base-url", &url];
    all.extend_from_slice(args);
    mg(ctx, &all)
}

/// The first field (the id) of every piped line.
fn ids(out: &Output) -> Vec<String> {
    out.stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

/// The piped line of `id`, split into its fields.
fn fields(out: &Output, id: &str) -> Vec<String> {
    out.stdout
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
        .find(|f| f[0] == id)
        .unwrap_or_else(|| panic!("no line for `{id}` in:\n{}", out.stdout))
}

fn json(out: &Output) -> Vec<Value> {
    serde_json::from_str::<Value>(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
        .as_array()
        .expect("a JSON array")
        .clone()
}

// ---------------------------------------------------------------------------------------------
// models

#[tokio::test(flavor = "multi_thread")]
async fn piped_output_is_every_model_sorted_by_id_one_tab_separated_line_each() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    for color in [&[][..], &["--color", "always"][..]] {
        let out = mg_with(
            &ctx,
            &[&["models", "--base-url", &gateway_url(&server)], color].concat(),
            |c| {
                c.env_remove("NO_COLOR");
            },
        );
        assert_exit(&out, 0);
        assert_eq!(ids(&out), ALL_IDS, "{}", out.stdout);
        assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
        assert!(!out.stdout.contains('…'), "nothing is shortened when piped");
        for line in out.stdout.lines() {
            assert_eq!(line.split('\t').count(), 8, "{line:?}");
        }
        assert_eq!(
            fields(&out, "openai/gpt-5.3-codex"),
            [
                "openai/gpt-5.3-codex",
                "400K",
                "$1.75",
                "$14.00",
                "yes",
                "yes",
                "",
                "OpenAI: GPT-5.3 Codex"
            ]
        );
        // Free, unknown support, a price that varies, a long id kept whole, no context length.
        assert_eq!(
            fields(&out, "openai/gpt-5.3-codex:free")[1..4],
            ["128K", "free", "free"]
        );
        assert_eq!(
            fields(&out, "meta-llama/llama-3.1-8b-instruct")[4..6],
            ["?", "?"]
        );
        assert_eq!(fields(&out, "modelgates/auto")[1..4], ["2M", "-", "-"]);
        assert_eq!(
            fields(&out, "mistralai/mistral-7b-instruct")[1..6],
            ["33K", "$0.028", "$0.054", "no", "no"]
        );
        assert_eq!(fields(&out, "moonshotai/kimi-k2")[1], "-");
        assert_contains(
            &out.stderr,
            "10 models in the catalogue at `http://127.0.0.1:",
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_keeps_the_models_whose_id_or_name_contains_it() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    let out = models(&ctx, &server, &["CODEX"]);
    assert_exit(&out, 0);
    assert_eq!(
        ids(&out),
        [
            "openai/gpt-5.2-codex",
            "openai/gpt-5.3-codex",
            "openai/gpt-5.3-codex:free"
        ]
    );
    assert_contains(&out.stderr, "3 models match `CODEX`");
    // Only the name says "Router".
    let out = models(&ctx, &server, &["router"]);
    assert_eq!(ids(&out), ["modelgates/auto"]);
    assert_contains(&out.stderr, "1 model matches `router`");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_substring_match_the_query_matches_fuzzily() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    for (query, want) in [
        (
            "gpt53codex",
            &["openai/gpt-5.3-codex", "openai/gpt-5.3-codex:free"][..],
        ),
        ("cluade", &["anthropic/claude-sonnet-4.5"][..]),
        (
            "qwen coder turbo nitro",
            &["qwen/qwen3-coder-480b-a35b-instruct-turbo:nitro"][..],
        ),
        ("deepsek", &["deepseek/deepseek-r1"][..]),
    ] {
        let out = models(&ctx, &server, &[query]);
        assert_exit(&out, 0);
        assert_eq!(ids(&out), want, "{query}");
        assert_contains(
            &out.stderr,
            &format!("`{query}` fuzzily (no id or name contains it)"),
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_matching_is_exit_0_with_a_message_and_no_data() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    let out = models(&ctx, &server, &["zzzz"]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "");
    assert_contains(&out.stderr, "No model matches `zzzz`");
    assert_contains(&out.stderr, "run `mg-codex models` to see them all");
    let out = models(&ctx, &server, &["zzzz", "--json"]);
    assert_exit(&out, 0);
    assert!(json(&out).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn tools_only_is_asked_of_the_server_and_applied_anyway() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    let out = models(&ctx, &server, &["--tools-only"]);
    assert_exit(&out, 0);
    // The fixture server ignores the parameter: the filter is ours.
    assert_eq!(
        ids(&out),
        [
            "anthropic/claude-sonnet-4.5",
            "modelgates/auto",
            "moonshotai/kimi-k2",
            "openai/gpt-5.2-codex",
            "openai/gpt-5.3-codex",
            "openai/gpt-5.3-codex:free",
            "qwen/qwen3-coder-480b-a35b-instruct-turbo:nitro",
        ]
    );
    assert!(out
        .stdout
        .lines()
        .all(|l| l.split('\t').nth(4) == Some("yes")));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.path(), "/api/v1/models");
    assert_eq!(requests[0].url.query(), Some("supported_parameters=tools"));

    let out = models(&ctx, &server, &["--tools-only", "codex"]);
    assert_eq!(ids(&out).len(), 3);
    assert_contains(&out.stderr, "3 models with tools match `codex`");
    // Without the flag, no parameter.
    models(&ctx, &server, &[]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.last().unwrap().url.query(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_is_an_array_with_stable_fields_and_raw_numbers() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    let out = models(&ctx, &server, &["--json"]);
    assert_exit(&out, 0);
    let all = json(&out);
    let ids: Vec<&str> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ALL_IDS);
    let fields = [
        "completion_per_million",
        "context_length",
        "current",
        "id",
        "name",
        "prompt_per_million",
        "reasoning",
        "tools",
    ];
    for m in &all {
        let mut keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, fields, "{m}");
        assert_eq!(m["current"], false);
    }
    let by_id = |id: &str| all.iter().find(|m| m["id"] == id).unwrap().clone();
    assert_eq!(
        by_id("openai/gpt-5.3-codex"),
        serde_json::json!({
            "id": "openai/gpt-5.3-codex",
            "name": "OpenAI: GPT-5.3 Codex",
            "context_length": 400000,
            "prompt_per_million": 1.75,
            "completion_per_million": 14.0,
            "tools": true,
            "reasoning": true,
            "current": false
        })
    );
    let llama = by_id("meta-llama/llama-3.1-8b-instruct");
    assert_eq!(
        (&llama["tools"], &llama["reasoning"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(by_id("modelgates/auto")["prompt_per_million"], Value::Null);
    assert_eq!(
        by_id("openai/gpt-5.3-codex:free")["prompt_per_million"],
        0.0
    );
    assert_eq!(
        by_id("mistralai/mistral-7b-instruct")["prompt_per_million"],
        0.028
    );
    assert_eq!(by_id("moonshotai/kimi-k2")["context_length"], Value::Null);
    assert_eq!(by_id("deepseek/deepseek-r1")["tools"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_configured_model_is_marked_and_the_configured_base_url_used() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.2-codex"));
    // No --base-url: the config's.
    let out = mg(&ctx, &["models"]);
    assert_exit(&out, 0);
    let marked: Vec<String> = out
        .stdout
        .lines()
        .filter(|l| l.split('\t').nth(6) == Some("*"))
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(marked, ["openai/gpt-5.2-codex"]);
    assert_contains(&out.stderr, "`*` marks the configured one");
    let out = mg(&ctx, &["models", "--json"]);
    let current: Vec<Value> = json(&out)
        .into_iter()
        .filter(|m| m["current"] == true)
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(current, ["openai/gpt-5.2-codex"]);

    // A profile file's own model wins; what it does not set comes from config.toml.
    fs::write(
        ctx.codex_home().join("fast.config.toml"),
        "model = \"deepseek/deepseek-r1\"\n",
    )
    .unwrap();
    let out = mg(&ctx, &["--profile", "fast", "models", "--json"]);
    assert_exit(&out, 0);
    let current: Vec<Value> = json(&out)
        .into_iter()
        .filter(|m| m["current"] == true)
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(current, ["deepseek/deepseek-r1"]);

    // Another provider's model is not a ModelGates model: no mark.
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.2-codex").replace(
        "model_provider = \"modelgates\"",
        "model_provider = \"openai\"",
    ));
    let out = models(&ctx, &server, &[]);
    assert_exit(&out, 0);
    assert_eq!(ids(&out), ALL_IDS, "{}", out.stdout);
    assert!(out.stdout.lines().all(|l| l.split('\t').nth(6) == Some("")));
    assert_contains(
        &out.stderr,
        "uses the provider `openai`, not ModelGates: no model is marked",
    );

    // Without `model_provider`, Codex sends `model` to OpenAI: not a ModelGates model either.
    ctx.write_config(
        &set_up_config(&server, "gpt-5").replace("model_provider = \"modelgates\"\n", ""),
    );
    let out = models(&ctx, &server, &["--json"]);
    assert_exit(&out, 0);
    let all = json(&out);
    let listed: Vec<&str> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ALL_IDS, "{}", out.stdout);
    assert!(all.iter().all(|m| m["current"] == false));
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);

    // A configured model the catalogue does not have is worth a warning.
    ctx.write_config(&set_up_config(&server, "gone/retired-model"));
    let out = mg(&ctx, &["models"]);
    assert_exit(&out, 0);
    assert_contains(
        &out.stderr,
        "warning: the configured model `gone/retired-model`",
    );
    assert_contains(&out.stderr, "mg-codex model <id>");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unparsable_config_is_a_warning_for_models() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config("model = \"openai/gpt-5.3-codex\"\n[broken\n");
    let before = tree(ctx.root.path());
    let out = models(&ctx, &server, &["codex"]);
    assert_exit(&out, 0);
    assert_eq!(ids(&out).len(), 3);
    assert_contains(&out.stderr, "warning: `");
    assert_contains(&out.stderr, "is not valid TOML at line 2");
    assert_contains(&out.stderr, "no model is marked");
    assert_same_tree(&before, &tree(ctx.root.path()), "models");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_sent_only_when_set_and_a_rejected_one_is_dropped() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.3-codex"));
    let out = mg(&ctx, &["models"]);
    assert_exit(&out, 0);
    let out = mg_with(&ctx, &["models"], |c| {
        c.env("MODELGATES_API_KEY", KEY);
    });
    assert_exit(&out, 0);
    let auth: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(auth, [None, Some(format!("Bearer {KEY}"))]);

    // Another gateway named with --base-url never gets the key of the configured one.
    let elsewhere = gateway("catalogue.json").await;
    let out = mg_with(
        &ctx,
        &["models", "--base-url", &gateway_url(&elsewhere)],
        |c| {
            c.env("MODELGATES_API_KEY", KEY);
        },
    );
    assert_exit(&out, 0);
    assert_eq!(ids(&out), ALL_IDS);
    let requests = elsewhere.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(
        !requests[0].headers.contains_key("authorization"),
        "the key went to a --base-url that is not the configured one"
    );

    // The provider's own `env_key` names the variable.
    let server_again = gateway("catalogue.json").await;
    ctx.write_config(
        &set_up_config(&server_again, "openai/gpt-5.3-codex").replace(
            "env_key = \"MODELGATES_API_KEY\"",
            "env_key = \"MY_GATEWAY_KEY\"",
        ),
    );
    let out = mg_with(&ctx, &["models"], |c| {
        c.env("MY_GATEWAY_KEY", BAD_KEY);
    });
    // Rejected: asked again without it, with a warning that names the variable.
    assert_exit(&out, 0);
    assert_eq!(ids(&out), ALL_IDS);
    assert_contains(
        &out.stderr,
        "ModelGates rejected the key in `MY_GATEWAY_KEY`",
    );
    let auth: Vec<bool> = server_again
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers.contains_key("authorization"))
        .collect();
    assert_eq!(auth, [true, false]);
}

#[tokio::test(flavor = "multi_thread")]
async fn network_errors_name_the_host_and_exit_1() {
    let ctx = TestContext::new();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/api/v1");
    let out = mg(&ctx, &["models", "--base-url", &url, "--timeout", "5"]);
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_contains(
        &out.stderr,
        &format!("error: cannot fetch the model catalogue from `{url}`"),
    );
    assert_contains(
        &out.stderr,
        &format!("cannot reach `127.0.0.1:{port}`: the connection was refused"),
    );
    assert_contains(&out.stderr, "hint: ");

    let server = MockServer::start().await;
    route("GET", "/api/v1/models")
        .respond_with(api_response(500, "error_500.json"))
        .mount(&server)
        .await;
    let out = models(&ctx, &server, &[]);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "the gateway failed (500)");
    assert_contains(&out.stderr, "try again in a moment");

    // Plain http to another host would carry the key unencrypted.
    let out = mg(&ctx, &["models", "--base-url", "http://example.com/api/v1"]);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "plain http is allowed only for loopback hosts");
    assert_contains(
        &out.stderr,
        "hint: use `--base-url https://modelgates.ai/api/v1`",
    );
}

/// Display columns of a line (ASCII and `…` in the fixture's table, one column each).
fn columns(line: &str) -> usize {
    line.chars().count()
}

/// `mg-codex models ARGS` on a pseudo-terminal `width` columns wide (its window size, not
/// `COLUMNS`): the lines it drew, escape codes removed.
fn models_on_a_terminal(ctx: &TestContext, width: u16, args: &[&str]) -> Vec<String> {
    let mut cmd = ctx.cmd();
    cmd.env("TERM", "xterm")
        .env("LANG", "C.UTF-8")
        .arg("models")
        .args(args);
    let options = rexpect::reader::Options::default()
        .timeout_ms(Some(60_000))
        .strip_ansi_escape_codes(true);
    let mut session = rexpect::session::spawn_with_options(cmd, options).expect("start on a pty");
    set_pty_size(&session, width, 50);
    let screen = session.exp_eof().expect("the table, then the end");
    // The reader gives one char per byte: decode the UTF-8 (`…`).
    let screen = String::from_utf8(screen.chars().map(|c| c as u8).collect()).unwrap();
    screen
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_the_table_fits_the_width_and_never_cuts_an_id() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.3-codex"));
    let long = "qwen/qwen3-coder-480b-a35b-instruct-turbo:nitro";
    let url = gateway_url(&server);
    let ctx = tokio::task::spawn_blocking(move || {
        for width in [40usize, 60, 80, 100, 200] {
            let lines = models_on_a_terminal(&ctx, width as u16, &[]);
            let shown = lines.join("\n");
            assert!(lines[0].starts_with("  ID"), "{shown}");
            // A header, 10 models, then the summary: one line, or a line per clause.
            let (table, summary) = lines.split_at(11);
            for id in ALL_IDS {
                let mark = if id == "openai/gpt-5.3-codex" {
                    '*'
                } else {
                    ' '
                };
                let whole = format!("{mark} {id}");
                assert!(
                    table
                        .iter()
                        .any(|l| l == &whole || l.starts_with(&format!("{whole} "))),
                    "`{id}` is not whole at {width}:\n{shown}"
                );
            }
            assert!(
                !shown.contains('…') || width > 100,
                "only NAME is shortened:\n{shown}"
            );
            for line in &lines {
                // The one exception: an id wider than the terminal by itself, alone on its line.
                let alone = line.trim_start() == long && columns(long) + 2 > width;
                assert!(
                    columns(line) <= width || alone,
                    "wider than {width}: {line:?}\n{shown}"
                );
            }
            let header = &lines[0];
            match width {
                40 => assert_eq!(header.trim_end(), "  ID", "{shown}"),
                60 => assert!(
                    header.ends_with("TOOLS") && !header.contains("REASONING"),
                    "{shown}"
                ),
                80 => assert!(
                    header.contains("CONTEXT")
                        && header.ends_with("REASONING")
                        && !header.contains("$/M"),
                    "{shown}"
                ),
                100 => assert!(
                    header.contains("OUT $/M") && !header.contains("NAME"),
                    "{shown}"
                ),
                _ => {
                    assert!(header.ends_with("NAME"), "{shown}");
                    assert!(shown.contains("Qwen: Qwen3 Coder 480B A35B Instruct Turbo (nitro)"));
                }
            }
            let summary_text = summary.join(" ");
            assert!(
                summary_text.starts_with("10 models in the catalogue"),
                "{shown}"
            );
            assert!(
                summary_text.contains("`*` marks the configured one"),
                "{shown}"
            );
            if width >= 100 {
                assert_eq!(summary.len(), 1, "one line fits:\n{shown}");
                assert_contains(&summary[0], &format!("at `{url}`;"));
            } else {
                assert_eq!(summary.len(), 2, "a line per clause:\n{shown}");
            }
        }
        ctx
    })
    .await
    .unwrap();
    drop(ctx);
}

// ---------------------------------------------------------------------------------------------
// model

#[tokio::test(flavor = "multi_thread")]
async fn without_an_id_the_configured_model_is_printed() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.3-codex"));
    let out = mg(&ctx, &["model"]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "openai/gpt-5.3-codex\n");
    assert!(server.received_requests().await.unwrap().is_empty());

    ctx.write_config("[tui]\nnotifications = true\n");
    let out = mg(&ctx, &["model"]);
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_contains(&out.stderr, "no model is set in `");
    // `model <id>` would refuse a config without ModelGates: the hint is `init`, directly.
    assert!(
        !out.stderr.contains("`mg-codex model <id>`"),
        "{}",
        out.stderr
    );
    assert_contains(&out.stderr, "`mg-codex init`");

    fs::remove_file(ctx.config()).unwrap();
    let out = mg(&ctx, &["--profile", "fast", "model"]);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "`mg-codex --profile fast init`");
}

/// What a corpus file becomes after `init` (the library's `setup::apply`) against `server`,
/// optionally without a `model` line.
fn set_up_corpus_file(ctx: &TestContext, original: &Path, server: &MockServer, with_model: bool) {
    copy_corpus_file(original, &ctx.codex_home());
    let settings = Settings {
        base_url: gateway_url(server),
        model: "openai/gpt-5.3-codex".into(),
        effort: Some("high".into()),
        show_raw_agent_reasoning: None,
        personality: None,
        trust: Vec::new(),
        docs_mcp: false,
        key_source: setup::KeySource::Env,
        catalog: None,
    };
    config_file::edit(&ctx.config(), |doc| {
        setup::apply(doc, &settings)?;
        if !with_model {
            doc.remove_root("model");
        }
        Ok(())
    })
    .unwrap();
    // Not a backup of ours that the switch would then replace.
    for leftover in [".mg-codex.bak", ".mg-codex.orig"] {
        let _ = fs::remove_file(format!("{}{leftover}", ctx.config().display()));
    }
}

/// The lines of `text`, each with its line ending.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// What differs between `before` and `after` beyond one changed `model` line (`with_model`)
/// or one added one.
fn line_problems(before: &str, after: &str, id: &str, with_model: bool) -> Option<String> {
    let (old, new) = (lines(before), lines(after));
    // A root `model = "…"` line, in any spelling (quotes, spacing and comments are the user's).
    let model_in = |l: &str| {
        l.parse::<toml_edit::DocumentMut>()
            .ok()
            .and_then(|d| d.get("model").and_then(|m| m.as_str()).map(str::to_string))
    };
    let is_model_line = |l: &str| model_in(l).as_deref() == Some(id);
    if with_model {
        if old.len() != new.len() {
            return Some(format!("{} lines became {}", old.len(), new.len()));
        }
        let differ: Vec<usize> = (0..old.len()).filter(|&i| old[i] != new[i]).collect();
        match differ[..] {
            [i] if is_model_line(new[i]) && model_in(old[i]).is_some() => None,
            _ => Some(format!(
                "lines {differ:?} differ: {:?}",
                differ.iter().map(|&i| (old[i], new[i])).collect::<Vec<_>>()
            )),
        }
    } else {
        let added = (0..new.len()).find(|&i| {
            let mut rest = new.clone();
            rest.remove(i);
            rest == old
        });
        match added {
            Some(i) if is_model_line(new[i]) => None,
            Some(i) => Some(format!("the added line is {:?}", new[i])),
            None => Some("more than one line was added or changed".into()),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_a_corpus_file_changes_exactly_one_line_and_codex_still_loads_it() {
    let server = gateway("catalogue.json").await;
    let id = "anthropic/claude-sonnet-4.5";
    let files = corpus_files(&VALID_CORPUS_DIRS);
    let codex = codex_bin();
    // Each case: (label, the set-up file, the switched file, the context that holds them).
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    for file in &files {
        for with_model in [true, false] {
            let ctx = TestContext::new();
            set_up_corpus_file(&ctx, &file.path, &server, with_model);
            let before = fs::read_to_string(ctx.config()).unwrap();
            let out = mg(&ctx, &["model", id]);
            let label = format!(
                "{} ({})",
                file.label,
                if with_model { "switched" } else { "added" }
            );
            if out.code != 0 {
                failures.push(format!("{label}: exit {}\n{}", out.code, out.stderr));
                continue;
            }
            let after = fs::read_to_string(ctx.config()).unwrap();
            if let Some(problem) = line_problems(&before, &after, id, with_model) {
                failures.push(format!("{label}: {problem}"));
            }
            if !out
                .stderr
                .contains(&format!("Switched the model to `{id}`"))
            {
                failures.push(format!("{label}: no report:\n{}", out.stderr));
            }
            cases.push((label, before, ctx));
        }
    }
    assert_no_failures("switching the model of the corpus files", &failures);

    // Codex loads each switched file as it loaded the set-up file (or fails the same way).
    let Some(codex) = codex else { return };
    let verdicts = par_map(&cases, 4, |(label, before, ctx)| {
        let root = ctx.root_dir("codex-runs");
        let switched = codex_features_list(&codex, &root, &ctx.codex_home());
        let original = ctx.root_dir("before/codex-home");
        fs::write(original.join("config.toml"), before).unwrap();
        let set_up = codex_features_list(&codex, &root, &original);
        match (set_up, switched) {
            (Ok(a), Ok(b)) if a.loaded == b.loaded && a.cause == b.cause => Ok(b.loaded),
            (Ok(a), Ok(b)) => Err(format!(
                "{label}: before the switch Codex {} ({}), after it {} ({})",
                if a.loaded { "loaded it" } else { "failed" },
                a.cause,
                if b.loaded { "loads it" } else { "fails" },
                b.cause
            )),
            (a, b) => Err(format!(
                "{label}: Codex did not answer: {:?} {:?}",
                a.err(),
                b.err()
            )),
        }
    });
    let loaded = verdicts.iter().filter(|v| matches!(v, Ok(true))).count();
    let failures: Vec<String> = verdicts.into_iter().filter_map(Result::err).collect();
    assert_no_failures("Codex's verdict on the switched corpus files", &failures);
    // Not vacuous: most of the corpus loads in Codex once set up for ModelGates.
    assert!(
        loaded * 2 > cases.len(),
        "Codex loaded only {loaded} of {} switched files",
        cases.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_verify_sends_no_request() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.3-codex"));
    let out = mg(
        &ctx,
        &["model", "someone/not-in-the-catalogue", "--no-verify"],
    );
    assert_exit(&out, 0);
    assert_contains(
        &ctx.read_config(),
        "model = \"someone/not-in-the-catalogue\" # keep this comment\n",
    );
    assert!(server.received_requests().await.unwrap().is_empty());
    // An id without its author is refused all the same, without asking.
    let before = tree(ctx.root.path());
    let out = mg(&ctx, &["model", "gpt-5.3-codex", "--no-verify"]);
    assert_exit(&out, 1);
    assert_contains(&out.stderr, "is not a ModelGates model id (`author/slug`");
    assert_same_tree(&before, &tree(ctx.root.path()), "a refused id");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_id_is_exit_1_with_did_you_mean_and_writes_nothing() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "anthropic/claude-sonnet-4.5"));
    let before = tree(ctx.root.path());
    for id in ["openai/gpt-5.3-codx", "gpt-5.3-codex"] {
        let out = mg(&ctx, &["model", id]);
        assert_exit(&out, 1);
        assert_contains(&out.stderr, "did you mean `openai/gpt-5.3-codex`");
        assert_contains(&out.stderr, "hint: `mg-codex model openai/gpt-5.3-codex`");
        assert_contains(&out.stderr, "nothing was changed");
    }
    assert_same_tree(&before, &tree(ctx.root.path()), "an unknown id");
    // `/model/{id}` first; the catalogue only after its 404.
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v1/model/openai/gpt-5.3-codx",
            "/api/v1/models",
            "/api/v1/models"
        ]
    );

    // A model the id endpoint does not know but the catalogue does is accepted.
    let out = mg(&ctx, &["model", "openai/gpt-5.2-codex"]);
    assert_exit(&out, 0);
    assert_contains(
        &ctx.read_config(),
        "model = \"openai/gpt-5.2-codex\" # keep this comment\n",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_that_does_not_use_modelgates_is_refused_untouched() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    let other = set_up_config(&server, "o3").replace(
        "model_provider = \"modelgates\"",
        "model_provider = \"openai\"",
    );
    let no_table = "model = \"o3\"\n\n[tui]\nnotifications = true\n";
    let no_provider_key =
        set_up_config(&server, "o3").replace("model_provider = \"modelgates\"\n", "");
    for (config, hint) in [
        (Some(other.as_str()), "hint: switch this config to ModelGates with `mg-codex init --model openai/gpt-5.3-codex`"),
        (Some(no_table), "hint: set it up with this model: `mg-codex init --model openai/gpt-5.3-codex`"),
        (Some(no_provider_key.as_str()), "does not set `model_provider`, so Codex uses OpenAI"),
        (None, "hint: set it up with this model: `mg-codex init --model openai/gpt-5.3-codex`"),
    ] {
        match config {
            Some(text) => ctx.write_config(text),
            None => {
                let _ = fs::remove_file(ctx.config());
            }
        }
        let before = tree(ctx.root.path());
        let out = mg(&ctx, &["model", "openai/gpt-5.3-codex"]);
        assert_exit(&out, 1);
        assert_contains(&out.stderr, hint);
        assert_contains(&out.stderr, "nothing was changed");
        assert_same_tree(&before, &tree(ctx.root.path()), "a refused switch");
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "refused before asking"
    );
    // The hint keeps the flags that select the file.
    let out = mg(
        &ctx,
        &["--profile", "fast", "model", "openai/gpt-5.3-codex"],
    );
    assert_exit(&out, 1);
    assert_contains(
        &out.stderr,
        "`mg-codex --profile fast init --model openai/gpt-5.3-codex`",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_the_diff_and_writes_nothing() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.3-codex"));
    let before = tree(ctx.root.path());
    let out = mg(&ctx, &["model", "anthropic/claude-sonnet-4.5", "--dry-run"]);
    assert_exit(&out, 0);
    assert_contains(
        &out.stdout,
        "-model = \"openai/gpt-5.3-codex\" # keep this comment\n+model = \"anthropic/claude-sonnet-4.5\" # keep this comment\n",
    );
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.starts_with(['-', '+']) && !l.starts_with("---") && !l.starts_with("+++"))
            .count(),
        2
    );
    assert_contains(&out.stderr, "Dry run: nothing was written");
    assert_same_tree(&before, &tree(ctx.root.path()), "a dry run");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_id_writes_nothing() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.3-codex"));
    // Bytes and modification times of every file: nothing was rewritten, deleted or added, no
    // backup made (the lock file, and so the directory's time, may be new). Each snapshot keeps
    // the files there were when it was taken, so a file the run deleted is missing after it.
    let files = || -> Vec<_> {
        tree(ctx.root.path())
            .into_iter()
            .filter(|(p, _)| p.is_file() && !p.to_string_lossy().ends_with(".mg-codex.lock"))
            .collect()
    };
    let before = files();
    let out = mg(&ctx, &["model", "openai/gpt-5.3-codex"]);
    assert_exit(&out, 0);
    assert_contains(
        &out.stderr,
        "`openai/gpt-5.3-codex` is already the model in `",
    );
    assert_contains(&out.stderr, "nothing changed");
    assert_eq!(before, files());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_switch_warns_about_missing_tools_and_reasoning_and_reports_the_file() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "openai/gpt-5.3-codex"));
    let out = mg(&ctx, &["model", "mistralai/mistral-7b-instruct"]);
    assert_exit(&out, 0);
    assert_contains(
        &out.stderr,
        "warning: `mistralai/mistral-7b-instruct` does not support tool calls (`tools`)",
    );
    // The same sentence doctor prints (one rule: `model_id::unfit_for_codex`), and its fix.
    assert_contains(&out.stderr, "warning: `mistralai/mistral-7b-instruct` does not list `reasoning`, but `model_reasoning_effort` is set");
    assert_contains(&out.stderr, "`mg-codex model --reasoning-effort default`");
    assert_contains(
        &out.stderr,
        "Switched the model to `mistralai/mistral-7b-instruct` (was `openai/gpt-5.3-codex`)",
    );
    let config = ctx.config().display().to_string();
    assert_contains(
        &out.stderr,
        &format!("Updated `{config}` (previous version: `{config}.mg-codex.bak`)"),
    );
    assert_eq!(
        fs::read_to_string(format!("{config}.mg-codex.bak")).unwrap(),
        set_up_config(&server, "openai/gpt-5.3-codex")
    );
    // Support the catalogue does not state is not warned about.
    let out = mg(&ctx, &["model", "meta-llama/llama-3.1-8b-instruct"]);
    assert_exit(&out, 0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_after_a_switch_gives_back_the_original_bytes() {
    let server = gateway("catalogue.json").await;
    let ctx = TestContext::new();
    let original = "# my codex\nmodel_provider = \"openai\" # default\nmodel = \"gpt-5\"\n\n[tui]\nnotifications = true\n";
    ctx.write_config(original);
    let bin = stub_bin(&ctx, &["bash"]);
    let init = {
        let mut cmd = ctx.cmd();
        cmd.env("PATH", &bin).args([
            "init",
            "--yes",
            "--api-key-stdin",
            "--shell",
            "none",
            "--no-verify",
            "--base-url",
            &gateway_url(&server),
        ]);
        run_with(
            &mut cmd,
            Stdin::Bytes(format!("{KEY}\n").as_bytes()),
            TIMEOUT,
        )
    };
    assert_exit(&init, 0);
    let out = mg(&ctx, &["model", "anthropic/claude-sonnet-4.5"]);
    assert_exit(&out, 0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    let out = mg_with(&ctx, &["uninstall", "--yes"], |c| {
        c.env("PATH", &bin);
    });
    assert_exit(&out, 0);
    assert!(!out.stderr.contains("kept `model`"), "{}", out.stderr);
    assert_eq!(ctx.read_config(), original);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_that_cannot_be_done_names_the_host_and_no_verify_and_writes_nothing() {
    let server = MockServer::start().await;
    route("GET", "/api/v1/model/openai/gpt-5.3-codex")
        .respond_with(api_response(500, "error_500.json"))
        .mount(&server)
        .await;
    let ctx = TestContext::new();
    ctx.write_config(&set_up_config(&server, "anthropic/claude-sonnet-4.5"));
    let before = tree(ctx.root.path());
    let out = mg(&ctx, &["model", "openai/gpt-5.3-codex"]);
    assert_exit(&out, 1);
    assert_contains(
        &out.stderr,
        &format!(
            "error: cannot check `openai/gpt-5.3-codex` against the catalogue at `{}`: the gateway failed (500)",
            gateway_url(&server)
        ),
    );
    assert_contains(
        &out.stderr,
        "; or pass `--no-verify` to switch without checking",
    );
    assert_same_tree(&before, &tree(ctx.root.path()), "a failed check");
}
