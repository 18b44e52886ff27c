//! Unified diffs of planned file changes, for `--dry-run` and the interactive summary. Callers
//! pass texts that are already redacted.

/// A unified diff of `before` → `after` under the label `path`; empty when they are equal.
pub fn unified(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{path} (now)"), &format!("{path} (after)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_only_the_change_with_context() {
        let d = super::unified("c.toml", "a = 1\nb = 2\n", "a = 1\nb = 3\n");
        assert!(d.contains("--- c.toml (now)\n+++ c.toml (after)\n"), "{d}");
        assert!(d.contains("-b = 2\n+b = 3\n"), "{d}");
        assert_eq!(super::unified("x", "same", "same"), "");
    }
}
