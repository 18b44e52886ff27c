//! ModelGates model ids: the grammar (`author/slug`, an optional `:variant`, `~` aliases) and
//! the "did you mean" that names the id a user probably meant.
//!
//! Pure. Every command that checks an id or suggests one uses these two functions.

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

/// Up to three catalogue ids close to `wanted` (see [`crate::api::suggest`]).
pub fn suggest(wanted: &str, catalogue: &[Model]) -> Vec<String> {
    crate::api::suggest(wanted, catalogue)
}

#[cfg(test)]
mod tests {
    use super::*;

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
