//! Prompts (dialoguer), drawn on stderr. Every prompt names the flag that answers it, so that a
//! prompt that cannot be shown (no terminal, closed input) fails with that flag as the hint
//! instead of hanging.

use std::fmt;

use anyhow::Result;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

use crate::picker::{self, Entry, Look};

/// Asks questions on the terminal.
pub struct Prompter {
    theme: Box<dyn Theme>,
    color: bool,
}

fn failed(flag: &str, err: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(io) = &err;
    if io.kind() == std::io::ErrorKind::Interrupted {
        // Ctrl-C in raw mode: the prompt left the cursor hidden.
        crate::interrupt::restore_terminal();
        return crate::interrupt::Cancelled.into();
    }
    // Every prompt's flag answers it (`--yes` for init's and uninstall's confirmations).
    crate::problem::problem(
        format!("cannot ask on this terminal ({err})"),
        crate::problem::Fix::instruction(format!("answer with `{flag}` instead")),
    )
}

impl Prompter {
    pub fn new(color: bool) -> Self {
        let theme: Box<dyn Theme> = if color {
            Box::new(Marked(ColorfulTheme::default()))
        } else {
            Box::new(SimpleTheme)
        };
        Self { theme, color }
    }

    /// Hidden input.
    pub fn secret(&self, prompt: &str, flag: &str) -> Result<String> {
        Password::with_theme(&*self.theme)
            .with_prompt(prompt)
            .allow_empty_password(false)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    pub fn confirm(&self, prompt: &str, default: bool, flag: &str) -> Result<bool> {
        // A yes/no waits for Enter (as gh and uv do): the Enter after a `y` must not answer
        // the next question.
        Confirm::with_theme(&*self.theme)
            .with_prompt(prompt)
            .default(default)
            .wait_for_newline(true)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    pub fn select(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        flag: &str,
    ) -> Result<usize> {
        Select::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    /// A list filtered as the user types, that also takes what was typed (the field starts
    /// empty, `default` as its hint): see [`crate::picker`].
    pub fn pick(
        &self,
        prompt: &str,
        entries: &[Entry],
        default: &str,
        flag: &str,
    ) -> Result<String> {
        let look = Look {
            color: self.color,
            ascii: !self.color,
        };
        picker::pick(&console::Term::stderr(), prompt, entries, default, &look)
            .map_err(|e| failed(flag, dialoguer::Error::IO(e)))
    }

    pub fn multi_select(
        &self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
        flag: &str,
    ) -> Result<Vec<usize>> {
        MultiSelect::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .defaults(checked)
            .interact()
            .map_err(|e| failed(flag, e))
    }

    pub fn input(&self, prompt: &str, initial: &str, flag: &str) -> Result<String> {
        Input::<String>::with_theme(&*self.theme)
            .with_prompt(prompt)
            .with_initial_text(initial)
            .interact_text()
            .map_err(|e| failed(flag, e))
    }
}

/// The colourful theme, with the multi-select's cursor shown by a mark (`❯`) and not only by
/// colour.
struct Marked(ColorfulTheme);

impl Theme for Marked {
    fn format_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.0.format_prompt(f, prompt)
    }
    fn format_error(&self, f: &mut dyn fmt::Write, err: &str) -> fmt::Result {
        self.0.format_error(f, err)
    }
    fn format_confirm_prompt(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        default: Option<bool>,
    ) -> fmt::Result {
        self.0.format_confirm_prompt(f, prompt, default)
    }
    fn format_confirm_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        selection: Option<bool>,
    ) -> fmt::Result {
        self.0.format_confirm_prompt_selection(f, prompt, selection)
    }
    fn format_input_prompt(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        default: Option<&str>,
    ) -> fmt::Result {
        self.0.format_input_prompt(f, prompt, default)
    }
    fn format_input_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        sel: &str,
    ) -> fmt::Result {
        self.0.format_input_prompt_selection(f, prompt, sel)
    }
    fn format_password_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.0.format_password_prompt(f, prompt)
    }
    fn format_password_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
    ) -> fmt::Result {
        self.0.format_password_prompt_selection(f, prompt)
    }
    fn format_select_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.0.format_select_prompt(f, prompt)
    }
    fn format_select_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        sel: &str,
    ) -> fmt::Result {
        self.0.format_select_prompt_selection(f, prompt, sel)
    }
    fn format_multi_select_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.0.format_multi_select_prompt(f, prompt)
    }
    fn format_multi_select_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        selections: &[&str],
    ) -> fmt::Result {
        self.0
            .format_multi_select_prompt_selection(f, prompt, selections)
    }
    fn format_select_prompt_item(
        &self,
        f: &mut dyn fmt::Write,
        text: &str,
        active: bool,
    ) -> fmt::Result {
        self.0.format_select_prompt_item(f, text, active)
    }
    fn format_multi_select_prompt_item(
        &self,
        f: &mut dyn fmt::Write,
        text: &str,
        checked: bool,
        active: bool,
    ) -> fmt::Result {
        let mark = if active { "❯" } else { " " };
        write!(f, "{} ", self.0.active_item_style.apply_to(mark))?;
        self.0
            .format_multi_select_prompt_item(f, text, checked, active)
    }
}
