//! The ModelGates client against a real HTTP server on 127.0.0.1 (wiremock, and a raw TCP
//! server where the test needs control over how the body is chunked), serving the bodies in
//! `fixtures/api/`.

use std::time::{Duration, Instant};

use mg_codex::api::{
    check_base_url, ApiError, Client, ClientOptions, KeyInfo, NetFailure, Network, ProbeResult,
    MAX_BODY_BYTES, MAX_RETRY_WAIT,
};
use mg_codex::secret::ApiKey;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{any, body_partial_json, header, HeaderExactMatcher};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::{api_json, api_response, mount, mount_once, ok_body, route, serve, serve_all};

/// A key that looks real; every test checks it never leaks into an error.
const KEY: &str = "sk-mg-v1-0123456789abcdef0123456789abcdef9f2c";
/// The base path of the API under the server's root, as in production.
const API: &str = "/api/v1";

/// Matches `$value` against one pattern and evaluates `$then` with its bindings, or panics
/// naming the pattern and what came instead (after `$context`, when given).
macro_rules! expect_variant {
    ($value:expr, $pattern:pat => $then:expr) => {
        expect_variant!($value, $pattern => $then, "")
    };
    ($value:expr, $pattern:pat => $then:expr, $context:expr) => {
        match $value {
            $pattern => $then,
            other => panic!(
                "{}expected `{}`, got {other:?}",
                $context,
                stringify!($pattern)
            ),
        }
    };
}

/// A 200 answer with `body` as JSON.
fn json_body(body: &str) -> ResponseTemplate {
    ok_body(body, "application/json")
}

/// A 200 `text/event-stream` answer.
fn event_stream(body: String) -> ResponseTemplate {
    ok_body(body, "text/event-stream")
}

fn api_path(rest: &str) -> String {
    format!("{API}/{rest}")
}

/// The `authorization` header every request must carry.
fn bearer() -> HeaderExactMatcher {
    header("authorization", format!("Bearer {KEY}").as_str())
}

fn options(base: &str, timeout: Duration) -> ClientOptions {
    ClientOptions {
        base_url: base.to_string(),
        key: Some(ApiKey::parse(KEY).unwrap()),
        timeout,
        network: Network::default(),
    }
}

fn client_with_timeout(base: &str, timeout: Duration) -> Client {
    Client::new(options(base, timeout)).expect("a loopback http base URL is accepted")
}

fn base_url(server: &MockServer) -> String {
    format!("{}{API}", server.uri())
}

fn client(server: &MockServer) -> Client {
    client_with_timeout(&base_url(server), Duration::from_secs(10))
}

/// A server answering every request with `response`.
async fn serve_any(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// A server answering `GET url_path` with `first` once, then with `then`.
async fn serve_first_then(
    url_path: String,
    first: ResponseTemplate,
    then: ResponseTemplate,
) -> MockServer {
    let server = MockServer::start().await;
    route("GET", url_path.as_str())
        .respond_with(first)
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount(&server, "GET", url_path, then).await;
    server
}

/// The legacy `GET /auth/key` answers the key's status to a request with the key, exactly once.
async fn mount_legacy_key_path(server: &MockServer) {
    mount_once(
        server,
        route("GET", api_path("auth/key")).and(bearer()),
        api_json("key_valid.json"),
    )
    .await;
}

/// What `key_status` reads when `GET /key` is answered with `response`.
async fn key_info(response: ResponseTemplate) -> KeyInfo {
    let server = serve("GET", api_path("key"), response).await;
    client(&server)
        .key_status()
        .await
        .expect("the key status is read")
}

/// A server answering `GET /key` with `response`, and the error `key_status` ends with.
async fn key_error(response: ResponseTemplate) -> (MockServer, ApiError) {
    let server = serve("GET", api_path("key"), response).await;
    let err = client(&server).key_status().await.unwrap_err();
    (server, err)
}

/// Probes `openai/gpt-5.3-codex` (no effort) against a server answering `POST /responses`
/// with a 200 carrying `body` as `content_type`.
async fn probe_with(body: impl Into<String>, content_type: &str) -> Result<ProbeResult, ApiError> {
    let server = serve("POST", api_path("responses"), ok_body(body, content_type)).await;
    client(&server).probe("openai/gpt-5.3-codex", None).await
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

async fn request_paths(server: &MockServer) -> Vec<String> {
    requests(server)
        .await
        .iter()
        .map(|r| r.url.path().to_string())
        .collect()
}

/// Asserts that neither the Display nor the Debug of an error carries the key, and returns
/// both for further checks.
#[track_caller]
fn assert_no_key(error: &ApiError) -> String {
    let shown = format!("{error} | {error:?}");
    assert!(
        !shown.contains(KEY),
        "the key leaked into an error: {shown}"
    );
    // Not even a long piece of it (the masked form keeps only the last four characters).
    assert!(
        !shown.contains("0123456789abcdef"),
        "part of the key leaked into an error: {shown}"
    );
    shown
}

// ---------------------------------------------------------------------------------------------
// GET /key

#[tokio::test]
async fn valid_key_is_parsed_and_sent_as_bearer_with_user_agent() {
    let server = MockServer::start().await;
    let user_agent = concat!("mg-codex/", env!("CARGO_PKG_VERSION"));
    mount_once(
        &server,
        route("GET", api_path("key"))
            .and(bearer())
            .and(header("user-agent", user_agent)),
        api_json("key_valid.json"),
    )
    .await;

    let info = client(&server)
        .key_status()
        .await
        .expect("the key is valid");

    assert_eq!(info.label.as_deref(), Some("sk-mg-v1-ab3...9f2"));
    assert_eq!(info.limit, Some(25.0));
    assert_eq!(info.limit_remaining, Some(24.1));
    assert_eq!(info.limit_reset.as_deref(), Some("monthly"));
    assert_eq!(info.usage, Some(0.9));
    assert_eq!(info.is_free_tier, Some(false));
    assert_eq!(info.is_management_key, Some(false));
    assert_eq!(info.expires_at, None);

    let received = requests(&server).await;
    assert_eq!(received.len(), 1);
    let headers = &received[0].headers;
    assert_eq!(
        headers.get("authorization").unwrap().to_str().unwrap(),
        format!("Bearer {KEY}")
    );
    assert_eq!(
        headers.get("user-agent").unwrap().to_str().unwrap(),
        format!("mg-codex/{}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn management_key_is_flagged() {
    let info = key_info(api_json("key_management.json")).await;

    assert_eq!(info.is_management_key, Some(true));
    assert_eq!(info.limit, None, "a null limit is unlimited");
    assert_eq!(info.limit_remaining, None);
    assert_eq!(info.expires_at.as_deref(), Some("2030-01-01T00:00:00Z"));
}

#[tokio::test]
async fn free_tier_key_with_missing_fields_and_string_numbers_is_parsed() {
    let info = key_info(api_json("key_free_tier.json")).await;

    assert_eq!(info.is_free_tier, Some(true));
    assert_eq!(info.limit, Some(0.0), "`\"0\"` is read as a number");
    assert_eq!(info.limit_remaining, Some(0.0));
    assert_eq!(info.is_management_key, None, "a missing field is None");
    assert_eq!(info.limit_reset, None);
}

#[tokio::test]
async fn key_rejected_401_carries_the_server_message() {
    let (server, err) = key_error(api_response(401, "error_401.json")).await;

    assert_eq!(
        err,
        ApiError::KeyRejected {
            message: "User not found.".into()
        }
    );
    assert!(err.to_string().contains("401"));
    assert_no_key(&err);
    assert_eq!(requests(&server).await.len(), 1, "a 401 is not retried");
}

#[tokio::test]
async fn out_of_credits_402() {
    let (server, err) = key_error(api_response(402, "error_402.json")).await;

    expect_variant!(&err, ApiError::OutOfCredits { message } => assert!(
        message.starts_with("Insufficient credits"),
        "unexpected message: {message}"
    ));
    assert_no_key(&err);
    assert_eq!(requests(&server).await.len(), 1, "a 402 is not retried");
}

#[tokio::test]
async fn key_404_falls_back_to_auth_key() {
    let server = MockServer::start().await;
    let not_found = ResponseTemplate::new(404).set_body_raw("<h1>Not Found</h1>", "text/html");
    mount_once(&server, route("GET", api_path("key")), not_found).await;
    mount_legacy_key_path(&server).await;

    let info = client(&server)
        .key_status()
        .await
        .expect("the legacy path answers");

    assert_eq!(info.label.as_deref(), Some("sk-mg-v1-ab3...9f2"));
    assert_eq!(
        request_paths(&server).await,
        [api_path("key"), api_path("auth/key")]
    );
}

#[tokio::test]
async fn invalid_json_body_is_a_bad_response() {
    let (_server, err) =
        key_error(ok_body("<html><body>Welcome!</body></html>", "text/html")).await;

    expect_variant!(&err, ApiError::BadResponse { detail, .. } => {
        assert!(detail.contains("/key"), "names the path: {detail}");
        assert!(detail.contains("<html>"), "shows how it starts: {detail}");
    });
    assert_no_key(&err);
}

#[tokio::test]
async fn data_that_is_not_an_object_is_a_bad_response() {
    let model_path = api_path("model/openai/gpt-5.3-codex");
    let server = serve_all([
        ("GET", api_path("key"), json_body(r#"{"data": []}"#)),
        (
            "GET",
            api_path("models"),
            json_body(r#"{"data": {"id": "x"}}"#),
        ),
        (
            "GET",
            model_path,
            json_body(r#"{"data": "openai/gpt-5.3-codex"}"#),
        ),
    ])
    .await;
    let client = client(&server);

    let key = client.key_status().await.unwrap_err();
    let models = client.models().await.unwrap_err();
    let model = client.model("openai/gpt-5.3-codex").await.unwrap_err();

    for err in [&key, &models, &model] {
        assert!(
            matches!(err, ApiError::BadResponse { .. }),
            "expected BadResponse, got {err:?}"
        );
        assert_no_key(err);
    }
}

// ---------------------------------------------------------------------------------------------
// GET /models, GET /model/{author}/{slug}

#[tokio::test]
async fn catalogue_is_parsed_with_capabilities_prices_and_expiry() {
    let server = MockServer::start().await;
    route("GET", api_path("models"))
        .and(bearer())
        .respond_with(api_json("models.json"))
        .mount(&server)
        .await;

    let models = client(&server).models().await.unwrap();

    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "openai/gpt-5.3-codex",
            "openai/gpt-5.2-codex",
            "openai/gpt-5.3-codex:free",
            "anthropic/claude-sonnet-4.5",
            "mistralai/mistral-7b-instruct",
            "meta-llama/llama-3.1-8b-instruct",
        ]
    );
    let codex = &models[0];
    assert!(codex.supports("tools") && codex.supports("reasoning"));
    assert_eq!(codex.context_length, Some(400_000));
    assert_eq!(codex.prompt_price, Some(0.00000175));
    assert_eq!(codex.completion_price, Some(0.000014));
    assert_eq!(codex.expiration_date, None);
    assert_eq!(models[1].expiration_date.as_deref(), Some("2026-06-30"));
    let free = &models[2];
    assert!(free.supports("tools") && !free.supports("reasoning"));
    let mistral = &models[4];
    assert!(!mistral.supports("tools") && !mistral.supports("reasoning"));
    assert!(
        models[5].supported_parameters.is_empty(),
        "null supported_parameters reads as none"
    );
}

#[tokio::test]
async fn model_is_found_via_model_path() {
    let server = MockServer::start().await;
    let model_path = api_path("model/openai/gpt-5.3-codex");
    mount_once(
        &server,
        route("GET", model_path.as_str()),
        api_json("model_gpt_5_3_codex.json"),
    )
    .await;

    let model = client(&server).model("openai/gpt-5.3-codex").await.unwrap();

    assert_eq!(model.id, "openai/gpt-5.3-codex");
    assert_eq!(model.name.as_deref(), Some("OpenAI: GPT-5.3 Codex"));
    assert!(model.supports("tools") && model.supports("reasoning"));
    assert_eq!(
        request_paths(&server).await,
        [model_path],
        "the catalogue is not fetched when /model answers"
    );
}

#[tokio::test]
async fn model_404_but_present_in_catalogue_is_found() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        route("GET", api_path("model/openai/gpt-5.3-codex:free")),
        api_response(404, "error_404_model.json"),
    )
    .await;
    mount_once(
        &server,
        route("GET", api_path("models")),
        api_json("models.json"),
    )
    .await;

    let model = client(&server)
        .model("openai/gpt-5.3-codex:free")
        .await
        .expect("the catalogue has it");

    assert_eq!(model.id, "openai/gpt-5.3-codex:free");
    assert!(model.supports("tools"));
    assert!(!model.supports("reasoning"));
}

#[tokio::test]
async fn model_missing_everywhere_is_not_found_and_suggests_the_author_prefix() {
    let server = serve_all([
        (
            "GET",
            api_path("model/gpt-5.3-codex"),
            api_response(404, "error_404_model.json"),
        ),
        ("GET", api_path("models"), api_json("models.json")),
    ])
    .await;
    let client = client(&server);

    let err = client.model("gpt-5.3-codex").await.unwrap_err();

    assert_eq!(
        err,
        ApiError::NotFound {
            message: "Model not found".into()
        }
    );
    assert_no_key(&err);
    let catalogue = client.models().await.unwrap();
    let suggestions = mg_codex::model_id::suggest("gpt-5.3-codex", &catalogue);
    assert_eq!(
        suggestions.first().map(String::as_str),
        Some("openai/gpt-5.3-codex")
    );
    assert!(suggestions.len() <= 3);
    assert!(
        !suggestions.iter().any(|s| s.starts_with("anthropic/")),
        "unrelated models are not suggested: {suggestions:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Retries

/// A 429 with the `error_429.json` body and `Retry-After: SECONDS`.
fn rate_limited(retry_after: &str) -> ResponseTemplate {
    api_response(429, "error_429.json").insert_header("Retry-After", retry_after)
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_429_with_retry_after_then_success_retries_once_after_waiting() {
    let server = serve_first_then(
        api_path("key"),
        rate_limited("1"),
        api_json("key_valid.json"),
    )
    .await;

    let started = Instant::now();
    let info = client(&server)
        .key_status()
        .await
        .expect("the retry succeeds");
    let elapsed = started.elapsed();

    assert_eq!(info.limit, Some(25.0));
    assert_eq!(requests(&server).await.len(), 2);
    assert!(
        elapsed >= Duration::from_secs(1),
        "Retry-After: 1 was honoured, waited only {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_429_twice_is_rate_limited_with_retry_after() {
    let (server, err) = key_error(rate_limited("1")).await;

    assert_eq!(
        err,
        ApiError::RateLimited {
            retry_after_secs: Some(1),
            message: "Rate limit exceeded: 200 requests per 10s".into()
        }
    );
    assert_no_key(&err);
    assert_eq!(requests(&server).await.len(), 2, "one retry at most");
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_with_a_retry_after_beyond_the_deadline_gives_up_at_once() {
    let server = serve("GET", api_path("key"), rate_limited("60")).await;
    // A deadline shorter than the longest wait (so the capped Retry-After still ends beyond it)
    // and long enough that "at once" has seconds of slack on a loaded machine.
    let timeout = MAX_RETRY_WAIT - Duration::from_secs(1);
    let client = client_with_timeout(&base_url(&server), timeout);

    let started = Instant::now();
    let err = client.key_status().await.unwrap_err();
    let elapsed = started.elapsed();

    assert!(
        matches!(
            err,
            ApiError::RateLimited {
                retry_after_secs: Some(60),
                ..
            }
        ),
        "got {err:?}"
    );
    assert_eq!(requests(&server).await.len(), 1, "no pointless retry");
    assert!(
        elapsed < timeout / 2,
        "did not sleep towards a retry it cannot make: {elapsed:?}, the timeout is {timeout:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_500_then_success_retries_once() {
    let server = serve_first_then(
        api_path("models"),
        api_response(500, "error_500.json"),
        api_json("models.json"),
    )
    .await;

    let models = client(&server).models().await.expect("the retry succeeds");

    assert_eq!(models.len(), 6);
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_500_twice_is_server_error_after_exactly_two_requests() {
    let (server, err) = key_error(api_response(500, "error_500.json")).await;

    assert_eq!(
        err,
        ApiError::ServerError {
            status: 500,
            message: "Internal Server Error".into()
        }
    );
    assert_no_key(&err);
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn bad_request_400_is_a_status_with_a_string_code_and_is_not_retried() {
    let (server, err) = key_error(api_response(400, "error_400_string_code.json")).await;

    assert_eq!(
        err,
        ApiError::Status {
            status: 400,
            message: "gpt-5.3-codex is not a valid model ID (code invalid_prompt)".into()
        }
    );
    assert_no_key(&err);
    assert_eq!(requests(&server).await.len(), 1, "a 400 is not retried");
}

// ---------------------------------------------------------------------------------------------
// Network failures

#[tokio::test(flavor = "multi_thread")]
async fn response_slower_than_the_timeout_is_unreachable_timeout_without_retry() {
    let slow = api_json("key_valid.json").set_delay(Duration::from_secs(10));
    let server = serve("GET", api_path("key"), slow).await;
    // Seconds of slack on a loaded machine; the request count below proves there was no retry.
    let timeout = Duration::from_secs(2);
    let client = client_with_timeout(&base_url(&server), timeout);

    let started = Instant::now();
    let err = client.key_status().await.unwrap_err();
    let elapsed = started.elapsed();

    expect_variant!(&err, ApiError::Unreachable { failure, host, .. } => {
        assert_eq!(*failure, NetFailure::Timeout);
        assert_eq!(*host, server.address().to_string());
    });
    assert_no_key(&err);
    assert!(
        elapsed < timeout * 2,
        "gave up after {elapsed:?}, the timeout is {timeout:?}"
    );
    assert_eq!(requests(&server).await.len(), 1, "a timeout is not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_refused_is_unreachable_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = client_with_timeout(
        &format!("http://127.0.0.1:{port}{API}"),
        Duration::from_secs(5),
    );

    let err = client.key_status().await.unwrap_err();

    expect_variant!(&err, ApiError::Unreachable { failure, host, .. } => {
        assert_eq!(*failure, NetFailure::Refused, "{err}");
        assert_eq!(*host, format!("127.0.0.1:{port}"));
    });
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")));
    assert_no_key(&err);
}

// ---------------------------------------------------------------------------------------------
// Bounded answers (hostile peers on raw TCP; the CLI's side is in `net_limits`)

#[tokio::test(flavor = "multi_thread")]
async fn a_body_announced_over_the_cap_is_refused_before_a_byte_of_it_is_read() {
    let peer = crate::hostile::gateway_answering(crate::hostile::Answer::Claims {
        content_length: MAX_BODY_BYTES + 1,
    })
    .await;
    // The body never comes: only the announced length can end this before the timeout.
    let timeout = Duration::from_secs(30);
    let client = client_with_timeout(&peer.base_url(), timeout);

    let started = Instant::now();
    let err = client.models().await.unwrap_err();

    assert!(err.is_too_large(), "{err:?}");
    assert!(
        err.to_string().contains(&format!(
            "the response from `{}` is larger than 64 MiB",
            peer.addr
        )),
        "{err}"
    );
    assert!(started.elapsed() < timeout / 2, "{:?}", started.elapsed());
    assert_no_key(&err);
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_bodies_of_every_kind_are_too_large_and_not_retried() {
    let peer = crate::hostile::gateway(|head: &crate::hostile::Head| {
        if head.target.ends_with("/responses") {
            crate::hostile::Answer::endless_events()
        } else {
            crate::hostile::Answer::endless_json()
        }
    })
    .await;
    let client = client_with_timeout(&peer.base_url(), Duration::from_secs(60));

    let errors = [
        client.key_status().await.unwrap_err(),
        client.models().await.unwrap_err(),
        client.model("openai/gpt-5.3-codex").await.unwrap_err(),
        client
            .probe("openai/gpt-5.3-codex", None)
            .await
            .unwrap_err(),
    ];

    for err in &errors {
        assert!(err.is_too_large(), "{err:?}");
        assert_no_key(err);
    }
    let requests = peer.received().matches(" HTTP/1.1\r\n").count();
    assert_eq!(requests, 4, "one request each, no retry");
}

// ---------------------------------------------------------------------------------------------
// Where the key may go

#[tokio::test]
async fn redirect_to_another_host_is_an_error_and_the_other_host_gets_no_request() {
    for status in [302, 307] {
        let b = serve_any(api_json("key_valid.json")).await;
        let target = format!("{}{API}/key", b.uri());
        let redirect = ResponseTemplate::new(status).insert_header("Location", target.as_str());

        let (a, err) = key_error(redirect).await;

        assert_ne!(a.address().port(), b.address().port());
        expect_variant!(&err, ApiError::Status { status: s, message } => {
            assert_eq!(*s, status);
            assert!(message.contains(&target), "names the target: {message}");
        }, format!("{status}: "));
        assert_no_key(&err);
        assert!(
            requests(&b).await.is_empty(),
            "{status}: the other host received a request"
        );
        assert_eq!(
            requests(&a).await.len(),
            1,
            "{status}: a redirect is not retried"
        );
    }
}

#[tokio::test]
async fn redirect_within_the_same_origin_is_followed_with_the_key() {
    let redirect =
        ResponseTemplate::new(307).insert_header("Location", api_path("auth/key").as_str());
    let server = serve("GET", api_path("key"), redirect).await;
    mount_legacy_key_path(&server).await;

    let info = client(&server).key_status().await.unwrap();

    assert_eq!(info.limit, Some(25.0));
}

#[tokio::test]
async fn plain_http_to_a_non_loopback_host_is_refused_before_any_request() {
    let server = serve_any(api_json("key_valid.json")).await;
    let port = server.address().port();
    // 0.0.0.0 reaches the local server on Linux, but it is not a loopback address: the
    // client must not even try.
    for base in [
        format!("http://0.0.0.0:{port}{API}"),
        format!("http://modelgates.ai{API}"),
        format!("http://10.0.0.1:{port}{API}"),
    ] {
        assert!(
            matches!(check_base_url(&base), Err(ApiError::InsecureUrl { .. })),
            "{base} must be refused"
        );
        let err = Client::new(options(&base, Duration::from_secs(2))).unwrap_err();
        expect_variant!(&err, ApiError::InsecureUrl { reason, .. } => {
            assert!(reason.contains("loopback"), "{reason}")
        }, format!("{base}: "));
        assert_no_key(&err);
    }
    assert!(check_base_url(&base_url(&server)).is_ok());
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn the_key_never_appears_in_errors_even_when_the_server_echoes_it() {
    let echo = |status: u16| {
        ResponseTemplate::new(status).set_body_raw(
            format!(r#"{{"error":{{"code":{status},"message":"Key {KEY} is not valid"}}}}"#),
            "application/json",
        )
    };
    let server = serve_all([
        ("GET", api_path("key"), echo(401)),
        ("GET", api_path("models"), echo(403)),
        ("GET", api_path("model/openai/gpt-5.3-codex"), echo(500)),
        ("POST", api_path("responses"), echo(400)),
    ])
    .await;
    let client = client(&server);
    assert!(!format!("{client:?}").contains(KEY), "the client's Debug");

    let errors = [
        client.key_status().await.unwrap_err(),
        client.models().await.unwrap_err(),
        client.model("openai/gpt-5.3-codex").await.unwrap_err(),
        client
            .probe("openai/gpt-5.3-codex", None)
            .await
            .unwrap_err(),
    ];

    assert!(matches!(errors[0], ApiError::KeyRejected { .. }));
    assert!(matches!(errors[1], ApiError::Forbidden { .. }));
    assert!(matches!(errors[2], ApiError::ServerError { .. }));
    assert!(matches!(errors[3], ApiError::Status { status: 400, .. }));
    for err in &errors {
        let shown = assert_no_key(err);
        assert!(
            shown.contains("sk-mg-…9f2c"),
            "masked, not dropped: {shown}"
        );
    }
    // The body of a 200 that is not JSON is quoted in the error, scrubbed too.
    let (_quoting, bad) = key_error(ok_body(format!("{KEY} <- yours"), "text/plain")).await;
    assert!(matches!(bad, ApiError::BadResponse { .. }), "{bad:?}");
    assert_no_key(&bad);
}

#[tokio::test]
async fn no_piece_of_the_key_leaks_when_a_quoted_body_is_cut_inside_it() {
    // The error quotes the first 60 characters of a non-JSON body: put the key across that cut.
    let body = format!("Unauthorized request for key {KEY}, see the docs");
    assert!(body.find(KEY).unwrap() < 60 && body.find(KEY).unwrap() + KEY.len() > 60);

    let (_server, err) = key_error(ok_body(body, "text/plain")).await;

    assert!(matches!(err, ApiError::BadResponse { .. }), "{err:?}");
    assert_no_key(&err);
}

// ---------------------------------------------------------------------------------------------
// POST /responses

fn sse(events: &[Value]) -> String {
    let mut out = String::new();
    for event in events {
        let kind = event["type"].as_str().unwrap();
        out.push_str(&format!("event: {kind}\ndata: {event}\n\n"));
    }
    out
}

#[tokio::test]
async fn probe_streams_to_completed_and_sends_the_cheap_request() {
    let server = MockServer::start().await;
    let body = sse(&[
        serde_json::json!({"type": "response.created", "response": {"id": "resp_123", "status": "in_progress"}}),
        serde_json::json!({"type": "response.output_text.delta", "item_id": "msg_1", "delta": "o"}),
        serde_json::json!({"type": "response.output_text.delta", "item_id": "msg_1", "delta": "k"}),
        serde_json::json!({"type": "response.output_text.done", "item_id": "msg_1", "text": "ok"}),
        serde_json::json!({"type": "response.completed", "response": {"id": "resp_123", "status": "completed"}}),
    ]);
    let cheap = body_partial_json(serde_json::json!({
        "model": "openai/gpt-5.3-codex",
        "stream": true,
        "store": false,
        "max_output_tokens": 16,
        "reasoning": {"effort": "low"},
    }));
    mount_once(
        &server,
        route("POST", api_path("responses"))
            .and(bearer())
            .and(cheap),
        event_stream(body),
    )
    .await;

    let result = client(&server)
        .probe("openai/gpt-5.3-codex", Some("low"))
        .await
        .expect("the stream completes");

    assert_eq!(result.text, "ok");
    assert_eq!(result.response_id.as_deref(), Some("resp_123"));
    let received = requests(&server).await;
    assert_eq!(received.len(), 1);
    let sent: Value = received[0].body_json().unwrap();
    assert_eq!(sent["model"], "openai/gpt-5.3-codex");
    assert_eq!(sent["stream"], true);
    assert_eq!(sent["store"], false);
    assert_eq!(sent["max_output_tokens"], 16);
    assert_eq!(sent["reasoning"]["effort"], "low");
}

#[tokio::test]
async fn probe_without_effort_sends_no_reasoning() {
    let body = sse(&[
        serde_json::json!({"type": "response.output_text.delta", "delta": "ok"}),
        serde_json::json!({"type": "response.completed", "response": {"id": "resp_9"}}),
    ]);
    let server = serve("POST", api_path("responses"), event_stream(body)).await;

    let result = client(&server)
        .probe("anthropic/claude-sonnet-4.5", None)
        .await
        .unwrap();

    assert_eq!(result.response_id.as_deref(), Some("resp_9"));
    let sent: Value = requests(&server).await[0].body_json().unwrap();
    assert_eq!(sent["model"], "anthropic/claude-sonnet-4.5");
    assert!(sent.get("reasoning").is_none(), "sent: {sent}");
}

#[tokio::test]
async fn probe_stream_ending_without_completed_is_a_bad_response() {
    let body = sse(&[
        serde_json::json!({"type": "response.created", "response": {"id": "resp_1"}}),
        serde_json::json!({"type": "response.output_text.delta", "delta": "o"}),
    ]);

    let err = probe_with(body, "text/event-stream").await.unwrap_err();

    expect_variant!(&err, ApiError::BadResponse { detail, .. } => {
        assert!(detail.contains("response.completed"), "{detail}")
    });
    assert_no_key(&err);
}

#[tokio::test]
async fn probe_answered_with_plain_json_is_a_bad_response() {
    let body = r#"{"id":"resp_1","object":"response","output":[]}"#;

    let err = probe_with(body, "application/json").await.unwrap_err();

    assert!(matches!(err, ApiError::BadResponse { .. }), "{err:?}");
}

#[tokio::test]
async fn probe_event_that_is_not_json_is_a_bad_response() {
    let body = "event: response.output_text.delta\ndata: {not json\n\n";

    let err = probe_with(body, "text/event-stream").await.unwrap_err();

    assert!(matches!(err, ApiError::BadResponse { .. }), "{err:?}");
}

#[tokio::test]
async fn probe_stream_reporting_failure_is_an_error_without_the_key() {
    let body = sse(&[
        serde_json::json!({"type": "response.created", "response": {"id": "resp_1"}}),
        serde_json::json!({"type": "response.failed", "response": {"id": "resp_1", "error": {
            "code": "invalid_api_key",
            "message": format!("Incorrect API key provided: {KEY}")
        }}}),
    ]);

    let err = probe_with(body, "text/event-stream").await.unwrap_err();

    expect_variant!(&err, ApiError::BadResponse { detail, .. } => {
        assert!(detail.contains("Incorrect API key provided"), "{detail}")
    });
    assert_no_key(&err);
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 server, for streams whose chunking the test controls.

/// Serves one request on 127.0.0.1: reads the request head and body, answers 200
/// `text/event-stream` with chunked encoding, writing each part as its own chunk with a pause
/// between them, then either ends the body or (with `hang`) keeps the connection open.
async fn raw_stream_server(
    parts: Vec<Vec<u8>>,
    hang: bool,
) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}{API}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // Read the head, then as many body bytes as Content-Length says.
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed before sending a request");
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length: usize = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
        }
        socket
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n",
            )
            .await
            .unwrap();
        for part in parts {
            let mut chunk = format!("{:x}\r\n", part.len()).into_bytes();
            chunk.extend_from_slice(&part);
            chunk.extend_from_slice(b"\r\n");
            if socket.write_all(&chunk).await.is_err() {
                return;
            }
            socket.flush().await.unwrap();
            // A slow server: each part arrives on its own, 50 ms after the last.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if hang {
            // Keep the connection open until the client gives up.
            let _ = socket.read(&mut buf).await;
        } else {
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
    });
    (base, task)
}

#[tokio::test(flavor = "multi_thread")]
async fn probe_text_split_inside_a_multibyte_character_is_kept_intact() {
    let delta =
        serde_json::json!({"type": "response.output_text.delta", "delta": "d\u{e9}j\u{e0} ok"});
    let completed =
        serde_json::json!({"type": "response.completed", "response": {"id": "resp_utf8"}});
    let stream = format!("data: {delta}\n\ndata: {completed}\n\n").into_bytes();
    // Split between the two bytes of `é` (0xC3 0xA9).
    let cut = stream.iter().position(|&b| b == 0xC3).unwrap() + 1;
    let (base, server) =
        raw_stream_server(vec![stream[..cut].to_vec(), stream[cut..].to_vec()], false).await;
    let client = client_with_timeout(&base, Duration::from_secs(5));

    let result = client.probe("openai/gpt-5.3-codex", None).await;
    server.await.unwrap();

    let result = result.expect("the stream completes");
    assert_eq!(result.response_id.as_deref(), Some("resp_utf8"));
    assert_eq!(result.text, "d\u{e9}j\u{e0} ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn probe_stream_that_stalls_is_unreachable_timeout_within_the_timeout() {
    let delta = serde_json::json!({"type": "response.output_text.delta", "delta": "o"});
    let (base, server) =
        raw_stream_server(vec![format!("data: {delta}\n\n").into_bytes()], true).await;
    // Seconds of slack on a loaded machine.
    let timeout = Duration::from_secs(2);
    let client = client_with_timeout(&base, timeout);

    let started = Instant::now();
    let err = client
        .probe("openai/gpt-5.3-codex", None)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    server.await.unwrap();

    assert!(
        matches!(
            err,
            ApiError::Unreachable {
                failure: NetFailure::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert_no_key(&err);
    assert!(
        elapsed < timeout * 2,
        "gave up after {elapsed:?}, the timeout is {timeout:?}"
    );
}
