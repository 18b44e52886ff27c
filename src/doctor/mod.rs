//! The doctor's model: checks made of findings, one report, two renderers (human and JSON).
//!
//! A [`Finding`] is one thing a check found: a stable `code`, a severity that follows the
//! consequence (fail: Codex will refuse to start, send the request somewhere other than
//! ModelGates, or send it without a usable key; warning: it works, but worse; ok: a note), a
//! message, the evidence (file and line, the variable, the value with secrets masked, the Codex
//! version that enforces the rule) and a [`Fix`] that is data (a command to run as printed, an
//! edit at `file:line`, or an instruction).
//!
//! A [`Check`] holds its findings root cause first: each code has a rank (what explains what:
//! the file before the provider, the provider before the key, the key before the model, what
//! breaks before what degrades), and the check's status, summary and remediation are those of
//! its first finding. A check that cannot run because another failed is skipped and says why.
//! The [`Report`] names the root cause of the whole set-up: the first finding by rank.
//!
//! Checks are computed by the pure functions in [`checks`] from inputs the command gathers
//! (files, environment, API outcomes, Codex's verdict); secrets never reach a finding (only
//! masked forms do), so neither renderer can leak one.

pub mod checks;
pub mod knowledge;
pub mod render;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use crate::problem::Fix;

/// Version of the `--json` layout (2: findings, fixes as data, root cause).
pub const SCHEMA_VERSION: u32 = 2;

/// Outcome of a finding or a check, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// Not run (`--offline`, or what it needs failed).
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

/// Where a finding comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The environment variable or config key it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// The value found, secrets masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The Codex release whose rule this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codex_version: Option<String>,
}

impl Evidence {
    fn is_empty(&self) -> bool {
        *self == Evidence::default()
    }
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `legacy_profile`.
    pub code: &'static str,
    pub severity: Status,
    pub message: String,
    #[serde(skip_serializing_if = "Evidence::is_empty")]
    pub evidence: Evidence,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(code: &'static str, severity: Status, message: impl Into<String>) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            evidence: Evidence::default(),
            fix: None,
        }
    }

    pub fn fail(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Status::Fail, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Status::Warning, message)
    }

    /// A note: something worth knowing that is not a problem.
    pub fn note(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Status::Ok, message)
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn file(mut self, file: impl Into<PathBuf>, line: Option<usize>) -> Self {
        self.evidence.file = Some(file.into());
        self.evidence.line = line;
        self
    }

    pub fn variable(mut self, name: impl Into<String>) -> Self {
        self.evidence.variable = Some(name.into());
        self
    }

    /// The value found (pass it masked: findings never hold a secret).
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.evidence.value = Some(value.into());
        self
    }

    pub fn codex_version(mut self, version: impl Into<String>) -> Self {
        self.evidence.codex_version = Some(version.into());
        self
    }

    /// How much this finding explains (lower: it comes first, it is the cause).
    pub fn rank(&self) -> u8 {
        rank(self.code)
    }
}

/// What explains what: the rank of each code (lower first). The Codex home and the config
/// file itself; a managed layer that overrides everything; settings Codex ignores or refuses
/// that explain what follows (a legacy `profile`, `[profiles.*]`, a project-local provider);
/// where requests go; Codex's own refusal (a consequence of the above when they are there);
/// the key that goes with the requests; whether the gateway takes it; the model; what reaches
/// new terminals; what works but worse; hygiene; notes.
pub fn rank(code: &str) -> u8 {
    match code {
        "codex_home_missing"
        | "codex_home_not_dir"
        | "config_missing"
        | "config_unreadable"
        | "config_special_file"
        | "config_invalid_toml" => 0,
        "managed_layer_pins" => 1,
        "legacy_profile"
        | "profiles_table"
        | "profiles_table_blocks_profile"
        | "project_local_provider_keys"
        | "stranded_key"
        | "reserved_provider_id"
        | "wire_api_chat"
        | "wire_api_unknown"
        | "auth_with_env_key"
        | "provider_name_missing"
        | "personality_invalid"
        | "raw_reasoning_not_bool"
        | "effort_refused_by_version"
        | "catalog_missing"
        | "catalog_invalid"
        | "trust_level_invalid"
        | "docs_mcp_unusable" => 2,
        "provider_not_selected"
        | "provider_other"
        | "provider_undefined"
        | "base_url_missing"
        | "base_url_insecure"
        | "base_url_wrong_path"
        | "requires_openai_auth" => 3,
        "codex_refuses_config" | "codex_refuses_profile" => 4,
        "env_key_missing"
        | "key_in_config"
        | "key_missing"
        | "key_blank"
        | "key_whitespace"
        | "key_bad_chars"
        | "key_not_activated"
        | "key_wrong_prefix"
        | "key_stale"
        | "bearer_token_in_config"
        | "auth_command_missing"
        | "auth_command_fails"
        | "auth_command_no_key" => 5,
        "endpoint_missing"
        | "key_rejected"
        | "key_management"
        | "key_expired"
        | "key_no_credit"
        | "forbidden"
        | "unreachable_refused"
        | "unreachable_dns"
        | "unreachable_tls"
        | "unreachable_timeout"
        | "unreachable_proxy"
        | "unreachable"
        | "bad_response" => 6,
        "model_missing" | "model_not_string" | "model_id_malformed" | "model_unknown"
        | "model_no_tools" => 7,
        "shell_no_block" | "env_file_missing" | "markers_damaged" | "gui_front_end" => 8,
        "unknown_config_key" | "unknown_provider_field" | "catalog_lacks_model" => 9,
        "effort_not_sent"
        | "fallback_metadata"
        | "effort_rewritten"
        | "effort_unknown"
        | "model_no_reasoning"
        | "catalog_stale"
        | "auth_command_fetches_models"
        | "rate_limited"
        | "server_error"
        | "codex_missing"
        | "trust_entry_never_matches"
        | "trust_parent_not_inherited" => 10,
        "not_trusted" | "trusted_not_git" => 11,
        _ if code.ends_with("_note") || code.starts_with("note_") => 13,
        _ => 12,
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `config.provider`.
    pub id: &'static str,
    pub category: Category,
    pub status: Status,
    /// One line: the first finding's message, or what is fine.
    pub summary: String,
    /// The first finding's fix, as a person reads it.
    pub remediation: Option<String>,
    /// Every finding, root cause first.
    pub findings: Vec<Finding>,
    /// Typed facts (serialized from each check's own struct); always an object.
    pub details: Value,
    pub duration_ms: u64,
}

impl Check {
    /// A check with its findings (root cause first) and the summary for when none is a
    /// problem.
    pub fn new(
        id: &'static str,
        category: Category,
        ok_summary: impl Into<String>,
        mut findings: Vec<Finding>,
    ) -> Self {
        findings.sort_by(|a, b| {
            let problem = |f: &Finding| f.severity == Status::Ok;
            problem(a)
                .cmp(&problem(b))
                .then(a.rank().cmp(&b.rank()))
                .then(b.severity.cmp(&a.severity))
        });
        let status = findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Status::Ok);
        let first = findings.iter().find(|f| f.severity > Status::Ok);
        let summary = match first {
            Some(f) => f.message.clone(),
            None => ok_summary.into(),
        };
        let remediation = first.and_then(|f| f.fix.as_ref()).map(|f| f.text.clone());
        Self {
            id,
            category,
            status,
            summary,
            remediation,
            findings,
            details: Value::Object(Default::default()),
            duration_ms: 0,
        }
    }

    /// A check that did not run, and why.
    pub fn skipped(id: &'static str, category: Category, why: impl Into<String>) -> Self {
        Self {
            id,
            category,
            status: Status::Skipped,
            summary: format!("skipped: {}", why.into()),
            remediation: None,
            findings: Vec::new(),
            details: Value::Object(Default::default()),
            duration_ms: 0,
        }
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

    /// Takes the summary and remediation from the first problem again, after a finding changed.
    pub fn refresh(&mut self) {
        if let Some(f) = self.findings.iter().find(|f| f.severity > Status::Ok) {
            self.summary = f.message.clone();
            self.remediation = f.fix.as_ref().map(|x| x.text.clone());
        }
    }

    /// The first finding that is a problem.
    pub fn first_problem(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.severity > Status::Ok)
    }

    /// Whether a finding with this code is there.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// The finding that explains the rest, and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCause {
    pub check: &'static str,
    pub code: &'static str,
    pub severity: Status,
    pub message: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub mg_codex_version: &'static str,
    pub overall: Status,
    /// The first problem by rank, over every check (`null`: nothing is wrong).
    pub root_cause: Option<RootCause>,
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
        let root_cause = checks
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.first_problem().map(|f| (i, c, f)))
            .min_by(|(i, _, a), (j, _, b)| {
                a.rank()
                    .cmp(&b.rank())
                    .then(b.severity.cmp(&a.severity))
                    .then(i.cmp(j))
            })
            .map(|(_, c, f)| RootCause {
                check: c.id,
                code: f.code,
                severity: f.severity,
                message: f.message.clone(),
            });
        Self {
            schema_version: SCHEMA_VERSION,
            mg_codex_version: env!("CARGO_PKG_VERSION"),
            overall,
            root_cause,
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

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}
