//! `mg-codex key print` and `mg-codex key set`: the key in mg-codex's store, the private env file
//! the shell module writes (`${XDG_CONFIG_HOME:-~/.config}/mg-codex/env`, mode 0600).
//!
//! `print` is what Codex runs for the key with `init --key-source command`, at start and when
//! it refreshes the token: it reads that one file and prints the key on stdout, nothing else
//! (no network, no config, no runtime), and fails (exit 1, the reason on stderr, stdout empty)
//! when no key is stored, so Codex never gets a wrong one. `set` replaces the key, checked
//! first, in every place that holds it (`shell::plan_rotate`: the env files and the profile
//! blocks written with `--key-in-profile`).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::selected::Layers;
use super::Invocation;
use crate::api::{self, Client, ClientOptions};
use crate::cli::{GlobalArgs, KeySetArgs};
use crate::env::Env;
use crate::problem::{problem, Fix};
use crate::prompt::Prompter;
use crate::secret::ApiKey;
use crate::shell::{self, ShellEnv, Syntax};
use crate::ui::{Printer, Style};

/// `mg-codex key print`.
pub fn print(env: &Env, printer: &Printer) -> Result<ExitCode> {
    // HOME and XDG_CONFIG_HOME only: no user database lookup, nothing else read.
    let shell_env = ShellEnv::from_vars_and_login_shell(
        |name| match name {
            "HOME" => env.home.clone().map(Into::into),
            _ => env.var(name).map(Into::into),
        },
        None,
    )?;
    let file = shell_env.env_file(Syntax::Posix);
    let store = || {
        Fix::command_with(
            "mg-codex key set",
            format!(
                "store a key with `printf '%s\\n' \"$KEY\" | mg-codex key set` (or run `mg-codex init`); it goes to `{}`",
                file.display()
            ),
        )
    };
    let text = crate::fsutil::read_optional(&file)?;
    let Some(text) = text else {
        // `--key-in-profile` put it in the profiles' blocks only: the store is there.
        if let Some(key) =
            shell::key_in_a_profile(&shell_env).and_then(|(raw, _)| ApiKey::parse(&raw).ok())
        {
            printer.data(key.expose());
            return Ok(ExitCode::SUCCESS);
        }
        return Err(problem(
            format!(
                "no ModelGates key is stored: `{}` does not exist",
                file.display()
            ),
            store(),
        ));
    };
    let Some(raw) = shell::shells::parse_assignment(Syntax::Posix, &String::from_utf8_lossy(&text))
    else {
        return Err(problem(
            format!(
                "no ModelGates key is stored: `{}` holds no `export {}=…` line",
                file.display(),
                shell::VAR
            ),
            store(),
        ));
    };
    let key = ApiKey::parse(&raw).map_err(|e| {
        problem(
            format!("the key stored in `{}` is not usable: {e}", file.display()),
            store(),
        )
    })?;
    printer.data(key.expose());
    Ok(ExitCode::SUCCESS)
}

/// `mg-codex key set`.
pub fn set(
    global: &GlobalArgs,
    args: &KeySetArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    let hints = Invocation::new(global);
    let key = read_key(env, printer)?;
    if !args.no_verify {
        let base_url = match &args.base_url {
            Some(url) => url.clone(),
            None => match Layers::load(global, env) {
                Ok(layers) => layers
                    .provider_str(&layers.doc, "base_url")
                    .unwrap_or(api::DEFAULT_BASE_URL)
                    .to_string(),
                Err(e) => {
                    printer.warn(&format!(
                        "{}\n  checking the key at `{}`",
                        format!("{e:#}").lines().next().unwrap_or_default(),
                        api::DEFAULT_BASE_URL
                    ));
                    api::DEFAULT_BASE_URL.to_string()
                }
            },
        };
        verify(&key, &base_url, args, env, printer)?;
    }
    let shell_env = super::shell_env(env)?;
    shell::remove_stale_temps(&shell_env);
    let plan = shell::plan_rotate(&key, &shell_env)?;
    let file = shell_env.env_file(Syntax::Posix);
    if !plan.changes_anything() {
        printer.message(&format!(
            "`{}` already holds this key: nothing changed",
            file.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let report = shell::apply(plan)?;
    super::report_shell(&report, "put the new key in it by hand", printer);
    printer.message(&format!(
        "{} the key {} in `{}`: new terminals and `mg-codex key print` (Codex with `{}`) get it",
        printer.err_style(Style::Ok, "Stored"),
        key.masked(),
        file.display(),
        hints.command("init --key-source command")
    ));
    if let Some(a) = report.activation.first() {
        printer.message(&format!(
            "In a terminal that is already open: `{}`",
            a.command
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// The key from standard input: a hidden prompt on a terminal, else the first line.
fn read_key(env: &Env, printer: &Printer) -> Result<ApiKey> {
    let raw = if env.stdin_tty && env.stderr_tty {
        Prompter::new(printer.color_err()).secret("ModelGates API key (sk-mg-…)", "stdin")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the key from standard input")?;
        line
    };
    let raw = raw.trim_end_matches(['\n', '\r']);
    ApiKey::parse(raw).map_err(|e| {
        problem(
            format!("{e} (from standard input)"),
            Fix::command_with(
                "printf '%s\\n' \"$KEY\" | mg-codex key set",
                "copy the key again from the ModelGates keys page (https://modelgates.ai/keys) and pass it on standard input: `printf '%s\\n' \"$KEY\" | mg-codex key set`",
            ),
        )
    })
}

/// `GET /key` with the new key: it must be an inference key the gateway accepts.
fn verify(
    key: &ApiKey,
    base_url: &str,
    args: &KeySetArgs,
    env: &Env,
    printer: &Printer,
) -> Result<()> {
    let client = Client::new(ClientOptions {
        base_url: base_url.to_string(),
        key: Some(key.clone()),
        timeout: args.timeout,
        network: env.network(),
    })
    .map_err(|e| {
        problem(
            format!("cannot check the key at `{base_url}`: {e}"),
            Fix::instruction(format!("use `--base-url {}`", api::DEFAULT_BASE_URL)),
        )
    })?;
    let status = {
        let _s = printer.spinner("Checking the key");
        super::runtime()?.block_on(client.key_status())
    };
    let info = status.map_err(|e| {
        let (what, fix) = match e {
            api::ApiError::KeyRejected { .. } => (
                "ModelGates rejected the key",
                "create or copy a key on the ModelGates keys page (https://modelgates.ai/keys); nothing was changed",
            ),
            _ => (
                "could not check the key",
                "check your network, or pass `--no-verify` to store it without checking",
            ),
        };
        problem(
            format!("{what} at `{base_url}`: {e}"),
            Fix::instruction(fix),
        )
    })?;
    if info.is_management_key == Some(true) {
        return Err(super::management_key(", so it was not stored"));
    }
    super::say_key_accepted(&key.masked(), printer);
    Ok(())
}

/// The program Codex runs for the key: the running `mg-codex` ([`Env::exe`]), spelled as the
/// `mg-codex` on `PATH` when that is a link to the same file (a package manager's link keeps
/// working when an upgrade moves the real file; the real path would not).
pub(crate) fn key_program(env: &Env) -> Option<PathBuf> {
    let exe = env.exe.clone()?;
    let real = std::fs::canonicalize(&exe).unwrap_or_else(|_| exe.clone());
    let on_path = crate::program::find("mg-codex", env.path.as_deref())
        .filter(|p| p.is_absolute())
        .filter(|p| std::fs::canonicalize(p).is_ok_and(|r| r == real));
    Some(on_path.unwrap_or(real))
}
