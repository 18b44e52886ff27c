//! `mg-codex models [QUERY]`: the ModelGates catalogue (`GET /models`), filtered, sorted by id,
//! with the configured model marked. Also the pieces `mg-codex model` shares: the selected
//! config, the gateway to ask, and one fetch with a key the catalogue does not need.
//!
//! Output, by where stdout goes:
//! - a terminal: a table that fits its width (`Env::stdout_width`): `*` in the left gutter marks
//!   the configured model, then ID, CONTEXT, IN $/M, OUT $/M (USD per million prompt and
//!   completion tokens), TOOLS, REASONING, and NAME when there is room. The ID is never cut
//!   (it is what users copy): when the terminal is narrow, NAME is shortened then dropped, then
//!   both prices go, then CONTEXT, REASONING and TOOLS, until the lines fit; an id wider than
//!   the terminal by itself is printed alone and whole, and the terminal wraps it;
//! - a pipe or file: one line per model, no header, no colour, nothing shortened, fields
//!   separated by tabs: id, context, in $/M, out $/M, tools, reasoning, `*` for the configured
//!   model (else empty), name. Like `gh`: the fields are the table's cells, the first is the id
//!   (`mg-codex models codex | cut -f1`);
//! - `--json`: an array of `{id, name, context_length, prompt_per_million,
//!   completion_per_million, tools, reasoning, current}` (numbers unformatted; `tools` and
//!   `reasoning` are `null` when the catalogue lists no parameters for the model).
//!
//! The count and notes go to stderr; on a terminal the count is split into a line per clause,
//! each shortened if need be, when it would not fit on one line. Text from the server is stripped of control characters
//! before it reaches a terminal.
//!
//! QUERY keeps the models whose id or name contains it (case-insensitive). When none does, it
//! is matched fuzzily, word by word: each word of QUERY must be found in the id or the name as
//! its letters in order (the skim algorithm of `fuzzy-matcher`, which `init`'s model picker
//! uses too), or be within one typo (two for words of 6+ letters) of a word of the id or name
//! (Damerau-Levenshtein from `strsim`), so `gpt53codex`, `sonet` and `cluade` all find theirs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::Invocation;
use crate::api::{self, ApiError, Client, ClientOptions, Model};
use crate::catalog;
use crate::cli::{GlobalArgs, ModelsArgs};
use crate::codex_config::ConfigDocument;
use crate::config_file::{self, ConfigLock};
use crate::env::Env;
use crate::layers::Layers as Effective;
use crate::problem::{problem, Fix, Problem};
use crate::secret::ApiKey;
use crate::setup::PROVIDER_ID;
use crate::ui::{Printer, Style};

pub fn run(
    global: &GlobalArgs,
    args: &ModelsArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    if args.sync {
        return sync(global, args, env, printer);
    }
    // The config only decides the mark, the base URL and the key's variable: a broken one is a
    // warning here, not a failure.
    let layers = Layers::load(global, env).unwrap_or_else(|e| {
        let text = format!("{e:#}");
        let asked = match &args.base_url {
            Some(_) => String::new(),
            None => format!(" and the default `{}` is asked", api::DEFAULT_BASE_URL),
        };
        printer.warn(&format!(
            "{}\n  listing the catalogue without it: no model is marked{asked}",
            text.lines().next().unwrap_or_default()
        ));
        Layers::empty()
    });
    let gateway = Gateway::new(&layers, args.base_url.as_deref(), args.timeout, env);
    let current = layers.configured_model(&layers.doc).map(str::to_string);
    if let Some(provider) = layers.other_provider(&layers.doc) {
        printer.message(&format!(
            "`{}` uses the provider `{provider}`, not ModelGates: no model is marked",
            layers.config.display()
        ));
    }

    let query: &[(&str, &str)] = if args.tools_only {
        &[("supported_parameters", "tools")]
    } else {
        &[]
    };
    let spinner = printer.spinner("Fetching the model catalogue");
    let fetched = gateway.fetch(printer, |client, rt| rt.block_on(client.models_with(query)));
    drop(spinner);
    let mut catalogue = fetched.map_err(|e| gateway.error("fetch the model catalogue from", &e))?;
    catalogue.sort_by(|a, b| a.id.cmp(&b.id));

    let pool: Vec<&Model> = catalogue
        .iter()
        .filter(|m| !args.tools_only || m.supports("tools"))
        .collect();
    let query_text = args
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    let (shown, how) = filter(&pool, query_text);
    let is_current = |m: &Model| current.as_deref() == Some(m.id.as_str());

    if args.json {
        let entries: Vec<JsonModel> = shown
            .iter()
            .map(|m| JsonModel::new(m, is_current(m)))
            .collect();
        printer.data(&serde_json::to_string_pretty(&entries)?);
    } else if !shown.is_empty() {
        let rows: Vec<Row> = shown.iter().map(|m| Row::new(m, is_current(m))).collect();
        let lines = match env.stdout_width() {
            Some(width) => table(&rows, width, &|style, text| printer.out_style(style, text)),
            None => rows.iter().map(Row::tab_separated).collect(),
        };
        printer.data(&lines.join("\n"));
    }

    let marked = !args.json && shown.iter().any(|m| is_current(m));
    let clauses = summary(
        shown.len(),
        how,
        query_text,
        args.tools_only,
        marked,
        &gateway.base_url,
    );
    for line in summary_lines(&clauses, env.stderr_width()) {
        printer.message(&line);
    }
    if let Some(model) = &current {
        // With `--tools-only` the server may have left it out for want of tools.
        if !args.tools_only && !catalogue.iter().any(|m| &m.id == model) {
            printer.warn(&format!(
                "the configured model `{model}` (in `{}`) is not in the ModelGates catalogue: Codex's requests will fail\n  pick one and switch with `mg-codex model <id>`",
                layers.config.display()
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One clause of the summary: how it is joined to the one before (on one line), and its text
/// in full and shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    joiner: &'static str,
    full: String,
    short: String,
}

impl Clause {
    fn new(joiner: &'static str, full: String, short: Option<String>) -> Self {
        let short = short.unwrap_or_else(|| full.clone());
        Self {
            joiner,
            full,
            short,
        }
    }
}

/// The summary on stderr after the list: how many, chosen how; or, for none, what to try.
fn summary(
    shown: usize,
    how: Matched,
    query: Option<&str>,
    tools_only: bool,
    marked: bool,
    base_url: &str,
) -> Vec<Clause> {
    let with_tools = if tools_only { " with tools" } else { "" };
    let (count, verb) = match shown {
        0 => {
            return match query {
                Some(q) => vec![
                    Clause::new(
                        "",
                        format!("No model{with_tools} matches `{q}`, not even fuzzily"),
                        Some(format!("No model{with_tools} matches `{q}`")),
                    ),
                    Clause::new(
                        ": ",
                        format!(
                            "run `mg-codex models{}` to see them all",
                            if tools_only { " --tools-only" } else { "" }
                        ),
                        None,
                    ),
                ],
                None => vec![Clause::new(
                    "",
                    format!("The catalogue at `{base_url}` lists no model{with_tools}"),
                    Some(format!("The catalogue lists no model{with_tools}")),
                )],
            }
        }
        1 => ("1 model".to_string(), "matches"),
        n => (format!("{n} models"), "match"),
    };
    let mut clauses = vec![match (how, query) {
        (Matched::Fuzzily, Some(q)) => Clause::new(
            "",
            format!("{count}{with_tools} {verb} `{q}` fuzzily (no id or name contains it)"),
            Some(format!("{count}{with_tools} {verb} `{q}` fuzzily")),
        ),
        (_, Some(q)) => Clause::new("", format!("{count}{with_tools} {verb} `{q}`"), None),
        (_, None) => Clause::new(
            "",
            format!("{count}{with_tools} in the catalogue at `{base_url}`"),
            Some(format!("{count}{with_tools} in the catalogue")),
        ),
    }];
    if marked {
        clauses.push(Clause::new(
            "; ",
            "`*` marks the configured one".into(),
            None,
        ));
    }
    clauses
}

/// The summary's lines: one line when it fits `width` (or there is no terminal); else a line
/// per clause, each shortened when it does not fit, and cut as a last resort (a long query),
/// so that none wraps.
fn summary_lines(clauses: &[Clause], width: Option<usize>) -> Vec<String> {
    let one_line: String = clauses
        .iter()
        .map(|c| format!("{}{}", c.joiner, c.full))
        .collect();
    match width {
        Some(width) if width_of(&one_line) > width => clauses
            .iter()
            .map(|c| {
                if width_of(&c.full) <= width {
                    c.full.clone()
                } else {
                    truncate(&c.short, width)
                }
            })
            .collect(),
        _ => vec![one_line],
    }
}

// ----- `--sync` -------------------------------------------------------------------------------

/// `mg-codex models --sync`: the catalogue file rewritten from the live catalogue (checked by
/// the installed Codex first), and `model_catalog_json` pointed at it. A catalogue that cannot
/// be fetched or checked is an error, and nothing changes.
fn sync(global: &GlobalArgs, args: &ModelsArgs, env: &Env, printer: &Printer) -> Result<ExitCode> {
    let hints = Invocation::new(global);
    let layers = Layers::load(global, env)?;
    let path_shown = layers.config.display().to_string();
    let init = hints.command("init");
    if let Some(provider) = layers.other_provider(&layers.doc) {
        return Err(problem(
            format!("`{path_shown}` sends requests to the provider `{provider}`, not to ModelGates: a catalogue of ModelGates' models would not help there, so nothing was changed"),
            Fix::command_with(init.clone(), format!("switch this config to ModelGates with `{init}`")),
        ));
    }
    if !layers.has_provider_table(&layers.doc) {
        return Err(problem(
            format!("`{path_shown}` is not set up for ModelGates (no `[model_providers.modelgates]`), so nothing was changed"),
            Fix::command_with(init.clone(), format!("set it up with `{init}`; it writes the catalogue too")),
        ));
    }
    let path = catalog::path_in(&layers.home, layers.profile.as_deref());
    if let Some(theirs) = layers.foreign_catalog(&layers.doc) {
        return Err(problem(
            format!("`{path_shown}` names a model catalogue of yours (`{}` = `{theirs}`); mg-codex does not replace it, so nothing was changed", catalog::CONFIG_KEY),
            Fix::edit(&layers.config, None, format!("remove the `{}` line from `{path_shown}`, then run `{}` again", catalog::CONFIG_KEY, hints.command("models --sync"))),
        ));
    }
    let gateway = Gateway::new(&layers, args.base_url.as_deref(), args.timeout, env);
    let fetched = {
        let _s = printer.spinner("Fetching the model catalogue");
        gateway.fetch(printer, |client, rt| rt.block_on(client.models()))
    };
    let models = fetched.map_err(|e| gateway.error("fetch the model catalogue from", &e))?;
    let codex = super::catalog::installed_codex(env);
    let plan = {
        let _s = printer.spinner("Building the model catalogue for Codex");
        super::catalog::plan(&super::catalog::Request {
            path: &path,
            models: Ok(&models),
            configured: layers.configured_model(&layers.doc),
            effort: layers.root_str(&layers.doc, "model_reasoning_effort"),
            all_models: args.all_models,
            base_url: &gateway.base_url,
            codex: codex.as_deref(),
            refresh: true,
            sync_command: hints.command("models --sync"),
        })
    };
    if let super::catalog::Outcome::Keep { why, .. } = &plan.outcome {
        return Err(problem(
            why.lines().next().unwrap_or_default().to_string(),
            Fix::command_with(
                hints.command("doctor"),
                format!("`{}` checks the whole set-up", hints.command("doctor")),
            ),
        ));
    }
    let lock = ConfigLock::acquire(&layers.config)?;
    plan.write()?;
    let value = plan.config_value();
    let (_, outcome) = lock.edit_with_record(|doc, state, _| {
        if let Some(state) = state {
            state.remember(catalog::CONFIG_KEY, doc);
            state.catalog_file = Some(value.clone());
        }
        doc.set_root_str(catalog::CONFIG_KEY, &value)?;
        Ok(())
    })?;
    drop(lock);
    plan.report(printer);
    if outcome.changed {
        let verb = if outcome.created {
            "Created"
        } else {
            "Updated"
        };
        super::report_file(printer, verb, &layers.config, outcome.backup.as_deref());
        printer.message(&format!("  `{}` names the catalogue", catalog::CONFIG_KEY));
    }
    Ok(ExitCode::SUCCESS)
}

// ----- shared with `mg-codex model` -----------------------------------------------------------

/// The config the global flags select and, under `--profile`, `config.toml`, which Codex layers
/// beneath it: what the profile file does not set is read from there.
pub(super) struct Layers {
    /// The Codex home.
    pub home: PathBuf,
    /// The profile the global flags select.
    pub profile: Option<String>,
    pub config: PathBuf,
    /// Whether the selected file exists (a missing one is an empty document).
    pub exists: bool,
    pub doc: ConfigDocument,
    /// `config.toml`, when a profile file is selected.
    pub base: Option<ConfigDocument>,
}

impl Layers {
    /// Reads the selected config (and `config.toml` under a profile); an unparsable one is an
    /// error.
    pub(super) fn load(global: &GlobalArgs, env: &Env) -> Result<Self> {
        let home = super::codex_home(global, env)?;
        let config = home.config_path(global.profile.as_deref());
        let existing = config_file::load_existing(&config)?;
        let base = match global.profile {
            Some(_) => Some(config_file::load(&home.config_path(None))?),
            None => None,
        };
        Ok(Self {
            exists: existing.is_some(),
            home: home.dir.clone(),
            profile: global.profile.clone(),
            config,
            doc: existing.unwrap_or_else(ConfigDocument::empty),
            base,
        })
    }

    /// No config at all.
    fn empty() -> Self {
        Self {
            home: PathBuf::new(),
            profile: None,
            config: PathBuf::new(),
            exists: false,
            doc: ConfigDocument::empty(),
            base: None,
        }
    }

    /// The layers as Codex sees them: `doc` (the selected file, or a newer reading of it) over
    /// the base config.
    fn eff<'a>(&'a self, doc: &'a ConfigDocument) -> Effective<'a> {
        Effective::new(Some(doc), self.base.as_ref())
    }

    /// A root string as Codex sees it.
    pub(super) fn root_str<'a>(&'a self, doc: &'a ConfigDocument, key: &str) -> Option<&'a str> {
        self.eff(doc).root_str(key)
    }

    /// A string field of `[model_providers.modelgates]`, layered the same way.
    pub(super) fn provider_str<'a>(
        &'a self,
        doc: &'a ConfigDocument,
        field: &str,
    ) -> Option<&'a str> {
        self.eff(doc)
            .provider_field(PROVIDER_ID, field)
            .and_then(toml_edit::Item::as_str)
    }

    /// Whether `[model_providers.modelgates]` exists in either layer.
    pub(super) fn has_provider_table(&self, doc: &ConfigDocument) -> bool {
        self.eff(doc).provider_fields(PROVIDER_ID).is_some()
    }

    /// The `model_provider`, when it is set and is not ModelGates.
    pub(super) fn other_provider<'a>(&'a self, doc: &'a ConfigDocument) -> Option<&'a str> {
        self.root_str(doc, "model_provider")
            .filter(|p| *p != PROVIDER_ID)
    }

    /// The catalogue of mg-codex's that `doc` (the selected file) names in `model_catalog_json`:
    /// our file, or another one carrying our marker.
    pub(super) fn our_catalog(&self, doc: &ConfigDocument) -> Option<PathBuf> {
        let value = doc.root_str(catalog::CONFIG_KEY)?;
        let path = self.home.join(value);
        (path == catalog::path_in(&self.home, self.profile.as_deref()) || carries_our_marker(&path))
            .then_some(path)
    }

    /// The `model_catalog_json` of `doc` (the selected file), when it names a catalogue that is
    /// not mg-codex's.
    pub(super) fn foreign_catalog<'a>(&self, doc: &'a ConfigDocument) -> Option<&'a str> {
        let value = doc.root_str(catalog::CONFIG_KEY)?;
        self.our_catalog(doc).is_none().then_some(value)
    }

    /// The configured ModelGates model: the root `model` when `model_provider` is ModelGates
    /// (without it, Codex sends the model to OpenAI).
    pub(super) fn configured_model<'a>(&'a self, doc: &'a ConfigDocument) -> Option<&'a str> {
        (self.root_str(doc, "model_provider") == Some(PROVIDER_ID))
            .then(|| self.root_str(doc, "model"))
            .flatten()
    }
}

/// Where to ask and with which key: the base URL (the flag, else the config's, else the
/// default) and the key in the provider's `env_key` variable (else `MODELGATES_API_KEY`), if
/// it holds a well-formed one and the base URL is the configured one. The catalogue needs no key; it is sent when there is one, as
/// Codex would.
pub(super) struct Gateway {
    pub base_url: String,
    key: Option<ApiKey>,
    key_var: String,
    timeout: std::time::Duration,
    network: api::Network,
    /// Where the base URL came from, for hints.
    from_flag: bool,
}

impl Gateway {
    pub(super) fn new(
        layers: &Layers,
        flag: Option<&str>,
        timeout: std::time::Duration,
        env: &Env,
    ) -> Self {
        let configured = layers
            .provider_str(&layers.doc, "base_url")
            .unwrap_or(api::DEFAULT_BASE_URL);
        let base_url = flag.unwrap_or(configured).to_string();
        let key_var = layers.eff(&layers.doc).env_key();
        // The key goes only to the configured gateway: another `--base-url` gets no key (the
        // catalogue needs none).
        let key = (same_url(&base_url, configured))
            .then(|| env.var(&key_var).and_then(|raw| ApiKey::parse(raw).ok()))
            .flatten();
        Self {
            base_url,
            key,
            key_var,
            timeout,
            network: env.network(),
            from_flag: flag.is_some(),
        }
    }

    /// The key that is sent, if any (to scrub it from what is shown).
    pub(super) fn key(&self) -> Option<&ApiKey> {
        self.key.as_ref()
    }

    fn client(&self, with_key: bool) -> Result<Client, ApiError> {
        Client::new(ClientOptions {
            base_url: self.base_url.clone(),
            key: self.key.clone().filter(|_| with_key),
            timeout: self.timeout,
            network: self.network.clone(),
        })
    }

    /// Runs one call; when the gateway rejects the key (401), runs it again without it (the
    /// catalogue is public) and says so.
    pub(super) fn fetch<T>(
        &self,
        printer: &Printer,
        call: impl Fn(&Client, &tokio::runtime::Runtime) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let rt = super::runtime().map_err(|e| ApiError::BadResponse {
            detail: format!("{e:#}"),
            too_large: false,
        })?;
        match call(&self.client(true)?, rt) {
            Err(ApiError::KeyRejected { message }) if self.key.is_some() => {
                printer.warn(&format!(
                    "ModelGates rejected the key in `{}` ({message}); asked without it\n  `mg-codex doctor` checks the key",
                    self.key_var
                ));
                call(&self.client(false)?, rt)
            }
            other => other,
        }
    }

    /// The error for a failed call: what failed, where, and what to do.
    pub(super) fn error(&self, what: &str, e: &ApiError) -> anyhow::Error {
        self.problem(what, e).into()
    }

    /// [`Self::error`] as a [`Problem`], for a caller that adds to its fix.
    pub(super) fn problem(&self, what: &str, e: &ApiError) -> Problem {
        let fix = match e {
            ApiError::InsecureUrl { .. } if self.from_flag => {
                Fix::command_with(
                    format!("mg-codex models --base-url {}", api::DEFAULT_BASE_URL),
                    format!("use `--base-url {}`", api::DEFAULT_BASE_URL),
                )
            }
            ApiError::InsecureUrl { .. } => {
                let init = format!("mg-codex init --base-url {}", api::DEFAULT_BASE_URL);
                Fix::command_with(
                    init.clone(),
                    format!("fix `base_url` in `[model_providers.modelgates]` (`{init}` does)"),
                )
            }
            ApiError::Unreachable { .. } => Fix::instruction(
                "check your network and proxy settings; `mg-codex doctor` checks the whole set-up",
            ),
            ApiError::ServerError { .. } | ApiError::RateLimited { .. } => {
                Fix::instruction("the gateway is busy or failing: try again in a moment")
            }
            _ if self.from_flag => Fix::instruction("check the URL given with `--base-url`"),
            _ => Fix::instruction("check `base_url` in `[model_providers.modelgates]`; `mg-codex doctor` checks the whole set-up"),
        };
        let message = match e {
            ApiError::InsecureUrl { reason, .. } => {
                format!("cannot {what} `{}`: {reason}", self.base_url)
            }
            _ => format!("cannot {what} `{}`: {e}", self.base_url),
        };
        Problem::new(message).with_fix(fix)
    }
}

/// Whether the file at `path` is a catalogue mg-codex wrote with `--all-models`.
pub(super) fn carries_all_models(path: &std::path::Path) -> bool {
    crate::fsutil::read_optional(path)
        .ok()
        .flatten()
        .and_then(|b| catalog::inspect(&String::from_utf8_lossy(&b)).ok())
        .and_then(|info| info.marker)
        .is_some_and(|m| m.all_models)
}

/// Whether the file at `path` is a catalogue mg-codex wrote.
pub(super) fn carries_our_marker(path: &std::path::Path) -> bool {
    crate::fsutil::read_optional(path)
        .ok()
        .flatten()
        .and_then(|b| catalog::inspect(&String::from_utf8_lossy(&b)).ok())
        .is_some_and(|info| info.is_ours())
}

/// Whether two base URLs name the same endpoint (a trailing `/` aside).
fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

// ----- filtering -------------------------------------------------------------------------------

/// How the shown models were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matched {
    /// No query.
    All,
    /// The id or name contains the query.
    Substring,
    /// Nothing contained it; these match fuzzily.
    Fuzzily,
}

/// The models matching `query` (see the module documentation), in the order given.
fn filter<'a>(models: &[&'a Model], query: Option<&str>) -> (Vec<&'a Model>, Matched) {
    let Some(query) = query else {
        return (models.to_vec(), Matched::All);
    };
    let needle = query.to_lowercase();
    let contains = |m: &Model| {
        m.id.to_lowercase().contains(&needle)
            || m.name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(&needle))
    };
    let found: Vec<&Model> = models.iter().copied().filter(|m| contains(m)).collect();
    if !found.is_empty() {
        return (found, Matched::Substring);
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    let words: Vec<&str> = needle.split_whitespace().collect();
    let fuzzy: Vec<&Model> = models
        .iter()
        .copied()
        .filter(|m| {
            let texts: Vec<String> = [Some(m.id.as_str()), m.name.as_deref()]
                .into_iter()
                .flatten()
                .map(str::to_lowercase)
                .collect();
            words
                .iter()
                .all(|w| texts.iter().any(|t| fuzzy_word(&matcher, w, t)))
        })
        .collect();
    (fuzzy, Matched::Fuzzily)
}

/// Whether one lower-case query word matches a lower-case text: its letters in order, or a word
/// of the text within the typo budget.
fn fuzzy_word(matcher: &SkimMatcherV2, word: &str, text: &str) -> bool {
    if matcher.fuzzy_match(text, word).is_some() {
        return true;
    }
    let budget = match word.chars().count() {
        0..=2 => return false,
        3..=5 => 1,
        _ => 2,
    };
    text.split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .any(|w| strsim::damerau_levenshtein(word, w) <= budget)
}

// ----- rendering -------------------------------------------------------------------------------

/// One model as `--json` prints it (field names are stable).
#[derive(Debug, Serialize)]
struct JsonModel<'a> {
    id: &'a str,
    name: Option<&'a str>,
    context_length: Option<u64>,
    prompt_per_million: Option<f64>,
    completion_per_million: Option<f64>,
    tools: Option<bool>,
    reasoning: Option<bool>,
    current: bool,
}

impl<'a> JsonModel<'a> {
    fn new(m: &'a Model, current: bool) -> Self {
        Self {
            id: &m.id,
            name: m.name.as_deref(),
            context_length: m.context_length,
            prompt_per_million: m.prompt_per_million(),
            completion_per_million: m.completion_per_million(),
            tools: m.supports_known("tools"),
            reasoning: m.supports_known("reasoning"),
            current,
        }
    }
}

const HEADERS: [&str; 7] = [
    "ID",
    "CONTEXT",
    "IN $/M",
    "OUT $/M",
    "TOOLS",
    "REASONING",
    "NAME",
];
/// Right-aligned columns (the numbers).
const RIGHT: [bool; 7] = [false, true, true, true, false, false, false];
const ID: usize = 0;
const NAME: usize = 6;
/// Spaces between columns.
const GAP: usize = 2;
/// The mark and a space before every line.
const GUTTER: usize = 2;
/// The columns given up, a group at a time, when the terminal is too narrow for all of them:
/// NAME, then both prices, then CONTEXT, REASONING and TOOLS. ID, the column users copy, is
/// never dropped nor cut.
const DROP_ORDER: [&[usize]; 5] = [&[NAME], &[2, 3], &[1], &[5], &[4]];
/// The NAME column is shown only when this much room is left for it.
const MIN_NAME: usize = 10;

/// One model's cells, as shown.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    current: bool,
    cells: [String; 7],
}

impl Row {
    fn new(m: &Model, current: bool) -> Self {
        let yes_no = |known: Option<bool>| match known {
            Some(true) => "yes",
            Some(false) => "no",
            None => "?",
        };
        Self {
            current,
            cells: [
                clean(&m.id),
                m.context_length.map_or("-".into(), format_context),
                format_price(m.prompt_per_million()),
                format_price(m.completion_per_million()),
                yes_no(m.supports_known("tools")).into(),
                yes_no(m.supports_known("reasoning")).into(),
                m.name.as_deref().map(clean).unwrap_or_default(),
            ],
        }
    }

    /// The piped form: the cells in order, with the mark before the name.
    fn tab_separated(&self) -> String {
        let mark = if self.current { "*" } else { "" };
        let c = &self.cells;
        [&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], mark, &c[6]].join("\t")
    }

    /// How a cell is coloured on a terminal.
    fn style(&self, column: usize) -> Option<Style> {
        let cell = self.cells[column].as_str();
        match column {
            ID if self.current => Some(Style::Ok),
            4 if cell == "no" => Some(Style::Warn),
            4 | 5 if cell == "no" || cell == "?" => Some(Style::Dim),
            _ => None,
        }
    }
}

/// Control characters (an escape sequence in a name from the server) become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `400K`, `1M`, `1.05M`, `512`.
fn format_context(tokens: u64) -> String {
    if tokens >= 999_500 {
        let millions = format!("{:.2}", tokens as f64 / 1e6);
        let millions = millions.trim_end_matches('0').trim_end_matches('.');
        format!("{millions}M")
    } else if tokens >= 1000 {
        format!("{}K", (tokens as f64 / 1e3).round())
    } else {
        tokens.to_string()
    }
}

/// `$1.75`, `$14.00`, `$0.028`, `free`, `-` (missing). At least two decimals, at most six,
/// none lost in between.
fn format_price(per_million: Option<f64>) -> String {
    match per_million {
        None => "-".into(),
        Some(0.0) => "free".into(),
        Some(p) => {
            let text = format!("{p:.6}");
            let (whole, decimals) = text.split_once('.').unwrap_or((&text, ""));
            let decimals = decimals.trim_end_matches('0');
            let decimals = format!("{decimals:0<2}");
            if decimals.trim_matches('0').is_empty() && whole == "0" {
                "<$0.000001".into()
            } else {
                format!("${whole}.{decimals}")
            }
        }
    }
}

/// Display width in terminal columns.
fn width_of(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to `width` columns, ending in `…` when anything was cut.
fn truncate(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` padded to `width` columns.
fn pad(text: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(width_of(text)));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// Column widths for `width` terminal columns (`0` = hidden): ID at its natural width, always;
/// the other columns at theirs while they fit, given up in [`DROP_ORDER`] when they do not;
/// NAME shortened to the room left, shown only when [`MIN_NAME`] columns are left for it.
fn column_widths(rows: &[Row], width: usize) -> [usize; 7] {
    let mut widths = HEADERS.map(width_of);
    for row in rows {
        for (n, cell) in widths.iter_mut().zip(&row.cells) {
            *n = (*n).max(width_of(cell));
        }
    }
    let any_name = rows.iter().any(|r| !r.cells[NAME].is_empty());
    if !any_name {
        widths[NAME] = 0;
    }
    let used = |widths: &[usize; 7]| -> usize {
        GUTTER
            + widths
                .iter()
                .filter(|&&w| w > 0)
                .map(|w| w + GAP)
                .sum::<usize>()
            - GAP
    };
    // NAME first gives up its width, down to MIN_NAME; below that it goes.
    if widths[NAME] > 0 && used(&widths) > width {
        let others = used(&widths) - widths[NAME];
        widths[NAME] = width.saturating_sub(others);
        if widths[NAME] < MIN_NAME {
            widths[NAME] = 0;
        }
    }
    for group in DROP_ORDER {
        if used(&widths) <= width {
            break;
        }
        for &column in group {
            widths[column] = 0;
        }
    }
    widths
}

/// The table for a terminal `width` columns wide: a header, then one line per row. No line is
/// wider than `width`, except one holding an id that alone is wider: it is printed whole (the
/// terminal wraps it), for an id is never cut. `paint` colours a cell (after it is padded; only
/// NAME is ever shortened).
fn table(rows: &[Row], width: usize, paint: &dyn Fn(Style, &str) -> String) -> Vec<String> {
    let widths = column_widths(rows, width);
    let shown: Vec<usize> = (0..HEADERS.len()).filter(|&i| widths[i] > 0).collect();
    let header_cells = HEADERS.map(str::to_string);
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (row, cells, mark) in std::iter::once((None, &header_cells, ' ')).chain(
        rows.iter()
            .map(|r| (Some(r), &r.cells, if r.current { '*' } else { ' ' })),
    ) {
        let mut painted = match row {
            Some(r) if r.current => format!("{} ", paint(Style::Ok, "*")),
            _ => format!("{mark} "),
        };
        for (n, &i) in shown.iter().enumerate() {
            let last = n + 1 == shown.len();
            let cut = if i == ID {
                cells[i].clone()
            } else {
                truncate(&cells[i], widths[i])
            };
            let text = if last && !RIGHT[i] {
                cut
            } else {
                pad(&cut, widths[i], RIGHT[i])
            };
            if n > 0 {
                painted.push_str(&" ".repeat(GAP));
            }
            let style = match row {
                None => Some(Style::Bold),
                Some(r) => r.style(i),
            };
            match style {
                // Padding stays outside the colour, so underlines and backgrounds look right.
                Some(style) => {
                    let trimmed = text.trim();
                    let at = text.find(trimmed).unwrap_or(0);
                    painted.push_str(&text[..at]);
                    painted.push_str(&paint(style, trimmed));
                    painted.push_str(&text[at + trimmed.len()..]);
                }
                None => painted.push_str(&text),
            }
        }
        // An empty last cell leaves spaces behind; escape codes end in `m`, so trimming
        // removes only spaces.
        lines.push(painted.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str, name: &str, params: &[&str]) -> Model {
        Model {
            id: id.into(),
            name: Some(name.into()),
            context_length: Some(400_000),
            prompt_price: Some(0.00000175),
            completion_price: Some(0.000014),
            supported_parameters: params.iter().map(|p| p.to_string()).collect(),
            ..Model::default()
        }
    }

    fn catalogue() -> Vec<Model> {
        vec![
            model(
                "anthropic/claude-sonnet-4.5",
                "Anthropic: Claude Sonnet 4.5",
                &["tools", "reasoning"],
            ),
            model(
                "google/gemini-2.5-pro",
                "Google: Gemini 2.5 Pro",
                &["tools", "reasoning"],
            ),
            model(
                "meta-llama/llama-3.1-8b-instruct",
                "Meta: Llama 3.1 8B Instruct",
                &[],
            ),
            model(
                "openai/gpt-5.3-codex",
                "OpenAI: GPT-5.3 Codex",
                &["tools", "reasoning"],
            ),
            model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", &["tools"]),
        ]
    }

    fn ids(query: &str) -> (Vec<String>, Matched) {
        let all = catalogue();
        let refs: Vec<&Model> = all.iter().collect();
        let (found, how) = filter(&refs, Some(query));
        (found.iter().map(|m| m.id.clone()).collect(), how)
    }

    #[test]
    fn substring_on_id_or_name_any_case() {
        assert_eq!(
            ids("CODEX"),
            (vec!["openai/gpt-5.3-codex".to_string()], Matched::Substring)
        );
        assert_eq!(
            ids("claude sonnet"),
            (
                vec!["anthropic/claude-sonnet-4.5".to_string()],
                Matched::Substring
            )
        );
        assert_eq!(ids("openai/").0.len(), 2);
    }

    #[test]
    fn fuzzy_only_when_no_substring_matches() {
        for (query, want) in [
            ("gpt53codex", "openai/gpt-5.3-codex"),
            ("sonet", "anthropic/claude-sonnet-4.5"),
            ("cluade", "anthropic/claude-sonnet-4.5"),
            ("gemnii pro", "google/gemini-2.5-pro"),
            ("4o mini", "openai/gpt-4o-mini"),
        ] {
            let (found, how) = ids(query);
            assert_eq!(how, Matched::Fuzzily, "{query}");
            assert!(found.contains(&want.to_string()), "{query}: {found:?}");
            assert!(found.len() <= 2, "{query} is too loose: {found:?}");
        }
        assert!(ids("zzzz").0.is_empty());
        assert!(ids("qwen").0.is_empty(), "{:?}", ids("qwen"));
    }

    #[test]
    fn context_lengths_read_like_the_catalogue_pages() {
        assert_eq!(format_context(400_000), "400K");
        assert_eq!(format_context(1_000_000), "1M");
        assert_eq!(format_context(1_048_576), "1.05M");
        assert_eq!(format_context(131_072), "131K");
        assert_eq!(format_context(32_768), "33K");
        assert_eq!(format_context(999_999), "1M");
        assert_eq!(format_context(512), "512");
    }

    #[test]
    fn prices_per_million_lose_no_digit() {
        let p = |per_token: f64| format_price(api::per_million(per_token));
        assert_eq!(p(0.00000175), "$1.75");
        assert_eq!(p(0.000014), "$14.00");
        assert_eq!(p(0.000000028), "$0.028");
        assert_eq!(p(0.000001125), "$1.125");
        assert_eq!(p(0.00000002), "$0.02");
        assert_eq!(p(0.0), "free");
        assert_eq!(p(-1.0), "-");
        assert_eq!(p(1e-15), "<$0.000001");
        assert_eq!(format_price(None), "-");
    }

    fn rows() -> Vec<Row> {
        let mut rows: Vec<Row> = catalogue().iter().map(|m| Row::new(m, false)).collect();
        rows[3].current = true;
        rows.push(Row::new(
            &model(
                "z/模型-with-a-very-long-wide-name",
                "名前: 全角の名前",
                &["tools"],
            ),
            false,
        ));
        rows
    }

    #[test]
    fn the_table_fits_every_width_and_every_id_is_whole() {
        let rows = rows();
        let plain = |_: Style, t: &str| t.to_string();
        for width in 1..=200 {
            let lines = table(&rows, width, &plain);
            assert_eq!(lines.len(), rows.len() + 1);
            for (line, row) in lines[1..].iter().zip(&rows) {
                let id = &row.cells[ID];
                let mark = if row.current { '*' } else { ' ' };
                assert!(
                    line.starts_with(&format!("{mark} {id}")),
                    "the id is not whole at {width}: {line:?}"
                );
                assert!(
                    width_of(line) <= width || line.trim_start_matches(['*', ' ']) == id,
                    "{} columns > {width}, and not an id alone: {line:?}",
                    width_of(line)
                );
            }
            assert!(
                width_of(&lines[0]) <= width.max(GUTTER + 2),
                "{:?}",
                lines[0]
            );
        }
    }

    #[test]
    fn a_narrow_table_drops_name_then_prices_then_context_then_the_support_columns() {
        let rows = rows();
        let plain = |_: Style, t: &str| t.to_string();
        let headers = |width: usize| -> Vec<String> {
            table(&rows, width, &plain)[0]
                .split("  ")
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_string)
                .collect()
        };
        let wide = table(&rows, 200, &plain);
        assert_eq!(
            headers(200),
            [
                "ID",
                "CONTEXT",
                "IN $/M",
                "OUT $/M",
                "TOOLS",
                "REASONING",
                "NAME"
            ]
        );
        assert!(wide[4].starts_with("* openai/gpt-5.3-codex "), "{wide:?}");
        assert!(wide[4].ends_with("OpenAI: GPT-5.3 Codex"), "{wide:?}");
        assert!(wide.iter().all(|l| !l.contains('…') && l == l.trim_end()));
        // The longest id is 32 wide: 34 with the gutter.
        assert_eq!(
            headers(80),
            ["ID", "CONTEXT", "IN $/M", "OUT $/M", "TOOLS", "REASONING"]
        );
        assert_eq!(headers(72), ["ID", "CONTEXT", "TOOLS", "REASONING"]);
        assert_eq!(headers(60), ["ID", "TOOLS", "REASONING"]);
        assert_eq!(headers(45), ["ID", "TOOLS"]);
        assert_eq!(headers(40), ["ID"]);
        assert_eq!(headers(20), ["ID"]);
        // NAME is shortened before anything else goes.
        let some_name = table(&rows, 100, &plain);
        assert!(some_name[0].ends_with("NAME"), "{some_name:?}");
        assert!(some_name.iter().any(|l| l.ends_with('…')), "{some_name:?}");
        assert!(some_name.iter().all(|l| width_of(l) <= 100));
    }

    /// Removes `ESC [ ... m` sequences.
    fn strip_escapes(line: &str) -> String {
        let mut out = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn the_summary_is_one_line_when_it_fits_else_a_line_per_clause_that_fits() {
        let url = "http://127.0.0.1:43210/api/v1";
        let all = summary(10, Matched::All, None, false, true, url);
        let one = "10 models in the catalogue at `http://127.0.0.1:43210/api/v1`; `*` marks the configured one";
        assert_eq!(summary_lines(&all, None), [one]);
        assert_eq!(summary_lines(&all, Some(200)), [one]);
        assert_eq!(
            summary_lines(&all, Some(80)),
            [
                "10 models in the catalogue at `http://127.0.0.1:43210/api/v1`",
                "`*` marks the configured one"
            ]
        );
        assert_eq!(
            summary_lines(&all, Some(40)),
            ["10 models in the catalogue", "`*` marks the configured one"]
        );
        let fuzzy = summary(2, Matched::Fuzzily, Some("gpt53codex"), true, false, url);
        assert_eq!(
            summary_lines(&fuzzy, Some(50)),
            ["2 models with tools match `gpt53codex` fuzzily"]
        );
        let none = summary(0, Matched::Fuzzily, Some("zzzz"), false, false, url);
        assert_eq!(
            summary_lines(&none, None),
            ["No model matches `zzzz`, not even fuzzily: run `mg-codex models` to see them all"]
        );
        assert_eq!(
            summary_lines(&none, Some(40)),
            [
                "No model matches `zzzz`",
                "run `mg-codex models` to see them all"
            ]
        );
        for width in 1..=120 {
            for clauses in [&all, &fuzzy, &none] {
                for line in summary_lines(clauses, Some(width)) {
                    assert!(width_of(&line) <= width, "{line:?} at {width}");
                }
            }
        }
    }

    #[test]
    fn colour_never_changes_the_layout() {
        let rows = rows();
        let paint = |s: Style, t: &str| format!("\x1b[{}m{t}\x1b[0m", s as u8);
        let plain = |_: Style, t: &str| t.to_string();
        for width in [40, 80, 100, 200] {
            let painted: Vec<String> = table(&rows, width, &paint)
                .iter()
                .map(|l| strip_escapes(l))
                .collect();
            assert_eq!(painted, table(&rows, width, &plain), "at {width}");
        }
    }

    #[test]
    fn piped_lines_are_tab_separated_with_the_mark_before_the_name() {
        let rows = rows();
        assert_eq!(
            rows[3].tab_separated(),
            "openai/gpt-5.3-codex\t400K\t$1.75\t$14.00\tyes\tyes\t*\tOpenAI: GPT-5.3 Codex"
        );
        assert_eq!(
            rows[2].tab_separated(),
            "meta-llama/llama-3.1-8b-instruct\t400K\t$1.75\t$14.00\t?\t?\t\tMeta: Llama 3.1 8B Instruct"
        );
    }

    #[test]
    fn control_characters_from_the_server_are_removed() {
        let m = model("a/b", "evil\x1b[2J\tname\n", &[]);
        let row = Row::new(&m, false);
        assert_eq!(row.cells[NAME], "evil [2J name ");
        assert_eq!(row.tab_separated().matches('\t').count(), 7);
    }
}
