//! One snapshot of the process environment: the only place that reads `std::env`.
//!
//! Commands receive an [`Env`] and pass plain values down, so core modules never look at the
//! environment themselves and tests can run the binary with a controlled one.

use std::io::IsTerminal;
use std::path::PathBuf;

/// What the process was started with.
#[derive(Debug, Clone)]
pub struct Env {
    pub home: Option<PathBuf>,
    pub codex_home: Option<PathBuf>,
    pub cwd: PathBuf,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// `TERM=dumb`.
    pub dumb_term: bool,
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
}

impl Env {
    /// Reads the environment once.
    pub fn capture() -> Self {
        let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let home = non_empty("HOME")
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()));
        Self {
            home,
            codex_home: non_empty("CODEX_HOME").map(PathBuf::from),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            no_color: non_empty("NO_COLOR").is_some(),
            dumb_term: std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
        }
    }
}
