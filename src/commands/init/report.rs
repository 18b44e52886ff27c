//! What `init` says: the files it will change (and their redacted diffs), what it changed, the
//! installed Codex's verdict on the result, and the next step.

use super::*;

/// Says why an entry named `modelgates-docs` that is not what `init` writes was left alone.
pub(super) fn warn_docs_mcp(outcome: Option<&DocsMcp>, global: &GlobalArgs, printer: &Printer) {
    let Some(DocsMcp::LeftAlone(state)) = outcome else {
        return;
    };
    let entry = format!("`[mcp_servers.{DOCS_MCP_NAME}]`");
    let text = match state {
        DocsMcpState::Disabled => format!(
            "{entry} is disabled (`enabled = false`) and mg-codex leaves it so\n  delete that line to use the ModelGates docs"
        ),
        _ => {
            // `codex mcp remove` edits only config.toml, never a profile's file.
            let (remove, init) = match &global.profile {
                Some(p) => (
                    format!("delete {entry} from `{p}.config.toml`"),
                    crate::commands::Invocation::new(global).command("init"),
                ),
                None => (
                    format!("`codex mcp remove {DOCS_MCP_NAME}`"),
                    crate::commands::Invocation::new(global).command("init"),
                ),
            };
            format!(
                "left {entry} as it is: it {}; it is not what mg-codex writes, so it is yours\n  to use the ModelGates docs instead: {remove}, then `{init} --docs-mcp`",
                state.describe()
            )
        }
    };
    printer.warn(&text);
}

/// The redacted diff of every file `init` would change.
pub(super) fn render_diffs(
    current: &Current,
    new_config: &str,
    plan: &shell::Plan,
    key: &ApiKey,
) -> String {
    // The `*_redacted` forms already mask key assignments; scrubbing catches the key anywhere
    // else (a user's config could hold it).
    crate::commands::plan_diffs(
        &current.config,
        current.text.as_deref().unwrap_or(""),
        new_config,
        plan,
        |t| crate::secret::scrub(t, key.expose()),
    )
}

/// One line per file that will change.
pub(super) fn summarize(
    current: &Current,
    config_changes: bool,
    applied: &setup::Applied,
    catalog_plan: Option<&catalog_file::Plan>,
    plan: &shell::Plan,
    printer: &Printer,
) {
    printer.message("These files will change:");
    if config_changes {
        printer.message(&format!("  {}", current.config.display()));
        for key in &applied.trusted_added {
            printer.message(&format!(
                "    trusts `{key}` for Codex ([projects.\"{key}\"])"
            ));
        }
        for (field, was) in &applied.changed_fields {
            printer.message(&format!(
                "    replaces `{field} = \"{was}\"` in [model_providers.modelgates] with `\"{}\"`",
                setup::PROVIDER_NAME
            ));
        }
        for (field, reason) in &applied.removed_fields {
            printer.message(&format!(
                "    removes `{field}` from [model_providers.modelgates]: {reason}"
            ));
        }
    }
    if let Some(c) = catalog_plan {
        printer.message(&format!(
            "  {} (the model catalogue Codex reads)",
            c.path.display()
        ));
    }
    for file in plan.files.iter().filter(|f| f.action.writes()) {
        let what = match file.role {
            Role::EnvFile(_) => " (holds the key, mode 0600)",
            _ => "",
        };
        printer.message(&format!("  {}{what}", file.path.display()));
    }
}

/// Asks the installed Codex whether it loads the result, and says why not (a cause that is not
/// ours, such as another provider's `wire_api = "chat"`).
pub(super) fn codex_verdict(
    current: &Current,
    profile: Option<&str>,
    env: &Env,
    printer: &Printer,
) {
    let Some(codex) = catalog_file::installed_codex(env) else {
        printer.message("Codex is not on PATH yet: install it with `npm install -g @openai/codex`");
        return;
    };
    let base = current.home.config_path(profile);
    let probe = {
        let _s = printer.spinner("Asking Codex whether it loads the config");
        codex_cli::probe(
            &codex,
            &current.home.dir,
            profile,
            &codex_cli::config_files(profile, &[]),
        )
    };
    if probe.loads_config.is_ok() {
        printer.message(&format!(
            "{} {} loads the new config",
            printer.err_style(Style::Ok, "✓"),
            probe.version.as_deref().unwrap_or("Codex")
        ));
    }
    if let Err(cause) = probe.loads_config {
        printer.warn(&format!(
            "Codex still cannot load `{}`: {cause}\n  mg-codex did not change that part; `mg-codex doctor` shows the fix",
            base.display()
        ));
    }
}

pub(super) fn next_steps(
    activation: &[shell::Activation],
    key_source: &KeySource,
    profile: Option<&str>,
    env: &Env,
    printer: &Printer,
) {
    // With a profile, plain `codex` still uses the default config.
    let codex = match profile {
        Some(p) => format!("codex --profile {p}"),
        None => "codex".to_string(),
    };
    if let KeySource::Command { program } = key_source {
        printer.message(&format!(
            "Next: run `{codex}`; it gets the key by running `{program} key print` (so do Codex Desktop and the IDE extensions)"
        ));
        return;
    }
    // `$SHELL` as a shell we know (`/bin/dash` is sh).
    let login = env.var("SHELL").and_then(Shell::from_executable);
    let hint = activation
        .iter()
        .find(|a| Some(a.shell) == login)
        .or(activation.first());
    match hint {
        Some(a) => printer.message(&format!(
            "Next: open a new terminal (or run `{}` in this one), then run `{codex}`",
            a.command
        )),
        None => printer.message(&format!(
            "Next: make sure MODELGATES_API_KEY is set where you run `{codex}`, then run `{codex}`"
        )),
    }
}

/// `--dry-run`: the redacted diff of every file, and nothing written.
pub(super) fn dry_run(
    current: &Current,
    planned: &Planned,
    answers: &Answers,
    global: &GlobalArgs,
    printer: &Printer,
) {
    let diffs = render_diffs(current, &planned.new_config, &planned.shells, &answers.key);
    warn_docs_mcp(planned.applied.docs_mcp.as_ref(), global, printer);
    let line = planned
        .catalog
        .as_ref()
        .and_then(catalog_file::Plan::dry_run_line);
    if diffs.is_empty() && line.is_none() {
        printer.message("Nothing would change: everything is already set up");
        return;
    }
    if !diffs.is_empty() {
        printer.data(&diffs);
    }
    if let Some(line) = line {
        printer.message(&line);
    }
    printer.message("Dry run: nothing was written");
}

/// The guided flow's last questions: the files that will change, their diff on request, and
/// whether to write them.
pub(super) fn confirm(
    current: &Current,
    planned: &Planned,
    answers: &Answers,
    printer: &Printer,
) -> Result<bool> {
    let prompter = Prompter::new(printer.color_err());
    summarize(
        current,
        planned.config_changes,
        &planned.applied,
        planned.catalog.as_ref().filter(|p| p.writes()),
        &planned.shells,
        printer,
    );
    if prompter.confirm("Show the changes as a diff?", false, "--dry-run")? {
        let diffs = render_diffs(current, &planned.new_config, &planned.shells, &answers.key);
        printer.message(&diffs);
    }
    prompter.confirm("Write these changes?", true, "--yes")
}

/// After writing: the warnings about what was replaced, every change (the files, the docs MCP
/// server, the trust entries), the installed Codex's verdict (only when something changed) and
/// the next step.
pub(super) fn written(
    current: &Current,
    written: &Written,
    answers: &Answers,
    global: &GlobalArgs,
    env: &Env,
    printer: &Printer,
) {
    let applied = &written.applied;
    for (field, reason) in &applied.removed_fields {
        printer.warn(&format!(
            "removed `{field}` from `[model_providers.modelgates]`: {reason}"
        ));
    }
    for (field, was) in &applied.changed_fields {
        printer.warn(&format!(
            "changed `{field}` of `[model_providers.modelgates]` from `{was}` to `{}` (what Codex shows for the provider)",
            setup::PROVIDER_NAME
        ));
    }
    warn_docs_mcp(applied.docs_mcp.as_ref(), global, printer);
    let mut wrote = false;
    let outcome = &written.config;
    if outcome.changed {
        wrote = true;
        let verb = if outcome.created {
            "Created"
        } else {
            "Updated"
        };
        crate::commands::report_file(printer, verb, &current.config, outcome.backup.as_deref());
        if applied.docs_mcp == Some(DocsMcp::Added) {
            printer.message(&format!(
                "  with the ModelGates docs MCP server `{DOCS_MCP_NAME}` (`codex mcp list` shows it)"
            ));
        }
        for key in &applied.trusted_added {
            printer.message(&format!("  with `{key}` trusted for Codex"));
        }
    }
    if let Some(plan) = &written.catalog {
        plan.report(printer);
        wrote |= plan.writes();
    }
    wrote |= crate::commands::report_shell(&written.shells, "add this to it by hand", printer);
    if !wrote {
        // Nothing changed: Codex's verdict on the same files is no news.
        printer.message("Everything is already set up: nothing changed");
    } else {
        codex_verdict(current, global.profile.as_deref(), env, printer);
    }
    next_steps(
        &written.shells.activation,
        &answers.settings.key_source,
        global.profile.as_deref(),
        env,
        printer,
    );
}
