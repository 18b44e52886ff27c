//! Which proxy a request goes through. One function decides it, [`Proxies::for_url`]: the
//! client hands it to reqwest as its only proxy (reqwest's own reading of the environment is
//! off), and error messages name what it chose, so the two cannot disagree.
//!
//! The rules, in order:
//! - a loopback host (`localhost`, `127.0.0.0/8`, `::1`) never goes through a proxy, so a local
//!   gateway on plain `http://` never hands the key to one in clear;
//! - `NO_PROXY` (else `no_proxy`) bypasses the proxy for its entries, separated by commas or
//!   spaces: `*` (every host), a domain (`example.com` or `.example.com`, `*.example.com`: the
//!   domain and its subdomains; `sub.example.com`: that subdomain and below), an IP address
//!   (`10.1.2.3`, `::1` or `[::1]`), a network (`10.0.0.0/8`, `fd00::/8`), each optionally with
//!   `:port` (`example.com:8443`, `[::1]:8080`) to bypass only that port;
//! - otherwise `https://` URLs use `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, `all_proxy`, and
//!   `http://` URLs use `HTTP_PROXY`, `http_proxy`, `ALL_PROXY`, `all_proxy`: the first that is
//!   set and not empty (upper case first, as reqwest's and Go's own readers do). An `http://`
//!   proxy for an `https://` URL is fine: the request travels through a `CONNECT` tunnel, so
//!   the proxy sees the host name and encrypted bytes only.
//!
//! A proxy value without a scheme is `http://`; `http://` and `https://` proxies are supported
//! (`socks5://` and others are refused with a message naming the variable).
//!
//! Boundary: pure; the variables come in through a lookup function (the caller's `Env`), a
//! decision comes out; no request is made.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use reqwest::Url;

use super::base_url::is_loopback_host;

/// The proxy settings of the environment.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    https: Option<Setting>,
    http: Option<Setting>,
    all: Option<Setting>,
    no_proxy: NoProxy,
}

/// A proxy variable that is set: its name and value. `Debug` hides credentials.
#[derive(Clone, PartialEq, Eq)]
struct Setting {
    var: &'static str,
    value: String,
}

/// The proxy chosen for a URL, and the variable it came from. `Debug` hides credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyChoice {
    /// `HTTPS_PROXY`, `all_proxy`, ...
    pub var: &'static str,
    value: String,
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.var, without_credentials(&self.value))
    }
}

impl fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.var, self.shown())
    }
}

impl Proxies {
    /// Reads the settings through `var` (a variable's value, if set).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let pick = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| {
                var(name)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .map(|value| Setting { var: name, value })
            })
        };
        Self {
            https: pick(["HTTPS_PROXY", "https_proxy"]),
            http: pick(["HTTP_PROXY", "http_proxy"]),
            all: pick(["ALL_PROXY", "all_proxy"]),
            no_proxy: pick(["NO_PROXY", "no_proxy"])
                .map(|s| NoProxy::parse(&s.value))
                .unwrap_or_default(),
        }
    }

    /// The proxy a request to `url` goes through, or `None` for a direct connection. The one
    /// decision: the client and its messages both use it.
    pub fn for_url(&self, url: &Url) -> Option<ProxyChoice> {
        let host = url.host()?;
        if is_loopback_host(&host) || self.no_proxy.matches(&host, url.port_or_known_default()) {
            return None;
        }
        let setting = match url.scheme() {
            "https" => self.https.as_ref().or(self.all.as_ref()),
            "http" => self.http.as_ref().or(self.all.as_ref()),
            _ => None,
        }?;
        Some(ProxyChoice {
            var: setting.var,
            value: setting.value.clone(),
        })
    }
}

impl ProxyChoice {
    /// The proxy as reqwest takes it (`http://` when the value has no scheme), or why it
    /// cannot be used, naming the variable.
    pub fn url(&self) -> Result<Url, String> {
        let text = if self.value.contains("://") {
            self.value.clone()
        } else {
            format!("http://{}", self.value)
        };
        let url = Url::parse(&text).map_err(|e| {
            format!(
                "`{}` is not a proxy URL ({e}); set it to `http://HOST:PORT`, or unset it",
                self.var
            )
        })?;
        match url.scheme() {
            "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
            "http" | "https" => Err(format!(
                "`{}` names no proxy host; set it to `http://HOST:PORT`, or unset it",
                self.var
            )),
            other => Err(format!(
                "`{}` is a `{other}://` proxy, and mg-codex speaks only to `http://` and `https://` proxies; set `{}` to an HTTP proxy, or add the host to `NO_PROXY`",
                self.var, self.var
            )),
        }
    }

    /// The proxy as messages show it: a user name and password are left out.
    pub fn shown(&self) -> String {
        without_credentials(&self.value)
    }
}

/// A proxy value without its user name and password.
fn without_credentials(value: &str) -> String {
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, value),
    };
    // The credentials end at the last `@` of the authority (a password may hold `@`).
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{host}"),
        None => host.to_string(),
    }
}

/// The entries of `NO_PROXY`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoProxy {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    /// `*`.
    All,
    /// A host pattern, on one port only when given.
    Host { pattern: Pattern, port: Option<u16> },
}

#[derive(Debug, Clone, PartialEq)]
enum Pattern {
    /// Lower case, without leading or trailing dots: the domain and its subdomains.
    Domain(String),
    Ip(IpAddr),
    Net(IpNet),
}

impl NoProxy {
    /// Parses `NO_PROXY`: entries separated by commas or white space. Entries that are not a
    /// host, an address or a network are ignored, as other tools do.
    pub fn parse(text: &str) -> Self {
        let entries = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
            .filter_map(parse_entry)
            .collect();
        Self { entries }
    }

    /// Whether a request to `host` on `port` bypasses the proxy.
    pub fn matches(&self, host: &url::Host<&str>, port: Option<u16>) -> bool {
        let ip = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
            url::Host::Domain(_) => None,
        };
        let domain = match host {
            url::Host::Domain(d) => Some(d.trim_end_matches('.').to_ascii_lowercase()),
            _ => None,
        };
        self.entries.iter().any(|entry| match entry {
            Entry::All => true,
            Entry::Host {
                pattern,
                port: wanted,
            } => {
                let port_ok = wanted.is_none() || *wanted == port;
                let host_ok = match (pattern, &ip, &domain) {
                    (Pattern::Domain(d), _, Some(h)) => {
                        h == d || h.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.'))
                    }
                    (Pattern::Ip(want), Some(ip), _) => want == ip,
                    (Pattern::Net(net), Some(ip), _) => net.contains(ip),
                    _ => false,
                };
                port_ok && host_ok
            }
        })
    }
}

fn parse_entry(raw: &str) -> Option<Entry> {
    let entry = raw.to_ascii_lowercase();
    if entry == "*" {
        return Some(Entry::All);
    }
    let (host, port) = split_port(&entry);
    let pattern = if host.contains('/') {
        Pattern::Net(IpNet::from_str(host).ok()?)
    } else if let Ok(ip) = IpAddr::from_str(host) {
        Pattern::Ip(ip)
    } else {
        let domain = host
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .trim_end_matches('.');
        let valid = !domain.is_empty()
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !valid {
            return None;
        }
        Pattern::Domain(domain.to_string())
    };
    Some(Entry::Host { pattern, port })
}

/// `host:port`, `[v6]:port`, `[v6]` → the host and the port; a bare IPv6 address has no port.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
            return (host, port);
        }
    }
    match entry.rsplit_once(':') {
        // One colon only: an IPv6 address has several.
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Proxies::from_vars(|name| vars.get(name).cloned())
    }

    fn chosen(p: &Proxies, url: &str) -> Option<String> {
        p.for_url(&Url::parse(url).unwrap())
            .map(|c| format!("{}={}", c.var, c.value))
    }

    fn bypasses(no_proxy: &str, url: &str) -> bool {
        let url = Url::parse(url).unwrap();
        NoProxy::parse(no_proxy).matches(&url.host().unwrap(), url.port_or_known_default())
    }

    #[test]
    fn no_proxy_star_matches_everything() {
        assert!(bypasses("*", "https://modelgates.ai/api/v1"));
        assert!(bypasses("example.com, *", "https://10.1.2.3/"));
        assert!(!bypasses("*.", "https://modelgates.ai/"), "not a wildcard");
    }

    #[test]
    fn no_proxy_domains_match_themselves_and_their_subdomains() {
        for entry in [
            "example.com",
            ".example.com",
            "*.example.com",
            "EXAMPLE.com.",
        ] {
            assert!(bypasses(entry, "https://example.com/"), "{entry}");
            assert!(bypasses(entry, "https://api.example.com/"), "{entry}");
            assert!(bypasses(entry, "https://a.b.Example.COM./"), "{entry}");
            assert!(!bypasses(entry, "https://notexample.com/"), "{entry}");
            assert!(!bypasses(entry, "https://example.com.evil.io/"), "{entry}");
        }
        assert!(bypasses("sub.example.com", "https://sub.example.com/"));
        assert!(bypasses("sub.example.com", "https://deep.sub.example.com/"));
        assert!(!bypasses("sub.example.com", "https://example.com/"));
        assert!(!bypasses("sub.example.com", "https://other.example.com/"));
    }

    #[test]
    fn no_proxy_addresses_networks_and_ports() {
        assert!(bypasses("10.1.2.3", "https://10.1.2.3/"));
        assert!(!bypasses("10.1.2.3", "https://10.1.2.4/"));
        assert!(bypasses("10.0.0.0/8", "https://10.200.0.1/"));
        assert!(!bypasses("10.0.0.0/8", "https://11.0.0.1/"));
        assert!(bypasses("192.168.1.0/24", "https://192.168.1.77:8443/"));
        assert!(bypasses("fd00::/8", "https://[fd12::1]/"));
        assert!(bypasses("::1", "https://[::1]/"));
        assert!(bypasses("[fd00::1]", "https://[fd00::1]/"));
        assert!(
            !bypasses("10.0.0.0/8", "https://ten.example/"),
            "names are not addresses"
        );
        assert!(bypasses(
            "example.com:8443",
            "https://api.example.com:8443/"
        ));
        assert!(!bypasses("example.com:8443", "https://example.com/"));
        assert!(
            bypasses("example.com:443", "https://example.com/"),
            "the default port"
        );
        assert!(bypasses("10.1.2.3:8080", "http://10.1.2.3:8080/"));
        assert!(!bypasses("10.1.2.3:8080", "http://10.1.2.3:8081/"));
        assert!(bypasses("[fd00::1]:8443", "https://[fd00::1]:8443/"));
        assert!(!bypasses("[fd00::1]:8443", "https://[fd00::1]/"));
    }

    #[test]
    fn no_proxy_lists_take_commas_and_spaces_and_skip_junk() {
        let list = " foo.io ,, 10.0.0.0/8  bar.example  not/a/net  1.2.3.4/99 ";
        assert!(bypasses(list, "https://foo.io/"));
        assert!(bypasses(list, "https://x.bar.example/"));
        assert!(bypasses(list, "https://10.9.9.9/"));
        assert!(!bypasses(list, "https://modelgates.ai/"));
        assert_eq!(NoProxy::parse(list).entries.len(), 3);
        assert!(!bypasses("", "https://modelgates.ai/"));
    }

    #[test]
    fn loopback_hosts_never_use_a_proxy() {
        let p = proxies(&[
            ("HTTP_PROXY", "http://proxy:3128"),
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("ALL_PROXY", "http://proxy:3128"),
        ]);
        for url in [
            "http://127.0.0.1:8080/api/v1",
            "http://127.9.9.9/api/v1",
            "http://localhost:1/api",
            "https://LOCALHOST/api",
            "http://[::1]:8080/api",
        ] {
            assert_eq!(chosen(&p, url), None, "{url}");
        }
        assert!(chosen(&p, "https://modelgates.ai/api/v1").is_some());
    }

    #[test]
    fn the_scheme_picks_the_variable_upper_case_first_then_all_proxy() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:1"),
            ("ALL_PROXY", "http://all:1"),
        ]);
        assert_eq!(
            chosen(&p, "https://modelgates.ai/").as_deref(),
            Some("HTTPS_PROXY=http://upper:1")
        );
        assert_eq!(
            chosen(&p, "http://modelgates.ai/").as_deref(),
            Some("ALL_PROXY=http://all:1"),
            "no HTTP_PROXY: ALL_PROXY"
        );
        let p = proxies(&[("https_proxy", "lower:1"), ("all_proxy", "http://all:1")]);
        assert_eq!(
            chosen(&p, "https://modelgates.ai/").as_deref(),
            Some("https_proxy=lower:1")
        );
        let p = proxies(&[("HTTPS_PROXY", " "), ("all_proxy", "http://all:1")]);
        assert_eq!(
            chosen(&p, "https://modelgates.ai/").as_deref(),
            Some("all_proxy=http://all:1"),
            "an empty value is unset"
        );
        let p = proxies(&[("HTTP_PROXY", "http://only-http:1")]);
        assert_eq!(chosen(&p, "https://modelgates.ai/"), None);
        assert_eq!(chosen(&proxies(&[]), "https://modelgates.ai/"), None);
    }

    #[test]
    fn no_proxy_wins_over_every_proxy_variable() {
        for no_proxy in ["NO_PROXY", "no_proxy"] {
            let p = proxies(&[
                ("HTTPS_PROXY", "http://proxy:3128"),
                (no_proxy, "modelgates.ai"),
            ]);
            assert_eq!(chosen(&p, "https://modelgates.ai/api/v1"), None);
            assert!(chosen(&p, "https://other.ai/").is_some());
        }
        let p = proxies(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "a.io"),
            ("no_proxy", "modelgates.ai"),
        ]);
        assert!(
            chosen(&p, "https://modelgates.ai/").is_some(),
            "NO_PROXY is read first"
        );
    }

    #[test]
    fn proxy_values_become_urls_or_say_why_not() {
        let choice = |value: &str| ProxyChoice {
            var: "HTTPS_PROXY",
            value: value.to_string(),
        };
        assert_eq!(
            choice("proxy.corp:3128").url().unwrap().as_str(),
            "http://proxy.corp:3128/"
        );
        assert_eq!(
            choice("https://proxy.corp").url().unwrap().as_str(),
            "https://proxy.corp/"
        );
        let socks = choice("socks5://proxy:1080").url().unwrap_err();
        assert!(
            socks.contains("`HTTPS_PROXY` is a `socks5://` proxy"),
            "{socks}"
        );
        assert!(choice("http://").url().unwrap_err().contains("HTTPS_PROXY"));
    }

    #[test]
    fn shown_proxies_hide_credentials() {
        let shown = |value: &str| {
            ProxyChoice {
                var: "ALL_PROXY",
                value: value.to_string(),
            }
            .shown()
        };
        assert_eq!(shown("http://user:p%40ss@proxy:3128"), "http://proxy:3128");
        assert_eq!(
            shown("http://user:p@ss@proxy:3128/x"),
            "http://proxy:3128/x"
        );
        assert_eq!(shown("user:pw@proxy:3128"), "proxy:3128");
        assert_eq!(shown("http://proxy:3128"), "http://proxy:3128");
        let p = proxies(&[("HTTPS_PROXY", "http://user:hunter2@proxy:3128")]);
        let debug = format!(
            "{p:?} {:?}",
            p.for_url(&Url::parse("https://a.io").unwrap())
        );
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
