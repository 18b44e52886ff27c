//! `api.key`, `api.model` and `api.responses` (`--deep`): what the gateway says of the key and
//! the model, and whether a live request completes. A failed call becomes one finding, by
//! kind, with the fix for that kind.

use jiff::Timestamp;
use serde::Serialize;

use super::Context;
use crate::api::{ApiError, KeyInfo, Model, NetFailure, ProbeResult};
use crate::doctor::{Category, Check, Finding, Status};
use crate::model_id::Unfit;
use crate::problem::Fix;

use crate::secret::KEYS_PAGE;

/// The finding for a failed API call.
fn failure(ctx: &Context, what: &str, error: &ApiError) -> Finding {
    let message = format!("{what}: {error}");
    let key_page = |verb: &str| {
        Fix::instruction(format!(
            "{verb} on the ModelGates keys page ({KEYS_PAGE}), then run `{}`",
            ctx.me.command("init")
        ))
    };
    match error {
        // "ModelGates rejected the key (401): …" says what failed already.
        ApiError::KeyRejected { .. } => {
            Finding::fail("key_rejected", error.to_string()).fix(key_page("create or copy a key"))
        }
        ApiError::OutOfCredits { .. } => {
            Finding::fail("key_no_credit", message).fix(Fix::instruction(format!(
                "add credits, or raise this key's limit, on the ModelGates keys page ({KEYS_PAGE})"
            )))
        }
        ApiError::Forbidden { .. } => Finding::fail("forbidden", message).fix(Fix::instruction(
            format!("check the key's permissions on the ModelGates keys page ({KEYS_PAGE})"),
        )),
        ApiError::RateLimited { .. } => {
            Finding::warning("rate_limited", message).fix(Fix::command_with(
                ctx.me.command("doctor"),
                "wait a minute, then run `mg-codex doctor` again",
            ))
        }
        ApiError::ServerError { .. } => {
            Finding::warning("server_error", message).fix(Fix::instruction(
                "ModelGates or its upstream provider is failing: try again in a few minutes",
            ))
        }
        ApiError::Unreachable { failure, proxy, .. } => {
            let code = match failure {
                NetFailure::Dns => "unreachable_dns",
                NetFailure::Refused => "unreachable_refused",
                NetFailure::Tls => "unreachable_tls",
                NetFailure::Timeout => "unreachable_timeout",
                NetFailure::Proxy => "unreachable_proxy",
                NetFailure::Other => "unreachable",
            };
            let fix = match (failure, proxy) {
                (NetFailure::Proxy, Some(p)) | (_, Some(p)) => Fix::instruction(format!(
                    "check the proxy `{p}` (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and your network, then run `mg-codex doctor` again"
                )),
                (NetFailure::Timeout, None) => Fix::instruction(
                    "check your network, or give it more time with `--timeout`",
                ),
                (NetFailure::Tls, None) => Fix::instruction(
                    "check the certificate the server presents; behind a corporate proxy, point `SSL_CERT_FILE` at its CA",
                ),
                _ => Fix::instruction(
                    "check your network and the `base_url` in `[model_providers.modelgates]`",
                ),
            };
            Finding::fail(code, message).fix(fix)
        }
        ApiError::InsecureUrl { .. } => Finding::fail("base_url_insecure", message).fix(ctx.run(
            &format!("init --yes --base-url {}", crate::api::DEFAULT_BASE_URL),
        )),
        ApiError::NotFound { .. } | ApiError::Status { .. } | ApiError::BadResponse { .. } => {
            Finding::fail("bad_response", message).fix(Fix::instruction(format!(
                "check that `base_url` points at the ModelGates API root (`{}`)",
                crate::api::DEFAULT_BASE_URL
            )))
        }
    }
}

fn failed(ctx: &Context, id: &'static str, what: &str, error: &ApiError) -> Check {
    #[derive(Serialize)]
    struct ErrorDetails<'a> {
        error: &'a ApiError,
    }
    Check::new(id, Category::Api, "", vec![failure(ctx, what, error)])
        .details(ErrorDetails { error })
}

/// Days between two instants.
fn days_until(expires: Timestamp, now: Timestamp) -> f64 {
    (expires.as_second() - now.as_second()) as f64 / 86_400.0
}

/// `api.key`: the gateway accepts the key and it can run models. `shown` is the key as the
/// user sees it (its mask); `from_store`: the key came from mg-codex's store, not this
/// terminal.
pub fn key(
    ctx: &Context,
    outcome: &Result<KeyInfo, ApiError>,
    now: Timestamp,
    shown: &str,
    from_store: bool,
) -> Check {
    const ID: &str = "api.key";
    let info = match outcome {
        Err(ApiError::NotFound { .. }) => {
            let error = outcome.as_ref().unwrap_err();
            let finding = Finding::fail(
                "endpoint_missing",
                format!("neither `/key` nor `/auth/key` exists under `base_url`: {error}"),
            )
            .fix(ctx.run(&format!(
                "init --yes --base-url {}",
                crate::api::DEFAULT_BASE_URL
            )));
            return Check::new(ID, Category::Api, "", vec![finding]);
        }
        Err(e) => return failed(ctx, ID, "the key check failed", e),
        Ok(info) => info,
    };
    let mut f = Vec::new();
    if info.is_management_key == Some(true) {
        f.push(
            Finding::fail(
                "key_management",
                format!("{shown} is a management key: it cannot run models"),
            )
            .fix(Fix::instruction(format!(
                "create an inference key on the ModelGates keys page ({KEYS_PAGE}), then run `{}`",
                ctx.me.command("init")
            ))),
        );
    }
    if let Some(remaining) = info.limit_remaining.filter(|r| *r <= 0.0) {
        f.push(
            Finding::fail(
                "key_no_credit",
                format!("{shown} has no credit left ({remaining:.2} USD remaining): requests will fail with 402"),
            )
            .fix(Fix::instruction(format!(
                "add credits, or raise this key's limit, on the ModelGates keys page ({KEYS_PAGE})"
            ))),
        );
    }
    if let Some(expires) = info.expires_at.as_deref() {
        match expires.parse::<Timestamp>() {
            Ok(t) if t <= now => f.push(
                Finding::fail("key_expired", format!("{shown} expired at {expires}")).fix(
                    Fix::instruction(format!(
                        "create a new key on the ModelGates keys page ({KEYS_PAGE}), then run `{}`",
                        ctx.me.command("init")
                    )),
                ),
            ),
            Ok(t) if days_until(t, now) < 7.0 => f.push(
                Finding::warning(
                    "key_expiring",
                    format!(
                        "{shown} expires in {:.1} days ({expires})",
                        days_until(t, now)
                    ),
                )
                .fix(Fix::instruction(format!(
                    "create a new key before then ({KEYS_PAGE}), and run `{}` with it",
                    ctx.me.command("init")
                ))),
            ),
            _ => {}
        }
    }
    if from_store {
        f.push(Finding::note(
            "key_from_store_note",
            "checked with the key mg-codex stored (this terminal does not have it yet)",
        ));
    }
    let mut ok = format!("accepted: {shown}");
    match (info.limit, info.limit_remaining) {
        (Some(limit), Some(rem)) => ok.push_str(&format!(", {rem:.2} of {limit:.2} USD left")),
        (None, _) => ok.push_str(", no spending limit"),
        (Some(limit), None) => ok.push_str(&format!(", limit {limit:.2} USD")),
    }
    if info.is_free_tier == Some(true) {
        ok.push_str(", free tier");
    }
    // One masking style: the server's label (its own mask of the key) is shown as ours.
    let mut info = info.clone();
    if info.label.is_some() {
        info.label = Some(shown.to_string());
    }
    Check::new(ID, Category::Api, ok, f).details(info)
}

/// `api.model`: the configured model exists and can serve Codex.
pub fn model(
    ctx: &Context,
    model_id: &str,
    effort: Option<&str>,
    outcome: &Result<Model, ApiError>,
    suggestions: &[String],
) -> Check {
    const ID: &str = "api.model";
    #[derive(Serialize)]
    struct Missing<'a> {
        model: &'a str,
        suggestions: &'a [String],
    }
    let model = match outcome {
        Err(ApiError::NotFound { .. }) => {
            let hint = if suggestions.is_empty() {
                String::new()
            } else {
                format!(
                    "; did you mean {}?",
                    crate::model_id::quoted_ids(suggestions)
                )
            };
            let fix = match suggestions.first() {
                Some(s) => ctx.run(&format!("model {s}")),
                None => switch_to_default(ctx, model_id, "pick another id"),
            };
            let finding = Finding::fail(
                "model_unknown",
                format!("`{model_id}` is not a ModelGates model{hint}"),
            )
            .fix(fix);
            return Check::new(ID, Category::Api, "", vec![finding]).details(Missing {
                model: model_id,
                suggestions,
            });
        }
        Err(e) => return failed(ctx, ID, "the model check failed", e),
        Ok(m) => m,
    };
    let mut f = Vec::new();
    for unfit in crate::model_id::unfit_for_codex(model, effort) {
        f.push(match unfit {
            Unfit::NoTools => Finding::fail("model_no_tools", unfit.says(model_id))
                .fix(switch_to_default(ctx, model_id, "switch to a model with tool calls")),
            Unfit::NoReasoning => Finding::warning("model_no_reasoning", unfit.says(model_id))
                .fix(ctx.run_with("model --reasoning-effort default", |c| {
                    format!("drop the setting with `{c}` (or pick a reasoning model from `mg-codex models`)")
                })),
        });
    }
    if let Some(date) = &model.expiration_date {
        f.push(
            Finding::warning(
                "model_retiring",
                format!("`{model_id}` is scheduled to be retired on {date}"),
            )
            .fix(switch_to_default(ctx, model_id, "switch before then")),
        );
    }
    let mut ok = format!("`{model_id}` exists");
    if let Some(ctx_len) = model.context_length {
        ok.push_str(&format!(", {ctx_len} tokens of context"));
    }
    Check::new(ID, Category::Api, ok, f).details(model)
}

/// `mg-codex model <the default model>`, with `what` and where the other ids are listed.
fn switch_to_default(ctx: &Context, current: &str, what: &str) -> Fix {
    let default = crate::setup::DEFAULT_MODEL;
    let models = ctx.me.command("models --tools-only");
    if current == default {
        return Fix::instruction(format!(
            "{what}: `{models}` lists them (so does https://modelgates.ai/models), `{}` sets one",
            ctx.me.command("model ID")
        ));
    }
    ctx.run_with(&format!("model {default}"), |c| {
        format!("{what}: `{c}` (the default), or another from `{models}` (or https://modelgates.ai/models)")
    })
}

/// `api.responses` (`--deep`): a one-token streaming request completed.
pub fn responses(ctx: &Context, model_id: &str, outcome: &Result<ProbeResult, ApiError>) -> Check {
    const ID: &str = "api.responses";
    match outcome {
        Ok(probe) => Check::new(
            ID,
            Category::Api,
            format!(
                "`POST /responses` with `{model_id}` streamed to `response.completed`{}",
                probe
                    .response_id
                    .as_deref()
                    .map(|id| format!(" (id `{id}`)"))
                    .unwrap_or_default()
            ),
            Vec::new(),
        )
        .details(probe),
        Err(e) => failed(ctx, ID, "the live request failed", e),
    }
}

/// Whether an API check's outcome is a failure of the key rather than of the network (so the
/// model check has nothing to add).
pub fn is_network(check: &Check) -> bool {
    check.status == Status::Fail
        && check
            .first_problem()
            .is_some_and(|f| f.code.starts_with("unreachable"))
}
