//! `projects.trust`: the current directory's trust as Codex sees it (the keys it looks up, the
//! entry that matches), entries Codex refuses or can never match, and what `codex exec` will
//! demand here. Skipped when a config does not parse: its entries are unknown then.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Context;
use crate::doctor::{Category, Check, Finding};
use crate::problem::Fix;
use crate::project::{self, shell_quote, EntryContext, GitRoot};

/// One `[projects."<key>"]` entry and where it is.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub key: String,
    pub level: Option<String>,
    pub file: &'a Path,
    pub line: Option<usize>,
    /// The profile whose file holds it (`None`: `config.toml`).
    pub profile: Option<&'a str>,
}

/// What `projects.trust` looks at.
pub struct TrustInputs<'a> {
    pub cwd: &'a Path,
    /// Every entry of every layer, highest layer first.
    pub entries: Vec<Entry<'a>>,
    /// A project's own `.codex/config.toml` found from the cwd.
    pub project_local: Option<&'a Path>,
}

#[derive(Serialize)]
struct TrustDetails {
    cwd: PathBuf,
    /// Keys Codex tries for the cwd, in order.
    candidates: Vec<String>,
    git_repository: bool,
    matched: Option<String>,
    level: Option<String>,
    entries_that_never_match: Vec<String>,
}

/// Keys Codex tries for a directory: the directory, its project root (nearest `.git`), and the
/// main repository root.
pub fn candidates(cwd: &Path) -> Vec<String> {
    let canonical = project::canonical(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let mut out = vec![canonical.to_string_lossy().into_owned()];
    if let Some(root) = canonical.ancestors().find(|a| a.join(".git").exists()) {
        out.push(root.to_string_lossy().into_owned());
    }
    match project::find_git_root(&canonical) {
        Some(GitRoot::Main(root)) | Some(GitRoot::Worktree { main: root, .. }) => {
            out.push(root.to_string_lossy().into_owned())
        }
        None => {}
    }
    out.dedup();
    out
}

/// A fix printed by `project::entry_problems` (`mg-codex trust …`), with the flags that select
/// the file the entry is in.
fn with_flags(ctx: &Context, entry: &Entry, command: &str) -> String {
    let me = ctx.me.for_profile(entry.profile);
    command.replace("mg-codex trust", &me.command("trust"))
}

/// `projects.trust`.
pub fn trust(ctx: &Context, inputs: &TrustInputs) -> Check {
    const ID: &str = "projects.trust";
    let cwd = project::canonical(inputs.cwd).unwrap_or_else(|_| inputs.cwd.to_path_buf());
    let candidates = candidates(&cwd);
    let git = project::find_git_root(&cwd).is_some();
    let matched = candidates
        .iter()
        .find_map(|c| inputs.entries.iter().find(|e| &e.key == c));
    let keys: Vec<String> = inputs.entries.iter().map(|e| e.key.clone()).collect();
    let entry_ctx = EntryContext {
        home: ctx.home,
        keys: &keys,
    };
    let mut f = Vec::new();
    let mut never = Vec::new();
    for entry in &inputs.entries {
        let problems = project::entry_problems(&entry.key, entry.level.as_deref(), &entry_ctx);
        let shown = format!("[projects.\"{}\"]", entry.key);
        let at = match entry.line {
            Some(line) => format!("`{}:{line}`", ctx.show(entry.file)),
            None => format!("`{}`", ctx.show(entry.file)),
        };
        if let Some(bad) = problems.iter().find(|p| p.kind == "bad_level") {
            let mut finding = Finding::fail(
                "trust_level_invalid",
                format!("`{shown}` at {at}: {}", bad.message),
            )
            .file(entry.file, entry.line)
            .value(entry.level.clone().unwrap_or_default());
            if let Some(fix) = &bad.fix {
                finding = finding.fix(Fix::command(with_flags(ctx, entry, fix)));
            }
            f.push(finding);
        }
        let others: Vec<_> = problems.iter().filter(|p| p.kind != "bad_level").collect();
        if let Some(last) = others.last() {
            let why: Vec<&str> = others
                .iter()
                .map(|p| {
                    let m = p.message.as_str();
                    m.strip_suffix(", so this never matches")
                        .or_else(|| m.strip_suffix(" so this never matches"))
                        .unwrap_or(m)
                })
                .collect();
            let mut finding = Finding::warning(
                "trust_entry_never_matches",
                format!("`{shown}` at {at} never matches: {}", why.join("; ")),
            )
            .file(entry.file, entry.line);
            if let Some(fix) = &last.fix {
                finding = finding.fix(Fix::command(with_flags(ctx, entry, fix)));
            }
            f.push(finding);
            never.push(entry.key.clone());
        }
    }
    let here = cwd.to_string_lossy().into_owned();
    let is_home = ctx
        .home
        .is_some_and(|h| project::canonical(h).unwrap_or_else(|_| h.to_path_buf()) == cwd);
    let is_root = cwd.parent().is_none();
    let me = ctx.me.for_profile(None);
    match matched {
        Some(e) if e.level.as_deref() == Some("trusted") && !git => {
            let (fix, broad) = if is_home {
                (
                    Fix::command_with(
                        me.command(&format!("trust --remove {}", shell_quote(&e.key))),
                        format!(
                            "trusting your whole home directory is broad: remove it with `{}` and trust each project instead",
                            me.command(&format!("trust --remove {}", shell_quote(&e.key)))
                        ),
                    ),
                    " (and it is your whole home directory)",
                )
            } else {
                let init = format!("git -C {} init", shell_quote(&here));
                (
                    Fix::command_with(
                        init.clone(),
                        format!(
                            "make it a git repository (`{init}`), or pass `--skip-git-repo-check` to `codex exec` here"
                        ),
                    ),
                    "",
                )
            };
            f.push(
                Finding::warning(
                    "trusted_not_git",
                    format!(
                        "`{here}` is trusted but is not a git repository{broad}: `codex exec` still refuses to run here without `--skip-git-repo-check`"
                    ),
                )
                .file(e.file, e.line)
                .fix(fix),
            );
        }
        Some(_) => {}
        None if is_home || is_root => {}
        None => {
            let parent = cwd.ancestors().skip(1).find_map(|a| {
                let key = a.to_string_lossy();
                inputs
                    .entries
                    .iter()
                    .find(|e| e.key == key && e.level.as_deref() == Some("trusted"))
            });
            let trust = me.command(&format!("trust {}", shell_quote(&here)));
            let ignored = inputs
                .project_local
                .map(|p| format!("; its `{}` is ignored until it is trusted", ctx.show(p)))
                .unwrap_or_default();
            let exec = if git {
                ""
            } else {
                ", and `codex exec` refuses to run here (not a git repository) without `--skip-git-repo-check`"
            };
            match parent {
                Some(p) => f.push(
                    Finding::warning(
                        "trust_parent_not_inherited",
                        format!(
                            "`{}` is trusted, but trust is not inherited: Codex asks again in `{here}`, a directory of its own{exec}{ignored}",
                            p.key
                        ),
                    )
                    .file(p.file, p.line)
                    .fix(Fix::command_with(
                        trust.clone(),
                        format!("trust this directory too with `{trust}`"),
                    )),
                ),
                None => f.push(
                    Finding::warning(
                        "not_trusted",
                        format!(
                            "`{here}` has no trust entry: Codex starts read-only here and asks{exec}{ignored}"
                        ),
                    )
                    .fix(Fix::command_with(
                        trust.clone(),
                        format!("if you trust this project: `{trust}`"),
                    )),
                ),
            }
        }
    }
    let details = TrustDetails {
        cwd: cwd.clone(),
        candidates,
        git_repository: git,
        matched: matched.map(|e| e.key.clone()),
        level: matched.and_then(|e| e.level.clone()),
        entries_that_never_match: never,
    };
    let ok = match matched {
        Some(e) => format!(
            "`{}` is {} for Codex",
            e.key,
            e.level.as_deref().unwrap_or("?")
        ),
        None if is_home => format!("`{here}` is your home directory: nothing to trust here"),
        None => format!("`{here}`: no trust entry needed"),
    };
    Check::new(ID, Category::Projects, ok, f).details(details)
}
