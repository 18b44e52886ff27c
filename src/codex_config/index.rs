//! A structural index of a TOML document: where every table header, key and value sits in the
//! text, and the tree of tables they define. Built straight from `toml_parser`'s events (the
//! lexer and parser `toml_edit` itself uses), without building `toml_edit`'s editable tree, so
//! indexing a 10,000-entry config costs a few milliseconds rather than tens.
//!
//! The index is what edits are made from: a verb finds the spans of the items it owns and
//! splices new text into the original at those spans (see [`super::ConfigDocument`]), so every
//! byte it does not own stays as it was. Building the index also validates the document as
//! TOML does: syntax, escapes and scalars, duplicate keys, tables defined twice, dotted keys
//! extending a `[table]`, values extended by dotted keys. (Tests check that it accepts and
//! refuses exactly the files `toml_edit` accepts and refuses.)
//!
//! Pure: strings in, data out.

use std::collections::HashMap;
use std::ops::Range;

use toml_parser::decoder::Encoding;
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError as TomlParseError, Source, Span};

/// Deepest nesting of arrays and inline tables accepted (as `toml_edit`).
const MAX_DEPTH: u32 = 80;

/// The id of a node of the tree.
pub type NodeId = usize;

/// How a table came to exist; decides what may still extend it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// The document itself.
    Root,
    /// A `[header]` (or one element of `[[header]]`).
    Header,
    /// Only named on the way to a deeper header (`[a.b]` makes `a` implicit).
    Implicit,
    /// Made by dotted keys (`a.b = 1` makes `a` a dotted table).
    Dotted,
    /// An inline table value `{ … }`.
    Inline,
    /// A table made by dotted keys inside an inline table (`{ a.b = 1 }`).
    InlineDotted,
}

/// What a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    Table(TableKind),
    /// `[[header]]`: its elements (each a `Header` table).
    ArrayOfTables(Vec<NodeId>),
    /// An array value.
    Array,
    /// A string (decoded), boolean, number or date.
    Scalar(Scalar),
}

/// A scalar value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    String(String),
    Boolean(bool),
    /// Integers, floats and dates, as written.
    Other,
}

/// One node: a table or a value.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    /// The key naming it in its parent (empty for the root; an index for an array element).
    pub key: String,
    /// Its parent (the root is its own).
    pub parent: NodeId,
    /// Children of a table (or an array), in document order.
    pub children: Vec<NodeId>,
    /// The span of the key segment that named this node where it was first defined.
    pub key_span: Option<Range<usize>>,
    /// For a value: its span (for an inline table, from `{` to `}`).
    pub value_span: Option<Range<usize>>,
    /// For a value defined at section level (`key = value` on a line of its own): the entry.
    pub entry: Option<usize>,
    /// For a `[header]` table: its section.
    pub section: Option<usize>,
    /// For an inline table: its items.
    pub inline: Option<Box<InlineItems>>,
}

impl Node {
    fn new(kind: NodeKind, key: String, parent: NodeId) -> Self {
        Self {
            kind,
            key,
            parent,
            children: Vec::new(),
            key_span: None,
            value_span: None,
            entry: None,
            section: None,
            inline: None,
        }
    }

    pub fn table_kind(&self) -> Option<TableKind> {
        match self.kind {
            NodeKind::Table(kind) => Some(kind),
            _ => None,
        }
    }

    pub fn is_table(&self) -> bool {
        matches!(self.kind, NodeKind::Table(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(Scalar::String(s)) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar(Scalar::Boolean(b)) => Some(*b),
            _ => None,
        }
    }
}

/// Finds a node's child by key: one map for the whole tree, keyed by the parent and the key's
/// hash (no key is stored twice); a collision falls back to the parent's list.
#[derive(Debug, Clone, Default)]
struct Lookup {
    map: HashMap<(NodeId, u64), NodeId, BuildFx>,
}

impl Lookup {
    /// FNV-1a: keys are short and come from the user's own file (no adversary to flood the
    /// map: a collision only costs a look through the parent's list).
    fn hash(&self, key: &str) -> u64 {
        key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

/// A cheap hasher for the lookup's keys, which are already hashes.
#[derive(Debug, Clone, Copy, Default)]
struct BuildFx;

impl std::hash::BuildHasher for BuildFx {
    type Hasher = Fx;
    fn build_hasher(&self) -> Fx {
        Fx(0)
    }
}

#[derive(Debug, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// The items of an inline table, with what an edit needs to add or take one out.
#[derive(Debug, Clone, Default)]
pub struct InlineItems {
    /// Each `key = value` of the table itself (dotted keys count as one item each).
    pub items: Vec<InlineItem>,
    /// The span of `}`.
    pub close: Range<usize>,
    /// Whether a comma follows the last item (TOML 1.1).
    pub trailing_comma: bool,
}

/// One `key = value` inside an inline table.
#[derive(Debug, Clone)]
pub struct InlineItem {
    /// The key's segments (more than one for a dotted key).
    pub path: Vec<String>,
    /// From the first key segment to the end of the value.
    pub span: Range<usize>,
    /// The value's span.
    pub value: Range<usize>,
    /// The comma after it, if any.
    pub comma: Option<Range<usize>>,
}

/// A `key = value` line at section level.
#[derive(Debug, Clone)]
pub struct Entry {
    pub section: usize,
    /// The key's segments, relative to the section's table.
    pub path: Vec<String>,
    /// The span of each key segment.
    pub segment_spans: Vec<Range<usize>>,
    /// The value's span.
    pub value: Range<usize>,
    /// From the start of the key's line to the end of the line the value ends on, its line
    /// ending included (at the end of the text, the line may have none).
    pub line: Range<usize>,
    /// The node of the value.
    pub node: NodeId,
}

/// A run of the document owned by one header (or, first, the root).
#[derive(Debug, Clone)]
pub struct Section {
    /// The header's keys (empty for the root section).
    pub path: Vec<String>,
    pub is_array: bool,
    /// The header line: from its start to the end of the line, line ending included.
    pub header_line: Option<Range<usize>>,
    /// The table the section fills.
    pub node: NodeId,
    /// Its entries, in order.
    pub entries: Vec<usize>,
}

impl Section {
    /// Where the section's own text ends: after its last entry's line, else after its header
    /// line (the root section without entries ends at 0). Comments and blank lines after that
    /// belong to what follows.
    pub fn end(&self, index: &Index) -> usize {
        match self.entries.last() {
            Some(&e) => index.entries[e].line.end,
            None => self.header_line.as_ref().map_or(0, |l| l.end),
        }
    }

    /// Where the header's line starts (0 for the root section).
    pub fn start(&self) -> usize {
        self.header_line.as_ref().map_or(0, |l| l.start)
    }
}

/// The index of one document.
#[derive(Debug, Clone)]
pub struct Index {
    pub nodes: Vec<Node>,
    pub sections: Vec<Section>,
    pub entries: Vec<Entry>,
    lookup: Lookup,
}

/// Why a text is not a TOML document: a message and the byte offset it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexError {
    pub message: String,
    pub offset: usize,
}

impl Index {
    pub const ROOT: NodeId = 0;

    /// Indexes and validates `text`.
    pub fn build(text: &str) -> Result<Index, IndexError> {
        let source = Source::new(text);
        let tokens = source.lex().into_vec();
        let mut builder = Builder::new(text, tokens.len());
        let mut errors: Vec<TomlParseError> = Vec::new();
        {
            let mut validate = ValidateWhitespace::new(&mut builder, source);
            let mut guard = RecursionGuard::new(&mut validate, MAX_DEPTH);
            toml_parser::parser::parse_document(&tokens, &mut guard, &mut errors);
        }
        if let Some(first) = errors.first() {
            let offset = first
                .unexpected()
                .or(first.context())
                .map_or(0, |s| s.start());
            let mut message = first.description().to_string();
            if let Some(expected) = first.expected() {
                let list: Vec<String> = expected
                    .iter()
                    .map(|e| match e {
                        toml_parser::Expected::Literal(l) => format!("`{l}`"),
                        toml_parser::Expected::Description(d) => d.to_string(),
                        _ => String::new(),
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                if !list.is_empty() {
                    message.push_str(&format!(", expected {}", list.join(", ")));
                }
            }
            return Err(IndexError { message, offset });
        }
        if let Some(err) = builder.error {
            return Err(err);
        }
        Ok(Index {
            nodes: builder.nodes,
            sections: builder.sections,
            entries: builder.entries,
            lookup: builder.lookup,
        })
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The child of table `id` named `key`.
    pub fn child(&self, id: NodeId, key: &str) -> Option<NodeId> {
        child_of(&self.nodes, &self.lookup, id, key)
    }

    /// The children of `id` with their keys, in document order.
    pub fn children(&self, id: NodeId) -> impl Iterator<Item = (&str, NodeId)> + '_ {
        self.nodes[id]
            .children
            .iter()
            .map(move |&c| (self.nodes[c].key.as_str(), c))
    }

    /// The node at a path of keys from the root (through tables only; the last element of an
    /// array of tables is not followed).
    pub fn get(&self, path: &[&str]) -> Option<NodeId> {
        let mut id = Self::ROOT;
        for key in path {
            if !self.nodes[id].is_table() {
                return None;
            }
            id = self.child(id, key)?;
        }
        Some(id)
    }

    /// Every section whose header path starts with `prefix` (and is longer than it).
    pub fn sections_under<'a>(&'a self, prefix: &'a [&str]) -> impl Iterator<Item = usize> + 'a {
        self.sections
            .iter()
            .enumerate()
            .filter(move |(_, s)| {
                s.path.len() > prefix.len() && s.path.iter().zip(prefix).all(|(a, b)| a == b)
            })
            .map(|(i, _)| i)
    }

    /// Every entry (at any section) whose full path, the section's path included, starts with
    /// `prefix`; the order is the document's.
    pub fn entries_under<'a>(&'a self, prefix: &'a [&str]) -> impl Iterator<Item = usize> + 'a {
        self.entries.iter().enumerate().filter_map(move |(i, e)| {
            let section = &self.sections[e.section].path;
            let full = section.iter().chain(e.path.iter());
            let len = section.len() + e.path.len();
            (len >= prefix.len() && full.zip(prefix).all(|(a, b)| a == b)).then_some(i)
        })
    }
}

fn child_of(nodes: &[Node], lookup: &Lookup, id: NodeId, key: &str) -> Option<NodeId> {
    match lookup.map.get(&(id, lookup.hash(key))) {
        Some(&c) if nodes[c].key == key => Some(c),
        Some(_) => nodes[id]
            .children
            .iter()
            .copied()
            .find(|&c| nodes[c].key == key),
        None => None,
    }
}

/// The key being read: its segments and their spans.
#[derive(Debug, Default)]
struct KeyBuf {
    segments: Vec<String>,
    spans: Vec<Range<usize>>,
}

/// A container value being read.
#[derive(Debug)]
enum Open {
    Array {
        start: usize,
        node: NodeId,
    },
    Inline {
        start: usize,
        node: NodeId,
        /// The key of the item being read inside it.
        key: KeyBuf,
        /// Whether a `=` was seen for `key`.
        after_eq: bool,
        items: Vec<InlineItem>,
        trailing_comma: bool,
    },
}

/// Where the parser is at the top level.
#[derive(Debug, PartialEq, Eq)]
enum Top {
    /// Between expressions.
    Idle,
    /// Reading a header's keys.
    Header { array: bool, start: usize },
    /// Reading a key-value's key.
    Key,
    /// After `=`, waiting for (or inside) the value.
    Value,
    /// The value is read; waiting for the end of its line.
    EndOfLine,
}

struct Builder<'t> {
    text: &'t str,
    nodes: Vec<Node>,
    lookup: Lookup,
    sections: Vec<Section>,
    entries: Vec<Entry>,
    /// The first semantic error (syntax errors go to the parser's sink).
    error: Option<IndexError>,
    top: Top,
    key: KeyBuf,
    open: Vec<Open>,
    /// The value being completed at the top level: its node and span.
    finished_value: Option<(NodeId, Range<usize>)>,
}

impl<'t> Builder<'t> {
    /// A builder for `text`, sized for about `tokens` tokens.
    fn new(text: &'t str, tokens: usize) -> Self {
        let mut root = Node::new(NodeKind::Table(TableKind::Root), String::new(), Index::ROOT);
        root.section = Some(0);
        let mut nodes = Vec::with_capacity(tokens / 4 + 1);
        nodes.push(root);
        let mut lookup = Lookup::default();
        lookup.map.reserve(tokens / 4);
        Self {
            text,
            nodes,
            lookup,
            sections: vec![Section {
                path: Vec::new(),
                is_array: false,
                header_line: None,
                node: Index::ROOT,
                entries: Vec::new(),
            }],
            entries: Vec::new(),
            error: None,
            top: Top::Idle,
            key: KeyBuf::default(),
            open: Vec::new(),
            finished_value: None,
        }
    }

    fn fail(&mut self, message: impl Into<String>, offset: usize) {
        if self.error.is_none() {
            self.error = Some(IndexError {
                message: message.into(),
                offset,
            });
        }
    }

    fn add(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// A new node, not yet anyone's child.
    fn node(&mut self, kind: NodeKind) -> NodeId {
        self.add(Node::new(kind, String::new(), Index::ROOT))
    }

    fn child(&self, id: NodeId, key: &str) -> Option<NodeId> {
        child_of(&self.nodes, &self.lookup, id, key)
    }

    /// Makes `child` the child of `parent` under `key`.
    fn insert_child(&mut self, parent: NodeId, key: String, child: NodeId) {
        let hash = self.lookup.hash(&key);
        self.lookup.map.entry((parent, hash)).or_insert(child);
        let node = &mut self.nodes[child];
        node.key = key;
        node.parent = parent;
        self.nodes[parent].children.push(child);
    }

    /// The start of the line holding `offset`.
    fn line_start(&self, offset: usize) -> usize {
        self.text[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The end of the line holding `offset`, its ending included.
    fn line_end(&self, offset: usize) -> usize {
        self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i + 1)
    }

    fn decode_key(&mut self, span: Span, encoding: Option<Encoding>) -> String {
        let raw =
            toml_parser::Raw::new_unchecked(&self.text[span.start()..span.end()], encoding, span);
        let mut out = String::new();
        let mut err: Option<TomlParseError> = None;
        raw.decode_key(&mut out, &mut err);
        if let Some(e) = err {
            self.fail(e.description().to_string(), span.start());
        }
        out
    }

    /// Follows (or creates) the tables of a header path: missing ones become implicit.
    fn descend_header(&mut self, path: &[String], spans: &[Range<usize>]) -> Option<NodeId> {
        let mut id = Index::ROOT;
        for (key, span) in path.iter().zip(spans) {
            id = match self.child(id, key) {
                None => {
                    let child = self.node(NodeKind::Table(TableKind::Implicit));
                    self.nodes[child].key_span = Some(span.clone());
                    self.insert_child(id, key.clone(), child);
                    child
                }
                Some(child) => match &self.nodes[child].kind {
                    NodeKind::ArrayOfTables(elems) => *elems.last()?,
                    NodeKind::Table(TableKind::Inline | TableKind::InlineDotted) => {
                        self.fail("cannot extend an inline table with a header", span.start);
                        return None;
                    }
                    NodeKind::Table(_) => child,
                    _ => {
                        self.fail(
                            "cannot extend a value with a table header (duplicate key)",
                            span.start,
                        );
                        return None;
                    }
                },
            };
        }
        Some(id)
    }

    fn on_header(&mut self, array: bool, start: usize, end: usize) {
        let key = std::mem::take(&mut self.key);
        let Some((last, parents)) = key.segments.split_last() else {
            return;
        };
        let last_span = key.spans.last().cloned().unwrap_or(start..start);
        let header_line = self.line_start(start)..self.line_end(end.saturating_sub(1).max(start));
        let Some(parent) = self.descend_header(parents, &key.spans[..parents.len()]) else {
            return;
        };
        let section_id = self.sections.len();
        let table = if array {
            let element = self.node(NodeKind::Table(TableKind::Header));
            self.nodes[element].key_span = Some(last_span.clone());
            self.nodes[element].section = Some(section_id);
            match self.child(parent, last) {
                None => {
                    let aot = self.node(NodeKind::ArrayOfTables(vec![element]));
                    self.nodes[aot].key_span = Some(last_span);
                    self.insert_child(parent, last.clone(), aot);
                    self.nodes[element].parent = aot;
                }
                Some(existing) => match &mut self.nodes[existing].kind {
                    NodeKind::ArrayOfTables(elems) => {
                        elems.push(element);
                        self.nodes[element].parent = existing;
                    }
                    _ => {
                        self.fail("duplicate key", last_span.start);
                        return;
                    }
                },
            }
            element
        } else {
            match self.child(parent, last) {
                None => {
                    let id = self.node(NodeKind::Table(TableKind::Header));
                    self.nodes[id].key_span = Some(last_span);
                    self.nodes[id].section = Some(section_id);
                    self.insert_child(parent, last.clone(), id);
                    id
                }
                Some(existing) => {
                    if self.nodes[existing].kind == NodeKind::Table(TableKind::Implicit) {
                        let node = &mut self.nodes[existing];
                        node.kind = NodeKind::Table(TableKind::Header);
                        node.section = Some(section_id);
                        existing
                    } else {
                        self.fail("duplicate key (a table defined twice)", last_span.start);
                        return;
                    }
                }
            }
        };
        self.sections.push(Section {
            path: key.segments,
            is_array: array,
            header_line: Some(header_line),
            node: table,
            entries: Vec::new(),
        });
    }

    /// Follows (or creates) the dotted tables of a key-value's key in `table`, as TOML allows:
    /// only tables made by dotted keys (or implicit ones) can be extended this way.
    fn descend_dotted(
        &mut self,
        mut id: NodeId,
        path: &[String],
        spans: &[Range<usize>],
        inline: bool,
    ) -> Option<NodeId> {
        let dotted_kind = if inline {
            TableKind::InlineDotted
        } else {
            TableKind::Dotted
        };
        for (key, span) in path.iter().zip(spans) {
            id = match self.child(id, key) {
                None => {
                    let child = self.node(NodeKind::Table(dotted_kind));
                    self.nodes[child].key_span = Some(span.clone());
                    self.insert_child(id, key.clone(), child);
                    child
                }
                Some(child) => match &self.nodes[child].kind {
                    NodeKind::Table(TableKind::Implicit) if !inline => {
                        self.nodes[child].kind = NodeKind::Table(TableKind::Dotted);
                        child
                    }
                    NodeKind::Table(kind) if *kind == dotted_kind => child,
                    NodeKind::ArrayOfTables(_) | NodeKind::Table(_) => {
                        self.fail(
                            "duplicate key (dotted keys cannot extend a table defined elsewhere)",
                            span.start,
                        );
                        return None;
                    }
                    _ => {
                        self.fail("cannot extend a value with a dotted key", span.start);
                        return None;
                    }
                },
            };
        }
        Some(id)
    }

    /// Puts a value at `key` (segments relative to `table`).
    fn place_value(
        &mut self,
        table: NodeId,
        key: &KeyBuf,
        value: NodeId,
        inline: bool,
    ) -> Option<()> {
        let (last, parents) = key.segments.split_last()?;
        let last_span = key.spans.last().cloned()?;
        let parent = self.descend_dotted(table, parents, &key.spans[..parents.len()], inline)?;
        if self.child(parent, last).is_some() {
            self.fail("duplicate key", last_span.start);
            return None;
        }
        self.nodes[value].key_span = Some(last_span);
        self.insert_child(parent, last.clone(), value);
        Some(())
    }

    /// The table the current section fills.
    fn section_table(&self) -> NodeId {
        self.sections.last().map_or(Index::ROOT, |s| s.node)
    }

    /// A value has been read completely (scalar, or a container closed).
    fn value_done(&mut self, node: NodeId, span: Range<usize>) {
        self.nodes[node].value_span = Some(span.clone());
        match self.open.last_mut() {
            None => {
                self.finished_value = Some((node, span));
                self.top = Top::EndOfLine;
                self.finish_entry();
            }
            Some(Open::Array { node: array, .. }) => {
                let array = *array;
                let key = self.nodes[array].children.len().to_string();
                self.insert_child(array, key, node);
            }
            Some(Open::Inline {
                node: table,
                key,
                after_eq,
                items,
                trailing_comma,
                ..
            }) => {
                let table = *table;
                let key = std::mem::take(key);
                *after_eq = false;
                *trailing_comma = false;
                let start = key.spans.first().map_or(span.start, |s| s.start);
                items.push(InlineItem {
                    path: key.segments.clone(),
                    span: start..span.end,
                    value: span,
                    comma: None,
                });
                self.place_value(table, &key, node, true);
            }
        }
    }

    /// Records the top-level entry whose value was just read.
    fn finish_entry(&mut self) {
        let Some((node, value)) = self.finished_value.take() else {
            return;
        };
        let key = std::mem::take(&mut self.key);
        let section = self.sections.len() - 1;
        let table = self.section_table();
        let start = key.spans.first().map_or(value.start, |s| s.start);
        let line = self.line_start(start)..self.line_end(value.end.saturating_sub(1).max(start));
        if self.place_value(table, &key, node, false).is_none() {
            return;
        }
        self.entries.push(Entry {
            section,
            path: key.segments,
            segment_spans: key.spans,
            value,
            line,
            node,
        });
        let id = self.entries.len() - 1;
        self.nodes[node].entry = Some(id);
        self.sections[section].entries.push(id);
    }

    fn current_key(&mut self) -> Option<&mut KeyBuf> {
        match self.open.last_mut() {
            Some(Open::Inline { key, after_eq, .. }) if !*after_eq => Some(key),
            Some(_) => None,
            None => match self.top {
                Top::Key | Top::Header { .. } => Some(&mut self.key),
                _ => None,
            },
        }
    }
}

impl EventReceiver for Builder<'_> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.top = Top::Header {
            array: false,
            start: span.start(),
        };
        self.key = KeyBuf::default();
    }

    fn std_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        if let Top::Header { array, start } = self.top {
            self.on_header(array, start, span.end());
        }
        self.top = Top::EndOfLine;
    }

    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.top = Top::Header {
            array: true,
            start: span.start(),
        };
        self.key = KeyBuf::default();
    }

    fn array_table_close(&mut self, span: Span, error: &mut dyn ErrorSink) {
        self.std_table_close(span, error);
    }

    fn inline_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        let node = self.node(NodeKind::Table(TableKind::Inline));
        self.open.push(Open::Inline {
            start: span.start(),
            node,
            key: KeyBuf::default(),
            after_eq: false,
            items: Vec::new(),
            trailing_comma: false,
        });
        true
    }

    fn inline_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        if let Some(Open::Inline {
            start,
            node,
            items,
            trailing_comma,
            ..
        }) = self.open.pop()
        {
            self.nodes[node].inline = Some(Box::new(InlineItems {
                items,
                close: span.start()..span.end(),
                trailing_comma,
            }));
            self.value_done(node, start..span.end());
        }
    }

    fn array_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        let node = self.node(NodeKind::Array);
        self.open.push(Open::Array {
            start: span.start(),
            node,
        });
        true
    }

    fn array_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        if let Some(Open::Array { start, node }) = self.open.pop() {
            self.value_done(node, start..span.end());
        }
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        if self.open.is_empty() && matches!(self.top, Top::Idle | Top::EndOfLine) {
            self.top = Top::Key;
            self.key = KeyBuf::default();
        }
        let decoded = self.decode_key(span, encoding);
        if let Some(key) = self.current_key() {
            key.segments.push(decoded);
            key.spans.push(span.start()..span.end());
        }
    }

    fn key_val_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        match self.open.last_mut() {
            Some(Open::Inline { after_eq, .. }) => *after_eq = true,
            Some(_) => {}
            None => self.top = Top::Value,
        }
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        let text = &self.text[span.start()..span.end()];
        let raw = toml_parser::Raw::new_unchecked(text, encoding, span);
        let mut decoded = String::new();
        let mut err: Option<TomlParseError> = None;
        let kind = raw.decode_scalar(&mut decoded, &mut err);
        if let Some(e) = err {
            let offset = e.unexpected().map_or(span.start(), |s| s.start());
            self.fail(e.description().to_string(), offset);
        }
        let scalar = match kind {
            toml_parser::decoder::ScalarKind::String => Scalar::String(decoded),
            toml_parser::decoder::ScalarKind::Boolean(b) => Scalar::Boolean(b),
            _ => Scalar::Other,
        };
        let node = self.node(NodeKind::Scalar(scalar));
        self.value_done(node, span.start()..span.end());
    }

    fn value_sep(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        if let Some(Open::Inline {
            items,
            trailing_comma,
            ..
        }) = self.open.last_mut()
        {
            if let Some(last) = items.last_mut() {
                if last.comma.is_none() {
                    last.comma = Some(span.start()..span.end());
                    *trailing_comma = true;
                }
            }
        }
    }

    fn newline(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if self.open.is_empty() {
            self.top = Top::Idle;
        }
    }
}
