//! Opening a page in the user's browser, as gh does: `$BROWSER` when set (its first entry, the
//! page as its one argument), else the platform's opener (`xdg-open`, `open`, `start`). The
//! page is the only argument, never a secret; the opener runs detached, its output discarded.

use std::process::{Command, Stdio};

use crate::env::Env;

/// Opens `url`; says with what.
pub fn open(url: &str, env: &Env) -> Result<String, String> {
    let (program, args): (String, Vec<String>) = match env
        .var("BROWSER")
        .and_then(|b| b.split(':').map(str::trim).find(|p| !p.is_empty()))
    {
        Some(browser) => (browser.to_string(), vec![url.to_string()]),
        None if cfg!(target_os = "macos") => ("open".into(), vec![url.to_string()]),
        None if cfg!(windows) => (
            "cmd".into(),
            vec!["/c".into(), "start".into(), String::new(), url.to_string()],
        ),
        None => ("xdg-open".into(), vec![url.to_string()]),
    };
    Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| format!("with `{program}`"))
        .map_err(|e| format!("`{program}`: {e}"))
}
