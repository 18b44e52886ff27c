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

use std::cell::OnceCell;
use std::fmt;
use std::ops::Range;

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

    // ----- the splices ----------------------------------------------------------------------

    /// The line ending new lines use: CRLF if the file mostly used it when read.
    fn ending(&self) -> &'static str {
        self.ending.get_or_init(|| {
            let crlf = self.original.matches("\r\n").count();
            let lf = self.original.matches('\n').count() - crlf;
            if crlf > lf {
                "\r\n"
            } else {
                "\n"
            }
        })
    }

    /// Applies edits (non-overlapping ranges of the current text and their replacements) and
    /// re-indexes the result. An edit that would not parse is not applied (never expected: the
    /// verbs only write what TOML allows there).
    fn splice(&mut self, mut edits: Vec<(Range<usize>, String)>) -> Result<(), ShapeError> {
        if edits.is_empty() {
            return Ok(());
        }
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        let mut text = self.text.clone();
        // The part of the new text the edits touched, whole lines: (start, end from the end).
        let first = edits.last().map_or(0, |(r, _)| r.start);
        let last_end = edits.first().map_or(0, |(r, _)| r.end);
        let tail = self.text.len() - last_end;
        for (range, replacement) in edits {
            text.replace_range(range, &replacement);
        }
        let bug = || ShapeError {
            path: "the edited file".into(),
            expected: "valid TOML after the edit (a bug in mg-codex: please report it)",
        };
        if self.strict {
            let index = Index::build(&text).map_err(|_| bug())?;
            self.index = OnceCell::from(index);
        } else {
            // The lines the edits touched, as TOML of their own (they are whole entries and
            // tables); should that look wrong out of context, the whole text decides.
            let start = text[..first].rfind('\n').map_or(0, |i| i + 1);
            let end_at = text.len() - tail;
            let end = text[end_at..]
                .find('\n')
                .map_or(text.len(), |i| end_at + i + 1);
            if index::check_syntax(&text[start..end]).is_err() {
                index::check_syntax(&text).map_err(|_| bug())?;
            }
            self.index = OnceCell::new();
        }
        self.text = text;
        self.tree = OnceCell::new();
        Ok(())
    }

    /// Inserts whole lines at `at` (a line start, or the end of the text). At the end of a
    /// text without a final newline, the lines go after a new line ending and the text still
    /// ends without one.
    fn insert_lines(&mut self, at: usize, lines: &[String]) -> Result<(), ShapeError> {
        let ending = self.ending();
        let mut text = lines.join(ending);
        let open_last_line =
            at == self.text.len() && !self.text.is_empty() && !self.text.ends_with('\n');
        if open_last_line {
            text.insert_str(0, ending);
        } else {
            text.push_str(ending);
        }
        self.splice(vec![(at..at, text)])
    }

    /// Replaces the value at node `id` (which must be a value written on a line of its own or
    /// inside an inline table), keeping its decor and, for strings, its quoting style.
    fn replace_value(&mut self, id: NodeId, value: &Value, path: &str) -> Result<(), ShapeError> {
        let node = self.index().node(id);
        let Some(span) = node.value_span() else {
            return Err(ShapeError {
                path: path.to_string(),
                expected: "a value (it is a table)",
            });
        };
        if node.is_table() && node.table_kind() != Some(TableKind::Inline) {
            return Err(ShapeError {
                path: path.to_string(),
                expected: "a value (it is a table)",
            });
        }
        let old = &self.text[span.clone()];
        if old
            .parse::<Value>()
            .is_ok_and(|old| same_value(&old, value))
        {
            return Ok(());
        }
        let new = match value.as_str() {
            Some(s)
                if old.starts_with('\'')
                    && !old.starts_with("'''")
                    && !s.contains(['\'', '\n', '\r']) =>
            {
                format!("'{s}'")
            }
            _ => value_repr(value),
        };
        self.splice(vec![(span, new)])
    }

    /// Sets fields of `<parent>.<child>` (a table of the root: `model_providers`, `projects`,
    /// `mcp_servers`), creating the entry in the spelling the parent already uses.
    fn set_child_fields(
        &mut self,
        parent: &str,
        child: &str,
        fields: &[(&str, Value)],
    ) -> Result<(), ShapeError> {
        if let Some(p) = self.index().get(&[parent]) {
            if !self.index().node(p).is_table() {
                return Err(ShapeError {
                    path: parent.to_string(),
                    expected: "a table",
                });
            }
        }
        match self.index().get(&[parent, child]) {
            Some(id) if self.index().node(id).is_table() => {
                for (field, value) in fields {
                    self.set_field(parent, child, field, value)?;
                }
                Ok(())
            }
            Some(id) => {
                // `projects."/p" = "x"`: not a table; Codex would refuse it. It becomes one.
                let span = self.index().node(id).value_span().unwrap_or(0..0);
                self.splice(vec![(span, inline_table_text(fields))])
            }
            None => self.create_child(parent, child, fields),
        }
    }

    /// Sets one field of an existing `<parent>.<child>` table.
    fn set_field(
        &mut self,
        parent: &str,
        child: &str,
        field: &str,
        value: &Value,
    ) -> Result<(), ShapeError> {
        let path = format!("{parent}.{child}.{field}");
        if let Some(id) = self.index().get(&[parent, child, field]) {
            return self.replace_value(id, value, &path);
        }
        let child_id = self
            .index()
            .get(&[parent, child])
            .expect("the caller found the table");
        let line = format!("{} = {}", key_repr(field), value_repr(value));
        match self.index().node(child_id).table_kind() {
            Some(TableKind::Header) => {
                let section = self
                    .index()
                    .node(child_id)
                    .section()
                    .expect("a header table");
                let at = self.index().sections[section].end(self.index());
                self.insert_lines(at, &[line])
            }
            Some(TableKind::Inline) => self.add_inline_item(child_id, &line),
            Some(TableKind::Dotted) => {
                let last = self
                    .dotted_entries(&[parent, child])
                    .last()
                    .expect("a dotted table has entries");
                let prefix = self.dotted_prefix(last, 2);
                let at = self.index().entries[last].line.end;
                self.insert_lines(at, &[format!("{prefix}.{line}")])
            }
            Some(TableKind::Implicit) => {
                // Only sub-tables so far (`[parent.child.sub]`): the table's own header goes
                // just above the first of them.
                let first = self
                    .index()
                    .sections_under(&[parent, child])
                    .next()
                    .expect("an implicit table has sub-tables");
                let at = self.index().sections[first].start();
                let header = format!("[{}.{}]", key_repr(parent), key_repr(child));
                let ending = self.ending();
                self.splice(vec![(
                    at..at,
                    format!("{header}{ending}{line}{ending}{ending}"),
                )])
            }
            _ => Err(ShapeError {
                path: format!("{parent}.{child}"),
                expected:
                    "a table mg-codex can edit (a table inside an inline table's dotted keys)",
            }),
        }
    }

    /// The entries whose dotted keys make the table at `path` (not those of sections under it).
    fn dotted_entries<'a>(&'a self, path: &'a [&str]) -> impl Iterator<Item = usize> + 'a {
        self.index().entries_under(path).filter(move |&e| {
            self.index()
                .section_path(self.index().entries[e].section)
                .len()
                < path.len()
        })
    }

    /// The key text of entry `entry` up to and including its `depth`-th segment (counted from
    /// the root, the section's own path included): `model_providers."mg"` of
    /// `model_providers."mg".name = …`.
    fn dotted_prefix(&self, entry: usize, depth: usize) -> String {
        let e = &self.index().entries[entry];
        let own = depth - self.index().section_path(e.section).len();
        let spans = self.index().segment_spans(entry);
        let start = spans[0].start;
        let end = spans[own - 1].end;
        self.text[start..end].to_string()
    }

    /// Creates `<parent>.<child>` with its fields.
    fn create_child(
        &mut self,
        parent: &str,
        child: &str,
        fields: &[(&str, Value)],
    ) -> Result<(), ShapeError> {
        let lines: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{} = {}", key_repr(k), value_repr(v)))
            .collect();
        let parent_id = self.index().get(&[parent]);
        let kind = parent_id.and_then(|p| self.index().node(p).table_kind());
        match (parent_id, kind) {
            (Some(p), Some(TableKind::Inline)) => {
                let item = format!("{} = {}", key_repr(child), inline_table_text(fields));
                self.add_inline_item(p, &item)
            }
            (Some(_), Some(TableKind::Dotted)) => {
                let last = self
                    .dotted_entries(&[parent])
                    .last()
                    .expect("a dotted table has entries");
                let prefix = format!("{}.{}", self.dotted_prefix(last, 1), key_repr(child));
                let at = self.index().entries[last].line.end;
                let lines: Vec<String> = lines.iter().map(|l| format!("{prefix}.{l}")).collect();
                self.insert_lines(at, &lines)
            }
            (Some(p), Some(TableKind::Header)) if self.inline_entries_only(p) => {
                let section = self.index().node(p).section().expect("a header table");
                let at = self.index().sections[section].end(self.index());
                let item = format!("{} = {}", key_repr(child), inline_table_text(fields));
                self.insert_lines(at, &[item])
            }
            (Some(_), Some(TableKind::InlineDotted)) => Err(ShapeError {
                path: parent.to_string(),
                expected:
                    "a table mg-codex can edit (it is made of dotted keys inside an inline table)",
            }),
            _ => {
                // A `[parent.child]` table after its siblings' tables, else at the end.
                let at = self
                    .index()
                    .sections_under(&[parent])
                    .last()
                    .or(if self.index().sections.len() > 1 {
                        Some(self.index().sections.len() - 1)
                    } else {
                        None
                    })
                    .map_or(self.index().sections[0].end(self.index()), |s| {
                        self.index().sections[s].end(self.index())
                    });
                let mut block = vec![format!("[{}.{}]", key_repr(parent), key_repr(child))];
                block.extend(lines);
                if at > 0 {
                    block.insert(0, String::new());
                }
                self.insert_lines(at, &block)
            }
        }
    }

    /// Whether a `[parent]` table holds entries and all of them are inline tables (`"/a" = {…}`):
    /// a new entry then takes the same form.
    fn inline_entries_only(&self, table: NodeId) -> bool {
        self.index().node(table).has_children()
            && self.index().children(table).all(|(_, c)| {
                let n = self.index().node(c);
                n.table_kind() == Some(TableKind::Inline) && n.entry().is_some()
            })
    }

    /// Adds `item` (`key = value`) to the inline table `table`, after its last item.
    fn add_inline_item(&mut self, table: NodeId, item: &str) -> Result<(), ShapeError> {
        let node = self.index().node(table);
        let span = node.value_span().expect("an inline table has a span");
        let items = node.inline.clone().unwrap_or_default();
        let Some(last) = items.items.last() else {
            return self.splice(vec![(span, format!("{{ {item} }}"))]);
        };
        let multiline = self.text[span.clone()].contains('\n');
        let edit = if multiline {
            let line_start = self.text[..last.span.start]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let indent: String = self.text[line_start..last.span.start]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let ending = self.ending();
            match (&last.comma, items.trailing_comma) {
                (Some(comma), true) => (comma.end..comma.end, format!("{ending}{indent}{item},")),
                _ => (
                    last.value.end..last.value.end,
                    format!(",{ending}{indent}{item}"),
                ),
            }
        } else {
            match (&last.comma, items.trailing_comma) {
                (Some(comma), true) => (comma.end..comma.end, format!(" {item},")),
                _ => (last.value.end..last.value.end, format!(", {item}")),
            }
        };
        self.splice(vec![edit])
    }

    /// Removes whatever is at `path`: a value (its whole line, or its item of an inline table),
    /// or a table with everything in it (its header sections, its dotted lines). Comments above
    /// a removed `[table]` stay. Returns whether anything was there.
    fn remove_path(&mut self, path: &[&str]) -> bool {
        let Some(id) = self.index().get(path) else {
            return false;
        };
        // Inside an inline table: take its items out.
        if let Some((owner, depth)) = self.inline_owner(path) {
            let ranges = self.inline_removals(owner, &path[depth..]);
            return self.splice(ranges).is_ok();
        }
        let node = self.index().node(id);
        let mut ranges = Vec::new();
        if let Some(entry) = node.entry() {
            ranges.push(self.entry_removal(entry));
        } else {
            let sections: Vec<usize> = self.index().sections_at_or_under(path).collect();
            ranges.extend(self.section_removals(&sections));
            let entries: Vec<usize> = self
                .index()
                .entries_under(path)
                .filter(|e| !sections.contains(&self.index().entries[*e].section))
                .collect();
            for e in entries {
                ranges.push(self.entry_removal(e));
            }
        }
        let mut ranges = merge(ranges);
        // What ran to the end of a text without a final newline takes the line ending before
        // it instead, so the text still ends without one.
        if let Some(last) = ranges.last_mut() {
            if last.end == self.text.len() && !self.text.ends_with('\n') && last.start > 0 {
                let before = &self.text[..last.start];
                last.start -= if before.ends_with("\r\n") {
                    2
                } else {
                    usize::from(before.ends_with('\n'))
                };
            }
        }
        !ranges.is_empty()
            && self
                .splice(ranges.into_iter().map(|r| (r, String::new())).collect())
                .is_ok()
    }

    /// The innermost inline table that `path` lies inside (not the node at `path` itself), and
    /// how many segments of `path` lead to it.
    fn inline_owner(&self, path: &[&str]) -> Option<(NodeId, usize)> {
        let mut id = Index::ROOT;
        let mut owner = None;
        for (depth, key) in path.iter().enumerate() {
            if self.index().node(id).table_kind() == Some(TableKind::Inline) {
                owner = Some((id, depth));
            }
            id = self.index().child(id, key)?;
        }
        owner
    }

    /// The ranges that take every item under `rest` out of the inline table `owner`, with
    /// their commas, so that the spacing before `}` stays as it was.
    fn inline_removals(&self, owner: NodeId, rest: &[&str]) -> Vec<(Range<usize>, String)> {
        let node = self.index().node(owner);
        let Some(inline) = &node.inline else {
            return Vec::new();
        };
        let items = &inline.items;
        let doomed: Vec<usize> = (0..items.len())
            .filter(|&i| {
                items[i].path.len() >= rest.len()
                    && items[i].path.iter().zip(rest).all(|(a, b)| a == b)
            })
            .collect();
        if doomed.is_empty() {
            return Vec::new();
        }
        if doomed.len() == items.len() {
            let span = node.value_span().expect("an inline table has a span");
            return vec![(span, "{}".to_string())];
        }
        let mut ranges = Vec::new();
        for &i in &doomed {
            let item = &items[i];
            let range = match items.get(i + 1) {
                // Up to the next item: this item and its comma go.
                Some(next) => item.span.start..next.span.start,
                // The last item: the comma before it goes instead (its own trailing comma, if
                // any, stays as the new last item's).
                None => {
                    let prev = &items[i - 1];
                    let from = prev.comma.as_ref().map_or(prev.value.end, |c| c.start);
                    from..item.span.end
                }
            };
            ranges.push((range, String::new()));
        }
        let merged = merge(ranges.iter().map(|(r, _)| r.clone()).collect());
        merged.into_iter().map(|r| (r, String::new())).collect()
    }

    /// The range that removes an entry's line.
    fn entry_removal(&self, entry: usize) -> Range<usize> {
        self.index().entries[entry].line.clone()
    }

    /// The ranges that remove header sections (a table, its sub-tables): each run of adjacent
    /// sections goes with the blank lines before it; when comments sit above the run they stay,
    /// and the blank lines after the run go instead.
    fn section_removals(&self, sections: &[usize]) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < sections.len() {
            let mut j = i;
            while j + 1 < sections.len() && sections[j + 1] == sections[j] + 1 {
                j += 1;
            }
            let first = &self.index().sections[sections[i]];
            let last = &self.index().sections[sections[j]];
            let start = first.start();
            let end = last.end(self.index());
            let gap_start = self.gap_start(start);
            let gap = &self.text[gap_start..start];
            let has_comment = gap.lines().any(|l| l.trim_start().starts_with('#'));
            if has_comment {
                let after = self.text[end..]
                    .split_inclusive('\n')
                    .take_while(|l| l.trim().is_empty())
                    .map(str::len)
                    .sum::<usize>();
                // At the end of the file the blank lines after stay (nothing follows).
                let after = if end + after == self.text.len() {
                    0
                } else {
                    after
                };
                ranges.push(start..end + after);
            } else {
                ranges.push(gap_start..end);
            }
            i = j + 1;
        }
        ranges
    }

    /// Where the run of blank and comment lines that ends at `at` (a line start) begins.
    fn gap_start(&self, at: usize) -> usize {
        let mut start = at;
        while start > 0 {
            let prev_start = self.text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
            let line = self.text[prev_start..start].trim();
            if line.is_empty() || line.starts_with('#') {
                start = prev_start;
            } else {
                break;
            }
        }
        start
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

/// A key as TOML writes it: bare when it can be, else quoted (`toml_edit`'s choice).
fn key_repr(key: &str) -> String {
    toml_edit::Key::new(key).display_repr().into_owned()
}

/// A value as TOML writes it by default, without decor.
fn value_repr(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string()
}

/// `{ a = 1, b = "x" }`.
fn inline_table_text(fields: &[(&str, Value)]) -> String {
    let items: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{} = {}", key_repr(k), value_repr(v)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// Sorted ranges with overlapping or touching ones joined.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
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

/// How many bytes at the start of `region` (the text above the first header) form a leading
/// block that stays at the top: comment lines followed by a blank line, or a `#:schema` line.
fn leading_block_len(region: &str) -> usize {
    let mut end = 0;
    let mut in_block = false;
    let mut lead_end = 0;
    for line in region.split_inclusive('\n') {
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
    // A block that runs to the end of a text with no final newline has no line to put a key
    // after: the key then goes above it.
    if lead_end > 0 && !region[..lead_end].ends_with('\n') {
        return 0;
    }
    lead_end
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
