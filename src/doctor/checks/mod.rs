//! The doctor's checks: pure functions from gathered inputs (parsed configs, environment
//! values, API outcomes, Codex's verdict) to [`Check`]s made of findings. One file per area:
//! [`config`] (`config.file`, `config.provider`, `config.model`), [`key`] (`key.present`),
//! [`api`] (`api.*`), [`shell`] (`shell.profiles`), [`codex`] (`codex.*`) and [`projects`]
//! (`projects.trust`). No IO here except reading `.git` entries for the trust check.

pub mod api;
pub mod catalog;
pub mod codex;
pub mod config;
pub mod key;
pub mod projects;
pub mod shell;

use std::path::Path;

use super::knowledge::{CodexVersion, NEWEST_MEASURED};
use super::Finding;
use crate::codex_config::ConfigDocument;
use crate::config_file::InvalidConfig;
use crate::problem::{Fix, Invocation};

/// A config file as the command loaded it.
pub enum Loaded {
    Missing,
    /// The Codex home (`--codex-home`, `CODEX_HOME`) does not exist; `origin` names the setting.
    HomeMissing {
        dir: std::path::PathBuf,
        origin: &'static str,
    },
    /// The Codex home exists but is not a directory.
    HomeNotDir {
        dir: std::path::PathBuf,
        origin: &'static str,
    },
    /// It exists but cannot be read: the error, and whether it is not a regular file.
    Unreadable {
        error: String,
        special: bool,
    },
    Invalid(InvalidConfig),
    Parsed(Box<ConfigDocument>),
}

impl Loaded {
    pub fn doc(&self) -> Option<&ConfigDocument> {
        match self {
            Loaded::Parsed(doc) => Some(doc),
            _ => None,
        }
    }
}

/// What every check needs besides its own inputs.
pub struct Context<'a> {
    /// How to print commands (`mg-codex --codex-home DIR --profile NAME`);
    /// [`Invocation::for_profile`] for a fix that edits another file.
    pub me: &'a Invocation,
    pub profile: Option<&'a str>,
    /// The installed Codex's release, when there is one.
    pub codex: Option<CodexVersion>,
    /// HOME, to show paths as `~/…`.
    pub home: Option<&'a Path>,
}

impl Context<'_> {
    /// `mg-codex [flags] REST`, as a fix.
    pub fn run(&self, rest: &str) -> Fix {
        Fix::command(self.me.command(rest))
    }

    /// `mg-codex [flags] REST`, with a sentence naming it.
    pub fn run_with(&self, rest: &str, text: impl FnOnce(&str) -> String) -> Fix {
        let command = self.me.command(rest);
        let text = text(&command);
        Fix::command_with(command, text)
    }

    /// The release whose rules apply: the installed one, else the newest measured.
    pub fn version(&self) -> CodexVersion {
        self.codex.unwrap_or(NEWEST_MEASURED)
    }

    /// The installed release, as evidence.
    pub fn version_text(&self) -> String {
        match self.codex {
            Some(v) => format!("codex-cli {v}"),
            None => format!("codex-cli {NEWEST_MEASURED} (not installed: the newest rules)"),
        }
    }

    /// A path with HOME as `~`.
    pub fn show(&self, path: &Path) -> String {
        match self.home.and_then(|h| path.strip_prefix(h).ok()) {
            Some(rest) if !rest.as_os_str().is_empty() => format!("~/{}", rest.display()),
            _ => path.display().to_string(),
        }
    }
}

/// The findings of a set of checks by code, for tests and for checks that build on others.
pub fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}
