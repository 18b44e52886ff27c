//! Shell profiles: makes `MODELGATES_API_KEY` reach every shell, safely and reversibly.
//!
//! The key lives in files of our own, `${XDG_CONFIG_HOME:-~/.config}/mg-codex/env` (sh syntax)
//! and `env.fish`, private (directory 0700, files 0600 from the first byte, a `.gitignore` of
//! `*`). Each shell's profile gets a marked block that sources its env file and holds no secret
//! (or, with `key_in_profile`, the assignment itself). Rotating the key rewrites only the env
//! files; removal takes every block out and leaves each profile byte for byte as it was.
//!
//! Layers, each its own module:
//! - [`block`]: the one pure edit of a profile's text (insert, replace, remove, user lines);
//! - [`shells`]: per-shell facts as data (files, syntax, quoting, hints);
//! - [`environment`]: the injected environment ([`ShellEnv`]); nothing here reads `std::env`;
//! - [`model`]: the data of plans and reports (actions, warnings, redaction);
//! - [`plan`]: what an operation would do to each file, without writing (dry runs);
//! - [`apply`]: carrying a plan out (atomic writes through symlinks, backups);
//! - [`status`]: the state as data for `doctor`.
//!
//! Knows nothing of the command line or the terminal: commands print the reports.

pub mod apply;
pub mod block;
pub mod environment;
pub mod model;
pub mod plan;
pub mod shells;
pub mod status;

use anyhow::Result;

pub use apply::{apply, backup_path, remove_stale_temps, Report};
pub use environment::{Os, ShellEnv};
pub use model::{
    redact, Action, Activation, DirAction, FileChange, InstallOptions, Operation, Plan, Refusal,
    Role, ShellSelection, SkipReason, UserDefinition, Warning,
};
pub use plan::{plan_install, plan_remove, plan_rotate};
pub use shells::{Precedence, Shell, Syntax, VAR};
pub use status::{status, BlockState, EnvFileStatus, KeyState, ProfileStatus, ShellStatus, Status};

use crate::secret::ApiKey;

/// Installs the key: env files, and the block in the selected shells' profiles. A second run
/// with the same key and options writes nothing; with a new key only the env files change.
pub fn install(key: &ApiKey, options: &InstallOptions, env: &ShellEnv) -> Result<Report> {
    apply(plan_install(key, options, env)?)
}

/// Replaces the key: the env files, and the blocks that hold the key themselves. No other
/// profile is touched.
pub fn rotate(key: &ApiKey, env: &ShellEnv) -> Result<Report> {
    apply(plan_rotate(key, env)?)
}

/// Removes every block, the env files and our directory (backups stay).
pub fn remove(env: &ShellEnv) -> Result<Report> {
    apply(plan_remove(env)?)
}

/// The key mg-codex stored: the assignment in the POSIX env file (`None`: no file, no line, or
/// an empty value), with the file.
pub fn stored_key(env: &ShellEnv) -> Option<(String, std::path::PathBuf)> {
    let path = env.env_file(Syntax::Posix);
    let bytes = crate::fsutil::read_optional(&path).ok()??;
    let key = shells::parse_assignment(Syntax::Posix, &String::from_utf8_lossy(&bytes))?;
    (!key.trim().is_empty()).then_some((key, path))
}

/// The key in mg-codex's block of a profile (written with `--key-in-profile`): the first
/// profile whose block holds one, with the profile.
pub fn key_in_a_profile(env: &ShellEnv) -> Option<(String, std::path::PathBuf)> {
    shells::all_profile_paths(env)
        .into_iter()
        .find_map(|profile| {
            let bytes = crate::fsutil::read_optional(&profile.path).ok()??;
            let text = String::from_utf8(bytes).ok()?;
            let body = block::body(&text).ok()??;
            let key = shells::parse_assignment(profile.shell.syntax(), &body.join("\n"))?;
            Some((key, profile.path))
        })
}
