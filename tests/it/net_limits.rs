//! Bounded answers, end to end: the real binary against hostile gateways on 127.0.0.1
//! (`hostile`). A body that never ends stops at the 64 MiB cap with a message naming the host,
//! in bounded memory (the process runs under a 1 GiB address-space limit, which an unbounded
//! reader hits within a second); a body that drips one byte every 200 ms ends within the
//! `--timeout` (headers, body and retry together), with the timeout message. `models`, `doctor`
//! (with `--deep`, so the event stream is covered too) and `init --yes` are each run.

use std::process::Command;
use std::time::Duration;

use crate::hostile::{
    describe, gateway, gateway_answering, limit_memory, run_timed, Answer, Head, Peer,
    ADDRESS_SPACE,
};
use crate::support::{assert_contains, assert_no_key, stub_cmd, stub_context, TestContext};

const KEY: &str = "sk-mg-v1-limitstestkey0123456789abcdef";
/// Far longer than reading 64 MiB from 127.0.0.1 takes: the size cap, not the clock, ends
/// the endless runs.
const LONG_TIMEOUT: &str = "60";
/// The `--timeout` of the drip runs, and how long they may take at most (twice it: process
/// start and a loaded machine are slack enough).
const SHORT_TIMEOUT: Duration = Duration::from_secs(2);
/// A run that is still going after this has hung: the test fails.
const KILL_AFTER: Duration = Duration::from_secs(120);

/// A config that uses ModelGates at `peer`, with `openai/gpt-5.3-codex`.
fn config_for(peer: &Peer) -> String {
    format!(
        "model_provider = \"modelgates\"\nmodel = \"openai/gpt-5.3-codex\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}\"\n\
         env_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n",
        peer.base_url()
    )
}

fn models_cmd(ctx: &TestContext, peer: &Peer, timeout: &str) -> Command {
    let mut cmd = ctx.cmd();
    cmd.args([
        "models",
        "--base-url",
        &peer.base_url(),
        "--timeout",
        timeout,
    ]);
    cmd
}

fn doctor_cmd(ctx: &TestContext, peer: &Peer, timeout: &str) -> Command {
    ctx.write_config(&config_for(peer));
    let mut cmd = stub_cmd(ctx);
    cmd.args(["doctor", "--deep", "--timeout", timeout])
        .env("MODELGATES_API_KEY", KEY);
    cmd
}

fn init_cmd(ctx: &TestContext, peer: &Peer, timeout: &str) -> Command {
    let mut cmd = stub_cmd(ctx);
    cmd.args(["init", "--yes", "--api-key-stdin", "--shell", "none"])
        .args(["--base-url", &peer.base_url(), "--timeout", timeout]);
    cmd
}

/// Runs `cmd` under the address-space cap; it must fail (exit 1) saying the answer from
/// `peer` is larger than 64 MiB, `times` times at least.
async fn assert_too_large(mut cmd: Command, stdin: Option<String>, peer: &Peer, times: usize) {
    limit_memory(&mut cmd, ADDRESS_SPACE);
    let (out, _) = run_timed(cmd, stdin, KILL_AFTER).await;
    let text = describe(&out);
    assert_eq!(out.code, 1, "a classified failure, not a crash:\n{text}");
    let message = format!("the response from `{}` is larger than 64 MiB", peer.addr);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.matches(&message).count() >= times,
        "`{message}` ({times}x) is not in:\n{text}"
    );
    assert_no_key(&out, KEY);
}

#[tokio::test(flavor = "multi_thread")]
async fn models_stops_an_endless_catalogue_at_the_size_cap_in_bounded_memory() {
    let peer = gateway_answering(Answer::endless_json()).await;
    let ctx = TestContext::new();

    assert_too_large(models_cmd(&ctx, &peer, LONG_TIMEOUT), None, &peer, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_stops_an_endless_key_status_and_an_endless_event_stream_at_the_size_cap() {
    let model = crate::support::api_fixture("model_gpt_5_3_codex.json");
    let peer = gateway(move |head: &Head| {
        if head.target.ends_with("/responses") {
            Answer::endless_events()
        } else if head.target.contains("/model/") {
            Answer::json(200, model.clone())
        } else {
            Answer::endless_json()
        }
    })
    .await;
    let ctx = stub_context();

    // `api.key` (a JSON body) and `api.responses` (the event stream) both fail with it.
    assert_too_large(doctor_cmd(&ctx, &peer, LONG_TIMEOUT), None, &peer, 2).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn init_stops_an_endless_answer_at_the_size_cap_and_writes_nothing() {
    let peer = gateway_answering(Answer::endless_json()).await;
    let ctx = stub_context();
    let before = crate::support::tree(&ctx.home());

    assert_too_large(
        init_cmd(&ctx, &peer, LONG_TIMEOUT),
        Some(format!("{KEY}\n")),
        &peer,
        1,
    )
    .await;

    crate::support::assert_same_tree(&before, &crate::support::tree(&ctx.home()), "init");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_body_that_never_ends_is_capped_too() {
    // A 401 whose body never ends: the status alone is not read as "key rejected" from half an
    // answer; the size cap ends it.
    let peer = gateway(|head: &Head| {
        if head.target.ends_with("/key") {
            Answer::Endless {
                content_type: "application/json",
                chunk: "x".repeat(65536),
            }
        } else {
            Answer::json(404, r#"{"error":{"code":404,"message":"no"}}"#)
        }
    })
    .await;
    let ctx = stub_context();

    assert_too_large(
        init_cmd(&ctx, &peer, LONG_TIMEOUT),
        Some(format!("{KEY}\n")),
        &peer,
        1,
    )
    .await;
}

/// `{"data": [...], "junk": [1,1,1,…]}`: about 60 MiB, under the cap, made of tiny values
/// (a tree of them, `serde_json::Value`, would take well over a gigabyte).
fn tiny_values(data: &str) -> String {
    let mut body = format!(r#"{{"data": {data}, "junk": ["#);
    body.push_str(&"1,".repeat(30 << 20));
    body.push_str("1]}");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_of_tiny_values_under_the_cap_are_read_in_bounded_memory() {
    let catalogue =
        tiny_values(r#"[{"id": "openai/gpt-5.3-codex", "supported_parameters": ["tools"]}]"#);
    let model = crate::support::api_fixture("model_gpt_5_3_codex.json");
    let key = crate::support::api_fixture("key_valid.json");
    let mut event =
        String::from(r#"data: {"type":"response.output_text.delta","delta":"ok","junk":["#);
    event.push_str(&"1,".repeat(30 << 20));
    event.push_str(
        "1]}\n\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\"}}\n\n",
    );
    let peer = gateway(move |head: &Head| {
        if head.target.ends_with("/responses") {
            Answer::Full {
                status: 200,
                content_type: "text/event-stream",
                body: event.clone(),
            }
        } else if head.target.contains("/model/") {
            Answer::json(200, model.clone())
        } else if head.target.ends_with("/key") {
            Answer::json(200, key.clone())
        } else {
            Answer::json(200, catalogue.clone())
        }
    })
    .await;

    let ctx = TestContext::new();
    let mut models = models_cmd(&ctx, &peer, LONG_TIMEOUT);
    limit_memory(&mut models, ADDRESS_SPACE);
    let (out, _) = run_timed(models, None, KILL_AFTER).await;
    assert_eq!(out.code, 0, "{}", describe(&out));
    assert_contains(&out.stdout, "openai/gpt-5.3-codex\t");

    let ctx = stub_context();
    let mut doctor = doctor_cmd(&ctx, &peer, LONG_TIMEOUT);
    limit_memory(&mut doctor, ADDRESS_SPACE);
    let (out, _) = run_timed(doctor, None, KILL_AFTER).await;
    assert_contains(&out.stdout, "api.responses");
    assert!(
        out.stdout.contains("✓ api.responses"),
        "the probe read its 60 MiB event:\n{}",
        describe(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalogue_of_more_than_100000_models_is_refused() {
    let many = format!("[{}{{\"id\":\"a/b\"}}]", r#"{"id":"a/b"},"#.repeat(100_000));
    let peer = gateway_answering(Answer::json(200, format!(r#"{{"data": {many}}}"#))).await;
    let ctx = TestContext::new();

    let (out, _) = run_timed(models_cmd(&ctx, &peer, LONG_TIMEOUT), None, KILL_AFTER).await;

    assert_eq!(out.code, 1, "{}", describe(&out));
    assert_contains(&out.stderr, "lists more than 100000 models");
}

/// Runs `cmd` against a drip-feeding gateway with `--timeout 2`: it must fail (exit 1) with
/// the timeout message, within twice the timeout.
async fn assert_times_out(cmd: Command, stdin: Option<String>, what: &str) {
    let (out, elapsed) = run_timed(cmd, stdin, KILL_AFTER).await;
    let text = describe(&out);
    assert_eq!(out.code, 1, "{what}:\n{text}");
    assert_contains(
        &format!("{}{}", out.stdout, out.stderr),
        "before the timeout",
    );
    assert!(
        elapsed < SHORT_TIMEOUT * 2,
        "{what} took {elapsed:?} with `--timeout {}`:\n{text}",
        SHORT_TIMEOUT.as_secs()
    );
    assert_no_key(&out, KEY);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drip_fed_answer_ends_within_the_timeout_for_models_doctor_and_init() {
    let peer = gateway_answering(Answer::Drip).await;
    let secs = SHORT_TIMEOUT.as_secs().to_string();

    // The three at once: each spends its timeout waiting for the drip, not on the CPU.
    let (models_ctx, doctor_ctx, init_ctx) = (TestContext::new(), stub_context(), stub_context());
    tokio::join!(
        assert_times_out(models_cmd(&models_ctx, &peer, &secs), None, "models"),
        assert_times_out(doctor_cmd(&doctor_ctx, &peer, &secs), None, "doctor"),
        assert_times_out(
            init_cmd(&init_ctx, &peer, &secs),
            Some(format!("{KEY}\n")),
            "init",
        ),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_drip_gateway_really_drips() {
    // The peer the timeout tests rely on: its body is still arriving after a second.
    let peer = gateway_answering(Answer::Drip).await;
    let mut socket = tokio::net::TcpStream::connect(peer.addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    socket
        .write_all(b"GET /api/v1/models HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 1024];
    while started.elapsed() < Duration::from_secs(1) {
        let n = tokio::time::timeout(Duration::from_millis(500), socket.read(&mut buf))
            .await
            .map_or(0, |r| r.unwrap());
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert!(
        (2..=8).contains(&body.len()),
        "about one byte per 200 ms: {body:?}"
    );
}
