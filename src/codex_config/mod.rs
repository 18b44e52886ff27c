//! The typed Codex `config.toml` document: parse, edit verbs, no-op detection, render.
//!
//! Every edit is a splice into the original text: a verb finds, in the document's structural
//! [`index`], the spans of the items it owns (a value, a `key = value` line, a `[table]` and its
//! lines, an item of an inline table) and replaces, inserts or deletes text exactly there. Every
//! other byte stays as it was, whatever `toml_edit` would make of it when rendering a whole
//! file: comments, blank lines, order (interleaved dotted keys included), quoting, spacing
//! inside headers, CRLF or mixed line endings, a BOM, a missing final newline. New lines use the
//! file's dominant line ending.
//!
//! Reading: the verbs' own lookups go through the index; other modules read the whole tree as
//! `toml_edit` gives it ([`ConfigDocument::document`], parsed once, when first asked for).
//!
//! Pure: strings in, strings out. `config_file` does the IO.

mod index;
mod splice;

use splice::{key_repr, leading_block_len, value_repr};
use std::cell::OnceCell;
use std::fmt;

use toml_edit::{DocumentMut, Value};

pub use index::{Index, IndexError, NodeId, NodeKind, Scalar, TableKind};

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
        write!(f, "`{}` is not {}", self.path, self.expected)
    }
}

impl ShapeError {
    pub fn fix(&self) -> crate::problem::Fix {
        crate::problem::Fix::instruction(format!(
            "fix or remove `{}` by hand (nothing was written), then run the command again",
            self.path
        ))
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

/// The parsed document: its text as read, its text now, and the index of the text now.
#[derive(Debug, Clone)]
pub struct ConfigDocument {
    /// Whether the file started with a UTF-8 byte order mark (kept out of the texts).
    bom: bool,
    /// The text as read.
    original: String,
    /// The text after the edits so far.
    text: String,
    /// The structure of `text`: built eagerly after each edit when `strict`, else the next
    /// time it is needed (an edit of a large file then costs one indexing, not two).
    index: OnceCell<Index>,
    /// Re-validate the whole structure after every edit (the quick mode checks the syntax).
    strict: bool,
    /// `toml_edit`'s tree of `text`, for readers; built when first asked for.
    tree: OnceCell<DocumentMut>,
    /// The line ending new lines get (see [`Self::ending`]).
    ending: OnceCell<&'static str>,
}

const BOM: &str = "\u{feff}";

impl ConfigDocument {
    /// An empty document (a config file that does not exist yet).
    pub fn empty() -> Self {
        Self::parse("").expect("the empty document parses")
    }

    /// Parses raw file bytes: UTF-8 (an optional BOM is kept), TOML 1.1.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::parse(utf8(bytes)?)
    }

    /// Parses TOML text, validated both by the index and by `toml_edit` (whose tree the
    /// readers of [`Self::document`] get).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut doc = Self::parse_fast(text)?;
        doc.strict = true;
        let tree: DocumentMut = doc.text.parse().map_err(|err: toml_edit::TomlError| {
            let offset = err.span().map(|s| s.start).unwrap_or(0);
            parse_error(&doc.text, offset, err.message().trim())
        })?;
        let _ = doc.tree.set(tree);
        Ok(doc)
    }

    /// Parses raw bytes like [`Self::from_bytes`], validated by the index alone: for edits of
    /// large files that read nothing but what the verbs read. [`Self::document`] still works
    /// (it parses the tree when first called).
    pub fn from_bytes_fast(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::parse_fast(utf8(bytes)?)
    }

    fn parse_fast(text: &str) -> Result<Self, ParseError> {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let index = match Index::build(body) {
            Ok(index) => index,
            Err(err) => {
                // The error as `toml_edit` words it, when it refuses the text too.
                return Err(match body.parse::<DocumentMut>() {
                    Err(e) => parse_error(
                        body,
                        e.span().map(|s| s.start).unwrap_or(err.offset),
                        e.message().trim(),
                    ),
                    Ok(_) => parse_error(body, err.offset, &err.message),
                });
            }
        };
        Ok(Self {
            bom,
            original: body.to_string(),
            text: body.to_string(),
            index: OnceCell::from(index),
            strict: false,
            tree: OnceCell::new(),
            ending: OnceCell::new(),
        })
    }

    /// The structural index of the current text.
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            Index::build(&self.text).expect("an edit that passed its checks indexes")
        })
    }

    /// The text as read (with its BOM, if any).
    pub fn original_text(&self) -> String {
        self.with_bom(&self.original)
    }

    /// The whole tree, as `toml_edit` reads the current text.
    pub fn document(&self) -> &DocumentMut {
        self.tree.get_or_init(|| {
            self.text
                .parse()
                .expect("the index and toml_edit agree on what parses")
        })
    }

    /// The item at a path of keys (`["model_providers", id, field]`), through dotted keys,
    /// `[tables]` and inline tables alike; the one way every module looks a nested key up.
    pub fn item_at(&self, path: &[&str]) -> Option<&toml_edit::Item> {
        let (first, rest) = path.split_first()?;
        let mut item = self.document().get(first)?;
        for key in rest {
            item = item.as_table_like()?.get(key)?;
        }
        Some(item)
    }

    /// Whether any verb changed the document.
    pub fn is_changed(&self) -> bool {
        self.text != self.original
    }

    /// The text to write.
    pub fn render(&self) -> String {
        self.with_bom(&self.text)
    }

    fn with_bom(&self, text: &str) -> String {
        if self.bom {
            format!("{BOM}{text}")
        } else {
            text.to_string()
        }
    }

    /// The 1-based line where the item at `path` is written (its key), if the text has it.
    pub fn line_of(&self, path: &[&str]) -> Option<usize> {
        let id = self.index().get(path)?;
        let span = self.index().node(id).key_span()?;
        Some(self.text[..span.start].matches('\n').count() + 1)
    }

    // ----- top-level keys -------------------------------------------------------------------

    /// The string value of a top-level key, if it is a string.
    pub fn root_str(&self, key: &str) -> Option<&str> {
        self.str_at(&[key])
    }

    /// Sets a top-level string key. An existing key is changed in place (its comment and quoting
    /// style kept); a new one goes after the last top-level key, above the first table header.
    pub fn set_root_str(&mut self, key: &str, value: &str) -> Result<(), ShapeError> {
        self.set_root_value(key, Value::from(value))
    }

    /// Sets a top-level key to any value (see [`Self::set_root_str`]).
    pub fn set_root_value(&mut self, key: &str, value: Value) -> Result<(), ShapeError> {
        match self.index().get(&[key]) {
            Some(id) => self.replace_value(id, &value, key),
            None => {
                let (at, separator) = self.new_root_key_position();
                let mut line = format!("{} = {}", key_repr(key), value_repr(&value));
                if separator {
                    line.push_str(self.ending());
                }
                self.insert_lines(at, &[line])
            }
        }
    }

    /// Removes a top-level key. Returns whether it was there.
    pub fn remove_root(&mut self, key: &str) -> bool {
        match self.index().get(&[key]) {
            Some(id) if !self.index().node(id).is_table() => self.remove_path(&[key]),
            _ => false,
        }
    }

    /// Where a new top-level key goes: after the last top-level line; with none, above the
    /// first header but below a leading comment block (one that ends with a blank line, or a
    /// `#:schema` line). The flag says whether a blank line must separate it from what follows.
    fn new_root_key_position(&self) -> (usize, bool) {
        let root = &self.index().sections[0];
        if let Some(last) = root.entries().last() {
            return (self.index().entries[last].line.end, false);
        }
        let first_header = self.index().sections.get(1).map(|s| s.start());
        let region_end = first_header.unwrap_or(self.text.len());
        let lead = leading_block_len(&self.text[..region_end]);
        let rest = &self.text[lead..region_end];
        let separator =
            first_header.is_some() && !(rest.starts_with('\n') || rest.starts_with("\r\n"));
        (lead, separator)
    }

    // ----- model providers ------------------------------------------------------------------

    /// Sets fields of `[model_providers.<id>]`, wherever and however it is spelled, creating the
    /// table at the end of the file if there is none. Other fields of the table are kept.
    pub fn set_provider_fields(
        &mut self,
        id: &str,
        fields: &[(&str, Value)],
    ) -> Result<(), ShapeError> {
        self.set_child_fields("model_providers", id, fields)
    }

    /// A string field of `[model_providers.<id>]`.
    pub fn provider_str(&self, id: &str, field: &str) -> Option<&str> {
        self.str_at(&["model_providers", id, field])
    }

    /// Removes one field of `[model_providers.<id>]`. Returns whether it was there.
    pub fn remove_provider_field(&mut self, id: &str, field: &str) -> bool {
        self.remove_path(&["model_providers", id, field])
    }

    /// Removes `[model_providers.<id>]`. Returns whether it was there.
    pub fn remove_provider(&mut self, id: &str) -> bool {
        self.remove_path(&["model_providers", id])
    }

    // ----- project trust --------------------------------------------------------------------

    /// Every `projects` entry, in document order, in any spelling.
    pub fn trust_entries(&self) -> Vec<TrustEntry> {
        let Some(projects_node) = self.table_at(&["projects"]) else {
            return Vec::new();
        };
        let projects = self.index().get(&["projects"]).expect("found above");
        let _ = projects_node;
        self.index()
            .children(projects)
            .map(|(key, id)| TrustEntry {
                key: key.to_string(),
                level: self
                    .child_of(id, "trust_level")
                    .and_then(|n| self.index().node(n).as_str())
                    .map(str::to_string),
            })
            .collect()
    }

    /// The `trust_level` of one project key, if the entry exists and holds a string.
    pub fn trust_level(&self, key: &str) -> Option<&str> {
        self.str_at(&["projects", key, "trust_level"])
    }

    /// Sets `projects."<key>".trust_level`. Other keys of an existing entry stay.
    pub fn set_trust(&mut self, key: &str, level: TrustLevel) -> Result<(), ShapeError> {
        self.set_child_fields(
            "projects",
            key,
            &[("trust_level", Value::from(level.as_str()))],
        )
    }

    /// Removes the `projects."<key>"` entry. Returns whether it was there.
    pub fn remove_trust(&mut self, key: &str) -> bool {
        self.remove_path(&["projects", key])
    }

    // ----- MCP servers ----------------------------------------------------------------------

    /// The `mcp_servers.<name>` entry, in any spelling (`[mcp_servers.x]`, dotted keys, an inline
    /// table), if there is one.
    pub fn mcp_server(&self, name: &str) -> Option<McpServer> {
        let id = self.index().get(&["mcp_servers", name])?;
        if !self.index().node(id).is_table() {
            return Some(McpServer::default());
        }
        let text = |key: &str| {
            self.child_of(id, key)
                .and_then(|n| self.index().node(n).as_str())
                .map(str::to_string)
        };
        Some(McpServer {
            url: text("url"),
            command: text("command"),
            enabled: self
                .child_of(id, "enabled")
                .and_then(|n| self.index().node(n).as_bool()),
            is_table: true,
        })
    }

    /// The `url` of `mcp_servers.<name>`, if the entry exists and holds a string there.
    pub fn mcp_server_url(&self, name: &str) -> Option<&str> {
        self.str_at(&["mcp_servers", name, "url"])
    }

    /// Sets `mcp_servers.<name>.url`, as `codex mcp add <name> --url <url>` does: a new entry is
    /// a `[mcp_servers.<name>]` table after its sibling servers, or at the end of the file (in
    /// the spelling already used for `mcp_servers`, when it is inline or dotted). Other keys of
    /// an existing entry stay; whether to touch an entry that is not ours is the caller's call.
    pub fn set_mcp_server_url(&mut self, name: &str, url: &str) -> Result<(), ShapeError> {
        self.set_child_fields("mcp_servers", name, &[("url", Value::from(url))])
    }

    /// Removes the `mcp_servers.<name>` entry (its sub-tables too). Returns whether it was there.
    pub fn remove_mcp_server(&mut self, name: &str) -> bool {
        self.remove_path(&["mcp_servers", name])
    }

    // ----- reading through the index -------------------------------------------------------

    fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.index()
            .get(path)
            .and_then(|id| self.index().node(id).as_str())
    }

    fn table_at(&self, path: &[&str]) -> Option<&index::Node> {
        let node = self.index().node(self.index().get(path)?);
        node.is_table().then_some(node)
    }

    fn child_of(&self, id: NodeId, key: &str) -> Option<NodeId> {
        let node = self.index().node(id);
        node.is_table()
            .then(|| self.index().child(id, key))
            .flatten()
    }
}

/// Bytes as UTF-8 text, or the position where they stop being UTF-8.
fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes).map_err(|err| {
        let valid = std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default();
        let (line, column) = line_column(valid, valid.len());
        ParseError {
            line,
            column,
            message: "the file is not valid UTF-8 (Codex reads config.toml as UTF-8)".into(),
            source_line: valid.rsplit('\n').next().unwrap_or_default().to_string(),
        }
    })
}

fn parse_error(text: &str, offset: usize, message: &str) -> ParseError {
    let offset = offset.min(text.len());
    let (line, column) = line_column(text, offset);
    ParseError {
        line,
        column,
        message: message.to_string(),
        source_line: text.lines().nth(line - 1).unwrap_or_default().to_string(),
    }
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

#[cfg(test)]
mod tests;
