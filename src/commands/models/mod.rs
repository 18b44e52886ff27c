//! `mg-codex models [QUERY]`: the ModelGates catalogue (`GET /models`), filtered, sorted by id,
//! with the configured model marked. The config and gateway it reads are
//! [`super::selected`]'s (shared with `mg-codex model`); [`filter`] chooses the models and
//! [`table`] lays them out.
//!
//! Output, by where stdout goes:
//! - a terminal: a table that fits its width (`Env::stdout_width`): `*` in the left gutter marks
//!   the configured model, then ID, CONTEXT, IN $/M, OUT $/M (USD per million prompt and
//!   completion tokens), TOOLS, REASONING, and NAME when there is room. The ID is never cut
//!   (it is what users copy): when the terminal is narrow, NAME is shortened then dropped, then
//!   both prices go, then CONTEXT, REASONING and TOOLS, until the lines fit; an id wider than
//!   the terminal by itself is printed alone and whole, and the terminal wraps it;
//! - a pipe or file: one line per model, no header, no colour, nothing shortened, fields
//!   separated by tabs: id, context, in $/M, out $/M, tools, reasoning, `*` for the configured
//!   model (else empty), name. Like `gh`: the fields are the table's cells, the first is the id
//!   (`mg-codex models codex | cut -f1`);
//! - `--json`: an array of `{id, name, context_length, prompt_per_million,
//!   completion_per_million, tools, reasoning, current}` (numbers unformatted; `tools` and
//!   `reasoning` are `null` when the catalogue lists no parameters for the model).
//!
//! The count and notes go to stderr; on a terminal the count is split into a line per clause,
//! each shortened if need be, when it would not fit on one line. Text from the server is stripped of control characters
//! before it reaches a terminal.
//!
//! QUERY keeps the models whose id or name contains it (case-insensitive). When none does, it
//! is matched fuzzily, word by word: each word of QUERY must be found in the id or the name as
//! its letters in order (the skim algorithm of `fuzzy-matcher`, which `init`'s model picker
//! uses too), or be within one typo (two for words of 6+ letters) of a word of the id or name
//! (Damerau-Levenshtein from `strsim`), so `gpt53codex`, `sonet` and `cluade` all find theirs.

mod filter;
mod table;
#[cfg(test)]
mod tests;

use std::process::ExitCode;

use anyhow::Result;

use super::Invocation;
use crate::api::{self, Model};
use crate::catalog;
use crate::cli::{GlobalArgs, ModelsArgs};
use crate::config_file::ConfigLock;
use crate::env::Env;
use crate::problem::{problem, Fix};
use crate::ui::Printer;

use super::selected::{Gateway, Layers};
use filter::{filter, Matched};
use table::{table, truncate, width_of, JsonModel, Row};

pub fn run(
    global: &GlobalArgs,
    args: &ModelsArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    if args.sync {
        return sync(global, args, env, printer);
    }
    // The config only decides the mark, the base URL and the key's variable: a broken one is a
    // warning here, not a failure.
    let layers = Layers::load(global, env).unwrap_or_else(|e| {
        let text = format!("{e:#}");
        let asked = match &args.base_url {
            Some(_) => String::new(),
            None => format!(" and the default `{}` is asked", api::DEFAULT_BASE_URL),
        };
        printer.warn(&format!(
            "{}\n  listing the catalogue without it: no model is marked{asked}",
            text.lines().next().unwrap_or_default()
        ));
        Layers::empty(global)
    });
    let gateway = Gateway::new(&layers, args.base_url.as_deref(), args.timeout, env);
    let current = layers.configured_model(&layers.doc).map(str::to_string);
    if let Some(provider) = layers.other_provider(&layers.doc) {
        printer.message(&format!(
            "`{}` uses the provider `{provider}`, not ModelGates: no model is marked",
            layers.config.display()
        ));
    }

    let query: &[(&str, &str)] = if args.tools_only {
        &[("supported_parameters", "tools")]
    } else {
        &[]
    };
    let spinner = printer.spinner("Fetching the model catalogue");
    let fetched = gateway.fetch(printer, |client, rt| rt.block_on(client.models_with(query)));
    drop(spinner);
    let mut catalogue = fetched.map_err(|e| gateway.error("fetch the model catalogue from", &e))?;
    catalogue.sort_by(|a, b| a.id.cmp(&b.id));

    let pool: Vec<&Model> = catalogue
        .iter()
        .filter(|m| !args.tools_only || m.supports("tools"))
        .collect();
    let query_text = args
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    let (shown, how) = filter(&pool, query_text);
    let is_current = |m: &Model| current.as_deref() == Some(m.id.as_str());

    if args.json {
        let entries: Vec<JsonModel> = shown
            .iter()
            .map(|m| JsonModel::new(m, is_current(m)))
            .collect();
        printer.data(&serde_json::to_string_pretty(&entries)?);
    } else if !shown.is_empty() {
        let rows: Vec<Row> = shown.iter().map(|m| Row::new(m, is_current(m))).collect();
        let lines = match env.stdout_width() {
            Some(width) => table(&rows, width, &|style, text| printer.out_style(style, text)),
            None => rows.iter().map(Row::tab_separated).collect(),
        };
        printer.data(&lines.join("\n"));
    }

    let marked = !args.json && shown.iter().any(|m| is_current(m));
    let clauses = summary(
        shown.len(),
        how,
        query_text,
        args.tools_only,
        marked,
        &gateway.base_url,
    );
    for line in summary_lines(&clauses, env.stderr_width()) {
        printer.message(&line);
    }
    if let Some(model) = &current {
        // With `--tools-only` the server may have left it out for want of tools.
        if !args.tools_only && !catalogue.iter().any(|m| &m.id == model) {
            printer.warn(&format!(
                "the configured model `{model}` (in `{}`) is not in the ModelGates catalogue: Codex's requests will fail\n  pick one and switch with `{}`",
                layers.config.display(),
                layers.me.command("model <id>")
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One clause of the summary: how it is joined to the one before (on one line), and its text
/// in full and shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    joiner: &'static str,
    full: String,
    short: String,
}

impl Clause {
    fn new(joiner: &'static str, full: String, short: Option<String>) -> Self {
        let short = short.unwrap_or_else(|| full.clone());
        Self {
            joiner,
            full,
            short,
        }
    }
}

/// The summary on stderr after the list: how many, chosen how; or, for none, what to try.
fn summary(
    shown: usize,
    how: Matched,
    query: Option<&str>,
    tools_only: bool,
    marked: bool,
    base_url: &str,
) -> Vec<Clause> {
    let with_tools = if tools_only { " with tools" } else { "" };
    let (count, verb) = match shown {
        0 => {
            return match query {
                Some(q) => vec![
                    Clause::new(
                        "",
                        format!("No model{with_tools} matches `{q}`, not even fuzzily"),
                        Some(format!("No model{with_tools} matches `{q}`")),
                    ),
                    Clause::new(
                        ": ",
                        format!(
                            "run `mg-codex models{}` to see them all",
                            if tools_only { " --tools-only" } else { "" }
                        ),
                        None,
                    ),
                ],
                None => vec![Clause::new(
                    "",
                    format!("The catalogue at `{base_url}` lists no model{with_tools}"),
                    Some(format!("The catalogue lists no model{with_tools}")),
                )],
            }
        }
        1 => ("1 model".to_string(), "matches"),
        n => (format!("{n} models"), "match"),
    };
    let mut clauses = vec![match (how, query) {
        (Matched::Fuzzily, Some(q)) => Clause::new(
            "",
            format!("{count}{with_tools} {verb} `{q}` fuzzily (no id or name contains it)"),
            Some(format!("{count}{with_tools} {verb} `{q}` fuzzily")),
        ),
        (_, Some(q)) => Clause::new("", format!("{count}{with_tools} {verb} `{q}`"), None),
        (_, None) => Clause::new(
            "",
            format!("{count}{with_tools} in the catalogue at `{base_url}`"),
            Some(format!("{count}{with_tools} in the catalogue")),
        ),
    }];
    if marked {
        clauses.push(Clause::new(
            "; ",
            "`*` marks the configured one".into(),
            None,
        ));
    }
    clauses
}

/// The summary's lines: one line when it fits `width` (or there is no terminal); else a line
/// per clause, each shortened when it does not fit, and cut as a last resort (a long query),
/// so that none wraps.
fn summary_lines(clauses: &[Clause], width: Option<usize>) -> Vec<String> {
    let one_line: String = clauses
        .iter()
        .map(|c| format!("{}{}", c.joiner, c.full))
        .collect();
    match width {
        Some(width) if width_of(&one_line) > width => clauses
            .iter()
            .map(|c| {
                if width_of(&c.full) <= width {
                    c.full.clone()
                } else {
                    truncate(&c.short, width)
                }
            })
            .collect(),
        _ => vec![one_line],
    }
}

// ----- `--sync` -------------------------------------------------------------------------------

/// `mg-codex models --sync`: the catalogue file rewritten from the live catalogue (checked by
/// the installed Codex first), and `model_catalog_json` pointed at it. A catalogue that cannot
/// be fetched or checked is an error, and nothing changes.
fn sync(global: &GlobalArgs, args: &ModelsArgs, env: &Env, printer: &Printer) -> Result<ExitCode> {
    let hints = Invocation::new(global);
    let layers = Layers::load(global, env)?;
    let path_shown = layers.config.display().to_string();
    let init = hints.command("init");
    if let Some(provider) = layers.other_provider(&layers.doc) {
        return Err(problem(
            format!("`{path_shown}` sends requests to the provider `{provider}`, not to ModelGates: a catalogue of ModelGates' models would not help there, so nothing was changed"),
            Fix::command_with(init.clone(), format!("switch this config to ModelGates with `{init}`")),
        ));
    }
    if !layers.has_provider_table(&layers.doc) {
        return Err(problem(
            format!("`{path_shown}` is not set up for ModelGates (no `[model_providers.modelgates]`), so nothing was changed"),
            Fix::command_with(init.clone(), format!("set it up with `{init}`; it writes the catalogue too")),
        ));
    }
    let path = catalog::path_in(&layers.home, layers.profile.as_deref());
    if let Some(theirs) = layers.foreign_catalog(&layers.doc) {
        return Err(problem(
            format!("`{path_shown}` names a model catalogue of yours (`{}` = `{theirs}`); mg-codex does not replace it, so nothing was changed", catalog::CONFIG_KEY),
            Fix::edit(&layers.config, None, format!("remove the `{}` line from `{path_shown}`, then run `{}` again", catalog::CONFIG_KEY, hints.command("models --sync"))),
        ));
    }
    let gateway = Gateway::new(&layers, args.base_url.as_deref(), args.timeout, env);
    let fetched = {
        let _s = printer.spinner("Fetching the model catalogue");
        gateway.fetch(printer, |client, rt| rt.block_on(client.models()))
    };
    let models = fetched.map_err(|e| gateway.error("fetch the model catalogue from", &e))?;
    let codex = super::catalog::installed_codex(env);
    let plan = {
        let _s = printer.spinner("Building the model catalogue for Codex");
        super::catalog::plan(&super::catalog::Request {
            path: &path,
            models: Ok(&models),
            configured: layers.configured_model(&layers.doc),
            effort: layers.root_str(&layers.doc, "model_reasoning_effort"),
            all_models: args.all_models,
            base_url: &gateway.base_url,
            codex: codex.as_deref(),
            refresh: true,
            sync_command: hints.command("models --sync"),
        })
    };
    if let super::catalog::Outcome::Keep { why, .. } = &plan.outcome {
        return Err(problem(
            why.lines().next().unwrap_or_default().to_string(),
            Fix::command_with(
                hints.command("doctor"),
                format!("`{}` checks the whole set-up", hints.command("doctor")),
            ),
        ));
    }
    let lock = ConfigLock::acquire(&layers.config)?;
    plan.write()?;
    let value = plan.config_value();
    let (_, outcome) = lock.edit_with_record(|doc, state, _| {
        if let Some(state) = state {
            state.remember(catalog::CONFIG_KEY, doc);
            state.catalog_file = Some(value.clone());
        }
        doc.set_root_str(catalog::CONFIG_KEY, &value)?;
        Ok(())
    })?;
    drop(lock);
    plan.report(printer);
    if outcome.changed {
        let verb = if outcome.created {
            "Created"
        } else {
            "Updated"
        };
        super::report_file(printer, verb, &layers.config, outcome.backup.as_deref());
        printer.message(&format!("  `{}` names the catalogue", catalog::CONFIG_KEY));
    }
    Ok(ExitCode::SUCCESS)
}
