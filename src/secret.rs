//! The API key as a secret: validation, masking and scrubbing.
//!
//! An [`ApiKey`] can only be built from validated text, never prints itself (its `Debug` and
//! `Display` are masked), and hands out the raw value only through [`ApiKey::expose`], which
//! callers use for exactly two things: the `Authorization` header and the tool-owned env files.

use std::fmt;

/// The prefix of ModelGates keys.
pub const KEY_PREFIX: &str = "sk-mg-";

/// A validated API key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// Why a string is not a usable key. Never contains the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Empty,
    /// Leading or trailing spaces, tabs or newlines (a copy-paste accident).
    SurroundingWhitespace,
    /// A character that is not printable ASCII, or whitespace inside the key, at this 1-based
    /// position.
    BadCharacter {
        position: usize,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Empty => write!(f, "the API key is empty"),
            KeyError::SurroundingWhitespace => write!(
                f,
                "the API key has spaces or a newline around it (a copy-paste accident?)"
            ),
            KeyError::BadCharacter { position } => write!(
                f,
                "the API key has a character that cannot be in a key at position {position} (keys are printable ASCII without spaces)"
            ),
        }
    }
}

impl std::error::Error for KeyError {}

impl ApiKey {
    /// Validates a key exactly as given: printable ASCII, no whitespace anywhere.
    pub fn parse(raw: &str) -> Result<Self, KeyError> {
        if raw.is_empty() {
            return Err(KeyError::Empty);
        }
        if raw.trim() != raw {
            return Err(KeyError::SurroundingWhitespace);
        }
        if let Some(i) = raw.chars().position(|c| !c.is_ascii_graphic()) {
            return Err(KeyError::BadCharacter { position: i + 1 });
        }
        Ok(Self(raw.to_string()))
    }

    /// The raw key. Use only for the `Authorization` header and the env files.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it looks like a ModelGates key (`sk-mg-…`).
    pub fn has_expected_prefix(&self) -> bool {
        self.0.starts_with(KEY_PREFIX)
    }

    /// Why this does not look like a ModelGates key (`sk-mg-` and at least 20 characters of
    /// letters, digits, `-` and `_`), if it does not: checked before the key is sent anywhere.
    pub fn shape_problem(&self) -> Option<String> {
        let key = &self.0;
        if !key.starts_with(KEY_PREFIX) {
            return Some(format!("it does not start with `{KEY_PREFIX}`"));
        }
        if key.len() < 20 {
            return Some(format!(
                "it is {} characters long, too short for a key",
                key.len()
            ));
        }
        key.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
            .map(|c| format!("it holds `{}`, which no key has", c.escape_default()))
    }

    /// The masked form, e.g. `sk-mg-…9f2c`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.masked())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Where keys are made.
pub const KEYS_PAGE: &str = "https://modelgates.ai/keys";
/// Where the models are listed.
pub const MODELS_PAGE: &str = "https://modelgates.ai/models";

/// Masks a secret: a known prefix and the last four characters at most, never more than a
/// quarter of the secret.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "…***".to_string();
    }
    let prefix = if secret.starts_with(KEY_PREFIX) {
        KEY_PREFIX
    } else {
        ""
    };
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

/// Replaces every occurrence of the secret in a text by its masked form.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_string();
    }
    text.replace(secret, &mask(secret))
}

/// Masks everything in a text that looks like a ModelGates key (`sk-mg-` and the letters,
/// digits, `-`, `_` and `.` after it), whatever key it is: for text shown to the user that may
/// hold keys mg-codex was never given (an old key in a config, say). A token that is already
/// masked is kept: the prefix alone (`sk-mg-…9f2c`), or the gateway's own mask, with `...` and
/// no run of 8 letters and digits (`sk-mg-v1-ab3...9f2`).
pub fn scrub_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY_PREFIX) {
        out.push_str(&rest[..at]);
        let token_len = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(rest.len() - at);
        let token = &rest[at..at + token_len];
        if token_len == KEY_PREFIX.len() || already_masked(token) {
            // Only the prefix: already masked (`sk-mg-…9f2c`), or no key at all.
            out.push_str(token);
        } else {
            out.push_str(&mask(token));
        }
        rest = &rest[at + token_len..];
    }
    out.push_str(rest);
    out
}

/// The gateway's masked form of a key (`sk-mg-v1-ab3...9f2`): `...` and only short runs of
/// letters and digits around it, where a real key has a long one.
fn already_masked(token: &str) -> bool {
    let longest_run = token
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::len)
        .max()
        .unwrap_or(0);
    token.contains("...") && longest_run < 8
}

/// Text that came from elsewhere (a server's answer), made safe to show: `secret` (the key
/// that was sent, exactly and with surrounding white space trimmed) becomes its mask, and so
/// does every other key-shaped token ([`scrub_keys`]).
pub fn scrub_all(text: &str, secret: Option<&str>) -> String {
    let mut out = text.to_string();
    if let Some(secret) = secret {
        let masked = mask(secret.trim());
        for form in [secret, secret.trim()] {
            if !form.is_empty() {
                out = out.replace(form, &masked);
            }
        }
    }
    scrub_keys(&out)
}

/// Whether `text` holds `secret` (as [`scrub_all`] finds it) or any key-shaped token that is
/// not masked already.
pub fn holds_key(text: &str, secret: Option<&str>) -> bool {
    scrub_all(text, secret) != text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_prefix_and_last_four() {
        assert_eq!(mask("sk-mg-v1-0123456789abcdef9f2c"), "sk-mg-…9f2c");
        assert_eq!(mask("other-0123456789-abcd"), "…abcd");
        assert_eq!(mask("short"), "…***");
    }

    #[test]
    fn debug_and_display_never_show_the_key() {
        let key = ApiKey::parse("sk-mg-v1-secretsecretsecret1234").unwrap();
        assert!(!format!("{key:?} {key}").contains("secretsecret"));
    }

    #[test]
    fn validation() {
        assert_eq!(ApiKey::parse(""), Err(KeyError::Empty));
        assert_eq!(
            ApiKey::parse("sk-mg-x\n"),
            Err(KeyError::SurroundingWhitespace)
        );
        assert_eq!(
            ApiKey::parse("sk-mg x"),
            Err(KeyError::BadCharacter { position: 6 })
        );
        assert_eq!(
            ApiKey::parse("sk-mg-é"),
            Err(KeyError::BadCharacter { position: 7 })
        );
        assert!(ApiKey::parse("sk-mg-'\"$`\\!").is_ok());
    }

    #[test]
    fn scrub_keys_masks_any_key_shaped_token() {
        assert_eq!(
            scrub_keys("token = \"sk-mg-v1-0ld0123456789abcdef\" # and sk-mg-v1-other0123456789x, sk-mg-…9f2c"),
            "token = \"sk-mg-…cdef\" # and sk-mg-…789x, sk-mg-…9f2c"
        );
        assert_eq!(scrub_keys("no key here"), "no key here");
    }

    #[test]
    fn masked_forms_are_kept_and_keys_next_to_them_are_not() {
        let label = "sk-mg-v1-ab3...9f2";
        assert_eq!(scrub_keys(label), label, "the gateway's own mask");
        assert!(!holds_key(label, Some("sk-mg-v1-0123456789abcdef")));
        assert_eq!(
            scrub_keys("sk-mg-v1-0123456789abcdef..."),
            "sk-mg-…f...",
            "dots after a real key do not hide it"
        );
    }

    #[test]
    fn scrub_all_removes_the_sent_key_and_any_other_key() {
        let key = "sk-mg-v1-0123456789abcdef9f2c";
        let text = format!("{key} and sk-mg-v1-someoneelse0123456789 and {key}");
        assert_eq!(
            scrub_all(&text, Some(key)),
            "sk-mg-…9f2c and sk-mg-…6789 and sk-mg-…9f2c"
        );
        // A key that is not `sk-mg-`-shaped is found by its exact value only.
        assert_eq!(
            scrub_all(
                "the key OTHERKEY-0123456789-XYZ!",
                Some("OTHERKEY-0123456789-XYZ!")
            ),
            "the key …XYZ!"
        );
        assert_eq!(
            scrub_all("x 0123456789abcdefgh y", Some(" 0123456789abcdefgh\n")),
            "x …efgh y",
            "the trimmed form too"
        );
        assert!(holds_key("label: sk-mg-v1-abcdefgh12345678", None));
        assert!(!holds_key("no key", Some(key)));
    }

    #[test]
    fn scrub_replaces_every_occurrence() {
        let s = scrub(
            "a sk-mg-0123456789abcdef b sk-mg-0123456789abcdef",
            "sk-mg-0123456789abcdef",
        );
        assert_eq!(s, "a sk-mg-…cdef b sk-mg-…cdef");
    }
}
