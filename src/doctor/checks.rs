//! The doctor's checks: pure functions from gathered inputs (parsed configs, environment values,
//! API outcomes, Codex's verdict) to [`Check`]s. No IO here except reading `.git` entries for the
//! trust check (through [`crate::project`]).

use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{Item, Table};

use super::{Category, Check, Status};
use crate::api::{self, ApiError, KeyInfo, Model, NetFailure, ProbeResult};
use crate::codex_cli::CodexProbe;
use crate::codex_config::{ConfigDocument, McpServer};
use crate::config_file::InvalidConfig;
use crate::project;
use crate::secret::{self, ApiKey, KeyError};
use crate::setup::{
    docs_mcp_state, DocsMcpState, DOCS_MCP_NAME, DOCS_MCP_URL, EFFORTS, ENV_KEY,
    KNOWN_PROVIDER_FIELDS, PERSONALITIES, PROVIDER_ID,
};
use crate::shell::{self, BlockState, KeyState};

/// Provider ids Codex reserves for its built-ins: a table with one of these names is fatal.
pub const RESERVED_PROVIDER_IDS: [&str; 3] = ["openai", "ollama", "lmstudio"];
/// Top-level settings that mean something else (or nothing) inside these tables.
const ROOT_ONLY_KEYS: [&str; 7] = [
    "model_provider",
    "model",
    "model_reasoning_effort",
    "approval_policy",
    "sandbox_mode",
    "personality",
    "show_raw_agent_reasoning",
];
const TABLES_WITHOUT_ROOT_KEYS: [&str; 12] = [
    "model_providers",
    "mcp_servers",
    "projects",
    "tui",
    "features",
    "shell_environment_policy",
    "sandbox_workspace_write",
    "history",
    "otel",
    "notice",
    "hooks",
    "marketplaces",
];
/// Keys a project-local `.codex/config.toml` cannot set (Codex strips them with a warning).
const PROJECT_LOCAL_DENYLIST: [&str; 5] = [
    "model_provider",
    "model_providers",
    "openai_base_url",
    "chatgpt_base_url",
    "profile",
];

/// What `init` would be run as, for fixes (`mg-codex init` or `mg-codex --profile work init`).
fn init_cmd(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("mg-codex --profile {p} init"),
        None => "mg-codex init".to_string(),
    }
}

/// `mg-codex model`, for the file doctor read (a profile's, with `--profile`).
fn model_cmd(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("mg-codex --profile {p} model"),
        None => "mg-codex model".to_string(),
    }
}

/// A config file as the command loaded it.
pub enum Loaded {
    Missing,
    /// It exists but cannot be read (a directory, no permission): the error.
    Unreadable(String),
    Invalid(InvalidConfig),
    Parsed(Box<ConfigDocument>),
}

impl Loaded {
    pub fn doc(&self) -> Option<&ConfigDocument> {
        match self {
            Loaded::Parsed(doc) => Some(doc),
            _ => None,
        }
    }
}

/// The settings Codex will use: the profile file (if any) over `config.toml`.
pub struct Effective<'a> {
    /// Highest precedence first.
    layers: Vec<&'a ConfigDocument>,
}

impl<'a> Effective<'a> {
    pub fn new(profile: Option<&'a ConfigDocument>, base: Option<&'a ConfigDocument>) -> Self {
        Self {
            layers: profile.into_iter().chain(base).collect(),
        }
    }

    pub fn root(&self, key: &str) -> Option<&'a Item> {
        self.layers.iter().find_map(|d| d.document().get(key))
    }

    pub fn root_str(&self, key: &str) -> Option<&'a str> {
        self.root(key).and_then(Item::as_str)
    }

    /// A field of `[model_providers.<id>]`, from the highest layer that sets it.
    pub fn provider_field(&self, id: &str, field: &str) -> Option<&'a Item> {
        self.layers.iter().find_map(|d| {
            d.document()
                .get("model_providers")?
                .as_table_like()?
                .get(id)?
                .as_table_like()?
                .get(field)
        })
    }

    /// Every field name of `[model_providers.<id>]` across layers.
    pub fn provider_fields(&self, id: &str) -> Option<Vec<String>> {
        let mut found = false;
        let mut names = Vec::new();
        for d in &self.layers {
            let Some(table) = d
                .document()
                .get("model_providers")
                .and_then(Item::as_table_like)
                .and_then(|t| t.get(id))
                .and_then(Item::as_table_like)
            else {
                continue;
            };
            found = true;
            for (k, _) in table.iter() {
                if !names.iter().any(|n| n == k) {
                    names.push(k.to_string());
                }
            }
        }
        found.then_some(names)
    }

    /// Provider ids defined as tables in any layer.
    pub fn provider_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for d in &self.layers {
            if let Some(t) = d
                .document()
                .get("model_providers")
                .and_then(Item::as_table_like)
            {
                for (k, _) in t.iter() {
                    if !ids.iter().any(|i| i == k) {
                        ids.push(k.to_string());
                    }
                }
            }
        }
        ids
    }

    pub fn env_key(&self) -> String {
        self.provider_field(PROVIDER_ID, "env_key")
            .and_then(Item::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(ENV_KEY)
            .to_string()
    }

    /// The `mcp_servers.<name>` entry, each field from the highest layer that sets it (as Codex
    /// merges the layers), if any layer has the entry.
    pub fn mcp_server(&self, name: &str) -> Option<McpServer> {
        self.layers
            .iter()
            .filter_map(|d| d.mcp_server(name))
            .reduce(|high, low| McpServer {
                url: high.url.or(low.url),
                command: high.command.or(low.command),
                enabled: high.enabled.or(low.enabled),
                is_table: high.is_table,
            })
    }

    /// Whether the highest layer (the profile's file, with a profile) has its own entry for
    /// the MCP server `name`.
    pub fn top_layer_has_mcp_server(&self, name: &str) -> bool {
        self.layers
            .first()
            .is_some_and(|d| d.mcp_server(name).is_some())
    }

    pub fn base_url(&self) -> Option<String> {
        self.provider_field(PROVIDER_ID, "base_url")
            .and_then(Item::as_str)
            .map(str::to_string)
    }
}

/// A problem found by a check; the worst one sets the status and the fix.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub status: Status,
    pub message: String,
    pub fix: String,
}

fn finding(status: Status, message: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        status,
        message: message.into(),
        fix: fix.into(),
    }
}

/// Builds a check from findings: ok with `ok_summary` when there are none.
fn from_findings(
    id: &'static str,
    category: Category,
    ok_summary: String,
    findings: Vec<Finding>,
    details: impl Serialize,
) -> Check {
    #[derive(Serialize)]
    struct WithFindings<D: Serialize> {
        #[serde(flatten)]
        details: D,
        findings: Vec<Finding>,
    }
    let worst = findings.iter().map(|f| f.status).max();
    let check = match worst {
        None => Check::ok(id, category, ok_summary),
        Some(status) => {
            let first = findings
                .iter()
                .find(|f| f.status == status)
                .expect("the worst finding exists");
            let mut summary = first.message.clone();
            let others = findings.len() - 1;
            if others > 0 {
                summary.push_str(&format!(" (+{others} more)"));
            }
            Check::new(id, category, status, summary).fix(first.fix.clone())
        }
    };
    check.details(WithFindings { details, findings })
}

// ----- config.file -----------------------------------------------------------------------------

#[derive(Serialize)]
struct FileDetails<'a> {
    path: &'a Path,
    exists: bool,
    line: Option<usize>,
    column: Option<usize>,
    stranded_keys: Vec<String>,
}

/// `config.file`: the file exists, parses, and no top-level setting is stranded in a table.
pub fn config_file(path: &Path, loaded: &Loaded, profile: Option<&str>) -> Check {
    const ID: &str = "config.file";
    let mut details = FileDetails {
        path,
        exists: !matches!(loaded, Loaded::Missing),
        line: None,
        column: None,
        stranded_keys: Vec::new(),
    };
    match loaded {
        Loaded::Missing => Check::fail(
            ID,
            Category::Config,
            format!("`{}` does not exist", path.display()),
            init_cmd(profile),
        )
        .details(details),
        Loaded::Unreadable(error) => Check::fail(
            ID,
            Category::Config,
            format!("cannot read `{}`: {error}", path.display()),
            format!(
                "make `{}` a file you can read (`ls -l` shows its type and owner), then run `mg-codex doctor` again",
                path.display()
            ),
        )
        .details(details),
        Loaded::Invalid(invalid) => {
            details.line = Some(invalid.error.line);
            details.column = Some(invalid.error.column);
            Check::fail(
                ID,
                Category::Config,
                format!(
                    "`{}` is not valid TOML at line {}, column {}: {}",
                    path.display(),
                    invalid.error.line,
                    invalid.error.column,
                    invalid.error.message
                ),
                format!(
                    "fix line {} of `{}` by hand (Codex refuses the whole file; mg-codex never writes an unparsable file)",
                    invalid.error.line,
                    path.display()
                ),
            )
            .details(details)
        }
        Loaded::Parsed(doc) => {
            let stranded = stranded_keys(doc.document().as_table());
            details.stranded_keys = stranded.clone();
            match stranded.first() {
                None => Check::ok(ID, Category::Config, format!("`{}` parses", path.display()))
                    .details(details),
                Some(first) => {
                    let (table, key) = first.rsplit_once('.').unwrap_or(("", first));
                    Check::warning(
                        ID,
                        Category::Config,
                        format!(
                            "`{key}` sits inside `[{table}]`, so Codex does not read it as a top-level setting{}",
                            if stranded.len() > 1 {
                                format!(" (+{} more)", stranded.len() - 1)
                            } else {
                                String::new()
                            }
                        ),
                        format!(
                            "move `{key} = …` above the first `[table]` line of `{}`",
                            path.display()
                        ),
                    )
                    .details(details)
                }
            }
        }
    }
}

/// Dotted paths (`mcp_servers.x.model_provider`) of top-level settings stranded in tables.
pub fn stranded_keys(root: &Table) -> Vec<String> {
    let mut found = Vec::new();
    fn walk(table: &Table, path: &mut Vec<String>, found: &mut Vec<String>) {
        for (key, item) in table.iter() {
            match item {
                Item::Table(t) => {
                    path.push(key.to_string());
                    walk(t, path, found);
                    path.pop();
                }
                Item::Value(_)
                    if !path.is_empty()
                        && TABLES_WITHOUT_ROOT_KEYS.contains(&path[0].as_str())
                        && ROOT_ONLY_KEYS.contains(&key) =>
                {
                    found.push(format!("{}.{key}", path.join(".")));
                }
                _ => {}
            }
        }
    }
    walk(root, &mut Vec::new(), &mut found);
    found
}

// ----- config.provider -------------------------------------------------------------------------

#[derive(Serialize)]
struct ProviderDetails {
    model_provider: Option<String>,
    base_url: Option<String>,
    env_key: Option<String>,
    wire_api: Option<String>,
}

/// `config.provider`: ModelGates is the provider and its table is what Codex needs.
pub fn config_provider(
    eff: &Effective,
    profile: Option<&str>,
    project_local: Option<(&Path, &ConfigDocument)>,
) -> Check {
    const ID: &str = "config.provider";
    let init = init_cmd(profile);
    let mut f = Vec::new();
    let field_str = |k: &str| {
        eff.provider_field(PROVIDER_ID, k)
            .and_then(Item::as_str)
            .map(str::to_string)
    };
    let details = ProviderDetails {
        model_provider: eff.root_str("model_provider").map(str::to_string),
        base_url: field_str("base_url"),
        env_key: field_str("env_key"),
        wire_api: field_str("wire_api"),
    };
    match eff.root_str("model_provider") {
        Some(PROVIDER_ID) => {}
        Some(other) => f.push(finding(
            Status::Fail,
            format!("`model_provider` is `{other}`, so Codex does not use ModelGates"),
            init.clone(),
        )),
        None => f.push(finding(
            Status::Fail,
            "`model_provider` is not set, so Codex uses OpenAI",
            init.clone(),
        )),
    }
    match eff.provider_fields(PROVIDER_ID) {
        None => f.push(finding(
            Status::Fail,
            "there is no `[model_providers.modelgates]` table",
            init.clone(),
        )),
        Some(fields) => {
            if field_str("name").is_none_or(|n| n.trim().is_empty()) {
                f.push(finding(
                    Status::Fail,
                    "`[model_providers.modelgates]` has no `name` (Codex refuses an empty one)",
                    init.clone(),
                ));
            }
            match field_str("base_url") {
                None => f.push(finding(
                    Status::Fail,
                    "`[model_providers.modelgates]` has no `base_url`, so Codex sends requests (and the key) to api.openai.com",
                    init.clone(),
                )),
                Some(url) => {
                    if let Err(e) = api::check_base_url(&url) {
                        f.push(finding(
                            Status::Warning,
                            format!("`base_url` {e}"),
                            format!("mg-codex init --base-url {}", api::DEFAULT_BASE_URL),
                        ));
                    }
                }
            }
            if field_str("env_key").is_none() {
                f.push(finding(
                    Status::Fail,
                    "`[model_providers.modelgates]` has no `env_key`, so Codex sends no key",
                    init.clone(),
                ));
            }
            match field_str("wire_api").as_deref() {
                None | Some("responses") => {}
                Some(other) => f.push(finding(
                    Status::Fail,
                    format!("`wire_api = \"{other}\"`: Codex 0.169 accepts only `responses`"),
                    "set `wire_api = \"responses\"`, or run `mg-codex init`",
                )),
            }
            let has = |k: &str| fields.iter().any(|n| n == k);
            if has("auth") && has("env_key") {
                f.push(finding(
                    Status::Fail,
                    "`auth` and `env_key` together: Codex refuses the provider",
                    "remove the `auth` table from `[model_providers.modelgates]`",
                ));
            }
            if eff
                .provider_field(PROVIDER_ID, "requires_openai_auth")
                .and_then(Item::as_bool)
                == Some(true)
            {
                f.push(finding(
                    Status::Fail,
                    "`requires_openai_auth = true` would send your OpenAI login to the gateway",
                    "remove `requires_openai_auth` from `[model_providers.modelgates]`",
                ));
            }
            if has("experimental_bearer_token") {
                f.push(finding(
                    Status::Warning,
                    "`experimental_bearer_token` keeps a key in plain text in the config",
                    "remove it and keep the key in the environment variable named by `env_key` (`mg-codex init` does this)",
                ));
            }
            let unknown: Vec<&String> = fields
                .iter()
                .filter(|n| !KNOWN_PROVIDER_FIELDS.contains(&n.as_str()))
                .collect();
            if !unknown.is_empty() {
                let list = unknown
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                f.push(finding(
                    Status::Warning,
                    format!("unknown field(s) {list} in `[model_providers.modelgates]` (Codex ignores them, `--strict-config` refuses them)"),
                    "remove them",
                ));
            }
        }
    }
    for id in eff.provider_ids() {
        if RESERVED_PROVIDER_IDS.contains(&id.as_str()) {
            f.push(finding(
                Status::Fail,
                format!("`[model_providers.{id}]` overrides a built-in provider: Codex refuses the whole file"),
                format!("rename or remove `[model_providers.{id}]`"),
            ));
        }
    }
    if let Some(legacy) = eff.root_str("profile") {
        f.push(finding(
            Status::Fail,
            format!("legacy `profile = \"{legacy}\"`: current Codex refuses to start"),
            format!("remove the `profile` line; use `codex --profile {legacy}` with `{legacy}.config.toml`"),
        ));
    }
    if let Some(profiles) = eff.root("profiles").and_then(Item::as_table_like) {
        let names: Vec<String> = profiles.iter().map(|(k, _)| k.to_string()).collect();
        match profile.filter(|p| names.iter().any(|n| n == p)) {
            Some(p) => f.push(finding(
                Status::Fail,
                format!("`[profiles.{p}]` exists: `codex --profile {p}` refuses to start until it moves to `{p}.config.toml`"),
                format!("move the settings of `[profiles.{p}]` into `{p}.config.toml` and delete the table"),
            )),
            None if !names.is_empty() => f.push(finding(
                Status::Warning,
                format!("`[profiles.*]` tables ({}) do nothing in current Codex", names.join(", ")),
                "move each into `NAME.config.toml` (used by `codex --profile NAME`) and delete the table",
            )),
            None => {}
        }
    }
    if let Some((path, local)) = project_local {
        let set: Vec<&str> = PROJECT_LOCAL_DENYLIST
            .iter()
            .copied()
            .filter(|k| local.document().contains_key(k))
            .collect();
        if !set.is_empty() {
            f.push(finding(
                Status::Warning,
                format!(
                    "`{}` sets {} which Codex ignores in a project config",
                    path.display(),
                    set.join(", ")
                ),
                "remove them there; provider settings belong in `$CODEX_HOME/config.toml` (`mg-codex init`)",
            ));
        }
    }
    let ok = format!(
        "Codex uses ModelGates at `{}`",
        details.base_url.as_deref().unwrap_or("?")
    );
    from_findings(ID, Category::Config, ok, f, details)
}

// ----- config.model ----------------------------------------------------------------------------

#[derive(Serialize)]
struct ModelDetails {
    model: Option<String>,
    model_reasoning_effort: Option<String>,
    personality: Option<String>,
}

/// Whether a model id has the gateway's shape: `author/slug`, optional `:variant`, or a `~`
/// alias.
pub fn model_id_is_well_formed(id: &str) -> bool {
    let body = id.strip_prefix('~').unwrap_or(id);
    let (base, variant) = match body.split_once(':') {
        Some((b, v)) => (b, Some(v)),
        None => (body, None),
    };
    let part_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    let Some((author, slug)) = base.split_once('/') else {
        return false;
    };
    part_ok(author) && slug.split('/').all(part_ok) && variant.is_none_or(part_ok)
}

/// `config.model`: the model and the settings Codex validates.
pub fn config_model(eff: &Effective, profile: Option<&str>) -> Check {
    const ID: &str = "config.model";
    let init = init_cmd(profile);
    let mut f = Vec::new();
    let model = eff.root_str("model");
    let effort = eff.root_str("model_reasoning_effort");
    let personality = eff.root_str("personality");
    match (eff.root("model"), model) {
        (None, _) => f.push(finding(
            Status::Fail,
            "`model` is not set, so Codex asks ModelGates for its own default model, which has no such id",
            init.clone(),
        )),
        (Some(_), None) => f.push(finding(Status::Fail, "`model` is not a string", init.clone())),
        (Some(_), Some(id)) if !model_id_is_well_formed(id) => f.push(finding(
            Status::Fail,
            format!("`model = \"{id}\"` is not a ModelGates id (`author/slug`, e.g. `openai/gpt-5.3-codex`)"),
            format!(
                "`mg-codex models {}` shows the full id; then `{} ID`",
                id.rsplit('/').next().unwrap_or(id),
                model_cmd(profile)
            ),
        )),
        _ => {}
    }
    match (eff.root("model_reasoning_effort"), effort) {
        (None, _) => {}
        (Some(_), Some(e)) if EFFORTS.contains(&e) => {}
        (Some(item), e) => f.push(finding(
            Status::Fail,
            format!(
                "`model_reasoning_effort = {}` is not one of {}",
                e.map(|e| format!("\"{e}\""))
                    .unwrap_or_else(|| item.to_string().trim().to_string()),
                EFFORTS.join(", ")
            ),
            format!("{init} --reasoning-effort high"),
        )),
    }
    match (eff.root("personality"), personality) {
        (None, _) => {}
        (Some(_), Some(p)) if PERSONALITIES.contains(&p) => {}
        (Some(_), _) => f.push(finding(
            Status::Fail,
            format!(
                "`personality` must be one of {}: Codex refuses the file",
                PERSONALITIES.join(", ")
            ),
            "set `personality = \"pragmatic\"` or remove it",
        )),
    }
    if let Some(item) = eff.root("show_raw_agent_reasoning") {
        if item.as_bool().is_none() {
            f.push(finding(
                Status::Fail,
                "`show_raw_agent_reasoning` must be `true` or `false` (no quotes): Codex refuses the file",
                "write `show_raw_agent_reasoning = true` (or false)",
            ));
        }
    }
    let details = ModelDetails {
        model: model.map(str::to_string),
        model_reasoning_effort: effort.map(str::to_string),
        personality: personality.map(str::to_string),
    };
    let ok = match effort {
        Some(e) => format!("model `{}`, reasoning effort `{e}`", model.unwrap_or("?")),
        None => format!("model `{}`", model.unwrap_or("?")),
    };
    from_findings(ID, Category::Config, ok, f, details)
}

// ----- key.present -----------------------------------------------------------------------------

#[derive(Serialize)]
struct KeyPresentDetails<'a> {
    env_key: &'a str,
    set: bool,
    masked: Option<String>,
}

/// `key.present`: the variable named by `env_key` holds a usable key. Returns the key for the
/// API checks when it is usable.
pub fn key_present(env_key: &str, value: Option<&str>) -> (Check, Option<ApiKey>) {
    const ID: &str = "key.present";
    let fix = format!(
        "run `mg-codex init` (it stores the key for your shells), or add `export {env_key}=sk-mg-…` to your shell profile, then open a new terminal"
    );
    let mut details = KeyPresentDetails {
        env_key,
        set: value.is_some(),
        masked: None,
    };
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        let what = if value.is_some() {
            "is blank"
        } else {
            "is not set"
        };
        return (
            Check::fail(
                ID,
                Category::Key,
                format!("`{env_key}` {what} in this environment: Codex will stop with `Missing environment variable`"),
                fix,
            )
            .details(details),
            None,
        );
    };
    details.masked = Some(secret::mask(value.trim()));
    match ApiKey::parse(value) {
        Err(KeyError::SurroundingWhitespace) => (
            Check::fail(
                ID,
                Category::Key,
                format!("`{env_key}` has spaces or a newline around the key; Codex sends it as is and the gateway rejects it"),
                format!("remove the whitespace where `{env_key}` is set (or run `mg-codex init`)"),
            )
            .details(details),
            None,
        ),
        Err(e) => (
            Check::fail(ID, Category::Key, format!("`{env_key}`: {e}"), fix).details(details),
            None,
        ),
        Ok(key) if !key.has_expected_prefix() => (
            Check::warning(
                ID,
                Category::Key,
                format!("`{env_key}` is set ({}) but does not look like a ModelGates key (`sk-mg-…`)", key.masked()),
                "copy the key from the ModelGates keys page, then run `mg-codex init`",
            )
            .details(details),
            Some(key),
        ),
        Ok(key) => (
            Check::ok(ID, Category::Key, format!("`{env_key}` is set ({})", key.masked())).details(details),
            Some(key),
        ),
    }
}

// ----- api.* -------------------------------------------------------------------------------------

/// The fix for an API failure, by kind.
fn api_fix(error: &ApiError) -> String {
    match error {
        ApiError::KeyRejected { .. } => {
            "create or copy a key on the ModelGates keys page, then run `mg-codex init`".into()
        }
        ApiError::OutOfCredits { .. } => "add credits, or raise this key's limit on the ModelGates keys page".into(),
        ApiError::Forbidden { .. } => "check the key's permissions on the ModelGates keys page".into(),
        ApiError::RateLimited { .. } => "wait a minute and run `mg-codex doctor` again".into(),
        ApiError::ServerError { .. } => "ModelGates or its upstream is down: try again later, or pick another model".into(),
        ApiError::Unreachable { failure, proxy, .. } => match (failure, proxy) {
            (_, Some(p)) => format!("check the proxy `{p}` (HTTPS_PROXY/NO_PROXY) and your network, then run `mg-codex doctor` again"),
            (NetFailure::Timeout, None) => "check your network, or raise `--timeout`".into(),
            _ => "check your network and the `base_url` in the config".into(),
        },
        ApiError::InsecureUrl { .. } => format!("mg-codex init --base-url {}", api::DEFAULT_BASE_URL),
        ApiError::NotFound { .. } | ApiError::Status { .. } | ApiError::BadResponse { .. } => {
            "check that `base_url` points at the ModelGates API (`https://modelgates.ai/api/v1`)".into()
        }
    }
}

fn api_failure(id: &'static str, what: &str, error: &ApiError) -> Check {
    #[derive(Serialize)]
    struct ErrorDetails<'a> {
        error: &'a ApiError,
    }
    let status = match error {
        ApiError::RateLimited { .. } => Status::Warning,
        _ => Status::Fail,
    };
    Check::new(id, Category::Api, status, format!("{what}: {error}"))
        .fix(api_fix(error))
        .details(ErrorDetails { error })
}

/// Days between two instants given as unix seconds.
fn days_until(expires_unix: i64, now_unix: i64) -> f64 {
    (expires_unix - now_unix) as f64 / 86_400.0
}

/// `api.key`: the gateway accepts the key and it can run models.
pub fn api_key(outcome: &Result<KeyInfo, ApiError>, now_unix: i64) -> Check {
    const ID: &str = "api.key";
    let info = match outcome {
        Err(ApiError::NotFound { .. }) => {
            return api_failure(
                ID,
                "neither `/key` nor `/auth/key` exists at `base_url`",
                outcome.as_ref().unwrap_err(),
            )
        }
        Err(e) => return api_failure(ID, "key check failed", e),
        Ok(info) => info,
    };
    let label = info.label.clone().unwrap_or_else(|| "the key".into());
    let mut f = Vec::new();
    if info.is_management_key == Some(true) {
        f.push(finding(
            Status::Fail,
            format!("{label} is a management key: it cannot run models"),
            "create an inference key on the ModelGates keys page, then run `mg-codex init`",
        ));
    }
    if let Some(remaining) = info.limit_remaining.filter(|r| *r <= 0.0) {
        f.push(finding(
            Status::Fail,
            format!("{label} has no credit left ({remaining:.2} USD remaining): requests will fail with 402"),
            "add credits, or raise this key's limit on the ModelGates keys page",
        ));
    }
    if let Some(expires) = info.expires_at.as_deref() {
        match parse_rfc3339(expires) {
            Some(t) if t <= now_unix => f.push(finding(
                Status::Fail,
                format!("{label} expired at {expires}"),
                "create a new key on the ModelGates keys page, then run `mg-codex init`",
            )),
            Some(t) if days_until(t, now_unix) < 7.0 => f.push(finding(
                Status::Warning,
                format!(
                    "{label} expires in {:.1} days ({expires})",
                    days_until(t, now_unix)
                ),
                "create a new key before then, and run `mg-codex init` with it",
            )),
            _ => {}
        }
    }
    let mut ok = format!("accepted: {label}");
    match (info.limit, info.limit_remaining) {
        (Some(limit), Some(rem)) => ok.push_str(&format!(", {rem:.2} of {limit:.2} USD left")),
        (None, _) => ok.push_str(", no spending limit"),
        (Some(limit), None) => ok.push_str(&format!(", limit {limit:.2} USD")),
    }
    if info.is_free_tier == Some(true) {
        ok.push_str(", free tier");
    }
    from_findings(ID, Category::Api, ok, f, info)
}

/// `api.model`: the configured model exists and can serve Codex.
pub fn api_model(
    model_id: &str,
    effort: Option<&str>,
    outcome: &Result<Model, ApiError>,
    catalogue: Option<&[Model]>,
    profile: Option<&str>,
) -> Check {
    const ID: &str = "api.model";
    let switch = model_cmd(profile);
    #[derive(Serialize)]
    struct Missing<'a> {
        model: &'a str,
        suggestions: &'a [String],
    }
    let model = match outcome {
        Err(ApiError::NotFound { .. }) => {
            let suggestions = catalogue
                .map(|c| api::suggest(model_id, c))
                .unwrap_or_default();
            let hint = if suggestions.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", api::quoted_ids(&suggestions))
            };
            let fix = match suggestions.first() {
                Some(s) => format!("{switch} {s}"),
                None => format!("pick an id from `mg-codex models`, then run `{switch} ID`"),
            };
            return Check::fail(
                ID,
                Category::Api,
                format!("`{model_id}` is not a ModelGates model{hint}"),
                fix,
            )
            .details(Missing {
                model: model_id,
                suggestions: &suggestions,
            });
        }
        Err(e) => return api_failure(ID, "model check failed", e),
        Ok(m) => m,
    };
    let mut f = Vec::new();
    if !model.supported_parameters.is_empty() {
        if !model.supports("tools") {
            f.push(finding(
                Status::Warning,
                format!("`{model_id}` does not list `tools`: Codex needs tool calls to edit files and run commands"),
                format!("pick a model with tool support from `mg-codex models --tools-only`, then run `{switch} ID`"),
            ));
        }
        if effort.is_some_and(|e| e != "none") && !model.supports("reasoning") {
            f.push(finding(
                Status::Warning,
                format!(
                    "`{model_id}` does not list `reasoning`, but `model_reasoning_effort` is set"
                ),
                "remove `model_reasoning_effort`, or pick a reasoning model",
            ));
        }
    }
    if let Some(date) = &model.expiration_date {
        f.push(finding(
            Status::Warning,
            format!("`{model_id}` is scheduled to be retired on {date}"),
            format!("pick a successor before then: `{switch} ID`"),
        ));
    }
    let mut ok = format!("`{model_id}` exists");
    if let Some(ctx) = model.context_length {
        ok.push_str(&format!(", {ctx} tokens of context"));
    }
    from_findings(ID, Category::Api, ok, f, model)
}

/// `api.responses` (`--deep`): a one-token streaming request completed.
pub fn api_responses(model_id: &str, outcome: &Result<ProbeResult, ApiError>) -> Check {
    const ID: &str = "api.responses";
    match outcome {
        Ok(probe) => Check::ok(
            ID,
            Category::Api,
            format!(
                "`POST /responses` with `{model_id}` streamed to `response.completed`{}",
                probe
                    .response_id
                    .as_deref()
                    .map(|id| format!(" (id `{id}`)"))
                    .unwrap_or_default()
            ),
        )
        .details(probe),
        Err(e) => api_failure(ID, "the live request failed", e),
    }
}

// ----- shell.profiles ----------------------------------------------------------------------------

/// `shell.profiles`: every shell in use gets the key in a new terminal, from a private env file
/// that holds the key this environment has; no user line overrides ours.
pub fn shell_profiles(status: &shell::Status) -> Check {
    const ID: &str = "shell.profiles";
    let mut f = Vec::new();
    let tilde = |p: &Path| p.display().to_string();
    if status.dir_exists && !status.dir_private {
        f.push(finding(
            Status::Warning,
            format!("`{}` is readable by others", tilde(&status.dir)),
            format!("chmod 700 {}", project::shell_quote(&tilde(&status.dir))),
        ));
    }
    let detected: Vec<&shell::ShellStatus> = status.shells.iter().filter(|s| s.detected).collect();
    let mut served = Vec::new();
    for sh in &detected {
        let name = sh.shell.to_string();
        for profile in &sh.profiles {
            if let BlockState::Broken { problem } = &profile.block {
                f.push(finding(
                    Status::Fail,
                    format!(
                        "the mg-codex markers in `{}` are damaged: {problem}",
                        tilde(&profile.path)
                    ),
                    format!(
                        "fix line {} of `{}` by hand, then run `mg-codex init`",
                        problem.line(),
                        tilde(&profile.path)
                    ),
                ));
            }
        }
        let overriding: Vec<&shell::UserDefinition> = sh.overriding().collect();
        if sh.has_block() {
            let env_file = &sh.env_file;
            let holds_key_itself = sh
                .profiles
                .iter()
                .any(|p| matches!(p.block, BlockState::HoldsKey { .. }));
            if !env_file.present && !holds_key_itself {
                f.push(finding(
                    Status::Fail,
                    format!(
                        "{name}'s profile sources `{}`, which does not exist",
                        tilde(&env_file.path)
                    ),
                    "mg-codex init",
                ));
            } else if env_file.present && !env_file.private {
                f.push(finding(
                    Status::Warning,
                    format!(
                        "`{}` holds the key but is readable by others",
                        tilde(&env_file.path)
                    ),
                    format!("chmod 600 {}", project::shell_quote(&tilde(&env_file.path))),
                ));
            }
            let stale = env_file.key == KeyState::Differs
                || sh.profiles.iter().any(|p| {
                    matches!(
                        p.block,
                        BlockState::HoldsKey {
                            key: KeyState::Differs
                        }
                    )
                });
            if stale {
                f.push(finding(
                    Status::Warning,
                    format!("the key stored for {name} differs from `$MODELGATES_API_KEY` here (a terminal opened before the key changed?)"),
                    format!("open a new terminal, or run `{}`", sh.activation),
                ));
            }
            if sh.profiles.iter().any(|p| p.block == BlockState::Outdated) {
                f.push(finding(
                    Status::Warning,
                    format!("{name}'s mg-codex block is from an older set-up"),
                    "mg-codex init",
                ));
            }
            served.push(name.clone());
        } else if overriding.is_empty() {
            f.push(finding(
                Status::Warning,
                format!(
                    "{name} is in use but new {name} terminals do not get `MODELGATES_API_KEY`"
                ),
                format!("mg-codex init --shell {name}"),
            ));
        }
        if !sh.has_block() && !overriding.is_empty() {
            served.push(format!("{name} (from your own line)"));
            continue;
        }
        for def in overriding {
            f.push(finding(
                Status::Warning,
                format!(
                    "`{}:{}` sets `MODELGATES_API_KEY` too and {} the key mg-codex stores",
                    tilde(&def.file),
                    def.line,
                    if def.precedence == shell::Precedence::Overrides {
                        "overrides"
                    } else {
                        "may override"
                    }
                ),
                format!(
                    "remove line {} of `{}` (mg-codex keeps the key in `{}`)",
                    def.line,
                    tilde(&def.file),
                    tilde(&sh.env_file.path)
                ),
            ));
        }
    }
    let ok = if detected.is_empty() {
        "no bash, zsh, fish or sh in use".to_string()
    } else {
        format!("new terminals get the key: {}", served.join(", "))
    };
    from_findings(ID, Category::Shell, ok, f, status)
}

// ----- codex.cli ---------------------------------------------------------------------------------

/// `codex.cli`: Codex is installed and loads the config.
pub fn codex_cli(probe: Option<&CodexProbe>) -> Check {
    const ID: &str = "codex.cli";
    let Some(probe) = probe else {
        return Check::warning(
            ID,
            Category::Codex,
            "`codex` is not on PATH",
            "install it: `npm install -g @openai/codex`",
        );
    };
    let version = probe.version.as_deref().unwrap_or("unknown version");
    match &probe.loads_config {
        Ok(()) => Check::ok(
            ID,
            Category::Codex,
            format!("{version} at `{}` loads the config", probe.path.display()),
        )
        .details(probe),
        Err(line) => Check::fail(
            ID,
            Category::Codex,
            format!("{version} cannot load the config: {line}"),
            "fix what Codex reports (`codex features list` shows it again), or run `mg-codex init`",
        )
        .details(probe),
    }
}

// ----- codex.docs_mcp --------------------------------------------------------------------------

#[derive(Serialize)]
struct DocsMcpDetails {
    name: &'static str,
    expected_url: &'static str,
    url: Option<String>,
    command: Option<String>,
    enabled: Option<bool>,
}

/// `codex.docs_mcp`: the ModelGates docs MCP server, when the config has an entry under its
/// name (`None`, so no row at all, when it has none: the server is optional).
pub fn docs_mcp(eff: &Effective, profile: Option<&str>) -> Option<Check> {
    const ID: &str = "codex.docs_mcp";
    let server = eff.mcp_server(DOCS_MCP_NAME)?;
    let state = docs_mcp_state(&server);
    let entry = format!("`[mcp_servers.{DOCS_MCP_NAME}]`");
    // `codex mcp remove` edits only config.toml: an entry in a profile's file is deleted by hand.
    let replace = match profile {
        Some(p) if eff.top_layer_has_mcp_server(DOCS_MCP_NAME) => format!(
            "delete {entry} from `{p}.config.toml`, then {} --docs-mcp",
            init_cmd(profile)
        ),
        _ => format!(
            "codex mcp remove {DOCS_MCP_NAME} && {} --docs-mcp",
            init_cmd(profile)
        ),
    };
    let check = match &state {
        DocsMcpState::Ours => Check::ok(
            ID,
            Category::Codex,
            format!("the ModelGates docs MCP server `{DOCS_MCP_NAME}` is at `{DOCS_MCP_URL}`"),
        ),
        DocsMcpState::Disabled => Check::warning(
            ID,
            Category::Codex,
            format!("{entry} {}: Codex does not start it", state.describe()),
            format!("delete the `enabled = false` line under {entry}"),
        ),
        DocsMcpState::OtherUrl(_) | DocsMcpState::Command(_) => Check::warning(
            ID,
            Category::Codex,
            format!("{entry} {}", state.describe()),
            format!("if it should be the ModelGates docs: {replace}"),
        ),
        DocsMcpState::Unusable(_) => Check::fail(
            ID,
            Category::Codex,
            format!("{entry} {}", state.describe()),
            format!("fix or delete {entry} by hand, or: {replace}"),
        ),
    };
    Some(check.details(DocsMcpDetails {
        name: DOCS_MCP_NAME,
        expected_url: DOCS_MCP_URL,
        url: server.url,
        command: server.command,
        enabled: server.enabled,
    }))
}

// ----- projects.trust --------------------------------------------------------------------------

#[derive(Serialize)]
struct TrustDetails {
    cwd: PathBuf,
    /// Keys Codex tries for the cwd, in order.
    candidates: Vec<String>,
    matched: Option<String>,
    level: Option<String>,
    entries_that_never_match: Vec<String>,
}

/// Keys Codex tries for a directory: the directory, its project root (nearest `.git`), and the
/// main repository root.
pub fn trust_candidates(cwd: &Path) -> Vec<String> {
    let canonical = project::canonical(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let mut out = vec![canonical.to_string_lossy().into_owned()];
    if let Some(root) = canonical.ancestors().find(|a| a.join(".git").exists()) {
        out.push(root.to_string_lossy().into_owned());
    }
    match project::find_git_root(&canonical) {
        Some(project::GitRoot::Main(root))
        | Some(project::GitRoot::Worktree { main: root, .. }) => {
            out.push(root.to_string_lossy().into_owned())
        }
        None => {}
    }
    out.dedup();
    out
}

/// `projects.trust`: the current directory's trust as Codex sees it, and entries that never
/// match.
pub fn projects_trust(cwd: &Path, docs: &[&ConfigDocument]) -> Check {
    const ID: &str = "projects.trust";
    let entries: Vec<_> = docs.iter().flat_map(|d| d.trust_entries()).collect();
    let candidates = trust_candidates(cwd);
    let matched = candidates
        .iter()
        .find_map(|c| entries.iter().find(|e| &e.key == c));
    let broken: Vec<String> = entries
        .iter()
        .filter(|e| {
            !project::entry_problems(
                &e.key,
                e.level.as_deref(),
                &project::EntryContext::default(),
            )
            .is_empty()
        })
        .map(|e| e.key.clone())
        .collect();
    let details = TrustDetails {
        cwd: cwd.to_path_buf(),
        candidates: candidates.clone(),
        matched: matched.map(|e| e.key.clone()),
        level: matched.and_then(|e| e.level.clone()),
        entries_that_never_match: broken.clone(),
    };
    let mut f = Vec::new();
    if matched.is_none() {
        f.push(finding(
            Status::Warning,
            format!(
                "`{}` has no trust entry: Codex starts read-only here and asks",
                candidates[0]
            ),
            "mg-codex trust .",
        ));
    }
    if !broken.is_empty() {
        f.push(finding(
            Status::Warning,
            format!(
                "{} trust entr{} can never match as written",
                broken.len(),
                if broken.len() == 1 { "y" } else { "ies" }
            ),
            "mg-codex trust --list (it shows the fix for each)",
        ));
    }
    let ok = match matched {
        Some(e) => format!(
            "`{}` is {} for Codex",
            e.key,
            e.level.as_deref().unwrap_or("?")
        ),
        None => String::new(),
    };
    from_findings(ID, Category::Projects, ok, f, details)
}

/// Parses an RFC 3339 / ISO-8601 timestamp (`2026-12-01T10:00:00Z`, offsets, fractions) into
/// unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', 't', ' ']).unwrap_or((s, "00:00:00Z"));
    let mut d = date.split('-');
    let year: i64 = d.next()?.parse().ok()?;
    let month: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    let (clock, offset_secs) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (c, off) = time.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
        (
            c,
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        )
    } else {
        (time, 0)
    };
    let mut c = clock.split(':');
    let hour: i64 = c.next()?.parse().ok()?;
    let minute: i64 = c.next().unwrap_or("0").parse().ok()?;
    let second: f64 = c.next().unwrap_or("0").parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second as i64 - offset_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> ConfigDocument {
        ConfigDocument::parse(text).unwrap()
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-11-24T00:00:00Z"), Some(1_795_478_400));
        assert_eq!(
            parse_rfc3339("2026-11-24T02:00:00+02:00"),
            Some(1_795_478_400)
        );
        assert_eq!(
            parse_rfc3339("2026-11-24T00:00:00.123Z"),
            Some(1_795_478_400)
        );
        assert_eq!(parse_rfc3339("soon"), None);
    }

    #[test]
    fn model_ids() {
        assert!(model_id_is_well_formed("openai/gpt-5.3-codex"));
        assert!(model_id_is_well_formed(
            "meta-llama/llama-3.3-70b-instruct:free"
        ));
        assert!(model_id_is_well_formed("~openai/gpt-latest"));
        assert!(!model_id_is_well_formed("gpt-5.3-codex"));
        assert!(!model_id_is_well_formed("openai/"));
        assert!(!model_id_is_well_formed("openai/gpt 5"));
    }

    #[test]
    fn stranded_root_keys_are_found() {
        let d = doc("model = \"x\"\n[mcp_servers.s]\ncommand = \"x\"\nmodel_provider = \"modelgates\"\n[profiles.p]\nmodel = \"y\"\n");
        assert_eq!(
            stranded_keys(d.document().as_table()),
            vec!["mcp_servers.s.model_provider"]
        );
    }

    #[test]
    fn provider_problems_are_findings() {
        let d = doc(concat!(
            "model_provider = \"modelgates\"\nprofile = \"old\"\n",
            "[model_providers.modelgates]\nname = \"MG\"\nbase_url = \"https://modelgates.ai/api/v1\"\n",
            "env_key = \"MODELGATES_API_KEY\"\nwire_api = \"chat\"\nrequires_openai_auth = true\nbogus = 1\n",
            "[model_providers.ollama]\nname = \"x\"\n",
        ));
        let check = config_provider(&Effective::new(None, Some(&d)), None, None);
        assert_eq!(check.status, Status::Fail);
        let findings = check.details["findings"].as_array().unwrap();
        let text: Vec<&str> = findings
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert_eq!(findings.len(), 5, "{text:?}");
        assert!(text.iter().any(|t| t.contains("wire_api")));
        assert!(text.iter().any(|t| t.contains("requires_openai_auth")));
        assert!(text.iter().any(|t| t.contains("`bogus`")));
        assert!(text.iter().any(|t| t.contains("model_providers.ollama")));
        assert!(text.iter().any(|t| t.contains("legacy `profile")));
    }

    #[test]
    fn a_profile_layer_overrides_the_base() {
        let base = doc("model_provider = \"openai\"\nmodel = \"gpt-5\"\n");
        let prof = doc("model_provider = \"modelgates\"\nmodel = \"openai/gpt-5.3-codex\"\n[model_providers.modelgates]\nname = \"M\"\nbase_url = \"https://modelgates.ai/api/v1\"\nenv_key = \"MODELGATES_API_KEY\"\n");
        let eff = Effective::new(Some(&prof), Some(&base));
        assert_eq!(config_provider(&eff, Some("mg"), None).status, Status::Ok);
        assert_eq!(config_model(&eff, Some("mg")).status, Status::Ok);
    }

    #[test]
    fn key_checks() {
        assert_eq!(key_present("K", None).0.status, Status::Fail);
        assert_eq!(key_present("K", Some("  ")).0.status, Status::Fail);
        assert_eq!(key_present("K", Some("sk-mg-abc\n")).0.status, Status::Fail);
        assert_eq!(
            key_present("K", Some("sk-or-0123456789abcdef")).0.status,
            Status::Warning
        );
        let (check, key) = key_present("K", Some("sk-mg-0123456789abcdef"));
        assert_eq!(check.status, Status::Ok);
        assert!(key.is_some());
        assert!(!serde_json::to_string(&check)
            .unwrap()
            .contains("0123456789abcdef"));
    }

    #[test]
    fn key_status_rules() {
        let now = 1_795_478_400;
        let ok = KeyInfo {
            label: Some("sk-mg-v1-ab3...9f2".into()),
            limit: Some(25.0),
            limit_remaining: Some(24.1),
            ..KeyInfo::default()
        };
        assert_eq!(api_key(&Ok(ok.clone()), now).status, Status::Ok);
        let spent = KeyInfo {
            limit_remaining: Some(0.0),
            ..ok.clone()
        };
        assert_eq!(api_key(&Ok(spent), now).status, Status::Fail);
        let mgmt = KeyInfo {
            is_management_key: Some(true),
            ..ok.clone()
        };
        assert_eq!(api_key(&Ok(mgmt), now).status, Status::Fail);
        let soon = KeyInfo {
            expires_at: Some("2026-11-27T00:00:00Z".into()),
            ..ok.clone()
        };
        assert_eq!(api_key(&Ok(soon), now).status, Status::Warning);
        let rejected = Err(ApiError::KeyRejected {
            message: "User not found.".into(),
        });
        assert_eq!(api_key(&rejected, now).status, Status::Fail);
    }

    #[test]
    fn docs_mcp_is_absent_without_an_entry_and_judged_with_one() {
        let check = |text: &str| {
            let d = doc(text);
            docs_mcp(&Effective::new(None, Some(&d)), None)
        };
        assert_eq!(
            check("model = \"x\"\n[mcp_servers.other]\nurl = \"https://o\"\n"),
            None
        );
        let ours = format!("[mcp_servers.modelgates-docs]\nurl = \"{DOCS_MCP_URL}\"\n");
        let ok = check(&ours).unwrap();
        assert_eq!(
            (ok.id, ok.status, ok.category),
            ("codex.docs_mcp", Status::Ok, Category::Codex)
        );
        assert_eq!(ok.details["url"], DOCS_MCP_URL);
        let inline =
            format!("mcp_servers = {{ modelgates-docs = {{ url = \"{DOCS_MCP_URL}/\" }} }}\n");
        assert_eq!(check(&inline).unwrap().status, Status::Ok);

        let disabled = check(&format!("{ours}enabled = false\n")).unwrap();
        assert_eq!(disabled.status, Status::Warning);
        assert!(
            disabled.summary.contains("enabled = false"),
            "{}",
            disabled.summary
        );
        assert!(disabled
            .remediation
            .unwrap()
            .contains("delete the `enabled = false` line"));

        let elsewhere =
            check("[mcp_servers.modelgates-docs]\nurl = \"https://else.example/mcp\"\n").unwrap();
        assert_eq!(elsewhere.status, Status::Warning);
        assert!(
            elsewhere
                .summary
                .contains("points to `https://else.example/mcp`"),
            "{}",
            elsewhere.summary
        );
        assert_eq!(
            elsewhere.remediation.as_deref(),
            Some("if it should be the ModelGates docs: codex mcp remove modelgates-docs && mg-codex init --docs-mcp")
        );

        let stdio = check("[mcp_servers.modelgates-docs]\ncommand = \"npx\"\n").unwrap();
        assert_eq!(stdio.status, Status::Warning);
        assert!(
            stdio.summary.contains("runs a local command (`npx`)"),
            "{}",
            stdio.summary
        );

        for broken in [
            "[mcp_servers.modelgates-docs]\nenabled = true\n",
            "[mcp_servers.modelgates-docs]\nurl = \"https://u\"\ncommand = \"npx\"\n",
            "[mcp_servers]\nmodelgates-docs = \"x\"\n",
        ] {
            let c = check(broken).unwrap();
            assert_eq!(c.status, Status::Fail, "{broken}");
            assert!(
                c.summary.contains("Codex refuses the file"),
                "{}",
                c.summary
            );
            assert!(c.remediation.is_some());
        }
    }

    #[test]
    fn docs_mcp_fields_come_from_the_highest_layer() {
        let base = doc(&format!(
            "[mcp_servers.modelgates-docs]\nurl = \"{DOCS_MCP_URL}\"\n"
        ));
        let prof = doc("[mcp_servers.modelgates-docs]\nenabled = false\n");
        let check = docs_mcp(&Effective::new(Some(&prof), Some(&base)), Some("mg")).unwrap();
        assert_eq!(check.status, Status::Warning);
        assert_eq!(check.details["url"], DOCS_MCP_URL);
        assert_eq!(check.details["enabled"], false);
    }

    #[test]
    fn docs_mcp_fix_names_the_file_that_holds_the_entry() {
        let other = "[mcp_servers.modelgates-docs]\nurl = \"https://example.com/mcp\"\n";
        let (entry, empty) = (doc(other), doc(""));
        // In the profile's file: `codex mcp remove` cannot reach it.
        let check = docs_mcp(&Effective::new(Some(&entry), Some(&empty)), Some("mg")).unwrap();
        assert_eq!(
            check.remediation.as_deref(),
            Some(
                "if it should be the ModelGates docs: delete `[mcp_servers.modelgates-docs]` from \
                 `mg.config.toml`, then mg-codex --profile mg init --docs-mcp"
            )
        );
        // In config.toml, under a profile or not: `codex mcp remove` does it.
        for (profile, init) in [
            (Some("mg"), "mg-codex --profile mg init"),
            (None, "mg-codex init"),
        ] {
            let eff = match profile {
                Some(_) => Effective::new(Some(&empty), Some(&entry)),
                None => Effective::new(None, Some(&entry)),
            };
            let check = docs_mcp(&eff, profile).unwrap();
            let want = format!(
                "if it should be the ModelGates docs: codex mcp remove modelgates-docs && {init} --docs-mcp"
            );
            assert_eq!(check.remediation.as_deref(), Some(want.as_str()));
        }
    }
}
