//! The printer: the one owner of stdout and stderr.
//!
//! stdout carries only data meant for pipes (`--list`, `--json`); every message goes to stderr.
//! Colour is decoration only, decided once from `--color`, `NO_COLOR` and whether the stream is
//! a terminal. Spinners are drawn on stderr only when it is a terminal, never with `--quiet`,
//! and only once a wait has lasted longer than a moment.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ColorChoice;
use crate::env::Env;

/// Writes messages and data, with or without colour.
#[derive(Debug, Clone)]
pub struct Printer {
    color_out: bool,
    color_err: bool,
    /// `--quiet`: no progress messages and no spinners (warnings, errors and data stay).
    quiet: bool,
    /// stderr is a terminal that can redraw a line (not `TERM=dumb`).
    spinners: bool,
    /// The spinner being drawn, if any: lines printed meanwhile go above it
    /// ([`ProgressBar::suspend`]) instead of through it.
    active: Arc<Mutex<Option<ProgressBar>>>,
}

/// How long a wait lasts before its spinner appears: shorter waits draw nothing.
const SPINNER_DELAY: Duration = Duration::from_millis(150);

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
    pub fn new(choice: ColorChoice, quiet: bool, env: &Env) -> Self {
        let auto = |tty: bool| tty && !env.no_color && !env.dumb_term;
        let (color_out, color_err) = match choice {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (auto(env.stdout_tty), auto(env.stderr_tty)),
        };
        // The prompts (dialoguer) and the spinner (indicatif) style text through `console`:
        // the same decision reaches them here, so `--color` and `NO_COLOR` hold there too.
        console::set_colors_enabled(color_out);
        console::set_colors_enabled_stderr(color_err);
        Self {
            color_out,
            color_err,
            quiet,
            spinners: env.stderr_tty && !env.dumb_term && !quiet,
            active: Arc::default(),
        }
    }

    /// Starts a spinner on stderr for a wait (`"Checking the key"`). It appears only after
    /// [`SPINNER_DELAY`], only on a terminal and never with `--quiet`; it disappears when the
    /// returned guard is dropped, leaving the line clean.
    pub fn spinner(&self, text: &str) -> Spinner {
        if !self.spinners {
            return Spinner {
                inner: None,
                active: Arc::clone(&self.active),
            };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_message(format!("{text}…"));
        let done = Arc::new(Mutex::new(false));
        let (thread_bar, thread_done) = (bar.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            std::thread::sleep(SPINNER_DELAY);
            let done = thread_done.lock().unwrap_or_else(|e| e.into_inner());
            if !*done {
                thread_bar.set_draw_target(ProgressDrawTarget::stderr());
                // Styled once the target is stderr, so its colours follow stderr's setting.
                if let Ok(style) = ProgressStyle::with_template("{spinner:.cyan} {msg}") {
                    thread_bar.set_style(style.tick_chars(SPINNER_TICKS));
                }
                thread_bar.enable_steady_tick(Duration::from_millis(80));
            }
        });
        *self.active.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
        Spinner {
            inner: Some((bar, done)),
            active: Arc::clone(&self.active),
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

    /// Raw data for stdout (generated scripts and pages); a closed pipe is not an error.
    pub fn data_bytes(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        match out.write_all(bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(anyhow::Error::new(e).context("writing to standard output"))
            }
            _ => Ok(()),
        }
    }

    /// A progress message for stderr (one line); silent with `--quiet`.
    pub fn message(&self, line: &str) {
        if self.quiet {
            return;
        }
        self.always(line);
    }

    /// A line for stderr that `--quiet` does not silence (warnings, errors, the answer to a
    /// question the user asked).
    pub fn always(&self, line: &str) {
        let write = || {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{line}");
        };
        let active = self
            .active
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        match active {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// A warning: `warning: …`.
    pub fn warn(&self, text: &str) {
        self.always(&format!(
            "{}: {text}",
            self.err_style(Style::Warn, "warning")
        ));
    }

    /// Renders a final error once: `error: …`, `Caused by: …`, then the fixes the errors of
    /// the chain carry, as `hint: …` ([`crate::problem::fixes_of`]).
    pub fn error(&self, err: &anyhow::Error) {
        let mut lines = Vec::new();
        for (i, cause) in err.chain().enumerate() {
            let text = cause.to_string();
            for (j, line) in text.lines().enumerate() {
                if j == 0 && i == 0 {
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
        for fix in crate::problem::fixes_of(err) {
            lines.push(format!("{}: {fix}", self.err_style(Style::Dim, "hint")));
        }
        self.always(&lines.join("\n"));
    }
}

const SPINNER_TICKS: &str = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ";

/// A running spinner; dropping it clears its line.
#[must_use = "the spinner disappears when this guard is dropped"]
pub struct Spinner {
    /// The bar and whether it has ended (so the delayed start never draws it afterwards).
    inner: Option<(ProgressBar, Arc<Mutex<bool>>)>,
    /// The printer's slot for the spinner being drawn, cleared on drop.
    active: Arc<Mutex<Option<ProgressBar>>>,
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some((bar, done)) = self.inner.take() {
            let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
            *done = true;
            bar.finish_and_clear();
            *self.active.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
}
