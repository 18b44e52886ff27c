//! Which models a `models QUERY` shows: a substring of the id or name, else a fuzzy match word
//! by word (see the `models` module documentation).

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

use crate::api::Model;

/// How the shown models were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Matched {
    /// No query.
    All,
    /// The id or name contains the query.
    Substring,
    /// Nothing contained it; these match fuzzily.
    Fuzzily,
}

/// The models matching `query` (see the module documentation), in the order given.
pub(super) fn filter<'a>(models: &[&'a Model], query: Option<&str>) -> (Vec<&'a Model>, Matched) {
    let Some(query) = query else {
        return (models.to_vec(), Matched::All);
    };
    let needle = query.to_lowercase();
    let contains = |m: &Model| {
        m.id.to_lowercase().contains(&needle)
            || m.name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(&needle))
    };
    let found: Vec<&Model> = models.iter().copied().filter(|m| contains(m)).collect();
    if !found.is_empty() {
        return (found, Matched::Substring);
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    let words: Vec<&str> = needle.split_whitespace().collect();
    let fuzzy: Vec<&Model> = models
        .iter()
        .copied()
        .filter(|m| {
            let texts: Vec<String> = [Some(m.id.as_str()), m.name.as_deref()]
                .into_iter()
                .flatten()
                .map(str::to_lowercase)
                .collect();
            words
                .iter()
                .all(|w| texts.iter().any(|t| fuzzy_word(&matcher, w, t)))
        })
        .collect();
    (fuzzy, Matched::Fuzzily)
}

/// Whether one lower-case query word matches a lower-case text: its letters in order, or a word
/// of the text within the typo budget.
pub(super) fn fuzzy_word(matcher: &SkimMatcherV2, word: &str, text: &str) -> bool {
    if matcher.fuzzy_match(text, word).is_some() {
        return true;
    }
    let budget = match word.chars().count() {
        0..=2 => return false,
        3..=5 => 1,
        _ => 2,
    };
    text.split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .any(|w| strsim::damerau_levenshtein(word, w) <= budget)
}
