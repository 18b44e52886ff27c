//! Applying a [`Plan`]: creating our private directory, writing each file atomically through
//! its symlinks, backing up a profile's previous bytes before changing it, deleting what removal
//! removes. Returns a [`Report`]: the plan with each file's final action and backup.
//!
//! Our own files (env files, `.gitignore`, the created list) must be written: a failure is an
//! error. A profile that cannot be written is skipped with the block to paste, never an error.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::environment::ShellEnv;
use super::model::{
    Action, DirAction, FileChange, Operation, Plan, Role, SkipReason, Warning, BACKUP_SUFFIX,
    CREATED_LIST, DIR_MODE, ENV_FILE_MODE,
};
use super::shells::{self, Syntax};
use crate::fsutil;

/// What an applied plan did: the plan, with each file's final action (read in the past tense)
/// and backup.
pub type Report = Plan;

/// The backup of a profile's previous bytes: beside the profile as the user names it, e.g.
/// `~/.bashrc.mg-codex.bak` (overwritten by each later change).
pub fn backup_path(path: &Path) -> PathBuf {
    fsutil::sibling(path, BACKUP_SUFFIX)
}

/// Removes the temporary files a killed run left beside our own files and the profiles (with
/// `--key-in-profile` or in an env file, they hold the key). Call it under the config's lock,
/// which every writer of these files holds.
pub fn remove_stale_temps(env: &ShellEnv) {
    let dir = env.dir();
    for name in [
        Syntax::Posix.env_file_name(),
        Syntax::Fish.env_file_name(),
        ".gitignore",
        CREATED_LIST,
    ] {
        fsutil::remove_stale_temps(&dir.join(name));
    }
    for profile in shells::all_profile_paths(env) {
        for path in [profile.path.clone(), backup_path(&profile.path)] {
            if let Ok(target) = fsutil::resolve_symlinks(&path) {
                fsutil::remove_stale_temps(&target);
            }
        }
    }
}

/// Carries out a plan.
pub fn apply(plan: Plan) -> Result<Report> {
    // The profiles and env files of one plan are one change (a Ctrl-C waits for all of them).
    let _writing = crate::fsutil::WriteGuard::new();
    let Plan {
        operation,
        dir,
        dir_action,
        mut files,
        mut warnings,
        activation,
    } = plan;
    match dir_action {
        DirAction::Create => fsutil::create_private_dir(&dir)?,
        DirAction::FixMode { .. } => fsutil::set_mode(&dir, DIR_MODE)?,
        DirAction::Unchanged | DirAction::Remove => {}
    }
    for change in &mut files {
        if !change.action.writes() {
            continue;
        }
        if matches!(change.role, Role::Profile(_)) {
            if let Err(err) = write_profile(change, operation) {
                change.action = Action::Skip(SkipReason::WriteFailed(format!("{err:#}")));
            }
        } else {
            write_own(change)?;
        }
    }
    let mut dir_action = dir_action;
    if dir_action == DirAction::Remove {
        match fs::remove_dir(&dir) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(_) if dir.is_dir() => {
                // Someone put a file there meanwhile: keep it.
                warnings.push(Warning::DirKept { dir: dir.clone() });
                dir_action = DirAction::Unchanged;
            }
            Err(err) => {
                return Err(err).with_context(|| format!("removing `{}`", dir.display()));
            }
        }
    }
    Ok(Plan {
        operation,
        dir,
        dir_action,
        files,
        warnings,
        activation,
    })
}

fn write_own(change: &FileChange) -> Result<()> {
    let private = matches!(change.role, Role::EnvFile(_));
    match &change.action {
        Action::Create | Action::Update => {
            if private && fsutil::existing_mode(&change.target).is_some_and(|m| m != ENV_FILE_MODE)
            {
                // write_atomic keeps an existing mode: tighten it first.
                fsutil::set_mode(&change.target, ENV_FILE_MODE)?;
            }
            let bytes = change.after.as_deref().unwrap_or_default().as_bytes();
            fsutil::write_atomic(&change.target, bytes, fsutil::NEW_FILE_MODE)
        }
        Action::FixMode { .. } => fsutil::set_mode(&change.target, ENV_FILE_MODE),
        Action::Delete => remove_file(&change.target),
        _ => Ok(()),
    }
}

fn write_profile(change: &mut FileChange, operation: Operation) -> Result<()> {
    // Never overwrite an edit made since the plan was computed.
    let now = fsutil::read_optional(&change.target)?;
    if now.as_deref() != change.before.as_deref().map(str::as_bytes) {
        change.action = Action::Skip(SkipReason::ChangedMeanwhile);
        return Ok(());
    }
    // A profile that is deleted held only our block: nothing worth a backup. Removal backs
    // nothing up either: what it takes out is ours (and may be the key), and the backup of the
    // profile as it was before mg-codex, from the install, stays.
    let backs_up = operation != Operation::Remove;
    if let (Some(before), false, Action::Update, true) =
        (&change.before, change.owned, &change.action, backs_up)
    {
        let backup = backup_path(&change.path);
        let backup_target = fsutil::resolve_symlinks(&backup)?;
        fsutil::write_atomic(&backup_target, before.as_bytes(), fsutil::NEW_FILE_MODE)
            .with_context(|| format!("backing up `{}`", change.path.display()))?;
        // Private whatever an older backup's mode was: it may hold the key.
        fsutil::set_mode(&backup_target, fsutil::NEW_FILE_MODE)?;
        change.backup = Some(backup);
    }
    match &change.action {
        Action::Create | Action::Update => {
            if let Some(parent) = change.target.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("creating the directory `{}`", parent.display()))?;
            }
            let bytes = change.after.as_deref().unwrap_or_default().as_bytes();
            fsutil::write_atomic(&change.target, bytes, fsutil::NEW_FILE_MODE)
        }
        Action::Delete => remove_file(&change.target),
        _ => Ok(()),
    }
}

fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err).with_context(|| format!("deleting `{}`", path.display())),
    }
}
