//! Shared test helpers: running the real binary in a clean, temporary HOME; locating the real
//! Codex CLI and the shared corpus.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether we run in CI, where a missing real component is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The real Codex CLI (`MG_CODEX_TEST_CODEX`, set by `.ci/run`), or `None` with a printed
/// reason on a developer machine. In CI a missing Codex fails the test.
pub fn codex_bin() -> Option<PathBuf> {
    let from_env = std::env::var_os("MG_CODEX_TEST_CODEX").map(PathBuf::from);
    match from_env {
        Some(path) if path.is_file() => Some(path),
        other => {
            let why = match other {
                Some(p) => format!(
                    "MG_CODEX_TEST_CODEX points to `{}`, which is not a file",
                    p.display()
                ),
                None => {
                    "MG_CODEX_TEST_CODEX is not set (`.ci/run` installs @openai/codex and sets it)"
                        .into()
                }
            };
            if in_ci() {
                panic!("the real Codex CLI is required in CI: {why}");
            }
            eprintln!("skipping the real-Codex part: {why}");
            None
        }
    }
}

/// `../shared/corpus` beside the checkout (read-only: copy files before editing them).
pub fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        dir.is_dir(),
        "the shared corpus is expected at `{}`",
        dir.display()
    );
    dir
}

/// The `fixtures/` directory of this repository.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A temporary HOME with a `.codex` directory, and a way to run `mg-codex` inside it with a
/// clean environment.
pub struct TestContext {
    pub root: tempfile::TempDir,
}

impl TestContext {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join("home/.codex")).unwrap();
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        Self { root }
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    pub fn codex_home(&self) -> PathBuf {
        self.home().join(".codex")
    }

    pub fn config(&self) -> PathBuf {
        self.codex_home().join("config.toml")
    }

    /// A scratch directory for projects.
    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// `mg-codex` with HOME set to the temp home, no CODEX_HOME, no colour, cwd = work dir.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mg-codex"));
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .current_dir(self.work());
        cmd
    }

    pub fn read_config(&self) -> String {
        std::fs::read_to_string(self.config()).unwrap()
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).unwrap();
    }
}

/// Output of a finished command, as text.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run the command");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `git` in `dir`, failing the test on error.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}
