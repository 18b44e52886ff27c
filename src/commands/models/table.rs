//! How `models` shows the catalogue: the table that fits the terminal (the id never cut), the
//! tab-separated lines for a pipe, and the `--json` entries.

use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::api::Model;
use crate::ui::Style;

/// One model as `--json` prints it (field names are stable).
#[derive(Debug, Serialize)]
pub(super) struct JsonModel<'a> {
    id: &'a str,
    name: Option<&'a str>,
    context_length: Option<u64>,
    prompt_per_million: Option<f64>,
    completion_per_million: Option<f64>,
    tools: Option<bool>,
    reasoning: Option<bool>,
    current: bool,
}

impl<'a> JsonModel<'a> {
    pub(super) fn new(m: &'a Model, current: bool) -> Self {
        Self {
            id: &m.id,
            name: m.name.as_deref(),
            context_length: m.context_length,
            prompt_per_million: m.prompt_per_million(),
            completion_per_million: m.completion_per_million(),
            tools: m.supports_known("tools"),
            reasoning: m.supports_known("reasoning"),
            current,
        }
    }
}

pub(super) const HEADERS: [&str; 7] = [
    "ID",
    "CONTEXT",
    "IN $/M",
    "OUT $/M",
    "TOOLS",
    "REASONING",
    "NAME",
];
/// Right-aligned columns (the numbers).
pub(super) const RIGHT: [bool; 7] = [false, true, true, true, false, false, false];
pub(super) const ID: usize = 0;
pub(super) const NAME: usize = 6;
/// Spaces between columns.
pub(super) const GAP: usize = 2;
/// The mark and a space before every line.
pub(super) const GUTTER: usize = 2;
/// The columns given up, a group at a time, when the terminal is too narrow for all of them:
/// NAME, then both prices, then CONTEXT, REASONING and TOOLS. ID, the column users copy, is
/// never dropped nor cut.
pub(super) const DROP_ORDER: [&[usize]; 5] = [&[NAME], &[2, 3], &[1], &[5], &[4]];
/// The NAME column is shown only when this much room is left for it.
pub(super) const MIN_NAME: usize = 10;

/// One model's cells, as shown.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub(super) current: bool,
    pub(super) cells: [String; 7],
}

impl Row {
    pub(super) fn new(m: &Model, current: bool) -> Self {
        let yes_no = |known: Option<bool>| match known {
            Some(true) => "yes",
            Some(false) => "no",
            None => "?",
        };
        Self {
            current,
            cells: [
                clean(&m.id),
                m.context_length.map_or("-".into(), format_context),
                format_price(m.prompt_per_million()),
                format_price(m.completion_per_million()),
                yes_no(m.supports_known("tools")).into(),
                yes_no(m.supports_known("reasoning")).into(),
                m.name.as_deref().map(clean).unwrap_or_default(),
            ],
        }
    }

    /// The piped form: the cells in order, with the mark before the name.
    pub(super) fn tab_separated(&self) -> String {
        let mark = if self.current { "*" } else { "" };
        let c = &self.cells;
        [&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], mark, &c[6]].join("\t")
    }

    /// How a cell is coloured on a terminal.
    pub(super) fn style(&self, column: usize) -> Option<Style> {
        let cell = self.cells[column].as_str();
        match column {
            ID if self.current => Some(Style::Ok),
            4 if cell == "no" => Some(Style::Warn),
            4 | 5 if cell == "no" || cell == "?" => Some(Style::Dim),
            _ => None,
        }
    }
}

/// Control characters (an escape sequence in a name from the server) become spaces.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `400K`, `1M`, `1.05M`, `512`.
pub(super) fn format_context(tokens: u64) -> String {
    if tokens >= 999_500 {
        let millions = format!("{:.2}", tokens as f64 / 1e6);
        let millions = millions.trim_end_matches('0').trim_end_matches('.');
        format!("{millions}M")
    } else if tokens >= 1000 {
        format!("{}K", (tokens as f64 / 1e3).round())
    } else {
        tokens.to_string()
    }
}

/// `$1.75`, `$14.00`, `$0.028`, `free`, `-` (missing). At least two decimals, at most six,
/// none lost in between.
pub(super) fn format_price(per_million: Option<f64>) -> String {
    match per_million {
        None => "-".into(),
        Some(0.0) => "free".into(),
        Some(p) => {
            let text = format!("{p:.6}");
            let (whole, decimals) = text.split_once('.').unwrap_or((&text, ""));
            let decimals = decimals.trim_end_matches('0');
            let decimals = format!("{decimals:0<2}");
            if decimals.trim_matches('0').is_empty() && whole == "0" {
                "<$0.000001".into()
            } else {
                format!("${whole}.{decimals}")
            }
        }
    }
}

/// Display width in terminal columns.
pub(super) fn width_of(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to `width` columns, ending in `…` when anything was cut.
pub(super) fn truncate(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` padded to `width` columns.
pub(super) fn pad(text: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(width_of(text)));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// Column widths for `width` terminal columns (`0` = hidden): ID at its natural width, always;
/// the other columns at theirs while they fit, given up in [`DROP_ORDER`] when they do not;
/// NAME shortened to the room left, shown only when [`MIN_NAME`] columns are left for it.
pub(super) fn column_widths(rows: &[Row], width: usize) -> [usize; 7] {
    let mut widths = HEADERS.map(width_of);
    for row in rows {
        for (n, cell) in widths.iter_mut().zip(&row.cells) {
            *n = (*n).max(width_of(cell));
        }
    }
    let any_name = rows.iter().any(|r| !r.cells[NAME].is_empty());
    if !any_name {
        widths[NAME] = 0;
    }
    let used = |widths: &[usize; 7]| -> usize {
        GUTTER
            + widths
                .iter()
                .filter(|&&w| w > 0)
                .map(|w| w + GAP)
                .sum::<usize>()
            - GAP
    };
    // NAME first gives up its width, down to MIN_NAME; below that it goes.
    if widths[NAME] > 0 && used(&widths) > width {
        let others = used(&widths) - widths[NAME];
        widths[NAME] = width.saturating_sub(others);
        if widths[NAME] < MIN_NAME {
            widths[NAME] = 0;
        }
    }
    for group in DROP_ORDER {
        if used(&widths) <= width {
            break;
        }
        for &column in group {
            widths[column] = 0;
        }
    }
    widths
}

/// The table for a terminal `width` columns wide: a header, then one line per row. No line is
/// wider than `width`, except one holding an id that alone is wider: it is printed whole (the
/// terminal wraps it), for an id is never cut. `paint` colours a cell (after it is padded; only
/// NAME is ever shortened).
pub(super) fn table(
    rows: &[Row],
    width: usize,
    paint: &dyn Fn(Style, &str) -> String,
) -> Vec<String> {
    let widths = column_widths(rows, width);
    let shown: Vec<usize> = (0..HEADERS.len()).filter(|&i| widths[i] > 0).collect();
    let header_cells = HEADERS.map(str::to_string);
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (row, cells, mark) in std::iter::once((None, &header_cells, ' ')).chain(
        rows.iter()
            .map(|r| (Some(r), &r.cells, if r.current { '*' } else { ' ' })),
    ) {
        let mut painted = match row {
            Some(r) if r.current => format!("{} ", paint(Style::Ok, "*")),
            _ => format!("{mark} "),
        };
        for (n, &i) in shown.iter().enumerate() {
            let last = n + 1 == shown.len();
            let cut = if i == ID {
                cells[i].clone()
            } else {
                truncate(&cells[i], widths[i])
            };
            let text = if last && !RIGHT[i] {
                cut
            } else {
                pad(&cut, widths[i], RIGHT[i])
            };
            if n > 0 {
                painted.push_str(&" ".repeat(GAP));
            }
            let style = match row {
                None => Some(Style::Bold),
                Some(r) => r.style(i),
            };
            match style {
                // Padding stays outside the colour, so underlines and backgrounds look right.
                Some(style) => {
                    let trimmed = text.trim();
                    let at = text.find(trimmed).unwrap_or(0);
                    painted.push_str(&text[..at]);
                    painted.push_str(&paint(style, trimmed));
                    painted.push_str(&text[at + trimmed.len()..]);
                }
                None => painted.push_str(&text),
            }
        }
        // An empty last cell leaves spaces behind; escape codes end in `m`, so trimming
        // removes only spaces.
        lines.push(painted.trim_end().to_string());
    }
    lines
}
