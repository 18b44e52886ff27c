//! `codex.catalog` (the model catalogue `model_catalog_json` names: there, loadable by the
//! installed Codex, listing the configured model, current) and `codex.auth_command` (the key
//! reaches Codex by a command: what that costs without a catalogue).

use std::path::Path;
use std::time::SystemTime;

use serde::Serialize;

use super::Context;
use crate::catalog::{self as cat, CatalogInfo};
use crate::doctor::{Category, Check, Finding};
use crate::problem::Fix;
use crate::project::shell_quote;

/// The catalogue file as the command read it.
pub enum Read {
    Missing,
    Unreadable(String),
    Text(String),
}

/// What `codex.catalog` looks at.
pub struct CatalogInputs<'a> {
    /// `model_catalog_json` as written, and where.
    pub value: &'a str,
    pub place: Option<(Option<&'a Path>, Option<usize>)>,
    /// The file it names (relative values are taken in `CODEX_HOME`).
    pub path: &'a Path,
    /// Where mg-codex puts its catalogue for this config.
    pub our_path: &'a Path,
    pub read: &'a Read,
    /// The configured ModelGates model, when ModelGates is the provider.
    pub model: Option<&'a str>,
    pub now: SystemTime,
    /// Codex's error when it refuses the config for the catalogue (it names
    /// `model_catalog_json`): what it refuses that `inspect` does not know of.
    pub codex_error: Option<&'a str>,
}

#[derive(Serialize)]
struct CatalogDetails<'a> {
    model_catalog_json: &'a str,
    path: &'a Path,
    exists: bool,
    ours: bool,
    models: Option<usize>,
    has_model: Option<bool>,
    written_at: Option<String>,
    written_for_codex: Option<String>,
}

/// `codex.catalog`, and what the catalogue holds when it could be read.
pub fn catalog(ctx: &Context, inputs: &CatalogInputs) -> (Check, Option<CatalogInfo>) {
    const ID: &str = "codex.catalog";
    let shown = ctx.show(inputs.path);
    let sync = ctx.me.command("models --sync");
    let at_our_path = inputs.path == inputs.our_path;
    // A file mg-codex will not replace (not its own) goes aside first; a value that names
    // another file goes from the config, and `models --sync` writes ours.
    let replace = |why: &str| -> Fix {
        if at_our_path {
            let aside = format!("{}.not-mg-codex", inputs.path.display());
            let command = format!(
                "mv {} {} && {sync}",
                shell_quote(&inputs.path.display().to_string()),
                shell_quote(&aside)
            );
            Fix::command_with(
                command.clone(),
                format!("{why}: move it aside and write mg-codex's with `{command}`"),
            )
        } else {
            let line = inputs.place.and_then(|(_, l)| l);
            let text = format!(
                "{why}: fix `{shown}`, or delete the line `model_catalog_json = …`{} and run `{sync}`, which writes mg-codex's",
                line.map(|l| format!(" (line {l})")).unwrap_or_default()
            );
            match inputs.place {
                Some((Some(file), line)) => Fix::edit(file, line, text),
                _ => Fix::instruction(text),
            }
        }
    };
    let mut f = Vec::new();
    let mut details = CatalogDetails {
        model_catalog_json: inputs.value,
        path: inputs.path,
        exists: !matches!(inputs.read, Read::Missing),
        ours: false,
        models: None,
        has_model: None,
        written_at: None,
        written_for_codex: None,
    };
    let locate = |finding: Finding| match inputs.place {
        Some((Some(file), line)) => finding.file(file, line),
        _ => finding,
    };
    let info = match inputs.read {
        Read::Missing => {
            let fix = if at_our_path || cat::is_our_file_name(inputs.value) {
                ctx.run_with("models --sync", |c| format!("write it again with `{c}`"))
            } else {
                replace("restore it")
            };
            f.push(locate(
                Finding::fail(
                    "catalog_missing",
                    format!("`model_catalog_json` names `{shown}`, which does not exist: Codex refuses to start (\"failed to read model_catalog_json\")"),
                )
                .fix(fix),
            ));
            None
        }
        Read::Unreadable(error) => {
            f.push(locate(
                Finding::fail(
                    "catalog_invalid",
                    format!("`model_catalog_json` names `{shown}`, which cannot be read ({error}): Codex refuses to start"),
                )
                .fix(replace("make it readable")),
            ));
            None
        }
        Read::Text(text) => match cat::inspect(text) {
            Err(e) => {
                f.push(locate(
                    Finding::fail(
                        "catalog_invalid",
                        format!("`{shown}` is not a model catalogue Codex can load ({e}): Codex refuses to start"),
                    )
                    .fix(replace("it is broken")),
                ));
                None
            }
            Ok(info) => Some(info),
        },
    };
    if let Some(info) = &info {
        details.ours = info.is_ours();
        details.models = Some(info.entries.len());
        details.written_at = info.marker.as_ref().and_then(|m| m.written_at.clone());
        details.written_for_codex = info.marker.as_ref().and_then(|m| m.codex_version.clone());
        let problems = info.problems_for(ctx.version());
        if let Some(first) = problems.first() {
            let more = if problems.len() > 1 {
                format!(" (and {} more)", problems.len() - 1)
            } else {
                String::new()
            };
            let fix = if info.is_ours() {
                ctx.run_with("models --sync", |c| {
                    format!("write it again for this Codex with `{c}`")
                })
            } else {
                replace("it is not mg-codex's")
            };
            f.push(locate(
                Finding::fail(
                    "catalog_invalid",
                    format!("{} refuses `{shown}`: {first}{more}", ctx.version_text()),
                )
                .codex_version(ctx.version_text())
                .fix(fix),
            ));
        }
        if let (true, Some(error)) = (problems.is_empty(), inputs.codex_error) {
            let fix = if info.is_ours() {
                ctx.run_with("models --sync", |c| {
                    format!("write it again for this Codex with `{c}`")
                })
            } else {
                replace("Codex refuses it")
            };
            f.push(locate(
                Finding::fail(
                    "catalog_invalid",
                    format!("{} refuses `{shown}`: {error}", ctx.version_text()),
                )
                .codex_version(ctx.version_text())
                .fix(fix),
            ));
        }
        if let Some(model) = inputs.model {
            let has = info.contains(model);
            details.has_model = Some(has);
            if !has && problems.is_empty() && inputs.codex_error.is_none() {
                let fix = if info.is_ours() {
                    ctx.run_with("models --sync", |c| {
                        format!("`{c}` writes it again, the configured model first")
                    })
                } else {
                    replace(&format!("it has no entry for `{model}`"))
                };
                f.push(locate(
                    Finding::warning(
                        "catalog_lacks_model",
                        format!("`{shown}` has no entry for `{model}`: Codex falls back to generic metadata for it"),
                    )
                    .fix(fix),
                ));
            }
        }
        if info.is_ours() && problems.is_empty() && inputs.codex_error.is_none() {
            let installed = ctx.codex.map(|v| v.to_string());
            let written_for = info
                .marker
                .as_ref()
                .and_then(|m| m.codex_version.as_deref())
                .and_then(cat::CodexVersion::parse);
            let other_release = match (written_for, ctx.codex) {
                (Some(w), Some(i)) => (w != i).then(|| w.to_string()),
                _ => None,
            };
            let old = info.stale_age(inputs.now).map(|age| age.as_secs() / 86_400);
            let why = match (other_release, old, installed) {
                (Some(w), _, Some(i)) => Some(format!(
                    "it was written with Codex {w}'s own models, and Codex {i} is installed"
                )),
                (_, Some(days), _) => Some(format!(
                    "it was written {days} days ago: models ModelGates added since are missing"
                )),
                _ => None,
            };
            if let Some(why) = why {
                f.push(locate(
                    Finding::warning("catalog_stale", format!("`{shown}` is stale: {why}")).fix(
                        ctx.run_with("models --sync", |c| {
                            format!("`{c}` writes it again from ModelGates' catalogue")
                        }),
                    ),
                ));
            }
        }
    }
    let count = |info: &CatalogInfo| match info.entries.len() {
        1 => "1 model".to_string(),
        n => format!("{n} models"),
    };
    let ok = match (&info, inputs.model) {
        (Some(info), Some(m)) => format!(
            "`{shown}` lists {} for Codex, `{m}` among them",
            count(info)
        ),
        (Some(info), None) => format!("`{shown}` lists {} for Codex", count(info)),
        _ => format!("`{shown}`"),
    };
    (
        Check::new(ID, Category::Codex, ok, f).details(details),
        info,
    )
}

/// `codex.auth_command`: Codex runs a command for the key. Without a catalogue, Codex then
/// also fetches `{base_url}/models` expecting its own format, and logs "failed to decode models
/// response" at every start.
pub fn auth_command(ctx: &Context, command: &str, has_catalogue: bool) -> Check {
    const ID: &str = "codex.auth_command";
    let mut f = Vec::new();
    if !has_catalogue {
        f.push(
            Finding::warning(
                "auth_command_fetches_models",
                "the key comes from a command and no `model_catalog_json` is set: Codex fetches ModelGates' `/models` expecting its own format, and logs \"failed to decode models response: missing field `models`\" at every start",
            )
            .fix(ctx.run_with("models --sync", |c| {
                format!("`{c}` writes a model catalogue, so Codex asks for none")
            })),
        );
    }
    Check::new(
        ID,
        Category::Codex,
        format!("Codex runs `{command}` for the key, and reads its models from the catalogue"),
        f,
    )
}
