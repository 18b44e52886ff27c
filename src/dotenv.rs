//! `$CODEX_HOME/.env`, which Codex loads at start: each variable it sets that the environment
//! does not already have (dotenv does not override), except names starting with `CODEX_`
//! (Codex refuses those from the file). A stale proxy or an old key there reaches every Codex
//! front end, so `doctor` reads it the same way.
//!
//! Pure: text in, assignments out.

/// One assignment, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: String,
    pub line: usize,
}

/// The assignments of a `.env` text, in order (`KEY=VALUE`, an optional `export `, `'…'` or
/// `"…"` quoting with `\n`, `\"` and `\\` in double quotes, `#` comments, blank lines). Lines it
/// cannot read are skipped, as dotenv skips them.
pub fn parse(text: &str) -> Vec<Assignment> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let value = value.trim();
        let value = if let Some(rest) = value.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => v.push('\n'),
                        Some(other) => v.push(other),
                        None => {}
                    },
                    c => v.push(c),
                }
            }
            v
        } else if let Some(rest) = value.strip_prefix('\'') {
            rest.split('\'').next().unwrap_or("").to_string()
        } else {
            // Unquoted: up to an inline comment.
            match value.find(" #") {
                Some(i) => value[..i].trim_end().to_string(),
                None => value.to_string(),
            }
        };
        out.push(Assignment {
            name: name.to_string(),
            value,
            line: i + 1,
        });
    }
    out
}

/// The assignments Codex applies: not `CODEX_*`, the last one of a name wins.
pub fn applied(text: &str) -> Vec<Assignment> {
    let mut out: Vec<Assignment> = Vec::new();
    for a in parse(text) {
        if a.name.to_ascii_uppercase().starts_with("CODEX_") {
            continue;
        }
        out.retain(|b| b.name != a.name);
        out.push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_dotenv_reads() {
        let text = "# proxy\nHTTP_PROXY=\"http://127.0.0.1:9\"\nexport HTTPS_PROXY='http://p:1'\nX=plain # note\nCODEX_HOME=/x\nbad line\nY=\"a\\nb\"\nX=again\n";
        let got: Vec<(String, String, usize)> = applied(text)
            .into_iter()
            .map(|a| (a.name, a.value, a.line))
            .collect();
        assert_eq!(
            got,
            [
                ("HTTP_PROXY".into(), "http://127.0.0.1:9".into(), 2),
                ("HTTPS_PROXY".into(), "http://p:1".into(), 3),
                ("Y".into(), "a\nb".into(), 7),
                ("X".into(), "again".into(), 8),
            ]
        );
    }
}
