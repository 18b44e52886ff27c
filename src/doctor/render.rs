//! The doctor's two renderers: human rows grouped by category, and JSON. Both take the finished
//! report and never see a secret (checks hold only masked forms).

use super::{Report, Status};
use crate::ui::Style;

/// How to draw the human report.
pub struct HumanStyle<'a> {
    /// `[ok]`/`[!!]`/`[XX]` instead of ✓/!/✗.
    pub ascii: bool,
    /// Applies a colour (or not) to a piece of text.
    pub paint: &'a dyn Fn(Style, &str) -> String,
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

/// One row per check, grouped by category; each non-ok row is followed by its fix; then a
/// summary line (`9 ok · 1 warning · 1 failed`).
pub fn human(report: &Report, style: &HumanStyle) -> String {
    let paint = style.paint;
    let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
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
            "  {} {:<width$}  {}\n",
            paint(color, symbol),
            check.id,
            check.summary
        ));
        if check.status != Status::Ok {
            if let Some(fix) = &check.remediation {
                let indent = " ".repeat(5 + symbol.chars().count() + width);
                out.push_str(&format!("{indent}{} {fix}\n", paint(Style::Dim, "fix:")));
            }
        }
    }
    let sep = if style.ascii { " | " } else { " · " };
    let mut parts = vec![format!("{} ok", report.count(Status::Ok))];
    let warnings = report.count(Status::Warning);
    if warnings > 0 {
        parts.push(format!(
            "{warnings} warning{}",
            if warnings == 1 { "" } else { "s" }
        ));
    }
    parts.push(format!("{} failed", report.count(Status::Fail)));
    let skipped = report.count(Status::Skipped);
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    out.push('\n');
    out.push_str(&parts.join(sep));
    out
}

/// The JSON report (`schema_version` 1).
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
