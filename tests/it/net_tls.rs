//! TLS, end to end: the real binary against local servers on 127.0.0.1.
//!
//! - `https://` to a port that speaks plain HTTP is a TLS handshake failure, and (the host being
//!   loopback) the message offers the `http://` URL;
//! - an HTTPS gateway whose CA exists only in a temporary file (minted by rcgen at test time,
//!   served by tokio-rustls) is refused with a certificate message, and trusted once
//!   `SSL_CERT_FILE` (or `SSL_CERT_DIR`) names that CA, as behind a corporate proxy or CA;
//! - `http://` to a TLS port is an answer that is not HTTP, and the message offers `https://`;
//! - a certificate for another name is refused even when its CA is trusted;
//! - a broken `SSL_CERT_FILE` is named when the certificate is not trusted.

use std::process::Command;
use std::time::Duration;

use crate::hostile::{describe, run_timed, tls_gateway, Answer, Head, TestPki};
use crate::support::{api_fixture, api_json, assert_contains, gateway_url, serve, TestContext};

const KILL_AFTER: Duration = Duration::from_secs(60);

fn models_cmd(ctx: &TestContext, base_url: &str) -> Command {
    let mut cmd = ctx.cmd();
    cmd.args(["models", "--base-url", base_url, "--timeout", "10"]);
    cmd
}

/// An HTTPS gateway serving the catalogue of `fixtures/api/models.json`.
async fn tls_catalogue(pki: &TestPki) -> crate::hostile::Peer {
    let catalogue = api_fixture("models.json");
    tls_gateway(pki, move |head: &Head| {
        if head.target.starts_with("/api/v1/models") {
            Answer::json(200, catalogue.clone())
        } else {
            Answer::json(404, r#"{"error":{"code":404,"message":"Not Found"}}"#)
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn https_to_a_plain_http_port_is_a_tls_handshake_failure_with_the_http_url_offered() {
    // A real HTTP server (wiremock): it answers the TLS hello with a 400 in plain text.
    let plain = serve("GET", "/api/v1/models", api_json("models.json")).await;
    let ctx = TestContext::new();
    let https = format!("https://{}/api/v1", plain.address());

    let (out, _) = run_timed(models_cmd(&ctx, &https), None, KILL_AFTER).await;

    let text = describe(&out);
    assert_eq!(out.code, 1, "{text}");
    assert_contains(&out.stderr, "the TLS handshake failed");
    assert_contains(&out.stderr, &format!("`{}`", gateway_url(&plain)));
}

#[tokio::test(flavor = "multi_thread")]
async fn http_to_a_tls_port_is_not_http_with_the_https_url_offered() {
    let pki = TestPki::new(&["127.0.0.1"]);
    let peer = tls_catalogue(&pki).await;
    let ctx = TestContext::new();

    let (out, _) = run_timed(models_cmd(&ctx, &peer.base_url()), None, KILL_AFTER).await;

    assert_eq!(out.code, 1, "{}", describe(&out));
    assert_contains(
        &out.stderr,
        &format!("`{}` did not answer in HTTP", peer.addr),
    );
    assert_contains(&out.stderr, &format!("use `{}`", peer.https_url()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_for_another_name_is_not_trusted_even_with_its_ca() {
    let pki = TestPki::new(&["gateway.invalid"]);
    let peer = tls_catalogue(&pki).await;
    let ctx = TestContext::new();
    let ca = pki.write_ca(&ctx.root_dir("certs"), "ca.pem");

    let mut cmd = models_cmd(&ctx, &peer.https_url());
    cmd.env("SSL_CERT_FILE", &ca);
    let (out, _) = run_timed(cmd, None, KILL_AFTER).await;

    assert_eq!(out.code, 1, "{}", describe(&out));
    assert_contains(&out.stderr, "the server's certificate is not trusted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_ca_is_refused_without_ssl_cert_file_and_trusted_with_it() {
    let pki = TestPki::new(&["127.0.0.1", "localhost"]);
    let peer = tls_catalogue(&pki).await;
    let ctx = TestContext::new();
    let certs = ctx.root_dir("certs");
    let ca = pki.write_ca(&certs, "corporate-ca.pem");

    let (refused, _) = run_timed(models_cmd(&ctx, &peer.https_url()), None, KILL_AFTER).await;
    let text = describe(&refused);
    assert_eq!(refused.code, 1, "an unknown CA is refused:\n{text}");
    assert_contains(&refused.stderr, "certificate");
    assert_contains(&refused.stderr, "SSL_CERT_FILE");

    let mut with_file = models_cmd(&ctx, &peer.https_url());
    with_file.env("SSL_CERT_FILE", &ca);
    let (trusted, _) = run_timed(with_file, None, KILL_AFTER).await;
    assert_eq!(
        trusted.code,
        0,
        "SSL_CERT_FILE is trusted:\n{}",
        describe(&trusted)
    );
    assert_contains(&trusted.stdout, "openai/gpt-5.3-codex\t");

    let mut with_dir = models_cmd(&ctx, &peer.https_url());
    with_dir.env("SSL_CERT_DIR", &certs);
    let (trusted, _) = run_timed(with_dir, None, KILL_AFTER).await;
    assert_eq!(
        trusted.code,
        0,
        "SSL_CERT_DIR is trusted:\n{}",
        describe(&trusted)
    );
    assert_contains(&trusted.stdout, "openai/gpt-5.3-codex\t");

    // `localhost` resolves through /etc/hosts only: the certificate names it too.
    let by_name = peer.https_url().replace("127.0.0.1", "localhost");
    let mut with_file = models_cmd(&ctx, &by_name);
    with_file.env("SSL_CERT_FILE", &ca);
    let (trusted, _) = run_timed(with_file, None, KILL_AFTER).await;
    assert_eq!(trusted.code, 0, "{}", describe(&trusted));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_ssl_cert_file_is_named_when_the_certificate_is_not_trusted() {
    let pki = TestPki::new(&["127.0.0.1"]);
    let peer = tls_catalogue(&pki).await;
    let ctx = TestContext::new();
    let dir = ctx.root_dir("certs");
    let missing = dir.join("missing.pem");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();

    for file in [&missing, &garbage] {
        let mut cmd = models_cmd(&ctx, &peer.https_url());
        cmd.env("SSL_CERT_FILE", file);
        let (out, _) = run_timed(cmd, None, KILL_AFTER).await;
        let text = describe(&out);
        assert_eq!(out.code, 1, "{text}");
        assert_contains(&out.stderr, "certificate");
        assert_contains(&out.stderr, &format!("`{}`", file.display()));
    }
}
