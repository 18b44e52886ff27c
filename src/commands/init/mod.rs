//! `mg-codex init`: gather the answers (prompts, or flags with `--yes`), verify them against the
//! API, plan every file, then write: the model catalogue (`commands::catalog`), the config
//! through `setup`, the key through `shell`, and the record `uninstall` needs. Little logic of
//! its own: it composes the modules.
//!
//! The catalogue is part of the set-up unless `--no-catalog`; one that cannot be fetched or
//! checked leaves the file there (and the config's key) as they are, with a warning naming
//! `mg-codex models --sync`, and the rest of the set-up proceeds. A `model_catalog_json` that
//! names a catalogue of the user's own is left alone.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};

use super::catalog::{self as catalog_file, Unfetched};
use crate::api::{self, ApiError, Client, ClientOptions, Lookup, Model};
use crate::catalog;
use crate::cli::{GlobalArgs, InitArgs, KeySourceArg};
use crate::codex_config::{ConfigDocument, TrustLevel};
use crate::config_file::{self, CodexHome, ConfigLock};
use crate::env::Env;
use crate::model_id;
use crate::problem::{problem, Fix};
use crate::prompt::Prompter;
use crate::record::State;
use crate::secret::{self, ApiKey};
use crate::setup::{
    self, DocsMcp, DocsMcpState, KeySource, Settings, DOCS_MCP_NAME, EFFORTS, PROVIDER_ID,
};
use crate::shell::{self, InstallOptions, Role, Shell, ShellEnv, ShellSelection};
use crate::ui::{Printer, Style};
use crate::{codex_cli, project};

mod guided;
mod report;
mod scripted;

/// Everything `init` will write, once decided.
struct Answers {
    key: ApiKey,
    settings: Settings,
    shells: ShellSelection,
    key_in_profile: bool,
    /// ModelGates' catalogue, for the model catalogue file.
    catalogue: Result<Vec<Model>, Unfetched>,
}

impl Answers {
    /// The answers, with the optional settings taken from the flags.
    fn new(
        args: &InitArgs,
        key: ApiKey,
        base_url: String,
        model: String,
        effort: String,
        trust: Vec<(String, TrustLevel)>,
        shells: ShellSelection,
    ) -> Self {
        Self {
            key,
            settings: Settings {
                base_url,
                model,
                effort: Some(effort),
                show_raw_agent_reasoning: args.show_raw_agent_reasoning.then_some(true),
                personality: args.personality.clone(),
                trust,
                docs_mcp: args.docs_mcp,
                key_source: KeySource::Env,
                catalog: None,
            },
            shells,
            key_in_profile: args.key_in_profile,
            catalogue: Err(Unfetched::NotAsked),
        }
    }

    /// With the key source and the catalogue to build the model catalogue from.
    fn with(mut self, key_source: KeySource, catalogue: Result<Vec<Model>, Unfetched>) -> Self {
        self.settings.key_source = key_source;
        self.catalogue = catalogue;
        self
    }
}

/// Each setting's answer before any question: the flag, else what is configured (when usable
/// here), else mg-codex's default. The one resolver under both flows: `--yes` takes these as
/// they are, the guided flow offers them (Enter keeps each).
struct Defaults {
    base_url: String,
    model: String,
    effort: String,
}

impl Defaults {
    fn resolve(args: &InitArgs, current: &Current) -> Self {
        let doc = &current.doc;
        let base_url = args.base_url.clone().unwrap_or_else(|| {
            doc.provider_str(PROVIDER_ID, "base_url")
                .filter(|u| !u.trim().is_empty())
                .unwrap_or(api::DEFAULT_BASE_URL)
                .to_string()
        });
        // The configured model counts when ModelGates is already the provider: another
        // provider's model id means nothing here.
        let configured_model = (doc.root_str("model_provider") == Some(PROVIDER_ID))
            .then(|| doc.root_str("model"))
            .flatten()
            .filter(|m| model_id::is_well_formed(m));
        let model = args
            .model
            .clone()
            .or_else(|| configured_model.map(str::to_string))
            .unwrap_or_else(|| setup::DEFAULT_MODEL.to_string());
        let effort = args
            .reasoning_effort
            .clone()
            .or_else(|| {
                doc.root_str("model_reasoning_effort")
                    .filter(|e| EFFORTS.contains(e))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| setup::DEFAULT_EFFORT.to_string());
        Self {
            base_url,
            model,
            effort,
        }
    }
}

/// What is configured already.
struct Current {
    home: CodexHome,
    config: PathBuf,
    doc: ConfigDocument,
    /// The file's text (`None`: there is no file).
    text: Option<String>,
    shell_env: ShellEnv,
    /// The key in `MODELGATES_API_KEY`, else the one in our env file.
    key: Option<(String, &'static str)>,
    /// `mg-codex` as invoked (`--codex-home`, `--profile`), for the commands hints print.
    me: super::Invocation,
}

pub fn run(global: &GlobalArgs, args: &InitArgs, env: &Env, printer: &Printer) -> Result<ExitCode> {
    let interactive = !args.yes;
    let me = super::Invocation::new(global);
    if interactive && !(env.stdin_tty && env.stderr_tty) {
        return Err(no_terminal(&me));
    }
    // Checked before any question or request: a typo here must not cost a pasted key.
    let shell_flag = args
        .shell
        .as_deref()
        .map(ShellSelection::parse)
        .transpose()
        .map_err(|e| anyhow!("--shell: {e}"))?;
    let current = look(global, env)?;
    let key_source = key_source(args, env, &current, &me)?;
    let mut answers = if interactive {
        guided::interactive_answers(args, shell_flag, env, &current, key_source, printer)?
    } else {
        scripted::scripted_answers(args, shell_flag, env, &current, key_source, printer)?
    };
    let planned = plan(args, global, env, &current, &mut answers, &me, printer)?;
    if args.dry_run {
        report::dry_run(&current, &planned, &answers, global, printer);
        return Ok(ExitCode::SUCCESS);
    }
    if interactive {
        if !planned.changes_anything() {
            if let Some(plan) = &planned.catalog {
                plan.report(printer);
            }
            printer.message("Everything is already set up: nothing changed");
            return Ok(ExitCode::SUCCESS);
        }
        if !report::confirm(&current, &planned, &answers, printer)? {
            printer.message("Nothing was written");
            return Ok(ExitCode::from(1));
        }
    }
    let written = write(&current, planned, &answers)?;
    report::written(&current, &written, &answers, global, env, printer);
    Ok(ExitCode::SUCCESS)
}

/// The refusal of a guided `init` without a terminal, with the scripted command that works.
fn no_terminal(me: &super::Invocation) -> anyhow::Error {
    let example = format!(
        "printf '%s\\n' \"$KEY\" | {} --model {}",
        me.command("init --yes --api-key-stdin"),
        setup::DEFAULT_MODEL
    );
    problem(
        "`mg-codex init` asks questions, but there is no terminal to ask on",
        Fix::command_with(
            example.clone(),
            format!(
                "run `{}` with flags, e.g. `{example}`",
                me.command("init --yes")
            ),
        ),
    )
}

/// Every file `init` would write, planned before any is written.
struct Planned {
    /// The model catalogue (`None`: `--no-catalog`, or a catalogue of the user's own).
    catalog: Option<catalog_file::Plan>,
    /// What the settings do to the config.
    applied: setup::Applied,
    new_config: String,
    config_changes: bool,
    shells: shell::Plan,
}

impl Planned {
    fn changes_anything(&self) -> bool {
        self.config_changes
            || self.shells.changes_anything()
            || self
                .catalog
                .as_ref()
                .is_some_and(catalog_file::Plan::writes)
    }
}

/// Plans every file before writing any: the catalogue first (the config names it), the
/// config, the shells.
fn plan(
    args: &InitArgs,
    global: &GlobalArgs,
    env: &Env,
    current: &Current,
    answers: &mut Answers,
    me: &super::Invocation,
    printer: &Printer,
) -> Result<Planned> {
    let catalog = plan_catalog(args, global, env, current, answers, me, printer);
    answers.settings.catalog = catalog
        .as_ref()
        .filter(|p| p.file_after())
        .map(catalog_file::Plan::config_value);
    let mut doc = current.doc.clone();
    let applied = setup::apply(&mut doc, &answers.settings)?;
    let new_config = doc.render();
    let shells = shell::plan_install(
        &answers.key,
        &InstallOptions {
            shells: answers.shells.clone(),
            key_in_profile: answers.key_in_profile,
            // `key print` reads the key from the store.
            store: matches!(answers.settings.key_source, KeySource::Command { .. }),
        },
        &current.shell_env,
    )?;
    Ok(Planned {
        catalog,
        applied,
        config_changes: current.text.as_deref() != Some(new_config.as_str()),
        new_config,
        shells,
    })
}

/// What was written.
struct Written {
    catalog: Option<catalog_file::Plan>,
    applied: setup::Applied,
    config: config_file::SaveOutcome,
    shells: shell::Report,
}

/// Writes, all under the config's lock: the catalogue before the config that names it (Codex
/// never reads a config whose catalogue is not there yet), the config and the record together
/// (the record is a journal, so a run killed anywhere leaves one that knows what the file
/// holds), then the shells. Ctrl-C from here waits until every file is written.
fn write(current: &Current, planned: Planned, answers: &Answers) -> Result<Written> {
    let writing = crate::fsutil::WriteGuard::new();
    current.home.prepare_for_write()?;
    let lock = ConfigLock::acquire(&current.config)?;
    if let Some(plan) = &planned.catalog {
        plan.write()?;
    }
    let (applied, config) = lock.edit_with_record(|doc, state, before| {
        let state = state.get_or_insert_with(|| State::capture(before, doc));
        state.remember(catalog::CONFIG_KEY, doc);
        if let Some(file) = &answers.settings.catalog {
            state.catalog_file = Some(file.clone());
        }
        let applied = setup::apply(doc, &answers.settings)?;
        for key in &applied.trusted_added {
            if !state.trusted_added.contains(key) {
                state.trusted_added.push(key.clone());
            }
        }
        if applied.docs_mcp == Some(DocsMcp::Added) {
            state.docs_mcp_added = true;
        }
        Ok(applied)
    })?;
    shell::remove_stale_temps(&current.shell_env);
    let shells = shell::apply(planned.shells)?;
    drop(lock);
    drop(writing);
    Ok(Written {
        catalog: planned.catalog,
        applied,
        config,
        shells,
    })
}

/// Where Codex gets the key: `--key-source`, else what is configured, else env. For
/// `command`, the program Codex runs is the running mg-codex ([`super::key::key_program`]).
fn key_source(
    args: &InitArgs,
    env: &Env,
    current: &Current,
    me: &super::Invocation,
) -> Result<KeySource> {
    let wanted = args
        .key_source
        .unwrap_or_else(|| match setup::configured_command(&current.doc) {
            Some(_) => KeySourceArg::Command,
            None => KeySourceArg::Env,
        });
    match wanted {
        KeySourceArg::Env => Ok(KeySource::Env),
        KeySourceArg::Command if args.no_catalog => Err(problem(
            "`--key-source command` needs the model catalogue: without `model_catalog_json`, Codex asks `GET /models` for Codex's own schema on every start and logs errors",
            Fix::command_with(
                me.command("init --key-source command"),
                format!("drop `--no-catalog`: `{}`", me.command("init --key-source command")),
            ),
        )),
        KeySourceArg::Command => {
            let Some(program) = super::key::key_program(env) else {
                return Err(problem(
                    "cannot tell where this mg-codex is installed, which Codex would run for the key",
                    Fix::command_with(
                        me.command("init --key-source env"),
                        format!(
                            "run mg-codex by its full path, or use the environment variable: `{}`",
                            me.command("init --key-source env")
                        ),
                    ),
                ));
            };
            Ok(KeySource::Command {
                program: program.display().to_string(),
            })
        }
    }
}

/// What to do with the model catalogue: `None` with `--no-catalog`, or when the config names
/// a catalogue of the user's own (left alone, with a warning).
fn plan_catalog(
    args: &InitArgs,
    global: &GlobalArgs,
    env: &Env,
    current: &Current,
    answers: &Answers,
    me: &super::Invocation,
    printer: &Printer,
) -> Option<catalog_file::Plan> {
    if args.no_catalog {
        return None;
    }
    let path = catalog::path_in(&current.home.dir, global.profile.as_deref());
    if let Some(theirs) = foreign_catalog(current, &path) {
        printer.warn(&format!(
            "`{}` names a model catalogue of yours (`{theirs}`), so mg-codex left it and wrote none\n  it must list `{}` for Codex to know the model; `{}` writes one of mg-codex's instead once you remove that line",
            catalog::CONFIG_KEY,
            answers.settings.model,
            me.command("models --sync")
        ));
        return None;
    }
    let codex = catalog_file::installed_codex(env);
    let _s = printer.spinner("Building the model catalogue for Codex");
    Some(catalog_file::plan(&catalog_file::Request {
        path: &path,
        models: answers.catalogue.as_deref().map_err(Clone::clone),
        configured: Some(&answers.settings.model),
        effort: answers.settings.effort.as_deref(),
        all_models: args.all_models,
        base_url: &answers.settings.base_url,
        codex: codex.as_deref(),
        refresh: false,
        sync_command: me.command("models --sync"),
    }))
}

/// The `model_catalog_json` of the selected config, when it names a file other than ours that
/// mg-codex did not write.
fn foreign_catalog(current: &Current, ours: &std::path::Path) -> Option<String> {
    let value = current.doc.root_str(catalog::CONFIG_KEY)?;
    let path = current.home.dir.join(value);
    if path == ours {
        return None;
    }
    (!super::selected::carries_our_marker(&path)).then(|| value.to_string())
}

/// Reads what is configured now; an unparsable config stops here, before any question.
fn look(global: &GlobalArgs, env: &Env) -> Result<Current> {
    let home = super::codex_home(global, env)?;
    let config = home.config_path(global.profile.as_deref());
    let existing = config_file::load_existing(&config)?;
    let text = existing.as_ref().map(ConfigDocument::original_text);
    let doc = existing.unwrap_or_else(ConfigDocument::empty);
    let shell_env = super::shell_env(env)?;
    let stored = shell::stored_key(&shell_env).map(|(key, _)| key);
    // A key kept in the config (`experimental_bearer_token`) is moved to the store: init
    // takes it out of the provider table.
    let bearer = doc
        .provider_str(PROVIDER_ID, "experimental_bearer_token")
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    let key = env
        .var(setup::ENV_KEY)
        .filter(|k| !k.trim().is_empty())
        .map(|k| (k.to_string(), setup::ENV_KEY))
        .or(stored.map(|k| (k, "the mg-codex env file")))
        .or(bearer.map(|k| (k, "`experimental_bearer_token` in the config")));
    Ok(Current {
        home,
        config,
        doc,
        text,
        shell_env,
        key,
        me: super::Invocation::new(global),
    })
}

fn parse_key(raw: &str, from: &str) -> Result<ApiKey> {
    ApiKey::parse(raw).map_err(|e| {
        problem(
            format!("{e} (from {from})"),
            Fix::instruction(
                "copy the key again from the ModelGates keys page (https://modelgates.ai/keys)",
            ),
        )
    })
}

fn trust_list(paths: &[PathBuf], env: &Env) -> Result<Vec<(String, TrustLevel)>> {
    paths
        .iter()
        .map(|p| {
            Ok((
                project::trust_target(&env.cwd.join(p), false)?.key,
                TrustLevel::Trusted,
            ))
        })
        .collect()
}

fn client(base_url: &str, key: &ApiKey, args: &InitArgs, env: &Env) -> Result<Client> {
    Client::new(ClientOptions {
        base_url: base_url.to_string(),
        key: Some(key.clone()),
        timeout: args.timeout,
        network: env.network(),
    })
    .map_err(|e| {
        problem(
            e.to_string(),
            Fix::instruction(format!("use `--base-url {}`", api::DEFAULT_BASE_URL)),
        )
    })
}

/// The error for a key the API did not accept.
fn key_error(e: &ApiError, base_url: &str, me: &super::Invocation) -> anyhow::Error {
    match e {
        ApiError::KeyRejected { .. } => problem(
            format!("ModelGates rejected the key at `{base_url}`: {e}"),
            Fix::instruction(format!(
                "create or copy a key on the ModelGates keys page ({}), then run `{}` again",
                secret::KEYS_PAGE,
                me.command("init")
            )),
        ),
        ApiError::Unreachable { .. }
        | ApiError::ServerError { .. }
        | ApiError::RateLimited { .. } => problem(
            format!("could not verify the key at `{base_url}`: {e}"),
            Fix::instruction(
                "check your network, or pass `--no-verify` to write the set-up without checking",
            ),
        ),
        other => problem(
            format!("could not verify the key at `{base_url}`: {other}"),
            Fix::instruction("check `--base-url`, or pass `--no-verify`"),
        ),
    }
}
