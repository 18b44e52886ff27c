//! One module per subcommand: orchestration only (resolve paths, call the core, print).

pub mod catalog;
pub mod completions;
pub mod doctor;
pub mod init;
pub mod key;
pub mod model;
pub mod models;
pub(crate) mod selected;
pub mod trust;
pub mod uninstall;

use std::path::Path;

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::config_file::CodexHome;
use crate::env::Env;
pub use crate::problem::Invocation;

/// The command line's side of [`Invocation`] (the core's `problem` module knows no clap type).
impl Invocation {
    /// `mg-codex` with the global flags that select the config.
    pub fn new(global: &GlobalArgs) -> Self {
        Self::with(global.codex_home.as_deref(), global.profile.as_deref())
    }
}
use crate::shell;
use crate::ui::{Printer, Style};

/// The Codex home the global flags and the environment select.
pub fn codex_home(global: &GlobalArgs, env: &Env) -> Result<CodexHome> {
    CodexHome::resolve(
        global.codex_home.as_deref(),
        env.codex_home.as_deref(),
        env.home.as_deref(),
        &env.cwd,
    )
}

/// The process's one tokio runtime (single-threaded), which every network call runs on. Built
/// the first time a command needs the network, so `trust`, `model` without checks and the
/// other local commands never pay for it; every later call gets the same one.
pub(crate) fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the network runtime: {e}"))?;
    Ok(RUNTIME.get_or_init(|| built))
}

/// The shells' view of the environment (HOME falls back to the platform's home directory).
pub(crate) fn shell_env(env: &Env) -> Result<shell::ShellEnv> {
    shell::ShellEnv::from_vars(|name| match name {
        "HOME" => env.home.clone().map(Into::into),
        _ => env.var(name).map(Into::into),
    })
}

/// Prints one written file: ``Created `path` (previous version: `backup`)``.
pub(crate) fn report_file(printer: &Printer, verb: &str, path: &Path, backup: Option<&Path>) {
    let mut line = format!(
        "{} `{}`",
        printer.err_style(Style::Ok, verb),
        path.display()
    );
    if let Some(b) = backup {
        line.push_str(&format!(" (previous version: `{}`)", b.display()));
    }
    printer.message(&line);
}

/// Prints what applying a shell plan did, and its warnings; `by_hand` tells what to do with a
/// skipped file's block. Returns whether anything was written.
pub(crate) fn report_shell(report: &shell::Report, by_hand: &str, printer: &Printer) -> bool {
    let mut wrote = false;
    for file in &report.files {
        let verb = match &file.action {
            shell::Action::Create => "Created",
            shell::Action::Update => "Updated",
            shell::Action::FixMode { .. } => "Made private",
            shell::Action::Delete => "Removed",
            shell::Action::Unchanged => continue,
            shell::Action::Skip(reason) => {
                printer.warn(&format!("skipped `{}`: {reason}", file.path.display()));
                if let Some(block) = file.block_redacted() {
                    printer.message(&format!("  {by_hand}:\n{block}"));
                }
                continue;
            }
            shell::Action::Refuse(refusal) => {
                printer.warn(&format!("left `{}` alone: {refusal}", file.path.display()));
                continue;
            }
        };
        wrote = true;
        report_file(printer, verb, &file.path, file.backup.as_deref());
    }
    for warning in &report.warnings {
        printer.warn(&warning.to_string());
    }
    wrote
}

/// The diff of a config change and of every file a shell plan writes, with `scrub` applied to
/// each text (the shell files come already redacted), and every key-shaped token masked after
/// it: no caller can show a key, not even one it was never given. The config's texts also have
/// every secret-shaped value masked ([`config_diff`]).
pub(crate) fn plan_diffs(
    config: &Path,
    before: &str,
    after: &str,
    plan: &shell::Plan,
    scrub: impl Fn(&str) -> String,
) -> String {
    let mut out = config_diff(config, before, after, &scrub);
    let scrub = |text: &str| crate::secret::scrub_keys(&scrub(text));
    for file in plan.files.iter().filter(|f| f.action.writes()) {
        out.push_str(&crate::diff::unified(
            &file.path.display().to_string(),
            &scrub(&file.before_redacted().unwrap_or_default()),
            &scrub(&file.after_redacted().unwrap_or_default()),
        ));
    }
    out
}

/// The diff of a config change with every secret-shaped value masked on both sides (bearer
/// tokens, auth headers, `*_KEY`, `*_TOKEN`, `*SECRET*`, `*PASSWORD*`: `redact`), `scrub`
/// applied, and every key-shaped token masked: the one way a config diff is shown.
pub(crate) fn config_diff(
    config: &Path,
    before: &str,
    after: &str,
    scrub: impl Fn(&str) -> String,
) -> String {
    let shown = |text: &str| crate::secret::scrub_keys(&crate::redact::redact_toml(&scrub(text)));
    crate::diff::unified(&config.display().to_string(), &shown(before), &shown(after))
}

/// `--dry-run`: the diffs on stdout (or `nothing` when there are none); nothing is written.
pub(crate) fn print_dry_run(diffs: &str, nothing: &str, printer: &Printer) {
    if diffs.is_empty() {
        printer.message(nothing);
    } else {
        printer.data(diffs);
        printer.message("Dry run: nothing was written");
    }
}

/// The model, chosen on the terminal from the catalogue (tool-capable first) in the searchable
/// picker, or typed; an id the catalogue does not have is taken only when the user says so (a
/// new model, an alias), and a malformed one never.
pub(crate) fn choose_model(
    p: &crate::prompt::Prompter,
    catalogue: &[crate::api::Model],
    default: &str,
    me: &Invocation,
    printer: &Printer,
) -> Result<String> {
    let mut models: Vec<&crate::api::Model> = catalogue.iter().collect();
    models.sort_by_key(|m| !m.supports("tools"));
    let entries: Vec<crate::picker::Entry> = models
        .iter()
        .map(|m| crate::picker::Entry {
            id: m.id.clone(),
            note: if m.supports("tools") {
                String::new()
            } else {
                "(no tool calls)".into()
            },
        })
        .collect();
    loop {
        let chosen = p.pick("Model (type to search)", &entries, default, "--model")?;
        let chosen = chosen.trim().to_string();
        if !crate::model_id::is_well_formed(&chosen) {
            printer.warn(&format!(
                "`{chosen}` is not an `author/slug` id (the ids are on https://modelgates.ai/models)"
            ));
            continue;
        }
        if catalogue.is_empty() || catalogue.iter().any(|m| m.id == chosen) {
            if let Some(m) = catalogue.iter().find(|m| m.id == chosen) {
                // The effort is chosen after the model: tool calls only here.
                warn_model(m, None, me, printer);
            }
            return Ok(chosen);
        }
        let suggestions = crate::model_id::suggest(&chosen, catalogue);
        let hint = if suggestions.is_empty() {
            String::new()
        } else {
            format!(
                " (did you mean {}?)",
                crate::model_id::quoted_ids(&suggestions)
            )
        };
        if p.confirm(
            &format!("`{chosen}` is not in ModelGates' model list{hint}. Use it anyway?"),
            false,
            "--model",
        )? {
            return Ok(chosen);
        }
    }
}

/// Warns about what Codex needs of `model` and the catalogue says it lacks
/// ([`crate::model_id::unfit_for_codex`], the rule `model` and `doctor` apply too), with the fix.
pub(crate) fn warn_model(
    model: &crate::api::Model,
    effort: Option<&str>,
    hints: &crate::problem::Invocation,
    printer: &Printer,
) {
    for unfit in crate::model_id::unfit_for_codex(model, effort) {
        let fix = match unfit {
            crate::model_id::Unfit::NoTools => format!(
                "pick a model with tool calls (`{}` lists them)",
                hints.command("models --tools-only")
            ),
            crate::model_id::Unfit::NoReasoning => format!(
                "drop the setting with `{}`, or pick a reasoning model (`{}` shows which)",
                hints.command("model --reasoning-effort default"),
                hints.command("models")
            ),
        };
        printer.warn(&format!("{}\n  {fix}", unfit.says(&model.id)));
    }
}

/// `✓ key accepted: sk-mg-…cdef`: `masked` is [`crate::secret::ApiKey::masked`], the one mask
/// mg-codex uses (never the server's label).
pub(crate) fn say_key_accepted(masked: &str, printer: &Printer) {
    printer.message(&format!(
        "{} key accepted: {masked}",
        printer.err_style(Style::Ok, "✓")
    ));
}

/// The refusal of a management key (it cannot run models); `so`: what that meant here.
pub(crate) fn management_key(so: &str) -> anyhow::Error {
    crate::problem::problem(
        format!("this is a management key: it cannot run models{so}"),
        crate::problem::Fix::instruction(format!(
            "create an inference key on the ModelGates keys page ({})",
            crate::secret::KEYS_PAGE
        )),
    )
}
