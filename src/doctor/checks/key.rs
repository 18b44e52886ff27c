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

/// `mg-codex init` (it asks for the key and stores it), then what loads it in this terminal.
fn init_then_load(ctx: &Context, activation: &str) -> Fix {
    let command = format!("{} && {activation}", ctx.me.command("init"));
    Fix::command_with(
        command.clone(),
        format!("`{command}`: init asks for the key (create one on the ModelGates keys page, {}) and stores it for your shells; the second part loads it in this terminal", crate::secret::KEYS_PAGE),
    )
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
    load: &str,
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
        let text = "put `env_key = \"MODELGATES_API_KEY\"` in `[model_providers.modelgates]` and the key in that variable (`mg-codex init` stores it for your shells); then treat the key as leaked: make a new one on the ModelGates keys page (https://modelgates.ai/keys)".to_string();
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
                    .fix(init_then_load(ctx, load)),
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
                    .fix(init_then_load(ctx, load)),
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

/// What running the provider's `auth` command gave.
pub enum CommandKey {
    /// The program is not there (or not executable).
    NotFound,
    /// It exited with an error (its first stderr line, scrubbed by the caller).
    Failed { status: String, stderr: String },
    /// It did not finish in time.
    TimedOut,
    /// What it printed on stdout.
    Output(String),
}

/// The command Codex runs for the key, as a person would type it.
pub struct KeyCommandInputs<'a> {
    pub shown: &'a str,
    /// It is mg-codex's own (`mg-codex key print`).
    pub ours: bool,
    pub place: Option<(Option<&'a Path>, Option<usize>)>,
    pub outcome: &'a CommandKey,
}

/// `key.present` for a provider whose key comes from a command (`auth = { command, args }`):
/// Codex runs it before each request and sends what it prints; when it fails, Codex sends the
/// request without a key. Returns the key it printed, for the API checks.
pub fn from_command(ctx: &Context, inputs: &KeyCommandInputs) -> (Check, Option<ApiKey>) {
    const ID: &str = "key.present";
    let shown = inputs.shown;
    let repair = || {
        if inputs.ours {
            ctx.run_with("init --yes --key-source command", |c| {
                format!("`{c}` writes the command again, with this mg-codex's path")
            })
        } else {
            let text = format!("fix the `auth` command of `[model_providers.modelgates]` (`{shown}`), or let mg-codex provide the key: `{}`", ctx.me.command("init --yes --key-source command"));
            match inputs.place {
                Some((Some(file), line)) => Fix::edit(file, line, text),
                _ => Fix::instruction(text),
            }
        }
    };
    let store = || {
        if inputs.ours {
            ctx.run_with("key set", |c| {
                format!("store a key with `{c}` (it asks for it; create one at https://modelgates.ai/keys)")
            })
        } else {
            repair()
        }
    };
    let locate = |f: Finding| match inputs.place {
        Some((Some(file), line)) => f.file(file, line),
        _ => f,
    };
    let mut f = Vec::new();
    let key = match inputs.outcome {
        CommandKey::NotFound => {
            f.push(locate(
                Finding::fail(
                    "auth_command_missing",
                    format!("Codex gets the key by running `{shown}`, which is not there: it sends the requests without a key"),
                )
                .fix(repair()),
            ));
            None
        }
        CommandKey::TimedOut => {
            f.push(locate(
                Finding::fail(
                    "auth_command_fails",
                    format!("`{shown}` did not finish: Codex waits for it, then sends the requests without a key"),
                )
                .fix(repair()),
            ));
            None
        }
        CommandKey::Failed { status, stderr } => {
            let said = if stderr.is_empty() {
                String::new()
            } else {
                format!(" (\"{stderr}\")")
            };
            f.push(locate(
                Finding::fail(
                    "auth_command_fails",
                    format!("`{shown}` {status}{said}: Codex sends the requests without a key"),
                )
                .fix(store()),
            ));
            None
        }
        CommandKey::Output(out) => match ApiKey::parse(out.trim_end_matches(['\n', '\r'])) {
            Ok(key) if !out.trim().is_empty() => Some(key),
            _ => {
                f.push(locate(
                    Finding::fail(
                        "auth_command_no_key",
                        format!("`{shown}` prints no usable key: Codex sends what it prints, and the gateway rejects it"),
                    )
                    .fix(store()),
                ));
                None
            }
        },
    };
    let ok = format!(
        "Codex gets the key by running `{shown}` ({})",
        key.as_ref().map(ApiKey::masked).unwrap_or_default()
    );
    (Check::new(ID, Category::Key, ok, f), key)
}
