//! How Codex layers its config files, and the settings that result: a managed layer
//! (`/etc/codex/managed_config.toml`) over the profile's file (`NAME.config.toml`, with
//! `--profile`) over `$CODEX_HOME/config.toml` over the system file (`/etc/codex/config.toml`).
//! Each key comes from the highest layer that sets it; a table's fields merge across layers.
//!
//! Read-only and pure: layers are parsed documents, lookups return what the documents hold.
//! `doctor`, `models` and `model` read the settings Codex will use through [`Layers`].

use std::path::Path;

use toml_edit::Item;

use crate::codex_config::{ConfigDocument, McpServer};
use crate::setup::{ENV_KEY, PROVIDER_ID};

/// The layers of one Codex configuration, highest precedence first, each with its file when
/// known.
#[derive(Debug, Clone, Default)]
pub struct Layers<'a> {
    layers: Vec<&'a ConfigDocument>,
    paths: Vec<Option<&'a Path>>,
}

impl<'a> Layers<'a> {
    /// The profile's file (if any) over `config.toml`.
    pub fn new(profile: Option<&'a ConfigDocument>, base: Option<&'a ConfigDocument>) -> Self {
        let layers: Vec<&ConfigDocument> = profile.into_iter().chain(base).collect();
        Self {
            paths: vec![None; layers.len()],
            layers,
        }
    }

    /// Every layer with its file, highest precedence first (`None`s skipped).
    pub fn of(layers: impl IntoIterator<Item = (&'a Path, Option<&'a ConfigDocument>)>) -> Self {
        let (paths, layers) = layers
            .into_iter()
            .filter_map(|(p, d)| d.map(|d| (Some(p), d)))
            .unzip();
        Self { layers, paths }
    }

    /// The file and line that set the item at `path` (the highest layer that has it).
    pub fn located(&self, path: &[&str]) -> Option<(Option<&'a Path>, Option<usize>)> {
        self.layers
            .iter()
            .zip(&self.paths)
            .find(|(d, _)| d.item_at(path).is_some())
            .map(|(d, p)| (*p, d.line_of(path)))
    }

    /// The documents, highest precedence first, with their files.
    pub fn documents(&self) -> impl Iterator<Item = (Option<&'a Path>, &'a ConfigDocument)> + '_ {
        self.paths.iter().copied().zip(self.layers.iter().copied())
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// A top-level item, from the highest layer that sets it.
    pub fn root(&self, key: &str) -> Option<&'a Item> {
        self.layers.iter().find_map(|d| d.document().get(key))
    }

    pub fn root_str(&self, key: &str) -> Option<&'a str> {
        self.root(key).and_then(Item::as_str)
    }

    /// An item at a path of keys (`["model_providers", id, field]`), from the highest layer
    /// that has it.
    pub fn item_at(&self, path: &[&str]) -> Option<&'a Item> {
        self.layers.iter().find_map(|d| d.item_at(path))
    }

    /// A field of `[model_providers.<id>]`, from the highest layer that sets it.
    pub fn provider_field(&self, id: &str, field: &str) -> Option<&'a Item> {
        self.item_at(&["model_providers", id, field])
    }

    pub fn provider_str(&self, id: &str, field: &str) -> Option<&'a str> {
        self.provider_field(id, field).and_then(Item::as_str)
    }

    /// Every field name of `[model_providers.<id>]` across layers (`None`: no layer has it).
    pub fn provider_fields(&self, id: &str) -> Option<Vec<String>> {
        let mut found = false;
        let mut names: Vec<String> = Vec::new();
        for d in &self.layers {
            let Some(table) = d
                .item_at(&["model_providers", id])
                .and_then(Item::as_table_like)
            else {
                continue;
            };
            found = true;
            for (k, _) in table.iter() {
                if !names.iter().any(|n| n == k) {
                    names.push(k.to_string());
                }
            }
        }
        found.then_some(names)
    }

    /// Provider ids defined as tables in any layer.
    pub fn provider_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for d in &self.layers {
            if let Some(t) = d
                .item_at(&["model_providers"])
                .and_then(Item::as_table_like)
            {
                for (k, _) in t.iter() {
                    if !ids.iter().any(|i| i == k) {
                        ids.push(k.to_string());
                    }
                }
            }
        }
        ids
    }

    /// The variable ModelGates' key is read from (`env_key`, else `MODELGATES_API_KEY`).
    pub fn env_key(&self) -> String {
        self.provider_str(PROVIDER_ID, "env_key")
            .filter(|s| !s.is_empty())
            .unwrap_or(ENV_KEY)
            .to_string()
    }

    pub fn base_url(&self) -> Option<String> {
        self.provider_str(PROVIDER_ID, "base_url")
            .map(str::to_string)
    }

    /// The `mcp_servers.<name>` entry, each field from the highest layer that sets it (as Codex
    /// merges the layers), if any layer has the entry.
    pub fn mcp_server(&self, name: &str) -> Option<McpServer> {
        self.layers
            .iter()
            .filter_map(|d| d.mcp_server(name))
            .reduce(|high, low| McpServer {
                url: high.url.or(low.url),
                command: high.command.or(low.command),
                enabled: high.enabled.or(low.enabled),
                is_table: high.is_table,
            })
    }

    /// Whether the highest layer has its own entry for the MCP server `name`.
    pub fn top_layer_has_mcp_server(&self, name: &str) -> bool {
        self.layers
            .first()
            .is_some_and(|d| d.mcp_server(name).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> ConfigDocument {
        ConfigDocument::parse(text).unwrap()
    }

    #[test]
    fn the_highest_layer_wins_and_tables_merge() {
        let base = doc(
            "model = \"a\"\n[model_providers.modelgates]\nname = \"M\"\nbase_url = \"https://b\"\n",
        );
        let prof = doc("model = \"b\"\n[model_providers.modelgates]\nbase_url = \"https://p\"\n");
        let layers = Layers::new(Some(&prof), Some(&base));
        assert_eq!(layers.root_str("model"), Some("b"));
        assert_eq!(layers.base_url().as_deref(), Some("https://p"));
        assert_eq!(layers.provider_str(PROVIDER_ID, "name"), Some("M"));
        assert_eq!(
            layers.provider_fields(PROVIDER_ID).unwrap(),
            ["base_url", "name"]
        );
        assert_eq!(layers.env_key(), ENV_KEY);
    }
}
