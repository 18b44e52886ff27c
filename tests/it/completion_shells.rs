//! The completion install lines in real shells: the lines `mg-codex completions --help` prints
//! (the README's table has the same ones) are run one by one, in their shell and in `sh`, each
//! time in a new home where none of the directories exists; then a new shell of that kind
//! starts as at a user's next login, loads what they wrote, and completes: commands, flags, and
//! `mg-codex model <TAB>`'s ids, from the catalogue `init` wrote (never from the network: the
//! gateway gets no request while the shells complete).
//!
//! bash, zsh and fish are required (`.ci/run` installs them); elvish and PowerShell are tested
//! where installed, and skipped with the reason printed where not.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wiremock::MockServer;

use crate::support::{
    assert_no_key, assert_ok, dir_on_path, gateway, gateway_url, in_ci, run, run_with, stub_cmd,
    stub_context, Output, Stdin, TestContext,
};

const KEY: &str = "sk-mg-v1-completiontestkey0123456789ab";
const TIMEOUT: Duration = Duration::from_secs(60);

/// What `init` puts in the catalogue from `fixtures/api/models.json`: the models with tools,
/// sorted as the completion offers them.
const TOOL_MODELS: [&str; 4] = [
    "anthropic/claude-sonnet-4.5",
    "openai/gpt-5.2-codex",
    "openai/gpt-5.3-codex",
    "openai/gpt-5.3-codex:free",
];

/// A command line up to the cursor, and what completing its last word must offer (`Exact`) or
/// include (`Has`).
struct Probe {
    line: &'static str,
    want: Want,
}

enum Want {
    Exact(&'static [&'static str]),
    Has(&'static [&'static str]),
}

/// What every shell with the model-id hook must complete.
const PROBES: [Probe; 5] = [
    Probe {
        line: "mg-codex model ",
        want: Want::Exact(&TOOL_MODELS),
    },
    Probe {
        line: "mg-codex model openai/gpt-5.3",
        want: Want::Exact(&["openai/gpt-5.3-codex", "openai/gpt-5.3-codex:free"]),
    },
    // The profile's own catalogue (`init --all-models`), not config.toml's.
    Probe {
        line: "mg-codex --profile work model m",
        want: Want::Exact(&[
            "meta-llama/llama-3.1-8b-instruct",
            "mistralai/mistral-7b-instruct",
        ]),
    },
    // clap's completion still does the rest.
    Probe {
        line: "mg-codex mo",
        want: Want::Has(&["model", "models"]),
    },
    Probe {
        line: "mg-codex model --no",
        want: Want::Has(&["--no-verify"]),
    },
];

fn check(shell: &str, probe: &Probe, got: &[String]) {
    let what = format!("{shell}: `{}<TAB>` offers {got:?}", probe.line);
    match probe.want {
        Want::Exact(want) => assert_eq!(got, want, "{what}"),
        Want::Has(want) => {
            for w in want {
                assert!(got.iter().any(|g| g == w), "{what}: no `{w}`");
            }
        }
    }
}

// ----- the install lines ----------------------------------------------------------------------

/// The install lines of `mg-codex completions --help`, per shell, in order.
fn help_install_lines() -> BTreeMap<String, Vec<String>> {
    let ctx = TestContext::new();
    let out = run(ctx
        .cmd()
        .args(["completions", "--help"])
        .env("COLUMNS", "100"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut shells: Vec<(String, Vec<String>)> = Vec::new();
    let mut block = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Install:"))
        .skip(1)
        .peekable();
    assert!(block.peek().is_some(), "no `Install:` in:\n{}", out.stdout);
    for line in block {
        if line.trim().is_empty() {
            break;
        }
        if let Some(command) = line.strip_prefix("    ") {
            let (_, lines) = shells.last_mut().expect("a shell's name comes first");
            lines.push(command.to_string());
        } else if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            shells.push((name.to_string(), Vec::new()));
        } else {
            panic!("an install line neither names a shell nor is a command: {line:?}");
        }
    }
    shells.into_iter().collect()
}

/// The install lines of the README's table under `mg-codex completions SHELL`, per shell.
fn readme_install_lines() -> BTreeMap<String, Vec<String>> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let rows: Vec<&str> = readme
        .lines()
        .skip_while(|l| *l != "| shell | install |")
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(
        !rows.is_empty(),
        "the README has no `| shell | install |` table"
    );
    rows.iter()
        .map(|row| {
            let cells = row
                .strip_prefix("| ")
                .and_then(|r| r.strip_suffix(" |"))
                .unwrap_or_else(|| panic!("not a table row: {row}"));
            let (shell, install) = cells
                .split_once(" | ")
                .unwrap_or_else(|| panic!("not two cells: {row}"));
            let lines = install
                .split("<br>")
                .map(|cell| {
                    cell.strip_prefix('`')
                        .and_then(|c| c.strip_suffix('`'))
                        .unwrap_or_else(|| panic!("not one code span a line: {row}"))
                        .to_string()
                })
                .collect();
            (shell.to_string(), lines)
        })
        .collect()
}

#[test]
fn the_readme_gives_the_install_lines_completions_help_prints() {
    let help = help_install_lines();
    assert_eq!(
        help.keys().map(String::as_str).collect::<Vec<_>>(),
        ["PowerShell", "bash", "elvish", "fish", "zsh"]
    );
    assert_eq!(readme_install_lines(), help);
}

/// A new home for one shell: the test's `mg-codex` first on PATH, no shell file or directory.
struct Home {
    ctx: TestContext,
    path: OsString,
}

impl Home {
    fn new() -> Self {
        let ctx = stub_context();
        let bin = ctx.root_dir("mg-bin");
        std::os::unix::fs::symlink(crate::support::bin(), bin.join("mg-codex")).unwrap();
        let mut dirs = vec![bin];
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(dirs).unwrap();
        let home = ctx.home();
        for made in [
            ".bashrc",
            ".zshrc",
            ".zfunc",
            ".config",
            ".local",
            ".zcompdump",
        ] {
            assert!(!home.join(made).exists(), "a new home has no {made}");
        }
        Self { ctx, path }
    }

    fn home(&self) -> PathBuf {
        self.ctx.home()
    }

    /// `program` as a user's shell would start it: a clean environment but HOME and PATH.
    fn shell(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", &self.path)
            .env("LANG", "C.UTF-8")
            .current_dir(self.ctx.work());
        cmd
    }

    /// Runs one install line in `program`: it must succeed and print nothing on stderr.
    fn install_line(&self, program: &str, line: &str) {
        let args: &[&str] = match program {
            "pwsh" => &["-NoLogo", "-NoProfile", "-NonInteractive", "-Command"],
            _ => &["-c"],
        };
        let out = run_with(
            self.shell(program).args(args).arg(line),
            Stdin::Null,
            TIMEOUT,
        );
        assert!(
            out.code == 0 && out.stderr.is_empty(),
            "`{line}` in {program}, in a new home: exit {}\nstdout:\n{}\nstderr:\n{}",
            out.code,
            out.stdout,
            out.stderr
        );
    }

    /// `init` against `server`, for config.toml (the models with tools) and for the profile
    /// `work` (every model): each writes its catalogue.
    fn init(&self, server: &MockServer) {
        let url = gateway_url(server);
        let key = format!("{KEY}\n");
        for (global, extra) in [
            (&[][..], &[][..]),
            (&["--profile", "work"], &["--all-models"]),
        ] {
            let mut cmd = stub_cmd(&self.ctx);
            cmd.args(global)
                .args(["init", "--yes", "--api-key-stdin", "--shell", "none"])
                .args(["--base-url", &url])
                .args(extra);
            let out = run_with(&mut cmd, Stdin::Bytes(key.as_bytes()), TIMEOUT);
            assert_no_key(&out, KEY);
            assert_ok(&out);
        }
        for file in ["modelgates-models.json", "work.modelgates-models.json"] {
            assert!(self.ctx.codex_home().join(file).is_file(), "no {file}");
        }
    }
}

/// Every install line of `shell` (as `completions --help` names it) run in `runner`, in a new
/// home with the catalogues `init` writes; then `complete` is called with that home, and the
/// gateway must have had no request from it.
async fn install_and_complete(shell: &str, runner: &str, complete: impl Fn(&Home)) {
    let lines = help_install_lines()
        .remove(shell)
        .unwrap_or_else(|| panic!("no install lines for {shell}"));
    let home = Home::new();
    for line in &lines {
        home.install_line(runner, line);
    }
    let server = gateway("models.json").await;
    home.init(&server);
    let before = server.received_requests().await.unwrap_or_default().len();
    complete(&home);
    let after = server.received_requests().await.unwrap_or_default().len();
    assert_eq!(
        after,
        before,
        "{shell}: completing sent {} request(s) to the gateway",
        after - before
    );
}

/// Whether `program` is installed; if not, prints why the test is skipped. Required ones fail
/// in CI instead.
fn have(program: &str, required_in_ci: bool) -> bool {
    if dir_on_path(program).is_some() {
        return true;
    }
    if required_in_ci && in_ci() {
        panic!("{program} is required in CI (`.ci/run` installs it)");
    }
    eprintln!("skipping the {program} install lines: {program} is not installed");
    false
}

// ----- bash -----------------------------------------------------------------------------------

/// The words bash hands a completion function for `line`: split at blanks and at the word
/// breaks `:` (as `COMP_WORDBREAKS` has it by default), an empty last word after a space.
fn bash_words(line: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        let mut rest = word;
        while let Some(at) = rest.find(':') {
            if at > 0 {
                words.push(rest[..at].to_string());
            }
            words.push(":".to_string());
            rest = &rest[at + 1..];
        }
        if !rest.is_empty() {
            words.push(rest.to_string());
        }
    }
    if line.ends_with(' ') || line.ends_with(':') {
        words.push(String::new());
    }
    words
}

/// Starts an interactive bash (which reads ~/.bashrc), finds the function `complete -p`
/// registers for mg-codex, and calls it for each line as bash does on TAB; COMPREPLY per line.
fn bash_complete(home: &Home, lines: &[&str]) -> Vec<Vec<String>> {
    let mut program = String::from(
        "spec=$(complete -p mg-codex) || { echo 'no completion for mg-codex' >&2; exit 3; }\n\
         fn=${spec##* -F }; fn=${fn%% *}\n",
    );
    for line in lines {
        let words = bash_words(line);
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let cword = words.len() - 1;
        program.push_str(&format!(
            "COMP_WORDS=({}); COMP_CWORD={cword}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}\n\
             COMPREPLY=(); \"$fn\" mg-codex \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"; echo '<<end>>'\n",
            quoted.join(" ")
        ));
    }
    let out = run_with(
        home.shell("bash").args(["-i", "-c", &program]),
        Stdin::Null,
        TIMEOUT,
    );
    // Without a terminal, an interactive bash says it has no job control; nothing else.
    let stderr: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.contains("job control") && !l.contains("terminal process group"))
        .collect();
    assert!(
        out.code == 0 && stderr.is_empty(),
        "bash -i: exit {}\n{}",
        out.code,
        out.stderr
    );
    replies(&out.stdout, "<<end>>", lines.len())
}

/// The lines of `stdout` before each `end` marker.
fn replies(stdout: &str, end: &str, count: usize) -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = stdout
        .split(end)
        .map(|part| {
            part.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    assert_eq!(
        all.len(),
        count + 1,
        "{count} replies expected in:\n{stdout}"
    );
    all.pop();
    all
}

fn bash_probes(home: &Home) {
    let mut lines: Vec<&str> = PROBES.iter().map(|p| p.line).collect();
    lines.push("mg-codex model openai/gpt-5.3-codex:");
    let got = bash_complete(home, &lines);
    for (probe, got) in PROBES.iter().zip(&got) {
        check("bash", probe, got);
    }
    // bash replaces only what follows the last `:`.
    assert_eq!(got[PROBES.len()], ["free"], "bash: `…codex:<TAB>`");
}

#[tokio::test(flavor = "multi_thread")]
async fn bash_install_line_in_a_new_home_completes_model_ids() {
    assert!(have("bash", true));
    for runner in ["bash", "sh"] {
        install_and_complete("bash", runner, |home| {
            let rc = std::fs::read_to_string(home.home().join(".bashrc")).unwrap();
            assert_eq!(rc, "eval \"$(mg-codex completions bash)\"\n");
            bash_probes(home);
        })
        .await;
    }
}

// ----- zsh ------------------------------------------------------------------------------------

/// What the zsh under test sources before completing: `compadd` prints each match it is given
/// as `<<match>>` (adding none), and Ctrl-X Ctrl-E prints `<<END>>` and clears the line.
const ZSH_CAPTURE: &str = r#"
compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  local -a hits; builtin compadd -A hits "$@"; local h
  for h in $hits; do print -r -- "<<$h>>"; done
}
_mg_test_end() { print -r -- '<<END>>'; BUFFER=''; }
zle -N _mg_test_end
bindkey '^I' complete-word
bindkey '^X^E' _mg_test_end
"#;

/// Starts an interactive zsh on a pseudo-terminal (zsh's own `zpty`), which reads ~/.zshrc;
/// types each line and TAB, as a user would; the matches zsh's completion produced, per line.
fn zsh_complete(home: &Home, lines: &[&str]) -> Vec<Vec<String>> {
    let capture = home.ctx.root_dir("zsh").join("capture.zsh");
    std::fs::write(&capture, ZSH_CAPTURE).unwrap();
    let mut keys = format!("source {}\n", capture.display());
    for line in lines {
        keys.push_str(line);
        keys.push_str("\t\x18\x05");
    }
    keys.push_str("exit\n");
    let driver = "zmodload zsh/zpty || exit 3\n\
                  zpty z zsh -i\n\
                  zpty -w -n z \"$1\"\n\
                  while zpty -r z line; do print -rn -- \"$line\"; done\n\
                  zpty -d z 2>/dev/null\n\
                  exit 0\n";
    let out = run_with(
        home.shell("zsh")
            .env("TERM", "xterm")
            .args(["-f", "-c", driver, "zsh", &keys]),
        Stdin::Null,
        TIMEOUT,
    );
    assert!(
        out.code == 0 && out.stderr.is_empty(),
        "zsh: exit {}\n{}",
        out.code,
        out.stderr
    );
    // The matches are `<<…>>`; what the terminal echoes has none (the capture is sourced).
    let parts: Vec<&str> = out.stdout.split("<<END>>").collect();
    assert_eq!(
        parts.len(),
        lines.len() + 1,
        "one <<END>> per line expected in:\n{}",
        out.stdout
    );
    parts[..lines.len()]
        .iter()
        .map(|part| {
            part.split("<<")
                .skip(1)
                .filter_map(|s| s.split_once(">>").map(|(m, _)| m.to_string()))
                .collect()
        })
        .collect()
}

fn zsh_probes(home: &Home) {
    let lines: Vec<&str> = PROBES.iter().map(|p| p.line).collect();
    let got = zsh_complete(home, &lines);
    for (probe, got) in PROBES.iter().zip(&got) {
        check("zsh", probe, got);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn zsh_install_lines_in_a_new_home_complete_model_ids() {
    assert!(have("zsh", true));
    for runner in ["zsh", "sh"] {
        install_and_complete("zsh", runner, |home| {
            assert!(home.home().join(".zfunc/_mg-codex").is_file());
            zsh_probes(home);
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn zsh_install_lines_work_with_a_zshrc_that_runs_compinit_already() {
    assert!(have("zsh", true));
    install_and_complete("zsh", "sh", |home| {
        // The user's own compinit came first: the lines appended a second one after it.
        let rc = home.home().join(".zshrc");
        let appended = std::fs::read_to_string(&rc).unwrap();
        std::fs::write(
            &rc,
            format!("autoload -Uz compinit && compinit\nbindkey -e\n{appended}"),
        )
        .unwrap();
        zsh_probes(home);
    })
    .await;
}

// ----- fish -----------------------------------------------------------------------------------

/// `complete -C LINE` in a new fish (which loads ~/.config/fish/completions/ by itself): the
/// candidates and their descriptions.
fn fish_complete(home: &Home, line: &str) -> Vec<(String, String)> {
    let out = run_with(
        home.shell("fish")
            .args(["-c", &format!("complete -C '{line}'")]),
        Stdin::Null,
        TIMEOUT,
    );
    assert!(
        out.code == 0 && out.stderr.is_empty(),
        "fish: exit {}\n{}",
        out.code,
        out.stderr
    );
    out.stdout
        .lines()
        .map(|l| match l.split_once('\t') {
            Some((c, d)) => (c.to_string(), d.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn fish_install_lines_in_a_new_home_complete_model_ids() {
    assert!(have("fish", true));
    for runner in ["fish", "sh"] {
        install_and_complete("fish", runner, |home| {
            for probe in &PROBES {
                let got = fish_complete(home, probe.line);
                let words: Vec<String> = got.iter().map(|(c, _)| c.clone()).collect();
                check("fish", probe, &words);
            }
            // Each id with its model's name.
            let ids = fish_complete(home, "mg-codex model openai/gpt-5.3-codex:");
            assert_eq!(
                ids,
                [(
                    "openai/gpt-5.3-codex:free".to_string(),
                    "OpenAI: GPT-5.3 Codex (free)".to_string()
                )]
            );
        })
        .await;
    }
}

// ----- elvish ---------------------------------------------------------------------------------

/// Starts an interactive elvish on a pseudo-terminal (rc.elv is read only then) and calls the
/// completer rc.elv registered for mg-codex, as the editor does on TAB, for each line: the
/// candidates (elvish filters them by the typed prefix afterwards, so they are filtered here).
fn elvish_complete(home: &Home, lines: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = home.shell("elvish");
    cmd.env("TERM", "xterm");
    let options = rexpect::reader::Options::default()
        .timeout_ms(Some(TIMEOUT.as_millis() as u64))
        .strip_ansi_escape_codes(true);
    let mut session = rexpect::session::spawn_with_options(cmd, options).expect("elvish on a pty");
    let mut all = Vec::new();
    for line in lines {
        // The words as the editor passes them: the one being typed last, empty after a space.
        let words: Vec<String> = line.split(' ').map(|w| format!("'{w}'")).collect();
        let prefix = line.rsplit(' ').next().unwrap_or_default();
        // `'R:'x` and `'E:'ND` as typed: the echo of the line holds neither marker.
        session
            .send_line(&format!(
                "each {{|c| echo 'R:'$c[stem] }} [($edit:completion:arg-completer[mg-codex] {})]; echo 'E:'ND",
                words.join(" ")
            ))
            .expect("type");
        let shown = session
            .exp_string("E:ND")
            .unwrap_or_else(|e| panic!("elvish: `{line}` got no answer: {e}"));
        let got: Vec<String> = shown
            .lines()
            .filter_map(|l| l.trim().strip_prefix("R:"))
            .map(str::to_string)
            .filter(|c| c.starts_with(prefix))
            .collect();
        all.push(got);
    }
    session.send_line("exit").expect("type");
    session.exp_eof().expect("elvish ends");
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn elvish_install_lines_in_a_new_home_complete_model_ids() {
    if !have("elvish", false) {
        return;
    }
    for runner in ["elvish", "sh"] {
        install_and_complete("elvish", runner, |home| {
            let lines: Vec<&str> = PROBES.iter().map(|p| p.line).collect();
            let got = elvish_complete(home, &lines);
            for (probe, got) in PROBES.iter().zip(&got) {
                check("elvish", probe, got);
            }
        })
        .await;
    }
}

// ----- PowerShell -----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn powershell_install_lines_in_a_new_home_complete_commands() {
    // No Debian package has PowerShell, so CI may lack it too.
    if !have("pwsh", false) {
        return;
    }
    install_and_complete("PowerShell", "pwsh", |home| {
        // `-Command` loads $PROFILE, as a new PowerShell does.
        let out: Output = run_with(
            home.shell("pwsh").args([
                "-NoLogo",
                "-NonInteractive",
                "-Command",
                "(TabExpansion2 -inputScript 'mg-codex mo' -cursorColumn 11).CompletionMatches.CompletionText",
            ]),
            Stdin::Null,
            TIMEOUT,
        );
        assert!(out.code == 0, "pwsh: exit {}\n{}", out.code, out.stderr);
        let got: Vec<String> = out.stdout.lines().map(|l| l.trim().to_string()).collect();
        check("PowerShell", &PROBES[3], &got);
    })
    .await;
}

// ----- the query the hooks make ---------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn the_model_id_query_prints_nothing_but_ids_and_never_fails() {
    let home = Home::new();
    let query = |words: &[&str]| -> Output {
        let out = run_with(
            home.ctx.cmd().args(["__complete-models", "--"]).args(words),
            Stdin::Null,
            TIMEOUT,
        );
        assert!(
            out.code == 0 && out.stderr.is_empty(),
            "{words:?}: exit {}\n{}",
            out.code,
            out.stderr
        );
        out
    };
    // No catalogue yet: nothing.
    assert_eq!(query(&["mg-codex", "model", ""]).stdout, "");
    let server = gateway("models.json").await;
    home.init(&server);
    let after_init = server.received_requests().await.unwrap_or_default().len();
    let all = query(&["mg-codex", "model", ""]).stdout;
    let ids: Vec<&str> = all.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(ids, TOOL_MODELS);
    assert!(
        all.contains("openai/gpt-5.3-codex\tOpenAI: GPT-5.3 Codex\n"),
        "{all}"
    );
    // `cd x && mg-codex …`, a path to the binary, global flags after the command.
    for words in [
        &["cd", "x", "&&", "mg-codex", "model", "anth"][..],
        &["/usr/local/bin/mg-codex", "model", "anth"],
        &["mg-codex", "model", "--no-verify", "anth"],
        &["mg-codex", "-q", "model", "anth"],
    ] {
        assert_eq!(
            query(words).stdout,
            "anthropic/claude-sonnet-4.5\tAnthropic: Claude Sonnet 4.5\n",
            "{words:?}"
        );
    }
    // Anything that is not model's ID: nothing.
    for words in [
        &["mg-codex", ""][..],
        &["mg-codex", "models", ""],
        &["mg-codex", "model", "openai/gpt-5.3-codex", ""],
        &["mg-codex", "model", "--"],
        &["mg-codex", "init", "--model", ""],
        &["mg-codex", "--profile", ""],
        &["mg-codex", "--profile", "bad name", "model", ""],
        &[],
    ] {
        assert_eq!(query(words).stdout, "", "{words:?}");
    }
    // A catalogue that is not one: nothing, and no error.
    std::fs::write(home.ctx.codex_home().join("modelgates-models.json"), "{").unwrap();
    assert_eq!(query(&["mg-codex", "model", ""]).stdout, "");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        after_init,
        "the query asked the gateway"
    );
}
