//! `key.present`: the variable named by `env_key` holds a usable key here, or, when it does
//! not, the key mg-codex stored and how to load it in this terminal.

use std::path::Path;

use serde::Serialize;

use super::Context;
use crate::doctor::{Category, Check, Finding};
use crate::problem::Fix;
use crate::secret::{self, ApiKey, KeyError};

#[derive(Serialize)]
struct KeyPresentDetails<'a> {
    env_key: &'a str,
    set: bool,
    masked: Option<String>,
    /// The key mg-codex stored (masked), when there is one.
    stored: Option<String>,
    /// The key the API checks use: `environment` or `store`.
    used: Option<&'static str>,
}

/// The key mg-codex stored, and what loads it into a terminal that is already open.
pub struct Stored<'a> {
    pub key: &'a str,
    pub file: &'a Path,
    /// `. ~/.config/mg-codex/env` (for the login shell).
    pub activation: &'a str,
}

/// Whether a value where a variable name belongs is a key instead.
pub fn looks_like_a_key(name: &str) -> bool {
    name.starts_with("sk-") || (name.len() >= 32 && !name.contains('_'))
}

/// `key.present`. Returns the key the API checks use: the environment's when it is usable,
/// else the stored one (the API checks then run with it, and say so).
pub fn present(
    ctx: &Context,
    env_key: &str,
    env_key_place: Option<(Option<&Path>, Option<usize>)>,
    value: Option<&str>,
    stored: Option<Stored>,
    bearer: Option<&str>,
) -> (Check, Option<ApiKey>) {
    const ID: &str = "key.present";
    let mut details = KeyPresentDetails {
        env_key,
        set: value.is_some(),
        masked: value.map(|v| secret::mask(v.trim())),
        stored: stored.as_ref().map(|s| secret::mask(s.key)),
        used: None,
    };
    let mut f = Vec::new();
    if looks_like_a_key(env_key) {
        let shown = secret::mask(env_key);
        let mut finding = Finding::fail(
            "key_in_config",
            format!("`env_key = \"{shown}\"` holds a key where the NAME of a variable belongs: Codex reads a variable of that name, finds none, and sends no key"),
        )
        .variable("env_key")
        .value(shown);
        let text = "put `env_key = \"MODELGATES_API_KEY\"` in `[model_providers.modelgates]` and the key in that variable (`mg-codex init` stores it for your shells); then treat the key as leaked: make a new one on the ModelGates keys page".to_string();
        finding = match env_key_place {
            Some((Some(file), line)) => finding.file(file, line).fix(Fix::edit(file, line, text)),
            _ => finding.fix(Fix::instruction(text)),
        };
        f.push(finding);
        return (Check::new(ID, Category::Key, "", f).details(details), None);
    }
    let activation = |s: &Stored| {
        Fix::command_with(
            s.activation.to_string(),
            format!(
                "run `{}` in this terminal (new terminals load it by themselves)",
                s.activation
            ),
        )
    };
    let usable = value.filter(|v| !v.trim().is_empty());
    if let (None, Some(token)) = (usable, bearer.filter(|b| !b.trim().is_empty())) {
        // Codex sends `experimental_bearer_token` and reads no variable then
        // (`config.provider` says why that is not where a key belongs).
        let key = ApiKey::parse(token.trim()).ok();
        details.used = Some("bearer_token");
        let shown = secret::mask(token.trim());
        let ok = format!("Codex sends the `experimental_bearer_token` of the config ({shown})");
        return (Check::new(ID, Category::Key, ok, f).details(details), key);
    }
    let Some(value) = usable else {
        match &stored {
            Some(s) => {
                f.push(
                    Finding::fail(
                        "key_not_activated",
                        format!(
                            "`{env_key}` is not set in this terminal yet: mg-codex stored the key in `{}`, which new terminals load",
                            ctx.show(s.file)
                        ),
                    )
                    .variable(env_key)
                    .file(s.file, None)
                    .fix(activation(s)),
                );
                details.used = Some("store");
            }
            None => {
                let (code, what) = if value.is_some() {
                    ("key_blank", "is blank")
                } else {
                    ("key_missing", "is not set")
                };
                f.push(
                    Finding::fail(
                        code,
                        format!("`{env_key}` {what} in this environment, and mg-codex has no key stored: Codex stops with \"Missing environment variable\""),
                    )
                    .variable(env_key)
                    .fix(ctx.run_with("init", |c| {
                        format!("`{c}` asks for the key and stores it for your shells (create one on the ModelGates keys page: https://modelgates.ai/keys)")
                    })),
                );
            }
        }
        let key = stored.and_then(|s| ApiKey::parse(s.key).ok());
        return (Check::new(ID, Category::Key, "", f).details(details), key);
    };
    let key = match ApiKey::parse(value) {
        Err(KeyError::SurroundingWhitespace) => {
            f.push(
                Finding::fail(
                    "key_whitespace",
                    format!("`{env_key}` has spaces or a newline around the key: Codex sends it as is, and the gateway rejects it"),
                )
                .variable(env_key)
                .value(secret::mask(value.trim()))
                .fix(Fix::instruction(format!(
                    "remove the whitespace where `{env_key}` is set (or run `{}`, which stores it clean)",
                    ctx.me.command("init")
                ))),
            );
            None
        }
        Err(e) => {
            f.push(
                Finding::fail("key_bad_chars", format!("`{env_key}`: {e}"))
                    .variable(env_key)
                    .fix(ctx.run("init")),
            );
            None
        }
        Ok(key) => {
            if !key.has_expected_prefix() {
                f.push(
                    Finding::warning(
                        "key_wrong_prefix",
                        format!(
                            "`{env_key}` is set ({}) but is not a ModelGates key (`sk-mg-…`; another gateway's?)",
                            key.masked()
                        ),
                    )
                    .variable(env_key)
                    .value(key.masked())
                    .fix(Fix::instruction(format!(
                        "copy a key from the ModelGates keys page (https://modelgates.ai/keys), then run `{}`",
                        ctx.me.command("init")
                    ))),
                );
            }
            if let Some(s) = &stored {
                if s.key != key.expose() {
                    f.push(
                        Finding::warning(
                            "key_stale",
                            format!(
                                "this terminal's `{env_key}` ({}) is not the key mg-codex stored ({}): a terminal opened before the key changed, or a line of yours that sets an old key",
                                key.masked(),
                                secret::mask(s.key)
                            ),
                        )
                        .variable(env_key)
                        .value(key.masked())
                        .fix(activation(s)),
                    );
                }
            }
            details.used = Some("environment");
            Some(key)
        }
    };
    let ok = format!(
        "`{env_key}` is set ({})",
        key.as_ref().map(ApiKey::masked).unwrap_or_default()
    );
    (Check::new(ID, Category::Key, ok, f).details(details), key)
}
