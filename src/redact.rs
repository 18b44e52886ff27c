//! Masking the secret-shaped values of a TOML text, for every diff of a config mg-codex shows
//! (`--dry-run` of `init`, `uninstall` and `model`, and `init`'s preview): the values of
//! `experimental_bearer_token`, of `Authorization`, `X-Api-Key`, `api-key`-like headers, and of
//! keys named `*_KEY`, `*_TOKEN`, `*SECRET*`, `*PASSWORD*` (case-insensitive; `-` counts as
//! `_`) in any table, inline tables such as `env = { … }` of `[mcp_servers.*]` included.
//! Values that only name a variable stay readable: `env_key`, `*_env_var`
//! (`bearer_token_env_var`) and everything under `env_http_headers`.
//!
//! A secret becomes [`crate::secret::mask`] of it (`…9f2c`; an auth scheme stays readable:
//! `Bearer …9f2c`), inside its own quotes. Lines keep their places (a masked multi-line string
//! keeps its line breaks), so a diff of two redacted texts lines up with the real one.
//!
//! Boundary: a pure function on text. It is a scanner, not a parser: it follows keys, strings,
//! inline tables and arrays (across lines, as TOML 1.1 allows) and copies every other byte as
//! it is, so it never fails, even on text that is not TOML.

use crate::secret::mask;

/// `text` with every secret-shaped string value masked.
pub fn redact_toml(text: &str) -> String {
    let mut scanner = Scanner {
        src: text,
        pos: 0,
        out: String::with_capacity(text.len()),
        table: Vec::new(),
    };
    scanner.document();
    scanner.out
}

/// Whether a key of this name holds a secret (the last part of a dotted key or table path).
pub fn is_secret_name(name: &str) -> bool {
    // A name of a variable or a header; a path pattern (`"**/*secret*" = "deny"`) is not one.
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return false;
    }
    let n = name.to_ascii_lowercase().replace('-', "_");
    if n == "env_key" || n.ends_with("_env_var") {
        return false;
    }
    matches!(
        n.as_str(),
        "authorization" | "proxy_authorization" | "cookie" | "key" | "token" | "apikey"
    ) || n.ends_with("_key")
        || n.ends_with("_token")
        || n.ends_with("_apikey")
        || n.contains("secret")
        || n.contains("password")
        || n.contains("passwd")
}

/// Whether the value at `path` (table, dotted keys, inline tables) is a secret.
fn is_secret_path(path: &[String]) -> bool {
    !path
        .iter()
        .any(|p| p.eq_ignore_ascii_case("env_http_headers"))
        && path.last().is_some_and(|name| is_secret_name(name))
}

/// The mask of a secret value; an auth scheme in front stays readable.
fn mask_value(content: &str) -> String {
    for scheme in ["Bearer ", "Basic ", "Token "] {
        match (content.get(..scheme.len()), content.get(scheme.len()..)) {
            (Some(head), Some(rest)) if !rest.is_empty() && head.eq_ignore_ascii_case(scheme) => {
                return format!("{head}{}", mask(rest));
            }
            _ => {}
        }
    }
    mask(content)
}

struct Scanner<'a> {
    src: &'a str,
    pos: usize,
    out: String,
    /// The path of the current `[table]` or `[[array]]` header.
    table: Vec<String>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    /// Copies the input up to byte `end` as it is.
    fn copy_to(&mut self, end: usize) {
        let end = end.min(self.src.len()).max(self.pos);
        self.out.push_str(&self.src[self.pos..end]);
        self.pos = end;
    }

    /// Copies one character (however many bytes it is).
    fn copy_char(&mut self) {
        let len = self.rest().chars().next().map_or(0, char::len_utf8);
        self.copy_to(self.pos + len);
    }

    /// Copies spaces and tabs.
    fn spaces(&mut self) {
        let n = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.copy_to(self.pos + n);
    }

    /// Copies a comment up to (not including) the end of its line.
    fn comment(&mut self) {
        let end = self
            .rest()
            .find(['\n', '\r'])
            .map_or(self.src.len(), |i| self.pos + i);
        self.copy_to(end);
    }

    /// Copies white space, line breaks and comments (inside inline tables and arrays).
    fn blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.copy_to(self.pos + 1),
                Some(b'#') => self.comment(),
                _ => return,
            }
        }
    }

    fn document(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.copy_to(self.pos + 1),
                b'#' => self.comment(),
                b'[' => self.header(),
                _ => {
                    let start = self.pos;
                    let keys = self.keys();
                    if !keys.is_empty() && self.assignment() {
                        let path: Vec<String> = self.table.iter().cloned().chain(keys).collect();
                        self.value(&path);
                    }
                    if self.pos == start {
                        self.copy_char();
                    }
                }
            }
        }
    }

    /// `[a.b]` or `[[a.b]]`: the new table path.
    fn header(&mut self) {
        self.copy_to(self.pos + 1);
        if self.peek() == Some(b'[') {
            self.copy_to(self.pos + 1);
        }
        self.spaces();
        self.table = self.keys();
        self.spaces();
        while self.peek() == Some(b']') {
            self.copy_to(self.pos + 1);
        }
    }

    /// A dotted key (`a."b c".'d'`); empty when there is none here.
    fn keys(&mut self) -> Vec<String> {
        let mut keys = Vec::new();
        loop {
            self.spaces();
            let Some(key) = self.key() else { break };
            keys.push(key);
            self.spaces();
            if self.peek() == Some(b'.') {
                self.copy_to(self.pos + 1);
            } else {
                break;
            }
        }
        keys
    }

    /// One bare or quoted key, unquoted (escapes are kept as written: enough for names).
    fn key(&mut self) -> Option<String> {
        match self.peek()? {
            q @ (b'"' | b'\'') => {
                let body = &self.rest()[1..];
                let end = closing_quote(body, q)?;
                let name = body[..end].to_string();
                self.copy_to(self.pos + 1 + end + 1);
                Some(name)
            }
            _ => {
                // TOML 1.1 allows letters beyond ASCII in bare keys.
                let n: usize = self
                    .rest()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
                    .map(char::len_utf8)
                    .sum();
                (n > 0).then(|| {
                    let name = self.rest()[..n].to_string();
                    self.copy_to(self.pos + n);
                    name
                })
            }
        }
    }

    /// Copies `=` and the spaces around it; false when there is no `=`.
    fn assignment(&mut self) -> bool {
        self.spaces();
        if self.peek() != Some(b'=') {
            return false;
        }
        self.copy_to(self.pos + 1);
        self.spaces();
        true
    }

    fn value(&mut self, path: &[String]) {
        let rest = self.rest();
        if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            self.multiline_string(path);
        } else if rest.starts_with('"') || rest.starts_with('\'') {
            self.string(path);
        } else if rest.starts_with('{') {
            self.inline_table(path);
        } else if rest.starts_with('[') {
            self.array(path);
        } else {
            // A number, a boolean, a date: up to what ends a value.
            let end = rest
                .find([',', ']', '}', '#', '\n', '\r'])
                .map_or(self.src.len(), |i| self.pos + i);
            self.copy_to(end);
        }
    }

    /// A one-line string; an unclosed one runs to the end of its line.
    fn string(&mut self, path: &[String]) {
        let quote = self.rest().as_bytes()[0];
        let body = &self.rest()[1..];
        let line_end = body.find(['\n', '\r']).unwrap_or(body.len());
        let (content_len, closed) = match closing_quote(&body[..line_end], quote) {
            Some(end) => (end, true),
            None => (line_end, false),
        };
        self.emit_string(path, 1, content_len, usize::from(closed));
    }

    /// A `"""` or `'''` string, which may span lines.
    fn multiline_string(&mut self, path: &[String]) {
        let delimiter = &self.rest()[..3];
        let quote = delimiter.as_bytes()[0];
        let body = &self.rest()[3..];
        let mut i = 0;
        let bytes = body.as_bytes();
        let end = loop {
            if i >= bytes.len() {
                break None;
            }
            if quote == b'"' && bytes[i] == b'\\' {
                i += 2;
                continue;
            }
            if bytes[i..].starts_with(delimiter.as_bytes()) {
                // Up to two quotes right before the delimiter belong to the content.
                let extra = body[i + 3..]
                    .bytes()
                    .take(2)
                    .take_while(|b| *b == quote)
                    .count();
                break Some(i + extra);
            }
            i += 1;
        };
        let (content_len, closing) = match end {
            Some(len) => (len, 3),
            None => (body.len(), 0),
        };
        self.emit_string(path, 3, content_len, closing);
    }

    /// Writes a string of `open` delimiter bytes, `len` content bytes and `close` delimiter
    /// bytes, masking the content when `path` is a secret.
    fn emit_string(&mut self, path: &[String], open: usize, len: usize, close: usize) {
        let content_start = self.pos + open;
        let content = &self.src[content_start..content_start + len];
        if !is_secret_path(path) || content.trim().is_empty() {
            self.copy_to(content_start + len + close);
            return;
        }
        self.copy_to(content_start);
        let lines: Vec<&str> = content.split('\n').collect();
        let masked = if lines.len() == 1 {
            mask_value(content)
        } else {
            // Every line stays (emptied, its CR kept), and the mask goes on the last line that
            // had text, so the lines of the result are the lines of the input.
            let last = lines.iter().rposition(|l| !l.trim().is_empty());
            let kept: Vec<String> = lines
                .iter()
                .enumerate()
                .map(|(i, line)| {
                    let cr = if line.ends_with('\r') { "\r" } else { "" };
                    match last {
                        Some(at) if at == i => format!("{}{cr}", mask(content.trim())),
                        _ => cr.to_string(),
                    }
                })
                .collect();
            kept.join("\n")
        };
        self.out.push_str(&masked);
        self.pos = content_start + len;
        self.copy_to(self.pos + close);
    }

    fn inline_table(&mut self, path: &[String]) {
        self.copy_to(self.pos + 1);
        loop {
            self.blanks();
            match self.peek() {
                None => return,
                Some(b'}') => {
                    self.copy_to(self.pos + 1);
                    return;
                }
                Some(b',') => self.copy_to(self.pos + 1),
                Some(_) => {
                    let start = self.pos;
                    let keys = self.keys();
                    if !keys.is_empty() && self.assignment() {
                        let inner: Vec<String> = path.iter().cloned().chain(keys).collect();
                        self.value(&inner);
                    }
                    if self.pos == start {
                        self.copy_char();
                    }
                }
            }
        }
    }

    /// Array elements share the array's path (a secret key's array is all secret).
    fn array(&mut self, path: &[String]) {
        self.copy_to(self.pos + 1);
        loop {
            self.blanks();
            match self.peek() {
                None => return,
                Some(b']') => {
                    self.copy_to(self.pos + 1);
                    return;
                }
                Some(b',') => self.copy_to(self.pos + 1),
                Some(_) => {
                    let start = self.pos;
                    self.value(path);
                    if self.pos == start {
                        self.copy_char();
                    }
                }
            }
        }
    }
}

/// The byte offset of the quote that closes a string whose content starts `body` (escapes
/// count in basic strings only).
fn closing_quote(body: &str, quote: u8) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\n' => return None,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn same(text: &str) {
        assert_eq!(redact_toml(text), text);
    }

    #[test]
    fn bearer_tokens_and_secret_names_are_masked_in_any_table() {
        assert_eq!(
            redact_toml(
                "[model_providers.corp]\nexperimental_bearer_token = \"tok-0123456789abcd\"\n"
            ),
            "[model_providers.corp]\nexperimental_bearer_token = \"…abcd\"\n"
        );
        assert_eq!(
            redact_toml("OPENAI_API_KEY = 'abc'\nGH_TOKEN=\"ghp_0123456789wxyz\" # mine\n"),
            "OPENAI_API_KEY = '…***'\nGH_TOKEN=\"…wxyz\" # mine\n"
        );
        for name in [
            "client_secret",
            "SECRET_VALUE",
            "db-password",
            "PASSWD",
            "x_api_key",
            "apikey",
            "session_token",
        ] {
            assert_eq!(
                redact_toml(&format!("{name} = \"0123456789abcdef\"")),
                format!("{name} = \"…cdef\""),
                "{name}"
            );
        }
    }

    #[test]
    fn headers_in_tables_inline_tables_and_dotted_keys() {
        assert_eq!(
            redact_toml("[model_providers.x.http_headers]\nAuthorization = \"Bearer sk-live-0123456789\"\n\"X-Api-Key\" = \"0123456789abcdef\"\nX-Team = \"platform\"\n"),
            "[model_providers.x.http_headers]\nAuthorization = \"Bearer …6789\"\n\"X-Api-Key\" = \"…cdef\"\nX-Team = \"platform\"\n"
        );
        assert_eq!(
            redact_toml("http_headers = { \"Authorization\" = \"Basic dXNlcjpwYXNzd29yZA==\", api-key = \"0123456789abcdef\", x-team = \"a\" }"),
            "http_headers = { \"Authorization\" = \"Basic …ZA==\", api-key = \"…cdef\", x-team = \"a\" }"
        );
        assert_eq!(
            redact_toml(
                "model_providers.x.http_headers.Authorization = \"Bearer 0123456789abcdef\""
            ),
            "model_providers.x.http_headers.Authorization = \"Bearer …cdef\""
        );
    }

    #[test]
    fn mcp_env_tables_inline_and_multiline() {
        assert_eq!(
            redact_toml("[mcp_servers.gh]\nenv = { GITHUB_TOKEN = \"ghp_0123456789abcd\", LOG = \"debug\" }\n"),
            "[mcp_servers.gh]\nenv = { GITHUB_TOKEN = \"…abcd\", LOG = \"debug\" }\n"
        );
        // TOML 1.1: an inline table across lines, with comments.
        assert_eq!(
            redact_toml("env = {\n  DB_PASSWORD = \"hunter2-0123456789\", # prod\n  HOST = \"db\",\n}\nnext = 1\n"),
            "env = {\n  DB_PASSWORD = \"…6789\", # prod\n  HOST = \"db\",\n}\nnext = 1\n"
        );
        assert_eq!(
            redact_toml("[mcp_servers.db.env]\nCLIENT_SECRET = 'literal-0123456789'\n"),
            "[mcp_servers.db.env]\nCLIENT_SECRET = '…6789'\n"
        );
    }

    #[test]
    fn variable_names_stay_readable() {
        same("[model_providers.x]\nenv_key = \"MODELGATES_API_KEY\"\nenv_key_instructions = \"set it\"\n");
        same("[mcp_servers.x]\nbearer_token_env_var = \"GH_TOKEN\"\nenv_vars = [\"API_KEY\", \"HOME\"]\n");
        same("[model_providers.x]\nenv_http_headers = { \"X-Api-Key\" = \"MY_VAR\", Authorization = \"AUTH_VAR\" }\n");
        same("[model_providers.x.env_http_headers]\nAuthorization = \"AUTH_VAR\"\n");
        same("model = \"openai/gpt-5.3-codex\"\n[tui]\nnotifications = true\n");
        same("[sandbox.paths]\n\"**/*secret*\" = \"deny\"\n\"**/secrets/**\" = \"deny\"\n");
    }

    #[test]
    fn arrays_under_a_secret_name_and_multiline_strings_keep_their_lines() {
        assert_eq!(
            redact_toml(
                "api_keys = 1\nrecovery_token = [\"0123456789abcdef\", \"fedcba9876543210\"]\n"
            ),
            "api_keys = 1\nrecovery_token = [\"…cdef\", \"…3210\"]\n"
        );
        assert_eq!(
            redact_toml("private_key = \"\"\"\n-----BEGIN KEY-----\r\nMIIsecret0123456789\n-----END KEY-----\"\"\"\nafter = \"x\"\n"),
            "private_key = \"\"\"\n\r\n\n…----\"\"\"\nafter = \"x\"\n"
        );
        assert_eq!(
            redact_toml("client_secret = '''\nline one 0123456789\n'''\n")
                .lines()
                .count(),
            3
        );
    }

    #[test]
    fn every_cut_of_a_tricky_text_is_scanned_without_panic_and_keeps_its_lines() {
        let text = concat!(
            "a_token = \"Bearer é-0123456789\" # ü\n",
            "env = { X_KEY = '''ü\r\n\\é''', y = [\"é\", { z_secret = \"\"\"é\"\"é\\\"\"\"\" }] }\n",
            "[t.\"é\"]\nk = 'v'\n",
        );
        for (cut, _) in text.char_indices() {
            let part = &text[..cut];
            let out = redact_toml(part);
            assert_eq!(
                out.lines().count(),
                part.lines().count(),
                "{part:?} -> {out:?}"
            );
        }
        assert!(!redact_toml(text).contains("0123456789"));
    }

    #[test]
    fn quotes_escapes_and_odd_text_do_not_derail_the_scan() {
        assert_eq!(
            redact_toml(
                "note = \"a \\\" token = \\\"x\"\nsecret = \"it's \\\"0123456789abcd\\\"\"\n"
            ),
            "note = \"a \\\" token = \\\"x\"\nsecret = \"…cd\\\"\"\n"
        );
        same("# password = \"in a comment\" stays\n");
        same("empty_token = \"\"\n");
        same("not toml at all { [ \" '\n");
        same("[[profiles]]\nname = \"a\"\n");
        assert_eq!(
            redact_toml("unclosed_token = \"0123456789abcdef\nnext = 1\n"),
            "unclosed_token = \"…cdef\nnext = 1\n"
        );
        assert_eq!(
            redact_toml("ünïcode_secret = \"é0123456789abcdef\""),
            "ünïcode_secret = \"…cdef\""
        );
        // Multi-byte characters where a byte-wise scan could cut them.
        assert_eq!(
            redact_toml("auth_token = \"Beaé\""),
            "auth_token = \"…***\""
        );
        assert_eq!(
            redact_toml("auth_token = \"Bearer\u{e9}x\""),
            "auth_token = \"…***\""
        );
        assert_eq!(
            redact_toml("my_secret = \"\"\"é\"\"é\\é\n\"\"\"\nx = 1"),
            "my_secret = \"\"\"…***\n\"\"\"\nx = 1"
        );
        same("note = \"\"\"é\"é\"\"\"\n");
    }
}
