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
use crate::shell::{self, InstallOptions, Role, Shell, ShellEnv, ShellSelection, Syntax};
use crate::ui::{Printer, Style};
use crate::{codex_cli, project};

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
        let example = format!(
            "printf '%s\\n' \"$KEY\" | {} --model {}",
            me.command("init --yes --api-key-stdin"),
            setup::DEFAULT_MODEL
        );
        return Err(problem(
            "`mg-codex init` asks questions, but there is no terminal to ask on",
            Fix::command_with(
                example.clone(),
                format!(
                    "run `{}` with flags, e.g. `{example}`",
                    me.command("init --yes")
                ),
            ),
        ));
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
    let answers = if interactive {
        interactive_answers(args, shell_flag, env, &current, key_source, printer)?
    } else {
        scripted_answers(args, shell_flag, env, &current, key_source, printer)?
    };
    let mut answers = answers;

    // Plan every file before writing any: the catalogue first (the config names it).
    let catalog_plan = plan_catalog(args, global, env, &current, &answers, &me, printer);
    answers.settings.catalog = catalog_plan
        .as_ref()
        .filter(|p| p.file_after())
        .map(catalog_file::Plan::config_value);
    let mut planned = current.doc.clone();
    let planned_applied = setup::apply(&mut planned, &answers.settings)?;
    let new_config = planned.render();
    let shell_plan = shell::plan_install(
        &answers.key,
        &InstallOptions {
            shells: answers.shells.clone(),
            key_in_profile: answers.key_in_profile,
            // `key print` reads the key from the store.
            store: matches!(answers.settings.key_source, KeySource::Command { .. }),
        },
        &current.shell_env,
    )?;
    let config_changes = current.text.as_deref() != Some(new_config.as_str());
    let catalog_changes = catalog_plan
        .as_ref()
        .is_some_and(catalog_file::Plan::writes);

    if args.dry_run || interactive {
        let diffs = render_diffs(&current, &new_config, &shell_plan, &answers.key);
        if args.dry_run {
            warn_docs_mcp(planned_applied.docs_mcp.as_ref(), global, printer);
            let line = catalog_plan
                .as_ref()
                .and_then(catalog_file::Plan::dry_run_line);
            if diffs.is_empty() && line.is_none() {
                printer.message("Nothing would change: everything is already set up");
            } else {
                if !diffs.is_empty() {
                    printer.data(&diffs);
                }
                if let Some(line) = line {
                    printer.message(&line);
                }
                printer.message("Dry run: nothing was written");
            }
            return Ok(ExitCode::SUCCESS);
        }
        if !config_changes && !shell_plan.changes_anything() && !catalog_changes {
            if let Some(plan) = &catalog_plan {
                plan.report(printer);
            }
            printer.message("Everything is already set up: nothing changed");
            return Ok(ExitCode::SUCCESS);
        }
        let prompter = Prompter::new(printer.color_err());
        summarize(
            &current,
            config_changes,
            &planned_applied,
            catalog_plan.as_ref().filter(|p| p.writes()),
            &shell_plan,
            printer,
        );
        if prompter.confirm("Show the changes as a diff?", false, "--dry-run")? {
            printer.message(&diffs);
        }
        if !prompter.confirm("Write these changes?", true, "--yes")? {
            printer.message("Nothing was written");
            return Ok(ExitCode::from(1));
        }
    }

    // Write, all under the config's lock: the config and the record together (the record is a
    // journal, so a run killed anywhere leaves one that knows what the file holds), then the
    // shells.
    // Ctrl-C from here waits until every file is written.
    let writing = crate::interrupt::Writing::start();
    current.home.prepare_for_write()?;
    let lock = ConfigLock::acquire(&current.config)?;
    // The catalogue before the config that names it: Codex never reads a config whose
    // catalogue is not there yet.
    if let Some(plan) = &catalog_plan {
        plan.write()?;
    }
    let (applied, outcome) = lock.edit_with_record(|doc, state, before| {
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
    let shell_report = shell::apply(shell_plan)?;
    drop(lock);
    drop(writing);

    // Report.
    for (field, reason) in &applied.removed_fields {
        printer.warn(&format!(
            "removed `{field}` from `[model_providers.modelgates]`: {reason}"
        ));
    }
    for (field, was) in &applied.changed_fields {
        printer.warn(&format!(
            "changed `{field}` of `[model_providers.modelgates]` from `{was}` to `{}` (what Codex shows for the provider)",
            setup::PROVIDER_NAME
        ));
    }
    warn_docs_mcp(applied.docs_mcp.as_ref(), global, printer);
    let mut wrote = false;
    if outcome.changed {
        wrote = true;
        let verb = if outcome.created {
            "Created"
        } else {
            "Updated"
        };
        super::report_file(printer, verb, &current.config, outcome.backup.as_deref());
        if applied.docs_mcp == Some(DocsMcp::Added) {
            printer.message(&format!(
                "  with the ModelGates docs MCP server `{DOCS_MCP_NAME}` (`codex mcp list` shows it)"
            ));
        }
        for key in &applied.trusted_added {
            printer.message(&format!("  with `{key}` trusted for Codex"));
        }
    }
    if let Some(plan) = &catalog_plan {
        plan.report(printer);
        wrote |= plan.writes();
    }
    wrote |= super::report_shell(&shell_report, "add this to it by hand", printer);
    if !wrote {
        // Nothing changed: Codex's verdict on the same files is no news.
        printer.message("Everything is already set up: nothing changed");
    } else {
        codex_verdict(&current, global.profile.as_deref(), env, printer);
    }
    next_steps(
        &shell_report.activation,
        &answers.settings.key_source,
        global.profile.as_deref(),
        env,
        printer,
    );
    Ok(ExitCode::SUCCESS)
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
    let stored = std::fs::read_to_string(shell_env.env_file(Syntax::Posix))
        .ok()
        .and_then(|text| shell::shells::parse_assignment(Syntax::Posix, &text));
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

fn configured_base_url(current: &Current) -> String {
    current
        .doc
        .provider_str(PROVIDER_ID, "base_url")
        .filter(|u| !u.trim().is_empty())
        .unwrap_or(api::DEFAULT_BASE_URL)
        .to_string()
}

/// The configured model, when ModelGates is already the provider (another provider's model id
/// means nothing here).
fn configured_model(current: &Current) -> Option<String> {
    (current.doc.root_str("model_provider") == Some(PROVIDER_ID))
        .then(|| current.doc.root_str("model"))
        .flatten()
        .filter(|m| model_id::is_well_formed(m))
        .map(str::to_string)
}

fn configured_effort(current: &Current) -> Option<String> {
    current
        .doc
        .root_str("model_reasoning_effort")
        .filter(|e| EFFORTS.contains(e))
        .map(str::to_string)
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
fn key_error(e: &ApiError, base_url: &str) -> anyhow::Error {
    match e {
        ApiError::KeyRejected { .. } => problem(
            format!("ModelGates rejected the key at `{base_url}`: {e}"),
            Fix::instruction(
                "create or copy a key on the ModelGates keys page (https://modelgates.ai/keys), then run `mg-codex init` again",
            ),
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

/// Checks the key and the model, and fetches the catalogue (concurrently); a model that does
/// not exist gets "did you mean". Returns the catalogue (or why it could not be fetched).
fn verify(
    client: &Client,
    base_url: &str,
    model: &str,
    effort: Option<&str>,
    me: &super::Invocation,
    printer: &Printer,
) -> Result<Result<Vec<Model>, Unfetched>> {
    let rt = super::runtime()?;
    let (key, found, all) = {
        let _s = printer.spinner("Checking the key and the model");
        rt.block_on(async {
            tokio::join!(client.key_status(), client.lookup(model), client.models())
        })
    };
    let all = all.map_err(|e| Unfetched::Failed(e.to_string()));
    let (found, catalogue) = Lookup::split(found);
    let info = key.map_err(|e| key_error(&e, base_url))?;
    if info.is_management_key == Some(true) {
        return Err(problem(
            "this is a management key: it cannot run models",
            Fix::instruction(
                "create an inference key on the ModelGates keys page (https://modelgates.ai/keys)",
            ),
        ));
    }
    let mark = printer.err_style(Style::Ok, "✓");
    // One masking style: ours, never the server's label.
    printer.message(&format!(
        "{mark} key accepted: {}",
        client.key_masked().unwrap_or_default()
    ));
    match found {
        Ok(m) => {
            let can: Vec<&str> = ["tools", "reasoning"]
                .into_iter()
                .filter(|p| m.supports(p))
                .collect();
            let can = if can.is_empty() {
                String::new()
            } else {
                format!(" ({})", can.join(", "))
            };
            printer.message(&format!("{mark} model `{}` is available{can}", m.id));
            warn_model(&m, effort, me, printer);
            Ok(all)
        }
        Err(ApiError::NotFound { .. }) => {
            let suggestions = model_id::suggest(model, &catalogue.unwrap_or_default());
            match suggestions.first() {
                Some(best) => Err(problem(
                    format!(
                        "`{model}` is not a ModelGates model; did you mean {}?",
                        model_id::quoted_ids(&suggestions)
                    ),
                    Fix::instruction(format!("run again with `--model {best}`")),
                )),
                None => Err(problem(
                    format!("`{model}` is not a ModelGates model"),
                    Fix::instruction(format!(
                        "pick an id from `mg-codex models` (`GET {base_url}/models`, or https://modelgates.ai/models) and pass it with `--model`"
                    )),
                )),
            }
        }
        Err(e) => Err(problem(
            format!("could not check the model `{model}`: {e}"),
            Fix::instruction("pass `--no-verify` to write the set-up without checking"),
        )),
    }
}

/// Warns about what Codex needs of `model` and the catalogue says it lacks
/// ([`model_id::unfit_for_codex`], the rule `model` and `doctor` apply too), with the fix.
pub(crate) fn warn_model(
    model: &Model,
    effort: Option<&str>,
    hints: &crate::problem::Invocation,
    printer: &Printer,
) {
    for unfit in model_id::unfit_for_codex(model, effort) {
        let fix = match unfit {
            model_id::Unfit::NoTools => format!(
                "pick a model with tool calls (`{}` lists them)",
                hints.command("models --tools-only")
            ),
            model_id::Unfit::NoReasoning => format!(
                "drop the setting with `{}`, or pick a reasoning model (`{}` shows which)",
                hints.command("model --reasoning-effort default"),
                hints.command("models")
            ),
        };
        printer.warn(&format!("{}\n  {fix}", unfit.says(&model.id)));
    }
}

fn scripted_answers(
    args: &InitArgs,
    shell_flag: Option<ShellSelection>,
    env: &Env,
    current: &Current,
    key_source: KeySource,
    printer: &Printer,
) -> Result<Answers> {
    let key = if args.api_key_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the key from standard input")?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        parse_key(line, "standard input")?
    } else if let Some((raw, from)) = &current.key {
        parse_key(raw, from)?
    } else {
        return Err(problem(
            "no API key: standard input was not used and `MODELGATES_API_KEY` is not set",
            Fix::instruction("`printf '%s\\n' \"$KEY\" | mg-codex init --yes --api-key-stdin`"),
        ));
    };
    let base_url = args
        .base_url
        .clone()
        .unwrap_or_else(|| configured_base_url(current));
    let model = args
        .model
        .clone()
        .or_else(|| configured_model(current))
        .unwrap_or_else(|| setup::DEFAULT_MODEL.to_string());
    let effort = args
        .reasoning_effort
        .clone()
        .or_else(|| configured_effort(current))
        .unwrap_or_else(|| setup::DEFAULT_EFFORT.to_string());
    let shells = shell_flag.unwrap_or(ShellSelection::Detected);
    let c = client(&base_url, &key, args, env)?;
    if !model_id::is_well_formed(&model) {
        // Ids without their author (`gpt-5.3-codex`) are the usual mistake: name the real one.
        let suggestions = if args.no_verify {
            Vec::new()
        } else {
            let _s = printer.spinner("Fetching the model catalogue");
            super::runtime()?
                .block_on(c.models())
                .map(|catalogue| model_id::suggest(&model, &catalogue))
                .unwrap_or_default()
        };
        return Err(match suggestions.first() {
            Some(best) => problem(
                format!(
                    "`{model}` is not a ModelGates model id (`author/slug`); did you mean {}?",
                    model_id::quoted_ids(&suggestions)
                ),
                Fix::instruction(format!("run again with `--model {best}`")),
            ),
            None => problem(
                format!(
                    "`{model}` is not a ModelGates model id (`author/slug`, e.g. `{}`)",
                    setup::DEFAULT_MODEL
                ),
                Fix::instruction(format!("pass `--model {}`", setup::DEFAULT_MODEL)),
            ),
        });
    }
    let catalogue = if args.no_verify {
        Err(Unfetched::NotAsked)
    } else {
        verify(&c, &base_url, &model, Some(&effort), &current.me, printer)?
    };
    let trust = trust_list(&args.trust, env)?;
    Ok(Answers::new(args, key, base_url, model, effort, trust, shells).with(key_source, catalogue))
}

/// Before asking for a key: where keys are made, and (with `--web`, or when the user says so)
/// the page opened in the browser, as `gh auth login --web` does.
fn offer_keys_page(web: bool, p: &Prompter, env: &Env, printer: &Printer) -> Result<()> {
    let page = secret::KEYS_PAGE;
    printer.message(&format!("Create a key on the ModelGates keys page: {page}"));
    let open = web || p.confirm("Open it in your browser?", false, "--web")?;
    if open {
        match crate::browser::open(page, env) {
            Ok(how) => printer.message(&format!("Opened {page} ({how})")),
            Err(e) => printer.warn(&format!(
                "could not open a browser ({e}): open {page} yourself"
            )),
        }
    }
    Ok(())
}

fn interactive_answers(
    args: &InitArgs,
    shell_flag: Option<ShellSelection>,
    env: &Env,
    current: &Current,
    key_source: KeySource,
    printer: &Printer,
) -> Result<Answers> {
    let p = Prompter::new(printer.color_err());
    printer.message(&format!(
        "Setting up Codex to use ModelGates in `{}`",
        current.config.display()
    ));
    if current.doc.provider_str(PROVIDER_ID, "name").is_some() {
        printer.message(
            "ModelGates is already configured there: press Enter to keep each current answer",
        );
    }
    let base_url = args
        .base_url
        .clone()
        .unwrap_or_else(|| configured_base_url(current));

    // 1-2. The key, checked until the API accepts it (or the user goes on unverified). Its
    // shape is checked here first: a malformed key is never sent.
    let mut offered = current.key.clone();
    let mut asked = false;
    let (key, c) = loop {
        let key = match offered.take() {
            Some((raw, from)) => match ApiKey::parse(&raw) {
                Ok(k) if k.shape_problem().is_some() => {
                    printer.warn(&format!(
                        "the value in {from} is not a ModelGates key ({}), so it is not offered",
                        k.shape_problem().unwrap_or_default()
                    ));
                    continue;
                }
                Ok(k)
                    if p.confirm(
                        &format!("Use the key from {from} ({})?", k.masked()),
                        true,
                        "--yes",
                    )? =>
                {
                    k
                }
                _ => continue,
            },
            None => {
                if !asked {
                    asked = true;
                    offer_keys_page(args.web, &p, env, printer)?;
                }
                let raw = p.secret(
                    &format!("ModelGates API key (sk-mg-…, from {})", secret::KEYS_PAGE),
                    "--api-key-stdin",
                )?;
                match ApiKey::parse(raw.trim()) {
                    Ok(k) => match k.shape_problem() {
                        Some(why) => {
                            printer.warn(&format!(
                                "that is not a ModelGates key ({why}), so it was not sent: copy one from {}",
                                secret::KEYS_PAGE
                            ));
                            continue;
                        }
                        None => k,
                    },
                    Err(e) => {
                        printer.warn(&format!("{e}: it was not sent"));
                        continue;
                    }
                }
            }
        };
        let c = client(&base_url, &key, args, env)?;
        if args.no_verify {
            break (key, c);
        }
        let status = {
            let _s = printer.spinner("Checking the key");
            super::runtime()?.block_on(c.key_status())
        };
        match status {
            Ok(info) if info.is_management_key == Some(true) => {
                printer
                    .warn("this is a management key: it cannot run models; paste an inference key");
            }
            Ok(_) => {
                printer.message(&format!(
                    "{} key accepted: {}",
                    printer.err_style(Style::Ok, "✓"),
                    key.masked()
                ));
                break (key, c);
            }
            Err(e @ ApiError::KeyRejected { .. }) => {
                printer.warn(&format!("{e}; paste another (from {})", secret::KEYS_PAGE));
            }
            Err(e) => {
                printer.warn(&format!("could not verify the key: {e}"));
                if p.confirm("Continue without verifying?", false, "--no-verify")? {
                    break (key, c);
                }
            }
        }
    };

    // 3. The model: the catalogue (tool-capable first), or a typed id.
    let default_model = args
        .model
        .clone()
        .or_else(|| configured_model(current))
        .unwrap_or_else(|| setup::DEFAULT_MODEL.to_string());
    let fetched = if args.no_verify {
        Err(Unfetched::NotAsked)
    } else {
        let _s = printer.spinner("Fetching the model catalogue");
        super::runtime()?
            .block_on(c.models())
            .map_err(|e| Unfetched::Failed(e.to_string()))
    };
    let catalogue = fetched.clone().unwrap_or_default();
    let model = super::choose_model(&p, &catalogue, &default_model, &current.me, printer)?;

    // 4. Reasoning effort.
    let default_effort = args
        .reasoning_effort
        .clone()
        .or_else(|| configured_effort(current))
        .unwrap_or_else(|| setup::DEFAULT_EFFORT.to_string());
    let efforts: Vec<String> = EFFORTS.iter().map(|e| e.to_string()).collect();
    let i = p.select(
        "Reasoning effort",
        &efforts,
        EFFORTS
            .iter()
            .position(|e| *e == default_effort)
            .unwrap_or(4),
        "--reasoning-effort",
    )?;
    let effort = efforts[i].clone();

    // 5. Trust the current directory.
    let mut trust = trust_list(&args.trust, env)?;
    if let Ok(target) = project::trust_target(&env.cwd, false) {
        let in_git = !matches!(target.source, project::KeySource::NotGit);
        let already = current.doc.trust_level(&target.key).is_some();
        // Never a nudge to trust the home directory or `/`.
        let home = env
            .home
            .as_deref()
            .map(|h| project::canonical(h).unwrap_or_else(|_| h.to_path_buf()));
        let broad = std::path::Path::new(&target.key).parent().is_none()
            || home.as_deref() == Some(std::path::Path::new(&target.key));
        if !already
            && !broad
            && p.confirm(
                &format!(
                    "Trust this project for Codex? (writes [projects.\"{}\"])",
                    target.key
                ),
                in_git,
                "--trust",
            )?
        {
            trust.push((target.key, TrustLevel::Trusted));
        }
    }

    // 6. Shells.
    let shells = match shell_flag {
        Some(selection) => selection,
        None => {
            let offered: Vec<Shell> = Shell::ALL
                .into_iter()
                .filter(|s| current.shell_env.has(*s))
                .collect();
            if offered.is_empty() {
                ShellSelection::None
            } else {
                let names: Vec<String> = offered.iter().map(|s| s.to_string()).collect();
                // A re-run keeps the earlier choice: the shells whose profile has the block.
                let with_block: Vec<Shell> = shell::status(&current.shell_env, None)
                    .map(|st| {
                        st.shells
                            .iter()
                            .filter(|s| s.has_block())
                            .map(|s| s.shell)
                            .collect()
                    })
                    .unwrap_or_default();
                let checked: Vec<bool> = offered
                    .iter()
                    .map(|s| {
                        if with_block.is_empty() {
                            current.shell_env.detects(*s)
                        } else {
                            with_block.contains(s)
                        }
                    })
                    .collect();
                let picked = p.multi_select(
                    "Shells that get MODELGATES_API_KEY (space to toggle)",
                    &names,
                    &checked,
                    "--shell",
                )?;
                if picked.is_empty() {
                    ShellSelection::None
                } else {
                    ShellSelection::Only(picked.into_iter().map(|i| offered[i]).collect())
                }
            }
        }
    };

    // 7. The docs MCP server: asked only when there is no entry of that name (one that is there
    // stays as it is either way); `--docs-mcp` answers yes.
    let docs_mcp = args.docs_mcp
        || (current.doc.mcp_server(DOCS_MCP_NAME).is_none()
            && p.confirm(
                "Add the ModelGates docs MCP server to Codex? (writes [mcp_servers.modelgates-docs])",
                false,
                "--docs-mcp",
            )?);

    let mut answers =
        Answers::new(args, key, base_url, model, effort, trust, shells).with(key_source, fetched);
    answers.settings.docs_mcp = docs_mcp;
    Ok(answers)
}

/// Says why an entry named `modelgates-docs` that is not what `init` writes was left alone.
fn warn_docs_mcp(outcome: Option<&DocsMcp>, global: &GlobalArgs, printer: &Printer) {
    let Some(DocsMcp::LeftAlone(state)) = outcome else {
        return;
    };
    let entry = format!("`[mcp_servers.{DOCS_MCP_NAME}]`");
    let text = match state {
        DocsMcpState::Disabled => format!(
            "{entry} is disabled (`enabled = false`) and mg-codex leaves it so\n  delete that line to use the ModelGates docs"
        ),
        _ => {
            // `codex mcp remove` edits only config.toml, never a profile's file.
            let (remove, init) = match &global.profile {
                Some(p) => (
                    format!("delete {entry} from `{p}.config.toml`"),
                    format!("mg-codex --profile {p} init"),
                ),
                None => (
                    format!("`codex mcp remove {DOCS_MCP_NAME}`"),
                    "mg-codex init".to_string(),
                ),
            };
            format!(
                "left {entry} as it is: it {}; it is not what mg-codex writes, so it is yours\n  to use the ModelGates docs instead: {remove}, then `{init} --docs-mcp`",
                state.describe()
            )
        }
    };
    printer.warn(&text);
}

/// The redacted diff of every file `init` would change.
fn render_diffs(current: &Current, new_config: &str, plan: &shell::Plan, key: &ApiKey) -> String {
    // The `*_redacted` forms already mask key assignments; scrubbing catches the key anywhere
    // else (a user's config could hold it).
    super::plan_diffs(
        &current.config,
        current.text.as_deref().unwrap_or(""),
        new_config,
        plan,
        |t| crate::secret::scrub(t, key.expose()),
    )
}

/// One line per file that will change.
fn summarize(
    current: &Current,
    config_changes: bool,
    applied: &setup::Applied,
    catalog_plan: Option<&catalog_file::Plan>,
    plan: &shell::Plan,
    printer: &Printer,
) {
    printer.message("These files will change:");
    if config_changes {
        printer.message(&format!("  {}", current.config.display()));
        for key in &applied.trusted_added {
            printer.message(&format!(
                "    trusts `{key}` for Codex ([projects.\"{key}\"])"
            ));
        }
        for (field, was) in &applied.changed_fields {
            printer.message(&format!(
                "    replaces `{field} = \"{was}\"` in [model_providers.modelgates] with `\"{}\"`",
                setup::PROVIDER_NAME
            ));
        }
        for (field, reason) in &applied.removed_fields {
            printer.message(&format!(
                "    removes `{field}` from [model_providers.modelgates]: {reason}"
            ));
        }
    }
    if let Some(c) = catalog_plan {
        printer.message(&format!(
            "  {} (the model catalogue Codex reads)",
            c.path.display()
        ));
    }
    for file in plan.files.iter().filter(|f| f.action.writes()) {
        let what = match file.role {
            Role::EnvFile(_) => " (holds the key, mode 0600)",
            _ => "",
        };
        printer.message(&format!("  {}{what}", file.path.display()));
    }
}

/// Asks the installed Codex whether it loads the result, and says why not (a cause that is not
/// ours, such as another provider's `wire_api = "chat"`).
fn codex_verdict(current: &Current, profile: Option<&str>, env: &Env, printer: &Printer) {
    let Some(codex) = catalog_file::installed_codex(env) else {
        printer.message("Codex is not on PATH yet: install it with `npm install -g @openai/codex`");
        return;
    };
    let base = current.home.config_path(profile);
    let probe = {
        let _s = printer.spinner("Asking Codex whether it loads the config");
        codex_cli::probe(
            &codex,
            &current.home.dir,
            profile,
            &codex_cli::config_files(profile, &[]),
        )
    };
    if probe.loads_config.is_ok() {
        printer.message(&format!(
            "{} {} loads the new config",
            printer.err_style(Style::Ok, "✓"),
            probe.version.as_deref().unwrap_or("Codex")
        ));
    }
    if let Err(cause) = probe.loads_config {
        printer.warn(&format!(
            "Codex still cannot load `{}`: {cause}\n  mg-codex did not change that part; `mg-codex doctor` shows the fix",
            base.display()
        ));
    }
}

fn next_steps(
    activation: &[shell::Activation],
    key_source: &KeySource,
    profile: Option<&str>,
    env: &Env,
    printer: &Printer,
) {
    // With a profile, plain `codex` still uses the default config.
    let codex = match profile {
        Some(p) => format!("codex --profile {p}"),
        None => "codex".to_string(),
    };
    if let KeySource::Command { program } = key_source {
        printer.message(&format!(
            "Next: run `{codex}`; it gets the key by running `{program} key print` (so do Codex Desktop and the IDE extensions)"
        ));
        return;
    }
    // `$SHELL` as a shell we know (`/bin/dash` is sh).
    let login = env.var("SHELL").and_then(Shell::from_executable);
    let hint = activation
        .iter()
        .find(|a| Some(a.shell) == login)
        .or(activation.first());
    match hint {
        Some(a) => printer.message(&format!(
            "Next: open a new terminal (or run `{}` in this one), then run `{codex}`",
            a.command
        )),
        None => printer.message(&format!(
            "Next: make sure MODELGATES_API_KEY is set where you run `{codex}`, then run `{codex}`"
        )),
    }
}
