//! What the user can do about a problem, as data: a [`Fix`] (a command to run, an edit at a
//! place in a file, or an instruction), and [`Problem`], an error that carries one.
//!
//! Core modules return typed errors that know their own fix ([`fix_of`] reads it); commands wrap
//! what they decide in a [`Problem`] with the fix they know (the same `--codex-home` and
//! `--profile` the user gave). One renderer prints both: an error's `hint:` lines
//! ([`crate::ui::Printer::error`]) and doctor's `fix:` lines come from the same [`Fix`].

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How to fix something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    #[serde(flatten)]
    pub kind: FixKind,
    /// The fix as a person reads it (the command or the place in backticks, and why).
    pub text: String,
}

/// What kind of fix, with what a program needs to carry it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FixKind {
    /// Run this command, as printed (a shell command line).
    Command { command: String },
    /// Edit this file (at this line).
    Edit { file: PathBuf, line: Option<usize> },
    /// Something that is neither a command nor an edit.
    Instruction,
}

impl Fix {
    /// Run `command`; the text is the command itself.
    pub fn command(command: impl Into<String>) -> Self {
        let command = command.into();
        Self {
            text: format!("`{command}`"),
            kind: FixKind::Command { command },
        }
    }

    /// Run `command`, with `text` saying so (it names the command in backticks).
    pub fn command_with(command: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            kind: FixKind::Command {
                command: command.into(),
            },
            text: text.into(),
        }
    }

    /// Edit `file` (at `line`) as `text` says.
    pub fn edit(file: impl Into<PathBuf>, line: Option<usize>, text: impl Into<String>) -> Self {
        Self {
            kind: FixKind::Edit {
                file: file.into(),
                line,
            },
            text: text.into(),
        }
    }

    /// Do what `text` says.
    pub fn instruction(text: impl Into<String>) -> Self {
        Self {
            kind: FixKind::Instruction,
            text: text.into(),
        }
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How mg-codex was invoked, for the commands hints and fixes print: `mg-codex`, with the
/// `--codex-home` and `--profile` the user gave, so the printed command acts on the same file.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    codex_home: Option<std::path::PathBuf>,
    profile: Option<String>,
}

impl Invocation {
    /// `mg-codex --codex-home DIR --profile NAME` (each when given).
    pub fn with(codex_home: Option<&std::path::Path>, profile: Option<&str>) -> Self {
        Self {
            codex_home: codex_home.map(Into::into),
            profile: profile.map(Into::into),
        }
    }

    /// The same `--codex-home`, with another profile (`None`: `config.toml` itself).
    pub fn for_profile(&self, profile: Option<&str>) -> Self {
        Self {
            codex_home: self.codex_home.clone(),
            profile: profile.map(Into::into),
        }
    }

    /// `mg-codex [flags] REST`.
    pub fn command(&self, rest: &str) -> String {
        let mut line = String::from("mg-codex");
        if let Some(dir) = &self.codex_home {
            line.push_str(" --codex-home ");
            line.push_str(&crate::project::shell_quote(&dir.display().to_string()));
        }
        if let Some(profile) = &self.profile {
            line.push_str(" --profile ");
            line.push_str(&crate::project::shell_quote(profile));
        }
        line.push(' ');
        line.push_str(rest);
        line
    }
}

/// An error the user can act on: what failed (one sentence, naming the file or host) and how
/// to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub fix: Option<Fix>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

/// An error with a fix, ready for `?` and `Err(…)`.
pub fn problem(message: impl Into<String>, fix: Fix) -> anyhow::Error {
    Problem::new(message).with_fix(fix).into()
}

/// The fix an error (one cause of a chain) knows, if any: a [`Problem`]'s, or that of a typed
/// error of the core.
pub fn fix_of(error: &(dyn std::error::Error + 'static)) -> Option<Fix> {
    if let Some(p) = error.downcast_ref::<Problem>() {
        return p.fix.clone();
    }
    if let Some(e) = error.downcast_ref::<crate::config_file::InvalidConfig>() {
        return Some(e.fix());
    }
    if let Some(e) = error.downcast_ref::<crate::codex_config::ShapeError>() {
        return Some(e.fix());
    }
    if let Some(e) = error.downcast_ref::<crate::fsutil::NotAFile>() {
        return Some(e.fix());
    }
    None
}

/// Every fix of an error chain, outermost first, without repeats.
pub fn fixes_of(error: &anyhow::Error) -> Vec<Fix> {
    let mut out: Vec<Fix> = Vec::new();
    for cause in error.chain() {
        if let Some(fix) = fix_of(cause) {
            if !out.contains(&fix) {
                out.push(fix);
            }
        }
    }
    out
}
