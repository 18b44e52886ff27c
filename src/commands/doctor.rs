//! `mg-codex doctor`: gather the inputs (files, environment, API answers, Codex's verdict), run
//! the checks, render one report. Read-only: it never writes a file, and it runs Codex on a
//! private copy of the config so Codex cannot write into `CODEX_HOME` either.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::api::{self, Client, ClientOptions, Lookup};
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::codex_cli;
use crate::codex_config::ConfigDocument;
use crate::config_file::{self, InvalidConfig};
use crate::doctor::checks::{self, Effective, Loaded};
use crate::doctor::{render, Category, Check, Report};
use crate::env::Env;
use crate::secret::ApiKey;
use crate::ui::Printer;

pub fn run(
    global: &GlobalArgs,
    args: &DoctorArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    let report = build_report(global, args, env, printer);
    if args.json {
        printer.data(&render::json(&report));
    } else {
        let paint = |style, text: &str| printer.out_style(style, text);
        let style = render::HumanStyle {
            ascii: args.ascii || !env.unicode_ok(),
            paint: &paint,
        };
        printer.data(&render::human(&report, &style));
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn load(path: &Path) -> Loaded {
    match config_file::load_existing(path) {
        Ok(Some(doc)) => Loaded::Parsed(Box::new(doc)),
        Ok(None) => Loaded::Missing,
        Err(err) => match err.downcast::<InvalidConfig>() {
            Ok(invalid) => Loaded::Invalid(invalid),
            Err(other) => Loaded::Unreadable(other.root_cause().to_string()),
        },
    }
}

/// Gathers every input and runs the checks. The waits (the API, Codex) show a spinner, which is
/// gone again before this returns and anything is printed.
fn build_report(global: &GlobalArgs, args: &DoctorArgs, env: &Env, printer: &Printer) -> Report {
    let started = Instant::now();
    let home = match super::codex_home(global, env) {
        Ok(home) => home,
        Err(err) => {
            let fix = crate::problem::fixes_of(&err)
                .into_iter()
                .next()
                .map_or_else(|| "mg-codex init".to_string(), |f| f.to_string());
            return Report::new(vec![Check::fail(
                "config.file",
                Category::Config,
                format!("{err:#}"),
                fix,
            )
            .took(started)]);
        }
    };
    let profile = global.profile.as_deref();
    let base_path = home.config_path(None);
    let base = load(&base_path);
    let selected_path = home.config_path(profile);
    let selected = profile.map(|_| load(&selected_path));
    let mut checks = Vec::new();

    // config.file: the selected file; with a profile, a broken base file is the bigger problem.
    let file_check = match (&selected, &base) {
        (Some(_), Loaded::Invalid(_)) | (None, _) => checks::config_file(&base_path, &base, None),
        (Some(sel), _) => checks::config_file(&selected_path, sel, profile),
    };
    checks.push(file_check.took(started));

    let local_path = env.cwd.join(".codex/config.toml");
    let local = (local_path != base_path && local_path.is_file())
        .then(|| config_file::load(&local_path).ok())
        .flatten();
    let eff = Effective::new(selected.as_ref().and_then(Loaded::doc), base.doc());
    let any_config = base.doc().is_some() || selected.as_ref().and_then(Loaded::doc).is_some();

    let t = Instant::now();
    if any_config {
        checks.push(
            checks::config_provider(
                &eff,
                profile,
                local.as_ref().map(|d| (local_path.as_path(), d)),
            )
            .took(t),
        );
        checks.push(checks::config_model(&eff, profile).took(t));
    } else {
        checks.push(Check::skipped(
            "config.provider",
            Category::Config,
            "no config to check",
        ));
        checks.push(Check::skipped(
            "config.model",
            Category::Config,
            "no config to check",
        ));
    }

    let env_key = eff.env_key();
    let (key_check, key) = checks::key_present(&env_key, env.var(&env_key));
    checks.push(key_check.took(t));

    // Codex runs in a thread while the network checks run.
    let codex_thread = {
        let path_var = env.path.clone();
        let base_path = base_path.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            let probe = codex_cli::find_program("codex", path_var.as_deref())
                .map(|codex| codex_cli::probe(&codex, &base_path));
            checks::codex_cli(probe.as_ref()).took(t)
        })
    };

    {
        let text = if args.deep {
            "Asking ModelGates about the key and the model, and sending a live request"
        } else {
            "Asking ModelGates about the key and the model"
        };
        let _s = (!args.offline).then(|| printer.spinner(text));
        checks.extend(network_checks(args, env, &eff, key, profile));
    }

    let t = Instant::now();
    checks.push(shell_check(env, &env_key).took(t));

    let mut trust_docs: Vec<&ConfigDocument> = Vec::new();
    trust_docs.extend(selected.as_ref().and_then(Loaded::doc));
    trust_docs.extend(base.doc());
    let t = Instant::now();
    checks.push(checks::projects_trust(&env.cwd, &trust_docs).took(t));

    let codex_check = {
        let _s = printer.spinner("Asking Codex whether it loads the config");
        codex_thread.join()
    };
    checks.push(codex_check.unwrap_or_else(|_| {
        Check::fail(
            "codex.cli",
            Category::Codex,
            "the Codex check crashed",
            "run `codex features list` yourself",
        )
    }));
    let t = Instant::now();
    checks.extend(checks::docs_mcp(&eff, profile).map(|c| c.took(t)));
    Report::new(checks)
}

/// `shell.profiles`, from the shell module's view of the profiles.
fn shell_check(env: &Env, env_key: &str) -> Check {
    let shell_env = super::shell_env(env);
    let status = shell_env
        .and_then(|shell_env| crate::shell::status(&shell_env, env.var(crate::shell::VAR)));
    match status {
        Ok(status) if env_key == crate::shell::VAR => checks::shell_profiles(&status),
        Ok(_) => Check::skipped(
            "shell.profiles",
            Category::Shell,
            format!(
                "the provider reads `{env_key}`; mg-codex manages `{}` only",
                crate::shell::VAR
            ),
        ),
        Err(err) => Check::warning(
            "shell.profiles",
            Category::Shell,
            format!("cannot inspect the shell profiles: {err:#}"),
            "check that your profiles are readable",
        ),
    }
}

/// `api.key`, `api.model` and (with `--deep`) `api.responses`, concurrently.
fn network_checks(
    args: &DoctorArgs,
    env: &Env,
    eff: &Effective,
    key: Option<ApiKey>,
    profile: Option<&str>,
) -> Vec<Check> {
    let ids = ["api.key", "api.model"];
    let skip_all = |why: &str| -> Vec<Check> {
        let mut v: Vec<Check> = ids
            .iter()
            .map(|id| Check::skipped(id, Category::Api, why))
            .collect();
        if args.deep {
            v.push(Check::skipped("api.responses", Category::Api, why));
        }
        v
    };
    if args.offline {
        return skip_all("--offline");
    }
    let Some(base_url) = eff.base_url() else {
        return skip_all("no `base_url` for ModelGates in the config");
    };
    let Some(key) = key else {
        return skip_all("no usable key (see key.present)");
    };
    let model = eff.root_str("model").map(str::to_string);
    let effort = eff.root_str("model_reasoning_effort").map(str::to_string);
    let client = match Client::new(ClientOptions {
        base_url: base_url.clone(),
        key: Some(key),
        timeout: args.timeout,
        network: env.network(),
    }) {
        Ok(client) => client,
        Err(err) => {
            let mut v = vec![Check::fail(
                "api.key",
                Category::Api,
                format!("the key is not sent: {err}"),
                format!("mg-codex init --base-url {}", api::DEFAULT_BASE_URL),
            )];
            v.extend(skip_all("the base URL was refused").into_iter().skip(1));
            return v;
        }
    };
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(err) => {
            return skip_all(&format!(
                "cannot start the network runtime: {:#}",
                err.root_cause()
            ))
        }
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    runtime.block_on(async {
        let key_task = async {
            let t = Instant::now();
            checks::api_key(&client.key_status().await, now).took(t)
        };
        let model_task = async {
            let t = Instant::now();
            let Some(model) = model.as_deref() else {
                return Check::skipped("api.model", Category::Api, "no `model` in the config");
            };
            let (outcome, catalogue) = Lookup::split(client.lookup(model).await);
            checks::api_model(
                model,
                effort.as_deref(),
                &outcome,
                catalogue.as_deref(),
                profile,
            )
            .took(t)
        };
        let probe_task = async {
            if !args.deep {
                return None;
            }
            let t = Instant::now();
            Some(match model.as_deref() {
                None => Check::skipped("api.responses", Category::Api, "no `model` in the config"),
                Some(m) => {
                    checks::api_responses(m, &client.probe(m, effort.as_deref()).await).took(t)
                }
            })
        };
        let (k, m, p) = tokio::join!(key_task, model_task, probe_task);
        let mut v = vec![k, m];
        v.extend(p);
        v
    })
}
