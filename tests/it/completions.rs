//! `mg-codex completions SHELL` and `mg-codex man`: every shell gets a script its own parser
//! accepts, bash and fish really complete with it, and the man pages cover every command.

use std::path::Path;
use std::process::Command;

use crate::support::{assert_contains, run, Output, TestContext};

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];
const COMMANDS: [&str; 9] = [
    "init",
    "uninstall",
    "trust",
    "doctor",
    "models",
    "model",
    "key",
    "completions",
    "man",
];

fn completions(ctx: &TestContext, shell: &str) -> String {
    let out = run(ctx.cmd().args(["completions", shell]));
    assert_eq!(out.code, 0, "completions {shell}: {}", out.stderr);
    assert!(
        out.stderr.is_empty(),
        "completions {shell} wrote to stderr: {}",
        out.stderr
    );
    out.stdout
}

/// Writes the `shell` script into the temp dir and returns its path.
fn script(ctx: &TestContext, shell: &str) -> std::path::PathBuf {
    let file = ctx
        .root_dir("completions")
        .join(format!("mg-codex.{shell}"));
    std::fs::write(&file, completions(ctx, shell)).unwrap();
    file
}

fn shell_run(program: &str, args: &[&str], ctx: &TestContext) -> Output {
    run(Command::new(program)
        .args(args)
        .env_clear()
        .env("HOME", ctx.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default()))
}

/// The words of `text`: runs of letters, digits, `-` and `_` (so `model` is not found in
/// `models`, nor `man` in `command`).
fn words(text: &str) -> std::collections::BTreeSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    let ctx = TestContext::new();
    for shell in SHELLS {
        let text = completions(&ctx, shell);
        let words = words(&text);
        for command in COMMANDS {
            assert!(
                words.contains(command),
                "the {shell} script does not mention `{command}` as a word"
            );
        }
        // fish spells long flags `-l reasoning-effort`.
        assert!(
            text.contains("reasoning-effort"),
            "the {shell} script lacks init's flags"
        );
    }
}

#[test]
fn bash_zsh_and_fish_parse_their_scripts() {
    let ctx = TestContext::new();
    for (shell, program) in [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish")] {
        let file = script(&ctx, shell);
        let out = shell_run(program, &["-n", file.to_str().unwrap()], &ctx);
        assert_eq!(
            out.code, 0,
            "`{program} -n` rejects the {shell} completions: {}",
            out.stderr
        );
    }
}

/// Runs bash's completion function for `line` (completing its last word) and returns COMPREPLY.
fn bash_complete(ctx: &TestContext, file: &Path, words: &[&str]) -> Vec<String> {
    // The function is the one the script registers for mg-codex (`complete -F NAME ... mg-codex`).
    let text = std::fs::read_to_string(file).unwrap();
    let function = text
        .lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix("complete -F ")?;
            rest.ends_with("mg-codex")
                .then(|| rest.split_whitespace().next().unwrap().to_string())
        })
        .expect("the bash script registers a completion function for mg-codex");
    let words_q: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let line = words.join(" ");
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE='{line}'\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         {function} mg-codex '{}' '{}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        file.display(),
        words_q.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len().saturating_sub(2)],
    );
    let out = shell_run("bash", &["--norc", "--noprofile", "-c", &program], ctx);
    assert_eq!(out.code, 0, "bash completion failed: {}", out.stderr);
    out.stdout.lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_commands_flags_and_values() {
    let ctx = TestContext::new();
    let file = script(&ctx, "bash");
    let commands = bash_complete(&ctx, &file, &["mg-codex", "mo"]);
    assert!(
        commands.contains(&"models".to_string()) && commands.contains(&"model".to_string()),
        "`mg-codex mo<TAB>` offers {commands:?}"
    );
    let flags = bash_complete(&ctx, &file, &["mg-codex", "init", "--reas"]);
    assert_eq!(flags, ["--reasoning-effort"], "`init --reas<TAB>`");
    let shells = bash_complete(&ctx, &file, &["mg-codex", "completions", "f"]);
    assert_eq!(shells, ["fish"], "`completions f<TAB>`");
}

#[test]
fn fish_completes_commands_and_flags() {
    let ctx = TestContext::new();
    let file = script(&ctx, "fish");
    let complete = |line: &str| -> Vec<String> {
        let program = format!("source '{}'; complete -C '{line}'", file.display());
        let out = shell_run("fish", &["--no-config", "-c", &program], &ctx);
        assert_eq!(out.code, 0, "fish completion failed: {}", out.stderr);
        out.stdout
            .lines()
            .map(|l| l.split('\t').next().unwrap_or("").to_string())
            .collect()
    };
    let commands = complete("mg-codex tr");
    assert_eq!(commands, ["trust"], "`mg-codex tr<TAB>`");
    let flags = complete("mg-codex doctor --of");
    assert_eq!(flags, ["--offline"], "`doctor --of<TAB>`");
}

#[test]
fn an_unknown_shell_is_a_usage_error_listing_the_choices() {
    let ctx = TestContext::new();
    let out = run(ctx.cmd().args(["completions", "tcsh"]));
    assert_eq!(out.code, 2);
    for shell in SHELLS {
        assert_contains(&out.stderr, shell);
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn man_prints_one_roff_page_listing_every_command() {
    let ctx = TestContext::new();
    let out = run(ctx.cmd().arg("man"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(".TH mg-codex 1"),
        "not a section-1 roff page:\n{}",
        &out.stdout[..out.stdout.len().min(300)]
    );
    // Each command's own page is listed under SUBCOMMANDS (roff escapes `-` as `\-`).
    for command in COMMANDS {
        let page = format!("mg\\-codex\\-{command}(1)");
        assert!(
            out.stdout.contains(&page),
            "the man page does not list `{page}`"
        );
    }
}

#[test]
fn man_dir_writes_a_page_per_command_readable_by_everyone() {
    use std::os::unix::fs::PermissionsExt;
    let ctx = TestContext::new();
    let dir = ctx.root.path().join("man/man1");
    let out = run(ctx.cmd().arg("man").arg("--dir").arg(&dir));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "pages go to files: {}", out.stdout);
    assert_contains(&out.stderr, "Wrote 10 man pages");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("mg-codex-{c}.1"))
        .chain(["mg-codex.1".to_string()])
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    let trust = dir.join("mg-codex-trust.1");
    let page = std::fs::read_to_string(&trust).unwrap();
    assert!(page.contains(".TH mg-codex-trust 1"), "{page}");
    assert!(page.contains("untrusted"), "trust's flags are missing");
    let mode = std::fs::metadata(&trust).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "a man page is not a secret");
}
