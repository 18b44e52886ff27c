//! `config.model`: the model and the settings Codex validates with it (id shape, effort,
//! personality, and what Codex refuses in a project's own config).

use super::*;

#[derive(Serialize)]
struct ModelDetails {
    model: Option<String>,
    model_reasoning_effort: Option<String>,
    personality: Option<String>,
    model_catalog_json: Option<PathBuf>,
    catalogue_has_model: Option<bool>,
    codex_version: Option<String>,
}

/// What `config.model` knows of the model's metadata.
pub struct ModelInputs<'a> {
    /// The slugs of the catalogue `model_catalog_json` names (`None`: none set; `Err`: it
    /// cannot be read).
    pub catalogue: Option<(&'a Path, Result<Vec<String>, String>)>,
    /// Whether that catalogue is mg-codex's (`models --sync` rewrites it).
    pub catalogue_ours: bool,
    /// The id ModelGates' catalogue suggests for a malformed one, when the API was asked.
    pub suggestion: Option<&'a str>,
}

/// `config.model`: the model and the settings Codex validates, with what the installed Codex
/// does with them.
pub fn model(ctx: &Context, layers: &Layers, inputs: &ModelInputs) -> Check {
    const ID: &str = "config.model";
    let mut f = Vec::new();
    let model = layers.root_str("model");
    let effort = layers.root_str("model_reasoning_effort");
    let personality = layers.root_str("personality");
    let place = |key: &str| layers.located(&[key]);
    let version = ctx.version();
    let provider_ok = layers.root_str("model_provider") == Some(PROVIDER_ID)
        && layers.provider_fields(PROVIDER_ID).is_some();
    let switch = |id: &str| {
        if provider_ok {
            ctx.run(&format!("model {id}"))
        } else {
            ctx.run(&format!("init --yes --model {id}"))
        }
    };
    match (layers.root("model"), model) {
        (None, _) => f.push(
            Finding::fail(
                "model_missing",
                "`model` is not set, so Codex asks ModelGates for a model of its own choosing, which is no ModelGates id",
            )
            .fix(switch(crate::setup::DEFAULT_MODEL)),
        ),
        (Some(_), None) => f.push(
            at(Finding::fail("model_not_string", "`model` is not a string: Codex refuses the file"), place("model"))
                .fix(switch(crate::setup::DEFAULT_MODEL)),
        ),
        (Some(_), Some(id)) if !crate::model_id::is_well_formed(id) => {
            let guess = inputs
                .suggestion
                .map(str::to_string)
                .or_else(|| guess_author(id));
            let message = match &guess {
                Some(g) => format!(
                    "`model = \"{id}\"` is not a ModelGates id (`author/slug`); did you mean `{g}`?"
                ),
                None => format!("`model = \"{id}\"` is not a ModelGates id (`author/slug`, e.g. `openai/gpt-5.3-codex`)"),
            };
            let fix = match &guess {
                Some(g) => switch(g),
                None => ctx.run_with(&format!("models {}", id.rsplit('/').next().unwrap_or(id)), |c| {
                    format!("`{c}` shows the full id; then `{}`", ctx.me.command("model ID"))
                }),
            };
            let mut finding = at(Finding::fail("model_id_malformed", message), place("model")).fix(fix);
            if layers.root_str("model_provider") == Some(PROVIDER_ID)
                && layers.located(&["model"]).is_some()
                && knowledge::writes_gateway_tables(version)
                && guess.as_deref().is_some_and(|g| g.starts_with("openai/"))
            {
                // Codex 0.171's "set as default provider" rewrites model_provider, not model.
                finding.message.push_str(
                    " (Codex's own \"set as default provider\" changes `model_provider` but leaves an OpenAI `model`)",
                );
            }
            f.push(finding);
        }
        _ => {}
    }
    match (layers.root("model_reasoning_effort"), effort) {
        (None, _) => {}
        (Some(_), Some(e)) if EFFORTS.contains(&e) => {}
        (Some(_), Some(e)) if knowledge::refuses_effort(version, e) => f.push(
            at(
                Finding::fail(
                    "effort_refused_by_version",
                    format!("`model_reasoning_effort = \"{e}\"` is not a level this Codex knows: it refuses the file"),
                ),
                place("model_reasoning_effort"),
            )
            .codex_version(ctx.version_text())
            .fix(ctx.run("model --reasoning-effort high")),
        ),
        (Some(_), Some(e)) => match knowledge::effort_sent(version, e, None) {
            Some(sent) => f.push(
                at(
                    Finding::warning(
                        "effort_rewritten",
                        format!("`model_reasoning_effort = \"{e}\"` goes out as `{sent}`: this Codex rewrites it for a gateway model"),
                    ),
                    place("model_reasoning_effort"),
                )
                .codex_version(ctx.version_text())
                .fix(ctx.run("model --reasoning-effort xhigh")),
            ),
            None => f.push(
                at(
                    Finding::warning(
                        "effort_unknown",
                        format!("`model_reasoning_effort = \"{e}\"` is not one of {}: Codex sends it as is, and ModelGates may refuse it", EFFORTS.join(", ")),
                    ),
                    place("model_reasoning_effort"),
                )
                .fix(ctx.run("model --reasoning-effort high")),
            ),
        },
        (Some(item), None) => f.push(
            at(
                Finding::fail(
                    "effort_unknown",
                    format!("`model_reasoning_effort = {}` is not a string: Codex refuses the file", item.to_string().trim()),
                ),
                place("model_reasoning_effort"),
            )
            .fix(ctx.run("model --reasoning-effort high")),
        ),
    }
    // What the installed Codex knows of the model.
    let catalogue_has = inputs
        .catalogue
        .as_ref()
        .map(|(_, slugs)| matches!((slugs, model), (Ok(s), Some(m)) if s.iter().any(|x| x == m)));
    if let (Some(id), true) = (model, provider_ok) {
        let known = knowledge::knows_model(version, id) || catalogue_has == Some(true);
        if !known {
            let refresh = match (&inputs.catalogue, inputs.catalogue_ours) {
                (None, _) => ctx.run_with("init --yes", |c| {
                    format!("`{c}` writes a catalogue of ModelGates' models (`model_catalog_json`) that Codex reads")
                }),
                (Some(_), true) => ctx.run_with("models --sync", |c| {
                    format!("`{c}` writes the catalogue again, `{id}` first")
                }),
                (Some((path, _)), false) => Fix::instruction(format!(
                    "the catalogue `{}` is not mg-codex's: give it an entry for `{id}`, or let mg-codex write one (codex.catalog says how)",
                    ctx.show(path)
                )),
            };
            // `model_supports_reasoning_summaries = true` makes those releases send it.
            let forced = layers
                .root("model_supports_reasoning_summaries")
                .and_then(Item::as_bool)
                == Some(true);
            if knowledge::drops_effort_without_metadata(version)
                && !forced
                && effort.is_some_and(|e| e != "none")
            {
                f.push(
                    Finding::warning(
                        "effort_not_sent",
                        format!("this Codex sends no reasoning effort at all for `{id}` (`\"reasoning\": null`): it has no metadata for the model"),
                    )
                    .codex_version(ctx.version_text())
                    .fix(refresh.clone()),
                );
            }
            if knowledge::warns_fallback_metadata(version) {
                f.push(
                    Finding::warning(
                        "fallback_metadata",
                        format!("Codex prints \"Model metadata for `{id}` not found. Defaulting to fallback metadata\" at every start and guesses the context window"),
                    )
                    .codex_version(ctx.version_text())
                    .fix(refresh),
                );
            }
        }
    }
    match (layers.root("personality"), personality) {
        (None, _) => {}
        (Some(_), Some(p)) if PERSONALITIES.contains(&p) => {}
        (Some(_), _) => f.push(
            at(
                Finding::fail(
                    "personality_invalid",
                    format!(
                        "`personality` must be one of {}: Codex refuses the file",
                        PERSONALITIES.join(", ")
                    ),
                ),
                place("personality"),
            )
            .fix(edit_at(
                place("personality"),
                format!(
                    "set `personality = \"pragmatic\"` (or delete the line) at {}",
                    where_(ctx, place("personality"))
                ),
            )),
        ),
    }
    if let Some(item) = layers.root("show_raw_agent_reasoning") {
        if item.as_bool().is_none() {
            f.push(
                at(
                    Finding::fail(
                        "raw_reasoning_not_bool",
                        "`show_raw_agent_reasoning` must be `true` or `false` (no quotes): Codex refuses the file",
                    ),
                    place("show_raw_agent_reasoning"),
                )
                .fix(edit_at(
                    place("show_raw_agent_reasoning"),
                    format!("write `show_raw_agent_reasoning = true` (or false), without quotes, at {}", where_(ctx, place("show_raw_agent_reasoning"))),
                )),
            );
        }
    }
    let details = ModelDetails {
        model: model.map(str::to_string),
        model_reasoning_effort: effort.map(str::to_string),
        personality: personality.map(str::to_string),
        model_catalog_json: inputs.catalogue.as_ref().map(|(p, _)| p.to_path_buf()),
        catalogue_has_model: catalogue_has,
        codex_version: ctx.codex.map(|v| v.to_string()),
    };
    let ok = match effort {
        Some(e) => format!("model `{}`, reasoning effort `{e}`", model.unwrap_or("?")),
        None => format!("model `{}`", model.unwrap_or("?")),
    };
    Check::new(ID, Category::Config, ok, f).details(details)
}

/// The author a bare model id most likely lacks (`gpt-5.3-codex` → `openai/gpt-5.3-codex`).
fn guess_author(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let author = if lower.starts_with("gpt")
        || lower.starts_with("o3")
        || lower.starts_with("o4")
        || lower.starts_with("codex")
    {
        "openai"
    } else if lower.starts_with("claude") {
        "anthropic"
    } else if lower.starts_with("gemini") {
        "google"
    } else {
        return None;
    };
    let candidate = format!("{author}/{id}");
    crate::model_id::is_well_formed(&candidate).then_some(candidate)
}
