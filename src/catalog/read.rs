//! Reading a catalogue back: what it holds, who wrote it and when ([`inspect`]), what a given
//! Codex release would refuse in it, and its model ids for shell completion ([`model_ids`]).

use super::*;

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

    /// Its age at `now` when that is more than [`STALE_AFTER`] (`None`: fresh, or undated).
    pub fn stale_age(&self, now: SystemTime) -> Option<Duration> {
        self.age(now).filter(|age| *age > STALE_AFTER)
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
