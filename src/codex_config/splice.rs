//! The splices every edit verb of [`ConfigDocument`] is made of: replace a value, set a field
//! (a `[table]` line, a dotted key or an inline-table item, as the table is written), create a
//! missing child, remove a path (its lines, its sections, the blank lines they leave), each
//! as text edits at the index's spans, in the file's own line ending.

use std::ops::Range;

use toml_edit::Value;

use super::*;

impl ConfigDocument {
    /// The line ending new lines use: CRLF if the file mostly used it when read.
    pub(super) fn ending(&self) -> &'static str {
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
    pub(super) fn splice(
        &mut self,
        mut edits: Vec<(Range<usize>, String)>,
    ) -> Result<(), ShapeError> {
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
    pub(super) fn insert_lines(&mut self, at: usize, lines: &[String]) -> Result<(), ShapeError> {
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
    pub(super) fn replace_value(
        &mut self,
        id: NodeId,
        value: &Value,
        path: &str,
    ) -> Result<(), ShapeError> {
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
    pub(super) fn set_child_fields(
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
    pub(super) fn set_field(
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
    pub(super) fn dotted_entries<'a>(
        &'a self,
        path: &'a [&str],
    ) -> impl Iterator<Item = usize> + 'a {
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
    pub(super) fn dotted_prefix(&self, entry: usize, depth: usize) -> String {
        let e = &self.index().entries[entry];
        let own = depth - self.index().section_path(e.section).len();
        let spans = self.index().segment_spans(entry);
        let start = spans[0].start;
        let end = spans[own - 1].end;
        self.text[start..end].to_string()
    }

    /// Creates `<parent>.<child>` with its fields.
    pub(super) fn create_child(
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
    pub(super) fn inline_entries_only(&self, table: NodeId) -> bool {
        self.index().node(table).has_children()
            && self.index().children(table).all(|(_, c)| {
                let n = self.index().node(c);
                n.table_kind() == Some(TableKind::Inline) && n.entry().is_some()
            })
    }

    /// Adds `item` (`key = value`) to the inline table `table`, after its last item.
    pub(super) fn add_inline_item(&mut self, table: NodeId, item: &str) -> Result<(), ShapeError> {
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
    pub(super) fn remove_path(&mut self, path: &[&str]) -> bool {
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
    pub(super) fn inline_owner(&self, path: &[&str]) -> Option<(NodeId, usize)> {
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
    pub(super) fn inline_removals(
        &self,
        owner: NodeId,
        rest: &[&str],
    ) -> Vec<(Range<usize>, String)> {
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
    pub(super) fn entry_removal(&self, entry: usize) -> Range<usize> {
        self.index().entries[entry].line.clone()
    }

    /// The ranges that remove header sections (a table, its sub-tables): each run of adjacent
    /// sections goes with the blank lines before it; when comments sit above the run they stay,
    /// and the blank lines after the run go instead.
    pub(super) fn section_removals(&self, sections: &[usize]) -> Vec<Range<usize>> {
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
    pub(super) fn gap_start(&self, at: usize) -> usize {
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

/// A key as TOML writes it: bare when it can be, else quoted (`toml_edit`'s choice).
pub(super) fn key_repr(key: &str) -> String {
    toml_edit::Key::new(key).display_repr().into_owned()
}

/// A value as TOML writes it by default, without decor.
pub(super) fn value_repr(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string()
}

/// `{ a = 1, b = "x" }`.
pub(super) fn inline_table_text(fields: &[(&str, Value)]) -> String {
    let items: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{} = {}", key_repr(k), value_repr(v)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// Sorted ranges with overlapping or touching ones joined.
pub(super) fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
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
pub(super) fn same_value(a: &Value, b: &Value) -> bool {
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
pub(super) fn leading_block_len(region: &str) -> usize {
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
