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
        Ok(_) => bail!(
            "`{}` is not a directory\nhint: Codex trusts directories: pass the project's directory",
            dir.display()
        ),
        Err(_) => bail!(
            "`{}` does not exist\nhint: check the path, or create the directory first",
            dir.display()
        ),
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

/// Finds the problems of one trust entry. `level` is the `trust_level` string, if any.
pub fn entry_problems(key: &str, level: Option<&str>) -> Vec<EntryProblem> {
    let mut problems = Vec::new();
    let quoted = shell_quote(key);
    match level {
        Some("trusted") | Some("untrusted") => {}
        Some(other) => problems.push(EntryProblem {
            kind: "bad_level",
            message: format!(
                "trust_level is `{other}`; Codex accepts only `trusted` or `untrusted` and refuses to load the file"
            ),
            fix: Some(format!("mg-codex trust --exact {quoted}")),
        }),
        None => problems.push(EntryProblem {
            kind: "bad_level",
            message: "no string `trust_level`; Codex accepts only `trusted` or `untrusted`".into(),
            fix: Some(format!("mg-codex trust --exact {quoted}")),
        }),
    }
    let path = Path::new(key);
    if key.starts_with('~') || key.contains("$HOME") {
        problems.push(EntryProblem {
            kind: "tilde",
            message: "`~` and `$HOME` are not expanded: Codex compares the literal string, so this never matches"
                .into(),
            fix: Some(format!("mg-codex trust --remove {quoted} && mg-codex trust <the full path>")),
        });
        return problems;
    }
    if !path.is_absolute() {
        problems.push(EntryProblem {
            kind: "relative",
            message:
                "a relative path: Codex compares absolute canonical paths, so this never matches"
                    .into(),
            fix: Some(format!(
                "mg-codex trust --remove {quoted} && mg-codex trust <the full path>"
            )),
        });
        return problems;
    }
    let trimmed = match key.trim_end_matches(['/', '\\']) {
        "" => key,
        t => t,
    };
    if trimmed.len() < key.len() {
        problems.push(EntryProblem {
            kind: "trailing_slash",
            message: "a trailing slash: Codex's lookup key has none, so this never matches".into(),
            fix: Some(format!(
                "mg-codex trust --remove {quoted} && mg-codex trust {}",
                shell_quote(trimmed)
            )),
        });
    }
    match fs::metadata(path) {
        Err(_) => {
            problems.push(EntryProblem {
                kind: "missing",
                message: "the directory does not exist (moved or deleted?)".into(),
                fix: Some(format!("mg-codex trust --remove {quoted}")),
            });
            return problems;
        }
        Ok(m) if !m.is_dir() => {
            problems.push(EntryProblem {
                kind: "not_directory",
                message: "not a directory".into(),
                fix: Some(format!("mg-codex trust --remove {quoted}")),
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
                fix: Some(format!(
                    "mg-codex trust --remove {quoted} && mg-codex trust --exact {}",
                    shell_quote(&canon_str)
                )),
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
                    fix: Some(format!(
                        "mg-codex trust {}",
                        shell_quote(&main.to_string_lossy())
                    )),
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
            entry_problems(k, Some("trusted"))
                .iter()
                .map(|p| p.kind)
                .collect()
        };
        assert_eq!(kinds("~/src"), vec!["tilde"]);
        assert_eq!(kinds("src"), vec!["relative"]);
        assert!(kinds("/definitely/not/here/").contains(&"trailing_slash"));
        assert!(kinds("/definitely/not/here").contains(&"missing"));
        assert_eq!(
            entry_problems("/", Some("bogus"))
                .iter()
                .map(|p| p.kind)
                .collect::<Vec<_>>(),
            vec!["bad_level"]
        );
    }
}
