//! `config.file`, `config.provider` and `config.model`: the file itself, where Codex sends its
//! requests, and the model and settings Codex validates, each finding with its file and line.

use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{Item, Table};

use super::{Context, Loaded};
use crate::api;
use crate::codex_config::ConfigDocument;
use crate::doctor::knowledge;
use crate::doctor::{Category, Check, Finding};
use crate::layers::Layers;
use crate::problem::Fix;
use crate::setup::{EFFORTS, KNOWN_PROVIDER_FIELDS, PERSONALITIES, PROVIDER_ID};

/// Provider ids Codex reserves for its built-ins: a table with one of these names is fatal.
pub const RESERVED_PROVIDER_IDS: [&str; 3] = ["openai", "ollama", "lmstudio"];

/// Top-level settings that mean something else (or nothing) inside these tables.
const ROOT_ONLY_KEYS: [&str; 8] = [
    "model_provider",
    "model",
    "model_reasoning_effort",
    "model_catalog_json",
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
/// The top-level keys Codex knows (its `ConfigToml`, 0.171); others are ignored with a warning
/// and refused by `--strict-config`. Keys starting with `experimental_` are taken as known.
const KNOWN_TOP_LEVEL_KEYS: [&str; 88] = [
    "model",
    "review_model",
    "model_provider",
    "model_context_window",
    "model_auto_compact_token_limit",
    "model_auto_compact_token_limit_scope",
    "approval_policy",
    "approvals_reviewer",
    "auto_review",
    "shell_environment_policy",
    "allow_login_shell",
    "sandbox_mode",
    "sandbox_workspace_write",
    "default_permissions",
    "permissions",
    "notify",
    "instructions",
    "developer_instructions",
    "include_permissions_instructions",
    "include_apps_instructions",
    "include_collaboration_mode_instructions",
    "include_environment_context",
    "model_instructions_file",
    "compact_prompt",
    "forced_chatgpt_workspace_id",
    "forced_login_method",
    "cli_auth_credentials_store",
    "mcp_servers",
    "mcp_oauth_credentials_store",
    "mcp_oauth_callback_port",
    "mcp_oauth_callback_url",
    "model_providers",
    "project_doc_max_bytes",
    "project_doc_fallback_filenames",
    "tool_output_token_limit",
    "background_terminal_max_timeout",
    "js_repl_node_path",
    "js_repl_node_module_dirs",
    "profile",
    "profiles",
    "history",
    "sqlite_home",
    "sqlite",
    "log_dir",
    "debug",
    "file_opener",
    "tui",
    "hide_agent_reasoning",
    "show_raw_agent_reasoning",
    "model_reasoning_effort",
    "plan_mode_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
    "model_supports_reasoning_summaries",
    "model_catalog_json",
    "personality",
    "service_tier",
    "chatgpt_base_url",
    "apps_mcp_product_sku",
    "openai_base_url",
    "audio",
    "realtime",
    "projects",
    "web_search",
    "tools",
    "tool_suggest",
    "agents",
    "memories",
    "skills",
    "hooks",
    "plugins",
    "marketplaces",
    "features",
    "suppress_unstable_features_warning",
    "ghost_snapshot",
    "project_root_markers",
    "check_for_update_on_startup",
    "disable_paste_burst",
    "analytics",
    "feedback",
    "apps",
    "desktop",
    "otel",
    "windows",
    "notice",
    "oss_provider",
    "model_verbosity_default",
    "windows_wsl_setup_acknowledged",
];

/// A file and line, for a finding's evidence and an edit fix.
fn at(finding: Finding, place: Option<(Option<&Path>, Option<usize>)>) -> Finding {
    match place {
        Some((Some(file), line)) => finding.file(file, line),
        _ => finding,
    }
}

/// An edit fix at the place an item is set.
fn edit_at(place: Option<(Option<&Path>, Option<usize>)>, text: String) -> Fix {
    match place {
        Some((Some(file), line)) => Fix::edit(file, line, text),
        _ => Fix::instruction(text),
    }
}

/// `file:line` for a message.
fn where_(ctx: &Context, place: Option<(Option<&Path>, Option<usize>)>) -> String {
    match place {
        Some((Some(file), Some(line))) => format!("`{}:{line}`", ctx.show(file)),
        Some((Some(file), None)) => format!("`{}`", ctx.show(file)),
        _ => "the config".to_string(),
    }
}

// ----- config.file ---------------------------------------------------------------------------

#[derive(Serialize)]
struct FileDetails<'a> {
    path: &'a Path,
    exists: bool,
    line: Option<usize>,
    column: Option<usize>,
    stranded_keys: Vec<String>,
    unknown_keys: Vec<String>,
}

/// `config.file`: the file exists, parses, every top-level setting is at the top level, and
/// Codex knows every top-level key.
pub fn file(ctx: &Context, path: &Path, loaded: &Loaded) -> Check {
    const ID: &str = "config.file";
    let mut details = FileDetails {
        path,
        exists: !matches!(loaded, Loaded::Missing),
        line: None,
        column: None,
        stranded_keys: Vec::new(),
        unknown_keys: Vec::new(),
    };
    let shown = ctx.show(path);
    let mut f = Vec::new();
    match loaded {
        Loaded::HomeMissing { dir, origin } => {
            let quoted = crate::project::shell_quote(&dir.display().to_string());
            let command = format!("mkdir -p {quoted} && {}", ctx.me.command("init --yes"));
            f.push(
                Finding::fail(
                    "codex_home_missing",
                    format!(
                        "{origin} points to `{}`, which does not exist: Codex refuses to start (\"CODEX_HOME points to …, but that path does not exist\")",
                        dir.display()
                    ),
                )
                .variable(*origin)
                .value(dir.display().to_string())
                .fix(Fix::command_with(
                    command.clone(),
                    format!(
                        "create it and set ModelGates up there with `{command}`, or point {origin} at your Codex directory (unset, Codex uses `~/.codex`)"
                    ),
                )),
            );
        }
        Loaded::HomeNotDir { dir, origin } => {
            let quoted = crate::project::shell_quote(&dir.display().to_string());
            let aside = crate::project::shell_quote(&format!("{}.not-a-directory", dir.display()));
            let fix = if *origin == "~/.codex" {
                let command = format!("mv {quoted} {aside} && {}", ctx.me.command("init --yes"));
                Fix::command_with(
                    command.clone(),
                    format!("move the file out of the way and set Codex up: `{command}`"),
                )
            } else {
                Fix::instruction(format!(
                    "point {origin} at a directory (`{}` is a file)",
                    dir.display()
                ))
            };
            f.push(
                Finding::fail(
                    "codex_home_not_dir",
                    format!(
                        "`{}` ({origin}) is not a directory: Codex refuses to start (\"Not a directory\")",
                        ctx.show(dir)
                    ),
                )
                .file(dir, None)
                .fix(fix),
            );
        }
        Loaded::Missing => f.push(
            Finding::fail("config_missing", format!("`{shown}` does not exist"))
                .file(path, None)
                .fix(ctx.run_with("init", |c| format!("set it up with `{c}`"))),
        ),
        Loaded::Unreadable { error, special } => {
            let code = if *special {
                "config_special_file"
            } else {
                "config_unreadable"
            };
            f.push(
                Finding::fail(code, format!("cannot read `{shown}`: {error}"))
                    .file(path, None)
                    .fix(Fix::instruction(format!(
                        "make `{shown}` a regular file you can read (`ls -l {}` shows what it is)",
                        path.display()
                    ))),
            )
        }
        Loaded::Invalid(invalid) => {
            let e = &invalid.error;
            details.line = Some(e.line);
            details.column = Some(e.column);
            f.push(
                Finding::fail(
                    "config_invalid_toml",
                    format!(
                        "`{shown}` is not valid TOML at line {}, column {}: {}, so Codex refuses the whole file",
                        e.line, e.column, e.message
                    ),
                )
                .file(path, Some(e.line))
                .fix(Fix::edit(
                    path,
                    Some(e.line),
                    format!(
                        "fix line {} of `{shown}` by hand (`{}`); mg-codex never writes an unparsable file",
                        e.line,
                        e.source_line.trim()
                    ),
                )),
            );
        }
        Loaded::Parsed(doc) => {
            for path_keys in stranded_keys(doc.document().as_table()) {
                let parts: Vec<&str> = path_keys.iter().map(String::as_str).collect();
                let (name, table_path) = path_keys.split_last().expect("a key in a table");
                let table = header(table_path);
                let line = doc.line_of(&parts);
                f.push(
                    Finding::fail(
                        "stranded_key",
                        format!(
                            "`{name}` sits inside `[{table}]`, so Codex does not read it as a top-level setting (it ignores it)"
                        ),
                    )
                    .file(path, line)
                    .fix(Fix::edit(
                        path,
                        line,
                        format!(
                            "move `{name} = …` (line {}) above the first `[table]` line of `{shown}`",
                            line.map_or("?".into(), |l| l.to_string())
                        ),
                    )),
                );
                let key = format!("{table}.{name}");
                details.stranded_keys.push(key);
            }
            for (key, _) in doc.document().iter() {
                if KNOWN_TOP_LEVEL_KEYS.contains(&key) || key.starts_with("experimental_") {
                    continue;
                }
                let line = doc.line_of(&[key]);
                f.push(
                    Finding::warning(
                        "unknown_config_key",
                        format!(
                            "Codex does not know `{key}`: it ignores it with a warning at every start, and `--strict-config` refuses the file"
                        ),
                    )
                    .file(path, line)
                    .fix(Fix::edit(
                        path,
                        line,
                        format!(
                            "remove `{key}` from `{shown}` (or correct its name: Codex's settings are listed by `codex --help` and its docs)"
                        ),
                    )),
                );
                details.unknown_keys.push(key.to_string());
            }
        }
    }
    Check::new(ID, Category::Config, format!("`{shown}` parses"), f).details(details)
}

/// The key paths (`["mcp_servers", "x", "model_provider"]`) of top-level settings stranded in
/// tables.
pub fn stranded_keys(root: &Table) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    fn walk(table: &Table, path: &mut Vec<String>, found: &mut Vec<Vec<String>>) {
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
                    let mut full = path.clone();
                    full.push(key.to_string());
                    found.push(full);
                }
                _ => {}
            }
        }
    }
    walk(root, &mut Vec::new(), &mut found);
    found
}

/// A table's path as TOML writes it in a header (`projects."/home/me/app"`).
fn header(path: &[String]) -> String {
    path.iter()
        .map(|k| {
            if !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                k.clone()
            } else {
                toml_edit::Key::new(k.as_str()).display_repr().into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

// ----- config.provider -----------------------------------------------------------------------

#[derive(Serialize)]
struct ProviderDetails {
    model_provider: Option<String>,
    base_url: Option<String>,
    env_key: Option<String>,
    wire_api: Option<String>,
    auth_command: Option<String>,
    profiles_with_modelgates: Vec<String>,
}

/// What `config.provider` looks at besides the layers.
pub struct ProviderInputs<'a> {
    /// A project-local `.codex/config.toml` and its path.
    pub project_local: Option<(&'a Path, &'a ConfigDocument)>,
    /// A managed layer (`/etc/codex/managed_config.toml`, `requirements.toml`) and its path.
    pub managed: Vec<(&'a Path, &'a ConfigDocument)>,
    /// Profile files (`NAME.config.toml`) that set ModelGates up, when no `--profile` is given.
    pub modelgates_profiles: &'a [String],
    /// What loads the stored key in this terminal (`. ~/.config/mg-codex/env`).
    pub load: &'a str,
}

/// Why a `base_url` is probably not the API root (`https://modelgates.ai/api/v1`), if it is not.
fn wrong_path(url: &str) -> Option<(String, String)> {
    let parsed = url::Url::parse(url).ok()?;
    let path = parsed.path().trim_end_matches('/');
    let origin = parsed.origin().ascii_serialization();
    let suggested = format!("{origin}/api/v1");
    let why = if path.is_empty() {
        "has no path: the API is at `/api/v1`".to_string()
    } else if path.ends_with("/responses") || path.ends_with("/chat/completions") {
        "names an endpoint: Codex appends `/responses` to the API root itself".to_string()
    } else if path.ends_with("/api") {
        "stops at `/api`: the API is at `/api/v1`".to_string()
    } else if parsed.host_str() == Some("modelgates.ai") && path != "/api/v1" {
        format!("has the path `{path}`: ModelGates' API is at `/api/v1`")
    } else {
        return None;
    };
    (suggested != url.trim_end_matches('/')).then_some((why, suggested))
}

/// `config.provider`: ModelGates is the provider, and its table is what Codex needs.
pub fn provider(ctx: &Context, layers: &Layers, inputs: &ProviderInputs) -> Check {
    const ID: &str = "config.provider";
    let mut f = Vec::new();
    let field_str = |k: &str| layers.provider_str(PROVIDER_ID, k).map(str::to_string);
    let place = |path: &[&str]| layers.located(path);
    let provider_place = |field: &str| place(&["model_providers", PROVIDER_ID, field]);
    let details = ProviderDetails {
        model_provider: layers.root_str("model_provider").map(str::to_string),
        base_url: field_str("base_url"),
        env_key: field_str("env_key"),
        wire_api: field_str("wire_api"),
        auth_command: layers
            .item_at(&["model_providers", PROVIDER_ID, "auth", "command"])
            .and_then(Item::as_str)
            .map(str::to_string),
        profiles_with_modelgates: inputs.modelgates_profiles.to_vec(),
    };
    let init = || {
        ctx.run_with("init --yes", |c| {
            format!("`{c}` sets it up (it keeps your other settings)")
        })
    };
    // ModelGates set up in a profile file and the default left alone: that is a choice, not
    // a problem; the note says how to use it.
    let in_profile = inputs
        .modelgates_profiles
        .first()
        .filter(|_| ctx.profile.is_none());
    let profiles_note = |f: Finding| match in_profile {
        Some(name) => {
            let mut f = f;
            f.severity = crate::doctor::Status::Ok;
            f.code = "modelgates_in_profile_note";
            f.message = format!(
                "{}; ModelGates is set up in the profile `{name}`: run `codex --profile {name}` (`{}` checks it)",
                f.message,
                ctx.me.for_profile(Some(name)).command("doctor")
            );
            f
        }
        None => f.fix(init()),
    };
    match layers.root_str("model_provider") {
        Some(PROVIDER_ID) => {}
        Some(other) => f.push(profiles_note(at(
            Finding::fail(
                "provider_other",
                format!("`model_provider` is `{other}`, so Codex sends its requests there, not to ModelGates"),
            ),
            place(&["model_provider"]),
        ))),
        None => f.push(profiles_note(Finding::fail(
            "provider_not_selected",
            "`model_provider` is not set, so Codex sends its requests to OpenAI",
        ))),
    }
    for (file, managed) in &inputs.managed {
        for key in ["model_provider", "model"] {
            if let Some(value) = managed.root_str(key) {
                let ours = match key {
                    "model_provider" => value == PROVIDER_ID,
                    _ => layers.root_str("model") == Some(value),
                };
                if !ours {
                    f.push(
                        Finding::fail(
                            "managed_layer_pins",
                            format!(
                                "the managed config `{}` sets `{key} = \"{value}\"`, which overrides every config of yours",
                                file.display()
                            ),
                        )
                        .file(file, managed.line_of(&[key]))
                        .fix(Fix::instruction(format!(
                            "ask whoever manages this machine to change `{key}` in `{}` (it is not yours to edit)",
                            file.display()
                        ))),
                    );
                }
            }
        }
    }
    let selected = layers.root_str("model_provider") == Some(PROVIDER_ID);
    if let (true, None, false) = (selected, ctx.profile, inputs.modelgates_profiles.is_empty()) {
        let names = inputs.modelgates_profiles;
        f.push(Finding::note(
            "modelgates_profiles_note",
            format!(
                "the profile{} {} set{} up ModelGates too: `{}` checks one as Codex layers it",
                if names.len() == 1 { "" } else { "s" },
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if names.len() == 1 { "s" } else { "" },
                ctx.me.for_profile(Some(&names[0])).command("doctor")
            ),
        ));
    }
    match layers.provider_fields(PROVIDER_ID) {
        None if selected => f.push(
            Finding::fail(
                "provider_undefined",
                "`model_provider = \"modelgates\"` but there is no `[model_providers.modelgates]` table: Codex stops with \"Model provider `modelgates` not found\"",
            )
            .fix(init()),
        ),
        None => {}
        Some(fields) => {
            if field_str("name").is_none_or(|n| n.trim().is_empty()) {
                f.push(at(
                    Finding::fail(
                        "provider_name_missing",
                        "`[model_providers.modelgates]` has no `name`: Codex refuses the file (\"provider name must not be empty\")",
                    ),
                    place(&["model_providers", PROVIDER_ID]),
                ).fix(init()));
            }
            match field_str("base_url") {
                None => f.push(
                    Finding::fail(
                        "base_url_missing",
                        "`[model_providers.modelgates]` has no `base_url`, so Codex sends the requests (and the key) to api.openai.com",
                    )
                    .fix(init()),
                ),
                Some(url) if url.trim().is_empty() => f.push(
                    at(
                        Finding::fail(
                            "base_url_missing",
                            "`base_url` is empty, so Codex sends the requests (and the key) to api.openai.com",
                        ),
                        provider_place("base_url"),
                    )
                    .fix(init()),
                ),
                Some(url) => {
                    if let Err(e) = api::check_base_url(&url) {
                        f.push(
                            at(
                                Finding::fail("base_url_insecure", format!("`base_url` {e}")),
                                provider_place("base_url"),
                            )
                            .fix(ctx.run(&format!(
                                "init --yes --base-url {}",
                                api::DEFAULT_BASE_URL
                            ))),
                        );
                    } else if let Some((why, suggested)) = wrong_path(&url) {
                        f.push(
                            at(
                                Finding::warning(
                                    "base_url_wrong_path",
                                    format!("`base_url = \"{url}\"` {why}, so Codex's requests miss the API"),
                                ),
                                provider_place("base_url"),
                            )
                            .fix(ctx.run(&format!("init --yes --base-url {suggested}"))),
                        );
                    }
                }
            }
            let has = |k: &str| fields.iter().any(|n| n == k);
            if !has("env_key") && !has("auth") && !has("experimental_bearer_token") {
                f.push(
                    Finding::fail(
                        "env_key_missing",
                        "`[model_providers.modelgates]` has no `env_key` (nor `auth`), so Codex sends no key",
                    )
                    .fix(init()),
                );
            }
            if has("auth") && has("env_key") {
                f.push(
                    at(
                        Finding::fail(
                            "auth_with_env_key",
                            "`auth` and `env_key` together: Codex refuses the provider (\"provider auth cannot be combined with env_key\")",
                        ),
                        provider_place("auth"),
                    )
                    .fix(init()),
                );
            }
            if layers
                .provider_field(PROVIDER_ID, "requires_openai_auth")
                .and_then(Item::as_bool)
                == Some(true)
            {
                f.push(
                    at(
                        Finding::fail(
                            "requires_openai_auth",
                            "`requires_openai_auth = true` makes Codex send your OpenAI login to the gateway",
                        ),
                        provider_place("requires_openai_auth"),
                    )
                    .fix(init()),
                );
            }
            if has("experimental_bearer_token") {
                f.push(
                    at(
                        Finding::warning(
                            "bearer_token_in_config",
                            "`experimental_bearer_token` keeps a key in plain text in the config",
                        ),
                        provider_place("experimental_bearer_token"),
                    )
                    .fix({
                        let command =
                            format!("{} && {}", ctx.me.command("init --yes"), inputs.load);
                        Fix::command_with(
                            command.clone(),
                            format!("`{command}`: init moves the key into mg-codex's private store (for `MODELGATES_API_KEY`) and removes the line; the second part loads it in this terminal"),
                        )
                    }),
                );
            }
            let version = ctx.version();
            let unknown: Vec<&String> = fields
                .iter()
                .filter(|n| {
                    !KNOWN_PROVIDER_FIELDS.contains(&n.as_str())
                        || knowledge::unknown_provider_field(version, n)
                })
                .collect();
            for name in unknown {
                f.push(
                    at(
                        Finding::warning(
                            "unknown_provider_field",
                            format!("`{name}` in `[model_providers.modelgates]` is not a field Codex knows: it ignores it, and `--strict-config` refuses it"),
                        ),
                        provider_place(name),
                    )
                    .codex_version(ctx.version_text())
                    .fix(init()),
                );
            }
        }
    }
    // Every provider's wire API: one `chat` anywhere makes Codex refuse the whole file.
    for id in layers.provider_ids() {
        let place = place(&["model_providers", &id, "wire_api"]);
        match layers.provider_str(&id, "wire_api") {
            None | Some("responses") => {}
            Some(other) => {
                let (code, what) = if other == "chat" {
                    ("wire_api_chat", "is no longer supported (Chat Completions was removed): Codex refuses the whole file")
                } else {
                    ("wire_api_unknown", "is not a wire API Codex knows (only `responses`): Codex refuses the whole file")
                };
                let fix = if id == PROVIDER_ID {
                    init()
                } else {
                    edit_at(
                        place,
                        format!(
                            "set `wire_api = \"responses\"` in `[model_providers.{id}]` at {}, or delete that table",
                            where_(ctx, place)
                        ),
                    )
                };
                f.push(
                    at(
                        Finding::fail(
                            code,
                            format!("`wire_api = \"{other}\"` in `[model_providers.{id}]` {what}"),
                        ),
                        place,
                    )
                    .codex_version(ctx.version_text())
                    .fix(fix),
                );
            }
        }
        if RESERVED_PROVIDER_IDS.contains(&id.as_str()) {
            let place = layers.located(&["model_providers", &id]);
            f.push(
                at(
                    Finding::fail(
                        "reserved_provider_id",
                        format!("`[model_providers.{id}]` overrides a built-in provider: Codex refuses the whole file"),
                    ),
                    place,
                )
                .fix(edit_at(
                    place,
                    format!(
                        "rename `[model_providers.{id}]` (e.g. `{id}-custom`, and `model_provider` with it) or delete it, at {}",
                        where_(ctx, place)
                    ),
                )),
            );
        }
        // A second table for the same gateway (Codex's own gateway set-up writes `modelgates-2`).
        if id != PROVIDER_ID {
            let ours = layers.provider_str(PROVIDER_ID, "base_url");
            let theirs = layers.provider_str(&id, "base_url");
            if let (Some(a), Some(b)) = (ours, theirs) {
                if a.trim_end_matches('/') == b.trim_end_matches('/') {
                    let place = layers.located(&["model_providers", &id]);
                    f.push(
                        at(
                            Finding::warning(
                                "duplicate_gateway_table",
                                format!("`[model_providers.{id}]` is a second table for the same gateway (`{b}`); Codex's own gateway set-up writes such copies"),
                            ),
                            place,
                        )
                        .fix(edit_at(
                            place,
                            format!(
                                "delete `[model_providers.{id}]` at {} (and use `model_provider = \"modelgates\"`)",
                                where_(ctx, place)
                            ),
                        )),
                    );
                }
            }
        }
    }
    if let Some(legacy) = layers.root_str("profile") {
        let place = place(&["profile"]);
        f.push(
            at(
                Finding::fail(
                    "legacy_profile",
                    format!("legacy `profile = \"{legacy}\"`: current Codex refuses to start (profiles are now `NAME.config.toml` files, used with `--profile NAME`)"),
                ),
                place,
            )
            .fix(edit_at(
                place,
                format!(
                    "delete the line `profile = \"{legacy}\"` at {}; to keep that profile, move `[profiles.{legacy}]` into `{legacy}.config.toml` and run `codex --profile {legacy}`",
                    where_(ctx, place)
                ),
            )),
        );
    }
    if let Some(profiles) = layers.root("profiles").and_then(Item::as_table_like) {
        let names: Vec<String> = profiles.iter().map(|(k, _)| k.to_string()).collect();
        let place = place(&["profiles"]);
        match ctx.profile.filter(|p| names.iter().any(|n| n == p)) {
            Some(p) => f.push(
                at(
                    Finding::fail(
                        "profiles_table_blocks_profile",
                        format!("`[profiles.{p}]` exists: `codex --profile {p}` refuses to start until it moves to `{p}.config.toml`"),
                    ),
                    layers.located(&["profiles", p]),
                )
                .fix(edit_at(
                    layers.located(&["profiles", p]),
                    format!("move the settings of `[profiles.{p}]` into `{p}.config.toml` and delete the table"),
                )),
            ),
            None if !names.is_empty() => {
                // ModelGates set up only there: Codex ignores it, so the requests go elsewhere.
                let ours: Vec<&String> = names
                    .iter()
                    .filter(|n| {
                        layers
                            .item_at(&["profiles", n, "model_provider"])
                            .and_then(Item::as_str)
                            == Some(PROVIDER_ID)
                    })
                    .collect();
                let selected = layers.root_str("model_provider") == Some(PROVIDER_ID);
                let finding = match ours.first() {
                    Some(name) if !selected => Finding::fail(
                        "profiles_table",
                        format!("ModelGates is set up in `[profiles.{name}]`, a table current Codex ignores: it sends the requests to OpenAI instead"),
                    ),
                    _ => Finding::warning(
                        "profiles_table",
                        format!("`[profiles.*]` tables ({}) do nothing in current Codex", names.join(", ")),
                    ),
                };
                f.push(
                at(
                    finding,
                    place,
                )
                .fix(edit_at(
                    place,
                    "move each into `NAME.config.toml` (used by `codex --profile NAME`) and delete the table".into(),
                )),
            )
            }
            None => {}
        }
    }
    if let Some((path, local)) = inputs.project_local {
        let set: Vec<&str> = PROJECT_LOCAL_DENYLIST
            .iter()
            .copied()
            .filter(|k| local.document().contains_key(k))
            .collect();
        if !set.is_empty() {
            let line = set.iter().find_map(|k| local.line_of(&[k]));
            let finding = if selected {
                Finding::warning
            } else {
                Finding::fail
            };
            f.push(
                finding(
                    "project_local_provider_keys",
                    format!(
                        "`{}` sets {}, which Codex ignores in a project's config{}",
                        ctx.show(path),
                        set.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
                        if selected { "" } else { ": the provider it names is never used" }
                    ),
                )
                .file(path, line)
                .fix(Fix::edit(
                    path,
                    line,
                    format!(
                        "remove them from `{}`; provider settings belong in `$CODEX_HOME/config.toml` (`{}` writes them there)",
                        ctx.show(path),
                        ctx.me.command("init --yes")
                    ),
                )),
            );
        }
    }
    let ok = format!(
        "Codex uses ModelGates at `{}`",
        details.base_url.as_deref().unwrap_or("?")
    );
    Check::new(ID, Category::Config, ok, f).details(details)
}

// ----- config.model --------------------------------------------------------------------------

#[derive(Serialize)]
struct ModelDetails {
    model: Option<String>,
    model_reasoning_effort: Option<String>,
    personality: Option<String>,
    model_catalog_json: Option<PathBuf>,
    catalogue_has_model: Option<bool>,
    codex_version: Option<String>,
}

/// What `config.model` knows of the model's metadata.
pub struct ModelInputs<'a> {
    /// The slugs of the catalogue `model_catalog_json` names (`None`: none set; `Err`: it
    /// cannot be read).
    pub catalogue: Option<(&'a Path, Result<Vec<String>, String>)>,
    /// Whether that catalogue is mg-codex's (`models --sync` rewrites it).
    pub catalogue_ours: bool,
    /// The id ModelGates' catalogue suggests for a malformed one, when the API was asked.
    pub suggestion: Option<&'a str>,
}

/// `config.model`: the model and the settings Codex validates, with what the installed Codex
/// does with them.
pub fn model(ctx: &Context, layers: &Layers, inputs: &ModelInputs) -> Check {
    const ID: &str = "config.model";
    let mut f = Vec::new();
    let model = layers.root_str("model");
    let effort = layers.root_str("model_reasoning_effort");
    let personality = layers.root_str("personality");
    let place = |key: &str| layers.located(&[key]);
    let version = ctx.version();
    let provider_ok = layers.root_str("model_provider") == Some(PROVIDER_ID)
        && layers.provider_fields(PROVIDER_ID).is_some();
    let switch = |id: &str| {
        if provider_ok {
            ctx.run(&format!("model {id}"))
        } else {
            ctx.run(&format!("init --yes --model {id}"))
        }
    };
    match (layers.root("model"), model) {
        (None, _) => f.push(
            Finding::fail(
                "model_missing",
                "`model` is not set, so Codex asks ModelGates for a model of its own choosing, which is no ModelGates id",
            )
            .fix(switch(crate::setup::DEFAULT_MODEL)),
        ),
        (Some(_), None) => f.push(
            at(Finding::fail("model_not_string", "`model` is not a string: Codex refuses the file"), place("model"))
                .fix(switch(crate::setup::DEFAULT_MODEL)),
        ),
        (Some(_), Some(id)) if !crate::model_id::is_well_formed(id) => {
            let guess = inputs
                .suggestion
                .map(str::to_string)
                .or_else(|| guess_author(id));
            let message = match &guess {
                Some(g) => format!(
                    "`model = \"{id}\"` is not a ModelGates id (`author/slug`); did you mean `{g}`?"
                ),
                None => format!("`model = \"{id}\"` is not a ModelGates id (`author/slug`, e.g. `openai/gpt-5.3-codex`)"),
            };
            let fix = match &guess {
                Some(g) => switch(g),
                None => ctx.run_with(&format!("models {}", id.rsplit('/').next().unwrap_or(id)), |c| {
                    format!("`{c}` shows the full id; then `{}`", ctx.me.command("model ID"))
                }),
            };
            let mut finding = at(Finding::fail("model_id_malformed", message), place("model")).fix(fix);
            if layers.root_str("model_provider") == Some(PROVIDER_ID)
                && layers.located(&["model"]).is_some()
                && knowledge::writes_gateway_tables(version)
                && guess.as_deref().is_some_and(|g| g.starts_with("openai/"))
            {
                // Codex 0.171's "set as default provider" rewrites model_provider, not model.
                finding.message.push_str(
                    " (Codex's own \"set as default provider\" changes `model_provider` but leaves an OpenAI `model`)",
                );
            }
            f.push(finding);
        }
        _ => {}
    }
    match (layers.root("model_reasoning_effort"), effort) {
        (None, _) => {}
        (Some(_), Some(e)) if EFFORTS.contains(&e) => {}
        (Some(_), Some(e)) if knowledge::refuses_effort(version, e) => f.push(
            at(
                Finding::fail(
                    "effort_refused_by_version",
                    format!("`model_reasoning_effort = \"{e}\"` is not a level this Codex knows: it refuses the file"),
                ),
                place("model_reasoning_effort"),
            )
            .codex_version(ctx.version_text())
            .fix(ctx.run("model --reasoning-effort high")),
        ),
        (Some(_), Some(e)) => match knowledge::effort_sent(version, e, None) {
            Some(sent) => f.push(
                at(
                    Finding::warning(
                        "effort_rewritten",
                        format!("`model_reasoning_effort = \"{e}\"` goes out as `{sent}`: this Codex rewrites it for a gateway model"),
                    ),
                    place("model_reasoning_effort"),
                )
                .codex_version(ctx.version_text())
                .fix(ctx.run("model --reasoning-effort xhigh")),
            ),
            None => f.push(
                at(
                    Finding::warning(
                        "effort_unknown",
                        format!("`model_reasoning_effort = \"{e}\"` is not one of {}: Codex sends it as is, and ModelGates may refuse it", EFFORTS.join(", ")),
                    ),
                    place("model_reasoning_effort"),
                )
                .fix(ctx.run("model --reasoning-effort high")),
            ),
        },
        (Some(item), None) => f.push(
            at(
                Finding::fail(
                    "effort_unknown",
                    format!("`model_reasoning_effort = {}` is not a string: Codex refuses the file", item.to_string().trim()),
                ),
                place("model_reasoning_effort"),
            )
            .fix(ctx.run("model --reasoning-effort high")),
        ),
    }
    // What the installed Codex knows of the model.
    let catalogue_has = inputs
        .catalogue
        .as_ref()
        .map(|(_, slugs)| matches!((slugs, model), (Ok(s), Some(m)) if s.iter().any(|x| x == m)));
    if let (Some(id), true) = (model, provider_ok) {
        let known = knowledge::knows_model(version, id) || catalogue_has == Some(true);
        if !known {
            let refresh = match (&inputs.catalogue, inputs.catalogue_ours) {
                (None, _) => ctx.run_with("init --yes", |c| {
                    format!("`{c}` writes a catalogue of ModelGates' models (`model_catalog_json`) that Codex reads")
                }),
                (Some(_), true) => ctx.run_with("models --sync", |c| {
                    format!("`{c}` writes the catalogue again, `{id}` first")
                }),
                (Some((path, _)), false) => Fix::instruction(format!(
                    "the catalogue `{}` is not mg-codex's: give it an entry for `{id}`, or let mg-codex write one (codex.catalog says how)",
                    ctx.show(path)
                )),
            };
            // `model_supports_reasoning_summaries = true` makes those releases send it.
            let forced = layers
                .root("model_supports_reasoning_summaries")
                .and_then(Item::as_bool)
                == Some(true);
            if knowledge::drops_effort_without_metadata(version)
                && !forced
                && effort.is_some_and(|e| e != "none")
            {
                f.push(
                    Finding::warning(
                        "effort_not_sent",
                        format!("this Codex sends no reasoning effort at all for `{id}` (`\"reasoning\": null`): it has no metadata for the model"),
                    )
                    .codex_version(ctx.version_text())
                    .fix(refresh.clone()),
                );
            }
            if knowledge::warns_fallback_metadata(version) {
                f.push(
                    Finding::warning(
                        "fallback_metadata",
                        format!("Codex prints \"Model metadata for `{id}` not found. Defaulting to fallback metadata\" at every start and guesses the context window"),
                    )
                    .codex_version(ctx.version_text())
                    .fix(refresh),
                );
            }
        }
    }
    match (layers.root("personality"), personality) {
        (None, _) => {}
        (Some(_), Some(p)) if PERSONALITIES.contains(&p) => {}
        (Some(_), _) => f.push(
            at(
                Finding::fail(
                    "personality_invalid",
                    format!(
                        "`personality` must be one of {}: Codex refuses the file",
                        PERSONALITIES.join(", ")
                    ),
                ),
                place("personality"),
            )
            .fix(edit_at(
                place("personality"),
                format!(
                    "set `personality = \"pragmatic\"` (or delete the line) at {}",
                    where_(ctx, place("personality"))
                ),
            )),
        ),
    }
    if let Some(item) = layers.root("show_raw_agent_reasoning") {
        if item.as_bool().is_none() {
            f.push(
                at(
                    Finding::fail(
                        "raw_reasoning_not_bool",
                        "`show_raw_agent_reasoning` must be `true` or `false` (no quotes): Codex refuses the file",
                    ),
                    place("show_raw_agent_reasoning"),
                )
                .fix(edit_at(
                    place("show_raw_agent_reasoning"),
                    format!("write `show_raw_agent_reasoning = true` (or false), without quotes, at {}", where_(ctx, place("show_raw_agent_reasoning"))),
                )),
            );
        }
    }
    let details = ModelDetails {
        model: model.map(str::to_string),
        model_reasoning_effort: effort.map(str::to_string),
        personality: personality.map(str::to_string),
        model_catalog_json: inputs.catalogue.as_ref().map(|(p, _)| p.to_path_buf()),
        catalogue_has_model: catalogue_has,
        codex_version: ctx.codex.map(|v| v.to_string()),
    };
    let ok = match effort {
        Some(e) => format!("model `{}`, reasoning effort `{e}`", model.unwrap_or("?")),
        None => format!("model `{}`", model.unwrap_or("?")),
    };
    Check::new(ID, Category::Config, ok, f).details(details)
}

/// The author a bare model id most likely lacks (`gpt-5.3-codex` → `openai/gpt-5.3-codex`).
fn guess_author(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let author = if lower.starts_with("gpt")
        || lower.starts_with("o3")
        || lower.starts_with("o4")
        || lower.starts_with("codex")
    {
        "openai"
    } else if lower.starts_with("claude") {
        "anthropic"
    } else if lower.starts_with("gemini") {
        "google"
    } else {
        return None;
    };
    let candidate = format!("{author}/{id}");
    crate::model_id::is_well_formed(&candidate).then_some(candidate)
}
