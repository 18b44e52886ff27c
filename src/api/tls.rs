//! Which certificate authorities the client trusts: the roots bundled with the binary
//! (webpki-roots), the platform's store, and the PEM certificates of `SSL_CERT_FILE` and of the
//! directories in `SSL_CERT_DIR`, so a gateway, or a TLS-inspecting corporate proxy, with a CA
//! of its own works.
//!
//! The platform's store is, on Linux and the BSDs, the system bundle (the first of the usual
//! files, where OpenSSL finds it: `/etc/ssl/certs/ca-certificates.crt`, ...); on macOS and
//! Windows, the system's store through `rustls-native-certs`, which there reads `SSL_CERT_FILE`
//! and `SSL_CERT_DIR` itself, behind `Env`'s back: when either is set it loads them instead of
//! the Keychain or the Windows store (they are loaded here anyway, from `Env`'s values).
//!
//! Boundary: reads certificate files at paths the caller took from its `Env`. A file that
//! cannot be used is a note, not a failure: the bundled and system roots still work, and the
//! note is shown when a server's certificate is not trusted.

use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;

/// The CA certificates to trust besides the bundled and the system roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// `SSL_CERT_FILE`: a PEM file of certificates.
    pub cert_file: Option<PathBuf>,
    /// `SSL_CERT_DIR`: directories of PEM files (`:`-separated; `;` on Windows).
    pub cert_dirs: Vec<PathBuf>,
}

/// The roots to add to the bundled ones, and what could not be used.
#[derive(Debug, Default)]
pub(super) struct Roots {
    pub certs: Vec<reqwest::Certificate>,
    pub notes: Vec<String>,
}

impl Trust {
    /// Reads `SSL_CERT_FILE` and `SSL_CERT_DIR` through `var` (a variable's value, if set).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let separator = if cfg!(windows) { ';' } else { ':' };
        Self {
            cert_file: var("SSL_CERT_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            cert_dirs: var("SSL_CERT_DIR")
                .unwrap_or_default()
                .split(separator)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .collect(),
        }
    }

    /// The system's roots and the configured ones, each checked as a trust anchor (one bad
    /// certificate in a store would otherwise fail the whole client).
    pub(super) fn load(&self) -> Roots {
        let mut notes = Vec::new();
        let mut ders = platform_certs(&mut notes);
        if let Some(file) = &self.cert_file {
            ders.extend(configured("SSL_CERT_FILE", file, true, &mut notes));
        }
        for dir in &self.cert_dirs {
            ders.extend(configured("SSL_CERT_DIR", dir, false, &mut notes));
        }
        ders.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
        ders.dedup();
        let certs = ders
            .into_iter()
            .filter(|der| rustls::RootCertStore::empty().add(der.clone()).is_ok())
            .filter_map(|der| reqwest::Certificate::from_der(&der).ok())
            .collect();
        Roots { certs, notes }
    }
}

/// The certificates of the file or directory `path` that `var` names; a note when there are
/// none.
fn configured(
    var: &str,
    path: &Path,
    is_file: bool,
    notes: &mut Vec<String>,
) -> Vec<CertificateDer<'static>> {
    let loaded = if is_file {
        rustls_native_certs::load_certs_from_paths(Some(path), None)
    } else {
        rustls_native_certs::load_certs_from_paths(None, Some(path))
    };
    let shown = path.display();
    if let Some(error) = loaded.errors.first() {
        notes.push(format!("`{var}` (`{shown}`) was not used: {error}"));
    } else if loaded.certs.is_empty() {
        notes.push(format!(
            "`{var}` (`{shown}`) was not used: it holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)"
        ));
    }
    loaded.certs
}

/// The system bundles, most common first (the list OpenSSL's probes use).
#[cfg(all(unix, not(target_os = "macos")))]
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Gentoo, Arch
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // Fedora, RHEL 7+
    "/etc/pki/tls/certs/ca-bundle.crt",   // RHEL 6
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/pki/tls/cacert.pem",            // OpenELEC
    "/etc/ssl/cert.pem",                  // Alpine, OpenBSD
    "/usr/local/share/certs/ca-root-nss.crt", // FreeBSD
    "/usr/local/etc/ssl/cert.pem",        // FreeBSD
    "/etc/openssl/certs/ca-certificates.crt", // NetBSD
];

#[cfg(all(unix, not(target_os = "macos")))]
fn platform_certs(notes: &mut Vec<String>) -> Vec<CertificateDer<'static>> {
    let Some(bundle) = SYSTEM_BUNDLES.iter().map(Path::new).find(|p| p.is_file()) else {
        return Vec::new();
    };
    let loaded = rustls_native_certs::load_certs_from_paths(Some(bundle), None);
    if let Some(error) = loaded.errors.first() {
        notes.push(format!(
            "the system's certificates (`{}`) were not used: {error}",
            bundle.display()
        ));
    }
    loaded.certs
}

#[cfg(any(target_os = "macos", windows))]
fn platform_certs(notes: &mut Vec<String>) -> Vec<CertificateDer<'static>> {
    let loaded = rustls_native_certs::load_native_certs();
    if let Some(error) = loaded.errors.first() {
        notes.push(format!("the system's certificate store: {error}"));
    }
    loaded.certs
}

#[cfg(not(any(unix, windows)))]
fn platform_certs(_notes: &mut Vec<String>) -> Vec<CertificateDer<'static>> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variables_name_a_file_and_directories() {
        let trust = Trust::from_vars(|name| match name {
            "SSL_CERT_FILE" => Some("/etc/corp/ca.pem".into()),
            "SSL_CERT_DIR" => Some("/a::/b".into()),
            _ => None,
        });
        assert_eq!(trust.cert_file, Some(PathBuf::from("/etc/corp/ca.pem")));
        assert_eq!(trust.cert_dirs, [PathBuf::from("/a"), PathBuf::from("/b")]);
        let unset = Trust::from_vars(|name| (name == "SSL_CERT_FILE").then(String::new));
        assert_eq!(unset, Trust::default(), "an empty value is unset");
    }

    #[test]
    fn files_that_cannot_be_used_are_notes_naming_the_variable_and_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage.pem");
        std::fs::write(&garbage, "not a certificate\n").unwrap();
        for (file, says) in [
            (dir.path().join("missing.pem"), "was not used"),
            (garbage, "holds no PEM certificate"),
        ] {
            let roots = Trust {
                cert_file: Some(file.clone()),
                cert_dirs: Vec::new(),
            }
            .load();
            let note = roots.notes.join("\n");
            assert!(note.contains("`SSL_CERT_FILE`"), "{note}");
            assert!(note.contains(&format!("`{}`", file.display())), "{note}");
            assert!(note.contains(says), "{note}");
        }
    }
}
