//! What a request that got no (HTTP) answer ran into, decided by the types in its error chain
//! rather than by its text: reqwest's own flags, `std::io::ErrorKind`, `rustls::Error` and
//! `hyper::Error`, found by walking `source()` (and into `std::io::Error`'s payload, which
//! `source()` skips).
//!
//! Text decides only where the crates give no type to test: hyper-util's DNS failure (its
//! `ConnectError` is private; the resolver's `io::Error` has no stable kind of its own, std
//! files getaddrinfo's failures under the unstable `ErrorKind::Uncategorized`) and its proxy
//! tunnel failures (`TunnelError` is private too). That last resort is [`fallback`], limited
//! to connect errors and to hyper-util's exact wording, and tested against the real thing.
//!
//! Boundary: pure classification of an error value; the message and the hint are the client's.

use std::error::Error;
use std::io;

/// The kind of failure a transport error chain shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cause {
    Timeout,
    Refused,
    Dns,
    /// The TLS handshake failed because the server's certificate is not trusted (unknown
    /// issuer, expired, another name, ...).
    Certificate,
    /// The peer does not speak TLS (a plain-HTTP port behind an `https://` URL).
    NotTls,
    /// Another TLS failure (an alert, no common protocol version, ...).
    Tls,
    /// The answer was not HTTP (a TLS port behind an `http://` URL, say).
    NotHttp,
    /// The connection closed before a whole answer arrived.
    Closed,
    /// The proxy refused or failed the `CONNECT` tunnel.
    Tunnel,
    Other,
}

impl Cause {
    /// Whether trying again can help (not for answers that will be the same).
    pub(super) fn retryable(&self) -> bool {
        !matches!(
            self,
            Cause::Timeout | Cause::Certificate | Cause::NotTls | Cause::Tls | Cause::NotHttp
        )
    }
}

/// Classifies a failed request.
pub(super) fn cause(e: &reqwest::Error) -> Cause {
    if e.is_timeout() {
        return Cause::Timeout;
    }
    let chain = chain(e);
    for err in &chain {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return match tls {
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
                    Cause::Certificate
                }
                rustls::Error::InvalidMessage(_) => Cause::NotTls,
                _ => Cause::Tls,
            };
        }
        if let Some(io) = err.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return Cause::Refused,
                io::ErrorKind::TimedOut => return Cause::Timeout,
                _ => {}
            }
        }
        if let Some(hyper) = err.downcast_ref::<hyper::Error>() {
            if hyper.is_parse() || hyper.is_parse_status() {
                return Cause::NotHttp;
            }
            if hyper.is_incomplete_message() {
                return Cause::Closed;
            }
        }
    }
    fallback(e.is_connect(), &chain)
}

/// hyper-util's `ConnectError` for a failed name lookup displays exactly this
/// (`ConnectError::dns` in `hyper-util/src/client/legacy/connect/http.rs`).
const DNS_ERROR: &str = "dns error";
/// hyper-util's `TunnelError` displays this, then what went wrong
/// (`hyper-util/src/client/legacy/connect/proxy/tunnel.rs`).
const TUNNEL_ERROR: &str = "tunnel error: ";

/// The last resort, for the two failures no public type tells (see the module's doc): only for
/// an error reqwest calls a connect error (`is_connect`, from hyper-util's own error kind; both
/// happen while connecting), and only an error of the chain whose whole text is hyper-util's
/// constant, so neither a URL nor a server's words can match. Should a hyper-util release word
/// them otherwise, the failure is `Other` (still a proxy failure through a proxy, see
/// `Client::transport_error`); `tests::hyper_util_still_words_dns_failures_so` notices.
fn fallback(is_connect: bool, chain: &[&(dyn Error + 'static)]) -> Cause {
    if !is_connect {
        return Cause::Other;
    }
    let texts: Vec<String> = chain.iter().map(|err| err.to_string()).collect();
    if texts.iter().any(|t| t == DNS_ERROR) {
        Cause::Dns
    } else if texts.iter().any(|t| t.starts_with(TUNNEL_ERROR)) {
        Cause::Tunnel
    } else {
        Cause::Other
    }
}

/// The error and its causes, outermost first, including the payload of each `io::Error`.
fn chain<'a>(e: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        out.push(err);
        next = match err.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => err.source(),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(Box<dyn Error + Send + Sync>);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("client error (Connect)")
        }
    }

    impl Error for Wrapper {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&*self.0)
        }
    }

    /// A message of one's own, with an optional cause.
    #[derive(Debug)]
    struct Said(&'static str, Option<Box<dyn Error + Send + Sync>>);

    impl std::fmt::Display for Said {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Said {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn Error + 'static))
        }
    }

    fn fallback_of(outer: &Said, is_connect: bool) -> Cause {
        fallback(is_connect, &chain(outer))
    }

    #[test]
    fn the_fallback_takes_only_hyper_utils_words_on_a_connect_error() {
        let lookup = || {
            Some(Box::new(io::Error::other(
                "failed to lookup address information: Name or service not known",
            )) as Box<dyn Error + Send + Sync>)
        };
        let dns = Said(
            "client error (Connect)",
            Some(Box::new(Said("dns error", lookup()))),
        );
        assert_eq!(fallback_of(&dns, true), Cause::Dns);
        assert_eq!(fallback_of(&dns, false), Cause::Other);
        let tunnel = Said(
            "client error (Connect)",
            Some(Box::new(Said("tunnel error: unsuccessful", None))),
        );
        assert_eq!(fallback_of(&tunnel, true), Cause::Tunnel);
        assert_eq!(fallback_of(&tunnel, false), Cause::Other);
        // The words inside a longer text (a URL, a server's message) are not hyper-util's.
        let url = Said("error sending request for url (http://h/dns error)", None);
        assert_eq!(fallback_of(&url, true), Cause::Other);
        let said = Said("the server said: no tunnel error: here", None);
        assert_eq!(fallback_of(&said, true), Cause::Other);
    }

    /// The error of a real client's GET of `url` (no proxy), which must fail.
    fn failed_get(url: &str) -> reqwest::Error {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap()
                .get(url)
                .send()
                .await
                .unwrap_err()
        })
    }

    /// The fallback against the real client: a name in `.invalid` (RFC 6761) never resolves,
    /// on line or off.
    #[test]
    fn hyper_util_still_words_dns_failures_so() {
        let err = failed_get("http://gateway.invalid/");
        assert!(err.is_connect(), "{err:?}");
        assert_eq!(cause(&err), Cause::Dns, "{err:?}");
    }

    #[test]
    fn a_refused_connection_is_told_by_its_kind() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = failed_get(&format!("http://127.0.0.1:{port}/"));
        assert_eq!(cause(&err), Cause::Refused, "{err:?}");
    }

    #[test]
    fn the_chain_reaches_into_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = io::Error::new(io::ErrorKind::InvalidData, tls);
        let outer = Wrapper(Box::new(io));
        let found = chain(&outer)
            .iter()
            .any(|e| e.downcast_ref::<rustls::Error>().is_some());
        assert!(found, "io::Error::source() alone skips the rustls error");
    }
}
