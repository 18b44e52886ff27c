//! `init --dry-run` masks every secret-shaped value of the config it diffs (bearer tokens,
//! `Authorization`/`X-Api-Key` headers, `*_TOKEN`, `*SECRET*`, `*PASSWORD*` in any table,
//! inline `env` tables included), and keeps the values that only name a variable readable.
//! The rules themselves are unit-tested on strings in `src/redact.rs`.

use std::time::Duration;

use crate::support::{assert_contains, run_with, stub_cmd, stub_context, Stdin};

const KEY: &str = "sk-mg-v1-redacttestkey0123456789abcdef";
const TIMEOUT: Duration = Duration::from_secs(60);

/// A config whose provider table and MCP servers hold secrets in every shape, each value a
/// marked `…-secret-NNNN`, next to values that only name variables.
const SECRETS_CONFIG: &str = r#"model = "o3"

[model_providers.modelgates]
name = "ModelGates"
base_url = "https://modelgates.ai/api/v1"
env_key = "MODELGATES_API_KEY"
experimental_bearer_token = "bearer-secret-0001"
http_headers = { "Authorization" = "Bearer header-secret-0002", "X-Api-Key" = "xkey-secret-0003", "X-Team" = "platform" }
env_http_headers = { "X-Api-Key" = "MY_HEADER_VAR" }

[mcp_servers.github]
env = { GITHUB_TOKEN = "ghp-secret-0004", LOG_LEVEL = "debug" }
command = "gh-mcp"
bearer_token_env_var = "GH_BEARER_VAR"

[mcp_servers.db.env]
DB_PASSWORD = "hunter-secret-0005"
client_secret = 'literal-secret-0006'
"#;

#[test]
fn dry_run_masks_every_secret_shaped_value_and_keeps_variable_names() {
    let ctx = stub_context();
    ctx.write_config(SECRETS_CONFIG);
    let mut init = stub_cmd(&ctx);
    init.args([
        "init",
        "--dry-run",
        "--yes",
        "--no-verify",
        "--api-key-stdin",
    ])
    .args(["--shell", "none", "--docs-mcp"]);
    let line = format!("{KEY}\n");

    let out = run_with(&mut init, Stdin::Bytes(line.as_bytes()), TIMEOUT);
    crate::support::assert_no_key(&out, KEY);

    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !format!("{}{}", out.stdout, out.stderr).contains("-secret-"),
        "a secret is in the diff:\n{}{}",
        out.stdout,
        out.stderr
    );
    for shown in [
        // The lines are in the diff, their secrets masked.
        "experimental_bearer_token = \"…",
        "\"Authorization\" = \"Bearer …",
        "\"X-Api-Key\" = \"…",
        "GITHUB_TOKEN = \"…",
        "DB_PASSWORD = \"…",
        "client_secret = '…",
        // What only names a variable, or is no secret, stays readable.
        "\"X-Team\" = \"platform\"",
        "env_key = \"MODELGATES_API_KEY\"",
        "env_http_headers = { \"X-Api-Key\" = \"MY_HEADER_VAR\" }",
        "LOG_LEVEL = \"debug\"",
    ] {
        assert_contains(&out.stdout, shown);
    }
    assert_eq!(
        ctx.read_config(),
        SECRETS_CONFIG,
        "a dry run writes nothing"
    );
}

#[test]
fn model_dry_run_masks_secrets_in_its_diff_too() {
    let ctx = stub_context();
    ctx.write_config(
        "model_provider = \"modelgates\"\nmodel = \"openai/gpt-5.3-codex\"\n\n\
         [model_providers.modelgates]\n\
         http_headers = { Authorization = \"Bearer model-secret-0008\" }\n\
         name = \"ModelGates\"\nbase_url = \"https://modelgates.ai/api/v1\"\n\
         env_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n",
    );
    let mut model = stub_cmd(&ctx);
    model.args(["model", "openai/gpt-5.2-codex", "--dry-run", "--no-verify"]);

    let out = run_with(&mut model, Stdin::Null, TIMEOUT);

    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stdout, "+model = \"openai/gpt-5.2-codex\"");
    assert_contains(&out.stdout, "Authorization = \"Bearer …0008\"");
    assert!(!out.stdout.contains("-secret-"), "{}", out.stdout);
}

#[test]
fn redaction_keeps_every_line_of_every_corpus_file() {
    let mut failures = Vec::new();
    for dir in [
        "codex-config",
        "codex-config-toml11",
        "codex-config-invalid",
    ] {
        for file in crate::support::corpus_files(&[dir]) {
            let Ok(text) = std::fs::read_to_string(&file.path) else {
                continue;
            };
            let redacted = mg_codex::redact::redact_toml(&text);
            let (before, after) = (text.lines().count(), redacted.lines().count());
            if before != after {
                failures.push(format!("{}: {before} lines became {after}", file.label));
            }
        }
    }
    crate::support::assert_no_failures("redact_toml on the corpus", &failures);
}
