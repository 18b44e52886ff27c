//! Where the Codex config lives and how it is read and written: `CODEX_HOME` resolution,
//! profile files, the locked read-modify-write cycle with re-read on conflict, and backups.
//!
//! The document itself (what an edit does to the text) is [`crate::codex_config`]; this module
//! only moves bytes, safely.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::codex_config::{ConfigDocument, ParseError};
use crate::fsutil;
use crate::setup::State;

/// The resolved Codex home directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodexHome {
    pub dir: PathBuf,
}

impl CodexHome {
    /// Resolves the Codex home: the flag, else `CODEX_HOME`, else `~/.codex`. Relative paths are
    /// taken relative to `cwd`. An explicit directory that does not exist is an error, as in Codex.
    pub fn resolve(
        flag: Option<&Path>,
        env: Option<&Path>,
        home: Option<&Path>,
        cwd: &Path,
    ) -> Result<Self> {
        if let Some((dir, origin)) = flag
            .map(|p| (p, "--codex-home"))
            .or(env.map(|p| (p, "CODEX_HOME")))
        {
            let dir = cwd.join(dir);
            if !dir.is_dir() {
                if dir.exists() {
                    bail!(
                        "{origin} points to `{}`, which is not a directory\nhint: point {origin} at your Codex directory",
                        dir.display()
                    );
                }
                bail!(
                    "{origin} points to `{}`, but that path does not exist (Codex refuses it too)\nhint: create it with `mkdir -p {}`, or unset {origin} to use `~/.codex`",
                    dir.display(),
                    dir.display()
                );
            }
            return Ok(Self { dir });
        }
        let Some(home) = home else {
            bail!("cannot find your home directory to locate `~/.codex`\nhint: set HOME, or pass `--codex-home DIR`");
        };
        Ok(Self {
            dir: home.join(".codex"),
        })
    }

    /// The config file: `config.toml`, or `NAME.config.toml` for a Codex profile.
    pub fn config_path(&self, profile: Option<&str>) -> PathBuf {
        match profile {
            Some(name) => self.dir.join(format!("{name}.config.toml")),
            None => self.dir.join("config.toml"),
        }
    }

    /// Makes sure the directory exists before a write: the default `~/.codex` is created 0700.
    pub fn prepare_for_write(&self) -> Result<()> {
        if !self.dir.exists() {
            fsutil::create_private_dir(&self.dir)?;
        }
        Ok(())
    }
}

/// Checks a `--profile` name the way Codex does: a plain name, no dots or separators.
pub fn validate_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid profile name: use letters, digits, `-` and `_` (Codex reads it as `<name>.config.toml`)"
        ))
    }
}

/// A config file that is not valid TOML. Nothing is ever written to such a file.
#[derive(Debug, Clone)]
pub struct InvalidConfig {
    pub path: PathBuf,
    pub error: ParseError,
}

impl fmt::Display for InvalidConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.error;
        let gutter = " ".repeat(e.line.to_string().len());
        write!(
            f,
            "`{}` is not valid TOML at line {}, column {}: {}\n{gutter} |\n{} | {}\n{gutter} | {}^\nhint: fix that line by hand (mg-codex left the file untouched), then run the command again",
            self.path.display(),
            e.line,
            e.column,
            e.message,
            e.line,
            e.source_line,
            " ".repeat(e.column.saturating_sub(1)),
        )
    }
}

impl std::error::Error for InvalidConfig {}

/// Reads and parses a config file; `None` when there is no file.
pub fn load_existing(path: &Path) -> Result<Option<ConfigDocument>> {
    match fsutil::read_optional(path)? {
        None => Ok(None),
        Some(bytes) => Ok(Some(parse(path, &bytes)?)),
    }
}

/// Reads and parses a config file; a missing file is an empty document.
pub fn load(path: &Path) -> Result<ConfigDocument> {
    Ok(load_existing(path)?.unwrap_or_else(ConfigDocument::empty))
}

/// Parses the bytes read from `path`; an error names the file, line and column.
fn parse(path: &Path, bytes: &[u8]) -> Result<ConfigDocument, InvalidConfig> {
    ConfigDocument::from_bytes(bytes).map_err(|error| InvalidConfig {
        path: path.to_path_buf(),
        error,
    })
}

/// What a locked edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveOutcome {
    /// The config path as the user names it.
    pub path: PathBuf,
    /// The file really written (differs when `path` is a symlink).
    pub target: PathBuf,
    /// Whether anything was written.
    pub changed: bool,
    /// Whether the file did not exist before.
    pub created: bool,
    /// The previous bytes, when there were any and they changed.
    pub backup: Option<PathBuf>,
    /// The first-ever backup, when this edit created it.
    pub original_backup: Option<PathBuf>,
    /// What the file holds after the edit, as read or written under the lock (`None`: there is
    /// no file).
    pub text: Option<String>,
}

/// Attempts at a read-modify-write before giving up on a file that keeps changing.
const MAX_ATTEMPTS: usize = 20;

/// The backup of the previous bytes, beside the config the user names.
fn backup_path(path: &Path) -> PathBuf {
    fsutil::sibling(path, ".mg-codex.bak")
}

/// The first-ever backup, never overwritten.
fn original_backup_path(path: &Path) -> PathBuf {
    fsutil::sibling(path, ".mg-codex.orig")
}

/// Where `init` records what a config held before it (see [`crate::setup::State`]).
pub fn state_path(path: &Path) -> PathBuf {
    fsutil::sibling(path, ".mg-codex.state")
}

/// `init`'s record for the config at `path`, if there is one.
pub fn read_state(path: &Path) -> Result<Option<State>> {
    let file = state_path(path);
    match fsutil::read_optional(&file)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("reading `{}` (delete it if it is damaged)", file.display())),
    }
}

/// Writes `init`'s record for the config at `path` (0600; through a symlink, as the config).
pub fn write_state(path: &Path, state: &State) -> Result<()> {
    let file = state_path(path);
    let json = serde_json::to_string_pretty(state)?;
    fsutil::write_atomic(
        &fsutil::resolve_symlinks(&file)?,
        json.as_bytes(),
        fsutil::NEW_FILE_MODE,
    )
    .with_context(|| format!("saving `{}`", file.display()))
}

fn lock_path(path: &Path) -> PathBuf {
    fsutil::sibling(path, ".mg-codex.lock")
}

/// Reads, edits and writes a config file under an advisory lock (a lock file beside it), so
/// concurrent `mg-codex` processes never lose each other's changes. If the file changes on
/// disk between the read and the write (Codex itself rewrites it), the edit is redone on the
/// new content. An unparsable file is never written. A symlinked file is written through to its
/// target and stays a symlink; the mode is kept (0600 for a new file).
pub fn edit<T>(
    path: &Path,
    mut apply: impl FnMut(&mut ConfigDocument) -> Result<T>,
) -> Result<(T, SaveOutcome)> {
    let target = fsutil::resolve_symlinks(path)?;
    let _lock = fsutil::lock_exclusive(&lock_path(path))?;
    for _ in 0..MAX_ATTEMPTS {
        let before = fsutil::read_optional(&target)?;
        let mut doc = match &before {
            None => ConfigDocument::empty(),
            Some(bytes) => parse(path, bytes)?,
        };
        let value = apply(&mut doc).with_context(|| format!("cannot edit `{}`", path.display()))?;
        let mut outcome = SaveOutcome {
            path: path.to_path_buf(),
            target: target.clone(),
            changed: false,
            created: before.is_none(),
            backup: None,
            original_backup: None,
            text: None,
        };
        let rendered = doc.render();
        let unchanged = match &before {
            Some(bytes) => bytes == rendered.as_bytes(),
            None => rendered.is_empty(),
        };
        if unchanged {
            // Parsed above, so valid UTF-8.
            outcome.text = before.map(|b| String::from_utf8_lossy(&b).into_owned());
            return Ok((value, outcome));
        }
        fsutil::ensure_writable(&target)?;
        if fsutil::read_optional(&target)? != before {
            continue;
        }
        if let Some(old) = &before {
            let original = original_backup_path(path);
            if !original.exists() {
                fsutil::write_atomic(&original, old, fsutil::NEW_FILE_MODE)?;
                outcome.original_backup = Some(original);
            }
            let backup = backup_path(path);
            fsutil::write_atomic(&backup, old, fsutil::NEW_FILE_MODE)?;
            outcome.backup = Some(backup);
        }
        // The last look before replacing: a writer that does not take our lock (Codex) may
        // have changed the file while the backups were written.
        if fsutil::read_optional(&target)? != before {
            continue;
        }
        fsutil::write_atomic(&target, rendered.as_bytes(), fsutil::NEW_FILE_MODE)
            .with_context(|| format!("saving `{}`", path.display()))?;
        outcome.changed = true;
        outcome.text = Some(rendered);
        return Ok((value, outcome));
    }
    bail!(
        "`{}` kept changing while mg-codex tried to edit it ({MAX_ATTEMPTS} attempts)\nhint: close programs that rewrite it (a running Codex) and run the command again",
        path.display()
    )
}

/// Puts whole bytes back under the lock: when the file still holds exactly `expected`, writes
/// `replacement` (or deletes the file for `None`), with the usual backup. Returns `None`, writing
/// nothing, when the file holds something else.
pub fn restore(
    path: &Path,
    expected: &str,
    replacement: Option<&str>,
) -> Result<Option<SaveOutcome>> {
    let target = fsutil::resolve_symlinks(path)?;
    let _lock = fsutil::lock_exclusive(&lock_path(path))?;
    let current = fsutil::read_optional(&target)?;
    if current.as_deref() != Some(expected.as_bytes()) {
        return Ok(None);
    }
    let mut outcome = SaveOutcome {
        path: path.to_path_buf(),
        target: target.clone(),
        changed: replacement != Some(expected),
        created: false,
        backup: None,
        original_backup: None,
        text: replacement.map(str::to_string),
    };
    if !outcome.changed {
        return Ok(Some(outcome));
    }
    fsutil::ensure_writable(&target)?;
    let backup = backup_path(path);
    fsutil::write_atomic(&backup, expected.as_bytes(), fsutil::NEW_FILE_MODE)?;
    outcome.backup = Some(backup);
    match replacement {
        Some(text) => fsutil::write_atomic(&target, text.as_bytes(), fsutil::NEW_FILE_MODE)
            .with_context(|| format!("saving `{}`", path.display()))?,
        None => std::fs::remove_file(&target)
            .with_context(|| format!("removing `{}`", path.display()))?,
    }
    Ok(Some(outcome))
}
