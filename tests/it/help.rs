//! Every command's help, as `-h` and `--help` print it at 80 and 100 columns (clap wraps help
//! to the terminal): each example and install line of its `after_help` is shown whole, exactly as
//! written, so none is broken into a continuation line; and the global `--profile` says what
//! it does for every command, the ones that only read included.

use clap::CommandFactory;
use mg_codex::cli::Cli;

use crate::support::{run, TestContext};

/// How a line that runs something starts (after its indentation).
const COMMAND_STARTS: [&str; 6] = ["mg-codex", "printf ", "mkdir ", "echo ", "$null = ", "# "];

/// One command: the words that select it and the texts shown after its options.
struct Help {
    path: Vec<String>,
    after: Option<String>,
    after_long: Option<String>,
}

/// The top-level command and every subcommand, nested ones included (clap's `help` aside).
fn every_command() -> Vec<Help> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Help>) {
        out.push(Help {
            path: path.clone(),
            after: cmd.get_after_help().map(|t| t.to_string()),
            after_long: cmd.get_after_long_help().map(|t| t.to_string()),
        });
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = path.clone();
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), Vec::new(), &mut out);
    out
}

fn help_at(ctx: &TestContext, path: &[String], flag: &str, width: usize) -> String {
    let out = run(ctx
        .cmd()
        .args(path)
        .arg(flag)
        .env("COLUMNS", width.to_string()));
    assert_eq!(out.code, 0, "{path:?} {flag}: {}", out.stderr);
    out.stdout
}

#[test]
fn examples_and_install_lines_are_whole_at_80_and_100_columns() {
    let ctx = TestContext::new();
    let commands = every_command();
    assert!(commands.len() >= 12, "{} commands", commands.len());
    let mut checked = 0;
    for help in &commands {
        for flag in ["-h", "--help"] {
            let Some(after) = (if flag == "--help" {
                help.after_long.as_ref().or(help.after.as_ref())
            } else {
                help.after.as_ref()
            }) else {
                continue;
            };
            let source: Vec<&str> = after.lines().collect();
            for width in [80, 100] {
                let shown = help_at(&ctx, &help.path, flag, width);
                let shown_lines: Vec<&str> = shown.lines().map(str::trim_end).collect();
                let what = format!(
                    "`mg-codex {} {flag}` at {width} columns",
                    help.path.join(" ")
                );
                // The text after the options, as written: no line of it was reflowed.
                let start = shown_lines
                    .iter()
                    .position(|l| *l == source[0].trim_end())
                    .unwrap_or_else(|| panic!("{what}: `{}` is not a line:\n{shown}", source[0]));
                let tail = &shown_lines[start..];
                for (n, line) in source.iter().enumerate() {
                    assert_eq!(
                        tail.get(n).copied(),
                        Some(line.trim_end()),
                        "{what}: line {} of the text after the options is not whole:\n{shown}",
                        n + 1
                    );
                    assert!(
                        line.chars().count() < 80,
                        "{what}: {line:?} is {} columns: an 80-column terminal would wrap it",
                        line.chars().count()
                    );
                }
                // And every line there that runs something is one of the lines written.
                for line in tail.iter().filter(|l| {
                    let t = l.trim_start();
                    COMMAND_STARTS.iter().any(|s| t.starts_with(s))
                }) {
                    assert!(
                        source.iter().any(|s| s.trim_end() == *line),
                        "{what}: `{line}` is a piece of a longer line:\n{shown}"
                    );
                    checked += 1;
                }
            }
        }
    }
    // The examples of the top level, init, doctor, models, model, trust, key, completions, man.
    assert!(checked > 100, "only {checked} command lines were checked");
}

#[test]
fn completions_help_lists_the_install_lines_of_every_shell() {
    let ctx = TestContext::new();
    let shown = help_at(&ctx, &["completions".to_string()], "--help", 80);
    for shell in ["bash:", "zsh:", "fish:", "PowerShell:", "elvish:"] {
        assert!(
            shown.lines().any(|l| l == format!("  {shell}")),
            "no `{shell}` in:\n{shown}"
        );
    }
}

/// The description of the global `--profile` in a help text.
fn profile_help(shown: &str) -> String {
    let lines: Vec<&str> = shown.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("--profile <NAME>"))
        .unwrap_or_else(|| panic!("no --profile in:\n{shown}"));
    let mut text = lines[at].trim_start()["--profile <NAME>".len()..].to_string();
    for line in &lines[at + 1..] {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('-') {
            break;
        }
        text.push(' ');
        text.push_str(t);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_profile_help_is_true_for_commands_that_only_read() {
    let ctx = TestContext::new();
    for path in [
        &["doctor"][..],
        &["models"],
        &["model"],
        &["trust"],
        &["key", "print"],
        &["init"],
        &[],
    ] {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        for flag in ["-h", "--help"] {
            let text = profile_help(&help_at(&ctx, &path, flag, 100));
            assert!(
                !text.to_lowercase().contains("edit"),
                "`mg-codex {} {flag}` says: {text}",
                path.join(" ")
            );
            assert!(
                text.starts_with("Use the Codex profile NAME ($CODEX_HOME/NAME.config.toml"),
                "`mg-codex {} {flag}` says: {text}",
                path.join(" ")
            );
        }
    }
}
