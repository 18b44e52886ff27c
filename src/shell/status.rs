//! The state of the shell set-up as data, for the `shell.profiles` doctor check: per shell
//! whether its profile has the block, whether the env file is there, private and holds the key
//! this environment has, and the user's own definitions that compete with ours.
//!
//! Reads only; never fails on a file it cannot read (that is a state too). Keys are compared,
//! never returned.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use super::block::{self, MarkerProblem};
use super::environment::ShellEnv;
use super::model::{UserDefinition, DIR_MODE, ENV_FILE_MODE};
use super::plan::{git_work_tree, profile_definitions, related_definitions};
use super::shells::{self, Precedence, Shell, Syntax};
use crate::fsutil;

/// How a stored key compares with the one in this environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Equal to the given current value.
    Matches,
    /// Different: a terminal opened before a rotation, or a key set elsewhere.
    Differs,
    /// No current value was given (the variable is not set here).
    NotInEnvironment,
    /// The file holds no assignment mg-codex can read.
    Unreadable,
    /// The file does not exist.
    Missing,
}

fn compare(stored: Option<String>, current: Option<&str>) -> KeyState {
    match (stored, current) {
        (None, _) => KeyState::Unreadable,
        (Some(_), None) => KeyState::NotInEnvironment,
        (Some(stored), Some(current)) if stored == current => KeyState::Matches,
        (Some(_), Some(_)) => KeyState::Differs,
    }
}

/// One env file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvFileStatus {
    pub syntax: Syntax,
    pub path: PathBuf,
    pub present: bool,
    /// In JSON as an octal string (`"0600"`).
    #[serde(serialize_with = "crate::fsutil::serialize_mode")]
    pub mode: Option<u32>,
    /// Mode 0600.
    pub private: bool,
    pub key: KeyState,
}

/// What a profile holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockState {
    Absent,
    /// The block sources the env file at its current path.
    SourcesEnvFile,
    /// The block holds the key itself (`--key-in-profile`).
    HoldsKey {
        key: KeyState,
    },
    /// A block mg-codex would write differently now (an older version, a moved config dir).
    Outdated,
    Broken {
        problem: MarkerProblem,
    },
    /// Not UTF-8, or could not be read.
    Unreadable {
        error: String,
    },
}

impl BlockState {
    /// Whether the shell gets the key from this profile.
    pub fn is_present(&self) -> bool {
        matches!(
            self,
            BlockState::SourcesEnvFile | BlockState::HoldsKey { .. } | BlockState::Outdated
        )
    }
}

/// One profile of a shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileStatus {
    /// As the user names it.
    pub path: PathBuf,
    /// The real file.
    pub target: PathBuf,
    pub exists: bool,
    pub block: BlockState,
    /// The root of the git work tree holding it.
    pub git_work_tree: Option<PathBuf>,
}

/// One shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShellStatus {
    pub shell: Shell,
    /// Installed or in use (would be set up without `--shell`).
    pub detected: bool,
    /// `$SHELL` or the login shell (the user database's).
    pub login: bool,
    /// One of the files this shell reads at start exists (so the user starts it).
    pub has_startup_file: bool,
    pub profiles: Vec<ProfileStatus>,
    /// The env file its block sources.
    pub env_file: EnvFileStatus,
    /// The user's own definitions of the variable in the files this shell reads.
    pub definitions: Vec<UserDefinition>,
    /// What to run in an open terminal to load the key (`. ~/.config/mg-codex/env`).
    pub activation: String,
}

impl ShellStatus {
    /// Whether the user uses this shell: it is the login shell, or one of its startup files
    /// exists (an installed shell nobody starts is not "in use").
    pub fn in_use(&self) -> bool {
        self.login || self.has_startup_file
    }

    /// Whether any profile of this shell has our block.
    pub fn has_block(&self) -> bool {
        self.profiles.iter().any(|p| p.block.is_present())
    }

    /// The definitions that win over our block.
    pub fn overriding(&self) -> impl Iterator<Item = &UserDefinition> {
        self.definitions
            .iter()
            .filter(|d| d.precedence != Precedence::Overridden)
    }
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Our directory.
    pub dir: PathBuf,
    pub dir_exists: bool,
    /// In JSON as an octal string (`"0700"`).
    #[serde(serialize_with = "crate::fsutil::serialize_mode")]
    pub dir_mode: Option<u32>,
    /// Mode 0700.
    pub dir_private: bool,
    pub env_files: Vec<EnvFileStatus>,
    /// Every shell we know, detected or not.
    pub shells: Vec<ShellStatus>,
}

/// Looks at every file without changing any. `current_key` is the key this environment has
/// (`$MODELGATES_API_KEY`), compared with the stored ones.
pub fn status(env: &ShellEnv, current_key: Option<&str>) -> Result<Status> {
    let dir = env.dir();
    let dir_mode = fsutil::existing_mode(&dir);
    let env_files: Vec<EnvFileStatus> = [Syntax::Posix, Syntax::Fish]
        .into_iter()
        .map(|syntax| env_file_status(env, syntax, current_key))
        .collect();
    let mut shells_out = Vec::new();
    for shell in Shell::ALL {
        let syntax = shell.syntax();
        let expected = shells::block_body(syntax, &env.env_file(syntax), &env.home, None)?;
        let mut profiles = Vec::new();
        let mut definitions = Vec::new();
        for profile in shells::resolve_profiles(shell, env) {
            let (status, text) = profile_status(&profile.path, syntax, &expected, current_key)?;
            if let Some(text) = text {
                definitions.extend(profile_definitions(shell, &profile.path, &text));
            }
            profiles.push(status);
        }
        let mut related_exist = false;
        for (path, precedence) in shells::related_files(shell, env) {
            if profiles.iter().any(|p| p.path == path) {
                continue;
            }
            related_exist |= path.is_file();
            definitions.extend(related_definitions(shell, &path, precedence));
        }
        let has_startup_file = related_exist
            || profiles
                .iter()
                .any(|p| p.exists && !p.path.ends_with("mg-codex.fish"));
        shells_out.push(ShellStatus {
            shell,
            detected: env.detects(shell),
            login: env.is_login_shell(shell),
            has_startup_file,
            profiles,
            env_file: env_files
                .iter()
                .find(|f| f.syntax == syntax)
                .cloned()
                .unwrap_or_else(|| env_file_status(env, syntax, current_key)),
            definitions,
            activation: shells::activation(shell, env),
        });
    }
    Ok(Status {
        dir_exists: dir.is_dir(),
        dir_private: dir_mode.is_some_and(|m| m & 0o777 == DIR_MODE),
        dir,
        dir_mode,
        env_files,
        shells: shells_out,
    })
}

fn env_file_status(env: &ShellEnv, syntax: Syntax, current_key: Option<&str>) -> EnvFileStatus {
    let path = env.env_file(syntax);
    let mode = fsutil::existing_mode(&path);
    let (present, key) = match std::fs::read(&path) {
        Ok(bytes) => {
            let stored = shells::parse_assignment(syntax, &String::from_utf8_lossy(&bytes));
            (true, compare(stored, current_key))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => (false, KeyState::Missing),
        Err(_) => (true, KeyState::Unreadable),
    };
    EnvFileStatus {
        syntax,
        present,
        private: mode == Some(ENV_FILE_MODE),
        mode,
        key,
        path,
    }
}

/// A profile's status, and its text when it could be read.
fn profile_status(
    path: &Path,
    syntax: Syntax,
    expected_body: &str,
    current_key: Option<&str>,
) -> Result<(ProfileStatus, Option<String>)> {
    let mut status = ProfileStatus {
        path: path.to_path_buf(),
        target: path.to_path_buf(),
        exists: false,
        block: BlockState::Absent,
        git_work_tree: None,
    };
    let target = match fsutil::resolve_symlinks(path) {
        Ok(target) => target,
        Err(err) => {
            status.exists = true;
            status.block = BlockState::Unreadable {
                error: format!("{err:#}"),
            };
            return Ok((status, None));
        }
    };
    status.target = target.clone();
    let bytes = match fsutil::read_optional(&target) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok((status, None)),
        Err(err) => {
            status.exists = true;
            status.block = BlockState::Unreadable {
                error: format!("{err:#}"),
            };
            return Ok((status, None));
        }
    };
    status.exists = true;
    status.git_work_tree = git_work_tree(&target);
    let Ok(text) = String::from_utf8(bytes) else {
        status.block = BlockState::Unreadable {
            error: "not UTF-8 text".into(),
        };
        return Ok((status, None));
    };
    status.block = match block::body(&text) {
        Err(problem) => BlockState::Broken { problem },
        Ok(None) => BlockState::Absent,
        Ok(Some(lines)) => {
            let body = lines.join("\n");
            if body == expected_body {
                BlockState::SourcesEnvFile
            } else if let Some(stored) = shells::parse_assignment(syntax, &body) {
                BlockState::HoldsKey {
                    key: compare(Some(stored), current_key),
                }
            } else {
                BlockState::Outdated
            }
        }
    };
    Ok((status, Some(text)))
}
