//! The doctor's two renderers: human rows grouped by category, every finding with its own fix,
//! and a summary that starts with the root cause; and JSON, the same report serialized. Both
//! take the finished report and never see a secret (findings hold only masked forms).

use std::path::Path;

use super::{Finding, Report, Status};
use crate::ui::Style;

/// How to draw the human report.
pub struct HumanStyle<'a> {
    /// `[ok]`/`[!!]`/`[XX]` instead of ✓/!/✗.
    pub ascii: bool,
    /// Applies a colour (or not) to a piece of text.
    pub paint: &'a dyn Fn(Style, &str) -> String,
    /// HOME, to show paths as `~/…`.
    pub home: Option<&'a Path>,
}

fn mark(status: Status, ascii: bool) -> (&'static str, Style) {
    match (status, ascii) {
        (Status::Ok, false) => ("✓", Style::Ok),
        (Status::Warning, false) => ("!", Style::Warn),
        (Status::Fail, false) => ("✗", Style::Error),
        (Status::Skipped, false) => ("-", Style::Dim),
        (Status::Ok, true) => ("[ok]", Style::Ok),
        (Status::Warning, true) => ("[!!]", Style::Warn),
        (Status::Fail, true) => ("[XX]", Style::Error),
        (Status::Skipped, true) => ("[--]", Style::Dim),
    }
}

/// A note's mark (a finding that is not a problem).
fn note_mark(ascii: bool) -> &'static str {
    if ascii {
        "[i]"
    } else {
        "·"
    }
}

fn show(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if !rest.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    }
}

/// The `at file:line` and `fix: …` lines of a finding, at `indent`.
fn finding_tail(out: &mut String, finding: &Finding, indent: &str, style: &HumanStyle) {
    let paint = style.paint;
    let e = &finding.evidence;
    if let Some(file) = &e.file {
        let place = match e.line {
            Some(line) => format!("{}:{line}", show(file, style.home)),
            None => show(file, style.home),
        };
        // Said already when the message or the fix names the place.
        let named = finding.message.contains(&place)
            || finding
                .fix
                .as_ref()
                .is_some_and(|f| f.text.contains(&place));
        if !named {
            out.push_str(&format!("{indent}{} {place}\n", paint(Style::Dim, "at")));
        }
    }
    if let Some(v) = &e.codex_version {
        out.push_str(&format!("{indent}{} {v}\n", paint(Style::Dim, "rule of")));
    }
    if let Some(fix) = &finding.fix {
        out.push_str(&format!(
            "{indent}{} {}\n",
            paint(Style::Dim, "fix:"),
            fix.text
        ));
    }
}

/// One row per check, grouped by category; under a check, every finding (the first one is the
/// row itself) with where it is and its own fix; then the root cause and the counts.
pub fn human(report: &Report, style: &HumanStyle) -> String {
    let paint = style.paint;
    let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let symbol_width = if style.ascii { 4 } else { 1 };
    // Text under a row lines up with the summary; a further finding is one level in.
    let under = " ".repeat(2 + symbol_width + 1 + width + 2);
    let mut out = String::new();
    let mut category = None;
    for check in &report.checks {
        if category != Some(check.category) {
            if category.is_some() {
                out.push('\n');
            }
            out.push_str(&paint(Style::Bold, check.category.title()));
            out.push('\n');
            category = Some(check.category);
        }
        let (symbol, color) = mark(check.status, style.ascii);
        out.push_str(&format!(
            "  {}{} {:<width$}  {}\n",
            paint(color, symbol),
            " ".repeat(symbol_width - symbol.chars().count()),
            check.id,
            check.summary
        ));
        let first = check.first_problem();
        if let Some(f) = first {
            finding_tail(&mut out, f, &under, style);
        }
        for f in &check.findings {
            if Some(f) == first {
                continue;
            }
            let (symbol, color) = if f.severity == Status::Ok {
                (note_mark(style.ascii), Style::Dim)
            } else {
                mark(f.severity, style.ascii)
            };
            out.push_str(&format!("{under}{} {}\n", paint(color, symbol), f.message));
            let deeper = format!("{under}{}", " ".repeat(symbol.chars().count() + 1));
            finding_tail(&mut out, f, &deeper, style);
        }
    }
    out.push('\n');
    if let Some(root) = &report.root_cause {
        let (symbol, color) = mark(root.severity, style.ascii);
        out.push_str(&format!(
            "{} {} {} ({}, {})\n",
            paint(color, symbol),
            paint(Style::Bold, "Start here:"),
            root.message,
            root.check,
            root.code
        ));
    }
    let sep = if style.ascii { " | " } else { " · " };
    let mut parts = Vec::new();
    let failed = report.count(Status::Fail);
    let warnings = report.count(Status::Warning);
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if warnings > 0 {
        parts.push(format!(
            "{warnings} warning{}",
            if warnings == 1 { "" } else { "s" }
        ));
    }
    parts.push(format!("{} ok", report.count(Status::Ok)));
    let skipped = report.count(Status::Skipped);
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    out.push_str(&parts.join(sep));
    out
}

/// The JSON report (`schema_version` 2).
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
