//! `mg-codex model [ID]`: print the configured model, or switch it.
//!
//! Switching changes the root `model` of the selected config and nothing else (one line, or one
//! line added when there was none), through the locked edit. It is refused, before any request,
//! when the config does not send requests to ModelGates (another `model_provider`, or no
//! `[model_providers.modelgates]`): a ModelGates id there would break Codex. The id is checked
//! against the catalogue first (unless `--no-verify`), with "did you mean" for an unknown one,
//! and warnings for a model without tool calls or without reasoning while an effort is set.
//!
//! With `--profile NAME` the profile file is edited; what it does not set itself (the provider,
//! the effort) is read from `config.toml`, as Codex layers the two.
//!
//! When `init`'s record (`<config>.mg-codex.state`) exists, its copy of what `init` wrote gets
//! the same switch, so `uninstall` still counts the model as mg-codex's own.
//!
//! When the config names mg-codex's model catalogue (`model_catalog_json`), the catalogue is
//! rewritten for the new model too, from the live catalogue (`commands::catalog`; with
//! `--no-verify` no request is sent and the file stays as it is). A config without it is left
//! without it (`mg-codex models --sync` adds it).

use std::process::ExitCode;

use anyhow::Result;

use super::catalog::Unfetched;
use super::selected::{Gateway, Layers};
use super::Invocation;
use crate::api::{ApiError, Lookup};
use crate::cli::{GlobalArgs, ModelArgs};
use crate::codex_config::ConfigDocument;
use crate::config_file::ConfigLock;
use crate::env::Env;
use crate::model_id;
use crate::problem::{problem, Fix};
use crate::ui::{Printer, Style};

pub fn run(
    global: &GlobalArgs,
    args: &ModelArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    let layers = Layers::load(global, env)?;
    let hints = Invocation::new(global);
    match (&args.id, &args.reasoning_effort) {
        // On a terminal: the searchable list of `init`; piped: the configured id.
        (None, None) if env.stdin_tty && env.stdout_tty && env.stderr_tty && !args.dry_run => {
            pick(args, env, &layers, &hints, printer)
        }
        (None, None) => show(&layers, &hints, printer),
        (Some(id), _) => switch(Some(id), args, true, env, &layers, &hints, printer),
        (None, Some(_)) => switch(None, args, false, env, &layers, &hints, printer),
    }
}

/// Without ID on a terminal: the model picked from the catalogue (or typed), then switched to.
fn pick(
    args: &ModelArgs,
    env: &Env,
    layers: &Layers,
    hints: &Invocation,
    printer: &Printer,
) -> Result<ExitCode> {
    let current = layers.root_str(&layers.doc, "model").map(str::to_string);
    // Not set up: say so first, with the one command that sets it up.
    if let Some(refusal) = refusal(
        layers,
        &layers.doc,
        current.as_deref().unwrap_or(crate::setup::DEFAULT_MODEL),
        hints,
    ) {
        return Err(refusal);
    }
    let gateway = Gateway::new(layers, None, args.timeout, env);
    let fetched = {
        let _s = printer.spinner("Fetching the model catalogue");
        gateway.fetch(printer, |client, rt| rt.block_on(client.models()))
    };
    let catalogue = fetched.unwrap_or_else(|e| {
        printer.warn(&format!(
            "could not fetch the model catalogue ({e}): type the id ({} lists them)",
            crate::secret::MODELS_PAGE
        ));
        Vec::new()
    });
    let default = current
        .clone()
        .unwrap_or_else(|| crate::setup::DEFAULT_MODEL.to_string());
    let p = crate::prompt::Prompter::new(printer.color_err());
    let id = super::choose_model(&p, &catalogue, &default, hints, printer)?;
    if current.as_deref() == Some(id.as_str()) {
        printer.message(&format!("`{id}` stays the model: nothing changed"));
        return Ok(ExitCode::SUCCESS);
    }
    // Checked in the list already (or taken as typed on purpose).
    switch(Some(&id), args, false, env, layers, hints, printer)
}

/// Why a ModelGates id cannot go into `doc` (the selected file as it is now), if it cannot.
fn refusal(
    layers: &Layers,
    doc: &ConfigDocument,
    id: &str,
    hints: &Invocation,
) -> Option<anyhow::Error> {
    let path = layers.config.display();
    if let Some(provider) = layers.other_provider(doc) {
        let init = hints.command(&format!("init --model {id}"));
        return Some(problem(
            format!("`{path}` sends requests to the provider `{provider}` (`model_provider`), not to ModelGates: the ModelGates id `{id}` would break Codex there, so nothing was changed"),
            Fix::command_with(
                init.clone(),
                format!("switch this config to ModelGates with `{init}` (it keeps your other settings; `{}` takes it back out)", hints.command("uninstall")),
            ),
        ));
    }
    let why = if !layers.exists && layers.base.is_none() {
        format!("`{path}` does not exist")
    } else if !layers.has_provider_table(doc) {
        format!("`{path}` has no `[model_providers.modelgates]` table")
    } else if layers.root_str(doc, "model_provider").is_none() {
        format!("`{path}` does not set `model_provider`, so Codex uses OpenAI")
    } else {
        return None;
    };
    let init = hints.command(&format!("init --model {id}"));
    Some(problem(
        format!("{why}: Codex is not set up for ModelGates there, so nothing was changed"),
        Fix::command_with(init.clone(), format!("set it up with this model: `{init}`")),
    ))
}

/// Without ID: the configured model on stdout.
fn show(layers: &Layers, hints: &Invocation, printer: &Printer) -> Result<ExitCode> {
    let path = layers.config.display();
    let Some(model) = layers.root_str(&layers.doc, "model") else {
        let why = if layers.exists {
            format!("no model is set in `{path}`")
        } else {
            format!("`{path}` does not exist, so no model is set")
        };
        let init = hints.command("init");
        let fix = if layers.has_provider_table(&layers.doc) {
            Fix::command_with(
                hints.command(&format!("model {}", crate::setup::DEFAULT_MODEL)),
                format!(
                    "pick one with `{}` (`{}` lists them)",
                    hints.command("model <id>"),
                    hints.command("models")
                ),
            )
        } else {
            Fix::command_with(init.clone(), format!("set it up with `{init}`"))
        };
        return Err(problem(why, fix));
    };
    printer.data(model);
    if let Some(provider) = layers.other_provider(&layers.doc) {
        printer.warn(&format!(
            "`{path}` sends requests to the provider `{provider}`, not to ModelGates; `{}` switches it",
            hints.command("init")
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Switches to `id` (when given) and sets or drops the reasoning effort (when asked).
/// `check`: verify the id against the catalogue (unless `--no-verify`).
fn switch(
    id: Option<&str>,
    args: &ModelArgs,
    check: bool,
    env: &Env,
    layers: &Layers,
    hints: &Invocation,
    printer: &Printer,
) -> Result<ExitCode> {
    let Some(id) = id else {
        return set_effort(args, layers, hints, printer);
    };
    let path = layers.config.display().to_string();
    if let Some(refusal) = refusal(layers, &layers.doc, id, hints) {
        return Err(refusal);
    }
    let gateway = Gateway::new(layers, None, args.timeout, env);
    if check && !args.no_verify {
        verify(id, &gateway, layers, hints, printer)?;
    } else if !model_id::is_well_formed(id) {
        return Err(problem(
            format!("`{id}` is not a ModelGates model id (`author/slug`, e.g. `openai/gpt-5.3-codex`), so nothing was changed"),
            Fix::command_with(
                hints.command("models"),
                format!("`{}` lists the models", hints.command("models")),
            ),
        ));
    }

    let already = format!("`{id}` is already the model in `{path}`: nothing changed");
    let catalog_plan = plan_catalog(id, args, env, layers, &gateway, hints, printer);
    if args.dry_run {
        let before = layers.doc.original_text();
        let mut planned = layers.doc.clone();
        planned.set_root_str("model", id)?;
        apply_effort(&mut planned, args.reasoning_effort.as_deref())?;
        let after = planned.render();
        let diff = super::config_diff(&layers.config, &before, &after, |text| {
            match gateway.key() {
                Some(key) => crate::secret::scrub(text, key.expose()),
                None => text.to_string(),
            }
        });
        super::print_dry_run(&diff, &already, printer);
        if let Some(line) = catalog_plan.as_ref().and_then(|p| p.dry_run_line()) {
            printer.message(&line);
        }
        return Ok(ExitCode::SUCCESS);
    }

    // The file may have changed since it was read: the same checks on what is locked.
    // With `init`'s record (when there is one): it learns the switch in the same lock, so
    // `uninstall` still counts the model as mg-codex's.
    let lock = ConfigLock::acquire(&layers.config)?;
    if let Some(plan) = &catalog_plan {
        plan.write()?;
    }
    let (previous, outcome) = lock.edit_with_record(|doc, _, _| {
        if let Some(refusal) = refusal(layers, doc, id, hints) {
            return Err(refusal);
        }
        let previous = doc.root_str("model").map(str::to_string);
        doc.set_root_str("model", id)?;
        apply_effort(doc, args.reasoning_effort.as_deref())?;
        Ok(previous)
    })?;
    drop(lock);
    if let Some(plan) = &catalog_plan {
        plan.report(printer);
    }
    if !outcome.changed {
        printer.message(&already);
        return Ok(ExitCode::SUCCESS);
    }
    let from = previous
        .map(|p| format!(" (was `{p}`)"))
        .unwrap_or_default();
    printer.message(&format!(
        "{} the model to `{id}`{from}",
        printer.err_style(Style::Ok, "Switched")
    ));
    let verb = if outcome.created {
        "Created"
    } else {
        "Updated"
    };
    super::report_file(printer, verb, &layers.config, outcome.backup.as_deref());
    Ok(ExitCode::SUCCESS)
}

/// Sets `model_reasoning_effort` to `effort`, or removes it for `default`.
fn apply_effort(doc: &mut ConfigDocument, effort: Option<&str>) -> Result<()> {
    match effort {
        None => {}
        Some("default") => {
            doc.remove_root("model_reasoning_effort");
        }
        Some(level) => doc.set_root_str("model_reasoning_effort", level)?,
    }
    Ok(())
}

/// `model --reasoning-effort LEVEL|default` without an id: that one line.
fn set_effort(
    args: &ModelArgs,
    layers: &Layers,
    hints: &Invocation,
    printer: &Printer,
) -> Result<ExitCode> {
    let effort = args.reasoning_effort.as_deref().unwrap_or("default");
    let path = layers.config.display().to_string();
    let model = layers
        .root_str(&layers.doc, "model")
        .unwrap_or(crate::setup::DEFAULT_MODEL)
        .to_string();
    if let Some(refusal) = refusal(layers, &layers.doc, &model, hints) {
        return Err(refusal);
    }
    let what = match effort {
        "default" => "no `model_reasoning_effort`".to_string(),
        level => format!("`model_reasoning_effort = \"{level}\"`"),
    };
    let already = format!("`{path}` has {what} already: nothing changed");
    let was = layers
        .root_str(&layers.doc, "model_reasoning_effort")
        .map(str::to_string);
    if args.dry_run {
        let before = layers.doc.original_text();
        let mut planned = layers.doc.clone();
        apply_effort(&mut planned, Some(effort))?;
        let diff = super::config_diff(&layers.config, &before, &planned.render(), |t| {
            t.to_string()
        });
        super::print_dry_run(&diff, &already, printer);
        return Ok(ExitCode::SUCCESS);
    }
    let lock = ConfigLock::acquire(&layers.config)?;
    let ((), outcome) = lock.edit_with_record(|doc, _, _| apply_effort(doc, Some(effort)))?;
    drop(lock);
    if !outcome.changed {
        printer.message(&already);
        return Ok(ExitCode::SUCCESS);
    }
    let done = match effort {
        "default" => format!(
            "{} `model_reasoning_effort`{}: Codex uses the model's own default",
            printer.err_style(Style::Ok, "Removed"),
            was.map(|w| format!(" (was `{w}`)")).unwrap_or_default()
        ),
        _ => format!("{} {what}", printer.err_style(Style::Ok, "Set")),
    };
    printer.message(&done);
    super::report_file(
        printer,
        "Updated",
        &layers.config,
        outcome.backup.as_deref(),
    );
    Ok(ExitCode::SUCCESS)
}

/// The catalogue for the new model, when the config names mg-codex's (`None`: it does not).
fn plan_catalog(
    id: &str,
    args: &ModelArgs,
    env: &Env,
    layers: &Layers,
    gateway: &Gateway,
    hints: &Invocation,
    printer: &Printer,
) -> Option<super::catalog::Plan> {
    let path = layers.our_catalog(&layers.doc)?;
    let fetched = if args.no_verify {
        Err(Unfetched::NotAsked)
    } else {
        let _s = printer.spinner("Fetching the model catalogue");
        gateway
            .fetch(printer, |client, rt| rt.block_on(client.models()))
            .map_err(|e| Unfetched::Failed(e.to_string()))
    };
    let codex = super::catalog::installed_codex(env);
    let _s = printer.spinner("Building the model catalogue for Codex");
    Some(super::catalog::plan(&super::catalog::Request {
        path: &path,
        models: fetched.as_deref().map_err(Clone::clone),
        configured: Some(id),
        effort: layers.root_str(&layers.doc, "model_reasoning_effort"),
        // As the catalogue there was written.
        all_models: super::selected::carries_all_models(&path),
        base_url: &gateway.base_url,
        codex: codex.as_deref(),
        refresh: false,
        sync_command: hints.command("models --sync"),
    }))
}

/// Checks `id` against the catalogue: warnings for a model Codex cannot use fully, an error
/// with "did you mean" for one that does not exist.
fn verify(
    id: &str,
    gateway: &Gateway,
    layers: &Layers,
    hints: &Invocation,
    printer: &Printer,
) -> Result<()> {
    let spinner = printer.spinner(&format!("Checking `{id}` against the catalogue"));
    let found = if model_id::is_well_formed(id) {
        gateway.fetch(printer, |client, rt| rt.block_on(client.lookup(id)))
    } else {
        // `gpt-5.3-codex` for `openai/gpt-5.3-codex`: no request for it, only suggestions.
        gateway
            .fetch(printer, |client, rt| rt.block_on(client.models()))
            .map(|catalogue| Lookup::Missing {
                message: String::new(),
                catalogue,
            })
    };
    drop(spinner);
    let catalogue = match found.map_err(|e| check_error(gateway, id, &e))? {
        Lookup::Found(model) => {
            let effort = layers.root_str(&layers.doc, "model_reasoning_effort");
            super::warn_model(&model, effort, hints, printer);
            return Ok(());
        }
        Lookup::Missing { catalogue, .. } => catalogue,
    };
    let what = if model_id::is_well_formed(id) {
        format!(
            "`{id}` is not in the ModelGates catalogue at `{}`",
            gateway.base_url
        )
    } else {
        format!("`{id}` is not a ModelGates model id (`author/slug`)")
    };
    let suggestions = model_id::suggest(id, &catalogue);
    let Some(best) = suggestions.first() else {
        return Err(problem(
            format!("{what}, so nothing was changed"),
            Fix::command_with(
                hints.command("models"),
                format!(
                    "`{}` lists the models; `{}` searches them",
                    hints.command("models"),
                    hints.command("models <part of the name>")
                ),
            ),
        ));
    };
    Err(problem(
        format!(
            "{what}, so nothing was changed; did you mean {}?",
            model_id::quoted_ids(&suggestions)
        ),
        Fix::command(hints.command(&format!("model {best}"))),
    ))
}

/// The error for a verification that could not be done.
fn check_error(gateway: &Gateway, id: &str, e: &ApiError) -> anyhow::Error {
    let p = gateway.problem(&format!("check `{id}` against the catalogue at"), e);
    let then = p.fix.map(|f| format!("{f}; or ")).unwrap_or_default();
    problem(
        p.message,
        Fix::instruction(format!(
            "{then}pass `--no-verify` to switch without checking"
        )),
    )
}
