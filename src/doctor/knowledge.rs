//! What Codex does with a config, release by release: the rules the doctor's findings apply to
//! the installed Codex. Measured on the 34 releases from 0.137.0 to 0.171.0 against a local
//! gateway (`../shared/codex-config.md` §7 and the catalogue research behind `catalog`).
//!
//! Pure: a version in, a rule's answer out. Without an installed Codex, the answers are those
//! of the newest release measured.

use crate::setup::EFFORTS;

pub use crate::catalog::CodexVersion;

/// The newest release the rules were measured on.
pub const NEWEST_MEASURED: CodexVersion = CodexVersion::NEWEST_TESTED;

/// Whether `version` is `0.<minor>.0` or newer.
fn minor_at_least(version: CodexVersion, minor: u32) -> bool {
    version >= CodexVersion::new(0, minor, 0)
}

/// The models bundled in 0.137–0.143, which those releases find a gateway id's metadata in by
/// its suffix (`openai/gpt-5.3-codex` → `gpt-5.3-codex`).
const OLD_BUNDLED: [&str; 6] = [
    "gpt-5.5",
    "gpt-5.4",
    "gpt-5.4-mini",
    "gpt-5.3-codex",
    "gpt-5.2",
    "codex-auto-review",
];

/// Whether this release has metadata for `model` without a catalogue (`model_catalog_json`).
pub fn knows_model(version: CodexVersion, model: &str) -> bool {
    let slug = model.rsplit('/').next().unwrap_or(model);
    !minor_at_least(version, 144) && OLD_BUNDLED.contains(&slug)
}

/// Whether this release refuses the config for this `model_reasoning_effort` (0.137 knows only
/// the six levels).
pub fn refuses_effort(version: CodexVersion, effort: &str) -> bool {
    !minor_at_least(version, 138) && !EFFORTS.contains(&effort)
}

/// What this release sends for `effort` when it differs from `effort` (`ultra`), given the
/// highest level the model's metadata lists (`None`: fallback metadata).
pub fn effort_sent(version: CodexVersion, effort: &str, highest: Option<&str>) -> Option<String> {
    if effort != "ultra" || !minor_at_least(version, 142) {
        return None;
    }
    if !minor_at_least(version, 151) {
        return Some("max".into());
    }
    Some(highest.unwrap_or("medium").to_string())
}

/// Whether this release sends no reasoning effort at all (`"reasoning": null`) for a model it
/// has no metadata for.
pub fn drops_effort_without_metadata(version: CodexVersion) -> bool {
    !minor_at_least(version, 145)
}

/// Whether this release prints "Model metadata for `…` not found. Defaulting to fallback
/// metadata" for a model it has no metadata for.
pub fn warns_fallback_metadata(version: CodexVersion) -> bool {
    minor_at_least(version, 140)
}

/// Provider fields this release does not know (they are ignored with a warning, and
/// `--strict-config` refuses them).
pub fn unknown_provider_field(version: CodexVersion, field: &str) -> bool {
    match field {
        "supports_standalone_web_search" => version < CodexVersion::new(0, 145, 0),
        "model_catalog_url" | "gateway_oauth" => version < CodexVersion::new(0, 156, 0),
        _ => false,
    }
}

/// Whether this release can write a gateway provider itself (its model picker's "Create a
/// custom provider or gateway"), which may leave a second table for the same gateway.
pub fn writes_gateway_tables(version: CodexVersion) -> bool {
    minor_at_least(version, 168)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        let v = CodexVersion::parse("codex-cli 0.169.0").unwrap();
        assert_eq!(v, CodexVersion::new(0, 169, 0));
        assert_eq!(CodexVersion::parse("0.144.6-alpha.2").unwrap().patch, 6);
        assert!(CodexVersion::parse("codex-cli").is_none());
        assert!(CodexVersion::new(0, 144, 6) < CodexVersion::new(0, 145, 0));
    }

    #[test]
    fn the_rules_follow_the_measurements() {
        let v = |m| CodexVersion::new(0, m, 0);
        assert!(refuses_effort(v(137), "max"));
        assert!(!refuses_effort(v(138), "max"));
        assert!(!refuses_effort(v(137), "xhigh"));
        assert_eq!(effort_sent(v(141), "ultra", None), None);
        assert_eq!(effort_sent(v(145), "ultra", None).as_deref(), Some("max"));
        assert_eq!(
            effort_sent(v(169), "ultra", None).as_deref(),
            Some("medium")
        );
        assert_eq!(
            effort_sent(v(169), "ultra", Some("xhigh")).as_deref(),
            Some("xhigh")
        );
        assert!(drops_effort_without_metadata(CodexVersion::new(0, 144, 6)));
        assert!(!drops_effort_without_metadata(v(145)));
        assert!(knows_model(v(143), "openai/gpt-5.3-codex"));
        assert!(!knows_model(v(144), "openai/gpt-5.3-codex"));
        assert!(!knows_model(v(137), "anthropic/claude-sonnet-4.5"));
        assert!(!warns_fallback_metadata(v(139)));
        assert!(warns_fallback_metadata(v(140)));
    }
}
