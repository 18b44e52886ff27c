//! The typed Codex `config.toml` document: parse, edit verbs, no-op detection, render.
//!
//! This module is pure: it works on strings and knows nothing of files, locks or the terminal
//! (`config_file` does the IO). Every verb edits only the entry it owns and leaves every other
//! byte alone: comments, blank lines, ordering, quoting, inline tables, dotted keys, CRLF line
//! endings and a missing final newline. `toml_edit` keeps most of that by itself; the rest
//! (line endings, final newline, BOM) is restored by [`ConfigDocument::render`], which maps the
//! lines `toml_edit` did not change back to the original bytes.

use std::fmt;

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// A `config.toml` that could not be read as TOML (or as UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
    /// The parser's message.
    pub message: String,
    /// The offending line, for display.
    pub source_line: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// A typed edit that could not be made because the document has an unexpected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// Dotted path of the offending item, e.g. `projects`.
    pub path: String,
    /// What was expected there.
    pub expected: &'static str,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not {}\nhint: fix or remove `{}` by hand (nothing was written), then run the command again",
            self.path, self.expected, self.path
        )
    }
}

impl std::error::Error for ShapeError {}

/// `trust_level` values Codex accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustLevel {
    Trusted,
    Untrusted,
}

impl TrustLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustLevel::Trusted => "trusted",
            TrustLevel::Untrusted => "untrusted",
        }
    }
}

/// One `[projects."<key>"]` entry as found in the document, in whatever spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustEntry {
    /// The key exactly as Codex will compare it.
    pub key: String,
    /// The `trust_level` value, if it is a string.
    pub level: Option<String>,
}

/// One `[mcp_servers.<name>]` entry as found in the document, in whatever spelling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct McpServer {
    /// `url` (a streamable HTTP server), if it is a string.
    pub url: Option<String>,
    /// `command` (a stdio server), if it is a string.
    pub command: Option<String>,
    /// `enabled`, if it is a boolean (Codex's default is `true`).
    pub enabled: Option<bool>,
    /// Whether the entry is a table at all (`name = "x"` is not, and Codex refuses it).
    pub is_table: bool,
}

/// The parsed document plus what is needed to write it back byte for byte.
#[derive(Debug, Clone)]
pub struct ConfigDocument {
    /// The text as read (without a BOM).
    original: String,
    /// Whether the file started with a UTF-8 byte order mark.
    bom: bool,
    doc: DocumentMut,
    /// `toml_edit`'s rendering of the unedited document, taken just before the first change
    /// (verbs that find everything already so change nothing and render nothing).
    baseline: Option<String>,
}

const BOM: &str = "\u{feff}";

impl ConfigDocument {
    /// An empty document (a config file that does not exist yet).
    pub fn empty() -> Self {
        Self::parse("").expect("the empty document parses")
    }

    /// Parses raw file bytes: UTF-8 (an optional BOM is kept), TOML 1.1.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::parse(text),
            Err(err) => {
                let valid = &bytes[..err.valid_up_to()];
                let valid = std::str::from_utf8(valid).unwrap_or_default();
                let (line, column) = line_column(valid, valid.len());
                let source_line = valid.rsplit('\n').next().unwrap_or_default().to_string();
                Err(ParseError {
                    line,
                    column,
                    message: "the file is not valid UTF-8 (Codex reads config.toml as UTF-8)"
                        .into(),
                    source_line,
                })
            }
        }
    }

    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let doc: DocumentMut = body.parse().map_err(|err: toml_edit::TomlError| {
            let offset = err.span().map(|s| s.start).unwrap_or(0).min(body.len());
            let (line, column) = line_column(body, offset);
            let source_line = body.lines().nth(line - 1).unwrap_or_default().to_string();
            ParseError {
                line,
                column,
                message: err.message().trim().to_string(),
                source_line,
            }
        })?;
        Ok(Self {
            original: body.to_string(),
            bom,
            doc,
            baseline: None,
        })
    }

    /// The text as read (with its BOM, if any).
    pub fn original_text(&self) -> String {
        if self.bom {
            format!("{BOM}{}", self.original)
        } else {
            self.original.clone()
        }
    }

    /// Read-only access to the parsed tree.
    pub fn document(&self) -> &DocumentMut {
        &self.doc
    }

    /// Whether any verb changed the document.
    pub fn is_changed(&self) -> bool {
        self.baseline
            .as_ref()
            .is_some_and(|baseline| self.doc.to_string() != *baseline)
    }

    /// Called by every verb before its first mutation.
    fn touch(&mut self) {
        if self.baseline.is_none() {
            self.baseline = Some(self.doc.to_string());
        }
    }

    /// The text to write: `toml_edit`'s rendering, with every line it did not change restored
    /// to its original bytes (line endings included) and new lines using the file's line ending.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.original.len() + 256);
        if self.bom {
            out.push_str(BOM);
        }
        let edited = self.baseline.as_ref().map(|b| (b, self.doc.to_string()));
        match edited {
            Some((baseline, edited)) if edited != *baseline => {
                out.push_str(&restore_lines(&self.original, baseline, &edited));
            }
            _ => out.push_str(&self.original),
        }
        out
    }

    // ----- top-level keys -------------------------------------------------------------------

    /// The string value of a top-level key, if it is a string.
    pub fn root_str(&self, key: &str) -> Option<&str> {
        self.doc.get(key).and_then(Item::as_str)
    }

    /// Sets a top-level string key. An existing key is changed in place (its comment and quoting
    /// style kept); a new one goes after the last top-level key, above the first table header.
    pub fn set_root_str(&mut self, key: &str, value: &str) {
        let new = string_value(value);
        self.set_root_value(key, new);
    }

    /// Sets a top-level key to any value (see [`Self::set_root_str`]).
    pub fn set_root_value(&mut self, key: &str, value: Value) {
        if matches!(self.doc.get(key), Some(Item::Value(old)) if same_value(old, &value)) {
            return;
        }
        self.touch();
        let root = self.doc.as_table_mut();
        if let Some(Item::Value(old)) = root.get_mut(key) {
            replace_value(old, value);
            return;
        }
        let had_root_values = root.iter().any(|(_, item)| is_root_line_item(item));
        root.remove(key);
        root.insert(key, Item::Value(value));
        if !had_root_values {
            self.place_first_root_value(key);
        }
    }

    /// Removes a top-level key. Returns whether it was there.
    pub fn remove_root(&mut self, key: &str) -> bool {
        match self.doc.get(key) {
            Some(Item::Value(_)) => {
                self.touch();
                self.doc.as_table_mut().remove(key).is_some()
            }
            _ => false,
        }
    }

    /// The first key would otherwise land above any leading comments (including a `#:schema`
    /// directive) and glued to the first header. Keep a leading comment block (one that ends
    /// with a blank line, or a `#:schema` line) first, and separate the keys from the first table
    /// with a blank line.
    fn place_first_root_value(&mut self, key: &str) {
        let Some(first_pos) = first_table_position(self.doc.as_table()) else {
            // No table at all: comments in the file are trailing text; keep a leading block of
            // them above the new key.
            let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
            let (lead, rest) = split_leading_block(&trailing);
            if !lead.is_empty() {
                let rest = rest.to_string();
                self.doc.set_trailing(rest);
                if let Some(mut k) = self.doc.as_table_mut().key_mut(key) {
                    k.leaf_decor_mut().set_prefix(lead);
                }
            }
            return;
        };
        let Some(first) = find_table_at_position(self.doc.as_table_mut(), first_pos) else {
            return;
        };
        let prefix = first
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string();
        let (lead, rest) = split_leading_block(&prefix);
        let rest = if rest.starts_with('\n') || rest.starts_with("\r\n") {
            rest.to_string()
        } else {
            format!("\n{rest}")
        };
        first.decor_mut().set_prefix(rest);
        // The key itself carries the leading block as its prefix.
        if !lead.is_empty() {
            if let Some(mut k) = self.doc.as_table_mut().key_mut(key) {
                k.leaf_decor_mut().set_prefix(lead);
            }
        }
    }

    // ----- model providers ------------------------------------------------------------------

    /// Sets fields of `[model_providers.<id>]`, wherever and however it is spelled, creating the
    /// table at the end of the file if there is none. Other fields of the table are kept.
    pub fn set_provider_fields(
        &mut self,
        id: &str,
        fields: &[(&str, Value)],
    ) -> Result<(), ShapeError> {
        if fields
            .iter()
            .all(|(key, value)| self.child_field_is("model_providers", id, key, value))
        {
            return Ok(());
        }
        let mut entry = self.ensure_child_table("model_providers", id)?;
        for (key, value) in fields {
            entry.set(key, value.clone());
        }
        Ok(())
    }

    /// A string field of `[model_providers.<id>]`.
    pub fn provider_str(&self, id: &str, field: &str) -> Option<&str> {
        self.doc
            .get("model_providers")
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(id))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(field))
            .and_then(Item::as_str)
    }

    /// Removes one field of `[model_providers.<id>]`. Returns whether it was there.
    pub fn remove_provider_field(&mut self, id: &str, field: &str) -> bool {
        let exists = self
            .doc
            .get("model_providers")
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(id))
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.contains_key(field));
        if !exists {
            return false;
        }
        self.touch();
        self.doc
            .get_mut("model_providers")
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.get_mut(id))
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.remove(field))
            .is_some()
    }

    /// Removes `[model_providers.<id>]`. Returns whether it was there.
    pub fn remove_provider(&mut self, id: &str) -> bool {
        self.remove_child("model_providers", id)
    }

    // ----- project trust --------------------------------------------------------------------

    /// Every `projects` entry, in document order, in any spelling.
    pub fn trust_entries(&self) -> Vec<TrustEntry> {
        let Some(projects) = self.doc.get("projects").and_then(Item::as_table_like) else {
            return Vec::new();
        };
        projects
            .iter()
            .map(|(key, item)| TrustEntry {
                key: key.to_string(),
                level: item
                    .as_table_like()
                    .and_then(|t| t.get("trust_level"))
                    .and_then(Item::as_str)
                    .map(str::to_string),
            })
            .collect()
    }

    /// The `trust_level` of one project key, if the entry exists and holds a string.
    pub fn trust_level(&self, key: &str) -> Option<&str> {
        self.doc
            .get("projects")
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(key))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get("trust_level"))
            .and_then(Item::as_str)
    }

    /// Sets `projects."<key>".trust_level`. Other keys of an existing entry stay.
    pub fn set_trust(&mut self, key: &str, level: TrustLevel) -> Result<(), ShapeError> {
        let value = string_value(level.as_str());
        if self.child_field_is("projects", key, "trust_level", &value) {
            return Ok(());
        }
        self.ensure_child_table("projects", key)?
            .set("trust_level", value);
        Ok(())
    }

    /// Removes the `projects."<key>"` entry. Returns whether it was there.
    pub fn remove_trust(&mut self, key: &str) -> bool {
        self.remove_child("projects", key)
    }

    // ----- MCP servers ----------------------------------------------------------------------

    /// The `mcp_servers.<name>` entry, in any spelling (`[mcp_servers.x]`, dotted keys, an inline
    /// table), if there is one.
    pub fn mcp_server(&self, name: &str) -> Option<McpServer> {
        let item = self
            .doc
            .get("mcp_servers")
            .and_then(Item::as_table_like)?
            .get(name)?;
        let Some(table) = item.as_table_like() else {
            return Some(McpServer::default());
        };
        let text = |key: &str| table.get(key).and_then(Item::as_str).map(str::to_string);
        Some(McpServer {
            url: text("url"),
            command: text("command"),
            enabled: table.get("enabled").and_then(Item::as_bool),
            is_table: true,
        })
    }

    /// The `url` of `mcp_servers.<name>`, if the entry exists and holds a string there.
    pub fn mcp_server_url(&self, name: &str) -> Option<&str> {
        self.doc
            .get("mcp_servers")
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(name))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get("url"))
            .and_then(Item::as_str)
    }

    /// Sets `mcp_servers.<name>.url`, as `codex mcp add <name> --url <url>` does: a new entry is
    /// a `[mcp_servers.<name>]` table after its sibling servers, or at the end of the file (in
    /// the spelling already used for `mcp_servers`, when it is inline or dotted). Other keys of
    /// an existing entry stay; whether to touch an entry that is not ours is the caller's call.
    pub fn set_mcp_server_url(&mut self, name: &str, url: &str) -> Result<(), ShapeError> {
        let value = string_value(url);
        if self.child_field_is("mcp_servers", name, "url", &value) {
            return Ok(());
        }
        self.ensure_child_table("mcp_servers", name)?
            .set("url", value);
        Ok(())
    }

    /// Removes the `mcp_servers.<name>` entry (its sub-tables too). Returns whether it was there.
    pub fn remove_mcp_server(&mut self, name: &str) -> bool {
        self.remove_child("mcp_servers", name)
    }

    // ----- shared mechanics -----------------------------------------------------------------

    /// Whether `<parent>.<child>.<field>` already holds `value` (as data).
    fn child_field_is(&self, parent: &str, child: &str, field: &str, value: &Value) -> bool {
        self.doc
            .get(parent)
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(child))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(field))
            .and_then(Item::as_value)
            .is_some_and(|old| same_value(old, value))
    }

    /// Finds or creates `<parent>.<child>` as a table-like entry, matching the spelling already
    /// used: an inline `parent = { ... }` gets an inline entry, a dotted `parent.x.y = ...` gets
    /// a dotted entry, `[parent]` with inline entries gets an inline entry, anything else gets a
    /// `[parent."child"]` table. Never creates a second definition or an empty parent header.
    fn ensure_child_table(
        &mut self,
        parent: &str,
        child: &str,
    ) -> Result<ChildMut<'_>, ShapeError> {
        self.touch();
        let last_position = max_table_position(self.doc.as_table());
        let root = self.doc.as_table_mut();
        if !root.contains_key(parent) {
            let mut implicit = Table::new();
            implicit.set_implicit(true);
            root.insert(parent, Item::Table(implicit));
        }
        let parent_item = root.get_mut(parent).expect("inserted above");
        let parent_path = parent.to_string();
        match parent_item {
            Item::Table(table) => {
                let existing_ok = table.get(child).is_some_and(|i| i.is_table_like());
                if !existing_ok {
                    table.remove(child);
                    let new_item = if table.is_dotted() {
                        let mut t = Table::new();
                        t.set_dotted(true);
                        Item::Table(t)
                    } else if !table.is_implicit()
                        && !table.is_empty()
                        && table.iter().all(|(_, i)| i.is_inline_table())
                    {
                        Item::Value(Value::InlineTable(InlineTable::new()))
                    } else {
                        let mut t = Table::new();
                        if table.iter().all(|(_, i)| !i.is_table()) {
                            // No sibling tables to group with: append at the end of the file.
                            t.set_position(Some(last_position + 1));
                        }
                        Item::Table(t)
                    };
                    table.insert(child, new_item);
                }
                Ok(match table.get_mut(child) {
                    Some(Item::Table(t)) => ChildMut::Table(t),
                    Some(Item::Value(Value::InlineTable(t))) => ChildMut::Inline(t),
                    _ => unreachable!("table-like by construction"),
                })
            }
            Item::Value(Value::InlineTable(inline)) => {
                let existing_ok = inline.get(child).is_some_and(|v| v.is_inline_table());
                if !existing_ok {
                    inline.remove(child);
                    insert_inline(inline, child, Value::InlineTable(InlineTable::new()));
                }
                Ok(ChildMut::Inline(
                    inline
                        .get_mut(child)
                        .and_then(Value::as_inline_table_mut)
                        .expect("inline table by construction"),
                ))
            }
            _ => Err(ShapeError {
                path: parent_path,
                expected: "a table",
            }),
        }
    }

    fn remove_child(&mut self, parent: &str, child: &str) -> bool {
        let exists = self
            .doc
            .get(parent)
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.contains_key(child));
        if !exists {
            return false;
        }
        self.touch();
        let removed = {
            let Some(parent_item) = self.doc.as_table_mut().get_mut(parent) else {
                return false;
            };
            match parent_item {
                Item::Table(table) => table.remove(child),
                Item::Value(Value::InlineTable(inline)) => {
                    remove_inline(inline, child).map(Item::Value)
                }
                _ => None,
            }
        };
        let Some(removed) = removed else {
            return false;
        };
        // Comments above a removed `[table]` header may introduce what follows: keep them.
        if let Item::Table(table) = &removed {
            let prefix = table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("");
            if prefix.contains('#') {
                self.keep_orphaned_comments(table.position(), prefix.to_string());
            }
        }
        // Drop a parent that we emptied and that has no header of its own.
        if let Some(Item::Table(t)) = self.doc.get(parent) {
            if t.is_empty() && (t.is_implicit() || t.is_dotted()) {
                self.doc.as_table_mut().remove(parent);
            }
        }
        true
    }

    fn keep_orphaned_comments(&mut self, position: Option<isize>, prefix: String) {
        let next = position.and_then(|pos| {
            let mut best: Option<isize> = None;
            visit_tables(self.doc.as_table(), &mut |t| {
                if let Some(p) = t.position() {
                    if p > pos && best.is_none_or(|b| p < b) {
                        best = Some(p);
                    }
                }
            });
            best
        });
        match next.and_then(|p| find_table_at_position(self.doc.as_table_mut(), p)) {
            Some(table) => {
                let old = table
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("\n")
                    .to_string();
                table
                    .decor_mut()
                    .set_prefix(format!("{prefix}{}", old.trim_start_matches('\n')));
            }
            None => {
                let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
                self.doc.set_trailing(format!("{prefix}{trailing}"));
            }
        }
    }
}

/// Whether a root item renders on its own line in the root section (above the first header).
fn is_root_line_item(item: &Item) -> bool {
    match item {
        Item::Value(_) => true,
        Item::Table(t) => t.is_dotted(),
        _ => false,
    }
}

/// A string value rendered the way `toml_edit` would by default.
fn string_value(value: &str) -> Value {
    Value::from(value)
}

/// Replaces `old` by `new`, keeping the old value's decor (spacing and trailing comment) and,
/// for strings, its quoting style where the new content allows it.
fn replace_value(old: &mut Value, new: Value) {
    let decor = old.decor().clone();
    let mut new = match (&*old, new) {
        (Value::String(old_s), Value::String(new_s)) => {
            let literal = old_s
                .as_repr()
                .and_then(|r| r.as_raw().as_str())
                .is_some_and(|raw| raw.starts_with('\'') && !raw.starts_with("'''"));
            let content = new_s.value();
            if literal
                && !content.contains('\'')
                && !content.contains('\n')
                && !content.contains('\r')
            {
                format!("'{content}'")
                    .parse::<Value>()
                    .unwrap_or(Value::String(new_s))
            } else {
                Value::String(new_s)
            }
        }
        (_, other) => other,
    };
    if old.to_string().trim() == new.to_string().trim() || same_value(old, &new) {
        return;
    }
    *new.decor_mut() = decor;
    *old = new;
}

/// Whether two values are equal as data (so an equal write keeps the original spelling).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::Boolean(x), Value::Boolean(y)) => x.value() == y.value(),
        (Value::Float(x), Value::Float(y)) => x.value() == y.value(),
        _ => false,
    }
}

/// A `[parent.child]` entry being edited, in either spelling.
enum ChildMut<'a> {
    Table(&'a mut Table),
    Inline(&'a mut InlineTable),
}

impl ChildMut<'_> {
    /// Sets one field, in place when it exists.
    fn set(&mut self, key: &str, value: Value) {
        match self {
            ChildMut::Table(table) => match table.get_mut(key) {
                Some(Item::Value(old)) => replace_value(old, value),
                _ => {
                    table.remove(key);
                    table.insert(key, Item::Value(value));
                }
            },
            ChildMut::Inline(inline) => match inline.get_mut(key) {
                Some(old) => replace_value(old, value),
                None => insert_inline(inline, key, value),
            },
        }
    }
}

/// Appends to an inline table so that the spacing before the closing `}` stays at the end
/// (`{ a = 1 }` + b gives `{ a = 1, b = 2 }`, not `{ a = 1 , b = 2}`).
fn insert_inline(inline: &mut InlineTable, key: &str, mut value: Value) {
    let closing = inline.iter_mut().last().and_then(|(_, last)| {
        let suffix = last
            .decor()
            .suffix()
            .and_then(|s| s.as_str())
            .map(str::to_string)?;
        (!suffix.is_empty() && suffix.trim().is_empty()).then(|| {
            last.decor_mut().set_suffix("");
            suffix
        })
    });
    if let Some(closing) = closing {
        value.decor_mut().set_suffix(closing);
    }
    inline.insert(key, value);
}

/// Removes from an inline table, the inverse of [`insert_inline`]: when the last entry goes, the
/// spacing it held before the closing `}` moves to the new last entry (`{ a = 1, b = 2 }` minus
/// b gives `{ a = 1 }`, not `{ a = 1}`).
fn remove_inline(inline: &mut InlineTable, key: &str) -> Option<Value> {
    let was_last = inline.iter().last().is_some_and(|(k, _)| k == key);
    let removed = inline.remove(key)?;
    let closing = removed
        .decor()
        .suffix()
        .and_then(|s| s.as_str())
        .filter(|s| !s.is_empty() && s.trim().is_empty())
        .map(str::to_string);
    if let (true, Some(closing)) = (was_last, closing) {
        if let Some((_, last)) = inline.iter_mut().last() {
            let bare = last
                .decor()
                .suffix()
                .and_then(|s| s.as_str())
                .is_none_or(str::is_empty);
            if bare {
                last.decor_mut().set_suffix(closing);
            }
        }
    }
    Some(removed)
}

fn visit_tables<'a>(table: &'a Table, f: &mut dyn FnMut(&'a Table)) {
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => {
                f(t);
                visit_tables(t, f);
            }
            Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    f(t);
                    visit_tables(t, f);
                }
            }
            _ => {}
        }
    }
}

/// The position of the first table that renders a header.
fn first_table_position(root: &Table) -> Option<isize> {
    let mut best: Option<isize> = None;
    visit_tables(root, &mut |t| {
        if !t.is_implicit() && !t.is_dotted() {
            if let Some(p) = t.position() {
                if best.is_none_or(|b| p < b) {
                    best = Some(p);
                }
            }
        }
    });
    best
}

fn max_table_position(root: &Table) -> isize {
    let mut max = 0;
    visit_tables(root, &mut |t| {
        if let Some(p) = t.position() {
            max = max.max(p);
        }
    });
    max
}

fn find_table_at_position(table: &mut Table, pos: isize) -> Option<&mut Table> {
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => {
                if t.position() == Some(pos) && !t.is_implicit() && !t.is_dotted() {
                    return Some(t);
                }
                if let Some(found) = find_table_at_position(t, pos) {
                    return Some(found);
                }
            }
            Item::ArrayOfTables(a) => {
                for t in a.iter_mut() {
                    if t.position() == Some(pos) {
                        return Some(t);
                    }
                    if let Some(found) = find_table_at_position(t, pos) {
                        return Some(found);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits the decor above the first header into a leading block that stays at the top of the
/// file (comment lines followed by a blank line, or a `#:schema` directive) and the rest.
fn split_leading_block(prefix: &str) -> (String, &str) {
    let mut end = 0;
    let mut in_block = false;
    let mut lead_end = 0;
    for line in prefix.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("#:schema") && end == 0 {
            lead_end = line.len();
            in_block = true;
        } else if trimmed.starts_with('#') {
            in_block = true;
        } else if trimmed.is_empty() && in_block {
            // A blank line ends a comment block: everything so far stays on top.
            lead_end = end + line.len();
            in_block = false;
        }
        end += line.len();
    }
    let lead = &prefix[..lead_end];
    // The blank line that closed the block stays with the block; the keys follow it.
    (lead.to_string(), &prefix[lead_end..])
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Splits text into lines, each with its ending (`"\n"`, `"\r\n"` or `""` for a last line).
fn split_lines(text: &str) -> Vec<(&str, &str)> {
    text.split_inclusive('\n')
        .map(|line| {
            if let Some(body) = line.strip_suffix("\r\n") {
                (body, "\r\n")
            } else if let Some(body) = line.strip_suffix('\n') {
                (body, "\n")
            } else {
                (line, "")
            }
        })
        .collect()
}

/// The line ending new lines should use: CRLF if the file mostly uses it.
fn dominant_ending(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count() - crlf;
    if crlf > lf {
        "\r\n"
    } else {
        "\n"
    }
}

/// Rebuilds the edited text from the original: lines `toml_edit` kept come back as the original
/// bytes (with their own endings); inserted lines use the file's dominant ending.
fn restore_lines(original: &str, baseline: &str, edited: &str) -> String {
    let orig = split_lines(original);
    let base = split_lines(baseline);
    let orig_bodies: Vec<&str> = orig.iter().map(|l| l.0).collect();
    let base_bodies: Vec<&str> = base.iter().map(|l| l.0).collect();
    let ending = dominant_ending(original);
    let edit = split_lines(edited);
    let edit_bodies: Vec<&str> = edit.iter().map(|l| l.0).collect();
    if orig_bodies != base_bodies {
        // toml_edit changed more than line endings on its own (not seen in practice): fall back
        // to its rendering with the file's line ending.
        return edit
            .iter()
            .map(|(body, end)| format!("{body}{}", if end.is_empty() { "" } else { ending }))
            .collect();
    }
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &base_bodies, &edit_bodies);
    let mut lines: Vec<(&str, &str)> = Vec::with_capacity(edit.len());
    for op in ops {
        match op {
            similar::DiffOp::Equal { old_index, len, .. } => {
                lines.extend_from_slice(&orig[old_index..old_index + len]);
            }
            similar::DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for (body, _) in &edit[new_index..new_index + new_len] {
                    lines.push((body, ending));
                }
            }
            similar::DiffOp::Replace {
                new_index, new_len, ..
            } => {
                for (body, _) in &edit[new_index..new_index + new_len] {
                    lines.push((body, ending));
                }
            }
            similar::DiffOp::Delete { .. } => {}
        }
    }
    let missing_final_newline = !original.is_empty() && !original.ends_with('\n');
    let mut out = String::with_capacity(edited.len() + lines.len());
    let count = lines.len();
    for (i, (body, end)) in lines.into_iter().enumerate() {
        out.push_str(body);
        let last = i + 1 == count;
        if !last || !missing_final_newline {
            out.push_str(if end.is_empty() { ending } else { end });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, f: impl FnOnce(&mut ConfigDocument)) -> String {
        let mut doc = ConfigDocument::parse(text).unwrap();
        f(&mut doc);
        doc.render()
    }

    #[test]
    fn root_key_goes_above_first_header() {
        let out = edit("[x]\ny = 1\n", |d| d.set_root_str("model", "m"));
        assert_eq!(out, "model = \"m\"\n\n[x]\ny = 1\n");
    }

    #[test]
    fn root_key_follows_existing_root_keys() {
        let out = edit("a = 1\n\n[x]\ny = 1\n", |d| d.set_root_str("model", "m"));
        assert_eq!(out, "a = 1\nmodel = \"m\"\n\n[x]\ny = 1\n");
    }

    #[test]
    fn schema_directive_stays_first() {
        let out = edit("#:schema https://x\n\n[x]\n", |d| {
            d.set_root_str("model", "m")
        });
        assert_eq!(out, "#:schema https://x\n\nmodel = \"m\"\n\n[x]\n");
    }

    #[test]
    fn comment_attached_to_first_header_stays_attached() {
        let out = edit("# about x\n[x]\n", |d| d.set_root_str("model", "m"));
        assert_eq!(out, "model = \"m\"\n\n# about x\n[x]\n");
    }

    #[test]
    fn existing_value_keeps_comment_and_quoting() {
        let out = edit("model = 'a'   # mine\n", |d| d.set_root_str("model", "b"));
        assert_eq!(out, "model = 'b'   # mine\n");
    }

    #[test]
    fn equal_value_is_a_no_op() {
        let mut doc = ConfigDocument::parse("model = 'a' # c\n").unwrap();
        doc.set_root_str("model", "a");
        assert!(!doc.is_changed());
    }

    #[test]
    fn crlf_is_kept_for_new_lines() {
        let out = edit("a = 1\r\n\r\n[x]\r\ny = 1\r\n", |d| {
            d.set_root_str("model", "m");
            d.set_trust("/p", TrustLevel::Trusted).unwrap();
        });
        assert_eq!(
            out,
            "a = 1\r\nmodel = \"m\"\r\n\r\n[x]\r\ny = 1\r\n\r\n[projects.\"/p\"]\r\ntrust_level = \"trusted\"\r\n"
        );
    }

    #[test]
    fn missing_final_newline_is_kept() {
        let out = edit("a = 1\n[x]\ny = 1", |d| d.set_root_str("model", "m"));
        assert_eq!(out, "a = 1\nmodel = \"m\"\n[x]\ny = 1");
    }

    #[test]
    fn inline_projects_get_inline_entry() {
        let out = edit(
            "projects = { \"/a\" = { trust_level = \"trusted\" } } # c\n",
            |d| d.set_trust("/b", TrustLevel::Untrusted).unwrap(),
        );
        assert_eq!(
            out,
            "projects = { \"/a\" = { trust_level = \"trusted\" }, \"/b\" = { trust_level = \"untrusted\" } } # c\n"
        );
    }

    #[test]
    fn dotted_projects_get_dotted_entry() {
        let out = edit("projects.\"/a\".trust_level = \"trusted\"\n\n[x]\n", |d| {
            d.set_trust("/b", TrustLevel::Trusted).unwrap()
        });
        assert_eq!(
            out,
            "projects.\"/a\".trust_level = \"trusted\"\nprojects.\"/b\".trust_level = \"trusted\"\n\n[x]\n"
        );
    }

    #[test]
    fn parse_error_has_line_and_column() {
        let err = ConfigDocument::parse("a = 1\nb = \"x\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 7));
    }

    #[test]
    fn non_utf8_is_an_error_with_position() {
        let err = ConfigDocument::from_bytes(b"a = 1\nb = \"\xff\"\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 6));
    }

    #[test]
    fn leading_comments_of_a_file_without_tables_stay_first() {
        let out = edit("# my settings\n\n# more\n", |d| {
            d.set_root_str("model", "m")
        });
        assert_eq!(out, "# my settings\n\nmodel = \"m\"\n# more\n");
    }

    #[test]
    fn a_projects_key_that_is_not_a_table_is_an_error() {
        let mut doc = ConfigDocument::parse("projects = \"x\"\n").unwrap();
        let err = doc.set_trust("/p", TrustLevel::Trusted).unwrap_err();
        assert_eq!(err.path, "projects");
        assert!(!doc.is_changed());
    }

    #[test]
    fn bom_is_kept() {
        let out = edit("\u{feff}a = 1\n", |d| d.set_root_str("model", "m"));
        assert_eq!(out, "\u{feff}a = 1\nmodel = \"m\"\n");
    }

    #[test]
    fn removing_the_only_trust_entry_leaves_no_empty_header() {
        let out = edit(
            "a = 1\n\n[projects.\"/a\"]\ntrust_level = \"trusted\"\n",
            |d| {
                assert!(d.remove_trust("/a"));
            },
        );
        assert_eq!(out, "a = 1\n");
    }

    const DOCS: &str = "https://modelgates.ai/docs/_mcp/server";

    #[test]
    fn mcp_server_goes_at_the_end_with_one_blank_line_as_codex_writes_it() {
        let out = edit("model = \"o3\"\n\n[tui]\nx = 1\n", |d| {
            d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
        });
        assert_eq!(
            out,
            format!("model = \"o3\"\n\n[tui]\nx = 1\n\n[mcp_servers.modelgates-docs]\nurl = \"{DOCS}\"\n")
        );
    }

    #[test]
    fn mcp_server_in_an_empty_file_has_no_blank_line_above() {
        let out = edit("", |d| {
            d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
        });
        assert_eq!(
            out,
            format!("[mcp_servers.modelgates-docs]\nurl = \"{DOCS}\"\n")
        );
    }

    #[test]
    fn mcp_server_joins_its_siblings_after_their_sub_tables() {
        let out = edit(
            "[mcp_servers.a]\ncommand = \"x\" # c\n\n[mcp_servers.a.env]\nK = \"v\"\n\n[tui]\nx = 1\n",
            |d| d.set_mcp_server_url("modelgates-docs", DOCS).unwrap(),
        );
        assert_eq!(
            out,
            format!("[mcp_servers.a]\ncommand = \"x\" # c\n\n[mcp_servers.a.env]\nK = \"v\"\n\n[mcp_servers.modelgates-docs]\nurl = \"{DOCS}\"\n\n[tui]\nx = 1\n")
        );
    }

    #[test]
    fn mcp_server_keeps_the_inline_and_dotted_spellings() {
        let out = edit("mcp_servers = { a = { command = \"x\" } }\n", |d| {
            d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
        });
        assert_eq!(
            out,
            format!("mcp_servers = {{ a = {{ command = \"x\" }}, modelgates-docs = {{ url = \"{DOCS}\" }} }}\n")
        );
        let out = edit("mcp_servers.a.command = \"x\"\n\n[tui]\n", |d| {
            d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
        });
        assert_eq!(
            out,
            format!("mcp_servers.a.command = \"x\"\nmcp_servers.modelgates-docs.url = \"{DOCS}\"\n\n[tui]\n")
        );
    }

    #[test]
    fn mcp_server_is_read_in_any_spelling() {
        for text in [
            "[mcp_servers.s]\nurl = \"https://u\"\nenabled = false\n",
            "mcp_servers = { s = { url = \"https://u\", enabled = false } }\n",
            "mcp_servers.s.url = \"https://u\"\nmcp_servers.s.enabled = false\n",
            "[mcp_servers]\ns = { url = \"https://u\", enabled = false }\n",
        ] {
            let doc = ConfigDocument::parse(text).unwrap();
            let server = doc.mcp_server("s").unwrap_or_else(|| panic!("{text}"));
            assert_eq!(server.url.as_deref(), Some("https://u"), "{text}");
            assert_eq!(server.enabled, Some(false), "{text}");
            assert_eq!(server.command, None, "{text}");
            assert!(server.is_table, "{text}");
            assert_eq!(doc.mcp_server_url("s"), Some("https://u"), "{text}");
            assert_eq!(doc.mcp_server("other"), None, "{text}");
        }
        let doc = ConfigDocument::parse("[mcp_servers]\ns = \"x\"\n").unwrap();
        assert!(!doc.mcp_server("s").unwrap().is_table);
        let doc = ConfigDocument::parse("[mcp_servers.s]\ncommand = \"npx\"\n").unwrap();
        assert_eq!(doc.mcp_server("s").unwrap().command.as_deref(), Some("npx"));
    }

    #[test]
    fn the_same_mcp_url_again_is_a_no_op() {
        let text = format!("[mcp_servers.modelgates-docs]\nurl = '{DOCS}' # mine\n");
        let mut doc = ConfigDocument::parse(&text).unwrap();
        doc.set_mcp_server_url("modelgates-docs", DOCS).unwrap();
        assert!(!doc.is_changed());
        assert_eq!(doc.render(), text);
    }

    #[test]
    fn adding_then_removing_an_mcp_server_gives_back_the_text() {
        for text in [
            "",
            "model = \"o3\"\n",
            "model = \"o3\"\n\n# trailing\n",
            "[mcp_servers.a]\ncommand = \"x\"\n\n[tui]\nx = 1\n",
            "mcp_servers = { a = { command = \"x\" } } # c\n",
            "a = 1\r\n\r\n[tui]\r\nx = 1",
        ] {
            let added = edit(text, |d| {
                d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
            });
            assert!(added.contains(DOCS), "{added}");
            let removed = edit(&added, |d| assert!(d.remove_mcp_server("modelgates-docs")));
            assert_eq!(removed, text);
        }
    }

    #[test]
    fn removing_an_mcp_server_keeps_its_neighbours() {
        let out = edit(
            "[mcp_servers.a]\ncommand = \"x\"\n\n[mcp_servers.modelgates-docs]\nurl = \"u\"\n\n[mcp_servers.modelgates-docs.tools.search]\napproval_mode = \"approve\"\n\n[mcp_servers.b]\nurl = \"v\"\n",
            |d| assert!(d.remove_mcp_server("modelgates-docs")),
        );
        assert_eq!(
            out,
            "[mcp_servers.a]\ncommand = \"x\"\n\n[mcp_servers.b]\nurl = \"v\"\n"
        );
        let mut doc = ConfigDocument::parse("model = \"o3\"\n").unwrap();
        assert!(!doc.remove_mcp_server("modelgates-docs"));
        assert!(!doc.is_changed());
    }

    #[test]
    fn an_mcp_servers_key_that_is_not_a_table_is_an_error() {
        let mut doc = ConfigDocument::parse("mcp_servers = 1\n").unwrap();
        let err = doc.set_mcp_server_url("modelgates-docs", DOCS).unwrap_err();
        assert_eq!(err.path, "mcp_servers");
        assert!(!doc.is_changed());
    }
}
