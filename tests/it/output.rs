//! Output discipline shared by every command: `--quiet` silences progress but never data,
//! warnings or errors; colour follows `--color` and `NO_COLOR` everywhere.

use crate::support::{assert_contains, run, TestContext};

const ESC: &str = "\x1b[";

#[test]
fn quiet_silences_progress_but_still_writes_and_lists() {
    let ctx = TestContext::new();
    let project = ctx.work_dir("app");
    let out = run(ctx.cmd().args(["trust", "--quiet"]).arg(&project));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "", "--quiet printed progress");
    assert_contains(&ctx.read_config(), "trust_level = \"trusted\"");

    // Data on stdout is what was asked for: --quiet keeps it.
    let list = run(ctx.cmd().args(["-q", "trust", "--list"]));
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_contains(&list.stdout, "trusted");
    assert_eq!(list.stderr, "");
}

#[test]
fn quiet_keeps_errors_and_their_hints() {
    let ctx = TestContext::new();
    ctx.write_config("model = \"a/b\"\n[broken\n");
    let out = run(ctx.cmd().args(["--quiet", "trust"]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "error:");
    assert_contains(&out.stderr, "line 2");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let ctx = TestContext::new();
    let project = ctx.work_dir("app");
    // NO_COLOR=1 is set by `ctx.cmd()`; `auto` honours it (and stderr is a pipe anyway).
    let auto = run(ctx.cmd().arg("trust").arg(&project));
    assert_eq!(auto.code, 0, "{}", auto.stderr);
    assert!(
        !auto.stderr.contains(ESC),
        "colour with NO_COLOR: {:?}",
        auto.stderr
    );

    let always = run(ctx
        .cmd()
        .args(["trust", "--untrusted", "--color", "always"])
        .arg(&project));
    assert_eq!(always.code, 0, "{}", always.stderr);
    assert!(always.stderr.contains(ESC), "no colour with --color always");

    let never = run(ctx.cmd().args(["trust", "--color", "never"]).arg(&project));
    assert_eq!(never.code, 0, "{}", never.stderr);
    assert!(!never.stderr.contains(ESC), "colour with --color never");

    // Errors are coloured by the same rule.
    ctx.write_config("[broken\n");
    let err = run(ctx.cmd().args(["trust", "--color", "always"]));
    assert_eq!(err.code, 1);
    assert!(
        err.stderr.contains(&format!("{ESC}1;31merror")),
        "{:?}",
        err.stderr
    );
    let err = run(ctx.cmd().arg("trust"));
    assert!(err.stderr.starts_with("error:"), "{:?}", err.stderr);
}

/// On a terminal, `models` waits behind a spinner; a warning printed during the wait (a rejected
/// key, then the catalogue asked again without it) lands on a line of its own above the
/// spinner, not glued to it; the table comes after the spinner is gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_warning_during_a_spinner_gets_its_own_line() {
    use crate::support::{api_json, api_response, gateway_url, route, Terminal, BAD_KEY, SLOW};
    use wiremock::matchers::header;
    use wiremock::MockServer;

    let server = MockServer::start().await;
    route("GET", "/api/v1/models")
        .and(header(
            "authorization",
            format!("Bearer {BAD_KEY}").as_str(),
        ))
        .respond_with(api_response(401, "error_401.json").set_delay(SLOW))
        .with_priority(1)
        .mount(&server)
        .await;
    route("GET", "/api/v1/models")
        .respond_with(api_json("catalogue.json").set_delay(SLOW))
        .with_priority(5)
        .mount(&server)
        .await;
    let ctx = TestContext::new();
    ctx.write_config(&format!(
        "model_provider = \"modelgates\"\nmodel = \"openai/gpt-5.3-codex\"\n\n\
         [model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"{}\"\n\
         env_key = \"MODELGATES_API_KEY\"\n",
        gateway_url(&server)
    ));
    let transcript = tokio::task::spawn_blocking(move || {
        let vars = [("MODELGATES_API_KEY", BAD_KEY), ("COLUMNS", "100")];
        let mut t = Terminal::start_with_env(&ctx, &["models", "codex"], &vars);
        // (ASCII only: the reader decodes bytes one by one, and the text ends with `…`.)
        t.expect("Fetching the model catalogue");
        t.expect("warning: ModelGates rejected the key in `MODELGATES_API_KEY`");
        t.expect("openai/gpt-5.3-codex");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        t.assert_spun("Fetching the model catalogue");
        t.transcript
    })
    .await
    .unwrap();
    let at = transcript.find("warning: ModelGates rejected").unwrap();
    let before = transcript[..at].chars().last();
    assert!(
        matches!(before, Some('\r' | '\n')),
        "the warning is glued to the spinner ({before:?} before it):\n{transcript}"
    );
    let table = transcript.find("CONTEXT").expect("the table's header");
    let last_spin = transcript.rfind("Fetching the model catalogue").unwrap();
    assert!(
        last_spin < table,
        "the spinner outlived the wait:\n{transcript}"
    );
    assert!(!transcript.contains("rejectedkey"), "{transcript}");
}
