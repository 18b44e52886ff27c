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
