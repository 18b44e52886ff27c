//! The ModelGates client: key status, the model catalogue, one model, and a tiny live probe of
//! the Responses API, each returning typed data or a classified [`ApiError`] that callers match
//! on (shared by `doctor` and `init`).
//!
//! Boundaries and promises:
//! - reqwest with rustls; bounded connect and total timeouts; one retry at most, only for 5xx,
//!   429 (waiting `Retry-After` up to a cap) and transport errors other than timeouts, all within
//!   the one deadline, so a dead or black-holed host costs the timeout once;
//! - the key is sent only to the configured base URL: `https://`, or plain `http://` to a
//!   loopback host; redirects to another origin are not followed (so the key never travels
//!   there);
//! - the key never appears in an error: messages are built from statuses and server text, and
//!   scrubbed of the key anyway.

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde_json::Value;

use crate::secret::{scrub, ApiKey};

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://modelgates.ai/api/v1";
/// The longest `Retry-After` we are willing to wait before the one retry.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);
/// Pause before retrying a transport error or a 5xx without `Retry-After`.
const RETRY_PAUSE: Duration = Duration::from_millis(250);

/// Which kind of network failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NetFailure {
    Dns,
    Refused,
    Tls,
    Timeout,
    Proxy,
    Other,
}

impl NetFailure {
    fn describe(self) -> &'static str {
        match self {
            NetFailure::Dns => "the host name could not be resolved (DNS)",
            NetFailure::Refused => "the connection was refused",
            NetFailure::Tls => "the TLS handshake failed",
            NetFailure::Timeout => "no answer before the timeout",
            NetFailure::Proxy => "the proxy failed",
            NetFailure::Other => "the connection failed",
        }
    }
}

/// A classified failure of one API call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    /// 401: missing, invalid, revoked or expired key.
    KeyRejected { message: String },
    /// 402: out of credits, or the key's own limit is spent.
    OutOfCredits { message: String },
    /// 403: permissions, guardrail, moderation.
    Forbidden { message: String },
    /// 404: unknown model or path.
    NotFound { message: String },
    /// 429, after the one retry.
    RateLimited {
        retry_after_secs: Option<u64>,
        message: String,
    },
    /// 5xx, after the one retry.
    ServerError { status: u16, message: String },
    /// Another HTTP status (400, 408, a redirect we did not follow, ...).
    Status { status: u16, message: String },
    /// The request never got an HTTP answer.
    Unreachable {
        failure: NetFailure,
        host: String,
        proxy: Option<String>,
        detail: String,
    },
    /// An answer that is not what the contract says.
    BadResponse { detail: String },
    /// The base URL may not receive the key (or is not a URL).
    InsecureUrl { url: String, reason: String },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::KeyRejected { message } => write!(f, "the key was rejected (401): {message}"),
            ApiError::OutOfCredits { message } => {
                write!(f, "out of credits or over the key's limit (402): {message}")
            }
            ApiError::Forbidden { message } => write!(f, "forbidden (403): {message}"),
            ApiError::NotFound { message } => write!(f, "not found (404): {message}"),
            ApiError::RateLimited {
                retry_after_secs,
                message,
            } => match retry_after_secs {
                Some(s) => write!(f, "rate limited (429), retry after {s} s: {message}"),
                None => write!(f, "rate limited (429): {message}"),
            },
            ApiError::ServerError { status, message } => {
                write!(f, "the gateway failed ({status}): {message}")
            }
            ApiError::Status { status, message } => write!(f, "HTTP {status}: {message}"),
            ApiError::Unreachable {
                failure,
                host,
                proxy,
                detail,
            } => {
                write!(f, "cannot reach `{host}`: {}", failure.describe())?;
                if let Some(proxy) = proxy {
                    write!(f, " (through the proxy `{proxy}`)")?;
                }
                write!(f, ": {detail}")
            }
            ApiError::BadResponse { detail } => write!(f, "unexpected answer: {detail}"),
            ApiError::InsecureUrl { url, reason } => write!(f, "`{url}`: {reason}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// `GET /key`: the key's own status. Every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyInfo {
    /// Already masked by the server; safe to print.
    pub label: Option<String>,
    pub limit: Option<f64>,
    pub limit_remaining: Option<f64>,
    pub limit_reset: Option<String>,
    pub usage: Option<f64>,
    pub is_free_tier: Option<bool>,
    pub is_management_key: Option<bool>,
    /// ISO-8601.
    pub expires_at: Option<String>,
}

/// One model of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Model {
    pub id: String,
    pub name: Option<String>,
    pub context_length: Option<u64>,
    /// USD per token, as the API gives it.
    pub prompt_price: Option<f64>,
    pub completion_price: Option<f64>,
    pub supported_parameters: Vec<String>,
    pub expiration_date: Option<String>,
}

impl Model {
    pub fn supports(&self, parameter: &str) -> bool {
        self.supported_parameters.iter().any(|p| p == parameter)
    }

    /// Whether the model supports `parameter`; `None` when the catalogue lists no parameters at
    /// all (it does not say).
    pub fn supports_known(&self, parameter: &str) -> Option<bool> {
        (!self.supported_parameters.is_empty()).then(|| self.supports(parameter))
    }

    /// USD per million prompt tokens; `None` when missing or negative (a price that varies).
    pub fn prompt_per_million(&self) -> Option<f64> {
        self.prompt_price.and_then(per_million)
    }

    /// USD per million completion tokens; `None` when missing or negative.
    pub fn completion_per_million(&self) -> Option<f64> {
        self.completion_price.and_then(per_million)
    }
}

/// A per-token price as USD per million tokens, rounded to a millionth of a dollar (so the
/// binary error of `0.00000175 * 1e6` does not show). Negative prices (the gateway's "varies")
/// and non-finite ones are `None`.
pub fn per_million(per_token: f64) -> Option<f64> {
    let exact = per_token * 1e6;
    let rounded = (per_token * 1e12).round() / 1e6;
    // A price too small to show is still not free.
    let value = if rounded == 0.0 { exact } else { rounded };
    (value.is_finite() && value >= 0.0).then_some(value + 0.0)
}

/// What looking up one id found.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Model),
    /// Neither `GET /model/{id}` nor the catalogue knows it; the catalogue is kept for
    /// suggestions.
    Missing {
        message: String,
        catalogue: Vec<Model>,
    },
}

impl Lookup {
    /// A lookup's outcome as a model or an error (`NotFound` for a missing one), with the
    /// catalogue it already fetched for a missing one (for "did you mean").
    pub fn split(
        outcome: Result<Lookup, ApiError>,
    ) -> (Result<Model, ApiError>, Option<Vec<Model>>) {
        match outcome {
            Ok(Lookup::Found(model)) => (Ok(model), None),
            Ok(Lookup::Missing { message, catalogue }) => {
                (Err(ApiError::NotFound { message }), Some(catalogue))
            }
            Err(e) => (Err(e), None),
        }
    }
}

/// What the live probe saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeResult {
    /// The `id` of `response.completed`.
    pub response_id: Option<String>,
    /// Text of the answer, when the stream carried any.
    pub text: String,
}

/// How to reach the API.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub key: Option<ApiKey>,
    /// Total time for one call, retries included.
    pub timeout: Duration,
    /// The proxy reqwest will use (from `HTTPS_PROXY`/`ALL_PROXY`), for error messages only.
    pub proxy_hint: Option<String>,
}

/// The ModelGates client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    key: Option<ApiKey>,
    timeout: Duration,
    proxy_hint: Option<String>,
}

impl Client {
    /// Builds a client; fails for a base URL that may not receive the key.
    pub fn new(options: ClientOptions) -> Result<Self, ApiError> {
        let base = check_base_url(&options.base_url)?;
        let origin = base.origin();
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.url().origin() != origin || attempt.previous().len() >= 5 {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("mg-codex/", env!("CARGO_PKG_VERSION"))),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(redirect)
            .connect_timeout(options.timeout.min(Duration::from_secs(5)))
            .timeout(options.timeout)
            .build()
            .map_err(|e| ApiError::BadResponse {
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self {
            http,
            base,
            key: options.key,
            timeout: options.timeout,
            proxy_hint: options.proxy_hint,
        })
    }

    /// `GET /key`, falling back to `GET /auth/key` when `/key` is 404.
    pub async fn key_status(&self) -> Result<KeyInfo, ApiError> {
        let body = match self.get_json("key").await {
            Err(ApiError::NotFound { .. }) => self.get_json("auth/key").await?,
            other => other?,
        };
        parse_key_info(&body)
    }

    /// `GET /models`: the catalogue.
    pub async fn models(&self) -> Result<Vec<Model>, ApiError> {
        self.models_with(&[]).await
    }

    /// `GET /models?name=value&...`, e.g. `[("supported_parameters", "tools")]`. The server may
    /// ignore a parameter: callers that rely on one filter the answer themselves.
    pub async fn models_with(&self, query: &[(&str, &str)]) -> Result<Vec<Model>, ApiError> {
        let mut path = String::from("models");
        if !query.is_empty() {
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish();
            path.push('?');
            path.push_str(&encoded);
        }
        let body = self.get_json(&path).await?;
        let data = body
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("`/models` has no `data` array"))?;
        data.iter().map(parse_model).collect()
    }

    /// `GET /model/{author}/{slug}`; when that answers 404, the catalogue decides. A model that
    /// is in neither is `NotFound`.
    pub async fn model(&self, id: &str) -> Result<Model, ApiError> {
        Lookup::split(self.lookup(id).await).0
    }

    /// As [`Self::model`], but a model that is in neither comes back as [`Lookup::Missing`]
    /// with the catalogue, for "did you mean" (fetched once).
    pub async fn lookup(&self, id: &str) -> Result<Lookup, ApiError> {
        let path = format!("model/{}", id.trim_start_matches('/'));
        match self.get_json(&path).await {
            Ok(body) => {
                let data = body
                    .get("data")
                    .ok_or_else(|| bad("`/model` has no `data` object"))?;
                parse_model(data).map(Lookup::Found)
            }
            Err(ApiError::NotFound { message }) => {
                let catalogue = self.models().await?;
                Ok(match catalogue.iter().position(|m| m.id == id) {
                    Some(i) => Lookup::Found(catalogue[i].clone()),
                    None => Lookup::Missing { message, catalogue },
                })
            }
            Err(other) => Err(other),
        }
    }

    /// `POST /responses` with a one-word streaming request; reads the stream to
    /// `response.completed`.
    pub async fn probe(&self, model: &str, effort: Option<&str>) -> Result<ProbeResult, ApiError> {
        let mut body = serde_json::json!({
            "model": model,
            "input": "Reply with the single word: ok",
            "stream": true,
            "store": false,
            "max_output_tokens": 16,
        });
        if let Some(effort) = effort {
            body["reasoning"] = serde_json::json!({ "effort": effort });
        }
        let deadline = Instant::now() + self.timeout;
        let response = self
            .send(Method::POST, "responses", Some(&body), deadline)
            .await?;
        let mut response = response;
        // Bytes, not text: a chunk may end inside a multi-byte character. Lines are decoded
        // only once complete.
        let mut buffer: Vec<u8> = Vec::new();
        let mut result = ProbeResult {
            response_id: None,
            text: String::new(),
        };
        loop {
            let chunk = tokio::time::timeout_at(deadline.into(), response.chunk())
                .await
                .map_err(|_| self.unreachable_timeout())?
                .map_err(|e| self.transport_error(&e))?;
            let Some(chunk) = chunk else {
                return Err(bad("the stream ended before `response.completed`"));
            };
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                let raw: Vec<u8> = buffer.drain(..=end).collect();
                let line = String::from_utf8_lossy(&raw);
                let Some(data) = line.trim_end().strip_prefix("data:") else {
                    continue;
                };
                let data = data.trim();
                if data.is_empty() || data == "[DONE]" {
                    continue;
                }
                let event: Value = serde_json::from_str(data)
                    .map_err(|e| bad(&format!("an event that is not JSON ({e})")))?;
                match event.get("type").and_then(Value::as_str) {
                    Some("response.output_text.delta") => {
                        if let Some(delta) = event.get("delta").and_then(Value::as_str) {
                            result.text.push_str(delta);
                        }
                    }
                    Some("response.completed") => {
                        result.response_id = event
                            .pointer("/response/id")
                            .and_then(Value::as_str)
                            .map(str::to_string);
                        return Ok(result);
                    }
                    Some("response.failed") | Some("error") => {
                        let message = event
                            .pointer("/response/error/message")
                            .or_else(|| event.pointer("/error/message"))
                            .or_else(|| event.get("message"))
                            .and_then(Value::as_str)
                            .unwrap_or("the response failed");
                        return Err(bad(&format!(
                            "the stream reported an error: {}",
                            self.clean(message)
                        )));
                    }
                    _ => {}
                }
            }
        }
    }

    async fn get_json(&self, path: &str) -> Result<Value, ApiError> {
        let deadline = Instant::now() + self.timeout;
        let response = self.send(Method::GET, path, None, deadline).await?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let text = tokio::time::timeout(remaining, response.text())
            .await
            .map_err(|_| self.unreachable_timeout())?
            .map_err(|e| self.transport_error(&e))?;
        serde_json::from_str(&text).map_err(|e| {
            bad(&format!(
                "`/{path}` did not answer JSON ({e}); it starts with `{}`",
                self.clean(&text).chars().take(60).collect::<String>()
            ))
        })
    }

    /// Sends one request with at most one retry, all before `deadline`. Returns the response
    /// of a 2xx; every other outcome is classified.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        deadline: Instant,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.url(path)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(self.unreachable_timeout());
            }
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .timeout(remaining);
            if let Some(key) = &self.key {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                    .map_err(|_| bad("the key cannot be sent in a header"))?;
                value.set_sensitive(true);
                request = request.header(AUTHORIZATION, value);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let (retry_wait, error) = match request.send().await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status();
                    let retry_after = parse_retry_after(response.headers());
                    let location = response
                        .headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let text = tokio::time::timeout(
                        deadline.saturating_duration_since(Instant::now()),
                        response.text(),
                    )
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or_default();
                    let error = self.classify_status(status, &text, retry_after, location);
                    let wait = match status.as_u16() {
                        429 => Some(retry_after.unwrap_or(RETRY_PAUSE).min(MAX_RETRY_WAIT)),
                        500..=599 => Some(retry_after.unwrap_or(RETRY_PAUSE).min(MAX_RETRY_WAIT)),
                        _ => None,
                    };
                    (wait, error)
                }
                Err(e) => {
                    let error = self.transport_error(&e);
                    let retry = !e.is_timeout();
                    (retry.then_some(RETRY_PAUSE), error)
                }
            };
            let Some(wait) = retry_wait.filter(|_| attempt == 1) else {
                return Err(error);
            };
            if Instant::now() + wait >= deadline {
                return Err(error);
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn url(&self, path: &str) -> Result<Url, ApiError> {
        let mut base = self.base.clone();
        if !base.path().ends_with('/') {
            let with_slash = format!("{}/", base.path());
            base.set_path(&with_slash);
        }
        base.join(path).map_err(|e| ApiError::InsecureUrl {
            url: self.base.to_string(),
            reason: format!("cannot append `{path}`: {e}"),
        })
    }

    fn classify_status(
        &self,
        status: StatusCode,
        body: &str,
        retry_after: Option<Duration>,
        location: Option<String>,
    ) -> ApiError {
        let message = self.clean(&error_message(body, status));
        match status.as_u16() {
            401 => ApiError::KeyRejected { message },
            402 => ApiError::OutOfCredits { message },
            403 => ApiError::Forbidden { message },
            404 => ApiError::NotFound { message },
            429 => ApiError::RateLimited {
                retry_after_secs: retry_after.map(|d| d.as_secs()),
                message,
            },
            500..=599 => ApiError::ServerError {
                status: status.as_u16(),
                message,
            },
            300..=399 => ApiError::Status {
                status: status.as_u16(),
                message: format!(
                    "a redirect to `{}` was not followed, so the key was not sent there; set the base URL to the gateway's real address",
                    self.clean(&location.unwrap_or_else(|| "?".into()))
                ),
            },
            other => ApiError::Status {
                status: other,
                message,
            },
        }
    }

    fn host(&self) -> String {
        let host = self.base.host_str().unwrap_or("?");
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    fn unreachable_timeout(&self) -> ApiError {
        ApiError::Unreachable {
            failure: NetFailure::Timeout,
            host: self.host(),
            proxy: self.proxy_hint.clone(),
            detail: format!("gave up after {} s", self.timeout.as_secs_f32()),
        }
    }

    fn transport_error(&self, e: &reqwest::Error) -> ApiError {
        let chain = error_chain(e);
        let lower = chain.to_lowercase();
        let failure = if e.is_timeout() {
            NetFailure::Timeout
        } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
            NetFailure::Dns
        } else if lower.contains("connection refused") {
            NetFailure::Refused
        } else if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
        {
            NetFailure::Tls
        } else if lower.contains("proxy") {
            NetFailure::Proxy
        } else {
            NetFailure::Other
        };
        ApiError::Unreachable {
            failure,
            host: self.host(),
            proxy: self.proxy_hint.clone(),
            detail: self.clean(&root_cause(e)),
        }
    }

    /// Removes the key (should a server echo it) from text we show.
    fn clean(&self, text: &str) -> String {
        match &self.key {
            Some(key) => scrub(text, key.expose()),
            None => text.to_string(),
        }
    }
}

/// Checks that a base URL may receive the key: `https://`, or `http://` to a loopback host.
pub fn check_base_url(raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw).map_err(|e| ApiError::InsecureUrl {
        url: raw.to_string(),
        reason: format!("not a URL ({e})"),
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(ApiError::InsecureUrl {
            url: raw.to_string(),
            reason: "plain http is allowed only for loopback hosts (localhost, 127.0.0.1, ::1); the key would travel unencrypted".into(),
        }),
        other => Err(ApiError::InsecureUrl {
            url: raw.to_string(),
            reason: format!("unsupported scheme `{other}` (use https)"),
        }),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn bad(detail: &str) -> ApiError {
    ApiError::BadResponse {
        detail: detail.to_string(),
    }
}

/// The innermost cause of an error (`Connection refused (os error 111)`), which says the most
/// in the fewest words.
fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// Every cause, for classifying.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// `Retry-After` as seconds (the HTTP-date form is rare for APIs and treated as absent).
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// `{"error": {"code": 401 | "invalid_prompt", "message": "..."}}` → a short message.
pub fn error_message(body: &str, status: StatusCode) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let code = error.and_then(|e| e.get("code")).and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    match (message, code) {
        (Some(m), Some(c)) if c != status.as_u16().to_string() => format!("{m} (code {c})"),
        (Some(m), _) => m,
        (None, Some(c)) => format!("code {c}"),
        (None, None) => status
            .canonical_reason()
            .unwrap_or("no error message")
            .to_string(),
    }
}

fn parse_key_info(body: &Value) -> Result<KeyInfo, ApiError> {
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| bad("`/key` has no `data` object"))?;
    let s = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
    let f = |k: &str| data.get(k).and_then(number);
    let b = |k: &str| data.get(k).and_then(Value::as_bool);
    Ok(KeyInfo {
        label: s("label"),
        limit: f("limit"),
        limit_remaining: f("limit_remaining"),
        limit_reset: s("limit_reset"),
        usage: f("usage"),
        is_free_tier: b("is_free_tier"),
        is_management_key: b("is_management_key"),
        expires_at: s("expires_at"),
    })
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn parse_model(v: &Value) -> Result<Model, ApiError> {
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("a model without a string `id`"))?;
    let pricing = v.get("pricing");
    Ok(Model {
        id: id.to_string(),
        name: v.get("name").and_then(Value::as_str).map(str::to_string),
        context_length: v.get("context_length").and_then(number).map(|n| n as u64),
        prompt_price: pricing.and_then(|p| p.get("prompt")).and_then(number),
        completion_price: pricing.and_then(|p| p.get("completion")).and_then(number),
        supported_parameters: v
            .get("supported_parameters")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        expiration_date: v
            .get("expiration_date")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// `suggest`'s ids for a "did you mean" line: `` `a`, `b`, `c` ``.
pub fn quoted_ids(ids: &[String]) -> String {
    ids.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Up to three catalogue ids close to `wanted`: an id whose slug equals `wanted` (the missing
/// `author/` prefix), then ids containing it, then the nearest by edit distance.
pub fn suggest(wanted: &str, catalogue: &[Model]) -> Vec<String> {
    let wanted_lower = wanted.to_lowercase();
    let wanted_slug = wanted_lower.rsplit('/').next().unwrap_or(&wanted_lower);
    let mut scored: Vec<(u8, f64, &str)> = catalogue
        .iter()
        .map(|m| {
            let id = m.id.to_lowercase();
            let slug = id.split_once('/').map_or(id.as_str(), |(_, s)| s);
            let slug_no_variant = slug.split(':').next().unwrap_or(slug);
            let rank = if slug == wanted_slug || slug_no_variant == wanted_slug {
                0
            } else if id.contains(wanted_slug) {
                1
            } else {
                2
            };
            let similarity = strsim::jaro_winkler(&wanted_lower, &id)
                .max(strsim::jaro_winkler(wanted_slug, slug));
            (rank, similarity, m.id.as_str())
        })
        .filter(|(rank, similarity, _)| *rank < 2 || *similarity >= 0.8)
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, id)| id.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str) -> Model {
        Model {
            id: id.into(),
            ..Model::default()
        }
    }

    #[test]
    fn suggests_the_missing_author_prefix_first() {
        let catalogue = [
            model("openai/gpt-5.2-codex"),
            model("openai/gpt-5.3-codex"),
            model("anthropic/claude-sonnet-4.5"),
        ];
        let s = suggest("gpt-5.3-codex", &catalogue);
        assert_eq!(s[0], "openai/gpt-5.3-codex");
        assert!(!s.contains(&"anthropic/claude-sonnet-4.5".to_string()));
        assert_eq!(
            suggest("openai/gpt-5.3-codx", &catalogue)[0],
            "openai/gpt-5.3-codex"
        );
    }

    #[test]
    fn prices_per_million_are_exact_and_unknown_when_negative() {
        assert_eq!(per_million(0.00000175), Some(1.75));
        assert_eq!(per_million(0.000001125), Some(1.125));
        assert_eq!(per_million(0.000000028), Some(0.028));
        assert_eq!(per_million(0.0), Some(0.0));
        assert_eq!(per_million(-1.0), None);
        assert_eq!(per_million(f64::NAN), None);
        // Too small to round to a millionth of a dollar, but not free.
        assert!(per_million(1e-15).is_some_and(|p| p > 0.0));
        let m = Model {
            prompt_price: Some(0.000003),
            ..model("a/b")
        };
        assert_eq!(m.prompt_per_million(), Some(3.0));
        assert_eq!(m.completion_per_million(), None);
    }

    #[test]
    fn support_is_unknown_when_no_parameter_is_listed() {
        assert_eq!(model("a/b").supports_known("tools"), None);
        let m = Model {
            supported_parameters: vec!["tools".into()],
            ..model("a/b")
        };
        assert_eq!(m.supports_known("tools"), Some(true));
        assert_eq!(m.supports_known("reasoning"), Some(false));
    }

    #[test]
    fn base_url_rules() {
        assert!(check_base_url("https://modelgates.ai/api/v1").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/api/v1").is_ok());
        assert!(check_base_url("http://localhost/api/v1").is_ok());
        assert!(check_base_url("http://[::1]:9/api").is_ok());
        assert!(check_base_url("http://modelgates.ai/api/v1").is_err());
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("not a url").is_err());
    }

    #[test]
    fn error_codes_may_be_numbers_or_strings() {
        let m = error_message(
            r#"{"error":{"code":"invalid_prompt","message":"bad"}}"#,
            StatusCode::BAD_REQUEST,
        );
        assert_eq!(m, "bad (code invalid_prompt)");
        let m = error_message(
            r#"{"error":{"code":401,"message":"User not found."}}"#,
            StatusCode::UNAUTHORIZED,
        );
        assert_eq!(m, "User not found.");
        assert_eq!(
            error_message("<html>", StatusCode::BAD_GATEWAY),
            "Bad Gateway"
        );
    }

    #[test]
    fn key_info_tolerates_missing_and_null_fields() {
        let info = parse_key_info(
            &serde_json::json!({"data": {"label": null, "limit": 25.0, "extra": 1}}),
        )
        .unwrap();
        assert_eq!(info.limit, Some(25.0));
        assert_eq!(info.label, None);
        assert!(parse_key_info(&serde_json::json!({"data": []})).is_err());
    }
}
