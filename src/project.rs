//! Project trust keys: which string Codex looks up in `[projects."<key>"]` for a directory, and
//! why an existing key can never match.
//!
//! Codex compares keys as exact strings against the canonical path (symlinks resolved, no
//! trailing slash) of the working directory, its project root, and the main git repository root
//! (a linked worktree maps to its main repository). Its own trust writer uses the main repository
//! root, else the directory itself; so do we. Reads only the file system (`.git` entries), never
//! runs git.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::problem::{problem, Fix};
use serde::Serialize;

/// Why a key was chosen for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// PATH is inside (or is) a git repository; the key is its root.
    GitRoot,
    /// PATH is inside a linked worktree; the key is the main repository's root.
    WorktreeOfMain { worktree: PathBuf },
    /// PATH is not inside a git repository; the key is PATH itself.
    NotGit,
    /// `--exact`: the key is PATH itself.
    Exact,
}

/// The key to write for a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustTarget {
    /// The string Codex will look up.
    pub key: String,
    /// The canonical form of the directory that was asked about.
    pub requested: PathBuf,
    pub source: KeySource,
}

impl TrustTarget {
    /// A short human explanation, e.g. "git root of `/home/me/repo/src`".
    pub fn reason(&self) -> String {
        let requested = self.requested.display();
        match &self.source {
            KeySource::GitRoot if self.requested == Path::new(&self.key) => {
                "a git repository root".to_string()
            }
            KeySource::GitRoot => format!("git root of `{requested}`"),
            KeySource::WorktreeOfMain { worktree } => format!(
                "main repository of the linked worktree `{}`, which Codex looks up",
                worktree.display()
            ),
            KeySource::NotGit => "not in a git repository: the directory itself".to_string(),
            KeySource::Exact => "--exact: the directory itself".to_string(),
        }
    }
}

/// Canonicalizes a path (symlinks resolved; on Windows without the `\\?\` prefix when possible).
pub fn canonical(path: &Path) -> Result<PathBuf> {
    dunce::canonicalize(path).with_context(|| format!("resolving `{}`", path.display()))
}

/// The key Codex looks up for `dir`. `dir` must be an existing directory.
pub fn trust_target(dir: &Path, exact: bool) -> Result<TrustTarget> {
    let meta = fs::metadata(dir);
    match meta {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(problem(
                format!("`{}` is not a directory", dir.display()),
                Fix::instruction("Codex trusts directories: pass the project's directory"),
            ))
        }
        Err(_) => {
            return Err(problem(
                format!("`{}` does not exist", dir.display()),
                Fix::instruction("check the path, or create the directory first"),
            ))
        }
    }
    let requested = canonical(dir)?;
    let (key_path, source) = if exact {
        (requested.clone(), KeySource::Exact)
    } else {
        match find_git_root(&requested) {
            Some(GitRoot::Main(root)) => (root, KeySource::GitRoot),
            Some(GitRoot::Worktree { main, worktree }) => {
                (main, KeySource::WorktreeOfMain { worktree })
            }
            None => (requested.clone(), KeySource::NotGit),
        }
    };
    let key_path = canonical(&key_path).unwrap_or(key_path);
    let Some(key) = key_path.to_str() else {
        bail!(
            "`{}` is not valid UTF-8, so it cannot be a key in config.toml",
            key_path.display()
        );
    };
    Ok(TrustTarget {
        key: key.to_string(),
        requested,
        source,
    })
}

/// The git repository that contains a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRoot {
    /// A normal repository (or a submodule): its working-tree root.
    Main(PathBuf),
    /// A linked worktree (`git worktree add`) and the main repository it belongs to.
    Worktree { main: PathBuf, worktree: PathBuf },
}

/// Walks up from `dir` (canonical) to the nearest `.git` and maps a linked worktree to its main
/// repository, as Codex's `resolve_root_git_project_for_trust` does.
pub fn find_git_root(dir: &Path) -> Option<GitRoot> {
    for ancestor in dir.ancestors() {
        let dot_git = ancestor.join(".git");
        let Ok(meta) = fs::metadata(&dot_git) else {
            continue;
        };
        if meta.is_dir() {
            return Some(GitRoot::Main(ancestor.to_path_buf()));
        }
        let text = fs::read_to_string(&dot_git).ok()?;
        let gitdir = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
        let gitdir = ancestor.join(gitdir);
        let gitdir = canonical(&gitdir).unwrap_or(gitdir);
        // A linked worktree's gitdir is `<common>/worktrees/<name>`; `commondir` says where
        // `<common>` is. The main repository's root is the common dir's parent.
        let common = match fs::read_to_string(gitdir.join("commondir")) {
            Ok(rel) => gitdir.join(rel.trim()),
            Err(_) => {
                if gitdir.parent().and_then(Path::file_name) == Some("worktrees".as_ref()) {
                    gitdir.parent()?.parent()?.to_path_buf()
                } else {
                    // A submodule or a separate git dir: the directory holding `.git` is the root.
                    return Some(GitRoot::Main(ancestor.to_path_buf()));
                }
            }
        };
        let common = canonical(&common).unwrap_or(common);
        let main = common.parent()?.to_path_buf();
        return Some(GitRoot::Worktree {
            main,
            worktree: ancestor.to_path_buf(),
        });
    }
    None
}

/// Why an existing `[projects."<key>"]` entry cannot do what its author meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryProblem {
    /// Stable identifier: `relative`, `tilde`, `trailing_slash`, `missing`, `not_directory`,
    /// `non_canonical`, `worktree`, `bad_level`.
    pub kind: &'static str,
    pub message: String,
    /// The command that fixes it, when there is one.
    pub fix: Option<String>,
}

/// What the fixes of an entry's problems need to know besides the entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryContext<'a> {
    /// HOME, to expand `~` in a fix.
    pub home: Option<&'a Path>,
    /// Every key of the file: a fix that would re-add an entry another one already provides
    /// only removes the one that never matches.
    pub keys: &'a [String],
}

impl EntryContext<'_> {
    /// The fix that takes out `remove` (an entry that never matches) and, unless the file has
    /// an entry for it already, writes `target` with the same level.
    fn replace(&self, remove: &str, target: &str, level: Option<&str>) -> String {
        let remove = format!("mg-codex trust --remove {}", shell_quote(remove));
        if self.keys.iter().any(|k| k == target) {
            return remove;
        }
        let untrusted = if level == Some("untrusted") {
            " --untrusted"
        } else {
            ""
        };
        format!(
            "{remove} && mg-codex trust --exact{untrusted} {}",
            shell_quote(target)
        )
    }
}

/// Finds the problems of one trust entry. `level` is the `trust_level` string, if any. Every
/// fix is a command that can be run as printed: it removes or rewrites exactly the entry
/// flagged (`trust --remove` removes the entry spelled as given), keeps its level, and leaves
/// every other entry alone.
pub fn entry_problems(key: &str, level: Option<&str>, ctx: &EntryContext) -> Vec<EntryProblem> {
    let mut problems = Vec::new();
    let quoted = shell_quote(key);
    let remove = format!("mg-codex trust --remove {quoted}");
    let path = Path::new(key);
    // Where the entry really points, when it names an existing directory by its canonical path.
    let canonical_dir = path.is_absolute()
        && fs::metadata(path).is_ok_and(|m| m.is_dir())
        && canonical(path).is_ok_and(|c| c.to_string_lossy() == key);
    match level {
        Some("trusted") | Some("untrusted") => {}
        other => problems.push(EntryProblem {
            kind: "bad_level",
            message: match other {
                Some(other) => format!(
                    "trust_level is `{other}`; Codex accepts only `trusted` or `untrusted` and refuses to load the file"
                ),
                None => "no string `trust_level`; Codex accepts only `trusted` or `untrusted`".into(),
            },
            fix: Some(if canonical_dir {
                format!("mg-codex trust --exact {quoted}")
            } else {
                remove.clone()
            }),
        }),
    }
    if key.starts_with('~') || key.contains("$HOME") {
        let expanded = ctx.home.and_then(|h| {
            let rest = key
                .strip_prefix("~/")
                .or_else(|| key.strip_prefix("$HOME/"))?;
            Some(h.join(rest))
        });
        let fix = match expanded.filter(|p| p.is_dir()) {
            Some(full) => ctx.replace(
                key,
                &canonical(&full).unwrap_or(full).to_string_lossy(),
                level,
            ),
            None => remove.clone(),
        };
        problems.push(EntryProblem {
            kind: "tilde",
            message: "`~` and `$HOME` are not expanded: Codex compares the literal string, so this never matches"
                .into(),
            fix: Some(fix),
        });
        return problems;
    }
    if !path.is_absolute() {
        problems.push(EntryProblem {
            kind: "relative",
            message:
                "a relative path: Codex compares absolute canonical paths, so this never matches (run `mg-codex trust` in the project to add the right entry)"
                    .into(),
            fix: Some(remove),
        });
        return problems;
    }
    let trimmed = match key.trim_end_matches(['/', '\\']) {
        "" => key,
        t => t,
    };
    if trimmed.len() < key.len() {
        let fix = if fs::metadata(trimmed).is_ok_and(|m| m.is_dir()) {
            ctx.replace(key, trimmed, level)
        } else {
            remove.clone()
        };
        problems.push(EntryProblem {
            kind: "trailing_slash",
            message: "a trailing slash: Codex's lookup key has none, so this never matches".into(),
            fix: Some(fix),
        });
    }
    match fs::metadata(path) {
        Err(_) => {
            problems.push(EntryProblem {
                kind: "missing",
                message: "the directory does not exist (moved or deleted?)".into(),
                fix: Some(remove),
            });
            return problems;
        }
        Ok(m) if !m.is_dir() => {
            problems.push(EntryProblem {
                kind: "not_directory",
                message: "not a directory".into(),
                fix: Some(remove),
            });
            return problems;
        }
        Ok(_) => {}
    }
    if let Ok(canon) = canonical(path) {
        let canon_str = canon.to_string_lossy();
        if canon_str != trimmed {
            problems.push(EntryProblem {
                kind: "non_canonical",
                message: format!(
                    "spelled through a symlink or `..`: Codex looks up `{canon_str}`, so this never matches"
                ),
                fix: Some(ctx.replace(key, &canon_str, level)),
            });
        }
        if let Some(GitRoot::Worktree { main, worktree }) = find_git_root(&canon) {
            if worktree == canon {
                problems.push(EntryProblem {
                    kind: "worktree",
                    message: format!(
                        "a linked git worktree: Codex looks up its main repository `{}` instead",
                        main.display()
                    ),
                    fix: Some(ctx.replace(key, &main.to_string_lossy(), level)),
                });
            }
        }
    }
    problems
}

/// Quotes a string for a POSIX shell command line when it needs it.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '/' | '.' | '_' | '-' | ':' | '+' | ',' | '@' | '=')
        });
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/a/b"), "/a/b");
        assert_eq!(shell_quote("/a b/it's"), "'/a b/it'\\''s'");
    }

    #[test]
    fn trailing_slash_and_tilde_are_flagged() {
        let kinds = |k: &str| -> Vec<&str> {
            entry_problems(k, Some("trusted"), &EntryContext::default())
                .iter()
                .map(|p| p.kind)
                .collect()
        };
        assert_eq!(kinds("~/src"), vec!["tilde"]);
        assert_eq!(kinds("src"), vec!["relative"]);
        assert!(kinds("/definitely/not/here/").contains(&"trailing_slash"));
        assert!(kinds("/definitely/not/here").contains(&"missing"));
        assert_eq!(
            entry_problems("/", Some("bogus"), &EntryContext::default())
                .iter()
                .map(|p| p.kind)
                .collect::<Vec<_>>(),
            vec!["bad_level"]
        );
    }
}
