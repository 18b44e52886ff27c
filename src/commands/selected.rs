//! The config the global flags select (and, under `--profile`, the `config.toml` Codex layers
//! beneath it) and the gateway to ask, with the key the configured provider reads: what
//! `models`, `model` and `key` share. One fetch retries without the key when the catalogue
//! refuses it (the catalogue needs none).

use std::path::PathBuf;

use anyhow::Result;

use crate::api::{self, ApiError, Client, ClientOptions};
use crate::catalog;
use crate::cli::GlobalArgs;
use crate::codex_config::ConfigDocument;
use crate::config_file;
use crate::env::Env;
use crate::layers::Layers as Effective;
use crate::problem::{Fix, Problem};
use crate::secret::ApiKey;
use crate::setup::PROVIDER_ID;
use crate::ui::Printer;

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
    /// `mg-codex` as invoked (`--codex-home`, `--profile`), for the commands hints print.
    pub me: super::Invocation,
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
            me: super::Invocation::new(global),
            exists: existing.is_some(),
            home: home.dir.clone(),
            profile: global.profile.clone(),
            config,
            doc: existing.unwrap_or_else(ConfigDocument::empty),
            base,
        })
    }

    /// No config at all (`global`: the flags, for the commands hints print).
    pub(super) fn empty(global: &GlobalArgs) -> Self {
        Self {
            me: super::Invocation::new(global),
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
    /// `mg-codex` as invoked, for the commands hints print.
    me: super::Invocation,
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
            me: layers.me.clone(),
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
                    "ModelGates rejected the key in `{}` ({message}); asked without it\n  `{}` checks the key",
                    self.key_var,
                    self.me.command("doctor")
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
            ApiError::InsecureUrl { .. } if self.from_flag => Fix::command_with(
                self.me
                    .command(&format!("models --base-url {}", api::DEFAULT_BASE_URL)),
                format!("use `--base-url {}`", api::DEFAULT_BASE_URL),
            ),
            ApiError::InsecureUrl { .. } => {
                let init = self
                    .me
                    .command(&format!("init --base-url {}", api::DEFAULT_BASE_URL));
                Fix::command_with(
                    init.clone(),
                    format!("fix `base_url` in `[model_providers.modelgates]` (`{init}` does)"),
                )
            }
            ApiError::Unreachable { .. } => Fix::instruction(format!(
                "check your network and proxy settings; `{}` checks the whole set-up",
                self.me.command("doctor")
            )),
            ApiError::ServerError { .. } | ApiError::RateLimited { .. } => {
                Fix::instruction("the gateway is busy or failing: try again in a moment")
            }
            _ if self.from_flag => Fix::instruction("check the URL given with `--base-url`"),
            _ => Fix::instruction(format!(
                "check `base_url` in `[model_providers.modelgates]`; `{}` checks the whole set-up",
                self.me.command("doctor")
            )),
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
