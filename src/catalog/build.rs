//! Building the catalogue: ModelGates' models chosen ([`select`]) and turned into entries every
//! release loads ([`entry`], [`build`]), then the installed Codex's own entries patched to load
//! on older releases too ([`own_entries`]).

use super::*;

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
pub(super) fn reasons(model: &Model) -> bool {
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
pub(super) struct Level {
    effort: &'static str,
    description: &'static str,
}

#[derive(Serialize)]
pub(super) struct Truncation {
    mode: &'static str,
    limit: u32,
}

/// One entry of ours, field by field (the order is the file's, for people reading it).
#[derive(Serialize)]
pub(super) struct Entry<'a> {
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
pub(super) enum Item<'a> {
    Ours(Box<Entry<'a>>),
    Own(Value),
}

#[derive(Serialize)]
pub(super) struct File<'a> {
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

pub(super) fn patch_own(entry: &mut Map<String, Value>, template: &Value) {
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
pub(super) fn clean_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first paragraph of a description, on one line, at most [`MAX_DESCRIPTION`] characters
/// (cut at a word, with `…`).
pub(super) fn short_description(text: &str) -> String {
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
