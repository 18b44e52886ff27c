//! `config.file`, `config.provider` and `config.model`: the file itself, where Codex sends its
//! requests, and the model and settings Codex validates, each finding with its file and line.

use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{Item, Table};

use super::{Context, Loaded};

mod file;
mod model;
mod provider;

use crate::api;
use crate::codex_config::ConfigDocument;
use crate::doctor::knowledge;
use crate::doctor::{Category, Check, Finding};
use crate::layers::Layers;
use crate::problem::Fix;
use crate::setup::{EFFORTS, KNOWN_PROVIDER_FIELDS, PERSONALITIES, PROVIDER_ID};
pub use file::{file, stranded_keys};
pub use model::{model, ModelInputs};
pub use provider::{provider, ProviderInputs};

/// Provider ids Codex reserves for its built-ins: a table with one of these names is fatal.
pub const RESERVED_PROVIDER_IDS: [&str; 3] = ["openai", "ollama", "lmstudio"];

/// Top-level settings that mean something else (or nothing) inside these tables.
pub(super) const ROOT_ONLY_KEYS: [&str; 8] = [
    "model_provider",
    "model",
    "model_reasoning_effort",
    "model_catalog_json",
    "approval_policy",
    "sandbox_mode",
    "personality",
    "show_raw_agent_reasoning",
];
pub(super) const TABLES_WITHOUT_ROOT_KEYS: [&str; 12] = [
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
pub(super) const PROJECT_LOCAL_DENYLIST: [&str; 5] = [
    "model_provider",
    "model_providers",
    "openai_base_url",
    "chatgpt_base_url",
    "profile",
];
/// The top-level keys Codex knows (its `ConfigToml`, 0.171); others are ignored with a warning
/// and refused by `--strict-config`. Keys starting with `experimental_` are taken as known.
pub(super) const KNOWN_TOP_LEVEL_KEYS: [&str; 88] = [
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
pub(super) fn at(finding: Finding, place: Option<(Option<&Path>, Option<usize>)>) -> Finding {
    match place {
        Some((Some(file), line)) => finding.file(file, line),
        _ => finding,
    }
}

/// An edit fix at the place an item is set.
pub(super) fn edit_at(place: Option<(Option<&Path>, Option<usize>)>, text: String) -> Fix {
    match place {
        Some((Some(file), line)) => Fix::edit(file, line, text),
        _ => Fix::instruction(text),
    }
}

/// `file:line` for a message.
pub(super) fn where_(ctx: &Context, place: Option<(Option<&Path>, Option<usize>)>) -> String {
    match place {
        Some((Some(file), Some(line))) => format!("`{}:{line}`", ctx.show(file)),
        Some((Some(file), None)) => format!("`{}`", ctx.show(file)),
        _ => "the config".to_string(),
    }
}
