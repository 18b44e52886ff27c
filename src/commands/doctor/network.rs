//! The network checks, concurrently on the process's runtime with bounded timeouts (the key,
//! the model, the catalogue), and the proxy `$CODEX_HOME/.env` sets blamed where it is the cause.

use super::*;

/// The results of the network checks, for the checks that build on them.
pub(super) struct Network {
    pub(super) checks: Vec<Check>,
    /// Ids close to a model the gateway does not know.
    pub(super) suggestions: Vec<String>,
}

/// `api.key`, `api.model` and (with `--deep`) `api.responses`, concurrently.
pub(super) fn network_checks(
    ctx: &Context,
    args: &DoctorArgs,
    env: &Env,
    layers: &Layers,
    key: Option<ApiKey>,
    from_store: bool,
    skip: Option<&str>,
) -> Network {
    let mut ids = vec!["api.key", "api.model"];
    if args.deep {
        ids.push("api.responses");
    }
    let skip_all = |why: &str| Network {
        checks: ids
            .iter()
            .map(|id| Check::skipped(id, Category::Api, why))
            .collect(),
        suggestions: Vec::new(),
    };
    if args.offline {
        return skip_all("--offline");
    }
    if let Some(why) = skip {
        return skip_all(why);
    }
    if layers.root_str("model_provider") != Some(PROVIDER_ID) {
        return skip_all("ModelGates is not the provider (see config.provider)");
    }
    let Some(base_url) = layers.base_url().filter(|u| !u.trim().is_empty()) else {
        return skip_all("no `base_url` for ModelGates (see config.provider)");
    };
    let Some(key) = key else {
        return skip_all("no usable key (see key.present)");
    };
    let shown = key.masked();
    let model = layers.root_str("model").map(str::to_string);
    let effort = layers
        .root_str("model_reasoning_effort")
        .map(str::to_string);
    let client = match Client::new(ClientOptions {
        base_url: base_url.clone(),
        key: Some(key),
        timeout: args.timeout,
        network: env.network(),
    }) {
        Ok(client) => client,
        Err(err) => {
            let mut checks = vec![api_checks::key(
                ctx,
                &Err(err),
                jiff::Timestamp::now(),
                &shown,
                from_store,
            )];
            checks.extend(
                ids.iter()
                    .skip(1)
                    .map(|id| Check::skipped(id, Category::Api, "the base URL was refused")),
            );
            return Network {
                checks,
                suggestions: Vec::new(),
            };
        }
    };
    let runtime = match crate::commands::runtime() {
        Ok(rt) => rt,
        Err(err) => {
            return skip_all(&format!(
                "cannot start the network runtime: {:#}",
                err.root_cause()
            ))
        }
    };
    let now = jiff::Timestamp::now();
    runtime.block_on(async {
        let key_task = async {
            let t = Instant::now();
            api_checks::key(ctx, &client.key_status().await, now, &shown, from_store).took(t)
        };
        let model_task = async {
            let t = Instant::now();
            let Some(model) = model.as_deref() else {
                return (
                    Check::skipped("api.model", Category::Api, "no `model` in the config"),
                    Vec::new(),
                );
            };
            let (outcome, catalogue) = Lookup::split(client.lookup(model).await);
            let suggestions: Vec<String> = catalogue
                .as_deref()
                .map(|c: &[Model]| crate::model_id::suggest(model, c))
                .unwrap_or_default();
            let check =
                api_checks::model(ctx, model, effort.as_deref(), &outcome, &suggestions).took(t);
            (check, suggestions)
        };
        let probe_task = async {
            if !args.deep {
                return None;
            }
            let t = Instant::now();
            Some(match model.as_deref() {
                None => Check::skipped("api.responses", Category::Api, "no `model` in the config"),
                Some(m) => {
                    api_checks::responses(ctx, m, &client.probe(m, effort.as_deref()).await).took(t)
                }
            })
        };
        let (k, (m, suggestions), p) = tokio::join!(key_task, model_task, probe_task);
        let mut checks = vec![k];
        // A network failure explains the model check's failure too: it says so instead.
        if api_checks::is_network(&checks[0]) && m.status == crate::doctor::Status::Fail {
            checks.push(Check::skipped(
                "api.model",
                Category::Api,
                "ModelGates cannot be reached (see api.key)",
            ));
        } else {
            checks.push(m);
        }
        checks.extend(p);
        Network {
            checks,
            suggestions,
        }
    })
}

/// A proxy that fails and comes from `$CODEX_HOME/.env` (the environment has none): the
/// finding names that file and line, and the fix is to edit it.
pub(super) fn blame_dotenv_proxy(
    ctx: &Context,
    checks: &mut [Check],
    path: &Path,
    dotenv: &[crate::dotenv::Assignment],
) {
    let proxies: Vec<&crate::dotenv::Assignment> = dotenv
        .iter()
        .filter(|a| {
            matches!(
                a.name.to_ascii_uppercase().as_str(),
                "HTTPS_PROXY" | "HTTP_PROXY" | "ALL_PROXY"
            )
        })
        .collect();
    let Some(first) = proxies.first() else {
        return;
    };
    let lines: Vec<String> = proxies.iter().map(|a| a.line.to_string()).collect();
    for check in checks.iter_mut() {
        let mut changed = false;
        for f in check
            .findings
            .iter_mut()
            .filter(|f| f.code == "unreachable_proxy")
        {
            f.message.push_str(&format!(
                " (the proxy comes from `{}`, which Codex loads)",
                ctx.show(path)
            ));
            f.evidence.file = Some(path.to_path_buf());
            f.evidence.line = Some(first.line);
            f.fix = Some(crate::problem::Fix::edit(
                path,
                Some(first.line),
                format!(
                    "delete the proxy line{} {} of `{}` (the proxy is gone), or start the proxy again",
                    if lines.len() == 1 { "" } else { "s" },
                    lines.join(", "),
                    ctx.show(path)
                ),
            ));
            changed = true;
        }
        if changed {
            check.refresh();
        }
    }
}
