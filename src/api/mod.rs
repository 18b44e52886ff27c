//! The ModelGates client: key status, the model catalogue, one model, and a tiny live probe of
//! the Responses API, each returning typed data or a classified [`ApiError`] that callers match
//! on (shared by `doctor` and `init`).
//!
//! Boundaries and promises:
//! - reqwest with rustls; bounded connect and total timeouts; one retry at most, only for 5xx,
//!   429 (waiting `Retry-After` up to a cap) and connection failures (not timeouts, not TLS
//!   failures), all within the one deadline, so a dead or black-holed host costs the timeout
//!   once;
//! - every body is read under a size cap ([`MAX_BODY_BYTES`]) within that deadline, into typed
//!   shapes that skip what they do not use, so memory stays about the size of the answer;
//! - the key is sent only to the configured base URL: `https://`, or plain `http://` to a
//!   loopback host; redirects to another origin are not followed (so the key never travels
//!   there);
//! - requests go through the proxy the environment names, never for loopback or `NO_PROXY`
//!   hosts, and trust the system's CAs and `SSL_CERT_FILE`/`SSL_CERT_DIR` as well as the
//!   bundled roots; the environment comes in from the caller ([`Network::from_vars`]);
//! - the key never appears in what the client hands out: every string a server sent (the key's
//!   label, model ids and names, error bodies, stream errors) is scrubbed of the key that was
//!   sent and of any key-shaped token before a caller sees it.
//!
//! One job per module: `client` (requests, retry, classification), `probe` (the streaming
//! request), `body` (the size cap and the deadline on every body), `wire` (the JSON shapes),
//! `lenient` (reading them leniently, in bounded memory), `transport` (what a failed connection
//! ran into, by type), `proxy` (which proxy, if any: one decision for the client and its
//! messages), `tls` (which CAs are trusted), `scrub` (no key in anything a server sent),
//! `error` (the outcome types), `base_url` (where the key may go). "Did you mean" is [`crate::model_id`]'s.

mod base_url;
mod body;
mod client;
mod error;
mod lenient;
mod probe;
mod proxy;
mod scrub;
mod tls;
mod transport;
mod wire;

use std::time::Duration;

pub use base_url::{check_base_url, parse_base_url};
pub use body::MAX_BODY_BYTES;
pub use client::{Client, ClientOptions, Network};
pub use error::{ApiError, NetFailure};
pub use proxy::{NoProxy, Proxies, ProxyChoice};
pub use tls::Trust;
pub use wire::{error_message, per_million, KeyInfo, Lookup, Model, ProbeResult, MAX_MODELS};

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://modelgates.ai/api/v1";
/// The longest `Retry-After` we are willing to wait before the one retry.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);
