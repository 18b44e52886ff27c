//! `mg-codex uninstall`: take out what `init` put in. The config goes back to its exact bytes
//! when nothing changed since `init`; otherwise `setup::revert` takes out only `init`'s
//! settings. The shell module removes its blocks, env files and directory.

use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::cli::{GlobalArgs, UninstallArgs};
use crate::codex_config::ConfigDocument;
use crate::config_file;
use crate::env::Env;
use crate::prompt::Prompter;
use crate::setup::{self, State};
use crate::shell;
use crate::ui::Printer;

pub fn run(
    global: &GlobalArgs,
    args: &UninstallArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    let can_ask = env.stdin_tty && env.stderr_tty;
    if !(args.yes || args.dry_run || can_ask) {
        bail!("`mg-codex uninstall` asks for confirmation, but there is no terminal to ask on\nhint: run `mg-codex uninstall --yes` (or `--dry-run` to see what it would do)");
    }
    let home = super::codex_home(global, env)?;
    let config = home.config_path(global.profile.as_deref());
    let state_file = config_file::state_path(&config);
    let state = config_file::read_state(&config)?;
    let existing = config_file::load_existing(&config)?;
    let current = existing.as_ref().map(ConfigDocument::original_text);
    let doc = existing.unwrap_or_else(ConfigDocument::empty);

    // What the config becomes.
    let exact = state.as_ref().filter(|s| {
        s.after.is_some()
            && s.after == current
            && (s.trusted_added.is_empty() || args.trust_entries)
    });
    let fallback = State {
        provider_existed: false,
        previous: vec![("model_provider".into(), None)],
        ..State::default()
    };
    let new_config: Option<String> = match exact {
        Some(s) => s.before.clone(),
        None => {
            let mut d = doc;
            setup::revert(
                &mut d,
                state.as_ref().unwrap_or(&fallback),
                args.trust_entries,
            );
            current.as_ref().map(|_| d.render())
        }
    };
    let shell_env = super::shell_env(env)?;
    let plan = shell::plan_remove(&shell_env)?;
    let config_changes = new_config != current;

    if args.dry_run || !args.yes {
        let diffs = super::plan_diffs(
            &config,
            current.as_deref().unwrap_or(""),
            new_config.as_deref().unwrap_or(""),
            &plan,
            str::to_string,
        );
        if args.dry_run {
            super::print_dry_run(
                &diffs,
                "Nothing would change: mg-codex is not set up here",
                printer,
            );
            return Ok(ExitCode::SUCCESS);
        }
        if !config_changes && !plan.changes_anything() {
            printer.message("Nothing to remove: mg-codex is not set up here");
            return Ok(ExitCode::SUCCESS);
        }
        printer.message(&diffs);
        if !Prompter::new(printer.color_err()).confirm(
            "Remove the mg-codex set-up as shown?",
            false,
            "--yes",
        )? {
            printer.message("Nothing was changed");
            return Ok(ExitCode::from(1));
        }
    }

    let mut changed = false;
    // The exact bytes back when the file is still what `init` left; when it is not (or it
    // changed since it was read above), only `init`'s settings come out.
    let restored = match (exact, &current) {
        (Some(s), Some(now)) => {
            config_file::restore(&config, now, s.before.as_deref())?.map(|outcome| (s, outcome))
        }
        _ => None,
    };
    match restored {
        Some((s, outcome)) => {
            changed |= outcome.changed;
            let verb = if s.before.is_none() {
                "Removed"
            } else {
                "Restored"
            };
            super::report_file(printer, verb, &config, outcome.backup.as_deref());
        }
        None if current.is_some() => {
            let (kept, outcome) = config_file::edit(&config, |d| {
                Ok(setup::revert(
                    d,
                    state.as_ref().unwrap_or(&fallback),
                    args.trust_entries,
                ))
            })?;
            for key in kept {
                printer.warn(&format!("kept `{key}`: it changed since `mg-codex init`"));
            }
            if outcome.changed {
                changed = true;
                super::report_file(printer, "Restored", &config, outcome.backup.as_deref());
            }
        }
        None => {}
    }
    if state.is_some() {
        std::fs::remove_file(&state_file).ok();
    }
    let report = shell::apply(plan)?;
    changed |= super::report_shell(&report, "remove this from it by hand", printer);
    if !changed {
        printer.message("Nothing to remove: mg-codex is not set up here");
    } else if !args.trust_entries && state.as_ref().is_some_and(|s| !s.trusted_added.is_empty()) {
        printer.message("Trust entries were kept (they are your decisions); `--trust-entries` removes the ones `init` added");
    }
    Ok(ExitCode::SUCCESS)
}
