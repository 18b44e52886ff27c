//! A searchable list that also takes what was typed: the model picker of `init` and `model`.
//!
//! The field starts empty, the default shown as a hint (Enter takes it). Typing filters the
//! list (a substring of the id or its note, else each word as a subsequence); the cursor is a
//! mark (`❯`, or `>` in ASCII), not only a colour. What was typed can always be taken as it is:
//! when no entry is exactly it, the first line offers it. Esc clears the field (on an empty
//! field it takes the default); Ctrl-C cancels (an `Interrupted` error; the terminal is left as
//! it was).
//!
//! [`Picker::filter`] and [`Picker::rows`] are pure; [`pick`] is the loop on the terminal.

use std::io;

use console::{Key, Style, Term};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

/// One choice: an id and a note shown after it (`(no tool calls)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub note: String,
}

/// The picker's state.
pub struct Picker<'a> {
    entries: &'a [Entry],
    default: &'a str,
    pub query: String,
    /// Index into [`Picker::rows`].
    pub cursor: usize,
}

/// What a row stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// Take what was typed, as it is.
    Typed(String),
    Entry(usize),
}

/// How many rows are shown at once.
const SHOWN: usize = 10;

impl<'a> Picker<'a> {
    pub fn new(entries: &'a [Entry], default: &'a str) -> Self {
        Self {
            entries,
            default,
            query: String::new(),
            cursor: 0,
        }
    }

    /// The entries that match the query, in list order.
    pub fn filter(&self) -> Vec<usize> {
        let q = self.query.trim().to_ascii_lowercase();
        if q.is_empty() {
            return (0..self.entries.len()).collect();
        }
        let substring: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                let e = &self.entries[i];
                e.id.to_ascii_lowercase().contains(&q) || e.note.to_ascii_lowercase().contains(&q)
            })
            .collect();
        if !substring.is_empty() {
            return substring;
        }
        let matcher = SkimMatcherV2::default().ignore_case();
        (0..self.entries.len())
            .filter(|&i| {
                q.split_whitespace()
                    .all(|w| matcher.fuzzy_match(&self.entries[i].id, w).is_some())
            })
            .collect()
    }

    /// The rows to choose from: the typed text first when no entry is exactly it, then the
    /// matching entries.
    pub fn rows(&self) -> Vec<Row> {
        let typed = self.query.trim();
        if typed.is_empty() {
            // The default first, where the cursor starts.
            let at = self.entries.iter().position(|e| e.id == self.default);
            let mut rows = vec![match at {
                Some(i) => Row::Entry(i),
                None => Row::Typed(self.default.to_string()),
            }];
            rows.extend(
                (0..self.entries.len())
                    .filter(|&i| Some(i) != at)
                    .map(Row::Entry),
            );
            return rows;
        }
        let matches = self.filter();
        let mut rows = Vec::with_capacity(matches.len() + 1);
        // With an exact match, it comes first; then the other matches; what was typed last
        // (the only row when nothing matches), so Enter takes the best match.
        let exact = matches.iter().position(|&i| self.entries[i].id == typed);
        if let Some(p) = exact {
            rows.push(Row::Entry(matches[p]));
        }
        rows.extend(
            matches
                .iter()
                .enumerate()
                .filter(|(p, _)| Some(*p) != exact)
                .map(|(_, &i)| Row::Entry(i)),
        );
        if exact.is_none() {
            rows.push(Row::Typed(typed.to_string()));
        }
        rows
    }

    /// What Enter takes now.
    pub fn chosen(&self) -> String {
        let rows = self.rows();
        match rows.get(self.cursor.min(rows.len().saturating_sub(1))) {
            Some(Row::Typed(t)) => t.clone(),
            Some(Row::Entry(i)) => self.entries[*i].id.clone(),
            None => self.default.to_string(),
        }
    }

    /// Handles a key; `Some(id)` when it ends the choice.
    pub fn key(&mut self, key: Key) -> Option<String> {
        let len = self.rows().len();
        match key {
            Key::Enter => return Some(self.chosen()),
            Key::Escape if self.query.is_empty() => return Some(self.default.to_string()),
            Key::Escape => {
                self.query.clear();
                self.cursor = 0;
            }
            Key::Backspace => {
                self.query.pop();
                self.cursor = 0;
            }
            Key::ArrowDown | Key::Tab if len > 0 => self.cursor = (self.cursor + 1) % len,
            Key::ArrowUp | Key::BackTab if len > 0 => {
                self.cursor = (self.cursor + len - 1) % len;
            }
            Key::Char(c) if !c.is_control() => {
                self.query.push(c);
                self.cursor = 0;
            }
            _ => {}
        }
        None
    }
}

/// How to draw.
pub struct Look {
    pub color: bool,
    pub ascii: bool,
}

fn draw(term: &Term, prompt: &str, p: &Picker, look: &Look) -> io::Result<usize> {
    let dim = |s: &str| {
        if look.color {
            Style::new().for_stderr().dim().apply_to(s).to_string()
        } else {
            s.to_string()
        }
    };
    let bold = |s: &str| {
        if look.color {
            Style::new()
                .for_stderr()
                .cyan()
                .bold()
                .apply_to(s)
                .to_string()
        } else {
            s.to_string()
        }
    };
    let width = usize::from(term.size().1).max(20);
    let fit = |s: String| -> String {
        if console::measure_text_width(&s) <= width {
            s
        } else {
            console::truncate_str(&s, width - 1, "…").into_owned()
        }
    };
    let mut lines = Vec::new();
    let field = if p.query.is_empty() {
        dim(&format!("{} (Enter)", p.default))
    } else {
        p.query.clone()
    };
    lines.push(fit(format!("{prompt} › {field}")));
    let rows = p.rows();
    let mark = if look.ascii { ">" } else { "❯" };
    let start = p.cursor.saturating_sub(SHOWN - 1);
    for (n, row) in rows.iter().enumerate().skip(start).take(SHOWN) {
        let active = n == p.cursor;
        let text = match row {
            Row::Typed(t) if p.query.trim().is_empty() => format!("{t}  (the current one)"),
            Row::Typed(t) => format!("use `{t}` as typed (not in ModelGates' list)"),
            Row::Entry(i) => {
                let e = &p.entries[*i];
                if e.note.is_empty() {
                    e.id.clone()
                } else {
                    format!("{}  {}", e.id, e.note)
                }
            }
        };
        lines.push(fit(if active {
            format!("{} {}", bold(mark), bold(&text))
        } else {
            format!("  {text}")
        }));
    }
    if rows.len() > SHOWN {
        lines.push(dim(&format!(
            "  … {} more: type to narrow",
            rows.len() - SHOWN
        )));
    }
    lines.push(dim(&fit(
        "↑↓ move · Enter choose · Esc clear · Ctrl-C cancel".to_string(),
    )));
    let text = lines.join("\n");
    term.write_line(&text)?;
    Ok(lines.len())
}

/// Asks on `term` (stderr) until Enter; the chosen id, or an `Interrupted` error on Ctrl-C.
pub fn pick(
    term: &Term,
    prompt: &str,
    entries: &[Entry],
    default: &str,
    look: &Look,
) -> io::Result<String> {
    let mut p = Picker::new(entries, default);
    term.hide_cursor()?;
    let result = (|| loop {
        let drawn = draw(term, prompt, &p, look)?;
        let key = term.read_key();
        term.clear_last_lines(drawn)?;
        match key {
            Ok(Key::CtrlC) => {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
            }
            Ok(key) => {
                if let Some(id) = p.key(key) {
                    return Ok(id);
                }
            }
            Err(e) => return Err(e),
        }
    })();
    term.show_cursor()?;
    if let Ok(id) = &result {
        let done = if look.color {
            format!(
                "{} {prompt} · {}",
                Style::new().for_stderr().green().apply_to("✔"),
                Style::new().for_stderr().green().apply_to(id)
            )
        } else {
            format!("{prompt}: {id}")
        };
        term.write_line(&done)?;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry> {
        [
            "openai/gpt-5.3-codex",
            "openai/gpt-5.2-codex",
            "anthropic/claude-sonnet-4.5",
        ]
        .iter()
        .map(|id| Entry {
            id: id.to_string(),
            note: String::new(),
        })
        .collect()
    }

    #[test]
    fn enter_on_an_empty_field_takes_the_default() {
        let e = entries();
        let mut p = Picker::new(&e, "openai/gpt-5.3-codex");
        assert_eq!(p.key(Key::Enter).as_deref(), Some("openai/gpt-5.3-codex"));
        let mut p = Picker::new(&e, "openai/gpt-5.3-codex");
        assert_eq!(p.key(Key::Escape).as_deref(), Some("openai/gpt-5.3-codex"));
    }

    #[test]
    fn typing_filters_and_what_was_typed_can_be_taken() {
        let e = entries();
        let mut p = Picker::new(&e, "openai/gpt-5.3-codex");
        for c in "claude".chars() {
            p.key(Key::Char(c));
        }
        assert_eq!(p.rows(), vec![Row::Entry(2), Row::Typed("claude".into())]);
        assert_eq!(p.chosen(), "anthropic/claude-sonnet-4.5");
        p.key(Key::ArrowDown);
        assert_eq!(p.chosen(), "claude");
        // An id the list does not have: the only row, and Enter takes it.
        let mut p = Picker::new(&e, "openai/gpt-5.3-codex");
        for c in "acme/new-model".chars() {
            p.key(Key::Char(c));
        }
        assert_eq!(p.rows(), vec![Row::Typed("acme/new-model".into())]);
        assert_eq!(p.key(Key::Enter).as_deref(), Some("acme/new-model"));
    }

    #[test]
    fn an_exact_id_comes_first_and_esc_clears() {
        let e = entries();
        let mut p = Picker::new(&e, "x/y");
        for c in "openai/gpt-5.2-codex".chars() {
            p.key(Key::Char(c));
        }
        assert_eq!(p.rows()[0], Row::Entry(1));
        p.key(Key::Escape);
        assert!(p.query.is_empty());
        for c in "gpt53".chars() {
            p.key(Key::Char(c));
        }
        // No substring: each word as a subsequence.
        assert!(p.rows().contains(&Row::Entry(0)));
    }
}
