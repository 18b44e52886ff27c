//! One snapshot of the process environment: the only place that reads `std::env`.
//!
//! Commands receive an [`Env`] and pass plain values down, so core modules never look at the
//! environment themselves and tests can run the binary with a controlled one. clippy.toml
//! forbids the `std::env` readers everywhere else.
#![allow(clippy::disallowed_methods)] // This module is where they are allowed.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

/// The process's arguments, program name first (for `app`, which hands them to clap).
pub fn args() -> Vec<OsString> {
    std::env::args_os().collect()
}

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
    /// `PATH`, to find programs such as `codex`.
    pub path: Option<OsString>,
    /// The running `mg-codex` (`std::env::current_exe`), for the command Codex runs to get the
    /// key (`--key-source command`).
    pub exe: Option<PathBuf>,
    /// `MG_CODEX_TEST_STOP_AT_WRITE`: the crash tests' hook (see
    /// [`crate::fsutil::set_stop_at_write_step`]); 0 when unset.
    pub stop_at_write: usize,
    /// Every variable with a UTF-8 value, for lookups by a name only known at run time (the
    /// `env_key` of a provider) and proxy settings.
    vars: BTreeMap<String, String>,
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
            path: std::env::var_os("PATH"),
            exe: std::env::current_exe().ok(),
            stop_at_write: std::env::var("MG_CODEX_TEST_STOP_AT_WRITE")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// The terminal's width in columns when stdout is a terminal (`COLUMNS` wins when set);
    /// asked only by the command that lays out a table.
    pub fn stdout_width(&self) -> Option<usize> {
        if !self.stdout_tty {
            return None;
        }
        self.var("COLUMNS")
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
            .or_else(|| {
                console::Term::stdout()
                    .size_checked()
                    .map(|(_, w)| usize::from(w))
            })
    }

    /// The terminal's width in columns when stderr is a terminal (`COLUMNS` wins when set), for
    /// a message that must not wrap.
    pub fn stderr_width(&self) -> Option<usize> {
        if !self.stderr_tty {
            return None;
        }
        self.var("COLUMNS")
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
            .or_else(|| {
                console::Term::stderr()
                    .size_checked()
                    .map(|(_, w)| usize::from(w))
            })
    }

    /// This environment with `defaults` added where a variable is not set (as Codex applies
    /// `$CODEX_HOME/.env`).
    pub fn with_defaults(&self, defaults: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut env = self.clone();
        for (name, value) in defaults {
            env.vars.entry(name).or_insert(value);
        }
        env
    }

    /// A variable's value, if it is set and UTF-8.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Whether the terminal can show ✓ and ✗ (a UTF-8 locale and not `TERM=dumb`).
    pub fn unicode_ok(&self) -> bool {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| self.var(k).filter(|v| !v.is_empty()))
            .unwrap_or("");
        let utf8 = locale.to_ascii_lowercase().contains("utf-8")
            || locale.to_ascii_lowercase().contains("utf8");
        !self.dumb_term && (utf8 || !self.stdout_tty)
    }

    /// What the environment says about the network: the proxy variables (`HTTPS_PROXY`,
    /// `NO_PROXY`, ...) and the CA files (`SSL_CERT_FILE`, `SSL_CERT_DIR`), for the API client.
    pub fn network(&self) -> crate::api::Network {
        crate::api::Network::from_vars(|name| self.var(name).map(str::to_string))
    }
}
