//! The printer: the one owner of stdout and stderr.
//!
//! stdout carries only data meant for pipes (`--list`, `--json`); every message goes to stderr.
//! Colour is decoration only, decided once from `--color`, `NO_COLOR` and whether the stream is
//! a terminal.

use std::io::Write;

use crate::cli::ColorChoice;
use crate::env::Env;

/// Writes messages and data, with or without colour.
#[derive(Debug, Clone)]
pub struct Printer {
    color_out: bool,
    color_err: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum Style {
    Ok,
    Warn,
    Error,
    Dim,
    Bold,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Ok => "32",
            Style::Warn => "33",
            Style::Error => "1;31",
            Style::Dim => "2",
            Style::Bold => "1",
        }
    }
}

impl Printer {
    pub fn new(choice: ColorChoice, env: &Env) -> Self {
        let auto = |tty: bool| tty && !env.no_color && !env.dumb_term;
        let (color_out, color_err) = match choice {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (auto(env.stdout_tty), auto(env.stderr_tty)),
        };
        Self {
            color_out,
            color_err,
        }
    }

    /// A printer that never colours (for tests and JSON).
    pub fn plain() -> Self {
        Self {
            color_out: false,
            color_err: false,
        }
    }

    fn paint(enabled: bool, style: Style, text: &str) -> String {
        if enabled {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_string()
        }
    }

    /// Whether stderr (where prompts are drawn) gets colour.
    pub fn color_err(&self) -> bool {
        self.color_err
    }

    /// Styles text for stdout.
    pub fn out_style(&self, style: Style, text: &str) -> String {
        Self::paint(self.color_out, style, text)
    }

    /// Styles text for stderr.
    pub fn err_style(&self, style: Style, text: &str) -> String {
        Self::paint(self.color_err, style, text)
    }

    /// Data for stdout (one line).
    pub fn data(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
    }

    /// A message for stderr (one line).
    pub fn message(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    /// A warning: `warning: …`.
    pub fn warn(&self, text: &str) {
        self.message(&format!(
            "{}: {text}",
            self.err_style(Style::Warn, "warning")
        ));
    }

    /// Renders a final error once: `error: …`, `Caused by: …`, `hint: …`.
    pub fn error(&self, err: &anyhow::Error) {
        let mut lines = Vec::new();
        let mut hints = Vec::new();
        for (i, cause) in err.chain().enumerate() {
            let text = cause.to_string();
            for (j, line) in text.lines().enumerate() {
                if let Some(hint) = line.strip_prefix("hint: ") {
                    hints.push(hint.to_string());
                } else if j == 0 && i == 0 {
                    lines.push(format!("{}: {line}", self.err_style(Style::Error, "error")));
                } else if j == 0 {
                    lines.push(format!(
                        "  {}: {line}",
                        self.err_style(Style::Bold, "Caused by")
                    ));
                } else {
                    lines.push(format!("  {line}"));
                }
            }
        }
        for hint in hints {
            lines.push(format!("{}: {hint}", self.err_style(Style::Dim, "hint")));
        }
        self.message(&lines.join("\n"));
    }
}
