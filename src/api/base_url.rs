//! Which base URLs are URLs of a gateway at all ([`parse_base_url`]: an `http(s)://` URL that
//! names a host; `--base-url` refuses anything else as a usage error), and which may receive
//! the key ([`check_base_url`]: `https://`, or plain `http://` to a loopback host).
//!
//! Boundary: pure checks on the URL text; no request is made.

use std::net::IpAddr;

use reqwest::Url;

use super::error::ApiError;

/// An example for messages.
const EXAMPLE: &str = "e.g. `https://modelgates.ai/api/v1`";

/// Parses a base URL: `http://` or `https://`, then a host (and a port, a path). The error
/// says what is missing. The URL parser alone is not enough: it reads `https:///path` as the
/// host `path`.
pub fn parse_base_url(raw: &str) -> Result<Url, String> {
    if raw.trim() != raw {
        return Err(format!("the URL has spaces around it ({EXAMPLE})"));
    }
    let Some((scheme, rest)) = raw.split_once("://") else {
        return Err(format!(
            "not a URL: it does not start with `https://` ({EXAMPLE})"
        ));
    };
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err(format!(
            "unsupported scheme `{scheme}` (use https, {EXAMPLE})"
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(format!("no host after `{scheme}://` ({EXAMPLE})"));
    }
    if authority.contains('@') {
        return Err(
            "a user name or password in the URL would be sent to the gateway and shown in messages; the key goes in `MODELGATES_API_KEY`".into(),
        );
    }
    let url = Url::parse(raw).map_err(|e| format!("not a URL ({e}; {EXAMPLE})"))?;
    match url.host_str() {
        Some(host) if !host.is_empty() => Ok(url),
        _ => Err(format!("no host after `{scheme}://` ({EXAMPLE})")),
    }
}

/// Checks that a base URL is one ([`parse_base_url`]) and may receive the key: `https://`, or
/// `http://` to a loopback host.
pub fn check_base_url(raw: &str) -> Result<Url, ApiError> {
    let url = parse_base_url(raw).map_err(|reason| ApiError::InsecureUrl {
        url: raw.to_string(),
        reason,
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

/// Whether the URL's host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    url.host().is_some_and(|host| is_loopback_host(&host))
}

/// Whether a host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
pub(crate) fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_base_url_must_name_a_host() {
        for (raw, says) in [
            ("https:///path", "no host after `https://`"),
            ("https://", "no host"),
            ("https://?q", "no host"),
            ("modelgates.ai/api/v1", "does not start with `https://`"),
            ("", "does not start with"),
            ("ftp://modelgates.ai", "unsupported scheme `ftp`"),
            ("https://modelgates.ai:99999/api", "not a URL"),
            (" https://modelgates.ai/api/v1", "spaces"),
            ("https://user:pw@modelgates.ai/api/v1", "password"),
        ] {
            let err = parse_base_url(raw).unwrap_err();
            assert!(err.contains(says), "{raw:?}: {err}");
        }
        let url = parse_base_url("HTTPS://ModelGates.ai:8443/api/v1").unwrap();
        assert_eq!(url.as_str(), "https://modelgates.ai:8443/api/v1");
        assert!(parse_base_url("http://[::1]:9/api").is_ok());
    }
}
