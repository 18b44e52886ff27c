//! Which base URLs may receive the key: `https://`, or plain `http://` to a loopback host.
//!
//! Boundary: pure checks on the URL text; no request is made.

use std::net::IpAddr;

use reqwest::Url;

use super::error::ApiError;

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

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
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
}
