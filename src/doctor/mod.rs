//! The doctor's model: checks as data, one report, two renderers (human and JSON).
//!
//! A [`Check`] is `{id, category, status, summary, details, remediation, duration_ms}`; the
//! report's overall status is the worst check's. Checks are computed by the pure functions in
//! [`checks`] from inputs the command gathers (files, environment, API outcomes); secrets never
//! reach a check (only masked forms and the server's own label do), so neither renderer can leak
//! one.

pub mod checks;
pub mod render;

use serde::Serialize;
use serde_json::Value;

/// Version of the `--json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Outcome of one check, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// Not run (`--offline`, or an earlier check failed).
    Skipped,
    Warning,
    Fail,
}

/// Groups for the human output, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Config,
    Key,
    Api,
    Shell,
    Codex,
    Projects,
}

impl Category {
    pub fn title(self) -> &'static str {
        match self {
            Category::Config => "Configuration",
            Category::Key => "API key",
            Category::Api => "ModelGates API",
            Category::Shell => "Shell profiles",
            Category::Codex => "Codex CLI",
            Category::Projects => "Project trust",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `config.provider`.
    pub id: &'static str,
    pub category: Category,
    pub status: Status,
    /// One line.
    pub summary: String,
    /// Typed facts (serialized from each check's own struct); always an object.
    pub details: Value,
    /// One concrete fix when the status is not ok.
    pub remediation: Option<String>,
    pub duration_ms: u64,
}

impl Check {
    pub fn new(
        id: &'static str,
        category: Category,
        status: Status,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            id,
            category,
            status,
            summary: summary.into(),
            details: Value::Object(Default::default()),
            remediation: None,
            duration_ms: 0,
        }
    }

    pub fn ok(id: &'static str, category: Category, summary: impl Into<String>) -> Self {
        Self::new(id, category, Status::Ok, summary)
    }

    pub fn warning(
        id: &'static str,
        category: Category,
        summary: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(id, category, Status::Warning, summary).fix(fix)
    }

    pub fn fail(
        id: &'static str,
        category: Category,
        summary: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(id, category, Status::Fail, summary).fix(fix)
    }

    pub fn skipped(id: &'static str, category: Category, why: impl Into<String>) -> Self {
        Self::new(id, category, Status::Skipped, why)
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.remediation = Some(fix.into());
        self
    }

    /// Attaches typed details.
    pub fn details(mut self, details: impl Serialize) -> Self {
        self.details = match serde_json::to_value(details) {
            Ok(Value::Object(map)) => Value::Object(map),
            Ok(other) => serde_json::json!({ "value": other }),
            Err(_) => Value::Object(Default::default()),
        };
        self
    }

    pub fn took(mut self, started: std::time::Instant) -> Self {
        self.duration_ms = started.elapsed().as_millis() as u64;
        self
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub mg_codex_version: &'static str,
    pub overall: Status,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn new(mut checks: Vec<Check>) -> Self {
        checks.sort_by_key(|c| c.category);
        let overall = checks
            .iter()
            .map(|c| c.status)
            .filter(|s| *s != Status::Skipped)
            .max()
            .unwrap_or(Status::Ok);
        Self {
            schema_version: SCHEMA_VERSION,
            mg_codex_version: env!("CARGO_PKG_VERSION"),
            overall,
            checks,
        }
    }

    /// Whether any check failed (exit code 1).
    pub fn failed(&self) -> bool {
        self.overall == Status::Fail
    }

    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
}
