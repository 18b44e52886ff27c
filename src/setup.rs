//! What `init` writes into a Codex config and how `uninstall` takes it back out: the ModelGates
//! settings as one value ([`Settings`]), applied to a [`ConfigDocument`], and the record of what
//! was there before ([`crate::record::State`]), kept beside the config so `uninstall` can restore it.
//!
//! Pure: works on documents and strings. `commands::init` and `commands::uninstall` do the IO.

use toml_edit::{Item, Value};

use crate::catalog;
use crate::codex_config::{ConfigDocument, McpServer, ShapeError, TrustLevel};

/// The env var Codex reads the key from (`env_key`).
pub const ENV_KEY: &str = "MODELGATES_API_KEY";
/// The provider id we configure.
pub const PROVIDER_ID: &str = "modelgates";
/// The name `init --docs-mcp` gives the ModelGates documentation MCP server.
pub const DOCS_MCP_NAME: &str = "modelgates-docs";
/// The ModelGates documentation MCP server (streamable HTTP).
pub const DOCS_MCP_URL: &str = "https://modelgates.ai/docs/_mcp/server";
/// Reasoning efforts ModelGates and Codex both understand.
pub const EFFORTS: [&str; 6] = ["none", "minimal", "low", "medium", "high", "xhigh"];
pub const PERSONALITIES: [&str; 3] = ["none", "friendly", "pragmatic"];
/// Fields of `[model_providers.<id>]` that Codex 0.169 knows.
pub const KNOWN_PROVIDER_FIELDS: [&str; 20] = [
    "name",
    "base_url",
    "env_key",
    "env_key_instructions",
    "experimental_bearer_token",
    "auth",
    "gateway_oauth",
    "aws",
    "wire_api",
    "query_params",
    "http_headers",
    "env_http_headers",
    "request_max_retries",
    "stream_max_retries",
    "stream_idle_timeout_ms",
    "websocket_connect_timeout_ms",
    "requires_openai_auth",
    "supports_websockets",
    "supports_standalone_web_search",
    "model_catalog_url",
];
/// The provider's display name.
pub const PROVIDER_NAME: &str = "ModelGates";
/// Shown by Codex when the variable is missing.
pub const ENV_KEY_INSTRUCTIONS: &str =
    "Run `mg-codex init` to store your ModelGates API key for your shells, then open a new terminal.";
/// The model offered when none is configured.
pub const DEFAULT_MODEL: &str = "openai/gpt-5.3-codex";
/// The reasoning effort offered when none is configured.
pub const DEFAULT_EFFORT: &str = "high";
/// Top-level keys `init` may set, and so `uninstall` restores (with
/// [`catalog::CONFIG_KEY`], recorded as well: see [`crate::record::State::remember`]).
pub const ROOT_KEYS: [&str; 5] = [
    "model_provider",
    "model",
    "model_reasoning_effort",
    "show_raw_agent_reasoning",
    "personality",
];

/// The arguments of the command Codex runs for the key (`--key-source command`).
pub const KEY_COMMAND_ARGS: [&str; 2] = ["key", "print"];

/// Where Codex gets the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `env_key = "MODELGATES_API_KEY"`: the variable the shell profiles set (front ends that
    /// read no shell profile, such as Codex Desktop or an IDE, do not get it).
    Env,
    /// `auth = { command = "<program>", args = ["key", "print"] }`: Codex runs
    /// `mg-codex key print`, which prints the key from mg-codex's store, at start and on refresh
    /// (every front end gets it).
    Command { program: String },
}

impl KeySource {
    /// `env` or `command`, as `--key-source` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            KeySource::Env => "env",
            KeySource::Command { .. } => "command",
        }
    }
}

/// Everything `init` puts into a config.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub base_url: String,
    pub model: String,
    pub effort: Option<String>,
    pub show_raw_agent_reasoning: Option<bool>,
    pub personality: Option<String>,
    /// Project keys (as `project::trust_target` computes them) and their level.
    pub trust: Vec<(String, TrustLevel)>,
    /// Add the ModelGates docs MCP server (`[mcp_servers.modelgates-docs]`). `false` leaves an
    /// existing entry alone: it never removes one.
    pub docs_mcp: bool,
    pub key_source: KeySource,
    /// The absolute path to set as `model_catalog_json` (`None`: the key is left as it is).
    pub catalog: Option<String>,
}

/// What became of the docs MCP server when it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsMcp {
    /// Added now.
    Added,
    /// Already there, as `init` writes it.
    Present,
    /// An entry under the same name that is not what `init` writes: the user's, left alone.
    LeftAlone(DocsMcpState),
}

/// What applying the settings changed that the user should hear about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Fields removed from an existing `[model_providers.modelgates]`, with why.
    pub removed_fields: Vec<(String, &'static str)>,
    /// Fields of it that held another value, and that value (`name = "My gateway"`).
    pub changed_fields: Vec<(String, String)>,
    /// Trust keys that had no entry before.
    pub trusted_added: Vec<String>,
    /// The docs MCP server, when the settings ask for it.
    pub docs_mcp: Option<DocsMcp>,
}

/// What becomes of a field already in our provider table.
enum Disposal {
    Keep,
    /// Taken out without a word: ours, and not wanted with this key source.
    Remove,
    /// Taken out, with why.
    RemoveWarn(&'static str),
}

/// What to do with a field of an existing `[model_providers.modelgates]`.
fn disposal(field: &str, item: &Item, source: &KeySource) -> Disposal {
    match (field, source) {
        ("requires_openai_auth", _) if item.as_bool() == Some(true) => {
            Disposal::RemoveWarn("it would send your OpenAI login to the gateway")
        }
        ("experimental_bearer_token", _) => Disposal::RemoveWarn(
            "it kept a key in plain text in the config; mg-codex keeps the key in its own private file",
        ),
        ("auth", KeySource::Env) if is_our_auth(item) => Disposal::RemoveWarn(
            "the key comes from `MODELGATES_API_KEY` again (`--key-source env`)",
        ),
        ("auth", KeySource::Env) => {
            Disposal::RemoveWarn("Codex refuses `auth` together with `env_key`")
        }
        ("auth", KeySource::Command { program }) if auth_runs(item, program) => Disposal::Keep,
        ("auth", KeySource::Command { .. }) if is_our_auth(item) => Disposal::Remove,
        ("auth", KeySource::Command { .. }) => Disposal::RemoveWarn(
            "Codex runs `mg-codex key print` for the key now (`--key-source command`)",
        ),
        ("env_key" | "env_key_instructions", KeySource::Command { .. }) => Disposal::Remove,
        ("supports_websockets", _) if item.as_bool() == Some(true) => Disposal::RemoveWarn(
            "ModelGates serves the Responses API over HTTP, not WebSockets",
        ),
        (f, _) if !KNOWN_PROVIDER_FIELDS.contains(&f) => {
            Disposal::RemoveWarn("Codex does not know it (`--strict-config` refuses it)")
        }
        _ => Disposal::Keep,
    }
}

/// The `command` and `args` of an `auth` table.
fn auth_parts(item: &Item) -> Option<(&str, Vec<&str>)> {
    let table = item.as_table_like()?;
    let command = table.get("command")?.as_str()?;
    let args = table
        .get("args")
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    Some((command, args))
}

/// Whether an `auth` table runs `<program> key print`.
fn auth_runs(item: &Item, program: &str) -> bool {
    auth_parts(item).is_some_and(|(command, args)| command == program && args == KEY_COMMAND_ARGS)
}

/// Whether an `auth` table is one `init --key-source command` wrote: it runs
/// `…/mg-codex key print` (from wherever mg-codex was installed then).
pub fn is_our_auth(item: &Item) -> bool {
    auth_parts(item).is_some_and(|(command, args)| {
        let name = std::path::Path::new(command)
            .file_stem()
            .and_then(|n| n.to_str());
        name == Some("mg-codex") && args == KEY_COMMAND_ARGS
    })
}

/// The key source a config is set up with: `command` when our provider table has an `auth`
/// that runs `mg-codex key print`, else `None` (env, or not set up).
pub fn configured_command(doc: &ConfigDocument) -> Option<String> {
    let auth = doc.item_at(&["model_providers", PROVIDER_ID, "auth"])?;
    is_our_auth(auth).then(|| auth_parts(auth).map(|(c, _)| c.to_string()))?
}

/// `{ command = "<program>", args = ["key", "print"] }`.
fn auth_value(program: &str) -> Value {
    let mut table = toml_edit::InlineTable::new();
    table.insert("command", Value::from(program));
    let mut args = toml_edit::Array::new();
    for arg in KEY_COMMAND_ARGS {
        args.push(arg);
    }
    table.insert("args", Value::Array(args));
    Value::InlineTable(table)
}

/// Applies the settings: top-level keys (in place, or above the first table; the catalogue's
/// path when there is one), the provider table (updated in place, keeping the fields Codex
/// knows; `env_key` or `auth` as the key source says), the trust entries, and the docs MCP
/// server (added when there is no entry of that name; an entry that is there is never changed).
pub fn apply(doc: &mut ConfigDocument, settings: &Settings) -> Result<Applied, ShapeError> {
    let mut applied = Applied::default();
    doc.set_root_str("model_provider", PROVIDER_ID)?;
    doc.set_root_str("model", &settings.model)?;
    if let Some(effort) = &settings.effort {
        doc.set_root_str("model_reasoning_effort", effort)?;
    }
    if let Some(show) = settings.show_raw_agent_reasoning {
        doc.set_root_value("show_raw_agent_reasoning", Value::from(show))?;
    }
    if let Some(personality) = &settings.personality {
        doc.set_root_str("personality", personality)?;
    }
    if let Some(path) = &settings.catalog {
        doc.set_root_str(catalog::CONFIG_KEY, path)?;
    }
    let existing: Vec<(String, Item)> = doc
        .item_at(&["model_providers", PROVIDER_ID])
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
        .unwrap_or_default();
    let mut auth_kept = false;
    for (field, item) in &existing {
        match disposal(field, item, &settings.key_source) {
            Disposal::Keep => auth_kept |= field == "auth",
            Disposal::Remove => {
                doc.remove_provider_field(PROVIDER_ID, field);
            }
            Disposal::RemoveWarn(reason) => {
                doc.remove_provider_field(PROVIDER_ID, field);
                applied.removed_fields.push((field.clone(), reason));
            }
        }
    }
    let mut fields: Vec<(&str, Value)> = vec![
        ("name", PROVIDER_NAME.into()),
        ("base_url", settings.base_url.as_str().into()),
    ];
    match &settings.key_source {
        KeySource::Env => {
            fields.push(("env_key", ENV_KEY.into()));
            fields.push(("env_key_instructions", ENV_KEY_INSTRUCTIONS.into()));
            fields.push(("wire_api", "responses".into()));
        }
        KeySource::Command { program } => {
            fields.push(("wire_api", "responses".into()));
            if !auth_kept {
                fields.push(("auth", auth_value(program)));
            }
        }
    }
    if let Some((_, item)) = existing.iter().find(|(k, _)| k == "name") {
        if item.as_str() != Some(PROVIDER_NAME) {
            let was = item
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| item.to_string().trim().to_string());
            applied.changed_fields.push(("name".into(), was));
        }
    }
    doc.set_provider_fields(PROVIDER_ID, &fields)?;
    for (key, level) in &settings.trust {
        if doc.trust_level(key).is_none() {
            applied.trusted_added.push(key.clone());
        }
        doc.set_trust(key, *level)?;
    }
    if settings.docs_mcp {
        applied.docs_mcp = Some(match doc.mcp_server(DOCS_MCP_NAME) {
            None => {
                doc.set_mcp_server_url(DOCS_MCP_NAME, DOCS_MCP_URL)?;
                DocsMcp::Added
            }
            Some(server) => match docs_mcp_state(&server) {
                DocsMcpState::Ours => DocsMcp::Present,
                other => DocsMcp::LeftAlone(other),
            },
        });
    }
    Ok(applied)
}

/// What a `[mcp_servers.modelgates-docs]` entry is, next to what `init --docs-mcp` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsMcpState {
    /// The ModelGates docs server over streamable HTTP, enabled.
    Ours,
    /// The ModelGates docs server, with `enabled = false`.
    Disabled,
    /// Another HTTP server under our name.
    OtherUrl(String),
    /// A local (stdio) server under our name.
    Command(String),
    /// An entry Codex refuses (the whole file then fails to load): why.
    Unusable(&'static str),
}

impl DocsMcpState {
    /// What the entry does, after "`[mcp_servers.modelgates-docs]` ...".
    pub fn describe(&self) -> String {
        match self {
            DocsMcpState::Ours => format!("connects to `{DOCS_MCP_URL}`"),
            DocsMcpState::Disabled => "is disabled (`enabled = false`)".into(),
            DocsMcpState::OtherUrl(url) => format!("points to `{url}`, not `{DOCS_MCP_URL}`"),
            DocsMcpState::Command(command) => {
                format!("runs a local command (`{command}`), not `{DOCS_MCP_URL}`")
            }
            DocsMcpState::Unusable(why) => why.to_string(),
        }
    }
}

/// Sorts an `mcp_servers.modelgates-docs` entry (a trailing `/` on the url does not count).
pub fn docs_mcp_state(server: &McpServer) -> DocsMcpState {
    if !server.is_table {
        return DocsMcpState::Unusable("is not a table, so Codex refuses the file");
    }
    match (&server.url, &server.command) {
        (Some(_), Some(_)) => DocsMcpState::Unusable(
            "has both `url` and `command`, so Codex refuses the file (url is not supported for stdio)",
        ),
        (None, None) => DocsMcpState::Unusable(
            "has neither `url` nor `command`, so Codex refuses the file (invalid transport)",
        ),
        (None, Some(command)) => DocsMcpState::Command(command.clone()),
        (Some(url), None) if url.trim_end_matches('/') != DOCS_MCP_URL => {
            DocsMcpState::OtherUrl(url.clone())
        }
        _ if server.enabled == Some(false) => DocsMcpState::Disabled,
        _ => DocsMcpState::Ours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{revert, State};

    fn settings() -> Settings {
        Settings {
            base_url: "https://modelgates.ai/api/v1".into(),
            model: DEFAULT_MODEL.into(),
            effort: Some("high".into()),
            show_raw_agent_reasoning: None,
            personality: None,
            trust: vec![("/p".into(), TrustLevel::Trusted)],
            docs_mcp: false,
            key_source: KeySource::Env,
            catalog: None,
        }
    }

    #[test]
    fn apply_then_revert_restores_values() {
        let text = "model = 'o3' # mine\nmodel_provider = \"openai\"\n\n[tui]\nx = 1\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        let state = State::capture(Some(text), &doc);
        let applied = apply(&mut doc, &settings()).unwrap();
        assert_eq!(applied.trusted_added, vec!["/p".to_string()]);
        let edited = doc.render();
        let mut doc = ConfigDocument::parse(&edited).unwrap();
        let mut state = state;
        state.trusted_added = applied.trusted_added;
        state.after = Some(edited.clone());
        let kept = revert(&mut doc, &state, true);
        assert!(kept.is_empty());
        let out = doc.render();
        assert!(
            out.starts_with("model = 'o3' # mine\nmodel_provider = \"openai\"\n"),
            "{out}"
        );
        assert!(!out.contains("modelgates"), "{out}");
        assert!(!out.contains("model_reasoning_effort"), "{out}");
        assert!(!out.contains("/p"), "{out}");
    }

    #[test]
    fn values_changed_after_init_are_kept() {
        let text = "model = \"o3\"\nmodel_provider = \"openai\"\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        let mut state = State::capture(Some(text), &doc);
        apply(&mut doc, &settings()).unwrap();
        state.after = Some(doc.render());
        let mut later = ConfigDocument::parse(&doc.render()).unwrap();
        later.set_root_str("model_provider", "ollama2").unwrap();
        later.set_root_str("model", "qwen3").unwrap();
        later.set_root_str("show_raw_agent_reasoning", "x").unwrap();
        let kept = revert(&mut later, &state, false);
        assert_eq!(kept, ["model_provider", "model"]);
        let out = later.render();
        assert!(out.contains("model = \"qwen3\""), "{out}");
        assert!(out.contains("model_provider = \"ollama2\""), "{out}");
        assert!(out.contains("show_raw_agent_reasoning"), "{out}");
        assert!(!out.contains("model_reasoning_effort"), "{out}");
    }

    #[test]
    fn unknown_and_dangerous_provider_fields_are_removed() {
        let text = "[model_providers.modelgates]\nname = \"x\"\nrequires_openai_auth = true\nbogus = 1\nrequest_max_retries = 3\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        let applied = apply(&mut doc, &settings()).unwrap();
        let removed: Vec<&str> = applied
            .removed_fields
            .iter()
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(removed, ["requires_openai_auth", "bogus"]);
        let out = doc.render();
        assert!(out.contains("request_max_retries = 3"), "{out}");
    }

    #[test]
    fn docs_mcp_is_added_once_and_reverted_only_when_init_added_it() {
        let text = "model = \"o3\"\n\n[tui]\nx = 1\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        let mut state = State::capture(Some(text), &doc);
        let with_docs = Settings {
            docs_mcp: true,
            ..settings()
        };
        let applied = apply(&mut doc, &with_docs).unwrap();
        assert_eq!(applied.docs_mcp, Some(DocsMcp::Added));
        let edited = doc.render();
        assert!(
            edited.ends_with(&format!(
                "\n\n[mcp_servers.modelgates-docs]\nurl = \"{DOCS_MCP_URL}\"\n"
            )),
            "{edited}"
        );
        let mut again = ConfigDocument::parse(&edited).unwrap();
        assert_eq!(
            apply(&mut again, &with_docs).unwrap().docs_mcp,
            Some(DocsMcp::Present)
        );
        assert!(!again.is_changed());
        // Without the option, an existing entry stays.
        apply(&mut again, &settings()).unwrap();
        assert!(!again.is_changed());

        state.docs_mcp_added = true;
        state.trusted_added = applied.trusted_added;
        state.after = Some(edited.clone());
        let mut doc = ConfigDocument::parse(&edited).unwrap();
        assert!(revert(&mut doc, &state, true).is_empty());
        assert_eq!(doc.render(), "model = \"o3\"\n\n[tui]\nx = 1\n");

        // Not added by init: it stays.
        let mut doc = ConfigDocument::parse(&edited).unwrap();
        state.docs_mcp_added = false;
        revert(&mut doc, &state, true);
        assert!(doc.render().contains("[mcp_servers.modelgates-docs]"));

        // Pointed elsewhere since: kept, and said so.
        let moved = edited.replace(DOCS_MCP_URL, "https://else.example/mcp");
        let mut doc = ConfigDocument::parse(&moved).unwrap();
        state.docs_mcp_added = true;
        assert_eq!(
            revert(&mut doc, &state, true),
            ["mcp_servers.modelgates-docs"]
        );
        assert!(doc.render().contains("https://else.example/mcp"));
    }

    #[test]
    fn a_docs_entry_of_the_users_is_left_alone() {
        for (text, state) in [
            (
                "[mcp_servers.modelgates-docs]\nurl = \"https://else.example/mcp\"\n",
                DocsMcpState::OtherUrl("https://else.example/mcp".into()),
            ),
            (
                "[mcp_servers.modelgates-docs]\ncommand = \"npx\"\n",
                DocsMcpState::Command("npx".into()),
            ),
        ] {
            let mut doc = ConfigDocument::parse(text).unwrap();
            let applied = apply(
                &mut doc,
                &Settings {
                    docs_mcp: true,
                    ..settings()
                },
            )
            .unwrap();
            assert_eq!(applied.docs_mcp, Some(DocsMcp::LeftAlone(state)));
            assert_eq!(
                doc.mcp_server(DOCS_MCP_NAME),
                ConfigDocument::parse(text)
                    .unwrap()
                    .mcp_server(DOCS_MCP_NAME)
            );
        }
    }

    fn command(program: &str) -> Settings {
        Settings {
            key_source: KeySource::Command {
                program: program.into(),
            },
            catalog: Some("/h/.codex/modelgates-models.json".into()),
            trust: Vec::new(),
            ..settings()
        }
    }

    #[test]
    fn the_key_source_switches_in_place() {
        let text = "model = \"o3\"\n\n[model_providers.modelgates]\nname = \"x\"\nrequest_max_retries = 3\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        let applied = apply(&mut doc, &command("/usr/bin/mg-codex")).unwrap();
        assert!(applied.removed_fields.is_empty(), "{applied:?}");
        let out = doc.render();
        assert!(
            out.ends_with("request_max_retries = 3\nbase_url = \"https://modelgates.ai/api/v1\"\nwire_api = \"responses\"\nauth = { command = \"/usr/bin/mg-codex\", args = [\"key\", \"print\"] }\n"),
            "{out}"
        );
        assert!(!out.contains("env_key"), "{out}");
        assert!(out.contains("model_catalog_json = \"/h/.codex/modelgates-models.json\"\n"));
        assert_eq!(
            configured_command(&doc).as_deref(),
            Some("/usr/bin/mg-codex")
        );
        // Twice: nothing changes.
        let mut again = ConfigDocument::parse(&out).unwrap();
        apply(&mut again, &command("/usr/bin/mg-codex")).unwrap();
        assert!(!again.is_changed(), "{}", again.render());
        // mg-codex moved: the command follows, without a warning.
        let mut moved = ConfigDocument::parse(&out).unwrap();
        let applied = apply(&mut moved, &command("/opt/bin/mg-codex")).unwrap();
        assert!(applied.removed_fields.is_empty());
        assert_eq!(
            configured_command(&moved).as_deref(),
            Some("/opt/bin/mg-codex")
        );
        // Back to env: `auth` goes (said so), `env_key` comes back.
        let mut env = ConfigDocument::parse(&out).unwrap();
        let applied = apply(
            &mut env,
            &Settings {
                trust: Vec::new(),
                ..settings()
            },
        )
        .unwrap();
        assert_eq!(applied.removed_fields.len(), 1);
        assert_eq!(applied.removed_fields[0].0, "auth");
        let env = env.render();
        assert!(env.contains("env_key = \"MODELGATES_API_KEY\""), "{env}");
        assert!(!env.contains("auth"), "{env}");
        assert!(env.contains("request_max_retries = 3"), "{env}");
    }

    #[test]
    fn an_auth_of_the_users_is_replaced_with_a_warning_and_ours_in_any_spelling_is_kept() {
        let text = "[model_providers.modelgates]\nname = \"x\"\n\n[model_providers.modelgates.auth]\ncommand = \"vault\"\nargs = [\"read\"]\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        let applied = apply(&mut doc, &command("/usr/bin/mg-codex")).unwrap();
        assert_eq!(applied.removed_fields[0].0, "auth");
        let out = doc.render();
        assert!(!out.contains("vault"), "{out}");
        assert_eq!(
            configured_command(&doc).as_deref(),
            Some("/usr/bin/mg-codex")
        );
        // Ours as a table of its own, with a timeout of the user's: kept as it is.
        let text = "[model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"https://modelgates.ai/api/v1\"\nwire_api = \"responses\"\n\n[model_providers.modelgates.auth]\ncommand = \"/usr/bin/mg-codex\"\nargs = [\"key\", \"print\"]\ntimeout_ms = 9000\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        apply(
            &mut doc,
            &Settings {
                catalog: None,
                ..command("/usr/bin/mg-codex")
            },
        )
        .unwrap();
        let out = doc.render();
        assert!(out.ends_with("timeout_ms = 9000\n"), "{out}");
        assert_eq!(out.matches("auth").count(), 1, "{out}");
        // Without a record, uninstall knows the command-auth table as ours.
        let mut doc = ConfigDocument::parse(&out).unwrap();
        let fallback = State {
            previous: vec![
                ("model_provider".into(), None),
                (catalog::CONFIG_KEY.into(), None),
            ],
            ..State::default()
        };
        revert(&mut doc, &fallback, false);
        assert!(!doc.render().contains("modelgates"), "{}", doc.render());
    }

    #[test]
    fn the_catalogue_key_is_recorded_and_reverted() {
        let text = "model = \"o3\"\n";
        let mut doc = ConfigDocument::parse(text).unwrap();
        let mut state = State::capture(Some(text), &doc);
        assert!(state
            .previous
            .contains(&(catalog::CONFIG_KEY.to_string(), None)));
        apply(&mut doc, &command("/usr/bin/mg-codex")).unwrap();
        state.after = Some(doc.render());
        let mut edited = ConfigDocument::parse(&format!("{}\n# mine\n", doc.render())).unwrap();
        assert!(revert(&mut edited, &state, true).is_empty());
        assert!(
            !edited.render().contains("model_catalog_json"),
            "{}",
            edited.render()
        );

        // A record from before the catalogue learns the key's value before it is set.
        let mut old = State {
            previous: vec![("model".into(), None)],
            ..State::default()
        };
        old.remember(
            catalog::CONFIG_KEY,
            &ConfigDocument::parse("model_catalog_json = \"/mine.json\"\n").unwrap(),
        );
        old.remember(catalog::CONFIG_KEY, &ConfigDocument::empty());
        assert_eq!(
            old.previous[1],
            (
                catalog::CONFIG_KEY.to_string(),
                Some("\"/mine.json\"".into())
            )
        );

        // Without a record: a catalogue of mg-codex's goes, anyone else's stays.
        for (value, gone) in [
            ("/h/.codex/work.modelgates-models.json", true),
            ("/h/mine.json", false),
        ] {
            let mut doc =
                ConfigDocument::parse(&format!("model_catalog_json = \"{value}\"\n")).unwrap();
            let fallback = State {
                previous: vec![(catalog::CONFIG_KEY.into(), None)],
                ..State::default()
            };
            revert(&mut doc, &fallback, false);
            assert_eq!(doc.render().is_empty(), gone, "{value}");
        }
    }

    #[test]
    fn a_state_file_from_before_the_docs_option_still_reads() {
        let old = r#"{"schema_version":1,"before":null,"after":"x","previous":[["model",null]],"provider_existed":false,"trusted_added":[]}"#;
        let state: State = serde_json::from_str(old).unwrap();
        assert!(!state.docs_mcp_added);
        assert_eq!(state.catalog_file, None);
        assert_eq!(state.after.as_deref(), Some("x"));
    }
}
