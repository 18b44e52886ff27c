//! The model catalogue Codex reads through the top-level `model_catalog_json`: a JSON file
//! `{"models": [ModelInfo, …]}` that replaces Codex's bundled model list. [`build`] makes it from
//! ModelGates' `GET /models` answer (and the installed Codex's own entries), [`inspect`] reads
//! one back and says what a given Codex release would make of it (for `doctor`). This module
//! holds the names, the Codex versions and their required fields, the errors and the dates;
//! `build.rs` and `read.rs` the two directions.
//!
//! Pure: models and text in, JSON text and facts out. Fetching the catalogue, running
//! `codex debug models` and writing the file are the callers' (`commands::catalog`).
//!
//! What every entry of ours carries, and why (measured on 34 releases, 0.137.0 to 0.171.0):
//! - the union of the fields any of them requires: a missing one is fatal at start-up
//!   ("failed to parse model_catalog_json … missing field `display_name`"), so the oldest
//!   releases' `supports_reasoning_summaries` (≤0.144) and `supports_parallel_tool_calls`
//!   (≤0.147) are there too, and `base_instructions` (≤0.146; it is the whole system prompt, so
//!   it is Codex's own generic prompt, never a placeholder);
//! - reasoning levels only among `none|minimal|low|medium|high|xhigh` (0.137 refuses any other
//!   name), and only for a model that lists `reasoning`; `supports_reasoning_summaries: true`
//!   is what puts the effort on the wire on 0.137–0.144;
//! - none of the fields that change the request radically for a gateway: `use_responses_lite`
//!   is `false`; `tool_mode`, `multi_agent_version`, `apply_patch_tool_type` and
//!   `supports_search_tool` are left out;
//! - input modalities only among `text` and `image` (0.137–0.144 refuse `audio`).
//!
//! After ours come the installed Codex's own entries (so OpenAI's models keep their metadata
//! when the user switches back), patched by [`own_entries`] so that they load on older releases
//! too. A top-level `mg_codex` object ([`Marker`]) says who wrote the file, when, for which
//! Codex and gateway; every release ignores unknown top-level fields.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::Model;
use crate::setup::EFFORTS;

/// The top-level config key that names the catalogue.
pub const CONFIG_KEY: &str = "model_catalog_json";
/// The catalogue's file name in `CODEX_HOME` (`NAME.` in front for a profile).
pub const FILE_NAME: &str = "modelgates-models.json";
/// The top-level key of our provenance marker.
pub const MARKER_KEY: &str = "mg_codex";
/// A catalogue older than this is worth refreshing (`mg-codex models --sync`).
pub const STALE_AFTER: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Codex's own generic system prompt (what 0.171.0 sends for a model it has no metadata
/// for), the `base_instructions` of every entry of ours.
pub const BASE_INSTRUCTIONS: &str = include_str!("../../assets/codex-base-instructions.md");
/// The input modalities every tested release knows.
pub const MODALITIES: [&str; 2] = ["text", "image"];

/// The levels a reasoning model offers (the configured effort is added when it is another).
const REASONING_LEVELS: [&str; 4] = ["low", "medium", "high", "xhigh"];
/// What Codex shows for each level.
fn level_description(effort: &str) -> &'static str {
    match effort {
        "none" => "No reasoning: the fastest answers",
        "minimal" => "Minimal reasoning, for simple tasks",
        "low" => "Fast responses with lighter reasoning",
        "medium" => "Balances speed and reasoning depth for everyday tasks",
        "high" => "Greater reasoning depth for complex problems",
        _ => "Extra high reasoning depth for the hardest problems",
    }
}

/// The longest description we copy from the gateway (the picker shows one line).
const MAX_DESCRIPTION: usize = 300;

/// The catalogue's file for the config `codex --profile NAME` reads (`None`: `config.toml`).
pub fn file_name(profile: Option<&str>) -> String {
    match profile {
        Some(name) => format!("{name}.{FILE_NAME}"),
        None => FILE_NAME.to_string(),
    }
}

/// The catalogue's path in a Codex home.
pub fn path_in(codex_home: &Path, profile: Option<&str>) -> PathBuf {
    codex_home.join(file_name(profile))
}

/// Whether a `model_catalog_json` value names a catalogue of mg-codex's (by its file name: for
/// a config without `init`'s record).
pub fn is_our_file_name(value: &str) -> bool {
    Path::new(value)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == FILE_NAME || n.ends_with(&format!(".{FILE_NAME}")))
}

// ----- Codex versions ---------------------------------------------------------------------------

/// A Codex release, as `codex --version` prints it (`codex-cli 0.169.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodexVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl CodexVersion {
    /// The oldest release the catalogue was measured on.
    pub const OLDEST_TESTED: Self = Self::new(0, 137, 0);
    /// The newest release the catalogue was measured on.
    pub const NEWEST_TESTED: Self = Self::new(0, 171, 0);

    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// The first `X.Y.Z` in `text` (`codex-cli 0.169.0`, `0.169.0`, `0.170.0-alpha.2`).
    pub fn parse(text: &str) -> Option<Self> {
        text.split(|c: char| c.is_whitespace() || c == 'v')
            .find_map(|word| {
                let core = word.split(['-', '+']).next()?;
                let mut parts = core.split('.');
                let major = parts.next()?.parse().ok()?;
                let minor = parts.next()?.parse().ok()?;
                let patch = parts.next()?.parse().ok()?;
                parts
                    .next()
                    .is_none()
                    .then_some(Self::new(major, minor, patch))
            })
    }

    /// Whether this release is `0.<minor>.x` or older.
    fn at_most_minor(self, minor: u32) -> bool {
        self < Self::new(0, minor + 1, 0)
    }
}

impl fmt::Display for CodexVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The entry fields a release refuses to start without (one missing is fatal: "failed to parse
/// model_catalog_json … missing field"). Releases older than 0.137 are taken as 0.137, newer
/// ones than 0.171 as 0.171.
pub fn required_fields(version: CodexVersion) -> Vec<&'static str> {
    let mut fields = vec![
        "slug",
        "display_name",
        "supported_reasoning_levels",
        "shell_type",
        "visibility",
        "supported_in_api",
        "priority",
        "support_verbosity",
        "truncation_policy",
        "experimental_supported_tools",
    ];
    if version.at_most_minor(146) {
        fields.push("base_instructions");
    }
    if version.at_most_minor(144) {
        fields.push("supports_reasoning_summaries");
    }
    if version.at_most_minor(147) {
        fields.push("supports_parallel_tool_calls");
    }
    fields
}

// ----- errors ---------------------------------------------------------------------------------

/// Why a text is not a catalogue Codex can load, or why none could be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogError {
    /// Not JSON at all: the parser's message.
    NotJson(String),
    /// JSON, but not `{"models": [{"slug": …}, …]}`: what is wrong.
    Shape(String),
    /// No model to put in it (Codex refuses an empty list).
    Empty,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::NotJson(e) => write!(f, "it is not JSON: {e}"),
            CatalogError::Shape(e) => write!(f, "it is not a Codex model catalogue: {e}"),
            CatalogError::Empty => write!(
                f,
                "it would list no model (Codex refuses a catalogue without one)"
            ),
        }
    }
}

impl std::error::Error for CatalogError {}

// ----- dates ----------------------------------------------------------------------------------

/// A time as RFC 3339 in UTC, to the second: `2026-12-01T22:31:05Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    jiff::Timestamp::from_second(secs)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Reads an RFC 3339 time (`2026-12-01T22:31:05Z`, fractions of a second, which are dropped,
/// and `+hh:mm` offsets too), as jiff parses it; `None` for anything else or before 1970.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let time: jiff::Timestamp = text.trim().parse().ok()?;
    let secs = u64::try_from(time.as_second()).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

mod build;
mod read;
#[cfg(test)]
mod tests;

pub use build::*;
pub use read::*;
