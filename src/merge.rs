//! Taking one program's changes back out of a text that others have edited since: a line-level
//! three-way merge.
//!
//! `init` changed `before` into `after`; the user then changed `after` into `current`. Taking
//! `init`'s changes back means applying the change `after` → `before` to `current`, line by
//! line, wherever the user left `init`'s lines as they were: a line `init` added goes, a line
//! it replaced comes back, a line it removed is put back where it was. A line of `init`'s that
//! the user changed since is theirs now: it stays, and is reported. Lines are compared with
//! their line endings, so every byte the user wrote, and every byte `init` did not change,
//! comes out as it went in.
//!
//! Pure: strings in, strings out.

use similar::{Algorithm, DiffOp};

/// The result of taking a change back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    /// What the user changed since and so was kept as the user has it: the key of a line
    /// (`model`), or a whole table (`mcp_servers.modelgates-docs`).
    pub kept: Vec<String>,
}

/// What the user did to one line of `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Left as it was, at this line of `current`.
    Kept(usize),
    /// Deleted.
    Deleted,
    /// Changed (replaced by other lines).
    Changed,
}

fn without_ending(line: &str) -> &str {
    line.strip_suffix('\n')
        .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l))
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The key a line sets (`model` of `model = "x"`), or the header it opens (`[tui]`), to pair a
/// line `init` replaced with its replacement.
fn line_key(line: &str) -> Option<String> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    if t.starts_with('[') {
        return Some(t.split('#').next().unwrap_or(t).trim().replace(' ', ""));
    }
    t.split_once('=').map(|(k, _)| k.trim().replace(' ', ""))
}

/// For each line of `text`: the index of the `[header]` section it belongs to (0: above the
/// first header), from the structural index (so a `[` inside a string is not a header). A text
/// that does not parse is one section.
fn sections_of(text: &str, line_starts: &[usize]) -> (Vec<usize>, Vec<Option<String>>) {
    let mut of_line = vec![0; line_starts.len()];
    let mut names = vec![None];
    let Ok(index) = crate::codex_config::Index::build(text) else {
        return (of_line, names);
    };
    let mut headers: Vec<(usize, String)> = index
        .sections
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.header_line
                .as_ref()
                .map(|l| (l.start, index.section_path(i).join(".")))
        })
        .collect();
    headers.sort();
    let mut current = 0;
    let mut next = 0;
    for (i, start) in line_starts.iter().enumerate() {
        while next < headers.len() && headers[next].0 <= *start {
            current = next + 1;
            names.push(Some(headers[next].1.clone()));
            next += 1;
        }
        of_line[i] = current;
    }
    while names.len() <= headers.len() {
        names.push(None);
    }
    (of_line, names)
}

fn starts(lines: &[&str]) -> Vec<usize> {
    let mut at = 0;
    lines
        .iter()
        .map(|l| {
            let s = at;
            at += l.len();
            s
        })
        .collect()
}

/// Applies the change `after` → `before` to `current` (see the module documentation).
///
/// A `[table]` that `after` added is taken back whole or not at all: when the user changed one
/// of its lines or added lines to it since, it stays as it is (with the blank lines above it)
/// and is reported, so no line ever ends up under another table's header.
pub fn take_back(before: &str, after: &str, current: &str) -> Merged {
    let b = lines(before);
    let a = lines(after);
    let c = lines(current);
    // What the user did to each line of `after`, and which lines of `current` are theirs.
    let mut fate = vec![Fate::Deleted; a.len()];
    let mut from_after = vec![false; c.len()];
    // Compared without their line endings: a line whose ending changed (the user appended to a
    // file without a final newline) is still the same line; what is kept is `current`'s bytes.
    let a_bare: Vec<&str> = a.iter().map(|l| without_ending(l)).collect();
    let c_bare: Vec<&str> = c.iter().map(|l| without_ending(l)).collect();
    for op in similar::capture_diff_slices(Algorithm::Myers, &a_bare, &c_bare) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    fate[old_index + k] = Fate::Kept(new_index + k);
                    from_after[new_index + k] = true;
                }
            }
            DiffOp::Delete { .. } | DiffOp::Insert { .. } => {}
            DiffOp::Replace {
                old_index, old_len, ..
            } => {
                for f in &mut fate[old_index..old_index + old_len] {
                    *f = Fate::Changed;
                }
            }
        }
    }
    let undo = similar::capture_diff_slices(Algorithm::Myers, &a, &b);
    // The lines of `after` that `before` does not have (what `init` added or changed).
    let mut added = vec![false; a.len()];
    for op in &undo {
        match *op {
            DiffOp::Delete {
                old_index, old_len, ..
            }
            | DiffOp::Replace {
                old_index, old_len, ..
            } => added[old_index..old_index + old_len].fill(true),
            _ => {}
        }
    }
    // Tables `after` added that the user has made theirs: protected, line and blank lines above.
    let (a_section, a_names) = sections_of(after, &starts(&a));
    let (c_section, _) = sections_of(current, &starts(&c));
    let mut protected = vec![false; a.len()];
    let mut kept = Vec::new();
    let header_lines: Vec<usize> = (0..a.len())
        .filter(|&i| a_section[i] != 0 && (i == 0 || a_section[i - 1] != a_section[i]))
        .collect();
    for &h in &header_lines {
        if !added[h] {
            continue;
        }
        let section = a_section[h];
        let members: Vec<usize> = (h..a.len())
            .take_while(|&i| a_section[i] == section)
            .collect();
        let changed = members.iter().any(|&i| fate[i] == Fate::Changed);
        let grown = match fate[h] {
            // Comments and blank lines the user added after it change nothing in it.
            Fate::Kept(ch) => (0..c.len()).any(|ci| {
                c_section[ci] == c_section[ch] && !from_after[ci] && line_key(c[ci]).is_some()
            }),
            _ => false,
        };
        if changed || grown {
            for &i in &members {
                protected[i] = true;
            }
            let mut i = h;
            while i > 0 && a[i - 1].trim().is_empty() && added[i - 1] {
                i -= 1;
                protected[i] = true;
            }
            if let Some(name) = &a_names[section] {
                kept.push(name.clone());
            }
        }
    }
    // Where, in `current`, something at line `i` of `after` goes.
    let position = |i: usize| -> usize {
        if let Some(Fate::Kept(ci)) = fate.get(i) {
            return *ci;
        }
        fate[..i]
            .iter()
            .rev()
            .find_map(|f| match f {
                Fate::Kept(ci) => Some(ci + 1),
                _ => None,
            })
            .unwrap_or(0)
    };
    let key_or_line = |line: &str| line_key(line).unwrap_or_else(|| line.trim().to_string());
    let mut drop = vec![false; c.len()];
    let mut replace: Vec<Option<&str>> = vec![None; c.len()];
    let mut insert: Vec<Vec<&str>> = vec![Vec::new(); c.len() + 1];
    for op in undo {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for i in old_index..old_index + old_len {
                    match fate[i] {
                        _ if protected[i] => {}
                        Fate::Kept(ci) => drop[ci] = true,
                        Fate::Deleted => {}
                        Fate::Changed => kept.push(key_or_line(a[i])),
                    }
                }
            }
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => {
                insert[position(old_index)].extend(&b[new_index..new_index + new_len]);
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let olds: Vec<usize> = (old_index..old_index + old_len).collect();
                let mut paired = vec![false; olds.len()];
                // Where the next line of `before` goes: after the last one that found its line,
                // so `before`'s order comes back (a removed last field returns last, not first).
                let mut at = position(old_index);
                for &line in &b[new_index..new_index + new_len] {
                    let key = line_key(line);
                    let partner = key.as_ref().and_then(|k| {
                        olds.iter()
                            .enumerate()
                            .find(|(n, &i)| !paired[*n] && line_key(a[i]).as_ref() == Some(k))
                            .map(|(n, _)| n)
                    });
                    match partner {
                        Some(n) => {
                            paired[n] = true;
                            match fate[olds[n]] {
                                _ if protected[olds[n]] => {}
                                Fate::Kept(ci) => {
                                    replace[ci] = Some(line);
                                    at = at.max(ci + 1);
                                }
                                // The user removed the line: put ours back where it was.
                                Fate::Deleted => insert[at].push(line),
                                // `init` only gave it a line ending: nothing of ours to keep.
                                Fate::Changed
                                    if without_ending(a[olds[n]]) == without_ending(line) => {}
                                Fate::Changed => kept.push(key_or_line(a[olds[n]])),
                            }
                        }
                        None => insert[at].push(line),
                    }
                }
                for (n, &i) in olds.iter().enumerate() {
                    if paired[n] {
                        continue;
                    }
                    match fate[i] {
                        _ if protected[i] => {}
                        Fate::Kept(ci) => drop[ci] = true,
                        Fate::Deleted => {}
                        Fate::Changed => kept.push(key_or_line(a[i])),
                    }
                }
            }
        }
    }
    let mut out: Vec<(&str, &str)> = Vec::with_capacity(c.len());
    for (ci, line) in c.iter().enumerate() {
        for l in &insert[ci] {
            out.push((l, line));
        }
        if drop[ci] {
            continue;
        }
        out.push((replace[ci].unwrap_or(line), line));
    }
    for l in &insert[c.len()] {
        out.push((l, ""));
    }
    // A line that ended the text (without a line ending) and now has lines after it gets the
    // ending of the line it stands for.
    let mut text = String::with_capacity(current.len());
    let count = out.len();
    for (n, (line, stands_for)) in out.into_iter().enumerate() {
        text.push_str(line);
        if n + 1 < count && !line.ends_with('\n') {
            let ending = if stands_for.ends_with("\r\n")
                || (!stands_for.ends_with('\n') && current.contains("\r\n"))
            {
                "\r\n"
            } else {
                "\n"
            };
            text.push_str(ending);
        }
    }
    // A text that ends without a line ending keeps ending so when nobody changed that: the
    // line that ended it may have gained one only because `init` wrote lines after it.
    let no_final = |t: &str| !t.is_empty() && !t.ends_with('\n');
    if no_final(before) && no_final(after) && no_final(current) {
        let trimmed = without_ending(&text).len();
        text.truncate(trimmed);
    }
    kept.dedup();
    Merged { text, kept }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `generated::the_modelgates_edit_keeps_every_line_and_meaning_it_does_not_own`
    /// (seed 3376926460301184700): a field `init` removed from the end of a table it rewrote
    /// came back at the table's top, with a line ending the original did not have.
    #[test]
    fn a_removed_last_field_comes_back_last() {
        let before = "[tui]\r\nnotifications=true\r\n\r\n[p]\r\nname = \"MG\"\r\nretries = 4\t# tab\nbogus = 1";
        let after = "[tui]\r\nnotifications=true\r\n\r\n[p]\r\nname = \"ModelGates\"\r\nretries = 4\t# tab\r\nenv_key = \"K\"\r\nwire_api = \"responses\"";
        let edit = |t: &str| t.replacen("notifications", "desktop_notifications", 1);
        let merged = take_back(before, after, &edit(after));
        assert_eq!(merged.text, edit(before));
        assert!(merged.kept.is_empty(), "{:?}", merged.kept);
    }

    const BEFORE: &str = "#:schema x\n# my settings\n\n[tui]\nnotifications = true\n";
    const AFTER: &str = "#:schema x\n# my settings\n\nmodel_provider = \"modelgates\"\nmodel = \"m\"\n\n[tui]\nnotifications = true\n\n[model_providers.modelgates]\nname = \"ModelGates\"\n";

    #[test]
    fn an_untouched_text_comes_back_byte_for_byte() {
        assert_eq!(take_back(BEFORE, AFTER, AFTER).text, BEFORE);
    }

    #[test]
    fn the_users_lines_stay_where_they_are() {
        let current = AFTER.replace(
            "notifications = true\n",
            "notifications = true\nanimations = false\n",
        ) + "# mine\n";
        let merged = take_back(BEFORE, AFTER, &current);
        assert_eq!(
            merged.text,
            "#:schema x\n# my settings\n\n[tui]\nnotifications = true\nanimations = false\n# mine\n"
        );
        assert!(merged.kept.is_empty());
    }

    #[test]
    fn a_line_of_inits_the_user_changed_is_kept_and_reported() {
        let before = "model = \"o3\"\n\n[tui]\n";
        let after = "model = \"m\"\nmodel_provider = \"modelgates\"\n\n[tui]\n";
        let current = "model = \"mine\"\nmodel_provider = \"modelgates\"\n\n[tui]\n";
        let merged = take_back(before, after, current);
        assert_eq!(merged.text, "model = \"mine\"\n\n[tui]\n");
        assert_eq!(merged.kept, ["model"]);
    }

    #[test]
    fn replaced_lines_come_back_and_line_endings_with_them() {
        let before = "a = 1\r\nmodel = 'o3' # c\r\n[x]\r\ny = 2";
        let after = "a = 1\r\nmodel = 'm' # c\r\nmodel_provider = \"modelgates\"\r\n[x]\r\ny = 2\r\n\r\n[model_providers.modelgates]\r\nname = \"M\"";
        let current = format!("# top\r\n{after}");
        assert_eq!(
            take_back(before, after, &current).text,
            format!("# top\r\n{before}")
        );
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn a_table_of_inits_the_user_changed_stays_whole() {
        let before = "model = \"o3\"\n";
        let after = "model = \"o3\"\nmodel_provider = \"modelgates\"\n\n[mcp_servers.docs]\nurl = \"https://ours\"\n";
        let current = after.replace("https://ours", "https://theirs");
        let merged = take_back(before, after, &current);
        assert_eq!(
            merged.text,
            "model = \"o3\"\n\n[mcp_servers.docs]\nurl = \"https://theirs\"\n"
        );
        assert_eq!(merged.kept, ["mcp_servers.docs"]);
    }

    #[test]
    fn a_table_of_inits_the_user_added_to_stays_whole() {
        let before = "[tui]\nx = 1\n";
        let after = "[tui]\nx = 1\n\n[model_providers.modelgates]\nname = \"M\"\n";
        let current = format!("{after}request_max_retries = 3\n");
        let merged = take_back(before, after, &current);
        assert_eq!(merged.text, current);
        assert_eq!(merged.kept, ["model_providers.modelgates"]);
    }
}
