//! `mg-codex trust`: set, remove or list `[projects."<key>"] trust_level` entries.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::cli::{GlobalArgs, TrustArgs};
use crate::codex_config::TrustLevel;
use crate::config_file::{self, ConfigLock, SaveOutcome};
use crate::env::Env;
use crate::project::{self, EntryProblem};
use crate::ui::{Printer, Style};

pub fn run(
    global: &GlobalArgs,
    args: &TrustArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    let home = super::codex_home(global, env)?;
    let config = home.config_path(global.profile.as_deref());
    if args.list {
        return list(&config, args.json, env, printer);
    }
    let path = match &args.path {
        Some(p) => env.cwd.join(p),
        None => env.cwd.clone(),
    };
    if args.remove {
        let typed = args.path.as_deref().unwrap_or(Path::new("."));
        return remove(&config, typed, &path, args.exact, printer);
    }
    let level = if args.untrusted {
        TrustLevel::Untrusted
    } else {
        TrustLevel::Trusted
    };
    let target = project::trust_target(&path, args.exact)?;
    home.prepare_for_write()?;
    let (previous, outcome) = ConfigLock::acquire(&config)?.edit_fast(|doc| {
        let previous = doc.trust_level(&target.key).map(str::to_string);
        doc.set_trust(&target.key, level)?;
        Ok(previous)
    })?;
    let key = format!("`{}`", target.key);
    if outcome.changed {
        let verb = match level {
            TrustLevel::Trusted => "Trusted",
            TrustLevel::Untrusted => "Marked untrusted",
        };
        let was = previous.map(|p| format!(", was {p}")).unwrap_or_default();
        printer.message(&format!(
            "{} {} ({}{was}) in `{}`",
            printer.err_style(Style::Ok, verb),
            printer.err_style(Style::Bold, &key),
            target.reason(),
            config.display()
        ));
        report_files(&outcome, printer);
    } else {
        printer.message(&format!(
            "{key} ({}) is already {} in `{}`: nothing changed",
            target.reason(),
            level.as_str(),
            config.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Removes the entry PATH names: the entry spelled exactly as PATH was typed (`~/src/app`,
/// `src/rel`, `/old/dir/`, a symlink's path, a worktree's path), else spelled as the absolute
/// path it is, else PATH's canonical path, else (without `--exact`) the key `trust` would write
/// for it. Only that one entry goes, and the message names it.
fn remove(
    config: &Path,
    typed: &Path,
    path: &Path,
    exact: bool,
    printer: &Printer,
) -> Result<ExitCode> {
    let mut candidates: Vec<String> = vec![
        typed.to_string_lossy().into_owned(),
        path.to_string_lossy().into_owned(),
    ];
    if let Ok(canon) = project::canonical(path) {
        candidates.push(canon.to_string_lossy().into_owned());
    }
    if !exact {
        if let Ok(target) = project::trust_target(path, false) {
            candidates.push(target.key);
        }
    }
    candidates.dedup();
    let shown = candidates.get(1).cloned().unwrap_or_default();
    let no_entry = || {
        printer.message(&format!(
            "No entry for `{shown}` in `{}`: nothing changed",
            config.display()
        ))
    };
    // No file, no entry: nothing to lock, and no `~/.codex` to create.
    if config.symlink_metadata().is_err() {
        no_entry();
        return Ok(ExitCode::SUCCESS);
    }
    let (removed, outcome) = ConfigLock::acquire(config)?
        .edit_fast(|doc| Ok(candidates.iter().find(|key| doc.remove_trust(key)).cloned()))?;
    match removed {
        Some(key) => {
            printer.message(&format!(
                "{} the entry for `{key}` from `{}`",
                printer.err_style(Style::Ok, "Removed"),
                config.display()
            ));
            report_files(&outcome, printer);
        }
        None => no_entry(),
    }
    Ok(ExitCode::SUCCESS)
}

fn report_files(outcome: &SaveOutcome, printer: &Printer) {
    if outcome.created {
        printer.message(&format!("Created `{}`", outcome.path.display()));
    }
    if outcome.target != outcome.path {
        printer.message(&format!(
            "Wrote through the symlink to `{}`",
            outcome.target.display()
        ));
    }
    if let Some(backup) = &outcome.backup {
        printer.message(&format!("Previous version saved as `{}`", backup.display()));
    }
    if let Some(orig) = &outcome.original_backup {
        printer.message(&format!(
            "The file as it was before this change is also kept, for good, as `{}`",
            orig.display()
        ));
    }
}

#[derive(Serialize)]
struct ListReport<'a> {
    schema_version: u32,
    config: &'a Path,
    entries: Vec<ListEntry>,
}

#[derive(Serialize)]
struct ListEntry {
    path: String,
    trust_level: Option<String>,
    problems: Vec<EntryProblem>,
}

fn list(config: &PathBuf, json: bool, env: &Env, printer: &Printer) -> Result<ExitCode> {
    let doc = config_file::load_fast(config)?;
    let found = doc.trust_entries();
    let keys: Vec<String> = found.iter().map(|e| e.key.clone()).collect();
    let ctx = project::EntryContext {
        home: env.home.as_deref(),
        keys: &keys,
    };
    let entries: Vec<ListEntry> = found
        .into_iter()
        .map(|e| ListEntry {
            problems: project::entry_problems(&e.key, e.level.as_deref(), &ctx),
            path: e.key,
            trust_level: e.level,
        })
        .collect();
    if json {
        let report = ListReport {
            schema_version: 1,
            config,
            entries,
        };
        printer.data(&serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        printer.message(&format!(
            "No project trust entries in `{}`",
            config.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    // One write for the whole listing: thousands of entries print in one go, not line by line.
    let mut lines = Vec::with_capacity(entries.len());
    let mut flagged = 0;
    for entry in &entries {
        let level = entry.trust_level.as_deref().unwrap_or("?");
        let style = if level == "trusted" {
            Style::Ok
        } else {
            Style::Warn
        };
        lines.push(format!(
            "{}  {}",
            printer.out_style(style, &format!("{level:<9}")),
            entry.path
        ));
        for problem in &entry.problems {
            lines.push(format!(
                "           {} {}",
                printer.out_style(Style::Warn, "!"),
                problem.message
            ));
            if let Some(fix) = &problem.fix {
                lines.push(format!("             fix: {fix}"));
            }
        }
        if !entry.problems.is_empty() {
            flagged += 1;
        }
    }
    printer.data(&lines.join("\n"));
    let summary = format!(
        "{} entries in `{}`, {flagged} that can never match as written",
        entries.len(),
        config.display()
    );
    printer.message(&summary);
    Ok(ExitCode::SUCCESS)
}
