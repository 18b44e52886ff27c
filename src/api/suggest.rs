//! "Did you mean": catalogue ids close to one a user typed.
//!
//! Boundary: a pure function on the catalogue; no HTTP.

use super::wire::Model;

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
}
