//! The record `init` keeps beside a config (`<config>.mg-codex.state`): what the file held
//! before the first `init` and what mg-codex wrote since, and what `uninstall` makes of a config
//! from it ([`uninstalled`]: the original bytes when the file is as mg-codex left it, else
//! `init`'s changes taken back around the user's edits, [`crate::merge`], then [`revert`]).
//!
//! Pure: documents and texts in, texts out. Reading and writing the record, inside the config's
//! lock, is [`crate::config_file`]'s job.

use serde::{Deserialize, Serialize};
use toml_edit::{Item, Value};

use crate::catalog;
use crate::codex_config::{ConfigDocument, TrustLevel};
use crate::setup::{
    configured_command, DOCS_MCP_NAME, DOCS_MCP_URL, ENV_KEY_INSTRUCTIONS, PROVIDER_ID, ROOT_KEYS,
};

/// What a config held before `init` first touched it, kept in `<config>.mg-codex.state`, and
/// what mg-codex wrote into it since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub schema_version: u32,
    /// The file's text before the first `init` (`None`: there was no file).
    pub before: Option<String>,
    /// The text mg-codex last wrote (or found already right); when the file still holds exactly
    /// this, `uninstall` puts `before` back byte for byte.
    pub after: Option<String>,
    /// A text being written: set before the file is replaced, cleared (into `after`) once it
    /// is, so that a run killed in between leaves a record that knows both texts.
    #[serde(default)]
    pub pending: Option<String>,
    /// The top-level keys `init` may change, as they were (TOML value text; `None`: absent).
    pub previous: Vec<(String, Option<String>)>,
    /// Whether `[model_providers.modelgates]` existed before.
    pub provider_existed: bool,
    /// Trust entries `init` added.
    pub trusted_added: Vec<String>,
    /// Whether `init` added `[mcp_servers.modelgates-docs]` (absent in records written before
    /// the option existed: `false`).
    #[serde(default)]
    pub docs_mcp_added: bool,
    /// The model catalogue mg-codex wrote for this config (the `model_catalog_json` it set), so
    /// that `uninstall` removes that file (absent in records written before the catalogue:
    /// `None`, and `uninstall` looks where the catalogue goes).
    #[serde(default)]
    pub catalog_file: Option<String>,
}

impl State {
    /// The record of a config before its first `init`.
    pub fn capture(before_text: Option<&str>, doc: &ConfigDocument) -> Self {
        let previous = ROOT_KEYS
            .iter()
            .chain(&[catalog::CONFIG_KEY])
            .map(|k| (k.to_string(), root_value_text(doc, k)))
            .collect();
        Self {
            schema_version: 2,
            before: before_text.map(str::to_string),
            after: None,
            pending: None,
            previous,
            provider_existed: doc.item_at(&["model_providers", PROVIDER_ID]).is_some(),
            trusted_added: Vec::new(),
            docs_mcp_added: false,
            catalog_file: None,
        }
    }
}

impl State {
    /// Records the value the top-level `key` has in `doc` as the one before `init`, when the
    /// record does not know the key yet (a record written before mg-codex could set it, such as
    /// `model_catalog_json`), so that `uninstall` restores it.
    pub fn remember(&mut self, key: &str, doc: &ConfigDocument) {
        if !self.previous.iter().any(|(k, _)| k == key) {
            self.previous
                .push((key.to_string(), root_value_text(doc, key)));
        }
    }
}

/// A top-level value as TOML text without decor (`None`: absent, or a table).
fn root_value_text(doc: &ConfigDocument, key: &str) -> Option<String> {
    match doc.document().get(key) {
        Some(Item::Value(v)) => {
            let mut v = v.clone();
            v.decor_mut().clear();
            Some(v.to_string())
        }
        _ => None,
    }
}

/// What `uninstall` makes of the config that holds `current` (`None`: no file): the text to
/// leave (`None`: no file), and the settings kept because they changed since `init`.
///
/// When the file holds exactly what mg-codex last wrote, the text before the first `init`
/// comes back byte for byte (with the trust entries `init` added, when `keep_trust`). When it
/// was edited since, `init`'s changes are taken back line by line around the edits
/// ([`crate::merge`]), and then whatever of `init`'s settings is left is taken out by
/// [`revert`]; lines `init` never wrote are never touched.
pub fn uninstalled(
    state: &State,
    current: Option<&str>,
    keep_trust: bool,
) -> (Option<String>, Vec<String>) {
    let Some(current) = current else {
        return (None, Vec::new());
    };
    let target = restored_text(state, keep_trust);
    let ours = [state.after.as_deref(), state.pending.as_deref()];
    if ours.contains(&Some(current)) {
        return (target, Vec::new());
    }
    if state.before.as_deref() == Some(current) {
        // None of mg-codex's changes are there.
        return (Some(current.to_string()), Vec::new());
    }
    // Edited since: take back the change from the text of ours it is closest to.
    let base = ours
        .into_iter()
        .flatten()
        .min_by_key(|t| changed_lines(t, current));
    let mut kept = Vec::new();
    let mut doc = base
        .map(|base| crate::merge::take_back(target.as_deref().unwrap_or(""), base, current))
        .and_then(|merged| {
            let doc = ConfigDocument::parse(&merged.text).ok()?;
            kept = merged.kept;
            Some(doc)
        })
        .or_else(|| ConfigDocument::parse(current).ok());
    let Some(doc) = doc.as_mut() else {
        return (Some(current.to_string()), Vec::new());
    };
    for key in revert(doc, state, !keep_trust) {
        if !kept.contains(&key) {
            kept.push(key);
        }
    }
    let text = doc.render();
    if text.trim().is_empty() && state.before.is_none() {
        return (None, kept);
    }
    (Some(text), kept)
}

/// The text `uninstall` gives back: the one before the first `init`, with the trust entries
/// `init` added when they are kept.
fn restored_text(state: &State, keep_trust: bool) -> Option<String> {
    if !keep_trust || state.trusted_added.is_empty() {
        return state.before.clone();
    }
    let mut doc = ConfigDocument::parse(state.before.as_deref().unwrap_or("")).ok()?;
    for key in &state.trusted_added {
        if doc.set_trust(key, TrustLevel::Trusted).is_err() {
            return state.before.clone();
        }
    }
    Some(doc.render())
}

/// How many lines differ between two texts.
fn changed_lines(a: &str, b: &str) -> usize {
    similar::TextDiff::from_lines(a, b)
        .ops()
        .iter()
        .map(|op| match *op {
            similar::DiffOp::Equal { .. } => 0,
            similar::DiffOp::Delete { old_len, .. } => old_len,
            similar::DiffOp::Insert { new_len, .. } => new_len,
            similar::DiffOp::Replace {
                old_len, new_len, ..
            } => old_len.max(new_len),
        })
        .sum()
}

/// Takes `init`'s settings out of a config edited since: the provider table (unless it existed
/// before), each top-level key `init` set that still holds `init`'s value (restored, or removed
/// when it was absent), the docs MCP server if `init` added it and it still has `init`'s url,
/// and, with `remove_trust`, the trust entries `init` added. Returns what was left because it
/// changed since.
pub fn revert(doc: &mut ConfigDocument, state: &State, remove_trust: bool) -> Vec<String> {
    let mut kept = Vec::new();
    // What `init` wrote, to tell its values from the user's later changes. Without a record,
    // only `model_provider = "modelgates"`, a `model_catalog_json` naming a catalogue of
    // mg-codex's, and a provider table with mg-codex's own `env_key_instructions` or `auth`
    // are known to be ours.
    let written = state
        .after
        .as_deref()
        .and_then(|t| ConfigDocument::parse(t).ok());
    let provider = ["model_providers", PROVIDER_ID];
    if !state.provider_existed && table_fields(doc, &provider).is_some() {
        let ours = match &written {
            Some(w) => table_fields(doc, &provider) == table_fields(w, &provider),
            None => {
                doc.provider_str(PROVIDER_ID, "env_key_instructions") == Some(ENV_KEY_INSTRUCTIONS)
                    || configured_command(doc).is_some()
            }
        };
        if ours {
            doc.remove_provider(PROVIDER_ID);
        } else if written.is_some() {
            kept.push(provider.join("."));
        }
    }
    for (key, previous) in &state.previous {
        let init_value = match &written {
            Some(w) => root_value(w, key),
            None if key == "model_provider" => Some(Value::from(PROVIDER_ID)),
            None if key == catalog::CONFIG_KEY => {
                root_value(doc, key).filter(|v| v.as_str().is_some_and(catalog::is_our_file_name))
            }
            None => None,
        };
        let Some(init_value) = init_value else {
            continue;
        };
        let previous_value = previous.as_deref().and_then(|t| t.parse::<Value>().ok());
        match root_value(doc, key) {
            Some(current) if same_data(&current, &init_value) => {}
            // Already as it was.
            Some(current)
                if previous_value
                    .as_ref()
                    .is_some_and(|p| same_data(&current, p)) =>
            {
                continue;
            }
            Some(_) => {
                if written.is_some() {
                    kept.push(key.clone());
                }
                continue;
            }
            None => continue,
        }
        match previous
            .as_deref()
            .and_then(|text| text.parse::<Value>().ok())
        {
            Some(value) => {
                let _ = doc.set_root_value(key, value);
            }
            None => {
                doc.remove_root(key);
            }
        }
    }
    if state.docs_mcp_added {
        let docs = ["mcp_servers", DOCS_MCP_NAME];
        let only_url = table_fields(doc, &docs).is_some_and(|f| f.len() == 1);
        match doc.mcp_server_url(DOCS_MCP_NAME) {
            Some(url) if url.trim_end_matches('/') == DOCS_MCP_URL && only_url => {
                doc.remove_mcp_server(DOCS_MCP_NAME);
            }
            Some(_) => kept.push(docs.join(".")),
            None if doc.mcp_server(DOCS_MCP_NAME).is_some() => kept.push(docs.join(".")),
            None => {}
        }
    }
    if remove_trust {
        for key in &state.trusted_added {
            let ours = table_fields(doc, &["projects", key]).is_some_and(|f| {
                f.len() == 1 && f.get("trust_level").map(String::as_str) == Some("\"trusted\"")
            });
            if ours {
                doc.remove_trust(key);
            } else if doc.trust_level(key).is_some() {
                kept.push(format!("projects.\"{key}\""));
            }
        }
    }
    kept
}

/// The fields of the table at `path` and their values (as TOML text without decor).
fn table_fields(
    doc: &ConfigDocument,
    path: &[&str],
) -> Option<std::collections::BTreeMap<String, String>> {
    let table = doc.item_at(path)?.as_table_like()?;
    Some(
        table
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Item::Value(v) => {
                        let mut v = v.clone();
                        v.decor_mut().clear();
                        v.to_string()
                    }
                    other => other.to_string(),
                };
                (k.to_string(), text.trim().to_string())
            })
            .collect(),
    )
}

fn root_value(doc: &ConfigDocument, key: &str) -> Option<Value> {
    doc.document().get(key).and_then(Item::as_value).cloned()
}

/// Equal as data, whatever the quoting or spacing.
fn same_data(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| {
        let mut v = v.clone();
        v.decor_mut().clear();
        match v.as_str() {
            Some(s) => format!("s:{s}"),
            None => v.to_string(),
        }
    };
    text(a) == text(b)
}
