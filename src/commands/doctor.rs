//! `mg-codex doctor`: gather the inputs (files, environment, API answers, Codex's verdict), run
//! the checks, render one report. Read-only: it never writes a file, and it runs Codex on a
//! private copy of the config so Codex cannot write into `CODEX_HOME` either.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::api::{self, ApiError, Client, ClientOptions};
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::codex_config::ConfigDocument;
use crate::config_file::{self, InvalidConfig};
use crate::doctor::checks::{self, CodexProbe, Effective, Loaded};
use crate::doctor::{render, Category, Check, Report};
use crate::env::Env;
use crate::secret::ApiKey;
use crate::ui::Printer;

/// How long `codex --version` and `codex features list` may take.
const CODEX_TIMEOUT: Duration = Duration::from_secs(20);

pub fn run(
    global: &GlobalArgs,
    args: &DoctorArgs,
    env: &Env,
    printer: &Printer,
) -> Result<ExitCode> {
    let report = build_report(global, args, env);
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
    match config_file::load(path) {
        Ok(doc) if path.exists() => Loaded::Parsed(doc),
        Ok(_) => Loaded::Missing,
        Err(err) => match err.downcast::<InvalidConfig>() {
            Ok(invalid) => Loaded::Invalid(invalid),
            Err(other) => Loaded::Invalid(InvalidConfig {
                path: path.to_path_buf(),
                error: crate::codex_config::ParseError {
                    line: 0,
                    column: 0,
                    message: format!("{other:#}"),
                    source_line: String::new(),
                },
            }),
        },
    }
}

fn build_report(global: &GlobalArgs, args: &DoctorArgs, env: &Env) -> Report {
    let started = Instant::now();
    let home = match super::codex_home(global, env) {
        Ok(home) => home,
        Err(err) => {
            let text = format!("{err:#}");
            let (summary, fix) = text
                .split_once("\nhint: ")
                .unwrap_or((&text, "mg-codex init"));
            return Report::new(vec![Check::fail(
                "config.file",
                Category::Config,
                summary,
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
        let base_exists = matches!(base, Loaded::Parsed(_));
        std::thread::spawn(move || {
            let t = Instant::now();
            let probe = find_program("codex", path_var.as_deref())
                .map(|codex| probe_codex(&codex, &base_path, base_exists));
            checks::codex_cli(probe.as_ref()).took(t)
        })
    };

    checks.extend(network_checks(args, env, &eff, key));

    let t = Instant::now();
    checks.push(shell_check(env, &env_key).took(t));

    let mut trust_docs: Vec<&ConfigDocument> = Vec::new();
    trust_docs.extend(selected.as_ref().and_then(Loaded::doc));
    trust_docs.extend(base.doc());
    let t = Instant::now();
    checks.push(checks::projects_trust(&env.cwd, &trust_docs).took(t));

    checks.push(codex_thread.join().unwrap_or_else(|_| {
        Check::fail(
            "codex.cli",
            Category::Codex,
            "the Codex check crashed",
            "run `codex features list` yourself",
        )
    }));
    Report::new(checks)
}

/// `shell.profiles`, from the shell module's view of the profiles.
fn shell_check(env: &Env, env_key: &str) -> Check {
    let shell_env = crate::shell::ShellEnv::from_vars(|name| match name {
        "HOME" => env.home.clone().map(Into::into),
        _ => env.var(name).map(Into::into),
    });
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
    let proxy_hint = url::Url::parse(&base_url)
        .ok()
        .and_then(|u| env.proxy_for(u.scheme(), u.host_str().unwrap_or("")));
    let client = match Client::new(ClientOptions {
        base_url: base_url.clone(),
        key: Some(key),
        timeout: args.timeout,
        proxy_hint,
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
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => return skip_all(&format!("cannot start the network runtime: {err}")),
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
            let outcome = client.model(model).await;
            let catalogue = match &outcome {
                Err(ApiError::NotFound { .. }) => client.models().await.ok(),
                _ => None,
            };
            checks::api_model(model, effort.as_deref(), &outcome, catalogue.as_deref()).took(t)
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

/// Finds a program on `PATH`.
fn find_program(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// `codex --version`, and `codex features list` on a private copy of `config.toml` (in a temp
/// dir, where Codex creates no helper files), so the user's `CODEX_HOME` is never written.
fn probe_codex(codex: &Path, config: &Path, config_exists: bool) -> CodexProbe {
    let version = run_with_timeout(Command::new(codex).arg("--version"))
        .ok()
        .filter(|o| o.0)
        .map(|o| o.1.trim().to_string());
    let loads_config = (|| {
        let tmp = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
        if config_exists {
            std::fs::copy(config, tmp.path().join("config.toml"))
                .map_err(|e| format!("cannot copy `{}`: {e}", config.display()))?;
        }
        let (ok, _, stderr) = run_with_timeout(
            Command::new(codex)
                .args(["features", "list"])
                .env("CODEX_HOME", tmp.path()),
        )?;
        if ok {
            return Ok(());
        }
        let shown = stderr.replace(
            &tmp.path().display().to_string(),
            &config
                .parent()
                .unwrap_or(Path::new(""))
                .display()
                .to_string(),
        );
        Err(first_error_line(&shown))
    })();
    CodexProbe {
        path: codex.to_path_buf(),
        version,
        loads_config,
    }
}

/// The most telling line of Codex's error output: the first `Caused by:` item, else the first
/// `Error` line, else the first non-empty line.
fn first_error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with("Caused by")) {
        if let Some(next) = lines.get(i + 1) {
            return next
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == ':' || c == ' ')
                .to_string();
        }
    }
    lines
        .iter()
        .find(|l| l.starts_with("Error") || l.starts_with("error"))
        .or_else(|| lines.iter().find(|l| !l.starts_with("WARNING")))
        .map(|l| l.to_string())
        .unwrap_or_else(|| "it exited with an error and printed nothing".into())
}

/// Runs a command with stdin closed and a timeout: (success, stdout, stderr).
fn run_with_timeout(cmd: &mut Command) -> Result<(bool, String, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let deadline = Instant::now() + CODEX_TIMEOUT;
    // Drain the pipes in threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_t = std::thread::spawn(move || read_all(out.as_mut()));
    let err_t = std::thread::spawn(move || read_all(err.as_mut()));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    match status {
        Some(status) => Ok((status.success(), stdout, stderr)),
        None => Err(format!("no answer within {} s", CODEX_TIMEOUT.as_secs())),
    }
}

fn read_all(pipe: Option<&mut impl std::io::Read>) -> String {
    let mut text = String::new();
    if let Some(pipe) = pipe {
        let _ = pipe.read_to_string(&mut text);
    }
    text
}
