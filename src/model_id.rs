//! ModelGates model ids and models: the grammar (`author/slug`, an optional `:variant`, `~`
//! aliases), the "did you mean" that names the id a user probably meant, and whether a model
//! is fit for Codex ([`unfit_for_codex`]).
//!
//! Pure. Every command that checks an id, suggests one or judges a model (`init`, `model`,
//! `models`, `doctor`) uses these functions.

use crate::api::Model;

/// Whether a model id has the gateway's shape: `author/slug`, optional `:variant`, or a `~`
/// alias.
pub fn is_well_formed(id: &str) -> bool {
    let body = id.strip_prefix('~').unwrap_or(id);
    let (base, variant) = match body.split_once(':') {
        Some((b, v)) => (b, Some(v)),
        None => (body, None),
    };
    let part_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    let Some((author, slug)) = base.split_once('/') else {
        return false;
    };
    part_ok(author) && slug.split('/').all(part_ok) && variant.is_none_or(part_ok)
}

/// `suggest`'s ids for a "did you mean" line: `` `a`, `b`, `c` ``.
pub fn quoted_ids(ids: &[String]) -> String {
    ids.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Up to three catalogue ids close to `wanted`: an id whose slug equals `wanted` (the missing
/// `author/` prefix), then ids containing it, then the nearest by edit distance.
pub fn suggest(wanted: &str, catalogue: &[Model]) -> Vec<String> {
    let wanted_lower = wanted.to_lowercase();
    let wanted_slug = wanted_lower.rsplit('/').next().unwrap_or(&wanted_lower);
    let mut scored: Vec<(u8, f64, &str)> = catalogue
        .iter()
        .map(|m| {
            let id = m.id.to_lowercase();
            let slug = id.split_once('/').map_or(id.as_str(), |(_, s)| s);
            let slug_no_variant = slug.split(':').next().unwrap_or(slug);
            let rank = if slug == wanted_slug || slug_no_variant == wanted_slug {
                0
            } else if id.contains(wanted_slug) {
                1
            } else {
                2
            };
            let similarity = strsim::jaro_winkler(&wanted_lower, &id)
                .max(strsim::jaro_winkler(wanted_slug, slug));
            (rank, similarity, m.id.as_str())
        })
        .filter(|(rank, similarity, _)| *rank < 2 || *similarity >= 0.8)
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, id)| id.to_string())
        .collect()
}

/// What Codex needs of a model that the catalogue says this one lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfit {
    /// No `tools` among its parameters: Codex cannot edit files or run commands with it.
    NoTools,
    /// No `reasoning`, while a `model_reasoning_effort` other than `none` is set.
    NoReasoning,
}

impl Unfit {
    /// The sentence for `id`, the same in every command.
    pub fn says(&self, id: &str) -> String {
        match self {
            Unfit::NoTools => format!(
                "`{id}` does not support tool calls (`tools`): Codex cannot edit files or run commands with it"
            ),
            Unfit::NoReasoning => format!(
                "`{id}` does not list `reasoning`, but `model_reasoning_effort` is set: the gateway may refuse or ignore it"
            ),
        }
    }
}

/// The one rule for whether Codex can use `model` fully with the reasoning `effort` set (`None`:
/// no `model_reasoning_effort`): tool calls, and reasoning when an effort other than `none` is
/// asked for. A catalogue entry that lists no parameters at all says nothing either way.
pub fn unfit_for_codex(model: &Model, effort: Option<&str>) -> Vec<Unfit> {
    let mut out = Vec::new();
    if model.supports_known("tools") == Some(false) {
        out.push(Unfit::NoTools);
    }
    if effort.is_some_and(|e| e != "none") && model.supports_known("reasoning") == Some(false) {
        out.push(Unfit::NoReasoning);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str) -> Model {
        Model {
            id: id.into(),
            ..Model::default()
        }
    }

    #[test]
    fn suggests_the_missing_author_prefix_first() {
        let catalogue = [
            model("openai/gpt-5.2-codex"),
            model("openai/gpt-5.3-codex"),
            model("anthropic/claude-sonnet-4.5"),
        ];
        let s = suggest("gpt-5.3-codex", &catalogue);
        assert_eq!(s[0], "openai/gpt-5.3-codex");
        assert!(!s.contains(&"anthropic/claude-sonnet-4.5".to_string()));
        assert_eq!(
            suggest("openai/gpt-5.3-codx", &catalogue)[0],
            "openai/gpt-5.3-codex"
        );
    }

    #[test]
    fn fit_for_codex_is_one_rule() {
        let with = |params: &[&str]| Model {
            id: "a/b".into(),
            supported_parameters: params.iter().map(|p| p.to_string()).collect(),
            ..Model::default()
        };
        // Nothing listed: nothing known, nothing said.
        assert!(unfit_for_codex(&with(&[]), Some("high")).is_empty());
        assert_eq!(
            unfit_for_codex(&with(&["temperature"]), Some("high")),
            [Unfit::NoTools, Unfit::NoReasoning]
        );
        // Effort `none` or unset asks for no reasoning.
        assert_eq!(
            unfit_for_codex(&with(&["tools"]), Some("none")),
            Vec::<Unfit>::new()
        );
        assert!(unfit_for_codex(&with(&["tools"]), None).is_empty());
        assert!(unfit_for_codex(&with(&["tools", "reasoning"]), Some("xhigh")).is_empty());
    }

    #[test]
    fn model_ids() {
        assert!(is_well_formed("openai/gpt-5.3-codex"));
        assert!(is_well_formed("meta-llama/llama-3.3-70b-instruct:free"));
        assert!(is_well_formed("~openai/gpt-latest"));
        assert!(!is_well_formed("gpt-5.3-codex"));
        assert!(!is_well_formed("openai/"));
        assert!(!is_well_formed("openai/gpt 5"));
    }
}
