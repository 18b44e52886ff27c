//! Proxies, end to end: the real binary, a recording proxy on 127.0.0.1 (`hostile`, raw TCP:
//! it keeps every byte it receives) and a gateway on 127.0.0.1.
//!
//! - a loopback gateway is reached directly whatever `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`
//!   say: the proxy receives nothing, so never the key in clear;
//! - an `https://` gateway behind an `http://` proxy is reached through a `CONNECT` tunnel: the
//!   proxy sees the tunnel's target and encrypted bytes, never the key;
//! - a proxy that refuses the tunnel is named in the error.

use std::process::Command;
use std::time::Duration;

use crate::hostile::{
    describe, recording_proxy, run_timed, tls_gateway, Answer, Head, Peer, TestPki,
};
use crate::support::{
    api_fixture, assert_contains, assert_no_key, gateway, gateway_url, TestContext,
};

const KEY: &str = "sk-mg-v1-proxytestkey0123456789abcdef";
const KILL_AFTER: Duration = Duration::from_secs(60);

/// A context whose config uses ModelGates at `base_url`, so `models` sends the key there.
fn configured(base_url: &str) -> TestContext {
    let ctx = TestContext::new();
    ctx.write_config(&format!(
        "model_provider = \"modelgates\"\nmodel = \"openai/gpt-5.3-codex\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{base_url}\"\n\
         env_key = \"MODELGATES_API_KEY\"\nwire_api = \"responses\"\n"
    ));
    ctx
}

/// `mg-codex models` with the key in the environment and `vars` on top.
fn models(ctx: &TestContext, vars: &[(&str, &str)]) -> Command {
    let mut cmd = ctx.cmd();
    cmd.args(["models", "--timeout", "10"])
        .env("MODELGATES_API_KEY", KEY)
        .envs(vars.iter().copied());
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn a_loopback_gateway_is_reached_directly_and_the_proxy_receives_nothing() {
    let server = gateway("catalogue.json").await;
    let proxy = recording_proxy(None).await;
    let p = proxy.proxy_url();
    let ctx = configured(&gateway_url(&server));
    let settings: [&[(&str, &str)]; 7] = [
        &[("HTTP_PROXY", &p)],
        &[("HTTP_PROXY", &p), ("NO_PROXY", "*")],
        &[("HTTP_PROXY", &p), ("NO_PROXY", "10.0.0.0/8")],
        &[("http_proxy", &p), ("no_proxy", "example.com")],
        &[("ALL_PROXY", &p)],
        &[("all_proxy", &p), ("NO_PROXY", "")],
        &[("HTTPS_PROXY", &p), ("HTTP_PROXY", &p), ("ALL_PROXY", &p)],
    ];
    for vars in settings {
        let before = crate::support::requests_to(&server, "/api/v1/models").await;

        let (out, _) = run_timed(models(&ctx, vars), None, KILL_AFTER).await;

        assert_eq!(out.code, 0, "{vars:?}:\n{}", describe(&out));
        assert_contains(&out.stdout, "openai/gpt-5.3-codex\t");
        assert_no_key(&out, KEY);
        assert_eq!(
            proxy.received(),
            "",
            "{vars:?}: the proxy received a request"
        );
        let sent = server.received_requests().await.unwrap_or_default();
        assert_eq!(
            sent.len(),
            before + 1,
            "{vars:?}: the gateway was asked directly"
        );
        let auth = sent.last().and_then(|r| r.headers.get("authorization"));
        assert_eq!(
            auth.and_then(|v| v.to_str().ok()),
            Some(format!("Bearer {KEY}").as_str()),
            "{vars:?}: with the key"
        );
    }
}

/// An HTTPS gateway named `gateway.invalid` (a name that resolves nowhere: only the proxy can
/// reach it) serving the catalogue, and the CA file that trusts it.
async fn named_tls_gateway(ctx: &TestContext) -> (Peer, std::path::PathBuf) {
    let pki = TestPki::new(&["gateway.invalid"]);
    let catalogue = api_fixture("models.json");
    let peer = tls_gateway(&pki, move |head: &Head| {
        if head.target.starts_with("/api/v1/models") {
            Answer::json(200, catalogue.clone())
        } else {
            Answer::json(404, "{}")
        }
    })
    .await;
    let ca = pki.write_ca(&ctx.root_dir("certs"), "ca.pem");
    (peer, ca)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_https_gateway_behind_a_proxy_is_reached_through_a_tunnel_the_proxy_cannot_read() {
    let probe = TestContext::new();
    let (peer, ca) = named_tls_gateway(&probe).await;
    let base = format!("https://gateway.invalid:{}/api/v1", peer.addr.port());
    let ctx = configured(&base);
    let proxy = recording_proxy(Some(peer.addr)).await;
    let p = proxy.proxy_url();
    let ca = ca.display().to_string();

    for proxy_var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let (out, _) = run_timed(
            models(&ctx, &[(proxy_var, &p), ("SSL_CERT_FILE", &ca)]),
            None,
            KILL_AFTER,
        )
        .await;

        assert_eq!(out.code, 0, "{proxy_var}:\n{}", describe(&out));
        assert_contains(&out.stdout, "openai/gpt-5.3-codex\t");
        assert_no_key(&out, KEY);
    }
    let seen = proxy.received();
    assert_contains(
        &seen,
        &format!("CONNECT gateway.invalid:{} HTTP/1.1", peer.addr.port()),
    );
    assert!(
        !seen.contains(KEY.trim_start_matches("sk-mg-v1-")),
        "the proxy saw the key:\n{seen}"
    );
    assert_contains(
        &peer.received().to_lowercase(),
        &format!("authorization: bearer {}", KEY.to_lowercase()),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_refuses_the_tunnel_is_named_in_the_error() {
    let proxy = recording_proxy(None).await;
    let ctx = configured("https://gateway.invalid/api/v1");

    let (out, _) = run_timed(
        models(&ctx, &[("HTTPS_PROXY", &proxy.proxy_url())]),
        None,
        KILL_AFTER,
    )
    .await;

    assert_eq!(out.code, 1, "{}", describe(&out));
    assert_contains(&out.stderr, "the proxy failed");
    assert_contains(&out.stderr, &format!("`{}`", proxy.proxy_url()));
    assert_no_key(&out, KEY);
    assert_contains(&proxy.received(), "CONNECT gateway.invalid:443 HTTP/1.1");
}
