//! Planning: what installing, rotating or removing would do to every file, computed from the
//! files as they are now, without writing anything. A [`Plan`] holds each file's current and new
//! content (for a dry run's diff), the action, and the warnings; [`super::apply`] carries it out.
//!
//! Reads files and follows symlinks; never writes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::block;
use super::environment::ShellEnv;
use super::model::{
    Action, Activation, DirAction, FileChange, InstallOptions, Operation, Plan, Refusal, Role,
    ShellSelection, SkipReason, UserDefinition, Warning, CREATED_LIST, DIR_MODE, ENV_FILE_MODE,
};
use super::shells::{self, Precedence, Profile, Shell, Syntax, VAR};
use crate::fsutil;
use crate::secret::ApiKey;

/// Plans an install: the block in each selected shell's profiles, and the env files those
/// blocks source (the sh one for bash, zsh and sh, `env.fish` for fish; with `store`, the sh
/// one as the key's store in any case; an env file already there is kept current, so no copy
/// of an old key stays). With `key_in_profile` the blocks hold the key and no env file is
/// written (but the store). Running it twice plans nothing the second time; with a new key
/// only the files holding the key change.
pub fn plan_install(key: &ApiKey, options: &InstallOptions, env: &ShellEnv) -> Result<Plan> {
    let mut plan = new_plan(Operation::Install, env)?;

    let mut warnings = Vec::new();
    let shells: Vec<Shell> = match &options.shells {
        ShellSelection::None => Vec::new(),
        ShellSelection::Detected => Shell::ALL.into_iter().filter(|s| env.detects(*s)).collect(),
        ShellSelection::Only(list) => list
            .iter()
            .copied()
            .filter(|s| {
                let found = env.has(*s);
                if !found {
                    warnings.push(Warning::ShellNotFound { shell: *s });
                }
                found
            })
            .collect(),
    };

    let mut syntaxes: Vec<Syntax> = Vec::new();
    for syntax in [Syntax::Posix, Syntax::Fish] {
        let sourced = !options.key_in_profile && shells.iter().any(|s| s.syntax() == syntax);
        let stored = options.store && syntax == Syntax::Posix;
        if sourced || stored || env.env_file(syntax).exists() {
            syntaxes.push(syntax);
        }
    }
    if !syntaxes.is_empty() {
        plan.files.extend(own_files(key, env, &syntaxes)?);
    }

    let key_text = options.key_in_profile.then(|| key.expose());
    let mut profiles: Vec<FileChange> = Vec::new();
    let mut scanned: Vec<(Shell, PathBuf, String)> = Vec::new();
    for shell in shells {
        if shells::missing_login_file(shell, env) {
            warnings.push(Warning::NoLoginFile { shell });
        }
        let syntax = shell.syntax();
        let body = shells::block_body(syntax, &env.env_file(syntax), &env.home, key_text)?;
        for profile in shells::resolve_profiles(shell, env) {
            if profiles.iter().any(|c| c.path == profile.path) {
                continue;
            }
            let change = plan_upsert(&profile, &body, key_text.is_some())?;
            if let Some(text) = change.after.as_ref().or(change.before.as_ref()) {
                scanned.push((shell, change.path.clone(), text.clone()));
            }
            profiles.push(change);
        }
        plan.activation.push(Activation {
            shell,
            command: shells::activation(shell, env),
        });
    }

    let created: Vec<&Path> = profiles
        .iter()
        .filter(|c| c.action == Action::Create && !c.owned)
        .map(|c| c.path.as_path())
        .collect();
    if !created.is_empty() {
        plan.files.push(created_list_change(env, &created)?);
    }

    warnings.extend(definition_warnings(&scanned, env)?);
    for change in &profiles {
        let has_block = matches!(
            change.action,
            Action::Create | Action::Update | Action::Unchanged
        );
        if options.key_in_profile && !matches!(change.action, Action::Refuse(_)) {
            warnings.push(Warning::KeyInProfile {
                file: change.path.clone(),
            });
        }
        if has_block {
            if let Some(repo) = git_work_tree(&change.target) {
                warnings.push(Warning::GitWorkTree {
                    file: change.path.clone(),
                    repo,
                    holds_key: options.key_in_profile,
                });
            }
        }
    }
    plan.files.extend(profiles);
    plan.warnings = warnings;
    Ok(plan)
}

/// Plans a key rotation: the env files there are (the sh one, the store, when there is none),
/// and the blocks that hold the key themselves (from `--key-in-profile`); no other profile is
/// touched.
pub fn plan_rotate(key: &ApiKey, env: &ShellEnv) -> Result<Plan> {
    let mut plan = new_plan(Operation::Rotate, env)?;
    let syntaxes: Vec<Syntax> = [Syntax::Posix, Syntax::Fish]
        .into_iter()
        .filter(|s| env.env_file(*s).exists())
        .collect();
    let mut in_profiles = false;
    for profile in shells::all_profile_paths(env) {
        let target = real_path(&profile.path)?;
        let Some(Ok(text)) = fsutil::read_optional(&target)?.map(String::from_utf8) else {
            continue;
        };
        let Ok(Some(body)) = block::body(&text) else {
            continue;
        };
        if !plan.activation.iter().any(|a| a.shell == profile.shell) {
            plan.activation.push(Activation {
                shell: profile.shell,
                command: shells::activation(profile.shell, env),
            });
        }
        let syntax = profile.shell.syntax();
        if shells::parse_assignment(syntax, &body.join("\n")).is_some() {
            in_profiles = true;
            let body = shells::assignment(syntax, key.expose());
            plan.files.push(plan_upsert(&profile, &body, true)?);
        }
    }
    // The env files that exist are kept current. With none, the key goes to the POSIX one (the
    // store), unless it lives only in profiles (`--key-in-profile`): it stays where it was put.
    let syntaxes = match (syntaxes.is_empty(), in_profiles) {
        (true, true) => Vec::new(),
        (true, false) => vec![Syntax::Posix],
        (false, _) => syntaxes,
    };
    let mut files = own_files(key, env, &syntaxes)?;
    files.append(&mut plan.files);
    plan.files = files;
    Ok(plan)
}

/// Plans the removal of everything install wrote: the block from every profile that has one
/// (profiles we created, and fish's file of our own, are deleted when nothing else is left),
/// the env files, and our directory. Backups stay.
pub fn plan_remove(env: &ShellEnv) -> Result<Plan> {
    let mut plan = new_plan(Operation::Remove, env)?;
    let created = read_created_list(env)?;
    for profile in shells::all_profile_paths(env) {
        if let Some(change) = plan_block_removal(&profile, &created)? {
            plan.files.push(change);
        }
    }
    // Backups of profiles that hold our block (the key with `--key-in-profile`): after
    // removal no copy of the key is left. Backups of a profile as it was before mg-codex stay.
    let stored_key = super::stored_key(env).map(|(key, _)| key);
    for profile in shells::all_profile_paths(env) {
        let backup = super::apply::backup_path(&profile.path);
        let target = fsutil::resolve_symlinks(&backup)?;
        let Ok(Some(bytes)) = fsutil::read_optional(&target) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let ours =
            text.contains(block::BEGIN) || stored_key.as_deref().is_some_and(|k| text.contains(k));
        if ours {
            let mut change = FileChange::new(backup, target, Role::Backup(profile.shell), true);
            change.action = Action::Delete;
            change.holds_key = true;
            change.before = Some(text);
            plan.files.push(change);
        }
    }
    let dir = env.dir();
    let ours = [
        (Syntax::Posix.env_file_name(), Role::EnvFile(Syntax::Posix)),
        (Syntax::Fish.env_file_name(), Role::EnvFile(Syntax::Fish)),
        (".gitignore", Role::GitIgnore),
        (CREATED_LIST, Role::CreatedList),
    ];
    for (name, role) in ours {
        let path = dir.join(name);
        if path.symlink_metadata().is_err() {
            continue;
        }
        let mut change = FileChange::new(path.clone(), path, role, true);
        change.action = Action::Delete;
        change.holds_key = matches!(role, Role::EnvFile(_));
        plan.files.push(change);
    }
    if dir.is_dir() {
        let entries = fs::read_dir(&dir)
            .with_context(|| format!("listing the directory `{}`", dir.display()))?;
        let mut others = false;
        for entry in entries {
            let entry =
                entry.with_context(|| format!("listing the directory `{}`", dir.display()))?;
            let name = entry.file_name();
            if !ours.iter().any(|(n, _)| name == *n) {
                others = true;
            }
        }
        if others {
            plan.warnings.push(Warning::DirKept { dir: dir.clone() });
        } else {
            plan.dir_action = DirAction::Remove;
        }
    }
    Ok(plan)
}

fn new_plan(operation: Operation, env: &ShellEnv) -> Result<Plan> {
    let dir = env.dir();
    let dir_action = match fs::metadata(&dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(crate::problem::problem(
                format!("`{}` exists but is not a directory", dir.display()),
                crate::problem::Fix::instruction(
                    "move it away; mg-codex keeps its env files there",
                ),
            ))
        }
        Ok(_) if operation == Operation::Remove => DirAction::Unchanged,
        Ok(_) => match fsutil::existing_mode(&dir) {
            Some(mode) if mode & 0o777 != DIR_MODE => DirAction::FixMode { from: mode },
            _ => DirAction::Unchanged,
        },
        Err(_) if operation == Operation::Remove => DirAction::Unchanged,
        Err(_) => DirAction::Create,
    };
    Ok(Plan {
        operation,
        dir,
        dir_action,
        files: Vec::new(),
        warnings: Vec::new(),
        activation: Vec::new(),
    })
}

/// The path really written: symlinks followed, its directory canonical when it exists.
fn real_path(path: &Path) -> Result<PathBuf> {
    let target = fsutil::resolve_symlinks(path)?;
    match (target.parent(), target.file_name()) {
        (Some(parent), Some(name)) => match dunce::canonicalize(parent) {
            Ok(parent) => Ok(parent.join(name)),
            Err(_) => Ok(target),
        },
        _ => Ok(target),
    }
}

fn own_file(path: PathBuf, content: String, role: Role, mode: Option<u32>) -> Result<FileChange> {
    let target = real_path(&path)?;
    let mut change = FileChange::new(path, target, role, true);
    change.holds_key = matches!(role, Role::EnvFile(_));
    let before =
        fsutil::read_optional(&change.target)?.map(|b| String::from_utf8_lossy(&b).into_owned());
    change.action = match &before {
        None => Action::Create,
        Some(text) if *text != content => Action::Update,
        Some(_) => match (mode, fsutil::existing_mode(&change.target)) {
            (Some(want), Some(have)) if have != want => Action::FixMode { from: have },
            _ => Action::Unchanged,
        },
    };
    change.before = before;
    change.after = Some(content);
    Ok(change)
}

fn own_files(key: &ApiKey, env: &ShellEnv, syntaxes: &[Syntax]) -> Result<Vec<FileChange>> {
    let mut out = vec![own_file(
        env.dir().join(".gitignore"),
        "*\n".to_string(),
        Role::GitIgnore,
        None,
    )?];
    for &syntax in syntaxes {
        out.push(own_file(
            env.env_file(syntax),
            shells::env_file_text(syntax, key.expose()),
            Role::EnvFile(syntax),
            Some(ENV_FILE_MODE),
        )?);
    }
    Ok(out)
}

/// The profiles we created, as listed in our directory.
fn read_created_list(env: &ShellEnv) -> Result<BTreeSet<PathBuf>> {
    let path = env.dir().join(CREATED_LIST);
    let text = fsutil::read_optional(&path)?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Ok(parse_created_list(&text, &env.home))
}

/// One path a line, `~/` for HOME; `#` comments.
fn parse_created_list(text: &str, home: &Path) -> BTreeSet<PathBuf> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.strip_prefix("~/") {
            Some(rest) => home.join(rest),
            None => PathBuf::from(l),
        })
        .collect()
}

fn created_list_change(env: &ShellEnv, created: &[&Path]) -> Result<FileChange> {
    let mut list = read_created_list(env)?;
    list.extend(created.iter().map(|p| p.to_path_buf()));
    let mut text = String::from(
        "# Shell profiles mg-codex created; removing its block deletes them again if nothing else is left.\n",
    );
    for path in list {
        match path.strip_prefix(&env.home) {
            Ok(rest) => text.push_str(&format!("~/{}\n", rest.to_string_lossy())),
            Err(_) => text.push_str(&format!("{}\n", path.to_string_lossy())),
        }
    }
    own_file(env.dir().join(CREATED_LIST), text, Role::CreatedList, None)
}

fn read_text(change: &mut FileChange) -> Result<bool> {
    match fsutil::read_optional(&change.target)? {
        None => Ok(true),
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(text) => {
                change.before = Some(text);
                Ok(true)
            }
            Err(_) => {
                change.action = Action::Refuse(Refusal::NotText);
                Ok(false)
            }
        },
    }
}

/// An unplanned change of a profile, with its real (symlink-resolved) path.
fn profile_change(profile: &Profile) -> Result<FileChange> {
    Ok(FileChange::new(
        profile.path.clone(),
        real_path(&profile.path)?,
        Role::Profile(profile.shell),
        profile.owned,
    ))
}

fn plan_upsert(profile: &Profile, body: &str, holds_key: bool) -> Result<FileChange> {
    let mut change = profile_change(profile)?;
    change.block = Some(block::render(body));
    change.holds_key = holds_key;
    if !read_text(&mut change)? {
        return Ok(change);
    }
    change.holds_key |= mentions_key(change.before.as_deref());
    let current = change.before.as_deref().unwrap_or("");
    change.action = match block::upsert(current, body) {
        Err(problem) => Action::Refuse(Refusal::Markers(problem)),
        Ok(None) => {
            change.after = change.before.clone();
            Action::Unchanged
        }
        Ok(Some(new)) => {
            change.after = Some(new);
            if change.before.is_none() {
                Action::Create
            } else {
                Action::Update
            }
        }
    };
    if change.action.writes() && !writable(&change.target) {
        change.action = Action::Skip(SkipReason::ReadOnly);
    }
    Ok(change)
}

fn plan_block_removal(
    profile: &Profile,
    created: &BTreeSet<PathBuf>,
) -> Result<Option<FileChange>> {
    let mut change = profile_change(profile)?;
    match fsutil::read_optional(&change.target)? {
        None => return Ok(None),
        Some(bytes) if !contains(&bytes, b"mg-codex") => return Ok(None),
        Some(_) => {}
    }
    if !read_text(&mut change)? {
        return Ok(Some(change));
    }
    let text = change.before.clone().unwrap_or_default();
    match block::remove(&text) {
        Err(problem) => change.action = Action::Refuse(Refusal::Markers(problem)),
        Ok(None) => return Ok(None),
        Ok(Some(new)) => {
            if let Ok(Some(body)) = block::body(&text) {
                change.block = Some(block::render(&body.join("\n")));
            }
            change.holds_key = mentions_key(change.before.as_deref());
            let delete = new.is_empty() && (profile.owned || created.contains(&profile.path));
            if delete {
                change.action = Action::Delete;
            } else {
                change.action = Action::Update;
                change.after = Some(new);
            }
            if !writable(&change.target) {
                change.action = Action::Skip(SkipReason::ReadOnly);
            }
        }
    }
    Ok(Some(change))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether a text may hold a key (it names the variable: ours or the user's definitions).
fn mentions_key(text: Option<&str>) -> bool {
    text.is_some_and(|t| t.contains(VAR))
}

/// Whether a file can be replaced: it and its directory (or the first existing ancestor, for a
/// file whose directories do not exist yet) are not read-only.
fn writable(target: &Path) -> bool {
    let file_ok = match fs::metadata(target) {
        Ok(meta) => !meta.permissions().readonly(),
        Err(_) => true,
    };
    let dir_ok = target
        .ancestors()
        .skip(1)
        .find_map(|dir| fs::metadata(dir).ok())
        .is_none_or(|meta| !meta.permissions().readonly());
    file_ok && dir_ok
}

/// The root of the git work tree holding `file`, if any (a `.git` entry in an ancestor).
pub(crate) fn git_work_tree(file: &Path) -> Option<PathBuf> {
    let parent = file.parent()?;
    let start = dunce::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
    start
        .ancestors()
        .find(|dir| dir.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// Warnings for the user's own definitions: in the profiles we edit (their position against
/// the block decides who wins) and in the shells' other startup files.
fn definition_warnings(
    scanned: &[(Shell, PathBuf, String)],
    env: &ShellEnv,
) -> Result<Vec<Warning>> {
    let mut out: Vec<UserDefinition> = Vec::new();
    let mut seen: BTreeSet<PathBuf> = scanned.iter().map(|(_, p, _)| p.clone()).collect();
    for (shell, path, text) in scanned {
        out.extend(profile_definitions(*shell, path, text));
    }
    let shells: BTreeSet<Shell> = scanned.iter().map(|(s, _, _)| *s).collect();
    for shell in shells {
        for (path, precedence) in shells::related_files(shell, env) {
            if seen.insert(path.clone()) {
                out.extend(related_definitions(shell, &path, precedence));
            }
        }
    }
    Ok(out.into_iter().map(Warning::UserDefinition).collect())
}

/// The user's own definitions of the key in a profile we edit (its text): a definition after
/// our block overrides it, one before it is overridden.
pub(super) fn profile_definitions(shell: Shell, path: &Path, text: &str) -> Vec<UserDefinition> {
    let has_block = matches!(block::body(text), Ok(Some(_)));
    block::definitions(text, VAR)
        .into_iter()
        .map(|d| UserDefinition {
            shell,
            file: path.to_path_buf(),
            line: d.line,
            // Without our block, nothing overrides the user's own line: it gives the key.
            precedence: if d.after_block || !has_block {
                Precedence::Overrides
            } else {
                Precedence::Overridden
            },
        })
        .collect()
}

/// The user's definitions of the key in a startup file other than the ones we edit, with the
/// precedence that file has. An unreadable file has nothing to report (it is only looked at for
/// a warning).
pub(super) fn related_definitions(
    shell: Shell,
    path: &Path,
    precedence: Precedence,
) -> Vec<UserDefinition> {
    let text = fsutil::resolve_symlinks(path)
        .and_then(|target| fsutil::read_optional(&target))
        .ok()
        .flatten()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    block::definitions(&text, VAR)
        .into_iter()
        .map(|d| UserDefinition {
            shell,
            file: path.to_path_buf(),
            line: d.line,
            precedence,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_list_ignores_comments() {
        let list = parse_created_list("# x\n~/.bashrc\n/z/.zshrc\n\n", Path::new("/h"));
        assert_eq!(
            list.into_iter().collect::<Vec<_>>(),
            vec![PathBuf::from("/h/.bashrc"), PathBuf::from("/z/.zshrc")]
        );
    }
}
