//! The human output of a whole first session, as snapshots (insta), one per step: `init --yes`
//! (the key on stdin, a project trusted), the same run again (nothing changed), `init
//! --dry-run` of another model (the redacted diff), `model`, `model --reasoning-effort
//! default`, `trust`, `trust --list`, `trust --remove`, `uninstall`. Each snapshot holds the
//! exit code, stdout and stderr; temp paths and ports are filtered.
//!
//! `cargo insta review` (or `INSTA_UPDATE=always`) accepts them after a deliberate change.

use std::fs;
use std::time::Duration;

use crate::support::{gateway, gateway_url, run_with, stub_cmd, stub_context, Stdin};

const KEY: &str = "sk-mg-v1-snapshotkey0123456789abcdefab12";
const TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn a_first_session_reads_as_recorded() {
    let server = gateway("models.json").await;
    let url = gateway_url(&server);
    let ctx = stub_context();
    let other = ctx.work_dir("other-project");
    fs::write(
        ctx.config(),
        "# my Codex settings\nmodel = \"gpt-5.1\"\napproval_policy = \"on-request\"\n\n[tui]\nnotifications = true\n",
    )
    .unwrap();
    let work = ctx.work().display().to_string();
    let other = other.display().to_string();
    let key_line = format!("{KEY}\n");
    let steps: Vec<(&str, Vec<&str>, Stdin)> = vec![
        (
            "session_01_init",
            vec![
                "init",
                "--yes",
                "--api-key-stdin",
                "--base-url",
                &url,
                "--trust",
                &work,
                "--no-catalog",
            ],
            Stdin::Bytes(key_line.as_bytes()),
        ),
        (
            "session_02_init_again",
            vec![
                "init",
                "--yes",
                "--api-key-stdin",
                "--base-url",
                &url,
                "--trust",
                &work,
                "--no-catalog",
            ],
            Stdin::Bytes(key_line.as_bytes()),
        ),
        (
            "session_03_init_dry_run",
            vec![
                "init",
                "--yes",
                "--api-key-stdin",
                "--base-url",
                &url,
                "--no-catalog",
                "--dry-run",
                "--model",
                "openai/gpt-5.2-codex",
            ],
            Stdin::Bytes(key_line.as_bytes()),
        ),
        (
            "session_04_model",
            vec!["model", "openai/gpt-5.2-codex"],
            Stdin::Null,
        ),
        (
            "session_05_effort_default",
            vec!["model", "--reasoning-effort", "default"],
            Stdin::Null,
        ),
        ("session_06_trust", vec!["trust", &other], Stdin::Null),
        (
            "session_07_trust_list",
            vec!["trust", "--list"],
            Stdin::Null,
        ),
        (
            "session_08_trust_remove",
            vec!["trust", "--remove", &other],
            Stdin::Null,
        ),
        (
            "session_09_uninstall",
            vec!["uninstall", "--yes"],
            Stdin::Null,
        ),
    ];
    let mut recorded = Vec::new();
    for (name, args, stdin) in steps {
        let mut cmd = stub_cmd(&ctx);
        cmd.args(&args);
        let out = tokio::task::block_in_place(|| run_with(&mut cmd, stdin, TIMEOUT));
        recorded.push((
            name,
            format!(
                "$ mg-codex {}\nexit {}\n--- stdout ---\n{}--- stderr ---\n{}",
                args.join(" "),
                out.code,
                out.stdout,
                out.stderr
            ),
        ));
    }
    let root = ctx.root.path().display().to_string();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(&root), "[TEMP]");
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    settings.bind(|| {
        for (name, text) in &recorded {
            insta::assert_snapshot!(*name, text);
        }
    });
    // And the session gave the original file back.
    assert_eq!(
        fs::read_to_string(ctx.config()).unwrap(),
        "# my Codex settings\nmodel = \"gpt-5.1\"\napproval_policy = \"on-request\"\n\n[tui]\nnotifications = true\n"
    );
}

/// `text` as a regular expression that matches it literally.
fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}
