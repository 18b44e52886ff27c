//! The model catalogue Codex reads through the top-level `model_catalog_json`: a JSON file
//! `{"models": [ModelInfo, …]}` that replaces Codex's bundled model list. [`build`] makes it from
//! ModelGates' `GET /models` answer (and the installed Codex's own entries), [`inspect`] reads
//! one back and says what a given Codex release would make of it (for `doctor`).
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
pub const BASE_INSTRUCTIONS: &str = include_str!("../assets/codex-base-instructions.md");
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

// ----- building -------------------------------------------------------------------------------

/// Everything a catalogue is made from.
#[derive(Debug, Clone)]
pub struct BuildInput<'a> {
    /// ModelGates' catalogue (`GET /models`), or the configured model alone when it could not
    /// be asked ([`offline_model`]).
    pub models: &'a [Model],
    /// The configured model: always in, first, with the configured effort among its levels.
    pub configured: Option<&'a str>,
    /// The configured `model_reasoning_effort`.
    pub effort: Option<&'a str>,
    /// Models without tool support too (Codex cannot edit files or run commands with them).
    pub all_models: bool,
    /// The installed Codex's own entries, already patched ([`own_entries`]).
    pub own: &'a [Value],
    /// `codex --version` of the Codex the own entries come from.
    pub codex_version: Option<&'a str>,
    pub base_url: &'a str,
    pub written_at: SystemTime,
}

/// A catalogue, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The file's text (pretty JSON, final newline).
    pub text: String,
    /// Our entries' slugs, in file order.
    pub ours: Vec<String>,
    /// How many of the installed Codex's own entries follow ours.
    pub own: usize,
    /// Models of the catalogue left out for want of tool support.
    pub without_tools: usize,
}

/// Who wrote a catalogue, and for what: the top-level `mg_codex` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Marker {
    /// RFC 3339, UTC (`2026-12-01T22:31:05Z`).
    pub written_at: Option<String>,
    pub mg_codex_version: Option<String>,
    /// `codex --version` of the Codex whose own entries are in the file (`None`: none are).
    pub codex_version: Option<String>,
    /// The gateway the models come from.
    pub base_url: Option<String>,
    /// Whether models without tool support are in too (`--all-models`), so that a rewrite
    /// for another model keeps them.
    pub all_models: bool,
}

/// A model known only by its id (the catalogue could not be asked): its entry has no context
/// window or description, the default levels, and `text` input only.
pub fn offline_model(id: &str) -> Model {
    Model {
        id: id.to_string(),
        ..Model::default()
    }
}

/// The models that get an entry, in file order: the configured one first, then every model
/// with tool support (every model with `all_models`) sorted by id, each id once. Also how many
/// were left out for want of tools. A model whose catalogue entry lists no parameters at all is
/// left out too (nothing says it can call tools).
pub fn select<'a>(
    models: &'a [Model],
    configured: Option<&str>,
    all_models: bool,
) -> (Vec<&'a Model>, usize) {
    let mut seen = BTreeSet::new();
    let mut chosen = Vec::new();
    if let Some(m) = configured.and_then(|id| models.iter().find(|m| m.id == id)) {
        seen.insert(m.id.as_str());
        chosen.push(m);
    }
    let mut rest: Vec<&Model> = models.iter().collect();
    rest.sort_by(|a, b| a.id.cmp(&b.id));
    let mut without_tools = 0;
    for m in rest {
        if m.id.trim().is_empty() || !seen.insert(m.id.as_str()) {
            continue;
        }
        if all_models || m.supports("tools") {
            chosen.push(m);
        } else {
            without_tools += 1;
        }
    }
    (chosen, without_tools)
}

/// Whether an entry gets reasoning levels: the model lists `reasoning`, or its catalogue entry
/// lists no parameters at all (it does not say, so the configured effort is trusted).
fn reasons(model: &Model) -> bool {
    model.supports_known("reasoning") != Some(false)
}

/// The reasoning levels of a model's entry: none for a model without `reasoning`; else
/// low..xhigh, plus `effort` (when it is one of the six names Codex 0.137 knows) for the
/// configured model, so the picker offers what is configured.
pub fn levels(model: &Model, effort: Option<&str>) -> Vec<&'static str> {
    if !reasons(model) {
        return Vec::new();
    }
    let mut levels: Vec<&'static str> = REASONING_LEVELS.to_vec();
    if let Some(extra) = effort.and_then(|e| EFFORTS.iter().find(|known| **known == e)) {
        if !levels.contains(extra) {
            levels.push(extra);
        }
    }
    EFFORTS
        .iter()
        .copied()
        .filter(|e| levels.contains(e))
        .collect()
}

#[derive(Serialize)]
struct Level {
    effort: &'static str,
    description: &'static str,
}

#[derive(Serialize)]
struct Truncation {
    mode: &'static str,
    limit: u32,
}

/// One entry of ours, field by field (the order is the file's, for people reading it).
#[derive(Serialize)]
struct Entry<'a> {
    slug: &'a str,
    display_name: String,
    description: String,
    default_reasoning_level: Option<&'static str>,
    supported_reasoning_levels: Vec<Level>,
    shell_type: &'static str,
    visibility: &'static str,
    supported_in_api: bool,
    priority: i64,
    context_window: Option<u64>,
    max_context_window: Option<u64>,
    effective_context_window_percent: u8,
    input_modalities: Vec<&'static str>,
    supports_reasoning_summaries: bool,
    default_reasoning_summary: &'static str,
    support_verbosity: bool,
    default_verbosity: Option<&'static str>,
    truncation_policy: Truncation,
    supports_parallel_tool_calls: bool,
    experimental_supported_tools: [&'static str; 0],
    web_search_tool_type: &'static str,
    supports_image_detail_original: bool,
    use_responses_lite: bool,
    additional_speed_tiers: [&'static str; 0],
    service_tiers: [&'static str; 0],
    availability_nux: Option<()>,
    upgrade: Option<()>,
    base_instructions: &'static str,
}

impl<'a> Entry<'a> {
    fn new(model: &'a Model, priority: i64, effort: Option<&str>) -> Self {
        let levels = levels(model, effort);
        let reasoning = !levels.is_empty();
        let default_level = if reasoning {
            Some(
                effort
                    .and_then(|e| levels.iter().copied().find(|l| *l == e))
                    .unwrap_or("medium"),
            )
        } else {
            None
        };
        let display_name = model
            .name
            .as_deref()
            .map(clean_line)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| model.id.clone());
        let description = model
            .description
            .as_deref()
            .map(short_description)
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| format!("{} through ModelGates", model.id));
        let mut input_modalities = vec!["text"];
        if model.input_modalities.iter().any(|m| m == "image") {
            input_modalities.push("image");
        }
        Self {
            slug: &model.id,
            display_name,
            description,
            default_reasoning_level: default_level,
            supported_reasoning_levels: levels
                .into_iter()
                .map(|effort| Level {
                    effort,
                    description: level_description(effort),
                })
                .collect(),
            shell_type: "shell_command",
            visibility: "list",
            supported_in_api: true,
            priority,
            context_window: model.context_length,
            max_context_window: model.context_length,
            effective_context_window_percent: 95,
            input_modalities,
            supports_reasoning_summaries: reasoning,
            default_reasoning_summary: if reasoning { "auto" } else { "none" },
            support_verbosity: false,
            default_verbosity: None,
            truncation_policy: Truncation {
                mode: "tokens",
                limit: 10_000,
            },
            supports_parallel_tool_calls: true,
            experimental_supported_tools: [],
            web_search_tool_type: "text",
            supports_image_detail_original: false,
            use_responses_lite: false,
            additional_speed_tiers: [],
            service_tiers: [],
            availability_nux: None,
            upgrade: None,
            base_instructions: BASE_INSTRUCTIONS,
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum Item<'a> {
    Ours(Box<Entry<'a>>),
    Own(Value),
}

#[derive(Serialize)]
struct File<'a> {
    mg_codex: &'a Marker,
    models: Vec<Item<'a>>,
}

/// The entry of ours for one model, as JSON (`priority` sets the picker's order).
pub fn entry(model: &Model, priority: i64, effort: Option<&str>) -> Value {
    serde_json::to_value(Entry::new(model, priority, effort)).expect("an entry serializes")
}

/// Builds the catalogue: our entries ([`select`]; the configured model first, priorities 0, 1,
/// …), then the installed Codex's own entries (priorities shifted after ours, slugs of ours
/// skipped), and the marker. Fails only when there would be no entry at all.
pub fn build(input: &BuildInput<'_>) -> Result<Built, CatalogError> {
    let (chosen, without_tools) = select(input.models, input.configured, input.all_models);
    let ours: Vec<String> = chosen.iter().map(|m| m.id.clone()).collect();
    let mut items: Vec<Item<'_>> = chosen
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let effort = (Some(m.id.as_str()) == input.configured)
                .then_some(input.effort)
                .flatten();
            Item::Ours(Box::new(Entry::new(m, i as i64, effort)))
        })
        .collect();
    let shift = ours.len() as i64;
    let mut own = 0;
    for entry in input.own {
        let Some(slug) = entry.get("slug").and_then(Value::as_str) else {
            continue;
        };
        if ours.iter().any(|o| o == slug) {
            continue;
        }
        let mut entry = entry.clone();
        if let Some(p) = entry.get("priority").and_then(Value::as_i64) {
            entry["priority"] = Value::from(p + shift);
        }
        items.push(Item::Own(entry));
        own += 1;
    }
    if items.is_empty() {
        return Err(CatalogError::Empty);
    }
    let marker = Marker {
        written_at: Some(rfc3339(input.written_at)),
        mg_codex_version: Some(env!("CARGO_PKG_VERSION").to_string()),
        codex_version: input
            .codex_version
            .filter(|_| own > 0)
            .map(|v| v.trim().to_string()),
        base_url: Some(input.base_url.to_string()),
        all_models: input.all_models,
    };
    let mut text = serde_json::to_string_pretty(&File {
        mg_codex: &marker,
        models: items,
    })
    .expect("a catalogue serializes");
    text.push('\n');
    Ok(Built {
        text,
        ours,
        own,
        without_tools,
    })
}

/// The installed Codex's own entries from what `codex debug models` printed, patched so that
/// every release from 0.137 loads them: the fields older releases require are added
/// (`supports_reasoning_summaries`, `supports_parallel_tool_calls`, and any other required one
/// with the value ours has), reasoning levels and the default level are kept to the six names
/// 0.137 knows, input modalities to `text` and `image`, and values of the enum fields older
/// releases would not know are replaced by safe ones.
pub fn own_entries(debug_models: &str) -> Result<Vec<Value>, CatalogError> {
    let doc: Value =
        serde_json::from_str(debug_models).map_err(|e| CatalogError::NotJson(e.to_string()))?;
    let models = doc
        .get("models")
        .and_then(Value::as_array)
        .ok_or_else(|| CatalogError::Shape("no `models` array".into()))?;
    let template = entry(&offline_model("template/entry"), 0, None);
    let mut out = Vec::new();
    for model in models {
        let Some(fields) = model.as_object() else {
            continue;
        };
        if !fields.get("slug").is_some_and(Value::is_string) {
            continue;
        }
        let mut fields = fields.clone();
        patch_own(&mut fields, &template);
        out.push(Value::Object(fields));
    }
    Ok(out)
}

fn patch_own(entry: &mut Map<String, Value>, template: &Value) {
    // Required by some release: taken from ours when missing.
    for field in required_fields(CodexVersion::OLDEST_TESTED) {
        if !entry.contains_key(field) {
            if let Some(value) = template.get(field) {
                entry.insert(field.to_string(), value.clone());
            }
        }
    }
    entry
        .entry("supports_reasoning_summaries")
        .or_insert(Value::Bool(true));
    entry
        .entry("supports_parallel_tool_calls")
        .or_insert(Value::Bool(true));
    // Levels: the six names only, each with a description.
    let levels: Vec<Value> = entry
        .get("supported_reasoning_levels")
        .and_then(Value::as_array)
        .map(|levels| {
            levels
                .iter()
                .filter(|l| {
                    l.get("effort")
                        .and_then(Value::as_str)
                        .is_some_and(|e| EFFORTS.contains(&e))
                })
                .map(|l| {
                    let mut l = l.clone();
                    if !l.get("description").is_some_and(Value::is_string) {
                        let effort = l["effort"].as_str().unwrap_or_default().to_string();
                        l["description"] = Value::from(level_description(&effort));
                    }
                    l
                })
                .collect()
        })
        .unwrap_or_default();
    let efforts: Vec<String> = levels
        .iter()
        .filter_map(|l| l.get("effort").and_then(Value::as_str).map(str::to_string))
        .collect();
    entry.insert("supported_reasoning_levels".into(), Value::Array(levels));
    let default_ok = match entry.get("default_reasoning_level") {
        None | Some(Value::Null) => true,
        Some(v) => v.as_str().is_some_and(|d| EFFORTS.contains(&d)),
    };
    if !default_ok {
        let fallback = ["medium", "low", "high"]
            .into_iter()
            .find(|e| efforts.iter().any(|x| x == e))
            .or_else(|| efforts.last().map(String::as_str))
            .map(|e| Value::from(e.to_string()))
            .unwrap_or(Value::Null);
        entry.insert("default_reasoning_level".into(), fallback);
    }
    if let Some(Value::Array(modalities)) = entry.get_mut("input_modalities") {
        modalities.retain(|m| m.as_str().is_some_and(|m| MODALITIES.contains(&m)));
    }
    // Enum fields: a value an older release does not know would stop it.
    let known: [(&str, &[&str], Option<&str>); 5] = [
        (
            "shell_type",
            &[
                "default",
                "local",
                "unified_exec",
                "disabled",
                "shell_command",
            ],
            Some("shell_command"),
        ),
        ("visibility", &["list", "hide", "none"], Some("hide")),
        ("web_search_tool_type", &["text", "text_and_image"], None),
        ("apply_patch_tool_type", &["freeform"], None),
        (
            "default_reasoning_summary",
            &["auto", "concise", "detailed", "none"],
            None,
        ),
    ];
    for (field, allowed, replacement) in known {
        let bad = entry
            .get(field)
            .is_some_and(|v| !v.is_null() && !v.as_str().is_some_and(|s| allowed.contains(&s)));
        if bad {
            match replacement {
                Some(r) => {
                    entry.insert(field.to_string(), Value::from(r));
                }
                None => {
                    entry.remove(field);
                }
            }
        }
    }
    if entry.get("default_verbosity").is_some_and(|v| {
        !v.is_null()
            && !v
                .as_str()
                .is_some_and(|s| ["low", "medium", "high"].contains(&s))
    }) {
        entry.insert("default_verbosity".into(), Value::Null);
    }
    if let Some(Value::Object(policy)) = entry.get_mut("truncation_policy") {
        if !policy
            .get("mode")
            .and_then(Value::as_str)
            .is_some_and(|m| m == "tokens" || m == "bytes")
        {
            policy.insert("mode".into(), Value::from("tokens"));
        }
    }
}

/// Cleans a short text from the server for a one-line display: control characters dropped,
/// whitespace runs made one space.
fn clean_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first paragraph of a description, on one line, at most [`MAX_DESCRIPTION`] characters
/// (cut at a word, with `…`).
fn short_description(text: &str) -> String {
    let first = text
        .split("\n\n")
        .find(|p| !p.trim().is_empty())
        .unwrap_or("");
    let line = clean_line(first);
    if line.chars().count() <= MAX_DESCRIPTION {
        return line;
    }
    let cut: String = line.chars().take(MAX_DESCRIPTION - 1).collect();
    let at_word = cut.rfind(' ').filter(|&i| i > MAX_DESCRIPTION / 2);
    format!("{}…", &cut[..at_word.unwrap_or(cut.len())])
}

// ----- reading back -------------------------------------------------------------------------

/// What one entry of a catalogue holds, as far as loading it is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFacts {
    pub slug: String,
    /// The names of its fields.
    fields: BTreeSet<String>,
    /// The efforts of its levels and its default level.
    efforts: Vec<String>,
    /// Levels that are not `{effort, description}` objects.
    malformed_levels: usize,
    modalities: Vec<String>,
    /// `base_instructions` is a string (0.146 and older refuse `null`).
    instructions: bool,
    /// `model_messages.instructions_template` is there.
    template: bool,
}

/// What [`inspect`] found in a catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogInfo {
    /// Our marker, when mg-codex wrote the file.
    pub marker: Option<Marker>,
    pub entries: Vec<EntryFacts>,
}

/// Why a release would not load a catalogue (each is fatal at its start-up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incompatibility {
    /// `{"models": []}`.
    NoModels,
    /// An entry lacks a field this release requires.
    Missing { slug: String, field: &'static str },
    /// A reasoning level (or the default level) this release does not know (0.137: only the
    /// six names).
    UnknownEffort { slug: String, effort: String },
    /// A level that is not `{effort, description}`.
    MalformedLevel { slug: String },
    /// An input modality this release does not know (0.144 and older: `text`, `image`).
    UnknownModality { slug: String, modality: String },
    /// Neither `base_instructions` nor `model_messages.instructions_template` (0.147 and later).
    NoInstructions { slug: String },
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Incompatibility::NoModels => write!(f, "the catalogue lists no model"),
            Incompatibility::Missing { slug, field } => {
                write!(f, "`{slug}` has no `{field}`")
            }
            Incompatibility::UnknownEffort { slug, effort } => {
                write!(f, "`{slug}` has the reasoning level `{effort}`")
            }
            Incompatibility::MalformedLevel { slug } => write!(
                f,
                "`{slug}` has a reasoning level that is not `{{effort, description}}`"
            ),
            Incompatibility::UnknownModality { slug, modality } => {
                write!(f, "`{slug}` has the input modality `{modality}`")
            }
            Incompatibility::NoInstructions { slug } => write!(
                f,
                "`{slug}` has neither `base_instructions` nor `model_messages.instructions_template`"
            ),
        }
    }
}

impl CatalogInfo {
    /// Every entry's slug, in file order.
    pub fn slugs(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.slug.as_str()).collect()
    }

    /// Whether an entry's slug is `slug` (what removes Codex's fallback-metadata warning).
    pub fn contains(&self, slug: &str) -> bool {
        self.entries.iter().any(|e| e.slug == slug)
    }

    /// Whether mg-codex wrote the file (it carries our marker).
    pub fn is_ours(&self) -> bool {
        self.marker.is_some()
    }

    /// When mg-codex wrote it.
    pub fn written_at(&self) -> Option<SystemTime> {
        self.marker
            .as_ref()?
            .written_at
            .as_deref()
            .and_then(parse_rfc3339)
    }

    /// How old it is at `now` (`None`: no date, or a date in the future).
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        now.duration_since(self.written_at()?).ok()
    }

    /// Whether it is older than [`STALE_AFTER`] at `now`, or carries no date.
    pub fn is_stale(&self, now: SystemTime) -> bool {
        self.age(now).is_none_or(|age| age > STALE_AFTER)
    }

    /// What would stop Codex `version` from loading the file (empty: it loads).
    pub fn problems_for(&self, version: CodexVersion) -> Vec<Incompatibility> {
        if self.entries.is_empty() {
            return vec![Incompatibility::NoModels];
        }
        let required = required_fields(version);
        let mut problems = Vec::new();
        for e in &self.entries {
            let slug = || e.slug.clone();
            for field in &required {
                if !e.fields.contains(*field) {
                    problems.push(Incompatibility::Missing {
                        slug: slug(),
                        field,
                    });
                }
            }
            if version.at_most_minor(146)
                && e.fields.contains("base_instructions")
                && !e.instructions
            {
                problems.push(Incompatibility::Missing {
                    slug: slug(),
                    field: "base_instructions",
                });
            }
            if !version.at_most_minor(146) && !e.instructions && !e.template {
                problems.push(Incompatibility::NoInstructions { slug: slug() });
            }
            if e.malformed_levels > 0 {
                problems.push(Incompatibility::MalformedLevel { slug: slug() });
            }
            if version.at_most_minor(137) {
                for effort in e.efforts.iter().filter(|x| !EFFORTS.contains(&x.as_str())) {
                    problems.push(Incompatibility::UnknownEffort {
                        slug: slug(),
                        effort: effort.clone(),
                    });
                }
            }
            let known: &[&str] = if version.at_most_minor(144) {
                &MODALITIES
            } else {
                &["text", "image", "audio"]
            };
            for m in e.modalities.iter().filter(|m| !known.contains(&m.as_str())) {
                problems.push(Incompatibility::UnknownModality {
                    slug: slug(),
                    modality: m.clone(),
                });
            }
        }
        problems
    }
}

/// Reads a catalogue: our marker (if any) and each entry's facts. An error when it is not JSON
/// or not `{"models": [{"slug": "…", …}, …]}` (what every release refuses).
pub fn inspect(text: &str) -> Result<CatalogInfo, CatalogError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| CatalogError::NotJson(e.to_string()))?;
    let Some(top) = doc.as_object() else {
        return Err(CatalogError::Shape("the top level is not an object".into()));
    };
    let models = top
        .get("models")
        .ok_or_else(|| CatalogError::Shape("no `models` key".into()))?
        .as_array()
        .ok_or_else(|| CatalogError::Shape("`models` is not an array".into()))?;
    let mut entries = Vec::with_capacity(models.len());
    for (i, model) in models.iter().enumerate() {
        let fields = model
            .as_object()
            .ok_or_else(|| CatalogError::Shape(format!("model {} is not an object", i + 1)))?;
        let slug = fields
            .get("slug")
            .and_then(Value::as_str)
            .ok_or_else(|| CatalogError::Shape(format!("model {} has no string `slug`", i + 1)))?;
        let levels = fields
            .get("supported_reasoning_levels")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut efforts: Vec<String> = levels
            .iter()
            .filter_map(|l| l.get("effort").and_then(Value::as_str).map(str::to_string))
            .collect();
        if let Some(d) = fields
            .get("default_reasoning_level")
            .and_then(Value::as_str)
        {
            if !efforts.iter().any(|e| e == d) {
                efforts.push(d.to_string());
            }
        }
        let malformed_levels = levels
            .iter()
            .filter(|l| {
                !(l.get("effort").is_some_and(Value::is_string)
                    && l.get("description").is_some_and(Value::is_string))
            })
            .count();
        entries.push(EntryFacts {
            slug: slug.to_string(),
            fields: fields.keys().cloned().collect(),
            efforts,
            malformed_levels,
            modalities: fields
                .get("input_modalities")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            instructions: fields
                .get("base_instructions")
                .is_some_and(Value::is_string),
            template: fields
                .get("model_messages")
                .and_then(|m| m.get("instructions_template"))
                .is_some_and(|t| !t.is_null()),
        });
    }
    let marker = top.get(MARKER_KEY).and_then(Value::as_object).map(|m| {
        let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        Marker {
            written_at: text("written_at"),
            mg_codex_version: text("mg_codex_version"),
            codex_version: text("codex_version"),
            base_url: text("base_url"),
            all_models: m.get("all_models").and_then(Value::as_bool) == Some(true),
        }
    });
    Ok(CatalogInfo { marker, entries })
}

/// Whether two catalogue texts hold the same models and marker apart from `written_at` (so a
/// run that would only change the date writes nothing).
pub fn same_apart_from_date(a: &str, b: &str) -> bool {
    let read = |text: &str| -> Option<Value> {
        let mut doc: Value = serde_json::from_str(text).ok()?;
        if let Some(marker) = doc.get_mut(MARKER_KEY).and_then(Value::as_object_mut) {
            marker.remove("written_at");
        }
        Some(doc)
    };
    match (read(a), read(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

// ----- model ids, for shell completion ----------------------------------------------------------

/// The ModelGates model ids a catalogue lists, each once and sorted, with the display name
/// when it has one: the `slug` of every entry that is a gateway id (`author/slug`, see
/// [`crate::model_id::is_well_formed`]), so not the installed Codex's own entries (`gpt-5.5`).
/// Lenient, as completion must be: an entry without a string `slug` is skipped, and text that
/// is not a catalogue gives none.
pub fn model_ids(text: &str) -> Vec<(String, Option<String>)> {
    #[derive(serde::Deserialize)]
    struct File {
        models: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        slug: Lenient,
        #[serde(default)]
        display_name: Lenient,
    }
    /// A string, or anything else (skipped without being kept).
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    impl Default for Lenient {
        fn default() -> Self {
            Lenient::Other(serde::de::IgnoredAny)
        }
    }
    impl Lenient {
        fn text(self) -> Option<String> {
            match self {
                Lenient::Text(s) => Some(s),
                Lenient::Other(_) => None,
            }
        }
    }
    let Ok(file) = serde_json::from_str::<File>(text) else {
        return Vec::new();
    };
    let mut ids: Vec<(String, Option<String>)> = file
        .models
        .into_iter()
        .filter_map(|e| {
            let slug = e.slug.text()?;
            crate::model_id::is_well_formed(&slug).then(|| (slug, e.display_name.text()))
        })
        .collect();
    ids.sort_by(|a, b| a.0.cmp(&b.0));
    ids.dedup_by(|a, b| a.0 == b.0);
    ids
}

// ----- dates ----------------------------------------------------------------------------------

/// A time as RFC 3339 in UTC, to the second: `2026-12-01T22:31:05Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Reads an RFC 3339 time (`2026-12-01T22:31:05Z`, fractions of a second and `+hh:mm`
/// offsets too).
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest[1..].split_once(':')?;
            if oh.len() != 2 || om.len() != 2 {
                return None;
            }
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a number of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests;
