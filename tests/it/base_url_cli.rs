//! `--base-url` values that are not URLs of a host are usage errors (exit 2, the flag named),
//! wherever the flag is accepted (`init`, `models`), before any request or file is touched; a
//! plain `http://` URL of a host that is not loopback is still refused as before (exit 1, the
//! key would travel unencrypted).

use std::time::Duration;

use crate::support::{assert_contains, run_with, stub_cmd, stub_context, Output, Stdin};

const KEY: &str = "sk-mg-v1-baseurltestkey0123456789abcdef";
const TIMEOUT: Duration = Duration::from_secs(60);

/// Values that name no host, or are no http(s) URL at all.
const NOT_URLS: [&str; 8] = [
    "https:///path",
    "https:///api/v1",
    "https://",
    "modelgates.ai/api/v1",
    "not a url",
    "ftp://modelgates.ai/api/v1",
    "https://modelgates.ai:99999/api/v1",
    "",
];

/// `init` (scripted, writing nothing: it would stop at the first request otherwise) or
/// `models`, with `--base-url VALUE`.
fn run_command(command: &str, value: &str) -> Output {
    let ctx = stub_context();
    let line = format!("{KEY}\n");
    let mut cmd = stub_cmd(&ctx);
    if command == "init" {
        cmd.args([
            "init",
            "--yes",
            "--api-key-stdin",
            "--no-verify",
            "--dry-run",
        ])
        .args(["--shell", "none", "--base-url", value]);
        run_with(&mut cmd, Stdin::Bytes(line.as_bytes()), TIMEOUT)
    } else {
        cmd.args(["models", "--base-url", value]);
        run_with(&mut cmd, Stdin::Null, TIMEOUT)
    }
}

#[test]
fn a_base_url_without_a_host_or_scheme_is_a_usage_error_naming_the_flag() {
    for value in NOT_URLS {
        // `init` first: it sends nothing with `--no-verify`, so an accepted value fails the
        // test before `models` could send a request anywhere.
        for command in ["init", "models"] {
            let out = run_command(command, value);
            assert_eq!(
                out.code, 2,
                "{command} --base-url {value:?}:\n{}{}",
                out.stdout, out.stderr
            );
            assert_contains(&out.stderr, "--base-url");
            assert_eq!(out.stdout, "", "{command} --base-url {value:?}");
        }
    }
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_still_refused() {
    for command in ["init", "models"] {
        let out = run_command(command, "http://modelgates.ai/api/v1");
        assert_eq!(out.code, 1, "{command}:\n{}", out.stderr);
        assert_contains(&out.stderr, "loopback");
    }
}
