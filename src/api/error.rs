//! The classified outcome of a failed API call ([`ApiError`], [`NetFailure`]) and how it reads.
//!
//! Boundary: the types and their messages only; which error a response or a transport failure
//! becomes is decided by the client.

use std::fmt;

use serde::Serialize;

use super::body::MAX_BODY_BYTES;

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
    /// Whether `detail` only says again what [`Self::describe`] says.
    fn says_it(self, detail: &str) -> bool {
        let d = detail.to_ascii_lowercase();
        let words: &[&str] = match self {
            NetFailure::Refused => &["connection refused"],
            NetFailure::Timeout => &["timed out", "timeout", "deadline"],
            NetFailure::Dns => &[
                "failed to lookup",
                "name or service not known",
                "no address associated",
                "nodename nor servname",
                "dns error",
                "temporary failure in name resolution",
            ],
            _ => &[],
        };
        words.iter().any(|w| d.contains(w)) && d.len() < 120
    }

    fn describe(self) -> &'static str {
        match self {
            NetFailure::Dns => "the host name could not be resolved (DNS)",
            NetFailure::Refused => "the connection was refused",
            NetFailure::Tls => "the TLS handshake failed",
            NetFailure::Timeout => "no complete answer before the timeout",
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
    /// No complete HTTP answer: DNS, a refused connection, TLS, the proxy, the timeout (also
    /// in the middle of a body), a connection that closed early or an answer that is not HTTP.
    Unreachable {
        failure: NetFailure,
        host: String,
        proxy: Option<String>,
        detail: String,
    },
    /// An answer that is not what the contract says. `too_large`: its body was over
    /// [`MAX_BODY_BYTES`] ([`ApiError::is_too_large`]); a flag rather than a variant of its own,
    /// so callers' exhaustive matches stand, and they rightly treat it as any other bad answer
    /// (the base URL is not the gateway's).
    BadResponse {
        detail: String,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        too_large: bool,
    },
    /// The base URL may not receive the key (or is not a URL).
    InsecureUrl { url: String, reason: String },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::KeyRejected { message } => {
                write!(f, "ModelGates rejected the key (401): {message}")
            }
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
                // The cause once: no "refused: Connection refused (os error 111)".
                if failure.says_it(detail) {
                    Ok(())
                } else {
                    write!(f, ": {detail}")
                }
            }
            ApiError::BadResponse { detail, .. } => write!(f, "unexpected answer: {detail}"),
            ApiError::InsecureUrl { url, reason } => write!(f, "`{url}`: {reason}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The body of an answer from `host` was over [`MAX_BODY_BYTES`].
    pub fn too_large(host: &str) -> Self {
        ApiError::BadResponse {
            detail: format!(
                "the response from `{host}` is larger than {} MiB, far more than any ModelGates answer",
                MAX_BODY_BYTES >> 20
            ),
            too_large: true,
        }
    }

    /// Whether this is [`Self::too_large`].
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            ApiError::BadResponse {
                too_large: true,
                ..
            }
        )
    }
}

pub(crate) fn bad(detail: &str) -> ApiError {
    ApiError::BadResponse {
        detail: detail.to_string(),
        too_large: false,
    }
}

/// The innermost cause of an error (`Connection refused (os error 111)`), which says the most
/// in the fewest words.
pub(crate) fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
