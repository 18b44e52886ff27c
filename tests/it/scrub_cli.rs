//! What a server sends is scrubbed of the key before anything prints it, end to end: the real
//! binary against an echo gateway on 127.0.0.1 (wiremock, answering with the key it was sent)
//! that puts the key in the key's label, in a model's id and name, and in 401 and 404 bodies,
//! next to a key-shaped token of some other key. `init --yes`, `doctor`, `doctor --json`,
//! `models`, `models --json` and `model <near miss>` must print neither key, nor their secret
//! parts, and must show the one mask (`sk-mg-…` and the last four characters).

use std::process::Command;
use std::time::Duration;

use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::{
    assert_contains, assert_no_key, gateway_url, run_with, stub_cmd, stub_context, Output, Stdin,
    TestContext,
};

const KEY: &str = "sk-mg-v1-scrubtestkey0123456789abcdef";
/// Another key, which the gateway also echoes: key-shaped tokens are masked whoever's they are.
const OTHER: &str = "sk-mg-v1-someoneelseskey9876543210fedcba";
const TIMEOUT: Duration = Duration::from_secs(60);

/// The key a request carried (`Authorization: Bearer …`), or `none`.
fn sent_key(request: &Request) -> String {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("none")
        .to_string()
}

fn json(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

/// The echo gateway: `/key` labels the key with itself; the catalogue has
/// `openai/gpt-5.3-codex` and a model whose id and name hold the key; `/model/openai/gpt-5.3-codex`
/// answers, every other `/model/…` is a 404 whose message holds the key.
async fn echo_gateway() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/key"))
        .respond_with(|r: &Request| {
            let key = sent_key(r);
            json(
                200,
                format!(
                    r#"{{"data":{{"label":"{key}","limit":25.0,"limit_remaining":24.1,"is_management_key":false}}}}"#
                ),
            )
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(|r: &Request| {
            let key = sent_key(r);
            json(
                200,
                format!(
                    r#"{{"data":[
                      {{"id":"openai/gpt-5.3-codex","name":"GPT-5.3 Codex","context_length":400000,"supported_parameters":["tools","reasoning"]}},
                      {{"id":"openai/gpt-5.3-codex-{key}","name":"Echo of {key} and {OTHER}","supported_parameters":["tools"]}}
                    ]}}"#
                ),
            )
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/model/openai/gpt-5.3-codex"))
        .respond_with(json(
            200,
            crate::support::api_fixture("model_gpt_5_3_codex.json"),
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/model/"))
        .respond_with(|r: &Request| {
            let key = sent_key(r);
            json(
                404,
                format!(
                    r#"{{"error":{{"code":404,"message":"no such model for {key} (nor for {OTHER})"}}}}"#
                ),
            )
        })
        .with_priority(5)
        .mount(&server)
        .await;
    server
}

/// A gateway rejecting every request with a 401 whose message holds the key it was sent.
async fn rejecting_echo_gateway() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|r: &Request| {
            let key = sent_key(r);
            json(
                401,
                format!(
                    r#"{{"error":{{"code":401,"message":"User not found for {key} or {OTHER}"}}}}"#
                ),
            )
        })
        .mount(&server)
        .await;
    server
}

fn configured(server: &MockServer, model: &str) -> TestContext {
    let ctx = stub_context();
    ctx.write_config(&format!(
        "model_provider = \"modelgates\"\nmodel = \"{model}\"\nmodel_reasoning_effort = \"high\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}\"\n\
         env_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n",
        gateway_url(server)
    ));
    ctx
}

const MODEL: &str = "openai/gpt-5.3-codex";

/// Runs `cmd` and checks that neither key, nor their secret parts, is in its output.
#[track_caller]
fn run_clean(mut cmd: Command, stdin: Stdin<'_>, what: &str) -> Output {
    let out = run_with(&mut cmd, stdin, TIMEOUT);
    for key in [KEY, OTHER] {
        let secret = key.trim_start_matches("sk-mg-v1-");
        for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text.contains(secret),
                "{what}: a key leaked to {name}:\n{text}"
            );
        }
    }
    assert_no_key(&out, KEY);
    out
}

fn mg(ctx: &TestContext, args: &[&str]) -> Command {
    let mut cmd = stub_cmd(ctx);
    cmd.args(args).env("MODELGATES_API_KEY", KEY);
    cmd
}

/// `sk-mg-…` and the last four characters of the key.
fn masked() -> String {
    format!("sk-mg-…{}", &KEY[KEY.len() - 4..])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_label_holding_the_key_is_shown_as_the_mask_by_init_and_doctor() {
    let server = echo_gateway().await;

    let ctx = stub_context();
    let mut init = stub_cmd(&ctx);
    init.args([
        "init",
        "--yes",
        "--api-key-stdin",
        "--shell",
        "none",
        "--dry-run",
    ])
    .args(["--base-url", &gateway_url(&server)]);
    let line = format!("{KEY}\n");
    let out = run_clean(init, Stdin::Bytes(line.as_bytes()), "init");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stderr, &format!("key accepted: {}", masked()));

    let ctx = configured(&server, MODEL);
    let out = run_clean(mg(&ctx, &["doctor"]), Stdin::Null, "doctor");
    assert_contains(&out.stdout, &format!("accepted: {}", masked()));
    let out = run_clean(
        mg(&ctx, &["doctor", "--json"]),
        Stdin::Null,
        "doctor --json",
    );
    assert_contains(&out.stdout, &format!("accepted: {}", masked()));
}

#[tokio::test(flavor = "multi_thread")]
async fn catalogue_ids_and_names_holding_a_key_are_masked_in_models_and_did_you_mean() {
    let server = echo_gateway().await;
    let ctx = configured(&server, MODEL);

    let out = run_clean(mg(&ctx, &["models"]), Stdin::Null, "models");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stdout, &format!("openai/gpt-5.3-codex-{}", masked()));
    let out = run_clean(
        mg(&ctx, &["models", "--json"]),
        Stdin::Null,
        "models --json",
    );
    assert_contains(
        &out.stdout,
        &format!("\"openai/gpt-5.3-codex-{}\"", masked()),
    );
    let out = run_clean(mg(&ctx, &["models", "echo"]), Stdin::Null, "models echo");
    assert_contains(&out.stdout, "Echo of sk-mg-…");

    // A near miss: `/model/…` answers 404 with the key, then "did you mean" from the catalogue.
    for near_miss in ["openai/gpt-5.3-codx", "gpt-5.3-codex"] {
        let out = run_clean(
            mg(&ctx, &["model", near_miss]),
            Stdin::Null,
            &format!("model {near_miss}"),
        );
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_contains(&out.stderr, "did you mean");
    }
    let ctx = configured(&server, "openai/gpt-5.3-codx");
    let out = run_clean(
        mg(&ctx, &["doctor"]),
        Stdin::Null,
        "doctor with a 404 for the model",
    );
    assert_contains(&out.stdout, "did you mean");
}

#[tokio::test(flavor = "multi_thread")]
async fn error_bodies_holding_keys_are_masked() {
    let server = rejecting_echo_gateway().await;
    let ctx = configured(&server, MODEL);

    let out = run_clean(mg(&ctx, &["models"]), Stdin::Null, "models after a 401");
    assert_contains(&out.stderr, "User not found for sk-mg-…");
    let out = run_clean(mg(&ctx, &["doctor"]), Stdin::Null, "doctor after a 401");
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_contains(&out.stdout, &format!("User not found for {}", masked()));
    let out = run_clean(
        mg(&ctx, &["doctor", "--json"]),
        Stdin::Null,
        "doctor --json",
    );
    assert_contains(&out.stdout, "User not found for sk-mg-…");

    let ctx = stub_context();
    let mut init = stub_cmd(&ctx);
    init.args(["init", "--yes", "--api-key-stdin", "--shell", "none"])
        .args(["--base-url", &gateway_url(&server)]);
    let line = format!("{KEY}\n");
    let out = run_clean(init, Stdin::Bytes(line.as_bytes()), "init after a 401");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_contains(&out.stderr, "rejected the key");
}
