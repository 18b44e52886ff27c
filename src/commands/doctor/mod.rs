//! `mg-codex doctor`: gather the inputs (files, environment, API answers, Codex's verdict), run
//! the checks, render one report. Read-only: it never writes a file, and it runs Codex on a
//! private copy of the config so Codex cannot write into `CODEX_HOME` either.
//!
//! Codex runs in a thread of its own from the start (it is the slowest input), the network
//! checks run concurrently on the runtime meanwhile, and the local checks run while both wait.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use crate::api::{Client, ClientOptions, Lookup, Model};
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::codex_cli;
use crate::codex_config::ConfigDocument;
use crate::config_file::{self, InvalidConfig};
use crate::doctor::checks::{
    api as api_checks, catalog as catalog_checks, codex as codex_checks, config as config_checks,
    key as key_checks, projects, shell as shell_checks, Context, Loaded,
};
use crate::doctor::knowledge::CodexVersion;
use crate::doctor::{render, Category, Check, Report};
use crate::env::Env;
use crate::fsutil::NotAFile;
use crate::layers::Layers;
use crate::problem::Invocation;
use crate::secret::ApiKey;
use crate::setup::PROVIDER_ID;
use crate::shell;
use crate::ui::Printer;

mod auth;
mod inputs;
mod network;

use auth::*;
use inputs::*;
use network::*;

pub fn run(
    global: &GlobalArgs,
    args: &DoctorArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    let (report, secrets) = build_report(global, args, env, printer);
    let scrub = |text: String| scrub(text, &secrets);
    if args.json {
        printer.data(&scrub(render::json(&report)));
    } else {
        let paint = |style, text: &str| printer.out_style(style, text);
        let style = render::HumanStyle {
            ascii: args.ascii || !env.unicode_ok(),
            paint: &paint,
            home: env.home.as_deref(),
        };
        printer.data(&scrub(render::human(&report, &style)));
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every secret the report could hold replaced by its mask: checks show only masks, and this
/// is the net under them (a key pasted where a name belongs, a server that echoes it).
fn scrub(mut text: String, secrets: &[String]) -> String {
    for secret in secrets {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), &crate::secret::mask(secret));
        }
    }
    text
}

/// Gathers every input and runs the checks. The waits (the API, Codex) show a spinner, which is
/// gone again before this returns and anything is printed.
fn build_report(
    global: &GlobalArgs,
    args: &DoctorArgs,
    env: &Env,
    printer: &Printer,
) -> (Report, Vec<String>) {
    let me = Invocation::new(global);
    let profile = global.profile.as_deref();
    let at = Where::locate(global, env);
    let Where {
        home,
        home_dir,
        base_path,
        selected_path,
        dotenv_path,
        dotenv,
    } = &at;
    let codex_env = env.with_defaults(dotenv.iter().map(|a| (a.name.clone(), a.value.clone())));
    let from_dotenv = |name: &str| dotenv.iter().find(|a| a.name == name);
    // Codex first: it is the slowest input; the files are read while it runs.
    let (codex_on_path, codex_thread) = spawn_codex_probe(&at, profile, env);
    let files = Files::load(&at, profile, env);
    let Files {
        base,
        selected,
        managed,
        local_path,
        local,
        ..
    } = &files;
    let layers = files.layers(&at);
    let ctx_version = None::<CodexVersion>;
    let ctx = Context {
        me: &me,
        profile,
        codex: ctx_version,
        home: env.home.as_deref(),
    };

    let mut out = Vec::new();
    let t = Instant::now();
    // config.file: the selected file; with a profile, a broken base file is the bigger problem.
    let file_check = match (&home, &selected, &base) {
        (Err(problem), _, _) => config_checks::file(&ctx, home_dir, problem),
        (Ok(_), Some(_), Loaded::Invalid(_)) | (Ok(_), None, _) => {
            config_checks::file(&ctx, base_path, base)
        }
        (Ok(_), Some(sel), _) => config_checks::file(&ctx, selected_path, sel),
    };
    let parse_failed = !matches!(base, Loaded::Parsed(_) | Loaded::Missing)
        || selected
            .as_ref()
            .is_some_and(|s| !matches!(s, Loaded::Parsed(_) | Loaded::Missing));
    let nothing = layers.is_empty() || home.is_err();
    let why_not = if home.is_err() {
        "the Codex home is unusable (see config.file)"
    } else if parse_failed {
        "the config does not parse (see config.file)"
    } else {
        "there is no config (see config.file)"
    };
    out.push(file_check.took(t));

    // The key: this terminal's, else the one mg-codex stored (the API checks use it then).
    let env_key = layers.env_key();
    let shell_env = crate::commands::shell_env(env).ok();
    let stored = shell_env
        .as_ref()
        .filter(|_| env_key == shell::VAR)
        .and_then(shell::stored_key);
    let shell_status = shell_env
        .as_ref()
        .map(|s| shell::status(s, env.var(shell::VAR)));
    let activation = shell_status
        .as_ref()
        .and_then(|s| s.as_ref().ok())
        .and_then(|s| {
            s.shells
                .iter()
                .find(|sh| sh.login)
                .map(|sh| sh.activation.clone())
        })
        .unwrap_or_else(|| ". ~/.config/mg-codex/env".to_string());
    let profiles_with_mg = if profile.is_none() && home.is_ok() {
        modelgates_profiles(home_dir)
    } else {
        Vec::new()
    };
    if parse_failed || nothing {
        out.push(Check::skipped("config.provider", Category::Config, why_not));
    } else {
        let t = Instant::now();
        let managed_docs: Vec<(&Path, &ConfigDocument)> = managed
            .iter()
            .filter_map(|(p, d)| d.as_ref().map(|d| (p.as_path(), d)))
            .collect();
        out.push(
            config_checks::provider(
                &ctx,
                &layers,
                &config_checks::ProviderInputs {
                    project_local: local_path.as_deref().zip(local.as_ref()),
                    managed: managed_docs,
                    modelgates_profiles: &profiles_with_mg,
                    load: &activation,
                },
            )
            .took(t),
        );
    }

    let t = Instant::now();
    // Command auth: Codex runs the command for the key, as doctor does here.
    let auth = auth_command(&layers);
    let mut command_output: Option<String> = None;
    let (mut key_check, key) = match &auth {
        Some(auth) => {
            let outcome = run_auth_command(auth, &codex_env, dotenv);
            if let key_checks::CommandKey::Output(out) = &outcome {
                command_output = Some(out.trim().to_string());
            }
            key_checks::from_command(
                &ctx,
                &key_checks::KeyCommandInputs {
                    shown: &auth.shown,
                    ours: auth.ours,
                    place: layers.located(&["model_providers", PROVIDER_ID, "auth"]),
                    outcome: &outcome,
                },
            )
        }
        None => key_checks::present(
            &ctx,
            &env_key,
            layers.located(&["model_providers", PROVIDER_ID, "env_key"]),
            codex_env.var(&env_key),
            stored.as_ref().map(|(key, file)| key_checks::Stored {
                key,
                file,
                activation: &activation,
            }),
            layers.provider_str(PROVIDER_ID, "experimental_bearer_token"),
            &activation,
        ),
    };
    let key_in_dotenv = from_dotenv(&env_key).filter(|_| auth.is_none());
    if let Some(a) = key_in_dotenv {
        key_check.findings.push(
            crate::doctor::Finding::note(
                "key_from_codex_dotenv_note",
                format!(
                    "`{env_key}` comes from `{}:{}`, which Codex loads at start (every Codex front end gets it)",
                    ctx.show(dotenv_path),
                    a.line
                ),
            )
            .file(dotenv_path, Some(a.line)),
        );
    }
    let from_store = key_check.details.get("used").and_then(|u| u.as_str()) == Some("store");
    out.push(key_check.took(t));

    // The network, while Codex runs.
    let network = {
        let text = if args.deep {
            "Asking ModelGates about the key and the model, and sending a live request"
        } else {
            "Asking ModelGates about the key and the model"
        };
        let _s = (!args.offline).then(|| printer.spinner(text));
        let skip = if parse_failed || nothing {
            Some(why_not)
        } else {
            None
        };
        let mut network = network_checks(&ctx, args, &codex_env, &layers, key, from_store, skip);
        blame_dotenv_proxy(&ctx, &mut network.checks, dotenv_path, dotenv);
        network
    };

    // Codex's verdict: its version decides which rules apply to the model settings.
    let (probe, codex_took) = {
        let _s = codex_on_path
            .is_some()
            .then(|| printer.spinner("Asking Codex whether it loads the config"));
        codex_thread.join().unwrap_or((None, Default::default()))
    };
    let probe = probe.map(|mut p| {
        if let Some(shown) = &codex_on_path {
            p.path = shown.clone();
        }
        p
    });
    let version = probe
        .as_ref()
        .and_then(|p| p.version.as_deref())
        .and_then(CodexVersion::parse);
    let ctx = Context {
        codex: version,
        ..ctx
    };

    // The catalogue `model_catalog_json` names: what Codex will make of it.
    let catalogue_value = layers.root_str("model_catalog_json");
    let catalogue_path = catalogue_value.map(|v| home_dir.join(v));
    let (catalog_check, catalogue_info) = match (&catalogue_path, catalogue_value) {
        (Some(path), Some(value)) if !parse_failed && !nothing => {
            let t = Instant::now();
            let read = match std::fs::read_to_string(path) {
                Ok(text) => catalog_checks::Read::Text(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => catalog_checks::Read::Missing,
                Err(e) => catalog_checks::Read::Unreadable(e.to_string()),
            };
            let our_path = crate::catalog::path_in(home_dir, profile);
            let model = (layers.root_str("model_provider") == Some(PROVIDER_ID))
                .then(|| layers.root_str("model"))
                .flatten();
            let (check, info) = catalog_checks::catalog(
                &ctx,
                &catalog_checks::CatalogInputs {
                    value,
                    place: layers.located(&["model_catalog_json"]),
                    path,
                    our_path: &our_path,
                    read: &read,
                    model,
                    now: std::time::SystemTime::now(),
                    codex_error: probe
                        .as_ref()
                        .and_then(|p| p.loads_config.as_ref().err())
                        .map(String::as_str)
                        .filter(|e| e.contains("model_catalog_json")),
                },
            );
            (Some(check.took(t)), info)
        }
        _ => (None, None),
    };

    if parse_failed || nothing {
        out.push(Check::skipped("config.model", Category::Config, why_not));
    } else if layers.root_str("model_provider") != Some(PROVIDER_ID) {
        out.push(Check::skipped(
            "config.model",
            Category::Config,
            "ModelGates is not the provider (see config.provider)",
        ));
    } else {
        let t = Instant::now();
        let catalogue = catalogue_info
            .as_ref()
            .zip(catalogue_path.as_deref())
            .map(|(info, p)| (p, Ok(info.slugs().iter().map(|s| s.to_string()).collect())))
            .or_else(|| {
                catalogue_path
                    .as_deref()
                    .map(|p| (p, Err("it cannot be read".to_string())))
            });
        out.push(
            config_checks::model(
                &ctx,
                &layers,
                &config_checks::ModelInputs {
                    catalogue,
                    catalogue_ours: catalogue_info.as_ref().is_some_and(|i| i.is_ours()),
                    suggestion: network.suggestions.first().map(String::as_str),
                },
            )
            .took(t),
        );
    }

    out.extend(network.checks);

    let t = Instant::now();
    // A command, or Codex's own `.env`, reaches every front end.
    let command_auth = layers
        .item_at(&["model_providers", PROVIDER_ID, "auth", "command"])
        .is_some()
        || key_in_dotenv.is_some();
    out.push(
        shell_profiles(
            &ctx,
            shell_status.as_ref(),
            &env_key,
            auth.is_some(),
            command_auth,
            env,
        )
        .took(t),
    );

    let t = Instant::now();
    if parse_failed || home.is_err() {
        out.push(Check::skipped(
            "projects.trust",
            Category::Projects,
            why_not,
        ));
    } else {
        let entries = trust_entries(&layers, &at, profile);
        out.push(
            projects::trust(
                &ctx,
                &projects::TrustInputs {
                    cwd: &env.cwd,
                    entries,
                    project_local: local_path.as_deref(),
                },
            )
            .took(t),
        );
    }

    let no_openai_login = !home_dir.join("auth.json").exists()
        && (layers.provider_str(PROVIDER_ID, "env_key").is_some()
            || layers
                .item_at(&["model_providers", PROVIDER_ID, "auth"])
                .is_some());
    let mut cli = codex_checks::cli(
        &ctx,
        &codex_checks::CliInputs {
            probe: probe.as_ref(),
            config: selected_path,
            layers: &layers,
            no_openai_login,
        },
    );
    cli.duration_ms = codex_took.as_millis() as u64;
    out.push(cli);
    if let Some(check) = catalog_check {
        out.push(check);
    }
    if let (Some(auth), false) = (&auth, parse_failed || nothing) {
        out.push(catalog_checks::auth_command(
            &ctx,
            &auth.shown,
            catalogue_value.is_some(),
        ));
    }
    if !parse_failed {
        out.extend(codex_checks::docs_mcp(&ctx, &layers));
    }
    let secrets = secrets_seen(&[
        codex_env.var(&env_key).map(str::trim),
        stored.as_ref().map(|(k, _)| k.trim()),
        layers
            .provider_str(PROVIDER_ID, "experimental_bearer_token")
            .map(str::trim),
        key_checks::looks_like_a_key(&env_key).then_some(env_key.as_str()),
        command_output.as_deref(),
    ]);
    let mut report = Report::new(out);
    credit_codex_refusal(&mut report);
    (report, secrets)
}

/// When Codex refuses the config and another finding explains why (a setting Codex rejects,
/// the home, the file), Codex's refusal gets that finding's fix: one cause, one fix.
fn credit_codex_refusal(report: &mut Report) {
    let Some(root) = report.root_cause.clone() else {
        return;
    };
    if crate::doctor::rank(root.code) >= crate::doctor::rank("codex_refuses_config") {
        return;
    }
    let Some(cause) = report
        .check(root.check)
        .and_then(|c| c.findings.iter().find(|f| f.code == root.code))
        .cloned()
    else {
        return;
    };
    for check in report.checks.iter_mut().filter(|c| c.id == "codex.cli") {
        for f in check
            .findings
            .iter_mut()
            .filter(|f| f.code.starts_with("codex_refuses_"))
        {
            f.message
                .push_str(&format!(" (the cause: `{}` in {})", cause.code, root.check));
            if let Some(fix) = &cause.fix {
                let mut fix = fix.clone();
                fix.text = format!("the fix of {}: {}", root.check, fix.text);
                f.fix = Some(fix);
            }
        }
        check.refresh();
    }
}

/// `shell.profiles`, or why it is skipped: the key comes from a command, the provider reads
/// another variable, or the profiles cannot be read.
fn shell_profiles(
    ctx: &Context,
    status: Option<&Result<shell::Status>>,
    env_key: &str,
    auth_command: bool,
    reaches_every_front_end: bool,
    env: &Env,
) -> Check {
    let skipped = |why: String| Check::skipped("shell.profiles", Category::Shell, why);
    match (status, env_key == shell::VAR) {
        _ if auth_command => skipped(
            "Codex gets the key from a command, not from the shells (see key.present)".into(),
        ),
        (Some(Ok(status)), true) => shell_checks::profiles(
            ctx,
            status,
            &gui_front_ends(env.home.as_deref()),
            reaches_every_front_end,
        ),
        (Some(Ok(_)), false) => skipped(format!(
            "the provider reads `{env_key}`; mg-codex manages `{}` only",
            shell::VAR
        )),
        (Some(Err(err)), _) => skipped(format!("the shell profiles cannot be read: {err:#}")),
        (None, _) => skipped("no home directory to find the shell profiles in".into()),
    }
}

/// The trust entries of the config and the profile's file (not of the other layers), each with
/// its file and line.
fn trust_entries<'a>(
    layers: &Layers<'a>,
    at: &'a Where,
    profile: Option<&'a str>,
) -> Vec<projects::Entry<'a>> {
    layers
        .documents()
        .filter_map(|(file, doc)| file.map(|f| (f, doc)))
        .filter(|(file, _)| *file == at.base_path.as_path() || *file == at.selected_path.as_path())
        .flat_map(|(file, doc)| {
            let in_profile = (file != at.base_path.as_path())
                .then_some(profile)
                .flatten();
            doc.trust_entries()
                .into_iter()
                .map(move |e| projects::Entry {
                    line: doc.line_of(&["projects", &e.key]),
                    key: e.key,
                    level: e.level,
                    file,
                    profile: in_profile,
                })
        })
        .collect()
}

/// The secrets this run saw (the key in Codex's environment, the stored one, a bearer token in
/// the config, a key-shaped variable name, what an auth command printed), longest first (a key
/// contains no shorter one of these), for the scrub over the rendered report.
fn secrets_seen(seen: &[Option<&str>]) -> Vec<String> {
    let mut secrets: Vec<String> = seen
        .iter()
        .flatten()
        .filter(|s| s.len() >= 8)
        .map(|s| s.to_string())
        .collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}
