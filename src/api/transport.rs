//! What a request that got no (HTTP) answer ran into, decided by the types in its error chain
//! rather than by its text: reqwest's own flags, `std::io::ErrorKind`, `rustls::Error` and
//! `hyper::Error`, found by walking `source()` (and into `std::io::Error`'s payload, which
//! `source()` skips).
//!
//! Text decides only where the crates give no type to test: hyper-util's DNS failure (its
//! `ConnectError` is private; the resolver's `io::Error` has no kind of its own) and its proxy
//! tunnel failures (`TunnelError` is private too). Those two checks say so where they are.
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
    // No type to test (see the module's doc): hyper-util's private `ConnectError` says
    // "dns error", its private `TunnelError` "tunnel error: …"; both are their own constants.
    let says = |text: &str| chain.iter().any(|err| err.to_string().contains(text));
    if says("dns error") {
        Cause::Dns
    } else if says("tunnel error") {
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
