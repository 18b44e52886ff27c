//! `mg-codex uninstall`: take out what `init` put in. The config goes back to its exact bytes
//! when nothing changed since mg-codex last wrote it; otherwise `init`'s changes are taken back
//! around the user's edits ([`crate::record::uninstalled`]). The model catalogue mg-codex wrote beside
//! the config goes (only a file that carries mg-codex's marker). The shell module removes its
//! blocks, env files, key-holding backups and directory. Everything is done under the config's
//! lock, with the record read there.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::catalog;
use crate::cli::{GlobalArgs, UninstallArgs};
use crate::config_file::{self, ConfigLock, NewText};
use crate::env::Env;
use crate::prompt::Prompter;
use crate::record::{self, State};
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
        let yes = super::Invocation::new(global).command("uninstall --yes");
        return Err(crate::problem::problem(
            "`mg-codex uninstall` asks for confirmation, but there is no terminal to ask on",
            crate::problem::Fix::command_with(
                yes.clone(),
                format!("run `{yes}` (or `--dry-run` to see what it would do)"),
            ),
        ));
    }
    let home = super::codex_home(global, env)?;
    let config = home.config_path(global.profile.as_deref());
    // Refuse an unparsable config before anything else (its bytes are never touched).
    config_file::load_existing(&config)?;
    let current =
        crate::fsutil::read_optional(&config)?.map(|b| String::from_utf8_lossy(&b).into_owned());
    let state = if config.symlink_metadata().is_ok() || config_file::state_path(&config).exists() {
        config_file::read_state(&config)?
    } else {
        None
    };
    let (new_config, _) = uninstalled(state.as_ref(), current.as_deref(), args.keep_trust);
    let shell_env = super::shell_env(env)?;
    let plan = shell::plan_remove(&shell_env)?;
    let config_changes = new_config != current;
    // The file `init` recorded, else where the catalogue goes; only one mg-codex wrote.
    let catalog = state
        .as_ref()
        .and_then(|s| s.catalog_file.as_deref())
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| catalog::path_in(&home.dir, global.profile.as_deref()));
    let catalog = super::selected::carries_our_marker(&catalog).then_some(catalog);

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
                match &catalog {
                    Some(_) => "The config and the shell files would stay as they are",
                    None => "Nothing would change: mg-codex is not set up here",
                },
                printer,
            );
            if let Some(file) = &catalog {
                printer.message(&format!(
                    "Would remove `{}` (the model catalogue mg-codex wrote)",
                    file.display()
                ));
            }
            return Ok(ExitCode::SUCCESS);
        }
        if !config_changes && !plan.changes_anything() && state.is_none() && catalog.is_none() {
            printer.message("Nothing to remove: mg-codex is not set up here");
            return Ok(ExitCode::SUCCESS);
        }
        printer.message(&diffs);
        if let Some(file) = &catalog {
            printer.message(&format!(
                "and `{}` (the model catalogue mg-codex wrote) is removed",
                file.display()
            ));
        }
        if !Prompter::new(printer.color_err()).confirm(
            "Remove the mg-codex set-up as shown?",
            false,
            "--yes",
        )? {
            printer.message("Nothing was changed");
            return Ok(ExitCode::from(1));
        }
    }

    // Ctrl-C from here waits until every file is written.
    let _writing = crate::fsutil::WriteGuard::new();
    // No file and no record: nothing to lock, and no directory to create.
    let mut changed = false;
    if current.is_some() || state.is_some() {
        let lock = ConfigLock::acquire(&config)?;
        let (kept, outcome) = lock.replace_with_record(|bytes, record| {
            let now = bytes.map(|b| String::from_utf8_lossy(b).into_owned());
            let (text, kept) = uninstalled(record.as_ref(), now.as_deref(), args.keep_trust);
            *record = None;
            let new = match text {
                None => NewText::Delete,
                Some(t) if Some(&t) == now.as_ref() => NewText::Keep,
                Some(t) => NewText::Write(t),
            };
            Ok((new, kept))
        })?;
        for key in kept {
            printer.warn(&format!(
                "kept `{key}`: it changed since mg-codex wrote it, so it is yours now"
            ));
        }
        if outcome.changed {
            changed = true;
            let verb = if outcome.deleted {
                "Removed"
            } else {
                "Restored"
            };
            super::report_file(printer, verb, &config, outcome.backup.as_deref());
        }
        changed |= state.is_some();
        changed |= remove_catalog(catalog.as_deref(), printer)?;
        shell::remove_stale_temps(&shell_env);
        let report = shell::apply(plan)?;
        changed |= super::report_shell(&report, "remove this from it by hand", printer);
        drop(lock);
    } else {
        changed |= remove_catalog(catalog.as_deref(), printer)?;
        let report = shell::apply(plan)?;
        changed |= super::report_shell(&report, "remove this from it by hand", printer);
    }
    if !changed {
        printer.message("Nothing to remove: mg-codex is not set up here");
    } else if args.keep_trust && state.as_ref().is_some_and(|s| !s.trusted_added.is_empty()) {
        printer.message("The trust entries `init` added were kept (`--keep-trust`)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Removes the model catalogue mg-codex wrote, if it is still there.
fn remove_catalog(file: Option<&std::path::Path>, printer: &Printer) -> Result<bool> {
    let Some(file) = file else {
        return Ok(false);
    };
    let target = crate::fsutil::resolve_symlinks(file)?;
    match std::fs::remove_file(&target) {
        Ok(()) => {
            super::report_file(printer, "Removed", file, None);
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("removing `{}`", file.display())),
    }
}

/// The config after uninstalling: from the record, or, without one, by taking out the settings
/// that are certainly mg-codex's (the ModelGates provider and `model_provider = "modelgates"`).
fn uninstalled(
    state: Option<&State>,
    current: Option<&str>,
    keep_trust: bool,
) -> (Option<String>, Vec<String>) {
    match state {
        Some(state) => record::uninstalled(state, current, keep_trust),
        None => {
            let Some(text) = current else {
                return (None, Vec::new());
            };
            let Ok(mut doc) = crate::codex_config::ConfigDocument::parse(text) else {
                return (Some(text.to_string()), Vec::new());
            };
            let fallback = State {
                provider_existed: false,
                previous: vec![
                    ("model_provider".into(), None),
                    (catalog::CONFIG_KEY.into(), None),
                ],
                ..State::default()
            };
            let kept = record::revert(&mut doc, &fallback, false);
            (Some(doc.render()), kept)
        }
    }
}
