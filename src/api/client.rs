//! The HTTP client: one request with at most one retry within one deadline, the key sent only
//! to the configured origin, through the proxy `proxy` decides (reqwest's own reading of the
//! environment is off), trusting the roots `tls` loads, and every non-2xx answer or transport
//! failure classified.
//!
//! Boundary: builds requests and classifies outcomes; the JSON shapes are `wire`'s, the
//! streaming probe is `probe`'s, what a transport error is made of is `transport`'s.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::base_url::{check_base_url, is_loopback};
use super::body::{BodyError, BodyReader, MAX_BODY_BYTES};
use super::error::{bad, root_cause, ApiError, NetFailure};
use super::proxy::Proxies;
use super::scrub::Scrubber;
use super::tls::Trust;
use super::transport::{self, Cause};
use super::wire::{self, error_message, CatalogueBody, KeyBody, KeyInfo, Lookup, Model, ModelBody};
use super::MAX_RETRY_WAIT;
use crate::secret::ApiKey;

/// Pause before retrying a transport error or a 5xx without `Retry-After`.
const RETRY_PAUSE: Duration = Duration::from_millis(250);
/// How much of a body that is not JSON is scrubbed for the 60 characters an error quotes:
/// far more than any key.
const QUOTED_BYTES: usize = 4096;

/// How to reach the API.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub key: Option<ApiKey>,
    /// Total time for one call, retries included.
    pub timeout: Duration,
    /// Proxies and extra CA certificates, from the environment.
    pub network: Network,
}

/// The environment's say in how requests travel: the proxy variables and the CA files.
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub proxies: Proxies,
    pub trust: Trust,
}

impl Network {
    /// Reads `HTTPS_PROXY`, `NO_PROXY`, `SSL_CERT_FILE`, ... through `var` (a variable's value,
    /// if set): the caller's `Env`, never the process environment directly.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            proxies: Proxies::from_vars(&var),
            trust: Trust::from_vars(&var),
        }
    }
}

/// The ModelGates client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    key: Option<ApiKey>,
    pub(super) timeout: Duration,
    /// The proxy requests to `base` go through, as messages show it.
    proxy_hint: Option<String>,
    /// Why that proxy cannot be used (an unsupported scheme, say): every request fails so.
    proxy_problem: Option<String>,
    /// CA files that could not be used, shown when a certificate is not trusted.
    tls_notes: Vec<String>,
}

impl Client {
    /// The key it sends, masked (`sk-mg-…9f2c`), for messages.
    pub fn key_masked(&self) -> Option<String> {
        self.key.as_ref().map(ApiKey::masked)
    }

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
        let proxy = options.network.proxies.for_url(&base);
        let proxy_problem = proxy.as_ref().and_then(|p| p.url().err());
        let proxies = options.network.proxies;
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(redirect)
            .connect_timeout(options.timeout.min(Duration::from_secs(5)))
            .timeout(options.timeout)
            // Only the proxy `Proxies::for_url` picks, never reqwest's own reading of the
            // environment (which would proxy loopback hosts).
            .no_proxy()
            .proxy(reqwest::Proxy::custom(move |url| {
                proxies.for_url(url).and_then(|p| p.url().ok())
            }));
        // Roots are needed only when TLS is spoken: to the gateway or to the proxy.
        let tls = base.scheme() == "https"
            || proxy
                .as_ref()
                .and_then(|p| p.url().ok())
                .is_some_and(|u| u.scheme() == "https");
        let mut tls_notes = Vec::new();
        if tls {
            let roots = options.network.trust.load();
            for cert in roots.certs {
                builder = builder.add_root_certificate(cert);
            }
            tls_notes = roots.notes;
        }
        let http = builder
            .build()
            .map_err(|e| bad(&format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base,
            key: options.key,
            timeout: options.timeout,
            proxy_hint: proxy.map(|p| p.shown()),
            proxy_problem,
            tls_notes,
        })
    }

    /// `GET /key`, falling back to `GET /auth/key` when `/key` is 404.
    pub async fn key_status(&self) -> Result<KeyInfo, ApiError> {
        let body: KeyBody = match self.get_json("key").await {
            Err(ApiError::NotFound { .. }) => self.get_json("auth/key").await?,
            other => other?,
        };
        wire::key_info(body).map(|info| self.scrubber().key_info(info))
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
        let body: CatalogueBody = self.get_json(&path).await?;
        let scrub = self.scrubber();
        Ok(wire::catalogue(body)?
            .into_iter()
            .map(|m| scrub.model(m))
            .collect())
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
        match self.get_json::<ModelBody>(&path).await {
            Ok(body) => wire::one_model(body).map(|m| Lookup::Found(self.scrubber().model(m))),
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

    /// `GET path`, its body read as `T` (see `wire`: lenient, in bounded memory).
    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let deadline = Instant::now() + self.timeout;
        let response = self.send(Method::GET, path, None, deadline).await?;
        let body = self
            .body(response, deadline)?
            .read_all()
            .await
            .map_err(|e| self.body_error(e))?;
        serde_json::from_slice(&body).map_err(|e| {
            // Scrubbed before it is cut (a key across the cut is masked whole); only the start
            // is looked at, not a copy of a body of up to 64 MiB.
            let start = &body[..body.len().min(QUOTED_BYTES)];
            bad(&format!(
                "`/{path}` did not answer JSON ({e}); it starts with `{}`",
                self.clean(&String::from_utf8_lossy(start))
                    .chars()
                    .take(60)
                    .collect::<String>()
            ))
        })
    }

    /// Reads `response`'s body under [`MAX_BODY_BYTES`] and `deadline`.
    pub(super) fn body(
        &self,
        response: reqwest::Response,
        deadline: Instant,
    ) -> Result<BodyReader, ApiError> {
        BodyReader::new(response, deadline, MAX_BODY_BYTES).map_err(|e| self.body_error(e))
    }

    /// What a body that could not be read whole becomes.
    pub(super) fn body_error(&self, e: BodyError) -> ApiError {
        match e {
            BodyError::TooLarge => ApiError::too_large(&self.host()),
            BodyError::Timeout => self.unreachable_timeout(),
            BodyError::Transport(e) => self.transport_error(&e),
        }
    }

    /// Sends one request with at most one retry, all before `deadline`. Returns the response
    /// of a 2xx; every other outcome is classified.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        deadline: Instant,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.url(path)?;
        if let Some(problem) = &self.proxy_problem {
            return Err(ApiError::Unreachable {
                failure: NetFailure::Proxy,
                host: self.host(),
                proxy: self.proxy_hint.clone(),
                detail: problem.clone(),
            });
        }
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
                    // A body that is cut short or late still leaves the status to go by; one
                    // over the cap is an answer of its own.
                    let text = match self.body(response, deadline)?.read_all().await {
                        Ok(body) => String::from_utf8_lossy(&body).into_owned(),
                        Err(BodyError::TooLarge) => return Err(ApiError::too_large(&self.host())),
                        Err(BodyError::Timeout | BodyError::Transport(_)) => String::new(),
                    };
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
                    let retry = transport::cause(&e).retryable();
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

    pub(super) fn host(&self) -> String {
        let host = self.base.host_str().unwrap_or("?");
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    pub(super) fn unreachable_timeout(&self) -> ApiError {
        ApiError::Unreachable {
            failure: NetFailure::Timeout,
            host: self.host(),
            proxy: self.proxy_hint.clone(),
            detail: format!("gave up after {} s", self.timeout.as_secs_f32()),
        }
    }

    pub(super) fn transport_error(&self, e: &reqwest::Error) -> ApiError {
        let via_proxy = self.proxy_hint.is_some();
        let root = root_cause(e);
        let (failure, detail) = match transport::cause(e) {
            Cause::Timeout => (NetFailure::Timeout, root),
            // Through a proxy, the connection that failed is the one to the proxy.
            Cause::Refused | Cause::Dns if via_proxy => (NetFailure::Proxy, root),
            Cause::Refused => (NetFailure::Refused, root),
            Cause::Dns => (NetFailure::Dns, root),
            Cause::Tunnel => (
                NetFailure::Proxy,
                format!("it did not open a tunnel to `{}` ({root})", self.host()),
            ),
            Cause::Certificate => (NetFailure::Tls, self.untrusted(&root)),
            Cause::NotTls => (NetFailure::Tls, self.not_tls(&root)),
            Cause::Tls => (NetFailure::Tls, root),
            Cause::NotHttp => (NetFailure::Other, self.not_http(&root)),
            Cause::Closed => (
                NetFailure::Other,
                format!("the connection closed before the whole answer arrived ({root})"),
            ),
            Cause::Other if via_proxy && e.is_connect() => (NetFailure::Proxy, root),
            Cause::Other => (NetFailure::Other, root),
        };
        ApiError::Unreachable {
            failure,
            host: self.host(),
            proxy: self.proxy_hint.clone(),
            detail: self.clean(&detail),
        }
    }

    /// The server's certificate is not trusted: what is, and how to add a CA.
    fn untrusted(&self, root: &str) -> String {
        let mut text = format!(
            "the server's certificate is not trusted ({root}); if the gateway or a proxy uses a CA of its own, point `SSL_CERT_FILE` at its certificate (PEM)"
        );
        for note in &self.tls_notes {
            text.push_str("; ");
            text.push_str(note);
        }
        text
    }

    /// `https://` to a port without TLS; `http://` is offered only for loopback hosts (the
    /// key may travel in clear only there).
    fn not_tls(&self, root: &str) -> String {
        let host = self.host();
        if is_loopback(&self.base) {
            let mut plain = self.base.clone();
            if plain.set_scheme("http").is_ok() {
                return format!(
                    "`{host}` does not speak TLS ({root}); for a local server without TLS use `{}`",
                    plain.as_str().trim_end_matches('/')
                );
            }
        }
        format!("`{host}` does not speak TLS on this port ({root}); check the port of the base URL")
    }

    /// An answer that is not HTTP; for a loopback `http://` URL, TLS is the likely reason.
    fn not_http(&self, root: &str) -> String {
        let host = self.host();
        let mut text = format!("`{host}` did not answer in HTTP ({root})");
        if self.base.scheme() == "http" {
            let mut secure = self.base.clone();
            if secure.set_scheme("https").is_ok() {
                text.push_str(&format!(
                    "; if it speaks TLS, use `{}`",
                    secure.as_str().trim_end_matches('/')
                ));
            }
        }
        text
    }

    /// Masks the key (should a server echo it) and any key-shaped token in text we show.
    pub(super) fn clean(&self, text: &str) -> String {
        self.scrubber().text(text)
    }

    /// The scrubbing every answer goes through before it is handed out.
    pub(super) fn scrubber(&self) -> Scrubber<'_> {
        Scrubber {
            key: self.key.as_ref(),
        }
    }
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
