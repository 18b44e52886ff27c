//! Where the Codex config lives and how it is read and written: `CODEX_HOME` resolution,
//! profile files, the locked read-modify-write cycle with re-read on conflict, backups, and
//! `init`'s record of what it changed, kept in step with the config under the same lock.
//!
//! The document itself (what an edit does to the text) is [`crate::codex_config`]; this module
//! only moves bytes, safely.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::codex_config::{ConfigDocument, ParseError};
use crate::fsutil;
use crate::fsutil::FileLock;
use crate::problem::{problem, Fix};
use crate::record::State;

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
                    return Err(problem(
                        format!(
                            "{origin} points to `{}`, which is not a directory",
                            dir.display()
                        ),
                        Fix::instruction(format!("point {origin} at your Codex directory")),
                    ));
                }
                let mkdir = format!(
                    "mkdir -p {}",
                    crate::project::shell_quote(&dir.display().to_string())
                );
                return Err(problem(
                    format!(
                        "{origin} points to `{}`, but that path does not exist (Codex refuses it too)",
                        dir.display()
                    ),
                    Fix::command_with(
                        mkdir.clone(),
                        format!("create it with `{mkdir}`, or unset {origin} to use `~/.codex`"),
                    ),
                ));
            }
            return Ok(Self { dir });
        }
        let Some(home) = home else {
            return Err(problem(
                "cannot find your home directory to locate `~/.codex`",
                Fix::instruction("set HOME, or pass `--codex-home DIR`"),
            ));
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
            "`{}` is not valid TOML at line {}, column {}: {}\n{gutter} |\n{} | {}\n{gutter} | {}^",
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

impl InvalidConfig {
    /// Edit the line by hand.
    pub fn fix(&self) -> Fix {
        Fix::edit(
            &self.path,
            Some(self.error.line),
            format!(
                "fix line {} of `{}` by hand (mg-codex left the file untouched), then run the command again",
                self.error.line,
                self.path.display()
            ),
        )
    }
}

impl std::error::Error for InvalidConfig {}

/// Reads and parses a config file; `None` when there is no file.
pub fn load_existing(path: &Path) -> Result<Option<ConfigDocument>> {
    match fsutil::read_optional(path)? {
        None => Ok(None),
        Some(bytes) => Ok(Some(parse(path, &bytes, Parse::Full)?)),
    }
}

/// Reads and parses a config file; a missing file is an empty document.
pub fn load(path: &Path) -> Result<ConfigDocument> {
    Ok(load_existing(path)?.unwrap_or_else(ConfigDocument::empty))
}

/// [`load`] with the quick parse ([`Parse::Fast`]), for readers that use only the verbs'
/// lookups (`trust --list` on a 10,000-entry file).
pub fn load_fast(path: &Path) -> Result<ConfigDocument> {
    match fsutil::read_optional(path)? {
        None => Ok(ConfigDocument::empty()),
        Some(bytes) => Ok(parse(path, &bytes, Parse::Fast)?),
    }
}

/// How much validation a read gets before an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parse {
    /// The structural index and `toml_edit`'s tree (what readers of the tree need).
    Full,
    /// The structural index only: for edits that read nothing but what the verbs read, so a
    /// 10,000-entry file costs one quick pass.
    Fast,
}

/// Parses the bytes read from `path`; an error names the file, line and column.
fn parse(path: &Path, bytes: &[u8], mode: Parse) -> Result<ConfigDocument, InvalidConfig> {
    let parsed = match mode {
        Parse::Full => ConfigDocument::from_bytes(bytes),
        Parse::Fast => ConfigDocument::from_bytes_fast(bytes),
    };
    parsed.map_err(|error| InvalidConfig {
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
    /// Whether the file was deleted.
    pub deleted: bool,
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

/// Where `init` records what a config held before it (see [`crate::record::State`]).
pub fn state_path(path: &Path) -> PathBuf {
    fsutil::sibling(path, ".mg-codex.state")
}

/// `init`'s record for the config at `path`, if there is one (read without the lock: for
/// reports; edits read it under the lock).
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
fn write_state(path: &Path, state: &State) -> Result<()> {
    let file = state_path(path);
    let json = serde_json::to_string_pretty(state)?;
    fsutil::write_atomic(
        &fsutil::resolve_symlinks(&file)?,
        json.as_bytes(),
        fsutil::NEW_FILE_MODE,
    )
    .with_context(|| format!("saving `{}`", file.display()))
}

fn remove_state(path: &Path) -> Result<()> {
    let file = fsutil::resolve_symlinks(&state_path(path))?;
    match std::fs::remove_file(&file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing `{}`", file.display())),
    }
}

fn lock_path(path: &Path) -> PathBuf {
    fsutil::sibling(path, ".mg-codex.lock")
}

/// What a step decides the config becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewText {
    /// As it is.
    Keep,
    /// This text.
    Write(String),
    /// No file.
    Delete,
}

/// The advisory lock on a config (a lock file beside it), held for as long as this lives:
/// concurrent `mg-codex` processes take turns, and every read and write of the config and of
/// `init`'s record happens inside it. Writers that do not take the lock (Codex itself) are
/// noticed: the file is compared again just before it is replaced, and the edit redone on the
/// new content.
#[derive(Debug)]
pub struct ConfigLock {
    path: PathBuf,
    target: PathBuf,
    _lock: FileLock,
    /// What is written under the lock is one change: a Ctrl-C waits for all of it (the
    /// catalogue, the config and its record, the shells `init` writes before letting go).
    _writing: fsutil::WriteGuard,
}

impl ConfigLock {
    /// Waits for the lock on the config at `path` (the path as the user names it).
    pub fn acquire(path: &Path) -> Result<Self> {
        let target = fsutil::resolve_symlinks(path)?;
        let lock = fsutil::lock_exclusive(&lock_path(path))?;
        // Temporary files a killed run left behind (they may hold a previous version).
        fsutil::remove_stale_temps(&target);
        for sibling in [
            state_path(path),
            backup_path(path),
            original_backup_path(path),
        ] {
            if let Ok(t) = fsutil::resolve_symlinks(&sibling) {
                fsutil::remove_stale_temps(&t);
            }
        }
        Ok(Self {
            _writing: fsutil::WriteGuard::new(),
            path: path.to_path_buf(),
            target,
            _lock: lock,
        })
    }

    /// Edits the config as a document (parsed fully), leaving the record alone.
    pub fn edit<T>(
        &self,
        mut apply: impl FnMut(&mut ConfigDocument) -> Result<T>,
    ) -> Result<(T, SaveOutcome)> {
        self.edit_as(Parse::Full, |doc, _, _| apply(doc), false)
    }

    /// Edits the config as a document and `init`'s record with it: the record is read under
    /// the lock, and written before and after the config (a journal), so that it never lags
    /// the file, whenever the process is killed. `apply` also gets the file's text as read
    /// (`None`: no file), for a new record.
    ///
    /// Edits the user made since mg-codex last wrote the file are carried into the record's
    /// `before` first (it becomes the file as it is, without mg-codex's settings), so that
    /// `uninstall` keeps them.
    pub fn edit_with_record<T>(
        &self,
        apply: impl FnMut(&mut ConfigDocument, &mut Option<State>, Option<&str>) -> Result<T>,
    ) -> Result<(T, SaveOutcome)> {
        self.edit_as(Parse::Full, apply, true)
    }

    /// [`Self::edit`] with the quick parse ([`Parse::Fast`]).
    pub fn edit_fast<T>(
        &self,
        mut apply: impl FnMut(&mut ConfigDocument) -> Result<T>,
    ) -> Result<(T, SaveOutcome)> {
        self.edit_as(Parse::Fast, |doc, _, _| apply(doc), false)
    }

    fn edit_as<T>(
        &self,
        mode: Parse,
        mut apply: impl FnMut(&mut ConfigDocument, &mut Option<State>, Option<&str>) -> Result<T>,
        with_record: bool,
    ) -> Result<(T, SaveOutcome)> {
        self.transact(with_record, |before, state| {
            if let Some(s) = state {
                rebase(s, before);
            }
            let mut doc = match before {
                None => ConfigDocument::empty(),
                Some(bytes) => parse(&self.path, bytes, mode)?,
            };
            // Parsed, so UTF-8.
            let text = before.map(|b| std::str::from_utf8(b).unwrap_or_default());
            let value = apply(&mut doc, state, text)
                .with_context(|| format!("cannot edit `{}`", self.path.display()))?;
            let rendered = doc.render();
            let unchanged = match before {
                Some(bytes) => bytes == rendered.as_bytes(),
                None => rendered.is_empty(),
            };
            let new = if unchanged {
                NewText::Keep
            } else {
                NewText::Write(rendered)
            };
            Ok((new, value))
        })
    }

    /// Replaces the config's whole text (or deletes it) as `decide` says, from its current
    /// bytes and `init`'s record, which `decide` may change or drop (`None`).
    pub fn replace_with_record<T>(
        &self,
        decide: impl FnMut(Option<&[u8]>, &mut Option<State>) -> Result<(NewText, T)>,
    ) -> Result<(T, SaveOutcome)> {
        self.transact(true, decide)
    }

    /// `init`'s record, read under the lock (its journal settled against the file).
    pub fn record(&self) -> Result<Option<State>> {
        let current = fsutil::read_optional(&self.target)?;
        let mut state = read_state(&self.path)?;
        settle(&mut state, current.as_deref());
        Ok(state)
    }

    /// The read-modify-write cycle: read the file (and the record), let `step` decide, write
    /// the record's journal entry, back up, write the file only if it still holds what was
    /// read, then commit the record. Redone from the start when the file changed meanwhile.
    fn transact<T>(
        &self,
        with_record: bool,
        mut step: impl FnMut(Option<&[u8]>, &mut Option<State>) -> Result<(NewText, T)>,
    ) -> Result<(T, SaveOutcome)> {
        let path = &self.path;
        let target = &self.target;
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                // Another writer is busy with the file: let it finish.
                std::thread::sleep(std::time::Duration::from_millis(attempt as u64));
            }
            let before = fsutil::read_optional(target)?;
            let mut old_state = if with_record { read_state(path)? } else { None };
            settle(&mut old_state, before.as_deref());
            let mut state = old_state.clone();
            let (new, value) = step(before.as_deref(), &mut state)?;
            let new_bytes: Option<Option<&[u8]>> = match &new {
                NewText::Keep => None,
                NewText::Write(text) if before.as_deref() == Some(text.as_bytes()) => None,
                NewText::Write(text) => Some(Some(text.as_bytes())),
                NewText::Delete if before.is_none() => None,
                NewText::Delete => Some(None),
            };
            let after_text: Option<String> = match &new_bytes {
                None => before
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned()),
                Some(Some(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
                Some(None) => None,
            };
            let mut outcome = SaveOutcome {
                path: path.to_path_buf(),
                target: target.clone(),
                changed: false,
                created: before.is_none(),
                deleted: false,
                backup: None,
                original_backup: None,
                text: after_text.clone(),
            };
            let Some(new_bytes) = new_bytes else {
                // The file stays; the record may still have changed.
                if with_record {
                    if let Some(s) = &mut state {
                        s.after = after_text.clone();
                        s.pending = None;
                    }
                    self.save_record(&old_state, &state)?;
                }
                return Ok((value, outcome));
            };
            fsutil::ensure_writable(target)?;
            // 1. The record first, with the new text as pending: whatever happens next, the
            //    record knows both texts the file can hold.
            if with_record {
                if let Some(s) = &mut state {
                    s.pending = after_text.clone();
                }
                if let Some(s) = &state {
                    write_state(path, s)?;
                }
            }
            // 2. Backups of what is replaced.
            if let Some(old) = &before {
                let original = original_backup_path(path);
                if !original.exists() {
                    fsutil::write_copy(&original, old, fsutil::NEW_FILE_MODE)?;
                    outcome.original_backup = Some(original);
                }
                let backup = backup_path(path);
                fsutil::write_copy(&backup, old, fsutil::NEW_FILE_MODE)?;
                outcome.backup = Some(backup);
            }
            // 3. The file, only if it still holds what was read.
            let written = match new_bytes {
                Some(bytes) => fsutil::write_atomic_if(
                    target,
                    bytes,
                    fsutil::NEW_FILE_MODE,
                    Some(before.as_deref()),
                )
                .with_context(|| format!("saving `{}`", path.display()))?,
                None => {
                    if fsutil::read_optional(target)? == before {
                        std::fs::remove_file(target)
                            .with_context(|| format!("removing `{}`", path.display()))?;
                        outcome.deleted = true;
                        true
                    } else {
                        false
                    }
                }
            };
            if !written {
                continue;
            }
            outcome.changed = true;
            // 4. The record commits.
            if with_record {
                match &mut state {
                    Some(s) => {
                        s.after = after_text;
                        s.pending = None;
                        write_state(path, s)?;
                    }
                    None => remove_state(path)?,
                }
            }
            return Ok((value, outcome));
        }
        Err(problem(
            format!(
                "`{}` kept changing while mg-codex tried to edit it ({MAX_ATTEMPTS} attempts)",
                path.display()
            ),
            Fix::instruction(
                "close programs that rewrite it (a running Codex) and run the command again",
            ),
        ))
    }

    fn save_record(&self, old: &Option<State>, new: &Option<State>) -> Result<()> {
        if old == new {
            return Ok(());
        }
        match new {
            Some(s) => write_state(&self.path, s),
            None => remove_state(&self.path),
        }
    }
}

/// The journal of a record read beside a file: a pending text the file now holds was written
/// (the process was killed before it could say so); one it does not hold never was.
fn settle(state: &mut Option<State>, current: Option<&[u8]>) {
    let Some(s) = state else { return };
    if let Some(pending) = s.pending.take() {
        if current == Some(pending.as_bytes()) {
            s.after = Some(pending);
        }
    }
}

/// Carries the edits made since mg-codex last wrote the file into the record: `before`
/// becomes the file as it is now without mg-codex's settings (what `uninstall` would leave).
fn rebase(state: &mut State, current: Option<&[u8]>) {
    let current = current.map(|b| String::from_utf8_lossy(b).into_owned());
    let ours = [state.after.as_deref(), state.pending.as_deref()];
    if state.after.is_none() || ours.contains(&current.as_deref()) || state.before == current {
        return;
    }
    state.before = crate::record::uninstalled(state, current.as_deref(), false).0;
}

/// Reads, edits and writes a config file under its lock (see [`ConfigLock`]). An unparsable
/// file is never written. A symlinked file is written through to its target and stays a
/// symlink; the mode and owner are kept (0600 for a new file).
pub fn edit<T>(
    path: &Path,
    apply: impl FnMut(&mut ConfigDocument) -> Result<T>,
) -> Result<(T, SaveOutcome)> {
    ConfigLock::acquire(path)?.edit(apply)
}
