//! `mg-codex init` and `uninstall` end to end with the real Codex CLI (`MG_CODEX_TEST_CODEX`):
//!
//! - after `init --shell bash`, a new interactive bash gets the key from `~/.bashrc`, and
//!   `codex exec` talks to a mock ModelGates (wiremock on 127.0.0.1) with that key, the chosen
//!   model and the chosen reasoning effort;
//! - `init` on a copy of every valid corpus file leaves Codex's verdict (`codex features list`)
//!   the same or better, warns about a cause that is not ours, and `uninstall` gives back the
//!   original bytes.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{
    assert_no_failures, assert_no_key, codex_bin, codex_features_list, codex_path,
    copy_corpus_file, corpus_files, normalize_codex_error, par_map, run_with, run_with_timeout,
    unedited_verdict, verdict_problem, CorpusFile, Output, Stdin, TestContext, VALID_CORPUS_DIRS,
};

const KEY: &str = "sk-mg-v1-e2etestkey0123456789abcdef";
const MODEL: &str = "openai/gpt-5.3-codex";
const EFFORT: &str = "medium";
const ANSWER: &str = "hi from the mock";

/// How long one `mg-codex` run may take (`init` runs Codex twice itself).
const MG_CODEX_TIMEOUT: Duration = Duration::from_secs(120);
/// How long `codex exec` may take.
const EXEC_TIMEOUT: Duration = Duration::from_secs(90);
/// Files whose Codex check runs at once.
const THREADS: usize = 4;

fn key_line() -> String {
    format!("{KEY}\n")
}

fn describe(out: &Output) -> String {
    format!(
        "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.code, out.stdout, out.stderr
    )
}

// ----- codex exec against a mock ModelGates ----------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn codex_exec_talks_to_modelgates_with_the_key_from_the_shell_profile() {
    let Some(codex) = codex_bin() else {
        return;
    };
    let server = crate::support::codex_exec_gateway().await;
    let ctx = TestContext::new();
    let base_url = format!("{}/api/v1", server.uri());

    let init = run_with(
        ctx.cmd()
            .env("CODEX_HOME", ctx.codex_home())
            .env("PATH", codex_path(&codex))
            .args(["init", "--yes", "--api-key-stdin", "--base-url", &base_url])
            .args(["--model", MODEL, "--reasoning-effort", EFFORT])
            .args(["--shell", "bash"]),
        Stdin::Bytes(key_line().as_bytes()),
        MG_CODEX_TIMEOUT,
    );
    assert_eq!(init.code, 0, "init failed: {}", describe(&init));
    assert_no_key(&init, KEY);
    let config = ctx.read_config();
    assert!(
        !config.contains(KEY),
        "the key is in config.toml:\n{config}"
    );
    assert!(
        ctx.home().join(".bashrc").is_file(),
        "init wrote no ~/.bashrc: {}",
        describe(&init)
    );

    // A new terminal: an interactive bash reads ~/.bashrc; nothing else provides the key.
    let project = ctx.work_dir("project");
    let mut bash = Command::new("bash");
    bash.args([
        "-ic",
        r#"codex exec --skip-git-repo-check "say hi" </dev/null"#,
    ])
    .env_clear()
    .env("HOME", ctx.home())
    .env("PATH", codex_path(&codex))
    .env("CODEX_HOME", ctx.codex_home())
    .env("LANG", "C.UTF-8")
    .current_dir(&project);
    let exec = run_with_timeout(&mut bash, EXEC_TIMEOUT, ctx.root.path(), "exec")
        .unwrap_or_else(|e| panic!("codex exec: {e}"));
    let requests = server.received_requests().await.unwrap_or_default();
    let posts: Vec<_> = requests
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/api/v1/responses")
        .collect();
    let seen: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert!(
        exec.stdout.contains(ANSWER),
        "Codex did not print the mock's answer; requests: {seen:?}\n{}\n--- config.toml ---\n{config}",
        describe(&exec)
    );
    assert!(
        !posts.is_empty(),
        "no POST /api/v1/responses; requests: {seen:?}"
    );
    for post in posts {
        let auth = post
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        assert_eq!(
            auth,
            Some(format!("Bearer {KEY}").as_str()),
            "the Authorization header"
        );
        let body: serde_json::Value = post
            .body_json()
            .unwrap_or_else(|e| panic!("the request body is not JSON: {e}"));
        assert_eq!(body["model"], MODEL, "the body's model");
        assert_eq!(body["reasoning"]["effort"], EFFORT, "the body's reasoning");
        assert_eq!(body["stream"], true, "the body's stream");
    }
}

// ----- init then uninstall on every corpus file -------------------------------------------------

/// What happened to one corpus file.
struct FileCheck {
    label: String,
    loaded_before: Option<bool>,
    loaded_after: Option<bool>,
    problems: Vec<String>,
}

/// `mg-codex --codex-home DIR ARGS` with HOME `root/home`, cwd `root`, and a PATH holding Codex
/// (when there is one) so `init` asks it about the result.
fn mg_codex(root: &Path, dir: &Path, codex: Option<&Path>, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(crate::support::bin());
    cmd.env_clear()
        .env("HOME", root.join("home"))
        .env(
            "PATH",
            codex.map_or_else(|| "/usr/bin:/bin".into(), codex_path),
        )
        .env("NO_COLOR", "1")
        .current_dir(root)
        .arg("--codex-home")
        .arg(dir)
        .args(args);
    let stdin = if stdin.is_empty() {
        Stdin::Null
    } else {
        Stdin::Bytes(stdin.as_bytes())
    };
    run_with(&mut cmd, stdin, MG_CODEX_TIMEOUT)
}

fn init_then_uninstall(file: &CorpusFile, codex: Option<&Path>) -> FileCheck {
    let mut check = FileCheck {
        label: file.label.clone(),
        loaded_before: None,
        loaded_after: None,
        problems: Vec::new(),
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    fs::create_dir(root.join("home")).unwrap();
    let dir = root.join("codex");
    let bytes = copy_corpus_file(&file.path, &dir);
    let config = dir.join("config.toml");

    let before = match codex.map(|c| unedited_verdict(c, file)) {
        Some(Err(e)) => {
            check.problems.push(format!("before init: {e}"));
            return check;
        }
        Some(Ok(v)) => Some(v),
        None => None,
    };
    check.loaded_before = before.as_ref().map(|v| v.loaded);

    let init = mg_codex(
        root,
        &dir,
        codex,
        &[
            "init",
            "--yes",
            "--api-key-stdin",
            "--no-verify",
            "--base-url",
            "https://modelgates.ai/api/v1",
            "--model",
            MODEL,
            "--shell",
            "none",
        ],
        &key_line(),
    );
    if init.code != 0 {
        check
            .problems
            .push(format!("init failed: {}", describe(&init)));
        if fs::read(&config).unwrap() != bytes {
            check
                .problems
                .push("the failed init changed the file".into());
        }
        return check;
    }
    let edited = fs::read_to_string(&config).unwrap_or_default();

    // (a) and (b): Codex's verdict on the result, and init's warning.
    if let (Some(codex), Some(before)) = (codex, &before) {
        match codex_features_list(codex, root, &dir) {
            Err(e) => check.problems.push(format!("after init: {e}")),
            Ok(after) => {
                check.loaded_after = Some(after.loaded);
                if let Some(problem) = verdict_problem(&file.label, before, &after, "init") {
                    check
                        .problems
                        .push(format!("{problem}\n--- after init ---\n{edited}"));
                }
                let said = normalize_codex_error(&init.stderr, root);
                let warned = said.contains("Codex still cannot load");
                let warned_the_cause = warned && said.contains(&after.cause);
                if !after.loaded && !warned_the_cause {
                    check.problems.push(format!(
                        "Codex rejects the result (`{}`), but init does not warn `Codex still cannot load` with that cause:\n--- init's stderr ---\n{}",
                        after.cause, init.stderr
                    ));
                }
                if after.loaded && warned {
                    check.problems.push(format!(
                        "Codex loads the result, but init warns that it cannot:\n{}",
                        init.stderr
                    ));
                }
                let said_loads = said.contains("loads the new config");
                if after.loaded != said_loads {
                    check.problems.push(format!(
                        "Codex {} the result, but init {} `loads the new config`:\n{}",
                        if after.loaded { "loads" } else { "rejects" },
                        if said_loads { "says" } else { "does not say" },
                        init.stderr
                    ));
                }
            }
        }
    }

    // (c) uninstall gives the original bytes back.
    let uninstall = mg_codex(root, &dir, codex, &["uninstall", "--yes"], "");
    if uninstall.code != 0 {
        check
            .problems
            .push(format!("uninstall failed: {}", describe(&uninstall)));
    }
    match fs::read(&config) {
        Ok(now) if now == bytes => {}
        Ok(now) => check.problems.push(format!(
            "uninstall did not restore the original bytes:\n--- original ---\n{}\n--- after init ---\n{edited}\n--- after uninstall ---\n{}\n--- uninstall's stderr ---\n{}",
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&now),
            uninstall.stderr
        )),
        Err(e) => check
            .problems
            .push(format!("after uninstall, config.toml cannot be read: {e}")),
    }
    check
}

#[test]
fn init_then_uninstall_on_every_corpus_file() {
    let codex = codex_bin();
    let files = corpus_files(&VALID_CORPUS_DIRS);
    let checks = par_map(&files, THREADS, |file| {
        init_then_uninstall(file, codex.as_deref())
    });
    if codex.is_some() {
        for (when, list) in [
            ("before", rejected(&checks, |c| c.loaded_before)),
            ("after", rejected(&checks, |c| c.loaded_after)),
        ] {
            eprintln!("Codex rejects {} file(s) {when} init: {list:?}", list.len());
        }
    }
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| !c.problems.is_empty())
        .map(|c| format!("{}:\n  {}", c.label, c.problems.join("\n  ")))
        .collect();
    assert_no_failures("init then uninstall on the corpus", &failures);
}

fn rejected(checks: &[FileCheck], loaded: fn(&FileCheck) -> Option<bool>) -> Vec<&str> {
    checks
        .iter()
        .filter(|c| loaded(c) == Some(false))
        .map(|c| c.label.as_str())
        .collect()
}
