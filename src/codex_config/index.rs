//! A structural index of a TOML document: where every table header, key and value sits in the
//! text, and the tree of tables they define. Built straight from `toml_parser`'s events (the
//! lexer and parser `toml_edit` itself uses), without building `toml_edit`'s editable tree:
//! compact nodes, keys decoded into one scratch buffer and stored once, children linked rather
//! than listed, so a 10,000-entry config indexes in a few milliseconds.
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
/// "No such node / entry / section" in the compact fields.
const NONE: u32 = u32::MAX;

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
    String(Box<str>),
    Boolean(bool),
    /// Integers, floats and dates, as written.
    Other,
}

/// A span in the text, compact (`start == NONE`: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sp {
    start: u32,
    end: u32,
}

impl Sp {
    const NONE: Sp = Sp {
        start: NONE,
        end: NONE,
    };

    fn of(range: Range<usize>) -> Self {
        Sp {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    fn get(self) -> Option<Range<usize>> {
        (self.start != NONE).then_some(self.start as usize..self.end as usize)
    }
}

fn opt(n: u32) -> Option<usize> {
    (n != NONE).then_some(n as usize)
}

/// One node: a table or a value.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    /// The key naming it in its parent (empty for the root and for elements of an array of
    /// tables).
    pub key: Box<str>,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
    key_span: Sp,
    value_span: Sp,
    entry: u32,
    section: u32,
    /// For an inline table: its items.
    pub inline: Option<Box<InlineItems>>,
}

impl Node {
    fn new(kind: NodeKind) -> Self {
        Self {
            kind,
            key: Box::from(""),
            parent: 0,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            key_span: Sp::NONE,
            value_span: Sp::NONE,
            entry: NONE,
            section: NONE,
            inline: None,
        }
    }

    /// Its parent (the root is its own).
    pub fn parent(&self) -> NodeId {
        self.parent as usize
    }

    /// The span of the key segment that named it where it was first defined.
    pub fn key_span(&self) -> Option<Range<usize>> {
        self.key_span.get()
    }

    /// For a value: its span (for an inline table, from `{` to `}`).
    pub fn value_span(&self) -> Option<Range<usize>> {
        self.value_span.get()
    }

    /// For a value written on a line of its own (`key = value` at section level): its entry.
    pub fn entry(&self) -> Option<usize> {
        opt(self.entry)
    }

    /// For a `[header]` table: its section.
    pub fn section(&self) -> Option<usize> {
        opt(self.section)
    }

    pub fn has_children(&self) -> bool {
        self.first_child != NONE
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
    map: HashMap<(u32, u64), u32, BuildFx>,
}

/// FNV-1a: keys are short and come from the user's own file (no adversary to flood the map: a
/// collision only costs a look through the parent's list).
fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
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
    /// The value's span.
    pub value: Range<usize>,
    /// From the start of the key's line to the end of the line the value ends on, its line
    /// ending included (at the end of the text, the line may have none).
    pub line: Range<usize>,
    /// The node of the value.
    pub node: NodeId,
    /// Its key segments' spans, in [`Index`]'s list.
    segments: Range<u32>,
}

/// A run of the document owned by one header (or, first, the root).
#[derive(Debug, Clone)]
pub struct Section {
    pub is_array: bool,
    /// The header line: from its start to the end of the line, line ending included.
    pub header_line: Option<Range<usize>>,
    /// The table the section fills.
    pub node: NodeId,
    /// Its entries (indices into [`Index::entries`]: a section's entries are consecutive).
    entries: Range<u32>,
}

impl Section {
    /// Its entries, in order.
    pub fn entries(&self) -> Range<usize> {
        self.entries.start as usize..self.entries.end as usize
    }

    /// Where the section's own text ends: after its last entry's line, else after its header
    /// line (the root section without entries ends at 0). Comments and blank lines after that
    /// belong to what follows.
    pub fn end(&self, index: &Index) -> usize {
        match self.entries().last() {
            Some(e) => index.entries[e].line.end,
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
    spans: Vec<Sp>,
    lookup: Lookup,
}

/// Why a text is not a TOML document: a message and the byte offset it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexError {
    pub message: String,
    pub offset: usize,
}

/// Checks only the syntax of `text` (tokens and grammar, not duplicate keys): a quick check
/// of what an edit produced.
pub fn check_syntax(text: &str) -> Result<(), IndexError> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut error: Option<TomlParseError> = None;
    {
        let mut sink = ();
        let mut validate = ValidateWhitespace::new(&mut sink, source);
        toml_parser::parser::parse_document(&tokens, &mut validate, &mut error);
    }
    match error {
        None => Ok(()),
        Some(e) => Err(IndexError {
            message: e.description().to_string(),
            offset: e.unexpected().map_or(0, |s| s.start()),
        }),
    }
}

impl Index {
    pub const ROOT: NodeId = 0;

    /// Indexes and validates `text`.
    pub fn build(text: &str) -> Result<Index, IndexError> {
        if text.len() >= NONE as usize {
            return Err(IndexError {
                message: "the file is larger than 4 GiB".into(),
                offset: 0,
            });
        }
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
            spans: builder.spans,
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
        let mut next = self.nodes[id].first_child;
        std::iter::from_fn(move || {
            let current = opt(next)?;
            next = self.nodes[current].next_sibling;
            Some((&*self.nodes[current].key, current))
        })
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

    /// The keys from the root to `id` (an element of an array of tables counts as the array).
    pub fn path(&self, mut id: NodeId) -> Vec<&str> {
        let mut out = Vec::new();
        while id != Self::ROOT {
            let node = &self.nodes[id];
            let parent = node.parent();
            if !matches!(self.nodes[parent].kind, NodeKind::ArrayOfTables(_)) {
                out.push(&*node.key);
            }
            id = parent;
        }
        out.reverse();
        out
    }

    /// A section's header path (empty for the root section).
    pub fn section_path(&self, section: usize) -> Vec<&str> {
        self.path(self.sections[section].node)
    }

    /// The spans of an entry's key segments, in order.
    pub fn segment_spans(&self, entry: usize) -> Vec<Range<usize>> {
        let r = &self.entries[entry].segments;
        self.spans[r.start as usize..r.end as usize]
            .iter()
            .filter_map(|s| s.get())
            .collect()
    }

    /// Whether `path` starts with `prefix` and is longer than it (`strict`) or not shorter.
    fn has_prefix(path: &[&str], prefix: &[&str], strict: bool) -> bool {
        let long_enough = if strict {
            path.len() > prefix.len()
        } else {
            path.len() >= prefix.len()
        };
        long_enough && path.iter().zip(prefix).all(|(a, b)| a == b)
    }

    /// Every section whose header path starts with `prefix` (and is longer than it).
    pub fn sections_under<'a>(&'a self, prefix: &'a [&str]) -> impl Iterator<Item = usize> + 'a {
        (0..self.sections.len())
            .filter(move |&i| Self::has_prefix(&self.section_path(i), prefix, true))
    }

    /// Every section whose header path starts with `prefix` (or is it).
    pub fn sections_at_or_under<'a>(
        &'a self,
        prefix: &'a [&str],
    ) -> impl Iterator<Item = usize> + 'a {
        (0..self.sections.len())
            .filter(move |&i| Self::has_prefix(&self.section_path(i), prefix, false))
    }

    /// Every entry (at any section) whose full path, the section's path included, starts with
    /// `prefix`; the order is the document's.
    pub fn entries_under<'a>(&'a self, prefix: &'a [&str]) -> impl Iterator<Item = usize> + 'a {
        (0..self.entries.len())
            .filter(move |&e| Self::has_prefix(&self.path(self.entries[e].node), prefix, false))
    }
}

fn child_of(nodes: &[Node], lookup: &Lookup, id: NodeId, key: &str) -> Option<NodeId> {
    match lookup.map.get(&(id as u32, key_hash(key))) {
        Some(&c) if &*nodes[c as usize].key == key => Some(c as usize),
        Some(_) => {
            let mut next = nodes[id].first_child;
            while let Some(c) = opt(next) {
                if &*nodes[c].key == key {
                    return Some(c);
                }
                next = nodes[c].next_sibling;
            }
            None
        }
        None => None,
    }
}

/// The key being read: its segments, decoded into one buffer, and their spans.
#[derive(Debug, Default)]
struct KeyBuf {
    text: String,
    /// Each segment: its range in `text`, its span in the document.
    segments: Vec<(Range<usize>, Range<usize>)>,
}

impl KeyBuf {
    fn clear(&mut self) {
        self.text.clear();
        self.segments.clear();
    }

    fn segment(&self, i: usize) -> &str {
        &self.text[self.segments[i].0.clone()]
    }

    fn span(&self, i: usize) -> Range<usize> {
        self.segments[i].1.clone()
    }

    fn len(&self) -> usize {
        self.segments.len()
    }

    fn owned_path(&self) -> Vec<String> {
        (0..self.len())
            .map(|i| self.segment(i).to_string())
            .collect()
    }
}

/// A container value being read.
#[derive(Debug)]
enum Open {
    Array {
        start: usize,
        node: NodeId,
        len: usize,
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

/// Which key buffer an operation uses: the top level's, or that of the innermost inline table.
#[derive(Clone, Copy)]
enum Which {
    Top,
    Inline,
}

struct Builder<'t> {
    text: &'t str,
    nodes: Vec<Node>,
    lookup: Lookup,
    sections: Vec<Section>,
    entries: Vec<Entry>,
    spans: Vec<Sp>,
    /// The first semantic error (syntax errors go to the parser's sink).
    error: Option<IndexError>,
    top: Top,
    key: KeyBuf,
    open: Vec<Open>,
}

impl<'t> Builder<'t> {
    /// A builder for `text`, sized for about `tokens` tokens.
    fn new(text: &'t str, tokens: usize) -> Self {
        let mut root = Node::new(NodeKind::Table(TableKind::Root));
        root.section = 0;
        let mut nodes = Vec::with_capacity(tokens / 4 + 1);
        nodes.push(root);
        let mut lookup = Lookup::default();
        lookup.map.reserve(tokens / 4);
        Self {
            text,
            nodes,
            lookup,
            sections: vec![Section {
                is_array: false,
                header_line: None,
                node: Index::ROOT,
                entries: 0..0,
            }],
            entries: Vec::with_capacity(tokens / 8),
            spans: Vec::with_capacity(tokens / 8),
            error: None,
            top: Top::Idle,
            key: KeyBuf::default(),
            open: Vec::new(),
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

    fn node(&mut self, kind: NodeKind) -> NodeId {
        self.nodes.push(Node::new(kind));
        self.nodes.len() - 1
    }

    fn child(&self, id: NodeId, key: &str) -> Option<NodeId> {
        child_of(&self.nodes, &self.lookup, id, key)
    }

    /// Makes `child` the child of `parent` under `key`.
    fn insert_child(&mut self, parent: NodeId, key: &str, child: NodeId) {
        self.lookup
            .map
            .entry((parent as u32, key_hash(key)))
            .or_insert(child as u32);
        self.link(parent, child);
        self.nodes[child].key = Box::from(key);
    }

    /// Appends `child` to `parent`'s children.
    fn link(&mut self, parent: NodeId, child: NodeId) {
        self.nodes[child].parent = parent as u32;
        match opt(self.nodes[parent].last_child) {
            None => self.nodes[parent].first_child = child as u32,
            Some(last) => self.nodes[last].next_sibling = child as u32,
        }
        self.nodes[parent].last_child = child as u32;
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

    fn keybuf(&mut self, which: Which) -> &mut KeyBuf {
        match (which, self.open.last_mut()) {
            (Which::Inline, Some(Open::Inline { key, .. })) => key,
            _ => &mut self.key,
        }
    }

    /// Takes a key buffer out (to read it while the builder changes), leaving an empty one.
    fn take_key(&mut self, which: Which) -> KeyBuf {
        std::mem::take(self.keybuf(which))
    }

    /// Puts a key buffer back (cleared, its capacity kept for the next key).
    fn return_key(&mut self, which: Which, mut key: KeyBuf) {
        key.clear();
        *self.keybuf(which) = key;
    }

    /// Follows (or creates) the tables of a header's first `n` keys: missing ones become
    /// implicit.
    fn descend_header(&mut self, key: &KeyBuf, n: usize) -> Option<NodeId> {
        let mut id = Index::ROOT;
        for i in 0..n {
            let (segment, span) = (key.segment(i), key.span(i));
            id = match self.child(id, segment) {
                None => {
                    let child = self.node(NodeKind::Table(TableKind::Implicit));
                    self.nodes[child].key_span = Sp::of(span);
                    self.insert_child(id, segment, child);
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
        let key = self.take_key(Which::Top);
        self.header(&key, array, start, end);
        self.return_key(Which::Top, key);
    }

    fn header(&mut self, key: &KeyBuf, array: bool, start: usize, end: usize) {
        let Some(last) = key.len().checked_sub(1) else {
            return;
        };
        let (last_key, last_span) = (key.segment(last), key.span(last));
        let header_line = self.line_start(start)..self.line_end(end.saturating_sub(1).max(start));
        let Some(parent) = self.descend_header(key, last) else {
            return;
        };
        let section_id = self.sections.len() as u32;
        let table = if array {
            let element = self.node(NodeKind::Table(TableKind::Header));
            self.nodes[element].key_span = Sp::of(last_span.clone());
            self.nodes[element].section = section_id;
            match self.child(parent, last_key) {
                None => {
                    let aot = self.node(NodeKind::ArrayOfTables(vec![element]));
                    self.nodes[aot].key_span = Sp::of(last_span);
                    self.insert_child(parent, last_key, aot);
                    self.link(aot, element);
                }
                Some(existing) => match &mut self.nodes[existing].kind {
                    NodeKind::ArrayOfTables(elems) => {
                        elems.push(element);
                        self.link(existing, element);
                    }
                    _ => {
                        self.fail("duplicate key", last_span.start);
                        return;
                    }
                },
            }
            element
        } else {
            match self.child(parent, last_key) {
                None => {
                    let id = self.node(NodeKind::Table(TableKind::Header));
                    self.nodes[id].key_span = Sp::of(last_span);
                    self.nodes[id].section = section_id;
                    self.insert_child(parent, last_key, id);
                    id
                }
                Some(existing) => {
                    if self.nodes[existing].kind == NodeKind::Table(TableKind::Implicit) {
                        let node = &mut self.nodes[existing];
                        node.kind = NodeKind::Table(TableKind::Header);
                        node.section = section_id;
                        existing
                    } else {
                        self.fail("duplicate key (a table defined twice)", last_span.start);
                        return;
                    }
                }
            }
        };
        let first_entry = self.entries.len() as u32;
        self.sections.push(Section {
            is_array: array,
            header_line: Some(header_line),
            node: table,
            entries: first_entry..first_entry,
        });
    }

    /// Follows (or creates) the dotted tables of a key-value's first `n` keys in `table`, as
    /// TOML allows: only tables made by dotted keys (or implicit ones) can be extended this way.
    fn descend_dotted(
        &mut self,
        mut id: NodeId,
        key: &KeyBuf,
        n: usize,
        inline: bool,
    ) -> Option<NodeId> {
        let dotted_kind = if inline {
            TableKind::InlineDotted
        } else {
            TableKind::Dotted
        };
        for i in 0..n {
            let (segment, span) = (key.segment(i), key.span(i));
            id = match self.child(id, segment) {
                None => {
                    let child = self.node(NodeKind::Table(dotted_kind));
                    self.nodes[child].key_span = Sp::of(span);
                    self.insert_child(id, segment, child);
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
        let last = key.len().checked_sub(1)?;
        let parent = self.descend_dotted(table, key, last, inline)?;
        let (last_key, last_span) = (key.segment(last), key.span(last));
        if self.child(parent, last_key).is_some() {
            self.fail("duplicate key", last_span.start);
            return None;
        }
        self.nodes[value].key_span = Sp::of(last_span);
        self.insert_child(parent, last_key, value);
        Some(())
    }

    /// The table the current section fills.
    fn section_table(&self) -> NodeId {
        self.sections.last().map_or(Index::ROOT, |s| s.node)
    }

    /// A value has been read completely (scalar, or a container closed).
    fn value_done(&mut self, node: NodeId, span: Range<usize>) {
        self.nodes[node].value_span = Sp::of(span.clone());
        match self.open.last_mut() {
            None => {
                self.top = Top::EndOfLine;
                self.finish_entry(node, span);
            }
            Some(Open::Array {
                node: array, len, ..
            }) => {
                let (array, index) = (*array, *len);
                *len += 1;
                self.insert_child(array, &index.to_string(), node);
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
                *after_eq = false;
                *trailing_comma = false;
                let start = key.segments.first().map_or(span.start, |s| s.1.start);
                items.push(InlineItem {
                    path: key.owned_path(),
                    span: start..span.end,
                    value: span,
                    comma: None,
                });
                let key = self.take_key(Which::Inline);
                self.place_value(table, &key, node, true);
                self.return_key(Which::Inline, key);
            }
        }
    }

    /// Records the top-level entry whose value was just read.
    fn finish_entry(&mut self, node: NodeId, value: Range<usize>) {
        let key = self.take_key(Which::Top);
        let section = self.sections.len() - 1;
        let table = self.section_table();
        let start = key.segments.first().map_or(value.start, |s| s.1.start);
        let line = self.line_start(start)..self.line_end(value.end.saturating_sub(1).max(start));
        if self.place_value(table, &key, node, false).is_some() {
            let first = self.spans.len() as u32;
            self.spans
                .extend(key.segments.iter().map(|(_, span)| Sp::of(span.clone())));
            self.entries.push(Entry {
                section,
                value,
                line,
                node,
                segments: first..self.spans.len() as u32,
            });
            let id = self.entries.len() as u32;
            self.nodes[node].entry = id - 1;
            self.sections[section].entries.end = id;
        }
        self.return_key(Which::Top, key);
    }

    /// The key buffer a key segment goes to now, if any.
    fn reading_key(&self) -> Option<Which> {
        match self.open.last() {
            Some(Open::Inline { after_eq, .. }) if !*after_eq => Some(Which::Inline),
            Some(_) => None,
            None => match self.top {
                Top::Key | Top::Header { .. } => Some(Which::Top),
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
        self.key.clear();
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
        self.key.clear();
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
            len: 0,
        });
        true
    }

    fn array_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        if let Some(Open::Array { start, node, .. }) = self.open.pop() {
            self.value_done(node, start..span.end());
        }
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        if self.open.is_empty() && matches!(self.top, Top::Idle | Top::EndOfLine) {
            self.top = Top::Key;
            self.key.clear();
        }
        let Some(which) = self.reading_key() else {
            return;
        };
        let text = self.text;
        let raw = toml_parser::Raw::new_unchecked(&text[span.start()..span.end()], encoding, span);
        let mut err: Option<TomlParseError> = None;
        let key = self.keybuf(which);
        let from = key.text.len();
        let mut decoded: std::borrow::Cow<'_, str> = std::borrow::Cow::Borrowed("");
        raw.decode_key(&mut decoded, &mut err);
        key.text.push_str(&decoded);
        let to = key.text.len();
        key.segments.push((from..to, span.start()..span.end()));
        if let Some(e) = err {
            self.fail(e.description().to_string(), span.start());
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
        let text = self.text;
        let raw = toml_parser::Raw::new_unchecked(&text[span.start()..span.end()], encoding, span);
        let mut decoded: std::borrow::Cow<'_, str> = std::borrow::Cow::Borrowed("");
        let mut err: Option<TomlParseError> = None;
        let kind = raw.decode_scalar(&mut decoded, &mut err);
        if let Some(e) = err {
            let offset = e.unexpected().map_or(span.start(), |s| s.start());
            self.fail(e.description().to_string(), offset);
        }
        let scalar = match kind {
            toml_parser::decoder::ScalarKind::String => Scalar::String(Box::from(&*decoded)),
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
